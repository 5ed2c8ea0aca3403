//! Pest pairs → AST. Takes a file's text, gives an [`ast::File`] or a syntax
//! diagnostic whose message names what was expected in words a user knows
//! (never raw grammar-rule names). One function per grammar rule.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::ast::*;
use crate::diag::{Diagnostic, codes};
use crate::source::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/cnpg.pest"]
struct CnpgParser;

/// Parses one file. On a syntax error returns the diagnostic (pest stops at the
/// first error; the language server keeps the last good tree meanwhile).
pub fn parse(file: FileId, text: &str) -> Result<File, Box<Diagnostic>> {
    // pest runs without its stack probe (it costs a third of the parse); the
    // only unbounded recursion is nesting, so bound it before parsing.
    if let Some(at) = too_deep(text) {
        let end = at + text[at..].chars().next().map(char::len_utf8).unwrap_or(0);
        return Err(Box::new(
            Diagnostic::new(
                codes::E0101,
                Span::new(file, at, end),
                format!("blocks nested more than {MAX_DEPTH} deep"),
            )
            .with_label("too deep")
            .with_help(
                "a .cnpg file nests a few blocks (cluster, db, link); check for a missing `>`",
            ),
        ));
    }
    if text.len() >= PARALLEL_MIN {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cuts = split_points(text, threads);
        if cuts.len() > 2
            && let Some(f) = parse_chunks(file, text, &cuts)
        {
            return Ok(f);
        }
    }
    let (items, comments) = parse_part(file, text, 0)?;
    Ok(File {
        id: file,
        items,
        comments,
    })
}

/// Files from this size on are cut at top-level item boundaries and the
/// pieces parsed on every core (a repository of thousands of clusters).
const PARALLEL_MIN: usize = 256 * 1024;

/// Parses the pieces between `cuts` in parallel. `None` when a piece fails:
/// the caller parses the whole text again, so that errors are those of a
/// sequential parse.
fn parse_chunks(file: FileId, text: &str, cuts: &[usize]) -> Option<File> {
    let pieces: Vec<(usize, &str)> = cuts.windows(2).map(|w| (w[0], &text[w[0]..w[1]])).collect();
    let parts: Vec<Option<(Vec<Item>, Vec<Comment>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|&(base, piece)| s.spawn(move || parse_part(file, piece, base).ok()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let mut items = Vec::new();
    let mut comments = Vec::new();
    for p in parts {
        let (i, c) = p?;
        items.extend(i);
        comments.extend(c);
    }
    Some(File {
        id: file,
        items,
        comments,
    })
}

/// Offsets that cut `text` into about `n` pieces, each made of whole
/// top-level items: a cut is a newline outside every block, call, string and
/// comment, not continuing a list (`a,⏎ b`). Starts with 0, ends with the
/// length.
fn split_points(text: &str, n: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let target = b.len() / n.max(1) + 1;
    let mut cuts = vec![0];
    let mut depth = 0usize;
    let mut last_sig = b'\n';
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += 1;
                }
                i += 2;
                last_sig = b'"';
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                last_sig = b'"';
            }
            b'<' | b'(' => {
                depth += 1;
                last_sig = b[i];
            }
            b'>' | b')' => {
                depth = depth.saturating_sub(1);
                last_sig = b[i];
            }
            b'\n' => {
                if depth == 0
                    && last_sig != b','
                    && i + 1 - cuts[cuts.len() - 1] >= target
                    && b.len() - (i + 1) >= target / 2
                {
                    cuts.push(i + 1);
                }
                last_sig = b'\n';
            }
            b' ' | b'\t' | b'\r' => {}
            c => last_sig = c,
        }
        i += 1;
    }
    cuts.push(b.len());
    cuts
}

/// Parses `text`, which starts at byte `base` of the file.
fn parse_part(
    file: FileId,
    text: &str,
    base: usize,
) -> Result<(Vec<Item>, Vec<Comment>), Box<Diagnostic>> {
    let mut pairs =
        CnpgParser::parse(Rule::file, text).map_err(|e| Box::new(syntax_error(file, text, e)))?;
    let mut b = Builder {
        file,
        base,
        comments: Vec::new(),
        errors: Vec::new(),
    };
    let file_pair = pairs.next().expect("file rule");
    let mut items = Vec::new();
    for p in file_pair.into_inner() {
        match p.as_rule() {
            Rule::body => items = b.body(p),
            Rule::COMMENT => b.comment(p),
            _ => {}
        }
    }
    if let Some(e) = b.errors.into_iter().next() {
        return Err(Box::new(e));
    }
    Ok((items, b.comments))
}

