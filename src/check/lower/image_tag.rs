//! A custom image's tag against the cluster's PostgreSQL version: takes an
//! image reference, gives the version the operator reads from its tag, the
//! way CNPG 1.30 does (cloudnative-pg/machinery `pkg/image/reference`
//! `New`, then `pkg/postgres/version` `FromTag`, called by the webhook's
//! `validateImageName` in internal/webhook/v1/cluster_webhook.go).

/// The tag of an image reference (`None` for a digest without a tag, which
/// the webhook refuses); a reference without tag nor digest is `latest`.
pub fn tag(image: &str) -> Option<String> {
    let mut name = image;
    // `@sha256:<hex>` at the end is the digest.
    if let Some(i) = name.rfind("@sha256:") {
        let hex = &name[i + "@sha256:".len()..];
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            name = &name[..i];
            return tag_of(name);
        }
    }
    Some(tag_of(name).unwrap_or_else(|| "latest".to_string()))
}

/// `:<tag>` at the end, with no `/` after the colon.
fn tag_of(name: &str) -> Option<String> {
    let (_, t) = name.rsplit_once(':')?;
    (!t.is_empty() && !t.contains('/')).then(|| t.to_string())
}

/// The (major, minor) CNPG reads from a tag: the longest prefix of digits
/// and dots (`16.4-bookworm` → 16.4, `16-3.4` → 16); `None` when the tag
/// does not start with a digit (`latest`, `pg16`), which the webhook refuses.
pub fn version(tag: &str) -> Option<(u32, Option<u32>)> {
    let end = tag
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(tag.len());
    let v = &tag[..end];
    let mut parts = v.split('.');
    let major = parts.next()?.parse::<u32>().ok()?;
    let minor = parts.next().and_then(|m| m.parse::<u32>().ok());
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_as_cnpg_reads_them() {
        assert_eq!(
            tag("ghcr.io/cloudnative-pg/postgresql:16.4").as_deref(),
            Some("16.4")
        );
        assert_eq!(tag("postgres").as_deref(), Some("latest"));
        assert_eq!(tag("localhost:5000/pg").as_deref(), Some("latest"));
        assert_eq!(tag("localhost:5000/pg:17.2-x").as_deref(), Some("17.2-x"));
        assert_eq!(tag(&format!("r.io/pg@sha256:{}", "a".repeat(64))), None);
        assert_eq!(
            tag(&format!("r.io/pg:16.1@sha256:{}", "b".repeat(64))).as_deref(),
            Some("16.1")
        );
        assert_eq!(version("16.4-bookworm"), Some((16, Some(4))));
        assert_eq!(version("16-3.4"), Some((16, None)));
        assert_eq!(version("18"), Some((18, None)));
        assert_eq!(version("pg16"), None);
        assert_eq!(version("latest"), None);
    }
}
