//! Profiles: takes a cluster's statements and the profile definitions, gives
//! the statements with the profile's (and its own profile's, …) as defaults:
//! the cluster's own statements win; repeatable ones (db, user, link, …) add
//! up, a link of the same kind and name is replaced; maps (labels,
//! parameters) merge key by key.

use super::*;
use crate::check::bind::BBody;
use crate::check::defs::Defs;

/// The effective statements of a cluster block.
pub(super) fn apply(block: &BBlock, defs: &Defs, diags: &mut Diagnostics) -> BBlock {
    let mut chain: Vec<&BBlock> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut current = block.first("profile");
    while let Some(p) = current {
        let Some(v) = p.arg(0) else { break };
        let name = v.as_text().unwrap_or_default().to_string();
        if seen.contains(&name) {
            diags.push(
                Diagnostic::new(
                    codes::E0206,
                    v.span,
                    format!("profile `{name}` uses itself through {}", seen.join(" → ")),
                )
                .with_label("a profile cycle")
                .with_help("a profile may build on another, but not in a circle"),
            );
            break;
        }
        let Some(def) = defs.profiles.get(&name) else {
            let cands: Vec<&str> = defs.profiles.keys().map(String::as_str).collect();
            match defs.use_hint(&name) {
                Some(h) => diags.push(
                    Diagnostic::new(codes::E0206, v.span, format!("no profile named `{name}`"))
                        .with_label("names no profile")
                        .with_help(h),
                ),
                None => unresolved(diags, v.span, "profile", &name, &cands),
            }
            break;
        };
        seen.push(name);
        chain.push(&def.block);
        current = def.block.first("profile");
    }
    if chain.is_empty() {
        return block.clone();
    }
    let mut merged = BBlock {
        stmts: Vec::new(),
        span: block.span,
    };
    for layer in chain.iter().rev().copied().chain(std::iter::once(block)) {
        overlay(&mut merged, layer);
    }
    // Keep the cluster's own `profile` statement (for the record).
    if let Some(p) = block.first("profile") {
        merged.stmts.push(p.clone());
    }
    merged
}

/// The statements of `base` with `top`'s over them (an environment's overrides).
pub(super) fn with_overrides(base: &BBlock, top: &BBlock) -> BBlock {
    let mut merged = base.clone();
    overlay(&mut merged, top);
    merged
}

fn same_link(a: &BStmt, b: &BStmt) -> bool {
    a.key == "link" && b.key == "link" && a.variant == b.variant && a.text_arg(0) == b.text_arg(0)
}

fn overlay(base: &mut BBlock, top: &BBlock) {
    for s in &top.stmts {
        if s.key == "profile" {
            continue;
        }
        let repeat = crate::schema::CLUSTER.stmt(s.key).is_some_and(|t| t.repeat);
        if repeat {
            if s.key == "link" {
                // The same link again: its statements override the earlier ones.
                if let Some(BBody::Block(top_inner)) = &s.body
                    && let Some(prev) = base.stmts.iter_mut().find(|b| same_link(b, s))
                    && let Some(BBody::Block(inner)) = &mut prev.body
                {
                    overlay(inner, top_inner);
                    continue;
                }
                base.stmts.retain(|b| !same_link(b, s));
            } else if matches!(s.key, "db" | "user" | "pooler" | "pitr") {
                base.stmts
                    .retain(|b| !(b.key == s.key && b.text_arg(0) == s.text_arg(0)));
            }
            base.stmts.push(s.clone());
            continue;
        }
        if let Some(BBody::Map(top_entries)) = &s.body
            && let Some(prev) = base.stmts.iter_mut().find(|b| b.key == s.key)
            && let Some(BBody::Map(entries)) = &mut prev.body
        {
            for e in top_entries {
                entries.retain(|x| x.key != e.key);
                entries.push(e.clone());
            }
            continue;
        }
        base.stmts.retain(|b| b.key != s.key);
        base.stmts.push(s.clone());
    }
}
