//! Modules: takes the `use` statements of the input files, gives the standard
//! modules they name (written in .cnpg under stdlib/, embedded in the binary)
//! and a diagnostic for every module that does not exist. `use "file.cnpg"`
//! names another input file (the CLI reads imported files with the inputs).

use crate::diag::{Diagnostic, Diagnostics, codes, suggest};
use crate::source::{SourceMap, Span};

use super::bind::{BBlock, Val};

/// The standard modules: name, file name, text.
pub const STD: &[(&str, &str, &str)] = &[
    (
        "std::presets",
        "std/presets.cnpg",
        include_str!("../../stdlib/presets.cnpg"),
    ),
    (
        "std::bundles",
        "std/bundles.cnpg",
        include_str!("../../stdlib/bundles.cnpg"),
    ),
    (
        "std::profiles",
        "std/profiles.cnpg",
        include_str!("../../stdlib/profiles.cnpg"),
    ),
];

/// A `use` that resolved.
pub enum Used {
    Std(&'static str, &'static str, &'static str),
    File(String),
}

/// The modules the bound files use, in first-use order, deduplicated.
pub fn resolve(
    files: &[(&str, &BBlock)],
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Used> {
    let mut out: Vec<Used> = Vec::new();
    for (file_name, block) in files {
        for u in block.all("use") {
            let Some(v) = u.arg(0) else { continue };
            let Val::Module(m) = &v.v else { continue };
            if m.starts_with("std::") || !m.contains(['/', '.']) {
                match STD.iter().find(|(n, _, _)| n == m) {
                    Some(&(n, f, t)) => {
                        if !out
                            .iter()
                            .any(|x| matches!(x, Used::Std(o, _, _) if *o == n))
                        {
                            out.push(Used::Std(n, f, t));
                        }
                    }
                    None => unknown(diags, v.span, m),
                }
            } else {
                let path = relative(file_name, m);
                if sources.find(&path).is_none() {
                    diags.push(
                        Diagnostic::new(codes::E0211, v.span, format!("no file `{path}` to use"))
                            .with_label("not found")
                            .with_help("paths are relative to the file that uses them; `cnpgc` reads used files along with the inputs"),
                    );
                } else if !out.iter().any(|x| matches!(x, Used::File(p) if *p == path)) {
                    out.push(Used::File(path));
                }
            }
        }
    }
    out
}

fn unknown(diags: &mut Diagnostics, span: Span, m: &str) {
    let names: Vec<&str> = STD.iter().map(|(n, _, _)| *n).collect();
    let (s, help) = suggest::help_text(m, &names, "module");
    let mut d = Diagnostic::new(codes::E0211, span, format!("unknown module `{m}`"))
        .with_label("no such module")
        .with_help(help);
    if let Some(s) = s {
        d = d.with_fix(span, s);
    }
    diags.push(d);
}

/// `dir/of/file.cnpg` + `x.cnpg` → `dir/of/x.cnpg` (normalised, `/` separators).
pub fn relative(from_file: &str, target: &str) -> String {
    if target.starts_with('/') {
        return target.to_string();
    }
    let mut parts: Vec<&str> = from_file.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") && !parts.is_empty() {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_paths() {
        assert_eq!(super::relative("a/b.cnpg", "c.cnpg"), "a/c.cnpg");
        assert_eq!(super::relative("a/b.cnpg", "../c.cnpg"), "c.cnpg");
        assert_eq!(super::relative("b.cnpg", "./lib/c.cnpg"), "lib/c.cnpg");
    }
}
