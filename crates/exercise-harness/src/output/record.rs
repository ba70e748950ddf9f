//! What an output folder holds, judged against the record its last run left
//! in it: the files a run wrote and may replace, the user's files it must
//! keep, and the litter that tools leave on their own.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record's file name, at the top of every output folder.
pub const RECORD: &str = ".backprop-outputs.json";

/// A marker in a folder being built, so that one left by a killed run is
/// known as ours and removed whole (never a folder that holds old output).
pub const BUILDING: &str = ".backprop-building";

/// What the record says to someone who opens it.
const ABOUT: &str = "The files that the last run of this project's programs wrote into this folder, with the \
                     SHA-256 of their bytes. The next run replaces the folder as a whole, and only if every other \
                     file in it is one of these, unchanged; anything else is kept and the user told.";

/// The record of one output folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// What wrote the folder: a part's name (`ex2a`) or `report`.
    pub written_by: String,
    /// A sentence for a person who opens the file.
    #[serde(default)]
    pub about: String,
    /// Each file's path inside the folder (`/` between folders) and the
    /// SHA-256 of its bytes in lowercase hex.
    pub files: BTreeMap<String, String>,
    /// What the program that wrote the folder asked to remember for its
    /// next run (the report: the student's names and group).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub remembered: BTreeMap<String, serde_json::Value>,
}

impl Record {
    /// The record of the regular files below `dir`, litter and the record
    /// itself left out.
    pub fn of_folder(dir: &Path, written_by: &str) -> Result<Record> {
        let mut files = BTreeMap::new();
        for rel in regular_files(dir)? {
            let bytes =
                std::fs::read(dir.join(&rel)).with_context(|| format!("cannot read {}", dir.join(&rel).display()))?;
            files.insert(slashed(&rel), sha256_hex(&bytes));
        }
        Ok(Record {
            written_by: written_by.to_owned(),
            about: ABOUT.to_owned(),
            files,
            remembered: BTreeMap::new(),
        })
    }

    /// The record as its file holds it: pretty JSON ending in a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("a record always serialises");
        s.push('\n');
        s.into_bytes()
    }

    /// Reads the record of `dir`: `Ok(None)` where there is none.
    pub fn read(dir: &Path) -> Result<Option<Record>> {
        let path = dir.join(RECORD);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
            Ok(m) if !m.is_file() => anyhow::bail!("{}: not a file", path.display()),
            Ok(_) => {}
        }
        let text = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let record = serde_json::from_slice(&text)
            .with_context(|| format!("{}: damaged (not the record this project writes)", path.display()))?;
        Ok(Some(record))
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A relative path with `/` between its parts, as records and messages
/// spell it on every system.
pub fn slashed(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an entry named `name` is litter that tools make on their own
/// (Finder, Explorer, Jupyter, editors' swap, backup and lock files): never
/// a reason to refuse a folder, never deleted, carried into the new folder.
pub fn is_litter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        ".ds_store" | "thumbs.db" | "ehthumbs.db" | "desktop.ini" | ".ipynb_checkpoints" | ".directory"
    ) || name.starts_with("._") // macOS resource forks on foreign file systems
        || name.starts_with(".#") // Emacs lock links
        || name.starts_with(".~lock.") // LibreOffice locks
        || (name.starts_with('#') && name.ends_with('#') && name.len() > 1) // Emacs auto-saves
        || name.ends_with('~') // Emacs, gedit backups
        || (name.starts_with('.') && [".swp", ".swo", ".swx"].iter().any(|s| name.ends_with(s))) // Vim
        // The locks beside output folders of this program, for folders below
        // this one.
        || (name.starts_with('.') && name.ends_with(".lock"))
}

/// Why a file in an output folder is not one a run may replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Foreign {
    /// The record does not name it: a run did not write it.
    NotWritten,
    /// The record names it, but its bytes changed since.
    Changed,
    /// Not a regular file (a link, a device, ...), which runs never write.
    NotAFile,
    /// The record itself, unreadable.
    DamagedRecord,
}

impl Foreign {
    /// The reason, for a person.
    pub fn says(self) -> &'static str {
        match self {
            Foreign::NotWritten => "was not written by a run",
            Foreign::Changed => "was changed since a run wrote it",
            Foreign::NotAFile => "is not a plain file that a run wrote",
            Foreign::DamagedRecord => "is damaged, so nothing in the folder can be told apart",
        }
    }
}

