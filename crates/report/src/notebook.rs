//! The report as a Jupyter notebook (`report/submission.ipynb`), the form
//! the course collects: the report's Markdown in cells, every figure
//! embedded as a cell attachment, and code cells in plain Python with NumPy
//! that hold the corrected Backprop and check it against this project's
//! `--rng numpy` runs.

use crate::metrics::Metrics;
use anyhow::{Context, Result, bail};
use base64::Engine;
use exercise_harness::metrics::SheetWeights;
use exercise_harness::sheet::xor_start;
use mlp::Generator;
use mlp::train::Sampling;
use serde_json::{Value, json};

/// The XOR data the checks run on: inputs and targets, as the data file
/// holds them.
#[derive(Clone, Debug, PartialEq)]
pub struct XorData {
    pub inputs: Vec<Vec<f64>>,
    pub targets: Vec<Vec<f64>>,
}

/// Builds the notebook from the rendered Markdown `md`, the figures it
/// links (`figure(path)` gives an SVG's text) and the metrics of the runs
/// the checks reproduce.
pub fn notebook(md: &str, figure: &dyn Fn(&str) -> Result<String>, metrics: &Metrics, xor: &XorData) -> Result<String> {
    let mut cells: Vec<Value> = Vec::new();
    let mut code_placed = false;
    for section in sections(md) {
        if !code_placed && section.starts_with("### 2b") {
            cells.extend(code_cells(metrics, xor)?);
            code_placed = true;
        }
        cells.push(markdown_cell(&section, figure)?);
    }
    if !code_placed {
        cells.extend(code_cells(metrics, xor)?);
    }
    for (i, cell) in cells.iter_mut().enumerate() {
        cell["id"] = json!(format!("cell-{i:03}"));
    }
    let nb = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    let mut text = serde_json::to_string_pretty(&nb)?;
    text.push('\n');
    Ok(text)
}

/// The Markdown cut before every `##` and `###` heading (outside code
/// blocks), each piece with its heading.
fn sections(md: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_code = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && (line.starts_with("## ") || line.starts_with("### ")) && !current.trim().is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out.into_iter().map(|s| s.trim_end().to_owned()).collect()
}

/// Text as notebook source: a list of lines, each but the last ending in a
/// newline.
fn source(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_owned).collect()
}

/// A Markdown cell whose images (`![caption](path.svg)`, alone on a line)
/// become attachments.
fn markdown_cell(text: &str, figure: &dyn Fn(&str) -> Result<String>) -> Result<Value> {
    let mut attachments = serde_json::Map::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        let image = line
            .trim()
            .strip_prefix("![")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|rest| rest.rsplit_once("]("));
        match image {
            Some((caption, path)) if path.ends_with(".svg") => {
                let name = path.replace('/', "-");
                let svg = figure(path)?;
                let data = base64::engine::general_purpose::STANDARD.encode(svg.as_bytes());
                attachments.insert(name.clone(), json!({"image/svg+xml": data}));
                lines.push(format!("![{caption}](attachment:{name})"));
            }
            _ => lines.push(line.to_owned()),
        }
    }
    let mut cell = json!({
        "cell_type": "markdown",
        "metadata": {},
        "source": source(&spelled_out_primes(&lines.join("\n"))),
    });
    if !attachments.is_empty() {
        cell["attachments"] = Value::Object(attachments);
    }
    Ok(cell)
}

/// `text` with every prime in its formulas written `^{\prime}`: the same
/// symbol, but MathJax 2 setups such as nbconvert's HTML with a local
/// MathJax stop at the shorthand `x'` ("Math Processing Error"). Fenced
/// code is left alone.
fn spelled_out_primes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_code, mut in_math) = (false, false);
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if in_code || line.trim_start().starts_with("```") {
            out.push_str(line);
            continue;
        }
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '$' => {
                    // `$$` opens or closes display math as one delimiter.
                    if chars.peek() == Some(&'$') {
                        chars.next();
                        out.push('$');
                    }
                    in_math = !in_math;
                    out.push('$');
                }
                '\'' if in_math => {
                    let mut primes = String::from("\\prime");
                    while chars.peek() == Some(&'\'') {
                        chars.next();
                        primes.push_str("\\prime");
                    }
                    out.push_str(&format!("^{{{primes}}}"));
                }
                _ => out.push(c),
            }
        }
    }
    out
}

fn code_cell(text: &str) -> Value {
    json!({
        "cell_type": "code",
        "execution_count": null,
        "metadata": {},
        "outputs": [],
        "source": source(text.trim_end()),
    })
}

