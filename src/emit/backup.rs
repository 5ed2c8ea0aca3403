//! Backups: takes a cluster and its object stores, gives plugin/barman.yaml
//! (barman-cloud `ObjectStore`), the ScheduledBackup, the on-demand Backup,
//! the restore and point-in-time recovery clusters and the logical export Job.

use super::cluster;
use super::meta::{self, PLUGIN};
use super::yaml::{Map, Node, strs};
use crate::ir::{Cluster, ObjectStore, Pitr};

fn secret_key(name: &str, key: &str) -> Map {
    Map::new()
        .set("name", name.to_string())
        .set("key", key.to_string())
}

pub fn object_store(c: &Cluster, s: &ObjectStore) -> Node {
    let mut conf = Map::new()
        .set("destinationPath", s.destination_path())
        .set("endpointURL", s.endpoint.clone());
    if let Some(ca) = &s.ca {
        conf.push("endpointCA", secret_key(&ca.secret, &ca.key));
    }
    conf.push(
        "s3Credentials",
        Map::new()
            .set(
                "accessKeyId",
                secret_key(&s.credentials.secret, &s.credentials.access_key),
            )
            .set(
                "secretAccessKey",
                secret_key(&s.credentials.secret, &s.credentials.secret_key),
            ),
    );
    conf.push(
        "wal",
        Map::new()
            .set("compression", "gzip")
            .set("maxParallel", 2i64),
    );
    conf.push(
        "data",
        Map::new().set("compression", "gzip").set("jobs", 2i64),
    );
    Map::new()
        .set("apiVersion", "barmancloud.cnpg.io/v1")
        .set("kind", "ObjectStore")
        .set("metadata", meta::metadata(c, s.cr_name.clone()))
        .set(
            "spec",
            Map::new()
                .set("retentionPolicy", s.retention.clone())
                .set("configuration", conf),
        )
        .into()
}

fn plugin_ref() -> Map {
    Map::new().set("name", PLUGIN)
}

pub fn scheduled_backup(c: &Cluster, s: &ObjectStore) -> Node {
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "ScheduledBackup")
        .set(
            "metadata",
            meta::metadata(c, format!("{}-scheduled", c.name)),
        )
        .set(
            "spec",
            Map::new()
                .set("schedule", s.schedule.clone())
                .set("immediate", true)
                .set("backupOwnerReference", "self")
                .set("cluster", meta::name_ref(c.name.clone()))
                .set("method", "plugin")
                .set("pluginConfiguration", plugin_ref()),
        )
        .into()
}

pub fn manual_backup(c: &Cluster) -> Node {
    let metadata = Map::new()
        .set("generateName", format!("{}-manual-", c.name))
        .set("namespace", c.namespace.clone())
        .set("labels", meta::labels(c));
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Backup")
        .set("metadata", metadata)
        .set(
            "spec",
            Map::new()
                .set("cluster", meta::name_ref(c.name.clone()))
                .set("method", "plugin")
                .set("pluginConfiguration", plugin_ref()),
        )
        .into()
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
    let mut recovery = Map::new().set("source", "origin");
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
            Map::new()
                .set("name", "origin")
                .set(
                    "plugin",
                    Map::new().set("name", PLUGIN).set(
                        "parameters",
                        Map::new()
                            .set("barmanObjectName", store.to_string())
                            .set("serverName", c.name.clone()),
                    ),
                )
                .into(),
        ]),
    );
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Cluster")
        .set("metadata", meta::metadata(c, name.to_string()))
        .set("spec", spec)
        .into()
}

pub fn cluster_restore(c: &Cluster, s: &ObjectStore) -> Node {
    let name = restore_name(c);
    recovery_cluster(c, &name, &c.image, &s.cr_name, None)
}

fn restore_name(c: &Cluster) -> String {
    let mut base: String = c.name.chars().take(50 - "-restore".len()).collect();
    while base.ends_with('-') {
        base.pop();
    }
    format!("{base}-restore")
}

pub fn pitr(c: &Cluster, p: &Pitr) -> Node {
    let mut target = Map::new().set("backupID", p.backup_id.clone());
    match &p.target_time {
        Some(t) => target.push("targetTime", t.clone()),
        None => target.push("targetImmediate", true),
    }
    recovery_cluster(c, &p.name, &p.image, &p.store_cr, Some(target))
}

/// The image of the logical export's upload step.
pub const AWS_CLI_IMAGE: &str = "docker.io/amazon/aws-cli:2.31.0";

