//! Human format: source snippets with the primary span underlined, secondary
//! labels, help and the code, rendered by codespan-reporting (colour optional).

use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config, termcolor::Buffer};

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};

struct Db<'a>(&'a SourceMap);

impl<'a> Files<'a> for Db<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.get(id).line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let f = self.0.get(id);
        let starts = f.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map(|&e| e as usize)
            .unwrap_or(f.text.len());
        Ok(start..end)
    }
}

pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let db = Db(sources);
    let config = Config::default();
    let mut buf = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for d in diags {
        let cs = to_codespan(d);
        term::emit_to_write_style(&mut buf, &config, &db, &cs).expect("rendering into memory");
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

fn to_codespan(d: &Diagnostic) -> CsDiagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Hint => CsSeverity::Help,
    };
    let mut labels = vec![
        CsLabel::primary(d.span.file, d.span.range())
            .with_message(d.label.clone().unwrap_or_default()),
    ];
    for l in &d.secondary {
        labels
            .push(CsLabel::secondary(l.span.file, l.span.range()).with_message(l.message.clone()));
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    if let Some(f) = &d.fix
        && d.help.is_none()
    {
        notes.push(format!("help: write `{}`", f.replacement));
    }
    CsDiagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}
