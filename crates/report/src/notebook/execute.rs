//! Executing the notebook with nbclient in an outside Python, and finding
//! that Python.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The Python program that executes a notebook with nbclient: arguments
/// the notebook to read and the one to write; the working folder is the
/// report's, where the data files are. Progress goes to stderr, cell by
/// cell. Exit 3 with `missing: <module>` when a package is not there, 4
/// with `cell <n> (<id>): <error>` when a cell fails. The PNG outputs lose
/// their text and time chunks (matplotlib writes its version there), and no
/// cell records its execution time, so that a run gives the same file.
const RUNNER: &str = r#"
import sys
try:
    import nbformat
    import nbclient
    import numpy, scipy, matplotlib, ipykernel  # what the notebook needs
except ImportError as e:
    print(f"missing: {e.name}", file=sys.stderr)
    sys.exit(3)
import base64, struct, time

source, target = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
code = [c for c in nb.cells if c.cell_type == "code"]
started = time.monotonic()

def on_cell_start(cell, cell_index, **_):
    if cell.cell_type == "code":
        n = code.index(cell) + 1
        print(f"  notebook: cell {n} of {len(code)} ({cell.get('id', '')}), "
              f"{time.monotonic() - started:.0f} s in", file=sys.stderr, flush=True)

client = nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3", record_timing=False,
                                 resources={"metadata": {"path": "."}}, on_cell_start=on_cell_start)
try:
    client.execute()
except nbclient.exceptions.CellExecutionError as e:
    for n, cell in enumerate(code, 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                print(f"cell {n} ({cell.get('id', '')}): {out['ename']}: {out['evalue']}", file=sys.stderr)
                sys.exit(4)
    print(f"cell: {str(e).strip().splitlines()[-1]}", file=sys.stderr)
    sys.exit(4)
except Exception as e:  # no kernel, a dead kernel
    name = type(e).__name__
    if name == "NoSuchKernel":
        print("missing: ipykernel (no python3 kernel)", file=sys.stderr)
        sys.exit(3)
    print(f"cell: {name}: {e}", file=sys.stderr)
    sys.exit(4)

def plain_png(data):
    """The PNG without its text and time chunks."""
    raw = base64.b64decode(data)
    out, at = [raw[:8]], 8
    while at < len(raw):
        length = struct.unpack(">I", raw[at:at + 4])[0]
        kind = raw[at + 4:at + 8]
        if kind not in (b"tEXt", b"zTXt", b"iTXt", b"tIME"):
            out.append(raw[at:at + 12 + length])
        at += 12 + length
    return base64.b64encode(b"".join(out)).decode() + "\n"

for cell in code:
    for out in cell.get("outputs", []):
        if "image/png" in out.get("data", {}):
            out["data"]["image/png"] = plain_png(out["data"]["image/png"])
nbformat.validate(nb)
nbformat.write(nb, target)
print(f"  notebook: {len(code)} cells ran in {time.monotonic() - started:.0f} s", file=sys.stderr)
"#;

/// What to install for `--run-notebook`, in the words of its messages.
pub const INSTALL: &str = "a Python 3 with NumPy, SciPy, matplotlib, nbclient and ipykernel (a virtual environment \
     with `pip install numpy scipy matplotlib nbclient ipykernel`, or the Debian packages python3-numpy \
     python3-scipy python3-matplotlib python3-nbclient python3-ipykernel), named with --python or REPORT_PYTHON";

/// Executes `notebook` with `python` in the folder `dir` (where the data
/// files are) and returns it with its outputs. Progress goes to stderr as
/// it runs. The error is one line: the Python or package that is missing
/// and what to install, or the cell that failed and its error.
pub fn execute(python: &Path, notebook: &str, dir: &Path) -> Result<String> {
    let unexecuted = dir.join(".submission-unexecuted.ipynb");
    let executed = dir.join(".submission-executed.ipynb");
    std::fs::write(&unexecuted, notebook).with_context(|| format!("cannot write {}", unexecuted.display()))?;
    let run = std::process::Command::new(python)
        .current_dir(dir)
        .arg("-c")
        .arg(RUNNER)
        .arg(&unexecuted)
        .arg(&executed)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let result = match run {
        Err(e) => Err(anyhow::anyhow!(
            "cannot run {} ({e}); install {INSTALL}",
            python.display()
        )),
        Ok(mut child) => {
            // Progress lines pass through as they come; the last line is
            // the verdict.
            let mut last = String::new();
            if let Some(err) = child.stderr.take() {
                use std::io::BufRead;
                for line in std::io::BufReader::new(err).lines().map_while(std::result::Result::ok) {
                    if line.starts_with("  notebook:") {
                        eprintln!("{line}");
                    } else if !line.trim().is_empty() {
                        last = line;
                    }
                }
            }
            let status = child.wait().context("waiting for the notebook's Python")?;
            match status.code() {
                Some(0) => std::fs::read_to_string(&executed)
                    .with_context(|| format!("reading the executed notebook {}", executed.display())),
                Some(3) => Err(anyhow::anyhow!(
                    "{} lacks {}; install {INSTALL}",
                    python.display(),
                    last.trim_start_matches("missing: ")
                )),
                Some(4) => Err(anyhow::anyhow!(
                    "notebook {} failed: {}",
                    last.split_once(':').map_or("cell", |(c, _)| c),
                    last.split_once(": ").map_or(last.as_str(), |(_, e)| e)
                )),
                _ => Err(anyhow::anyhow!(
                    "{} could not run the notebook ({status}){}; it needs {INSTALL}",
                    python.display(),
                    if last.is_empty() {
                        String::new()
                    } else {
                        format!(": {last}")
                    }
                )),
            }
        }
    };
    for f in [&unexecuted, &executed] {
        let _ = std::fs::remove_file(f);
    }
    result
}

/// The environment variable that names the notebook's Python.
pub const PYTHON_ENV: &str = "REPORT_PYTHON";

/// The Python that executes the notebook: `--python PATH`, else
/// `REPORT_PYTHON`, else `python3` on `PATH`. A named one that does not
/// run as a Python is refused (the caller says it is the command line's
/// fault); `None` when neither is named and `PATH` has no `python3`.
pub fn find_python(flag: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(path) = flag {
        runs_python(path).with_context(|| format!("--python {}", path.display()))?;
        return Ok(Some(path.to_path_buf()));
    }
    if let Some(named) = std::env::var_os(PYTHON_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&named);
        runs_python(&path).with_context(|| format!("{PYTHON_ENV}={}", path.display()))?;
        return Ok(Some(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    Ok(std::env::split_paths(&path)
        .map(|dir| dir.join("python3"))
        .find(|candidate| runs_python(candidate).is_ok()))
}

/// Whether `python` runs as a Python at all.
fn runs_python(python: &Path) -> Result<()> {
    let out = std::process::Command::new(python)
        .args(["-c", "import sys; print(sys.version_info[0])"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run it ({e}); expected a Python 3"))?;
    if !out.status.success() || String::from_utf8_lossy(&out.stdout).trim() != "3" {
        anyhow::bail!("does not run as a Python 3 ({})", out.status);
    }
    Ok(())
}

/// What `python` lacks of the packages that executing the notebook needs
/// (empty when it has them all).
pub fn missing_packages(python: &Path) -> Result<Vec<String>> {
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import importlib.util as u\n\
             for m in ('numpy', 'scipy', 'matplotlib', 'nbformat', 'nbclient', 'ipykernel'):\n\
             \x20   print(m) if u.find_spec(m) is None else None",
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}
