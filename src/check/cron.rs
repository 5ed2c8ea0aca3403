//! Cron schedules as the cluster parses them: takes the text of a schedule
//! and who reads it, gives whether every field is in range and in the
//! syntax of that parser, and why not. ScheduledBackups are read by
//! CloudNativePG 1.30 with robfig/cron v1.2.0's `Parse` (seconds first:
//! `second minute hour day-of-month month day-of-week`); CronJobs by the API
//! server with robfig/cron v3's `ParseStandard` (five fields, minute
//! first; `TZ=`/`CRON_TZ=` refused in favour of `timeZone`). Both accept
//! the descriptors (`@daily`, …, `@every <Go duration>`). Field syntax
//! (parser.go `getRange`): `*` or `?`, a number or a name (JAN–DEC, SUN–SAT),
//! `a-b`, `x/step` (step ≥ 1), lists with `,`.

/// Which parser reads the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// robfig/cron v1.2.0 `Parse` (ScheduledBackup).
    Seconds,
    /// robfig/cron v3 `ParseStandard` (CronJob).
    Standard,
}

struct Bounds {
    what: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const SECOND: Bounds = Bounds {
    what: "second",
    min: 0,
    max: 59,
    names: &[],
};
const MINUTE: Bounds = Bounds {
    what: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Bounds = Bounds {
    what: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    what: "day of month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Bounds = Bounds {
    what: "month",
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Bounds = Bounds {
    what: "day of week",
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

/// The descriptors both parsers know (`parseDescriptor`).
pub const DESCRIPTORS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// The fields of a dialect, in order.
fn fields(d: Dialect) -> &'static [Bounds] {
    const SIX: [Bounds; 6] = [SECOND, MINUTE, HOUR, DOM, MONTH, DOW];
    const FIVE: [Bounds; 5] = [MINUTE, HOUR, DOM, MONTH, DOW];
    match d {
        Dialect::Seconds => &SIX,
        Dialect::Standard => &FIVE,
    }
}

/// Go's `time.ParseDuration`: an optional sign, then one or more
/// `<decimal><unit>` (units ns, us, µs, ms, s, m, h), or `0`.
pub fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if !matches!(
            &rest[..u],
            "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h"
        ) {
            return false;
        }
        rest = &rest[u..];
    }
    true
}

fn number(text: &str, b: &Bounds) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + if b.what == "month" { 1 } else { 0 });
    }
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        let names = if b.names.is_empty() {
            String::new()
        } else {
            format!(
                " or a name ({}–{})",
                b.names[0].to_uppercase(),
                b.names[b.names.len() - 1].to_uppercase()
            )
        };
        return Err(format!(
            "`{text}` is not a {}: write a number from {} to {}{names}",
            b.what, b.min, b.max
        ));
    }
    digits.parse::<u32>().map_err(|_| {
        format!(
            "`{text}` is out of range for the {} ({}–{})",
            b.what, b.min, b.max
        )
    })
}

/// One `a-b/step` item of a field.
fn range(expr: &str, b: &Bounds) -> Result<(), String> {
    let parts: Vec<&str> = expr.split('/').collect();
    if parts.len() > 2 {
        return Err(format!("`{expr}` has more than one `/`"));
    }
    let bounds: Vec<&str> = parts[0].split('-').collect();
    let (start, end) = if parts[0] == "*" || parts[0] == "?" {
        (b.min, b.max)
    } else {
        if bounds.len() > 2 {
            return Err(format!("`{expr}` has more than one `-`"));
        }
        let start = number(bounds[0], b)?;
        let end = match bounds.get(1) {
            Some(e) => number(e, b)?,
            None if parts.len() == 2 => b.max,
            None => start,
        };
        (start, end)
    };
    if start < b.min || end > b.max {
        let bad = if start < b.min { start } else { end };
        let hint = if b.what == "day of week" && bad == 7 {
            " (Sunday is 0)"
        } else {
            ""
        };
        return Err(format!(
            "{bad} is out of range for the {} ({}–{}){hint}",
            b.what, b.min, b.max
        ));
    }
    if start > end {
        return Err(format!("`{expr}`: the range starts after it ends"));
    }
    if let Some(step) = parts.get(1) {
        let n = step
            .strip_prefix('+')
            .unwrap_or(step)
            .parse::<u32>()
            .map_err(|_| format!("`{step}` in `{expr}` is not a step: write a positive number"))?;
        if n == 0 {
            return Err(format!("`{expr}`: a step must be at least 1"));
        }
    }
    Ok(())
}

