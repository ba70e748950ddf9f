//! `report/submission.ipynb`: a valid nbformat 4.5 notebook with the
//! report's content in order, every figure attached, and code cells that
//! need only NumPy and hold the corrected Backprop and its checks.

use mlp::Generator;
use report::document::{generated_figures, notebook, render};
use report::notebook::check;
use report::{Findings, Metrics, Provenance, load_metrics};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    testkit::cli::root()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

fn made(edit: impl FnOnce(&mut Metrics)) -> (String, Value) {
    let mut metrics = load_metrics(&fixtures()).unwrap();
    edit(&mut metrics);
    let prov = Provenance {
        profile: "dev".into(),
        commit: "0123456789abcdef".into(),
        rustc: "rustc".into(),
        timings: vec![],
    };
    let ctx = Findings::new(
        &root(),
        &metrics,
        &prov,
        report::findings::data::Data::of(&root(), &fixtures(), &metrics).unwrap(),
    )
    .unwrap();
    let generated = generated_figures(&metrics).unwrap();
    let (md, _) = render(&root(), &fixtures(), &ctx, &generated).unwrap();
    let text = notebook(&root(), &fixtures(), &md, &metrics, &generated).unwrap();
    let nb = serde_json::from_str(&text).unwrap();
    (text, nb)
}

fn source(cell: &Value) -> String {
    cell["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect()
}

#[test]
fn the_notebook_holds_the_report_in_order_with_every_figure_attached() {
    let (text, nb) = made(|_| {});
    check(&text).unwrap();
    let cells = nb["cells"].as_array().unwrap();
    let markdown: Vec<String> = cells
        .iter()
        .filter(|c| c["cell_type"] == "markdown")
        .map(source)
        .collect();
    // the report's sections, in the report's order
    let order = [
        "# Exercise sheet 4",
        "### (a) The output term A",
        "### (f) The biases",
        "### 2a: the correct backprop",
        "### The corrected Backprop in NumPy",
        "### 2b: from a perturbed start",
        "### 2c: function approximation",
        "### 2d: the bars problem",
        "## Beyond the sheet",
        "### Exercise 1 checked by numbers",
        "### Provenance",
    ];
    let position = |h: &str| {
        markdown
            .iter()
            .position(|m| m.starts_with(h))
            .unwrap_or_else(|| panic!("no cell {h}"))
    };
    let at: Vec<usize> = order.iter().map(|h| position(h)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    // math stays as $...$ for Jupyter to render
    assert!(
        markdown
            .iter()
            .any(|m| m.contains("$$") && m.contains("\\begin{aligned}"))
    );
    // every figure attached and used, none linked to a file
    let attached: usize = cells
        .iter()
        .filter_map(|c| c.get("attachments"))
        .map(|a| a.as_object().unwrap().len())
        .sum();
    assert_eq!(attached, 13);
    assert!(
        !markdown
            .iter()
            .any(|m| m.contains(".svg)") && !m.contains("(attachment:"))
    );
    // the code: the corrected Backprop, its gradient check, the checks of 2a and 2b
    let code: Vec<String> = cells.iter().filter(|c| c["cell_type"] == "code").map(source).collect();
    assert_eq!(code.len(), 4);
    assert!(code[0].contains("def backpropagate(x, target, V, b, W):"));
    assert!(code[1].contains("assert worst < 1e-6, worst"));
    assert!(code[2].contains("assert change == 0.0"));
    assert!(code[3].contains("W0[0, 1] = 0.0"));
    // the 2b fixture comes from a run with NumPy's generator: compared
    assert!(code[3].contains("assert gap <= 1e-12, gap"));
}

#[test]
fn with_numpy_runs_the_check_compares_with_the_run_s_final_weights() {
    let (text, nb) = made(|m| {
        m.ex2b.header.settings.rng = Generator::Numpy;
        m.ex2b.final_weights.W[0][1] = -1.9876543210987654;
    });
    check(&text).unwrap();
    let code: Vec<String> = nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(source)
        .collect();
    assert!(code[3].contains("assert gap <= 1e-12, gap"));
    // the run's weights, to the last bit
    assert!(code[3].contains("-1.9876543210987654"));
    assert!(code[3].contains("seed=0)"));
}

#[test]
fn the_rules_catch_what_would_not_run_or_validate() {
    let (text, _) = made(|_| {});
    let broken = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        check(&text.replacen(from, to, 1)).unwrap_err().to_string()
    };
    assert!(broken("import numpy as np", "%matplotlib inline").contains("magic"));
    assert!(broken("import numpy as np", "import scipy").contains("other than NumPy"));
    assert!(broken("\"id\": \"cell-001\"", "\"id\": \"cell-000\"").contains("id"));
    assert!(broken("\"nbformat\": 4,", "\"nbformat\": 3,").contains("nbformat"));
    assert!(broken("(attachment:", "(attachmnt:").contains("attachment"));
}

#[test]
fn the_metrics_are_read_to_the_last_bit() {
    // serde_json's default float parser can miss the last bit; this value
    // came back as ...9968 from a run that wrote ...9967, and the notebook
    // printed the wrong one.
    let written = "0.9730562049839967";
    let dir = tempfile::tempdir().unwrap();
    testkit::cli::copy_dir(&fixtures(), dir.path());
    let ex2b = dir.path().join("ex2b/metrics.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&ex2b).unwrap()).unwrap();
    m["final_weights"]["V"][0][0] = Value::Null;
    let text = serde_json::to_string(&m)
        .unwrap()
        .replace("[[null,", &format!("[[{written},"));
    std::fs::write(&ex2b, text).unwrap();
    let m = load_metrics(dir.path()).unwrap();
    assert_eq!(m.ex2b.final_weights.V[0][0], written.parse::<f64>().unwrap());
}
