//! Running an exercise binary in tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A committed data set.
pub fn data(name: &str) -> PathBuf {
    root().join("data").join(name)
}

/// One of the NumPy-written fixtures.
pub fn fixture(name: &str) -> PathBuf {
    root().join("crates/numpy-data/tests/fixtures/numpy").join(name)
}

/// Copies the folder `from` with everything in it to `to` (created).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Writes the record of an output folder written by `owner` (a part's name
/// or `report`) for the files `dir` holds now, as a run would have: a
/// fixture copied into place, or edited on purpose, becomes that run's own.
pub fn record_as(dir: &Path, owner: &str) {
    use exercise_harness::output::record::{RECORD, Record};
    let record = Record::of_folder(dir, owner).expect("a readable folder");
    std::fs::write(dir.join(RECORD), record.to_bytes()).expect("writing the record");
}

/// The report fixture (`crates/report/tests/fixtures/report/`) copied to `to` as a
/// report that `cargo xtask report` wrote.
pub fn report_fixture(to: &Path) {
    copy_dir(&root().join("crates/report/tests/fixtures/report"), to);
    record_as(to, "report");
}

/// The result of a run.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary at `bin` (a test's `env!("CARGO_BIN_EXE_<name>")`) with
/// `args` in the workspace root.
pub fn run(bin: &str, args: &[&str]) -> Outcome {
    let out = Command::new(bin)
        .current_dir(root())
        .env("RUST_BACKTRACE", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `bin` with `args` under a pseudo-terminal (util-linux `script`), as
/// a person at a terminal would, in the workspace root; returns what the
/// terminal showed (stdout and stderr together, escapes included).
pub fn run_in_terminal(bin: &str, args: &[&str]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let line = std::iter::once(bin)
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `bin` with `extra` into a new folder: its summary fits a screen
/// and names the folder, and the README lists exactly its flags (its row
/// for `name`).
pub fn assert_summary_and_flags(bin: &str, name: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let o = dir.path().to_str().unwrap();
    let mut args = vec!["--out", o];
    args.extend_from_slice(extra);
    let run = run_ok(bin, &args);
    assert_fits_a_screen(bin, &run.stdout);
    assert!(run.stdout.contains(o), "says where the files went: {}", run.stdout);
    assert_readme_lists_the_flags(bin, name);
}

/// Runs `bin` with `extra` on a terminal, where its progress bar (labelled
/// `label`) shows, and redirected, where nothing of it does.
pub fn assert_progress_on_a_terminal_only(bin: &str, extra: &[&str], label: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let args = |sub: &str| {
        let mut a = vec!["--out".to_owned(), dir.path().join(sub).display().to_string()];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let tty = args("tty");
    let shown = run_in_terminal(bin, &tty.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        shown.contains(label) && shown.contains("iterations, eta"),
        "{bin}: no progress bar on a terminal: {shown}"
    );
    let redirected = args("redirected");
    let run = run_ok(bin, &redirected.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        !run.stderr.contains("eta") && !run.stderr.contains('\u{1b}'),
        "{bin}: a progress bar when redirected: {}",
        run.stderr
    );
}

/// Asserts that a run's summary fits a screen: at most 20 lines of at most
/// 100 columns.
pub fn assert_fits_a_screen(bin: &str, stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() <= 20, "{bin}: {} lines:\n{stdout}", lines.len());
    for l in &lines {
        assert!(
            l.chars().count() <= 100,
            "{bin}: a line of {} columns: {l}",
            l.chars().count()
        );
    }
}

/// Asserts that the README's table of flags lists exactly the flags that
/// `bin --help` shows for the binary `name` (`--help` and `--version` left
/// out).
pub fn assert_readme_lists_the_flags(bin: &str, name: &str) {
    let flags = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(str::to_owned)
            .filter(|w| w != "--help" && w != "--version")
            .collect()
    };
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let row = readme
        .lines()
        .find(|l| l.starts_with(&format!("| `{name}` | `--")))
        .unwrap_or_else(|| panic!("README.md has no flags row for {name}"));
    let help = run_ok(bin, &["--help"]).stdout;
    let listed: String = help
        .lines()
        // Option lines, not their wrapped descriptions (indented further).
        .filter(|l| l.trim_start().starts_with('-') && l.len() - l.trim_start().len() <= 6)
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        flags(row),
        flags(&listed),
        "README.md's row for {name} against its --help"
    );
}

/// Writes an XOR-shaped `.npz` (`inp` 4 x 2, `out` 4 x 1) of element type
/// `T` to `path`, as `np.savez` would.
pub fn write_xor_npz<T: ndarray_npy::WritableElement + Copy>(path: &Path, inp: [[T; 2]; 4], out: [T; 4]) {
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(path).expect("a test file"));
    let inp = ndarray::Array2::from_shape_fn((4, 2), |(i, j)| inp[i][j]);
    let out = ndarray::Array2::from_shape_fn((4, 1), |(i, _)| out[i]);
    npz.add_array("inp", &inp).unwrap();
    npz.add_array("out", &out).unwrap();
    npz.finish().unwrap();
}

