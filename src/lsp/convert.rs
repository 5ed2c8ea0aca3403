//! Conversions between cnpgc's values and the protocol's: byte spans to
//! ranges in UTF-16 code units, and diagnostics (severity, code, link to the
//! explain page, help, secondary labels as related information).

use std::str::FromStr;

use lsp_types as lsp;

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceFile, SourceMap, Span};

pub fn range(file: &SourceFile, span: Span) -> lsp::Range {
    lsp::Range {
        start: position(file, span.start as usize),
        end: position(file, span.end as usize),
    }
}

pub fn position(file: &SourceFile, offset: usize) -> lsp::Position {
    let (line, character) = file.utf16_position(offset);
    lsp::Position { line, character }
}

pub fn offset(file: &SourceFile, p: lsp::Position) -> usize {
    file.offset_of_utf16(p.line, p.character)
}

/// One cnpgc diagnostic as the protocol has it. The document is file 0 of
/// `sources` (checked alone); a diagnostic in another file (a standard
/// module the document uses) is shown at the document's start, named.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap, uri: &lsp::Uri) -> lsp::Diagnostic {
    let doc = FileId(0);
    let file = sources.get(doc);
    let mut message = d.message.clone();
    let at = if d.span.file == doc {
        range(file, d.span)
    } else {
        message = format!("in {}: {message}", sources.get(d.span.file).name);
        lsp::Range::default()
    };
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter(|l| l.span.file == doc)
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: range(file, l.span),
            },
            message: l.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: at,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: lsp::Uri::from_str(&crate::diag::render::code_url(d.code.as_str()))
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("cnpgc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
