#![allow(dead_code)]
//! The backup harness: an S3 server (moto), the real barman-cloud tools and
//! a small model of plugin-barman-cloud that runs them from cnpgc's
//! *emitted* manifests.
//!
//! The model reads what the plugin reads (the `ObjectStore`, the Cluster's
//! `spec.plugins` entry and `bootstrap.recovery` / `externalClusters`, the
//! credentials Secret) and builds the command lines the plugin builds. Every
//! mapping cites its source: plugin-barman-cloud (`internal/cnpgi/…`), the
//! Go library it calls, cloudnative-pg/barman-cloud (`pkg/…`), and the
//! operator (cloudnative-pg `api/v1/cluster_funcs.go`). A field the model
//! cannot map is an error, never ignored. What is modelled and what runs for
//! real is listed in docs/backups.md ("What is verified").
//!
//! Tools: `CNPGC_BARMAN_BIN` (a directory with `barman-cloud-*`,
//! `moto_server` and a `python3` that has boto3), else
//! `/var/tmp/cnpgc-barman-venv/bin` (where scripts/test installs them),
//! else `PATH`.
//! Missing tools fail the test unless `CNPGC_SKIP_BARMAN=1` asks to skip.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_norway::Value;

use super::pg::{PgServer, running_as_root, server_user_command};

/// The plugin's name in `spec.plugins` and `externalClusters[].plugin`
/// (plugin-barman-cloud internal/cnpgi/metadata/constants.go).
pub const PLUGIN: &str = "barman-cloud.cloudnative-pg.io";

/// Secrets of the namespace: name → key → value (what the plugin reads with
/// the Kubernetes client).
pub type Secrets = BTreeMap<String, BTreeMap<String, String>>;

// ---------------------------------------------------------------- tools --

#[derive(Clone, Debug)]
pub struct Tools {
    bin: Option<PathBuf>,
}

impl Tools {
    /// The tools, or `None` when they are missing and `CNPGC_SKIP_BARMAN=1`
    /// asks to skip (printed on stderr). Missing tools otherwise panic.
    pub fn find() -> Option<Tools> {
        let candidates: Vec<Option<PathBuf>> = match std::env::var_os("CNPGC_BARMAN_BIN") {
            Some(d) if !d.is_empty() => vec![Some(PathBuf::from(d))],
            _ => vec![Some(PathBuf::from("/var/tmp/cnpgc-barman-venv/bin")), None],
        };
        let mut why = Vec::new();
        for c in candidates {
            let t = Tools { bin: c };
            match t.usable() {
                Ok(()) => return Some(t),
                Err(e) => why.push(e),
            }
        }
        let why = why.join("; ");
        if std::env::var("CNPGC_SKIP_BARMAN").is_ok_and(|v| v.trim() == "1") {
            eprintln!("SKIPPED: backup harness skipped because CNPGC_SKIP_BARMAN=1 ({why})");
            return None;
        }
        panic!(
            "the backup harness needs barman-cloud and moto ({why}).\n\
             scripts/test installs them into /var/tmp/cnpgc-barman-venv (python3 -m venv; \
             pip install 'barman[cloud]' 'moto[server]>=5.2.5'), or point CNPGC_BARMAN_BIN at \
             a bin directory holding them. To skip explicitly, set CNPGC_SKIP_BARMAN=1."
        )
    }

    pub fn exe(&self, name: &str) -> PathBuf {
        match &self.bin {
            Some(b) => b.join(name),
            None => PathBuf::from(name),
        }
    }

    /// The tools run, also as the server's OS user (archive_command does).
    fn usable(&self) -> Result<(), String> {
        let where_ = self
            .bin
            .as_ref()
            .map(|b| b.display().to_string())
            .unwrap_or_else(|| "PATH".into());
        for (t, arg) in [
            ("barman-cloud-wal-archive", "--version"),
            ("moto_server", "--help"),
        ] {
            let ok = server_user_command(self.exe(t))
                .arg(arg)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err(format!("{t} does not run from {where_}"));
            }
        }
        let ok = Command::new(self.exe("python3"))
            .args(["-c", "import boto3"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!("no python3 with boto3 in {where_}"));
        }
        Ok(())
    }
}

// ------------------------------------------------------------ S3 server --

/// moto's S3 server on a free loopback port, with authentication on: the
/// first three requests (an IAM user, its access key, its policy) are the
/// only unauthenticated ones (`INITIAL_NO_AUTH_ACTION_COUNT`), every later
/// request must be signed with that key.
pub struct S3Server {
    child: Child,
    port: u16,
    pub access_key: String,
    pub secret_key: String,
    tools: Tools,
    _tmp: tempfile::TempDir,
}

