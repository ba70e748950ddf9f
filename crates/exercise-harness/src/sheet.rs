//! The sheet's own networks and the names of their parameters.
//!
//! The sheet's network `n_in -> K -> n_out` has parameters `V` (K x n_in,
//! hidden weights), `b` (K, hidden bias) and `W` (n_out x K, output weights);
//! in the core crate's terms `V = W^1`, `b = b^1`, `W = W^2`.

use mlp::Activation;
use mlp::Network;
use std::fmt;
use std::str::FromStr;

/// The course's XOR start for exercises 2a and 2b (ReLU, K = 3): already a
/// perfect solution, `V = [[1,0],[1,1],[0,1]]`, `b = [0,-1,0]`, `W = [[1,-2,1]]`.
pub fn xor_start() -> Network {
    let mut net = Network::sheet(2, 3, 1, Activation::Relu).expect("a valid shape");
    net.weights_mut(1).copy_from_slice(&[1.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
    net.weights_mut(2).copy_from_slice(&[1.0, -2.0, 1.0]);
    net.bias_mut(1)
        .expect("the hidden layer has a bias")
        .copy_from_slice(&[0.0, -1.0, 0.0]);
    net
}

/// One of the sheet's parameter arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// Hidden weights (K x n_in).
    V,
    /// Output weights (n_out x K).
    W,
    /// Hidden bias (K).
    B,
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Param::V => "V",
            Param::W => "W",
            Param::B => "b",
        })
    }
}

/// One entry of the sheet's parameters, `V[k,i]`, `W[j,k]` or `b[k]` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamIndex {
    /// Which array.
    pub param: Param,
    /// Row (or the index into `b`).
    pub row: usize,
    /// Column (0 for `b`).
    pub col: usize,
}

impl fmt::Display for ParamIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.param {
            Param::B => write!(f, "b[{}]", self.row),
            p => write!(f, "{p}[{},{}]", self.row, self.col),
        }
    }
}

impl ParamIndex {
    /// Every parameter of a sheet network, in the flat order (`V`, `W`, `b`).
    pub fn all(net: &Network) -> Vec<ParamIndex> {
        (0..net.params().len())
            .map(|i| ParamIndex::from_flat(net, i).expect("index in range"))
            .collect()
    }

    /// The name of flat parameter `i` of a sheet network.
    pub fn from_flat(net: &Network, i: usize) -> Option<ParamIndex> {
        let [hidden, output] = net.layers() else {
            return None;
        };
        let (k, n_in) = (hidden.units, hidden.inputs);
        if hidden.weights_range().contains(&i) {
            let j = i - hidden.weights_at;
            Some(ParamIndex {
                param: Param::V,
                row: j / n_in,
                col: j % n_in,
            })
        } else if output.weights_range().contains(&i) {
            let j = i - output.weights_at;
            Some(ParamIndex {
                param: Param::W,
                row: j / k,
                col: j % k,
            })
        } else {
            let r = hidden.bias_range()?;
            r.contains(&i).then(|| ParamIndex {
                param: Param::B,
                row: i - r.start,
                col: 0,
            })
        }
    }

    /// The flat index of this entry in a sheet network, or why there is none.
    pub fn to_flat(self, net: &Network) -> Result<usize, String> {
        let [hidden, output] = net.layers() else {
            return Err("the network is not the sheet's n_in -> K -> n_out network".to_owned());
        };
        let (rows, cols, at) = match self.param {
            Param::V => (hidden.units, hidden.inputs, hidden.weights_at),
            Param::W => (output.units, output.inputs, output.weights_at),
            Param::B => (hidden.units, 1, hidden.bias_at.ok_or("the hidden layer has no bias")?),
        };
        if self.row >= rows || self.col >= cols {
            let shape = if self.param == Param::B {
                format!("({rows},)")
            } else {
                format!("({rows}, {cols})")
            };
            return Err(format!(
                "{self} is out of range: {} has shape {shape} (0-based indices)",
                self.param
            ));
        }
        Ok(at + self.row * cols + self.col)
    }
}

/// A change to one parameter of the start, as `--perturb 'W[0,1]=0'` says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Perturbation {
    /// Which parameter.
    pub index: ParamIndex,
    /// Its new value.
    pub value: f64,
}

impl fmt::Display for Perturbation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.index, self.value)
    }
}

impl FromStr for Perturbation {
    type Err = String;

