//! The report as a Jupyter notebook (`report/submission.ipynb`), the form
//! the course collects: the sheet's answers as Markdown beside code cells in
//! the course script's terms (plain Python 3 with NumPy, SciPy and
//! matplotlib) that run every part, draw its figures and end by comparing
//! their numbers with the report's Rust runs; and [`execute`], which runs
//! it with nbclient.

use crate::findings::data::Data;
use crate::metrics::Metrics;
use anyhow::{Context, Result, bail};
use exercise_harness::metrics::SheetWeights;
use mlp::Generator;
use mlp::train::Sampling;
use serde_json::{Value, json};
use std::path::Path;

/// Builds the notebook from the report's Markdown `md` (its sections up to
/// the appendix) and the metrics of the runs its code replays.
pub fn notebook(md: &str, metrics: &Metrics, data: &Data) -> Result<String> {
    let mut cells: Vec<Value> = Vec::new();
    let placed = |cells: &mut Vec<Value>, heading: &str| -> Result<()> {
        let code = match heading {
            h if h.starts_with("# ") => vec![
                ("setup", SETUP.to_owned()),
                ("reference", reference_cell(metrics, data)),
            ],
            h if h.starts_with("### The result, and how it maps") => vec![
                ("backprop", BACKPROP.to_owned()),
                ("ex1-check", FINITE_DIFFERENCES.to_owned()),
            ],
            h if h.starts_with("### 2a") => vec![("2a", code_2a(metrics))],
            h if h.starts_with("### 2b") => vec![("2b", code_2b(metrics)?)],
            h if h.starts_with("### 2c") => code_2c(metrics)?,
            h if h.starts_with("### 2d") => vec![("2d", code_2d(metrics))],
            _ => vec![],
        };
        for (id, text) in code {
            let mut cell = code_cell(&text);
            cell["id"] = json!(format!("code-{id}"));
            cells.push(cell);
        }
        Ok(())
    };
    for section in sections(md) {
        if section.starts_with("## Beyond the sheet") {
            break;
        }
        let heading = section.lines().next().unwrap_or_default().to_owned();
        cells.push(markdown_cell(&section));
        placed(&mut cells, &heading)?;
    }
    cells.push(markdown_cell(
        "### Beyond the sheet\n\nThe appendix of this submission (the finite-difference table of Exercise 1, \
         backprop at work on the 2b network, the perturbation sweep of 2b, 2c at one learning rate, capacity \
         and snapshots, what the hidden units of 2d read, how to reproduce a run, provenance) is in the report \
         beside this notebook: `index.html`, or `submission.pdf` where it was printed.",
    ));
    for (i, cell) in cells.iter_mut().enumerate() {
        if cell.get("id").is_none() {
            cell["id"] = json!(format!("text-{i:03}"));
        }
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

/// A Markdown cell: the report's text without its figures (the notebook
/// draws its own from code) and without its listings (the code cells hold
/// the code); a reference to a report figure names the report.
fn markdown_cell(text: &str) -> Value {
    let mut lines = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            if in_code {
                lines.push("*(In this notebook the listing is a code cell: the one after Exercise 1.)*".to_owned());
            }
            continue;
        }
        let image = line.trim().starts_with("![") && line.trim().ends_with(')');
        if in_code || image {
            continue;
        }
        lines.push(figure_refs(line));
    }
    let mut text = lines.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    json!({
        "cell_type": "markdown",
        "metadata": {},
        "source": source(&spelled_out_primes(text.trim())),
    })
}

/// `Figure 3` as `the report's Figure 3`: the notebook has its own figures,
/// drawn by its code, and the report's numbered ones are in the report.
fn figure_refs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("Figure ") {
        let after = &rest[at + 7..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        out.push_str(&rest[..at]);
        if digits > 0 {
            let before = out.trim_end();
            let starts = before.is_empty() || before.ends_with(['.', ':', '!', '?']) || before.ends_with("#}");
            out.push_str(if starts { "The report's " } else { "the report's " });
        }
        out.push_str("Figure ");
        rest = after;
    }
    out.push_str(rest);
    out
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

/// `template` with every `@NAME@` replaced by its value.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("@{name}@"), value);
    }
    debug_assert!(!out.contains("@\n"), "a placeholder is left in {out}");
    out
}

