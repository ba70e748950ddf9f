//! An output folder replaced as a whole, keeping whatever a user put there.
//!
//! A run claims its folder before any work ([`OutputFolder::claim`]): the
//! folder is checked against the record its last run left (see
//! [`super::record`]) and a lock beside it is taken. The new output is
//! built in a sibling, `<out>.new-<stamp>`, and exchanged with the folder in
//! one step (`renameat2(RENAME_EXCHANGE)` on Linux, `renameatx_np` with
//! `RENAME_SWAP` on macOS), or by two renames where the file system refuses
//! the exchange, in which case a run killed between the two leaves the old
//! folder at `<out>.old-<stamp>` and the next run puts it back. The old
//! folder is then removed if it holds exactly what its record names, and
//! kept as `<out>.kept-<time>` otherwise. Killed at any moment, `<out>` holds
//! the previous complete output or the new one; what a killed run leaves
//! beside it, the next run tidies.

use super::OutputSet;
use super::record::{BUILDING, Contents, Foreign, RECORD, Record, all_entries, copy_entry, is_stamp, same_entry};
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How the new folder takes the old one's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swap {
    /// One atomic exchange where the file system offers it, else two renames.
    Exchange,
    /// Always two renames, as on file systems that refuse the exchange
    /// (NFS, CIFS, many FUSE ones); for tests of that path.
    TwoRenames,
}

/// An output folder claimed by one run: checked, locked, and replaced as a
/// whole by [`OutputFolder::commit`].
#[derive(Debug)]
pub struct OutputFolder {
    dir: PathBuf,
    shown: String,
    owner: String,
    replace: bool,
    swap: Swap,
    _lock: File,
    staging: Option<PathBuf>,
    notices: Vec<String>,
    previous: Contents,
}

/// What a commit did besides putting the new files in place, for the user.
#[derive(Debug, Default)]
pub struct Committed {
    /// Where the files that the run did not write (or that were changed)
    /// were kept, and which files they are.
    pub kept: Option<(PathBuf, Vec<PathBuf>)>,
    /// What the previous folder held that the new one does not.
    pub dropped: Vec<PathBuf>,
    /// Lines to tell the user: repairs of what killed runs left, folders kept.
    pub notices: Vec<String>,
}

/// The owner name of the report's folder, as its record says.
pub const REPORT: &str = "report";

impl OutputFolder {
    /// Claims `dir` (`--out`, shown as given in messages) for a run of
    /// `owner` (a part's name, or [`REPORT`]): refuses with one line a
    /// folder that is not ours to replace, takes the lock beside it, tidies
    /// what killed runs left. `replace` lets the run go ahead where the
    /// folder holds files it did not write or that were changed; they are
    /// kept beside it.
    pub fn claim(dir: &Path, owner: &str, replace: bool) -> Result<OutputFolder> {
        OutputFolder::claim_with(dir, owner, replace, Swap::Exchange)
    }

    /// [`OutputFolder::claim`] with the way of swapping chosen.
    pub fn claim_with(dir: &Path, owner: &str, replace: bool, swap: Swap) -> Result<OutputFolder> {
        let shown = format!("--out {}", dir.display());
        let dir = resolve(dir, &shown)?;
        let (parent, name) = split(&dir, &shown)?;
        check_place(&dir, &parent, owner, &shown)?;
        // Refused before anything is made, the lock included; checked again
        // under the lock, after what killed runs left is tidied.
        if std::fs::symlink_metadata(&dir).is_ok() {
            check_contents(&dir, &shown, owner, replace)?;
        }
        let lock = take_lock(&parent, &name, &shown)?;
        let mut folder = OutputFolder {
            dir,
            shown,
            owner: owner.to_owned(),
            replace,
            swap,
            _lock: lock,
            staging: None,
            notices: Vec::new(),
            previous: Contents::default(),
        };
        folder.tidy()?;
        folder.previous = folder.check()?;
        Ok(folder)
    }

    /// The folder, as an absolute path.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the folder held when it was claimed.
    pub fn previous(&self) -> &Contents {
        &self.previous
    }

