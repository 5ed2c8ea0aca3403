//! Proves the throwaway-PostgreSQL harness in `tests/support/pg.rs` works.

mod support;

use std::time::Instant;

use support::pg::{PgServer, quote_ident, quote_literal};

const HOSTILE: &str = "we'ird \"db\"; \\x ünï";

/// A 63-byte (NAMEDATALEN - 1) name with quotes, a backslash, `=` and
/// multi-byte characters.
fn long_name() -> String {
    let head = "ünï\"'\\;= ";
    let name = format!("{head}{}", "z".repeat(63 - head.len()));
    assert_eq!(name.len(), 63);
    name
}

/// `\connect -reuse-previous=on "dbname='…'"`, as pg_dump writes it:
/// conninfo single quotes escape `\` and `'` with a backslash, and the psql
/// double-quoted argument doubles `"`.
fn connect_meta(db: &str) -> String {
    let conninfo = format!("dbname='{}'", db.replace('\\', "\\\\").replace('\'', "\\'"));
    format!(
        "\\connect -reuse-previous=on \"{}\"\n",
        conninfo.replace('"', "\"\"")
    )
}

fn start() -> Option<PgServer> {
    let t = Instant::now();
    let pg = PgServer::start_or_skip()?;
    eprintln!(
        "PostgreSQL from {} up on port {} in {:?}",
        pg.bin_dir().display(),
        pg.port(),
        t.elapsed()
    );
    Some(pg)
}

#[test]
fn quoting_helpers() {
    assert_eq!(quote_ident("plain"), "\"plain\"");
    assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    assert_eq!(quote_literal("it's"), "'it''s'");
    assert_eq!(quote_literal("a\\b'c"), "E'a\\\\b''c'");
    assert_eq!(quote_literal(""), "''");
}

#[test]
fn quoting_round_trips_through_the_server() {
    let Some(pg) = start() else { return };
    for s in [
        HOSTILE,
        &long_name(),
        "tab\there",
        "new\nline",
        "$$ dollar $$",
    ] {
        let got = pg.sql("postgres", &format!("SELECT {}", quote_literal(s)));
        assert_eq!(got, s.trim());
        let got = pg.sql(
            "postgres",
            &format!(
                "SELECT {} FROM (SELECT 1 AS {}) t",
                quote_ident(s),
                quote_ident(s)
            ),
        );
        assert_eq!(got, "1");
    }
}

#[test]
fn hostile_databases_and_privileges() {
    let Some(pg) = start() else { return };
    pg.sql(
        "postgres",
        "CREATE ROLE app_owner LOGIN; CREATE ROLE reader LOGIN; CREATE ROLE stranger LOGIN;",
    );

    // Hostile names, created and then reached through PGDATABASE.
    let long = long_name();
    let eq_name = "dbname=postgres host=nowhere.invalid";
    for name in [HOSTILE, long.as_str(), eq_name] {
        pg.create_database(name, "app_owner");
        let listed = pg.sql(
            "postgres",
            &format!(
                "SELECT datname FROM pg_database WHERE datname = {}",
                quote_literal(name)
            ),
        );
        assert_eq!(listed, name, "database name stored verbatim");
        assert_eq!(pg.sql(name, "SELECT current_database()"), name);
    }
    assert_eq!(
        pg.sql(
            HOSTILE,
            "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database \
             WHERE datname = current_database()"
        ),
        "app_owner"
    );

    // A table created by one role; privileges granted to another.
    pg.try_sql_as(
        "app_owner",
        HOSTILE,
        "CREATE TABLE t (id int); INSERT INTO t VALUES (1); GRANT SELECT ON t TO reader;",
    )
    .expect("database owner can create a table in public");
    assert_eq!(
        pg.try_sql_as("reader", HOSTILE, "SELECT id FROM t")
            .as_deref(),
        Ok("1")
    );
    let err = pg
        .try_sql_as("reader", HOSTILE, "INSERT INTO t VALUES (2)")
        .expect_err("reader has no INSERT");
    assert!(err.contains("permission denied"), "{err}");
    let err = pg
        .try_sql_as("stranger", HOSTILE, "SELECT id FROM t")
        .expect_err("stranger has no SELECT");
    assert!(err.contains("permission denied for table t"), "{err}");
    assert_eq!(pg.sql(HOSTILE, "SELECT count(*) FROM t"), "1");

    // Connection failures are errors too, not empty successes.
    let err = pg
        .try_sql_as("no_such_role", HOSTILE, "SELECT 1")
        .expect_err("unknown role");
    assert!(err.contains("no_such_role"), "{err}");
}

#[test]
fn run_script_connect_reaches_hostile_databases() {
    let Some(pg) = start() else { return };
    pg.sql("postgres", "CREATE ROLE app_owner LOGIN");
    let long = long_name();
    for name in [HOSTILE, long.as_str()] {
        pg.create_database(name, "app_owner");
        let script = format!("{}SELECT current_database();\n", connect_meta(name));
        let out = pg.run_script("postgres", &script);
        assert!(
            out.status.success(),
            "script failed:\n{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), name);
    }

    // ON_ERROR_STOP: an error aborts the script with a non-zero exit.
    let out = pg.run_script("postgres", "SELECT 1/0;\nSELECT 'unreached';\n");
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("unreached"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("division by zero"));

    // run_file with a script outside the server's directory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grants.sql");
    std::fs::write(&path, format!("{}SELECT 42;\n", connect_meta(HOSTILE))).unwrap();
    let out = pg.run_file("postgres", &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
}

#[test]
fn two_servers_in_parallel() {
    let servers: Vec<Option<PgServer>> = std::thread::scope(|s| {
        let a = s.spawn(start);
        let b = s.spawn(start);
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let [Some(a), Some(b)] = <[Option<PgServer>; 2]>::try_from(servers).ok().unwrap() else {
        return;
    };
    assert_ne!(a.port(), b.port());
    assert_ne!(a.socket_dir(), b.socket_dir());
    a.sql("postgres", "CREATE TABLE only_in_a (x int)");
    b.sql("postgres", "CREATE TABLE only_in_b (x int)");
    assert_eq!(
        a.sql(
            "postgres",
            "SELECT string_agg(relname, ',') FROM pg_class WHERE relname LIKE 'only_in_%'"
        ),
        "only_in_a"
    );
    assert_eq!(
        b.sql(
            "postgres",
            "SELECT string_agg(relname, ',') FROM pg_class WHERE relname LIKE 'only_in_%'"
        ),
        "only_in_b"
    );

    // Both are stopped and cleaned up on drop.
    let dirs = [a.temp_dir().to_path_buf(), b.temp_dir().to_path_buf()];
    drop(a);
    drop(b);
    for d in dirs {
        assert!(!d.exists(), "{} left behind", d.display());
    }
}
