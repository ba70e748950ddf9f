//! The metrics every part writes to `metrics.json`, as types: the binaries
//! write them and the report reads them, so a renamed or retyped field is a
//! compile error in both (docs/DESIGN.md section 5 says what each means).
//!
//! One module per part. Files are written with their keys in alphabetical
//! order ([`crate::output::OutputSet::add_json`]), whatever the order of the
//! fields here.

pub mod ex1;
pub mod ex2a;
pub mod ex2b;
pub mod ex2c;
pub mod ex2d;
pub mod valid;

use anyhow::{Context, Result};
use mlp::Generator;
use mlp::train::{Sampling, TrainConfig};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The settings of a part's training runs, as every single-run part records
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Iterations of each run, one sample each.
    pub iterations: u64,
    /// `eta`.
    pub learning_rate: f64,
    /// `mu`.
    pub momentum: f64,
    /// How each iteration picked its sample.
    pub sampling: Sampling,
    /// The run's generator.
    pub rng: Generator,
    /// Seed of the run's generator.
    pub seed: u64,
}

impl Settings {
    /// The settings of a run with `config`.
    pub fn of(config: &TrainConfig) -> Settings {
        Settings {
            iterations: config.iterations(),
            learning_rate: config.learning_rate(),
            momentum: config.momentum(),
            sampling: config.sampling(),
            rng: config.generator(),
            seed: config.seed(),
        }
    }
}

/// What every single-run part (2a, 2b, 2d) records first: which part, on
/// which data, with which settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The part, `"2a"`, `"2b"` or `"2d"`.
    pub exercise: String,
    /// The data file.
    pub data: String,
    /// The run's settings.
    #[serde(flatten)]
    pub settings: Settings,
}

impl Header {
    /// The header of `part`'s run on `data` with `config`.
    pub fn new(part: &str, data: &Path, config: &TrainConfig) -> Header {
        Header {
            exercise: part.to_owned(),
            data: data.display().to_string(),
            settings: Settings::of(config),
        }
    }
}

/// The sheet's parameters of a network `n_in -> K -> n_out`, rows as lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct SheetWeights {
    /// Hidden weights, K x n_in.
    pub V: Vec<Vec<f64>>,
    /// Output weights, n_out x K.
    pub W: Vec<Vec<f64>>,
    /// Hidden bias, K.
    pub b: Vec<f64>,
}

impl SheetWeights {
    /// The weights of a sheet network.
    pub fn of(net: &mlp::Network) -> Result<SheetWeights> {
        let (v, w, b) = crate::output::sheet_arrays(net)?;
        let rows = |m: &ndarray::Array2<f64>| m.outer_iter().map(|r| r.to_vec()).collect();
        Ok(SheetWeights {
            V: rows(&v),
            W: rows(&w),
            b: b.to_vec(),
        })
    }
}

/// Seeds `first .. first + count`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Seeds {
    /// The first seed.
    pub first: u64,
    /// How many.
    pub count: u64,
}

/// Reads the metrics of type `M` from `path`, refusing values no run can
/// have written (see [`valid`]) with one line naming the file and the field.
pub fn read<M: serde::de::DeserializeOwned + valid::Valid>(path: &Path) -> Result<M> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let metrics: M = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text)).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if field.is_empty() || field == "." {
            anyhow::anyhow!("{}: not the metrics this version writes: {inner}", path.display())
        } else {
            anyhow::anyhow!(
                "{}: {field}: not the metrics this version writes: {inner}",
                path.display()
            )
        }
    })?;
    let mut checker = valid::Checker::default();
    metrics.check(&mut checker);
    if let Some(problem) = checker.problem() {
        anyhow::bail!("{}: {problem}", path.display());
    }
    Ok(metrics)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's fixture metrics of `part`, edited by `edit`, read back.
    fn edited(part: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../report/tests/fixtures/report")
            .join(part)
            .join("metrics.json");
        let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
        edit(&mut value);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.json");
        std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
        let result = match part {
            "ex1" => read::<ex1::Metrics>(&path).map(|_| ()),
            "ex2a" => read::<ex2a::Metrics>(&path).map(|_| ()),
            "ex2b" => read::<ex2b::Metrics>(&path).map(|_| ()),
            "ex2c" => read::<ex2c::Metrics>(&path).map(|_| ()),
            _ => read::<ex2d::Metrics>(&path).map(|_| ()),
        };
        result.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn the_fixtures_are_valid() {
        for part in ["ex1", "ex2a", "ex2b", "ex2c", "ex2d"] {
            assert_eq!(edited(part, |_| {}), "", "{part}");
        }
    }

    #[test]
    fn impossible_values_are_refused_naming_the_file_and_the_field() {
        /// An edit of a part's metrics.
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit, &str)> = vec![
            (
                "ex2c",
                Box::new(|v| v["summary"][0]["test_cost_mean"] = (-1e308).into()),
                "summary[0].test_cost_mean",
            ),
            (
                "ex2c",
                Box::new(|v| v["summary"][0]["seeds"] = 3.into()),
                "summary[0].seeds",
            ),
            (
                "ex2c",
                Box::new(|v| v["runs"][2]["test_cost"] = (-0.5).into()),
                "runs[2].test_cost",
            ),
            (
                "ex2b",
                Box::new(|v| v["sweep"]["recovered"] = 0.into()),
                "sweep.failures",
            ),
            ("ex2b", Box::new(|v| v["final_cost"] = (-1.0).into()), "final_cost"),
            ("ex2a", Box::new(|v| v["momentum"] = 1.5.into()), "momentum"),
            (
                "ex2d",
                Box::new(|v| v["follows"][2]["fits"][0]["r2"] = 7.into()),
                "follows[2].fits[0].r2",
            ),
            (
                "ex1",
                Box::new(|v| v["checks"][0]["max_rel_error"] = (-1.0).into()),
                "checks[0].max_rel_error",
            ),
        ];
        for (part, edit, field) in cases {
            let e = edited(part, edit);
            assert!(e.contains("metrics.json") && e.contains(field), "{part} {field}: {e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }
}
