//! The listing format v1 of `shared/oracle/SPEC.md` §5 (and the tar-entry lines of §6).
//!
//! ```text
//! TYPE MODE UID:GID SIZE DIGEST PATH[ -> TARGET][ opaque][ redirect=V][ metacopy][ rdev=MAJ,MIN][ nlink=N]
//! ```
//! Rules: lines sort by raw path bytes; names are escaped (`\xHH` for 0x00-0x20, `\`, 0x7f and
//! bytes that are not part of well-formed UTF-8); DIGEST is the first 16 hex digits of the
//! SHA-256 of a regular file's content ([`crate::digest::sha16`]). This module only formats
//! (and reads an escaped name back, [`unescape`]): what goes into a line is decided by the tree
//! that is listed.

use crate::digest::sha16;
use std::fmt::Write as _;

/// Escapes a byte string for a listing line (SPEC §5 "Escaping").
pub fn esc(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                push_valid(&mut out, s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                push_valid(&mut out, std::str::from_utf8(&rest[..good]).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len() - good);
                for b in &rest[good..good + bad] {
                    let _ = write!(out, "\\x{b:02x}");
                }
                rest = &rest[good + bad..];
            }
        }
    }
    out
}

/// The inverse of [`esc`]: `\xHH` (two hex digits) becomes the byte 0xHH, everything else is
/// kept. `unescape(&esc(b)) == b` for every byte string `b`.
pub fn unescape(s: &str) -> Vec<u8> {
    fn hex_digit(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            if let (Some(hi), Some(lo)) = (b.get(i + 2).and_then(|&c| hex_digit(c)), b.get(i + 3).and_then(|&c| hex_digit(c))) {
                out.push(hi << 4 | lo);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn push_valid(out: &mut String, s: &str) {
    for ch in s.chars() {
        let o = ch as u32;
        if o <= 0x20 || o == 0x5c || o == 0x7f {
            let _ = write!(out, "\\x{o:02x}");
        } else {
            out.push(ch);
        }
    }
}

/// The type letter of a listing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeChar {
    Dir,
    File,
    Symlink,
    Char,
    Block,
    Fifo,
    Socket,
    /// A char device 0/0: an overlayfs whiteout.
    Whiteout,
    /// A tar hardlink entry (DIFF and layer listings only).
    Hardlink,
}

impl TypeChar {
    pub fn letter(self) -> char {
        match self {
            TypeChar::Dir => 'd',
            TypeChar::File => 'f',
            TypeChar::Symlink => 'l',
            TypeChar::Char => 'c',
            TypeChar::Block => 'b',
            TypeChar::Fifo => 'p',
            TypeChar::Socket => 's',
            TypeChar::Whiteout => 'w',
            TypeChar::Hardlink => 'h',
        }
    }
}

/// The fields of one listing line, before formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub kind: TypeChar,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Size, for regular files.
    pub size: Option<u64>,
    /// Content digest, for regular files whose data is known (`-` otherwise).
    pub digest: Option<[u8; 32]>,
    pub path: &'a [u8],
    /// Symlink target, or hardlink target for `h` lines.
    pub target: Option<&'a [u8]>,
    pub opaque: Option<&'a [u8]>,
    pub redirect: Option<&'a [u8]>,
    pub metacopy: bool,
    pub rdev: Option<(u32, u32)>,
    pub nlink: u32,
}

impl<'a> Line<'a> {
    pub fn new(kind: TypeChar, mode: u32, uid: u32, gid: u32, path: &'a [u8]) -> Self {
        Line {
            kind,
            mode,
            uid,
            gid,
            size: None,
            digest: None,
            path,
            target: None,
            opaque: None,
            redirect: None,
            metacopy: false,
            rdev: None,
            nlink: 1,
        }
    }

    /// Formats the line (no trailing newline).
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(64 + self.path.len());
        let mode = if self.kind == TypeChar::Symlink { 0o777 } else { self.mode & 0o7777 };
        let _ = write!(s, "{} {:04o} {}:{} ", self.kind.letter(), mode, self.uid, self.gid);
        match (self.kind, self.size) {
            (TypeChar::File, Some(sz)) => {
                let _ = write!(s, "{sz} ");
            }
            _ => s.push_str("- "),
        }
        match (self.kind, self.digest) {
            (TypeChar::File, Some(d)) => s.push_str(&sha16(&d)),
            _ => s.push('-'),
        }
        s.push(' ');
        s.push_str(&esc(self.path));
        if let Some(t) = self.target {
            s.push_str(" -> ");
            s.push_str(&esc(t));
        }
        if let Some(v) = self.opaque {
            if v == b"y" {
                s.push_str(" opaque");
            } else {
                s.push_str(" opaque=");
                s.push_str(&esc(v));
            }
        }
        if let Some(v) = self.redirect {
            s.push_str(" redirect=");
            s.push_str(&esc(v));
        }
        if self.metacopy {
            s.push_str(" metacopy");
        }
        if let Some((ma, mi)) = self.rdev {
            if matches!(self.kind, TypeChar::Char | TypeChar::Block) {
                let _ = write!(s, " rdev={ma},{mi}");
            }
        }
        if self.kind == TypeChar::File && self.nlink > 1 {
            let _ = write!(s, " nlink={}", self.nlink);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_spec() {
        assert_eq!(esc(b"a b"), "a\\x20b");
        assert_eq!(esc(b"back\\slash"), "back\\x5cslash");
        assert_eq!(esc(b"del\x7f"), "del\\x7f");
        assert_eq!(esc("héllo wörld ✓".as_bytes()), "héllo\\x20wörld\\x20✓");
        assert_eq!(esc(b"bad\xff\xfe"), "bad\\xff\\xfe");
        // overlong encoding of '/' and a lone surrogate are not well-formed UTF-8
        assert_eq!(esc(b"\xc0\xaf"), "\\xc0\\xaf");
        assert_eq!(esc(b"\xed\xa0\x80"), "\\xed\\xa0\\x80");
        // a truncated sequence at the end
        assert_eq!(esc(b"x\xe6\x97"), "x\\xe6\\x97");
    }

    #[test]
    fn unescape_reads_escapes_back() {
        assert_eq!(unescape("/a\\x20b\\x5c"), b"/a b\\");
        assert_eq!(unescape("\\xZZ\\x4"), b"\\xZZ\\x4");
    }

    proptest::proptest! {
        #[test]
        fn unescape_inverts_esc(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            proptest::prop_assert_eq!(unescape(&esc(&bytes)), bytes);
        }
    }

    #[test]
    fn line_rendering() {
        let mut l = Line::new(TypeChar::File, 0o755, 0, 0, b"/usr/bin/tool");
        l.size = Some(0);
        l.digest = Some(crate::digest::sha256(b""));
        l.nlink = 2;
        assert_eq!(l.render(), "f 0755 0:0 0 e3b0c44298fc1c14 /usr/bin/tool nlink=2");
        let mut l = Line::new(TypeChar::Symlink, 0o644, 0, 0, b"/a");
        l.target = Some(b"b c");
        assert_eq!(l.render(), "l 0777 0:0 - - /a -> b\\x20c");
        let mut l = Line::new(TypeChar::Dir, 0o755, 1, 2, b"/d");
        l.opaque = Some(b"y");
        l.redirect = Some(b"/x");
        assert_eq!(l.render(), "d 0755 1:2 - - /d opaque redirect=/x");
    }
}
