//! Running it well: tuning parameters, synchronous replication, images and
//! registries, services and placement, poolers, monitoring, and the
//! reusable definitions (presets, permission bundles, profiles).

use crate::schema::spec::*;
use crate::schema::types::Ty;

pub static SYNCHRONOUS: BlockSpec = BlockSpec {
    kind: "synchronous",
    doc: "Synchronous replication: a commit waits for standbys (postgresql.synchronous).",
    stmts: &[
        StmtSpec {
            args: &[arg("method", Ty::Enum(&["any", "first"]))],
            default: Some("any (quorum)"),
            example: "method any",
            ..stmt(
                "method",
                "`any`: any `number` standbys confirm (quorum); `first`: the first `number` by priority.",
            )
        },
        StmtSpec {
            args: &[arg("count", Ty::Int { min: 1, max: 98 })],
            default: Some("1"),
            example: "number 1",
            ..stmt(
                "number",
                "How many standbys confirm each commit; at most instances − 1.",
            )
        },
        StmtSpec {
            args: &[arg("durability", Ty::Enum(&["required", "preferred"]))],
            default: Some("required"),
            example: "durability preferred",
            ..stmt(
                "durability",
                "`required`: commits wait even when standbys are missing; `preferred`: they wait only for the standbys that are there (no write stall, weaker guarantee).",
            )
        },
    ],
};

pub static POOLER: BlockSpec = BlockSpec {
    kind: "pooler",
    doc: "A PgBouncer connection pooler in front of the cluster (a CNPG `Pooler`).",
    stmts: &[
        StmtSpec {
            args: &[arg("type", Ty::Enum(&["rw", "ro"]))],
            default: Some("rw"),
            example: "type rw",
            ..stmt(
                "type",
                "Pool connections to the primary (`rw`) or to the standbys (`ro`).",
            )
        },
        StmtSpec {
            args: &[arg("count", Ty::Int { min: 1, max: 99 })],
            default: Some("2"),
            example: "instances 2",
            ..stmt("instances", "PgBouncer pods.")
        },
        StmtSpec {
            args: &[arg(
                "mode",
                Ty::Enum(&["session", "transaction", "statement"]),
            )],
            default: Some("session"),
            example: "mode transaction",
            ..stmt("mode", "PgBouncer's pool_mode.")
        },
        StmtSpec {
            body: Body::Map(Ty::Text),
            example: "parameters < max_client_conn: 1000, default_pool_size: 20 >",
            ..stmt("parameters", "PgBouncer parameters (written as strings).")
        },
    ],
};

pub static PROMETHEUS: BlockSpec = BlockSpec {
    kind: "link prometheus",
    doc: "How Prometheus scrapes the cluster and which alerts it gets.",
    stmts: &[
        StmtSpec {
            args: &[arg("operator", Ty::Bool)],
            default: Some("true"),
            example: "operator false",
            ..stmt(
                "operator",
                "The Prometheus Operator's CRDs exist (PodMonitor, PrometheusRule). `false`: annotate the pods for annotation-based scraping and write the alert rules as a plain rules file in a ConfigMap.",
            )
        },
        StmtSpec {
            args: &[arg("rules", Ty::Bool)],
            default: Some("true"),
            example: "rules false",
            ..stmt(
                "rules",
                "Write the alert rules (WAL archiving, backlog, instance down, lag, disk, backups, XID age, connections).",
            )
        },
    ],
};

pub const PRESET: StmtSpec = StmtSpec {
    args: &[arg("preset", Ty::Ref("preset"))],
    example: "preset u1.medium",
    ..stmt(
        "preset",
        "A named size for CPU and memory (std::presets: t1/c1/s1/u1/m1 × nano…4xlarge); `resources` overrides it field by field.",
    )
};

pub const PROFILE: StmtSpec = StmtSpec {
    args: &[arg("profile", Ty::Ref("profile"))],
    example: "profile prod",
    ..stmt(
        "profile",
        "Apply a profile's statements as defaults (std::profiles: dev, prod; or your own `profile NAME < … >`). The cluster's own statements win.",
    )
};

