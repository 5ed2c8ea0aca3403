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
    assert!(flags("a").has(Flag::CreateTables) && flags("a").has(Flag::ManageRoles));
    assert!(p.clusters[0].role("a").unwrap().createrole);
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
