//! The host (`layerlab::host`, the model the page's worker drives) under plain `cargo test`:
//! opening archives, the stack (toggles, reordering), views (filters, change types, sort by
//! size, collapsed directories, windows), one layer's own view, file reads, the container
//! (shell lines with their events, file actions, undo/reset, mount options) and `docker diff`.
//!
//! Modules:
//! - `stack`: real fixture archives (`../shared/fixtures`) against the kernel's merged-view
//!   goldens, all layers on and with the top layers switched off.
//! - `views`: archives built in memory (`support/tarkit.rs`), one scenario per test.
//! - `container`: shell lines and file actions, events, `docker ps -s` figures, undo/reset.
//! - `kernel`: every public kernel scenario of `../shared/oracle` whose ops the shell can type,
//!   in all three mount configs, through `Host::shell`: `docker diff` equals Docker's rule
//!   applied to the kernel's DIFF (the upper dir, or the naive diff), failed ops log the kernel's errno and succeeded ones none, and every
//!   entry the kernel copied up has a copy-up event.

#[path = "support/tarkit.rs"]
mod tarkit;
#[path = "support/traces.rs"]
mod traces;

use layerlab::host::{open_archive, ChangeFilter, EventKind, FileAction, Host, JournalItem, LayerId, Query, Row, Scope, ShellResult, Sort};
use layerlab::source::{FileSource, MemSource, Source};
use std::path::Path;
use std::sync::Arc;

/// Opens an archive's bytes into the host; returns the ids of its layers.
fn open(host: &mut Host, name: &str, bytes: Vec<u8>) -> Vec<LayerId> {
    let src: Source = Arc::new(MemSource::new(bytes));
    open_src(host, name, src)
}

fn open_src(host: &mut Host, name: &str, src: Source) -> Vec<LayerId> {
    let opened = open_archive(src, name, true, 1, host.next_id(), &mut |_| true).unwrap_or_else(|e| panic!("{name}: {e}"));
    host.add(&opened);
    opened.layers.iter().map(|l| l.info.id).collect()
}

fn open_file(host: &mut Host, path: &Path) -> Vec<LayerId> {
    let src: Source = Arc::new(FileSource::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    open_src(host, &path.display().to_string(), src)
}

fn all_on(ids: &[LayerId]) -> Vec<(LayerId, bool)> {
    ids.iter().map(|&i| (i, true)).collect()
}

fn query(scope: Scope) -> Query {
    Query { seq: 1, scope, filter: String::new(), change: ChangeFilter::All, sort: Sort::Tree, collapsed: Vec::new(), start: 0, count: u32::MAX }
}

/// Every row of a view.
fn rows(host: &mut Host, q: Query) -> Vec<Row> {
    host.query(&q).rows
}

fn row<'a>(rows: &'a [Row], path: &str) -> &'a Row {
    rows.iter().find(|r| r.path == path).unwrap_or_else(|| panic!("{path} is not in the view: {:?}", rows.iter().map(|r| &r.path).collect::<Vec<_>>()))
}

