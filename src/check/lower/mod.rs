//! Lowering: takes the bound statements of every file, gives the resolved
//! [`ir::Program`]: defaults applied, roles collected across databases,
//! references resolved ("did you mean" when they name nothing), derived
//! Kubernetes names allocated. Problems become diagnostics; lowering goes on.

use indexmap::IndexMap;

mod links;
mod profiles;
mod recovery;
mod resources;
mod roles;
mod running;
mod stores;

use super::bind::{BBlock, BStmt, BVal, SecretSource, Val};
use super::defs::Defs;
use super::names::NameAlloc;
use crate::diag::{Diagnostic, Diagnostics, codes, suggest};
use crate::ir::{self, Flag, FlagSet};
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
            if let Some(c) = ClusterLowering::new(f.name, s, defs, diags).run() {
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

struct ClusterLowering<'a> {
    source: &'a str,
    defs: &'a Defs,
    stmt: &'a BStmt,
    block: BBlock,
    diags: &'a mut Diagnostics,
    name: String,
    names: NameAlloc,
    roles: IndexMap<String, RoleDraft>,
    rotation: Option<String>,
}

impl<'a> ClusterLowering<'a> {
    fn new(source: &'a str, stmt: &'a BStmt, defs: &'a Defs, diags: &'a mut Diagnostics) -> Self {
        let own = stmt.block().cloned().unwrap_or_default();
        let block = profiles::apply(&own, defs, diags);
        ClusterLowering {
            source,
            defs,
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
        let image_source = self.image(&postgres);
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
}

/// The CNPG community image for a version.
pub fn image_for(v: &ir::PgVersion) -> String {
    format!("ghcr.io/cloudnative-pg/postgresql:{}", v.text)
}
