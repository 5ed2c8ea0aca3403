//! What the cluster accepts: takes a lowered cluster and the statements it
//! came from, gives the diagnostics for what the API server, CloudNativePG
//! 1.30's admission webhook (internal/webhook/v1/), the CRDs' CEL rules and
//! PostgreSQL would refuse although the strict schemas pass it. Each rule
//! names its source; docs/rules.md lists them all.

use super::*;
use crate::names::rules;

/// Role names the operator keeps for itself (`IsRoleReserved`,
/// pkg/postgres/roles.go: `postgres`, `streaming_replica`, `cnpg_*`,
/// `pg_*`) and those PostgreSQL refuses in CREATE ROLE (`public`, `none`,
/// and the role keywords).
pub fn reserved_role(name: &str) -> Option<&'static str> {
    match name {
        "postgres" | "streaming_replica" => Some("CloudNativePG keeps it for the operator"),
        _ if name.starts_with("cnpg_") => {
            Some("CloudNativePG keeps `cnpg_*` roles for the operator")
        }
        _ if name.starts_with("pg_") => Some("PostgreSQL reserves `pg_*` role names"),
        "public" | "none" | "current_user" | "session_user" | "current_role" => {
            Some("PostgreSQL reserves it")
        }
        _ => None,
    }
}

/// Database names the Database CRD refuses (CEL: postgres, template0,
/// template1).
pub const RESERVED_DATABASES: &[&str] = &["postgres", "template0", "template1"];

/// CloudNativePG 1.30's `AllowedPgbouncerGenericConfigurationParameters`
/// (internal/webhook/v1/pooler_webhook.go).
pub const PGBOUNCER_PARAMETERS: &[&str] = &[
    "application_name_add_host",
    "auth_type",
    "autodb_idle_timeout",
    "cancel_wait_timeout",
    "client_idle_timeout",
    "client_login_timeout",
    "client_tls_ciphers",
    "client_tls_sslmode",
    "client_tls13_ciphers",
    "default_pool_size",
    "disable_pqexec",
    "dns_max_ttl",
    "dns_nxdomain_ttl",
    "idle_transaction_timeout",
    "ignore_startup_parameters",
    "listen_backlog",
    "log_connections",
    "log_disconnections",
    "log_pooler_errors",
    "log_stats",
    "max_client_conn",
    "max_db_connections",
    "max_packet_size",
    "max_prepared_statements",
    "max_user_connections",
    "min_pool_size",
    "pkt_buf",
    "query_timeout",
    "query_wait_timeout",
    "reserve_pool_size",
    "reserve_pool_timeout",
    "sbuf_loopcnt",
    "server_check_delay",
    "server_check_query",
    "server_connect_timeout",
    "server_fast_close",
    "server_idle_timeout",
    "server_lifetime",
    "server_login_retry",
    "server_reset_query",
    "server_reset_query_always",
    "server_round_robin",
    "server_tls_ciphers",
    "server_tls13_ciphers",
    "server_tls_protocols",
    "server_tls_sslmode",
    "stats_period",
    "suspend_timeout",
    "tcp_defer_accept",
    "tcp_socket_buffer",
    "tcp_keepalive",
    "tcp_keepcnt",
    "tcp_keepidle",
    "tcp_keepintvl",
    "tcp_user_timeout",
    "track_extra_parameters",
    "verbose",
];

/// Runs every rule on a lowered cluster.
pub(super) fn check(stmt: &BStmt, block: &BBlock, diags: &mut Diagnostics, c: &ir::Cluster) {
    roles_and_databases(diags, c);
    shared_buffers(block, diags, c);
    poolers(block, diags, c);
    if let Some(b) = block.first("recovery").and_then(|r| r.block()) {
        recovery_target(b, diags, true);
    }
    for p in block.all("pitr") {
        if let Some(b) = p.block() {
            recovery_target(b, diags, false);
        }
    }
    placement(block, diags);
    grant_size(stmt, diags, c);
}

/// What the API server stores in one ConfigMap: keys and values, 1 MiB.
pub const CONFIG_MAP_MAX: usize = 1024 * 1024;

