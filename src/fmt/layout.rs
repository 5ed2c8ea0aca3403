//! Layout of the formatter's lines: takes the output lines (indent, key,
//! cells, comments), gives the text with the alignment of runs.
//!
//! A *run* is a sequence of consecutive one-line items (statements, map
//! entries) at one indent with no blank line and no comment line between
//! them; an opened block (`db x <` … `>`) ends a run. In a run:
//!
//! - the keys of the items that have arguments are padded to the longest, so
//!   that the arguments start in one column (`key:` for a map entry, so its
//!   value is aligned), except a named block written on one line
//!   (`db shop < owner o >`): a declaration among settings;
//! - consecutive statements with the same key (and the same kind, for
//!   `link KIND …`) form a table: their arguments
//!   are aligned column by column the way gofmt's tabwriter aligns cells, a
//!   column spanning the consecutive rows that have a cell there *and
//!   something after it* (the last cell of a row is never padded) and, past
//!   the first column, the same word before it (see [`table`]);
//! - trailing comments start in one column, two spaces after the widest line
//!   that has one (lines without a comment do not break the column).
//!
//! Everything outside a run (an opening or closing line, a line holding a
//! multi-line raw string) is written unpadded, a trailing comment two spaces
//! after its code.

/// What an output line holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A statement written on one line (its block, if any, inline).
    Stmt,
    /// A map entry (or an entry among statements).
    Entry,
    /// A statement whose block opens at the end of the line.
    Open,
    /// The `>` closing a block.
    Close,
}

/// A comment written on its own line.
#[derive(Debug)]
pub struct OwnLine {
    pub text: String,
    pub indent: usize,
    pub blank_before: bool,
    /// Where it was in the source.
    pub at: usize,
}

#[derive(Debug)]
pub struct Line {
    pub kind: Kind,
    pub indent: usize,
    /// The statement key, `key:` of an entry, or `>`.
    pub head: String,
    /// The arguments, then an inline block (`< … >`) or the `<` that opens
    /// the block.
    pub cells: Vec<String>,
    /// A statement whose first word is a kind (`link minio …`): rows of a
    /// table have the same key and the same kind.
    pub kinded: bool,
    pub blank_before: bool,
    pub leading: Vec<OwnLine>,
    /// The comment after the code (offset in the source, text); at most one
    /// once comments are placed.
    pub trailing: Vec<(usize, String)>,
}

impl Line {
    fn single_line(&self) -> bool {
        !self.head.contains('\n') && self.cells.iter().all(|c| !c.contains('\n'))
    }

    /// Whether the key is padded in a run: the item has arguments, and is not
    /// a named block on one line (`db shop < … >`, `link s3 backups < … >`),
    /// which reads as a declaration, not a setting (`labels < … >` is one).
    fn keyed(&self) -> bool {
        let named_block = self.kind == Kind::Stmt
            && self.cells.len() >= 2
            && self.cells.last().is_some_and(|c| c.starts_with('<'));
        !self.cells.is_empty() && !named_block
    }

    fn alignable(&self) -> bool {
        matches!(self.kind, Kind::Stmt | Kind::Entry) && self.single_line()
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The ranges of lines that form runs (one line alone is a run too).
fn runs(lines: &[Line]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].alignable() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len()
            && lines[j].alignable()
            && lines[j].indent == lines[i].indent
            && lines[j].leading.is_empty()
            && !lines[j].blank_before
        {
            j += 1;
        }
        out.push((i, j));
        i = j;
    }
    out
}

/// Padded widths: of the key, of each cell (`None`: not padded).
struct Pads {
    head: Option<usize>,
    cells: Vec<Option<usize>>,
}

