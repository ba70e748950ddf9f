//! A run killed (SIGKILL) at any moment leaves its `--out` folder holding
//! the previous run's complete output or the new run's, plain files, never
//! a mix; what it leaves beside the folder the next run removes; a file
//! that no run wrote stops a run, or is kept with `--replace`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use testkit::cli::{assert_refused, files, run_ok};

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

/// Whether anything below `dir` is a symbolic link.
fn any_link(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let t = e.file_type().unwrap();
        t.is_symlink() || (t.is_dir() && any_link(&e.path()))
    })
}

/// The names beside the output folder, but for it and its lock.
fn beside(parent: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out" && n != ".out.lock")
        .collect();
    v.sort();
    v
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
    let started = Instant::now();
    let a = args(&out, 1);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    run_ok(BIN, &a);
    let whole_run = started.elapsed();
    assert_eq!(snapshot(&out), sets[0]);

    // A file of the user's stops the next run before any work...
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    assert_refused(BIN, &a, &["notes.txt", "--replace"]);
    // ... and --replace keeps it beside the folder.
    let replaced = run_ok(BIN, &[&a[..], &["--replace"]].concat());
    let kept = beside(dir.path());
    assert!(kept.len() == 1 && kept[0].starts_with("out.kept-"), "{kept:?}");
    assert!(replaced.stdout.contains(&kept[0]), "{}", replaced.stdout);
    let kept = dir.path().join(&kept[0]);
    assert_eq!(std::fs::read_to_string(kept.join("notes.txt")).unwrap(), "mine");
    std::fs::remove_dir_all(&kept).unwrap();
    // Litter that tools make is carried along, never a reason to refuse.
    std::fs::write(out.join(".DS_Store"), "finder").unwrap();

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
        assert!(!any_link(&out), "try {i}: a link in the output folder");
        let left = beside(dir.path());
        assert!(
            left.iter()
                .all(|n| n.starts_with("out.new-") || n.starts_with("out.old-")),
            "try {i}: {left:?}"
        );
        assert_eq!(std::fs::read(out.join(".DS_Store")).unwrap(), b"finder", "try {i}");
        let seen = snapshot(&out);
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
    // The next run tidies what the killed ones left beside the folder.
    run_ok(BIN, &a);
    assert_eq!(beside(dir.path()), Vec::<String>::new());
    assert_eq!(snapshot(&out), sets[0]);
}
