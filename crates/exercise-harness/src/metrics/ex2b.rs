//! 2b: XOR from a perturbed start, and the sweep over perturbations.

use super::{Header, SheetWeights};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `report/ex2b/metrics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Which part, data and settings.
    #[serde(flatten)]
    pub header: Header,
    /// The change to the start, as `--perturb` spells it.
    pub perturbation: String,
    /// The parameter's value before the change.
    pub original_value: f64,
    /// Data-set cost at the perturbed start.
    pub initial_cost: f64,
    /// Data-set cost after training.
    pub final_cost: f64,
    /// Whether `final_cost < recovery_threshold`.
    pub recovered: bool,
    /// A data-set cost below this counts as recovered.
    pub recovery_threshold: f64,
    /// The parameters after training.
    pub final_weights: SheetWeights,
    /// The sweep, unless it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

/// Every parameter offset by every value of a grid, each trained like the
/// main run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The grid of offsets.
    pub offsets: Vec<f64>,
    /// The parameters, in the flat order (`V`, `W`, `b`).
    pub parameters: Vec<String>,
    /// Number of runs (parameters x offsets).
    pub runs: usize,
    /// How many of them recovered.
    pub recovered: usize,
    /// The runs that did not, with why.
    pub not_recovered: Vec<Failure>,
    /// Final data-set cost, one row per parameter, one column per offset.
    pub final_cost: Vec<Vec<f64>>,
}

/// A sweep run that did not recover.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The perturbed parameter, for example `W[0,1]`.
    pub parameter: String,
    /// The offset added to it.
    pub offset: f64,
    /// Data-set cost after training.
    pub final_cost: f64,
    /// Always false here.
    pub recovered: bool,
    /// Why, in words: the [`Display`](fmt::Display) of `diagnosis`.
    pub reason: String,
    /// Why, as data.
    pub diagnosis: FailureReason,
}

impl Failure {
    /// A failure of the run that offset `parameter` by `offset`.
    pub fn new(parameter: String, offset: f64, final_cost: f64, diagnosis: FailureReason) -> Failure {
        Failure {
            parameter,
            offset,
            final_cost,
            recovered: false,
            reason: diagnosis.to_string(),
            diagnosis,
        }
    }
}

/// Why a run did not recover, where the trained network shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureReason {
    /// Hidden ReLU units (0-based) with `v <= 0` on every input: no gradient
    /// reaches their weights.
    DeadUnits {
        /// The units.
        units: Vec<usize>,
    },
    /// The cost was still falling when training stopped.
    StillDescending {
        /// Mean cost of the bin three quarters of the way through.
        from: f64,
        /// Mean cost of the last bin.
        to: f64,
    },
    /// Stuck where the full-batch gradient is (nearly) zero.
    Stationary {
        /// The full-batch gradient's norm.
        gradient_norm: f64,
    },
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::DeadUnits { units } => {
                let list = units.iter().map(|j| j.to_string()).collect::<Vec<_>>().join(" and ");
                let (noun, verb, their) = if units.len() == 1 {
                    ("unit", "fires", "its")
                } else {
                    ("units", "fire", "their")
                };
                write!(
                    f,
                    "hidden {noun} {list} (0-based) never {verb} on any input (dead ReLU: v <= 0 for all four inputs), \
                     so phi'(v) = 0, no gradient reaches {their} weights and the remaining units cannot represent XOR"
                )
            }
            FailureReason::StillDescending { from, to } => write!(
                f,
                "still descending when training stopped (cost fell from {from:.2e} to {to:.2e} over the last quarter); more iterations would help"
            ),
            FailureReason::Stationary { gradient_norm } => write!(
                f,
                "stuck at a stationary point that is not a solution (gradient norm {gradient_norm:.1e}): a local minimum or plateau of the cost"
            ),
        }
    }
}
