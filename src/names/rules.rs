//! Kubernetes syntax rules: takes a string, gives whether it is a DNS-1123
//! label or subdomain, a DNS-1035 label, a label key (qualified name) or
//! value, a taint effect or a toleration, and why not. The rules and their
//! wording follow k8s.io/apimachinery/pkg/util/validation/validation.go
//! (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName,
//! IsValidLabelValue) and, for tolerations, CloudNativePG 1.30's
//! `validateTolerations` (internal/webhook/v1/cluster_webhook.go), which
//! mirrors the API server's pod validation. No diagnostics here: callers
//! attach their code and span.

/// At most 63 characters: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
pub const LABEL_MAX: usize = 63;
/// At most 253 characters: labels joined by dots.
pub const SUBDOMAIN_MAX: usize = 253;

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A DNS-1123 label of at most `max` characters (Namespaces, most names
/// the operator derives from, label-limited names).
pub fn dns1123_label(s: &str, max: usize) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.len() > max {
        return Err(format!(
            "it is {} characters long; the limit is {max}",
            s.len()
        ));
    }
    if !s.chars().all(|c| lower_alnum(c) || c == '-') {
        return Err("it may only hold lower case letters, digits and `-`".into());
    }
    if !s.starts_with(lower_alnum) || !s.ends_with(lower_alnum) {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A DNS-1123 subdomain of at most `max` characters (ConfigMaps, Secrets,
/// custom resources, StorageClasses): labels joined by `.`.
pub fn dns1123_subdomain(s: &str, max: usize) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.len() > max {
        return Err(format!(
            "it is {} characters long; the limit is {max}",
            s.len()
        ));
    }
    for part in s.split('.') {
        if part.is_empty() {
            return Err("it may not hold an empty part between dots".into());
        }
        if !part.chars().all(|c| lower_alnum(c) || c == '-') {
            return Err("it may only hold lower case letters, digits, `-` and `.`".into());
        }
        if !part.starts_with(lower_alnum) || !part.ends_with(lower_alnum) {
            return Err("each part between dots must start and end with a letter or digit".into());
        }
    }
    Ok(())
}

/// A DNS-1035 label of at most `max` characters (Services, and so Clusters
/// and Poolers, whose names the operator gives to Services): a DNS-1123
/// label that starts with a letter.
pub fn dns1035_label(s: &str, max: usize) -> Result<(), String> {
    dns1123_label(s, max)?;
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a letter (a Service name is a DNS-1035 label)".into());
    }
    Ok(())
}

/// The name part of a label key, or a label value when non-empty: at most 63
/// characters, `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
fn label_name(s: &str) -> Result<(), String> {
    if s.len() > LABEL_MAX {
        return Err(format!(
            "it is {} characters long; the limit is 63",
            s.len()
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("it may only hold letters, digits, `-`, `_` and `.`".into());
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !s.starts_with(alnum) || !s.ends_with(alnum) {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A label or annotation key, a node label, a taint or toleration key
/// (IsQualifiedName): an optional DNS-1123 subdomain prefix and `/`, then a
/// name of at most 63 characters.
pub fn qualified_name(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                return Err("the prefix before `/` is empty".into());
            }
            dns1123_subdomain(prefix, SUBDOMAIN_MAX)
                .map_err(|why| format!("its prefix `{prefix}` is not a DNS subdomain: {why}"))?;
            *name
        }
        _ => return Err("it may hold at most one `/`".into()),
    };
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    label_name(name)
}

/// A label value (IsValidLabelValue): empty, or a label name.
pub fn label_value(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    label_name(s)
}

/// The effects a taint (and so a toleration) may have.
pub const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// A taint effect; `allow_empty`: a toleration's empty effect matches every
/// effect.
pub fn taint_effect(s: &str, allow_empty: bool) -> Result<(), String> {
    if s.is_empty() && allow_empty || TAINT_EFFECTS.contains(&s) {
        return Ok(());
    }
    Err(format!(
        "`{s}` is not a taint effect; use {}",
        TAINT_EFFECTS.join(", ")
    ))
}

/// One toleration as the Cluster's `spec.affinity.tolerations` holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toleration<'a> {
    pub key: &'a str,
    /// `Equal` (also when empty) or `Exists`.
    pub operator: &'a str,
    pub value: &'a str,
    pub effect: &'a str,
    pub toleration_seconds: Option<i64>,
}

/// Which part of a toleration is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TolerationError {
    /// `key`, `operator`, `value`, `effect` or `tolerationSeconds`.
    pub field: &'static str,
    pub why: String,
}

/// Every rule CloudNativePG 1.30 checks on a toleration
/// (`validateTolerations`): the key is a qualified name; an empty key needs
/// `Exists`; `tolerationSeconds` needs `NoExecute`; `Equal` takes a label
/// value, `Exists` no value; the effect, when given, is a taint effect.
pub fn toleration(t: &Toleration) -> Vec<TolerationError> {
    let mut out = Vec::new();
    let mut err = |field: &'static str, why: String| out.push(TolerationError { field, why });
    if !t.key.is_empty()
        && let Err(why) = qualified_name(t.key)
    {
        err("key", why);
    }
    if t.key.is_empty() && t.operator != "Exists" {
        err(
            "operator",
            "an empty key matches every taint only with operator `Exists`".into(),
        );
    }
    if t.toleration_seconds.is_some() && t.effect != "NoExecute" {
        err(
            "tolerationSeconds",
            "tolerationSeconds is only allowed with effect `NoExecute`".into(),
        );
    }
    match t.operator {
        "" | "Equal" => {
            if let Err(why) = label_value(t.value) {
                err("value", why);
            }
        }
        "Exists" => {
            if !t.value.is_empty() {
                err("value", "operator `Exists` takes no value".into());
            }
        }
        other => err(
            "operator",
            format!("`{other}` is not a toleration operator; use Equal or Exists"),
        ),
    }
    if let Err(why) = taint_effect(t.effect, true) {
        err("effect", why);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(dns1123_label("a", 63).is_ok());
        assert!(dns1123_label("0db", 63).is_ok());
        assert!(dns1123_label(&"a".repeat(63), 63).is_ok());
        assert!(dns1123_label(&"a".repeat(64), 63).is_err());
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", "é"] {
            assert!(dns1123_label(bad, 63).is_err(), "{bad}");
        }
        assert!(dns1035_label("0db", 63).is_err());
        assert!(dns1035_label("db0", 63).is_ok());
        assert!(dns1123_subdomain("fast.ssd-1", 253).is_ok());
        for bad in ["", ".a", "a.", "a..b", "A.b", "a_b", "-a.b"] {
            assert!(dns1123_subdomain(bad, 253).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels() {
        assert!(qualified_name("app.kubernetes.io/name").is_ok());
        assert!(qualified_name("Team_1.x").is_ok());
        for bad in ["", "/a", "a/", "a/b/c", "Bad Key", "-a", "EXAMPLE.com/a"] {
            assert!(qualified_name(bad).is_err(), "{bad}");
        }
        assert!(qualified_name(&format!("example.com/{}", "a".repeat(63))).is_ok());
        assert!(qualified_name(&format!("example.com/{}", "a".repeat(64))).is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("A-b_c.d").is_ok());
        assert!(label_value("a b").is_err());
        assert!(label_value(&"a".repeat(64)).is_err());
    }

    #[test]
    fn tolerations() {
        let ok = Toleration {
            key: "dedicated",
            value: "db",
            effect: "NoSchedule",
            ..Default::default()
        };
        assert!(toleration(&ok).is_empty());
        let all = Toleration {
            operator: "Exists",
            ..Default::default()
        };
        assert!(toleration(&all).is_empty());
        let fields =
            |t: &Toleration| -> Vec<&str> { toleration(t).iter().map(|e| e.field).collect() };
        assert_eq!(
            fields(&Toleration {
                operator: "Equal",
                ..Default::default()
            }),
            ["operator"]
        );
        assert_eq!(
            fields(&Toleration {
                key: "k",
                operator: "Exists",
                value: "v",
                ..Default::default()
            }),
            ["value"]
        );
        assert_eq!(
            fields(&Toleration {
                key: "k",
                effect: "NoSchedule",
                toleration_seconds: Some(5),
                ..Default::default()
            }),
            ["tolerationSeconds"]
        );
        assert_eq!(
            fields(&Toleration {
                key: "k",
                effect: "Never",
                ..Default::default()
            }),
            ["effect"]
        );
        assert_eq!(
            fields(&Toleration {
                key: "k",
                operator: "In",
                ..Default::default()
            }),
            ["operator"]
        );
        assert_eq!(
            fields(&Toleration {
                key: "a b",
                ..Default::default()
            }),
            ["key"]
        );
    }
}
