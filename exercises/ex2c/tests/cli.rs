//! ex2c end to end: the sheet's question answered, reproducibility, replay
//! of saved weights, user data in other forms, bad flags.

use ndarray::{Array1, Array2};
use ndarray_npy::NpzWriter;
use testkit::cli::{assert_refused, files, metrics, run_ok};
use testkit::replay::{Phi, max_abs_diff, replay_saved, save_cyclic};

const BIN: &str = env!("CARGO_BIN_EXE_ex2c");

#[test]
fn default_run_answers_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_ok(BIN, &["--out", dir.path().to_str().unwrap()]);
    let m = metrics(dir.path());
    assert_eq!(m["iterations"], 1_000_000);
    // each K at its own rate 0.2 / K and at the other's, 10 seeds each
    assert_eq!(m["runs"].as_array().unwrap().len(), 40);
    let summary = m["summary"].as_array().unwrap();
    let other = m["other_rates"].as_array().unwrap();
    assert_eq!((summary.len(), other.len()), (2, 2));
    for (s, k, eta, rate) in [
        (&summary[0], 5, 0.04, "default rate"),
        (&summary[1], 40, 0.005, "default rate"),
        (&other[0], 5, 0.005, "other K's rate"),
        (&other[1], 40, 0.04, "other K's rate"),
    ] {
        assert_eq!(s["hidden"], k);
        assert_eq!(s["learning_rate"], eta);
        assert_eq!(s["seeds"], 10);
        let mean = s["test_cost_mean"].as_f64().unwrap();
        assert!(mean < 0.05, "K = {k}: mean test cost {mean}");
        assert!(s["test_cost_std"].as_f64().unwrap() > 0.0);
        assert!(
            o.stdout
                .contains(&format!("K = {k:>3}, eta = {eta} ({rate}): test {mean:.5} ± ")),
            "{}",
            o.stdout
        );
    }
    // the noise-free function's costs, for the report's comparisons, and
    // the function drawn: these are the project's own files
    assert!(m["train_cost_of_sin_pi_x"].as_f64().unwrap() > 0.0);
    let response = std::fs::read_to_string(dir.path().join("response.svg")).unwrap();
    assert!(response.contains("sin(πx)"));
    // one panel per K
    assert!(response.contains("K = 5, η = 0.04") && response.contains("K = 40, η = 0.005"));
    // the first seed's run of each K, with its final weights, for the notebook
    let replayed = m["replayed"].as_array().unwrap();
    assert_eq!(replayed.len(), 2);
    assert_eq!(
        (replayed[0]["hidden"].as_u64(), replayed[0]["seed"].as_u64()),
        (Some(5), Some(0))
    );
    assert_eq!(replayed[1]["final_weights"]["V"].as_array().unwrap().len(), 40);
    assert_eq!(
        files(dir.path()),
        [
            "cost_over_time.svg",
            "metrics.json",
            "response.svg",
            "test_cost_per_seed.svg"
        ]
    );
    for f in ["cost_over_time.svg", "response.svg", "test_cost_per_seed.svg"] {
        let size = std::fs::metadata(dir.path().join(f)).unwrap().len();
        assert!(size < 500_000, "{f} is {size} bytes");
    }
}

