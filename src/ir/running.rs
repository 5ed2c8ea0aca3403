//! The resolved model of running a cluster well: parameters, synchronous
//! replication, images and registries, services, placement, poolers and
//! monitoring.

use crate::ir::SecretSource;
use crate::source::Span;

#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// postgresql.conf parameters, written as strings, in source order.
    pub parameters: Vec<(String, String)>,
    pub shared_preload_libraries: Vec<String>,
    pub synchronous: Option<Synchronous>,
    /// minSyncReplicas, maxSyncReplicas.
    pub quorum: Option<(i64, i64)>,
    pub wal_storage: Option<(String, Option<String>)>,
}

#[derive(Debug, Clone)]
pub struct Synchronous {
    pub method: String,
    pub number: i64,
    pub durability: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// A full image reference (before any registry mirror).
    Name(String),
    /// An image catalog and the major version to take from it.
    Catalog { name: String, cluster_wide: bool },
}

/// A registry mirror and its pull credentials.
#[derive(Debug, Clone)]
pub struct Registry {
    pub host: String,
    /// The dockerconfigjson Secret pods pull with.
    pub pull_secret: Option<String>,
    /// Username and password sources cnpgc writes (secret/registry.json).
    pub managed: Option<((SecretSource, Span), (SecretSource, Span))>,
}

impl Registry {
    /// `host/original-host/path:tag` (seed 002's imageRegistry rewrite).
    pub fn rewrite(&self, image: &str) -> String {
        let first = image.split('/').next().unwrap_or("");
        let has_host = image.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let full = if has_host {
            image.to_string()
        } else if image.contains('/') {
            format!("docker.io/{image}")
        } else {
            format!("docker.io/library/{image}")
        };
        format!("{}/{}", self.host.trim_end_matches('/'), full)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Services {
    /// Default services not created: `ro`, `r`.
    pub disabled: Vec<String>,
    /// External access: Service type (`LoadBalancer`, `NodePort`) and selector (rw, ro, r).
    pub external: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Placement {
    pub pdb: bool,
    /// `topology.kubernetes.io/zone` or `kubernetes.io/hostname`.
    pub spread: Option<String>,
    pub replication_slots: Option<ReplicationSlots>,
}

#[derive(Debug, Clone)]
pub struct ReplicationSlots {
    pub ha: bool,
    pub sync_user_slots: bool,
    pub update_interval: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Pooler {
    pub name: String,
    pub span: Span,
    pub kind: String,
    pub instances: i64,
    pub mode: String,
    pub parameters: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Monitoring {
    /// Prometheus Operator CRDs exist (PodMonitor, PrometheusRule).
    pub operator: bool,
    pub rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Dev,
    Prod,
}
