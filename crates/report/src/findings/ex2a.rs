//! 2a: the course's perfect XOR start, trained with the correct backprop.

use super::{sci, thousands};
use exercise_harness::metrics::ex2a;
use serde::Serialize;

/// What the report says about 2a.
#[derive(Clone, Debug, Serialize)]
pub struct Ex2a {
    pub iterations: String,
    pub sampling: String,
    pub seed: u64,
    pub learning_rate: String,
    pub momentum: f64,
    /// No parameter moved at all.
    pub unchanged: bool,
    pub max_change: String,
    pub initial_cost: String,
    pub final_cost: String,
    pub max_sample_cost: String,
    pub figure: &'static str,
}

impl Ex2a {
    pub fn new(a: &ex2a::Metrics) -> Ex2a {
        let settings = &a.header.settings;
        Ex2a {
            iterations: thousands(settings.iterations),
            sampling: settings.sampling.to_string(),
            seed: settings.seed,
            learning_rate: format!("{:.4}", settings.learning_rate),
            momentum: settings.momentum,
            unchanged: a.max_abs_weight_change == 0.0,
            max_change: sci(a.max_abs_weight_change),
            initial_cost: sci(a.initial_cost),
            final_cost: sci(a.final_cost),
            max_sample_cost: sci(a.max_sample_cost_during_training),
            figure: "ex2a/cost_over_time.svg",
        }
    }
}
