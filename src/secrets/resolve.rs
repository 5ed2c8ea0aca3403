//! Resolution: takes secret plans and an IO interface (environment, files,
//! the previous tree, sops, randomness), gives the bytes of every secret file
//! or diagnostics. Rules:
//! - a generated value is made once and kept: an unchanged generated secret
//!   keeps its encrypted file byte for byte (no key needed to know that);
//! - an env/file secret keeps its file when decrypting it shows the same
//!   values; when the previous file cannot be decrypted, it is re-encrypted
//!   with a warning;
//! - nothing is encrypted unless recipients exist; plaintext only when asked.

use super::plan::{EntryValue, Format, SecretFile};
use super::render::{fingerprint_of, parse_plain, render_plain};
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::ir::SecretSource;
use crate::source::Span;

/// What resolution may ask of the outside world.
pub trait SecretIo {
    /// An environment variable.
    fn env(&self, var: &str) -> Option<String>;
    /// A file named in `file("…")`, relative to the `.cnpg` file `origin`.
    fn read_file(&self, path: &str, origin: &str) -> Result<String, String>;
    /// The previous tree's file at `root/path`, if any.
    fn previous(&self, root: &str, path: &str) -> Option<Vec<u8>>;
    /// Decrypts a previous file.
    fn decrypt(&self, bytes: &[u8], format: Format) -> Result<String, String>;
    /// Encrypts a plaintext for the file that will live at `cluster/path`.
    fn encrypt(
        &self,
        plaintext: &str,
        format: Format,
        cluster: &str,
        path: &str,
    ) -> Result<Vec<u8>, String>;
    /// Checks an encrypted file against its plaintext (a decryption round
    /// trip where the implementation can); the library has already checked
    /// that every value is ciphertext.
    fn verify(
        &self,
        _bytes: &[u8],
        _plaintext: &str,
        _format: Format,
        _cluster: &str,
        _path: &str,
    ) -> Result<(), String> {
        Ok(())
    }
    /// Whether encryption has recipients (`--age`, `.sops.yaml`, `SOPS_AGE_RECIPIENTS`).
    fn has_recipients(&self) -> bool;
    /// A new strong random password.
    fn generate(&self) -> String;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SOPS-encrypt; with `dry_run`, encrypt nothing and only report.
    Encrypt { dry_run: bool },
    /// Write plaintext Secrets (`--allow-plaintext-secrets`).
    Plaintext,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The previous file is kept byte for byte.
    Kept,
    /// A new file (new secret, or changed values).
    Written,
    /// Dry run: the file would change (or does not exist yet).
    WouldChange,
    /// Dry run: cannot tell (previous file not decryptable).
    Unverifiable,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    /// The cluster's tree directory.
    pub root: String,
    pub path: String,
    pub name: String,
    /// The file's bytes (`None` in a dry run when it would change).
    pub bytes: Option<Vec<u8>>,
    pub state: State,
}

/// Resolves every secret. `rotate` names secrets (by Secret name) whose
/// generated values must be made anew.
pub fn resolve(
    files: &[SecretFile],
    io: &dyn SecretIo,
    mode: Mode,
    rotate: &[String],
    diags: &mut Diagnostics,
) -> Vec<Outcome> {
    if files.is_empty() {
        return Vec::new();
    }
    if mode == (Mode::Encrypt { dry_run: false }) && !io.has_recipients() {
        let first = files.iter().find_map(|f| f.span()).unwrap_or_default();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        diags.push(
            Diagnostic::new(
                codes::E0404,
                first,
                format!("{} secret(s) must be encrypted, but no SOPS recipients are configured", files.len()),
            )
            .with_label("this secret, and the others, need recipients")
            .with_help(format!(
                "add a .sops.yaml with creation_rules (age recipients) where you run cnpgc, pass --age <recipient>, \
                 or set SOPS_AGE_RECIPIENTS; --allow-plaintext-secrets writes them unencrypted (throwaway setups only). \
                 Secrets: {}",
                names.join(", ")
            )),
        );
        return Vec::new();
    }
    if mode == Mode::Plaintext {
        diags.push(
            Diagnostic::new(
                codes::W0403,
                files.iter().find_map(|f| f.span()).unwrap_or_default(),
                format!(
                    "{} secret(s) written in plaintext (--allow-plaintext-secrets)",
                    files.len()
                ),
            )
            .with_label("this secret, and the others, are not encrypted")
            .with_help(
                "never commit such a tree; configure SOPS recipients (.sops.yaml or --age) instead",
            ),
        );
    }
    let mut out = Vec::new();
    let mut done = Resolved::default();
    for f in files {
        let rotated = rotate.contains(&f.name);
        if let Some((o, values)) = resolve_one(f, files, &mut done, io, mode, rotated, diags) {
            done.0.push(Done {
                root: f.root.clone(),
                name: f.name.clone(),
                kept: o.state == State::Kept,
                values,
            });
            out.push(o);
        }
    }
    out
}

