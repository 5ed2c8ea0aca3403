//! The `sops` metadata block: takes an encrypted document, gives its
//! metadata (age stanzas, other key kinds, `lastmodified`, the encrypted
//! MAC, which values are encrypted) and the document without it; and builds
//! the block cnpgc writes. Field names and the dotenv flattening
//! (`sops_age__list_0__map_enc`) follow getsops/sops `stores/stores.go`,
//! `stores/metadata.go` and `stores/flatten.go`.

use regex::Regex;

use super::super::Format;
use super::doc::{Node, Scalar};

/// Which values of a document are encrypted (`sops.go`, `shouldBeEncrypted`).
#[derive(Debug, Clone)]
pub enum Scope {
    UnencryptedSuffix(String),
    EncryptedSuffix(String),
    UnencryptedRegex(Regex),
    EncryptedRegex(Regex),
}

impl Scope {
    /// What cnpgc encrypts: a Secret manifest's `stringData` (names and
    /// labels stay readable, as Flux's guide does it); every value of a
    /// dotenv or JSON file (sops's default, `_unencrypted` suffix).
    pub fn cnpgc(format: Format) -> Scope {
        match format {
            Format::Yaml => {
                Scope::EncryptedRegex(Regex::new("^(data|stringData)$").expect("valid regex"))
            }
            Format::Dotenv | Format::DockerConfig => {
                Scope::UnencryptedSuffix("_unencrypted".into())
            }
        }
    }

    pub fn encrypts(&self, path: &[&str]) -> bool {
        match self {
            Scope::UnencryptedSuffix(s) => !path.iter().any(|p| p.ends_with(s.as_str())),
            Scope::EncryptedSuffix(s) => path.iter().any(|p| p.ends_with(s.as_str())),
            Scope::UnencryptedRegex(r) => !path.iter().any(|p| r.is_match(p)),
            Scope::EncryptedRegex(r) => path.iter().any(|p| r.is_match(p)),
        }
    }

    fn entry(&self) -> (&'static str, String) {
        match self {
            Scope::UnencryptedSuffix(s) => ("unencrypted_suffix", s.clone()),
            Scope::EncryptedSuffix(s) => ("encrypted_suffix", s.clone()),
            Scope::UnencryptedRegex(r) => ("unencrypted_regex", r.as_str().to_string()),
            Scope::EncryptedRegex(r) => ("encrypted_regex", r.as_str().to_string()),
        }
    }
}

/// The metadata of an encrypted file.
#[derive(Debug)]
pub struct Meta {
    /// (recipient, armored age file holding the data key).
    pub age: Vec<(String, String)>,
    /// Key kinds cnpgc does not open itself (pgp, kms, …) or Shamir groups.
    pub others: Vec<String>,
    pub lastmodified: String,
    pub mac: String,
    pub scope: Scope,
    pub mac_only_encrypted: bool,
}

const KEY_KINDS: [&str; 6] = ["pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"];

/// Splits an encrypted document into its data and its metadata; `None`
/// when there is no metadata.
pub fn split(doc: Node, format: Format) -> Result<(Node, Option<Meta>), String> {
    let Node::Map(entries) = doc else {
        return Err("the document is not a mapping".into());
    };
    let mut data = Vec::new();
    let mut meta_entries = Vec::new();
    let mut meta_node = None;
    for (k, v) in entries {
        match format {
            Format::Dotenv => match k.strip_prefix("sops_") {
                Some(rest) => meta_entries.push((rest.to_string(), v)),
                None => data.push((k, v)),
            },
            _ if k == "sops" => meta_node = Some(v),
            _ => data.push((k, v)),
        }
    }
    if format == Format::Dotenv && !meta_entries.is_empty() {
        meta_node = Some(unflatten(meta_entries)?);
    }
    let meta = meta_node.map(|m| read(&m)).transpose()?;
    Ok((Node::Map(data), meta))
}

fn text(n: Option<&Node>) -> Option<String> {
    match n? {
        Node::Leaf(Scalar::Str(s)) => Some(s.clone()),
        Node::Leaf(s) => Some(String::from_utf8_lossy(&s.mac_bytes()).into_owned()),
        _ => None,
    }
}

