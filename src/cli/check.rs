//! `cnpgc check`: takes files, prints their diagnostics, writes nothing.

use std::path::PathBuf;

use cnpgc::diag::render::Format;

#[derive(clap::Args)]
pub struct Args {
    /// .cnpg files, or directories to search for them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(a: Args, color: bool) -> u8 {
    let inputs = match super::inputs::read(&a.files) {
        Ok(i) => i,
        Err(e) => return super::fail(e),
    };
    let checked = cnpgc::check_sources(&inputs);
    super::report(&checked, a.format, color);
    if checked.has_errors() { 1 } else { 0 }
}
