//! `layerlab`: the command-line face of the core (temporary bootstrap: bare layers only).
#[cfg(not(target_arch = "wasm32"))]
use layerlab::layer::{index_layer, IndexOptions, LayerBlob};
#[cfg(not(target_arch = "wasm32"))]
use layerlab::source::{FileSource, Source};
#[cfg(not(target_arch = "wasm32"))]
use layerlab::tree::Tree;
#[cfg(not(target_arch = "wasm32"))]
use layerlab::union::Stack;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::Arc;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut layers = Vec::new();
    for (i, p) in args.iter().enumerate() {
        let src: Source = Arc::new(FileSource::open(p).unwrap());
        let opts = IndexOptions { verify: false, hash_files: false, ..Default::default() };
        let idx = index_layer(src.clone(), &opts, &mut |_| true).unwrap_or_else(|e| panic!("{}", e.in_file(p.clone())));
        let blob = Arc::new(LayerBlob::new(src, format!("layer {i}")).unwrap());
        let mut w = Vec::new();
        let t = Tree::from_entries(&idx.entries, Some(&blob), &mut w).unwrap();
        for x in w { eprintln!("warning: {x}"); }
        layers.push(Arc::new(t));
    }
    for l in Stack::new(layers).listing().unwrap() { println!("{l}"); }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
