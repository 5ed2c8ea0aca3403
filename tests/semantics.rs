//! Issue 14: objects that live together, GitOps that cannot destroy, grants
//! and roles that mean what users expect. One test per defect; what is about
//! grants on a real server is in tests/grants_pg.rs.

mod support;

use cnpgc::emit::yaml::Node;

fn checked(src: &str) -> cnpgc::Checked {
    cnpgc::check_sources(&[("t.cnpg", src)])
}

fn program(src: &str) -> cnpgc::ir::Program {
    let c = checked(src);
    let rendered = cnpgc::diag::render::render(
        &c.diagnostics,
        &c.sources,
        cnpgc::diag::render::Format::Short,
        false,
    );
    c.program.unwrap_or_else(|| panic!("{rendered}"))
}

fn codes(src: &str) -> Vec<&'static str> {
    checked(src)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

/// Every tree of a program: (root/path, content).
fn files(src: &str) -> Vec<(String, String)> {
    let p = program(src);
    cnpgc::emit::emit_program(&p)
        .into_iter()
        .flat_map(|t| {
            t.files
                .into_iter()
                .map(move |f| (format!("{}/{}", t.root, f.path), f.content))
        })
        .collect()
}

fn file(src: &str, path: &str) -> String {
    files(src)
        .into_iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .1
}

/// Applies a diagnostic's fix to the source.
fn fixed(src: &str, code: &str) -> String {
    let c = checked(src);
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code}"));
    let f = d.fix.as_ref().expect("a fix");
    let mut s = src.to_string();
    s.replace_range(f.span.start as usize..f.span.end as usize, &f.replacement);
    s
}

#[test]
fn admin_postgres_password_enables_superuser_access() {
    // No database, so nothing else needs superuser access: the password
    // alone must turn it on, or CNPG sets it to NULL.
    let cl = file(
        "cluster app < instances 2 admin postgres password env(\"PG_PW\") >",
        "app/k8s/deploy/base/cluster.yaml",
    );
    assert!(cl.contains("enableSuperuserAccess: true"), "{cl}");
    assert!(cl.contains("superuserSecret:"), "{cl}");
    let cl = file(
        "cluster app < instances 2 >",
        "app/k8s/deploy/base/cluster.yaml",
    );
    assert!(!cl.contains("enableSuperuserAccess"), "{cl}");
}

#[test]
fn import_and_recovery_on_one_cluster_is_an_error() {
    let src = "cluster old < instances 2 db shop >
cluster new < instances 2 db shop
  link minio b < bucket x >
  recovery < from b server old-x >
  link migration-db from old
>";
    assert!(codes(src).contains(&"E0702"), "{:?}", codes(src));
    let src = "cluster old < instances 2 db shop >
cluster new < instances 2
  replica < source old host \"pg.example.com\" password secret(\"r\") >
  link migration-db from old < databases shop >
>";
    assert!(codes(src).contains(&"E0702"), "{:?}", codes(src));
}

#[test]
fn a_group_role_has_no_password_secret() {
    let src = "cluster app < instances 2 user readers login false db d < user u grants connect > >";
    let p = program(src);
    let c = &p.clusters[0];
    assert!(c.role("readers").unwrap().password.is_none());
    let l = cnpgc::emit::layout(&p, c);
    let secrets = cnpgc::secrets::cluster_secrets(c, &l);
    assert!(
        secrets.iter().all(|s| !s.name.contains("readers")),
        "{secrets:?}"
    );
    assert!(secrets.iter().any(|s| s.name == "app-u"));
    let roles = file(src, "app/k8s/deploy/base/roles.yaml");
    let group = roles
        .split("- name: ")
        .find(|r| r.starts_with("readers"))
        .unwrap();
    assert!(
        group.contains("disablePassword: true") && !group.contains("passwordSecret"),
        "{group}"
    );
    // A password given anyway warns, and its fix checks clean.
    let src = "cluster app < instances 2 user readers login false password env(\"X\") >";
    assert!(codes(src).contains(&"W0341"));
    assert!(
        codes(&fixed(src, "W0341")).is_empty(),
        "{}",
        fixed(src, "W0341")
    );
    // An app cannot use a group.
    let src = "cluster app < instances 2 user g login false db d < user g grants connect > link app web to d user g >";
    assert!(codes(src).contains(&"E0701"), "{:?}", codes(src));
}

