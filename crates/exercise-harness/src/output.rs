//! Writing results so that a reader never sees a half-written file or a mix
//! of two runs.
//!
//! A run's files go into `--out` as one set ([`OutputSet`]). On Unix the set
//! is written into a hidden folder of its own, and the visible names are
//! symbolic links through one link, `.current`, that names the set in force:
//!
//! ```text
//! <out>/.run-<stamp>/metrics.json        the files of one run
//! <out>/.current -> .run-<stamp>         the set in force
//! <out>/metrics.json -> .current/metrics.json
//! <out>/weights -> .current/weights
//! ```
//!
//! Renaming a new `.current` over the old one is the one atomic step that
//! replaces every file at once (the scheme of Kubernetes' atomic writer for
//! mounted volumes). Killed at any moment, `<out>` shows the previous run's
//! complete set or the new run's complete set: before the switch a new name
//! may already exist as a link that leads nowhere yet, after it an old name
//! may be left leading nowhere until the next run tidies it. Only what a run
//! of ours made is ever removed: its `.run-*` folders, the old `.current`,
//! and links into `.current`. Anything else standing at one of the set's
//! names is moved into `.replaced-<stamp>/` and kept. Commits into one folder
//! take turns under a lock on the folder. Elsewhere than on Unix the files
//! are written one by one, each atomically.

use anyhow::{Context, Result, bail};
use mlp::Network;
use ndarray::{Array1, Array2, ArrayD};
use ndarray_npy::NpzWriter;
use std::collections::BTreeSet;
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

/// The files of one run, collected in memory and then put into their
/// folder as one set by [`OutputSet::commit`] (see the module's
/// documentation).
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    files: Vec<(PathBuf, Vec<u8>)>,
}

/// The link that names the set in force.
const CURRENT: &str = ".current";
/// The start of the name of a folder that holds one run's set.
const RUN_PREFIX: &str = ".run-";
/// The start of the name of a folder that keeps what stood in a set's way.
const REPLACED_PREFIX: &str = ".replaced-";

