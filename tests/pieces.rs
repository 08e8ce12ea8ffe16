//! A gzip layer indexed in pieces on several cores (`tarindex::plan_pieces`, `index_piece`,
//! `join_pieces`) gives exactly what one pass from the start gives: the same entries (paths,
//! offsets, digests), the same secret findings, and seek checkpoints that read the same bytes.

use layerlab::layer::seek::open_at;
use layerlab::layer::tarindex::{index_piece, join_pieces, plan_pieces, LayerIndex, Planner};
use layerlab::layer::{index_layer, Compression, IndexOptions};
use layerlab::source::MemSource;
use std::io::{Read, Write};

/// Letters with random bytes among them (compressible about 4:3, like binaries and text mixed):
/// little of it reaches back far, so a start at a block boundary stops depending on the window
/// before it within about 128 KiB. (Text made of a few hundred words or log lines keeps
/// reaching back to before any cut: such a layer is indexed in one pass; `plan_pieces` finds no
/// start.)
fn content(size: usize, next: &mut impl FnMut() -> u64) -> Vec<u8> {
    let mut data = Vec::with_capacity(size);
    while data.len() < size {
        let v = next();
        data.push(if v % 4 == 0 { (v >> 8) as u8 } else { b'a' + ((v >> 16) % 26) as u8 });
    }
    data
}

/// A tar of about 40 MB: files of many sizes (some long-named, so GNU long-name
/// headers come before their entries), directories, symlinks, a file that looks like a key.
fn layer() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut x = 0x2545_f491_u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for d in 0..40 {
        let dir = format!("usr/share/pkg{d}/");
        let mut h = hdr();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        b.append_data(&mut h, &dir, std::io::empty()).unwrap();
        for f in 0..60 {
            let size = match next() % 10 {
                0 => 0,
                1..=6 => (next() % 8000) as usize,
                7 | 8 => (next() % 100_000) as usize,
                _ => (next() % 1_500_000) as usize,
            };
            let data = content(size, &mut next);
            let long = if f % 7 == 0 { "a-rather-long-directory-name-that-pushes-the-path-past-one-hundred-bytes/".repeat(2) } else { String::new() };
            let name = format!("{dir}{long}file{f}.txt");
            let mut h = hdr();
            h.set_mode(0o644);
            h.set_size(data.len() as u64);
            b.append_data(&mut h, &name, &data[..]).unwrap();
            if f % 13 == 0 {
                let mut h = hdr();
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                b.append_link(&mut h, format!("{dir}link{f}"), format!("file{f}.txt")).unwrap();
            }
        }
        if d == 25 {
            let key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
            let mut h = hdr();
            h.set_mode(0o600);
            h.set_size(key.len() as u64);
            b.append_data(&mut h, format!("{dir}id_ed25519"), &key[..]).unwrap();
        }
    }
    b.into_inner().unwrap()
}

fn hdr() -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h.set_mode(0o644);
    h
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn opts() -> IndexOptions {
    IndexOptions { verify: false, hash_files: true, ..Default::default() }
}

/// Plans and indexes the pieces as the page does: each piece as soon as the planner yields it
/// (before the next start is searched for), each starting where the one before ends.
fn in_pieces(gz: &[u8], n: usize) -> (usize, Option<LayerIndex>) {
    let src = MemSource::shared(gz.to_vec());
    let mut pieces = Vec::new();
    let mut end = None;
    for spec in Planner::new(src.clone(), n) {
        assert_eq!(spec.from, end, "each piece starts where the one before ends");
        end = spec.until;
        pieces.push(index_piece(src.clone(), &opts(), spec, &mut |_| true).map_err(|e| e.to_string()).unwrap());
    }
    assert_eq!(end, None, "the last piece runs to the end");
    (pieces.len(), join_pieces(pieces, gz.len() as u64, &opts()))
}

