//! Emitting: takes the resolved [`ir::Program`], gives one file tree per
//! cluster (seed 000's layout) or one YAML stream. Pure: paths and contents in
//! memory, same input → same bytes. Secret material never appears here in
//! plaintext (secrets are referenced, or handed to the CLI for SOPS).

mod backup;
mod cluster;
mod connection;
mod database;
pub mod export;
pub mod grants;
mod kustomize;
mod meta;
mod monitoring;
mod namespace;
pub mod pooler;
mod recovery;
pub mod roles;
pub mod yaml;

use crate::ir::{Cluster, Program};
use yaml::Node;

/// One generated file, its path relative to the cluster's tree root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: String,
    pub content: String,
}

/// Every file of one cluster.
#[derive(Debug, Clone)]
pub struct Tree {
    pub cluster: String,
    pub files: Vec<OutFile>,
}

pub const BASE: &str = "k8s/deploy/base";
pub const DAY2: &str = "day2/backup";

/// All trees of a program.
pub fn emit_program(p: &Program) -> Vec<Tree> {
    p.clusters.iter().map(emit_cluster).collect()
}

/// The manifests of one cluster, grouped into files.
struct Manifests {
    namespace: Node,
    connection: Node,
    cluster: Vec<Node>,
    roles: Option<Node>,
    databases: Vec<Node>,
    grant_job: Vec<Node>,
    object_stores: Vec<Node>,
    schedules: Vec<Node>,
    manual_backup: Option<Node>,
    restore: Option<Node>,
    pitrs: Vec<Node>,
    export_job: Option<Node>,
    export_cronjob: Option<Node>,
    poolers: Vec<Node>,
    alerts: Option<Node>,
}

fn manifests(c: &Cluster) -> Manifests {
    Manifests {
        namespace: namespace::namespace(c),
        connection: connection::config_map(c),
        cluster: cluster::cluster_docs(c),
        roles: roles::patch(c),
        databases: c
            .databases
            .iter()
            .map(|d| database::database(c, d))
            .collect(),
        grant_job: grants::job::docs(c),
        object_stores: c
            .stores
            .iter()
            .filter(|s| !s.inline)
            .map(|s| backup::object_store(c, s))
            .collect(),
        schedules: backup::scheduled_backups(c),
        manual_backup: backup::manual_backup(c),
        restore: recovery::cluster_restore(c),
        pitrs: c.pitrs.iter().map(|p| recovery::pitr(c, p)).collect(),
        export_job: export::export_job(c),
        export_cronjob: export::export_cronjob(c),
        poolers: c.poolers.iter().map(|p| pooler::pooler(c, p)).collect(),
        alerts: monitoring::alerts(c),
    }
}

