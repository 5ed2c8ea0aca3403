//! Lowering: takes the bound statements of every file, gives the resolved
//! [`ir::Program`]: defaults applied, roles collected across databases,
//! references resolved ("did you mean" when they name nothing), derived
//! Kubernetes names allocated. Problems become diagnostics; lowering goes on.

use indexmap::IndexMap;

mod accept;
mod gitops;
mod image_tag;
mod links;
mod params;
mod profiles;
mod recovery;
mod resources;
mod roles;
mod running;
mod stores;

use super::bind::{BBlock, BStmt, BVal, SecretSource, Val};
use super::defs::Defs;
use crate::diag::{Diagnostic, Diagnostics, codes, suggest};
use crate::ir::{self, Flag, FlagSet};
use crate::names::NameAlloc;
use crate::schema::{self, DEFAULT_POSTGRES, GRANT_FLAGS};
use crate::source::Span;
use roles::RoleDraft;

/// One bound input file.
pub struct BoundFile<'a> {
    pub name: &'a str,
    pub block: &'a BBlock,
}

pub fn lower(files: &[BoundFile], defs: &Defs, diags: &mut Diagnostics) -> ir::Program {
    let mut program = ir::Program::default();
    // Every cluster's name and namespace first: migrations refer across clusters.
    let mut known: IndexMap<String, gitops::Known> = IndexMap::new();
    let mut seen: IndexMap<String, Span> = IndexMap::new();
    let mut clusters: Vec<(&str, &BStmt)> = Vec::new();
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
            let namespace = s
                .block()
                .and_then(|b| b.first("namespace"))
                .and_then(|n| n.text_arg(0))
                .unwrap_or(name)
                .to_string();
            known.insert(name.to_string(), gitops::Known { namespace });
            clusters.push((f.name, s));
        }
    }
    // What to lower: each cluster, once per environment.
    let mut tasks: Vec<(&str, &BStmt, Option<&BStmt>)> = Vec::new();
    for (source, s) in clusters {
        let envs: Vec<&BStmt> = s
            .block()
            .map(|b| b.all("env").collect())
            .unwrap_or_default();
        if envs.is_empty() {
            tasks.push((source, s, None));
            continue;
        }
        let mut names: Vec<(&str, Span)> = Vec::new();
        for e in envs {
            let ename = e.text_arg(0).unwrap_or_default();
            let esp = e.arg(0).map(|a| a.span).unwrap_or(e.span);
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == ename) {
                diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        esp,
                        format!("env `{ename}` is declared twice"),
                    )
                    .with_secondary(*first, "first declared here"),
                );
                continue;
            }
            names.push((ename, esp));
            if let Some(inner) = e.block().and_then(|b| b.first("env")) {
                diags.push(
                    Diagnostic::new(
                        codes::E0209,
                        inner.head_span,
                        "an env cannot hold another env",
                    )
                    .with_label("nested environment")
                    .with_help("declare every environment directly in the cluster"),
                );
                continue;
            }
            tasks.push((source, s, Some(e)));
        }
    }
    // Clusters are independent: lowered on every core, results and
    // diagnostics kept in task order (the same as one after the other).
    let lowered = crate::par::map(&tasks, |&(source, s, env)| {
        let mut d = Diagnostics::default();
        let c = ClusterLowering::new(source, s, env, defs, &known, &mut d).run();
        let d = match env {
            Some(e) => blame_env(source, s, e, defs, &known, d),
            None => d,
        };
        (c, d)
    });
    for (c, d) in lowered {
        diags.extend(d.into_vec());
        program.clusters.extend(c);
    }
    for f in files {
        if let Some(fl) = f.block.first("flux") {
            if program.flux.is_some() {
                diags.push(
                    Diagnostic::new(
                        codes::E0204,
                        fl.head_span,
                        "the Flux target is declared twice",
                    )
                    .with_label("second `flux`")
                    .with_help("declare `flux < … >` once, in one file"),
                );
                continue;
            }
            program.flux = Some(flux(fl));
        }
        if let Some(op) = f.block.first("operator") {
            if program.operator.is_some() {
                diags.push(
                    Diagnostic::new(
                        codes::E0204,
                        op.head_span,
                        "the operator configuration is declared twice",
                    )
                    .with_label("second `operator`"),
                );
                continue;
            }
            program.operator = Some(operator(op));
        }
    }
    if (program.operator.is_some() || program.clusters.iter().any(|c| c.network.is_some()))
        && program.flux.is_none()
        && let Some(sp) = seen.get(crate::emit::OPERATOR_DIR)
    {
        diags.push(
            Diagnostic::new(
                codes::E0205,
                *sp,
                "cluster `operator` would share its directory with the operator's configuration",
            )
            .with_label("writes to operator/")
            .with_help("rename the cluster (the operator's configuration and, with `network`, its policies go to operator/)"),
        );
    }
    resolve_cross_cluster(&mut program, files, &seen, diags);
    program
}

