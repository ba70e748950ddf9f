//! Building the notebook: the submission's Markdown in cells, with the
//! code cells (`templates/notebook/*.py`, read as they are) placed after
//! the sections they answer, and one generated settings cell that holds
//! every value that changes from run to run.

use crate::findings::data::Data;
use crate::metrics::Metrics;
use anyhow::{Context, Result, bail};
use exercise_harness::metrics::SheetWeights;
use exercise_harness::sheet::{Param, Perturbation};
use mlp::Generator;
use mlp::train::Sampling;
use serde_json::{Value, json};
use std::path::Path;

/// The code cells, in the order they run: their id, and the source file
/// under `templates/notebook/` (`None` for the generated settings cell),
/// placed after the section whose heading starts with the given text.
const CELLS: [(&str, &str, Option<&str>); 9] = [
    ("# ", "setup", Some("setup.py")),
    ("# ", "settings", None),
    ("### The result, and how it maps", "backprop", Some("backprop.py")),
    ("### The result, and how it maps", "ex1-check", Some("ex1_check.py")),
    ("### 2a", "2a", Some("ex2a.py")),
    ("### 2b", "2b", Some("ex2b.py")),
    ("### 2c", "2c", Some("ex2c.py")),
    ("### 2c", "2c-figures", Some("ex2c_figures.py")),
    ("### 2d", "2d", Some("ex2d.py")),
];

/// The source of one code cell, `templates/notebook/<file>` under `root`.
pub fn cell_source(root: &Path, file: &str) -> Result<String> {
    let path = root.join("templates/notebook").join(file);
    std::fs::read_to_string(&path).with_context(|| format!("reading templates/notebook/{file}"))
}

