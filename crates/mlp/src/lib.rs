//! A multi-layer perceptron and backpropagation exactly as exercise sheet 4
//! derives them: the numerical core, with no I/O and no command line.
//!
//! - [`network`]: the network, its forward pass and the backward pass of
//!   Exercise 1 (every `delta^l` and every gradient);
//! - [`layout`]: where every parameter and every number of the forward and
//!   backward passes lives;
//! - [`train`]: momentum training, one sample per iteration;
//! - [`random`]: the run's one generator, ChaCha8 or NumPy's legacy MT19937
//!   ([`numpy_rng`]), bit for bit as `np.random.seed` makes it;
//! - [`trace`]: the binned cost-over-time trace, accumulated while training;
//! - [`dataset`]: samples in memory;
//! - [`stats`]: means, spreads and coefficients of determination;
//! - [`vexp`]: the vectorised sigmoid of a whole layer.
//!
//! Unsafe code lives in two modules only: `kernel` (the training step's
//! loops over raw pointers, behind one checked boundary) and [`vexp`]
//! (instruction-set intrinsics chosen at run time). Every other module is
//! safe Rust, which the crate-wide `deny(unsafe_code)` enforces.

#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod activation;
pub mod dataset;
#[allow(unsafe_code)]
mod kernel;
pub mod layout;
pub mod network;
pub mod numpy_rng;
pub mod random;
pub mod stats;
pub mod trace;
pub mod train;
#[allow(unsafe_code)]
pub mod vexp;

pub use activation::Activation;
pub use dataset::{Dataset, DatasetError};
pub use layout::{Layer, LayerSpec, Layout};
pub use network::{Network, Tape};
pub use random::Generator;
pub use train::{Sampling, TrainConfig, Trainer};
