//! Running it well: parameters (each checked in `params`; memory and WAL
//! sizing checked against the resources),
//! synchronous replication checked against the instances, images, registry
//! mirror, services, placement, poolers, monitoring and the tier.

use super::*;

/// Libraries that may be preloaded.
pub const VETTED_LIBRARIES: &[&str] = &[
    "pg_stat_statements",
    "auto_explain",
    "pgaudit",
    "pg_cron",
    "timescaledb",
    "pg_failover_slots",
    "pg_partman_bgw",
];

/// Extensions only a superuser may create.
const UNTRUSTED: &[&str] = &[
    "vector",
    "postgis",
    "postgis_raster",
    "postgis_topology",
    "timescaledb",
    "pg_cron",
    "pgaudit",
    "pg_stat_statements",
    "pg_partman",
    "plpython3u",
    "file_fdw",
    "postgres_fdw",
];

/// A PostgreSQL memory setting in bytes (`256MB`, `1GB`, `8192` in `unit` bytes).
fn pg_bytes(value: &str, unit: f64) -> Option<f64> {
    let v = value.trim();
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(v.len());
    let (n, u) = v.split_at(split);
    let n: f64 = n.parse().ok()?;
    let mult = match u.trim() {
        "" => unit,
        "B" => 1.0,
        "kB" => 1024.0,
        "MB" => 1024f64.powi(2),
        "GB" => 1024f64.powi(3),
        "TB" => 1024f64.powi(4),
        _ => return None,
    };
    Some(n * mult)
}

fn human(bytes: f64) -> String {
    let gib = 1024f64.powi(3);
    let mib = 1024f64.powi(2);
    if bytes >= gib {
        format!("{:.1}GiB", bytes / gib)
    } else {
        format!("{:.0}MiB", bytes / mib)
    }
}

