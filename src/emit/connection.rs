//! cnpg.yaml: takes a cluster, gives a ConfigMap with the non-secret
//! connection settings apps need (service hosts, port, TLS mode, databases);
//! the credentials live in Secrets.

use super::meta;
use super::yaml::{Map, Node};
use crate::ir::Cluster;

pub fn config_map(c: &Cluster) -> Node {
    let svc = |kind: &str| format!("{}-{kind}.{}.svc.cluster.local", c.name, c.namespace);
    let dbs: Vec<&str> = c.databases.iter().map(|d| d.name.as_str()).collect();
    let mut data = Map::new()
        .set("PGHOST", svc("rw"))
        .set("PGHOST_RO", svc("ro"))
        .set("PGPORT", "5432")
        .set("PGSSLMODE", "require");
    if !dbs.is_empty() {
        data.push("DATABASES", dbs.join(","));
    }
    Map::new()
        .set("apiVersion", "v1")
        .set("kind", "ConfigMap")
        .set(
            "metadata",
            meta::metadata(c, crate::names::objects::connection(c)),
        )
        .set("data", data)
        .into()
}