/// What resolution learned about the secrets resolved so far.
struct Done {
    root: String,
    name: String,
    kept: bool,
    /// `None`: kept without decrypting.
    values: Option<Vec<(String, String)>>,
}

#[derive(Default)]
struct Resolved(Vec<Done>);

impl Resolved {
    fn get(&self, root: &str, name: &str) -> Option<&Done> {
        self.0.iter().find(|d| d.root == root && d.name == name)
    }

    /// The values of an earlier secret of the tree: known, or read back
    /// from its (kept) file.
    fn values_of(
        &mut self,
        files: &[SecretFile],
        root: &str,
        name: &str,
        io: &dyn SecretIo,
    ) -> Result<Vec<(String, String)>, String> {
        let Some(i) = self.0.iter().position(|d| d.root == root && d.name == name) else {
            return Err(format!("Secret {name} was not resolved"));
        };
        if let Some(v) = &self.0[i].values {
            return Ok(v.clone());
        }
        let f = files
            .iter()
            .find(|f| f.root == root && f.name == name)
            .ok_or_else(|| format!("no Secret {name}"))?;
        let bytes = io
            .previous(root, &f.path)
            .ok_or_else(|| format!("{} is missing", f.path))?;
        let text = io.decrypt(&bytes, f.format)?;
        let v = parse_plain(&text, f.format).ok_or_else(|| format!("{} cannot be read", f.path))?;
        self.0[i].values = Some(v.clone());
        Ok(v)
    }
}

/// Values known now: env, file and insecure sources. Generated ones are
/// `None` here.
fn known_values(
    f: &SecretFile,
    files: &[SecretFile],
    done: &mut Resolved,
    io: &dyn SecretIo,
    diags: &mut Diagnostics,
) -> Option<Vec<(String, Option<String>)>> {
    let mut ok = true;
    let mut vals = Vec::new();
    for e in &f.entries {
        let v = match &e.value {
            EntryValue::Plain(v) => Some(v.clone()),
            EntryValue::Copy {
                secret,
                key,
                span,
                url,
            } => match done.values_of(files, &f.root, secret, io) {
                Ok(values) => match values.iter().find(|(k, _)| k == key) {
                    Some((_, v)) => Some(match url {
                        Some((pre, post)) => format!("{pre}{}{post}", super::render::percent(v)),
                        None => v.clone(),
                    }),
                    None => {
                        ok = false;
                        None
                    }
                },
                Err(err) => {
                    diags.push(
                        Diagnostic::new(
                            codes::E0406,
                            *span,
                            format!("Secret {} copies {secret}'s {key}, which cannot be read back", f.name),
                        )
                        .with_label("the app's copy")
                        .with_help(format!(
                            "{err}; set SOPS_AGE_KEY_FILE to the age key so the copy can be made (nothing was written)"
                        )),
                    );
                    ok = false;
                    None
                }
            },
            EntryValue::Secret { source, span } => {
                match source {
                    SecretSource::Generated => None,
                    SecretSource::Existing { .. } => None,
                    SecretSource::Insecure(v) => match usable(v, "insecure(…)", *span, diags) {
                        true => Some(v.clone()),
                        false => {
                            ok = false;
                            None
                        }
                    },
                    SecretSource::Env(var) => match io.env(var) {
                        Some(v) => {
                            match usable(&v, &format!("environment variable {var}"), *span, diags) {
                                true => Some(v),
                                false => {
                                    ok = false;
                                    None
                                }
                            }
                        }
                        None => {
                            diags.push(
                            Diagnostic::new(codes::E0403, *span, format!("environment variable {var} is not set"))
                                .with_label(format!("{} of Secret {} reads it", e.key, f.name))
                                .with_help(format!(
                                    "set {var} when running cnpgc build (nothing was written), or choose another source"
                                )),
                        );
                            ok = false;
                            None
                        }
                    },
                    SecretSource::File(path) => match io.read_file(path, &f.origin) {
                        Ok(text) => {
                            let v = text.strip_suffix('\n').unwrap_or(&text);
                            let v = v.strip_suffix('\r').unwrap_or(v).to_string();
                            match usable(&v, &format!("file {path}"), *span, diags) {
                                true => Some(v),
                                false => {
                                    ok = false;
                                    None
                                }
                            }
                        }
                        Err(err) => {
                            diags.push(
                            Diagnostic::new(codes::E0405, *span, format!("cannot read {path}: {err}"))
                                .with_label(format!("{} of Secret {} reads it", e.key, f.name))
                                .with_help("file paths are relative to the .cnpg file; nothing was written"),
                        );
                            ok = false;
                            None
                        }
                    },
                }
            }
        };
        vals.push((e.key.clone(), v));
    }
    ok.then_some(vals)
}