/// What a folder holds, sorted into what a run may replace and what it must
/// keep.
#[derive(Debug, Default)]
pub struct Contents {
    /// The record found, if any.
    pub record: Option<Record>,
    /// The folder is in the link layout of earlier versions (`.current`,
    /// `.run-*`), which is the project's own and gets converted.
    pub linked: bool,
    /// Files a run wrote, unchanged, as their visible paths.
    pub ours: Vec<PathBuf>,
    /// The link layout's own entries (`.current`, `.run-*`, the visible
    /// links), which a conversion removes.
    pub linked_own: Vec<PathBuf>,
    /// Litter, as paths of files or whole folders.
    pub litter: Vec<PathBuf>,
    /// Everything else, with why.
    pub foreign: Vec<(PathBuf, Foreign)>,
}

impl Contents {
    /// Whether the folder holds nothing but litter (and perhaps a record).
    pub fn is_empty(&self) -> bool {
        self.ours.is_empty() && self.foreign.is_empty() && !self.linked
    }

    /// Sorts what `dir` holds. A missing folder holds nothing. Only files
    /// the record names are read; in a folder without a record the walk
    /// stops at the first file that is not litter, which is enough to
    /// refuse the folder (see [`Contents::complete`] for every entry).
    pub fn of(dir: &Path) -> Result<Contents> {
        Contents::sorted(dir, false)
    }

    /// [`Contents::of`], every entry sorted even in a folder without a
    /// record.
    pub fn complete(dir: &Path) -> Result<Contents> {
        Contents::sorted(dir, true)
    }

    fn sorted(dir: &Path, complete: bool) -> Result<Contents> {
        let mut c = Contents::default();
        if !dir.exists() {
            return Ok(c);
        }
        match Record::read(dir) {
            Ok(r) => c.record = r,
            Err(_) => c.foreign.push((PathBuf::from(RECORD), Foreign::DamagedRecord)),
        }
        let mut walk = Walk {
            dir,
            recorded: c.record.as_ref().map(|r| r.files.clone()).unwrap_or_default(),
            damaged: !c.foreign.is_empty(),
            // The link layout was a whole output folder's, its part folders
            // included; a folder of links below a plain one is the user's.
            linked: is_linked(dir),
            stop_early: !complete && c.record.is_none() && !is_linked(dir),
        };
        walk.folder(Path::new(""), &mut c)?;
        c.linked = walk.linked;
        Ok(c)
    }
}

/// Whether `dir` is a folder of the earlier link layout: `.current` a link.
fn is_linked(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(LINKED_CURRENT)).is_ok_and(|m| m.file_type().is_symlink())
}

/// The link that named the set in force in the earlier link layout.
const LINKED_CURRENT: &str = ".current";

/// Whether `name`, in a folder of the link layout, is one of that layout's
/// own entries (runs' folders, the link in force, interrupted links).
fn is_linked_own(name: &str, path: &Path) -> bool {
    let stamped = |prefix: &str| name.strip_prefix(prefix).is_some_and(is_stamp);
    name == LINKED_CURRENT
        || stamped(".run-")
        || stamped(".link-")
        || stamped(".current-")
        || (name.starts_with(".tmp-") && path.is_file())
        || std::fs::read_link(path).is_ok_and(|t| t.starts_with(LINKED_CURRENT))
}

/// Whether `s` has the form of the stamps this program (and its earlier
/// link layout) puts into names: nanoseconds since 1970 (at least 16
/// digits), a dash, a process id. A user's `2024-11` is not one.
pub fn is_stamp(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    s.split_once('-')
        .is_some_and(|(a, b)| digits(a) && a.len() >= 16 && digits(b) && b.len() <= 10)
}

/// One walk over a folder, sorting its entries into [`Contents`].
struct Walk<'a> {
    dir: &'a Path,
    recorded: BTreeMap<String, String>,
    damaged: bool,
    linked: bool,
    stop_early: bool,
}

