//! What the words of a parsed file mean: takes a syntax tree and the schema,
//! gives every word with its role (statement key, link kind, option, value of
//! a type, permission flag, reference to a name) and the names each cluster
//! declares (databases, object stores, roles). Hover and go-to-definition read
//! it. Tolerant like the binder: an unknown word is marked and the walk goes on.

use crate::schema::{self, BlockSpec, Body, OptSpec, StmtSpec, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, Item, Value, ValueKind};

/// What a word is.
#[derive(Clone, Copy, Debug)]
pub enum Role {
    /// A statement key: the head of a statement, or a key further on the line
    /// (`from backups backup_id x`).
    Stmt {
        within: &'static BlockSpec,
        spec: &'static StmtSpec,
    },
    /// The kind word of a statement with kinds (`link minio`).
    Variant {
        top: &'static StmtSpec,
        spec: &'static StmtSpec,
    },
    /// An option key.
    Opt {
        stmt: &'static StmtSpec,
        top: &'static StmtSpec,
        opt: &'static OptSpec,
    },
    /// A value of this type.
    Value { ty: Ty },
    /// A permission flag after `grants`.
    Flag,
    /// The name of something declared elsewhere: `db`, `store`, `user`, `cluster`.
    Ref { kind: &'static str },
    /// `from` / `to` before the cluster of a migration link.
    Keyword,
    /// A map key (`labels < team: … >`).
    MapKey { ty: Ty },
    /// A word the schema does not know here.
    Unknown,
}

/// One word (or value) of the file.
#[derive(Clone, Debug)]
pub struct Tok {
    pub span: Span,
    pub role: Role,
    pub text: String,
    /// Index of the enclosing cluster in [`Index::clusters`].
    pub cluster: Option<usize>,
}

/// A declared name and where it is declared.
#[derive(Clone, Debug)]
pub struct Named {
    pub name: String,
    /// What go-to-definition selects: the name in its declaration.
    pub span: Span,
    /// The whole declaring statement.
    pub stmt: Span,
}

/// The names declared by one cluster.
#[derive(Clone, Debug, Default)]
pub struct ClusterScope {
    pub decl: Option<Named>,
    pub dbs: Vec<Named>,
    /// Object store links, by name (`link minio backups`, or `minio`).
    pub stores: Vec<Named>,
    /// Roles, each at the place that defines it (see [`RoleRank`]).
    pub users: Vec<Named>,
}

/// Every word of a file with its role, and the names in scope.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Sorted by start.
    pub toks: Vec<Tok>,
    pub clusters: Vec<ClusterScope>,
}

/// How a role name is mentioned: lower wins as its definition, in the order
/// `check::lower` applies (a cluster-level `user` defines the role, then a
/// `user` or `owner` with role options, then `admin`, then the first mention).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RoleRank {
    ClusterUser,
    WithOptions,
    Admin,
    Mention,
}

struct Walker {
    toks: Vec<Tok>,
    clusters: Vec<ClusterScope>,
    roles: Vec<(RoleRank, Named)>,
    cluster: Option<usize>,
}

impl Index {
    pub fn build(file: &ast::File) -> Index {
        let mut w = Walker {
            toks: Vec::new(),
            clusters: Vec::new(),
            roles: Vec::new(),
            cluster: None,
        };
        w.items(&file.items, &schema::TOP);
        w.finish_cluster();
        w.toks.sort_by_key(|t| (t.span.start, t.span.end));
        Index {
            toks: w.toks,
            clusters: w.clusters,
        }
    }

    /// The word at a byte offset (a cursor right after a word counts).
    pub fn at(&self, offset: usize) -> Option<&Tok> {
        let i = self
            .toks
            .partition_point(|t| (t.span.start as usize) <= offset);
        let mut best: Option<&Tok> = None;
        for t in self.toks[..i].iter().rev().take(8) {
            if !t.span.contains(offset) {
                continue;
            }
            // The innermost (shortest) wins.
            if best.is_none_or(|b| t.span.end - t.span.start < b.span.end - b.span.start) {
                best = Some(t);
            }
        }
        best
    }

    pub fn cluster_named(&self, name: &str) -> Option<&ClusterScope> {
        self.clusters
            .iter()
            .find(|c| c.decl.as_ref().is_some_and(|d| d.name == name))
    }

