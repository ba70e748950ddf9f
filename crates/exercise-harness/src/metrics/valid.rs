//! What every part's metrics must hold to be rendered: costs finite and not
//! negative, counts that agree with each other. A file that breaks one is
//! refused with one line naming the file and the field, never rendered as a
//! result.

use super::{Header, ex1, ex2a, ex2b, ex2c, ex2d};

/// Metrics that can say what, if anything, is wrong with them.
pub trait Valid {
    /// Records the first problem in `c`.
    fn check(&self, c: &mut Checker);
}

/// The first problem found, with the field's name.
#[derive(Debug, Default)]
pub struct Checker {
    problem: Option<String>,
}

impl Checker {
    /// The first problem, if any.
    pub fn problem(self) -> Option<String> {
        self.problem
    }

    /// `ok`, or the problem `what` says.
    pub fn that(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if self.problem.is_none() && !ok {
            self.problem = Some(what());
        }
    }

    /// A cost (or any measure of size): finite and at least 0.
    pub fn cost(&mut self, field: impl FnOnce() -> String, x: f64) {
        self.that(x.is_finite() && x >= 0.0, || {
            format!("{} is {x}; expected a finite number of at least 0", field())
        });
    }
}

fn header(c: &mut Checker, h: &Header, exercise: &str) {
    let s = &h.settings;
    c.that(h.exercise == exercise, || {
        format!(
            "exercise is \"{}\"; expected \"{exercise}\" in this part's folder",
            h.exercise
        )
    });
    c.that((1..=crate::cli::MAX_ITERATIONS).contains(&s.iterations), || {
        format!(
            "iterations is {}; expected 1 to {}",
            s.iterations,
            crate::cli::MAX_ITERATIONS
        )
    });
    c.that(s.learning_rate.is_finite() && s.learning_rate > 0.0, || {
        format!("learning_rate is {}; expected a finite number above 0", s.learning_rate)
    });
    c.that((0.0..1.0).contains(&s.momentum), || {
        format!("momentum is {}; expected a number in [0, 1)", s.momentum)
    });
}

impl Valid for ex1::Metrics {
    fn check(&self, c: &mut Checker) {
        c.that(self.step.is_finite() && self.step > 0.0, || {
            format!("step is {}; expected a finite number above 0", self.step)
        });
        c.that(self.exercise == "1", || {
            format!("exercise is \"{}\"; expected \"1\"", self.exercise)
        });
        let parts: Vec<&str> = self.checks.iter().map(|k| k.part.as_str()).collect();
        c.that(parts == ["a", "b", "c", "d", "e", "f"], || {
            format!("checks holds the parts {parts:?}; expected a to f, each once")
        });
        c.cost(|| "max_rel_error".to_owned(), self.max_rel_error);
        let worst = self.checks.iter().map(|k| k.max_rel_error).fold(0.0, f64::max);
        c.that(self.max_rel_error == worst, || {
            format!(
                "max_rel_error is {}, but the largest of checks[].max_rel_error is {worst}",
                self.max_rel_error
            )
        });
        for (i, check) in self.checks.iter().enumerate() {
            c.cost(|| format!("checks[{i}].max_rel_error"), check.max_rel_error);
            for (j, l) in check.layers.iter().enumerate() {
                c.cost(|| format!("checks[{i}].layers[{j}].max_rel_error"), l.max_rel_error);
            }
        }
    }
}

impl Valid for ex2a::Metrics {
    fn check(&self, c: &mut Checker) {
        header(c, &self.header, "2a");
        c.cost(|| "max_abs_weight_change".to_owned(), self.max_abs_weight_change);
        c.cost(|| "initial_cost".to_owned(), self.initial_cost);
        c.cost(|| "final_cost".to_owned(), self.final_cost);
        c.cost(
            || "max_sample_cost_during_training".to_owned(),
            self.max_sample_cost_during_training,
        );
    }
}

