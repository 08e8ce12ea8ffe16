//! `layerlab ls ARCHIVE [--image N|REF] [--upto K] [--layer K]`: the merged view of the first
//! K layers (all by default) in the listing format of SPEC §5, root line included; or, with
//! `--layer K` (0 = bottom, -1 = top), that layer's own tar entries in the line format of
//! SPEC §6 (whiteouts as `.wh.` files, hardlinks as `h` lines, no root).

use super::{emit, load, ImageArgs};
use crate::error::{Error, Result};
use clap::Args;
use std::io::Write;

#[derive(Debug, Args, Clone)]
pub struct LsArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// Merge only the first K layers.
    #[arg(long, value_name = "K")]
    pub upto: Option<usize>,
    /// List one layer's own entries instead (0 = bottom, -1 = top).
    #[arg(long, value_name = "K", allow_negative_numbers = true, conflicts_with = "upto")]
    pub layer: Option<i64>,
}

pub fn run(a: &LsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let img = load(&a.image, a.upto, err)?;
    if let Some(u) = a.upto {
        if u > img.total_layers {
            return Err(Error::usage(format!("--upto {u}: the image has only {} layer(s)", img.total_layers))
                .in_file(img.archive.clone()));
        }
    }
    let lines = match a.layer {
        Some(k) => {
            let i = img.layer_index(k)?;
            let l = &img.layers[i];
            crate::layer::tarlist::entry_lines(&l.entries, Some(&l.blob))
                .map_err(|e| e.in_layer(l.label.clone()).in_file(img.archive.clone()))?
        }
        None => img.stack(a.upto).listing().map_err(|e| e.in_file(img.archive.clone()))?,
    };
    let mut s = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for l in lines {
        s.push_str(&l);
        s.push('\n');
    }
    emit(out, &s)
}
