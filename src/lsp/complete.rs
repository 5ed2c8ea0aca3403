//! Completion: takes the current text (which may not parse), a cursor offset
//! and the names of the last good parse, gives candidates. The context comes
//! from a tolerant scan of the text before the cursor (blocks opened and not
//! closed, the words of the statement being written), so completion works
//! while a block is still open or a line half written:
//!
//! - at the start of a statement: the statements the enclosing block allows;
//! - after `link`: the link kinds;
//! - after an option key: what its type takes (flags after `grants`, db names
//!   after `to`, store names after `from`, role names after `user`, words of
//!   an enum, `true`/`false`, secret sources);
//! - after a comma in a list of flags: the flags not yet listed;
//! - where a positional argument names something (`user NAME` in a db,
//!   `link migration-db from CLUSTER`): the names in scope;
//! - otherwise: the options of the statement not given yet.

use super::analysis::Index;
use super::flags::flag_doc;
use super::hover::{opt_text, stmt_text};
use crate::schema::{self, BlockSpec, Body, StmtSpec, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CandKind {
    Statement,
    LinkKind,
    Option,
    Flag,
    Name,
    Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub label: String,
    pub kind: CandKind,
    pub detail: Option<String>,
    /// Markdown.
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum T {
    Word(String),
    /// A string, a call or another value that is not a bare word.
    Other,
    Comma,
    Open,
    Close,
    Sep,
    Newline,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/+@*%=?!$.".contains(c) || !c.is_ascii()
}

/// The tokens before `offset`, or `None` when the cursor is inside a string,
/// a comment or a call. The word being typed at the cursor is left out.
fn lex(text: &str, offset: usize) -> Option<Vec<T>> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let text = &text[..offset];
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut parens = 0usize;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') && (i == 0 || b[i - 1].is_ascii_whitespace()) => {
                match text[i..].find('\n') {
                    Some(n) => i += n,
                    None => return None,
                }
                continue;
            }
            b'"' if text[i..].starts_with("\"\"\"") => {
                match text[i + 3..].find("\"\"\"") {
                    Some(n) => i += 3 + n + 3,
                    None => return None,
                }
                if parens == 0 {
                    out.push(T::Other);
                }
                continue;
            }
            b'"' => {
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None | Some(b'\n') => return None,
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        _ => j += 1,
                    }
                }
                i = j + 1;
                if parens == 0 {
                    out.push(T::Other);
                }
                continue;
            }
            b'(' => parens += 1,
            b')' => parens = parens.saturating_sub(1),
            _ if parens > 0 => {}
            b'\n' => out.push(T::Newline),
            b';' => out.push(T::Sep),
            b',' => out.push(T::Comma),
            b'<' => out.push(T::Open),
            b'>' => out.push(T::Close),
            b' ' | b'\t' | b'\r' => {}
            b':' => out.push(T::Other),
            _ => {
                let start = i;
                let len: usize = text[i..]
                    .chars()
                    .take_while(|&ch| is_word_char(ch))
                    .map(char::len_utf8)
                    .sum();
                if len == 0 {
                    i += text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                    continue;
                }
                i += len;
                if i == b.len() {
                    // The word under the cursor: being typed.
                    break;
                }
                if b.get(i) == Some(&b'(') {
                    out.push(T::Other);
                } else {
                    out.push(T::Word(text[start..i].to_string()));
                }
                continue;
            }
        }
        i += 1;
    }
    if parens > 0 {
        return None;
    }
    Some(out)
}

/// An open block: its spec (`None`: unknown or a map) and its cluster.
#[derive(Clone)]
struct Frame {
    spec: Option<&'static BlockSpec>,
    cluster: Option<String>,
}

