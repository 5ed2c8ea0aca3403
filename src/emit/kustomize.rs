//! kustomization.yaml files: takes a cluster and which files its tree has,
//! gives the base kustomization (resources in apply order, the roles patch,
//! custom labels) and the day-2 one (the backup schedule the base pulls in).

use super::Present;
use super::yaml::{Map, Node, strs};
use crate::ir::Cluster;

fn kustomization() -> Map {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
}

pub fn base(c: &Cluster, p: &Present) -> Node {
    let mut resources: Vec<&str> = vec!["namespace.yaml", "cnpg.yaml"];
    if p.object_stores {
        resources.push("plugin/barman.yaml");
    }
    resources.push("cluster.yaml");
    if p.databases {
        resources.push("database.yaml");
    }
    if p.grant_job {
        resources.push("jobs/grant-job.yaml");
    }
    if p.schedules {
        resources.push("../../../day2/backup");
    }
    let mut k = kustomization().set("resources", strs(resources));
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
/// ScheduledBackup); the other day-2 files are applied by hand.
pub fn day2(_c: &Cluster) -> Node {
    kustomization()
        .set("resources", strs(["schedule-backup.yaml"]))
        .into()
}
