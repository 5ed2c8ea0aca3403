//! The statement tables of every block kind. This file *is* the language's
//! vocabulary: the binder, hover, completion and docs/reference.md all read it.

use super::spec::*;
use super::types::Ty;

/// PostgreSQL major versions CNPG 1.30 runs.
pub const PG_MAJORS: std::ops::RangeInclusive<u32> = 13..=18;

/// The postgres version used when a cluster does not say (pinned; changes only
/// in a major cnpgc release, since a new image restarts every instance).
pub const DEFAULT_POSTGRES: &str = "18.3";

/// The nine permission flags of seed 000 (see docs/grants.md).
pub const GRANT_FLAGS: &[&str] = &[
    "connect",
    "read",
    "write",
    "manage_roles",
    "create_schema",
    "create_tables",
    "execute_functions",
    "default_privileges",
    "metadata_access",
];

pub const ROTATION_WORDS: &[&str] = &["weekly", "monthly", "quarterly", "yearly", "never"];

const SECRET_DOC: &str = "Where the password comes from: `generated` (a strong random value made at the first build and kept, encrypted with SOPS), `env(\"VAR\")` or `file(\"path\")` (read at build time, encrypted with SOPS), or `secret(\"name\")` (an existing basic-auth Secret with `username` and `password` keys).";

/// Options shared by `user` statements in a cluster and in a db.
const USER_OPTS: &[OptSpec] = &[
    OptSpec {
        aliases: &[],
        default: Some("generated"),
        ..opt("password", Ty::Secret, SECRET_DOC)
    },
    OptSpec {
        aliases: &["permissions", "cnpg_permissions"],
        ..opt(
            "grants",
            Ty::Grants,
            "Permission flags on this db: connect, read, write, manage_roles, create_schema, create_tables, execute_functions, default_privileges, metadata_access (see docs/grants.md).",
        )
    },
    OptSpec {
        default: Some("true"),
        ..opt("login", Ty::Bool, "The role may log in.")
    },
    opt("superuser", Ty::Bool, "SUPERUSER (use sparingly)."),
    opt("createdb", Ty::Bool, "CREATEDB: may create databases."),
    opt(
        "replication",
        Ty::Bool,
        "REPLICATION: may stream WAL (Debezium, logical replication).",
    ),
    opt(
        "bypassrls",
        Ty::Bool,
        "BYPASSRLS: ignores row-level security.",
    ),
    OptSpec {
        default: Some("-1 (no limit)"),
        ..opt(
            "connection_limit",
            Ty::Int {
                min: -1,
                max: 100_000,
            },
            "Concurrent connections the role may open.",
        )
    },
    opt(
        "in",
        Ty::List(&Ty::PgIdent),
        "Roles this role is a member of.",
    ),
    opt("valid_until", Ty::Time, "Password expiry (RFC 3339)."),
    opt("comment", Ty::Text, "A description stored with the role."),
    OptSpec {
        aliases: &["rotation_db"],
        ..opt(
            "rotation",
            Ty::Rotation,
            "Rotation policy of this user's password (overrides the db's and the cluster's).",
        )
    },
];

