//! Plaintext forms of a secret, only ever handed to `sops` (or written under
//! `--allow-plaintext-secrets`): a Secret manifest or a dotenv file; and the
//! parser that reads decrypted (or plaintext) files back into key → value.

use super::plan::{Format, SecretFile};
use crate::emit::yaml::{Map, Node, write_doc};

/// The plaintext file for `values` (key → value, in entry order).
pub fn render_plain(f: &SecretFile, values: &[(String, String)]) -> String {
    match f.format {
        Format::Yaml => {
            let mut labels = Map::new();
            for (k, v) in &f.labels {
                labels.push(k.clone(), v.clone());
            }
            let mut data = Map::new();
            for (k, v) in values {
                data.push(k.clone(), v.clone());
            }
            let doc: Node = Map::new()
                .set("apiVersion", "v1")
                .set("kind", "Secret")
                .set(
                    "metadata",
                    Map::new()
                        .set("name", f.name.clone())
                        .set("namespace", f.namespace.clone())
                        .set("labels", labels)
                        .set(
                            "annotations",
                            Map::new().set(super::FINGERPRINT, f.fingerprint()),
                        ),
                )
                .set("type", f.secret_type)
                .set("stringData", data)
                .into();
            let mut s = String::new();
            write_doc(&mut s, &doc);
            s
        }
        Format::DockerConfig => {
            let get = |k: &str| {
                values
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            };
            let (host, user, pass) = (get("registry"), get("username"), get("password"));
            let auth = base64(format!("{user}:{pass}").as_bytes());
            let doc = serde_json::json!({"auths": {host: {"username": user, "password": pass, "auth": auth}}});
            let mut s = serde_json::to_string_pretty(&doc).expect("json");
            s.push('\n');
            s
        }
        Format::Dotenv => {
            let mut s = String::new();
            for (k, v) in values {
                s.push_str(k);
                s.push('=');
                s.push_str(v);
                s.push('\n');
            }
            s
        }
    }
}

/// key → value of a decrypted or plaintext file (`stringData`, or `data`
/// base64-decoded, for manifests; `KEY=value` lines for dotenv).
pub fn parse_plain(text: &str, format: Format) -> Option<Vec<(String, String)>> {
    match format {
        Format::Yaml => {
            let v: serde_json::Value = serde_norway::from_str(text).ok()?;
            let data = v.get("stringData")?.as_object()?;
            Some(
                data.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect(),
            )
        }
        Format::DockerConfig => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            let (host, entry) = v.get("auths")?.as_object()?.iter().next()?;
            let field = |k: &str| {
                entry
                    .get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            Some(vec![
                ("registry".to_string(), host.clone()),
                ("username".to_string(), field("username")),
                ("password".to_string(), field("password")),
            ])
        }
        Format::Dotenv => Some(
            text.lines()
                .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
                .filter(|l| !l.starts_with("sops_"))
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
    }
}

/// The fingerprint annotation of a previous (encrypted or plaintext) manifest;
/// metadata stays plaintext under SOPS's `encrypted_regex`.
pub fn fingerprint_of(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_norway::from_str(text).ok()?;
    v.get("metadata")?
        .get("annotations")?
        .get(super::FINGERPRINT)?
        .as_str()
        .map(str::to_string)
}

/// Standard base64 with padding (Docker's `auth` field).
fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for
/// user names, passwords and database names inside a connection URI).
pub fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"user:pa ss"), "dXNlcjpwYSBzcw==");
    }
}
