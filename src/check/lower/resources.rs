//! Storage and resources of the instances.

use super::*;

impl ClusterLowering<'_> {
    pub(super) fn storage(&mut self) -> ir::Storage {
        match self.block.first("storage") {
            Some(s) => ir::Storage {
                size: match s.arg(0).map(|v| &v.v) {
                    Some(Val::Quantity(q)) => q.text.clone(),
                    _ => "10Gi".to_string(),
                },
                class: s.opt("class").and_then(|v| v.as_text()).map(str::to_string),
                resize: s.flag("resize").unwrap_or(true),
            },
            None => ir::Storage {
                size: "10Gi".into(),
                class: None,
                resize: true,
            },
        }
    }
    /// CPU and memory: the `preset`'s, overridden field by field by
    /// `resources`; with neither, the default preset of the definitions in
    /// use (std::presets: t1.micro, seed 003's chart default).
    pub(super) fn resources(&mut self) -> ir::Resources {
        let mut cpu = None;
        let mut mem = None;
        if self.block.first("preset").is_none()
            && self.block.first("resources").is_none()
            && let Some(def) = self
                .defs
                .default_preset
                .as_ref()
                .and_then(|d| self.defs.presets.get(d))
        {
            cpu = def.cpu.clone();
            mem = def.memory.clone();
        }
        if let Some(p) = self.block.first("preset").cloned()
            && let Some(v) = p.arg(0)
        {
            let name = v.as_text().unwrap_or_default();
            match self.defs.presets.get(name) {
                Some(def) => {
                    cpu = def.cpu.clone();
                    mem = def.memory.clone();
                }
                None => {
                    let cands: Vec<&str> = self.defs.presets.keys().map(String::as_str).collect();
                    match self.defs.use_hint(name) {
                        Some(h) => self.diags.push(
                            Diagnostic::new(
                                codes::E0206,
                                v.span,
                                format!("no preset named `{name}`"),
                            )
                            .with_label("names no preset")
                            .with_help(h),
                        ),
                        None => unresolved(self.diags, v.span, "preset", name, &cands),
                    }
                }
            }
        }
        if let Some(s) = self.block.first("resources") {
            let range = |k: &str| match s.opt(k).map(|v| &v.v) {
                Some(Val::Range(a, b)) => Some((a.clone(), b.clone())),
                _ => None,
            };
            let (c, m) = (range("cpu"), range("memory"));
            if c.is_none() && m.is_none() {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0208,
                        s.head_span,
                        "`resources` needs `cpu` or `memory`",
                    )
                    .with_label("nothing set")
                    .with_help("for example: resources cpu 500m..2 memory 1Gi..4Gi"),
                );
            }
            cpu = c.or(cpu);
            mem = m.or(mem);
        }
        ir::Resources {
            cpu: cpu.map(|(a, b)| (a.text, b.text)),
            memory_limit_bytes: mem.as_ref().map(|(_, b)| b.value),
            memory: mem.map(|(a, b)| (a.text, b.text)),
        }
    }
}