/// An upper bound of the grant ConfigMap's size, cheap to compute.
fn grant_size_bound(c: &ir::Cluster) -> usize {
    let roles: usize = c.roles.iter().map(|r| 3 * r.name.len() + 60).sum();
    let dbs: usize = c
        .databases
        .iter()
        .map(|d| {
            1200 + 4 * d.name.len()
                + d.grants
                    .iter()
                    .map(|g| 2 * g.role.len() + 200)
                    .sum::<usize>()
                + d.schemas.iter().map(|s| 2 * s.len() + 10).sum::<usize>()
                + 2 * d.owner.len()
                + 40
        })
        .sum();
    4096 + 2 * c.name.len() + 2 * c.source.len() + roles + dbs
}

fn grant_size(stmt: &BStmt, diags: &mut Diagnostics, c: &ir::Cluster) {
    if c.databases.is_empty() || grant_size_bound(c) <= CONFIG_MAP_MAX {
        return;
    }
    let size: usize = crate::emit::grants::job::cluster_files(c)
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    if size > CONFIG_MAP_MAX {
        diags.push(
            Diagnostic::new(
                codes::E0810,
                stmt.arg(0).map(|a| a.span).unwrap_or(stmt.head_span),
                format!(
                    "the grant scripts of cluster `{}` take {} KiB: a ConfigMap holds at most 1024 KiB",
                    c.name,
                    size.div_ceil(1024)
                ),
            )
            .with_label(format!("{} databases, {} roles", c.databases.len(), c.roles.len()))
            .with_help("the API server would refuse the grant Job's ConfigMap; split the databases over several clusters"),
        );
    }
}

fn roles_and_databases(diags: &mut Diagnostics, c: &ir::Cluster) {
    for r in &c.roles {
        if let Some(why) = reserved_role(&r.name) {
            diags.push(
                Diagnostic::new(codes::E0801, r.span, format!("the role name `{}` is reserved", r.name))
                    .with_label("reserved role name")
                    .with_help(format!("{why}; the Cluster would be refused (\"This role is reserved for operator use\") or the role never created: choose another name")),
            );
        }
    }
    for d in &c.databases {
        if RESERVED_DATABASES.contains(&d.name.as_str()) {
            diags.push(
                Diagnostic::new(codes::E0802, d.span, format!("the database name `{}` is reserved", d.name))
                    .with_label("reserved database name")
                    .with_help("the Database CRD refuses postgres, template0 and template1 (the operator's maintenance database and the templates): choose another name"),
            );
        }
    }
}

fn shared_buffers(block: &BBlock, diags: &mut Diagnostics, c: &ir::Cluster) {
    let Some((request, _)) = &c.resources.memory else {
        return;
    };
    let Ok(req) = crate::check::values::quantity(request) else {
        return;
    };
    let Some(e) = block.first("parameters").and_then(|p| {
        p.map()
            .iter()
            .find(|e| e.key.trim().eq_ignore_ascii_case("shared_buffers"))
    }) else {
        return;
    };
    let Some(sb) = e.val.as_text().and_then(params::webhook_bytes) else {
        return;
    };
    if req.value > 0.0 && sb > req.value {
        let mut d = Diagnostic::new(
            codes::E0805,
            e.val.span,
            format!(
                "shared_buffers ({}) is above the memory request ({request})",
                e.val.as_text().unwrap_or_default()
            ),
        )
        .with_label("more than the pod asks for")
        .with_help("CloudNativePG refuses the Cluster (\"Memory request is lower than PostgreSQL `shared_buffers` value\"): raise the memory request or lower shared_buffers (about 25% of the memory is the usual start)");
        let mem = block
            .first("resources")
            .and_then(|s| s.opt("memory").map(|v| v.span))
            .or_else(|| block.first("preset").map(|s| s.span));
        if let Some(sp) = mem {
            d = d.with_secondary(sp, "the memory request");
        }
        diags.push(d);
    }
}