/// The peak memory (resident set, in KiB) of `bin` run with `args`, as
/// GNU time measures it.
pub fn peak_memory_kib(bin: &str, args: &[&str]) -> u64 {
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .args(args)
        .current_dir(root())
        .output()
        .expect("/usr/bin/time (Debian's time package) runs");
    assert!(
        out.status.success(),
        "{bin} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in: {err}"))
}

/// What every training binary keeps whatever it trains (run with `extra`
/// flags): memory and figures that do not grow with `--iterations`,
/// `--iterations` beyond its limit refused up front, a closed stdout quiet
/// and a full one said in one line.
pub fn assert_runs_flat_limited_and_quiet(bin: &str, extra: &[&str]) {
    assert_memory_flat_in_iterations(bin, extra);
    assert_iterations_limited(bin);
    assert_stdout_closed_and_full(bin, extra);
}

/// Asserts that `bin`'s memory does not grow with `--iterations`: the peak
/// at 10^7 iterations within 4 MiB of the peak at 10^5, `extra` the other
/// arguments (an `--out` is added).
pub fn assert_memory_flat_in_iterations(bin: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let peak = |n: &str| {
        let out = dir.path().join(n);
        let mut args = vec!["--out", out.to_str().unwrap(), "--iterations", n];
        args.extend_from_slice(extra);
        peak_memory_kib(bin, &args)
    };
    let (small, large) = (peak("100000"), peak("10000000"));
    assert!(
        large <= small + 4 * 1024,
        "{bin}: {small} KiB at 10^5 iterations, {large} KiB at 10^7"
    );
    for f in files(&dir.path().join("10000000")) {
        let size = std::fs::metadata(dir.path().join("10000000").join(&f)).unwrap().len();
        assert!(size < 500 * 1024, "{bin}: {f} is {size} bytes at 10^7 iterations");
    }
}

/// Asserts that `--iterations` beyond the documented limit, up to
/// `u64::MAX`, is refused up front with exit status 2 and why.
pub fn assert_iterations_limited(bin: &str) {
    for n in ["18446744073709551615", "1000000000000000000", "1000000000001"] {
        let o = run(bin, &["--out", "/nonexistent/never-written", "--iterations", n]);
        assert_eq!(o.code, Some(2), "{bin} --iterations {n}: {}", o.stderr);
        assert!(
            o.stderr.contains("--iterations") && o.stderr.contains("longer than a day"),
            "{bin} --iterations {n}: {}",
            o.stderr
        );
        assert!(!o.stderr.contains("internal error"), "{}", o.stderr);
    }
}

/// A closed stdout ends a run quietly with 0 once the files are written; a
/// full one gives one line and 1.
pub fn assert_stdout_closed_and_full(bin: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("closed");
    let mut child = std::process::Command::new(bin)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{bin} | true: {err}");
    assert!(err.is_empty(), "{bin} | true: {err}");
    assert!(out.join("metrics.json").is_file());
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let out = dir.path().join("full");
    let o = std::process::Command::new(bin)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .current_dir(root())
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{bin} > /dev/full: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("standard output") && err.contains("written"), "{err}");
    assert!(out.join("metrics.json").is_file());
}

/// Runs `bin` and asserts success; returns the outcome.
pub fn run_ok(bin: &str, args: &[&str]) -> Outcome {
    let o = run(bin, args);
    assert_eq!(o.code, Some(0), "{bin} {args:?} failed: {}", o.stderr);
    o
}

/// Runs `bin` expecting a clean refusal: a non-zero exit, exactly one line on
/// stderr containing every one of `needles`, no panic and no backtrace.
pub fn assert_refused(bin: &str, args: &[&str], needles: &[&str]) -> String {
    let o = run(bin, args);
    assert!(
        matches!(o.code, Some(c) if c != 0),
        "{bin} {args:?} should fail, got {:?}",
        o.code
    );
    let err = o.stderr.trim_end().to_owned();
    // One line; a command line that clap refused may add the valid values or
    // the similar flag, and where to read more: three lines at most.
    let lines: Vec<&str> = err.lines().collect();
    let clap_hint = lines.len() > 1
        && lines.len() <= 3
        && lines.last() == Some(&"For more information, try '--help'.")
        && o.code == Some(2);
    assert!(
        lines.len() == 1 || clap_hint,
        "{bin} {args:?}: expected one line on stderr (or clap's three), got:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{bin} {args:?}: expected '{n}' in: {err}");
    }
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "internal error"] {
        assert!(!err.contains(bad), "{bin} {args:?}: {err}");
    }
    err
}

