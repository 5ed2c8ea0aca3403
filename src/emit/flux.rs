//! The Flux target (seed 001, seed 004): takes the program's Flux settings
//! and a cluster, gives its Flux Kustomization `databases-<cluster>`:
//! dependsOn the operator's Kustomization, prune, SOPS decryption, and health
//! checks on the Cluster and its app Secret, so that Kustomizations depending
//! on it wait for a healthy database with credentials. Also the Flux
//! Kustomization of each app's credentials, depending on the database's.

use super::yaml::{Map, Node, strs};
use crate::ir::{AppLink, Cluster, FluxTarget, NamespaceOwner};

/// The Flux Kustomization's name for a cluster.
pub fn name(c: &Cluster) -> String {
    crate::names::objects::flux_kustomization(c)
}

/// The Secret the app reads: the first database owner's (initdb.secret), or
/// the operator's `<cluster>-app`. A replica has none of its own.
pub fn app_secret(c: &Cluster) -> Option<String> {
    if c.replica.is_some() {
        return None;
    }
    match c.databases.first().and_then(|d| c.role(&d.owner)) {
        Some(owner) => owner.password.as_ref().map(|p| p.secret_name.clone()),
        None => Some(format!("{}-app", c.name)),
    }
}

fn repo_path(f: &FluxTarget, dir: &str) -> String {
    let prefix = f.repo_dir.trim_matches('/');
    if prefix.is_empty() || prefix == "." {
        format!("./{dir}")
    } else {
        format!("./{prefix}/{dir}")
    }
}

fn kustomization(f: &FluxTarget, name: String, path: String, depends_on: Vec<String>) -> Map {
    let mut spec = Map::new()
        .set("interval", f.interval.clone())
        .set("path", path)
        .set("prune", true)
        .set(
            "sourceRef",
            Map::new()
                .set("kind", "GitRepository")
                .set("name", f.source.clone()),
        );
    if !depends_on.is_empty() {
        spec.push(
            "dependsOn",
            Node::Seq(
                depends_on
                    .into_iter()
                    .map(|d| Map::new().set("name", d).into())
                    .collect(),
            ),
        );
    }
    spec.push(
        "decryption",
        Map::new()
            .set("provider", "sops")
            .set("secretRef", Map::new().set("name", f.sops_secret.clone())),
    );
    spec.push("timeout", f.timeout.clone());
    Map::new()
        .set("apiVersion", "kustomize.toolkit.fluxcd.io/v1")
        .set("kind", "Kustomization")
        .set(
            "metadata",
            Map::new().set("name", name).set("namespace", "flux-system"),
        )
        .set("spec", spec)
}

fn check(api_version: &str, kind: &str, name: String, namespace: &str) -> Node {
    Map::new()
        .set("apiVersion", api_version.to_string())
        .set("kind", kind.to_string())
        .set("name", name)
        .set("namespace", namespace.to_string())
        .into()
}

/// The Flux Kustomization applying a cluster's tree at `root`.
pub fn cluster_kustomization(f: &FluxTarget, c: &Cluster, root: &str) -> Node {
    let mut depends_on = f.depends_on.clone();
    // The tree that writes the namespace goes first (one owner per
    // namespace: check::together).
    if let NamespaceOwner::Cluster(owner) = &c.namespace_owner {
        depends_on.push(crate::names::objects::flux_kustomization_of(owner));
    }
    let mut k = kustomization(f, name(c), repo_path(f, root), depends_on);
    let mut checks = vec![check(
        "postgresql.cnpg.io/v1",
        "Cluster",
        c.name.clone(),
        &c.namespace,
    )];
    if let Some(s) = app_secret(c) {
        checks.push(check("v1", "Secret", s, &c.namespace));
    }
    if let Some(spec) = k.get_mut("spec").and_then(Node::as_map_mut) {
        spec.push("healthChecks", Node::Seq(checks));
    }
    k.into()
}

/// The Flux Kustomization applying an app's credentials (`apps/<app>/`),
/// after the database is healthy.
pub fn app_kustomization(f: &FluxTarget, c: &Cluster, a: &AppLink, dir: &str) -> Node {
    let mut k = kustomization(
        f,
        crate::names::objects::flux_app_kustomization(c, &a.name),
        repo_path(f, dir),
        vec![name(c)],
    );
    if let Some(spec) = k.get_mut("spec").and_then(Node::as_map_mut) {
        let secret = a.secret_name.clone();
        spec.push(
            "healthChecks",
            Node::Seq(vec![check("v1", "Secret", secret, &a.namespace)]),
        );
    }
    k.into()
}

/// kustomization.yaml of an environment's Flux directory.
pub fn index(files: Vec<String>) -> Node {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
        .set("resources", strs(files))
        .into()
}
