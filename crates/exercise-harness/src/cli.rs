//! What every exercise binary shares on the command line: the flags of
//! docs/DESIGN.md section 4, the core's errors said in terms of those flags,
//! one-line errors, and progress bars.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use anyhow::Result;
use clap::Parser;
use clap::error::ErrorKind;
use indicatif::{ProgressBar, ProgressStyle};
use mlp::Generator;
use mlp::train::{ConfigError, Diverged, Sampling, TrainConfig, default_learning_rate};
use std::process::ExitCode;

/// Flags shared by every exercise binary.
#[derive(clap::Args, Debug, Clone)]
pub struct CommonArgs {
    /// Seed of the run's random generator (see --rng); the same seed gives
    /// byte-identical metrics and figures
    #[arg(long, value_name = "N", default_value_t = 0, allow_hyphen_values = true, value_parser = whole_number)]
    pub seed: u64,

    /// Training iterations, one sample each, 1 to 10^12 (about a day of
    /// training for one run) [default: the sheet's number for this exercise]
    #[arg(long, value_name = "N", value_parser = iterations, allow_hyphen_values = true)]
    pub iterations: Option<u64>,

    /// How each iteration picks its sample: a uniformly drawn index (random)
    /// or sample t mod N at iteration t (cyclic)
    #[arg(long, value_enum, value_name = "ORDER", default_value_t = SamplingFlag::Random)]
    pub sampling: SamplingFlag,

    /// Learning rate eta, a finite number > 0 [default: 0.2 / K, K the number
    /// of hidden units]
    #[arg(long, value_name = "ETA", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,

    /// The run's random generator: numpy draws exactly what the course's
    /// NumPy script draws after np.random.seed(SEED) (the start by
    /// np.random.normal in the order V, W, b, then np.random.randint(0, N)
    /// per iteration), for seeds 0 to 4294967295; chacha8 takes any seed
    #[arg(long, value_enum, value_name = "GENERATOR", default_value_t = RngFlag::Numpy)]
    pub rng: RngFlag,

    /// Momentum mu in [0, 1): dP <- eta dL/dP + mu dP
    #[arg(long, value_name = "MU", default_value_t = 0.5, allow_hyphen_values = true)]
    pub momentum: f64,

    /// Also write <out>/weights/<run>-initial.npz and <run>-final.npz
    /// (float64 arrays V, W, b) for every training run
    #[arg(long)]
    pub save_weights: bool,
}

/// `--sampling`: the core's [`Sampling`] as the command line spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingFlag {
    /// A uniformly drawn index every iteration (the course's script).
    Random,
    /// Iteration `t` (from 0) uses sample `t mod N`.
    Cyclic,
}

impl From<SamplingFlag> for Sampling {
    fn from(flag: SamplingFlag) -> Sampling {
        match flag {
            SamplingFlag::Random => Sampling::Random,
            SamplingFlag::Cyclic => Sampling::Cyclic,
        }
    }
}

/// `--rng`: the core's [`Generator`] as the command line spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RngFlag {
    /// NumPy's legacy generator after np.random.seed(SEED), bit for bit
    Numpy,
    /// ChaCha8 (rand_chacha), any 64-bit seed
    Chacha8,
}

impl From<RngFlag> for Generator {
    fn from(flag: RngFlag) -> Generator {
        match flag {
            RngFlag::Numpy => Generator::Numpy,
            RngFlag::Chacha8 => Generator::ChaCha8,
        }
    }
}

/// A hyper-parameter the core refused, said with the flag that set it.
pub fn config_error(e: ConfigError) -> anyhow::Error {
    match e {
        ConfigError::Iterations => usage("--iterations must be at least 1"),
        ConfigError::LearningRate(x) => usage(format!(
            "--learning-rate must be a finite number greater than 0, got {x}"
        )),
        ConfigError::Momentum(x) => usage(format!("--momentum must be a number in [0, 1), got {x}")),
        ConfigError::Seed { seed, generator } => usage(format!(
            "--seed {seed}: the {generator} generator takes seeds from 0 to {} (as np.random.seed does); \
             use a smaller --seed or --rng chacha8",
            u32::MAX
        )),
    }
}

/// A start whose cost on the data is above this diverged because of its
/// values or the data's, not because of the learning rate.
const ABSURD_START_COST: f64 = 1e100;

