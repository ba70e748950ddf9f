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
//! Where each number lives, in the parameters and in the [`Tape`], is the
//! business of [`crate::layout`].

use crate::activation::Activation;
use crate::kernel::{self, Runnable};
pub use crate::layout::{Layer, LayerSpec, Layout, LayoutError};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Errors in a network's shape or parameters.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NetworkError {
    /// The shape has no layout: it is empty, or too large to address.
    #[error(transparent)]
    Shape(#[from] LayoutError),
    /// The parameter vector does not fit the shape.
    #[error("expected {expected} parameters for this shape, got {got}")]
    ParameterCount { expected: usize, got: usize },
}

/// A multi-layer perceptron: its shape and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    layout: Layout,
    params: Vec<f64>,
}

impl Network {
    /// A network with `inputs` inputs and the given layers, all parameters 0.
    pub fn new(inputs: usize, specs: &[LayerSpec]) -> Result<Self, NetworkError> {
        let layout = Layout::new(inputs, specs)?;
        Ok(Network {
            params: vec![0.0; layout.params_len()],
            layout,
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
        self.layout.inputs()
    }

    /// Number of outputs `n_L`.
    pub fn outputs(&self) -> usize {
        self.layout.outputs()
    }

    /// The layers `1 ..= L` (index `l - 1`).
    pub fn layers(&self) -> &[Layer] {
        self.layout.layers()
    }

    /// Where each parameter and each number of a tape lives.
    pub fn layout(&self) -> &Layout {
        &self.layout
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
        &self.params[self.layout.layers()[l - 1].weights_range()]
    }

    /// `W^l`, mutable.
    pub fn weights_mut(&mut self, l: usize) -> &mut [f64] {
        let r = self.layout.layers()[l - 1].weights_range();
        &mut self.params[r]
    }

    /// `b^l`, if layer `l` has a bias.
    pub fn bias(&self, l: usize) -> Option<&[f64]> {
        self.layout.layers()[l - 1].bias_range().map(|r| &self.params[r])
    }

    /// `b^l`, mutable.
    pub fn bias_mut(&mut self, l: usize) -> Option<&mut [f64]> {
        self.layout.layers()[l - 1].bias_range().map(|r| &mut self.params[r])
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
    ///
    /// The loops are those of the training step (`kernel.rs`).
    pub fn forward<'t>(&self, x: &[f64], tape: &'t mut Tape) -> &'t [f64] {
        kernel::forward_checked(&self.layout, &self.params, x, &mut tape.buf);
        let last = self.layout.last();
        &tape.buf[last.z_at()..last.z_at() + last.units]
    }

    /// One training step on sample `(x, target)`: the forward pass (without
    /// storing `z^0`: the step reads its input from `x`), then `delta^L`, then
    /// down the layers each `delta^l` from `W^{l+1}` *before* the momentum
    /// rule `dP <- eta dL/dP + mu dP; P <- P + dP` updates layer `l + 1`, and
    /// finally layer 1. The same numbers as [`forward`](Self::forward),
    /// [`deltas`](Self::deltas) and
    /// [`gradient_from_deltas`](Self::gradient_from_deltas) followed by the
    /// rule, in one sweep and without a gradient buffer. Returns the sample's
    /// cost `1/2 sum (y - y*)^2` before the update.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn train_step(
        &mut self,
        copy: Runnable,
        x: &[f64],
        target: &[f64],
        tape: &mut Tape,
        velocity: &mut [f64],
        eta: f64,
        mu: f64,
    ) -> f64 {
        kernel::train_step(
            copy,
            &self.layout,
            &mut self.params,
            velocity,
            x,
            target,
            &mut tape.buf,
            eta,
            mu,
        )
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
        assert_eq!(target.len(), self.outputs(), "target has the wrong length");
        assert_eq!(
            tape.buf.len(),
            self.layout.tape_len(),
            "the tape belongs to another network"
        );
        let layers = self.layout.layers();
        output_delta(&mut tape.buf, self.layout.last(), target);
        for l in (1..layers.len()).rev() {
            hidden_delta(&mut tape.buf, &layers[l - 1], &layers[l], &self.params);
        }
    }

