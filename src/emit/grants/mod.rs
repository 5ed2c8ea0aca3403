//! Grants: takes a cluster, gives its grant SQL (one script, a transaction
//! per database) and the Job that runs it. Semantics: docs/grants.md.

pub mod job;
pub mod quote;
pub mod sql;
