//! Derived names (issue 11): over generated source names of every length
//! from 1 to 63 and every character class (upper and lower case, digits,
//! `_ - . ; = / $`, spaces, quotes, backslashes, multi-byte characters),
//! every object name in the output is valid for its kind, and every label
//! value is a label value. The checks here are written from the API
//! server's rules (apimachinery validation.go, batch and core validation),
//! CloudNativePG's and Flux's, independently of `src/names`. A fixed-seed
//! generator keeps runs reproducible (CASES programs, a few seconds).

use serde::Deserialize;
use serde_norway::Value;

const CASES: usize = 63;

/// xorshift64*: reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick(&mut self, from: &[char]) -> char {
        from[self.below(from.len())]
    }
}

const LOWER: &[char] = &['a', 'b', 'k', 'q', 'z'];
const DIGIT: &[char] = &['0', '1', '7', '9'];
const ANY: &[char] = &[
    'a', 'z', 'A', 'Z', '0', '9', '_', '-', '.', ';', '=', '/', '$', ' ', '"', '\'', '\\', 'é',
    'ü', '中', '🐘', ':', '@', '%',
];

/// A PostgreSQL identifier of `want` bytes at most (at least 1 character).
fn pg_name(r: &mut Rng, want: usize) -> String {
    let mut s = String::new();
    loop {
        let c = r.pick(ANY);
        if s.len() + c.len_utf8() > want {
            break;
        }
        s.push(c);
    }
    if s.is_empty() {
        s.push('x');
    }
    s
}

/// A DNS label of length `len`; `letter_first` for DNS-1035.
fn label(r: &mut Rng, len: usize, letter_first: bool) -> String {
    let mut s = String::new();
    for i in 0..len {
        let c = if i == 0 && letter_first {
            r.pick(LOWER)
        } else if i == 0 || i == len - 1 {
            if r.below(2) == 0 {
                r.pick(LOWER)
            } else {
                r.pick(DIGIT)
            }
        } else {
            match r.below(4) {
                0 => '-',
                1 => r.pick(DIGIT),
                _ => r.pick(LOWER),
            }
        };
        s.push(c);
    }
    s
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn reserved(s: &str) -> bool {
    matches!(
        s,
        "postgres"
            | "template0"
            | "template1"
            | "public"
            | "none"
            | "current_user"
            | "session_user"
            | "current_role"
            | "streaming_replica"
    ) || s.starts_with("pg_")
        || s.starts_with("cnpg_")
}

fn program(r: &mut Rng, i: usize) -> String {
    let lens = [1, 2, 45, 46, 50];
    let cname = |r: &mut Rng| {
        let n = if i < lens.len() {
            lens[i]
        } else {
            1 + r.below(50)
        };
        label(r, n, true)
    };
    let c1 = cname(r);
    let mut c2 = cname(r);
    if c2 == c1 {
        c2 = format!("{}b", &c1[..c1.len().min(49)]);
    }
    // Case i has names of i + 1 bytes (every length from 1 to 63 once).
    let len = i % 63 + 1;
    let pg = |r: &mut Rng| loop {
        let n = pg_name(r, len);
        if !reserved(&n) {
            return n;
        }
    };
    let db = pg(r);
    let owner = pg(r);
    let mut user = pg(r);
    if user == owner {
        user.push('2');
    }
    let ns = label(r, len, false);
    let app = label(r, len, false);
    let l2 = 1 + r.below(63);
    let mut app2 = label(r, l2, false);
    if app2 == app {
        app2 = format!("{}x", &app[..app.len().min(62)]);
    }
    let store = label(r, 64 - len, false);
    let mut pooler = label(r, len, true);
    if pooler.starts_with(&c1) || pooler == c1 {
        pooler = format!("p{}", &pooler[..pooler.len().min(62)]);
    }
    let flux = if i.is_multiple_of(2) {
        "flux < >\n"
    } else {
        ""
    };
    let (db, owner, user) = (quoted(&db), quoted(&owner), quoted(&user));
    format!(
        "{flux}cluster {c1} <
  namespace {ns}
  instances 2
  db {db} < owner {owner} user {user} grants connect, read >
  link s3 {store} < bucket b endpoint \"https://s3.example.com\" credentials secret(\"s3\") export_schedule \"0 3 * * 0\" >
  snapshots < class csi schedule \"0 0 3 * * *\" >
  pooler {pooler} < type rw >
  secret_store st
  link app {app}
  link app {app2} via st
  link prometheus < operator false >
  pitr restore-a < backup_id 20240101T020000 >
  link db-migration to {c2}
  env dev
  env prod < instances 3 >
>
cluster {c2} <
  namespace {ns}
  instances 2
  db {db} < owner {owner} user {user} grants connect, read >
  link migration-db from {c1} < mode logical >
>
"
    )
}

fn dns_label(s: &str, max: usize) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !s.is_empty()
        && s.len() <= max
        && s.chars().all(|c| ok(c) || c == '-')
        && s.starts_with(ok)
        && s.ends_with(ok)
}

