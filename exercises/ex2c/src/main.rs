//! Exercise 2c: function approximation with `1 -> K -> 1` sigmoid networks,
//! K = 5 and K = 40, over many seeds.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod summary;

use anyhow::{Context, Result};
use clap::Parser;
use exercise_harness::cli::{CommonArgs, config_error, seed_series};
use exercise_harness::data::{default_data, load_data};
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::ex2c::{Capacity, LearningRate, Metrics, Replayed, Seeds, SnapshotCost, Snapshots};
use exercise_harness::output::OutputSet;
use exercise_harness::plot::{
    Band, Curve, Line, PanelRow, Points, SizeSeries, Strip, XyPanel, against_sizes, cost_over_time, format_count,
    small_multiples, strips, xy_panels,
};
use exercise_harness::run::{Run, progress_for};
use mlp::train::{TrainConfig, Watch, dataset_cost};
use mlp::{Activation, Dataset, Network};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use summary::{RunResult, summarize};

/// Exercise 2c: train 1 -> K -> 1 networks (sigmoid hidden layer with bias,
/// linear output) on the function-approximation data, for every K and seed.
///
/// Each run starts as the sheet's footnote says (V, W, b drawn from N(0, 1)
/// in that order from the run's generator) and trains for 10^6 iterations by
/// default. Seeds run in parallel; each is reproducible on its own. Unless
/// --learning-rate or --no-cross-rates is given, each K also trains at the
/// other Ks' default rates. Writes metrics.json (runs, summary with the mean
/// and standard deviation of the test cost over seeds), cost_over_time.svg,
/// response.svg and test_cost_per_seed.svg.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    /// Training data: .npz with X/Y (or inp/out), 1-D or one-column arrays,
    /// any real dtype [default: data/func_approx_training.npz]
    #[arg(long, value_name = "PATH")]
    train: Option<PathBuf>,

    /// Test data, same forms [default: data/func_approx_test.npz]
    #[arg(long, value_name = "PATH")]
    test: Option<PathBuf>,

    /// Hidden units K, 1 to 100000; repeat for several (--hidden 5 --hidden 40)
    #[arg(long = "hidden", value_name = "K", default_values_t = [5usize, 40], value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000), allow_negative_numbers = true)]
    hidden: Vec<usize>,

    /// Number of seeds per K, 1 to 10000: seeds --seed .. --seed + N, run in
    /// parallel
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000), allow_negative_numbers = true)]
    seeds: u64,

    /// Skip the runs of each K at the other Ks' default learning rates
    /// (0.2 / K differs between Ks, so without them a comparison of K is
    /// also one of learning rates)
    #[arg(long)]
    no_cross_rates: bool,

    /// Beyond the sheet: also train K = 1, 2, 3, 4, 5, 8, 10, 15, 20, 30, 40,
    /// 60, 80, 100 (each at its own default rate 0.2/K, or all at
    /// --learning-rate when it is given; with the same seeds) and
    /// draw the test and training cost against K (capacity.svg)
    #[arg(long)]
    capacity: bool,

    /// Beyond the sheet: record the response of each K's first seed at
    /// iterations 10, 100, ..., 10^6 during its run (snapshots.svg)
    #[arg(long)]
    snapshots: bool,
}

/// A cost as the summary prints it: five decimals, or scientific notation
/// when too large for a line.
fn cost(x: f64) -> String {
    if x.abs() < 1e6 {
        format!("{x:.5}")
    } else {
        format!("{x:.3e}")
    }
}

/// A learning rate as the summary prints it: as given, or to four decimals
/// where its digits run on (`0.0667` for 0.2/3).
fn short(x: f64) -> String {
    let plain = exercise_harness::cli::num(x);
    if plain.len() > 8 { format!("{x:.4}") } else { plain }
}

/// The hidden sizes of `--capacity`.
const CAPACITY_KS: [usize; 14] = [1, 2, 3, 4, 5, 8, 10, 15, 20, 30, 40, 60, 80, 100];
/// The iteration counts of `--snapshots` (those up to the run's length).
const SNAPSHOTS_AFTER: [u64; 6] = [10, 100, 1_000, 10_000, 100_000, 1_000_000];
/// Inputs at which a snapshot records the response.
const SNAPSHOT_GRID: usize = 120;

