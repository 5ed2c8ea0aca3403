//! Tests of the manifest validation harness itself (`tests/support/schema.rs`):
//! strict upstream JSON Schemas plus the CRDs' CEL rules.

mod support;

use std::time::Instant;

use serde_json::json;
use support::schema::{
    CelOutcome, KNOWN_UNEVALUABLE, Validator, all_rules_in, check_rule_compiles, eval_rule,
    schema_dir, to_cel, walkable_rules_in,
};

const CLUSTER: &str = r#"
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: pg
  namespace: db
spec:
  instances: 3
  storage:
    size: 1Gi
"#;

fn errors(yaml: &str) -> Vec<String> {
    Validator::new().validate_yaml_stream("test", yaml)
}

fn assert_valid(label: &str, yaml: &str) {
    let v = Validator::new();
    let errs = v.validate_yaml_stream(label, yaml);
    assert!(
        errs.is_empty(),
        "{label} should be valid, got:\n{}",
        errs.join("\n")
    );
    assert!(
        v.unsupported_rules().is_empty(),
        "{label}: unsupported CEL rules: {:#?}",
        v.unsupported_rules()
    );
}

fn assert_invalid(yaml: &str, needles: &[&str]) -> Vec<String> {
    let errs = errors(yaml);
    assert!(!errs.is_empty(), "expected errors for:\n{yaml}");
    let all = errs.join("\n");
    for n in needles {
        assert!(all.contains(n), "expected {n:?} in errors:\n{all}");
    }
    errs
}

#[test]
fn minimal_cluster_is_valid() {
    assert_valid("cluster", CLUSTER);
}

#[test]
fn typo_in_spec_field_is_rejected() {
    let yaml = CLUSTER.replace("instances: 3", "instance: 3");
    let errs = assert_invalid(&yaml, &["'instance'", "test: Cluster/pg: spec:"]);
    // `instances` is required too.
    assert!(
        errs.iter()
            .any(|e| e.contains("\"instances\" is a required property")),
        "{errs:#?}"
    );
}

#[test]
fn typo_in_metadata_is_rejected() {
    let yaml = CLUSTER.replace("  namespace: db", "  namespace: db\n  lables:\n    a: b");
    assert_invalid(&yaml, &["'lables'", "Cluster/pg: metadata:"]);
}

#[test]
fn wrong_type_is_rejected_with_path() {
    let yaml = CLUSTER.replace("size: 1Gi", "size: 1Gi\n    resizeInUseVolumes: maybe");
    assert_invalid(
        &yaml,
        &["Cluster/pg: spec.storage.resizeInUseVolumes:", "boolean"],
    );
}

#[test]
fn cel_image_name_and_catalog_are_exclusive() {
    let yaml = format!(
        "{CLUSTER}  imageName: ghcr.io/cloudnative-pg/postgresql:17\n  imageCatalogRef:\n    apiGroup: postgresql.cnpg.io\n    kind: ImageCatalog\n    name: pg\n    major: 17\n"
    );
    let errs = assert_invalid(
        &yaml,
        &[
            "imageName and imageCatalogRef are mutually exclusive",
            "Cluster/pg: spec:",
        ],
    );
    assert_eq!(errs.len(), 1, "only the CEL rule should fail: {errs:#?}");
    // Each alone is fine.
    let only_catalog = yaml.replace("  imageName: ghcr.io/cloudnative-pg/postgresql:17\n", "");
    assert_valid("catalog only", &only_catalog);
}

