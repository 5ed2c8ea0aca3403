//! Kubernetes names derived from source names: takes a prefix and a free-form
//! name (a PostgreSQL identifier may hold anything), gives a unique DNS-1123
//! label. Lossy conversions get a short hash suffix so two different source
//! names never map to the same object.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::values::to_k8s_name;

/// Hands out unique Kubernetes names within one namespace.
#[derive(Debug, Default)]
pub struct NameAlloc {
    used: HashSet<String>,
}

impl NameAlloc {
    /// Reserves a name that must be used as is (a user-chosen Secret, say).
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// `<prefix>-<name>` made a DNS-1123 label of at most `max` characters;
    /// when that loses information or is taken, a hash of `name` is appended.
    pub fn derive(&mut self, prefix: &str, name: &str, max: usize) -> String {
        let base = to_k8s_name(&format!("{prefix}-{name}"), max);
        // `_` → `-` is the one change that keeps names readable without a
        // hash (a collision still gets one).
        let exact = base == format!("{prefix}-{name}").replace('_', "-");
        if exact && !self.used.contains(&base) {
            self.used.insert(base.clone());
            return base;
        }
        let h = short_hash(name);
        let room = max.saturating_sub(h.len() + 1);
        let mut stem: String = base.chars().take(room).collect();
        while stem.ends_with('-') {
            stem.pop();
        }
        let mut candidate = if stem.is_empty() {
            format!("x-{h}")
        } else {
            format!("{stem}-{h}")
        };
        let mut n = 2;
        while self.used.contains(&candidate) {
            candidate = format!("{stem}-{h}{n}");
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

/// Six hex digits of SHA-256: stable across runs and platforms.
pub fn short_hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(3).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_when_possible_hashed_when_lossy() {
        let mut a = NameAlloc::default();
        assert_eq!(a.derive("app", "myapp", 63), "app-myapp");
        let x = a.derive("app", "my_app", 63);
        assert_eq!(x, "app-my-app");
        let y = a.derive("app", "my-app", 63);
        assert!(y.starts_with("app-my-app-"), "{y}");
        assert!(a.derive("app", "My_App", 63).starts_with("app-my-app-"));
        let z = a.derive("app", "x\"; DROP TABLE t; --", 63);
        assert!(z.len() <= 63 && z.starts_with("app-x-drop-table-t-"), "{z}");
    }
}
