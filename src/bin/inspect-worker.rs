//! The page's inspect worker: analyses an opened image (see `layerlab::ui::inspect_worker`),
//! loaded only when the "Inspect" panel is first opened. trunk builds it from index.html.
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::inspect_worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the inspect worker runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
