//! A run killed (SIGKILL) at any moment leaves its `--out` folder holding
//! the previous run's complete set of files or the new run's complete set,
//! never a mix, and never touches files that no run wrote.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use testkit::cli::{files, run_ok};

const BIN: &str = env!("CARGO_BIN_EXE_ex2b");

fn args(out: &Path, seed: u64) -> Vec<String> {
    [
        "--out",
        out.to_str().unwrap(),
        "--save-weights",
        "--sweep-step",
        "0.75",
        "--sweep-seeds",
        "2",
        "--seed",
        &seed.to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Every file a reader sees, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn a_killed_run_leaves_one_complete_set() {
    // The two complete sets, each from a run of its own.
    let sets: Vec<BTreeMap<String, Vec<u8>>> = [1, 2]
        .iter()
        .map(|&seed| {
            let dir = tempfile::tempdir().unwrap();
            let a = args(dir.path(), seed);
            run_ok(BIN, &a.iter().map(String::as_str).collect::<Vec<_>>());
            snapshot(dir.path())
        })
        .collect();
    assert_ne!(sets[0].keys().collect::<Vec<_>>(), sets[1].keys().collect::<Vec<_>>());
    assert!(sets[0].len() > 150, "{} files", sets[0].len());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let started = Instant::now();
    let a = args(&out, 1);
    run_ok(BIN, &a.iter().map(String::as_str).collect::<Vec<_>>());
    let whole_run = started.elapsed();

    let mut current = 0;
    let tries = 24;
    let mut changed = 0;
    // A machine much busier than during the measured run may not finish any
    // run before its kill; then later tries wait longer (up to 8 more).
    let mut i = 0;
    while i < tries || (changed == 0 && i < tries + 8) {
        let delay = if i < tries {
            whole_run.mul_f64(2.5 * (i as f64 + 0.5) / tries as f64)
        } else {
            whole_run.mul_f64(2.5 * (i - tries + 2) as f64)
        };
        let next = 1 - current;
        let mut child = Command::new(BIN)
            .current_dir(testkit::cli::root())
            .args(args(&out, next as u64 + 1))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the whole run, the writing at its end
        // included, and past it: a loaded machine runs slower than measured.
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        let mut seen = snapshot(&out);
        assert_eq!(seen.remove("notes.txt").as_deref(), Some(&b"mine"[..]), "try {i}");
        let which = sets.iter().position(|s| *s == seen);
        let Some(which) = which else {
            let differ = |s: &BTreeMap<String, Vec<u8>>| {
                let mut d: Vec<&String> = seen.keys().filter(|k| s.get(*k) != seen.get(*k)).collect();
                d.extend(s.keys().filter(|k| !seen.contains_key(*k)));
                d.into_iter().take(4).cloned().collect::<Vec<_>>()
            };
            panic!(
                "try {i}: a mix of two runs ({} files); against the previous set {:?}, against the other {:?}",
                seen.len(),
                differ(&sets[current]),
                differ(&sets[1 - current])
            );
        };
        if which != current {
            changed += 1;
        }
        current = which;
        i += 1;
    }
    // Both outcomes occur, so the kills did land before and after the switch.
    assert!(
        changed > 0 && changed < i,
        "{changed} of {i} runs finished before the kill"
    );
}
