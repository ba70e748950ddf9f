//! One training step of the project against a baseline written right here as
//! plain scalar loops over slices, for the sheet's four networks, with
//! criterion.
//!
//! `cargo bench -p mlp --bench step` measures, for each network, the
//! project's step (`<network>/project`) and the baseline's
//! (`<network>/baseline`) in the same run, then prints a table of the median
//! nanoseconds per step of both, their ratio (project / baseline) and the
//! copy of the project's step that ran (see `mlp::train::Isa`). Criterion's
//! own flags work as usual (a filter such as `XOR`, `--save-baseline`, ...).
//! `MLP_BENCH_ISA=baseline|avx2|avx512` runs another copy of the step, if
//! the processor has it.

// The baseline is plain index loops on purpose.
#![allow(clippy::needless_range_loop)]

use criterion::Criterion;
use mlp::train::{Isa, Sampling, TrainConfig, Trainer};
use mlp::{Activation, Network};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The sheet's step as plain scalar loops: forward, backward, momentum.
struct Baseline {
    n_in: usize,
    k: usize,
    n_out: usize,
    relu: bool,
    v: Vec<f64>,
    b: Vec<f64>,
    w: Vec<f64>,
    dv: Vec<f64>,
    db: Vec<f64>,
    dw: Vec<f64>,
    h: Vec<f64>,
    z: Vec<f64>,
    dphi: Vec<f64>,
    d_out: Vec<f64>,
    d_hid: Vec<f64>,
    eta: f64,
    mu: f64,
}

impl Baseline {
    fn new(net: &Network, relu: bool, eta: f64, mu: f64) -> Self {
        let l = net.layers();
        let (n_in, k, n_out) = (l[0].inputs, l[0].units, l[1].units);
        Baseline {
            n_in,
            k,
            n_out,
            relu,
            v: net.weights(1).to_vec(),
            b: net.bias(1).unwrap().to_vec(),
            w: net.weights(2).to_vec(),
            dv: vec![0.0; k * n_in],
            db: vec![0.0; k],
            dw: vec![0.0; n_out * k],
            h: vec![0.0; k],
            z: vec![0.0; k],
            dphi: vec![0.0; k],
            d_out: vec![0.0; n_out],
            d_hid: vec![0.0; k],
            eta,
            mu,
        }
    }

    #[inline(never)]
    fn step(&mut self, x: &[f64], t: &[f64]) -> f64 {
        let (n_in, k, n_out) = (self.n_in, self.k, self.n_out);
        for j in 0..k {
            let mut s = self.b[j];
            for i in 0..n_in {
                s += self.v[j * n_in + i] * x[i];
            }
            self.h[j] = s;
            if self.relu {
                self.z[j] = if s > 0.0 { s } else { 0.0 };
                self.dphi[j] = if s > 0.0 { 1.0 } else { 0.0 };
            } else {
                let p = 1.0 / (1.0 + (-s).exp());
                self.z[j] = p;
                self.dphi[j] = p * (1.0 - p);
            }
        }
        let mut cost = 0.0;
        for o in 0..n_out {
            let mut y = 0.0;
            for j in 0..k {
                y += self.w[o * k + j] * self.z[j];
            }
            let e = y - t[o];
            cost += 0.5 * e * e;
            self.d_out[o] = -e;
        }
        for j in 0..k {
            let mut s = 0.0;
            for o in 0..n_out {
                s += self.w[o * k + j] * self.d_out[o];
            }
            self.d_hid[j] = self.dphi[j] * s;
        }
        for o in 0..n_out {
            for j in 0..k {
                let i = o * k + j;
                self.dw[i] = self.eta * self.d_out[o] * self.z[j] + self.mu * self.dw[i];
                self.w[i] += self.dw[i];
            }
        }
        for j in 0..k {
            for i in 0..n_in {
                let idx = j * n_in + i;
                self.dv[idx] = self.eta * self.d_hid[j] * x[i] + self.mu * self.dv[idx];
                self.v[idx] += self.dv[idx];
            }
            self.db[j] = self.eta * self.d_hid[j] + self.mu * self.db[j];
            self.b[j] += self.db[j];
        }
        cost
    }
}

struct Case {
    name: &'static str,
    n_in: usize,
    k: usize,
    n_out: usize,
    phi: Activation,
    samples: Vec<(Vec<f64>, Vec<f64>)>,
}

/// The samples of a committed data set, as `(x, y*)` pairs.
fn committed(name: &str, n_out: usize) -> Vec<(Vec<f64>, Vec<f64>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name);
    let s = numpy_data::Samples::load(&path, n_out).unwrap_or_else(|e| panic!("{e}"));
    let data = mlp::Dataset::new(s.inputs, s.targets, s.n_in, s.n_out).unwrap_or_else(|e| panic!("{name}: {e}"));
    (0..data.len())
        .map(|i| (data.input(i).to_vec(), data.target(i).to_vec()))
        .collect()
}

