//! Issue 14: objects that live together, GitOps that cannot destroy, grants
//! and roles that mean what users expect. One test per defect; what is about
//! grants on a real server is in tests/grants_pg.rs.

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