#[test]
fn same_seed_same_bytes() {
    let a = testkit::cli::assert_same_bytes(BIN, &["--iterations", "20000", "--seeds", "3", "--seed", "11"]);
    // each seed is reproducible on its own: seed 12 alone equals seed 12 in the batch
    let c = tempfile::tempdir().unwrap();
    run_ok(
        BIN,
        &[
            "--out",
            c.path().to_str().unwrap(),
            "--iterations",
            "20000",
            "--seeds",
            "1",
            "--seed",
            "12",
        ],
    );
    let batch = metrics(a.path());
    let single = metrics(c.path());
    let pick = |m: &serde_json::Value, k: u64| {
        m["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["seed"] == 12 && r["hidden"] == k)
            .cloned()
            .unwrap()
    };
    assert_eq!(pick(&batch, 5), pick(&single, 5));
    assert_eq!(pick(&batch, 40), pick(&single, 40));
}

#[test]
fn saved_weights_replay_under_the_independent_implementation() {
    let dir = save_cyclic(BIN, &["--iterations", "30000", "--seeds", "2", "--seed", "4"]);
    for k in [5usize, 40] {
        for seed in [4, 5] {
            let run = format!("k{k}-seed{seed}");
            let r = replay_saved(
                dir.path(),
                &run,
                "func_approx_training.npz",
                1,
                Phi::Sigmoid,
                30_000,
                0.2 / k as f64,
            );
            assert_eq!(r.start.v.dim(), (k, 1));
            assert!(r.diff() <= 1e-9, "K = {k}, seed {seed}: replay differs by {}", r.diff());
            assert!(max_abs_diff(&r.start, &r.end) > 1e-2);
        }
    }
}

#[test]
fn reads_user_data_in_other_forms() {
    let dir = tempfile::tempdir().unwrap();
    let xs: Vec<f64> = (0..20).map(|i| -2.0 + 0.2 * i as f64).collect();
    let train = dir.path().join("train.npz");
    let mut npz = NpzWriter::new(std::fs::File::create(&train).unwrap());
    npz.add_array(
        "inp",
        &Array2::from_shape_vec((20, 1), xs.iter().map(|&x| x as f32).collect()).unwrap(),
    )
    .unwrap();
    npz.add_array(
        "out",
        &Array1::from_vec(xs.iter().map(|&x| (x * 3.0).sin() as f32).collect()),
    )
    .unwrap();
    npz.finish().unwrap();
    let test = dir.path().join("test.npz");
    let mut npz = NpzWriter::new(std::fs::File::create(&test).unwrap());
    npz.add_array("X", &Array1::from_vec((-2..=2).collect::<Vec<i64>>()))
        .unwrap();
    npz.add_array("Y", &Array2::<i32>::zeros((5, 1))).unwrap();
    npz.finish().unwrap();
    let out = dir.path().join("out");
    run_ok(
        BIN,
        &[
            "--out",
            out.to_str().unwrap(),
            "--train",
            train.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
            "--iterations",
            "5000",
            "--seeds",
            "2",
            "--hidden",
            "3",
        ],
    );
    let m = metrics(&out);
    assert_eq!(m["summary"][0]["hidden"], 3);
    assert_eq!(m["runs"].as_array().unwrap().len(), 2);
    // Not the project's files: sin(πx) is neither costed nor drawn.
    assert!(m.get("train_cost_of_sin_pi_x").is_none() && m.get("test_cost_of_sin_pi_x").is_none());
    assert!(
        !std::fs::read_to_string(out.join("response.svg"))
            .unwrap()
            .contains("sin(")
    );
}

#[test]
fn bad_flags_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--hidden", "0"], &["--hidden"]),
        (&["--hidden", "-3"], &["--hidden"]),
        (&["--hidden", "five"], &["--hidden", "five"]),
        (&["--seeds", "0"], &["--seeds"]),
        (&["--seeds", "-1"], &["--seeds"]),
        (&["--iterations", "0"], &["--iterations"]),
        (&["--learning-rate", "-0.1"], &["--learning-rate"]),
        (&["--momentum", "1.5"], &["--momentum"]),
    ];
    for (args, needles) in cases {
        let mut all = vec!["--out", o];
        all.extend_from_slice(args);
        assert_refused(BIN, &all, needles);
        assert!(!out.exists(), "{args:?}: nothing may be written");
    }
}

#[test]
fn divergence_stops_with_the_run_the_iteration_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let e = assert_refused(
        BIN,
        &[
            "--out",
            out.to_str().unwrap(),
            "--learning-rate",
            "1000",
            "--seeds",
            "1",
            "--iterations",
            "100000",
        ],
        &["diverged at iteration", "learning rate", "--learning-rate"],
    );
    assert!(e.contains("run k5-seed0") || e.contains("run k40-seed0"), "{e}");
    assert!(testkit::cli::nothing_in(&out), "no partial output: {:?}", files(&out));
}

