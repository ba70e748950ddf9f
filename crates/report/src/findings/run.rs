//! How the report's runs were made: the generator (and the NumPy lines that
//! reproduce one run), the seeds, iterations, commit, toolchain and times.

use super::thousands;
use crate::metrics::Metrics;
use crate::{PARTS, report_flags};
use exercise_harness::metrics::ex2c;
use mlp::Generator;
use serde::Serialize;

/// How long one part took.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub part: String,
    pub seconds: String,
}

/// What the provenance block says besides the metrics: what the driver
/// that ran the parts knows.
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    /// The cargo profile the parts ran in.
    pub profile: String,
    pub commit: String,
    pub rustc: String,
    pub timings: Vec<Timing>,
}

/// The provenance block as printed.
#[derive(Clone, Debug, Serialize)]
pub struct ProvenanceFindings {
    pub profile: String,
    /// The flags the report adds to parts' defaults, listed.
    pub flags: String,
    pub has_flags: bool,
    pub commit: String,
    pub rustc: String,
    pub seeds: String,
    pub iterations: String,
    pub timings: Vec<Timing>,
}

impl ProvenanceFindings {
    pub fn new(m: &Metrics, prov: &Provenance) -> ProvenanceFindings {
        let (e1, a, b, c, d) = (&m.ex1, &m.ex2a, &m.ex2b, &m.ex2c, &m.ex2d);
        let (first_seed, n_seeds) = (c.seeds.first, c.seeds.count);
        let flags = PARTS
            .iter()
            .filter(|(name, _)| !report_flags(name).is_empty())
            .map(|(name, _)| format!("`{name} {}`", report_flags(name).join(" ")))
            .collect::<Vec<_>>()
            .join(", ");
        ProvenanceFindings {
            profile: prov.profile.clone(),
            has_flags: !flags.is_empty(),
            flags,
            commit: prov.commit.clone(),
            rustc: prov.rustc.clone(),
            seeds: format!(
                "Exercise 1: {}; 2a: {}; 2b: {}; 2c: {} to {}; 2d: {}",
                e1.seed,
                a.header.settings.seed,
                b.header.settings.seed,
                first_seed,
                first_seed + n_seeds - 1,
                d.header.settings.seed
            ),
            iterations: format!(
                "2a: {}; 2b: {} (and each sweep run); 2c: {} per run; 2d: {}",
                thousands(a.header.settings.iterations),
                thousands(b.header.settings.iterations),
                thousands(c.iterations),
                thousands(d.header.settings.iterations)
            ),
            timings: prov.timings.clone(),
        }
    }
}

/// The runs' generator, as the report names it.
#[derive(Clone, Debug, Serialize)]
pub struct Rng {
    pub name: &'static str,
    /// `--rng` as spelled on the command line.
    pub flag: String,
    /// The runs drew from NumPy's generator, so NumPy reproduces them.
    pub numpy: bool,
    pub replay: Option<Replay>,
}

/// The NumPy lines that reproduce one 2c run's start and sample order.
#[derive(Clone, Debug, Serialize)]
pub struct Replay {
    /// The run's name, `k5-seed2`.
    pub run: String,
    pub code: String,
}

impl Rng {
    pub fn new(c: &ex2c::Metrics) -> Rng {
        match c.summary.first() {
            Some(first) if c.rng == Generator::Numpy => {
                let (k, seed) = (first.hidden, first.representative_seed);
                Rng {
                    name: "NumPy's legacy MT19937, seeded as by `np.random.seed`",
                    flag: c.rng.to_string(),
                    numpy: true,
                    replay: Some(Replay {
                        run: format!("k{k}-seed{seed}"),
                        code: numpy_lines(k, seed, c.train_samples, c.iterations),
                    }),
                }
            }
            _ => Rng {
                name: if c.rng == Generator::Numpy {
                    "NumPy's legacy MT19937"
                } else {
                    "ChaCha8"
                },
                flag: c.rng.to_string(),
                numpy: false,
                replay: None,
            },
        }
    }
}

/// The NumPy lines that draw the start and the sample order of the 2c run
/// with `k` hidden units and `seed`, on `n` training samples, as the course's
/// notebook draws them (the sheet's footnote, then `randint` per iteration).
pub fn numpy_lines(k: usize, seed: u64, n: usize, iterations: u64) -> String {
    format!(
        "import numpy as np\n\
         np.random.seed({seed})\n\
         V = np.random.normal(0., 1., ({k}, 1))\n\
         W = np.random.normal(0., 1., (1, {k}))\n\
         b = np.random.normal(0., 1., {k})\n\
         T = np.random.randint(0, {n}, {iterations})"
    )
}
