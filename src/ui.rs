//! The web page: a Yew UI on the main thread and a web worker that owns the data.
//!
//! Rules (see issue 4 and STYLE.md "UI"):
//! - The core never sees this module; this module converts. Bytes of a browser `File` reach the
//!   core through [`blob_file::BrowserBlob`], a `BlobSource` that only works in the worker.
//! - All archive reading, indexing, merging and file reading happens in the worker, which
//!   drives the core's [`crate::host::Host`] ([`worker`]); the page ([`app`]) holds only what
//!   it shows and never freezes. They speak [`protocol`].
//! - State changes go through the reducer in [`state`]; side effects live in [`hooks`] and
//!   callbacks. One component per file under [`components`].
//! - No domain rule lives here: what a layer, a view, a container or `docker diff` is, and how
//!   it is worded, is the core's; this module converts and draws.

// The core shares sources as `Arc<dyn BlobSource>` (no Send bound); in the browser there is one
// thread per agent, so that is fine.
#![allow(clippy::arc_with_non_send_sync)]

pub mod app;
pub mod blob_file;
pub mod components;
pub mod docker_bridge;
pub mod docker_protocol;
pub mod docker_state;
pub mod docker_worker;
pub mod drivers_bridge;
pub mod drivers_worker;
pub mod hooks;
pub mod inspect_bridge;
pub mod inspect_worker;
pub mod lang;
pub mod layer_worker;
pub mod panels;
pub mod protocol;
pub mod session;
pub mod state;
pub mod worker;

/// Mounts the page into `<body>`.
pub fn run_app() {
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
