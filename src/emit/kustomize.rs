//! kustomization.yaml files: takes a cluster and which files its tree has,
//! gives the base kustomization (resources in apply order, the roles patch,
//! custom labels) and the day-2 one (the backup schedule the base pulls in).

use super::yaml::{Map, Node, strs};
use super::{Layout, Present};
use crate::ir::Cluster;
use crate::secrets::Format;

fn kustomization() -> Map {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
}

pub fn base(c: &Cluster, p: &Present, l: &Layout) -> Node {
    let base_rel = |path: &str| {
        if l.base.is_empty() {
            path.to_string()
        } else {
            path.strip_prefix(&format!("{}/", l.base))
                .unwrap_or(path)
                .to_string()
        }
    };
    let mut resources: Vec<String> = Vec::new();
    if p.namespace {
        resources.push("namespace.yaml".into());
    }
    if p.network {
        // First: on a default-deny cluster nothing CNPG starts works without them.
        resources.push("network.yaml".into());
    }
    for s in p
        .secrets
        .iter()
        .filter(|s| s.format == Format::Yaml && !s.path.starts_with("apps/"))
    {
        resources.push(base_rel(&s.path));
    }
    resources.push("cnpg.yaml".into());
    if p.object_stores {
        resources.push("plugin/barman.yaml".into());
    }
    resources.push("cluster.yaml".into());
    if p.databases {
        resources.push("database.yaml".into());
    }
    if p.publications {
        resources.push("publication.yaml".into());
    }
    if p.subscriptions {
        resources.push("subscription.yaml".into());
    }
    if p.credentials {
        resources.push("credentials.yaml".into());
    }
    if p.grant_job {
        resources.push("jobs/sql".into());
        resources.push("jobs/grant-job.yaml".into());
    }
    if p.poolers {
        resources.push("pooler.yaml".into());
    }
    if p.alerts {
        resources.push("alerts.yaml".into());
    }
    if p.schedules {
        resources.push(l.day2_from_base.into());
    }
    let mut k = kustomization().set("resources", strs(resources));
    let generators: Vec<Node> = p
        .secrets
        .iter()
        .filter(|s| s.format != Format::Yaml && !s.path.starts_with("apps/"))
        .map(|s| {
            let mut labels = Map::new();
            for (key, v) in &s.labels {
                labels.push(key.clone(), v.clone());
            }
            let (field, value) = match s.format {
                Format::DockerConfig => {
                    ("files", format!(".dockerconfigjson={}", base_rel(&s.path)))
                }
                _ => ("envs", base_rel(&s.path)),
            };
            Map::new()
                .set("name", s.name.clone())
                .set("namespace", s.namespace.clone())
                .set("type", s.secret_type)
                .set(field, strs([value]))
                .set(
                    "options",
                    Map::new()
                        .set("disableNameSuffixHash", true)
                        .set("labels", labels),
                )
                .into()
        })
        .collect();
    if !generators.is_empty() {
        k.push("secretGenerator", Node::Seq(generators));
    }
    if p.roles {
        k.push(
            "patches",
            Node::Seq(vec![Map::new().set("path", "roles.yaml").into()]),
        );
    }
    if !c.labels.is_empty() {
        let mut pairs = Map::new();
        for (key, v) in &c.labels {
            pairs.push(key.clone(), v.clone());
        }
        k.push(
            "labels",
            Node::Seq(vec![
                Map::new()
                    .set("pairs", pairs)
                    .set("includeSelectors", false)
                    .into(),
            ]),
        );
    }
    k.into()
}

/// day2/backup/kustomization.yaml: only what runs continuously (the
/// ScheduledBackups, the export CronJob); the other day-2 files are applied by hand.
pub fn day2(_c: &Cluster, p: &Present) -> Node {
    let mut r = Vec::new();
    if p.scheduled_backups {
        r.push("schedule-backup.yaml");
    }
    if p.export_cronjob {
        r.push("backup-to-bucket-cronjob.yaml");
    }
    kustomization().set("resources", strs(r)).into()
}