const MAX_DEPTH: usize = 64;

/// The offset of the first `<` or `(` nested deeper than [`MAX_DEPTH`],
/// outside strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'<' | b'(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'>' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

struct Builder {
    file: FileId,
    /// Where the parsed text starts in the file.
    base: usize,
    comments: Vec<Comment>,
    errors: Vec<Diagnostic>,
}

impl Builder {
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn comment(&mut self, p: Pair<Rule>) {
        let span = self.span(&p);
        self.comments.push(Comment {
            span,
            text: p.as_str().trim_end().to_string(),
        });
    }

    /// Children of a pair with comments taken out (and recorded).
    fn inner<'i>(&mut self, p: Pair<'i, Rule>) -> Vec<Pair<'i, Rule>> {
        let mut out = Vec::new();
        for c in p.into_inner() {
            if c.as_rule() == Rule::COMMENT {
                self.comment(c);
            } else {
                out.push(c);
            }
        }
        out
    }

    fn body(&mut self, p: Pair<Rule>) -> Vec<Item> {
        let mut items = Vec::new();
        for c in self.inner(p) {
            match c.as_rule() {
                Rule::stmt => items.push(Item::Stmt(self.stmt(c))),
                Rule::entry => items.push(Item::Entry(self.entry(c))),
                _ => {}
            }
        }
        items
    }

    fn stmt(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let mut head = None;
        let mut args = Vec::new();
        let mut block = None;
        for c in self.inner(p) {
            match c.as_rule() {
                Rule::head => {
                    head = Some(Ident {
                        text: c.as_str().to_string(),
                        span: self.span(&c),
                        quoted: false,
                    })
                }
                Rule::value => args.push(self.value(c)),
                Rule::block => block = Some(self.block(c)),
                _ => {}
            }
        }
        let head = head.expect("stmt has a head");
        // pest's span may run over a trailing comment: end at the last part.
        let end = block
            .as_ref()
            .map(|b| b.span.end)
            .or(args.last().map(|a| a.span.end))
            .unwrap_or(head.span.end);
        Stmt {
            head,
            args,
            block,
            span: Span { end, ..span },
        }
    }

    fn block(&mut self, p: Pair<Rule>) -> Block {
        let span = self.span(&p);
        let mut items = Vec::new();
        let mut is_map = false;
        for c in self.inner(p) {
            match c.as_rule() {
                Rule::body => items = self.body(c),
                Rule::map_body => {
                    is_map = true;
                    for e in self.inner(c) {
                        if e.as_rule() == Rule::entry {
                            items.push(Item::Entry(self.entry(e)));
                        }
                    }
                }
                _ => {}
            }
        }
        Block {
            items,
            is_map,
            span,
        }
    }

    fn entry(&mut self, p: Pair<Rule>) -> Entry {
        let span = self.span(&p);
        let mut it = self.inner(p).into_iter();
        let k = it.next().expect("entry key");
        let key = self.key(k);
        let value = self.value(it.next().expect("entry value"));
        let span = Span {
            end: value.span.end,
            ..span
        };
        Entry { key, value, span }
    }

    fn key(&mut self, p: Pair<Rule>) -> Ident {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::string => Ident {
                text: self.string_text(p),
                span,
                quoted: true,
            },
            _ => Ident {
                text: p.as_str().to_string(),
                span,
                quoted: false,
            },
        }
    }

    /// `value`, `single` and call arguments: an atom and an optional tail.
    fn value(&mut self, p: Pair<Rule>) -> Value {
        let span = self.span(&p);
        let mut parts = self.inner(p).into_iter();
        let first = self.atom(parts.next().expect("value has an atom"));
        match parts.next() {
            None => first,
            Some(t) if t.as_rule() == Rule::range_tail => {
                let end = self.inner(t).into_iter().next().expect("range end");
                let end = self.atom(end);
                Value {
                    kind: ValueKind::Range(Box::new(first), Box::new(end)),
                    span,
                }
            }
            Some(t) => {
                let mut items = vec![first];
                for a in self.inner(t) {
                    items.push(self.atom(a));
                }
                Value {
                    kind: ValueKind::List(items),
                    span,
                }
            }
        }
    }

    fn atom(&mut self, p: Pair<Rule>) -> Value {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::bare => {
                let text = p.as_str().to_string();
                let mut parts = self.inner(p).into_iter();
                let word = parts.next().expect("bare word");
                match parts.next() {
                    None => ValueKind::Word(text),
                    Some(t) if t.as_rule() == Rule::path_tail => ValueKind::Path(text),
                    Some(t) => {
                        let name = Ident {
                            text: word.as_str().to_string(),
                            span: self.span(&word),
                            quoted: false,
                        };
                        self.call(name, t)
                    }
                }
            }
            Rule::word => ValueKind::Word(p.as_str().to_string()),
            Rule::string => {
                let raw =
                    p.clone().into_inner().next().map(|r| r.as_rule()) == Some(Rule::raw_string);
                ValueKind::Str {
                    text: self.string_text(p),
                    raw,
                }
            }
            r => unreachable!("atom rule {r:?}"),
        };
        Value { kind, span }
    }

    #[allow(clippy::single_match)] // one kind of child the call cares about
    fn call(&mut self, name: Ident, tail: Pair<Rule>) -> ValueKind {
        let mut args = Vec::new();
        for c in self.inner(tail) {
            match c.as_rule() {
                Rule::call_arg => {
                    let span = self.span(&c);
                    let mut parts = self.inner(c);
                    let name = if parts.first().is_some_and(|p| p.as_rule() == Rule::word)
                        && parts.len() >= 2
                        && parts[1].as_rule() != Rule::range_tail
                    {
                        let n = parts.remove(0);
                        Some(Ident {
                            text: n.as_str().to_string(),
                            span: self.span(&n),
                            quoted: false,
                        })
                    } else {
                        None
                    };
                    let mut it = parts.into_iter();
                    let first = self.atom(it.next().expect("call arg"));
                    let value = match it.next() {
                        Some(t) => {
                            let end = self.inner(t).into_iter().next().expect("range end");
                            let end = self.atom(end);
                            Value {
                                kind: ValueKind::Range(Box::new(first), Box::new(end)),
                                span,
                            }
                        }
                        None => first,
                    };
                    args.push(CallArg { name, value });
                }
                _ => {}
            }
        }
        ValueKind::Call { name, args }
    }

    /// The text of a string literal with escapes resolved. Bad escapes are
    /// reported (E0102) with the span of the escape itself.
    fn string_text(&mut self, p: Pair<Rule>) -> String {
        let inner = p.into_inner().next().expect("string kind");
        let content = inner.into_inner().next().expect("string content");
        let base = content.as_span().start();
        let raw = content.as_str();
        if content.as_rule() == Rule::raw_inner {
            return raw.to_string();
        }
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '0' => self.bad_escape(
                    base + i,
                    base + i + 2,
                    "a NUL character cannot appear in names, SQL or manifests",
                ),
                'u' => {
                    // \u{XXXX}
                    let rest = &raw[i + 2..];
                    let parsed = rest
                        .strip_prefix('{')
                        .and_then(|r| r.find('}').map(|end| &r[..end]))
                        .and_then(|hex| u32::from_str_radix(hex, 16).ok().map(|v| (v, hex.len())))
                        .and_then(|(v, n)| {
                            char::from_u32(v).filter(|c| *c != '\0').map(|c| (c, n))
                        });
                    match parsed {
                        Some((ch, n)) => {
                            out.push(ch);
                            for _ in 0..n + 2 {
                                chars.next();
                            }
                        }
                        None => self.bad_escape(
                            base + i,
                            base + i + 2,
                            "write a unicode escape as \\u{1F600}",
                        ),
                    }
                }
                _ => self.bad_escape(
                    base + i,
                    base + i + 1 + e.len_utf8(),
                    "the escapes are \\n \\t \\r \\\\ \\\" and \\u{…}; write \\\\ for a backslash",
                ),
            }
        }
        out
    }

    fn bad_escape(&mut self, start: usize, end: usize, help: &str) {
        self.errors.push(
            Diagnostic::new(
                codes::E0102,
                Span::new(self.file, self.base + start, self.base + end),
                "invalid escape in string",
            )
            .with_label("this escape is not known")
            .with_help(help),
        );
    }
}

