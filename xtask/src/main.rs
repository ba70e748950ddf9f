//! Project automation in plain Rust (`cargo xtask <command>`).
//!
//! - `cargo xtask data`: writes the data sets of docs/DESIGN.md section 3 under
//!   `data/` (the same bytes on every run).
//! - `cargo xtask report`: builds the exercises in the profile xtask was built
//!   in (dev for `cargo xtask`), runs them in order into a new report folder
//!   beside `report/`, renders the report into it with the `report` crate and
//!   puts it in the place of `report/` as a whole.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

/// A line on stdout that never stops the work: a failure to write is said
/// at the end, with what was written.
macro_rules! tell {
    ($($arg:tt)*) => {
        exercise_harness::cli::say_or_remember(&format!($($arg)*))
    };
}

mod parts;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use exercise_harness::output::{OutputFolder, OutputSet, REPORT};
use report::{Findings, document};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    about = "Project automation for the backprop exercise sheet",
    arg_required_else_help = true,
    after_help = exercise_harness::cli::EXIT_STATUS
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the data sets (xor_data.npz, func_approx_*.npz, bar_data.npy) into data/
    #[command(after_help = exercise_harness::cli::EXIT_STATUS)]
    Data {
        /// Folder to write into [default: data/ in the workspace]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,

        /// Go ahead where the folder holds a different file at one of these
        /// names: it is kept as <name>.kept-<time> beside the new one
        #[arg(long)]
        replace: bool,
    },
    /// Build the parts (in the profile this program was built in), run ex1,
    /// ex2a, ex2b, ex2c, ex2d, render report/index.html (the sheet's answers),
    /// submission.md (the same as Markdown), beyond.html (the companion page:
    /// everything beyond the sheet) and submission.ipynb (the answers beside
    /// NumPy code cells, executed where a Python can), and replace the report
    /// folder with the new one as a whole (plain files; a folder holding
    /// files no run wrote is refused)
    #[command(after_help = exercise_harness::cli::EXIT_STATUS)]
    Report {
        /// Render from the metrics and figures already in the report folder
        /// without building or running anything
        #[arg(long)]
        render_only: bool,

        /// The report folder [default: report/ in the workspace]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,

        /// The folder holding the course's data files, by the sheet's names
        /// (xor_data.npz, func_approx_training.npz, func_approx_test.npz,
        /// bar_data.npy): those found there are used, the rest are the
        /// project's own from data/. The report names each file used by its
        /// SHA-256 and keeps a copy beside the notebook
        #[arg(long, value_name = "DIR", conflicts_with = "render_only")]
        data: Option<PathBuf>,

        /// Also write report/submission.pdf and beyond.pdf: the two pages
        /// printed (A4, page numbers) by a headless Chromium, found on PATH (chromium,
        /// chromium-browser, google-chrome, google-chrome-stable) unless
        /// --browser or REPORT_BROWSER names one
        #[arg(long)]
        pdf: bool,

        /// The browser that prints --pdf
        #[arg(long, value_name = "PATH", requires = "pdf")]
        browser: Option<PathBuf>,

        /// Require the notebook to be executed: without a usable Python, or
        /// with a failing cell, the rest is written and the command exits
        /// with 1. Without this flag the notebook is executed whenever a
        /// usable Python is found (--python, else REPORT_PYTHON, else a
        /// python3 on PATH with numpy, scipy, matplotlib, nbclient and
        /// ipykernel), and written unexecuted otherwise
        #[arg(long, conflicts_with = "no_run_notebook")]
        run_notebook: bool,

        /// Write submission.ipynb without executing it
        #[arg(long)]
        no_run_notebook: bool,

        /// The Python that executes the notebook (implies --run-notebook)
        #[arg(long, value_name = "PATH", conflicts_with = "no_run_notebook")]
        python: Option<PathBuf>,

        /// Go ahead where the report folder holds files that no run wrote,
        /// or that were changed since (an edited submission.md): they are
        /// kept in <out>.kept-<time>/ beside the folder
        #[arg(long)]
        replace: bool,

        /// The sheet's "Name(s)" field: repeat for each name (--name "Ada
        /// Lovelace" --name "Alan Turing"). Kept for later runs unless given
        /// again; --name "" clears it. Without it the field is a line to
        /// fill in
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,

        /// The sheet's "Group" field, kept like --name
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
    },
}

