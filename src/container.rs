//! The writable container layer over an image's layers, exactly as Linux overlayfs runs it.
//!
//! Rules (shared/oracle/SPEC.md §1-§4; Documentation/filesystems/overlayfs.rst; fs/overlayfs):
//! - The upper (container) directory is a [`Tree`] with the overlay xattrs (opaque, redirect,
//!   metacopy); the lower layers are the image's [`Stack`]. Every op runs the kernel's path walk
//!   (symlinks resolve inside the container root, ELOOP after 40, trailing slashes, `..`) and the
//!   kernel's error precedence, then the overlayfs action: copy-up of parents first, copy-up on
//!   open for writing, lower hardlinks broken on copy-up, whiteouts, opaque directories, EXDEV
//!   or redirects for directory renames, metadata-only copy-up with `metacopy=on`.
//! - Descriptors kept open across ops (`fd-open`, the shell's `exec 3<FILE`) refer to overlay
//!   inodes, not paths ([`files`]).
//! - Three mount configs: `default` (redirect_dir=off, index=off, metacopy=off), `redirect`
//!   (redirect_dir=on) and `metacopy` (metacopy=on, redirect_dir=on).
//! - The state is a value: cloning a [`Container`] is cheap (the trees are shared until written),
//!   so the UI can keep snapshots for undo, and [`Container::reset`] empties the layer.
//! - Each op returns an [`Outcome`]: its typed [`Reply`] (rendered, it is the result line of
//!   SPEC §4), the [`Event`]s in order, and the overlay2 cost (bytes copied up, bytes now in
//!   the container layer).
//! - The kernel traces in shared/oracle/scenarios are the judge; where they and intuition
//!   disagreed, the code follows the traces.

pub mod diff;
pub mod events;
pub mod files;
mod fs;
pub mod ops;
pub mod shell;
pub mod trace;

pub use events::{CopyKind, Errno, Event};
pub use ops::{Op, Reply, ScriptOp, Stat};

use crate::error::{Error, Result};
use crate::tree::{Kind, Tree};
use crate::union::Stack;
use std::sync::Arc;

/// The largest file the container layer holds (its bytes live in memory): a `truncate` or
/// write past it fails with EFBIG, where the kernel would make a sparse file.
pub const MAX_FILE_SIZE: u64 = 256 << 20;

/// The most bytes the container layer's written files hold in memory in all: a write or
/// `truncate` that would pass it fails with ENOSPC, as on a full disk (copied-up files whose
/// bytes are still the image's do not count: they are not copied in memory).
pub const MAX_UPPER_SIZE: u64 = 512 << 20;

/// The overlay mount options of the container (SPEC §1). Their names and option strings live
/// here only ([`Config::ALL`], [`Config::name`], [`Config::options`]); the CLI, the trace and
/// the page ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Config {
    /// `redirect_dir=off,index=off,metacopy=off`: Docker's overlay2 default; native diff.
    #[default]
    Default,
    /// `redirect_dir=on,index=off,metacopy=off`; naive diff.
    Redirect,
    /// `redirect_dir=on,index=off,metacopy=on`; naive diff.
    Metacopy,
}

impl Config {
    /// Every config, in the order of SPEC §1.
    pub const ALL: [Config; 3] = [Config::Default, Config::Redirect, Config::Metacopy];

    /// The config named `s` (`default`, `redirect`, `metacopy`).
    pub fn parse(s: &str) -> Result<Config> {
        Config::ALL.into_iter().find(|c| c.name() == s).ok_or_else(|| {
            let known: Vec<&str> = Config::ALL.iter().map(|c| c.name()).collect();
            Error::usage(format!("unknown config '{s}' (known: {})", known.join(", ")))
        })
    }
    /// The name the oracle and the CLI use (SPEC §1, first column).
    pub fn name(self) -> &'static str {
        match self {
            Config::Default => "default",
            Config::Redirect => "redirect",
            Config::Metacopy => "metacopy",
        }
    }
    /// The overlay mount options it stands for (SPEC §1, second column).
    pub fn options(self) -> &'static str {
        match self {
            Config::Default => "redirect_dir=off,index=off,metacopy=off",
            Config::Redirect => "redirect_dir=on,index=off,metacopy=off",
            Config::Metacopy => "redirect_dir=on,index=off,metacopy=on",
        }
    }
    /// The message key ([`crate::i18n`]) of how a person names it: the options that differ from
    /// Docker's default (`default (redirect_dir=off, metacopy=off)`).
    pub fn label_key(self) -> &'static str {
        match self {
            Config::Default => "mount.config.default",
            Config::Redirect => "mount.config.redirect",
            Config::Metacopy => "mount.config.metacopy",
        }
    }
    pub fn redirect_dir(self) -> bool {
        self != Config::Default
    }
    pub fn metacopy(self) -> bool {
        self == Config::Metacopy
    }
    /// `ovl_allow_offline_changes()`: none of the new features is on.
    fn allow_offline_changes(self) -> bool {
        self == Config::Default
    }
    /// Docker turns native diff off when redirect_dir or metacopy is on.
    pub fn native_diff(self) -> bool {
        self == Config::Default
    }
}

