//! 2d: the bars problem: what the targets encode, what each output codes
//! for, and what the hidden units read.

use super::{sci, thousands};
use exercise_harness::metrics::ex2d::{self, CODES_FOR_R2, IGNORES_R2};
use mlp::stats::LinearFit;
use serde::Serialize;

/// A hidden unit reads mainly the row when at least this share of the
/// variation of its input comes from the row (mainly the column when at
/// most one less this).
pub const MAINLY: f64 = 0.75;
/// A unit sends mostly into one output when its weight into it is at least
/// this many times its weight into the other.
pub const MOSTLY_INTO: f64 = 2.0;
/// The crossing pixel's share of a unit's input variance counts as small
/// below this.
pub const SMALL_CROSSING: f64 = 0.1;
/// A target is exactly a bar position divided by a whole number when its
/// line's slope inverts to one within this...
pub const WHOLE_DIVISOR: f64 = 1e-9;
/// ...its intercept is within this of 0 and its R² within this of 1.
pub const EXACT_FIT: f64 = 1e-12;

/// What the report says about 2d.
#[derive(Clone, Debug, Serialize)]
pub struct Ex2d {
    /// The outputs form a grid: z1 codes for the row and ignores the
    /// column, z2 the other way round.
    pub grid: bool,
    pub reading: Reading,
    /// The targets against the row (z1*) and the column (z2*).
    pub encoding: [Encoding; 2],
    /// Both targets are exactly a bar position over a whole number.
    pub encodings_exact: bool,
    pub hidden: usize,
    pub iterations: String,
    pub seed: u64,
    pub final_cost: String,
    pub max_abs_error: String,
    pub r2_z1_row: String,
    pub r2_z1_column: String,
    pub r2_z2_column: String,
    pub r2_z2_row: String,
    /// What each output codes for, in the binary's words.
    pub codes_for_1: String,
    pub codes_for_2: String,
    pub figure_cost: &'static str,
    pub figure_inputs: &'static str,
    pub figure_outputs: &'static str,
    pub figure_hidden: &'static str,
}

/// What the hidden units' input weights read.
#[derive(Clone, Debug, Serialize)]
pub struct Reading {
    /// [`MAINLY`] in %.
    pub mainly: String,
    /// Units reading mainly the row, mainly the column, both.
    pub rows: usize,
    pub one_row: bool,
    pub any_rows: bool,
    pub cols: usize,
    pub any_cols: bool,
    pub both: usize,
    pub units: usize,
    pub rows_to_z1: usize,
    pub cols_to_z2: usize,
    /// Most units read both bars.
    pub mixed_majority: bool,
    pub crossing_min: String,
    pub crossing_max: String,
    /// The two print the same.
    pub crossing_equal: bool,
    pub crossing_small: bool,
    /// Each unit's share from the row, listed.
    pub shares: String,
}

/// One target against one bar position.
#[derive(Clone, Debug, Serialize)]
pub struct Encoding {
    /// Exactly the position over a whole number.
    pub exact: bool,
    pub divisor: String,
    pub slope: String,
    pub intercept: String,
    pub r2: String,
}

impl Encoding {
    fn new(f: &LinearFit) -> Encoding {
        let divisor = 1.0 / f.slope;
        Encoding {
            exact: (divisor - divisor.round()).abs() < WHOLE_DIVISOR
                && f.intercept.abs() < EXACT_FIT
                && f.r2 > 1.0 - EXACT_FIT,
            divisor: format!("{}", divisor.round()),
            slope: format!("{:.4}", f.slope),
            intercept: format!("{:.4}", f.intercept),
            r2: format!("{:.4}", f.r2),
        }
    }
}

impl Reading {
    fn new(units: &[ex2d::HiddenUnit]) -> Reading {
        let rows: Vec<&ex2d::HiddenUnit> = units.iter().filter(|u| u.row_share >= MAINLY).collect();
        let cols: Vec<&ex2d::HiddenUnit> = units.iter().filter(|u| u.row_share <= 1.0 - MAINLY).collect();
        let both = units.len() - rows.len() - cols.len();
        let rows_to_z1 = rows
            .iter()
            .filter(|u| u.output_weights[0].abs() > MOSTLY_INTO * u.output_weights[1].abs())
            .count();
        let cols_to_z2 = cols
            .iter()
            .filter(|u| u.output_weights[1].abs() > MOSTLY_INTO * u.output_weights[0].abs())
            .count();
        let crossing = units.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), u| {
            (lo.min(u.crossing_share), hi.max(u.crossing_share))
        });
        let crossing_min = format!("{:.0}", 100.0 * crossing.0);
        let crossing_max = format!("{:.0}", 100.0 * crossing.1);
        Reading {
            mainly: format!("{:.0}", 100.0 * MAINLY),
            rows: rows.len(),
            one_row: rows.len() == 1,
            any_rows: !rows.is_empty(),
            cols: cols.len(),
            any_cols: !cols.is_empty(),
            both,
            units: units.len(),
            rows_to_z1,
            cols_to_z2,
            mixed_majority: 2 * both > units.len(),
            crossing_equal: crossing_min == crossing_max,
            crossing_min,
            crossing_max,
            crossing_small: crossing.1 < SMALL_CROSSING,
            shares: units
                .iter()
                .enumerate()
                .map(|(k, u)| format!("{k}: {:.2}", u.row_share))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

impl Ex2d {
    pub fn new(d: &ex2d::Metrics) -> Ex2d {
        let encoding = [
            Encoding::new(&d.target_encoding[0]),
            Encoding::new(&d.target_encoding[1]),
        ];
        Ex2d {
            grid: d.r2_z1_row > CODES_FOR_R2
                && d.r2_z2_column > CODES_FOR_R2
                && d.r2_z1_column < IGNORES_R2
                && d.r2_z2_row < IGNORES_R2,
            reading: Reading::new(&d.hidden_units),
            encodings_exact: encoding[0].exact && encoding[1].exact,
            encoding,
            hidden: d.hidden,
            iterations: thousands(d.header.settings.iterations),
            seed: d.header.settings.seed,
            final_cost: sci(d.final_cost),
            max_abs_error: sci(d.max_abs_error),
            r2_z1_row: format!("{:.6}", d.r2_z1_row),
            r2_z1_column: format!("{:.6}", d.r2_z1_column),
            r2_z2_column: format!("{:.6}", d.r2_z2_column),
            r2_z2_row: format!("{:.6}", d.r2_z2_row),
            codes_for_1: d.codes_for.first().cloned().unwrap_or_default(),
            codes_for_2: d.codes_for.get(1).cloned().unwrap_or_default(),
            figure_cost: "ex2d/cost_over_time.svg",
            figure_inputs: "ex2d/inputs.svg",
            figure_outputs: "ex2d/outputs.svg",
            figure_hidden: "ex2d/hidden_weights.svg",
        }
    }
}
