//! A Docker host as Docker 20.10 runs it with the classic (graph driver) image store and
//! overlay2: a registry to pull from, a local store shared by every image, containers (each a
//! kernel-exact container layer over its image and its `-init` layer), and a docker command
//! line over them that prints what the docker CLI prints.
//!
//! Truth: `../shared/docker-oracle` (README "SCRIPT format", "TRANSCRIPT format",
//! "Normalization"; NOTES "Pull, push, load"), scenarios `pull-shared-base`,
//! `pull-tags-and-errors`, `pull-different-parent`, `pull-after-load`, `rmi-shared-layers`,
//! `inspect-*`, and for containers `containers-isolation`, `container-rm`, `whiteouts`,
//! `copyup-*`, `mv-dir-exdev`, `driver-overlay2`, `errors-commands` (NOTES 12-19, 26). Sources followed: moby `distribution/pull_v2.go` (which layers already exist),
//! `daemon/images/image_delete.go` (rmi), `layer/layer_store.go` (ChainIDs, release top first),
//! docker/cli `cli/command/formatter` (tables, sizes, ellipsis).
//!
//! Rules:
//! - Pure Rust, no browser crate and no file system: archives come in already opened
//!   ([`crate::image::Archive`]), a `docker load` asks the caller for the archive by path.
//! - One room per concept: [`reference`] (names as distribution parses them), [`registry`]
//!   (what the registry holds, blob digests from `registry.txt`), [`store`] (layers by ChainID,
//!   images by ID, references, `v2metadata-by-diffid`, layers containers hold), [`containers`]
//!   (a container's layers, init layer, state and `docker diff`), [`argv`] (a script line split as the
//!   oracle's recorder splits it), [`table`] (Go's tabwriter as the docker CLI sets it up),
//!   [`commands`] (the docker commands), [`script`] (a SCRIPT replayed into a TRANSCRIPT);
//!   for the page: [`served`] (a registry of opened archives), [`complete`] (Tab completion),
//!   [`store_map`] (which layers each image and container uses), [`var_lib`] (`/var/lib/docker`),
//!   [`lists`] (the image and container lists).
//! - Deterministic: the clock is fixed, so every relative time prints as the oracle normalizes
//!   it (`<dur> ago`), and graph-driver directories print as `<cache:C>`.
//! - Nothing here imports `host` and `host` does not import this module.

pub mod argv;
pub mod commands;
pub mod complete;
pub mod containers;
pub mod lists;
pub mod reference;
pub mod registry;
pub mod script;
pub mod served;
pub mod store_map;
pub mod store;
pub mod table;
pub mod var_lib;

pub use commands::{Docker, Outcome};
pub use registry::Registry;
pub use store::Store;
