//! The training step's loops, over raw pointers.
//!
//! A step of the sheet's networks is a few dozen multiplications; written
//! with slices, bounds checks and the lengths the slices carry around cost
//! as much as the arithmetic (and spill registers). So the step's loops run
//! here over raw pointers, behind one checked boundary: [`forward_checked`]
//! and [`train_step`] are safe, check once per call every length the loops rely
//! on against a [`Layout`] (whose numbers agree with each other by
//! construction) and only then enter the unsafe loops.
//!
//! The arithmetic is the sheet's step as [`Network::deltas`],
//! [`Network::gradient_from_deltas`] and the momentum rule compute it,
//! operation for operation, so the results are the same numbers (each sum
//! here starts from its first term rather than from 0, which can only change
//! the sign of a zero). Tests hold the loops to that: `tests/training.rs`
//! checks the step against those passes, `tests/step_props.rs` checks every
//! compiled copy of both steps ([`Isa`]) against a plain implementation for
//! networks of every shape, exactly, and both also run under
//! AddressSanitizer (`.ci/run`).
//!
//! To be fast on the sheet's tiny networks the step also avoids trips
//! through memory on its chain of dependent operations: an activation is
//! applied to `v_j` while it is still in a register, the output delta is
//! formed as each output is computed, and the last row of `W^{l+1}` to
//! reach `delta^l` multiplies it by `phi'(v^l)` on the way.
//!
//! The 1-K-1 networks of Exercise 2c (one input, one sigmoid hidden layer,
//! one output) take a step of their own, [`one_k_one`]: two passes over the
//! hidden units instead of seven loops, the same operations in the same
//! order. [`Runnable`] records, once per trainer, which of the two steps a
//! network takes.
//!
//! [`Network::deltas`]: crate::network::Network::deltas
//! [`Network::gradient_from_deltas`]: crate::network::Network::gradient_from_deltas
//!
//! # Safety
//!
//! Every unsafe function here requires:
//! - `layers` are the layers of a [`Layout`], so every weight and bias range
//!   they name lies inside its parameters and every tape block inside a tape
//!   of its length;
//! - `params` and `velocity` point to that many numbers each, `tape` to a
//!   tape's length, `x` to `n_0` inputs and `target` to `n_L` targets;
//! - none of these regions overlap, and nothing else reads or writes them
//!   while the function runs.

use crate::activation::Activation;
use crate::layout::{Layer, Layout};
use crate::vexp;
use std::slice;

mod one_k_one;

/// The forward pass of the network laid out as `layout` with parameters
/// `params` for input `x`: every `v^l`, `phi'(v^l)`, `z^l` into `tape`,
/// `z^0 = x` included.
///
/// # Panics
///
/// If a length does not fit the layout.
#[inline]
pub(crate) fn forward_checked(layout: &Layout, params: &[f64], x: &[f64], tape: &mut [f64]) {
    assert_eq!(x.len(), layout.inputs(), "input has the wrong length");
    assert_eq!(tape.len(), layout.tape_len(), "the tape belongs to another network");
    assert_eq!(
        params.len(),
        layout.params_len(),
        "the parameters belong to another network"
    );
    tape[..x.len()].copy_from_slice(x);
    // SAFETY: every length is checked against the layout just above, and the
    // layers are the layout's own; the slices are distinct borrows.
    unsafe { forward::<false>(layout.layers(), params.as_ptr(), x.as_ptr(), tape.as_mut_ptr()) };
}

