//! Logical migrations: takes a cluster, gives the Subscriptions of its
//! logical migration (subscription.yaml, destination side) and the
//! Publications other clusters' migrations read (publication.yaml, source
//! side). The import at creation is in `recovery` (bootstrap.initdb.import).

use super::meta;
use super::yaml::{Map, Node};
use crate::ir::{Cluster, MigrationMode};
use crate::names::Kind;

/// The PostgreSQL subscription name on the destination.
fn subscription_name(source: &str) -> String {
    format!("cnpgc_from_{}", source.replace('-', "_"))
}

fn cr_name(kind: Kind, parts: &[&str]) -> String {
    crate::names::objects::logical_cr(kind, parts)
}

pub fn subscriptions(c: &Cluster) -> Vec<Node> {
    let Some(m) = c
        .migration
        .as_ref()
        .filter(|m| m.mode == MigrationMode::Logical)
    else {
        return Vec::new();
    };
    m.databases
        .iter()
        .map(|db| {
            Map::new()
                .set("apiVersion", "postgresql.cnpg.io/v1")
                .set("kind", "Subscription")
                .set(
                    "metadata",
                    meta::metadata(
                        c,
                        cr_name(Kind::Subscription, &[&c.name, db, "from", &m.source]),
                    ),
                )
                .set(
                    "spec",
                    Map::new()
                        .set("cluster", meta::name_ref(c.name.clone()))
                        .set("name", subscription_name(&m.source))
                        .set("dbname", db.clone())
                        .set("publicationName", crate::ir::publication_name(&c.name))
                        .set("publicationDBName", db.clone())
                        .set("externalClusterName", m.source.clone()),
                )
                .into()
        })
        .collect()
}

pub fn publications(c: &Cluster) -> Vec<Node> {
    c.publications
        .iter()
        .map(|p| {
            Map::new()
                .set("apiVersion", "postgresql.cnpg.io/v1")
                .set("kind", "Publication")
                .set(
                    "metadata",
                    meta::metadata(
                        c,
                        cr_name(Kind::Publication, &[&c.name, &p.database, "to", &p.to]),
                    ),
                )
                .set(
                    "spec",
                    Map::new()
                        .set("cluster", meta::name_ref(c.name.clone()))
                        .set("name", p.name.clone())
                        .set("dbname", p.database.clone())
                        .set("target", Map::new().set("allTables", true)),
                )
                .into()
        })
        .collect()
}
