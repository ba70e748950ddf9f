//! 2c: function approximation with K = 5 and 40 over many seeds, the same
//! at the other K's learning rate, and beyond the sheet the capacity sweep
//! and snapshots during training.

use super::{SIGNIFICANCE, p_text, thousands, verdict};
use crate::recipes;
use exercise_harness::metrics::ex2c;
use mlp::stats::{median, permutation_p_value, share_below};
use serde::Serialize;

verdict! {
    /// Whether a difference of two groups' means passed the permutation
    /// test at [`SIGNIFICANCE`].
    pub enum Significance {
        Significant => "significant",
        NotSignificant => "not_significant",
    }
}

impl Significance {
    fn of(p: f64) -> Significance {
        if p < SIGNIFICANCE {
            Significance::Significant
        } else {
            Significance::NotSignificant
        }
    }
}

verdict! {
    /// How the groups' mean training costs stand to that of the noise-free
    /// function sin(πx).
    pub enum NoiseFit {
        /// Every group's is below it: the networks fit part of the noise.
        All => "fits_noise",
        /// None is below it.
        None => "fits_noise_none",
        /// Some are, some are not.
        Some => "fits_noise_some",
    }
}

verdict! {
    /// What the comparisons of the Ks at each learning rate show.
    pub enum RatesVerdict {
        /// At no rate is the difference significant.
        NoneSignificant => "none_significant",
        /// At every rate, and always the same K lower.
        AllOneLower => "all_one_lower",
        /// At some rates only, the same K lower at those.
        SomeOneLower => "some_one_lower",
        /// The significant differences point different ways.
        Mixed => "mixed",
    }
}

verdict! {
    /// Where the capacity sweep's test cost is lowest, and whether it rises
    /// beyond.
    pub enum CapacityVerdict {
        /// Lowest at the largest size tried.
        BestIsLargest => "best_is_largest",
        /// Lowest below it, and significantly higher at the largest.
        Rises => "rises",
        /// Lowest below it, not significantly higher at the largest.
        NoClearRise => "no_clear_rise",
    }
}

/// A two-sided test at 5 % finds a true difference of this many standard
/// errors with 80 % power: 1.96 + 0.84.
pub const DETECTABLE_SDS: f64 = 2.8;

/// What the report says about 2c.
#[derive(Clone, Debug, Serialize)]
pub struct Ex2c {
    pub iterations: String,
    /// The Ks, `5 and 40`.
    pub ks: String,
    pub seeds: u64,
    pub seed_range: String,
    pub summary: Vec<SummaryRow>,
    pub has_compare: bool,
    /// The Ks at their own rates, the lowest mean against the highest.
    pub compare: Option<Groups>,
    pub has_rates: bool,
    pub rates: Option<Rates>,
    pub has_capacity: bool,
    pub capacity: Option<Capacity>,
    pub has_snapshots: bool,
    pub snapshots: Option<Snapshots>,
    pub train_samples: usize,
    pub test_samples: usize,
    /// The data are the project's own, made by its recipe from sin(πx):
    /// only then does the report speak of that function.
    pub has_recipe: bool,
    pub recipe: Option<Recipe>,
    pub figure_cost: &'static str,
    pub figure_response: &'static str,
    pub figure_seeds: &'static str,
}

/// One K at one learning rate, over its seeds.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryRow {
    pub hidden: usize,
    pub learning_rate: f64,
    pub seeds: usize,
    pub test_mean: String,
    pub test_std: String,
    pub test_min: String,
    pub test_max: String,
    /// The median test cost (the mean of the middle two for an even count).
    pub test_median: String,
    pub train_mean: String,
}

/// The project's recipe for the 2c data, and how the runs stand to the
/// noise-free function it draws from.
#[derive(Clone, Debug, Serialize)]
pub struct Recipe {
    pub samples: usize,
    pub low: f64,
    pub high: f64,
    pub noise: f64,
    pub train_seed: u64,
    pub test_seed: u64,
    pub sin_test_cost: String,
    pub sin_train_cost: String,
    #[serde(flatten)]
    pub noise_fit: NoiseFit,
    /// Runs at the sheet's rates whose training cost is not below sin(πx)'s.
    pub runs_above_sin: usize,
    pub any_runs_above_sin: bool,
    /// Runs at the sheet's rates.
    pub sheet_runs: usize,
}