/// One training step of the network laid out as `layout` on sample
/// `(x, target)`, by the step and in the copy `copy` names (see
/// [`step_on`]). Returns the sample's cost before the update.
///
/// # Panics
///
/// If a length does not fit the layout.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(crate) fn train_step(
    copy: Runnable,
    layout: &Layout,
    params: &mut [f64],
    velocity: &mut [f64],
    x: &[f64],
    target: &[f64],
    tape: &mut [f64],
    eta: f64,
    mu: f64,
) -> f64 {
    assert_eq!(x.len(), layout.inputs(), "input has the wrong length");
    assert_eq!(target.len(), layout.outputs(), "target has the wrong length");
    assert_eq!(tape.len(), layout.tape_len(), "the tape belongs to another network");
    assert_eq!(
        params.len(),
        layout.params_len(),
        "the parameters belong to another network"
    );
    assert_eq!(velocity.len(), params.len(), "velocity buffer has the wrong length");
    // SAFETY: every length is checked against the layout just above and the
    // layers are the layout's own; the slices are distinct borrows; `copy`
    // was checked to run on this processor when it was made.
    unsafe {
        step_on(
            copy,
            Operands {
                layers: layout.layers(),
                params: params.as_mut_ptr(),
                velocity: velocity.as_mut_ptr(),
                x: x.as_ptr(),
                target: target.as_ptr(),
                tape: tape.as_mut_ptr(),
                eta,
                mu,
            },
        )
    }
}

/// A copy of the step that this processor can run, and whether the network
/// it was chosen for has the step of its own ([`one_k_one`]): made only by
/// [`Isa::runnable`]. The step checks the second again against the layers
/// it is given; chosen once, it spares every other network that check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Runnable {
    isa: Isa,
    one_k_one: bool,
}

impl Runnable {
    /// Which copy it is.
    pub(crate) fn isa(self) -> Isa {
        self.isa
    }

    /// The same choice in the copy `isa`, if this processor can run it.
    pub(crate) fn with_isa(self, isa: Isa) -> Option<Runnable> {
        isa.available().then_some(Runnable { isa, ..self })
    }
}

/// `v^l = W^l z^{l-1} + b^l` and `z^l = phi(v^l)`, `phi'(v^l)` for every
/// layer, into the tape (see `Network::forward`); `INLINE_SIGMOID` as in
/// [`forward_layer`].
///
/// # Safety
///
/// See the module's documentation.
#[inline(always)]
unsafe fn forward<const INLINE_SIGMOID: bool>(layers: &[Layer], params: *const f64, x: *const f64, tape: *mut f64) {
    // SAFETY: each layer's input is `x` or the layer below's `z`.
    unsafe {
        for (idx, layer) in layers.iter().enumerate() {
            let z_prev = if idx == 0 {
                x
            } else {
                tape.add(layer.input_at) as *const f64
            };
            forward_layer::<INLINE_SIGMOID>(layer, z_prev, params, tape, |_, _, _| {});
        }
    }
}

/// What one training step works on: the network's layers and parameters,
/// the trainer's momentum steps and tape, the sample and the rule's `eta`
/// and `mu` (the pointers as the module's documentation requires).
#[derive(Clone, Copy)]
struct Operands<'a> {
    layers: &'a [Layer],
    params: *mut f64,
    velocity: *mut f64,
    x: *const f64,
    target: *const f64,
    tape: *mut f64,
    eta: f64,
    mu: f64,
}

/// A whole training step on sample `(x, target)`: [`forward`], with the
/// output delta (Exercise 1 (a), (d): `delta_k^L = -(z_k^L - z_k^*)
/// phi'(v_k^L)`) computed as each output is, then [`sweep_down`]. Returns
/// the sample's cost `1/2 sum_k (z_k^L - z_k^*)^2` before the update.
///
/// # Safety
///
/// See the module's documentation.
#[inline(always)]
unsafe fn step<const INLINE_SIGMOID: bool>(op: Operands<'_>) -> f64 {
    let Operands {
        layers,
        params,
        velocity,
        x,
        target,
        tape,
        eta,
        mu,
    } = op;
    // SAFETY: every block and range below is a layer's own; `target` has
    // n_L numbers.
    unsafe {
        let big_l = layers.len();
        let last = &layers[big_l - 1];
        forward::<INLINE_SIGMOID>(&layers[..big_l - 1], params, x, tape);
        let z_prev = if big_l == 1 {
            x
        } else {
            tape.add(last.input_at) as *const f64
        };
        let delta = tape.add(last.delta_at());
        let mut squares = 0.0;
        forward_layer::<INLINE_SIGMOID>(last, z_prev, params, tape, |k, z, dphi| {
            let e = z - *target.add(k);
            squares += e * e;
            *delta.add(k) = -e * dphi;
        });
        sweep_down(layers, params, velocity, x, tape, eta, mu);
        0.5 * squares
    }
}

