//! Exercise 2b: from a perturbed XOR start, backprop returns the network to a
//! perfect solution; beyond the sheet, a sweep over every parameter and a
//! grid of offsets shows which perturbations do not recover, and why.

use anyhow::{Context, Result};
use clap::Parser;
use mlp::cli::{CommonArgs, run};
use mlp::experiment::{Run, default_data, load_data};
use mlp::network::Network;
use mlp::output::{Outputs, prepare_out_dir};
use mlp::plot::{Curve, cost_over_time, format_count, heatmap};
use mlp::sheet::{ParamIndex, Perturbation, xor_start};
use mlp::train::{TrainConfig, dataset_cost};
use mlp::{Dataset, Tape};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exercise 2b: change one parameter of the perfect XOR start and let
/// backprop bring the cost back to zero.
///
/// The main run starts from the course's start with --perturb applied
/// (default W[0,1]=0) and writes cost_over_time.svg. Then, unless
/// --no-sweep, every one of the 12 parameters is offset by every value on a
/// grid from -3 to +3 and trained the same way; perturbation_sweep.svg shows
/// the final data-set cost as a heat map and metrics.json lists the
/// perturbations that do not recover, with the reason where it is visible
/// (for example a ReLU unit that never fires again).
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    /// XOR data: .npz with inp/out (or X/Y), or .npy with the target in the
    /// last column [default: data/xor_data.npz]
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,

    /// The change to the start: NAME[ROW,COL]=VALUE for V (3 x 2) or W
    /// (1 x 3), b[INDEX]=VALUE for b (3), 0-based
    #[arg(long, value_name = "P[I,J]=X", default_value = "W[0,1]=0")]
    perturb: Perturbation,

    /// Step of the sweep's offset grid from -3 to +3
    #[arg(long, value_name = "STEP", default_value_t = 0.25, value_parser = parse_step)]
    sweep_step: f64,

    /// Skip the perturbation sweep
    #[arg(long)]
    no_sweep: bool,
}

fn parse_step(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.01..=3.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("expected a step from 0.01 to 3, got {s}"))
    }
}

const ITERATIONS: u64 = 10_000;
/// A data-set cost below this counts as recovered.
const RECOVERED: f64 = 1e-6;

fn main() -> ExitCode {
    run(|args: Args| {
        let out = args.common.out_dir("ex2b");
        let data_path = args.data.clone().unwrap_or_else(|| default_data("xor_data.npz"));
        let data = load_data(&data_path, 2, 1)?;
        let config = args.common.train_config(3, ITERATIONS)?;
        let mut start = xor_start();
        let original = args
            .perturb
            .apply(&mut start)
            .map_err(|e| anyhow::anyhow!("--perturb {}: {e}", args.perturb))?;
        prepare_out_dir(&out)?;
        let main_run = Run::train_alone(
            format!("perturbed-seed{}", config.seed()),
            &start,
            &data,
            &config,
            &mut config.rng(),
            "2b",
        )?;
        let sweep = if args.no_sweep {
            None
        } else {
            Some(sweep(&data, &config, args.sweep_step)?)
        };
        report(
            &args,
            &out,
            &data_path,
            &data,
            &config,
            original,
            &main_run,
            sweep.as_ref(),
        )
    })
}

/// One cell of the sweep.
#[derive(Clone, Debug, Serialize)]
struct Cell {
    parameter: String,
    offset: f64,
    final_cost: f64,
    recovered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip)]
    run: Run,
}

struct Sweep {
    names: Vec<String>,
    offsets: Vec<f64>,
    cells: Vec<Vec<Cell>>,
}

fn offsets(step: f64) -> Vec<f64> {
    let n = (3.0 / step + 1e-9).floor() as i64;
    (-n..=n).map(|i| i as f64 * step).collect()
}

