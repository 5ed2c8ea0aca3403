//! Grant SQL and its Job, verified on a real PostgreSQL (issue 3).
//!
//! Every test starts its own throwaway PostgreSQL 15 server
//! (tests/support/pg.rs), plays the operator's part from the emitted
//! manifests (tests/support/grants.rs), runs wait.sql and grants.sql as the
//! Job does, and checks each flag positively (the user can: catalog functions
//! and the statement itself, run as that user) and negatively ("permission
//! denied"), for objects created before and after the run.

mod support;

use support::grants::{
    Checks, apply, assert_same_lines, changes, cnpg_str, compile, databases, operator,
    operator_databases, operator_roles, output_text, privileges_of, run_grants, run_wait, snapshot,
};
use support::pg::{PgServer, quote_literal};

use cnpgc::emit::grants::{job, sql};

/// One user per flag (plus `connect`, needed to reach the database at all),
/// a user without any flag and a cluster-level user with none.
fn matrix_source(version: &str) -> String {
    format!(
        "cluster app <
  postgres {version}
  db shop <
    owner shop_owner
    schemas public, app
    user only_connect grants connect
    user reader       grants connect, read
    user writer       grants connect, write
    user tabler       grants connect, create_tables
    user schemer      grants connect, create_schema
    user runner       grants connect, execute_functions
    user wide         grants connect, read, execute_functions, default_privileges
    user boss         grants connect, manage_roles
    user stats        grants connect, metadata_access
    user owning       grants own
    user nobody
  >
  user outsider
>
"
    )
}

/// What the owner has before the grants run: tables, a view, sequences,
/// functions and a procedure in dual declared schemas, a schema `side` that
/// is not declared, and a trusted extension it installed itself.
const OWNER_BEFORE: &str = "
CREATE TABLE app.t_before (id serial PRIMARY KEY, v text);
INSERT INTO app.t_before (v) VALUES ('one');
CREATE VIEW app.v_before AS SELECT id, v FROM app.t_before;
CREATE SEQUENCE app.s_before;
CREATE FUNCTION app.f_before() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE app.p_before() LANGUAGE sql AS 'SELECT 1';
CREATE TABLE public.pt_before (id int);
INSERT INTO public.pt_before VALUES (1);
CREATE FUNCTION public.pf_before() RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE EXTENSION pg_trgm;
";

/// What the owner creates after the grants ran, including a new schema.
const OWNER_AFTER: &str = "
CREATE TABLE app.t_after (id serial PRIMARY KEY, v text);
INSERT INTO app.t_after (v) VALUES ('two');
CREATE SEQUENCE app.s_after;
CREATE FUNCTION app.f_after() RETURNS int LANGUAGE sql AS 'SELECT 3';
CREATE PROCEDURE app.p_after() LANGUAGE sql AS 'SELECT 3';
CREATE TABLE public.pt_after (id int);
INSERT INTO public.pt_after VALUES (1);
CREATE FUNCTION public.pf_after() RETURNS int LANGUAGE sql AS 'SELECT 4';
CREATE SCHEMA later;
CREATE TABLE later.t (id int);
INSERT INTO later.t VALUES (1);
CREATE FUNCTION later.f() RETURNS int LANGUAGE sql AS 'SELECT 5';
";

fn has_table(user: &str, table: &str, privilege: &str) -> String {
    format!(
        "has_table_privilege({}, {}, {})",
        quote_literal(user),
        quote_literal(table),
        quote_literal(privilege)
    )
}

fn has_seq(user: &str, seq: &str, privilege: &str) -> String {
    format!(
        "has_sequence_privilege({}, {}, {})",
        quote_literal(user),
        quote_literal(seq),
        quote_literal(privilege)
    )
}

fn has_schema(user: &str, schema: &str, privilege: &str) -> String {
    format!(
        "has_schema_privilege({}, {}, {})",
        quote_literal(user),
        quote_literal(schema),
        quote_literal(privilege)
    )
}

fn has_db(user: &str, db: &str, privilege: &str) -> String {
    format!(
        "has_database_privilege({}, {}, {})",
        quote_literal(user),
        quote_literal(db),
        quote_literal(privilege)
    )
}

fn has_fn(user: &str, f: &str) -> String {
    format!(
        "has_function_privilege({}, {}, 'EXECUTE')",
        quote_literal(user),
        quote_literal(f)
    )
}

/// The flag matrix: the operator's objects, the run, objects created later,
/// then every flag checked dual ways. `version` is the source's `postgres`.
fn flag_matrix(version: &str) {
    let c = compile(&matrix_source(version));
    let pg = PgServer::start();

    // wait.sql fails, naming what is missing, until the operator is done.
    let out = run_wait(&pg, &c);
    assert!(
        !out.status.success(),
        "wait.sql succeeded on an empty server"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cnpgc: not created by the operator yet: database shop")
            && err.contains("role reader")
            && err.contains("role shop_owner")
            && err.contains("role outsider"),
        "{err}"
    );
    operator_roles(&pg, &c);
    let out = run_wait(&pg, &c);
    assert!(
        !out.status.success(),
        "wait.sql succeeded without the database"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not created by the operator yet: database shop") && !err.contains("role "),
        "{err}"
    );
    operator_databases(&pg, &c, &[]);

    pg.try_sql_as("shop_owner", "shop", OWNER_BEFORE)
        .expect("the owner creates its objects");
    pg.sql("shop", "CREATE SCHEMA side AUTHORIZATION shop_owner");
    pg.try_sql_as(
        "shop_owner",
        "shop",
        "CREATE TABLE side.t (id int); INSERT INTO side.t VALUES (1);",
    )
    .unwrap();

    apply(&pg, &c);

    pg.try_sql_as("shop_owner", "shop", OWNER_AFTER)
        .expect("the owner creates more objects after the run");
    // Roles that may create objects create some after the run, too.
    pg.try_sql_as(
        "tabler",
        "shop",
        "CREATE TABLE app.t_tabler (id serial PRIMARY KEY);
         INSERT INTO app.t_tabler DEFAULT VALUES;
         CREATE FUNCTION app.f_tabler() RETURNS int LANGUAGE sql AS 'SELECT 6';
         CREATE TABLE public.pt_tabler (id int);",
    )
    .expect("create_tables: tables in the declared schemas");
    pg.try_sql_as(
        "schemer",
        "shop",
        "CREATE SCHEMA mine; CREATE TABLE mine.t (id int); INSERT INTO mine.t VALUES (1);",
    )
    .expect("create_schema: a schema of one's own");

    let mut k = Checks::default();
    check_connect(&mut k, &pg);
    check_read(&mut k, &pg);
    check_write(&mut k, &pg);
    check_manage_roles(&mut k, &pg);
    check_create_schema(&mut k, &pg);
    check_create_tables(&mut k, &pg);
    check_execute(&mut k, &pg);
    check_default_privileges(&mut k, &pg);
    check_metadata(&mut k, &pg);
    check_own(&mut k, &pg);

    // A second run (the next Job) keeps every "later" object reachable:
    // default_privileges' schemas are not taken back, and nothing changes.
    let again = apply(&pg, &c);
    assert_eq!(changes(&again), Vec::<String>::new(), "{again}");
    check_read(&mut k, &pg);
    check_default_privileges(&mut k, &pg);
    check_execute(&mut k, &pg);

    eprintln!("flag checks (postgres {version} source):\n{}", k.summary());
    for f in cnpgc::ir::Flag::ALL {
        let (yes, no) = k.total(f.name());
        assert!(
            yes >= 3 && no >= 3,
            "{}: {yes} positive, {no} negative",
            f.name()
        );
    }
}