/// One layer's forward pass from its input `z_prev`: `v^l`, `z^l` and
/// `phi'(v^l)` into its block of the tape. `each(j, z_j, phi'_j)` is called
/// for every unit once its numbers are known. With `INLINE_SIGMOID` the
/// vectorised sigmoid is compiled into the caller (for the instruction set
/// the caller is compiled for, see [`Isa`]); without, it picks its own.
///
/// Each sum starts from its first product rather than from 0: the same
/// number up to the sign of a zero (`0 + (-0) = +0`), one dependent
/// addition fewer. Sigmoid layers are computed whole (the vectorised
/// exponential, [`crate::vexp`]); the others unit by unit, without a trip
/// through memory between `v_j` and `z_j`.
#[inline(always)]
unsafe fn forward_layer<const INLINE_SIGMOID: bool>(
    layer: &Layer,
    z_prev: *const f64,
    params: *const f64,
    tape: *mut f64,
    mut each: impl FnMut(usize, f64, f64),
) {
    // SAFETY: the layer's block and ranges, and its `n_{l-1}` inputs.
    unsafe {
        let m = layer.units;
        let (v, dphi, z) = (
            tape.add(layer.v_at()),
            tape.add(layer.dphi_at()),
            tape.add(layer.z_at()),
        );
        let mut unit = |j: usize, vj: f64, zj: f64, dj: f64| {
            *v.add(j) = vj;
            *z.add(j) = zj;
            *dphi.add(j) = dj;
            each(j, zj, dj);
        };
        // Each arm names its activation, so that the loop is compiled for it.
        let phi = |act: Activation| {
            move |j: usize, vj: f64| {
                let (zj, dj) = act.phi_and_derivative(vj);
                unit(j, vj, zj, dj)
            }
        };
        match layer.activation {
            Activation::Identity => pre_activations(layer, z_prev, params, phi(Activation::Identity)),
            Activation::Relu => pre_activations(layer, z_prev, params, phi(Activation::Relu)),
            Activation::Sigmoid => {
                pre_activations(layer, z_prev, params, |j, vj| *v.add(j) = vj);
                let (v, z, dphi) = (
                    slice::from_raw_parts(v as *const f64, m),
                    slice::from_raw_parts_mut(z, m),
                    slice::from_raw_parts_mut(dphi, m),
                );
                if INLINE_SIGMOID {
                    vexp::layer_body(v, z, dphi);
                } else {
                    vexp::sigmoid_layer(v, z, dphi);
                }
                for j in 0..m {
                    each(j, z[j], dphi[j]);
                }
            }
        }
    }
}

/// `v_j^l = sum_i W_ji^l z_i^{l-1} + b_j^l` for every unit `j`, handed to
/// `out(j, v_j)`.
#[inline(always)]
unsafe fn pre_activations(layer: &Layer, z_prev: *const f64, params: *const f64, mut out: impl FnMut(usize, f64)) {
    // SAFETY: the layer's ranges, and its `n_{l-1}` inputs.
    unsafe {
        let (n, m) = (layer.inputs, layer.units);
        let w = params.add(layer.weights_at);
        let bias = layer.bias_at.map(|at| params.add(at));
        if n == 1 {
            // one input (the 2c networks): W is a column, a loop that
            // vectorises
            let z0 = *z_prev;
            match bias {
                Some(b) => {
                    for j in 0..m {
                        out(j, *b.add(j) + *w.add(j) * z0);
                    }
                }
                None => {
                    for j in 0..m {
                        out(j, *w.add(j) * z0);
                    }
                }
            }
        } else {
            for j in 0..m {
                let row = w.add(j * n);
                let mut s = *row * *z_prev;
                for i in 1..n {
                    s += *row.add(i) * *z_prev.add(i);
                }
                // v = W z + b, in that order
                out(
                    j,
                    match bias {
                        Some(b) => *b.add(j) + s,
                        None => s,
                    },
                );
            }
        }
    }
}

