//! The seek index of a compressed layer: where reading its uncompressed tar stream can start
//! other than at byte 0, so a file near the end of a 585 MB gzip layer costs one short inflate,
//! not the whole layer.
//!
//! Rules:
//! - The index is filled by the one pass that indexes the layer ([`super::index_layer`]), never
//!   by a second pass. It is kept with the layer ([`super::LayerBlob::seek`]), and every content
//!   read (`cat`, copy-up, commit/export of a file, digests of ranges) starts at the nearest
//!   checkpoint at or before the wanted offset ([`open_at`]).
//! - gzip (zlib `examples/zran.c`, as oci.dag.dev's `pkg/gzip` does): about every [`SPAN`]
//!   (4 MiB) of uncompressed output, at a DEFLATE block boundary, a checkpoint records the
//!   compressed offset, the 0-7 bits of the boundary byte already used, the uncompressed offset
//!   and the 32 KiB window before it. Resuming is a raw inflate primed with those bits
//!   (`inflatePrime`) and given the window (`inflateSetDictionary`). At the end of that member it
//!   goes on in gzip mode, member after member (eStargz has one member per file). The start of a
//!   member is a checkpoint without a window.
//! - zstd: frames are independent, so a checkpoint is a frame start (compressed and uncompressed
//!   offsets, no window), one every [`SPAN`] at most; a single-frame layer has none and streams
//!   from the start.
//! - Memory: per checkpoint 32 KiB of window + 32 bytes, kept uncompressed in memory (a window
//!   must be at hand to resume; 32 KiB per 4 MiB is about 0.8% of the uncompressed size: 6 MiB
//!   for the 798 MB big image, inside the 64 MiB page budget). Nothing else is kept.
//! - A stream can also start at a block boundary found in the middle of a member, without its
//!   window ([`GzStream::from_cut`], for the pieces of [`super::tarindex::index_piece`]), and
//!   can say where in its output it passed such a boundary ([`GzStream::watch`]).
//! - Reading from a checkpoint does not check the member's CRC-32 (the indexing pass did, in
//!   gzip mode); corrupt or truncated data is still an error, never a panic.

use super::boundary::Cut;
use super::zinflate::{Inflater, WINDOW};
use super::Compression;
use crate::error::{Error, Result};
use crate::source::{Source, SourceReader};
use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

/// Uncompressed bytes between checkpoints.
pub const SPAN: u64 = 4 << 20;

/// Where reading can resume.
#[derive(Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Offset in the blob of the first byte to feed (for gzip with `bits > 0`, the byte whose
    /// high `bits` bits are still to be used comes just before it).
    pub input: u64,
    /// Leftover bits of the byte before `input` (gzip only, 0-7).
    pub bits: u8,
    /// Offset in the uncompressed stream.
    pub output: u64,
    /// The window (≤ 32 KiB) for a raw restart; empty at a gzip member or zstd frame start.
    pub window: Box<[u8]>,
    /// A gzip member or zstd frame starts at `input` (header included).
    pub start: bool,
}

impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Checkpoint(in {}+{}b, out {}, window {}, start {})", self.input, self.bits, self.output, self.window.len(), self.start)
    }
}

/// The checkpoints of one layer, in stream order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeekIndex {
    pub points: Vec<Checkpoint>,
}

impl SeekIndex {
    /// Bytes held in memory.
    pub fn bytes(&self) -> usize {
        self.points.iter().map(|p| p.window.len() + std::mem::size_of::<Checkpoint>()).sum()
    }
    /// The last checkpoint at or before `offset`.
    pub fn nearest(&self, offset: u64) -> Option<&Checkpoint> {
        let i = self.points.partition_point(|p| p.output <= offset);
        i.checked_sub(1).map(|i| &self.points[i])
    }
}

/// Where the indexing pass puts checkpoints as it finds them.
pub type Sink = Rc<RefCell<Vec<Checkpoint>>>;

/// Where a stream's output was when it passed a watched block boundary ([`GzStream::watch`]);
/// `None` until then, and for good when the boundary was not one of its own.
pub type Watch = Rc<std::cell::Cell<Option<u64>>>;

fn corrupt(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("corrupt gzip stream ({msg})"))
}

fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream is truncated")
}

