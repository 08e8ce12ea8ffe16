//! Fuzz target `indexfile`: a layer index handed from the page's worker to the inspect worker
//! ([`layerlab::layer::indexfile::decode`]), then the image rebuilt from it over a fixed
//! archive and analysed. A decode is `Ok` or an `Error`; an index that decodes but does not
//! fit the archive is refused or analysed to an `Ok`/`Error`; a panic, a hang or runaway memory
//! is a bug. Run: `bash scripts/fuzz.sh 300 indexfile` (seeds: `fuzz/seeds/indexfile`, the
//! index of a small docker-save archive with whiteouts and a gzip layer).
#![no_main]

use layerlab::image::{Archive, LoadOptions, Selector};
use layerlab::source::MemSource;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static ARCHIVE: Archive = {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/indexfile-archive.tar")).expect("the seed archive");
        Archive::open(MemSource::shared(bytes), "seed.tar", false, None).expect("the seed archive opens")
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(layers) = layerlab::layer::indexfile::decode(data) else { return };
    let opts = LoadOptions { verify: false, changes: false, hash_compressed: false, ..Default::default() };
    if let Ok(img) = ARCHIVE.with(|a| a.load_indexed(&Selector::Index(0), &opts, layers)) {
        let _ = layerlab::analysis::analyze(&img);
    }
});
