//! A data set in memory: samples with their inputs `x` and targets `y*`.

/// Samples with their inputs and targets, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    inputs: Vec<f64>,
    targets: Vec<f64>,
    n_in: usize,
    n_out: usize,
}

/// Why numbers do not make a data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    /// A sample needs at least one input and one target column.
    #[error("a data set needs at least one input and one target column")]
    NoColumns,
    /// Training draws samples, so there must be one to draw.
    #[error("a data set needs at least one sample")]
    NoSamples,
    /// The numbers do not fill whole rows, or inputs and targets disagree on
    /// the number of rows.
    #[error(
        "{inputs} input numbers in rows of {n_in} and {targets} target numbers in rows of {n_out} \
         are not the same number of whole rows"
    )]
    Rows {
        inputs: usize,
        n_in: usize,
        targets: usize,
        n_out: usize,
    },
}

impl Dataset {
    /// A data set from row-major inputs (`N x n_in`) and targets
    /// (`N x n_out`), with `N >= 1`.
    pub fn new(inputs: Vec<f64>, targets: Vec<f64>, n_in: usize, n_out: usize) -> Result<Self, DatasetError> {
        if n_in == 0 || n_out == 0 {
            return Err(DatasetError::NoColumns);
        }
        if !inputs.len().is_multiple_of(n_in)
            || !targets.len().is_multiple_of(n_out)
            || inputs.len() / n_in != targets.len() / n_out
        {
            return Err(DatasetError::Rows {
                inputs: inputs.len(),
                n_in,
                targets: targets.len(),
                n_out,
            });
        }
        if inputs.is_empty() {
            return Err(DatasetError::NoSamples);
        }
        Ok(Dataset {
            inputs,
            targets,
            n_in,
            n_out,
        })
    }

    /// Number of samples `N`.
    pub fn len(&self) -> usize {
        self.inputs.len() / self.n_in
    }

    /// Whether there are no samples (never: [`Dataset::new`] refuses that).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_nonempty_rows_make_a_data_set() {
        let d = Dataset::new(vec![1., 2., 3., 4.], vec![5., 6.], 2, 1).unwrap();
        assert_eq!((d.len(), d.input(1), d.target(1)), (2, &[3., 4.][..], &[6.][..]));
        assert_eq!(Dataset::new(vec![], vec![], 2, 1), Err(DatasetError::NoSamples));
        assert_eq!(Dataset::new(vec![1.], vec![1.], 0, 1), Err(DatasetError::NoColumns));
        assert_eq!(Dataset::new(vec![1.], vec![1.], 1, 0), Err(DatasetError::NoColumns));
        let rows = |i: usize, t: usize| Dataset::new(vec![0.; i], vec![0.; t], 2, 1);
        assert!(matches!(rows(3, 1), Err(DatasetError::Rows { .. })));
        assert!(matches!(rows(4, 1), Err(DatasetError::Rows { .. })));
        assert!(matches!(rows(2, 2), Err(DatasetError::Rows { .. })));
    }
}
