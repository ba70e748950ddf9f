//! The one program every exercise binary is: read the flags, check them and
//! load the data (nothing written yet), train, put figures, metrics and
//! weights into one [`OutputSet`], replace the previous run's set with it,
//! print a summary. A binary implements [`Exercise`] with what is its own
//! and calls [`main`].

use crate::cli;
use crate::output::{OutputSet, prepare_out_dir};
use anyhow::Result;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches};
use std::path::PathBuf;
use std::process::ExitCode;

/// One part of the sheet, as its binary runs it.
pub trait Exercise: Sized {
    /// The part's name: its folder under `report/` (`ex2a`).
    const NAME: &'static str;
    /// Its command line, but for `--out`, which every part has and
    /// [`main`] adds.
    type Args: clap::Parser;
    /// What training produced.
    type Trained;

    /// Checks the flags and loads the data: everything that can fail on bad
    /// input, before any file is touched.
    fn prepare(args: Self::Args) -> Result<Self>;

    /// Trains and measures.
    fn train(&self) -> Result<Self::Trained>;

    /// Adds the figures, the metrics and (if asked) the weights to `set`;
    /// returns the summary to print, a line each.
    fn outputs(&self, trained: &Self::Trained, set: &mut OutputSet) -> Result<Vec<String>>;
}

/// Runs the part `E` as a command-line program: one line on stderr and a
/// non-zero exit for every failure (see [`cli::run`]).
pub fn main<E: Exercise>() -> ExitCode {
    cli::run_parsed(parse::<E>, |(args, out)| {
        let part = E::prepare(args)?;
        prepare_out_dir(&out)?;
        let trained = part.train()?;
        let mut set = OutputSet::new(&out);
        let summary = part.outputs(&trained, &mut set)?;
        let written = written(&set);
        let moved = set.commit()?;
        for line in summary {
            println!("{line}");
        }
        println!("  wrote {written} into {}", out.display());
        for (was, now) in moved {
            println!(
                "  moved {} aside to {}: no run of this version wrote it",
                was.display(),
                now.display()
            );
        }
        Ok(())
    })
}

/// The part's flags and the `--out` folder (`report/<NAME>` by default).
fn parse<E: Exercise>() -> Result<(E::Args, PathBuf), clap::Error> {
    let out = Arg::new("out")
        .long("out")
        .value_name("DIR")
        .value_parser(clap::value_parser!(PathBuf))
        .help(format!(
            "Folder for this part's results: metrics.json, the figures and, with --save-weights, the weights; \
             created if missing. A run's files replace the previous run's as one set [default: report/{}]",
            E::NAME
        ));
    let matches: ArgMatches = E::Args::command().arg(out).try_get_matches()?;
    let args = E::Args::from_arg_matches(&matches)?;
    let out = matches
        .get_one::<PathBuf>("out")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("report").join(E::NAME));
    Ok((args, out))
}

/// The set's files for a person: the top-level files by name, the weight
/// files counted.
fn written(set: &OutputSet) -> String {
    let (mut files, mut weights) = (Vec::new(), 0);
    for name in set.names() {
        if name.extension().is_some_and(|e| e == "npz") {
            weights += 1;
        } else {
            files.push(name.display().to_string());
        }
    }
    if weights > 0 {
        files.push(format!("{weights} weight files"));
    }
    files.join(", ")
}