impl Ex2c {
    pub fn new(c: &ex2c::Metrics) -> Ex2c {
        let summary = &c.summary;
        let rows = summary
            .iter()
            .map(|x| SummaryRow {
                hidden: x.hidden,
                learning_rate: x.learning_rate,
                seeds: x.seeds,
                test_mean: format!("{:.5}", x.test_cost_mean),
                test_std: format!("{:.5}", x.test_cost_std),
                test_min: format!("{:.5}", x.test_cost_min),
                test_max: format!("{:.5}", x.test_cost_max),
                test_median: format!("{:.5}", median(&test_costs(c, x.hidden, x.learning_rate))),
                train_mean: format!("{:.5}", x.train_cost_mean),
            })
            .collect();
        let sheet_rate_runs: Vec<&ex2c::RunResult> = c
            .runs
            .iter()
            .filter(|r| {
                summary
                    .iter()
                    .any(|s| s.hidden == r.hidden && s.learning_rate == r.learning_rate)
            })
            .collect();
        let (first_seed, n_seeds) = (c.seeds.first, c.seeds.count);
        let ks: Vec<String> = summary.iter().map(|x| x.hidden.to_string()).collect();
        let recipe = c
            .train_cost_of_sin_pi_x
            .zip(c.test_cost_of_sin_pi_x)
            .map(|(sin_train, sin_test)| {
                let noise_fit = if summary.iter().all(|s| s.train_cost_mean < sin_train) {
                    NoiseFit::All
                } else if summary.iter().all(|s| s.train_cost_mean >= sin_train) {
                    NoiseFit::None
                } else {
                    NoiseFit::Some
                };
                let runs_above_sin = sheet_rate_runs.iter().filter(|r| r.train_cost >= sin_train).count();
                Recipe {
                    samples: recipes::FUNC_SAMPLES,
                    low: recipes::FUNC_RANGE.0,
                    high: recipes::FUNC_RANGE.1,
                    noise: recipes::FUNC_NOISE_STD,
                    train_seed: recipes::FUNC_TRAIN_SEED,
                    test_seed: recipes::FUNC_TEST_SEED,
                    sin_test_cost: format!("{sin_test:.5}"),
                    sin_train_cost: format!("{sin_train:.5}"),
                    noise_fit,
                    runs_above_sin,
                    any_runs_above_sin: runs_above_sin > 0,
                    sheet_runs: sheet_rate_runs.len(),
                }
            });
        let compare = compare(c);
        let rates = Rates::new(c);
        let capacity = c.capacity.as_ref().and_then(Capacity::new);
        let snapshots = Snapshots::new(c);
        Ex2c {
            iterations: thousands(c.iterations),
            ks: ks.join(" and "),
            seeds: n_seeds,
            seed_range: format!("seeds {} to {}", first_seed, first_seed + n_seeds - 1),
            summary: rows,
            has_compare: compare.is_some(),
            compare,
            has_rates: rates.is_some(),
            rates,
            has_capacity: capacity.is_some(),
            capacity,
            has_snapshots: snapshots.is_some(),
            snapshots,
            train_samples: c.train_samples,
            test_samples: c.test_samples,
            has_recipe: recipe.is_some(),
            recipe,
            figure_cost: "ex2c/cost_over_time.svg",
            figure_response: "ex2c/response.svg",
            figure_seeds: "ex2c/test_cost_per_seed.svg",
        }
    }
}

/// The test costs of the runs of `hidden` units at `learning_rate`.
fn test_costs(c: &ex2c::Metrics, hidden: usize, learning_rate: f64) -> Vec<f64> {
    c.runs
        .iter()
        .filter(|r| r.hidden == hidden && r.learning_rate == learning_rate)
        .map(|r| r.test_cost)
        .collect()
}

/// How two groups of seeds compare: the means, a permutation test of their
/// difference, and how much the seeds overlap. `lower` has the lower mean.
#[derive(Clone, Debug, Serialize)]
pub struct Groups {
    pub lower: usize,
    pub higher: usize,
    pub lower_rate: f64,
    pub higher_rate: f64,
    pub lower_mean: String,
    pub higher_mean: String,
    /// The higher mean over the lower.
    pub ratio: String,
    /// The difference in pooled standard deviations of the seeds.
    pub sds: String,
    /// The permutation test's p-value as the prose writes it after "$p$".
    pub p: String,
    #[serde(flatten)]
    pub significance: Significance,
    /// The share of pairs in which the lower group's seed is below, in %.
    pub pairs: String,
    /// Some higher-group seed is below the worst lower-group seed.
    pub overlap: bool,
    pub hi_below_worst_lo: usize,
    pub lo_above_best_hi: usize,
    pub lower_median: String,
    pub higher_median: String,
    /// The medians order the two groups the other way.
    pub medians_disagree: bool,
    pub lo_seeds: usize,
    pub hi_seeds: usize,
    /// The difference of the means that a test at the 5 % level would find
    /// with 80 % power, for seeds spread as these are: (1.96 + 0.84) pooled
    /// standard deviations times sqrt(1/n1 + 1/n2).
    pub detectable: String,
}

