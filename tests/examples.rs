//! Every example compiles clean; its whole tree is snapshotted; every
//! manifest validates against the strict upstream schemas (and CEL rules);
//! every kustomization builds with a real `kubectl kustomize`, and what it
//! builds validates too.

mod support;

use std::process::Command;

use support::examples::{dummy_secret, examples, kustomization_dirs, write_trees};
use support::schema::Validator;

#[test]
fn every_example_tree_matches_its_snapshot() {
    for ex in examples() {
        let mut snap = String::new();
        for t in &ex.trees {
            for f in &t.files {
                snap.push_str(&format!("===== {}/{}\n{}", t.root, f.path, f.content));
            }
        }
        for s in &ex.secrets {
            // Secret files are encrypted at build time; their plaintext form
            // (dummy values) shows the structure.
            snap.push_str(&format!(
                "===== {}/{} (SOPS-encrypted at build; shown with dummy values)\n{}",
                s.root,
                s.path,
                dummy_secret(s)
            ));
        }
        insta::with_settings!({snapshot_path => "snapshots/examples", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(ex.name.clone(), snap);
        });
    }
}

#[test]
fn every_manifest_validates_against_the_strict_schemas() {
    let v = Validator::new();
    let mut errors = Vec::new();
    let mut docs = 0;
    for ex in examples() {
        for t in &ex.trees {
            for f in &t.files {
                if f.path.ends_with("kustomization.yaml") {
                    continue;
                }
                if f.path.ends_with("roles.yaml") {
                    // A kustomize patch, not a resource: validated below as
                    // part of what kustomize builds.
                    continue;
                }
                docs += f.content.matches("\nkind: ").count();
                errors.extend(v.validate_yaml_stream(
                    &format!("{}/{}/{}", ex.name, t.root, f.path),
                    &f.content,
                ));
            }
        }
        for s in &ex.secrets {
            if s.format == cnpgc::secrets::Format::Yaml {
                errors.extend(
                    v.validate_yaml_stream(&format!("{}/{}", ex.name, s.path), &dummy_secret(s)),
                );
            }
        }
        // The `-o -` stream (roles merged into the Cluster).
        errors.extend(v.validate_yaml_stream(
            &format!("{} stream", ex.name),
            &cnpgc::emit::emit_stream(&ex.program),
        ));
    }
    assert!(docs > 20, "validated {docs} documents");
    assert!(
        errors.is_empty(),
        "{} schema errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
    let unsupported = v.unsupported_rules();
    assert!(
        unsupported.is_empty(),
        "CEL rules not evaluated: {unsupported:?}"
    );
}

fn kubectl() -> String {
    std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".into())
}

#[test]
fn every_kustomization_builds_with_kubectl_and_validates() {
    if Command::new(kubectl())
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        if std::env::var("CNPGC_SKIP_KUBECTL").as_deref() == Ok("1") {
            eprintln!("SKIPPED: kubectl not found and CNPGC_SKIP_KUBECTL=1");
            return;
        }
        panic!(
            "kubectl is needed to build the kustomizations (set CNPGC_SKIP_KUBECTL=1 to skip explicitly)"
        );
    }
    let v = Validator::new();
    let mut built = 0;
    for ex in examples() {
        let tmp = tempfile::tempdir().unwrap();
        write_trees(&ex, tmp.path());
        for dir in kustomization_dirs(tmp.path()) {
            let out = Command::new(kubectl())
                .arg("kustomize")
                .arg(&dir)
                .output()
                .unwrap();
            let rel = dir.strip_prefix(tmp.path()).unwrap().display().to_string();
            assert!(
                out.status.success(),
                "{}: kubectl kustomize {rel} failed:\n{}",
                ex.name,
                String::from_utf8_lossy(&out.stderr)
            );
            let yaml = String::from_utf8(out.stdout).unwrap();
            let errors = v.validate_yaml_stream(&format!("{}: kustomize {rel}", ex.name), &yaml);
            assert!(errors.is_empty(), "{}", errors.join("\n"));
            built += 1;
        }
    }
    assert!(built >= 5, "built {built} kustomizations");
}
