//! The resolved model: takes nothing, gives the types the checker produces and
//! the emitters consume. Every default is applied, every reference resolved,
//! every name validated; each item keeps the span it came from. No strings
//! stand in for enums; ordered collections keep source order.

use crate::source::Span;

mod backup;
mod flags;
mod gitops;
mod running;
pub use backup::*;
pub use flags::{Flag, FlagSet};
pub use gitops::*;
pub use running::*;

/// A whole compilation: every cluster of every input file.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// One entry per cluster and environment.
    pub clusters: Vec<Cluster>,
    pub flux: Option<FluxTarget>,
    pub operator: Option<OperatorConfig>,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    /// The environment this rendering is for (`env NAME < … >`).
    pub env: Option<String>,
    pub span: Span,
    /// The cluster's name in the source.
    pub name_span: Span,
    /// The `.cnpg` file it came from, as named on the command line.
    pub source: String,
    pub namespace: String,
    /// Who writes the Namespace (one tree at most; see check::together).
    pub namespace_owner: NamespaceOwner,
    pub postgres: PgVersion,
    /// The PostgreSQL image every container that needs PostgreSQL tools runs
    /// (registry mirror applied).
    pub image: String,
    pub image_source: ImageSource,
    pub registry: Option<Registry>,
    pub instances: u32,
    pub superuser: Superuser,
    /// The `postgres` superuser must accept remote logins (another cluster
    /// imports from this one).
    pub superuser_access: bool,
    pub storage: Storage,
    pub resources: Resources,
    pub nodepool: Option<NodePool>,
    pub init_sql: Vec<String>,
    pub rotation: Option<String>,
    pub labels: Vec<(String, String)>,
    /// Every role cnpgc manages (owners, users, the admin role), in declaration order.
    pub roles: Vec<Role>,
    pub databases: Vec<Database>,
    pub stores: Vec<ObjectStore>,
    pub pitrs: Vec<Pitr>,
    pub recovery: Option<Recovery>,
    pub replica: Option<Replica>,
    pub snapshots: Option<Snapshots>,
    pub tier: Option<Tier>,
    pub tuning: Tuning,
    pub services: Services,
    pub placement: Placement,
    pub poolers: Vec<Pooler>,
    pub monitoring: Option<Monitoring>,
    /// `link istio`: Some(database pods in the mesh).
    pub istio: Option<bool>,
    pub network: Option<Network>,
    pub secret_stores: Vec<SecretStore>,
    /// Publications other clusters' logical migrations read.
    pub publications: Vec<Publication>,
    pub apps: Vec<AppLink>,
    pub migration: Option<Migration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgVersion {
    pub major: u32,
    pub minor: Option<u32>,
    pub text: String,
}

/// Where a password or key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An existing Kubernetes Secret (cnpgc writes nothing).
    Existing { name: String },
    /// An environment variable read at build time.
    Env(String),
    /// A file read at build time (relative to the .cnpg file).
    File(String),
    /// A strong random value generated at the first build and kept.
    Generated,
    /// A value written in the source (`insecure("…")`, throwaway setups only).
    Insecure(String),
}

impl SecretSource {
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Existing { name } => format!("secret(\"{name}\")"),
            SecretSource::Env(v) => format!("env(\"{v}\")"),
            SecretSource::File(f) => format!("file(\"{f}\")"),
            SecretSource::Generated => "generated".into(),
            SecretSource::Insecure(_) => "insecure(…)".into(),
        }
    }
}

/// Who the grant Job connects as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Superuser {
    /// The operator's `postgres` superuser; `password` names its Secret
    /// (`None`: the operator generates `<cluster>-superuser`).
    Postgres { password: Option<Password> },
    /// A managed role with SUPERUSER (listed in `roles`).
    Role { name: String },
}

#[derive(Debug, Clone)]
pub struct Storage {
    pub size: String,
    pub class: Option<String>,
    pub resize: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub cpu: Option<(String, String)>,
    pub memory: Option<(String, String)>,
    /// Memory limit in bytes, for checks.
    pub memory_limit_bytes: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct NodePool {
    pub name: String,
    pub label: String,
    /// Key of the `<key>=<pool>:NoSchedule` taint to tolerate.
    pub taint: Option<String>,
}

/// A PostgreSQL role managed through the Cluster's `spec.managed.roles`.
#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub span: Span,
    pub login: bool,
    pub superuser: bool,
    pub createdb: bool,
    /// CREATEROLE: set by the `manage_roles` flag on any db, or the option.
    pub createrole: bool,
    pub replication: bool,
    pub bypassrls: bool,
    pub connection_limit: i64,
    pub in_roles: Vec<String>,
    pub valid_until: Option<String>,
    pub comment: Option<String>,
    /// `None` for a role that cannot log in (a group): no password, no Secret.
    pub password: Option<Password>,
    pub rotation: Option<String>,
}

/// A role's password: where it comes from and the basic-auth Secret that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Password {
    pub source: SecretSource,
    /// The Kubernetes Secret (type basic-auth, keys username/password).
    pub secret_name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Database {
    /// The PostgreSQL database name.
    pub name: String,
    pub span: Span,
    /// Name of the Database CR.
    pub cr_name: String,
    pub owner: String,
    pub grants: Vec<Grant>,
    pub extensions: Vec<String>,
    /// Schemas the grants cover (first: `public` unless replaced).
    pub schemas: Vec<String>,
    pub reclaim: Reclaim,
    pub connection_limit: Option<i64>,
    pub encoding: Option<String>,
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reclaim {
    Retain,
    Delete,
}

/// One user's permission flags on one database.
#[derive(Debug, Clone)]
pub struct Grant {
    pub role: String,
    pub flags: FlagSet,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct AppLink {
    pub name: String,
    pub span: Span,
    pub namespace: String,
    pub database: String,
    pub user: String,
    /// Through an external-secrets store; `None`: a SOPS-encrypted copy.
    pub via: Option<SecretStore>,
    /// The Secret the app reads its credentials from, in its namespace.
    pub secret_name: String,
}

impl Cluster {
    /// The read-write service host inside the Kubernetes cluster.
    pub fn rw_host(&self) -> String {
        format!("{}-rw.{}.svc.cluster.local", self.name, self.namespace)
    }

    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// An image reference as the pods pull it (through the registry mirror).
    pub fn pull(&self, image: &str) -> String {
        match &self.registry {
            Some(r) => r.rewrite(image),
            None => image.to_string(),
        }
    }

    /// The store barman archives WAL to (at most one store archives).
    pub fn wal_store(&self) -> Option<&ObjectStore> {
        self.stores.iter().find(|s| s.archive)
    }

    pub fn store(&self, name: &str) -> Option<&ObjectStore> {
        self.stores.iter().find(|s| s.name == name)
    }
}
