//! Hover text: takes a word's role (see `analysis`), gives markdown from the
//! schema tables (synopsis, doc, default, example), the flag table, or the
//! declaration a reference names.

use super::analysis::{Index, Role, Tok};
use super::flags::flag_doc;
use crate::schema::{Body, OptSpec, StmtSpec};
use crate::source::SourceFile;

/// The markdown shown when hovering `tok`.
pub fn hover_text(index: &Index, tok: &Tok, source: &SourceFile) -> Option<String> {
    match tok.role {
        Role::Stmt { within, spec } => {
            let mut s = stmt_text(None, spec);
            if within.kind != "file" {
                s.push_str(&format!("\n\n*In a `{}` block.*", within.kind));
            }
            Some(s)
        }
        Role::Variant { top, spec } => Some(stmt_text(Some(top), spec)),
        Role::Opt { stmt, top, opt } => Some(opt_text(top, stmt, opt)),
        Role::Flag => Some(match flag_doc(&tok.text) {
            Some(d) => format!("**`{}`**: permission flag\n\n{d}", tok.text),
            None => format!(
                "`{}` is not a permission flag; the flags are {}",
                tok.text,
                crate::schema::GRANT_FLAGS.join(", ")
            ),
        }),
        Role::Ref { kind } => {
            let mut s = format!("{kind} `{}`", tok.text);
            match index.resolve(tok) {
                Some(n) => {
                    let (line, _) = source.line_col(n.stmt.start as usize);
                    let text = source.text[n.stmt.range()].lines().next().unwrap_or("");
                    s.push_str(&format!(
                        ", declared on line {line}:\n\n```cnpg\n{}\n```",
                        text.trim()
                    ));
                }
                None if kind == "user" => s.push_str(" (a role cnpgc does not manage)"),
                None => s.push_str(": declared nowhere in this file"),
            }
            Some(s)
        }
        Role::Value { ty } => Some(format!("`{}`: {}", ty.name(), ty.describe())),
        Role::MapKey { ty } => Some(format!("a key; its value is {}", ty.describe())),
        Role::Keyword => Some(format!(
            "`{}`: the other cluster of the migration follows",
            tok.text
        )),
        Role::Unknown => None,
    }
}

/// A statement's synopsis, doc, default, example; a block's doc.
pub fn stmt_text(top: Option<&StmtSpec>, spec: &StmtSpec) -> String {
    let prefix = top.map(|t| format!("{} ", t.key)).unwrap_or_default();
    let mut s = format!("```cnpg\n{prefix}{}\n```\n\n{}", spec.synopsis(), spec.doc);
    if let Body::Block(b) = spec.body
        && b.doc != spec.doc
    {
        s.push_str(&format!("\n\n{}", b.doc));
    }
    if !spec.aliases.is_empty() {
        s.push_str(&format!(
            "\n\nAlso written `{}`.",
            spec.aliases.join("`, `")
        ));
    }
    if spec.required {
        s.push_str("\n\nRequired.");
    }
    if let Some(d) = spec.default {
        s.push_str(&format!("\n\nDefault: {d}."));
    }
    if spec.repeat {
        s.push_str("\n\nMay be repeated.");
    }
    if !spec.variants.is_empty() {
        let kinds: Vec<&str> = spec.variants.iter().map(|v| v.key).collect();
        s.push_str(&format!("\n\nKinds: `{}`.", kinds.join("`, `")));
    }
    if !spec.example.is_empty() {
        s.push_str(&format!("\n\nExample:\n\n```cnpg\n{}\n```", spec.example));
    }
    s
}

pub fn opt_text(top: &StmtSpec, stmt: &StmtSpec, opt: &OptSpec) -> String {
    let key = if std::ptr::eq(top, stmt) {
        stmt.key.to_string()
    } else {
        format!("{} {}", top.key, stmt.key)
    };
    let mut s = format!(
        "```cnpg\n{} <{}>\n```\n\nOption of `{key}`: {}\n\nValue: {}.",
        opt.key,
        opt.ty.name(),
        opt.doc,
        opt.ty.describe()
    );
    if let Some(d) = opt.default {
        s.push_str(&format!("\n\nDefault: {d}."));
    }
    if !opt.aliases.is_empty() {
        s.push_str(&format!("\n\nAlso written `{}`.", opt.aliases.join("`, `")));
    }
    s
}
