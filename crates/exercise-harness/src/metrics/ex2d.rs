//! 2d: the bars problem.

use super::Header;
use mlp::stats::LinearFit;
use serde::{Deserialize, Serialize};

/// An output codes for a bar position when its least-squares line against
/// that position has an R² above this, for whoever reads these metrics.
pub const CODES_FOR_R2: f64 = 0.99;
/// An output ignores a bar position when its R² against it is below this.
pub const IGNORES_R2: f64 = 0.01;

/// `ex2d/metrics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Which part, data and settings.
    #[serde(flatten)]
    pub header: Header,
    /// Hidden units K.
    pub hidden: usize,
    /// Data-set cost after training.
    pub final_cost: f64,
    /// Largest `|y - y*|` over samples and outputs.
    pub max_abs_error: f64,
    /// R² of output 1 against the horizontal bar's row.
    pub r2_z1_row: f64,
    /// R² of output 2 against the vertical bar's column.
    pub r2_z2_column: f64,
    /// R² of output 1 against the column.
    pub r2_z1_column: f64,
    /// R² of output 2 against the row.
    pub r2_z2_row: f64,
    /// The four least-squares lines.
    pub fits: Fits,
    /// What each output codes for, in words.
    pub codes_for: Vec<String>,
    /// The targets against the bar positions decoded from the images: z1*
    /// against the row, z2* against the column.
    pub target_encoding: [LinearFit; 2],
    /// What each hidden unit's input weights read, unit by unit.
    pub hidden_units: Vec<HiddenUnit>,
    /// Every sample: bar positions decoded from the image, and the outputs.
    pub samples: Vec<BarSample>,
}

/// What one hidden unit reads. Every image lights one whole row and one
/// whole column, so the unit's input is `b_k` plus its weights summed over
/// the lit row (`R_h`) plus those over the lit column (`C_v`), less the
/// crossing pixel's weight counted twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HiddenUnit {
    /// Variance of the row sums `R_h` over the five rows.
    pub row_variance: f64,
    /// Variance of the column sums `C_v` over the five columns.
    pub column_variance: f64,
    /// `row_variance / (row_variance + column_variance)`: 1 if the input
    /// varies with the horizontal bar's row alone, 0 with the vertical
    /// bar's column alone.
    pub row_share: f64,
    /// Variance over the 25 images of the crossing pixel's weight
    /// `V[k, (h, c)]`, which the row/column split leaves out, as a share of
    /// the variance of the unit's input without bias,
    /// `R_h + C_c - V[k, (h, c)]`.
    pub crossing_share: f64,
    /// Its output weights `W[0, k]` (into z1) and `W[1, k]` (into z2).
    pub output_weights: [f64; 2],
}

/// Each output against each bar position.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fits {
    /// Output 1 against the row.
    pub z1_row: LinearFit,
    /// Output 1 against the column.
    pub z1_column: LinearFit,
    /// Output 2 against the row.
    pub z2_row: LinearFit,
    /// Output 2 against the column.
    pub z2_column: LinearFit,
}

/// One sample of the bars data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BarSample {
    /// Row of the horizontal bar (0-based), decoded from the image.
    pub row: usize,
    /// Column of the vertical bar (0-based), decoded from the image.
    pub column: usize,
    /// Output 1.
    pub z1: f64,
    /// Output 2.
    pub z2: f64,
}
