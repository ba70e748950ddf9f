//! Where every number of a network lives: each layer's place in the flat
//! parameter vector and in the tape.
//!
//! Parameters are laid out as `[W^1, W^2, ..., W^L, b^1, ..., b^L]` (each
//! `W^l` row-major, `n_l x n_{l-1}`; biases only for layers that have one),
//! which is also the order of the sheet's random start (`V`, then `W`, then
//! `b`). The gradient and the momentum buffers share that layout.
//!
//! The tape holds `z^0` (the input), then one block per layer,
//!
//! ```text
//! [ v^l | phi'(v^l) | z^l | delta^l ]      each n_l numbers
//! ```
//!
//! This module is the only place that knows the order of the block: both
//! the checked passes (`network.rs`) and the raw-pointer kernel
//! (`kernel.rs`) ask a [`Layer`] for its offsets.

use crate::activation::Activation;
use std::ops::Range;

/// The shape of one layer, as given by the user of the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LayerSpec {
    /// Number of units in this layer (`n_l`).
    pub units: usize,
    /// Its nonlinearity `phi_l`.
    pub activation: Activation,
    /// Whether it has a bias `b^l`.
    pub bias: bool,
}

/// One layer's place in the flat parameter vector and in the tape.
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
    /// Where this layer's block starts in the tape.
    pub tape_at: usize,
    /// Where its input `z^{l-1}` starts in the tape.
    pub input_at: usize,
}

/// The parts of a layer's block of the tape, in their order.
const V: usize = 0;
const DPHI: usize = 1;
const Z: usize = 2;
const DELTA: usize = 3;
/// Parts in a block.
const PARTS: usize = 4;

impl Layer {
    /// The range of `W^l` in the flat parameter vector.
    #[inline(always)]
    pub fn weights_range(&self) -> Range<usize> {
        self.weights_at..self.weights_at + self.units * self.inputs
    }

    /// The range of `b^l` in the flat parameter vector, if any.
    #[inline(always)]
    pub fn bias_range(&self) -> Option<Range<usize>> {
        self.bias_at.map(|at| at..at + self.units)
    }

    /// Where `v^l` starts in the tape.
    #[inline(always)]
    pub fn v_at(&self) -> usize {
        self.tape_at + V * self.units
    }

    /// Where `phi'(v^l)` starts in the tape.
    #[inline(always)]
    pub fn dphi_at(&self) -> usize {
        self.tape_at + DPHI * self.units
    }

    /// Where `z^l` starts in the tape.
    #[inline(always)]
    pub fn z_at(&self) -> usize {
        self.tape_at + Z * self.units
    }

    /// Where `delta^l` starts in the tape.
    #[inline(always)]
    pub fn delta_at(&self) -> usize {
        self.tape_at + DELTA * self.units
    }

    /// Length of this layer's block of the tape.
    #[inline(always)]
    pub fn block_len(&self) -> usize {
        PARTS * self.units
    }

    /// This layer's block of a tape, split into
    /// `(v^l, phi'(v^l), z^l, delta^l)`; `block` starts at the block.
    #[inline(always)]
    #[allow(clippy::type_complexity)]
    pub(crate) fn split_block<'a>(
        &self,
        block: &'a mut [f64],
    ) -> (&'a mut [f64], &'a mut [f64], &'a mut [f64], &'a mut [f64]) {
        let m = self.units;
        let (v, rest) = block[..self.block_len()].split_at_mut(m);
        let (dphi, rest) = rest.split_at_mut(m);
        let (z, delta) = rest.split_at_mut(m);
        (v, dphi, z, delta)
    }
}

/// Why a shape has no layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// No inputs, no layers, or a layer without units.
    #[error("a network needs at least one input, at least one layer and no layer without units")]
    Empty,
    /// Its parameters or its tape would not fit in memory's address space.
    #[error("a network of this shape has more parameters or tape than a vector can hold")]
    TooLarge,
}

/// Where every number of a network lives: its layers' places in the
/// parameters and in the tape, and the lengths of both. Made only by
/// [`Layout::new`], so its numbers always agree with each other; the kernel
/// relies on that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    inputs: usize,
    outputs: usize,
    layers: Vec<Layer>,
    params_len: usize,
    tape_len: usize,
}

