//! The run's one random generator (docs/DESIGN.md section 2): it draws the
//! random start, if the part has one, and then the index of every sample.
//!
//! Two generators, each with a stream fixed by its definition rather than by
//! a library version: ChaCha8 (`rand_chacha`, seeded by `seed_from_u64`),
//! and NumPy's legacy MT19937 ([`NumpyRng`]), which draws exactly what the
//! course's NumPy script draws after `np.random.seed(seed)`: the start by
//! `np.random.normal(0., 1., shape)` in the order `V`, `W`, `b`, then one
//! `np.random.randint(0, N)` per iteration.

use crate::network::Network;
use crate::numpy_rng::NumpyRng;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt;

/// Which generator a run draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Generator {
    /// NumPy's legacy global generator after `np.random.seed(seed)`; seeds
    /// `0 ..= 2^32 - 1`, as NumPy takes them.
    Numpy,
    /// ChaCha8, any 64-bit seed.
    ChaCha8,
}

impl Generator {
    /// Whether the generator takes `seed`: every seed for ChaCha8, the
    /// seeds `np.random.seed` takes (`0 ..= 2^32 - 1`) for NumPy's.
    pub fn takes_seed(self, seed: u64) -> bool {
        match self {
            Generator::ChaCha8 => true,
            Generator::Numpy => u32::try_from(seed).is_ok(),
        }
    }

    /// The generator seeded with `seed`; `None` if it does not take the
    /// seed ([`Generator::takes_seed`]).
    pub fn seeded(self, seed: u64) -> Option<RunRng> {
        match self {
            Generator::ChaCha8 => Some(RunRng::ChaCha8(ChaCha8Rng::seed_from_u64(seed))),
            Generator::Numpy => u32::try_from(seed).ok().map(|s| RunRng::Numpy(NumpyRng::new(s))),
        }
    }
}

impl fmt::Display for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Generator::Numpy => "numpy",
            Generator::ChaCha8 => "chacha8",
        })
    }
}

/// A seeded generator of a run.
// MT19937's state (2.5 KB) makes the NumPy variant large; a run has one
// generator and never moves it while training, and a box would put a
// pointer chase in front of every draw.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum RunRng {
    /// ChaCha8.
    ChaCha8(ChaCha8Rng),
    /// NumPy's legacy MT19937.
    Numpy(NumpyRng),
}

impl RunRng {
    /// Draws every parameter of `net` from N(0, 1), in the flat order: all
    /// weight matrices layer by layer (row-major), then all biases. For the
    /// sheet's network this is the footnote's order: `V`, then `W`, then `b`,
    /// each as NumPy fills an array (C order).
    pub fn draw_start(&mut self, net: &mut Network) {
        match self {
            RunRng::ChaCha8(rng) => net.randomize_normal(rng),
            RunRng::Numpy(rng) => net.params_mut().iter_mut().for_each(|p| *p = rng.normal(0.0, 1.0)),
        }
    }
}

/// Where a training run takes its sample indices from.
pub trait SampleIndex {
    /// A uniform index in `0..n`.
    fn index(&mut self, n: usize) -> usize;
}

impl SampleIndex for ChaCha8Rng {
    #[inline]
    fn index(&mut self, n: usize) -> usize {
        self.random_range(0..n)
    }
}

impl SampleIndex for NumpyRng {
    /// `np.random.randint(0, n)`.
    #[inline]
    fn index(&mut self, n: usize) -> usize {
        self.randint(n)
    }
}

impl SampleIndex for RunRng {
    #[inline]
    fn index(&mut self, n: usize) -> usize {
        match self {
            RunRng::ChaCha8(rng) => rng.index(n),
            RunRng::Numpy(rng) => rng.index(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activation;

    #[test]
    fn numpy_seeds_are_those_numpy_takes() {
        assert!(Generator::Numpy.takes_seed(0) && Generator::Numpy.takes_seed(u32::MAX as u64));
        assert!(!Generator::Numpy.takes_seed(u32::MAX as u64 + 1));
        assert!(Generator::Numpy.seeded(1 << 32).is_none());
        assert!(Generator::ChaCha8.takes_seed(u64::MAX) && Generator::ChaCha8.seeded(u64::MAX).is_some());
    }

    #[test]
    fn the_start_is_drawn_in_the_flat_order() {
        // np.random.seed(0); V = normal(0, 1, (2, 1)); W = normal(0, 1, (1, 2)); b = normal(0, 1, 2)
        let mut net = Network::sheet(1, 2, 1, Activation::Sigmoid).unwrap();
        let mut rng = Generator::Numpy.seeded(0).unwrap();
        rng.draw_start(&mut net);
        let mut numpy = NumpyRng::new(0);
        let expected: Vec<f64> = (0..6).map(|_| numpy.normal(0.0, 1.0)).collect();
        assert_eq!(net.params(), &expected[..]);
        assert_eq!(net.weights(1), &expected[..2]);
        assert_eq!(net.weights(2), &expected[2..4]);
        assert_eq!(net.bias(1).unwrap(), &expected[4..]);
    }
}
