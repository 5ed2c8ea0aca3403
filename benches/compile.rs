//! `cargo bench --bench compile`: compiles generated programs of N clusters
//! (each with 3 databases and 3 users) for N = 1, 1 000 and 10 000, and
//! reports wall time and peak memory (each N in its own process, so peaks do
//! not add up), plus the binary's start-up time. Figures go in the README.

use std::process::Command;
use std::time::Instant;

/// The source of N clusters, each with 3 databases and 3 users (one per
/// database, with grants), sized and linked like a small production cluster.
fn program(n: usize) -> String {
    let mut s = String::with_capacity(n * 400);
    for i in 0..n {
        s.push_str(&format!(
            "cluster c{i} <\n  namespace team{i}\n  postgres 16.4\n  instances 3\n  storage 10Gi class standard\n  resources cpu 500m..2 memory 1Gi..4Gi\n"
        ));
        for (d, flags) in [
            "connect, read",
            "connect, read, write",
            "connect, read, write, create_tables",
        ]
        .iter()
        .enumerate()
        {
            s.push_str(&format!("  db app{d} < user svc{d} grants {flags} >\n"));
        }
        s.push_str("  link prometheus\n>\n");
    }
    s
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// One measurement, printed as `n seconds bytes files peak_kib`.
fn run_one(n: usize) {
    let src = program(n);
    let rss_before = peak_rss_kib();
    let t = Instant::now();
    let checked = cnpgc::check_sources(&[("bench.cnpg", src.as_str())]);
    let program = checked.program.expect("the generated program checks clean");
    let t_check = t.elapsed();
    let trees = cnpgc::emit::emit_program(&program);
    let secrets = cnpgc::secrets::plan(&program);
    let elapsed = t.elapsed();
    let files: usize = trees.iter().map(|t| t.files.len()).sum();
    let bytes: usize = trees
        .iter()
        .flat_map(|t| t.files.iter())
        .map(|f| f.content.len())
        .sum();
    println!(
        "{n} {:.4} {:.4} {bytes} {files} {} {rss_before} {} {}",
        elapsed.as_secs_f64(),
        t_check.as_secs_f64(),
        peak_rss_kib(),
        src.len(),
        secrets.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--one") {
        run_one(args[i + 1].parse().unwrap());
        return;
    }
    let me = std::env::current_exe().unwrap();
    println!("cnpgc compile benchmark (check + emit in memory; 3 dbs and 3 users per cluster)");
    println!(
        "{:>8} {:>10} {:>10} {:>12} {:>10} {:>12} {:>12}",
        "clusters", "total s", "check s", "output MiB", "files", "source MiB", "peak MiB"
    );
    for n in [1usize, 1_000, 10_000] {
        let mut best: Option<Vec<String>> = None;
        for _ in 0..3 {
            let out = Command::new(&me)
                .args(["--one", &n.to_string()])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let f: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let t: f64 = f[1].parse().unwrap();
            if best
                .as_ref()
                .is_none_or(|b| t < b[1].parse::<f64>().unwrap())
            {
                best = Some(f);
            }
        }
        let f = best.unwrap();
        let mib = |s: &str| s.parse::<f64>().unwrap() / (1024.0 * 1024.0);
        println!(
            "{:>8} {:>10} {:>10} {:>12.1} {:>10} {:>12.1} {:>12.1}",
            n,
            f[1],
            f[2],
            mib(&f[3]),
            f[4],
            mib(&f[7]),
            f[5].parse::<f64>().unwrap() / 1024.0
        );
    }
    // Start-up: the release binary answering --version.
    let bin = me
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("cnpgc"));
    if let Some(bin) = bin.filter(|b| b.exists()) {
        let mut times = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let s = Command::new(&bin).arg("--version").output().unwrap();
            assert!(s.status.success());
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "start-up (cnpgc --version, median of 30): {:.2} ms",
            times[15]
        );
    }
}
