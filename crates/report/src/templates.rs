//! The report's templates, and the check that holds them to printing what
//! the findings hold.
//!
//! Tera treats a name it cannot find in `{% if %}` as false, so a
//! misspelled condition would print the opposite claim without an error.
//! [`check`] walks each template's syntax tree (resolving `set` aliases and
//! `for` bindings) against the findings as they serialise, and refuses a
//! name the findings lack, a condition that is not a boolean, and any tag
//! that computes (a comparison, arithmetic, a filter, a test): the
//! templates only print. The syntax tree is not a stable API of tera, so
//! the workspace pins tera's exact version.
//!
//! Long paragraphs hold one sentence per line: each line break sits inside
//! an empty Tera comment (a line ending in `{#`, the next starting with
//! `#}`), so the rendered text is one paragraph and a diff of a template
//! shows the sentence that changed.

use anyhow::{Result, anyhow, bail};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use tera::ast::{Expr, ExprVal, LogicOperator, Node};

/// The sections of the submission, in order: each a template file
/// `templates/report/<name>.md.tera` printing one part of the Markdown.
/// The sheet's answers only, in its order.
pub const SUBMISSION: [&str; 6] = ["head", "exercise1", "ex2a", "ex2b", "ex2c", "ex2d"];

/// The sections of the companion page: everything beyond the sheet.
pub const COMPANION: [&str; 5] = ["beyond", "beyond_ex2b", "beyond_ex2c", "beyond_ex2d", "provenance"];

/// Every section template, the submission's and the companion's.
pub fn sections() -> impl Iterator<Item = &'static str> {
    SUBMISSION.into_iter().chain(COMPANION)
}

/// A Tera holding every section template (`<name>.md`) and the HTML page
/// (`report.html`), read from the workspace's `templates/` folder.
pub fn load(templates: &Path) -> Result<tera::Tera> {
    let read = |name: &str| {
        std::fs::read_to_string(templates.join(name)).map_err(|e| anyhow!("reading templates/{name}: {e}"))
    };
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    for name in sections() {
        tera.add_raw_template(&format!("{name}.md"), &read(&format!("report/{name}.md.tera"))?)?;
    }
    tera.add_raw_template("report.html", &read("report.html.tera")?)?;
    Ok(tera)
}

/// Checks every section template against `findings` (see the module's
/// documentation); the error names the template and the name or tag.
pub fn check(tera: &tera::Tera, findings: &Value) -> Result<()> {
    for name in sections() {
        let template = format!("{name}.md");
        let ast = &tera.get_template(&template)?.ast;
        let mut scope = Scope {
            root: findings,
            names: HashMap::new(),
        };
        walk(ast, &mut scope).map_err(|e| anyhow!("templates/report/{name}.md.tera: {e}"))?;
    }
    Ok(())
}

/// What `loop.index` stands for: a number, never a condition.
static INDEX: Value = Value::Null;

/// What a name stands for while walking: a value of the findings (the
/// first element stands for every element of a list), or nothing known
/// (inside an absent option, or a list without elements). The tests check
/// the templates against findings in which every option is present and
/// every list has an element, so that nothing stays unknown there.
#[derive(Clone, Copy)]
enum Shape<'a> {
    Known(&'a Value),
    Unknown,
}

struct Scope<'a> {
    root: &'a Value,
    names: HashMap<String, Shape<'a>>,
}

impl<'a> Scope<'a> {
    fn resolve(&self, path: &str) -> Result<Shape<'a>> {
        let mut parts = path.split('.');
        let first = parts.next().unwrap_or_default();
        let mut at = match self.names.get(first) {
            Some(shape) => *shape,
            None if first == "loop" => {
                return match path {
                    "loop.first" | "loop.last" => Ok(Shape::Known(&Value::Bool(true))),
                    "loop.index" | "loop.index0" => Ok(Shape::Known(&INDEX)),
                    _ => bail!("`{path}`: a loop has first, last, index and index0 only"),
                };
            }
            None => match self.root.get(first) {
                Some(v) => Shape::Known(v),
                None => bail!("`{path}`: the findings have no `{first}`"),
            },
        };
        let mut walked = first.to_owned();
        for part in parts {
            let Shape::Known(v) = at else { return Ok(Shape::Unknown) };
            at = match v {
                Value::Null => return Ok(Shape::Unknown),
                Value::Object(map) => match map.get(part) {
                    Some(v) => Shape::Known(v),
                    None => bail!("`{path}`: `{walked}` has no `{part}`"),
                },
                Value::Array(items) => match part.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(v) => Shape::Known(v),
                    None if items.is_empty() => Shape::Unknown,
                    None => bail!("`{path}`: `{walked}` is a list without an element `{part}`"),
                },
                _ => bail!("`{path}`: `{walked}` is a plain value, without `{part}`"),
            };
            walked.push('.');
            walked.push_str(part);
        }
        Ok(at)
    }
}

/// The name an expression reads, if it is a plain name without filters
/// or negation.
fn plain_name(e: &Expr) -> Option<&str> {
    match &e.val {
        ExprVal::Ident(name) if e.filters.is_empty() && !e.negated => Some(name),
        _ => None,
    }
}

fn describe(e: &Expr) -> String {
    match &e.val {
        ExprVal::Ident(n) if !e.filters.is_empty() => format!("`{n}` with a filter"),
        ExprVal::Ident(n) if e.negated => format!("`not {n}`"),
        ExprVal::Math(_) => "arithmetic".to_owned(),
        ExprVal::Logic(l) => format!("a comparison ({:?})", l.operator),
        ExprVal::Test(t) => format!("the test `{} is {}`", t.ident, t.name),
        ExprVal::In(_) => "an `in` test".to_owned(),
        other => format!("{other:?}"),
    }
}

