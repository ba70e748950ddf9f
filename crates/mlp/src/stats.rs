//! Small statistics: mean, sample standard deviation, coefficient of
//! determination.

/// The arithmetic mean; `NaN` for no values.
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The sample standard deviation (divisor `n - 1`); 0 for a single value.
pub fn std_dev(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// The least-squares line `y = slope * x + intercept` and its coefficient of
/// determination `R^2 = 1 - SS_res / SS_tot` (for a line fitted by least
/// squares this is the squared correlation of `x` and `y`).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinearFit {
    /// Slope of the fitted line.
    pub slope: f64,
    /// Intercept of the fitted line.
    pub intercept: f64,
    /// Coefficient of determination of the fit.
    pub r2: f64,
}

/// Fits `y = slope * x + intercept` by least squares. `R^2` is 0 when `x`
/// does not vary and when `y` does not: a constant explains nothing, and
/// follows no `x` (an output stuck at one value codes for nothing).
pub fn linear_fit(x: &[f64], y: &[f64]) -> LinearFit {
    assert_eq!(x.len(), y.len());
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let intercept = my - slope * mx;
    let ss_tot: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    let ss_res: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| {
            let r = b - (slope * a + intercept);
            r * r
        })
        .sum();
    let r2 = if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { 0.0 };
    LinearFit { slope, intercept, r2 }
}

/// The median of `xs`: the middle value, or the mean of the middle two for
/// an even count (NaN for none). What a table of many runs prints.
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The lower median of `items` in the order `cmp`: the middle item, or the
/// lower of the middle two for an even count; always one of the items
/// (`None` for none). What picks a representative run, which must exist.
pub fn lower_median_by<T>(items: &[T], mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering) -> Option<&T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by(|a, b| cmp(a, b));
    sorted.get(items.len().checked_sub(1)? / 2).copied()
}

/// Two-sided permutation test of the difference of the means of `a` and
/// `b`: the share of all ways to split the pooled values into groups of
/// their sizes whose means differ at least as much as `a`'s and `b`'s do.
/// Exact (every split) up to a million splits; beyond that, a million
/// splits drawn at random (fixed seed, so the answer is reproducible).
/// Assumes nothing about the distribution of the values.
pub fn permutation_p_value(a: &[f64], b: &[f64]) -> f64 {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let (n, k) = (pooled.len(), a.len());
    if k == 0 || k == n {
        return 1.0;
    }
    let total: f64 = pooled.iter().sum();
    let gap = |sum_a: f64| (sum_a / k as f64 - (total - sum_a) / (n - k) as f64).abs();
    let observed = gap(a.iter().sum());
    // Splits as extreme as the observed one, up to rounding in the sums.
    let tolerance = 1e-12 * pooled.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
    let extreme = |sum_a: f64| gap(sum_a) >= observed - tolerance;
    const LIMIT: f64 = 1e6;
    let splits = (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
    if splits <= LIMIT && n < 64 {
        // Every k-subset of n as a bit mask, in increasing order (Gosper).
        let (mut count, mut hits) = (0u64, 0u64);
        let mut mask: u64 = (1 << k) - 1;
        while mask < 1 << n {
            let sum_a: f64 = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| pooled[i]).sum();
            count += 1;
            hits += extreme(sum_a) as u64;
            let low = mask & mask.wrapping_neg();
            let ripple = mask + low;
            mask = (((ripple ^ mask) >> 2) / low) | ripple;
        }
        hits as f64 / count as f64
    } else {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut shuffled = pooled.clone();
        let draws = LIMIT as u64;
        let hits = (0..draws)
            .filter(|_| {
                shuffled.shuffle(&mut rng);
                extreme(shuffled[..k].iter().sum())
            })
            .count();
        // The observed split counts as one of the draws.
        (hits as f64 + 1.0) / (draws as f64 + 1.0)
    }
}

/// Fisher's exact test, two-sided, of `k1` successes in `n1` trials against
/// `k2` in `n2`: with the margins fixed, the probability of a table no more
/// likely than the one seen (SciPy's `fisher_exact` convention, with a
/// relative tolerance of 1e-7 for ties).
pub fn fisher_exact(k1: u64, n1: u64, k2: u64, n2: u64) -> f64 {
    assert!(k1 <= n1 && k2 <= n2, "successes above trials");
    let (k, n) = (k1 + k2, n1 + n2);
    let mut ln_fact = vec![0.0f64; n as usize + 1];
    for i in 1..=n as usize {
        ln_fact[i] = ln_fact[i - 1] + (i as f64).ln();
    }
    let ln_choose = |x: u64, y: u64| ln_fact[x as usize] - ln_fact[y as usize] - ln_fact[(x - y) as usize];
    let ln_p = |a: u64| ln_choose(n1, a) + ln_choose(n2, k - a) - ln_choose(n, k);
    let seen = ln_p(k1);
    let p: f64 = (k.saturating_sub(n2)..=k.min(n1))
        .map(ln_p)
        .filter(|&l| l <= seen + 1e-7)
        .map(f64::exp)
        .sum();
    p.min(1.0)
}