/// A diverged run, with its likely cause and what to try next: the data or
/// the start where its cost on the data (`start_cost`) is already not finite
/// or absurdly large, else the learning rate.
pub fn diverged_error(e: Diverged, start_cost: f64) -> anyhow::Error {
    if e.at_the_start() || !start_cost.is_finite() || start_cost > ABSURD_START_COST {
        anyhow::anyhow!(
            "training diverged at iteration {}: the {} became {}; the start's cost on these data is already {}, \
             so the data or the start hold values too large (check the data's values, and --perturb)",
            e.iteration,
            e.what,
            e.value,
            num(start_cost)
        )
    } else {
        anyhow::anyhow!("{e} (try a smaller --learning-rate)")
    }
}

/// `n` and the word for one, in the plural unless `n` is 1: `1 seed`,
/// `10 seeds`.
pub fn count(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A number as a person reads it: plain in the usual range, in scientific
/// notation when very large or very small (`1e300`, never 301 digits).
pub fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e6).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// `config` with each of the seeds `config.seed() .. config.seed() + count`,
/// or one line naming `--seed` and `count_flag` when a seed runs past what
/// the generator takes.
pub fn seed_series(config: &TrainConfig, count: u64, count_flag: &str) -> Result<Vec<TrainConfig>> {
    (0..count)
        .map(|i| {
            let first = config.seed();
            let seed = first.checked_add(i).ok_or_else(|| {
                usage(format!("--seed {first} with {count_flag} {count}: the seeds run past {}", u64::MAX))
            })?;
            config.with_seed(seed).map_err(|_| {
                usage(format!(
                    "--seed {first} with {count_flag} {count}: seed {seed} is out of range for the {} generator, \
                     which takes 0 to {} (as np.random.seed does); use a smaller --seed or {count_flag}, or --rng chacha8",
                    config.generator(),
                    u32::MAX
                ))
            })
        })
        .collect()
}

/// Parses a whole number `>= 0` (for `--seed`).
pub fn whole_number(s: &str) -> Result<u64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("expected a whole number from 0 to {}", u64::MAX))
}

/// The most iterations a run takes: at tens of nanoseconds a step, about a
/// day of training; more would not finish in any session.
pub const MAX_ITERATIONS: u64 = 1_000_000_000_000;

/// Parses `--iterations`: a whole number from 1 to [`MAX_ITERATIONS`].
pub fn iterations(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_ITERATIONS).contains(&n) => Ok(n),
        Ok(n) if n > MAX_ITERATIONS => Err(format!(
            "{n} iterations would take far longer than a day; expected at most {MAX_ITERATIONS} (10^12)"
        )),
        _ => Err(format!("expected a whole number from 1 to {MAX_ITERATIONS} (10^12)")),
    }
}

/// Parses a whole number `>= 1` (for `--seeds`, ...).
pub fn positive(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a whole number of at least 1 (up to {})", u64::MAX)),
    }
}

impl CommonArgs {
    /// The checked training configuration for a network with `hidden` hidden
    /// units and the exercise's default number of iterations.
    pub fn train_config(&self, hidden: usize, default_iterations: u64) -> Result<TrainConfig> {
        TrainConfig::new(
            self.iterations.unwrap_or(default_iterations),
            self.learning_rate.unwrap_or_else(|| default_learning_rate(hidden)),
            self.momentum,
            self.sampling.into(),
            self.seed,
        )
        .and_then(|c| c.with_generator(self.rng.into()))
        .map_err(config_error)
    }
}

/// Parses the command line and runs `body`, turning every failure into one
/// line on stderr and a non-zero exit status (2 for bad flags, 1 otherwise).
pub fn run<A: Parser>(body: impl FnOnce(A) -> Result<()>) -> ExitCode {
    run_parsed(A::try_parse, body)
}

