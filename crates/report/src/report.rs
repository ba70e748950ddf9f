//! `cargo xtask report`: run every part in order, then render the submission
//! report (`report/index.html` and `report/submission.md`) from the metrics
//! and figures the parts wrote.

use crate::diagram;
use crate::recipes;
use crate::render::{extract_fn, markdown_to_html, number_figures};
use anyhow::{Context, Result};
use ex2b::FailureReason;
use exercise_harness::metrics::{self, ex1, ex2a, ex2b, ex2c, ex2d};
use mlp::{Activation, Generator};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;

/// The parts, in the order they run: binary name and what it answers.
pub const PARTS: [(&str, &str); 5] = [
    ("ex1", "Exercise 1 checks"),
    ("ex2a", "2a"),
    ("ex2b", "2b"),
    ("ex2c", "2c"),
    ("ex2d", "2d"),
];

/// The flags the report adds to a part's defaults: the figures beyond the
/// sheet, which a part's own default run leaves out.
pub fn report_flags(part: &str) -> &'static [&'static str] {
    match part {
        "ex2c" => &["--capacity", "--snapshots"],
        _ => &[],
    }
}

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
        "core_exact": e1.core_backward_vs_formula == 0.0,
        "relu_margin": format!("{:.3}", e1.relu_margin),
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
    let sweep = b.sweep.as_ref().map_or(Value::Null, sweep_context);
    let diagram = diagram_context(&b.perturbation, b.header.settings.learning_rate)?;
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
                "learning_rate": x.learning_rate,
                "seeds": x.seeds,
                "test_mean": format!("{:.5}", x.test_cost_mean),
                "test_std": format!("{:.5}", x.test_cost_std),
                "test_min": format!("{:.5}", x.test_cost_min),
                "test_max": format!("{:.5}", x.test_cost_max),
                "test_median": format!("{:.5}", median(&test_costs(c, x.hidden, x.learning_rate))),
                "train_mean": format!("{:.5}", x.train_cost_mean),
            })
        })
        .collect();
    let sheet_rate_runs: Vec<&ex2c::RunResult> = c
        .runs
        .iter()
        .filter(|r| {
            summary
                .iter()
                .any(|s| s.hidden == r.hidden && s.learning_rate == r.learning_rate)
        })
        .collect();
    let compare = compare_context(c);
    let rates = rates_context(c);
    let (first_seed, n_seeds) = (c.seeds.first, c.seeds.count);
    let ks: Vec<String> = summary.iter().map(|x| x.hidden.to_string()).collect();
    let ex2c = json!({
        "iterations": thousands(c.iterations),
        "ks": ks.join(" and "),
        "seeds": n_seeds,
        "seed_range": format!("seeds {} to {}", first_seed, first_seed + n_seeds - 1),
        "summary": rows,
        "compare": compare,
        "rates": rates,
        "capacity": c.capacity.as_ref().map_or(Value::Null, capacity_context),
        "snapshots": snapshots_context(c),
        "train_samples": c.train_samples,
        "test_samples": c.test_samples,
        "sin_test_cost": format!("{:.5}", c.test_cost_of_sin_pi_x),
        "sin_train_cost": format!("{:.5}", c.train_cost_of_sin_pi_x),
        "fits_noise": summary.iter().all(|s| s.train_cost_mean < c.train_cost_of_sin_pi_x),
        "runs_above_sin": sheet_rate_runs.iter().filter(|r| r.train_cost >= c.train_cost_of_sin_pi_x).count(),
        "sheet_runs": sheet_rate_runs.len(),
        "fits_noise_none": summary.iter().all(|s| s.train_cost_mean >= c.train_cost_of_sin_pi_x),
        "recipe": {
            "samples": recipes::FUNC_SAMPLES,
            "low": recipes::FUNC_RANGE.0,
            "high": recipes::FUNC_RANGE.1,
            "noise": recipes::FUNC_NOISE_STD,
            "train_seed": recipes::FUNC_TRAIN_SEED,
            "test_seed": recipes::FUNC_TEST_SEED,
        },
        "figure_cost": "ex2c/cost_over_time.svg",
        "figure_response": "ex2c/response.svg",
        "figure_seeds": "ex2c/test_cost_per_seed.svg",
    });

    // 2d: what the hidden units' input weights read
    const MAINLY: f64 = 0.75;
    let units = &d.hidden_units;
    let rows: Vec<&ex2d::HiddenUnit> = units.iter().filter(|u| u.row_share >= MAINLY).collect();
    let cols: Vec<&ex2d::HiddenUnit> = units.iter().filter(|u| u.row_share <= 1.0 - MAINLY).collect();
    let both = units.len() - rows.len() - cols.len(); // "Mostly into" one output: at least twice the weight into the other.
    let rows_to_z1 = rows
        .iter()
        .filter(|u| u.output_weights[0].abs() > 2.0 * u.output_weights[1].abs())
        .count();
    let cols_to_z2 = cols
        .iter()
        .filter(|u| u.output_weights[1].abs() > 2.0 * u.output_weights[0].abs())
        .count();
    let crossing = units.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), u| {
        (lo.min(u.crossing_share), hi.max(u.crossing_share))
    });
    let reading = json!({
        "mainly": format!("{:.0}", 100.0 * MAINLY),
        "rows": rows.len(),
        "cols": cols.len(),
        "both": both,
        "units": units.len(),
        "rows_to_z1": rows_to_z1,
        "cols_to_z2": cols_to_z2,
        "mixed_majority": 2 * both > units.len(),
        "crossing_min": format!("{:.0}", 100.0 * crossing.0),
        "crossing_max": format!("{:.0}", 100.0 * crossing.1),
        "crossing_small": crossing.1 < 0.1,
        "shares": units.iter().enumerate().map(|(k, u)| format!("{k}: {:.2}", u.row_share)).collect::<Vec<_>>().join(", "),
    });
    let encoding = |f: &mlp::stats::LinearFit| {
        let divisor = 1.0 / f.slope;
        let whole = (divisor - divisor.round()).abs() < 1e-9 && f.intercept.abs() < 1e-12 && f.r2 > 1.0 - 1e-12;
        json!({
            "exact": whole,
            "divisor": format!("{}", divisor.round()),
            "slope": format!("{:.4}", f.slope),
            "intercept": format!("{:.4}", f.intercept),
            "r2": format!("{:.4}", f.r2),
        })
    };
    let ex2d = json!({
        "grid": d.r2_z1_row > 0.99 && d.r2_z2_column > 0.99 && d.r2_z1_column < 0.01 && d.r2_z2_row < 0.01,
        "reading": reading,
        "encoding": [encoding(&d.target_encoding[0]), encoding(&d.target_encoding[1])],
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
    let listing = ["deltas", "output_delta", "hidden_delta", "gradient_from_deltas"]
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
        "diagram": diagram,
        "rng": rng,
        "provenance": {
            "profile": prov.profile,
            "flags": PARTS
                .iter()
                .filter(|(name, _)| !report_flags(name).is_empty())
                .map(|(name, _)| format!("`{name} {}`", report_flags(name).join(" ")))
                .collect::<Vec<_>>()
                .join(", "),
            "commit": prov.commit,
            "rustc": prov.rustc,
            "seeds": seeds_text,
            "iterations": iterations_text,
            "timings": prov.timings,
        },
    }))
}