/// The share of pairs `(x in a, y in b)` with `x < y`, ties counting half:
/// how often a value of `a` is below one of `b`.
pub fn share_below(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.5;
    }
    let score: f64 = a
        .iter()
        .flat_map(|x| {
            b.iter().map(move |y| {
                if x < y {
                    1.0
                } else if x == y {
                    0.5
                } else {
                    0.0
                }
            })
        })
        .sum();
    score / (a.len() * b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_follows_nothing() {
        let fit = linear_fit(&[0.0, 1.0, 2.0], &[0.5, 0.5, 0.5]);
        assert_eq!((fit.slope, fit.r2), (0.0, 0.0));
        assert_eq!(linear_fit(&[1.0, 1.0], &[0.0, 2.0]).r2, 0.0);
        assert!((linear_fit(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]).r2 - 1.0).abs() < 1e-15);
    }

    #[test]
    fn the_two_medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        let by = |xs: &[f64]| lower_median_by(xs, |a, b| a.total_cmp(b)).copied();
        assert_eq!(by(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(by(&[4.0, 1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(by(&[]), None);
    }

    #[test]
    fn mean_and_std_match_hand_computation() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&xs), 5.0);
        // sum of squared deviations 32, n - 1 = 7
        assert!((std_dev(&xs) - (32.0f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(std_dev(&[3.0]), 0.0);
    }

    #[test]
    fn exact_lines_have_r2_one() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y: Vec<f64> = x.iter().map(|v| 0.25 * v - 1.0).collect();
        let f = linear_fit(&x, &y);
        assert!((f.slope - 0.25).abs() < 1e-15 && (f.intercept + 1.0).abs() < 1e-15);
        assert!((f.r2 - 1.0).abs() < 1e-15);
    }

    #[test]
    fn r2_matches_a_hand_computed_case() {
        // y = x + noise: x = 0,1,2, y = 0,2,1 -> slope 0.5, intercept 0.5,
        // residuals -0.5, 1, -0.5 -> SS_res 1.5, SS_tot 2 -> R^2 0.25
        let f = linear_fit(&[0.0, 1.0, 2.0], &[0.0, 2.0, 1.0]);
        assert!((f.slope - 0.5).abs() < 1e-15);
        assert!((f.r2 - 0.25).abs() < 1e-15);
        assert_eq!(linear_fit(&[1.0, 1.0], &[0.0, 2.0]).r2, 0.0);
    }

    #[test]
    fn permutation_test_counts_splits_exactly() {
        // {1, 2} against {3, 4}: of the 6 splits of four values into two
        // pairs, 2 ({1,2}|{3,4} and {3,4}|{1,2}) differ by 2 in the means.
        assert_eq!(permutation_p_value(&[1.0, 2.0], &[3.0, 4.0]), 2.0 / 6.0);
        // Fisher's exact test against SciPy 1.x (scipy.stats.fisher_exact).
        for (k1, n1, k2, n2, scipy) in [
            (56, 480, 37, 480, 0.049043391620437436),
            (16, 480, 30, 480, 0.048404176642759415),
            (4, 480, 0, 480, 0.12421834395154303),
            (3, 20, 10, 20, 0.040742395024931176),
        ] {
            let p = fisher_exact(k1, n1, k2, n2);
            assert!(
                (p - scipy).abs() < 1e-9 * scipy,
                "{k1}/{n1} vs {k2}/{n2}: {p} against {scipy}"
            );
        }
        assert_eq!(fisher_exact(0, 20, 0, 20), 1.0);
        // identical groups: every split is at least as extreme
        assert_eq!(permutation_p_value(&[1.0, 1.0], &[1.0, 1.0]), 1.0);
        // ten against ten, fully separated: 2 of C(20, 10) = 184756 splits
        let a: Vec<f64> = (0..10).map(f64::from).collect();
        let b: Vec<f64> = (10..20).map(f64::from).collect();
        assert_eq!(permutation_p_value(&a, &b), 2.0 / 184_756.0);
        assert_eq!(permutation_p_value(&[], &b), 1.0);
    }

    #[test]
    fn large_permutation_tests_sample_splits() {
        let a: Vec<f64> = (0..20).map(f64::from).collect();
        let b: Vec<f64> = (20..40).map(f64::from).collect();
        // C(40, 20) splits: sampled; no random split is this extreme
        assert_eq!(permutation_p_value(&a, &b), 1.0 / 1_000_001.0);
        let mixed: Vec<f64> = (0..20).map(|i| f64::from(i) + 0.5).collect();
        let p = permutation_p_value(&a, &mixed);
        assert!(p > 0.5 && p <= 1.0, "{p}");
    }

    #[test]
    fn share_below_counts_pairs() {
        assert_eq!(share_below(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
        assert_eq!(share_below(&[3.0, 4.0], &[1.0, 2.0]), 0.0);
        assert_eq!(share_below(&[1.0, 3.0], &[2.0, 3.0]), (1.0 + 1.0 + 0.0 + 0.5) / 4.0);
    }
}
