//! `cargo xtask report`: run every part in order, then render the submission
//! report (`report/index.html` and `report/submission.md`) from the metrics
//! and figures the parts wrote.

use crate::render::{extract_fn, markdown_to_html};
use anyhow::{Context, Result, bail};
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

/// Builds every part in release mode.
pub fn build_release(root: &Path) -> Result<()> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args(["build", "--release"]);
    for (name, _) in PARTS {
        cmd.args(["-p", name]);
    }
    let status = cmd.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release of the exercises failed ({status})");
    }
    Ok(())
}

/// Runs every part into `report/<part>`, in order, timing each.
pub fn run_parts(root: &Path, report: &Path) -> Result<Vec<Timing>> {
    let bin_dir = target_dir(root).join("release");
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
    Provenance { commit, rustc, timings }
}

/// Reads `report/<part>/metrics.json` for every part.
pub fn load_metrics(report: &Path) -> Result<serde_json::Map<String, Value>> {
    let mut all = serde_json::Map::new();
    for (name, _) in PARTS {
        let path = report.join(name).join("metrics.json");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let value: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        all.insert(name.to_owned(), value);
    }
    Ok(all)
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
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn f(v: &Value, path: &str) -> Result<f64> {
    get(v, path)?
        .as_f64()
        .with_context(|| format!("metrics: {path} is not a number"))
}

fn u(v: &Value, path: &str) -> Result<u64> {
    get(v, path)?
        .as_u64()
        .with_context(|| format!("metrics: {path} is not a whole number"))
}

fn s(v: &Value, path: &str) -> Result<String> {
    let x = get(v, path)?;
    Ok(x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string()))
}

fn get<'a>(v: &'a Value, path: &str) -> Result<&'a Value> {
    path.split('.')
        .try_fold(v, |acc, key| acc.get(key))
        .with_context(|| format!("metrics: missing {path}"))
}

fn arr<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>> {
    get(v, path)?
        .as_array()
        .with_context(|| format!("metrics: {path} is not a list"))
}

