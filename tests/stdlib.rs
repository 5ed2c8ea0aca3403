//! The standard library (stdlib/*.cnpg, embedded): every module checks clean;
//! presets, bundles and profiles do what their documentation says; using a
//! standard name without its `use` is an error that names the module.

use cnpgc::ir::Flag;

fn program(src: &str) -> cnpgc::ir::Program {
    let c = cnpgc::check_sources(&[("t.cnpg", src)]);
    let rendered = cnpgc::diag::render::render(
        &c.diagnostics,
        &c.sources,
        cnpgc::diag::render::Format::Short,
        false,
    );
    c.program.unwrap_or_else(|| panic!("{rendered}"))
}

fn codes(src: &str) -> Vec<&'static str> {
    cnpgc::check_sources(&[("t.cnpg", src)])
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[test]
fn every_std_module_checks_clean() {
    for (name, file, text) in cnpgc::check::modules::STD {
        let c = cnpgc::check_sources(&[(*file, *text)]);
        assert!(c.diagnostics.is_empty(), "{name}: {:?}", c.diagnostics);
    }
}

#[test]
fn presets_follow_the_series_ratios() {
    let ratios = [
        ("t1", 0.5),
        ("c1", 1.0),
        ("s1", 2.0),
        ("u1", 4.0),
        ("m1", 8.0),
    ];
    let sizes = [
        "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge",
    ];
    for (series, ratio) in ratios {
        for size in sizes {
            let p = program(&format!(
                "use std::presets\ncluster app < instances 2 preset {series}.{size} >"
            ));
            let r = &p.clusters[0].resources;
            let cpu = cnpgc::check::values::quantity(&r.cpu.as_ref().unwrap().1)
                .unwrap()
                .value;
            let mem = r.memory_limit_bytes.unwrap() / 1024f64.powi(3);
            assert!(
                (mem / cpu - ratio).abs() < 1e-9,
                "{series}.{size}: {cpu} CPU, {mem} GiB"
            );
            assert_eq!(
                r.cpu.as_ref().unwrap().0,
                r.cpu.as_ref().unwrap().1,
                "requests = limits"
            );
        }
    }
    // resources override a preset field by field.
    let p = program(
        "use std::presets\ncluster app < instances 2 preset u1.medium resources memory 4Gi >",
    );
    let r = &p.clusters[0].resources;
    assert_eq!(r.cpu.as_ref().unwrap().1, "2");
    assert_eq!(r.memory.as_ref().unwrap().1, "4Gi");
}

#[test]
fn bundles_expand_to_flags() {
    let p = program(
        "use std::bundles\ncluster app < instances 2 db d < user r grants readonly\n user w grants readwrite\n user a grants admin > >",
    );
    let flags = |u: &str| {
        p.clusters[0].databases[0]
            .grants
            .iter()
            .find(|g| g.role == u)
            .unwrap()
            .flags
    };
    assert!(flags("r").has(Flag::Read) && !flags("r").has(Flag::Write));
    assert!(flags("w").has(Flag::Write) && flags("w").has(Flag::ExecuteFunctions));
    assert!(flags("a").has(Flag::CreateTables));
}

/// Seed 003's roles: `readonly` reads and may EXECUTE functions; `admin`
/// owns the database and its schemas (a member of the owner role) without
/// cluster-wide CREATEROLE. (What they give on PostgreSQL: tests/grants_pg.rs.)
#[test]
fn bundles_mean_what_seed_003_roles_mean() {
    let p = program(
        "use std::bundles\ncluster app < instances 2 db d < owner o\n user r grants readonly\n user a grants admin > >",
    );
    let c = &p.clusters[0];
    let flags = |u: &str| {
        c.databases[0]
            .grants
            .iter()
            .find(|g| g.role == u)
            .unwrap()
            .flags
    };
    let r = flags("r");
    assert_eq!(r.names(), ["connect", "read", "execute_functions"]);
    let a = flags("a");
    assert!(a.has(Flag::Own) && a.has(Flag::Connect), "{:?}", a.names());
    assert!(!a.has(Flag::ManageRoles), "no CREATEROLE: {:?}", a.names());
    assert!(!c.role("a").unwrap().createrole);
    // `own` is a membership in the owner role, in the managed roles.
    let roles = cnpgc::emit::roles::role_list(c);
    let a_role = roles
        .iter()
        .find(|r| r.at(&["name"]).and_then(|n| n.as_str()) == Some("a"))
        .unwrap();
    let in_roles: Vec<&str> = a_role
        .at(&["inRoles"])
        .and_then(|v| match v {
            cnpgc::emit::yaml::Node::Seq(s) => Some(s),
            _ => None,
        })
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert_eq!(in_roles, ["o"]);
}

