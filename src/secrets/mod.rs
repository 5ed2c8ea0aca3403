//! Secrets: takes the resolved program, gives the Secrets cnpgc must write
//! (role passwords, the superuser's, object-store keys) as plans without
//! values, and (in `resolve`) turns plans into encrypted files through an
//! injected IO interface, keeping unchanged secrets byte for byte.
//! Secret values exist only in memory on their way to `sops`.

mod plan;
mod render;
mod resolve;
pub mod sops;

pub use plan::{Entry, EntryValue, Format, SecretFile, app_dir, cluster_secrets, plan};
pub use render::{parse_plain, render_plain};
pub use resolve::{Mode, Outcome, SecretIo, State, resolve};

/// Annotation carrying a hash of a Secret's non-secret structure.
pub const FINGERPRINT: &str = "cnpgc.io/fingerprint";
/// Label carrying a Secret's rotation policy.
pub const ROTATION_LABEL: &str = "cnpgc.io/rotation";