/// The file name of the backprop diagram, made while rendering.
pub const DIAGRAM: &str = "backprop_at_work.svg";
/// The sample the diagram follows through the network: the input
/// x = (1, 1) with target 0.
const DIAGRAM_SAMPLE: ([f64; 2], f64) = ([1.0, 1.0], 0.0);

/// The figures the report makes itself while rendering, by file name:
/// backprop at work on the 2b network.
pub fn generated_figures(metrics: &Metrics) -> Result<Vec<(String, String)>> {
    let (x, target) = DIAGRAM_SAMPLE;
    let b = diagram::backprop_at_work(&metrics.ex2b.perturbation, x, target)?;
    Ok(vec![(DIAGRAM.to_owned(), diagram::diagram_svg(&b))])
}

/// What the report says about backprop at work, from the core's own passes.
fn diagram_context(perturbation: &str, learning_rate: f64) -> Result<Value> {
    let (x, target) = DIAGRAM_SAMPLE;
    let b = diagram::backprop_at_work(perturbation, x, target)?;
    let n = diagram::num;
    let (value, grad) = match b.perturbed {
        diagram::Perturbed::V(k, i) => (b.v_weights[k][i], b.grad_v[k][i]),
        diagram::Perturbed::W(k) => (b.w[k], b.grad_w[k]),
        diagram::Perturbed::B(k) => (b.b[k], b.grad_b[k]),
    };
    let towards = (b.original - value) * grad;
    Ok(json!({
        "figure": DIAGRAM,
        "perturbation": b.perturbation,
        "x1": n(b.x[0]), "x2": n(b.x[1]), "target": n(b.target),
        "y": n(b.y),
        "delta_out": n(b.delta_out),
        "delta_hidden": b.delta_hidden.iter().map(|d| n(*d)).collect::<Vec<_>>().join(", "),
        "value": n(value),
        "original": n(b.original),
        "grad": n(grad),
        "step": n(learning_rate * grad),
        "towards": towards > 0.0,
        "away": towards < 0.0,
    }))
}

