//! What lives together: takes the lowered program, decides who writes each
//! Namespace and reports what clusters sharing a namespace (and an
//! environment) would fight over: namespace-wide settings (Istio
//! injection), object names (every object of every cluster's output and
//! every object the operator derives, `emit::objects`), and Services a
//! pooler connects to that `disable_services` removes.
//!
//! Clusters of one environment (`env`, else the tier, else `default`: the
//! Flux layout's environment directory) are taken to run in one Kubernetes
//! cluster; different environments never meet.

use indexmap::IndexMap;

use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::emit::env_dir;
use crate::ir::{self, ExistingWhy, NamespaceOwner};
use crate::names::Kind;
use crate::names::objects::{Maker, Object};
use crate::source::Span;

/// Namespaces every Kubernetes cluster (or its GitOps tooling) has: never
/// written, never pruned.
const PLATFORM_NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "flux-system",
];

pub fn check(p: &mut ir::Program, diags: &mut Diagnostics) {
    owners(p, diags);
    services(p, diags);
    names(p, diags);
}

/// The namespace the CNPG operator runs in: `operator < namespace … >`, else
/// a network block's `operator_namespace`, else the operator's default.
fn operator_namespace(p: &ir::Program) -> String {
    if let Some(o) = &p.operator {
        return o.namespace.clone();
    }
    p.clusters
        .iter()
        .find_map(|c| c.network.as_ref().map(|n| n.operator_namespace.clone()))
        .unwrap_or_else(|| "cnpg-system".to_string())
}

/// One owner per namespace and environment: the first cluster (in program
/// order) whose tree may write it; none when it exists already.
fn owners(p: &mut ir::Program, diags: &mut Diagnostics) {
    let operator_ns = operator_namespace(p);
    let mut groups: IndexMap<(String, String), Vec<usize>> = IndexMap::new();
    for (i, c) in p.clusters.iter().enumerate() {
        groups
            .entry((env_dir(c), c.namespace.clone()))
            .or_default()
            .push(i);
    }
    for ((_, ns), members) in &groups {
        let declared = members.iter().any(|&i| {
            p.clusters[i].namespace_owner == NamespaceOwner::Existing(ExistingWhy::Declared)
        });
        let existing = if declared {
            Some(ExistingWhy::Declared)
        } else if *ns == operator_ns {
            Some(ExistingWhy::Operator)
        } else if PLATFORM_NAMESPACES.contains(&ns.as_str()) {
            Some(ExistingWhy::Platform)
        } else {
            None
        };
        let owner = p.clusters[members[0]].name.clone();
        for (k, &i) in members.iter().enumerate() {
            p.clusters[i].namespace_owner = match existing {
                Some(why) => NamespaceOwner::Existing(why),
                None if k == 0 => NamespaceOwner::ThisTree,
                None => NamespaceOwner::Cluster(owner.clone()),
            };
        }
        istio(p, members, ns, existing, diags);
    }
}

/// Istio injection is a label of the namespace: every cluster in it gets
/// the same, so they must all say `link istio` or none.
fn istio(
    p: &ir::Program,
    members: &[usize],
    ns: &str,
    existing: Option<ExistingWhy>,
    diags: &mut Diagnostics,
) {
    let linked: Vec<&ir::Cluster> = members
        .iter()
        .map(|&i| &p.clusters[i])
        .filter(|c| c.istio.is_some())
        .collect();
    let Some(first) = linked.first() else { return };
    if let Some(why) = existing {
        let whose = match why {
            ExistingWhy::Declared => "exists already (`existing`)",
            ExistingWhy::Operator => "is the operator's",
            ExistingWhy::Platform => "is the platform's",
        };
        diags.push(
            Diagnostic::new(codes::W0741, first.name_span, format!("`link istio` cannot label namespace {ns}: it {whose}"))
                .with_label("cnpgc writes no Namespace for it")
                .with_help(format!("label it yourself (`kubectl label namespace {ns} istio-injection=enabled`), or run the cluster in a namespace cnpgc writes")),
        );
    }
    for &i in members {
        let c = &p.clusters[i];
        if c.istio.is_none() {
            diags.push(
                Diagnostic::new(codes::E0740, c.name_span, format!("cluster `{}` shares namespace {ns} with `{}`, which injects Istio sidecars there", c.name, first.name))
                    .with_label("no `link istio`: its pods would get sidecars it does not expect")
                    .with_secondary(first.name_span, "`link istio` labels the whole namespace")
                    .with_help(format!("injection is a label of the namespace, so it is the same for every cluster in it: add `link istio` to `{}` too (its instances stay out of the mesh by default), or give one of them another namespace", c.name)),
            );
        }
    }
}

/// A pooler connects to the cluster's `-rw`, `-ro` or `-r` Service
/// (PgBouncer's `host=<cluster>-<type>`, CNPG 1.30
/// pkg/management/pgbouncer/config/config.go): `disable_services` must
/// not remove it.
fn services(p: &ir::Program, diags: &mut Diagnostics) {
    for c in &p.clusters {
        for pl in &c.poolers {
            if c.services.disabled.contains(&pl.kind) {
                diags.push(
                    Diagnostic::new(codes::E0642, pl.span, format!("pooler `{}` connects to `{}-{}`, which `disable_services` removes", pl.name, c.name, pl.kind))
                        .with_label(format!("a `{}` pooler", pl.kind))
                        .with_help(format!("PgBouncer reaches the instances through the cluster's `{kind}` Service: keep `{kind}` (remove it from `disable_services`), or make the pooler `type rw`", kind = pl.kind)),
                );
            }
        }
    }
}

