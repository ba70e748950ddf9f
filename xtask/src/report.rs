//! `cargo xtask report`: run every part in order, then render the submission
//! report (`report/index.html` and `report/submission.md`) from the metrics
//! and figures the parts wrote.

use crate::render::{extract_fn, markdown_to_html};
use anyhow::{Context, Result, bail};
use ex2b::FailureReason;
use exercise_harness::metrics::{self, ex1, ex2a, ex2b, ex2c, ex2d};
use mlp::{Activation, Generator};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The parts, in the order they run: binary name and what it answers.
pub const PARTS: [(&str, &str); 5] = [
    ("ex1", "Exercise 1 checks"),
    ("ex2a", "2a"),
    ("ex2b", "2b"),
    ("ex2c", "2c"),
    ("ex2d", "2d"),
];

/// How long one part took.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub part: String,
    pub seconds: String,
}

/// What the provenance block says besides the timings.
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    /// The cargo profile the parts ran in.
    pub profile: String,
    pub commit: String,
    pub rustc: String,
    pub timings: Vec<Timing>,
}

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

/// Runs every part into `report/<part>`, in order, timing each.
pub fn run_parts(root: &Path, report: &Path) -> Result<Vec<Timing>> {
    let bin_dir = target_dir(root).join(if profile() == "dev" { "debug" } else { "release" });
    let mut timings = Vec::new();
    for (name, title) in PARTS {
        let out = report.join(name);
        let start = Instant::now();
        let output = Command::new(bin_dir.join(name))
            .current_dir(root)
            .arg("--out")
            .arg(&out)
            .output()
            .with_context(|| format!("running {name}"))?;
        let seconds = start.elapsed().as_secs_f64();
        if !output.status.success() {
            bail!(
                "{name} failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        print!("{}", String::from_utf8_lossy(&output.stdout));
        println!("  ({name}: {seconds:.2} s)");
        timings.push(Timing {
            part: title.to_owned(),
            seconds: format!("{seconds:.2}"),
        });
    }
    Ok(timings)
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

/// The metrics of every part.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    pub ex1: ex1::Metrics,
    pub ex2a: ex2a::Metrics,
    pub ex2b: ex2b::Metrics,
    pub ex2c: ex2c::Metrics,
    pub ex2d: ex2d::Metrics,
}

/// Reads `report/<part>/metrics.json` for every part.
pub fn load_metrics(report: &Path) -> Result<Metrics> {
    let path = |part: &str| report.join(part).join("metrics.json");
    Ok(Metrics {
        ex1: metrics::read(&path("ex1"))?,
        ex2a: metrics::read(&path("ex2a"))?,
        ex2b: metrics::read(&path("ex2b"))?,
        ex2c: metrics::read(&path("ex2c"))?,
        ex2d: metrics::read(&path("ex2d"))?,
    })
}

/// `x` in scientific notation with two significant digits (`0` for zero).
pub fn sci(x: f64) -> String {
    if x == 0.0 { "0".to_owned() } else { format!("{x:.1e}") }
}

/// A whole number with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The template context: every number the report prints, formatted, and
/// every comparison its prose makes, decided from the metrics.
pub fn context(root: &Path, metrics: &Metrics, prov: &Provenance) -> Result<Value> {
    let Metrics {
        ex1: e1,
        ex2a: a,
        ex2b: b,
        ex2c: c,
        ex2d: d,
    } = metrics;

    // Exercise 1
    let n_layers = e1.network.layers.len();
    let mut network = format!("{}", e1.network.inputs);
    for l in &e1.network.layers {
        let act = match l.activation {
            Activation::Relu => "ReLU",
            other => other.name(),
        };
        network.push_str(&format!(" → {} ({act})", l.units));
    }
    let mut rows = Vec::new();
    let mut quantities = 0;
    for check in &e1.checks {
        let mut cells = vec!["—".to_owned(); n_layers];
        for l in &check.layers {
            quantities += l.quantities as u64;
            if (1..=n_layers).contains(&l.layer) {
                cells[l.layer - 1] = sci(l.max_rel_error);
            }
        }
        rows.push(json!({"part": check.part, "formula": check.formula, "cells": cells}));
    }
    let ex1 = json!({
        "network": network,
        "hidden_layers": n_layers - 1,
        "seed": e1.seed,
        "step": sci(e1.step).replace("e", "\\times 10^{") + "}",
        "layer_numbers": (1..=n_layers).collect::<Vec<_>>(),
        "rows": rows,
        "quantities": thousands(quantities),
        "max": sci(e1.max_rel_error),
        "all_below": e1.max_rel_error <= 1e-6,
        "core_vs_formula": sci(e1.core_backward_vs_formula),
    });

    // 2a
    let change = a.max_abs_weight_change;
    let ex2a = json!({
        "iterations": thousands(a.header.settings.iterations),
        "sampling": a.header.settings.sampling.to_string(),
        "seed": a.header.settings.seed,
        "learning_rate": format!("{:.4}", a.header.settings.learning_rate),
        "momentum": a.header.settings.momentum,
        "unchanged": change == 0.0,
        "max_change": sci(change),
        "initial_cost": sci(a.initial_cost),
        "final_cost": sci(a.final_cost),
        "max_sample_cost": sci(a.max_sample_cost_during_training),
        "figure": "ex2a/cost_over_time.svg",
    });

    // 2b
    let sweep = match &b.sweep {
        None => Value::Null,
        Some(sw) => {
            let failures = &sw.not_recovered;
            let dead = failures
                .iter()
                .filter(|x| matches!(x.diagnosis, FailureReason::DeadUnits { .. }))
                .count();
            let rows: Vec<Value> = failures
                .iter()
                .map(|x| {
                    json!({
                        "parameter": x.parameter,
                        "offset": format!("{:+}", x.offset),
                        "final_cost": sci(x.final_cost),
                        "reason": x.diagnosis.to_string(),
                    })
                })
                .collect();
            json!({
                "parameters": sw.parameters.len(),
                "offsets": sw.offsets.len(),
                "first_offset": format!("{:+}", sw.offsets.first().copied().unwrap_or(0.0)),
                "last_offset": format!("{:+}", sw.offsets.last().copied().unwrap_or(0.0)),
                "runs": sw.runs,
                "recovered": sw.recovered,
                "failed": failures.len(),
                "dead_count": dead,
                "other_count": failures.len() - dead,
                "failures": rows,
                "figure": "ex2b/perturbation_sweep.svg",
            })
        }
    };
    let ex2b = json!({
        "perturbation": format!("`{}`", b.perturbation),
        "original_value": b.original_value,
        "iterations": thousands(b.header.settings.iterations),
        "initial_cost": sci(b.initial_cost),
        "final_cost": sci(b.final_cost),
        "recovered": b.final_cost < b.recovery_threshold,
        "threshold": sci(b.recovery_threshold),
        "figure": "ex2b/cost_over_time.svg",
        "sweep": sweep,
    });

    // 2c
    let summary = &c.summary;
    let rows: Vec<Value> = summary
        .iter()
        .map(|x| {
            json!({
                "hidden": x.hidden,
                "seeds": x.seeds,
                "test_mean": format!("{:.5}", x.test_cost_mean),
                "test_std": format!("{:.5}", x.test_cost_std),
                "test_min": format!("{:.5}", x.test_cost_min),
                "test_max": format!("{:.5}", x.test_cost_max),
                "train_mean": format!("{:.5}", x.train_cost_mean),
            })
        })
        .collect();
    let compare = if summary.len() >= 2 {
        let mut by_mean: Vec<&ex2c::Summary> = summary.iter().collect();
        by_mean.sort_by(|p, q| p.test_cost_mean.total_cmp(&q.test_cost_mean));
        let (lo, hi) = (by_mean[0], by_mean[by_mean.len() - 1]);
        let (m1, m2) = (lo.test_cost_mean, hi.test_cost_mean);
        let se = |x: &ex2c::Summary| x.test_cost_std.powi(2) / x.seeds as f64;
        let z = (m2 - m1) / (se(lo) + se(hi)).sqrt();
        json!({
            "lower": lo.hidden,
            "higher": hi.hidden,
            "ratio": format!("{:.2}", m2 / m1),
            "z": if z.is_finite() { format!("{z:.1}") } else { "infinitely many".to_owned() },
            "clear": z >= 2.0,
        })
    } else {
        Value::Null
    };
    let (first_seed, n_seeds) = (c.seeds.first, c.seeds.count);
    let ks: Vec<String> = summary.iter().map(|x| x.hidden.to_string()).collect();
    let ex2c = json!({
        "iterations": thousands(c.iterations),
        "ks": ks.join(" and "),
        "seeds": n_seeds,
        "seed_range": format!("seeds {} to {}", first_seed, first_seed + n_seeds - 1),
        "summary": rows,
        "compare": compare,
        "sin_test_cost": format!("{:.5}", c.test_cost_of_sin_pi_x),
        "figure_cost": "ex2c/cost_over_time.svg",
        "figure_response": "ex2c/response.svg",
        "figure_seeds": "ex2c/test_cost_per_seed.svg",
    });

    // 2d
    let ex2d = json!({
        "hidden": d.hidden,
        "iterations": thousands(d.header.settings.iterations),
        "seed": d.header.settings.seed,
        "final_cost": sci(d.final_cost),
        "max_abs_error": sci(d.max_abs_error),
        "r2_z1_row": format!("{:.6}", d.r2_z1_row),
        "r2_z1_column": format!("{:.6}", d.r2_z1_column),
        "r2_z2_column": format!("{:.6}", d.r2_z2_column),
        "r2_z2_row": format!("{:.6}", d.r2_z2_row),
        "codes_for_1": d.codes_for.first().map(String::as_str).unwrap_or_default(),
        "codes_for_2": d.codes_for.get(1).map(String::as_str).unwrap_or_default(),
        "figure_cost": "ex2d/cost_over_time.svg",
        "figure_inputs": "ex2d/inputs.svg",
        "figure_outputs": "ex2d/outputs.svg",
        "figure_hidden": "ex2d/hidden_weights.svg",
    });

    // The generator, and the NumPy lines that reproduce one 2c run.
    let rng = match summary.first() {
        Some(first) if c.rng == Generator::Numpy => {
            let (k, seed) = (first.hidden, first.representative_seed);
            json!({
                "numpy": true,
                "name": "NumPy's legacy MT19937, seeded as by `np.random.seed`",
                "flag": c.rng.to_string(),
                "run": format!("k{k}-seed{seed}"),
                "code": numpy_lines(k, seed, c.train_samples, c.iterations),
            })
        }
        _ => json!({
            "numpy": false,
            "name": if c.rng == Generator::Numpy { "NumPy's legacy MT19937" } else { "ChaCha8" },
            "flag": c.rng.to_string(),
        }),
    };

    // The backward pass, read from the source.
    let src_path = root.join("crates/mlp/src/network.rs");
    let src = std::fs::read_to_string(&src_path).with_context(|| format!("reading {}", src_path.display()))?;
    let listing = ["deltas", "gradient_from_deltas"]
        .iter()
        .map(|name| extract_fn(&src, name).with_context(|| format!("no fn {name} in {}", src_path.display())))
        .collect::<Result<Vec<_>>>()?
        .join("\n\n");

    let exercise1 =
        std::fs::read_to_string(root.join("templates/exercise1.md")).context("reading templates/exercise1.md")?;
    let seeds_text = format!(
        "Exercise 1: {}; 2a: {}; 2b: {}; 2c: {} to {}; 2d: {}",
        e1.seed,
        a.header.settings.seed,
        b.header.settings.seed,
        first_seed,
        first_seed + n_seeds - 1,
        d.header.settings.seed
    );
    let iterations_text = format!(
        "2a: {}; 2b: {} (and each sweep run); 2c: {} per run; 2d: {}",
        thousands(a.header.settings.iterations),
        thousands(b.header.settings.iterations),
        thousands(c.iterations),
        thousands(d.header.settings.iterations)
    );
    Ok(json!({
        "exercise1": exercise1.trim_end(),
        "listing": listing,
        "ex1": ex1, "ex2a": ex2a, "ex2b": ex2b, "ex2c": ex2c, "ex2d": ex2d,
        "rng": rng,
        "provenance": {
            "profile": prov.profile,
            "commit": prov.commit,
            "rustc": prov.rustc,
            "seeds": seeds_text,
            "iterations": iterations_text,
            "timings": prov.timings,
        },
    }))
}

/// The NumPy lines that draw the start and the sample order of the 2c run
/// with `k` hidden units and `seed`, on `n` training samples, as the course's
/// notebook draws them (the sheet's footnote, then `randint` per iteration).
pub fn numpy_lines(k: usize, seed: u64, n: usize, iterations: u64) -> String {
    format!(
        "import numpy as np\n\
         np.random.seed({seed})\n\
         V = np.random.normal(0., 1., ({k}, 1))\n\
         W = np.random.normal(0., 1., (1, {k}))\n\
         b = np.random.normal(0., 1., {k})\n\
         T = np.random.randint(0, {n}, {iterations})"
    )
}

/// Renders the Markdown submission and the self-contained HTML page.
/// Figures are read from `report` (paths in the Markdown are relative to it).
pub fn render(root: &Path, report: &Path, ctx: &Value) -> Result<(String, String)> {
    let templates = root.join("templates");
    let read =
        |name: &str| std::fs::read_to_string(templates.join(name)).with_context(|| format!("reading templates/{name}"));
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("report.md", &read("report.md.tera")?)?;
    tera.add_raw_template("report.html", &read("report.html.tera")?)?;
    let context = tera::Context::from_value(ctx.clone())?;
    let md = tera.render("report.md", &context).map_err(tera_error)?;
    let body = markdown_to_html(&md, report)?;
    let mut page = tera::Context::new();
    page.insert("body", &body);
    page.insert("css", &read("report.css")?);
    page.insert("title", "Exercise sheet 4: the backpropagation algorithm");
    let html = tera.render("report.html", &page).map_err(tera_error)?;
    Ok((md, html))
}

fn tera_error(e: tera::Error) -> anyhow::Error {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    anyhow::anyhow!("rendering the report: {msg}")
}