/// A float as Python reads it back to the same bits.
fn py(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains("inf") || s.contains("NaN") {
        format!("float('{s}')")
    } else {
        s
    }
}

fn py_rows(rows: &[Vec<f64>]) -> String {
    let inner: Vec<String> = rows
        .iter()
        .map(|r| format!("[{}]", r.iter().map(|x| py(*x)).collect::<Vec<_>>().join(", ")))
        .collect();
    format!("np.array([{}])", inner.join(", "))
}

fn py_vec(v: &[f64]) -> String {
    format!(
        "np.array([{}])",
        v.iter().map(|x| py(*x)).collect::<Vec<_>>().join(", ")
    )
}

/// The course's XOR start as `V`, `b`, `W`.
fn start_weights() -> Result<SheetWeights> {
    SheetWeights::of(&xor_start())
}

pub const BACKPROP: &str = r#"import numpy as np

# The XOR network of 2a and 2b: x -> v = V x + b -> z = relu(v) -> y = W z
# (no output bias). The objective L = -1/2 |y - y*|^2 is climbed.

def relu(v):
    return np.maximum(v, 0.0)

def relu_prime(v):
    # 1 for v > 0, 0 for v < 0, and 0 at v = 0 (where relu has no derivative)
    return np.where(v > 0.0, 1.0, 0.0)

def backpropagate(x, target, V, b, W):
    """dL/dV, dL/db and dL/dW for one sample: Exercise 1 (d), (e) and (f)."""
    v = V @ x + b
    z = relu(v)
    y = W @ z
    delta_out = -(y - target)                          # (d): the output is linear, phi' = 1
    delta_hidden = relu_prime(v) * (W.T @ delta_out)   # (e), with W before its update
    return np.outer(delta_hidden, x), delta_hidden, np.outer(delta_out, z)   # (e), (f), (d)

def train(V, b, W, X, Y, eta, mu, iterations, seed):
    """The course's loop: after np.random.seed(seed), one sample per iteration
    drawn by np.random.randint(0, N); momentum dP = eta dL/dP + mu dP, P = P + dP,
    every dP starting at 0."""
    np.random.seed(seed)
    V, b, W = V.copy(), b.copy(), W.copy()
    dV, db, dW = np.zeros_like(V), np.zeros_like(b), np.zeros_like(W)
    for _ in range(iterations):
        i = np.random.randint(0, X.shape[0])
        gV, gb, gW = backpropagate(X[i], Y[i], V, b, W)
        dW = eta * gW + mu * dW
        W = W + dW
        dV = eta * gV + mu * dV
        V = V + dV
        db = eta * gb + mu * db
        b = b + db
    return V, b, W
"#;

/// The corrected Backprop alone, as the report's 2a prints it: the lines
/// of [`BACKPROP`] from `def relu` to the end of `backpropagate`.
pub fn backprop_function() -> &'static str {
    let start = BACKPROP.find("def relu(v):").unwrap_or(0);
    let end = BACKPROP.find("\ndef train(").unwrap_or(BACKPROP.len());
    BACKPROP[start..end].trim_end()
}

/// Compares `backpropagate` with central differences; needs `X` and `Y`.
const FINITE_DIFFERENCES: &str = r#"def cost(x, t, V, b, W):
    return 0.5 * np.sum((W @ relu(V @ x + b) - t) ** 2)

draw = np.random.RandomState(1)   # its own stream: np.random.seed below is untouched
h = 1e-6
worst = 0.0
for trial in range(5):
    V, b, W = draw.normal(size=(3, 2)), draw.normal(size=3), draw.normal(size=(1, 3))
    for x, t in zip(X, Y):
        gV, gb, gW = backpropagate(x, t, V, b, W)
        for P, G in ((V, gV), (b, gb), (W, gW)):
            for k in np.ndindex(P.shape):
                kept = P[k]
                P[k] = kept + h
                up = cost(x, t, V, b, W)
                P[k] = kept - h
                down = cost(x, t, V, b, W)
                P[k] = kept
                # dL/dP = -dC/dP
                worst = max(worst, abs(G[k] + (up - down) / (2 * h)))
assert worst < 1e-6, worst
print('Exercise 1: largest gap between backpropagate and finite differences', worst)"#;

