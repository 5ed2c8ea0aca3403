//! `cnpgc build`: takes files, checks them, and (only when they are clean)
//! writes every cluster's tree under the output directory, prints one YAML
//! stream (`-o -`), or compares with the directory (`--check`).

use std::path::PathBuf;

use cnpgc::diag::render::Format;

use cnpgc::secrets::{Mode, State};

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
    /// An age recipient to encrypt secrets for (repeatable); without it, `.sops.yaml` creation rules
    /// or SOPS_AGE_RECIPIENTS decide.
    #[arg(long = "age", value_name = "RECIPIENT")]
    age: Vec<String>,
    /// Write generated and env/file secrets unencrypted (throwaway setups only; warns).
    #[arg(long)]
    allow_plaintext_secrets: bool,
    /// Make a generated secret anew (by Secret name; repeatable).
    #[arg(long, value_name = "SECRET")]
    rotate: Vec<String>,
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
    let secret_plan = cnpgc::secrets::plan(program);
    if a.stdout || a.out == "-" {
        print!("{}", cnpgc::emit::emit_stream(program));
        if !secret_plan.is_empty() {
            let names: Vec<&str> = secret_plan.iter().map(|s| s.name.as_str()).collect();
            eprintln!(
                "cnpgc: warning: the stream leaves out the Secrets cnpgc writes encrypted ({}); build a tree to get them",
                names.join(", ")
            );
        }
        return 0;
    }
    let dir = PathBuf::from(&a.out);
    // Fields the cluster never changes, against the previous tree (E0811).
    let frozen = cnpgc::check::immutable::compare(program, &super::previous::read(&dir));
    if !frozen.is_empty() {
        let text = cnpgc::diag::render::render(&frozen, &checked.sources, a.format, color);
        match a.format {
            Format::Json => print!("{text}"),
            _ => eprint!("{text}"),
        }
        eprintln!("cnpgc: nothing written");
        return 1;
    }
    let mut planned = Planned::new();
    for t in cnpgc::emit::emit_program(program) {
        for f in t.files {
            planned.insert(format!("{}/{}", t.root, f.path), f.content.into_bytes());
        }
    }
    // Secrets: resolved (values read, kept or encrypted) before anything is written.
    let io = super::sops::RealIo {
        out: dir.clone(),
        age: a.age.clone(),
    };
    let mode = if a.allow_plaintext_secrets {
        Mode::Plaintext
    } else {
        Mode::Encrypt { dry_run: a.check }
    };
    let mut sdiags = cnpgc::diag::Diagnostics::default();
    let outcomes = cnpgc::secrets::resolve(&secret_plan, &io, mode, &a.rotate, &mut sdiags);
    let secret_errors = sdiags.has_errors();
    let sdiags = sdiags.into_sorted();
    if !sdiags.is_empty() {
        let text = cnpgc::diag::render::render(&sdiags, &checked.sources, a.format, color);
        match a.format {
            Format::Json => print!("{text}"),
            _ => eprint!("{text}"),
        }
    }
    if secret_errors {
        eprintln!("cnpgc: nothing written");
        return 1;
    }
    // Secrets a dry run cannot produce: reported by name, not by bytes.
    let mut unverifiable = Vec::new();
    let mut changed_secrets = Vec::new();
    for o in &outcomes {
        let key = format!("{}/{}", o.root, o.path);
        match (&o.bytes, o.state) {
            (Some(b), _) => {
                planned.insert(key, b.clone());
            }
            (None, State::Unverifiable) => unverifiable.push(key),
            (None, _) => changed_secrets.push(key),
        }
    }
    if a.check {
        for u in &unverifiable {
            eprintln!(
                "cnpgc: warning: {u}: cannot tell whether it is current (the previous file cannot be decrypted; set SOPS_AGE_KEY_FILE)"
            );
        }
        let findings = tree::compare(&dir, &planned).map(|f| {
            let mut f: Vec<Finding> = f
                .into_iter()
                .filter(|x| !matches!(x, Finding::Extra(p) if unverifiable.contains(p) || changed_secrets.contains(p)))
                .collect();
            for key in &changed_secrets {
                if dir.join(key).exists() {
                    f.push(Finding::Stale(key.clone(), "secret values or metadata changed".into()));
                } else {
                    f.push(Finding::Missing(key.clone()));
                }
            }
            f
        });
        return match findings {
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
