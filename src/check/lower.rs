//! Lowering: takes the bound statements of every file, gives the resolved
//! [`ir::Program`]: defaults applied, roles collected across databases,
//! references resolved ("did you mean" when they name nothing), derived
//! Kubernetes names allocated. Problems become diagnostics; lowering goes on.

use indexmap::IndexMap;

use super::bind::{BBlock, BStmt, SecretSource, Val};
use super::names::NameAlloc;
use crate::diag::{Diagnostic, Diagnostics, codes, suggest};
use crate::ir::{self, Flag, FlagSet};
use crate::schema::{self, DEFAULT_POSTGRES, GRANT_FLAGS};
use crate::source::Span;

/// One bound input file.
pub struct BoundFile<'a> {
    pub name: &'a str,
    pub block: &'a BBlock,
}

pub fn lower(files: &[BoundFile], diags: &mut Diagnostics) -> ir::Program {
    let mut program = ir::Program::default();
    let mut seen: IndexMap<String, Span> = IndexMap::new();
    for f in files {
        for s in f.block.all("cluster") {
            let Some(name) = s.text_arg(0) else { continue };
            let name_span = s.arg(0).map(|a| a.span).unwrap_or(s.head_span);
            if let Some(first) = seen.get(name) {
                diags.push(
                    Diagnostic::new(codes::E0205, name_span, format!("cluster `{name}` is declared twice"))
                        .with_label("second declaration")
                        .with_secondary(*first, "first declared here")
                        .with_help("cluster names are unique across all input files: each becomes one output tree"),
                );
                continue;
            }
            seen.insert(name.to_string(), name_span);
            if let Some(c) = ClusterLowering::new(f.name, s, diags).run() {
                program.clusters.push(c);
            }
        }
    }
    resolve_cross_cluster(&mut program, files, &seen, diags);
    program
}

/// References between clusters (migration sources).
fn resolve_cross_cluster(
    program: &mut ir::Program,
    files: &[BoundFile],
    seen: &IndexMap<String, Span>,
    diags: &mut Diagnostics,
) {
    let names: Vec<&str> = seen.keys().map(|s| s.as_str()).collect();
    for f in files {
        for s in f.block.all("cluster") {
            let Some(block) = s.block() else { continue };
            for l in block.all("link") {
                let (target, what) = match l.variant {
                    Some("migration-db") => (l.arg(0), "migration source"),
                    Some("db-migration") => (l.arg(0), "migration target"),
                    _ => continue,
                };
                let Some(t) = target else { continue };
                let tname = t.as_text().unwrap_or_default();
                if s.text_arg(0) == Some(tname) {
                    diags.push(
                        Diagnostic::new(
                            codes::E0206,
                            t.span,
                            format!("a cluster cannot be its own {what}"),
                        )
                        .with_label("this cluster"),
                    );
                } else if !names.contains(&tname) {
                    unresolved(diags, t.span, "cluster", tname, &names);
                }
            }
        }
    }
    let _ = program;
}

pub(crate) fn unresolved(
    diags: &mut Diagnostics,
    span: Span,
    what: &str,
    name: &str,
    candidates: &[&str],
) {
    let (s, help) = suggest::help_text(name, candidates, what);
    let mut d = Diagnostic::new(codes::E0206, span, format!("no {what} named `{name}`"))
        .with_label(format!("names no {what}"))
        .with_help(help);
    if let Some(s) = s {
        d = d.with_fix(span, s.to_string());
    }
    diags.push(d);
}

/// A role being collected from the places that mention it.
struct RoleDraft {
    role: ir::Role,
    /// Where its options were set (a second place is an error).
    defined_at: Option<Span>,
}

struct ClusterLowering<'a> {
    source: &'a str,
    stmt: &'a BStmt,
    block: BBlock,
    diags: &'a mut Diagnostics,
    name: String,
    names: NameAlloc,
    roles: IndexMap<String, RoleDraft>,
    rotation: Option<String>,
}

