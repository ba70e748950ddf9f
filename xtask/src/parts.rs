//! Building the parts and running them into the report's new folder, and
//! what the provenance block says about that run.

use anyhow::{Context, Result, bail};
use exercise_harness::output::record::{self, Contents};
use report::{PARTS, Provenance, Timing, report_flags};
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
pub fn run_parts(root: &Path, staging: &Path) -> Result<Vec<Timing>> {
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

/// The report folder a staging folder (`<report>.new-<stamp>`) is built for.
fn report_dir(staging: &Path) -> PathBuf {
    let name = staging
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = name.rsplit_once(".new-").map_or(name.as_str(), |(r, _)| r);
    staging.with_file_name(report)
}

/// Whether `rel`, a path inside a report folder, lies in one of the parts'
/// folders.
pub fn is_part_file(rel: &Path) -> bool {
    rel.components()
        .next()
        .is_some_and(|c| PARTS.iter().any(|(name, _)| c.as_os_str() == *name))
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
