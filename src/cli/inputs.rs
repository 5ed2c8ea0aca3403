//! Input files: takes the paths given on the command line (files, or
//! directories searched for *.cnpg), gives (name, text) pairs in a stable order.

use std::path::{Path, PathBuf};

/// Reads every input; an unreadable path is an error message.
pub fn read(paths: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    if paths.is_empty() {
        return Err("no input files (give .cnpg files or directories)".into());
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| format!("{}: {e}", p.display()))?;
            if found.is_empty() {
                return Err(format!("{}: no .cnpg files in this directory", p.display()));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        out.push((display_name(&f), text));
    }
    // Files named by `use "…"`, transitively (a missing one is reported by
    // the checker, with its span).
    let mut i = 0;
    while i < out.len() {
        for used in uses(&out[i].1) {
            let name = cnpgc::check::modules::relative(&out[i].0, &used);
            if out.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&name) {
                out.push((name, text));
            }
        }
        i += 1;
    }
    Ok(out)
}

/// The file paths a source names in top-level `use "…"` statements.
fn uses(text: &str) -> Vec<String> {
    let Ok(f) = cnpgc::syntax::parse(cnpgc::source::FileId(0), text) else {
        return Vec::new();
    };
    f.items
        .iter()
        .filter_map(|i| match i {
            cnpgc::syntax::ast::Item::Stmt(s) if s.head.text == "use" => s.args.first(),
            _ => None,
        })
        .filter_map(|v| match &v.kind {
            cnpgc::syntax::ast::ValueKind::Str { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "cnpg") {
            out.push(p);
        }
    }
    Ok(())
}

/// The name a file is shown (and recorded in generated headers) under:
/// the path as given, without a leading `./`, with `/` separators.
pub fn display_name(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_string()
}