/// The template context: every number the report prints, formatted, and
/// every comparison its prose makes, decided from the metrics.
pub fn context(root: &Path, metrics: &serde_json::Map<String, Value>, prov: &Provenance) -> Result<Value> {
    let m = |name: &str| metrics.get(name).with_context(|| format!("no metrics for {name}"));
    let (e1, a, b, c, d) = (m("ex1")?, m("ex2a")?, m("ex2b")?, m("ex2c")?, m("ex2d")?);

    // Exercise 1
    let layers = arr(e1, "network.layers")?;
    let n_layers = layers.len();
    let mut network = format!("{}", u(e1, "network.inputs")?);
    for l in layers {
        let act = s(l, "activation")?;
        let act = if act == "relu" { "ReLU".to_owned() } else { act };
        network.push_str(&format!(" → {} ({act})", u(l, "units")?));
    }
    let mut rows = Vec::new();
    let mut quantities = 0;
    for check in arr(e1, "checks")? {
        let mut cells = vec!["—".to_owned(); n_layers];
        for l in arr(check, "layers")? {
            let layer = u(l, "layer")? as usize;
            quantities += u(l, "quantities")?;
            if (1..=n_layers).contains(&layer) {
                cells[layer - 1] = sci(f(l, "max_rel_error")?);
            }
        }
        rows.push(json!({"part": s(check, "part")?, "formula": s(check, "formula")?, "cells": cells}));
    }
    let max1 = f(e1, "max_rel_error")?;
    let ex1 = json!({
        "network": network,
        "hidden_layers": n_layers - 1,
        "seed": u(e1, "seed")?,
        "step": sci(f(e1, "step")?).replace("e", "\\times 10^{") + "}",
        "layer_numbers": (1..=n_layers).collect::<Vec<_>>(),
        "rows": rows,
        "quantities": thousands(quantities),
        "max": sci(max1),
        "all_below": max1 <= 1e-6,
        "core_vs_formula": sci(f(e1, "core_backward_vs_formula")?),
    });

    // 2a
    let change = f(a, "max_abs_weight_change")?;
    let ex2a = json!({
        "iterations": thousands(u(a, "iterations")?),
        "sampling": s(a, "sampling")?,
        "seed": u(a, "seed")?,
        "learning_rate": format!("{:.4}", f(a, "learning_rate")?),
        "momentum": f(a, "momentum")?,
        "unchanged": change == 0.0,
        "max_change": sci(change),
        "initial_cost": sci(f(a, "initial_cost")?),
        "final_cost": sci(f(a, "final_cost")?),
        "max_sample_cost": sci(f(a, "max_sample_cost_during_training")?),
        "figure": "ex2a/cost_over_time.svg",
    });

    // 2b
    let threshold = f(b, "recovery_threshold")?;
    let sweep = match b.get("sweep") {
        None => Value::Null,
        Some(sw) => {
            let failures = arr(sw, "not_recovered")?;
            let dead = failures
                .iter()
                .filter(|x| {
                    x.get("reason")
                        .and_then(Value::as_str)
                        .is_some_and(|r| r.contains("dead ReLU"))
                })
                .count();
            let offsets = arr(sw, "offsets")?;
            let rows: Vec<Value> = failures
                .iter()
                .map(|x| -> Result<Value> {
                    Ok(json!({
                        "parameter": s(x, "parameter")?,
                        "offset": format!("{:+}", f(x, "offset")?),
                        "final_cost": sci(f(x, "final_cost")?),
                        "reason": s(x, "reason")?,
                    }))
                })
                .collect::<Result<_>>()?;
            json!({
                "parameters": arr(sw, "parameters")?.len(),
                "offsets": offsets.len(),
                "first_offset": format!("{:+}", offsets.first().and_then(Value::as_f64).unwrap_or(0.0)),
                "last_offset": format!("{:+}", offsets.last().and_then(Value::as_f64).unwrap_or(0.0)),
                "runs": u(sw, "runs")?,
                "recovered": u(sw, "recovered")?,
                "failed": failures.len(),
                "dead_count": dead,
                "other_count": failures.len() - dead,
                "failures": rows,
                "figure": "ex2b/perturbation_sweep.svg",
            })
        }
    };
    let final_b = f(b, "final_cost")?;
    let ex2b = json!({
        "perturbation": format!("`{}`", s(b, "perturbation")?),
        "original_value": f(b, "original_value")?,
        "iterations": thousands(u(b, "iterations")?),
        "initial_cost": sci(f(b, "initial_cost")?),
        "final_cost": sci(final_b),
        "recovered": final_b < threshold,
        "threshold": sci(threshold),
        "figure": "ex2b/cost_over_time.svg",
        "sweep": sweep,
    });

    // 2c
    let summary = arr(c, "summary")?;
    let rows: Vec<Value> = summary
        .iter()
        .map(|x| -> Result<Value> {
            Ok(json!({
                "hidden": u(x, "hidden")?,
                "seeds": u(x, "seeds")?,
                "test_mean": format!("{:.5}", f(x, "test_cost_mean")?),
                "test_std": format!("{:.5}", f(x, "test_cost_std")?),
                "test_min": format!("{:.5}", f(x, "test_cost_min")?),
                "test_max": format!("{:.5}", f(x, "test_cost_max")?),
                "train_mean": format!("{:.5}", f(x, "train_cost_mean")?),
            }))
        })
        .collect::<Result<_>>()?;
    let compare = if summary.len() >= 2 {
        let mut by_mean: Vec<&Value> = summary.iter().collect();
        by_mean.sort_by(|p, q| {
            f(p, "test_cost_mean")
                .unwrap_or(f64::NAN)
                .total_cmp(&f(q, "test_cost_mean").unwrap_or(f64::NAN))
        });
        let (lo, hi) = (by_mean[0], by_mean[by_mean.len() - 1]);
        let (m1, m2) = (f(lo, "test_cost_mean")?, f(hi, "test_cost_mean")?);
        let se = |x: &Value| -> Result<f64> { Ok(f(x, "test_cost_std")?.powi(2) / u(x, "seeds")? as f64) };
        let z = (m2 - m1) / (se(lo)? + se(hi)?).sqrt();
        json!({
            "lower": u(lo, "hidden")?,
            "higher": u(hi, "hidden")?,
            "ratio": format!("{:.2}", m2 / m1),
            "z": if z.is_finite() { format!("{z:.1}") } else { "infinitely many".to_owned() },
            "clear": z >= 2.0,
        })
    } else {
        Value::Null
    };
    let (first_seed, n_seeds) = (u(c, "seeds.first")?, u(c, "seeds.count")?);
    let ks: Vec<String> = summary.iter().map(|x| s(x, "hidden")).collect::<Result<_>>()?;
    let ex2c = json!({
        "iterations": thousands(u(c, "iterations")?),
        "ks": ks.join(" and "),
        "seeds": n_seeds,
        "seed_range": format!("seeds {} to {}", first_seed, first_seed + n_seeds - 1),
        "summary": rows,
        "compare": compare,
        "sin_test_cost": format!("{:.5}", f(c, "test_cost_of_sin_pi_x")?),
        "figure_cost": "ex2c/cost_over_time.svg",
        "figure_response": "ex2c/response.svg",
        "figure_seeds": "ex2c/test_cost_per_seed.svg",
    });

    // 2d
    let codes = arr(d, "codes_for")?;
    let ex2d = json!({
        "hidden": u(d, "hidden")?,
        "iterations": thousands(u(d, "iterations")?),
        "seed": u(d, "seed")?,
        "final_cost": sci(f(d, "final_cost")?),
        "max_abs_error": sci(f(d, "max_abs_error")?),
        "r2_z1_row": format!("{:.6}", f(d, "r2_z1_row")?),
        "r2_z1_column": format!("{:.6}", f(d, "r2_z1_column")?),
        "r2_z2_column": format!("{:.6}", f(d, "r2_z2_column")?),
        "r2_z2_row": format!("{:.6}", f(d, "r2_z2_row")?),
        "codes_for_1": codes.first().and_then(Value::as_str).unwrap_or_default(),
        "codes_for_2": codes.get(1).and_then(Value::as_str).unwrap_or_default(),
        "figure_cost": "ex2d/cost_over_time.svg",
        "figure_inputs": "ex2d/inputs.svg",
        "figure_outputs": "ex2d/outputs.svg",
        "figure_hidden": "ex2d/hidden_weights.svg",
    });

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
        u(e1, "seed")?,
        u(a, "seed")?,
        u(b, "seed")?,
        first_seed,
        first_seed + n_seeds - 1,
        u(d, "seed")?
    );
    let iterations_text = format!(
        "2a: {}; 2b: {} (and each sweep run); 2c: {} per run; 2d: {}",
        thousands(u(a, "iterations")?),
        thousands(u(b, "iterations")?),
        thousands(u(c, "iterations")?),
        thousands(u(d, "iterations")?)
    );
    Ok(json!({
        "exercise1": exercise1.trim_end(),
        "listing": listing,
        "ex1": ex1, "ex2a": ex2a, "ex2b": ex2b, "ex2c": ex2c, "ex2d": ex2d,
        "provenance": {
            "commit": prov.commit,
            "rustc": prov.rustc,
            "seeds": seeds_text,
            "iterations": iterations_text,
            "timings": prov.timings,
        },
    }))
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
