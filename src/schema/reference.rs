//! The language reference: takes the schema tables, gives docs/reference.md
//! (every block, statement, option, type and default). A test keeps the
//! committed file equal to this output.

use super::spec::StmtSpec;
use super::tables::{GRANT_FLAGS, all_blocks};
use super::types::Ty;

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn stmt_rows(out: &mut String, prefix: &str, s: &StmtSpec) {
    let key = if prefix.is_empty() {
        s.key.to_string()
    } else {
        format!("{prefix} {}", s.key)
    };
    let aliases = if s.aliases.is_empty() {
        String::new()
    } else {
        format!(" (also `{}`)", s.aliases.join("`, `"))
    };
    let synopsis = if prefix.is_empty() {
        s.synopsis()
    } else {
        format!("{prefix} {}", s.synopsis())
    };
    out.push_str(&format!(
        "| `{key}`{aliases} | `{}` | {} | {}{} |\n",
        escape(&synopsis),
        s.default.map(escape).unwrap_or_else(|| if s.required {
            "required".into()
        } else {
            "—".into()
        }),
        escape(s.doc),
        if s.repeat { " May be repeated." } else { "" }
    ));
}

/// The whole reference, as markdown.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# .cnpg language reference\n\n\
         Generated from the schema tables in `src/schema/tables.rs` (a test keeps this file current). \
         The syntax and the concepts are explained in [language.md](language.md).\n\n",
    );
    for b in all_blocks() {
        out.push_str(&format!("## `{}`\n\n{}\n\n", b.kind, b.doc));
        out.push_str("| statement | written | default | meaning |\n|---|---|---|---|\n");
        for s in b.stmts {
            stmt_rows(&mut out, "", s);
            for v in s.variants {
                stmt_rows(&mut out, s.key, v);
            }
        }
        out.push('\n');
        for s in b.stmts.iter().filter(|s| !s.opts.is_empty()) {
            out.push_str(&format!(
                "Options of `{}`:\n\n| option | value | default | meaning |\n|---|---|---|---|\n",
                s.key
            ));
            for o in s.opts {
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} |\n",
                    o.key,
                    escape(&o.ty.describe()),
                    o.default.map(escape).unwrap_or_else(|| "—".into()),
                    escape(o.doc)
                ));
            }
            out.push('\n');
        }
        for s in b.stmts {
            for v in s.variants.iter().filter(|v| !v.opts.is_empty()) {
                out.push_str(&format!(
                    "Options of `{} {}`:\n\n| option | value | default | meaning |\n|---|---|---|---|\n",
                    s.key, v.key
                ));
                for o in v.opts {
                    out.push_str(&format!(
                        "| `{}` | {} | {} | {} |\n",
                        o.key,
                        escape(&o.ty.describe()),
                        o.default.map(escape).unwrap_or_else(|| "—".into()),
                        escape(o.doc)
                    ));
                }
                out.push('\n');
            }
        }
        let examples: Vec<&str> = b
            .stmts
            .iter()
            .map(|s| s.example)
            .filter(|e| !e.is_empty())
            .collect();
        if !examples.is_empty() {
            out.push_str("Examples:\n\n```cnpg\n");
            for e in examples {
                out.push_str(e);
                out.push('\n');
            }
            out.push_str("```\n\n");
        }
    }
    out.push_str("## Permission flags\n\n");
    for f in GRANT_FLAGS {
        out.push_str(&format!("- `{f}`\n"));
    }
    out.push_str("\nWhat each flag grants, now and later, is in [grants.md](grants.md).\n\n## Value types\n\n| type | written |\n|---|---|\n");
    let tys = [
        Ty::Text,
        Ty::Sql,
        Ty::K8sName,
        Ty::ClusterName,
        Ty::PgIdent,
        Ty::Bool,
        Ty::Cpu,
        Ty::Memory,
        Ty::Storage,
        Ty::CpuRange,
        Ty::MemoryRange,
        Ty::Version,
        Ty::Duration,
        Ty::Retention,
        Ty::Rotation,
        Ty::Cron,
        Ty::Time,
        Ty::Grants,
        Ty::Secret,
        Ty::Url,
        Ty::LabelValue,
    ];
    for t in tys {
        out.push_str(&format!("| `{}` | {} |\n", t.name(), escape(&t.describe())));
    }
    out
}
