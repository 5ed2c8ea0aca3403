//! The command line: takes arguments, reads and writes files, gives an exit
//! code (0 success, 1 errors found or tree stale, 2 usage or IO error). One
//! file per subcommand; the library below does no IO.

mod build;
mod check;
mod explain;
mod fmt;
mod inputs;
mod lsp;
mod previous;
mod secrets;
mod sops;
mod tree;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cnpgc::diag::render::Format;

const EXIT_CODES: &str = "Exit codes: 0 success (warnings allowed), 1 errors found or output stale, 2 usage or IO error.";

#[derive(Parser)]
#[command(
    name = "cnpgc",
    version,
    about = "Compile .cnpg files into CloudNativePG manifests and grant SQL",
    long_about = "cnpgc compiles .cnpg files (clusters, databases, users and their grants, backups, links) \
                  into a complete CloudNativePG manifest tree and grant SQL, and reports every mistake \
                  with a code, the exact place and the fix.\n\n\
                  Exit codes: 0 success (warnings allowed), 1 errors found or output stale, 2 usage or IO error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour in diagnostics: auto (when stderr is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and write the manifest tree of every cluster (nothing is written unless all checks pass).
    #[command(after_help = EXIT_CODES)]
    Build(build::Args),
    /// Check files and report diagnostics; writes nothing.
    #[command(after_help = EXIT_CODES)]
    Check(check::Args),
    /// Explain a diagnostic code: what it means, a failing example, the fix.
    Explain(explain::Args),
    /// Rewrite files in the canonical layout (comments kept); --check lists the files that would change.
    Fmt(fmt::Args),
    /// Run the language server over stdin/stdout (diagnostics, hover, completion, definition, formatting).
    Lsp(lsp::Args),
    /// List the secrets of the clusters: source, rotation policy, last rotation, whether due.
    Secrets(secrets::Args),
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let color = match cli.color.as_str() {
        "always" => true,
        "never" => false,
        _ => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = match cli.command {
        Command::Build(a) => build::run(a, color),
        Command::Check(a) => check::run(a, color),
        Command::Explain(a) => explain::run(a),
        Command::Fmt(a) => fmt::run(a, color),
        Command::Lsp(a) => lsp::run(a),
        Command::Secrets(a) => secrets::run(a, color),
    };
    ExitCode::from(code)
}

/// Prints diagnostics: machine formats to stdout, human ones to stderr.
pub(crate) fn report(checked: &cnpgc::Checked, format: Format, color: bool) {
    let text = cnpgc::diag::render::render(&checked.diagnostics, &checked.sources, format, color);
    match format {
        Format::Json | Format::Github | Format::Sarif => print!("{text}"),
        _ => {
            eprint!("{text}");
            let count = |s: cnpgc::diag::Severity| {
                checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == s)
                    .count()
            };
            let errors = count(cnpgc::diag::Severity::Error);
            let warnings = count(cnpgc::diag::Severity::Warning);
            if errors + warnings > 0 {
                eprintln!(
                    "cnpgc: {} error{}, {} warning{}",
                    errors,
                    plural(errors),
                    warnings,
                    plural(warnings)
                );
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// An IO or usage problem: printed, exit code 2.
pub(crate) fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("cnpgc: error: {msg}");
    2
}
