//! The logical export (seed 000's backup-to-bucket job): takes a cluster and
//! its archiving store, gives an on-demand Job and a CronJob that dump every
//! database with pg_dump (custom format, compressed) and upload the dumps to
//! `<bucket>/<path>/logical/<cluster>/<UTC timestamp>/`. S3 stores only (keys
//! or the pods' IAM role). Restore with pg_restore: docs/backups.md.

use super::meta;
use super::yaml::{Map, Node, strs};
use crate::ir::{Backend, Cluster, ObjectStore, S3Auth};

/// The image of the logical export's upload step.
pub const AWS_CLI_IMAGE: &str = "docker.io/amazon/aws-cli:2.27.0";

/// `["/bin/sh", "-c", script]`
pub fn shell(script: String) -> Node {
    strs(["/bin/sh".to_string(), "-c".to_string(), script])
}

fn env(var: &str, value: String) -> Node {
    Map::new()
        .set("name", var.to_string())
        .set("value", value)
        .into()
}

fn secret_env(var: &str, secret: &str, key: &str) -> Node {
    Map::new()
        .set("name", var.to_string())
        .set(
            "valueFrom",
            Map::new().set("secretKeyRef", super::backup::secret_key(secret, key)),
        )
        .into()
}

/// Where the dumps go, under the bucket.
pub fn export_prefix(c: &Cluster, s: &ObjectStore) -> String {
    match s
        .path
        .as_deref()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
    {
        Some(p) => format!("{p}/logical/{}", c.name),
        None => format!("logical/{}", c.name),
    }
}

/// The pod template shared by the Job and the CronJob; `None` when the store
/// is not S3.
fn pod(c: &Cluster, s: &ObjectStore) -> Option<Map> {
    let Backend::S3 { endpoint, auth, .. } = &s.backend else {
        return None;
    };
    let su = super::grants::job::superuser_secret(c);
    let mut dump_env = super::grants::job::pg_env(c, &su);
    let mut dump = String::from("set -eu\n");
    for (i, d) in c.databases.iter().enumerate() {
        dump_env.push(env(&format!("CNPGC_DB_{i}"), d.name.clone()));
        dump.push_str(&format!(
            "PGDATABASE=\"$CNPGC_DB_{i}\" pg_dump --format=custom --compress=6 --no-password --file=/dump/{i}.dump\n\
             printf '%s\\n' \"$CNPGC_DB_{i}\" > /dump/{i}.name\n"
        ));
    }
    let endpoint_arg = if endpoint.is_some() {
        " --endpoint-url \"$S3_ENDPOINT\""
    } else {
        ""
    };
    let upload = format!(
        "set -eu\nstamp=$(date -u +%Y%m%dT%H%M%SZ)\naws{endpoint_arg} s3 cp --recursive /dump \"s3://$S3_BUCKET/{}/$stamp/\"\necho \"cnpgc: uploaded to s3://$S3_BUCKET/{}/$stamp/\"\n",
        export_prefix(c, s),
        export_prefix(c, s)
    );
    let mut upload_env = vec![
        env("S3_BUCKET", s.bucket.clone()),
        env("HOME", "/tmp".into()),
    ];
    if let Some(e) = endpoint {
        upload_env.insert(0, env("S3_ENDPOINT", e.clone()));
    }
    if let S3Auth::Keys(k) = auth {
        upload_env.push(secret_env("AWS_ACCESS_KEY_ID", &k.secret, &k.access_key));
        upload_env.push(secret_env(
            "AWS_SECRET_ACCESS_KEY",
            &k.secret,
            &k.secret_key,
        ));
    }
    let mut spec = Map::new()
        .set("restartPolicy", "Never")
        .opt("imagePullSecrets", meta::pull_secrets(c));
    if matches!(auth, S3Auth::IamRole) {
        // The pods' IAM role is bound to the service account CNPG creates
        // for the cluster.
        spec.push("serviceAccountName", c.name.clone());
    }
    let dump_mount = Map::new().set("name", "dump").set("mountPath", "/dump");
    spec.push("securityContext", super::grants::job::pod_security());
    spec.push(
        "initContainers",
        Node::Seq(vec![
            Map::new()
                .set("name", "dump")
                .set("image", c.image.clone())
                .set("command", shell(dump))
                .set("env", Node::Seq(dump_env))
                .set("volumeMounts", Node::Seq(vec![dump_mount.clone().into()]))
                .set("securityContext", super::grants::job::container_security())
                .into(),
        ]),
    );
    spec.push(
        "containers",
        Node::Seq(vec![
            Map::new()
                .set("name", "upload")
                .set("image", c.pull(&s.export_image))
                .set("command", shell(upload))
                .set("env", Node::Seq(upload_env))
                .set(
                    "volumeMounts",
                    Node::Seq(vec![
                        dump_mount.set("readOnly", true).into(),
                        Map::new()
                            .set("name", "tmp")
                            .set("mountPath", "/tmp")
                            .into(),
                    ]),
                )
                .set("securityContext", super::grants::job::container_security())
                .into(),
        ]),
    );
    spec.push(
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
    );
    Some(
        Map::new()
            .set(
                "metadata",
                Map::new().set("labels", meta::labels(c)).set(
                    "annotations",
                    Map::new().set("sidecar.istio.io/inject", "false"),
                ),
            )
            .set("spec", spec),
    )
}

fn job_spec(pod: Map) -> Map {
    Map::new()
        .set("ttlSecondsAfterFinished", 86_400i64)
        .set("activeDeadlineSeconds", 3600i64)
        .set("backoffLimit", 2i64)
        .set("template", pod)
}

/// day2/backup/backup-to-bucket-job.yaml: on demand (`kubectl create -f`).
pub fn export_job(c: &Cluster) -> Option<Node> {
    let s = c.wal_store()?;
    if c.databases.is_empty() {
        return None;
    }
    let pod = pod(c, s)?;
    let metadata = Map::new()
        .set("generateName", crate::names::objects::export_job_prefix(c))
        .set("namespace", c.namespace.clone())
        .set("labels", meta::labels(c));
    Some(
        Map::new()
            .set("apiVersion", "batch/v1")
            .set("kind", "Job")
            .set("metadata", metadata)
            .set("spec", job_spec(pod))
            .into(),
    )
}

/// day2/backup/backup-to-bucket-cronjob.yaml: the scheduled export.
pub fn export_cronjob(c: &Cluster) -> Option<Node> {
    let s = c.wal_store()?;
    let schedule = s.export_schedule.clone()?;
    if c.databases.is_empty() {
        return None;
    }
    let pod = pod(c, s)?;
    Some(
        Map::new()
            .set("apiVersion", "batch/v1")
            .set("kind", "CronJob")
            .set(
                "metadata",
                meta::metadata(c, crate::names::objects::export_cronjob(c)),
            )
            .set(
                "spec",
                Map::new()
                    .set("schedule", schedule)
                    .set("timeZone", "Etc/UTC")
                    .set("concurrencyPolicy", "Forbid")
                    .set("successfulJobsHistoryLimit", 3i64)
                    .set("failedJobsHistoryLimit", 3i64)
                    .set("jobTemplate", Map::new().set("spec", job_spec(pod))),
            )
            .into(),
    )
}