    /// The folder the new output is built in (made on the first call): a
    /// sibling of the output folder, exchanged with it by
    /// [`OutputFolder::commit`]. What is in it then becomes the output.
    pub fn staging(&mut self) -> Result<PathBuf> {
        if let Some(s) = &self.staging {
            return Ok(s.clone());
        }
        let (parent, name) = split(&self.dir, &self.shown)?;
        let staging = parent.join(sibling(&name, "new", &machine_stamp()));
        std::fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        self.staging = Some(staging.clone());
        write_synced(&staging.join(BUILDING), b"")?;
        Ok(staging)
    }

    /// Puts `set` into the staging folder, records every file there, and
    /// replaces the output folder with it (see the module's documentation).
    pub fn commit(self, set: OutputSet) -> Result<Committed> {
        self.commit_stepped(set, &mut |_| Ok(()))
    }

    /// The commit; `step` runs after every change on disk, so that a test
    /// can stop it between any two of them as a crash would (by returning
    /// [`Crash`], which leaves everything on disk as it is).
    pub(crate) fn commit_stepped(
        mut self,
        set: OutputSet,
        step: &mut dyn FnMut(&'static str) -> Result<()>,
    ) -> Result<Committed> {
        let result = self.commit_inner(set, step);
        if result.as_ref().is_err_and(|e| e.is::<Crash>()) {
            self.staging = None;
        }
        result
    }

    fn commit_inner(&mut self, set: OutputSet, step: &mut dyn FnMut(&'static str) -> Result<()>) -> Result<Committed> {
        let staging = self.staging()?;
        step("staging made")?;
        for (name, bytes) in set.files() {
            let path = staging.join(name);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).with_context(|| format!("cannot create {}", p.display()))?;
            }
            write_synced(&path, bytes)?;
            step("file written")?;
        }
        // Checked again right before the exchange: an editor or Jupyter
        // may have saved into the folder while the run worked.
        let contents = self.contents_checked()?;
        for litter in &contents.litter {
            let to = staging.join(litter);
            // Best effort: litter that cannot be copied stays in the old
            // folder, which is then kept rather than removed.
            if std::fs::symlink_metadata(&to).is_err() {
                let _ = copy_entry(&self.dir.join(litter), &to);
            }
        }
        let mut record = Record::of_folder(&staging, &self.owner)?;
        record.remembered = set.remembered().clone();
        write_synced(&staging.join(RECORD), &record.to_bytes())?;
        // Last: a folder the user made read-only is read-only again.
        carry_permissions(&self.dir, &staging, &contents.ours);
        sync_dir(&staging);
        step("record written")?;
        let old = self.swap_in(&staging, step)?;
        // The output is in place; what follows tidies and reports.
        let _ = std::fs::remove_file(self.dir.join(BUILDING));
        step("marker removed")?;
        let mut committed = Committed {
            notices: std::mem::take(&mut self.notices),
            ..Committed::default()
        };
        if let Some(old) = old {
            committed.dropped = contents
                .ours
                .iter()
                .filter(|p| !record.files.contains_key(&super::record::slashed(p)))
                .cloned()
                .collect();
            committed.kept = self.dispose(&old, step)?;
        }
        Ok(committed)
    }

