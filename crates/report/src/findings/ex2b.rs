//! 2b: from a perturbed start back to the perfect network, and the sweep
//! over perturbations with what its failed runs show.

use super::{percent, sci, thousands, verdict};
use exercise_harness::metrics::ex2b::{self, FailureReason};
use serde::Serialize;

/// The data-set cost of the plateau where one input that every hidden unit
/// ignores has the target 1 and the other three are fitted: 1/2 · 1² over
/// four inputs.
pub const PLATEAU_COST: f64 = 0.125;
/// How close to [`PLATEAU_COST`] a failed run's cost must be to count as on
/// the plateau.
pub const PLATEAU_TOLERANCE: f64 = 1e-6;

/// What the report says about 2b.
#[derive(Clone, Debug, Serialize)]
pub struct Ex2b {
    /// The perturbation as the flag spells it, in backticks.
    pub perturbation: String,
    pub original_value: f64,
    pub iterations: String,
    pub initial_cost: String,
    pub final_cost: String,
    /// The run ended below the recovery threshold.
    pub recovered: bool,
    pub threshold: String,
    pub figure: &'static str,
    /// Whether the sweep ran.
    pub has_sweep: bool,
    pub sweep: Option<Sweep>,
}

impl Ex2b {
    pub fn new(b: &ex2b::Metrics) -> Ex2b {
        Ex2b {
            perturbation: format!("`{}`", b.perturbation),
            original_value: b.original_value,
            iterations: thousands(b.header.settings.iterations),
            initial_cost: sci(b.initial_cost),
            final_cost: sci(b.final_cost),
            recovered: b.final_cost < b.recovery_threshold,
            threshold: sci(b.recovery_threshold),
            figure: "ex2b/cost_over_time.svg",
            has_sweep: b.sweep.is_some(),
            sweep: b.sweep.as_ref().map(Sweep::new),
        }
    }
}

verdict! {
    /// Where the failed runs with exactly one dead unit ended.
    pub enum OneDeadOnPlateau {
        /// All of them on the plateau at cost 1/8.
        All => "one_dead_all_on_plateau",
        /// Some of them.
        Some => "one_dead_some_on_plateau",
        /// None of them.
        None => "one_dead_none_on_plateau",
    }
}

/// What the report says about the perturbation sweep.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    pub parameters: usize,
    pub offsets: usize,
    pub first_offset: String,
    pub last_offset: String,
    /// Sample orders per perturbation.
    pub orders: u64,
    pub first_seed: u64,
    pub last_seed: u64,
    pub perturbations: String,
    pub runs: String,
    pub recovered: String,
    pub recovered_percent: String,
    pub failed: String,
    pub any_failed: bool,
    /// Perturbations with at least one failed run.
    pub failing_perturbations: usize,
    /// Perturbations that fail from every sample order.
    pub always: usize,
    pub any_always: bool,
    /// Perturbations that fail from some sample orders only.
    pub sometimes: usize,
    pub order_matters: bool,
    /// Failed runs with at least one dead hidden unit.
    pub dead: usize,
    pub dead_percent: String,
    /// Failed runs with exactly one dead unit.
    pub one_dead: usize,
    pub any_one_dead: bool,
    pub one_dead_plateau: usize,
    pub one_dead_other: usize,
    #[serde(flatten)]
    pub one_dead_on_plateau: OneDeadOnPlateau,
    /// Failed runs in which every hidden unit is dead.
    pub all_dead: usize,
    pub any_all_dead: bool,
    pub hidden_units: usize,
    /// Failed runs that stopped at a zero or nearly zero gradient.
    pub stationary: usize,
    pub any_stationary: bool,
    pub one_stationary: bool,
    /// Failed runs still descending when training stopped.
    pub descending: usize,
    pub any_descending: bool,
    pub one_descending: bool,
    /// Failed runs with an input every hidden unit ignores.
    pub silent: usize,
    pub any_silent: bool,
    /// Failed runs on the plateau at cost 1/8.
    pub plateau: usize,
    pub any_plateau: bool,
    pub plateau_percent: String,
    /// Stationary runs on the plateau.
    pub stationary_plateau: usize,
    pub any_stationary_plateau: bool,
    pub all_stationary_on_plateau: bool,
    pub rows: Vec<SweepRow>,
    /// The parameters that never failed, listed.
    pub never: String,
    pub any_never: bool,
    pub figure: &'static str,
}

/// One parameter with failed runs: at which offsets, how many.
#[derive(Clone, Debug, Serialize)]
pub struct SweepRow {
    pub parameter: String,
    pub offsets: String,
    pub failed: u64,
    pub runs: u64,
}

