//! Fuzz target `compare`: `layerlab diff` and `layerlab find` on hostile archives. The first
//! byte is a pattern length (mod 16), then the pattern (a glob for `find`), then an archive.
//! Each image of the archive (at most 4) is compared with the fixture's base image both ways,
//! strict and semantic, and with itself, and searched for the pattern in every layer. Every
//! outcome must be `Ok` or an `Error`; a panic, a hang or runaway memory is a bug.
//! Run: `MAX_LEN=16384 bash scripts/fuzz.sh 300 compare` (seeds in `fuzz/seeds/compare`: small
//! docker-save archives with whiteouts, an opaque directory, gzip layers).
#![no_main]

mod common;

use layerlab::compare::{compare, Options, Side};
use layerlab::find::{find, Pattern};
use layerlab::image::{Archive, Image, LoadOptions, Selector};
use layerlab::layer::Limits;
use layerlab::source::MemSource;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static Image {
    thread_local! {
        static B: &'static Image = Box::leak(Box::new({
            let f = common::fixture();
            let ar = Archive::open(MemSource::shared(f.base_tar.clone()), "base.tar", true, None).expect("base");
            ar.load(&Selector::Default, &LoadOptions::default(), &mut |_| true).expect("base loads")
        }));
    }
    B.with(|b| *b)
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = (n as usize % 16).min(rest.len());
    let pattern = String::from_utf8_lossy(&rest[..n]).into_owned();
    let archive = &rest[n..];
    let limits = Limits { max_entries: 10_000, bomb_floor: 16 << 20, bomb_ratio: 100, max_name: 4096 };
    let base = base();
    for verify in [true, false] {
        let Ok(ar) = Archive::open(MemSource::shared(archive.to_vec()), "fuzz.tar", verify, None) else { continue };
        for i in 0..ar.images.len().min(4) {
            let opts = LoadOptions { verify, limits, changes: false, ..Default::default() };
            let Ok(img) = ar.load(&Selector::Index(i), &opts, &mut |_| true) else { continue };
            let (a, b) = (Side::image(&img, "fuzz.tar"), Side::image(base, "base.tar"));
            for semantic in [false, true] {
                let o = Options { semantic };
                if let Ok(c) = compare(&a, &b, &o) {
                    let _ = serde_json::to_string(&c);
                }
                let _ = compare(&b, &a, &o);
                if let Ok(c) = compare(&a, &a, &o) {
                    assert!(c.same_content, "an image differs from itself: {}", c.summary);
                }
            }
            let trees: Vec<&layerlab::tree::Tree> = img.layers.iter().map(|l| &*l.tree).collect();
            let _ = serde_json::to_string(&find(&trees, &Pattern::new(&pattern)));
        }
    }
});
