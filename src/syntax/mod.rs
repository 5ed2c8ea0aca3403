//! Syntax: takes one source text, gives its [`ast::File`] or one syntax
//! diagnostic. This is the only module that sees pest's types.

pub mod ast;
mod build;

pub use build::parse;