/// A condition reads booleans, joined by `and`/`or`, each perhaps negated.
fn condition(e: &Expr, scope: &Scope) -> Result<()> {
    let name = match &e.val {
        ExprVal::Ident(name) if e.filters.is_empty() => Some(name.as_str()),
        _ => None,
    };
    if let Some(name) = name {
        if name.starts_with("loop.index") {
            bail!("the condition `{name}` is a number, not a boolean");
        }
        return match scope.resolve(name)? {
            Shape::Known(Value::Bool(_)) | Shape::Known(Value::Null) | Shape::Unknown => Ok(()),
            Shape::Known(other) => bail!("the condition `{name}` is not a boolean of the findings but {other}"),
        };
    }
    match &e.val {
        ExprVal::Logic(l) if e.filters.is_empty() && matches!(l.operator, LogicOperator::And | LogicOperator::Or) => {
            condition(&l.lhs, scope)?;
            condition(&l.rhs, scope)
        }
        _ => bail!("a condition computes ({}); decide it in the findings", describe(e)),
    }
}

fn walk<'a>(nodes: &[Node], scope: &mut Scope<'a>) -> Result<()> {
    for node in nodes {
        match node {
            Node::Text(_) | Node::Comment(..) | Node::Raw(..) => {}
            Node::VariableBlock(_, e) => match plain_name(e) {
                Some(name) => {
                    scope.resolve(name)?;
                }
                None => bail!("`{{{{ }}}}` computes ({}); print a name of the findings", describe(e)),
            },
            Node::If(i, _) => {
                for (_, cond, body) in &i.conditions {
                    condition(cond, scope)?;
                    walk(body, scope)?;
                }
                if let Some((_, body)) = &i.otherwise {
                    walk(body, scope)?;
                }
            }
            Node::Forloop(_, f, _) => {
                let Some(name) = plain_name(&f.container) else {
                    bail!(
                        "a loop computes ({}); loop over a list of the findings",
                        describe(&f.container)
                    );
                };
                let element = match scope.resolve(name)? {
                    Shape::Known(Value::Array(items)) => items.first().map_or(Shape::Unknown, Shape::Known),
                    Shape::Known(Value::Null) | Shape::Unknown => Shape::Unknown,
                    Shape::Known(other) => bail!("`{name}` is not a list but {other}"),
                };
                let saved = scope.names.clone();
                scope.names.insert(f.value.clone(), element);
                if let Some(key) = &f.key {
                    scope.names.insert(key.clone(), Shape::Unknown);
                }
                walk(&f.body, scope)?;
                if let Some(body) = &f.empty_body {
                    walk(body, scope)?;
                }
                scope.names = saved;
            }
            Node::Set(_, s) => {
                let Some(name) = plain_name(&s.value) else {
                    bail!(
                        "`set {}` computes ({}); set a name of the findings",
                        s.key,
                        describe(&s.value)
                    );
                };
                let shape = scope.resolve(name)?;
                scope.names.insert(s.key.clone(), shape);
            }
            other => bail!("uses {other:?}, which the report's templates do not"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn checked(template: &str) -> Result<()> {
        let mut tera = tera::Tera::default();
        for name in sections() {
            tera.add_raw_template(&format!("{name}.md"), if name == "ex2a" { template } else { "" })?;
        }
        let findings = json!({
            "ex2a": {"unchanged": true, "max": "0", "runs": [{"ok": false, "n": 3}], "gone": null},
            "flag": false,
        });
        check(&tera, &findings)
    }

    #[test]
    fn names_the_findings_hold_pass() {
        checked(
            "{% if ex2a.unchanged %}{{ ex2a.max }}{% elif not flag %}x{% endif %}\
             {% for r in ex2a.runs %}{% if r.ok and not loop.last %}{{ r.n }}{% endif %}{% endfor %}\
             {% set a = ex2a %}{{ a.max }}{{ ex2a.runs.0.n }}{{ ex2a.gone.anything }}",
        )
        .unwrap();
    }

    #[test]
    fn a_misspelling_anywhere_fails_reached_or_not() {
        for (bad, says) in [
            ("{% if ex2a.unchangedxx %}x{% endif %}", "unchangedxx"),
            ("{% if flag %}{% elif ex2a.unchangedxx %}x{% endif %}", "unchangedxx"),
            ("{% if flag %}{{ ex2a.maxx }}{% endif %}", "maxx"),
            ("{% for r in ex2a.runs %}{% if r.okk %}{% endif %}{% endfor %}", "okk"),
            ("{% set a = ex2a %}{{ a.mx }}", "mx"),
            ("{{ nothing }}", "nothing"),
        ] {
            let e = checked(bad).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("ex2a.md.tera"), "{bad}: {e}");
        }
    }

    #[test]
    fn tags_that_compute_fail() {
        for (bad, says) in [
            ("{% if ex2a.runs.0.n > 0 %}x{% endif %}", "comparison"),
            ("{% if ex2a.max == \"0\" %}x{% endif %}", "comparison"),
            ("{% if ex2a.max is starting_with(\"0\") %}x{% endif %}", "test"),
            ("{% if ex2a.runs | length %}x{% endif %}", "filter"),
            ("{{ ex2a.runs.0.n * 2 }}", "arithmetic"),
            ("{% if ex2a.max %}x{% endif %}", "not a boolean"),
            ("{% for r in ex2a.runs | reverse %}{% endfor %}", "filter"),
            ("{{ not flag }}", "not flag"),
            (
                "{% for r in ex2a.runs %}{% if loop.index0 %}x{% endif %}{% endfor %}",
                "number",
            ),
        ] {
            let e = checked(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
