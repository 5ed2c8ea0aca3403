//! Credential distribution: takes a cluster's app links, gives the
//! PushSecrets that publish each linked user's credentials to an
//! external-secrets store (base/credentials.yaml, seed 004) and, per app, the
//! files of `apps/<app>/`: the ExternalSecret that pulls them into the app's
//! namespace (or, without a store, the SOPS-encrypted copy the secrets stage
//! writes) and the app's egress allow to the database.

use super::meta;
use super::yaml::{Map, Node, strs};
use crate::ir::{AppLink, Cluster, SecretStore};

/// The key under which a store holds one user's credentials for one database.
pub fn remote_key(s: &SecretStore, a: &AppLink) -> String {
    format!("{}/{}/{}", s.prefix, a.database, a.user)
}

fn store_ref(s: &SecretStore) -> Map {
    Map::new()
        .set("name", s.name.clone())
        .set("kind", s.kind.clone())
}

/// One PushSecret per (store, database, user) the app links name.
pub fn push_secrets(c: &Cluster) -> Vec<Node> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for a in &c.apps {
        let Some(s) = &a.via else { continue };
        let key = remote_key(s, a);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        let Some(password) = c.role(&a.user).and_then(|r| r.password.as_ref()) else {
            continue;
        };
        let host = c.rw_host();
        let fields = [
            ("username", "{{ .username }}".to_string()),
            ("password", "{{ .password }}".to_string()),
            ("host", host.clone()),
            ("port", "5432".to_string()),
            ("dbname", a.database.clone()),
            (
                "uri",
                format!(
                    "postgresql://{{{{ .username | urlquery }}}}:{{{{ .password | urlquery }}}}@{host}:5432/{}?sslmode=require",
                    a.database
                ),
            ),
            (
                "jdbc-uri",
                format!(
                    "jdbc:postgresql://{host}:5432/{}?user={{{{ .username | urlquery }}}}&password={{{{ .password | urlquery }}}}&sslmode=require",
                    a.database
                ),
            ),
        ];
        let mut template = Map::new();
        for (k, v) in &fields {
            template.push(k.to_string(), v.clone());
        }
        let data: Vec<Node> = fields
            .iter()
            .map(|(k, _)| {
                Map::new()
                    .set(
                        "match",
                        Map::new().set("secretKey", k.to_string()).set(
                            "remoteRef",
                            Map::new()
                                .set("remoteKey", key.clone())
                                .set("property", k.to_string()),
                        ),
                    )
                    .into()
            })
            .collect();
        out.push(
            Map::new()
                .set("apiVersion", "external-secrets.io/v1alpha1")
                .set("kind", "PushSecret")
                .set(
                    "metadata",
                    meta::metadata(
                        c,
                        crate::names::objects::push_secret(&password.secret_name, &a.database),
                    ),
                )
                .set(
                    "spec",
                    Map::new()
                        .set("refreshInterval", "1h")
                        .set("updatePolicy", "Replace")
                        .set("secretStoreRefs", Node::Seq(vec![store_ref(s).into()]))
                        .set(
                            "selector",
                            Map::new().set(
                                "secret",
                                Map::new().set("name", password.secret_name.clone()),
                            ),
                        )
                        .set("template", Map::new().set("data", template))
                        .set("data", Node::Seq(data)),
                )
                .into(),
        );
    }
    out
}

/// The ExternalSecret an app pulls its credentials with.
pub fn external_secret(c: &Cluster, a: &AppLink) -> Option<Node> {
    let s = a.via.as_ref()?;
    let name = a.secret_name.clone();
    Some(
        Map::new()
            .set("apiVersion", "external-secrets.io/v1")
            .set("kind", "ExternalSecret")
            .set(
                "metadata",
                Map::new()
                    .set("name", name.clone())
                    .set("namespace", a.namespace.clone())
                    .set("labels", meta::labels(c)),
            )
            .set(
                "spec",
                Map::new()
                    .set("refreshInterval", "1h")
                    .set("secretStoreRef", store_ref(s))
                    .set(
                        "target",
                        Map::new().set("name", name).set("creationPolicy", "Owner"),
                    )
                    .set(
                        "dataFrom",
                        Node::Seq(vec![
                            Map::new()
                                .set("extract", Map::new().set("key", remote_key(s, a)))
                                .into(),
                        ]),
                    ),
            )
            .into(),
    )
}

/// apps/<app>/kustomization.yaml.
pub fn kustomization(files: &[&str]) -> Node {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
        .set("resources", strs(files.iter().map(|f| f.to_string())))
        .into()
}
