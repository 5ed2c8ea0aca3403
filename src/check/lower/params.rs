//! postgresql.conf parameters: takes one `parameters` entry, gives it with
//! its name normalized (PostgreSQL reads names case-insensitively, so
//! `Archive_Command` is `archive_command`), or the reason it is refused:
//! cnpgc's own policy (parameters that run commands or load code) or
//! CloudNativePG 1.30's webhook (`validateConfiguration` in
//! internal/webhook/v1/cluster_webhook.go: the name syntax, the fixed
//! parameters of pkg/postgres/configuration.go, the values of `wal_level`,
//! `wal_log_hints` and the other booleans, the WAL sizes). Parameters the
//! operator only defaults (`archive_timeout`, `wal_level`,
//! `max_replication_slots`, …) are the user's to set.

use super::*;
use crate::check::bind::BEntry;

/// Run commands or load code: refused by cnpgc whatever the operator says
/// (seed 003), so that editing a `.cnpg` file never means running code on
/// the database host.
pub(super) const BLOCKED: &[&str] = &[
    "archive_command",
    "restore_command",
    "archive_cleanup_command",
    "recovery_end_command",
    "ssl_passphrase_command",
    "dynamic_library_path",
    "local_preload_libraries",
    "session_preload_libraries",
];

/// CloudNativePG 1.30's `FixedConfigurationParameters` (pkg/postgres/
/// configuration.go) but those cnpgc already blocks and
/// `shared_preload_libraries` (a statement of its own): the webhook refuses
/// them ("Can't set fixed configuration parameter").
pub(super) const OPERATOR_MANAGED: &[&str] = &[
    "allow_system_table_mods",
    "archive_mode",
    "bonjour",
    "bonjour_name",
    "cluster_name",
    "config_file",
    "data_directory",
    "data_sync_retry",
    "event_source",
    "external_pid_file",
    "hba_file",
    "hot_standby",
    "ident_file",
    "jit_provider",
    "listen_addresses",
    "log_destination",
    "log_directory",
    "log_file_mode",
    "log_filename",
    "log_rotation_age",
    "log_rotation_size",
    "log_truncate_on_rotation",
    "logging_collector",
    "pg_failover_slots.primary_dsn",
    "pg_failover_slots.standby_slot_names",
    "port",
    "primary_conninfo",
    "primary_slot_name",
    "promote_trigger_file",
    "recovery_min_apply_delay",
    "recovery_target",
    "recovery_target_action",
    "recovery_target_inclusive",
    "recovery_target_lsn",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_timeline",
    "recovery_target_xid",
    "restart_after_crash",
    "ssl",
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_crl_file",
    "ssl_dh_params_file",
    "ssl_ecdh_curve",
    "ssl_key_file",
    "ssl_passphrase_command_supports_reload",
    "ssl_prefer_server_ciphers",
    "stats_temp_directory",
    "synchronized_standby_slots",
    "synchronous_standby_names",
    "syslog_facility",
    "syslog_ident",
    "syslog_sequence_numbers",
    "syslog_split_messages",
    "temp_tablespaces",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
];

/// The webhook's `postgresParameterNameRegex`:
/// `^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`.
pub fn valid_parameter_name(name: &str) -> bool {
    let part = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    match name.split_once('.') {
        None => part(name),
        Some((a, b)) => part(a) && part(b),
    }
}

/// CloudNativePG's `ParsePostgresConfigBoolean` (pkg/postgres/booleans.go).
pub fn pg_boolean(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "on" | "y" | "ye" | "yes" | "t" | "tr" | "tru" | "true" => Some(true),
        "0" | "of" | "off" | "n" | "no" | "f" | "fa" | "fal" | "fals" | "false" => Some(false),
        _ => None,
    }
}

