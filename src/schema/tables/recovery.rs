//! Recovery: point-in-time recovery clusters, recovery bootstraps, DR replicas.

use crate::schema::spec::*;
use crate::schema::types::Ty;

pub static PITR: BlockSpec = BlockSpec {
    kind: "pitr",
    doc: "A point-in-time recovery: a new cluster restored from a backup of this one (day2/backup/point-in-time-recovery.yaml).",
    stmts: &[
        StmtSpec {
            args: &[arg("backup", Ty::Text)],
            example: "backup_id 20240101T020000",
            default: Some("the latest backup that ended before the target"),
            ..stmt(
                "backup_id",
                "The backup to restore: barman's backup ID, the time it started (`20240101T020000`; `barman-cloud-backup-list`, or a Backup object's status.backupId). Leave it out to start from the latest backup that ended before `target_time` (or `target_lsn`).",
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
        TARGET_TIME,
        TARGET_LSN,
        TARGET_NAME,
        TARGET_XID,
        TARGET_TIMELINE,
        EXCLUSIVE,
    ],
};

const TARGET_TIME: StmtSpec = StmtSpec {
    args: &[arg("time", Ty::Time)],
    example: "target_time \"2024-01-01T10:00:00Z\"",
    ..stmt("target_time", "Replay WAL up to this moment (RFC 3339).")
};

const TARGET_LSN: StmtSpec = StmtSpec {
    args: &[arg("lsn", Ty::Text)],
    example: "target_lsn \"0/3000060\"",
    ..stmt("target_lsn", "Replay WAL up to this log sequence number.")
};

const TARGET_NAME: StmtSpec = StmtSpec {
    args: &[arg("restore-point", Ty::Text)],
    example: "target_name before-migration",
    ..stmt(
        "target_name",
        "Replay WAL up to a restore point made with pg_create_restore_point().",
    )
};

const TARGET_XID: StmtSpec = StmtSpec {
    args: &[arg(
        "xid",
        Ty::Int {
            min: 3,
            max: i64::MAX,
        },
    )],
    example: "target_xid 1234567",
    ..stmt("target_xid", "Replay WAL up to this transaction id.")
};

const TARGET_IMMEDIATE: StmtSpec = StmtSpec {
    args: &[arg("immediate", Ty::Bool)],
    example: "target_immediate true",
    ..stmt(
        "target_immediate",
        "Stop as soon as the restored backup is consistent.",
    )
};

const TARGET_TIMELINE: StmtSpec = StmtSpec {
    args: &[arg("timeline", Ty::Text)],
    default: Some("latest"),
    example: "target_timeline 2",
    ..stmt(
        "target_timeline",
        "The timeline to follow: `latest` or a number.",
    )
};

const EXCLUSIVE: StmtSpec = StmtSpec {
    args: &[arg("exclusive", Ty::Bool)],
    default: Some("false"),
    example: "exclusive true",
    ..stmt(
        "exclusive",
        "Stop just before the target instead of just after it.",
    )
};

pub static RECOVERY: BlockSpec = BlockSpec {
    kind: "recovery",
    doc: "This cluster is created by restoring a backup (bootstrap.recovery) instead of initdb: a restore after a loss, a clone of production into another namespace, a point-in-time recovery.",
    stmts: &[
        StmtSpec {
            args: &[arg("store", Ty::Ref("store"))],
            example: "from prod-backups",
            ..stmt(
                "from",
                "The object store link holding the backups and WAL (a `link` of this cluster, usually with `archive false`).",
            )
        },
        StmtSpec {
            args: &[arg("backup", Ty::K8sName)],
            example: "backup app-20240101",
            ..stmt(
                "backup",
                "Restore from a Backup object in this namespace (volume snapshot backups) instead of an object store.",
            )
        },
        StmtSpec {
            args: &[arg("name", Ty::K8sName)],
            aliases: &["old_name", "source_cluster"],
            default: Some("this cluster's name"),
            example: "server app",
            ..stmt(
                "server",
                "The server name the backups were written under: the original cluster's name (or its server_name).",
            )
        },
        StmtSpec {
            args: &[arg("backup", Ty::Text)],
            example: "backup_id 20240101T020000",
            default: Some("the latest backup that ended before the target"),
            ..stmt(
                "backup_id",
                "The backup to start from: barman's backup ID, the time it started (`20240101T020000`).",
            )
        },
        TARGET_TIME,
        TARGET_LSN,
        TARGET_NAME,
        TARGET_XID,
        TARGET_IMMEDIATE,
        TARGET_TIMELINE,
        EXCLUSIVE,
    ],
};

pub static REPLICA: BlockSpec = BlockSpec {
    kind: "replica",
    doc: "This cluster is a replica of another (a DR cluster in another region): it follows the source by streaming, from its WAL archive, or both, until it is promoted.",
    stmts: &[
        StmtSpec {
            args: &[arg("cluster", Ty::K8sName)],
            required: true,
            example: "source acme-postgres",
            ..stmt("source", "The name of the cluster this one replicates.")
        },
        StmtSpec {
            args: &[arg("host", Ty::Text)],
            example: "host \"postgres.prod.example.com\"",
            ..stmt(
                "host",
                "Where to stream from: the source's primary (its -rw service, or a load balancer in front of it).",
            )
        },
        StmtSpec {
            args: &[arg("port", Ty::Int { min: 1, max: 65535 })],
            default: Some("5432"),
            example: "port 5432",
            ..stmt("port", "The source's port.")
        },
        StmtSpec {
            args: &[arg("user", Ty::PgIdent)],
            default: Some("streaming_replica"),
            example: "user streaming_replica",
            ..stmt("user", "The replication user on the source.")
        },
        StmtSpec {
            args: &[arg("source", Ty::Secret)],
            opts: &[OptSpec {
                default: Some("password"),
                ..opt("key", Ty::Text, "Key of the password in the Secret.")
            }],
            example: "password secret(\"pg-replica-credentials\")",
            ..stmt(
                "password",
                "An existing Secret with the replication user's password (or use `cert`).",
            )
        },
        StmtSpec {
            args: &[arg(
                "mode",
                Ty::Enum(&[
                    "disable",
                    "allow",
                    "prefer",
                    "require",
                    "verify-ca",
                    "verify-full",
                ]),
            )],
            default: Some("verify-full with a `ca`, require without"),
            example: "ssl_mode verify-full",
            ..stmt("ssl_mode", "TLS verification of the source.")
        },
        StmtSpec {
            args: &[arg("source", Ty::Secret)],
            opts: &[OptSpec {
                default: Some("ca.crt"),
                ..opt("key", Ty::Text, "Key of the CA certificate in the Secret.")
            }],
            example: "ca secret(\"acme-postgres-ca\")",
            ..stmt(
                "ca",
                "The source's CA certificate (for verify-ca / verify-full).",
            )
        },
        StmtSpec {
            args: &[arg("source", Ty::Secret)],
            example: "cert secret(\"acme-postgres-replication\")",
            ..stmt(
                "cert",
                "A TLS client certificate Secret (tls.crt, tls.key) for the replication user.",
            )
        },
        StmtSpec {
            args: &[arg("store", Ty::Ref("store"))],
            example: "from source-archive",
            ..stmt(
                "from",
                "An object store link holding the source's WAL archive (WAL shipping, and the bootstrap).",
            )
        },
        StmtSpec {
            args: &[arg("name", Ty::K8sName)],
            default: Some("the source's name"),
            example: "server acme-postgres",
            ..stmt("server", "The server name the source archives under.")
        },
        StmtSpec {
            args: &[arg("cluster", Ty::K8sName)],
            example: "primary acme-postgres",
            ..stmt(
                "primary",
                "Distributed topology: which cluster is primary now. Changing it on both sides is a controlled switchover (replica.primary).",
            )
        },
        StmtSpec {
            args: &[arg("token", Ty::Text)],
            example: "promotion_token \"...\"",
            ..stmt(
                "promotion_token",
                "The token the old primary reported when demoted (replica.promotionToken), for a switchover without data loss.",
            )
        },
    ],
};

pub static SNAPSHOTS: BlockSpec = BlockSpec {
    kind: "snapshots",
    doc: "Volume snapshot backups (a second method next to the object store): the CSI VolumeSnapshotClass and, optionally, a schedule.",
    stmts: &[
        StmtSpec {
            args: &[arg("class", Ty::Text)],
            required: true,
            example: "class csi-hostpath-snapclass",
            ..stmt("class", "The VolumeSnapshotClass of the data volumes.")
        },
        StmtSpec {
            args: &[arg("class", Ty::Text)],
            example: "wal_class csi-hostpath-snapclass",
            ..stmt(
                "wal_class",
                "The VolumeSnapshotClass of the WAL volumes (default: `class`).",
            )
        },
        StmtSpec {
            args: &[arg("schedule", Ty::Cron)],
            example: "schedule \"0 0 3 * * *\"",
            ..stmt(
                "schedule",
                "When a ScheduledBackup takes a snapshot (6 fields, seconds first).",
            )
        },
        StmtSpec {
            args: &[arg("online", Ty::Bool)],
            default: Some("true"),
            example: "online false",
            ..stmt(
                "online",
                "Hot snapshots (true) or cold ones taken on a fenced instance (false).",
            )
        },
    ],
};
