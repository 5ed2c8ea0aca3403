//! GitOps wiring: the Flux target, the operator's configuration, network
//! policies, credential distribution to apps, the Istio link and migrations.

use crate::schema::spec::*;
use crate::schema::types::Ty;

pub static FLUX: BlockSpec = BlockSpec {
    kind: "flux",
    doc: "Write the Flux layout (seed 001): fluxcd/databases/<env>/<cluster>/ and one Flux Kustomization per database service.",
    stmts: &[
        StmtSpec {
            args: &[arg("name", Ty::K8sName)],
            default: Some("flux-system"),
            example: "source flux-system",
            ..stmt(
                "source",
                "The GitRepository the Kustomizations read (sourceRef).",
            )
        },
        StmtSpec {
            args: &[arg("dir", Ty::Text)],
            default: Some("."),
            example: "repo_dir \"deploy\"",
            ..stmt(
                "repo_dir",
                "Where the output directory (`-o`) sits in that repository; the Kustomizations' paths start there.",
            )
        },
        StmtSpec {
            args: &[arg("names", Ty::List(&Ty::K8sName))],
            default: Some("database-operators"),
            example: "depends_on database-operators",
            ..stmt(
                "depends_on",
                "Flux Kustomizations that must be ready first: the CNPG operator and its CRDs (dependsOn).",
            )
        },
        StmtSpec {
            args: &[arg("interval", Ty::Duration)],
            default: Some("10m"),
            example: "interval 10m",
            ..stmt("interval", "How often Flux reconciles.")
        },
        StmtSpec {
            args: &[arg("name", Ty::K8sName)],
            default: Some("sops-age"),
            example: "sops_secret sops-age",
            ..stmt(
                "sops_secret",
                "The Secret in flux-system holding the age key (decryption.secretRef).",
            )
        },
        StmtSpec {
            args: &[arg("timeout", Ty::Duration)],
            default: Some("15m"),
            example: "timeout 15m",
            ..stmt(
                "timeout",
                "How long Flux waits for the health checks (the Cluster ready, its app Secret there).",
            )
        },
    ],
};

pub static OPERATOR: BlockSpec = BlockSpec {
    kind: "operator",
    doc: "The CNPG operator's configuration (the cnpg-controller-manager-config ConfigMap), written once to operator/cnpg.yaml.",
    stmts: &[
        StmtSpec {
            args: &[arg("namespace", Ty::K8sName)],
            default: Some("cnpg-system"),
            example: "namespace cnpg-system",
            ..stmt("namespace", "Where the operator runs.")
        },
        StmtSpec {
            args: &[arg("labels", Ty::List(&Ty::Text))],
            example: "inherited_labels team, app.kubernetes.io/part-of",
            ..stmt(
                "inherited_labels",
                "Cluster labels the operator copies to the objects it creates (INHERITED_LABELS).",
            )
        },
        StmtSpec {
            args: &[arg("annotations", Ty::List(&Ty::Text))],
            example: "inherited_annotations \"iam.gke.io/*\"",
            ..stmt(
                "inherited_annotations",
                "Cluster annotations the operator copies (INHERITED_ANNOTATIONS).",
            )
        },
        StmtSpec {
            args: &[arg("namespaces", Ty::List(&Ty::K8sName))],
            default: Some("all namespaces"),
            example: "watch_namespaces databases, tenant-foo",
            ..stmt(
                "watch_namespaces",
                "Namespaces the operator watches (WATCH_NAMESPACE).",
            )
        },
    ],
};

