//! The multi-layer perceptron and backpropagation, in the notation of
//! Exercise 1 of the sheet.
//!
//! Layers are numbered as on the sheet: `l = 1 ..= L`, with `z^0 = x` the
//! input. Layer `l` computes
//!
//! ```text
//! v^l = W^l z^{l-1} + b^l        (b^l only if the layer has a bias)
//! z^l = phi_l(v^l)
//! ```
//!
//! and the per-sample objective is `L(t) = -1/2 sum_j (z_j^L - z_j^*)^2`,
//! which training *climbs* (that is, it descends the squared error).
//!
//! All parameters live in one flat vector, laid out as
//! `[W^1, W^2, ..., W^L, b^1, ..., b^L]` (each `W^l` row-major, `n_l x
//! n_{l-1}`; biases only for layers that have one). The gradient and the
//! momentum buffers share that layout, so an update is one loop. The order is
//! also the order of the sheet's random start (`V`, then `W`, then `b`).

use crate::activation::Activation;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

/// The shape of one layer, as given by the user of the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LayerSpec {
    /// Number of units in this layer (`n_l`).
    pub units: usize,
    /// Its nonlinearity `phi_l`.
    pub activation: Activation,
    /// Whether it has a bias `b^l`.
    pub bias: bool,
}

/// One layer's place in the flat parameter vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer {
    /// `n_{l-1}`: inputs to this layer.
    pub inputs: usize,
    /// `n_l`: units of this layer.
    pub units: usize,
    /// `phi_l`.
    pub activation: Activation,
    /// Offset of `W^l` (row-major, `units x inputs`) in the parameters.
    pub weights_at: usize,
    /// Offset of `b^l` in the parameters, if the layer has a bias.
    pub bias_at: Option<usize>,
}

impl Layer {
    /// The range of `W^l` in the flat parameter vector.
    pub fn weights_range(&self) -> std::ops::Range<usize> {
        self.weights_at..self.weights_at + self.units * self.inputs
    }

    /// The range of `b^l` in the flat parameter vector, if any.
    pub fn bias_range(&self) -> Option<std::ops::Range<usize>> {
        self.bias_at.map(|at| at..at + self.units)
    }
}

/// Errors in a network's shape or parameters.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NetworkError {
    /// A network needs at least one input and one layer, and no empty layer.
    #[error("a network needs at least one input, at least one layer and no layer without units")]
    EmptyShape,
    /// The parameter vector does not fit the shape.
    #[error("expected {expected} parameters for this shape, got {got}")]
    ParameterCount { expected: usize, got: usize },
}

/// A multi-layer perceptron: its shape and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    inputs: usize,
    layers: Vec<Layer>,
    params: Vec<f64>,
}

impl Network {
    /// A network with `inputs` inputs and the given layers, all parameters 0.
    pub fn new(inputs: usize, specs: &[LayerSpec]) -> Result<Self, NetworkError> {
        if inputs == 0 || specs.is_empty() || specs.iter().any(|s| s.units == 0) {
            return Err(NetworkError::EmptyShape);
        }
        let mut layers = Vec::with_capacity(specs.len());
        let mut at = 0;
        let mut prev = inputs;
        for s in specs {
            layers.push(Layer {
                inputs: prev,
                units: s.units,
                activation: s.activation,
                weights_at: at,
                bias_at: None,
            });
            at += s.units * prev;
            prev = s.units;
        }
        for (layer, s) in layers.iter_mut().zip(specs) {
            if s.bias {
                layer.bias_at = Some(at);
                at += s.units;
            }
        }
        Ok(Network {
            inputs,
            layers,
            params: vec![0.0; at],
        })
    }

    /// The sheet's network `n_in -> K -> n_out`: hidden layer with bias `b`
    /// and nonlinearity `phi`, linear output layer without bias.
    pub fn sheet(inputs: usize, hidden: usize, outputs: usize, phi: Activation) -> Result<Self, NetworkError> {
        Network::new(
            inputs,
            &[
                LayerSpec {
                    units: hidden,
                    activation: phi,
                    bias: true,
                },
                LayerSpec {
                    units: outputs,
                    activation: Activation::Identity,
                    bias: false,
                },
            ],
        )
    }

