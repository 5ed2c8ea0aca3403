//! cluster.yaml: takes a cluster, gives the CNPG `Cluster` CR (image,
//! instances, storage, resources, affinity, bootstrap, superuser, barman-cloud
//! plugin) and, with `link prometheus`, its PodMonitor.

use super::meta;
use super::yaml::{Map, Node, strs};
use super::{backup, recovery};
use crate::ir::{Backend, Cluster, GcsAuth, ImageSource, Superuser};

pub fn cluster_docs(c: &Cluster) -> Vec<Node> {
    let mut docs = vec![cluster(c)];
    docs.extend(super::monitoring::pod_monitors(c));
    docs
}

/// Whether the operator's `postgres` superuser must accept remote logins
/// (the grant Job connects as it; another cluster imports from this one;
/// `admin postgres password …` names its Secret, which CNPG applies only with
/// superuser access enabled: without it the instance manager sets the
/// password to NULL, internal/management/controller/instance_controller.go
/// `reconcileSuperuserPassword`, CNPG 1.30).
pub fn needs_superuser_access(c: &Cluster) -> bool {
    c.superuser_access
        || matches!(c.superuser, Superuser::Postgres { password: Some(_) })
        || (matches!(c.superuser, Superuser::Postgres { .. }) && !c.databases.is_empty())
}

pub fn cluster(c: &Cluster) -> Node {
    let mut spec = Map::new().set("instances", c.instances);
    match &c.image_source {
        ImageSource::Name(_) => spec.push("imageName", c.image.clone()),
        ImageSource::Catalog { name, cluster_wide } => spec.push(
            "imageCatalogRef",
            Map::new()
                .set("apiGroup", "postgresql.cnpg.io")
                .set(
                    "kind",
                    if *cluster_wide {
                        "ClusterImageCatalog"
                    } else {
                        "ImageCatalog"
                    },
                )
                .set("name", name.clone())
                .set("major", c.postgres.major),
        ),
    }
    if let Some(s) = c.registry.as_ref().and_then(|r| r.pull_secret.clone()) {
        spec.push(
            "imagePullSecrets",
            Node::Seq(vec![meta::name_ref(s).into()]),
        );
    }
    spec.push("primaryUpdateStrategy", "unsupervised");
    if needs_superuser_access(c) {
        spec.push("enableSuperuserAccess", true);
    }
    if let Superuser::Postgres { password: Some(p) } = &c.superuser {
        spec.push("superuserSecret", meta::name_ref(p.secret_name.clone()));
    }
    if let Some(p) = postgresql(c) {
        spec.push("postgresql", p);
    }
    if let Some((min, max)) = c.tuning.quorum {
        spec.push("minSyncReplicas", min);
        spec.push("maxSyncReplicas", max);
    }
    spec.push("storage", storage(c));
    if let Some((size, class)) = &c.tuning.wal_storage {
        spec.push(
            "walStorage",
            Map::new()
                .set("size", size.clone())
                .opt("storageClass", class.clone())
                .set("resizeInUseVolumes", c.storage.resize),
        );
    }
    if let Some(r) = resources(c) {
        spec.push("resources", r);
    }
    if let Some(a) = affinity(c) {
        spec.push("affinity", a);
    }
    if let Some(key) = &c.placement.spread {
        spec.push(
            "topologySpreadConstraints",
            Node::Seq(vec![
                Map::new()
                    .set("maxSkew", 1i64)
                    .set("topologyKey", key.clone())
                    .set("whenUnsatisfiable", "ScheduleAnyway")
                    .set(
                        "labelSelector",
                        Map::new().set(
                            "matchLabels",
                            Map::new().set("cnpg.io/cluster", c.name.clone()),
                        ),
                    )
                    .into(),
            ]),
        );
    }
    if !c.placement.pdb {
        spec.push("enablePDB", false);
    }
    if let Some(r) = &c.placement.replication_slots {
        spec.push(
            "replicationSlots",
            Map::new()
                .set("highAvailability", Map::new().set("enabled", r.ha))
                .set(
                    "synchronizeReplicas",
                    Map::new().set("enabled", r.sync_user_slots),
                )
                .opt("updateInterval", r.update_interval),
        );
    }
    if let Some(m) = managed_services(c) {
        spec.push("managed", Map::new().set("services", m));
    }
    if let Some(ann) = meta::merged(
        super::monitoring::scrape_annotations(c),
        meta::istio_annotations(c, "5432,8000,9187"),
    ) {
        spec.push("inheritedMetadata", Map::new().set("annotations", ann));
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

/// `spec.postgresql`: parameters (strings), preloaded libraries, synchronous replication.
fn postgresql(c: &Cluster) -> Option<Map> {
    let t = &c.tuning;
    if t.parameters.is_empty() && t.shared_preload_libraries.is_empty() && t.synchronous.is_none() {
        return None;
    }
    let mut p = Map::new();
    if !t.parameters.is_empty() {
        let mut params = Map::new();
        for (k, v) in &t.parameters {
            params.push(k.clone(), v.clone());
        }
        p.push("parameters", params);
    }
    if !t.shared_preload_libraries.is_empty() {
        p.push(
            "shared_preload_libraries",
            strs(t.shared_preload_libraries.iter().cloned()),
        );
    }
    if let Some(s) = &t.synchronous {
        p.push(
            "synchronous",
            Map::new()
                .set("method", s.method.clone())
                .set("number", s.number)
                .opt("dataDurability", s.durability.clone()),
        );
    }
    Some(p)
}

/// `spec.managed.services`: default services left out, external access.
fn managed_services(c: &Cluster) -> Option<Map> {
    let s = &c.services;
    if s.disabled.is_empty() && s.external.is_none() {
        return None;
    }
    let mut m = Map::new();
    if !s.disabled.is_empty() {
        m.push("disabledDefaultServices", strs(s.disabled.iter().cloned()));
    }
    if let Some((ty, to)) = &s.external {
        m.push(
            "additional",
            Node::Seq(vec![
                Map::new()
                    .set("selectorType", to.clone())
                    .set(
                        "serviceTemplate",
                        Map::new()
                            .set(
                                "metadata",
                                Map::new().set("name", crate::names::objects::external_service(c)),
                            )
                            .set("spec", Map::new().set("type", ty.clone())),
                    )
                    .into(),
            ]),
        );
    }
    Some(m)
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
