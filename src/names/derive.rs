//! Deriving names: takes the kind of object and the pieces of its name (a
//! source name, a fixed suffix), gives a name that kind accepts. When the
//! plain join is valid it is kept as is; otherwise the source part is made a
//! DNS label, cut to fit, and a short hash of the whole wanted name is added,
//! so different sources never meet in the same shortened name and the same
//! source always gives the same name.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::rules;

/// The syntax a name must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    Label,
    /// DNS-1123 label starting with a letter (Service names).
    Dns1035,
    /// DNS-1123 subdomain: labels joined by dots.
    Subdomain,
}

/// What a name must be for one kind of object: its syntax, its length limit
/// and where that limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub syntax: Syntax,
    pub max: usize,
    /// Why this kind has this rule (for messages and docs/rules.md).
    pub why: &'static str,
}

impl Rule {
    pub fn check(&self, name: &str) -> Result<(), String> {
        match self.syntax {
            Syntax::Label => rules::dns1123_label(name, self.max),
            Syntax::Dns1035 => rules::dns1035_label(name, self.max),
            Syntax::Subdomain => rules::dns1123_subdomain(name, self.max),
        }
    }
}

/// Every kind of object cnpgc writes or makes the operator write, by the
/// rule its name follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Namespace,
    ConfigMap,
    Secret,
    Service,
    Job,
    CronJob,
    NetworkPolicy,
    CiliumNetworkPolicy,
    Cluster,
    Pooler,
    Database,
    ObjectStore,
    ScheduledBackup,
    Backup,
    Publication,
    Subscription,
    PodMonitor,
    PrometheusRule,
    PushSecret,
    ExternalSecret,
    /// A Flux `Kustomization` (kustomize.toolkit.fluxcd.io).
    FluxKustomization,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    Deployment,
    ServiceAccount,
    Role,
    RoleBinding,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Service => "Service",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::CiliumNetworkPolicy => "CiliumNetworkPolicy",
            Kind::Cluster => "Cluster",
            Kind::Pooler => "Pooler",
            Kind::Database => "Database",
            Kind::ObjectStore => "ObjectStore",
            Kind::ScheduledBackup => "ScheduledBackup",
            Kind::Backup => "Backup",
            Kind::Publication => "Publication",
            Kind::Subscription => "Subscription",
            Kind::PodMonitor => "PodMonitor",
            Kind::PrometheusRule => "PrometheusRule",
            Kind::PushSecret => "PushSecret",
            Kind::ExternalSecret => "ExternalSecret",
            Kind::FluxKustomization => "Kustomization",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::Deployment => "Deployment",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Role => "Role",
            Kind::RoleBinding => "RoleBinding",
        }
    }

    /// The kind of a manifest by its `kind` field (Flux's `Kustomization`:
    /// apiVersion `kustomize.toolkit.fluxcd.io/…`).
    pub fn of_manifest(api_version: &str, kind: &str) -> Option<Kind> {
        Some(match kind {
            "Kustomization" if api_version.starts_with("kustomize.toolkit.fluxcd.io/") => {
                Kind::FluxKustomization
            }
            "Namespace" => Kind::Namespace,
            "ConfigMap" => Kind::ConfigMap,
            "Secret" => Kind::Secret,
            "Service" => Kind::Service,
            "Job" => Kind::Job,
            "CronJob" => Kind::CronJob,
            "NetworkPolicy" => Kind::NetworkPolicy,
            "CiliumNetworkPolicy" => Kind::CiliumNetworkPolicy,
            "Cluster" => Kind::Cluster,
            "Pooler" => Kind::Pooler,
            "Database" => Kind::Database,
            "ObjectStore" => Kind::ObjectStore,
            "ScheduledBackup" => Kind::ScheduledBackup,
            "Backup" => Kind::Backup,
            "Publication" => Kind::Publication,
            "Subscription" => Kind::Subscription,
            "PodMonitor" => Kind::PodMonitor,
            "PrometheusRule" => Kind::PrometheusRule,
            "PushSecret" => Kind::PushSecret,
            "ExternalSecret" => Kind::ExternalSecret,
            "PersistentVolumeClaim" => Kind::PersistentVolumeClaim,
            "PodDisruptionBudget" => Kind::PodDisruptionBudget,
            "Deployment" => Kind::Deployment,
            "ServiceAccount" => Kind::ServiceAccount,
            "Role" => Kind::Role,
            "RoleBinding" => Kind::RoleBinding,
            _ => return None,
        })
    }

    /// The rule this kind's names follow (sources: the API server's
    /// validation of each kind, CloudNativePG 1.30's webhook, Flux).
    pub fn rule(self) -> Rule {
        let r = |syntax, max, why| Rule { syntax, max, why };
        match self {
            Kind::Namespace => r(
                Syntax::Label,
                63,
                "a Namespace name is a DNS-1123 label (API server)",
            ),
            Kind::Service => r(
                Syntax::Dns1035,
                63,
                "a Service name is a DNS-1035 label (API server)",
            ),
            Kind::Cluster => r(
                Syntax::Dns1035,
                50,
                "a Cluster name is a DNS-1035 label of at most 50 characters (CloudNativePG webhook: the operator derives Service, Job and PVC names from it)",
            ),
            Kind::Pooler => r(
                Syntax::Dns1035,
                63,
                "a Pooler's name is given to its Service and Deployment: a DNS-1035 label (API server)",
            ),
            Kind::Job => r(
                Syntax::Label,
                63,
                "a Job's pods carry its name in the `job-name` label: at most 63 characters (API server)",
            ),
            Kind::CronJob => r(
                Syntax::Subdomain,
                52,
                "a CronJob name is at most 52 characters: its Jobs add an 11-character suffix (API server)",
            ),
            Kind::ScheduledBackup => r(
                Syntax::Label,
                63,
                "a ScheduledBackup's Backups carry its name in a label (CloudNativePG)",
            ),
            Kind::Backup => r(
                Syntax::Label,
                63,
                "a Backup's VolumeSnapshots carry its name in the `cnpg.io/backupName` label (CloudNativePG)",
            ),
            Kind::FluxKustomization => r(
                Syntax::Label,
                63,
                "Flux writes a Kustomization's name into the `kustomize.toolkit.fluxcd.io/name` label of every object it applies",
            ),
            _ => r(
                Syntax::Subdomain,
                253,
                "an object name is a DNS-1123 subdomain (API server)",
            ),
        }
    }
}