fn check_connect(k: &mut Checks, pg: &PgServer) {
    let f = "connect";
    for u in ["only_connect", "reader", "tabler"] {
        k.allowed(f, pg, u, "shop", "SELECT 1");
        k.is(f, pg, "shop", &has_db(u, "shop", "CONNECT"), true);
        k.is(f, pg, "shop", &has_db(u, "shop", "TEMPORARY"), true);
    }
    k.allowed(
        f,
        pg,
        "only_connect",
        "shop",
        "CREATE TEMPORARY TABLE tmp (id int)",
    );
    for u in ["nobody", "outsider"] {
        k.denied(f, pg, u, "shop", "SELECT 1");
        k.is(f, pg, "shop", &has_db(u, "shop", "CONNECT"), false);
        k.is(f, pg, "shop", &has_db(u, "shop", "TEMPORARY"), false);
    }
}

fn check_read(k: &mut Checks, pg: &PgServer) {
    let f = "read";
    for t in [
        "app.t_before",
        "app.v_before",
        "public.pt_before",
        "app.t_after",
        "public.pt_after",
        "app.t_tabler",
    ] {
        k.allowed(f, pg, "reader", "shop", &format!("SELECT * FROM {t}"));
        k.is(f, pg, "shop", &has_table("reader", t, "SELECT"), true);
        k.is(
            f,
            pg,
            "shop",
            &has_table("only_connect", t, "SELECT"),
            false,
        );
        k.is(f, pg, "shop", &has_table("writer", t, "SELECT"), false);
    }
    for s in ["app.s_before", "app.s_after", "app.t_after_id_seq"] {
        k.allowed(
            f,
            pg,
            "reader",
            "shop",
            &format!("SELECT last_value FROM {s}"),
        );
        k.is(f, pg, "shop", &has_seq("reader", s, "SELECT"), true);
        k.is(f, pg, "shop", &has_seq("only_connect", s, "SELECT"), false);
    }
    k.is(f, pg, "shop", &has_schema("reader", "app", "USAGE"), true);
    k.is(
        f,
        pg,
        "shop",
        &has_schema("only_connect", "app", "USAGE"),
        false,
    );
    for t in [
        "public.pt_before",
        "public.pt_after",
        "app.t_before",
        "app.t_after",
    ] {
        k.denied(f, pg, "only_connect", "shop", &format!("SELECT * FROM {t}"));
    }
    // Not in a declared schema: out of reach without default_privileges.
    for t in ["side.t", "later.t", "mine.t"] {
        k.denied(f, pg, "reader", "shop", &format!("SELECT * FROM {t}"));
        k.is(f, pg, "shop", &has_table("reader", t, "SELECT"), false);
    }
    // read is not write.
    k.denied(
        f,
        pg,
        "reader",
        "shop",
        "INSERT INTO app.t_before (v) VALUES ('no')",
    );
}

fn check_write(k: &mut Checks, pg: &PgServer) {
    let f = "write";
    for t in ["app.t_before", "app.t_after", "public.pt_after"] {
        for p in ["INSERT", "UPDATE", "DELETE"] {
            k.is(f, pg, "shop", &has_table("writer", t, p), true);
            k.is(f, pg, "shop", &has_table("reader", t, p), false);
        }
        k.is(f, pg, "shop", &has_table("writer", t, "TRUNCATE"), false);
    }
    for s in ["app.s_before", "app.s_after", "app.t_before_id_seq"] {
        k.is(f, pg, "shop", &has_seq("writer", s, "USAGE"), true);
        k.is(f, pg, "shop", &has_seq("writer", s, "UPDATE"), true);
        k.is(f, pg, "shop", &has_seq("reader", s, "USAGE"), false);
        k.allowed(f, pg, "writer", "shop", &format!("SELECT nextval('{s}')"));
        k.denied(f, pg, "reader", "shop", &format!("SELECT nextval('{s}')"));
    }
    // INSERT through the serial column's sequence, created before and after.
    k.allowed(
        f,
        pg,
        "writer",
        "shop",
        "INSERT INTO app.t_before (v) VALUES ('w')",
    );
    k.allowed(
        f,
        pg,
        "writer",
        "shop",
        "INSERT INTO app.t_after (v) VALUES ('w')",
    );
    k.allowed(f, pg, "writer", "shop", "UPDATE app.t_after SET v = 'u'");
    k.allowed(
        f,
        pg,
        "writer",
        "shop",
        "INSERT INTO app.t_tabler DEFAULT VALUES",
    );
    k.allowed(f, pg, "writer", "shop", "DELETE FROM public.pt_after");
    k.denied(
        f,
        pg,
        "reader",
        "shop",
        "INSERT INTO app.t_after (v) VALUES ('r')",
    );
    k.denied(f, pg, "reader", "shop", "UPDATE app.t_before SET v = 'r'");
    k.denied(f, pg, "reader", "shop", "DELETE FROM public.pt_before");
    k.denied(f, pg, "writer", "shop", "TRUNCATE app.t_before");
    // write is not read.
    k.denied(f, pg, "writer", "shop", "SELECT * FROM app.t_before");
}

fn check_manage_roles(k: &mut Checks, pg: &PgServer) {
    let f = "manage_roles";
    k.is(
        f,
        pg,
        "shop",
        "(SELECT rolcreaterole FROM pg_roles WHERE rolname = 'boss')",
        true,
    );
    k.allowed(
        f,
        pg,
        "boss",
        "shop",
        "DROP ROLE IF EXISTS boss_made; CREATE ROLE boss_made NOLOGIN",
    );
    k.allowed(
        f,
        pg,
        "boss",
        "shop",
        "ALTER ROLE boss_made CONNECTION LIMIT 3",
    );
    k.allowed(f, pg, "boss", "shop", "DROP ROLE boss_made");
    for u in ["reader", "tabler", "schemer"] {
        k.is(
            f,
            pg,
            "shop",
            &format!("(SELECT rolcreaterole FROM pg_roles WHERE rolname = '{u}')"),
            false,
        );
        k.denied(f, pg, u, "shop", "CREATE ROLE not_allowed NOLOGIN");
    }
}

fn check_create_schema(k: &mut Checks, pg: &PgServer) {
    let f = "create_schema";
    k.is(f, pg, "shop", &has_db("schemer", "shop", "CREATE"), true);
    k.allowed(
        f,
        pg,
        "schemer",
        "shop",
        "DROP SCHEMA IF EXISTS mine2 CASCADE; CREATE SCHEMA mine2",
    );
    k.allowed(f, pg, "schemer", "shop", "CREATE TABLE mine2.t (id int)");
    k.is(
        f,
        pg,
        "shop",
        &has_schema("schemer", "mine", "CREATE"),
        true,
    );
    for u in ["tabler", "reader", "wide"] {
        k.is(f, pg, "shop", &has_db(u, "shop", "CREATE"), false);
        k.denied(f, pg, u, "shop", "CREATE SCHEMA not_allowed");
    }
}

fn check_create_tables(k: &mut Checks, pg: &PgServer) {
    let f = "create_tables";
    for s in ["app", "public"] {
        k.is(f, pg, "shop", &has_schema("tabler", s, "CREATE"), true);
        k.allowed(
            f,
            pg,
            "tabler",
            "shop",
            &format!("DROP TABLE IF EXISTS {s}.tabler_x; CREATE TABLE {s}.tabler_x (id int)"),
        );
        for u in ["reader", "writer", "schemer", "wide"] {
            k.is(f, pg, "shop", &has_schema(u, s, "CREATE"), false);
            k.denied(
                f,
                pg,
                u,
                "shop",
                &format!("CREATE TABLE {s}.not_allowed (id int)"),
            );
        }
    }
    // Not in schemas that are not declared.
    k.is(
        f,
        pg,
        "shop",
        &has_schema("tabler", "side", "CREATE"),
        false,
    );
    k.denied(
        f,
        pg,
        "tabler",
        "shop",
        "CREATE TABLE side.not_allowed (id int)",
    );
}