fn age_entries(group: &Node, out: &mut Vec<(String, String)>) {
    if let Some(Node::List(l)) = group.get("age") {
        for e in l {
            if let (Some(r), Some(enc)) = (text(e.get("recipient")), text(e.get("enc"))) {
                out.push((r, enc));
            }
        }
    }
}

fn other_kinds(group: &Node, out: &mut Vec<String>) {
    for kind in KEY_KINDS {
        if matches!(group.get(kind), Some(Node::List(l)) if !l.is_empty()) {
            out.push(kind.to_string());
        }
    }
}

fn read(m: &Node) -> Result<Meta, String> {
    let mut age = Vec::new();
    let mut others = Vec::new();
    age_entries(m, &mut age);
    other_kinds(m, &mut others);
    if let Some(Node::List(groups)) = m.get("key_groups") {
        if groups.len() > 1 {
            others.push(format!("{} Shamir key groups", groups.len()));
        }
        for g in groups {
            age_entries(g, &mut age);
            other_kinds(g, &mut others);
        }
    }
    let scoping: Vec<(&str, String)> = [
        "unencrypted_suffix",
        "encrypted_suffix",
        "unencrypted_regex",
        "encrypted_regex",
        "unencrypted_comment_regex",
        "encrypted_comment_regex",
    ]
    .into_iter()
    .filter_map(|k| text(m.get(k)).filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    if scoping.len() > 1 {
        return Err("the metadata names more than one encryption rule".into());
    }
    let regex = |r: &str| Regex::new(r).map_err(|e| format!("invalid regex in the metadata: {e}"));
    let scope = match scoping.first() {
        None => Scope::UnencryptedSuffix("_unencrypted".into()),
        Some(("unencrypted_suffix", v)) => Scope::UnencryptedSuffix(v.clone()),
        Some(("encrypted_suffix", v)) => Scope::EncryptedSuffix(v.clone()),
        Some(("unencrypted_regex", v)) => Scope::UnencryptedRegex(regex(v)?),
        Some(("encrypted_regex", v)) => Scope::EncryptedRegex(regex(v)?),
        Some((k, _)) => return Err(format!("`{k}` files are not read by cnpgc itself")),
    };
    Ok(Meta {
        age,
        others,
        lastmodified: text(m.get("lastmodified")).ok_or("the metadata has no lastmodified")?,
        mac: text(m.get("mac")).ok_or("the metadata has no mac")?,
        scope,
        mac_only_encrypted: text(m.get("mac_only_encrypted")).is_some_and(|v| v == "true"),
    })
}

/// The metadata block cnpgc writes.
pub fn block(age: &[(String, String)], lastmodified: &str, mac: &str, scope: &Scope) -> Node {
    let stanzas = age
        .iter()
        .map(|(r, enc)| {
            Node::Map(vec![
                ("recipient".into(), Node::str(r)),
                ("enc".into(), Node::str(enc)),
            ])
        })
        .collect();
    let (k, v) = scope.entry();
    Node::Map(vec![
        ("age".into(), Node::List(stanzas)),
        ("lastmodified".into(), Node::str(lastmodified)),
        ("mac".into(), Node::str(mac)),
        (k.into(), Node::str(v)),
        ("version".into(), Node::str(super::FORMAT_VERSION)),
    ])
}

/// Adds the block to a document: a `sops` key, or `sops_…` lines for dotenv.
pub fn attach(doc: Node, block: Node, format: Format) -> Node {
    let Node::Map(mut entries) = doc else {
        return doc;
    };
    match format {
        Format::Dotenv => {
            let mut flat = Vec::new();
            flatten("sops_", &block, &mut flat);
            flat.sort_by(|a, b| a.0.cmp(&b.0));
            entries.extend(flat);
        }
        _ => entries.push(("sops".into(), block)),
    }
    Node::Map(entries)
}

fn flatten(prefix: &str, n: &Node, out: &mut Vec<(String, Node)>) {
    match n {
        Node::Map(m) => {
            for (k, v) in m {
                let p = if prefix == "sops_" {
                    format!("{prefix}{k}")
                } else {
                    format!("{prefix}__map_{k}")
                };
                flatten(&p, v, out);
            }
        }
        Node::List(l) => {
            for (i, v) in l.iter().enumerate() {
                flatten(&format!("{prefix}__list_{i}"), v, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}

enum Tmp {
    Leaf(Node),
    Map(Vec<(String, Tmp)>),
    List(Vec<(usize, Tmp)>),
}

enum Tok {
    Key(String),
    Index(usize),
}

fn tokens(path: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut rest = path;
    let mut kind_is_index = false;
    loop {
        let next_map = rest.find("__map_");
        let next_list = rest.find("__list_");
        let (end, sep_len, next_index) = match (next_map, next_list) {
            (Some(m), Some(l)) if l < m => (l, 7, true),
            (Some(m), _) => (m, 6, false),
            (None, Some(l)) => (l, 7, true),
            (None, None) => (rest.len(), 0, false),
        };
        let part = &rest[..end];
        out.push(if kind_is_index {
            Tok::Index(
                part.parse()
                    .map_err(|_| format!("bad list index in `{path}`"))?,
            )
        } else {
            Tok::Key(part.to_string())
        });
        if sep_len == 0 {
            return Ok(out);
        }
        kind_is_index = next_index;
        rest = &rest[end + sep_len..];
    }
}

fn place(t: &mut Tmp, toks: &[Tok], v: Node) -> Result<(), String> {
    let Some((first, rest)) = toks.split_first() else {
        *t = Tmp::Leaf(v);
        return Ok(());
    };
    let child = match (first, &mut *t) {
        (Tok::Key(k), Tmp::Map(m)) => {
            if !m.iter().any(|(x, _)| x == k) {
                m.push((k.clone(), Tmp::Map(Vec::new())));
            }
            &mut m.iter_mut().find(|(x, _)| x == k).expect("just added").1
        }
        (Tok::Index(i), Tmp::List(l)) => {
            if !l.iter().any(|(x, _)| x == i) {
                l.push((*i, Tmp::Map(Vec::new())));
            }
            &mut l.iter_mut().find(|(x, _)| x == i).expect("just added").1
        }
        _ => return Err("inconsistent flattened metadata".into()),
    };
    if let (Some(Tok::Index(_)), Tmp::Map(m)) = (rest.first(), &*child)
        && m.is_empty()
    {
        *child = Tmp::List(Vec::new());
    }
    place(child, rest, v)
}

fn finish(t: Tmp) -> Node {
    match t {
        Tmp::Leaf(n) => n,
        Tmp::Map(m) => Node::Map(m.into_iter().map(|(k, v)| (k, finish(v))).collect()),
        Tmp::List(mut l) => {
            l.sort_by_key(|(i, _)| *i);
            Node::List(l.into_iter().map(|(_, v)| finish(v)).collect())
        }
    }
}

fn unflatten(entries: Vec<(String, Node)>) -> Result<Node, String> {
    let mut root = Tmp::Map(Vec::new());
    for (k, v) in entries {
        place(&mut root, &tokens(&k)?, v)?;
    }
    Ok(finish(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_metadata_flattens_and_back() {
        let scope = Scope::cnpgc(Format::Dotenv);
        let b = block(
            &[("age1x".into(), "A\nB\n".into())],
            "2024-01-01T00:00:00Z",
            "ENC[m]",
            &scope,
        );
        let doc = attach(
            Node::Map(vec![("K".into(), Node::str("v"))]),
            b,
            Format::Dotenv,
        );
        let Node::Map(m) = &doc else { panic!() };
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "K",
                "sops_age__list_0__map_enc",
                "sops_age__list_0__map_recipient",
                "sops_lastmodified",
                "sops_mac",
                "sops_unencrypted_suffix",
                "sops_version"
            ]
        );
        let (data, meta) = split(doc, Format::Dotenv).unwrap();
        let meta = meta.unwrap();
        assert_eq!(meta.age, vec![("age1x".to_string(), "A\nB\n".to_string())]);
        assert_eq!(meta.mac, "ENC[m]");
        assert_eq!(data, Node::Map(vec![("K".into(), Node::str("v"))]));
    }
}
