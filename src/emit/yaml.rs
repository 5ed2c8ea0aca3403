//! YAML output: takes an ordered value tree, gives deterministic YAML text in
//! kubectl's layout (2-space maps, sequences at the parent's indent). Strings
//! are written plain only when no YAML 1.1 or 1.2 reader could take them for
//! anything else; otherwise double-quoted, or as `|` blocks when multi-line.
//! Written by hand for speed; tests check every output against serde_norway.

use std::borrow::Cow;

/// An ordered YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Str(Cow<'static, str>),
    Seq(Vec<Node>),
    Map(Map),
}

/// An ordered map; keys appear in insertion order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map(pub Vec<(Cow<'static, str>, Node)>);

impl Map {
    pub fn new() -> Map {
        Map(Vec::new())
    }

    /// Adds an entry.
    pub fn set(mut self, k: impl Into<Cow<'static, str>>, v: impl Into<Node>) -> Map {
        self.0.push((k.into(), v.into()));
        self
    }

    /// Adds an entry when the value is present.
    pub fn opt<V: Into<Node>>(self, k: impl Into<Cow<'static, str>>, v: Option<V>) -> Map {
        match v {
            Some(v) => self.set(k, v),
            None => self,
        }
    }

    /// Adds an entry when the condition holds.
    pub fn when(self, cond: bool, k: impl Into<Cow<'static, str>>, v: impl Into<Node>) -> Map {
        if cond { self.set(k, v) } else { self }
    }

    pub fn push(&mut self, k: impl Into<Cow<'static, str>>, v: impl Into<Node>) {
        self.0.push((k.into(), v.into()));
    }

    pub fn get(&self, k: &str) -> Option<&Node> {
        self.0.iter().find(|(key, _)| key == k).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, k: &str) -> Option<&mut Node> {
        self.0.iter_mut().find(|(key, _)| key == k).map(|(_, v)| v)
    }

    pub fn remove(&mut self, k: &str) -> Option<Node> {
        let i = self.0.iter().position(|(key, _)| key == k)?;
        Some(self.0.remove(i).1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Node {
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Follows a path of map keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in path {
            n = n.as_map()?.get(k)?;
        }
        Some(n)
    }
}

impl From<Map> for Node {
    fn from(m: Map) -> Node {
        Node::Map(m)
    }
}
impl From<&'static str> for Node {
    fn from(s: &'static str) -> Node {
        Node::Str(Cow::Borrowed(s))
    }
}
impl From<String> for Node {
    fn from(s: String) -> Node {
        Node::Str(Cow::Owned(s))
    }
}
impl From<&String> for Node {
    fn from(s: &String) -> Node {
        Node::Str(Cow::Owned(s.clone()))
    }
}
impl From<bool> for Node {
    fn from(b: bool) -> Node {
        Node::Bool(b)
    }
}
impl From<i64> for Node {
    fn from(i: i64) -> Node {
        Node::Int(i)
    }
}
impl From<u32> for Node {
    fn from(i: u32) -> Node {
        Node::Int(i as i64)
    }
}
impl From<Vec<Node>> for Node {
    fn from(v: Vec<Node>) -> Node {
        Node::Seq(v)
    }
}

/// A sequence of strings.
pub fn strs<I, S>(items: I) -> Node
where
    I: IntoIterator<Item = S>,
    S: Into<Node>,
{
    Node::Seq(items.into_iter().map(Into::into).collect())
}

/// Writes one document (no `---`).
pub fn write_doc(out: &mut String, node: &Node) {
    match node {
        Node::Map(m) if !m.is_empty() => write_map(out, m, 0),
        Node::Seq(s) if !s.is_empty() => write_seq(out, s, 0),
        other => {
            write_scalar(out, other, 0);
            out.push('\n');
        }
    }
}

/// Writes several documents separated by `---`.
pub fn write_docs(out: &mut String, docs: &[Node]) {
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        write_doc(out, d);
    }
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

fn write_map(out: &mut String, m: &Map, ind: usize) {
    for (i, (k, v)) in m.0.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        write_str(out, k, ind, true);
        out.push(':');
        write_value_after_key(out, v, ind);
    }
}

fn write_value_after_key(out: &mut String, v: &Node, ind: usize) {
    match v {
        Node::Map(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, ind + 2);
            write_map(out, m, ind + 2);
        }
        Node::Seq(s) if !s.is_empty() => {
            out.push('\n');
            indent(out, ind);
            write_seq(out, s, ind);
        }
        _ => {
            out.push(' ');
            write_scalar(out, v, ind + 2);
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, s: &[Node], ind: usize) {
    for (i, item) in s.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        out.push_str("- ");
        match item {
            Node::Map(m) if !m.is_empty() => write_map(out, m, ind + 2),
            Node::Seq(inner) if !inner.is_empty() => write_seq(out, inner, ind + 2),
            _ => {
                write_scalar(out, item, ind + 2);
                out.push('\n');
            }
        }
    }
}