#[test]
fn the_runs_at_the_other_rates_are_skipped_when_asked_or_when_every_k_shares_one() {
    for flags in [&["--no-cross-rates"][..], &["--learning-rate", "0.01"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--out",
            dir.path().to_str().unwrap(),
            "--seeds",
            "2",
            "--iterations",
            "1000",
        ];
        args.extend_from_slice(flags);
        run_ok(BIN, &args);
        let m = metrics(dir.path());
        assert_eq!(m["runs"].as_array().unwrap().len(), 4, "{flags:?}");
        assert!(m["other_rates"].as_array().unwrap().is_empty(), "{flags:?}");
    }
}

#[test]
fn capacity_and_snapshots_run_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    run_ok(
        BIN,
        &[
            "--out",
            o,
            "--seeds",
            "2",
            "--iterations",
            "1000",
            "--capacity",
            "--snapshots",
        ],
    );
    let m = metrics(dir.path());
    let cap = &m["capacity"];
    let sizes: Vec<u64> = cap["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [1, 2, 3, 4, 5, 8, 10, 15, 20, 30, 40, 60, 80, 100]);
    assert_eq!(cap["runs"].as_array().unwrap().len(), 14 * 2);
    // each size at its own rate 0.2 / K; K = 5 and 40 are the main runs
    for r in cap["runs"].as_array().unwrap() {
        let k = r["hidden"].as_f64().unwrap();
        assert_eq!(r["learning_rate"].as_f64().unwrap(), 0.2 / k);
    }
    let main5: Vec<&serde_json::Value> = m["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["hidden"] == 5 && r["learning_rate"] == 0.04)
        .collect();
    let cap5: Vec<&serde_json::Value> = cap["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["hidden"] == 5)
        .collect();
    assert_eq!(main5, cap5);
    // one watched run per K, at the counts up to the run's length
    let snaps = m["snapshots"].as_array().unwrap();
    assert_eq!(snaps.len(), 2);
    for s in snaps {
        let after: Vec<u64> = s["after"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["iterations"].as_u64().unwrap())
            .collect();
        assert_eq!(after, [10, 100, 1000]);
    }
    // the last snapshot is the trained network
    let k5 = &snaps[0];
    let last = &k5["after"][2];
    let run = main5.iter().find(|r| r["seed"] == k5["seed"]).unwrap();
    assert_eq!(last["test_cost"], run["test_cost"]);
    assert!(files(dir.path()).contains(&"capacity.svg".to_owned()));
    assert!(files(dir.path()).contains(&"snapshots.svg".to_owned()));
}

/// The summary fits a screen, and the README lists exactly this binary's
/// flags.
#[test]
fn the_summary_fits_a_screen_and_the_readme_lists_the_flags() {
    testkit::cli::assert_summary_and_flags(BIN, "ex2c", &["--iterations", "20000", "--capacity", "--snapshots"]);
}

/// On a terminal a long run shows a progress bar; redirected, nothing of it.
#[test]
fn a_long_run_shows_progress_on_a_terminal_only() {
    testkit::cli::assert_progress_on_a_terminal_only(BIN, &["--iterations", "300000"], "2c");
}

/// One seed is said as one, without a spread it cannot have.
#[test]
fn one_seed_is_said_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    let run = run_ok(BIN, &["--out", o, "--seeds", "1", "--iterations", "20000"]);
    assert!(run.stdout.contains(", 1 seed from 0 "), "{}", run.stdout);
    assert!(run.stdout.contains("(one seed, 0)"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("± 0.00000") && !run.stdout.contains("1 seeds"),
        "{}",
        run.stdout
    );
}

const EXTRA: [&str; 5] = ["--seeds", "1", "--hidden", "5", "--no-cross-rates"];

/// Memory and figures do not grow with --iterations; --iterations beyond
/// its limit is refused up front; a closed stdout is quiet and a full one
/// one line.
#[test]
fn flat_memory_limited_iterations_and_stdout() {
    testkit::cli::assert_runs_flat_limited_and_quiet(BIN, &EXTRA);
}

/// Snapshots need the iterations of their first snapshot: fewer are a
/// refused command line, not an empty figure.
#[test]
fn snapshots_of_too_short_a_run_are_refused() {
    let o = testkit::cli::run(
        BIN,
        &["--out", "/nonexistent/never", "--snapshots", "--iterations", "5"],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("--snapshots") && o.stderr.contains("10 iterations"),
        "{}",
        o.stderr
    );
}
