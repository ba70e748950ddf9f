//! The report as PDF: the HTML page printed by a headless Chromium, which
//! renders its MathML, fonts and print styles exactly as a reader's browser
//! does.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The browsers looked for on `PATH`, in this order.
pub const BROWSERS: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
/// The environment variable that names a browser.
pub const BROWSER_ENV: &str = "REPORT_BROWSER";

/// The browser to print with: `flag` (`--browser`), else the one
/// [`BROWSER_ENV`] names, else the first of [`BROWSERS`] on `PATH`.
pub fn find_browser(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = flag {
        return executable(path).with_context(|| format!("--browser {}", path.display()));
    }
    if let Some(named) = std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&named);
        return executable(&path).with_context(|| format!("{BROWSER_ENV}={}", path.display()));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in BROWSERS {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if executable(&candidate).is_ok() {
                return Ok(candidate);
            }
        }
    }
    bail!(
        "--pdf: no headless Chromium found ({} on PATH); install one (Debian and Ubuntu: apt install chromium) \
         or name it with --browser PATH or {BROWSER_ENV}=PATH",
        BROWSERS.join(", ")
    )
}

/// `path` if it is an executable file.
fn executable(path: &Path) -> Result<PathBuf> {
    let meta = std::fs::metadata(path).context("no such file")?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            bail!("not an executable file");
        }
    }
    #[cfg(not(unix))]
    if !meta.is_file() {
        bail!("not a file");
    }
    Ok(path.to_path_buf())
}

/// Prints `html` (a self-contained page) to PDF bytes with `browser`. The
/// page's own print styles set the paper (A4), the margins and the page
/// numbers; the browser's header and footer are off.
pub fn print_pdf(browser: &Path, html: &str) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("making a folder to print in")?;
    let page = dir.path().join("index.html");
    let out = dir.path().join("submission.pdf");
    std::fs::write(&page, html).with_context(|| format!("writing {}", page.display()))?;
    let profile = dir.path().join("profile");
    // A fresh profile, and no background traffic: the page needs no network.
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(url_of(&page)?)
        .output()
        .with_context(|| format!("running {}", browser.display()))?;
    let pdf = std::fs::read(&out).ok().filter(|b| b.starts_with(b"%PDF-"));
    match pdf {
        Some(bytes) if output.status.success() => Ok(bytes),
        _ => {
            let err = String::from_utf8_lossy(&output.stderr);
            let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            bail!(
                "--pdf: {} did not print the report ({}): {last}",
                browser.display(),
                output.status
            )
        }
    }
}

/// A `file://` URL for an absolute path.
fn url_of(path: &Path) -> Result<String> {
    let abs = std::path::absolute(path)?;
    let s = abs.to_str().context("the temporary folder's path is not UTF-8")?;
    let mut url = String::from("file://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_escape_what_is_not_plain() {
        assert_eq!(
            url_of(Path::new("/tmp/a b/x.html")).unwrap(),
            "file:///tmp/a%20b/x.html"
        );
    }

    #[test]
    fn a_named_browser_must_be_an_executable_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = find_browser(Some(&dir.path().join("nope"))).unwrap_err();
        assert!(format!("{e:#}").starts_with("--browser "), "{e:#}");
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        let e = find_browser(Some(&plain)).unwrap_err();
        assert!(format!("{e:#}").contains("not an executable file"), "{e:#}");
    }
}
