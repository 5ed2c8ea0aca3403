//! operator/cnpg.yaml: takes the program's `operator < … >` settings, gives
//! the CNPG operator's configuration ConfigMap (cnpg-controller-manager-config,
//! read at the operator's start): the labels and annotations it copies from
//! a Cluster to the objects it creates, and the namespaces it watches. One
//! per operator, so written once, not per cluster.

use super::yaml::{Map, Node, strs};
use crate::ir::OperatorConfig;

pub fn config_map(o: &OperatorConfig) -> Node {
    let mut data = Map::new();
    if !o.inherited_labels.is_empty() {
        data.push("INHERITED_LABELS", o.inherited_labels.join(", "));
    }
    if !o.inherited_annotations.is_empty() {
        data.push("INHERITED_ANNOTATIONS", o.inherited_annotations.join(", "));
    }
    if !o.watch_namespaces.is_empty() {
        data.push("WATCH_NAMESPACE", o.watch_namespaces.join(","));
    }
    Map::new()
        .set("apiVersion", "v1")
        .set("kind", "ConfigMap")
        .set(
            "metadata",
            Map::new()
                .set("name", "cnpg-controller-manager-config")
                .set("namespace", o.namespace.clone())
                .set(
                    "labels",
                    Map::new().set("app.kubernetes.io/managed-by", "cnpgc"),
                ),
        )
        .set("data", data)
        .into()
}

pub fn kustomization(resources: &[&str]) -> Node {
    Map::new()
        .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .set("kind", "Kustomization")
        .set("resources", strs(resources.iter().map(|r| r.to_string())))
        .into()
}
