//! Messages between the page and its worker.
//!
//! Rules: every message is one JSON string (serde) in a JS envelope `{msg, blob?, bytes?}`; the
//! archive `File`/`Blob` to open travels as `blob` (structured clone: a reference, not a copy), and
//! file bytes for the viewer travel as a transferred `Uint8Array` in `bytes`. The worker owns all
//! archive data; the page only ever holds what is on screen (a window of rows, one file preview).
//! Layers are named by [`LayerId`], given out in opening order, so a worker restarted by
//! cancelling replays the same opens and hands out the same ids.

use crate::commit::save::SaveFormat;
use crate::container::Config;
use serde::{Deserialize, Serialize};

pub use crate::host::{
    ArchiveInfo, ChangeFilter, ContainerUsage, CopyUp, EventKind, EventLine, FileAction, FileInfo, HistoryRow, ImageInfo, JournalItem, LayerId,
    LayerInfo, ProgressInfo, Query, Row, Rows, Scope, ShellResult, Sort,
};

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
    /// COMMIT: the images with these IDs as one archive, downloaded as `name`.
    Save { job: u32, images: Vec<String>, format: SaveFormat, name: String },
    /// COMMIT: `docker export` of the container (the merged view with its writes).
    Export { job: u32, name: String },
    /// CONTAINER: restart the container with these mount options.
    MountConfig { config: Config },
    /// CONTAINER: a file action from the page (edit, delete, rename, new file/dir), run as
    /// container operations and echoed as the equivalent shell command.
    FileAction(FileAction),
    /// CONTAINER: a restored session's container: restart with `config`, then replay the journal.
    Replay { config: Config, journal: Vec<JournalItem> },
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
    /// envelope's `blob`). `event` says what became of the container layer; none for
    /// [`Request::AddCommitted`].
    Committed {
        job: u32,
        archive: ArchiveInfo,
        layers: Vec<LayerInfo>,
        config: String,
        base: Vec<(u32, u32)>,
        tags: Vec<String>,
        event: Option<EventLine>,
    },
    /// COMMIT: a save or export is done; the file is in the envelope's `blob`.
    Written { job: u32, name: String, bytes: u64 },
}

/// Largest preview sent to the page.
pub const PREVIEW: u64 = 64 * 1024;

/// The 12 hex digits of a `sha256:...` digest.
pub fn short_digest(d: &str) -> String {
    crate::digest::short_id(d)
}
