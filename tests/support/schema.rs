#![allow(dead_code)]
//! Strict validation of generated Kubernetes manifests against the upstream
//! JSON Schemas in `tests/schemas/json-strict/` (unknown fields are errors)
//! plus the CRDs' CEL rules (`x-kubernetes-validations`).
//!
//! * JSON Schema: Draft 2020-12, via the `jsonschema` crate, on the document
//!   exactly as written.
//! * CEL: the schema is walked alongside the document (`properties`, `items`,
//!   `additionalProperties`, `allOf`); at every node with
//!   `x-kubernetes-validations` whose instance exists, each rule is evaluated
//!   with `cel-interpreter`, `self` bound to that instance. As the API server
//!   does, CEL sees the document after structural defaulting (schema
//!   `default`s filled in, `null`s in non-nullable fields pruned). Transition
//!   rules (`oldSelf`, `optionalOldSelf`) are skipped: they only apply on
//!   update.
//! * `||` / `&&` / `!` / parentheses at the top level of a rule are evaluated
//!   here with CEL's commutative error semantics (`error || true` is `true`,
//!   `error && false` is `false`), which `cel-interpreter` does not implement
//!   (it propagates the left operand's error). Kubernetes relies on this, e.g.
//!   `self.dataDurability != 'preferred' || ...` on a `synchronous` block
//!   without `dataDurability`. Sub-expressions below that level (macro
//!   bodies, ...) are evaluated by `cel-interpreter` itself.
//! * A runtime error the API server would also hit (`no such key`) is
//!   reported as a validation error. A rule `cel-interpreter` cannot evaluate
//!   (parse failure, missing function, unsupported construct) is recorded in
//!   [`Validator::unsupported_rules`] and reported as "CEL rule could not be
//!   evaluated" unless it is listed in [`KNOWN_UNEVALUABLE`].

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cel_interpreter::objects::{Key, Map};
use cel_interpreter::{Context, ExecutionError, Program, Value as CelValue};
use serde::Deserialize;
use serde_json::Value;

/// CEL rules that `cel-interpreter` cannot evaluate but that can never apply
/// to what `cnpgc` emits: `(rule text, justification)`. Matching rules are
/// skipped instead of failing the document. Keep this as short as possible.
pub const KNOWN_UNEVALUABLE: &[(&str, &str)] = &[];

/// Functions `Context::default()` of cel-interpreter 0.10 (features `regex`,
/// `chrono`) provides, plus the custom ones registered in [`base_context`].
pub const CEL_FUNCTIONS: &[&str] = &[
    "contains",
    "size",
    "max",
    "min",
    "startsWith",
    "endsWith",
    "string",
    "bytes",
    "double",
    "int",
    "uint",
    "matches",
    "duration",
    "timestamp",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
];

/// Operators (and macro helpers) that cel-interpreter 0.10 evaluates natively.
/// Notably absent: the optional-field operators `_?._` and `_[?_]`.
pub const CEL_OPERATORS: &[&str] = &[
    "_?_:_",
    "_&&_",
    "_||_",
    "!_",
    "-_",
    "_-_",
    "_+_",
    "_*_",
    "_/_",
    "_%_",
    "_==_",
    "_!=_",
    "_>=_",
    "_<=_",
    "_>_",
    "_<_",
    "_[_]",
    "@in",
    "@not_strictly_false",
];

/// Directory of the strict schemas, `json-strict/<group>/<kind>_<version>.json`.
pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/json-strict")
}

/// One `x-kubernetes-validations` entry.
#[derive(Debug, Clone)]
pub struct CelRule {
    pub rule: String,
    pub message: String,
    pub field_path: Option<String>,
    /// Transition rule (mentions `oldSelf` or sets `optionalOldSelf`).
    pub transition: bool,
}

impl CelRule {
    fn from_json(v: &Value) -> Option<CelRule> {
        let rule = v.get("rule")?.as_str()?.to_string();
        let message = v
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                v.get("messageExpression")
                    .and_then(Value::as_str)
                    .map(|m| format!("(messageExpression) {m}"))
            })
            .unwrap_or_else(|| format!("failed rule: {rule}"));
        let transition = rule.contains("oldSelf")
            || v.get("optionalOldSelf").and_then(Value::as_bool) == Some(true);
        Some(CelRule {
            field_path: v
                .get("fieldPath")
                .and_then(Value::as_str)
                .map(str::to_string),
            rule,
            message,
            transition,
        })
    }
}

