//! The backward pass against central finite differences, and the sheet's
//! one-hidden-layer case against the closed-form gradients of docs/DESIGN.md
//! section 2, computed independently with ndarray.

use mlp::{Activation, LayerSpec, Network};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

fn spec(units: usize, activation: Activation, bias: bool) -> LayerSpec {
    LayerSpec {
        units,
        activation,
        bias,
    }
}

/// Central finite difference of the objective L with respect to parameter i.
fn finite_difference(net: &Network, x: &[f64], t: &[f64], i: usize, h: f64) -> f64 {
    let mut plus = net.clone();
    plus.params_mut()[i] += h;
    let mut minus = net.clone();
    minus.params_mut()[i] -= h;
    let mut tape = net.tape();
    let lp = plus.objective(x, t, &mut tape);
    let lm = minus.objective(x, t, &mut tape);
    (lp - lm) / (2.0 * h)
}

fn relative_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-8)
}

#[test]
fn deep_mixed_network_matches_finite_differences_for_every_parameter() {
    // 4 -> 6 sigmoid+b -> 5 relu -> 4 identity+b -> 5 sigmoid+b -> 3 identity
    let layers = [
        spec(6, Activation::Sigmoid, true),
        spec(5, Activation::Relu, false),
        spec(4, Activation::Identity, true),
        spec(5, Activation::Sigmoid, true),
        spec(3, Activation::Identity, false),
    ];
    let normal = Normal::new(0.0, 0.8).unwrap();
    let mut checked = 0;
    for seed in 0..5u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut net = Network::new(4, &layers).unwrap();
        for p in net.params_mut() {
            *p = normal.sample(&mut rng);
        }
        let x: Vec<f64> = (0..4).map(|_| normal.sample(&mut rng)).collect();
        let t: Vec<f64> = (0..3).map(|_| normal.sample(&mut rng)).collect();
        let mut tape = net.tape();
        net.forward(&x, &mut tape);
        // Finite differences are only meaningful away from ReLU's kink.
        assert!(
            tape.v(2).iter().all(|v| v.abs() > 1e-3),
            "seed {seed}: a ReLU input sits on the kink"
        );
        let mut grad = vec![0.0; net.params().len()];
        net.backward(&t, &mut tape, &mut grad);
        for (i, &g) in grad.iter().enumerate() {
            let fd = finite_difference(&net, &x, &t, i, 1e-5);
            let err = relative_error(g, fd);
            assert!(
                err <= 1e-6,
                "seed {seed}, parameter {i}: backprop {g}, finite difference {fd}, relative error {err}"
            );
            checked += 1;
        }
        // every layer's weights and biases really were checked
        assert_eq!(grad.len(), 4 * 6 + 6 * 5 + 5 * 4 + 4 * 5 + 5 * 3 + 6 + 4 + 5); // 124
    }
    assert_eq!(checked, 5 * 124);
}

#[test]
fn sheet_network_matches_the_closed_form_gradients() {
    for (phi, seed) in [
        (Activation::Sigmoid, 1u64),
        (Activation::Relu, 2),
        (Activation::Sigmoid, 3),
    ] {
        let (n_in, k, n_out) = (3, 7, 2);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut net = Network::sheet(n_in, k, n_out, phi).unwrap();
        net.randomize_normal(&mut rng);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let x: Vec<f64> = (0..n_in).map(|_| normal.sample(&mut rng)).collect();
        let t: Vec<f64> = (0..n_out).map(|_| normal.sample(&mut rng)).collect();

        // Independent computation, docs/DESIGN.md section 2, with ndarray.
        let v_mat = Array2::from_shape_vec((k, n_in), net.weights(1).to_vec()).unwrap();
        let w_mat = Array2::from_shape_vec((n_out, k), net.weights(2).to_vec()).unwrap();
        let b = Array1::from_vec(net.bias(1).unwrap().to_vec());
        let xa = Array1::from_vec(x.clone());
        let ta = Array1::from_vec(t.clone());
        let v = v_mat.dot(&xa) + &b;
        let (z, dphi): (Array1<f64>, Array1<f64>) = match phi {
            Activation::Sigmoid => {
                let s = |u: f64| 1.0 / (1.0 + (-u).exp());
                (v.mapv(s), v.mapv(|u| s(u) * s(-u)))
            }
            Activation::Relu => (v.mapv(|u| u.max(0.0)), v.mapv(|u| if u > 0.0 { 1.0 } else { 0.0 })),
            Activation::Identity => unreachable!(),
        };
        let y = w_mat.dot(&z);
        let d_out = -(&y - &ta);
        let d_w = d_out
            .view()
            .insert_axis(ndarray::Axis(1))
            .dot(&z.view().insert_axis(ndarray::Axis(0)));
        let d_hid = &dphi * &w_mat.t().dot(&d_out);
        let d_v = d_hid
            .view()
            .insert_axis(ndarray::Axis(1))
            .dot(&xa.view().insert_axis(ndarray::Axis(0)));
        let d_b = d_hid.clone();

        let mut tape = net.tape();
        let y_net = net.forward(&x, &mut tape).to_vec();
        let mut grad = vec![0.0; net.params().len()];
        net.backward(&t, &mut tape, &mut grad);
        let close = |a: &[f64], b: &ndarray::ArrayViewD<f64>, what: &str| {
            let b: Vec<f64> = b.iter().copied().collect(); // logical (row-major) order
            assert_eq!(a.len(), b.len());
            for (i, (p, q)) in a.iter().zip(b).enumerate() {
                assert!(
                    (p - q).abs() <= 1e-14 * (1.0 + q.abs()),
                    "{phi:?} {what}[{i}]: {p} vs {q}"
                );
            }
        };
        close(&y_net, &y.view().into_dyn(), "y");
        let layers = net.layers();
        close(&grad[layers[0].weights_range()], &d_v.view().into_dyn(), "dL/dV");
        close(&grad[layers[1].weights_range()], &d_w.view().into_dyn(), "dL/dW");
        close(&grad[layers[0].bias_range().unwrap()], &d_b.view().into_dyn(), "dL/db");
        close(tape.delta(2), &d_out.view().into_dyn(), "delta^L");
        close(tape.delta(1), &d_hid.view().into_dyn(), "delta^1");
    }
}