#[test]
fn flags_without_connect_warn_and_the_fix_adds_it() {
    let src = "cluster app < instances 2 db d < user u grants read, write > >";
    assert_eq!(codes(src), ["W0340"]);
    let f = fixed(src, "W0340");
    assert!(f.contains("grants connect, read, write"), "{f}");
    assert!(codes(&f).is_empty());
    // `own` connects through the owner; a bundle with connect is fine.
    assert!(codes("cluster app < instances 2 db d < user u grants own > >").is_empty());
    assert!(
        codes("use std::bundles\ncluster app < instances 2 db d < user u grants readonly > >")
            .is_empty()
    );
}

#[test]
fn a_custom_image_tag_gives_or_checks_the_version() {
    let p = program("cluster app < instances 2 image \"r.example.com/pg:16.4-postgis\" >");
    let c = &p.clusters[0];
    assert_eq!((c.postgres.major, c.postgres.minor), (16, Some(4)));
    // The grant SQL follows it (13/14 get the public-schema fix, 16 does not).
    let p = program("cluster app < instances 2 image \"r.example.com/pg:14.9\" db d >");
    assert_eq!(p.clusters[0].postgres.major, 14);
    let all: String = cnpgc::emit::grants::sql::grant_files(&p.clusters[0])
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert!(all.contains("ALTER SCHEMA public OWNER"));
    // Disagreement: an error, fixed by the tag's version.
    let src = "cluster app < instances 2 postgres 17.6 image \"r.example.com/pg:16.4\" >";
    assert_eq!(codes(src), ["E0640"]);
    assert!(codes(&fixed(src, "E0640")).is_empty());
    for bad in [
        "r.example.com/pg",
        "r.example.com/pg:latest",
        "r.example.com/pg:pg16",
    ] {
        assert!(
            codes(&format!("cluster app < instances 2 image \"{bad}\" >")).contains(&"E0640"),
            "{bad}"
        );
    }
    let digest = format!("r.example.com/pg@sha256:{}", "a".repeat(64));
    assert!(codes(&format!("cluster app < instances 2 image \"{digest}\" >")).contains(&"E0640"));
    // A version CNPG does not run.
    assert!(
        codes("cluster app < instances 2 image \"r.example.com/pg:12.1\" >").contains(&"E0640")
    );
}

#[test]
fn node_pools_use_the_platforms_label_or_require_one() {
    let affinity_key = |src: &str| {
        let c = &program(src).clusters[0];
        c.nodepool.as_ref().unwrap().label.clone()
    };
    for (platform, label) in [
        ("gke", "cloud.google.com/gke-nodepool"),
        ("eks", "eks.amazonaws.com/nodegroup"),
        ("aks", "kubernetes.azure.com/agentpool"),
    ] {
        assert_eq!(
            affinity_key(&format!(
                "cluster app < instances 2 platform {platform} nodepool db >"
            )),
            label
        );
    }
    assert_eq!(
        affinity_key("cluster app < instances 2 platform k3s nodepool db label pool >"),
        "pool"
    );
    for src in [
        "cluster app < instances 2 nodepool db >",
        "cluster app < instances 2 platform k3s nodepool db >",
        "cluster app < instances 2 platform other nodepool db >",
    ] {
        assert_eq!(codes(src), ["E0641"], "{src}");
    }
    // Nothing writes a label no provider sets.
    for (_, content) in files("cluster app < instances 2 platform gke nodepool db >") {
        assert!(!content.contains("cnpgc.io/nodepool"));
    }
}

#[allow(dead_code)]
fn seq(n: &Node) -> &[Node] {
    match n {
        Node::Seq(s) => s,
        _ => &[],
    }
}

// ---------------------------------------------------------------------------
// Objects that live together.

fn paths(src: &str) -> Vec<String> {
    files(src).into_iter().map(|(p, _)| p).collect()
}

