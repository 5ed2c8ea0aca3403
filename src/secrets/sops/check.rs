//! Checks what an encryptor returned before anything is written: takes the
//! plaintext cnpgc handed over and the bytes it got back, gives an error
//! unless the result has SOPS metadata with a MAC and a key, the same keys
//! and plain values, and every value cnpgc encrypts (a manifest's
//! `stringData`, every value of a dotenv or JSON file) in `ENC[AES256_GCM…]`
//! form holding as many bytes as the plaintext. This catches a `.sops.yaml`
//! rule that leaves values plaintext, and a `sops` that echoes its input or
//! prints nothing; a decryption round trip (where a key is at hand) checks
//! the rest.

use super::super::Format;
use super::doc::{self, Node, Scalar};
use super::meta::{self, Scope};

pub fn check_encrypted(encrypted: &[u8], plain: &str, format: Format) -> Result<(), String> {
    if encrypted.is_empty() {
        return Err("the encrypted file is empty".into());
    }
    let text = std::str::from_utf8(encrypted).map_err(|_| "the encrypted file is not UTF-8")?;
    let enc = doc::parse(text, format)?;
    let (data, m) = meta::split(enc, format)?;
    let m = m.ok_or("it has no SOPS metadata (the input came back unencrypted)")?;
    if super::cipher::parse(&m.mac).is_none() {
        return Err("its SOPS metadata has no encrypted MAC".into());
    }
    if m.age.iter().all(|(_, e)| e.trim().is_empty()) && m.others.is_empty() {
        return Err("its SOPS metadata holds no encrypted data key".into());
    }
    let plain = doc::parse(plain, format)?;
    let scope = Scope::cnpgc(format);
    compare(&data, &plain, &mut Vec::new(), &scope)
}

fn compare(enc: &Node, plain: &Node, path: &mut Vec<String>, scope: &Scope) -> Result<(), String> {
    let at = |path: &[String]| path.join(".");
    match (enc, plain) {
        (Node::Map(a), Node::Map(b)) => {
            let ka: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
            let kb: Vec<&str> = b.iter().map(|(k, _)| k.as_str()).collect();
            if ka != kb {
                return Err(format!(
                    "its keys at `{}` differ from the plaintext's",
                    at(path)
                ));
            }
            for ((k, x), (_, y)) in a.iter().zip(b) {
                path.push(k.clone());
                compare(x, y, path, scope)?;
                path.pop();
            }
            Ok(())
        }
        (Node::List(a), Node::List(b)) if a.len() == b.len() => {
            for (x, y) in a.iter().zip(b) {
                compare(x, y, path, scope)?;
            }
            Ok(())
        }
        (Node::Leaf(e), Node::Leaf(p)) => {
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            let plain_bytes = p.mac_bytes();
            if !scope.encrypts(&refs) || plain_bytes.is_empty() {
                return if e == p || e.mac_bytes() == plain_bytes {
                    Ok(())
                } else {
                    Err(format!(
                        "its plain value at `{}` differs from the plaintext's",
                        at(path)
                    ))
                };
            }
            let Scalar::Str(s) = e else {
                return Err(format!("`{}` is not encrypted", at(path)));
            };
            match super::cipher::parse(s) {
                Some(v)
                    if v.data.len() == plain_bytes.len()
                        && v.tag.len() == 16
                        && v.iv.len() >= 12 =>
                {
                    Ok(())
                }
                Some(_) => Err(format!(
                    "`{}` holds a ciphertext of the wrong length",
                    at(path)
                )),
                None => Err(format!(
                    "`{}` is not encrypted (plaintext in the output)",
                    at(path)
                )),
            }
        }
        _ => Err(format!(
            "its structure at `{}` differs from the plaintext's",
            at(path)
        )),
    }
}