impl Layout {
    /// The layout of a network with `inputs` inputs and the layers `specs`.
    ///
    /// Every offset is computed with checked arithmetic: the kernel reads
    /// through raw pointers at these offsets, so a shape whose parameters or
    /// tape would not fit in `usize` is refused here rather than wrapped.
    pub fn new(inputs: usize, specs: &[LayerSpec]) -> Result<Layout, LayoutError> {
        if inputs == 0 || specs.is_empty() || specs.iter().any(|s| s.units == 0) {
            return Err(LayoutError::Empty);
        }
        let too_large = || LayoutError::TooLarge;
        let mut layers = Vec::with_capacity(specs.len());
        let mut at: usize = 0;
        let mut prev = inputs;
        // z^0 first, then the blocks.
        let (mut tape_at, mut input_at) = (inputs, 0);
        for s in specs {
            let block_len = s.units.checked_mul(PARTS).ok_or_else(too_large)?;
            let layer = Layer {
                inputs: prev,
                units: s.units,
                activation: s.activation,
                weights_at: at,
                bias_at: None,
                tape_at,
                input_at,
            };
            at = s
                .units
                .checked_mul(prev)
                .and_then(|w| at.checked_add(w))
                .ok_or_else(too_large)?;
            prev = s.units;
            tape_at = tape_at.checked_add(block_len).ok_or_else(too_large)?;
            // Below tape_at + block_len, which did not overflow.
            input_at = layer.z_at();
            layers.push(layer);
        }
        for (layer, s) in layers.iter_mut().zip(specs) {
            if s.bias {
                layer.bias_at = Some(at);
                at = at.checked_add(s.units).ok_or_else(too_large)?;
            }
        }
        // Both buffers are Vec<f64>, whose byte length must fit in isize.
        let max_len = isize::MAX as usize / std::mem::size_of::<f64>();
        if at > max_len || tape_at > max_len {
            return Err(LayoutError::TooLarge);
        }
        Ok(Layout {
            inputs,
            outputs: prev,
            layers,
            params_len: at,
            tape_len: tape_at,
        })
    }

    /// `n_0`, the number of inputs.
    #[inline(always)]
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// `n_L`, the number of outputs.
    #[inline(always)]
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The layers `1 ..= L` (index `l - 1`); never empty.
    #[inline(always)]
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Layer `L`.
    #[inline(always)]
    pub fn last(&self) -> &Layer {
        &self.layers[self.layers.len() - 1]
    }

    /// Number of parameters.
    #[inline(always)]
    pub fn params_len(&self) -> usize {
        self.params_len
    }

    /// Length of a tape.
    #[inline(always)]
    pub fn tape_len(&self) -> usize {
        self.tape_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_follow_each_other_and_parts_fill_them() {
        let spec = |units, bias| LayerSpec {
            units,
            activation: Activation::Sigmoid,
            bias,
        };
        let layout = Layout::new(3, &[spec(4, true), spec(2, false), spec(5, true)]).unwrap();
        let (layers, params, tape) = (layout.layers(), layout.params_len(), layout.tape_len());
        // parameters: W^1 (4x3), W^2 (2x4), W^3 (5x2), then b^1 (4), b^3 (5)
        assert_eq!(
            layers.iter().map(|l| l.weights_range()).collect::<Vec<_>>(),
            [0..12, 12..20, 20..30]
        );
        assert_eq!(layers[0].bias_range(), Some(30..34));
        assert_eq!(layers[1].bias_range(), None);
        assert_eq!(layers[2].bias_range(), Some(34..39));
        assert_eq!(params, 39);
        // tape: z^0 (3), then blocks of 4 * n_l
        assert_eq!(layers.iter().map(|l| l.tape_at).collect::<Vec<_>>(), [3, 19, 27]);
        assert_eq!(tape, 27 + 20);
        for l in layers {
            assert_eq!(
                [l.v_at(), l.dphi_at(), l.z_at(), l.delta_at(), l.tape_at + l.block_len()],
                [0, 1, 2, 3, 4].map(|p| l.tape_at + p * l.units)
            );
        }
        // each layer reads the z of the one below; layer 1 reads z^0
        assert_eq!(layers[0].input_at, 0);
        assert_eq!(layers[1].input_at, layers[0].z_at());
        assert_eq!(layers[2].input_at, layers[1].z_at());
        assert_eq!(Layout::new(0, &[spec(1, true)]), Err(LayoutError::Empty));
        assert_eq!(Layout::new(1, &[]), Err(LayoutError::Empty));
        assert_eq!(Layout::new(1, &[spec(0, true)]), Err(LayoutError::Empty));
    }

    #[test]
    fn shapes_whose_offsets_overflow_are_refused() {
        let spec = |units, bias| LayerSpec {
            units,
            activation: Activation::Identity,
            bias,
        };
        let huge = usize::MAX / 2 + 1;
        // units * inputs overflows
        assert_eq!(Layout::new(huge, &[spec(2, false)]), Err(LayoutError::TooLarge));
        // 4 * units overflows
        assert_eq!(Layout::new(1, &[spec(huge, false)]), Err(LayoutError::TooLarge));
        // every product fits, their sum does not: 2^63 + 2^63
        assert_eq!(
            Layout::new(1 << 40, &[spec(1 << 23, false), spec(1 << 40, false)]),
            Err(LayoutError::TooLarge)
        );
        // fits in usize, but not in a Vec<f64>
        let big = isize::MAX as usize / 8 + 1;
        assert_eq!(Layout::new(big, &[spec(1, false)]), Err(LayoutError::TooLarge));
        // the parameters fit in a Vec<f64>, the tape (4 numbers a unit) does not
        let quarter = big / 4 + 1;
        assert_eq!(Layout::new(1, &[spec(quarter, true)]), Err(LayoutError::TooLarge));
    }
}
