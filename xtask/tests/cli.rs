//! `cargo xtask report` refuses bad input with one line and never leaves a
//! half-written report: a failed render keeps the previous good one. The
//! report folder is the report's alone: plain files, replaced whole, and
//! nothing of the user's lost.

use testkit::cli::{assert_refused, files, record_as, report_fixture, run_ok};

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

#[test]
fn renders_from_metrics_and_keeps_the_last_good_report_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    report_fixture(&out);
    let o = out.to_str().unwrap();
    run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    let html = std::fs::read(out.join("index.html")).unwrap();
    let md = std::fs::read(out.join("submission.md")).unwrap();
    assert!(html.len() > 10_000 && md.len() > 5_000);

    // damaged metrics (as if a run had written them): refused with the file
    // named, the old report intact
    std::fs::write(out.join("ex2c/metrics.json"), "{ not json").unwrap();
    record_as(&out, "report");
    assert_refused(
        BIN,
        &["report", "--no-run-notebook", "--render-only", "--out", o],
        &["ex2c", "metrics.json"],
    );
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);
    assert_eq!(std::fs::read(out.join("submission.md")).unwrap(), md);

    // metrics missing a field
    std::fs::write(out.join("ex2c/metrics.json"), "{\"exercise\": \"2c\"}").unwrap();
    record_as(&out, "report");
    assert_refused(
        BIN,
        &["report", "--no-run-notebook", "--render-only", "--out", o],
        &["metrics", "missing"],
    );
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);

    // a figure gone
    report_fixture(&out);
    std::fs::remove_file(out.join("ex2d/inputs.svg")).unwrap();
    record_as(&out, "report");
    let e = assert_refused(
        BIN,
        &["report", "--no-run-notebook", "--render-only", "--out", o],
        &["inputs.svg"],
    );
    assert!(
        e.contains(&format!("{o}/ex2d/inputs.svg")) && !e.contains(".new-"),
        "{e}"
    );
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);
}

#[test]
fn refuses_a_missing_report_folder_and_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_refused(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--render-only",
            "--out",
            empty.to_str().unwrap(),
        ],
        &["--render-only", "no complete report"],
    );
    assert!(!empty.join("index.html").exists());
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert_refused(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--render-only",
            "--out",
            file.to_str().unwrap(),
        ],
        &["--out", "not a folder"],
    );
    assert_refused(BIN, &["report", "--no-run-notebook", "--bogus"], &["--bogus"]);
    assert_refused(BIN, &["nonsense"], &["nonsense"]);
}

#[test]
fn the_report_folder_is_plain_files_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    report_fixture(&out);
    let o = out.to_str().unwrap();
    run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    let first = files(&out);
    let is_link = |p: &std::path::Path| std::fs::symlink_metadata(p).unwrap().file_type().is_symlink();
    assert!(first.iter().all(|f| !is_link(&out.join(f))), "links in the report");
    let hidden: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(hidden, [".backprop-outputs.json"], "one small record, no run folders");
    let beside = || {
        let mut v: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(beside(), [".report.lock", "report"]);
    // Rendered again: the same files, the same bytes.
    let html = std::fs::read(out.join("index.html")).unwrap();
    run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    assert_eq!(files(&out), first);
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);

    // The student's edit of submission.md stops the next run, which
    // touches nothing; --replace keeps the edited file beside the report.
    let md = out.join("submission.md");
    let mut edited = std::fs::read_to_string(&md).unwrap();
    edited.push_str("\nName: A. Student\n");
    std::fs::write(&md, &edited).unwrap();
    assert_refused(
        BIN,
        &["report", "--no-run-notebook", "--render-only", "--out", o],
        &["submission.md", "changed since", "--replace"],
    );
    assert_eq!(std::fs::read_to_string(&md).unwrap(), edited);
    let o2 = run_ok(
        BIN,
        &["report", "--no-run-notebook", "--render-only", "--replace", "--out", o],
    );
    let kept: Vec<_> = beside().into_iter().filter(|n| n.starts_with("report.kept-")).collect();
    assert_eq!(kept.len(), 1, "{:?}", beside());
    assert!(o2.stdout.contains(&kept[0]), "{}", o2.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&kept[0]).join("submission.md")).unwrap(),
        edited
    );
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), html);
}

