//! Diagnostic fixtures: every file in tests/fixtures/diagnostics/ is checked
//! and its rendered diagnostics are snapshotted; the code in the file name
//! must be among them. The registry, the explain pages and the fixtures are
//! kept in agreement: every code has a page and a fixture, every fixture's
//! code exists, every page's example fails with its code and its fix does not.

mod support;

use std::path::{Path, PathBuf};

use cnpgc::diag::codes::REGISTRY;
use cnpgc::diag::render::{Format, render};
use cnpgc::diag::{Diagnostic, Diagnostics};
use cnpgc::secrets::Mode;
use support::fakeio::FakeIo;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnostics");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cnpg"))
        .collect();
    v.sort();
    v
}

fn code_of(p: &Path) -> String {
    p.file_stem()
        .unwrap()
        .to_string_lossy()
        .split('_')
        .next()
        .unwrap()
        .to_string()
}

/// `// fixture: expand N`: every line holding `__N__` stands for N lines,
/// with n = 1..=N (a program too large to write out, for size limits).
fn expand(src: &str) -> String {
    let Some(n) = src.lines().find_map(|l| {
        l.trim()
            .strip_prefix("// fixture: expand ")
            .and_then(|n| n.trim().parse::<usize>().ok())
    }) else {
        return src.to_string();
    };
    let mut out = String::new();
    for line in src.lines() {
        if line.contains("__N__") {
            for i in 1..=n {
                out.push_str(&line.replace("__N__", &i.to_string()));
                out.push('\n');
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Marks the program of the previous build (`cnpgc build` compares the
/// new objects with its tree): the source is what precedes the marker.
const PREVIOUS: &str = "// fixture: previous build\n";

/// Checks a source and, when it is clean, resolves its secrets the way
/// `cnpgc build` does, with IO scripted by `// fixture: …` comments, and
/// compares it with the previous build's tree when there is one.
fn diagnose(name: &str, src: &str) -> (Vec<Diagnostic>, cnpgc::source::SourceMap) {
    let (src, previous) = match src.split_once(PREVIOUS) {
        Some((now, before)) => (now, Some(before)),
        None => (src, None),
    };
    let src = &expand(src);
    let checked = cnpgc::check_sources(&[(name, src)]);
    let mut all = Diagnostics::default();
    all.extend(checked.diagnostics.iter().cloned());
    if let (Some(p), Some(before)) = (&checked.program, previous) {
        let old = cnpgc::check_sources(&[("previous.cnpg", before)])
            .program
            .expect("the previous build checks clean");
        let files: Vec<(String, String)> = cnpgc::emit::emit_program(&old)
            .into_iter()
            .flat_map(|t| {
                t.files
                    .into_iter()
                    .map(move |f| (format!("{}/{}", t.root, f.path), f.content))
            })
            .collect();
        all.extend(cnpgc::check::immutable::compare(p, &files));
    }
    if let Some(p) = &checked.program {
        let io = FakeIo::from_directives(src);
        let mode = if src.contains("// fixture: plaintext") {
            Mode::Plaintext
        } else {
            Mode::Encrypt { dry_run: false }
        };
        cnpgc::secrets::resolve(&cnpgc::secrets::plan(p), &io, mode, &[], &mut all);
    }
    (all.into_sorted(), checked.sources)
}

#[test]
fn every_fixture_reports_its_code_and_matches_its_snapshot() {
    for p in fixtures() {
        let name = format!("fixtures/{}", p.file_name().unwrap().to_string_lossy());
        let src = std::fs::read_to_string(&p).unwrap();
        let (diags, sources) = diagnose(&name, &src);
        let code = code_of(&p);
        assert!(
            diags.iter().any(|d| d.code.as_str() == code),
            "{name}: expected {code}, got {:?}",
            diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
        );
        let rendered = render(&diags, &sources, Format::Human, false);
        let snap = format!("----- SOURCE\n{src}----- DIAGNOSTICS\n{rendered}");
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({snapshot_path => "snapshots/diagnostics", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(stem, snap);
        });
    }
}

#[test]
fn registry_pages_and_fixtures_agree() {
    let fixture_codes: Vec<String> = fixtures().iter().map(|p| code_of(p)).collect();
    for f in &fixture_codes {
        assert!(
            REGISTRY.iter().any(|c| c.code == f),
            "fixture for unknown code {f}"
        );
    }
    for c in REGISTRY {
        // A retired code is never reported: it keeps its page, not a fixture.
        assert!(
            c.retired || fixture_codes.iter().any(|f| f == c.code),
            "{} has no fixture",
            c.code
        );
        assert!(
            !c.retired || !fixture_codes.iter().any(|f| f == c.code),
            "{} is retired: its fixture can no longer report it",
            c.code
        );
        assert!(
            !c.retired || c.page.to_lowercase().contains("retired"),
            "{} is retired: its page says so",
            c.code
        );
        let page_path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/diagnostics/{}.md", c.code));
        assert!(page_path.exists(), "{} has no page", c.code);
        assert!(
            c.page.contains("## Example") && c.page.contains("## Fix"),
            "{} page sections",
            c.code
        );
    }
    // No page without a registered code.
    for e in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics")).unwrap()
    {
        let p = e.unwrap().path();
        let code = p.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            REGISTRY.iter().any(|c| c.code == code),
            "page {code} has no code in the registry"
        );
    }
}

/// A code's page is never removed, even when the code is retired: every
/// page the repository's history ever had is still there (skipped when the
/// history is not at hand, e.g. outside a git clone).
#[test]
fn every_page_that_ever_existed_still_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("git")
        .args([
            "log",
            // This branch's history: other branches of a shared clone (work
            // in progress elsewhere) may hold pages this one never had.
            "HEAD",
            "--format=",
            "--name-only",
            "--",
            "docs/diagnostics",
        ])
        .current_dir(root)
        .output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        eprintln!("no git history: skipped");
        return;
    };
    let mut seen = 0;
    for path in String::from_utf8_lossy(&out.stdout).lines() {
        if !path.ends_with(".md") {
            continue;
        }
        seen += 1;
        let code = Path::new(path).file_stem().unwrap().to_string_lossy();
        assert!(
            root.join(path).exists(),
            "the page of {code} was removed: {path}"
        );
        assert!(
            REGISTRY.iter().any(|c| c.code == code),
            "{code} left the registry (retire it instead: `retired=true`)"
        );
    }
    if seen == 0 {
        eprintln!("shallow history without the pages: skipped");
    }
}

/// The ```cnpg block that follows `heading` in a page.
fn block_after<'a>(page: &'a str, heading: &str) -> &'a str {
    let at = page.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    let rest = &page[at..];
    let start = rest.find("```cnpg\n").expect("cnpg block") + "```cnpg\n".len();
    let end = rest[start..].find("```").expect("block end");
    &rest[start..start + end]
}

#[test]
fn explain_examples_fail_with_their_code_and_fixes_do_not() {
    for c in REGISTRY.iter().filter(|c| !c.retired) {
        let bad = block_after(c.page, "## Example");
        let good = block_after(c.page, "## Fix");
        let got: Vec<&str> = diagnose("example.cnpg", bad)
            .0
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert!(got.contains(&c.code), "{}: example gives {:?}", c.code, got);
        let (fixed, _) = diagnose("fix.cnpg", good);
        assert!(
            fixed
                .iter()
                .all(|d| d.code.as_str() != c.code && !d.is_error()),
            "{}: the fix still has problems: {:?}",
            c.code,
            fixed
                .iter()
                .map(|d| (d.code.as_str(), d.message.clone()))
                .collect::<Vec<_>>()
        );
    }
}