/// The ScheduledBackup of volume snapshots: each Backup it makes is named
/// `<name>-<YYYYMMDDhhmmss>` and that name is a label value on the
/// VolumeSnapshots (≤ 63), so the name itself has at most 48 characters.
pub const SNAPSHOT_SCHEDULE: Rule = Rule {
    syntax: Syntax::Label,
    max: 48,
    why: "a volume-snapshot ScheduledBackup names its Backups `<name>-<14-digit time>`, which go into a VolumeSnapshot label (≤ 63): at most 48 characters (CloudNativePG)",
};

/// `generateName` prefixes: the API server adds 5 random characters.
pub const GENERATE_SUFFIX: usize = 5;

/// Six hex digits of SHA-256: stable across runs and platforms.
pub fn short_hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(3).map(|b| format!("{b:02x}")).collect()
}

/// The nearest DNS-1123 label to `text` of at most `max` characters (may be
/// empty): lower case, anything but letters and digits becomes `-`, runs of
/// `-` collapse, no `-` at either end.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut s = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if c == '-' && (s.is_empty() || s.ends_with('-')) {
            continue;
        }
        s.push(c);
    }
    let mut s: String = s.chars().take(max).collect();
    while s.ends_with('-') {
        s.pop();
    }
    s
}

/// `base` + `suffix` as a name `rule` accepts. Kept as is when valid;
/// otherwise `<stem>-<hash><suffix>`, where the stem is `base` made a label
/// and cut to fit, and the hash is of `base` + `suffix` as wanted. `suffix`
/// must itself be lower case letters, digits and `-` (such as `-export`).
pub fn fit(rule: Rule, base: &str, suffix: &str) -> String {
    let whole = format!("{base}{suffix}");
    if rule.check(&whole).is_ok() {
        return whole;
    }
    shorten(rule, base, suffix, &short_hash(&whole))
}

fn shorten(rule: Rule, base: &str, suffix: &str, hash: &str) -> String {
    debug_assert!(
        suffix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    );
    let tail = format!("-{hash}{suffix}");
    let room = rule.max.saturating_sub(tail.len());
    let mut stem = sanitize(base, room);
    if rule.syntax == Syntax::Dns1035 && !stem.starts_with(|c: char| c.is_ascii_lowercase()) {
        stem = sanitize(&format!("x{stem}"), room);
    }
    if stem.is_empty() {
        stem.push('x');
    }
    format!("{stem}{tail}")
}