impl ClusterLowering<'_> {
    pub(super) fn tier(&mut self) -> Option<ir::Tier> {
        match self.block.first("tier").and_then(|s| s.text_arg(0)) {
            Some("prod") => Some(ir::Tier::Prod),
            Some("dev") => Some(ir::Tier::Dev),
            _ => None,
        }
    }

    pub(super) fn tuning(
        &mut self,
        instances: u32,
        resources: &ir::Resources,
        storage: &ir::Storage,
    ) -> ir::Tuning {
        let mut t = ir::Tuning::default();
        let params = self.block.first("parameters").cloned();
        let mut seen = Vec::new();
        for e in params.as_ref().map(|p| p.map()).unwrap_or_default() {
            if let Some(kv) = self.parameter(e, &mut seen) {
                t.parameters.push(kv);
            }
        }
        if let Some(s) = self.block.first("shared_preload_libraries").cloned() {
            for item in s
                .arg(0)
                .map(|v| v.items().into_iter().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let lib = item.as_text().unwrap_or_default().to_string();
                if VETTED_LIBRARIES.contains(&lib.as_str()) {
                    t.shared_preload_libraries.push(lib);
                } else {
                    let (sug, _) = suggest::help_text(&lib, VETTED_LIBRARIES, "library");
                    let mut d = Diagnostic::new(
                        codes::E0603,
                        item.span,
                        format!("`{lib}` is not a vetted library"),
                    )
                    .with_label("not on the list of libraries that may be preloaded")
                    .with_help(format!(
                        "a preloaded library runs inside every backend; allowed: {}",
                        VETTED_LIBRARIES.join(", ")
                    ));
                    if let Some(sug) = sug {
                        d = d.with_fix(item.span, sug);
                    }
                    self.diags.push(d);
                }
            }
        }
        self.memory_lints(&t, resources, storage, params.as_ref());
        t.wal_storage = self.block.first("wal_storage").map(|s| {
            let size = match s.arg(0).map(|v| &v.v) {
                Some(Val::Quantity(q)) => q.text.clone(),
                _ => "1Gi".into(),
            };
            (
                size,
                s.opt("class").and_then(|v| v.as_text()).map(str::to_string),
            )
        });
        self.replication(&mut t, instances);
        self.parameter_values(&t, instances, params.as_ref(), false);
        t
    }

    /// shared_buffers against the memory limit, effective_cache_size near
    /// 75 % of it, the volume against max_wal_size.
    fn memory_lints(
        &mut self,
        t: &ir::Tuning,
        resources: &ir::Resources,
        storage: &ir::Storage,
        params: Option<&BStmt>,
    ) {
        let entry = |k: &str| {
            params.and_then(|p| {
                p.map()
                    .iter()
                    .find(|e| e.key.trim().eq_ignore_ascii_case(k))
                    .cloned()
            })
        };
        let get = |k: &str| {
            t.parameters
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        };
        if let Some(limit) = resources.memory_limit_bytes {
            if let (Some(sb), Some(e)) = (
                get("shared_buffers").and_then(|v| pg_bytes(&v, 8192.0)),
                entry("shared_buffers"),
            ) && sb >= limit * 0.5
            {
                let suggested = (limit * 0.25 / 1024f64.powi(2)).floor() as u64;
                self.diags.push(
                    Diagnostic::new(
                        codes::E0604,
                        e.val.span,
                        format!("shared_buffers ({}) does not fit the memory limit ({})", human(sb), human(limit)),
                    )
                    .with_label(format!("{:.0}% of the limit", sb / limit * 100.0))
                    .with_help(format!(
                        "shared memory, connections, work_mem and maintenance all live under the limit: above half of it the pod is OOM-killed under load; about 25% is the usual start: {suggested}MB"
                    ))
                    .with_fix(e.val.span, format!("{suggested}MB")),
                );
            }
            if let (Some(ecs), Some(e)) = (
                get("effective_cache_size").and_then(|v| pg_bytes(&v, 8192.0)),
                entry("effective_cache_size"),
            ) {
                let ratio = ecs / limit;
                if !(0.5..=0.9).contains(&ratio) {
                    let suggested = (limit * 0.75 / 1024f64.powi(2)).floor() as u64;
                    self.diags.push(
                        Diagnostic::new(
                            codes::H0605,
                            e.val.span,
                            format!("effective_cache_size is {:.0}% of the memory limit", ratio * 100.0),
                        )
                        .with_label("the planner's guess of the cache")
                        .with_help(format!("about 75% of the memory limit ({suggested}MB) describes the page cache a pod of this size has"))
                        .with_fix(e.val.span, format!("{suggested}MB")),
                    );
                }
            }
        }
        if self.block.first("wal_storage").is_none() {
            let max_wal = get("max_wal_size")
                .and_then(|v| pg_bytes(&v, 1024f64.powi(2)))
                .unwrap_or(1024f64.powi(3));
            if let Ok(q) = super::super::values::quantity(&storage.size)
                && q.value < 4.0 * max_wal
            {
                let sp = self
                    .block
                    .first("storage")
                    .map(|s| s.span)
                    .unwrap_or(self.stmt.head_span);
                self.diags.push(
                    Diagnostic::new(
                        codes::W0606,
                        sp,
                        format!("{} of storage holds data and WAL, with max_wal_size {}", storage.size, human(max_wal)),
                    )
                    .with_label("too small for WAL")
                    .with_help("WAL alone can take several times max_wal_size (more while archiving lags), and CNPG stops the instance on a full volume: give it at least 4 × max_wal_size plus the data, or a separate `wal_storage`"),
                );
            }
        }
    }

    /// `synchronous` and `quorum` against the instance count.
    fn replication(&mut self, t: &mut ir::Tuning, instances: u32) {
        let sync = self.block.first("synchronous").cloned();
        let quorum = self.block.first("quorum").cloned();
        if let (Some(s), Some(q)) = (&sync, &quorum) {
            self.diags.push(
                Diagnostic::new(codes::E0608, q.head_span, "`quorum` and `synchronous` both configure synchronous replication")
                    .with_label("second configuration")
                    .with_secondary(s.head_span, "first")
                    .with_help("keep `synchronous` (postgresql.synchronous); `quorum` is the older minSyncReplicas/maxSyncReplicas form"),
            );
            return;
        }
        let standbys = instances as i64 - 1;
        if let Some(s) = sync {
            let b = s.block().cloned().unwrap_or_default();
            let number_stmt = b.first("number");
            let number = number_stmt
                .and_then(|x| x.arg(0))
                .and_then(|v| v.as_int())
                .unwrap_or(1);
            if number > standbys {
                let sp = number_stmt.map(|x| x.span).unwrap_or(s.head_span);
                self.diags.push(
                    Diagnostic::new(
                        codes::E0607,
                        sp,
                        format!("{number} synchronous standby(s) requested, but {instances} instance(s) have {standbys} standby(s)"),
                    )
                    .with_label("more than the standbys there are")
                    .with_help(format!(
                        "with durability required every commit would wait forever; use at most {} or add instances",
                        standbys.max(0)
                    )),
                );
            }
            t.synchronous = Some(ir::Synchronous {
                method: b
                    .first("method")
                    .and_then(|x| x.text_arg(0))
                    .unwrap_or("any")
                    .to_string(),
                number,
                durability: b
                    .first("durability")
                    .and_then(|x| x.text_arg(0))
                    .map(str::to_string),
            });
        }
        if let Some(q) = quorum {
            let min = q.opt("min").and_then(|v| v.as_int()).unwrap_or(0);
            let max_v = q.opt("max");
            let max = max_v.and_then(|v| v.as_int()).unwrap_or(min.max(1));
            if max >= instances as i64 {
                let sp = max_v.map(|v| v.span).unwrap_or(q.span);
                self.diags.push(
                    Diagnostic::new(
                        codes::E0607,
                        sp,
                        format!(
                            "maxSyncReplicas {max} must be below the instance count {instances}"
                        ),
                    )
                    .with_label("not enough standbys")
                    .with_help(format!(
                        "the primary is not a standby: use at most {} or add instances",
                        standbys.max(0)
                    )),
                );
            }
            if min > max {
                let sp = q.opt("min").map(|v| v.span).unwrap_or(q.span);
                self.diags.push(
                    Diagnostic::new(
                        codes::E0607,
                        sp,
                        format!("minSyncReplicas {min} is above maxSyncReplicas {max}"),
                    )
                    .with_label("min above max"),
                );
            }
            t.quorum = Some((min, max));
        }
    }

    /// The image (and the checks on its tag), the registry mirror. A custom
    /// image's tag is what the operator reads the major version from: it
    /// must agree with `postgres`, and gives the version when `postgres` is
    /// not written.
    pub(super) fn image(&mut self, postgres: &mut ir::PgVersion) -> ir::ImageSource {
        let image = self
            .block
            .first("image")
            .and_then(|s| s.text_arg(0))
            .map(str::to_string);
        let catalog = self.block.first("image_catalog").cloned();
        if let (Some(_), Some(c)) = (&image, &catalog) {
            let i = self
                .block
                .first("image")
                .map(|s| s.head_span)
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::new(
                    codes::E0204,
                    c.head_span,
                    "`image` and `image_catalog` both choose the image",
                )
                .with_label("second choice")
                .with_secondary(i, "first")
                .with_help("keep one: the Cluster refuses imageName together with imageCatalogRef"),
            );
        }
        if let Some(c) = catalog {
            return ir::ImageSource::Catalog {
                name: c.text_arg(0).unwrap_or_default().to_string(),
                cluster_wide: c.flag("cluster").unwrap_or(false),
            };
        }
        if let Some(img) = &image {
            self.image_tag(img, postgres);
        }
        if postgres.minor.is_none() && image.is_none() {
            let sp = self
                .block
                .first("postgres")
                .and_then(|s| s.arg(0))
                .map(|a| a.span)
                .unwrap_or(self.stmt.head_span);
            self.diags.push(
                Diagnostic::new(codes::W0610, sp, format!("`{}` names a major version: the image tag moves with every minor release", postgres.text))
                    .with_label("major-only tag")
                    .with_help("an image change restarts every instance; pin the minor version (e.g. 16.4) and bump it deliberately"),
            );
        }
        ir::ImageSource::Name(image.unwrap_or_else(|| super::image_for(postgres)))
    }

    /// The custom image's tag against `postgres` (E0640).
    fn image_tag(&mut self, image: &str, postgres: &mut ir::PgVersion) {
        let img_span = self
            .block
            .first("image")
            .and_then(|s| s.arg(0))
            .map(|a| a.span)
            .unwrap_or(self.stmt.head_span);
        let written = self.block.first("postgres").cloned();
        let tag = super::image_tag::tag(image);
        let Some((major, minor)) = tag.as_deref().and_then(super::image_tag::version) else {
            let shown = tag.unwrap_or_else(|| "a digest only".into());
            self.diags.push(
                Diagnostic::new(codes::E0640, img_span, format!("the image's tag `{shown}` does not start with a PostgreSQL version"))
                    .with_label("the operator reads the major version from the tag")
                    .with_help(format!("CNPG refuses an image whose tag does not start with the version (\"latest\", a bare digest, \"pg16\" are refused): tag it major.minor first, such as `…:{}-custom`", postgres.text)),
            );
            return;
        };
        match written {
            Some(w) if major != postgres.major => {
                let wspan = w.arg(0).map(|a| a.span).unwrap_or(w.span);
                let tag_text = match minor {
                    Some(m) => format!("{major}.{m}"),
                    None => major.to_string(),
                };
                self.diags.push(
                    Diagnostic::new(codes::E0640, img_span, format!("the image is PostgreSQL {major}, the cluster says {}", postgres.text))
                        .with_label(format!("tag says {major}"))
                        .with_secondary(wspan, format!("postgres {}", postgres.text))
                        .with_help(format!("the operator runs the major version of the image's tag; the grant SQL, recovery checks and image catalogs follow `postgres`: make them agree (`postgres {tag_text}`), or use an image of PostgreSQL {}", postgres.major))
                        .with_fix(wspan, tag_text),
                );
            }
            Some(_) => {}
            None => {
                // No `postgres`: the image's tag says which version it is.
                if !crate::schema::PG_MAJORS.contains(&major) {
                    self.diags.push(
                        Diagnostic::new(codes::E0640, img_span, format!("the image's tag says PostgreSQL {major}, which CloudNativePG 1.30 does not run"))
                            .with_label(format!("tag says {major}"))
                            .with_help(format!("use an image of PostgreSQL {} to {}", crate::schema::PG_MAJORS.start(), crate::schema::PG_MAJORS.end())),
                    );
                    return;
                }
                *postgres = ir::PgVersion {
                    major,
                    minor,
                    text: match minor {
                        Some(m) => format!("{major}.{m}"),
                        None => major.to_string(),
                    },
                };
            }
        }
    }

    pub(super) fn registry(&mut self) -> Option<ir::Registry> {
        let s = self.block.first("registry")?.clone();
        let host = s
            .text_arg(0)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let src = |k: &str| {
            s.opt(k).and_then(|v| match &v.v {
                Val::Secret(x) => Some((x.clone(), v.span)),
                _ => None,
            })
        };
        let (cred, user, pass) = (src("credentials"), src("username"), src("password"));
        let mut pull_secret = None;
        let mut managed = None;
        match (cred, user, pass) {
            (Some((SecretSource::Existing { name }, _)), None, None) => pull_secret = Some(name),
            (Some((other, sp)), None, None) => self.diags.push(
                Diagnostic::new(codes::E0402, sp, format!("`credentials` names an existing Secret, not {}", other.describe()))
                    .with_label("expected secret(\"name\")")
                    .with_help("for credentials cnpgc should write, use `username …` and `password …`"),
            ),
            (None, Some(u), Some(p)) => {
                for (x, sp) in [&u, &p] {
                    if matches!(x, SecretSource::Generated | SecretSource::Existing { .. }) {
                        self.diags.push(
                            Diagnostic::new(codes::E0402, *sp, "a registry's user and password come from env(…) or file(…)")
                                .with_label("not allowed here")
                                .with_help("for an existing pull Secret write `credentials secret(\"name\")`"),
                        );
                    }
                }
                pull_secret = Some(self.names.derive(&self.name, "registry", 63));
                managed = Some((u, p));
            }
            (None, None, None) => {}
            _ => self.diags.push(
                Diagnostic::new(codes::E0203, s.head_span, "registry credentials need `credentials`, or both `username` and `password`")
                    .with_label("incomplete credentials")
                    .with_help("credentials secret(\"regcred\"), or username env(\"REGISTRY_USER\") password env(\"REGISTRY_PASSWORD\")"),
            ),
        }
        Some(ir::Registry {
            host,
            pull_secret,
            managed,
        })
    }

    /// `nodepool POOL`: the node label naming the pool is the one the
    /// platform sets, or must be written (no provider sets a label of
    /// cnpgc's own: pods would stay Pending).
    pub(super) fn nodepool(&mut self) -> Option<ir::NodePool> {
        let s = self.block.first("nodepool")?.clone();
        let name = s.text_arg(0).unwrap_or_default().to_string();
        let platform = self
            .block
            .first("platform")
            .and_then(|p| p.text_arg(0))
            .map(str::to_string);
        let label = match s.opt("label").and_then(|v| v.as_text()) {
            Some(l) => l.to_string(),
            None => match platform.as_deref().and_then(nodepool_label) {
                Some(l) => l.to_string(),
                None => {
                    let why = match platform.as_deref() {
                        Some("k3s") => "k3s sets no node-pool label".to_string(),
                        Some(p) => format!("cnpgc knows no node-pool label for platform `{p}`"),
                        None => "no `platform`, so cnpgc cannot tell which label your nodes carry"
                            .to_string(),
                    };
                    self.diags.push(
                        Diagnostic::new(codes::E0641, s.key_span, format!("which node label names pool `{name}`? {why}"))
                            .with_label("needs `label`")
                            .with_help(format!("write the label your nodes carry, e.g. `nodepool {name} label cloud.google.com/gke-nodepool` (GKE), `eks.amazonaws.com/nodegroup` (EKS managed node groups), `karpenter.sh/nodepool` (Karpenter), `kubernetes.azure.com/agentpool` (AKS), or one you put on the nodes yourself (`kubectl label node N pool={name}`, then `label pool`); or say `platform gke|eks|aks`")),
                    );
                    return None;
                }
            },
        };
        Some(ir::NodePool {
            name,
            label,
            taint: s.opt("taint").and_then(|v| v.as_text()).map(str::to_string),
        })
    }

    pub(super) fn services(&mut self) -> ir::Services {
        let disabled = self.block.texts("disable_services").unwrap_or_default();
        let external = self.block.first("external").map(|s| {
            let ty = match s.opt("type").and_then(|v| v.as_text()) {
                Some("nodeport") => "NodePort",
                _ => "LoadBalancer",
            };
            (
                ty.to_string(),
                s.opt("to")
                    .and_then(|v| v.as_text())
                    .unwrap_or("rw")
                    .to_string(),
            )
        });
        ir::Services { disabled, external }
    }

    pub(super) fn placement(&mut self) -> ir::Placement {
        let flag = |s: &BStmt| s.arg(0).is_none_or(|v| !matches!(v.v, Val::Bool(false)));
        ir::Placement {
            pdb: self.block.first("pdb").is_none_or(flag),
            spread: self
                .block
                .first("spread")
                .and_then(|s| s.text_arg(0))
                .map(|k| match k {
                    "zone" => "topology.kubernetes.io/zone".to_string(),
                    _ => "kubernetes.io/hostname".to_string(),
                }),
            replication_slots: self.block.first("replication_slots").map(|s| {
                ir::ReplicationSlots {
                    ha: s.flag("ha").unwrap_or(true),
                    sync_user_slots: s.flag("sync_user_slots").unwrap_or(false),
                    update_interval: s.opt("update_interval").and_then(|v| v.as_int()),
                }
            }),
        }
    }

    pub(super) fn poolers(&mut self) -> Vec<ir::Pooler> {
        let mut out: Vec<ir::Pooler> = Vec::new();
        for p in self.block.all("pooler").cloned().collect::<Vec<_>>() {
            let name = p.text_arg(0).unwrap_or_default().to_string();
            if name == self.name {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        p.arg(0).map(|a| a.span).unwrap_or(p.span),
                        "a pooler needs a name of its own",
                    )
                    .with_label("the cluster's name")
                    .with_help(format!("for example: pooler {}-pooler < … >", self.name)),
                );
                continue;
            }
            if let Some(prev) = out.iter().find(|o| o.name == name) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0205,
                        p.arg(0).map(|a| a.span).unwrap_or(p.span),
                        format!("pooler `{name}` is declared twice"),
                    )
                    .with_secondary(prev.span, "first declared here"),
                );
                continue;
            }
            let b = p.block().cloned().unwrap_or_default();
            let text = |k: &str| b.first(k).and_then(|s| s.text_arg(0)).map(str::to_string);
            out.push(ir::Pooler {
                name,
                span: p.span,
                kind: text("type").unwrap_or_else(|| "rw".into()),
                instances: b
                    .first("instances")
                    .and_then(|s| s.arg(0))
                    .and_then(|v| v.as_int())
                    .unwrap_or(2),
                mode: text("mode").unwrap_or_else(|| "session".into()),
                parameters: b
                    .first("parameters")
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
                    .unwrap_or_default(),
            });
        }
        out
    }

    pub(super) fn monitoring(&mut self, links: &[BStmt]) -> Option<ir::Monitoring> {
        let l = links.iter().find(|l| l.variant == Some("prometheus"))?;
        let b = l.block().cloned().unwrap_or_default();
        let flag = |k: &str| {
            b.first(k)
                .and_then(|s| s.arg(0))
                .map(|v| matches!(v.v, Val::Bool(true)))
        };
        let operator = flag("operator");
        if operator.is_none() {
            self.diags.push(
                Diagnostic::new(codes::H0612, l.key_span, "`link prometheus` writes a PodMonitor and a PrometheusRule")
                    .with_label("needs the Prometheus Operator's CRDs")
                    .with_help("without the Prometheus Operator, those objects fail to apply on every reconcile; for a plain Prometheus write `link prometheus < operator false >` (pod annotations and a rules ConfigMap)"),
            );
        }
        Some(ir::Monitoring {
            operator: operator.unwrap_or(true),
            rules: flag("rules").unwrap_or(true),
        })
    }

    /// One instance has no failover (unless the tier is dev); `init_db`
    /// creating an untrusted extension the Database CR does not keep.
    pub(super) fn running_lints(
        &mut self,
        instances: u32,
        tier: Option<ir::Tier>,
        dbs: &[ir::Database],
        replica: bool,
    ) {
        if instances == 1 && tier != Some(ir::Tier::Dev) && !replica {
            let sp = self
                .block
                .first("instances")
                .map(|s| s.span)
                .unwrap_or(self.stmt.head_span);
            self.diags.push(
                Diagnostic::new(codes::W0609, sp, format!("cluster `{}` has one instance: no failover", self.name))
                    .with_label("single instance")
                    .with_help("any restart of the primary (node drain, eviction, upgrade) is an outage; use `instances 2` or more, or `tier dev` for a development cluster"),
            );
        }
        let first_db_exts: Vec<&str> = dbs
            .first()
            .map(|d| d.extensions.iter().map(String::as_str).collect())
            .unwrap_or_default();
        for s in self.block.all("init_db").cloned().collect::<Vec<_>>() {
            let sql = s.text_arg(0).unwrap_or_default().to_ascii_lowercase();
            for ext in UNTRUSTED {
                let pat = format!("create extension if not exists {ext}");
                let pat2 = format!("create extension {ext}");
                if (sql.contains(&pat) || sql.contains(&pat2)) && !first_db_exts.contains(ext) {
                    self.diags.push(
                        Diagnostic::new(codes::W0611, s.span, format!("`{ext}` is created at init only"))
                            .with_label("postInitApplicationSQL runs once, on a new cluster")
                            .with_help(format!(
                                "`{ext}` must be installed by a superuser (the app role would fail with \"must be superuser\"); list it in the first db's `extensions` too, so the Database CR keeps it installed on existing and restored clusters"
                            )),
                    );
                }
            }
        }
    }
}

/// The node label each provider puts on the nodes of a pool (its value: the
/// pool's name). k3s has no pools, so none.
pub fn nodepool_label(platform: &str) -> Option<&'static str> {
    match platform {
        // GKE: every node of a node pool.
        "gke" => Some("cloud.google.com/gke-nodepool"),
        // EKS managed node groups (Karpenter: karpenter.sh/nodepool).
        "eks" => Some("eks.amazonaws.com/nodegroup"),
        // AKS: every node of an agent pool.
        "aks" => Some("kubernetes.azure.com/agentpool"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::pg_bytes;

    #[test]
    fn pg_memory_units() {
        assert_eq!(pg_bytes("256MB", 8192.0), Some(256.0 * 1024.0 * 1024.0));
        assert_eq!(pg_bytes("16384", 8192.0), Some(16384.0 * 8192.0));
        assert_eq!(pg_bytes("1GB", 1.0), Some(1024f64.powi(3)));
        assert_eq!(pg_bytes("1 GB", 1.0), Some(1024f64.powi(3)));
        assert_eq!(pg_bytes("lots", 1.0), None);
    }
}
