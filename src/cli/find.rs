//! `layerlab find ARCHIVE… PATTERN [--image N|REF] [--json]`: a name or glob in every layer,
//! deleted and shadowed versions included ([`crate::find`]); the last argument is the pattern.
//! One row per hit: layer, type, size (Docker's format), path and what became of it. Exits 0
//! whether or not anything matched, as find(1) does (no match prints a note on stderr).

use super::{emit, load, table, ImageArgs};
use crate::error::{Error, Result};
use crate::find::{find, Pattern};
use crate::units::human_size;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
pub struct FindArgs {
    /// ARCHIVE (or bare layer tarballs, bottom first), then the PATTERN: a name or glob
    /// (`id_rsa`, `*.pem`), or a path glob when it has a `/` (`/etc/*`).
    #[arg(required = true, num_args = 2.., value_name = "ARCHIVE… PATTERN")]
    pub args: Vec<String>,
    /// Which image of the archive: a position (0 = first) or a tag / ref name.
    #[arg(long, value_name = "N|REF")]
    pub image: Option<String>,
    /// Platform to pick from a multi-arch index (os/arch[/variant]).
    #[arg(long)]
    pub platform: Option<String>,
    /// Skip digest verification (faster; mismatches go unnoticed).
    #[arg(long)]
    pub no_verify: bool,
    /// One JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &FindArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let Some((pattern, archives)) = a.args.split_last() else {
        return Err(Error::usage("find needs an ARCHIVE and a PATTERN"));
    };
    let ia = ImageArgs {
        archives: archives.iter().map(PathBuf::from).collect(),
        image: a.image.clone(),
        platform: a.platform.clone(),
        no_verify: a.no_verify,
    };
    let img = load(&ia, None, err)?;
    let trees: Vec<&crate::tree::Tree> = img.layers.iter().map(|l| &*l.tree).collect();
    let hits = find(&trees, &Pattern::new(pattern));
    if a.json {
        let v = serde_json::json!({ "pattern": pattern, "layers": img.layers.len(), "hits": hits });
        let s = serde_json::to_string_pretty(&v).map_err(|e| Error::corrupt(e.to_string()))?;
        return emit(out, &(s + "\n"));
    }
    if hits.is_empty() {
        let _ = writeln!(err, "layerlab: no entry of any of the {} layer(s) matches {pattern}", img.layers.len());
        return Ok(());
    }
    let mut rows = vec![["LAYER", "TYPE", "SIZE", "PATH", "STATUS"].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for h in &hits {
        let size = if h.kind == 'f' { human_size(h.size) } else { "-".into() };
        let mut path = h.path.clone();
        if let Some(t) = &h.target {
            path += &format!(" -> {t}");
        }
        let mut status = h.explanation.clone();
        if h.opaque {
            status += " (opaque: hides the lower layers' entries below it)";
        }
        rows.push(vec![h.layer.to_string(), h.kind.to_string(), size, path, status]);
    }
    emit(out, &table(&rows))
}