/// The costs during the watched runs, as a table: one row per K, one
/// column per iteration count.
fn snapshots_context(c: &ex2c::Metrics) -> Value {
    let Some(first) = c.snapshots.first() else {
        return Value::Null;
    };
    let after: Vec<String> = first.after.iter().map(|a| thousands(a.iterations)).collect();
    let rows: Vec<Value> = c
        .snapshots
        .iter()
        .map(|w| {
            json!({
                "hidden": w.hidden,
                "seed": w.seed,
                "test": w.after.iter().map(|a| format!("{:.4}", a.test_cost)).collect::<Vec<_>>(),
                "train": w.after.iter().map(|a| format!("{:.4}", a.train_cost)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"after": after, "rows": rows, "figure": "ex2c/snapshots.svg"})
}

/// What the report says about the capacity runs, decided from them.
fn capacity_context(cap: &ex2c::Capacity) -> Value {
    use mlp::stats::permutation_p_value;
    let Some(best) = cap
        .summary
        .iter()
        .min_by(|a, b| a.test_cost_mean.total_cmp(&b.test_cost_mean))
    else {
        return Value::Null;
    };
    let largest = cap
        .summary
        .last()
        .expect("a capacity summary with a best size has a last one");
    let costs = |k: usize| -> Vec<f64> { cap.runs.iter().filter(|r| r.hidden == k).map(|r| r.test_cost).collect() };
    let p = permutation_p_value(&costs(best.hidden), &costs(largest.hidden));
    let below = |s: &ex2c::Summary| format!("{:.0}", 100.0 * (1.0 - s.train_cost_mean / s.test_cost_mean));
    let train_below_everywhere = cap.summary.iter().all(|s| s.train_cost_mean < s.test_cost_mean);
    let train_not_below: Vec<String> = cap
        .summary
        .iter()
        .filter(|s| s.train_cost_mean >= s.test_cost_mean)
        .map(|s| s.hidden.to_string())
        .collect();
    json!({
        "sizes": cap.summary.len(),
        "first": cap.summary.first().map(|s| s.hidden),
        "last": largest.hidden,
        "seeds": best.seeds,
        "best": best.hidden,
        "best_mean": format!("{:.5}", best.test_cost_mean),
        "largest_mean": format!("{:.5}", largest.test_cost_mean),
        "best_is_largest": best.hidden == largest.hidden,
        "rises": best.hidden != largest.hidden && p < 0.05,
        "p": if p < 0.001 { "below 0.001".to_owned() } else { format!("= {p:.3}") },
        "train_below_everywhere": train_below_everywhere,
        "train_not_below": train_not_below.join(", "),
        "best_train_below": best.train_cost_mean < best.test_cost_mean,
        "below_best": below(best),
        "below_largest": below(largest),
        "figure": "ex2c/capacity.svg",
    })
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The test costs of the runs of `hidden` units at `learning_rate`.
fn test_costs(c: &ex2c::Metrics, hidden: usize, learning_rate: f64) -> Vec<f64> {
    c.runs
        .iter()
        .filter(|r| r.hidden == hidden && r.learning_rate == learning_rate)
        .map(|r| r.test_cost)
        .collect()
}

/// How two groups of seeds compare: the means, a permutation test of their
/// difference, and how much the seeds overlap. `lo` has the lower mean.
fn groups_context(lo: &ex2c::Summary, hi: &ex2c::Summary, lo_costs: &[f64], hi_costs: &[f64]) -> Value {
    use mlp::stats::{permutation_p_value, share_below};
    let (m1, m2) = (lo.test_cost_mean, hi.test_cost_mean);
    let pooled_sd = ((lo.test_cost_std.powi(2) + hi.test_cost_std.powi(2)) / 2.0).sqrt();
    let p = permutation_p_value(lo_costs, hi_costs);
    let worst_lo = lo_costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let best_hi = hi_costs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi_below_worst_lo = hi_costs.iter().filter(|&&x| x < worst_lo).count();
    let (med_lo, med_hi) = (median(lo_costs), median(hi_costs));
    let lo_above_best_hi = lo_costs.iter().filter(|&&x| x > best_hi).count();
    json!({
        "lower": lo.hidden,
        "higher": hi.hidden,
        "lower_rate": lo.learning_rate,
        "higher_rate": hi.learning_rate,
        "lower_mean": format!("{m1:.5}"),
        "higher_mean": format!("{m2:.5}"),
        "ratio": format!("{:.2}", m2 / m1),
        "sds": if pooled_sd > 0.0 { format!("{:.2}", (m2 - m1) / pooled_sd) } else { "infinitely many".to_owned() },
        "p": if p < 0.001 { "below 0.001".to_owned() } else { format!("{p:.3}") },
        "significant": p < 0.05,
        "pairs": format!("{:.0}", 100.0 * share_below(lo_costs, hi_costs)),
        "overlap": hi_below_worst_lo > 0,
        "hi_below_worst_lo": hi_below_worst_lo,
        "lo_above_best_hi": lo_above_best_hi,
        "lower_median": format!("{med_lo:.5}"),
        "higher_median": format!("{med_hi:.5}"),
        "medians_disagree": med_lo > med_hi,
        "lo_seeds": lo_costs.len(),
        "hi_seeds": hi_costs.len(),
    })
}

/// The comparison of the Ks at the sheet's learning rates (the first and
/// the last by mean test cost).
fn compare_context(c: &ex2c::Metrics) -> Value {
    if c.summary.len() < 2 {
        return Value::Null;
    }
    let mut by_mean: Vec<&ex2c::Summary> = c.summary.iter().collect();
    by_mean.sort_by(|p, q| p.test_cost_mean.total_cmp(&q.test_cost_mean));
    let (lo, hi) = (by_mean[0], by_mean[by_mean.len() - 1]);
    groups_context(
        lo,
        hi,
        &test_costs(c, lo.hidden, lo.learning_rate),
        &test_costs(c, hi.hidden, hi.learning_rate),
    )
}

/// The Ks compared at each one learning rate, where every K ran at it.
fn rates_context(c: &ex2c::Metrics) -> Value {
    let all: Vec<&ex2c::Summary> = c.summary.iter().chain(&c.other_rates).collect();
    let mut rates: Vec<f64> = c.summary.iter().map(|s| s.learning_rate).collect();
    rates.dedup();
    let ks: Vec<usize> = c.summary.iter().map(|s| s.hidden).collect();
    let mut comparisons = Vec::new();
    for &eta in &rates {
        let mut at: Vec<&ex2c::Summary> = all.iter().copied().filter(|s| s.learning_rate == eta).collect();
        if at.len() != ks.len() || at.len() < 2 {
            continue;
        }
        at.sort_by(|p, q| p.test_cost_mean.total_cmp(&q.test_cost_mean));
        let (lo, hi) = (at[0], at[at.len() - 1]);
        comparisons.push(groups_context(
            lo,
            hi,
            &test_costs(c, lo.hidden, eta),
            &test_costs(c, hi.hidden, eta),
        ));
    }
    if comparisons.is_empty() {
        return Value::Null;
    }
    let table: Vec<Value> = ks
        .iter()
        .map(|&k| {
            let cells: Vec<String> = rates
                .iter()
                .map(|&eta| {
                    all.iter()
                        .find(|s| s.hidden == k && s.learning_rate == eta)
                        .map_or("—".to_owned(), |s| {
                            format!("{:.5} ± {:.5}", s.test_cost_mean, s.test_cost_std)
                        })
                })
                .collect();
            json!({"hidden": k, "cells": cells})
        })
        .collect();
    // What the significant comparisons say, and only those.
    let significant: Vec<&Value> = comparisons.iter().filter(|x| x["significant"] == true).collect();
    let lower_of = |x: &Value| x["lower"].as_u64().unwrap_or(0);
    let one_lower = significant.windows(2).all(|w| lower_of(w[0]) == lower_of(w[1]));
    // Groups that end above the noise-free function's training cost: not
    // even fitted as well as the function that made the data.
    let under: Vec<Value> = all
        .iter()
        .filter(|s| s.train_cost_mean > c.train_cost_of_sin_pi_x)
        .map(|s| {
            let runs: Vec<&ex2c::RunResult> = c
                .runs
                .iter()
                .filter(|r| r.hidden == s.hidden && r.learning_rate == s.learning_rate)
                .collect();
            json!({
                "hidden": s.hidden,
                "learning_rate": s.learning_rate,
                "train_mean": format!("{:.5}", s.train_cost_mean),
                "runs": runs.len(),
                "above": runs.iter().filter(|r| r.train_cost > c.train_cost_of_sin_pi_x).count(),
            })
        })
        .collect();
    json!({
        "rates": rates.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "table": table,
        "comparisons": comparisons,
        "none_significant": significant.is_empty(),
        "all_significant": significant.len() == comparisons.len(),
        "significant_lower": if !significant.is_empty() && one_lower { lower_of(significant[0]) } else { 0 },
        "significant_rates": significant.iter().map(|x| x["lower_rate"].to_string()).collect::<Vec<_>>().join(" and "),
        "under": under,
        "sin_train_cost": format!("{:.5}", c.train_cost_of_sin_pi_x),
    })
}

/// What the report says about the 2b sweep, decided from its metrics.
fn sweep_context(sw: &ex2b::Sweep) -> Value {
    let orders = sw.seeds.count;
    let cells: Vec<u64> = sw.failed.iter().flatten().copied().collect();
    let failing = cells.iter().filter(|&&n| n > 0).count();
    let always = cells.iter().filter(|&&n| n == orders).count();
    let sometimes = failing - always;
    let failed = sw.failures.len();
    let dead_counts: Vec<usize> = sw
        .failures
        .iter()
        .filter_map(|f| match &f.diagnosis {
            FailureReason::DeadUnits { units } => Some(units.len()),
            _ => None,
        })
        .collect();
    let dead = dead_counts.len();
    let with = |n: usize| dead_counts.iter().filter(|&&c| c == n).count();
    let hidden_units = sw.parameters.iter().filter(|p| p.starts_with("b[")).count();
    let one_dead = with(1);
    let all_dead = with(hidden_units);
    let stationary = sw
        .failures
        .iter()
        .filter(|f| matches!(f.diagnosis, FailureReason::Stationary { .. }))
        .count();
    let descending = failed - dead - stationary;
    // An input every hidden unit ignores gets y = 0 and sends no gradient;
    // at cost 1/8 that input has target 1 and the other three are fitted.
    let silent: Vec<&ex2b::Failure> = sw.failures.iter().filter(|f| !f.silent_inputs.is_empty()).collect();
    let plateau: Vec<&ex2b::Failure> = silent
        .iter()
        .copied()
        .filter(|f| (f.final_cost - 0.125).abs() < 1e-6)
        .collect();
    let one_dead_plateau = plateau
        .iter()
        .filter(|f| matches!(&f.diagnosis, FailureReason::DeadUnits { units } if units.len() == 1))
        .count();
    let stationary_plateau = plateau
        .iter()
        .filter(|f| matches!(f.diagnosis, FailureReason::Stationary { .. }))
        .count();
    let rows: Vec<Value> = sw
        .parameters
        .iter()
        .zip(&sw.failed)
        .filter(|(_, row)| row.iter().any(|&n| n > 0))
        .map(|(p, row)| {
            let list: Vec<String> = row
                .iter()
                .zip(&sw.offsets)
                .filter(|(n, _)| **n > 0)
                .map(|(n, o)| format!("{o:+} ({n})"))
                .collect();
            json!({
                "parameter": p,
                "offsets": list.join(", "),
                "failed": row.iter().sum::<u64>(),
                "runs": row.len() as u64 * orders,
            })
        })
        .collect();
    let percent = |n: usize, of: usize| {
        if of == 0 {
            "0".to_owned()
        } else {
            format!("{:.0}", 100.0 * n as f64 / of as f64)
        }
    };
    json!({
        "parameters": sw.parameters.len(),
        "offsets": sw.offsets.len(),
        "first_offset": format!("{:+}", sw.offsets.first().copied().unwrap_or(0.0)),
        "last_offset": format!("{:+}", sw.offsets.last().copied().unwrap_or(0.0)),
        "orders": orders,
        "first_seed": sw.seeds.first,
        "last_seed": sw.seeds.first + orders - 1,
        "perturbations": thousands(sw.perturbations as u64),
        "runs": thousands(sw.runs as u64),
        "recovered": thousands(sw.recovered as u64),
        "recovered_percent": percent(sw.recovered, sw.runs),
        "failed": thousands(failed as u64),
        "any_failed": failed > 0,
        "failing_perturbations": failing,
        "always": always,
        "sometimes": sometimes,
        "order_matters": sometimes > 0,
        "dead": dead,
        "dead_percent": percent(dead, failed),
        "one_dead": one_dead,
        "one_dead_plateau": one_dead_plateau,
        "one_dead_other": one_dead - one_dead_plateau,
        "all_dead": all_dead,
        "hidden_units": hidden_units,
        "stationary": stationary,
        "descending": descending,
        "silent": silent.len(),
        "plateau": plateau.len(),
        "plateau_percent": percent(plateau.len(), failed),
        "stationary_plateau": stationary_plateau,
        "rows": rows,
        "never": sw
            .parameters
            .iter()
            .zip(&sw.failed)
            .filter(|(_, row)| row.iter().all(|&n| n == 0))
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        "figure": "ex2b/perturbation_sweep.svg",
    })
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
/// Figures are `generated` ones (made while rendering) or read from
/// `report` (paths in the Markdown are relative to it).
pub fn render(root: &Path, report: &Path, ctx: &Value, generated: &[(String, String)]) -> Result<(String, String)> {
    let templates = root.join("templates");
    let read =
        |name: &str| std::fs::read_to_string(templates.join(name)).with_context(|| format!("reading templates/{name}"));
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("report.md", &read("report.md.tera")?)?;
    tera.add_raw_template("report.html", &read("report.html.tera")?)?;
    let context = tera::Context::from_value(ctx.clone())?;
    let md = number_figures(&tera.render("report.md", &context).map_err(tera_error)?)?;
    let body = markdown_to_html(&md, report, generated)?;
    let mut page = tera::Context::new();
    page.insert("body", &body);
    page.insert(
        "css",
        &format!("{}\n{}", math_font_face(&templates)?, read("report.css")?),
    );
    page.insert("title", "Exercise sheet 4: the backpropagation algorithm");
    let html = tera.render("report.html", &page).map_err(tera_error)?;
    Ok((md, html))
}

/// The notebook of the report: its Markdown `md` in cells, the figures from
/// `generated` or the `report` folder, and the checks of 2a and 2b on the
/// XOR data the 2a run used. Checked against the nbformat rules it keeps.
pub fn notebook(
    root: &Path,
    report: &Path,
    md: &str,
    metrics: &Metrics,
    generated: &[(String, String)],
) -> Result<String> {
    let figure = |path: &str| -> Result<String> {
        if let Some((_, svg)) = generated.iter().find(|(p, _)| p == path) {
            return Ok(svg.clone());
        }
        let file = report.join(path);
        std::fs::read_to_string(&file).with_context(|| format!("reading figure {}", file.display()))
    };
    let data_path = root.join(&metrics.ex2a.header.data);
    let data = exercise_harness::data::load_data(&data_path, 2, 1)?;
    let rows = |v: &[f64], n: usize| v.chunks(n).map(<[f64]>::to_vec).collect::<Vec<_>>();
    let xor = crate::notebook::XorData {
        inputs: rows(data.all_inputs(), 2),
        targets: rows(data.all_targets(), 1),
    };
    let text = crate::notebook::notebook(md, &figure, metrics, &xor)?;
    crate::notebook::check(&text).context("the notebook breaks an nbformat rule")?;
    Ok(text)
}

/// The `@font-face` rule that carries the report's math font inside the
/// page: formulas then render the same where no math font is installed
/// (see `templates/fonts/README.md`).
fn math_font_face(templates: &Path) -> Result<String> {
    use base64::Engine;
    let path = templates.join("fonts/report-math.woff2");
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!(
        "@font-face {{ font-family: \"Report Math\"; font-style: normal; font-weight: normal; \
         src: url(data:font/woff2;base64,{}) format(\"woff2\"); }}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
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
