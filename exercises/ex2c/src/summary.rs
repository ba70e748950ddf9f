//! Statistics over seeds for exercise 2c.

pub use exercise_harness::metrics::ex2c::{RunResult, Summary};
use mlp::stats::{lower_median_by, mean, std_dev};

/// The seed with the median test cost among `runs` (the lower median for an
/// even count; ties broken by the smaller seed).
pub fn representative(runs: &[&RunResult]) -> u64 {
    lower_median_by(runs, |a, b| {
        a.test_cost.total_cmp(&b.test_cost).then(a.seed.cmp(&b.seed))
    })
    .expect("a summary has at least one run")
    .seed
}

/// One summary per K and learning rate, in the order they first appear.
pub fn summarize(runs: &[RunResult]) -> Vec<Summary> {
    let mut groups: Vec<(usize, f64)> = Vec::new();
    for r in runs {
        if !groups.contains(&(r.hidden, r.learning_rate)) {
            groups.push((r.hidden, r.learning_rate));
        }
    }
    groups
        .into_iter()
        .map(|(k, eta)| {
            let of_k: Vec<&RunResult> = runs
                .iter()
                .filter(|r| r.hidden == k && r.learning_rate == eta)
                .collect();
            let test: Vec<f64> = of_k.iter().map(|r| r.test_cost).collect();
            let train: Vec<f64> = of_k.iter().map(|r| r.train_cost).collect();
            Summary {
                hidden: k,
                learning_rate: eta,
                seeds: of_k.len(),
                test_cost_mean: mean(&test),
                test_cost_std: std_dev(&test),
                test_cost_min: test.iter().copied().fold(f64::INFINITY, f64::min),
                test_cost_max: test.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                train_cost_mean: mean(&train),
                train_cost_std: std_dev(&train),
                representative_seed: representative(&of_k),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(hidden: usize, seed: u64, test_cost: f64) -> RunResult {
        RunResult {
            hidden,
            learning_rate: 0.2 / hidden as f64,
            seed,
            train_cost: test_cost / 2.0,
            test_cost,
        }
    }

    #[test]
    fn statistics_over_seeds_are_exact() {
        let runs = [r(5, 0, 0.1), r(5, 1, 0.3), r(40, 0, 0.02), r(5, 2, 0.2), r(40, 1, 0.04)];
        let s = summarize(&runs);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].hidden, s[0].seeds), (5, 3));
        assert!((s[0].test_cost_mean - 0.2).abs() < 1e-15);
        // deviations -0.1, 0.1, 0 -> variance 0.02 / 2 -> std 0.1
        assert!((s[0].test_cost_std - 0.1).abs() < 1e-15);
        assert_eq!((s[0].test_cost_min, s[0].test_cost_max), (0.1, 0.3));
        assert!((s[0].train_cost_mean - 0.1).abs() < 1e-15);
        assert_eq!(s[0].representative_seed, 2); // median 0.2
        assert_eq!((s[1].hidden, s[1].seeds), (40, 2));
        assert!((s[1].test_cost_mean - 0.03).abs() < 1e-15);
        assert_eq!(s[1].representative_seed, 0); // lower median
    }

    #[test]
    fn each_learning_rate_of_a_k_is_its_own_group() {
        let mut other = r(5, 0, 0.4);
        other.learning_rate = 0.005;
        let s = summarize(&[r(5, 0, 0.1), other, r(5, 1, 0.3)]);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].hidden, s[0].learning_rate, s[0].seeds), (5, 0.04, 2));
        assert_eq!((s[1].hidden, s[1].learning_rate, s[1].seeds), (5, 0.005, 1));
        assert!((s[1].test_cost_mean - 0.4).abs() < 1e-15);
    }

    #[test]
    fn one_seed_has_zero_spread() {
        let s = summarize(&[r(5, 7, 0.5)]);
        assert_eq!(s[0].test_cost_std, 0.0);
        assert_eq!(s[0].representative_seed, 7);
    }
}