pub static DB: BlockSpec = BlockSpec {
    kind: "db",
    doc: "A database in the cluster: a CNPG `Database` CR, its owner, its users and their grants.",
    stmts: &[
        StmtSpec {
            args: &[arg("name", Ty::PgIdent)],
            opts: &[OptSpec {
                default: Some("generated"),
                ..opt("password", Ty::Secret, SECRET_DOC)
            }],
            default: Some("a login role named `<db>_owner` with a generated password"),
            example: "owner app_owner password secret(\"app-owner\")",
            ..stmt(
                "owner",
                "The role that owns the database and, by default, creates its tables.",
            )
        },
        StmtSpec {
            args: &[arg("name", Ty::PgIdent)],
            opts: USER_OPTS,
            repeat: true,
            aliases: &["username"],
            example: "user myapp_user password secret(\"myapp-user\") grants connect, read, write",
            ..stmt(
                "user",
                "A login role with permissions on this database. The same user may appear in several dbs (one role, grants per db); its role options are set in one place.",
            )
        },
        StmtSpec {
            args: &[arg("extensions", Ty::List(&Ty::Word))],
            example: "extensions vector, pg_trgm",
            ..stmt(
                "extensions",
                "Extensions the operator keeps installed in this database (Database CR `extensions`).",
            )
        },
        StmtSpec {
            args: &[arg("schemas", Ty::List(&Ty::PgIdent))],
            default: Some("public"),
            example: "schemas public, app",
            ..stmt(
                "schemas",
                "Schemas the grants cover; schemas other than `public` are created, owned by the db owner.",
            )
        },
        StmtSpec {
            args: &[arg("policy", Ty::Rotation)],
            aliases: &["rotation_db"],
            default: Some("the cluster's rotation"),
            example: "rotation monthly",
            ..stmt(
                "rotation",
                "Rotation policy of the passwords of this database's users (a label on their Secrets).",
            )
        },
        StmtSpec {
            args: &[arg("policy", Ty::Enum(&["retain", "delete"]))],
            default: Some("retain"),
            example: "reclaim retain",
            ..stmt(
                "reclaim",
                "What deleting the Database CR does: `retain` keeps the database, `delete` drops it.",
            )
        },
        StmtSpec {
            args: &[arg(
                "limit",
                Ty::Int {
                    min: -1,
                    max: 100_000,
                },
            )],
            default: Some("-1 (no limit)"),
            example: "connection_limit 200",
            ..stmt(
                "connection_limit",
                "Concurrent connections allowed to this database.",
            )
        },
        StmtSpec {
            args: &[arg("encoding", Ty::Word)],
            default: Some("UTF8"),
            example: "encoding UTF8",
            ..stmt(
                "encoding",
                "Character encoding, set when the database is created.",
            )
        },
        StmtSpec {
            args: &[arg("locale", Ty::Text)],
            example: "locale \"en_US.UTF-8\"",
            ..stmt(
                "locale",
                "Locale (LC_COLLATE and LC_CTYPE), set when the database is created.",
            )
        },
    ],
};

const OBJECT_STORE_STMTS: &[StmtSpec] = &[
    StmtSpec {
        args: &[arg("bucket", Ty::Text)],
        default: Some("`cnpg-backups`"),
        example: "bucket cnpg-backups",
        ..stmt("bucket", "The bucket holding base backups and WAL.")
    },
    StmtSpec {
        args: &[arg("prefix", Ty::Text)],
        default: Some("none: `s3://<bucket>/`"),
        example: "path cnpg/app",
        ..stmt(
            "path",
            "A parent prefix inside the bucket. Barman appends the server name (the cluster name) itself.",
        )
    },
    StmtSpec {
        args: &[arg("url", Ty::Url)],
        example: "endpoint \"http://minio.minio.svc:9000\"",
        ..stmt("endpoint", "The S3 endpoint URL.")
    },
    StmtSpec {
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
    },
    StmtSpec {
        args: &[arg("source", Ty::Secret)],
        default: Some("env(\"<KIND>_ACCESS_KEY_ID\"), e.g. env(\"MINIO_ACCESS_KEY_ID\")"),
        example: "access_key env(\"MINIO_ACCESS_KEY_ID\")",
        ..stmt(
            "access_key",
            "Where the S3 access key id comes from; cnpgc writes it SOPS-encrypted (secret/minio.env, secret/swbucket.env).",
        )
    },
    StmtSpec {
        args: &[arg("source", Ty::Secret)],
        default: Some("env(\"<KIND>_SECRET_ACCESS_KEY\"), e.g. env(\"MINIO_SECRET_ACCESS_KEY\")"),
        example: "secret_key env(\"MINIO_SECRET_ACCESS_KEY\")",
        ..stmt(
            "secret_key",
            "Where the S3 secret access key comes from; written SOPS-encrypted with the access key.",
        )
    },
    StmtSpec {
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
    },
    StmtSpec {
        args: &[arg("retention", Ty::Retention)],
        default: Some("30d"),
        example: "retention 30d",
        ..stmt(
            "retention",
            "How long barman keeps base backups and WAL (recovery window).",
        )
    },
    StmtSpec {
        args: &[arg("schedule", Ty::Cron)],
        default: Some("\"0 0 2 * * *\" (daily at 02:00)"),
        example: "schedule \"0 0 2 * * *\"",
        ..stmt(
            "schedule",
            "When the ScheduledBackup takes a base backup (6-field cron, seconds first).",
        )
    },
];

