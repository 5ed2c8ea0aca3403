//! JSON format: an array with one object per diagnostic (file, line, column, end
//! line/column, severity, code, message, help, labels, fix), for tools and editors.

use serde::Serialize;

use super::position;
use crate::diag::Diagnostic;
use crate::source::SourceMap;

#[derive(Serialize)]
struct JsonDiag<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    replacement: &'a str,
}

pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let items: Vec<JsonDiag> = diags
        .iter()
        .map(|d| {
            let (line, column, end_line, end_column) = position(sources, d.span);
            JsonDiag {
                file: &sources.get(d.span.file).name,
                line,
                column,
                end_line,
                end_column,
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                labels: d
                    .secondary
                    .iter()
                    .map(|l| {
                        let (line, column, end_line, end_column) = position(sources, l.span);
                        JsonLabel {
                            file: &sources.get(l.span.file).name,
                            line,
                            column,
                            end_line,
                            end_column,
                            message: &l.message,
                        }
                    })
                    .collect(),
                fix: d.fix.as_ref().map(|f| {
                    let (line, column, end_line, end_column) = position(sources, f.span);
                    JsonFix {
                        line,
                        column,
                        end_line,
                        end_column,
                        replacement: &f.replacement,
                    }
                }),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).expect("diagnostics serialize");
    s.push('\n');
    s
}
