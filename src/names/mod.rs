//! Kubernetes names: takes source names and the kind of object they name,
//! gives names every kind accepts. `rules` holds the syntax the API server,
//! CloudNativePG and Flux check (DNS labels and subdomains, label keys and
//! values, tolerations); `derive` the per-kind limits and the stable
//! shortening; `objects` the name of every object cnpgc writes for a
//! cluster and of every object the operator derives from it.

pub mod derive;
pub mod objects;
pub mod rules;

pub use derive::{Kind, NameAlloc, Rule, Syntax, fit, sanitize, short_hash};