/// Turns a pest error into a diagnostic with a byte span in the whole file and
/// an "expected …" message in user words.
fn syntax_error(file: FileId, text: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let found = describe_found(text, start);
    let (message, help) = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| rule_words(*r)).collect();
            words.sort();
            words.dedup();
            let expected = match words.len() {
                0 => "something else".to_string(),
                1 => words[0].to_string(),
                _ => {
                    let (last, rest) = words.split_last().unwrap();
                    format!("{} or {}", rest.join(", "), last)
                }
            };
            (
                format!("expected {expected}, found {found}"),
                help_for(text, start),
            )
        }
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    // Point at one character (or the end of the file).
    let end = if end > start {
        end
    } else {
        text[start..]
            .chars()
            .next()
            .map(|c| start + c.len_utf8())
            .unwrap_or(start)
    };
    let mut d =
        Diagnostic::new(codes::E0101, Span::new(file, start, end), message).with_label("here");
    if let Some(h) = help {
        d = d.with_help(h);
    }
    d
}

fn describe_found(text: &str, at: usize) -> String {
    let rest = &text[at.min(text.len())..];
    match rest.chars().next() {
        None => "the end of the file".into(),
        Some('\n') => "the end of the line".into(),
        Some(c) if c.is_whitespace() => "a space".into(),
        Some(c) => format!("`{c}`"),
    }
}

