#![allow(dead_code)]
//! The example programs and their compiled trees, for tests: every
//! `examples/*.cnpg`, checked and emitted in memory; secrets rendered in
//! plaintext with dummy values (what Flux applies after decryption).

use std::path::{Path, PathBuf};

use cnpgc::secrets::{EntryValue, SecretFile};

pub struct Example {
    pub name: String,
    pub path: PathBuf,
    pub source: String,
    pub program: cnpgc::ir::Program,
    pub trees: Vec<cnpgc::emit::Tree>,
    pub secrets: Vec<SecretFile>,
}

pub fn example_paths() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cnpg"))
        .collect();
    v.sort();
    v
}

/// Every example, compiled; panics with the rendered diagnostics when one
/// does not check clean.
pub fn examples() -> Vec<Example> {
    example_paths()
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&path).unwrap();
            let display = format!("examples/{}", path.file_name().unwrap().to_string_lossy());
            let checked = cnpgc::check_sources(&[(display.as_str(), source.as_str())]);
            let rendered = cnpgc::diag::render::render(
                &checked.diagnostics,
                &checked.sources,
                cnpgc::diag::render::Format::Human,
                false,
            );
            let program = checked
                .program
                .clone()
                .unwrap_or_else(|| panic!("{display} does not check clean:\n{rendered}"));
            let trees = cnpgc::emit::emit_program(&program);
            let secrets = cnpgc::secrets::plan(&program);
            Example {
                name,
                path,
                source,
                program,
                trees,
                secrets,
            }
        })
        .collect()
}

/// A secret in plaintext with recognisable dummy values.
pub fn dummy_secret(f: &SecretFile) -> String {
    let values: Vec<(String, String)> = f
        .entries
        .iter()
        .map(|e| {
            let v = match &e.value {
                EntryValue::Plain(v) => v.clone(),
                EntryValue::Secret { .. } | EntryValue::Copy { .. } => {
                    format!("dummy-{}", e.key.to_lowercase())
                }
            };
            (e.key.clone(), v)
        })
        .collect();
    cnpgc::secrets::render_plain(f, &values)
}

/// Writes an example's trees (with dummy plaintext secrets) under `dir`.
pub fn write_trees(ex: &Example, dir: &Path) {
    for t in &ex.trees {
        for f in &t.files {
            let p = dir.join(&t.root).join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &f.content).unwrap();
        }
    }
    for s in &ex.secrets {
        let p = dir.join(&s.root).join(&s.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, dummy_secret(s)).unwrap();
    }
}

/// Every directory under `dir` holding a kustomization.yaml.
pub fn kustomization_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n == "kustomization.yaml") {
                out.push(d.to_path_buf());
            }
        }
    }
    walk(dir, &mut out);
    out.sort();
    out
}