fn check_execute(k: &mut Checks, pg: &PgServer) {
    let f = "execute_functions";
    for func in [
        "app.f_before()",
        "app.f_after()",
        "app.f_tabler()",
        "public.pf_before()",
        "public.pf_after()",
    ] {
        k.allowed(f, pg, "runner", "shop", &format!("SELECT {func}"));
        k.is(f, pg, "shop", &has_fn("runner", func), true);
        k.is(f, pg, "shop", &has_fn("reader", func), false);
        k.is(f, pg, "shop", &has_fn("only_connect", func), false);
    }
    for p in ["app.p_before()", "app.p_after()"] {
        k.allowed(f, pg, "runner", "shop", &format!("CALL {p}"));
        k.is(f, pg, "shop", &has_fn("runner", p), true);
        k.is(f, pg, "shop", &has_fn("reader", p), false);
        k.denied(f, pg, "reader", "shop", &format!("CALL {p}"));
    }
    for func in ["public.pf_before()", "public.pf_after()"] {
        k.denied(f, pg, "only_connect", "shop", &format!("SELECT {func}"));
        k.denied(f, pg, "reader", "shop", &format!("SELECT {func}"));
    }
    k.denied(f, pg, "reader", "shop", "SELECT app.f_tabler()");
    // Extension routines keep PUBLIC's EXECUTE (pg_trgm, installed by the owner).
    k.allowed(
        f,
        pg,
        "only_connect",
        "shop",
        "SELECT public.similarity('abc', 'abd')",
    );
    // Not in schemas that are not declared (without default_privileges).
    k.is(f, pg, "shop", &has_fn("runner", "later.f()"), false);
}

fn check_default_privileges(k: &mut Checks, pg: &PgServer) {
    let f = "default_privileges";
    // Schemas other than the declared ones: `side` (there before the run),
    // `later` (the owner's, after), `mine` (create_schema's, after).
    for s in ["side", "later", "mine"] {
        let t = format!("{s}.t");
        k.is(f, pg, "shop", &has_schema("wide", s, "USAGE"), true);
        k.is(f, pg, "shop", &has_table("wide", &t, "SELECT"), true);
        k.allowed(f, pg, "wide", "shop", &format!("SELECT * FROM {t}"));
        k.is(f, pg, "shop", &has_schema("reader", s, "USAGE"), false);
        k.denied(f, pg, "reader", "shop", &format!("SELECT * FROM {t}"));
    }
    k.allowed(f, pg, "wide", "shop", "SELECT later.f()");
    k.is(f, pg, "shop", &has_fn("wide", "later.f()"), true);
    k.is(f, pg, "shop", &has_fn("runner", "later.f()"), false);
    // Only what the flags say, everywhere: no write, no create.
    k.is(
        f,
        pg,
        "shop",
        &has_table("wide", "later.t", "INSERT"),
        false,
    );
    k.is(f, pg, "shop", &has_schema("wide", "later", "CREATE"), false);
    k.denied(f, pg, "wide", "shop", "INSERT INTO later.t VALUES (2)");
}

fn check_metadata(k: &mut Checks, pg: &PgServer) {
    let f = "metadata_access";
    // Other sessions' and background processes' details are visible only
    // with pg_read_all_stats.
    let all_visible =
        "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query = '<insufficient privilege>')";
    let checkpointer = "EXISTS (SELECT 1 FROM pg_stat_activity \
                        WHERE backend_type = 'checkpointer' AND backend_start IS NOT NULL)";
    k.is(
        f,
        pg,
        "shop",
        "pg_has_role('stats', 'pg_read_all_stats', 'MEMBER')",
        true,
    );
    k.as_user_is(f, pg, "stats", "shop", all_visible, true);
    k.as_user_is(f, pg, "stats", "shop", checkpointer, true);
    for u in ["reader", "boss", "wide"] {
        k.is(
            f,
            pg,
            "shop",
            &format!("pg_has_role('{u}', 'pg_read_all_stats', 'MEMBER')"),
            false,
        );
        k.as_user_is(f, pg, u, "shop", all_visible, false);
        k.as_user_is(f, pg, u, "shop", checkpointer, false);
    }
}

/// `own` (seed 003's admin): a member of the owner's role acts as the owner
/// (its objects, the database, the schemas), connects through it, is a
/// creator whose new objects the other users' flags cover, and gets no
/// CREATEROLE nor anything the owner does not have.
fn check_own(k: &mut Checks, pg: &PgServer) {
    let f = "own";
    k.is(
        f,
        pg,
        "shop",
        "pg_has_role('owning', 'shop_owner', 'USAGE')",
        true,
    );
    k.allowed(f, pg, "owning", "shop", "SELECT 1");
    pg.try_sql_as(
        "shop_owner",
        "shop",
        "CREATE TABLE app.t_owned (a int); CREATE TABLE public.t_owned2 (a int);",
    )
    .unwrap();
    // What only an owner may do: on the owner's tables, the database and
    // its schemas.
    k.allowed(
        f,
        pg,
        "owning",
        "shop",
        "ALTER TABLE app.t_owned RENAME COLUMN a TO b",
    );
    k.allowed(
        f,
        pg,
        "owning",
        "shop",
        "GRANT SELECT ON app.t_owned TO nobody; REVOKE SELECT ON app.t_owned FROM nobody",
    );
    k.allowed(f, pg, "owning", "shop", "DROP TABLE public.t_owned2");
    k.allowed(
        f,
        pg,
        "owning",
        "shop",
        "ALTER SCHEMA app OWNER TO shop_owner",
    );
    k.allowed(
        f,
        pg,
        "owning",
        "shop",
        "CREATE SCHEMA owning_s; CREATE TABLE owning_s.t (id int); INSERT INTO owning_s.t VALUES (1); CREATE TABLE app.t_owning (id int); INSERT INTO app.t_owning VALUES (1);",
    );
    // What it creates (a creator, as the owner's member) is covered by the
    // other users' flags at once.
    k.allowed(f, pg, "reader", "shop", "SELECT * FROM app.t_owning");
    k.allowed(f, pg, "wide", "shop", "SELECT * FROM owning_s.t");
    k.allowed(
        f,
        pg,
        "owning",
        "shop",
        "DROP SCHEMA owning_s CASCADE; DROP TABLE app.t_owning",
    );
    // No CREATEROLE, no membership for the others, nothing the owner has not.
    k.is(
        f,
        pg,
        "shop",
        "(SELECT rolcreaterole FROM pg_roles WHERE rolname = 'owning')",
        false,
    );
    k.denied(f, pg, "owning", "shop", "CREATE ROLE owning_made NOLOGIN");
    k.denied(f, pg, "owning", "shop", "SELECT * FROM app.t_tabler");
    for u in ["reader", "boss", "wide"] {
        k.is(
            f,
            pg,
            "shop",
            &format!("pg_has_role('{u}', 'shop_owner', 'USAGE')"),
            false,
        );
    }
    pg.sql("shop", "DROP TABLE app.t_owned");
}

#[test]
fn flags_postgres_15_now_and_later() {
    flag_matrix("15.10");
}

/// A PostgreSQL 14 source (its script makes `public` the owner's and takes
/// CREATE on it from PUBLIC) is still right when run on PostgreSQL 15.
#[test]
fn flags_postgres_14_script_on_a_15_server() {
    flag_matrix("14.15");
}

// ---------------------------------------------------------------------------
// Drift control and idempotency.

