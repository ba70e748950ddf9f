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

/// The report's documents: the submission (the sheet's answers) as
/// Markdown and as a self-contained HTML page, and the companion page
/// (everything beyond the sheet) as HTML.
pub struct Rendered {
    /// `submission.md`.
    pub md: String,
    /// `index.html`: the submission as a page.
    pub html: String,
    /// The companion page's Markdown, which `beyond_html` is made from.
    pub beyond_md: String,
    /// `beyond.html`: the companion page.
    pub beyond_html: String,
}

/// The file name of the companion page, beside `index.html`.
pub const COMPANION: &str = "beyond.html";

/// Renders the submission and the companion page from `findings`, after
/// checking the templates against them ([`templates::check`]). Each
/// document numbers its own figures. Figures are `generated` ones (made
/// while rendering) or read from `report` (paths in the Markdown are
/// relative to it).
pub fn render(root: &Path, report: &Path, findings: &Findings, generated: &[(String, String)]) -> Result<Rendered> {
    let templates = root.join("templates");
    let tera = templates::load(&templates)?;
    let value = serde_json::to_value(findings)?;
    templates::check(&tera, &value).context("the report's templates do not fit its findings")?;
    let context = tera::Context::from_value(value)?;
    let markdown = |sections: &[&str]| -> Result<String> {
        let mut md = String::new();
        for name in sections {
            md.push_str(&tera.render(&format!("{name}.md"), &context).map_err(tera_error)?);
        }
        number_figures(&md)
    };
    let md = markdown(&templates::SUBMISSION)?;
    let beyond_md = markdown(&templates::COMPANION)?;
    let css = std::fs::read_to_string(templates.join("report.css")).context("reading templates/report.css")?;
    let css = format!("{}{}", font_faces(&templates)?, css);
    let page = |md: &str, title: &str| -> Result<String> {
        let mut page = tera::Context::new();
        page.insert("body", &markdown_to_html(md, report, generated)?);
        page.insert("css", &css);
        page.insert("title", title);
        tera.render("report.html", &page).map_err(tera_error)
    };
    Ok(Rendered {
        html: page(&md, "Exercise sheet 4: the backpropagation algorithm")?,
        beyond_html: page(&beyond_md, "Exercise sheet 4: beyond the sheet")?,
        beyond_md,
        md,
    })
}

/// The notebook of the report: the submission's Markdown in cells, beside
/// code cells that replay the runs of `metrics` in NumPy. Checked against
/// the nbformat rules it keeps.
pub fn notebook(root: &Path, md: &str, metrics: &Metrics, data: &crate::findings::data::Data) -> Result<String> {
    let text = crate::notebook::notebook(root, md, metrics, data)?;
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
