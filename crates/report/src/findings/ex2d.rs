//! 2d: the bars problem: what the targets encode, what each output codes
//! for, and what the hidden units read.

use super::{sci, thousands};
use exercise_harness::metrics::ex2d::{self, IGNORES_R2};
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
/// A unit whose activity varies over the images by less than this standard
/// deviation counts as nearly silent: it passes on little of the image.
pub const SILENT_STD: f64 = 0.1;
/// A target is exactly a property divided by a whole number when its line's
/// slope inverts to one within this...
pub const WHOLE_DIVISOR: f64 = 1e-9;
/// ...its intercept is within this of 0 and its R² within this of 1.
pub const EXACT_FIT: f64 = 1e-12;
/// Two R² this close are equally good.
pub const TIE: f64 = 1e-9;

/// What the report says about 2d.
#[derive(Clone, Debug, Serialize)]
pub struct Ex2d {
    /// The outputs follow two different properties, each ignoring the
    /// other's.
    pub grid: bool,
    pub has_reading: bool,
    pub reading: Option<Reading>,
    /// The targets z1*, z2*, then the outputs z1, z2.
    pub targets: Vec<Series>,
    pub outputs: Vec<Series>,
    /// Each output follows what its target follows.
    pub outputs_as_targets: bool,
    /// Both targets follow some property.
    pub targets_follow: bool,
    /// The properties tested, with each series' R² against each.
    pub table: Vec<PropertyRow>,
    /// Every image has one full row and one full column.
    pub all_bars: bool,
    pub samples: usize,
    /// The properties tested, listed in words.
    pub property_names: String,
    /// The data are the project's own bars recipe.
    pub recipe: bool,
    pub hidden: usize,
    pub iterations: String,
    pub seed: u64,
    pub final_cost: String,
    pub max_abs_error: String,
    /// What each output codes for, in the binary's words.
    pub codes_for_1: String,
    pub codes_for_2: String,
    pub figure_cost: &'static str,
    pub figure_inputs: &'static str,
    pub figure_outputs: &'static str,
    pub figure_hidden: &'static str,
}

/// What one series (a target or an output over the images) follows.
#[derive(Clone, Debug, Serialize)]
pub struct Series {
    /// `z_1^*` and so on, as the math prints it.
    pub symbol: String,
    pub follows: bool,
    /// The property it follows, or the closest one.
    pub what: String,
    pub slope: String,
    pub intercept: String,
    pub r2: String,
    /// Exactly the property over a whole number.
    pub exact: bool,
    pub divisor: String,
    /// Other properties that fit it equally well, listed (they move in step
    /// with the one named on these images).
    pub equally: String,
    pub any_equally: bool,
}

/// One property and every series' R² against it.
#[derive(Clone, Debug, Serialize)]
pub struct PropertyRow {
    pub name: String,
    pub r2: Vec<String>,
}

impl Series {
    fn new(symbol: &str, f: &ex2d::Follows, properties: &[ex2d::Property]) -> Series {
        let name = |key: &str| {
            properties
                .iter()
                .find(|p| p.key == key)
                .map_or_else(|| key.to_owned(), |p| p.name.clone())
        };
        let top = f
            .best_fit()
            .or_else(|| f.fits.iter().max_by(|a, b| a.fit.r2.total_cmp(&b.fit.r2)));
        let Some(top) = top else {
            return Series {
                symbol: symbol.to_owned(),
                follows: false,
                what: "no property (none varies over these images)".to_owned(),
                slope: String::new(),
                intercept: String::new(),
                r2: "0".to_owned(),
                exact: false,
                divisor: String::new(),
                equally: String::new(),
                any_equally: false,
            };
        };
        let fit = &top.fit;
        let divisor = 1.0 / fit.slope;
        let equally: Vec<String> = f
            .fits
            .iter()
            .filter(|x| x.property != top.property && (x.fit.r2 - fit.r2).abs() < TIE)
            .map(|x| name(&x.property))
            .collect();
        Series {
            symbol: symbol.to_owned(),
            follows: f.best.is_some(),
            what: name(&top.property),
            slope: format!("{:.4}", fit.slope),
            intercept: format!("{:.4}", fit.intercept),
            r2: format!("{:.4}", fit.r2),
            exact: divisor.is_finite()
                && (divisor - divisor.round()).abs() < WHOLE_DIVISOR
                && fit.intercept.abs() < EXACT_FIT
                && fit.r2 > 1.0 - EXACT_FIT,
            divisor: format!("{}", divisor.round()),
            any_equally: !equally.is_empty(),
            equally: equally.join(" and "),
        }
    }
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
    /// Each unit's share from the row and the spread of its activity,
    /// listed.
    pub shares: String,
    /// Units whose activity hardly varies over the images; the counts of
    /// rows, columns and both are of the others.
    pub silent: usize,
    pub one_silent: bool,
    pub any_silent: bool,
    pub silent_limit: String,
    /// Of the units that are not silent: how many read both bars, and
    /// whether that is most of them.
    pub active: usize,
    pub active_both: usize,
}