fn sweep(data: &Dataset, config: &TrainConfig, step: f64) -> Result<Sweep> {
    let base = xor_start();
    let params = ParamIndex::all(&base);
    let offsets = offsets(step);
    let jobs: Vec<(usize, usize)> = (0..params.len())
        .flat_map(|p| (0..offsets.len()).map(move |o| (p, o)))
        .collect();
    let mut results: Vec<(usize, usize, Cell)> = jobs
        .par_iter()
        .map(|&(p, o)| -> Result<(usize, usize, Cell)> {
            let mut start = base.clone();
            start.params_mut()[p] += offsets[o];
            let name = format!("sweep-{}{:+.2}", params[p], offsets[o]).replace(['[', ']', ','], "_");
            let run = Run::train(name, &start, data, config, &mut config.rng(), None)
                .with_context(|| format!("sweep {}{:+}", params[p], offsets[o]))?;
            let final_cost = run.final_cost(data);
            let recovered = final_cost < RECOVERED;
            let reason = (!recovered).then(|| diagnose(&run, data));
            Ok((
                p,
                o,
                Cell {
                    parameter: params[p].to_string(),
                    offset: offsets[o],
                    final_cost,
                    recovered,
                    reason,
                    run,
                },
            ))
        })
        .collect::<Result<_>>()?;
    results.sort_by_key(|r| (r.0, r.1));
    let mut cells: Vec<Vec<Cell>> = vec![Vec::with_capacity(offsets.len()); params.len()];
    for (p, _, cell) in results {
        cells[p].push(cell);
    }
    Ok(Sweep {
        names: params.iter().map(|p| p.to_string()).collect(),
        offsets,
        cells,
    })
}

/// Why a run did not recover, where the reason is visible in the trained
/// network: dead ReLU units, a stationary point, or still descending.
fn diagnose(run: &Run, data: &Dataset) -> String {
    let net = &run.trained;
    let mut tape = net.tape();
    let k = net.layers()[0].units;
    let mut fires = vec![false; k];
    for i in 0..data.len() {
        net.forward(data.input(i), &mut tape);
        for (f, &v) in fires.iter_mut().zip(tape.v(1)) {
            *f |= v > 0.0;
        }
    }
    let dead: Vec<usize> = (0..k).filter(|&j| !fires[j]).collect();
    if !dead.is_empty() {
        let list = dead.iter().map(|j| j.to_string()).collect::<Vec<_>>().join(" and ");
        let (units, verb) = if dead.len() == 1 {
            ("unit", "fires")
        } else {
            ("units", "fire")
        };
        return format!(
            "hidden {units} {list} (0-based) never {verb} on any input (dead ReLU: v <= 0 for all four inputs), \
             so phi'(v) = 0, no gradient reaches {} weights and the remaining units cannot represent XOR",
            if dead.len() == 1 { "its" } else { "their" }
        );
    }
    let grad_norm = full_batch_gradient_norm(net, data, &mut tape);
    let bins: Vec<f64> = run.trace.bins().map(|b| b.mean).collect();
    let late = bins[bins.len() * 3 / 4];
    let last = *bins.last().expect("a trace has bins");
    if last < 0.5 * late {
        format!(
            "still descending when training stopped (cost fell from {late:.2e} to {last:.2e} over the last quarter); more iterations would help"
        )
    } else {
        format!(
            "stuck at a stationary point that is not a solution (gradient norm {grad_norm:.1e}): a local minimum or plateau of the cost"
        )
    }
}