/// The Python lines that draw the sample indices `T` for a run with these
/// settings, after the start has been drawn (or given): one
/// `np.random.randint(0, N)` per iteration, as one call, for random
/// sampling; the samples in turn for cyclic sampling.
fn indices(s: &exercise_harness::metrics::Settings, n: &str) -> String {
    match s.sampling {
        Sampling::Random => format!("T = np.random.randint(0, {n}, {})", s.iterations),
        Sampling::Cyclic => format!("T = np.arange({}) % {n}", s.iterations),
    }
}

/// What every training cell fills in from its run's settings: the seed,
/// `eta`, `mu` and the line that draws the sample indices from `n` samples.
fn run_values(s: &exercise_harness::metrics::Settings, n: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SEED", s.seed.to_string()),
        ("ETA", py(s.learning_rate)),
        ("MU", py(s.momentum)),
        ("INDICES", indices(s, n)),
    ]
}

/// Why NumPy cannot replay a run with these settings, if it cannot.
fn why_not(s: &exercise_harness::metrics::Settings) -> Option<String> {
    (s.rng != Generator::Numpy)
        .then(|| format!("the report's run drew from --rng {}, which NumPy does not draw", s.rng))
}

/// The cell that holds what the notebook compares with: for each part the
/// report's Rust run replayed, the SHA-256 of the data files it read and
/// its final weights and costs (`RUST`); for the others, why not
/// (`NOT_COMPARED`).
fn reference_cell(m: &Metrics, data: &Data) -> String {
    let sha = |name: &str| {
        data.files
            .iter()
            .find(|f| f.name == name)
            .map_or_else(String::new, |f| f.sha256.clone())
    };
    let files = |names: &[&str]| {
        format!(
            "{{{}}}",
            names
                .iter()
                .map(|n| format!("\"{n}\": \"{}\"", sha(n)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut runs: Vec<String> = Vec::new();
    let mut not: Vec<String> = Vec::new();
    let mut entry = |part: String, why: Option<String>, body: String| match why {
        Some(w) => not.push(format!("    \"{part}\": \"{w}\",")),
        None => runs.push(format!("    \"{part}\": dict(\n{body}),")),
    };
    let xor = files(&["xor_data.npz"]);
    entry(
        "2a".into(),
        why_not(&m.ex2a.header.settings),
        format!(
            "        files={xor},\n        change={}, cost={}",
            py(m.ex2a.max_abs_weight_change),
            py(m.ex2a.final_cost)
        ),
    );
    let b = &m.ex2b;
    entry(
        "2b".into(),
        why_not(&b.header.settings),
        format!(
            "        files={xor},\n{},\n        cost={}",
            weights(&b.final_weights),
            py(b.final_cost)
        ),
    );
    let c = &m.ex2c;
    for s in &c.summary {
        let part = format!("2c, K = {}", s.hidden);
        let settings = c.first_seed_settings(s.learning_rate);
        match c.replayed.iter().find(|r| r.hidden == s.hidden) {
            Some(r) => entry(
                part,
                why_not(&settings),
                format!(
                    "        files={},\n{},\n        train_cost={}, test_cost={}",
                    files(&["func_approx_training.npz", "func_approx_test.npz"]),
                    weights(&r.final_weights),
                    py(r.train_cost),
                    py(r.test_cost)
                ),
            ),
            None => entry(
                part,
                Some(why_not(&settings).unwrap_or_else(|| "the report recorded no final weights for this run".into())),
                String::new(),
            ),
        }
    }
    let d = &m.ex2d;
    entry(
        "2d".into(),
        why_not(&d.header.settings),
        format!(
            "        files={},\n{},\n        cost={}",
            files(&["bar_data.npy"]),
            weights(&d.final_weights),
            py(d.final_cost)
        ),
    );
    format!(
        "# The report's Rust runs that the cells below replay: the data files each read (SHA-256),\n\
         # its final weights V, b, W and its costs. compare() checks against these.\n\
         RUST = {{\n{}\n}}\nNOT_COMPARED = {{\n{}\n}}",
        runs.join("\n"),
        not.join("\n")
    )
}

/// A run's weights as the keyword arguments `V=..., b=..., W=...` of a
/// Python `dict`, four numbers to a line.
fn weights(w: &SheetWeights) -> String {
    let numbers = |v: &[f64]| {
        v.chunks(4)
            .map(|c| c.iter().map(|x| py(*x)).collect::<Vec<_>>().join(", "))
            .collect::<Vec<_>>()
            .join(",\n            ")
    };
    let matrix = |rows: &[Vec<f64>]| {
        format!(
            "np.array([\n            [{}]])",
            rows.iter()
                .map(|r| numbers(r))
                .collect::<Vec<_>>()
                .join("],\n            [")
        )
    };
    format!(
        "        V={},\n        b=np.array([{}]),\n        W={}",
        matrix(&w.V),
        numbers(&w.b),
        matrix(&w.W)
    )
}

/// Imports, the data loader and the comparison with the Rust runs.
const SETUP: &str = r#"# Plain Python 3 with NumPy, SciPy and matplotlib. Run the cells in order, from the
# folder that holds this notebook and the data files (the report copies them there).
import hashlib
import numpy as np
from scipy.special import expit
import matplotlib.pyplot as plt

TARGETS = {"xor_data.npz": 1, "func_approx_training.npz": 1, "func_approx_test.npz": 1, "bar_data.npy": 2}


def load(name):
    """The data file `name` beside this notebook: inputs and targets, one row per sample."""
    try:
        data = np.load(name)
    except FileNotFoundError:
        raise SystemExit(f"{name} is not beside this notebook: put the course's {name} here "
                         "(cargo xtask report copies the files it used into the report folder)") from None
    if name.endswith(".npy"):
        data = np.asarray(data, dtype=float)
        return data[:, :-TARGETS[name]], data[:, -TARGETS[name]:]
    keys = ("inp", "out") if "inp" in data else ("X", "Y")
    x, y = (np.asarray(data[k], dtype=float) for k in keys)
    return x.reshape(len(x), -1), y.reshape(len(y), -1)


def relative_difference(got, expected):
    """The largest |a - b| / max(|a|, |b|) over the elements (0 where both are 0)."""
    a, b = np.ravel(np.asarray(got, dtype=float)), np.ravel(np.asarray(expected, dtype=float))
    scale = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1.0), 0.0)))