    /// Draws every parameter from N(0, 1), in the flat order: all weight
    /// matrices layer by layer, then all biases layer by layer. For the
    /// sheet's network this is the footnote's order `V`, `W`, `b`.
    pub fn randomize_normal<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        for p in &mut self.params {
            *p = StandardNormal.sample(rng);
        }
    }

    /// Number of inputs `n_0`.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of outputs `n_L`.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.units)
    }

    /// The layers `1 ..= L` (index `l - 1`).
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// All parameters, flat.
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// All parameters, flat, mutable.
    pub fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }

    /// Replaces all parameters.
    pub fn set_params(&mut self, params: &[f64]) -> Result<(), NetworkError> {
        if params.len() != self.params.len() {
            return Err(NetworkError::ParameterCount {
                expected: self.params.len(),
                got: params.len(),
            });
        }
        self.params.copy_from_slice(params);
        Ok(())
    }

    /// `W^l` (sheet index `l >= 1`), row-major `n_l x n_{l-1}`.
    pub fn weights(&self, l: usize) -> &[f64] {
        &self.params[self.layers[l - 1].weights_range()]
    }

    /// `W^l`, mutable.
    pub fn weights_mut(&mut self, l: usize) -> &mut [f64] {
        let r = self.layers[l - 1].weights_range();
        &mut self.params[r]
    }

    /// `b^l`, if layer `l` has a bias.
    pub fn bias(&self, l: usize) -> Option<&[f64]> {
        self.layers[l - 1].bias_range().map(|r| &self.params[r])
    }

    /// `b^l`, mutable.
    pub fn bias_mut(&mut self, l: usize) -> Option<&mut [f64]> {
        self.layers[l - 1].bias_range().map(|r| &mut self.params[r])
    }

    /// A fresh workspace for this network's forward and backward passes.
    pub fn tape(&self) -> Tape {
        Tape::new(self)
    }

    /// Forward pass for one sample; keeps every `v^l`, `z^l` and `phi'(v^l)`
    /// in `tape`. Returns `z^L`.
    ///
    /// ```text
    /// v_j^l = sum_i W_ji^l z_i^{l-1} + b_j^l,   z_j^l = phi(v_j^l)
    /// ```
    pub fn forward<'t>(&self, x: &[f64], tape: &'t mut Tape) -> &'t [f64] {
        assert_eq!(x.len(), self.inputs, "input has the wrong length");
        tape.z[0].copy_from_slice(x);
        for (idx, layer) in self.layers.iter().enumerate() {
            let l = idx + 1;
            let (below, above) = tape.z.split_at_mut(l);
            let z_prev = &below[l - 1];
            let v = &mut tape.v[l];
            let w = &self.params[layer.weights_range()];
            match layer.bias_range() {
                Some(r) => v.copy_from_slice(&self.params[r]),
                None => v.fill(0.0),
            }
            for (vj, row) in v.iter_mut().zip(w.chunks_exact(layer.inputs)) {
                *vj += dot(row, z_prev);
            }
            layer.activation.apply(v, &mut above[0], &mut tape.dphi[l]);
        }
        &tape.z[self.layers.len()]
    }

    /// Backward pass after [`forward`](Self::forward) on the same tape: fills
    /// every `delta^l` in `tape` and writes `dL/dP` for every parameter `P`
    /// into `grad` (flat layout, same as [`params`](Self::params)).
    pub fn backward(&self, target: &[f64], tape: &mut Tape, grad: &mut [f64]) {
        self.deltas(target, tape);
        self.gradient_from_deltas(tape, grad);
    }

    /// Computes every `delta^l`, from the last layer down to the first.
    pub fn deltas(&self, target: &[f64], tape: &mut Tape) {
        let big_l = self.layers.len();
        assert_eq!(target.len(), self.outputs(), "target has the wrong length");

        // Exercise 1 (a) and (d): dL/dz_k^L = -(z_k^L - z_k^*), so
        //     delta_k^L = -(z_k^L - z_k^*) * phi'(v_k^L).
        for (((d, &z), &t), &dphi) in tape.delta[big_l]
            .iter_mut()
            .zip(&tape.z[big_l])
            .zip(target)
            .zip(&tape.dphi[big_l])
        {
            *d = -(z - t) * dphi;
        }

        // Exercise 1 (b) and (e): dz_j^{l+1}/dz_k^l = phi'(v_j^{l+1}) W_jk^{l+1}, so
        //     delta_k^l = phi'(v_k^l) * sum_j delta_j^{l+1} W_jk^{l+1},
        // the same structure for every lower layer l = L-1, ..., 1.
        for l in (1..big_l).rev() {
            let upper = &self.layers[l]; // sheet layer l + 1
            let w_up = &self.params[upper.weights_range()];
            let (lo, hi) = tape.delta.split_at_mut(l + 1);
            let delta_l = &mut lo[l];
            let delta_up = &hi[0];
            delta_l.fill(0.0);
            for (&dj, row) in delta_up.iter().zip(w_up.chunks_exact(upper.inputs)) {
                axpy(dj, row, delta_l);
            }
            for (d, &dphi) in delta_l.iter_mut().zip(&tape.dphi[l]) {
                *d *= dphi;
            }
        }
    }

    /// Writes `dL/dP` into `grad` from the deltas already in `tape`.
    pub fn gradient_from_deltas(&self, tape: &Tape, grad: &mut [f64]) {
        assert_eq!(grad.len(), self.params.len(), "gradient buffer has the wrong length");
        for (idx, layer) in self.layers.iter().enumerate() {
            let l = idx + 1;
            let delta = &tape.delta[l];
            let z_prev = &tape.z[l - 1];
            // Exercise 1 (c), (d), (e): dz_j^l/dW_ki^l = phi'(v_j^l) z_i^{l-1} K_jk, so
            //     dL/dW_ki^l = delta_k^l * z_i^{l-1}.
            let g_w = &mut grad[layer.weights_range()];
            for (&dk, row) in delta.iter().zip(g_w.chunks_exact_mut(layer.inputs)) {
                for (g, &zi) in row.iter_mut().zip(z_prev) {
                    *g = dk * zi;
                }
            }
            // Exercise 1 (f): dv_j^l/db_j^l = 1, so dL/db_j^l = delta_j^l.
            if let Some(r) = layer.bias_range() {
                grad[r].copy_from_slice(delta);
            }
        }
    }

    /// `L(t) = -1/2 sum_j (z_j^L - z_j^*)^2` for one sample (never positive).
    pub fn objective(&self, x: &[f64], target: &[f64], tape: &mut Tape) -> f64 {
        -sample_cost(self.forward(x, tape), target)
    }
}

