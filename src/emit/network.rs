//! network.yaml: takes a cluster with `network < … >`, gives the policies a
//! default-deny cluster needs (seed 001), as vanilla NetworkPolicies or
//! CiliumNetworkPolicies: one for the instances, one for cnpgc's jobs, one
//! for the poolers.
//!
//! Instances: ingress from the operator (8000, 5432), the same namespace
//! (replication), app namespaces (5432), monitoring (9187); egress to DNS, the
//! API server, the object stores, the same namespace, migration sources and,
//! with Cilium, the Service CIDR.

use super::meta;
use super::yaml::{Map, Node, strs};
use crate::ir::{Backend, Cluster, Network, ObjectStore, PolicyKind};

/// Where a peer lives, as a policy can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Peer {
    /// Pods of a namespace (an in-cluster Service `name.ns.svc…`).
    Namespace(String),
    /// A DNS name outside the cluster.
    Host(String),
}

/// `host[:port]` of an URL-ish endpoint, with the scheme's default port.
fn host_port(endpoint: &str) -> (String, u16) {
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
    let hostport = rest.split('/').next().unwrap_or(rest);
    let default = if scheme == "http" { 80 } else { 443 };
    match hostport.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() => (h.to_string(), p.parse().unwrap_or(default)),
        _ => (hostport.to_string(), default),
    }
}

/// An in-cluster service host (`svc.ns.svc`, `svc.ns.svc.cluster.local`).
fn peer_of(host: &str) -> Peer {
    let parts: Vec<&str> = host.split('.').collect();
    // `name.ns` alone is ambiguous (`example.com`): only `….svc…` counts.
    let in_cluster = matches!(parts.as_slice(), [_, _, "svc", ..]);
    if in_cluster {
        Peer::Namespace(parts[1].to_string())
    } else {
        Peer::Host(host.to_string())
    }
}

/// Where barman connects for a store.
fn store_peer(s: &ObjectStore) -> (Peer, u16) {
    match &s.backend {
        Backend::S3 {
            endpoint: Some(e), ..
        } => {
            let (h, p) = host_port(e);
            (peer_of(&h), p)
        }
        Backend::S3 { endpoint: None, .. } => (Peer::Host("*.amazonaws.com".into()), 443),
        Backend::Gcs { .. } => (Peer::Host("storage.googleapis.com".into()), 443),
        Backend::Azure { account, .. } => {
            (Peer::Host(format!("{account}.blob.core.windows.net")), 443)
        }
    }
}

