//! Links to backend apps.

use super::*;

impl ClusterLowering<'_> {
    pub(super) fn apps(
        &mut self,
        links: &[BStmt],
        dbs: &[ir::Database],
        namespace: &str,
    ) -> Vec<ir::AppLink> {
        let mut out = Vec::new();
        for l in links.iter().filter(|l| l.variant == Some("app")) {
            let name = l.text_arg(0).unwrap_or_default().to_string();
            let db = match l.opt("to") {
                Some(v) => {
                    let t = v.as_text().unwrap_or_default();
                    match dbs.iter().find(|d| d.name == t) {
                        Some(d) => d,
                        None => {
                            let c: Vec<&str> = dbs.iter().map(|d| d.name.as_str()).collect();
                            unresolved(self.diags, v.span, "db", t, &c);
                            continue;
                        }
                    }
                }
                None => match dbs {
                    [only] => only,
                    _ => {
                        self.diags.push(
                            Diagnostic::new(
                                codes::E0203,
                                l.span,
                                format!("`link app {name}` needs `to <db>`"),
                            )
                            .with_label(if dbs.is_empty() {
                                "the cluster has no db"
                            } else {
                                "the cluster has several dbs"
                            })
                            .with_help(match dbs.first() {
                                Some(d) => format!("for example: link app {name} to {}", d.name),
                                None => "declare a db first: db NAME < … >".to_string(),
                            }),
                        );
                        continue;
                    }
                },
            };
            let user = match l.opt("user") {
                Some(v) => {
                    let t = v.as_text().unwrap_or_default();
                    let known: Vec<&str> = std::iter::once(db.owner.as_str())
                        .chain(db.grants.iter().map(|g| g.role.as_str()))
                        .collect();
                    if !known.contains(&t) {
                        unresolved(
                            self.diags,
                            v.span,
                            &format!("user of db `{}`", db.name),
                            t,
                            &known,
                        );
                        continue;
                    }
                    t.to_string()
                }
                None => db
                    .grants
                    .first()
                    .map(|g| g.role.clone())
                    .unwrap_or_else(|| db.owner.clone()),
            };
            out.push(ir::AppLink {
                name,
                span: l.span,
                namespace: l
                    .opt("namespace")
                    .and_then(|v| v.as_text())
                    .unwrap_or(namespace)
                    .to_string(),
                database: db.name.clone(),
                user,
            });
        }
        out
    }
}
