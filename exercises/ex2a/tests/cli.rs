//! ex2a end to end: the perfect start does not move, bad input is refused
//! with one line, saved weights replay under the independent implementation.

use testkit::cli::{assert_refused, files, fixture, metrics, run_ok};
use testkit::replay::{Phi, replay_saved, save_cyclic};

const BIN: &str = env!("CARGO_BIN_EXE_ex2a");

#[test]
fn the_perfect_start_does_not_move() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = run_ok(BIN, &["--out", out]);
    let m = metrics(dir.path());
    assert_eq!(m["iterations"], 10_000);
    assert_eq!(m["max_abs_weight_change"], 0.0);
    assert_eq!(m["final_cost"], 0.0);
    assert!(o.stdout.contains("no parameter changed"));
    assert_eq!(files(dir.path()), ["cost_over_time.svg", "metrics.json"]);
}

#[test]
fn same_seed_same_bytes() {
    testkit::cli::assert_same_bytes(BIN, &["--seed", "5", "--iterations", "3000"]);
}

#[test]
fn saved_weights_replay_under_the_independent_implementation() {
    let dir = save_cyclic(BIN, &["--iterations", "2000"]);
    let r = replay_saved(dir.path(), "xor-seed0", "xor_data.npz", 1, Phi::Relu, 2000, 0.2 / 3.0);
    assert_eq!(r.diff(), 0.0);
    assert_eq!(r.start, r.end);
}

#[test]
fn reads_every_good_numpy_form_of_xor() {
    for f in ["xor_f64.npz", "xor_f32_compressed.npz", "xor_i64_XY.npz"] {
        let dir = tempfile::tempdir().unwrap();
        let path = fixture(f);
        run_ok(
            BIN,
            &["--out", dir.path().to_str().unwrap(), "--data", path.to_str().unwrap()],
        );
        assert_eq!(metrics(dir.path())["final_cost"], 0.0, "{f}");
    }
}

#[test]
fn bad_data_files_are_refused_with_one_line() {
    let cases: &[(&str, &[&str])] = &[
        ("object_array.npy", &["object_array.npy", "pickled"]),
        ("xor_missing_out.npz", &["xor_missing_out.npz", "'out'", "'inp'"]),
        ("xor_nan.npz", &["xor_nan.npz", "NaN"]),
        ("complex128.npy", &["complex128.npy", "complex128"]),
        ("truncated.npz", &["truncated.npz", "damaged"]),
        (
            "matrix_f32.npy",
            &["matrix_f32.npy", "expected 2 input column(s)", "found 3"],
        ),
        ("does_not_exist.npz", &["does_not_exist.npz", "cannot read"]),
    ];
    for (file, needles) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let path = fixture(file);
        assert_refused(
            BIN,
            &["--out", out.to_str().unwrap(), "--data", path.to_str().unwrap()],
            needles,
        );
        assert!(!out.exists(), "{file}: nothing may be written on bad input");
    }
}

#[test]
fn bad_flags_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--iterations", "0"], &["--iterations"]),
        (&["--iterations", "-5"], &["--iterations"]),
        (&["--iterations", "many"], &["--iterations", "many"]),
        (&["--learning-rate", "NaN"], &["--learning-rate", "NaN"]),
        (&["--learning-rate", "-1"], &["--learning-rate", "-1"]),
        (&["--learning-rate", "fast"], &["--learning-rate", "fast"]),
        (&["--momentum", "1"], &["--momentum", "[0, 1)"]),
        (&["--momentum", "-0.1"], &["--momentum"]),
        (&["--sampling", "shuffled"], &["--sampling", "shuffled"]),
        (&["--seed", "x"], &["--seed"]),
        (&["--bogus"], &["--bogus"]),
    ];
    for (args, needles) in cases {
        let mut all = vec!["--out", o];
        all.extend_from_slice(args);
        assert_refused(BIN, &all, needles);
        assert!(!out.exists(), "{args:?}: nothing may be written on bad flags");
    }
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert_refused(BIN, &["--out", file.to_str().unwrap()], &["--out", "not a folder"]);
}

#[test]
fn help_describes_every_flag() {
    let o = run_ok(BIN, &["--help"]);
    for flag in [
        "--out",
        "--seed",
        "--iterations",
        "--sampling",
        "--learning-rate",
        "--momentum",
        "--save-weights",
        "--data",
        "--help",
    ] {
        assert!(o.stdout.contains(flag), "--help lacks {flag}");
    }
}

/// The report's folder is the report's alone: a part run into it, or into
/// one of its part folders (a typo of `--out report/ex2a`, or that path
/// itself), is refused and touches nothing.
#[test]
fn a_run_into_the_report_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    testkit::cli::report_fixture(&out);
    let before = testkit::cli::files(&out);
    testkit::cli::assert_refused(
        BIN,
        &["--out", out.to_str().unwrap()],
        &["holds the report", "out/ex2a"],
    );
    testkit::cli::assert_refused(
        BIN,
        &["--out", out.join("ex2a").to_str().unwrap()],
        &["inside the report folder", "out/ex2a"],
    );
    assert_eq!(testkit::cli::files(&out), before);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() <= 2,
        "nothing beside it but a lock"
    );
}

/// A run's default folder is `out/ex2a` in the workspace, never the report.
#[test]
fn the_default_folder_is_out_in_the_workspace() {
    let help = testkit::cli::run_ok(BIN, &["--help"]).stdout;
    assert!(help.contains("[default: out/ex2a in the workspace]"), "{help}");
    assert_eq!(
        exercise_harness::flow::default_out("ex2a").unwrap().canonicalize().ok(),
        testkit::cli::root().join("out/ex2a").canonicalize().ok()
    );
}

