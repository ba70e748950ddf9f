//! A training run as the exercise binaries use it: the run with its
//! progress bar, what it measures, and the weight files it leaves behind.

use crate::cli::diverged_error;
use crate::output::{OutputSet, weights_npz};
use anyhow::{Context, Result};
use indicatif::ProgressBar;
use mlp::random::RunRng;
use mlp::trace::CostTrace;
use mlp::train::{TrainConfig, Watch, dataset_cost, train_watched};
use mlp::{Dataset, Network};
use std::path::Path;

/// At most this many bins in a cost trace (docs/DESIGN.md: at most 2000).
pub const MAX_BINS: usize = 2000;

/// A finished training run.
#[derive(Clone, Debug)]
pub struct Run {
    /// Its name, for file names (for example `k5-seed3`).
    pub name: String,
    /// The network before training.
    pub initial: Network,
    /// The network after training.
    pub trained: Network,
    /// The binned per-iteration cost.
    pub trace: CostTrace,
}

impl Run {
    /// Trains a copy of `start` on `data`, drawing samples from `rng`, and
    /// advances `bar` as it goes. Divergence is an error naming the run.
    pub fn train(
        name: impl Into<String>,
        start: &Network,
        data: &Dataset,
        config: &TrainConfig,
        rng: &mut RunRng,
        bar: Option<&ProgressBar>,
    ) -> Result<Run> {
        let mut nothing = |_: u64, _: &Network| {};
        let mut watch = Watch {
            after: &[],
            at: &mut nothing,
        };
        Run::train_watched(name, start, data, config, rng, bar, &mut watch)
    }

    /// [`Run::train`], showing the network to `watch` after the iteration
    /// counts it names.
    pub fn train_watched(
        name: impl Into<String>,
        start: &Network,
        data: &Dataset,
        config: &TrainConfig,
        rng: &mut RunRng,
        bar: Option<&ProgressBar>,
        watch: &mut Watch,
    ) -> Result<Run> {
        let name = name.into();
        let mut net = start.clone();
        let outcome = train_watched(&mut net, data, config, rng, MAX_BINS, watch, &mut |done| {
            if let Some(b) = bar {
                b.inc(done);
            }
        });
        let outcome = outcome
            .map_err(|e| diverged_error(e, dataset_cost(start, data)))
            .with_context(|| format!("run {name}"))?;
        Ok(Run {
            name,
            initial: start.clone(),
            trained: net,
            trace: outcome.trace,
        })
    }

    /// One run on its own, with its own progress bar (shown on a terminal
    /// when the run is long enough, cleared when it ends) labelled `label`.
    pub fn train_alone(
        name: impl Into<String>,
        start: &Network,
        data: &Dataset,
        config: &TrainConfig,
        rng: &mut RunRng,
        label: &str,
    ) -> Result<Run> {
        let bar = progress_for(config.iterations(), label);
        let run = Run::train(name, start, data, config, rng, bar.as_ref());
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        run
    }

    /// Largest `|final - initial|` over all parameters.
    pub fn max_abs_change(&self) -> f64 {
        self.initial
            .params()
            .iter()
            .zip(self.trained.params())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }

    /// The trained network's mean cost on `data`.
    pub fn final_cost(&self, data: &Dataset) -> f64 {
        dataset_cost(&self.trained, data)
    }

    /// Adds `<folder>/weights/<name>-initial.npz` and `-final.npz` to the
    /// set, `folder` relative to the set's folder (empty for the set's own).
    pub fn add_weights(&self, outputs: &mut OutputSet, folder: &Path) -> Result<()> {
        let dir = folder.join("weights");
        outputs.add(
            dir.join(format!("{}-initial.npz", self.name)),
            weights_npz(&self.initial)?,
        );
        outputs.add(
            dir.join(format!("{}-final.npz", self.name)),
            weights_npz(&self.trained)?,
        );
        Ok(())
    }
}

/// A progress bar for `total` iterations when stderr is a terminal and the
/// work is long enough to watch (about a second or more), else none.
pub fn progress_for(total_steps: u64, label: &str) -> Option<ProgressBar> {
    use std::io::IsTerminal;
    (std::io::stderr().is_terminal() && total_steps >= 2_000_000).then(|| {
        let bar = crate::cli::progress_bar(total_steps, label);
        // Drawn at once, not at the first step's report.
        bar.tick();
        bar
    })
}
