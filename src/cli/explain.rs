//! `cnpgc explain CODE`: takes a diagnostic code, prints its page.

use cnpgc::diag::codes;

#[derive(clap::Args)]
pub struct Args {
    /// A code such as E0201; omit it (or use --list) to list every code.
    code: Option<String>,
    /// List every code with its title.
    #[arg(long)]
    list: bool,
}

pub fn run(a: Args) -> u8 {
    match (a.code, a.list) {
        (Some(code), false) => match codes::lookup(&code) {
            Some(info) => {
                print!("{}", info.page);
                if !info.page.ends_with('\n') {
                    println!();
                }
                0
            }
            None => super::fail(format!(
                "unknown code `{code}`; `cnpgc explain --list` lists them"
            )),
        },
        _ => {
            for c in codes::REGISTRY {
                let retired = if c.retired { " (retired)" } else { "" };
                println!(
                    "{}  {:<8} {}{}",
                    c.code,
                    c.severity.as_str(),
                    c.title,
                    retired
                );
            }
            0
        }
    }
}
