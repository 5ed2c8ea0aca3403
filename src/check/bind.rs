//! Binding: takes the untyped syntax tree and the schema, gives bound
//! statements (known keys, typed values, spans) and a diagnostic for every
//! unknown key, bad value or misplaced argument. Binding never stops at the
//! first error: a bad statement is reported and left out, the rest goes on.

use crate::diag::{Diagnostic, Diagnostics, codes, suggest};
use crate::schema::{BlockSpec, Body, StmtSpec, Ty, blocks_allowing};
use crate::source::Span;
use crate::syntax::ast::{self, Item, ValueKind};

use super::values::{self, Invalid, Quantity, Version};

/// A bound statement.
#[derive(Debug, Clone)]
pub struct BStmt {
    /// The spec that applied (for `link minio`, the `minio` variant).
    pub spec: &'static StmtSpec,
    /// The statement key (`link` for every link).
    pub key: &'static str,
    pub variant: Option<&'static str>,
    pub span: Span,
    pub head_span: Span,
    /// `head` plus the kind word of a variant statement (`link minio`).
    pub key_span: Span,
    /// Positional arguments, indexed like `spec.args`.
    pub args: Vec<Option<BVal>>,
    pub opts: Vec<BOpt>,
    pub body: Option<BBody>,
}

#[derive(Debug, Clone)]
pub struct BOpt {
    pub key: &'static str,
    pub key_span: Span,
    pub val: BVal,
}

#[derive(Debug, Clone)]
pub struct BVal {
    pub v: Val,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Val {
    Text(String),
    Int(i64),
    Bool(bool),
    Quantity(Quantity),
    /// request..limit
    Range(Quantity, Quantity),
    Version(Version),
    Seconds(u64),
    /// Retention text and its length in days.
    Retention(String, u64),
    Rotation(String),
    Cron(String),
    Time(String),
    Secret(SecretSource),
    List(Vec<BVal>),
    Module(String),
}

pub use crate::ir::SecretSource;

#[derive(Debug, Clone)]
pub enum BBody {
    Block(BBlock),
    Map(Vec<BEntry>),
}

#[derive(Debug, Clone, Default)]
pub struct BBlock {
    pub stmts: Vec<BStmt>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct BEntry {
    pub key: String,
    pub key_span: Span,
    pub val: BVal,
}

impl BStmt {
    pub fn arg(&self, i: usize) -> Option<&BVal> {
        self.args.get(i).and_then(|a| a.as_ref())
    }

    pub fn text_arg(&self, i: usize) -> Option<&str> {
        self.arg(i).and_then(|v| v.as_text())
    }

    pub fn opt(&self, key: &str) -> Option<&BVal> {
        self.opts.iter().find(|o| o.key == key).map(|o| &o.val)
    }