def sha256(name):
    return hashlib.sha256(np.fromfile(name, dtype=np.uint8).tobytes()).hexdigest()


def compare(part, **got):
    """Prints, and checks to 1e-9, how far this notebook's numbers (V, b, W, costs) lie
    off those of the report's Rust run of `part` (in RUST, the next cell)."""
    run = RUST.get(part)
    if run is None:
        print(f"{part}: {NOT_COMPARED.get(part, 'no Rust run recorded')}: no comparison")
        return
    changed = [name for name, digest in run["files"].items() if sha256(name) != digest]
    if changed:
        print(f"{part}: {', '.join(changed)} is not the file the report's Rust run read: no comparison")
        return
    worst = max(relative_difference(value, run[name]) for name, value in got.items())
    print(f"{part}: largest relative difference from the report's Rust run: {worst:.1e}")
    assert worst <= 1e-9, worst


def binned(costs, bins=200):
    """The mean per-sample cost in each of `bins` equal spans of iterations, and the spans' middles."""
    step = max(len(costs) // bins, 1)
    n = len(costs) // step * step
    return np.arange(n // step) * step + step / 2, costs[:n].reshape(-1, step).mean(axis=1)"#;

/// The corrected Backprop and the course's training loop.
pub const BACKPROP: &str = r#"# The network of Exercise 2: x -> v = V x + b -> z = phi(v) -> y = W z (no output bias).
# The objective L = -1/2 |y - y*|^2 is climbed.

def relu(v):
    return np.maximum(v, 0.0)

def relu_prime(v):
    # 1 for v > 0, 0 for v < 0, and 0 at v = 0 (where relu has no derivative)
    return np.where(v > 0.0, 1.0, 0.0)

def expit_prime(v):
    # phi'(v) = phi(v) phi(-v) = phi(v) (1 - phi(v)), in the form the Rust core uses
    return expit(v) * expit(-v)

def backpropagate(x, target, V, b, W, phi=relu, phi_prime=relu_prime):
    """dL/dV, dL/db and dL/dW for one sample (Exercise 1 (d), (e), (f)), and the output."""
    v = V @ x + b
    z = phi(v)
    y = W @ z
    delta_out = -(y - target)                            # (d): the output is linear, phi' = 1
    delta_hidden = phi_prime(v) * (W.T @ delta_out)      # (e), with W before its update
    return np.outer(delta_hidden, x), delta_hidden, np.outer(delta_out, z), y

def train(V, b, W, X, Y, eta, mu, T, phi=relu, phi_prime=relu_prime):
    """The course's loop: sample T[t] at iteration t; momentum dP = eta dL/dP + mu dP, P = P + dP,
    every dP starting at 0. Returns the trained V, b, W and each iteration's per-sample cost."""
    dV, db, dW = np.zeros_like(V), np.zeros_like(b), np.zeros_like(W)
    costs = np.empty(len(T))
    for t, i in enumerate(T):
        gV, gb, gW, y = backpropagate(X[i], Y[i], V, b, W, phi, phi_prime)
        costs[t] = 0.5 * np.sum((y - Y[i]) ** 2)
        dW = eta * gW + mu * dW
        W = W + dW
        dV = eta * gV + mu * dV
        V = V + dV
        db = eta * gb + mu * db
        b = b + db
    return V, b, W, costs

def data_cost(X, Y, V, b, W, phi=relu):
    """The mean over the samples of 1/2 |y - y*|^2."""
    return float(np.mean([0.5 * np.sum((W @ phi(V @ x + b) - t) ** 2) for x, t in zip(X, Y)]))"#;

/// The corrected Backprop alone, as the report's 2a prints it: the lines
/// of [`BACKPROP`] from `def relu` to the end of `backpropagate`.
pub fn backprop_function() -> &'static str {
    let start = BACKPROP.find("def relu(v):").unwrap_or(0);
    let end = BACKPROP.find("\ndef train(").unwrap_or(BACKPROP.len());
    BACKPROP[start..end].trim_end()
}

/// Exercise 1 by numbers: `backpropagate` against central differences.
const FINITE_DIFFERENCES: &str = r#"# Exercise 1 by numbers: backpropagate against central finite differences of the cost
# C = 1/2 |y - y*|^2 = -L, on the XOR inputs, for every parameter, at random parameters
# of the 2-3-1 ReLU network (checked to keep every v away from the ReLU's kink at 0).
# Its own generator: the global one, which the training runs seed, is left alone.
X, Y = load("xor_data.npz")
draw = np.random.RandomState(1)
h = 1e-6
worst, nearest_kink = 0.0, np.inf
for trial in range(5):
    V, b, W = draw.normal(size=(3, 2)), draw.normal(size=3), draw.normal(size=(1, 3))
    for x, t in zip(X, Y):
        nearest_kink = min(nearest_kink, np.min(np.abs(V @ x + b)))
        gV, gb, gW, _ = backpropagate(x, t, V, b, W)
        for P, G in ((V, gV), (b, gb), (W, gW)):
            for k in np.ndindex(P.shape):
                kept = P[k]
                P[k] = kept + h
                up = 0.5 * np.sum((W @ relu(V @ x + b) - t) ** 2)
                P[k] = kept - h
                down = 0.5 * np.sum((W @ relu(V @ x + b) - t) ** 2)
                P[k] = kept
                worst = max(worst, abs(G[k] + (up - down) / (2 * h)))   # dL/dP = -dC/dP
print("Exercise 1: largest gap between backpropagate and finite differences", worst)
print("  (every v stayed at least", nearest_kink, "from the ReLU's kink; the steps are", h, ")")
assert worst < 1e-6, worst
assert nearest_kink > 1000 * h, nearest_kink"#;

const CODE_2A: &str = r#"# 2a: the course's start, which solves XOR exactly, trained as the report's run
# (seed @SEED@, eta = @ETA@, mu = @MU@, @ITERATIONS@ iterations).
X, Y = load("xor_data.npz")
V0 = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
b0 = np.array([0.0, -1.0, 0.0])
W0 = np.array([[1.0, -2.0, 1.0]])
np.random.seed(@SEED@)
@INDICES@
V, b, W, costs = train(V0, b0, W0, X, Y, eta=@ETA@, mu=@MU@, T=T)
change = max(np.max(np.abs(V - V0)), np.max(np.abs(b - b0)), np.max(np.abs(W - W0)))
print("2a: largest change of any parameter:", change)
print("2a: largest per-sample cost during training:", costs.max())
assert change == 0.0, change
compare("2a", change=change, cost=data_cost(X, Y, V, b, W))
fig, ax = plt.subplots(figsize=(7, 2.8))
ax.plot(np.arange(len(costs)), costs, lw=1)
ax.set_ylim(-1e-12, 1e-12)
ax.set(xlabel="iteration", ylabel="per-sample cost",
       title="2a: from the course's start the cost stays exactly 0")
fig.tight_layout()"#;

fn code_2a(m: &Metrics) -> String {
    let s = &m.ex2a.header.settings;
    let mut values = run_values(s, "len(X)");
    values.push(("ITERATIONS", s.iterations.to_string()));
    fill(CODE_2A, &values)
}

const CODE_2B: &str = r#"# 2b: the course's start with @PERTURBATION@, trained as the report's run
# (seed @SEED@, the same settings as 2a).
X, Y = load("xor_data.npz")
V0 = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
b0 = np.array([0.0, -1.0, 0.0])
W0 = np.array([[1.0, -2.0, 1.0]])
@NAME@0[@INDEX@] = @VALUE@
np.random.seed(@SEED@)
@INDICES@
V, b, W, costs = train(V0, b0, W0, X, Y, eta=@ETA@, mu=@MU@, T=T)
final_cost = data_cost(X, Y, V, b, W)
print("2b: data-set cost before training", data_cost(X, Y, V0, b0, W0), "; after", final_cost)
print("2b: @NAME@[@INDEX@] went from @VALUE@ to", @NAME@[@INDEX@])
compare("2b", V=V, b=b, W=W, cost=final_cost)
at, mean = binned(costs)
fig, ax = plt.subplots(figsize=(7, 3))
ax.semilogy(at, np.maximum(mean, 1e-300))
ax.set(xlabel="iteration", ylabel="per-sample cost (mean per bin)",
       title="2b: from the perturbed start back to zero cost")
fig.tight_layout()"#;

fn code_2b(m: &Metrics) -> Result<String> {
    let b = &m.ex2b;
    let s = &b.header.settings;
    let p: exercise_harness::sheet::Perturbation = b.perturbation.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let (name, index) = match p.index.param {
        exercise_harness::sheet::Param::V => ("V", format!("{}, {}", p.index.row, p.index.col)),
        exercise_harness::sheet::Param::W => ("W", format!("{}, {}", p.index.row, p.index.col)),
        exercise_harness::sheet::Param::B => ("b", format!("{}", p.index.row)),
    };
    let mut values = run_values(s, "len(X)");
    values.extend([
        ("PERTURBATION", b.perturbation.clone()),
        ("NAME", name.to_owned()),
        ("INDEX", index),
        ("VALUE", py(p.value)),
    ]);
    Ok(fill(CODE_2B, &values))
}

const CODE_2C_RUN: &str = r#"# 2c, K = @K@: the report's run of seed @SEED@ at eta = @ETA@ (mu = @MU@), started as the
# sheet's footnote says: after np.random.seed, V, then W, then b from N(0, 1); then the
# sample indices (drawn after the start, so that the seed fixes them too).
X_train, Y_train = load("func_approx_training.npz")
X_test, Y_test = load("func_approx_test.npz")
np.random.seed(@SEED@)
V0 = np.random.normal(0., 1., (@K@, 1))
W0 = np.random.normal(0., 1., (1, @K@))
b0 = np.random.normal(0., 1., @K@)
@INDICES@
V, b, W, costs = train(V0, b0, W0, X_train, Y_train, eta=@ETA@, mu=@MU@, T=T,
                       phi=expit, phi_prime=expit_prime)
train_cost = data_cost(X_train, Y_train, V, b, W, phi=expit)
test_cost = data_cost(X_test, Y_test, V, b, W, phi=expit)
print(f"2c, K = @K@, seed @SEED@: average cost on the test data {test_cost:.5f}, "
      f"on the training data {train_cost:.5f}")
print("  (the report's mean test cost over its @SEEDS@ seeds, @FIRST@ to @LAST@: @MEAN@)")
compare("2c, K = @K@", V=V, b=b, W=W, train_cost=train_cost, test_cost=test_cost)
runs_2c[@K@] = dict(V=V, b=b, W=W, costs=costs, test_cost=test_cost)"#;

const CODE_2C_PLOTS: &str = r#"# 2c: the response of each trained network against the input, with the test data, and
# the training cost over time (one seed per K: the runs above).
lo, hi = min(X_train.min(), X_test.min()), max(X_train.max(), X_test.max())
grid = np.linspace(lo, hi, 400)
fig, axes = plt.subplots(1, len(runs_2c), figsize=(10, 3.6), sharey=True)
for ax, (K, r) in zip(np.atleast_1d(axes), runs_2c.items()):
    respond = lambda x: (r["W"] @ expit(r["V"] @ np.atleast_1d(x) + r["b"]))[0]
    ax.plot(grid, [respond(x) for x in grid], lw=2, label="network output")
    ax.plot(X_test[:, 0], Y_test[:, 0], "o", mfc="none", label="test data")
    ax.plot(X_test[:, 0], [respond(x) for x in X_test], ".", label="output at the test inputs")
    ax.set(xlabel="input x", title=f"K = {K}: average test cost {r['test_cost']:.5f}")
np.atleast_1d(axes)[0].set_ylabel("output y")
np.atleast_1d(axes)[0].legend(fontsize=8)
fig.tight_layout()
fig, ax = plt.subplots(figsize=(7, 3))
for K, r in runs_2c.items():
    at, mean = binned(r["costs"])
    ax.semilogy(at, mean, label=f"K = {K}")
ax.set(xlabel="iteration", ylabel="per-sample cost (mean per bin)",
       title="2c: training cost over time")
ax.legend()
fig.tight_layout()"#;

fn code_2c(m: &Metrics) -> Result<Vec<(&'static str, String)>> {
    let c = &m.ex2c;
    if c.summary.len() > 2 {
        bail!(
            "the notebook replays two sizes of 2c; the report ran {}",
            c.summary.len()
        );
    }
    let mut cells = Vec::new();
    for (i, s) in c.summary.iter().enumerate() {
        let settings = c.first_seed_settings(s.learning_rate);
        let mut values = run_values(&settings, "len(X_train)");
        values.extend([
            ("K", s.hidden.to_string()),
            ("SEEDS", c.seeds.count.to_string()),
            ("FIRST", c.seeds.first.to_string()),
            ("LAST", (c.seeds.first + c.seeds.count - 1).to_string()),
            ("MEAN", format!("{:.5}", s.test_cost_mean)),
        ]);
        let mut text = fill(CODE_2C_RUN, &values);
        if i == 0 {
            text = text.replacen("np.random.seed(", "runs_2c = {}\nnp.random.seed(", 1);
        }
        cells.push((if i == 0 { "2c-first" } else { "2c-second" }, text));
    }
    cells.push(("2c-figures", CODE_2C_PLOTS.to_owned()));
    Ok(cells)
}

const CODE_2D: &str = r#"# 2d: the 25-10-2 network on the bars, the report's run (seed @SEED@, eta = @ETA@,
# mu = @MU@), started like 2c: V, W, b from N(0, 1) after the seed, then the indices.
X, Y = load("bar_data.npy")
np.random.seed(@SEED@)
V0 = np.random.normal(0., 1., (@K@, X.shape[1]))
W0 = np.random.normal(0., 1., (Y.shape[1], @K@))
b0 = np.random.normal(0., 1., @K@)
@INDICES@
V, b, W, costs = train(V0, b0, W0, X, Y, eta=@ETA@, mu=@MU@, T=T,
                       phi=expit, phi_prime=expit_prime)
final_cost = data_cost(X, Y, V, b, W, phi=expit)
Z = np.array([W @ expit(V @ x + b) for x in X])   # the outputs (z1, z2) for every sample
print(f"2d: data-set cost after training {final_cost:.3e}; "
      f"largest |y - y*| {np.max(np.abs(Z - Y)):.2e}")
compare("2d", V=V, b=b, W=W, cost=final_cost)


def bars(image):
    """The row of the one full row and the column of the one full column (None if not one)."""
    lit = image.reshape(5, 5) > 0.5
    rows, cols = np.flatnonzero(lit.all(axis=1)), np.flatnonzero(lit.all(axis=0))
    return (rows[0] if len(rows) == 1 else None), (cols[0] if len(cols) == 1 else None)


def r_squared(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return slope, 1 - np.sum((y - (slope * x + intercept)) ** 2) / np.sum((y - y.mean()) ** 2)


# What each target and each output follows: its straight line against the bars' positions.
positions = np.array([bars(x) for x in X], dtype=object)
if all(p is not None for p in positions.ravel()):
    rows, cols = positions[:, 0].astype(float), positions[:, 1].astype(float)
    series = {"z1*": Y[:, 0], "z2*": Y[:, 1], "z1": Z[:, 0], "z2": Z[:, 1]}
    for name, values in series.items():
        (a, r2_row), (c, r2_col) = r_squared(rows, values), r_squared(cols, values)
        print(f"2d: {name:3} against the bar row: slope {a:.3f}, R² = {r2_row:.4f}; "
              f"against the bar column: slope {c:.3f}, R² = {r2_col:.4f}")
else:
    print("2d: not every image has one full row and one full column")
fig, ax = plt.subplots(figsize=(7, 3))
at, mean = binned(costs)
ax.semilogy(at, mean)
ax.set(xlabel="iteration", ylabel="per-sample cost (mean per bin)",
       title="2d: training cost over time")
fig.tight_layout()
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.scatter(Z[:, 0], Z[:, 1], c=np.arange(len(Z)) // 5, cmap="viridis")
for k, (z1, z2) in enumerate(Z):
    ax.annotate(str(k), (z1, z2), textcoords="offset points", xytext=(4, 3), fontsize=8)
ax.set(xlabel="z1 (output 1)", ylabel="z2 (output 2)",
       title="2d: the outputs for every sample (labels: sample)")
fig.tight_layout()
fig, axes = plt.subplots(int(np.ceil(len(X) / 5)), 5, figsize=(6, 1.3 * np.ceil(len(X) / 5)))
for k, ax in enumerate(axes.ravel()):
    ax.set_xticks([])
    ax.set_yticks([])
    if k < len(X):
        ax.imshow(X[k].reshape(5, 5), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{k}: z* = ({Y[k, 0]:g}, {Y[k, 1]:g})", fontsize=7)
    else:
        ax.axis("off")
fig.suptitle("2d: the inputs, reshape(x, 5, 5), with their targets")
fig.tight_layout()"#;

fn code_2d(m: &Metrics) -> String {
    let d = &m.ex2d;
    let s = &d.header.settings;
    let mut values = run_values(s, "len(X)");
    values.push(("K", d.hidden.to_string()));
    fill(CODE_2D, &values)
}

/// The Python program that executes a notebook with nbclient: arguments
/// the notebook to read and the one to write; the working folder is the
/// report's, where the data files are. Progress goes to stderr, cell by
/// cell. Exit 3 with `missing: <module>` when a package is not there, 4
/// with `cell <n> (<id>): <error>` when a cell fails. The PNG outputs lose
/// their text and time chunks (matplotlib writes its version there), and no
/// cell records its execution time, so that a run gives the same file.
const RUNNER: &str = r#"
import sys
try:
    import nbformat
    import nbclient
    import numpy, scipy, matplotlib, ipykernel  # what the notebook needs
except ImportError as e:
    print(f"missing: {e.name}", file=sys.stderr)
    sys.exit(3)
import base64, struct, time

source, target = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
code = [c for c in nb.cells if c.cell_type == "code"]
started = time.monotonic()

def on_cell_start(cell, cell_index, **_):
    if cell.cell_type == "code":
        n = code.index(cell) + 1
        print(f"  notebook: cell {n} of {len(code)} ({cell.get('id', '')}), "
              f"{time.monotonic() - started:.0f} s in", file=sys.stderr, flush=True)

client = nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3", record_timing=False,
                                 resources={"metadata": {"path": "."}}, on_cell_start=on_cell_start)
try:
    client.execute()
except nbclient.exceptions.CellExecutionError as e:
    for n, cell in enumerate(code, 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                print(f"cell {n} ({cell.get('id', '')}): {out['ename']}: {out['evalue']}", file=sys.stderr)
                sys.exit(4)
    print(f"cell: {str(e).strip().splitlines()[-1]}", file=sys.stderr)
    sys.exit(4)
except Exception as e:  # no kernel, a dead kernel
    name = type(e).__name__
    if name == "NoSuchKernel":
        print("missing: ipykernel (no python3 kernel)", file=sys.stderr)
        sys.exit(3)
    print(f"cell: {name}: {e}", file=sys.stderr)
    sys.exit(4)

def plain_png(data):
    """The PNG without its text and time chunks."""
    raw = base64.b64decode(data)
    out, at = [raw[:8]], 8
    while at < len(raw):
        length = struct.unpack(">I", raw[at:at + 4])[0]
        kind = raw[at + 4:at + 8]
        if kind not in (b"tEXt", b"zTXt", b"iTXt", b"tIME"):
            out.append(raw[at:at + 12 + length])
        at += 12 + length
    return base64.b64encode(b"".join(out)).decode() + "\n"

for cell in code:
    for out in cell.get("outputs", []):
        if "image/png" in out.get("data", {}):
            out["data"]["image/png"] = plain_png(out["data"]["image/png"])
nbformat.validate(nb)
nbformat.write(nb, target)
print(f"  notebook: {len(code)} cells ran in {time.monotonic() - started:.0f} s", file=sys.stderr)
"#;

/// What to install for `--run-notebook`, in the words of its messages.
pub const INSTALL: &str = "a Python 3 with NumPy, SciPy, matplotlib, nbclient and ipykernel (a virtual environment \
     with `pip install numpy scipy matplotlib nbclient ipykernel`, or the Debian packages python3-numpy \
     python3-scipy python3-matplotlib python3-nbclient python3-ipykernel), named with --python or REPORT_PYTHON";

/// Executes `notebook` with `python` in the folder `dir` (where the data
/// files are) and returns it with its outputs. Progress goes to stderr as
/// it runs. The error is one line: the Python or package that is missing
/// and what to install, or the cell that failed and its error.
pub fn execute(python: &Path, notebook: &str, dir: &Path) -> Result<String> {
    let unexecuted = dir.join(".submission-unexecuted.ipynb");
    let executed = dir.join(".submission-executed.ipynb");
    std::fs::write(&unexecuted, notebook).with_context(|| format!("cannot write {}", unexecuted.display()))?;
    let run = std::process::Command::new(python)
        .current_dir(dir)
        .arg("-c")
        .arg(RUNNER)
        .arg(&unexecuted)
        .arg(&executed)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let result = match run {
        Err(e) => Err(anyhow::anyhow!(
            "cannot run {} ({e}); install {INSTALL}",
            python.display()
        )),
        Ok(mut child) => {
            // Progress lines pass through as they come; the last line is
            // the verdict.
            let mut last = String::new();
            if let Some(err) = child.stderr.take() {
                use std::io::BufRead;
                for line in std::io::BufReader::new(err).lines().map_while(std::result::Result::ok) {
                    if line.starts_with("  notebook:") {
                        eprintln!("{line}");
                    } else if !line.trim().is_empty() {
                        last = line;
                    }
                }
            }
            let status = child.wait().context("waiting for the notebook's Python")?;
            match status.code() {
                Some(0) => std::fs::read_to_string(&executed)
                    .with_context(|| format!("reading the executed notebook {}", executed.display())),
                Some(3) => Err(anyhow::anyhow!(
                    "{} lacks {}; install {INSTALL}",
                    python.display(),
                    last.trim_start_matches("missing: ")
                )),
                Some(4) => Err(anyhow::anyhow!(
                    "notebook {} failed: {}",
                    last.split_once(':').map_or("cell", |(c, _)| c),
                    last.split_once(": ").map_or(last.as_str(), |(_, e)| e)
                )),
                _ => Err(anyhow::anyhow!(
                    "{} could not run the notebook ({status}){}; it needs {INSTALL}",
                    python.display(),
                    if last.is_empty() {
                        String::new()
                    } else {
                        format!(": {last}")
                    }
                )),
            }
        }
    };
    for f in [&unexecuted, &executed] {
        let _ = std::fs::remove_file(f);
    }
    result
}

/// The Python that `--run-notebook` uses: `--python PATH`, else
/// `REPORT_PYTHON`, else `python3` on `PATH`.
pub fn python(given: Option<&Path>) -> std::path::PathBuf {
    given
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("REPORT_PYTHON").map(std::path::PathBuf::from))
        .unwrap_or_else(|| "python3".into())
}

/// Checks `text` against the rules of nbformat 4.5 that a notebook of ours
/// must keep, and that it runs in a plain kernel and as a plain script:
/// every cell with a valid unique id, sources as lists of strings, no
/// attachments, code cells without outputs, shell escapes, magics,
/// IPython-only names, programs or files other than the data.
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
            if cell.get("attachments").is_some() || text.contains("(attachment:") {
                bail!(at("has attachments: the notebook's figures come from its code"));
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
                    "np.genfromtxt",
                    "np.loadtxt",
                    "import os",
                    "subprocess",
                    "get_ipython",
                    "display(",
                ] {
                    if t.contains(reads) {
                        bail!(at(&format!(
                            "reads files other than the data, runs programs or needs IPython: {line}"
                        )));
                    }
                }
                if let Some(module) = t.strip_prefix("import ").or_else(|| t.strip_prefix("from "))
                    && !["numpy", "scipy", "matplotlib", "hashlib"]
                        .iter()
                        .any(|m| module.starts_with(m))
                {
                    bail!(at(&format!(
                        "imports something other than NumPy, SciPy, matplotlib and hashlib: {line}"
                    )));
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
