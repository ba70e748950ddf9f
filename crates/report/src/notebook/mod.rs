//! The hand-in notebook (`report/submission.ipynb`), the form the course
//! collects: the submission's answers as Markdown beside code cells in the
//! course script's terms (plain Python 3 with NumPy, SciPy and matplotlib,
//! read from `templates/notebook/*.py`) that run every part, draw its
//! figures and compare their numbers with the report's Rust runs within
//! tolerances they state.
//!
//! - `build`: the cells, and the one generated settings cell;
//! - `execute`: the notebook run by nbclient in an outside Python, and
//!   finding that Python;
//! - `check`: the nbformat rules the notebook keeps.

mod build;
mod check;
mod execute;

pub use build::{backprop_function, cell_source, notebook};
pub use check::check;
pub use execute::{INSTALL, PYTHON_ENV, execute, find_python, missing_packages};