    pub fn opt_entry(&self, key: &str) -> Option<&BOpt> {
        self.opts.iter().find(|o| o.key == key)
    }

    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.opt(key).map(|v| &v.v) {
            Some(Val::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn block(&self) -> Option<&BBlock> {
        match &self.body {
            Some(BBody::Block(b)) => Some(b),
            _ => None,
        }
    }

    pub fn map(&self) -> &[BEntry] {
        match &self.body {
            Some(BBody::Map(m)) => m,
            _ => &[],
        }
    }
}

impl BVal {
    pub fn as_text(&self) -> Option<&str> {
        match &self.v {
            Val::Text(t) | Val::Rotation(t) | Val::Cron(t) | Val::Time(t) | Val::Module(t) => {
                Some(t)
            }
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.v {
            Val::Int(i) => Some(i),
            _ => None,
        }
    }

    /// A list value's items (a single value is a one-item list).
    pub fn items(&self) -> Vec<&BVal> {
        match &self.v {
            Val::List(v) => v.iter().collect(),
            _ => vec![self],
        }
    }

    /// The text of each item (`a, b` → ["a", "b"]).
    pub fn texts(&self) -> Vec<String> {
        self.items()
            .iter()
            .filter_map(|i| i.as_text())
            .map(str::to_string)
            .collect()
    }
}

impl BBlock {
    pub fn first(&self, key: &str) -> Option<&BStmt> {
        self.stmts.iter().find(|s| s.key == key)
    }

    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a BStmt> + 'a {
        self.stmts.iter().filter(move |s| s.key == key)
    }

    /// The words of the first `key` statement's list argument (`key a, b`).
    pub fn texts(&self, key: &str) -> Option<Vec<String>> {
        Some(self.first(key)?.arg(0)?.texts())
    }
}

/// Binds a file's items against the top-level block spec.
pub fn bind_file(file: &ast::File, top: &'static BlockSpec, diags: &mut Diagnostics) -> BBlock {
    let span = file
        .items
        .first()
        .map(|i| i.span().to(file.items.last().unwrap().span()))
        .unwrap_or_default();
    bind_items(&file.items, top, span, diags)
}

fn bind_items(
    items: &[Item],
    spec: &'static BlockSpec,
    span: Span,
    diags: &mut Diagnostics,
) -> BBlock {
    let mut stmts = Vec::new();
    for item in items {
        match item {
            Item::Stmt(s) => {
                bind_stmt(
                    &s.head,
                    &s.args,
                    s.block.as_ref(),
                    s.span,
                    spec,
                    &mut stmts,
                    diags,
                );
            }
            Item::Entry(e) => {
                diags.push(
                    Diagnostic::new(
                        codes::E0212,
                        e.key.span,
                        format!(
                            "`{}: …` is a map entry, but a `{}` block holds statements",
                            e.key.text, spec.kind
                        ),
                    )
                    .with_label("map entry here")
                    .with_help(format!("write `{} …` without the colon", e.key.text)),
                );
            }
        }
    }
    // Non-repeatable statements given twice.
    for (i, s) in stmts.iter().enumerate() {
        if s.spec.repeat {
            continue;
        }
        let top_repeat = spec.stmt(s.key).is_some_and(|t| t.repeat);
        if top_repeat {
            continue;
        }
        if let Some(first) = stmts[..i].iter().find(|p| p.key == s.key) {
            diags.push(
                Diagnostic::new(
                    codes::E0204,
                    s.head_span,
                    format!("`{}` is given twice", s.key),
                )
                .with_label("second time here")
                .with_secondary(first.head_span, "first given here")
                .with_help("keep one; a later value does not override an earlier one"),
            );
        }
    }
    BBlock { stmts, span }
}

/// Binds one statement; may push several when one line holds several of the
/// block's statements (`from backups backup_id x target_time "…"`).
fn bind_stmt(
    head: &ast::Ident,
    args: &[ast::Value],
    block: Option<&ast::Block>,
    span: Span,
    within: &'static BlockSpec,
    out: &mut Vec<BStmt>,
    diags: &mut Diagnostics,
) {
    let Some(top_spec) = within.stmt(&head.text) else {
        unknown_statement(head, within, diags);
        return;
    };
    let mut spec = top_spec;
    let mut rest = args;
    let mut variant = None;
    let mut key_span = head.span;
    if !top_spec.variants.is_empty() {
        let kinds: Vec<&str> = top_spec.variants.iter().map(|v| v.key).collect();
        match rest.first() {
            Some(v) if v.as_word().is_some() => {
                let w = v.as_word().unwrap();
                match top_spec.variant(w) {
                    Some(vs) => {
                        spec = vs;
                        variant = Some(vs.key);
                        key_span = head.span.to(v.span);
                        rest = &rest[1..];
                    }
                    None => {
                        let (s, help) =
                            suggest::help_text(w, &kinds, &format!("{} kind", top_spec.key));
                        let mut d = Diagnostic::new(
                            codes::E0210,
                            v.span,
                            format!("unknown {} kind `{w}`", top_spec.key),
                        )
                        .with_label(format!("not a kind of {}", top_spec.key))
                        .with_help(help);
                        if let Some(s) = s {
                            d = d.with_fix(v.span, s);
                        }
                        diags.push(d);
                        return;
                    }
                }
            }
            other => {
                let sp = other.map(|v| v.span).unwrap_or(head.span);
                diags.push(
                    Diagnostic::new(codes::E0208, sp, format!("`{}` needs a kind", top_spec.key))
                        .with_label("kind expected here")
                        .with_help(format!("one of: {}", kinds.join(", "))),
                );
                return;
            }
        }
    }

    let mut stmt = BStmt {
        spec,
        key: top_spec.key,
        variant,
        span,
        head_span: head.span,
        key_span,
        args: Vec::with_capacity(spec.args.len()),
        opts: Vec::new(),
        body: None,
    };
    let is_word_key = |v: &ast::Value| -> bool {
        v.as_word()
            .is_some_and(|w| spec.opt(w).is_some() || (within.stmt(w).is_some() && w != head.text))
    };

    // Positional arguments.
    let mut i = 0;
    for a in spec.args {
        let next = rest.get(i);
        match next {
            Some(v) if !is_word_key(v) || a.required => {
                stmt.args.push(convert(v, a.ty, diags));
                i += 1;
            }
            _ => {
                if a.required {
                    let at = next.map(|v| v.span).unwrap_or(Span {
                        start: head.span.end,
                        end: head.span.end,
                        ..head.span
                    });
                    let synopsis = spec_synopsis(top_spec, spec);
                    diags.push(
                        Diagnostic::new(
                            codes::E0208,
                            if next.is_some() { at } else { head.span },
                            format!(
                                "`{}` needs {}",
                                display_key(top_spec, spec),
                                a.ty.describe()
                            ),
                        )
                        .with_label(format!("<{}> missing", a.name))
                        .with_help(example_help(spec, &synopsis)),
                    );
                    return;
                }
                stmt.args.push(None);
            }
        }
    }

    // Options, and further statements of the block on the same line.
    let mut last_list_opt: Option<&str> = None;
    while i < rest.len() {
        let v = &rest[i];
        let Some(w) = v.as_word() else {
            let mut d = Diagnostic::new(
                codes::E0207,
                v.span,
                format!(
                    "unexpected {} after `{}`",
                    v.describe(),
                    display_key(top_spec, spec)
                ),
            )
            .with_label("not expected here");
            let synopsis = spec_synopsis(top_spec, spec);
            d = d.with_help(format!(
                "`{}` is written: {synopsis}",
                display_key(top_spec, spec)
            ));
            diags.push(d);
            i += 1;
            continue;
        };
        if let Some(o) = spec.opt(w) {
            i += 1;
            let value = if matches!(o.ty, Ty::Bool) {
                match rest
                    .get(i)
                    .and_then(|n| n.as_word())
                    .and_then(values::boolean)
                {
                    Some(b) => {
                        let sp = rest[i].span;
                        i += 1;
                        BVal {
                            v: Val::Bool(b),
                            span: sp,
                        }
                    }
                    None => BVal {
                        v: Val::Bool(true),
                        span: v.span,
                    },
                }
            } else {
                match rest.get(i) {
                    Some(n) if !is_word_key(n) => {
                        i += 1;
                        match convert(n, o.ty, diags) {
                            Some(bv) => bv,
                            None => continue,
                        }
                    }
                    _ => {
                        diags.push(
                            Diagnostic::new(
                                codes::E0208,
                                v.span,
                                format!("option `{w}` needs {}", o.ty.describe()),
                            )
                            .with_label("value missing after this")
                            .with_help(example_help(spec, &spec_synopsis(top_spec, spec))),
                        );
                        continue;
                    }
                }
            };
            if stmt.opts.iter().any(|p| p.key == o.key) {
                diags.push(
                    Diagnostic::new(
                        codes::E0204,
                        v.span,
                        format!("option `{}` is given twice", o.key),
                    )
                    .with_label("second time here")
                    .with_secondary(stmt.opt_entry(o.key).unwrap().key_span, "first given here"),
                );
                continue;
            }
            last_list_opt = matches!(o.ty, Ty::Grants | Ty::List(_)).then_some(o.key);
            stmt.opts.push(BOpt {
                key: o.key,
                key_span: v.span,
                val: value,
            });
            continue;
        }
        if within.stmt(w).is_some() && w != head.text {
            // The rest of the line is another statement of the block.
            let sub_head = ast::Ident {
                text: w.to_string(),
                span: v.span,
                quoted: false,
            };
            let sub_span = Span {
                start: v.span.start,
                ..span
            };
            finish_body(&mut stmt, None, diags);
            out.push(stmt);
            bind_stmt(
                &sub_head,
                &rest[i + 1..],
                block,
                sub_span,
                within,
                out,
                diags,
            );
            return;
        }
        // Unknown option.
        let candidates: Vec<&str> = spec.opts.iter().map(|o| o.key).collect();
        let (s, mut help) = suggest::help_text(w, &candidates, "option");
        if let Some(list_key) = last_list_opt
            && (crate::schema::GRANT_FLAGS.contains(&w) || s.is_none())
        {
            help = format!("separate the items of `{list_key}` with commas: `a, b, c`");
        }
        let mut d = Diagnostic::new(
            codes::E0202,
            v.span,
            format!("`{}` has no option `{w}`", display_key(top_spec, spec)),
        )
        .with_label("unknown option")
        .with_help(help);
        if let Some(s) = s {
            d = d.with_fix(v.span, s);
        }
        diags.push(d);
        i += 1;
    }
    finish_body(&mut stmt, block, diags);
    out.push(stmt);
}

fn finish_body(stmt: &mut BStmt, block: Option<&ast::Block>, diags: &mut Diagnostics) {
    let Some(b) = block else { return };
    match stmt.spec.body {
        Body::None => {
            diags.push(
                Diagnostic::new(
                    codes::E0209,
                    b.span,
                    format!("`{}` does not take a block", display_key_of(stmt)),
                )
                .with_label("unexpected block")
                .with_help(format!(
                    "`{}` is written: {}",
                    display_key_of(stmt),
                    stmt.spec.synopsis()
                )),
            );
        }
        Body::Block(spec) => {
            if b.is_map {
                let first = b.items.first().map(|i| i.span()).unwrap_or(b.span);
                diags.push(
                    Diagnostic::new(
                        codes::E0212,
                        first,
                        format!(
                            "a `{}` block holds statements, not `key: value` entries",
                            spec.kind
                        ),
                    )
                    .with_label("entry here")
                    .with_help("write `key value` without the colon"),
                );
                return;
            }
            stmt.body = Some(BBody::Block(bind_items(&b.items, spec, b.span, diags)));
        }
        Body::Map(ty) => {
            let mut entries = Vec::new();
            for item in &b.items {
                match item {
                    Item::Entry(e) => {
                        if ty == Ty::LabelValue
                            && let Err(inv) = values::label_key(&e.key.text)
                        {
                            push_invalid(diags, e.key.span, inv);
                            continue;
                        }
                        if let Some(prev) = entries.iter().find(|p: &&BEntry| p.key == e.key.text) {
                            diags.push(
                                Diagnostic::new(
                                    codes::E0204,
                                    e.key.span,
                                    format!("`{}` is given twice", e.key.text),
                                )
                                .with_label("second time here")
                                .with_secondary(prev.key_span, "first given here"),
                            );
                            continue;
                        }
                        if let Some(val) = convert(&e.value, ty, diags) {
                            entries.push(BEntry {
                                key: e.key.text.clone(),
                                key_span: e.key.span,
                                val,
                            });
                        }
                    }
                    Item::Stmt(s) => {
                        diags.push(
                            Diagnostic::new(
                                codes::E0212,
                                s.span,
                                format!("`{}` holds `key: value` entries", display_key_of(stmt)),
                            )
                            .with_label("statement here")
                            .with_help(format!("write `{}: <value>`", s.head.text)),
                        );
                    }
                }
            }
            stmt.body = Some(BBody::Map(entries));
        }
    }
}

fn display_key(top: &StmtSpec, spec: &StmtSpec) -> String {
    if std::ptr::eq(top, spec) {
        top.key.to_string()
    } else {
        format!("{} {}", top.key, spec.key)
    }
}

fn display_key_of(s: &BStmt) -> String {
    match s.variant {
        Some(v) => format!("{} {v}", s.key),
        None => s.key.to_string(),
    }
}

fn spec_synopsis(top: &StmtSpec, spec: &StmtSpec) -> String {
    if std::ptr::eq(top, spec) {
        spec.synopsis()
    } else {
        format!("{} {}", top.key, spec.synopsis())
    }
}

fn example_help(spec: &StmtSpec, synopsis: &str) -> String {
    if spec.example.is_empty() {
        format!("written: {synopsis}")
    } else {
        format!("for example: {}", spec.example)
    }
}

fn unknown_statement(head: &ast::Ident, within: &'static BlockSpec, diags: &mut Diagnostics) {
    let keys = within.keys();
    let mut cands: Vec<&str> = keys.clone();
    for s in within.stmts {
        cands.extend(s.aliases.iter().copied());
    }
    let elsewhere: Vec<&str> = blocks_allowing(&head.text)
        .into_iter()
        .filter(|k| *k != within.kind)
        .collect();
    let where_ = if within.kind == "file" {
        "at the top level".to_string()
    } else {
        format!("in a `{}` block", within.kind)
    };
    let mut d = Diagnostic::new(
        codes::E0201,
        head.span,
        format!("unknown attribute `{}` {where_}", head.text),
    )
    .with_label("unknown here");
    if !elsewhere.is_empty() {
        d = d.with_help(format!(
            "`{}` belongs inside a `{}` block",
            head.text,
            elsewhere.join("` or `")
        ));
    } else {
        let (s, help) = suggest::help_text(&head.text, &cands, "attribute");
        d = d.with_help(help);
        if let Some(s) = s {
            d = d.with_fix(head.span, s);
        }
    }
    diags.push(d);
}

fn push_invalid(diags: &mut Diagnostics, span: Span, inv: Invalid) {
    let mut d = Diagnostic::new(inv.code, span, inv.message).with_label("invalid value");
    if let Some(h) = inv.help {
        d = d.with_help(h);
    }
    if let Some(f) = inv.fix {
        d = d.with_fix(span, f);
    }
    diags.push(d);
}

fn wrong_kind(diags: &mut Diagnostics, v: &ast::Value, ty: Ty) {
    diags.push(
        Diagnostic::new(
            codes::E0301,
            v.span,
            format!("expected {}, found {}", ty.describe(), v.describe()),
        )
        .with_label(format!("expected {}", ty.name())),
    );
}

/// Converts one syntax value to the given type, reporting what is wrong.
fn convert(v: &ast::Value, ty: Ty, diags: &mut Diagnostics) -> Option<BVal> {
    let span = v.span;
    let ok = |val: Val| Some(BVal { v: val, span });
    let parsed = |r: Result<Val, Invalid>, diags: &mut Diagnostics| match r {
        Ok(val) => Some(BVal { v: val, span }),
        Err(inv) => {
            push_invalid(diags, span, inv);
            None
        }
    };
    // Lists: every item of the inner type.
    if let Ty::List(inner) = ty {
        return match &v.kind {
            ValueKind::List(items) => {
                let vals: Vec<BVal> = items
                    .iter()
                    .filter_map(|i| convert(i, *inner, diags))
                    .collect();
                if vals.len() != items.len() {
                    return None;
                }
                ok(Val::List(vals))
            }
            _ => convert(v, *inner, diags).map(|b| BVal {
                v: Val::List(vec![b]),
                span,
            }),
        };
    }
    if ty == Ty::Grants {
        let items: Vec<&ast::Value> = match &v.kind {
            ValueKind::List(items) => items.iter().collect(),
            _ => vec![v],
        };
        let mut out = Vec::new();
        for it in items {
            match it.as_word() {
                Some(w) => out.push(BVal {
                    v: Val::Text(w.to_string()),
                    span: it.span,
                }),
                None => {
                    wrong_kind(diags, it, Ty::Grants);
                    return None;
                }
            }
        }
        return ok(Val::List(out));
    }
    if ty == Ty::Secret {
        return secret(v, diags).map(|s| BVal {
            v: Val::Secret(s),
            span,
        });
    }
    if matches!(ty, Ty::CpuRange | Ty::MemoryRange) {
        let q = |x: &ast::Value, diags: &mut Diagnostics| -> Option<Quantity> {
            let t = x.as_text().or_else(|| {
                wrong_kind(diags, x, ty);
                None
            })?;
            match values::quantity(t) {
                Ok(q) => Some(q),
                Err(inv) => {
                    push_invalid(diags, x.span, inv);
                    None
                }
            }
        };
        return match &v.kind {
            ValueKind::Range(a, b) => {
                let (a, b) = (q(a, diags), q(b, diags));
                let (a, b) = (a?, b?);
                if a.value > b.value {
                    diags.push(
                        Diagnostic::new(
                            codes::E0311,
                            span,
                            format!("the request `{}` is above the limit `{}`", a.text, b.text),
                        )
                        .with_label("request..limit")
                        .with_help("write the smaller value first: request..limit")
                        .with_fix(span, format!("{}..{}", b.text, a.text)),
                    );
                    return None;
                }
                ok(Val::Range(a, b))
            }
            _ => {
                let a = q(v, diags)?;
                ok(Val::Range(a.clone(), a))
            }
        };
    }
    if ty == Ty::Module {
        return match &v.kind {
            ValueKind::Path(p) => ok(Val::Module(p.clone())),
            ValueKind::Str { text, .. } => ok(Val::Module(text.clone())),
            ValueKind::Word(w) => ok(Val::Module(w.clone())),
            _ => {
                wrong_kind(diags, v, ty);
                None
            }
        };
    }
    // Everything else is a single word or string.
    let text = match &v.kind {
        ValueKind::Word(w) => w.as_str(),
        ValueKind::Str { text, .. } => text.as_str(),
        _ => {
            wrong_kind(diags, v, ty);
            return None;
        }
    };
    let is_word = matches!(v.kind, ValueKind::Word(_));
    match ty {
        Ty::Word | Ty::Ref(_) if !is_word => {
            wrong_kind(diags, v, ty);
            None
        }
        Ty::Word | Ty::Text | Ty::Ref(_) | Ty::Sql => ok(Val::Text(text.to_string())),
        Ty::Url => {
            if text.contains("://") && !text.contains(char::is_whitespace) {
                ok(Val::Text(text.to_string()))
            } else {
                diags.push(
                    Diagnostic::new(codes::E0301, span, format!("`{text}` is not a URL"))
                        .with_label("expected a URL")
                        .with_help(
                            "write the scheme and host in quotes: \"http://minio.minio.svc:9000\"",
                        ),
                );
                None
            }
        }
        Ty::K8sName => parsed(
            values::k8s_name(text, 63, "Kubernetes name").map(Val::Text),
            diags,
        ),
        Ty::ClusterName => parsed(values::cluster_name(text).map(Val::Text), diags),
        Ty::PgIdent => parsed(values::pg_ident(text).map(Val::Text), diags),
        Ty::Int { min, max } => match text.parse::<i64>() {
            Ok(n) if n >= min && n <= max => ok(Val::Int(n)),
            Ok(n) => {
                diags.push(
                    Diagnostic::new(codes::E0302, span, format!("{n} is out of range"))
                        .with_label(format!("expected {min}..={max}"))
                        .with_help(format!("use a number from {min} to {max}")),
                );
                None
            }
            Err(_) => {
                wrong_kind(diags, v, ty);
                None
            }
        },
        Ty::Bool => match values::boolean(text) {
            Some(b) => ok(Val::Bool(b)),
            None => {
                wrong_kind(diags, v, ty);
                None
            }
        },
        Ty::Cpu | Ty::Memory | Ty::Storage => {
            parsed(values::quantity(text).map(Val::Quantity), diags)
        }
        Ty::Version => parsed(
            values::version(text, crate::schema::PG_MAJORS).map(Val::Version),
            diags,
        ),
        Ty::Duration => parsed(values::duration(text).map(Val::Seconds), diags),
        Ty::Retention => parsed(
            values::retention(text).map(|(t, d)| Val::Retention(t, d)),
            diags,
        ),
        Ty::Rotation => parsed(values::rotation(text).map(Val::Rotation), diags),
        Ty::Cron => parsed(values::cron(text).map(Val::Cron), diags),
        Ty::KubeCron => parsed(values::kube_cron(text).map(Val::Cron), diags),
        Ty::Time => parsed(values::rfc3339(text).map(Val::Time), diags),
        Ty::LabelValue => parsed(
            values::label_value(text).map(|_| Val::Text(text.to_string())),
            diags,
        ),
        Ty::Enum(words) => {
            if words.contains(&text) {
                ok(Val::Text(text.to_string()))
            } else {
                let (s, help) = suggest::help_text(text, words, "value");
                let mut d = Diagnostic::new(
                    codes::E0313,
                    span,
                    format!("`{text}` is not one of the allowed values"),
                )
                .with_label("unknown value")
                .with_help(help);
                if let Some(s) = s {
                    d = d.with_fix(span, s);
                }
                diags.push(d);
                None
            }
        }
        Ty::List(_) | Ty::Grants | Ty::Secret | Ty::CpuRange | Ty::MemoryRange | Ty::Module => {
            unreachable!("handled above")
        }
    }
}

const SECRET_FORMS: &str = "write secret(\"name\") for an existing Secret, env(\"VAR\") to read an environment variable at build time, file(\"path\") to read a file, or generated (for throwaway setups only: insecure(\"value\"), which warns)";

fn secret(v: &ast::Value, diags: &mut Diagnostics) -> Option<SecretSource> {
    match &v.kind {
        ValueKind::Str { .. } => {
            diags.push(
                Diagnostic::new(codes::E0401, v.span, "a password is written in plain text")
                    .with_label("plaintext password")
                    .with_help(format!("passwords never go in .cnpg files: {SECRET_FORMS}")),
            );
            None
        }
        ValueKind::Word(w) if w == "generated" => Some(SecretSource::Generated),
        ValueKind::Word(w) => {
            diags.push(
                Diagnostic::new(
                    codes::E0401,
                    v.span,
                    format!("`{w}` looks like a password written in plain text"),
                )
                .with_label("plaintext password")
                .with_help(format!("passwords never go in .cnpg files: {SECRET_FORMS}")),
            );
            None
        }
        ValueKind::Call { name, args } => {
            let malformed = |diags: &mut Diagnostics, span: Span, msg: String, help: &str| {
                diags.push(
                    Diagnostic::new(codes::E0402, span, msg)
                        .with_label("malformed secret reference")
                        .with_help(help.to_string()),
                );
            };
            let positional: Vec<&ast::CallArg> = args.iter().filter(|a| a.name.is_none()).collect();
            if let Some(named) = args.iter().find(|a| a.name.is_some()) {
                let n = named.name.as_ref().unwrap();
                malformed(
                    diags,
                    n.span,
                    format!("`{}(…)` takes no named argument `{}`", name.text, n.text),
                    "Secret keys are chosen by the statement (see its options), not in the call",
                );
                return None;
            }
            let one_text = |diags: &mut Diagnostics| -> Option<(String, Span)> {
                match positional.as_slice() {
                    [a] => match a.value.as_text() {
                        Some(t) => Some((t.to_string(), a.value.span)),
                        None => {
                            malformed(
                                diags,
                                a.value.span,
                                format!("`{}(…)` needs a name in quotes", name.text),
                                SECRET_FORMS,
                            );
                            None
                        }
                    },
                    _ => {
                        malformed(
                            diags,
                            v.span,
                            format!("`{}(…)` takes exactly one argument", name.text),
                            SECRET_FORMS,
                        );
                        None
                    }
                }
            };
            match name.text.as_str() {
                "secret" => {
                    let (t, sp) = one_text(diags)?;
                    match values::k8s_subdomain(&t) {
                        true => Some(SecretSource::Existing { name: t }),
                        false => {
                            let fixed = values::to_k8s_name(&t, 253);
                            let mut d = Diagnostic::new(
                                codes::E0402,
                                sp,
                                format!("`{t}` is not a valid Secret name"),
                            )
                            .with_label("malformed secret reference")
                            .with_help("Secret names are lower case DNS names: letters, digits, `-` and `.`");
                            if !fixed.is_empty() {
                                d = d.with_fix(sp, format!("\"{fixed}\""));
                            }
                            diags.push(d);
                            None
                        }
                    }
                }
                "env" => {
                    let (t, sp) = one_text(diags)?;
                    if values::env_var_name(&t) {
                        Some(SecretSource::Env(t))
                    } else {
                        malformed(
                            diags,
                            sp,
                            format!("`{t}` is not an environment variable name"),
                            "environment variable names hold letters, digits and `_`, and do not start with a digit",
                        );
                        None
                    }
                }
                "file" => {
                    let (t, sp) = one_text(diags)?;
                    if t.is_empty() {
                        malformed(diags, sp, "`file(…)` needs a path".into(), SECRET_FORMS);
                        return None;
                    }
                    Some(SecretSource::File(t))
                }
                "insecure" => {
                    let (t, sp) = one_text(diags)?;
                    diags.push(
                        Diagnostic::new(codes::W0401, v.span, "an insecure password is written in the source")
                            .with_label("anyone who can read this file knows it")
                            .with_help("fine for a throwaway dev setup; anywhere else use secret(\"name\"), env(\"VAR\"), file(\"path\") or generated"),
                    );
                    let _ = sp;
                    Some(SecretSource::Insecure(t))
                }
                other => {
                    let (s, _) =
                        suggest::help_text(other, &["secret", "env", "file", "insecure"], "source");
                    let mut d = Diagnostic::new(
                        codes::E0402,
                        name.span,
                        format!("unknown secret source `{other}(…)`"),
                    )
                    .with_label("malformed secret reference")
                    .with_help(match s {
                        Some(s) => format!("did you mean `{s}(…)`? {SECRET_FORMS}"),
                        None => SECRET_FORMS.to_string(),
                    });
                    if let Some(s) = s {
                        d = d.with_fix(name.span, s);
                    }
                    diags.push(d);
                    None
                }
            }
        }
        _ => {
            diags.push(
                Diagnostic::new(
                    codes::E0402,
                    v.span,
                    format!("expected a secret source, found {}", v.describe()),
                )
                .with_label("malformed secret reference")
                .with_help(SECRET_FORMS),
            );
            None
        }
    }
}