    pub fn cluster_names(&self) -> Vec<&str> {
        self.clusters
            .iter()
            .filter_map(|c| c.decl.as_ref().map(|d| d.name.as_str()))
            .collect()
    }

    /// Where the name a reference names is declared: in the reference's own
    /// cluster first, then in the others.
    pub fn resolve(&self, tok: &Tok) -> Option<&Named> {
        let Role::Ref { kind } = tok.role else {
            return None;
        };
        if kind == "cluster" {
            return self
                .clusters
                .iter()
                .filter_map(|c| c.decl.as_ref())
                .find(|d| d.name == tok.text);
        }
        let own = tok.cluster.map(|i| &self.clusters[i]);
        for c in own.into_iter().chain(self.clusters.iter()) {
            let list = match kind {
                "db" => &c.dbs,
                "store" => &c.stores,
                "user" => &c.users,
                _ => return None,
            };
            if let Some(n) = list.iter().find(|n| n.name == tok.text) {
                return Some(n);
            }
        }
        None
    }
}

impl Walker {
    fn tok(&mut self, span: Span, role: Role, text: &str) {
        self.toks.push(Tok {
            span,
            role,
            text: text.to_string(),
            cluster: self.cluster,
        });
    }

    fn finish_cluster(&mut self) {
        let Some(c) = self.cluster.take() else { return };
        let mut roles = std::mem::take(&mut self.roles);
        roles.sort_by_key(|(rank, n)| (*rank, n.stmt.start));
        let mut users: Vec<Named> = Vec::new();
        for (_, n) in roles {
            if !users.iter().any(|u| u.name == n.name) {
                users.push(n);
            }
        }
        self.clusters[c].users = users;
    }

    fn items(&mut self, items: &[Item], within: &'static BlockSpec) {
        for item in items {
            match item {
                Item::Stmt(s) => self.stmt(&s.head, &s.args, s.block.as_ref(), s.span, within),
                Item::Entry(e) => self.tok(e.key.span, Role::Unknown, &e.key.text),
            }
        }
    }

