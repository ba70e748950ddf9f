//! Backprop at work: one step of Exercise 1 on the 2b network, every number
//! computed by the core crate's own `forward`, `deltas` and
//! `gradient_from_deltas` when the report is rendered, and drawn as a
//! diagram of the 2-3-1 network.

use crate::render::escape;
use anyhow::{Result, anyhow};
use exercise_harness::sheet::{Perturbation, xor_start};

/// One sample through the sheet's XOR network at a perturbed start: the
/// forward pass, the deltas and the gradient, in the sheet's names.
#[derive(Clone, Debug, PartialEq)]
pub struct BackpropAtWork {
    /// The perturbation, as `--perturb` spells it, and the old value.
    pub perturbation: String,
    pub original: f64,
    /// Which weight of `W` (0-based column) or `None` if the perturbed
    /// parameter is in `V` or `b`.
    pub perturbed: Perturbed,
    /// The input and the target.
    pub x: Vec<f64>,
    pub target: f64,
    /// Parameters: `V` (3 x 2), `b` (3), `W` (1 x 3).
    pub v_weights: [[f64; 2]; 3],
    pub b: [f64; 3],
    pub w: [f64; 3],
    /// Forward: the hidden units' `v` and `z`, the output `v` (= `y`).
    pub v_hidden: [f64; 3],
    pub z_hidden: [f64; 3],
    pub y: f64,
    /// Backward: `delta` of the output (Exercise 1 (d)) and of the hidden
    /// units ((e)).
    pub delta_out: f64,
    pub delta_hidden: [f64; 3],
    /// Gradient: `dL/dV` ((e)), `dL/db` ((f)), `dL/dW` ((d)).
    pub grad_v: [[f64; 2]; 3],
    pub grad_b: [f64; 3],
    pub grad_w: [f64; 3],
}

/// Which parameter the perturbation changed, for highlighting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Perturbed {
    V(usize, usize),
    W(usize),
    B(usize),
}

/// Runs one sample `x` with `target` through the course's XOR start with
/// `perturbation` applied, through the core crate's passes.
pub fn backprop_at_work(perturbation: &str, x: [f64; 2], target: f64) -> Result<BackpropAtWork> {
    let p: Perturbation = perturbation.parse().map_err(|e: String| anyhow!(e))?;
    let mut net = xor_start();
    let original = p.apply(&mut net).map_err(|e| anyhow!(e))?;
    let mut tape = net.tape();
    let y = net.forward(&x, &mut tape)[0];
    net.deltas(&[target], &mut tape);
    let mut grad = vec![0.0; net.params().len()];
    net.gradient_from_deltas(&tape, &mut grad);
    let three = |s: &[f64]| [s[0], s[1], s[2]];
    let rows = |s: &[f64]| [[s[0], s[1]], [s[2], s[3]], [s[4], s[5]]];
    let layers = net.layers();
    let (gv, gw) = (&grad[layers[0].weights_range()], &grad[layers[1].weights_range()]);
    let gb = &grad[layers[0].bias_range().expect("the hidden layer has a bias")];
    let flat = p.index.to_flat(&net).map_err(|e| anyhow!(e))?;
    let perturbed = if layers[0].weights_range().contains(&flat) {
        let k = flat - layers[0].weights_at;
        Perturbed::V(k / 2, k % 2)
    } else if layers[1].weights_range().contains(&flat) {
        Perturbed::W(flat - layers[1].weights_at)
    } else {
        Perturbed::B(flat - layers[0].bias_at.expect("the hidden layer has a bias"))
    };
    Ok(BackpropAtWork {
        perturbation: p.to_string(),
        original,
        perturbed,
        x: x.to_vec(),
        target,
        v_weights: rows(net.weights(1)),
        b: three(net.bias(1).expect("the hidden layer has a bias")),
        w: three(net.weights(2)),
        v_hidden: three(tape.v(1)),
        z_hidden: three(tape.z(1)),
        y,
        delta_out: tape.delta(2)[0],
        delta_hidden: three(tape.delta(1)),
        grad_v: rows(gv),
        grad_b: three(gb),
        grad_w: three(gw),
    })
}

