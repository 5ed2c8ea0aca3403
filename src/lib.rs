//! cnpgc: a compiler from `.cnpg` files to CloudNativePG manifest trees and
//! grant SQL. Takes source texts, gives diagnostics and generated files; does
//! no filesystem IO (the CLI in `cli` reads and writes).

// pest without its `std` feature (no per-rule stack probing, see syntax::build)
// generates code that names `alloc`.
extern crate alloc;

pub mod check;
pub mod diag;
pub mod emit;
pub mod fmt;
pub mod ir;
pub mod lsp;
pub mod names;
pub mod par;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod syntax;

pub use check::{Checked, check_sources};