fn poolers(block: &BBlock, diags: &mut Diagnostics, c: &ir::Cluster) {
    let reserved: Vec<String> = ["rw", "ro", "r", "any", "external"]
        .iter()
        .map(|s| format!("{}-{s}", c.name))
        .chain(std::iter::once(crate::names::objects::external_service(c)))
        .collect();
    for p in block.all("pooler") {
        let Some(arg) = p.arg(0) else { continue };
        let name = arg.as_text().unwrap_or_default();
        if let Err(why) = rules::dns1035_label(name, 63) {
            let fix = if name.starts_with(|c: char| c.is_ascii_digit()) {
                crate::names::fit(
                    crate::names::Kind::Pooler.rule(),
                    &format!("pooler-{name}"),
                    "",
                )
            } else {
                crate::names::fit(crate::names::Kind::Pooler.rule(), name, "")
            };
            diags.push(
                Diagnostic::new(codes::E0303, arg.span, format!("`{name}` is not a valid pooler name: {why}"))
                    .with_label("the operator names a Service after it")
                    .with_help(format!("a Pooler's Service and Deployment take its name, and a Service name is a DNS-1035 label: write `{fix}`"))
                    .with_fix(arg.span, fix),
            );
        } else if reserved.iter().any(|r| r == name) {
            diags.push(
                Diagnostic::new(codes::E0813, arg.span, format!("the Service `{name}` already belongs to cluster `{}`", c.name))
                    .with_label("name taken by the operator's Service")
                    .with_help(format!("the operator creates the Services {}-rw, -ro, -r (and -external here) for the cluster, and a Pooler gets a Service of its own name: choose another name, e.g. {}-pooler", c.name, c.name)),
            );
        }
        let Some(b) = p.block() else { continue };
        if let Some(m) = b.first("mode")
            && m.text_arg(0) == Some("statement")
        {
            let sp = m.arg(0).map(|a| a.span).unwrap_or(m.span);
            diags.push(
                Diagnostic::new(codes::E0807, sp, "the Pooler has no `statement` pool mode")
                    .with_label("refused by the Pooler CRD")
                    .with_help("CloudNativePG's Pooler accepts poolMode session or transaction; `transaction` is the closest")
                    .with_fix(sp, "transaction"),
            );
        }
        for e in b.first("parameters").map(|s| s.map()).unwrap_or_default() {
            if PGBOUNCER_PARAMETERS.contains(&e.key.as_str()) {
                continue;
            }
            let (sug, _) = suggest::help_text(&e.key, PGBOUNCER_PARAMETERS, "parameter");
            let mut d = Diagnostic::new(
                codes::E0806,
                e.key_span,
                format!("CloudNativePG does not let a Pooler set `{}`", e.key),
            )
            .with_label("not on the operator's list")
            .with_help(match sug {
                Some(s) => format!("did you mean `{s}`? The operator sets the others itself (listen address, auth file, TLS files…) and refuses the Pooler (\"Invalid or reserved parameter\")"),
                None => "the operator sets the other PgBouncer parameters itself (listen address, auth file, TLS files…) and refuses the Pooler (\"Invalid or reserved parameter\"); see docs/rules.md for the list".to_string(),
            });
            if let Some(s) = sug {
                d = d.with_fix(e.key_span, s);
            }
            diags.push(d);
        }
    }
}

fn recovery_target(b: &BBlock, diags: &mut Diagnostics, bootstrap: bool) {
    let mut refuse = |sp: Span, msg: String, help: &str| {
        diags.push(
            Diagnostic::new(codes::E0808, sp, msg)
                .with_label("refused by the operator")
                .with_help(help.to_string()),
        );
    };
    if let Some(a) = b.first("target_timeline").and_then(|s| s.arg(0)) {
        let t = a.as_text().unwrap_or_default();
        if t != "latest" && !t.parse::<u32>().is_ok_and(|n| n >= 1) {
            refuse(
                a.span,
                format!("`{t}` is not a timeline"),
                "CloudNativePG accepts `latest` or a positive number (targetTLI)",
            );
        }
    }
    if let Some(a) = b.first("target_xid").and_then(|s| s.arg(0))
        && a.as_int().is_some_and(|x| x > i64::from(u32::MAX))
    {
        refuse(
            a.span,
            format!("{} is not a transaction id", a.as_int().unwrap_or_default()),
            "a transaction id is a 32-bit number (at most 4294967295); PostgreSQL would read another one",
        );
    }
    if let Some(a) = b.first("target_name").and_then(|s| s.arg(0)) {
        let n = a.as_text().unwrap_or_default();
        if n.len() >= 64 {
            refuse(
                a.span,
                format!("the restore point name is {} bytes long", n.len()),
                "a restore point name is shorter than 64 bytes (pg_create_restore_point's limit)",
            );
        } else if n.chars().any(|c| c.is_control()) {
            refuse(
                a.span,
                "a restore point name may not hold control characters".into(),
                "remove the control characters (the webhook refuses them)",
            );
        }
    }
    // Without a Backup object to start from, a target that is not a time
    // needs the backup to start from (the webhook: "BackupID is missing").
    if bootstrap
        && b.first("backup").is_none()
        && b.first("backup_id").is_none()
        && let Some(t) = ["target_name", "target_xid", "target_immediate"]
            .iter()
            .find_map(|k| b.first(k))
    {
        diags.push(
            Diagnostic::new(codes::E0808, t.head_span, format!("`{}` needs `backup_id`", t.key))
                .with_label("the operator cannot choose the backup")
                .with_help("only a time or LSN target lets the operator pick the backup to start from; add `backup_id <backup>`"),
        );
    }
}