/// Where in the source an object's name comes from: the pooler, database
/// or role it is named after, else the cluster's name.
fn origin(c: &ir::Cluster, o: &Object) -> Span {
    if let Some(p) = c.poolers.iter().find(|p| p.name == o.name) {
        return p.span;
    }
    if let Some(d) = c.databases.iter().find(|d| d.cr_name == o.name) {
        return d.span;
    }
    if let Some(r) = c
        .roles
        .iter()
        .find(|r| r.password.as_ref().is_some_and(|p| p.secret_name == o.name))
    {
        return r.span;
    }
    c.name_span
}

fn what(o: &Object) -> &'static str {
    match o.maker {
        Maker::Cnpgc => "written by cnpgc",
        Maker::OnDemand => "in a day-2 file",
        Maker::Operator => "made by the operator",
    }
}

/// No two objects of one kind with one name in one namespace, across every
/// cluster, environment rendering and file of the program (the Namespace
/// itself excepted: `owners` decides it). Only clusters that share a
/// namespace with another, or have poolers, can collide: the others are
/// not listed (the language server checks on every keystroke).
fn names(p: &ir::Program, diags: &mut Diagnostics) {
    // Namespaces each cluster's objects go to, per environment.
    let mut touched: IndexMap<(String, String), Vec<usize>> = IndexMap::new();
    for (i, c) in p.clusters.iter().enumerate() {
        let env = env_dir(c);
        let mut nss = vec![c.namespace.clone()];
        nss.extend(c.apps.iter().map(|a| a.namespace.clone()));
        nss.sort();
        nss.dedup();
        for ns in nss {
            touched.entry((env.clone(), ns)).or_default().push(i);
        }
    }
    let mut listed: Vec<usize> = touched
        .values()
        .filter(|v| v.len() > 1)
        .flatten()
        .copied()
        .collect();
    listed.extend(
        p.clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.poolers.is_empty())
            .map(|(i, _)| i),
    );
    // Flux Kustomizations (flux-system) meet across every cluster of an
    // environment; their names are cheap to list.
    if p.flux.is_some() {
        listed.extend(0..p.clusters.len());
    }
    listed.sort();
    listed.dedup();
    let mut seen: IndexMap<(String, Kind, String, String), (usize, Object)> = IndexMap::new();
    for i in listed {
        let c = &p.clusters[i];
        let env = env_dir(c);
        let objects =
            if touched.values().any(|v| v.len() > 1 && v.contains(&i)) || !c.poolers.is_empty() {
                crate::emit::objects(p, c)
            } else {
                flux_only(p, c)
            };
        for o in objects {
            if o.kind == Kind::Namespace {
                continue;
            }
            let key = (env.clone(), o.kind, o.namespace.clone(), o.name.clone());
            match seen.get(&key) {
                Some((j, first)) => collide(diags, p, (*j, first), (i, &o)),
                None => {
                    seen.insert(key, (i, o));
                }
            }
        }
    }
}

/// Only the Flux Kustomizations of a cluster (for clusters alone in their
/// namespaces): the cluster's and each app's.
fn flux_only(p: &ir::Program, c: &ir::Cluster) -> Vec<Object> {
    if p.flux.is_none() {
        return Vec::new();
    }
    let mut names = vec![crate::names::objects::flux_kustomization(c)];
    names.extend(
        c.apps
            .iter()
            .map(|a| crate::names::objects::flux_app_kustomization(c, &a.name)),
    );
    names
        .into_iter()
        .map(|name| Object {
            kind: Kind::FluxKustomization,
            namespace: "flux-system".into(),
            name,
            maker: Maker::Cnpgc,
        })
        .collect()
}

fn collide(
    diags: &mut Diagnostics,
    p: &ir::Program,
    (j, first): (usize, &Object),
    (i, second): (usize, &Object),
) {
    let (a, b) = (&p.clusters[j], &p.clusters[i]);
    let ns = if second.namespace.is_empty() {
        String::new()
    } else {
        format!(" in namespace {}", second.namespace)
    };
    let whose = |c: &ir::Cluster, o: &Object| match &c.env {
        Some(e) => format!("cluster `{}` ({e}), {}", c.name, what(o)),
        None => format!("cluster `{}`, {}", c.name, what(o)),
    };
    let primary = origin(b, second);
    let mut d = Diagnostic::new(
        codes::E0240,
        primary,
        format!("two {}s named `{}`{ns}", second.kind.as_str(), second.name),
    )
    .with_label(whose(b, second));
    let secondary = origin(a, first);
    if secondary != primary {
        d = d.with_secondary(secondary, whose(a, first));
    }
    diags.push(d.with_help(format!(
        "one would overwrite the other ({}): rename the cluster, pooler, database or user the name comes from, or move one cluster to another namespace",
        whose(a, first)
    )));
}
