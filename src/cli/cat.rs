//! `layerlab cat ARCHIVE PATH`: a file's content from the merged view. Symlinks are followed
//! inside the image only (absolute targets start at the image root, at most 40 links).

use super::{load, ImageArgs};
use crate::error::{Error, ErrorKind, Result};
use crate::tree::{Content, Kind};
use clap::Args;
use std::io::Write;

#[derive(Debug, Args, Clone)]
pub struct CatArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// Path inside the image, e.g. /etc/os-release.
    #[arg(long = "path", short = 'p', value_name = "PATH")]
    pub path_opt: Option<String>,
}

pub fn run(a: &CatArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    // `cat ARCHIVE PATH`: the last positional is the path.
    let mut args = a.image.clone();
    let path = match &a.path_opt {
        Some(p) => p.clone(),
        None => {
            if args.archives.len() < 2 {
                return Err(Error::usage("usage: layerlab cat ARCHIVE... PATH"));
            }
            args.archives.pop().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
        }
    };
    let img = load(&args, None, err)?;
    let stack = img.stack(None);
    let r = stack.resolve(path.as_bytes(), true).map_err(|e| e.in_file(img.archive.clone()))?;
    let node = stack.node(r.layer, r.ino);
    let layer = &img.layers[r.layer];
    let ctx = |e: Error| e.in_layer(layer.label.clone()).at_entry(path.clone()).in_file(img.archive.clone());
    match &node.kind {
        Kind::File(Content::Blob { blob, offset, size }) => blob.for_each_chunk(*offset, *size, &mut |c| {
            out.write_all(c).map_err(|e| Error::io(&e))
        }),
        Kind::File(Content::Bytes(b)) => out.write_all(b).map_err(|e| Error::io(&e)),
        Kind::Dir(_) => Err(Error::new(ErrorKind::Unsupported, "is a directory (EISDIR)")),
        _ => Err(Error::new(ErrorKind::Unsupported, "not a regular file")),
    }
    .map_err(ctx)
}