#[cfg(test)]
mod config_tests {
    use super::Config;

    /// Names and options are those of the table in SPEC §1, and `parse` inverts `name`.
    #[test]
    fn configs_are_the_spec_table() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/oracle/SPEC.md");
        let Ok(spec) = std::fs::read_to_string(&spec) else {
            eprintln!("skipped: {} is missing", spec.display());
            return;
        };
        for c in Config::ALL {
            let row = format!("| `{}`", c.name());
            let line = spec.lines().find(|l| l.starts_with(&row)).unwrap_or_else(|| panic!("no SPEC §1 row for {c:?}"));
            assert!(line.contains(&format!("`{}`", c.options())), "{line}");
            assert_eq!(Config::parse(c.name()).unwrap(), c);
        }
        assert!(Config::parse("index").is_err());
    }
}

/// The container layer over an image.
#[derive(Debug, Clone)]
pub struct Container {
    lower: Stack,
    upper: Arc<Tree>,
    config: Config,
    log: Vec<Event>,
    copied_total: u64,
    /// Bytes of file data in the upper dir, kept up to date by every change.
    live_bytes: u64,
    /// The clock (seconds since the epoch) stamped as `st_mtime` on what changes: a file's data
    /// (write, truncate), a new entry and the directory whose entries change (create, unlink,
    /// rename, link), `touch`; chmod and chown leave it (they change only ctime, which no tar
    /// or listing shows). 0 until [`Container::set_clock`]: the kernel oracle has no clock.
    now: i64,
    /// Who makes the changes: `None` is root (the kernel oracle's ops, Docker's own work),
    /// which passes every permission check; a [`Cred`] gets the kernel's DAC checks.
    cred: Option<Cred>,
    /// The descriptors kept open across ops (`fd-open`), by number.
    files: std::collections::BTreeMap<u32, files::OpenFile>,
}

/// A process's credentials for the kernel's discretionary access checks (`generic_permission`,
/// `may_create`, `may_delete`, the owner checks of chmod/chown/utimes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cred {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

/// What one op did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What the op answered; [`Outcome::render`] prints it as the result line of SPEC §4.
    pub reply: Reply,
    /// The errno, if the op failed (the same as in a [`Reply::Err`]).
    pub errno: Option<Errno>,
    pub events: Vec<Event>,
    /// Bytes copied up from lower layers during this op.
    pub bytes_copied: u64,
    /// Bytes in the container layer after the op (`docker ps -s` "size").
    pub upper_bytes: u64,
}

impl Outcome {
    /// The result line of SPEC §4 (`OK`, `OK ...` or the errno name).
    pub fn render(&self) -> String {
        self.reply.render()
    }
}

/// Bytes of one layer directory as `docker ps -s` counts them (each inode once).
pub fn layer_bytes(l: &Tree) -> u64 {
    l.inodes().into_iter().map(|ino| l.node(ino).size()).sum()
}

/// Disk use as `docker ps -s` reports it under overlay2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of regular-file data in the container layer (metadata-only copies count 0).
    pub size: u64,
    /// The image's bytes plus the container's (`virtual size`).
    pub virtual_size: u64,
    /// Bytes copied up since the container started.
    pub copied_up: u64,
}

impl Container {
    /// A fresh container (empty upper dir 0755 0:0) over `lower`.
    pub fn new(lower: Stack, config: Config) -> Self {
        Container { lower, upper: Arc::new(Tree::new()), config, log: Vec::new(), copied_total: 0, live_bytes: 0, now: 0, cred: None, files: Default::default() }
    }

    /// Sets the clock later changes stamp as their mtime (see the field).
    pub fn set_clock(&mut self, now: i64) {
        self.now = now;
    }

    /// Sets who makes the following changes (`None`, or uid 0: root). Returns the previous.
    pub fn set_cred(&mut self, cred: Option<Cred>) -> Option<Cred> {
        std::mem::replace(&mut self.cred, cred.filter(|c| c.uid != 0))
    }
    pub fn config(&self) -> Config {
        self.config
    }
    pub fn lower(&self) -> &Stack {
        &self.lower
    }
    /// The container (upper) layer directory.
    pub fn upper(&self) -> &Tree {
        &self.upper
    }
    /// Throws the container layer away (`docker rm` + `docker run` of the same image).
    pub fn reset(&mut self) {
        self.upper = Arc::new(Tree::new());
        self.log.clear();
        self.copied_total = 0;
        self.live_bytes = 0;
        self.files.clear();
    }