/// `--render-only` renders the parts' files as the last run wrote them: one
/// that was since edited (and kept aside with --replace) or deleted is named.
#[test]
fn render_only_names_a_part_file_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    report_fixture(&out);
    let o = out.to_str().unwrap();
    run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    std::fs::write(out.join("ex2a/metrics.json"), "{}").unwrap();
    for replace in [&[][..], &["--replace"][..]] {
        let mut args = vec!["report", "--no-run-notebook", "--render-only", "--out", o];
        args.extend_from_slice(replace);
        let e = assert_refused(
            BIN,
            &args,
            &[
                "--render-only",
                "ex2a/metrics.json",
                "changed since",
                "cargo xtask report",
            ],
        );
        assert!(!e.contains(".new-"), "{e}");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("ex2a/metrics.json")).unwrap(),
        "{}",
        "nothing touched"
    );
    // A part's file deleted: named too.
    report_fixture(&out);
    std::fs::remove_file(out.join("ex2c/capacity.svg")).unwrap();
    assert_refused(
        BIN,
        &["report", "--no-run-notebook", "--render-only", "--out", o],
        &["ex2c/capacity.svg", "changed or removed", "cargo xtask report"],
    );
}

/// `cargo xtask data` never overwrites other data without a word: a
/// different file is refused, or kept beside with --replace.
#[test]
fn data_keeps_a_different_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    run_ok(BIN, &["data", "--out", o]);
    let xor = dir.path().join("xor_data.npz");
    let ours = std::fs::read(&xor).unwrap();
    run_ok(BIN, &["data", "--out", o]);
    assert_eq!(std::fs::read(&xor).unwrap(), ours, "the same bytes again");
    std::fs::write(&xor, "the course's file").unwrap();
    assert_refused(BIN, &["data", "--out", o], &["xor_data.npz", "other data", "--replace"]);
    assert_eq!(std::fs::read_to_string(&xor).unwrap(), "the course's file");
    let said = run_ok(BIN, &["data", "--out", o, "--replace"]).stdout;
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("xor_data.npz.kept-"))
        .collect();
    assert_eq!(kept.len(), 1, "{said}");
    assert!(said.contains(&kept[0]), "{said}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&kept[0])).unwrap(),
        "the course's file"
    );
    assert_eq!(std::fs::read(&xor).unwrap(), ours);
}

