//! SHA-256 digests and the ways they are written, in one place.
//!
//! Follows the OCI image spec, `descriptor.md` "Digests" (`algorithm:encoded`, here always
//! `sha256:` + 64 lowercase hex digits), Docker's `stringid.TruncateID` for the 12-digit short
//! form (`docker images`, `docker history`), and `shared/oracle/SPEC.md` §5 for the 16-digit
//! prefix printed in listings.
//!
//! Rules: everything that hashes goes through [`Hasher`], which feeds SHA-256 at most 1 MiB at
//! a time however much it is given, so a caller can stream a layer of any size through it; a
//! hash of bytes in memory is [`sha256`]. This module is at the bottom of the crate (it imports
//! nothing of it), so `layer`, `tree`, `image`, `commit` and the listing all use it without a
//! cycle. Checking digests read from archives (`parse`, blob paths) is image-specific and
//! stays in `image::digest`. Hex is written by hand (a loop over a lookup table): a crate for
//! 20 lines would be one more dependency in the page's wasm.

use sha2::{Digest as _, Sha256};
use std::io::{self, Write};

/// The algorithm prefix of every digest we write.
pub const PREFIX: &str = "sha256:";

/// The most bytes handed to SHA-256 at once.
pub const CHUNK: usize = 1 << 20;

/// The listing digest of empty content (`E` in SPEC §6).
pub const EMPTY_SHA16: &str = "e3b0c44298fc1c14";

/// A streaming SHA-256 writer. `Hasher::new()` only hashes; [`Hasher::tee`] also passes every
/// byte on to `inner` unchanged (the same writes, so a compressor behind it sees the same
/// calls), and hashes what `inner` accepted.
pub struct Hasher<W = io::Sink> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new()
    }
}

impl Hasher {
    /// A hasher that writes nowhere.
    pub fn new() -> Self {
        Hasher::tee(io::sink())
    }

    /// The SHA-256 of everything written.
    pub fn finalize(self) -> [u8; 32] {
        self.hash.finalize().into()
    }
}

impl<W: Write> Hasher<W> {
    /// Hashes what is written and passes it on to `inner`.
    pub fn tee(inner: W) -> Self {
        Hasher { inner, hash: Sha256::new(), len: 0 }
    }

    /// Hashes `bytes` without writing them on (≤ 1 MiB at a time).
    pub fn update(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(CHUNK) {
            self.hash.update(chunk);
        }
        self.len += bytes.len() as u64;
    }

    /// Bytes hashed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The SHA-256 of everything written, and the inner writer.
    pub fn into_parts(self) -> ([u8; 32], W) {
        (self.hash.finalize().into(), self.inner)
    }
}

impl<W: Write> Write for Hasher<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// SHA-256 of bytes in memory.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h = Hasher::new();
    h.update(data);
    h.finalize()
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// `sha256:<hex>` of a digest.
pub fn prefixed(digest: &[u8; 32]) -> String {
    format!("{PREFIX}{}", hex(digest))
}

/// `sha256:<hex>` of bytes in memory.
pub fn sha256_digest(data: &[u8]) -> String {
    prefixed(&sha256(data))
}

/// The hex part of `sha256:<hex>` (the string itself when it has no prefix), as blob file
/// names use it (`blobs/sha256/<hex>`).
pub fn encoded(d: &str) -> &str {
    d.strip_prefix(PREFIX).unwrap_or(d)
}

/// The 12-digit short form Docker prints (`stringid.TruncateID`): `sha256:` dropped, the
/// first 12 characters kept. By characters, not bytes: a hostile config may put anything in a
/// diff_id, and a cut must not split a character.
pub fn short_id(d: &str) -> String {
    encoded(d).chars().take(12).collect()
}

/// The 16-hex-digit digest prefix printed in listings (SPEC §5).
pub fn sha16(digest: &[u8; 32]) -> String {
    hex(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(sha256_digest(b""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha16(&sha256(b"")), EMPTY_SHA16);
        assert_eq!(hex(&[0, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn streaming_equals_one_shot_and_tee_passes_bytes_on() {
        let data: Vec<u8> = (0..(3 * CHUNK + 17) as u32).map(|i| (i % 251) as u8).collect();
        let mut h = Hasher::tee(Vec::new());
        for part in data.chunks(CHUNK / 3 + 5) {
            h.write_all(part).unwrap();
        }
        assert_eq!(h.len(), data.len() as u64);
        let (d, out) = h.into_parts();
        assert_eq!(d, sha256(&data));
        assert_eq!(out, data);
    }

    #[test]
    fn short_form_never_splits_a_character() {
        assert_eq!(short_id("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_id("sha256:ééééééééééééééé"), "éééééééééééé");
        assert_eq!(short_id("x"), "x");
        assert_eq!(encoded("sha256:ab"), "ab");
    }
}
