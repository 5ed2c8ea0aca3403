//! What each permission flag grants, for hover and completion: takes a flag
//! name, gives one paragraph. The privileges are those of the grant SQL's rule
//! table (src/emit/grants/sql.rs, `cnpgc_rule`; docs/grants.md); a test keeps
//! this table and `schema::GRANT_FLAGS` in step.

/// (flag, what it grants).
pub const FLAG_DOCS: &[(&str, &str)] = &[
    (
        "connect",
        "May connect to the database: `CONNECT` and `TEMPORARY` on the database.",
    ),
    (
        "read",
        "Reads data: `USAGE` on the covered schemas, `SELECT` on their tables, views and sequences, now and on those created later (default privileges).",
    ),
    (
        "write",
        "Changes data: `USAGE` on the covered schemas, `INSERT`, `UPDATE`, `DELETE` on their tables and `USAGE`, `UPDATE` on their sequences, now and later.",
    ),
    (
        "manage_roles",
        "May create and manage roles: the role gets `CREATEROLE`.",
    ),
    (
        "create_schema",
        "May create schemas: `CREATE` on the database; what the role creates gets the other members' default privileges.",
    ),
    (
        "create_tables",
        "May create tables and other objects: `USAGE` and `CREATE` on the covered schemas; the other members' flags apply to what it creates (default privileges).",
    ),
    (
        "execute_functions",
        "Runs functions and procedures: `USAGE` on the covered schemas and `EXECUTE` on their routines, now and later.",
    ),
    (
        "default_privileges",
        "The role's other flags cover every schema of the database, including schemas created later, instead of only the db's `schemas`.",
    ),
    (
        "metadata_access",
        "Reads statistics and monitoring views: membership in `pg_read_all_stats`.",
    ),
    (
        "own",
        "Acts as the database's owner: membership in the db's owner role (owns the database, its schemas and the owner's objects with it); no `CREATEROLE`.",
    ),
];

pub fn flag_doc(flag: &str) -> Option<&'static str> {
    FLAG_DOCS.iter().find(|(f, _)| *f == flag).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_documented() {
        for f in crate::schema::GRANT_FLAGS {
            assert!(flag_doc(f).is_some(), "{f} has no doc");
        }
        assert_eq!(FLAG_DOCS.len(), crate::schema::GRANT_FLAGS.len());
    }
}