/// A `generateName` prefix for `kind`: the prefix plus the API server's
/// random characters must be a valid name.
pub fn fit_prefix(kind: Kind, base: &str, suffix: &str) -> String {
    let rule = kind.rule();
    let room = Rule {
        max: rule.max - GENERATE_SUFFIX,
        ..rule
    };
    // The prefix ends with `-`: check it with a letter in place of the
    // random part.
    let whole = format!("{base}{suffix}");
    if room.check(&format!("{whole}x")).is_ok() && whole.len() <= room.max {
        return whole;
    }
    let trimmed = suffix.trim_end_matches('-');
    format!(
        "{}-",
        shorten(
            Rule {
                max: room.max - 1,
                ..room
            },
            base,
            trimmed,
            &short_hash(&whole)
        )
    )
}

/// Hands out unique names within one namespace (Secrets, Database CRs,
/// ObjectStores of one cluster).
#[derive(Debug, Default)]
pub struct NameAlloc {
    used: HashSet<String>,
}

impl NameAlloc {
    /// Reserves a name that must be used as is (a user-chosen Secret, say).
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// `<prefix>-<name>` made a DNS-1123 label of at most `max` characters;
    /// when that loses information or is taken, a hash of `name` is appended.
    pub fn derive(&mut self, prefix: &str, name: &str, max: usize) -> String {
        let base = sanitize(&format!("{prefix}-{name}"), max);
        // `_` → `-` is the one change that keeps names readable without a
        // hash (a collision still gets one).
        let exact = base == format!("{prefix}-{name}").replace('_', "-");
        if exact && !self.used.contains(&base) {
            self.used.insert(base.clone());
            return base;
        }
        let h = short_hash(name);
        let room = max.saturating_sub(h.len() + 1);
        let mut stem: String = base.chars().take(room).collect();
        while stem.ends_with('-') {
            stem.pop();
        }
        let mut candidate = if stem.is_empty() {
            format!("x-{h}")
        } else {
            format!("{stem}-{h}")
        };
        let mut n = 2;
        while self.used.contains(&candidate) {
            candidate = format!("{stem}-{h}{n}");
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_when_possible_hashed_when_lossy() {
        let mut a = NameAlloc::default();
        assert_eq!(a.derive("app", "myapp", 63), "app-myapp");
        let x = a.derive("app", "my_app", 63);
        assert_eq!(x, "app-my-app");
        let y = a.derive("app", "my-app", 63);
        assert!(y.starts_with("app-my-app-"), "{y}");
        assert!(a.derive("app", "My_App", 63).starts_with("app-my-app-"));
        let z = a.derive("app", "x\"; DROP TABLE t; --", 63);
        assert!(z.len() <= 63 && z.starts_with("app-x-drop-table-t-"), "{z}");
    }

    #[test]
    fn fit_keeps_valid_names_and_shortens_the_rest() {
        assert_eq!(
            fit(Kind::CronJob.rule(), "orders", "-export"),
            "orders-export"
        );
        let long = "a".repeat(50);
        let n = fit(Kind::CronJob.rule(), &long, "-export");
        assert!(n.len() <= 52 && n.ends_with("-export"), "{n}");
        assert!(Kind::CronJob.rule().check(&n).is_ok());
        assert_eq!(n, fit(Kind::CronJob.rule(), &long, "-export"), "stable");
        assert_ne!(n, fit(Kind::CronJob.rule(), &"a".repeat(49), "-export"));
        let odd = fit(Kind::Service.rule(), "9_Lives!", "");
        assert!(Kind::Service.rule().check(&odd).is_ok(), "{odd}");
        assert!(odd.starts_with("x9-lives-"), "{odd}");
        let empty = fit(Kind::Secret.rule(), "ü", "");
        assert!(Kind::Secret.rule().check(&empty).is_ok(), "{empty}");
    }

    #[test]
    fn prefixes_leave_room_for_the_random_part() {
        assert_eq!(
            fit_prefix(Kind::Job, "orders", "-export-"),
            "orders-export-"
        );
        let p = fit_prefix(Kind::Job, &"b".repeat(60), "-export-");
        assert!(
            p.len() + GENERATE_SUFFIX <= 63 && p.ends_with("-export-"),
            "{p}"
        );
        assert!(Kind::Job.rule().check(&format!("{p}abcde")).is_ok());
    }
}
