//! cluster.yaml: takes a cluster, gives the CNPG `Cluster` CR (image,
//! instances, storage, resources, affinity, bootstrap, superuser, barman-cloud
//! plugin) and, with `link prometheus`, its PodMonitor.

use super::meta::{self, PLUGIN};
use super::yaml::{Map, Node, strs};
use crate::ir::{Cluster, Superuser};

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
    if let Some(b) = bootstrap(c) {
        spec.push("bootstrap", b);
    }
    if let Some(store) = c.wal_store() {
        spec.push(
            "plugins",
            Node::Seq(vec![
                Map::new()
                    .set("name", PLUGIN)
                    .set("isWALArchiver", true)
                    .set(
                        "parameters",
                        Map::new().set("barmanObjectName", store.cr_name.clone()),
                    )
                    .into(),
            ]),
        );
    }
    Map::new()
        .set("apiVersion", "postgresql.cnpg.io/v1")
        .set("kind", "Cluster")
        .set("metadata", meta::metadata(c, c.name.clone()))
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

/// `bootstrap.initdb` for the first database (CNPG creates it and its owner
/// at init; the Database CR then keeps it reconciled like the others).
fn bootstrap(c: &Cluster) -> Option<Map> {
    let first = c.databases.first();
    if first.is_none() && c.init_sql.is_empty() {
        return None;
    }
    let mut initdb = Map::new();
    if let Some(d) = first {
        initdb.push("database", d.name.clone());
        initdb.push("owner", d.owner.clone());
        if let Some(owner) = c.role(&d.owner) {
            initdb.push("secret", meta::name_ref(owner.password.secret_name.clone()));
        }
        if let Some(e) = &d.encoding {
            initdb.push("encoding", e.clone());
        }
        if let Some(l) = &d.locale {
            initdb.push("locale", l.clone());
        }
    }
    initdb.push("dataChecksums", true);
    if !c.init_sql.is_empty() {
        initdb.push("postInitApplicationSQL", strs(c.init_sql.iter().cloned()));
    }
    Some(Map::new().set("initdb", initdb))
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
