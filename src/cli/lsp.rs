//! `cnpgc lsp`: runs the language server (src/lsp) over standard input and
//! output until the client says `exit`.

#[derive(clap::Args)]
#[command(
    after_help = "Speaks the Language Server Protocol over stdin/stdout (JSON-RPC with \
                        Content-Length headers); start it from an editor, not by hand. \
                        Exit codes: 0 after a `shutdown` request and an `exit` notification; \
                        1 on `exit` without `shutdown` or a protocol error. \
                        Editor set-up: docs/editor.md."
)]
pub struct Args {
    /// Accepted for clients that pass it (VS Code's language client does); stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(a: Args) -> u8 {
    let _ = a.stdio;
    match cnpgc::lsp::run_stdio() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cnpgc lsp: {e}");
            1
        }
    }
}
