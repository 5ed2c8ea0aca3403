//! The language's schema: takes nothing, gives, for every block kind, the
//! statements it allows, their positional arguments, options, value types,
//! defaults and documentation. The binder (check::bind) applies it to the
//! syntax tree; hover, completion and the generated language reference read it.

pub mod reference;
mod spec;
mod tables;
pub mod types;

pub use spec::*;
pub use tables::*;
pub use types::Ty;
