//! Schema building blocks: block, statement, argument and option specs.

use super::types::Ty;

/// What a block kind (`cluster`, `db`, `link minio`, …) may contain.
#[derive(Debug)]
pub struct BlockSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    pub stmts: &'static [StmtSpec],
}

impl BlockSpec {
    pub fn stmt(&self, key: &str) -> Option<&'static StmtSpec> {
        // SAFETY of lifetimes: specs are all 'static tables.
        let stmts: &'static [StmtSpec] = self.stmts;
        stmts
            .iter()
            .find(|s| s.key == key || s.aliases.contains(&key))
    }

    pub fn keys(&self) -> Vec<&'static str> {
        let stmts: &'static [StmtSpec] = self.stmts;
        stmts.iter().map(|s| s.key).collect()
    }
}

/// How a statement's block (`< … >`) is read.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// No block allowed.
    None,
    /// A block of statements, optional.
    Block(&'static BlockSpec),
    /// A map `< key: value, … >` whose values have this type, optional.
    Map(Ty),
}

/// One statement kind: `key arg… option value… < … >`.
#[derive(Debug)]
pub struct StmtSpec {
    pub key: &'static str,
    /// Other spellings accepted for the key (seed 000's names, e.g. `psql_version`).
    pub aliases: &'static [&'static str],
    pub doc: &'static str,
    pub args: &'static [ArgSpec],
    pub opts: &'static [OptSpec],
    pub body: Body,
    /// May appear more than once in a block.
    pub repeat: bool,
    /// Must appear (after profiles and environments are merged).
    pub required: bool,
    /// What applies when the statement is left out (documentation).
    pub default: Option<&'static str>,
    pub example: &'static str,
    /// For statements whose first word picks a kind (`link minio …`): the kinds.
    pub variants: &'static [StmtSpec],
}

impl StmtSpec {
    pub fn opt(&self, key: &str) -> Option<&'static OptSpec> {
        let opts: &'static [OptSpec] = self.opts;
        opts.iter()
            .find(|o| o.key == key || o.aliases.contains(&key))
    }

    pub fn variant(&self, key: &str) -> Option<&'static StmtSpec> {
        let vs: &'static [StmtSpec] = self.variants;
        vs.iter().find(|v| v.key == key || v.aliases.contains(&key))
    }

    /// `key <arg> [option <value>]…` for messages and hover.
    pub fn synopsis(&self) -> String {
        let mut s = self.key.to_string();
        if !self.variants.is_empty() {
            s.push_str(" <kind> …");
            return s;
        }
        for a in self.args {
            if a.required {
                s.push_str(&format!(" <{}>", a.name));
            } else {
                s.push_str(&format!(" [{}]", a.name));
            }
        }
        for o in self.opts {
            if matches!(o.ty, Ty::Bool) {
                s.push_str(&format!(" [{}]", o.key));
            } else {
                s.push_str(&format!(" [{} <{}>]", o.key, o.ty.name()));
            }
        }
        match self.body {
            Body::None => {}
            Body::Block(b) => s.push_str(&format!(" < {} … >", b.kind)),
            Body::Map(_) => s.push_str(" < key: value, … >"),
        }
        s
    }
}

#[derive(Debug)]
pub struct ArgSpec {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

#[derive(Debug)]
pub struct OptSpec {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub ty: Ty,
    pub doc: &'static str,
    pub default: Option<&'static str>,
}

/// A statement spec with the common fields defaulted.
pub const fn stmt(key: &'static str, doc: &'static str) -> StmtSpec {
    StmtSpec {
        key,
        aliases: &[],
        doc,
        args: &[],
        opts: &[],
        body: Body::None,
        repeat: false,
        required: false,
        default: None,
        example: "",
        variants: &[],
    }
}

pub const fn arg(name: &'static str, ty: Ty) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: true,
    }
}

pub const fn opt_arg(name: &'static str, ty: Ty) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: false,
    }
}

pub const fn opt(key: &'static str, ty: Ty, doc: &'static str) -> OptSpec {
    OptSpec {
        key,
        aliases: &[],
        ty,
        doc,
        default: None,
    }
}