impl Sweep {
    pub fn new(sw: &ex2b::Sweep) -> Sweep {
        let orders = sw.seeds.count;
        let cells: Vec<u64> = sw.failed.iter().flatten().copied().collect();
        let failing = cells.iter().filter(|&&n| n > 0).count();
        let always = cells.iter().filter(|&&n| n == orders).count();
        let sometimes = failing - always;
        let failed = sw.failures.len();
        let dead_counts: Vec<usize> = sw
            .failures
            .iter()
            .filter_map(|f| match &f.diagnosis {
                FailureReason::DeadUnits { units } => Some(units.len()),
                _ => None,
            })
            .collect();
        let dead = dead_counts.len();
        let with = |n: usize| dead_counts.iter().filter(|&&c| c == n).count();
        let hidden_units = sw.parameters.iter().filter(|p| p.starts_with("b[")).count();
        let one_dead = with(1);
        let all_dead = with(hidden_units);
        let stationary = sw
            .failures
            .iter()
            .filter(|f| matches!(f.diagnosis, FailureReason::Stationary { .. }))
            .count();
        let descending = failed - dead - stationary;
        // An input every hidden unit ignores gets y = 0 and sends no
        // gradient; at cost 1/8 that input has target 1 and the other three
        // are fitted.
        let silent: Vec<&ex2b::Failure> = sw.failures.iter().filter(|f| !f.silent_inputs.is_empty()).collect();
        let plateau: Vec<&ex2b::Failure> = silent
            .iter()
            .copied()
            .filter(|f| (f.final_cost - PLATEAU_COST).abs() < PLATEAU_TOLERANCE)
            .collect();
        let one_dead_plateau = plateau
            .iter()
            .filter(|f| matches!(&f.diagnosis, FailureReason::DeadUnits { units } if units.len() == 1))
            .count();
        let stationary_plateau = plateau
            .iter()
            .filter(|f| matches!(f.diagnosis, FailureReason::Stationary { .. }))
            .count();
        let rows: Vec<SweepRow> = sw
            .parameters
            .iter()
            .zip(&sw.failed)
            .filter(|(_, row)| row.iter().any(|&n| n > 0))
            .map(|(p, row)| {
                let list: Vec<String> = row
                    .iter()
                    .zip(&sw.offsets)
                    .filter(|(n, _)| **n > 0)
                    .map(|(n, o)| format!("{o:+} ({n})"))
                    .collect();
                SweepRow {
                    parameter: p.clone(),
                    offsets: list.join(", "),
                    failed: row.iter().sum::<u64>(),
                    runs: row.len() as u64 * orders,
                }
            })
            .collect();
        let never = sw
            .parameters
            .iter()
            .zip(&sw.failed)
            .filter(|(_, row)| row.iter().all(|&n| n == 0))
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let one_dead_on_plateau = if one_dead_plateau == one_dead {
            OneDeadOnPlateau::All
        } else if one_dead_plateau > 0 {
            OneDeadOnPlateau::Some
        } else {
            OneDeadOnPlateau::None
        };
        Sweep {
            parameters: sw.parameters.len(),
            offsets: sw.offsets.len(),
            first_offset: format!("{:+}", sw.offsets.first().copied().unwrap_or(0.0)),
            last_offset: format!("{:+}", sw.offsets.last().copied().unwrap_or(0.0)),
            orders,
            first_seed: sw.seeds.first,
            last_seed: sw.seeds.first + orders - 1,
            perturbations: thousands(sw.perturbations as u64),
            runs: thousands(sw.runs as u64),
            recovered: thousands(sw.recovered as u64),
            recovered_percent: percent(sw.recovered, sw.runs),
            failed: thousands(failed as u64),
            any_failed: failed > 0,
            failing_perturbations: failing,
            always,
            any_always: always > 0,
            sometimes,
            order_matters: sometimes > 0,
            dead,
            dead_percent: percent(dead, failed),
            one_dead,
            any_one_dead: one_dead > 0,
            one_dead_plateau,
            one_dead_other: one_dead - one_dead_plateau,
            one_dead_on_plateau,
            all_dead,
            any_all_dead: all_dead > 0,
            hidden_units,
            stationary,
            any_stationary: stationary > 0,
            one_stationary: stationary == 1,
            descending,
            any_descending: descending > 0,
            one_descending: descending == 1,
            silent: silent.len(),
            any_silent: !silent.is_empty(),
            plateau: plateau.len(),
            any_plateau: !plateau.is_empty(),
            plateau_percent: percent(plateau.len(), failed),
            stationary_plateau,
            any_stationary_plateau: stationary_plateau > 0,
            all_stationary_on_plateau: stationary_plateau == stationary,
            rows,
            any_never: !never.is_empty(),
            never,
            figure: "ex2b/perturbation_sweep.svg",
        }
    }
}
