//! A logical migration's switch-over, on PostgreSQL (issue 14): the Job in
//! `day2/backup/sync-sequences-job.yaml` runs as written (its shell script
//! and environment, read from the emitted manifest) between two throwaway
//! servers, the source and the destination, and leaves every sequence of
//! the destination where the source's is, so the first insert after the
//! switch does not end in a duplicate key.

mod support;

use std::process::Command;

use serde_norway::Value;
use support::pg::PgServer;

const SOURCE: &str = "cluster shop-v1 <
  namespace shop
  instances 2
  db shop < owner shop_owner >
  db \"we'ird db\" < owner weird_owner >
>
cluster shop-v2 <
  namespace shop
  instances 2
  db shop < owner shop_owner >
  db \"we'ird db\" < owner weird_owner >
  link migration-db from shop-v1 < mode logical  databases shop, \"we'ird db\" >
>
";

/// What each server holds: the same schema on both sides (the schema
/// import), data and used sequences only on the source.
const SCHEMA: &str = "
CREATE SCHEMA \"Odd \"\"schema\";
CREATE TABLE orders (id bigserial PRIMARY KEY, v text);
CREATE TABLE \"Odd \"\"schema\".items (id serial PRIMARY KEY);
CREATE SEQUENCE unused START 500;
CREATE SEQUENCE \"odd'seq\";
";

fn job(c: &cnpgc::ir::Cluster) -> Value {
    let tree = cnpgc::emit::emit_cluster(&cnpgc::ir::Program::default(), c);
    let f = tree
        .files
        .iter()
        .find(|f| f.path.ends_with("day2/backup/sync-sequences-job.yaml"))
        .expect("a sync-sequences Job for a logical migration");
    serde_norway::Deserializer::from_str(&f.content)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .find(|v: &Value| !v.is_null())
        .unwrap()
}

fn container(job: &Value) -> &Value {
    &job["spec"]["template"]["spec"]["containers"][0]
}

#[test]
fn the_sequence_job_sets_the_destination_to_the_sources_values() {
    let checked = cnpgc::check_sources(&[("t.cnpg", SOURCE)]);
    let program = checked.program.expect("clean");
    let dest = program
        .clusters
        .iter()
        .find(|c| c.name == "shop-v2")
        .unwrap();
    let job = job(dest);
    let c = container(&job);
    let script = c["command"][2].as_str().unwrap().to_string();

    let src = PgServer::start();
    let dst = PgServer::start();
    for pg in [&src, &dst] {
        pg.sql(
            "postgres",
            "CREATE DATABASE shop; CREATE DATABASE \"we'ird db\";",
        );
        for db in ["shop", "we'ird db"] {
            pg.sql(db, SCHEMA);
        }
    }
    // The source was written to; the destination got the rows (logical
    // replication) but not the sequences' values.
    src.sql(
        "shop",
        "INSERT INTO orders (v) SELECT 'x' FROM generate_series(1, 42);
         INSERT INTO \"Odd \"\"schema\".items DEFAULT VALUES;
         SELECT nextval('\"odd''seq\"'); SELECT nextval('\"odd''seq\"');",
    );
    src.sql(
        "we'ird db",
        "INSERT INTO orders (v) VALUES ('a'), ('b'), ('c');",
    );
    // A sequence only the source has is skipped.
    src.sql(
        "shop",
        "CREATE SEQUENCE only_on_source; SELECT nextval('only_on_source');",
    );
    dst.sql(
        "shop",
        "INSERT INTO orders (id, v) SELECT g, 'x' FROM generate_series(1, 42) g;",
    );

    // The Job's environment: the manifest's values; the Secrets and the
    // hosts pointed at the two servers.
    let tmp = dst.temp_dir().join("job-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = Command::new("sh");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    for e in c["env"].as_sequence().unwrap() {
        let name = e["name"].as_str().unwrap();
        let value = match name {
            "PGHOST" => dst.socket_dir().to_string_lossy().into_owned(),
            "PGPORT" => dst.port().to_string(),
            "SRC_HOST" => src.socket_dir().to_string_lossy().into_owned(),
            "SRC_PORT" => src.port().to_string(),
            "PGUSER" | "SRC_USER" => "postgres".into(),
            "PGPASSWORD" | "SRC_PASSWORD" => "unused-trust-auth".into(),
            _ => e["value"].as_str().expect("a plain value").to_string(),
        };
        cmd.env(name, value);
    }
    let path = format!(
        "{}:{}",
        dst.bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = cmd
        .env("PATH", path)
        .arg("-c")
        .arg(script.replace("/tmp/", &format!("{}/", tmp.display())))
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("sequence(s) of shop set from the source"),
        "{log}"
    );
    // Twice (a retried pod) is the same as once.
    assert!(cmd.output().unwrap().status.success());

    // The next insert on the destination takes the next key.
    dst.sql("shop", "INSERT INTO orders (v) VALUES ('after the switch')");
    assert_eq!(dst.sql("shop", "SELECT max(id) FROM orders"), "43");
    assert_eq!(
        dst.sql(
            "shop",
            "SELECT last_value, is_called FROM \"Odd \"\"schema\".items_id_seq"
        ),
        "1|t"
    );
    assert_eq!(dst.sql("shop", "SELECT nextval('\"odd''seq\"')"), "3");
    // Never used on the source: still at its start.
    assert_eq!(dst.sql("shop", "SELECT nextval('unused')"), "500");
    assert_eq!(dst.sql("we'ird db", "SELECT nextval('orders_id_seq')"), "4");
    assert_eq!(
        dst.sql(
            "shop",
            "SELECT count(*) FROM pg_class WHERE relname = 'only_on_source'"
        ),
        "0"
    );
}

#[test]
fn only_a_logical_migration_has_a_sequence_job() {
    let import = SOURCE.replace("mode logical  ", "type monolith  ");
    let program = cnpgc::check_sources(&[("t.cnpg", import.as_str())])
        .program
        .expect("clean");
    for c in &program.clusters {
        let tree = cnpgc::emit::emit_cluster(&program, c);
        assert!(
            !tree.files.iter().any(|f| f.path.contains("sync-sequences")),
            "{}",
            c.name
        );
    }
}