impl OutputSet {
    /// An empty set for the folder `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        OutputSet {
            dir: dir.into(),
            files: Vec::new(),
        }
    }

    /// The folder the set goes into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds a file at `name`, a relative path inside the folder.
    ///
    /// # Panics
    ///
    /// If `name` is not a plain relative path, or starts with a dot (names
    /// the set keeps for itself).
    pub fn add(&mut self, name: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        let name = name.into();
        assert!(
            !name.as_os_str().is_empty() && name.components().all(|c| matches!(c, Component::Normal(_))),
            "{} is not a relative path without . or ..",
            name.display()
        );
        assert!(
            !name.to_string_lossy().starts_with('.'),
            "{}: names starting with a dot are the set's own",
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

    /// Puts the set into its folder, replacing the previous run's set as a
    /// whole; the folder must exist. Returns what was moved aside to make
    /// room (see [`OutputSet::commit_linked`]), as `(was, now)` paths.
    pub fn commit(self) -> Result<Vec<(PathBuf, PathBuf)>> {
        #[cfg(unix)]
        {
            self.commit_linked(|| Ok(()))
        }
        #[cfg(not(unix))]
        {
            self.commit_file_by_file().map(|()| Vec::new())
        }
    }

    /// Each file renamed into place on its own: atomic per file only.
    #[cfg(not(unix))]
    fn commit_file_by_file(self) -> Result<()> {
        for (name, bytes) in &self.files {
            let path = self.dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            write_atomic(&path, bytes)?;
        }
        Ok(())
    }

    /// The linked commit; `step` runs after every change on disk, so that a
    /// test can stop the commit between any two of them as a crash would
    /// (by returning [`Crash`]).
    ///
    /// Commits into one folder take turns: each holds an exclusive lock on
    /// the folder itself from start to end, so one run's tidying never sees
    /// another's half-made set.
    ///
    /// A file, folder or foreign link that stands where the set needs one of
    /// its names (a run of a version without sets wrote it, or a user put it
    /// there) is not ours to delete: it is moved into `.replaced-<stamp>/`
    /// and kept. That first run into such a folder is the one exception to
    /// "old set or new set": killed before its switch, the moved names are
    /// missing from view until the next run.
    ///
    /// A failure before the switch removes what the commit made and puts
    /// moved entries back; after the switch the new set is in force, and
    /// tidying up is best effort.
    #[cfg(unix)]
    fn commit_linked(self, mut step: impl FnMut() -> Result<()>) -> Result<Vec<(PathBuf, PathBuf)>> {
        let dir = &self.dir;
        let lock = std::fs::File::open(dir).with_context(|| format!("cannot open {}", dir.display()))?;
        lock.lock()
            .with_context(|| format!("cannot lock {} for writing", dir.display()))?;
        let stamp = unique_stamp();
        let mut made = Made::default();
        match self.stage_and_switch(&stamp, &mut made, &mut step) {
            Ok(()) => {}
            Err(e) if e.is::<Crash>() => return Err(e),
            Err(e) => {
                made.undo();
                return Err(e);
            }
        }
        // The new set is in force: nothing below may fail the run.
        if let Err(e) = tidy(dir, &stamp, &mut step)
            && e.is::<Crash>()
        {
            return Err(e);
        }
        Ok(made.moved_aside)
    }

    /// Steps 1 to 3 of the linked commit: the new set in its own folder, a
    /// visible link for each of its names, and the switch.
    #[cfg(unix)]
    fn stage_and_switch(&self, stamp: &str, made: &mut Made, step: &mut impl FnMut() -> Result<()>) -> Result<()> {
        use std::os::unix::fs::symlink;
        let dir = &self.dir;
        let run = format!("{RUN_PREFIX}{stamp}");
        let staging = dir.join(&run);
        let cannot = |what: &Path| format!("cannot write {}", what.display());

        // 1. The new set, complete and on disk, where nobody looks yet.
        std::fs::create_dir(&staging).with_context(|| cannot(&staging))?;
        made.staging = Some(staging.clone());
        step()?;
        for (name, bytes) in &self.files {
            let path = staging.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| cannot(parent))?;
            }
            let mut f = std::fs::File::create(&path).with_context(|| cannot(&path))?;
            f.write_all(bytes)
                .and_then(|_| f.sync_all())
                .with_context(|| cannot(&path))?;
            step()?;
        }

        // 2. A visible link for each top-level name, through `.current`.
        // Names the old set also had are such links already.
        let tops: BTreeSet<PathBuf> = self
            .files
            .iter()
            .filter_map(|(name, _)| name.components().next())
            .map(|c| PathBuf::from(c.as_os_str()))
            .collect();
        for top in &tops {
            let path = dir.join(top);
            let target = Path::new(CURRENT).join(top);
            match std::fs::read_link(&path) {
                Ok(t) if t == target => continue,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                // A plain file or folder, or a link that is not ours.
                _ => {
                    let aside_dir = dir.join(format!("{REPLACED_PREFIX}{stamp}"));
                    if !aside_dir.exists() {
                        std::fs::create_dir(&aside_dir).with_context(|| cannot(&aside_dir))?;
                    }
                    let aside = aside_dir.join(top);
                    std::fs::rename(&path, &aside).with_context(|| cannot(&path))?;
                    made.moved_aside.push((path.clone(), aside));
                    step()?;
                }
            }
            let tmp = dir.join(format!(".link-{stamp}"));
            symlink(&target, &tmp).with_context(|| cannot(&tmp))?;
            made.temporary.push(tmp.clone());
            step()?;
            std::fs::rename(&tmp, &path).with_context(|| cannot(&path))?;
            made.temporary.pop();
            made.links.push(path);
            step()?;
        }

        // 3. The switch: one rename replaces every file at once.
        let tmp = dir.join(format!(".current-{stamp}"));
        symlink(&run, &tmp).with_context(|| cannot(&tmp))?;
        made.temporary.push(tmp.clone());
        step()?;
        std::fs::rename(&tmp, dir.join(CURRENT)).with_context(|| cannot(&dir.join(CURRENT)))?;
        made.temporary.pop();
        made.staging = None;
        step()?;
        if let Ok(d) = std::fs::File::open(dir) {
            // Make the switch durable; a failure here loses nothing.
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(unix)]
/// What a simulated crash returns from a commit's step hook: the commit
/// stops there and leaves everything as a real crash would.
#[derive(Debug)]
pub(crate) struct Crash;

#[cfg(unix)]
impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("simulated crash")
    }
}

