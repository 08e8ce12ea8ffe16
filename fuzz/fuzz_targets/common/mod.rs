//! The small image the `docker_cmd` and `shell` targets run over, built in memory once: the
//! layout of the oracle's `bb-work` image (busybox, `/data` with small/medium/big files, a
//! symlink, two hardlinks, a tree of dirs, `/etc/motd`), a second layer with a whiteout and an
//! opaque directory, served by a registry as `127.0.0.1:5000/bb-work:1`, `bb` and
//! `127.0.0.1:5000/app:1` (the base layer alone), and by `docker load -i ANY.tar`.
#![allow(dead_code)]

#[path = "../../../tests/support/tarkit.rs"]
pub mod tarkit;

use layerlab::docker::registry::Registry;
use layerlab::docker::Docker;
use layerlab::image::{Archive, LoadOptions, Selector};
use layerlab::source::MemSource;
use layerlab::tree::Tree;
use std::sync::Arc;
use tarkit::{docker_save, sha, Tar};

pub struct Fixture {
    pub registry: Registry,
    pub base_tar: Vec<u8>,
    /// The layers of `bb-work` (bottom first), for containers made directly.
    pub layers: Vec<Arc<Tree>>,
}

fn layers() -> Vec<Vec<u8>> {
    let base = Tar::new()
        .dir("bin/", 0o755)
        .file_mode("bin/busybox", b"\x7fELF busybox", 0o755)
        .symlink("bin/sh", "busybox")
        .dir("etc/", 0o755)
        .file("etc/motd", b"welcome\n")
        .file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        .dir("data/", 0o755)
        .file("data/small.txt", b"small file\n")
        .file("data/medium.bin", &[7u8; 5000])
        .file("data/big.bin", &[9u8; 70_000])
        .file_mode("data/perm.sh", b"#!/bin/sh\necho hi\n", 0o644)
        .symlink("data/link", "small.txt")
        .file("data/hard1", b"hard\n")
        .hardlink("data/hard2", "data/hard1")
        .dir("data/tree/", 0o755)
        .file("data/tree/a.txt", b"a\n")
        .dir("data/tree/sub/", 0o700)
        .file("data/tree/sub/b.txt", b"b\n")
        .file("data/tree/sub/d.txt", b"d\n")
        .dir("data/opq/", 0o755)
        .file("data/opq/old.txt", b"old\n")
        .dir("tmp/", 0o1777)
        .finish();
    let top = Tar::new()
        .dir("data/", 0o755)
        .file("data/.wh.medium.bin", b"")
        .dir("data/opq/", 0o755)
        .file("data/opq/.wh..wh..opq", b"")
        .file("data/opq/new.txt", b"new\n")
        .file("etc/motd", b"top motd\n")
        .finish();
    vec![base, top]
}

fn build() -> Fixture {
    let ls = layers();
    let images: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("127.0.0.1:5000/bb-work:1", ls.clone()),
        ("bb", ls.clone()),
        ("127.0.0.1:5000/app:1", vec![ls[0].clone()]),
    ];
    let mut txt = String::new();
    let mut archives = Vec::new();
    for (r, layers) in &images {
        let tar = docker_save(layers, "x/y:1");
        let config = tarkit::config_for(layers);
        txt.push_str(&format!("ref\t{r}\t{}\t1\tapplication/vnd.docker.distribution.manifest.v2+json\n", sha(r.as_bytes())));
        txt.push_str(&format!("config\t{r}\t{}\t1\tapplication/vnd.docker.container.image.v1+json\n", sha(&config)));
        for (i, l) in layers.iter().enumerate() {
            txt.push_str(&format!("layer\t{r}\t{i}\t{}\t{}\tgzip\t{}\n", sha(&[b"pushed:".as_slice(), l].concat()), l.len(), sha(l)));
        }
        let ar = Archive::open(MemSource::shared(tar), r, true, None).unwrap();
        archives.push((r.to_string(), Arc::new(ar)));
    }
    let registry = Registry::from_text(&txt, &mut |r: &str| archives.iter().find(|a| a.0 == r).map(|a| (a.1.clone(), Selector::Index(0)))).unwrap();
    let img = archives[0].1.load(&Selector::Index(0), &LoadOptions { changes: false, ..Default::default() }, &mut |_| true).unwrap();
    let layers = img.layers.iter().map(|l| l.tree.clone()).collect();
    Fixture { registry, base_tar: docker_save(&[ls[0].clone()], "oracle/base:1"), layers }
}

/// Built once per thread (archives are not `Sync`) and kept for the run.
pub fn fixture() -> &'static Fixture {
    thread_local! {
        static F: &'static Fixture = Box::leak(Box::new(build()));
    }
    F.with(|f| *f)
}

/// A fresh host over the fixture's registry; `docker load -i X.tar` loads the base image.
pub fn docker() -> Docker {
    let f = fixture();
    let tar = f.base_tar.clone();
    let loader: layerlab::docker::commands::Loader = Box::new(move |p: &str| {
        if p.ends_with(".tar") {
            Archive::open(MemSource::shared(tar.clone()), p, true, None).map(Arc::new).map_err(|e| e.to_string())
        } else {
            Err(format!("open {p}: no such file or directory"))
        }
    });
    Docker::new(f.registry.clone(), loader)
}
