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
use crate::kernel::{self, Isa, Operands};
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
    /// Where this layer's block `[v^l | phi'(v^l) | z^l | delta^l]` starts in
    /// a [`Tape`]'s buffer.
    pub tape_at: usize,
    /// Where its input `z^{l-1}` starts in a [`Tape`]'s buffer.
    pub input_at: usize,
}

impl Layer {
    /// The range of `W^l` in the flat parameter vector.
    #[inline(always)]
    pub fn weights_range(&self) -> std::ops::Range<usize> {
        self.weights_at..self.weights_at + self.units * self.inputs
    }

    /// The range of `b^l` in the flat parameter vector, if any.
    #[inline(always)]
    pub fn bias_range(&self) -> Option<std::ops::Range<usize>> {
        self.bias_at.map(|at| at..at + self.units)
    }

    /// Where `z^l` starts in a [`Tape`]'s buffer.
    fn z_at(&self) -> usize {
        self.tape_at + 2 * self.units
    }

    /// This layer's block of a tape's buffer, split into
    /// `(v^l, phi'(v^l), z^l, delta^l)`; `buf` starts at the block.
    #[inline(always)]
    fn block<'a>(&self, buf: &'a mut [f64]) -> (&'a mut [f64], &'a mut [f64], &'a mut [f64], &'a mut [f64]) {
        let m = self.units;
        let (v, rest) = buf[..4 * m].split_at_mut(m);
        let (dphi, rest) = rest.split_at_mut(m);
        let (z, delta) = rest.split_at_mut(m);
        (v, dphi, z, delta)
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
    /// Length of a [`Tape`]'s buffer for this network.
    tape_len: usize,
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
        // The tape: z^0, then one block [v | phi'(v) | z | delta] per layer.
        let (mut tape_at, mut input_at) = (inputs, 0);
        for s in specs {
            layers.push(Layer {
                inputs: prev,
                units: s.units,
                activation: s.activation,
                weights_at: at,
                bias_at: None,
                tape_at,
                input_at,
            });
            at += s.units * prev;
            prev = s.units;
            input_at = tape_at + 2 * s.units;
            tape_at += 4 * s.units;
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
            tape_len: tape_at,
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
    ///
    /// The loops are those of the training step (`kernel.rs`).
    pub fn forward<'t>(&self, x: &[f64], tape: &'t mut Tape) -> &'t [f64] {
        assert_eq!(x.len(), self.inputs, "input has the wrong length");
        assert_eq!(tape.buf.len(), self.tape_len, "the tape belongs to another network");
        tape.buf[..self.inputs].copy_from_slice(x);
        // SAFETY: the lengths of the input and of the tape are checked above;
        // the layers are this network's.
        unsafe { kernel::forward::<false>(&self.layers, self.params.as_ptr(), x.as_ptr(), tape.buf.as_mut_ptr()) };
        let last = self.layers.last().expect("a network has layers");
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
        isa: Isa,
        x: &[f64],
        target: &[f64],
        tape: &mut Tape,
        velocity: &mut [f64],
        eta: f64,
        mu: f64,
    ) -> f64 {
        self.check_step(x, target, tape, velocity);
        let params = self.params.as_mut_ptr();
        // SAFETY: every length the kernel relies on is checked just above;
        // the layers are this network's and the buffers are distinct.
        unsafe {
            kernel::step_on(
                isa,
                Operands {
                    layers: &self.layers,
                    params,
                    velocity: velocity.as_mut_ptr(),
                    x: x.as_ptr(),
                    target: target.as_ptr(),
                    tape: tape.buf.as_mut_ptr(),
                    eta,
                    mu,
                },
            )
        }
    }

    /// The lengths a training step relies on.
    #[inline(always)]
    fn check_step(&self, x: &[f64], target: &[f64], tape: &Tape, velocity: &[f64]) {
        assert_eq!(x.len(), self.inputs, "input has the wrong length");
        assert_eq!(target.len(), self.outputs(), "target has the wrong length");
        assert_eq!(tape.buf.len(), self.tape_len, "the tape belongs to another network");
        assert_eq!(
            velocity.len(),
            self.params.len(),
            "velocity buffer has the wrong length"
        );
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
        assert_eq!(tape.buf.len(), self.tape_len, "the tape belongs to another network");
        let big_l = self.layers.len();
        output_delta(&mut tape.buf, &self.layers[big_l - 1], target);
        for l in (1..big_l).rev() {
            hidden_delta(&mut tape.buf, &self.layers[l - 1], &self.layers[l], &self.params);
        }
    }

    /// Writes `dL/dP` into `grad` from the deltas already in `tape`.
    pub fn gradient_from_deltas(&self, tape: &Tape, grad: &mut [f64]) {
        assert_eq!(grad.len(), self.params.len(), "gradient buffer has the wrong length");
        for (idx, layer) in self.layers.iter().enumerate() {
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
/// `delta^1 .. delta^L`, in one buffer laid out as `z^0`, then a block
/// `[v^l | phi'(v^l) | z^l | delta^l]` for each layer (each [`Layer`] knows
/// where its block is). Indices of the accessors are the sheet's.
#[derive(Clone, Debug)]
pub struct Tape {
    buf: Vec<f64>,
    /// `(start of the block, units)` for `l = 0 ..= L` (block 0 is `z^0`).
    blocks: Vec<(usize, usize)>,
}

impl Tape {
    fn new(net: &Network) -> Self {
        let mut blocks = vec![(0, net.inputs)];
        blocks.extend(net.layers.iter().map(|l| (l.tape_at, l.units)));
        Tape {
            buf: vec![0.0; net.tape_len],
            blocks,
        }
    }

    fn part(&self, l: usize, which: usize) -> &[f64] {
        let (at, n) = self.blocks[l];
        if l == 0 {
            return if which == 2 { &self.buf[..n] } else { &[] };
        }
        &self.buf[at + which * n..at + (which + 1) * n]
    }

    /// `z^l`, `l = 0 ..= L` (`z^0` is the input of the last
    /// [`Network::forward`]).
    pub fn z(&self, l: usize) -> &[f64] {
        self.part(l, 2)
    }

    /// `v^l`, `l = 1 ..= L` (empty for `l = 0`).
    pub fn v(&self, l: usize) -> &[f64] {
        self.part(l, 0)
    }

    /// `phi'(v^l)`, `l = 1 ..= L` (empty for `l = 0`).
    pub fn dphi(&self, l: usize) -> &[f64] {
        self.part(l, 1)
    }

    /// `delta^l`, `l = 1 ..= L` (empty for `l = 0`).
    pub fn delta(&self, l: usize) -> &[f64] {
        self.part(l, 3)
    }
}

/// Exercise 1 (a) and (d): `dL/dz_k^L = -(z_k^L - z_k^*)`, so
/// `delta_k^L = -(z_k^L - z_k^*) * phi'(v_k^L)`. Returns the sample's cost
/// `1/2 sum_k (z_k^L - z_k^*)^2`, computed on the way exactly as
/// [`sample_cost`] does. `last` is layer `L`.
#[inline(always)]
fn output_delta(buf: &mut [f64], last: &Layer, target: &[f64]) -> f64 {
    let m = last.units;
    let (_, dphi, z, delta) = last.block(&mut buf[last.tape_at..]);
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
    let (_, dphi, _, delta) = lower.block(&mut lo[lower.tape_at..]);
    let (_, _, _, delta_up) = upper.block(hi);
    let n = upper.inputs;
    for (k, (d, &dphi)) in delta.iter_mut().zip(&*dphi).enumerate() {
        let mut sum = 0.0;
        for (j, &dj) in delta_up.iter().enumerate() {
            sum += dj * w_up[j * n + k];
        }
        *d = dphi * sum;
    }
}