#[test]
fn cel_image_catalog_ref_kind_and_group() {
    let yaml = format!(
        "{CLUSTER}  imageCatalogRef:\n    apiGroup: example.com\n    kind: ConfigMap\n    name: pg\n    major: 17\n"
    );
    let errs = assert_invalid(
        &yaml,
        &["Only image catalogs are supported", "spec.imageCatalogRef"],
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
    // apiGroup is optional in the schema, but the rule reads it: the API
    // server fails with "no such key", so do we.
    let yaml = format!(
        "{CLUSTER}  imageCatalogRef:\n    kind: ImageCatalog\n    name: pg\n    major: 17\n"
    );
    assert_invalid(&yaml, &["no such key: apiGroup"]);
}

#[test]
fn cel_synchronous_number_must_be_positive() {
    let sync = |n: i64| {
        format!("{CLUSTER}  postgresql:\n    synchronous:\n      method: any\n      number: {n}\n")
    };
    let errs = assert_invalid(
        &sync(0),
        &[
            "The number of synchronous replicas should be greater than zero",
            "Cluster/pg: spec.postgresql.synchronous.number:",
        ],
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    // Without `dataDurability` the other synchronous rule reads a missing
    // field on the left of `||`; CEL's commutative `||` still makes it true.
    assert_valid("synchronous 1", &sync(1));
    let preferred = format!(
        "{}      dataDurability: preferred\n      standbyNamesPre: [a]\n",
        sync(1)
    );
    assert_invalid(&preferred, &["dataDurability set to 'preferred'"]);
}

#[test]
fn cel_initdb_locale_rules() {
    let base =
        format!("{CLUSTER}  bootstrap:\n    initdb:\n      database: app\n      owner: app\n");
    assert_valid("initdb", &base);
    assert_valid(
        "builtin",
        &format!("{base}      localeProvider: builtin\n      builtinLocale: C.UTF-8\n"),
    );
    assert_invalid(
        &format!("{base}      localeProvider: icu\n      builtinLocale: C.UTF-8\n"),
        &["builtinLocale is only available when localeProvider is set to `builtin`"],
    );
    // Missing localeProvider: `false || <no such key>` is an error in Kubernetes.
    assert_invalid(
        &format!("{base}      icuLocale: en\n"),
        &["no such key: localeProvider"],
    );
}

#[test]
fn cel_database_and_role_rules() {
    let db = |name: &str| {
        format!(
            "apiVersion: postgresql.cnpg.io/v1\nkind: Database\nmetadata:\n  name: d\nspec:\n  name: {name}\n  owner: app\n  cluster:\n    name: pg\n"
        )
    };
    // `self == oldSelf` transition rules on spec.name etc. are skipped.
    assert_valid("database", &db("app"));
    assert_invalid(
        &db("postgres"),
        &["the name postgres is reserved", "Database/d: spec.name:"],
    );
    assert_invalid(&db("template1"), &["the name template1 is reserved"]);

    let role = |extra: &str| {
        format!(
            "apiVersion: postgresql.cnpg.io/v1\nkind: DatabaseRole\nmetadata:\n  name: r\nspec:\n  cluster:\n    name: pg\n{extra}"
        )
    };
    assert_valid("role", &role("  name: app\n  login: true\n"));
    assert_invalid(
        &role("  name: pg_app\n"),
        &["role names starting with pg_ are reserved"],
    );
    assert_invalid(&role("  name: ''\n"), &["role name must not be empty"]);
    // clientCertificate.enabled defaults to true (structural defaulting
    // happens before CEL), so login is required.
    assert_invalid(
        &role("  name: app\n  login: false\n  clientCertificate: {}\n"),
        &["clientCertificate requires the role to have login enabled"],
    );
    assert_valid(
        "role cert",
        &role("  name: app\n  login: true\n  clientCertificate: {}\n"),
    );
}

#[test]
fn cel_rules_with_macros() {
    let catalog = |majors: &str| {
        let images: String = majors
            .split(',')
            .map(|m| format!("  - major: {m}\n    image: ghcr.io/cloudnative-pg/postgresql:{m}\n"))
            .collect();
        format!(
            "apiVersion: postgresql.cnpg.io/v1\nkind: ImageCatalog\nmetadata:\n  name: c\nspec:\n  images:\n{images}"
        )
    };
    assert_valid("catalog", &catalog("16,17"));
    assert_invalid(
        &catalog("17,17"),
        &["Images must have unique major versions"],
    );

    let publication = |objects: &str| {
        format!(
            "apiVersion: postgresql.cnpg.io/v1\nkind: Publication\nmetadata:\n  name: p\nspec:\n  cluster:\n    name: pg\n  dbname: app\n  name: pub\n  target:\n    objects:\n{objects}"
        )
    };
    assert_valid(
        "publication",
        &publication("    - table:\n        name: t\n        columns: [a]\n"),
    );
    assert_invalid(
        &publication(
            "    - table:\n        name: t\n        columns: [a]\n    - tablesInSchema: s\n",
        ),
        &["specifying a column list"],
    );
    assert_invalid(
        &publication("    - table:\n        name: t\n      tablesInSchema: s\n"),
        &["tablesInSchema and table are mutually exclusive"],
    );

    let store = |arg: &str| {
        format!(
            "apiVersion: barmancloud.cnpg.io/v1\nkind: ObjectStore\nmetadata:\n  name: s\nspec:\n  configuration:\n    destinationPath: s3://b/p\n  instanceSidecarConfiguration:\n    additionalContainerArgs: [{arg}]\n"
        )
    };
    assert_valid("store", &store("--foo=1"));
    assert_invalid(&store("--log-level=debug"), &["do not set --log-level"]);
}

const EXAMPLES: &[(&str, &str)] = &[
    ("Cluster", CLUSTER),
    (
        "Database",
        r#"
apiVersion: postgresql.cnpg.io/v1
kind: Database
metadata:
  name: pg-app
  namespace: db
spec:
  name: app
  owner: app
  cluster:
    name: pg
  ensure: present
"#,
    ),
    (
        "ScheduledBackup",
        r#"
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata:
  name: pg-daily
  namespace: db
spec:
  schedule: "0 0 2 * * *"
  cluster:
    name: pg
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
"#,
    ),
    (
        "Backup",
        r#"
apiVersion: postgresql.cnpg.io/v1
kind: Backup
metadata:
  name: pg-once
  namespace: db
spec:
  cluster:
    name: pg
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
"#,
    ),
    (
        "Pooler",
        r#"
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata:
  name: pg-rw
  namespace: db
spec:
  cluster:
    name: pg
  instances: 2
  type: rw
  pgbouncer:
    poolMode: transaction
    parameters:
      max_client_conn: "1000"
"#,
    ),
    (
        "ObjectStore",
        r#"
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata:
  name: backups
  namespace: db
spec:
  retentionPolicy: 30d
  configuration:
    destinationPath: s3://backups/pg
    s3Credentials:
      accessKeyId:
        name: s3
        key: ACCESS_KEY_ID
      secretAccessKey:
        name: s3
        key: SECRET_ACCESS_KEY
    wal:
      compression: gzip
"#,
    ),
    (
        "PodMonitor",
        r#"
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: pg
  namespace: db
spec:
  selector:
    matchLabels:
      cnpg.io/cluster: pg
  podMetricsEndpoints:
    - port: metrics
"#,
    ),
    (
        "PrometheusRule",
        r#"
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: pg
  namespace: db
spec:
  groups:
    - name: cnpg
      rules:
        - alert: PgDown
          expr: cnpg_collector_up == 0
          for: 5m
          labels:
            severity: critical
          annotations:
            summary: PostgreSQL is down
"#,
    ),
    (
        "Namespace",
        r#"
apiVersion: v1
kind: Namespace
metadata:
  name: db
  labels:
    app.kubernetes.io/managed-by: cnpgc
"#,
    ),
    (
        "Secret",
        r#"
apiVersion: v1
kind: Secret
metadata:
  name: pg-app
  namespace: db
type: kubernetes.io/basic-auth
stringData:
  username: app
  password: secret
"#,
    ),
    (
        "ConfigMap",
        r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: pg-init
  namespace: db
data:
  init.sql: "SELECT 1;"
"#,
    ),
    (
        "Job",
        r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: pg-init
  namespace: db
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: psql
          image: ghcr.io/cloudnative-pg/postgresql:17
          command: [psql, -c, "SELECT 1"]
"#,
    ),
    (
        "CronJob",
        r#"
apiVersion: batch/v1
kind: CronJob
metadata:
  name: pg-vacuum
  namespace: db
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: vacuum
              image: ghcr.io/cloudnative-pg/postgresql:17
              args: [vacuumdb, --all]
"#,
    ),
    (
        "PodDisruptionBudget",
        r#"
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pg-pooler
  namespace: db
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      cnpg.io/poolerName: pg-rw
"#,
    ),
    (
        "NetworkPolicy",
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: pg-ingress
  namespace: db
spec:
  podSelector:
    matchLabels:
      cnpg.io/cluster: pg
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web
      ports:
        - port: 5432
          protocol: TCP
"#,
    ),
    (
        "CiliumNetworkPolicy",
        r#"
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: pg-ingress
  namespace: db
spec:
  endpointSelector:
    matchLabels:
      cnpg.io/cluster: pg
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
      toPorts:
        - ports:
            - port: "5432"
              protocol: TCP
"#,
    ),
    (
        "Kustomization",
        r#"
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: db
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/prod/db
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"#,
    ),
    (
        "ExternalSecret",
        r#"
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: pg-app
  namespace: db
spec:
  refreshInterval: 1h
  secretStoreRef:
    kind: ClusterSecretStore
    name: vault
  target:
    name: pg-app
  data:
    - secretKey: password
      remoteRef:
        key: db/app
        property: password
"#,
    ),
    (
        "PushSecret",
        r#"
apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata:
  name: pg-app
  namespace: db
spec:
  refreshInterval: 1h
  secretStoreRefs:
    - kind: ClusterSecretStore
      name: vault
  selector:
    secret:
      name: pg-app
  data:
    - match:
        secretKey: password
        remoteRef:
          remoteKey: db/app
          property: password
"#,
    ),
];

#[test]
fn minimal_examples_of_every_emitted_kind_are_valid() {
    for (kind, yaml) in EXAMPLES {
        assert_valid(kind, yaml);
    }
}

#[test]
fn multi_document_stream_skips_empty_documents() {
    let mut stream = String::from("---\n# leading comment\n---\n");
    for (_, yaml) in EXAMPLES {
        stream.push_str(yaml);
        stream.push_str("---\n");
    }
    assert_valid("stream", &stream);
    // An error in the 3rd document names that document.
    let bad = stream.replace("  schedule: \"0 0 2 * * *\"", "  schedul: \"0 0 2 * * *\"");
    let errs = errors(&bad);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("test: ScheduledBackup/pg-daily: spec:")),
        "{errs:#?}"
    );
}

