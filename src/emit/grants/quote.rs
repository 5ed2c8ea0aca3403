//! Quoting: takes names and texts from the source, gives them as SQL
//! identifiers, SQL literals, dollar-quoted bodies and psql `\connect`
//! arguments. Every name that reaches generated SQL goes through here
//! (the equivalents of `format('%I')` and `quote_literal`).

/// `"name"`, with `"` doubled. Always quoted: no keyword or case surprises.
pub fn ident(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `'text'` with `'` doubled; `E'…'` with `\` doubled when the text holds a
/// backslash, so the result means the same whatever
/// `standard_conforming_strings` says.
pub fn literal(s: &str) -> String {
    let escaped = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", escaped.replace('\\', "\\\\"))
    } else {
        format!("'{escaped}'")
    }
}

/// Text for an SQL `--` comment line: control characters (a newline would
/// end the comment and start SQL) become `?`.
pub fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// `ARRAY[…]::text[]` of literals.
pub fn text_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(literal).collect();
    format!("ARRAY[{}]::text[]", items.join(", "))
}

/// `$tag$body$tag$` with a tag that does not occur in the body.
pub fn dollar(body: &str) -> String {
    let mut tag = "$cnpgc$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$cnpgc{n}$");
    }
    format!("{tag}{body}{tag}")
}

/// A psql `\connect` line reaching database `db` with the other connection
/// parameters (host, user, …) reused. The name goes into a conninfo string
/// (`dbname='…'`, `\` and `'` escaped by a backslash) which is one psql
/// argument in double quotes (`"` doubled), so names holding `=`, spaces,
/// quotes or backslashes reach the server unchanged. Control characters are
/// refused by the checker before we get here.
pub fn psql_connect(db: &str) -> String {
    let mut conninfo = String::from("dbname='");
    for c in db.chars() {
        if c == '\\' || c == '\'' {
            conninfo.push('\\');
        }
        conninfo.push(c);
    }
    conninfo.push('\'');
    format!(
        "\\connect -reuse-previous=on \"{}\"",
        conninfo.replace('"', "\"\"")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b'c"), "E'a\\\\b''c'");
        assert_eq!(dollar("x $cnpgc$ y"), "$cnpgc1$x $cnpgc$ y$cnpgc1$");
        assert_eq!(comment("a\nDROP TABLE t;\r\u{1b}"), "a?DROP TABLE t;??");
        assert_eq!(text_array([]), "ARRAY[]::text[]");
        assert_eq!(
            psql_connect("we'ird \"db\"; \\x"),
            r#"\connect -reuse-previous=on "dbname='we\'ird ""db""; \\x'""#
        );
    }
}