    /// The descriptor `fd` kept open by `fd-open`, if it is.
    pub fn open_file(&self, fd: u32) -> Option<&files::OpenFile> {
        self.files.get(&fd)
    }

    /// Runs one op.
    pub fn apply(&mut self, op: &Op) -> Outcome {
        self.log.clear();
        let res = self.run_op(op);
        let reply = match res {
            Ok(r) => r,
            Err(e) => {
                let call = fs::call_name(op);
                self.log.push(Event::Error { call, errno: e, sentence: e.sentence(call) });
                Reply::Err(e)
            }
        };
        let errno = reply.errno();
        let events = std::mem::take(&mut self.log);
        let bytes_copied = events
            .iter()
            .map(|e| match e {
                Event::CopyUp { bytes, .. } => *bytes,
                _ => 0,
            })
            .sum();
        self.copied_total += bytes_copied;
        Outcome { reply, errno, events, bytes_copied, upper_bytes: self.upper_bytes() }
    }

    /// Bytes of file data held by the container layer (metacopy files hold none; hardlinks
    /// count once). Kept up to date incrementally.
    pub fn upper_bytes(&self) -> u64 {
        self.live_bytes
    }

    /// The same figure computed by scanning every live inode (for tests).
    pub fn upper_bytes_scan(&self) -> u64 {
        self.upper
            .nodes
            .iter()
            .filter(|n| n.nlink > 0 && !n.metacopy)
            .map(|n| match &n.kind {
                Kind::File(c) => c.size(),
                _ => 0,
            })
            .sum()
    }

    /// `docker ps -s` figures.
    pub fn usage(&self) -> Usage {
        let image = self.lower.layers.iter().map(|l| layer_bytes(l)).sum();
        self.usage_over(image)
    }

    /// `docker ps -s` figures, given the image's bytes (the sum of [`layer_bytes`] of the lower
    /// layers, which a caller may keep instead of walking every layer again).
    pub fn usage_over(&self, image: u64) -> Usage {
        let size = self.upper_bytes();
        Usage { size, virtual_size: image + size, copied_up: self.copied_total }
    }

    /// The upper dir listing (SPEC §5, with xattr markers).
    pub fn upper_listing(&self) -> Result<Vec<String>> {
        self.upper.listing(true)
    }

    /// The merged view listing (SPEC §5, no xattr markers).
    pub fn merged_listing(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (path, d) in self.merged_entries() {
            out.push(self.dnode(&d).line(&path, false)?.render());
        }
        Ok(out)
    }

    /// The merged view's entries in path order (root first), with the node that supplies each
    /// and an identity of its inode (`usize::MAX` for the container layer, else the lower
    /// layer's index) so hardlinks can be told apart.
    pub fn merged_nodes(&self) -> Vec<(Vec<u8>, &crate::tree::Node, (usize, u32))> {
        self.merged_entries()
            .into_iter()
            .map(|(path, d)| {
                let id = match d.upper {
                    Some(u) => (usize::MAX, u),
                    None => d.lowers[0],
                };
                let n = self.dnode(&d);
                (path, n, id)
            })
            .collect()
    }

    /// The merged view's entries in path order (root first) with where each comes from: the
    /// container layer's inode if it supplies the entry, and the lower layers' entries under
    /// the same name, top first (the first supplies it when the container layer does not).
    pub fn merged_provenance(&self) -> Vec<(Vec<u8>, Option<crate::tree::Ino>, Vec<(usize, crate::tree::Ino)>)> {
        self.merged_entries().into_iter().map(|(path, d)| (path, d.upper, d.lowers)).collect()
    }

    /// Reads a file's content through the merged view (following symlinks), as `cat` would.
    pub fn read_file(&self, path: &[u8]) -> std::result::Result<Vec<u8>, Errno> {
        self.read_path(path)
    }

    /// The layer diff `docker commit` would write (SPEC §6), native or naive per config.
    pub fn diff(&self) -> Result<Vec<String>> {
        diff::lines(&self.diff_entries()?)
    }

    /// The entries of the layer `docker commit` would write, in path order.
    pub fn diff_entries(&self) -> Result<Vec<diff::DiffEntry>> {
        if self.config.native_diff() {
            Ok(diff::native_entries(&self.upper))
        } else {
            diff::naive_entries(self)
        }
    }
}

#[cfg(test)]
mod tests;
