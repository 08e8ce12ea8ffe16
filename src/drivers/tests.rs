//! Unit tests of the driver models on small in-memory images (Table 1 of the drivers README
//! is `tests/drivers.rs`).

use super::*;
use crate::container::{ops, Config};
use crate::layer::Content;
use crate::tree::Node;
use crate::union::Stack;
use std::sync::Arc;

#[allow(clippy::arc_with_non_send_sync)] // Stack holds Arc<Tree>, as everywhere in the core
fn image() -> Stack {
    let mut l0 = Tree::new();
    let f = |n: usize| Node::new(Kind::File(Content::Bytes(Arc::from(vec![7u8; n]))), 0o644, 0, 0);
    l0.insert_path(b"/a", f(300 << 10));
    l0.insert_path(b"/small", f(100));
    l0.insert_path(b"/dir/x", f(5000));
    Stack::new(vec![Arc::new(l0)])
}

fn run_script(script: &str) -> Vec<Column> {
    let ops: Vec<Op> = ops::parse(script.as_bytes()).unwrap().into_iter().map(|s| s.op).collect();
    run(Container::new(image(), Config::Default), &ops, &Driver::ALL)
}

fn col(cols: &[Column], d: Driver) -> &Column {
    cols.iter().find(|c| c.driver == d).unwrap()
}

/// Opening for writing copies the file up, so overlay2's SIZE counts it; nothing changed its
/// stat or bytes, so the naive drivers count nothing (where the two formulas differ).
#[test]
fn open_rw_counts_on_overlay2_only() {
    let cols = run_script("open-rw /a\n");
    assert_eq!(col(&cols, Driver::Overlay2).steps[1].ps_size, 300 << 10);
    assert_eq!(col(&cols, Driver::Aufs).steps[1].ps_size, 300 << 10);
    for d in [Driver::Vfs, Driver::Btrfs, Driver::Zfs, Driver::Devicemapper] {
        assert_eq!(col(&cols, d).steps[1].ps_size, 0, "{d:?}");
    }
}

/// The 1-byte write: a whole copy-up on overlay2, one record on zfs, one 4 KiB sector and one
/// leaf on btrfs, one pool block on devicemapper, one CoW granule on xfs-reflink, nothing on vfs.
#[test]
fn one_byte_write_per_driver() {
    let cols = run_script("pwrite /a 200000 Z\n");
    let delta = |d| {
        let c = col(&cols, d);
        c.steps[1].bytes as i64 - c.steps[0].bytes as i64
    };
    assert_eq!(delta(Driver::Overlay2), 300 << 10);
    assert_eq!(delta(Driver::Overlay2Reflink), 128 << 10);
    assert_eq!(delta(Driver::Zfs), (128 << 10) + zfs::TXG_METADATA as i64);
    // The whole tree of this tiny image fits in one leaf, which the snapshot's root already is.
    assert_eq!(delta(Driver::Btrfs), 4096);
    assert_eq!(delta(Driver::Devicemapper), 64 << 10);
    assert_eq!(delta(Driver::Vfs), 0);
    for c in &cols {
        assert_eq!(c.steps[1].ps_size, 300 << 10, "{:?}", c.driver);
    }
}

/// A directory rename: overlay2 and aufs copy (EXDEV), the others rename; deletes give bytes
/// back only on vfs; a deleted image file costs nothing on block drivers.
#[test]
fn rename_and_delete() {
    let cols = run_script("mv /dir /dir2\nunlink /a\n");
    assert!(col(&cols, Driver::Overlay2).steps[1].why.contains("EXDEV"));
    assert_eq!(col(&cols, Driver::Overlay2).steps[1].ps_size, 5000);
    assert_eq!(col(&cols, Driver::Vfs).steps[2].bytes + (300 << 10), col(&cols, Driver::Vfs).steps[1].bytes);
    let z = col(&cols, Driver::Zfs);
    assert_eq!(z.steps[2].bytes, z.steps[1].bytes);
    // The naive diff: /dir2/x is added (5000), /a's delete counts 0.
    assert_eq!(col(&cols, Driver::Btrfs).steps[2].ps_size, 5000);
}

/// The changes an op makes, as every non-overlay driver sees them.
#[test]
fn changes_of_ops() {
    let c = Container::new(image(), Config::Default);
    let v = view(&c);
    let ok = |op: &str| {
        let op = ops::parse(op.as_bytes()).unwrap().remove(0).op;
        let mut c = c.clone();
        let out = c.apply(&op);
        changes(&op, &v, &out, &c)
    };
    assert_eq!(ok("write /small hi"), vec![Change::Truncate { path: b"/small".to_vec(), size: 0 }, Change::Write { path: b"/small".to_vec(), off: 0, len: 2 }]);
    assert_eq!(ok("append /new x"), vec![Change::Create { path: b"/new".to_vec(), dir: false }, Change::Write { path: b"/new".to_vec(), off: 0, len: 1 }]);
    assert_eq!(ok("rm-r /dir"), vec![Change::Remove { path: b"/dir/x".to_vec(), dir: false }, Change::Remove { path: b"/dir".to_vec(), dir: true }]);
    assert_eq!(ok("unlink /nope"), vec![]);
    // Through a descriptor: `>` truncates at open; a write lands at the descriptor's offset.
    assert_eq!(ok("fd-open 3 > /small"), vec![Change::Truncate { path: b"/small".to_vec(), size: 0 }]);
    assert_eq!(ok("fd-open 3 < /small"), vec![]);
    let mut c2 = c.clone();
    let mut before = v.clone();
    let mut seen = Vec::new();
    for line in ["fd-open 4 <> /small", "fd-read 4 1", "fd-write 4 XY", "fd-close 4"] {
        let op = ops::parse(line.as_bytes()).unwrap().remove(0).op;
        let out = c2.apply(&op);
        seen.push(changes(&op, &before, &out, &c2));
        before = view(&c2);
    }
    assert_eq!(seen, vec![vec![], vec![], vec![Change::Write { path: b"/small".to_vec(), off: 1, len: 2 }], vec![]]);
    let json = serde_json::to_string(&run_script("chmod 600 /a\n")[0]).unwrap();
    assert!(json.starts_with("{\"driver\":\"overlay2\""), "{json}");
}


/// Each step names its op (the chart's label), shortened: a `write` may carry a megabyte.
#[test]
fn steps_name_their_op() {
    let long = "y".repeat(1000);
    let cols = run_script(&format!("chmod 600 /a\nwrite /new {long}\n"));
    let c = col(&cols, Driver::Overlay2);
    assert_eq!(c.steps[0].line, "");
    assert_eq!(c.steps[1].line, "chmod 600 /a");
    assert_eq!(c.steps[2].line.chars().count(), LINE_CHARS);
    assert!(c.steps[2].line.starts_with("write /new yyy") && c.steps[2].line.ends_with('…'), "{}", c.steps[2].line);
}