const ITERATIONS: u64 = 1_000_000;
const GRID: usize = 400;

/// The runs of every K and seed, ready to train.
struct FunctionApproximation {
    args: Args,
    train_path: PathBuf,
    test_path: PathBuf,
    train: Dataset,
    test: Dataset,
    /// Both files are the project's own (`data/`, by SHA-256), made by its
    /// recipe from sin(pi x): only then is that function drawn and costed.
    recipe_data: bool,
    /// One configuration per K, in the order of `--hidden`.
    configs: Vec<(usize, TrainConfig)>,
    /// Every run: K and its configuration with its seed, the runs at the
    /// sheet's rates first.
    jobs: Vec<(usize, TrainConfig)>,
    /// The runs `--capacity` adds: Ks not among `--hidden`.
    capacity_jobs: Vec<(usize, TrainConfig)>,
}

impl Exercise for FunctionApproximation {
    const NAME: &'static str = "ex2c";
    type Args = Args;
    type Trained = Trained;

    fn prepare(args: Args) -> Result<Self> {
        let train_path = args
            .train
            .clone()
            .map_or_else(|| default_data("func_approx_training.npz", "--train"), Ok)?;
        let test_path = args
            .test
            .clone()
            .map_or_else(|| default_data("func_approx_test.npz", "--test"), Ok)?;
        let train = load_data(&train_path, 1, 1)?;
        let test = load_data(&test_path, 1, 1)?;
        // each K once, in the order first given
        let mut hidden: Vec<usize> = Vec::new();
        for &k in &args.hidden {
            if !hidden.contains(&k) {
                hidden.push(k);
            }
        }
        let configs: Vec<(usize, TrainConfig)> = hidden
            .iter()
            .map(|&k| Ok((k, args.common.train_config(k, ITERATIONS)?)))
            .collect::<Result<_>>()?;
        if args.snapshots && configs[0].1.iterations() < 10 {
            return Err(exercise_harness::cli::usage(format!(
                "--snapshots with --iterations {}: the first snapshot is taken after 10 iterations",
                configs[0].1.iterations()
            )));
        }
        let mut jobs = Vec::new();
        for &(k, c) in &configs {
            jobs.extend(seed_series(&c, args.seeds, "--seeds")?.into_iter().map(|c| (k, c)));
        }
        if !args.no_cross_rates && args.common.learning_rate.is_none() {
            for &(k, c) in &configs {
                for &(other, o) in &configs {
                    if other == k || o.learning_rate() == c.learning_rate() {
                        continue;
                    }
                    let at_other_rate =
                        TrainConfig::new(c.iterations(), o.learning_rate(), c.momentum(), c.sampling(), c.seed())
                            .and_then(|x| x.with_generator(c.generator()))
                            .map_err(config_error)?;
                    jobs.extend(
                        seed_series(&at_other_rate, args.seeds, "--seeds")?
                            .into_iter()
                            .map(|c| (k, c)),
                    );
                }
            }
        }
        let mut capacity_jobs = Vec::new();
        if args.capacity {
            for k in CAPACITY_KS.into_iter().filter(|k| !hidden.contains(k)) {
                let c = args.common.train_config(k, ITERATIONS)?;
                capacity_jobs.extend(seed_series(&c, args.seeds, "--seeds")?.into_iter().map(|c| (k, c)));
            }
        }
        Ok(FunctionApproximation {
            args,
            recipe_data: exercise_harness::data::is_project_data(&train_path, "func_approx_training.npz")
                && exercise_harness::data::is_project_data(&test_path, "func_approx_test.npz"),
            train_path,
            test_path,
            train,
            test,
            configs,
            jobs,
            capacity_jobs,
        })
    }

