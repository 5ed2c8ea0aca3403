#![allow(dead_code)]
//! A scripted [`SecretIo`] for fixtures: directives in a source's leading
//! `// fixture: …` comments set the environment, the previous tree and what
//! sops does. Encryption is cnpgc's own SOPS encryption for a test age key
//! (below; made for these tests only), so resolution's checks of what an
//! encryptor returns see real SOPS files; `encrypt-lies` makes it echo the
//! plaintext instead, as a lying `sops` would.

use std::cell::RefCell;
use std::collections::HashMap;

use cnpgc::secrets::sops::Identities;
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
    pub encrypt_lies: bool,
    pub generated: RefCell<u32>,
}

/// A test-only age key pair.
const TEST_RECIPIENT: &str = "age1w7kv9tmy7c925vn2q66drxzudju3qk5gn7gzhdnpgauchmfpwcsqeusjde";
const TEST_IDENTITY: &str =
    "AGE-SECRET-KEY-1PU3X3ZU35JWM0YH5M6DL9VNM6R44Y9F8X84W8M73Q70JM4PET0ZSDGDS5J";

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
            } else if d == "encrypt-lies" {
                io.encrypt_lies = true;
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
            return Some(b"apiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    cnpgc.io/fingerprint: outdated\nsops:\n  age:\n    - recipient: age1someoneelse\n      enc: not-for-this-key\n  lastmodified: \"2024-01-01T00:00:00Z\"\n  mac: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\n  version: 3.11.0\n".to_vec());
        }
        self.previous.get(&format!("{cluster}/{path}")).cloned()
    }

    fn decrypt(&self, bytes: &[u8], format: Format) -> Result<String, String> {
        let mut ids = Identities::default();
        if !self.previous_undecryptable {
            ids.add(TEST_IDENTITY);
        }
        cnpgc::secrets::sops::decrypt(bytes, format, &ids).map_err(|e| e.to_string())
    }

    fn encrypt(
        &self,
        plaintext: &str,
        format: Format,
        _cluster: &str,
        _path: &str,
    ) -> Result<Vec<u8>, String> {
        if self.encrypt_fails {
            return Err(
                "sops: config file not found, or has no creation rules, and no keys provided"
                    .into(),
            );
        }
        if self.encrypt_lies {
            return Ok(plaintext.as_bytes().to_vec());
        }
        let mut n = 0u8;
        cnpgc::secrets::sops::encrypt(
            plaintext,
            format,
            &[TEST_RECIPIENT.to_string()],
            "2024-01-01T00:00:00Z",
            &mut |b: &mut [u8]| {
                for x in b {
                    n = n.wrapping_add(37);
                    *x = n;
                }
            },
        )
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
