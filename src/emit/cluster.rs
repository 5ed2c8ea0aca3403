//! cluster.yaml: takes a cluster, gives the CNPG `Cluster` CR (image,
//! instances, storage, resources, affinity, bootstrap, superuser, barman-cloud
//! plugin) and, with `link prometheus`, its PodMonitor.

use super::meta;
use super::yaml::{Map, Node, strs};
use super::{backup, recovery};
use crate::ir::{Backend, Cluster, GcsAuth, Superuser};

pub fn cluster_docs(c: &Cluster) -> Vec<Node> {
    let mut docs = vec![cluster(c)];
    if c.prometheus {
        docs.push(pod_monitor(c));
    }
    docs
}

/// Whether the operator's `postgres` superuser must accept remote logins
/// (the grant Job connects as it).
pub fn needs_superuser_access(c: &Cluster) -> bool {
    matches!(c.superuser, Superuser::Postgres { .. }) && !c.databases.is_empty()
}

pub fn cluster(c: &Cluster) -> Node {
    let mut spec = Map::new()
        .set("instances", c.instances)
        .set("imageName", c.image.clone())
        .set("primaryUpdateStrategy", "unsupervised");
    if needs_superuser_access(c) {
        spec.push("enableSuperuserAccess", true);
    }
    if let Superuser::Postgres { password: Some(p) } = &c.superuser {
        spec.push("superuserSecret", meta::name_ref(p.secret_name.clone()));
    }
    spec.push("storage", storage(c));
    if let Some(r) = resources(c) {
        spec.push("resources", r);
    }
    if let Some(a) = affinity(c) {
        spec.push("affinity", a);
    }
    if let Some(b) = recovery::bootstrap(c) {
        spec.push("bootstrap", b);
    }
    if let Some(r) = recovery::replica(c) {
        spec.push("replica", r);
    }
    let external = recovery::external_clusters(c);
    if !external.is_empty() {
        spec.push("externalClusters", Node::Seq(external));
    }
    if let Some(b) = backup::cluster_backup(c) {
        spec.push("backup", b);
    }
    if let Some(store) = c.wal_store().filter(|s| !s.inline) {
        spec.push("plugins", Node::Seq(vec![backup::archiver_plugin(store)]));
    }
    if let Some(sa) = c.stores.iter().find_map(|s| match &s.backend {
        Backend::Gcs {
            auth: GcsAuth::WorkloadIdentity { gcp_sa, .. },
        } => Some(gcp_sa.clone()),
        _ => None,
    }) {
        // GKE Workload Identity: the pods' service account (named after the
        // cluster) acts as the GCP service account.
        spec.push(
            "serviceAccountTemplate",
            Map::new().set(
                "metadata",
                Map::new().set(
                    "annotations",
                    Map::new().set("iam.gke.io/gcp-service-account", sa),
                ),
            ),
        );
    }
    let mut metadata = meta::metadata(c, c.name.clone());
    if c.stores.iter().any(|s| s.archive && s.skip_empty_wal_check) {
        metadata.push(
            "annotations",
            Map::new().set("cnpg.io/skipEmptyWalArchiveCheck", "enabled"),
        );
    }
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Cluster")
        .set("metadata", metadata)
        .set("spec", spec)
        .into()
}

pub fn storage(c: &Cluster) -> Map {
    Map::new()
        .set("size", c.storage.size.clone())
        .opt("storageClass", c.storage.class.clone())
        .set("resizeInUseVolumes", c.storage.resize)
}

pub fn resources(c: &Cluster) -> Option<Map> {
    let r = &c.resources;
    if r.cpu.is_none() && r.memory.is_none() {
        return None;
    }
    let mut requests = Map::new();
    let mut limits = Map::new();
    if let Some((req, lim)) = &r.cpu {
        requests.push("cpu", req.clone());
        limits.push("cpu", lim.clone());
    }
    if let Some((req, lim)) = &r.memory {
        requests.push("memory", req.clone());
        limits.push("memory", lim.clone());
    }
    Some(Map::new().set("requests", requests).set("limits", limits))
}

pub fn affinity(c: &Cluster) -> Option<Map> {
    let np = c.nodepool.as_ref()?;
    let term = Map::new().set(
        "matchExpressions",
        Node::Seq(vec![
            Map::new()
                .set("key", np.label.clone())
                .set("operator", "In")
                .set("values", strs([np.name.clone()]))
                .into(),
        ]),
    );
    let mut a = Map::new().set(
        "nodeAffinity",
        Map::new().set(
            "requiredDuringSchedulingIgnoredDuringExecution",
            Map::new().set("nodeSelectorTerms", Node::Seq(vec![term.into()])),
        ),
    );
    if let Some(key) = &np.taint {
        a.push(
            "tolerations",
            Node::Seq(vec![
                Map::new()
                    .set("key", key.clone())
                    .set("operator", "Equal")
                    .set("value", np.name.clone())
                    .set("effect", "NoSchedule")
                    .into(),
            ]),
        );
    }
    Some(a)
}

fn pod_monitor(c: &Cluster) -> Node {
    Map::new()
        .set("apiVersion", "monitoring.coreos.com/v1")
        .set("kind", "PodMonitor")
        .set("metadata", meta::metadata(c, c.name.clone()))
        .set(
            "spec",
            Map::new()
                .set(
                    "selector",
                    Map::new().set(
                        "matchLabels",
                        Map::new()
                            .set("cnpg.io/cluster", c.name.clone())
                            .set("cnpg.io/podRole", "instance"),
                    ),
                )
                .set(
                    "podMetricsEndpoints",
                    Node::Seq(vec![Map::new().set("port", "metrics").into()]),
                ),
        )
        .into()
}
