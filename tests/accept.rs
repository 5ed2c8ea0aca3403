//! What the cluster accepts (issue 11), rule by rule: a program that breaks
//! a rule gets its diagnostic at the source that causes it; the program
//! just inside the limit checks clean (no error) and every manifest it
//! builds passes the strict schemas and CEL rules. docs/rules.md lists the
//! rules; `every_rule_of_the_docs_has_a_case_here` keeps the two together.

mod support;

use support::schema::Validator;

/// One rule: the code, a program that breaks it with the text the
/// diagnostic must point at, and a program just inside the limit.
struct Case {
    code: &'static str,
    bad: String,
    at: String,
    good: String,
}

fn case(code: &'static str, bad: &str, at: &str, good: &str) -> Case {
    Case {
        code,
        bad: bad.to_string(),
        at: at.to_string(),
        good: good.to_string(),
    }
}

/// `cluster app < instances 2 BODY >`.
fn app(body: &str) -> String {
    format!("cluster app <\n  instances 2\n  {body}\n>\n")
}

const S3: &str =
    "link s3 backups < bucket b endpoint \"https://s3.example.com\" credentials secret(\"s3\") >";
const S3_READ: &str = "link s3 backups < bucket b endpoint \"https://s3.example.com\" credentials secret(\"s3\") archive false >";

