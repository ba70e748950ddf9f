//! What every exercise binary shares, so that each binary holds only what is
//! its own (its network, figures, metrics and summary):
//!
//! - [`flow`]: the one program every exercise binary is;
//! - [`cli`]: the shared flags, the core's errors in terms of the flags,
//!   one-line errors, progress bars;
//! - [`data`]: the committed data sets, loaded through `numpy-data`;
//! - [`run`]: a training run with its progress bar and weight files;
//! - [`output`]: a run's files, replacing the previous run's as one set;
//! - [`plot`]: the SVG figures;
//! - [`sheet`]: the sheet's XOR start and the names `V`, `W`, `b`;
//! - [`workspace`]: the checkout a command acts on, found at run time;
//! - [`metrics`]: the typed metrics of every part, written by the binaries
//!   and read by the report.

pub mod cli;
pub mod data;
pub mod flow;
pub mod metrics;
pub mod output;
pub mod plot;
pub mod run;
pub mod sheet;
pub mod workspace;
