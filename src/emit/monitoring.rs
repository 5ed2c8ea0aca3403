//! Monitoring: takes a cluster with `link prometheus`, gives its PodMonitors
//! (instances and poolers, with a `cnpg_cluster` label added at scrape time)
//! and its alert rules: a PrometheusRule, or, without the Prometheus
//! Operator, a ConfigMap holding a plain Prometheus rules file. Every rule
//! selects this cluster's series by labels Prometheus itself attaches, and a
//! rule fires when those series are absent, so a broken scrape is never a
//! silent "all green".

use super::meta;
use super::yaml::{Map, Node, strs, write_doc};
use crate::ir::Cluster;

/// A PodMonitor for pods matching `selector` on the port `port`.
fn pod_monitor(c: &Cluster, name: String, selector: Map, port: &str) -> Node {
    let relabel = Map::new()
        .set(
            "sourceLabels",
            strs(["__meta_kubernetes_pod_label_cnpg_io_cluster"]),
        )
        .set("targetLabel", "cnpg_cluster");
    Map::new()
        .set("apiVersion", "monitoring.coreos.com/v1")
        .set("kind", "PodMonitor")
        .set("metadata", meta::metadata(c, name))
        .set(
            "spec",
            Map::new()
                .set("selector", Map::new().set("matchLabels", selector))
                .set(
                    "podMetricsEndpoints",
                    Node::Seq(vec![
                        Map::new()
                            .set("port", port.to_string())
                            .set("relabelings", Node::Seq(vec![relabel.into()]))
                            .into(),
                    ]),
                ),
        )
        .into()
}

/// PodMonitors of the instances and of every pooler (operator mode).
pub fn pod_monitors(c: &Cluster) -> Vec<Node> {
    let Some(m) = c.monitoring else {
        return Vec::new();
    };
    if !m.operator {
        return Vec::new();
    }
    let mut out = vec![pod_monitor(
        c,
        c.name.clone(),
        Map::new()
            .set("cnpg.io/cluster", c.name.clone())
            .set("cnpg.io/podRole", "instance"),
        "metrics",
    )];
    for p in &c.poolers {
        out.push(pod_monitor(
            c,
            p.name.clone(),
            Map::new().set("cnpg.io/poolerName", p.name.clone()),
            "metrics",
        ));
    }
    out
}

struct Rule {
    alert: &'static str,
    expr: String,
    for_: &'static str,
    severity: &'static str,
    summary: String,
    runbook: &'static str,
}