    /// The new folder in the old one's place: returns where the old one now
    /// is, if there was one. From the moment the new folder is in place, the
    /// staging folder is no longer this run's to remove.
    fn swap_in(&mut self, staging: &Path, step: &mut dyn FnMut(&'static str) -> Result<()>) -> Result<Option<PathBuf>> {
        let (parent, name) = split(&self.dir, &self.shown)?;
        if std::fs::symlink_metadata(&self.dir).is_err() {
            std::fs::rename(staging, &self.dir).map_err(|e| self.cannot_replace(e, staging))?;
            self.staging = None;
            sync_dir(&parent);
            step("renamed into place")?;
            return Ok(None);
        }
        if self.swap == Swap::Exchange && exchange(staging, &self.dir).map_err(|e| self.cannot_replace(e, staging))? {
            self.staging = None;
            sync_dir(&parent);
            step("exchanged")?;
            return Ok(Some(staging.to_path_buf()));
        }
        let old = parent.join(sibling(&name, "old", &machine_stamp()));
        std::fs::rename(&self.dir, &old).map_err(|e| self.cannot_replace(e, staging))?;
        step("old moved aside")?;
        if let Err(e) = std::fs::rename(staging, &self.dir) {
            // Put the old folder back; if even that fails, the next run does,
            // and the complete new output is kept rather than dropped.
            if std::fs::rename(&old, &self.dir).is_err() {
                let kept = unique(&parent, &sibling(&name, "kept", &human_stamp()));
                if std::fs::rename(staging, &kept).is_ok() {
                    let _ = std::fs::remove_file(kept.join(BUILDING));
                    self.staging = None;
                    return Err(anyhow::Error::new(e).context(format!(
                        "cannot replace {}; the new output is complete in {}, the old one in {}",
                        self.dir.display(),
                        kept.display(),
                        old.display()
                    )));
                }
            }
            return Err(self.cannot_replace(e, staging));
        }
        self.staging = None;
        sync_dir(&parent);
        step("renamed into place")?;
        Ok(Some(old))
    }

    /// The error of a swap the file system refused. Where it refuses to
    /// rename the folder at all (EXDEV: overlayfs, for folders that came
    /// with a container image), the new output is complete: it is kept
    /// beside the folder and the user told where.
    fn cannot_replace(&mut self, e: std::io::Error, staging: &Path) -> anyhow::Error {
        const EXDEV: i32 = 18;
        let dir = self.dir.display();
        if e.raw_os_error() != Some(EXDEV) {
            return anyhow::Error::new(e).context(format!("cannot replace {dir}"));
        }
        let Ok((parent, name)) = split(&self.dir, &self.shown) else {
            return anyhow::Error::new(e).context(format!("cannot replace {dir}"));
        };
        let kept = unique(&parent, &sibling(&name, "kept", &human_stamp()));
        if std::fs::rename(staging, &kept).is_ok() {
            let _ = std::fs::remove_file(kept.join(BUILDING));
            self.staging = None;
            anyhow::anyhow!(
                "cannot replace {dir}: this file system refuses to rename the folder (as overlayfs does for \
                 folders that came with a container image); the new output is complete in {}: give --out a new \
                 folder, or replace the old one by hand",
                kept.display()
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot replace {dir}"))
        }
    }

    /// Refuses a folder whose files are not all this owner's, unchanged
    /// (unless `replace`); returns what it holds.
    fn check(&self) -> Result<Contents> {
        check_contents(&self.dir, &self.shown, &self.owner, self.replace)
    }

    /// [`OutputFolder::check`] again, right before the exchange.
    fn contents_checked(&self) -> Result<Contents> {
        self.check()
            .context("the folder changed while this run worked; nothing was replaced")
    }

    /// Under the lock: puts back a folder that a run killed between two
    /// renames left aside, and removes what killed runs left beside it.
    /// Only folders with this program's stamp and its marks (the marker of a
    /// folder being built, a record, the link layout) are touched; what
    /// cannot be tidied is said, never a reason to fail the run.
    fn tidy(&mut self) -> Result<()> {
        let (parent, name) = split(&self.dir, &self.shown)?;
        let _ = std::fs::remove_file(self.dir.join(BUILDING));
        let mut leftovers: Vec<(PathBuf, bool)> = Vec::new();
        let Ok(entries) = std::fs::read_dir(&parent) else {
            return Ok(());
        };
        for e in entries.flatten() {
            let n = e.file_name();
            let n = n.to_string_lossy();
            let path = e.path();
            for (kind, building) in [("new", true), ("old", false)] {
                let prefix = format!("{}.{kind}-", name.to_string_lossy());
                let ours =
                    path.join(BUILDING).is_file() || path.join(RECORD).is_file() || path.join(".current").is_symlink();
                if n.strip_prefix(&prefix).is_some_and(is_stamp) && path.is_dir() && !path.is_symlink() && ours {
                    leftovers.push((path.clone(), building && path.join(BUILDING).is_file()));
                }
            }
        }
        leftovers.sort();
        if std::fs::symlink_metadata(&self.dir).is_err()
            && let Some(i) = leftovers.iter().rposition(|(p, building)| {
                !building && p.file_name().is_some_and(|n| n.to_string_lossy().contains(".old-"))
            })
        {
            let (old, _) = leftovers.remove(i);
            std::fs::rename(&old, &self.dir).with_context(|| format!("cannot put {} back", old.display()))?;
            self.notices.push(format!(
                "put {} back: a run stopped between its two renames had moved it to {}",
                self.dir.display(),
                old.display()
            ));
        }
        for (path, building) in leftovers {
            if building {
                if let Err(e) = std::fs::remove_dir_all(&path) {
                    self.notices.push(format!(
                        "could not remove {}, left by a stopped run: {e}",
                        path.display()
                    ));
                }
            } else if let Some((kept, files)) = self.dispose(&path, &mut |_| Ok(()))? {
                self.notices.push(kept_line(&kept, &files, "left by a stopped run"));
            }
        }
        Ok(())
    }

    /// Removes the old folder `old` if it holds only what its record names
    /// (and litter the new folder carries the same); otherwise removes those
    /// and keeps the rest as `<out>.kept-<time>`, returned with what it
    /// holds. Nothing here fails the run: what cannot be removed is kept.
    fn dispose(
        &self,
        old: &Path,
        step: &mut dyn FnMut(&'static str) -> Result<()>,
    ) -> Result<Option<(PathBuf, Vec<PathBuf>)>> {
        match self.remove_ours(old, step) {
            Err(e) if e.is::<Crash>() => return Err(e),
            Ok(true) => {
                step("old folder removed")?;
                return Ok(None);
            }
            _ => {}
        }
        let (parent, name) = split(&self.dir, &self.shown)?;
        let kept = unique(&parent, &sibling(&name, "kept", &human_stamp()));
        if std::fs::rename(old, &kept).is_err() {
            return Ok(Some((old.to_path_buf(), all_entries(old))));
        }
        for own in [RECORD, BUILDING] {
            let _ = std::fs::remove_file(kept.join(own));
        }
        step("old folder kept")?;
        Ok(Some((kept.clone(), all_entries(&kept))))
    }

    /// Removes from `old` what a run wrote and nothing else; `Ok(true)` if
    /// that emptied it and it is gone.
    fn remove_ours(&self, old: &Path, step: &mut dyn FnMut(&'static str) -> Result<()>) -> Result<bool> {
        let contents = Contents::complete(old)?;
        if contents.linked && contents.foreign.iter().any(|(_, why)| *why == Foreign::Changed) {
            // Edited through the link layout's links: the edits live inside
            // its run folders, so the folder is kept whole (its links are
            // relative and keep working).
            return Ok(false);
        }
        let remove = |p: &Path| -> Result<()> {
            let Ok(meta) = std::fs::symlink_metadata(p) else {
                return Ok(());
            };
            if meta.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            }
            .with_context(|| format!("cannot remove {}", p.display()))
        };
        for p in contents.linked_own.iter().chain(&contents.ours) {
            remove(&old.join(p))?;
            step("old file removed")?;
        }
        for p in &contents.litter {
            if same_entry(&old.join(p), &self.dir.join(p)) {
                remove(&old.join(p))?;
            }
        }
        // The folders the run made, emptied; a user's own empty folder stays.
        let mut made: Vec<PathBuf> = contents
            .record
            .iter()
            .flat_map(|r| r.files.keys())
            .flat_map(|f| {
                Path::new(f)
                    .ancestors()
                    .skip(1)
                    .map(Path::to_path_buf)
                    .collect::<Vec<_>>()
            })
            .chain(
                contents
                    .ours
                    .iter()
                    .flat_map(|f| f.ancestors().skip(1).map(Path::to_path_buf).collect::<Vec<_>>()),
            )
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        made.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        made.dedup();
        for dir in made {
            let _ = std::fs::remove_dir(old.join(dir));
        }
        // The record goes last, and only with the folder: a folder left with
        // the user's files keeps its record until it is kept, so a crash
        // here leaves it for the next run to find.
        let only_ours_left = std::fs::read_dir(old)
            .map(|entries| {
                entries
                    .flatten()
                    .all(|e| e.file_name() == RECORD || e.file_name() == BUILDING)
            })
            .unwrap_or(false);
        if !only_ours_left {
            return Ok(false);
        }
        for own in [RECORD, BUILDING] {
            remove(&old.join(own))?;
        }
        Ok(std::fs::remove_dir(old).is_ok())
    }
}

/// What a test's step hook returns to stop a commit as a crash would.
#[derive(Debug)]
pub(crate) struct Crash;

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("simulated crash")
    }
}

impl std::error::Error for Crash {}

impl Drop for OutputFolder {
    /// A run that ends without committing removes its staging folder; a
    /// killed one leaves it for the next run to remove.
    fn drop(&mut self) {
        if let Some(s) = self.staging.take() {
            let _ = std::fs::remove_dir_all(s);
        }
    }
}

/// Refuses `dir` (shown as `shown`) unless all its files are `owner`'s,
/// unchanged, or `replace` lets the run keep the others; returns what it
/// holds.
fn check_contents(dir: &Path, shown: &str, owner: &str, replace: bool) -> Result<Contents> {
    let contents = Contents::of(dir).with_context(|| shown.to_owned())?;
    if contents
        .foreign
        .first()
        .is_some_and(|(_, why)| *why == Foreign::DamagedRecord)
    {
        bail!(
            "{shown}: its record {RECORD} is damaged, so its files cannot be told from yours; move your files \
             out and delete the folder (or just the record, if the rest is this program's output)"
        );
    }
    let written_by = contents.record.as_ref().map(|r| r.written_by.clone()).or_else(|| {
        contents.linked.then(|| {
            if contents.ours.iter().any(|p| p == Path::new("index.html")) {
                REPORT
            } else {
                ""
            }
            .to_owned()
        })
    });
    match written_by {
        Some(w) if w == owner || (w.is_empty() && owner != REPORT) => {}
        Some(w) if w == REPORT => bail!(
            "{shown}: holds the report of `cargo xtask report`; give {owner} a folder of its own (its default is \
             out/{owner})"
        ),
        Some(w) if w.is_empty() => {
            bail!("{shown}: holds the output of an exercise part, not a report; give the report a folder of its own")
        }
        Some(w) => bail!(
            "{shown}: holds the output of {w}; give {} a folder of its own",
            owner_words(owner)
        ),
        None if !contents.is_empty() => bail!(
            "{shown}: holds {} and no record of this program's ({RECORD}; `cp dir/*` leaves it behind), so \
             nothing in it is {}'s to replace; expected a new or empty folder, or one this program wrote",
            contents.foreign[0].0.display(),
            owner_words(owner)
        ),
        None => {}
    }
    if !replace && let Some((first, why)) = contents.foreign.first() {
        bail!(
            "{shown}: {} {}{}; move it out of the folder, or rerun with --replace to keep it in {}.kept-<time>/ \
             beside the folder",
            dir.join(first).display(),
            why.says(),
            others(contents.foreign.len()),
            dir.display()
        );
    }
    Ok(contents)
}

/// The output folder (of a part or the report) that `dir` is or lies in,
/// with what wrote it, if any.
pub fn output_folder_holding(dir: &Path) -> Option<(PathBuf, String)> {
    let abs = std::path::absolute(dir).ok()?;
    recorded_ancestors(&abs)
        .next()
        .map(|(folder, r)| (folder, r.written_by))
}

/// `dir` and the folders above it that hold a record, nearest first, with
/// their records.
fn recorded_ancestors(dir: &Path) -> impl Iterator<Item = (PathBuf, Record)> + '_ {
    dir.ancestors()
        .filter_map(|a| Record::read(a).ok().flatten().map(|r| (a.to_path_buf(), r)))
}