/// The code cells: the corrected Backprop, its finite-difference check, and
/// the checks of 2a and 2b.
fn code_cells(metrics: &Metrics, xor: &XorData) -> Result<Vec<Value>> {
    let start = start_weights()?;
    let (a, b) = (&metrics.ex2a, &metrics.ex2b);
    for (part, s) in [("2a", &a.header.settings), ("2b", &b.header.settings)] {
        if s.sampling != Sampling::Random {
            bail!(
                "the notebook's check replays random sampling; the {part} run used {}",
                s.sampling
            );
        }
    }
    let data = format!(
        "X = {}\nY = {}\nV0 = {}\nb0 = {}\nW0 = {}",
        py_rows(&xor.inputs),
        py_rows(&xor.targets),
        py_rows(&start.V),
        py_vec(&start.b),
        py_rows(&start.W),
    );
    let mut cells = vec![
        json!({
            "cell_type": "markdown",
            "metadata": {},
            "source": source(
                "### The corrected Backprop in NumPy\n\n\
                 The next cell is this submission's corrected Backprop for 2a in the course script's own terms \
                 (`V`, `b`, `W`, momentum as in the course script), in plain Python with NumPy; the report's \
                 Rust listing is the same function in the project's core. The cells after it check it: against \
                 central finite differences of the cost (Exercise 1 by numbers), on 2a (from the course's start \
                 no parameter moves), and on 2b, whose replay must end within $10^{-12}$ of the final weights of \
                 this report's run, which drew from NumPy's generator (`--rng numpy`); NumPy and the Rust core \
                 sum in different orders, so the last bits may differ."
            ),
        }),
        code_cell(BACKPROP),
        code_cell(&format!(
            "# Exercise 1 by numbers: backpropagate against central finite differences of the\n\
             # cost C = 1/2 |y - y*|^2 = -L, for every sample and every parameter, at random\n\
             # parameters (which put no v within reach of the ReLU's kink at v = 0).\n\
             X = {}\nY = {}\n{FINITE_DIFFERENCES}",
            py_rows(&xor.inputs),
            py_rows(&xor.targets),
        )),
    ];
    let s = &a.header.settings;
    cells.push(code_cell(&format!(
        "# 2a: the course's start already solves XOR, so nothing may move.\n\
         {data}\n\
         V, b, W = train(V0, b0, W0, X, Y, eta={}, mu={}, iterations={}, seed={})\n\
         change = max(np.max(np.abs(V - V0)), np.max(np.abs(b - b0)), np.max(np.abs(W - W0)))\n\
         assert change == 0.0, change\n\
         print('2a: largest parameter change', change)",
        py(s.learning_rate),
        py(s.momentum),
        s.iterations,
        s.seed
    )));
    let s = &b.header.settings;
    let p: exercise_harness::sheet::Perturbation = b.perturbation.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let (name, index) = match p.index.param {
        exercise_harness::sheet::Param::V => ("V", format!("{}, {}", p.index.row, p.index.col)),
        exercise_harness::sheet::Param::W => ("W", format!("{}, {}", p.index.row, p.index.col)),
        exercise_harness::sheet::Param::B => ("b", format!("{}", p.index.row)),
    };
    let f = &b.final_weights;
    let check = if s.rng == Generator::Numpy {
        format!(
            "# The final weights of this report's 2b run (--rng numpy --seed {seed}):\n\
             V_run = {}\nb_run = {}\nW_run = {}\n\
             gap = max(np.max(np.abs(V - V_run)), np.max(np.abs(b - b_run)), np.max(np.abs(W - W_run)))\n\
             assert gap <= 1e-12, gap\n\
             print('2b: largest difference from the report run', gap)",
            py_rows(&f.V),
            py_vec(&f.b),
            py_rows(&f.W),
            seed = s.seed,
        )
    } else {
        format!(
            "# This report's runs drew from {}, which NumPy does not reproduce: no comparison.\n\
             print('2b: final weights', V, b, W)",
            s.rng
        )
    };
    cells.push(code_cell(&format!(
        "# 2b: the perturbed start {pert}, trained the same way.\n\
         {data}\n\
         V0, b0, W0 = V0.copy(), b0.copy(), W0.copy()\n\
         {name}0[{index}] = {value}\n\
         V, b, W = train(V0, b0, W0, X, Y, eta={eta}, mu={mu}, iterations={it}, seed={seed})\n\
         final_cost = 0.5 * np.mean([np.sum((W @ relu(V @ x + b) - t) ** 2) for x, t in zip(X, Y)])\n\
         print('2b: data-set cost after training', final_cost)\n\
         {check}",
        pert = b.perturbation,
        value = py(p.value),
        eta = py(s.learning_rate),
        mu = py(s.momentum),
        it = s.iterations,
        seed = s.seed,
    )));
    Ok(cells)
}