/// The cost we report for one sample: `1/2 sum_j (y_j - y*_j)^2`, that is
/// `-L(t)`; never negative.
#[inline]
pub fn sample_cost(y: &[f64], target: &[f64]) -> f64 {
    0.5 * y.iter().zip(target).map(|(&y, &t)| (y - t) * (y - t)).sum::<f64>()
}

/// Everything the forward pass computes, kept for the backward pass:
/// `z^0 .. z^L`, `v^1 .. v^L`, `phi'(v^1) .. phi'(v^L)` and
/// `delta^1 .. delta^L` (index 0 of `v`, `dphi` and `delta` is unused, so
/// that indices are the sheet's).
#[derive(Clone, Debug)]
pub struct Tape {
    /// `z^l`, `l = 0 ..= L` (`z^0` is the input).
    pub z: Vec<Vec<f64>>,
    /// `v^l`, `l = 1 ..= L`.
    pub v: Vec<Vec<f64>>,
    /// `phi'(v^l)`, `l = 1 ..= L`.
    pub dphi: Vec<Vec<f64>>,
    /// `delta^l`, `l = 1 ..= L`.
    pub delta: Vec<Vec<f64>>,
}

impl Tape {
    fn new(net: &Network) -> Self {
        let mut sizes = vec![net.inputs];
        sizes.extend(net.layers.iter().map(|l| l.units));
        let per_layer = |first: usize| -> Vec<Vec<f64>> {
            sizes
                .iter()
                .enumerate()
                .map(|(l, &n)| vec![0.0; if l == 0 { first } else { n }])
                .collect()
        };
        Tape {
            z: per_layer(net.inputs),
            v: per_layer(0),
            dphi: per_layer(0),
            delta: per_layer(0),
        }
    }
}

#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| x * y).sum()
}

#[inline(always)]
fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}
