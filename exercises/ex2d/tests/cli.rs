//! ex2d end to end: what the outputs code for, reproducibility, replay of
//! saved weights, bars data in other forms, images that are not bars.

use ndarray::Array2;
use ndarray_npy::NpzWriter;
use testkit::cli::{assert_refused, data, files, metrics, run_ok};
use testkit::replay::{Phi, load_data, replay_saved, save_cyclic};

const BIN: &str = env!("CARGO_BIN_EXE_ex2d");

#[test]
fn default_run_learns_what_the_outputs_code_for() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_ok(BIN, &["--out", dir.path().to_str().unwrap()]);
    let m = metrics(dir.path());
    assert_eq!(m["iterations"], 100_000);
    assert!(m["max_abs_error"].as_f64().unwrap() < 0.05);
    let best = |i: usize| m["follows"][i]["best"].as_str().unwrap_or("none").to_owned();
    assert_eq!(
        (best(0), best(1), best(2), best(3)),
        (
            "bar_row".into(),
            "bar_column".into(),
            "bar_row".into(),
            "bar_column".into()
        )
    );
    assert!(m["follows"][2]["fits"][1]["r2"].as_f64().unwrap() < 0.01);
    assert!(
        o.stdout
            .contains("Output 1 (z1) codes for the row of the horizontal bar")
    );
    assert!(
        o.stdout
            .contains("Output 2 (z2) codes for the column of the vertical bar")
    );
    assert_eq!(
        files(dir.path()),
        [
            "cost_over_time.svg",
            "hidden_weights.svg",
            "inputs.svg",
            "metrics.json",
            "outputs.svg"
        ]
    );
    for f in files(dir.path()) {
        assert!(std::fs::metadata(dir.path().join(&f)).unwrap().len() < 500_000, "{f}");
    }
    // the hidden units' weights with a colour bar from -max to +max and
    // each unit's output weights; each unit's activity in the metrics
    let hidden = std::fs::read_to_string(dir.path().join("hidden_weights.svg")).unwrap();
    let max = m["final_weights"]["V"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap().abs()))
        .fold(0.0, f64::max);
    assert!(
        hidden.contains(&format!("\n{max:.2}\n")) && hidden.contains(&format!("\n−{max:.2}\n")),
        "colour bar"
    );
    assert!(hidden.contains("\nunit 0: b ") && hidden.contains("\nW "));
    assert!(m["hidden_units"][0]["activity_std"].as_f64().unwrap() >= 0.0);
}

#[test]
fn same_seed_same_bytes() {
    testkit::cli::assert_same_bytes(BIN, &["--iterations", "20000", "--seed", "3"]);
}

#[test]
fn saved_weights_replay_under_the_independent_implementation() {
    let dir = save_cyclic(BIN, &["--iterations", "20000"]);
    let r = replay_saved(dir.path(), "seed0", "bar_data.npy", 2, Phi::Sigmoid, 20_000, 0.2 / 10.0);
    assert_eq!(
        (r.start.v.dim(), r.start.w.dim(), r.start.b.len()),
        ((10, 25), (2, 10), 10)
    );
    assert!(r.diff() <= 1e-9, "replay differs by {}", r.diff());
}

fn bars() -> Array2<f64> {
    let (x, y) = load_data(&data("bar_data.npy"), 2);
    ndarray::concatenate![ndarray::Axis(1), x, y]
}

#[test]
fn reads_bars_as_npz_with_integer_images() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bars.npz");
    let all = bars();
    let mut npz = NpzWriter::new(std::fs::File::create(&path).unwrap());
    npz.add_array("inp", &all.slice(ndarray::s![.., ..25]).mapv(|v| v as u8))
        .unwrap();
    npz.add_array("out", &all.slice(ndarray::s![.., 25..]).mapv(|v| v as f32))
        .unwrap();
    npz.finish().unwrap();
    let out = dir.path().join("out");
    run_ok(
        BIN,
        &[
            "--out",
            out.to_str().unwrap(),
            "--data",
            path.to_str().unwrap(),
            "--iterations",
            "30000",
        ],
    );
    assert_eq!(metrics(&out)["follows"][2]["fits"][0]["property"], "bar_row");
    assert!(metrics(&out)["follows"][2]["fits"][0]["r2"].as_f64().unwrap() > 0.9);
}

