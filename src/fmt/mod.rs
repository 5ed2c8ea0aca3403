//! The formatter: takes a source text, gives it in the one canonical layout,
//! every comment kept, or why it was not formatted (the syntax diagnostic
//! when the text does not parse). Pure: `cnpgc fmt` and the language server's
//! document formatting call it.
//!
//! The canonical layout is the one a careful author writes by hand
//! (docs/editor.md shows it with examples):
//!
//! - One item per line, indented two spaces per block level; tokens separated
//!   by one space; lists written `a, b, c`; ranges `a..b`; calls `f(a, k: b)`.
//! - Line breaks are the author's: a block written on one line stays on one
//!   line (nested blocks included, as in the design card's one-liner
//!   `cluster app < db myapp < … > link minio >`) while that line fits in
//!   [`MAX_WIDTH`] columns; a block written over several lines is written one
//!   item per line, opened on its statement's line and closed by `>` on its
//!   own line at the statement's indent.
//! - Alignment, as gofmt and taplo do it, within a *run*: consecutive one-line
//!   items of a block with no blank line or comment line between them
//!   (see [`layout`]): keys padded to one column; consecutive statements with
//!   the same key form a table whose arguments are aligned column by column
//!   (the preset table, `db NAME < … >` rows, `link app …` rows); map entries'
//!   values aligned after `key:`; trailing comments in one column.
//! - Blank lines between items are kept, several collapsed into one; none at
//!   the start or the end of a block or of the file.
//! - Plain strings are re-escaped (`\\`, `\"`, `\n`, `\t`, `\r`, `\u{…}` for
//!   other control characters; everything else literal); `"""` raw strings are
//!   kept byte for byte, keys and words as written.
//! - Line endings: the file's own (CRLF when its first line ends with CRLF,
//!   else LF), the same on every line.
//!
//! Idempotent by construction: every decision depends only on the syntax tree
//! and on facts the output keeps (a block written on one line, blank lines,
//! comment positions). And safe: the text written is parsed again and must
//! give the same items and the same comments ([`verify`]), or nothing is
//! formatted.

mod layout;
mod verify;

use crate::diag::Diagnostic;
use crate::schema::{self, BlockSpec, Body};
use crate::source::{FileId, Span};
use crate::syntax::{self, ast::*};
use layout::{Kind, Line, OwnLine};

pub use verify::same_program;

/// Spaces per block level.
pub const INDENT: usize = 2;

/// The widest a line holding a one-line block may be (indent included,
/// alignment padding and trailing comment not counted).
pub const MAX_WIDTH: usize = 120;

/// Why a text was not formatted.
#[derive(Debug)]
pub enum FmtError {
    /// It does not parse: its syntax diagnostic (file id 0).
    Syntax(Box<Diagnostic>),
    /// The formatted text would not parse back to the same program (a bug in
    /// the formatter; the text is left as it is): what differs.
    Unstable(String),
}

impl FmtError {
    /// One line for a user.
    pub fn message(&self) -> String {
        match self {
            FmtError::Syntax(d) => format!("{} (it does not parse)", d.message),
            FmtError::Unstable(why) => format!(
                "the formatted text would not give the same program ({why}); left as it is. \
                 This is a bug in cnpgc's formatter: please report it with the file"
            ),
        }
    }
}

/// Formats a whole file. A text that does not parse is not formatted (its
/// syntax diagnostic is returned), nor one whose formatted text would not
/// parse back to the same program.
pub fn format_source(text: &str) -> Result<String, FmtError> {
    let file = syntax::parse(FileId(0), text).map_err(FmtError::Syntax)?;
    let out = format_file(&file, text);
    verify::check(&file, &out).map_err(FmtError::Unstable)?;
    Ok(out)
}

/// Formats a parsed file; `text` is the source it was parsed from. Not
/// verified: [`format_source`] is the safe entry point.
pub fn format_file(file: &File, text: &str) -> String {
    let mut f = Formatter {
        src: text,
        line_starts: line_starts(text),
        lines: Vec::new(),
        tokens: Vec::new(),
    };
    f.body(&file.items, 0, Some(&schema::TOP));
    let mut comments: Vec<&Comment> = file.comments.iter().collect();
    comments.sort_by_key(|c| c.span.start);
    let tail = f.place_comments(&comments);
    let out = layout::render(&f.lines, &tail);
    if crlf(text) { to_crlf(&out) } else { out }
}

/// Whether the file's first line ends with CRLF.
fn crlf(text: &str) -> bool {
    text.find('\n').is_some_and(|i| text[..i].ends_with('\r'))
}

/// Every LF not already preceded by CR becomes CRLF.
fn to_crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let mut prev = '\0';
    for c in s.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// A token written to the output: its source range and output line.
#[derive(Clone, Copy, Debug)]
struct Tok {
    start: usize,
    end: usize,
    line: usize,
}

struct Formatter<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    lines: Vec<Line>,
    tokens: Vec<Tok>,
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