#[cfg(unix)]
impl std::error::Error for Crash {}

/// What a linked commit has changed so far, to undo it if it fails before
/// its switch.
#[cfg(unix)]
#[derive(Default)]
struct Made {
    staging: Option<PathBuf>,
    temporary: Vec<PathBuf>,
    links: Vec<PathBuf>,
    moved_aside: Vec<(PathBuf, PathBuf)>,
}

#[cfg(unix)]
impl Made {
    /// Best effort: the commit has already failed, and the next one tidies
    /// whatever this leaves.
    fn undo(&self) {
        for tmp in &self.temporary {
            let _ = std::fs::remove_file(tmp);
        }
        if let Some(staging) = &self.staging {
            let _ = std::fs::remove_dir_all(staging);
        }
        // New names lead nowhere until a switch; moved entries go back.
        for link in &self.links {
            if !link.exists() {
                let _ = std::fs::remove_file(link);
            }
        }
        for (was, now) in &self.moved_aside {
            if std::fs::symlink_metadata(was).is_err() {
                let _ = std::fs::rename(now, was);
            }
        }
        if let Some((_, first)) = self.moved_aside.first()
            && let Some(aside_dir) = first.parent()
        {
            // Only if every entry went back: remove_dir refuses a full folder.
            let _ = std::fs::remove_dir(aside_dir);
        }
    }
}

/// Step 4 of the linked commit: removes what only old sets used and what
/// interrupted commits left behind, never the set in force, never a
/// `.replaced-*` folder.
#[cfg(unix)]
fn tidy(dir: &Path, stamp: &str, step: &mut impl FnMut() -> Result<()>) -> Result<()> {
    let in_force = std::fs::read_link(dir.join(CURRENT)).ok();
    let run = format!("{RUN_PREFIX}{stamp}");
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        let ours_dangling = std::fs::read_link(&path).is_ok_and(|t| t.starts_with(CURRENT) && t != Path::new(CURRENT))
            && !path.exists();
        let old_run = name.starts_with(RUN_PREFIX)
            && name != run.as_str()
            && in_force.as_deref() != Some(Path::new(&*name))
            && is_stamp(&name[RUN_PREFIX.len()..]);
        // What an interrupted commit left: a link not yet renamed into place.
        let stamped = |prefix: &str| name.strip_prefix(prefix).is_some_and(is_stamp);
        let stale_link = (stamped(".link-") || stamped(".current-")) && path.is_symlink();
        if ours_dangling || stale_link {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            step()?;
        } else if old_run && path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            step()?;
        }
    }
    Ok(())
}

/// A name part no other run of ours will pick: the time in nanoseconds and
/// the process.
#[cfg(unix)]
fn unique_stamp() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos}-{}", std::process::id())
}

