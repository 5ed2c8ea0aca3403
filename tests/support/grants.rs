#![allow(dead_code)]
//! Grant tests: compiles a `.cnpg` source, plays the operator's part on a
//! throwaway server (roles as CloudNativePG's managed-roles reconciler makes
//! them from the emitted `roles.yaml`, databases and schemas as the
//! `Database` CRs of `database.yaml` do), runs `wait.sql` and `grants.sql` as
//! the grant Job does, and reads privileges back.

use std::collections::BTreeMap;
use std::process::Output;

use cnpgc::ir::Cluster;
use serde_norway::Value;

use super::pg::{PgServer, quote_ident, quote_literal};

/// The one cluster of a source that must check clean.
pub fn compile(src: &str) -> Cluster {
    let checked = cnpgc::check_sources(&[("t.cnpg", src)]);
    match checked.program {
        Some(p) => p
            .clusters
            .into_iter()
            .next()
            .expect("the source has a cluster"),
        None => panic!(
            "the source does not check clean:\n{src}\n{:#?}",
            checked.diagnostics
        ),
    }
}

/// A name written as a `.cnpg` quoted string.
pub fn cnpg_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The YAML documents of one emitted file (by path suffix).
fn emitted_docs(c: &Cluster, suffix: &str) -> Vec<Value> {
    let tree = cnpgc::emit::emit_cluster(&cnpgc::ir::Program::default(), c);
    let Some(file) = tree.files.iter().find(|f| f.path.ends_with(suffix)) else {
        return Vec::new();
    };
    serde_norway::Deserializer::from_str(&file.content)
        .map(|d| serde::Deserialize::deserialize(d).expect("emitted YAML parses"))
        .filter(|v: &Value| !v.is_null())
        .collect()
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// `spec.managed.roles` of the emitted roles.yaml.
pub fn managed_roles(c: &Cluster) -> Vec<Value> {
    emitted_docs(c, "roles.yaml")
        .into_iter()
        .flat_map(|doc| {
            doc.get("spec")
                .and_then(|s| s.get("managed"))
                .and_then(|m| m.get("roles"))
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// The `Database` CRs of the emitted database.yaml.
pub fn database_crs(c: &Cluster) -> Vec<Value> {
    emitted_docs(c, "database.yaml")
        .into_iter()
        .filter(|d| text(d, "kind") == Some("Database"))
        .collect()
}

/// What the operator does short of the databases: every role of
/// `spec.managed.roles` created (or altered) with its attributes, comment and
/// exactly its `inRoles` memberships. Roles no longer listed are left as they
/// are (CloudNativePG stops managing them; it drops nothing).
pub fn operator_roles(pg: &PgServer, c: &Cluster) {
    let mut sql = String::new();
    for r in managed_roles(c) {
        let name = text(&r, "name").expect("role name");
        let q = quote_ident(name);
        let mut opts = Vec::new();
        for (key, word) in [
            ("login", "LOGIN"),
            ("superuser", "SUPERUSER"),
            ("createdb", "CREATEDB"),
            ("createrole", "CREATEROLE"),
            ("replication", "REPLICATION"),
            ("bypassrls", "BYPASSRLS"),
            ("inherit", "INHERIT"),
        ] {
            opts.push(if flag(&r, key) {
                word.to_string()
            } else {
                format!("NO{word}")
            });
        }
        let limit = r
            .get("connectionLimit")
            .and_then(Value::as_i64)
            .unwrap_or(-1);
        opts.push(format!("CONNECTION LIMIT {limit}"));
        if let Some(v) = text(&r, "validUntil") {
            opts.push(format!("VALID UNTIL {}", quote_literal(v)));
        }
        let opts = opts.join(" ");
        sql.push_str(&format!(
            "DO $op$ BEGIN\n  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {lit}) THEN\n    \
             EXECUTE {alter};\n  ELSE\n    EXECUTE {create};\n  END IF;\nEND $op$;\n",
            lit = quote_literal(name),
            alter = quote_literal(&format!("ALTER ROLE {q} {opts}")),
            create = quote_literal(&format!("CREATE ROLE {q} {opts}")),
        ));
        let comment = text(&r, "comment").unwrap_or("");
        sql.push_str(&format!(
            "COMMENT ON ROLE {q} IS {};\n",
            quote_literal(comment)
        ));
    }
    pg.sql("postgres", &sql);
    // Memberships, once every role exists: grant what inRoles lists, revoke
    // the rest (the reconciler makes them equal).
    let mut sql = String::new();
    for r in managed_roles(c) {
        let name = text(&r, "name").expect("role name");
        let wanted: Vec<String> = r
            .get("inRoles")
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let current = pg.sql(
            "postgres",
            &format!(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid \
                 JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = {} ORDER BY 1",
                quote_literal(name)
            ),
        );
        let current: Vec<&str> = current.lines().filter(|l| !l.is_empty()).collect();
        for w in &wanted {
            if !current.contains(&w.as_str()) {
                sql.push_str(&format!(
                    "GRANT {} TO {};\n",
                    quote_ident(w),
                    quote_ident(name)
                ));
            }
        }
        for cur in current {
            if !wanted.iter().any(|w| w == cur) {
                sql.push_str(&format!(
                    "REVOKE {} FROM {};\n",
                    quote_ident(cur),
                    quote_ident(name)
                ));
            }
        }
    }
    if !sql.is_empty() {
        pg.sql("postgres", &sql);
    }
}

/// What the operator does for the `Database` CRs: each database created with
/// its owner (or given to it), each non-public schema created owned by the
/// owner; `skip_schemas` are left out (to play an operator that is late).
pub fn operator_databases(pg: &PgServer, c: &Cluster, skip_schemas: &[&str]) {
    for d in database_crs(c) {
        let spec = d.get("spec").expect("Database spec");
        let name = text(spec, "name").expect("database name");
        let owner = text(spec, "owner").expect("database owner");
        let exists = pg.sql(
            "postgres",
            &format!(
                "SELECT count(*) FROM pg_database WHERE datname = {}",
                quote_literal(name)
            ),
        );
        if exists == "0" {
            pg.create_database(name, owner);
        } else {
            pg.sql(
                "postgres",
                &format!(
                    "ALTER DATABASE {} OWNER TO {}",
                    quote_ident(name),
                    quote_ident(owner)
                ),
            );
        }
        let schemas = spec
            .get("schemas")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        let mut sql = String::new();
        for s in &schemas {
            let schema = text(s, "name").expect("schema name");
            if skip_schemas.contains(&schema) {
                continue;
            }
            let owner = text(s, "owner").unwrap_or(owner);
            sql.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {};\n",
                quote_ident(schema),
                quote_ident(owner)
            ));
        }
        if !sql.is_empty() {
            pg.sql(name, &sql);
        }
    }
}

/// The whole operator part: roles, then databases and schemas.
pub fn operator(pg: &PgServer, c: &Cluster) {
    operator_roles(pg, c);
    operator_databases(pg, c, &[]);
}

/// psql's combined output, for messages.
pub fn output_text(out: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `wait.sql` as the Job does (connected to `postgres`).
pub fn run_wait(pg: &PgServer, c: &Cluster) -> Output {
    pg.run_script("postgres", &cnpgc::emit::grants::sql::wait_sql(c))
}

/// Runs `grants.sql` as the Job does (connected to `postgres`, the fixed
/// files it includes next to it).
pub fn run_grants(pg: &PgServer, c: &Cluster) -> Output {
    let files = cnpgc::emit::grants::sql::grant_files(c);
    let files: Vec<(&str, String)> = files.into_iter().collect();
    pg.run_files("postgres", &files)
}

/// wait.sql then grants.sql, both of which must succeed; gives grants.sql's
/// stderr (its NOTICEs: the changes it made).
pub fn apply(pg: &PgServer, c: &Cluster) -> String {
    let out = run_wait(pg, c);
    assert!(
        out.status.success(),
        "wait.sql failed although the operator created everything\n{}",
        output_text(&out)
    );
    let out = run_grants(pg, c);
    assert!(
        out.status.success(),
        "grants.sql failed\n{}\n--- script ---\n{}",
        output_text(&out),
        cnpgc::emit::grants::sql::grants_sql(c)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `cnpgc: <statement>` NOTICE lines of a run: what it changed.
pub fn changes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.split_once("NOTICE:  cnpgc: ").map(|(_, s)| s))
        .filter(|s| !s.contains(" change(s)"))
        .map(str::to_string)
        .collect()
}

/// Every database of the server but the templates.
pub fn databases(pg: &PgServer) -> Vec<String> {
    pg.sql(
        "postgres",
        "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY datname COLLATE \"C\"",
    )
    .lines()
    .map(str::to_string)
    .collect()
}

/// A text snapshot of every privilege-bearing catalog: pg_database.datacl,
/// pg_roles attributes and pg_auth_members (cluster-wide), and per database
/// pg_namespace.nspacl, pg_class.relacl, pg_proc.proacl and pg_default_acl
/// (role, schema, object type, ACL; never the row oid). Deterministically
/// ordered, so two snapshots compare with `assert_eq!`.
pub fn snapshot(pg: &PgServer) -> String {
    let mut out = String::new();
    out.push_str(&pg.sql(
        "postgres",
        "SELECT 'database ' || quote_ident(datname) || ' owner=' || pg_get_userbyid(datdba) \
                || ' acl=' || coalesce(datacl::text, '-')
           FROM pg_database ORDER BY datname COLLATE \"C\";
         SELECT 'role ' || quote_ident(rolname) || ' ' || concat_ws(',', \
                CASE WHEN rolcanlogin THEN 'login' END, CASE WHEN rolsuper THEN 'superuser' END, \
                CASE WHEN rolcreatedb THEN 'createdb' END, CASE WHEN rolcreaterole THEN 'createrole' END, \
                CASE WHEN rolreplication THEN 'replication' END, CASE WHEN rolbypassrls THEN 'bypassrls' END)
           FROM pg_roles ORDER BY rolname COLLATE \"C\";
         SELECT 'member ' || quote_ident(pg_get_userbyid(roleid)) || ' <- ' || quote_ident(pg_get_userbyid(member)) \
                || ' by ' || quote_ident(pg_get_userbyid(grantor)) || ' admin=' || admin_option
           FROM pg_auth_members ORDER BY 1;",
    ));
    out.push('\n');
    for db in databases(pg) {
        out.push_str(&format!("== {db}\n"));
        out.push_str(&pg.sql(
            &db,
            "SELECT 'schema ' || quote_ident(nspname) || ' owner=' || pg_get_userbyid(nspowner) \
                    || ' acl=' || coalesce(nspacl::text, '-')
               FROM pg_namespace ORDER BY nspname COLLATE \"C\";
             SELECT 'class ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ' || c.relkind::text \
                    || ' owner=' || pg_get_userbyid(c.relowner) || ' acl=' || coalesce(c.relacl::text, '-')
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\";
             SELECT 'proc ' || p.oid::regprocedure::text || ' owner=' || pg_get_userbyid(p.proowner) \
                    || ' acl=' || coalesce(p.proacl::text, '-')
               FROM pg_proc p ORDER BY 1;
             SELECT 'default ' || pg_get_userbyid(a.defaclrole) || ' in ' \
                    || coalesce(quote_ident(n.nspname), '-') || ' on ' || a.defaclobjtype::text \
                    || ' acl=' || a.defaclacl::text
               FROM pg_default_acl a LEFT JOIN pg_namespace n ON n.oid = a.defaclnamespace
              ORDER BY 1;",
        ));
        out.push('\n');
    }
    out
}

/// Every privilege granted directly to `role` in every database (objects,
/// schemas, the database, default privileges), one line each, sorted.
pub fn privileges_of(pg: &PgServer, role: &str) -> Vec<String> {
    let lit = quote_literal(role);
    let mut out = Vec::new();
    for db in databases(pg) {
        let sql = format!(
            "WITH r AS (SELECT oid FROM pg_roles WHERE rolname = {lit}),
             o AS (
               SELECT 'database ' || quote_ident(datname) AS what, datacl AS acl FROM pg_database
                WHERE datname = current_database()
               UNION ALL SELECT 'schema ' || quote_ident(nspname), nspacl FROM pg_namespace
               UNION ALL SELECT 'class ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relacl
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               UNION ALL SELECT 'proc ' || p.oid::regprocedure::text, p.proacl FROM pg_proc p
               UNION ALL SELECT 'default ' || pg_get_userbyid(a.defaclrole) || ' in '
                                || coalesce(quote_ident(n.nspname), '-') || ' on ' || a.defaclobjtype::text, a.defaclacl
                 FROM pg_default_acl a LEFT JOIN pg_namespace n ON n.oid = a.defaclnamespace)
             SELECT o.what || ' ' || e.privilege_type || CASE WHEN e.is_grantable THEN '*' ELSE '' END
               FROM o, aclexplode(o.acl) e, r WHERE e.grantee = r.oid
              ORDER BY 1"
        );
        for line in pg.sql(&db, &sql).lines() {
            out.push(format!("{db}: {line}"));
        }
    }
    out
}

/// Asserts two multi-line texts are equal, showing only the lines that
/// differ.
pub fn assert_same_lines(before: &str, after: &str, what: &str) {
    if before == after {
        return;
    }
    let b: Vec<&str> = before.lines().collect();
    let a: Vec<&str> = after.lines().collect();
    let gone: Vec<&&str> = b.iter().filter(|l| !a.contains(l)).collect();
    let new: Vec<&&str> = a.iter().filter(|l| !b.contains(l)).collect();
    panic!("{what}:\n--- only before ---\n{gone:#?}\n--- only after ---\n{new:#?}");
}

/// Counts checks per flag (allowed / denied), and runs them.
#[derive(Default)]
pub struct Checks {
    counts: BTreeMap<String, (usize, usize)>,
}

impl Checks {
    fn count(&mut self, flag: &str, positive: bool) {
        let e = self.counts.entry(flag.to_string()).or_default();
        if positive {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }

    /// Counts a check the caller made itself.
    pub fn count_external(&mut self, flag: &str, positive: bool) {
        self.count(flag, positive);
    }

    /// `user` runs `sql` in `db` successfully.
    pub fn allowed(&mut self, flag: &str, pg: &PgServer, user: &str, db: &str, sql: &str) {
        if let Err(e) = pg.try_sql_as(user, db, sql) {
            panic!("[{flag}] {user} should be allowed in {db}: {sql}\n{e}");
        }
        self.count(flag, true);
    }

    /// `user` running `sql` in `db` gets "permission denied" (or a refused
    /// connection, for `connect`).
    pub fn denied(&mut self, flag: &str, pg: &PgServer, user: &str, db: &str, sql: &str) {
        match pg.try_sql_as(user, db, sql) {
            Ok(out) => panic!("[{flag}] {user} should be denied in {db}: {sql}\n(got {out:?})"),
            Err(e) => assert!(
                e.contains("permission denied") || e.contains("not permitted to log in"),
                "[{flag}] {user} in {db}: {sql}\nfailed, but not for lack of privilege:\n{e}"
            ),
        }
        self.count(flag, false);
    }

    /// The boolean SQL expression `expr` (has_*_privilege, pg_roles, …)
    /// evaluated as the superuser in `db` is `want`.
    pub fn is(&mut self, flag: &str, pg: &PgServer, db: &str, expr: &str, want: bool) {
        let got = pg.sql(db, &format!("SELECT ({expr})::bool"));
        assert_eq!(
            got,
            if want { "t" } else { "f" },
            "[{flag}] in {db}: {expr} should be {want}"
        );
        self.count(flag, want);
    }

    /// The boolean SQL expression `expr` evaluated as `user` in `db` is `want`.
    pub fn as_user_is(
        &mut self,
        flag: &str,
        pg: &PgServer,
        user: &str,
        db: &str,
        expr: &str,
        want: bool,
    ) {
        let got = pg
            .try_sql_as(user, db, &format!("SELECT ({expr})::bool"))
            .unwrap_or_else(|e| panic!("[{flag}] {user} in {db}: {expr}\n{e}"));
        assert_eq!(
            got,
            if want { "t" } else { "f" },
            "[{flag}] as {user} in {db}: {expr} should be {want}"
        );
        self.count(flag, want);
    }

    /// A summary line per flag: how many positive and negative checks ran.
    pub fn summary(&self) -> String {
        self.counts
            .iter()
            .map(|(f, (y, n))| format!("{f}: {y} positive, {n} negative"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn total(&self, flag: &str) -> (usize, usize) {
        self.counts.get(flag).copied().unwrap_or_default()
    }
}
