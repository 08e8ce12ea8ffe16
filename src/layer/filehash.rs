//! Hashing a layer's regular files (their content's SHA-256, the digest listings and `docker
//! diff` compare) while its stream goes by once.
//!
//! Rules:
//! - A file is hashed where its bytes pass: in the indexing pass itself
//!   ([`super::tarindex::index_layer_tee`]), or by whoever is handed the uncompressed stream
//!   ([`FileHashes`], the page's worker while a layer worker inflates).
//! - Either may hand a file's whole content to a [`WholeFiles`] instead of hashing it piece by
//!   piece: a hasher that wants files whole (the browser's WebCrypto digest: one call per file,
//!   native SHA-256 on another thread, four to seven times wasm's speed on the box of issue 14)
//!   and answers later. Its digests are given to the entries by content offset
//!   ([`fill_by_offset`]); a file it never answers for keeps no digest and is hashed on demand
//!   ([`crate::tree::Node::content_digest`]), as any file without one is.
//! - What a [`WholeFiles`] takes is bounded by its [`WholeFiles::takes`]: the whole content is
//!   held here until handed over, so the bound is this module's memory.

use super::{Entry, EntryKind};
use crate::digest::Hasher;

/// A hasher that takes regular files whole (see the header).
pub trait WholeFiles {
    /// Whether a file of `size` bytes is handed over whole (else it is hashed in pieces here).
    fn takes(&self, size: u64) -> bool;
    /// The whole content of the file whose content starts at `offset` of the uncompressed
    /// stream; its digest comes later, by that offset.
    fn hash(&mut self, offset: u64, content: &[u8]);
}

/// Gives each regular file of `entries` without a digest its digest from `digests`
/// ((content offset, SHA-256), sorted by offset); returns how many got one, of how many had
/// none.
pub fn fill_by_offset(entries: &mut [Entry], digests: &[(u64, [u8; 32])]) -> (usize, usize) {
    let (mut filled, mut wanted) = (0, 0);
    for e in entries.iter_mut().filter(|e| e.kind == EntryKind::File && e.size > 0 && e.digest.is_none()) {
        wanted += 1;
        if let Ok(i) = digests.binary_search_by_key(&e.offset, |d| d.0) {
            e.digest = Some(digests[i].1);
            filled += 1;
        }
    }
    (filled, wanted)
}

/// What a file being hashed has so far.
enum Partial {
    Pieces(Hasher),
    /// Its content so far, for a [`WholeFiles`].
    Whole(Vec<u8>),
}

/// What [`super::tarindex::index_layer_tee`] hands on, in the stream's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teed<'a> {
    /// The next bytes of the uncompressed stream.
    Bytes(&'a [u8]),
    /// A regular file's content is `size` bytes at `offset` of the uncompressed stream: said
    /// after its header's bytes and before its content's
    /// ([`super::tarindex::IndexOptions::tee_files`]).
    File { offset: u64, size: u64 },
}

/// Hashes the regular files of a stream seen in pieces, each file's place said before its
/// bytes come ([`Teed`]): how the page's worker hashes a layer's files while a layer worker
/// inflates it. Ranges must come in stream order and not overlap (a tar's files do not).
#[derive(Default)]
pub struct FileHashes {
    /// Stream offset of the next byte.
    pos: u64,
    queue: std::collections::VecDeque<(u64, u64)>,
    current: Option<(u64, u64, Partial)>,
    /// (content offset, SHA-256) of each file hashed here, in stream order.
    done: Vec<(u64, [u8; 32])>,
    whole: Option<Box<dyn WholeFiles>>,
}

impl FileHashes {
    /// Hands the files `whole` takes to it (their digests are its to give).
    pub fn with_whole(whole: Box<dyn WholeFiles>) -> Self {
        FileHashes { whole: Some(whole), ..Default::default() }
    }

    pub fn see(&mut self, t: Teed<'_>) {
        match t {
            Teed::File { offset, size } => self.queue.push_back((offset, size)),
            Teed::Bytes(b) => self.bytes(b),
        }
    }

