//! The page's panels loaded on first use (the Docker panel, the Storage drivers panel): a Yew
//! app of its own (see `layerlab::ui::panels`). trunk builds it from index.html (`no-modules`).
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::panels::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the page's panels run in a browser: scripts/serve.sh builds and serves them");
    std::process::exit(2);
}