/// An environment's diagnostics, each that the cluster without the
/// environment does not have (the environment causes it) naming the
/// environment and pointing at its override: at the statement itself when
/// it is one of the environment's, else at the environment, with the
/// statement as a secondary label.
fn blame_env(
    source: &str,
    s: &BStmt,
    env: &BStmt,
    defs: &Defs,
    known: &IndexMap<String, gitops::Known>,
    d: Diagnostics,
) -> Diagnostics {
    let mut base = Diagnostics::default();
    ClusterLowering::new(source, s, None, defs, known, &mut base).run();
    let base = base.into_vec();
    let name = env.text_arg(0).unwrap_or_default();
    let head = env.arg(0).map(|a| a.span).unwrap_or(env.head_span);
    let inside =
        |sp: Span| sp.file == env.span.file && sp.start >= env.span.start && sp.end <= env.span.end;
    let mut out = Diagnostics::default();
    for mut x in d.into_vec() {
        let same = base
            .iter()
            .any(|b| b.code == x.code && b.span == x.span && b.message == x.message);
        if !same {
            x.message = format!("{} (env `{name}`)", x.message);
            if !inside(x.span) {
                let label = x.label.take().unwrap_or_else(|| "here".into());
                x.secondary.insert(
                    0,
                    crate::diag::Label {
                        span: x.span,
                        message: label,
                    },
                );
                x.span = head;
                x.label = Some(format!("the overrides of env `{name}` cause this"));
                x.fix = None;
            }
        }
        out.push(x);
    }
    out
}

fn flux(s: &BStmt) -> ir::FluxTarget {
    let b = s.block().cloned().unwrap_or_default();
    let text = |k: &str| b.first(k).and_then(|x| x.text_arg(0)).map(str::to_string);
    let secs = |k: &str, d: u64| match b.first(k).and_then(|x| x.arg(0)).map(|v| &v.v) {
        Some(Val::Seconds(n)) => *n,
        _ => d,
    };
    ir::FluxTarget {
        source: text("source").unwrap_or_else(|| "flux-system".into()),
        repo_dir: text("repo_dir").unwrap_or_else(|| ".".into()),
        depends_on: b
            .texts("depends_on")
            .unwrap_or_else(|| vec!["database-operators".to_string()]),
        interval: go_duration(secs("interval", 600)),
        sops_secret: text("sops_secret").unwrap_or_else(|| "sops-age".into()),
        timeout: go_duration(secs("timeout", 900)),
    }
}

/// Seconds as a Go duration (`10m0s`, as Flux writes them).
fn go_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else {
        format!("{m}m{s}s")
    }
}

