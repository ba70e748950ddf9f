//! An independent implementation of the reference algorithm of docs/DESIGN.md
//! section 2, written straight from its formulas with ndarray and sharing no
//! code with the `mlp` crate. Tests use it to replay the weights the exercise
//! binaries save (`--save-weights --sampling cyclic`) and check that they
//! arrive at the same final weights.

use ndarray::{Array1, Array2, Axis};
use ndarray_npy::NpzReader;
use std::fs::File;
use std::path::Path;

/// The sheet's parameters: `V` (K x n_in), `W` (n_out x K), `b` (K).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub v: Array2<f64>,
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

/// The hidden nonlinearity.
#[derive(Clone, Copy, Debug)]
pub enum Phi {
    Relu,
    Sigmoid,
}

impl Phi {
    fn f(self, x: f64) -> f64 {
        match self {
            Phi::Relu => x.max(0.0),
            Phi::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        }
    }
    fn df(self, x: f64) -> f64 {
        match self {
            Phi::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Phi::Sigmoid => self.f(x) * self.f(-x),
        }
    }
}

/// Reads `V`, `W`, `b` from an `.npz` as the exercise binaries write it.
pub fn load_params(path: &Path) -> Params {
    let mut npz = NpzReader::new(File::open(path).expect("weights file")).expect("an npz");
    Params {
        v: npz.by_name("V").expect("V"),
        w: npz.by_name("W").expect("W"),
        b: npz.by_name("b").expect("b"),
    }
}

/// Replays `iterations` cyclic-sampling iterations (sample `t mod N` at
/// iteration `t`) of momentum training from `start`:
/// `v = V x + b`, `z = phi(v)`, `y = W z`, `d_out = -(y - y*)`,
/// `dW = d_out z^T`, `d_hid = phi'(v) * (W^T d_out)`, `dV = d_hid x^T`,
/// `db = d_hid`, and for each parameter `dP <- eta dL/dP + mu dP; P <- P + dP`.
pub fn replay_cyclic(
    start: &Params,
    inputs: &Array2<f64>,
    targets: &Array2<f64>,
    phi: Phi,
    iterations: u64,
    eta: f64,
    mu: f64,
) -> Params {
    let mut p = start.clone();
    let mut mv = Array2::<f64>::zeros(p.v.raw_dim());
    let mut mw = Array2::<f64>::zeros(p.w.raw_dim());
    let mut mb = Array1::<f64>::zeros(p.b.raw_dim());
    let n = inputs.nrows() as u64;
    for t in 0..iterations {
        let i = (t % n) as usize;
        let x = inputs.row(i);
        let target = targets.row(i);
        let v = p.v.dot(&x) + &p.b;
        let z = v.mapv(|u| phi.f(u));
        let y = p.w.dot(&z);
        let d_out = -(&y - &target);
        let dw = d_out.view().insert_axis(Axis(1)).dot(&z.view().insert_axis(Axis(0)));
        let d_hid = v.mapv(|u| phi.df(u)) * p.w.t().dot(&d_out);
        let dv = d_hid.view().insert_axis(Axis(1)).dot(&x.insert_axis(Axis(0)));
        mv = eta * &dv + mu * &mv;
        mw = eta * &dw + mu * &mw;
        mb = eta * &d_hid + mu * &mb;
        p.v += &mv;
        p.w += &mw;
        p.b += &mb;
    }
    p
}

/// The largest absolute difference between two parameter sets.
pub fn max_abs_diff(a: &Params, b: &Params) -> f64 {
    let d = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
    let flat2 = |m: &Array2<f64>| m.iter().copied().collect::<Vec<_>>();
    d(&flat2(&a.v), &flat2(&b.v))
        .max(d(&flat2(&a.w), &flat2(&b.w)))
        .max(d(&a.b.to_vec(), &b.b.to_vec()))
}

/// Reads a data set the way NumPy users would: `.npz` with `inp`/`out` or
/// `X`/`Y` (1-D arrays as one column), or `.npy` with the last `n_out`
/// columns as targets. Float64 only: enough for the committed data.
pub fn load_data(path: &Path, n_out: usize) -> (Array2<f64>, Array2<f64>) {
    if path.extension().is_some_and(|e| e == "npy") {
        let a: Array2<f64> = ndarray_npy::read_npy(path).expect("a 2-D float64 npy");
        let k = a.ncols() - n_out;
        return (
            a.slice(ndarray::s![.., ..k]).to_owned(),
            a.slice(ndarray::s![.., k..]).to_owned(),
        );
    }
    let mut npz = NpzReader::new(File::open(path).expect("data file")).expect("an npz");
    let names = npz.names().expect("names");
    let (ki, ko) = if names.iter().any(|n| n == "inp" || n == "inp.npy") {
        ("inp", "out")
    } else {
        ("X", "Y")
    };
    let mut read = |k: &str| -> Array2<f64> {
        match npz.by_name::<ndarray::OwnedRepr<f64>, ndarray::IxDyn>(k) {
            Ok(a) if a.ndim() == 1 => {
                let n = a.len();
                a.into_shape_with_order((n, 1))
                    .expect("reshape")
                    .into_dimensionality()
                    .expect("2-D")
            }
            Ok(a) => a.into_dimensionality().expect("2-D"),
            Err(e) => panic!("{k}: {e}"),
        }
    };
    (read(ki), read(ko))
}

/// Runs `bin` with `--save-weights --sampling cyclic` and `args` into a
/// fresh folder, which it returns.
pub fn save_cyclic(bin: &str, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut all = vec![
        "--out",
        dir.path().to_str().unwrap(),
        "--save-weights",
        "--sampling",
        "cyclic",
    ];
    all.extend_from_slice(args);
    crate::cli::run_ok(bin, &all);
    dir
}

/// A saved run: its initial and final weights, and the initial weights
/// replayed by this crate's independent implementation.
pub struct Replay {
    pub start: Params,
    pub end: Params,
    pub replayed: Params,
}

impl Replay {
    /// The largest difference between the replayed and the saved final weights.
    pub fn diff(&self) -> f64 {
        max_abs_diff(&self.replayed, &self.end)
    }
}

/// Replays run `run` saved under `dir` (by [`save_cyclic`]) on the committed
/// data set `data` (`n_out` target columns) for `iterations` iterations with
/// learning rate `eta` and momentum 0.5.
pub fn replay_saved(dir: &Path, run: &str, data: &str, n_out: usize, phi: Phi, iterations: u64, eta: f64) -> Replay {
    let w = dir.join("weights");
    let start = load_params(&w.join(format!("{run}-initial.npz")));
    let end = load_params(&w.join(format!("{run}-final.npz")));
    let (x, y) = load_data(&crate::cli::data(data), n_out);
    let replayed = replay_cyclic(&start, &x, &y, phi, iterations, eta, 0.5);
    Replay { start, end, replayed }
}
