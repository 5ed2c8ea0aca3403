//! GitHub format: one workflow command per diagnostic, which GitHub Actions
//! turns into an annotation on the file and line:
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::message`.
//! Errors are `::error`, warnings `::warning`, hints `::notice`. The message
//! carries the help on a second line. Escaping follows the workflow-command
//! rules: `%`, `\r` and `\n` everywhere, and `:` and `,` in property values.

use super::position;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

pub fn render_github(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let (line, col, end_line, end_col) = position(sources, d.span);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Hint => "notice",
        };
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            escape_property(&sources.get(d.span.file).name),
            escape_property(d.code.as_str()),
            escape_data(&message)
        ));
    }
    out
}

/// The message of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=…`, `title=…`) of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
