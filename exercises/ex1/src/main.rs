//! Exercise 1 checked by numbers: every quantity of (a) to (f), computed from
//! the sheet's formulas and by central finite differences, for every layer of
//! a random network with several hidden layers.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]
// The loops below index j, k, i, m and l exactly as the sheet's formulas do.
#![allow(clippy::needless_range_loop)]

use anyhow::Result;
use clap::Parser;
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::ex1::{Check, CheckedNetwork, LayerCheck, Metrics};
use exercise_harness::output::OutputSet;
use mlp::network::{Network, Tape, sample_cost};
use mlp::{Activation, LayerSpec};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use std::process::ExitCode;

/// Exercise 1 by numbers: on a random network with four hidden layers
/// (sigmoid and ReLU, with biases) and a sigmoid output layer, computes every
/// quantity of (a) to (f) from the sheet's formulas and by central finite
/// differences, for every layer, and writes the largest relative error of
/// each into metrics.json. The sheet's claim that the structure of (e) holds
/// for all lower layers is checked for every one of them.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Seed for the random network, input and target
    #[arg(long, value_name = "N", default_value_t = 0, allow_negative_numbers = true)]
    seed: u64,

    /// Step h of the five-point central differences
    /// (f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h, with 0 < h <= 0.1
    #[arg(long, value_name = "H", default_value_t = 1e-3, value_parser = parse_step, allow_hyphen_values = true)]
    step: f64,
}

fn parse_step(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h <= 0.1 => Ok(h),
        _ => Err(format!("expected a step h with 0 < h <= 0.1, got {s}")),
    }
}

/// The five-point central difference of `f` at 0 with step `h`:
/// `(f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h`, exact to O(h^4), so a step
/// large enough to keep rounding small still gives a sharp derivative.
fn central(h: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let (m2, m1, p1, p2) = (f(-2.0 * h), f(-h), f(h), f(2.0 * h));
    // differences first: equal values cancel exactly
    (8.0 * (p1 - m1) - (p2 - m2)) / (12.0 * h)
}

/// Relative error `|a - b| / max(|a|, |b|, 1e-8)`: relative where the values
/// are not tiny, absolute below 1e-8.
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-8)
}

/// `L(z^L) = -1/2 sum_j (z_j^L - z_j^*)^2`.
fn objective(z: &[f64], target: &[f64]) -> f64 {
    -sample_cost(z, target)
}

/// `z^l` of one layer from `z^{l-1}`, with the network's `W^l`, `b^l`, `phi_l`.
fn layer_output(net: &Network, l: usize, z_prev: &[f64]) -> Vec<f64> {
    let layer = net.layers()[l - 1];
    let w = net.weights(l);
    (0..layer.units)
        .map(|j| {
            let v = (0..layer.inputs)
                .map(|i| w[j * layer.inputs + i] * z_prev[i])
                .sum::<f64>()
                + net.bias(l).map_or(0.0, |b| b[j]);
            layer.activation.phi(v)
        })
        .collect()
}

/// The relative errors of one part, per layer `l`.
type PerLayer = Vec<(usize, Vec<f64>)>;

/// The network, sample and step every check of Exercise 1 works on, with
/// the forward pass done.
struct Exercise1 {
    args: Args,
    layers: Vec<LayerSpec>,
    net: Network,
    x: Vec<f64>,
    target: Vec<f64>,
    /// The forward pass of `x`.
    tape: Tape,
    /// The smallest `|v|` of a ReLU unit.
    relu_margin: f64,
}

/// Every check, and the core's deltas against the formulas'.
struct Checks {
    checks: Vec<Check>,
    core_vs_formula: f64,
}

/// A relative error at most this large counts as agreement.
const AGREES: f64 = 1e-6;

fn agrees(relative_error: f64) -> bool {
    relative_error <= AGREES
}

impl Exercise for Exercise1 {
    const NAME: &'static str = "ex1";
    const WRITES: &'static str = "metrics.json";
    type Args = Args;
    type Trained = Checks;

