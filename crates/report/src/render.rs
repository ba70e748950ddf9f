//! Markdown to self-contained HTML: math as MathML (pulldown-cmark's math
//! events through pulldown-latex), figures inlined as SVG, everything else
//! escaped.

use anyhow::{Context, Result, bail};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{RenderConfig, Storage};
use std::path::Path;

/// The Markdown extensions the report uses: GitHub tables and `$`/`$$` math.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_MATH | Options::ENABLE_STRIKETHROUGH
}

/// LaTeX to a MathML `<math>` element; an error for anything pulldown-latex
/// cannot parse (it would otherwise render an `<merror>`).
pub fn mathml(tex: &str, display: bool) -> Result<String> {
    let storage = Storage::new();
    let parser = pulldown_latex::Parser::new(tex, &storage);
    let events: Vec<_> = parser.collect();
    if let Some(Err(e)) = events.iter().find(|e| e.is_err()) {
        bail!("cannot render the formula `{tex}`: {e}");
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(tex),
        ..RenderConfig::default()
    };
    let mut out = String::new();
    pulldown_latex::push_mathml(&mut out, events.into_iter(), config).context("rendering MathML")?;
    if out.contains("<merror") {
        bail!("cannot render the formula `{tex}`: pulldown-latex reports an error in it");
    }
    Ok(out)
}

/// Converts the report's Markdown into an HTML fragment. Images whose path
/// ends in `.svg` are taken from `generated` (figures made while rendering,
/// by path) or else read from `figures` (relative to it), and inlined in a
/// `<figure>` with the alt text as caption. Raw HTML in the Markdown is
/// escaped, never passed through.
pub fn markdown_to_html(md: &str, figures: &Path, generated: &[(String, String)]) -> Result<String> {
    let mut events: Vec<Event> = Vec::new();
    let mut parser = Parser::new_ext(md, options());
    while let Some(event) = parser.next() {
        match event {
            Event::InlineMath(tex) => events.push(Event::InlineHtml(mathml(&tex, false)?.into())),
            Event::DisplayMath(tex) => events.push(Event::Html(mathml(&tex, true)?.into())),
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Image { dest_url, .. }) => {
                // The caption as plain text (for the aria-label) and as HTML,
                // its formulas as MathML.
                let (mut alt, mut caption) = (String::new(), String::new());
                for inner in parser.by_ref() {
                    match inner {
                        Event::End(TagEnd::Image) => break,
                        Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                            alt.push_str(&t);
                            caption.push_str(&escape(&t));
                        }
                        Event::InlineMath(tex) => {
                            alt.push_str(&tex);
                            caption.push_str(&mathml(&tex, false)?);
                        }
                        _ => {}
                    }
                }
                events.push(Event::Html(
                    figure(figures, generated, &dest_url, &alt, &caption)?.into(),
                ));
            }
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    // A figure alone in a paragraph: drop the paragraph around it.
    Ok(out
        .replace("<p><figure", "<figure")
        .replace("</figure></p>", "</figure>"))
}

/// A `<figure>` with the SVG at `url` inlined; `alt` is the caption as
/// plain text, `caption_html` as HTML.
fn figure(dir: &Path, generated: &[(String, String)], url: &CowStr, alt: &str, caption_html: &str) -> Result<String> {
    if !url.ends_with(".svg") || url.contains("..") || url.starts_with('/') || url.contains(':') {
        bail!("figure `{url}`: only relative .svg files inside the report folder are inlined");
    }
    let path = dir.join(url.as_ref());
    let svg = match generated.iter().find(|(p, _)| p == url.as_ref()) {
        Some((_, svg)) => svg.clone(),
        None => std::fs::read_to_string(&path).with_context(|| format!("reading figure {}", path.display()))?,
    };
    let start = svg
        .find("<svg")
        .with_context(|| format!("{} is not an SVG file", path.display()))?;
    let label = escape(alt);
    // Never wider than the figure was drawn: small grids stay small.
    let width = svg[start..]
        .split_once("width=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|w| w.parse::<u32>().ok())
        .map(|w| format!(" style=\"max-width: {w}px\""))
        .unwrap_or_default();
    Ok(format!(
        "<figure>\n<div class=\"svg\"{width} role=\"img\" aria-label=\"{label}\">{}</div>\n<figcaption>{caption_html}</figcaption>\n</figure>\n",
        svg[start..].trim_end()
    ))
}

/// Numbers the figures of a Markdown text in the order they appear and
/// resolves references to them.
///
/// A figure is an image alone on its line, `![caption](path)`; it becomes
/// `![Figure N: caption](path)`. Text refers to it as `[[fig:path]]`, which
/// becomes `Figure N`, wherever it stands (before or after the figure). A
/// reference to a path that is no figure is an error, so a renamed figure
/// cannot leave a dangling reference behind.
pub fn number_figures(md: &str) -> Result<String> {
    let mut numbers: Vec<String> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for line in md.lines() {
        let t = line.trim();
        let figure = t
            .strip_prefix("![")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|rest| rest.rsplit_once("]("));
        match figure {
            Some((caption, path)) if !path.contains(' ') => {
                if numbers.iter().any(|p| p == path) {
                    bail!("figure {path} appears twice in the report");
                }
                numbers.push(path.to_owned());
                lines.push(format!("![Figure {}: {caption}]({path})", numbers.len()));
            }
            _ => lines.push(line.to_owned()),
        }
    }
    let mut out = lines.join("\n");
    if md.ends_with('\n') {
        out.push('\n');
    }
    let mut resolved = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("[[fig:") {
        resolved.push_str(&rest[..i]);
        let after = &rest[i + "[[fig:".len()..];
        let end = after
            .find("]]")
            .context("a figure reference `[[fig:` without its `]]`")?;
        let path = &after[..end];
        let n = numbers
            .iter()
            .position(|p| p == path)
            .with_context(|| format!("the report refers to figure {path}, which it does not show"))?;
        resolved.push_str(&format!("Figure {}", n + 1));
        rest = &after[end + 2..];
    }
    resolved.push_str(rest);
    Ok(resolved)
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String cannot fail");
    out
}

