//! Output formats: the fixtures of tests/fixtures/formats/ rendered in every
//! `--format` and snapshotted; the SARIF log validated against the official
//! SARIF 2.1.0 schema and checked for what GitHub code scanning needs; the
//! GitHub workflow commands' escaping; the CLI's streams and exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

use cnpgc::diag::codes::REGISTRY;
use cnpgc::diag::render::{Format, render, sarif_log};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

fn fixtures() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cnpg"))
        .map(|p| {
            (
                format!("fixtures/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The SARIF log with what changes as the registry and the version change
/// taken out (checked separately below).
fn sarif_for_snapshot(mut log: Value) -> String {
    let run = &mut log["runs"][0];
    run["tool"]["driver"]["rules"] = Value::String("[every code of the registry]".into());
    run["tool"]["driver"]["version"] = Value::String("[version]".into());
    run["tool"]["driver"]["semanticVersion"] = Value::String("[version]".into());
    for r in run["results"].as_array_mut().unwrap() {
        r["ruleIndex"] = Value::String("[index of ruleId]".into());
    }
    serde_json::to_string_pretty(&log).unwrap() + "\n"
}

#[test]
fn every_format_of_every_fixture_matches_its_snapshot() {
    for (name, src) in fixtures() {
        let checked = cnpgc::check_sources(&[(name.as_str(), src.as_str())]);
        assert!(!checked.diagnostics.is_empty(), "{name} has no diagnostics");
        let stem = Path::new(&name)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for (format, ext) in [
            (Format::Human, "human"),
            (Format::Short, "short"),
            (Format::Json, "json"),
            (Format::Github, "github"),
            (Format::Sarif, "sarif"),
        ] {
            let out = if format == Format::Sarif {
                sarif_for_snapshot(sarif_log(&checked.diagnostics, &checked.sources))
            } else {
                render(&checked.diagnostics, &checked.sources, format, false)
            };
            insta::with_settings!({snapshot_path => "snapshots/formats", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{stem}.{ext}"), out);
            });
        }
    }
}

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(dir().join("sarif-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[test]
fn sarif_validates_against_the_official_schema_and_has_what_github_needs() {
    let validator = sarif_schema();
    let all = fixtures();
    let inputs: Vec<(&str, &str)> = all.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    let checked = cnpgc::check_sources(&inputs);
    let text = render(&checked.diagnostics, &checked.sources, Format::Sarif, false);
    let log: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // The schema does bite: a level SARIF does not know is refused.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&bad));
    // Also with no result at all.
    let clean = cnpgc::check_sources(&[("clean.cnpg", "cluster app < db x >\n")]);
    let empty: Value = serde_json::from_str(&render(
        &clean.diagnostics,
        &clean.sources,
        Format::Sarif,
        false,
    ))
    .unwrap();
    assert!(validator.is_valid(&empty));

    // What GitHub code scanning reads.
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "cnpgc");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), REGISTRY.len(), "every code is a rule");
    for (rule, info) in rules.iter().zip(REGISTRY) {
        assert_eq!(rule["id"], info.code);
        assert_eq!(rule["shortDescription"]["text"], info.title);
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.is_empty() && !full.starts_with('#'), "{}", info.code);
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## Example")
        );
        assert!(
            rule["name"]
                .as_str()
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        );
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), checked.diagnostics.len());
    let mut prints = std::collections::HashSet::new();
    for (r, d) in results.iter().zip(&checked.diagnostics) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at ruleId"
        );
        assert_eq!(r["ruleId"], d.code.as_str());
        assert!(
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with(&d.message)
        );
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/") && !uri.contains('\\'), "{uri}");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][k].as_u64().unwrap() >= 1, "{k}");
        }
        let fp = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(
            prints.insert(fp.to_string()),
            "fingerprints are unique: {fp}"
        );
    }
}

#[test]
fn sarif_columns_count_utf16_code_units() {
    let src = "cluster app <\n  init_db \"😀\" bogus\n>\n";
    let checked = cnpgc::check_sources(&[("u.cnpg", src)]);
    let log = sarif_log(&checked.diagnostics, &checked.sources);
    let r = result_of(&log, "E0202");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    // `bogus` starts at character 15 of line 2, after an emoji that is two
    // UTF-16 code units.
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 16);
    assert_eq!(region["endColumn"], 21);
    let short = render(&checked.diagnostics, &checked.sources, Format::Short, false);
    assert!(short.contains("u.cnpg:2:15: error[E0202]"), "{short}");
}

/// The first result with this rule (other lints may come and go).
fn result_of<'a>(log: &'a Value, code: &str) -> &'a Value {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == code)
        .unwrap_or_else(|| panic!("no {code} in {log:#}"))
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let a = "cluster app <\n  instances 3 bogus\n>\n";
    let b = "// a comment above moves every line down\n\ncluster app <\n  instances 3 bogus\n>\n";
    let fp = |src: &str| {
        let c = cnpgc::check_sources(&[("m.cnpg", src)]);
        let log = sarif_log(&c.diagnostics, &c.sources);
        result_of(&log, "E0202")["partialFingerprints"]["primaryLocationLineHash"].clone()
    };
    assert_eq!(fp(a), fp(b));
    assert_ne!(fp(a), fp("cluster app <\n  instances 2 bogus\n>\n"));
}

#[test]
fn github_commands_escape_properties_and_data() {
    let src = "cluster app <\n  instances 3 bogus\n>\n";
    let checked = cnpgc::check_sources(&[("dir/odd, name: 100%.cnpg", src)]);
    let out = render(
        &checked.diagnostics,
        &checked.sources,
        Format::Github,
        false,
    );
    let line = out.lines().find(|l| l.contains("title=E0202")).unwrap();
    assert!(
        line.starts_with(
            "::error file=dir/odd%2C name%3A 100%25.cnpg,line=2,col=15,endLine=2,endColumn=20,title=E0202::"
        ),
        "{line}"
    );
    // The help is on a second line of the message: an escaped newline.
    assert!(line.contains("%0Ahelp: "), "{line}");
    assert_eq!(out.lines().count(), checked.diagnostics.len());
    // Warnings and hints use their own commands.
    let w = cnpgc::check_sources(&[(
        "w.cnpg",
        "cluster dev < db app < owner o password insecure(\"x\") > >\n",
    )]);
    let out = render(&w.diagnostics, &w.sources, Format::Github, false);
    assert!(
        out.lines().any(|l| l.starts_with("::warning file=w.cnpg,")),
        "{out}"
    );
}

fn cnpgc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cnpgc"))
        .args(args)
        .current_dir(dir())
        .output()
        .unwrap()
}

#[test]
fn machine_formats_go_to_stdout_and_exit_codes_stay() {
    for format in ["json", "github", "sarif"] {
        let out = cnpgc(&["check", "--format", format, "errors.cnpg"]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(!out.stdout.is_empty(), "{format} prints to stdout");
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Warnings only: exit 0.
    let out = cnpgc(&["check", "--format", "sarif", "warnings.cnpg"]);
    assert_eq!(out.status.code(), Some(0));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result_of(&log, "W0401")["level"], "warning");
    // Human and short go to stderr.
    let out = cnpgc(&["check", "--format", "short", "errors.cnpg"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0204]"));
    // A file that cannot be read: exit 2.
    let out = cnpgc(&["check", "--format", "sarif", "no-such-file.cnpg"]);
    assert_eq!(out.status.code(), Some(2));
    // An unknown format is a usage error: exit 2.
    let out = cnpgc(&["check", "--format", "xml", "errors.cnpg"]);
    assert_eq!(out.status.code(), Some(2));
}