/// The checkout this command acts on, found when it runs (from the current
/// folder, else from this program's own place), so that a copied or moved
/// checkout acts on itself.
fn workspace_root() -> Result<PathBuf> {
    exercise_harness::workspace::root().ok_or_else(|| {
        exercise_harness::cli::usage(
            "this is no checkout of the project: run cargo xtask inside one (the folder with exercises/ and \
             Cargo.toml)",
        )
    })
}

fn data(out: Option<PathBuf>, replace: bool) -> Result<()> {
    let dir = match out {
        Some(dir) => dir,
        None => workspace_root()?.join("data"),
    };
    // The data sets are inputs: never inside a run's output folder, which
    // its next run replaces as a whole.
    if let Some((folder, owner)) = exercise_harness::output::folder::output_folder_holding(&dir) {
        anyhow::bail!(
            "--out {}: is inside {}, the output folder of {owner}, which its next run replaces; write the data \
             elsewhere",
            dir.display(),
            folder.display()
        );
    }
    exercise_harness::output::prepare_out_dir(&dir)?;
    let files = report::recipes::all()?;
    // A different file at one of these names is someone's data: refused
    // before anything is written, or kept beside with --replace.
    let differing: Vec<PathBuf> = files
        .iter()
        .map(|(name, bytes)| (dir.join(name), bytes))
        .filter(|(path, bytes)| path.exists() && std::fs::read(path).ok().as_deref() != Some(&bytes[..]))
        .map(|(path, _)| path)
        .collect();
    if let Some(first) = differing.first()
        && !replace
    {
        anyhow::bail!(
            "--out {}: {} holds other data than the recipe makes{}; move it away, or rerun with --replace to keep \
             it as {}.kept-<time>",
            dir.display(),
            first.display(),
            if differing.len() > 1 {
                format!(" (and {} more)", differing.len() - 1)
            } else {
                String::new()
            },
            first.display()
        );
    }
    for path in &differing {
        let kept = exercise_harness::output::folder::kept_beside(path)?;
        tell!("kept the previous {} as {}", path.display(), kept.display());
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        exercise_harness::output::write_atomic(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        tell!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    match exercise_harness::cli::stdout_failure() {
        Some(e) => anyhow::bail!("{e}; the data sets were written into {}", dir.display()),
        None => Ok(()),
    }
}

/// How `cargo xtask report` runs.
struct Options {
    render_only: bool,
    data: Option<PathBuf>,
    pdf: bool,
    browser: Option<PathBuf>,
    /// Whether and with which Python the notebook is executed.
    notebook: NotebookPlan,
    replace: bool,
}

/// The student's names and group: as given on the command line (empty
/// where not given: the last run's are kept), and as the report folder's
/// record remembers them.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Student {
    names: Vec<String>,
    group: Option<String>,
}

/// The record key under which the report remembers the student.
const STUDENT: &str = "student";

impl Student {
    /// The names and group to print: those given, else the last run's; an
    /// empty value clears one.
    fn resolve(self, previous: Option<&serde_json::Value>) -> Student {
        let kept: Student = previous
            .and_then(|p| serde_json::from_value(p.clone()).ok())
            .unwrap_or_default();
        let names = if self.names.is_empty() { kept.names } else { self.names };
        Student {
            names: names.into_iter().filter(|n| !n.trim().is_empty()).collect(),
            group: self.group.or(kept.group).filter(|g| !g.trim().is_empty()),
        }
    }

    fn is_empty(&self) -> bool {
        self.names.is_empty() && self.group.is_none()
    }
}

/// Whether the notebook is executed, decided before any work.
enum NotebookPlan {
    /// `--no-run-notebook`.
    Skip,
    /// Executed with this Python; `required` when the command line asked
    /// for it (`--run-notebook`, `--python`), so that a failure is an error.
    Run { python: PathBuf, required: bool },
    /// No usable Python was found: written unexecuted, and the user told
    /// why and what to install.
    Unusable { why: String, required: bool },
}

impl NotebookPlan {
    /// The plan for these flags: a `--python` or `REPORT_PYTHON` that does
    /// not run as a Python is refused here, as the command line's fault.
    fn new(run: bool, skip: bool, python: Option<&Path>) -> Result<NotebookPlan> {
        use report::notebook::{INSTALL, find_python, missing_packages};
        if skip {
            return Ok(NotebookPlan::Skip);
        }
        let required = run || python.is_some();
        let found = find_python(python).map_err(|e| exercise_harness::cli::usage(format!("{e:#}")))?;
        Ok(match found {
            None => NotebookPlan::Unusable {
                why: format!("no python3 on PATH; install {INSTALL}"),
                required,
            },
            Some(python) => {
                let missing = missing_packages(&python)?;
                if missing.is_empty() || required {
                    NotebookPlan::Run { python, required }
                } else {
                    NotebookPlan::Unusable {
                        why: format!("{} lacks {}; install {INSTALL}", python.display(), missing.join(", ")),
                        required,
                    }
                }
            }
        })
    }
}

fn run_report(options: Options, out: Option<PathBuf>, student: Student) -> Result<()> {
    let Options {
        render_only,
        data,
        pdf,
        browser,
        notebook: plan,
        replace,
    } = options;
    let root = workspace_root()?;
    let out = out.unwrap_or_else(|| root.join("report"));
    // Looked up first, so that a missing browser is known early; the rest of
    // the report is written all the same, and the failure reported at the end.
    let browser = pdf.then(|| report::pdf::find_browser(browser.as_deref()));
    let data = if render_only {
        Vec::new()
    } else {
        parts::choose_data(&root, data.as_deref())?
    };
    if render_only {
        // A part's file changed since the run cannot be rendered from at
        // all (--replace would only keep it aside): say what helps.
        if let Ok(previous) = exercise_harness::output::record::Contents::of(&out)
            && previous.record.is_some()
            && let Some((changed, _)) = previous.foreign.iter().find(|(p, _)| parts::is_part_file(p))
        {
            anyhow::bail!(
                "--render-only: {} was changed since the report's run wrote it, and the report renders the \
                 parts' files as their run wrote them; run `cargo xtask report` to run the parts again (your \
                 file is kept with --replace)",
                out.join(changed).display()
            );
        }
    }
    let mut folder = OutputFolder::claim(&out, REPORT, replace)?;
    let out = folder.dir().to_path_buf();
    let student = student.resolve(
        folder
            .previous()
            .record
            .as_ref()
            .and_then(|r| r.remembered.get(STUDENT)),
    );
    // The new report is built beside the old one and takes its place whole.
    let staging = folder.staging()?;
    // What goes wrong while the new report is built names the report's
    // folder, not the one beside it that exists only during the run.
    let shown = |e: anyhow::Error| {
        anyhow::anyhow!(
            "{}",
            format!("{e:#}").replace(&*staging.to_string_lossy(), &out.to_string_lossy())
        )
    };
    let timings = if render_only {
        parts::copy_parts(&out, folder.previous(), &staging).map_err(shown)?;
        Vec::new()
    } else {
        parts::build_parts(&root)?;
        parts::copy_data(&data, &staging).map_err(shown)?;
        parts::run_parts(&root, &staging, &data).map_err(shown)?
    };
    let built = || -> Result<_> {
        tell!("rendering the report ...");
        let metrics = report::load_metrics(&staging)?;
        let prov = parts::provenance(&root, timings);
        let data = report::findings::data::Data::of(&root, &staging, &metrics)?;
        let mut findings = Findings::new(&root, &metrics, &prov, data)?;
        findings.student = report::findings::Student::new(&student.names, student.group.as_deref());
        let generated = document::generated_figures(&metrics)?;
        let rendered = document::render(&root, &staging, &findings, &generated)?;
        let notebook = document::notebook(&root, &rendered.md, &metrics, &findings.data)?;
        Ok((rendered, notebook, generated))
    };
    let (rendered, mut notebook, generated) = built().map_err(shown)?;
    // The notebook runs in the new folder, where the data files are; if it
    // cannot, it is written unexecuted with the rest, and the failure told
    // at the end (an error only where the command line asked for it).
    let executed = match &plan {
        NotebookPlan::Run { python, required } => {
            tell!("executing the notebook with {} (about 2 minutes) ...", python.display());
            Some((
                report::notebook::execute(python, &notebook, &staging)
                    .map_err(|e| shown(anyhow::anyhow!("the notebook: {e:#}; it was written unexecuted"))),
                *required,
            ))
        }
        NotebookPlan::Unusable { why, required } => Some((
            Err(anyhow::anyhow!("the notebook was written unexecuted: {why}")),
            *required,
        )),
        NotebookPlan::Skip => None,
    };
    if let Some((Ok(text), _)) = &executed {
        notebook = text.clone();
    }
    let printed = browser.map(|b| {
        b.and_then(|b| {
            tell!("printing the PDFs with {} ...", b.display());
            Ok((
                report::pdf::print_pdf(&b, &rendered.html)?,
                report::pdf::print_pdf(&b, &rendered.beyond_html)?,
            ))
        })
    });
    let mut set = OutputSet::new();
    if !student.is_empty() {
        set.remember(STUDENT, serde_json::to_value(&student)?);
    }
    set.add("submission.md", rendered.md);
    set.add("index.html", rendered.html);
    set.add(document::COMPANION, rendered.beyond_html);
    set.add("submission.ipynb", notebook);
    for (name, svg) in generated {
        set.add(name, svg);
    }
    // The PDF joins the report or, if printing fails, the rest is written
    // without it and the failure reported after.
    let failed = match printed {
        Some(Ok((submission, beyond))) => {
            set.add("submission.pdf", submission);
            set.add("beyond.pdf", beyond);
            None
        }
        Some(Err(e)) => Some(e),
        None => None,
    };
    let committed = folder.commit(set)?;
    tell!(
        "wrote {} (the sheet's answers; as Markdown: submission.md), {} (beyond the sheet) and submission.ipynb ({})",
        out.join("index.html").display(),
        document::COMPANION,
        match &executed {
            Some((Ok(_), _)) => "executed, with its outputs",
            Some((Err(_), _)) => "unexecuted",
            None => "unexecuted, as --no-run-notebook asked",
        }
    );
    if pdf && failed.is_none() {
        tell!("wrote {} and beyond.pdf", out.join("submission.pdf").display());
    }
    if (failed.is_some() || !pdf) && committed.dropped.iter().any(|p| p == Path::new("submission.pdf")) {
        tell!(
            "{} was not reprinted and is gone with the previous report{}",
            out.join("submission.pdf").display(),
            if pdf { "" } else { ": add --pdf to print it again" }
        );
    }
    for line in committed.notices {
        tell!("{line}");
    }
    if let Some((kept, files)) = committed.kept {
        tell!(
            "{}",
            exercise_harness::output::folder::kept_line(&kept, &files, "that no run wrote or that were changed")
        );
    }
    // A notebook that could not be executed is an error only where the
    // command line asked for it; otherwise one line says why and how.
    let notebook_failed = match executed {
        Some((Err(e), true)) => Some(e),
        Some((Err(e), false)) => {
            tell!("{e:#}");
            None
        }
        _ => None,
    };
    match (failed, notebook_failed) {
        (Some(e), Some(n)) => {
            tell!("{n:#}");
            return Err(e);
        }
        (Some(e), None) | (None, Some(e)) => return Err(e),
        (None, None) => {}
    }
    match exercise_harness::cli::stdout_failure() {
        Some(e) => anyhow::bail!("{e}; the report was written into {}", out.display()),
        None => Ok(()),
    }
}

fn main() -> ExitCode {
    exercise_harness::cli::run(|cli: Cli| match cli.command {
        Command::Data { out, replace } => data(out, replace),
        Command::Report {
            render_only,
            data,
            out,
            pdf,
            browser,
            run_notebook,
            no_run_notebook,
            python,
            replace,
            names,
            group,
        } => run_report(
            Options {
                render_only,
                data,
                pdf,
                browser,
                notebook: NotebookPlan::new(run_notebook, no_run_notebook, python.as_deref())?,
                replace,
            },
            out,
            Student { names, group },
        ),
    })
}