#[test]
fn one_tree_writes_a_shared_namespace_and_flux_never_prunes_it() {
    let src = "flux < depends_on cnpg-operator >
cluster a < instances 2 namespace db link istio >
cluster b < instances 2 namespace db link istio >
cluster c < instances 2 namespace other >";
    let ps = paths(src);
    assert!(ps.contains(&"fluxcd/databases/default/a/namespace.yaml".to_string()));
    assert!(
        !ps.iter()
            .any(|p| p == "fluxcd/databases/default/b/namespace.yaml")
    );
    assert!(ps.contains(&"fluxcd/databases/default/c/namespace.yaml".to_string()));
    let ns = file(src, "fluxcd/databases/default/a/namespace.yaml");
    assert!(
        ns.contains("kustomize.toolkit.fluxcd.io/prune: disabled"),
        "{ns}"
    );
    assert!(ns.contains("istio-injection: enabled"), "{ns}");
    // b's Kustomization waits for a's (the namespace), after the operator.
    let k = file(src, "fluxcd/clusters/default/databases/databases-b.yaml");
    assert!(
        k.contains("  - name: cnpg-operator\n  - name: databases-a\n"),
        "{k}"
    );
    let k = file(src, "fluxcd/clusters/default/databases/databases-a.yaml");
    assert!(k.contains("  - name: cnpg-operator\n  decryption"), "{k}");
    // b's kustomization lists no namespace.yaml.
    let kb = file(src, "fluxcd/databases/default/b/kustomization.yaml");
    assert!(!kb.contains("namespace.yaml"), "{kb}");
}

#[test]
fn namespaces_that_exist_are_written_by_no_tree() {
    // The operator's namespace (seed 004): by default cnpg-system.
    let src = "cluster pg < instances 2 namespace cnpg-system >";
    assert!(!paths(src).iter().any(|p| p.ends_with("namespace.yaml")));
    // …or the one `operator` names; then cnpg-system is an ordinary one.
    let src = "operator < namespace ops >
cluster pg < instances 2 namespace ops >
cluster other < instances 2 namespace cnpg-system >";
    let ps = paths(src);
    assert!(!ps.iter().any(|p| p == "pg/k8s/deploy/base/namespace.yaml"));
    assert!(
        ps.iter()
            .any(|p| p == "other/k8s/deploy/base/namespace.yaml")
    );
    // A network block's operator namespace.
    let src =
        "cluster pg <\n  instances 2\n  namespace cnpg\n  network < operator_namespace cnpg >\n>";
    assert!(!paths(src).iter().any(|p| p.ends_with("namespace.yaml")));
    // The platform's, and a declared existing one (any cluster saying so).
    for src in [
        "cluster pg < instances 2 namespace default >",
        "cluster pg < instances 2 namespace shop existing >",
        "cluster a < instances 2 namespace shop >\ncluster b < instances 2 namespace shop existing >",
    ] {
        assert!(
            !paths(src).iter().any(|p| p.ends_with("namespace.yaml")),
            "{src}"
        );
    }
}

#[test]
fn each_environment_owns_its_namespace() {
    // Different environments are different Kubernetes clusters.
    let src = "cluster a <\n  instances 2\n  namespace db\n  env dev\n  env prod\n>
cluster b < instances 2 namespace db env prod >";
    let ps = paths(src);
    assert!(ps.contains(&"a/dev/k8s/deploy/base/namespace.yaml".to_string()));
    assert!(ps.contains(&"a/prod/k8s/deploy/base/namespace.yaml".to_string()));
    assert!(
        !ps.iter()
            .any(|p| p.starts_with("b/") && p.ends_with("namespace.yaml"))
    );
    // Seed 002: the DR cluster in its own region writes its namespace there.
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/seed-002-platform.cnpg"
    ))
    .unwrap();
    let ps = paths(&seed);
    assert!(ps.contains(&"acme-postgres/k8s/deploy/base/namespace.yaml".to_string()));
    assert!(ps.contains(&"acme-postgres-dr/region2/k8s/deploy/base/namespace.yaml".to_string()));
}

#[test]
fn istio_must_agree_in_a_namespace() {
    let src =
        "cluster a < instances 2 namespace db link istio >\ncluster b < instances 2 namespace db >";
    assert_eq!(codes(src), ["E0740"]);
    // In different environments it may differ.
    let src = "cluster a < instances 2 namespace db link istio env prod >\ncluster b < instances 2 namespace db env dev >";
    assert!(codes(src).is_empty(), "{:?}", codes(src));
    assert_eq!(
        codes("cluster a < instances 2 namespace cnpg-system link istio >"),
        ["W0741"]
    );
}