#[test]
fn pieces_join_into_the_one_pass_index() {
    let tar = layer();
    assert!(tar.len() > 30 << 20, "{}", tar.len());
    let gz = gzip(&tar);
    let one = index_layer(MemSource::shared(gz.clone()), &opts(), &mut |_| true).unwrap();
    for n in [2, 3] {
        let (made, joined) = in_pieces(&gz, n);
        assert_eq!(made, n, "a start was found for every piece");
        let joined = joined.expect("the pieces meet");
        assert_eq!(joined.entries, one.entries, "{n} pieces");
        assert!(one.entries.iter().filter(|e| e.digest.is_some()).count() > 1000);
        assert_eq!(joined.secret_heads, one.secret_heads);
        assert_eq!(joined.secret_heads.as_ref().map(Vec::len), Some(1));
        assert!(joined.uncompressed_size >= tar.len() as u64 - 10240 && joined.uncompressed_size <= tar.len() as u64);
        // Every checkpoint, from whichever piece, reads the layer's own bytes.
        let seek = joined.seek.as_ref().unwrap();
        assert!(seek.points.len() >= 8, "{}", seek.points.len());
        assert!(seek.points.windows(2).all(|w| w[0].output < w[1].output));
        for p in &seek.points {
            let mut r = open_at(MemSource::shared(gz.clone()), Compression::Gzip, Some(seek), p.output + 100).unwrap();
            let mut got = vec![0u8; 4096];
            r.read_exact(&mut got).unwrap();
            assert!(got[..] == tar[p.output as usize + 100..p.output as usize + 4196], "{p:?}");
        }
    }
}

#[test]
fn pieces_that_do_not_meet_are_refused() {
    let gz = gzip(&layer());
    let src = MemSource::shared(gz.clone());
    let specs = plan_pieces(src.clone(), 2);
    assert_eq!(specs.len(), 2);
    let pieces: Vec<_> = specs.iter().map(|s| index_piece(src.clone(), &opts(), *s, &mut |_| true).unwrap()).collect();
    // The first piece stopped one header later than the second piece saw one.
    let mut off = pieces.clone();
    off[0].stop = off[0].stop.map(|s| s + 512);
    assert!(join_pieces(off, gz.len() as u64, &opts()).is_none());
    // The first piece did not find the second one's start to be a block boundary.
    let mut lost = pieces.clone();
    lost[0].until_at = None;
    assert!(join_pieces(lost, gz.len() as u64, &opts()).is_none());
    // A first piece that went on to the end alone is the whole layer.
    let alone = index_piece(src.clone(), &opts(), layerlab::layer::tarindex::PieceSpec { from: None, until: None }, &mut |_| true).unwrap();
    let one = index_layer(src, &opts(), &mut |_| true).unwrap();
    assert_eq!(join_pieces(vec![alone, pieces[1].clone()], gz.len() as u64, &opts()).unwrap().entries, one.entries);
    assert!(join_pieces(pieces, gz.len() as u64, &opts()).is_some());
}

#[test]
fn a_big_file_across_the_cut_still_joins() {
    // 40 MiB of one file in the middle: the second piece starts inside it, its first header is
    // the one after it, and the first piece stops there too.
    let mut x = 7u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut b = tar::Builder::new(Vec::new());
    for i in 1..=81 {
        let size = if i == 41 { 40 << 20 } else { 500_000 };
        let data = content(size, &mut next);
        let mut h = hdr();
        h.set_size(data.len() as u64);
        b.append_data(&mut h, format!("opt/f{i:02}"), &data[..]).unwrap();
    }
    let gz = gzip(&b.into_inner().unwrap());
    let (made, joined) = in_pieces(&gz, 2);
    assert_eq!(made, 2);
    let one = index_layer(MemSource::shared(gz.clone()), &opts(), &mut |_| true).unwrap();
    assert_eq!(joined.expect("the pieces meet after the big file").entries, one.entries);
}

