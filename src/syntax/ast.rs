//! The untyped syntax tree: takes nothing, gives the types the parser builds.
//! Statements are `head arg* block?`, map entries are `key: value`; every node
//! carries its byte span. Meaning (which heads exist, what their arguments are)
//! is applied later by `check::bind` from the schema.

use crate::source::{FileId, Span};

/// One parsed file.
#[derive(Clone, Debug)]
pub struct File {
    pub id: FileId,
    pub items: Vec<Item>,
    pub comments: Vec<Comment>,
}

/// A `// …` comment, kept for the formatter.
#[derive(Clone, Debug)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug)]
pub enum Item {
    Stmt(Stmt),
    Entry(Entry),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Stmt(s) => s.span,
            Item::Entry(e) => e.span,
        }
    }
}

/// `head arg* < … >?`
#[derive(Clone, Debug)]
pub struct Stmt {
    pub head: Ident,
    pub args: Vec<Value>,
    pub block: Option<Block>,
    pub span: Span,
}

/// `< items >`
#[derive(Clone, Debug)]
pub struct Block {
    pub items: Vec<Item>,
    /// True when the body was parsed as a map (`< k: v, … >`).
    pub is_map: bool,
    pub span: Span,
}

/// `key: value`
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Ident,
    pub value: Value,
    pub span: Span,
}

/// A bare word or the text of a quoted key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
    pub quoted: bool,
}

#[derive(Clone, Debug)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    /// A bare word: `16.2`, `10Gi`, `myapp_user`, `u1.medium`.
    Word(String),
    /// A quoted string, escapes resolved. `raw` for `"""…"""`.
    Str { text: String, raw: bool },
    /// `std::presets`
    Path(String),
    /// `secret("name", key: "password")`
    Call { name: Ident, args: Vec<CallArg> },
    /// `500m..2000m`
    Range(Box<Value>, Box<Value>),
    /// `connect, read, write`
    List(Vec<Value>),
}

#[derive(Clone, Debug)]
pub struct CallArg {
    pub name: Option<Ident>,
    pub value: Value,
}

impl Value {
    /// The text of a word or string, if it is one.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Word(w) => Some(w),
            ValueKind::Str { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_word(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Word(w) => Some(w),
            _ => None,
        }
    }

    /// A short description for messages: "the word `x`", "a string", "a list"…
    pub fn describe(&self) -> String {
        match &self.kind {
            ValueKind::Word(w) => format!("`{w}`"),
            ValueKind::Str { .. } => "a string".into(),
            ValueKind::Path(p) => format!("the path `{p}`"),
            ValueKind::Call { name, .. } => format!("a call to `{}(…)`", name.text),
            ValueKind::Range(..) => "a range".into(),
            ValueKind::List(_) => "a list".into(),
        }
    }
}
