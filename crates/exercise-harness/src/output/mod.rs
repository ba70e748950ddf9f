//! Writing results so that a reader never sees a half-written file or a mix
//! of two runs, and a user never loses a file.
//!
//! A run collects its files in memory as an [`OutputSet`] and puts them into
//! its folder through an [`OutputFolder`]: plain files, replacing the
//! previous run's folder as a whole ([`folder`]), checked against the record
//! the previous run left in it so that nothing a user put there or edited
//! is deleted ([`record`]).

pub mod folder;
pub mod record;

pub use folder::{Committed, OutputFolder, REPORT, Swap};

use anyhow::{Context, Result, bail};
use mlp::Network;
use ndarray::{Array1, Array2, ArrayD};
use ndarray_npy::NpzWriter;
use std::io::{Cursor, Write};
use std::path::{Component, Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed, then renamed over `path`. A failed or interrupted write leaves
/// whatever was at `path` before untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // like any new file: 0666 less the umask, not tempfile's private 0600
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .prefix(".tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write into {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Makes sure `dir` is a folder we can write files into one by one
/// (creating it if needed), before any work is done.
pub fn prepare_out_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "--out {}: exists and is not a folder; expected a folder to write results into",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("--out {}: cannot create the folder", dir.display()))?;
    let probe = tempfile::Builder::new().prefix(".probe-").tempfile_in(dir);
    if let Err(e) = probe {
        bail!("--out {}: the folder is not writable ({e})", dir.display());
    }
    Ok(())
}

/// The files of one run, collected in memory, then put into their folder
/// as a whole by [`OutputFolder::commit`].
#[derive(Debug, Default)]
pub struct OutputSet {
    files: Vec<(PathBuf, Vec<u8>)>,
    remembered: std::collections::BTreeMap<String, serde_json::Value>,
}

impl OutputSet {
    /// An empty set.
    pub fn new() -> Self {
        OutputSet::default()
    }

    /// Adds a file at `name`, a relative path inside the folder.
    ///
    /// # Panics
    ///
    /// If `name` is not a plain relative path, or starts with a dot (names
    /// the folder keeps for its record).
    pub fn add(&mut self, name: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        let name = name.into();
        assert!(
            !name.as_os_str().is_empty() && name.components().all(|c| matches!(c, Component::Normal(_))),
            "{} is not a relative path without . or ..",
            name.display()
        );
        assert!(
            !name.to_string_lossy().starts_with('.'),
            "{}: names starting with a dot are the folder's own",
            name.display()
        );
        self.files.push((name, bytes.into()));
    }

    /// Adds a JSON file, pretty-printed with its keys in alphabetical order
    /// at every level, ending in a newline.
    pub fn add_json(&mut self, name: impl Into<PathBuf>, value: &impl serde::Serialize) -> Result<()> {
        // Through a Value: its maps sort their keys, so the file does not
        // depend on the order of a struct's fields.
        let mut s = serde_json::to_string_pretty(&serde_json::to_value(value)?)?;
        s.push('\n');
        self.add(name, s);
        Ok(())
    }

    /// The files' paths inside the folder, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Asks the folder's record to remember `value` under `key` for the
    /// next run (see [`record::Record::remembered`]).
    pub fn remember(&mut self, key: &str, value: serde_json::Value) {
        self.remembered.insert(key.to_owned(), value);
    }

    /// What the record is to remember.
    pub fn remembered(&self) -> &std::collections::BTreeMap<String, serde_json::Value> {
        &self.remembered
    }

    /// The files, paths and bytes, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_path(), b.as_slice()))
    }
}

/// The sheet's parameters `V` (K x n_in), `W` (n_out x K) and `b` (K) of a
/// network `n_in -> K -> n_out` with hidden bias and no output bias.
pub fn sheet_arrays(net: &Network) -> Result<(Array2<f64>, Array2<f64>, Array1<f64>)> {
    let layers = net.layers();
    if layers.len() != 2 || layers[0].bias_at.is_none() || layers[1].bias_at.is_some() {
        bail!("only the sheet's network (one hidden layer with bias, output without bias) has V, W and b");
    }
    let (k, n_in, n_out) = (layers[0].units, layers[0].inputs, layers[1].units);
    let v = Array2::from_shape_vec((k, n_in), net.weights(1).to_vec())?;
    let w = Array2::from_shape_vec((n_out, k), net.weights(2).to_vec())?;
    let b = Array1::from_vec(net.bias(1).expect("checked above").to_vec());
    Ok((v, w, b))
}

/// The bytes of an `.npz` holding float64 arrays `V`, `W` and `b`.
pub fn weights_npz(net: &Network) -> Result<Vec<u8>> {
    let (v, w, b) = sheet_arrays(net)?;
    npz_bytes(&[("V", v.into_dyn()), ("W", w.into_dyn()), ("b", b.into_dyn())])
}

/// The bytes of an uncompressed `.npz` holding the named float64 arrays, as
/// `np.savez` writes it. Deterministic: zip entries carry a fixed time stamp.
pub fn npz_bytes(arrays: &[(&str, ArrayD<f64>)]) -> Result<Vec<u8>> {
    let mut npz = NpzWriter::new(Cursor::new(Vec::new()));
    for (name, a) in arrays {
        npz.add_array(*name, a)?;
    }
    Ok(npz.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_are_sorted_at_every_level() {
        #[derive(serde::Serialize)]
        struct Inner {
            z: u8,
            a: u8,
        }
        #[derive(serde::Serialize)]
        struct Outer {
            zz: Inner,
            aa: u8,
        }
        let mut s = OutputSet::new();
        s.add_json(
            "m.json",
            &Outer {
                zz: Inner { z: 1, a: 2 },
                aa: 3,
            },
        )
        .unwrap();
        let (_, bytes) = s.files().next().unwrap();
        assert_eq!(
            std::str::from_utf8(bytes).unwrap(),
            "{\n  \"aa\": 3,\n  \"zz\": {\n    \"a\": 2,\n    \"z\": 1\n  }\n}\n"
        );
    }

    #[test]
    #[should_panic(expected = "names starting with a dot")]
    fn names_of_the_folder_itself_are_refused() {
        OutputSet::new().add(".backprop-outputs.json", "x");
    }
}
