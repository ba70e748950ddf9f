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

/// A stand-in Python: a shell script that answers the version and package
/// probes as a Python 3 with every package would, then, as the notebook's
/// runner, says `line` on stderr and exits with `code`.
fn fake_python(dir: &Path, name: &str, line: &str, code: i32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncase \"$2\" in *version_info*) echo 3; exit 0;; *find_spec*) exit 0;; esac\n\
             echo '{line}' >&2\nexit {code}\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn render_only(out: &Path, extra: &[&str], python_env: Option<&Path>, path_env: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["report", "--render-only", "--out", out.to_str().unwrap()])
        .args(extra);
    cmd.env_remove("REPORT_PYTHON");
    if let Some(p) = python_env {
        cmd.env("REPORT_PYTHON", p);
    }
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    cmd.output().unwrap()
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
fn a_python_named_that_does_not_run_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = fixture_report(dir.path());
    let before = std::fs::read(out.join("index.html")).ok();
    let nothing = dir.path().join("no-such-python");
    for (flag, env) in [
        (vec!["--python", nothing.to_str().unwrap()], None),
        (vec![], Some(nothing.as_path())),
    ] {
        let o = render_only(&out, &flag, env, None);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("no-such-python") && err.contains("Python 3"), "{err}");
        assert!(
            err.contains(if env.is_some() { "REPORT_PYTHON=" } else { "--python" }),
            "{err}"
        );
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains("rendering"),
            "work was done"
        );
        assert_eq!(std::fs::read(out.join("index.html")).ok(), before);
    }
    // --python asks for execution, which --no-run-notebook refuses
    let o = testkit::cli::run(BIN, &["report", "--no-run-notebook", "--python", "python3"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

#[test]
fn without_a_usable_python_it_says_so_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = fixture_report(dir.path());
    // Asked for (--run-notebook or --python): a failure is an error, exit 1.
    let cases = [
        (
            fake_python(dir.path(), "bare-python", "missing: scipy", 3),
            vec![
                "lacks scipy",
                "pip install numpy scipy matplotlib nbclient ipykernel",
                "REPORT_PYTHON",
            ],
        ),
        (
            fake_python(dir.path(), "failing-python", "cell 6 (code-2c): ValueError: boom", 4),
            vec![
                "notebook cell 6 (code-2c) failed: ValueError: boom",
                "written unexecuted",
            ],
        ),
    ];
    for (python, needles) in cases {
        let o = render_only(&out, &["--python", python.to_str().unwrap()], None, None);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        for needle in needles {
            assert!(err.contains(needle), "{needle} not in: {err}");
        }
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(said.contains("submission.ipynb (unexecuted)"), "{said}");
        assert!(out.join("index.html").exists() && unexecuted(&out));
    }
    // Not asked for: no python3 on PATH, the notebook is written unexecuted,
    // one line says what to install, and the run succeeds.
    let o = render_only(&out, &[], None, Some(dir.path().join("empty").to_str().unwrap()));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("written unexecuted: no python3 on PATH") && said.contains("pip install numpy"),
        "{said}"
    );
    assert!(unexecuted(&out));
    // --run-notebook makes the same an error.
    let o = render_only(
        &out,
        &["--run-notebook"],
        None,
        Some(dir.path().join("empty").to_str().unwrap()),
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    // --no-run-notebook needs no Python at all.
    let o = render_only(
        &out,
        &["--no-run-notebook"],
        None,
        Some(dir.path().join("empty").to_str().unwrap()),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("unexecuted, as --no-run-notebook asked"));
}

/// What the notebook's comparisons printed, by part: the largest
/// difference from the Rust run as a share of its tolerance.
fn comparisons(nb: &Value) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    for line in printed(nb).lines() {
        if let Some((part, rest)) = line.split_once(": agrees with the report's Rust run; largest difference ") {
            let share = rest.split_whitespace().next().unwrap().parse().unwrap();
            found.push((part.to_owned(), share));
        }
    }
    found
}

/// Everything the notebook's code cells printed, in order.
fn printed(nb: &Value) -> String {
    let mut text = String::new();
    for cell in nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
    {
        for out in cell["outputs"].as_array().unwrap() {
            match &out["text"] {
                Value::Array(lines) => text.extend(lines.iter().map(|l| l.as_str().unwrap().to_owned())),
                Value::String(s) => text.push_str(s),
                _ => {}
            }
        }
    }
    text
}

fn code_sources(nb: &Value) -> Vec<(String, String)> {
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(|c| {
            let lines = c["source"].as_array().unwrap();
            (
                c["id"].as_str().unwrap().to_owned(),
                lines.iter().map(|l| l.as_str().unwrap()).collect::<String>(),
            )
        })
        .collect()
}

/// `nb` (unexecuted) with `edit` applied to its cells.
fn edited(nb: &Value, edit: impl FnOnce(&mut Vec<Value>)) -> String {
    let mut nb = nb.clone();
    edit(nb["cells"].as_array_mut().unwrap());
    for cell in nb["cells"].as_array_mut().unwrap() {
        if cell["cell_type"] == "code" {
            cell["outputs"] = serde_json::json!([]);
            cell["execution_count"] = Value::Null;
        }
    }
    serde_json::to_string(&nb).unwrap()
}