/// A number as the diagram prints it: integers without decimals, others
/// with up to three, a true minus sign.
pub fn num(x: f64) -> String {
    let s = if x == x.round() && x.abs() < 1e9 {
        format!("{}", x as i64)
    } else {
        let t = format!("{x:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    if s == "-0" {
        "0".to_owned()
    } else {
        s.replace('-', "−")
    }
}

const WIDTH: f64 = 680.0;
const HEIGHT: f64 = 525.0;
const R: f64 = 40.0;
const RED: &str = "#c0392b";
const BLUE: &str = "#0b5cad";
/// A white outline behind free-standing text, so that lines it crosses do
/// not cut through it.
const HALO: &str = "stroke=\"white\" stroke-width=\"4\" paint-order=\"stroke\"";

/// The diagram: units with `v`, `z` and `delta`, connections with their
/// weight and `dL/dweight`, biases with `dL/db`; the perturbed parameter in
/// red. Text is 13 px or more: at the printed width it is 9.75 pt.
pub fn diagram_svg(b: &BackpropAtWork) -> String {
    let input = [(95.0, 185.0), (95.0, 355.0)];
    let hidden = [(340.0, 115.0), (340.0, 270.0), (340.0, 425.0)];
    let output = (585.0, 270.0);
    let mut s = format!(
        "<svg width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\" \
         font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let text = |s: &mut String, x: f64, y: f64, t: &str, attrs: &str| {
        s.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" dy=\"0.35em\" text-anchor=\"middle\" {HALO} {attrs}>{}</text>\n",
            escape(t)
        ));
    };
    text(
        &mut s,
        WIDTH / 2.0,
        18.0,
        &format!(
            "Backprop at work: the 2b network ({}), input x = ({}, {}), target {}",
            b.perturbation,
            num(b.x[0]),
            num(b.x[1]),
            num(b.target)
        ),
        "font-size=\"15\" font-weight=\"bold\"",
    );
    text(
        &mut s,
        WIDTH / 2.0,
        40.0,
        "on each connection: weight | dL/dweight;  blue: forward (v, z);  red: backward (δ, gradients)",
        "fill=\"#333\"",
    );
    // Connections first, under the units.
    let edge = |s: &mut String, from: (f64, f64), to: (f64, f64), weight: f64, grad: f64, hot: bool, at: f64| {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let len = (dx * dx + dy * dy).sqrt();
        let (ux, uy) = (dx / len, dy / len);
        let (x1, y1, x2, y2) = (from.0 + ux * R, from.1 + uy * R, to.0 - ux * R, to.1 - uy * R);
        let style = if hot {
            format!("stroke=\"{RED}\" stroke-width=\"3\" stroke-dasharray=\"7 4\"")
        } else {
            "stroke=\"#888\" stroke-width=\"1.5\"".to_owned()
        };
        s.push_str(&format!(
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" {style}/>\n"
        ));
        let (lx, ly) = (from.0 + dx * at, from.1 + dy * at);
        let label = format!("{} | {}", num(weight), num(grad));
        let w = 9.0 + 7.5 * label.chars().count() as f64;
        s.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"19\" rx=\"3\" fill=\"white\" stroke=\"{}\"/>\n",
            lx - w / 2.0,
            ly - 9.5,
            if hot { RED } else { "#bbb" }
        ));
        s.push_str(&format!(
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" dy=\"0.35em\" text-anchor=\"middle\"{}>{}</text>\n",
            if hot {
                format!(" fill=\"{RED}\" font-weight=\"bold\"")
            } else {
                String::new()
            },
            escape(&label)
        ));
    };
    for (k, &h) in hidden.iter().enumerate() {
        for (i, &x) in input.iter().enumerate() {
            let hot = b.perturbed == Perturbed::V(k, i);
            edge(&mut s, x, h, b.v_weights[k][i], b.grad_v[k][i], hot, 0.7);
        }
        edge(
            &mut s,
            h,
            output,
            b.w[k],
            b.grad_w[k],
            b.perturbed == Perturbed::W(k),
            0.5,
        );
    }
    // Units.
    let unit = |s: &mut String, (x, y): (f64, f64), lines: &[(String, &str)], hot: bool| {
        s.push_str(&format!(
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"{R}\" fill=\"#f7f7fb\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
            if hot { RED } else { "#333" },
            if hot { "3" } else { "1.5" }
        ));
        let n = lines.len() as f64;
        for (j, (t, colour)) in lines.iter().enumerate() {
            let ty = y + (j as f64 - (n - 1.0) / 2.0) * 16.0;
            s.push_str(&format!(
                "<text x=\"{x}\" y=\"{ty:.1}\" dy=\"0.35em\" text-anchor=\"middle\" fill=\"{colour}\">{}</text>\n",
                escape(t)
            ));
        }
    };
    for (i, &p) in input.iter().enumerate() {
        unit(&mut s, p, &[(format!("x{} = {}", i + 1, num(b.x[i])), BLUE)], false);
        text(
            &mut s,
            p.0,
            p.1 - R - 12.0,
            &format!("input {}", i + 1),
            "fill=\"#333\"",
        );
    }
    for (k, &p) in hidden.iter().enumerate() {
        let hot = b.perturbed == Perturbed::B(k);
        unit(
            &mut s,
            p,
            &[
                (format!("v = {}", num(b.v_hidden[k])), BLUE),
                (format!("z = {}", num(b.z_hidden[k])), BLUE),
                (format!("δ = {}", num(b.delta_hidden[k])), RED),
            ],
            false,
        );
        let bias = format!("hidden {k}:  b = {} | dL/db = {}", num(b.b[k]), num(b.grad_b[k]));
        let attrs = if hot {
            format!("fill=\"{RED}\" font-weight=\"bold\"")
        } else {
            "fill=\"#333\"".to_owned()
        };
        // Above the unit, except below the lowest one, where the lines from
        // input 1 and to the output would cross its label.
        let below = k + 1 == hidden.len();
        let y = if below { p.1 + R + 14.0 } else { p.1 - R - 10.0 };
        text(&mut s, p.0, y, &bias, &attrs);
    }
    unit(
        &mut s,
        output,
        &[
            (format!("v = {}", num(b.y)), BLUE),
            (format!("y = {}", num(b.y)), BLUE),
            (format!("δ = {}", num(b.delta_out)), RED),
        ],
        false,
    );
    // Right-aligned and high enough to clear the line from hidden unit 0.
    s.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" dy=\"0.35em\" text-anchor=\"end\" {HALO} fill=\"#333\">output (linear, no bias)</text>\n",
        WIDTH - 6.0,
        output.1 - R - 25.0
    ));
    text(
        &mut s,
        output.0,
        output.1 + R + 16.0,
        &format!("target y* = {}", num(b.target)),
        "fill=\"#333\"",
    );
    let note = format!(
        "red, dashed: the perturbed parameter {} (was {})",
        b.perturbation,
        num(b.original)
    );
    text(&mut s, WIDTH / 2.0, HEIGHT - 12.0, &note, &format!("fill=\"{RED}\""));
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exercise 1 by hand for the 2b start (`W[0,1] = 0`), x = (1, 1),
    /// target 0: v = V x + b = (1, 1 + 1 - 1, 1) = (1, 1, 1), all positive,
    /// so z = v and phi' = 1; y = W z = 1 + 0 + 1 = 2.
    /// (d): delta^2 = -(y - y*) * 1 = -2; dL/dW_0k = delta^2 z_k = -2.
    /// (e): delta^1_k = phi'(v_k) W_0k delta^2 = (-2, 0, -2);
    ///      dL/dV_ki = delta^1_k x_i.
    /// (f): dL/db_k = delta^1_k.
    #[test]
    fn the_numbers_are_exercise_1_by_hand() {
        let b = backprop_at_work("W[0,1]=0", [1.0, 1.0], 0.0).unwrap();
        assert_eq!(b.original, -2.0);
        assert_eq!(b.perturbed, Perturbed::W(1));
        assert_eq!(b.v_weights, [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
        assert_eq!((b.b, b.w), ([0.0, -1.0, 0.0], [1.0, 0.0, 1.0]));
        assert_eq!(b.v_hidden, [1.0, 1.0, 1.0]);
        assert_eq!(b.z_hidden, [1.0, 1.0, 1.0]);
        assert_eq!(b.y, 2.0);
        assert_eq!(b.delta_out, -2.0);
        assert_eq!(b.grad_w, [-2.0, -2.0, -2.0]);
        assert_eq!(b.delta_hidden, [-2.0, 0.0, -2.0]);
        assert_eq!(b.grad_v, [[-2.0, -2.0], [0.0, 0.0], [-2.0, -2.0]]);
        assert_eq!(b.grad_b, [-2.0, 0.0, -2.0]);
    }

    #[test]
    fn the_diagram_shows_every_number_and_marks_the_perturbed_weight() {
        let b = backprop_at_work("W[0,1]=0", [1.0, 1.0], 0.0).unwrap();
        let svg = diagram_svg(&b);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<line").count(), 9);
        assert_eq!(svg.matches("δ = −2").count(), 3); // output, hidden 0 and 2
        assert_eq!(svg.matches("δ = 0").count(), 1);
        assert_eq!(svg.matches("stroke-dasharray").count(), 1);
        assert!(svg.contains("0 | −2"), "the perturbed weight and its gradient");
        assert!(svg.contains("dL/db = 0"));
        // other perturbations mark their own parameter
        let v = backprop_at_work("V[2,1]=0.5", [1.0, 1.0], 0.0).unwrap();
        assert_eq!(v.perturbed, Perturbed::V(2, 1));
        let bias = backprop_at_work("b[1]=0", [1.0, 1.0], 0.0).unwrap();
        assert_eq!(bias.perturbed, Perturbed::B(1));
        assert!(diagram_svg(&bias).contains("font-weight=\"bold\">hidden 1:"));
    }

    #[test]
    fn numbers_print_short_with_a_true_minus() {
        assert_eq!(
            (num(-2.0), num(0.0), num(-0.0), num(0.25), num(1.0 / 3.0)),
            ("−2".into(), "0".into(), "0".into(), "0.25".into(), "0.333".into())
        );
    }
}