pub static MINIO: BlockSpec = BlockSpec {
    kind: "link minio",
    doc: "A MinIO bucket for WAL archiving and base backups (barman-cloud plugin).",
    stmts: OBJECT_STORE_STMTS,
};

pub static SEAWEEDFS: BlockSpec = BlockSpec {
    kind: "link seaweedfs",
    doc: "A SeaweedFS S3 bucket for WAL archiving and base backups (barman-cloud plugin).",
    stmts: OBJECT_STORE_STMTS,
};

pub static LINK_APP: BlockSpec = BlockSpec {
    kind: "link app",
    doc: "A backend app that uses a database.",
    stmts: &[],
};

pub static PITR: BlockSpec = BlockSpec {
    kind: "pitr",
    doc: "A point-in-time recovery: a new cluster restored from a backup of this one (day2/backup/point-in-time-recovery.yaml).",
    stmts: &[
        StmtSpec {
            args: &[arg("backup", Ty::K8sName)],
            example: "backup_id backup-20240101",
            required: true,
            ..stmt(
                "backup_id",
                "The backup to restore from: the name of the Backup object (the barman-cloud plugin names its backups after it).",
            )
        },
        StmtSpec {
            args: &[arg("version", Ty::Version)],
            aliases: &["psql_version"],
            default: Some("the cluster's version"),
            example: "postgres 16.2",
            ..stmt(
                "postgres",
                "PostgreSQL version of the recovery cluster (same major as the backup).",
            )
        },
        StmtSpec {
            args: &[arg("store", Ty::Ref("store"))],
            default: Some("the cluster's only object store"),
            example: "from backups",
            ..stmt("from", "The object store link holding the WAL to replay.")
        },
        StmtSpec {
            args: &[arg("time", Ty::Time)],
            example: "target_time \"2024-01-01T10:00:00Z\"",
            ..stmt(
                "target_time",
                "Replay WAL up to this moment (RFC 3339). Without it, the recovery stops as soon as the backup is consistent.",
            )
        },
    ],
};

