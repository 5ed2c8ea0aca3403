//! Secret plans: takes the program, gives one [`SecretFile`] per Secret cnpgc
//! writes: its tree path, format, metadata and entries, each entry either a
//! plain value (a username) or a source to resolve at build time.

use sha2::{Digest, Sha256};

use crate::emit::BASE;
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
    Secret { source: SecretSource, span: Span },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: EntryValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFile {
    pub cluster: String,
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
            EntryValue::Secret { span, .. } => Some(*span),
            _ => None,
        })
    }

    pub fn is_generated_only(&self) -> bool {
        self.entries.iter().all(|e| {
            matches!(
                e.value,
                EntryValue::Plain(_)
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
    user: &str,
    p: &Password,
    rotation: Option<&String>,
) -> Option<SecretFile> {
    if matches!(p.source, SecretSource::Existing { .. }) {
        return None;
    }
    Some(SecretFile {
        cluster: c.name.clone(),
        origin: c.source.clone(),
        path: format!("{BASE}/secret/{}.yaml", p.secret_name),
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
pub fn cluster_secrets(c: &Cluster) -> Vec<SecretFile> {
    let mut out = Vec::new();
    if let Superuser::Postgres { password: Some(p) } = &c.superuser
        && let Some(f) = basic_auth(c, "postgres", p, c.rotation.as_ref())
    {
        out.push(f);
    }
    for r in &c.roles {
        if let Some(f) = basic_auth(c, &r.name, &r.password, r.rotation.as_ref()) {
            out.push(f);
        }
    }
    out.extend(registry_secret(c));
    for s in &c.stores {
        if let Some((creds, m)) = s.managed_credentials() {
            out.push(SecretFile {
                cluster: c.name.clone(),
                origin: c.source.clone(),
                path: m.file.clone(),
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

/// registry.json: the registry mirror's pull credentials.
fn registry_secret(c: &Cluster) -> Option<SecretFile> {
    let r = c.registry.as_ref()?;
    let ((user, user_span), (pass, pass_span)) = r.managed.clone()?;
    Some(SecretFile {
        cluster: c.name.clone(),
        origin: c.source.clone(),
        path: format!("{BASE}/secret/registry.json"),
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
    p.clusters.iter().flat_map(cluster_secrets).collect()
}
