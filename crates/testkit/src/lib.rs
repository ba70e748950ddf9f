//! Test support shared by the exercise binaries' tests.
//!
//! - [`replay`]: an independent implementation of docs/DESIGN.md section 2 (plain
//!   ndarray, no code shared with `mlp`) to replay saved weights;
//! - [`cli`]: running a binary and checking its one-line errors;
//! - [`numpy_runs`]: runs made by NumPy with its own draws, which our
//!   `--rng numpy` runs must reproduce.

pub mod cli;
pub mod numpy_runs;
pub mod replay;
pub mod report;
