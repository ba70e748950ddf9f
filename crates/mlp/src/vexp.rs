//! The sigmoid of a whole layer, vectorised.
//!
//! For large hidden layers the exponentials dominate a training step, and the
//! C library's `exp` is one scalar call per unit. Here `exp` is written
//! without branches (Cody–Waite range reduction, a degree-13 polynomial by
//! Estrin's scheme, the
//! power of two built from bits), so that the compiler turns the loop over a
//! layer into SIMD code: SSE2 everywhere, and AVX2 or AVX-512 where the
//! processor has them (chosen at run time, or by the copy of the training
//! step that inlines `layer_body`, see [`crate::train::Isa`]). Every path
//! performs the same IEEE operations in the same order, and the polynomial's
//! multiply-adds are fused on every path (`mul_add`: one instruction with
//! FMA, the C library's `fma` without, slow but the same bits), so results
//! are bit-identical on every machine; they agree with the scalar sigmoid
//! built on the C library's `exp` to within 4 ulp (tested below over the
//! whole range).

/// `ln 2`, split so that `k * LN2_HI` is exact for `|k| <= 2^11` (the
/// constants of fdlibm's `exp`, given by their bits).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// `1.5 * 2^52`: adding it rounds a double to an integer, which then sits in
/// the low bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// Below this, `exp` is 0 in double precision.
const EXP_MIN: f64 = -746.0;
/// `1 / k!` for `k = 2 ..= 13`, the Taylor coefficients of `exp`; on
/// `|r| <= ln(2)/2` the remainder is below `4e-18`, far under half an ulp.
const INV_FACT: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `2^k` for a whole number `k` (as a double) with `-1022 <= k <= 1023`,
/// from bits: `k + ROUND` holds `k` in its low bits, and adding the exponent
/// bias and shifting by 52 leaves exactly the biased exponent.
#[inline(always)]
fn pow2(k: f64) -> f64 {
    f64::from_bits((k + ROUND).to_bits().wrapping_add(1023) << 52)
}

/// `exp(a)` for `a <= 0` (NaN stays NaN), without branches.
#[inline(always)]
pub fn exp_nonpositive(a: f64) -> f64 {
    // clamp, written so that NaN passes through
    let a = if a < EXP_MIN { EXP_MIN } else { a };
    // a = k ln2 + r with k = round(a / ln2), |r| <= ln2 / 2
    let k = (a * std::f64::consts::LOG2_E + ROUND) - ROUND;
    let r = (a - k * LN2_HI) - k * LN2_LO;
    // exp(r) = 1 + r + r^2 p(r), p(r) = sum_i c_i r^i with c_i = 1/(i+2)!,
    // by Estrin's scheme: a short chain of dependent operations, so that
    // small layers (a few units, latency-bound) are fast too.
    let c = &INV_FACT;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q0 = c[3].mul_add(r, c[2]).mul_add(r2, c[1].mul_add(r, c[0]));
    let q1 = c[7].mul_add(r, c[6]).mul_add(r2, c[5].mul_add(r, c[4]));
    let q2 = c[11].mul_add(r, c[10]).mul_add(r2, c[9].mul_add(r, c[8]));
    let p = q2.mul_add(r8, q1.mul_add(r4, q0));
    let e = 1.0 + r2.mul_add(p, r);
    // 2^k in two factors, so that results down to the subnormals are right:
    // k1 >= -1000 and k2 = k - k1 in [-76, 0] are both normal exponents.
    let k1 = if k < -1000.0 { -1000.0 } else { k };
    e * pow2(k1) * pow2(k - k1)
}

/// `(phi(v), phi(-v))` for the logistic sigmoid, the vectorisable twin of
/// [`crate::activation::sigmoid_pair`]: with `t = exp(-|v|)` and
/// `s = 1 / (1 + t)`, the larger of the two is `s`, the smaller `t * s`.
#[inline(always)]
pub fn sigmoid_pair(v: f64) -> (f64, f64) {
    let t = exp_nonpositive(-v.abs());
    let s = 1.0 / (1.0 + t);
    let small = t * s;
    if v >= 0.0 { (s, small) } else { (small, s) }
}

