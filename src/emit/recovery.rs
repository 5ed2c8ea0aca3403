//! Recovery: takes a cluster, gives how it starts (`bootstrap`: initdb, a
//! recovery from a backup, or a base backup of its replication source), its
//! `externalClusters` and `replica` stanza, and the day-2 recovery clusters
//! (cluster-restore.yaml, point-in-time-recovery.yaml).

use super::cluster;
use super::meta::{self, PLUGIN};
use super::yaml::{Map, Node, strs};
use crate::ir::{Cluster, Migration, Pitr, RecoverySource, RecoveryTarget};

fn target_map(t: &RecoveryTarget) -> Map {
    Map::new()
        .opt("backupID", t.backup_id.clone())
        .opt("targetTime", t.time.clone())
        .opt("targetLSN", t.lsn.clone())
        .opt("targetName", t.name.clone())
        .opt("targetXID", t.xid.map(|x| x.to_string()))
        .when(t.immediate, "targetImmediate", true)
        .opt("targetTLI", t.timeline.clone())
        .when(t.exclusive, "exclusive", true)
}

/// An externalClusters entry reading a barman-cloud plugin store.
fn plugin_source(name: &str, store_cr: &str, server: &str) -> Map {
    Map::new().set("name", name.to_string()).set(
        "plugin",
        Map::new().set("name", PLUGIN).set(
            "parameters",
            Map::new()
                .set("barmanObjectName", store_cr.to_string())
                .set("serverName", server.to_string()),
        ),
    )
}

/// `spec.bootstrap` of the cluster.
pub fn bootstrap(c: &Cluster) -> Option<Map> {
    if let Some(r) = &c.replica {
        let how = if r.store.is_some() {
            Map::new().set("recovery", Map::new().set("source", r.source.clone()))
        } else {
            Map::new().set("pg_basebackup", Map::new().set("source", r.source.clone()))
        };
        return Some(how);
    }
    if let Some(rec) = &c.recovery {
        let mut recovery = match &rec.source {
            RecoverySource::Store { server, .. } => Map::new().set("source", server.clone()),
            RecoverySource::Backup(b) => Map::new().set("backup", meta::name_ref(b.clone())),
        };
        if let Some(d) = c.databases.first() {
            recovery.push("database", d.name.clone());
            recovery.push("owner", d.owner.clone());
        }
        if !rec.target.is_empty() {
            recovery.push("recoveryTarget", target_map(&rec.target));
        }
        return Some(Map::new().set("recovery", recovery));
    }
    let first = c.databases.first();
    if first.is_none() && c.init_sql.is_empty() && c.migration.is_none() {
        return None;
    }
    let mut initdb = Map::new();
    if let Some(d) = first {
        initdb.push("database", d.name.clone());
        initdb.push("owner", d.owner.clone());
        if let Some(p) = c.role(&d.owner).and_then(|o| o.password.as_ref()) {
            initdb.push("secret", meta::name_ref(p.secret_name.clone()));
        }
        if let Some(e) = &d.encoding {
            initdb.push("encoding", e.clone());
        }
        if let Some(l) = &d.locale {
            initdb.push("locale", l.clone());
        }
    }
    initdb.push("dataChecksums", true);
    if let Some(m) = &c.migration {
        initdb.push("import", import(m));
    }
    // The first database's extensions are created by the superuser at init
    // (and kept by the Database CR afterwards): both ways, as seed 001 does
    // for pgvector, since the app role may not create untrusted extensions.
    let mut post: Vec<String> = c.init_sql.clone();
    if let Some(d) = first {
        for e in &d.extensions {
            post.push(format!(
                "CREATE EXTENSION IF NOT EXISTS {}",
                super::grants::quote::ident(e)
            ));
        }
    }
    if !post.is_empty() {
        initdb.push("postInitApplicationSQL", strs(post));
    }
    Some(Map::new().set("initdb", initdb))
}

/// `bootstrap.initdb.import`: pg_dump/pg_restore from the migration source
/// at creation (the schema only, for a logical migration).
fn import(m: &Migration) -> Map {
    Map::new()
        .set(
            "type",
            if m.monolith {
                "monolith"
            } else {
                "microservice"
            },
        )
        .set("databases", strs(m.databases.clone()))
        .when(m.schema_only, "schemaOnly", true)
        .set(
            "source",
            Map::new().set("externalCluster", m.source.clone()),
        )
}

