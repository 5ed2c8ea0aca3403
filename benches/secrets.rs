//! `cargo bench --bench secrets`: a first build (fresh output directory) of
//! N clusters (3 databases and 3 users each) whose passwords are generated
//! and SOPS-encrypted, against the floor: the same build where every
//! password is an existing Secret (`secret("…")`, nothing to encrypt).
//! Both run the release `cnpgc build` binary end to end (check, emit,
//! secrets, write); median of 3 runs each. The sops binary's path is
//! measured on a small N for the per-file figure. Figures go in the README.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A demo recipient (no private half is kept).
const RECIPIENT: &str = "age1dv0c4acy9zhpkjmexx6hqhrnfewhh0tyys9fh5nx6hh95m0r5gjq52lt69";

fn program(n: usize, existing: bool) -> String {
    let mut s = String::with_capacity(n * 500);
    for i in 0..n {
        s.push_str(&format!(
            "cluster c{i} <\n  namespace team{i}\n  postgres 16.4\n  instances 3\n  storage 10Gi class standard\n  resources cpu 500m..2 memory 1Gi..4Gi\n"
        ));
        for d in 0..3 {
            if existing {
                s.push_str(&format!(
                    "  db app{d} < owner own{d} password secret(\"c{i}-own{d}\")  user svc{d} password secret(\"c{i}-svc{d}\") grants connect, read >\n"
                ));
            } else {
                s.push_str(&format!(
                    "  db app{d} < owner own{d}  user svc{d} grants connect, read >\n"
                ));
            }
        }
        s.push_str(">\n");
    }
    s
}

fn build(dir: &Path, extra: &[&str]) -> Duration {
    let _ = std::fs::remove_dir_all(dir.join("out"));
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_cnpgc"))
        .current_dir(dir)
        .args(["build", "p.cnpg", "-o", "out", "--age", RECIPIENT])
        .args(extra)
        .env_remove("SOPS_AGE_KEY_FILE")
        .output()
        .expect("cnpgc runs");
    let e = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    e
}

fn median(dir: &Path, extra: &[&str], runs: usize) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| build(dir, extra)).collect();
    v.sort();
    v[runs / 2]
}

fn main() {
    let tmp = std::env::temp_dir().join(format!("cnpgc-bench-secrets-{}", std::process::id()));
    let (floor_dir, gen_dir) = (tmp.join("existing"), tmp.join("generated"));
    std::fs::create_dir_all(&floor_dir).unwrap();
    std::fs::create_dir_all(&gen_dir).unwrap();
    println!("clusters  existing Secrets (floor)  generated, in-process  ratio  secret files");
    for n in [100, 1000] {
        std::fs::write(floor_dir.join("p.cnpg"), program(n, true)).unwrap();
        std::fs::write(gen_dir.join("p.cnpg"), program(n, false)).unwrap();
        let floor = median(&floor_dir, &[], 3);
        let generated = median(&gen_dir, &[], 3);
        println!(
            "{n:>8}  {:>22.3} s  {:>19.3} s  {:>5.2}  {:>12}",
            floor.as_secs_f64(),
            generated.as_secs_f64(),
            generated.as_secs_f64() / floor.as_secs_f64(),
            n * 6
        );
    }
    let has_sops = Command::new("sops").arg("--version").output().is_ok();
    if has_sops {
        let n = 5;
        std::fs::write(gen_dir.join("p.cnpg"), program(n, false)).unwrap();
        let native = median(&gen_dir, &[], 3);
        let binary = build(&gen_dir, &["--sops-binary"]);
        println!(
            "sops binary, {n} clusters ({} files): {:.3} s ({:.1} ms per file); in-process: {:.3} s",
            n * 6,
            binary.as_secs_f64(),
            binary.as_secs_f64() * 1000.0 / (n * 6) as f64,
            native.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
