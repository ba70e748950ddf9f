//! Property test: the training step, in every copy this processor can run
//! (`mlp::train::Isa`), gives exactly the numbers of a plain scalar
//! implementation of the sheet's step written here, for networks of any
//! shape: 1 to 4 layers of 1 to 12 units, 1 to 6 inputs, any activation,
//! with or without biases. The step's loops use raw pointers; run this under
//! AddressSanitizer too (see ARCHITECTURE.md).

use mlp::train::{Isa, Sampling, TrainConfig, Trainer};
use mlp::{Activation, LayerSpec, Network};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The step by the book, on vectors: forward, deltas, gradient, momentum
/// rule. Sums run in the order the core's loops use (each from its first
/// term), so equality is exact.
fn reference_step(net: &mut Network, velocity: &mut [f64], x: &[f64], t: &[f64], eta: f64, mu: f64) -> f64 {
    let layers = net.layers().to_vec();
    let big_l = layers.len();
    // forward: zs[l] = z^l, dphis[l - 1] = phi'(v^l)
    let mut zs = vec![x.to_vec()];
    let mut dphis = Vec::new();
    for (idx, layer) in layers.iter().enumerate() {
        let l = idx + 1;
        let (w, b) = (net.weights(l), net.bias(l));
        let (mut z, mut dphi) = (Vec::new(), Vec::new());
        for j in 0..layer.units {
            let row = &w[j * layer.inputs..(j + 1) * layer.inputs];
            let mut s = row[0] * zs[idx][0];
            for i in 1..layer.inputs {
                s += row[i] * zs[idx][i];
            }
            let v = b.map_or(s, |b| b[j] + s);
            let (zj, dj) = layer.activation.phi_and_derivative(v);
            z.push(zj);
            dphi.push(dj);
        }
        zs.push(z);
        dphis.push(dphi);
    }
    // Exercise 1 (a), (d): the output delta; the cost
    let mut cost = 0.0;
    let mut deltas = vec![Vec::new(); big_l];
    for k in 0..layers[big_l - 1].units {
        let e = zs[big_l][k] - t[k];
        cost += e * e;
        deltas[big_l - 1].push(-e * dphis[big_l - 1][k]);
    }
    // Exercise 1 (e): every lower delta, with the weights before the update
    for idx in (0..big_l - 1).rev() {
        let up = &layers[idx + 1];
        let w = net.weights(idx + 2);
        let mut d = Vec::new();
        for k in 0..up.inputs {
            let mut s = deltas[idx + 1][0] * w[k];
            for j in 1..up.units {
                s += deltas[idx + 1][j] * w[j * up.inputs + k];
            }
            d.push(s * dphis[idx][k]);
        }
        deltas[idx] = d;
    }
    // Exercise 1 (c)-(f): the gradient, then the momentum rule
    let mut grad = vec![0.0; net.params().len()];
    for (idx, layer) in layers.iter().enumerate() {
        for k in 0..layer.units {
            for i in 0..layer.inputs {
                grad[layer.weights_at + k * layer.inputs + i] = deltas[idx][k] * zs[idx][i];
            }
            if let Some(at) = layer.bias_at {
                grad[at + k] = deltas[idx][k];
            }
        }
    }
    for ((p, d), g) in net.params_mut().iter_mut().zip(velocity.iter_mut()).zip(&grad) {
        *d = eta * g + mu * *d;
        *p += *d;
    }
    0.5 * cost
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Identity),
        Just(Activation::Relu),
        Just(Activation::Sigmoid)
    ]
}

fn shape() -> impl Strategy<Value = (usize, Vec<LayerSpec>)> {
    let layer = (1usize..=12, activation(), any::<bool>()).prop_map(|(units, activation, bias)| LayerSpec {
        units,
        activation,
        bias,
    });
    (1usize..=6, prop::collection::vec(layer, 1..=4))
}

/// Equal as numbers (so `0.0 == -0.0`), or both NaN.
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// The 1-K-1 networks of Exercise 2c, which have a step of their own: one
/// input, a sigmoid hidden layer with biases, any width (groups of 8 and 4
/// and single units, so every remainder), one output of any kind.
fn one_k_one() -> impl Strategy<Value = (usize, Vec<LayerSpec>)> {
    (1usize..=70, activation(), any::<bool>()).prop_map(|(units, activation, bias)| {
        let hidden = LayerSpec {
            units,
            activation: Activation::Sigmoid,
            bias: true,
        };
        (
            1,
            vec![
                hidden,
                LayerSpec {
                    units: 1,
                    activation,
                    bias,
                },
            ],
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_copy_of_the_step_is_the_sheets_step((inputs, specs) in prop_oneof![shape(), one_k_one()], seed in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut start = Network::new(inputs, &specs).unwrap();
        start.randomize_normal(&mut rng);
        let outputs = start.outputs();
        let samples: Vec<(Vec<f64>, Vec<f64>)> = (0..3)
            .map(|_| {
                let x = (0..inputs).map(|_| rng.random_range(-2.0..2.0)).collect();
                let t = (0..outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
                (x, t)
            })
            .collect();
        let (eta, mu) = (rng.random_range(0.001..0.3), rng.random_range(0.0..0.95));
        let cfg = TrainConfig::new(1, eta, mu, Sampling::Cyclic, 0).unwrap();

        let mut reference = start.clone();
        let mut velocity = vec![0.0; start.params().len()];
        let mut expected = Vec::new();
        for (x, t) in samples.iter().cycle().take(8) {
            let cost = reference_step(&mut reference, &mut velocity, x, t, eta, mu);
            expected.push((cost, reference.params().to_vec(), velocity.clone()));
        }

        for isa in Isa::ALL.into_iter().filter(|i| i.available()) {
            let mut net = start.clone();
            let mut trainer = Trainer::new(&net, &cfg).with_isa(isa).unwrap();
            for ((x, t), (cost, params, vel)) in samples.iter().cycle().zip(&expected) {
                let got = trainer.step(&mut net, x, t);
                prop_assert!(same(&[got], &[*cost]), "{isa:?}: cost {got} vs {cost}");
                prop_assert!(same(net.params(), params), "{isa:?}: parameters differ");
                prop_assert!(same(trainer.velocity(), vel), "{isa:?}: momentum steps differ");
            }
        }
    }
}

#[test]
fn the_chosen_copy_can_run_here() {
    for (inputs, units, phi) in [
        (2, 3, Activation::Relu),
        (1, 5, Activation::Sigmoid),
        (1, 40, Activation::Sigmoid),
        (25, 10, Activation::Sigmoid),
    ] {
        let net = Network::sheet(inputs, units, 1, phi).unwrap();
        let chosen = Isa::best_for(net.layers());
        assert!(chosen.available(), "{chosen:?} chosen for {units} units");
        let cfg = TrainConfig::new(1, 0.1, 0.5, Sampling::Cyclic, 0).unwrap();
        assert_eq!(Trainer::new(&net, &cfg).isa(), chosen);
    }
    assert!(Isa::Baseline.available());
}