/// Reads `<dir>/metrics.json`.
pub fn metrics(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("metrics.json")).expect("metrics.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// All files below `dir` as a reader sees them, relative, sorted: links
/// followed, links that lead nowhere and the hidden entries of `dir` itself
/// (an output set's own) left out.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        if let Ok(entries) = std::fs::read_dir(d) {
            for e in entries.flatten() {
                let p = e.path();
                if (d == base && e.file_name().to_string_lossy().starts_with('.')) || !p.exists() {
                    continue;
                }
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Whether `dir` is missing or holds nothing at all, hidden entries
/// included.
pub fn nothing_in(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

/// Bad data files of every kind the loader must refuse, written into `dir`
/// (or taken from the NumPy fixtures), each with words its one-line error
/// must contain. `n_in` and `n_out` are the columns the exercise expects, so
/// that the "wrong number of columns" case really is wrong for it.
pub fn bad_data(dir: &Path, n_in: usize, n_out: usize) -> Vec<(PathBuf, Vec<&'static str>)> {
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("writing a test file");
        p
    };
    let npy = |descr: &str, shape: &str, data: &[u8]| {
        let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        let pad = 64 - (10 + header.len() + 1) % 64;
        let text = format!("{header}{}\n", " ".repeat(pad % 64));
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(text.len() as u16).to_le_bytes());
        b.extend_from_slice(text.as_bytes());
        b.extend_from_slice(data);
        b
    };
    let f64s = |vals: &[f64]| vals.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
    let cols = n_in + n_out;
    let mut random = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..777 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        random.push((x >> 16) as u8);
    }
    let mut with_inf = vec![0.5; 4 * cols];
    with_inf[5] = f64::INFINITY;
    vec![
        (dir.join("missing.npz"), vec!["missing.npz", "cannot read"]),
        (write("empty.npy", b""), vec!["empty.npy", "empty"]),
        (write("random.npz", &random), vec!["random.npz", "not a NumPy file"]),
        (fixture("truncated.npz"), vec!["truncated.npz", "damaged"]),
        (fixture("object_array.npy"), vec!["object_array.npy", "pickled"]),
        (fixture("complex128.npy"), vec!["complex128.npy", "complex128"]),
        (fixture("xor_nan.npz"), vec!["xor_nan.npz", "NaN"]),
        (fixture("xor_missing_out.npz"), vec!["xor_missing_out.npz", "'out'"]),
        (
            write("huge.npy", &npy("<f8", "(1000000000, 1000000)", &[0u8; 64])),
            vec!["huge.npy", "larger than"],
        ),
        (
            write("short.npy", &npy("<f8", &format!("(10, {cols})"), &[0u8; 64])),
            vec!["short.npy", "truncated"],
        ),
        (
            write("inf.npy", &npy("<f8", &format!("(4, {cols})"), &f64s(&with_inf))),
            vec!["inf.npy", "inf", "finite"],
        ),
        (
            write(
                "columns.npy",
                &npy("<f8", &format!("(4, {})", cols + 1), &f64s(&vec![0.25; 4 * (cols + 1)])),
            ),
            vec!["columns.npy", "input column(s)"],
        ),
        (
            write(
                "strings.npy",
                &npy("<U3", &format!("(4, {cols})"), &vec![0u8; 12 * 4 * cols]),
            ),
            vec!["strings.npy", "unsupported dtype"],
        ),
        (
            write("lengths.npz", &mismatched_npz(n_in, n_out)),
            vec!["lengths.npz", "rows"],
        ),
    ]
}

