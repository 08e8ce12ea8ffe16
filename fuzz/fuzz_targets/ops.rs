//! Fuzz target `ops`: the OPS script parser (SPEC §3) and the canonical echo (SPEC §4).
//! Any input either fails to parse with an error, or parses to ops whose echo parses back to
//! the same ops; the parsed ops then replay on a small container without panicking.
#![no_main]

use layerlab::container::{ops, Config, Container};
use layerlab::tree::{Content, Kind, Node, Tree, ROOT};
use layerlab::union::Stack;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fn stack() -> Stack {
    let mut l0 = Tree::new();
    let t = l0.insert(ROOT, b"t", Node::dir(0o755, 0, 0));
    l0.insert(t, b"f", Node::new(Kind::File(Content::Bytes(Arc::from(&b"data"[..]))), 0o644, 0, 0));
    let d = l0.insert(t, b"d", Node::dir(0o755, 0, 0));
    l0.insert(d, b"s", Node::new(Kind::Symlink(b"../f"[..].into()), 0o777, 0, 0));
    let mut l1 = Tree::new();
    let t1 = l1.insert(ROOT, b"t", Node::dir(0o755, 0, 0));
    l1.insert(t1, b"w", Node::new(Kind::Char(0, 0), 0, 0, 0));
    Stack::new(vec![Arc::new(l0), Arc::new(l1)])
}

fuzz_target!(|data: &[u8]| {
    let Ok(script) = ops::parse(data) else { return };
    let echo: Vec<String> = script.iter().map(|o| o.echo()).collect();
    let again = ops::parse(echo.join("\n").as_bytes()).expect("the echo parses");
    assert_eq!(script.len(), again.len());
    for (a, b) in script.iter().zip(&again) {
        assert_eq!(a.op, b.op);
        assert_eq!(a.echo(), b.echo());
    }
    for config in [Config::Default, Config::Metacopy] {
        let mut c = Container::new(stack(), config);
        for o in script.iter().take(64) {
            c.apply(&o.op);
        }
        let _ = c.merged_listing();
        let _ = c.diff();
    }
});