/// Renames the file at `path` to `<path>.kept-<time>` beside it (a free
/// name), and returns that name.
pub fn kept_beside(path: &Path) -> Result<PathBuf> {
    let (parent, name) = split(path, &path.display().to_string())?;
    let kept = unique(&parent, &sibling(&name, "kept", &human_stamp()));
    std::fs::rename(path, &kept).with_context(|| format!("cannot rename {} to {}", path.display(), kept.display()))?;
    Ok(kept)
}

/// The line that tells the user where their files were kept.
pub fn kept_line(kept: &Path, files: &[PathBuf], why: &str) -> String {
    let first = files
        .first()
        .map_or_else(String::new, |f| format!(": {}{}", f.display(), more(files.len())));
    format!("kept {} file(s) {why} in {}{first}", files.len().max(1), kept.display())
}

fn more(n: usize) -> String {
    if n > 1 {
        format!(" and {} more", n - 1)
    } else {
        String::new()
    }
}

fn others(n: usize) -> String {
    if n > 1 {
        format!(" (and {} more file(s))", n - 1)
    } else {
        String::new()
    }
}

fn owner_words(owner: &str) -> String {
    if owner == REPORT {
        "the report".to_owned()
    } else {
        owner.to_owned()
    }
}

/// `dir` made absolute as the shell reads it: its longest existing part
/// resolved by the file system (links, then `..`, in order), the rest,
/// which cannot hold links, folded by hand.
fn resolve(dir: &Path, shown: &str) -> Result<PathBuf> {
    let abs = std::path::absolute(dir).with_context(|| format!("{shown}: not a usable path"))?;
    let mut existing = abs.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    while std::fs::metadata(&existing).is_err() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(p)) => {
                rest.push(n.to_owned());
                existing = p.to_path_buf();
            }
            _ => break,
        }
    }
    // The last component itself stays as named (a link there is refused
    // later, never followed).
    let mut clean = if rest.is_empty() && std::fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_symlink()) {
        let (parent, name) = split(&abs, shown)?;
        parent.canonicalize().unwrap_or(parent).join(name)
    } else {
        existing.canonicalize().unwrap_or(existing)
    };
    for part in rest.iter().rev() {
        match part.to_str() {
            Some("..") => {
                clean.pop();
            }
            Some(".") => {}
            _ => clean.push(part),
        }
    }
    split(&clean, shown)?;
    let cwd = std::env::current_dir().ok().and_then(|d| d.canonicalize().ok());
    if cwd.as_ref().is_some_and(|cwd| cwd.starts_with(&clean)) {
        bail!(
            "{shown}: the current folder (or one that holds it), which a run would replace as a whole; \
             name a folder of its own, such as out/<part>"
        );
    }
    Ok(clean)
}

