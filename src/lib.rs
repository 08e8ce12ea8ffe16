//! layerlab: container image layers, union mounts and copy-on-write, simulated faithfully.
//!
//! The core is pure Rust and portable: it never names a UI toolkit or a browser API, and it reads
//! bytes only through [`source::BlobSource`], so the same code runs in the CLI over files on disk,
//! in tests over memory, and in the browser over a `File`.
//!
//! ```text
//!  source  ──>  image (docker save / OCI)  ──>  layer (tar index, whiteouts)
//!                                                  │
//!                                                  v
//!                                  tree (one layer directory, as overlay2 extracts it)
//!                                                  │
//!                                                  v
//!                                  union (merged view of a stack, with provenance)
//!                                                  │
//!                                                  v
//!                         container (upper dir, overlayfs ops)  ──>  commit (docker commit, save)
//!                                                  │
//!                                                  v
//!                         host (the Docker host the page drives: archives, views, container, jobs)
//!                         docker (a Docker daemon's image side: registry, layer store by ChainID,
//!                                 docker pull/images/rmi/history/inspect/load/system df)
//!
//!  at the bottom, used by all: error, digest (sha256, hex), path (byte paths), listing (SPEC §5),
//!  units (Docker's wording for sizes and durations), i18n (the page's words in English and 简体中文)
//! ```
//!
//! No two of these modules import each other (`tests/architecture.rs`).

pub mod analysis;
pub mod changes;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod commit;
pub mod compare;
pub mod container;
pub mod digest;
pub mod docker;
pub mod drivers;
pub mod error;
pub mod find;
pub mod host;
pub mod i18n;
pub mod image;
pub mod layer;
pub mod lessons;
pub mod listing;
pub mod path;
pub mod secrets;
pub mod source;
pub mod tree;
pub mod union;
pub mod units;

/// The web page (Yew) and its worker; browser-only.
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use error::{Error, ErrorKind, Result};
pub use image::{Archive, Image, LoadOptions, Selector};
