//! The TRACE of SPEC §4: the upper dir before and after every op, the merged view, the diff.
//!
//! Rules: `== TRACE v1 config=C layers=N ops=M`, `== UPPER 0` and its listing, then per op
//! `== OP k <echo>`, the result line, and `== UPPER k` with the listing or `== UPPER k unchanged`
//! when it equals the previous one; then `== MERGED`, `== DIFF native|naive` and `== END`.
//! Lines end with `\n`.

use super::ops::ScriptOp;
use super::{Config, Container};
use crate::error::Result;
use crate::union::Stack;

/// Replays `ops` on a fresh container over `lower` and prints the trace.
pub fn trace(lower: Stack, ops: &[ScriptOp], config: Config) -> Result<String> {
    let nlayers = lower.layers.len();
    let mut c = Container::new(lower, config);
    let mut lines: Vec<String> = vec![format!("== TRACE v1 config={} layers={} ops={}", config.name(), nlayers, ops.len())];
    let mut prev = c.upper_listing()?;
    lines.push("== UPPER 0".into());
    lines.extend(prev.iter().cloned());
    for (i, op) in ops.iter().enumerate() {
        let k = i + 1;
        lines.push(format!("== OP {k} {}", op.echo()));
        let out = c.apply(&op.op);
        lines.push(out.render());
        let cur = c.upper_listing()?;
        if cur == prev {
            lines.push(format!("== UPPER {k} unchanged"));
        } else {
            lines.push(format!("== UPPER {k}"));
            lines.extend(cur.iter().cloned());
        }
        prev = cur;
    }
    lines.push("== MERGED".into());
    lines.extend(c.merged_listing()?);
    lines.push(format!("== DIFF {}", if config.native_diff() { "native" } else { "naive" }));
    lines.extend(c.diff()?);
    lines.push("== END".into());
    let mut s = lines.join("\n");
    s.push('\n');
    Ok(s)
}