fn read(host: &mut Host, path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    host.read(path, None, &mut |c| {
        out.extend_from_slice(c);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("read {path}: {e}"));
    out
}

fn kinds(r: &ShellResult) -> Vec<EventKind> {
    r.events.iter().map(|e| e.kind).collect()
}

mod stack {
    use super::*;

    fn golden(name: &str) -> String {
        std::fs::read_to_string(traces::shared().join("fixtures/goldens").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The merged view of the whole stack, then of each prefix (the layers above switched
    /// off, as the page's toggles do), byte for byte the kernel's goldens.
    #[test]
    fn toggles_give_the_kernels_merged_views() {
        let mut host = Host::new();
        let ids = open_file(&mut host, &traces::shared().join("fixtures/generated/layered.docker.tar"));
        assert_eq!(ids.len(), 8);
        let n = host.set_stack(all_on(&ids));
        assert_eq!(host.listing().unwrap().0, golden("layered.merged.txt"));
        assert_eq!(n as usize, golden("layered.merged.txt").lines().count());
        for k in 1..ids.len() {
            let order: Vec<(LayerId, bool)> = ids.iter().enumerate().map(|(i, &id)| (id, i < k)).collect();
            host.set_stack(order);
            assert_eq!(host.listing().unwrap().0, golden(&format!("by-layer/layered.L{k}.merged.txt")), "first {k} layers on");
        }
        // Back on: the same view again.
        host.set_stack(all_on(&ids));
        assert_eq!(host.listing().unwrap().0, golden("layered.merged.txt"));
    }

    /// The page opens gzip and zstd layers without hashing their files
    /// ([`layerlab::host::load_options`]); a listing then hashes them when asked, one pass per
    /// layer, and says what the kernel's goldens say.
    #[test]
    fn compressed_layers_opened_without_file_digests_list_the_kernels_views() {
        assert!(!layerlab::host::load_options(true).hash_compressed && !layerlab::host::load_options(false).hash_compressed);
        for file in ["layered.oci.tar", "layered-zstd.oci-archive.tar"] {
            let mut host = Host::new();
            let ids = open_file(&mut host, &traces::shared().join("fixtures/generated").join(file));
            host.set_stack(all_on(&ids));
            assert_eq!(host.listing().unwrap().0, golden("layered.merged.txt"), "{file}");
            for k in 1..ids.len() {
                let order: Vec<(LayerId, bool)> = ids.iter().enumerate().map(|(i, &id)| (id, i < k)).collect();
                host.set_stack(order);
                assert_eq!(host.listing().unwrap().0, golden(&format!("by-layer/layered.L{k}.merged.txt")), "{file}: first {k} layers on");
            }
        }
    }

    /// Two archives sharing a base opened one after the other keep their own ids; a stack of
    /// one of them is that image's merged view.
    #[test]
    fn archives_opened_one_after_another() {
        let mut host = Host::new();
        let a = open_file(&mut host, &traces::shared().join("fixtures/generated/layered.docker.tar"));
        let b = open_file(&mut host, &traces::shared().join("fixtures/generated/sibling.docker.tar"));
        assert_eq!(b[0], a.len() as LayerId, "ids go on from the last archive");
        host.set_stack(all_on(&b));
        assert_eq!(host.listing().unwrap().0, golden("sibling.merged.txt"));
        assert_eq!(host.layer_info(b[0]).unwrap().diff_id, host.layer_info(a[0]).unwrap().diff_id, "the shared base");
    }
}

mod views {
    use super::*;
    use tarkit::Tar;

    fn two_layers(host: &mut Host) -> (LayerId, LayerId) {
        let l0 = Tar::new().dir("etc/", 0o755).file("etc/a", b"zero").file("etc/gone", b"x").dir("data/", 0o755).file("data/big", &[7u8; 5000]).finish();
        let l1 = Tar::new()
            .dir("etc/", 0o755)
            .file("etc/a", b"one!")
            .file("etc/.wh.gone", b"")
            .file("etc/new", b"new")
            .dir("data/", 0o755)
            .file("data/small", b"s")
            .finish();
        let ids = open(host, "two.tar", tarkit::docker_save(&[l0, l1], "two:1"));
        (ids[0], ids[1])
    }

    #[test]
    fn provenance_and_reordering() {
        let mut host = Host::new();
        let (l0, l1) = two_layers(&mut host);
        host.set_stack(vec![(l0, true), (l1, true)]);
        let v = rows(&mut host, query(Scope::Merged));
        let a = row(&v, "/etc/a");
        assert_eq!((a.layer, a.shadows.clone(), a.change), (Some(l1), vec![l0], 'M'));
        assert!(v.iter().all(|r| r.path != "/etc/gone"), "the whiteout hides /etc/gone");
        assert_eq!(read(&mut host, "/etc/a"), b"one!");
        // Reordered: the old bottom layer now wins, and the whiteout is below what it hid.
        host.set_stack(vec![(l1, true), (l0, true)]);
        let v = rows(&mut host, query(Scope::Merged));
        assert_eq!((row(&v, "/etc/a").layer, row(&v, "/etc/a").shadows.clone()), (Some(l0), vec![l1]));
        assert_eq!(row(&v, "/etc/gone").layer, Some(l0));
        assert_eq!(read(&mut host, "/etc/a"), b"zero");
        // Switched off: gone from the view.
        host.set_stack(vec![(l0, false), (l1, true)]);
        let v = rows(&mut host, query(Scope::Merged));
        assert_eq!(v.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/", "/data", "/data/small", "/etc", "/etc/a", "/etc/new"]);
        assert_eq!(host.stack(), [(l0, false), (l1, true)]);
    }

    #[test]
    fn filters_sort_collapse_and_windows() {
        let mut host = Host::new();
        let (l0, l1) = two_layers(&mut host);
        host.set_stack(vec![(l0, true), (l1, true)]);
        // A filter is a flat, case-insensitive list of matching paths.
        let v = rows(&mut host, Query { filter: "ETC/".into(), ..query(Scope::Merged) });
        assert_eq!(v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["/etc/a", "/etc/new"]);
        assert!(v.iter().all(|r| r.depth == 0));
        // Change filters: added entries (only in the top layer) and modified ones.
        let added = rows(&mut host, Query { change: ChangeFilter::Added, ..query(Scope::Merged) });
        assert!(added.iter().any(|r| r.path == "/etc/new") && added.iter().any(|r| r.path == "/data/big"));
        let modified = rows(&mut host, Query { change: ChangeFilter::Modified, ..query(Scope::Merged) });
        assert_eq!(modified.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/data", "/etc", "/etc/a"]);
        // Sort by size: largest first.
        let by_size = rows(&mut host, Query { sort: Sort::Size, ..query(Scope::Merged) });
        assert_eq!(by_size[0].path, "/data/big");
        assert_eq!(by_size[0].size, 5000);
        // Collapsing /etc hides what is inside it, and the row says so.
        let v = rows(&mut host, Query { collapsed: vec!["/etc".into()], ..query(Scope::Merged) });
        assert!(row(&v, "/etc").collapsed && v.iter().all(|r| !r.path.starts_with("/etc/")));
        // Windows: a slice of the view and its total.
        let all = rows(&mut host, query(Scope::Merged));
        let w = host.query(&Query { start: 2, count: 3, ..query(Scope::Merged) });
        assert_eq!((w.total as usize, w.start), (all.len(), 2));
        assert_eq!(w.rows, all[2..5].to_vec());
        let past = host.query(&Query { start: 100, count: 3, ..query(Scope::Merged) });
        assert!(past.rows.is_empty());
    }

    #[test]
    fn a_layers_own_view_shows_its_changes() {
        let mut host = Host::new();
        let (l0, l1) = two_layers(&mut host);
        host.set_stack(vec![(l0, true), (l1, true)]);
        let v = rows(&mut host, query(Scope::Layer(l1)));
        let got: Vec<(String, char, char)> = v.iter().map(|r| (r.path.clone(), r.kind, r.change)).collect();
        let want: Vec<(String, char, char)> = [
            ("/", 'd', ' '),
            ("/data", 'd', ' '),
            ("/data/small", 'f', 'A'),
            ("/etc", 'd', ' '),
            ("/etc/a", 'f', 'M'),
            ("/etc/gone", 'w', 'D'),
            ("/etc/new", 'f', 'A'),
        ]
        .iter()
        .map(|(p, k, c)| (p.to_string(), *k, *c))
        .collect();
        assert_eq!(got, want);
        let deleted = rows(&mut host, Query { change: ChangeFilter::Deleted, ..query(Scope::Layer(l1)) });
        assert_eq!(deleted.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/etc/gone"]);
        // The layer's listing is its directory as overlay2 extracts it (whiteout as 0/0 char dev).
        let (text, name) = host.listing().unwrap();
        assert!(name.starts_with("layer-"), "{name}");
        assert!(text.lines().any(|l| l == "w 0000 0:0 - - /etc/gone"), "{text}");
    }

    #[test]
    fn names_that_need_escaping() {
        let mut host = Host::new();
        let l0 = Tar::new().dir("d/", 0o755).file("d/with space", b"1").file("d/back\\slash", b"2").finish();
        let ids = open(&mut host, "esc.tar", tarkit::docker_save(&[l0], "esc:1"));
        host.set_stack(all_on(&ids));
        let v = rows(&mut host, query(Scope::Merged));
        assert_eq!(row(&v, "/d/with\\x20space").name, "with space");
        assert_eq!(read(&mut host, "/d/back\\x5cslash"), b"2");
        let r = host.shell("echo -n hi > '/d/with space'");
        assert_eq!(r.diff, ["C /d", "C /d/with\\x20space"]);
        assert_eq!(read(&mut host, "/d/with\\x20space"), b"hi");
    }
}

mod container {
    use super::*;
    use layerlab::container::{Config, CopyKind};
    use tarkit::Tar;

    fn image(host: &mut Host) -> Vec<LayerId> {
        let l0 = Tar::new().dir("etc/", 0o755).file("etc/motd", b"hello\n").dir("srv/", 0o755).file("srv/x", b"x").dir("srv/sub/", 0o755).finish();
        let l1 = Tar::new().dir("etc/", 0o755).file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n").finish();
        let ids = open(host, "img.tar", tarkit::docker_save(&[l0, l1], "img:1"));
        host.set_stack(all_on(&ids));
        ids
    }

    #[test]
    fn a_write_copies_up_and_docker_diff_shows_it() {
        let mut host = Host::new();
        let ids = image(&mut host);
        let fresh = host.container_status();
        assert!(fresh.ready && fresh.empty && !fresh.can_undo && fresh.diff.is_empty());
        assert_eq!(fresh.usage.size, 0);
        let image_bytes = fresh.usage.virtual_size;
        assert_eq!(image_bytes, 6 + 1 + 26);

        let r = host.shell("echo more >> /etc/passwd");
        assert_eq!(r.output, ["# echo more >> /etc/passwd"]);
        // The parent directory is copied up first, then the file.
        assert_eq!(kinds(&r), [EventKind::CopyUp, EventKind::CopyUp, EventKind::Change]);
        let copies: Vec<_> = r.copies.iter().map(|c| (c.path.as_str(), c.layer, c.bytes, c.kind)).collect();
        assert_eq!(copies, [("/etc", ids[1], 0, CopyKind::Full), ("/etc/passwd", ids[1], 26, CopyKind::Full)]);
        assert!(r.events[0].text().starts_with("/etc from L1 ") && r.events[0].text().contains("the directory alone"), "{}", r.events[0].text());
        assert!(r.events[1].text().contains("26 bytes copied"), "{}", r.events[1].text());
        assert_eq!(r.diff, ["C /etc", "C /etc/passwd"]);
        assert_eq!((r.usage.size, r.usage.virtual_size, r.usage.copied_bytes, r.usage.copied), (31, image_bytes + 31, 26, 2));
        assert!(r.can_undo && !r.empty);
        // The merged view now shows the container's version.
        let v = rows(&mut host, query(Scope::Merged));
        let p = row(&v, "/etc/passwd");
        assert_eq!((p.layer, p.shadows.clone(), p.size), (Some(layerlab::host::CONTAINER_LAYER), vec![ids[1]], 31));
        assert_eq!(read(&mut host, "/etc/passwd"), b"root:x:0:0::/root:/bin/sh\nmore\n");

        let r = host.shell("rm /etc/motd");
        assert_eq!(kinds(&r), [EventKind::Whiteout]);
        assert_eq!(r.diff, ["C /etc", "D /etc/motd", "C /etc/passwd"]);
        assert_eq!(r.usage.whiteouts, 1);
        let r = host.shell("cat /etc/motd");
        assert_eq!(r.output, ["# cat /etc/motd", "cat: /etc/motd: No such file or directory"]);
        assert_eq!(kinds(&r), [EventKind::Error]);

        // Undo brings the file back; reset empties the layer.
        let r = host.shell("undo");
        assert_eq!(kinds(&r), [EventKind::Undo]);
        assert_eq!(r.diff, ["C /etc", "C /etc/passwd"]);
        let r = host.shell("reset");
        assert_eq!(kinds(&r), [EventKind::Reset]);
        assert!(r.empty && r.diff.is_empty());
        // A stack change starts a fresh container.
        host.shell("touch /new");
        host.set_stack(all_on(&ids));
        assert!(host.container_status().diff.is_empty());
    }

    /// The page's worker applies the stack an open brings before the page sends it
    /// (`ui::worker::finish_open`): the same stack sent again is kept while nothing changed,
    /// and makes a fresh container once anything did.
    #[test]
    fn the_same_stack_again_is_kept_until_the_container_changes() {
        let mut host = Host::new();
        let ids = image(&mut host);
        let merged = rows(&mut host, query(Scope::Merged)).len() as u64;
        assert_eq!(host.set_stack(all_on(&ids)), merged);
        // A layer's own view queried in between: the count is still the merged view's.
        rows(&mut host, query(Scope::Layer(ids[1])));
        assert_eq!(host.set_stack(all_on(&ids)), merged);
        // A file written from the page, then the same stack: a fresh container.
        let r = host.file_action(&FileAction::Write { path: "/etc/motd".into(), text: "bye\n".into() });
        assert_eq!(r.diff, ["C /etc", "C /etc/motd"]);
        assert_eq!(host.set_stack(all_on(&ids)), merged);
        let fresh = host.container_status();
        assert!(fresh.diff.is_empty() && !fresh.can_undo, "{:?}", fresh.diff);
        assert_eq!(read(&mut host, "/etc/motd"), b"hello\n");
        // Mount options set, then the same stack: a fresh container with those options.
        host.shell("touch /new");
        host.set_config(Config::Redirect);
        host.shell("touch /other");
        host.set_stack(all_on(&ids));
        let c = host.container_status();
        assert!(c.diff.is_empty() && c.config == Config::Redirect, "{:?}", c.diff);
    }

    #[test]
    fn mount_options_and_a_directory_rename() {
        let mut host = Host::new();
        image(&mut host);
        // redirect_dir=off: rename(2) of a lower directory is EXDEV, mv copies it.
        let r = host.file_action(&FileAction::Rename { from: "/srv".into(), to: "/srv2".into() });
        assert_eq!(r.output[0], "# mv -T /srv /srv2");
        assert!(r.events.iter().any(|e| e.kind == EventKind::CopyUp), "{:?}", r.events);
        // The source directory was copied up, then whited out by the same mv: still a directory.
        let srv = r.events.iter().find(|e| e.kind == EventKind::CopyUp && e.text().starts_with("/srv from ")).expect("a copy-up of /srv");
        assert!(srv.text().contains("the directory alone"), "{}", srv.text());
        assert!(r.diff.contains(&"A /srv2".to_string()) && r.diff.contains(&"D /srv".to_string()), "{:?}", r.diff);
        // redirect_dir=on: the directory is renamed in the container layer with a redirect, and
        // docker diff is the naive comparison Docker then uses.
        let r = host.set_config(Config::Redirect);
        assert_eq!(r.config, Config::Redirect);
        assert!(r.empty && r.events[0].text().contains("redirect_dir=on,index=off,metacopy=off"));
        let r = host.shell("mv -T /srv /srv2");
        assert_eq!(kinds(&r).iter().filter(|k| **k == EventKind::Redirect).count(), 1, "{:?}", r.events);
        assert_eq!(r.diff, ["D /srv", "A /srv2", "A /srv2/sub", "A /srv2/x"]);
    }

    #[test]
    fn file_actions_quote_like_sh_and_replay() {
        let mut host = Host::new();
        let ids = image(&mut host);
        let journal = vec![
            JournalItem::Action(FileAction::NewDir { path: "/it's".into() }),
            JournalItem::Action(FileAction::Write { path: "/it's/a\\x20b".into(), text: "x".into() }),
            JournalItem::Line("chmod 600 /etc/motd".into()),
            JournalItem::Action(FileAction::Delete { path: "/srv".into(), dir: true }),
        ];
        let mut outputs = Vec::new();
        for j in &journal {
            let r = match j {
                JournalItem::Line(l) => host.shell(l),
                JournalItem::Action(a) => host.file_action(a),
            };
            outputs.push(r.output[0].clone());
        }
        assert_eq!(outputs, ["# mkdir '/it'\\''s'", "# echo -n x > '/it'\\''s/a b'", "# chmod 600 /etc/motd", "# rm -r /srv"]);
        let diff = host.container_status().diff;
        assert_eq!(diff, ["C /etc", "C /etc/motd", "A /it's", "A /it's/a\\x20b", "D /srv"]);
        // A new file where one exists is refused (the button says "new").
        let r = host.file_action(&FileAction::NewFile { path: "/etc/motd".into() });
        assert_eq!(r.output[1], "touch: '/etc/motd' already exists: nothing done");
        // Replaying the journal over a fresh stack gives the same container.
        host.set_stack(all_on(&ids));
        let r = host.replay(Config::Default, &journal);
        assert_eq!(r.diff, diff);
        assert_eq!(r.events.last().unwrap().kind, EventKind::Restore);
    }

    /// Every op the container runs, from a shell line (each syscall-level op of it) or a file
    /// action, is logged for the storage-driver comparison (issue 12): what
    /// [`Host::replay_input`] hands over (the union's layer blobs, the mount options, the ops as
    /// an OPS script) prices on every driver exactly as `drivers::run` does for the same ops on
    /// a fresh container over the same image; undo takes the log back with the container, a
    /// reset or a restart starts it again.
    #[test]
    fn the_container_replays_on_every_storage_driver() {
        use layerlab::container::{Container, Op};
        use layerlab::drivers::{self, Driver};
        let path = traces::shared().join("fixtures/generated/layered.docker.tar");
        let mut host = Host::new();
        let ids = open_file(&mut host, &path);
        host.set_stack(all_on(&ids));
        // The same image, opened again, for a reference container.
        let src: Source = Arc::new(FileSource::open(&path).unwrap());
        let opened = open_archive(src, "ref", true, 1, 0, &mut |_| true).unwrap();
        let stack = layerlab::union::Stack::new(opened.layers.iter().map(|l| l.tree.clone()).collect());
        let expect = |ops: &[Op]| drivers::run(Container::new(stack.clone(), Config::Default), ops, &Driver::ALL);
        let replayed = |host: &Host| {
            let r = host.replay_input().expect("a stack is set");
            assert_eq!(r.layers.iter().map(|l| l.0).collect::<Vec<_>>(), ids, "the union's layers, bottom first");
            let ops: Vec<Op> = layerlab::container::ops::parse(r.script.as_bytes()).unwrap().into_iter().map(|s| s.op).collect();
            let stack = drivers::replay_stack(r.layers.iter().map(|l| l.1.source.clone()).collect()).unwrap();
            let cols = drivers::replay(stack, r.config, r.script.as_bytes(), &Driver::ALL).unwrap();
            (ops, cols)
        };
        assert_eq!(replayed(&host).0, []);

        let append = Op::Append { path: b"/data/big.bin".to_vec(), text: b"x\n".to_vec() };
        host.shell("echo x >> /data/big.bin");
        let (ops, cols) = replayed(&host);
        assert_eq!(ops, [append.clone()]);
        assert_eq!(cols, expect(&ops));
        // overlay2 copied the whole 5 MiB file up; its `docker ps -s` is the file's new size.
        let o = &cols[0];
        assert_eq!((o.driver, o.steps.len(), o.steps[1].ps_size, o.steps[1].copied), (Driver::Overlay2, 2, 5 * 1024 * 1024 + 2, 5 * 1024 * 1024));

        // A file action is one op; a shell line of many ops is as many steps.
        host.file_action(&FileAction::Write { path: "/new".into(), text: "hi".into() });
        let write = Op::Write { path: b"/new".to_vec(), text: b"hi".to_vec() };
        assert_eq!(replayed(&host).0, [append.clone(), write.clone()]);
        host.shell("rm /new /data/big.bin");
        let unlinks = [Op::Unlink { path: b"/new".to_vec() }, Op::Unlink { path: b"/data/big.bin".to_vec() }];
        let (ops, cols) = replayed(&host);
        assert_eq!(ops, [append.clone(), write.clone(), unlinks[0].clone(), unlinks[1].clone()]);
        assert_eq!(cols[0].steps.len(), 5);
        assert_eq!(cols, expect(&ops));

        // Undo takes the log back with the container; a reset or a restart starts it again.
        host.shell("undo");
        assert_eq!(replayed(&host).0, [append.clone(), write.clone()]);
        host.shell("reset");
        assert_eq!(replayed(&host).0, []);
        host.shell("undo");
        assert_eq!(replayed(&host).0, [append, write]);
        host.set_config(Config::Default);
        assert_eq!(replayed(&host).0, []);
    }
}

mod kernel {
    use super::*;
    use layerlab::container::Config;
    use std::collections::{BTreeSet, HashMap};

    /// The shell line doing what one SPEC §3 op does, or None (no such shell command).
    fn to_shell(t: &[Vec<u8>], config: Config) -> Option<String> {
        let q = |b: &[u8]| layerlab::container::shell::sh_quote(b);
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let a = &t[1..];
        Some(match t[0].as_slice() {
            b"write" => format!("echo -n {} > {}", q(&a[1]), q(&a[0])),
            b"append" => format!("echo -n {} >> {}", q(&a[1]), q(&a[0])),
            b"read" => format!("cat {}", q(&a[0])),
            b"mkdir" => format!("mkdir {}", q(&a[0])),
            b"rmdir" => format!("rmdir {}", q(&a[0])),
            b"unlink" => format!("rm {}", q(&a[0])),
            b"rm-r" => format!("rm -r {}", q(&a[0])),
            b"mv" => format!("mv -T {} {}", q(&a[0]), q(&a[1])),
            // rename(2) is mv -T as long as it cannot say EXDEV (mv would fall back).
            b"rename" if config != Config::Default => format!("mv -T {} {}", q(&a[0]), q(&a[1])),
            b"link" => format!("ln {} {}", q(&a[0]), q(&a[1])),
            b"symlink" => format!("ln -s {} {}", q(&a[0]), q(&a[1])),
            b"chmod" => format!("chmod {} {}", s(&a[0]), q(&a[1])),
            b"chown" => format!("chown {} {}", s(&a[0]), q(&a[1])),
            b"readlink" => format!("readlink {}", q(&a[0])),
            b"stat" => format!("stat {}", q(&a[0])),
            // `ls FILE` lists the file where readdir(2) says ENOTDIR: it changes nothing, so
            // it is left out (an empty line).
            b"ls" => String::new(),
            // truncate(2) creates nothing; coreutils truncate does unless -c.
            b"truncate" => format!("truncate -c -s {} {}", s(&a[1]), q(&a[0])),
            b"touch" => format!("touch {}", q(&a[0])),
            _ => return None,
        })
    }

    /// The path field of a listing line (escaped).
    fn path_of(line: &str) -> &str {
        line.split(' ').nth(5).unwrap_or("")
    }

    /// The kernel's DIFF as docker diff lines, by Docker's rule (src/container/diff.rs, "docker
    /// diff"), applied here on its own to the kernel's output so the two can disagree:
    /// `.wh.NAME` is `D NAME`, the opaque marker adds nothing itself, any other path is `C` if
    /// the lower layers have it, else `A`, except for a directory over a lower directory.
    /// There the docker-oracle recorded what real Docker 20.10 prints, and the assertions
    /// follow it (before, every upper directory was listed):
    /// - it is listed (`C`) only if its mode or owner differs from the lower one, or a path
    ///   below it is listed: a directory copied up for a file made and deleted again is not
    ///   (`whiteouts` rmnew, NOTES 14), nor one deleted and made again empty (`opaque-dirs`
    ///   emptied);
    /// - if it is opaque, each first-level entry of the lower directory that the upper dir does
    ///   not hold again is `D` (`opaque-dirs` recreate: `D /data/tree/sub`, NOTES 15).
    /// A `naive` DIFF (redirect, metacopy) is already moby's `ChangesDirs` walk: markers are
    /// `D`, every other line `C` or `A`, as before.
    fn docker_diff(diff: &[String], native: bool, lower: &HashMap<String, String>) -> Vec<String> {
        let meta = |l: &str| l.split(' ').take(3).collect::<Vec<_>>().join(" ");
        let mut out: Vec<(String, char)> = Vec::new();
        let mut dirs: Vec<(String, String)> = Vec::new(); // upper dirs over lower dirs, with their line
        let mut opaque: BTreeSet<String> = BTreeSet::new();
        let mut upper: BTreeSet<String> = BTreeSet::new();
        for l in diff {
            let p = path_of(l);
            if p == "/" {
                continue; // docker diff never lists the root
            }
            let (dir, base) = p.rsplit_once('/').unwrap();
            let dir = if dir.is_empty() { "/" } else { dir };
            if base == ".wh..wh..opq" {
                opaque.insert(dir.to_string());
                continue;
            }
            upper.insert(p.to_string());
            match base.strip_prefix(".wh.") {
                Some(name) => out.push((format!("{}/{name}", dir.trim_end_matches('/')), 'D')),
                None if native && l.starts_with("d ") && lower.get(p).is_some_and(|b| b.starts_with("d ")) => dirs.push((p.to_string(), l.clone())),
                None => out.push((p.to_string(), if lower.contains_key(p) { 'C' } else { 'A' })),
            }
        }
        for d in &opaque {
            if !dirs.iter().any(|(p, _)| p == d) {
                continue; // a new opaque directory hides nothing
            }
            for p in lower.keys() {
                let first_level = p.rsplit_once('/').is_some_and(|(parent, _)| (if parent.is_empty() { "/" } else { parent }) == d.as_str());
                if first_level && !upper.contains(p) {
                    out.push((p.clone(), 'D'));
                }
            }
        }
        // Deepest first: a directory's listing depends on the directories below it.
        dirs.sort_by_key(|(p, _)| std::cmp::Reverse(p.matches('/').count()));
        for (p, l) in dirs {
            let below = out.iter().any(|(q, _)| q.starts_with(&format!("{p}/")));
            if below || meta(&l) != meta(&lower[&p]) {
                out.push((p, 'C'));
            }
        }
        // Sorted by path bytes, as docker diff prints them (`\xHH` escapes sort like the bytes
        // they stand for only roughly: compare unescaped).
        out.sort_by_key(|(p, _)| layerlab::listing::unescape(p));
        out.into_iter().map(|(p, k)| format!("{k} {p}")).collect()
    }

    #[test]
    fn every_typeable_scenario_matches_the_kernel() {
        let set = traces::shared().join("oracle/scenarios");
        let mut dirs: Vec<_> = std::fs::read_dir(&set).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.join("ops").is_file()).collect();
        dirs.sort();
        let (mut ran, mut skipped) = (0, 0);
        let mut fails = Vec::new();
        // Scenarios where Docker's rule and the plain conversion of the upper dir disagree.
        let mut docker_rule_mattered = Vec::new();
        for dir in dirs {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let script = layerlab::container::ops::parse(&std::fs::read(dir.join("ops")).unwrap()).unwrap();
            let mut tars: Vec<_> = std::fs::read_dir(dir.join("layers")).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
            tars.sort_by_key(|p| p.file_stem().unwrap().to_string_lossy().parse::<u32>().unwrap());
            for config in Config::ALL {
                let Ok(expected) = std::fs::read_to_string(dir.join(format!("expected.{}.txt", config.name()))) else { continue };
                let lines: Option<Vec<String>> = script.iter().map(|op| to_shell(&[vec![op.name.as_bytes().to_vec()], op.tokens.clone()].concat(), config)).collect();
                // A name that is not UTF-8 cannot be typed into the shell.
                let typeable = script.iter().all(|op| op.tokens.iter().all(|t| std::str::from_utf8(t).is_ok()));
                let Some(lines) = lines.filter(|_| typeable) else {
                    skipped += 1;
                    continue;
                };
                let mut host = Host::new();
                let mut ids = Vec::new();
                for t in &tars {
                    ids.extend(open_file(&mut host, t));
                }
                host.set_stack(all_on(&ids));
                let lower_lines: HashMap<String, String> = host.listing().unwrap().0.lines().map(|l| (path_of(l).to_string(), l.to_string())).collect();
                let lower: BTreeSet<String> = lower_lines.keys().cloned().collect();
                host.set_config(config);
                let results = traces::op_results(&expected);
                let uppers = traces::uppers(&expected);
                let mut prev: HashMap<String, String> = HashMap::new();
                let mut last = None;
                for (k, line) in lines.iter().enumerate() {
                    if line.is_empty() {
                        continue;
                    }
                    let r = host.shell(line);
                    let op = script[k].name;
                    let what = format!("{name} [{}] op {} `{line}`", config.name(), k + 1);
                    let errors: Vec<String> = r.events.iter().filter(|e| e.kind == EventKind::Error).map(|e| e.text()).collect();
                    let result = &results[k];
                    // Where coreutils stands in front of the syscall: `ln` refuses a directory
                    // before link(2) (any error will do), `truncate -c` skips a missing file.
                    let failed = result.starts_with('E') && result.chars().all(|c| c.is_ascii_uppercase());
                    if failed && op == "truncate" && result == "ENOENT" {
                    } else if failed && op == "link" {
                        if errors.is_empty() {
                            fails.push(format!("{what}: the kernel said {result}, the shell succeeded"));
                        }
                    } else if failed {
                        if !errors.iter().any(|e| e.contains(result.as_str())) {
                            fails.push(format!("{what}: the kernel said {result}, the events {errors:?}"));
                        }
                    } else if !errors.is_empty() {
                        fails.push(format!("{what}: the kernel said {result}, the events {errors:?}"));
                    }
                    // Every entry the kernel copied up (a new upper entry for a lower path) has
                    // a copy-up event.
                    let upper = uppers[k].clone().unwrap_or_else(|| prev.clone());
                    // (A rename's destination can be a lower path without being copied up.)
                    let copied: Vec<&str> = r.copies.iter().map(|c| c.path.as_str()).collect();
                    // Nor is a name under a directory that was whited out or made opaque.
                    let hidden = |p: &str| {
                        let mut a = p;
                        while let Some((parent, _)) = a.rsplit_once('/') {
                            a = if parent.is_empty() { "/" } else { parent };
                            if prev.get(a).is_some_and(|l| l.starts_with("w ")) || upper.get(a).is_some_and(|l| l.contains(" opaque")) {
                                return true;
                            }
                            if a == "/" {
                                break;
                            }
                        }
                        false
                    };
                    for (p, l) in &upper {
                        if !matches!(op, "mv" | "rename") && !hidden(p) && p != "/" && !l.starts_with("w ") && !prev.contains_key(p) && lower.contains(p) && !copied.contains(&p.as_str()) {
                            fails.push(format!("{what}: the kernel copied up {p}; events named {copied:?}"));
                        }
                    }
                    prev = upper;
                    last = Some(r);
                }
                let want = docker_diff(&traces::section(&expected, "== DIFF"), expected.contains("\n== DIFF native"), &lower_lines);
                if want != docker_diff(&traces::section(&expected, "== DIFF"), false, &lower_lines) {
                    docker_rule_mattered.push(format!("{name} [{}]", config.name()));
                }
                let got = last.map(|r| r.diff).unwrap_or_default();
                if got != want {
                    fails.push(format!("{name} [{}]: docker diff {got:?}, kernel {want:?}", config.name()));
                }
                ran += 1;
            }
        }
        println!("kernel scenarios through the host's shell: {ran} ran, {skipped} with ops the shell has no command for");
        for f in &fails {
            println!("FAIL {f}");
        }
        println!("Docker's rule differs from the plain A/C/D conversion in {}: {docker_rule_mattered:?}", docker_rule_mattered.len());
        assert!(ran >= 200, "expected most of the corpus, ran {ran}");
        // The corpus has copied-up directories left unchanged and opaque directories over
        // lower ones: the rule is exercised, not only carried.
        assert!(docker_rule_mattered.len() >= 5, "{docker_rule_mattered:?}");
        assert!(fails.is_empty(), "{} mismatches with the kernel", fails.len());
    }
}

// INSPECT (issue 13): the page's worker hands the Inspect panel's worker the layer indexes it
// made when it opened an archive (verified or not, any image of it); rebuilt over the same
// archive they read no layer again, and the analysis says what `layerlab analyze` says.
#[test]
fn an_exported_index_rebuilds_the_image_without_reading_a_layer() {
    struct Counting(Source, std::sync::atomic::AtomicU64);
    impl layerlab::source::BlobSource for Counting {
        fn len(&self) -> u64 {
            self.0.len()
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read_at(offset, buf)?;
            self.1.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            Ok(n)
        }
    }
    let cli = |args: &[&str]| -> serde_json::Value {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_layerlab")).args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    for (file, image) in [("layered.docker.tar", None), ("layered-zstd.oci-archive.tar", None), ("layered.oci.tar", None), ("both.oci.tar", Some(1)), ("both.oci.tar", Some(0))] {
        let path = traces::shared().join("fixtures/generated").join(file).display().to_string();
        for verify in [true, false] {
            let mut host = Host::new();
            let src: Source = Arc::new(FileSource::open(&path).unwrap());
            host.add(&open_archive(src, file, verify, 1, 0, &mut |_| true).unwrap());
            let (bytes, position) = host.export_index(file, image).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(position, image.unwrap_or(0));
            let counting = Arc::new(Counting(Arc::new(FileSource::open(&path).unwrap()), Default::default()));
            let archive = layerlab::image::Archive::open(counting.clone(), file, false, None).unwrap();
            let opts = layerlab::image::LoadOptions { verify: false, changes: false, hash_compressed: false, ..Default::default() };
            let layers = layerlab::layer::indexfile::decode(&bytes).unwrap();
            let opened = counting.1.load(std::sync::atomic::Ordering::Relaxed);
            let img = archive.load_indexed(&layerlab::image::Selector::Index(position), &opts, layers).unwrap();
            // Past the archive's own index: the config and each layer's first bytes (its
            // compression's magic number), nothing more.
            let read = counting.1.load(std::sync::atomic::Ordering::Relaxed) - opened;
            let config = img.config.as_ref().map_or(0, |c| c.raw.to_string().len() as u64);
            assert!(read <= 2 * config + 512 * img.layers.len() as u64, "{file}: {read} bytes read to rebuild from the index");
            let analysis = layerlab::analysis::analyze(&img).unwrap();
            let mut args = vec!["analyze", path.as_str(), "--json"];
            let n = image.map(|n| n.to_string());
            if let Some(n) = &n {
                args.extend(["--image", n.as_str()]);
            }
            // Through JSON text both ways (serde_json's parse of a float may be 1 ulp off the value printed).
            let got: serde_json::Value = serde_json::from_str(&serde_json::to_string(&analysis).unwrap()).unwrap();
            assert_eq!(got, cli(&args), "{file} image {image:?} verify {verify}");
        }
    }
    let host = Host::new();
    assert!(host.export_index("no-such.tar", None).is_err());
}
