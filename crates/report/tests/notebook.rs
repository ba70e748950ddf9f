//! `report/submission.ipynb`: a valid nbformat 4.5 notebook with the
//! sheet's answers in order, beside code cells in plain Python (NumPy,
//! SciPy, matplotlib) that run every part, draw its figures and compare
//! with the report's Rust runs. Executing it is `xtask`'s test.

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
    let md = render(&root(), &fixtures(), &ctx, &generated).unwrap().md;
    let text = notebook(&root(), &md, &metrics, &ctx.data).unwrap();
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

fn code_cells(nb: &Value) -> Vec<(String, String)> {
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(|c| (c["id"].as_str().unwrap().to_owned(), source(c)))
        .collect()
}

#[test]
fn the_notebook_holds_the_answers_in_order_with_code_for_every_part() {
    let (text, nb) = made(|_| {});
    check(&text).unwrap();
    let cells = nb["cells"].as_array().unwrap();
    let first_lines: Vec<String> = cells
        .iter()
        .map(|c| {
            format!(
                "{}: {}",
                c["cell_type"].as_str().unwrap(),
                source(c).lines().next().unwrap_or("")
            )
        })
        .collect();
    // the course script's order: XOR from the perfect start, then W[0,1] = 0,
    // then function approximation, then bars; each part's answer, then its code
    let order = [
        "markdown: # Exercise sheet 4",
        "code: # Plain Python 3",
        "code: # The report's runs",
        "markdown: ### (a) The output term A",
        "markdown: ### (f) The biases",
        "markdown: ### The result, and how it maps",
        "code: # The course's network",
        "code: # Exercise 1 by numbers",
        "markdown: ### 2a: the correct backprop",
        "code: # 2a: the course's start",
        "markdown: ### 2b: from a perturbed start",
        "code: # 2b: as the course's script does",
        "markdown: ### 2c: function approximation",
        "code: # 2c: 1 -> K -> 1 networks",
        "code: # 2c: each seed's trained network",
        "markdown: ### 2d: the bars problem",
        "code: # 2d: the 25-10-2 network",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|h| {
            first_lines
                .iter()
                .position(|l| l.starts_with(h))
                .unwrap_or_else(|| panic!("no cell {h}: {first_lines:#?}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert_eq!(at.last(), Some(&(cells.len() - 1)));
    // math stays as $...$ for Jupyter to render; no figure, listing or
    // attachment in the text: the figures come from the code
    let markdown: String = cells
        .iter()
        .filter(|c| c["cell_type"] == "markdown")
        .map(source)
        .collect();
    assert!(markdown.contains("$$") && markdown.contains("\\begin{aligned}"));
    assert!(!markdown.contains("```") && !markdown.contains("attachment"));
    assert!(markdown.contains("the PDF's Figure "));
    assert!(markdown.contains("*(In this notebook the listing is a code cell: the one after Exercise 1.)*"));
    assert!(
        !markdown.contains("Exercise 1 checked by numbers"),
        "the companion page's"
    );
    let code = code_cells(&nb);
    let ids: Vec<&str> = code.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "code-setup",
            "code-settings",
            "code-backprop",
            "code-ex1-check",
            "code-2a",
            "code-2b",
            "code-2c",
            "code-2c-figures",
            "code-2d"
        ]
    );
    // the cells are the repository's Python sources as they are; only the
    // settings cell is generated, and it holds values, no code
    for (id, file) in [
        ("code-setup", "setup.py"),
        ("code-backprop", "backprop.py"),
        ("code-2c", "ex2c.py"),
        ("code-2d", "ex2d.py"),
    ] {
        let text = &code.iter().find(|c| c.0 == id).unwrap().1;
        let source = report::notebook::cell_source(&root(), file).unwrap();
        assert_eq!(text.trim_end(), source.trim_end(), "{id}");
    }
    // the course script's names and meanings
    let backprop = &code[2].1;
    for name in [
        "def propagate(X):",
        "return Y, Z, U1, U2",
        "def backpropagate(X, YT):",
        "return db, dV, dW, cost",
        "Cost = lambda Y, YT: -1. / 2. * np.mean((Y - YT) ** 2)",
        "delta_V = eta_V * dV + mu_V * delta_V",
        "V += delta_V",
        "def runandplot(",
    ] {
        assert!(backprop.contains(name), "{name}");
    }
    assert!(code[4].1.contains("eta_b = eta_V = eta_W = run[\"eta\"]   # 0.2 / K"));
    // the submission's 2a prints the very function the notebook runs
    assert!(backprop.contains(&report::notebook::backprop_function(&root()).unwrap()));
    // every training cell seeds, draws its start (2c, 2d: V, then W, then b),
    // then the sample indices, and compares with the Rust run
    for (id, text) in &code[4..] {
        if id == "code-2c-figures" {
            assert!(text.contains("plt.subplots"));
            continue;
        }
        let seed = text
            .find("np.random.seed(")
            .unwrap_or_else(|| panic!("{id} does not seed"));
        let indices = text.find("= indices(run, len(X))").unwrap();
        assert!(seed < indices, "{id}");
        if id == "code-2c" || id == "code-2d" {
            let (v, w, b) = (
                text.find("np.random.normal(0., 1., (K, ").unwrap(),
                text.find("np.random.normal(0., 1., (1, K))")
                    .or_else(|| text.find("np.random.normal(0., 1., (YT.shape[1], K))"))
                    .unwrap(),
                text.find("np.random.normal(0., 1., K)").unwrap(),
            );
            assert!(seed < v && v < w && w < b && b < indices, "{id}");
        }
        assert!(text.contains("compare("), "{id}");
    }
    // what the cells compare with: the fixture's 2b ran with NumPy's
    // generator, its 2c with ChaCha8 (said, not faked)
    let settings = &code[1].1;
    assert!(
        settings.contains("\"2b\": dict(\n        files={\"xor_data.npz\": \""),
        "{settings}"
    );
    assert!(
        settings.contains("\"2c, K = 5\": \"the report's run drew from --rng chacha8, which NumPy does not draw\"")
    );
    assert!(settings.contains("perturb=(\"W\", (0, 1), 0.0)"), "{settings}");
    let (_, nb) = made(|m| m.ex2c.rng = Generator::Numpy);
    assert!(
        code_cells(&nb)[1]
            .1
            .contains("\"2c, K = 40\": \"the report recorded no final weights or costs for this run\"")
    );
}

#[test]
fn the_2c_settings_hold_every_seed_s_costs_and_the_first_seed_s_weights() {
    let (text, nb) = made(|m| {
        m.ex2c.rng = Generator::Numpy;
        let w = m.ex2b.final_weights.clone();
        for (k, eta) in [(5, 0.04), (40, 0.005)] {
            m.ex2c.replayed.push(exercise_harness::metrics::ex2c::Replayed {
                hidden: k,
                seed: 0,
                learning_rate: eta,
                final_weights: w.clone(),
                train_cost: 0.0012345678901234567,
                test_cost: 0.01,
            });
        }
        m.ex2c.replayed[1].final_weights.W[0][1] = -1.9876543210987654;
        m.ex2c.runs[0].test_cost = 0.012345678901234567;
    });
    check(&text).unwrap();
    let settings = &code_cells(&nb)[1].1;
    assert!(settings.contains("-1.9876543210987654"));
    assert!(settings.contains("test_cost=[0.012345678901234567, "), "{settings}");
    assert!(settings.contains("\"func_approx_test.npz\": \""));
    assert!(settings.contains("in_mean={5: [0, 1, 2"), "{settings}");
    // ChaCha8 runs cannot be replayed: said, not compared
    let (_, nb) = made(|m| m.ex2d.header.settings.rng = Generator::ChaCha8);
    assert!(
        code_cells(&nb)[1]
            .1
            .contains("\"2d\": \"the report's run drew from --rng chacha8")
    );
}

#[test]
fn the_rules_catch_what_would_not_run_or_validate() {
    let (text, _) = made(|_| {});
    let broken = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        check(&text.replacen(from, to, 1)).unwrap_err().to_string()
    };
    assert!(broken("import numpy as np", "%matplotlib inline").contains("magic"));
    assert!(broken("import numpy as np", "import pandas").contains("other than NumPy"));
    assert!(broken("import numpy as np", "display(x)").contains("IPython"));
    assert!(broken("\"id\": \"code-2a\"", "\"id\": \"code-2b\"").contains("id"));
    assert!(broken("import hashlib", "import subprocess").contains("runs programs"));
    assert!(broken("\"nbformat\": 4,", "\"nbformat\": 3,").contains("nbformat"));
    assert!(broken("### 2a: the correct", "![x](attachment:a.svg) ### 2a").contains("attachment"));
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