    fn train(&self) -> Result<Self::Trained> {
        let (train, test) = (&self.train, &self.test);
        let all: Vec<(usize, TrainConfig, bool)> = self
            .jobs
            .iter()
            .map(|&(k, c)| (k, c, false))
            .chain(self.capacity_jobs.iter().map(|&(k, c)| (k, c, true)))
            .collect();
        let total: u64 = all.iter().fold(0u64, |t, j| t.saturating_add(j.1.iterations()));
        let bar = progress_for(total, "2c");
        let grid = snapshot_grid(train, test);
        let first_seed = self.configs[0].1.seed();
        let done = all
            .par_iter()
            .map(|&(k, config, capacity_only)| -> Result<Done> {
                let mut rng = config.rng();
                let mut start = Network::sheet(1, k, 1, Activation::Sigmoid)?;
                rng.draw_start(&mut start);
                // Runs at another K's rate carry it in their name.
                let own_rate = self.configs.iter().find(|c| c.0 == k).map(|c| c.1.learning_rate());
                let name = if own_rate == Some(config.learning_rate()) || capacity_only {
                    format!("k{k}-seed{}", config.seed())
                } else {
                    format!("k{k}-eta{}-seed{}", config.learning_rate(), config.seed())
                };
                // Snapshots of each K's first seed at its own rate, taken
                // during its one run.
                let watched = self.args.snapshots
                    && !capacity_only
                    && config.seed() == first_seed
                    && own_rate == Some(config.learning_rate());
                let after: Vec<u64> = if watched {
                    SNAPSHOTS_AFTER
                        .into_iter()
                        .filter(|&t| t <= config.iterations())
                        .collect()
                } else {
                    Vec::new()
                };
                let mut taken: Vec<(SnapshotCost, Vec<f64>)> = Vec::with_capacity(after.len());
                let mut at = |t: u64, net: &Network| {
                    let mut tape = net.tape();
                    let response = grid.iter().map(|&x| net.forward(&[x], &mut tape)[0]).collect();
                    let cost = SnapshotCost {
                        iterations: t,
                        train_cost: dataset_cost(net, train),
                        test_cost: dataset_cost(net, test),
                    };
                    taken.push((cost, response));
                };
                let mut watch = Watch {
                    after: &after,
                    at: &mut at,
                };
                let run = Run::train_watched(name, &start, train, &config, &mut rng, bar.as_ref(), &mut watch)?;
                let result = RunResult {
                    hidden: k,
                    learning_rate: config.learning_rate(),
                    seed: config.seed(),
                    train_cost: dataset_cost(&run.trained, train),
                    test_cost: dataset_cost(&run.trained, test),
                };
                // Trained fine, but the test data overflow the network's
                // arithmetic: no cost to report.
                anyhow::ensure!(
                    result.test_cost.is_finite(),
                    "run {}: the trained network's cost on the test data ({}) is {}; the test data hold values too \
                     large for this network",
                    run.name,
                    self.test_path.display(),
                    result.test_cost
                );
                let snapshots = watched.then(|| Watched {
                    hidden: k,
                    learning_rate: config.learning_rate(),
                    seed: config.seed(),
                    taken,
                });
                Ok(Done {
                    result,
                    run: (!capacity_only).then_some(run),
                    snapshots,
                })
            })
            .collect::<Result<Vec<Done>>>();
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let mut trained = Trained {
            runs: Vec::new(),
            capacity: Vec::new(),
            snapshots: Vec::new(),
            grid,
        };
        for d in done? {
            trained.snapshots.extend(d.snapshots);
            match d.run {
                Some(run) => trained.runs.push((d.result, run)),
                None => trained.capacity.push(d.result),
            }
        }
        Ok(trained)
    }

    fn outputs(&self, trained: &Trained, set: &mut OutputSet) -> Result<Vec<String>> {
        let mut lines = report(
            self,
            &trained.runs,
            set,
            &trained.capacity,
            &trained.snapshots,
            &trained.grid,
        )?;
        if self.args.capacity {
            lines.push(format!(
                "  capacity: K = 1 to 100 ({} sizes), {} each: capacity.svg",
                CAPACITY_KS.len(),
                exercise_harness::cli::count(self.args.seeds, "seed")
            ));
        }
        if self.args.snapshots {
            lines.push("  snapshots of each K's first seed during training: snapshots.svg".to_owned());
        }
        Ok(lines)
    }
}

fn main() -> ExitCode {
    flow::main::<FunctionApproximation>()
}

