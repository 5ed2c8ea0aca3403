//! Logical migrations: takes a cluster, gives the Subscriptions of its
//! logical migration (subscription.yaml, destination side), the Job that
//! copies the sequences' values at the switch-over
//! (day2/backup/sync-sequences-job.yaml) and the Publications other
//! clusters' migrations read (publication.yaml, source side). The import at
//! creation is in `recovery` (bootstrap.initdb.import).

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

/// Run on the source, per database: one guarded `setval` per sequence, as
/// CNPG's `kubectl cnpg subscription sync-sequences` does it
/// (internal/cmd/plugin/logical/subscription/syncsequences/: read
/// `pg_sequences` on the source, `setval` on the destination). A sequence
/// never used gets its start value back with `is_called` false; one the
/// destination lacks is skipped (`to_regclass` gives NULL, and `setval` is
/// strict).
pub const SEQUENCES_SQL: &str = "SELECT format('SELECT pg_catalog.setval(pg_catalog.to_regclass(%L), %s, %s);', \
q, coalesce(last_value, start_value), (last_value IS NOT NULL)::text) \
FROM (SELECT pg_catalog.quote_ident(schemaname) || '.' || pg_catalog.quote_ident(sequencename) AS q, \
last_value, start_value FROM pg_catalog.pg_sequences) AS s ORDER BY q";

/// The shell script of the sequence Job: for each database (its name in
/// `CNPGC_DB_<i>`, never in the script), the source's values into the
/// destination, in one transaction per database.
pub fn sync_script(databases: usize) -> String {
    let mut s = String::from("set -eu\n");
    for i in 0..databases {
        s.push_str(&format!(
            "PGHOST=\"$SRC_HOST\" PGPORT=\"$SRC_PORT\" PGUSER=\"$SRC_USER\" PGPASSWORD=\"$SRC_PASSWORD\" PGDATABASE=\"$CNPGC_DB_{i}\" \\\n  \
             psql -X -At -v ON_ERROR_STOP=1 -c \"$CNPGC_SEQUENCES_SQL\" > /tmp/seq-{i}.sql\n\
             PGDATABASE=\"$CNPGC_DB_{i}\" psql -X -q -v ON_ERROR_STOP=1 -1 -o /dev/null -f /tmp/seq-{i}.sql\n\
             echo \"cnpgc: $(wc -l < /tmp/seq-{i}.sql) sequence(s) of $CNPGC_DB_{i} set from the source\"\n"
        ));
    }
    s
}

/// day2/backup/sync-sequences-job.yaml: logical replication does not carry
/// sequence values, so at the switch-over (writes to the source stopped,
/// the subscriptions caught up) this Job sets every sequence of the
/// destination to the source's value before the apps move; otherwise the
/// first inserts end in duplicate keys. On demand (`kubectl create -f`).
pub fn sync_sequences_job(c: &Cluster) -> Option<Node> {
    use super::grants::job::{
        container_security, env, pg_env, pod_security, secret_env, superuser_secret,
    };
    let m = c
        .migration
        .as_ref()
        .filter(|m| m.mode == MigrationMode::Logical)?;
    let password = m.password.as_ref()?;
    let mut vars = pg_env(c, &superuser_secret(c));
    vars.extend([
        env("SRC_HOST", m.host.clone()),
        env("SRC_PORT", "5432".into()),
        env("SRC_USER", m.user.clone()),
        secret_env("SRC_PASSWORD", &password.secret, &password.key),
        env("CNPGC_SEQUENCES_SQL", SEQUENCES_SQL.to_string()),
    ]);
    for (i, d) in m.databases.iter().enumerate() {
        vars.push(env(&format!("CNPGC_DB_{i}"), d.clone()));
    }
    let pod = Map::new()
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
                .opt("imagePullSecrets", meta::pull_secrets(c))
                .set("securityContext", pod_security())
                .set(
                    "containers",
                    Node::Seq(vec![
                        Map::new()
                            .set("name", "sync-sequences")
                            .set("image", c.image.clone())
                            .set(
                                "command",
                                super::export::shell(sync_script(m.databases.len())),
                            )
                            .set("env", Node::Seq(vars))
                            .set(
                                "volumeMounts",
                                Node::Seq(vec![
                                    Map::new()
                                        .set("name", "tmp")
                                        .set("mountPath", "/tmp")
                                        .into(),
                                ]),
                            )
                            .set("securityContext", container_security())
                            .into(),
                    ]),
                )
                .set(
                    "volumes",
                    Node::Seq(vec![
                        Map::new()
                            .set("name", "tmp")
                            .set("emptyDir", Map::new())
                            .into(),
                    ]),
                ),
        );
    Some(
        Map::new()
            .set("apiVersion", "batch/v1")
            .set("kind", "Job")
            .set(
                "metadata",
                Map::new()
                    .set(
                        "generateName",
                        crate::names::objects::sync_sequences_job_prefix(c),
                    )
                    .set("namespace", c.namespace.clone())
                    .set("labels", meta::labels(c)),
            )
            .set(
                "spec",
                Map::new()
                    .set("ttlSecondsAfterFinished", 86_400i64)
                    .set("activeDeadlineSeconds", 1800i64)
                    .set("backoffLimit", 2i64)
                    .set("template", pod),
            )
            .into(),
    )
}