/// From `delta^L` (already in the tape) down: every lower `delta^l`, each
/// layer's momentum update after its weights have served `delta^{l-1}`.
#[inline(always)]
unsafe fn sweep_down(
    layers: &[Layer],
    params: *mut f64,
    velocity: *mut f64,
    x: *const f64,
    tape: *mut f64,
    eta: f64,
    mu: f64,
) {
    // SAFETY: the layers' own blocks and ranges.
    unsafe {
        for l in (1..layers.len()).rev() {
            hidden_delta_and_momentum(&layers[l - 1], &layers[l], params, velocity, tape, eta, mu);
        }
        momentum_layer(&layers[0], x, params, velocity, tape, eta, mu);
    }
}

/// Exercise 1 (b) and (e) for layer `l` (`lower`) and the momentum rule for
/// layer `l + 1` (`upper`) in one pass over `W^{l+1}`:
/// `delta_k^l = phi'(v_k^l) sum_j delta_j^{l+1} W_jk^{l+1}` with each weight
/// read before its update `dL/dW_jk^{l+1} = delta_j^{l+1} z_k^l`.
#[inline(always)]
unsafe fn hidden_delta_and_momentum(
    lower: &Layer,
    upper: &Layer,
    params: *mut f64,
    velocity: *mut f64,
    tape: *mut f64,
    eta: f64,
    mu: f64,
) {
    // SAFETY: the blocks of layers l and l + 1, and the ranges of layer l + 1.
    unsafe {
        let m = upper.units;
        let delta_up = tape.add(upper.delta_at());
        for j in 0..m {
            send_down(lower, upper, j, *delta_up.add(j), params, velocity, tape, eta, mu);
        }
        if let Some(at) = upper.bias_at {
            bias_momentum(m, delta_up, params.add(at), velocity.add(at), eta, mu);
        }
    }
}

/// Row `j` of [`hidden_delta_and_momentum`], for `delta_j^{l+1} = dj`: adds
/// its terms `dj W_jk^{l+1}` to the sums `delta_k^l` (row 0 starts them, the
/// last row multiplies them by `phi'(v_k^l)`), then updates the row with
/// `dL/dW_jk^{l+1} = dj z_k^l`. Rows go in order `j = 0, 1, ...`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn send_down(
    lower: &Layer,
    upper: &Layer,
    j: usize,
    dj: f64,
    params: *mut f64,
    velocity: *mut f64,
    tape: *mut f64,
    eta: f64,
    mu: f64,
) {
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn row<const FIRST: bool, const LAST: bool>(
        n: usize,
        dj: f64,
        w: *mut f64,
        vel: *mut f64,
        z_l: *const f64,
        dphi: *const f64,
        delta_l: *mut f64,
        eta: f64,
        mu: f64,
    ) {
        // SAFETY: n numbers at each pointer, by the caller.
        unsafe {
            for k in 0..n {
                let wk = *w.add(k);
                let d = delta_l.add(k);
                let sum = if FIRST { dj * wk } else { *d + dj * wk };
                *d = if LAST { sum * *dphi.add(k) } else { sum };
                let vk = vel.add(k);
                *vk = eta * (dj * *z_l.add(k)) + mu * *vk;
                *w.add(k) = wk + *vk;
            }
        }
    }
    // SAFETY: the blocks of layers l and l + 1, and row j < n_{l+1} of W^{l+1}.
    unsafe {
        // n_l, the units of layer l and the inputs of layer l + 1
        let (n, m) = (lower.units, upper.units);
        let (dphi, z_l, delta_l) = (
            tape.add(lower.dphi_at()),
            tape.add(lower.z_at()),
            tape.add(lower.delta_at()),
        );
        let at = upper.weights_at + j * n;
        let (w, vel) = (params.add(at), velocity.add(at));
        match (j == 0, j + 1 == m) {
            (true, true) => row::<true, true>(n, dj, w, vel, z_l, dphi, delta_l, eta, mu),
            (true, false) => row::<true, false>(n, dj, w, vel, z_l, dphi, delta_l, eta, mu),
            (false, false) => row::<false, false>(n, dj, w, vel, z_l, dphi, delta_l, eta, mu),
            (false, true) => row::<false, true>(n, dj, w, vel, z_l, dphi, delta_l, eta, mu),
        }
    }
}

