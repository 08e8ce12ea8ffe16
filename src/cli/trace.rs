//! `layerlab trace --layers-dir DIR --ops FILE --config default|redirect|metacopy`: replays an
//! OPS script on the simulated container and prints the TRACE (shared/oracle/SPEC.md §4).
//!
//! DIR holds `0.tar`, `1.tar`, ... (0 = bottom, no gaps), as in the oracle scenarios. The
//! replay needs only a [`Stack`], so an image archive can feed it the same way.

use layerlab::container::{ops, trace, Config};
use layerlab::error::{Error, Result};
use layerlab::layer::{index_layer, IndexOptions, LayerBlob};
use layerlab::source::{FileSource, Source};
use layerlab::tree::Tree;
use layerlab::union::Stack;
use std::path::Path;
use std::sync::Arc;

/// Loads `DIR/0.tar ... DIR/N.tar` as a stack (bottom first).
pub fn load_layers_dir(dir: &Path) -> Result<Stack> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(&e).in_file(dir.display().to_string()))?;
    let mut idx = Vec::new();
    let mut n_tars = 0;
    for e in rd {
        let e = e.map_err(|e| Error::io(&e).in_file(dir.display().to_string()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".tar") {
            n_tars += 1;
            if let Ok(i) = stem.parse::<usize>() {
                if stem.bytes().all(|b| b.is_ascii_digit()) {
                    idx.push(i);
                }
            }
        }
    }
    idx.sort_unstable();
    if idx.len() != n_tars || idx.iter().enumerate().any(|(k, &i)| k != i) {
        return Err(Error::usage(format!("{}: layers must be 0.tar .. N.tar without gaps", dir.display())));
    }
    let mut layers = Vec::new();
    for i in idx {
        let p = dir.join(format!("{i}.tar"));
        let file = p.display().to_string();
        let src: Source = Arc::new(FileSource::open(&p).map_err(|e| Error::io(&e).in_file(file.clone()))?);
        let opts = IndexOptions { verify: false, hash_files: false, ..Default::default() };
        let index = index_layer(src.clone(), &opts, &mut |_| true).map_err(|e| e.in_file(file.clone()))?;
        let blob = Arc::new(LayerBlob::new(src, format!("layer {i}")).map_err(|e| e.in_file(file.clone()))?);
        let mut warnings = Vec::new();
        let t = Tree::from_entries(&index.entries, Some(&blob), &mut warnings)
            .map_err(|e| e.in_layer(format!("layer {i}")).in_file(file.clone()))?;
        for w in warnings {
            eprintln!("warning: {file}: {w}");
        }
        layers.push(Arc::new(t));
    }
    Ok(Stack::new(layers))
}

/// Runs the subcommand on its arguments (after `trace`); returns the TRACE text.
pub fn run(args: &[String]) -> Result<String> {
    let mut layers_dir = None;
    let mut ops_file = None;
    let mut config = Config::Default;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| it.next().cloned().ok_or_else(|| Error::usage(format!("{name} needs a value")));
        match a.as_str() {
            "--layers-dir" => layers_dir = Some(val("--layers-dir")?),
            "--ops" => ops_file = Some(val("--ops")?),
            "--config" => config = Config::parse(&val("--config")?)?,
            other => return Err(Error::usage(format!("trace: unknown argument '{other}'"))),
        }
    }
    let layers_dir = layers_dir.ok_or_else(|| Error::usage("trace: --layers-dir DIR is required"))?;
    let ops_file = ops_file.ok_or_else(|| Error::usage("trace: --ops FILE is required"))?;
    let data = std::fs::read(&ops_file).map_err(|e| Error::io(&e).in_file(ops_file.clone()))?;
    let script = ops::parse(&data).map_err(|e| e.in_file(ops_file.clone()))?;
    let stack = load_layers_dir(Path::new(&layers_dir))?;
    trace::trace(stack, &script, config)
}
