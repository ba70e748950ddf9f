//! The nbformat rules the notebook keeps, checked before it is written.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// Checks `text` against the rules of nbformat 4.5 that a notebook of ours
/// must keep, and that it runs in a plain kernel and as a plain script:
/// every cell with a valid unique id, sources as lists of strings, no
/// attachments, code cells without outputs, shell escapes, magics,
/// IPython-only names, programs or files other than the data.
pub fn check(text: &str) -> Result<()> {
    let nb: Value = serde_json::from_str(text).context("not JSON")?;
    let obj = nb.as_object().context("not a JSON object")?;
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    if keys != ["cells", "metadata", "nbformat", "nbformat_minor"] {
        bail!("top-level keys {keys:?}");
    }
    if nb["nbformat"] != 4 || nb["nbformat_minor"].as_u64().is_none_or(|m| m < 5) {
        bail!("not nbformat 4.5 or later");
    }
    if nb["metadata"]["kernelspec"]["name"] != "python3" {
        bail!("no python3 kernelspec");
    }
    let mut ids = std::collections::HashSet::new();
    for (i, cell) in nb["cells"]
        .as_array()
        .context("cells is not a list")?
        .iter()
        .enumerate()
    {
        let at = |what: &str| format!("cell {i}: {what}");
        let id = cell["id"].as_str().with_context(|| at("no id"))?;
        let id_ok =
            (1..=64).contains(&id.len()) && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !id_ok || !ids.insert(id.to_owned()) {
            bail!(at(&format!("bad or repeated id {id:?}")));
        }
        let lines: Vec<&str> = cell["source"]
            .as_array()
            .with_context(|| at("source is not a list"))?
            .iter()
            .map(|l| l.as_str().with_context(|| at("a source line is not a string")))
            .collect::<Result<_>>()?;
        if lines.iter().rev().skip(1).any(|l| !l.ends_with('\n')) {
            bail!(at("a source line other than the last does not end in a newline"));
        }
        let text: String = lines.concat();
        if !cell["metadata"].is_object() {
            bail!(at("no metadata object"));
        }
        let allowed: &[&str] = match cell["cell_type"].as_str() {
            Some("markdown") => &["attachments", "cell_type", "id", "metadata", "source"],
            Some("code") => &["cell_type", "execution_count", "id", "metadata", "outputs", "source"],
            other => bail!(at(&format!("cell type {other:?}"))),
        };
        if let Some(k) = cell
            .as_object()
            .unwrap()
            .keys()
            .find(|k| !allowed.contains(&k.as_str()))
        {
            bail!(at(&format!("unexpected key {k}")));
        }
        if cell["cell_type"] == "markdown" {
            if cell.get("attachments").is_some() || text.contains("(attachment:") {
                bail!(at("has attachments: the notebook's figures come from its code"));
            }
        } else {
            if !cell["execution_count"].is_null() || cell["outputs"] != json!([]) {
                bail!(at("a code cell with outputs or an execution count"));
            }
            for line in text.lines() {
                let t = line.trim_start();
                if t.starts_with('!') || t.starts_with('%') {
                    bail!(at(&format!("shell escape or magic: {line}")));
                }
                for reads in [
                    "open(",
                    "np.genfromtxt",
                    "np.loadtxt",
                    "import os",
                    "subprocess",
                    "get_ipython",
                    "display(",
                ] {
                    if t.contains(reads) {
                        bail!(at(&format!(
                            "reads files other than the data, runs programs or needs IPython: {line}"
                        )));
                    }
                }
                if let Some(module) = t.strip_prefix("import ").or_else(|| t.strip_prefix("from "))
                    && !["numpy", "scipy", "matplotlib", "hashlib"]
                        .iter()
                        .any(|m| module.starts_with(m))
                {
                    bail!(at(&format!(
                        "imports something other than NumPy, SciPy, matplotlib and hashlib: {line}"
                    )));
                }
            }
        }
    }
    Ok(())
}