/// A path's parent folder and last name.
fn split(dir: &Path, shown: &str) -> Result<(PathBuf, OsString)> {
    match (dir.parent(), dir.file_name()) {
        (Some(p), Some(n)) => Ok((p.to_path_buf(), n.to_owned())),
        _ => bail!("{shown}: names no folder that a run could replace; name a folder of its own"),
    }
}

/// What is refused before anything is written: not a folder, a link, a
/// mount point, an unwritable parent, a folder inside the report's.
fn check_place(dir: &Path, parent: &Path, owner: &str, shown: &str) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => bail!(
            "{shown}: is a symbolic link; name the folder it leads to ({})",
            std::fs::read_link(dir)
                .map(|t| t.display().to_string())
                .unwrap_or_default()
        ),
        Ok(m) if !m.is_dir() => bail!("{shown}: exists and is not a folder; expected a folder to write results into"),
        Ok(_) if is_mount_point(dir, parent) => {
            bail!("{shown}: is a mount point, which a run cannot replace as a whole; name a folder inside it")
        }
        _ => {}
    }
    if owner != REPORT
        && let Some((report, _)) = recorded_ancestors(parent).find(|(_, r)| r.written_by == REPORT)
    {
        bail!(
            "{shown}: is inside the report folder {}, which `cargo xtask report` writes as a whole; give \
             {owner} a folder of its own (its default is out/{owner})",
            report.display()
        );
    }
    std::fs::create_dir_all(parent)
        .with_context(|| format!("{shown}: cannot create its parent {}", parent.display()))?;
    let probe = tempfile::Builder::new().prefix(".probe-").tempfile_in(parent);
    if let Err(e) = probe {
        bail!(
            "{shown}: cannot write into its parent folder {} ({e}); a run builds its output beside the folder",
            parent.display()
        );
    }
    Ok(())
}

