//! `cnpgc fmt`: takes .cnpg files (or directories, or `-` for standard input),
//! rewrites each in the canonical layout (src/fmt), or with `--check` writes
//! nothing and lists the files that would change. A file with a syntax error
//! is left alone and its diagnostic printed; so is a file whose formatted text
//! would not parse back to the same program (src/fmt/verify.rs).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use cnpgc::diag::render::{Format, render};
use cnpgc::fmt::FmtError;
use cnpgc::source::SourceMap;

#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 every file formatted (or, with --check, already formatted); \
                        1 a file has a syntax error, or with --check a file would change; \
                        2 usage or IO error.\n\
                        The layout is described in docs/editor.md."
)]
pub struct Args {
    /// .cnpg files, directories to search for them, or `-` to format standard input to standard output.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write nothing: list the files that are not formatted (and show the difference), exit 1 if any.
    #[arg(long)]
    check: bool,
}

pub fn run(a: Args, color: bool) -> u8 {
    if a.files.len() == 1 && a.files[0] == Path::new("-") {
        return stdin(a.check, color);
    }
    let inputs = match super::inputs::read(&a.files) {
        Ok(i) => i,
        Err(e) => return super::fail(e),
    };
    let mut status = 0;
    for (name, text) in inputs {
        let formatted = match format(&name, &text, color) {
            Some(f) => f,
            None => {
                status = 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if a.check {
            println!("{name}");
            eprint!("{}", diff(&name, &text, &formatted));
            status = 1;
        } else if let Err(e) = write(Path::new(&name), &formatted) {
            return super::fail(format!("{name}: {e}"));
        }
    }
    status
}

/// `cnpgc fmt -`: standard input to standard output.
fn stdin(check: bool, color: bool) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        return super::fail(format!("standard input: {e}"));
    }
    let Some(formatted) = format("<stdin>", &text, color) else {
        return 1;
    };
    if check {
        if formatted == text {
            return 0;
        }
        println!("<stdin>");
        eprint!("{}", diff("<stdin>", &text, &formatted));
        return 1;
    }
    print!("{formatted}");
    0
}

/// The formatted text, or `None` after printing the syntax diagnostic.
fn format(name: &str, text: &str, color: bool) -> Option<String> {
    match cnpgc::fmt::format_source(text) {
        Ok(f) => Some(f),
        Err(FmtError::Syntax(d)) => {
            let mut sources = SourceMap::new();
            sources.add(name, text);
            eprint!("{}", render(&[*d], &sources, Format::Human, color));
            eprintln!("cnpgc: {name} not formatted: it does not parse");
            None
        }
        Err(e) => {
            eprintln!("cnpgc: {name} not formatted: {}", e.message());
            None
        }
    }
}

/// Replaces a file: a temporary file beside it, then a rename.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let (tmp, mut file) = temp_file_in(dir, path)?;
    let result = (|| {
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn temp_file_in(dir: &Path, path: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 0..100 {
        let p = dir.join(format!(".{base}.cnpgc-fmt-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no temporary file name left"))
}

/// A unified diff of the change (for `--check`).
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}
