//! 2d: the bars problem.

use super::Header;
use mlp::stats::LinearFit;
use serde::{Deserialize, Serialize};

/// `report/ex2d/metrics.json`.
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
    /// Every sample: bar positions decoded from the image, and the outputs.
    pub samples: Vec<BarSample>,
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
