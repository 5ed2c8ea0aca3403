//! namespace.yaml: takes a cluster, gives its Namespace (with the Istio
//! injection label when linked to Istio).

use super::meta;
use super::yaml::{Map, Node};
use crate::ir::Cluster;

pub fn namespace(c: &Cluster) -> Node {
    let mut labels = meta::labels(c);
    if c.istio.is_some() {
        labels.push("istio-injection", "enabled");
    }
    Map::new()
        .set("apiVersion", "v1")
        .set("kind", "Namespace")
        .set(
            "metadata",
            Map::new()
                .set("name", c.namespace.clone())
                .set("labels", labels),
        )
        .into()
}