/// Builds the notebook from the submission's Markdown `md` and the metrics
/// of the runs its code replays; the cells' sources are read from the
/// workspace at `root`.
pub fn notebook(root: &Path, md: &str, metrics: &Metrics, data: &Data) -> Result<String> {
    let mut cells: Vec<Value> = Vec::new();
    let mut placed = 0;
    for section in sections(md) {
        let heading = section.lines().next().unwrap_or_default().to_owned();
        cells.push(markdown_cell(&section));
        for (_, id, file) in CELLS.iter().filter(|(after, _, _)| heading.starts_with(after)) {
            let text = match file {
                Some(file) => cell_source(root, file)?,
                None => settings_cell(metrics, data)?,
            };
            let mut cell = code_cell(&text);
            cell["id"] = json!(format!("code-{id}"));
            cells.push(cell);
            placed += 1;
        }
    }
    if placed != CELLS.len() {
        bail!(
            "the submission lacks a section the notebook's code cells follow ({placed} of {} placed)",
            CELLS.len()
        );
    }
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

/// The corrected Backprop alone, as the submission's 2a prints it: the
/// notebook's `propagate` and `backpropagate`.
pub fn backprop_function(root: &Path) -> Result<String> {
    let source = cell_source(root, "backprop.py")?;
    let start = source
        .find("def propagate(")
        .context("no propagate in templates/notebook/backprop.py")?;
    let end = source[start..]
        .find("\ndef runandplot(")
        .map_or(source.len(), |e| start + e);
    Ok(source[start..end].trim_end().to_owned())
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

/// `Figure 3` as `the PDF's Figure 3`: the notebook has its own figures,
/// drawn by its code, and the numbered ones are the submission's, which
/// the tutor reads as the PDF.
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
            out.push_str(if starts { "The PDF's " } else { "the PDF's " });
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

/// Python's list of `values`.
fn py_list<T>(values: impl IntoIterator<Item = T>, show: impl Fn(T) -> String) -> String {
    format!("[{}]", values.into_iter().map(show).collect::<Vec<_>>().join(", "))
}

/// A run's settings as the keyword arguments of a Python `dict`.
fn run_settings(s: &exercise_harness::metrics::Settings) -> String {
    format!(
        "seed={}, iterations={}, sampling=\"{}\", eta={}, mu={}",
        s.seed,
        s.iterations,
        match s.sampling {
            Sampling::Random => "random",
            Sampling::Cyclic => "cyclic",
        },
        py(s.learning_rate),
        py(s.momentum)
    )
}

/// Why NumPy cannot replay a run with these settings, if it cannot.
fn why_not(s: &exercise_harness::metrics::Settings) -> Option<String> {
    (s.rng != Generator::Numpy)
        .then(|| format!("the report's run drew from --rng {}, which NumPy does not draw", s.rng))
}

/// The settings cell: the data files (`FILES`), each run's settings
/// (`RUNS`), and what the report's Rust runs computed, with the SHA-256 of
/// the data files each read (`RUST`; `NOT_COMPARED` says why a run is not
/// there).
fn settings_cell(m: &Metrics, data: &Data) -> Result<String> {
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
            "        files={xor},\n{},\n        cost={}, recovered={}",
            weights(&b.final_weights),
            py(b.final_cost),
            if b.final_cost < b.recovery_threshold {
                "True"
            } else {
                "False"
            }
        ),
    );
    let c = &m.ex2c;
    let seeds: Vec<u64> = (c.seeds.first..c.seeds.first + c.seeds.count).collect();
    let mut etas = Vec::new();
    let mut in_mean = Vec::new();
    for s in &c.summary {
        etas.push(format!("{}: {}", s.hidden, py(s.learning_rate)));
        let runs_of_k: Vec<_> = c
            .runs
            .iter()
            .filter(|r| r.hidden == s.hidden && r.learning_rate == s.learning_rate)
            .collect();
        in_mean.push(format!(
            "{}: {}",
            s.hidden,
            py_list(runs_of_k.iter().map(|r| r.seed), |x| x.to_string())
        ));
        let settings = c.first_seed_settings(s.learning_rate);
        let part = format!("2c, K = {}", s.hidden);
        let cost_of = |seed: u64, pick: fn(&exercise_harness::metrics::ex2c::RunResult) -> f64| {
            runs_of_k.iter().find(|r| r.seed == seed).map(|r| pick(r))
        };
        let train: Option<Vec<f64>> = seeds.iter().map(|&x| cost_of(x, |r| r.train_cost)).collect();
        let test: Option<Vec<f64>> = seeds.iter().map(|&x| cost_of(x, |r| r.test_cost)).collect();
        match (c.replayed.iter().find(|r| r.hidden == s.hidden), train, test) {
            (Some(r), Some(train), Some(test)) => entry(
                part,
                why_not(&settings),
                format!(
                    "        files={},\n{},\n        train_cost={},\n        test_cost={}",
                    files(&["func_approx_training.npz", "func_approx_test.npz"]),
                    weights(&r.final_weights),
                    py_list(train, py),
                    py_list(test, py)
                ),
            ),
            _ => entry(
                part,
                Some(
                    why_not(&settings)
                        .unwrap_or_else(|| "the report recorded no final weights or costs for this run".into()),
                ),
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
    let p: Perturbation = b.perturbation.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let (name, index) = match p.index.param {
        Param::V => ("V", format!("({}, {})", p.index.row, p.index.col)),
        Param::W => ("W", format!("({}, {})", p.index.row, p.index.col)),
        Param::B => ("b", format!("({},)", p.index.row)),
    };
    let first = c.first_seed_settings(c.summary.first().map_or(0.0, |s| s.learning_rate));
    Ok(format!(
        "# The report's runs: their settings, and what the Rust program computed for them (the data\n\
         # files each read, by SHA-256, and its final weights and costs). The cells below read\n\
         # these; compare() checks against RUST.\n\
         FILES = {{\"xor\": \"xor_data.npz\", \"func_train\": \"func_approx_training.npz\",\n\
         \x20        \"func_test\": \"func_approx_test.npz\", \"bars\": \"bar_data.npy\"}}\n\
         RUNS = {{\n\
         \x20   \"2a\": dict({}),\n\
         \x20   \"2b\": dict({}, perturb=(\"{name}\", {index}, {}),\n\
         \x20               threshold={}),\n\
         \x20   \"2c\": dict(hidden={}, seeds={},\n\
         \x20               in_mean={{{}}},\n\
         \x20               iterations={}, sampling=\"{}\", eta={{{}}}, mu={}),\n\
         \x20   \"2d\": dict(hidden={}, {}, r2_limit={}),\n\
         }}\n\
         RUST = {{\n{}\n}}\n\
         NOT_COMPARED = {{\n{}\n}}",
        run_settings(&m.ex2a.header.settings),
        run_settings(&b.header.settings),
        py(p.value),
        py(b.recovery_threshold),
        py_list(c.summary.iter().map(|s| s.hidden), |k| k.to_string()),
        py_list(seeds.iter(), |s| s.to_string()),
        in_mean.join(", "),
        first.iterations,
        match first.sampling {
            Sampling::Random => "random",
            Sampling::Cyclic => "cyclic",
        },
        etas.join(", "),
        py(first.momentum),
        d.hidden,
        run_settings(&d.header.settings),
        py(exercise_harness::metrics::ex2d::CODES_FOR_R2),
        runs.join("\n"),
        not.join("\n")
    ))
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
