//! Tree layout: takes a cluster and whether the program targets Flux, gives
//! where its tree goes under the output directory and where the base and
//! day-2 directories sit inside it.
//!
//! - default: `<cluster>/k8s/deploy/base/…` and `<cluster>/day2/backup/…`
//!   (seed 000); with environments, one such tree per environment under
//!   `<cluster>/<env>/`;
//! - Flux (seed 001): `fluxcd/databases/<env>/<cluster>/` holding the base
//!   flat (the Flux Kustomization's `path`) and `day2/backup/` below it.

use crate::ir::{Cluster, Program, Tier};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The tree's directory under the output directory.
    pub root: String,
    /// The base directory inside the tree (`""`: the tree's root).
    pub base: &'static str,
    /// The day-2 directory inside the tree.
    pub day2: &'static str,
    /// The day-2 directory as the base's kustomization names it.
    pub day2_from_base: &'static str,
}

impl Layout {
    /// A path inside the base directory, relative to the tree root.
    pub fn in_base(&self, file: &str) -> String {
        if self.base.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.base)
        }
    }

    pub fn in_day2(&self, file: &str) -> String {
        format!("{}/{file}", self.day2)
    }
}

/// The environment directory of a cluster in the Flux layout: its `env`,
/// else its tier, else `default`.
pub fn env_dir(c: &Cluster) -> String {
    match (&c.env, c.tier) {
        (Some(e), _) => e.clone(),
        (None, Some(Tier::Prod)) => "prod".into(),
        (None, Some(Tier::Dev)) => "dev".into(),
        (None, None) => "default".into(),
    }
}

pub fn layout(p: &Program, c: &Cluster) -> Layout {
    if p.flux.is_some() {
        return Layout {
            root: format!("fluxcd/databases/{}/{}", env_dir(c), c.name),
            base: "",
            day2: "day2/backup",
            day2_from_base: "day2/backup",
        };
    }
    Layout {
        root: match &c.env {
            Some(e) => format!("{}/{e}", c.name),
            None => c.name.clone(),
        },
        base: "k8s/deploy/base",
        day2: "day2/backup",
        day2_from_base: "../../../day2/backup",
    }
}
