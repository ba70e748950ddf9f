//! Exercise 2b: from a perturbed XOR start, backprop returns the network to a
//! perfect solution; beyond the sheet, a sweep over every parameter and a
//! grid of offsets shows which perturbations do not recover, and why.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use anyhow::{Context, Result};
use clap::Parser;
use exercise_harness::cli::{CommonArgs, seed_series};
use exercise_harness::data::{default_data, load_data};
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::ex2b::{Failure, FailureReason, Metrics, Sweep as SweepMetrics};
use exercise_harness::metrics::{Header, Seeds, SheetWeights};
use exercise_harness::output::OutputSet;
use exercise_harness::plot::{Curve, cost_over_time, format_count, heatmap};
use exercise_harness::run::{Run, progress_for};
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
/// --no-sweep, every one of the 12 parameters is offset by every nonzero
/// value on a grid from -3 to +3 and trained the same way from
/// --sweep-seeds sample orders; perturbation_sweep.svg shows the share of
/// sample orders that do not recover as a heat map, and metrics.json lists
/// every run that does not recover with what its trained network shows
/// (for example a ReLU unit that no longer fires on any input).
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

    /// Step of the sweep's offset grid from -3 to +3 (0 left out), from 0.01
    /// to 3
    #[arg(long, value_name = "STEP", default_value_t = 0.25, value_parser = parse_step, allow_hyphen_values = true)]
    sweep_step: f64,

    /// Sample orders per perturbation in the sweep, 1 to 1000: seeds --seed ..
    /// --seed + N
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000), allow_negative_numbers = true)]
    sweep_seeds: u64,

    /// Skip the perturbation sweep
    #[arg(long, conflicts_with_all = ["sweep_step", "sweep_seeds"])]
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
    /// The sweep's configuration for each of its sample orders (checked
    /// before any training).
    sweep_configs: Vec<TrainConfig>,
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
        let data_path = args
            .data
            .clone()
            .map_or_else(|| default_data("xor_data.npz", "--data"), Ok)?;
        let data = load_data(&data_path, 2, 1)?;
        let config = args.common.train_config(3, ITERATIONS)?;
        let mut start = xor_start();
        let original = args
            .perturb
            .apply(&mut start)
            .map_err(|e| exercise_harness::cli::usage(format!("--perturb {}: {e}", args.perturb)))?;
        let sweep_configs = if args.no_sweep {
            Vec::new()
        } else {
            seed_series(&config, args.sweep_seeds, "--sweep-seeds")?
        };
        Ok(PerturbedStart {
            args,
            data_path,
            data,
            config,
            start,
            original,
            sweep_configs,
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
            Some(sweep(&self.data, &self.sweep_configs, self.args.sweep_step)?)
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
                "Exercise 2b: XOR from the start with {} (was {original}), {} ({} sampling, seed {})",
                args.perturb,
                exercise_harness::cli::count(config.iterations(), "iteration"),
                config.sampling(),
                config.seed()
            ),
            format!("  data-set cost before training: {initial_cost:.6e}, after: {final_cost:.6e}"),
            format!(
                "  {}",
                if args.perturb.value == original {
                    "nothing was perturbed: the parameter already has that value at the course's start."
                } else if final_cost < RECOVERED {
                    "the network is back to a perfect solution."
                } else {
                    "the network did not recover within these iterations."
                }
            ),
        ];
        if let Some(s) = &sweep {
            summary.push(format!(
                "  sweep: {} perturbations ({} parameters x {} nonzero offsets from {:+} to {:+}),",
                s.perturbations,
                s.parameters.len(),
                s.offsets.len(),
                s.offsets.first().copied().unwrap_or(0.0),
                s.offsets.last().copied().unwrap_or(0.0),
            ));
            summary.push(format!(
                "    {} each: {} of {} runs recover",
                exercise_harness::cli::count(s.seeds.count, "sample order"),
                s.recovered,
                s.runs,
            ));
            let cells: Vec<u64> = s.failed.iter().flatten().copied().collect();
            let failing = cells.iter().filter(|&&n| n > 0).count();
            if failing > 0 {
                let always = cells.iter().filter(|&&n| n == s.seeds.count).count();
                let parameters: Vec<&str> = s
                    .parameters
                    .iter()
                    .zip(&s.failed)
                    .filter(|(_, row)| row.iter().any(|&n| n > 0))
                    .map(|(p, _)| p.as_str())
                    .collect();
                let all = if always == 0 {
                    "none".to_owned()
                } else {
                    always.to_string()
                };
                summary.push(format!(
                    "  {failing} perturbation{} fail{} from some sample orders ({all} from every one), on {}",
                    if failing == 1 { "" } else { "s" },
                    if failing == 1 { "s" } else { "" },
                    parameters.join(", ")
                ));
                summary
                    .push("    (each with its failed runs in metrics.json: sweep.failed, sweep.failures)".to_owned());
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
                initial_weights: SheetWeights::of(&main_run.initial)?,
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

/// One run of the sweep: its outcome, and the run itself where its weights
/// are kept (the first seed of each perturbation; the others would hold
/// thousands of cost traces in memory for nothing).
#[derive(Clone, Debug)]
struct SweepRun {
    seed: u64,
    final_cost: f64,
    /// Why it failed, the samples no hidden unit responds to at the end,
    /// and the full-batch gradient's norm there; `None` for a run that
    /// recovered.
    failure: Option<(FailureReason, Vec<usize>, f64)>,
    run: Option<Run>,
}

struct Sweep {
    names: Vec<String>,
    /// See [`SweepMetrics::mirror_pairs`].
    mirror_pairs: Vec<[String; 2]>,
    offsets: Vec<f64>,
    seeds: Seeds,
    /// `cells[parameter][offset]`: the runs of that perturbation, by seed.
    cells: Vec<Vec<Vec<SweepRun>>>,
}

/// The nonzero multiples of `step` from -3 to +3, each the decimal it
/// stands for (`-2.7` for 9 steps of 0.3, not `-2.6999999999999997`).
fn offsets(step: f64) -> Vec<f64> {
    let n = (3.0 / step + 1e-9).floor() as i64;
    (-n..=n)
        .filter(|&i| i != 0)
        .map(|i| (i as f64 * step * 1e9).round() / 1e9)
        .collect()
}

/// Trains every perturbation from each of `configs` (one per sample order).
fn sweep(data: &Dataset, configs: &[TrainConfig], step: f64) -> Result<Sweep> {
    let base = xor_start();
    let params = ParamIndex::all(&base);
    let offsets = offsets(step);
    let (n_offsets, n_seeds) = (offsets.len(), configs.len());
    let jobs: Vec<(usize, usize, usize)> = (0..params.len())
        .flat_map(|p| (0..n_offsets).flat_map(move |o| (0..n_seeds).map(move |s| (p, o, s))))
        .collect();
    let total = jobs.len() as u64 * configs.first().map_or(0, TrainConfig::iterations);
    let bar = progress_for(total, "2b sweep");
    /// Which perturbation and sample order, and how its run ended.
    type Done = ((usize, usize, usize), SweepRun);
    let results: Result<Vec<Done>> = jobs
        .par_iter()
        .map(|&(p, o, s)| -> Result<_> {
            let config = &configs[s];
            let mut start = base.clone();
            start.params_mut()[p] += offsets[o];
            let name =
                format!("sweep-{}{:+.2}-seed{}", params[p], offsets[o], config.seed()).replace(['[', ']', ','], "_");
            let run = Run::train(name, &start, data, config, &mut config.rng(), bar.as_ref())
                .with_context(|| format!("sweep {}{:+} seed {}", params[p], offsets[o], config.seed()))?;
            let final_cost = run.final_cost(data);
            let failure = (final_cost >= RECOVERED).then(|| diagnose(&run, data));
            Ok((
                (p, o, s),
                SweepRun {
                    seed: config.seed(),
                    final_cost,
                    failure,
                    run: (s == 0).then_some(run),
                },
            ))
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut results = results?;
    results.sort_by_key(|r| r.0);
    let mut cells: Vec<Vec<Vec<SweepRun>>> = vec![vec![Vec::with_capacity(configs.len()); offsets.len()]; params.len()];
    for ((p, o, _), run) in results {
        cells[p][o].push(run);
    }
    let names: Vec<String> = params.iter().map(|p| p.to_string()).collect();
    Ok(Sweep {
        mirror_pairs: mirror_pairs(&names, &base, data),
        names,
        offsets,
        seeds: Seeds {
            first: configs[0].seed(),
            count: configs.len() as u64,
        },
        cells,
    })
}

/// Why a run did not recover, where the reason is visible in the trained
/// network (dead ReLU units, a stationary point, or still descending), and
/// the samples (0-based) on which every hidden unit has `v <= 0`. There the
/// output, which has no bias, is exactly 0, and the sample's error reaches
/// no parameter: `dL/dW` is multiplied by `z = 0`, `dL/dV` and `dL/db` by
/// `phi'(v) = 0`.
fn diagnose(run: &Run, data: &Dataset) -> (FailureReason, Vec<usize>, f64) {
    let net = &run.trained;
    let mut tape = net.tape();
    let (dead, silent) = firing(net, data, &mut tape);
    let reason = if !dead.is_empty() {
        FailureReason::DeadUnits { units: dead }
    } else {
        trend(run, net, data, &mut tape)
    };
    (reason, silent, full_batch_gradient_norm(net, data, &mut tape))
}

/// The hidden units that fire (`v > 0`) on no sample, and the samples on
/// which no hidden unit fires.
fn firing(net: &Network, data: &Dataset, tape: &mut Tape) -> (Vec<usize>, Vec<usize>) {
    let mut fires = vec![false; net.layers()[0].units];
    let mut silent = Vec::new();
    for i in 0..data.len() {
        net.forward(data.input(i), tape);
        let mut any = false;
        for (f, &v) in fires.iter_mut().zip(tape.v(1)) {
            *f |= v > 0.0;
            any |= v > 0.0;
        }
        if !any {
            silent.push(i);
        }
    }
    let dead = (0..fires.len()).filter(|&j| !fires[j]).collect();
    (dead, silent)
}

/// A failed run without dead units: still descending, or stuck where the
/// gradient is (nearly) zero.
fn trend(run: &Run, net: &Network, data: &Dataset, tape: &mut Tape) -> FailureReason {
    let bins: Vec<f64> = run.trace.bins().map(|b| b.mean).collect();
    let late = bins[bins.len() * 3 / 4];
    let last = *bins.last().expect("a trace has bins");
    // Still descending: falling by half over the last quarter, and not yet
    // at the level of a recovered run (below that it is a stall, not a
    // descent towards a solution).
    if last < 0.5 * late && last >= RECOVERED {
        FailureReason::StillDescending { from: late, to: last }
    } else {
        FailureReason::Stationary {
            gradient_norm: full_batch_gradient_norm(net, data, tape),
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

/// The sweep's heat map and (if asked) the first seed's weights into the
/// set; its metrics.
fn sweep_outputs(s: &Sweep, config: &TrainConfig, save_weights: bool, set: &mut OutputSet) -> Result<SweepMetrics> {
    let failed: Vec<Vec<u64>> = s
        .cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|runs| runs.iter().filter(|r| r.failure.is_some()).count() as u64)
                .collect()
        })
        .collect();
    let percent: Vec<Vec<f64>> = failed
        .iter()
        .map(|row| row.iter().map(|&n| 100.0 * n as f64 / s.seeds.count as f64).collect())
        .collect();
    set.add(
        "perturbation_sweep.svg",
        heatmap(
            &format!(
                "2b sweep: {} sample orders per perturbation, {} iterations each",
                s.seeds.count,
                format_count(config.iterations() as f64)
            ),
            &if failed.iter().flatten().any(|&n| n == s.seeds.count) {
                "offset added to the parameter (×: no sample order recovers)".to_owned()
            } else {
                "offset added to the parameter".to_owned()
            },
            "perturbed parameter",
            &format!("% of the {} sample orders that do not recover", s.seeds.count),
            &s.names,
            &s.offsets,
            &percent,
            (0.0, 100.0),
            |r, c| failed[r][c] == s.seeds.count,
        )?,
    );
    if save_weights {
        for run in s.cells.iter().flatten().flatten().filter_map(|r| r.run.as_ref()) {
            run.add_weights(set, Path::new("sweep"))?;
        }
    }
    let mut failures = Vec::new();
    for (p, row) in s.cells.iter().enumerate() {
        for (o, runs) in row.iter().enumerate() {
            for r in runs {
                if let Some((reason, silent, gradient_norm)) = &r.failure {
                    failures.push(Failure {
                        parameter: s.names[p].clone(),
                        offset: s.offsets[o],
                        seed: r.seed,
                        final_cost: r.final_cost,
                        gradient_norm: *gradient_norm,
                        diagnosis: reason.clone(),
                        silent_inputs: silent.clone(),
                    });
                }
            }
        }
    }
    let perturbations = s.names.len() * s.offsets.len();
    let runs = perturbations * s.seeds.count as usize;
    Ok(SweepMetrics {
        offsets: s.offsets.clone(),
        parameters: s.names.clone(),
        seeds: s.seeds,
        perturbations,
        runs,
        recovered: runs - failures.len(),
        failed,
        failures,
        mirror_pairs: s.mirror_pairs.clone(),
    })
}

/// The name of the parameter that swapping the inputs (`n_in` = 2) together
/// with hidden units k and `hidden - 1 - k` maps `name` onto: `V[k,i]` to
/// `V[K-1-k,1-i]`, `b[k]` to `b[K-1-k]`, `W[0,k]` to `W[0,K-1-k]`.
fn mirrored(name: &str, hidden: usize) -> Option<String> {
    let (array, rest) = name.split_once('[')?;
    let idx: Vec<usize> = rest
        .trim_end_matches(']')
        .split(',')
        .map(|i| i.trim().parse().ok())
        .collect::<Option<_>>()?;
    let unit = |k: usize| hidden.checked_sub(1 + k);
    Some(match (array, idx.as_slice()) {
        ("V", [k, i]) if *i < 2 => format!("V[{},{}]", unit(*k)?, 1 - i),
        ("b", [k]) => format!("b[{}]", unit(*k)?),
        ("W", [0, k]) => format!("W[0,{}]", unit(*k)?),
        _ => return None,
    })
}

/// The mirror pairs of `names` (see [`SweepMetrics::mirror_pairs`]) if the
/// `start` network and the `data` are unchanged by the swap, else none.
fn mirror_pairs(names: &[String], start: &Network, data: &Dataset) -> Vec<[String; 2]> {
    let hidden = start.layers()[0].units;
    let params = start.params();
    let partner: Option<Vec<usize>> = names
        .iter()
        .map(|n| mirrored(n, hidden).and_then(|m| names.iter().position(|x| *x == m)))
        .collect();
    let Some(partner) = partner else { return Vec::new() };
    let start_symmetric = partner.iter().enumerate().all(|(p, &q)| params[p] == params[q]);
    let sample = |i: usize| {
        let (x, y) = (data.input(i), data.target(i));
        (x.to_vec(), y.to_vec())
    };
    let data_symmetric = data.input(0).len() == 2
        && (0..data.len()).all(|i| {
            let (x, y) = sample(i);
            (0..data.len()).any(|j| sample(j) == (vec![x[1], x[0]], y.clone()))
        });
    if !(start_symmetric && data_symmetric) {
        return Vec::new();
    }
    (0..names.len())
        .filter(|&p| partner[p] >= p)
        .map(|p| [names[p].clone(), names[partner[p]].clone()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xor() -> Dataset {
        let inputs = vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        Dataset::new(inputs, vec![0.0, 1.0, 1.0, 0.0], 2, 1).unwrap()
    }

    #[test]
    fn the_course_start_on_xor_pairs_parameters_by_the_input_swap() {
        let start = exercise_harness::sheet::xor_start();
        let names: Vec<String> = ParamIndex::all(&start).iter().map(|p| p.to_string()).collect();
        let pairs = mirror_pairs(&names, &start, &xor());
        let has = |a: &str, b: &str| pairs.iter().any(|p| p == &[a.to_owned(), b.to_owned()]);
        assert!(has("V[0,0]", "V[2,1]") && has("V[0,1]", "V[2,0]") && has("V[1,0]", "V[1,1]"));
        assert!(has("b[0]", "b[2]") && has("b[1]", "b[1]") && has("W[0,0]", "W[0,2]") && has("W[0,1]", "W[0,1]"));
        assert_eq!(pairs.len(), 7, "{pairs:?}");
        // Data that the swap changes: no pairs.
        let lopsided = Dataset::new(
            vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0],
            vec![0.0, 1.0, 0.0, 0.0],
            2,
            1,
        )
        .unwrap();
        assert!(mirror_pairs(&names, &start, &lopsided).is_empty());
        // A start that the swap changes: no pairs.
        let mut bent = start.clone();
        bent.params_mut()[0] += 0.5;
        assert!(mirror_pairs(&names, &bent, &xor()).is_empty());
    }

    #[test]
    fn silent_inputs_are_those_no_hidden_unit_responds_to() {
        let silent_inputs = |net: &Network| firing(net, &xor(), &mut net.tape()).1;
        // The course's start: v = b = (0, -1, 0) for (0, 0), and every other
        // input lifts some unit above 0.
        let mut net = xor_start();
        assert_eq!(silent_inputs(&net), vec![0]);
        // b[0] = b[2] = -1 silences (0, 1) and (1, 0) as well: v = (-1, 0, 0)
        // and (0, 0, -1); (1, 1) still lifts unit 1 to v = 1.
        let n = net.params().len();
        net.params_mut()[n - 3] = -1.0;
        net.params_mut()[n - 1] = -1.0;
        assert_eq!(silent_inputs(&net), vec![0, 1, 2]);
    }
}
