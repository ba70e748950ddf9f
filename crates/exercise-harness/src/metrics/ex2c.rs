//! 2c: function approximation with `1 -> K -> 1` networks over many seeds.

pub use super::Seeds;
use mlp::Generator;
use mlp::train::Sampling;
use serde::{Deserialize, Serialize};

/// `report/ex2c/metrics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Always `"2c"`.
    pub exercise: String,
    /// The training data file.
    pub train_data: String,
    /// The test data file.
    pub test_data: String,
    /// Samples in the training data.
    pub train_samples: usize,
    /// Samples in the test data.
    pub test_samples: usize,
    /// Iterations of each run.
    pub iterations: u64,
    /// `eta` for each K.
    pub learning_rate: Vec<LearningRate>,
    /// `mu`.
    pub momentum: f64,
    /// How each iteration picked its sample.
    pub sampling: Sampling,
    /// The runs' generator.
    pub rng: Generator,
    /// The seeds of each K.
    pub seeds: Seeds,
    /// Every run.
    pub runs: Vec<RunResult>,
    /// The statistics over seeds, one per K at the sheet's learning rate
    /// for that K, in the order of `--hidden`.
    pub summary: Vec<Summary>,
    /// The statistics of each K at the other Ks' learning rates (empty
    /// when all Ks share one rate, or with `--no-cross-rates`).
    #[serde(default)]
    pub other_rates: Vec<Summary>,
    /// The test cost of `sin(pi x)`, the noise-free function of the
    /// project's recipe: only when the run used the project's own data
    /// files (for other data that function means nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_cost_of_sin_pi_x: Option<f64>,
    /// The training cost of `sin(pi x)`, with the test cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_cost_of_sin_pi_x: Option<f64>,
    /// The K with the lowest mean test cost.
    pub lower_mean_test_cost_hidden: Option<usize>,
    /// Beyond the sheet (`--capacity`): the cost against the number of
    /// hidden units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// Beyond the sheet (`--snapshots`): one run per K watched during
    /// training.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<Snapshots>,
    /// The first seed's run of each K at its own rate, with its final
    /// weights: the runs the notebook replays in NumPy and compares with.
    #[serde(default)]
    pub replayed: Vec<Replayed>,
}

impl Metrics {
    /// The settings of the first seed's run at `learning_rate`.
    pub fn first_seed_settings(&self, learning_rate: f64) -> super::Settings {
        super::Settings {
            iterations: self.iterations,
            learning_rate,
            momentum: self.momentum,
            sampling: self.sampling,
            rng: self.rng,
            seed: self.seeds.first,
        }
    }
}

/// A run the notebook replays, with what it must end on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replayed {
    /// K.
    pub hidden: usize,
    /// Its seed.
    pub seed: u64,
    /// Its learning rate.
    pub learning_rate: f64,
    /// Its parameters after training.
    pub final_weights: super::SheetWeights,
    /// Its data-set costs after training.
    pub train_cost: f64,
    pub test_cost: f64,
}

/// Every hidden size of `--capacity`, each trained from the same seeds at
/// its own default rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// The hidden sizes, ascending.
    pub hidden: Vec<usize>,
    /// Every run (those of `--hidden` included).
    pub runs: Vec<RunResult>,
    /// The statistics over seeds, one per size, ascending.
    pub summary: Vec<Summary>,
}

/// One run looked at during training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshots {
    /// K.
    pub hidden: usize,
    /// `eta`.
    pub learning_rate: f64,
    /// Its seed.
    pub seed: u64,
    /// The costs after each of the iteration counts looked at.
    pub after: Vec<SnapshotCost>,
}

/// A run's costs after some iterations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotCost {
    /// Iterations done.
    pub iterations: u64,
    /// Mean cost on the training data then.
    pub train_cost: f64,
    /// Mean cost on the test data then.
    pub test_cost: f64,
}

/// The learning rate used for one K.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearningRate {
    /// K.
    pub hidden: usize,
    /// `eta`.
    pub learning_rate: f64,
}

/// One training run's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// K.
    pub hidden: usize,
    /// `eta`.
    pub learning_rate: f64,
    /// Its seed.
    pub seed: u64,
    /// Mean cost on the training data after training.
    pub train_cost: f64,
    /// Mean cost on the test data after training.
    pub test_cost: f64,
}

/// The statistics over seeds for one K.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// K.
    pub hidden: usize,
    /// `eta`.
    pub learning_rate: f64,
    /// How many seeds.
    pub seeds: usize,
    /// Mean test cost over seeds.
    pub test_cost_mean: f64,
    /// Sample standard deviation of the test cost over seeds.
    pub test_cost_std: f64,
    /// Smallest test cost.
    pub test_cost_min: f64,
    /// Largest test cost.
    pub test_cost_max: f64,
    /// Mean training cost over seeds.
    pub train_cost_mean: f64,
    /// Sample standard deviation of the training cost over seeds.
    pub train_cost_std: f64,
    /// The seed whose test cost is the median (the lower one for an even count).
    pub representative_seed: u64,
}
