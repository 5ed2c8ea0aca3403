//! The formatter over every example and fixture: idempotent, comments kept
//! (count and text), meaning unchanged (the emitted trees of a clean file,
//! and the diagnostic codes of any file, are the same after formatting); a
//! file that does not parse is refused; and targeted layout rules.

use std::path::{Path, PathBuf};
use std::process::Command;

use cnpgc::fmt::format_source;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "cnpg") {
            out.push(p);
        }
    }
}

/// Every examples/*.cnpg, stdlib/*.cnpg and tests/fixtures/**/*.cnpg.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("examples"), &mut paths);
    walk(&root.join("stdlib"), &mut paths);
    walk(&root.join("tests/fixtures"), &mut paths);
    paths.sort();
    assert!(paths.len() > 10, "examples and fixtures found");
    paths
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The text of every `//` comment of a source, in order (from the parser).
fn comments(src: &str) -> Vec<String> {
    let f = cnpgc::syntax::parse(cnpgc::source::FileId(0), src).unwrap();
    let mut c: Vec<_> = f.comments.into_iter().collect();
    c.sort_by_key(|c| c.span.start);
    c.into_iter().map(|c| c.text).collect()
}

/// What a file means: its emitted trees when it checks clean, and the codes
/// of its diagnostics.
fn meaning(name: &str, src: &str) -> (Option<String>, Vec<&'static str>) {
    let checked = cnpgc::check_sources(&[(name, src)]);
    let mut codes: Vec<&'static str> = checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.sort();
    let trees = checked.program.as_ref().map(|p| {
        let mut s = String::new();
        for t in cnpgc::emit::emit_program(p) {
            for f in t.files {
                s.push_str(&format!("===== {}/{}\n{}", t.root, f.path, f.content));
            }
        }
        s
    });
    (trees, codes)
}

#[test]
fn idempotent_comments_kept_meaning_unchanged_over_examples_and_fixtures() {
    let mut formatted_count = 0;
    let mut clean = 0;
    for (name, src) in sources() {
        let Ok(once) = format_source(&src) else {
            // Only the syntax-error fixtures do not parse.
            assert!(
                name.contains("E01"),
                "{name} does not parse but is not a syntax-error fixture"
            );
            continue;
        };
        formatted_count += 1;
        let twice = format_source(&once).unwrap_or_else(|e| {
            panic!(
                "{name}: formatted text does not format: {}\n{once}",
                e.message()
            )
        });
        assert_eq!(once, twice, "{name}: not idempotent");
        assert_eq!(
            comments(&src),
            comments(&once),
            "{name}: comments changed\n{once}"
        );
        let (before, codes_before) = meaning(&name, &src);
        let (after, codes_after) = meaning(&name, &once);
        assert_eq!(
            codes_before, codes_after,
            "{name}: diagnostics changed\n{once}"
        );
        if before.is_some() {
            clean += 1;
        }
        assert!(before == after, "{name}: emitted trees changed\n{once}");
    }
    assert!(formatted_count > 40, "{formatted_count} files formatted");
    assert!(clean >= 5, "{clean} clean files compared by their trees");
}

fn fmt(src: &str) -> String {
    format_source(src).unwrap_or_else(|e| panic!("{}", e.message()))
}

#[test]
fn every_example_and_stdlib_file_is_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("examples"), &mut paths);
    walk(&root.join("stdlib"), &mut paths);
    assert!(paths.len() >= 10);
    for p in paths {
        let src = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            fmt(&src),
            src,
            "{} is not formatted: run `cnpgc fmt {}`",
            p.display(),
            p.display()
        );
    }
}

