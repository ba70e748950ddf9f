//! Exercise 2a: with a correct backprop, the course's perfect XOR start does
//! not move.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use anyhow::Result;
use clap::Parser;
use exercise_harness::cli::CommonArgs;
use exercise_harness::cli::num;
use exercise_harness::data::{default_data, load_data};
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::{Header, SheetWeights, ex2a::Metrics};
use exercise_harness::output::OutputSet;
use exercise_harness::plot::{format_count, panels};
use exercise_harness::run::{Run, progress_for};
use exercise_harness::sheet::xor_start;
use mlp::train::{Watch, dataset_cost};
use mlp::{Dataset, Network, TrainConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exercise 2a: train the XOR network (2 -> 3 ReLU -> 1, linear output) from
/// the course's start V = [[1,0],[1,1],[0,1]], b = [0,-1,0], W = [[1,-2,1]].
///
/// That start already solves XOR exactly, so a correct backprop computes a
/// zero gradient for every sample and changes no parameter at all. Writes
/// metrics.json (iterations, max_abs_weight_change, final_cost, ...) and
/// cost_over_time.svg into --out.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    /// XOR data: .npz with inp/out (or X/Y), or .npy with the target in the
    /// last column [default: data/xor_data.npz]
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
}

const ITERATIONS: u64 = 10_000;
/// The half-height of a panel whose values are all exactly 0: far below
/// the parameters' scale (about 1), so a change of that size would show.
const ZERO_SCALE: f64 = 1e-12;
/// How often the largest parameter change is recorded.
const WATCH_EVERY: u64 = 10;
/// The most points of the largest-change series (the cost trace's bins too).
const MAX_POINTS: u64 = exercise_harness::run::MAX_BINS as u64;

/// The run, and the largest change of any parameter from the start after
/// every [`WATCH_EVERY`] iterations.
struct Watched {
    run: Run,
    largest_change: Vec<(f64, f64)>,
}

struct PerfectStart {
    common: CommonArgs,
    data_path: PathBuf,
    data: Dataset,
    config: TrainConfig,
}

impl Exercise for PerfectStart {
    const NAME: &'static str = "ex2a";
    type Args = Args;
    type Trained = Watched;

    fn prepare(args: Args) -> Result<Self> {
        let data_path = args.data.map_or_else(|| default_data("xor_data.npz", "--data"), Ok)?;
        Ok(PerfectStart {
            data: load_data(&data_path, 2, 1)?,
            config: args.common.train_config(3, ITERATIONS)?,
            common: args.common,
            data_path,
        })
    }

    fn train(&self) -> Result<Watched> {
        let config = &self.config;
        let start = xor_start();
        // After every WATCH_EVERY iterations: the largest change of any
        // parameter from the start.
        // At most MAX_POINTS points, however long the run: memory and the
        // figure stay the same size.
        let every = WATCH_EVERY.max(config.iterations().div_ceil(MAX_POINTS).next_multiple_of(WATCH_EVERY));
        let after: Vec<u64> = (1..=config.iterations() / every).map(|i| i * every).collect();
        let mut largest_change = Vec::with_capacity(after.len());
        let mut at = |t: u64, net: &Network| {
            let change = net
                .params()
                .iter()
                .zip(start.params())
                .fold(0.0f64, |a, (p, q)| a.max((p - q).abs()));
            largest_change.push((t as f64, change));
        };
        let mut watch = Watch {
            after: &after,
            at: &mut at,
        };
        let bar = progress_for(config.iterations(), "2a");
        let run = Run::train_watched(
            format!("xor-seed{}", config.seed()),
            &start,
            &self.data,
            config,
            &mut config.rng(),
            bar.as_ref(),
            &mut watch,
        );
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let run = run?;
        Ok(Watched { run, largest_change })
    }

    fn outputs(&self, watched: &Watched, set: &mut OutputSet) -> Result<Vec<String>> {
        let (config, data, run) = (&self.config, &self.data, &watched.run);
        let change = run.max_abs_change();
        let initial_cost = dataset_cost(&run.initial, data);
        let final_cost = run.final_cost(data);
        let max_sample_cost = run.trace.bins().map(|b| b.max).fold(0.0, f64::max);
        set.add_json(
            "metrics.json",
            &Metrics {
                header: Header::new("2a", &self.data_path, config),
                max_abs_weight_change: change,
                initial_cost,
                final_cost,
                max_sample_cost_during_training: max_sample_cost,
                final_weights: SheetWeights::of(&run.trained)?,
            },
        )?;
        let cost: Vec<(f64, f64)> = run.trace.bins().map(|b| (b.end as f64, b.max)).collect();
        let title = format!(
            "2a: XOR from the perfect start, {} iterations",
            format_count(config.iterations() as f64)
        );
        set.add(
            "cost_over_time.svg",
            panels(
                &title,
                "iteration",
                &[
                    ("largest per-sample cost in each bin".to_owned(), cost),
                    (
                        "largest |P − P(0)| over all parameters".to_owned(),
                        watched.largest_change.clone(),
                    ),
                ],
                ZERO_SCALE,
            )?,
        );
        if self.common.save_weights {
            run.add_weights(set, Path::new(""))?;
        }
        Ok(vec![
            format!(
                "Exercise 2a: XOR from the perfect start, {} ({} sampling, seed {})",
                exercise_harness::cli::count(config.iterations(), "iteration"),
                config.sampling(),
                config.seed()
            ),
            format!("  largest parameter change |final - initial|: {}", num(change)),
            format!(
                "  data-set cost before: {}, after: {}; largest per-sample cost seen: {}",
                num(initial_cost),
                num(final_cost),
                num(max_sample_cost)
            ),
            if change == 0.0 {
                "  backprop computes a zero gradient at the perfect start: no parameter changed.".into()
            } else if initial_cost > 0.0 {
                format!(
                    "  the parameters moved: the course's start does not fit this data (its cost is {}), so its \
                     gradient is not zero.",
                    num(initial_cost)
                )
            } else {
                "  the parameters moved although the start fits the data exactly: its gradient should be zero.".into()
            },
        ])
    }
}

fn main() -> ExitCode {
    flow::main::<PerfectStart>()
}