/// The sigmoid of a layer, compiled into its caller for whatever
/// instruction set the caller is compiled for.
#[inline(always)]
pub(crate) fn layer_body(v: &[f64], z: &mut [f64], dphi: &mut [f64]) {
    let n = v.len();
    let (z, dphi) = (&mut z[..n], &mut dphi[..n]);
    for i in 0..n {
        let (p, q) = sigmoid_pair(v[i]);
        z[i] = p;
        dphi[i] = p * q;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn layer_avx2(v: &[f64], z: &mut [f64], dphi: &mut [f64]) {
    layer_body(v, z, dphi)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn layer_avx512(v: &[f64], z: &mut [f64], dphi: &mut [f64]) {
    layer_body(v, z, dphi)
}

/// `z = phi(v)` and `dphi = phi'(v) = phi(v) phi(-v)` for a whole layer.
#[inline]
pub fn sigmoid_layer(v: &[f64], z: &mut [f64], dphi: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if v.len() >= 8 && std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the processor has AVX-512F, checked just above.
            return unsafe { layer_avx512(v, z, dphi) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the processor has AVX2, checked just above.
            return unsafe { layer_avx2(v, z, dphi) };
        }
    }
    layer_body(v, z, dphi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// Distance in representable doubles (both finite, same sign or zero).
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        let key = |x: f64| {
            let bits = x.to_bits() as i64;
            if bits < 0 { i64::MIN - bits } else { bits }
        };
        key(a).abs_diff(key(b))
    }

    fn check(v: f64, worst: &mut u64) {
        let (p, q) = sigmoid_pair(v);
        let (ep, eq) = crate::activation::sigmoid_pair(v);
        let d = ulps(p, ep).max(ulps(q, eq));
        assert!(d <= 4, "sigmoid({v:e}): {p:e} vs {ep:e}, {q:e} vs {eq:e}: {d} ulp");
        *worst = (*worst).max(d);
    }

    #[test]
    fn exp_matches_the_c_library_within_one_ulp() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200_000 {
            let a: f64 = -rng.random_range(0.0..745.0);
            let (ours, libm) = (exp_nonpositive(a), a.exp());
            assert!(
                ulps(ours, libm) <= 1 || (libm < 1e-300 && (ours - libm).abs() <= 5e-324),
                "exp({a})"
            );
        }
        for a in [
            0.0, -0.0, -1e-300, -0.5, -1.0, -708.0, -709.5, -744.0, -745.1, -745.2, -746.0, -1e300,
        ] {
            let (ours, libm) = (exp_nonpositive(a), a.exp());
            assert!(ulps(ours, libm) <= 1, "exp({a}): {ours:e} vs {libm:e}");
        }
        assert!(exp_nonpositive(f64::NAN).is_nan());
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn sigmoid_agrees_with_the_exact_one_within_4_ulp() {
        let mut worst = 0;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        for _ in 0..200_000 {
            check(rng.random_range(-40.0..40.0), &mut worst);
            check(rng.random_range(-800.0..800.0), &mut worst);
        }
        for i in -2000..=2000 {
            check(i as f64 * 0.01, &mut worst);
        }
        for v in [
            0.0, -0.0, 1e-300, -1e-300, 36.7, -36.7, 709.0, -709.0, 745.5, -745.5, 1e300, -1e300,
        ] {
            check(v, &mut worst);
        }
        assert!(worst <= 4);
    }

    #[test]
    fn every_dispatch_path_gives_the_same_bits() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let v: Vec<f64> = (0..1000).map(|_| rng.random_range(-60.0..60.0)).collect();
        let (mut z0, mut d0) = (vec![0.0; v.len()], vec![0.0; v.len()]);
        layer_body(&v, &mut z0, &mut d0);
        let (mut z1, mut d1) = (vec![0.0; v.len()], vec![0.0; v.len()]);
        sigmoid_layer(&v, &mut z1, &mut d1);
        assert_eq!(z0, z1);
        assert_eq!(d0, d1);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                let (mut z2, mut d2) = (vec![0.0; v.len()], vec![0.0; v.len()]);
                // SAFETY: AVX2 is present, checked just above.
                unsafe { layer_avx2(&v, &mut z2, &mut d2) };
                assert_eq!((z0.clone(), d0.clone()), (z2, d2));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                let (mut z3, mut d3) = (vec![0.0; v.len()], vec![0.0; v.len()]);
                // SAFETY: AVX-512F is present, checked just above.
                unsafe { layer_avx512(&v, &mut z3, &mut d3) };
                assert_eq!((z0, d0), (z3, d3));
            }
        }
    }
}
