//! Definitions: takes the bound top-level statements of every file (and the
//! standard modules in use), gives the presets, permission bundles and
//! profiles by name. Names are global to the compilation; defining one twice
//! is an error.

use indexmap::IndexMap;

use super::bind::{BBlock, BStmt, Val};
use super::values::Quantity;
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Preset {
    pub cpu: Option<(Quantity, Quantity)>,
    pub memory: Option<(Quantity, Quantity)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Bundle {
    /// Flag or bundle names, with their spans.
    pub items: Vec<(String, Span)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub block: BBlock,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Defs {
    pub presets: IndexMap<String, Preset>,
    pub bundles: IndexMap<String, Bundle>,
    pub profiles: IndexMap<String, Profile>,
    /// The preset a cluster gets when it names neither `preset` nor
    /// `resources` (`preset NAME … default`).
    pub default_preset: Option<String>,
    /// Names defined by standard modules that are not in use: name → module.
    pub std_unused: IndexMap<String, &'static str>,
}

fn range(s: &BStmt, key: &str) -> Option<(Quantity, Quantity)> {
    match s.opt(key).map(|v| &v.v) {
        Some(Val::Range(a, b)) => Some((a.clone(), b.clone())),
        _ => None,
    }
}

impl Defs {
    /// Adds the definitions of one file.
    pub fn add(&mut self, block: &BBlock, diags: &mut Diagnostics) {
        for s in &block.stmts {
            let Some(name) = s.text_arg(0).map(str::to_string) else {
                continue;
            };
            let name_span = s.arg(0).map(|a| a.span).unwrap_or(s.span);
            let first = match s.key {
                "preset" => self.presets.get(&name).map(|p| p.span),
                "bundle" => self.bundles.get(&name).map(|b| b.span),
                "profile" => self.profiles.get(&name).map(|p| p.span),
                _ => continue,
            };
            if let Some(first) = first {
                diags.push(
                    Diagnostic::new(codes::E0205, name_span, format!("{} `{name}` is defined twice", s.key))
                        .with_label("second definition")
                        .with_secondary(first, "first defined here")
                        .with_help("definitions are shared by all input files and the modules in use; rename one"),
                );
                continue;
            }
            match s.key {
                "preset" => {
                    let p = Preset {
                        cpu: range(s, "cpu"),
                        memory: range(s, "memory"),
                        span: name_span,
                    };
                    if p.cpu.is_none() && p.memory.is_none() {
                        diags.push(
                            Diagnostic::new(
                                codes::E0208,
                                s.head_span,
                                format!("preset `{name}` sets neither `cpu` nor `memory`"),
                            )
                            .with_label("empty preset")
                            .with_help("for example: preset u1.medium cpu 2 memory 8Gi"),
                        );
                    }
                    if s.flag("default") == Some(true) {
                        match self.default_preset.as_ref().and_then(|d| self.presets.get(d)) {
                            Some(first) => diags.push(
                                Diagnostic::new(codes::E0204, name_span, "a second default preset")
                                    .with_label("also marked `default`")
                                    .with_secondary(first.span, "the default preset")
                                    .with_help("one preset is the default; remove `default` from one of them"),
                            ),
                            None => self.default_preset = Some(name.clone()),
                        }
                    }
                    self.presets.insert(name, p);
                }
                "bundle" => {
                    let items = s
                        .opt("grants")
                        .map(|v| {
                            v.items()
                                .iter()
                                .filter_map(|i| i.as_text().map(|t| (t.to_string(), i.span)))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.bundles.insert(
                        name,
                        Bundle {
                            items,
                            span: name_span,
                        },
                    );
                }
                "profile" => {
                    self.profiles.insert(
                        name,
                        Profile {
                            block: s.block().cloned().unwrap_or_default(),
                            span: name_span,
                        },
                    );
                }
                _ => {}
            }
        }
    }

    /// Records the names a standard module defines, for "add `use …`" help.
    pub fn note_unused_std(&mut self, module: &'static str, block: &BBlock) {
        for s in &block.stmts {
            if let Some(n) = s.text_arg(0)
                && matches!(s.key, "preset" | "bundle" | "profile")
            {
                self.std_unused.entry(n.to_string()).or_insert(module);
            }
        }
    }

    /// "add `use std::presets`" when `name` comes from a module not in use.
    pub fn use_hint(&self, name: &str) -> Option<String> {
        self.std_unused
            .get(name)
            .map(|m| format!("`{name}` is defined in {m}: add `use {m}` at the top of the file"))
    }
}
