//! SOPS in-process: takes a plaintext secret file, age recipients, the time
//! and a source of random bytes, gives the SOPS-encrypted file (each value
//! AES-256-GCM encrypted with its path as authenticated data, the MAC over
//! the values, `lastmodified`, the `sops` block with the data key wrapped
//! for every recipient by the `age` crate); and decrypts such files (ours or
//! the `sops` binary's) with age identities, verifying every value and the
//! MAC. Pure: no IO; the `age` crate draws its own ephemeral keys from the
//! OS. Sources: getsops/sops `sops.go` (Tree.Encrypt/Decrypt, MAC),
//! `aes/cipher.go`, `cmd/sops/common/common.go` (EncryptTree: MAC encrypted
//! with `lastmodified` as authenticated data), `age/keysource.go` (one
//! armored age file per recipient holding the 32-byte data key), `stores/`.

pub mod check;
pub mod cipher;
pub mod config;
pub mod doc;
pub mod meta;

use std::str::FromStr;

use sha2::{Digest, Sha512};

use super::Format;
use doc::{Node, Scalar};
use meta::{Meta, Scope};

/// The SOPS file format version cnpgc writes (the `version` field; sops
/// 3.11's format, which every sops 3.x reads).
pub const FORMAT_VERSION: &str = "3.11.0";

/// `sha256("sops")`: the MAC's first bytes when only encrypted values are
/// covered (`sops.go`, `MACOnlyEncryptedInitialization`).
const MAC_ONLY_ENCRYPTED_INIT: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// Whether cnpgc encrypts for this recipient itself (an age X25519 key).
pub fn is_native_recipient(r: &str) -> bool {
    age::x25519::Recipient::from_str(r.trim()).is_ok()
}

/// Parsed age identities (`AGE-SECRET-KEY-1…`), as sops reads them from
/// `SOPS_AGE_KEY` / `SOPS_AGE_KEY_FILE`: one per line, `#` comments.
#[derive(Default)]
pub struct Identities(Vec<age::x25519::Identity>);

impl Identities {
    /// Adds the identities of a key file's text (other kinds of keys, such
    /// as plugin or post-quantum identities, are skipped and counted).
    pub fn add(&mut self, text: &str) -> usize {
        let mut skipped = 0;
        for word in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .flat_map(str::split_whitespace)
        {
            match age::x25519::Identity::from_str(word) {
                Ok(i) => self.0.push(i),
                Err(_) => skipped += 1,
            }
        }
        skipped
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a file could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecryptError {
    /// No age identity opens the data key. `others` lists key kinds the
    /// file also has (pgp, kms, …), which the sops binary may open.
    NoKey { others: Vec<String> },
    /// A form cnpgc does not read itself (comment regexes, Shamir groups).
    Unsupported(String),
    /// Not a SOPS file, a value or the MAC does not authenticate.
    Invalid(String),
}

impl std::fmt::Display for DecryptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecryptError::NoKey { others } if others.is_empty() => f.write_str(
                "no age identity opens its data key (set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY)",
            ),
            DecryptError::NoKey { others } => write!(
                f,
                "no age identity opens its data key, and its other keys ({}) are for the sops binary",
                others.join(", ")
            ),
            DecryptError::Unsupported(s) | DecryptError::Invalid(s) => f.write_str(s),
        }
    }
}

fn random_32(rand: &mut dyn FnMut(&mut [u8])) -> [u8; 32] {
    let mut b = [0u8; 32];
    rand(&mut b);
    b
}

/// What [`walk`] calls for every value: its path and the value.
type OnLeaf<'f, E> = dyn FnMut(&[&str], &mut Scalar) -> Result<(), E> + 'f;