fn outcome_of(f: &SecretFile, bytes: Option<Vec<u8>>, state: State) -> Outcome {
    Outcome {
        root: f.root.clone(),
        path: f.path.clone(),
        name: f.name.clone(),
        bytes,
        state,
    }
}

/// A key kustomize's secretGenerator reads from a dotenv line (a Secret
/// key: letters, digits, `_`, `-`, `.`), never a SOPS metadata key.
fn dotenv_key(k: &str) -> bool {
    !k.is_empty()
        && !k.starts_with("sops_")
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The one rule for every secret value (env, file, insecure): one non-empty
/// line without control characters, so that no value can add a line to a
/// dotenv file or a header to a manifest.
fn usable(v: &str, what: &str, span: Span, diags: &mut Diagnostics) -> bool {
    let why = if v.is_empty() {
        Some("is empty")
    } else if v
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        Some("holds a line break or another control character")
    } else {
        None
    };
    match why {
        None => true,
        Some(why) => {
            diags.push(
                Diagnostic::new(codes::E0405, span, format!("the value of {what} {why}"))
                    .with_label("unusable secret value")
                    .with_help("a password or key is one non-empty line; nothing was written"),
            );
            false
        }
    }
}

type Resolution = (Outcome, Option<Vec<(String, String)>>);