#[test]
fn unknown_kind_or_version_is_rejected() {
    assert_invalid(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        &["no schema for kind Widget apiVersion example.com/v1"],
    );
    assert_invalid(
        "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: w\n",
        &["no schema for kind ExternalSecret apiVersion external-secrets.io/v1beta1"],
    );
    assert_invalid("metadata:\n  name: w\n", &["no string apiVersion and kind"]);
    // apiVersion pinned in the schema: wrong group for the kind.
    assert_invalid(
        "apiVersion: v1\nkind: Job\nmetadata:\n  name: j\n",
        &["no schema for kind Job"],
    );
}

#[test]
fn invalid_yaml_is_reported() {
    assert_invalid("apiVersion: v1\nkind: [unclosed\n", &["invalid YAML"]);
}

/// Every CEL rule of every schema: where it is, whether it is a transition
/// rule (skipped), and whether cel-interpreter can evaluate it. Fails if a
/// non-transition rule cannot be compiled (or uses a function
/// cel-interpreter lacks) and is not in KNOWN_UNEVALUABLE, or if a rule sits
/// where the validator's schema walk does not reach.
#[test]
fn every_cel_rule_compiles() {
    let mut files: Vec<_> = walk_json_files(&schema_dir());
    files.sort();
    assert!(files.len() >= 27, "schemas missing? {files:?}");
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(schema_dir())
            .unwrap()
            .display()
            .to_string();
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let all = all_rules_in(&schema);
        let walkable = walkable_rules_in(&schema);
        let mut all_locs: Vec<_> = all.iter().map(|(l, r)| format!("{l} {}", r.rule)).collect();
        let mut walk_locs: Vec<_> = walkable
            .iter()
            .map(|(l, r)| format!("{l} {}", r.rule))
            .collect();
        all_locs.sort();
        walk_locs.sort();
        if all_locs != walk_locs {
            failures.push(format!(
                "{rel}: rules outside the validator's walk: all={all_locs:#?} walked={walk_locs:#?}"
            ));
        }
        if all.is_empty() {
            continue;
        }
        let (mut enforced, mut transition, mut allowed) = (0, 0, 0);
        for (loc, rule) in &all {
            if rule.transition {
                transition += 1;
                continue;
            }
            match check_rule_compiles(&rule.rule) {
                Ok(()) => enforced += 1,
                Err(e) if KNOWN_UNEVALUABLE.iter().any(|(r, _)| *r == rule.rule) => {
                    allowed += 1;
                    println!("known unevaluable: {rel} {loc}: {e}");
                }
                Err(e) => failures.push(format!("{rel} {loc}: {e}")),
            }
        }
        summary.push(format!(
            "{rel}: {} rules: {enforced} enforced, {transition} transition (skipped), {allowed} known unevaluable",
            all.len()
        ));
    }
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "CEL rules that cannot be evaluated:\n{}",
        failures.join("\n")
    );
    for (rule, why) in KNOWN_UNEVALUABLE {
        assert!(
            !why.trim().is_empty(),
            "KNOWN_UNEVALUABLE entry without justification: {rule}"
        );
    }
}