impl Groups {
    fn new(lo: &ex2c::Summary, hi: &ex2c::Summary, lo_costs: &[f64], hi_costs: &[f64]) -> Groups {
        let (m1, m2) = (lo.test_cost_mean, hi.test_cost_mean);
        let pooled_sd = ((lo.test_cost_std.powi(2) + hi.test_cost_std.powi(2)) / 2.0).sqrt();
        let p = permutation_p_value(lo_costs, hi_costs);
        let worst_lo = lo_costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let best_hi = hi_costs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi_below_worst_lo = hi_costs.iter().filter(|&&x| x < worst_lo).count();
        let (med_lo, med_hi) = (median(lo_costs), median(hi_costs));
        Groups {
            lower: lo.hidden,
            higher: hi.hidden,
            lower_rate: lo.learning_rate,
            higher_rate: hi.learning_rate,
            lower_mean: format!("{m1:.5}"),
            higher_mean: format!("{m2:.5}"),
            ratio: format!("{:.2}", m2 / m1),
            sds: if pooled_sd > 0.0 {
                format!("{:.2}", (m2 - m1) / pooled_sd)
            } else {
                "infinitely many".to_owned()
            },
            p: p_text(p),
            significance: Significance::of(p),
            pairs: format!("{:.0}", 100.0 * share_below(lo_costs, hi_costs)),
            overlap: hi_below_worst_lo > 0,
            hi_below_worst_lo,
            lo_above_best_hi: lo_costs.iter().filter(|&&x| x > best_hi).count(),
            lower_median: format!("{med_lo:.5}"),
            higher_median: format!("{med_hi:.5}"),
            medians_disagree: med_lo > med_hi,
            lo_seeds: lo_costs.len(),
            hi_seeds: hi_costs.len(),
            detectable: format!(
                "{:.5}",
                DETECTABLE_SDS * pooled_sd * (1.0 / lo_costs.len() as f64 + 1.0 / hi_costs.len() as f64).sqrt()
            ),
        }
    }
}

/// The comparison of the Ks at the sheet's learning rates (the first and
/// the last by mean test cost); none for fewer than two Ks.
fn compare(c: &ex2c::Metrics) -> Option<Groups> {
    if c.summary.len() < 2 {
        return None;
    }
    let mut by_mean: Vec<&ex2c::Summary> = c.summary.iter().collect();
    by_mean.sort_by(|p, q| p.test_cost_mean.total_cmp(&q.test_cost_mean));
    let (lo, hi) = (by_mean[0], by_mean[by_mean.len() - 1]);
    Some(Groups::new(
        lo,
        hi,
        &test_costs(c, lo.hidden, lo.learning_rate),
        &test_costs(c, hi.hidden, hi.learning_rate),
    ))
}

/// The Ks compared at each one learning rate, where every K ran at it.
#[derive(Clone, Debug, Serialize)]
pub struct Rates {
    /// The learning rates, as Rust prints them.
    pub rates: Vec<String>,
    pub table: Vec<RatesRow>,
    pub comparisons: Vec<Groups>,
    #[serde(flatten)]
    pub verdict: RatesVerdict,
    /// The K that is lower wherever a difference is significant (0 where
    /// the significant differences disagree).
    pub significant_lower: usize,
    /// The rates at which the difference is significant.
    pub significant_rates: String,
    /// Groups whose mean training cost ends above sin(πx)'s (none when
    /// the data are not the recipe's).
    pub under: Vec<Under>,
}

/// One K's mean test cost ± std at every rate.
#[derive(Clone, Debug, Serialize)]
pub struct RatesRow {
    pub hidden: usize,
    pub cells: Vec<String>,
}