/// Targets that encode the column first and the row second: read off the
/// images, the report's metrics say so, for the targets and the outputs.
#[test]
fn targets_of_column_then_row_are_read_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bar_data.npy");
    let mut all = bars();
    for mut row in all.rows_mut() {
        row.swap(25, 26);
    }
    ndarray_npy::write_npy(&path, &all).unwrap();
    let out = dir.path().join("out");
    let o = run_ok(BIN, &["--out", out.to_str().unwrap(), "--data", path.to_str().unwrap()]);
    let m = metrics(&out);
    let best = |i: usize| m["follows"][i]["best"].as_str().unwrap_or("none").to_owned();
    assert_eq!(
        (best(0), best(1), best(2), best(3)),
        (
            "bar_column".into(),
            "bar_row".into(),
            "bar_column".into(),
            "bar_row".into()
        )
    );
    assert!(
        o.stdout
            .contains("Output 1 (z1) codes for the column of the vertical bar"),
        "{}",
        o.stdout
    );
}

/// Images that are not bars are read, not refused: what they lack is said;
/// a file of the wrong shape is refused.
#[test]
fn reads_images_that_are_not_bars_and_refuses_wrong_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.npy");
    let mut all = bars();
    all[[7, 5]] = 0.0; // sample 7 (row 1, column 2): a hole in its horizontal bar
    ndarray_npy::write_npy(&path, &all).unwrap();
    let out = dir.path().join("out");
    run_ok(
        BIN,
        &[
            "--out",
            out.to_str().unwrap(),
            "--data",
            path.to_str().unwrap(),
            "--iterations",
            "2000",
        ],
    );
    let m = metrics(&out);
    assert!(m["samples"][7]["row"].is_null());
    assert_eq!(m["samples"][7]["column"], 2);
    let keys: Vec<&str> = m["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["bar_column", "centre_row", "centre_column", "lit_pixels"]);
    assert_eq!(m["hidden_units"].as_array().unwrap().len(), 0);
    let out2 = dir.path().join("out2");
    let xor = data("xor_data.npz");
    assert_refused(
        BIN,
        &["--out", out2.to_str().unwrap(), "--data", xor.to_str().unwrap()],
        &["xor_data.npz", "expected 25 input column(s)"],
    );
    assert!(!out2.exists());
}

/// The summary fits a screen, and the README lists exactly this binary's
/// flags.
#[test]
fn the_summary_fits_a_screen_and_the_readme_lists_the_flags() {
    testkit::cli::assert_summary_and_flags(BIN, "ex2d", &[]);
}

/// On a terminal a long run shows a progress bar; redirected, nothing of it.
#[test]
fn a_long_run_shows_progress_on_a_terminal_only() {
    testkit::cli::assert_progress_on_a_terminal_only(BIN, &["--iterations", "3000000"], "2d");
}

const EXTRA: [&str; 0] = [];

/// Memory and figures do not grow with --iterations; --iterations beyond
/// its limit is refused up front; a closed stdout is quiet and a full one
/// one line.
#[test]
fn flat_memory_limited_iterations_and_stdout() {
    testkit::cli::assert_runs_flat_limited_and_quiet(BIN, &EXTRA);
}

/// An absurd learning rate is named in scientific notation, never in 301
/// digits.
#[test]
fn an_absurd_learning_rate_is_printed_short() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("a");
    let e = assert_refused(
        BIN,
        &["--out", o.to_str().unwrap(), "--learning-rate", "1e300"],
        &["1e300", "--learning-rate"],
    );
    assert!(e.len() < 300, "{e}");
}