fn walk_json_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_json_files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out
}

#[test]
fn every_schema_compiles_and_rejects_unknown_top_level_fields() {
    for file in walk_json_files(&schema_dir()) {
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let gvk = &schema["x-kubernetes-group-version-kind"][0];
        let group = gvk["group"].as_str().unwrap();
        let version = gvk["version"].as_str().unwrap();
        let kind = gvk["kind"].as_str().unwrap();
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        let doc = serde_json::json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": "x"},
            "bogusField": 1,
        });
        let errs = Validator::new().validate_value(kind, &doc);
        assert!(
            errs.iter().any(|e| e.contains("'bogusField'")),
            "{}: {errs:#?}",
            file.display()
        );
    }
}

#[test]
fn validating_hundreds_of_documents_is_fast() {
    let mut stream = String::new();
    for i in 0..20 {
        for (_, yaml) in EXAMPLES {
            stream.push_str(&yaml.replace("name: pg\n", &format!("name: pg{i}\n")));
            stream.push_str("---\n");
        }
    }
    let docs = 20 * EXAMPLES.len();
    let v = Validator::new();
    let start = Instant::now();
    let errs = v.validate_yaml_stream("perf", &stream);
    let first = start.elapsed();
    assert!(errs.is_empty(), "{errs:#?}");
    let start = Instant::now();
    let errs = v.validate_yaml_stream("perf", &stream);
    let second = start.elapsed();
    assert!(errs.is_empty(), "{errs:#?}");
    println!(
        "{docs} documents: first pass (incl. schema compilation) {first:?}, second pass {second:?}"
    );
    assert!(
        second.as_secs() < 20,
        "validating {docs} documents took {second:?}"
    );
}

