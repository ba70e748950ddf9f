//! 2d: the bars problem.

use super::Header;
use mlp::stats::LinearFit;
use serde::{Deserialize, Serialize};

/// A series (a target or an output) follows a property of the images when
/// its least-squares line against it has an R² above this.
pub const CODES_FOR_R2: f64 = 0.99;
/// A series ignores a property when its R² against it is below this.
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
    /// The properties read off every image that the targets and outputs
    /// are tested against: the candidates defined on every image and not
    /// the same on all.
    pub properties: Vec<Property>,
    /// What each series follows, in the order z1*, z2* (the targets), z1,
    /// z2 (the trained outputs).
    pub follows: Vec<Follows>,
    /// What each output codes for, in words.
    pub codes_for: Vec<String>,
    /// What each hidden unit reads, unit by unit: its input weights split
    /// by bar (only when every image has one full row and one full column)
    /// and its activity over the images.
    pub hidden_units: Vec<HiddenUnit>,
    /// Every sample: the bar positions read off the image (where it has
    /// them), and the outputs.
    pub samples: Vec<BarSample>,
    /// The parameters after training (which the notebook's replay ends on).
    pub final_weights: super::SheetWeights,
}

/// A property of the images, as read off each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Property {
    /// Its key, `bar_row`.
    pub key: String,
    /// What it is, `the row of the horizontal bar`.
    pub name: String,
    /// Its value on each image, in the data's order.
    pub values: Vec<f64>,
}

/// One series (a target or an output over the images) against every
/// property.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Follows {
    /// `z1*`, `z2*`, `z1` or `z2`.
    pub series: String,
    /// Its least-squares line against each property, in the order of
    /// [`Metrics::properties`].
    pub fits: Vec<PropertyFit>,
    /// The key of the property it follows: the best line, if its R² is
    /// above [`CODES_FOR_R2`] (the first of equally good ones).
    pub best: Option<String>,
}

impl Follows {
    /// The line against the property `key`.
    pub fn fit(&self, key: &str) -> Option<&LinearFit> {
        self.fits.iter().find(|f| f.property == key).map(|f| &f.fit)
    }

    /// The line against the property it follows.
    pub fn best_fit(&self) -> Option<&PropertyFit> {
        let best = self.best.as_deref()?;
        self.fits.iter().find(|f| f.property == best)
    }
}

/// A series' line against one property.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropertyFit {
    /// The property's key.
    pub property: String,
    /// The line.
    #[serde(flatten)]
    pub fit: LinearFit,
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
    /// The mean of its activity `z_k` (the sigmoid of its input) over the
    /// images.
    pub activity_mean: f64,
    /// The standard deviation of its activity over the images: a unit
    /// whose activity hardly varies passes on nearly nothing of the image,
    /// whatever its weights look like.
    pub activity_std: f64,
}

/// One sample of the bars data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BarSample {
    /// Row of the horizontal bar (0-based), read off the image; none
    /// without exactly one full row.
    pub row: Option<usize>,
    /// Column of the vertical bar (0-based); none without exactly one full
    /// column.
    pub column: Option<usize>,
    /// Output 1.
    pub z1: f64,
    /// Output 2.
    pub z2: f64,
}
