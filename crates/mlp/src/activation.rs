//! Nonlinearities `phi` and their derivatives `phi'`.
//!
//! Each activation computes `z = phi(v)` and, beside it, the local derivative
//! `phi'(v)` that the backward pass needs (micrograd style: one local
//! derivative next to each forward operation).

/// A layer's nonlinearity `phi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Activation {
    /// `phi(v) = v`, `phi'(v) = 1`: the sheet's linear output layer.
    Identity,
    /// `phi(v) = max(v, 0)`, `phi'(v) = 1 if v > 0 else 0`.
    Relu,
    /// `phi(v) = 1 / (1 + exp(-v))` (scipy's `expit`), `phi'(v) = phi(v) * phi(-v)`.
    Sigmoid,
}

impl Activation {
    /// `phi(v)` for one value.
    pub fn phi(self, v: f64) -> f64 {
        self.phi_and_derivative(v).0
    }

    /// `phi'(v)` for one value.
    pub fn derivative(self, v: f64) -> f64 {
        self.phi_and_derivative(v).1
    }

    /// `(phi(v), phi'(v))` for one value.
    #[inline(always)]
    pub fn phi_and_derivative(self, v: f64) -> (f64, f64) {
        match self {
            Activation::Identity => (v, 1.0),
            Activation::Relu => {
                if v > 0.0 {
                    (v, 1.0)
                } else {
                    (0.0, 0.0)
                }
            }
            Activation::Sigmoid => {
                let (p, q) = crate::vexp::sigmoid_pair(v);
                (p, p * q)
            }
        }
    }

    /// The name used on the command line, in metrics and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
        }
    }
}

/// `(phi(v), phi(-v))` for the logistic sigmoid with a single call of the C
/// library's `exp`: the reference that the vectorised sigmoid the network
/// uses ([`crate::vexp`]) is tested against.
///
/// With `t = exp(-|v|)` (never overflows) and `s = 1 / (1 + t)`, the larger of
/// the two is `s` and the smaller is `t * s`. Both are accurate to a few ulp
/// over the whole range, so `phi'(v) = phi(v) * phi(-v)` keeps its full
/// relative precision even where `1 - phi(v)` would cancel.
#[inline(always)]
pub fn sigmoid_pair(v: f64) -> (f64, f64) {
    let t = (-v.abs()).exp();
    let s = 1.0 / (1.0 + t);
    let small = t * s;
    if v >= 0.0 { (s, small) } else { (small, s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expit(v: f64) -> f64 {
        1.0 / (1.0 + (-v).exp())
    }

    #[test]
    fn sigmoid_matches_the_textbook_formula() {
        for i in -400..=400 {
            let v = i as f64 * 0.1;
            let (p, q) = sigmoid_pair(v);
            let (ep, eq) = (expit(v), expit(-v));
            assert!((p - ep).abs() <= 4.0 * f64::EPSILON * ep, "phi({v})");
            assert!((q - eq).abs() <= 4.0 * f64::EPSILON * eq, "phi(-{v})");
        }
    }

    #[test]
    fn sigmoid_is_finite_at_the_extremes() {
        for v in [-1e308, -800.0, 800.0, 1e308] {
            let (p, d) = Activation::Sigmoid.phi_and_derivative(v);
            assert!(p.is_finite() && d.is_finite());
            assert_eq!(d, 0.0);
        }
        assert_eq!(Activation::Sigmoid.phi(0.0), 0.5);
        assert_eq!(Activation::Sigmoid.derivative(0.0), 0.25);
    }

    #[test]
    fn relu_derivative_at_zero_is_zero() {
        assert_eq!(Activation::Relu.phi_and_derivative(0.0), (0.0, 0.0));
        assert_eq!(Activation::Relu.phi_and_derivative(-2.0), (0.0, 0.0));
        assert_eq!(Activation::Relu.phi_and_derivative(2.5), (2.5, 1.0));
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-6;
        for act in [Activation::Identity, Activation::Relu, Activation::Sigmoid] {
            for v in [-3.0, -0.7, 0.3, 2.0] {
                let fd = (act.phi(v + h) - act.phi(v - h)) / (2.0 * h);
                assert!((fd - act.derivative(v)).abs() < 1e-8, "{act:?} at {v}");
            }
        }
    }
}
