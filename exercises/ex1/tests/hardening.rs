//! ex1 refuses bad flags and outputs with one line and writes nothing.

use testkit::cli::{assert_refused, refuses_bad_out};

const BIN: &str = env!("CARGO_BIN_EXE_ex1");

#[test]
fn bad_flags_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for args in [["--seed", "-3"], ["--seed", "abc"], ["--step", "0.5"], ["--bogus", "1"]] {
        assert_refused(BIN, &["--out", out.to_str().unwrap(), args[0], args[1]], &[args[0]]);
        assert!(!out.exists());
    }
    refuses_bad_out(BIN, &[]);
}
