//! ex2b refuses every kind of bad input with one line and writes nothing.

const BIN: &str = env!("CARGO_BIN_EXE_ex2b");

#[test]
fn bad_data_files() {
    testkit::cli::refuses_bad_data(BIN, "--data", &["--no-sweep"], 2, 1);
}

#[test]
fn bad_flags() {
    testkit::cli::refuses_bad_common_flags(BIN);
}