/// Options of `link` statements, by kind.
const LINK_VARIANTS: &[StmtSpec] = &[
    StmtSpec {
        example: "link prometheus",
        ..stmt(
            "prometheus",
            "Prometheus scrapes the instances: a PodMonitor (Prometheus Operator) next to the Cluster.",
        )
    },
    StmtSpec {
        example: "link istio",
        ..stmt(
            "istio",
            "The namespace joins the Istio mesh (`istio-injection: enabled`).",
        )
    },
    StmtSpec {
        args: &[arg("app", Ty::K8sName)],
        opts: &[
            opt(
                "to",
                Ty::Ref("db"),
                "The db the app uses (default: the cluster's only db).",
            ),
            opt(
                "namespace",
                Ty::K8sName,
                "The app's namespace (default: the cluster's).",
            ),
            opt(
                "user",
                Ty::Ref("user"),
                "The user the app connects as (default: the db's first user).",
            ),
        ],
        example: "link app fastapi to myapp",
        ..stmt(
            "app",
            "A backend app connecting to one of this cluster's databases (seed 000's backend-db group).",
        )
    },
    StmtSpec {
        args: &[opt_arg("name", Ty::K8sName)],
        body: Body::Block(&MINIO),
        default: Some("name `minio`"),
        example: "link minio backups < bucket cnpg-backups endpoint \"http://minio.minio.svc:9000\" >",
        ..stmt("minio", "Back up to a MinIO bucket.")
    },
    StmtSpec {
        args: &[opt_arg("name", Ty::K8sName)],
        body: Body::Block(&SEAWEEDFS),
        default: Some("name `seaweedfs`"),
        example: "link seaweedfs < bucket cnpg-backups >",
        ..stmt("seaweedfs", "Back up to a SeaweedFS S3 bucket.")
    },
    StmtSpec {
        args: &[arg("source", Ty::Ref("cluster"))],
        opts: &[opt(
            "db",
            Ty::Ref("db"),
            "The source database (default: the db of the same name).",
        )],
        aliases: &["migration_db"],
        example: "link migration-db from legacy",
        ..stmt(
            "migration-db",
            "This cluster is the destination of a migration: its databases are imported from another cluster.",
        )
    },
    StmtSpec {
        args: &[arg("target", Ty::Ref("cluster"))],
        aliases: &["db_migration"],
        example: "link db-migration to next",
        ..stmt(
            "db-migration",
            "This cluster is the source of a migration to another cluster.",
        )
    },
];

