//! The training step of a 1-K-1 network (one input, one hidden layer of
//! `K` sigmoid units with biases, one output), the networks of Exercise 2c,
//! in two passes over the hidden units instead of the general step's seven.
//!
//! The general step ([`super::step`]) goes layer by layer and loop by loop:
//! `v`, the sigmoid, the output's sum, the hidden deltas and three momentum
//! updates each read and write their numbers through memory. With one input
//! and one output every hidden unit's numbers are independent of the
//! others' except for the output's sum, so here
//!
//! 1. the forward pass computes, a group of units at a time, `v_j`, the
//!    sigmoid and `phi'(v_j)` in registers, keeps `z_j` and `phi'(v_j)` on
//!    the tape for the second pass, and adds `W_j z_j` to the output's sum;
//! 2. once the output delta is known, the backward pass reads each unit's
//!    `W_j`, `V_j`, `b_j`, their momentum steps and its two tape numbers
//!    once, forms `delta_j` and writes all six numbers back.
//!
//! Groups are 8 units wide (one AVX-512 register of doubles, two AVX2, four
//! SSE2), then one of 4 and single units for the rest.
//!
//! Each number is computed by the same IEEE operations, in the same order,
//! as in the general step: the output's sum still adds `W_j z_j` for
//! `j = 0, 1, ...` one after the other (it starts from `-0`, which adds
//! exactly as starting from the first term does), so the two steps give the
//! same bits (`tests/step_props.rs`).
//!
//! # Safety
//!
//! As for the whole kernel (see its documentation); besides, the layers are
//! ones that [`fits`] accepts.

use crate::activation::Activation;
use crate::layout::Layer;
use crate::vexp;
use std::ptr;

/// Whether this step computes the network with these layers: one input,
/// a sigmoid hidden layer with biases, one output unit.
pub(super) fn fits(layers: &[Layer]) -> bool {
    matches!(layers, [hidden, out]
        if hidden.inputs == 1
            && hidden.activation == Activation::Sigmoid
            && hidden.bias_at.is_some()
            && out.units == 1)
}

/// Where the hidden units' numbers live: `V`, `b^1`, `W` and their momentum
/// steps, and `z^1` and `phi'(v^1)` on the tape.
#[derive(Clone, Copy)]
struct Columns {
    v: *mut f64,
    b: *mut f64,
    w: *mut f64,
    dv: *mut f64,
    db: *mut f64,
    dw: *mut f64,
    z: *mut f64,
    dphi: *mut f64,
}

/// `N` numbers of a column, from unit `first` on.
///
/// # Safety
///
/// The column has units `first..first + N`.
#[inline(always)]
unsafe fn read<const N: usize>(column: *mut f64, first: usize) -> [f64; N] {
    // SAFETY: by the caller.
    unsafe { ptr::read_unaligned(column.add(first) as *const [f64; N]) }
}

/// `values` into a column, from unit `first` on.
///
/// # Safety
///
/// The column has units `first..first + N`.
#[inline(always)]
unsafe fn write<const N: usize>(column: *mut f64, first: usize, values: [f64; N]) {
    // SAFETY: by the caller.
    unsafe { ptr::write_unaligned(column.add(first) as *mut [f64; N], values) }
}

impl Columns {
    /// The forward pass of units `first..first + N`: `v_j = b_j + V_j x`,
    /// `z_j = phi(v_j)` and `phi'(v_j)` onto the tape, `W_j z_j` added to
    /// `sum` in order.
    ///
    /// # Safety
    ///
    /// The units exist.
    #[inline(always)]
    unsafe fn forward<const N: usize>(self, first: usize, x0: f64, sum: &mut f64) {
        // SAFETY: by the caller.
        unsafe {
            let (v, b, w) = (
                read::<N>(self.v, first),
                read::<N>(self.b, first),
                read::<N>(self.w, first),
            );
            let (mut z, mut dphi, mut products) = ([0.0; N], [0.0; N], [0.0; N]);
            for i in 0..N {
                let (p, q) = vexp::sigmoid_pair(b[i] + v[i] * x0);
                z[i] = p;
                dphi[i] = p * q;
                products[i] = w[i] * p;
            }
            write(self.z, first, z);
            write(self.dphi, first, dphi);
            for p in products {
                *sum += p;
            }
        }
    }

