//! "Did you mean": takes a misspelt name and the names in scope, gives the
//! closest one when it is close enough to be a likely typo.

/// The best candidate within a small edit distance, or `None`.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        // Allow about one edit per three characters, at least one, at most three.
        let limit = (name.chars().count().max(c.chars().count()) / 3).clamp(1, 3);
        let close = d <= limit || (c.len() > 3 && (c.starts_with(&lower) || lower.starts_with(c)));
        if close && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// "did you mean `x`?" text, or a list of what is allowed when nothing is close.
pub fn help_text<'a>(name: &str, candidates: &[&'a str], what: &str) -> (Option<&'a str>, String) {
    match did_you_mean(name, candidates.iter().copied()) {
        Some(s) => (Some(s), format!("did you mean `{s}`?")),
        None if candidates.is_empty() => (None, format!("no {what} is declared here")),
        None if candidates.len() <= 12 => (
            None,
            format!(
                "expected one of: {}",
                candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        None => (
            None,
            format!("see `cnpgc explain` or the language reference for the {what}s allowed here"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        assert_eq!(
            did_you_mean("namespce", ["namespace", "instances"]),
            Some("namespace")
        );
        assert_eq!(did_you_mean("wirte", ["read", "write"]), Some("write"));
        assert_eq!(did_you_mean("zzz", ["read", "write"]), None);
    }
}