/// Whether `s` is a stamp of [`unique_stamp`]'s form: digits, a dash, digits.
#[cfg(unix)]
fn is_stamp(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    s.split_once('-').is_some_and(|(a, b)| digits(a) && digits(b))
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn visible(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        fn walk(base: &Path, d: &Path, out: &mut Vec<(String, String)>) {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let p = e.path();
                if d == base && e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p.strip_prefix(base).unwrap().display().to_string(), text));
                }
            }
        }
        walk(dir, dir, &mut out);
        out.sort();
        out
    }

    fn set(dir: &Path, files: &[(&str, &str)]) -> OutputSet {
        let mut s = OutputSet::new(dir);
        for (n, t) in files {
            s.add(*n, t.as_bytes());
        }
        s
    }

    #[test]
    fn a_set_replaces_the_previous_one_and_keeps_foreign_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(dir.join("mine")).unwrap();
        std::fs::write(dir.join("mine/a"), "also mine").unwrap();
        set(dir, &[("metrics.json", "1"), ("weights/a.npz", "a1"), ("old.svg", "o")])
            .commit()
            .unwrap();
        set(dir, &[("metrics.json", "2"), ("weights/b.npz", "b2"), ("new.svg", "n")])
            .commit()
            .unwrap();
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            visible(dir),
            pairs(&[
                ("metrics.json", "2"),
                ("mine/a", "also mine"),
                ("new.svg", "n"),
                ("notes.txt", "mine"),
                ("weights/b.npz", "b2"),
            ])
        );
        // one run folder left, and no dangling link
        let hidden: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert_eq!(hidden.len(), 2, "{hidden:?}");
        assert!(!dir.join("old.svg").is_symlink());
    }

    #[test]
    fn what_stands_in_a_sets_way_is_moved_aside_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("metrics.json"), "plain").unwrap();
        std::fs::create_dir(dir.join("weights")).unwrap();
        std::fs::write(dir.join("weights/old.npz"), "old").unwrap();
        std::os::unix::fs::symlink("elsewhere", dir.join("a.svg")).unwrap();
        let moved = set(
            dir,
            &[("metrics.json", "new"), ("weights/new.npz", "n"), ("a.svg", "a")],
        )
        .commit()
        .unwrap();
        assert_eq!(
            visible(dir),
            vec![
                ("a.svg".to_owned(), "a".to_owned()),
                ("metrics.json".to_owned(), "new".to_owned()),
                ("weights/new.npz".to_owned(), "n".to_owned())
            ]
        );
        let was: Vec<_> = moved.iter().map(|(was, _)| was.strip_prefix(dir).unwrap()).collect();
        assert_eq!(
            was,
            [Path::new("a.svg"), Path::new("metrics.json"), Path::new("weights")]
        );
        let aside = moved[0].1.parent().unwrap();
        assert!(
            aside
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(REPLACED_PREFIX)
        );
        assert_eq!(std::fs::read_to_string(aside.join("metrics.json")).unwrap(), "plain");
        assert_eq!(std::fs::read_to_string(aside.join("weights/old.npz")).unwrap(), "old");
        assert_eq!(std::fs::read_link(aside.join("a.svg")).unwrap(), Path::new("elsewhere"));
        // and later runs leave it alone
        set(dir, &[("metrics.json", "newer")]).commit().unwrap();
        assert_eq!(std::fs::read_to_string(aside.join("metrics.json")).unwrap(), "plain");
    }

    /// A failure (not a crash) before the switch, at every point: the folder
    /// is as it was, moved entries back, nothing of the failed commit left.
    #[test]
    fn a_failed_commit_takes_back_what_it_did() {
        let old: &[(&str, &str)] = &[("metrics.json", "old"), ("weights/x.npz", "old x")];
        let new: &[(&str, &str)] = &[("metrics.json", "new"), ("b.svg", "b"), ("weights/y.npz", "y")];
        let prepare = |dir: &Path| {
            set(dir, old).commit().unwrap();
            std::fs::write(dir.join("b.svg"), "mine").unwrap();
        };
        let listing = |dir: &Path| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            (names, visible(dir))
        };
        let mut fail_at = 0;
        loop {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path();
            prepare(dir);
            let before = listing(dir);
            let mut n = 0;
            let mut switched = false;
            let result = set(dir, new).commit_linked(|| {
                n += 1;
                switched |=
                    std::fs::read_link(dir.join(CURRENT)).is_ok_and(|t| !before.0.contains(&t.display().to_string()));
                if n > fail_at && !switched {
                    anyhow::bail!("disk full");
                }
                Ok(())
            });
            if result.is_ok() {
                assert!(fail_at > 5, "only {fail_at} steps before the switch");
                break;
            }
            assert_eq!(listing(dir), before, "failed after step {fail_at}");
            fail_at += 1;
        }
    }

    #[test]
    fn commits_into_one_folder_take_turns() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let tag = format!("{w}-{i}");
                        let files: Vec<(String, String)> = ["metrics.json", "a.svg", "weights/x.npz"]
                            .iter()
                            .map(|n| (n.to_string(), tag.clone()))
                            .collect();
                        let mut s = OutputSet::new(&dir);
                        for (n, t) in &files {
                            s.add(n, t.as_bytes());
                        }
                        s.commit().unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let view = visible(&dir);
        assert_eq!(view.len(), 3, "{view:?}");
        assert!(view.iter().all(|(_, t)| *t == view[0].1), "{view:?}");
        let hidden = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .count();
        assert_eq!(hidden, 2);
    }

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
        let tmp = tempfile::tempdir().unwrap();
        let mut s = OutputSet::new(tmp.path());
        s.add_json(
            "m.json",
            &Outer {
                zz: Inner { z: 1, a: 2 },
                aa: 3,
            },
        )
        .unwrap();
        s.commit().unwrap();
        let text = std::fs::read_to_string(tmp.path().join("m.json")).unwrap();
        assert_eq!(
            text,
            "{\n  \"aa\": 3,\n  \"zz\": {\n    \"a\": 2,\n    \"z\": 1\n  }\n}\n"
        );
    }

    /// A crash between any two changes on disk, at every point of the
    /// commit, in every kind of folder: the old set or the new, never a mix.
    #[test]
    fn a_crash_at_any_point_leaves_one_complete_set() {
        let old: &[(&str, &str)] = &[("metrics.json", "old"), ("a.svg", "old a"), ("weights/x.npz", "old x")];
        let new: &[(&str, &str)] = &[
            ("metrics.json", "new"),
            ("b.svg", "new b"),
            ("weights/x.npz", "new x"),
            ("weights/y.npz", "new y"),
            ("sweep/weights/z.npz", "new z"),
        ];
        let with_mine = |files: &[(&str, &str)]| {
            let mut v: Vec<(String, String)> = files.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
            v.push(("notes.txt".into(), "mine".into()));
            v.sort();
            v
        };
        let (old_view, new_view) = (with_mine(old), with_mine(new));
        // Count the steps of a whole commit, then stop after each of them.
        let steps = {
            let tmp = tempfile::tempdir().unwrap();
            set(tmp.path(), old).commit().unwrap();
            let mut n = 0;
            set(tmp.path(), new)
                .commit_linked(|| {
                    n += 1;
                    Ok(())
                })
                .unwrap();
            n
        };
        assert!(steps >= 10, "only {steps} steps");
        let (mut saw_old, mut saw_new) = (false, false);
        for crash_after in 0..steps {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path();
            std::fs::write(dir.join("notes.txt"), "mine").unwrap();
            set(dir, old).commit().unwrap();
            let mut n = 0;
            let crashed = set(dir, new).commit_linked(|| {
                n += 1;
                if n > crash_after {
                    return Err(Crash.into());
                }
                Ok(())
            });
            assert!(crashed.is_err());
            let view = visible(dir);
            assert!(
                view == old_view || view == new_view,
                "after step {crash_after} of {steps}: {view:?}"
            );
            saw_old |= view == old_view;
            saw_new |= view == new_view;
            // and the next run puts things right
            set(dir, new).commit().unwrap();
            assert_eq!(visible(dir), new_view);
            let hidden = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                .count();
            assert_eq!(hidden, 2, "after step {crash_after}: leftovers");
        }
        assert!(saw_old && saw_new);
    }

    #[test]
    #[should_panic(expected = "names starting with a dot")]
    fn names_of_the_set_itself_are_refused() {
        OutputSet::new("x").add(".current", "x");
    }
}
