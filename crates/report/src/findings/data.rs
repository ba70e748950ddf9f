//! Which data files the runs read: the sheet's names, each file's SHA-256,
//! and whether it is the project's own (made by its recipes) or one the
//! student gave, such as the course's.

use crate::DATA_FILES;
use crate::metrics::Metrics;
use anyhow::Result;
use exercise_harness::data::file_sha256;
use serde::Serialize;
use std::path::Path;

/// The data files of a report, in the sheet's order.
#[derive(Clone, Debug, Serialize)]
pub struct Data {
    pub files: Vec<DataFile>,
    /// Every file is the project's own.
    pub all_project: bool,
    /// No file is.
    pub none_project: bool,
    /// The bars file is the project's: its recipe describes it.
    pub bars_project: bool,
    /// The XOR file is the project's (the sheet's four points).
    pub xor_project: bool,
}

/// One data file as the report names it.
#[derive(Clone, Debug, Serialize)]
pub struct DataFile {
    pub name: &'static str,
    /// The parts that read it, `2a and 2b`.
    pub used_by: String,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// The same bytes as the project's committed `data/` file.
    pub project: bool,
}

impl Data {
    /// The files the run behind `metrics` read: the copies in the `report`
    /// folder where it holds them, else the paths the parts recorded
    /// (relative ones from the workspace `root`); each compared with the
    /// project's `data/` file by SHA-256.
    pub fn of(root: &Path, report: &Path, metrics: &Metrics) -> Result<Data> {
        // The path each part recorded for the file it read under this name.
        let recorded = |name: &str| -> &str {
            match name {
                "xor_data.npz" => &metrics.ex2a.header.data,
                "func_approx_training.npz" => &metrics.ex2c.train_data,
                "func_approx_test.npz" => &metrics.ex2c.test_data,
                "bar_data.npy" => &metrics.ex2d.header.data,
                other => unreachable!("{other} is not one of DATA_FILES"),
            }
        };
        let files = DATA_FILES
            .iter()
            .map(|(name, readers)| {
                let copy = report.join(name);
                let path = if copy.is_file() {
                    copy
                } else {
                    root.join(recorded(name))
                };
                let sha256 = file_sha256(&path)?;
                let project = file_sha256(&root.join("data").join(name)).is_ok_and(|p| p == sha256);
                let mut parts: Vec<&str> = readers.iter().map(|(part, _)| part.trim_start_matches("ex")).collect();
                parts.dedup();
                Ok(DataFile {
                    name,
                    used_by: parts.join(" and "),
                    sha256,
                    project,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let is = |name: &str| files.iter().any(|f| f.name == name && f.project);
        Ok(Data {
            all_project: files.iter().all(|f| f.project),
            none_project: files.iter().all(|f| !f.project),
            bars_project: is("bar_data.npy"),
            xor_project: is("xor_data.npz"),
            files,
        })
    }
}
