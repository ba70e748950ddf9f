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

/// A failed run's full-batch gradient counts as flat below this norm.
pub const FLAT_GRADIENT: f64 = 1e-6;
/// The normal quantile of the 95 % intervals.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval at 95 % of a rate of `k` in `n`, as fractions.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

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
    /// Every parameter at the course's start, at the perturbed start and
    /// after training.
    pub parameters: Vec<ParameterRow>,
    /// The perturbed parameter ended near its value at the course's start
    /// (within [`SAME_SOLUTION`]).
    pub back_to_course: bool,
    /// Whether the sweep ran.
    pub has_sweep: bool,
    pub sweep: Option<Sweep>,
}

/// The perturbed parameter counts as back at its old value within this.
pub const SAME_SOLUTION: f64 = 0.01;

/// One parameter before and after 2b's run.
#[derive(Clone, Debug, Serialize)]
pub struct ParameterRow {
    pub name: String,
    pub course: String,
    pub start: String,
    pub trained: String,
    /// The perturbed one.
    pub perturbed: bool,
}

/// The sheet's parameters by name (`V[k,i]`, `W[0,k]`, `b[k]`), in the
/// flat order.
fn named(w: &exercise_harness::metrics::SheetWeights) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (k, row) in w.V.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            out.push((format!("V[{k},{i}]"), *v));
        }
    }
    for (j, row) in w.W.iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            out.push((format!("W[{j},{k}]"), *v));
        }
    }
    for (k, v) in w.b.iter().enumerate() {
        out.push((format!("b[{k}]"), *v));
    }
    out
}

/// A parameter's value as the table prints it.
fn value(x: f64) -> String {
    let s = if x == x.round() {
        format!("{x:.0}")
    } else {
        format!("{x:.4}")
    };
    if s == "-0" {
        "0".to_owned()
    } else {
        s.replace('-', "−")
    }
}

