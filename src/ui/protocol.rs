//! Messages between the page and its worker.
//!
//! Rules: every message is one JSON string (serde) in a JS envelope `{msg, blob?, bytes?}`; the
//! archive `File`/`Blob` to open travels as `blob` (structured clone: a reference, not a copy), and
//! file bytes for the viewer travel as a transferred `Uint8Array` in `bytes`. The worker owns all
//! archive data; the page only ever holds what is on screen (a window of rows, one file preview).
//! Layers are named by [`LayerId`], given out in opening order, so a worker restarted by
//! cancelling replays the same opens and hands out the same ids.

use serde::{Deserialize, Serialize};

/// A loaded layer, numbered in the order layers were opened (across all archives).
pub type LayerId = u32;

/// Page → worker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Request {
    /// Open the archive in the envelope's `blob`.
    Open { job: u32, name: String, verify: bool },
    /// The stack, bottom first, with each layer's on/off switch.
    /// With a view query, its rows come back in the same answer (one message, one draw).
    SetStack { layers: Vec<(LayerId, bool)>, query: Option<Query> },
    /// A window of rows of a view.
    Query(Query),
    /// Read a file of the current scope (by display path): a preview, or all of it for download.
    Read { path: String, download: bool },
    /// The listing (oracle SPEC §5) of what is shown, for download.
    Listing,
    /// The worker's memory, for the benchmark.
    Stats,
    /// CONTAINER (issue 3): run one shell line in the container layer.
    Shell { line: String },
    /// COMMIT (issue 5): `docker commit` of the container over the stack (`time`: seconds since
    /// the epoch; `tag`: repo:tag, may be empty; `changes`: one Dockerfile instruction each).
    Commit { job: u32, message: String, author: String, changes: Vec<String>, tag: String, time: i64 },
    /// COMMIT: adds a commit made before (a reload or a worker restart): its config, the layers
    /// it was made over as (archive, position) in the order archives were added, and the new
    /// layer's gzip bytes in the envelope's `blob`.
    AddCommitted { job: u32, config: String, base: Vec<(u32, u32)>, tags: Vec<String> },
    /// COMMIT: the images with these IDs as one archive (`docker` or `oci`), downloaded as `name`.
    Save { job: u32, images: Vec<String>, format: String, name: String },
    /// COMMIT: `docker export` of the container (the merged view with its writes).
    Export { job: u32, name: String },
    /// CONTAINER: restart the container with these mount options (`default`, `redirect`,
    /// `metacopy`; [`crate::container::Config::parse`]).
    MountConfig { config: String },
    /// CONTAINER: a file action from the page (edit, delete, rename, new file/dir), run as
    /// container operations and echoed as the equivalent shell command.
    FileAction(FileAction),
    /// CONTAINER: a restored session's container: restart with `config`, then replay the journal.
    Replay { config: String, journal: Vec<JournalItem> },
}

/// Which tree a view shows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The union of the stack, as a container sees it.
    Merged,
    /// One layer's own directory, with its changes against the enabled layers below it.
    Layer(LayerId),
}

/// Which changes a view keeps.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub enum ChangeFilter {
    #[default]
    All,
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// The directory tree, names in byte order.
    #[default]
    Tree,
    /// Largest first, as a flat list.
    Size,
}

/// What a view shows, and which window of it the page needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Query {
    pub seq: u32,
    pub scope: Scope,
    /// Case-insensitive substring of the path; non-empty makes the view a flat list.
    pub filter: String,
    pub change: ChangeFilter,
    pub sort: Sort,
    /// Display paths of collapsed directories (tree view only).
    pub collapsed: Vec<String>,
    pub start: u32,
    pub count: u32,
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Response {
    /// The worker is up (sent once at start).
    Ready,
    Progress(ProgressInfo),
    Opened { job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo> },
    Failed { job: u32, error: String },
    /// The stack was applied: this many entries in the merged view, and the fresh container
    /// over it (one message, so the page draws once).
    /// `layers` echoes the stack applied (the page shows a toggle once it is applied), and
    /// `rows` answers the query that came with it.
    Stacked { entries: u64, millis: f64, container: ShellResult, layers: Vec<(LayerId, bool)>, rows: Option<Rows> },
    Rows(Rows),
    /// A file's bytes (preview or whole) are in the envelope's `bytes`.
    File(FileInfo),
    /// A listing or a whole file is in the envelope's `blob`.
    Download { name: String },
    Error { error: String },
    /// Bytes of the worker's wasm memory.
    Stats { wasm_bytes: u64 },
    /// CONTAINER (issue 3): what a shell line printed and did.
    Shell(ShellResult),
    /// COMMIT: a commit was made (or re-added): the new image as an archive of its own, its
    /// new layer, and the parts the page keeps to replay it (the layer's gzip bytes are in the
    /// envelope's `blob`). `replay` is true for [`Request::AddCommitted`].
    Committed { job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo>, config: String, base: Vec<(u32, u32)>, tags: Vec<String>, replay: bool },
    /// COMMIT: a save or export is done; the file is in the envelope's `blob`.
    Written { job: u32, name: String, bytes: u64 },
}

/// CONTAINER: what the page can do to a path of the merged view. Paths are display paths
/// (escaped as in listings, `\xHH`), new ones included.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum FileAction {
    /// Replace a file's content (`echo -n '…' > FILE`: copy-up, then write).
    Write { path: String, text: String },
    /// `rm FILE`, or `rm -r DIR`.
    Delete { path: String, dir: bool },
    /// `mv -T SRC DST` (rename(2), with the EXDEV fallback of coreutils mv).
    Rename { from: String, to: String },
    /// `touch FILE` (only if FILE does not exist yet).
    NewFile { path: String },
    /// `mkdir DIR`.
    NewDir { path: String },
}

