//! The one program every exercise binary is: read the flags, check them and
//! load the data, claim the output folder (nothing of the output written
//! yet), train, put
//! figures, metrics and weights into one [`OutputSet`], replace the previous
//! run's folder with it, print a summary. A binary implements [`Exercise`] with what is its own
//! and calls [`main`].

use crate::cli;
use crate::output::{OutputFolder, OutputSet};
use anyhow::Result;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches};
use std::path::PathBuf;
use std::process::ExitCode;

/// One part of the sheet, as its binary runs it.
pub trait Exercise: Sized {
    /// The part's name: its folder under `out/` and `report/` (`ex2a`).
    const NAME: &'static str;
    /// What it writes into `--out`, for its `--help`.
    const WRITES: &'static str = "metrics.json, the figures and, with --save-weights, the weights";
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

    /// After the files are written and the summary printed: an error if what
    /// the run checked failed (exit status 1). Most parts check nothing.
    fn verdict(&self, _trained: &Self::Trained) -> Result<()> {
        Ok(())
    }
}

/// Runs the part `E` as a command-line program: one line on stderr and a
/// non-zero exit for every failure (see [`cli::run`]).
pub fn main<E: Exercise>() -> ExitCode {
    cli::run_parsed(parse::<E>, |Flags { args, out, replace }| {
        let part = E::prepare(args)?;
        let folder = OutputFolder::claim(&out, E::NAME, replace)?;
        let trained = part.train()?;
        let mut set = OutputSet::new();
        let summary = part.outputs(&trained, &mut set)?;
        let written = written(&set);
        let dir = folder.dir().to_path_buf();
        let committed = folder.commit(set)?;
        let mut lines = summary;
        // The folder's path on a line of its own when the line would wrap:
        // a path is never broken (a driver may look for it whole).
        let wrote = format!("  wrote {written} into {}", dir.display());
        if wrote.chars().count() <= cli::SUMMARY_WIDTH {
            lines.push(wrote);
        } else {
            lines.push(format!("  wrote {written} into"));
            lines.push(format!("    {}", dir.display()));
        }
        if let Some(first) = committed.dropped.first() {
            lines.push(format!(
                "  {} file(s) of the previous run that this run did not write are gone ({}{})",
                committed.dropped.len(),
                first.display(),
                if committed.dropped.len() > 1 { ", ..." } else { "" }
            ));
        }
        lines.extend(committed.notices.iter().map(|n| format!("  {n}")));
        if let Some((kept, files)) = committed.kept {
            lines.push(format!(
                "  {}",
                crate::output::folder::kept_line(&kept, &files, "that no run wrote or that were changed")
            ));
        }
        let path = dir.display().to_string();
        for line in lines.iter().flat_map(|l| {
            if l.trim() == path {
                vec![l.clone()]
            } else {
                cli::wrap(l, cli::SUMMARY_WIDTH)
            }
        }) {
            cli::say(&line).map_err(|e| e.context(format!("the files are written into {}", dir.display())))?;
        }
        part.verdict(&trained)
    })
}

/// A part's own flags and the two every part has.
struct Flags<A> {
    args: A,
    out: PathBuf,
    replace: bool,
}

/// The default output folder of a part: `out/<part>` in the checkout the
/// command acts on ([`crate::workspace::root`]); `None` outside any.
pub fn default_out(part: &str) -> Option<PathBuf> {
    crate::workspace::root().map(|root| root.join("out").join(part))
}

/// The part's flags, `--out` (`out/<NAME>` by default) and `--replace`.
fn parse<E: Exercise>() -> Result<Flags<E::Args>, clap::Error> {
    let out = Arg::new("out")
        .long("out")
        .value_name("DIR")
        .value_parser(clap::value_parser!(PathBuf))
        .help(format!(
            "Folder for this part's results: {}. A run replaces the folder as a whole, with plain files; it \
             refuses a folder holding files it did not write [default: out/{} in the workspace]",
            E::WRITES,
            E::NAME
        ));
    let replace = Arg::new("replace")
        .long("replace")
        .action(clap::ArgAction::SetTrue)
        .help(
            "Go ahead where --out holds files that no run wrote, or that were changed since: they are kept \
             in <out>.kept-<time>/ beside the folder",
        );
    let matches: ArgMatches = E::Args::command()
        .arg(out)
        .arg(replace)
        .after_help(cli::EXIT_STATUS)
        .try_get_matches()?;
    let args = E::Args::from_arg_matches(&matches)?;
    let out = match matches.get_one::<PathBuf>("out") {
        Some(out) => out.clone(),
        None => default_out(E::NAME).ok_or_else(|| {
            clap::Error::raw(
                clap::error::ErrorKind::MissingRequiredArgument,
                format!(
                    "--out: not given, and this is no checkout of the project whose out/{} it could default \
                     to; give --out DIR\n",
                    E::NAME
                ),
            )
        })?,
    };
    Ok(Flags {
        args,
        out,
        replace: matches.get_flag("replace"),
    })
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
