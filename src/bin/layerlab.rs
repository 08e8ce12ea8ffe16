//! `layerlab`: the command-line face of the core (temporary bootstrap: bare layers only).
use layerlab::layer::{index_layer, IndexOptions, LayerBlob};
use layerlab::source::{FileSource, Source};
use layerlab::tree::Tree;
use layerlab::union::Stack;
use std::sync::Arc;

#[path = "../cli/trace.rs"]
mod trace_cmd;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("trace") {
        match trace_cmd::run(&args[1..]) {
            Ok(text) => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
                let _ = out.flush();
                return;
            }
            Err(e) => {
                eprintln!("layerlab trace: {e}");
                std::process::exit(if e.kind == layerlab::ErrorKind::Usage { 2 } else { 1 });
            }
        }
    }
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