pub const TIER: StmtSpec = StmtSpec {
    args: &[arg("tier", Ty::Enum(&["dev", "prod"]))],
    default: Some("unset"),
    example: "tier prod",
    ..stmt(
        "tier",
        "What the cluster is for: `prod` turns missing safety nets (no backup) into warnings; `dev` silences the single-instance warning.",
    )
};

pub const PARAMETERS: StmtSpec = StmtSpec {
    body: Body::Map(Ty::Text),
    example: "parameters < max_connections: 200, shared_buffers: 256MB >",
    ..stmt(
        "parameters",
        "postgresql.conf parameters (written as strings). Parameters that run commands or the operator manages are refused.",
    )
};

pub const SHARED_PRELOAD_LIBRARIES: StmtSpec = StmtSpec {
    args: &[arg("libraries", Ty::List(&Ty::Word))],
    example: "shared_preload_libraries pg_stat_statements, auto_explain",
    ..stmt(
        "shared_preload_libraries",
        "Libraries loaded at server start, from a vetted list (pg_stat_statements, auto_explain, pgaudit, pg_cron, timescaledb, pg_failover_slots, pg_partman_bgw).",
    )
};

pub const SYNCHRONOUS_STMT: StmtSpec = StmtSpec {
    body: Body::Block(&SYNCHRONOUS),
    example: "synchronous < method any number 1 durability required >",
    ..stmt(
        "synchronous",
        "Synchronous replication (see the `synchronous` block).",
    )
};

pub const QUORUM: StmtSpec = StmtSpec {
    opts: &[
        opt(
            "min",
            Ty::Int { min: 0, max: 98 },
            "Standbys that must confirm (minSyncReplicas).",
        ),
        opt(
            "max",
            Ty::Int { min: 1, max: 98 },
            "Standbys that may confirm (maxSyncReplicas), below the instance count.",
        ),
    ],
    example: "quorum min 1 max 2",
    ..stmt(
        "quorum",
        "Quorum synchronous replication by count (minSyncReplicas/maxSyncReplicas), as seed 003's chart sets it.",
    )
};

pub const WAL_STORAGE: StmtSpec = StmtSpec {
    args: &[arg("size", Ty::Storage)],
    opts: &[opt("class", Ty::Text, "StorageClass of the WAL volumes.")],
    example: "wal_storage 10Gi class premium-rwo",
    ..stmt(
        "wal_storage",
        "A separate volume for WAL (walStorage): a full WAL volume no longer stops the data volume, and WAL I/O gets its own disk.",
    )
};

pub const IMAGE: StmtSpec = StmtSpec {
    args: &[arg("image", Ty::Text)],
    default: Some("ghcr.io/cloudnative-pg/postgresql:<postgres>"),
    example: "image \"registry.example.com/postgresql:16.4-postgis\"",
    ..stmt(
        "image",
        "A PostgreSQL image of your own (its tag must start with the major version).",
    )
};

pub const IMAGE_CATALOG: StmtSpec = StmtSpec {
    args: &[arg("name", Ty::K8sName)],
    opts: &[opt(
        "cluster",
        Ty::Bool,
        "A ClusterImageCatalog (cluster-wide) instead of an ImageCatalog in the namespace.",
    )],
    example: "image_catalog postgresql cluster",
    ..stmt(
        "image_catalog",
        "Take the image from an image catalog, by major version (imageCatalogRef).",
    )
};

pub const REGISTRY: StmtSpec = StmtSpec {
    args: &[arg("host", Ty::Text)],
    opts: &[
        opt(
            "credentials",
            Ty::Secret,
            "An existing kubernetes.io/dockerconfigjson Secret (imagePullSecrets).",
        ),
        opt(
            "username",
            Ty::Secret,
            "Where the registry user comes from (cnpgc writes secret/registry.json, SOPS-encrypted).",
        ),
        opt(
            "password",
            Ty::Secret,
            "Where the registry password comes from.",
        ),
    ],
    example: "registry harbor.acme.example.com",
    ..stmt(
        "registry",
        "A registry mirror: every image the output references is pulled through it (`<registry>/<original host>/<path>`), with pull credentials.",
    )
};

