//! Checking: takes source files, gives their syntax trees, every diagnostic
//! and, when nothing is fatal, the resolved [`ir::Program`]. Stages: parse →
//! bind (schema: names, types) → lower (defaults, references) → lints →
//! what lives together (namespaces and names shared by clusters).

pub mod bind;
pub mod cron;
pub mod defs;
pub mod immutable;
pub mod lower;
pub mod modules;
pub mod together;
pub mod values;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir;
use crate::schema;
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, ast};

/// The result of checking a set of files.
#[derive(Debug)]
pub struct Checked {
    pub sources: SourceMap,
    /// One entry per input file (`None` when it did not parse).
    pub files: Vec<(FileId, Option<ast::File>)>,
    /// Sorted, deduplicated.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when no error was found.
    pub program: Option<ir::Program>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }
}

/// Checks the given (name, text) sources together.
pub fn check_sources<N: AsRef<str>, T: AsRef<str>>(inputs: &[(N, T)]) -> Checked {
    let mut sources = SourceMap::new();
    let ids: Vec<FileId> = inputs
        .iter()
        .map(|(n, t)| sources.add(n.as_ref(), t.as_ref()))
        .collect();
    check(sources, &ids)
}

/// Checks files already in a source map.
pub fn check(mut sources: SourceMap, ids: &[FileId]) -> Checked {
    let mut diags = Diagnostics::default();
    let mut files = Vec::new();
    let mut bound = Vec::new();
    for &id in ids {
        match syntax::parse(id, &sources.get(id).text) {
            Ok(f) => {
                let b = bind::bind_file(&f, &schema::TOP, &mut diags);
                bound.push((id, b));
                files.push((id, Some(f)));
            }
            Err(d) => {
                diags.push(*d);
                files.push((id, None));
            }
        }
    }
    // Standard modules in use, and the definitions of every file.
    let names: Vec<(String, &bind::BBlock)> = bound
        .iter()
        .map(|(id, b)| (sources.get(*id).name.clone(), b))
        .collect();
    let named: Vec<(&str, &bind::BBlock)> = names.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let used = modules::resolve(&named, &sources, &mut diags);
    let mut defs = defs::Defs::default();
    for (_, b) in &bound {
        defs.add(b, &mut diags);
    }
    for &(name, file, text) in modules::STD {
        let in_use = used
            .iter()
            .any(|u| matches!(u, modules::Used::Std(n, _, _) if *n == name));
        let id = match sources.find(file) {
            Some(id) => id,
            None => sources.add(file, text),
        };
        let mut quiet = Diagnostics::default();
        let Some(f) = parse_std(id, text) else {
            continue;
        };
        let b = bind::bind_file(
            &f,
            &schema::TOP,
            if in_use { &mut diags } else { &mut quiet },
        );
        if in_use {
            defs.add(&b, &mut diags);
        } else {
            defs.note_unused_std(name, &b);
        }
    }
    let lowered: Vec<lower::BoundFile> = bound
        .iter()
        .map(|(id, b)| lower::BoundFile {
            name: &sources.get(*id).name,
            block: b,
        })
        .collect();
    let mut program = lower::lower(&lowered, &defs, &mut diags);
    together::check(&mut program, &mut diags);
    let has_errors = diags.has_errors();
    Checked {
        sources,
        files,
        diagnostics: diags.into_sorted(),
        program: (!has_errors).then_some(program),
    }
}

/// A standard module's tree: the modules never change, so each is parsed once
/// per file id and cloned afterwards (the language server checks on every
/// keystroke, and parsing them costs more than the rest of a small check).
fn parse_std(id: FileId, text: &'static str) -> Option<ast::File> {
    type Cache = Vec<(FileId, usize, Option<ast::File>)>;
    static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(Vec::new());
    let key = (id, text.as_ptr() as usize);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, f)) = cache.iter().find(|(i, p, _)| (*i, *p) == key) {
        return f.clone();
    }
    let f = syntax::parse(id, text).ok();
    cache.push((key.0, key.1, f.clone()));
    f
}