/// What one run leaves: its result, the run itself (not for the runs of
/// `--capacity` alone, which only their costs are kept of) and its
/// snapshots, if it was watched.
struct Done {
    result: RunResult,
    run: Option<Run>,
    snapshots: Option<Watched>,
}

/// One run's costs and its response at the inputs of [`snapshot_grid`],
/// after each of [`SNAPSHOTS_AFTER`] iterations.
struct Watched {
    hidden: usize,
    learning_rate: f64,
    seed: u64,
    taken: Vec<(SnapshotCost, Vec<f64>)>,
}

/// Every run of the part.
struct Trained {
    /// The runs of `--hidden` (at every rate), with their networks.
    runs: Vec<(RunResult, Run)>,
    /// The runs `--capacity` adds, by their costs.
    capacity: Vec<RunResult>,
    snapshots: Vec<Watched>,
    grid: Vec<f64>,
}

/// Evenly spaced inputs over the range of the training and test data.
fn snapshot_grid(train: &Dataset, test: &Dataset) -> Vec<f64> {
    let (lo, hi) = train
        .all_inputs()
        .iter()
        .chain(test.all_inputs())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    (0..SNAPSHOT_GRID)
        .map(|i| lo + (hi - lo) * i as f64 / (SNAPSHOT_GRID - 1) as f64)
        .collect()
}

/// The cost of the noise-free function of the data recipe, sin(pi x), on
/// `data`: what the noise alone costs on these samples.
fn sin_cost(data: &Dataset) -> f64 {
    let total: f64 = (0..data.len())
        .map(|i| {
            let e = (std::f64::consts::PI * data.input(i)[0]).sin() - data.target(i)[0];
            0.5 * e * e
        })
        .sum();
    total / data.len() as f64
}

