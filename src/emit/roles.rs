//! roles.yaml: takes a cluster, gives a kustomize patch that sets the
//! Cluster's `spec.managed.roles` (login roles, passwords by Secret
//! reference, CREATEROLE and memberships the flags imply).

use super::meta;
use super::yaml::{Map, Node, strs};
use crate::ir::{Cluster, Flag};

/// Comment on every role cnpgc manages; the grant script finds roles that
/// were removed from the source by it.
pub const MARKER: &str = "cnpgc-managed";

/// The comment prefix of the roles this cluster manages:
/// `cnpgc-managed[<cluster>]`. A restored or cloned cluster finds the
/// roles of the cluster it came from marked with that cluster's name, not
/// its own: it leaves them as they are (docs/grants.md, "Restored and
/// cloned clusters"). Cluster names hold no `[`, `]`, `%` or `_`.
pub fn marker(c: &Cluster) -> String {
    format!("{MARKER}[{}]", c.name)
}

pub fn role_list(c: &Cluster) -> Vec<Node> {
    c.roles
        .iter()
        .map(|r| {
            let grants = || {
                c.databases
                    .iter()
                    .flat_map(|d| d.grants.iter().map(move |g| (d, g)))
                    .filter(|(_, g)| g.role == r.name)
            };
            let metadata = grants().any(|(_, g)| g.flags.has(Flag::MetadataAccess));
            let mut in_roles = r.in_roles.clone();
            if metadata && !in_roles.iter().any(|x| x == "pg_read_all_stats") {
                in_roles.push("pg_read_all_stats".to_string());
            }
            // `own`: a member of the db's owner role acts as the owner.
            for (d, _) in grants().filter(|(_, g)| g.flags.has(Flag::Own)) {
                if d.owner != r.name && !in_roles.contains(&d.owner) {
                    in_roles.push(d.owner.clone());
                }
            }
            let comment = match &r.comment {
                Some(text) => format!("{}: {text}", marker(c)),
                None => marker(c),
            };
            let mut m = Map::new()
                .set("name", r.name.clone())
                .set("ensure", "present")
                .set("comment", comment)
                .set("login", r.login)
                .set("superuser", r.superuser)
                .set("createdb", r.createdb)
                .set("createrole", r.createrole)
                .set("replication", r.replication)
                .set("bypassrls", r.bypassrls)
                .set("inherit", true)
                .set("connectionLimit", r.connection_limit)
                .opt("validUntil", r.valid_until.clone())
                .when(!in_roles.is_empty(), "inRoles", strs(in_roles));
            match &r.password {
                Some(p) => m.push("passwordSecret", meta::name_ref(p.secret_name.clone())),
                // A group: no password at all (NULL in pg_authid).
                None => m.push("disablePassword", true),
            }
            m.into()
        })
        .collect()
}

/// The patch document, or `None` when the cluster manages no role.
pub fn patch(c: &Cluster) -> Option<Node> {
    if c.roles.is_empty() {
        return None;
    }
    Some(
        Map::new()
            .set("apiVersion", "postgresql.cnpg.io/v1")
            .set("kind", "Cluster")
            .set(
                "metadata",
                Map::new()
                    .set("name", c.name.clone())
                    .set("namespace", c.namespace.clone()),
            )
            .set(
                "spec",
                Map::new().set("managed", Map::new().set("roles", Node::Seq(role_list(c)))),
            )
            .into(),
    )
}

/// Merges the patch into the Cluster document (for the `-o -` stream).
pub fn merge_into(cluster: &mut Node, patch: &Node) {
    let Some(roles) = patch.at(&["spec", "managed", "roles"]).cloned() else {
        return;
    };
    let Some(spec) = cluster
        .as_map_mut()
        .and_then(|m| m.get_mut("spec"))
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    match spec.get_mut("managed").and_then(Node::as_map_mut) {
        Some(m) => m.push("roles", roles),
        None => spec.push("managed", Map::new().set("roles", roles)),
    }
}
