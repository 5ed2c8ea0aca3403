//! The kinds of `link`: Prometheus, Istio, backend apps, object stores, migrations.

use crate::schema::spec::*;
use crate::schema::types::Ty;

use super::stores::*;

/// Options of `link` statements, by kind.
pub(super) const LINK_VARIANTS: &[StmtSpec] = &[
    StmtSpec {
        body: Body::Block(&crate::schema::tables::PROMETHEUS),
        example: "link prometheus",
        ..stmt(
            "prometheus",
            "Prometheus scrapes the instances: a PodMonitor (Prometheus Operator) next to the Cluster.",
        )
    },
    StmtSpec {
        body: Body::Block(&crate::schema::tables::ISTIO),
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
            opt(
                "via",
                Ty::Ref("secret-store"),
                "Hand the credentials over through this external-secrets store (PushSecret here, ExternalSecret in the app's namespace) instead of a SOPS-encrypted copy.",
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
        args: &[opt_arg("name", Ty::K8sName)],
        body: Body::Block(&S3),
        default: Some("name `s3`"),
        example: "link s3 backups < bucket acme-backups iam_role true >",
        ..stmt(
            "s3",
            "Back up to an S3 bucket (AWS, or any S3-compatible store with an endpoint).",
        )
    },
    StmtSpec {
        args: &[opt_arg("name", Ty::K8sName)],
        body: Body::Block(&GCS),
        default: Some("name `gcs`"),
        example: "link gcs backups < bucket acme-backups workload_identity cnpg-backup@acme.iam.gserviceaccount.com >",
        ..stmt("gcs", "Back up to a Google Cloud Storage bucket.")
    },
    StmtSpec {
        args: &[opt_arg("name", Ty::K8sName)],
        body: Body::Block(&AZURE),
        default: Some("name `azure`"),
        example: "link azure backups < container backups storage_account acmebackups inherit_identity true >",
        ..stmt("azure", "Back up to an Azure Blob Storage container.")
    },
    StmtSpec {
        opts: &[opt(
            "from",
            Ty::Ref("cluster"),
            "The source: a cluster of this program, or any PostgreSQL (with `host`).",
        )],
        body: Body::Block(&crate::schema::tables::MIGRATION),
        aliases: &["migration_db"],
        example: "link migration-db from legacy < databases app mode logical >",
        ..stmt(
            "migration-db",
            "This cluster is the destination of a migration: databases are imported from another cluster.",
        )
    },
    StmtSpec {
        opts: &[opt(
            "to",
            Ty::Ref("cluster"),
            "The destination cluster of this program.",
        )],
        aliases: &["db_migration"],
        example: "link db-migration to next",
        ..stmt(
            "db-migration",
            "This cluster is the source of a migration: with mode logical on the destination, its Publication is written here.",
        )
    },
];