impl Valid for ex2b::Metrics {
    fn check(&self, c: &mut Checker) {
        header(c, &self.header, "2b");
        c.that(self.perturbation.parse::<crate::sheet::Perturbation>().is_ok(), || {
            format!(
                "perturbation is \"{}\"; expected NAME[ROW,COL]=VALUE as --perturb takes it",
                self.perturbation
            )
        });
        c.cost(|| "initial_cost".to_owned(), self.initial_cost);
        c.cost(|| "final_cost".to_owned(), self.final_cost);
        c.that(
            self.recovery_threshold.is_finite() && self.recovery_threshold > 0.0,
            || {
                format!(
                    "recovery_threshold is {}; expected a finite number above 0",
                    self.recovery_threshold
                )
            },
        );
        let Some(s) = &self.sweep else { return };
        c.that(s.perturbations == s.parameters.len() * s.offsets.len(), || {
            format!(
                "sweep.perturbations is {}, but {} parameters x {} offsets make {}",
                s.perturbations,
                s.parameters.len(),
                s.offsets.len(),
                s.parameters.len() * s.offsets.len()
            )
        });
        c.that(s.runs as u64 == s.perturbations as u64 * s.seeds.count, || {
            format!(
                "sweep.runs is {}, but {} perturbations x {} sample orders make {}",
                s.runs,
                s.perturbations,
                s.seeds.count,
                s.perturbations as u64 * s.seeds.count
            )
        });
        c.that(s.recovered <= s.runs, || {
            format!("sweep.recovered is {}, more than the {} runs", s.recovered, s.runs)
        });
        c.that(
            s.failed.len() == s.parameters.len() && s.failed.iter().all(|row| row.len() == s.offsets.len()),
            || "sweep.failed is not one row per parameter of one count per offset".to_owned(),
        );
        let failed: u64 = s.failed.iter().flatten().sum();
        c.that(s.failed.iter().flatten().all(|&n| n <= s.seeds.count), || {
            "sweep.failed counts more failed runs than sample orders".to_owned()
        });
        c.that(
            failed == s.failures.len() as u64 && s.failures.len() + s.recovered == s.runs,
            || {
                format!(
                    "sweep.failures lists {} runs, but sweep.failed counts {failed} and {} of {} runs recovered",
                    s.failures.len(),
                    s.recovered,
                    s.runs
                )
            },
        );
        for (i, f) in s.failures.iter().enumerate() {
            c.cost(|| format!("sweep.failures[{i}].final_cost"), f.final_cost);
        }
    }
}

fn summaries(c: &mut Checker, field: &str, summary: &[ex2c::Summary], runs: &[ex2c::RunResult]) {
    for (i, s) in summary.iter().enumerate() {
        let name = |what: &str| format!("{field}[{i}].{what}");
        c.cost(|| name("test_cost_mean"), s.test_cost_mean);
        c.cost(|| name("test_cost_std"), s.test_cost_std);
        c.cost(|| name("test_cost_min"), s.test_cost_min);
        c.cost(|| name("test_cost_max"), s.test_cost_max);
        c.cost(|| name("train_cost_mean"), s.train_cost_mean);
        c.cost(|| name("train_cost_std"), s.train_cost_std);
        let slack = 1e-12 * s.test_cost_max.abs().max(1e-300);
        c.that(
            s.test_cost_min <= s.test_cost_mean + slack && s.test_cost_mean <= s.test_cost_max + slack,
            || format!("{}: the mean lies outside [min, max]", name("test_cost_mean")),
        );
        let n = runs
            .iter()
            .filter(|r| r.hidden == s.hidden && r.learning_rate == s.learning_rate)
            .count();
        c.that(n == s.seeds && n >= 1, || {
            format!(
                "{} is {}, but runs holds {n} runs of that K and rate",
                name("seeds"),
                s.seeds
            )
        });
    }
}

