//! Object stores for WAL archiving and base backups (barman-cloud plugin):
//! MinIO, SeaweedFS, any S3 (AWS, Ceph, R2, B2), GCS and Azure Blob Storage.

use crate::schema::spec::*;
use crate::schema::types::Ty;

const BUCKET: StmtSpec = StmtSpec {
    args: &[arg("bucket", Ty::Text)],
    aliases: &["container"],
    default: Some("`cnpg-backups`"),
    example: "bucket cnpg-backups",
    ..stmt(
        "bucket",
        "The bucket (Azure: container) holding base backups and WAL.",
    )
};

const PATH: StmtSpec = StmtSpec {
    args: &[arg("prefix", Ty::Text)],
    default: Some("none: the bucket's root"),
    example: "path cnpg/app",
    ..stmt(
        "path",
        "A parent prefix inside the bucket. Barman appends the server name (the cluster's name) itself: do not end it with the cluster's name.",
    )
};

const RETENTION: StmtSpec = StmtSpec {
    args: &[arg("retention", Ty::Retention)],
    default: Some("30d"),
    example: "retention 30d",
    ..stmt(
        "retention",
        "How long barman keeps base backups and WAL: the recovery window.",
    )
};

const LIFECYCLE: StmtSpec = StmtSpec {
    args: &[arg("days", Ty::Retention)],
    example: "lifecycle 45d",
    ..stmt(
        "lifecycle",
        "The bucket's own expiry rule, when it has one (declared so cnpgc can check it outlives the retention: barman keeps a base backup older than the window).",
    )
};

const SCHEDULE: StmtSpec = StmtSpec {
    args: &[arg("schedule", Ty::Cron)],
    default: Some("\"0 0 2 * * *\" (daily at 02:00)"),
    example: "schedule \"0 0 2 * * *\"",
    ..stmt(
        "schedule",
        "When the ScheduledBackup takes a base backup (6-field cron, seconds first).",
    )
};

const IMMEDIATE: StmtSpec = StmtSpec {
    args: &[arg("immediate", Ty::Bool)],
    default: Some("true"),
    example: "immediate true",
    ..stmt(
        "immediate",
        "Take a first base backup as soon as the ScheduledBackup is created.",
    )
};

const TARGET: StmtSpec = StmtSpec {
    args: &[arg("target", Ty::Enum(&["primary", "prefer-standby"]))],
    default: Some("prefer-standby (the operator's default)"),
    example: "target primary",
    ..stmt("target", "Which instance takes the base backups.")
};

const SUSPEND: StmtSpec = StmtSpec {
    args: &[arg("suspend", Ty::Bool)],
    default: Some("false"),
    example: "suspend true",
    ..stmt(
        "suspend",
        "Pause the ScheduledBackup (WAL archiving goes on).",
    )
};

const SERVER_NAME: StmtSpec = StmtSpec {
    args: &[arg("name", Ty::K8sName)],
    default: Some("the cluster's name"),
    example: "server_name app-2",
    ..stmt(
        "server_name",
        "The folder barman writes this cluster's WAL and base backups under (plugin parameter serverName). Change it when a re-created cluster would archive into a folder that already holds WAL.",
    )
};

const ARCHIVE: StmtSpec = StmtSpec {
    args: &[arg("archive", Ty::Bool)],
    default: Some("true for the cluster's first store, false for the others"),
    example: "archive false",
    ..stmt(
        "archive",
        "This store receives the cluster's WAL and base backups; `false` for a store that is only read from (a recovery or replica source).",
    )
};

const MODE: StmtSpec = StmtSpec {
    args: &[arg("mode", Ty::Enum(&["plugin", "inline"]))],
    default: Some("plugin"),
    example: "mode plugin",
    ..stmt(
        "mode",
        "`plugin`: the barman-cloud plugin (ObjectStore + spec.plugins). `inline`: the deprecated spec.backup.barmanObjectStore, for clusters not yet migrated (warns).",
    )
};

