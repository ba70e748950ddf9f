//! 2b: XOR from a perturbed start, and the sweep over perturbations.

use super::{Header, Seeds, SheetWeights};
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
    /// The parameters at the perturbed start.
    pub initial_weights: SheetWeights,
    /// The parameters after training.
    pub final_weights: SheetWeights,
    /// The sweep, unless it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

/// Every parameter offset by every nonzero value of a grid, each trained
/// like the main run from several sample orders (seeds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The grid of offsets (0, the unperturbed start, is not among them).
    pub offsets: Vec<f64>,
    /// The parameters, in the flat order (`V`, `W`, `b`).
    pub parameters: Vec<String>,
    /// The seeds each perturbation was trained with, one sample order each.
    pub seeds: Seeds,
    /// Number of perturbations (parameters x offsets).
    pub perturbations: usize,
    /// Number of runs (perturbations x seeds).
    pub runs: usize,
    /// How many runs recovered.
    pub recovered: usize,
    /// Runs that did not recover, one row per parameter, one column per
    /// offset (each out of `seeds.count`).
    pub failed: Vec<Vec<u64>>,
    /// Every run that did not recover, with why.
    pub failures: Vec<Failure>,
    /// The parameters in pairs that swapping the inputs x1 and x2 together
    /// with hidden units k and K-1-k maps onto each other (a parameter the
    /// swap leaves in place pairs with itself), when the start and the data
    /// are unchanged by that swap; empty otherwise. A run perturbing one of
    /// a pair is then the mirror image of a run perturbing the other by the
    /// same offset from the mirrored sample order, so the pair's failure
    /// rates estimate one rate.
    #[serde(default)]
    pub mirror_pairs: Vec<[String; 2]>,
}

/// A sweep run that did not recover.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The perturbed parameter, for example `W[0,1]`.
    pub parameter: String,
    /// The offset added to it.
    pub offset: f64,
    /// The seed of its sample order.
    pub seed: u64,
    /// Data-set cost after training.
    pub final_cost: f64,
    /// The norm of the full-batch gradient (the mean over the samples of
    /// the per-sample gradient) after training.
    pub gradient_norm: f64,
    /// What the trained network shows.
    pub diagnosis: FailureReason,
    /// The samples (0-based) on which every hidden unit has `v <= 0` at the
    /// end: the output is exactly 0 there and the sample's error reaches no
    /// parameter.
    pub silent_inputs: Vec<usize>,
}

/// Why a run did not recover, where the trained network shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureReason {
    /// Hidden ReLU units (0-based) with `v <= 0` on every input at the end:
    /// `phi'(v) = 0` there, so no gradient reaches their weights.
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
                let (noun, verb) = if units.len() == 1 {
                    ("unit", "is")
                } else {
                    ("units", "are")
                };
                write!(
                    f,
                    "hidden {noun} {list} (0-based) {verb} dead at the end: v <= 0 on all four inputs"
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
