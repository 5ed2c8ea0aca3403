//! `.sops.yaml`: takes the config file's text and a path relative to its
//! directory, gives the first matching creation rule (getsops/sops
//! `config/config.go`, `parseCreationRuleForFile`: `path_regex` searched in
//! the path, a rule without one matches everything): its age recipients,
//! the other key kinds it names, and the rule itself without its path and
//! encryption-scope settings (cnpgc decides what is encrypted in the files
//! it writes; the sops binary gets the rule without them).

use regex::Regex;

pub struct Rule {
    /// age X25519 recipients cnpgc handles itself.
    pub age: Vec<String>,
    /// Keys for the sops binary: pgp, kms, age plugins, Shamir groups…
    pub others: Vec<String>,
    /// The rule as sops reads it, minus `path_regex` and scope settings.
    pub stripped: serde_norway::Value,
}

const SCOPE_KEYS: [&str; 8] = [
    "path_regex",
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
    "mac_only_encrypted",
];

const OTHER_KINDS: [&str; 7] = [
    "pgp",
    "kms",
    "gcp_kms",
    "azure_keyvault",
    "hc_vault_transit_uri",
    "hckms",
    "hc_vault",
];

fn strings(v: Option<&serde_norway::Value>) -> Vec<String> {
    match v {
        Some(serde_norway::Value::String(s)) => s
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
        Some(serde_norway::Value::Sequence(l)) => l
            .iter()
            .filter_map(|x| x.as_str().map(|s| s.trim().to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

fn keys_of(group: &serde_norway::Value, age: &mut Vec<String>, others: &mut Vec<String>) {
    for r in strings(group.get("age")) {
        if super::is_native_recipient(&r) {
            age.push(r);
        } else {
            others.push(format!("age recipient {r}"));
        }
    }
    for kind in OTHER_KINDS {
        if group.get(kind).is_some_and(|v| !v.is_null()) {
            others.push(kind.to_string());
        }
    }
    if group.get("merge").is_some() {
        others.push("merge".into());
    }
}

/// The rule for `path` (relative to the config's directory); `Ok(None)`
/// when the file has no creation rules.
pub fn creation_rule(text: &str, path: &str) -> Result<Option<Rule>, String> {
    let v: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| format!(".sops.yaml is not valid YAML: {e}"))?;
    let Some(rules) = v.get("creation_rules").and_then(|r| r.as_sequence()) else {
        return Ok(None);
    };
    for rule in rules {
        let matches = match rule.get("path_regex").and_then(|p| p.as_str()) {
            None | Some("") => true,
            Some(re) => Regex::new(re)
                .map_err(|e| format!(".sops.yaml: invalid path_regex {re:?}: {e}"))?
                .is_match(path),
        };
        if !matches {
            continue;
        }
        let mut age = Vec::new();
        let mut others = Vec::new();
        match rule.get("key_groups").and_then(|g| g.as_sequence()) {
            Some(groups) if !groups.is_empty() => {
                if groups.len() > 1 {
                    others.push(format!("{} Shamir key groups", groups.len()));
                }
                for g in groups {
                    keys_of(g, &mut age, &mut others);
                }
            }
            _ => keys_of(rule, &mut age, &mut others),
        }
        let mut stripped = rule.clone();
        if let Some(m) = stripped.as_mapping_mut() {
            for k in SCOPE_KEYS {
                m.remove(k);
            }
        }
        return Ok(Some(Rule {
            age,
            others,
            stripped,
        }));
    }
    Err(format!(
        "no creation rule of .sops.yaml matches {path} (sops: \"no matching creation rules found\")"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: &str = "age1dv0c4acy9zhpkjmexx6hqhrnfewhh0tyys9fh5nx6hh95m0r5gjq52lt69";

    #[test]
    fn first_matching_rule_wins_and_scope_is_stripped() {
        let text = format!(
            "creation_rules:\n  - path_regex: prod/\n    pgp: ABC\n  - path_regex: secret/\n    encrypted_regex: ^(data|stringData)$\n    age: {R}\n"
        );
        let r = creation_rule(&text, "out/app/secret/x.env")
            .unwrap()
            .unwrap();
        assert_eq!(r.age, [R]);
        assert!(r.others.is_empty());
        assert!(r.stripped.get("encrypted_regex").is_none());
        let p = creation_rule(&text, "prod/secret/x.env").unwrap().unwrap();
        assert_eq!(p.others, ["pgp"]);
        assert!(creation_rule(&text, "apps/web/secret.yaml").is_err());
        assert!(creation_rule("stores: {}\n", "x").unwrap().is_none());
    }
}