    /// One statement (and the statements that follow it on its line), read
    /// the way `check::bind` reads it.
    fn stmt(
        &mut self,
        head: &ast::Ident,
        args: &[Value],
        block: Option<&ast::Block>,
        span: Span,
        within: &'static BlockSpec,
    ) {
        let Some(top) = within.stmt(&head.text) else {
            self.tok(head.span, Role::Unknown, &head.text);
            self.unknown_values(args);
            return;
        };
        if std::ptr::eq(within, &schema::TOP) && top.key == "cluster" {
            self.finish_cluster();
            self.clusters.push(ClusterScope::default());
            self.cluster = Some(self.clusters.len() - 1);
        }
        self.tok(head.span, Role::Stmt { within, spec: top }, &head.text);
        let mut spec = top;
        let mut rest = args;
        if !top.variants.is_empty() {
            match rest.first().and_then(|v| v.as_word().map(|w| (v, w))) {
                Some((v, w)) => match top.variant(w) {
                    Some(vs) => {
                        self.tok(v.span, Role::Variant { top, spec: vs }, w);
                        spec = vs;
                        rest = &rest[1..];
                    }
                    None => {
                        self.tok(v.span, Role::Unknown, w);
                        self.unknown_values(&rest[1..]);
                        return;
                    }
                },
                None => {
                    self.unknown_values(rest);
                    return;
                }
            }
        }
        let is_key = |v: &Value| {
            v.as_word().is_some_and(|w| {
                spec.opt(w).is_some() || (within.stmt(w).is_some() && w != head.text)
            })
        };
        // `link migration-db from CLUSTER`, `link db-migration to CLUSTER`.
        if spec
            .args
            .first()
            .is_some_and(|a| a.ty == Ty::Ref("cluster"))
            && let Some(w) = rest.first().and_then(|v| v.as_word())
            && (w == "from" || w == "to")
            && rest.len() > 1
        {
            self.tok(rest[0].span, Role::Keyword, w);
            rest = &rest[1..];
        }
        let mut i = 0;
        let mut positional: Vec<Option<&Value>> = Vec::new();
        for a in spec.args {
            match rest.get(i) {
                Some(v) if !is_key(v) || a.required => {
                    let ty = match (within.kind, spec.key, a.name) {
                        ("db" | "cluster", "user" | "owner" | "admin", "name") => Ty::Ref("user"),
                        _ => a.ty,
                    };
                    self.value(v, ty);
                    positional.push(Some(v));
                    i += 1;
                }
                _ => positional.push(None),
            }
        }
        let mut has_role_opts = false;
        while i < rest.len() {
            let v = &rest[i];
            let Some(w) = v.as_word() else {
                i += 1;
                continue;
            };
            if let Some(o) = spec.opt(w) {
                self.tok(
                    v.span,
                    Role::Opt {
                        stmt: spec,
                        top,
                        opt: o,
                    },
                    w,
                );
                if o.key != "grants" {
                    has_role_opts = true;
                }
                i += 1;
                if o.ty == Ty::Bool {
                    if rest
                        .get(i)
                        .and_then(|n| n.as_word())
                        .is_some_and(|n| crate::check::values::boolean(n).is_some())
                    {
                        self.value(&rest[i], Ty::Bool);
                        i += 1;
                    }
                } else if let Some(n) = rest.get(i).filter(|n| !is_key(n)) {
                    let ty = if o.key == "in" {
                        Ty::List(&Ty::Ref("user"))
                    } else {
                        o.ty
                    };
                    self.value(n, ty);
                    i += 1;
                }
                continue;
            }
            if within.stmt(w).is_some() && w != head.text {
                let d = Decl {
                    within,
                    top,
                    spec,
                    span,
                    has_role_opts,
                    head_span: head.span,
                };
                self.declare(&d, &positional);
                let sub = ast::Ident {
                    text: w.to_string(),
                    span: v.span,
                    quoted: false,
                };
                let sub_span = Span {
                    start: v.span.start,
                    ..span
                };
                self.stmt(&sub, &rest[i + 1..], block, sub_span, within);
                return;
            }
            self.tok(v.span, Role::Unknown, w);
            i += 1;
        }
        let d = Decl {
            within,
            top,
            spec,
            span,
            has_role_opts,
            head_span: head.span,
        };
        self.declare(&d, &positional);
        let Some(b) = block else { return };
        match spec.body {
            Body::Block(bs) => self.items(&b.items, bs),
            Body::Map(ty) => {
                for item in &b.items {
                    if let Item::Entry(e) = item {
                        self.tok(e.key.span, Role::MapKey { ty }, &e.key.text);
                        self.value(&e.value, ty);
                    }
                }
            }
            Body::None => {}
        }
    }

    /// Records the names a statement declares.
    fn declare(&mut self, d: &Decl, positional: &[Option<&Value>]) {
        let first = positional.first().copied().flatten();
        let named = |v: &Value| {
            v.as_text().map(|t| Named {
                name: t.to_string(),
                span: v.span,
                stmt: d.span,
            })
        };
        match (d.within.kind, d.top.key, d.spec.key) {
            ("file", "cluster", _) => {
                if let (Some(c), Some(n)) = (self.cluster, first.and_then(named)) {
                    self.clusters[c].decl = Some(n);
                }
            }
            ("cluster", "db", _) => {
                if let (Some(c), Some(n)) = (self.cluster, first.and_then(named)) {
                    self.clusters[c].dbs.push(n);
                }
            }
            ("cluster", "link", kind @ ("minio" | "seaweedfs")) => {
                let n = first.and_then(named).unwrap_or_else(|| Named {
                    name: kind.to_string(),
                    span: d.head_span,
                    stmt: d.span,
                });
                if let Some(c) = self.cluster {
                    self.clusters[c].stores.push(n);
                }
            }
            (block, "user" | "owner" | "admin", _) => {
                let rank = match (block, d.top.key) {
                    ("cluster", "user") => RoleRank::ClusterUser,
                    ("cluster", "admin") => RoleRank::Admin,
                    _ if d.has_role_opts => RoleRank::WithOptions,
                    _ => RoleRank::Mention,
                };
                if let Some(n) = first.and_then(named) {
                    self.roles.push((rank, n));
                }
            }
            _ => {}
        }
    }

    fn unknown_values(&mut self, vs: &[Value]) {
        for v in vs {
            if let Some(w) = v.as_word() {
                self.tok(v.span, Role::Unknown, w);
            }
        }
    }

