//! Object stores: each `link minio|seaweedfs|s3|gcs|azure` becomes an
//! ObjectStore with its backend, authentication, schedule and archive role,
//! and the checks that keep a backup setup from failing silently.

use super::*;

impl ClusterLowering<'_> {
    pub(super) fn stores(&mut self) -> Vec<ir::ObjectStore> {
        let links: Vec<BStmt> = self.block.all("link").cloned().collect();
        let mut out: Vec<ir::ObjectStore> = Vec::new();
        for l in &links {
            let kind = match l.variant {
                Some("minio") => ir::StoreKind::Minio,
                Some("seaweedfs") => ir::StoreKind::SeaweedFs,
                Some("s3") => ir::StoreKind::S3,
                Some("gcs") => ir::StoreKind::Gcs,
                Some("azure") => ir::StoreKind::Azure,
                _ => continue,
            };
            let name = l.text_arg(0).unwrap_or(kind.as_str()).to_string();
            if let Some(prev) = out.iter().find(|s| s.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        l.key_span,
                        format!("object store `{name}` is declared twice"),
                    )
                    .with_label("second declaration")
                    .with_secondary(prev.span, "first declared here")
                    .with_help("give each store link its own name: `link minio NAME < … >`"),
                );
                continue;
            }
            let b = l.block().cloned().unwrap_or_default();
            let text = |k: &str| b.first(k).and_then(|s| s.text_arg(0)).map(str::to_string);
            let flag = |k: &str| {
                b.first(k).and_then(|s| s.arg(0)).and_then(|v| match v.v {
                    Val::Bool(x) => Some(x),
                    _ => None,
                })
            };
            let int = |k: &str| b.first(k).and_then(|s| s.arg(0)).and_then(|v| v.as_int());
            let backend = self.backend(kind, &name, &b, l);
            let (retention, retention_days) =
                match b.first("retention").and_then(|s| s.arg(0)).map(|v| &v.v) {
                    Some(Val::Retention(t, d)) => (t.clone(), *d),
                    _ => ("30d".to_string(), 30),
                };
            self.check_lifecycle(&b, retention_days, &retention);
            let path = text("path");
            self.check_double_nesting(&b, path.as_deref(), text("server_name").as_deref());
            let cr_name = self.names.derive(&self.name, &name, 63);
            let inline = text("mode").as_deref() == Some("inline");
            if inline && let Some(m) = b.first("mode") {
                self.diags.push(
                    Diagnostic::new(codes::W0503, m.span, "the in-tree barmanObjectStore is deprecated")
                        .with_label("inline backup configuration")
                        .with_help("CNPG moved Barman Cloud into the barman-cloud plugin; migrate to `mode plugin` (the default) when you can"),
                );
            }
            out.push(ir::ObjectStore {
                name,
                span: l.span,
                kind,
                cr_name,
                bucket: text("bucket").unwrap_or_else(|| "cnpg-backups".into()),
                path,
                backend,
                retention,
                retention_days,
                schedule: text("schedule").unwrap_or_else(|| "0 0 2 * * *".to_string()),
                immediate: flag("immediate").unwrap_or(true),
                target: text("target"),
                suspend: flag("suspend").unwrap_or(false),
                server_name: text("server_name"),
                archive: flag("archive").unwrap_or(!out.iter().any(|s| s.archive)),
                inline,
                skip_empty_wal_check: flag("skip_empty_wal_check").unwrap_or(false),
                wal_compression: text("wal_compression").unwrap_or_else(|| "gzip".into()),
                data_compression: text("data_compression").unwrap_or_else(|| "gzip".into()),
                wal_parallel: int("wal_parallel").unwrap_or(2),
                data_jobs: int("data_jobs").unwrap_or(2),
                encryption: text("encryption"),
                export_schedule: match text("export_schedule") {
                    Some(s) if s == "off" => None,
                    Some(s) => Some(s),
                    None => Some("0 3 * * 0".into()),
                },
                export_image: text("export_image")
                    .unwrap_or_else(|| crate::emit::export::AWS_CLI_IMAGE.into()),
            });
        }
        self.check_archives(&out, &links);
        out
    }

    /// Warnings about the backup setup as a whole: none at all in prod, the
    /// empty-archive check skipped, the Workload Identity binding to make.
    pub(super) fn backup_lints(
        &mut self,
        stores: &[ir::ObjectStore],
        snapshots: Option<&ir::Snapshots>,
        prod: bool,
        namespace: &str,
    ) {
        if prod && !stores.iter().any(|s| s.archive) && snapshots.is_none() {
            let sp = self
                .block
                .first("profile")
                .map(|p| p.span)
                .unwrap_or(self.stmt.head_span);
            self.diags.push(
                Diagnostic::new(codes::W0501, sp, format!("cluster `{}` is prod but has no backup", self.name))
                    .with_label("no WAL archive, no base backup")
                    .with_help("link an object store (`link s3 …`, `link gcs …`, `link minio …`) or add `snapshots < class … >`; without a WAL archive there is no point-in-time recovery"),
            );
        }
        for s in stores.iter().filter(|s| s.skip_empty_wal_check) {
            let sp = self
                .block
                .all("link")
                .find(|l| l.span == s.span)
                .and_then(|l| l.block())
                .and_then(|b| b.first("skip_empty_wal_check"))
                .map(|x| x.span)
                .unwrap_or(s.span);
            self.diags.push(
                Diagnostic::new(codes::W0505, sp, "the empty WAL archive check is skipped")
                    .with_label("the cluster may archive into a folder that already holds WAL")
                    .with_help("right only when the folder holds this same cluster's own prior WAL (a re-created cluster); for a new or cloned cluster set `server_name` instead"),
            );
        }
        let mut shown: Vec<String> = Vec::new();
        for s in stores {
            if let ir::Backend::Gcs {
                auth: ir::GcsAuth::WorkloadIdentity { gcp_sa, project },
            } = &s.backend
                && !project.is_empty()
            {
                let member = format!(
                    "serviceAccount:{project}.svc.id.goog[{namespace}/{}]",
                    self.name
                );
                if shown.contains(&format!("{gcp_sa} {member}")) {
                    continue;
                }
                shown.push(format!("{gcp_sa} {member}"));
                let sp = self
                    .block
                    .all("link")
                    .find(|l| l.span == s.span)
                    .and_then(|l| l.block())
                    .and_then(|b| b.first("workload_identity"))
                    .map(|x| x.span)
                    .unwrap_or(s.span);
                self.diags.push(
                    Diagnostic::new(codes::H0501, sp, format!("GCP must let {member} act as {gcp_sa}"))
                        .with_label("Workload Identity")
                        .with_help(format!(
                            "grant roles/iam.workloadIdentityUser on {gcp_sa} to {member} (the pods' service account is named after \
                             the cluster, not cnpg-backup-sa), and give {gcp_sa} access to the bucket; a missing binding makes \
                             every backup fail with 403 while the annotation looks right"
                        )),
                );
            }
        }
    }

    /// At most one store archives; inline and plugin archiving are exclusive.
    fn check_archives(&mut self, stores: &[ir::ObjectStore], links: &[BStmt]) {
        let archiving: Vec<&ir::ObjectStore> = stores.iter().filter(|s| s.archive).collect();
        if archiving.len() > 1 {
            let (first, second) = (archiving[0], archiving[1]);
            let both_modes = first.inline != second.inline;
            let code = if both_modes {
                codes::E0503
            } else {
                codes::E0506
            };
            let msg = if both_modes {
                "inline and plugin backups are both configured"
            } else {
                "two object stores receive this cluster's WAL"
            };
            self.diags.push(
                Diagnostic::new(code, second.span, msg)
                    .with_label("archives here too")
                    .with_secondary(first.span, "already archives here")
                    .with_help("a cluster archives WAL to one store: pick one model and one store, and mark the others `archive false` (read-only sources)"),
            );
        }
        let _ = links;
    }

    fn check_lifecycle(&mut self, b: &BBlock, retention_days: u64, retention: &str) {
        let Some(s) = b.first("lifecycle") else {
            return;
        };
        let Some(Val::Retention(text, days)) = s.arg(0).map(|v| &v.v) else {
            return;
        };
        if *days <= retention_days {
            self.diags.push(
                Diagnostic::new(codes::E0502, s.arg(0).map(|a| a.span).unwrap_or(s.span), format!("the bucket lifecycle ({text}) does not outlive the retention ({retention})"))
                    .with_label("deletes backups barman still needs")
                    .with_help(format!(
                        "barman keeps an anchor base backup older than the recovery window (about {retention} plus one schedule period); \
                         a lifecycle rule that deletes earlier breaks point-in-time recovery. Make it clearly longer, e.g. {}d, or let barman own deletion",
                        retention_days * 3 / 2 + 7
                    )),
            );
        }
    }

    /// `path` must not end with the server name: barman appends it.
    fn check_double_nesting(&mut self, b: &BBlock, path: Option<&str>, server_name: Option<&str>) {
        let Some(path) = path else { return };
        let server = server_name.unwrap_or(&self.name);
        let trimmed = path.trim_end_matches('/');
        let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
        if last == server {
            let span = b
                .first("path")
                .and_then(|s| s.arg(0))
                .map(|a| a.span)
                .unwrap_or_default();
            let parent = trimmed.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            let mut d = Diagnostic::new(codes::W0801, span, format!("the path already ends with the server name `{server}`: backups go to {trimmed}/{server}/"))
                .with_label("barman appends the server name to this path")
                .with_help(format!(
                    "this works (backups and restores use the same folder), but tools that look for <prefix>/{server}/ will not find it; if `{trimmed}` was meant to be the server's folder{}",
                    if parent.is_empty() { ", leave `path` out".to_string() } else { format!(", write `path {parent}`") }
                ));
            if !parent.is_empty() {
                d = d.with_fix(span, parent.to_string());
            }
            self.diags.push(d);
        }
    }

    fn backend(&mut self, kind: ir::StoreKind, name: &str, b: &BBlock, l: &BStmt) -> ir::Backend {
        let secret_key = |s: &BStmt, default_key: &str| -> Option<ir::SecretKey> {
            match s.arg(0).map(|v| &v.v) {
                Some(Val::Secret(SecretSource::Existing { name })) => Some(ir::SecretKey {
                    secret: name.clone(),
                    key: s
                        .opt("key")
                        .and_then(|v| v.as_text())
                        .unwrap_or(default_key)
                        .to_string(),
                }),
                _ => None,
            }
        };
        let existing_only = |this: &mut Self, s: &BStmt, what: &str| {
            if let Some(v) = s.arg(0)
                && !matches!(v.v, Val::Secret(SecretSource::Existing { .. }))
            {
                this.diags.push(
                    Diagnostic::new(
                        codes::E0402,
                        v.span,
                        format!("{what} names an existing Secret"),
                    )
                    .with_label("expected secret(\"name\")")
                    .with_help(
                        "write secret(\"name\"): the Secret must already exist in the namespace",
                    ),
                );
            }
        };
        match kind {
            ir::StoreKind::Gcs => {
                let wi = b.first("workload_identity");
                let key = b.first("credentials");
                match (wi, key) {
                    (Some(w), key) => {
                        if let Some(k) = key {
                            self.two_auth(k, w);
                        }
                        let sa = w.text_arg(0).unwrap_or_default().to_string();
                        let project = sa
                            .split_once('@')
                            .and_then(|(_, d)| d.strip_suffix(".iam.gserviceaccount.com"))
                            .map(str::to_string);
                        let project = match project {
                            Some(p) if !p.is_empty() => p,
                            _ => {
                                let sp = w.arg(0).map(|a| a.span).unwrap_or(w.span);
                                self.diags.push(
                                    Diagnostic::new(codes::E0507, sp, format!("`{sa}` is not a GCP service account e-mail"))
                                        .with_label("expected NAME@PROJECT.iam.gserviceaccount.com")
                                        .with_help("the project is read from the e-mail; it names the Workload Identity pool PROJECT.svc.id.goog"),
                                );
                                String::new()
                            }
                        };
                        ir::Backend::Gcs {
                            auth: ir::GcsAuth::WorkloadIdentity {
                                gcp_sa: sa,
                                project,
                            },
                        }
                    }
                    (None, Some(k)) => {
                        existing_only(self, k, "`credentials`");
                        ir::Backend::Gcs {
                            auth: ir::GcsAuth::Key(
                                secret_key(k, "application_credentials.json").unwrap_or(
                                    ir::SecretKey {
                                        secret: String::new(),
                                        key: String::new(),
                                    },
                                ),
                            ),
                        }
                    }
                    (None, None) => {
                        self.diags.push(
                            Diagnostic::new(codes::E0203, l.key_span, format!("`link gcs {name}` needs `workload_identity` or `credentials`"))
                                .with_label("no way to reach the bucket")
                                .with_help("for GKE: workload_identity NAME@PROJECT.iam.gserviceaccount.com (no key); else credentials secret(\"…\") with a service-account key"),
                        );
                        ir::Backend::Gcs {
                            auth: ir::GcsAuth::Key(ir::SecretKey {
                                secret: String::new(),
                                key: String::new(),
                            }),
                        }
                    }
                }
            }
            ir::StoreKind::Azure => {
                let account = b
                    .first("storage_account")
                    .and_then(|s| s.text_arg(0))
                    .map(str::to_string);
                if account.is_none() {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E0203,
                            l.key_span,
                            format!("`link azure {name}` needs `storage_account`"),
                        )
                        .with_label("which storage account?")
                        .with_help("add: storage_account <account>"),
                    );
                }
                let creds = b.first("credentials");
                let inherit = b.first("inherit_identity");
                let auth = match (creds, inherit) {
                    (Some(c), i) => {
                        if let Some(i) = i {
                            self.two_auth(c, i);
                        }
                        existing_only(self, c, "`credentials`");
                        ir::AzureAuth::ConnectionString(
                            secret_key(c, "AZURE_CONNECTION_STRING").unwrap_or(ir::SecretKey {
                                secret: String::new(),
                                key: String::new(),
                            }),
                        )
                    }
                    (None, Some(_)) => ir::AzureAuth::Inherit,
                    (None, None) => {
                        self.diags.push(
                            Diagnostic::new(codes::E0203, l.key_span, format!("`link azure {name}` needs `credentials` or `inherit_identity`"))
                                .with_label("no way to reach the container")
                                .with_help("credentials secret(\"…\") with the connection string, or inherit_identity true for Azure AD workload identity"),
                        );
                        ir::AzureAuth::Inherit
                    }
                };
                ir::Backend::Azure {
                    account: account.unwrap_or_default(),
                    auth,
                }
            }
            ir::StoreKind::Minio | ir::StoreKind::SeaweedFs | ir::StoreKind::S3 => {
                let endpoint = b
                    .first("endpoint")
                    .and_then(|s| s.text_arg(0))
                    .map(str::to_string)
                    .or(match kind {
                        ir::StoreKind::Minio => {
                            Some("http://minio.minio.svc.cluster.local:9000".into())
                        }
                        ir::StoreKind::SeaweedFs => {
                            Some("http://seaweedfs-s3.seaweedfs.svc.cluster.local:8333".into())
                        }
                        _ => None,
                    });
                let ca = b.first("ca").and_then(|c| secret_key(c, "ca.crt"));
                let iam = b
                    .first("iam_role")
                    .and_then(|s| s.arg(0))
                    .is_some_and(|v| matches!(v.v, Val::Bool(true)));
                let auth = if iam {
                    if let Some(other) = b
                        .first("credentials")
                        .or(b.first("access_key"))
                        .or(b.first("secret_key"))
                    {
                        let iam_stmt = b.first("iam_role").expect("iam_role given");
                        self.two_auth(other, iam_stmt);
                    }
                    ir::S3Auth::IamRole
                } else {
                    ir::S3Auth::Keys(self.store_credentials(kind, name, b, l))
                };
                ir::Backend::S3 { endpoint, auth, ca }
            }
        }
    }

    fn two_auth(&mut self, a: &BStmt, b: &BStmt) {
        self.diags.push(
            Diagnostic::new(
                codes::E0204,
                a.head_span,
                format!("`{}` and `{}` both say how to authenticate", a.key, b.key),
            )
            .with_label("second way to authenticate")
            .with_secondary(b.head_span, "first way")
            .with_help("keep one"),
        );
    }

    /// The S3 key pair of a store: an existing Secret, or sources cnpgc
    /// writes into an encrypted dotenv file (default: environment variables).
    fn store_credentials(
        &mut self,
        kind: ir::StoreKind,
        name: &str,
        b: &BBlock,
        l: &BStmt,
    ) -> ir::S3Credentials {
        let access = b.first("access_key");
        let secret = b.first("secret_key");
        if let Some(c) = b.first("credentials") {
            if let Some(other) = access.or(secret) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0204,
                        other.head_span,
                        format!("`{}` and `credentials` both say where the keys are", other.key),
                    )
                    .with_label("second source of the keys")
                    .with_secondary(c.head_span, "an existing Secret is named here")
                    .with_help("keep `credentials secret(…)` for an existing Secret, or `access_key` and `secret_key` for cnpgc to write one"),
                );
            }
            let secret_name = match c.arg(0).map(|v| (&v.v, v.span)) {
                Some((Val::Secret(SecretSource::Existing { name }), _)) => {
                    self.names.reserve(name);
                    name.clone()
                }
                Some((Val::Secret(other), sp)) => {
                    self.diags.push(
                        Diagnostic::new(codes::E0402, sp, format!("`credentials` names an existing Secret, not {}", other.describe()))
                            .with_label("expected secret(\"name\")")
                            .with_help("for keys cnpgc should write, use `access_key …` and `secret_key …` instead"),
                    );
                    String::new()
                }
                _ => String::new(),
            };
            let keys: Vec<String> = c.opt("keys").map(BVal::texts).unwrap_or_default();
            if !keys.is_empty() && keys.len() != 2 {
                let sp = c.opt("keys").map(|v| v.span).unwrap_or(c.span);
                self.diags.push(
                    Diagnostic::new(
                        codes::E0207,
                        sp,
                        format!("`keys` names {} keys; it takes two", keys.len()),
                    )
                    .with_label("the access key id's key, then the secret access key's")
                    .with_help("for example: keys ACCESS_KEY_ID, ACCESS_SECRET_KEY"),
                );
            }
            return ir::S3Credentials {
                secret: secret_name,
                access_key: keys
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "ACCESS_KEY_ID".into()),
                secret_key: keys
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| "ACCESS_SECRET_KEY".into()),
                managed: None,
            };
        }
        let env_prefix = match kind {
            ir::StoreKind::Minio => "MINIO",
            ir::StoreKind::SeaweedFs => "SEAWEEDFS",
            _ => "S3",
        };
        let mut source = |stmt: Option<&BStmt>, default_var: String| -> (SecretSource, Span) {
            match stmt.and_then(|s| s.arg(0)) {
                Some(v) => match &v.v {
                    Val::Secret(SecretSource::Generated)
                    | Val::Secret(SecretSource::Existing { .. }) => {
                        let what = if matches!(v.v, Val::Secret(SecretSource::Generated)) {
                            "the store issues its keys: cnpgc cannot generate them"
                        } else {
                            "to use an existing Secret, write `credentials secret(\"name\")`"
                        };
                        self.diags.push(
                            Diagnostic::new(
                                codes::E0402,
                                v.span,
                                "this source is not allowed for an S3 key",
                            )
                            .with_label("not allowed here")
                            .with_help(format!("{what}; use env(\"VAR\") or file(\"path\")")),
                        );
                        (SecretSource::Env(default_var), v.span)
                    }
                    Val::Secret(s) => (s.clone(), v.span),
                    _ => (SecretSource::Env(default_var), v.span),
                },
                None => (SecretSource::Env(default_var), l.key_span),
            }
        };
        let access = source(access, format!("{env_prefix}_ACCESS_KEY_ID"));
        let secret_src = source(secret, format!("{env_prefix}_SECRET_ACCESS_KEY"));
        let base = match kind {
            ir::StoreKind::Minio => "minio",
            ir::StoreKind::SeaweedFs => "swbucket",
            _ => "s3",
        };
        let file = if name == kind.as_str() {
            format!("{base}.env")
        } else {
            format!("{base}-{name}.env")
        };
        let secret_name = self.names.derive(&self.name, &format!("{name}-s3"), 63);
        ir::S3Credentials {
            secret: secret_name,
            access_key: "ACCESS_KEY_ID".into(),
            secret_key: "ACCESS_SECRET_KEY".into(),
            managed: Some(ir::ManagedCredentials {
                access,
                secret: secret_src,
                file: format!("secret/{file}"),
            }),
        }
    }
}
