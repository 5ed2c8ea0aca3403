#![allow(dead_code)]
//! A scripted [`SecretIo`] for fixtures: directives in a source's leading
//! `// fixture: …` comments set the environment, the previous tree and what
//! sops does. "Encryption" is reversible base64-free tagging: enough to test
//! the resolution rules, never used outside tests.

use std::cell::RefCell;
use std::collections::HashMap;

use cnpgc::secrets::{Format, SecretIo};

#[derive(Default)]
pub struct FakeIo {
    pub env: HashMap<String, String>,
    pub files: HashMap<String, String>,
    pub previous: HashMap<String, Vec<u8>>,
    /// Every previous secret file exists but cannot be decrypted.
    pub previous_undecryptable: bool,
    pub no_recipients: bool,
    pub encrypt_fails: bool,
    pub generated: RefCell<u32>,
}

const TAG: &str = "FAKE-ENCRYPTED\n";

impl FakeIo {
    /// Reads `// fixture: …` directives from a source.
    pub fn from_directives(src: &str) -> FakeIo {
        let mut io = FakeIo::default();
        for line in src.lines() {
            let Some(d) = line.trim().strip_prefix("// fixture:") else {
                continue;
            };
            let d = d.trim();
            if d == "no-recipients" {
                io.no_recipients = true;
            } else if d == "previous-undecryptable" {
                io.previous_undecryptable = true;
            } else if d == "encrypt-fails" {
                io.encrypt_fails = true;
            } else if let Some(kv) = d.strip_prefix("env ") {
                let (k, v) = kv.split_once('=').expect("env NAME=value");
                io.env.insert(k.to_string(), v.to_string());
            } else if let Some(kv) = d.strip_prefix("file ") {
                let (k, v) = kv.split_once('=').expect("file PATH=content");
                io.files.insert(k.to_string(), v.replace("\\n", "\n"));
            }
        }
        io
    }
}

impl SecretIo for FakeIo {
    fn env(&self, var: &str) -> Option<String> {
        self.env.get(var).cloned()
    }

    fn read_file(&self, path: &str, _origin: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "No such file or directory (os error 2)".into())
    }

    fn previous(&self, cluster: &str, path: &str) -> Option<Vec<u8>> {
        if self.previous_undecryptable {
            return Some(b"apiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    cnpgc.io/fingerprint: outdated\nsops:\n  version: 3.11.0\n".to_vec());
        }
        self.previous.get(&format!("{cluster}/{path}")).cloned()
    }

    fn decrypt(&self, bytes: &[u8], _format: Format) -> Result<String, String> {
        let text = String::from_utf8_lossy(bytes);
        match text.strip_prefix(TAG) {
            Some(plain) if !self.previous_undecryptable => Ok(plain.to_string()),
            _ => Err("sops: error getting data key: 0 successful groups required, got 0".into()),
        }
    }

    fn encrypt(
        &self,
        plaintext: &str,
        _format: Format,
        _cluster: &str,
        _path: &str,
    ) -> Result<Vec<u8>, String> {
        if self.encrypt_fails {
            return Err(
                "sops: config file not found, or has no creation rules, and no keys provided"
                    .into(),
            );
        }
        Ok(format!("{TAG}{plaintext}").into_bytes())
    }

    fn has_recipients(&self) -> bool {
        !self.no_recipients
    }

    fn generate(&self) -> String {
        let mut n = self.generated.borrow_mut();
        *n += 1;
        format!("generated-{n}")
    }
}
