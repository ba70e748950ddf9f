//! NumPy's legacy global generator, bit for bit.
//!
//! A Python script that calls `np.random.seed(s)` and then draws with
//! `np.random.normal` and `np.random.randint` uses NumPy's legacy
//! `RandomState`: the 32-bit Mersenne Twister MT19937 plus the "legacy"
//! samplers that NumPy keeps frozen for reproducibility. [`NumpyRng`]
//! reproduces that stream exactly, so a run of ours can start from the very
//! weights and visit the very samples that the course's NumPy script does.
//!
//! What each piece copies (function names from NumPy's `numpy/random/src`):
//!
//! - seeding: `_legacy_seeding` with an integer seed calls `mt19937_seed`,
//!   which is the reference `init_genrand`; the generator itself is
//!   [`rand_mt::Mt`], the same MT19937;
//! - [`NumpyRng::next_u32`] is `mt19937_next32`, [`NumpyRng::next_u64`] is
//!   `mt19937_next64`: the *first* 32-bit output is the high half;
//! - [`NumpyRng::standard_uniform`] is `mt19937_next_double` (53 bits from two
//!   outputs), what `legacy_double` and `np.random.random_sample` return;
//! - [`NumpyRng::gauss`] is `legacy_gauss`, the polar Box-Muller method that
//!   returns `f * x2` and keeps `f * x1` for the next call; [`NumpyRng::normal`]
//!   is `legacy_normal`, `loc + scale * gauss`;
//! - [`NumpyRng::randint`] is `np.random.randint(0, n)`, which for the legacy
//!   generator is `random_bounded_uint64_fill` with `use_masked = true`:
//!   masked rejection on `next_uint32` when `n - 1` fits in 32 bits, on
//!   `next_uint64` otherwise.
//!
//! The samplers of `rand` and `rand_distr` draw differently (other uniform
//! conversions, the ziggurat for normals), so only the methods here reproduce
//! NumPy; the [`TryRng`] implementation merely lets the type stand in where a
//! generic generator is expected.

use core::convert::Infallible;

use rand::TryRng;
use rand::rand_core::utils::fill_bytes_via_next_word;
use rand_mt::Mt;

/// NumPy's legacy `RandomState` after `np.random.seed(seed)` with an integer
/// seed: MT19937 plus the one cached Gaussian of `legacy_gauss`.
///
/// ```
/// use mlp::numpy_rng::NumpyRng;
///
/// // np.random.seed(0); np.random.normal(0., 1., 2); np.random.randint(0, 30)
/// let mut rng = NumpyRng::new(0);
/// assert_eq!(rng.normal(0.0, 1.0), 1.764052345967664);
/// assert_eq!(rng.normal(0.0, 1.0), 0.4001572083672233);
/// assert_eq!(rng.randint(30), 3);
/// ```
#[derive(Clone, PartialEq)]
pub struct NumpyRng {
    mt: Mt,
    /// The second value of the last polar Box-Muller pair, not yet returned
    /// (`has_gauss` / `gauss` of NumPy's `aug_bitgen_t`).
    gauss: Option<f64>,
}

impl core::fmt::Debug for NumpyRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NumpyRng")
            .field("cached_gauss", &self.gauss)
            .finish_non_exhaustive()
    }
}

impl NumpyRng {
    /// The state `np.random.seed(seed)` leaves: MT19937 seeded by
    /// `init_genrand(seed)` (NumPy's `mt19937_seed`; every integer seed
    /// `0..=2^32 - 1` takes this path) and no cached Gaussian.
    #[must_use]
    pub fn new(seed: u32) -> Self {
        NumpyRng {
            mt: Mt::new(seed),
            gauss: None,
        }
    }

