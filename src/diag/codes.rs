//! The registry of diagnostic codes: takes nothing, gives every code with its
//! severity, one-line title and explain page (docs/diagnostics/CODE.md, embedded).
//! Codes are stable: never renumbered, never reused; a retired code keeps its
//! entry (marked retired) so `cnpgc explain` still answers for it.
//!
//! Numbering: E01xx syntax, E02xx structure and names, E03xx values and types,
//! E04xx secrets, E05xx backups and recovery, E06xx running (tuning, replication,
//! images, placement), E07xx GitOps, network, migration; W… the same ranges for
//! warnings, H… for hints.

use super::Severity;

/// A stable diagnostic code such as `E0201`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(&'static str);

impl Code {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn info(self) -> &'static CodeInfo {
        lookup(self.0).expect("every Code constant is registered")
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[derive(Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// The explain page (markdown).
    pub page: &'static str,
    pub retired: bool,
}

macro_rules! codes {
    ($( $id:ident $sev:ident $title:literal $(retired=$ret:literal)?; )*) => {
        $( #[doc = $title] pub const $id: Code = Code(stringify!($id)); )*
        /// Every code, in numeric order.
        pub static REGISTRY: &[CodeInfo] = &[
            $( CodeInfo {
                code: stringify!($id),
                severity: Severity::$sev,
                title: $title,
                page: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics/", stringify!($id), ".md")),
                retired: false $(|| $ret)?,
            }, )*
        ];
    };
}

codes! {
    E0101 Error "syntax error";
    E0102 Error "invalid escape in string";
    E0201 Error "unknown attribute";
    E0202 Error "unknown option";
    E0203 Error "missing required attribute";
    E0204 Error "attribute given twice";
    E0205 Error "duplicate name";
    E0206 Error "reference names nothing";
    E0207 Error "unexpected argument";
    E0208 Error "missing argument";
    E0209 Error "unexpected block";
    E0210 Error "unknown link kind";
    E0211 Error "unknown module";
    E0212 Error "entry and statement mixed up";
    E0240 Error "two objects with one name in a namespace";
    E0301 Error "wrong kind of value";
    E0302 Error "number out of range";
    E0303 Error "invalid Kubernetes name";
    E0304 Error "invalid PostgreSQL identifier";
    E0305 Error "invalid quantity";
    E0306 Error "invalid PostgreSQL version";
    E0307 Error "invalid duration";
    E0308 Error "invalid cron schedule";
    E0309 Error "unknown permission flag";
    E0310 Error "invalid label";
    E0311 Error "request above limit";
    E0312 Error "invalid timestamp";
    E0313 Error "unknown value";
    E0401 Error "plaintext password in source";
    E0402 Error "malformed secret reference";
    E0403 Error "environment variable not set";
    E0404 Error "no SOPS recipients";
    E0405 Error "secret value unusable";
    E0406 Error "generated secret cannot be kept";
    E0407 Error "encryption failed";
    E0408 Error "encrypted output not verified";
    E0501 Error "path ends with the server name" retired=true;
    E0502 Error "bucket lifecycle shorter than retention";
    E0503 Error "inline and plugin backups both configured";
    E0504 Error "recovery or replica without a source";
    E0505 Error "archive into a folder that holds WAL";
    E0506 Error "two stores receive the WAL";
    E0507 Error "invalid GCP service account";
    E0508 Error "databases declared on a replica";
    E0509 Error "not a barman backup ID";
    E0601 Error "blocked parameter";
    E0602 Error "operator-managed parameter";
    E0603 Error "library not vetted for preloading";
    E0604 Error "shared_buffers does not fit the memory limit";
    E0607 Error "synchronous standbys exceed the instances";
    E0608 Error "two synchronous replication settings";
    E0640 Error "image tag does not match the PostgreSQL version";
    E0641 Error "node pool without a node label";
    E0642 Error "pooler connects to a disabled service";
    E0701 Error "credentials out of reach";
    E0702 Error "migration does not fit";
    E0740 Error "clusters in one namespace disagree on Istio injection";
    E0801 Error "reserved role name";
    E0802 Error "reserved database name";
    E0803 Error "image tag the operator refuses" retired=true;
    E0804 Error "parameter value the operator refuses";
    E0805 Error "shared_buffers above the memory request";
    E0806 Error "PgBouncer parameter the operator refuses";
    E0807 Error "pool mode the Pooler does not support";
    E0808 Error "recovery target the operator refuses";
    E0810 Error "grant scripts too large for a ConfigMap";
    E0811 Error "immutable field changed since the last build";
    E0812 Error "invalid parameter name";
    E0813 Error "name taken by an object the operator creates";
    H0501 Hint "GKE Workload Identity binding";
    H0605 Hint "effective_cache_size far from the memory limit";
    H0612 Hint "PodMonitor needs the Prometheus Operator";
    W0340 Warning "flags without connect";
    W0341 Warning "password on a role that cannot log in";
    W0401 Warning "insecure password in source";
    W0402 Warning "secret re-encrypted without comparison";
    W0403 Warning "secrets written in plaintext";
    W0501 Warning "no backup";
    W0503 Warning "deprecated inline backup configuration";
    W0505 Warning "empty WAL archive check skipped";
    W0606 Warning "storage too small for WAL";
    W0609 Warning "single instance";
    W0610 Warning "major-only image tag";
    W0611 Warning "untrusted extension created at init only";
    W0702 Warning "Cilium policies without the service CIDR";
    W0703 Warning "database pods in the Istio mesh";
    W0741 Warning "Istio injection on a namespace cnpgc does not write";
    W0801 Warning "path ends with the server name";
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let code = code.trim().to_ascii_uppercase();
    REGISTRY.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_severity_matches_prefix() {
        for w in REGISTRY.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        for c in REGISTRY {
            let expect = match &c.code[..1] {
                "E" => Severity::Error,
                "W" => Severity::Warning,
                _ => Severity::Hint,
            };
            assert_eq!(c.severity, expect, "{}", c.code);
            assert!(
                c.page.starts_with(&format!("# {}: ", c.code)),
                "{} page heading",
                c.code
            );
        }
    }
}