fn cases() -> Vec<Case> {
    let name63 = format!("ü\"'\\$cnpgc$ {}", "x".repeat(63 - "ü\"'\\$cnpgc$ ".len()));
    assert_eq!(name63.len(), 63);
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let cluster50 = format!("c{}", "0".repeat(49));
    vec![
        // Names: the API server and the webhook.
        case(
            "E0303",
            "cluster 1st < instances 2 >\n",
            "1st",
            "cluster a1st < instances 2 >\n",
        ),
        case(
            "E0303",
            &format!("cluster {cluster50}x < instances 2 >\n"),
            &format!("{cluster50}x"),
            &format!(
                "cluster {cluster50} < instances 2 db shop < user u grants connect > {S3} >\n"
            ),
        ),
        case(
            "E0303",
            &app("pooler 9p < type rw >"),
            "9p",
            &app("pooler p9 < type rw >"),
        ),
        case(
            "E0813",
            &app("pooler app-rw < type rw >"),
            "app-rw",
            &app("pooler app-rw0 < type rw >"),
        ),
        case(
            "E0303",
            &app("storage 10Gi class Fast_SSD"),
            "Fast_SSD",
            &app("storage 10Gi class fast-ssd.example.com"),
        ),
        case(
            "E0303",
            &app("snapshots < class \"csi..snap\" >"),
            "\"csi..snap\"",
            &app("snapshots < class csi.snap >"),
        ),
        case(
            "E0310",
            &app("nodepool \"db pool\" label pool"),
            "\"db pool\"",
            &app("nodepool db_pool.1 label pool"),
        ),
        case(
            "E0310",
            &app("nodepool db label \"example.com/a/b\""),
            "\"example.com/a/b\"",
            &app(&format!(
                "nodepool db label \"example.com/{}\" taint \"t.example.com/{}\"",
                "a".repeat(63),
                "t".repeat(63)
            )),
        ),
        // PostgreSQL identifiers.
        case(
            "E0304",
            &app("db \"shop\\n\\\\! id\" < user u grants connect >"),
            "\"shop\\n\\\\! id\"",
            &app(&format!(
                "db {} < user {} grants connect, read >",
                q(&name63),
                q(&name63.replace('ü', "u_"))
            )),
        ),
        case(
            "E0304",
            &app(&format!(
                "db {} < user u grants connect >",
                q(&format!("{name63}x"))
            )),
            &q(&format!("{name63}x")),
            &app(&format!("db {} < user u grants connect >", q(&name63))),
        ),
        case(
            "E0801",
            &app("db shop < user pg_reader grants connect >"),
            "pg_reader",
            &app("db shop < user pgreader grants connect >"),
        ),
        case(
            "E0801",
            &app("db shop < owner postgres >"),
            "postgres",
            &app("db shop < owner postgres_owner >"),
        ),
        case("E0801", &app("user cnpg_x"), "cnpg_x", &app("user cnpgx")),
        case(
            "E0802",
            &app("db template1 < user u grants connect >"),
            "template1",
            &app("db template2 < user u grants connect >"),
        ),
        // Parameters.
        case(
            "E0812",
            &app("parameters < \"work mem\": 8MB >"),
            "\"work mem\"",
            &app("parameters < pg_stat_statements.max: 10000 >"),
        ),
        case(
            "E0601",
            &app("parameters < Archive_Cleanup_Command: \"rm -rf /\" >"),
            "Archive_Cleanup_Command",
            &app("parameters < archive_timeout: 10min >"),
        ),
        case(
            "E0601",
            &app("parameters < \"archive_command \": x >"),
            "\"archive_command \"",
            &app("parameters < max_replication_slots: 16 >"),
        ),
        case(
            "E0602",
            &app("parameters < archive_mode: off >"),
            "archive_mode",
            &app("parameters < wal_level: logical >"),
        ),
        case(
            "E0804",
            &app("parameters < wal_level: minimal >"),
            "minimal",
            &app("parameters < wal_level: replica >"),
        ),
        case(
            "E0804",
            &app("parameters < wal_log_hints: off >"),
            "off",
            "cluster app < tier dev parameters < wal_log_hints: off > >\n",
        ),
        case(
            "E0804",
            &app("parameters < hot_standby_feedback: maybe >"),
            "maybe",
            &app("parameters < hot_standby_feedback: on >"),
        ),
        case(
            "E0804",
            &app("wal_storage 2Gi parameters < max_wal_size: 2GB >"),
            "2GB",
            &app("wal_storage 2Gi parameters < max_wal_size: 2047MB >"),
        ),
        case(
            "E0805",
            &app("resources memory 512Mi..2Gi parameters < shared_buffers: 513MB >"),
            "513MB",
            &app("resources memory 512Mi..2Gi parameters < shared_buffers: 512MB >"),
        ),
        // Poolers.
        case(
            "E0806",
            &app("pooler p < parameters < max_client_connections: 100 > >"),
            "max_client_connections",
            &app(
                "pooler p < parameters < max_client_conn: 100, server_tls_sslmode: verify-full > >",
            ),
        ),
        case(
            "E0807",
            &app("pooler p < mode statement >"),
            "statement",
            &app("pooler p < mode transaction >"),
        ),
        // Recovery targets.
        case(
            "E0808",
            &app(&format!(
                "{S3_READ} recovery < from backups target_time \"2024-05-01T09:00:00Z\" target_timeline 0 >"
            )),
            "0",
            &app(&format!(
                "{S3_READ} recovery < from backups target_time \"2024-05-01T09:00:00Z\" target_timeline 1 >"
            )),
        ),
        case(
            "E0808",
            &app(&format!(
                "{S3} pitr p < backup_id 20240101T020000 target_xid 4294967296 >"
            )),
            "4294967296",
            &app(&format!(
                "{S3} pitr p < backup_id 20240101T020000 target_xid 4294967295 >"
            )),
        ),
        case(
            "E0808",
            &app(&format!(
                "{S3} pitr p < backup_id 20240101T020000 target_name {} >",
                "n".repeat(64)
            )),
            &"n".repeat(64),
            &app(&format!(
                "{S3} pitr p < backup_id 20240101T020000 target_name {} >",
                "n".repeat(63)
            )),
        ),
        case(
            "E0808",
            &app(&format!(
                "{S3_READ} recovery < from backups target_name before >"
            )),
            "target_name",
            &app(&format!(
                "{S3_READ} recovery < from backups backup_id 20240101T020000 target_name before >"
            )),
        ),
        // Schedules: robfig/cron v1.2.0 (ScheduledBackup), v3 (CronJob).
        case(
            "E0308",
            &app(&format!(
                "{S3} snapshots < class c schedule \"60 0 2 * * *\" >"
            )),
            "\"60 0 2 * * *\"",
            &app(&format!(
                "{S3} snapshots < class c schedule \"59 0 2 * * *\" >"
            )),
        ),
        case(
            "E0308",
            &app("snapshots < class c schedule \"0 0 2 * * 7\" >"),
            "\"0 0 2 * * 7\"",
            &app("snapshots < class c schedule \"0 0 2 * * 6\" >"),
        ),
        case(
            "E0308",
            &app("snapshots < class c schedule \"*/0 * * * * *\" >"),
            "\"*/0 * * * * *\"",
            &app("snapshots < class c schedule \"*/1 * * * * ?\" >"),
        ),
        case(
            "E0308",
            &app("snapshots < class c schedule \"0 0 0 1 13 *\" >"),
            "\"0 0 0 1 13 *\"",
            &app("snapshots < class c schedule \"0 0 0 1 12 *\" >"),
        ),
        case(
            "E0308",
            &app("snapshots < class c schedule \"0 0 0 ? * 1#2\" >"),
            "\"0 0 0 ? * 1#2\"",
            &app("snapshots < class c schedule \"0 0 0 ? * MON-FRI\" >"),
        ),
        case(
            "E0308",
            &app("snapshots < class c schedule \"@every 1d\" >"),
            "\"@every 1d\"",
            &app("snapshots < class c schedule \"@every 24h\" >"),
        ),
        case(
            "E0308",
            &app(
                "link s3 backups < bucket b endpoint \"https://s3.example.com\" credentials secret(\"s3\") export_schedule \"0 24 * * *\" >",
            ),
            "\"0 24 * * *\"",
            &app(
                "link s3 backups < bucket b endpoint \"https://s3.example.com\" credentials secret(\"s3\") export_schedule \"59 23 31 12 6\" >",
            ),
        ),
    ]
}

fn source_at(checked: &cnpgc::Checked, d: &cnpgc::diag::Diagnostic) -> String {
    checked.sources.text(d.span).to_string()
}