impl Walk<'_> {
    fn folder(&mut self, rel: &Path, c: &mut Contents) -> Result<()> {
        let here = self.dir.join(rel);
        let linked_here = self.linked && is_linked(&here);
        // In the link layout, a run wrote its files before it switched
        // `.current` to them: a file changed later was edited through a link.
        let switched = linked_here
            .then(|| {
                std::fs::symlink_metadata(here.join(LINKED_CURRENT))
                    .and_then(|m| m.modified())
                    .ok()
            })
            .flatten();
        let mut entries: Vec<_> = std::fs::read_dir(&here)
            .with_context(|| format!("cannot read {}", here.display()))?
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("cannot read {}", here.display()))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if self.stop_early && !c.foreign.is_empty() {
                return Ok(());
            }
            let name = entry.file_name();
            let name_str = name.to_string_lossy();
            let path = entry.path();
            let rel_path = rel.join(&name);
            if rel.as_os_str().is_empty() && (name_str == RECORD || name_str == BUILDING) {
                continue;
            }
            if is_litter(&name_str) {
                c.litter.push(rel_path);
                continue;
            }
            if linked_here && is_linked_own(&name_str, &path) {
                // The visible names of the link layout lead into `.current`:
                // what they show is the project's own, unless edited since.
                if !name_str.starts_with('.') {
                    linked_files(&path, &rel_path, switched, c);
                }
                c.linked_own.push(rel_path);
                continue;
            }
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", path.display()))?;
            if kind.is_dir() {
                self.folder(&rel_path, c)?;
            } else if !kind.is_file() {
                c.foreign.push((rel_path, Foreign::NotAFile));
            } else if self.damaged {
                c.foreign.push((rel_path, Foreign::NotWritten));
            } else {
                match self.recorded.get(&slashed(&rel_path)) {
                    // An unreadable file is not one a run can vouch for.
                    Some(hash) => match std::fs::read(&path) {
                        Ok(bytes) if *hash == sha256_hex(&bytes) => c.ours.push(rel_path),
                        _ => c.foreign.push((rel_path, Foreign::Changed)),
                    },
                    None => c.foreign.push((rel_path, Foreign::NotWritten)),
                }
            }
        }
        Ok(())
    }
}

/// The files a visible name of the link layout shows (a file, or a folder
/// of them), as visible paths: the run's own, or changed if modified after
/// the run `switched` to them.
fn linked_files(path: &Path, rel: &Path, switched: Option<std::time::SystemTime>, c: &mut Contents) {
    if path.is_file() {
        // A file moved in keeps its modification time but not its change
        // time: either after the switch means the user's.
        let touched = std::fs::metadata(path).ok().and_then(|m| {
            let modified = m.modified().ok()?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                let changed = std::time::UNIX_EPOCH
                    + std::time::Duration::new(m.ctime().max(0) as u64, m.ctime_nsec().clamp(0, 999_999_999) as u32);
                Some(modified.max(changed))
            }
            #[cfg(not(unix))]
            Some(modified)
        });
        let edited = match (switched, touched) {
            (Some(switched), Some(touched)) => touched > switched,
            _ => false,
        };
        if edited {
            c.foreign.push((rel.to_path_buf(), Foreign::Changed));
        } else {
            c.ours.push(rel.to_path_buf());
        }
    } else if path.is_dir()
        && let Ok(entries) = std::fs::read_dir(path)
    {
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            linked_files(&e.path(), &rel.join(e.file_name()), switched, c);
        }
    }
}

