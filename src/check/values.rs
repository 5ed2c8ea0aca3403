//! Typed values: takes the text of one value, gives a parsed quantity, version,
//! duration, cron schedule, name, label or timestamp, or the reason it is not
//! one (a code, a message and help). Spans are attached by the caller.

use crate::diag::{Code, codes};
use crate::names::rules;

/// Why a value does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
    /// A replacement for the whole value, when one is obvious.
    pub fix: Option<String>,
}

impl Invalid {
    pub fn new(code: Code, message: impl Into<String>) -> Invalid {
        Invalid {
            code,
            message: message.into(),
            help: None,
            fix: None,
        }
    }

    pub fn help(mut self, h: impl Into<String>) -> Invalid {
        self.help = Some(h.into());
        self
    }

    pub fn fix(mut self, f: impl Into<String>) -> Invalid {
        self.fix = Some(f.into());
        self
    }
}

pub type Parsed<T> = Result<T, Invalid>;

/// A Kubernetes resource quantity, kept as written and as a number of base
/// units (cores or bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub text: String,
    pub value: f64,
}

pub fn quantity(text: &str) -> Parsed<Quantity> {
    let bad = || {
        Invalid::new(codes::E0305, format!("`{text}` is not a Kubernetes quantity"))
            .help("write a number with an optional suffix: 500m, 2, 512Mi, 10Gi (binary: Ki Mi Gi Ti Pi Ei; decimal: k M G T P E)")
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
        .unwrap_or(text.len());
    let (num, suffix) = text.split_at(split);
    if num.is_empty() || num.starts_with('.') && num.len() == 1 || num.matches('.').count() > 1 {
        return Err(bad());
    }
    let n: f64 = num.parse().map_err(|_| bad())?;
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s => {
            let lower = s.to_ascii_lowercase();
            let hint = match lower.as_str() {
                "gb" | "g" | "gib" => Some("Gi"),
                "mb" | "mib" => Some("Mi"),
                "kb" | "kib" => Some("Ki"),
                "tb" | "tib" => Some("Ti"),
                _ => None,
            };
            let mut e = bad();
            if let Some(h) = hint {
                e = e
                    .help(format!("Kubernetes writes binary sizes as {num}{h}"))
                    .fix(format!("{num}{h}"));
            }
            return Err(e);
        }
    };
    Ok(Quantity {
        text: text.to_string(),
        value: n * mult,
    })
}

/// A PostgreSQL version: `16` or `16.2` (an optional `-suffix` is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u32,
    pub minor: Option<u32>,
    pub text: String,
}

pub fn version(text: &str, supported: std::ops::RangeInclusive<u32>) -> Parsed<Version> {
    let (core, _suffix) = text.split_once('-').unwrap_or((text, ""));
    let mut parts = core.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().map(|p| p.parse::<u32>());
    let extra = parts.next();
    let (Some(major), None) = (major, extra) else {
        return Err(Invalid::new(codes::E0306, format!("`{text}` is not a PostgreSQL version"))
            .help("write major.minor, such as 16.4 (the image tag ghcr.io/cloudnative-pg/postgresql:16.4)"));
    };
    let minor = match minor {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => {
            return Err(Invalid::new(
                codes::E0306,
                format!("`{text}` is not a PostgreSQL version"),
            )
            .help("write major.minor, such as 16.4"));
        }
    };
    if !supported.contains(&major) {
        let (lo, hi) = (supported.start(), supported.end());
        return Err(Invalid::new(
            codes::E0306,
            format!("PostgreSQL {major} is not supported by CloudNativePG 1.30"),
        )
        .help(format!("use a major version from {lo} to {hi}")));
    }
    Ok(Version {
        major,
        minor,
        text: text.to_string(),
    })
}

/// DNS-1123 label: lower case alphanumerics and `-`, starting and ending
/// alphanumeric, at most `max` characters.
pub fn k8s_name(text: &str, max: usize, what: &str) -> Parsed<String> {
    named(text, max, what, rules::dns1123_label(text, max))
}

/// A Cluster's name (and so a recovery cluster's): a DNS-1035 label of at
/// most 50 characters (CloudNativePG's webhook, `validateName`: the operator
/// names Services after it).
pub fn cluster_name(text: &str) -> Parsed<String> {
    named(text, 50, "cluster name", rules::dns1035_label(text, 50))
}

