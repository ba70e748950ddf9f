//! 2a: XOR from the course's perfect start.

use super::{Header, SheetWeights};
use serde::{Deserialize, Serialize};

/// `report/ex2a/metrics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Which part, data and settings.
    #[serde(flatten)]
    pub header: Header,
    /// Largest `|final - initial|` over all parameters.
    pub max_abs_weight_change: f64,
    /// Data-set cost before training.
    pub initial_cost: f64,
    /// Data-set cost after training.
    pub final_cost: f64,
    /// The largest per-sample cost any iteration saw.
    pub max_sample_cost_during_training: f64,
    /// The parameters after training.
    pub final_weights: SheetWeights,
}