#[test]
fn log_lines_find_no_start_and_stay_one_piece() {
    let mut b = tar::Builder::new(Vec::new());
    let mut text = Vec::new();
    let mut x = 99u64;
    while text.len() < 12 << 20 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        text.extend_from_slice(format!("line {} value {}\n", (x >> 33) % 1000, (x >> 40) % 100_000).as_bytes());
    }
    let mut h = hdr();
    h.set_size(text.len() as u64);
    b.append_data(&mut h, "var/log/big.log", &text[..]).unwrap();
    let gz = gzip(&b.into_inner().unwrap());
    assert_eq!(plan_pieces(MemSource::shared(gz), 2), vec![layerlab::layer::tarindex::PieceSpec { from: None, until: None }]);
}

#[test]
fn pieces_cross_between_workers_as_numbers_and_back() {
    use layerlab::layer::boundary::Cut;
    use layerlab::layer::tarindex::{Piece, PieceSpec};
    let gz = gzip(&layer());
    let src = MemSource::shared(gz.clone());
    let specs = plan_pieces(src.clone(), 3);
    for (k, s) in specs.iter().enumerate() {
        assert_eq!(PieceSpec::from_numbers(&s.to_numbers(k)), Some((k, *s)));
    }
    // Anything else is refused, not read past its end or into a cut that cannot be.
    let nan = f64::NAN;
    for bad in [vec![], vec![1.0, 5.0, 3.0], vec![0.0, 5.0, 8.0, nan, nan], vec![0.0, 0.0, 3.0, nan, nan], vec![0.0, 5.0, -1.0, nan, nan]] {
        assert_eq!(PieceSpec::from_numbers(&bad), None, "{bad:?}");
    }
    assert_eq!(PieceSpec::from_numbers(&[2.0, 7.0, 0.0, nan, nan]), Some((2, PieceSpec { from: Some(Cut { input: 7, bits: 0 }), until: None })));
    // A piece's ends survive the trip, and the pieces rebuilt join as before.
    let pieces: Vec<_> = specs.iter().map(|s| index_piece(src.clone(), &opts(), *s, &mut |_| true).unwrap()).collect();
    let direct = join_pieces(pieces.clone(), gz.len() as u64, &opts()).unwrap();
    let carried: Vec<Piece> = pieces.into_iter().map(|p| {
        let ends = p.ends();
        Piece::with_ends(p.index, &ends)
    }).collect();
    assert_eq!(join_pieces(carried, gz.len() as u64, &opts()).unwrap().entries, direct.entries);
}

fn plain_opts() -> IndexOptions {
    IndexOptions { verify: false, hash_files: false, ..Default::default() }
}

/// An uncompressed layer in `n` pieces, as the page's layer workers walk them.
fn plain_in_pieces(tar: &[u8], n: usize) -> (usize, Option<LayerIndex>) {
    let src = MemSource::shared(tar.to_vec());
    let specs = plan_pieces(src.clone(), n);
    for w in specs.windows(2) {
        assert_eq!(w[0].until, w[1].from, "each piece starts where the one before ends");
        assert_eq!(w[1].from.unwrap().input % 512, 0);
    }
    let pieces: Vec<_> = specs.iter().map(|s| index_piece(src.clone(), &plain_opts(), *s, &mut |_| true).unwrap()).collect();
    (pieces.len(), join_pieces(pieces, tar.len() as u64, &plain_opts()))
}

#[test]
fn uncompressed_pieces_join_into_the_header_walk() {
    let tar = layer();
    let one = index_layer(MemSource::shared(tar.clone()), &plain_opts(), &mut |_| true).unwrap();
    assert!(one.entries.len() > 2000);
    for n in [2, 3, 5] {
        let (made, joined) = plain_in_pieces(&tar, n);
        assert_eq!(made, n);
        let joined = joined.expect("the pieces meet");
        assert_eq!(joined.entries, one.entries, "{n} pieces");
        assert_eq!(joined.compression, Compression::None);
        assert_eq!(joined.uncompressed_size, one.uncompressed_size);
        assert_eq!((joined.secret_heads.is_none(), joined.seek.is_none()), (one.secret_heads.is_none(), one.seek.is_none()));
    }
}

