//! `cargo bench --bench lsp_recheck`: what the language server does on each
//! `didChange` of a 300-line document (parse, check, convert the
//! diagnostics, index the words for hover and definition), timed over many
//! runs; prints the median and the 95th percentile. The target is 2 ms.

use std::str::FromStr;
use std::time::Instant;

/// A realistic document of exactly `lines` lines: clusters with settings,
/// databases and users with grants, object stores, links, comments.
fn document(lines: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut c = 0;
    while out.len() < lines {
        out.extend([
            format!("// Cluster {c}: a service database with backups."),
            format!("cluster svc{c} <"),
            format!("  namespace   team{c}"),
            "  postgres    16.4                 // pinned".into(),
            "  instances   3".into(),
            "  storage     20Gi class standard".into(),
            "  resources   cpu 500m..2 memory 1Gi..4Gi".into(),
            "  labels      < team: platform, tier: db >".into(),
            String::new(),
        ]);
        for d in 0..3 {
            out.extend([
                format!("  db app{d} <"),
                format!("    owner app{d}_owner"),
                format!("    user  svc{c}_{d} grants connect, read, write"),
                format!("    user  report{c}_{d} grants connect, read, metadata_access"),
                "    extensions pg_trgm, vector".into(),
                "  >".into(),
            ]);
        }
        out.extend([
            String::new(),
            "  link minio backups <".into(),
            "    bucket    cnpg-backups".into(),
            "    endpoint  \"http://minio.minio.svc:9000\"".into(),
            "    retention 30d".into(),
            "    schedule  \"0 0 2 * * *\"".into(),
            "  >".into(),
            "  link prometheus".into(),
            format!("  link app web{c} to app0"),
            "  pitr restore < from backups backup_id \"20240101T020000\" >".into(),
            ">".into(),
            String::new(),
        ]);
        c += 1;
    }
    // Whole clusters only: drop the last one if it does not fit.
    while out.len() > lines {
        let cut = out[..out.len() - 1]
            .iter()
            .rposition(|l| l.starts_with("// Cluster"))
            .unwrap();
        out.truncate(cut);
    }
    while out.len() < lines {
        out.push("// padding".into());
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn median_and_p95(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

fn main() {
    let text = document(300);
    let n_lines = text.lines().count();
    let uri = lsp_types::Uri::from_str("file:///bench/doc.cnpg").unwrap();
    let mut doc = cnpgc::lsp::Document::new(uri, 0, text.clone());
    let errors: Vec<_> = doc
        .diagnostics
        .iter()
        .filter(|d| d.severity == Some(lsp_types::DiagnosticSeverity::ERROR))
        .map(|d| &d.message)
        .collect();
    assert!(
        errors.is_empty(),
        "the bench document has no error: {errors:?}"
    );
    // Alternate two texts, as typing does.
    let other = text.replacen("instances   3", "instances   2", 1);
    let runs = 2000;
    for i in 0..200 {
        let t = if i % 2 == 0 { &other } else { &text };
        doc.set_text(i, t.clone());
    }
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = if i % 2 == 0 { &other } else { &text };
        let t = t.clone();
        let start = Instant::now();
        doc.set_text(i as i32, t);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let (median, p95) = median_and_p95(times);
    let mut parse = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let f = cnpgc::syntax::parse(cnpgc::source::FileId(0), &text).unwrap();
        parse.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(f);
    }
    let (parse_median, _) = median_and_p95(parse);
    let time = |f: &dyn Fn()| {
        let mut v = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            f();
            v.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        median_and_p95(v).0
    };
    let check_median = time(&|| {
        std::hint::black_box(cnpgc::check_sources(&[("doc.cnpg", text.as_str())]));
    });
    let empty_median = time(&|| {
        std::hint::black_box(cnpgc::check_sources(&[("empty.cnpg", "")]));
    });
    println!(
        "lsp re-check of a {n_lines}-line document ({} bytes), {runs} runs: median {median:.3} ms, p95 {p95:.3} ms; target 2 ms",
        text.len()
    );
    println!(
        "  of which: parse {parse_median:.3} ms, parse + check {check_median:.3} ms (checking an empty document: {empty_median:.3} ms)"
    );
}