#[test]
fn cel_rules_of_external_secrets_and_flux() {
    let push = |item: &str| {
        format!(
            "apiVersion: external-secrets.io/v1alpha1\nkind: PushSecret\nmetadata:\n  name: p\nspec:\n  secretStoreRefs:\n    - name: vault\n  selector:\n    secret:\n      name: s\n  dataTo:\n{item}"
        )
    };
    assert_valid(
        "dataTo",
        &push(
            "    - storeRef:\n        name: vault\n      rewrite:\n        - regexp:\n            source: a\n            target: b\n",
        ),
    );
    assert_invalid(
        &push(
            "    - storeRef:\n        name: vault\n      remoteKey: k\n      rewrite:\n        - regexp:\n            source: a\n            target: b\n",
        ),
        &[
            "remoteKey and rewrite are mutually exclusive",
            "spec.dataTo[0]:",
        ],
    );
    assert_invalid(
        &push("    - storeRef: {}\n"),
        &["storeRef must specify either name or labelSelector"],
    );
    assert_invalid(
        &push("    - storeRef:\n        name: vault\n      rewrite:\n        - {}\n"),
        &[
            "exactly one of regexp or transform must be set",
            "spec.dataTo[0].rewrite[0]:",
        ],
    );

    let ks = |kc: &str| {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: k\nspec:\n  interval: 5m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: repo\n  kubeConfig:\n{kc}"
        )
    };
    assert_valid("kubeConfig", &ks("    secretRef:\n      name: kc\n"));
    assert_invalid(
        &ks("    {}\n"),
        &["exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef"],
    );
}

fn outcome(rule: &str, this: serde_json::Value) -> CelOutcome {
    eval_rule(rule, &to_cel(&this, None))
}