fn cases() -> Vec<Case> {
    let xor = vec![
        (vec![0.0, 0.0], vec![0.0]),
        (vec![0.0, 1.0], vec![1.0]),
        (vec![1.0, 0.0], vec![1.0]),
        (vec![1.0, 1.0], vec![0.0]),
    ];
    let func = committed("func_approx_training.npz", 1);
    let bars = committed("bar_data.npy", 2);
    vec![
        Case {
            name: "XOR 2-3-1 ReLU",
            n_in: 2,
            k: 3,
            n_out: 1,
            phi: Activation::Relu,
            samples: xor,
        },
        Case {
            name: "2c 1-5-1 sigmoid",
            n_in: 1,
            k: 5,
            n_out: 1,
            phi: Activation::Sigmoid,
            samples: func.clone(),
        },
        Case {
            name: "2c 1-40-1 sigmoid",
            n_in: 1,
            k: 40,
            n_out: 1,
            phi: Activation::Sigmoid,
            samples: func,
        },
        Case {
            name: "2d 25-10-2 sigmoid",
            n_in: 25,
            k: 10,
            n_out: 2,
            phi: Activation::Sigmoid,
            samples: bars,
        },
    ]
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The copy of the step `MLP_BENCH_ISA` asks for, if any.
fn isa_from_env() -> Option<Isa> {
    let name = std::env::var("MLP_BENCH_ISA").ok()?;
    match Isa::ALL.into_iter().find(|i| i.name() == name) {
        Some(isa) if isa.available() => Some(isa),
        _ => {
            let names: Vec<_> = Isa::ALL.iter().filter(|i| i.available()).map(|i| i.name()).collect();
            eprintln!(
                "error: MLP_BENCH_ISA: expected one of this processor's copies of the step ({}), got {name:?}",
                names.join(", ")
            );
            std::process::exit(2);
        }
    }
}

/// Times `iters` calls of `step` over the samples in turn, for criterion's
/// `iter_custom`, and keeps the nanoseconds per step of every measurement
/// long enough to be timed well (criterion's warm-up starts at one call).
fn timed(iters: u64, per_step: &mut Vec<f64>, n: usize, mut step: impl FnMut(usize) -> f64) -> Duration {
    let start = Instant::now();
    let mut acc = 0.0;
    for s in 0..iters as usize {
        acc += step(s % n);
    }
    black_box(acc);
    let elapsed = start.elapsed();
    if iters >= 1000 {
        per_step.push(elapsed.as_nanos() as f64 / iters as f64);
    }
    elapsed
}

fn main() {
    let isa = isa_from_env();
    let mut criterion = Criterion::default().configure_from_args();
    let mut rows = Vec::new();
    for case in cases() {
        let mut net = Network::sheet(case.n_in, case.k, case.n_out, case.phi).unwrap();
        net.randomize_normal(&mut ChaCha8Rng::seed_from_u64(1));
        let eta = 0.2 / case.k as f64 * 0.1;
        let cfg = TrainConfig::new(1, eta, 0.5, Sampling::Cyclic, 0).unwrap();
        let mut trainer = Trainer::new(&net, &cfg);
        if let Some(isa) = isa {
            trainer = trainer.with_isa(isa).expect("checked in isa_from_env");
        }
        let copy = trainer.isa().name();
        let mut base = Baseline::new(&net, case.phi == Activation::Relu, eta, 0.5);
        let (samples, n) = (&case.samples, case.samples.len());
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let mut group = criterion.benchmark_group(case.name);
        group.bench_function("project", |b| {
            b.iter_custom(|iters| {
                timed(iters, &mut ours, n, |i| {
                    let (x, t) = &samples[i];
                    trainer.step(&mut net, black_box(x), black_box(t))
                })
            })
        });
        group.bench_function("baseline", |b| {
            b.iter_custom(|iters| {
                timed(iters, &mut theirs, n, |i| {
                    let (x, t) = &samples[i];
                    base.step(black_box(x), black_box(t))
                })
            })
        });
        group.finish();
        // A filter can leave a side out; test mode times one call only.
        if !ours.is_empty() && !theirs.is_empty() {
            rows.push((case.name, median(ours), median(theirs), copy));
        }
    }
    criterion.final_summary();
    if !rows.is_empty() {
        println!(
            "\n{:<22} {:>12} {:>12} {:>8}  copy",
            "network", "project ns", "baseline ns", "ratio"
        );
        for (name, a, b, copy) in rows {
            println!("{name:<22} {a:>12.1} {b:>12.1} {:>7.2}x  {copy}", a / b);
        }
    }
}