pub static NETWORK: BlockSpec = BlockSpec {
    kind: "network",
    doc: "NetworkPolicies for a default-deny cluster (seed 001): what CNPG needs in and out, and nothing else.",
    stmts: &[
        StmtSpec {
            args: &[arg("kind", Ty::Enum(&["vanilla", "cilium"]))],
            default: Some("vanilla"),
            example: "policy cilium",
            ..stmt(
                "policy",
                "NetworkPolicy (Calico and others) or CiliumNetworkPolicy.",
            )
        },
        StmtSpec {
            args: &[arg("namespace", Ty::K8sName)],
            default: Some("cnpg-system"),
            example: "operator_namespace cnpg-system",
            ..stmt(
                "operator_namespace",
                "The operator's namespace: it talks to every instance (port 8000 and 5432).",
            )
        },
        StmtSpec {
            args: &[arg("namespace", Ty::K8sName)],
            default: Some("monitoring"),
            example: "monitoring_namespace monitoring",
            ..stmt(
                "monitoring_namespace",
                "Where Prometheus runs: it scrapes port 9187.",
            )
        },
        StmtSpec {
            args: &[arg("namespaces", Ty::List(&Ty::K8sName))],
            example: "app_namespaces shop, billing",
            ..stmt(
                "app_namespaces",
                "Namespaces whose pods may connect to 5432 (the namespaces of `link app` are added).",
            )
        },
        StmtSpec {
            args: &[arg("cidr", Ty::Text)],
            example: "api_server \"10.0.0.1/32\"",
            ..stmt(
                "api_server",
                "The Kubernetes API server's address (CIDR); without it, egress to ports 443 and 6443 anywhere.",
            )
        },
        StmtSpec {
            args: &[arg("cidr", Ty::Text)],
            example: "service_cidr \"10.43.0.0/16\"",
            ..stmt(
                "service_cidr",
                "The Service CIDR: needed with Cilium's kube-proxy replacement (ClusterIPs are not pods).",
            )
        },
    ],
};

pub static ISTIO: BlockSpec = BlockSpec {
    kind: "link istio",
    doc: "The namespace joins the Istio mesh; how the database pods take part.",
    stmts: &[StmtSpec {
        args: &[arg("mesh", Ty::Bool)],
        default: Some("false"),
        example: "database_in_mesh true",
        ..stmt(
            "database_in_mesh",
            "Give the instances sidecars too (with PostgreSQL's ports excluded from the proxy); by default they are kept out of the mesh, since the proxy breaks replication and the operator's jobs.",
        )
    }],
};

pub static MIGRATION: BlockSpec = BlockSpec {
    kind: "link migration-db",
    doc: "Import databases from another cluster: once at creation (bootstrap.initdb.import) or continuously by logical replication until the switch.",
    stmts: &[
        StmtSpec {
            args: &[arg("databases", Ty::List(&Ty::PgIdent))],
            default: Some("this cluster's databases"),
            example: "databases app",
            ..stmt("databases", "The source databases to import.")
        },
        StmtSpec {
            args: &[arg("mode", Ty::Enum(&["import", "logical"]))],
            default: Some("import"),
            example: "mode logical",
            ..stmt(
                "mode",
                "`import`: pg_dump/pg_restore at creation. `logical`: the schema at creation, then a Publication on the source and a Subscription here keep the data flowing until you switch (no downtime).",
            )
        },
        StmtSpec {
            args: &[arg("type", Ty::Enum(&["microservice", "monolith"]))],
            default: Some("microservice"),
            example: "type monolith",
            ..stmt(
                "type",
                "`microservice`: one database, its owner becomes the local owner. `monolith`: several databases and their roles as they are.",
            )
        },
        StmtSpec {
            args: &[arg("schema_only", Ty::Bool)],
            default: Some("false (true with mode logical)"),
            example: "schema_only true",
            ..stmt("schema_only", "Import the schema without data.")
        },
        StmtSpec {
            args: &[arg("host", Ty::Text)],
            default: Some(
                "<source>-rw.<namespace>.svc when the source is a cluster of this program",
            ),
            example: "host \"legacy-db.example.com\"",
            ..stmt(
                "host",
                "The source's address (for a source outside this program).",
            )
        },
        StmtSpec {
            args: &[arg("user", Ty::PgIdent)],
            default: Some("postgres"),
            example: "user postgres",
            ..stmt(
                "user",
                "The source user to connect as (a superuser for import).",
            )
        },
        StmtSpec {
            args: &[arg("source", Ty::Secret)],
            opts: &[OptSpec {
                default: Some("password"),
                ..opt("key", Ty::Text, "Key of the password in the Secret.")
            }],
            example: "password secret(\"legacy-superuser\")",
            ..stmt(
                "password",
                "An existing Secret in this namespace with the source user's password.",
            )
        },
    ],
};