fn named(text: &str, max: usize, what: &str, verdict: Result<(), String>) -> Parsed<String> {
    let Err(why) = verdict else {
        return Ok(text.to_string());
    };
    let mut suggestion = to_k8s_name(text, max);
    if what == "cluster name" && suggestion.starts_with(|c: char| c.is_ascii_digit()) {
        suggestion = to_k8s_name(&format!("pg-{suggestion}"), max);
    }
    let mut e = Invalid::new(
        codes::E0303,
        format!("`{text}` is not a valid {what}: {why}"),
    );
    if !suggestion.is_empty() && suggestion != text {
        e = e.help(format!("write `{suggestion}`")).fix(suggestion);
    } else {
        e = e.help("Kubernetes names are DNS-1123 labels: [a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }
    Err(e)
}

/// The nearest valid DNS-1123 label to `text` (may be empty).
pub fn to_k8s_name(text: &str, max: usize) -> String {
    crate::names::sanitize(text, max)
}

/// DNS-1123 subdomain (StorageClass names, label prefixes): labels joined by dots, ≤ 253.
pub fn k8s_subdomain(text: &str) -> bool {
    rules::dns1123_subdomain(text, rules::SUBDOMAIN_MAX).is_ok()
}

/// A PostgreSQL identifier: 1–63 bytes (NAMEDATALEN-1), no control
/// character. PostgreSQL itself only refuses NUL, but a name reaches psql
/// `\connect` lines and SQL scripts: a newline there ends the line and the
/// rest would run as the superuser.
pub fn pg_ident(text: &str) -> Parsed<String> {
    if text.is_empty() {
        return Err(Invalid::new(
            codes::E0304,
            "an empty name is not a PostgreSQL identifier",
        ));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        let shown: String = text.escape_debug().collect();
        let cleaned: String = text.chars().filter(|c| !c.is_control()).collect();
        let mut e = Invalid::new(
            codes::E0304,
            format!(
                "\"{shown}\" holds the control character U+{:04X}: a PostgreSQL name may not",
                c as u32
            ),
        )
        .help("control characters (newlines, tabs, escapes) in a name would break out of the SQL and psql lines that carry it; remove them");
        if !cleaned.is_empty() {
            e = e.fix(format!(
                "\"{}\"",
                cleaned.replace('\\', "\\\\").replace('"', "\\\"")
            ));
        }
        return Err(e);
    }
    if text.len() > 63 {
        let mut cut = 63;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        return Err(Invalid::new(
            codes::E0304,
            format!(
                "`{text}` is {} bytes long; PostgreSQL identifiers are at most 63 bytes",
                text.len()
            ),
        )
        .help(format!(
            "PostgreSQL would silently truncate it to `{}`",
            &text[..cut]
        )));
    }
    Ok(text.to_string())
}

/// A Kubernetes label key: optional DNS-subdomain prefix + `/` + name.
pub fn label_key(key: &str) -> Parsed<()> {
    rules::qualified_name(key).map_err(|why| {
        Invalid::new(codes::E0310, format!("`{key}` is not a valid label key: {why}"))
            .help("a label key is an optional DNS prefix and `/` (`example.com/`), then at most 63 letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit")
    })
}

pub fn label_value(v: &str) -> Parsed<()> {
    rules::label_value(v).map_err(|why| {
        Invalid::new(codes::E0310, format!("`{v}` is not a valid label value: {why}"))
            .help("a label value has at most 63 characters: letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit")
    })
}

/// A duration such as `30s`, `10m`, `1h30m`, `7d`, `2w`; gives seconds.
pub fn duration(text: &str) -> Parsed<u64> {
    let bad = || {
        Invalid::new(codes::E0307, format!("`{text}` is not a duration"))
            .help("write a number and a unit: 30s, 10m, 12h, 7d, 2w (units may be combined: 1h30m)")
    };
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let n_end = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if n_end == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..n_end].parse().map_err(|_| bad())?;
        rest = &rest[n_end..];
        let u_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..u_end] {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err(bad()),
        };
        total = total.saturating_add(n.saturating_mul(unit));
        rest = &rest[u_end..];
    }
    Ok(total)
}

