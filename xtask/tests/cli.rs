//! `cargo xtask report` refuses bad input with one line and never leaves a
//! half-written report: a failed render keeps the previous good one.

use std::path::{Path, PathBuf};
use testkit::cli::{assert_refused, copy_dir, run_ok};

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

#[test]
fn renders_from_metrics_and_keeps_the_last_good_report_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    copy_dir(&fixtures(), &out);
    let o = out.to_str().unwrap();
    run_ok(BIN, &["report", "--render-only", "--out", o]);
    let html = std::fs::read(out.join("index.html")).unwrap();
    let md = std::fs::read(out.join("submission.md")).unwrap();
    assert!(html.len() > 10_000 && md.len() > 5_000);

    // damaged metrics: refused with the file named, the old report intact
    std::fs::write(out.join("ex2c/metrics.json"), "{ not json").unwrap();
    assert_refused(BIN, &["report", "--render-only", "--out", o], &["ex2c", "metrics.json"]);
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);
    assert_eq!(std::fs::read(out.join("submission.md")).unwrap(), md);

    // metrics missing a field
    std::fs::write(out.join("ex2c/metrics.json"), "{\"exercise\": \"2c\"}").unwrap();
    assert_refused(BIN, &["report", "--render-only", "--out", o], &["metrics", "missing"]);
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);

    // a figure gone
    copy_dir(&fixtures(), &out);
    std::fs::remove_file(out.join("ex2d/inputs.svg")).unwrap();
    assert_refused(BIN, &["report", "--render-only", "--out", o], &["inputs.svg"]);
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);
}

#[test]
fn refuses_a_missing_report_folder_and_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_refused(
        BIN,
        &["report", "--render-only", "--out", empty.to_str().unwrap()],
        &["ex1", "metrics.json"],
    );
    assert!(!empty.join("index.html").exists());
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert_refused(
        BIN,
        &["report", "--render-only", "--out", file.to_str().unwrap()],
        &["--out", "not a folder"],
    );
    assert_refused(BIN, &["report", "--bogus"], &["--bogus"]);
    assert_refused(BIN, &["nonsense"], &["nonsense"]);
}
