//! Project automation (`cargo xtask`): the data sets and the submission
//! report. The binary in `main.rs` is the command line; the logic lives here
//! so that it can be tested.

pub mod diagram;
pub mod notebook;
pub mod pdf;
pub mod recipes;
pub mod render;
pub mod report;