/// The momentum rule for layer 1, whose input is `x`:
/// `dL/dW_ki^1 = delta_k^1 x_i` (Exercise 1 (c), (d), (e)) and
/// `dL/db_k^1 = delta_k^1` (Exercise 1 (f)).
#[inline(always)]
unsafe fn momentum_layer(
    layer: &Layer,
    x: *const f64,
    params: *mut f64,
    velocity: *mut f64,
    tape: *const f64,
    eta: f64,
    mu: f64,
) {
    // SAFETY: layer 1's block and ranges, and n_0 inputs.
    unsafe {
        let (n, m) = (layer.inputs, layer.units);
        let delta = tape.add(layer.delta_at());
        let (w, vel) = (params.add(layer.weights_at), velocity.add(layer.weights_at));
        if n == 1 {
            // one input (the 2c networks): W is a column, one flat loop
            let x0 = *x;
            for k in 0..m {
                let vk = vel.add(k);
                *vk = eta * (*delta.add(k) * x0) + mu * *vk;
                *w.add(k) += *vk;
            }
        } else {
            for k in 0..m {
                let dk = *delta.add(k);
                let (row, vrow) = (w.add(k * n), vel.add(k * n));
                for i in 0..n {
                    let vi = vrow.add(i);
                    *vi = eta * (dk * *x.add(i)) + mu * *vi;
                    *row.add(i) += *vi;
                }
            }
        }
        if let Some(at) = layer.bias_at {
            bias_momentum(m, delta, params.add(at), velocity.add(at), eta, mu);
        }
    }
}

/// `db_k <- eta delta_k + mu db_k; b_k <- b_k + db_k` for `m` units.
#[inline(always)]
unsafe fn bias_momentum(m: usize, delta: *const f64, b: *mut f64, vel: *mut f64, eta: f64, mu: f64) {
    // SAFETY: m numbers at each pointer, by the caller.
    unsafe {
        for k in 0..m {
            let vk = vel.add(k);
            *vk = eta * *delta.add(k) + mu * *vk;
            *b.add(k) += *vk;
        }
    }
}

/// The instruction sets the training step is compiled for, each a copy of
/// the same code: its loops, and the sigmoid's exponential, vectorise to the
/// widest registers the copy may use. Every copy does the same IEEE
/// operations in the same order (Rust never contracts a product and a sum
/// into a fused multiply-add; the exponential's `mul_add` are fused in
/// every copy), so all give the same bits (`tests/step_props.rs` checks it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// What the target guarantees (SSE2 on x86-64); the sigmoid still picks
    /// its own instruction set, layer by layer.
    Baseline,
    /// AVX2 and FMA (x86-64).
    Avx2,
    /// AVX-512F and FMA (x86-64).
    Avx512,
}

impl Isa {
    /// Every copy, whether or not this processor can run it.
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// The copy as one the kernel may run for a network with these layers,
    /// if this processor can.
    pub(crate) fn runnable(self, layers: &[Layer]) -> Option<Runnable> {
        self.available().then_some(Runnable {
            isa: self,
            one_k_one: one_k_one::fits(layers),
        })
    }

