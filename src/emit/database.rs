//! database.yaml: takes a cluster and one of its databases, gives the CNPG
//! `Database` CR (owner, extensions, schemas, reclaim policy).

use super::meta;
use super::yaml::{Map, Node};
use crate::ir::{Cluster, Database, Reclaim};

pub fn database(c: &Cluster, d: &Database) -> Node {
    let mut spec = Map::new()
        .set("name", d.name.clone())
        .set("owner", d.owner.clone())
        .set("cluster", meta::name_ref(c.name.clone()))
        .set("ensure", "present")
        .set(
            "databaseReclaimPolicy",
            match d.reclaim {
                Reclaim::Retain => "retain",
                Reclaim::Delete => "delete",
            },
        );
    if let Some(e) = &d.encoding {
        spec.push("encoding", e.clone());
    }
    if let Some(l) = &d.locale {
        spec.push("locale", l.clone());
    }
    if let Some(n) = d.connection_limit {
        spec.push("connectionLimit", n);
    }
    let schemas: Vec<Node> = d
        .schemas
        .iter()
        .filter(|s| s.as_str() != "public")
        .map(|s| {
            Map::new()
                .set("name", s.clone())
                .set("owner", d.owner.clone())
                .set("ensure", "present")
                .into()
        })
        .collect();
    if !schemas.is_empty() {
        spec.push("schemas", Node::Seq(schemas));
    }
    if !d.extensions.is_empty() {
        spec.push(
            "extensions",
            Node::Seq(
                d.extensions
                    .iter()
                    .map(|e| {
                        Map::new()
                            .set("name", e.clone())
                            .set("ensure", "present")
                            .into()
                    })
                    .collect(),
            ),
        );
    }
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Database")
        .set("metadata", meta::metadata(c, d.cr_name.clone()))
        .set("spec", spec)
        .into()
}