#[test]
fn line_breaks_are_the_authors() {
    // The design card's one-liner stays one line (nested blocks included).
    assert_eq!(
        fmt("cluster app < db myapp < user myapp_user grants connect,read > link minio >"),
        "cluster app < db myapp < user myapp_user grants connect, read > link minio >\n"
    );
    // A block over several lines: opened on the statement's line, one item
    // per line, `>` on its own line; blank lines collapsed.
    assert_eq!(
        fmt("cluster app <\n\tnamespace   x\n\n\n\n    db y <\nowner o\n>>"),
        "cluster app <\n  namespace x\n\n  db y <\n    owner o\n  >\n>\n"
    );
    // Statements of a one-line block: `; ` between them, none after a `>`.
    assert_eq!(
        fmt("cluster a <\n  db x < owner o\n user u >\n  db y < owner o;user u >\n>\n"),
        "cluster a <\n  db x <\n    owner o\n    user  u\n  >\n  db y < owner o; user u >\n>\n"
    );
    // Too wide for one line: opened.
    let long = format!("cluster a < db x < owner {} > >\n", "o".repeat(120));
    assert_eq!(
        fmt(&long),
        format!(
            "cluster a <\n  db x <\n    owner {}\n  >\n>\n",
            "o".repeat(120)
        )
    );
}

#[test]
fn maps_inline_when_they_were_else_one_aligned_entry_per_line() {
    assert_eq!(
        fmt("cluster a <\n  labels <  b: c ,d: e,>\n>\n"),
        "cluster a <\n  labels < b: c, d: e >\n>\n"
    );
    assert_eq!(
        fmt(
            "cluster a <\n  parameters <\n max_connections: 200, work_mem: 8MB\n  shared_buffers:   1GB // a\n>\n>\n"
        ),
        "cluster a <\n  parameters <\n    max_connections: 200\n    work_mem:        8MB\n    shared_buffers:  1GB  // a\n  >\n>\n"
    );
}

#[test]
fn keys_and_trailing_comments_align_in_runs() {
    let src = "cluster a <\n  namespace x // ns\n  instances 3 // three\n  postgres 16.4\n  labels < a: b > // l\n\n  storage 1Gi\n  resources cpu 1\n>\n";
    assert_eq!(
        fmt(src),
        "cluster a <\n  namespace x         // ns\n  instances 3         // three\n  postgres  16.4\n  labels    < a: b >  // l\n\n  storage   1Gi\n  resources cpu 1\n>\n"
    );
    // A named block on one line is a declaration: its key is not padded.
    assert_eq!(
        fmt("cluster a <\n  namespace x\n  db y < owner o >\n  tier dev\n>\n"),
        "cluster a <\n  namespace x\n  db y < owner o >\n  tier      dev\n>\n"
    );
}

#[test]
fn tables_stay_tables() {
    // Consecutive statements with the same key: columns aligned where the
    // rows have the same key before them; the last cell is never padded.
    let src =
        "preset t1.nano cpu 250m memory 128Mi\npreset t1.2xlarge cpu 16 memory 8Gi\npreset x\n";
    assert_eq!(
        fmt(src),
        "preset t1.nano    cpu 250m memory 128Mi\npreset t1.2xlarge cpu 16   memory 8Gi\npreset x\n"
    );
    let src = "cluster a <\n  db n8n < owner n8n >\n  db temporal_visibility < owner t >\n>\n";
    assert_eq!(
        fmt(src),
        "cluster a <\n  db n8n                 < owner n8n >\n  db temporal_visibility < owner t >\n>\n"
    );
    // `link KIND …`: a table per kind.
    let src = "cluster a <\n  link minio backups < bucket b >\n  link app web to x\n  link app fastapi to y\n>\n";
    assert_eq!(
        fmt(src),
        "cluster a <\n  link minio backups < bucket b >\n  link app web     to x\n  link app fastapi to y\n>\n"
    );
    // Rows that differ in a key are not forced into its columns.
    let src = "cluster a <\n  db x <\n    user debezium grants readonly\n    user u2 password env(\"P\") grants admin\n  >\n>\n";
    assert_eq!(
        fmt(src),
        "cluster a <\n  db x <\n    user debezium grants readonly\n    user u2       password env(\"P\") grants admin\n  >\n>\n"
    );
}

#[test]
fn line_endings_are_the_files_own_never_mixed() {
    let crlf = fmt("// c\r\ncluster a <\r\n  db x   // d\r\n  init_db \"\"\"a\r\nb\"\"\"\r\n>\r\n");
    assert!(!crlf.replace("\r\n", "").contains('\n'), "{crlf:?}");
    assert!(
        crlf.starts_with("// c\r\ncluster a <\r\n  db x  // d\r\n"),
        "{crlf:?}"
    );
    let lf = fmt("cluster a <\n  db x // d\r\n>\n");
    assert!(!lf.contains('\r'), "{lf:?}");
}