const SKIP_EMPTY_WAL_CHECK: StmtSpec = StmtSpec {
    args: &[arg("skip", Ty::Bool)],
    example: "skip_empty_wal_check true",
    ..stmt(
        "skip_empty_wal_check",
        "Let the cluster archive into a folder that already holds WAL (annotation cnpg.io/skipEmptyWalArchiveCheck). Only for the same cluster's own prior WAL; warns.",
    )
};

const WAL_COMPRESSION: StmtSpec = StmtSpec {
    args: &[arg(
        "algorithm",
        Ty::Enum(&["gzip", "bzip2", "lz4", "snappy", "xz", "zstd"]),
    )],
    default: Some("gzip"),
    example: "wal_compression zstd",
    ..stmt("wal_compression", "Compression of archived WAL.")
};

const DATA_COMPRESSION: StmtSpec = StmtSpec {
    args: &[arg(
        "algorithm",
        Ty::Enum(&["gzip", "bzip2", "lz4", "snappy"]),
    )],
    default: Some("gzip"),
    example: "data_compression gzip",
    ..stmt("data_compression", "Compression of base backups.")
};

const WAL_PARALLEL: StmtSpec = StmtSpec {
    args: &[arg("count", Ty::Int { min: 1, max: 64 })],
    default: Some("2"),
    example: "wal_parallel 4",
    ..stmt(
        "wal_parallel",
        "WAL files archived or restored in parallel (maxParallel).",
    )
};

const DATA_JOBS: StmtSpec = StmtSpec {
    args: &[arg("count", Ty::Int { min: 1, max: 64 })],
    default: Some("2"),
    example: "data_jobs 4",
    ..stmt("data_jobs", "Parallel upload jobs of a base backup.")
};

const ENCRYPTION: StmtSpec = StmtSpec {
    args: &[arg("kind", Ty::Enum(&["AES256", "aws:kms"]))],
    example: "encryption AES256",
    ..stmt(
        "encryption",
        "Server-side encryption of WAL and base backups (S3).",
    )
};

const EXPORT_SCHEDULE: StmtSpec = StmtSpec {
    args: &[arg("schedule", Ty::KubeCron)],
    default: Some("\"0 3 * * 0\" (Sundays at 03:00 UTC)"),
    example: "export_schedule \"0 4 * * *\"",
    ..stmt(
        "export_schedule",
        "When the logical export (pg_dump of every database to the bucket) runs as a CronJob (5 fields, UTC); `export_schedule off` for on demand only.",
    )
};

const EXPORT_IMAGE: StmtSpec = StmtSpec {
    args: &[arg("image", Ty::Text)],
    default: Some("docker.io/amazon/aws-cli:2.27.0"),
    example: "export_image \"registry.example.com/aws-cli:2.27.0\"",
    ..stmt(
        "export_image",
        "The image that uploads the logical export (needs the `aws` CLI).",
    )
};

const ENDPOINT: StmtSpec = StmtSpec {
    args: &[arg("url", Ty::Url)],
    example: "endpoint \"http://minio.minio.svc:9000\"",
    ..stmt("endpoint", "The S3 endpoint URL.")
};

const CREDENTIALS: StmtSpec = StmtSpec {
    args: &[arg("source", Ty::Secret)],
    opts: &[OptSpec {
        default: Some("ACCESS_KEY_ID, ACCESS_SECRET_KEY"),
        ..opt(
            "keys",
            Ty::List(&Ty::Text),
            "The Secret's keys holding the access key id and the secret access key.",
        )
    }],
    example: "credentials secret(\"minio-creds\") keys ACCESS_KEY_ID, ACCESS_SECRET_KEY",
    ..stmt(
        "credentials",
        "An existing Secret holding the S3 key pair (instead of `access_key` and `secret_key`).",
    )
};

