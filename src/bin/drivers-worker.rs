//! The page's storage-drivers worker: replays the page's container on every storage driver
//! (see `layerlab::ui::drivers_worker`), loaded only when the "Storage drivers" panel is first
//! opened. trunk builds it from index.html.
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::drivers_worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the storage-drivers worker runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