impl S3Server {
    pub fn start(tools: &Tools, buckets: &[&str]) -> S3Server {
        let mut last = String::new();
        for _ in 0..5 {
            let tmp = tempfile::Builder::new()
                .prefix("cnpgc-s3-")
                .tempdir()
                .unwrap();
            let port = free_port();
            let log = std::fs::File::create(tmp.path().join("moto.log")).unwrap();
            let child = Command::new(tools.exe("moto_server"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("INITIAL_NO_AUTH_ACTION_COUNT", "3")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("cannot start moto_server");
            let mut s = S3Server {
                child,
                port,
                access_key: String::new(),
                secret_key: String::new(),
                tools: tools.clone(),
                _tmp: tmp,
            };
            if s.wait_listening(Duration::from_secs(30)) {
                s.setup(buckets);
                return s;
            }
            last = std::fs::read_to_string(s._tmp.path().join("moto.log")).unwrap_or_default();
            if !last.contains("Address already in use") {
                break;
            }
        }
        panic!("moto_server did not start:\n{last}");
    }

    fn wait_listening(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates the IAM user whose key every later request must carry, then
    /// the buckets (signed with that key).
    fn setup(&mut self, buckets: &[&str]) {
        let out = self.python(
            r#"
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1",
          aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **kw)
iam.create_user(UserName="barman")
key = iam.create_access_key(UserName="barman")["AccessKey"]
iam.put_user_policy(UserName="barman", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
for b in sys.argv[2:]:
    s3.create_bucket(Bucket=b)
print(key["AccessKeyId"], key["SecretAccessKey"])
"#,
            buckets,
            false,
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut it = text.split_whitespace();
        self.access_key = it.next().expect("access key").to_string();
        self.secret_key = it.next().expect("secret key").to_string();
    }

    fn python(&self, script: &str, args: &[&str], signed: bool) -> Output {
        let mut cmd = Command::new(self.tools.exe("python3"));
        cmd.arg("-c").arg(script).arg(self.endpoint()).args(args);
        if signed {
            cmd.env("AWS_ACCESS_KEY_ID", &self.access_key)
                .env("AWS_SECRET_ACCESS_KEY", &self.secret_key);
        }
        let out = cmd.output().expect("python3 runs");
        assert!(
            out.status.success(),
            "S3 helper failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Every object key under `prefix` in `bucket`, sorted.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let out = self.python(
            r#"
import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
p = s3.get_paginator("list_objects_v2")
for page in p.paginate(Bucket=sys.argv[2], Prefix=sys.argv[3]):
    for o in page.get("Contents", []):
        print(o["Key"])
"#,
            &[bucket, prefix],
            true,
        );
        let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }

    pub fn get(&self, bucket: &str, key: &str) -> String {
        let out = self.python(
            r#"
import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
sys.stdout.write(s3.get_object(Bucket=sys.argv[2], Key=sys.argv[3])["Body"].read().decode())
"#,
            &[bucket, key],
            true,
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn put(&self, bucket: &str, key: &str, body: &str) {
        self.python(
            r#"
import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
s3.put_object(Bucket=sys.argv[2], Key=sys.argv[3], Body=sys.argv[4].encode())
"#,
            &[bucket, key, body],
            true,
        );
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

// ---------------------------------------------------------- the program --

/// A `.cnpg` program compiled and emitted in memory: every YAML document of
/// every tree, with the file it is in.
pub struct Build {
    pub program: cnpgc::ir::Program,
    pub docs: Vec<(String, Value)>,
    pub diagnostics: Vec<cnpgc::diag::Diagnostic>,
}

impl Build {
    /// Compiles `src`; panics with the rendered diagnostics on an error.
    pub fn new(src: &str) -> Build {
        let checked = cnpgc::check_sources(&[("harness.cnpg", src)]);
        let rendered = cnpgc::diag::render::render(
            &checked.diagnostics,
            &checked.sources,
            cnpgc::diag::render::Format::Human,
            false,
        );
        let program = checked
            .program
            .clone()
            .unwrap_or_else(|| panic!("the program does not check clean:\n{src}\n{rendered}"));
        let mut docs = Vec::new();
        for t in cnpgc::emit::emit_program(&program) {
            for f in t.files.iter().filter(|f| f.path.ends_with(".yaml")) {
                for d in serde_norway::Deserializer::from_str(&f.content) {
                    let v: Value = serde::Deserialize::deserialize(d).expect("emitted YAML parses");
                    if !v.is_null() {
                        docs.push((format!("{}/{}", t.root, f.path), v));
                    }
                }
            }
        }
        Build {
            program,
            docs,
            diagnostics: checked.diagnostics,
        }
    }

    /// The codes of the program's diagnostics.
    pub fn codes(&self) -> Vec<&str> {
        self.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    /// The document of `kind` named `name`, from the file whose path ends
    /// with `file` (the same Cluster is in cluster.yaml and, for day-2
    /// recovery clusters, in day2/backup/…).
    pub fn doc(&self, file: &str, kind: &str, name: &str) -> &Value {
        self.docs
            .iter()
            .find(|(p, d)| {
                p.ends_with(file)
                    && s(d, &["kind"]) == Some(kind)
                    && s(d, &["metadata", "name"]) == Some(name)
            })
            .map(|(_, d)| d)
            .unwrap_or_else(|| {
                let have: Vec<String> = self
                    .docs
                    .iter()
                    .map(|(p, d)| {
                        format!(
                            "{p}: {} {}",
                            s(d, &["kind"]).unwrap_or("?"),
                            s(d, &["metadata", "name"]).unwrap_or("?")
                        )
                    })
                    .collect();
                panic!(
                    "no {kind} {name} in a file ending with {file}; emitted:\n{}",
                    have.join("\n")
                )
            })
    }

    /// Every document of `kind` in files whose path ends with `file`.
    pub fn all(&self, file: &str, kind: &str) -> Vec<&Value> {
        self.docs
            .iter()
            .filter(|(p, d)| p.ends_with(file) && s(d, &["kind"]) == Some(kind))
            .map(|(_, d)| d)
            .collect()
    }

    /// The ObjectStores of the namespace `ns` (every tree's plugin/barman.yaml).
    pub fn stores(&self, ns: &str) -> Vec<Store> {
        self.all("plugin/barman.yaml", "ObjectStore")
            .into_iter()
            .filter(|d| s(d, &["metadata", "namespace"]) == Some(ns))
            .map(|d| Store::from_doc(d).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }
}

/// A string at a path of keys.
pub fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn keys_of(v: &Value) -> Vec<String> {
    v.as_mapping()
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Fails on a key of `v` outside `known`: the model maps each field it
/// accepts, and refuses the others.
fn only(v: &Value, known: &[&str], what: &str) -> Result<(), String> {
    match keys_of(v)
        .into_iter()
        .find(|k| !known.contains(&k.as_str()))
    {
        Some(k) => Err(format!("the plugin model cannot map {what}.{k}")),
        None => Ok(()),
    }
}

// ------------------------------------------------------------ the model --

/// One ObjectStore: `spec.configuration` (barman-cloud pkg/api/config.go
/// BarmanObjectStoreConfiguration) and `spec.retentionPolicy`.
#[derive(Clone, Debug)]
pub struct Store {
    pub name: String,
    pub namespace: String,
    conf: Value,
    pub retention: Option<String>,
}

impl Store {
    pub fn from_doc(doc: &Value) -> Result<Store, String> {
        let spec = at(doc, &["spec"]).ok_or("ObjectStore without spec")?;
        only(
            spec,
            &[
                "configuration",
                "retentionPolicy",
                "instanceSidecarConfiguration",
            ],
            "ObjectStore.spec",
        )?;
        if let Some(sc) = spec.get("instanceSidecarConfiguration") {
            // Resources of the sidecar container: no process limits here;
            // env and args would change what the tools do.
            only(
                sc,
                &["resources", "retentionPolicyIntervalSeconds"],
                "instanceSidecarConfiguration",
            )?;
        }
        let conf = spec
            .get("configuration")
            .ok_or("ObjectStore without configuration")?
            .clone();
        only(
            &conf,
            &[
                "destinationPath",
                "endpointURL",
                "s3Credentials",
                "wal",
                "data",
                "serverName",
            ],
            "ObjectStore.spec.configuration",
        )?;
        if let Some(c) = conf.get("s3Credentials") {
            only(
                c,
                &["accessKeyId", "secretAccessKey", "inheritFromIAMRole"],
                "s3Credentials",
            )?;
        }
        if let Some(w) = conf.get("wal") {
            only(w, &["compression", "encryption", "maxParallel"], "wal")?;
        }
        if let Some(d) = conf.get("data") {
            only(
                d,
                &["compression", "encryption", "jobs", "immediateCheckpoint"],
                "data",
            )?;
        }
        Ok(Store {
            name: s(doc, &["metadata", "name"])
                .unwrap_or_default()
                .to_string(),
            namespace: s(doc, &["metadata", "namespace"])
                .unwrap_or_default()
                .to_string(),
            retention: s(spec, &["retentionPolicy"]).map(str::to_string),
            conf,
        })
    }

    pub fn destination(&self) -> &str {
        s(&self.conf, &["destinationPath"]).unwrap_or_default()
    }

    /// `--endpoint-url` then `--cloud-provider` (barman-cloud
    /// pkg/command/commandbuilder.go appendCloudProviderOptions; only S3
    /// runs here: moto is an S3 server).
    fn provider_args(&self) -> Result<Vec<String>, String> {
        let mut v = Vec::new();
        if let Some(e) = s(&self.conf, &["endpointURL"]) {
            v.extend(["--endpoint-url".to_string(), e.to_string()]);
        }
        if self.conf.get("s3Credentials").is_none() {
            return Err("the harness runs S3 stores only".into());
        }
        v.extend(["--cloud-provider".to_string(), "aws-s3".to_string()]);
        Ok(v)
    }

    /// The environment with the credentials (barman-cloud
    /// pkg/credentials/env.go envSetAWSCredentials): the two keys the
    /// ObjectStore names, read from their Secret; a missing Secret or key
    /// is the error the plugin reports.
    fn env(&self, secrets: &Secrets) -> Result<Vec<(String, String)>, String> {
        let c = self
            .conf
            .get("s3Credentials")
            .ok_or("missing S3 credentials")?;
        if c.get("inheritFromIAMRole").and_then(Value::as_bool) == Some(true) {
            return Err("inheritFromIAMRole: the harness has no IAM role to inherit".into());
        }
        let get = |what: &str| -> Result<String, String> {
            let r = c.get(what).ok_or_else(|| format!("missing {what}"))?;
            let (name, key) = (
                s(r, &["name"]).unwrap_or_default(),
                s(r, &["key"]).unwrap_or_default(),
            );
            let secret = secrets.get(name).ok_or_else(|| {
                format!("while getting secret {name}: secrets \"{name}\" not found")
            })?;
            secret
                .get(key)
                .cloned()
                .ok_or_else(|| format!("missing key {key}, inside secret {name}"))
        };
        Ok(vec![
            ("AWS_ACCESS_KEY_ID".into(), get("accessKeyId")?),
            ("AWS_SECRET_ACCESS_KEY".into(), get("secretAccessKey")?),
        ])
    }

    /// barman-cloud-wal-archive options (barman-cloud
    /// pkg/archiver/command.go BarmanCloudWalArchiveOptions): `--<wal
    /// compression>`, `-e <encryption>`, endpoint, provider, destination,
    /// server. `maxParallel` only batches ready segments (plugin
    /// internal/cnpgi/common/wal.go): here each segment is its own call.
    fn wal_archive_args(&self, server: &str) -> Result<Vec<String>, String> {
        let mut v = Vec::new();
        if let Some(c) = s(&self.conf, &["wal", "compression"]) {
            v.push(format!("--{c}"));
        }
        if let Some(e) = s(&self.conf, &["wal", "encryption"]) {
            v.extend(["-e".to_string(), e.to_string()]);
        }
        v.extend(self.provider_args()?);
        v.extend([self.destination().to_string(), server.to_string()]);
        Ok(v)
    }

    /// barman-cloud-wal-restore and -check-wal-archive options (barman-cloud
    /// pkg/command/commandbuilder.go CloudWalRestoreOptions,
    /// pkg/archiver/archiver.go BarmanCloudCheckWalArchiveOptions).
    fn plain_args(&self, server: &str) -> Result<Vec<String>, String> {
        let mut v = self.provider_args()?;
        v.extend([self.destination().to_string(), server.to_string()]);
        Ok(v)
    }

    /// barman-cloud-backup options (barman-cloud pkg/backup/backup.go
    /// GetBarmanCloudBackupOptions): `--user postgres --name NAME`, data
    /// compression, `--encryption`, `--immediate-checkpoint`, `--jobs`.
    fn backup_args(&self, name: &str, server: &str) -> Result<Vec<String>, String> {
        let mut v: Vec<String> = ["--user", "postgres", "--name", name]
            .map(String::from)
            .to_vec();
        if let Some(c) = s(&self.conf, &["data", "compression"]) {
            v.push(format!("--{c}"));
        }
        if let Some(e) = s(&self.conf, &["data", "encryption"]) {
            v.extend(["--encryption".to_string(), e.to_string()]);
        }
        if at(&self.conf, &["data", "immediateCheckpoint"]).and_then(Value::as_bool) == Some(true) {
            v.push("--immediate-checkpoint".into());
        }
        if let Some(j) = at(&self.conf, &["data", "jobs"]).and_then(Value::as_i64) {
            v.extend(["--jobs".to_string(), j.to_string()]);
        }
        v.extend(self.plain_args(server)?);
        Ok(v)
    }
}

/// `RECOVERY WINDOW OF N DAYS|WEEKS|MONTHS` from `7d`, `4w`, `6m`
/// (barman-cloud pkg/utils/barman.go ParsePolicy).
pub fn barman_policy(retention: &str) -> Result<String, String> {
    let (n, unit) = retention.split_at(retention.len().saturating_sub(1));
    let unit = match unit {
        "d" => "DAYS",
        "w" => "WEEKS",
        "m" => "MONTHS",
        _ => return Err(format!("not a valid policy: {retention}")),
    };
    match n.parse::<u32>() {
        Ok(n) if n > 0 => Ok(format!("RECOVERY WINDOW OF {n} {unit}")),
        _ => Err(format!("not a valid policy: {retention}")),
    }
}

/// One entry of `barman-cloud-backup-list --format json` (barman-cloud
/// pkg/catalog/catalog.go BarmanBackup).
#[derive(Clone, Debug)]
pub struct BackupInfo {
    pub id: String,
    pub name: Option<String>,
    pub begin_wal: String,
    pub end_wal: String,
    pub end_time: String,
    pub end_lsn: String,
    pub timeline: i64,
}

impl BackupInfo {
    fn from_json(v: &serde_json::Value) -> BackupInfo {
        let t = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        BackupInfo {
            id: t("backup_id"),
            name: v
                .get("backup_name")
                .and_then(|x| x.as_str())
                .map(str::to_string),
            begin_wal: t("begin_wal"),
            end_wal: t("end_wal"),
            end_time: {
                let iso = t("end_time_iso");
                if iso.is_empty() { t("end_time") } else { iso }
            },
            end_lsn: t("end_xlog"),
            timeline: v.get("timeline").and_then(|x| x.as_i64()).unwrap_or(0),
        }
    }
}

static SCRIPTS: AtomicUsize = AtomicUsize::new(0);

/// What the plugin does for one store and server name: the sidecar's
/// commands with the credentials of the Secret it names.
pub struct Sidecar {
    tools: Tools,
    pub store: Store,
    pub server: String,
    env: Vec<(String, String)>,
    /// Scripts holding the credentials, readable by the server's user only.
    dir: tempfile::TempDir,
}

impl Sidecar {
    pub fn new(
        tools: &Tools,
        store: &Store,
        server: &str,
        secrets: &Secrets,
    ) -> Result<Sidecar, String> {
        let env = store.env(secrets)?;
        let dir = tempfile::Builder::new()
            .prefix("cnpgc-barman-")
            .tempdir()
            .unwrap();
        let sc = Sidecar {
            tools: tools.clone(),
            store: store.clone(),
            server: server.to_string(),
            env,
            dir,
        };
        // The server's OS user runs archive_command and restore_command.
        let status = Command::new("chown")
            .arg(format!("{}:", pg_os_user()))
            .arg(sc.dir.path())
            .status();
        if running_as_root() {
            assert!(
                status.is_ok_and(|s| s.success()),
                "chown the script directory"
            );
        }
        Ok(sc)
    }

    /// The sidecar of a Cluster document: its `spec.plugins` entry for the
    /// plugin with `isWALArchiver` (barmanObjectName, serverName defaulting
    /// to the cluster's name: plugin internal/cnpgi/operator/config/config.go
    /// NewFromCluster).
    pub fn of_cluster(
        tools: &Tools,
        cluster: &Value,
        stores: &[Store],
        secrets: &Secrets,
    ) -> Result<Sidecar, String> {
        let name = s(cluster, &["metadata", "name"]).unwrap_or_default();
        let entry = at(cluster, &["spec", "plugins"])
            .and_then(Value::as_sequence)
            .and_then(|v| v.iter().find(|p| s(p, &["name"]) == Some(PLUGIN)))
            .ok_or_else(|| format!("cluster {name} has no {PLUGIN} plugin entry"))?;
        only(
            entry,
            &["name", "isWALArchiver", "parameters", "enabled"],
            "spec.plugins[]",
        )?;
        let params = entry
            .get("parameters")
            .ok_or("plugin entry without parameters")?;
        only(
            params,
            &["barmanObjectName", "serverName"],
            "spec.plugins[].parameters",
        )?;
        let object = s(params, &["barmanObjectName"]).ok_or("no barmanObjectName")?;
        let server = s(params, &["serverName"]).unwrap_or(name);
        let store = find_store(stores, object)?;
        Sidecar::new(tools, store, server, secrets)
    }

    fn command(&self, tool: &str) -> Command {
        let mut c = server_user_command(self.tools.exe(tool));
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    fn run(&self, tool: &str, args: &[String]) -> Result<String, String> {
        let t = Instant::now();
        let out = self
            .command(tool)
            .args(args)
            .output()
            .map_err(|e| format!("{tool}: {e}"))?;
        eprintln!("  {tool} {}: {:.1?}", self.server, t.elapsed());
        result(tool, args, out)
    }

    /// A wrapper script for a PostgreSQL `*_command`: the credentials in its
    /// environment, then the tool with `args` and the `%`-arguments.
    fn script(&self, tool: &str, args: &[String], percent: &str) -> PathBuf {
        let n = SCRIPTS.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.path().join(format!("{tool}-{n}.sh"));
        let mut text = String::from("#!/bin/sh\n");
        for (k, v) in &self.env {
            text.push_str(&format!("export {k}={}\n", sh(v)));
        }
        text.push_str("exec ");
        text.push_str(&sh(&self.tools.exe(tool).to_string_lossy()));
        for a in args {
            text.push(' ');
            text.push_str(&sh(a));
        }
        text.push(' ');
        text.push_str(percent);
        text.push('\n');
        write_private(&path, &text);
        path
    }

    /// `archive_command`, as the instance's `/controller/manager wal-archive`
    /// reaches the sidecar's barman-cloud-wal-archive.
    pub fn archive_command(&self) -> Result<String, String> {
        let args = self.store.wal_archive_args(&self.server)?;
        let p = self.script("barman-cloud-wal-archive", &args, "\"$1\"");
        Ok(format!("{} %p", p.display()))
    }

    /// postgresql.conf settings that archive into this sidecar's folder.
    pub fn archiving_conf(&self) -> Result<String, String> {
        Ok(format!(
            "archive_mode = on\narchive_command = '{}'\nwal_level = replica\n",
            self.archive_command()?
        ))
    }

    /// `restore_command` (plugin internal/cnpgi/common/wal.go Restore).
    pub fn restore_command(&self) -> Result<String, String> {
        let args = self.store.plain_args(&self.server)?;
        let p = self.script("barman-cloud-wal-restore", &args, "\"$1\" \"$2\"");
        Ok(format!("{} %f %p", p.display()))
    }

    /// The empty-archive check the plugin runs before a new cluster's first
    /// archive (plugin internal/cnpgi/common/check.go CheckBackupDestination).
    pub fn check_wal_archive(&self) -> Result<String, String> {
        self.run(
            "barman-cloud-check-wal-archive",
            &self.store.plain_args(&self.server)?,
        )
    }

    /// A base backup of `pg` (plugin internal/cnpgi/instance/backup.go:
    /// named `backup-<compact time>`, then looked up by name with
    /// barman-cloud-backup-show to learn barman's backup ID).
    pub fn backup(&self, pg: &PgServer) -> Result<BackupInfo, String> {
        // Harness speed, not semantics: without data.immediateCheckpoint
        // the backup starts with a spread checkpoint, paced over minutes when
        // the test has just written many buffers; a checkpoint first leaves
        // it nothing to pace.
        pg.sql("postgres", "CHECKPOINT");
        let name = format!("backup-{}", compact_now());
        let args = self.store.backup_args(&name, &self.server)?;
        let mut cmd = pg.client_command(self.tools.exe("barman-cloud-backup"));
        cmd.envs(self.env.iter().map(|(k, v)| (k, v))).args(&args);
        let t = Instant::now();
        let out = cmd.output().map_err(|e| e.to_string())?;
        eprintln!("  barman-cloud-backup {}: {:.1?}", self.server, t.elapsed());
        result("barman-cloud-backup", &args, out)?;
        let mut show = vec!["--format".to_string(), "json".to_string()];
        show.extend(self.store.plain_args(&self.server)?);
        show.push(name);
        let json = self.run("barman-cloud-backup-show", &show)?;
        let v: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| format!("{e}: {json}"))?;
        Ok(BackupInfo::from_json(&v["cloud"]))
    }

    /// The catalog (barman-cloud pkg/command/backuplist.go GetBackupList).
    pub fn list(&self) -> Result<Vec<BackupInfo>, String> {
        let mut args = vec!["--format".to_string(), "json".to_string()];
        args.extend(self.store.plain_args(&self.server)?);
        let json = self.run("barman-cloud-backup-list", &args)?;
        let v: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| format!("{e}: {json}"))?;
        Ok(v["backups_list"]
            .as_array()
            .map(|a| a.iter().map(BackupInfo::from_json).collect())
            .unwrap_or_default())
    }

    /// The retention the sidecar applies every few minutes (plugin
    /// internal/cnpgi/instance/retention.go; barman-cloud
    /// pkg/command/backupdelete.go DeleteBackupsByPolicy).
    pub fn apply_retention(&self) -> Result<String, String> {
        let policy = barman_policy(
            self.store
                .retention
                .as_deref()
                .ok_or("no retentionPolicy")?,
        )?;
        let mut args = self.store.provider_args()?;
        args.extend(["--retention-policy".to_string(), policy]);
        args.extend([self.store.destination().to_string(), self.server.clone()]);
        self.run("barman-cloud-backup-delete", &args)
    }
}

/// The backup a recovery starts from (barman-cloud pkg/catalog/catalog.go
/// FindBackupInfo): `backupID` by barman's ID; else the latest completed
/// backup that ended before `targetTime`, or before `targetLSN`; else the
/// latest. Timelines: only `latest` (the default) is modelled.
pub fn choose_backup(catalog: &[BackupInfo], target: Option<&Value>) -> Result<BackupInfo, String> {
    let mut done: Vec<&BackupInfo> = catalog.iter().filter(|b| !b.end_time.is_empty()).collect();
    done.sort_by(|a, b| a.end_time.cmp(&b.end_time));
    let Some(t) = target else {
        return done
            .last()
            .map(|b| (*b).clone())
            .ok_or("no target backup found".into());
    };
    if let Some(tli) = s(t, &["targetTLI"]).filter(|x| *x != "latest") {
        return Err(format!(
            "the model chooses backups on the latest timeline only, not {tli}"
        ));
    }
    if let Some(id) = s(t, &["backupID"]) {
        return done
            .iter()
            .find(|b| b.id == id)
            .map(|b| (*b).clone())
            .ok_or_else(|| format!("no backup found with ID {id}"));
    }
    if let Some(time) = s(t, &["targetTime"]) {
        let target = parse_time(time)?;
        return done
            .iter()
            .rev()
            .find(|b| parse_time(&b.end_time).is_ok_and(|e| e <= target))
            .map(|b| (*b).clone())
            .ok_or("no target backup found".into());
    }
    if let Some(lsn) = s(t, &["targetLSN"]) {
        let target = parse_lsn(lsn)?;
        return done
            .iter()
            .rev()
            .find(|b| parse_lsn(&b.end_lsn).is_ok_and(|e| e < target))
            .map(|b| (*b).clone())
            .ok_or("no target backup found".into());
    }
    done.last()
        .map(|b| (*b).clone())
        .ok_or("no target backup found".into())
}

/// The recovery settings the operator writes from `recoveryTarget`
/// (cloudnative-pg api/v1/cluster_funcs.go BuildPostgresOptions; the plugin
/// adds `recovery_target_action = promote`, internal/cnpgi/restore/restore.go).
/// `targetTime` goes through the operator's conversion to PostgreSQL's
/// format (machinery pkg/postgres/time/time.go ConvertToPostgresFormat:
/// `2006-01-02 15:04:05.000000+00:00`; PostgreSQL refuses the `T…Z` form),
/// written here in UTC: the same instant.
pub fn recovery_conf(target: Option<&Value>) -> Result<String, String> {
    let mut out = String::from("recovery_target_action = promote\n");
    let Some(t) = target else { return Ok(out) };
    only(
        t,
        &[
            "backupID",
            "targetTLI",
            "targetXID",
            "targetName",
            "targetLSN",
            "targetTime",
            "targetImmediate",
            "exclusive",
        ],
        "recoveryTarget",
    )?;
    let q = |v: &str| format!("'{}'", v.replace('\'', "''"));
    for (k, p) in [
        ("targetTLI", "recovery_target_timeline"),
        ("targetXID", "recovery_target_xid"),
        ("targetName", "recovery_target_name"),
        ("targetLSN", "recovery_target_lsn"),
        ("targetTime", "recovery_target_time"),
    ] {
        if let Some(v) = at(t, &[k]) {
            let mut text = match v {
                Value::String(x) => x.clone(),
                other => serde_norway::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if k == "targetTime" {
                text = postgres_time(&text)?;
            }
            out.push_str(&format!("{p} = {}\n", q(&text)));
        }
    }
    if t.get("targetImmediate").and_then(Value::as_bool) == Some(true) {
        out.push_str("recovery_target = 'immediate'\n");
    }
    let exclusive = t.get("exclusive").and_then(Value::as_bool) == Some(true);
    out.push_str(&format!(
        "recovery_target_inclusive = {}\n",
        if exclusive { "false" } else { "true" }
    ));
    Ok(out)
}

/// What a recovery did: the backup it started from and the promoted server.
pub struct Recovered {
    pub backup: BackupInfo,
    pub pg: PgServer,
    /// The new cluster's own sidecar (archiving under its own server name).
    pub sidecar: Option<Sidecar>,
}

/// Bootstraps a Cluster document with `bootstrap.recovery` the way the
/// plugin's restore job and the operator do: the recovery source's
/// `externalClusters` entry names the store and server name; the new
/// cluster's own archive must pass the empty-archive check; the first WAL
/// the backup needs must be in the archive; barman-cloud-restore writes the
/// data directory; PostgreSQL replays WAL with the plugin's restore_command
/// up to the target, then promotes and archives under its own server name.
pub fn recover(
    tools: &Tools,
    cluster: &Value,
    stores: &[Store],
    secrets: &Secrets,
) -> Result<Recovered, String> {
    let name = s(cluster, &["metadata", "name"])
        .unwrap_or_default()
        .to_string();
    let rec = at(cluster, &["spec", "bootstrap", "recovery"]).ok_or("no bootstrap.recovery")?;
    only(
        rec,
        &["source", "recoveryTarget", "database", "owner", "secret"],
        "bootstrap.recovery",
    )?;
    let source = s(rec, &["source"]).ok_or("bootstrap.recovery without source")?;
    let ext = at(cluster, &["spec", "externalClusters"])
        .and_then(Value::as_sequence)
        .and_then(|v| v.iter().find(|e| s(e, &["name"]) == Some(source)))
        .ok_or_else(|| format!("no externalClusters entry {source}"))?;
    only(ext, &["name", "plugin"], "externalClusters[]")?;
    if s(ext, &["plugin", "name"]) != Some(PLUGIN) {
        return Err(format!(
            "externalClusters {source} does not read through {PLUGIN}"
        ));
    }
    let params = at(ext, &["plugin", "parameters"]).ok_or("plugin without parameters")?;
    only(
        params,
        &["barmanObjectName", "serverName"],
        "externalClusters[].plugin.parameters",
    )?;
    let object = s(params, &["barmanObjectName"]).ok_or("no barmanObjectName")?;
    // plugin internal/cnpgi/operator/config/config.go: RecoveryServerName
    // defaults to the new cluster's name.
    let server = s(params, &["serverName"]).unwrap_or(&name);
    let source_sidecar = Sidecar::new(tools, find_store(stores, object)?, server, secrets)?;
    let own = match at(cluster, &["spec", "plugins"]) {
        Some(_) => Some(Sidecar::of_cluster(tools, cluster, stores, secrets)?),
        None => None,
    };
    let skip = s(
        cluster,
        &[
            "metadata",
            "annotations",
            "cnpg.io/skipEmptyWalArchiveCheck",
        ],
    ) == Some("enabled");
    if let Some(o) = &own
        && !skip
    {
        o.check_wal_archive()
            .map_err(|e| format!("the new cluster's archive is not empty: {e}"))?;
    }
    let catalog = source_sidecar.list()?;
    let target = rec.get("recoveryTarget");
    let backup = choose_backup(&catalog, target)?;
    // ensureArchiveContainsLastCheckpointRedoWAL (restore.go).
    let probe = source_sidecar.dir.path().join("probe.wal");
    let mut args = source_sidecar.store.plain_args(&source_sidecar.server)?;
    args.extend([backup.begin_wal.clone(), probe.display().to_string()]);
    source_sidecar
        .run("barman-cloud-wal-restore", &args)
        .map_err(|e| format!("the first WAL the backup needs is not in the archive: {e}"))?;
    let _ = std::fs::remove_file(&probe);
    let mut conf = format!(
        "restore_command = '{}'\n",
        source_sidecar.restore_command()?
    );
    conf.push_str(&recovery_conf(target)?);
    match &own {
        Some(o) => conf.push_str(&o.archiving_conf()?),
        None => conf.push_str("archive_mode = off\n"),
    }
    let restore_args = {
        let mut a = source_sidecar.store.provider_args()?;
        a.extend([
            source_sidecar.store.destination().to_string(),
            source_sidecar.server.clone(),
            backup.id.clone(),
        ]);
        a
    };
    let started = Instant::now();
    let pg = PgServer::recover(
        |data| {
            let mut a = restore_args.clone();
            a.push(data.display().to_string());
            source_sidecar.run("barman-cloud-restore", &a).map(|_| ())
        },
        &conf,
        Duration::from_secs(120),
    );
    eprintln!(
        "  restore and recovery of {name}: {:.1?}",
        started.elapsed()
    );
    Ok(Recovered {
        backup,
        pg,
        sidecar: own,
    })
}

fn find_store<'a>(stores: &'a [Store], name: &str) -> Result<&'a Store, String> {
    stores
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| format!("no ObjectStore {name} in the namespace"))
}

fn result(tool: &str, args: &[String], out: Output) -> Result<String, String> {
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{tool} {} exited with {}: {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        ))
    }
}

/// Single-quoted for sh.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    let mut f = std::fs::File::create(path).expect("create script");
    f.write_all(text.as_bytes()).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    if running_as_root() {
        let ok = Command::new("chown")
            .arg(format!("{}:", pg_os_user()))
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown {}", path.display());
    }
}

fn pg_os_user() -> &'static str {
    "postgres"
}

/// Now as `YYYYMMDDHHMMSS` (UTC), the plugin's backup name suffix
/// (machinery pkg/postgres/time ToCompactISO8601).
fn compact_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y%m%d%H%M%S"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Seconds since the epoch of an RFC 3339 / ISO time (`…Z`, `…+00:00`).
pub fn parse_time(t: &str) -> Result<i64, String> {
    let out = Command::new("date")
        .args(["-u", "-d", t, "+%s"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("not a time: {t}"));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| format!("not a time: {t}"))
}

/// An RFC 3339 time in PostgreSQL's format, in UTC.
fn postgres_time(t: &str) -> Result<String, String> {
    let out = Command::new("date")
        .args(["-u", "-d", t, "+%Y-%m-%d %H:%M:%S.%6N+00:00"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("not a time: {t}"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn parse_lsn(l: &str) -> Result<u64, String> {
    let (a, b) = l
        .split_once('/')
        .ok_or_else(|| format!("not an LSN: {l}"))?;
    let hi = u64::from_str_radix(a, 16).map_err(|_| format!("not an LSN: {l}"))?;
    let lo = u64::from_str_radix(b, 16).map_err(|_| format!("not an LSN: {l}"))?;
    Ok((hi << 32) | lo)
}

/// Runs a command as the server's OS user and gives its output.
pub fn as_server_user(program: impl AsRef<OsStr>, args: &[&str]) -> Output {
    server_user_command(program)
        .args(args)
        .output()
        .expect("runs")
}