    /// Whether this processor can run the copy.
    pub fn available(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The copy that runs fastest for a network with these layers, on this
    /// processor, by `cargo bench -p mlp --bench step`: vector registers
    /// pay from a layer of 4 units on (one AVX2 register of doubles; below,
    /// the scalar copy's shorter loops win), AVX-512 for sigmoid layers of
    /// 16 units or more (their exponentials fill the wider registers; the
    /// other loops do not gain from them).
    pub fn best_for(layers: &[Layer]) -> Isa {
        let widest = layers.iter().map(|l| l.units).max().unwrap_or(0);
        let widest_sigmoid = layers
            .iter()
            .filter(|l| l.activation == Activation::Sigmoid)
            .map(|l| l.units)
            .max()
            .unwrap_or(0);
        if widest_sigmoid >= 16 && Isa::Avx512.available() {
            Isa::Avx512
        } else if widest >= 4 && Isa::Avx2.available() {
            Isa::Avx2
        } else {
            Isa::Baseline
        }
    }

    /// Its name, as the benchmark prints it.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }
}

/// The step in the copy `copy` names: [`one_k_one::step`] for the networks
/// it [`fits`](one_k_one::fits), else [`step`].
///
/// # Safety
///
/// See the module's documentation; besides, the processor must have the
/// copy's instruction set ([`Isa::available`]).
#[inline(always)]
unsafe fn step_on(copy: Runnable, op: Operands<'_>) -> f64 {
    // SAFETY: passed on from the caller; `one_k_one::step` only gets the
    // layers it fits.
    unsafe {
        if copy.one_k_one && one_k_one::fits(op.layers) {
            let Operands {
                layers,
                params,
                velocity,
                x,
                target,
                tape,
                eta,
                mu,
            } = op;
            one_k_one_on(copy.isa, layers, params, velocity, x, target, tape, eta, mu)
        } else {
            general_on(copy.isa, op)
        }
    }
}

/// A copy of a step compiled for more than the target guarantees. It takes
/// the operands one by one, in registers: passed whole, they would go
/// through memory on every step.
macro_rules! copy_for {
    ($name:ident, $features:literal, $step:expr) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $name(
            layers: &[Layer],
            params: *mut f64,
            velocity: *mut f64,
            x: *const f64,
            target: *const f64,
            tape: *mut f64,
            eta: f64,
            mu: f64,
        ) -> f64 {
            let op = Operands {
                layers,
                params,
                velocity,
                x,
                target,
                tape,
                eta,
                mu,
            };
            // SAFETY: passed on from the caller of `step_on`.
            unsafe { $step(op) }
        }
    };
}

/// Runs `$plain(op)` or the copy of the processor's instruction set `$isa`
/// (see [`Isa`]).
macro_rules! dispatch {
    ($isa:expr, $op:expr, $plain:expr, $avx2:ident, $avx512:ident) => {{
        let op: Operands<'_> = $op;
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
        let Operands {
            layers,
            params,
            velocity,
            x,
            target,
            tape,
            eta,
            mu,
        } = op;
        match $isa {
            Isa::Baseline => $plain(op),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => $avx2(layers, params, velocity, x, target, tape, eta, mu),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => $avx512(layers, params, velocity, x, target, tape, eta, mu),
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!("no such instruction set on this target"),
        }
    }};
}

/// [`step`] in the copy for `isa`.
///
/// # Safety
///
/// As for [`step_on`].
#[inline(always)]
unsafe fn general_on(isa: Isa, op: Operands<'_>) -> f64 {
    copy_for!(step_avx2, "avx2,fma", step::<true>);
    copy_for!(step_avx512, "avx512f,fma", step::<true>);
    // SAFETY: passed on from the caller, who also vouches for `isa`.
    unsafe { dispatch!(isa, op, step::<false>, step_avx2, step_avx512) }
}

/// [`one_k_one::step`] in the copy for `isa`. A function of its own, out of
/// the way (`cold`), that takes the operands one by one: compiled into
/// [`step_on`], or given them whole, it made every caller of the general
/// step build them in memory on every step, and the XOR network's step a
/// tenth slower. A 1-K-1 step is long enough not to feel the call.
///
/// # Safety
///
/// As for [`step_on`]; besides, `one_k_one::fits(layers)`.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn one_k_one_on(
    isa: Isa,
    layers: &[Layer],
    params: *mut f64,
    velocity: *mut f64,
    x: *const f64,
    target: *const f64,
    tape: *mut f64,
    eta: f64,
    mu: f64,
) -> f64 {
    let op = Operands {
        layers,
        params,
        velocity,
        x,
        target,
        tape,
        eta,
        mu,
    };
    copy_for!(one_k_one_avx2, "avx2,fma", one_k_one::step);
    copy_for!(one_k_one_avx512, "avx512f,fma", one_k_one::step);
    // SAFETY: passed on from the caller, who also vouches for `isa` and the
    // layers.
    unsafe { dispatch!(isa, op, one_k_one::step, one_k_one_avx2, one_k_one_avx512) }
}