/// v1: three databases. v2: `reader` loses write, create_tables and
/// metadata_access; `gone` is removed from the source; `dual` is removed
/// from `crm` only; the database `old` is no longer declared (its owner with
/// it). `keep` does not change.
const DRIFT_V1: &str = "cluster app <
  postgres 15.10
  db shop <
    owner shop_owner
    schemas public, app
    user reader grants connect, read, write, create_tables, metadata_access
    user gone   grants connect, read, create_tables, execute_functions, metadata_access
    user dual   grants connect, read
    user keep   grants connect, read, write, execute_functions
  >
  db crm <
    owner crm_owner
    user dual grants connect, read, write
    user keep grants connect, read
  >
  db old <
    owner old_owner
    user keep grants connect, read
    user dual grants connect
  >
>
";

const DRIFT_V2: &str = "cluster app <
  postgres 15.10
  db shop <
    owner shop_owner
    schemas public, app
    user reader grants connect, read
    user dual   grants connect, read
    user keep   grants connect, read, write, execute_functions
  >
  db crm <
    owner crm_owner
    user keep grants connect, read
  >
>
";

/// v1 applied, with objects made by the owners and by the users that may
/// create (before the run: the owner's; after: reader's and gone's).
fn drift_v1(pg: &PgServer) {
    let v1 = compile(DRIFT_V1);
    operator(pg, &v1);
    pg.try_sql_as(
        "shop_owner",
        "shop",
        "CREATE TABLE app.t (id serial PRIMARY KEY, v text); INSERT INTO app.t (v) VALUES ('a');
         CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    .unwrap();
    pg.try_sql_as(
        "crm_owner",
        "crm",
        "CREATE TABLE c (id int); INSERT INTO c VALUES (1);",
    )
    .unwrap();
    pg.try_sql_as(
        "old_owner",
        "old",
        "CREATE TABLE o (id int); INSERT INTO o VALUES (1);",
    )
    .unwrap();
    apply(pg, &v1);
    pg.try_sql_as(
        "gone",
        "shop",
        "CREATE TABLE app.gone_t (id int); INSERT INTO app.gone_t VALUES (7);
         CREATE FUNCTION app.gone_f() RETURNS int LANGUAGE sql AS 'SELECT 7';",
    )
    .expect("gone may create tables in v1");
    pg.try_sql_as("reader", "shop", "CREATE TABLE app.reader_t (id int)")
        .expect("reader may create tables in v1");
    // v1 holds.
    pg.try_sql_as("reader", "shop", "INSERT INTO app.t (v) VALUES ('r')")
        .expect("reader may write in v1");
    pg.try_sql_as("gone", "shop", "SELECT * FROM app.t")
        .expect("gone may read in v1");
    pg.try_sql_as("dual", "crm", "SELECT * FROM c")
        .expect("dual may read crm in v1");
    pg.try_sql_as("keep", "old", "SELECT * FROM o")
        .expect("keep may read old in v1");
}

/// The operator's part of v2 (roles no longer listed are left alone), then v2.
fn drift_v2(pg: &PgServer) -> String {
    let v2 = compile(DRIFT_V2);
    operator(pg, &v2);
    apply(pg, &v2)
}

fn without_db(lines: Vec<String>, db: &str) -> Vec<String> {
    let prefix = format!("{db}: ");
    lines
        .into_iter()
        .filter(|l| !l.starts_with(&prefix))
        .collect()
}

/// A user's privileges less what v2 changes on purpose for everyone: the
/// database `old`, the default privileges of `gone` and `reader` (no longer
/// allowed to create), the table created after v2.
fn unaffected(lines: Vec<String>) -> Vec<String> {
    without_db(lines, "old")
        .into_iter()
        .filter(|l| {
            !l.contains(": default gone ")
                && !l.contains(": default reader ")
                && !l.contains("app.after_v2 ")
        })
        .collect()
}

#[test]
fn drift_flag_user_and_database_removed() {
    let pg = PgServer::start();
    drift_v1(&pg);
    let keep_before = privileges_of(&pg, "keep");
    let dual_before = privileges_of(&pg, "dual");

    let log = drift_v2(&pg);
    let changed = changes(&log);
    for expected in [
        "ALTER ROLE gone NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        "ALTER ROLE old_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        "REVOKE pg_read_all_stats FROM gone",
        "REVOKE ALL ON DATABASE old FROM dual CASCADE",
        "REVOKE ALL ON DATABASE old FROM keep CASCADE",
        "REVOKE CONNECT, TEMPORARY ON DATABASE crm FROM dual CASCADE",
    ] {
        assert!(
            changed.iter().any(|c| c == expected),
            "missing change {expected:?} in\n{}",
            changed.join("\n")
        );
    }
    let mut k = Checks::default();

    // A flag removed: reader keeps read, loses write, create_tables,
    // metadata_access (the operator revokes the membership), now and later.
    pg.try_sql_as(
        "shop_owner",
        "shop",
        "CREATE TABLE app.after_v2 (id int); INSERT INTO app.after_v2 VALUES (1);",
    )
    .unwrap();
    for t in ["app.t", "app.after_v2", "app.gone_t"] {
        k.allowed("read", &pg, "reader", "shop", &format!("SELECT * FROM {t}"));
        k.denied(
            "write",
            &pg,
            "reader",
            "shop",
            &format!("INSERT INTO {t} (id) VALUES (9)"),
        );
        k.is(
            "write",
            &pg,
            "shop",
            &has_table("reader", t, "INSERT"),
            false,
        );
    }
    k.denied("write", &pg, "reader", "shop", "DELETE FROM app.t");
    k.denied(
        "create_tables",
        &pg,
        "reader",
        "shop",
        "CREATE TABLE app.nope (id int)",
    );
    k.is(
        "create_tables",
        &pg,
        "shop",
        &has_schema("reader", "app", "CREATE"),
        false,
    );
    k.is(
        "metadata_access",
        &pg,
        "shop",
        "pg_has_role('reader', 'pg_read_all_stats', 'MEMBER')",
        false,
    );
    // What reader made is still reader's.
    assert_eq!(
        pg.sql(
            "shop",
            "SELECT tableowner FROM pg_tables WHERE tablename = 'reader_t'"
        ),
        "reader"
    );
    // reader is no longer a creator: its default privileges for others are gone.
    assert!(
        !privileges_of(&pg, "keep")
            .iter()
            .any(|l| l.contains("default reader ")),
        "{:?}",
        privileges_of(&pg, "keep")
    );

    // A user removed from the source: kept, cannot log in, owns what it
    // owned, holds no privilege but on its own objects.
    assert_eq!(
        pg.sql(
            "postgres",
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'gone'"
        ),
        "f"
    );
    k.denied("connect", &pg, "gone", "shop", "SELECT 1");
    assert_eq!(
        pg.sql(
            "shop",
            "SELECT tableowner FROM pg_tables WHERE tablename = 'gone_t'"
        ),
        "gone"
    );
    assert_eq!(pg.sql("shop", "SELECT count(*) FROM app.gone_t"), "1");
    for (flag, expr) in [
        ("connect", has_db("gone", "shop", "CONNECT")),
        ("read", has_table("gone", "app.t", "SELECT")),
        ("read", has_schema("gone", "app", "USAGE")),
        ("create_tables", has_schema("gone", "app", "CREATE")),
        ("execute_functions", has_fn("gone", "app.f()")),
        (
            "metadata_access",
            "pg_has_role('gone', 'pg_read_all_stats', 'MEMBER')".to_string(),
        ),
    ] {
        k.is(flag, &pg, "shop", &expr, false);
    }
    let own = |l: &String| {
        l.contains("app.gone_t ") || l.contains("app.gone_f()") || l.contains("default gone ")
    };
    let foreign: Vec<String> = privileges_of(&pg, "gone")
        .into_iter()
        .filter(|l| !own(l))
        .collect();
    assert_eq!(foreign, Vec::<String>::new(), "gone still holds privileges");
    // gone's default privileges for others are taken back too, but what it
    // made stays readable by those who may read the schema.
    assert!(
        !privileges_of(&pg, "keep")
            .iter()
            .any(|l| l.contains("default gone ")),
    );
    k.allowed("read", &pg, "keep", "shop", "SELECT * FROM app.gone_t");

    // A user removed from one database only.
    k.denied("connect", &pg, "dual", "crm", "SELECT 1");
    k.is(
        "connect",
        &pg,
        "crm",
        &has_db("dual", "crm", "CONNECT"),
        false,
    );
    k.is(
        "read",
        &pg,
        "crm",
        &has_table("dual", "public.c", "SELECT"),
        false,
    );
    k.is(
        "write",
        &pg,
        "crm",
        &has_table("dual", "public.c", "INSERT"),
        false,
    );
    assert_eq!(
        privileges_of(&pg, "dual")
            .into_iter()
            .filter(|l| l.starts_with("crm: "))
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    // ...keeps the others unchanged (less the database no longer declared).
    assert_eq!(
        unaffected(privileges_of(&pg, "dual")),
        unaffected(without_db(dual_before, "crm"))
    );

    // A database no longer declared: kept with its data, managed roles lose
    // their access; its owner, no longer declared either, keeps owning it.
    assert_eq!(pg.sql("old", "SELECT count(*) FROM o"), "1");
    for u in ["keep", "dual"] {
        k.denied("connect", &pg, u, "old", "SELECT 1");
        k.is("connect", &pg, "old", &has_db(u, "old", "CONNECT"), false);
    }
    assert_eq!(
        pg.sql(
            "postgres",
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'old'"
        ),
        "old_owner"
    );

    // The rest unchanged.
    assert_eq!(
        unaffected(privileges_of(&pg, "keep")),
        unaffected(keep_before)
    );
    k.allowed(
        "write",
        &pg,
        "keep",
        "shop",
        "INSERT INTO app.t (v) VALUES ('k')",
    );
    k.allowed("read", &pg, "keep", "crm", "SELECT * FROM c");

    // And again: nothing left to change.
    let again = apply(&pg, &compile(DRIFT_V2));
    assert_eq!(changes(&again), Vec::<String>::new(), "{again}");
    eprintln!("drift checks:\n{}", k.summary());
}

#[test]
fn idempotent_snapshot_is_identical_after_a_second_run() {
    let pg = PgServer::start();
    drift_v1(&pg);
    // Objects by several roles, then v1 again twice: the first catches them up.
    pg.try_sql_as("reader", "shop", "CREATE TABLE app.more (id int)")
        .unwrap();
    let v1 = compile(DRIFT_V1);
    apply(&pg, &v1);
    let first = snapshot(&pg);
    let log = apply(&pg, &v1);
    assert_eq!(changes(&log), Vec::<String>::new(), "{log}");
    assert!(
        log.contains("NOTICE:  cnpgc: cluster: 0 change(s)"),
        "{log}"
    );
    for db in ["shop", "crm", "old"] {
        assert!(
            log.contains(&format!("NOTICE:  cnpgc: database {db}: 0 change(s)")),
            "{log}"
        );
    }
    assert_same_lines(&first, &snapshot(&pg), "v1 run twice");
    assert!(
        first.contains("default shop_owner in app on r acl="),
        "{first}"
    );

    // After drift, the same.
    drift_v2(&pg);
    let first = snapshot(&pg);
    let log = apply(&pg, &compile(DRIFT_V2));
    assert_eq!(changes(&log), Vec::<String>::new(), "{log}");
    assert_same_lines(&first, &snapshot(&pg), "v2 run twice");

    // The matrix cluster too, with the PostgreSQL 14 fix in its script.
    let pg = PgServer::start();
    let c = compile(&matrix_source("14.15"));
    operator(&pg, &c);
    pg.try_sql_as("shop_owner", "shop", OWNER_BEFORE).unwrap();
    let log = apply(&pg, &c);
    assert!(
        changes(&log)
            .iter()
            .any(|l| l == "ALTER SCHEMA public OWNER TO shop_owner"),
        "{log}"
    );
    let first = snapshot(&pg);
    let log = apply(&pg, &c);
    assert_eq!(changes(&log), Vec::<String>::new(), "{log}");
    assert_same_lines(&first, &snapshot(&pg), "matrix run twice");
}

// ---------------------------------------------------------------------------
// Hostile names.

const HOSTILE_DB: &str = "we'ird \"db\"; \\x ünï";
const HOSTILE_OWNER: &str = "o;wn\"er";
const HOSTILE_USER: &str = "x\"; DROP TABLE t; --";
const HOSTILE_SCHEMA: &str = "s'c\"h\\ema; DROP SCHEMA public; --";
/// Names holding the dollar-quote tags cnpgc's SQL uses.
const DOLLAR_DB: &str = "$cnpgc$ d$cnpgc1$b";
const DOLLAR_USER: &str = "u$cnpgc$'); DROP ROLE x; --";

/// Exactly 63 bytes (NAMEDATALEN - 1): quotes, a backslash, `=`, `;`,
/// multi-byte characters.
fn long_name(head: &str) -> String {
    let name = format!("{head}{}", "z".repeat(63 - head.len()));
    assert_eq!(name.len(), 63);
    name
}

/// Names in a database and in the whole server, to compare before and after.
fn names(pg: &PgServer, dbs: &[&str]) -> String {
    let mut out = pg.sql(
        "postgres",
        "SELECT 'db ' || datname FROM pg_database ORDER BY 1;
         SELECT 'role ' || rolname FROM pg_roles ORDER BY 1;",
    );
    for db in dbs {
        out.push_str(&pg.sql(
            db,
            "SELECT 'schema ' || nspname FROM pg_namespace
               WHERE nspname !~ '^pg_(toast_)?temp_' ORDER BY 1;
             SELECT 'class ' || n.nspname || '.' || c.relname FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1;
             SELECT 'proc ' || oid::regprocedure::text FROM pg_proc ORDER BY 1;",
        ));
    }
    out
}

#[test]
fn hostile_names_reach_exactly_their_objects() {
    let long_db = long_name("ünï\"'\\;= d");
    let long_user = long_name("u\"'\\; ünï= ");
    let long_schema = long_name("sé\"'\\;= ");
    let src = format!(
        "cluster app <
  postgres 15.10
  db {db} <
    owner {owner}
    schemas public, {schema}, {long_schema}
    user {user} grants connect, read, write
    user {long_user} grants connect, create_tables
  >
  db {long_db} <
    owner {owner}
    user {user} grants connect, read
  >
  db {dollar_db} <
    owner {owner}
    user {dollar_user} grants connect
  >
>
",
        dollar_db = cnpg_str(DOLLAR_DB),
        dollar_user = cnpg_str(DOLLAR_USER),
        db = cnpg_str(HOSTILE_DB),
        owner = cnpg_str(HOSTILE_OWNER),
        schema = cnpg_str(HOSTILE_SCHEMA),
        long_schema = cnpg_str(&long_schema),
        user = cnpg_str(HOSTILE_USER),
        long_user = cnpg_str(&long_user),
        long_db = cnpg_str(&long_db),
    );
    let c = compile(&src);
    assert_eq!(c.databases[0].name, HOSTILE_DB);
    assert_eq!(c.databases[0].schemas[1], HOSTILE_SCHEMA);
    let pg = PgServer::start();
    operator(&pg, &c);
    let q = support::pg::quote_ident;
    let qs = q(HOSTILE_SCHEMA);
    let ql = q(&long_schema);
    pg.try_sql_as(
        HOSTILE_OWNER,
        HOSTILE_DB,
        &format!(
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1);
             CREATE TABLE {qs}.t (id serial PRIMARY KEY); INSERT INTO {qs}.t DEFAULT VALUES;
             CREATE TABLE {qs}.{qu} (id int);
             CREATE TABLE {ql}.{ql} (id int);
             CREATE FUNCTION {qs}.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            qu = q(HOSTILE_USER),
        ),
    )
    .expect("the owner creates objects with hostile names");
    pg.try_sql_as(HOSTILE_OWNER, &long_db, "CREATE TABLE t (id int)")
        .unwrap();

    // wait.sql carries every name in a dollar-quoted block: its tag is one
    // that no name holds.
    let wait = sql::wait_sql(&c);
    assert!(
        wait.contains("DO $cnpgc2$\n") && wait.ends_with("$cnpgc2$;\n"),
        "{wait}"
    );
    let dbs = [HOSTILE_DB, long_db.as_str(), DOLLAR_DB, "postgres"];
    let before = names(&pg, &dbs);
    apply(&pg, &c);
    assert_same_lines(
        &before,
        &names(&pg, &dbs),
        "the script created or dropped something",
    );
    // The script's text is as hostile as the names: it still runs again.
    let log = apply(&pg, &c);
    assert_eq!(changes(&log), Vec::<String>::new(), "{log}");

    // The `$cnpgc$` user holds exactly `connect` on its database.
    assert_eq!(
        privileges_of(&pg, DOLLAR_USER),
        vec![
            format!("{DOLLAR_DB}: database {} CONNECT", q(DOLLAR_DB)),
            format!("{DOLLAR_DB}: database {} TEMPORARY", q(DOLLAR_DB)),
        ]
    );

    // The hostile user holds exactly what connect, read, write give.
    let tables = [
        format!("public.{}", q("t")),
        format!("{qs}.{}", q("t")),
        format!("{qs}.{}", q(HOSTILE_USER)),
        format!("{ql}.{ql}"),
    ];
    let mut want = vec![
        format!("{HOSTILE_DB}: database {} CONNECT", q(HOSTILE_DB)),
        format!("{HOSTILE_DB}: database {} TEMPORARY", q(HOSTILE_DB)),
        format!("{HOSTILE_DB}: schema {} USAGE", q("public")),
        format!("{HOSTILE_DB}: schema {qs} USAGE"),
        format!("{HOSTILE_DB}: schema {ql} USAGE"),
        format!("{HOSTILE_DB}: class {qs}.{} SELECT", q("t_id_seq")),
        format!("{HOSTILE_DB}: class {qs}.{} UPDATE", q("t_id_seq")),
        format!("{HOSTILE_DB}: class {qs}.{} USAGE", q("t_id_seq")),
        format!("{long_db}: database {} CONNECT", q(&long_db)),
        format!("{long_db}: database {} TEMPORARY", q(&long_db)),
        format!("{long_db}: schema {} USAGE", q("public")),
        format!("{long_db}: class public.{} SELECT", q("t")),
    ];
    for t in &tables {
        for p in ["DELETE", "INSERT", "SELECT", "UPDATE"] {
            want.push(format!("{HOSTILE_DB}: class {t} {p}"));
        }
    }
    let got: Vec<String> = privileges_of(&pg, HOSTILE_USER)
        .into_iter()
        .filter(|l| !l.contains(": default "))
        .map(|l| l.replace("class public.t ", "class public.\"t\" "))
        .collect();
    let mut got_norm: Vec<String> = got
        .iter()
        .map(|l| {
            // quote_ident leaves plain names bare; compare in quoted form.
            l.replace(" schema public ", &format!(" schema {} ", q("public")))
                .replace(&format!("{qs}.t "), &format!("{qs}.{} ", q("t")))
                .replace(
                    &format!("{qs}.t_id_seq "),
                    &format!("{qs}.{} ", q("t_id_seq")),
                )
        })
        .collect();
    got_norm.sort();
    want.sort();
    assert_eq!(got_norm, want);
    // Default privileges: from the owner and from the 63-byte user (it may
    // create tables) in each declared schema of the hostile database.
    let defaults: Vec<String> = privileges_of(&pg, HOSTILE_USER)
        .into_iter()
        .filter(|l| l.contains(": default "))
        .collect();
    for creator in [HOSTILE_OWNER, long_user.as_str()] {
        for s in [q("public"), qs.clone(), ql.clone()] {
            let s = if s == q("public") {
                "public".to_string()
            } else {
                s
            };
            for p in ["DELETE", "INSERT", "SELECT", "UPDATE"] {
                let line = format!("{HOSTILE_DB}: default {creator} in {s} on r {p}");
                assert!(defaults.contains(&line), "{line} not in {defaults:#?}");
            }
        }
    }

    // And it works as that user.
    let mut k = Checks::default();
    for t in &tables {
        k.allowed(
            "read",
            &pg,
            HOSTILE_USER,
            HOSTILE_DB,
            &format!("SELECT * FROM {t}"),
        );
        k.allowed(
            "write",
            &pg,
            HOSTILE_USER,
            HOSTILE_DB,
            &format!("DELETE FROM {t}"),
        );
    }
    k.allowed(
        "write",
        &pg,
        HOSTILE_USER,
        HOSTILE_DB,
        &format!("INSERT INTO {qs}.t DEFAULT VALUES"),
    );
    k.denied(
        "create_tables",
        &pg,
        HOSTILE_USER,
        HOSTILE_DB,
        &format!("CREATE TABLE {qs}.nope (id int)"),
    );
    k.denied(
        "execute_functions",
        &pg,
        HOSTILE_USER,
        HOSTILE_DB,
        &format!("SELECT {qs}.f()"),
    );
    k.allowed(
        "create_tables",
        &pg,
        &long_user,
        HOSTILE_DB,
        &format!("CREATE TABLE {qs}.by_long (id int)"),
    );
    k.denied(
        "read",
        &pg,
        &long_user,
        HOSTILE_DB,
        &format!("SELECT * FROM {qs}.t"),
    );
    k.allowed("read", &pg, HOSTILE_USER, &long_db, "SELECT * FROM t");
    k.denied(
        "write",
        &pg,
        HOSTILE_USER,
        &long_db,
        "INSERT INTO t VALUES (1)",
    );
    k.denied("connect", &pg, &long_user, &long_db, "SELECT 1");
    // The table `t` the user's name tries to drop is there.
    assert_eq!(pg.sql(HOSTILE_DB, "SELECT count(*) FROM public.t"), "0");
}

// ---------------------------------------------------------------------------
// Failure paths.

#[test]
fn a_declared_schema_the_operator_has_not_created_fails_the_run() {
    let c = compile(
        "cluster app <
  postgres 15.10
  db shop <
    owner shop_owner
    schemas public, app, late
    user reader grants connect, read
  >
>
",
    );
    let pg = PgServer::start();
    operator_roles(&pg, &c);
    operator_databases(&pg, &c, &["late"]);
    assert!(run_wait(&pg, &c).status.success());
    let out = run_grants(&pg, &c);
    assert!(!out.status.success(), "{}", output_text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cnpgc: schema late not found in database shop yet")
            && err.contains("the grant Job tries again"),
        "{err}"
    );
    // The database's transaction rolled back: nothing granted there.
    assert_eq!(privileges_of(&pg, "reader"), Vec::<String>::new());
    // The operator catches up; the Job's next attempt succeeds.
    pg.sql("shop", "CREATE SCHEMA late AUTHORIZATION shop_owner");
    apply(&pg, &c);
    assert_eq!(
        pg.sql(
            "shop",
            &format!("SELECT {}", has_schema("reader", "late", "USAGE"))
        ),
        "t"
    );
    assert!(
        databases(&pg).contains(&"shop".to_string()),
        "nothing was dropped"
    );
}

// ---------------------------------------------------------------------------
// Without a server: version differences, the Job.

fn cluster_for(version: &str) -> cnpgc::ir::Cluster {
    compile(&format!(
        "cluster app < postgres {version} db shop < user reader grants connect, read > >"
    ))
}

#[test]
fn public_schema_fix_only_before_postgres_15() {
    let all = |c: &cnpgc::ir::Cluster| {
        sql::grant_files(c)
            .into_iter()
            .map(|(_, t)| t)
            .collect::<String>()
    };
    for v in ["13.18", "14.15"] {
        let s = all(&cluster_for(v));
        assert!(s.contains("ALTER SCHEMA public OWNER TO %I"), "{v}");
        assert!(
            s.contains("REVOKE CREATE ON SCHEMA public FROM PUBLIC;"),
            "{v}"
        );
        assert!(s.contains("-- PostgreSQL 13 and 14"), "{v}");
    }
    for v in ["15.10", "16.6", "17.2", "18.3"] {
        let s = all(&cluster_for(v));
        assert!(!s.contains("ALTER SCHEMA public OWNER"), "{v}");
        assert!(!s.contains("CREATE ON SCHEMA public FROM PUBLIC"), "{v}");
    }
}

/// The Job's two documents, as YAML values.
fn job_docs(c: &cnpgc::ir::Cluster) -> (serde_norway::Value, serde_norway::Value) {
    let docs = job::docs(c);
    assert_eq!(docs.len(), 2, "a ConfigMap and a Job");
    let mut text = String::new();
    cnpgc::emit::yaml::write_docs(&mut text, &docs);
    let mut values: Vec<serde_norway::Value> = serde_norway::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    let job = values.pop().unwrap();
    let config_map = values.pop().unwrap();
    (config_map, job)
}

fn at<'a>(v: &'a serde_norway::Value, path: &[&str]) -> &'a serde_norway::Value {
    path.iter().fold(v, |v, k| {
        v.get(*k)
            .unwrap_or_else(|| panic!("no {k} in path {path:?}"))
    })
}

