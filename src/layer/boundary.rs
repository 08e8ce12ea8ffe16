//! Finding a DEFLATE block boundary in the middle of a gzip member (RFC 1951 §3.2.3, §3.2.7),
//! so a second core can start inflating the member there (rapidgzip's approach; see
//! [`super::seek::GzStream::from_cut`] and [`super::tarindex::index_piece`]).
//!
//! Rules:
//! - Only a dynamic-Huffman block header is looked for (BFINAL 0, BTYPE 10): its code length
//!   code, literal/length code and distance code must be what zlib's `inflate_table` accepts
//!   (the code length code complete; the other two complete or a single code; end-of-block
//!   coded). Fixed and stored blocks carry too little to tell from noise.
//! - A header that passes is inflated (zlib-rs, with a made-up window) through its block and the
//!   next; any error rejects it.
//! - What is found is still a guess. Nothing trusts it until whoever inflates from the member's
//!   start lands on it at a block boundary ([`super::seek::Watch`]); a wrong guess costs time,
//!   never a wrong byte.
//! - Hand-written: no crate exposes a check of a block header alone; the bit reading and the
//!   canonical-code count are zlib's `puff.c` in a few lines.

use super::zinflate::{Inflater, WINDOW};

/// A place in a compressed stream where a DEFLATE block starts, in [`super::seek::Checkpoint`]'s
/// terms: `input` is the first byte to feed; with `bits > 0` the block starts in the byte before
/// it, whose high `bits` bits are still to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub input: u64,
    pub bits: u8,
}

impl Cut {
    /// From a bit position (bit 0 is the low bit of byte 0).
    pub fn at_bit(bit: u64) -> Cut {
        let r = (bit % 8) as u8;
        if r == 0 {
            Cut { input: bit / 8, bits: 0 }
        } else {
            Cut { input: bit / 8 + 1, bits: 8 - r }
        }
    }
    /// The bit position.
    pub fn bit(&self) -> u64 {
        self.input * 8 - u64::from(self.bits)
    }
}

/// LSB-first bit reader over a slice (`None` past its end).
struct Bits<'a> {
    data: &'a [u8],
    pos: u64,
}

impl Bits<'_> {
    fn get(&mut self, n: u32) -> Option<u32> {
        if self.pos + u64::from(n) > self.data.len() as u64 * 8 {
            return None;
        }
        let byte = (self.pos >> 3) as usize;
        let mut v = 0u32;
        for k in 0..4 {
            if let Some(&b) = self.data.get(byte + k) {
                v |= u32::from(b) << (8 * k);
            }
        }
        let shift = self.pos % 8;
        self.pos += u64::from(n);
        Some((v >> shift) & ((1u32 << n) - 1))
    }
}

const MAXBITS: usize = 15;

/// A canonical Huffman code as `puff.c` keeps it: codes per length, symbols in code order.
struct Code {
    count: [u16; MAXBITS + 1],
    /// Symbols in code order (at most 286 literal/length codes; no allocation per guess).
    symbol: [u16; 286],
    max: usize,
}

impl Code {
    /// Builds the code; returns it with what `puff.c` calls `left` (0 complete, > 0 incomplete,
    /// < 0 over-subscribed).
    fn new(lengths: &[u8]) -> (Code, i32) {
        let mut count = [0u16; MAXBITS + 1];
        for &l in lengths {
            count[l as usize] += 1;
        }
        let max = (1..=MAXBITS).rev().find(|&l| count[l] > 0).unwrap_or(0);
        let mut left = 1i32;
        for &c in &count[1..] {
            left = (left << 1) - i32::from(c);
            if left < 0 {
                break;
            }
        }
        let mut offs = [0u16; MAXBITS + 2];
        for l in 1..=MAXBITS {
            offs[l + 1] = offs[l] + count[l];
        }
        let mut symbol = [0u16; 286];
        for (s, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbol[offs[l as usize] as usize] = s as u16;
                offs[l as usize] += 1;
            }
        }
        (Code { count, symbol, max }, left)
    }

    fn decode(&self, b: &mut Bits<'_>) -> Option<u16> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..=MAXBITS {
            code |= b.get(1)? as i32;
            let count = i32::from(self.count[len]);
            if code - count < first {
                return self.symbol.get((index + code - first) as usize).copied();
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        None
    }
}

/// zlib's rule for literal/length and distance codes: not over-subscribed, and incomplete only
/// when the code has a single length-1 code.
fn acceptable(code: &Code, left: i32) -> bool {
    left == 0 || (left > 0 && code.max == 1)
}