/// The webhook's `parsePostgresQuantityValue`: a bare number is MB; a unit
/// must end in `B` (kB, MB, GB, TB); spaces are dropped. Gives bytes.
pub fn webhook_bytes(value: &str) -> Option<f64> {
    let v: String = value.chars().filter(|c| *c != ' ').collect();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<f64>().ok().map(|n| n * 1024f64.powi(2));
    }
    let num = v.strip_suffix('B')?;
    let split = num
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(num.len());
    let (n, unit) = num.split_at(split);
    let n: f64 = n.parse().ok()?;
    let mult = match unit {
        "" => 1.0,
        "k" | "K" => 1024.0,
        "M" => 1024f64.powi(2),
        "G" => 1024f64.powi(3),
        "T" => 1024f64.powi(4),
        "P" => 1024f64.powi(5),
        _ => return None,
    };
    Some(n * mult)
}

impl ClusterLowering<'_> {
    /// One `parameters` entry: `(name, value)` to write, or a diagnostic.
    pub(super) fn parameter(
        &mut self,
        e: &BEntry,
        seen: &mut Vec<(String, Span)>,
    ) -> Option<(String, String)> {
        let value = e.val.as_text().unwrap_or_default().to_string();
        let key = e.key.trim().to_ascii_lowercase();
        if !valid_parameter_name(&key) {
            self.diags.push(
                Diagnostic::new(codes::E0812, e.key_span, format!("`{}` is not a PostgreSQL parameter name", e.key.escape_debug()))
                    .with_label("invalid parameter name")
                    .with_help("a parameter name is letters, digits, `_` and `$`, not starting with a digit, optionally `prefix.name`; CloudNativePG refuses anything else (names are written verbatim into postgresql.conf)"),
            );
            return None;
        }
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            self.diags.push(
                Diagnostic::new(codes::E0204, e.key_span, format!("`{key}` is set twice"))
                    .with_label("second time")
                    .with_secondary(*first, "first set here")
                    .with_help("PostgreSQL reads parameter names without regard to case: keep one"),
            );
            return None;
        }
        seen.push((key.clone(), e.key_span));
        if BLOCKED.contains(&key.as_str()) {
            self.diags.push(
                Diagnostic::new(codes::E0601, e.key_span, format!("`{key}` is refused: it runs commands or loads code"))
                    .with_label("blocked parameter")
                    .with_help("parameters that execute commands or load libraries would give anyone who can edit this file code execution on the database host; the operator configures archiving and recovery itself"),
            );
            return None;
        }
        if key == "shared_preload_libraries" {
            self.diags.push(
                Diagnostic::new(
                    codes::E0602,
                    e.key_span,
                    "`shared_preload_libraries` is set with its own statement",
                )
                .with_label("not a free parameter")
                .with_help(format!(
                    "write: shared_preload_libraries {}",
                    value.replace(',', ", ")
                ))
                .with_fix(
                    e.key_span.to(e.val.span),
                    format!("shared_preload_libraries {}", value.replace(',', ", ")),
                ),
            );
            return None;
        }
        if OPERATOR_MANAGED.contains(&key.as_str()) {
            self.diags.push(
                Diagnostic::new(codes::E0602, e.key_span, format!("the operator manages `{key}`"))
                    .with_label("operator-managed parameter")
                    .with_help("CloudNativePG 1.30 sets this parameter itself (replication, archiving, TLS, logging, paths) and its webhook refuses the Cluster (\"Can't set fixed configuration parameter\")"),
            );
            return None;
        }
        Some((key, value))
    }

    /// The values CloudNativePG 1.30's webhook checks (E0804).
    pub(super) fn parameter_values(
        &mut self,
        t: &ir::Tuning,
        instances: u32,
        params: Option<&BStmt>,
        replica: bool,
    ) {
        let entry = |k: &str| {
            params.and_then(|p| {
                p.map()
                    .iter()
                    .find(|e| e.key.trim().eq_ignore_ascii_case(k))
                    .cloned()
            })
        };
        let get = |k: &str| {
            t.parameters
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        };
        let refuse = |diags: &mut Diagnostics, e: &BEntry, msg: String, help: &str| {
            diags.push(
                Diagnostic::new(codes::E0804, e.val.span, msg)
                    .with_label("refused by the operator")
                    .with_help(help.to_string()),
            );
        };
        if let (Some(v), Some(e)) = (get("wal_level"), entry("wal_level")) {
            match v.as_str() {
                "logical" | "replica" => {}
                "minimal" => refuse(
                    self.diags,
                    &e,
                    "`wal_level` minimal is refused: CloudNativePG archives WAL (archive_mode on)"
                        .into(),
                    "the webhook wants `replica` or `logical` whenever archive_mode is on, instances > 1 or the cluster is a replica; CloudNativePG turns archive_mode on for every cluster it does not hibernate",
                ),
                other => refuse(
                    self.diags,
                    &e,
                    format!("`{other}` is not a wal_level"),
                    "use `logical` (the operator's default) or `replica`",
                ),
            }
        }
        let _ = replica;
        for k in [
            "wal_log_hints",
            "hot_standby_feedback",
            "sync_replication_slots",
        ] {
            if let (Some(v), Some(e)) = (get(k), entry(k)) {
                match pg_boolean(&v) {
                    None => refuse(
                        self.diags,
                        &e,
                        format!("`{v}` is not a PostgreSQL boolean for `{k}`"),
                        "write on or off (true, false, yes, no, 1, 0 also work)",
                    ),
                    Some(false) if k == "wal_log_hints" && instances > 1 => refuse(
                        self.diags,
                        &e,
                        format!("`wal_log_hints` must be on with {instances} instances"),
                        "standbys are resynchronised with pg_rewind after a failover, which needs wal_log_hints; remove the parameter (the operator sets it on)",
                    ),
                    _ => {}
                }
            }
        }
        let mut sizes: Vec<(&str, Option<f64>)> = Vec::new();
        for k in ["shared_buffers", "min_wal_size", "max_wal_size"] {
            if let (Some(v), Some(e)) = (get(k), entry(k)) {
                let b = webhook_bytes(&v);
                if b.is_none() {
                    refuse(
                        self.diags,
                        &e,
                        format!("`{v}` is not a size CloudNativePG reads for `{k}`"),
                        "write a number of megabytes (256) or a number and a unit ending in B: 256MB, 1GB (kB, MB, GB, TB)",
                    );
                }
                sizes.push((k, b));
            }
        }
        let size = |k: &str| sizes.iter().find(|(n, _)| *n == k).and_then(|(_, b)| *b);
        let min = size("min_wal_size").unwrap_or(80.0 * 1024f64.powi(2));
        let max = size("max_wal_size").unwrap_or(1024f64.powi(3));
        if min >= max
            && let Some(e) = entry("min_wal_size").or_else(|| entry("max_wal_size"))
        {
            refuse(
                self.diags,
                &e,
                "`min_wal_size` must be below `max_wal_size`".into(),
                "the defaults are 80MB and 1GB; keep min_wal_size below max_wal_size",
            );
        }
        if let Some((wal, _)) = &t.wal_storage
            && let Ok(q) = crate::check::values::quantity(wal)
        {
            for k in ["min_wal_size", "max_wal_size"] {
                if let (Some(b), Some(e)) = (size(k), entry(k))
                    && b >= q.value
                {
                    refuse(
                        self.diags,
                        &e,
                        format!("`{k}` is not below the WAL volume ({wal})"),
                        "the WAL volume must hold more than max_wal_size; grow `wal_storage` or lower the parameter",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_booleans_sizes() {
        assert!(valid_parameter_name("work_mem"));
        assert!(valid_parameter_name("pg_stat_statements.max"));
        assert!(valid_parameter_name("_x$1"));
        for bad in ["", "1x", "a.b.c", "archive_command ", "a-b", "a.", "é"] {
            assert!(!valid_parameter_name(bad), "{bad}");
        }
        assert_eq!(pg_boolean("On"), Some(true));
        assert_eq!(pg_boolean("fal"), Some(false));
        assert_eq!(pg_boolean("maybe"), None);
        assert_eq!(webhook_bytes("256"), Some(256.0 * 1024.0 * 1024.0));
        assert_eq!(webhook_bytes("1 GB"), Some(1024f64.powi(3)));
        assert_eq!(webhook_bytes("128kB"), Some(128.0 * 1024.0));
        assert_eq!(webhook_bytes("8MiB"), None);
        assert_eq!(webhook_bytes("1G"), None);
    }
}
