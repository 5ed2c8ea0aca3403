//! pooler.yaml: takes a cluster, gives its PgBouncer `Pooler` CRs (the
//! pgbouncer image named only when a registry mirror must rewrite it).

use super::meta;
use super::yaml::{Map, Node};
use crate::ir::{Cluster, Pooler};

/// The PgBouncer image the operator would use (named when mirrored).
pub const PGBOUNCER_IMAGE: &str = "ghcr.io/cloudnative-pg/pgbouncer:1.24.1";

pub fn pooler(c: &Cluster, p: &Pooler) -> Node {
    let mut params = Map::new();
    for (k, v) in &p.parameters {
        params.push(k.clone(), v.clone());
    }
    let mut pgbouncer = Map::new().set("poolMode", p.mode.clone());
    if !params.is_empty() {
        pgbouncer.push("parameters", params);
    }
    let mut spec = Map::new()
        .set("cluster", meta::name_ref(c.name.clone()))
        .set("instances", p.instances)
        .set("type", p.kind.clone())
        .set("pgbouncer", pgbouncer);
    if let Some(r) = &c.registry {
        let mut pod = Map::new().set(
            "containers",
            Node::Seq(vec![
                Map::new()
                    .set("name", "pgbouncer")
                    .set("image", r.rewrite(PGBOUNCER_IMAGE))
                    .into(),
            ]),
        );
        if let Some(s) = &r.pull_secret {
            pod.push(
                "imagePullSecrets",
                Node::Seq(vec![meta::name_ref(s.clone()).into()]),
            );
        }
        spec.push("template", Map::new().set("spec", pod));
    }
    let scrape = c.monitoring.is_some_and(|m| !m.operator).then(|| {
        Map::new()
            .set("prometheus.io/scrape", "true")
            .set("prometheus.io/port", "9127")
    });
    if let Some(ann) = meta::merged(scrape, meta::istio_annotations(c, "5432,9127")) {
        let tmpl = spec.get_mut("template").and_then(Node::as_map_mut);
        match tmpl {
            Some(t) => t.push("metadata", Map::new().set("annotations", ann)),
            None => spec.push(
                "template",
                Map::new()
                    .set("metadata", Map::new().set("annotations", ann))
                    .set(
                        "spec",
                        Map::new().set(
                            "containers",
                            Node::Seq(vec![Map::new().set("name", "pgbouncer").into()]),
                        ),
                    ),
            ),
        }
    }
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Pooler")
        .set("metadata", meta::metadata(c, p.name.clone()))
        .set("spec", spec)
        .into()
}