impl Formatter<'_> {
    fn src_line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Whether the thing at `offset` is the first on its source line and the
    /// line before it is blank.
    fn blank_before(&self, offset: usize) -> bool {
        let line = self.src_line(offset);
        let start = self.line_starts[line];
        if !self.src[start..offset].trim().is_empty() || line == 0 {
            return false;
        }
        let prev = &self.src[self.line_starts[line - 1]..start];
        prev.trim().is_empty()
    }

    fn tok(&mut self, span: Span, line: usize) {
        self.tokens.push(Tok {
            start: span.start as usize,
            end: span.end as usize,
            line,
        });
    }

    /// A one-character token at `offset` (`<`, `>`, `)`).
    fn tok_at(&mut self, offset: usize, line: usize) {
        self.tokens.push(Tok {
            start: offset,
            end: offset + 1,
            line,
        });
    }

    fn push_line(&mut self, kind: Kind, indent: usize, at: usize) -> usize {
        let blank_before = kind != Kind::Close && self.blank_before(at);
        self.lines.push(Line {
            kind,
            indent,
            head: String::new(),
            cells: Vec::new(),
            kinded: false,
            blank_before,
            leading: Vec::new(),
            trailing: Vec::new(),
        });
        self.lines.len() - 1
    }

    /// The items of a block; `within` is its spec when the schema knows it.
    fn body(&mut self, items: &[Item], indent: usize, within: Option<&'static BlockSpec>) {
        for item in items {
            match item {
                Item::Stmt(s) => self.stmt(s, indent, within),
                Item::Entry(e) => {
                    let l = self.push_line(Kind::Entry, indent, e.span.start as usize);
                    self.tok(e.key.span, l);
                    let value = self.value(&e.value, l);
                    self.lines[l].head = format!("{}:", ident(&e.key));
                    self.lines[l].cells = vec![value];
                }
            }
        }
    }

    fn stmt(&mut self, s: &Stmt, indent: usize, within: Option<&'static BlockSpec>) {
        let l = self.push_line(Kind::Stmt, indent, s.span.start as usize);
        self.tok(s.head.span, l);
        let mut cells: Vec<String> = s.args.iter().map(|a| self.value(a, l)).collect();
        self.lines[l].head = s.head.text.clone();
        // What the schema says of the statement: whether its first word is a
        // kind (`link minio`), and the spec of its block.
        let mut spec = within.and_then(|b| b.stmt(&s.head.text));
        if let Some(top) = spec.filter(|t| !t.variants.is_empty()) {
            self.lines[l].kinded = true;
            spec = s
                .args
                .first()
                .and_then(|v| v.as_word())
                .and_then(|w| top.variant(w));
        }
        let inner = match spec.map(|s| &s.body) {
            Some(Body::Block(b)) => Some(*b),
            _ => None,
        };
        let Some(b) = &s.block else {
            self.lines[l].cells = cells;
            return;
        };
        if self.one_line_block(indent, &s.head.text, &cells, b) {
            let inline = self.inline_block(b, l);
            cells.push(inline);
            self.lines[l].cells = cells;
            return;
        }
        cells.push("<".into());
        self.tok_at(b.span.start as usize, l);
        self.lines[l].kind = Kind::Open;
        self.lines[l].cells = cells;
        self.body(&b.items, indent + INDENT, inner);
        let c = self.push_line(Kind::Close, indent, b.span.end as usize - 1);
        self.tok_at(b.span.end as usize - 1, c);
        self.lines[c].head = ">".into();
    }

    /// Whether a block is written on one line: it was, and the line fits.
    fn one_line_block(&self, indent: usize, head: &str, cells: &[String], b: &Block) -> bool {
        if self.src[b.span.range()].contains('\n') {
            return false;
        }
        let before: usize = cells.iter().map(|c| c.chars().count() + 1).sum();
        let width = indent + head.chars().count() + before + 1 + inline_width(b, self.src);
        width <= MAX_WIDTH
    }

    /// A block on one line, nested blocks included: `< a b; c d >`,
    /// `< k: v, k2: v2 >`, `< db x < owner o > link minio >`.
    fn inline_block(&mut self, b: &Block, l: usize) -> String {
        self.tok_at(b.span.start as usize, l);
        let mut out = String::from("<");
        let mut after_block = false;
        for (i, item) in b.items.iter().enumerate() {
            if i > 0 {
                // After a block's `>` the next statement needs no separator.
                out.push_str(match (b.is_map, after_block) {
                    (true, _) => ",",
                    (false, true) => "",
                    (false, false) => ";",
                });
            }
            out.push(' ');
            after_block = false;
            match item {
                Item::Stmt(s) => {
                    self.tok(s.head.span, l);
                    out.push_str(&s.head.text);
                    for a in &s.args {
                        out.push(' ');
                        let v = self.value(a, l);
                        out.push_str(&v);
                    }
                    if let Some(inner) = &s.block {
                        out.push(' ');
                        let v = self.inline_block(inner, l);
                        out.push_str(&v);
                        after_block = true;
                    }
                }
                Item::Entry(e) => {
                    self.tok(e.key.span, l);
                    out.push_str(&ident(&e.key));
                    out.push_str(": ");
                    let v = self.value(&e.value, l);
                    out.push_str(&v);
                }
            }
        }
        self.tok_at(b.span.end as usize - 1, l);
        out.push_str(" >");
        out
    }

    fn value(&mut self, v: &Value, l: usize) -> String {
        match &v.kind {
            ValueKind::Word(w) | ValueKind::Path(w) => {
                self.tok(v.span, l);
                w.clone()
            }
            ValueKind::Str { text, raw } => {
                self.tok(v.span, l);
                if *raw {
                    format!("\"\"\"{text}\"\"\"")
                } else {
                    quote(text)
                }
            }
            ValueKind::Call { name, args } => {
                self.tok(name.span, l);
                let mut parts = Vec::new();
                for a in args {
                    let mut s = String::new();
                    if let Some(n) = &a.name {
                        self.tok(n.span, l);
                        s.push_str(&n.text);
                        s.push_str(": ");
                    }
                    s.push_str(&self.value(&a.value, l));
                    parts.push(s);
                }
                self.tok_at(v.span.end as usize - 1, l);
                format!("{}({})", name.text, parts.join(", "))
            }
            ValueKind::Range(a, b) => {
                let a = self.value(a, l);
                let b = self.value(b, l);
                format!("{a}..{b}")
            }
            ValueKind::List(items) => {
                let parts: Vec<String> = items.iter().map(|i| self.value(i, l)).collect();
                parts.join(", ")
            }
        }
    }

    /// Attaches every comment to a line: a comment after code on its source
    /// line trails the output line of that code; a comment on its own line
    /// goes above the output line of the next token (inside a block when that
    /// token is the block's `>`). Gives the comments after the last token.
    fn place_comments(&mut self, comments: &[&Comment]) -> Vec<OwnLine> {
        let mut tail = Vec::new();
        for c in comments {
            let at = c.span.start as usize;
            // A CR before the LF (a CRLF file) is not part of the comment.
            let text = c.text.trim_end().to_string();
            let before = self.tokens.partition_point(|t| t.start < at);
            let prev = before.checked_sub(1).map(|i| self.tokens[i]);
            if let Some(p) = prev
                && self.src_line(p.end.saturating_sub(1).max(p.start)) == self.src_line(at)
            {
                self.lines[p.line].trailing.push((at, text));
                continue;
            }
            let blank_before = self.blank_before(at);
            match self.tokens.get(before).copied() {
                Some(next) => {
                    let line = &mut self.lines[next.line];
                    let indent = if line.kind == Kind::Close {
                        line.indent + INDENT
                    } else {
                        line.indent
                    };
                    line.leading.push(OwnLine {
                        text,
                        indent,
                        blank_before,
                        at,
                    });
                }
                None => tail.push(OwnLine {
                    text,
                    indent: 0,
                    blank_before,
                    at,
                }),
            }
        }
        // A line keeps one trailing comment, the last of its comments in the
        // source; the others go above it, in source order.
        for line in &mut self.lines {
            let last_trailing = line.trailing.last().map(|t| t.0);
            let last_leading = line.leading.last().map(|c| c.at);
            let keep = match (last_trailing, last_leading) {
                (Some(t), l) if l.is_none_or(|l| l < t) => line.trailing.pop(),
                _ => None,
            };
            for (at, text) in line.trailing.drain(..) {
                line.leading.push(OwnLine {
                    text,
                    indent: line.indent,
                    blank_before: false,
                    at,
                });
            }
            line.leading.sort_by_key(|c| c.at);
            line.trailing.extend(keep);
        }
        tail
    }
}

/// The width of a block written on one line, `< … >` included.
fn inline_width(b: &Block, src: &str) -> usize {
    let mut f = Formatter {
        src,
        line_starts: vec![0],
        lines: Vec::new(),
        tokens: Vec::new(),
    };
    f.inline_block(b, 0).chars().count()
}

fn ident(i: &Ident) -> String {
    if i.quoted {
        quote(&i.text)
    } else {
        i.text.clone()
    }
}

/// A plain string literal with the canonical escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format_source(s).unwrap_or_else(|e| panic!("{}", e.message()))
    }

    #[test]
    fn quote_escapes() {
        assert_eq!(quote("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u{1}é""#);
    }

    #[test]
    fn the_design_cards_one_liner_stays() {
        assert_eq!(
            fmt("cluster app < db myapp < user myapp_user grants connect,read > link minio >"),
            "cluster app < db myapp < user myapp_user grants connect, read > link minio >\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf_everywhere() {
        let out = fmt("// c\r\ncluster a <\r\n  db x   // d\r\n>\r\n");
        assert_eq!(out, "// c\r\ncluster a <\r\n  db x  // d\r\n>\r\n");
        let lf = fmt("cluster a <\n  db x\n>\n");
        assert!(!lf.contains('\r'));
    }
}