#[test]
fn uncompressed_pieces_across_big_files_and_tars_inside_files() {
    // A big file across each cut, and files whose content is itself a tar (headers with good
    // checksums inside content): a piece that starts on one of those either meets the piece
    // before or is refused; it never adds an entry.
    let inner = layer();
    let mut b = tar::Builder::new(Vec::new());
    for i in 0..30 {
        let data: Vec<u8> = match i % 10 {
            3 => inner[..(6 << 20)].to_vec(),
            7 => inner.clone(),
            _ => vec![i as u8; 300_000 + i * 1000],
        };
        let mut h = hdr();
        h.set_size(data.len() as u64);
        b.append_data(&mut h, format!("srv/blob{i:02}.tar"), &data[..]).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let one = index_layer(MemSource::shared(tar.clone()), &plain_opts(), &mut |_| true).unwrap();
    assert_eq!(one.entries.len(), 30);
    let mut met = 0;
    for n in 2..=12 {
        let (_, joined) = plain_in_pieces(&tar, n);
        if let Some(j) = joined {
            assert_eq!(j.entries, one.entries, "{n} pieces");
            met += 1;
        }
    }
    assert!(met >= 1, "some splits meet");
}

/// Damaged uncompressed layers (bytes changed anywhere, headers included) cut anywhere: no
/// piece panics, and pieces that join give exactly what the header walk of the same bytes
/// gives (a join never makes up, drops or moves an entry; when the walk fails, they do not
/// join).
mod damaged {
    use super::*;
    use proptest::prelude::*;

    fn base() -> &'static [u8] {
        static TAR: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        TAR.get_or_init(|| {
            let mut b = tar::Builder::new(Vec::new());
            for i in 0..3000u32 {
                let size = if i % 500 == 250 { 1 << 20 } else { (i as usize * 37) % 3000 };
                let mut h = hdr();
                h.set_size(size as u64);
                let long = if i % 11 == 0 { "very-long-component-".repeat(6) } else { String::new() };
                b.append_data(&mut h, format!("d{}/{long}f{i}", i / 100), &vec![(i % 251) as u8; size][..]).unwrap();
            }
            b.into_inner().unwrap()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn damaged_pieces_join_only_into_the_walk(changes in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..6), n in 2usize..6) {
            let mut tar = base().to_vec();
            for (at, b) in changes {
                let i = ((tar.len() - 1) as f64 * at) as usize;
                tar[i] = b;
            }
            let src = MemSource::shared(tar.clone());
            let whole = index_layer(src.clone(), &plain_opts(), &mut |_| true);
            let pieces: Result<Vec<_>, _> = plan_pieces(src.clone(), n).iter().map(|s| index_piece(src.clone(), &plain_opts(), *s, &mut |_| true)).collect();
            if let Some(joined) = pieces.ok().and_then(|p| join_pieces(p, tar.len() as u64, &plain_opts())) {
                let whole = whole.map_err(|e| e.to_string());
                prop_assert!(whole.is_ok(), "pieces joined where the walk failed: {:?}", whole);
                prop_assert_eq!(joined.entries, whole.unwrap().entries);
            }
        }
    }
}

#[test]
fn a_layer_cut_short_names_the_entry_whole_or_in_pieces() {
    let mut b = tar::Builder::new(Vec::new());
    for i in 0..40 {
        let mut h = hdr();
        h.set_size(1 << 20);
        b.append_data(&mut h, format!("opt/f{i:02}"), &vec![i as u8; 1 << 20][..]).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let cut = tar[..tar.len() - 1024 - 300_000].to_vec(); // inside the last file
    let said = |e: layerlab::error::Error| {
        assert_eq!(e.kind, layerlab::error::ErrorKind::Truncated, "{e}");
        assert!(e.to_string().contains("opt/f39") && e.to_string().contains("bytes of content"), "{e}");
    };
    said(index_layer(MemSource::shared(cut.clone()), &plain_opts(), &mut |_| true).unwrap_err());
    let src = MemSource::shared(cut);
    let last = *plan_pieces(src.clone(), 3).last().unwrap();
    assert!(last.from.is_some());
    said(index_piece(src, &plain_opts(), last, &mut |_| true).unwrap_err());
}