impl Ex2b {
    pub fn new(b: &ex2b::Metrics) -> Ex2b {
        let perturbed = b.perturbation.split('=').next().unwrap_or_default().replace(' ', "");
        let start = named(&b.initial_weights);
        let trained = named(&b.final_weights);
        let parameters: Vec<ParameterRow> = start
            .iter()
            .zip(&trained)
            .map(|((name, s), (_, t))| {
                let is = *name == perturbed;
                ParameterRow {
                    name: name.clone(),
                    course: value(if is { b.original_value } else { *s }),
                    start: value(*s),
                    trained: value(*t),
                    perturbed: is,
                }
            })
            .collect();
        let back_to_course = trained
            .iter()
            .find(|(n, _)| *n == perturbed)
            .is_some_and(|(_, t)| (t - b.original_value).abs() < SAME_SOLUTION);
        Ex2b {
            parameters,
            back_to_course,
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
    /// Failed runs with neither a dead unit nor a falling cost at the end.
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
    /// Failed runs whose full-batch gradient norm is below
    /// [`FLAT_GRADIENT`] at the end, and of those the ones with a dead
    /// unit and the ones on the plateau.
    pub flat: usize,
    pub flat_percent: String,
    pub flat_dead: usize,
    pub flat_plateau: usize,
    pub flat_limit: String,
    /// The largest and the median gradient norm over the failed runs.
    pub largest_gradient: String,
    pub median_gradient: String,
    /// The failure rates, pooled over mirror pairs where the swap of the
    /// inputs maps the start and the data onto themselves.
    pub pooled: bool,
    pub groups: Vec<RateRow>,
    /// Plateau runs whose gradient norm is below [`FLAT_GRADIENT`].
    pub plateau_flat: usize,
    pub all_plateau_flat: bool,
    /// Within the mirror pairs: the pair whose two counts differ most (by
    /// Fisher's exact test), its counts and p-value, whether that p is
    /// below 5 % alone and whether it stays so after Bonferroni's
    /// correction for the pairs tested.
    pub has_pair_check: bool,
    pub pair_check: Option<PairCheck>,
    /// Pairs of table rows whose intervals do not overlap, of all pairs.
    pub separated_pairs: usize,
    pub group_pairs: usize,
    pub figure: &'static str,
}

/// The mirror pairs tested for the symmetry (Fisher's exact test of their
/// two failure counts).
#[derive(Clone, Debug, Serialize)]
pub struct PairCheck {
    /// Pairs tested (those of two different parameters).
    pub pairs: usize,
    /// The pairs below 5 % alone, each as "A and B (a and b of n, p = ...)".
    pub below: String,
    pub any_below: bool,
    /// Those below 5 % after Bonferroni's correction for `pairs` tests.
    pub below_corrected: String,
    pub any_below_corrected: bool,
}

/// A parameter (or a mirror pair of them) and its failure rate over all
/// its perturbations and sample orders, with the 95 % interval.
#[derive(Clone, Debug, Serialize)]
pub struct RateRow {
    pub parameters: String,
    pub failed: u64,
    pub runs: u64,
    pub rate: String,
    pub low: String,
    pub high: String,
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
        let flat: Vec<&ex2b::Failure> = sw.failures.iter().filter(|f| f.gradient_norm < FLAT_GRADIENT).collect();
        let flat_dead = flat
            .iter()
            .filter(|f| matches!(f.diagnosis, FailureReason::DeadUnits { .. }))
            .count();
        let flat_plateau = flat
            .iter()
            .filter(|f| !f.silent_inputs.is_empty() && (f.final_cost - PLATEAU_COST).abs() < PLATEAU_TOLERANCE)
            .count();
        let norms: Vec<f64> = sw.failures.iter().map(|f| f.gradient_norm).collect();
        // The failure rate of each parameter, or of each mirror pair pooled.
        let failed_of = |p: &str| -> u64 {
            sw.parameters
                .iter()
                .position(|x| x == p)
                .map_or(0, |i| sw.failed[i].iter().sum())
        };
        let per_param = orders * sw.offsets.len() as u64;
        let groups_of: Vec<Vec<String>> = if sw.mirror_pairs.is_empty() {
            sw.parameters.iter().map(|p| vec![p.clone()]).collect()
        } else {
            sw.mirror_pairs
                .iter()
                .map(|[a, b]| {
                    if a == b {
                        vec![a.clone()]
                    } else {
                        vec![a.clone(), b.clone()]
                    }
                })
                .collect()
        };
        let mut groups: Vec<(RateRow, (f64, f64))> = groups_of
            .iter()
            .map(|g| {
                let failed: u64 = g.iter().map(|p| failed_of(p)).sum();
                let runs = per_param * g.len() as u64;
                let (lo, hi) = wilson(failed, runs);
                (
                    RateRow {
                        parameters: g.join(" and "),
                        failed,
                        runs,
                        rate: format!("{:.1}", 100.0 * failed as f64 / runs as f64),
                        low: format!("{:.1}", 100.0 * lo),
                        high: format!("{:.1}", 100.0 * hi),
                    },
                    (lo, hi),
                )
            })
            .collect();
        groups.sort_by(|a, b| (b.0.failed * a.0.runs).cmp(&(a.0.failed * b.0.runs)));
        let tested: Vec<(String, f64)> = sw
            .mirror_pairs
            .iter()
            .filter(|[a, b]| a != b)
            .map(|[a, b]| {
                let (fa, fb) = (failed_of(a), failed_of(b));
                let p = mlp::stats::fisher_exact(fa, per_param, fb, per_param);
                (
                    format!("{a} and {b} ({fa} and {fb} of {per_param}, $p$ {})", super::p_text(p)),
                    p,
                )
            })
            .collect();
        let pair_check = (!tested.is_empty()).then(|| {
            let pairs = tested.len();
            let list = |limit: f64| {
                tested
                    .iter()
                    .filter(|(_, p)| *p < limit)
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let below = list(super::SIGNIFICANCE);
            let below_corrected = list(super::SIGNIFICANCE / pairs as f64);
            PairCheck {
                pairs,
                any_below: !below.is_empty(),
                below,
                any_below_corrected: !below_corrected.is_empty(),
                below_corrected,
            }
        });
        let plateau_flat = plateau.iter().filter(|f| f.gradient_norm < FLAT_GRADIENT).count();
        let group_pairs = groups.len() * groups.len().saturating_sub(1) / 2;
        let separated_pairs = (0..groups.len())
            .flat_map(|i| (i + 1..groups.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| groups[i].1.1 < groups[j].1.0 || groups[j].1.1 < groups[i].1.0)
            .count();
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
            flat: flat.len(),
            flat_percent: percent(flat.len(), failed),
            flat_dead,
            flat_plateau,
            flat_limit: format!("10^{{{}}}", FLAT_GRADIENT.log10().round()),
            largest_gradient: sci(norms.iter().copied().fold(0.0, f64::max)),
            median_gradient: sci(mlp::stats::median(&norms)),
            pooled: !sw.mirror_pairs.is_empty(),
            groups: groups.into_iter().map(|g| g.0).collect(),
            separated_pairs,
            group_pairs,
            plateau_flat,
            all_plateau_flat: plateau_flat == plateau.len(),
            has_pair_check: pair_check.is_some(),
            pair_check,
            figure: "ex2b/perturbation_sweep.svg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_match_the_textbook() {
        // 5 of 40: 0.125, interval 0.0546 to 0.2611; each bound p solves
        // Wilson's defining equation (k/n - p)^2 = z^2 p (1 - p) / n.
        let (lo, hi) = wilson(5, 40);
        assert!((lo - 0.05460).abs() < 1e-4 && (hi - 0.26112).abs() < 1e-4, "{lo} {hi}");
        for p in [lo, hi] {
            let gap = (0.125 - p) * (0.125 - p) - Z95 * Z95 * p * (1.0 - p) / 40.0;
            assert!(gap.abs() < 1e-12, "{gap}");
        }
        // none of 20: from 0 to about 0.161
        let (lo, hi) = wilson(0, 20);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.16113).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn values_print_short_and_with_a_true_minus() {
        assert_eq!(value(-2.0), "−2");
        assert_eq!(value(-0.0), "0");
        assert_eq!(value(0.651234), "0.6512");
        assert_eq!(value(-0.611), "−0.6110");
        assert_eq!(value(1.0), "1");
    }
}