/// Every (peer, port) the instances reach outside their namespace.
fn egress_peers(c: &Cluster) -> Vec<(Peer, u16)> {
    let mut out: Vec<(Peer, u16)> = Vec::new();
    for s in &c.stores {
        let p = store_peer(s);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if let Some(m) = &c.migration {
        let p = (peer_of(&m.host), 5432);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if let Some(r) = c.replica.as_ref().and_then(|r| r.streaming.as_ref()) {
        let p = (peer_of(&r.host), u16::try_from(r.port).unwrap_or(5432));
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.retain(|(p, _)| *p != Peer::Namespace(c.namespace.clone()));
    out
}

/// Where cnpgc's Jobs connect outside the namespace: the stores (the
/// logical export) and a logical migration's source (the sequence Job).
fn job_peers(c: &Cluster) -> Vec<(Peer, u16)> {
    let mut out: Vec<(Peer, u16)> = Vec::new();
    for s in &c.stores {
        let p = store_peer(s);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if let Some(m) = c
        .migration
        .as_ref()
        .filter(|m| m.mode == crate::ir::MigrationMode::Logical)
    {
        let p = (peer_of(&m.host), 5432);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.retain(|(p, _)| *p != Peer::Namespace(c.namespace.clone()));
    out
}

pub fn policies(c: &Cluster) -> Vec<Node> {
    let Some(n) = &c.network else {
        return Vec::new();
    };
    match n.kind {
        PolicyKind::Vanilla => vanilla::all(c, n),
        PolicyKind::Cilium => cilium::all(c, n),
    }
}

/// The app-side allow: pods of the app (label `app.kubernetes.io/name`) may
/// reach the cluster's 5432.
pub fn app_allow(c: &Cluster, app: &str, namespace: &str) -> Option<Node> {
    let n = c.network.as_ref()?;
    Some(match n.kind {
        PolicyKind::Vanilla => vanilla::app_allow(c, app, namespace),
        PolicyKind::Cilium => cilium::app_allow(c, app, namespace),
    })
}

fn metadata(c: &Cluster, name: String, namespace: &str) -> Map {
    Map::new()
        .set("name", name)
        .set("namespace", namespace.to_string())
        .set("labels", meta::labels(c))
}

fn ports(list: &[u16], protocol: &'static str) -> Node {
    Node::Seq(
        list.iter()
            .map(|p| {
                Map::new()
                    .set("port", i64::from(*p))
                    .set("protocol", protocol)
                    .into()
            })
            .collect(),
    )
}

mod vanilla {
    use super::*;

    fn ns_selector(ns: &str) -> Map {
        Map::new().set(
            "namespaceSelector",
            Map::new().set(
                "matchLabels",
                Map::new().set("kubernetes.io/metadata.name", ns.to_string()),
            ),
        )
    }

    fn rule(dir: &'static str, peers: Vec<Node>, port_list: &[u16]) -> Node {
        let mut r = Map::new();
        if !peers.is_empty() {
            r.push(dir, Node::Seq(peers));
        }
        if !port_list.is_empty() {
            r.push("ports", ports(port_list, "TCP"));
        }
        r.into()
    }

    fn dns() -> Node {
        let mut to = ns_selector("kube-system");
        to.push(
            "podSelector",
            Map::new().set("matchLabels", Map::new().set("k8s-app", "kube-dns")),
        );
        Map::new()
            .set("to", Node::Seq(vec![to.into()]))
            .set(
                "ports",
                Node::Seq(vec![
                    Map::new().set("port", 53i64).set("protocol", "UDP").into(),
                    Map::new().set("port", 53i64).set("protocol", "TCP").into(),
                ]),
            )
            .into()
    }

    fn api_server(n: &Network) -> Node {
        let peers = match &n.api_server {
            Some(cidr) => vec![
                Map::new()
                    .set("ipBlock", Map::new().set("cidr", cidr.clone()))
                    .into(),
            ],
            None => Vec::new(),
        };
        rule("to", peers, &[443, 6443])
    }

    fn same_namespace() -> Node {
        Map::new().set("podSelector", Map::new()).into()
    }

    fn policy(
        c: &Cluster,
        name: String,
        selector: Map,
        ingress: Vec<Node>,
        egress: Vec<Node>,
    ) -> Node {
        Map::new()
            .set("apiVersion", "networking.k8s.io/v1")
            .set("kind", "NetworkPolicy")
            .set("metadata", metadata(c, name, &c.namespace))
            .set("spec", {
                // Only the directions it has rules for: the cluster's own
                // default-deny stays in force for the others.
                let mut types = Vec::new();
                let mut spec = Map::new().set("podSelector", selector);
                if !ingress.is_empty() {
                    types.push("Ingress");
                }
                types.push("Egress");
                spec.push("policyTypes", strs(types));
                if !ingress.is_empty() {
                    spec.push("ingress", Node::Seq(ingress));
                }
                spec.push("egress", Node::Seq(egress));
                spec
            })
            .into()
    }

    pub fn all(c: &Cluster, n: &Network) -> Vec<Node> {
        let mut ingress = vec![
            rule(
                "from",
                vec![ns_selector(&n.operator_namespace).into()],
                &[8000, 5432],
            ),
            rule("from", vec![same_namespace()], &[]),
            rule(
                "from",
                vec![ns_selector(&n.monitoring_namespace).into()],
                &[9187],
            ),
        ];
        if !n.app_namespaces.is_empty() {
            let sel = Map::new().set(
                "namespaceSelector",
                Map::new().set(
                    "matchExpressions",
                    Node::Seq(vec![
                        Map::new()
                            .set("key", "kubernetes.io/metadata.name")
                            .set("operator", "In")
                            .set("values", strs(n.app_namespaces.clone()))
                            .into(),
                    ]),
                ),
            );
            ingress.push(rule("from", vec![sel.into()], &[5432]));
        }
        let mut egress = vec![
            dns(),
            api_server(n),
            rule("to", vec![same_namespace()], &[]),
        ];
        for (peer, port) in egress_peers(c) {
            egress.push(match peer {
                Peer::Namespace(ns) => rule("to", vec![ns_selector(&ns).into()], &[port]),
                // A NetworkPolicy cannot name hosts: the port, anywhere.
                Peer::Host(_) => rule("to", Vec::new(), &[port]),
            });
        }
        let mut out = vec![policy(
            c,
            crate::names::objects::network_policy(c, "instances"),
            instances_selector(c),
            ingress,
            egress,
        )];
        // cnpgc's jobs (grants, exports): DNS, the instances, the stores.
        let mut job_egress = vec![dns(), rule("to", vec![same_namespace()], &[5432])];
        for (peer, port) in job_peers(c) {
            job_egress.push(match peer {
                Peer::Namespace(ns) => rule("to", vec![ns_selector(&ns).into()], &[port]),
                Peer::Host(_) => rule("to", Vec::new(), &[port]),
            });
        }
        out.push(policy(
            c,
            crate::names::objects::network_policy(c, "cnpgc-jobs"),
            match_labels(jobs_selector(c)),
            Vec::new(),
            job_egress,
        ));
        if !c.poolers.is_empty() {
            let mut ingress = vec![rule("from", vec![same_namespace()], &[5432])];
            if !n.app_namespaces.is_empty() {
                ingress.push(
                    Map::new()
                        .set(
                            "from",
                            Node::Seq(
                                n.app_namespaces
                                    .iter()
                                    .map(|ns| ns_selector(ns).into())
                                    .collect(),
                            ),
                        )
                        .set("ports", ports(&[5432], "TCP"))
                        .into(),
                );
            }
            ingress.push(rule(
                "from",
                vec![ns_selector(&n.monitoring_namespace).into()],
                &[9127],
            ));
            let egress = vec![
                dns(),
                api_server(n),
                rule("to", vec![same_namespace()], &[5432]),
            ];
            out.push(policy(
                c,
                crate::names::objects::network_policy(c, "poolers"),
                match_labels(poolers_selector(c)),
                ingress,
                egress,
            ));
        }
        out
    }

    pub fn app_allow(c: &Cluster, app: &str, namespace: &str) -> Node {
        let mut to = ns_selector(&c.namespace);
        to.push(
            "podSelector",
            Map::new().set(
                "matchLabels",
                Map::new().set("cnpg.io/cluster", c.name.clone()),
            ),
        );
        let mut peers = vec![Node::from(to)];
        if !c.poolers.is_empty() {
            let mut p = ns_selector(&c.namespace);
            p.push(
                "podSelector",
                Map::new().set("matchLabels", poolers_selector(c)),
            );
            peers.push(p.into());
        }
        Map::new()
            .set("apiVersion", "networking.k8s.io/v1")
            .set("kind", "NetworkPolicy")
            .set(
                "metadata",
                metadata(
                    c,
                    crate::names::objects::app_network_policy(c, app),
                    namespace,
                ),
            )
            .set(
                "spec",
                Map::new()
                    .set(
                        "podSelector",
                        Map::new().set(
                            "matchLabels",
                            Map::new().set("app.kubernetes.io/name", app.to_string()),
                        ),
                    )
                    .set("policyTypes", strs(["Egress"]))
                    .set("egress", Node::Seq(vec![rule("to", peers, &[5432])])),
            )
            .into()
    }

    /// The operator's namespace (see [`super::operator_policies`]).
    pub fn operator(o: &super::OperatorNet) -> Node {
        let mut ingress = vec![
            // The admission webhooks, called by the API server.
            rule("from", Vec::new(), &[9443]),
            // The operator and the barman-cloud plugin (9090) talk in the namespace.
            rule("from", vec![same_namespace()], &[]),
        ];
        ingress.push(rule(
            "from",
            vec![ns_selector(&o.monitoring).into()],
            &[8080],
        ));
        let targets = Map::new().set(
            "namespaceSelector",
            Map::new().set(
                "matchExpressions",
                Node::Seq(vec![
                    Map::new()
                        .set("key", "kubernetes.io/metadata.name")
                        .set("operator", "In")
                        .set("values", strs(o.targets.clone()))
                        .into(),
                ]),
            ),
        );
        let egress = vec![
            dns(),
            api_server(o.net),
            rule("to", vec![same_namespace()], &[]),
            rule("to", vec![targets.into()], &[8000, 5432]),
        ];
        Map::new()
            .set("apiVersion", "networking.k8s.io/v1")
            .set("kind", "NetworkPolicy")
            .set("metadata", super::operator_metadata(o))
            .set(
                "spec",
                Map::new()
                    .set("podSelector", super::operator_selector())
                    .set("policyTypes", strs(["Ingress", "Egress"]))
                    .set("ingress", Node::Seq(ingress))
                    .set("egress", Node::Seq(egress)),
            )
            .into()
    }
}

/// What the operator's namespace policy needs to know.
pub struct OperatorNet<'a> {
    pub namespace: String,
    pub monitoring: String,
    /// The namespaces of the clusters with `network`.
    pub targets: Vec<String>,
    /// The first cluster's network settings (API server, Service CIDR).
    pub net: &'a Network,
}

fn operator_metadata(o: &OperatorNet) -> Map {
    Map::new()
        .set("name", "cnpgc-operator")
        .set("namespace", o.namespace.clone())
        .set(
            "labels",
            Map::new().set("app.kubernetes.io/managed-by", "cnpgc"),
        )
}

/// Every pod of the operator's namespace but CNPG's database, pooler and
/// job pods (which carry `cnpg.io/cluster` and have their own policies):
/// the operator and the barman-cloud plugin, whatever their install labels
/// them.
fn operator_selector() -> Map {
    Map::new().set(
        "matchExpressions",
        Node::Seq(vec![
            Map::new()
                .set("key", "cnpg.io/cluster")
                .set("operator", "DoesNotExist")
                .into(),
        ]),
    )
}

/// The operator's namespace on a default-deny cluster (written once, in the
/// operator's tree, when a cluster has `network`): the API server calls
/// its admission webhooks (9443); the operator talks to the barman-cloud
/// plugin (9090) in its namespace, to the API server, and to every
/// instance's status endpoint (8000; 5432 as the instances' own policy
/// allows); Prometheus scrapes its metrics (8080). Cilium policies when any
/// cluster's `network` says cilium (Cilium also enforces the vanilla kind,
/// but only its own can name the API server).
pub fn operator_policies(p: &crate::ir::Program) -> Vec<Node> {
    let nets: Vec<(&Cluster, &Network)> = p
        .clusters
        .iter()
        .filter_map(|c| c.network.as_ref().map(|n| (c, n)))
        .collect();
    let Some((_, first)) = nets.first() else {
        return Vec::new();
    };
    let cilium = nets.iter().find(|(_, n)| n.kind == PolicyKind::Cilium);
    let net = cilium.map(|(_, n)| *n).unwrap_or(first);
    let mut targets: Vec<String> = nets.iter().map(|(c, _)| c.namespace.clone()).collect();
    targets.sort();
    targets.dedup();
    let o = OperatorNet {
        namespace: p
            .operator
            .as_ref()
            .map(|o| o.namespace.clone())
            .unwrap_or_else(|| first.operator_namespace.clone()),
        monitoring: net.monitoring_namespace.clone(),
        targets,
        net,
    };
    vec![match net.kind {
        PolicyKind::Vanilla => vanilla::operator(&o),
        PolicyKind::Cilium => cilium::operator(&o),
    }]
}

/// A label selector of exactly these labels.
fn match_labels(labels: Map) -> Map {
    Map::new().set("matchLabels", labels)
}

/// Every cluster whose pods are the instances' kind: the cluster and the
/// recovery clusters its day-2 files create (cluster-restore.yaml,
/// point-in-time-recovery.yaml), which restore from the same stores, run in
/// the same namespace and need the same ways in and out. CNPG's own Jobs
/// (initdb, join, recovery, import) carry `cnpg.io/cluster` too
/// (pkg/specs/jobs.go), and so do the poolers' pods.
pub fn instance_clusters(c: &Cluster) -> Vec<String> {
    let mut names = vec![c.name.clone()];
    if super::recovery::cluster_restore(c).is_some() {
        names.push(crate::names::objects::restore_cluster(c));
    }
    names.extend(c.pitrs.iter().map(|p| p.name.clone()));
    names
}

fn instances_selector(c: &Cluster) -> Map {
    let names = instance_clusters(c);
    if names.len() == 1 {
        return match_labels(Map::new().set("cnpg.io/cluster", c.name.clone()));
    }
    Map::new().set(
        "matchExpressions",
        Node::Seq(vec![
            Map::new()
                .set("key", "cnpg.io/cluster")
                .set("operator", "In")
                .set("values", strs(names))
                .into(),
        ]),
    )
}

/// Pods of cnpgc's jobs.
fn jobs_selector(c: &Cluster) -> Map {
    meta::labels(c)
}

/// Pods of the cluster's poolers.
fn poolers_selector(c: &Cluster) -> Map {
    Map::new()
        .set("cnpg.io/cluster", c.name.clone())
        .set("cnpg.io/podRole", "pooler")
}

mod cilium {
    use super::*;

    const NS: &str = "k8s:io.kubernetes.pod.namespace";

    fn ns_endpoint(ns: &str) -> Node {
        Map::new()
            .set("matchLabels", Map::new().set(NS, ns.to_string()))
            .into()
    }

    fn to_ports(list: &[u16]) -> Node {
        Node::Seq(vec![Map::new().set("ports", ports_str(list, "TCP")).into()])
    }

    fn ports_str(list: &[u16], protocol: &'static str) -> Node {
        Node::Seq(
            list.iter()
                .map(|p| {
                    Map::new()
                        .set("port", p.to_string())
                        .set("protocol", protocol)
                        .into()
                })
                .collect(),
        )
    }

    fn rule(peer_key: &'static str, peers: Node, port_list: &[u16]) -> Node {
        let mut r = Map::new().set(peer_key, peers);
        if !port_list.is_empty() {
            r.push("toPorts", to_ports(port_list));
        }
        r.into()
    }

    /// DNS through kube-dns, with Cilium's DNS proxy (needed for toFQDNs).
    fn dns() -> Node {
        Map::new()
            .set(
                "toEndpoints",
                Node::Seq(vec![
                    Map::new()
                        .set(
                            "matchLabels",
                            Map::new()
                                .set(NS, "kube-system")
                                .set("k8s:k8s-app", "kube-dns"),
                        )
                        .into(),
                ]),
            )
            .set(
                "toPorts",
                Node::Seq(vec![
                    Map::new()
                        .set("ports", ports_str(&[53], "ANY"))
                        .set(
                            "rules",
                            Map::new().set(
                                "dns",
                                Node::Seq(vec![Map::new().set("matchPattern", "*").into()]),
                            ),
                        )
                        .into(),
                ]),
            )
            .into()
    }

    fn api_server(n: &Network) -> Node {
        match &n.api_server {
            Some(cidr) => rule("toCIDR", strs([cidr.clone()]), &[443, 6443]),
            None => rule("toEntities", strs(["kube-apiserver"]), &[]),
        }
    }

    fn same_namespace() -> Node {
        Node::Seq(vec![Map::new().into()])
    }

    fn peer_rule(peer: Peer, port: u16) -> Node {
        match peer {
            Peer::Namespace(ns) => rule("toEndpoints", Node::Seq(vec![ns_endpoint(&ns)]), &[port]),
            Peer::Host(h) => {
                let key = if h.contains('*') {
                    "matchPattern"
                } else {
                    "matchName"
                };
                rule(
                    "toFQDNs",
                    Node::Seq(vec![Map::new().set(key, h).into()]),
                    &[port],
                )
            }
        }
    }

    fn service_cidr(n: &Network) -> Option<Node> {
        n.service_cidr
            .as_ref()
            .map(|cidr| Map::new().set("toCIDR", strs([cidr.clone()])).into())
    }

    fn policy(
        c: &Cluster,
        name: String,
        selector: Map,
        ingress: Vec<Node>,
        egress: Vec<Node>,
    ) -> Node {
        let mut spec = Map::new().set("endpointSelector", selector);
        if !ingress.is_empty() {
            spec.push("ingress", Node::Seq(ingress));
        }
        spec.push("egress", Node::Seq(egress));
        Map::new()
            .set("apiVersion", "cilium.io/v2")
            .set("kind", "CiliumNetworkPolicy")
            .set("metadata", metadata(c, name, &c.namespace))
            .set("spec", spec)
            .into()
    }

    pub fn all(c: &Cluster, n: &Network) -> Vec<Node> {
        let mut ingress = vec![
            rule(
                "fromEndpoints",
                Node::Seq(vec![ns_endpoint(&n.operator_namespace)]),
                &[8000, 5432],
            ),
            Map::new().set("fromEndpoints", same_namespace()).into(),
            rule(
                "fromEndpoints",
                Node::Seq(vec![ns_endpoint(&n.monitoring_namespace)]),
                &[9187],
            ),
            // Probes from the kubelet.
            rule("fromEntities", strs(["host"]), &[8000]),
        ];
        if !n.app_namespaces.is_empty() {
            ingress.push(rule(
                "fromEndpoints",
                Node::Seq(n.app_namespaces.iter().map(|ns| ns_endpoint(ns)).collect()),
                &[5432],
            ));
        }
        let mut egress = vec![
            dns(),
            api_server(n),
            Map::new().set("toEndpoints", same_namespace()).into(),
        ];
        egress.extend(service_cidr(n));
        for (peer, port) in egress_peers(c) {
            egress.push(peer_rule(peer, port));
        }
        let mut out = vec![policy(
            c,
            crate::names::objects::network_policy(c, "instances"),
            instances_selector(c),
            ingress,
            egress,
        )];
        let mut job_egress = vec![dns(), rule("toEndpoints", same_namespace(), &[5432])];
        job_egress.extend(service_cidr(n));
        for (peer, port) in job_peers(c) {
            job_egress.push(peer_rule(peer, port));
        }
        out.push(policy(
            c,
            crate::names::objects::network_policy(c, "cnpgc-jobs"),
            match_labels(jobs_selector(c)),
            Vec::new(),
            job_egress,
        ));
        if !c.poolers.is_empty() {
            let mut ingress = vec![rule("fromEndpoints", same_namespace(), &[5432])];
            if !n.app_namespaces.is_empty() {
                ingress.push(rule(
                    "fromEndpoints",
                    Node::Seq(n.app_namespaces.iter().map(|ns| ns_endpoint(ns)).collect()),
                    &[5432],
                ));
            }
            ingress.push(rule(
                "fromEndpoints",
                Node::Seq(vec![ns_endpoint(&n.monitoring_namespace)]),
                &[9127],
            ));
            let mut egress = vec![
                dns(),
                api_server(n),
                rule("toEndpoints", same_namespace(), &[5432]),
            ];
            egress.extend(service_cidr(n));
            out.push(policy(
                c,
                crate::names::objects::network_policy(c, "poolers"),
                match_labels(poolers_selector(c)),
                ingress,
                egress,
            ));
        }
        out
    }

    pub fn app_allow(c: &Cluster, app: &str, namespace: &str) -> Node {
        let mut sel = Map::new()
            .set(NS, c.namespace.clone())
            .set("cnpg.io/cluster", c.name.clone());
        let mut peers = vec![Node::from(Map::new().set("matchLabels", sel.clone()))];
        if !c.poolers.is_empty() {
            sel.push("cnpg.io/podRole", "pooler");
            peers = vec![
                Map::new()
                    .set(
                        "matchLabels",
                        Map::new()
                            .set(NS, c.namespace.clone())
                            .set("cnpg.io/cluster", c.name.clone()),
                    )
                    .into(),
            ];
        }
        let mut egress = vec![rule("toEndpoints", Node::Seq(peers), &[5432])];
        if let Some(cidr) = c.network.as_ref().and_then(|n| n.service_cidr.clone()) {
            egress.push(rule("toCIDR", strs([cidr]), &[5432]));
        }
        Map::new()
            .set("apiVersion", "cilium.io/v2")
            .set("kind", "CiliumNetworkPolicy")
            .set(
                "metadata",
                metadata(
                    c,
                    crate::names::objects::app_network_policy(c, app),
                    namespace,
                ),
            )
            .set(
                "spec",
                Map::new()
                    .set(
                        "endpointSelector",
                        Map::new().set(
                            "matchLabels",
                            Map::new().set("app.kubernetes.io/name", app.to_string()),
                        ),
                    )
                    .set("egress", Node::Seq(egress)),
            )
            .into()
    }

    /// The operator's namespace (see [`super::operator_policies`]).
    pub fn operator(o: &super::OperatorNet) -> Node {
        let ingress = vec![
            // The admission webhooks, called by the API server.
            rule(
                "fromEntities",
                strs(["kube-apiserver", "host", "remote-node"]),
                &[9443],
            ),
            Map::new().set("fromEndpoints", same_namespace()).into(),
            rule(
                "fromEndpoints",
                Node::Seq(vec![ns_endpoint(&o.monitoring)]),
                &[8080],
            ),
        ];
        let targets = Map::new().set(
            "matchExpressions",
            Node::Seq(vec![
                Map::new()
                    .set("key", NS)
                    .set("operator", "In")
                    .set("values", strs(o.targets.clone()))
                    .into(),
            ]),
        );
        let mut egress = vec![
            dns(),
            api_server(o.net),
            Map::new().set("toEndpoints", same_namespace()).into(),
            rule(
                "toEndpoints",
                Node::Seq(vec![targets.into()]),
                &[8000, 5432],
            ),
        ];
        egress.extend(service_cidr(o.net));
        Map::new()
            .set("apiVersion", "cilium.io/v2")
            .set("kind", "CiliumNetworkPolicy")
            .set("metadata", super::operator_metadata(o))
            .set(
                "spec",
                Map::new()
                    .set("endpointSelector", super::operator_selector())
                    .set("ingress", Node::Seq(ingress))
                    .set("egress", Node::Seq(egress)),
            )
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_become_peers() {
        assert_eq!(
            host_port("http://minio.minio.svc:9000"),
            ("minio.minio.svc".to_string(), 9000)
        );
        assert_eq!(
            host_port("https://s3.example.com/x"),
            ("s3.example.com".to_string(), 443)
        );
        assert_eq!(host_port("http://seaweed"), ("seaweed".to_string(), 80));
        assert_eq!(
            peer_of("minio.minio.svc.cluster.local"),
            Peer::Namespace("minio".into())
        );
        assert_eq!(peer_of("example.com"), Peer::Host("example.com".into()));
        assert_eq!(
            peer_of("pg.legacy.example.com"),
            Peer::Host("pg.legacy.example.com".into())
        );
    }
}
