//! The outer tar of an image archive: a table of its members, read by seeking from header to
//! header, so a member (a layer, a config) is a [`Slice`] of the archive read in place.
//!
//! Rules:
//! - Member names are cleaned like layer entries (leading `./` and `/` dropped); a later member
//!   of the same name replaces an earlier one, as extraction would.
//! - Symlinks and hardlinks between members are followed inside the archive only (docker save
//!   writes `<v1id>/layer.tar -> ../<diff_id>.tar`): a target that leaves the archive root is an
//!   error, and more than [`MAX_HOPS`] links is a loop (ELOOP).
//! - Contents are never read here; sizes past the end of the archive are errors.

use crate::error::{Error, ErrorKind, Result};
use crate::layer::clean_name;
use crate::source::{Slice, Source, SourceReader};
use std::collections::BTreeMap;

/// Links followed before giving up, as Linux's `MAXSYMLINKS`.
pub const MAX_HOPS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    File,
    Dir,
    Symlink(String),
    Hardlink(String),
    Other,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub kind: MemberKind,
    pub offset: u64,
    pub size: u64,
}

/// The member table of an outer tar.
#[derive(Debug, Clone, Default)]
pub struct Members {
    pub map: BTreeMap<String, Member>,
}

impl Members {
    /// Reads every header of the tar in `src`. `max` bounds the member count.
    pub fn read(src: &Source, max: usize) -> Result<Members> {
        let mut ar = tar::Archive::new(SourceReader::new(src.clone()));
        let mut map = BTreeMap::new();
        let total = src.len();
        let iter = ar.entries_with_seek().map_err(|e| Error::corrupt(format!("not a tar archive ({e})")))?;
        let mut last = String::from("first header");
        for e in iter {
            let e = e.map_err(|err| {
                if map.is_empty() && err.kind() != std::io::ErrorKind::UnexpectedEof {
                    Error::corrupt("not an image archive or a layer: neither a tar nor a gzip or zstd stream")
                } else {
                    tar_err(err).at_entry(format!("after {last}"))
                }
            })?;
            let raw = e.path_bytes().into_owned();
            let shown = crate::listing::esc(&raw);
            let name = match clean_name(&raw) {
                Ok(Some(n)) => String::from_utf8_lossy(&n).into_owned(),
                Ok(None) => continue,
                Err(why) => return Err(Error::new(ErrorKind::Escape, why).at_entry(shown)),
            };
            let offset = e.raw_file_position();
            let size = e.size();
            if offset.checked_add(size).map_or(true, |end| end > total) {
                return Err(Error::truncated(format!(
                    "the member claims {size} bytes but the archive ends {} bytes after its header",
                    total.saturating_sub(offset)
                ))
                .at_entry(shown));
            }
            let link = || String::from_utf8_lossy(&e.link_name_bytes().unwrap_or_default()).into_owned();
            let kind = match e.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous if !raw.ends_with(b"/") => MemberKind::File,
                tar::EntryType::Directory | tar::EntryType::Regular => MemberKind::Dir,
                tar::EntryType::Symlink => MemberKind::Symlink(link()),
                tar::EntryType::Link => MemberKind::Hardlink(link()),
                _ => MemberKind::Other,
            };
            if map.len() >= max {
                return Err(Error::new(ErrorKind::TooLarge, format!("the archive has more than {max} members")));
            }
            last = name.clone();
            map.insert(name, Member { kind, offset, size });
        }
        Ok(Members { map })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Follows links from `name` to a regular file member; returns its final name and entry.
    pub fn resolve(&self, name: &str) -> Result<(String, &Member)> {
        let mut cur = match clean_name(name.as_bytes()) {
            Ok(Some(n)) => String::from_utf8_lossy(&n).into_owned(),
            _ => return Err(Error::new(ErrorKind::Escape, "the path leaves the archive root").at_entry(name)),
        };
        for _ in 0..=MAX_HOPS {
            let m = self
                .map
                .get(&cur)
                .ok_or_else(|| Error::missing("the archive has no such member").at_entry(cur.clone()))?;
            let next = match &m.kind {
                MemberKind::File => return Ok((cur, m)),
                MemberKind::Symlink(t) => {
                    let base = match cur.rfind('/') {
                        Some(i) if !t.starts_with('/') => format!("{}/{}", &cur[..i], t),
                        _ => t.clone(),
                    };
                    base
                }
                MemberKind::Hardlink(t) => t.clone(),
                MemberKind::Dir => return Err(Error::corrupt("a directory where a file was expected").at_entry(cur)),
                MemberKind::Other => return Err(Error::corrupt("not a regular file").at_entry(cur)),
            };
            cur = match clean_name(next.as_bytes()) {
                Ok(Some(n)) => String::from_utf8_lossy(&n).into_owned(),
                _ => {
                    return Err(Error::new(ErrorKind::Escape, format!("the link to '{next}' leaves the archive"))
                        .at_entry(cur))
                }
            };
        }
        Err(Error::new(ErrorKind::Escape, format!("more than {MAX_HOPS} links: a link loop (ELOOP)")).at_entry(name))
    }

    /// A member's bytes as a slice of the archive (links followed).
    pub fn open(&self, src: &Source, name: &str) -> Result<(String, Source)> {
        let (real, m) = self.resolve(name)?;
        let s = Slice::shared(src.clone(), m.offset, m.size).map_err(|e| Error::io(&e).at_entry(real.clone()))?;
        Ok((real, s))
    }

    /// Reads a small member (JSON) into memory, refusing anything larger than `max`.
    pub fn read_small(&self, src: &Source, name: &str, max: u64) -> Result<Vec<u8>> {
        let (real, s) = self.open(src, name)?;
        if s.len() > max {
            return Err(Error::new(ErrorKind::TooLarge, format!("{} bytes is too large for a JSON document", s.len()))
                .at_entry(real));
        }
        crate::source::read_range(&*s, 0, s.len()).map_err(|e| Error::io(&e).at_entry(real))
    }
}

fn tar_err(e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::truncated("the archive ends in the middle of a tar header (truncated)"),
        _ => Error::corrupt(format!("broken tar header ({e})")),
    }
}