fn container(job: &serde_norway::Value) -> &serde_norway::Value {
    &at(job, &["spec", "template", "spec", "containers"])[0]
}

fn env_secret(job: &serde_norway::Value, var: &str) -> (String, String) {
    let env = at(container(job), &["env"]).as_sequence().unwrap();
    let e = env
        .iter()
        .find(|e| e["name"].as_str() == Some(var))
        .unwrap_or_else(|| panic!("no {var}"));
    let r = &e["valueFrom"]["secretKeyRef"];
    (
        r["name"].as_str().unwrap().to_string(),
        r["key"].as_str().unwrap().to_string(),
    )
}

#[test]
fn job_manifest_facts() {
    let c = cluster_for("15.10");
    let (cm, job) = job_docs(&c);
    assert_eq!(cm["kind"].as_str(), Some("ConfigMap"));
    assert_eq!(job["kind"].as_str(), Some("Job"));
    // The cluster's own ConfigMap holds its two scripts; the fixed files
    // grants.sql includes come from the shared ConfigMap (its own copy
    // in the namespace), mounted next to them.
    let data = cm["data"].as_mapping().unwrap();
    assert_eq!(data.len(), 2, "grants.sql and wait.sql");
    assert_eq!(
        cm["data"]["grants.sql"].as_str(),
        Some(sql::grants_sql(&c).as_str())
    );
    let shared = job::shared_config_map_for(&c);
    for (name, text) in sql::grant_files(&c).into_iter().skip(1) {
        assert_eq!(
            shared.at(&["data", name]).and_then(|n| n.as_str()),
            Some(text.as_str()),
            "{name}"
        );
    }
    assert!(sql::grants_sql(&c).contains("\\ir cnpgc-database.sql\n"));
    assert!(sql::grants_sql(&cluster_for("14.15")).contains("\\ir cnpgc-database-pg13.sql\n"));
    assert_eq!(
        cm["data"]["wait.sql"].as_str(),
        Some(sql::wait_sql(&c).as_str())
    );

    let spec = &job["spec"];
    assert_eq!(spec["ttlSecondsAfterFinished"].as_i64(), Some(3600));
    assert_eq!(spec["activeDeadlineSeconds"].as_i64(), Some(600));
    assert_eq!(job::DEADLINE, 600);
    assert_eq!(
        at(spec, &["template", "spec", "restartPolicy"]).as_str(),
        Some("Never")
    );

    // Both SQL files stop at the first error, and so does the Job's psql.
    assert!(sql::grants_sql(&c).contains("\\set ON_ERROR_STOP on\n"));
    assert!(sql::wait_sql(&c).contains("\\set ON_ERROR_STOP on\n"));
    let cmd: Vec<&str> = at(container(&job), &["command"])
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let script = cmd.last().unwrap();
    assert_eq!(script.matches("-v ON_ERROR_STOP=1").count(), 2, "{script}");
    assert!(
        script.contains("-f /sql/wait.sql && psql") && script.contains("-f /sql/grants.sql"),
        "wait, then apply: {script}"
    );
    // The loop is bounded, and ends before the deadline even when every
    // attempt waits out the connect timeout.
    assert!(
        script.contains(&format!("-ge {} ]", job::ATTEMPTS)),
        "{script}"
    );
    assert!(
        script.contains(&format!("sleep {}\n", job::PAUSE)),
        "{script}"
    );
    assert!(i64::from(job::ATTEMPTS * job::PAUSE) < job::DEADLINE);
    assert!(i64::from(job::ATTEMPTS * (job::PAUSE + job::CONNECT_TIMEOUT)) < job::DEADLINE);
    assert!(script.contains("exit 1"));

    // Connects as the superuser, from the operator's superuser Secret.
    assert_eq!(
        env_secret(&job, "PGUSER"),
        ("app-superuser".to_string(), "username".to_string())
    );
    assert_eq!(
        env_secret(&job, "PGPASSWORD"),
        ("app-superuser".to_string(), "password".to_string())
    );
    let env = at(container(&job), &["env"]).as_sequence().unwrap();
    let plain = |var: &str| {
        env.iter()
            .find(|e| e["name"].as_str() == Some(var))
            .and_then(|e| e["value"].as_str())
            .map(str::to_string)
    };
    assert_eq!(
        plain("PGHOST").as_deref(),
        Some("app-rw.app.svc.cluster.local")
    );
    assert_eq!(
        plain("PGCONNECT_TIMEOUT"),
        Some(job::CONNECT_TIMEOUT.to_string())
    );
    // ...or as the declared admin role, from its Secret.
    let admin = compile(
        "cluster app < admin boss password secret(\"boss-pw\") db shop < user reader grants connect > >",
    );
    let (_, admin_job) = job_docs(&admin);
    assert_eq!(env_secret(&admin_job, "PGUSER").0, "boss-pw");
    assert_eq!(env_secret(&admin_job, "PGPASSWORD").0, "boss-pw");

    // Named after a hash of what it runs: same SQL, same name; other SQL,
    // another name (a new Job GitOps runs). ConfigMap and Job share it.
    let name = job["metadata"]["name"].as_str().unwrap().to_string();
    assert_eq!(cm["metadata"]["name"].as_str(), Some(name.as_str()));
    let sources = &at(spec, &["template", "spec", "volumes"])[0]["projected"]["sources"];
    assert_eq!(
        sources[0]["configMap"]["name"].as_str(),
        Some(name.as_str())
    );
    assert_eq!(
        sources[1]["configMap"]["name"].as_str(),
        shared.at(&["metadata", "name"]).and_then(|n| n.as_str())
    );
    assert!(
        name.starts_with("app-grants-") && name.len() <= 63,
        "{name}"
    );
    let same = job_docs(&cluster_for("15.10")).1;
    assert_eq!(same["metadata"]["name"].as_str(), Some(name.as_str()));
    let unrelated = compile(
        "cluster app < postgres 15.10 instances 3 db shop < user reader grants connect, read > >",
    );
    assert_eq!(sql::grants_sql(&unrelated), sql::grants_sql(&c));
    assert_eq!(
        job_docs(&unrelated).1["metadata"]["name"].as_str(),
        Some(name.as_str()),
        "a change that leaves the SQL alone keeps the Job"
    );
    let changed = compile(
        "cluster app < postgres 15.10 db shop < user reader grants connect, read, write > >",
    );
    let other = job_docs(&changed).1["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(other, name, "a flag more: a new Job");
    let long = compile(&format!(
        "cluster {} < db shop < user reader grants connect > >",
        "a".repeat(50)
    ));
    let long_name = job_docs(&long).1["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(long_name.len() <= 63, "{long_name}");

    // No database, no Job.
    assert!(job::docs(&compile("cluster app < user auditor >")).is_empty());
}

// ---------------------------------------------------------------------------
// Seed 003's roles and the operator's own roles (issue 14).

/// Seed 003's chart on PostgreSQL: `readonly` (std::bundles) reads and runs
/// functions, now and later; `admin` owns the database and its schemas
/// through the owner's role (it may alter and drop the owner's objects,
/// create schemas, grant) but gets no CREATEROLE; a `login false` group has
/// no password at all.
#[test]
fn seed_003_roles_mean_what_the_chart_means() {
    let c = compile(
        "use std::bundles
cluster app <
  postgres 15.10
  user readers login false
  db myapp <
    owner user1
    user  user2 grants readonly
    user  user3 grants admin
  >
  db other < owner other_owner >
>
",
    );
    // The group: no password Secret, disablePassword in the managed roles.
    let roles = support::grants::managed_roles(&c);
    let group = roles
        .iter()
        .find(|r| r.get("name").and_then(|n| n.as_str()) == Some("readers"))
        .unwrap();
    assert_eq!(
        group.get("disablePassword").and_then(|v| v.as_bool()),
        Some(true)
    );
    assert!(group.get("passwordSecret").is_none());
    let pg = PgServer::start();
    operator(&pg, &c);
    pg.try_sql_as(
        "user1",
        "myapp",
        "CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1);
         CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    .unwrap();
    apply(&pg, &c);
    let mut k = Checks::default();
    // readonly: read and EXECUTE, nothing more.
    k.allowed("readonly", &pg, "user2", "myapp", "SELECT * FROM public.t");
    k.allowed("readonly", &pg, "user2", "myapp", "SELECT public.f()");
    k.denied(
        "readonly",
        &pg,
        "user2",
        "myapp",
        "INSERT INTO public.t VALUES (2)",
    );
    // admin: the owner's rights without CREATEROLE.
    k.allowed(
        "admin",
        &pg,
        "user3",
        "myapp",
        "ALTER TABLE public.t ADD COLUMN v text",
    );
    k.allowed(
        "admin",
        &pg,
        "user3",
        "myapp",
        "CREATE SCHEMA reporting; CREATE TABLE reporting.r (id int)",
    );
    k.allowed(
        "admin",
        &pg,
        "user3",
        "myapp",
        "CREATE FUNCTION reporting.g() RETURNS int LANGUAGE sql AS 'SELECT 2'",
    );
    k.allowed(
        "admin",
        &pg,
        "user3",
        "myapp",
        "COMMENT ON DATABASE myapp IS 'owned'",
    );
    k.denied("admin", &pg, "user3", "myapp", "CREATE ROLE made_by_admin");
    // Not another database's admin.
    k.denied("admin", &pg, "user3", "other", "SELECT 1");
    // What the admin makes later, readonly reads and runs at once (the
    // admin is a creator: default privileges are set for it).
    k.allowed("readonly", &pg, "user2", "myapp", "SELECT public.f()");
    pg.try_sql_as("user3", "myapp", "CREATE TABLE public.later (id int); CREATE FUNCTION public.h() RETURNS int LANGUAGE sql AS 'SELECT 3'")
        .unwrap();
    k.allowed(
        "readonly",
        &pg,
        "user2",
        "myapp",
        "SELECT * FROM public.later",
    );
    k.allowed("readonly", &pg, "user2", "myapp", "SELECT public.h()");
    // The group cannot log in.
    assert!(pg.try_sql_as("readers", "myapp", "SELECT 1").is_err());
    // A second run changes nothing.
    let again = apply(&pg, &c);
    assert_eq!(changes(&again), Vec::<String>::new(), "{again}");
}

/// The operator's own roles keep what they need, and the maintenance
/// database `postgres` is left as PostgreSQL made it (a decision, see
/// docs/grants.md): CloudNativePG connects there as roles that hold no grant
/// of their own (`streaming_replica` for pg_rewind and slot synchronization,
/// `cnpg_metrics_exporter`), so managed roles may connect to `postgres` too,
/// where they own and are granted nothing. In the declared databases, the
/// metrics exporter gets CONNECT back explicitly when PUBLIC loses it.
#[test]
fn operator_roles_keep_their_access_and_postgres_is_left_alone() {
    let c = compile(
        "cluster app <
  postgres 15.10
  db shop < owner shop_owner  user reader grants connect, read >
>
",
    );
    let pg = PgServer::start();
    // What CNPG 1.30 makes on every primary.
    pg.sql(
        "postgres",
        "CREATE ROLE streaming_replica LOGIN REPLICATION;
         CREATE ROLE cnpg_metrics_exporter LOGIN PASSWORD NULL;
         GRANT pg_monitor TO cnpg_metrics_exporter;",
    );
    operator(&pg, &c);
    let postgres_acl =
        "SELECT coalesce(datacl::text, '-') FROM pg_database WHERE datname = 'postgres'";
    let before = pg.sql("postgres", postgres_acl);
    let out = apply(&pg, &c);
    assert!(
        changes(&out)
            .contains(&"GRANT CONNECT ON DATABASE shop TO cnpg_metrics_exporter".to_string()),
        "{out}"
    );
    assert_eq!(
        pg.sql("postgres", postgres_acl),
        before,
        "postgres untouched"
    );
    let mut k = Checks::default();
    // The exporter reaches the declared database (its per-database
    // queries), and `postgres`.
    k.allowed(
        "operator",
        &pg,
        "cnpg_metrics_exporter",
        "shop",
        "SELECT count(*) FROM pg_stat_user_tables",
    );
    k.allowed(
        "operator",
        &pg,
        "cnpg_metrics_exporter",
        "postgres",
        "SELECT 1",
    );
    // streaming_replica's normal connections go to `postgres` only.
    k.allowed("operator", &pg, "streaming_replica", "postgres", "SELECT 1");
    k.denied("operator", &pg, "streaming_replica", "shop", "SELECT 1");
    // Managed roles: `postgres` yes (nothing to read there), shop by flag.
    k.allowed("postgres db", &pg, "reader", "postgres", "SELECT 1");
    k.denied(
        "postgres db",
        &pg,
        "reader",
        "postgres",
        "CREATE TABLE public.x (id int)",
    );
    // Idempotent with the exporter's grant in place.
    let again = apply(&pg, &c);
    assert_eq!(changes(&again), Vec::<String>::new(), "{again}");
}
