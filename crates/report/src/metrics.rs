//! The metrics of every part, read from a report folder.

use anyhow::Result;
use exercise_harness::metrics::{self, ex1, ex2a, ex2b, ex2c, ex2d};
use std::path::Path;

/// The metrics of every part.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    pub ex1: ex1::Metrics,
    pub ex2a: ex2a::Metrics,
    pub ex2b: ex2b::Metrics,
    pub ex2c: ex2c::Metrics,
    pub ex2d: ex2d::Metrics,
}

/// Reads `<report>/<part>/metrics.json` for every part.
pub fn load_metrics(report: &Path) -> Result<Metrics> {
    let path = |part: &str| report.join(part).join("metrics.json");
    Ok(Metrics {
        ex1: metrics::read(&path("ex1"))?,
        ex2a: metrics::read(&path("ex2a"))?,
        ex2b: metrics::read(&path("ex2b"))?,
        ex2c: metrics::read(&path("ex2c"))?,
        ex2d: metrics::read(&path("ex2d"))?,
    })
}
