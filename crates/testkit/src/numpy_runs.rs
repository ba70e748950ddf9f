//! Runs of the course's algorithm made by NumPy with NumPy's own draws
//! (`tools/numpy_reference.py training`): the start and the final weights
//! after 20,000 iterations that our `--rng numpy` runs must reproduce.

use crate::cli::{root, run_ok};
use crate::replay::{Params, load_params};
use ndarray::{Array1, Array2};
use serde_json::Value;
use std::path::Path;

/// One NumPy run: its start and its final weights.
pub struct NumpyRun {
    pub iterations: u64,
    pub initial: Params,
    pub last: Params,
}

fn bits(v: &Value) -> Vec<f64> {
    v["bits"]
        .as_array()
        .expect("bits")
        .iter()
        .map(|b| {
            let hex = b.as_str().expect("a bit pattern").trim_start_matches("0x");
            f64::from_bits(u64::from_str_radix(hex, 16).expect("hex"))
        })
        .collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|x| x.as_u64().expect("a size") as usize)
        .collect()
}

fn params(v: &Value) -> Params {
    let matrix = |m: &Value| {
        let s = shape(m);
        Array2::from_shape_vec((s[0], s[1]), bits(m)).expect("a matrix")
    };
    Params {
        v: matrix(&v["V"]),
        w: matrix(&v["W"]),
        b: Array1::from_vec(bits(&v["b"])),
    }
}

/// The NumPy run of `part` (`"2b"`, `"2c"`, `"2d"`) with `seed` and `k`
/// hidden units.
pub fn numpy_run(part: &str, seed: u64, k: usize) -> NumpyRun {
    let path = root().join("crates/mlp/tests/fixtures/numpy_rng/training.json");
    let text = std::fs::read_to_string(&path).expect("training.json");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let run = doc["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["part"] == part && r["seed"] == seed && r["K"] == k as u64)
        .unwrap_or_else(|| panic!("no NumPy run {part} seed {seed} K {k}"));
    NumpyRun {
        iterations: run["iterations"].as_u64().expect("iterations"),
        initial: params(&run["initial"]),
        last: params(&run["final"]),
    }
}

/// Every parameter of `a` and `b`, in the order `V`, `W`, `b`.
fn flat(p: &Params) -> Vec<f64> {
    p.v.iter().chain(p.w.iter()).chain(p.b.iter()).copied().collect()
}

/// Asserts that `ours` equals `numpy` bit for bit.
pub fn assert_bits_equal(ours: &Params, numpy: &Params, what: &str) {
    assert_eq!(
        (ours.v.shape(), ours.w.shape(), ours.b.shape()),
        (numpy.v.shape(), numpy.w.shape(), numpy.b.shape()),
        "{what}: shapes"
    );
    for (i, (a, b)) in flat(ours).iter().zip(flat(numpy)).enumerate() {
        assert_eq!(
            a.to_bits(),
            b.to_bits(),
            "{what}: parameter {i}: ours {a:e}, NumPy's {b:e}"
        );
    }
}

/// The largest relative difference `|a - b| / max(|a|, |b|)` over all
/// parameters (0 where both are 0).
pub fn max_rel_diff(ours: &Params, numpy: &Params) -> f64 {
    flat(ours)
        .iter()
        .zip(flat(numpy))
        .map(|(a, b)| {
            let scale = a.abs().max(b.abs());
            if scale == 0.0 { 0.0 } else { (a - b).abs() / scale }
        })
        .fold(0.0, f64::max)
}

/// Runs `bin` with `--rng numpy --seed <seed> --save-weights` and `args`
/// for the NumPy run's iterations into a fresh folder; returns the folder.
pub fn run_numpy(bin: &str, seed: u64, iterations: u64, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (seed, iterations) = (seed.to_string(), iterations.to_string());
    let mut all = vec![
        "--out",
        dir.path().to_str().unwrap(),
        "--rng",
        "numpy",
        "--seed",
        &seed,
        "--iterations",
        &iterations,
        "--save-weights",
    ];
    all.extend_from_slice(args);
    run_ok(bin, &all);
    dir
}

/// The weights a run saved as `weights/<run>-initial.npz` or `-final.npz`.
pub fn saved(dir: &Path, run: &str, which: &str) -> Params {
    load_params(&dir.join("weights").join(format!("{run}-{which}.npz")))
}
