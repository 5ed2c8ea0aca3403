//! What a cluster's output holds: takes a program and one of its clusters,
//! gives every object (kind, namespace, name) its tree and stream hold and
//! every object the operator derives from them, read from the manifests
//! themselves, so the list cannot drift from what is written. Collision
//! checks across clusters and the name tests use it.

use super::yaml::Node;
use crate::ir::{Cluster, Program};
use crate::names::Kind;
use crate::names::objects::{Maker, Object, operator_objects};

fn object_of(doc: &Node, maker: Maker) -> Option<Object> {
    let api = doc.at(&["apiVersion"])?.as_str()?;
    let kind = Kind::of_manifest(api, doc.at(&["kind"])?.as_str()?)?;
    let name = doc.at(&["metadata", "name"])?.as_str()?.to_string();
    let namespace = doc
        .at(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    Some(Object {
        kind,
        namespace,
        name,
        maker,
    })
}

/// Every named object of `c`'s output (objects with `generateName` only
/// have a prefix and are left out), then what the operator derives.
pub fn objects(p: &Program, c: &Cluster) -> Vec<Object> {
    let m = super::manifests(c);
    let mut docs: Vec<(&Node, Maker)> = Vec::new();
    let mut all: Vec<&Node> = m.namespace.iter().collect();
    all.push(&m.connection);
    all.extend(&m.cluster);
    all.extend(&m.databases);
    all.extend(&m.grant_job);
    all.extend(&m.object_stores);
    all.extend(&m.schedules);
    all.extend(&m.export_cronjob);
    all.extend(&m.poolers);
    all.extend(&m.alerts);
    all.extend(&m.network);
    all.extend(&m.credentials);
    all.extend(&m.publications);
    all.extend(&m.subscriptions);
    let shared = (!m.grant_job.is_empty()).then(|| super::grants::job::shared_config_map_for(c));
    all.extend(&shared);
    for n in all {
        docs.push((n, Maker::Cnpgc));
    }
    let on_demand: Vec<&Node> = m.restore.iter().chain(&m.pitrs).collect();
    for n in on_demand {
        docs.push((n, Maker::OnDemand));
    }
    let app_docs: Vec<Node> = c
        .apps
        .iter()
        .filter_map(|a| super::app_files(c, a))
        .flatten()
        .map(|(_, n)| n)
        .collect();
    for n in &app_docs {
        docs.push((n, Maker::Cnpgc));
    }
    let mut out: Vec<Object> = docs
        .into_iter()
        .filter_map(|(n, maker)| object_of(n, maker))
        .collect();
    for s in crate::secrets::cluster_secrets(c, &super::layout(p, c)) {
        out.push(Object {
            kind: Kind::Secret,
            namespace: s.namespace,
            name: s.name,
            maker: Maker::Cnpgc,
        });
    }
    if let Some(f) = &p.flux {
        let mut flux = vec![super::flux::cluster_kustomization(f, c, "")];
        for a in &c.apps {
            flux.push(super::flux::app_kustomization(f, c, a, ""));
        }
        out.extend(flux.iter().filter_map(|n| object_of(n, Maker::Cnpgc)));
    }
    for d in operator_objects(c) {
        out.push(Object {
            kind: d.kind,
            namespace: c.namespace.clone(),
            name: d.name,
            maker: Maker::Operator,
        });
    }
    out
}
