//! Immutable fields across builds: takes the checked program and the files
//! of the previous output tree (path and text, read by the CLI), gives an
//! error for every object the new tree would change in a way the cluster
//! refuses: a Database's name, cluster, encoding, locale or template (the
//! Database CRD's `self == oldSelf` rules), a Pooler's, ScheduledBackup's,
//! Publication's or Subscription's cluster (and a Publication's or
//! Subscription's name and database), a Cluster's storage or WAL storage
//! shrunk or the WAL volume removed, its PostgreSQL major lowered or raised
//! to below 16 (CloudNativePG 1.30's webhook: `validateStorageChange`,
//! `validateWalStorageChange`, `validateImageChange`). Each error points at
//! the statement that causes it.

use serde::Deserialize;
use serde_norway::Value;

use crate::diag::{Diagnostic, codes};
use crate::emit::yaml::Node;
use crate::ir::{Cluster, Program};
use crate::source::Span;

/// One object of the previous tree.
struct Old {
    kind: String,
    namespace: String,
    name: String,
    doc: Value,
}

fn old_objects(previous: &[(String, String)]) -> Vec<Old> {
    let mut out = Vec::new();
    for (path, text) in previous {
        if !(path.ends_with(".yaml") || path.ends_with(".yml"))
            || path.ends_with("kustomization.yaml")
        {
            continue;
        }
        for doc in serde_norway::Deserializer::from_str(text) {
            let Ok(v) = Value::deserialize(doc) else {
                break;
            };
            let s = |p: &[&str]| str_at(&v, p).unwrap_or_default().to_string();
            let (kind, name) = (s(&["kind"]), s(&["metadata", "name"]));
            if kind.is_empty() || name.is_empty() {
                continue;
            }
            out.push(Old {
                kind,
                namespace: s(&["metadata", "namespace"]),
                name,
                doc: v,
            });
        }
    }
    out
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = v;
    for k in path {
        v = v.get(*k)?;
    }
    v.as_str()
}

fn node_str<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    n.at(path)?.as_str()
}

/// The fields each kind may never change, with what they mean to a user.
fn frozen(kind: &str) -> &'static [(&'static [&'static str], &'static str)] {
    match kind {
        "Database" => &[
            (&["spec", "name"], "the database's name"),
            (&["spec", "cluster", "name"], "the database's cluster"),
            (&["spec", "encoding"], "the database's encoding"),
            (&["spec", "locale"], "the database's locale"),
            (&["spec", "localeCollate"], "the database's LC_COLLATE"),
            (&["spec", "localeCType"], "the database's LC_CTYPE"),
            (
                &["spec", "localeProvider"],
                "the database's locale provider",
            ),
            (&["spec", "template"], "the database's template"),
        ],
        "Pooler" | "ScheduledBackup" => {
            &[(&["spec", "cluster", "name"], "the cluster it belongs to")]
        }
        "Publication" | "Subscription" => &[
            (&["spec", "cluster", "name"], "the cluster it belongs to"),
            (&["spec", "name"], "its PostgreSQL name"),
            (&["spec", "dbname"], "its database"),
        ],
        _ => &[],
    }
}

/// A Kubernetes quantity in bytes (for storage sizes).
fn bytes(q: &str) -> Option<f64> {
    crate::check::values::quantity(q).ok().map(|q| q.value)
}

/// The major version of an image reference's tag.
fn image_major(image: &str) -> Option<u32> {
    let last = image.rsplit('/').next()?;
    let tag = last.split('@').next()?.split_once(':')?.1;
    tag.chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .ok()
}

/// The statement a new object comes from.
fn span_of(c: &Cluster, kind: &str, name: &str) -> Span {
    let head = Span {
        end: c.span.start + "cluster".len() as u32,
        ..c.span
    };
    match kind {
        "Database" => c
            .databases
            .iter()
            .find(|d| d.cr_name == name)
            .map(|d| d.span)
            .unwrap_or(head),
        "Pooler" => c
            .poolers
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.span)
            .unwrap_or(head),
        _ => head,
    }
}