/// The regular files below `dir`, relative and sorted, leaving out litter,
/// the record and anything that is not a regular file or folder.
pub fn regular_files(dir: &Path) -> Result<Vec<PathBuf>> {
    fn go(base: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let here = base.join(rel);
        let mut entries: Vec<_> = std::fs::read_dir(&here)
            .with_context(|| format!("cannot read {}", here.display()))?
            .collect::<std::io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name();
            let name_str = name.to_string_lossy();
            if (rel.as_os_str().is_empty() && (name_str == RECORD || name_str == BUILDING)) || is_litter(&name_str) {
                continue;
            }
            let kind = e.file_type()?;
            if kind.is_dir() {
                go(base, &rel.join(&name), out)?;
            } else if kind.is_file() {
                out.push(rel.join(&name));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    go(dir, Path::new(""), &mut out)?;
    Ok(out)
}

/// Everything below `dir` but folders (files, links, other entries),
/// relative and sorted: what a kept folder holds, for the user.
pub fn all_entries(dir: &Path) -> Vec<PathBuf> {
    fn go(base: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(base.join(rel)) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = rel.join(e.file_name());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                go(base, &p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    go(dir, Path::new(""), &mut out);
    out
}

/// Copies the file, link or folder at `from` to `to`, links as links.
pub fn copy_entry(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(from).with_context(|| format!("cannot read {}", from.display()))?;
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    if meta.is_dir() {
        std::fs::create_dir(to).with_context(|| format!("cannot create {}", to.display()))?;
        for e in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
            let e = e?;
            copy_entry(&e.path(), &to.join(e.file_name()))?;
        }
    } else if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from)?;
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, to).with_context(|| format!("cannot create {}", to.display()))?;
        #[cfg(not(unix))]
        let _ = target;
    } else if meta.is_file() {
        std::fs::copy(from, to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    // Anything else (a pipe, a device) is not copied: reading it could block.
    Ok(())
}

/// Whether the entries at `a` and `b` hold the same: the same bytes, the
/// same link targets, the same folders of such.
pub fn same_entry(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) else {
        return false;
    };
    if ma.file_type().is_symlink() || mb.file_type().is_symlink() {
        return ma.file_type().is_symlink()
            && mb.file_type().is_symlink()
            && std::fs::read_link(a).ok() == std::fs::read_link(b).ok();
    }
    if ma.is_dir() && mb.is_dir() {
        let names = |d: &Path| -> Option<Vec<std::ffi::OsString>> {
            let mut v: Vec<_> = std::fs::read_dir(d).ok()?.flatten().map(|e| e.file_name()).collect();
            v.sort();
            Some(v)
        };
        let (Some(na), Some(nb)) = (names(a), names(b)) else {
            return false;
        };
        return na == nb && na.iter().all(|n| same_entry(&a.join(n), &b.join(n)));
    }
    ma.is_file() && mb.is_file() && std::fs::read(a).ok() == std::fs::read(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litter_is_what_tools_leave() {
        for n in [
            ".DS_Store",
            "Thumbs.db",
            "desktop.ini",
            ".ipynb_checkpoints",
            ".submission.md.swp",
            "submission.md~",
            "#submission.md#",
            ".#submission.md",
            "._index.html",
            ".~lock.notes.odt#",
            ".ex2a.lock",
        ] {
            assert!(is_litter(n), "{n}");
        }
        for n in [
            "submission.md",
            "notes.txt",
            "metrics.json",
            ".hidden",
            "#",
            "swp",
            "my.lock",
        ] {
            assert!(!is_litter(n), "{n}");
        }
    }

    #[test]
    fn a_folder_is_sorted_against_its_record() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("weights")).unwrap();
        std::fs::write(d.join("metrics.json"), "m").unwrap();
        std::fs::write(d.join("weights/a.npz"), "a").unwrap();
        std::fs::write(d.join("b.svg"), "b").unwrap();
        let record = Record::of_folder(d, "ex2a").unwrap();
        assert_eq!(record.files.len(), 3);
        assert_eq!(record.files["weights/a.npz"], sha256_hex(b"a"));
        std::fs::write(d.join(RECORD), record.to_bytes()).unwrap();
        std::fs::write(d.join("b.svg"), "edited").unwrap();
        std::fs::write(d.join("notes.txt"), "mine").unwrap();
        std::fs::write(d.join(".DS_Store"), "finder").unwrap();
        let c = Contents::of(d).unwrap();
        assert_eq!(c.record.as_ref(), Some(&record));
        assert_eq!(c.ours, [Path::new("metrics.json"), Path::new("weights/a.npz")]);
        assert_eq!(
            c.foreign,
            [
                (PathBuf::from("b.svg"), Foreign::Changed),
                (PathBuf::from("notes.txt"), Foreign::NotWritten)
            ]
        );
        assert_eq!(c.litter, [Path::new(".DS_Store")]);
        std::fs::write(d.join(RECORD), "{ damaged").unwrap();
        let c = Contents::of(d).unwrap();
        assert_eq!(c.foreign[0], (PathBuf::from(RECORD), Foreign::DamagedRecord));
        assert!(c.ours.is_empty());
    }

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
