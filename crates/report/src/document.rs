//! The report's files: the Markdown (the section templates printing the
//! findings), the self-contained HTML page, the notebook, and the figures
//! the report draws itself.

use crate::findings::Findings;
use crate::findings::backprop::{DIAGRAM, DIAGRAM_SAMPLE};
use crate::metrics::Metrics;
use crate::render::{markdown_to_html, number_figures};
use crate::{diagram, templates};
use anyhow::{Context, Result};
use std::path::Path;

/// The figures the report makes itself while rendering, by file name:
/// backprop at work on the 2b network.
pub fn generated_figures(metrics: &Metrics) -> Result<Vec<(String, String)>> {
    let (x, target) = DIAGRAM_SAMPLE;
    let b = diagram::backprop_at_work(&metrics.ex2b.perturbation, x, target)?;
    Ok(vec![(DIAGRAM.to_owned(), diagram::diagram_svg(&b))])
}

/// Renders the Markdown submission and the self-contained HTML page from
/// `findings`, after checking the templates against them
/// ([`templates::check`]). Figures are `generated` ones (made while
/// rendering) or read from `report` (paths in the Markdown are relative to
/// it).
pub fn render(
    root: &Path,
    report: &Path,
    findings: &Findings,
    generated: &[(String, String)],
) -> Result<(String, String)> {
    let templates = root.join("templates");
    let tera = templates::load(&templates)?;
    let value = serde_json::to_value(findings)?;
    templates::check(&tera, &value).context("the report's templates do not fit its findings")?;
    let context = tera::Context::from_value(value)?;
    let mut md = String::new();
    for name in templates::SECTIONS {
        md.push_str(&tera.render(&format!("{name}.md"), &context).map_err(tera_error)?);
    }
    let md = number_figures(&md)?;
    let body = markdown_to_html(&md, report, generated)?;
    let css = std::fs::read_to_string(templates.join("report.css")).context("reading templates/report.css")?;
    let mut page = tera::Context::new();
    page.insert("body", &body);
    page.insert("css", &format!("{}{}", font_faces(&templates)?, css));
    page.insert("title", "Exercise sheet 4: the backpropagation algorithm");
    let html = tera.render("report.html", &page).map_err(tera_error)?;
    Ok((md, html))
}

/// The notebook of the report: its Markdown up to the appendix in cells,
/// beside code cells that replay the runs of `metrics` in NumPy. Checked
/// against the nbformat rules it keeps.
pub fn notebook(md: &str, metrics: &Metrics, data: &crate::findings::data::Data) -> Result<String> {
    let text = crate::notebook::notebook(md, metrics, data)?;
    crate::notebook::check(&text).context("the notebook breaks an nbformat rule")?;
    Ok(text)
}

/// The fonts the page carries (see `templates/fonts/README.md`): file,
/// family, weight and style. Formulas then render, and pages break, the
/// same on every machine, whatever fonts it has.
const FONTS: [(&str, &str, &str, &str); 7] = [
    ("report-math.woff2", "Report Math", "normal", "normal"),
    ("report-serif-regular.woff2", "Report Serif", "normal", "normal"),
    ("report-serif-italic.woff2", "Report Serif", "normal", "italic"),
    ("report-serif-bold.woff2", "Report Serif", "bold", "normal"),
    ("report-serif-bolditalic.woff2", "Report Serif", "bold", "italic"),
    ("report-sans-bold.woff2", "Report Sans", "bold", "normal"),
    ("report-mono-regular.woff2", "Report Mono", "normal", "normal"),
];

/// The `@font-face` rules that carry the report's fonts inside the page.
fn font_faces(templates: &Path) -> Result<String> {
    use base64::Engine;
    let mut css = String::new();
    for (file, family, weight, style) in FONTS {
        let path = templates.join("fonts").join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        css.push_str(&format!(
            "@font-face {{ font-family: \"{family}\"; font-style: {style}; font-weight: {weight}; \
             src: url(data:font/woff2;base64,{}) format(\"woff2\"); }}\n",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ));
    }
    Ok(css)
}

fn tera_error(e: tera::Error) -> anyhow::Error {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    anyhow::anyhow!("rendering the report: {msg}")
}
