//! `cnpgc build`: takes files, checks them, and (only when they are clean)
//! writes every cluster's tree under the output directory, prints one YAML
//! stream (`-o -`), or compares with the directory (`--check`).

use std::path::PathBuf;

use cnpgc::diag::render::Format;

use super::tree::{self, Finding, Planned};

#[derive(clap::Args)]
pub struct Args {
    /// .cnpg files, or directories to search for them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output directory (one subdirectory per cluster); `-` prints one YAML stream instead.
    #[arg(short = 'o', long = "out", default_value = "out")]
    out: String,
    /// Print one YAML stream to stdout (same as `-o -`), for `| kubectl apply -f -`.
    #[arg(long)]
    stdout: bool,
    /// Write nothing: compare what would be written with the output directory and exit 1 when stale.
    #[arg(long)]
    check: bool,
    /// Replace the output directory even when it was not written by cnpgc.
    #[arg(long)]
    force: bool,
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
    let Some(program) = checked.program.as_ref() else {
        eprintln!("cnpgc: nothing written");
        return 1;
    };
    if a.stdout || a.out == "-" {
        print!("{}", cnpgc::emit::emit_stream(program));
        return 0;
    }
    let mut planned = Planned::new();
    for t in cnpgc::emit::emit_program(program) {
        for f in t.files {
            planned.insert(format!("{}/{}", t.cluster, f.path), f.content.into_bytes());
        }
    }
    let dir = PathBuf::from(&a.out);
    if a.check {
        return match tree::compare(&dir, &planned) {
            Ok(findings) if findings.is_empty() => {
                eprintln!(
                    "cnpgc: {} is up to date ({} files)",
                    dir.display(),
                    planned.len()
                );
                0
            }
            Ok(findings) => {
                for f in &findings {
                    match f {
                        Finding::Missing(p) => println!("missing  {p}"),
                        Finding::Stale(p, s) => println!("stale    {p}  ({s})"),
                        Finding::Extra(p) => println!("extra    {p}"),
                    }
                }
                eprintln!(
                    "cnpgc: {} is stale: {} file(s) differ; run `cnpgc build` and commit the result",
                    dir.display(),
                    findings.len()
                );
                1
            }
            Err(e) => super::fail(format!("{}: {e}", dir.display())),
        };
    }
    match tree::write_atomic(&dir, &planned, a.force) {
        Ok(()) => {
            eprintln!(
                "cnpgc: wrote {} files for {} cluster(s) to {}",
                planned.len(),
                program.clusters.len(),
                dir.display()
            );
            0
        }
        Err(e) => super::fail(e),
    }
}