fn manifests_valid(label: &str, src: &str, v: &Validator) -> Vec<String> {
    let checked = cnpgc::check_sources(&[("good.cnpg", src)]);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(
        errors.is_empty(),
        "{label}: the program inside the limit has errors {errors:?}\n{src}"
    );
    let p = checked.program.expect("clean");
    let mut out = Vec::new();
    for t in cnpgc::emit::emit_program(&p) {
        for f in &t.files {
            if f.path.ends_with("kustomization.yaml") || f.path.ends_with("roles.yaml") {
                continue;
            }
            out.extend(
                v.validate_yaml_stream(&format!("{label} {}/{}", t.root, f.path), &f.content),
            );
        }
    }
    out.extend(v.validate_yaml_stream(&format!("{label} stream"), &cnpgc::emit::emit_stream(&p)));
    out
}

#[test]
fn every_rule_breaks_at_its_source_and_holds_just_inside_its_limit() {
    let v = Validator::new();
    let mut problems = Vec::new();
    for (i, c) in cases().iter().enumerate() {
        let label = format!("case {i} ({})", c.code);
        let checked = cnpgc::check_sources(&[("bad.cnpg", c.bad.as_str())]);
        let hits: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == c.code)
            .map(|d| source_at(&checked, d))
            .collect();
        if !hits.contains(&c.at) {
            problems.push(format!(
                "{label}: expected {} at `{}`, got {:?} (all: {:?})\n{}",
                c.code,
                c.at,
                hits,
                checked
                    .diagnostics
                    .iter()
                    .map(|d| (d.code.as_str(), source_at(&checked, d)))
                    .collect::<Vec<_>>(),
                c.bad
            ));
        }
        problems.extend(manifests_valid(&label, &c.good, &v));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The false positives the issue names: what CloudNativePG 1.30 accepts
/// checks clean.
#[test]
fn what_the_operator_allows_checks_clean() {
    let v = Validator::new();
    let src = app(&format!(
        "parameters < archive_timeout: 5min, wal_level: logical, max_replication_slots: 20, wal_keep_size: 1GB, full_page_writes: on >\n  {S3}\n  link s3 other < bucket b path cnpg/app endpoint \"https://s3.example.com\" credentials secret(\"s3\") archive false >"
    ));
    let checked = cnpgc::check_sources(&[("ok.cnpg", src.as_str())]);
    let w0801: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "W0801")
        .collect();
    assert_eq!(
        w0801.len(),
        1,
        "a path ending with the cluster's name warns: {:?}",
        checked.diagnostics
    );
    assert!(manifests_valid("allowed", &src, &v).is_empty());
}

/// Every code docs/rules.md lists has a case above or a fixture.
#[test]
fn every_rule_of_the_docs_has_a_case_here() {
    let rules =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    let fixtures: Vec<String> = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/diagnostics"
    ))
    .unwrap()
    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    .collect();
    let here: Vec<&str> = cases().iter().map(|c| c.code).collect();
    let mut missing = Vec::new();
    for word in rules.split(|c: char| !c.is_ascii_alphanumeric()) {
        let is_code = word.len() == 5
            && matches!(&word[..1], "E" | "W" | "H")
            && word[1..].bytes().all(|b| b.is_ascii_digit());
        if is_code && !here.contains(&word) && !fixtures.iter().any(|f| f.starts_with(word)) {
            missing.push(word.to_string());
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "codes in docs/rules.md without a test: {missing:?}"
    );
}

/// The grant ConfigMap at the size limit: just under it checks clean and
/// the ConfigMap it writes passes the schemas; a few databases more is E0810.
#[test]
fn grant_config_map_just_under_and_over_one_mebibyte() {
    let program = |n: usize| {
        let mut s = String::from("cluster app <\n  instances 2\n");
        for i in 1..=n {
            s.push_str(&format!(
                "  db db_with_a_rather_long_name_number_{i} < user u grants connect >\n"
            ));
        }
        s.push_str(">\n");
        s
    };
    let size = |n: usize| -> Option<usize> {
        let c = cnpgc::check_sources(&[("big.cnpg", program(n).as_str())]);
        let p = c.program?;
        Some(
            cnpgc::emit::grants::job::cluster_files(&p.clusters[0])
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum(),
        )
    };
    // Find the largest clean program by its size per database.
    let per_db = size(100).unwrap() / 100;
    let mut n = (1024 * 1024) / per_db;
    while size(n).is_none_or(|s| s > 1024 * 1024) {
        n -= 5;
    }
    let s = size(n).unwrap();
    assert!(
        s > 1000 * 1024,
        "just under the limit: {s} bytes for {n} databases"
    );
    let over = cnpgc::check_sources(&[("big.cnpg", program(n + 20).as_str())]);
    assert!(over.diagnostics.iter().any(|d| d.code.as_str() == "E0810"));
    let c = cnpgc::check_sources(&[("big.cnpg", program(n).as_str())]);
    let p = c.program.unwrap();
    let docs = cnpgc::emit::grants::job::docs(&p.clusters[0]);
    let mut text = String::new();
    cnpgc::emit::yaml::write_docs(&mut text, &docs);
    assert_eq!(
        Validator::new().validate_yaml_stream("grant job", &text),
        Vec::<String>::new()
    );
}