#[cfg(unix)]
fn is_mount_point(dir: &Path, parent: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
        if let Ok(s) = statx(CWD, dir, AtFlags::SYMLINK_NOFOLLOW, StatxFlags::BASIC_STATS)
            && s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT)
        {
            return s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
        }
    }
    match (std::fs::metadata(dir), std::fs::metadata(parent)) {
        (Ok(d), Ok(p)) => d.dev() != p.dev() || d.ino() == p.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_mount_point(_dir: &Path, _parent: &Path) -> bool {
    false
}

/// The lock beside the folder, at a path that stays while the folder itself
/// is exchanged: `.<name>.lock`, holding the process id of the run that has
/// it. Runs into one folder take turns.
fn take_lock(parent: &Path, name: &std::ffi::OsStr, shown: &str) -> Result<File> {
    let path = parent.join(format!(".{}.lock", name.to_string_lossy()));
    // Never through a link, never anything but a plain file: a lock planted
    // as a link to someone's file must not empty that file.
    if let Ok(m) = std::fs::symlink_metadata(&path)
        && !m.file_type().is_file()
    {
        bail!(
            "{shown}: the lock {} is not a plain file (a link?); remove it and run again",
            path.display()
        );
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let mut file = options
        .open(&path)
        .with_context(|| format!("{shown}: cannot create the lock {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            let who = if holder.is_empty() {
                String::new()
            } else {
                format!(" (process {holder})")
            };
            eprintln!(
                "waiting for another run into {}{who} to finish",
                parent.join(name).display()
            );
            file.lock()
                .with_context(|| format!("{shown}: cannot lock {}", path.display()))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("{shown}: cannot lock {}", path.display()));
        }
    }
    // Who holds it, for a run that waits; the lock works without it.
    let _ = file.set_len(0).and_then(|_| write!(file, "{}", std::process::id()));
    Ok(file)
}

