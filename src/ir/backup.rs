//! The resolved model of backups and recovery: object stores and how they
//! authenticate, schedules, volume snapshots, recovery bootstraps,
//! point-in-time recovery clusters and DR replicas.

use super::PgVersion;
use crate::ir::SecretSource;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Minio,
    SeaweedFs,
    S3,
    Gcs,
    Azure,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Minio => "minio",
            StoreKind::SeaweedFs => "seaweedfs",
            StoreKind::S3 => "s3",
            StoreKind::Gcs => "gcs",
            StoreKind::Azure => "azure",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKey {
    pub secret: String,
    pub key: String,
}

/// An S3 key pair in a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Credentials {
    /// The Secret holding the key pair.
    pub secret: String,
    /// Its key holding the access key id.
    pub access_key: String,
    /// Its key holding the secret access key.
    pub secret_key: String,
    /// `None`: an existing Secret. Otherwise the sources cnpgc writes it from
    /// (an encrypted dotenv file, `file` in the tree).
    pub managed: Option<ManagedCredentials>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedCredentials {
    pub access: (SecretSource, Span),
    pub secret: (SecretSource, Span),
    /// Base-relative path of the encrypted dotenv file (seed 000: secret/minio.env).
    pub file: String,
}

/// How barman reaches the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    S3 {
        endpoint: Option<String>,
        auth: S3Auth,
        ca: Option<SecretKey>,
    },
    Gcs {
        auth: GcsAuth,
    },
    Azure {
        account: String,
        auth: AzureAuth,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Auth {
    Keys(S3Credentials),
    /// The pods' IAM role (inheritFromIAMRole).
    IamRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GcsAuth {
    /// GKE Workload Identity through the GCP service account `gcp_sa`.
    WorkloadIdentity { gcp_sa: String, project: String },
    /// A service-account JSON key in a Secret.
    Key(SecretKey),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AzureAuth {
    ConnectionString(SecretKey),
    Inherit,
}

/// An object store for WAL archiving and base backups (barman-cloud plugin).
#[derive(Debug, Clone)]
pub struct ObjectStore {
    /// The link's name in the source (`backups` in `link minio backups`).
    pub name: String,
    pub span: Span,
    pub kind: StoreKind,
    /// Name of the ObjectStore CR.
    pub cr_name: String,
    pub bucket: String,
    pub path: Option<String>,
    pub backend: Backend,
    pub retention: String,
    pub retention_days: u64,
    pub schedule: String,
    pub immediate: bool,
    pub target: Option<String>,
    pub suspend: bool,
    /// The folder this cluster archives under (plugin parameter serverName).
    pub server_name: Option<String>,
    /// This store receives WAL and base backups.
    pub archive: bool,
    /// The deprecated in-tree `spec.backup.barmanObjectStore`.
    pub inline: bool,
    pub skip_empty_wal_check: bool,
    pub wal_compression: String,
    pub data_compression: String,
    pub wal_parallel: i64,
    pub data_jobs: i64,
    pub encryption: Option<String>,
    /// CronJob schedule of the logical export (`None`: on demand only).
    pub export_schedule: Option<String>,
    pub export_image: String,
}

impl ObjectStore {
    /// The parent prefix; barman appends the server name.
    pub fn destination_path(&self) -> String {
        let path = self
            .path
            .as_deref()
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty());
        let base = match &self.backend {
            Backend::S3 { .. } => format!("s3://{}", self.bucket),
            Backend::Gcs { .. } => format!("gs://{}", self.bucket),
            Backend::Azure { account, .. } => {
                format!("https://{account}.blob.core.windows.net/{}", self.bucket)
            }
        };
        match path {
            Some(p) => format!("{base}/{p}/"),
            None => format!("{base}/"),
        }
    }

    /// The S3 key pair cnpgc writes, if any.
    pub fn managed_credentials(&self) -> Option<(&S3Credentials, &ManagedCredentials)> {
        match &self.backend {
            Backend::S3 {
                auth: S3Auth::Keys(c),
                ..
            } => c.managed.as_ref().map(|m| (c, m)),
            _ => None,
        }
    }
}

/// Where a recovery stops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryTarget {
    pub backup_id: Option<String>,
    pub time: Option<String>,
    pub lsn: Option<String>,
    pub name: Option<String>,
    pub xid: Option<i64>,
    pub immediate: bool,
    pub timeline: Option<String>,
    pub exclusive: bool,
}

impl RecoveryTarget {
    pub fn is_empty(&self) -> bool {
        *self == RecoveryTarget::default()
    }
}

/// Where recovered data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverySource {
    /// An object store (ObjectStore CR) and the server name the backups are under.
    Store { cr_name: String, server: String },
    /// A Backup object in the namespace.
    Backup(String),
}

/// This cluster is bootstrapped from a backup.
#[derive(Debug, Clone)]
pub struct Recovery {
    pub span: Span,
    pub source: RecoverySource,
    pub target: RecoveryTarget,
}

/// A point-in-time recovery cluster written to day2/.
#[derive(Debug, Clone)]
pub struct Pitr {
    pub name: String,
    pub span: Span,
    pub postgres: PgVersion,
    pub image: String,
    /// ObjectStore CR the backups and WAL are read from.
    pub store_cr: String,
    pub target: RecoveryTarget,
}

/// This cluster replicates another (DR).
#[derive(Debug, Clone)]
pub struct Replica {
    pub span: Span,
    /// The source cluster's name (also the externalClusters entry).
    pub source: String,
    pub streaming: Option<Streaming>,
    /// WAL archive of the source: ObjectStore CR and server name.
    pub store: Option<(String, String)>,
    /// Distributed topology: the cluster that is primary now.
    pub primary: Option<String>,
    pub promotion_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Streaming {
    pub host: String,
    pub port: i64,
    pub user: String,
    pub password: Option<SecretKey>,
    pub ssl_mode: String,
    pub ca: Option<SecretKey>,
    /// A kubernetes.io/tls Secret (tls.crt, tls.key).
    pub cert: Option<String>,
}

/// Volume snapshot backups.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub span: Span,
    pub class: String,
    pub wal_class: Option<String>,
    pub schedule: Option<String>,
    pub online: bool,
}
