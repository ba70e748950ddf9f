//! Exercise 1 checked by numbers: the largest relative error of every part
//! and layer against central differences.

use super::{sci, thousands};
use exercise_harness::metrics::ex1;
use mlp::Activation;
use serde::Serialize;

/// Errors at most this large count as agreement with finite differences.
pub const AGREES: f64 = 1e-6;

/// What the report says about Exercise 1's checks.
#[derive(Clone, Debug, Serialize)]
pub struct Ex1 {
    /// The checked network, `2 → 5 (ReLU) → ...`.
    pub network: String,
    pub hidden_layers: usize,
    pub seed: u64,
    /// The finite-difference step in LaTeX: `1.0\times 10^{-3}`.
    pub step: String,
    /// The layer numbers `1..=L`, the table's columns.
    pub layer_numbers: Vec<usize>,
    /// `L`, the last layer.
    pub last_layer: usize,
    pub rows: Vec<Row>,
    /// How many quantities were checked in all.
    pub quantities: String,
    /// The largest relative error.
    pub max: String,
    /// Every error at most [`AGREES`].
    pub all_below: bool,
    /// The largest difference between the formulas' deltas and the core's.
    pub core_vs_formula: String,
    /// The two are equal, number for number.
    pub core_exact: bool,
    /// The smallest distance of any ReLU input from its kink.
    pub relu_margin: String,
}

/// One part of Exercise 1: its largest error per layer (`—` where the
/// formula does not apply).
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub part: String,
    pub formula: String,
    pub cells: Vec<String>,
}

impl Ex1 {
    pub fn new(e1: &ex1::Metrics) -> Ex1 {
        let n_layers = e1.network.layers.len();
        let mut network = format!("{}", e1.network.inputs);
        for l in &e1.network.layers {
            let act = match l.activation {
                Activation::Relu => "ReLU",
                other => other.name(),
            };
            network.push_str(&format!(" → {} ({act})", l.units));
        }
        let mut rows = Vec::new();
        let mut quantities = 0;
        for check in &e1.checks {
            let mut cells = vec!["—".to_owned(); n_layers];
            for l in &check.layers {
                quantities += l.quantities as u64;
                if (1..=n_layers).contains(&l.layer) {
                    cells[l.layer - 1] = sci(l.max_rel_error);
                }
            }
            rows.push(Row {
                part: check.part.clone(),
                formula: check.formula.clone(),
                cells,
            });
        }
        Ex1 {
            network,
            hidden_layers: n_layers - 1,
            seed: e1.seed,
            step: sci(e1.step).replace("e", "\\times 10^{") + "}",
            layer_numbers: (1..=n_layers).collect(),
            last_layer: n_layers,
            rows,
            quantities: thousands(quantities),
            max: sci(e1.max_rel_error),
            all_below: e1.max_rel_error <= AGREES,
            core_vs_formula: sci(e1.core_backward_vs_formula),
            core_exact: e1.core_backward_vs_formula == 0.0,
            relu_margin: format!("{:.3}", e1.relu_margin),
        }
    }
}
