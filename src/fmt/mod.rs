//! The formatter: takes a source text, gives it in the one canonical layout,
//! every comment kept, or the syntax diagnostic when the text does not parse.
//! Pure: `cnpgc fmt` and the language server's document formatting call it.
//!
//! The canonical layout (docs/editor.md explains it with examples):
//!
//! - One item per line, indented two spaces per block level; tokens separated
//!   by one space; lists written `a, b, c`; ranges `a..b`; calls `f(a, k: b)`.
//! - A block opens on its statement's line (`db myapp <`) and closes with `>`
//!   on its own line, at the statement's indent.
//! - A block stays on one line (`db n8n < owner n8n >`, `labels < a: b, c: d >`)
//!   when it was on one line in the source, holds only items without blocks,
//!   and the whole line fits in [`MAX_WIDTH`] columns. Items of a one-line
//!   statement block are separated by `; `, entries of a map by `, `.
//! - In a run of consecutive one-line statements (no blank line or comment line
//!   between them), the keys of the statements without a block are padded to
//!   the longest, so their arguments start in one column.
//! - Trailing comments stay at the end of their line, two spaces after the code;
//!   in a run of consecutive lines that all end with a comment, the comments
//!   start in one column. Comment lines stay above the item they precede.
//! - Blank lines between items are kept, several collapsed into one; none at
//!   the start or the end of a block or of the file.
//! - Plain strings are re-escaped (`\\`, `\"`, `\n`, `\t`, `\r`, `\u{…}` for
//!   other control characters; everything else literal); `"""` raw strings are
//!   kept byte for byte, keys and words as written.
//!
//! Idempotent by construction: every decision depends only on the syntax tree
//! and on facts the output keeps (a block written on one line, blank lines,
//! comment positions).

use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::{self, ast::*};

/// Spaces per block level.
pub const INDENT: usize = 2;

/// The widest a one-line block may make its line (indent included).
pub const MAX_WIDTH: usize = 100;

/// Formats a whole file. A text that does not parse is not formatted: its
/// syntax diagnostic (file id 0) is returned instead.
pub fn format_source(text: &str) -> Result<String, Box<Diagnostic>> {
    let file = syntax::parse(FileId(0), text)?;
    Ok(format_file(&file, text))
}

/// Formats a parsed file; `text` is the source it was parsed from.
pub fn format_file(file: &File, text: &str) -> String {
    let mut f = Formatter {
        src: text,
        line_starts: line_starts(text),
        lines: Vec::new(),
        tokens: Vec::new(),
    };
    f.body(&file.items, 0);
    let mut comments: Vec<&Comment> = file.comments.iter().collect();
    comments.sort_by_key(|c| c.span.start);
    let tail = f.place_comments(&comments);
    f.render(&tail)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A statement written on one line (its block, if any, inline).
    Stmt,
    /// A map entry or an entry among statements.
    Entry,
    /// A statement whose block opens at the end of the line.
    Open,
    /// The `>` closing a block.
    Close,
}

/// A comment written on its own line.
#[derive(Debug)]
struct OwnLine {
    text: String,
    indent: usize,
    blank_before: bool,
    /// Where it was in the source.
    at: usize,
}

#[derive(Debug)]
struct Line {
    kind: Kind,
    indent: usize,
    /// The statement key (padded when aligned), or the whole text.
    head: String,
    /// What follows the key, without the separating space; may be empty.
    rest: String,
    blank_before: bool,
    /// A statement with a (one-line) block: never padded.
    has_block: bool,
    leading: Vec<OwnLine>,
    /// Comments after the code (offset in the source, text).
    trailing: Vec<(usize, String)>,
}

impl Line {
    fn code(&self, head_width: Option<usize>) -> String {
        let mut s = " ".repeat(self.indent);
        s.push_str(&self.head);
        if !self.rest.is_empty() {
            if let Some(w) = head_width {
                let n = self.head.chars().count();
                s.push_str(&" ".repeat(w.saturating_sub(n)));
            }
            s.push(' ');
            s.push_str(&self.rest);
        }
        s
    }

