//! Storage and resources of the instances.

use super::*;

impl ClusterLowering<'_> {
    pub(super) fn storage(&mut self) -> ir::Storage {
        match self.block.first("storage") {
            Some(s) => ir::Storage {
                size: match s.arg(0).map(|v| &v.v) {
                    Some(Val::Quantity(q)) => q.text.clone(),
                    _ => "1Gi".to_string(),
                },
                class: s.opt("class").and_then(|v| v.as_text()).map(str::to_string),
                resize: s.flag("resize").unwrap_or(true),
            },
            None => ir::Storage {
                size: "1Gi".into(),
                class: None,
                resize: true,
            },
        }
    }
    pub(super) fn resources(&mut self) -> ir::Resources {
        let Some(s) = self.block.first("resources") else {
            return ir::Resources::default();
        };
        let range = |k: &str| match s.opt(k).map(|v| &v.v) {
            Some(Val::Range(a, b)) => Some((a.clone(), b.clone())),
            _ => None,
        };
        let cpu = range("cpu");
        let mem = range("memory");
        if cpu.is_none() && mem.is_none() {
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
        ir::Resources {
            cpu: cpu.map(|(a, b)| (a.text, b.text)),
            memory_limit_bytes: mem.as_ref().map(|(_, b)| b.value),
            memory: mem.map(|(a, b)| (a.text, b.text)),
        }
    }
}
