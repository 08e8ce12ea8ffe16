//! Finding a name or a glob in every layer of a stack (issue 13, item 4): the seeds' `find
//! /var/lib/docker -name X` experiment done on the archive. Each layer directory is searched as
//! overlay2 extracted it (`/var/lib/docker/overlay2/<id>/diff`), so deleted and shadowed
//! versions are found too, and each hit says what became of it in the merged view.
//!
//! Rules:
//! - A pattern without `/` matches an entry's name (`find -name`); with a `/` it matches the
//!   whole `/`-rooted path (`find -path`; a pattern not starting with `/` or `*` gets a leading
//!   `/`). Globs are POSIX `fnmatch` without `FNM_PATHNAME` or `FNM_PERIOD`, as `find` uses
//!   it: `*` and `?` match any bytes (`/` and a leading `.` included), `[...]` a set with ranges
//!   and `!` or `^` negation, `\` quotes the next byte; a `[` without its `]` is literal.
//!   Names are matched as bytes (tar names need not be UTF-8).
//! - A whiteout is found under the name it deletes (overlay2 extracts `.wh.NAME` as a 0/0
//!   character device `NAME`), as `find` in the layer's `diff` directory shows it.
//! - What became of an entry of layer `i` is decided by the layers above it, lowest first
//!   (overlayfs lookup rules, as `union` applies them): *deleted* by a whiteout of the path or
//!   of a parent, by an opaque parent directory, or by a parent replaced with a non-directory;
//!   *shadowed* by another entry at the same path (a directory over a directory merges
//!   instead, unless the upper one is opaque); else *visible* (a directory merged into upper
//!   ones is visible, with the topmost one's attributes).
//! - Hand-written matching rather than `globset`: globset compiles globs to regexes and brings
//!   `regex-automata`, `regex-syntax`, `aho-corasick` and `bstr` (several hundred KB of wasm
//!   against the page's 600 KB budget), and its `*` stops at `/` unless configured otherwise,
//!   which is not `find`'s. The matcher is forty lines over bytes and linear in practice (one
//!   backtrack point per `*`, as glibc's `fnmatch` does for patterns without `FNM_PATHNAME`).

use crate::listing::esc;
use crate::tree::{Kind, Tree, ROOT};
use serde::Serialize;

/// A name or path glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    glob: Vec<u8>,
    whole_path: bool,
}

impl Pattern {
    /// A pattern as the rules say (a `/` makes it a path pattern).
    pub fn new(pattern: &str) -> Pattern {
        let b = pattern.as_bytes();
        if b.contains(&b'/') {
            let mut glob = Vec::with_capacity(b.len() + 1);
            if !b.starts_with(b"/") && !b.starts_with(b"*") {
                glob.push(b'/');
            }
            glob.extend_from_slice(b);
            Pattern { glob, whole_path: true }
        } else {
            Pattern { glob: b.to_vec(), whole_path: false }
        }
    }

    /// Whether the entry at `/`-rooted `path` matches.
    pub fn matches(&self, path: &[u8]) -> bool {
        if self.whole_path {
            glob_match(&self.glob, path)
        } else {
            glob_match(&self.glob, crate::path::basename(path))
        }
    }
}

/// A `[...]` set at the start of `p` (after the `[`): whether `c` is in it and where it ends;
/// `None` when the `]` is missing (then `[` is literal).
fn set(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(p.first(), Some(b'!') | Some(b'^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let mut lo = *p.get(i)?;
        if lo == b']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if lo == b'\\' {
            i += 1;
            lo = *p.get(i)?;
        }
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&b'-') && p.get(i + 1).is_some_and(|&x| x != b']') {
            hi = p[i + 1];
            if hi == b'\\' {
                hi = *p.get(i + 2)?;
                i += 1;
            }
            i += 2;
        }
        if lo <= c && c <= hi {
            hit = true;
        }
    }
}

/// POSIX `fnmatch(pattern, text, 0)` over bytes (see the module rules).
pub fn glob_match(pat: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index it matched to).
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let c = text[t];
        let step = match pat.get(p) {
            Some(b'*') => {
                star = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(b'?') => Some(1),
            Some(b'[') => match set(&pat[p + 1..], c) {
                Some((true, len)) => Some(1 + len),
                Some((false, _)) => None,
                None => (c == b'[').then_some(1),
            },
            Some(b'\\') if p + 1 < pat.len() => (pat[p + 1] == c).then_some(2),
            Some(&x) => (x == c).then_some(1),
            None => None,
        };
        match step {
            Some(n) => {
                p += n;
                t += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    p = sp;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|&x| x == b'*')
}

/// How a deleted entry was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A whiteout of the path or of a parent.
    Whiteout,
    /// An opaque parent directory.
    OpaqueDir,
    /// A parent replaced by a non-directory.
    ParentReplaced,
}

/// What became of an entry in the merged view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// The merged view shows this entry.
    Visible,
    /// A directory merged with the one of a higher layer (whose attributes show).
    Merged { into_layer: usize },
    /// Another entry at the same path in a higher layer hides it.
    Shadowed { by_layer: usize },
    /// Deleted by a higher layer, at `at` (the path itself or a parent).
    Deleted { by_layer: usize, how: How, at: String },
    /// The entry is itself a whiteout: it deletes the path from the layers below.
    Whiteout,
}

