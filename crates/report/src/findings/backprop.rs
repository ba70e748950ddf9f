//! Backprop at work: one sample through the 2b network at its perturbed
//! start, computed by the core's own passes while rendering.

use super::verdict;
use crate::diagram::{self, Perturbed};
use anyhow::Result;
use serde::Serialize;

/// The file name of the diagram, made while rendering.
pub const DIAGRAM: &str = "backprop_at_work.svg";
/// The sample the diagram follows through the network: the input
/// x = (1, 1) with target 0.
pub const DIAGRAM_SAMPLE: ([f64; 2], f64) = ([1.0, 1.0], 0.0);

verdict! {
    /// Which way one step on this sample moves the perturbed parameter.
    pub enum Direction {
        /// Back towards the value it had before the perturbation.
        Towards => "towards",
        /// Further away from it.
        Away => "away",
        /// Not at all.
        Still => "still",
    }
}

/// What the report says about backprop at work.
#[derive(Clone, Debug, Serialize)]
pub struct Diagram {
    pub figure: &'static str,
    pub perturbation: String,
    pub x1: String,
    pub x2: String,
    pub target: String,
    pub y: String,
    pub delta_out: String,
    pub delta_hidden: String,
    /// The perturbed parameter's value, its value before, its gradient on
    /// this sample and the step that gradient makes.
    pub value: String,
    pub original: String,
    pub grad: String,
    pub step: String,
    #[serde(flatten)]
    pub direction: Direction,
}

impl Diagram {
    /// The diagram's numbers for the 2b run's `perturbation`, trained at
    /// `learning_rate`.
    pub fn new(perturbation: &str, learning_rate: f64) -> Result<Diagram> {
        let (x, target) = DIAGRAM_SAMPLE;
        let b = diagram::backprop_at_work(perturbation, x, target)?;
        let n = diagram::num;
        let (value, grad) = match b.perturbed {
            Perturbed::V(k, i) => (b.v_weights[k][i], b.grad_v[k][i]),
            Perturbed::W(k) => (b.w[k], b.grad_w[k]),
            Perturbed::B(k) => (b.b[k], b.grad_b[k]),
        };
        let towards = (b.original - value) * grad;
        Ok(Diagram {
            figure: DIAGRAM,
            perturbation: b.perturbation.clone(),
            x1: n(b.x[0]),
            x2: n(b.x[1]),
            target: n(b.target),
            y: n(b.y),
            delta_out: n(b.delta_out),
            delta_hidden: b.delta_hidden.iter().map(|d| n(*d)).collect::<Vec<_>>().join(", "),
            value: n(value),
            original: n(b.original),
            grad: n(grad),
            step: n(learning_rate * grad),
            direction: if towards > 0.0 {
                Direction::Towards
            } else if towards < 0.0 {
                Direction::Away
            } else {
                Direction::Still
            },
        })
    }
}
