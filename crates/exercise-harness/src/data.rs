//! The committed data sets and loading a data file for an exercise.

use anyhow::Result;
use mlp::Dataset;
use numpy_data::Samples;
use std::path::{Path, PathBuf};

/// The default path of a committed data set: `data/<name>` in the checkout
/// the command acts on ([`crate::workspace::root`]), as typed from the
/// current folder; outside any checkout, an error asking for `flag`.
pub fn default_data(name: &str, flag: &str) -> Result<PathBuf> {
    let root = crate::workspace::root().ok_or_else(|| {
        crate::cli::usage(format!(
            "{flag}: not given, and this is no checkout of the project whose data/{name} it could default to; \
             give {flag} PATH"
        ))
    })?;
    Ok(crate::workspace::as_typed(&root.join("data").join(name)))
}

/// Loads a data set with `n_in` input and `n_out` target columns (for a
/// `.npy`, the last `n_out` columns are the targets).
pub fn load_data(path: &Path, n_in: usize, n_out: usize) -> Result<Dataset> {
    let samples = Samples::load(path, n_out)?;
    samples.expect_columns(path, n_in, n_out)?;
    // The loader refuses files without samples and checks the columns, so
    // this only fails if the two disagree on what a data set is.
    Dataset::new(samples.inputs, samples.targets, samples.n_in, samples.n_out)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// SHA-256 of the file at `path`, lowercase hex.
pub fn file_sha256(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(crate::output::record::sha256_hex(&bytes))
}

/// Whether the file at `path` holds exactly the bytes of the project's own
/// data set `name` (the committed `data/<name>`, by SHA-256): only then do
/// the recipe's facts (its function, its noise) describe the data. False
/// when either file cannot be read.
pub fn is_project_data(path: &Path, name: &str) -> bool {
    let project = crate::workspace::root().map(|root| root.join("data").join(name));
    match (file_sha256(path), project.map(|p| file_sha256(&p))) {
        (Ok(a), Some(Ok(b))) => a == b,
        _ => false,
    }
}
