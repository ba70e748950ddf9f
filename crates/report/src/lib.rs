//! The submission report: what the parts' metrics show, decided in Rust,
//! and the files a student hands in, rendered from it.
//!
//! - [`report`]: the metrics of every part, the template context, rendering;
//! - [`render`]: Markdown to HTML with MathML, figures inlined and numbered;
//! - [`notebook`]: the report as a Jupyter notebook with NumPy code cells;
//! - [`pdf`]: the HTML page printed by a headless Chromium;
//! - [`diagram`]: backprop at work on the 2b network, drawn as an SVG;
//! - [`recipes`]: the project's own data sets, which the report describes.

pub mod diagram;
pub mod notebook;
pub mod pdf;
pub mod recipes;
pub mod render;
pub mod report;

pub use report::{PARTS, Provenance, Timing, report_flags};