/// A group that fits the training data worse than the noise-free function.
#[derive(Clone, Debug, Serialize)]
pub struct Under {
    pub hidden: usize,
    pub learning_rate: f64,
    pub train_mean: String,
    pub runs: usize,
    /// Its runs whose training cost is above sin(πx)'s.
    pub above: usize,
    /// Most of its runs are.
    pub most_above: bool,
    /// sin(πx)'s training cost.
    pub sin_train_cost: String,
}

impl Rates {
    fn new(c: &ex2c::Metrics) -> Option<Rates> {
        let all: Vec<&ex2c::Summary> = c.summary.iter().chain(&c.other_rates).collect();
        let mut rates: Vec<f64> = c.summary.iter().map(|s| s.learning_rate).collect();
        rates.dedup();
        let ks: Vec<usize> = c.summary.iter().map(|s| s.hidden).collect();
        let mut comparisons = Vec::new();
        for &eta in &rates {
            let mut at: Vec<&ex2c::Summary> = all.iter().copied().filter(|s| s.learning_rate == eta).collect();
            if at.len() != ks.len() || at.len() < 2 {
                continue;
            }
            at.sort_by(|p, q| p.test_cost_mean.total_cmp(&q.test_cost_mean));
            let (lo, hi) = (at[0], at[at.len() - 1]);
            comparisons.push(Groups::new(
                lo,
                hi,
                &test_costs(c, lo.hidden, eta),
                &test_costs(c, hi.hidden, eta),
            ));
        }
        if comparisons.is_empty() {
            return None;
        }
        let table = ks
            .iter()
            .map(|&k| RatesRow {
                hidden: k,
                cells: rates
                    .iter()
                    .map(|&eta| {
                        all.iter()
                            .find(|s| s.hidden == k && s.learning_rate == eta)
                            .map_or("—".to_owned(), |s| {
                                format!("{:.5} ± {:.5}", s.test_cost_mean, s.test_cost_std)
                            })
                    })
                    .collect(),
            })
            .collect();
        // What the significant comparisons say, and only those.
        let significant: Vec<&Groups> = comparisons
            .iter()
            .filter(|x| x.significance == Significance::Significant)
            .collect();
        let one_lower = significant.windows(2).all(|w| w[0].lower == w[1].lower);
        let verdict = match (significant.len(), one_lower) {
            (0, _) => RatesVerdict::NoneSignificant,
            (n, true) if n == comparisons.len() => RatesVerdict::AllOneLower,
            (_, true) => RatesVerdict::SomeOneLower,
            (_, false) => RatesVerdict::Mixed,
        };
        // Groups that end above the noise-free function's training cost:
        // not even fitted as well as the function that made the data.
        let sin_train = c.train_cost_of_sin_pi_x.unwrap_or(f64::INFINITY);
        let under = all
            .iter()
            .filter(|s| s.train_cost_mean > sin_train)
            .map(|s| {
                let runs: Vec<&ex2c::RunResult> = c
                    .runs
                    .iter()
                    .filter(|r| r.hidden == s.hidden && r.learning_rate == s.learning_rate)
                    .collect();
                let above = runs.iter().filter(|r| r.train_cost > sin_train).count();
                Under {
                    hidden: s.hidden,
                    learning_rate: s.learning_rate,
                    train_mean: format!("{:.5}", s.train_cost_mean),
                    runs: runs.len(),
                    above,
                    most_above: above * 2 > runs.len(),
                    sin_train_cost: format!("{sin_train:.5}"),
                }
            })
            .collect();
        Some(Rates {
            rates: rates.iter().map(|r| r.to_string()).collect(),
            table,
            verdict,
            significant_lower: if !significant.is_empty() && one_lower {
                significant[0].lower
            } else {
                0
            },
            // As JSON writes the numbers, which is how this list was first printed.
            significant_rates: significant
                .iter()
                .map(|x| serde_json::Value::from(x.lower_rate).to_string())
                .collect::<Vec<_>>()
                .join(" and "),
            comparisons,
            under,
        })
    }
}