    fn value(&mut self, v: &Value, ty: Ty) {
        match (&v.kind, ty) {
            (ValueKind::List(items), Ty::Grants) => {
                for it in items {
                    self.value(it, Ty::Grants);
                }
            }
            (ValueKind::List(items), Ty::List(inner)) => {
                for it in items {
                    self.value(it, *inner);
                }
            }
            (_, Ty::List(inner)) => self.value(v, *inner),
            (ValueKind::Word(w), Ty::Grants) => self.tok(v.span, Role::Flag, w),
            (ValueKind::Word(w), Ty::Ref(kind)) => self.tok(v.span, Role::Ref { kind }, w),
            (ValueKind::Str { text, .. }, Ty::Ref(kind)) => {
                self.tok(v.span, Role::Ref { kind }, text)
            }
            (ValueKind::Range(a, b), _) => {
                self.tok(a.span, Role::Value { ty }, a.as_text().unwrap_or_default());
                self.tok(b.span, Role::Value { ty }, b.as_text().unwrap_or_default());
            }
            _ => {
                let text = v.as_text().unwrap_or_default().to_string();
                self.tok(v.span, Role::Value { ty }, &text);
            }
        }
    }
}

/// A statement whose names [`Walker::declare`] records.
struct Decl {
    within: &'static BlockSpec,
    top: &'static StmtSpec,
    spec: &'static StmtSpec,
    span: Span,
    has_role_opts: bool,
    head_span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn index(src: &str) -> Index {
        Index::build(&crate::syntax::parse(FileId(0), src).unwrap())
    }

    fn tok_at<'a>(ix: &'a Index, src: &str, needle: &str, nth: usize) -> &'a Tok {
        let at = src.match_indices(needle).nth(nth).unwrap().0;
        ix.at(at).unwrap()
    }

    #[test]
    fn roles_of_words() {
        let src = "cluster a <\n  db app < user u grants connect, read >\n  link minio backups\n  pitr p < from backups backup_id b1 >\n  link app web to app user u\n>\n";
        let ix = index(src);
        assert!(
            matches!(tok_at(&ix, src, "db", 0).role, Role::Stmt { spec, .. } if spec.key == "db")
        );
        assert!(matches!(tok_at(&ix, src, "read", 0).role, Role::Flag));
        assert!(
            matches!(tok_at(&ix, src, "minio", 0).role, Role::Variant { spec, .. } if spec.key == "minio")
        );
        assert!(
            matches!(tok_at(&ix, src, "backup_id", 0).role, Role::Stmt { spec, .. } if spec.key == "backup_id")
        );
        // References resolve to their declarations.
        let to_app = tok_at(&ix, src, "app user", 0);
        let db = ix.resolve(to_app).unwrap();
        assert_eq!(&src[db.span.range()], "app");
        assert_eq!(src[..db.span.start as usize].matches('\n').count(), 1);
        let from = tok_at(&ix, src, "backups", 1);
        let store = ix.resolve(from).unwrap();
        assert_eq!(src[..store.span.start as usize].matches('\n').count(), 2);
    }

    #[test]
    fn a_role_is_defined_where_its_options_are_set() {
        let src = "cluster a <\n  db x < user u grants connect >\n  db y < user u password generated grants read >\n  db z < owner u >\n>\n";
        let ix = index(src);
        let mention = tok_at(&ix, src, "u grants connect", 0);
        let def = ix.resolve(mention).unwrap();
        assert_eq!(src[..def.span.start as usize].matches('\n').count(), 2);
        let src = "cluster a <\n  db x < owner o >\n  user o replication\n>\n";
        let ix = index(src);
        let def = ix.resolve(tok_at(&ix, src, "o >", 0)).unwrap();
        assert_eq!(src[..def.span.start as usize].matches('\n').count(), 2);
    }

    #[test]
    fn migration_source_resolves_to_the_cluster() {
        let src = "cluster old < db x >\ncluster new <\n  link migration-db from old\n>\n";
        let ix = index(src);
        let t = tok_at(&ix, src, "old", 1);
        assert!(matches!(
            tok_at(&ix, src, "from", 0).role,
            Role::Keyword | Role::Opt { .. }
        ));
        let c = ix.resolve(t).unwrap();
        assert_eq!(c.span.start, 8);
    }
}