/// Whether a dynamic block header that zlib would accept starts at bit `at`.
fn dynamic_header(data: &[u8], at: u64) -> bool {
    const ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    // Most places fail on the first 17 bits or the code length code's sum, read from one
    // 64-bit load (the scan tries every bit).
    let byte = (at >> 3) as usize;
    let Some(w) = data.get(byte..byte + 8) else { return false };
    let v = u64::from_le_bytes(w.try_into().unwrap_or_default()) >> (at & 7);
    // BFINAL 0, BTYPE 10 (read LSB first: bit 0 = BFINAL); HLIT and HDIST in range.
    if v & 7 != 0b100 || (v >> 3) & 31 > 29 || (v >> 8) & 31 > 29 {
        return false;
    }
    let (nlen, ndist, ncode) = (((v >> 3) & 31) as usize + 257, ((v >> 8) & 31) as usize + 1, ((v >> 13) & 15) as usize + 4);
    let mut b = Bits { data, pos: at + 17 };
    let mut cl = [0u8; 19];
    let mut kraft = 0u32;
    for &o in &ORDER[..ncode] {
        let Some(v) = b.get(3) else { return false };
        cl[o] = v as u8;
        if v > 0 {
            kraft += 1 << (7 - v);
        }
    }
    if kraft != 128 {
        return false; // the code length code must be complete
    }
    let (clcode, left) = Code::new(&cl);
    if left != 0 || clcode.max == 0 {
        return false;
    }
    let mut lengths = [0u8; 286 + 30];
    let mut i = 0;
    while i < nlen + ndist {
        let Some(sym) = clcode.decode(&mut b) else { return false };
        let (value, times) = match sym {
            0..=15 => (sym as u8, 1),
            16 => {
                if i == 0 {
                    return false;
                }
                let Some(r) = b.get(2) else { return false };
                (lengths[i - 1], 3 + r as usize)
            }
            17 => match b.get(3) {
                Some(r) => (0, 3 + r as usize),
                None => return false,
            },
            _ => match b.get(7) {
                Some(r) => (0, 11 + r as usize),
                None => return false,
            },
        };
        if i + times > nlen + ndist {
            return false;
        }
        lengths[i..i + times].fill(value);
        i += times;
    }
    if lengths[256] == 0 {
        return false;
    }
    let (lit, left) = Code::new(&lengths[..nlen]);
    if !acceptable(&lit, left) {
        return false;
    }
    let (dist, left) = Code::new(&lengths[nlen..nlen + ndist]);
    dist.max == 0 || acceptable(&dist, left)
}

/// Whether zlib inflates from `cut` (with a made-up window) through two block ends without an
/// error. `data` starts at blob offset `base`.
fn inflates(data: &[u8], base: u64, cut: Cut) -> bool {
    let Ok(mut inf) = Inflater::new(-15) else { return false };
    let start = (cut.input - base) as usize;
    let mut pos = start;
    // With leftover bits the cut's byte is the one before `start` (never before `data`: a cut
    // with bits lies at least one byte past where the scan began).
    if cut.bits > 0 && inf.prime(u32::from(cut.bits), data[start - 1]).is_err() {
        return false;
    }
    if inf.set_dictionary(&vec![0u8; WINDOW]).is_err() {
        return false;
    }
    let mut out = vec![0u8; 64 * 1024];
    let mut ends = 0;
    while ends < 2 {
        let Ok(step) = inf.inflate(&data[pos..], &mut out, true) else { return false };
        pos += step.consumed;
        if step.end {
            return true;
        }
        if inf.data_type() & 128 != 0 && step.consumed + step.produced > 0 {
            ends += 1;
        } else if step.consumed == 0 && step.produced == 0 {
            return false; // the data ran out inside the block
        }
    }
    true
}

/// The first block start at or after byte `from` of `data` (which starts at blob offset
/// `base`) that passes both checks.
pub fn find(data: &[u8], base: u64, from: usize) -> Option<Cut> {
    let end = data.len().saturating_sub(1024) as u64 * 8;
    let mut bit = from as u64 * 8;
    while bit < end {
        if dynamic_header(data, bit) {
            let cut = Cut::at_bit(base * 8 + bit);
            if inflates(data, base, cut) {
                return Some(cut);
            }
        }
        bit += 1;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Text-like bytes that compress but not to nothing (so blocks and windows are real).
    pub(crate) fn data(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_u32;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if i % 7 == 0 { b"abcdefgh"[(x % 8) as usize] } else { b'a' + (x % 26) as u8 }
            })
            .collect()
    }

    /// Every block boundary zlib reports when inflating `gz` from its start (raw member).
    fn boundaries(raw: &[u8]) -> Vec<u64> {
        let mut inf = Inflater::new(-15).unwrap();
        let mut out = vec![0u8; 1 << 16];
        let (mut pos, mut got) = (0usize, Vec::new());
        loop {
            let s = inf.inflate(&raw[pos..], &mut out, true).unwrap();
            pos += s.consumed;
            if s.end {
                return got;
            }
            let dt = inf.data_type();
            if dt & 128 != 0 && dt & 64 == 0 && pos > 0 {
                got.push(pos as u64 * 8 - (dt & 7) as u64);
            }
        }
    }

    #[test]
    fn finds_the_next_real_boundary_from_anywhere() {
        let d = data(4 << 20);
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&d).unwrap();
        let raw = e.finish().unwrap();
        let real = boundaries(&raw);
        assert!(real.len() > 10, "{}", real.len());
        for from in [1000usize, raw.len() / 3, raw.len() / 2, raw.len() * 3 / 4] {
            let cut = find(&raw, 0, from).expect("a boundary");
            let next = real.iter().find(|&&b| b >= from as u64 * 8).unwrap();
            assert_eq!(cut.bit(), *next, "from byte {from}");
        }
        for b in &real[..5] {
            assert_eq!(Cut::at_bit(*b).bit(), *b);
        }
    }

    #[test]
    fn noise_has_no_boundary() {
        let mut x = 7u64;
        let noise: Vec<u8> = (0..256 * 1024)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (x >> 56) as u8
            })
            .collect();
        assert_eq!(find(&noise, 0, 0), None);
    }
}