fn placement(block: &BBlock, diags: &mut Diagnostics) {
    let label = |diags: &mut Diagnostics, v: &BVal, what: &str, ok: Result<(), String>| {
        if let Err(why) = ok {
            diags.push(
                Diagnostic::new(codes::E0310, v.span, format!("`{}` is not a valid {what}: {why}", v.as_text().unwrap_or_default()))
                    .with_label(format!("invalid {what}"))
                    .with_help("node labels and taints follow the label rules: a key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_`, `.`; a value the same without the prefix"),
            );
        }
    };
    if let Some(n) = block.first("nodepool") {
        if let Some(v) = n.arg(0) {
            label(
                diags,
                v,
                "node label value",
                rules::label_value(v.as_text().unwrap_or_default()),
            );
            if v.as_text().is_some_and(str::is_empty) {
                label(diags, v, "node pool", Err("it is empty".into()));
            }
        }
        if let Some(v) = n.opt("label") {
            label(
                diags,
                v,
                "node label key",
                rules::qualified_name(v.as_text().unwrap_or_default()),
            );
        }
        if let Some(v) = n.opt("taint") {
            label(
                diags,
                v,
                "taint key",
                rules::qualified_name(v.as_text().unwrap_or_default()),
            );
        }
    }
    let class = |diags: &mut Diagnostics, v: Option<&BVal>, what: &str, refused: &str| {
        let Some(v) = v else { return };
        let t = v.as_text().unwrap_or_default();
        if let Err(why) = rules::dns1123_subdomain(t, rules::SUBDOMAIN_MAX) {
            let mut d = Diagnostic::new(
                codes::E0303,
                v.span,
                format!("`{t}` is not a valid {what} name: {why}"),
            )
            .with_label(format!("no {what} can have this name"))
            .with_help(format!(
                "{what} names are DNS subdomains (lower case letters, digits, `-`, `.`): {refused}"
            ));
            let fix = crate::names::sanitize(t, rules::LABEL_MAX);
            if !fix.is_empty() {
                d = d.with_fix(v.span, fix);
            }
            diags.push(d);
        }
    };
    let pvc = "the API server refuses PVCs that name it";
    let snap = "the API server refuses VolumeSnapshots that name it";
    class(
        diags,
        block.first("storage").and_then(|s| s.opt("class")),
        "StorageClass",
        pvc,
    );
    class(
        diags,
        block.first("wal_storage").and_then(|s| s.opt("class")),
        "StorageClass",
        pvc,
    );
    if let Some(s) = block.first("snapshots").and_then(|s| s.block()) {
        class(
            diags,
            s.first("class").and_then(|x| x.arg(0)),
            "VolumeSnapshotClass",
            snap,
        );
        class(
            diags,
            s.first("wal_class").and_then(|x| x.arg(0)),
            "VolumeSnapshotClass",
            snap,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        for r in [
            "postgres",
            "streaming_replica",
            "cnpg_pooler_pgbouncer",
            "pg_monitor",
            "public",
            "none",
        ] {
            assert!(reserved_role(r).is_some(), "{r}");
        }
        for r in ["app", "Postgres", "pgx", "cnpg"] {
            assert!(reserved_role(r).is_none(), "{r}");
        }
    }
}
