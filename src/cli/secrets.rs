//! `cnpgc secrets`: takes files and the output directory, lists every secret
//! the clusters use: where its value comes from, its rotation policy, when
//! its encrypted file last changed (SOPS `lastmodified`) and whether it is due.

use std::path::PathBuf;

use cnpgc::ir::SecretSource;
use cnpgc::secrets::{EntryValue, Format};

#[derive(clap::Args)]
pub struct Args {
    /// .cnpg files, or directories to search for them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The output directory holding the encrypted files.
    #[arg(short = 'o', long = "out", default_value = "out")]
    out: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Only secrets that are due (exit 1 when there is one): for CI reminders.
    #[arg(long)]
    due: bool,
}

#[derive(serde::Serialize)]
struct Row {
    cluster: String,
    secret: String,
    namespace: String,
    source: String,
    rotation: Option<String>,
    last_rotated: Option<String>,
    due: Option<bool>,
}

/// Days of a rotation policy.
fn period_days(policy: &str) -> Option<u64> {
    match policy {
        "weekly" => Some(7),
        "monthly" => Some(30),
        "quarterly" => Some(91),
        "yearly" => Some(365),
        "never" => None,
        p => p.strip_suffix('d').and_then(|n| n.parse().ok()),
    }
}

/// SOPS's `lastmodified` of an encrypted file.
fn last_modified(bytes: &[u8], format: Format) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    match format {
        Format::Yaml => {
            let v: serde_json::Value = serde_norway::from_str(&text).ok()?;
            v.get("sops")?
                .get("lastmodified")?
                .as_str()
                .map(str::to_string)
        }
        Format::DockerConfig => {
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            v.get("sops")?
                .get("lastmodified")?
                .as_str()
                .map(str::to_string)
        }
        Format::Dotenv => text
            .lines()
            .find_map(|l| l.strip_prefix("sops_lastmodified="))
            .map(str::to_string),
    }
}

/// Seconds since the epoch of an RFC 3339 UTC timestamp (`YYYY-MM-DDTHH:MM:SSZ`).
fn epoch_seconds(ts: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, m, d, hh, mm, ss) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

pub fn run(a: Args, color: bool) -> u8 {
    let inputs = match super::inputs::read(&a.files) {
        Ok(i) => i,
        Err(e) => return super::fail(e),
    };
    let checked = cnpgc::check_sources(&inputs);
    let Some(program) = checked.program.as_ref() else {
        super::report(&checked, cnpgc::diag::render::Format::Human, color);
        return 1;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut rows = Vec::new();
    for f in cnpgc::secrets::plan(program) {
        let source = f
            .entries
            .iter()
            .filter_map(|e| match &e.value {
                EntryValue::Secret { source, .. } => Some(source.describe()),
                EntryValue::Copy { secret, .. } => Some(format!("copy of {secret}")),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" + ");
        let last = std::fs::read(a.out.join(&f.root).join(&f.path))
            .ok()
            .and_then(|b| last_modified(&b, f.format));
        let due = match (&f.rotation, &last) {
            (Some(p), Some(l)) => period_days(p)
                .zip(epoch_seconds(l))
                .map(|(days, t)| now - t > days as i64 * 86_400),
            (Some(p), None) => period_days(p).map(|_| true),
            _ => None,
        };
        rows.push(Row {
            cluster: f.root.clone(),
            secret: f.name.clone(),
            namespace: f.namespace.clone(),
            source,
            rotation: f.rotation.clone(),
            last_rotated: last,
            due,
        });
    }
    for c in &program.clusters {
        for r in &c.roles {
            if let Some(SecretSource::Existing { name }) = r.password.as_ref().map(|p| &p.source) {
                rows.push(Row {
                    cluster: c.name.clone(),
                    secret: name.clone(),
                    namespace: c.namespace.clone(),
                    source: "existing Secret (not managed by cnpgc)".into(),
                    rotation: r.rotation.clone(),
                    last_rotated: None,
                    due: None,
                });
            }
        }
    }
    if a.due {
        rows.retain(|r| r.due == Some(true));
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("rows serialize")
        );
    } else {
        println!(
            "{:<16} {:<32} {:<16} {:<30} {:<10} {:<22} DUE",
            "CLUSTER", "SECRET", "NAMESPACE", "SOURCE", "ROTATION", "LAST ROTATED"
        );
        for r in &rows {
            println!(
                "{:<16} {:<32} {:<16} {:<30} {:<10} {:<22} {}",
                r.cluster,
                r.secret,
                r.namespace,
                r.source,
                r.rotation.as_deref().unwrap_or("-"),
                r.last_rotated.as_deref().unwrap_or("-"),
                match r.due {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "-",
                }
            );
        }
    }
    if a.due && !rows.is_empty() { 1 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch() {
        assert_eq!(epoch_seconds("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(epoch_seconds("2024-03-01T00:00:00Z"), Some(1_709_251_200));
    }
}
