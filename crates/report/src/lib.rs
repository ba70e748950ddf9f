//! The submission report: what the parts' metrics show, decided in Rust,
//! and the files a student hands in, rendered from it.
//!
//! - [`metrics`]: the metrics of every part, read from a report folder;
//! - [`findings`]: what the report says, typed, decided from the metrics;
//! - [`templates`]: the section templates, checked to only print findings;
//! - [`document`]: the Markdown, the HTML page, the notebook, the figures
//!   drawn while rendering;
//! - [`render`]: Markdown to HTML with MathML, figures inlined and numbered;
//! - [`notebook`]: the report as a Jupyter notebook with NumPy code cells;
//! - [`pdf`]: the HTML page printed by a headless Chromium;
//! - [`diagram`]: backprop at work on the 2b network, drawn as an SVG;
//! - [`recipes`]: the project's own data sets, which the report describes.

pub mod diagram;
pub mod document;
pub mod findings;
pub mod metrics;
pub mod notebook;
pub mod pdf;
pub mod recipes;
pub mod render;
pub mod templates;

pub use findings::Findings;
pub use findings::run::{Provenance, Timing};
pub use metrics::{Metrics, load_metrics};

/// The parts, in the order they run: binary name and what it answers.
pub const PARTS: [(&str, &str); 5] = [
    ("ex1", "Exercise 1 checks"),
    ("ex2a", "2a"),
    ("ex2b", "2b"),
    ("ex2c", "2c"),
    ("ex2d", "2d"),
];

/// The sheet's data files, by the names the course gave them, with the
/// parts and flags that read each: `cargo xtask report --data DIR` passes
/// those found in DIR, and the report folder keeps a copy of each used.
pub const DATA_FILES: [(&str, &[(&str, &str)]); 4] = [
    ("xor_data.npz", &[("ex2a", "--data"), ("ex2b", "--data")]),
    ("func_approx_training.npz", &[("ex2c", "--train")]),
    ("func_approx_test.npz", &[("ex2c", "--test")]),
    ("bar_data.npy", &[("ex2d", "--data")]),
];

/// The flags the report adds to a part's defaults: the figures beyond the
/// sheet, which a part's own default run leaves out.
pub fn report_flags(part: &str) -> &'static [&'static str] {
    match part {
        "ex2c" => &["--capacity", "--snapshots"],
        _ => &[],
    }
}