impl Valid for ex2c::Metrics {
    fn check(&self, c: &mut Checker) {
        c.that(self.exercise == "2c", || {
            format!("exercise is \"{}\"; expected \"2c\"", self.exercise)
        });
        c.that(self.iterations >= 1, || {
            "iterations is 0; expected at least 1".to_owned()
        });
        c.that(self.train_samples >= 1 && self.test_samples >= 1, || {
            "train_samples and test_samples must be at least 1".to_owned()
        });
        c.that(self.seeds.count >= 1, || "seeds.count is 0".to_owned());
        c.that(!self.runs.is_empty() && !self.summary.is_empty(), || {
            "runs and summary must not be empty".to_owned()
        });
        for (i, r) in self.runs.iter().enumerate() {
            c.cost(|| format!("runs[{i}].train_cost"), r.train_cost);
            c.cost(|| format!("runs[{i}].test_cost"), r.test_cost);
        }
        summaries(c, "summary", &self.summary, &self.runs);
        summaries(c, "other_rates", &self.other_rates, &self.runs);
        if let (Some(test), Some(train)) = (self.test_cost_of_sin_pi_x, self.train_cost_of_sin_pi_x) {
            c.cost(|| "test_cost_of_sin_pi_x".to_owned(), test);
            c.cost(|| "train_cost_of_sin_pi_x".to_owned(), train);
        }
        c.that(
            self.test_cost_of_sin_pi_x.is_some() == self.train_cost_of_sin_pi_x.is_some(),
            || "test_cost_of_sin_pi_x and train_cost_of_sin_pi_x come together".to_owned(),
        );
        if let Some(cap) = &self.capacity {
            for (i, r) in cap.runs.iter().enumerate() {
                c.cost(|| format!("capacity.runs[{i}].test_cost"), r.test_cost);
                c.cost(|| format!("capacity.runs[{i}].train_cost"), r.train_cost);
            }
            summaries(c, "capacity.summary", &cap.summary, &cap.runs);
        }
        for (i, w) in self.snapshots.iter().enumerate() {
            for (j, a) in w.after.iter().enumerate() {
                c.cost(|| format!("snapshots[{i}].after[{j}].test_cost"), a.test_cost);
                c.cost(|| format!("snapshots[{i}].after[{j}].train_cost"), a.train_cost);
            }
        }
    }
}

impl Valid for ex2d::Metrics {
    fn check(&self, c: &mut Checker) {
        header(c, &self.header, "2d");
        c.cost(|| "final_cost".to_owned(), self.final_cost);
        c.cost(|| "max_abs_error".to_owned(), self.max_abs_error);
        c.that(!self.samples.is_empty(), || "samples is empty".to_owned());
        for (i, p) in self.properties.iter().enumerate() {
            c.that(p.values.len() == self.samples.len(), || {
                format!(
                    "properties[{i}] has {} values for {} samples",
                    p.values.len(),
                    self.samples.len()
                )
            });
        }
        c.that(self.follows.len() == 4, || {
            format!("follows lists {} series; expected z1*, z2*, z1, z2", self.follows.len())
        });
        for (i, f) in self.follows.iter().enumerate() {
            for (j, fit) in f.fits.iter().enumerate() {
                c.that((0.0..=1.0 + 1e-9).contains(&fit.fit.r2), || {
                    format!(
                        "follows[{i}].fits[{j}].r2 is {}; expected an R² from 0 to 1",
                        fit.fit.r2
                    )
                });
                c.that(self.properties.iter().any(|p| p.key == fit.property), || {
                    format!("follows[{i}].fits[{j}] names a property not listed: {}", fit.property)
                });
            }
            c.that(
                f.best.as_ref().is_none_or(|b| f.fits.iter().any(|x| &x.property == b)),
                || format!("follows[{i}].best names a property it was not fitted to"),
            );
        }
        c.that(
            self.hidden_units.is_empty() || self.hidden_units.len() == self.hidden,
            || {
                format!(
                    "hidden_units lists {} units, but hidden is {}",
                    self.hidden_units.len(),
                    self.hidden
                )
            },
        );
    }
}