/// A multi-member gzip reader over zlib-rs that can record checkpoints (indexing pass) or start
/// at one (content reads).
pub struct GzStream<R> {
    src: R,
    inf: Inflater,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Blob offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// Uncompressed bytes produced so far (stream offset of the next byte).
    out: u64,
    /// Between members: the next read starts a member (or ends the stream).
    between: bool,
    /// Trailer bytes still to skip (after a raw restart ends its member).
    skip: usize,
    /// Raw mode (after a restart) until the member ends.
    raw: bool,
    sink: Option<Sink>,
    span: u64,
    last_point: u64,
    stuck: u8,
    /// A block boundary (bit position) to report the output offset of, while not yet passed.
    watch: Option<(u64, Watch)>,
    /// Output offset of the first byte this stream hands out ([`Self::from_cut`]).
    clean: u64,
}

const GZIP_BITS: i32 = 31;
const RAW_BITS: i32 = -15;
const INPUT: usize = 128 * 1024;

impl<R: Read> GzStream<R> {
    /// Reads a gzip stream from its start, recording a checkpoint about every `span` bytes of
    /// output into the sink when given.
    pub fn new(src: R, sink: Option<(Sink, u64)>) -> io::Result<Self> {
        let (sink, span) = match sink {
            Some((s, span)) => (Some(s), span.max(1)),
            None => (None, u64::MAX),
        };
        let inf = Inflater::new(GZIP_BITS).map_err(corrupt)?;
        Ok(GzStream {
            src,
            inf,
            buf: vec![0; INPUT],
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            out: 0,
            between: false,
            skip: 0,
            raw: false,
            sink,
            span,
            last_point: 0,
            stuck: 0,
            watch: None,
            clean: 0,
        })
    }

    /// Watches for `cut` (where another piece of the member starts, [`Self::from_cut`]): the
    /// returned cell gets the output offset there once the stream passes it at a block
    /// boundary.
    pub fn watch(&mut self, cut: Cut) -> Watch {
        let w: Watch = Default::default();
        self.watch = Some((cut.bit(), w.clone()));
        w
    }

    /// Whether the input at hand may hold the watched boundary (only then does the stream stop
    /// at every block boundary to look).
    fn watching(&self) -> bool {
        self.watch.as_ref().is_some_and(|(bit, _)| self.base + self.len as u64 + 1 >= bit / 8)
    }

    /// A block boundary at the current position, `bits` bits into the byte before it: the
    /// watched one, or past it (the watch ends either way).
    fn boundary(&mut self, bits: u8) {
        if let Some((bit, w)) = &self.watch {
            let here = Cut { input: self.base + self.pos as u64, bits }.bit();
            if here >= *bit {
                if here == *bit {
                    w.set(Some(self.out));
                }
                self.watch = None;
            }
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        let n = loop {
            match self.src.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        self.len = n;
        self.eof = n == 0;
        Ok(())
    }

    fn record(&mut self, point: Checkpoint) {
        if let Some(s) = &self.sink {
            self.last_point = point.output;
            s.borrow_mut().push(point);
        }
    }

    fn due(&self) -> bool {
        self.sink.is_some() && self.out >= self.last_point.saturating_add(self.span)
    }
}

impl<R: Read> Read for GzStream<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.pos == self.len && !self.eof {
                self.refill()?;
            }
            if self.skip > 0 {
                if self.pos == self.len {
                    return Err(truncated());
                }
                let n = self.skip.min(self.len - self.pos);
                self.pos += n;
                self.skip -= n;
                continue;
            }
            if self.between {
                if self.pos == self.len {
                    return Ok(0); // the end of the last member is the end of the stream
                }
                self.between = false;
                self.inf.reset(GZIP_BITS).map_err(corrupt)?;
                if self.due() {
                    let input = self.base + self.pos as u64;
                    self.record(Checkpoint { input, bits: 0, output: self.out, window: Box::default(), start: true });
                }
            }
            let block = self.due() || self.watching();
            let step = self.inf.inflate(&self.buf[self.pos..self.len], out, block).map_err(corrupt)?;
            self.pos += step.consumed;
            self.out += step.produced as u64;
            if step.end {
                self.between = true;
                if self.raw {
                    // A raw restart ends at the member's last block: its trailer (CRC-32, size) follows.
                    self.raw = false;
                    self.skip = 8;
                }
            } else if block {
                let dt = self.inf.data_type();
                if dt & 128 != 0 && dt & 64 == 0 && self.out > 0 {
                    self.boundary((dt & 7) as u8);
                    if self.due() {
                        let window = self.inf.dictionary().into_boxed_slice();
                        let input = self.base + self.pos as u64;
                        self.record(Checkpoint { input, bits: (dt & 7) as u8, output: self.out, window, start: false });
                    }
                }
            }
            if step.produced > 0 {
                return Ok(step.produced);
            }
            if step.consumed == 0 && !step.end {
                if self.pos == self.len && self.eof {
                    return Err(truncated());
                }
                self.stuck += 1;
                if self.stuck > 2 {
                    return Err(corrupt("inflate makes no progress".into()));
                }
            } else {
                self.stuck = 0;
            }
        }
    }
}