    fn single_line(&self) -> bool {
        !self.head.contains('\n') && !self.rest.contains('\n')
    }
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
            rest: String::new(),
            blank_before,
            has_block: false,
            leading: Vec::new(),
            trailing: Vec::new(),
        });
        self.lines.len() - 1
    }

    fn body(&mut self, items: &[Item], indent: usize) {
        for item in items {
            match item {
                Item::Stmt(s) => self.stmt(s, indent),
                Item::Entry(e) => {
                    let l = self.push_line(Kind::Entry, indent, e.span.start as usize);
                    let text = self.entry(e, l);
                    self.lines[l].head = text;
                }
            }
        }
    }

    fn stmt(&mut self, s: &Stmt, indent: usize) {
        let l = self.push_line(Kind::Stmt, indent, s.span.start as usize);
        self.tok(s.head.span, l);
        let mut rest = self.args(&s.args, l);
        if let Some(b) = &s.block {
            if !rest.is_empty() {
                rest.push(' ');
            }
            let one_line = self.one_line_block(indent, &s.head.text, &rest, b);
            match one_line {
                true => {
                    self.lines[l].has_block = true;
                    let inline = self.inline_block(b, l);
                    rest.push_str(&inline);
                }
                false => {
                    rest.push('<');
                    self.tok_at(b.span.start as usize, l);
                    self.lines[l].kind = Kind::Open;
                    self.lines[l].head = s.head.text.clone();
                    self.lines[l].rest = rest;
                    self.body(&b.items, indent + INDENT);
                    let c = self.push_line(Kind::Close, indent, b.span.end as usize - 1);
                    self.tok_at(b.span.end as usize - 1, c);
                    self.lines[c].head = ">".into();
                    return;
                }
            }
        }
        self.lines[l].head = s.head.text.clone();
        self.lines[l].rest = rest;
    }

    /// Whether a block is written on one line (see the module docs).
    fn one_line_block(&self, indent: usize, head: &str, before: &str, b: &Block) -> bool {
        if self.src[b.span.range()].contains('\n') {
            return false;
        }
        let simple = b.items.iter().all(|i| match i {
            Item::Stmt(s) => s.block.is_none(),
            Item::Entry(_) => true,
        });
        if !simple {
            return false;
        }
        let width =
            indent + head.chars().count() + 1 + before.chars().count() + inline_width(b, self.src);
        width <= MAX_WIDTH
    }

    fn inline_block(&mut self, b: &Block, l: usize) -> String {
        self.tok_at(b.span.start as usize, l);
        let mut parts = Vec::new();
        for item in &b.items {
            parts.push(match item {
                Item::Stmt(s) => {
                    self.tok(s.head.span, l);
                    let args = self.args(&s.args, l);
                    if args.is_empty() {
                        s.head.text.clone()
                    } else {
                        format!("{} {args}", s.head.text)
                    }
                }
                Item::Entry(e) => self.entry(e, l),
            });
        }
        self.tok_at(b.span.end as usize - 1, l);
        if parts.is_empty() {
            "< >".into()
        } else {
            let sep = if b.is_map { ", " } else { "; " };
            format!("< {} >", parts.join(sep))
        }
    }

    fn entry(&mut self, e: &Entry, l: usize) -> String {
        self.tok(e.key.span, l);
        let key = ident(&e.key);
        let value = self.value(&e.value, l);
        format!("{key}: {value}")
    }

    fn args(&mut self, args: &[Value], l: usize) -> String {
        let parts: Vec<String> = args.iter().map(|a| self.value(a, l)).collect();
        parts.join(" ")
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
            let before = self.tokens.partition_point(|t| t.start < at);
            let prev = before.checked_sub(1).map(|i| self.tokens[i]);
            if let Some(p) = prev
                && self.src_line(p.end.saturating_sub(1).max(p.start)) == self.src_line(at)
            {
                self.lines[p.line].trailing.push((at, c.text.clone()));
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
                        text: c.text.clone(),
                        indent,
                        blank_before,
                        at,
                    });
                }
                None => tail.push(OwnLine {
                    text: c.text.clone(),
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

    /// Statement keys padded per run; then the text of each line.
    fn render(&self, tail: &[OwnLine]) -> String {
        let n = self.lines.len();
        // Head alignment.
        let mut head_width: Vec<Option<usize>> = vec![None; n];
        let mut i = 0;
        while i < n {
            if !self.alignable(i) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n
                && self.alignable(j)
                && self.lines[j].indent == self.lines[i].indent
                && self.lines[j].leading.is_empty()
                && !self.lines[j].blank_before
            {
                j += 1;
            }
            let padded = |k: &usize| !self.lines[*k].rest.is_empty() && !self.lines[*k].has_block;
            let w = (i..j)
                .filter(padded)
                .map(|k| self.lines[k].head.chars().count())
                .max();
            for k in (i..j).filter(padded) {
                head_width[k] = w;
            }
            i = j;
        }
        let code: Vec<String> = (0..n).map(|k| self.lines[k].code(head_width[k])).collect();
        // Trailing comment columns.
        let mut comment_col: Vec<usize> = vec![0; n];
        let mut i = 0;
        while i < n {
            if !self.comment_alignable(i) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n
                && self.comment_alignable(j)
                && self.lines[j].indent == self.lines[i].indent
                && self.lines[j].leading.is_empty()
                && !self.lines[j].blank_before
            {
                j += 1;
            }
            let col = (i..j).map(|k| code[k].chars().count()).max().unwrap_or(0) + 2;
            for c in comment_col.iter_mut().take(j).skip(i) {
                *c = col;
            }
            i = j;
        }

        let mut out = String::new();
        // What was written last: nothing yet, an opening line, anything else.
        let mut after_open = true;
        for (k, line) in self.lines.iter().enumerate() {
            for c in &line.leading {
                own_line(&mut out, c, after_open);
                after_open = false;
            }
            if line.blank_before && !after_open && line.kind != Kind::Close {
                out.push('\n');
            }
            out.push_str(&code[k]);
            if let Some((_, t)) = line.trailing.first() {
                let width = code[k].rsplit('\n').next().unwrap_or("").chars().count();
                let pad = if comment_col[k] > width {
                    comment_col[k] - width
                } else {
                    2
                };
                out.push_str(&" ".repeat(pad));
                out.push_str(t);
            }
            out.push('\n');
            after_open = line.kind == Kind::Open;
        }
        for c in tail {
            own_line(&mut out, c, after_open);
            after_open = false;
        }
        out
    }

    fn alignable(&self, k: usize) -> bool {
        let l = &self.lines[k];
        l.kind == Kind::Stmt && l.single_line()
    }

    fn comment_alignable(&self, k: usize) -> bool {
        let l = &self.lines[k];
        l.trailing.len() == 1 && l.single_line()
    }
}

fn own_line(out: &mut String, c: &OwnLine, after_open: bool) {
    if c.blank_before && !after_open {
        out.push('\n');
    }
    out.push_str(&" ".repeat(c.indent));
    out.push_str(&c.text);
    out.push('\n');
}

/// The width of a block written on one line, `< … >` included.
fn inline_width(b: &Block, src: &str) -> usize {
    // The canonical text of each item is at most as wide as its source
    // without the padding: count it exactly by rendering.
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
        format_source(s).unwrap_or_else(|d| panic!("{}", d.message))
    }

    #[test]
    fn quote_escapes() {
        assert_eq!(quote("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u{1}é""#);
    }

    #[test]
    fn one_liner_expands_nested_blocks() {
        assert_eq!(
            fmt("cluster app < db myapp < user myapp_user grants connect,read > link minio >"),
            "cluster app <\n  db myapp < user myapp_user grants connect, read >\n  link minio\n>\n"
        );
    }
}