/// Checks a schedule; gives it normalized (fields joined by one space).
pub fn check(text: &str, d: Dialect) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the schedule is empty".into());
    }
    if d == Dialect::Standard && t.contains("TZ") {
        return Err("a CronJob schedule may not hold TZ= or CRON_TZ= (the API server refuses it; cnpgc sets timeZone Etc/UTC)".into());
    }
    if t.starts_with('@') {
        if DESCRIPTORS.contains(&t) {
            return Ok(t.to_string());
        }
        if let Some(dur) = t.strip_prefix("@every ") {
            return if go_duration(dur) {
                Ok(t.to_string())
            } else {
                Err(format!(
                    "`{dur}` is not a Go duration: write hours, minutes and seconds such as 1h30m (no days)"
                ))
            };
        }
        return Err(format!(
            "`{t}` is not a descriptor: use {} or @every <duration>",
            DESCRIPTORS.join(", ")
        ));
    }
    let got: Vec<&str> = t.split_whitespace().collect();
    let spec = fields(d);
    if got.len() != spec.len() {
        return Err(format!(
            "it has {} fields; expected {}",
            got.len(),
            spec.len()
        ));
    }
    for (f, b) in got.iter().zip(spec) {
        for item in f.split(',') {
            if item.is_empty() {
                return Err(format!("`{f}` has an empty list item"));
            }
            range(item, b)?;
        }
    }
    Ok(got.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_first() {
        let ok = |s: &str| check(s, Dialect::Seconds).is_ok();
        for s in [
            "0 0 2 * * *",
            "*/30 * * * * ?",
            "0 0 3 * * SUN",
            "0 0 0 1 JAN-MAR *",
            "0 5-10/2 * * * 1-5",
            "@daily",
            "@every 1h30m",
            "@every 90s",
        ] {
            assert!(ok(s), "{s}");
        }
        for s in [
            "60 0 2 * * *",
            "0 0 2 * * 7",
            "*/0 * * * * *",
            "0 0 0 * 13 *",
            "0 0 0 ? * 1#2",
            "0 0 25 * * *",
            "0 0 2 * * L",
            "0 0 2 * *",
            "@every 1d",
            "@fortnightly",
            "0 0 5-2 * * *",
            "0 0 2 * * 1,,2",
            "0 0 1/2/3 * * *",
            "0 0 2 0 * *",
        ] {
            assert!(!ok(s), "{s}");
        }
    }

    #[test]
    fn standard_five() {
        let ok = |s: &str| check(s, Dialect::Standard).is_ok();
        for s in ["0 3 * * 0", "*/15 * * * *", "0 0 1 * *", "@weekly"] {
            assert!(ok(s), "{s}");
        }
        for s in [
            "0 25 * * *",
            "60 * * * *",
            "0 0 * * 7",
            "CRON_TZ=UTC 0 3 * * *",
            "0 0 3 * * *",
            "0 0 32 * *",
        ] {
            assert!(!ok(s), "{s}");
        }
        assert!(
            check("0 0 * * 7", Dialect::Standard)
                .unwrap_err()
                .contains("Sunday is 0")
        );
    }

    #[test]
    fn go_durations() {
        for s in ["1h", "1h30m", "1.5h", "300ms", "0", "2h45m10s", "1µs"] {
            assert!(go_duration(s), "{s}");
        }
        for s in ["", "1d", "h", "1", "1.2.3h", "1 h"] {
            assert!(!go_duration(s), "{s}");
        }
    }
}