/// Candidates at `offset` in `text`; `index` is the last good parse.
pub fn complete(text: &str, offset: usize, index: &Index) -> Vec<Candidate> {
    let Some(toks) = lex(text, offset) else {
        return Vec::new();
    };
    let mut stack = vec![Frame {
        spec: Some(&schema::TOP),
        cluster: None,
    }];
    let mut current: Vec<T> = Vec::new();
    for t in toks {
        match t {
            T::Open => {
                let top = stack.last().unwrap().clone();
                let frame = match top.spec {
                    Some(b) => open_block(b, &current, top.cluster),
                    None => Frame {
                        spec: None,
                        cluster: top.cluster,
                    },
                };
                stack.push(frame);
                current.clear();
            }
            T::Close => {
                if stack.len() > 1 {
                    stack.pop();
                }
                current.clear();
            }
            T::Sep => current.clear(),
            T::Newline => {
                if current.last() != Some(&T::Comma) {
                    current.clear();
                }
            }
            t => current.push(t),
        }
    }
    let frame = stack.last().unwrap();
    let Some(block) = frame.spec else {
        return Vec::new();
    };
    let scope = Scope {
        index,
        cluster: frame.cluster.as_deref(),
    };
    in_statement(block, &current, &scope)
}

/// The frame a `<` opens, after the words of the statement before it.
fn open_block(b: &'static BlockSpec, words: &[T], cluster: Option<String>) -> Frame {
    let Some((top, spec, args)) = last_statement(b, words) else {
        return Frame {
            spec: None,
            cluster,
        };
    };
    let cluster = if top.key == "cluster" && std::ptr::eq(b, &schema::TOP) {
        match args.first() {
            Some(T::Word(w)) => Some(w.clone()),
            _ => None,
        }
    } else {
        cluster
    };
    let spec = match spec.body {
        Body::Block(inner) => Some(inner),
        _ => None,
    };
    Frame { spec, cluster }
}

/// The statement the last of `words` belongs to (a line may hold several):
/// its top spec, its spec (the kind for `link minio`) and the tokens after its
/// key (and kind).
fn last_statement<'t>(
    b: &'static BlockSpec,
    words: &'t [T],
) -> Option<(&'static StmtSpec, &'static StmtSpec, &'t [T])> {
    let T::Word(head) = words.first()? else {
        return None;
    };
    let top = b.stmt(head)?;
    let mut spec = top;
    let mut rest = &words[1..];
    if !top.variants.is_empty() {
        let T::Word(kind) = rest.first()? else {
            return None;
        };
        spec = top.variant(kind)?;
        rest = &rest[1..];
    }
    // A key of the block further on starts another statement.
    for (i, t) in rest.iter().enumerate() {
        if let T::Word(w) = t
            && spec.opt(w).is_none()
            && w != head
            && b.stmt(w).is_some()
        {
            return last_statement(b, &rest[i..]);
        }
    }
    Some((top, spec, rest))
}

