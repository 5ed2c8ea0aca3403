//! Renderers: take diagnostics and the source map, give text in one of the
//! output formats. Every format renders the same `Diagnostic` values.

mod github;
mod human;
mod json;
mod sarif;
mod short;

use super::Diagnostic;
use crate::source::{SourceMap, Span};

pub use github::render_github;
pub use human::render_human;
pub use json::render_json;
pub use sarif::{code_url, render_sarif, sarif_log};
pub use short::render_short;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help (the default).
    Human,
    /// One line per diagnostic: `file:line:col: severity[CODE]: message`.
    Short,
    /// A JSON array with one object per diagnostic.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`): annotations on the diff.
    Github,
    /// A SARIF 2.1.0 log for GitHub code scanning (upload-sarif) and other SARIF viewers.
    Sarif,
}

pub fn render(diags: &[Diagnostic], sources: &SourceMap, format: Format, color: bool) -> String {
    match format {
        Format::Human => render_human(diags, sources, color),
        Format::Short => render_short(diags, sources),
        Format::Json => render_json(diags, sources),
        Format::Github => render_github(diags, sources),
        Format::Sarif => render_sarif(diags, sources),
    }
}

/// 1-based (line, column, end line, end column) of a span.
pub fn position(sources: &SourceMap, span: Span) -> (usize, usize, usize, usize) {
    let f = sources.get(span.file);
    let (l, c) = f.line_col(span.start as usize);
    let (el, ec) = f.line_col(span.end as usize);
    (l, c, el, ec)
}
