//! Errors that say where they happened.
//!
//! Rules: every error a user can see is one sentence naming the archive, the layer and the entry
//! it concerns (as far as they are known), never a panic or a stack trace. Context is added as the
//! error travels outwards: the tar reader knows the entry, the layer loader adds the layer, the
//! archive loader adds the file name. The type is `Clone + PartialEq` so a UI can keep it in state.

use std::fmt;

/// What went wrong, for code that needs to branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Reading the underlying bytes failed.
    Io,
    /// The data ends before the format says it should.
    Truncated,
    /// The bytes are not what the format allows (bad header, corrupt stream, bad JSON).
    Corrupt,
    /// A digest or size recorded in the image does not match the bytes.
    DigestMismatch,
    /// Something the image refers to is not in the archive.
    Missing,
    /// A tar member tries to leave the root (`../`), or a link loop.
    Escape,
    /// A size or ratio beyond what we accept (decompression bomb, absurd header size).
    TooLarge,
    /// The archive is valid but uses something we do not read.
    Unsupported,
    /// The user asked for something that does not exist (image, layer, path).
    NotFound,
    /// A bad command-line argument or script line.
    Usage,
}

/// An error with the place it happened: file, layer, entry, byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub msg: String,
    pub file: Option<String>,
    pub layer: Option<String>,
    pub entry: Option<String>,
    pub offset: Option<u64>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, msg: impl Into<String>) -> Self {
        Error { kind, msg: msg.into(), file: None, layer: None, entry: None, offset: None }
    }
    pub fn io(e: &std::io::Error) -> Self {
        let kind = if e.kind() == std::io::ErrorKind::UnexpectedEof {
            ErrorKind::Truncated
        } else {
            ErrorKind::Io
        };
        Error::new(kind, e.to_string())
    }
    pub fn corrupt(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::Corrupt, msg)
    }
    pub fn truncated(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::Truncated, msg)
    }
    pub fn missing(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::Missing, msg)
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::NotFound, msg)
    }
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, msg)
    }
    /// Names the archive file, unless a more inner file name is already set.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }
    /// Names the layer (for example `layer 3 (sha256:1234abcd5678)`), unless already set.
    pub fn in_layer(mut self, layer: impl Into<String>) -> Self {
        if self.layer.is_none() {
            self.layer = Some(layer.into());
        }
        self
    }
    /// Names the tar entry or path, unless already set.
    pub fn at_entry(mut self, entry: impl Into<String>) -> Self {
        if self.entry.is_none() {
            self.entry = Some(entry.into());
        }
        self
    }
    pub fn at_offset(mut self, offset: u64) -> Self {
        if self.offset.is_none() {
            self.offset = Some(offset);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            wrote = true;
        }
        if let Some(layer) = &self.layer {
            write!(f, "{}{layer}", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if let Some(entry) = &self.entry {
            write!(f, "{}entry '{entry}'", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if let Some(off) = self.offset {
            write!(f, "{}at byte {off}", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if wrote {
            write!(f, ": ")?;
        }
        // One line, whatever a parser quoted from hostile bytes.
        for ch in self.msg.chars() {
            if ch.is_control() {
                write!(f, "\\x{:02x}", ch as u32)?;
            } else {
                write!(f, "{ch}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::io(&e)
    }
}