/// std::presets is seed 003's table (cozystack docs/operations/
/// resource-presets.md) exactly: every series × size, the legacy flat names
/// with their own values, and t1.micro when a cluster names no size.
#[test]
fn presets_are_seed_003_table_default_included() {
    let sizes = [
        ("nano", "250m"),
        ("micro", "500m"),
        ("small", "1"),
        ("medium", "2"),
        ("large", "4"),
        ("xlarge", "8"),
        ("2xlarge", "16"),
        ("4xlarge", "32"),
    ];
    // Memory per size, for t1 c1 s1 u1 m1 (the table's columns).
    let memory = [
        ["128Mi", "256Mi", "512Mi", "1Gi", "2Gi"],
        ["256Mi", "512Mi", "1Gi", "2Gi", "4Gi"],
        ["512Mi", "1Gi", "2Gi", "4Gi", "8Gi"],
        ["1Gi", "2Gi", "4Gi", "8Gi", "16Gi"],
        ["2Gi", "4Gi", "8Gi", "16Gi", "32Gi"],
        ["4Gi", "8Gi", "16Gi", "32Gi", "64Gi"],
        ["8Gi", "16Gi", "32Gi", "64Gi", "128Gi"],
        ["16Gi", "32Gi", "64Gi", "128Gi", "256Gi"],
    ];
    let legacy = [
        ("nano", "250m", "128Mi"),
        ("micro", "500m", "256Mi"),
        ("small", "1", "512Mi"),
        ("medium", "1", "1Gi"),
        ("large", "2", "2Gi"),
        ("xlarge", "4", "4Gi"),
        ("2xlarge", "8", "8Gi"),
    ];
    let mut expected = Vec::new();
    for (i, (size, cpu)) in sizes.iter().enumerate() {
        for (j, series) in ["t1", "c1", "s1", "u1", "m1"].iter().enumerate() {
            expected.push((format!("{series}.{size}"), *cpu, memory[i][j]));
        }
    }
    for (name, cpu, mem) in legacy {
        expected.push((name.to_string(), cpu, mem));
    }
    let resources = |src: &str| {
        let r = program(src).clusters[0].resources.clone();
        (r.cpu.unwrap(), r.memory.unwrap())
    };
    for (name, cpu, mem) in &expected {
        let (c, m) = resources(&format!(
            "use std::presets\ncluster app < instances 2 preset {name} >"
        ));
        assert_eq!((c.0.as_str(), c.1.as_str()), (*cpu, *cpu), "{name} cpu");
        assert_eq!((m.0.as_str(), m.1.as_str()), (*mem, *mem), "{name} memory");
    }
    // Nothing more than the table: no flat 4xlarge.
    assert!(
        codes("use std::presets\ncluster app < instances 2 preset 4xlarge >").contains(&"E0206")
    );
    let (_, _, text) = cnpgc::check::modules::STD
        .iter()
        .find(|(n, _, _)| *n == "std::presets")
        .unwrap();
    let defined = text.lines().filter(|l| l.starts_with("preset ")).count();
    assert_eq!(
        defined,
        expected.len(),
        "std::presets defines the table's presets only"
    );
    // The default: t1.micro when a cluster names neither preset nor resources.
    let (c, m) = resources("use std::presets\ncluster app < instances 2 >");
    assert_eq!((c.1.as_str(), m.1.as_str()), ("500m", "256Mi"));
    // Without std::presets, no default at all.
    assert!(
        program("cluster app < instances 2 >").clusters[0]
            .resources
            .cpu
            .is_none()
    );
    // `resources` alone wins over the default entirely.
    let r = program("use std::presets\ncluster app < instances 2 resources memory 1Gi..1Gi >")
        .clusters[0]
        .resources
        .clone();
    assert!(r.cpu.is_none());
    // A second default is refused.
    assert!(
        codes(
            "use std::presets\npreset mine cpu 1 memory 1Gi default\ncluster app < instances 2 >"
        )
        .contains(&"E0204")
    );
}

#[test]
fn profiles_are_defaults_the_cluster_overrides() {
    let p = program(
        "use std::profiles\ncluster app < profile prod instances 5 link s3 b < bucket x credentials secret(\"s\") > >",
    );
    let c = &p.clusters[0];
    assert_eq!(c.instances, 5, "the cluster's own statement wins");
    assert_eq!(c.tier, Some(cnpgc::ir::Tier::Prod));
    assert!(c.placement.replication_slots.as_ref().is_some_and(|r| r.ha));
    // prod without a backup warns.
    assert!(codes("use std::profiles\ncluster app < profile prod >").contains(&"W0501"));
    // dev silences the single-instance warning.
    assert!(!codes("use std::profiles\ncluster app < profile dev >").contains(&"W0609"));
}

#[test]
fn std_names_need_their_use() {
    let c = cnpgc::check_sources(&[("t.cnpg", "cluster app < instances 2 preset u1.small >")]);
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "E0206")
        .expect("E0206");
    assert!(
        d.help.as_deref().unwrap_or("").contains("use std::presets"),
        "{:?}",
        d.help
    );
    let c = cnpgc::check_sources(&[(
        "t.cnpg",
        "cluster app < instances 2 db d < user u grants readonly > >",
    )]);
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "E0309")
        .expect("E0309");
    assert!(
        d.help.as_deref().unwrap_or("").contains("use std::bundles"),
        "{:?}",
        d.help
    );
}

#[test]
fn user_definitions_and_cycles() {
    let p = program(
        "bundle analyst grants connect, read, metadata_access\nprofile base < tier prod instances 3 >\nprofile team < profile base pdb false >\n\
         cluster app < profile team link s3 b < bucket x credentials secret(\"s\") > db d < user u grants analyst > >",
    );
    let c = &p.clusters[0];
    assert_eq!(c.instances, 3);
    assert!(!c.placement.pdb);
    assert!(
        codes("profile a < profile b >\nprofile b < profile a >\ncluster x < profile a >")
            .contains(&"E0206")
    );
    assert!(
        codes("bundle a grants b\nbundle b grants a\ncluster x < db d < user u grants a > >")
            .contains(&"E0309")
    );
    assert!(codes("preset p cpu 1\npreset p cpu 2\ncluster x < preset p >").contains(&"E0205"));
}
