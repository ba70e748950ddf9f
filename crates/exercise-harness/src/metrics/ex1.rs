//! Exercise 1 checked by numbers: each formula of (a) to (f) against
//! central differences, layer by layer.

use mlp::LayerSpec;
use serde::{Deserialize, Serialize};

/// `report/ex1/metrics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Always `"1"`.
    pub exercise: String,
    /// Seed of the random network, input and target.
    pub seed: u64,
    /// Step `h` of the five-point central differences.
    pub step: f64,
    /// The network checked.
    pub network: CheckedNetwork,
    /// How errors are measured, in words.
    pub relative_error: String,
    /// One check per part, (a) to (f).
    pub checks: Vec<Check>,
    /// The largest relative error of every check.
    pub max_rel_error: f64,
    /// The largest relative difference between the core's deltas and the
    /// formulas' deltas.
    pub core_backward_vs_formula: f64,
    /// The smallest `|v|` of a ReLU unit: how far the check stays from the kink.
    pub relu_margin: f64,
}

/// The shape of the network checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckedNetwork {
    /// `n_0`.
    pub inputs: usize,
    /// Layers `1 ..= L`.
    pub layers: Vec<LayerSpec>,
    /// `L - 1`.
    pub hidden_layers: usize,
}

/// One part of Exercise 1 checked on every layer it applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// `"a"` to `"f"`.
    pub part: String,
    /// The formula checked, in LaTeX.
    pub formula: String,
    /// Per layer.
    pub layers: Vec<LayerCheck>,
    /// The largest over the layers.
    pub max_rel_error: f64,
}

/// One layer of a [`Check`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerCheck {
    /// `l` (sheet numbering).
    pub layer: usize,
    /// How many quantities were compared.
    pub quantities: usize,
    /// The largest relative error among them.
    pub max_rel_error: f64,
}
