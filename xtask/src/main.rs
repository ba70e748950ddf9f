//! Project automation in plain Rust (`cargo xtask <command>`).
//!
//! - `cargo xtask data`: writes the data sets of docs/DESIGN.md section 3 under
//!   `data/` (the same bytes on every run).
//! - `cargo xtask report`: builds the exercises in the profile xtask was built
//!   in (dev for `cargo xtask`), runs them in
//!   order into `report/` and renders `report/index.html` and
//!   `report/submission.md`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xtask::report;

#[derive(Parser)]
#[command(about = "Project automation for the backprop exercise sheet")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the data sets (xor_data.npz, func_approx_*.npz, bar_data.npy) into data/
    Data {
        /// Folder to write into [default: data/ in the workspace]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Build the parts (in the profile this program was built in), run ex1,
    /// ex2a, ex2b, ex2c, ex2d into report/,
    /// and render report/index.html and report/submission.md
    Report {
        /// Render from the metrics and figures already in the report folder
        /// without building or running anything
        #[arg(long)]
        render_only: bool,

        /// The report folder [default: report/ in the workspace]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn data(out: Option<PathBuf>) -> Result<()> {
    let dir = out.unwrap_or_else(|| workspace_root().join("data"));
    exercise_harness::output::prepare_out_dir(&dir)?;
    for (name, bytes) in xtask::recipes::all()? {
        let path = dir.join(name);
        exercise_harness::output::write_atomic(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

fn run_report(render_only: bool, out: Option<PathBuf>) -> Result<()> {
    let root = workspace_root();
    let out = match out {
        Some(dir) => std::path::absolute(dir)?,
        None => root.join("report"),
    };
    exercise_harness::output::prepare_out_dir(&out)?;
    let timings = if render_only {
        Vec::new()
    } else {
        report::build_parts(&root)?;
        report::run_parts(&root, &out)?
    };
    let metrics = report::load_metrics(&out)?;
    let prov = report::provenance(&root, timings);
    let ctx = report::context(&root, &metrics, &prov)?;
    let generated = report::generated_figures(&metrics)?;
    let (md, html) = report::render(&root, &out, &ctx, &generated)?;
    // The two files of the report replace the previous ones as a set.
    let mut set = exercise_harness::output::OutputSet::new(&out);
    set.add("submission.md", md);
    set.add("index.html", html);
    for (name, svg) in generated {
        set.add(name, svg);
    }
    let moved = set.commit()?;
    println!(
        "wrote {} and {}",
        out.join("index.html").display(),
        out.join("submission.md").display()
    );
    for (was, now) in moved {
        println!(
            "moved {} aside to {}: no run of this version wrote it",
            was.display(),
            now.display()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    exercise_harness::cli::run(|cli: Cli| match cli.command {
        Command::Data { out } => data(out),
        Command::Report { render_only, out } => run_report(render_only, out),
    })
}
