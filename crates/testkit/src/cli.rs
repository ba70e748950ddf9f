//! Running an exercise binary in tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A committed data set.
pub fn data(name: &str) -> PathBuf {
    root().join("data").join(name)
}

/// One of the NumPy-written fixtures.
pub fn fixture(name: &str) -> PathBuf {
    root().join("crates/mlp/tests/fixtures/numpy").join(name)
}

/// The result of a run.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary at `bin` (a test's `env!("CARGO_BIN_EXE_<name>")`) with
/// `args` in the workspace root.
pub fn run(bin: &str, args: &[&str]) -> Outcome {
    let out = Command::new(bin)
        .current_dir(root())
        .env("RUST_BACKTRACE", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `bin` and asserts success; returns the outcome.
pub fn run_ok(bin: &str, args: &[&str]) -> Outcome {
    let o = run(bin, args);
    assert_eq!(o.code, Some(0), "{bin} {args:?} failed: {}", o.stderr);
    o
}

/// Runs `bin` expecting a clean refusal: a non-zero exit, exactly one line on
/// stderr containing every one of `needles`, no panic and no backtrace.
pub fn assert_refused(bin: &str, args: &[&str], needles: &[&str]) -> String {
    let o = run(bin, args);
    assert!(
        matches!(o.code, Some(c) if c != 0),
        "{bin} {args:?} should fail, got {:?}",
        o.code
    );
    let err = o.stderr.trim_end().to_owned();
    assert_eq!(
        err.lines().count(),
        1,
        "{bin} {args:?}: expected one line on stderr, got:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{bin} {args:?}: expected '{n}' in: {err}");
    }
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "internal error"] {
        assert!(!err.contains(bad), "{bin} {args:?}: {err}");
    }
    err
}

/// Reads `<dir>/metrics.json`.
pub fn metrics(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("metrics.json")).expect("metrics.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// All files below `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        if let Ok(entries) = std::fs::read_dir(d) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}
