//! `--rng numpy`: the saved start is what NumPy draws after
//! `np.random.seed(s)`, bit for bit, and 20,000 iterations end where a NumPy
//! training loop with NumPy's own draws ends (fixtures written by NumPy).

use testkit::numpy_runs::{assert_bits_equal, max_rel_diff, numpy_run, run_numpy, saved};

const BIN: &str = env!("CARGO_BIN_EXE_ex2d");

#[test]
fn runs_reproduce_numpy() {
    for seed in [0, 3] {
        let numpy = numpy_run("2d", seed, 10);
        let dir = run_numpy(BIN, seed, numpy.iterations, &[]);
        let run = format!("seed{seed}");
        assert_bits_equal(&saved(dir.path(), &run, "initial"), &numpy.initial, &run);
        let diff = max_rel_diff(&saved(dir.path(), &run, "final"), &numpy.last);
        assert!(
            diff <= 1e-9,
            "{run}: final weights differ from NumPy's by {diff:e} (relative)"
        );
    }
}