    /// Parses `V[k,i]=x`, `W[j,k]=x` or `b[k]=x` (0-based indices).
    fn from_str(s: &str) -> Result<Self, String> {
        let expected = "expected NAME[ROW,COL]=VALUE or b[INDEX]=VALUE with NAME V or W, for example 'W[0,1]=0'";
        let bad = || format!("'{s}': {expected}");
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, value) = compact.split_once('=').ok_or_else(bad)?;
        let value: f64 = value
            .parse()
            .map_err(|_| format!("'{s}': the value '{value}' is not a number"))?;
        if !value.is_finite() {
            return Err(format!("'{s}': the value must be finite"));
        }
        let (name, rest) = lhs.split_once('[').ok_or_else(bad)?;
        let inner = rest.strip_suffix(']').ok_or_else(bad)?;
        let nums: Vec<usize> = inner
            .split(',')
            .map(|p| p.parse::<usize>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("'{s}': indices must be whole numbers from 0; {expected}"))?;
        let index = match (name, nums.as_slice()) {
            ("V", &[row, col]) => ParamIndex {
                param: Param::V,
                row,
                col,
            },
            ("W", &[row, col]) => ParamIndex {
                param: Param::W,
                row,
                col,
            },
            ("b", &[row]) => ParamIndex {
                param: Param::B,
                row,
                col: 0,
            },
            _ => return Err(bad()),
        };
        Ok(Perturbation { index, value })
    }
}

impl Perturbation {
    /// Sets the parameter in `net`; returns its old value.
    pub fn apply(&self, net: &mut Network) -> Result<f64, String> {
        let i = self.index.to_flat(net)?;
        Ok(std::mem::replace(&mut net.params_mut()[i], self.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_start_solves_xor_exactly() {
        let net = xor_start();
        let mut tape = net.tape();
        for (x, y) in [
            ([0.0, 0.0], 0.0),
            ([0.0, 1.0], 1.0),
            ([1.0, 0.0], 1.0),
            ([1.0, 1.0], 0.0),
        ] {
            assert_eq!(net.forward(&x, &mut tape), &[y]);
        }
    }

    #[test]
    fn perturbations_parse_and_apply() {
        let p: Perturbation = "W[0,1]=0".parse().unwrap();
        assert_eq!(
            p.index,
            ParamIndex {
                param: Param::W,
                row: 0,
                col: 1
            }
        );
        let mut net = xor_start();
        assert_eq!(p.apply(&mut net), Ok(-2.0));
        assert_eq!(net.weights(2), &[1.0, 0.0, 1.0]);
        let p: Perturbation = " b[1] = -0.25 ".parse().unwrap();
        p.apply(&mut net).unwrap();
        assert_eq!(net.bias(1).unwrap(), &[0.0, -0.25, 0.0]);
        let p: Perturbation = "V[2,0]=3e0".parse().unwrap();
        p.apply(&mut net).unwrap();
        assert_eq!(net.weights(1), &[1.0, 0.0, 1.0, 1.0, 3.0, 1.0]);
    }

    #[test]
    fn bad_perturbations_say_what_was_expected() {
        for bad in [
            "",
            "W",
            "W[0,1]",
            "W[0,1]=x",
            "X[0,0]=1",
            "W[0]=1",
            "b[0,0]=1",
            "W[-1,0]=1",
            "W[0,1]=inf",
        ] {
            let e = bad.parse::<Perturbation>().unwrap_err();
            assert!(e.contains(&format!("'{bad}'")), "{e}");
        }
        let mut net = xor_start();
        let e = "W[1,0]=1".parse::<Perturbation>().unwrap().apply(&mut net).unwrap_err();
        assert_eq!(e, "W[1,0] is out of range: W has shape (1, 3) (0-based indices)");
        let e = "b[3]=1".parse::<Perturbation>().unwrap().apply(&mut net).unwrap_err();
        assert_eq!(e, "b[3] is out of range: b has shape (3,) (0-based indices)");
    }

    #[test]
    fn flat_names_round_trip() {
        let net = xor_start();
        let names: Vec<String> = ParamIndex::all(&net).iter().map(|p| p.to_string()).collect();
        assert_eq!(
            names,
            [
                "V[0,0]", "V[0,1]", "V[1,0]", "V[1,1]", "V[2,0]", "V[2,1]", "W[0,0]", "W[0,1]", "W[0,2]", "b[0]",
                "b[1]", "b[2]"
            ]
        );
        for (i, p) in ParamIndex::all(&net).into_iter().enumerate() {
            assert_eq!(p.to_flat(&net), Ok(i));
        }
    }
}
