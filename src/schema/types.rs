//! Value types of the language. Takes nothing, gives the `Ty` enum with the
//! names and descriptions users see in messages, hover and the reference.

/// The type of an argument, option value or map value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Any bare word.
    Word,
    /// A word or a quoted string.
    Text,
    /// Multi-line SQL text (a string, usually `"""…"""`).
    Sql,
    /// A Kubernetes name (DNS-1123 label: lower case, digits, `-`, ≤ 63).
    K8sName,
    /// A CNPG cluster name: a DNS-1123 label of at most 50 characters.
    ClusterName,
    /// A PostgreSQL identifier (≤ 63 bytes; quote it if it has special characters).
    PgIdent,
    /// A whole number in a range.
    Int {
        min: i64,
        max: i64,
    },
    /// `true`/`false` (also `yes`/`no`, `on`/`off`); an option written alone means `true`.
    Bool,
    /// CPU quantity: `500m`, `2`.
    Cpu,
    /// Memory quantity: `512Mi`, `4Gi`.
    Memory,
    /// Storage quantity: `10Gi`.
    Storage,
    /// `request..limit` or a single value used for both.
    CpuRange,
    MemoryRange,
    /// PostgreSQL version: `16.2` (major.minor) or `16`.
    Version,
    /// A duration: `30s`, `10m`, `1h30m`, `7d`.
    Duration,
    /// A barman retention: `30d`, `4w`, `6m` (months).
    Retention,
    /// A rotation policy: `weekly`, `monthly`, `quarterly`, `yearly`, `never` or `90d`.
    Rotation,
    /// A 6-field cron schedule (seconds first): `"0 0 2 * * *"`.
    Cron,
    /// A Kubernetes CronJob schedule: 5 fields, `"0 3 * * 0"`.
    KubeCron,
    /// An RFC 3339 timestamp: `"2024-01-01T10:00:00Z"`.
    Time,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// Permission flags and bundles: `connect, read, write`.
    Grants,
    /// A list (or one value) of the inner type.
    List(&'static Ty),
    /// A password or key source: `secret("name")`, `env("VAR")`, `file("path")`, `generated`.
    Secret,
    /// A URL: `"http://minio.minio.svc:9000"`.
    Url,
    /// A Kubernetes label value (map values of `labels`).
    LabelValue,
    /// A module path: `std::presets`, or a file path string.
    Module,
    /// The name of something declared elsewhere (a cluster, a store, a user…).
    Ref(&'static str),
}

impl Ty {
    /// Short name for synopses: `<quantity>`, `<name>`…
    pub fn name(self) -> String {
        match self {
            Ty::Word => "word".into(),
            Ty::Text => "text".into(),
            Ty::Sql => "sql".into(),
            Ty::K8sName | Ty::ClusterName => "k8s-name".into(),
            Ty::PgIdent => "identifier".into(),
            Ty::Int { .. } => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::Cpu => "cpu".into(),
            Ty::Memory => "memory".into(),
            Ty::Storage => "size".into(),
            Ty::CpuRange => "cpu[..cpu]".into(),
            Ty::MemoryRange => "memory[..memory]".into(),
            Ty::Version => "version".into(),
            Ty::Duration => "duration".into(),
            Ty::Retention => "retention".into(),
            Ty::Rotation => "rotation".into(),
            Ty::Cron => "cron".into(),
            Ty::KubeCron => "cronjob-schedule".into(),
            Ty::Time => "timestamp".into(),
            Ty::Enum(vs) => vs.join("|"),
            Ty::Grants => "flags".into(),
            Ty::List(t) => format!("{}, …", t.name()),
            Ty::Secret => "secret-source".into(),
            Ty::Url => "url".into(),
            Ty::LabelValue => "label-value".into(),
            Ty::Module => "module".into(),
            Ty::Ref(k) => format!("{k}-name"),
        }
    }

    /// What a value of this type looks like, for "expected …" messages.
    pub fn describe(self) -> String {
        match self {
            Ty::Word => "a word".into(),
            Ty::Text => "a word or a string".into(),
            Ty::Sql => "SQL text in a string".into(),
            Ty::K8sName => "a Kubernetes name (lower case letters, digits and `-`, at most 63)".into(),
            Ty::ClusterName => "a cluster name (lower case letters, digits and `-`, at most 50)".into(),
            Ty::PgIdent => "a PostgreSQL identifier (at most 63 bytes)".into(),
            Ty::Int { min, max } => format!("a whole number from {min} to {max}"),
            Ty::Bool => "`true` or `false`".into(),
            Ty::Cpu => "a CPU quantity such as `500m` or `2`".into(),
            Ty::Memory => "a memory quantity such as `512Mi` or `4Gi`".into(),
            Ty::Storage => "a size such as `10Gi`".into(),
            Ty::CpuRange => "a CPU request..limit such as `500m..2`".into(),
            Ty::MemoryRange => "a memory request..limit such as `1Gi..4Gi`".into(),
            Ty::Version => "a PostgreSQL version such as `16.4`".into(),
            Ty::Duration => "a duration such as `30s`, `10m`, `12h` or `7d`".into(),
            Ty::Retention => "a retention such as `30d`, `4w` or `6m`".into(),
            Ty::Rotation => "a rotation policy (`weekly`, `monthly`, `quarterly`, `yearly`, `never`) or a number of days such as `90d`".into(),
            Ty::Cron => "a 6-field cron schedule such as \"0 0 2 * * *\"".into(),
            Ty::KubeCron => "a 5-field CronJob schedule such as \"0 3 * * 0\"".into(),
            Ty::Time => "an RFC 3339 timestamp such as \"2024-01-01T10:00:00Z\"".into(),
            Ty::Enum(vs) => format!("one of {}", vs.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")),
            Ty::Grants => "permission flags such as `connect, read, write`".into(),
            Ty::List(t) => format!("a list of {}", t.describe()),
            Ty::Secret => "a secret source: secret(\"name\"), env(\"VAR\"), file(\"path\") or generated".into(),
            Ty::Url => "a URL in quotes such as \"https://s3.example.com\"".into(),
            Ty::LabelValue => "a label value (at most 63 characters: letters, digits, `-`, `_`, `.`)".into(),
            Ty::Module => "a module path such as `std::presets`".into(),
            Ty::Ref(k) => format!("the name of a {k}"),
        }
    }
}
