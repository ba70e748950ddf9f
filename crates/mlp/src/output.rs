//! Writing results without ever leaving a half-written file: every file is
//! written to a temporary file beside it and renamed into place.

use crate::network::Network;
use anyhow::{Context, Result, bail};
use ndarray::{Array1, Array2, ArrayD};
use ndarray_npy::NpzWriter;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

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

/// Makes sure `dir` is a folder we can write into (creating it if needed),
/// before any work is done, so that a bad `--out` fails early.
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

/// A set of files to write together: collected in memory, then each one
/// written atomically by [`Outputs::commit`].
#[derive(Default, Debug)]
pub struct Outputs {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Outputs {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file.
    pub fn add(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.push((path.into(), bytes.into()));
    }

    /// Adds a JSON file, pretty-printed, ending in a newline.
    pub fn add_json(&mut self, path: impl Into<PathBuf>, value: &impl serde::Serialize) -> Result<()> {
        let mut s = serde_json::to_string_pretty(value)?;
        s.push('\n');
        self.add(path, s);
        Ok(())
    }

    /// The paths added so far.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Writes every file (creating parent folders), each atomically.
    pub fn commit(self) -> Result<()> {
        for (path, bytes) in &self.files {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            write_atomic(path, bytes)?;
        }
        Ok(())
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

/// The sheet's `V`, `W` and `b` of a network as JSON (rows as lists).
pub fn weights_json(net: &Network) -> Result<serde_json::Value> {
    let (v, w, b) = sheet_arrays(net)?;
    let rows = |m: &Array2<f64>| m.outer_iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    Ok(serde_json::json!({ "V": rows(&v), "W": rows(&w), "b": b.to_vec() }))
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