/// CONTAINER: one thing done to the container, as the session keeps it (replayed in order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum JournalItem {
    /// A shell line (`undo` and `reset` included).
    Line(String),
    Action(FileAction),
}

/// CONTAINER: what `docker ps -s` shows for the container, and what its layer holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ContainerUsage {
    /// Bytes of file data in the upper dir (`docker ps -s` size).
    pub size: u64,
    /// The image's bytes plus the container's.
    pub virtual_size: u64,
    /// Bytes copied up since the container started.
    pub copied_bytes: u64,
    /// Entries of the upper dir that also exist below (copied up), whiteouts, opaque dirs.
    pub copied: u32,
    pub whiteouts: u32,
    pub opaque: u32,
}

/// CONTAINER: one copy-up of a line, for the diagram (the chip that travels).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CopyUp {
    pub path: String,
    /// The layer the entry came from.
    pub layer: LayerId,
    pub bytes: u64,
    /// `full`, `metadata` (metacopy) or `data` (the data of an earlier metadata-only copy-up).
    pub kind: String,
}

/// CONTAINER (issue 3): the answer to a shell line. The stack is re-queried after it (a write
/// changes the merged view).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ShellResult {
    /// The command echoed, then its output and errors (worded like coreutils).
    pub output: Vec<String>,
    /// Copy-up, whiteout, opaque, redirect, error: one line each with its explanation.
    pub events: Vec<EventLine>,
    /// `docker diff` of the container layer after the line (`A /x`, `C /y`, `D /z`).
    pub diff: Vec<String>,
    /// True if the container layer exists (the shell is usable).
    pub ready: bool,
    /// The mount config the container runs with (`default`, `redirect`, `metacopy`).
    #[serde(default)]
    pub config: String,
    #[serde(default)]
    pub usage: ContainerUsage,
    /// The copy-ups this line did, in order.
    #[serde(default)]
    pub copies: Vec<CopyUp>,
    /// True if `undo` has something to undo; `empty` if the container layer holds nothing.
    #[serde(default)]
    pub can_undo: bool,
    #[serde(default)]
    pub empty: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct EventLine {
    /// `copy-up`, `whiteout`, `opaque`, `redirect`, `error`.
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ProgressInfo {
    pub job: u32,
    /// Which layer of the archive (0-based) and how many there are (0 while unknown).
    pub layer: u32,
    pub layers: u32,
    /// Bytes of the archive read so far, and its size.
    pub bytes: u64,
    pub total: u64,
    /// Entries indexed so far in the current layer.
    pub entries: u64,
}

/// An opened archive (one `File` or sample).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArchiveInfo {
    pub name: String,
    /// `bare layer`, `docker save`, ...
    pub format: String,
    pub size: u64,
    pub images: Vec<ImageInfo>,
    pub warnings: Vec<String>,
}

/// What `docker image inspect` and `docker history` would say about one image of an archive.
/// Filled by the archive opener; empty for a bare layer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ImageInfo {
    pub tags: Vec<String>,
    /// `sha256:` of the config blob.
    pub id: String,
    pub manifest_digest: Option<String>,
    pub os: String,
    pub architecture: String,
    pub created: String,
    pub layers: Vec<LayerId>,
    pub history: Vec<HistoryRow>,
    /// The config, pretty-printed JSON.
    pub config_json: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct HistoryRow {
    pub created: String,
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: String,
    /// The layer this step made (none for an empty layer).
    pub layer: Option<LayerId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LayerInfo {
    pub id: LayerId,
    /// Where it came from, e.g. `layered.docker.tar`, layer 3.
    pub archive: String,
    pub position: u32,
    /// `sha256:...` of the uncompressed stream (when verified).
    pub diff_id: Option<String>,
    /// The 12 hex digits users see (`docker history` style).
    pub short_id: String,
    pub compression: String,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub entries: u64,
    /// Sum of regular file sizes in the layer.
    pub content_bytes: u64,
    pub created_by: String,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Rows {
    pub seq: u32,
    /// Rows in the whole view.
    pub total: u32,
    pub start: u32,
    pub rows: Vec<Row>,
    /// Time the worker spent building the view (ms), for the benchmark.
    pub millis: f64,
}

/// One line of a view.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Row {
    /// `/`-rooted display path (escaped as in listings).
    pub path: String,
    /// Last component (or the whole path in flat views).
    pub name: String,
    pub depth: u16,
    /// Listing type letter: d f l c b p s, and w for a whiteout in a layer view.
    pub kind: char,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub nlink: u32,
    pub target: Option<String>,
    /// The layer that supplies the entry.
    pub layer: Option<LayerId>,
    /// Lower layers holding the same name, hidden by it (top first).
    pub shadows: Vec<LayerId>,
    /// 'A' added, 'M' modified, 'D' deleted (whiteout), ' ' unchanged parent.
    pub change: char,
    pub opaque: bool,
    pub has_children: bool,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    /// Bytes in the envelope (at most the preview size unless downloading).
    pub shown: u64,
    pub layer: Option<LayerId>,
    /// Lower versions hidden by this one (merged view), top first: layer, type letter, size.
    pub lower: Vec<(LayerId, char, u64)>,
}

/// Largest preview sent to the page.
pub const PREVIEW: u64 = 64 * 1024;

/// The 12 hex digits of a `sha256:...` digest.
pub fn short_digest(d: &str) -> String {
    crate::digest::short_id(d)
}