impl<R: Read> GzStream<R> {
    /// Starts at `cut`, a guessed block boundary in the middle of a member, without the window
    /// before it (rapidgzip's idea, with zlib-rs doing the decoding): two inflaters start there,
    /// one given a window of zero bytes and one of 0xff bytes, so an output byte that the two
    /// agree on does not depend on the real window. Both run until the last 32 KiB they agree
    /// on, then the first goes on alone: its window is now the real one. What came before that
    /// point is dropped ([`Self::clean`] says where the stream's bytes start, counted from the
    /// cut). `src` is positioned at `cut.input`, or at the byte before it when `cut.bits > 0`.
    /// An error when the guess does not inflate or the member ends first; `Ok(Err(input))` when
    /// agreement does not come within `limit` bytes of output (`input`: how far it read, where
    /// to look for another cut).
    pub fn from_cut(mut src: R, cut: Cut, sink: Option<(Sink, u64)>, limit: u64) -> io::Result<Result<Self, u64>> {
        let mut first = [0u8; 1];
        if cut.bits > 0 {
            src.read_exact(&mut first).map_err(|_| truncated())?;
        }
        let mut g = GzStream::new(src, sink)?;
        let mut other = Inflater::new(RAW_BITS).map_err(corrupt)?;
        g.inf.reset(RAW_BITS).map_err(corrupt)?;
        for (inf, fill) in [(&mut g.inf, 0u8), (&mut other, 0xff)] {
            if cut.bits > 0 {
                inf.prime(u32::from(cut.bits), first[0]).map_err(corrupt)?;
            }
            inf.set_dictionary(&[fill; WINDOW]).map_err(corrupt)?;
        }
        g.raw = true;
        g.base = cut.input;
        let (mut a, mut b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
        let mut unsure_end = 0u64;
        while g.out < unsure_end + WINDOW as u64 {
            if g.pos == g.len {
                if g.eof {
                    return Err(truncated());
                }
                g.refill()?;
                continue;
            }
            let s1 = g.inf.inflate(&g.buf[g.pos..g.len], &mut a, false).map_err(corrupt)?;
            let s2 = other.inflate(&g.buf[g.pos..g.len], &mut b, false).map_err(corrupt)?;
            if s1 != s2 {
                return Err(corrupt("the guessed block boundary decodes two ways".into()));
            }
            g.pos += s1.consumed;
            let n = s1.produced;
            if let Some(k) = a[..n].iter().zip(&b[..n]).rposition(|(x, y)| x != y) {
                unsure_end = g.out + k as u64 + 1;
            }
            g.out += n as u64;
            if s1.end {
                return Err(corrupt("the member ends before its output stops depending on the window".into()));
            }
            if g.out > limit {
                return Ok(Err(g.base + g.pos as u64));
            }
            if s1.consumed == 0 && n == 0 && g.pos < g.len {
                return Err(corrupt("inflate makes no progress".into()));
            }
        }
        g.clean = g.out;
        g.last_point = g.out;
        Ok(Ok(g))
    }

    /// Where this stream's bytes start, counted from its start or its cut ([`Self::from_cut`]).
    pub fn clean(&self) -> u64 {
        self.clean
    }
}

impl GzStream<SourceReader> {
    /// Starts reading at a checkpoint.
    fn resume(src: Source, p: &Checkpoint) -> io::Result<Self> {
        let mut r = SourceReader::new(src);
        if p.start {
            r.seek(SeekFrom::Start(p.input))?;
            let mut g = GzStream::new(r, None)?;
            g.base = p.input;
            g.out = p.output;
            return Ok(g);
        }
        let first = if p.bits > 0 {
            let at = p.input.checked_sub(1).ok_or_else(|| corrupt("bad checkpoint".into()))?;
            r.seek(SeekFrom::Start(at))?;
            let mut b = [0u8; 1];
            r.read_exact(&mut b).map_err(|_| truncated())?;
            Some(b[0])
        } else {
            r.seek(SeekFrom::Start(p.input))?;
            None
        };
        let mut g = GzStream::new(r, None)?;
        g.inf.reset(RAW_BITS).map_err(corrupt)?;
        if let Some(b) = first {
            g.inf.prime(u32::from(p.bits), b).map_err(corrupt)?;
        }
        g.inf.set_dictionary(&p.window[p.window.len().saturating_sub(WINDOW)..]).map_err(corrupt)?;
        g.raw = true;
        g.base = p.input;
        g.out = p.output;
        Ok(g)
    }
}

/// A reader of the uncompressed stream for the indexing pass: it records checkpoints into
/// `sink` about every `span` bytes of output as it goes (gzip: block boundaries with windows;
/// zstd: frame starts).
pub fn decode_indexed(c: Compression, raw: Box<dyn Read>, sink: Sink, span: u64) -> Result<Box<dyn Read>> {
    Ok(match c {
        Compression::None => raw,
        Compression::Gzip => Box::new(GzStream::new(raw, Some((sink, span))).map_err(|e| Error::io(&e))?),
        Compression::Zstd => {
            let mut last = 0u64;
            let on_frame = move |input: u64, output: u64| {
                if output >= last.saturating_add(span) {
                    last = output;
                    sink.borrow_mut().push(Checkpoint { input, bits: 0, output, window: Box::default(), start: true });
                }
            };
            Compression::zstd_with_frames(raw, Box::new(on_frame))?
        }
    })
}

/// A reader of the uncompressed stream of `src`, positioned at `offset` (the nearest
/// checkpoint, then skipping forward). Errors name what went wrong in the stream.
pub fn open_at(src: Source, compression: Compression, index: Option<&SeekIndex>, offset: u64) -> Result<Box<dyn Read>> {
    let point = index.and_then(|i| i.nearest(offset));
    let (mut r, from): (Box<dyn Read>, u64) = match (compression, point) {
        (Compression::Gzip, Some(p)) => (Box::new(GzStream::resume(src, p).map_err(|e| Error::io(&e))?), p.output),
        (Compression::Zstd, Some(p)) => {
            let mut raw = SourceReader::new(src);
            raw.seek(SeekFrom::Start(p.input)).map_err(|e| Error::io(&e))?;
            (Compression::Zstd.decode(Box::new(raw))?, p.output)
        }
        (Compression::Gzip, None) => (Box::new(GzStream::new(SourceReader::new(src), None).map_err(|e| Error::io(&e))?), 0),
        (c, _) => (c.decoder(src)?, 0),
    };
    let gap = offset - from;
    let skipped = io::copy(&mut (&mut r).take(gap), &mut io::sink()).map_err(|e| Error::io(&e))?;
    if skipped != gap {
        return Err(Error::truncated(format!("the layer stream ends before offset {offset}")));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemSource;
    use std::io::Write;

    use crate::layer::boundary::tests::data;

    fn gzip(parts: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in parts {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(p).unwrap();
            out.extend(e.finish().unwrap());
        }
        out
    }

    fn index(gz: &[u8]) -> (Vec<u8>, SeekIndex) {
        let sink: Sink = Default::default();
        let mut g = GzStream::new(io::Cursor::new(gz.to_vec()), Some((sink.clone(), SPAN))).unwrap();
        let mut out = Vec::new();
        g.read_to_end(&mut out).unwrap();
        let points = sink.borrow().clone();
        (out, SeekIndex { points })
    }

    fn read_at(gz: &[u8], idx: &SeekIndex, off: u64, n: u64) -> Vec<u8> {
        let r = open_at(MemSource::shared(gz.to_vec()), Compression::Gzip, Some(idx), off).unwrap();
        let mut v = Vec::new();
        r.take(n).read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn one_member_checkpoints_resume_to_the_same_bytes() {
        let d = data(14 << 20);
        let gz = gzip(&[&d]);
        let (out, idx) = index(&gz);
        assert_eq!(out, d);
        assert!(idx.points.len() >= 3, "{:?}", idx.points);
        assert!(idx.points.iter().any(|p| p.bits != 0), "some boundary should fall inside a byte");
        for p in &idx.points {
            assert!(!p.start && p.window.len() == WINDOW);
            let got = read_at(&gz, &idx, p.output, 1000);
            assert_eq!(got, d[p.output as usize..p.output as usize + 1000], "{p:?}");
        }
        // Middle, end, and across the last checkpoint to the end of the stream.
        for off in [0, 5_000_000, d.len() as u64 - 10] {
            let got = read_at(&gz, &idx, off, 1 << 30);
            assert_eq!(got, d[off as usize..], "offset {off}");
        }
    }

    #[test]
    fn multi_member_streams_resume_across_members() {
        let d = data(12 << 20);
        let cuts = [0, 100, 3 << 20, 3 << 20 | 77, 9 << 20, d.len()];
        let parts: Vec<&[u8]> = cuts.windows(2).map(|w| &d[w[0]..w[1]]).collect();
        let gz = gzip(&parts);
        let (out, idx) = index(&gz);
        assert_eq!(out, d);
        assert!(idx.points.len() >= 2, "{:?}", idx.points);
        for off in [0u64, 50, 3 << 20, 5 << 20, 9 << 20, (11 << 20) + 5] {
            assert_eq!(read_at(&gz, &idx, off, 1 << 30), d[off as usize..], "offset {off}");
        }
    }

    #[test]
    fn a_stream_started_at_a_found_cut_agrees_with_one_read_from_the_start() {
        let d = data(6 << 20);
        let gz = gzip(&[&d, &d[..1 << 20]]);
        for frac in [3usize, 2] {
            let from = gz.len() / frac;
            let cut = crate::layer::boundary::find(&gz[from - 4096..from + (512 << 10)], (from - 4096) as u64, 4096).unwrap();
            // From the start, watching the cut: it is a block boundary, at this output offset.
            let mut whole = GzStream::new(io::Cursor::new(gz.clone()), None).unwrap();
            let seen = whole.watch(cut);
            let mut all = Vec::new();
            whole.read_to_end(&mut all).unwrap();
            let u = seen.get().expect("the cut is a boundary");
            assert!(u > 0 && u < all.len() as u64);
            // A bit off the boundary is not one: never reported, and the stream reads on.
            let mut again = GzStream::new(io::Cursor::new(gz.clone()), None).unwrap();
            let off = again.watch(Cut::at_bit(cut.bit() + 1));
            let mut same = Vec::new();
            again.read_to_end(&mut same).unwrap();
            assert_eq!((off.get(), same.len()), (None, all.len()));
            // From the cut alone: the same bytes once they stop depending on the window.
            let at = cut.input as usize - usize::from(cut.bits > 0);
            let mut part = GzStream::from_cut(io::Cursor::new(gz[at..].to_vec()), cut, None, 8 << 20).unwrap().unwrap();
            let clean = part.clean();
            assert!(clean >= WINDOW as u64 && clean < 4 << 20, "{clean}");
            let mut rest = Vec::new();
            part.read_to_end(&mut rest).unwrap();
            assert_eq!(rest.len() as u64, all.len() as u64 - u - clean);
            assert!(rest == all[(u + clean) as usize..], "cut {cut:?}");
        }
        // Agreement that does not come within the limit says how far it read.
        let from = gz.len() / 2;
        let cut = crate::layer::boundary::find(&gz[from..from + (512 << 10)], from as u64, 0).unwrap();
        let at = cut.input as usize - usize::from(cut.bits > 0);
        let got = GzStream::from_cut(io::Cursor::new(gz[at..].to_vec()), cut, None, 1000).unwrap();
        assert!(matches!(got, Err(n) if n > cut.input), "{:?}", got.as_ref().err());
    }

    #[test]
    fn corrupt_and_truncated_streams_are_errors() {
        let d = data(9 << 20);
        let gz = gzip(&[&d]);
        let (_, idx) = index(&gz);
        let p = idx.points.last().unwrap().clone();
        // Truncated after the last checkpoint: reading from it fails, no panic.
        let cut = gz[..p.input as usize + 1000].to_vec();
        let mut r = open_at(MemSource::shared(cut), Compression::Gzip, Some(&idx), p.output).unwrap();
        let e = io::copy(&mut r, &mut io::sink()).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        // Garbage right at the checkpoint.
        let mut bad = gz.clone();
        for b in &mut bad[p.input as usize..p.input as usize + 64] {
            *b = 0xff;
        }
        let got = open_at(MemSource::shared(bad), Compression::Gzip, Some(&idx), p.output)
            .and_then(|mut r| io::copy(&mut r, &mut io::sink()).map_err(|e| Error::io(&e)));
        assert!(got.is_err());
    }
}
