//! The previous output tree: takes the output directory, gives the text of
//! every YAML manifest in it (path relative to it, text), for the check of
//! immutable fields (`cnpgc::check::immutable`). A missing directory is an
//! empty tree; files that cannot be read as UTF-8 are skipped.

use std::path::Path;

pub fn read(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(d) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                && let Ok(text) = std::fs::read_to_string(&p)
            {
                let rel = p
                    .strip_prefix(root)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                out.push((rel, text));
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}
