//! The committed data sets and loading a data file for an exercise.

use anyhow::Result;
use mlp::Dataset;
use numpy_data::Samples;
use std::path::{Path, PathBuf};

/// The default path of a committed data set: `data/<name>` below the current
/// folder when it is there (running from the workspace root), otherwise the
/// workspace's own `data/` folder.
pub fn default_data(name: &str) -> PathBuf {
    let here = Path::new("data").join(name);
    if here.exists() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(name)
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
    match (file_sha256(path), file_sha256(&default_data(name))) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
