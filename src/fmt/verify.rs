//! The formatter's safety check: takes the tree a text was parsed to and the
//! formatted text, gives `Ok` when the formatted text parses to the same
//! items (spans aside) and keeps every comment, else what differs.

use crate::source::FileId;
use crate::syntax::{self, ast::*};

/// Whether `out` parses to the program `before` is, with its comments.
pub fn check(before: &File, out: &str) -> Result<(), String> {
    let after =
        syntax::parse(FileId(0), out).map_err(|d| format!("it does not parse: {}", d.message))?;
    if !same_program(before, &after) {
        return Err("its items differ".into());
    }
    if comments(before) != comments(&after) {
        return Err("its comments differ".into());
    }
    Ok(())
}

/// The text of every comment, sorted (the formatter may move a comment
/// above the statement it was inside).
fn comments(f: &File) -> Vec<&str> {
    let mut c: Vec<&str> = f.comments.iter().map(|c| c.text.trim_end()).collect();
    c.sort_unstable();
    c
}

/// Whether two trees hold the same items (every word, string, list and
/// block), whatever their layout.
pub fn same_program(a: &File, b: &File) -> bool {
    items(&a.items, &b.items)
}

fn items(a: &[Item], b: &[Item]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| item(x, y))
}

fn item(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::Stmt(x), Item::Stmt(y)) => {
            ident(&x.head, &y.head)
                && x.args.len() == y.args.len()
                && x.args.iter().zip(&y.args).all(|(p, q)| value(p, q))
                && match (&x.block, &y.block) {
                    (None, None) => true,
                    (Some(p), Some(q)) => p.is_map == q.is_map && items(&p.items, &q.items),
                    _ => false,
                }
        }
        (Item::Entry(x), Item::Entry(y)) => ident(&x.key, &y.key) && value(&x.value, &y.value),
        _ => false,
    }
}

fn ident(a: &Ident, b: &Ident) -> bool {
    a.text == b.text && a.quoted == b.quoted
}

fn value(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (ValueKind::Word(x), ValueKind::Word(y)) | (ValueKind::Path(x), ValueKind::Path(y)) => {
            x == y
        }
        (ValueKind::Str { text: x, raw: r }, ValueKind::Str { text: y, raw: s }) => {
            x == y && r == s
        }
        (ValueKind::Call { name: n, args: x }, ValueKind::Call { name: m, args: y }) => {
            ident(n, m)
                && x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| {
                    let names = match (&p.name, &q.name) {
                        (None, None) => true,
                        (Some(n), Some(m)) => ident(n, m),
                        _ => false,
                    };
                    names && value(&p.value, &q.value)
                })
        }
        (ValueKind::Range(x1, x2), ValueKind::Range(y1, y2)) => value(x1, y1) && value(x2, y2),
        (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| value(p, q))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> File {
        syntax::parse(FileId(0), s).unwrap()
    }

    #[test]
    fn a_layout_change_is_the_same_program() {
        let a = parse("cluster a < db x < owner o > link minio >");
        assert!(check(&a, "cluster a <\n  db x < owner o >\n  link   minio\n>\n").is_ok());
    }

    #[test]
    fn a_changed_word_string_or_comment_is_refused() {
        let a = parse("cluster a < db x > // c\n");
        assert!(check(&a, "cluster a < db y > // c\n").is_err());
        assert!(check(&a, "cluster a < db \"x\" > // c\n").is_err());
        assert!(check(&a, "cluster a < db x >\n").is_err());
        assert!(check(&a, "cluster a < db x; y > // c\n").is_err());
        let e = check(&a, "cluster a < db x // c\n").unwrap_err();
        assert!(e.contains("does not parse"), "{e}");
        let raw = parse("x \"\"\"a\nb\"\"\"\n");
        assert!(check(&raw, "x \"a\\nb\"\n").is_err());
    }
}
