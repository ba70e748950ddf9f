//! Training with momentum, one sample per iteration (docs/DESIGN.md
//! section 2).
//!
//! For every parameter `P` with its own step `dP` (starting at 0):
//!
//! ```text
//! dP <- eta * dL/dP + mu * dP
//! P  <- P + dP
//! ```
//!
//! Training climbs the sheet's objective `L = -1/2 sum_j (y_j - y*_j)^2`.

use crate::dataset::Dataset;
pub use crate::kernel::Isa;
use crate::kernel::Runnable;
use crate::network::{Network, Tape, sample_cost};
use crate::random::{Generator, RunRng, SampleIndex};
use crate::trace::CostTrace;
use std::fmt;

/// How each iteration picks its sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Sampling {
    /// A uniformly drawn index every iteration (the course's script).
    Random,
    /// Iteration `t` (from 0) uses sample `t mod N`.
    Cyclic,
}

impl fmt::Display for Sampling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sampling::Random => "random",
            Sampling::Cyclic => "cyclic",
        })
    }
}

/// Hyper-parameters that have been checked once ([`TrainConfig::new`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainConfig {
    iterations: u64,
    learning_rate: f64,
    momentum: f64,
    sampling: Sampling,
    generator: Generator,
    seed: u64,
}

/// A hyper-parameter that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// No iterations.
    #[error("the number of iterations must be at least 1")]
    Iterations,
    /// A learning rate that is not a finite number greater than 0.
    #[error("the learning rate must be a finite number greater than 0, got {0}")]
    LearningRate(f64),
    /// A momentum outside `[0, 1)`.
    #[error("the momentum must be a number in [0, 1), got {0}")]
    Momentum(f64),
    /// A seed the generator does not take.
    #[error(
        "the seed {seed} is out of range for the {generator} generator (it takes 0 to {})",
        u32::MAX
    )]
    Seed {
        /// The seed.
        seed: u64,
        /// The generator.
        generator: Generator,
    },
}

impl TrainConfig {
    /// Checks the hyper-parameters once: `iterations >= 1`, a finite positive
    /// learning rate `eta` and a momentum `mu` in `[0, 1)`. The run draws
    /// from ChaCha8 ([`TrainConfig::with_generator`] chooses another).
    pub fn new(
        iterations: u64,
        learning_rate: f64,
        momentum: f64,
        sampling: Sampling,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        if iterations == 0 {
            return Err(ConfigError::Iterations);
        }
        if !(learning_rate.is_finite() && learning_rate > 0.0) {
            return Err(ConfigError::LearningRate(learning_rate));
        }
        if !(0.0..1.0).contains(&momentum) {
            return Err(ConfigError::Momentum(momentum));
        }
        Ok(TrainConfig {
            iterations,
            learning_rate,
            momentum,
            sampling,
            generator: Generator::ChaCha8,
            seed,
        })
    }

    /// The same configuration drawing from `generator`; an error if the
    /// generator does not take the seed.
    pub fn with_generator(mut self, generator: Generator) -> Result<Self, ConfigError> {
        self.generator = generator;
        self.with_seed(self.seed)
    }

    /// Number of iterations (samples seen).
    pub fn iterations(&self) -> u64 {
        self.iterations
    }
    /// `eta`.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// `mu`.
    pub fn momentum(&self) -> f64 {
        self.momentum
    }
    /// Sample order.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }
    /// Seed of the run's random generator.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The run's generator.
    pub fn generator(&self) -> Generator {
        self.generator
    }
    /// The run's one random generator, seeded (see [`crate::random`]). A run
    /// draws its random start (if any) from it first, then its random sample
    /// indices.
    pub fn rng(&self) -> RunRng {
        self.generator
            .seeded(self.seed)
            .expect("the seed was checked for the generator")
    }

    /// The same configuration with another seed; an error if the generator
    /// does not take it.
    pub fn with_seed(mut self, seed: u64) -> Result<Self, ConfigError> {
        if !self.generator.takes_seed(seed) {
            return Err(ConfigError::Seed {
                seed,
                generator: self.generator,
            });
        }
        self.seed = seed;
        Ok(self)
    }
}