/// Folders a run could not replace as a whole are refused up front.
#[test]
fn folders_that_cannot_be_replaced_whole_are_refused() {
    for here in [".", "..", "./"] {
        assert_refused(BIN, &["--out", here], &["--out", "current folder"]);
    }
    assert_refused(BIN, &["--out", "/"], &["--out /", "names no folder"]);
    assert_refused(BIN, &["--out", "/proc"], &["--out /proc", "mount point"]);
    // A folder of someone's own work, not an output folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "years of work").unwrap();
    for replace in [&[][..], &["--replace"][..]] {
        let mut args = vec!["--out", dir.path().to_str().unwrap()];
        args.extend_from_slice(replace);
        assert_refused(BIN, &args, &["thesis.tex", "no record"]);
    }
    assert_eq!(files(dir.path()), ["thesis.tex"]);
}

/// A run that writes fewer files than the previous one says which are gone.
#[test]
fn files_the_previous_run_wrote_and_this_one_did_not_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    run_ok(BIN, &["--out", o, "--save-weights"]);
    let second = run_ok(BIN, &["--out", o]);
    assert!(
        second
            .stdout
            .contains("2 file(s) of the previous run that this run did not write are gone (weights/"),
        "{}",
        second.stdout
    );
}

/// The summary fits a screen, and the README lists exactly this binary's
/// flags.
#[test]
fn the_summary_fits_a_screen_and_the_readme_lists_the_flags() {
    testkit::cli::assert_summary_and_flags(BIN, "ex2a", &[]);
}

/// On a terminal a long run shows a progress bar; redirected, nothing of it.
#[test]
fn a_long_run_shows_progress_on_a_terminal_only() {
    testkit::cli::assert_progress_on_a_terminal_only(BIN, &["--iterations", "3000000"], "2a");
}

const EXTRA: [&str; 0] = [];

/// Memory and figures do not grow with --iterations; --iterations beyond
/// its limit is refused up front; a closed stdout is quiet and a full one
/// one line.
#[test]
fn flat_memory_limited_iterations_and_stdout() {
    testkit::cli::assert_runs_flat_limited_and_quiet(BIN, &EXTRA);
}

/// Data the course's start does not fit are blamed, not the backprop, and
/// huge numbers are printed short; data too large to train on are named as
/// the cause of a divergence, not the learning rate.
#[test]
fn the_data_are_blamed_for_what_they_cause() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("u64.npz");
    testkit::cli::write_xor_npz::<u64>(&huge, [[0, 0], [0, 1], [1, 0], [1, 1]], [0, u64::MAX, 1, 0]);
    let o = dir.path().join("a");
    let run = testkit::cli::run(BIN, &["--out", o.to_str().unwrap(), "--data", huge.to_str().unwrap()]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        !said.contains("backprop.") && !said.contains("stationary point of this backprop"),
        "{said}"
    );
    assert!(said.lines().all(|l| l.len() <= 100), "{said}");
    let big = dir.path().join("big.npz");
    testkit::cli::write_xor_npz::<f64>(
        &big,
        [[0.0, 0.0], [0.0, 1e200], [1e200, 0.0], [1e200, 1e200]],
        [0.0, 1.0, 1.0, 0.0],
    );
    let o = dir.path().join("b");
    let e = assert_refused(
        BIN,
        &["--out", o.to_str().unwrap(), "--data", big.to_str().unwrap()],
        &["diverged", "the data or the start"],
    );
    assert!(!e.contains("learning rate"), "{e}");
}

/// A checkout in `dir`: a workspace `Cargo.toml`, `exercises/`, the XOR
/// data, and a copy of this binary under its `target/`.
fn checkout(dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("exercises")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::create_dir_all(dir.join("target/debug")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    std::fs::copy(
        testkit::cli::root().join("data/xor_data.npz"),
        dir.join("data/xor_data.npz"),
    )
    .unwrap();
    let bin = dir.join("target/debug/ex2a");
    std::fs::copy(BIN, &bin).unwrap();
    bin
}

fn run_in(bin: &std::path::Path, here: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin)
        .current_dir(here)
        .args(args)
        .output()
        .unwrap()
}

/// The checkout a part acts on is found when it runs: the one around the
/// current folder, else the one its binary lies in; never the one it was
/// built in. A copied checkout (with its `target/`) and a moved one act on
/// themselves; outside any, the part asks for `--out` and writes nothing.
#[test]
fn a_copied_or_moved_checkout_acts_on_itself() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    let bin = checkout(&copy);
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let args = ["--iterations", "10"];
    // run from inside the copy: its own out/ and data/
    let o = run_in(&bin, &copy.join("exercises"), &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = metrics(&copy.join("out/ex2a"));
    assert_eq!(m["data"], copy.join("data/xor_data.npz").to_str().unwrap());
    // moved, and run from outside it: found from the binary's own place
    let moved = dir.path().join("moved");
    std::fs::rename(&copy, &moved).unwrap();
    let o = run_in(&moved.join("target/debug/ex2a"), &elsewhere, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(moved.join("out/ex2a/metrics.json").is_file());
    assert!(!copy.exists() && std::fs::read_dir(&elsewhere).unwrap().next().is_none());
    // a binary outside any checkout: --out is asked for, nothing written
    let loose = elsewhere.join("ex2a");
    std::fs::copy(BIN, &loose).unwrap();
    let o = run_in(&loose, &elsewhere, &args);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --out DIR"));
    let o = run_in(&loose, &elsewhere, &["--iterations", "10", "--out", "o"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --data PATH"));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 1, "only the binary");
}
