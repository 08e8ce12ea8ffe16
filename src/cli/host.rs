//! `layerlab host --script FILE --images TSV --registry FILE`: replays a docker-oracle SCRIPT
//! on a simulated Docker host and prints its TRANSCRIPT (the oracle README's `check.sh`
//! template). The registry holds what `registry.txt` lists, with content from the archives
//! the `{images}` TSV names (`docker|oci REF ARCHIVE INDEX|REFNAME`, absolute paths);
//! `docker load -i PATH` opens PATH relative to the current directory, as the recorder's
//! commands did; an archive a `docker save -o FILE` wrote is written to FILE at the end (the
//! host keeps it in memory while the script runs). Exit 0 whatever the commands printed (their
//! exit codes are in the transcript).

use super::emit;
use crate::docker::registry::{parse_images, Registry};
use crate::docker::{script, Docker};
use crate::error::{Error, Result};
use crate::image::Archive;
use crate::source::FileSource;
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Args, Clone)]
pub struct HostArgs {
    /// The docker-oracle SCRIPT.
    #[arg(long)]
    pub script: PathBuf,
    /// The registry's images: `docker|oci REF ARCHIVE INDEX|REFNAME`, TAB-separated.
    #[arg(long)]
    pub images: PathBuf,
    /// The scenario's registry.txt (blob and manifest digests as pushed).
    #[arg(long)]
    pub registry: PathBuf,
}

fn read(p: &PathBuf) -> Result<String> {
    std::fs::read_to_string(p).map_err(|e| Error::io(&e).in_file(p.display().to_string()))
}

/// Opens an archive file.
pub fn open_archive(path: &str) -> std::result::Result<Arc<Archive>, String> {
    let src = FileSource::open(path).map_err(|e| e.to_string())?;
    Archive::open(Arc::new(src), path, true, None).map(Arc::new).map_err(|e| e.to_string())
}

/// A build context directory read from the disk: files with their permission bits,
/// directories, symlinks (what the docker CLI tars and sends).
pub fn load_context(dir: &str) -> std::result::Result<crate::docker::context::Context, String> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(c: &mut crate::docker::context::Context, root: &std::path::Path, dir: &std::path::Path) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let rel = path.strip_prefix(root).map_err(std::io::Error::other)?.to_string_lossy().to_string();
            let md = std::fs::symlink_metadata(&path)?;
            let mode = md.permissions().mode() & 0o7777;
            if md.file_type().is_symlink() {
                c.add_symlink(&rel, &std::fs::read_link(&path)?.to_string_lossy());
            } else if md.is_dir() {
                c.add_dir(&rel, mode);
                walk(c, root, &path)?;
            } else if md.is_file() {
                c.add_file(&rel, mode, std::fs::read(&path)?);
            }
        }
        Ok(())
    }
    let root = std::path::Path::new(dir);
    if !root.is_dir() {
        return Err(format!("path \"{dir}\" not found"));
    }
    let mut c = crate::docker::context::Context::new();
    walk(&mut c, root, root).map_err(|e| format!("{dir}: {e}"))?;
    Ok(c)
}

pub fn run(a: &HostArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let script_text = read(&a.script)?;
    let sources = parse_images(&read(&a.images)?).map_err(Error::usage)?;
    let mut archives: BTreeMap<String, Arc<Archive>> = BTreeMap::new();
    for s in &sources {
        if !archives.contains_key(&s.archive) {
            let ar = open_archive(&s.archive).map_err(Error::corrupt)?;
            archives.insert(s.archive.clone(), ar);
        }
    }
    let key = |r: &str| crate::docker::reference::Named::parse(r).map(|n| n.with_default_tag().full()).unwrap_or_else(|_| r.to_string());
    let mut content = |r: &str| {
        sources.iter().find(|s| key(&s.reference) == key(r)).map(|s| (archives[&s.archive].clone(), s.selector()))
    };
    let registry = Registry::from_text(&read(&a.registry)?, &mut content).map_err(Error::corrupt)?;
    let mut docker = Docker::new(registry, Box::new(open_archive));
    docker.context_loader = Some(Box::new(load_context));
    emit(out, &script::replay(&script_text, &mut docker))?;
    // What `docker save -o FILE` wrote lands where Docker's CLI puts it: FILE, relative to the
    // current directory. A file that cannot be written is reported, not fatal.
    for (path, bytes) in &docker.files {
        if let Err(e) = std::fs::write(path, bytes) {
            let _ = writeln!(err, "layerlab: cannot write {path} (from docker save): {e}");
        }
    }
    Ok(())
}