fn rules(c: &Cluster) -> Vec<Rule> {
    // With the Prometheus Operator the PodMonitor adds `cnpg_cluster`; a
    // plain Prometheus (kubernetes_sd, pod annotations) has `namespace` and
    // `pod`.
    let operator = c.monitoring.is_none_or(|m| m.operator);
    let sel = if operator {
        format!("namespace=\"{}\",cnpg_cluster=\"{}\"", c.namespace, c.name)
    } else {
        format!("namespace=\"{}\",pod=~\"{}-[0-9]+\"", c.namespace, c.name)
    };
    let pvc = format!(
        "namespace=\"{}\",persistentvolumeclaim=~\"{}-[0-9]+(-wal)?\"",
        c.namespace, c.name
    );
    let n = &c.name;
    let mut v = vec![
        Rule {
            alert: "CNPGMetricsAbsent",
            expr: format!("absent(cnpg_collector_up{{{sel}}})"),
            for_: "15m",
            severity: "warning",
            summary: format!("No metrics from cluster {n}: every other alert of it is blind"),
            runbook: "Check the PodMonitor (or the scrape annotations), the metrics port 9187 and any NetworkPolicy from the monitoring namespace.",
        },
        Rule {
            alert: "CNPGInstanceDown",
            expr: format!("cnpg_collector_up{{{sel}}} == 0"),
            for_: "5m",
            severity: "critical",
            summary: format!("An instance of {n} does not answer its exporter"),
            runbook: "kubectl get pods -l cnpg.io/cluster=<cluster>; kubectl logs the instance; check the PVC and node.",
        },
        Rule {
            alert: "CNPGWalArchivingFailing",
            expr: format!(
                "cnpg_pg_stat_archiver_last_failed_time{{{sel}}} > cnpg_pg_stat_archiver_last_archived_time{{{sel}}}"
            ),
            for_: "10m",
            severity: "critical",
            summary: format!(
                "WAL archiving of {n} fails: WAL piles up on the volume until PostgreSQL stops"
            ),
            runbook: "kubectl get cluster <cluster> (ContinuousArchiving); the instance logs show the barman error: credentials, endpoint, bucket policy, NetworkPolicy egress.",
        },
        Rule {
            alert: "CNPGWalReadyBacklogHigh",
            expr: format!("cnpg_collector_pg_wal_archive_status{{{sel},value=\"ready\"}} > 100"),
            for_: "10m",
            severity: "warning",
            summary: format!("More than 100 WAL segments of {n} wait to be archived"),
            runbook: "Archiving is failing or too slow: see CNPGWalArchivingFailing; raise wal_parallel; check the store's throughput.",
        },
        Rule {
            alert: "CNPGReplicationLagHigh",
            expr: format!("cnpg_pg_replication_lag{{{sel}}} > 300"),
            for_: "10m",
            severity: "warning",
            summary: format!("A standby of {n} is more than 5 minutes behind"),
            runbook: "Check the standby's disk and CPU, long queries on it, and the network between instances.",
        },
        Rule {
            alert: "CNPGVolumeAlmostFull",
            expr: format!(
                "kubelet_volume_stats_available_bytes{{{pvc}}} / kubelet_volume_stats_capacity_bytes{{{pvc}}} < 0.15"
            ),
            for_: "10m",
            severity: "warning",
            summary: format!(
                "A volume of {n} is more than 85% full: PostgreSQL stops on a full volume"
            ),
            runbook: "Grow the storage (resizeInUseVolumes is on) in the source, or fix WAL archiving if WAL is what fills it.",
        },
        Rule {
            alert: "CNPGXidAgeHigh",
            expr: format!(
                "max by (namespace, datname) (cnpg_pg_database_xid_age{{{sel}}}) > 1000000000"
            ),
            for_: "30m",
            severity: "warning",
            summary: format!(
                "A database of {n} is over a billion transactions from wraparound protection"
            ),
            runbook: "Autovacuum is not freezing: look for long transactions, abandoned replication slots, and run VACUUM (FREEZE) on the oldest tables.",
        },
        Rule {
            alert: "CNPGConnectionsHigh",
            expr: format!(
                "sum by (namespace, pod) (cnpg_backends_total{{{sel}}}) / on (namespace, pod) cnpg_pg_settings_setting{{{sel},name=\"max_connections\"}} > 0.9"
            ),
            for_: "10m",
            severity: "warning",
            summary: format!("An instance of {n} uses more than 90% of max_connections"),
            runbook: "Add a pooler (`pooler … < mode transaction >`), raise max_connections with memory to match, or find the leaking client.",
        },
    ];
    if c.wal_store().is_some() {
        v.push(Rule {
            alert: "CNPGBackupStale",
            expr: format!("time() - cnpg_collector_last_available_backup_timestamp{{{sel}}} > 2 * 86400"),
            for_: "1h",
            severity: "warning",
            summary: format!("The last base backup of {n} is older than two days"),
            runbook: "kubectl get scheduledbackup,backup -n <namespace>; check the backup's error and the store.",
        });
    }
    v
}

fn groups(c: &Cluster) -> Node {
    let rules: Vec<Node> = rules(c)
        .into_iter()
        .map(|r| {
            Map::new()
                .set("alert", r.alert)
                .set("expr", r.expr)
                .set("for", r.for_)
                .set("labels", Map::new().set("severity", r.severity))
                .set(
                    "annotations",
                    Map::new()
                        .set("summary", r.summary)
                        .set("runbook", r.runbook),
                )
                .into()
        })
        .collect();
    Node::Seq(vec![
        Map::new()
            .set("name", format!("cnpg-{}", c.name))
            .set("rules", Node::Seq(rules))
            .into(),
    ])
}

/// alerts.yaml: a PrometheusRule, or (no operator) a ConfigMap with a rules file.
pub fn alerts(c: &Cluster) -> Option<Node> {
    let m = c.monitoring?;
    if !m.rules {
        return None;
    }
    if m.operator {
        return Some(
            Map::new()
                .set("apiVersion", "monitoring.coreos.com/v1")
                .set("kind", "PrometheusRule")
                .set(
                    "metadata",
                    meta::metadata(c, crate::names::objects::alerts(c)),
                )
                .set("spec", Map::new().set("groups", groups(c)))
                .into(),
        );
    }
    let mut text = String::new();
    write_doc(&mut text, &Map::new().set("groups", groups(c)).into());
    Some(
        Map::new()
            .set("apiVersion", "v1")
            .set("kind", "ConfigMap")
            .set(
                "metadata",
                meta::metadata(c, crate::names::objects::alert_rules(c)),
            )
            .set("data", Map::new().set("cnpg-rules.yaml", text))
            .into(),
    )
}

/// Pod annotations for annotation-based scraping (no operator).
pub fn scrape_annotations(c: &Cluster) -> Option<Map> {
    let m = c.monitoring?;
    (!m.operator).then(|| {
        Map::new()
            .set("prometheus.io/scrape", "true")
            .set("prometheus.io/port", "9187")
            .set("prometheus.io/path", "/metrics")
    })
}
