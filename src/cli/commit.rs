//! `layerlab commit`, `save` and `export`: a container becomes a new image, images become
//! archives, a merged view becomes a rootfs tar.
//!
//! - `commit ARCHIVE --ops FILE [--config C] -m MSG -a AUTHOR [-c CHANGE]... -o OUT.tar
//!   [--format docker|oci] [--tag REPO:TAG] [--time SECS]`: replays the OPS script in a
//!   container over the image, commits it (`docker commit`) and saves the new image.
//! - `save ARCHIVE... -o OUT.tar [--format docker|oci]`: every image of the archives (or the
//!   one `--image` selects) in one archive, blobs reused byte for byte.
//! - `export ARCHIVE [--ops FILE --config C] -o OUT.tar`: the merged view, container writes
//!   included, as one rootfs tar (`docker export`).
//!
//! The commit time comes from `--time`, else `SOURCE_DATE_EPOCH`, else the clock; the same
//! inputs and time give the same bytes.

use super::{load, ImageArgs};
use crate::commit::export::{export, ExportItem};
use crate::commit::save::{save, SaveFormat, SaveImage};
use crate::commit::loaded::commit_container;
use crate::commit::CommitOptions;
use crate::container::{ops, Config, Container};
use crate::error::{Error, Result};
use crate::image::{Archive, LoadOptions, Selector};
use crate::source::{FileSource, Source};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// `docker save` (Docker 25+ layout, which OCI tools also read).
    Docker,
    /// OCI image layout.
    Oci,
}

impl From<FormatArg> for SaveFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Docker => SaveFormat::Docker,
            FormatArg::Oci => SaveFormat::Oci,
        }
    }
}

/// Where and in which layout an image archive is written.
#[derive(Debug, Args, Clone)]
pub struct ArchiveOut {
    #[arg(short = 'o', long = "output", value_name = "OUT.tar")]
    pub output: PathBuf,
    #[arg(long, value_enum, default_value = "docker")]
    pub format: FormatArg,
}

#[derive(Debug, Args, Clone)]
pub struct CommitArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// The OPS script run in the container before the commit (shared/oracle/SPEC.md §3).
    #[arg(long, value_name = "FILE")]
    pub ops: PathBuf,
    /// Mount options: default (overlay2, native diff), redirect, metacopy (naive diff).
    #[arg(long, value_name = "C", default_value = "default")]
    pub config: String,
    /// Commit message (history comment).
    #[arg(short = 'm', long = "message", default_value = "")]
    pub message: String,
    /// Author.
    #[arg(short = 'a', long = "author", default_value = "")]
    pub author: String,
    /// A Dockerfile instruction applied to the config (CMD, ENTRYPOINT, ENV, WORKDIR, LABEL,
    /// USER, EXPOSE, VOLUME); repeatable.
    #[arg(short = 'c', long = "change", value_name = "CHANGE")]
    pub changes: Vec<String>,
    /// The new image's tag (repeatable).
    #[arg(short = 't', long = "tag", value_name = "REPO:TAG")]
    pub tags: Vec<String>,
    /// Commit time, seconds since the epoch (default: $SOURCE_DATE_EPOCH, else now).
    #[arg(long, value_name = "SECS")]
    pub time: Option<i64>,
    #[command(flatten)]
    pub out: ArchiveOut,
}

#[derive(Debug, Args, Clone)]
pub struct SaveArgs {
    /// Archives whose images are saved (all of them, or the one --image selects).
    #[arg(required = true, value_name = "ARCHIVE")]
    pub archives: Vec<PathBuf>,
    /// Save only this image (a position or tag) of each archive.
    #[arg(long, value_name = "N|REF")]
    pub image: Option<String>,
    #[arg(long)]
    pub no_verify: bool,
    /// mtime of the archive's own entries (default: $SOURCE_DATE_EPOCH, else 0).
    #[arg(long, value_name = "SECS")]
    pub time: Option<i64>,
    #[command(flatten)]
    pub out: ArchiveOut,
}