#[test]
fn names_collide_across_clusters_files_and_kinds_the_operator_makes() {
    let collide = |srcs: &[&str]| -> Vec<String> {
        let inputs: Vec<(String, &str)> = srcs
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("f{i}.cnpg"), *s))
            .collect();
        cnpgc::check_sources(&inputs)
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "E0240")
            .map(|d| d.message.clone())
            .collect()
    };
    // A pooler named like another cluster's Service (two files).
    let m = collide(&[
        "cluster shop < instances 2 namespace db >",
        "cluster orders < instances 2 namespace db pooler shop-ro < type rw > >",
    ]);
    assert!(
        m.iter()
            .any(|m| m.contains("Service") && m.contains("shop-ro")),
        "{m:?}"
    );
    // …and the pooler's ServiceAccount/Role/RoleBinding take the cluster's.
    let m = collide(&[
        "cluster shop < instances 2 namespace db >\ncluster o < instances 2 namespace db pooler shop < type rw > >",
    ]);
    for kind in ["ServiceAccount", "Role", "RoleBinding"] {
        assert!(
            m.iter()
                .any(|x| x.contains(&format!("two {kind}s named `shop`"))),
            "{kind}: {m:?}"
        );
    }
    // A user's Secret named like another cluster's operator Secret.
    let m = collide(&[
        "cluster a < instances 2 namespace db db d < user b_app grants connect > >\ncluster a-b < instances 2 namespace db >",
    ]);
    assert!(
        m.iter()
            .any(|m| m.contains("Secret") && m.contains("a-b-app")),
        "{m:?}"
    );
    // The primary's PodDisruptionBudget.
    let m = collide(&[
        "cluster app < instances 2 namespace db >\ncluster app-primary < instances 2 namespace db >",
    ]);
    assert!(m.iter().any(|m| m.contains("PodDisruptionBudget")), "{m:?}");
    // A day-2 restore cluster named like another cluster.
    let m = collide(&[
        "cluster app < instances 2 namespace db link minio b < bucket x > >\ncluster app-restore < instances 2 namespace db >",
    ]);
    assert!(
        m.iter()
            .any(|m| m.contains("two Clusters named `app-restore`")),
        "{m:?}"
    );
    // A pooler named like its own cluster's Service: E0813 (checked when
    // the cluster is lowered), not reported twice.
    let src = "cluster app < instances 2 pooler app-rw < type rw > >";
    assert_eq!(codes(src), ["E0813"]);
    // Flux Kustomizations of one environment (flux-system).
    let m = collide(&[
        "flux < depends_on op >\ncluster a < instances 2 db d link app b to d namespace web >\ncluster a-b < instances 2 >",
    ]);
    assert!(
        m.iter()
            .any(|m| m.contains("Kustomization") && m.contains("databases-a-b")),
        "{m:?}"
    );
    // Different namespaces or environments never collide.
    assert!(collide(&["cluster shop < instances 2 namespace db >\ncluster o < instances 2 namespace other pooler shop-rw < type rw > >"]).is_empty());
    assert!(collide(&["cluster app < instances 2 namespace db env dev >\ncluster app-primary < instances 2 namespace db env prod >"]).is_empty());
}

#[test]
fn disabled_services_keep_what_poolers_use() {
    assert_eq!(
        codes("cluster app <\n  instances 3\n  disable_services ro\n  pooler p < type ro >\n>"),
        ["E0642"]
    );
    assert!(
        codes("cluster app <\n  instances 3\n  disable_services ro, r\n  pooler p < type rw >\n>")
            .is_empty()
    );
}

