//! A data set in memory: samples with their inputs `x` and targets `y*`.

/// Samples with their inputs and targets, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    inputs: Vec<f64>,
    targets: Vec<f64>,
    n_in: usize,
    n_out: usize,
}

impl Dataset {
    /// A data set from row-major inputs (`N x n_in`) and targets (`N x n_out`).
    pub fn new(inputs: Vec<f64>, targets: Vec<f64>, n_in: usize, n_out: usize) -> Self {
        assert!(n_in > 0 && n_out > 0, "a data set needs inputs and targets");
        assert_eq!(inputs.len() % n_in, 0);
        assert_eq!(inputs.len() / n_in, targets.len() / n_out);
        assert_eq!(targets.len() % n_out, 0);
        Dataset {
            inputs,
            targets,
            n_in,
            n_out,
        }
    }

    /// Number of samples `N`.
    pub fn len(&self) -> usize {
        self.inputs.len() / self.n_in
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Number of input columns.
    pub fn inputs(&self) -> usize {
        self.n_in
    }

    /// Number of target columns.
    pub fn outputs(&self) -> usize {
        self.n_out
    }

    /// Sample `i`'s input `x`.
    #[inline]
    pub fn input(&self, i: usize) -> &[f64] {
        &self.inputs[i * self.n_in..(i + 1) * self.n_in]
    }

    /// Sample `i`'s target `y*`.
    #[inline]
    pub fn target(&self, i: usize) -> &[f64] {
        &self.targets[i * self.n_out..(i + 1) * self.n_out]
    }

    /// All inputs, row-major.
    pub fn all_inputs(&self) -> &[f64] {
        &self.inputs
    }

    /// All targets, row-major.
    pub fn all_targets(&self) -> &[f64] {
        &self.targets
    }
}
