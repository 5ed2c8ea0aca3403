//! The `.cnpg` snippets of the user documentation stay true: every ```cnpg
//! block of `docs/*.md` and the README parses, and every block that is a
//! whole program (it starts with `cluster NAME <`, `flux <`, `operator <` or
//! `use`) checks
//! without errors.

use std::path::Path;

fn blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == "```cnpg" => current = Some((i + 2, String::new())),
            Some(_) if line.trim_start() == "```" => out.extend(current.take()),
            Some((_, b)) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn every_cnpg_snippet_in_the_docs_parses_and_whole_programs_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.push(root.join("README.md"));
    files.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (line, snippet) in blocks(&text) {
            let name = format!("{}:{line}", f.file_name().unwrap().to_string_lossy());
            let first: Vec<&str> = snippet.split_whitespace().take(3).collect();
            let whole = matches!(
                first.as_slice(),
                ["cluster", _, "<", ..] | ["flux" | "operator", "<", ..]
            );
            let c = cnpgc::check_sources(&[(name.as_str(), snippet.as_str())]);
            let bad: Vec<String> = c
                .diagnostics
                .iter()
                .filter(|d| d.severity == cnpgc::diag::Severity::Error)
                .filter(|d| whole || d.code.as_str().starts_with("E01"))
                .map(|d| format!("{} {}", d.code.as_str(), d.message))
                .collect();
            if !bad.is_empty() {
                failures.push(format!("{name}: {bad:?}\n{snippet}"));
            }
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} snippets found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
