//! A Docker host as Docker 20.10 runs it with the classic (graph driver) image store: a
//! registry to pull from, a local store shared by every image, containers (each a kernel-exact
//! container layer over its image and its `-init` layer), commits and `docker save` archives,
//! and a docker command line over them that prints what the docker CLI prints.
//!
//! Truth: `../shared/docker-oracle` (README "SCRIPT format", "TRANSCRIPT format",
//! "Normalization"; NOTES "Pull, push, load", "Commit, history, save"), scenarios
//! `pull-shared-base`, `pull-tags-and-errors`, `pull-different-parent`, `pull-after-load`,
//! `pull-refused-layer`, `rmi-shared-layers`, `inspect-*`, and for containers
//! `containers-isolation`, `container-rm`, `whiteouts`, `copyup-*`, `mv-dir-exdev`,
//! `opaque-dirs`, `driver-*` (NOTES 29: [`driver`]), `commit-history`, `commit-save`, `build-*`,
//! `errors-build` (NOTES 34-58),
//! `errors-commands` (NOTES 12-29); our `tests/docker-scenarios` (`container-inspect*`,
//! `max-depth`, ...). Sources followed: moby `distribution/pull_v2.go` (which
//! layers already exist), `daemon/images/image_delete.go` (rmi), `layer/layer_store.go`
//! (ChainIDs, release top first), `daemon/commit.go`, `image/image.go` (`NewChildImage`),
//! `image/tarexport/save.go` (20.10), docker/cli `cli/command/formatter` (tables, sizes,
//! ellipsis).
//!
//! Rules:
//! - Pure Rust, no browser crate and no file system: archives come in already opened
//!   ([`crate::image::Archive`]), a `docker load` asks the caller for the archive by path, and
//!   what `docker save -o` writes stays in the host's scratch files ([`Docker::files`]), where
//!   `docker load` and `tar` find it.
//! - One room per concept: [`reference`] (names as distribution parses them), [`registry`]
//!   (what the registry holds, blob digests from `registry.txt`), [`store`] (layers by ChainID,
//!   images by ID with their parent, references, `v2metadata-by-diffid`, layers containers
//!   hold), [`containers`] (a container's layers, init layer, config, state and `docker diff`),
//!   [`container_inspect`] (the object `docker inspect CONTAINER` prints, its `GraphDriver`),
//!   [`driver`] (the storage driver and what `docker info` and `GraphDriver` say of it),
//!   [`gojson`] (the daemon's JSON as Go encodes it: configs, commit configs, legacy v1 JSON and
//!   IDs), [`names`] (the oracle's placeholders for IDs the host's clock makes), [`argv`] (a
//!   script line split as the oracle's recorder splits it), [`table`] (Go's tabwriter as the
//!   docker CLI sets it up), [`dockerfile`] (a Dockerfile as the classic builder parses it),
//!   [`build`] (`docker build`: the classic builder's steps, cache and stages), [`build_steps`] (what
//!   each build step did, for the page),
//!   [`context`] (a build context: `.dockerignore`, the size the CLI sends, tarsum source
//!   checksums), [`commands`] (the docker commands), [`gnutar`] (GNU tar over a
//!   saved archive), [`script`] (a SCRIPT replayed into a TRANSCRIPT).
//! - Commits reuse the one commit and save writer: [`crate::commit::write_layer`] tars the
//!   container layer, [`crate::commit::apply_changes`] applies `-c`,
//!   [`crate::commit::save::save_legacy`] lays out the 20.10 archive.
//! - For the page: [`served`] (a registry of opened archives), [`complete`] (Tab completion),
//!   [`store_map`] (which layers each image and container uses), [`var_lib`]
//!   (`/var/lib/docker`), [`lists`] (the image and container lists).
//! - Deterministic: the clock is fixed, so every relative time prints as the oracle normalizes
//!   it (`<dur> ago`), times the host makes are `<time>`, and graph-driver directories print as
//!   `<cache:C>`.
//! - Nothing here imports `host` and `host` does not import this module.

pub mod argv;
pub mod build;
pub mod build_steps;
pub mod commands;
pub mod complete;
pub mod container_inspect;
pub mod containers;
pub mod context;
pub mod dockerfile;
pub mod driver;
pub mod gnutar;
pub mod gojson;
pub mod lists;
pub mod reference;
pub mod names;
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