fn pads(lines: &[Line]) -> Vec<Pads> {
    let mut p: Vec<Pads> = lines
        .iter()
        .map(|l| Pads {
            head: None,
            cells: vec![None; l.cells.len()],
        })
        .collect();
    for (i, j) in runs(lines) {
        // Keys.
        let keyed = |k: &usize| lines[*k].keyed();
        let key = (i..j).filter(keyed).map(|k| width(&lines[k].head)).max();
        for k in (i..j).filter(keyed) {
            p[k].head = key;
        }
        // Tables: consecutive statements with the same key (and kind).
        let row_key = |l: &Line| {
            let kind = if l.kinded { l.cells.first() } else { None };
            (l.kind, l.head.clone(), kind.cloned())
        };
        let mut a = i;
        while a < j {
            let mut b = a + 1;
            while b < j && row_key(&lines[b]) == row_key(&lines[a]) {
                b += 1;
            }
            if lines[a].kind == Kind::Stmt && b - a >= 2 {
                table(&lines[a..b], &mut p[a..b]);
            }
            a = b;
        }
    }
    p
}

/// Aligns the cells of a table's rows, tabwriter-style: column `c` over a
/// block of consecutive rows that have something after cell `c`, and (past
/// the first column) the same word in cell `c - 1`, the key the values of
/// column `c` belong to (`cpu 250m` over `cpu 1`). Rows that differ there
/// (`grants readonly` under `password env(…)`) are not forced into columns.
fn table(rows: &[Line], pads: &mut [Pads]) {
    let columns = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    for c in 0..columns {
        let padded = |r: &Line| r.cells.len() > c + 1;
        let key = |r: &Line| c.checked_sub(1).map(|k| r.cells[k].clone());
        let mut a = 0;
        while a < rows.len() {
            if !padded(&rows[a]) {
                a += 1;
                continue;
            }
            let mut b = a + 1;
            while b < rows.len() && padded(&rows[b]) && key(&rows[b]) == key(&rows[a]) {
                b += 1;
            }
            if b - a >= 2 {
                let w = (a..b).map(|k| width(&rows[k].cells[c])).max();
                for pad in &mut pads[a..b] {
                    pad.cells[c] = w;
                }
            }
            a = b;
        }
    }
}

fn code(line: &Line, pads: &Pads) -> String {
    let mut s = " ".repeat(line.indent);
    s.push_str(&line.head);
    if line.cells.is_empty() {
        return s;
    }
    if let Some(w) = pads.head {
        s.push_str(&" ".repeat(w.saturating_sub(width(&line.head))));
    }
    for (c, w) in line.cells.iter().zip(&pads.cells) {
        s.push(' ');
        s.push_str(c);
        if let Some(w) = w {
            s.push_str(&" ".repeat(w.saturating_sub(width(c))));
        }
    }
    s
}

/// The text of the lines, and of the comments after the last of them.
pub fn render(lines: &[Line], tail: &[OwnLine]) -> String {
    let pads = pads(lines);
    let code: Vec<String> = lines.iter().zip(&pads).map(|(l, p)| code(l, p)).collect();
    // Trailing comment columns, per run.
    let mut comment_col: Vec<Option<usize>> = vec![None; lines.len()];
    for (i, j) in runs(lines) {
        let col = (i..j)
            .filter(|&k| !lines[k].trailing.is_empty())
            .map(|k| width(&code[k]))
            .max();
        for c in &mut comment_col[i..j] {
            *c = col.map(|w| w + 2);
        }
    }

    let mut out = String::new();
    // What was written last: nothing yet or an opening line (no blank line
    // may follow), or anything else.
    let mut after_open = true;
    for (k, line) in lines.iter().enumerate() {
        for c in &line.leading {
            own_line(&mut out, c, after_open);
            after_open = false;
        }
        if line.blank_before && !after_open && line.kind != Kind::Close {
            out.push('\n');
        }
        out.push_str(&code[k]);
        if let Some((_, t)) = line.trailing.first() {
            let last = code[k].rsplit('\n').next().unwrap_or("");
            let w = width(last);
            let col = comment_col[k].unwrap_or(w + 2).max(w + 2);
            out.push_str(&" ".repeat(col - w));
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

fn own_line(out: &mut String, c: &OwnLine, after_open: bool) {
    if c.blank_before && !after_open {
        out.push('\n');
    }
    out.push_str(&" ".repeat(c.indent));
    out.push_str(&c.text);
    out.push('\n');
}