#[test]
fn comments_stay_with_their_statements() {
    let src = "// file\n\n\ncluster a <   // opens\n  // about ns\n  namespace x\n  db y < owner o > // y\n  // last in a\n>  // closes\n// end\n";
    assert_eq!(
        fmt(src),
        "// file\n\ncluster a <  // opens\n  // about ns\n  namespace x\n  db y < owner o >  // y\n  // last in a\n>  // closes\n// end\n"
    );
    // A comment inside a statement spread over lines goes above it.
    let src =
        "cluster a <\n  db x < user u grants connect, // first\n    // second\n    read >\n>\n";
    let out = fmt(src);
    assert_eq!(comments(src), comments(&out));
    assert_eq!(fmt(&out), out);
}

#[test]
fn strings_are_escaped_canonically_and_raw_strings_kept() {
    let src = "cluster a <\n  init_db \"a\\u{41}\\\"\\t\"\n  init_db \"\"\"SELECT 1;\n   -- \\n stays\n\"\"\"\n>\n";
    assert_eq!(
        fmt(src),
        "cluster a <\n  init_db \"aA\\\"\\t\"\n  init_db \"\"\"SELECT 1;\n   -- \\n stays\n\"\"\"\n>\n"
    );
}

#[test]
fn a_file_that_does_not_parse_is_not_formatted() {
    match format_source("cluster a <\n  namespace x\n") {
        Err(cnpgc::fmt::FmtError::Syntax(d)) => assert_eq!(d.code.as_str(), "E0101"),
        other => panic!("{other:?}"),
    }
}

fn cnpgc(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cnpgc"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn the_command_rewrites_checks_and_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("a.cnpg"),
        "cluster a < db x < owner o >\n   link   prometheus >\n",
    )
    .unwrap();
    std::fs::write(d.join("ok.cnpg"), fmt("cluster b < db y >\n")).unwrap();
    std::fs::write(d.join("bad.cnpg"), "cluster c <\n").unwrap();

    // --check: lists what would change, exit 1, writes nothing.
    let out = cnpgc(d, &["fmt", "--check", "a.cnpg", "ok.cnpg"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a.cnpg\n");
    assert!(
        std::fs::read_to_string(d.join("a.cnpg"))
            .unwrap()
            .contains("link   prometheus")
    );
    let out = cnpgc(d, &["fmt", "--check", "ok.cnpg"]);
    assert_eq!(out.status.code(), Some(0));

    // Rewrites in place.
    let out = cnpgc(d, &["fmt", "a.cnpg", "ok.cnpg"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("a.cnpg")).unwrap(),
        "cluster a <\n  db x < owner o >\n  link prometheus\n>\n"
    );
    assert_eq!(cnpgc(d, &["fmt", "--check", "."]).status.code(), Some(1)); // bad.cnpg

    // A syntax error: the diagnostic, exit 1, the file untouched.
    let out = cnpgc(d, &["fmt", "bad.cnpg"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0101"));
    assert_eq!(
        std::fs::read_to_string(d.join("bad.cnpg")).unwrap(),
        "cluster c <\n"
    );

    // No such file: exit 2.
    assert_eq!(cnpgc(d, &["fmt", "nope.cnpg"]).status.code(), Some(2));

    // Standard input to standard output.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnpgc"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"cluster  z<db q>")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cluster z < db q >\n");
}

#[test]
fn the_before_and_after_of_the_guide_are_true() {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/editor.md"))
            .unwrap();
    let at = guide
        .find("Before and after:")
        .expect("the example in docs/editor.md");
    let blocks: Vec<&str> = guide[at..]
        .split("```cnpg\n")
        .skip(1)
        .take(2)
        .map(|b| &b[..b.find("```").unwrap()])
        .collect();
    assert_eq!(fmt(blocks[0]), blocks[1]);
    assert_eq!(fmt(blocks[1]), blocks[1]);
}