const ACCESS_KEY: StmtSpec = StmtSpec {
    args: &[arg("source", Ty::Secret)],
    default: Some("env(\"<KIND>_ACCESS_KEY_ID\"), e.g. env(\"MINIO_ACCESS_KEY_ID\")"),
    example: "access_key env(\"MINIO_ACCESS_KEY_ID\")",
    ..stmt(
        "access_key",
        "Where the S3 access key id comes from; cnpgc writes it SOPS-encrypted (secret/minio.env, secret/swbucket.env, secret/s3.env).",
    )
};

const SECRET_KEY: StmtSpec = StmtSpec {
    args: &[arg("source", Ty::Secret)],
    default: Some("env(\"<KIND>_SECRET_ACCESS_KEY\"), e.g. env(\"MINIO_SECRET_ACCESS_KEY\")"),
    example: "secret_key env(\"MINIO_SECRET_ACCESS_KEY\")",
    ..stmt(
        "secret_key",
        "Where the S3 secret access key comes from; written SOPS-encrypted with the access key.",
    )
};

const CA: StmtSpec = StmtSpec {
    args: &[arg("source", Ty::Secret)],
    opts: &[OptSpec {
        default: Some("ca.crt"),
        ..opt("key", Ty::Text, "Key of the CA bundle in the Secret.")
    }],
    example: "ca secret(\"minio-ca\")",
    ..stmt(
        "ca",
        "A Secret with the CA bundle of a self-signed endpoint (endpointCA).",
    )
};

const IAM_ROLE: StmtSpec = StmtSpec {
    args: &[arg("inherit", Ty::Bool)],
    example: "iam_role true",
    ..stmt(
        "iam_role",
        "Authenticate with the pods' IAM role (IRSA / EKS Pod Identity; inheritFromIAMRole) instead of keys.",
    )
};

const WORKLOAD_IDENTITY: StmtSpec = StmtSpec {
    args: &[arg("gcp-service-account", Ty::Text)],
    example: "workload_identity cnpg-backup@my-project.iam.gserviceaccount.com",
    ..stmt(
        "workload_identity",
        "GKE Workload Identity: the GCP service account the cluster's pods act as (no key). cnpgc annotates the pod service account and shows the IAM member string the GCP side must bind.",
    )
};

const GCS_CREDENTIALS: StmtSpec = StmtSpec {
    args: &[arg("source", Ty::Secret)],
    opts: &[OptSpec {
        default: Some("application_credentials.json"),
        ..opt(
            "key",
            Ty::Text,
            "Key of the service-account JSON in the Secret.",
        )
    }],
    example: "credentials secret(\"gcs-backup-key\")",
    ..stmt(
        "credentials",
        "An existing Secret with a service-account JSON key (instead of Workload Identity).",
    )
};

const STORAGE_ACCOUNT: StmtSpec = StmtSpec {
    args: &[arg("account", Ty::Text)],
    required: true,
    example: "storage_account mybackups",
    ..stmt("storage_account", "The Azure storage account.")
};

const AZURE_CREDENTIALS: StmtSpec = StmtSpec {
    args: &[arg("source", Ty::Secret)],
    opts: &[OptSpec {
        default: Some("AZURE_CONNECTION_STRING"),
        ..opt(
            "key",
            Ty::Text,
            "Key of the connection string in the Secret.",
        )
    }],
    example: "credentials secret(\"azure-backup\") key AZURE_CONNECTION_STRING",
    ..stmt(
        "credentials",
        "An existing Secret with the storage account's connection string (instead of `inherit_identity`).",
    )
};

const INHERIT_IDENTITY: StmtSpec = StmtSpec {
    args: &[arg("inherit", Ty::Bool)],
    example: "inherit_identity true",
    ..stmt(
        "inherit_identity",
        "Authenticate with Azure AD Workload Identity / the default Azure credentials (useDefaultAzureCredentials).",
    )
};

