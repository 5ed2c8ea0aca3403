//! The resolved model of GitOps wiring: the Flux target, the operator's
//! configuration, network policies, credential distribution to apps, Istio
//! and migrations.

use super::SecretKey;
use crate::source::Span;

/// Who writes a cluster's Namespace: one tree per namespace and environment,
/// or none at all (docs/gitops.md, "One owner per namespace").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceOwner {
    /// This cluster's tree writes it (with Flux pruning disabled on it).
    ThisTree,
    /// Another cluster of the same environment and namespace writes it.
    Cluster(String),
    /// Nobody: it exists already (`namespace NAME existing`, the operator's
    /// namespace, a namespace every Kubernetes cluster has).
    Existing(ExistingWhy),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingWhy {
    /// `namespace NAME existing`.
    Declared,
    /// The CNPG operator runs there: its installation owns it.
    Operator,
    /// `default`, `kube-system`, `flux-system`…: the platform's.
    Platform,
}

/// The Flux layout and the Flux Kustomization of each cluster.
#[derive(Debug, Clone)]
pub struct FluxTarget {
    pub source: String,
    /// Where the output directory sits in the Git repository (`.`: its root).
    pub repo_dir: String,
    pub depends_on: Vec<String>,
    /// A Go duration, e.g. `10m0s`.
    pub interval: String,
    pub sops_secret: String,
    pub timeout: String,
}

/// The CNPG operator's configuration ConfigMap.
#[derive(Debug, Clone)]
pub struct OperatorConfig {
    pub namespace: String,
    pub inherited_labels: Vec<String>,
    pub inherited_annotations: Vec<String>,
    pub watch_namespaces: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Vanilla,
    Cilium,
}

/// NetworkPolicies for a default-deny cluster.
#[derive(Debug, Clone)]
pub struct Network {
    pub kind: PolicyKind,
    pub operator_namespace: String,
    pub monitoring_namespace: String,
    /// Namespaces allowed to 5432 (declared, plus those of app links).
    pub app_namespaces: Vec<String>,
    pub api_server: Option<String>,
    pub service_cidr: Option<String>,
}

/// An external-secrets store apps receive credentials through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretStore {
    pub name: String,
    pub kind: String,
    pub prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationMode {
    Import,
    Logical,
}

/// This cluster's databases come from another cluster.
#[derive(Debug, Clone)]
pub struct Migration {
    pub span: Span,
    /// The source's name (a cluster of the program, or the externalClusters entry name).
    pub source: String,
    pub host: String,
    pub user: String,
    pub password: Option<SecretKey>,
    pub databases: Vec<String>,
    pub mode: MigrationMode,
    pub monolith: bool,
    pub schema_only: bool,
}

/// A Publication this cluster must offer to a logical migration.
#[derive(Debug, Clone)]
pub struct Publication {
    pub name: String,
    pub database: String,
    /// The destination cluster (for the comment and the name).
    pub to: String,
}

/// The PostgreSQL publication a logical migration to `to` subscribes to.
pub fn publication_name(to: &str) -> String {
    format!("cnpgc_to_{}", to.replace('-', "_"))
}
