//! A multi-layer perceptron and backpropagation exactly as exercise sheet 4
//! derives them, with the training, data loading and plotting that the
//! exercise binaries share.
//!
//! - [`network`]: the network, its forward pass and the backward pass of
//!   Exercise 1 (every `delta^l` and every gradient);
//! - [`train`]: momentum training, one sample per iteration;
//! - [`trace`]: the binned cost-over-time trace, accumulated while training;
//! - [`data`]: loading NumPy `.npy`/`.npz` data sets;
//! - [`recipes`]: the data sets of DESIGN.md section 3;
//! - [`experiment`]: a training run as the exercise binaries use it;
//! - [`sheet`]: the sheet's XOR start and the names `V`, `W`, `b`;
//! - [`plot`]: SVG figures; [`output`]: atomic writes and weight files;
//! - [`cli`]: the flags and error handling every exercise binary shares;
//! - [`stats`]: means, spreads and coefficients of determination;
//! - [`vexp`]: the vectorised sigmoid of a whole layer.

pub mod activation;
pub mod cli;
pub mod data;
pub mod experiment;
mod kernel;
pub mod network;
pub mod output;
pub mod plot;
pub mod recipes;
pub mod sheet;
pub mod stats;
pub mod trace;
pub mod train;
pub mod vexp;

pub use activation::Activation;
pub use data::Dataset;
pub use network::{LayerSpec, Network, Tape};
pub use train::{Sampling, TrainConfig, Trainer};
