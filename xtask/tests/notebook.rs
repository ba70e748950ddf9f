//! `cargo xtask report --run-notebook`: the notebook executed in order, every
//! part's figures drawn by its code and its numbers compared with the Rust
//! runs; without a usable Python, or with a failing cell, one line saying
//! what to install or which cell failed, and the rest of the report written.
//!
//! Executing needs a Python 3 with numpy, scipy, matplotlib, nbclient and
//! ipykernel (`REPORT_PYTHON`, else `python3`). The execution test runs only
//! where `REPORT_NOTEBOOK_REQUIRED` is set, as CI sets it after installing
//! them: it runs the whole report and the notebook twice (in a kernel and as
//! a plain script), minutes that `cargo test --workspace` does not spend.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

fn fixture_report(dir: &Path) -> PathBuf {
    let out = dir.join("report");
    testkit::cli::report_fixture(&out);
    out
}

/// A stand-in Python: a shell script that says `line` on stderr and exits
/// with `code`, as the notebook's runner does.
fn fake_python(dir: &Path, name: &str, line: &str, code: i32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\necho '{line}' >&2\nexit {code}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn run_notebook(out: &Path, python: &Path) -> std::process::Output {
    Command::new(BIN)
        .args([
            "report",
            "--render-only",
            "--run-notebook",
            "--out",
            out.to_str().unwrap(),
        ])
        .arg("--python")
        .arg(python)
        .output()
        .unwrap()
}

fn unexecuted(out: &Path) -> bool {
    let nb: Value = serde_json::from_str(&std::fs::read_to_string(out.join("submission.ipynb")).unwrap()).unwrap();
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .all(|c| c["outputs"] == serde_json::json!([]))
}

#[test]
fn without_python_or_with_a_failing_cell_it_says_so_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = fixture_report(dir.path());
    let cases = [
        (
            dir.path().join("no-such-python"),
            vec![
                "cannot run",
                "no-such-python",
                "pip install numpy scipy matplotlib nbclient ipykernel",
                "python3-nbclient",
            ],
        ),
        (
            fake_python(dir.path(), "bare-python", "missing: scipy", 3),
            vec![
                "lacks scipy",
                "pip install numpy scipy matplotlib nbclient ipykernel",
                "REPORT_PYTHON",
            ],
        ),
        (
            fake_python(
                dir.path(),
                "failing-python",
                "cell 6 (code-2c-first): ValueError: boom",
                4,
            ),
            vec![
                "notebook cell 6 (code-2c-first) failed: ValueError: boom",
                "written unexecuted",
            ],
        ),
    ];
    for (python, needles) in cases {
        let o = run_notebook(&out, &python);
        assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        for needle in needles {
            assert!(err.contains(needle), "{needle} not in: {err}");
        }
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(said.contains("submission.ipynb (unexecuted)"), "{said}");
        assert!(out.join("index.html").exists() && unexecuted(&out));
    }
    // Without the flag nothing needs Python, and the summary says how to
    // get the executed notebook.
    let o = Command::new(BIN)
        .args(["report", "--render-only", "--out", out.to_str().unwrap()])
        .env("REPORT_PYTHON", dir.path().join("no-such-python"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("unexecuted: add --run-notebook to execute it"));
    // --python without --run-notebook is a contradiction.
    let o = testkit::cli::run(BIN, &["report", "--python", "python3"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

/// The largest relative differences the notebook printed, by part.
fn comparisons(nb: &Value) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    for cell in nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
    {
        for out in cell["outputs"].as_array().unwrap() {
            let text = match &out["text"] {
                Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap()).collect::<String>(),
                Value::String(s) => s.clone(),
                _ => continue,
            };
            for line in text.lines() {
                if let Some((part, value)) =
                    line.split_once(": largest relative difference from the report's Rust run: ")
                {
                    found.push((part.to_owned(), value.trim().parse().unwrap()));
                }
            }
        }
    }
    found
}

#[test]
fn the_executed_notebook_replays_every_part_within_1e_9() {
    if std::env::var_os("REPORT_NOTEBOOK_REQUIRED").is_none() {
        eprintln!("skipped: set REPORT_NOTEBOOK_REQUIRED (and REPORT_PYTHON) to execute the notebook");
        return;
    }
    let python = std::env::var_os("REPORT_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let o = Command::new(BIN)
        .args(["report", "--run-notebook", "--out", out.to_str().unwrap()])
        .arg("--python")
        .arg(&python)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("submission.ipynb")).unwrap();
    let nb: Value = serde_json::from_str(&text).unwrap();
    let code: Vec<&Value> = nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .collect();
    // every cell ran, none failed, none records when
    for c in &code {
        assert!(c["execution_count"].is_u64(), "{} did not run", c["id"]);
        let outs = c["outputs"].as_array().unwrap();
        assert!(
            !outs.iter().any(|o| o["output_type"] == "error"),
            "{} failed: {outs:?}",
            c["id"]
        );
        assert!(
            c["metadata"].get("execution").is_none(),
            "{} records its timing",
            c["id"]
        );
    }
    // every part compared with its Rust run, within 1e-9
    let found = comparisons(&nb);
    let parts: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(parts, ["2a", "2b", "2c, K = 5", "2c, K = 40", "2d"], "{found:?}");
    for (part, diff) in &found {
        assert!(*diff <= 1e-9, "{part}: {diff}");
    }
    // PNG figures from the code: 2a, 2b, 2c (response and cost, both K in
    // each), 2d (cost, outputs, imshow), without the version matplotlib
    // writes into a PNG's text chunks
    let pngs = |id: &str| -> Vec<Vec<u8>> {
        use base64::Engine;
        let cell = code.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}"));
        cell["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["data"]["image/png"].as_str())
            .map(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.replace('\n', ""))
                    .unwrap()
            })
            .collect()
    };
    for (id, n) in [("code-2a", 1), ("code-2b", 1), ("code-2c-figures", 2), ("code-2d", 3)] {
        let images = pngs(id);
        assert_eq!(images.len(), n, "{id}");
        for png in images {
            assert!(png.starts_with(b"\x89PNG"));
            assert!(
                !png.windows(4).any(|w| w == b"tEXt" || w == b"iTXt" || w == b"tIME"),
                "{id}"
            );
        }
    }
    // the notebook validates, and its code, as one plain script, runs from
    // the report folder
    let check = Command::new(&python)
        .args([
            "-c",
            "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))",
        ])
        .arg(out.join("submission.ipynb"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let script: String = code
        .iter()
        .map(|c| {
            let lines = c["source"].as_array().unwrap();
            lines.iter().map(|l| l.as_str().unwrap()).collect::<String>() + "\n\n"
        })
        .collect();
    let file = dir.path().join("submission.py");
    std::fs::write(&file, script).unwrap();
    let plain = Command::new(&python)
        .arg(&file)
        .current_dir(&out)
        .env("MPLBACKEND", "Agg")
        .output()
        .unwrap();
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let said = String::from_utf8_lossy(&plain.stdout);
    assert_eq!(
        said.matches("largest relative difference from the report's Rust run")
            .count(),
        5,
        "{said}"
    );
}
