//! Exercise 2b: from a perturbed XOR start, backprop returns the network to a
//! perfect solution; beyond the sheet, a sweep over every parameter and a
//! grid of offsets shows which perturbations do not recover, and why.

use anyhow::{Context, Result};
use clap::Parser;
use exercise_harness::cli::CommonArgs;
use exercise_harness::data::{default_data, load_data};
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::ex2b::{Failure, FailureReason, Metrics, Sweep as SweepMetrics};
use exercise_harness::metrics::{Header, SheetWeights};
use exercise_harness::output::OutputSet;
use exercise_harness::plot::{Curve, cost_over_time, format_count, heatmap};
use exercise_harness::run::Run;
use exercise_harness::sheet::{ParamIndex, Perturbation, xor_start};
use mlp::train::{TrainConfig, dataset_cost};
use mlp::{Dataset, Network, Tape};
use rayon::prelude::*;
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

struct PerturbedStart {
    args: Args,
    data_path: PathBuf,
    data: Dataset,
    config: TrainConfig,
    /// The perturbed start and the parameter's value before the change.
    start: Network,
    original: f64,
}

/// The main run and the sweep.
struct Trained {
    main_run: Run,
    sweep: Option<Sweep>,
}

impl Exercise for PerturbedStart {
    const NAME: &'static str = "ex2b";
    type Args = Args;
    type Trained = Trained;

    fn prepare(args: Args) -> Result<Self> {
        let data_path = args.data.clone().unwrap_or_else(|| default_data("xor_data.npz"));
        let data = load_data(&data_path, 2, 1)?;
        let config = args.common.train_config(3, ITERATIONS)?;
        let mut start = xor_start();
        let original = args
            .perturb
            .apply(&mut start)
            .map_err(|e| anyhow::anyhow!("--perturb {}: {e}", args.perturb))?;
        Ok(PerturbedStart {
            args,
            data_path,
            data,
            config,
            start,
            original,
        })
    }

    fn train(&self) -> Result<Trained> {
        let config = &self.config;
        let main_run = Run::train_alone(
            format!("perturbed-seed{}", config.seed()),
            &self.start,
            &self.data,
            config,
            &mut config.rng(),
            "2b",
        )?;
        let sweep = if self.args.no_sweep {
            None
        } else {
            Some(sweep(&self.data, config, self.args.sweep_step)?)
        };
        Ok(Trained { main_run, sweep })
    }

    fn outputs(&self, trained: &Trained, set: &mut OutputSet) -> Result<Vec<String>> {
        let (args, config, data) = (&self.args, &self.config, &self.data);
        let (main_run, original) = (&trained.main_run, self.original);
        let initial_cost = dataset_cost(&main_run.initial, data);
        let final_cost = main_run.final_cost(data);
        let title = format!(
            "2b: XOR from the start with {} (was {original}), {} iterations",
            args.perturb,
            format_count(config.iterations() as f64)
        );
        let curve = Curve::from_trace("per-sample cost, mean per bin", &main_run.trace, true);
        set.add(
            "cost_over_time.svg",
            cost_over_time(
                &title,
                &format!("iteration (bins of {})", main_run.trace.bin_size()),
                &[curve],
            )?,
        );
        if args.common.save_weights {
            main_run.add_weights(set, Path::new(""))?;
        }
        let sweep = match &trained.sweep {
            Some(s) => Some(sweep_outputs(s, config, args.common.save_weights, set)?),
            None => None,
        };
        let mut summary = vec![
            format!(
                "Exercise 2b: XOR from the start with {} (was {original}), {} iterations ({} sampling, seed {})",
                args.perturb,
                config.iterations(),
                config.sampling(),
                config.seed()
            ),
            format!("  data-set cost before training: {initial_cost:.6e}, after: {final_cost:.6e}"),
            format!(
                "  {}",
                if final_cost < RECOVERED {
                    "the network is back to a perfect solution."
                } else {
                    "the network did not recover within these iterations."
                }
            ),
        ];
        if let Some(s) = &sweep {
            summary.push(format!(
                "  sweep: {} of {} perturbations (12 parameters x {} offsets from -3 to +3) recover; {} do not:",
                s.recovered,
                s.runs,
                s.offsets.len(),
                s.not_recovered.len()
            ));
            for f in s.not_recovered.iter().take(12) {
                summary.push(format!(
                    "    {}{:+}: cost {:.2e}: {}",
                    f.parameter, f.offset, f.final_cost, f.reason
                ));
            }
            if s.not_recovered.len() > 12 {
                summary.push(format!(
                    "    ... and {} more in metrics.json",
                    s.not_recovered.len() - 12
                ));
            }
        }
        set.add_json(
            "metrics.json",
            &Metrics {
                header: Header::new("2b", &self.data_path, config),
                perturbation: args.perturb.to_string(),
                original_value: original,
                initial_cost,
                final_cost,
                recovered: final_cost < RECOVERED,
                recovery_threshold: RECOVERED,
                final_weights: SheetWeights::of(&main_run.trained)?,
                sweep,
            },
        )?;
        Ok(summary)
    }
}

fn main() -> ExitCode {
    flow::main::<PerturbedStart>()
}

/// One cell of the sweep.
#[derive(Clone, Debug)]
struct Cell {
    final_cost: f64,
    recovered: bool,
    reason: Option<FailureReason>,
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
fn diagnose(run: &Run, data: &Dataset) -> FailureReason {
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
        return FailureReason::DeadUnits { units: dead };
    }
    let bins: Vec<f64> = run.trace.bins().map(|b| b.mean).collect();
    let late = bins[bins.len() * 3 / 4];
    let last = *bins.last().expect("a trace has bins");
    if last < 0.5 * late {
        FailureReason::StillDescending { from: late, to: last }
    } else {
        FailureReason::Stationary {
            gradient_norm: full_batch_gradient_norm(net, data, &mut tape),
        }
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

/// The sweep's heat map and (if asked) weights into the set; its metrics.
fn sweep_outputs(s: &Sweep, config: &TrainConfig, save_weights: bool, set: &mut OutputSet) -> Result<SweepMetrics> {
    let floor = -16.0;
    let log_costs: Vec<Vec<f64>> = s
        .cells
        .iter()
        .map(|row| row.iter().map(|c| c.final_cost.log10().max(floor)).collect())
        .collect();
    let top = log_costs.iter().flatten().fold(floor + 1.0, |a, &b| a.max(b)).ceil();
    set.add(
        "perturbation_sweep.svg",
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
    if save_weights {
        for cell in s.cells.iter().flatten() {
            cell.run.add_weights(set, Path::new("sweep"))?;
        }
    }
    let mut not_recovered = Vec::new();
    for (p, row) in s.cells.iter().enumerate() {
        for (o, cell) in row.iter().enumerate() {
            if let Some(reason) = &cell.reason {
                not_recovered.push(Failure::new(
                    s.names[p].clone(),
                    s.offsets[o],
                    cell.final_cost,
                    reason.clone(),
                ));
            }
        }
    }
    let runs = s.cells.iter().map(Vec::len).sum::<usize>();
    Ok(SweepMetrics {
        offsets: s.offsets.clone(),
        parameters: s.names.clone(),
        runs,
        recovered: runs - not_recovered.len(),
        not_recovered,
        final_cost: s
            .cells
            .iter()
            .map(|row| row.iter().map(|c| c.final_cost).collect())
            .collect(),
    })
}
