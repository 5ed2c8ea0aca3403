//! Users and databases: the `user` options and the `db` block.

use crate::schema::spec::*;
use crate::schema::types::Ty;

pub(super) const SECRET_DOC: &str = "Where the password comes from: `generated` (a strong random value made at the first build and kept, encrypted with SOPS), `env(\"VAR\")` or `file(\"path\")` (read at build time, encrypted with SOPS), or `secret(\"name\")` (an existing basic-auth Secret with `username` and `password` keys).";

/// Options shared by `user` statements in a cluster and in a db.
pub(super) const USER_OPTS: &[OptSpec] = &[
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
            args: &[arg("extensions", Ty::List(&Ty::PgIdent))],
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