/// A barman retention policy `^[1-9][0-9]*[dwm]$`; gives the text and days.
pub fn retention(text: &str) -> Parsed<(String, u64)> {
    let (num, unit) = text.split_at(text.len().saturating_sub(1));
    let n = num
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && !num.starts_with('0'));
    let days = match (n, unit) {
        (Some(n), "d") => Some(n),
        (Some(n), "w") => Some(n * 7),
        (Some(n), "m") => Some(n * 30),
        _ => None,
    };
    match days {
        Some(d) => Ok((text.to_string(), d)),
        None => {
            let mut e = Invalid::new(codes::E0307, format!("`{text}` is not a retention policy"))
                .help("barman retention is a number of days, weeks or months: 30d, 4w, 6m");
            if let Some(d) = text
                .strip_suffix(" days")
                .or_else(|| text.strip_suffix("days"))
            {
                e = e.fix(format!("{}d", d.trim()));
            }
            Err(e)
        }
    }
}

/// A rotation policy word or a number of days; gives the label value.
pub fn rotation(text: &str) -> Parsed<String> {
    if crate::schema::ROTATION_WORDS.contains(&text) {
        return Ok(text.to_string());
    }
    if let Some(n) = text.strip_suffix('d')
        && n.parse::<u32>().is_ok_and(|n| n > 0)
    {
        return Ok(text.to_string());
    }
    let mut e = Invalid::new(codes::E0307, format!("`{text}` is not a rotation policy"))
        .help("write weekly, monthly, quarterly, yearly, never, or a number of days such as 90d");
    if let Some(s) =
        crate::diag::suggest::did_you_mean(text, crate::schema::ROTATION_WORDS.iter().copied())
    {
        e = e.help(format!("did you mean `{s}`?")).fix(s);
    }
    Err(e)
}

/// A CNPG schedule: 6 cron fields (seconds first) or a descriptor, each
/// field checked as robfig/cron v1.2.0 reads it (see `cron`).
pub fn cron(text: &str) -> Parsed<String> {
    let t = text.trim();
    let fields: Vec<&str> = t.split_whitespace().collect();
    if fields.len() == 5
        && super::cron::check(&format!("0 {t}"), super::cron::Dialect::Seconds).is_ok()
    {
        let six = format!("0 {}", fields.join(" "));
        return Err(Invalid::new(
            codes::E0308,
            format!("`{t}` has 5 fields; CNPG schedules have 6, seconds first"),
        )
        .help(format!("\"{six}\" runs at the same times (second 0)"))
        .fix(format!("\"{six}\"")));
    }
    super::cron::check(t, super::cron::Dialect::Seconds).map_err(|why| {
        Invalid::new(codes::E0308, format!("`{t}` is not a backup schedule: {why}"))
            .help("CNPG reads 6 fields, seconds first: second (0-59) minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) day-of-week (0-6 or SUN-SAT); e.g. \"0 0 2 * * *\" (daily at 02:00)")
    })
}

/// A Kubernetes CronJob schedule: 5 fields (minute first) or a descriptor,
/// each field checked as the API server reads it; `off` turns it off.
pub fn kube_cron(text: &str) -> Parsed<String> {
    let t = text.trim();
    if t == "off" {
        return Ok(t.to_string());
    }
    let fields: Vec<&str> = t.split_whitespace().collect();
    if fields.len() == 6
        && super::cron::check(&fields[1..].join(" "), super::cron::Dialect::Standard).is_ok()
    {
        return Err(Invalid::new(
            codes::E0308,
            format!("`{t}` has 6 fields; a Kubernetes CronJob schedule has 5 (no seconds)"),
        )
        .help(format!(
            "\"{}\" runs at the same times",
            fields[1..].join(" ")
        ))
        .fix(format!("\"{}\"", fields[1..].join(" "))));
    }
    super::cron::check(t, super::cron::Dialect::Standard).map_err(|why| {
        Invalid::new(codes::E0308, format!("`{t}` is not a CronJob schedule: {why}"))
            .help("a CronJob reads 5 fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) day-of-week (0-6 or SUN-SAT); e.g. \"0 3 * * 0\" (Sundays at 03:00)")
    })
}

