//! The data sets of docs/DESIGN.md section 3, made exactly to their recipes and
//! deterministically (the same bytes on every run). `cargo xtask data`
//! writes them under `data/`.

use anyhow::Result;
use exercise_harness::output::npz_bytes;
use ndarray::{Array1, Array2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Seed of the function-approximation training set.
pub const FUNC_TRAIN_SEED: u64 = 1;
/// Seed of the function-approximation test set.
pub const FUNC_TEST_SEED: u64 = 2;
/// Samples in each function-approximation set.
pub const FUNC_SAMPLES: usize = 30;
/// The interval the function-approximation inputs are drawn from, uniformly.
pub const FUNC_RANGE: (f64, f64) = (-2.0, 2.0);
/// Standard deviation of the Gaussian noise on the function-approximation
/// targets.
pub const FUNC_NOISE_STD: f64 = 0.1;

/// `xor_data.npz`: `inp` (4, 2) rows `[0,0]`, `[0,1]`, `[1,0]`, `[1,1]`; `out` (4, 1) = `[0,1,1,0]`.
pub fn xor_data() -> Result<Vec<u8>> {
    let inp = Array2::from_shape_vec((4, 2), vec![0., 0., 0., 1., 1., 0., 1., 1.])?;
    let out = Array2::from_shape_vec((4, 1), vec![0., 1., 1., 0.])?;
    npz_bytes(&[("inp", inp.into_dyn()), ("out", out.into_dyn())])
}

/// `X` sorted, drawn uniformly from [-2, 2]; `Y = sin(pi X) + e`,
/// `e ~ N(0, 0.1^2)`; 30 samples each, float64.
pub fn func_approx(seed: u64) -> (Array1<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x: Vec<f64> = (0..FUNC_SAMPLES)
        .map(|_| rng.random_range(FUNC_RANGE.0..=FUNC_RANGE.1))
        .collect();
    x.sort_by(f64::total_cmp);
    let noise = Normal::new(0.0, FUNC_NOISE_STD).expect("a valid normal distribution");
    let y: Vec<f64> = x
        .iter()
        .map(|&x| (std::f64::consts::PI * x).sin() + noise.sample(&mut rng))
        .collect();
    (Array1::from_vec(x), Array1::from_vec(y))
}

/// The bytes of `func_approx_training.npz` or `func_approx_test.npz`.
pub fn func_approx_npz(seed: u64) -> Result<Vec<u8>> {
    let (x, y) = func_approx(seed);
    npz_bytes(&[("X", x.into_dyn()), ("Y", y.into_dyn())])
}

/// `bar_data.npy`: float64 (25, 27). Row `5h + v` is the 5 x 5 image with
/// image row `h` and image column `v` set to 1 (row-major), then the targets
/// `h/4` and `v/4`.
pub fn bar_data() -> Array2<f64> {
    let mut a = Array2::zeros((25, 27));
    for h in 0..5 {
        for v in 0..5 {
            let mut row = a.row_mut(5 * h + v);
            for c in 0..5 {
                row[5 * h + c] = 1.0; // the horizontal bar: image row h
                row[5 * c + v] = 1.0; // the vertical bar: image column v
            }
            row[25] = h as f64 / 4.0;
            row[26] = v as f64 / 4.0;
        }
    }
    a
}

/// The bytes of `bar_data.npy`.
pub fn bar_data_npy() -> Result<Vec<u8>> {
    use ndarray_npy::WriteNpyExt;
    let mut bytes = Vec::new();
    bar_data().write_npy(&mut bytes)?;
    Ok(bytes)
}

/// Every data file: `(file name, bytes)`.
pub fn all() -> Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        ("xor_data.npz", xor_data()?),
        ("func_approx_training.npz", func_approx_npz(FUNC_TRAIN_SEED)?),
        ("func_approx_test.npz", func_approx_npz(FUNC_TEST_SEED)?),
        ("bar_data.npy", bar_data_npy()?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_follow_the_recipe() {
        let a = bar_data();
        // h = 1, v = 3: image row 1 and image column 3
        let r = a.row(5 + 3);
        for i in 0..5 {
            for j in 0..5 {
                let on = i == 1 || j == 3;
                assert_eq!(r[5 * i + j], if on { 1.0 } else { 0.0 }, "pixel ({i},{j})");
            }
        }
        assert_eq!((r[25], r[26]), (0.25, 0.75));
        assert_eq!(a.row(24).iter().take(25).sum::<f64>(), 9.0);
    }

    #[test]
    fn function_data_follow_the_recipe() {
        let (x, y) = func_approx(FUNC_TRAIN_SEED);
        assert_eq!(x.len(), 30);
        assert!(x.windows(2).into_iter().all(|w| w[0] <= w[1]));
        assert!(x.iter().all(|v| (-2.0..=2.0).contains(v)));
        let resid: Vec<f64> = x
            .iter()
            .zip(&y)
            .map(|(x, y)| y - (std::f64::consts::PI * x).sin())
            .collect();
        let sd = mlp::stats::std_dev(&resid);
        assert!((0.05..0.16).contains(&sd), "noise sd {sd}");
        assert_ne!(func_approx(FUNC_TEST_SEED).0, x);
    }

    #[test]
    fn the_files_are_the_same_bytes_every_time() {
        assert_eq!(all().unwrap(), all().unwrap());
    }
}