/// The default learning rate of the course's script, `eta = 0.2 / K`.
pub fn default_learning_rate(hidden: usize) -> f64 {
    0.2 / hidden as f64
}

/// Training stopped because the cost or a parameter stopped being a number.
/// Its message names the likely cause from what went wrong first: a cost
/// that is not finite on the very first sample, before any update, comes
/// from the data or the start; later, from the learning rate.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "training diverged at iteration {iteration}: the {what} became {value}; {}",
    self.cause()
)]
pub struct Diverged {
    /// The iteration (from 0) at which it was noticed.
    pub iteration: u64,
    /// "cost" or "parameters".
    pub what: &'static str,
    /// The non-finite value.
    pub value: f64,
    /// The learning rate in use.
    pub learning_rate: f64,
}

impl Diverged {
    /// Whether the very first sample's cost was not finite, before any
    /// update: the data or the start hold values the arithmetic cannot take.
    pub fn at_the_start(&self) -> bool {
        self.iteration == 0 && self.what == "cost"
    }

    fn cause(&self) -> String {
        if self.at_the_start() {
            "the data or the start hold values too large for the network's arithmetic".to_owned()
        } else {
            let rate = if self.learning_rate != 0.0 && !(1e-4..1e6).contains(&self.learning_rate.abs()) {
                format!("{:e}", self.learning_rate)
            } else {
                self.learning_rate.to_string()
            };
            format!("the learning rate {rate} is probably too large for this network")
        }
    }
}

/// A network being trained: its tape and its momentum buffer, allocated
/// once, so that [`Trainer::step`] allocates nothing.
#[derive(Clone, Debug)]
pub struct Trainer {
    tape: Tape,
    velocity: Vec<f64>,
    learning_rate: f64,
    momentum: f64,
    /// The step and the copy of it that run (chosen once, for this network
    /// on this processor).
    copy: Runnable,
}

impl Trainer {
    /// A trainer for `net` with all momentum steps `dP` at 0.
    pub fn new(net: &Network, config: &TrainConfig) -> Self {
        Trainer {
            tape: net.tape(),
            velocity: vec![0.0; net.params().len()],
            learning_rate: config.learning_rate,
            momentum: config.momentum,
            copy: Isa::best_for(net.layers())
                .runnable(net.layers())
                .expect("the best copy is one this processor runs"),
        }
    }

    /// One iteration on sample `(x, target)`: forward pass, backward pass,
    /// momentum update. Returns the sample's cost `1/2 sum (y - y*)^2` from
    /// this iteration's forward pass, before the update.
    #[inline]
    pub fn step(&mut self, net: &mut Network, x: &[f64], target: &[f64]) -> f64 {
        net.train_step(
            self.copy,
            x,
            target,
            &mut self.tape,
            &mut self.velocity,
            self.learning_rate,
            self.momentum,
        )
    }

    /// The same trainer running the copy of the step compiled for `isa`
    /// instead of the one [`Isa::best_for`] chose; `None` if this processor
    /// cannot run it. Every copy gives the same bits; this is for tests and
    /// benchmarks.
    pub fn with_isa(mut self, isa: Isa) -> Option<Self> {
        self.copy = self.copy.with_isa(isa)?;
        Some(self)
    }

    /// The copy of the step this trainer runs.
    pub fn isa(&self) -> Isa {
        self.copy.isa()
    }

    /// The momentum steps `dP` (flat layout of the parameters).
    pub fn velocity(&self) -> &[f64] {
        &self.velocity
    }
}

/// What a finished training run reports.
#[derive(Clone, Debug)]
pub struct TrainOutcome {
    /// The binned per-iteration cost.
    pub trace: CostTrace,
}

