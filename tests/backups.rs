//! Backups that restore (issue 13): cnpgc's emitted ObjectStores, Cluster
//! plugin entries, ScheduledBackups and recovery clusters driven through the
//! real barman-cloud tools, an S3 server (moto) and PostgreSQL, by the
//! plugin model in tests/support/barman.rs. Each test prints its figures
//! (backups taken, WAL segments archived, rows checked).

mod support;

use std::time::{Duration, Instant};

use support::barman::{self, Build, S3Server, Secrets, Sidecar, Tools, at, s};
use support::grants;
use support::pg::PgServer;

/// The Secret the ObjectStore names, holding the S3 server's key under the
/// usual AWS names (seed 003).
fn aws_secret(s3: &S3Server, name: &str) -> Secrets {
    let mut secrets = Secrets::new();
    secrets.insert(
        name.to_string(),
        [
            ("AWS_ACCESS_KEY_ID".to_string(), s3.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY".to_string(), s3.secret_key.clone()),
        ]
        .into(),
    );
    secrets
}

/// The store link of the tests: the S3 server, the Secret by its AWS keys.
fn store(s3: &S3Server, name: &str, bucket: &str, path: &str, extra: &str) -> String {
    format!(
        "link s3 {name} <\n    bucket {bucket}\n    path {path}\n    endpoint \"{}\"\n    \
         credentials secret(\"objstore\") keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY\n    {extra}\n  >",
        s3.endpoint()
    )
}

/// The production cluster of the tests: database `shop` with an owner and
/// two users, archiving to `s3://prod-backups/cnpg/shop/shop-db/`; `extra`
/// statements appended.
fn shop(s3: &S3Server, extra: &str) -> String {
    format!(
        "cluster shop-db <\n  namespace shop\n  postgres {}\n  \
         db shop <\n    owner shop\n    user analyst grants connect, read\n    user api grants connect, read, write\n  >\n  \
         {}\n  {extra}\n>\n",
        local_major(),
        store(s3, "backups", "prod-backups", "cnpg/shop", "retention 7d")
    )
}

/// The harness's PostgreSQL major: cnpgc's image and the server must agree.
fn local_major() -> String {
    support::pg::server_major().to_string()
}

/// Switches WAL and waits until the archiver has shipped the segment;
/// gives its name. Fails with the server log when archiving fails.
fn switch_and_wait(pg: &PgServer) -> String {
    let seg = pg.sql("postgres", "SELECT pg_walfile_name(pg_switch_wal())");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let st = pg.sql(
            "postgres",
            "SELECT coalesce(last_archived_wal, '') || ' ' || failed_count || ' ' || coalesce(last_failed_wal, '') FROM pg_stat_archiver",
        );
        let mut it = st.split(' ');
        let archived = it.next().unwrap_or_default();
        if archived >= seg.as_str() && !archived.is_empty() {
            return seg;
        }
        if Instant::now() > deadline {
            panic!(
                "segment {seg} not archived: {st}\n--- server log ---\n{}",
                pg.log_contents()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The server's clock, RFC 3339 in UTC, to the second.
fn server_time(pg: &PgServer) -> String {
    pg.sql(
        "postgres",
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    )
}

fn insert(pg: &PgServer, from: u32, to: u32, tag: &str) {
    pg.sql(
        "shop",
        &format!("INSERT INTO orders SELECT n, '{tag}' FROM generate_series({from}, {to}) AS n"),
    );
}

fn count(pg: &PgServer, tag: &str) -> u32 {
    pg.sql(
        "shop",
        &format!("SELECT count(*) FROM orders WHERE tag = '{tag}'"),
    )
    .parse()
    .unwrap()
}

/// WAL segments under a server's folder.
fn wal_objects(s3: &S3Server, bucket: &str, folder: &str) -> Vec<String> {
    s3.keys(bucket, &format!("{folder}/wals/"))
        .into_iter()
        .filter(|k| !k.ends_with(".history"))
        .collect()
}

/// A primary archiving through the sidecar of the emitted `shop-db`: the
/// operator's roles and databases, the grant Job's SQL, a table `orders`.
fn primary(tools: &Tools, b: &Build, secrets: &Secrets) -> (Sidecar, PgServer) {
    let cluster = b.doc("cluster.yaml", "Cluster", "shop-db");
    let stores = b.stores("shop");
    let sidecar = Sidecar::of_cluster(tools, cluster, &stores, secrets).unwrap();
    // A new cluster's first archive runs the empty-archive check.
    sidecar.check_wal_archive().unwrap();
    let pg = PgServer::start_configured(&sidecar.archiving_conf().unwrap());
    let ir = &b.program.clusters[0];
    grants::operator(&pg, ir);
    pg.try_sql_as(
        "shop",
        "shop",
        "CREATE TABLE orders (n int PRIMARY KEY, tag text)",
    )
    .unwrap();
    grants::apply(&pg, ir);
    (sidecar, pg)
}

/// The ScheduledBackup cnpgc writes asks the plugin for the base backups of
/// this cluster (the operator's ScheduledBackup → Backup with method plugin).
fn assert_scheduled_by_plugin(b: &Build, cluster: &str) -> String {
    let sb = b.doc(
        "schedule-backup.yaml",
        "ScheduledBackup",
        &format!("{cluster}-scheduled"),
    );
    assert_eq!(s(sb, &["spec", "method"]), Some("plugin"));
    assert_eq!(
        s(sb, &["spec", "pluginConfiguration", "name"]),
        Some(barman::PLUGIN)
    );
    assert_eq!(s(sb, &["spec", "cluster", "name"]), Some(cluster));
    s(sb, &["spec", "schedule"]).unwrap().to_string()
}

/// Scenarios 1–3 on one primary and one base backup (each base backup and
/// each restore costs seconds of barman-cloud): archive and back up; PITR by
/// time and by backup ID; the prod → dev clone, which also shows that the
/// roles a restored cluster inherits keep working.
#[test]
fn scenarios_1_to_3_archive_backup_pitr_and_clone() {
    let Some(tools) = Tools::find() else { return };
    let s3 = S3Server::start(&tools, &["prod-backups", "dev-backups"]);
    let secrets = aws_secret(&s3, "objstore");
    let b = Build::new(&shop(&s3, ""));
    let schedule = assert_scheduled_by_plugin(&b, "shop-db");
    let (sidecar, pg) = primary(&tools, &b, &secrets);

    // 1. WAL archived, a base backup taken where the ObjectStore says.
    insert(&pg, 1, 100, "in-backup");
    assert_eq!(
        pg.try_sql_as("analyst", "shop", "SELECT count(*) FROM orders")
            .as_deref(),
        Ok("100")
    );
    switch_and_wait(&pg);
    let backup = sidecar.backup(&pg).unwrap();
    insert(&pg, 101, 150, "before");
    std::thread::sleep(Duration::from_millis(1100));
    let target = server_time(&pg);
    std::thread::sleep(Duration::from_millis(1100));
    insert(&pg, 151, 200, "after");
    switch_and_wait(&pg);
    let listed = sidecar.list().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, backup.id);
    assert!(
        super_id(&backup.id),
        "barman's backup ID is the time it started: {}",
        backup.id
    );
    let folder = "cnpg/shop/shop-db";
    let base = s3.keys("prod-backups", &format!("{folder}/base/{}/", backup.id));
    assert!(base.iter().any(|k| k.ends_with("backup.info")), "{base:?}");
    let wals = wal_objects(&s3, "prod-backups", folder);
    assert!(wals.len() >= 3, "{wals:?}");
    assert!(
        s3.keys("prod-backups", "")
            .iter()
            .all(|k| k.starts_with(&format!("{folder}/"))),
        "everything under s3://prod-backups/{folder}/"
    );
    eprintln!(
        "scenario 1: schedule \"{schedule}\" (method plugin); base backup {} listed by barman-cloud-backup-list; \
         {} WAL segments archived under s3://prod-backups/{folder}/; 200 rows written",
        backup.id,
        wals.len()
    );

    // 2a. PITR by time, no backup ID: the latest backup that ended before it.
    let pitr = Build::new(&shop(
        &s3,
        &format!("pitr shop-db-pitr < target_time \"{target}\" >"),
    ));
    let doc = pitr.doc("point-in-time-recovery.yaml", "Cluster", "shop-db-pitr");
    let rt = ["spec", "bootstrap", "recovery", "recoveryTarget"];
    assert_eq!(
        s(doc, &[&rt[..], &["targetTime"]].concat()),
        Some(target.as_str())
    );
    assert!(at(doc, &[&rt[..], &["backupID"]].concat()).is_none());
    let r = barman::recover(&tools, doc, &pitr.stores("shop"), &secrets).unwrap();
    assert_eq!(r.backup.id, backup.id);
    let got = (
        count(&r.pg, "in-backup"),
        count(&r.pg, "before"),
        count(&r.pg, "after"),
    );
    assert_eq!(
        got,
        (100, 50, 0),
        "rows before {target} present, after absent"
    );
    drop(r);

    // 2b. By barman's backup ID: exactly that backup, consistent, no further.
    let by_id = Build::new(&shop(
        &s3,
        &format!("pitr shop-db-at-backup < backup_id \"{}\" >", backup.id),
    ));
    let doc = by_id.doc(
        "point-in-time-recovery.yaml",
        "Cluster",
        "shop-db-at-backup",
    );
    assert_eq!(
        s(doc, &[&rt[..], &["backupID"]].concat()),
        Some(backup.id.as_str())
    );
    let r = barman::recover(&tools, doc, &by_id.stores("shop"), &secrets).unwrap();
    assert_eq!(r.backup.id, backup.id);
    let got = (
        count(&r.pg, "in-backup"),
        count(&r.pg, "before"),
        count(&r.pg, "after"),
    );
    assert_eq!(got, (100, 0, 0));
    drop(r);
    eprintln!(
        "scenario 2: PITR to {target}: backup {} chosen by time, 150 rows before present, 50 after absent; \
         restore by backup ID {}: 100 rows, none later",
        backup.id, backup.id
    );

    // 3. Clone prod → dev: prod's backup under prod's server name, read
    //    only; the clone archives under its own name in dev's bucket.
    let prod_objects = s3.keys("prod-backups", "");
    let dev = Build::new(&format!(
        "cluster shop-db-dev <\n  namespace shop-dev\n  postgres {}\n  db shop < owner shop >\n  \
         {}\n  {}\n  recovery < from prod  server shop-db >\n>\n",
        local_major(),
        store(&s3, "prod", "prod-backups", "cnpg/shop", "archive false"),
        store(&s3, "backups", "dev-backups", "cnpg/shop", "retention 7d"),
    ));
    let doc = dev.doc("cluster.yaml", "Cluster", "shop-db-dev");
    let clone = barman::recover(&tools, doc, &dev.stores("shop-dev"), &secrets).unwrap();
    assert_eq!(clone.backup.id, backup.id);
    assert_eq!(
        (
            count(&clone.pg, "in-backup"),
            count(&clone.pg, "before"),
            count(&clone.pg, "after")
        ),
        (100, 50, 50)
    );
    // The clone's grant Job: the roles it inherits from prod (analyst, api)
    // are prod's, not the clone's: they keep their login and privileges.
    let dev_ir = &dev.program.clusters[0];
    grants::operator(&clone.pg, dev_ir);
    let changed = grants::changes(&grants::apply(&clone.pg, dev_ir));
    assert!(
        changed
            .iter()
            .all(|c| !c.contains("NOLOGIN") && !c.contains("analyst") && !c.contains(" api")),
        "the clone's grant Job leaves inherited roles alone: {changed:?}"
    );
    for role in ["analyst", "api"] {
        assert_eq!(
            clone
                .pg
                .try_sql_as(role, "shop", "SELECT count(*) FROM orders")
                .as_deref(),
            Ok("200"),
            "{role} still reads on the clone"
        );
    }
    clone
        .pg
        .try_sql_as("api", "shop", "INSERT INTO orders VALUES (201, 'dev')")
        .expect("api still writes on the clone");
    switch_and_wait(&clone.pg);
    assert_eq!(
        s3.keys("prod-backups", ""),
        prod_objects,
        "nothing written into prod's bucket"
    );
    let dev_wals = wal_objects(&s3, "dev-backups", "cnpg/shop/shop-db-dev");
    assert!(!dev_wals.is_empty());
    eprintln!(
        "scenario 3: clone shop-db-dev restored backup {} of server shop-db (200 rows); \
         prod's bucket unchanged ({} objects); the clone archived {} WAL segments under \
         s3://dev-backups/cnpg/shop/shop-db-dev/; inherited roles analyst and api log in, read and write; \
         grant Job changes on the clone: {changed:?}",
        backup.id,
        prod_objects.len(),
        dev_wals.len()
    );
}

/// barman's backup ID: `YYYYMMDDTHHMMSS`.
fn super_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 15
        && b[8] == b'T'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit())
}