fn report(
    part: &FunctionApproximation,
    runs: &[(RunResult, Run)],
    outputs: &mut OutputSet,
    capacity_runs: &[RunResult],
    snapshots: &[Watched],
    snapshot_xs: &[f64],
) -> Result<Vec<String>> {
    let (args, configs, train, test) = (&part.args, &part.configs, &part.train, &part.test);
    let results: Vec<RunResult> = runs.iter().map(|r| r.0.clone()).collect();
    let sheet_rate = |k: usize| configs.iter().find(|c| c.0 == k).map(|c| c.1.learning_rate());
    let (summary, other_rates): (Vec<_>, Vec<_>) = summarize(&results)
        .into_iter()
        .partition(|s| sheet_rate(s.hidden) == Some(s.learning_rate));
    let at_sheet_rate = |r: &&(RunResult, Run)| sheet_rate(r.0.hidden) == Some(r.0.learning_rate);
    let runs: Vec<&(RunResult, Run)> = runs.iter().collect();
    let sheet_runs: Vec<&(RunResult, Run)> = runs.iter().copied().filter(at_sheet_rate).collect();
    let iterations = configs[0].1.iterations();

    // Cost over time: the representative seed's curve per K, the band is the
    // spread (min to max) of the bin means over all seeds.
    let mut curves = Vec::new();
    for s in &summary {
        let of_k: Vec<&(RunResult, Run)> = sheet_runs.iter().copied().filter(|r| r.0.hidden == s.hidden).collect();
        let rep = of_k
            .iter()
            .find(|r| r.0.seed == s.representative_seed)
            .context("the representative run")?;
        let bins: Vec<Vec<(f64, f64)>> = of_k
            .iter()
            .map(|r| r.1.trace.bins().map(|b| (b.end as f64, b.mean)).collect())
            .collect();
        let band = (0..bins[0].len())
            .map(|i| {
                let vals = bins.iter().map(|b| b[i].1);
                let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                (bins[0][i].0, lo, hi)
            })
            .collect();
        let mut curve = Curve::from_trace(
            format!("K = {}: seed {} (median test cost)", s.hidden, s.representative_seed),
            &rep.1.trace,
            false,
        );
        curve.band = Some(Band {
            label: format!("K = {}: min to max over {} seeds", s.hidden, s.seeds),
            points: band,
        });
        curves.push(curve);
    }
    let bin = runs[0].1.trace.bin_size();
    outputs.add(
        "cost_over_time.svg",
        cost_over_time(
            &format!("2c: training cost, {} iterations", format_count(iterations as f64)),
            &format!("iteration (mean per bin of {})", format_count(bin as f64)),
            &curves,
        )?,
    );

    // The response on a dense grid over the data range.
    let xs: Vec<f64> = train.all_inputs().iter().chain(test.all_inputs()).copied().collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let grid: Vec<f64> = (0..GRID)
        .map(|i| lo + (hi - lo) * i as f64 / (GRID - 1) as f64)
        .collect();
    // One panel per K: its seeds' responses (the median seed bold), the
    // data, and the median seed's outputs at the test inputs, where the
    // test cost is measured.
    let pts = |d: &Dataset| {
        d.all_inputs()
            .iter()
            .copied()
            .zip(d.all_targets().iter().copied())
            .collect()
    };
    let mut panels = Vec::new();
    for (i, s) in summary.iter().enumerate() {
        let mut lines = Vec::new();
        if part.recipe_data {
            lines.push(Line {
                label: Some("sin(πx): the noise-free function of the data recipe".into()),
                points: grid.iter().map(|&x| (x, (std::f64::consts::PI * x).sin())).collect(),
                color: 6,
                alpha: 0.6,
                width: 1,
                dashed: true,
            });
        }
        for r in sheet_runs.iter().filter(|r| r.0.hidden == s.hidden) {
            let rep = r.0.seed == s.representative_seed;
            let mut tape = r.1.trained.tape();
            lines.push(Line {
                label: Some(if rep {
                    format!("K = {}: seed {} (median test cost)", s.hidden, r.0.seed)
                } else {
                    format!("K = {}: the other {} seeds", s.hidden, s.seeds - 1)
                }),
                points: grid
                    .iter()
                    .map(|&x| (x, r.1.trained.forward(&[x], &mut tape)[0]))
                    .collect(),
                color: i,
                alpha: if rep { 1.0 } else { 0.18 },
                width: if rep { 3 } else { 1 },
                dashed: false,
            });
        }
        // faint seeds first, below the bold one
        lines.sort_by_key(|l| l.width);
        let rep = sheet_runs
            .iter()
            .find(|r| r.0.hidden == s.hidden && r.0.seed == s.representative_seed)
            .context("the representative run")?;
        let mut tape = rep.1.trained.tape();
        let points = vec![
            Points {
                label: format!("training data ({})", train.len()),
                points: pts(train),
                color: 2,
                filled: true,
            },
            Points {
                label: format!("test data ({})", test.len()),
                points: pts(test),
                color: 3,
                filled: false,
            },
            Points {
                label: format!("K = {}: output at the {} test inputs", s.hidden, test.len()),
                points: test
                    .all_inputs()
                    .iter()
                    .map(|&x| (x, rep.1.trained.forward(&[x], &mut tape)[0]))
                    .collect(),
                color: i,
                filled: true,
            },
        ];
        panels.push(XyPanel {
            title: format!("K = {}, η = {}", s.hidden, s.learning_rate),
            lines,
            points,
        });
    }
    outputs.add(
        "response.svg",
        xy_panels(
            "2c: network response after training, one panel per K",
            "input x",
            "network output y",
            &panels,
        )?,
    );

    // Every K at every rate, the sheet's rate for that K filled.
    let mut groups: Vec<Strip> = Vec::new();
    for (i, s) in summary.iter().enumerate() {
        for g in std::iter::once(s).chain(other_rates.iter().filter(|o| o.hidden == s.hidden)) {
            groups.push(Strip {
                name: format!("K = {}, η = {}", g.hidden, g.learning_rate),
                values: results
                    .iter()
                    .filter(|r| r.hidden == g.hidden && r.learning_rate == g.learning_rate)
                    .map(|r| (r.seed, r.test_cost))
                    .collect(),
                color: i,
                filled: g.learning_rate == s.learning_rate,
            });
        }
    }
    outputs.add(
        "test_cost_per_seed.svg",
        strips(
            "2c: test cost after training, one dot per seed",
            "test-set cost: mean of ½(y − y*)²",
            &groups,
            false,
        )?,
    );

    let capacity = if part.args.capacity {
        Some(capacity_outputs(&summary, &results, capacity_runs, outputs)?)
    } else {
        None
    };
    let mut watched: Vec<&Watched> = snapshots.iter().collect();
    watched.sort_by_key(|w| w.hidden);
    if !watched.is_empty() {
        snapshots_outputs(&watched, snapshot_xs, train, outputs)?;
    }
    let snapshots: Vec<Snapshots> = watched
        .iter()
        .map(|w| Snapshots {
            hidden: w.hidden,
            learning_rate: w.learning_rate,
            seed: w.seed,
            after: w.taken.iter().map(|t| t.0).collect(),
        })
        .collect();
    let lowest = summary
        .iter()
        .min_by(|a, b| a.test_cost_mean.total_cmp(&b.test_cost_mean))
        .map(|s| s.hidden);
    let mut lines = vec![format!(
        "Exercise 2c: 1 -> K -> 1 sigmoid networks, {}, {} from {} ({} sampling)",
        exercise_harness::cli::count(iterations, "iteration"),
        exercise_harness::cli::count(args.seeds, "seed"),
        configs[0].1.seed(),
        configs[0].1.sampling()
    )];
    lines.push(
        "  mean cost over the seeds on the test data (± its standard deviation) and the training data:".to_owned(),
    );
    let own = if args.common.learning_rate.is_some() {
        "--learning-rate"
    } else {
        "default rate"
    };
    // A screen's worth: the runs at the other Ks' rates are listed while
    // they fit, else counted (they are all in the metrics).
    let others_fit = summary.len() + other_rates.len() <= 12;
    let listed = summary
        .iter()
        .map(|s| (s, own))
        .chain(other_rates.iter().filter(|_| others_fit).map(|s| (s, "other K's rate")));
    for (s, label) in listed.take(12) {
        let spread = if s.seeds == 1 {
            format!("(one seed, {})", s.representative_seed)
        } else {
            format!("± {} (median seed {})", cost(s.test_cost_std), s.representative_seed)
        };
        lines.push(format!(
            "  K = {:>3}, eta = {} ({label}): test {} {spread}, training {}",
            s.hidden,
            short(s.learning_rate),
            cost(s.test_cost_mean),
            cost(s.train_cost_mean)
        ));
    }
    if summary.len() > 12 {
        lines.push(format!(
            "  ... and {} more sizes: see metrics.json (summary)",
            summary.len() - 12
        ));
    }
    if !others_fit && !other_rates.is_empty() {
        lines.push(format!(
            "  and {} groups at the other Ks' rates: see metrics.json (other_rates)",
            other_rates.len()
        ));
    }
    if let (true, Some(best)) = (summary.len() > 1, lowest) {
        lines.push(format!("  lowest average test cost: K = {best}"));
    }
    outputs.add_json(
        "metrics.json",
        &Metrics {
            exercise: "2c".into(),
            train_data: part.train_path.display().to_string(),
            test_data: part.test_path.display().to_string(),
            train_samples: train.len(),
            test_samples: test.len(),
            iterations,
            learning_rate: configs
                .iter()
                .map(|(k, c)| LearningRate {
                    hidden: *k,
                    learning_rate: c.learning_rate(),
                })
                .collect(),
            momentum: configs[0].1.momentum(),
            sampling: configs[0].1.sampling(),
            rng: configs[0].1.generator(),
            seeds: Seeds {
                first: configs[0].1.seed(),
                count: args.seeds,
            },
            runs: results,
            summary,
            other_rates,
            test_cost_of_sin_pi_x: part.recipe_data.then(|| sin_cost(test)),
            train_cost_of_sin_pi_x: part.recipe_data.then(|| sin_cost(train)),
            lower_mean_test_cost_hidden: lowest,
            capacity,
            snapshots,
            replayed: configs
                .iter()
                .filter_map(|(k, c)| {
                    runs.iter()
                        .find(|r| r.0.hidden == *k && r.0.seed == c.seed() && r.0.learning_rate == c.learning_rate())
                })
                .map(|r| {
                    Ok(Replayed {
                        hidden: r.0.hidden,
                        seed: r.0.seed,
                        learning_rate: r.0.learning_rate,
                        final_weights: exercise_harness::metrics::SheetWeights::of(&r.1.trained)?,
                        train_cost: r.0.train_cost,
                        test_cost: r.0.test_cost,
                    })
                })
                .collect::<Result<_>>()?,
        },
    )?;
    if args.common.save_weights {
        for (_, run) in runs {
            run.add_weights(outputs, Path::new(""))?;
        }
    }
    Ok(lines)
}