fn operator(s: &BStmt) -> ir::OperatorConfig {
    let b = s.block().cloned().unwrap_or_default();
    let list = |k: &str| -> Vec<String> { b.texts(k).unwrap_or_default() };
    ir::OperatorConfig {
        namespace: b
            .first("namespace")
            .and_then(|x| x.text_arg(0))
            .unwrap_or("cnpg-system")
            .to_string(),
        inherited_labels: list("inherited_labels"),
        inherited_annotations: list("inherited_annotations"),
        watch_namespaces: list("watch_namespaces"),
    }
}

/// References between clusters: migration targets exist; a logical
/// migration's source publishes; an import source accepts superuser logins.
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
            for l in block
                .all("link")
                .filter(|l| l.variant == Some("db-migration"))
            {
                let Some(t) = l.opt("to") else { continue };
                let tname = t.as_text().unwrap_or_default();
                if s.text_arg(0) == Some(tname) {
                    diags.push(
                        Diagnostic::new(codes::E0206, t.span, "a cluster cannot migrate to itself")
                            .with_label("this cluster"),
                    );
                } else if !names.contains(&tname) {
                    unresolved(diags, t.span, "cluster", tname, &names);
                }
            }
        }
    }
    let mut publications: Vec<(String, Option<String>, ir::Publication)> = Vec::new();
    let mut superuser_sources: Vec<(String, Option<String>, String)> = Vec::new();
    for c in &program.clusters {
        let Some(m) = &c.migration else { continue };
        superuser_sources.push((m.source.clone(), c.env.clone(), c.namespace.clone()));
        if m.mode == ir::MigrationMode::Logical {
            for d in &m.databases {
                publications.push((
                    m.source.clone(),
                    c.env.clone(),
                    ir::Publication {
                        name: ir::publication_name(&c.name),
                        database: d.clone(),
                        to: c.name.clone(),
                    },
                ));
            }
        }
    }
    for c in &mut program.clusters {
        for (src, env, p) in &publications {
            if &c.name == src && (c.env.is_none() || &c.env == env) {
                c.publications.push(p.clone());
            }
        }
        for (s, env, ns) in &superuser_sources {
            if &c.name == s && (c.env.is_none() || &c.env == env) {
                c.superuser_access = true;
                // The destination connects to this cluster's 5432.
                if let Some(n) = &mut c.network
                    && ns != &c.namespace
                    && !n.app_namespaces.contains(ns)
                {
                    n.app_namespaces.push(ns.clone());
                }
            }
        }
    }
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

struct ClusterLowering<'a> {
    source: &'a str,
    defs: &'a Defs,
    known: &'a IndexMap<String, gitops::Known>,
    env: Option<String>,
    stmt: &'a BStmt,
    block: BBlock,
    diags: &'a mut Diagnostics,
    name: String,
    names: NameAlloc,
    roles: IndexMap<String, RoleDraft>,
    rotation: Option<String>,
}