/// Errors for what the new program would change that may not change.
pub fn compare(p: &Program, previous: &[(String, String)]) -> Vec<Diagnostic> {
    let old = old_objects(previous);
    if old.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in &p.clusters {
        for doc in crate::emit::applied(c) {
            let (Some(kind), Some(name)) = (
                node_str(&doc, &["kind"]),
                node_str(&doc, &["metadata", "name"]),
            ) else {
                continue;
            };
            let ns = node_str(&doc, &["metadata", "namespace"]).unwrap_or_default();
            let Some(o) = old
                .iter()
                .find(|o| o.kind == kind && o.name == name && o.namespace == ns)
            else {
                continue;
            };
            for (path, what) in frozen(kind) {
                let before = str_at(&o.doc, path);
                let after = node_str(&doc, path);
                // CEL transition rules run when both sides hold the field.
                if before.is_some() && after.is_some() && before != after {
                    out.push(
                        Diagnostic::new(
                            codes::E0811,
                            span_of(c, kind, name),
                            format!(
                                "{kind} `{name}`: {what} was `{}` at the last build and cannot change",
                                before.unwrap_or_default()
                            ),
                        )
                        .with_label(format!("now `{}`", after.unwrap_or_default()))
                        .with_help(match kind {
                            "Database" => "the Database CRD keeps these fields as created (applying would be refused); keep the old value, or declare a new db and migrate the data to it (pg_dump/restore, or `link migration-db`), then remove the old one",
                            _ => "the CRD keeps this field as created (applying would be refused); keep the old value, or give the object a new name so a new one is created",
                        }),
                    );
                }
            }
            if kind == "Cluster" {
                cluster_changes(c, &o.doc, &doc, &mut out);
            }
        }
    }
    out
}

fn cluster_changes(c: &Cluster, old: &Value, new: &Node, out: &mut Vec<Diagnostic>) {
    let head = span_of(c, "Cluster", &c.name);
    for (path, what) in [
        (&["spec", "storage", "size"][..], "storage"),
        (&["spec", "walStorage", "size"][..], "wal_storage"),
    ] {
        let before = str_at(old, path);
        let after = node_str(new, path);
        match (before, after) {
            (Some(b), None) if what == "wal_storage" => out.push(
                Diagnostic::new(codes::E0811, head, format!("cluster `{}` had a WAL volume ({b}) at the last build", c.name))
                    .with_label("wal_storage removed")
                    .with_help("CloudNativePG refuses to remove walStorage once configured (\"walStorage cannot be disabled once configured\"): keep `wal_storage`"),
            ),
            (Some(b), Some(a)) if bytes(a).zip(bytes(b)).is_some_and(|(a, b)| a < b) => out.push(
                Diagnostic::new(codes::E0811, head, format!("cluster `{}`: {what} {a} is smaller than {b} at the last build", c.name))
                    .with_label(format!("{what} shrunk"))
                    .with_help("volumes only grow: CloudNativePG refuses the change (\"can't shrink existing storage\"); keep the size, or restore into a new cluster with the smaller volume"),
            ),
            _ => {}
        }
    }
    let before = str_at(old, &["spec", "imageName"]).and_then(image_major);
    let after = node_str(new, &["spec", "imageName"]).and_then(image_major);
    if let (Some(b), Some(a)) = (before, after) {
        let why = if a < b {
            Some(format!("PostgreSQL {b} cannot be downgraded to {a}"))
        } else if a > b && a < 16 {
            Some(format!(
                "a major upgrade to PostgreSQL {a} is refused: CloudNativePG upgrades in place only to 16 or later"
            ))
        } else {
            None
        };
        if let Some(why) = why {
            out.push(
                Diagnostic::new(codes::E0811, head, format!("cluster `{}`: {why}", c.name))
                    .with_label(format!("was PostgreSQL {b}"))
                    .with_help("CloudNativePG refuses the change; to move to that version, create a new cluster and import the data (`link migration-db`)"),
            );
        }
    }
}