#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// An OPS script run in the container first.
    #[arg(long, value_name = "FILE")]
    pub ops: Option<PathBuf>,
    #[arg(long, value_name = "C", default_value = "default")]
    pub config: String,
    #[arg(short = 'o', long = "output", value_name = "OUT.tar")]
    pub output: PathBuf,
}

fn commit_time(arg: Option<i64>, fallback_now: bool) -> i64 {
    if let Some(t) = arg {
        return t;
    }
    if let Some(t) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()) {
        return t;
    }
    if fallback_now {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    } else {
        0
    }
}

/// Runs an OPS script in a fresh container over the image; failed ops are reported, as a
/// shell would, and do not stop the script.
fn run_container(stack: crate::union::Stack, ops_file: &Path, config: Config, err: &mut dyn Write) -> Result<Container> {
    let shown = ops_file.display().to_string();
    let data = std::fs::read(ops_file).map_err(|e| Error::io(&e).in_file(shown.clone()))?;
    let script = ops::parse(&data).map_err(|e| e.in_file(shown.clone()))?;
    let mut c = Container::new(stack, config);
    for op in &script {
        let out = c.apply(&op.op);
        if let Some(e) = out.errno {
            let _ = writeln!(err, "layerlab: {shown} line {}: {}: {}", op.line, op.echo(), e.sentence(op.name));
        }
    }
    Ok(c)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(&e).in_file(path.display().to_string()))
}

pub fn run_commit(a: &CommitArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let config = Config::parse(&a.config)?;
    let img = load(&a.image, None, err)?;
    let base = SaveImage::from_image(&img)?;
    let c = run_container(img.stack(None), &a.ops, config, err)?;
    let created = commit_time(a.time, true);
    let opts = CommitOptions {
        message: a.message.clone(),
        author: a.author.clone(),
        changes: a.changes.clone(),
        created,
        created_by: String::new(),
        tags: a.tags.clone(),
    };
    let config_bytes = img.config.as_ref().map(|c| c.bytes.clone());
    let done = commit_container(config_bytes.as_deref(), &base.layers, &c, &opts)?;
    let bytes = save(&[done.image.clone()], a.out.format.into(), created, Vec::new())?;
    write_file(&a.out.output, &bytes)?;
    let _ = writeln!(out, "{}", done.image.id());
    Ok(())
}

pub fn run_save(a: &SaveArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let mut images = Vec::new();
    for p in &a.archives {
        let name = p.display().to_string();
        let src: Source = Arc::new(FileSource::open(p).map_err(|e| Error::io(&e).in_file(name.clone()))?);
        let ar = Archive::open(src, &name, !a.no_verify, None)?;
        let sels: Vec<Selector> = match &a.image {
            Some(s) => vec![Selector::parse(s)],
            None => (0..ar.images.len()).map(Selector::Index).collect(),
        };
        for sel in sels {
            let opts = LoadOptions { verify: !a.no_verify, hash_compressed: false, ..Default::default() };
            let img = ar.load(&sel, &opts, &mut |_| true)?;
            for w in &img.warnings {
                let _ = writeln!(err, "layerlab: warning: {w}");
            }
            images.push(SaveImage::from_image(&img)?);
        }
    }
    let bytes = save(&images, a.out.format.into(), commit_time(a.time, false), Vec::new())?;
    write_file(&a.out.output, &bytes)?;
    for i in &images {
        let _ = writeln!(out, "{}", i.id());
    }
    Ok(())
}

pub fn run_export(a: &ExportArgs, _out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let config = Config::parse(&a.config)?;
    let img = load(&a.image, None, err)?;
    let c = match &a.ops {
        Some(f) => run_container(img.stack(None), f, config, err)?,
        None => Container::new(img.stack(None), config),
    };
    let nodes = c.merged_nodes();
    let items = nodes.iter().map(|(p, n, id)| ExportItem { path: p, node: n, identity: *id });
    let bytes = export(items, Vec::new())?;
    write_file(&a.output, &bytes)
}