/// An RFC 3339 timestamp (`2024-01-01T10:00:00Z`, `…+02:00`, fractions allowed).
pub fn rfc3339(text: &str) -> Parsed<String> {
    let bad = |why: &str| {
        Invalid::new(codes::E0312, format!("`{text}` is not an RFC 3339 timestamp: {why}"))
            .help("write date, `T`, time and zone: \"2024-01-01T10:00:00Z\" or \"2024-01-01T12:00:00+02:00\"")
    };
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20 {
        return Err(bad("too short"));
    }
    let (Some(y), Some(mo), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(bad("the date must be YYYY-MM-DD"));
    };
    if b[4] != b'-' || b[7] != b'-' {
        return Err(bad("the date must be YYYY-MM-DD"));
    }
    if b[10] != b'T' && b[10] != b't' {
        if b[10] == b' ' {
            let fixed = format!("{}T{}", &text[..10], &text[11..]);
            return Err(bad("date and time are joined by `T`").fix(format!("\"{fixed}\"")));
        }
        return Err(bad("date and time are joined by `T`"));
    }
    let (Some(h), Some(mi), Some(s)) = (digits(11..13), digits(14..16), digits(17..19)) else {
        return Err(bad("the time must be HH:MM:SS"));
    };
    if b[13] != b':' || b[16] != b':' {
        return Err(bad("the time must be HH:MM:SS"));
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d == 0 || d > mdays[(mo - 1) as usize] {
        return Err(bad("no such date"));
    }
    if h > 23 || mi > 59 || s > 60 {
        return Err(bad("no such time"));
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start {
            return Err(bad("a fraction needs digits"));
        }
    }
    match &text[i..] {
        "Z" | "z" => Ok(text.to_string()),
        zone if zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && digits(i + 1..i + 3).is_some_and(|h| h <= 23)
            && zone.as_bytes()[3] == b':'
            && digits(i + 4..i + 6).is_some_and(|m| m <= 59) =>
        {
            Ok(text.to_string())
        }
        "" => Err(bad("the time zone is missing").fix(format!("\"{text}Z\""))),
        _ => Err(bad("the time zone must be `Z` or ±HH:MM")),
    }
}

/// A boolean word.
pub fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// An environment variable name for `env("…")`.
pub fn env_var_name(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity("500m").unwrap().value, 0.5);
        assert_eq!(quantity("10Gi").unwrap().value, 10.0 * 1024f64.powi(3));
        assert_eq!(quantity("1.5").unwrap().value, 1.5);
        let e = quantity("10GB").unwrap_err();
        assert_eq!(e.fix.as_deref(), Some("10Gi"));
        assert!(quantity("Gi").is_err());
        assert!(quantity("1..2").is_err());
    }

    #[test]
    fn versions() {
        let v = version("16.2", 13..=18).unwrap();
        assert_eq!((v.major, v.minor), (16, Some(2)));
        assert_eq!(version("17", 13..=18).unwrap().minor, None);
        assert_eq!(version("12.4", 13..=18).unwrap_err().code, codes::E0306);
        assert!(version("16.x", 13..=18).is_err());
    }

    #[test]
    fn names() {
        assert!(k8s_name("app-db", 63, "name").is_ok());
        let e = k8s_name("App_DB", 63, "name").unwrap_err();
        assert_eq!(e.fix.as_deref(), Some("app-db"));
        assert!(k8s_name(&"a".repeat(64), 63, "name").is_err());
        assert!(pg_ident(&"é".repeat(31)).is_ok()); // 62 bytes
        assert!(pg_ident(&"é".repeat(32)).is_err()); // 64 bytes
    }

    #[test]
    fn crons() {
        assert_eq!(cron("0 0 2 * * *").unwrap(), "0 0 2 * * *");
        let e = cron("0 2 * * *").unwrap_err();
        assert_eq!(e.fix.as_deref(), Some("\"0 0 2 * * *\""));
        assert!(cron("@daily").is_ok());
    }

    #[test]
    fn times() {
        assert!(rfc3339("2024-01-01T10:00:00Z").is_ok());
        assert!(rfc3339("2024-02-29T10:00:00.123+02:00").is_ok());
        assert!(rfc3339("2023-02-29T10:00:00Z").is_err());
        assert!(rfc3339("2024-01-01 10:00:00Z").unwrap_err().fix.is_some());
        assert!(rfc3339("2024-01-01T10:00:00").is_err());
    }

    #[test]
    fn durations_and_retention() {
        assert_eq!(duration("1h30m").unwrap(), 5400);
        assert_eq!(duration("7d").unwrap(), 604_800);
        assert!(duration("7x").is_err());
        assert_eq!(retention("4w").unwrap().1, 28);
        assert!(retention("30").is_err());
        assert!(retention("0d").is_err());
    }

    #[test]
    fn labels() {
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("team").is_ok());
        assert!(label_key("Bad Key").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("-x").is_err());
    }
}
