//! ex2d refuses every kind of bad input with one line and writes nothing.

const BIN: &str = env!("CARGO_BIN_EXE_ex2d");

#[test]
fn bad_data_files() {
    testkit::cli::refuses_bad_data(BIN, "--data", &[], 25, 2);
}

#[test]
fn bad_flags() {
    testkit::cli::refuses_bad_common_flags(BIN);
}
