//! The page's layer workers: index layer blobs (or pieces of one) for the page's worker's split
//! open (see `layerlab::ui::layer_worker`). trunk builds it from index.html; fetched on the
//! first split open, not in the first load.
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::layer_worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the layer worker runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