fn in_statement(block: &'static BlockSpec, current: &[T], scope: &Scope) -> Vec<Candidate> {
    if current.is_empty() {
        return statements(block);
    }
    let T::Word(head) = &current[0] else {
        return Vec::new();
    };
    let Some(top) = block.stmt(head) else {
        return Vec::new();
    };
    if !top.variants.is_empty() && current.len() == 1 {
        return top
            .variants
            .iter()
            .map(|v| Candidate {
                label: v.key.to_string(),
                kind: CandKind::LinkKind,
                detail: Some(format!("{} {}", top.key, v.synopsis())),
                doc: Some(stmt_text(Some(top), v)),
            })
            .collect();
    }
    let Some((top, spec, rest)) = last_statement(block, current) else {
        return Vec::new();
    };
    // After a comma: more of the list before it.
    if rest.last() == Some(&T::Comma) {
        let mut list = Vec::new();
        let mut j = rest.len();
        while j >= 2 && rest[j - 1] == T::Comma {
            if let T::Word(w) = &rest[j - 2] {
                list.push(w.as_str());
            }
            j -= 2;
        }
        let owner = match j.checked_sub(1).map(|k| &rest[k]) {
            Some(T::Word(w)) => spec.opt(w.as_str()).map(|o| o.ty),
            None => spec.args.first().map(|a| a.ty),
            _ => None,
        };
        return match owner {
            Some(ty) => values(ty, &list, scope),
            None => Vec::new(),
        };
    }
    // Right after an option key.
    if let Some(T::Word(w)) = rest.last()
        && let Some(o) = spec.opt(w)
        && o.ty != Ty::Bool
    {
        return values(o.ty, &[], scope);
    }
    // `link migration-db from |`
    let cluster_arg = spec
        .args
        .first()
        .is_some_and(|a| a.ty == Ty::Ref("cluster"));
    let keyword =
        cluster_arg && matches!(rest.first(), Some(T::Word(k)) if k == "from" || k == "to");
    let used_opts: Vec<&str> = rest
        .iter()
        .filter_map(|t| match t {
            T::Word(w) => spec.opt(w).map(|o| o.key),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    // The next positional argument, when nothing but arguments came yet.
    let given = rest.iter().filter(|t| !matches!(t, T::Comma)).count() - usize::from(keyword);
    if used_opts.is_empty()
        && let Some(a) = spec.args.get(given)
    {
        let ty = match (block.kind, spec.key, a.name) {
            ("db" | "cluster", "user" | "owner" | "admin", "name") => Ty::Ref("user"),
            _ => a.ty,
        };
        out.extend(values(ty, &[], scope));
        if cluster_arg && rest.is_empty() {
            let word = if spec.key == "db-migration" {
                "to"
            } else {
                "from"
            };
            out.push(Candidate {
                label: word.into(),
                kind: CandKind::Value,
                detail: Some(format!("{} {} {word} CLUSTER", top.key, spec.key)),
                doc: None,
            });
        }
        if a.required {
            return out;
        }
    }
    for o in spec.opts {
        if used_opts.contains(&o.key) {
            continue;
        }
        out.push(Candidate {
            label: o.key.to_string(),
            kind: CandKind::Option,
            detail: Some(format!("{} <{}>", o.key, o.ty.name())),
            doc: Some(opt_text(top, spec, o)),
        });
    }
    out
}

fn statements(block: &'static BlockSpec) -> Vec<Candidate> {
    block
        .stmts
        .iter()
        .map(|s| Candidate {
            label: s.key.to_string(),
            kind: CandKind::Statement,
            detail: Some(s.synopsis()),
            doc: Some(stmt_text(None, s)),
        })
        .collect()
}

struct Scope<'a> {
    index: &'a Index,
    /// The name of the enclosing cluster.
    cluster: Option<&'a str>,
}

impl Scope<'_> {
    fn names(&self, kind: &str) -> Vec<String> {
        if kind == "cluster" {
            return self
                .index
                .cluster_names()
                .into_iter()
                .filter(|n| Some(*n) != self.cluster)
                .map(str::to_string)
                .collect();
        }
        let Some(c) = self.cluster.and_then(|n| self.index.cluster_named(n)) else {
            return Vec::new();
        };
        let list = match kind {
            "db" => &c.dbs,
            "store" => &c.stores,
            "user" => &c.users,
            _ => return Vec::new(),
        };
        list.iter().map(|n| n.name.clone()).collect()
    }
}