/// Walks the data in document order, calling `leaf(path, value)`; lists do
/// not add to the path (`sops.go`, `walkSlice`).
fn walk<'a, E>(
    n: &'a mut Node,
    path: &mut Vec<&'a str>,
    leaf: &mut OnLeaf<'_, E>,
) -> Result<(), E> {
    match n {
        Node::Leaf(s) => leaf(path, s),
        Node::List(l) => {
            for x in l {
                walk(x, path, leaf)?;
            }
            Ok(())
        }
        Node::Map(m) => {
            for (k, v) in m.iter_mut() {
                path.push(k.as_str());
                walk(v, path, leaf)?;
                path.pop();
            }
            Ok(())
        }
    }
}

fn aad(path: &[&str]) -> String {
    let mut s = path.join(":");
    s.push(':');
    s
}

fn has_reserved_key(doc: &Node, format: Format) -> bool {
    match doc {
        Node::Map(m) => m.iter().any(|(k, _)| match format {
            Format::Dotenv => k.starts_with("sops_"),
            _ => k == "sops",
        }),
        _ => false,
    }
}

/// Encrypts a plaintext file for age recipients. `now` is the RFC 3339
/// UTC time (`2006-01-02T15:04:05Z`) written as `lastmodified`.
pub fn encrypt(
    plain: &str,
    format: Format,
    recipients: &[String],
    now: &str,
    rand: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<u8>, String> {
    if recipients.is_empty() {
        return Err("no recipients".into());
    }
    let parsed: Vec<age::x25519::Recipient> = recipients
        .iter()
        .map(|r| {
            age::x25519::Recipient::from_str(r.trim())
                .map_err(|e| format!("{r:?} is not an age recipient: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let mut doc = doc::parse(plain, format)?;
    if has_reserved_key(&doc, format) {
        return Err("the plaintext already has SOPS metadata".into());
    }
    let expected = doc.clone();
    let key = random_32(rand);
    let scope = Scope::cnpgc(format);
    let mut hash = Sha512::new();
    walk::<()>(&mut doc, &mut Vec::new(), &mut |path, v| {
        hash.update(v.mac_bytes());
        if scope.encrypts(path) {
            *v = Scalar::Str(cipher::encrypt(v, &key, &aad(path), random_32(rand)));
        }
        Ok(())
    })
    .expect("encryption of a value cannot fail");
    let mac_hex = hex_upper(&hash.finalize());
    let mac = cipher::encrypt(&Scalar::Str(mac_hex), &key, now, random_32(rand));
    let mut stanzas = Vec::new();
    for (r, p) in recipients.iter().zip(&parsed) {
        let armored = age::encrypt_and_armor(p, &key)
            .map_err(|e| format!("age could not wrap the data key for {r}: {e}"))?;
        stanzas.push((r.trim().to_string(), armored));
    }
    let out = meta::attach(doc, meta::block(&stanzas, now, &mac, &scope), format);
    let bytes = doc::emit(&out, format)?.into_bytes();
    // Read back what was written, with the data key: every value and the
    // MAC must give the plaintext again.
    let (data, m) = meta::split(
        doc::parse(std::str::from_utf8(&bytes).expect("utf-8"), format)?,
        format,
    )?;
    let m = m.ok_or("the written file has no metadata")?;
    let back = decrypt_data(data, &m, &key).map_err(|e| format!("self-check failed: {e}"))?;
    if back != expected {
        return Err("self-check failed: the written file does not decrypt to its plaintext".into());
    }
    Ok(bytes)
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Decrypts the data of a file with its data key and checks the MAC.
fn decrypt_data(mut data: Node, m: &Meta, key: &[u8; 32]) -> Result<Node, String> {
    let mut hash = Sha512::new();
    if m.mac_only_encrypted {
        hash.update(MAC_ONLY_ENCRYPTED_INIT);
    }
    walk::<String>(&mut data, &mut Vec::new(), &mut |path, v| {
        let enc = m.scope.encrypts(path);
        if enc {
            let Scalar::Str(s) = &*v else {
                return Err(format!(
                    "`{}` should be encrypted but is not a string",
                    aad(path)
                ));
            };
            *v = cipher::decrypt(s, key, &aad(path))?;
        }
        if !m.mac_only_encrypted || enc {
            hash.update(v.mac_bytes());
        }
        Ok(())
    })?;
    let computed = hex_upper(&hash.finalize());
    let stored = cipher::decrypt(&m.mac, key, &m.lastmodified).map_err(|_| {
        "the MAC does not authenticate: the file was changed after encryption".to_string()
    })?;
    if stored.as_str() != Some(computed.as_str()) {
        return Err("MAC mismatch: a value was changed after encryption".into());
    }
    Ok(data)
}

/// Decrypts a SOPS file with age identities; gives the plaintext file.
pub fn decrypt(bytes: &[u8], format: Format, ids: &Identities) -> Result<String, DecryptError> {
    let text = std::str::from_utf8(bytes).map_err(|_| DecryptError::Invalid("not UTF-8".into()))?;
    let parsed = doc::parse(text, format).map_err(DecryptError::Invalid)?;
    let (data, m) = meta::split(parsed, format).map_err(DecryptError::Unsupported)?;
    let m =
        m.ok_or_else(|| DecryptError::Invalid("no SOPS metadata: not an encrypted file".into()))?;
    if m.others.iter().any(|o| o.contains("Shamir")) {
        return Err(DecryptError::Unsupported(format!(
            "a file with {} is for the sops binary",
            m.others.join(", ")
        )));
    }
    let mut key = None;
    'outer: for (_, enc) in &m.age {
        for id in &ids.0 {
            if let Ok(k) = age::decrypt(id, enc.as_bytes())
                && let Ok(k) = <[u8; 32]>::try_from(k.as_slice())
            {
                key = Some(k);
                break 'outer;
            }
        }
    }
    let Some(key) = key else {
        return Err(DecryptError::NoKey { others: m.others });
    };
    let plain = decrypt_data(data, &m, &key).map_err(DecryptError::Invalid)?;
    doc::emit(&plain, format).map_err(DecryptError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> impl FnMut(&mut [u8]) {
        let mut n = 0u8;
        move |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_add(1);
                *x = n;
            }
        }
    }

    #[test]
    fn encrypt_then_decrypt_each_format() {
        let id = age::x25519::Identity::generate();
        let r = id.to_public().to_string();
        let mut ids = Identities::default();
        ids.0.push(id);
        let cases = [
            (
                Format::Yaml,
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  password: \"p:w\"\n",
            ),
            (Format::Dotenv, "A=1\nB=two words\n"),
            (
                Format::DockerConfig,
                "{\"auths\": {\"r.io:5000\": {\"username\": \"u\", \"password\": \"p\"}}}\n",
            ),
        ];
        for (f, plain) in cases {
            let enc = encrypt(
                plain,
                f,
                std::slice::from_ref(&r),
                "2024-01-01T00:00:00Z",
                &mut rng(),
            )
            .unwrap();
            let text = String::from_utf8(enc.clone()).unwrap();
            assert!(
                !text.contains("two words") && !text.contains("p:w"),
                "{text}"
            );
            let back = decrypt(&enc, f, &ids).unwrap();
            assert_eq!(doc::parse(&back, f).unwrap(), doc::parse(plain, f).unwrap());
            // Tampering: another value's ciphertext, or another MAC, is detected.
            let swapped = text.replacen("ENC[AES256_GCM,data:", "ENC[AES256_GCM,data:AA", 1);
            assert!(matches!(
                decrypt(swapped.as_bytes(), f, &ids),
                Err(DecryptError::Invalid(_))
            ));
        }
        assert!(matches!(
            decrypt(
                &encrypt(
                    "A=1\n",
                    Format::Dotenv,
                    &[r],
                    "2024-01-01T00:00:00Z",
                    &mut rng()
                )
                .unwrap(),
                Format::Dotenv,
                &Identities::default()
            ),
            Err(DecryptError::NoKey { .. })
        ));
    }
}