impl<'a> ClusterLowering<'a> {
    fn new(source: &'a str, stmt: &'a BStmt, diags: &'a mut Diagnostics) -> Self {
        let block = stmt.block().cloned().unwrap_or_default();
        ClusterLowering {
            source,
            stmt,
            block,
            diags,
            name: stmt.text_arg(0).unwrap_or_default().to_string(),
            names: NameAlloc::default(),
            roles: IndexMap::new(),
            rotation: None,
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        self.block
            .first(key)
            .and_then(|s| s.text_arg(0))
            .map(str::to_string)
    }

    fn run(mut self) -> Option<ir::Cluster> {
        let errors_before = self.diags.error_count();
        let name = self.name.clone();
        let namespace = self.text("namespace").unwrap_or_else(|| name.clone());
        let postgres = self.version(self.block.first("postgres"));
        let image = image_for(&postgres);
        let instances = self
            .block
            .first("instances")
            .and_then(|s| s.arg(0))
            .and_then(|v| v.as_int())
            .unwrap_or(1) as u32;
        self.rotation = self
            .block
            .first("rotation")
            .and_then(|s| s.text_arg(0))
            .map(str::to_string);
        // Names the operator itself creates in the namespace.
        for suffix in [
            "superuser",
            "app",
            "ca",
            "server",
            "replication",
            "rw",
            "ro",
            "r",
        ] {
            self.names.reserve(&format!("{name}-{suffix}"));
        }

        let superuser = self.admin();
        self.cluster_users();
        let databases = self.databases();
        self.check_memberships();
        let storage = self.storage();
        let resources = self.resources();
        let nodepool = self.block.first("nodepool").map(|s| ir::NodePool {
            name: s.text_arg(0).unwrap_or_default().to_string(),
            label: s
                .opt("label")
                .and_then(|v| v.as_text())
                .unwrap_or("cnpgc.io/nodepool")
                .to_string(),
            taint: s.opt("taint").and_then(|v| v.as_text()).map(str::to_string),
        });
        let init_sql = self
            .block
            .all("init_db")
            .filter_map(|s| s.text_arg(0))
            .map(str::to_string)
            .collect();
        let labels = self
            .block
            .first("labels")
            .map(|s| {
                s.map()
                    .iter()
                    .map(|e| {
                        (
                            e.key.clone(),
                            e.val.as_text().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let stores = self.stores();
        let pitrs = self.pitrs(&stores, &postgres);
        let links: Vec<BStmt> = self.block.all("link").cloned().collect();
        let prometheus = links.iter().any(|l| l.variant == Some("prometheus"));
        let istio = links.iter().any(|l| l.variant == Some("istio"));
        let apps = self.apps(&links, &databases, &namespace);
        let migration = links
            .iter()
            .find(|l| l.variant == Some("migration-db"))
            .map(|l| ir::Migration {
                source_cluster: l.text_arg(0).unwrap_or_default().to_string(),
                span: l.span,
            });
        for (kind, l) in links.iter().filter_map(|l| l.variant.map(|v| (v, l))) {
            if matches!(kind, "prometheus" | "istio")
                && let Some(first) = links.iter().find(|o| o.variant == Some(kind))
                && !std::ptr::eq(first, l)
            {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0204,
                        l.span,
                        format!("`link {kind}` is given twice"),
                    )
                    .with_label("second time here")
                    .with_secondary(first.span, "first given here"),
                );
            }
        }

        let roles = self.roles.into_values().map(|d| d.role).collect();
        if self.diags.error_count() > errors_before {
            return None;
        }
        Some(ir::Cluster {
            name,
            span: self.stmt.span,
            source: self.source.to_string(),
            namespace,
            postgres,
            image,
            instances,
            superuser,
            storage,
            resources,
            nodepool,
            init_sql,
            rotation: self.rotation,
            labels,
            roles,
            databases,
            stores,
            pitrs,
            prometheus,
            istio,
            apps,
            migration,
        })
    }

    fn version(&self, s: Option<&BStmt>) -> ir::PgVersion {
        match s.and_then(|s| s.arg(0)).map(|v| &v.v) {
            Some(Val::Version(v)) => ir::PgVersion {
                major: v.major,
                minor: v.minor,
                text: v.text.clone(),
            },
            _ => {
                let v = super::values::version(DEFAULT_POSTGRES, schema::PG_MAJORS)
                    .expect("default version parses");
                ir::PgVersion {
                    major: v.major,
                    minor: v.minor,
                    text: v.text,
                }
            }
        }
    }

    /// The password of a role: its source and the Secret that holds it.
    fn password(
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

    fn new_role(&mut self, name: &str, span: Span, password: ir::Password) -> ir::Role {
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

    fn admin(&mut self) -> ir::Superuser {
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
        let mut role = self.new_role(&name, s.span, password);
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
    fn defines_role(s: &BStmt) -> bool {
        s.opts.iter().any(|o| o.key != "grants")
    }

    /// Applies a `user`/`owner` statement's role options to the role, creating it when new.
    fn define_user(&mut self, s: &BStmt, db_rotation: Option<&str>) -> Option<String> {
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
        let password = self.password(&name, pw.as_ref().map(|(a, b)| (a, *b)), name_span);
        let mut role = self.new_role(&name, name_span, password);
        role.login = s.flag("login").unwrap_or(true);
        role.superuser = s.flag("superuser").unwrap_or(false);
        role.createdb = s.flag("createdb").unwrap_or(false);
        role.replication = s.flag("replication").unwrap_or(false);
        role.bypassrls = s.flag("bypassrls").unwrap_or(false);
        role.connection_limit = s
            .opt("connection_limit")
            .and_then(|v| v.as_int())
            .unwrap_or(-1);
        role.in_roles = s
            .opt("in")
            .map(|v| {
                v.items()
                    .iter()
                    .filter_map(|i| i.as_text())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
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

    fn cluster_users(&mut self) {
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

    fn grants(&mut self, s: &BStmt) -> FlagSet {
        let mut set = FlagSet::empty();
        let Some(v) = s.opt("grants") else { return set };
        for item in v.items() {
            let w = item.as_text().unwrap_or_default();
            match Flag::parse(w) {
                Some(f) => set.insert(f),
                None => {
                    let (sug, help) = suggest::help_text(w, GRANT_FLAGS, "flag");
                    let mut d = Diagnostic::new(
                        codes::E0309,
                        item.span,
                        format!("unknown permission flag `{w}`"),
                    )
                    .with_label("not a permission flag")
                    .with_help(help);
                    if let Some(sug) = sug {
                        d = d.with_fix(item.span, sug);
                    }
                    self.diags.push(d);
                }
            }
        }
        set
    }

    fn databases(&mut self) -> Vec<ir::Database> {
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
                        let mut role = self.new_role(&owner, name_span, password);
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
            let extensions = body
                .first("extensions")
                .and_then(|s| s.arg(0))
                .map(|v| {
                    v.items()
                        .iter()
                        .filter_map(|i| i.as_text())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let schemas: Vec<String> = body
                .first("schemas")
                .and_then(|s| s.arg(0))
                .map(|v| {
                    v.items()
                        .iter()
                        .filter_map(|i| i.as_text())
                        .map(str::to_string)
                        .collect()
                })
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
    fn check_memberships(&mut self) {
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

    fn storage(&mut self) -> ir::Storage {
        match self.block.first("storage") {
            Some(s) => ir::Storage {
                size: match s.arg(0).map(|v| &v.v) {
                    Some(Val::Quantity(q)) => q.text.clone(),
                    _ => "1Gi".to_string(),
                },
                class: s.opt("class").and_then(|v| v.as_text()).map(str::to_string),
                resize: s.flag("resize").unwrap_or(true),
            },
            None => ir::Storage {
                size: "1Gi".into(),
                class: None,
                resize: true,
            },
        }
    }

    fn resources(&mut self) -> ir::Resources {
        let Some(s) = self.block.first("resources") else {
            return ir::Resources::default();
        };
        let range = |k: &str| match s.opt(k).map(|v| &v.v) {
            Some(Val::Range(a, b)) => Some((a.clone(), b.clone())),
            _ => None,
        };
        let cpu = range("cpu");
        let mem = range("memory");
        if cpu.is_none() && mem.is_none() {
            self.diags.push(
                Diagnostic::new(
                    codes::E0208,
                    s.head_span,
                    "`resources` needs `cpu` or `memory`",
                )
                .with_label("nothing set")
                .with_help("for example: resources cpu 500m..2 memory 1Gi..4Gi"),
            );
        }
        ir::Resources {
            cpu: cpu.map(|(a, b)| (a.text, b.text)),
            memory_limit_bytes: mem.as_ref().map(|(_, b)| b.value),
            memory: mem.map(|(a, b)| (a.text, b.text)),
        }
    }

    fn stores(&mut self) -> Vec<ir::ObjectStore> {
        let links: Vec<BStmt> = self.block.all("link").cloned().collect();
        let mut out: Vec<ir::ObjectStore> = Vec::new();
        for l in &links {
            let kind = match l.variant {
                Some("minio") => ir::StoreKind::Minio,
                Some("seaweedfs") => ir::StoreKind::SeaweedFs,
                _ => continue,
            };
            let name = l.text_arg(0).unwrap_or(kind.as_str()).to_string();
            if let Some(prev) = out.iter().find(|s| s.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        l.span,
                        format!("object store `{name}` is declared twice"),
                    )
                    .with_label("second declaration")
                    .with_secondary(prev.span, "first declared here")
                    .with_help("give each store link its own name: `link minio NAME < … >`"),
                );
                continue;
            }
            let b = l.block().cloned().unwrap_or_default();
            let text = |k: &str| b.first(k).and_then(|s| s.text_arg(0)).map(str::to_string);
            let endpoint = text("endpoint").unwrap_or_else(|| match kind {
                ir::StoreKind::Minio => "http://minio.minio.svc.cluster.local:9000".into(),
                ir::StoreKind::SeaweedFs => {
                    "http://seaweedfs-s3.seaweedfs.svc.cluster.local:8333".into()
                }
            });
            let credentials = self.store_credentials(kind, &name, &b, l);
            let ca = b.first("ca").and_then(|c| match c.arg(0).map(|v| &v.v) {
                Some(Val::Secret(SecretSource::Existing { name })) => Some(ir::SecretKey {
                    secret: name.clone(),
                    key: c
                        .opt("key")
                        .and_then(|v| v.as_text())
                        .unwrap_or("ca.crt")
                        .to_string(),
                }),
                _ => None,
            });
            let (retention, retention_days) =
                match b.first("retention").and_then(|s| s.arg(0)).map(|v| &v.v) {
                    Some(Val::Retention(t, d)) => (t.clone(), *d),
                    _ => ("30d".to_string(), 30),
                };
            let schedule = text("schedule").unwrap_or_else(|| "0 0 2 * * *".to_string());
            let cr_name = self.names.derive(&self.name, &name, 63);
            out.push(ir::ObjectStore {
                name,
                span: l.span,
                kind,
                cr_name,
                bucket: text("bucket").unwrap_or_else(|| "cnpg-backups".into()),
                path: text("path"),
                endpoint,
                credentials,
                ca,
                retention,
                retention_days,
                schedule,
            });
        }
        out
    }

    /// The S3 key pair of a store: an existing Secret, or sources cnpgc
    /// writes into an encrypted dotenv file (default: environment variables).
    fn store_credentials(
        &mut self,
        kind: ir::StoreKind,
        name: &str,
        b: &BBlock,
        l: &BStmt,
    ) -> ir::S3Credentials {
        let access = b.first("access_key");
        let secret = b.first("secret_key");
        if let Some(c) = b.first("credentials") {
            if let Some(other) = access.or(secret) {
                self.diags.push(
                    Diagnostic::new(codes::E0204, other.head_span, format!("`{}` and `credentials` both say where the keys are", other.key))
                        .with_label("second source of the keys")
                        .with_secondary(c.head_span, "an existing Secret is named here")
                        .with_help("keep `credentials secret(…)` for an existing Secret, or `access_key` and `secret_key` for cnpgc to write one"),
                );
            }
            let name = match c.arg(0).map(|v| (&v.v, v.span)) {
                Some((Val::Secret(SecretSource::Existing { name }), _)) => {
                    self.names.reserve(name);
                    name.clone()
                }
                Some((Val::Secret(other), sp)) => {
                    self.diags.push(
                        Diagnostic::new(codes::E0402, sp, format!("`credentials` names an existing Secret, not {}", other.describe()))
                            .with_label("expected secret(\"name\")")
                            .with_help("for keys cnpgc should write, use `access_key …` and `secret_key …` instead"),
                    );
                    String::new()
                }
                _ => String::new(),
            };
            let keys: Vec<String> = c
                .opt("keys")
                .map(|v| {
                    v.items()
                        .iter()
                        .filter_map(|i| i.as_text())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if !keys.is_empty() && keys.len() != 2 {
                let sp = c.opt("keys").map(|v| v.span).unwrap_or(c.span);
                self.diags.push(
                    Diagnostic::new(
                        codes::E0207,
                        sp,
                        format!("`keys` names {} keys; it takes two", keys.len()),
                    )
                    .with_label("the access key id's key, then the secret access key's")
                    .with_help("for example: keys ACCESS_KEY_ID, ACCESS_SECRET_KEY"),
                );
            }
            return ir::S3Credentials {
                secret: name,
                access_key: keys
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "ACCESS_KEY_ID".into()),
                secret_key: keys
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| "ACCESS_SECRET_KEY".into()),
                managed: None,
            };
        }
        let env_prefix = match kind {
            ir::StoreKind::Minio => "MINIO",
            ir::StoreKind::SeaweedFs => "SEAWEEDFS",
        };
        let mut source = |stmt: Option<&BStmt>, default_var: String| -> (SecretSource, Span) {
            match stmt.and_then(|s| s.arg(0)) {
                Some(v) => match &v.v {
                    Val::Secret(SecretSource::Generated)
                    | Val::Secret(SecretSource::Existing { .. }) => {
                        let what = if matches!(v.v, Val::Secret(SecretSource::Generated)) {
                            "the store issues its keys: cnpgc cannot generate them"
                        } else {
                            "to use an existing Secret, write `credentials secret(\"name\")`"
                        };
                        self.diags.push(
                            Diagnostic::new(
                                codes::E0402,
                                v.span,
                                "this source is not allowed for an S3 key",
                            )
                            .with_label("not allowed here")
                            .with_help(format!("{what}; use env(\"VAR\") or file(\"path\")")),
                        );
                        (SecretSource::Env(default_var), v.span)
                    }
                    Val::Secret(s) => (s.clone(), v.span),
                    _ => (SecretSource::Env(default_var), v.span),
                },
                None => (SecretSource::Env(default_var), l.key_span),
            }
        };
        let access = source(access, format!("{env_prefix}_ACCESS_KEY_ID"));
        let secret_src = source(secret, format!("{env_prefix}_SECRET_ACCESS_KEY"));
        let base = match kind {
            ir::StoreKind::Minio => "minio",
            ir::StoreKind::SeaweedFs => "swbucket",
        };
        let file = if name == kind.as_str() {
            format!("{base}.env")
        } else {
            format!("{base}-{name}.env")
        };
        let secret_name = self.names.derive(&self.name, &format!("{name}-s3"), 63);
        ir::S3Credentials {
            secret: secret_name,
            access_key: "ACCESS_KEY_ID".into(),
            secret_key: "ACCESS_SECRET_KEY".into(),
            managed: Some(ir::ManagedCredentials {
                access,
                secret: secret_src,
                file: format!("{}/secret/{file}", crate::emit::BASE),
            }),
        }
    }

    fn pitrs(&mut self, stores: &[ir::ObjectStore], postgres: &ir::PgVersion) -> Vec<ir::Pitr> {
        let stmts: Vec<BStmt> = self.block.all("pitr").cloned().collect();
        let mut out: Vec<ir::Pitr> = Vec::new();
        for p in &stmts {
            let name = p.text_arg(0).unwrap_or_default().to_string();
            let b = p.block().cloned().unwrap_or_default();
            let Some(backup_id) = b
                .first("backup_id")
                .and_then(|s| s.text_arg(0))
                .map(str::to_string)
            else {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0203,
                        p.head_span
                            .to(p.arg(0).map(|a| a.span).unwrap_or(p.head_span)),
                        format!("pitr `{name}` needs `backup_id`"),
                    )
                    .with_label("no backup to restore")
                    .with_help("add: backup_id <name of the Backup object>"),
                );
                continue;
            };
            let store = match b.first("from").and_then(|s| s.arg(0)) {
                Some(v) => {
                    let sname = v.as_text().unwrap_or_default();
                    match stores.iter().find(|s| s.name == sname) {
                        Some(s) => Some(s.cr_name.clone()),
                        None => {
                            let cands: Vec<&str> = stores.iter().map(|s| s.name.as_str()).collect();
                            unresolved(self.diags, v.span, "object store", sname, &cands);
                            None
                        }
                    }
                }
                None => {
                    match stores {
                        [only] => Some(only.cr_name.clone()),
                        [] => {
                            self.diags.push(
                            Diagnostic::new(codes::E0206, p.head_span, format!("pitr `{name}` has no backup source"))
                                .with_label("the cluster has no object store")
                                .with_help("link an object store (`link minio < … >`) that holds the backups"),
                        );
                            None
                        }
                        _ => {
                            self.diags.push(
                            Diagnostic::new(codes::E0203, p.head_span, format!("pitr `{name}` needs `from`: the cluster has several object stores"))
                                .with_label("which store?")
                                .with_help(format!("add: from {}", stores[0].name)),
                        );
                            None
                        }
                    }
                }
            };
            let pv = match b.first("postgres") {
                Some(s) => self.version(Some(s)),
                None => postgres.clone(),
            };
            if pv.major != postgres.major {
                let sp = b.first("postgres").map(|s| s.span).unwrap_or(p.span);
                self.diags.push(
                    Diagnostic::new(codes::E0306, sp, format!("a recovery must run PostgreSQL {} like the backup", postgres.major))
                        .with_label(format!("PostgreSQL {} here", pv.major))
                        .with_help("physical backups restore only on the same major version; upgrade after the recovery"),
                );
            }
            if let Some(prev) = out.iter().find(|o| o.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        p.span,
                        format!("pitr `{name}` is declared twice"),
                    )
                    .with_secondary(prev.span, "first declared here"),
                );
                continue;
            }
            if name == self.name {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        p.arg(0).map(|a| a.span).unwrap_or(p.span),
                        "a recovery cluster needs a name of its own",
                    )
                    .with_label("same name as the cluster")
                    .with_help(format!("for example: pitr {}-pitr < … >", self.name)),
                );
                continue;
            }
            let Some(store_cr) = store else { continue };
            out.push(ir::Pitr {
                image: image_for(&pv),
                name,
                span: p.span,
                backup_id,
                postgres: pv,
                store_cr,
                target_time: b
                    .first("target_time")
                    .and_then(|s| s.text_arg(0))
                    .map(str::to_string),
            });
        }
        out
    }

    fn apps(&mut self, links: &[BStmt], dbs: &[ir::Database], namespace: &str) -> Vec<ir::AppLink> {
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

/// The CNPG community image for a version.
pub fn image_for(v: &ir::PgVersion) -> String {
    format!("ghcr.io/cloudnative-pg/postgresql:{}", v.text)
}
