//! jobs/grant-job.yaml: takes a cluster, gives a ConfigMap holding the grant
//! SQL and the Job that runs it as the superuser against the `-rw` service.
//! Both names carry a hash of the SQL, so a change makes a new Job (Jobs are
//! immutable; GitOps prunes the old one and runs the new one).

use sha2::{Digest, Sha256};

use super::sql;
use crate::emit::meta;
use crate::emit::yaml::{Map, Node, strs};
use crate::ir::{Cluster, Superuser};

/// Seconds the Job may run in all (every pod, wait included).
pub const DEADLINE: i64 = 600;
/// Seconds between two attempts of the wait-and-apply loop.
pub const PAUSE: u32 = 5;
/// libpq's connect timeout (PGCONNECT_TIMEOUT), seconds.
pub const CONNECT_TIMEOUT: u32 = 10;
/// Attempts of the wait-and-apply loop in one pod. Even when every attempt
/// waits out the connect timeout (service not reachable yet), the loop gives
/// up with its own message before the deadline ends the Job.
pub const ATTEMPTS: u32 = 36;
const _: () = assert!(((ATTEMPTS * (PAUSE + CONNECT_TIMEOUT)) as i64) < DEADLINE);

/// The Secret (basic-auth: username, password) the Job connects with.
pub fn superuser_secret(c: &Cluster) -> String {
    match &c.superuser {
        Superuser::Postgres { password: Some(p) } => p.secret_name.clone(),
        Superuser::Postgres { password: None } => format!("{}-superuser", c.name),
        Superuser::Role { name } => c
            .role(name)
            .and_then(|r| r.password.as_ref())
            .map(|p| p.secret_name.clone())
            .unwrap_or_else(|| format!("{}-superuser", c.name)),
    }
}

fn secret_env(var: &str, secret: &str, key: &str) -> Node {
    Map::new()
        .set("name", var.to_string())
        .set(
            "valueFrom",
            Map::new().set(
                "secretKeyRef",
                Map::new()
                    .set("name", secret.to_string())
                    .set("key", key.to_string()),
            ),
        )
        .into()
}

fn env(var: &str, value: String) -> Node {
    Map::new()
        .set("name", var.to_string())
        .set("value", value)
        .into()
}

/// libpq environment for connecting to the primary as the superuser.
pub fn pg_env(c: &Cluster, secret: &str) -> Vec<Node> {
    vec![
        env("PGHOST", c.rw_host()),
        env("PGPORT", "5432".into()),
        env("PGSSLMODE", "require".into()),
        env("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT.to_string()),
        env("PGAPPNAME", "cnpgc".into()),
        secret_env("PGUSER", secret, "username"),
        secret_env("PGPASSWORD", secret, "password"),
    ]
}

pub fn pod_security() -> Map {
    Map::new()
        .set("runAsNonRoot", true)
        .set("runAsUser", 26i64)
        .set("runAsGroup", 26i64)
        .set("seccompProfile", Map::new().set("type", "RuntimeDefault"))
}

pub fn container_security() -> Map {
    Map::new()
        .set("allowPrivilegeEscalation", false)
        .set("readOnlyRootFilesystem", true)
        .set("capabilities", Map::new().set("drop", strs(["ALL"])))
}

/// The Job's shell script: wait for the operator, then apply, bounded.
pub fn script() -> String {
    format!(
        "set -u\n\
         attempt=1\n\
         until psql -X -q -v ON_ERROR_STOP=1 -d postgres -f /sql/wait.sql && psql -X -q -v ON_ERROR_STOP=1 -d postgres -f /sql/grants.sql; do\n  \
         if [ \"$attempt\" -ge {ATTEMPTS} ]; then\n    \
         echo \"cnpgc: grants not applied after {ATTEMPTS} attempts; see the errors above\" >&2\n    \
         exit 1\n  \
         fi\n  \
         echo \"cnpgc: attempt $attempt failed; retrying in {PAUSE}s\" >&2\n  \
         attempt=$((attempt + 1))\n  \
         sleep {PAUSE}\n\
         done\n\
         echo \"cnpgc: grants applied\"\n"
    )
}

fn short_sha(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `<cluster>-grants-<hash>`, shortened to stay a valid 63-character label.
fn job_name(c: &Cluster, hash: &str) -> String {
    let suffix = format!("-grants-{hash}");
    let mut stem: String = c.name.chars().take(63 - suffix.len()).collect();
    while stem.ends_with('-') {
        stem.pop();
    }
    format!("{stem}{suffix}")
}

/// ConfigMap + Job, or nothing when the cluster has no database.
pub fn docs(c: &Cluster) -> Vec<Node> {
    if c.databases.is_empty() {
        return Vec::new();
    }
    let files = sql::grant_files(c);
    let wait = sql::wait_sql(c);
    let script = script();
    let mut hashed: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
    hashed.extend([wait.as_str(), script.as_str(), c.image.as_str()]);
    let name = job_name(c, &short_sha(&hashed));
    let secret = superuser_secret(c);

    let config_map = Map::new()
        .set("apiVersion", "v1")
        .set("kind", "ConfigMap")
        .set("metadata", meta::metadata(c, name.clone()))
        .set("data", {
            let mut data = Map::new();
            for (k, t) in files {
                data.push(k, t);
            }
            data.set("wait.sql", wait)
        });

    let container = Map::new()
        .set("name", "grants")
        .set("image", c.image.clone())
        .set("command", crate::emit::backup::shell(script))
        .set("env", Node::Seq(pg_env(c, &secret)))
        .set(
            "volumeMounts",
            Node::Seq(vec![
                Map::new()
                    .set("name", "sql")
                    .set("mountPath", "/sql")
                    .set("readOnly", true)
                    .into(),
            ]),
        )
        .set(
            "resources",
            Map::new()
                .set(
                    "requests",
                    Map::new().set("cpu", "10m").set("memory", "32Mi"),
                )
                .set("limits", Map::new().set("memory", "128Mi")),
        )
        .set("securityContext", container_security());
    let job = Map::new()
        .set("apiVersion", "batch/v1")
        .set("kind", "Job")
        .set("metadata", meta::metadata(c, name.clone()))
        .set(
            "spec",
            Map::new()
                .set("ttlSecondsAfterFinished", 3600i64)
                .set("activeDeadlineSeconds", DEADLINE)
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
                                .opt("imagePullSecrets", crate::emit::meta::pull_secrets(c))
                                .set("securityContext", pod_security())
                                .set("containers", Node::Seq(vec![container.into()]))
                                .set(
                                    "volumes",
                                    Node::Seq(vec![
                                        Map::new()
                                            .set("name", "sql")
                                            .set("configMap", Map::new().set("name", name))
                                            .into(),
                                    ]),
                                ),
                        ),
                ),
        );
    vec![config_map.into(), job.into()]
}