/// `spec.externalClusters`: the recovery source, the replication source and
/// the migration source.
pub fn external_clusters(c: &Cluster) -> Vec<Node> {
    let mut out = Vec::new();
    if let Some(m) = &c.migration {
        out.push(
            Map::new()
                .set("name", m.source.clone())
                .set(
                    "connectionParameters",
                    Map::new()
                        .set("host", m.host.clone())
                        .set("user", m.user.clone())
                        .set("dbname", "postgres")
                        .set("sslmode", "require"),
                )
                .opt(
                    "password",
                    m.password
                        .as_ref()
                        .map(|p| super::backup::secret_key(&p.secret, &p.key)),
                )
                .into(),
        );
    }
    if let Some(rec) = &c.recovery
        && let RecoverySource::Store { cr_name, server } = &rec.source
    {
        out.push(plugin_source(server, cr_name, server).into());
    }
    if let Some(r) = &c.replica {
        let mut e = Map::new().set("name", r.source.clone());
        if let Some(s) = &r.streaming {
            e.push(
                "connectionParameters",
                Map::new()
                    .set("host", s.host.clone())
                    .set("port", s.port.to_string())
                    .set("user", s.user.clone())
                    .set("dbname", "postgres")
                    .set("sslmode", s.ssl_mode.clone()),
            );
            if let Some(p) = &s.password {
                e.push("password", super::backup::secret_key(&p.secret, &p.key));
            }
            if let Some(ca) = &s.ca {
                e.push(
                    "sslRootCert",
                    super::backup::secret_key(&ca.secret, &ca.key),
                );
            }
            if let Some(cert) = &s.cert {
                e.push("sslCert", super::backup::secret_key(cert, "tls.crt"));
                e.push("sslKey", super::backup::secret_key(cert, "tls.key"));
            }
        }
        if let Some((cr, server)) = &r.store {
            e.push(
                "plugin",
                Map::new().set("name", PLUGIN).set(
                    "parameters",
                    Map::new()
                        .set("barmanObjectName", cr.clone())
                        .set("serverName", server.clone()),
                ),
            );
        }
        out.push(e.into());
    }
    out
}

/// `spec.replica` of a DR cluster.
pub fn replica(c: &Cluster) -> Option<Map> {
    let r = c.replica.as_ref()?;
    Some(match &r.primary {
        // Distributed topology: switchover by changing `primary` on both sides.
        Some(p) => Map::new()
            .set("self", c.name.clone())
            .set("primary", p.clone())
            .set("source", r.source.clone())
            .opt("promotionToken", r.promotion_token.clone()),
        None => Map::new()
            .set("enabled", true)
            .set("source", r.source.clone())
            .opt("promotionToken", r.promotion_token.clone()),
    })
}

/// A new cluster bootstrapped from `store` (WAL read from the origin's
/// server name), archiving under its own server name so it never writes into
/// the origin's WAL archive.
fn recovery_cluster(
    c: &Cluster,
    name: &str,
    image: &str,
    store: &str,
    target: Option<Map>,
) -> Node {
    let origin_server = c
        .wal_store()
        .and_then(|s| s.server_name.clone())
        .unwrap_or_else(|| c.name.clone());
    let mut recovery = Map::new().set("source", origin_server.clone());
    if let Some(t) = target {
        recovery.push("recoveryTarget", t);
    }
    let mut spec = Map::new()
        .set("instances", c.instances)
        .set("imageName", image.to_string())
        .set("storage", cluster::storage(c));
    if let Some(r) = cluster::resources(c) {
        spec.push("resources", r);
    }
    if let Some(a) = cluster::affinity(c) {
        spec.push("affinity", a);
    }
    spec.push("bootstrap", Map::new().set("recovery", recovery));
    spec.push(
        "plugins",
        Node::Seq(vec![
            Map::new()
                .set("name", PLUGIN)
                .set("isWALArchiver", true)
                .set(
                    "parameters",
                    Map::new()
                        .set("barmanObjectName", store.to_string())
                        .set("serverName", name.to_string()),
                )
                .into(),
        ]),
    );
    spec.push(
        "externalClusters",
        Node::Seq(vec![
            plugin_source(&origin_server, store, &origin_server).into(),
        ]),
    );
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Cluster")
        .set("metadata", meta::metadata(c, name.to_string()))
        .set("spec", spec)
        .into()
}

/// day2/backup/cluster-restore.yaml: the latest backup and all WAL (plugin stores).
pub fn cluster_restore(c: &Cluster) -> Option<Node> {
    let s = c.wal_store().filter(|s| !s.inline)?;
    Some(recovery_cluster(
        c,
        &crate::names::objects::restore_cluster(c),
        &c.image,
        &s.cr_name,
        None,
    ))
}

/// One cluster of day2/backup/point-in-time-recovery.yaml.
pub fn pitr(c: &Cluster, p: &Pitr) -> Node {
    recovery_cluster(
        c,
        &p.name,
        &p.image,
        &p.store_cr,
        Some(target_map(&p.target)),
    )
}
