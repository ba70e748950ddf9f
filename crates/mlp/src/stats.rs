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
/// does not vary and 1 when `y` is constant and fitted exactly.
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
    let r2 = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    };
    LinearFit { slope, intercept, r2 }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