    /// The backward pass of units `first..first + N` for the output delta
    /// `delta`: `delta_j = (delta W_j) phi'(v_j)` with `W_j` before its
    /// update, then the momentum rule for `W_j` (`dL/dW_j = delta z_j`),
    /// `V_j` (`delta_j x`) and `b_j` (`delta_j`).
    ///
    /// # Safety
    ///
    /// The units exist.
    #[inline(always)]
    unsafe fn backward<const N: usize>(self, first: usize, x0: f64, delta: f64, eta: f64, mu: f64) {
        // SAFETY: by the caller.
        unsafe {
            let (mut v, mut b, mut w) = (
                read::<N>(self.v, first),
                read::<N>(self.b, first),
                read::<N>(self.w, first),
            );
            let (mut dv, mut db, mut dw) = (
                read::<N>(self.dv, first),
                read::<N>(self.db, first),
                read::<N>(self.dw, first),
            );
            let (z, dphi) = (read::<N>(self.z, first), read::<N>(self.dphi, first));
            for i in 0..N {
                let delta_j = delta * w[i] * dphi[i];
                dw[i] = eta * (delta * z[i]) + mu * dw[i];
                w[i] += dw[i];
                dv[i] = eta * (delta_j * x0) + mu * dv[i];
                v[i] += dv[i];
                db[i] = eta * delta_j + mu * db[i];
                b[i] += db[i];
            }
            write(self.v, first, v);
            write(self.b, first, b);
            write(self.w, first, w);
            write(self.dv, first, dv);
            write(self.db, first, db);
            write(self.dw, first, dw);
        }
    }
}

/// The step (see the module's documentation). Returns the sample's cost
/// `1/2 (y - y*)^2` before the update.
///
/// # Safety
///
/// See the module's documentation.
#[inline(always)]
pub(super) unsafe fn step(op: super::Operands<'_>) -> f64 {
    let super::Operands {
        layers,
        params,
        velocity,
        x,
        target,
        tape,
        eta,
        mu,
    } = op;
    let [hidden, out] = layers else {
        unreachable!("the caller checked `fits`")
    };
    // Runs `$call` for groups covering units `0..$k` in order: groups of 8,
    // then one of 4, then single units. A macro, not a function taking a
    // closure: a closure is compiled apart from the copy's instruction set.
    macro_rules! in_groups {
        ($k:expr, |$first:ident, $n:ident| $call:expr) => {{
            let k = $k;
            let mut $first = 0;
            while $first + 8 <= k {
                {
                    const $n: usize = 8;
                    $call;
                }
                $first += 8;
            }
            if $first + 4 <= k {
                {
                    const $n: usize = 4;
                    $call;
                }
                $first += 4;
            }
            while $first < k {
                {
                    const $n: usize = 1;
                    $call;
                }
                $first += 1;
            }
        }};
    }
    let bias_at = hidden
        .bias_at
        .unwrap_or_else(|| unreachable!("the caller checked `fits`"));
    // SAFETY: V (k numbers), b^1 (k), W (k: one row of k inputs), their
    // momentum steps at the same offsets, the hidden layer's z and phi'
    // blocks (k each) and the output's bias (1) are the layers' own ranges;
    // x and target hold one number each; `in_groups!` stays below k.
    unsafe {
        let c = Columns {
            v: params.add(hidden.weights_at),
            b: params.add(bias_at),
            w: params.add(out.weights_at),
            dv: velocity.add(hidden.weights_at),
            db: velocity.add(bias_at),
            dw: velocity.add(out.weights_at),
            z: tape.add(hidden.z_at()),
            dphi: tape.add(hidden.dphi_at()),
        };
        let x0 = *x;
        let mut sum = -0.0;
        in_groups!(hidden.units, |first, N| c.forward::<N>(first, x0, &mut sum));
        let v_out = match out.bias_at {
            Some(at) => *params.add(at) + sum,
            None => sum,
        };
        let (y, dphi_out) = out.activation.phi_and_derivative(v_out);
        let e = y - *target;
        let delta = -e * dphi_out;
        in_groups!(hidden.units, |first, N| c.backward::<N>(first, x0, delta, eta, mu));
        if let Some(at) = out.bias_at {
            let (bo, dbo) = (params.add(at), velocity.add(at));
            *dbo = eta * delta + mu * *dbo;
            *bo += *dbo;
        }
        0.5 * (e * e)
    }
}