    /// A random network with four hidden layers (sigmoid and ReLU, with
    /// biases), a random input and target, and the forward pass; refused if
    /// a ReLU input lies so close to the kink that differences cannot see it.
    fn prepare(args: Args) -> Result<Self> {
        let spec = |units, activation| LayerSpec {
            units,
            activation,
            bias: true,
        };
        let layers = vec![
            spec(6, Activation::Sigmoid),
            spec(5, Activation::Relu),
            spec(5, Activation::Sigmoid),
            spec(4, Activation::Sigmoid),
            spec(3, Activation::Sigmoid),
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
        let normal = Normal::new(0.0, 1.0).expect("a valid normal distribution");
        let mut net = Network::new(4, &layers)?;
        net.randomize_normal(&mut rng);
        let x: Vec<f64> = (0..4).map(|_| normal.sample(&mut rng)).collect();
        let target: Vec<f64> = (0..3).map(|_| normal.sample(&mut rng)).collect();
        let mut tape = net.tape();
        net.forward(&x, &mut tape);
        let relu_margin = (1..=layers.len())
            .filter(|&l| net.layers()[l - 1].activation == Activation::Relu)
            .flat_map(|l| tape.v(l).iter().map(|v| v.abs()))
            .fold(f64::INFINITY, f64::min);
        if relu_margin <= 10.0 * args.step {
            return Err(exercise_harness::cli::usage(format!(
                "--step {:e} with --seed {}: a ReLU input lies within {relu_margin:.1e} of its kink, closer than \
                 10 steps, where finite differences straddle the kink; use a --step below {:.0e} (or another --seed)",
                args.step,
                args.seed,
                relu_margin / 10.0
            )));
        }
        Ok(Exercise1 {
            args,
            layers,
            net,
            x,
            target,
            tape,
            relu_margin,
        })
    }

    fn train(&self) -> Result<Checks> {
        let delta = self.formula_deltas();
        let (check_d, check_e, check_f) = self.check_gradients(&delta);
        let checks = vec![
            pack(
                "a",
                r"\frac{\partial \mathcal{L}}{\partial z_j^L} = -(z_j^L - z_j^*)",
                self.check_a(),
            ),
            pack(
                "b",
                r"\frac{dz_j^{l+1}}{dz_m^l} = \varphi'(v_j^{l+1})\, W_{jm}^{l+1}",
                self.check_b(),
            ),
            pack(
                "c",
                r"\frac{dz_j^l}{dW_{ki}^l} = \varphi'(v_j^l)\, z_i^{l-1} K_{jk}",
                self.check_c(),
            ),
            pack(
                "d",
                r"\frac{d\mathcal{L}}{dW_{ki}^L} = \delta_k^L z_i^{L-1},\quad \delta_k^L = -(z_k^L - z_k^*)\,\varphi'(v_k^L)",
                check_d,
            ),
            pack(
                "e",
                r"\frac{d\mathcal{L}}{dW_{ki}^l} = \delta_k^l z_i^{l-1},\quad \delta_k^l = \varphi'(v_k^l) \sum_j \delta_j^{l+1} W_{jk}^{l+1}",
                check_e,
            ),
            pack("f", r"\frac{d\mathcal{L}}{db_j^l} = \delta_j^l", check_f),
        ];
        Ok(Checks {
            checks,
            core_vs_formula: self.core_vs_formula(&delta),
        })
    }

    fn outputs(&self, result: &Checks, set: &mut OutputSet) -> Result<Vec<String>> {
        let (h, big_l) = (self.args.step, self.layers.len());
        let checks = &result.checks;
        let worst = checks.iter().map(|c| c.max_rel_error).fold(0.0, f64::max);
        set.add_json(
            "metrics.json",
            &Metrics {
                exercise: "1".into(),
                seed: self.args.seed,
                step: h,
                network: CheckedNetwork {
                    inputs: 4,
                    layers: self.layers.clone(),
                    hidden_layers: big_l - 1,
                },
                relative_error: "|a - b| / max(|a|, |b|, 1e-8)".into(),
                checks: checks.clone(),
                max_rel_error: worst,
                core_backward_vs_formula: result.core_vs_formula,
                relu_margin: self.relu_margin,
            },
        )?;
        let mut lines = vec![format!(
            "Exercise 1 by numbers: network 4 -> {} ({} hidden layers), central differences with h = {h:e}",
            self.layers
                .iter()
                .map(|s| format!("{} {}", s.units, s.activation.name()))
                .collect::<Vec<_>>()
                .join(" -> "),
            big_l - 1
        )];
        for c in checks {
            let per: Vec<String> = c
                .layers
                .iter()
                .map(|l| format!("l={}: {:.1e}", l.layer, l.max_rel_error))
                .collect();
            lines.push(format!(
                "  ({}) {}: largest relative error {:.1e}  [{}]",
                c.part,
                if agrees(c.max_rel_error) { "passed" } else { "FAILED" },
                c.max_rel_error,
                per.join(", ")
            ));
        }
        lines.push(format!(
            "  the core crate's backward pass matches the formulas' deltas to {:.1e}",
            result.core_vs_formula
        ));
        Ok(lines)
    }

    fn verdict(&self, result: &Checks) -> Result<()> {
        let failed: Vec<&str> = result
            .checks
            .iter()
            // NaN is no agreement either.
            .filter(|c| !agrees(c.max_rel_error))
            .map(|c| c.part.as_str())
            .collect();
        if failed.is_empty() {
            return Ok(());
        }
        anyhow::bail!(
            "the check of ({}) failed: relative error above {AGREES:e} (the metrics are written); with --step \
             {:e}, rounding or truncation may dominate: the default 1e-3 is the step that balances them",
            failed.join("), ("),
            self.args.step
        )
    }
}

impl Exercise1 {
    /// `L`, the number of layers.
    fn big_l(&self) -> usize {
        self.layers.len()
    }

