//! ex1: every quantity of Exercise 1 (a) to (f) agrees with finite
//! differences on every layer.

use testkit::cli::{assert_refused, metrics, run_ok};

const BIN: &str = env!("CARGO_BIN_EXE_ex1");

#[test]
fn every_part_and_every_layer_agrees_with_finite_differences() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(BIN, &["--out", dir.path().to_str().unwrap()]);
    let m = metrics(dir.path());
    let checks = m["checks"].as_array().unwrap();
    let parts: Vec<&str> = checks.iter().map(|c| c["part"].as_str().unwrap()).collect();
    assert_eq!(parts, ["a", "b", "c", "d", "e", "f"]);
    let big_l = m["network"]["layers"].as_array().unwrap().len();
    assert!(big_l >= 4, "at least three hidden layers");
    let layers_of = |part: usize| -> Vec<u64> {
        checks[part]["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["layer"].as_u64().unwrap())
            .collect()
    };
    let l = big_l as u64;
    assert_eq!(layers_of(0), [l]);
    assert_eq!(layers_of(1), (1..l).collect::<Vec<_>>());
    assert_eq!(layers_of(2), (1..=l).collect::<Vec<_>>());
    assert_eq!(layers_of(3), [l]);
    assert_eq!(layers_of(4), (1..l).collect::<Vec<_>>()); // every lower layer, not just L - 1
    assert_eq!(layers_of(5), (1..=l).collect::<Vec<_>>());
    for c in checks {
        for layer in c["layers"].as_array().unwrap() {
            let e = layer["max_rel_error"].as_f64().unwrap();
            assert!(e <= 1e-6, "({}) layer {}: {e}", c["part"], layer["layer"]);
            assert!(layer["quantities"].as_u64().unwrap() > 0);
        }
    }
    assert_eq!(m["core_backward_vs_formula"], 0.0);
}

#[test]
fn bad_steps_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for step in ["0", "-1", "nan", "1"] {
        assert_refused(BIN, &["--out", out.to_str().unwrap(), "--step", step], &["--step"]);
    }
    assert!(!out.exists());
}

/// The summary fits a screen, and the README lists exactly this binary's
/// flags.
#[test]
fn the_summary_fits_a_screen_and_the_readme_lists_the_flags() {
    testkit::cli::assert_summary_and_flags(BIN, "ex1", &[]);
}

/// Each check says whether it passed; a failed one exits with 1 after the
/// metrics are written; a step too large for the network's ReLU kinks asks
/// for a smaller step.
#[test]
fn failed_checks_are_said_and_exit_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("a");
    let run = testkit::cli::run(BIN, &["--out", o.to_str().unwrap(), "--step", "1e-300"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout.contains("(a) FAILED"), "{}", run.stdout);
    assert!(
        run.stderr.contains("failed") && run.stderr.lines().count() == 1,
        "{}",
        run.stderr
    );
    assert!(o.join("metrics.json").is_file());
    let ok = run_ok(BIN, &["--out", dir.path().join("b").to_str().unwrap()]);
    assert!(
        ok.stdout.contains("(a) passed") && !ok.stdout.contains("FAILED"),
        "{}",
        ok.stdout
    );
    let e = testkit::cli::run(BIN, &["--out", dir.path().join("c").to_str().unwrap(), "--step", "0.1"]);
    assert_eq!(e.code, Some(2), "{}", e.stderr);
    assert!(
        e.stderr.contains("smaller") || e.stderr.contains("below"),
        "{}",
        e.stderr
    );
    assert!(!e.stderr.contains("try another --seed"), "{}", e.stderr);
}
