//! `cargo xtask report --pdf`: the printed report holds every section and
//! numbers its pages; without a browser it says what to install, writes no
//! PDF and still writes the rest of the report.
//!
//! Printing needs a headless Chromium (and `pdfinfo`/`pdftotext` from
//! poppler-utils to read the result). Where they are missing the printing
//! test says so and passes, unless `REPORT_PDF_REQUIRED` is set, as CI sets
//! it after installing both.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_xtask");

fn fixture_report(dir: &Path) -> PathBuf {
    let out = dir.join("report");
    testkit::cli::report_fixture(&out);
    out
}

fn tool(name: &str, args: &[&str]) -> Option<String> {
    let o = Command::new(name).args(args).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn the_printed_submission_and_companion_hold_their_sections_on_numbered_a4_pages() {
    let browser = report::pdf::find_browser(None);
    let poppler = tool("pdfinfo", &["-v"]).is_some() || Command::new("pdfinfo").arg("-v").output().is_ok();
    if browser.is_err() || !poppler {
        assert!(
            std::env::var_os("REPORT_PDF_REQUIRED").is_none(),
            "REPORT_PDF_REQUIRED is set, but there is no browser ({browser:?}) or no poppler-utils"
        );
        eprintln!("skipped: no headless Chromium or no poppler-utils here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = fixture_report(dir.path());
    let o = Command::new(BIN)
        .args([
            "report",
            "--no-run-notebook",
            "--render-only",
            "--pdf",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The submission in at most 10 pages, the companion page beside it.
    for (file, headings, most) in [
        ("submission.pdf", &testkit::report::SUBMISSION_SECTIONS[..], 10),
        ("beyond.pdf", &testkit::report::COMPANION_SECTIONS[..], 20),
    ] {
        let pdf = out.join(file);
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
        let path = pdf.to_str().unwrap();
        let info = tool("pdfinfo", &[path]).unwrap();
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        assert!((3..=most).contains(&pages), "{file}: {pages} pages");
        // A4 is 595 x 842 points
        assert!(info.contains("(A4)"), "{info}");
        let text = tool("pdftotext", &["-layout", path, "-"]).unwrap();
        for heading in headings {
            assert!(text.contains(heading), "{file} lacks {heading}");
        }
        for n in [1, pages] {
            assert!(
                text.contains(&format!("page {n} of {pages}")),
                "{file}: no page number {n}"
            );
        }
    }
}

/// A stand-in browser: a shell script that writes `pdf` where it is asked
/// to print, or fails.
fn fake_browser(dir: &Path, name: &str, pdf: Option<&str>) -> PathBuf {
    let path = dir.join(name);
    let body = match pdf {
        Some(bytes) => format!(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) printf '%s' '{bytes}' > \"${{a#--print-to-pdf=}}\";; esac; done\n"
        ),
        None => "#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n".to_owned(),
    };
    std::fs::write(&path, body).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn report(out: &Path, extra: &[&std::ffi::OsStr], path_env: Option<&Path>) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "report",
        "--no-run-notebook",
        "--render-only",
        "--pdf",
        "--out",
        out.to_str().unwrap(),
    ])
    .args(extra)
    .env_remove("REPORT_BROWSER");
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    cmd.output().unwrap()
}

#[test]
fn without_a_browser_pdf_says_what_to_install_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = fixture_report(dir.path());
    // A first report with a PDF (from a stand-in browser, named by the
    // environment variable).
    let printer = fake_browser(dir.path(), "printer", Some("%PDF-1.4 stand-in"));
    let o = Command::new(BIN)
        .args([
            "report",
            "--no-run-notebook",
            "--render-only",
            "--pdf",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("REPORT_BROWSER", &printer)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(out.join("submission.pdf")).unwrap() == b"%PDF-1.4 stand-in");

    // No browser anywhere: one line, what to install and how to name one;
    // the report written, and no PDF, not even the previous one.
    let o = report(&out, &[], Some(&dir.path().join("nothing-here")));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for needle in [
        "--pdf",
        "chromium",
        "apt install chromium",
        "--browser",
        "REPORT_BROWSER",
    ] {
        assert!(err.contains(needle), "{needle} not in: {err}");
    }
    assert!(out.join("index.html").exists() && out.join("submission.md").exists());
    assert!(!out.join("submission.pdf").exists());

    // A browser that does not print: one line naming it, no PDF.
    let broken = fake_browser(dir.path(), "broken-browser", None);
    let o = report(&out, &[std::ffi::OsStr::new("--browser"), broken.as_os_str()], None);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("broken-browser") && err.contains("did not print"), "{err}");
    assert!(err.contains("cannot open display"), "{err}");
    assert!(!out.join("submission.pdf").exists());

    // A PDF that is not one is refused the same way.
    let liar = fake_browser(dir.path(), "liar", Some("<html>"));
    let o = report(&out, &[std::ffi::OsStr::new("--browser"), liar.as_os_str()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.join("submission.pdf").exists());

    // A run without --pdf after one with it says that the PDF is gone.
    let o = report(&out, &[std::ffi::OsStr::new("--browser"), printer.as_os_str()], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(BIN)
        .args([
            "report",
            "--no-run-notebook",
            "--render-only",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("submission.pdf was not reprinted") && said.contains("--pdf"),
        "{said}"
    );
    assert!(!out.join("submission.pdf").exists() && !out.join("beyond.pdf").exists());
}