/// The source of `fn name` (with its doc comments and attributes) from Rust
/// source text: from the comments above its signature to the closing brace at
/// the signature's indentation.
pub fn extract_fn(source: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let sig = lines.iter().position(|l| {
        let t = l.trim_start();
        (t.starts_with("pub fn ") || t.starts_with("fn ") || t.starts_with("pub(crate) fn "))
            && t.contains(&format!("fn {name}("))
    })?;
    let indent = lines[sig].len() - lines[sig].trim_start().len();
    let mut first = sig;
    while first > 0 {
        let t = lines[first - 1].trim_start();
        if t.starts_with("///") || t.starts_with("#[") {
            first -= 1;
        } else {
            break;
        }
    }
    let close = format!("{}}}", " ".repeat(indent));
    let last = (sig..lines.len()).find(|&i| lines[i] == close)?;
    let text: Vec<&str> = lines[first..=last]
        .iter()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect();
    Some(text.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml() {
        let m = mathml(r"\frac{d\mathcal{L}}{db_j^l} = \delta_j^l", false).unwrap();
        assert!(m.starts_with("<math") && m.contains("<mfrac>") && !m.contains("merror"));
        assert!(mathml(r"\frac{a}{", true).is_err() || !mathml(r"\frac{a}{", true).unwrap().contains("<mfrac>"));
    }

    #[test]
    fn raw_html_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let html = markdown_to_html(
            "a <script>alert(1)</script> b\n\n<img src=x onerror=y>\n",
            dir.path(),
            &[],
        )
        .unwrap();
        assert!(!html.contains("<script>") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn figures_are_inlined_and_must_stay_inside_the_report() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.svg"), "<?xml?><svg width=\"1\"></svg>").unwrap();
        let html = markdown_to_html("![a <b> figure](f.svg)\n", dir.path(), &[]).unwrap();
        assert!(html.contains("<figure>") && html.contains("<svg width=\"1\"></svg>"));
        assert!(html.contains("<figcaption>a &lt;b&gt; figure</figcaption>"));
        assert!(!html.contains("<?xml"));
        assert!(markdown_to_html("![x](../secret.svg)\n", dir.path(), &[]).is_err());
        assert!(markdown_to_html("![x](/etc/passwd)\n", dir.path(), &[]).is_err());
    }

    #[test]
    fn figures_are_numbered_in_order_and_references_resolved() {
        let md = "See [[fig:b.svg]] and [[fig:a.svg]].\n\n![first](a.svg)\n\ntext\n\n![second one](b.svg)\n";
        let out = number_figures(md).unwrap();
        assert_eq!(
            out,
            "See Figure 2 and Figure 1.\n\n![Figure 1: first](a.svg)\n\ntext\n\n![Figure 2: second one](b.svg)\n"
        );
        assert!(number_figures("[[fig:c.svg]]\n![x](a.svg)\n").is_err());
        assert!(number_figures("[[fig:a.svg\n![x](a.svg)\n").is_err());
        assert!(number_figures("![x](a.svg)\n![y](a.svg)\n").is_err());
    }

    #[test]
    fn functions_are_extracted_with_their_docs() {
        let src =
            "impl X {\n    /// Docs.\n    pub fn a(&self) {\n        if x {\n        }\n    }\n\n    fn b() {}\n}\n";
        assert_eq!(
            extract_fn(src, "a").unwrap(),
            "/// Docs.\npub fn a(&self) {\n    if x {\n    }\n}"
        );
        assert!(extract_fn(src, "zzz").is_none());
    }
}