    fn z(&self, l: usize) -> Vec<f64> {
        self.tape.z(l).to_vec()
    }

    /// (a) `dL/dz_j^L = -(z_j^L - z_j^*)`.
    fn check_a(&self) -> PerLayer {
        let (h, big_l, target) = (self.args.step, self.big_l(), &self.target);
        let z_big = self.z(big_l);
        let errs = (0..z_big.len())
            .map(|j| {
                let formula = -(z_big[j] - target[j]);
                let fd = central(h, |e| {
                    let mut p = z_big.clone();
                    p[j] += e;
                    objective(&p, target)
                });
                rel(formula, fd)
            })
            .collect();
        vec![(big_l, errs)]
    }

    /// (b) `dz_j^{l+1}/dz_m^l = phi'(v_j^{l+1}) W_jm^{l+1}`, for `l = 1 .. L-1`.
    fn check_b(&self) -> PerLayer {
        let (h, net) = (self.args.step, &self.net);
        (1..self.big_l())
            .map(|l| {
                let mut errs = Vec::new();
                let zl = self.z(l);
                let d = self.tape.dphi(l + 1);
                let w = net.weights(l + 1);
                for m in 0..zl.len() {
                    for j in 0..d.len() {
                        let formula = d[j] * w[j * zl.len() + m];
                        let fd = central(h, |e| {
                            let mut p = zl.clone();
                            p[m] += e;
                            layer_output(net, l + 1, &p)[j]
                        });
                        errs.push(rel(formula, fd));
                    }
                }
                (l, errs)
            })
            .collect()
    }

    /// (c) `dz_j^l/dW_ki^l = phi'(v_j^l) z_i^{l-1} K_jk`, for every layer.
    fn check_c(&self) -> PerLayer {
        let (h, net) = (self.args.step, &self.net);
        (1..=self.big_l())
            .map(|l| {
                let mut errs = Vec::new();
                let z_prev = self.z(l - 1);
                let d = self.tape.dphi(l);
                let layer = net.layers()[l - 1];
                for k in 0..layer.units {
                    for i in 0..layer.inputs {
                        let idx = layer.weights_at + k * layer.inputs + i;
                        for j in 0..layer.units {
                            let kron = if j == k { 1.0 } else { 0.0 };
                            let formula = d[j] * z_prev[i] * kron;
                            let fd = central(h, |e| {
                                let mut p = net.clone();
                                p.params_mut()[idx] += e;
                                layer_output(&p, l, &z_prev)[j]
                            });
                            errs.push(rel(formula, fd));
                        }
                    }
                }
                (l, errs)
            })
            .collect()
    }

