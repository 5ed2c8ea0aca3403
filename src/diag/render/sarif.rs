//! SARIF format: a SARIF 2.1.0 log (one run) as GitHub code scanning takes it
//! (`github/codeql-action/upload-sarif`). The driver lists every registered
//! code as a rule (title, explain page, default level); each diagnostic is a
//! result with its rule, level, message (help appended), a region in UTF-16
//! columns (`columnKind` says so), the secondary labels as related locations,
//! and a `primaryLocationLineHash` fingerprint (code, file and the text of the
//! line) so that an alert keeps its identity when lines move.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::diag::codes::{CodeInfo, REGISTRY};
use crate::diag::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Where cnpgc lives: the `repository` of Cargo.toml when it is set.
pub const HOME: &str = if env!("CARGO_PKG_REPOSITORY").is_empty() {
    "https://github.com/cnpgc/cnpgc"
} else {
    env!("CARGO_PKG_REPOSITORY")
};

/// The explain page of a code, on the web (the same text as `cnpgc explain CODE`).
pub fn code_url(code: &str) -> String {
    format!("{HOME}/blob/main/docs/diagnostics/{code}.md")
}

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render_sarif(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut s = serde_json::to_string_pretty(&sarif_log(diags, sources)).expect("SARIF serializes");
    s.push('\n');
    s
}

/// The SARIF log as a JSON value.
pub fn sarif_log(diags: &[Diagnostic], sources: &SourceMap) -> Value {
    let rules: Vec<Value> = REGISTRY.iter().map(rule).collect();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = REGISTRY
                .iter()
                .position(|c| c.code == d.code.as_str())
                .expect("every code is registered");
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let hash = line_hash(d, sources);
            let n = seen.entry(hash.clone()).or_insert(0);
            *n += 1;
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [ { "physicalLocation": physical(sources, d.span) } ],
                "partialFingerprints": { "primaryLocationLineHash": format!("{hash}:{n}") },
            });
            if !d.secondary.is_empty() {
                r["relatedLocations"] = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        json!({
                            "id": i + 1,
                            "physicalLocation": physical(sources, l.span),
                            "message": { "text": l.message },
                        })
                    })
                    .collect();
            }
            r
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "cnpgc",
                "informationUri": HOME,
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "utf16CodeUnits",
            "results": results,
        } ],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Hint => "note",
    }
}

fn rule(c: &CodeInfo) -> Value {
    let body = c
        .page
        .split_once('\n')
        .map(|(_, rest)| rest.trim())
        .unwrap_or(c.page);
    let summary = body.split("\n\n").next().unwrap_or(body).trim();
    json!({
        "id": c.code,
        "name": rule_name(c.title),
        "shortDescription": { "text": c.title },
        "fullDescription": { "text": summary },
        "help": { "text": body, "markdown": c.page },
        "helpUri": code_url(c.code),
        "defaultConfiguration": { "level": level(c.severity) },
        "properties": { "retired": c.retired },
    })
}

/// `unknown attribute` → `UnknownAttribute`.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().unwrap().to_ascii_uppercase();
            std::iter::once(first).chain(cs).collect::<String>()
        })
        .collect()
}

fn physical(sources: &SourceMap, span: Span) -> Value {
    let f = sources.get(span.file);
    let (l, c) = f.utf16_position(span.start as usize);
    let (el, ec) = f.utf16_position(span.end as usize);
    let mut artifact = json!({ "uri": artifact_uri(&f.name) });
    if !f.name.starts_with('/') {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": l + 1,
            "startColumn": c + 1,
            "endLine": el + 1,
            "endColumn": ec + 1,
        },
    })
}

/// The file name as given, as a URI reference: forward slashes, relative
/// (against `%SRCROOT%`) unless the name is absolute, percent-encoded.
pub fn artifact_uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let mut out = String::new();
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A stable hash of the code, the file name and the text of the primary line.
fn line_hash(d: &Diagnostic, sources: &SourceMap) -> String {
    let f = sources.get(d.span.file);
    let line = f.line_index(d.span.start as usize);
    let start = f.line_starts()[line] as usize;
    let end = f
        .line_starts()
        .get(line + 1)
        .map(|&e| e as usize)
        .unwrap_or(f.text.len());
    let text = f.text[start..end].trim();
    let mut h = Sha256::new();
    h.update(d.code.as_str().as_bytes());
    h.update([0]);
    h.update(f.name.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(
            rule_name("secret re-encrypted without comparison"),
            "SecretReEncryptedWithoutComparison"
        );
        assert_eq!(
            rule_name("invalid Kubernetes name"),
            "InvalidKubernetesName"
        );
        assert_eq!(artifact_uri("dir/my file.cnpg"), "dir/my%20file.cnpg");
        assert_eq!(artifact_uri("/abs/a.cnpg"), "file:///abs/a.cnpg");
    }
}
