//! The per-iteration cost, binned while training runs.
//!
//! A run of 10^6 iterations cannot be plotted point by point (nor kept in
//! memory when `--iterations` grows), so the trace keeps a fixed number of
//! bins of consecutive iterations, each with the mean, minimum and maximum of
//! the per-sample costs that fell into it.

/// A streaming, binned cost trace.
#[derive(Clone, Debug, PartialEq)]
pub struct CostTrace {
    iterations: u64,
    bin_size: u64,
    sums: Vec<f64>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    pushed: u64,
}

/// One bin of a trace: iterations `start .. end` (end exclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bin {
    /// First iteration in the bin (from 0).
    pub start: u64,
    /// One past the last iteration in the bin.
    pub end: u64,
    /// Mean per-sample cost over the bin.
    pub mean: f64,
    /// Smallest per-sample cost in the bin.
    pub min: f64,
    /// Largest per-sample cost in the bin.
    pub max: f64,
}

impl CostTrace {
    /// A trace for `iterations` iterations with at most `max_bins` bins (at
    /// least one iteration per bin; every bin but the last has the same size).
    pub fn new(iterations: u64, max_bins: usize) -> Self {
        let max_bins = max_bins.max(1) as u64;
        let bin_size = iterations.div_ceil(max_bins).max(1);
        let bins = iterations.div_ceil(bin_size) as usize;
        CostTrace {
            iterations,
            bin_size,
            sums: vec![0.0; bins],
            mins: vec![f64::INFINITY; bins],
            maxs: vec![f64::NEG_INFINITY; bins],
            pushed: 0,
        }
    }

    /// Records the next iteration's cost. Extra pushes beyond the planned
    /// number of iterations are ignored.
    #[inline]
    pub fn push(&mut self, cost: f64) {
        let bin = (self.pushed / self.bin_size) as usize;
        if let Some(sum) = self.sums.get_mut(bin) {
            *sum += cost;
            self.mins[bin] = self.mins[bin].min(cost);
            self.maxs[bin] = self.maxs[bin].max(cost);
            self.pushed += 1;
        }
    }

    /// Iterations per bin (the last bin may hold fewer).
    pub fn bin_size(&self) -> u64 {
        self.bin_size
    }

    /// Number of iterations recorded so far.
    pub fn len(&self) -> u64 {
        self.pushed
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// The bins that hold at least one iteration.
    pub fn bins(&self) -> impl Iterator<Item = Bin> + '_ {
        let filled = self.pushed.div_ceil(self.bin_size) as usize;
        (0..filled).map(move |b| {
            let start = b as u64 * self.bin_size;
            let end = ((b as u64 + 1) * self.bin_size).min(self.pushed);
            Bin {
                start,
                end,
                mean: self.sums[b] / (end - start) as f64,
                min: self.mins[b],
                max: self.maxs[b],
            }
        })
    }

    /// Mean cost over the first bin.
    pub fn first_mean(&self) -> Option<f64> {
        self.bins().next().map(|b| b.mean)
    }

    /// Mean cost over the last filled bin.
    pub fn last_mean(&self) -> Option<f64> {
        self.bins().last().map(|b| b.mean)
    }

    /// Iterations planned.
    pub fn iterations(&self) -> u64 {
        self.iterations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_traces_keep_every_iteration() {
        let mut t = CostTrace::new(5, 2000);
        for c in [5.0, 4.0, 3.0, 2.0, 1.0] {
            t.push(c);
        }
        let bins: Vec<_> = t.bins().collect();
        assert_eq!(t.bin_size(), 1);
        assert_eq!(bins.len(), 5);
        assert_eq!(
            bins[2],
            Bin {
                start: 2,
                end: 3,
                mean: 3.0,
                min: 3.0,
                max: 3.0
            }
        );
    }

    #[test]
    fn long_traces_are_binned_exactly() {
        // 10 iterations into at most 3 bins: sizes 4, 4, 2.
        let mut t = CostTrace::new(10, 3);
        for i in 0..10 {
            t.push(i as f64);
        }
        let bins: Vec<_> = t.bins().collect();
        assert_eq!(t.bin_size(), 4);
        assert_eq!(
            bins,
            vec![
                Bin {
                    start: 0,
                    end: 4,
                    mean: 1.5,
                    min: 0.0,
                    max: 3.0
                },
                Bin {
                    start: 4,
                    end: 8,
                    mean: 5.5,
                    min: 4.0,
                    max: 7.0
                },
                Bin {
                    start: 8,
                    end: 10,
                    mean: 8.5,
                    min: 8.0,
                    max: 9.0
                },
            ]
        );
        assert_eq!(t.first_mean(), Some(1.5));
        assert_eq!(t.last_mean(), Some(8.5));
    }

    #[test]
    fn a_million_iterations_fit_in_a_few_thousand_bins() {
        let t = CostTrace::new(1_000_000, 2000);
        assert_eq!(t.bin_size(), 500);
        assert_eq!(t.sums.len(), 2000);
        let t = CostTrace::new(10_000_000, 2000);
        assert_eq!(t.sums.len(), 2000);
    }

    #[test]
    fn partial_traces_report_only_filled_bins() {
        let mut t = CostTrace::new(100, 10);
        for _ in 0..25 {
            t.push(2.0);
        }
        let bins: Vec<_> = t.bins().collect();
        assert_eq!(bins.len(), 3);
        assert_eq!(
            bins[2],
            Bin {
                start: 20,
                end: 25,
                mean: 2.0,
                min: 2.0,
                max: 2.0
            }
        );
        // pushes past the plan are ignored
        let mut t = CostTrace::new(2, 10);
        for _ in 0..5 {
            t.push(1.0);
        }
        assert_eq!(t.len(), 2);
    }
}