fn help_for(text: &str, at: usize) -> Option<String> {
    let rest = &text[at.min(text.len())..];
    let before = &text[..at.min(text.len())];
    let opens = before.matches('<').count();
    let closes = before.matches('>').count();
    if rest.is_empty() && opens > closes {
        return Some(format!(
            "{} block(s) are still open: close each `<` with a `>`",
            opens - closes
        ));
    }
    match rest.chars().next() {
        Some(':') => {
            Some("URLs and other values with `:` must be quoted: \"http://minio:9000\"".into())
        }
        Some('{') | Some('}') | Some('[') | Some(']') => {
            Some("blocks use `<` and `>`; lists are written `a, b, c`".into())
        }
        Some('\'') => Some("strings use double quotes: \"like this\"".into()),
        Some('>') if opens <= closes => Some("this `>` closes no block".into()),
        _ => None,
    }
}

/// User words for grammar rules; `None` hides a rule from "expected …".
fn rule_words(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        Rule::stmt | Rule::head | Rule::item => "a statement",
        Rule::entry | Rule::key => "a `key: value` entry",
        Rule::block => "a block `< … >`",
        Rule::map_body | Rule::body => "the block's contents",
        Rule::value | Rule::single | Rule::word | Rule::atom | Rule::bare => "a value",
        Rule::string | Rule::plain_string | Rule::raw_string => "a string",
        Rule::str_inner | Rule::raw_inner => "the rest of the string",
        Rule::call_tail | Rule::path_tail => return None,
        Rule::call_arg => "an argument",
        // Continuations of a value: never what a user is missing.
        Rule::range_tail | Rule::list_tail => return None,
        Rule::sep | Rule::nl => "a new line",
        Rule::file => "a statement",
        Rule::COMMENT | Rule::WHITESPACE => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> File {
        parse(FileId(0), src).unwrap_or_else(|d| panic!("{}", d.message))
    }

    #[test]
    fn design_card_one_liner_parses() {
        let f = p("cluster app < db myapp < user myapp_user grants connect,read > link minio >");
        assert_eq!(f.items.len(), 1);
        let Item::Stmt(c) = &f.items[0] else { panic!() };
        assert_eq!(c.head.text, "cluster");
        let b = c.block.as_ref().unwrap();
        assert_eq!(b.items.len(), 2);
        let Item::Stmt(db) = &b.items[0] else {
            panic!()
        };
        assert_eq!(db.head.text, "db");
        let Item::Stmt(user) = &db.block.as_ref().unwrap().items[0] else {
            panic!()
        };
        assert_eq!(user.args.len(), 3);
        assert!(matches!(&user.args[2].kind, ValueKind::List(v) if v.len() == 2));
        let Item::Stmt(link) = &b.items[1] else {
            panic!()
        };
        assert_eq!(link.head.text, "link");
    }

    #[test]
    fn maps_ranges_calls_and_comments() {
        let f = p(r#"
// top comment
cluster app <
  labels < team: platform, app.kubernetes.io/part-of: databases >
  resources cpu 500m..2000m memory 1Gi..4Gi  // request..limit
  admin admin password secret("adm", key: "pw")
  init_db """CREATE EXTENSION x;
SELECT 1;"""
>
"#);
        assert_eq!(f.comments.len(), 2);
        let Item::Stmt(c) = &f.items[0] else { panic!() };
        let items = &c.block.as_ref().unwrap().items;
        let Item::Stmt(labels) = &items[0] else {
            panic!()
        };
        assert!(labels.block.as_ref().unwrap().is_map);
        assert_eq!(labels.block.as_ref().unwrap().items.len(), 2);
        let Item::Stmt(res) = &items[1] else { panic!() };
        assert!(matches!(res.args[1].kind, ValueKind::Range(..)));
        let Item::Stmt(adm) = &items[2] else { panic!() };
        assert!(matches!(&adm.args[2].kind, ValueKind::Call { args, .. } if args.len() == 2));
        let Item::Stmt(init) = &items[3] else {
            panic!()
        };
        assert_eq!(
            init.args[0].as_text(),
            Some("CREATE EXTENSION x;\nSELECT 1;")
        );
    }

    #[test]
    fn syntax_error_names_what_was_expected() {
        let e = parse(FileId(0), "cluster app <\n  namespace db\n").unwrap_err();
        assert_eq!(e.code, codes::E0101);
        assert!(
            e.message.contains("found the end of the file"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("stmt"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_crash() {
        let src = "cluster a ".to_string() + &"< x ".repeat(100_000) + &">".repeat(100_000);
        let e = parse(FileId(0), &src).unwrap_err();
        assert_eq!(e.code, codes::E0101);
        assert!(e.message.contains("nested"));
        let calls = "x ".to_string() + &"f(".repeat(100_000);
        assert!(parse(FileId(0), &calls).is_err());
        // Within the bound, deep nesting parses.
        let ok = "c ".to_string() + &"< x ".repeat(60) + &">".repeat(60);
        assert!(parse(FileId(0), &ok).is_ok());
    }

    #[test]
    fn statement_spans_end_before_trailing_comments() {
        let f = p("a < x 1 // c\n y 2\n>");
        let Item::Stmt(s) = &f.items[0] else { panic!() };
        let spans: Vec<(u32, u32)> = s
            .block
            .as_ref()
            .unwrap()
            .items
            .iter()
            .map(|i| (i.span().start, i.span().end))
            .collect();
        assert_eq!(spans, vec![(4, 7), (14, 17)]);
    }

    #[test]
    fn string_escapes() {
        let f = p(r#"x "a\"b\\c\u{e9}""#);
        let Item::Stmt(s) = &f.items[0] else { panic!() };
        assert_eq!(s.args[0].as_text(), Some("a\"b\\cé"));
        let e = parse(FileId(0), r#"x "a\qb""#).unwrap_err();
        assert_eq!(e.code, codes::E0102);
        assert_eq!((e.span.start, e.span.end), (4, 6));
    }
}

#[cfg(test)]
mod parallel_tests {
    use super::*;

    /// A large file with everything that could fool the cutter: comments,
    /// strings holding `<` and newlines escapes, raw strings over lines,
    /// lists continued on the next line, calls over lines, one-liners.
    fn big() -> String {
        let mut s = String::new();
        let mut i = 0;
        while s.len() < 3 * PARALLEL_MIN {
            s.push_str(&format!(
                "// cluster {i} > with a comment <\n\
                 cluster c{i} < db d < user u grants connect,\n    read > link minio >\n\
                 bundle b{i} grants connect,\n  read\n\
                 cluster x{i} <\n  init_db \"SELECT '<' \\\"q\\\" \\n\"\n  init_db \"\"\"SELECT 1;\n> not a block\n\"\"\"\n\
                 \x20 db e < owner o password env(\n  \"V{i}\") >\n  labels < a: b, c: d >\n>\n"
            ));
            i += 1;
        }
        s
    }

    #[test]
    fn the_parallel_parse_equals_the_sequential_one() {
        let text = big();
        let cuts = split_points(&text, 4);
        assert!(cuts.len() > 3, "{cuts:?}");
        let par = parse(FileId(0), &text).unwrap();
        let (items, comments) = parse_part(FileId(0), &text, 0).unwrap();
        assert_eq!(format!("{:?}", par.items), format!("{items:?}"));
        assert_eq!(format!("{:?}", par.comments), format!("{comments:?}"));
    }

    #[test]
    fn a_syntax_error_in_a_large_file_is_the_sequential_one() {
        let mut text = big();
        let at = text.len() * 2 / 3;
        let nl = at + text[at..].find('\n').unwrap() + 1;
        text.insert_str(nl, "cluster bad < db >>\n");
        let e = parse(FileId(0), &text).unwrap_err();
        let e2 = parse_part(FileId(0), &text, 0).unwrap_err();
        assert_eq!(e.span, e2.span);
        assert_eq!(e.message, e2.message);
    }
}