pub static MINIO: BlockSpec = BlockSpec {
    kind: "link minio",
    doc: "A MinIO bucket for WAL archiving and base backups (barman-cloud plugin).",
    stmts: &[
        BUCKET,
        PATH,
        ENDPOINT,
        CREDENTIALS,
        ACCESS_KEY,
        SECRET_KEY,
        CA,
        RETENTION,
        LIFECYCLE,
        SCHEDULE,
        IMMEDIATE,
        TARGET,
        SUSPEND,
        SERVER_NAME,
        ARCHIVE,
        MODE,
        SKIP_EMPTY_WAL_CHECK,
        WAL_COMPRESSION,
        DATA_COMPRESSION,
        WAL_PARALLEL,
        DATA_JOBS,
        ENCRYPTION,
        EXPORT_SCHEDULE,
        EXPORT_IMAGE,
    ],
};

pub static SEAWEEDFS: BlockSpec = BlockSpec {
    kind: "link seaweedfs",
    doc: "A SeaweedFS S3 bucket for WAL archiving and base backups (barman-cloud plugin).",
    stmts: MINIO.stmts,
};

pub static S3: BlockSpec = BlockSpec {
    kind: "link s3",
    doc: "An S3 bucket: AWS (keys or the pods' IAM role) or any S3-compatible store with an `endpoint` (Ceph, Cloudflare R2, Backblaze B2, …).",
    stmts: &[
        BUCKET,
        PATH,
        ENDPOINT,
        CREDENTIALS,
        ACCESS_KEY,
        SECRET_KEY,
        IAM_ROLE,
        CA,
        RETENTION,
        LIFECYCLE,
        SCHEDULE,
        IMMEDIATE,
        TARGET,
        SUSPEND,
        SERVER_NAME,
        ARCHIVE,
        MODE,
        SKIP_EMPTY_WAL_CHECK,
        WAL_COMPRESSION,
        DATA_COMPRESSION,
        WAL_PARALLEL,
        DATA_JOBS,
        ENCRYPTION,
        EXPORT_SCHEDULE,
        EXPORT_IMAGE,
    ],
};

pub static GCS: BlockSpec = BlockSpec {
    kind: "link gcs",
    doc: "A Google Cloud Storage bucket, with GKE Workload Identity or a service-account key.",
    stmts: &[
        BUCKET,
        PATH,
        WORKLOAD_IDENTITY,
        GCS_CREDENTIALS,
        RETENTION,
        LIFECYCLE,
        SCHEDULE,
        IMMEDIATE,
        TARGET,
        SUSPEND,
        SERVER_NAME,
        ARCHIVE,
        MODE,
        SKIP_EMPTY_WAL_CHECK,
        WAL_COMPRESSION,
        DATA_COMPRESSION,
        WAL_PARALLEL,
        DATA_JOBS,
    ],
};

pub static AZURE: BlockSpec = BlockSpec {
    kind: "link azure",
    doc: "An Azure Blob Storage container.",
    stmts: &[
        BUCKET,
        PATH,
        STORAGE_ACCOUNT,
        AZURE_CREDENTIALS,
        INHERIT_IDENTITY,
        RETENTION,
        LIFECYCLE,
        SCHEDULE,
        IMMEDIATE,
        TARGET,
        SUSPEND,
        SERVER_NAME,
        ARCHIVE,
        MODE,
        SKIP_EMPTY_WAL_CHECK,
        WAL_COMPRESSION,
        DATA_COMPRESSION,
        WAL_PARALLEL,
        DATA_JOBS,
    ],
};

/// Every object-store block.
pub static STORE_BLOCKS: &[&BlockSpec] = &[&MINIO, &SEAWEEDFS, &S3, &GCS, &AZURE];

/// The `link` kinds that are object stores.
pub const STORE_KINDS: &[&str] = &["minio", "seaweedfs", "s3", "gcs", "azure"];