/// Every CEL rule of a schema, with the schema location it sits at
/// (`properties.spec.properties.x`, `…items`, …). Scans the whole JSON, not
/// only the places the validator walks, so that the harness test can check
/// that every rule is reachable.
pub fn all_rules_in(schema: &Value) -> Vec<(String, CelRule)> {
    fn scan(node: &Value, loc: &str, out: &mut Vec<(String, CelRule)>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Array(rules)) = map.get("x-kubernetes-validations") {
                    out.extend(
                        rules
                            .iter()
                            .filter_map(CelRule::from_json)
                            .map(|r| (loc.to_string(), r)),
                    );
                }
                for (k, v) in map {
                    if k != "x-kubernetes-validations" {
                        scan(v, &join_loc(loc, k), out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    scan(v, &join_loc(loc, &i.to_string()), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    scan(schema, "", &mut out);
    out
}

/// The rules the validator's walk can reach (`properties`, `items`,
/// `additionalProperties`, `allOf`), with their schema locations.
pub fn walkable_rules_in(schema: &Value) -> Vec<(String, CelRule)> {
    fn walk(node: &Value, loc: &str, out: &mut Vec<(String, CelRule)>) {
        out.extend(node_rules(node).into_iter().map(|r| (loc.to_string(), r)));
        if let Some(Value::Object(props)) = node.get("properties") {
            for (k, v) in props {
                walk(v, &join_loc(&join_loc(loc, "properties"), k), out);
            }
        }
        if let Some(items) = node.get("items").filter(|v| v.is_object()) {
            walk(items, &join_loc(loc, "items"), out);
        }
        if let Some(ap) = node.get("additionalProperties").filter(|v| v.is_object()) {
            walk(ap, &join_loc(loc, "additionalProperties"), out);
        }
        if let Some(Value::Array(branches)) = node.get("allOf") {
            for (i, b) in branches.iter().enumerate() {
                walk(b, &join_loc(&join_loc(loc, "allOf"), &i.to_string()), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(schema, "", &mut out);
    out
}

fn join_loc(loc: &str, seg: &str) -> String {
    if loc.is_empty() {
        seg.to_string()
    } else {
        format!("{loc}.{seg}")
    }
}

fn node_rules(node: &Value) -> Vec<CelRule> {
    match node.get("x-kubernetes-validations") {
        Some(Value::Array(rules)) => rules.iter().filter_map(CelRule::from_json).collect(),
        _ => Vec::new(),
    }
}

/// A compiled schema: the raw JSON (walked for CEL rules and defaults) and
/// the compiled JSON Schema validator.
struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

type CacheKey = (String, String, String);
type CacheSlot = Arc<OnceLock<Result<Arc<Compiled>, String>>>;

/// Process-wide cache of compiled schemas, keyed by (group, kind, version).
fn schema_cache() -> &'static Mutex<HashMap<CacheKey, CacheSlot>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, CacheSlot>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Load and compile `json-strict/<group>/<kind>_<version>.json` (cached).
fn compiled(group: &str, kind: &str, version: &str) -> Result<Arc<Compiled>, String> {
    let key = (group.to_string(), kind.to_string(), version.to_string());
    let slot = {
        let mut cache = schema_cache().lock().unwrap_or_else(|e| e.into_inner());
        cache.entry(key).or_default().clone()
    };
    slot.get_or_init(|| {
        let path = schema_dir()
            .join(group)
            .join(format!("{kind}_{version}.json"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let schema: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .map_err(|e| format!("{}: invalid schema: {e}", path.display()))?;
        Ok(Arc::new(Compiled { schema, validator }))
    })
    .clone()
}

/// Schema file for an `apiVersion` + `kind`: `(group, lowercased kind, version)`.
pub fn schema_key(api_version: &str, kind: &str) -> (String, String, String) {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => ("core".to_string(), api_version.to_string()),
    };
    (group, kind.to_lowercase(), version)
}

/// Validates manifests; see the module documentation.
#[derive(Default)]
pub struct Validator {
    unsupported: Mutex<BTreeSet<String>>,
}

impl Validator {
    pub fn new() -> Validator {
        Validator::default()
    }

    /// CEL rules met so far that cel-interpreter could not evaluate (each as
    /// "<schema file> <schema path>: <rule>: <reason>").
    pub fn unsupported_rules(&self) -> Vec<String> {
        self.unsupported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Validate every document of a multi-document YAML stream. Empty / null
    /// documents are skipped.
    pub fn validate_yaml_stream(&self, label: &str, yaml: &str) -> Vec<String> {
        let mut errors = Vec::new();
        for (i, de) in serde_norway::Deserializer::from_str(yaml).enumerate() {
            match Value::deserialize(de) {
                Ok(Value::Null) => {}
                Ok(doc) => errors.extend(self.validate_value(label, &doc)),
                Err(e) => {
                    errors.push(format!("{label}: document #{}: invalid YAML: {e}", i + 1));
                    // The stream cannot be resynchronised after a syntax error.
                    break;
                }
            }
        }
        errors
    }

    /// Validate one document (JSON Schema, then CEL rules).
    pub fn validate_value(&self, label: &str, doc: &Value) -> Vec<String> {
        let kind = doc.get("kind").and_then(Value::as_str);
        let api_version = doc.get("apiVersion").and_then(Value::as_str);
        let name = doc
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>");
        let prefix = format!("{label}: {}/{name}", kind.unwrap_or("<no kind>"));
        let (Some(kind), Some(api_version)) = (kind, api_version) else {
            return vec![format!(
                "{prefix}: document has no string apiVersion and kind"
            )];
        };
        let (group, lkind, version) = schema_key(api_version, kind);
        let compiled = match compiled(&group, &lkind, &version) {
            Ok(c) => c,
            Err(e) => {
                let path = schema_dir()
                    .join(&group)
                    .join(format!("{lkind}_{version}.json"));
                return vec![if path.exists() {
                    format!("{prefix}: {e}")
                } else {
                    format!("{prefix}: no schema for kind {kind} apiVersion {api_version}")
                }];
            }
        };
        let file = format!("{group}/{lkind}_{version}.json");
        self.validate_compiled(&prefix, &file, &compiled, doc)
    }

    /// Validate one document against an explicit schema (not cached): for
    /// testing the harness itself with hand-written schemas.
    pub fn validate_against(&self, label: &str, schema: &Value, doc: &Value) -> Vec<String> {
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(schema)
        {
            Ok(v) => v,
            Err(e) => return vec![format!("{label}: invalid schema: {e}")],
        };
        let compiled = Compiled {
            schema: schema.clone(),
            validator,
        };
        self.validate_compiled(label, "<inline schema>", &compiled, doc)
    }

    fn validate_compiled(
        &self,
        prefix: &str,
        file: &str,
        compiled: &Compiled,
        doc: &Value,
    ) -> Vec<String> {
        let mut errors: Vec<String> = compiled
            .validator
            .iter_errors(doc)
            .map(|e| {
                let path = display_path(e.instance_path().segments().map(|s| match s {
                    jsonschema::paths::LocationSegment::Property(p) => Seg::Key(p.into_owned()),
                    jsonschema::paths::LocationSegment::Index(i) => Seg::Index(i),
                }));
                format!("{prefix}: {path}: {}", truncate(&e.to_string(), 400))
            })
            .collect();

        let mut defaulted = doc.clone();
        apply_defaults(&compiled.schema, &mut defaulted);
        let mut walker = CelWalk {
            validator: self,
            file,
            prefix,
            errors: &mut errors,
        };
        walker.walk(&compiled.schema, &defaulted, &mut Vec::new(), "");
        errors
    }

    fn note_unsupported(&self, entry: String) {
        self.unsupported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(entry);
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `spec.containers[0].name`, `metadata.annotations["cnpg.io/x"]`, `<root>`.
fn display_path(segs: impl IntoIterator<Item = Seg>) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Seg::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
                if !plain {
                    let _ = write!(out, "[{}]", Value::String(k));
                } else {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&k);
                }
            }
        }
    }
    if out.is_empty() {
        "<root>".to_string()
    } else {
        out
    }
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || match schema.get("type") {
            Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
            Some(t) => t == "null",
            None => false,
        }
}

/// Kubernetes structural defaulting, as done before validation: prune
/// `null`s of non-nullable fields, fill in missing fields that have a
/// `default`, recursively (also inside defaulted values).
fn apply_defaults(schema: &Value, inst: &mut Value) {
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        for b in branches {
            apply_defaults(b, inst);
        }
    }
    match inst {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            if let Some(props) = props {
                for (k, ps) in props {
                    if map.get(k).is_some_and(Value::is_null) && !is_nullable(ps) {
                        map.remove(k);
                    }
                    if let Some(def) = ps.get("default")
                        && !map.contains_key(k)
                    {
                        map.insert(k.clone(), def.clone());
                    }
                }
            }
            let ap = schema.get("additionalProperties").filter(|v| v.is_object());
            for (k, v) in map.iter_mut() {
                if let Some(ps) = props.and_then(|p| p.get(k)) {
                    apply_defaults(ps, v);
                } else if let Some(ap) = ap {
                    apply_defaults(ap, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = schema.get("items").filter(|v| v.is_object()) {
                for v in items {
                    apply_defaults(is, v);
                }
            }
        }
        _ => {}
    }
}

/// serde_json → CEL. Numbers become `Int` when integral, `Float` otherwise,
/// except that a schema `type: number` always gives `Float` (as in
/// Kubernetes, where such a field is a CEL double).
pub fn to_cel(v: &Value, schema: Option<&Value>) -> CelValue {
    let sub = |key: &str| schema.and_then(|s| s.get(key)).filter(|s| s.is_object());
    match v {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => {
            let is_number_type = schema.and_then(|s| s.get("type")).is_some_and(|t| {
                t == "number"
                    || t.as_array()
                        .is_some_and(|a| a.contains(&Value::from("number")))
            });
            let f = n.as_f64().unwrap_or(f64::NAN);
            match (n.as_i64(), n.as_u64()) {
                _ if is_number_type => CelValue::Float(f),
                (Some(i), _) => CelValue::Int(i),
                (None, Some(u)) => CelValue::UInt(u),
                // An integral float such as `3.0`.
                _ if f.fract() == 0.0 && f.abs() < 9.0e18 => CelValue::Int(f as i64),
                _ => CelValue::Float(f),
            }
        }
        Value::String(s) => CelValue::String(Arc::new(s.clone())),
        Value::Array(items) => {
            let is = sub("items");
            CelValue::List(Arc::new(items.iter().map(|x| to_cel(x, is)).collect()))
        }
        Value::Object(map) => {
            let props = schema.and_then(|s| s.get("properties"));
            let ap = sub("additionalProperties");
            let m: HashMap<Key, CelValue> = map
                .iter()
                .map(|(k, x)| {
                    let s = props.and_then(|p| p.get(k)).or(ap);
                    (Key::String(Arc::new(k.clone())), to_cel(x, s))
                })
                .collect();
            CelValue::Map(Map { map: Arc::new(m) })
        }
    }
}

/// Result of evaluating a rule (or a sub-expression of one).
#[derive(Debug, Clone)]
pub enum CelOutcome {
    True,
    False,
    /// A runtime error the API server would report too (e.g. `no such key`).
    RuntimeError(String),
    /// cel-interpreter cannot evaluate it (parse error, missing function, …).
    Unsupported(String),
}

/// The context every rule is evaluated in (cel-interpreter's standard
/// functions; Kubernetes library functions would be added here if a schema
/// needed them).
fn base_context() -> &'static Context<'static> {
    static CTX: OnceLock<Context<'static>> = OnceLock::new();
    CTX.get_or_init(Context::default)
}

fn compile_cached(src: &str) -> Result<Arc<Program>, String> {
    type ProgramCache = Mutex<HashMap<String, Result<Arc<Program>, String>>>;
    static PROGRAMS: OnceLock<ProgramCache> = OnceLock::new();
    let cache = PROGRAMS.get_or_init(Default::default);
    if let Some(p) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(src) {
        return p.clone();
    }
    let compiled = catch_unwind(|| Program::compile(src))
        .map_err(|_| "the parser panicked".to_string())
        .and_then(|r| r.map_err(|e| format!("does not parse: {e}")))
        .map(Arc::new);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(src.to_string(), compiled.clone());
    compiled
}

/// Check that a rule can be evaluated at all: every top-level operand
/// parses, and references only functions/operators cel-interpreter has.
pub fn check_rule_compiles(rule: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    for leaf in leaves(rule) {
        match compile_cached(leaf) {
            Err(e) => problems.push(format!("`{leaf}` {e}")),
            Ok(p) => {
                let refs = p.references();
                let mut missing: Vec<&str> = refs
                    .functions()
                    .into_iter()
                    .filter(|f| !CEL_FUNCTIONS.contains(f) && !CEL_OPERATORS.contains(f))
                    .collect();
                missing.sort_unstable();
                if !missing.is_empty() {
                    problems.push(format!(
                        "`{leaf}` uses functions cel-interpreter lacks: {}",
                        missing.join(", ")
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Evaluate one rule with `self` bound to `this`.
pub fn eval_rule(rule: &str, this: &CelValue) -> CelOutcome {
    let mut ctx = base_context().new_inner_scope();
    ctx.add_variable_from_value("self", this.clone());
    eval_logic(rule.trim(), &ctx)
}

fn eval_logic(src: &str, ctx: &Context) -> CelOutcome {
    let src = strip_parens(src);
    let ors = split_top(src, "||");
    if ors.len() > 1 {
        let outs: Vec<CelOutcome> = ors.iter().map(|p| eval_logic(p, ctx)).collect();
        if outs.iter().any(|o| matches!(o, CelOutcome::True)) {
            return CelOutcome::True;
        }
        return first_error(outs).unwrap_or(CelOutcome::False);
    }
    let ands = split_top(src, "&&");
    if ands.len() > 1 {
        let outs: Vec<CelOutcome> = ands.iter().map(|p| eval_logic(p, ctx)).collect();
        if outs.iter().any(|o| matches!(o, CelOutcome::False)) {
            return CelOutcome::False;
        }
        return first_error(outs).unwrap_or(CelOutcome::True);
    }
    if let Some(rest) = src.strip_prefix('!') {
        let rest = rest.trim_start();
        if rest.starts_with('(') && strip_parens(rest).len() + 2 <= rest.len() {
            return match eval_logic(rest, ctx) {
                CelOutcome::True => CelOutcome::False,
                CelOutcome::False => CelOutcome::True,
                other => other,
            };
        }
    }
    eval_leaf(src, ctx)
}

fn first_error(outs: Vec<CelOutcome>) -> Option<CelOutcome> {
    let mut runtime = None;
    for o in outs {
        match o {
            CelOutcome::Unsupported(_) => return Some(o),
            CelOutcome::RuntimeError(_) if runtime.is_none() => runtime = Some(o),
            _ => {}
        }
    }
    runtime
}

fn eval_leaf(src: &str, ctx: &Context) -> CelOutcome {
    let program = match compile_cached(src) {
        Ok(p) => p,
        Err(e) => return CelOutcome::Unsupported(format!("`{src}` {e}")),
    };
    let result = match catch_unwind(AssertUnwindSafe(|| program.execute(ctx))) {
        Ok(r) => r,
        Err(_) => {
            return CelOutcome::Unsupported(format!("`{src}`: cel-interpreter panicked"));
        }
    };
    match result {
        Ok(CelValue::Bool(true)) => CelOutcome::True,
        Ok(CelValue::Bool(false)) => CelOutcome::False,
        Ok(other) => CelOutcome::Unsupported(format!("`{src}` gave a non-bool value {other:?}")),
        Err(ExecutionError::NoSuchKey(k)) => CelOutcome::RuntimeError(format!("no such key: {k}")),
        Err(
            e @ (ExecutionError::Overflow(..)
            | ExecutionError::DivisionByZero(_)
            | ExecutionError::RemainderByZero(_)),
        ) => CelOutcome::RuntimeError(e.to_string()),
        Err(e) => CelOutcome::Unsupported(format!("`{src}`: {e}")),
    }
}

/// Remove parentheses that enclose the whole expression.
fn strip_parens(mut s: &str) -> &str {
    loop {
        s = s.trim();
        if !(s.starts_with('(') && s.ends_with(')')) {
            return s;
        }
        // Does the first '(' close at the very end?
        let mut closes_at_end = false;
        scan(s, |i, depth, _| {
            if depth == 0 {
                closes_at_end = i == s.len() - 1;
                return false;
            }
            true
        });
        if !closes_at_end {
            return s;
        }
        s = &s[1..s.len() - 1];
    }
}

/// Split at top-level occurrences of `op` (`||` or `&&`). An expression with
/// a top-level ternary `?` is never split (its precedence is lower).
fn split_top<'a>(s: &'a str, op: &str) -> Vec<&'a str> {
    let bytes = s.as_bytes();
    let mut cuts = Vec::new();
    let mut ternary = false;
    scan(s, |i, depth, _| {
        if depth == 0 {
            if bytes[i] == b'?'
                && bytes.get(i + 1) != Some(&b'.')
                && bytes.get(i + 1) != Some(&b'[')
            {
                ternary = true;
            }
            if s[i..].starts_with(op) && cuts.last().is_none_or(|&c: &usize| c + 2 <= i) {
                cuts.push(i);
            }
        }
        true
    });
    if ternary || cuts.is_empty() {
        return vec![s];
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for c in cuts {
        parts.push(s[start..c].trim());
        start = c + op.len();
    }
    parts.push(s[start..].trim());
    parts
}

/// The operands [`eval_logic`] hands to cel-interpreter.
fn leaves(rule: &str) -> Vec<&str> {
    let s = strip_parens(rule.trim());
    for op in ["||", "&&"] {
        let parts = split_top(s, op);
        if parts.len() > 1 {
            return parts.into_iter().flat_map(leaves).collect();
        }
    }
    if let Some(rest) = s.strip_prefix('!') {
        let rest = rest.trim_start();
        if rest.starts_with('(') && strip_parens(rest).len() + 2 <= rest.len() {
            return leaves(rest);
        }
    }
    vec![s]
}

/// Walk `s` outside string literals, calling `f(byte index, depth after the
/// byte, byte)` for every byte; stop when `f` returns false. Depth counts
/// `(`, `[`, `{`.
fn scan(s: &str, mut f: impl FnMut(usize, i32, u8) -> bool) {
    let b = s.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' || c == b'\'' {
            let raw = i > 0 && (b[i - 1] == b'r' || b[i - 1] == b'R');
            let triple = b[i..].starts_with(&[c, c, c]);
            let mut j = if triple { i + 3 } else { i + 1 };
            while j < b.len() {
                if b[j] == b'\\' && !raw {
                    j += 2;
                    continue;
                }
                if triple {
                    if b[j..].starts_with(&[c, c, c]) {
                        j += 2;
                        break;
                    }
                } else if b[j] == c {
                    break;
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
        if !f(i, depth, c) {
            return;
        }
        i += 1;
    }
}

struct CelWalk<'a> {
    validator: &'a Validator,
    file: &'a str,
    prefix: &'a str,
    errors: &'a mut Vec<String>,
}

impl CelWalk<'_> {
    fn walk(&mut self, schema: &Value, inst: &Value, path: &mut Vec<Seg>, loc: &str) {
        let rules = node_rules(schema);
        // As in the API server, rules are not evaluated on a `null` value.
        if !rules.is_empty() && !inst.is_null() {
            let this = to_cel(inst, Some(schema));
            for rule in rules.iter().filter(|r| !r.transition) {
                self.check(rule, &this, path, loc);
            }
        }
        if let Some(Value::Array(branches)) = schema.get("allOf") {
            for (i, b) in branches.iter().enumerate() {
                self.walk(b, inst, path, &join_loc(loc, &format!("allOf.{i}")));
            }
        }
        match inst {
            Value::Object(map) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let ap = schema.get("additionalProperties").filter(|v| v.is_object());
                for (k, v) in map {
                    let (sub, sub_loc) = match props.and_then(|p| p.get(k)) {
                        Some(ps) => (ps, join_loc(&join_loc(loc, "properties"), k)),
                        None => match ap {
                            Some(ap) => (ap, join_loc(loc, "additionalProperties")),
                            None => continue,
                        },
                    };
                    path.push(Seg::Key(k.clone()));
                    self.walk(sub, v, path, &sub_loc);
                    path.pop();
                }
            }
            Value::Array(items) => {
                if let Some(is) = schema.get("items").filter(|v| v.is_object()) {
                    let sub_loc = join_loc(loc, "items");
                    for (i, v) in items.iter().enumerate() {
                        path.push(Seg::Index(i));
                        self.walk(is, v, path, &sub_loc);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn check(&mut self, rule: &CelRule, this: &CelValue, path: &[Seg], loc: &str) {
        let mut shown = display_path(path.iter().cloned());
        if let Some(fp) = &rule.field_path {
            if shown == "<root>" {
                shown.clear();
            }
            shown.push_str(fp);
        }
        let where_ = format!("{}: {shown}", self.prefix);
        match eval_rule(&rule.rule, this) {
            CelOutcome::True => {}
            CelOutcome::False => self.errors.push(format!(
                "{where_}: {} (CEL rule `{}`)",
                rule.message, rule.rule
            )),
            CelOutcome::RuntimeError(e) => self.errors.push(format!(
                "{where_}: CEL rule `{}` fails with a runtime error (the API server rejects this too): {e}; rule message: {}",
                rule.rule, rule.message
            )),
            CelOutcome::Unsupported(e) => {
                self.validator.note_unsupported(format!(
                    "{} {loc}: {}: {e}",
                    self.file, rule.rule
                ));
                if !KNOWN_UNEVALUABLE.iter().any(|(r, _)| *r == rule.rule) {
                    self.errors.push(format!(
                        "{where_}: CEL rule could not be evaluated: `{}`: {e}",
                        rule.rule
                    ));
                }
            }
        }
    }
}