impl Reading {
    fn new(all: &[ex2d::HiddenUnit]) -> Reading {
        // Only units whose activity varies pass the image on: the silent
        // ones are counted apart, whatever their weights look like.
        let active: Vec<&ex2d::HiddenUnit> = all.iter().filter(|u| u.activity_std >= SILENT_STD).collect();
        let units = &active;
        let rows: Vec<&ex2d::HiddenUnit> = units.iter().copied().filter(|u| u.row_share >= MAINLY).collect();
        let cols: Vec<&ex2d::HiddenUnit> = units.iter().copied().filter(|u| u.row_share <= 1.0 - MAINLY).collect();
        let both = units.len() - rows.len() - cols.len();
        let rows_to_z1 = rows
            .iter()
            .filter(|u| u.output_weights[0].abs() > MOSTLY_INTO * u.output_weights[1].abs())
            .count();
        let cols_to_z2 = cols
            .iter()
            .filter(|u| u.output_weights[1].abs() > MOSTLY_INTO * u.output_weights[0].abs())
            .count();
        let crossing = all.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), u| {
            (lo.min(u.crossing_share), hi.max(u.crossing_share))
        });
        let active_both = both;
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
            units: all.len(),
            rows_to_z1,
            cols_to_z2,
            mixed_majority: 2 * active_both > active.len(),
            silent: all.len() - active.len(),
            one_silent: all.len() - active.len() == 1,
            any_silent: active.len() < all.len(),
            silent_limit: format!("{SILENT_STD}"),
            active: active.len(),
            active_both,
            crossing_equal: crossing_min == crossing_max,
            crossing_min,
            crossing_max,
            crossing_small: crossing.1 < SMALL_CROSSING,
            shares: all
                .iter()
                .enumerate()
                .map(|(k, u)| format!("{k}: {:.2} ({:.2})", u.row_share, u.activity_std))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

impl Ex2d {
    /// What the report says about `d`; `recipe`: the bars file is the
    /// project's own.
    pub fn new(d: &ex2d::Metrics, recipe: bool) -> Ex2d {
        let symbols = ["z_1^*", "z_2^*", "z_1", "z_2"];
        let series: Vec<Series> = d
            .follows
            .iter()
            .zip(symbols)
            .map(|(f, sym)| Series::new(sym, f, &d.properties))
            .collect();
        let best = |i: usize| d.follows.get(i).and_then(|f| f.best.clone());
        let r2 = |i: usize, key: &str| d.follows.get(i).and_then(|f| f.fit(key)).map_or(0.0, |f| f.r2);
        let grid = match (best(2), best(3)) {
            (Some(a), Some(b)) => a != b && r2(2, &b) < IGNORES_R2 && r2(3, &a) < IGNORES_R2,
            _ => false,
        };

        let table = d
            .properties
            .iter()
            .map(|p| PropertyRow {
                name: p.name.clone(),
                r2: (0..4).map(|i| format!("{:.4}", r2(i, &p.key))).collect(),
            })
            .collect();
        let reading = (!d.hidden_units.is_empty()).then(|| Reading::new(&d.hidden_units));
        Ex2d {
            grid,
            has_reading: reading.is_some(),
            reading,
            outputs_as_targets: best(0).is_some() && best(0) == best(2) && best(1) == best(3),
            targets_follow: best(0).is_some() && best(1).is_some(),
            outputs: series[2..].to_vec(),
            targets: series[..2].to_vec(),
            table,
            all_bars: d.samples.iter().all(|s| s.row.is_some() && s.column.is_some()),
            samples: d.samples.len(),
            property_names: if d.properties.is_empty() {
                "none varies over these images".to_owned()
            } else {
                d.properties
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            recipe,
            hidden: d.hidden,
            iterations: thousands(d.header.settings.iterations),
            seed: d.header.settings.seed,
            final_cost: sci(d.final_cost),
            max_abs_error: sci(d.max_abs_error),
            codes_for_1: d.codes_for.first().cloned().unwrap_or_default(),
            codes_for_2: d.codes_for.get(1).cloned().unwrap_or_default(),
            figure_cost: "ex2d/cost_over_time.svg",
            figure_inputs: "ex2d/inputs.svg",
            figure_outputs: "ex2d/outputs.svg",
            figure_hidden: "ex2d/hidden_weights.svg",
        }
    }
}