/// IsDNS1123Subdomain: dot-separated labels (no per-label limit), ≤ max.
fn subdomain(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.split('.').all(|p| dns_label(p, max))
}

fn label_value(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    s.is_empty()
        || (s.len() <= 63
            && s.chars().all(|c| ok(c) || matches!(c, '-' | '_' | '.'))
            && s.starts_with(ok)
            && s.ends_with(ok))
}

/// Why a manifest's name is not valid for its kind.
fn bad_name(doc: &Value) -> Option<String> {
    let kind = doc.get("kind")?.as_str()?;
    let api = doc
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let meta = doc.get("metadata")?;
    let s = |k: &str| meta.get(k).and_then(Value::as_str);
    let mut why = Vec::new();
    if let Some(prefix) = s("generateName") {
        // The API server appends 5 characters; Jobs and Backups become labels.
        let full = format!("{prefix}abcde");
        if !dns_label(&full, 63) {
            why.push(format!(
                "generateName {prefix} + 5 is not a 63-character label"
            ));
        }
    }
    if let Some(name) = s("name") {
        let ok = match kind {
            "Namespace" | "Job" => dns_label(name, 63),
            "Service" | "Pooler" => {
                dns_label(name, 63) && name.starts_with(|c: char| c.is_ascii_lowercase())
            }
            "Cluster" => dns_label(name, 50) && name.starts_with(|c: char| c.is_ascii_lowercase()),
            "CronJob" => subdomain(name, 52),
            "ScheduledBackup" => {
                let snapshot = doc
                    .get("spec")
                    .and_then(|s| s.get("method"))
                    .and_then(Value::as_str)
                    == Some("volumeSnapshot");
                dns_label(name, if snapshot { 48 } else { 63 })
            }
            "Kustomization" if api.starts_with("kustomize.toolkit.fluxcd.io") => {
                dns_label(name, 63)
            }
            _ => subdomain(name, 253),
        };
        if !ok {
            why.push(format!("{kind} name `{name}`"));
        }
    }
    for labels in [
        meta.get("labels"),
        doc.get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels")),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(m) = labels.as_mapping() {
            for (k, v) in m {
                let v = v.as_str().unwrap_or_default();
                if !label_value(v) {
                    why.push(format!("label {:?}={v:?}", k.as_str()));
                }
            }
        }
    }
    (!why.is_empty()).then(|| format!("{kind}: {}", why.join(", ")))
}

#[test]
fn every_derived_name_is_valid_for_its_kind() {
    let mut r = Rng(0x5eed_cafe_f00d_0001);
    let mut problems = Vec::new();
    let mut objects = 0;
    for i in 0..CASES {
        let src = program(&mut r, i);
        let checked = cnpgc::check_sources(&[("gen.cnpg", src.as_str())]);
        let Some(p) = checked.program else {
            panic!(
                "case {i} does not check clean:\n{src}\n{:?}",
                checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| (d.code.as_str(), &d.message))
                    .collect::<Vec<_>>()
            );
        };
        let mut texts: Vec<(String, String)> = Vec::new();
        for t in cnpgc::emit::emit_program(&p) {
            for f in t.files {
                if !f.path.ends_with("kustomization.yaml") {
                    texts.push((format!("{}/{}", t.root, f.path), f.content));
                }
            }
        }
        texts.push(("stream".into(), cnpgc::emit::emit_stream(&p)));
        for (path, text) in &texts {
            for d in serde_norway::Deserializer::from_str(text) {
                let v = Value::deserialize(d).expect("emitted YAML parses");
                if v.is_null() {
                    continue;
                }
                objects += 1;
                if let Some(why) = bad_name(&v) {
                    problems.push(format!("case {i} {path}: {why}"));
                }
            }
        }
        for s in cnpgc::secrets::plan(&p) {
            objects += 1;
            if !subdomain(&s.name, 253) {
                problems.push(format!("case {i}: Secret name `{}`", s.name));
            }
        }
        // What the collision checks read agrees with the output's kinds.
        for c in &p.clusters {
            for o in cnpgc::emit::objects(&p, c) {
                if o.kind.rule().check(&o.name).is_err() {
                    problems.push(format!("case {i}: listed {} `{}`", o.kind.as_str(), o.name));
                }
            }
        }
    }
    assert!(objects > CASES * 20, "{objects} objects checked");
    assert!(
        problems.is_empty(),
        "{} invalid names:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