/// Flux's garbage collection, modelled from kustomize-controller
/// (internal/controller/kustomization_controller.go, `deleteObjects`): when
/// a cluster's Kustomization is deleted or stops listing an object, every
/// object it applied is deleted unless it carries
/// `kustomize.toolkit.fluxcd.io/prune: disabled`. For every example (and a
/// program with clusters sharing namespaces), removing any one tree deletes
/// no Namespace and nothing another tree also applies.
#[test]
fn removing_a_tree_never_deletes_a_namespace_or_anothers_objects() {
    let shared = "flux < depends_on op >
cluster a < instances 2 namespace db >
cluster b < instances 2 namespace db >
cluster c < instances 2 namespace cnpg-system >";
    let mut programs: Vec<(String, cnpgc::ir::Program, Vec<cnpgc::emit::Tree>)> =
        support::examples::examples()
            .into_iter()
            .map(|e| (e.name, e.program, e.trees))
            .collect();
    let p = program(shared);
    let t = cnpgc::emit::emit_program(&p);
    programs.push(("shared".into(), p, t));
    let mut namespaces_seen = 0;
    for (name, p, trees) in programs {
        // Trees of different environments go to different Kubernetes clusters.
        let env_of = |root: &str| {
            p.clusters
                .iter()
                .find(|c| cnpgc::emit::layout(&p, c).root == root)
                .map(cnpgc::emit::env_dir)
        };
        // (tree root, kind, namespace, name, prune disabled)
        let mut applied: Vec<(String, String, String, String, bool)> = Vec::new();
        for t in trees
            .iter()
            .filter(|t| !t.root.starts_with("fluxcd/clusters"))
        {
            for f in t.files.iter().filter(|f| {
                f.path.ends_with(".yaml")
                    && !f.path.ends_with("kustomization.yaml")
                    && !f.path.ends_with("roles.yaml")
            }) {
                for doc in serde_norway::Deserializer::from_str(&f.content) {
                    let v: serde_norway::Value = serde::Deserialize::deserialize(doc).unwrap();
                    let get = |p: &[&str]| {
                        let mut n = &v;
                        for k in p {
                            n = n.get(*k)?;
                        }
                        n.as_str().map(str::to_string)
                    };
                    let Some(kind) = get(&["kind"]) else { continue };
                    let disabled = get(&[
                        "metadata",
                        "annotations",
                        "kustomize.toolkit.fluxcd.io/prune",
                    ])
                    .as_deref()
                        == Some("disabled");
                    applied.push((
                        t.root.clone(),
                        kind,
                        get(&["metadata", "namespace"]).unwrap_or_default(),
                        get(&["metadata", "name"]).unwrap_or_default(),
                        disabled,
                    ));
                }
            }
        }
        for (root, kind, ns, obj, disabled) in &applied {
            if kind == "Namespace" {
                namespaces_seen += 1;
                assert!(disabled, "{name}: {root} would prune Namespace {obj}");
            }
            if *disabled || obj.is_empty() {
                // Pruning skips it; a `generateName` object is unique.
                continue;
            }
            let others: Vec<&String> = applied
                .iter()
                .filter(|(r, k, n, o, _)| {
                    r != root && env_of(r) == env_of(root) && k == kind && n == ns && o == obj
                })
                .map(|(r, ..)| r)
                .collect();
            assert!(
                others.is_empty(),
                "{name}: removing {root} deletes {kind} {ns}/{obj}, which {others:?} apply too"
            );
        }
    }
    assert!(namespaces_seen > 5, "{namespaces_seen}");
}

// ---------------------------------------------------------------------------
// Network policies cover every pod cnpgc makes exist.

fn yaml_docs(content: &str) -> Vec<serde_norway::Value> {
    serde_norway::Deserializer::from_str(content)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .filter(|v: &serde_norway::Value| !v.is_null())
        .collect()
}