pub const DISABLE_SERVICES: StmtSpec = StmtSpec {
    args: &[arg("services", Ty::List(&Ty::Enum(&["ro", "r"])))],
    example: "disable_services ro, r",
    ..stmt(
        "disable_services",
        "Default services not to create (managed.services.disabledDefaultServices); `rw` always exists.",
    )
};

pub const EXTERNAL: StmtSpec = StmtSpec {
    opts: &[
        OptSpec {
            default: Some("loadbalancer"),
            ..opt(
                "type",
                Ty::Enum(&["loadbalancer", "nodeport"]),
                "The Service type.",
            )
        },
        OptSpec {
            default: Some("rw"),
            ..opt(
                "to",
                Ty::Enum(&["rw", "ro", "r"]),
                "Which instances it reaches.",
            )
        },
    ],
    example: "external type loadbalancer",
    ..stmt(
        "external",
        "Access from outside the Kubernetes cluster (managed.services.additional `<cluster>-external`).",
    )
};

pub const REPLICATION_SLOTS: StmtSpec = StmtSpec {
    opts: &[
        OptSpec {
            default: Some("true"),
            ..opt(
                "ha",
                Ty::Bool,
                "Slots that keep standbys' WAL on the primary (highAvailability).",
            )
        },
        OptSpec {
            default: Some("false"),
            ..opt(
                "sync_user_slots",
                Ty::Bool,
                "Copy user-defined logical slots to standbys (synchronizeReplicas).",
            )
        },
        opt(
            "update_interval",
            Ty::Int { min: 1, max: 3600 },
            "Seconds between slot synchronisations.",
        ),
    ],
    example: "replication_slots ha true update_interval 30",
    ..stmt(
        "replication_slots",
        "Replication slot management (spec.replicationSlots).",
    )
};

pub const PDB: StmtSpec = StmtSpec {
    args: &[arg("enabled", Ty::Bool)],
    default: Some("true"),
    example: "pdb false",
    ..stmt(
        "pdb",
        "A PodDisruptionBudget that keeps the primary during node drains (enablePDB).",
    )
};

pub const SPREAD: StmtSpec = StmtSpec {
    args: &[arg("key", Ty::Enum(&["zone", "host"]))],
    example: "spread zone",
    ..stmt(
        "spread",
        "Spread instances across zones or hosts (topologySpreadConstraints).",
    )
};

pub const POOLER_STMT: StmtSpec = StmtSpec {
    args: &[arg("name", Ty::K8sName)],
    body: Body::Block(&POOLER),
    repeat: true,
    example: "pooler app-pooler < type rw instances 2 mode transaction >",
    ..stmt("pooler", "A PgBouncer pooler (see the `pooler` block).")
};

/// Top-level definitions.
pub const USE: StmtSpec = StmtSpec {
    args: &[arg("module", Ty::Module)],
    repeat: true,
    example: "use std::presets",
    ..stmt(
        "use",
        "Bring definitions into scope: a standard module (std::presets, std::bundles, std::profiles) or a .cnpg file (\"shared.cnpg\", relative to this file).",
    )
};

pub const PRESET_DEF: StmtSpec = StmtSpec {
    args: &[arg("name", Ty::Word)],
    opts: &[
        opt("cpu", Ty::CpuRange, "CPU request..limit (one value: both)."),
        opt(
            "memory",
            Ty::MemoryRange,
            "Memory request..limit (one value: both).",
        ),
        opt(
            "default",
            Ty::Bool,
            "Applied to every cluster that names neither a `preset` nor `resources` (std::presets: t1.micro, seed 003's default).",
        ),
    ],
    repeat: true,
    example: "preset team.large cpu 2 memory 8Gi",
    ..stmt(
        "preset",
        "Define a named size (used with `preset NAME` in a cluster).",
    )
};

pub const BUNDLE_DEF: StmtSpec = StmtSpec {
    args: &[arg("name", Ty::Word)],
    opts: &[opt(
        "grants",
        Ty::Grants,
        "The flags (or other bundles) the bundle stands for.",
    )],
    repeat: true,
    example: "bundle readwrite grants connect, read, write, execute_functions",
    ..stmt(
        "bundle",
        "Define a named set of permission flags (usable in `grants`).",
    )
};
