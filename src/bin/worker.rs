//! The page's web worker: reads archives and runs the layer engine off the main thread
//! (see `layerlab::ui::worker`). trunk builds it from the `data-type="worker"` link.
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
