//! Recovery: point-in-time recovery clusters (day2), recovery bootstraps,
//! DR replicas and volume snapshots; the "expected empty archive" trap.

use super::*;

impl ClusterLowering<'_> {
    /// Recovery targets of a `pitr` or `recovery` block.
    fn target(&mut self, b: &BBlock) -> ir::RecoveryTarget {
        let text = |k: &str| b.first(k).and_then(|s| s.text_arg(0)).map(str::to_string);
        let t = ir::RecoveryTarget {
            backup_id: text("backup_id"),
            time: text("target_time"),
            lsn: text("target_lsn"),
            name: text("target_name"),
            xid: b
                .first("target_xid")
                .and_then(|s| s.arg(0))
                .and_then(|v| v.as_int()),
            immediate: b
                .first("target_immediate")
                .and_then(|s| s.arg(0))
                .is_some_and(|v| matches!(v.v, Val::Bool(true))),
            timeline: text("target_timeline"),
            exclusive: b
                .first("exclusive")
                .and_then(|s| s.arg(0))
                .is_some_and(|v| matches!(v.v, Val::Bool(true))),
        };
        let targets: Vec<&BStmt> = [
            "target_time",
            "target_lsn",
            "target_name",
            "target_xid",
            "target_immediate",
        ]
        .iter()
        .filter_map(|k| b.first(k))
        .collect();
        if targets.len() > 1 {
            self.diags.push(
                Diagnostic::new(codes::E0204, targets[1].head_span, "a recovery stops at one target")
                    .with_label("second target")
                    .with_secondary(targets[0].head_span, "first target")
                    .with_help("keep one of target_time, target_lsn, target_name, target_xid, target_immediate"),
            );
        }
        if let Some(id) = &t.backup_id
            && !is_backup_id(id)
        {
            let sp = b
                .first("backup_id")
                .and_then(|s| s.arg(0))
                .map(|a| a.span)
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                codes::E0509,
                sp,
                format!("`{id}` is not a barman backup ID"),
            )
            .with_label("barman and the plugin match backups by their ID, the time they started")
            .with_help(
                "a backup ID looks like 20240101T020000 (barman-cloud-backup-list, or status.backupId of a \
                 Backup object; not the Backup object's name); or leave `backup_id` out and give \
                 `target_time`: the recovery starts from the latest backup that ended before it",
            );
            if let Some(fixed) = backup_id_in(id) {
                d = d.with_fix(sp, format!("\"{fixed}\""));
            }
            self.diags.push(d);
        }
        if let Some(lsn) = &t.lsn
            && !lsn.split_once('/').is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.chars().chain(b.chars()).all(|c| c.is_ascii_hexdigit())
            })
        {
            let sp = b
                .first("target_lsn")
                .and_then(|s| s.arg(0))
                .map(|a| a.span)
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::new(
                    codes::E0301,
                    sp,
                    format!("`{lsn}` is not a log sequence number"),
                )
                .with_label("expected XXX/YYY in hexadecimal")
                .with_help("an LSN looks like \"0/3000060\" (SELECT pg_current_wal_lsn())"),
            );
        }
        t
    }

    /// The ObjectStore CR of a `from STORE` reference, reporting when it names nothing.
    fn store_ref(&mut self, v: &BVal, stores: &[ir::ObjectStore]) -> Option<String> {
        let sname = v.as_text().unwrap_or_default();
        match stores.iter().find(|s| s.name == sname) {
            Some(s) => Some(s.cr_name.clone()),
            None => {
                let cands: Vec<&str> = stores.iter().map(|s| s.name.as_str()).collect();
                unresolved(self.diags, v.span, "object store", sname, &cands);
                None
            }
        }
    }

    pub(super) fn pitrs(
        &mut self,
        stores: &[ir::ObjectStore],
        postgres: &ir::PgVersion,
    ) -> Vec<ir::Pitr> {
        let stmts: Vec<BStmt> = self.block.all("pitr").cloned().collect();
        let mut out: Vec<ir::Pitr> = Vec::new();
        for p in &stmts {
            let name = p.text_arg(0).unwrap_or_default().to_string();
            let name_span = p.arg(0).map(|a| a.span).unwrap_or(p.span);
            let b = p.block().cloned().unwrap_or_default();
            let mut target = self.target(&b);
            let no_stop = target.time.is_none()
                && target.lsn.is_none()
                && target.name.is_none()
                && target.xid.is_none();
            if target.backup_id.is_none() && no_stop {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0203,
                        p.head_span.to(name_span),
                        format!("pitr `{name}` needs `target_time` or `backup_id`"),
                    )
                    .with_label("recover to where?")
                    .with_help("add `target_time \"2024-01-01T10:00:00Z\"` (the latest backup that ended before it is restored, then WAL replayed up to it), or `backup_id 20240101T020000` (barman's ID of one backup)"),
                );
                continue;
            }
            if no_stop {
                // Without a target, restore exactly the named backup.
                target.immediate = true;
            }
            let store = match b.first("from").and_then(|s| s.arg(0)).cloned() {
                Some(v) => self.store_ref(&v, stores),
                None => {
                    match stores {
                        [only] => Some(only.cr_name.clone()),
                        [] => {
                            self.diags.push(
                            Diagnostic::new(codes::E0504, p.head_span.to(name_span), format!("pitr `{name}` has no backup source"))
                                .with_label("the cluster has no object store")
                                .with_help("link an object store (`link minio < … >`) that holds the backups"),
                        );
                            None
                        }
                        _ => {
                            self.diags.push(
                            Diagnostic::new(codes::E0203, p.head_span.to(name_span), format!("pitr `{name}` needs `from`: the cluster has several object stores"))
                                .with_label("which store?")
                                .with_help(format!("add: from {}", stores[0].name)),
                        );
                            None
                        }
                    }
                }
            };
            let pv = match b.first("postgres") {
                Some(s) => self.version(Some(s)),
                None => postgres.clone(),
            };
            if pv.major != postgres.major {
                let sp = b.first("postgres").map(|s| s.span).unwrap_or(p.span);
                self.diags.push(
                    Diagnostic::new(codes::E0306, sp, format!("a recovery must run PostgreSQL {} like the backup", postgres.major))
                        .with_label(format!("PostgreSQL {} here", pv.major))
                        .with_help("physical backups restore only on the same major version; upgrade after the recovery"),
                );
            }
            if let Some(prev) = out.iter().find(|o| o.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        name_span,
                        format!("pitr `{name}` is declared twice"),
                    )
                    .with_secondary(prev.span, "first declared here"),
                );
                continue;
            }
            if name == self.name {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        name_span,
                        "a recovery cluster needs a name of its own",
                    )
                    .with_label("same name as the cluster")
                    .with_help(format!("for example: pitr {}-pitr < … >", self.name)),
                );
                continue;
            }
            let Some(store_cr) = store else { continue };
            out.push(ir::Pitr {
                image: image_for(&pv),
                name,
                span: p.span,
                postgres: pv,
                store_cr,
                target,
            });
        }
        out
    }

    pub(super) fn recovery(&mut self, stores: &[ir::ObjectStore]) -> Option<ir::Recovery> {
        let s = self.block.first("recovery")?.clone();
        let b = s.block().cloned().unwrap_or_default();
        let target = self.target(&b);
        let from = b.first("from").and_then(|x| x.arg(0)).cloned();
        let backup = b
            .first("backup")
            .and_then(|x| x.text_arg(0))
            .map(str::to_string);
        let server = b
            .first("server")
            .and_then(|x| x.text_arg(0))
            .unwrap_or(&self.name)
            .to_string();
        let source = match (from, backup) {
            (Some(f), None) => ir::RecoverySource::Store {
                cr_name: self.store_ref(&f, stores)?,
                server,
            },
            (None, Some(bk)) => ir::RecoverySource::Backup(bk),
            (Some(_), Some(_)) => {
                let sp = b.first("backup").map(|x| x.head_span).unwrap_or(s.span);
                self.diags.push(
                    Diagnostic::new(codes::E0204, sp, "a recovery reads from a store or from a Backup object, not both")
                        .with_label("second source")
                        .with_help("keep `from STORE` (object store) or `backup NAME` (a Backup object, e.g. volume snapshots)"),
                );
                return None;
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::new(codes::E0504, s.head_span, "the recovery has no source")
                        .with_label("restore from where?")
                        .with_help("add `from STORE` (an object store link of this cluster) or `backup NAME` (a Backup object)"),
                );
                return None;
            }
        };
        // The expected-empty-archive trap: archiving into the folder the
        // recovery reads from.
        if let ir::RecoverySource::Store { cr_name, server } = &source
            && let Some(w) = stores.iter().find(|x| x.archive && &x.cr_name == cr_name)
        {
            let archive_server = w.server_name.clone().unwrap_or_else(|| self.name.clone());
            if &archive_server == server && !w.skip_empty_wal_check {
                self.diags.push(
                    Diagnostic::new(codes::E0505, s.head_span, format!("the cluster would archive into `{server}/`, the folder it recovers from"))
                        .with_label("recovers from this server's backups")
                        .with_secondary(w.span, "and archives WAL to the same folder")
                        .with_help(format!(
                            "the operator refuses to archive into a folder that already holds WAL (\"Expected empty archive\"). \
                             Give the new cluster its own folder: `server_name {}-2` on the store link; only when this is the same cluster's own prior WAL, \
                             `skip_empty_wal_check true` (warns)",
                            self.name
                        )),
                );
            }
        }
        Some(ir::Recovery {
            span: s.span,
            source,
            target,
        })
    }

    pub(super) fn replica(&mut self, stores: &[ir::ObjectStore]) -> Option<ir::Replica> {
        let s = self.block.first("replica")?.clone();
        let b = s.block().cloned().unwrap_or_default();
        let text = |k: &str| b.first(k).and_then(|x| x.text_arg(0)).map(str::to_string);
        let Some(source) = text("source") else {
            self.diags.push(
                Diagnostic::new(codes::E0504, s.head_span, "the replica has no source")
                    .with_label("replicate which cluster?")
                    .with_help("add: source <name of the primary cluster>"),
            );
            return None;
        };
        if source == self.name {
            self.diags.push(
                Diagnostic::new(
                    codes::E0206,
                    b.first("source").map(|x| x.span).unwrap_or(s.span),
                    "a cluster cannot replicate itself",
                )
                .with_label("this cluster"),
            );
            return None;
        }
        let secret_of = |x: &BStmt, default_key: &str| -> Option<ir::SecretKey> {
            match x.arg(0).map(|v| &v.v) {
                Some(Val::Secret(SecretSource::Existing { name })) => Some(ir::SecretKey {
                    secret: name.clone(),
                    key: x
                        .opt("key")
                        .and_then(|v| v.as_text())
                        .unwrap_or(default_key)
                        .to_string(),
                }),
                _ => None,
            }
        };
        for k in ["password", "ca", "cert"] {
            if let Some(x) = b.first(k)
                && let Some(v) = x.arg(0)
                && !matches!(v.v, Val::Secret(SecretSource::Existing { .. }))
            {
                self.diags.push(
                    Diagnostic::new(codes::E0402, v.span, format!("`{k}` names an existing Secret"))
                        .with_label("expected secret(\"name\")")
                        .with_help("the replication credentials come from the source cluster: copy its Secret into this namespace and name it here"),
                );
            }
        }
        let ca = b.first("ca").and_then(|x| secret_of(x, "ca.crt"));
        let streaming = text("host").map(|host| ir::Streaming {
            host,
            port: b
                .first("port")
                .and_then(|x| x.arg(0))
                .and_then(|v| v.as_int())
                .unwrap_or(5432),
            user: text("user").unwrap_or_else(|| "streaming_replica".into()),
            password: b.first("password").and_then(|x| secret_of(x, "password")),
            ssl_mode: text("ssl_mode").unwrap_or_else(|| {
                if ca.is_some() {
                    "verify-full".into()
                } else {
                    "require".into()
                }
            }),
            ca: ca.clone(),
            cert: b
                .first("cert")
                .and_then(|x| secret_of(x, "tls.crt"))
                .map(|k| k.secret),
        });
        if let Some(st) = &streaming
            && st.password.is_none()
            && st.cert.is_none()
        {
            let sp = b.first("host").map(|x| x.span).unwrap_or(s.span);
            self.diags.push(
                Diagnostic::new(codes::E0203, sp, "streaming from the source needs `password` or `cert`")
                    .with_label("no credentials for the replication user")
                    .with_help("add: password secret(\"…\") (the source's replication user), or cert secret(\"…\") (a TLS client certificate)"),
            );
        }
        let server = text("server").unwrap_or_else(|| source.clone());
        let store = match b.first("from").and_then(|x| x.arg(0)).cloned() {
            Some(v) => self.store_ref(&v, stores).map(|cr| (cr, server)),
            None => None,
        };
        if streaming.is_none() && store.is_none() && b.first("from").is_none() {
            self.diags.push(
                Diagnostic::new(codes::E0504, s.head_span, format!("the replica of `{source}` has no way to reach it"))
                    .with_label("neither streaming nor a WAL archive")
                    .with_help("add `host …` (streaming replication) and/or `from STORE` (the source's WAL archive)"),
            );
            return None;
        }
        if let Some((cr, server)) = &store
            && let Some(w) = stores.iter().find(|x| x.archive && &x.cr_name == cr)
            && w.server_name.as_deref().unwrap_or(&self.name) == server
        {
            self.diags.push(
                Diagnostic::new(codes::E0505, w.span, "the replica would archive into the folder its source archives to")
                    .with_label("archives here")
                    .with_help(format!("give the replica its own folder (`server_name {}`), or mark the store `archive false`", self.name)),
            );
        }
        Some(ir::Replica {
            span: s.span,
            source,
            streaming,
            store,
            primary: text("primary"),
            promotion_token: text("promotion_token"),
        })
    }

    pub(super) fn snapshots(&mut self) -> Option<ir::Snapshots> {
        let s = self.block.first("snapshots")?.clone();
        let b = s.block().cloned().unwrap_or_default();
        let text = |k: &str| b.first(k).and_then(|x| x.text_arg(0)).map(str::to_string);
        let Some(class) = text("class") else {
            self.diags.push(
                Diagnostic::new(codes::E0203, s.head_span, "`snapshots` needs `class`")
                    .with_label("which VolumeSnapshotClass?")
                    .with_help("add: class <VolumeSnapshotClass>"),
            );
            return None;
        };
        Some(ir::Snapshots {
            span: s.span,
            class,
            wal_class: text("wal_class"),
            schedule: text("schedule"),
            online: b
                .first("online")
                .and_then(|x| x.arg(0))
                .is_none_or(|v| !matches!(v.v, Val::Bool(false))),
        })
    }
}

/// barman's backup ID: the time the backup started, `YYYYMMDDTHHMMSS`
/// (barman/cloud.py: `datetime.now().strftime("%Y%m%dT%H%M%S")`).
pub(crate) fn is_backup_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 15 && b[8] == b'T' && b[..8].iter().chain(&b[9..]).all(u8::is_ascii_digit)
}

/// The backup ID inside a Backup object's name as the plugin writes it
/// (`backup-20240101020000`: plugin internal/cnpgi/instance/backup.go), or
/// a name that carries one (`backup-20240101T020000`).
fn backup_id_in(s: &str) -> Option<String> {
    let tail = s.rsplit('-').next()?;
    if is_backup_id(tail) {
        return Some(tail.to_string());
    }
    (tail.len() == 14 && tail.bytes().all(|c| c.is_ascii_digit()))
        .then(|| format!("{}T{}", &tail[..8], &tail[8..]))
}
