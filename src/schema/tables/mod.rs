//! The statement tables of every block kind: the language's vocabulary. The
//! binder, hover, completion and docs/reference.md all read them.

mod cluster;
mod gitops;
mod links;
mod recovery;
mod running;
mod stores;
mod users;

pub use cluster::*;
pub use gitops::*;
pub use recovery::*;
pub use running::*;
pub use stores::*;
pub use users::*;

use crate::schema::spec::BlockSpec;

/// PostgreSQL major versions CNPG 1.30 runs.
pub const PG_MAJORS: std::ops::RangeInclusive<u32> = 13..=18;

/// The postgres version used when a cluster does not say (pinned; changes only
/// in a major cnpgc release, since a new image restarts every instance).
pub const DEFAULT_POSTGRES: &str = "18.3";

/// The nine permission flags of seed 000 and `own` (see docs/grants.md).
pub const GRANT_FLAGS: &[&str] = &[
    "connect",
    "read",
    "write",
    "manage_roles",
    "create_schema",
    "create_tables",
    "execute_functions",
    "default_privileges",
    "metadata_access",
    "own",
];

pub const ROTATION_WORDS: &[&str] = &["weekly", "monthly", "quarterly", "yearly", "never"];

/// Every block spec, for hover, completion and the reference.
pub fn all_blocks() -> Vec<&'static BlockSpec> {
    let mut v: Vec<&'static BlockSpec> = vec![&TOP, &CLUSTER, &DB];
    v.extend(STORE_BLOCKS.iter().copied());
    v.extend([&FLUX, &OPERATOR, &NETWORK, &ISTIO, &MIGRATION]);
    v.extend([
        &PITR,
        &RECOVERY,
        &REPLICA,
        &SNAPSHOTS,
        &SYNCHRONOUS,
        &POOLER,
        &PROMETHEUS,
    ]);
    v
}

/// The blocks (other than `within`) that allow a statement `key`, for "this
/// belongs inside a …" help.
pub fn blocks_allowing(key: &str) -> Vec<&'static str> {
    all_blocks()
        .into_iter()
        .filter(|b| b.stmt(key).is_some())
        .map(|b| b.kind)
        .collect()
}