/// A Job that dumps every database with pg_dump (custom format) and uploads
/// the dumps to `s3://<bucket>/<path>/logical/<cluster>/<timestamp>/`.
pub fn export_job(c: &Cluster, s: &ObjectStore) -> Vec<Node> {
    if c.databases.is_empty() {
        return Vec::new();
    }
    let su = super::grants::job::superuser_secret(c);
    let mut env = super::grants::job::pg_env(c, &su);
    let mut dump = String::from("set -eu\n");
    for (i, d) in c.databases.iter().enumerate() {
        env.push(
            Map::new()
                .set("name", format!("CNPGC_DB_{i}"))
                .set("value", d.name.clone())
                .into(),
        );
        dump.push_str(&format!(
            "PGDATABASE=\"$CNPGC_DB_{i}\" pg_dump --format=custom --compress=6 --no-password --file=/dump/{i}.dump\necho \"dumped database {i}\"\n"
        ));
    }
    let prefix = match &s.path {
        Some(p) => format!("{}/logical/{}", p.trim_matches('/'), c.name),
        None => format!("logical/{}", c.name),
    };
    let upload = format!(
        "set -eu\nstamp=$(date -u +%Y%m%dT%H%M%SZ)\naws --endpoint-url \"$S3_ENDPOINT\" s3 cp --recursive /dump \"s3://$S3_BUCKET/{prefix}/$stamp/\"\necho \"uploaded to s3://$S3_BUCKET/{prefix}/$stamp/\"\n"
    );
    let job = Map::new()
        .set("apiVersion", "batch/v1")
        .set("kind", "Job")
        .set("metadata", meta::metadata(c, format!("{}-export", c.name)))
        .set(
            "spec",
            Map::new()
                .set("ttlSecondsAfterFinished", 3600i64)
                .set("activeDeadlineSeconds", 3600i64)
                .set("backoffLimit", 2i64)
                .set(
                    "template",
                    Map::new()
                        .set(
                            "metadata",
                            Map::new().set("labels", meta::labels(c)).set(
                                "annotations",
                                Map::new().set("sidecar.istio.io/inject", "false"),
                            ),
                        )
                        .set(
                            "spec",
                            Map::new()
                                .set("restartPolicy", "Never")
                                .set("securityContext", super::grants::job::pod_security())
                                .set(
                                    "initContainers",
                                    Node::Seq(vec![
                                        Map::new()
                                            .set("name", "dump")
                                            .set("image", c.image.clone())
                                            .set("command", shell(dump))
                                            .set("env", Node::Seq(env))
                                            .set(
                                                "volumeMounts",
                                                Node::Seq(vec![
                                                    Map::new()
                                                        .set("name", "dump")
                                                        .set("mountPath", "/dump")
                                                        .into(),
                                                ]),
                                            )
                                            .set(
                                                "securityContext",
                                                super::grants::job::container_security(),
                                            )
                                            .into(),
                                    ]),
                                )
                                .set(
                                    "containers",
                                    Node::Seq(vec![
                                        Map::new()
                                            .set("name", "upload")
                                            .set("image", AWS_CLI_IMAGE)
                                            .set("command", shell(upload))
                                            .set(
                                                "env",
                                                Node::Seq(vec![
                                                    Map::new()
                                                        .set("name", "S3_ENDPOINT")
                                                        .set("value", s.endpoint.clone())
                                                        .into(),
                                                    Map::new()
                                                        .set("name", "S3_BUCKET")
                                                        .set("value", s.bucket.clone())
                                                        .into(),
                                                    secret_env(
                                                        "AWS_ACCESS_KEY_ID",
                                                        &s.credentials.secret,
                                                        &s.credentials.access_key,
                                                    ),
                                                    secret_env(
                                                        "AWS_SECRET_ACCESS_KEY",
                                                        &s.credentials.secret,
                                                        &s.credentials.secret_key,
                                                    ),
                                                    Map::new()
                                                        .set("name", "HOME")
                                                        .set("value", "/tmp")
                                                        .into(),
                                                ]),
                                            )
                                            .set(
                                                "volumeMounts",
                                                Node::Seq(vec![
                                                    Map::new()
                                                        .set("name", "dump")
                                                        .set("mountPath", "/dump")
                                                        .set("readOnly", true)
                                                        .into(),
                                                    Map::new()
                                                        .set("name", "tmp")
                                                        .set("mountPath", "/tmp")
                                                        .into(),
                                                ]),
                                            )
                                            .set(
                                                "securityContext",
                                                super::grants::job::container_security(),
                                            )
                                            .into(),
                                    ]),
                                )
                                .set(
                                    "volumes",
                                    Node::Seq(vec![
                                        Map::new()
                                            .set("name", "dump")
                                            .set("emptyDir", Map::new())
                                            .into(),
                                        Map::new()
                                            .set("name", "tmp")
                                            .set("emptyDir", Map::new())
                                            .into(),
                                    ]),
                                ),
                        ),
                ),
        );
    vec![job.into()]
}

/// `["/bin/sh", "-c", script]`
pub fn shell(script: String) -> Node {
    strs(["/bin/sh".to_string(), "-c".to_string(), script])
}

fn secret_env(var: &str, secret: &str, key: &str) -> Node {
    Map::new()
        .set("name", var.to_string())
        .set(
            "valueFrom",
            Map::new().set("secretKeyRef", secret_key(secret, key)),
        )
        .into()
}