/// What a value of type `ty` may be, leaving out `given` (items already in the list).
fn values(ty: Ty, given: &[&str], scope: &Scope) -> Vec<Candidate> {
    let words = |ws: &[&str], kind: CandKind, detail: String| -> Vec<Candidate> {
        ws.iter()
            .filter(|w| !given.contains(w))
            .map(|w| Candidate {
                label: w.to_string(),
                kind,
                detail: Some(detail.clone()),
                doc: None,
            })
            .collect()
    };
    match ty {
        Ty::Grants => schema::GRANT_FLAGS
            .iter()
            .filter(|f| !given.contains(f))
            .map(|f| Candidate {
                label: f.to_string(),
                kind: CandKind::Flag,
                detail: Some("permission flag".into()),
                doc: flag_doc(f).map(str::to_string),
            })
            .collect(),
        Ty::List(inner) => values(*inner, given, scope),
        Ty::Ref(kind) => {
            let names = scope.names(kind);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            words(&names, CandKind::Name, kind.to_string())
        }
        Ty::Enum(vs) => words(vs, CandKind::Value, ty.name()),
        Ty::Bool => words(&["true", "false"], CandKind::Value, ty.name()),
        Ty::Rotation => words(schema::ROTATION_WORDS, CandKind::Value, ty.name()),
        Ty::Secret => words(
            &["generated", "secret(\"\")", "env(\"\")", "file(\"\")"],
            CandKind::Value,
            ty.name(),
        ),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    /// Labels at `|` (the end when there is none); names come from the text
    /// itself when it parses.
    fn labels(src: &str) -> Vec<String> {
        let (text, at) = match src.find('|') {
            Some(i) => (src.replacen('|', "", 1), i),
            None => (src.to_string(), src.len()),
        };
        let index = crate::syntax::parse(FileId(0), &text)
            .map(|f| Index::build(&f))
            .unwrap_or_default();
        complete(&text, at, &index)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    fn has(l: &[String], w: &str) -> bool {
        l.iter().any(|x| x == w)
    }

    #[test]
    fn statements_of_the_enclosing_block() {
        let l = labels("cluster a <\n  db x <\n    |\n  >\n>\n");
        assert!(has(&l, "user") && has(&l, "owner"), "{l:?}");
        assert!(!has(&l, "namespace"));
        // An unclosed block still counts.
        let l = labels("cluster a <\n  db x <\n    us|");
        assert!(has(&l, "user"), "{l:?}");
        let top = labels("|");
        assert!(has(&top, "cluster") && !has(&top, "db"), "{top:?}");
    }

    #[test]
    fn flags_kinds_and_names() {
        let l = labels("cluster a <\n  db x < user u grants | >\n>\n");
        assert!(has(&l, "connect"), "{l:?}");
        let l = labels("cluster a <\n  db x < user u grants connect, | >\n>\n");
        assert!(has(&l, "read") && !has(&l, "connect"), "{l:?}");
        let l = labels("cluster a <\n  link |\n>\n");
        assert!(has(&l, "minio") && has(&l, "app"), "{l:?}");
        let l = labels("cluster a <\n  db x\n  db y\n  link app web to |\n>\n");
        assert_eq!(l, vec!["x".to_string(), "y".to_string()]);
        let l = labels("cluster a <\n  link minio backups\n  pitr p < from | >\n>\n");
        assert_eq!(l, vec!["backups".to_string()]);
        let l = labels("cluster old < db x >\ncluster a <\n  link migration-db from |\n>\n");
        assert_eq!(l, vec!["old".to_string()]);
        let l = labels("cluster a <\n  db x < reclaim | >\n>\n");
        assert_eq!(l, vec!["retain".to_string(), "delete".to_string()]);
        let l = labels("cluster a <\n  user deb replication\n  db x < user | >\n>\n");
        assert_eq!(l, vec!["deb".to_string()]);
    }

    #[test]
    fn options_of_the_statement() {
        let l = labels("cluster a <\n  storage 10Gi |\n>\n");
        assert!(has(&l, "class") && has(&l, "resize"), "{l:?}");
        let l = labels("cluster a <\n  storage 10Gi class x |\n>\n");
        assert!(!has(&l, "class"), "{l:?}");
        // Inside a string, a comment or a call: nothing.
        assert!(labels("cluster a < init_db \"sel|\" >").is_empty());
        assert!(labels("// cl|").is_empty());
        assert!(labels("cluster a < admin x password env(|) >").is_empty());
    }
}