/// One entry of one layer that matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Hit {
    /// `/`-rooted, escaped as listings are.
    pub path: String,
    /// 0 = bottom.
    pub layer: usize,
    /// Listing type letter (`w` for a whiteout).
    pub kind: char,
    pub size: u64,
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    pub target: Option<String>,
    /// A directory made opaque in this layer.
    pub opaque: bool,
    pub status: Status,
    /// The status in words: `visible`, `shadowed by layer 5`, ...
    pub explanation: String,
}

/// What became of `path` (components `comps`) of layer `layer`, from the layers above.
fn status(trees: &[&Tree], layer: usize, comps: &[&[u8]], is_dir: bool) -> Status {
    let mut merged_into = None;
    for (j, t) in trees.iter().enumerate().skip(layer + 1) {
        let mut ino = ROOT;
        for (k, c) in comps.iter().enumerate() {
            let Some(next) = t.child(ino, c) else { break };
            let n = t.node(next);
            let at = || esc(&crate::path::from_components(&comps[..=k]));
            if n.is_whiteout() {
                return Status::Deleted { by_layer: j, how: How::Whiteout, at: at() };
            }
            if k + 1 == comps.len() {
                if is_dir && n.is_dir() && n.opaque.is_none() {
                    merged_into = Some(j);
                    break;
                }
                return Status::Shadowed { by_layer: j };
            }
            if !n.is_dir() {
                return Status::Deleted { by_layer: j, how: How::ParentReplaced, at: at() };
            }
            if n.opaque.is_some() {
                return Status::Deleted { by_layer: j, how: How::OpaqueDir, at: at() };
            }
            ino = next;
        }
    }
    merged_into.map_or(Status::Visible, |l| Status::Merged { into_layer: l })
}

fn explain(s: &Status, path: &str) -> String {
    match s {
        Status::Visible => "visible".into(),
        Status::Merged { into_layer } => format!("visible, merged into the directory of layer {into_layer}"),
        Status::Shadowed { by_layer } => format!("shadowed by layer {by_layer}"),
        Status::Deleted { by_layer, how: How::Whiteout, at } if at == path => format!("deleted by a whiteout in layer {by_layer}"),
        Status::Deleted { by_layer, how: How::Whiteout, at } => format!("deleted by a whiteout of {at} in layer {by_layer}"),
        Status::Deleted { by_layer, how: How::OpaqueDir, at } => format!("deleted by the opaque directory {at} in layer {by_layer}"),
        Status::Deleted { by_layer, how: How::ParentReplaced, at } => {
            format!("deleted: layer {by_layer} replaced {at} with a non-directory")
        }
        Status::Whiteout => "whiteout: deletes it from the layers below".into(),
    }
}

/// Every entry of every layer (bottom first) that matches, sorted by path then layer.
pub fn find(trees: &[&Tree], pattern: &Pattern) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, t) in trees.iter().enumerate() {
        for (p, ino) in t.walk() {
            if ino == ROOT || !pattern.matches(&p) {
                continue;
            }
            let n = t.node(ino);
            let comps: Vec<&[u8]> = crate::path::components(&p).collect();
            let status = if n.is_whiteout() { Status::Whiteout } else { status(trees, i, &comps, n.is_dir()) };
            let path = esc(&p);
            hits.push(Hit {
                explanation: explain(&status, &path),
                layer: i,
                kind: n.type_char().letter(),
                size: n.size(),
                mode: format!("{:04o}", n.mode),
                uid: n.uid,
                gid: n.gid,
                target: match &n.kind {
                    Kind::Symlink(t) => Some(esc(t)),
                    _ => None,
                },
                opaque: n.opaque.is_some(),
                status,
                path,
            });
        }
    }
    hits.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()).then(a.layer.cmp(&b.layer)));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_find() {
        let m = |p: &str, t: &str| glob_match(p.as_bytes(), t.as_bytes());
        assert!(m("*.bin", "big.bin"));
        assert!(m("*", ".hidden"));
        assert!(m("/etc/*", "/etc/ssh/id_rsa"), "* matches / as find -path does");
        assert!(m("id_[rd]sa*", "id_rsa.pub"));
        assert!(!m("id_[!r]sa", "id_rsa"));
        assert!(m("[a-c]?", "b1"));
        assert!(m("a\\*", "a*"));
        assert!(!m("a\\*", "ab"));
        assert!(m("[x", "[x"), "an unclosed [ is literal");
        assert!(m("[]]", "]"));
        assert!(m("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!m("*a*b*c", "xxaxxbxxcxx"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("**", ""));
    }

    #[test]
    fn pattern_kinds() {
        assert!(Pattern::new("motd").matches(b"/etc/motd"));
        assert!(!Pattern::new("etc").matches(b"/etc/motd"));
        assert!(Pattern::new("etc/motd").matches(b"/etc/motd"));
        assert!(Pattern::new("*/motd").matches(b"/etc/motd"));
        assert!(!Pattern::new("/motd").matches(b"/etc/motd"));
    }
}