    /// Writes `dL/dP` into `grad` from the deltas already in `tape`.
    pub fn gradient_from_deltas(&self, tape: &Tape, grad: &mut [f64]) {
        assert_eq!(grad.len(), self.params.len(), "gradient buffer has the wrong length");
        for (idx, layer) in self.layout.layers().iter().enumerate() {
            let l = idx + 1;
            let (delta, z_prev) = (tape.delta(l), tape.z(l - 1));
            let n = layer.inputs;
            // Exercise 1 (c), (d), (e): dz_j^l/dW_ki^l = phi'(v_j^l) z_i^{l-1} K_jk, so
            //     dL/dW_ki^l = delta_k^l * z_i^{l-1}.
            let g_w = &mut grad[layer.weights_range()];
            for (k, &dk) in delta.iter().enumerate() {
                for (g, &zi) in g_w[k * n..k * n + n].iter_mut().zip(z_prev) {
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
/// `delta^1 .. delta^L`, in one buffer laid out as [`crate::layout`] says.
/// Indices of the accessors are the sheet's.
#[derive(Clone, Debug)]
pub struct Tape {
    buf: Vec<f64>,
    /// The network's layout, for the offsets.
    layout: Layout,
}

impl Tape {
    fn new(net: &Network) -> Self {
        Tape {
            buf: vec![0.0; net.layout.tape_len()],
            layout: net.layout.clone(),
        }
    }

    /// `units` numbers from `at`, of layer `l`; `None` for `l = 0`.
    fn part(&self, l: usize, at: impl Fn(&Layer) -> usize) -> &[f64] {
        match l {
            0 => &[],
            _ => {
                let layer = &self.layout.layers()[l - 1];
                &self.buf[at(layer)..at(layer) + layer.units]
            }
        }
    }

    /// `z^l`, `l = 0 ..= L` (`z^0` is the input of the last
    /// [`Network::forward`]).
    pub fn z(&self, l: usize) -> &[f64] {
        match l {
            0 => &self.buf[..self.layout.inputs()],
            _ => self.part(l, Layer::z_at),
        }
    }

    /// `v^l`, `l = 1 ..= L` (empty for `l = 0`).
    pub fn v(&self, l: usize) -> &[f64] {
        self.part(l, Layer::v_at)
    }

    /// `phi'(v^l)`, `l = 1 ..= L` (empty for `l = 0`).
    pub fn dphi(&self, l: usize) -> &[f64] {
        self.part(l, Layer::dphi_at)
    }

    /// `delta^l`, `l = 1 ..= L` (empty for `l = 0`).
    pub fn delta(&self, l: usize) -> &[f64] {
        self.part(l, Layer::delta_at)
    }
}

/// Exercise 1 (a) and (d): `dL/dz_k^L = -(z_k^L - z_k^*)`, so
/// `delta_k^L = -(z_k^L - z_k^*) * phi'(v_k^L)`. Returns the sample's cost
/// `1/2 sum_k (z_k^L - z_k^*)^2`, computed on the way exactly as
/// [`sample_cost`] does. `last` is layer `L`.
#[inline(always)]
fn output_delta(buf: &mut [f64], last: &Layer, target: &[f64]) -> f64 {
    let m = last.units;
    let (_, dphi, z, delta) = last.split_block(&mut buf[last.tape_at..]);
    let (dphi, z, delta, target) = (&dphi[..m], &z[..m], &mut delta[..m], &target[..m]);
    let mut squares = 0.0;
    for k in 0..m {
        let e = z[k] - target[k];
        squares += e * e;
        delta[k] = -e * dphi[k];
    }
    0.5 * squares
}

/// Exercise 1 (b) and (e): `dz_j^{l+1}/dz_k^l = phi'(v_j^{l+1}) W_jk^{l+1}`,
/// so `delta_k^l = phi'(v_k^l) * sum_j delta_j^{l+1} W_jk^{l+1}`, the same
/// structure for every lower layer. `lower` is layer `l`, `upper` `l + 1`.
#[inline(always)]
fn hidden_delta(buf: &mut [f64], lower: &Layer, upper: &Layer, params: &[f64]) {
    let w_up = &params[upper.weights_range()];
    let (lo, hi) = buf.split_at_mut(upper.tape_at);
    let (_, dphi, _, delta) = lower.split_block(&mut lo[lower.tape_at..]);
    let (_, _, _, delta_up) = upper.split_block(hi);
    let n = upper.inputs;
    for (k, (d, &dphi)) in delta.iter_mut().zip(&*dphi).enumerate() {
        let mut sum = 0.0;
        for (j, &dj) in delta_up.iter().enumerate() {
            sum += dj * w_up[j * n + k];
        }
        *d = dphi * sum;
    }
}