/// `nb` (unexecuted) with `from` replaced by `to` in the cell `id`, which
/// must hold it.
fn with_replaced(nb: &Value, id: &str, from: &str, to: &str) -> String {
    edited(nb, |cells| {
        let cell = cells.iter_mut().find(|c| c["id"] == id).unwrap();
        let source: String = cell["source"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(source.contains(from), "{id} no longer holds {from}");
        cell["source"] = serde_json::json!([source.replace(from, to)]);
    })
}

fn required_python() -> Option<PathBuf> {
    if std::env::var_os("REPORT_NOTEBOOK_REQUIRED").is_none() {
        eprintln!("skipped: set REPORT_NOTEBOOK_REQUIRED (and REPORT_PYTHON) to execute the notebook");
        return None;
    }
    Some(std::env::var_os("REPORT_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from))
}

#[test]
fn the_executed_notebook_computes_every_answer_and_its_checks_hold_on_any_summation_order() {
    let Some(python) = required_python() else { return };
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
    // every part compared with its Rust run, within its tolerance
    let found = comparisons(&nb);
    let parts: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(parts, ["2a", "2b", "2c, K = 5", "2c, K = 40", "2d"], "{found:?}");
    for (part, share) in &found {
        assert!(*share <= 1.0, "{part}: {share}");
    }
    // 2c's answer: the means the report prints, computed by the notebook,
    // and typed into none of its cells
    let md = std::fs::read_to_string(out.join("submission.md")).unwrap();
    let answer = md
        .split("**Answer.** The average cost on the test data after training is ")
        .nth(1)
        .unwrap();
    let said = printed(&nb);
    for k in ["5", "40"] {
        let mean = answer
            .split(&format!(" for $K = {k}$"))
            .next()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap();
        assert!(mean.starts_with("0.") && mean.len() == 7, "{mean}");
        assert!(
            said.contains(&format!("  K = {k}: {mean} (over ")),
            "K = {k}: {mean} not printed:\n{said}"
        );
        for (id, source) in code_sources(&nb) {
            assert!(!source.contains(mean), "{id} holds the answer {mean}");
        }
    }
    // 2b's before and after and 2d's codes, from the notebook's own runs
    assert!(said.contains("2b: data-set cost before training") && said.contains("2b: every parameter"));
    assert!(said.contains("2d: z1  follows the row of the horizontal bar"), "{said}");
    // PNG figures from the code, without the version matplotlib writes into
    // a PNG's text chunks
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
    // the notebook validates, and its cells, joined in order as one script,
    // pass pyflakes
    let check = Command::new(&python)
        .args([
            "-c",
            "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))",
        ])
        .arg(out.join("submission.ipynb"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let script: String = code_sources(&nb).into_iter().map(|(_, s)| s + "\n\n").collect();
    let file = dir.path().join("submission.py");
    std::fs::write(&file, script).unwrap();
    let lint = Command::new(&python)
        .args(["-m", "pyflakes"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "pyflakes: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    // The same checks pass when every matrix product sums its terms in
    // another order: from the last term to the first.
    let reordered = edited(&nb, |cells| {
        let at = cells.iter().position(|c| c["id"] == "code-setup").unwrap() + 1;
        let cell = serde_json::json!({
            "cell_type": "code",
            "id": "code-reordered-sums",
            "metadata": {},
            "execution_count": null,
            "outputs": [],
            "source": [
                "def dot(A, B):\n",
                "    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)\n",
                "    vector = B.ndim == 1\n",
                "    terms = A[..., :, :, None] * (B[:, None] if vector else B)[..., None, :, :]\n",
                "    total = terms[..., -1, :].copy()\n",
                "    for k in range(terms.shape[-2] - 2, -1, -1):\n",
                "        total += terms[..., k, :]\n",
                "    return total[..., 0] if vector else total\n",
                "\n",
                "\n",
                "# from the last term to the first: (-1e16 + 1e16) + 1, where the first to the last gives 0\n",
                "assert dot(np.array([[1.0, 1e16, -1e16]]), np.array([1.0, 1.0, 1.0]))[0] == 1.0"
            ]
        });
        cells.insert(at, cell);
    });
    let again = report::notebook::execute(&python, &reordered, &out).expect("the checks hold with reordered sums");
    let again: Value = serde_json::from_str(&again).unwrap();
    let found = comparisons(&again);
    assert_eq!(found.len(), 5, "{found:?}");
    eprintln!("reordered sums: {found:?}");

    // A Backprop with one sign flipped fails them.
    let wrong = with_replaced(
        &nb,
        "code-backprop",
        "dLdU1 = f_act_prime(U1) * dot(",
        "dLdU1 = -f_act_prime(U1) * dot(",
    );
    let failed = report::notebook::execute(&python, &wrong, &out).expect_err("a wrong Backprop must fail");
    assert!(format!("{failed:#}").contains("AssertionError"), "{failed:#}");
    // and does so in the comparison with the Rust runs too, not only in the
    // finite-difference check
    let wrong: Value = serde_json::from_str(&wrong).unwrap();
    let unchecked = with_replaced(&wrong, "code-ex1-check", "assert worst < 1e-6, worst", "pass");
    let failed = report::notebook::execute(&python, &unchecked, &out).expect_err("a wrong Backprop must fail");
    assert!(
        format!("{failed:#}").contains("(code-2b) failed: AssertionError: ('2b'"),
        "{failed:#}"
    );
}
