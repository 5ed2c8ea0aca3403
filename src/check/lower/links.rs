//! Links to backend apps.

use super::*;

impl ClusterLowering<'_> {
    pub(super) fn apps(
        &mut self,
        links: &[BStmt],
        dbs: &[ir::Database],
        namespace: &str,
        stores: &[ir::SecretStore],
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
            let via = match l.opt("via") {
                Some(v) => {
                    let t = v.as_text().unwrap_or_default();
                    match stores.iter().find(|s| s.name == t) {
                        Some(s) => Some(s.clone()),
                        None => {
                            let c: Vec<&str> = stores.iter().map(|s| s.name.as_str()).collect();
                            unresolved(self.diags, v.span, "secret_store", t, &c);
                            continue;
                        }
                    }
                }
                None => None,
            };
            if let Some(r) = self.roles.get(&user)
                && r.role.password.is_none()
            {
                let sp = l.opt("user").map(|v| v.span).unwrap_or(l.key_span);
                self.diags.push(
                    Diagnostic::new(codes::E0701, sp, format!("`{user}` cannot log in: the app would get no credentials"))
                        .with_label("a `login false` role")
                        .with_help("link the app to a user that logs in (a role with `login false` is a group: it has no password)"),
                );
                continue;
            }
            if via.is_none()
                && let Some(r) = self.roles.get(&user)
                && let Some(SecretSource::Existing { name: secret }) =
                    r.role.password.as_ref().map(|p| &p.source)
            {
                let app_ns = l
                    .opt("namespace")
                    .and_then(|v| v.as_text())
                    .unwrap_or(namespace);
                if app_ns != namespace {
                    self.diags.push(
                        Diagnostic::new(codes::E0701, l.key_span, format!("cnpgc cannot copy `{user}`'s password to namespace {app_ns}"))
                            .with_label("the password is in an existing Secret")
                            .with_help(format!(
                                "cnpgc writes an app's credentials only when it knows the password (generated, env, file); for the existing Secret `{secret}`, hand it over through an external-secrets store: `secret_store NAME` in the cluster and `via NAME` on the link"
                            )),
                    );
                    continue;
                }
            }
            let secret_name = self.names.derive(&self.name, &format!("app-{name}"), 253);
            out.push(ir::AppLink {
                via,
                secret_name,
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
