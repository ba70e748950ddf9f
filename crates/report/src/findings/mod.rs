//! What the report says, decided in Rust from the parts' typed metrics:
//! every number formatted as it is printed, every claim the prose makes a
//! boolean or a verdict (an enum that a template sees as one boolean per
//! variant). The templates only print these; the thresholds that decide
//! the claims are named constants beside the code that applies them.
//!
//! One module per part: [`ex1`], [`ex2a`], [`ex2b`], [`ex2c`], [`ex2d`];
//! [`backprop`] for the diagram of backprop at work, [`run`] for the
//! generator and the provenance block.

pub mod backprop;
pub mod data;
pub mod ex1;
pub mod ex2a;
pub mod ex2b;
pub mod ex2c;
pub mod ex2d;
pub mod run;

use crate::metrics::Metrics;
use crate::render::extract_fn;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;

/// Declares a verdict: an enum that serialises as one boolean per variant
/// (`{"rises": true, "no_rise": false}`), so that a template chooses its
/// sentence with `{% if x.rises %}` and never compares strings or numbers.
/// Put it into a findings struct with `#[serde(flatten)]`.
macro_rules! verdict {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(None)?;
                $(map.serialize_entry($key, &(*self == $name::$variant))?;)+
                map.end()
            }
        }
    };
}
pub(crate) use verdict;

/// Everything the report's templates print.
#[derive(Clone, Debug, Serialize)]
pub struct Findings {
    /// The derivations of Exercise 1 (`templates/exercise1.md`), as written.
    pub exercise1: String,
    /// The backward pass as the core crate implements it, cut from its
    /// source while rendering.
    pub listing: String,
    /// The corrected Backprop in NumPy, as the notebook runs it.
    pub numpy_backprop: String,
    pub ex1: ex1::Ex1,
    pub ex2a: ex2a::Ex2a,
    pub ex2b: ex2b::Ex2b,
    pub ex2c: ex2c::Ex2c,
    pub ex2d: ex2d::Ex2d,
    /// Backprop at work on the 2b network.
    pub diagram: backprop::Diagram,
    /// The generator and the NumPy lines that reproduce a run.
    pub rng: run::Rng,
    pub provenance: run::ProvenanceFindings,
    /// The sheet's "Name(s)" and "Group" fields.
    pub student: Student,
    /// The data files the runs read.
    pub data: data::Data,
}

/// The sheet's "Name(s)" and "Group" fields as the Markdown prints them:
/// escaped, or blank lines to fill in by hand.
#[derive(Clone, Debug, Serialize)]
pub struct Student {
    pub names: String,
    pub group: String,
}

impl Student {
    /// The fields for `names` and `group`; blank where not given.
    pub fn new(names: &[String], group: Option<&str>) -> Student {
        let names: Vec<String> = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(markdown_text)
            .collect();
        Student {
            names: if names.is_empty() {
                "____________________".to_owned()
            } else {
                names.join(", ")
            },
            group: match group.map(str::trim) {
                Some(g) if !g.is_empty() => markdown_text(g),
                _ => "______".to_owned(),
            },
        }
    }
}

impl Default for Student {
    fn default() -> Student {
        Student::new(&[], None)
    }
}

/// `s` as literal Markdown text: every ASCII punctuation mark escaped (so
/// that `*`, `_`, `<`, `&` and `$` print as themselves, never as markup,
/// HTML or math) and line breaks made spaces.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

impl Findings {
    /// The findings of `metrics`, with the texts read from the workspace at
    /// `root`, what `prov` says about the run and the `data` it read.
    pub fn new(root: &Path, metrics: &Metrics, prov: &run::Provenance, data: data::Data) -> Result<Findings> {
        let src_path = root.join("crates/mlp/src/network.rs");
        let src = std::fs::read_to_string(&src_path).with_context(|| format!("reading {}", src_path.display()))?;
        let listing = ["deltas", "output_delta", "hidden_delta", "gradient_from_deltas"]
            .iter()
            .map(|name| extract_fn(&src, name).with_context(|| format!("no fn {name} in {}", src_path.display())))
            .collect::<Result<Vec<_>>>()?
            .join("\n\n");
        let exercise1 =
            std::fs::read_to_string(root.join("templates/exercise1.md")).context("reading templates/exercise1.md")?;
        Ok(Findings {
            exercise1: exercise1.trim_end().to_owned(),
            listing,
            numpy_backprop: crate::notebook::backprop_function(root)?,
            ex1: ex1::Ex1::new(&metrics.ex1),
            ex2a: ex2a::Ex2a::new(&metrics.ex2a),
            ex2b: ex2b::Ex2b::new(&metrics.ex2b),
            ex2c: ex2c::Ex2c::new(&metrics.ex2c),
            ex2d: ex2d::Ex2d::new(&metrics.ex2d, data.bars_project),
            diagram: backprop::Diagram::new(&metrics.ex2b.perturbation, metrics.ex2b.header.settings.learning_rate)?,
            rng: run::Rng::new(&metrics.ex2c),
            provenance: run::ProvenanceFindings::new(metrics, prov),
            student: Student::default(),
            data,
        })
    }
}

/// `x` in scientific notation with two significant digits (`0` for zero).
pub fn sci(x: f64) -> String {
    if x == 0.0 { "0".to_owned() } else { format!("{x:.1e}") }
}

/// A whole number with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` as a whole percentage of `of` (`0` where `of` is 0).
pub fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "0".to_owned()
    } else {
        format!("{:.0}", 100.0 * n as f64 / of as f64)
    }
}

/// The significance level of every test the report makes.
pub const SIGNIFICANCE: f64 = 0.05;
/// Below this a p-value is printed as "below 0.001".
pub const SMALLEST_PRINTED_P: f64 = 0.001;

/// A p-value as the prose writes it after "$p$": `below 0.001` or `= 0.042`.
pub fn p_text(p: f64) -> String {
    if p < SMALLEST_PRINTED_P {
        format!("below {SMALLEST_PRINTED_P}")
    } else {
        format!("= {p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    verdict! {
        /// A test verdict.
        pub enum Sample {
            One => "one",
            Other => "other",
        }
    }

    #[test]
    fn names_print_as_written() {
        assert_eq!(
            markdown_text("Ada <b>*x*</b> & $y$"),
            "Ada \\<b\\>\\*x\\*\\<\\/b\\> \\& \\$y\\$"
        );
        let s = Student::new(&["  ".into(), "Émile Zola".into(), "B_2".into()], Some(""));
        assert_eq!((s.names.as_str(), s.group.as_str()), ("Émile Zola, B\\_2", "______"));
        assert_eq!(Student::default().names, "____________________");
    }

    #[test]
    fn a_verdict_is_one_boolean_per_variant() {
        assert_eq!(
            serde_json::to_value(Sample::Other).unwrap(),
            serde_json::json!({"one": false, "other": true})
        );
    }

    #[test]
    fn numbers_print_as_the_report_writes_them() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(sci(0.0), "0");
        assert_eq!(sci(0.000123), "1.2e-4");
        assert_eq!(p_text(0.0004), "below 0.001");
        assert_eq!(p_text(0.0421), "= 0.042");
        assert_eq!(percent(1, 3), "33");
        assert_eq!(percent(1, 0), "0");
    }
}