/// The capacity figure; the capacity metrics. The runs of `--hidden` at
/// their own rates count for their sizes.
fn capacity_outputs(
    summary: &[exercise_harness::metrics::ex2c::Summary],
    results: &[RunResult],
    capacity_runs: &[RunResult],
    outputs: &mut OutputSet,
) -> Result<Capacity> {
    let mut runs: Vec<RunResult> = results
        .iter()
        .filter(|r| {
            CAPACITY_KS.contains(&r.hidden)
                && summary
                    .iter()
                    .any(|s| s.hidden == r.hidden && s.learning_rate == r.learning_rate)
        })
        .chain(capacity_runs)
        .cloned()
        .collect();
    runs.sort_by_key(|r| (r.hidden, r.seed));
    let by_size = summarize(&runs);
    let band = |test: bool| -> Vec<(f64, f64, f64, f64)> {
        by_size
            .iter()
            .map(|s| {
                let vals: Vec<f64> = runs
                    .iter()
                    .filter(|r| r.hidden == s.hidden)
                    .map(|r| if test { r.test_cost } else { r.train_cost })
                    .collect();
                let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mean = if test { s.test_cost_mean } else { s.train_cost_mean };
                (s.hidden as f64, mean, lo, hi)
            })
            .collect()
    };
    let seeds = by_size.first().map_or(0, |s| s.seeds);
    outputs.add(
        "capacity.svg",
        against_sizes(
            &format!("2c beyond the sheet: cost after training against K, {seeds} seeds each"),
            "hidden units K (log scale; learning rate 0.2 / K)",
            "mean cost ½(y − y*)²",
            &[
                SizeSeries {
                    label: "test cost, mean over seeds".into(),
                    band_label: "test cost, lowest to highest seed".into(),
                    color: 1,
                    points: band(true),
                },
                SizeSeries {
                    label: "training cost, mean over seeds".into(),
                    band_label: "training cost, lowest to highest seed".into(),
                    color: 0,
                    points: band(false),
                },
            ],
            &summary
                .iter()
                .map(|s| (s.hidden as f64, format!("K = {} (the sheet's)", s.hidden)))
                .collect::<Vec<_>>(),
        )?,
    );
    Ok(Capacity {
        hidden: by_size.iter().map(|s| s.hidden).collect(),
        runs,
        summary: by_size,
    })
}