/// Exchanges two folders atomically; `Ok(false)` where the file system or
/// the system offers no such exchange.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP, Errno::OPNOTSUPP].contains(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

fn sibling(name: &std::ffi::OsStr, kind: &str, stamp: &str) -> String {
    format!("{}.{kind}-{stamp}", name.to_string_lossy())
}

/// `path`, or `path-2`, `path-3`, ... whichever is free.
fn unique(parent: &Path, name: &str) -> PathBuf {
    let mut candidate = parent.join(name);
    let mut i = 2;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        candidate = parent.join(format!("{name}-{i}"));
        i += 1;
    }
    candidate
}

/// A stamp no other run will pick: nanoseconds and the process.
fn machine_stamp() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos}-{}", std::process::id())
}

/// The time (UTC) as a person reads it in a folder name: `20261201-153012`.
fn human_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Gives the new folder `to` the permissions of the old one `from`, and
/// each file the run writes again those of its old copy: a folder or file
/// the user made private stays private. Best effort.
fn carry_permissions(from: &Path, to: &Path, ours: &[PathBuf]) {
    if let Ok(m) = std::fs::metadata(from) {
        let _ = std::fs::set_permissions(to, m.permissions());
    }
    for rel in ours {
        if let (Ok(m), true) = (std::fs::symlink_metadata(from.join(rel)), to.join(rel).is_file())
            && m.is_file()
        {
            let _ = std::fs::set_permissions(to.join(rel), m.permissions());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Makes renames in `dir` durable; a failure here loses nothing.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;
