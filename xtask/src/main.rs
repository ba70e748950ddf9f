//! Project automation in plain Rust (`cargo xtask <command>`).
//!
//! - `cargo xtask data`: writes the data sets of DESIGN.md section 3 under
//!   `data/` (the same bytes on every run).
//! - `cargo xtask report`: builds the exercises in release mode, runs them in
//!   order into `report/` and renders the submission report.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        /// Folder to write into
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
    mlp::output::prepare_out_dir(&dir)?;
    for (name, bytes) in mlp::recipes::all()? {
        let path = dir.join(name);
        mlp::output::write_atomic(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

fn main() -> ExitCode {
    mlp::cli::run(|cli: Cli| match cli.command {
        Command::Data { out } => data(out),
    })
}
