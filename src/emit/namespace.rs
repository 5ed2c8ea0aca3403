//! namespace.yaml: takes a cluster, gives its Namespace when its tree owns
//! it (`None` when another cluster's tree or nobody writes it: see
//! check::together), with the Istio injection label when linked to Istio.
//!
//! The Namespace is never pruned by Flux
//! (`kustomize.toolkit.fluxcd.io/prune: disabled`): deleting it deletes
//! everything in it, other clusters and their volumes included, and the
//! Kustomization that last applied it would delete it when it is removed or
//! stops listing it. kustomize-controller skips objects with that annotation
//! both when pruning and when the Kustomization itself is deleted
//! (internal/controller/kustomization_controller.go, `deleteObjects`:
//! `Exclusions` on `kustomize.toolkit.fluxcd.io/prune: disabled`; docs/spec/
//! v1/kustomizations.md, "Prune").

use super::meta;
use super::yaml::{Map, Node};
use crate::ir::{Cluster, NamespaceOwner};

/// The annotation kustomize-controller reads to never delete an object.
pub const PRUNE_DISABLED: (&str, &str) = ("kustomize.toolkit.fluxcd.io/prune", "disabled");

pub fn namespace(c: &Cluster) -> Option<Node> {
    if c.namespace_owner != NamespaceOwner::ThisTree {
        return None;
    }
    let mut labels = meta::labels(c);
    if c.istio.is_some() {
        labels.push("istio-injection", "enabled");
    }
    Some(
        Map::new()
            .set("apiVersion", "v1")
            .set("kind", "Namespace")
            .set(
                "metadata",
                Map::new()
                    .set("name", c.namespace.clone())
                    .set("labels", labels)
                    .set(
                        "annotations",
                        Map::new().set(PRUNE_DISABLED.0, PRUNE_DISABLED.1),
                    ),
            )
            .into(),
    )
}
