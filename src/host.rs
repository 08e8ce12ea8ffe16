//! The Docker host the page runs, in the portable core: the layers of every archive opened,
//! the images loaded or committed, the stack shown and its merged view, the views the page
//! scrolls through, the container over the stack, and commit/save/export jobs.
//!
//! Rules:
//! - Pure Rust over the core: no browser crate, so `cargo test` drives it natively
//!   (`tests/host.rs`) exactly as the page's worker does. The worker only turns messages into calls
//!   of [`Host`] and answers into messages; nothing here knows about messages.
//! - Layers are named by [`LayerId`], given out in opening order across archives (a commit's
//!   new layer too), so replaying the same opens gives the same ids.
//! - A stack change starts a fresh container over the new stack, like `docker run`, keeping
//!   the mount options it had.
//! - One room per concept: opening archives in [`open`], views of the merged tree or of one
//!   layer in [`view`], the container in [`container`] (its event log's words in [`event_words`]), commit/save/export in [`commit`], what the Inspect panel needs of a loaded image in [`inspect`].
//!   The Docker daemon's image side (registry, the store of layers keyed by ChainID, pulls,
//!   `docker images`/`rmi`/...) is [`crate::docker`]; containers over that store come next.

pub mod commit;
pub mod container;
pub mod event_words;
pub mod inspect;
pub mod open;
pub mod view;

use crate::tree::Tree;
use crate::union::Stack;
use std::sync::Arc;

pub use commit::{CommitDone, CommitRequest};
pub use container::{ContainerUsage, CopyUp, FileAction, JournalItem, ReplayInput, ShellResult};
pub use event_words::{EventKind, EventLine};
pub use open::{load_archive, load_options, open_archive, prepare, ArchiveInfo, HistoryRow, ImageInfo, LayerInfo, Opened, ProgressInfo, UNVERIFIED};
pub use view::{ChangeFilter, FileInfo, Query, Row, Rows, Scope, Sort};

/// A loaded layer, numbered in the order layers were opened (across all archives).
pub type LayerId = u32;

/// The id rows of the container (upper) layer carry (shown as "C").
pub const CONTAINER_LAYER: LayerId = u32::MAX;

/// How the page names a layer of `order` (bottom first): `L{pos}` by its position
/// in the stack, `#{id}` if it is not stacked.
pub fn stack_label(order: &[(LayerId, bool)], id: LayerId) -> String {
    match order.iter().position(|x| x.0 == id) {
        Some(p) => format!("L{p}"),
        None => format!("#{id}"),
    }
}

struct Loaded {
    info: LayerInfo,
    tree: Arc<Tree>,
    /// Bytes of the layer directory (`docker ps -s` virtual size), counted once at load.
    bytes: u64,
}

#[derive(Default)]
pub struct Host {
    layers: Vec<Loaded>,
    /// Full order with enabled flags (bottom first).
    order: Vec<(LayerId, bool)>,
    union: Stack,
    /// LayerId of each position of `union`.
    union_ids: Vec<LayerId>,
    /// The scope whose entries are in `items` (the last one queried), whether they are still
    /// up to date, its entries, and the view built over them.
    scope: Option<Scope>,
    fresh: bool,
    items: view::Items,
    version: u32,
    /// The version [`Host::set_stack`] last left: the same stack sent again with nothing
    /// changed since is kept as it is.
    stacked: Option<u32>,
    view: Option<(view::ViewKey, Vec<u32>)>,
    /// The container layer over the current stack (reset when the stack changes).
    container: Option<crate::container::Container>,
    /// Snapshots before each line that changed the container layer (undo), with the op log
    /// as it was then.
    undo: Vec<(crate::container::Container, Vec<crate::container::Op>)>,
    /// Every op the container ran since it was made, in order (failed ones too): what the
    /// storage-driver comparison replays on the same layers ([`Host::replay_input`], issue 12).
    ops: Vec<crate::container::Op>,
    /// The last shell line the container ran (none since it was made): the storage-driver
    /// comparison names the line its figures are for (a lesson's check reads it, L14).
    last_line: Option<String>,
    /// How many ops the container had run when that line began.
    line_ops: usize,
    /// Every image loaded or committed, with the ids of its layers (bottom first).
    images: Vec<(crate::image::Image, Vec<LayerId>)>,
    /// The layers each archive added (opened archives and commits, in order), as the page
    /// numbers them: a commit names its base layers by (archive, position) in this list.
    archives: Vec<Vec<LayerId>>,
}

impl Host {
    pub fn new() -> Self {
        Host::default()
    }

    /// The id the next opened layer gets.
    pub fn next_id(&self) -> LayerId {
        self.layers.len() as LayerId
    }

    /// Keeps the layers of an opened archive (ids were given out from [`Host::next_id`]).
    pub fn add(&mut self, opened: &Opened) {
        self.add_layers(opened);
        self.images.extend(opened.images.iter().cloned());
    }

    /// [`Host::add`] without a copy of the images (their tar entries are the bulk of an
    /// opened archive's memory: the page's worker keeps one copy).
    pub fn add_owned(&mut self, opened: Opened) {
        self.add_layers(&opened);
        self.images.extend(opened.images);
    }

    fn add_layers(&mut self, opened: &Opened) {
        for l in &opened.layers {
            debug_assert_eq!(l.info.id, self.next_id());
            self.layers.push(Loaded { info: l.info.clone(), tree: l.tree.clone(), bytes: crate::container::layer_bytes(&l.tree) });
        }
        self.archives.push(opened.layers.iter().map(|l| l.info.id).collect());
    }

    /// Sets the stack (bottom first, with on/off switches; unknown ids are dropped); returns
    /// the number of merged entries. The stack in place, sent again with nothing changed since
    /// (no line run, no file written, no mount option set), is kept: its container is the one
    /// a new stack would make, and its merged view is built already (the page's worker applies
    /// the stack an open brings while the page draws the open, before the page sends it).
    pub fn set_stack(&mut self, order: Vec<(LayerId, bool)>) -> u64 {
        let order: Vec<(LayerId, bool)> = order.into_iter().filter(|(id, _)| (*id as usize) < self.layers.len()).collect();
        if self.stacked == Some(self.version) && order == self.order {
            self.build_scope(Scope::Merged);
            return self.items.len() as u64;
        }
        self.union_ids = order.iter().filter(|x| x.1).map(|x| x.0).collect();
        self.union = Stack::new(self.union_ids.iter().map(|&id| self.layers[id as usize].tree.clone()).collect());
        self.order = order;
        // A stack change starts a fresh container over the new stack (like `docker run`), with
        // the mount options it had.
        let config = self.container.as_ref().map_or(crate::container::Config::Default, |c| c.config());
        self.container = Some(crate::container::Container::new(self.union.clone(), config));
        self.undo.clear();
        self.ops.clear();
        self.last_line = None;
        self.touched();
        self.stacked = Some(self.version);
        self.build_scope(Scope::Merged);
        self.items.len() as u64
    }

    /// The stack as applied (bottom first, with on/off switches).
    pub fn stack(&self) -> &[(LayerId, bool)] {
        &self.order
    }

    pub fn layer_info(&self, id: LayerId) -> Option<&LayerInfo> {
        self.layers.get(id as usize).map(|l| &l.info)
    }

    /// The merged view changed (stack, container write): views are rebuilt on the next query.
    fn touched(&mut self) {
        self.version += 1;
        self.fresh = false;
        self.view = None;
    }
}
