//! Fuzzes the archive reader: any bytes, opened as an image archive (or bare layer), loaded
//! with and without verification, listed, and one layer's entries listed. Every outcome must
//! be `Ok` or an `Error`; a panic, a hang or runaway memory is a bug.
//! Run: `cargo +nightly fuzz run archive` (from the repository root); without nightly,
//! `cargo +stable fuzz run -s none archive`. Seed it with small fixtures
//! (`../shared/fixtures/generated/sibling.oci.tar`, the `public/go-containerregistry` ones).
#![no_main]

use layerlab::image::{Archive, LoadOptions, Selector};
use layerlab::layer::Limits;
use layerlab::source::MemSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_entries: 10_000, bomb_floor: 16 << 20, bomb_ratio: 100, max_name: 4096 };
    for verify in [true, false] {
        let Ok(ar) = Archive::open(MemSource::shared(data.to_vec()), "fuzz.tar", verify, None) else { continue };
        for i in 0..ar.images.len().min(4) {
            let opts = LoadOptions { verify, limits, ..Default::default() };
            if let Ok(img) = ar.load(&Selector::Index(i), &opts, &mut |_| true) {
                let _ = img.stack(None).listing();
                if let Some(l) = img.layers.last() {
                    let _ = layerlab::layer::tarlist::entry_lines(&l.entries, Some(&l.blob));
                }
                let _ = img.stack(None).resolve(b"/etc/passwd", true);
            }
        }
    }
});
