//! The header walk of an uncompressed layer, paced by whoever reads the whole blob in order
//! (`tarindex::walk_headers`: the page's verified loads read every byte once while the walk
//! seeks from header to header): it finds what the unpaced walk finds, and before it reads a
//! header it asks for that header's end, in order.

#[path = "support/tarkit.rs"]
mod tarkit;

use layerlab::layer::tarindex::{run_ready, walk_headers};
use layerlab::layer::{index_layer, IndexOptions};
use layerlab::source::{MemSource, Source};
use std::sync::Arc;
use tarkit::{header, Tar};

#[test]
fn paced_header_walk_finds_what_the_unpaced_one_does_and_asks_for_each_header_first() {
    // Files of many sizes (an empty one, several below a block, a few MiB), a directory, links,
    // and a GNU long name (its `L` header comes before the entry's own).
    let long = format!("usr/share/{}/file.txt", "a-long-directory-name".repeat(8));
    let mut tar = Tar::new().dir("usr/", 0o755).dir("usr/share/", 0o755);
    for (i, size) in [0usize, 1, 511, 512, 513, 4096, 70_000, 3 << 20, 100].into_iter().enumerate() {
        tar = tar.file(&format!("usr/share/f{i}"), &vec![b'a' + i as u8; size]);
    }
    let tar = tar
        .raw(header(b"././@LongLink", b'L', long.len() as u64 + 1, b"", 0o644), &{
            let mut d = long.as_bytes().to_vec();
            d.resize(512, 0);
            d
        })
        .file(&long[..99], b"long")
        .symlink("usr/share/link", "f1")
        .hardlink("usr/share/hard", "usr/share/f2")
        .file("usr/share/last", b"end")
        .finish();
    let src: Source = Arc::new(MemSource::new(tar.clone()));
    let opts = IndexOptions::default();
    let plain = index_layer(src.clone(), &opts, &mut |_| true).unwrap();

    let mut asked = Vec::new();
    let paced = run_ready(walk_headers(src, &opts, &mut |_| true, |to| {
        asked.push(to);
        std::future::ready(())
    }))
    .unwrap();
    assert_eq!(paced.entries, plain.entries);
    assert_eq!(paced.uncompressed_size, tar.len() as u64);
    assert!(paced.entries.iter().any(|e| e.display_path().ends_with("/file.txt")), "the long name is read");

    // One ask per header read (every entry, then the end), in order; each entry's header ends
    // where its content starts, and the ask before it covered that, but for the long-named
    // entry, whose own header comes after the `L` header the ask was for.
    assert_eq!(asked.len(), paced.entries.len() + 1, "{asked:?}");
    assert!(asked.windows(2).all(|w| w[0] < w[1]), "{asked:?}");
    for (e, to) in paced.entries.iter().zip(&asked) {
        if e.display_path().ends_with("/file.txt") {
            assert!(*to < e.offset, "{}: asked {to}, header ends at {}", e.display_path(), e.offset);
        } else {
            assert!(*to >= e.offset, "{}: asked {to}, header ends at {}", e.display_path(), e.offset);
        }
    }
    assert!(*asked.last().unwrap() <= tar.len() as u64);
}
