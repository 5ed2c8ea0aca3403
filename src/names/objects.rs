//! The names of a cluster's objects: takes a cluster (and an app, a
//! database…), gives the name of each object cnpgc writes for it, valid for
//! its kind whatever the source names are, and the names the operator
//! derives from the cluster's (its Services, Secrets, PodDisruptionBudgets),
//! which nothing else in the namespace may take. Emitters take their names
//! from here; `emit::objects` lists what a cluster's output holds.

use super::derive::{Kind, SNAPSHOT_SCHEDULE, fit, fit_prefix};
use crate::ir::Cluster;

/// The ConfigMap of connection settings (`cnpg.yaml`).
pub fn connection(c: &Cluster) -> String {
    fit(Kind::ConfigMap.rule(), &c.name, "-connection")
}

/// The grant Job and its ConfigMap: `<cluster>-grants-<hash of what it runs>`.
pub fn grants(c: &Cluster, hash: &str) -> String {
    fit(Kind::Job.rule(), &c.name, &format!("-grants-{hash}"))
}

/// The ScheduledBackup of the object store.
pub fn scheduled_backup(c: &Cluster) -> String {
    fit(Kind::ScheduledBackup.rule(), &c.name, "-scheduled")
}

/// The ScheduledBackup of volume snapshots (at most 48 characters: see
/// [`SNAPSHOT_SCHEDULE`]).
pub fn snapshot_schedule(c: &Cluster) -> String {
    fit(SNAPSHOT_SCHEDULE, &c.name, "-snapshot")
}

/// `generateName` of an on-demand Backup: its name (prefix and 5 random
/// characters) may become a VolumeSnapshot label value.
pub fn manual_backup_prefix(c: &Cluster) -> String {
    fit_prefix(Kind::Backup, &c.name, "-manual-")
}

/// `generateName` of the on-demand logical export Job.
pub fn export_job_prefix(c: &Cluster) -> String {
    fit_prefix(Kind::Job, &c.name, "-export-")
}

/// `generateName` of the on-demand Job copying a logical migration's
/// sequence values at the switch-over.
pub fn sync_sequences_job_prefix(c: &Cluster) -> String {
    fit_prefix(Kind::Job, &c.name, "-sync-sequences-")
}

/// The logical export CronJob (at most 52 characters).
pub fn export_cronjob(c: &Cluster) -> String {
    fit(Kind::CronJob.rule(), &c.name, "-export")
}

/// The Cluster `cluster-restore.yaml` creates (a Cluster name: at most 50).
pub fn restore_cluster(c: &Cluster) -> String {
    fit(Kind::Cluster.rule(), &c.name, "-restore")
}

/// The PrometheusRule of the alerts.
pub fn alerts(c: &Cluster) -> String {
    fit(Kind::PrometheusRule.rule(), &c.name, "-alerts")
}

/// The ConfigMap holding the alert rules file (no Prometheus Operator).
pub fn alert_rules(c: &Cluster) -> String {
    fit(Kind::ConfigMap.rule(), &c.name, "-alert-rules")
}

/// The additional Service `external` asks the operator for.
pub fn external_service(c: &Cluster) -> String {
    fit(Kind::Service.rule(), &c.name, "-external")
}

/// A network policy of the cluster's namespace: `<cluster>-<what>`.
pub fn network_policy(c: &Cluster, what: &str) -> String {
    fit(Kind::NetworkPolicy.rule(), &c.name, &format!("-{what}"))
}

/// The policy in an app's namespace that lets it reach the database.
pub fn app_network_policy(c: &Cluster, app: &str) -> String {
    fit(
        Kind::NetworkPolicy.rule(),
        &format!("{app}-to-{}", c.name),
        "",
    )
}

/// The Flux Kustomization of a cluster: `databases-<cluster>`.
pub fn flux_kustomization(c: &Cluster) -> String {
    flux_kustomization_of(&c.name)
}

/// The Flux Kustomization of the cluster named `cluster`.
pub fn flux_kustomization_of(cluster: &str) -> String {
    fit(
        Kind::FluxKustomization.rule(),
        &format!("databases-{cluster}"),
        "",
    )
}

/// The Flux Kustomization of an app's credentials.
pub fn flux_app_kustomization(c: &Cluster, app: &str) -> String {
    fit(
        Kind::FluxKustomization.rule(),
        &format!("{}-{app}", flux_kustomization(c)),
        "",
    )
}

/// The PushSecret publishing one user's credentials for one database (the
/// database name is a PostgreSQL identifier: anything).
pub fn push_secret(secret: &str, database: &str) -> String {
    fit(
        Kind::PushSecret.rule(),
        &format!("push-{secret}-{database}"),
        "",
    )
}

/// A Publication or Subscription CR: its parts joined by `-`.
pub fn logical_cr(kind: Kind, parts: &[&str]) -> String {
    fit(kind.rule(), &parts.join("-"), "")
}

/// A name the operator gives an object of a cluster, which the namespace
/// must leave to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub kind: Kind,
    pub name: String,
}

/// What CloudNativePG 1.30 creates in the namespace, named after the
/// cluster: the `-rw`, `-ro`, `-r` Services, the `-superuser`, `-app`,
/// `-ca`, `-server`, `-replication` Secrets, the PodDisruptionBudgets, the
/// ServiceAccount, Role and RoleBinding (pkg/specs/roles.go, rolebinding.go,
/// serviceaccount.go), and each Pooler's Service, Deployment, ServiceAccount,
/// Role and RoleBinding, named as the Pooler (pkg/specs/pgbouncer/).
pub fn operator_objects(c: &Cluster) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut put = |kind, name: String| out.push(Derived { kind, name });
    for s in ["rw", "ro", "r"] {
        put(Kind::Service, format!("{}-{s}", c.name));
    }
    for s in ["superuser", "app", "ca", "server", "replication"] {
        put(Kind::Secret, format!("{}-{s}", c.name));
    }
    put(Kind::PodDisruptionBudget, c.name.clone());
    put(Kind::PodDisruptionBudget, format!("{}-primary", c.name));
    for k in [Kind::ServiceAccount, Kind::Role, Kind::RoleBinding] {
        put(k, c.name.clone());
    }
    for p in &c.poolers {
        for k in [
            Kind::Service,
            Kind::Deployment,
            Kind::ServiceAccount,
            Kind::Role,
            Kind::RoleBinding,
        ] {
            put(k, p.name.clone());
        }
    }
    out
}

/// Who makes an object a cluster's output holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maker {
    /// A manifest cnpgc writes for this cluster (applied with its tree).
    Cnpgc,
    /// A manifest cnpgc writes that is only applied by hand (day-2 files:
    /// restores, point-in-time recoveries).
    OnDemand,
    /// The operator creates it from the cluster's objects.
    Operator,
}

/// One object of a cluster's output, or one the operator derives from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub kind: Kind,
    /// Empty for cluster-scoped objects (a Namespace).
    pub namespace: String,
    pub name: String,
    pub maker: Maker,
}