/// A scalar (or an empty collection) at a position where `ind` is the
/// indentation its block-scalar lines would use.
fn write_scalar(out: &mut String, v: &Node, ind: usize) {
    match v {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => out.push_str(&i.to_string()),
        Node::Str(s) => write_str(out, s, ind, false),
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

fn write_str(out: &mut String, s: &str, ind: usize, is_key: bool) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if !is_key && is_block_safe(s) {
        out.push('|');
        if !s.ends_with('\n') {
            out.push('-');
        }
        for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(out, ind);
                out.push_str(line);
            }
        }
    } else {
        write_double_quoted(out, s);
    }
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    // Runs of characters that need no escape are copied whole.
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\t' => Some("\\t"),
            '\r' => Some("\\r"),
            c if (c as u32) < 0x20
                || c as u32 == 0x7f
                || matches!(c as u32, 0x80..=0x9f | 0x2028 | 0x2029 | 0xfeff) =>
            {
                out.push_str(&s[start..i]);
                out.push_str(&format!("\\u{:04x}", c as u32));
                start = i + c.len_utf8();
                continue;
            }
            _ => None,
        };
        if let Some(e) = esc {
            out.push_str(&s[start..i]);
            out.push_str(e);
            start = i + 1;
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Words YAML 1.1 or 1.2 resolve to booleans or null.
const RESERVED: &[&str] = &[
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
];

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false; // digits, signs, dots and indicators: numbers, dates, tags…
    }
    if s.ends_with(':') || s.ends_with('.') && s.len() == 1 {
        return false;
    }
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ok = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'_' | b'-' | b'.' | b'/' | b'@' | b'+' | b'=' | b'(' | b')' | b'~' | b'$' | b'^'
            )
            || (b == b':' && bytes.get(i + 1).is_some_and(|n| *n != b' '));
        if !ok {
            return false;
        }
    }
    s.len() > 5 || !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

fn is_block_safe(s: &str) -> bool {
    if !s.contains('\n') || s.ends_with("\n\n") {
        return false;
    }
    let bad_ascii = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f;
    if s.bytes().any(bad_ascii)
        || (!s.is_ascii()
            && s.chars()
                .any(|c| c.is_control() || matches!(c as u32, 0x2028 | 0x2029 | 0xfeff)))
    {
        return false;
    }
    // The first non-empty line decides the indentation: it must not start with a blank.
    match s.split('\n').find(|l| !l.is_empty()) {
        Some(l) => !l.starts_with(' ') && !l.starts_with('\t'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_json(n: &Node) -> serde_json::Value {
        match n {
            Node::Null => serde_json::Value::Null,
            Node::Bool(b) => (*b).into(),
            Node::Int(i) => (*i).into(),
            Node::Str(s) => s.to_string().into(),
            Node::Seq(s) => s.iter().map(to_json).collect::<Vec<_>>().into(),
            Node::Map(m) => serde_json::Value::Object(
                m.0.iter()
                    .map(|(k, v)| (k.to_string(), to_json(v)))
                    .collect(),
            ),
        }
    }

    fn roundtrip(n: &Node) {
        let mut s = String::new();
        write_doc(&mut s, n);
        let back: serde_json::Value =
            serde_norway::from_str(&s).unwrap_or_else(|e| panic!("{e}\n{s}"));
        assert_eq!(back, to_json(n), "\n{s}");
    }

    #[test]
    fn layout_is_kubectl_like() {
        let n: Node = Map::new()
            .set("apiVersion", "v1")
            .set("kind", "ConfigMap")
            .set(
                "metadata",
                Map::new().set("name", "x").set("labels", Map::new()),
            )
            .set("items", strs(["a", "b"]))
            .set(
                "list",
                Node::Seq(vec![Map::new().set("k", 1i64).set("v", true).into()]),
            )
            .set("sql", "SELECT 1;\nSELECT 2;\n")
            .into();
        let mut s = String::new();
        write_doc(&mut s, &n);
        assert_eq!(
            s,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {}\nitems:\n- a\n- b\nlist:\n- k: 1\n  v: true\nsql: |\n  SELECT 1;\n  SELECT 2;\n"
        );
        roundtrip(&n);
    }

    #[test]
    fn tricky_strings_survive() {
        let tricky = [
            "",
            " ",
            "yes",
            "No",
            "ON",
            "null",
            "~",
            "1",
            "0x1f",
            "1e3",
            "1_000",
            "16.2",
            ".5",
            "-1",
            "+1",
            "2024-01-01",
            "12:30",
            "a: b",
            "a #b",
            "#x",
            "- x",
            "x:",
            "*",
            "&a",
            "!tag",
            "%x",
            "@x",
            "`x",
            "'q'",
            "\"dq\"",
            "a\\b",
            "tab\there",
            "multi\nline",
            "multi\nline\n",
            "trailing\n\n",
            "\n lead",
            " lead",
            "trail ",
            "é ü 日本",
            "x\"; DROP TABLE t; --",
            "a\u{7f}b",
            "a\u{85}b",
            "line\r\nfeed",
            "{a}",
            "[a]",
            "a,b",
            "a|b",
            ">x",
            "=",
            "<<",
            "true\n",
            "  indented\nblock",
            "ok\n  more\n",
        ];
        for t in tricky {
            let n: Node = Map::new()
                .set("k", Node::Str(t.to_string().into()))
                .set("seq", Node::Seq(vec![Node::Str(t.to_string().into())]))
                .set(t.to_string(), "v")
                .into();
            roundtrip(&n);
        }
    }
}