/// Checks `text` against the rules of nbformat 4.5 that a notebook of ours
/// must keep, and that it runs in a plain kernel: every cell with a valid
/// unique id, sources as lists of strings, attachments that the Markdown
/// uses, code cells without outputs, shell escapes, magics or file reads.
pub fn check(text: &str) -> Result<()> {
    let nb: Value = serde_json::from_str(text).context("not JSON")?;
    let obj = nb.as_object().context("not a JSON object")?;
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    if keys != ["cells", "metadata", "nbformat", "nbformat_minor"] {
        bail!("top-level keys {keys:?}");
    }
    if nb["nbformat"] != 4 || nb["nbformat_minor"].as_u64().is_none_or(|m| m < 5) {
        bail!("not nbformat 4.5 or later");
    }
    if nb["metadata"]["kernelspec"]["name"] != "python3" {
        bail!("no python3 kernelspec");
    }
    let mut ids = std::collections::HashSet::new();
    for (i, cell) in nb["cells"]
        .as_array()
        .context("cells is not a list")?
        .iter()
        .enumerate()
    {
        let at = |what: &str| format!("cell {i}: {what}");
        let id = cell["id"].as_str().with_context(|| at("no id"))?;
        let id_ok =
            (1..=64).contains(&id.len()) && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !id_ok || !ids.insert(id.to_owned()) {
            bail!(at(&format!("bad or repeated id {id:?}")));
        }
        let lines: Vec<&str> = cell["source"]
            .as_array()
            .with_context(|| at("source is not a list"))?
            .iter()
            .map(|l| l.as_str().with_context(|| at("a source line is not a string")))
            .collect::<Result<_>>()?;
        if lines.iter().rev().skip(1).any(|l| !l.ends_with('\n')) {
            bail!(at("a source line other than the last does not end in a newline"));
        }
        let text: String = lines.concat();
        if !cell["metadata"].is_object() {
            bail!(at("no metadata object"));
        }
        let allowed: &[&str] = match cell["cell_type"].as_str() {
            Some("markdown") => &["attachments", "cell_type", "id", "metadata", "source"],
            Some("code") => &["cell_type", "execution_count", "id", "metadata", "outputs", "source"],
            other => bail!(at(&format!("cell type {other:?}"))),
        };
        if let Some(k) = cell
            .as_object()
            .unwrap()
            .keys()
            .find(|k| !allowed.contains(&k.as_str()))
        {
            bail!(at(&format!("unexpected key {k}")));
        }
        if cell["cell_type"] == "markdown" {
            if let Some(att) = cell.get("attachments") {
                for (name, bundle) in att.as_object().with_context(|| at("attachments is not an object"))? {
                    if !text.contains(&format!("(attachment:{name})")) {
                        bail!(at(&format!("attachment {name} is not used")));
                    }
                    let data = bundle["image/svg+xml"]
                        .as_str()
                        .with_context(|| at("attachment without SVG"))?;
                    base64::engine::general_purpose::STANDARD
                        .decode(data)
                        .with_context(|| at("attachment is not base64"))?;
                }
            }
            if text.contains("(attachment:") && cell.get("attachments").is_none() {
                bail!(at("refers to an attachment it does not have"));
            }
        } else {
            if !cell["execution_count"].is_null() || cell["outputs"] != json!([]) {
                bail!(at("a code cell with outputs or an execution count"));
            }
            for line in text.lines() {
                let t = line.trim_start();
                if t.starts_with('!') || t.starts_with('%') {
                    bail!(at(&format!("shell escape or magic: {line}")));
                }
                for reads in [
                    "open(",
                    "np.load",
                    "np.genfromtxt",
                    "np.loadtxt",
                    "import os",
                    "subprocess",
                ] {
                    if t.contains(reads) {
                        bail!(at(&format!("reads files or runs programs: {line}")));
                    }
                }
                if let Some(module) = t.strip_prefix("import ").or_else(|| t.strip_prefix("from "))
                    && !module.starts_with("numpy")
                {
                    bail!(at(&format!("imports something other than NumPy: {line}")));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_in_formulas_are_spelled_out_and_nowhere_else() {
        let md = "The course's $\\varphi'(v)$ and\n$$\na' = b''\n$$\n```rust\nfn f<'a>() {}\n```\nit's $x$";
        assert_eq!(
            spelled_out_primes(md),
            "The course's $\\varphi^{\\prime}(v)$ and\n$$\na^{\\prime} = b^{\\prime\\prime}\n$$\n```rust\nfn f<'a>() {}\n```\nit's $x$"
        );
    }
}