    /// The next raw 32-bit output (`mt19937_next32`); what the legacy
    /// `randint(0, 2**32, dtype=np.uint32)` returns unchanged.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// Two outputs as one 64-bit word, the first one high
    /// (`mt19937_next64`: `next32 << 32 | next32`).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.mt.next_u32());
        let lo = u64::from(self.mt.next_u32());
        (hi << 32) | lo
    }

    /// A double in `[0, 1)` from 53 random bits, exactly NumPy's
    /// `mt19937_next_double`: `(a * 2^26 + b) / 2^53` with `a` the top 27
    /// bits of one output and `b` the top 26 bits of the next. This is
    /// `np.random.random_sample()` and the `legacy_double` that
    /// `legacy_gauss` draws from.
    #[inline]
    pub fn standard_uniform(&mut self) -> f64 {
        let a = self.mt.next_u32() >> 5;
        let b = self.mt.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// A standard normal, exactly NumPy's `legacy_gauss`.
    ///
    /// The polar Box-Muller method makes two normals per accepted point; the
    /// call returns `f * x2` and keeps `f * x1`, which the next call returns
    /// without drawing. The cache survives any other draws in between (as in
    /// NumPy, where `randint` and `random_sample` never touch it), so a run
    /// that draws an odd number of normals leaves one behind unused.
    pub fn gauss(&mut self) -> f64 {
        if let Some(cached) = self.gauss.take() {
            return cached;
        }
        let (x1, x2, r2) = loop {
            let x1 = 2.0 * self.standard_uniform() - 1.0;
            let x2 = 2.0 * self.standard_uniform() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                break (x1, x2, r2);
            }
        };
        let f = (-2.0 * r2.ln() / r2).sqrt();
        self.gauss = Some(f * x1);
        f * x2
    }

    /// A normal with mean `loc` and standard deviation `scale`, exactly
    /// NumPy's `legacy_normal`: `loc + scale * gauss()`. This is what each
    /// element of `np.random.normal(loc, scale, shape)` is, in row-major
    /// order.
    #[inline]
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.gauss()
    }

    /// A uniform index in `0..n`, exactly the legacy `np.random.randint(0, n)`.
    ///
    /// NumPy's `random_bounded_uint64_fill` with `use_masked = true`: with
    /// `rng = n - 1` and `mask` the smallest `2^k - 1 >= rng`, draw
    /// `next_u32() & mask` (or `next_u64() & mask` when `rng` needs more than
    /// 32 bits) until the value is at most `rng`. `n == 1` draws nothing.
    ///
    /// # Panics
    ///
    /// If `n == 0` (NumPy raises `ValueError: high <= 0`).
    pub fn randint(&mut self, n: usize) -> usize {
        assert!(n > 0, "randint(0, n) needs n >= 1");
        let rng = (n - 1) as u64;
        if rng == 0 {
            return 0;
        }
        // gen_mask: the smallest all-ones mask that covers rng.
        let value = match u32::try_from(rng) {
            // buffered_bounded_masked_uint32 (its buffer is unused for 32 bits).
            Ok(rng) => {
                let mask = u32::MAX >> rng.leading_zeros();
                loop {
                    let v = self.next_u32() & mask;
                    if v <= rng {
                        break u64::from(v);
                    }
                }
            }
            // bounded_masked_uint64.
            Err(_) => {
                let mask = u64::MAX >> rng.leading_zeros();
                loop {
                    let v = self.next_u64() & mask;
                    if v <= rng {
                        break v;
                    }
                }
            }
        };
        usize::try_from(value).expect("a value at most n - 1 fits in usize")
    }
}

/// Raw MT19937 words for code generic over `rand`'s generators. `next_u64`
/// keeps NumPy's order (first output high), unlike `rand_core`'s
/// little-endian helper; `fill_bytes` uses 32-bit words, little-endian.
impl TryRng for NumpyRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(NumpyRng::next_u32(self))
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(NumpyRng::next_u64(self))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        fill_bytes_via_next_word(dst, || Ok(NumpyRng::next_u32(self)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_outputs_for_the_default_seed() {
        // init_genrand(5489), the reference implementation's default seed.
        let mut rng = NumpyRng::new(5489);
        let first: Vec<u32> = (0..5).map(|_| rng.next_u32()).collect();
        assert_eq!(
            first,
            [3_499_211_612, 581_869_302, 3_890_346_734, 3_586_334_585, 545_404_204]
        );
        // The 10000th output of the reference implementation.
        let mut rng = NumpyRng::new(5489);
        let tenthousandth = (0..10_000).map(|_| rng.next_u32()).last();
        assert_eq!(tenthousandth, Some(4_123_659_995));
    }

    #[test]
    fn next_u64_puts_the_first_output_high() {
        let mut a = NumpyRng::new(5489);
        let mut b = a.clone();
        let (hi, lo) = (u64::from(b.next_u32()), u64::from(b.next_u32()));
        assert_eq!(a.next_u64(), hi << 32 | lo);
        assert_eq!(a.next_u64(), 0xe7e1_faee_d5c3_1f79);
    }

    #[test]
    fn well_known_first_normals() {
        // np.random.seed(s); np.random.normal()
        for (seed, x) in [
            (0, 1.764_052_345_967_664),
            (1, 1.624_345_363_663_241_7),
            (42, 0.496_714_153_011_232_7),
        ] {
            assert_eq!(NumpyRng::new(seed).normal(0.0, 1.0), x, "seed {seed}");
        }
    }

    #[test]
    fn the_cached_gaussian_is_returned_without_drawing() {
        let mut rng = NumpyRng::new(7);
        rng.gauss();
        let mut plain = rng.clone();
        plain.gauss = None;
        rng.gauss();
        // Returning the cached value drew nothing from MT19937.
        assert_eq!(rng.next_u32(), plain.next_u32());
    }

    #[test]
    fn randint_of_one_draws_nothing() {
        let mut rng = NumpyRng::new(3);
        let fresh = rng.clone();
        assert_eq!(rng.randint(1), 0);
        assert_eq!(rng, fresh);
    }

    #[test]
    #[should_panic(expected = "n >= 1")]
    fn randint_of_zero_panics() {
        NumpyRng::new(0).randint(0);
    }

    #[test]
    fn the_rand_traits_give_the_same_words() {
        use rand::Rng;
        let mut a = NumpyRng::new(11);
        let mut b = a.clone();
        assert_eq!(Rng::next_u64(&mut a), b.next_u64());
        let mut bytes = [0u8; 6];
        a.fill_bytes(&mut bytes);
        let (w0, w1) = (b.next_u32().to_le_bytes(), b.next_u32().to_le_bytes());
        assert_eq!(bytes, [w0[0], w0[1], w0[2], w0[3], w1[0], w1[1]]);
    }
}