/// The help names every file the report writes; the report says what it is
/// doing as it goes, in plain lines when its output is redirected.
#[test]
fn the_report_says_what_it_writes_and_does() {
    let help = run_ok(BIN, &["report", "--no-run-notebook", "--help"]).stdout;
    for file in ["index.html", "submission.md", "submission.ipynb", "submission.pdf"] {
        assert!(help.contains(file), "{file} not in: {help}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    report_fixture(&out);
    let o = out.to_str().unwrap();
    let redirected = run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    assert!(
        redirected.stdout.contains("rendering the report"),
        "{}",
        redirected.stdout
    );
    assert!(redirected.stderr.is_empty(), "{}", redirected.stderr);
    assert!(!redirected.stdout.contains('\u{1b}'), "{}", redirected.stdout);
    let shown = testkit::cli::run_in_terminal(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    assert!(shown.contains("rendering the report"), "{shown}");
}

/// Clap's refusals keep what helps (the missing flag, the list of
/// commands) and exit with 2.
#[test]
fn refused_command_lines_say_what_is_missing() {
    let o = testkit::cli::run(BIN, &["report", "--no-run-notebook", "--browser", "x"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("not provided: --pdf"), "{}", o.stderr);
    assert!(o.stderr.lines().count() <= 3, "{}", o.stderr);
    let bare = testkit::cli::run(BIN, &[]);
    assert_eq!(bare.code, Some(2));
    let shown = format!("{}{}", bare.stdout, bare.stderr);
    assert!(
        shown.contains("report") && shown.contains("data") && shown.contains("Exit status"),
        "{shown}"
    );
}

/// `--data DIR` names the folder it cannot use, in one line, before any
/// work; with `--render-only` it is refused as a contradiction.
#[test]
fn data_folder_refusals_name_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let missing = dir.path().join("no-such-folder");
    let o = testkit::cli::run(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--out",
            out.to_str().unwrap(),
            "--data",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(
        o.stderr.contains("no-such-folder") && o.stderr.contains("not a folder"),
        "{}",
        o.stderr
    );
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = testkit::cli::run(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--out",
            out.to_str().unwrap(),
            "--data",
            empty.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.contains("holds none of xor_data.npz"), "{}", o.stderr);
    assert!(!out.exists());
    let o = testkit::cli::run(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--render-only",
            "--data",
            empty.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

/// `cargo xtask data` writes every file whatever becomes of stdout, and
/// never into an output folder.
#[test]
fn data_is_written_whole_and_never_into_an_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::File::create("/dev/full").unwrap();
    let o = std::process::Command::new(BIN)
        .args(["data", "--out", dir.path().join("d").to_str().unwrap()])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("standard output") && err.contains("were written"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path().join("d")).unwrap().count(), 4);
    let report = dir.path().join("report");
    report_fixture(&report);
    assert_refused(
        BIN,
        &["data", "--out", report.join("data").to_str().unwrap()],
        &["inside", "output folder of report"],
    );
    assert!(!report.join("data").exists());
}

/// The sheet's Name(s) and Group fields: filled from --name and --group,
/// printed as written (no markup, HTML or math from them) in the page, the
/// Markdown and the notebook, kept for later runs, cleared on request.
#[test]
fn names_and_group_fill_the_sheets_fields() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    report_fixture(&out);
    let o = out.to_str().unwrap();
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    assert!(read("submission.md").contains("Name(s): ____________________ &nbsp; Group: ______"));
    run_ok(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--render-only",
            "--out",
            o,
            "--name",
            "Ada <b>Lovelace</b>",
            "--name",
            "Alan $x$ Turing",
            "--group",
            "G*7",
        ],
    );
    let md = read("submission.md");
    assert!(
        md.contains(r"Name(s): Ada \<b\>Lovelace\<\/b\>, Alan \$x\$ Turing &nbsp; Group: G\*7"),
        "{md}"
    );
    let html = read("index.html");
    assert!(
        html.contains("Name(s): Ada &lt;b&gt;Lovelace&lt;/b&gt;, Alan $x$ Turing"),
        "names in the page"
    );
    assert!(html.contains("Group: G*7"), "group in the page");
    assert!(
        read("submission.ipynb").contains(r"Ada \\<b\\>Lovelace"),
        "names in the notebook"
    );
    // Kept when not given again, cleared with an empty --name and --group.
    run_ok(BIN, &["report", "--no-run-notebook", "--render-only", "--out", o]);
    assert!(read("index.html").contains("Alan $x$ Turing"));
    run_ok(
        BIN,
        &[
            "report",
            "--no-run-notebook",
            "--render-only",
            "--out",
            o,
            "--name",
            "",
            "--group",
            "",
        ],
    );
    assert!(read("submission.md").contains("Name(s): ____________________ &nbsp; Group: ______"));
}

/// `cargo xtask` acts on the checkout it runs in, found when it runs: in a
/// copy, `data` writes the copy's `data/`; outside any checkout it says so.
#[test]
fn xtask_acts_on_the_checkout_it_runs_in() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(copy.join("exercises")).unwrap();
    std::fs::write(copy.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    let o = std::process::Command::new(BIN)
        .current_dir(copy.join("exercises"))
        .arg("data")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_dir(copy.join("data")).unwrap().count(), 4);
    let loose = dir.path().join("xtask");
    std::fs::copy(BIN, &loose).unwrap();
    let o = std::process::Command::new(&loose)
        .current_dir(dir.path())
        .args(["report", "--no-run-notebook"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no checkout of the project"));
}