impl<'a> ClusterLowering<'a> {
    fn new(
        source: &'a str,
        stmt: &'a BStmt,
        env: Option<&'a BStmt>,
        defs: &'a Defs,
        known: &'a IndexMap<String, gitops::Known>,
        diags: &'a mut Diagnostics,
    ) -> Self {
        let own = stmt.block().cloned().unwrap_or_default();
        let mut block = profiles::apply(&own, defs, diags);
        block.stmts.retain(|s| s.key != "env");
        if let Some(e) = env.and_then(|e| e.block()) {
            block = profiles::with_overrides(&block, e);
        }
        ClusterLowering {
            source,
            defs,
            known,
            env: env.and_then(|e| e.text_arg(0)).map(str::to_string),
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
        let namespace_owner = match self
            .block
            .first("namespace")
            .and_then(|s| s.flag("existing"))
        {
            Some(true) => ir::NamespaceOwner::Existing(ir::ExistingWhy::Declared),
            _ => ir::NamespaceOwner::ThisTree,
        };
        let mut postgres = self.version(self.block.first("postgres"));
        let image_source = self.image(&mut postgres);
        let registry = self.registry();
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
        let nodepool = self.nodepool();
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
        let recovery = self.recovery(&stores);
        let replica = self.replica(&stores);
        let snapshots = self.snapshots();
        if replica.is_some()
            && let Some(first) = self.block.first("db").or(self.block.first("user"))
        {
            self.diags.push(
                Diagnostic::new(codes::E0508, first.head_span, "a replica cluster gets its databases and roles from its source")
                    .with_label("not applied on a replica")
                    .with_help("declare databases and users on the source cluster; the replica follows it (they become writable when it is promoted)"),
            );
        }
        let tier = self.tier();
        self.backup_lints(
            &stores,
            snapshots.as_ref(),
            tier == Some(ir::Tier::Prod),
            &namespace,
        );
        let tuning = self.tuning(instances, &resources, &storage);
        let services = self.services();
        let placement = self.placement();
        let poolers = self.poolers();
        self.running_lints(instances, tier, &databases, replica.is_some());
        if let (Some(r), Some(p)) = (self.block.first("recovery"), self.block.first("replica")) {
            self.diags.push(
                Diagnostic::new(codes::E0204, p.head_span, "`recovery` and `replica` both say how the cluster starts")
                    .with_label("a replica bootstraps from its source")
                    .with_secondary(r.head_span, "and so does a recovery")
                    .with_help("keep one: `replica` follows another cluster; `recovery` restores a backup once"),
            );
        }
        let links: Vec<BStmt> = self.block.all("link").cloned().collect();
        let monitoring = self.monitoring(&links);
        let istio = self.istio(&links);
        let secret_stores = self.secret_stores();
        let apps = self.apps(&links, &databases, &namespace, &secret_stores);
        let network = self.network(&apps, &namespace);
        let migration = self.migration(&links, &namespace, &databases);
        // The import runs in `bootstrap.initdb`; a recovery or a replica
        // bootstraps otherwise, and CNPG takes one bootstrap method: the
        // import would never run.
        if migration.is_some()
            && let Some(l) = links.iter().find(|l| l.variant == Some("migration-db"))
            && let Some(other) = self.block.first("recovery").or(self.block.first("replica"))
        {
            let what = other.key;
            self.diags.push(
                Diagnostic::new(codes::E0702, l.key_span, format!("the migration's import never runs: the cluster starts from a `{what}`"))
                    .with_label("imports at creation (bootstrap.initdb.import)")
                    .with_secondary(other.head_span, format!("the `{what}` is how it starts instead"))
                    .with_help(format!("a cluster bootstraps one way: migrate into a new cluster (without `{what}`), or drop the migration and start from the {what}")),
            );
        }
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
        let cluster = ir::Cluster {
            name,
            env: self.env.clone(),
            span: self.stmt.span,
            name_span: self
                .stmt
                .arg(0)
                .map(|a| a.span)
                .unwrap_or(self.stmt.head_span),
            namespace_owner,
            source: self.source.to_string(),
            namespace,
            image: {
                let pg = match &image_source {
                    ir::ImageSource::Name(n) => n.clone(),
                    ir::ImageSource::Catalog { .. } => image_for(&postgres),
                };
                match &registry {
                    Some(r) => r.rewrite(&pg),
                    None => pg,
                }
            },
            postgres,
            image_source,
            registry,
            instances,
            superuser,
            superuser_access: false,
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
            recovery,
            replica,
            snapshots,
            tier,
            tuning,
            services,
            placement,
            poolers,
            monitoring,
            istio,
            network,
            secret_stores,
            publications: Vec::new(),
            apps,
            migration,
        };
        accept::check(self.stmt, &self.block, self.diags, &cluster);
        if self.diags.error_count() > errors_before {
            return None;
        }
        Some(cluster)
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
}

/// The CNPG community image for a version.
pub fn image_for(v: &ir::PgVersion) -> String {
    format!("ghcr.io/cloudnative-pg/postgresql:{}", v.text)
}