/// Trains `net` on `data` as docs/DESIGN.md section 2 says: one sample per
/// iteration, momentum, cost trace binned on the fly (memory does not grow
/// with the number of iterations). Random sampling draws from `rng`, the
/// run's one generator (see [`TrainConfig::rng`]). `progress` is called now
/// and then with the number of iterations done since its last call.
///
/// Not generic, so that the loop is compiled here, with this crate's
/// optimisation, whichever crate calls it.
pub fn train(
    net: &mut Network,
    data: &Dataset,
    config: &TrainConfig,
    rng: &mut RunRng,
    max_bins: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<TrainOutcome, Diverged> {
    let mut nothing = |_: u64, _: &Network| {};
    let mut watch = Watch {
        after: &[],
        at: &mut nothing,
    };
    train_watched(net, data, config, rng, max_bins, &mut watch, progress)
}

/// Looks at the network at chosen iterations of a training run, without
/// retraining and without a call per iteration.
pub struct Watch<'a> {
    /// Iteration counts, ascending: `at` is called after that many
    /// iterations (1 ..= the run's iterations; others are never reached).
    pub after: &'a [u64],
    /// Called with the number of iterations done and the network then.
    pub at: &'a mut dyn FnMut(u64, &Network),
}

/// [`train`], calling `watch.at` after each of the iteration counts in
/// `watch.after`.
pub fn train_watched(
    net: &mut Network,
    data: &Dataset,
    config: &TrainConfig,
    rng: &mut RunRng,
    max_bins: usize,
    watch: &mut Watch,
    progress: &mut dyn FnMut(u64),
) -> Result<TrainOutcome, Diverged> {
    // One loop per generator, so that the generator is chosen once per run.
    match rng {
        RunRng::ChaCha8(rng) => train_from(net, data, config, rng, max_bins, watch, progress),
        RunRng::Numpy(rng) => train_from(net, data, config, rng, max_bins, watch, progress),
    }
}

fn train_from(
    net: &mut Network,
    data: &Dataset,
    config: &TrainConfig,
    rng: &mut impl SampleIndex,
    max_bins: usize,
    watch: &mut Watch,
    progress: &mut dyn FnMut(u64),
) -> Result<TrainOutcome, Diverged> {
    assert_eq!(data.inputs(), net.inputs(), "data and network disagree on inputs");
    assert_eq!(data.outputs(), net.outputs(), "data and network disagree on outputs");
    let mut trainer = Trainer::new(net, config);
    let mut trace = CostTrace::new(config.iterations, max_bins);
    let n = data.len();
    const REPORT_EVERY: u64 = 1 << 14;
    let mut watched = watch.after.iter().copied().peekable();
    // The next iteration count to stop at; u64::MAX is never reached.
    let mut next_watch = watched.next().unwrap_or(u64::MAX);
    for t in 0..config.iterations {
        let idx = match config.sampling {
            Sampling::Random => rng.index(n),
            Sampling::Cyclic => (t % n as u64) as usize,
        };
        let cost = trainer.step(net, data.input(idx), data.target(idx));
        if !cost.is_finite() {
            return Err(Diverged {
                iteration: t,
                what: "cost",
                value: cost,
                learning_rate: config.learning_rate,
            });
        }
        trace.push(cost);
        if (t + 1) % REPORT_EVERY == 0 {
            progress(REPORT_EVERY);
        }
        if t + 1 == next_watch {
            (watch.at)(t + 1, net);
            // skip repeats and counts already passed
            next_watch = loop {
                match watched.next() {
                    Some(c) if c <= t + 1 => continue,
                    Some(c) => break c,
                    None => break u64::MAX,
                }
            };
        }
    }
    if let Some(&bad) = net.params().iter().find(|p| !p.is_finite()) {
        return Err(Diverged {
            iteration: config.iterations - 1,
            what: "parameters",
            value: bad,
            learning_rate: config.learning_rate,
        });
    }
    progress(config.iterations % REPORT_EVERY);
    Ok(TrainOutcome { trace })
}

/// The mean cost `1/N sum_t 1/2 sum_j (y_j - y*_j)^2` of `net` over `data`.
pub fn dataset_cost(net: &Network, data: &Dataset) -> f64 {
    let mut tape = net.tape();
    let total: f64 = (0..data.len())
        .map(|i| sample_cost(net.forward(data.input(i), &mut tape), data.target(i)))
        .sum();
    total / data.len() as f64
}

/// The network's outputs for every sample of `data`, one row each.
pub fn predict(net: &Network, data: &Dataset) -> Vec<Vec<f64>> {
    let mut tape = net.tape();
    (0..data.len())
        .map(|i| net.forward(data.input(i), &mut tape).to_vec())
        .collect()
}