/// The snapshots figure: one row per K, one panel per iteration count, the
/// training data in every panel.
fn snapshots_outputs(watched: &[&Watched], grid: &[f64], train: &Dataset, outputs: &mut OutputSet) -> Result<()> {
    let rows: Vec<PanelRow> = watched
        .iter()
        .enumerate()
        .map(|(i, w)| PanelRow {
            name: format!("K = {}", w.hidden),
            color: i,
            panels: w
                .taken
                .iter()
                .map(|(cost, response)| {
                    (
                        format!("{} it.", format_count(cost.iterations as f64)),
                        grid.iter().copied().zip(response.iter().copied()).collect(),
                    )
                })
                .collect(),
        })
        .collect();
    let data = Points {
        label: "training data".into(),
        points: train
            .all_inputs()
            .iter()
            .copied()
            .zip(train.all_targets().iter().copied())
            .collect(),
        color: 2,
        filled: true,
    };
    let seeds: Vec<String> = watched
        .iter()
        .map(|w| format!("K = {}: seed {}", w.hidden, w.seed))
        .collect();
    outputs.add(
        "snapshots.svg",
        small_multiples(
            "2c beyond the sheet: the response during one training run",
            &rows,
            &data,
            &format!(
                "x: the input, y: the network's output; dots: the training data; {}",
                seeds.join(", ")
            ),
        )?,
    );
    Ok(())
}
