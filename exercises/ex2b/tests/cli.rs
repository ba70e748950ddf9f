//! ex2b end to end: the perturbed start recovers, the sweep names the
//! perturbations that do not, saved weights replay, bad input is refused.

use testkit::cli::{assert_refused, metrics, run_ok};
use testkit::replay::{Phi, max_abs_diff, replay_saved, save_cyclic};

const BIN: &str = env!("CARGO_BIN_EXE_ex2b");

#[test]
fn the_perturbed_start_recovers_and_the_sweep_explains_failures() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(BIN, &["--out", dir.path().to_str().unwrap()]);
    let m = metrics(dir.path());
    assert_eq!(m["perturbation"], "W[0,1]=0");
    assert!(m["initial_cost"].as_f64().unwrap() > 1e-3);
    assert!(m["final_cost"].as_f64().unwrap() < 1e-6);
    let sweep = &m["sweep"];
    // 12 parameters x 24 nonzero offsets (0 is the unperturbed start), 20
    // sample orders each
    let offsets: Vec<f64> = sweep["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_f64().unwrap())
        .collect();
    assert_eq!(offsets.len(), 24);
    assert!(!offsets.contains(&0.0));
    assert_eq!(sweep["perturbations"], 12 * 24);
    assert_eq!(sweep["seeds"]["count"], 20);
    assert_eq!(sweep["runs"], 12 * 24 * 20);
    let failures = sweep["failures"].as_array().unwrap();
    assert_eq!(
        sweep["recovered"].as_u64().unwrap() as usize + failures.len(),
        12 * 24 * 20
    );
    // the counts per perturbation are the failures listed
    let failed: u64 = sweep["failed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()))
        .sum();
    assert_eq!(failed as usize, failures.len());
    for f in failures {
        assert!(f["final_cost"].as_f64().unwrap() >= 1e-6);
        assert!(f["seed"].as_u64().unwrap() < 20);
        assert!(f["diagnosis"]["kind"].is_string());
    }
    assert!(dir.path().join("perturbation_sweep.svg").exists());
    assert!(dir.path().join("cost_over_time.svg").exists());
}

#[test]
fn saved_weights_replay_under_the_independent_implementation() {
    let dir = save_cyclic(BIN, &["--no-sweep", "--perturb", "V[1,0]=0.4"]);
    let r = replay_saved(
        dir.path(),
        "perturbed-seed0",
        "xor_data.npz",
        1,
        Phi::Relu,
        10_000,
        0.2 / 3.0,
    );
    assert_eq!(r.start.v[[1, 0]], 0.4);
    assert!(r.diff() <= 1e-12, "replay differs by {}", r.diff());
    assert!(max_abs_diff(&r.start, &r.end) > 1e-3, "training moved the weights");
}

#[test]
fn bad_perturbations_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    for (p, needle) in [
        ("W[0,5]=1", "out of range"),
        ("W[1,0]=1", "out of range"),
        ("b[3]=0", "out of range"),
        ("Q[0,0]=1", "expected NAME[ROW,COL]=VALUE"),
        ("W[0,1]", "expected NAME[ROW,COL]=VALUE"),
        ("W[0,1]=abc", "not a number"),
        ("V[0,0]=nan", "finite"),
    ] {
        assert_refused(BIN, &["--out", o, "--perturb", p], &["--perturb", needle]);
        assert!(!out.exists());
    }
    assert_refused(BIN, &["--out", o, "--sweep-step", "0"], &["--sweep-step"]);
    // A negative value is a bad value of its flag, not an unknown flag.
    assert_refused(
        BIN,
        &["--out", o, "--sweep-step", "-0.5"],
        &["--sweep-step", "-0.5", "from 0.01 to 3"],
    );
    assert_refused(BIN, &["--out", o, "--sweep-seeds", "0"], &["--sweep-seeds"]);
    assert_refused(
        BIN,
        &["--out", o, "--seed", "4294967290", "--sweep-seeds", "10"],
        &["--seed", "--sweep-seeds"],
    );
}

/// The summary fits a screen, and the README lists exactly this binary's
/// flags.
#[test]
fn the_summary_fits_a_screen_and_the_readme_lists_the_flags() {
    testkit::cli::assert_summary_and_flags(BIN, "ex2b", &[]);
}

/// On a terminal a long run shows a progress bar; redirected, nothing of it.
#[test]
fn a_long_run_shows_progress_on_a_terminal_only() {
    testkit::cli::assert_progress_on_a_terminal_only(BIN, &["--sweep-seeds", "2"], "2b sweep");
}

/// Offsets are the decimals asked for, contradicting flags are refused, and
/// a perturbation that changes nothing is said to.
#[test]
fn offsets_contradictions_and_no_change_are_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("a");
    let o = o.to_str().unwrap();
    run_ok(
        BIN,
        &[
            "--out",
            o,
            "--sweep-step",
            "0.3",
            "--sweep-seeds",
            "1",
            "--iterations",
            "200",
        ],
    );
    let m = metrics(std::path::Path::new(o));
    let offsets: Vec<f64> = m["sweep"]["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(offsets.first(), Some(&-3.0));
    assert!(offsets.contains(&-2.7) && offsets.contains(&2.7), "{offsets:?}");
    testkit::cli::assert_refused(
        BIN,
        &["--no-sweep", "--sweep-step", "0.5"],
        &["--no-sweep", "--sweep-step"],
    );
    testkit::cli::assert_refused(
        BIN,
        &["--no-sweep", "--sweep-seeds", "3"],
        &["--no-sweep", "--sweep-seeds"],
    );
    let p = dir.path().join("b");
    let run = run_ok(
        BIN,
        &["--out", p.to_str().unwrap(), "--perturb", "W[0,1]=-2", "--no-sweep"],
    );
    assert!(run.stdout.contains("nothing was perturbed"), "{}", run.stdout);
    assert!(!run.stdout.contains("back to a perfect solution"), "{}", run.stdout);
}

const EXTRA: [&str; 1] = ["--no-sweep"];

/// Memory and figures do not grow with --iterations; --iterations beyond
/// its limit is refused up front; a closed stdout is quiet and a full one
/// one line.
#[test]
fn flat_memory_limited_iterations_and_stdout() {
    testkit::cli::assert_runs_flat_limited_and_quiet(BIN, &EXTRA);
}

/// A start that cannot train is blamed, not the learning rate; an index
/// out of range is a refused command line.
#[test]
fn divergence_names_the_start_and_bad_perturbations_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("a");
    let e = assert_refused(
        BIN,
        &["--out", o.to_str().unwrap(), "--perturb", "W[0,1]=1e308", "--no-sweep"],
        &["the data or the start"],
    );
    assert!(!e.contains("learning rate"), "{e}");
    let out = testkit::cli::run(BIN, &["--out", o.to_str().unwrap(), "--perturb", "W[5,1]=0"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--perturb"), "{}", out.stderr);
}