    fn bytes(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            if self.current.is_none() {
                match self.queue.front().copied() {
                    // A range said after its bytes went by cannot be hashed: its file keeps no digest.
                    Some((off, _)) if off < self.pos => {
                        self.queue.pop_front();
                        continue;
                    }
                    Some((off, size)) if off < self.pos + b.len() as u64 => {
                        b = &b[(off - self.pos) as usize..];
                        self.pos = off;
                        self.queue.pop_front();
                        let partial = match &self.whole {
                            // Bounded by `takes` (a hostile size is not taken).
                            Some(w) if w.takes(size) => Partial::Whole(Vec::with_capacity(size as usize)),
                            _ => Partial::Pieces(Hasher::new()),
                        };
                        // A size past the stream's end (a hostile header) never completes.
                        self.current = Some((off, off.saturating_add(size), partial));
                    }
                    _ => {
                        self.pos += b.len() as u64;
                        return;
                    }
                }
            }
            if let Some((_, end, partial)) = self.current.as_mut() {
                let n = usize::try_from(*end - self.pos).unwrap_or(usize::MAX).min(b.len());
                match partial {
                    Partial::Pieces(h) => h.update(&b[..n]),
                    Partial::Whole(v) => v.extend_from_slice(&b[..n]),
                }
                self.pos += n as u64;
                b = &b[n..];
                if self.pos == *end {
                    match self.current.take() {
                        Some((off, _, Partial::Pieces(h))) => self.done.push((off, h.finalize())),
                        Some((off, _, Partial::Whole(v))) => {
                            if let Some(w) = self.whole.as_mut() {
                                w.hash(off, &v);
                            }
                        }
                        None => {}
                    }
                }
            }
        }
    }

    /// Gives each regular file of `entries` without a digest its digest, if its content was
    /// hashed here in pieces; returns how many got one, of how many had none.
    pub fn fill(&self, entries: &mut [Entry]) -> (usize, usize) {
        fill_by_offset(entries, &self.done)
    }
}

#[cfg(test)]
mod tests {
    use super::{FileHashes, Teed, WholeFiles};
    use std::cell::RefCell;
    use std::rc::Rc;

    type Seen = Rc<RefCell<Vec<(u64, Vec<u8>)>>>;

    /// Takes files up to `max` bytes and keeps what it was given.
    struct Keep(u64, Seen);

    impl WholeFiles for Keep {
        fn takes(&self, size: u64) -> bool {
            size <= self.0
        }
        fn hash(&mut self, offset: u64, content: &[u8]) {
            self.1.borrow_mut().push((offset, content.to_vec()));
        }
    }

    /// Files said in batches before their bytes, the bytes in uneven pieces (as a layer
    /// worker's chunks come): each file hashes as its slice of the stream (or, taken whole, is
    /// handed over as that slice); a range said after its bytes went by gets no digest.
    #[test]
    fn file_hashes_follow_ranges_across_pieces() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let first = [(512u64, 1u64), (1024, 3000)];
        let later = [(4608u64, 40_000u64), (45_000, 5000)];
        for max in [None, Some(4000), Some(u64::MAX)] {
            for piece in [1usize, 7, 4096, 50_000] {
                let seen: Seen = Default::default();
                let mut h = match max {
                    Some(m) => FileHashes::with_whole(Box::new(Keep(m, seen.clone()))),
                    None => FileHashes::default(),
                };
                for &(offset, size) in &first {
                    h.see(Teed::File { offset, size });
                }
                let (head, tail) = data.split_at(4096);
                head.chunks(piece).for_each(|c| h.see(Teed::Bytes(c)));
                h.see(Teed::File { offset: 100, size: 10 });
                for &(offset, size) in &later {
                    h.see(Teed::File { offset, size });
                }
                tail.chunks(piece).for_each(|c| h.see(Teed::Bytes(c)));
                let slice = |o: u64, n: u64| data[o as usize..(o + n) as usize].to_vec();
                let taken = |n: u64| max.is_some_and(|m| n <= m);
                let hashed: Vec<(u64, [u8; 32])> =
                    first.iter().chain(&later).filter(|r| !taken(r.1)).map(|&(o, n)| (o, crate::digest::sha256(&slice(o, n)))).collect();
                let whole: Vec<(u64, Vec<u8>)> = first.iter().chain(&later).filter(|r| taken(r.1)).map(|&(o, n)| (o, slice(o, n))).collect();
                assert_eq!(h.done, hashed, "pieces of {piece}, whole up to {max:?}");
                assert_eq!(*seen.borrow(), whole, "pieces of {piece}, whole up to {max:?}");
            }
        }
    }
}