/// The file tree of one cluster.
pub fn emit_cluster(c: &Cluster) -> Tree {
    let m = manifests(c);
    let present = m_flags(c, &m);
    let mut files = Vec::new();
    let mut add = |path: String, docs: &[Node], note: Option<&str>| {
        let mut content = meta::header(c, note);
        yaml::write_docs(&mut content, docs);
        files.push(OutFile { path, content });
    };
    let base = |f: &str| format!("{BASE}/{f}");
    let day2 = |f: &str| format!("{DAY2}/{f}");

    add(base("namespace.yaml"), &[m.namespace], None);
    add(base("cnpg.yaml"), &[m.connection], None);
    add(base("cluster.yaml"), &m.cluster, None);
    if let Some(r) = &m.roles {
        add(
            base("roles.yaml"),
            std::slice::from_ref(r),
            Some("A kustomize patch: adds spec.managed.roles to the Cluster."),
        );
    }
    if !m.databases.is_empty() {
        add(base("database.yaml"), &m.databases, None);
    }
    if !m.grant_job.is_empty() {
        add(base("jobs/grant-job.yaml"), &m.grant_job, None);
    }
    if !m.object_stores.is_empty() {
        add(base("plugin/barman.yaml"), &m.object_stores, None);
    }
    if !m.poolers.is_empty() {
        add(base("pooler.yaml"), &m.poolers, None);
    }
    if let Some(a) = &m.alerts {
        add(
            base("alerts.yaml"),
            std::slice::from_ref(a),
            Some("Alert rules of this cluster; each carries a runbook line."),
        );
    }
    let k = kustomize::base(c, &present);
    add(base("kustomization.yaml"), &[k], None);

    if !m.schedules.is_empty() {
        add(day2("schedule-backup.yaml"), &m.schedules, None);
    }
    if let Some(b) = &m.manual_backup {
        add(
            day2("manual-backup.yaml"),
            std::slice::from_ref(b),
            Some(
                "On demand: kubectl create -f manual-backup.yaml (generateName gives each backup its own name).",
            ),
        );
    }
    if let Some(r) = &m.restore {
        add(
            day2("cluster-restore.yaml"),
            std::slice::from_ref(r),
            Some("On demand: a new cluster restored from the latest backup and all archived WAL."),
        );
    }
    if !m.pitrs.is_empty() {
        add(
            day2("point-in-time-recovery.yaml"),
            &m.pitrs,
            Some("On demand: recovery clusters restored from a specific backup."),
        );
    }
    if let Some(j) = &m.export_job {
        add(
            day2("backup-to-bucket-job.yaml"),
            std::slice::from_ref(j),
            Some(
                "On demand: kubectl create -f; a logical export (pg_dump) of every database to the bucket. Restore: docs/backups.md.",
            ),
        );
    }
    if let Some(j) = &m.export_cronjob {
        add(
            day2("backup-to-bucket-cronjob.yaml"),
            std::slice::from_ref(j),
            Some(
                "The logical export on a schedule (applied with the base). Restore: docs/backups.md.",
            ),
        );
    }
    if present.schedules {
        let k = kustomize::day2(c, &present);
        add(day2("kustomization.yaml"), &[k], None);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Tree {
        cluster: c.name.clone(),
        files,
    }
}

/// Which optional files a tree has, for the kustomization.
pub(crate) struct Present {
    pub secrets: Vec<crate::secrets::SecretFile>,
    pub roles: bool,
    pub databases: bool,
    pub grant_job: bool,
    pub object_stores: bool,
    pub poolers: bool,
    pub alerts: bool,
    /// Something in day2/ runs continuously (ScheduledBackups, the export CronJob).
    pub schedules: bool,
    pub scheduled_backups: bool,
    pub export_cronjob: bool,
}

fn m_flags(c: &Cluster, m: &Manifests) -> Present {
    Present {
        secrets: crate::secrets::cluster_secrets(c),
        roles: m.roles.is_some(),
        databases: !m.databases.is_empty(),
        grant_job: !m.grant_job.is_empty(),
        object_stores: !m.object_stores.is_empty(),
        poolers: !m.poolers.is_empty(),
        alerts: m.alerts.is_some(),
        schedules: !m.schedules.is_empty() || m.export_cronjob.is_some(),
        scheduled_backups: !m.schedules.is_empty(),
        export_cronjob: m.export_cronjob.is_some(),
    }
}

/// Every manifest a cluster needs applied, as one YAML stream (`-o -`):
/// managed roles merged into the Cluster, day-2 on-demand files left out.
pub fn emit_stream(p: &Program) -> String {
    let mut out = String::new();
    for (i, c) in p.clusters.iter().enumerate() {
        let m = manifests(c);
        let mut docs = vec![m.namespace, m.connection];
        docs.extend(m.object_stores);
        let mut cl = m.cluster;
        if let Some(r) = &m.roles {
            roles::merge_into(&mut cl[0], r);
        }
        docs.extend(cl);
        docs.extend(m.databases);
        docs.extend(m.grant_job);
        docs.extend(m.poolers);
        docs.extend(m.alerts);
        docs.extend(m.schedules);
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&meta::header(c, None));
        yaml::write_docs(&mut out, &docs);
    }
    out
}