    /// The deltas from the sheet's formulas, top down (index `l`, 1-based):
    /// (d) `delta_k^L = -(z_k^L - z_k^*) phi'(v_k^L)`,
    /// (e) `delta_k^l = phi'(v_k^l) sum_j delta_j^{l+1} W_jk^{l+1}`.
    fn formula_deltas(&self) -> Vec<Vec<f64>> {
        let (big_l, net, tape, target) = (self.big_l(), &self.net, &self.tape, &self.target);
        let z_big = self.z(big_l);
        let mut delta: Vec<Vec<f64>> = vec![Vec::new(); big_l + 1];
        delta[big_l] = (0..z_big.len())
            .map(|k| -(z_big[k] - target[k]) * tape.dphi(big_l)[k])
            .collect();
        for l in (1..big_l).rev() {
            let n_l = net.layers()[l - 1].units;
            let w = net.weights(l + 1);
            delta[l] = (0..n_l)
                .map(|k| {
                    tape.dphi(l)[k]
                        * (0..delta[l + 1].len())
                            .map(|j| delta[l + 1][j] * w[j * n_l + k])
                            .sum::<f64>()
                })
                .collect();
        }
        delta
    }

    /// The largest relative difference between the core crate's backward
    /// pass and the formulas' deltas.
    fn core_vs_formula(&self, delta: &[Vec<f64>]) -> f64 {
        let mut tape = self.tape.clone();
        let mut grad = vec![0.0; self.net.params().len()];
        self.net.backward(&self.target, &mut tape, &mut grad);
        (1..=self.big_l())
            .flat_map(|l| {
                delta[l]
                    .iter()
                    .zip(tape.delta(l))
                    .map(|(a, b)| rel(*a, *b))
                    .collect::<Vec<_>>()
            })
            .fold(0.0, f64::max)
    }

    /// `dL/dP` by central differences through the whole network.
    fn full_difference(&self, idx: usize) -> f64 {
        let mut t = self.net.tape();
        central(self.args.step, |e| {
            let mut p = self.net.clone();
            p.params_mut()[idx] += e;
            p.objective(&self.x, &self.target, &mut t)
        })
    }

    /// (d) for `l = L` and (e) for every `l < L`:
    /// `dL/dW_ki^l = delta_k^l z_i^{l-1}`; (f) `dL/db_j^l = delta_j^l`.
    fn check_gradients(&self, delta: &[Vec<f64>]) -> (PerLayer, PerLayer, PerLayer) {
        let (mut check_d, mut check_e, mut check_f) = (Vec::new(), Vec::new(), Vec::new());
        for l in 1..=self.big_l() {
            let layer = self.net.layers()[l - 1];
            let z_prev = self.z(l - 1);
            let mut errs = Vec::new();
            for k in 0..layer.units {
                for i in 0..layer.inputs {
                    let idx = layer.weights_at + k * layer.inputs + i;
                    errs.push(rel(delta[l][k] * z_prev[i], self.full_difference(idx)));
                }
            }
            if l == self.big_l() {
                check_d.push((l, errs));
            } else {
                check_e.push((l, errs));
            }
            let r = layer.bias_range().expect("every layer has a bias here");
            let errs_b: Vec<f64> = r
                .clone()
                .map(|idx| rel(delta[l][idx - r.start], self.full_difference(idx)))
                .collect();
            check_f.push((l, errs_b));
        }
        (check_d, check_e, check_f)
    }
}

/// One part's check from its errors per layer.
fn pack(part: &str, formula: &str, per_layer: PerLayer) -> Check {
    let layers: Vec<LayerCheck> = per_layer
        .into_iter()
        .map(|(layer, errs)| LayerCheck {
            layer,
            quantities: errs.len(),
            max_rel_error: errs.iter().copied().fold(0.0, f64::max),
        })
        .collect();
    let max_rel_error = layers.iter().map(|c| c.max_rel_error).fold(0.0, f64::max);
    Check {
        part: part.into(),
        formula: formula.into(),
        layers,
        max_rel_error,
    }
}

fn main() -> ExitCode {
    flow::main::<Exercise1>()
}
