//! SOPS value encryption: takes a value, the file's 32-byte data key, the
//! value's path and 32 random bytes, gives `ENC[AES256_GCM,data:…,iv:…,
//! tag:…,type:…]` (AES-256-GCM with a 32-byte nonce, the path `a:b:c:` as
//! authenticated data), and back. Follows getsops/sops `aes/cipher.go`.

use aes_gcm::aead::AeadInOut;
use aes_gcm::aead::array::Array;
use aes_gcm::aead::consts::U32;
use aes_gcm::aes::Aes256;
use aes_gcm::{AesGcm, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::doc::Scalar;

type Gcm = AesGcm<Aes256, U32>;

/// The parts of an `ENC[…]` value.
pub struct Enc {
    pub data: Vec<u8>,
    pub iv: Vec<u8>,
    pub tag: Vec<u8>,
    pub kind: String,
}

/// Parses `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`.
pub fn parse(value: &str) -> Option<Enc> {
    let inner = value.strip_prefix("ENC[AES256_GCM,")?.strip_suffix(']')?;
    let mut parts = inner.split(',');
    let mut field = |name: &str| parts.next()?.strip_prefix(name).map(str::to_string);
    let data = field("data:")?;
    let iv = field("iv:")?;
    let tag = field("tag:")?;
    let kind = field("type:")?;
    if parts.next().is_some() {
        return None;
    }
    Some(Enc {
        data: B64.decode(data).ok()?,
        iv: B64.decode(iv).ok()?,
        tag: B64.decode(tag).ok()?,
        kind,
    })
}

fn cipher(key: &[u8; 32]) -> Gcm {
    Gcm::new(&Array::from(*key))
}

/// Encrypts one value (the empty string stays empty, as in sops).
pub fn encrypt(value: &Scalar, key: &[u8; 32], aad: &str, iv: [u8; 32]) -> String {
    let kind = match value {
        Scalar::Str(s) if s.is_empty() => return String::new(),
        Scalar::Str(_) => "str",
        Scalar::Int(_) => "int",
        Scalar::Float(_) => "float",
        Scalar::Bool(_) => "bool",
        Scalar::Null => return String::new(),
    };
    let mut buf = value.mac_bytes();
    let nonce = Array::<u8, U32>::from(iv);
    let tag = cipher(key)
        .encrypt_inout_detached(&nonce, aad.as_bytes(), buf.as_mut_slice().into())
        .expect("AES-GCM encrypts any value of a secret file");
    format!(
        "ENC[AES256_GCM,data:{},iv:{},tag:{},type:{kind}]",
        B64.encode(&buf),
        B64.encode(iv),
        B64.encode(tag.as_slice())
    )
}

/// Decrypts one value; an empty string is the empty string.
pub fn decrypt(value: &str, key: &[u8; 32], aad: &str) -> Result<Scalar, String> {
    if value.is_empty() {
        return Ok(Scalar::Str(String::new()));
    }
    let e = parse(value).ok_or("a value is not in SOPS's ENC[AES256_GCM,…] form")?;
    if e.iv.len() != 32 || e.tag.len() != 16 {
        return Err("a value has an IV or tag of the wrong length".into());
    }
    let mut buf = e.data;
    let nonce = Array::<u8, U32>::try_from(e.iv.as_slice()).map_err(|_| "bad IV")?;
    let tag = Array::try_from(e.tag.as_slice()).map_err(|_| "bad tag")?;
    cipher(key)
        .decrypt_inout_detached(&nonce, aad.as_bytes(), buf.as_mut_slice().into(), &tag)
        .map_err(|_| {
            format!("a value does not authenticate (at `{aad}`): wrong key or tampered")
        })?;
    let text = String::from_utf8(buf).map_err(|_| "a decrypted value is not UTF-8")?;
    Ok(match e.kind.as_str() {
        "str" => Scalar::Str(text),
        "int" => Scalar::Int(text.parse().map_err(|_| "bad int value")?),
        "float" => Scalar::Float(text.parse().map_err(|_| "bad float value")?),
        "bool" => Scalar::Bool(text == "True" || text == "true"),
        other => return Err(format!("value type `{other}` is not supported")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = [7u8; 32];
        let v = encrypt(
            &Scalar::Str("hunter2".into()),
            &key,
            "stringData:password:",
            [1; 32],
        );
        assert!(v.starts_with("ENC[AES256_GCM,data:"), "{v}");
        assert_eq!(
            decrypt(&v, &key, "stringData:password:").unwrap(),
            Scalar::Str("hunter2".into())
        );
        // Another path (authenticated data) or key fails.
        assert!(decrypt(&v, &key, "stringData:username:").is_err());
        assert!(decrypt(&v, &[8u8; 32], "stringData:password:").is_err());
        assert_eq!(
            encrypt(&Scalar::Str(String::new()), &key, "a:", [1; 32]),
            ""
        );
    }
}
