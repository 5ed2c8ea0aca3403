//! Backups: takes a cluster and its object stores, gives plugin/barman.yaml
//! (barman-cloud `ObjectStore` CRs), the Cluster's archiving fragments (plugin
//! or deprecated inline, volume snapshots), the ScheduledBackups and the
//! on-demand Backup.

pub use super::export::shell;
use super::meta::{self, PLUGIN};
use super::yaml::{Map, Node};
use crate::ir::{AzureAuth, Backend, Cluster, GcsAuth, ObjectStore, S3Auth};

pub fn secret_key(name: &str, key: &str) -> Map {
    Map::new()
        .set("name", name.to_string())
        .set("key", key.to_string())
}

/// The barman object store configuration (ObjectStore `spec.configuration`,
/// or the inline `barmanObjectStore`), without a server name.
pub fn store_configuration(s: &ObjectStore) -> Map {
    let mut conf = Map::new().set("destinationPath", s.destination_path());
    match &s.backend {
        Backend::S3 { endpoint, auth, ca } => {
            if let Some(e) = endpoint {
                conf.push("endpointURL", e.clone());
            }
            if let Some(ca) = ca {
                conf.push("endpointCA", secret_key(&ca.secret, &ca.key));
            }
            conf.push(
                "s3Credentials",
                match auth {
                    S3Auth::Keys(c) => Map::new()
                        .set("accessKeyId", secret_key(&c.secret, &c.access_key))
                        .set("secretAccessKey", secret_key(&c.secret, &c.secret_key)),
                    S3Auth::IamRole => Map::new().set("inheritFromIAMRole", true),
                },
            );
        }
        Backend::Gcs { auth } => conf.push(
            "googleCredentials",
            match auth {
                GcsAuth::WorkloadIdentity { .. } => Map::new().set("gkeEnvironment", true),
                GcsAuth::Key(k) => {
                    Map::new().set("applicationCredentials", secret_key(&k.secret, &k.key))
                }
            },
        ),
        Backend::Azure { auth, .. } => conf.push(
            "azureCredentials",
            match auth {
                AzureAuth::ConnectionString(k) => {
                    Map::new().set("connectionString", secret_key(&k.secret, &k.key))
                }
                AzureAuth::Inherit => Map::new().set("useDefaultAzureCredentials", true),
            },
        ),
    }
    conf.push(
        "wal",
        Map::new()
            .set("compression", s.wal_compression.clone())
            .set("maxParallel", s.wal_parallel)
            .opt("encryption", s.encryption.clone()),
    );
    conf.push(
        "data",
        Map::new()
            .set("compression", s.data_compression.clone())
            .set("jobs", s.data_jobs)
            .opt("encryption", s.encryption.clone()),
    );
    conf
}

/// An `ObjectStore` CR (plugin mode stores only).
pub fn object_store(c: &Cluster, s: &ObjectStore) -> Node {
    Map::new()
        .set("apiVersion", "barmancloud.cnpg.io/v1")
        .set("kind", "ObjectStore")
        .set("metadata", meta::metadata(c, s.cr_name.clone()))
        .set(
            "spec",
            Map::new()
                .set("retentionPolicy", s.retention.clone())
                .set("configuration", store_configuration(s)),
        )
        .into()
}

/// `spec.plugins` entry of the archiving store.
pub fn archiver_plugin(s: &ObjectStore) -> Node {
    let mut params = Map::new().set("barmanObjectName", s.cr_name.clone());
    if let Some(n) = &s.server_name {
        params.push("serverName", n.clone());
    }
    Map::new()
        .set("name", PLUGIN)
        .set("isWALArchiver", true)
        .set("parameters", params)
        .into()
}

/// `spec.backup` of the Cluster: the deprecated inline store and/or volume
/// snapshots; `None` when neither is used.
pub fn cluster_backup(c: &Cluster) -> Option<Map> {
    let inline = c.wal_store().filter(|s| s.inline);
    if inline.is_none() && c.snapshots.is_none() {
        return None;
    }
    let mut b = Map::new();
    if let Some(s) = inline {
        let mut conf = store_configuration(s);
        if let Some(n) = &s.server_name {
            conf.push("serverName", n.clone());
        }
        b.push("barmanObjectStore", conf);
        b.push("retentionPolicy", s.retention.clone());
        if let Some(t) = &s.target {
            b.push("target", t.clone());
        }
    }
    if let Some(v) = &c.snapshots {
        b.push(
            "volumeSnapshot",
            Map::new()
                .set("className", v.class.clone())
                .opt("walClassName", v.wal_class.clone())
                .set("online", v.online),
        );
    }
    Some(b)
}

fn plugin_ref() -> Map {
    Map::new().set("name", PLUGIN)
}

/// The backup method of a store: `plugin`, or `barmanObjectStore` inline.
fn method_of(s: &ObjectStore) -> &'static str {
    if s.inline {
        "barmanObjectStore"
    } else {
        "plugin"
    }
}

/// ScheduledBackups: base backups to the archiving store, and snapshots.
pub fn scheduled_backups(c: &Cluster) -> Vec<Node> {
    let mut out = Vec::new();
    if let Some(s) = c.wal_store() {
        let mut spec = Map::new()
            .set("schedule", s.schedule.clone())
            .set("immediate", s.immediate)
            .set("suspend", s.suspend)
            .set("backupOwnerReference", "self")
            .set("cluster", meta::name_ref(c.name.clone()))
            .set("method", method_of(s));
        if !s.inline {
            spec.push("pluginConfiguration", plugin_ref());
        }
        if let Some(t) = &s.target {
            spec.push("target", t.clone());
        }
        out.push(
            Map::new()
                .set("apiVersion", "postgresql.cnpg.io/v1")
                .set("kind", "ScheduledBackup")
                .set(
                    "metadata",
                    meta::metadata(c, crate::names::objects::scheduled_backup(c)),
                )
                .set("spec", spec)
                .into(),
        );
    }
    if let Some(v) = &c.snapshots
        && let Some(schedule) = &v.schedule
    {
        out.push(
            Map::new()
                .set("apiVersion", "postgresql.cnpg.io/v1")
                .set("kind", "ScheduledBackup")
                .set(
                    "metadata",
                    meta::metadata(c, crate::names::objects::snapshot_schedule(c)),
                )
                .set(
                    "spec",
                    Map::new()
                        .set("schedule", schedule.clone())
                        .set("backupOwnerReference", "self")
                        .set("cluster", meta::name_ref(c.name.clone()))
                        .set("method", "volumeSnapshot"),
                )
                .into(),
        );
    }
    out
}

/// An on-demand Backup (generateName: apply with `kubectl create -f`).
pub fn manual_backup(c: &Cluster) -> Option<Node> {
    let mut spec = Map::new().set("cluster", meta::name_ref(c.name.clone()));
    match c.wal_store() {
        Some(s) => {
            spec.push("method", method_of(s));
            if !s.inline {
                spec.push("pluginConfiguration", plugin_ref());
            }
        }
        None if c.snapshots.is_some() => spec.push("method", "volumeSnapshot"),
        None => return None,
    }
    let metadata = Map::new()
        .set(
            "generateName",
            crate::names::objects::manual_backup_prefix(c),
        )
        .set("namespace", c.namespace.clone())
        .set("labels", meta::labels(c));
    Some(
        Map::new()
            .set("apiVersion", "postgresql.cnpg.io/v1")
            .set("kind", "Backup")
            .set("metadata", metadata)
            .set("spec", spec)
            .into(),
    )
}