fn resolve_one(
    f: &SecretFile,
    files: &[SecretFile],
    done: &mut Resolved,
    io: &dyn SecretIo,
    mode: Mode,
    rotate: bool,
    diags: &mut Diagnostics,
) -> Option<Resolution> {
    let previous = if rotate {
        None
    } else {
        io.previous(&f.root, &f.path)
    };
    // A copy of secrets that were all kept is kept too (no key needed).
    let copies: Vec<&str> = f
        .entries
        .iter()
        .filter_map(|e| match &e.value {
            EntryValue::Copy { secret, .. } => Some(secret.as_str()),
            _ => None,
        })
        .collect();
    let sources_kept = copies
        .iter()
        .all(|s| done.get(&f.root, s).is_some_and(|d| d.kept));
    if let (Some(bytes), Mode::Encrypt { .. }) = (&previous, mode)
        && f.is_generated_only()
        && sources_kept
        && f.format == Format::Yaml
        && fingerprint_of(&String::from_utf8_lossy(bytes)).as_deref()
            == Some(f.fingerprint().as_str())
    {
        return Some((outcome_of(f, Some(bytes.clone()), State::Kept), None));
    }
    let known = known_values(f, files, done, io, diags)?;
    let outcome = |bytes: Option<Vec<u8>>, state: State| outcome_of(f, bytes, state);
    let needs_generated = known.iter().any(|(_, v)| v.is_none());
    // Previous values, when they can be read.
    let prev_text: Option<Result<String, String>> = previous.as_ref().map(|bytes| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        if mode == Mode::Plaintext && !text.contains("ENC[AES256_GCM") {
            Ok(text)
        } else {
            io.decrypt(bytes, f.format)
        }
    });
    let prev_values: Option<Vec<(String, String)>> = match &prev_text {
        Some(Ok(t)) => parse_plain(t, f.format),
        _ => None,
    };

    // Fill generated values: from the previous file, or anew.
    let mut values = Vec::new();
    for (k, v) in &known {
        let v = match v {
            Some(v) => v.clone(),
            None => match prev_values
                .as_ref()
                .and_then(|p| p.iter().find(|(pk, _)| pk == k))
            {
                Some((_, pv)) => pv.clone(),
                None => {
                    if previous.is_some()
                        && needs_generated
                        && !matches!(mode, Mode::Encrypt { dry_run: true })
                    {
                        // A generated value exists in the previous file but cannot be read.
                        let err = match &prev_text {
                            Some(Err(e)) => e.clone(),
                            _ => "it holds no such key".into(),
                        };
                        diags.push(
                            Diagnostic::new(
                                codes::E0406,
                                f.span().unwrap_or_default(),
                                format!("Secret {} changed, but its generated password cannot be read back", f.name),
                            )
                            .with_label("generated here")
                            .with_help(format!(
                                "the previous file must be decrypted to keep the password ({err}); set SOPS_AGE_KEY_FILE \
                                 to the age key, or rotate it on purpose with --rotate {}",
                                f.name
                            )),
                        );
                        return None;
                    }
                    io.generate()
                }
            },
        };
        values.push((k.clone(), v));
    }

    let unchanged = prev_values.as_ref().is_some_and(|p| {
        let mut a = p.clone();
        let mut b = values.clone();
        a.sort();
        b.sort();
        a == b
    }) && match (&prev_text, f.format) {
        (Some(Ok(t)), Format::Yaml) => {
            fingerprint_of(t).as_deref() == Some(f.fingerprint().as_str())
        }
        (Some(Ok(_)), Format::Dotenv | Format::DockerConfig) => true,
        _ => false,
    };
    if unchanged {
        return Some((outcome(previous, State::Kept), Some(values)));
    }
    if f.format == Format::Dotenv
        && let Some((k, _)) = values.iter().find(|(k, _)| !dotenv_key(k))
    {
        diags.push(
            Diagnostic::new(
                codes::E0405,
                f.span().unwrap_or_default(),
                format!("`{k}` cannot be a key of the dotenv file of Secret {}", f.name),
            )
            .with_label("unusable secret key")
            .with_help("keys of a dotenv Secret hold letters, digits, `_`, `-` and `.`; nothing was written"),
        );
        return None;
    }
    let plain = render_plain(f, &values);
    match mode {
        Mode::Plaintext => Some((
            outcome(Some(plain.into_bytes()), State::Written),
            Some(values),
        )),
        Mode::Encrypt { dry_run: true } => {
            let state = match (&previous, &prev_text) {
                (Some(_), Some(Err(_))) => State::Unverifiable,
                _ => State::WouldChange,
            };
            Some((outcome(None, state), Some(values)))
        }
        Mode::Encrypt { dry_run: false } => {
            if let (Some(_), Some(Err(err))) = (&previous, &prev_text) {
                diags.push(
                    Diagnostic::new(
                        codes::W0402,
                        f.span().unwrap_or_default(),
                        format!("Secret {} was re-encrypted: the previous file could not be decrypted to compare", f.name),
                    )
                    .with_label("value read here")
                    .with_help(format!(
                        "{err}. Set SOPS_AGE_KEY_FILE to the age key so unchanged secrets keep their files (no churn)"
                    )),
                );
            }
            match io.encrypt(&plain, f.format, &f.root, &f.path) {
                Ok(bytes) => match super::sops::check::check_encrypted(&bytes, &plain, f.format)
                    .and_then(|()| io.verify(&bytes, &plain, f.format, &f.root, &f.path))
                {
                    Ok(()) => Some((outcome(Some(bytes), State::Written), Some(values))),
                    Err(err) => {
                        diags.push(
                            Diagnostic::new(
                                codes::E0408,
                                f.span().unwrap_or_default(),
                                format!("the encrypted file for Secret {} failed verification: {err}", f.name),
                            )
                            .with_label("this secret")
                            .with_help(
                                "every value must come back as SOPS ciphertext; check the sops binary (SOPS) and the \
                                 .sops.yaml rule for this path; nothing was written",
                            ),
                        );
                        None
                    }
                },
                Err(err) => {
                    diags.push(
                        Diagnostic::new(
                            codes::E0407,
                            f.span().unwrap_or_default(),
                            format!("sops could not encrypt Secret {}", f.name),
                        )
                        .with_label("this secret")
                        .with_help(format!("{err}; nothing was written")),
                    );
                    None
                }
            }
        }
    }
}
