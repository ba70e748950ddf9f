//! ex2c refuses every kind of bad input with one line and writes nothing,
//! and a failed run leaves the previous good output untouched.

use testkit::cli::{assert_refused, files, refuses_bad_common_flags, refuses_bad_data, run_ok};

const BIN: &str = env!("CARGO_BIN_EXE_ex2c");

#[test]
fn bad_training_and_test_files() {
    refuses_bad_data(BIN, "--train", &["--iterations", "10"], 1, 1);
    refuses_bad_data(BIN, "--test", &["--iterations", "10"], 1, 1);
}

#[test]
fn bad_flags() {
    refuses_bad_common_flags(BIN);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    for (args, needle) in [
        (["--hidden", "0"], "--hidden"),
        (["--hidden", "-4"], "--hidden"),
        (["--hidden", "many"], "--hidden"),
        (["--hidden", "1000001"], "--hidden"),
        (["--seeds", "0"], "--seeds"),
        (["--seeds", "-2"], "--seeds"),
        (["--seeds", "x"], "--seeds"),
    ] {
        assert_refused(BIN, &["--out", o, args[0], args[1]], &[needle]);
        assert!(!out.exists());
    }
    // The last of the seeds past what np.random.seed takes.
    assert_refused(
        BIN,
        &["--out", o, "--seed", "4294967290", "--seeds", "10"],
        &["--seed 4294967290", "--seeds 10", "4294967296"],
    );
    assert!(!out.exists());
}

#[test]
fn a_failed_run_leaves_the_previous_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    run_ok(BIN, &["--out", o, "--iterations", "5000", "--seeds", "2"]);
    let before: Vec<(String, Vec<u8>)> = files(dir.path())
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(dir.path().join(&f)).unwrap()))
        .collect();
    assert_eq!(before.len(), 4);
    assert_refused(
        BIN,
        &[
            "--out",
            o,
            "--iterations",
            "100000",
            "--seeds",
            "2",
            "--learning-rate",
            "1000",
        ],
        &["diverged", "--learning-rate"],
    );
    let after: Vec<(String, Vec<u8>)> = files(dir.path())
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(dir.path().join(&f)).unwrap()))
        .collect();
    assert_eq!(before, after, "a failed run changed the previous output");
}