/// An `.npz` whose inputs have 4 rows and whose targets have 3.
fn mismatched_npz(n_in: usize, n_out: usize) -> Vec<u8> {
    use std::io::Write;
    let npy = |rows: usize, cols: usize| {
        let header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
        let pad = 64 - (10 + header.len() + 1) % 64;
        let text = format!("{header}{}\n", " ".repeat(pad % 64));
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(text.len() as u16).to_le_bytes());
        b.extend_from_slice(text.as_bytes());
        b.extend(std::iter::repeat_n(0u8, 8 * rows * cols));
        b
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("inp.npy", options).unwrap();
    zip.write_all(&npy(4, n_in)).unwrap();
    zip.start_file("out.npy", options).unwrap();
    zip.write_all(&npy(3, n_out)).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A folder path that cannot be created or written, even by root.
pub fn unwritable() -> PathBuf {
    PathBuf::from("/sys/mlp-test-cannot-write-here")
}

/// Every bad data file of [`bad_data`] through `flag` (for example
/// `--data`): each refused with one line naming the file, nothing written.
/// `extra` are further arguments (for example the other data flag).
pub fn refuses_bad_data(bin: &str, flag: &str, extra: &[&str], n_in: usize, n_out: usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    for (path, needles) in bad_data(dir.path(), n_in, n_out) {
        let mut args = vec!["--out", out.to_str().unwrap(), flag, path.to_str().unwrap()];
        args.extend_from_slice(extra);
        assert_refused(bin, &args, &needles);
        assert_eq!(run(bin, &args).code, Some(1), "{bin}: bad data exits with 1");
        assert!(
            nothing_in(&out),
            "{bin} {flag} {}: wrote {:?}",
            path.display(),
            files(&out)
        );
    }
}

/// The flags every training binary shares, with bad values: each refused
/// with one line naming the flag, nothing written.
pub fn refuses_bad_common_flags(bin: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--iterations", "0"], &["--iterations"]),
        (&["--iterations", "-5"], &["--iterations"]),
        (&["--iterations", "ten"], &["--iterations", "ten"]),
        (&["--iterations", "1e6"], &["--iterations"]),
        (&["--learning-rate", "NaN"], &["--learning-rate", "NaN"]),
        (&["--learning-rate", "-0.5"], &["--learning-rate", "-0.5"]),
        (&["--learning-rate", "0"], &["--learning-rate"]),
        (&["--learning-rate", "inf"], &["--learning-rate"]),
        (&["--learning-rate", "-inf"], &["--learning-rate", "-inf"]),
        (&["--momentum", "-0.5"], &["--momentum", "-0.5"]),
        (&["--learning-rate", "fast"], &["--learning-rate", "fast"]),
        (&["--momentum", "1"], &["--momentum", "[0, 1)"]),
        (&["--momentum", "-0.1"], &["--momentum"]),
        (&["--momentum", "2"], &["--momentum"]),
        (&["--momentum", "NaN"], &["--momentum"]),
        (&["--momentum", "half"], &["--momentum", "half"]),
        (&["--sampling", "shuffled"], &["--sampling", "shuffled"]),
        (&["--seed", "-1"], &["--seed"]),
        (&["--rng", "mersenne"], &["--rng", "mersenne"]),
        (&["--rng", ""], &["--rng"]),
        // NumPy's np.random.seed takes 0 to 2^32 - 1, and so does --rng numpy
        (&["--seed", "4294967296"], &["--seed", "4294967296", "--rng chacha8"]),
        (&["--rng", "numpy", "--seed", "18446744073709551615"], &["--seed"]),
        (&["--no-such-flag"], &["--no-such-flag"]),
        (
            &["--sampling", "foo"],
            &["--sampling", "possible values: random, cyclic"],
        ),
        (&["--seeed", "3"], &["--seeed", "similar argument exists: '--seed'"]),
        (&["--rng", "mt"], &["--rng", "possible values: numpy, chacha8"]),
    ];
    for (args, needles) in cases {
        let mut all = vec!["--out", o];
        all.extend_from_slice(args);
        assert_refused(bin, &all, needles);
        assert_eq!(
            run(bin, &all).code,
            Some(2),
            "{bin} {args:?}: a refused command line exits with 2"
        );
        assert!(!out.exists(), "{bin} {args:?}: nothing may be written on bad flags");
    }
    refuses_bad_out(bin, &[]);
}

/// `--out` that is an existing file, or a folder that cannot be written.
pub fn refuses_bad_out(bin: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "keep me").unwrap();
    let mut args = vec!["--out", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    assert_refused(bin, &args, &["--out", "not a folder"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    let bad = unwritable();
    let mut args = vec!["--out", bad.to_str().unwrap()];
    args.extend_from_slice(extra);
    assert_refused(bin, &args, &["--out", bad.to_str().unwrap()]);
}

/// Runs `bin` twice with `args` into two fresh folders and asserts that both
/// wrote the same files with the same bytes. Returns the first folder.
pub fn assert_same_bytes(bin: &str, args: &[&str]) -> tempfile::TempDir {
    let a = tempfile::tempdir().expect("a temporary folder");
    let b = tempfile::tempdir().expect("a temporary folder");
    for d in [&a, &b] {
        let mut all = vec!["--out", d.path().to_str().unwrap()];
        all.extend_from_slice(args);
        run_ok(bin, &all);
    }
    let names = files(a.path());
    assert!(!names.is_empty(), "{bin} wrote nothing");
    assert_eq!(names, files(b.path()));
    for f in names {
        assert_eq!(
            std::fs::read(a.path().join(&f)).unwrap(),
            std::fs::read(b.path().join(&f)).unwrap(),
            "{bin}: {f} differs between two runs with the same seed"
        );
    }
    a
}
