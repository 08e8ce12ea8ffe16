//! `layerlab trace (--layers-dir DIR | --image ARCHIVE...) --ops FILE --config C`: replays an
//! OPS script on the simulated container and prints the TRACE (shared/oracle/SPEC.md §4).
//!
//! DIR holds `0.tar`, `1.tar`, ... (0 = bottom, no gaps), as in the oracle scenarios; an image
//! archive (or stacked bare layers) feeds the same replay through its layer stack.

use super::{emit, load, ImageArgs};
use crate::container::{ops, trace, Config};
use crate::error::{Error, Result};
use crate::image::Archive;
use crate::source::{FileSource, Source};
use crate::union::Stack;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Args, Clone)]
pub struct TraceArgs {
    /// A directory of layer tars `0.tar` .. `N.tar` (0 = bottom), as in the oracle scenarios.
    #[arg(long, value_name = "DIR", conflicts_with = "image_archive", required_unless_present = "image_archive")]
    pub layers_dir: Option<PathBuf>,
    /// An image archive (or bare layer tarballs, bottom first) instead of --layers-dir.
    #[arg(long = "image", value_name = "ARCHIVE", num_args = 1..)]
    pub image_archive: Vec<PathBuf>,
    /// Which image of the archive: a position or a tag / ref name.
    #[arg(long = "select", value_name = "N|REF")]
    pub select: Option<String>,
    /// The OPS script.
    #[arg(long, value_name = "FILE")]
    pub ops: PathBuf,
    /// Mount options: default (Docker's overlay2), redirect (redirect_dir=on), metacopy.
    #[arg(long, value_name = "C", default_value = "default")]
    pub config: String,
    /// Skip digest verification of the image.
    #[arg(long)]
    pub no_verify: bool,
}

/// Loads `DIR/0.tar ... DIR/N.tar` as a stack (bottom first).
/// An OPS file and the stack it runs over (`--layers-dir`, else the image of `ia`), the errors
/// naming the file: what `trace` and `drivers` both start from.
pub fn ops_and_stack(ops_path: &Path, layers_dir: Option<&Path>, ia: &ImageArgs, err: &mut dyn Write) -> Result<(Vec<ops::ScriptOp>, Stack)> {
    let ops_file = ops_path.display().to_string();
    let data = std::fs::read(ops_path).map_err(|e| Error::io(&e).in_file(ops_file.clone()))?;
    let script = ops::parse(&data).map_err(|e| e.in_file(ops_file))?;
    let stack = match layers_dir {
        Some(d) => load_layers_dir(d)?,
        None => load(ia, None, err)?.stack(None),
    };
    Ok((script, stack))
}

pub fn load_layers_dir(dir: &Path) -> Result<Stack> {
    let shown = dir.display().to_string();
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(&e).in_file(shown.clone()))?;
    let mut idx = Vec::new();
    let mut n_tars = 0;
    for e in rd {
        let e = e.map_err(|e| Error::io(&e).in_file(shown.clone()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".tar") {
            n_tars += 1;
            if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(i) = stem.parse::<usize>() {
                    idx.push(i);
                }
            }
        }
    }
    idx.sort_unstable();
    if idx.len() != n_tars || idx.iter().enumerate().any(|(k, &i)| k != i) {
        return Err(Error::usage(format!("{shown}: layers must be 0.tar .. N.tar without gaps")));
    }
    let mut srcs: Vec<Source> = Vec::new();
    let mut names = Vec::new();
    for i in idx {
        let p = dir.join(format!("{i}.tar"));
        let file = p.display().to_string();
        srcs.push(Arc::new(FileSource::open(&p).map_err(|e| Error::io(&e).in_file(file.clone()))?));
        names.push(file);
    }
    let ar = Archive::from_layers(srcs, &shown);
    let opts = crate::image::LoadOptions { verify: false, ..Default::default() };
    let img = ar.load(&crate::image::Selector::Default, &opts, &mut |_| true)?;
    for w in &img.warnings {
        eprintln!("layerlab: warning: {w}");
    }
    Ok(img.stack(None))
}

pub fn run(a: &TraceArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let config = Config::parse(&a.config)?;
    let ia = ImageArgs { archives: a.image_archive.clone(), image: a.select.clone(), platform: None, no_verify: a.no_verify };
    let (script, stack) = ops_and_stack(&a.ops, a.layers_dir.as_deref(), &ia, err)?;
    emit(out, &trace::trace(stack, &script, config)?)
}