/// What the report says about the capacity runs, decided from them.
#[derive(Clone, Debug, Serialize)]
pub struct Capacity {
    pub sizes: usize,
    pub first: usize,
    pub last: usize,
    pub seeds: usize,
    /// The size with the lowest mean test cost.
    pub best: usize,
    pub best_mean: String,
    pub largest_mean: String,
    #[serde(flatten)]
    pub verdict: CapacityVerdict,
    /// The permutation test of best against largest, as written after "$p$".
    pub p: String,
    /// The training cost is below the test cost at every size.
    pub train_below_everywhere: bool,
    /// The sizes where it is not.
    pub train_not_below: String,
    pub best_train_below: bool,
    /// How far below the test cost the training cost is, in %.
    pub below_best: String,
    pub below_largest: String,
    /// The mean training cost is lowest below the largest size: where,
    /// and the training cost there and at the largest size.
    pub train_rises: bool,
    pub train_best: usize,
    pub train_best_mean: String,
    pub train_largest_mean: String,
    /// The permutation test of the training costs there against the
    /// largest size's, as written after "$p$".
    pub train_p: String,
    pub figure: &'static str,
}

impl Capacity {
    fn new(cap: &ex2c::Capacity) -> Option<Capacity> {
        let best = cap
            .summary
            .iter()
            .min_by(|a, b| a.test_cost_mean.total_cmp(&b.test_cost_mean))?;
        let first = cap.summary.first()?;
        let largest = cap.summary.last()?;
        let costs = |k: usize| -> Vec<f64> { cap.runs.iter().filter(|r| r.hidden == k).map(|r| r.test_cost).collect() };
        let p = permutation_p_value(&costs(best.hidden), &costs(largest.hidden));
        let below = |s: &ex2c::Summary| format!("{:.0}", 100.0 * (1.0 - s.train_cost_mean / s.test_cost_mean));
        let train_not_below: Vec<String> = cap
            .summary
            .iter()
            .filter(|s| s.train_cost_mean >= s.test_cost_mean)
            .map(|s| s.hidden.to_string())
            .collect();
        let train_best = cap
            .summary
            .iter()
            .min_by(|a, b| a.train_cost_mean.total_cmp(&b.train_cost_mean))?;
        let train_costs = |k: usize| -> Vec<f64> {
            cap.runs
                .iter()
                .filter(|r| r.hidden == k)
                .map(|r| r.train_cost)
                .collect()
        };
        let train_p = permutation_p_value(&train_costs(train_best.hidden), &train_costs(largest.hidden));
        let verdict = if best.hidden == largest.hidden {
            CapacityVerdict::BestIsLargest
        } else if p < SIGNIFICANCE {
            CapacityVerdict::Rises
        } else {
            CapacityVerdict::NoClearRise
        };
        Some(Capacity {
            sizes: cap.summary.len(),
            first: first.hidden,
            last: largest.hidden,
            seeds: best.seeds,
            best: best.hidden,
            best_mean: format!("{:.5}", best.test_cost_mean),
            largest_mean: format!("{:.5}", largest.test_cost_mean),
            verdict,
            p: p_text(p),
            train_below_everywhere: train_not_below.is_empty(),
            train_not_below: train_not_below.join(", "),
            best_train_below: best.train_cost_mean < best.test_cost_mean,
            below_best: below(best),
            below_largest: below(largest),
            train_rises: train_best.hidden != largest.hidden && train_p < SIGNIFICANCE,
            train_p: p_text(train_p),
            train_best: train_best.hidden,
            train_best_mean: format!("{:.5}", train_best.train_cost_mean),
            train_largest_mean: format!("{:.5}", largest.train_cost_mean),
            figure: "ex2c/capacity.svg",
        })
    }
}

/// The costs during the watched runs, as a table: one row per K, one
/// column per iteration count.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshots {
    /// The iteration counts, with thousands separators.
    pub after: Vec<String>,
    pub rows: Vec<SnapshotRow>,
    pub figure: &'static str,
}

/// One watched run's costs.
#[derive(Clone, Debug, Serialize)]
pub struct SnapshotRow {
    pub hidden: usize,
    pub seed: u64,
    pub test: Vec<String>,
    pub train: Vec<String>,
}

impl Snapshots {
    fn new(c: &ex2c::Metrics) -> Option<Snapshots> {
        let first = c.snapshots.first()?;
        Some(Snapshots {
            after: first.after.iter().map(|a| thousands(a.iterations)).collect(),
            rows: c
                .snapshots
                .iter()
                .map(|w| SnapshotRow {
                    hidden: w.hidden,
                    seed: w.seed,
                    test: w.after.iter().map(|a| format!("{:.4}", a.test_cost)).collect(),
                    train: w.after.iter().map(|a| format!("{:.4}", a.train_cost)).collect(),
                })
                .collect(),
            figure: "ex2c/snapshots.svg",
        })
    }
}
