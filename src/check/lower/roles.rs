//! Roles and databases: the admin, cluster-level users, each db's owner,
//! users and grants; one role per name across dbs; passwords and the
//! Secrets that hold them.

use super::*;

/// A role being collected from the places that mention it.
pub(super) struct RoleDraft {
    pub(super) role: ir::Role,
    /// Where its options were set (a second place is an error).
    pub(super) defined_at: Option<Span>,
}

impl ClusterLowering<'_> {
    /// The password of a role: its source and the Secret that holds it.
    pub(super) fn password(
        &mut self,
        role: &str,
        src: Option<(&SecretSource, Span)>,
        at: Span,
    ) -> ir::Password {
        let (source, span) = match src {
            Some((s, sp)) => (s.clone(), sp),
            None => (SecretSource::Generated, at),
        };
        let secret_name = match &source {
            SecretSource::Existing { name } => {
                self.names.reserve(name);
                name.clone()
            }
            _ => self.names.derive(&self.name, role, 63),
        };
        ir::Password {
            source,
            secret_name,
            span,
        }
    }
    pub(super) fn new_role(
        &mut self,
        name: &str,
        span: Span,
        password: Option<ir::Password>,
    ) -> ir::Role {
        ir::Role {
            name: name.to_string(),
            span,
            login: true,
            superuser: false,
            createdb: false,
            createrole: false,
            replication: false,
            bypassrls: false,
            connection_limit: -1,
            in_roles: Vec::new(),
            valid_until: None,
            comment: None,
            password,
            rotation: None,
        }
    }
    pub(super) fn admin(&mut self) -> ir::Superuser {
        let Some(s) = self.block.first("admin").cloned() else {
            return ir::Superuser::Postgres { password: None };
        };
        let name = s.text_arg(0).unwrap_or("postgres").to_string();
        let pw = s.opt("password").and_then(|v| match &v.v {
            Val::Secret(src) => Some((src.clone(), v.span)),
            _ => None,
        });
        if name == "postgres" {
            let password = pw.map(|(src, sp)| self.password("postgres", Some((&src, sp)), s.span));
            return ir::Superuser::Postgres { password };
        }
        let password = self.password(&name, pw.as_ref().map(|(a, b)| (a, *b)), s.span);
        let mut role = self.new_role(&name, s.span, Some(password));
        role.superuser = true;
        role.rotation = self.rotation.clone();
        self.roles.insert(
            name.clone(),
            RoleDraft {
                role,
                defined_at: Some(s.span),
            },
        );
        ir::Superuser::Role { name }
    }
    /// Whether a `user` statement sets role options (beyond grants).
    pub(super) fn defines_role(s: &BStmt) -> bool {
        s.opts.iter().any(|o| o.key != "grants")
    }
    /// Applies a `user`/`owner` statement's role options to the role, creating it when new.
    pub(super) fn define_user(&mut self, s: &BStmt, db_rotation: Option<&str>) -> Option<String> {
        let name = s.text_arg(0)?.to_string();
        let name_span = s.arg(0).map(|a| a.span).unwrap_or(s.head_span);
        let defines = Self::defines_role(s);
        if let Some(existing) = self.roles.get(&name) {
            if defines {
                if let Some(first) = existing.defined_at {
                    self.diags.push(
                        Diagnostic::new(codes::E0205, name_span, format!("user `{name}` is defined twice"))
                            .with_label("role options set again here")
                            .with_secondary(first, "first defined here")
                            .with_help("a role's options (password, login, …) are set in one place; elsewhere write only `user NAME grants …`"),
                    );
                    return Some(name);
                }
            } else {
                return Some(name);
            }
        }
        let pw = s.opt("password").and_then(|v| match &v.v {
            Val::Secret(src) => Some((src.clone(), v.span)),
            _ => None,
        });
        let login = s.flag("login").unwrap_or(true);
        // A role that cannot log in (a group) has no password and no Secret.
        let password = if login {
            Some(self.password(&name, pw.as_ref().map(|(a, b)| (a, *b)), name_span))
        } else {
            if let Some(p) = s.opt_entry("password") {
                let whole = p.key_span.to(p.val.span);
                self.diags.push(
                    Diagnostic::new(codes::W0341, whole, format!("`{name}` cannot log in: its password is not used"))
                        .with_label("no Secret is written for it")
                        .with_secondary(
                            s.opt_entry("login").map(|l| l.key_span).unwrap_or(name_span),
                            "a group role",
                        )
                        .with_help("a `login false` role is a group: its members log in with their own passwords; remove the password, or drop `login false` to make it a user")
                        .with_fix(whole, String::new()),
                );
            }
            None
        };
        let mut role = self.new_role(&name, name_span, password);
        role.login = login;
        role.superuser = s.flag("superuser").unwrap_or(false);
        role.createdb = s.flag("createdb").unwrap_or(false);
        role.replication = s.flag("replication").unwrap_or(false);
        role.bypassrls = s.flag("bypassrls").unwrap_or(false);
        role.connection_limit = s
            .opt("connection_limit")
            .and_then(|v| v.as_int())
            .unwrap_or(-1);
        role.in_roles = s.opt("in").map(BVal::texts).unwrap_or_default();
        role.valid_until = s
            .opt("valid_until")
            .and_then(|v| v.as_text())
            .map(str::to_string);
        role.comment = s
            .opt("comment")
            .and_then(|v| v.as_text())
            .map(str::to_string);
        role.rotation = s
            .opt("rotation")
            .and_then(|v| v.as_text())
            .map(str::to_string)
            .or_else(|| db_rotation.map(str::to_string))
            .or_else(|| self.rotation.clone());
        if name == "postgres" || name == "streaming_replica" {
            self.diags.push(
                Diagnostic::new(codes::E0205, name_span, format!("`{name}` is a role the operator manages itself"))
                    .with_label("reserved role name")
                    .with_help(if name == "postgres" {
                        "set the superuser's password with `admin postgres password …`"
                    } else {
                        "the operator uses streaming_replica for replication; declare another user with `replication`"
                    }),
            );
        }
        self.roles.insert(
            name.clone(),
            RoleDraft {
                role,
                defined_at: defines.then_some(s.span),
            },
        );
        Some(name)
    }
    pub(super) fn cluster_users(&mut self) {
        let users: Vec<BStmt> = self.block.all("user").cloned().collect();
        for u in &users {
            if let Some(g) = u.opt_entry("grants") {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0202,
                        g.key_span,
                        "a cluster-level user has no `grants`",
                    )
                    .with_label("grants are per database")
                    .with_help(
                        "grant permissions inside a db block: `db NAME < user USER grants … >`",
                    ),
                );
            }
            let mut u = u.clone();
            u.opts.retain(|o| o.key != "grants");
            // Cluster-level users are definitions even without options.
            let name = u.text_arg(0).unwrap_or_default().to_string();
            if let Some(first) = self.roles.get(&name).and_then(|r| r.defined_at) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        u.arg(0).map(|a| a.span).unwrap_or(u.span),
                        format!("user `{name}` is defined twice"),
                    )
                    .with_label("defined again here")
                    .with_secondary(first, "first defined here"),
                );
                continue;
            }
            if self.define_user(&u, None).is_some()
                && let Some(d) = self.roles.get_mut(&name)
            {
                d.defined_at = Some(u.span);
            }
        }
    }
    pub(super) fn grants(&mut self, s: &BStmt) -> FlagSet {
        let mut set = FlagSet::empty();
        let Some(v) = s.opt("grants") else { return set };
        for item in v.items() {
            let w = item.as_text().unwrap_or_default();
            let mut trail = Vec::new();
            self.expand(w, item.span, &mut set, &mut trail);
        }
        set
    }

    /// Adds a flag, or a bundle's flags (bundles may name bundles).
    fn expand(&mut self, w: &str, span: Span, set: &mut FlagSet, trail: &mut Vec<String>) {
        if let Some(f) = Flag::parse(w) {
            set.insert(f);
            return;
        }
        if let Some(b) = self.defs.bundles.get(w) {
            if trail.iter().any(|t| t == w) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0309,
                        span,
                        format!("bundle `{w}` contains itself through {}", trail.join(" → ")),
                    )
                    .with_label("a bundle cycle")
                    .with_secondary(b.span, "defined here"),
                );
                return;
            }
            trail.push(w.to_string());
            for (item, _) in b.items.clone() {
                self.expand(&item, span, set, trail);
            }
            trail.pop();
            return;
        }
        let mut names: Vec<&str> = GRANT_FLAGS.to_vec();
        names.extend(self.defs.bundles.keys().map(String::as_str));
        let (sug, help) = suggest::help_text(w, &names, "flag");
        let help = self.defs.use_hint(w).unwrap_or(help);
        let mut d = Diagnostic::new(codes::E0309, span, format!("unknown permission flag `{w}`"))
            .with_label("not a permission flag or bundle")
            .with_help(help);
        if let Some(sug) = sug {
            d = d.with_fix(span, sug);
        }
        self.diags.push(d);
    }

    pub(super) fn databases(&mut self) -> Vec<ir::Database> {
        let dbs: Vec<BStmt> = self.block.all("db").cloned().collect();
        let mut out: Vec<ir::Database> = Vec::new();
        for d in &dbs {
            let Some(name) = d.text_arg(0).map(str::to_string) else {
                continue;
            };
            let name_span = d.arg(0).map(|a| a.span).unwrap_or(d.head_span);
            if let Some(prev) = out.iter().find(|p| p.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        name_span,
                        format!("db `{name}` is declared twice"),
                    )
                    .with_label("second declaration")
                    .with_secondary(prev.span, "first declared here"),
                );
                continue;
            }
            let body = d.block().cloned().unwrap_or_default();
            let rotation = body
                .first("rotation")
                .and_then(|s| s.text_arg(0))
                .map(str::to_string);
            // Owner.
            let owner = match body.first("owner") {
                Some(o) => self.define_user(o, rotation.as_deref()).unwrap_or_default(),
                None => {
                    let mut owner = format!("{name}_owner");
                    while owner.len() > 63 {
                        owner.remove(owner.len() - 7);
                    }
                    if !self.roles.contains_key(&owner) {
                        let password = self.password(&owner, None, name_span);
                        let mut role = self.new_role(&owner, name_span, Some(password));
                        role.rotation = rotation.clone().or_else(|| self.rotation.clone());
                        self.roles.insert(
                            owner.clone(),
                            RoleDraft {
                                role,
                                defined_at: None,
                            },
                        );
                    }
                    owner
                }
            };
            // Users and grants.
            let mut grants: Vec<ir::Grant> = Vec::new();
            for u in body.all("user") {
                let Some(user) = self.define_user(u, rotation.as_deref()) else {
                    continue;
                };
                let flags = self.grants(u);
                if flags.has(Flag::ManageRoles)
                    && let Some(r) = self.roles.get_mut(&user)
                {
                    r.role.createrole = true;
                }
                let uspan = u.arg(0).map(|a| a.span).unwrap_or(u.span);
                if !flags.is_empty()
                    && !flags.has(Flag::Connect)
                    && !flags.has(Flag::Own)
                    && let Some(g) = u.opt("grants")
                {
                    let at = Span::new(g.span.file, g.span.start as usize, g.span.start as usize);
                    self.diags.push(
                        Diagnostic::new(codes::W0340, g.span, format!("`{user}` has flags on db `{name}` but no `connect`"))
                            .with_label("cannot connect to the database")
                            .with_help("cnpgc takes CONNECT away from PUBLIC: only the owner, superusers and users with `connect` may connect; add `connect`")
                            .with_fix(at, "connect, "),
                    );
                }
                if let Some(prev) = grants.iter().find(|g| g.role == user) {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E0205,
                            uspan,
                            format!("user `{user}` appears twice in db `{name}`"),
                        )
                        .with_label("second time here")
                        .with_secondary(prev.span, "first here")
                        .with_help("list all of the user's flags in one `grants`"),
                    );
                    continue;
                }
                if user == owner {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E0205,
                            uspan,
                            format!("`{user}` owns db `{name}` and is also listed as its user"),
                        )
                        .with_label("the owner has every privilege already")
                        .with_help("remove this line, or give the database another owner"),
                    );
                    continue;
                }
                grants.push(ir::Grant {
                    role: user,
                    flags,
                    span: uspan,
                });
            }
            let extensions = body.texts("extensions").unwrap_or_default();
            let schemas: Vec<String> = body
                .texts("schemas")
                .unwrap_or_else(|| vec!["public".to_string()]);
            let reclaim = match body.first("reclaim").and_then(|s| s.text_arg(0)) {
                Some("delete") => ir::Reclaim::Delete,
                _ => ir::Reclaim::Retain,
            };
            let cr_name = self.names.derive(&self.name, &name, 63);
            out.push(ir::Database {
                name,
                span: name_span,
                cr_name,
                owner,
                grants,
                extensions,
                schemas,
                reclaim,
                connection_limit: body
                    .first("connection_limit")
                    .and_then(|s| s.arg(0))
                    .and_then(|v| v.as_int()),
                encoding: body
                    .first("encoding")
                    .and_then(|s| s.text_arg(0))
                    .map(str::to_string),
                locale: body
                    .first("locale")
                    .and_then(|s| s.text_arg(0))
                    .map(str::to_string),
            });
        }
        out
    }
    /// `in` memberships must name declared roles or PostgreSQL's predefined ones.
    pub(super) fn check_memberships(&mut self) {
        let names: Vec<String> = self.roles.keys().cloned().collect();
        let mut problems = Vec::new();
        for d in self.roles.values() {
            for m in &d.role.in_roles {
                if !m.starts_with("pg_") && !names.contains(m) {
                    problems.push((d.role.span, m.clone()));
                }
            }
        }
        let cands: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        for (span, m) in problems {
            unresolved(self.diags, span, "role", &m, &cands);
        }
    }
}