pub static CLUSTER: BlockSpec = BlockSpec {
    kind: "cluster",
    doc: "A CNPG PostgreSQL cluster and everything around it: databases, users, grants, backups, links.",
    stmts: &[
        StmtSpec {
            args: &[arg("namespace", Ty::K8sName)],
            default: Some("the cluster's name"),
            example: "namespace database",
            ..stmt("namespace", "Namespace of every manifest of this cluster.")
        },
        StmtSpec {
            args: &[arg("version", Ty::Version)],
            aliases: &["psql_version"],
            default: Some(DEFAULT_POSTGRES),
            example: "postgres 16.2",
            ..stmt(
                "postgres",
                "PostgreSQL version; the image is ghcr.io/cloudnative-pg/postgresql:<version>.",
            )
        },
        StmtSpec {
            args: &[arg("count", Ty::Int { min: 1, max: 99 })],
            default: Some("1"),
            example: "instances 3",
            ..stmt(
                "instances",
                "Number of PostgreSQL instances (1 primary + standbys).",
            )
        },
        StmtSpec {
            args: &[arg("name", Ty::PgIdent)],
            opts: &[OptSpec {
                default: Some("generated by the operator"),
                ..opt("password", Ty::Secret, SECRET_DOC)
            }],
            aliases: &["admin_user"],
            default: Some("the operator's `postgres` superuser"),
            example: "admin admin password secret(\"app-admin\")",
            ..stmt(
                "admin",
                "The administrative superuser: `postgres` (the operator's superuser Secret) or a managed role with SUPERUSER. The grant Job connects as this user.",
            )
        },
        StmtSpec {
            args: &[arg("size", Ty::Storage)],
            opts: &[
                opt(
                    "class",
                    Ty::Text,
                    "StorageClass of the PVCs (default: the cluster's default class).",
                ),
                OptSpec {
                    default: Some("true"),
                    ..opt(
                        "resize",
                        Ty::Bool,
                        "Allow online expansion of the volumes (resizeInUseVolumes).",
                    )
                },
            ],
            aliases: &["storage_size"],
            default: Some("1Gi"),
            example: "storage 10Gi class standard",
            ..stmt(
                "storage",
                "PVC size per instance (data and, without wal_storage, WAL).",
            )
        },
        StmtSpec {
            opts: &[
                opt("cpu", Ty::CpuRange, "CPU request..limit (one value: both)."),
                opt(
                    "memory",
                    Ty::MemoryRange,
                    "Memory request..limit (one value: both).",
                ),
            ],
            example: "resources cpu 500m..2 memory 1Gi..4Gi",
            ..stmt(
                "resources",
                "CPU and memory requests and limits of each instance.",
            )
        },
        StmtSpec {
            args: &[arg("pool", Ty::Text)],
            opts: &[
                OptSpec {
                    default: Some("cnpgc.io/nodepool"),
                    ..opt("label", Ty::Text, "Node label that names the pool.")
                },
                opt(
                    "taint",
                    Ty::Text,
                    "The pool's nodes carry a `<key>=<pool>:NoSchedule` taint: tolerate it.",
                ),
            ],
            example: "nodepool db-pool",
            ..stmt(
                "nodepool",
                "Run instances only on the nodes of this pool (required node affinity).",
            )
        },
        StmtSpec {
            args: &[arg("sql", Ty::Sql)],
            repeat: true,
            example: "init_db \"CREATE EXTENSION IF NOT EXISTS pg_stat_statements\"",
            ..stmt(
                "init_db",
                "SQL run once as superuser in the first database right after initdb (postInitApplicationSQL).",
            )
        },
        StmtSpec {
            args: &[arg("policy", Ty::Rotation)],
            example: "rotation quarterly",
            ..stmt(
                "rotation",
                "Rotation policy of the admin password and default of every db (a label on the Secrets).",
            )
        },
        StmtSpec {
            body: Body::Map(Ty::LabelValue),
            aliases: &["custom_labels"],
            example: "labels < team: platform >",
            ..stmt(
                "labels",
                "Labels on every manifest of the cluster (kustomize `labels`).",
            )
        },
        StmtSpec {
            args: &[arg("name", Ty::PgIdent)],
            body: Body::Block(&DB),
            repeat: true,
            example: "db myapp < user myapp_user grants connect, read >",
            ..stmt("db", "A database (see the `db` block).")
        },
        StmtSpec {
            args: &[arg("name", Ty::PgIdent)],
            opts: USER_OPTS,
            repeat: true,
            example: "user debezium replication password secret(\"debezium\")",
            ..stmt(
                "user",
                "A cluster-wide login role, not tied to one database.",
            )
        },
        StmtSpec {
            repeat: true,
            variants: LINK_VARIANTS,
            example: "link prometheus",
            ..stmt(
                "link",
                "A connection to something outside the cluster: prometheus, istio, app, minio, seaweedfs, migration-db, db-migration.",
            )
        },
        StmtSpec {
            args: &[arg("name", Ty::ClusterName)],
            body: Body::Block(&PITR),
            repeat: true,
            example: "pitr restore-jan < backup_id backup-20240101 target_time \"2024-01-01T10:00:00Z\" >",
            ..stmt(
                "pitr",
                "A point-in-time recovery cluster restored from one of this cluster's backups.",
            )
        },
    ],
};

pub static TOP: BlockSpec = BlockSpec {
    kind: "file",
    doc: "A .cnpg file.",
    stmts: &[StmtSpec {
        args: &[arg("name", Ty::ClusterName)],
        body: Body::Block(&CLUSTER),
        repeat: true,
        example: "cluster app < db myapp < user myapp_user grants connect, read > >",
        ..stmt("cluster", "A CNPG cluster (see the `cluster` block).")
    }],
};

/// Every block spec, for hover, completion and the reference.
pub fn all_blocks() -> Vec<&'static BlockSpec> {
    vec![&TOP, &CLUSTER, &DB, &MINIO, &SEAWEEDFS, &PITR]
}

/// The blocks (other than `within`) that allow a statement `key`, for "this
/// belongs inside a …" help.
pub fn blocks_allowing(key: &str) -> Vec<&'static str> {
    all_blocks()
        .into_iter()
        .filter(|b| b.stmt(key).is_some())
        .map(|b| b.kind)
        .collect()
}
