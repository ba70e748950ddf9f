//! Building the parts and running them into the report's new folder, and
//! what the provenance block says about that run.

use anyhow::{Context, Result, bail};
use exercise_harness::output::record::{self, Contents};
use report::{DATA_FILES, PARTS, Provenance, Timing, report_flags};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The cargo profile this program was built in, which the parts are built
/// in too: one build serves `cargo xtask report`, `cargo test` and
/// `cargo run -p <part>`.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) { "dev" } else { "release" }
}

/// Builds every part in [`profile`].
pub fn build_parts(root: &Path) -> Result<()> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args(["build", "--profile", profile()]);
    for (name, _) in PARTS {
        cmd.args(["-p", name]);
    }
    let status = cmd.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --profile {} of the exercises failed ({status})", profile());
    }
    Ok(())
}

/// Runs every part into `<staging>/<part>`, in order, timing each. The
/// report's folder records every file of its own, so the parts' records
/// and locks are removed.
pub fn run_parts(root: &Path, staging: &Path, data: &[DataFile]) -> Result<Vec<Timing>> {
    let bin_dir = target_dir(root).join(if profile() == "dev" { "debug" } else { "release" });
    let mut timings = Vec::new();
    for (i, (name, title)) in PARTS.iter().enumerate() {
        let out = staging.join(name);
        // Said as each part starts, on stdout like the summaries (stderr
        // keeps to one line for an error); the part's own progress bar (on a
        // terminal, for the long runs) is on its stderr.
        tell!("[{}/{}] {name}: {title} ...", i + 1, PARTS.len());
        let start = Instant::now();
        let output = Command::new(bin_dir.join(name))
            .current_dir(root)
            .arg("--out")
            .arg(&out)
            .args(report_flags(name))
            .args(data_flags(name, data))
            .stderr(std::process::Stdio::inherit())
            .output()
            .with_context(|| format!("running {name}"))?;
        let seconds = start.elapsed().as_secs_f64();
        if !output.status.success() {
            bail!("{name} failed ({}); its own message is above", output.status);
        }
        for own in [out.join(record::RECORD), staging.join(format!(".{name}.lock"))] {
            std::fs::remove_file(&own).with_context(|| format!("cannot remove {}", own.display()))?;
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        // The part wrote into the staging folder, which becomes the report:
        // say where its files end up.
        exercise_harness::cli::say_or_remember(
            stdout
                .replace(&*staging.to_string_lossy(), &report_dir(staging).to_string_lossy())
                .trim_end(),
        );
        tell!("  ({name}: {seconds:.2} s)");
        timings.push(Timing {
            part: title.to_string(),
            seconds: format!("{seconds:.2}"),
        });
    }
    Ok(timings)
}

/// One of the sheet's data files as the report uses it: its name, and
/// where it is read from.
pub struct DataFile {
    pub name: &'static str,
    pub path: PathBuf,
    /// Found in `--data DIR` (else the project's `data/`).
    pub given: bool,
}

/// The data files the parts run on: each of the sheet's files from `dir`
/// where it holds one, the rest from the project's `data/`. A `dir` that
/// holds none of them is refused: the student meant to give some.
pub fn choose_data(root: &Path, dir: Option<&Path>) -> Result<Vec<DataFile>> {
    if let Some(dir) = dir
        && !dir.is_dir()
    {
        bail!(
            "--data {}: not a folder (expected the folder holding the course's data files)",
            dir.display()
        );
    }
    let files: Vec<DataFile> = DATA_FILES
        .iter()
        .map(|(name, _)| {
            let given = dir.map(|d| d.join(name)).filter(|p| p.is_file());
            DataFile {
                name,
                given: given.is_some(),
                path: given.unwrap_or_else(|| root.join("data").join(name)),
            }
        })
        .collect();
    if let Some(dir) = dir
        && !files.iter().any(|f| f.given)
    {
        let names: Vec<&str> = DATA_FILES.iter().map(|(n, _)| *n).collect();
        bail!("--data {}: holds none of {}", dir.display(), names.join(", "));
    }
    Ok(files)
}

/// The flags that point `part` at the given data files (none for the
/// project's own, which are the parts' defaults).
fn data_flags(part: &str, data: &[DataFile]) -> Vec<std::ffi::OsString> {
    let mut flags = Vec::new();
    for file in data.iter().filter(|f| f.given) {
        let readers = DATA_FILES
            .iter()
            .find(|(n, _)| *n == file.name)
            .map_or(&[][..], |(_, r)| *r);
        for (_, flag) in readers.iter().filter(|(p, _)| *p == part) {
            flags.push(flag.into());
            flags.push(file.path.clone().into_os_string());
        }
    }
    flags
}

/// Copies the data files used into the report's new folder, where the
/// notebook finds them and the report names each by its SHA-256.
pub fn copy_data(data: &[DataFile], staging: &Path) -> Result<()> {
    for file in data {
        std::fs::copy(&file.path, staging.join(file.name))
            .with_context(|| format!("cannot copy {} into the report", file.path.display()))?;
    }
    Ok(())
}

/// The report folder a staging folder (`<report>.new-<stamp>`) is built for.
fn report_dir(staging: &Path) -> PathBuf {
    let name = staging
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = name.rsplit_once(".new-").map_or(name.as_str(), |(r, _)| r);
    staging.with_file_name(report)
}

/// Whether `rel`, a path inside a report folder, is part of the run the
/// report renders: in one of the parts' folders, or a data file they read.
pub fn is_part_file(rel: &Path) -> bool {
    rel.components()
        .next()
        .is_some_and(|c| PARTS.iter().any(|(name, _)| c.as_os_str() == *name))
        || DATA_FILES.iter().any(|(name, _)| rel == Path::new(name))
}

/// For `--render-only`: the parts' files of the previous report, copied
/// into the staging folder to render from.
pub fn copy_parts(report: &Path, previous: &Contents, staging: &Path) -> Result<()> {
    let part_files: Vec<&PathBuf> = previous.ours.iter().filter(|p| is_part_file(p)).collect();
    // A part's file that the last run wrote and that is no longer as it was
    // (edited and kept aside with --replace, or deleted): the parts' output
    // is not the last run's any more.
    if let Some(record) = &previous.record
        && let Some(gone) = record
            .files
            .keys()
            .find(|f| is_part_file(Path::new(f.as_str())) && !previous.ours.iter().any(|p| record::slashed(p) == **f))
    {
        bail!(
            "--render-only: {} was changed or removed since the report's run wrote it; run `cargo xtask report` \
             to run the parts again",
            report.join(gone).display()
        );
    }
    if !PARTS
        .iter()
        .all(|(name, _)| part_files.iter().any(|p| p.starts_with(name)))
    {
        bail!(
            "--render-only: {} holds no complete report to render from (a part's output is missing); \
             run `cargo xtask report` first",
            report.display()
        );
    }
    for rel in part_files {
        let to = staging.join(rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).with_context(|| format!("cannot create {}", p.display()))?;
        }
        std::fs::copy(report.join(rel), &to).with_context(|| format!("cannot copy {}", report.join(rel).display()))?;
    }
    Ok(())
}

/// The git commit (with `-dirty` when the work tree has changes) and the
/// compiler's version.
pub fn provenance(root: &Path, timings: Vec<Timing>) -> Provenance {
    let run = |cmd: &str, args: &[&str]| -> Option<String> {
        let o = Command::new(cmd).current_dir(root).args(args).output().ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = match run("git", &["rev-parse", "HEAD"]) {
        Some(c) => {
            let dirty = run("git", &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{c}-dirty") } else { c }
        }
        None => "unknown (not a git checkout)".to_owned(),
    };
    let rustc = run("rustc", &["--version"]).unwrap_or_else(|| "unknown".to_owned());
    Provenance {
        profile: profile().to_owned(),
        commit,
        rustc,
        timings,
    }
}
