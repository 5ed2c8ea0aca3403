//! GitOps wiring of a cluster: network policies, secret stores, Istio and the
//! migration it receives.

use super::*;

/// What other clusters of the program look like, for migrations.
#[derive(Debug, Clone)]
pub struct Known {
    pub namespace: String,
}

impl ClusterLowering<'_> {
    pub(super) fn secret_stores(&mut self) -> Vec<ir::SecretStore> {
        let mut out: Vec<ir::SecretStore> = Vec::new();
        for s in self.block.all("secret_store").cloned().collect::<Vec<_>>() {
            let name = s.text_arg(0).unwrap_or_default().to_string();
            if out.iter().any(|o| o.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        s.span,
                        format!("secret_store `{name}` is declared twice"),
                    )
                    .with_label("second declaration"),
                );
                continue;
            }
            out.push(ir::SecretStore {
                name,
                kind: s
                    .opt("kind")
                    .and_then(|v| v.as_text())
                    .unwrap_or("ClusterSecretStore")
                    .to_string(),
                prefix: s
                    .opt("prefix")
                    .and_then(|v| v.as_text())
                    .map(|p| p.trim_end_matches('/').to_string())
                    .unwrap_or_else(|| format!("cnpg/{}", self.name)),
            });
        }
        out
    }

    pub(super) fn network(&mut self, apps: &[ir::AppLink], namespace: &str) -> Option<ir::Network> {
        let s = self.block.first("network")?.clone();
        let b = s.block().cloned().unwrap_or_default();
        let text = |k: &str| b.first(k).and_then(|x| x.text_arg(0)).map(str::to_string);
        let mut app_namespaces: Vec<String> = b.texts("app_namespaces").unwrap_or_default();
        for a in apps {
            if a.namespace != namespace && !app_namespaces.contains(&a.namespace) {
                app_namespaces.push(a.namespace.clone());
            }
        }
        for (k, v) in [
            ("api_server", text("api_server")),
            ("service_cidr", text("service_cidr")),
        ] {
            if let Some(cidr) = v
                && !is_cidr(&cidr)
            {
                let sp = b
                    .first(k)
                    .and_then(|x| x.arg(0))
                    .map(|a| a.span)
                    .unwrap_or(s.span);
                self.diags.push(
                    Diagnostic::new(codes::E0301, sp, format!("`{cidr}` is not a CIDR"))
                        .with_label("expected an address block")
                        .with_help("write an IPv4 or IPv6 block such as \"10.43.0.0/16\""),
                );
            }
        }
        let kind = if text("policy").as_deref() == Some("cilium") {
            ir::PolicyKind::Cilium
        } else {
            ir::PolicyKind::Vanilla
        };
        let service_cidr = text("service_cidr");
        if kind == ir::PolicyKind::Cilium && service_cidr.is_none() {
            self.diags.push(
                Diagnostic::new(codes::W0702, s.head_span, "Cilium policies without `service_cidr`")
                    .with_label("ClusterIP services may be unreachable")
                    .with_help("with Cilium's kube-proxy replacement, egress to ClusterIPs needs the Service CIDR (K3s default \"10.43.0.0/16\"); add `service_cidr \"…\"` unless kube-proxy still runs"),
            );
        }
        Some(ir::Network {
            kind,
            operator_namespace: text("operator_namespace").unwrap_or_else(|| "cnpg-system".into()),
            monitoring_namespace: text("monitoring_namespace")
                .unwrap_or_else(|| "monitoring".into()),
            app_namespaces,
            api_server: text("api_server"),
            service_cidr,
        })
    }

    pub(super) fn istio(&mut self, links: &[BStmt]) -> Option<bool> {
        let l = links.iter().find(|l| l.variant == Some("istio"))?;
        let b = l.block().cloned().unwrap_or_default();
        let in_mesh = b
            .first("database_in_mesh")
            .and_then(|s| s.arg(0))
            .is_some_and(|v| matches!(v.v, Val::Bool(true)));
        if in_mesh {
            let sp = b
                .first("database_in_mesh")
                .map(|s| s.span)
                .unwrap_or(l.span);
            self.diags.push(
                Diagnostic::new(codes::W0703, sp, "PostgreSQL instances inside the Istio mesh")
                    .with_label("known to break replication")
                    .with_help("the proxy intercepts the operator's and the standbys' connections (PostgreSQL speaks first and does its own TLS), and jobs with a sidecar never complete; cnpgc excludes ports 5432, 8000 and 9187 from the proxy, but keeping the instances out of the mesh (the default) is the setup known to work"),
            );
        }
        Some(in_mesh)
    }

    /// `link migration-db from SOURCE < … >`.
    pub(super) fn migration(
        &mut self,
        links: &[BStmt],
        namespace: &str,
        dbs: &[ir::Database],
    ) -> Option<ir::Migration> {
        let mut all = links.iter().filter(|l| l.variant == Some("migration-db"));
        let l = all.next()?;
        if let Some(second) = all.next() {
            self.diags.push(
                Diagnostic::new(
                    codes::E0204,
                    second.key_span,
                    "a cluster is the destination of one migration",
                )
                .with_label("second migration")
                .with_secondary(l.key_span, "first"),
            );
        }
        let Some(from) = l.opt("from") else {
            self.diags.push(
                Diagnostic::new(codes::E0504, l.key_span, "the migration has no source")
                    .with_label("migrate from where?")
                    .with_help("write: link migration-db from SOURCE < … >"),
            );
            return None;
        };
        let source = from.as_text().unwrap_or_default().to_string();
        let b = l.block().cloned().unwrap_or_default();
        let text = |k: &str| b.first(k).and_then(|x| x.text_arg(0)).map(str::to_string);
        let known = self.known.get(&source).cloned();
        if source == self.name {
            self.diags.push(
                Diagnostic::new(
                    codes::E0206,
                    from.span,
                    "a cluster cannot migrate from itself",
                )
                .with_label("this cluster"),
            );
            return None;
        }
        let host = match (text("host"), &known) {
            (Some(h), _) => h,
            (None, Some(k)) => format!("{source}-rw.{}.svc.cluster.local", k.namespace),
            (None, None) => {
                let names: Vec<&str> = self.known.keys().map(String::as_str).collect();
                let (s, help) = suggest::help_text(&source, &names, "cluster");
                let mut d = Diagnostic::new(codes::E0206, from.span, format!("no cluster named `{source}`"))
                    .with_label("names no cluster of this program")
                    .with_help(format!("{help}; for a PostgreSQL outside this program give its `host`, `user` and `password`"));
                if let Some(s) = s {
                    d = d.with_fix(from.span, s);
                }
                self.diags.push(d);
                return None;
            }
        };
        let password = match b.first("password") {
            Some(p) => match p.arg(0).map(|v| &v.v) {
                Some(Val::Secret(SecretSource::Existing { name })) => Some(ir::SecretKey {
                    secret: name.clone(),
                    key: p
                        .opt("key")
                        .and_then(|v| v.as_text())
                        .unwrap_or("password")
                        .to_string(),
                }),
                _ => {
                    let sp = p.arg(0).map(|a| a.span).unwrap_or(p.span);
                    self.diags.push(
                        Diagnostic::new(codes::E0402, sp, "the migration source's password names an existing Secret")
                            .with_label("expected secret(\"name\")")
                            .with_help("copy the source's superuser Secret into this namespace and name it here"),
                    );
                    None
                }
            },
            None => match &known {
                Some(k) if k.namespace == namespace => Some(ir::SecretKey {
                    secret: format!("{source}-superuser"),
                    key: "password".into(),
                }),
                Some(k) => {
                    self.diags.push(
                        Diagnostic::new(codes::E0701, l.key_span, format!("the source's superuser Secret is in namespace {}", k.namespace))
                            .with_label("not readable from this namespace")
                            .with_help(format!(
                                "a cluster reads credentials from its own namespace ({namespace}): copy {source}-superuser here (or push it through an external-secrets store) and write `password secret(\"…\")`"
                            )),
                    );
                    None
                }
                None => {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E0203,
                            l.key_span,
                            "the migration source needs `password`",
                        )
                        .with_label("no credentials for the source")
                        .with_help("add: password secret(\"…\") (a Secret in this namespace)"),
                    );
                    None
                }
            },
        };
        let databases: Vec<String> = b
            .texts("databases")
            .unwrap_or_else(|| dbs.iter().map(|d| d.name.clone()).collect());
        if databases.is_empty() {
            self.diags.push(
                Diagnostic::new(codes::E0203, l.key_span, "nothing to migrate")
                    .with_label("no databases")
                    .with_help(
                        "declare the databases here (`db NAME < … >`) or list them: databases a, b",
                    ),
            );
        }
        let mode = if text("mode").as_deref() == Some("logical") {
            ir::MigrationMode::Logical
        } else {
            ir::MigrationMode::Import
        };
        let monolith = text("type").as_deref() == Some("monolith");
        if !monolith && databases.len() > 1 && mode == ir::MigrationMode::Import {
            self.diags.push(
                Diagnostic::new(codes::E0702, l.key_span, format!("a microservice import takes one database; {} are listed", databases.len()))
                    .with_label("microservice import")
                    .with_help("import several databases with `type monolith`, or migrate one database per cluster"),
            );
        }
        if mode == ir::MigrationMode::Logical
            && let Some(d) = databases
                .iter()
                .find(|d| !dbs.iter().any(|x| &x.name == *d))
        {
            self.diags.push(
                Diagnostic::new(
                    codes::E0702,
                    l.key_span,
                    format!("logical migration of `{d}`: declare it here as a db"),
                )
                .with_label("a Subscription needs the database on this side")
                .with_help(format!("add: db {d} < owner … >")),
            );
        }
        Some(ir::Migration {
            span: l.span,
            source,
            host,
            user: text("user").unwrap_or_else(|| "postgres".into()),
            password,
            databases,
            mode,
            monolith,
            schema_only: b
                .first("schema_only")
                .and_then(|x| x.arg(0))
                .map(|v| matches!(v.v, Val::Bool(true)))
                .unwrap_or(mode == ir::MigrationMode::Logical),
        })
    }
}

fn is_cidr(s: &str) -> bool {
    let Some((addr, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}