/// Whether a Kubernetes label selector (matchLabels, matchExpressions with
/// In / NotIn / Exists / DoesNotExist) selects `labels`.
fn selects(sel: &serde_norway::Value, labels: &std::collections::BTreeMap<String, String>) -> bool {
    if let Some(m) = sel.get("matchLabels").and_then(|m| m.as_mapping()) {
        for (k, v) in m {
            if labels.get(k.as_str().unwrap()).map(String::as_str) != v.as_str() {
                return false;
            }
        }
    }
    if let Some(es) = sel.get("matchExpressions").and_then(|m| m.as_sequence()) {
        for e in es {
            let key = e["key"].as_str().unwrap();
            let values: Vec<&str> = e
                .get("values")
                .and_then(|v| v.as_sequence())
                .map(|v| v.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            let got = labels.get(key).map(String::as_str);
            let ok = match e["operator"].as_str().unwrap() {
                "In" => got.is_some_and(|g| values.contains(&g)),
                "NotIn" => !got.is_some_and(|g| values.contains(&g)),
                "Exists" => got.is_some(),
                "DoesNotExist" => got.is_none(),
                o => panic!("operator {o}"),
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

fn labels_of(v: Option<&serde_norway::Value>) -> std::collections::BTreeMap<String, String> {
    v.and_then(|v| v.as_mapping())
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap().to_string(),
                        v.as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every pod the output makes exist (Clusters, their restore and PITR
/// clusters, poolers, Jobs and CronJobs; CNPG's own Jobs carry the
/// cluster's label), with its namespace and labels, is selected by an
/// egress policy in its namespace; so is every pod of the operator's
/// namespace that is not a database pod.
fn assert_every_pod_covered(src: &str) -> usize {
    let mut pods = Vec::new();
    let mut policies = Vec::new();
    for (path, content) in files(src) {
        if !path.ends_with(".yaml") || path.ends_with("kustomization.yaml") {
            continue;
        }
        for d in yaml_docs(&content) {
            let ns = d["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let name = d["metadata"]["name"].as_str().unwrap_or("").to_string();
            let mut labels = std::collections::BTreeMap::new();
            match d["kind"].as_str().unwrap_or("") {
                "Cluster" if d["apiVersion"].as_str() == Some("postgresql.cnpg.io/v1") => {
                    labels.insert("cnpg.io/cluster".to_string(), name.clone());
                }
                "Pooler" => {
                    labels.insert(
                        "cnpg.io/cluster".into(),
                        d["spec"]["cluster"]["name"].as_str().unwrap().into(),
                    );
                    labels.insert("cnpg.io/podRole".into(), "pooler".into());
                    labels.insert("cnpg.io/poolerName".into(), name.clone());
                }
                "Job" => labels = labels_of(d["spec"]["template"]["metadata"].get("labels")),
                "CronJob" => {
                    labels = labels_of(
                        d["spec"]["jobTemplate"]["spec"]["template"]["metadata"].get("labels"),
                    )
                }
                "NetworkPolicy" => {
                    let types: Vec<&str> = d["spec"]["policyTypes"]
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .filter_map(|t| t.as_str())
                        .collect();
                    if types.contains(&"Egress") {
                        policies.push((ns.clone(), d["spec"]["podSelector"].clone()));
                    }
                    continue;
                }
                "CiliumNetworkPolicy" => {
                    if d["spec"].get("egress").is_some() {
                        policies.push((ns.clone(), d["spec"]["endpointSelector"].clone()));
                    }
                    continue;
                }
                _ => continue,
            }
            pods.push((path.clone(), ns, name, labels));
        }
    }
    for (path, ns, name, labels) in &pods {
        assert!(
            policies
                .iter()
                .any(|(pns, sel)| pns == ns && selects(sel, labels)),
            "{path}: no policy in {ns} selects the pods of {name} ({labels:?})"
        );
    }
    // The operator and the plugin (any labels but cnpg.io/cluster).
    let plugin: std::collections::BTreeMap<String, String> =
        [("app".to_string(), "barman-cloud".to_string())].into();
    assert!(
        policies
            .iter()
            .any(|(ns, sel)| ns == "cnpg-system" && selects(sel, &plugin)),
        "no policy for the operator's namespace"
    );
    let db_pod: std::collections::BTreeMap<String, String> =
        [("cnpg.io/cluster".to_string(), "x".to_string())].into();
    assert!(
        !policies
            .iter()
            .any(|(ns, sel)| ns == "cnpg-system" && selects(sel, &db_pod)),
        "the operator's policy takes database pods"
    );
    pods.len()
}

#[test]
fn network_policies_cover_every_pod_cnpgc_makes_exist() {
    for policy in ["vanilla", "cilium"] {
        let src = format!(
            "cluster old <
  namespace legacy
  instances 2
  db shop
  network < policy {policy} service_cidr \"10.43.0.0/16\" >
>
cluster app <
  namespace shop
  instances 2
  db shop < owner shop_owner >
  link s3 backups <
    bucket   b
    endpoint \"http://minio.minio.svc:9000\"
    credentials secret(\"s3\")
    export_schedule \"0 3 * * *\"
  >
  pitr before-upgrade < from backups target_time \"2026-01-01T00:00:00Z\" >
  pooler app-pool < type rw >
  link migration-db from old < mode logical  password secret(\"old-superuser\") >
  network < policy {policy} service_cidr \"10.43.0.0/16\" >
>"
        );
        let n = assert_every_pod_covered(&src);
        assert!(n >= 6, "{policy}: only {n} pod sources");
        // The sequence Job reaches the migration source.
        let jobs = file(&src, "app/k8s/deploy/base/network.yaml");
        assert!(jobs.contains("legacy"), "{jobs}");
    }
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/seed-001-gitops-selfhosted.cnpg"
    ))
    .unwrap();
    assert_every_pod_covered(&seed);
}
