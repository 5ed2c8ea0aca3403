//! jobs/grant-job.yaml: takes a cluster, gives a ConfigMap holding its grant
//! SQL (`grants.sql`, `wait.sql`) and the Job that runs it as the superuser
//! against the `-rw` service. The SQL's fixed part is written once per
//! output, in `_cnpgc/grants/` (a kustomization every cluster's
//! `jobs/sql/` includes, giving it the cluster's namespace and a name of its
//! own); the Job mounts both ConfigMaps in `/sql`. Names carry a hash of
//! what the Job runs, so a change makes a new Job (Jobs are immutable;
//! GitOps prunes the old one and runs the new one).

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

pub fn secret_env(var: &str, secret: &str, key: &str) -> Node {
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

pub fn env(var: &str, value: String) -> Node {
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
    crate::names::objects::grants(c, hash)
}

/// The directory of the shared fixed SQL, under the output directory (a
/// cluster name never starts with `_`).
pub const SHARED_DIR: &str = "_cnpgc/grants";
/// The shared ConfigMap's file in [`SHARED_DIR`].
pub const SHARED_FILE: &str = "grant-sql.yaml";

/// The shared ConfigMap's name in [`SHARED_DIR`]: `cnpgc-grant-sql-<hash>`.
pub fn shared_base_name() -> String {
    let files = sql::shared_files();
    let parts: Vec<&str> = files.iter().flat_map(|(k, t)| [*k, t.as_str()]).collect();
    format!("cnpgc-grant-sql-{}", short_sha(&parts))
}

/// The shared ConfigMap as a cluster's grant Job sees it: named
/// `<base>-<cluster>` (kustomize's `nameSuffix`, so clusters sharing a
/// namespace do not share the object).
pub fn shared_name(c: &Cluster) -> String {
    format!("{}-{}", shared_base_name(), c.name)
}

fn shared_data() -> Map {
    let mut data = Map::new();
    for (k, t) in sql::shared_files() {
        data.push(k, t);
    }
    data
}

/// `_cnpgc/grants/grant-sql.yaml`: the fixed SQL, no namespace (each
/// cluster's `jobs/sql/` sets it).
pub fn shared_config_map() -> Node {
    Map::new()
        .set("apiVersion", "v1")
        .set("kind", "ConfigMap")
        .set(
            "metadata",
            Map::new().set("name", shared_base_name()).set(
                "labels",
                Map::new().set("app.kubernetes.io/managed-by", "cnpgc"),
            ),
        )
        .set("data", shared_data())
        .into()
}

/// `_cnpgc/grants/kustomization.yaml`.
pub fn shared_kustomization() -> Node {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
        .set("resources", crate::emit::yaml::strs([SHARED_FILE]))
        .into()
}

/// `jobs/sql/kustomization.yaml` of a cluster: the shared fixed SQL
/// (`shared_dir`: its path from there), in the cluster's namespace, under
/// the cluster's own name and label.
pub fn sql_kustomization(c: &Cluster, shared_dir: &str) -> Node {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
        .set("namespace", c.namespace.clone())
        .set("nameSuffix", format!("-{}", c.name))
        .set(
            "resources",
            crate::emit::yaml::strs([shared_dir.to_string()]),
        )
        .set(
            "labels",
            Node::Seq(vec![
                Map::new()
                    .set(
                        "pairs",
                        Map::new().set("app.kubernetes.io/name", c.name.clone()),
                    )
                    .set("includeSelectors", false)
                    .into(),
            ]),
        )
        .into()
}

/// The shared ConfigMap as `jobs/sql/` makes it for `c` (the `-o -` stream
/// writes it so).
pub fn shared_config_map_for(c: &Cluster) -> Node {
    Map::new()
        .set("apiVersion", "v1")
        .set("kind", "ConfigMap")
        .set("metadata", meta::metadata(c, shared_name(c)))
        .set("data", shared_data())
        .into()
}

/// The cluster's files in its own ConfigMap: `grants.sql`, `wait.sql`.
pub fn cluster_files(c: &Cluster) -> Vec<(&'static str, String)> {
    vec![
        ("grants.sql", sql::grants_sql(c)),
        ("wait.sql", sql::wait_sql(c)),
    ]
}

/// ConfigMap + Job, or nothing when the cluster has no database.
pub fn docs(c: &Cluster) -> Vec<Node> {
    if c.databases.is_empty() {
        return Vec::new();
    }
    let files = cluster_files(c);
    let script = script();
    let shared = shared_name(c);
    let mut hashed: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
    hashed.extend([script.as_str(), c.image.as_str(), shared.as_str()]);
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
            data
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
                                            .set(
                                                "projected",
                                                Map::new().set(
                                                    "sources",
                                                    Node::Seq(vec![
                                                        Map::new()
                                                            .set("configMap", meta::name_ref(name))
                                                            .into(),
                                                        Map::new()
                                                            .set(
                                                                "configMap",
                                                                meta::name_ref(shared),
                                                            )
                                                            .into(),
                                                    ]),
                                                ),
                                            )
                                            .into(),
                                    ]),
                                ),
                        ),
                ),
        );
    vec![config_map.into(), job.into()]
}