/// [`run`] with the command line parsed by `parse`.
pub fn run_parsed<A>(parse: impl FnOnce() -> Result<A, clap::Error>, body: impl FnOnce(A) -> Result<()>) -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("internal error (a bug, please report it): {}", one_line(&msg));
    }));
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    ExitCode::from(2)
                }
                _ => {
                    eprintln!("{}", clap_lines(&e.render().to_string()).join("\n"));
                    ExitCode::from(2)
                }
            };
        }
    };
    match body(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Usage>() => {
            eprintln!("error: {} (see --help)", one_line(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {}", one_line(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// A command line refused after parsing (values that contradict each other
/// or that the core refuses), before anything touched the file system: exit
/// status 2, like a flag that does not parse.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A refused command line as [`Usage`].
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(message.into()))
}

/// The exit statuses, as `--help` and the README say them.
pub const EXIT_STATUS: &str = "Exit status: 0 done; 2 the command line was refused before anything was written \
                               (an unknown flag, a bad value, values that contradict each other); 1 anything \
                               else (bad data, a refused output folder, a failed run), with one line saying what \
                               was and was not written.";

/// Clap's message in at most three lines: the error (with the missing
/// arguments it lists), the valid values or the similar flag, and where to
/// read more.
fn clap_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut first = lines.first().copied().unwrap_or("error: bad arguments").to_owned();
    let mut rest = lines.iter().skip(1).peekable();
    if first.ends_with(':') {
        // "the following required arguments were not provided:" lists them,
        // indented, on the lines that follow.
        let mut listed = Vec::new();
        while let Some(l) = rest.next_if(|l| l.starts_with("  ") && !l.trim_start().starts_with("tip:")) {
            listed.push(l.trim());
        }
        first = format!("{first} {}", listed.join(", "));
    }
    let mut out = vec![first];
    if let Some(hint) = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("[possible values") || l.starts_with("tip:"))
    {
        out.push(format!("  {hint}"));
    }
    out.push("For more information, try '--help'.".to_owned());
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Set once stdout turned out closed (`| head`, `| true`): what would go
/// there is dropped quietly from then on.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes `line` and a newline to stdout. A closed stdout is not an error
/// (the reader has seen enough; the files are written all the same); any
/// other failure to write (a full disk behind `> file`) is one.
pub fn say(line: &str) -> Result<()> {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("cannot write to standard output ({e})")),
    }
}

/// The first failure to write to stdout that [`say_or_remember`] kept.
static STDOUT_FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// [`say`] for a program that must finish its work whatever happens to
/// stdout: a failure to write is kept (see [`stdout_failure`]) and the
/// lines after it dropped.
pub fn say_or_remember(line: &str) {
    if STDOUT_FAILURE.get().is_some() {
        return;
    }
    if let Err(e) = say(line) {
        let _ = STDOUT_FAILURE.set(e.to_string());
    }
}

/// The failure to write to stdout that [`say_or_remember`] met, if any.
pub fn stdout_failure() -> Option<&'static str> {
    STDOUT_FAILURE.get().map(String::as_str)
}

/// The widest line of a run's summary on the terminal.
pub const SUMMARY_WIDTH: usize = 100;

/// `line` broken at spaces into lines of at most `width` characters, each
/// continuation indented two more than the line; a word longer than that
/// (a long path) stands on a line of its own.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.chars().count() <= width {
        return vec![line.to_owned()];
    }
    let indent = line.len() - line.trim_start().len();
    let next_indent = " ".repeat(indent + 2);
    let mut out = Vec::new();
    let mut current = line[..indent].to_owned();
    let mut empty = true;
    // Each word with the spaces before it, so that spacing within a line
    // (aligned numbers) is kept; a continuation line drops them.
    let mut rest = &line[indent..];
    while !rest.is_empty() {
        let word_start = rest.len() - rest.trim_start().len();
        let word_end = rest[word_start..].find(' ').map_or(rest.len(), |i| word_start + i);
        let (gap, word) = (&rest[..word_start], &rest[word_start..word_end]);
        rest = &rest[word_end..];
        if word.is_empty() {
            break;
        }
        if !empty && current.chars().count() + gap.chars().count() + word.chars().count() > width {
            out.push(std::mem::replace(&mut current, next_indent.clone()));
            empty = true;
        }
        if !empty {
            current.push_str(gap);
        }
        current.push_str(word);
        empty = false;
    }
    out.push(current);
    out
}

/// A progress bar on stderr for `total` iterations; invisible when stderr is
/// not a terminal.
pub fn progress_bar(total: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>12} [{bar:40}] {percent:>3}% {human_pos}/{human_len} iterations, eta {eta}",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    bar.set_prefix(label.to_owned());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_with_an_indent() {
        let line = format!("  {}", "word ".repeat(30).trim_end());
        let lines = wrap(&line, 40);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:?}");
        assert!(
            lines[0].starts_with("  word") && lines[1].starts_with("    word"),
            "{lines:?}"
        );
        assert_eq!(lines.join(" ").split_whitespace().count(), 30);
        assert_eq!(wrap("short", 40), ["short"]);
        let path = format!("  wrote into /{}", "x".repeat(50));
        assert_eq!(wrap(&path, 40).len(), 2);
        let aligned = format!("  K =   5, eta = 0.04: {}", "cost ".repeat(10).trim_end());
        assert!(
            wrap(&aligned, 30)[0].starts_with("  K =   5, eta"),
            "{:?}",
            wrap(&aligned, 30)
        );
    }
}
