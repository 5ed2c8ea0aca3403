//! Secret plans: takes the program, gives one [`SecretFile`] per Secret cnpgc
//! writes: its tree path, format, metadata and entries, each entry either a
//! plain value (a username) or a source to resolve at build time.

use sha2::{Digest, Sha256};

use crate::emit::Layout;
use crate::ir::{Cluster, Password, Program, SecretSource, Superuser};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A SOPS-encrypted Secret manifest (`stringData` encrypted).
    Yaml,
    /// A SOPS-encrypted dotenv file read by a kustomize secretGenerator.
    Dotenv,
    /// A SOPS-encrypted Docker config (registry.json) read by a secretGenerator.
    DockerConfig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryValue {
    Plain(String),
    Secret {
        source: SecretSource,
        span: Span,
    },
    /// The value of `key` in another Secret of the same tree (an app's copy
    /// of its user's password), percent-encoded between `prefix` and
    /// `suffix` when `url` is set.
    Copy {
        secret: String,
        key: String,
        span: Span,
        url: Option<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: EntryValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFile {
    /// The cluster's tree directory under the output directory.
    pub root: String,
    /// The `.cnpg` file it came from (file() paths are relative to it).
    pub origin: String,
    /// Path relative to the cluster's tree root.
    pub path: String,
    pub format: Format,
    pub name: String,
    pub namespace: String,
    pub secret_type: &'static str,
    pub labels: Vec<(String, String)>,
    pub rotation: Option<String>,
    pub entries: Vec<Entry>,
}

impl SecretFile {
    /// Hash of everything but the secret values: when it is unchanged and every
    /// value is generated, the previous encrypted file is kept as is.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: &str| {
            h.update(s.as_bytes());
            h.update([0]);
        };
        put(match self.format {
            Format::Yaml => "yaml",
            Format::Dotenv => "dotenv",
            Format::DockerConfig => "dockerconfig",
        });
        put(&self.name);
        put(&self.namespace);
        put(self.secret_type);
        for (k, v) in &self.labels {
            put(k);
            put(v);
        }
        for e in &self.entries {
            put(&e.key);
            match &e.value {
                EntryValue::Plain(v) => put(&format!("plain:{v}")),
                EntryValue::Secret { source, .. } => put(&match source {
                    SecretSource::Insecure(_) => "insecure".to_string(),
                    s => s.describe(),
                }),
                EntryValue::Copy {
                    secret, key, url, ..
                } => put(&format!("copy:{secret}/{key}:{url:?}")),
            }
        }
        h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The span to blame for problems with this secret as a whole.
    pub fn span(&self) -> Option<Span> {
        self.entries.iter().find_map(|e| match &e.value {
            EntryValue::Secret { span, .. } | EntryValue::Copy { span, .. } => Some(*span),
            _ => None,
        })
    }

    pub fn is_generated_only(&self) -> bool {
        self.entries.iter().all(|e| {
            matches!(
                e.value,
                EntryValue::Plain(_)
                    | EntryValue::Copy { .. }
                    | EntryValue::Secret {
                        source: SecretSource::Generated,
                        ..
                    }
            )
        })
    }
}

fn labels(c: &Cluster, rotation: Option<&String>) -> Vec<(String, String)> {
    let mut l = vec![
        ("app.kubernetes.io/name".to_string(), c.name.clone()),
        (
            "app.kubernetes.io/managed-by".to_string(),
            "cnpgc".to_string(),
        ),
    ];
    if let Some(r) = rotation {
        l.push((super::ROTATION_LABEL.to_string(), r.clone()));
    }
    l
}

fn basic_auth(
    c: &Cluster,
    l: &Layout,
    user: &str,
    p: &Password,
    rotation: Option<&String>,
) -> Option<SecretFile> {
    if matches!(p.source, SecretSource::Existing { .. }) {
        return None;
    }
    Some(SecretFile {
        root: l.root.clone(),
        origin: c.source.clone(),
        path: l.in_base(&format!("secret/{}.yaml", p.secret_name)),
        format: Format::Yaml,
        name: p.secret_name.clone(),
        namespace: c.namespace.clone(),
        secret_type: "kubernetes.io/basic-auth",
        labels: labels(c, rotation),
        rotation: rotation.cloned(),
        entries: vec![
            Entry {
                key: "username".into(),
                value: EntryValue::Plain(user.to_string()),
            },
            Entry {
                key: "password".into(),
                value: EntryValue::Secret {
                    source: p.source.clone(),
                    span: p.span,
                },
            },
        ],
    })
}

/// Every Secret cnpgc writes for a cluster, in a stable order.
pub fn cluster_secrets(c: &Cluster, l: &Layout) -> Vec<SecretFile> {
    let mut out = Vec::new();
    if let Superuser::Postgres { password: Some(p) } = &c.superuser
        && let Some(f) = basic_auth(c, l, "postgres", p, c.rotation.as_ref())
    {
        out.push(f);
    }
    for r in &c.roles {
        let Some(p) = &r.password else { continue };
        if let Some(f) = basic_auth(c, l, &r.name, p, r.rotation.as_ref()) {
            out.push(f);
        }
    }
    out.extend(registry_secret(c, l));
    out.extend(app_copies(c, l, &out));
    for s in &c.stores {
        if let Some((creds, m)) = s.managed_credentials() {
            out.push(SecretFile {
                root: l.root.clone(),
                origin: c.source.clone(),
                path: l.in_base(&m.file),
                format: Format::Dotenv,
                name: creds.secret.clone(),
                namespace: c.namespace.clone(),
                secret_type: "Opaque",
                labels: labels(c, None),
                rotation: None,
                entries: vec![
                    Entry {
                        key: creds.access_key.clone(),
                        value: EntryValue::Secret {
                            source: m.access.0.clone(),
                            span: m.access.1,
                        },
                    },
                    Entry {
                        key: creds.secret_key.clone(),
                        value: EntryValue::Secret {
                            source: m.secret.0.clone(),
                            span: m.secret.1,
                        },
                    },
                ],
            });
        }
    }
    out
}

/// Path of an app's files inside the cluster's tree.
pub fn app_dir(app: &str) -> String {
    format!("apps/{app}")
}

fn app_copies(c: &Cluster, l: &Layout, written: &[SecretFile]) -> Vec<SecretFile> {
    let mut out = Vec::new();
    for a in c.apps.iter().filter(|a| a.via.is_none()) {
        let Some((role, password)) = c
            .role(&a.user)
            .and_then(|r| r.password.as_ref().map(|p| (r, p)))
        else {
            continue;
        };
        // Only a password cnpgc writes can be copied (an existing Secret in
        // another namespace is refused by the checker; in the same one the
        // app reads it directly).
        if !written.iter().any(|f| f.name == password.secret_name) {
            continue;
        }
        let copy = |key: &str, url: Option<(String, String)>| EntryValue::Copy {
            secret: password.secret_name.clone(),
            key: key.to_string(),
            span: a.span,
            url,
        };
        let host = c.rw_host();
        let plain = |k: &str, v: String| Entry {
            key: k.into(),
            value: EntryValue::Plain(v),
        };
        out.push(SecretFile {
            root: l.root.clone(),
            origin: c.source.clone(),
            path: format!("{}/secret.yaml", app_dir(&a.name)),
            format: Format::Yaml,
            name: a.secret_name.clone(),
            namespace: a.namespace.clone(),
            secret_type: "Opaque",
            labels: labels(c, role.rotation.as_ref()),
            rotation: role.rotation.clone(),
            entries: vec![
                plain("username", a.user.clone()),
                Entry {
                    key: "password".into(),
                    value: copy("password", None),
                },
                plain("host", host.clone()),
                plain("port", "5432".into()),
                plain("dbname", a.database.clone()),
                Entry {
                    key: "uri".into(),
                    value: copy(
                        "password",
                        Some((
                            format!("postgresql://{}:", super::render::percent(&a.user)),
                            format!(
                                "@{host}:5432/{}?sslmode=require",
                                super::render::percent(&a.database)
                            ),
                        )),
                    ),
                },
            ],
        });
    }
    out
}

/// registry.json: the registry mirror's pull credentials.
fn registry_secret(c: &Cluster, l: &Layout) -> Option<SecretFile> {
    let r = c.registry.as_ref()?;
    let ((user, user_span), (pass, pass_span)) = r.managed.clone()?;
    Some(SecretFile {
        root: l.root.clone(),
        origin: c.source.clone(),
        path: l.in_base("secret/registry.json"),
        format: Format::DockerConfig,
        name: r.pull_secret.clone().unwrap_or_default(),
        namespace: c.namespace.clone(),
        secret_type: "kubernetes.io/dockerconfigjson",
        labels: labels(c, None),
        rotation: None,
        entries: vec![
            Entry {
                key: "registry".into(),
                value: EntryValue::Plain(r.host.split('/').next().unwrap_or(&r.host).to_string()),
            },
            Entry {
                key: "username".into(),
                value: EntryValue::Secret {
                    source: user,
                    span: user_span,
                },
            },
            Entry {
                key: "password".into(),
                value: EntryValue::Secret {
                    source: pass,
                    span: pass_span,
                },
            },
        ],
    })
}

/// Every Secret of the program.
pub fn plan(p: &Program) -> Vec<SecretFile> {
    p.clusters
        .iter()
        .flat_map(|c| cluster_secrets(c, &crate::emit::layout(p, c)))
        .collect()
}
