//! Short format: one line per diagnostic, `file:line:col: severity[CODE]: message`
//! (plus ` (help: …)` when there is help), as compilers and grep-friendly CI logs use.

use super::position;
use crate::diag::Diagnostic;
use crate::source::SourceMap;

pub fn render_short(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let (l, c, _, _) = position(sources, d.span);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {}",
            sources.get(d.span.file).name,
            l,
            c,
            d.severity.as_str(),
            d.code,
            d.message
        ));
        if let Some(h) = &d.help {
            out.push_str(&format!(" (help: {})", h.replace('\n', " ")));
        }
        out.push('\n');
    }
    out
}