#[test]
fn cel_logic_has_commutative_error_semantics() {
    let this = json!({"a": 1, "s": "x||y", "l": [1, 2], "m": {"k": "v"}});
    let t = |rule: &str| matches!(outcome(rule, this.clone()), CelOutcome::True);
    let f = |rule: &str| matches!(outcome(rule, this.clone()), CelOutcome::False);
    let rt = |rule: &str| matches!(outcome(rule, this.clone()), CelOutcome::RuntimeError(_));
    let unsup = |rule: &str| matches!(outcome(rule, this.clone()), CelOutcome::Unsupported(_));
    assert!(t("self.a > 0"));
    assert!(f("self.a > 1"));
    assert!(t("self.missing == 1 || true"));
    assert!(t("true || self.missing == 1"));
    assert!(f("self.missing == 1 && false"));
    assert!(rt("self.missing == 1 || false"));
    assert!(rt("self.missing == 1 && true"));
    assert!(t("!(self.missing == 1 && false)"));
    assert!(f("!(has(self.a) && has(self.m))"));
    assert!(t(
        "(has(self.a) && !has(self.b)) || (!has(self.a) && has(self.b))"
    ));
    assert!(t("self.s == 'x||y' && self.s.size() == 4"));
    assert!(t("self.s == \"x&&y\" || self.l.size() == 2"));
    assert!(t("self.a == 1 ? true : self.missing"));
    assert!(t(
        "self.l.all(x, x > 0) && self.l.exists(x, x == 2) && self.l.filter(x, x > 1).size() == 1"
    ));
    assert!(t(
        "size(self.m) == 1 && 'k' in self.m && self.m.k.startsWith('v')"
    ));
    // Missing functions are "unsupported", never silently true/false.
    assert!(unsup("self.s.lowerAscii() == 'x||y'"));
    assert!(unsup("self.s.lowerAscii() == 'x' && true"));
    assert!(t("self.s.lowerAscii() == 'x' || true"));
    assert!(check_rule_compiles("self.s.lowerAscii() == 'x'").is_err());
    assert!(check_rule_compiles("self.?x.orValue(1) > 0").is_err());
    assert!(check_rule_compiles("!has(self.a) || self.l.all(x, x > 0)").is_ok());
}

#[test]
fn unevaluable_rule_fails_the_document_and_is_recorded() {
    let schema = json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "n": {"type": "integer", "default": 0}},
                "x-kubernetes-validations": [
                    {"rule": "self.name.lowerAscii() == self.name", "message": "lower case"},
                    {"rule": "self.n == 0", "message": "defaults are applied"},
                    {"rule": "self.name == oldSelf.name", "message": "transition rule is skipped"},
                    {"rule": "self.name != ''", "messageExpression": "'name is ' + self.name"}
                ]
            },
            "list": {"type": "array", "items": {"type": "object", "allOf": [{
                "x-kubernetes-validations": [{"rule": "self.v > 1", "fieldPath": ".v"}]
            }]}},
            "map": {"type": "object", "additionalProperties": {"type": "string",
                "x-kubernetes-validations": [{"rule": "self != 'bad'", "message": "no bad values"}]}}
        }
    });
    let v = Validator::new();
    let doc = json!({
        "spec": {"name": ""},
        "list": [{"v": 2}, {"v": 1}],
        "map": {"a": "ok", "b.c/d": "bad"}
    });
    let errs = v.validate_against("inline", &schema, &doc);
    let all = errs.join("\n");
    assert_eq!(errs.len(), 4, "{all}");
    assert!(
        all.contains(
            "inline: spec: CEL rule could not be evaluated: `self.name.lowerAscii() == self.name`"
        ),
        "{all}"
    );
    assert!(
        all.contains("inline: spec: (messageExpression) 'name is ' + self.name"),
        "{all}"
    );
    assert!(
        all.contains("inline: list[1].v: failed rule: self.v > 1"),
        "{all}"
    );
    assert!(
        all.contains("inline: map[\"b.c/d\"]: no bad values"),
        "{all}"
    );
    let unsupported = v.unsupported_rules();
    assert_eq!(unsupported.len(), 1, "{unsupported:#?}");
    assert!(unsupported[0].contains("lowerAscii"), "{unsupported:#?}");
}