fn full_batch_gradient_norm(net: &Network, data: &Dataset, tape: &mut Tape) -> f64 {
    let mut total = vec![0.0; net.params().len()];
    let mut g = vec![0.0; net.params().len()];
    for i in 0..data.len() {
        net.forward(data.input(i), tape);
        net.backward(data.target(i), tape, &mut g);
        for (t, x) in total.iter_mut().zip(&g) {
            *t += x / data.len() as f64;
        }
    }
    total.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[allow(clippy::too_many_arguments)]
fn report(
    args: &Args,
    out: &Path,
    data_path: &Path,
    data: &Dataset,
    config: &TrainConfig,
    original: f64,
    main_run: &Run,
    sweep: Option<&Sweep>,
) -> Result<()> {
    let initial_cost = dataset_cost(&main_run.initial, data);
    let final_cost = main_run.final_cost(data);
    let mut outputs = Outputs::new();
    let title = format!(
        "2b: XOR from the start with {} (was {original}), {} iterations",
        args.perturb,
        format_count(config.iterations() as f64)
    );
    let curve = Curve::from_trace("per-sample cost, mean per bin", &main_run.trace, true);
    outputs.add(
        out.join("cost_over_time.svg"),
        cost_over_time(
            &title,
            &format!("iteration (bins of {})", main_run.trace.bin_size()),
            &[curve],
        )?,
    );
    let mut metrics = json!({
        "exercise": "2b",
        "data": data_path.display().to_string(),
        "iterations": config.iterations(),
        "learning_rate": config.learning_rate(),
        "momentum": config.momentum(),
        "sampling": config.sampling(),
        "seed": config.seed(),
        "perturbation": args.perturb.to_string(),
        "original_value": original,
        "initial_cost": initial_cost,
        "final_cost": final_cost,
        "recovered": final_cost < RECOVERED,
        "recovery_threshold": RECOVERED,
        "final_weights": mlp::output::weights_json(&main_run.trained)?,
    });
    if args.common.save_weights {
        main_run.add_weights(&mut outputs, out)?;
    }
    let mut failures = Vec::new();
    if let Some(s) = sweep {
        let floor = -16.0;
        let log_costs: Vec<Vec<f64>> = s
            .cells
            .iter()
            .map(|row| row.iter().map(|c| c.final_cost.log10().max(floor)).collect())
            .collect();
        let top = log_costs.iter().flatten().fold(floor + 1.0, |a, &b| a.max(b)).ceil();
        outputs.add(
            out.join("perturbation_sweep.svg"),
            heatmap(
                &format!(
                    "2b sweep: final cost after {} iterations from start + offset",
                    format_count(config.iterations() as f64)
                ),
                &format!("offset added to the parameter (×: not recovered, final cost ≥ {RECOVERED:.0e})"),
                "perturbed parameter",
                "log10 final data-set cost (−16: 1e-16 or less)",
                &s.names,
                &s.offsets,
                &log_costs,
                (floor, top),
                |r, c| !s.cells[r][c].recovered,
            )?,
        );
        failures = s.cells.iter().flatten().filter(|c| !c.recovered).cloned().collect();
        let total = s.cells.iter().map(Vec::len).sum::<usize>();
        metrics["sweep"] = json!({
            "offsets": s.offsets,
            "parameters": s.names,
            "runs": total,
            "recovered": total - failures.len(),
            "not_recovered": failures,
            "final_cost": s.cells.iter().map(|row| row.iter().map(|c| c.final_cost).collect::<Vec<_>>()).collect::<Vec<_>>(),
        });
        if args.common.save_weights {
            for cell in s.cells.iter().flatten() {
                cell.run.add_weights(&mut outputs, &out.join("sweep"))?;
            }
        }
    }
    outputs.add_json(out.join("metrics.json"), &metrics)?;
    let written: Vec<String> = outputs
        .paths()
        .filter(|p| p.extension().is_some_and(|e| e != "npz"))
        .map(|p| p.display().to_string())
        .collect();
    outputs.commit()?;
    println!(
        "Exercise 2b: XOR from the start with {} (was {original}), {} iterations ({} sampling, seed {})",
        args.perturb,
        config.iterations(),
        config.sampling(),
        config.seed()
    );
    println!("  data-set cost before training: {initial_cost:.6e}, after: {final_cost:.6e}");
    println!(
        "  {}",
        if final_cost < RECOVERED {
            "the network is back to a perfect solution."
        } else {
            "the network did not recover within these iterations."
        }
    );
    if let Some(s) = sweep {
        let total = s.cells.iter().map(Vec::len).sum::<usize>();
        println!(
            "  sweep: {} of {total} perturbations (12 parameters x {} offsets from -3 to +3) recover; {} do not:",
            total - failures.len(),
            s.offsets.len(),
            failures.len()
        );
        for f in failures.iter().take(12) {
            println!(
                "    {}{:+}: cost {:.2e}: {}",
                f.parameter,
                f.offset,
                f.final_cost,
                f.reason.as_deref().unwrap_or("")
            );
        }
        if failures.len() > 12 {
            println!("    ... and {} more in metrics.json", failures.len() - 12);
        }
    }
    println!("  wrote {}", written.join(", "));
    Ok(())
}
