//! The `layerlab` command line: argument parsing and dispatch; one module per subcommand.
//!
//! Rules: commands print to the writer they are given (so tests can run them in process);
//! every failure is one sentence naming archive, layer and entry, printed as
//! `layerlab: <sentence>` with a non-zero exit code, never a panic. Warnings (things Docker
//! would refuse but we accept) go to stderr as `layerlab: warning: ...`.
//! Adding a command: a variant in [`Command`], a module in `cli/`, a line in [`run`].

pub mod analyze;
pub mod cat;
pub mod commit;
pub mod diff;
pub mod drivers;
pub mod find;
pub mod history;
pub mod host;
pub mod inspect;
pub mod layers;
pub mod ls;
pub mod trace;

use crate::error::{Error, ErrorKind, Result};
use crate::image::{Archive, Format, Image, LoadOptions, Selector};
use crate::source::{FileSource, Source};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "layerlab", version, about = "Container image layers and union mounts, simulated faithfully")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One row per layer: digests, sizes, entry count, added/modified/deleted, created_by.
    Layers(ImageArgs),
    /// The image history, shaped like `docker history --no-trunc`.
    History(ImageArgs),
    /// JSON shaped like `docker image inspect`.
    Inspect(ImageArgs),
    /// The merged filesystem (SPEC §5 listing), or one layer's own entries with --layer.
    Ls(ls::LsArgs),
    /// A file's content from the merged view (symlinks followed inside the image).
    Cat(cat::CatArgs),
    /// Replays an OPS script in a simulated container and prints the kernel-format TRACE.
    Trace(trace::TraceArgs),
    /// Runs an OPS script in a container and commits it to a new image (docker commit).
    Commit(commit::CommitArgs),
    /// Writes images as a docker save or OCI archive (docker save).
    Save(commit::SaveArgs),
    /// Writes the merged view (after an optional OPS script) as a rootfs tar (docker export).
    Export(commit::ExportArgs),
    /// Prices an OPS script on every storage driver: bytes allocated and `docker ps -s` SIZE.
    Drivers(drivers::DriversArgs),
    /// Replays a docker-oracle SCRIPT on a simulated Docker host and prints the TRANSCRIPT.
    Host(host::HostArgs),
    /// Where the bytes go: dive's numbers and the exact wasted figure, deleted-but-shipped files, dive's CI rules.
    Analyze(analyze::AnalyzeArgs),
    /// Compares two images (ARCHIVE[:IMAGE]): shared layers, files, config, history; exit 0 same content, 1 differ, 2 error.
    Diff(diff::DiffArgs),
    /// Finds a name or glob in every layer, deleted and shadowed versions included.
    Find(find::FindArgs),
}

/// Arguments every image command takes.
#[derive(Debug, Args, Clone)]
pub struct ImageArgs {
    /// An image archive (docker save, OCI layout tar, oci-archive) or bare layer tarballs,
    /// stacked bottom first.
    #[arg(required = true, value_name = "ARCHIVE")]
    pub archives: Vec<PathBuf>,
    /// Which image of the archive: a position (0 = first) or a tag / ref name.
    #[arg(long, value_name = "N|REF")]
    pub image: Option<String>,
    /// Platform to pick from a multi-arch index (os/arch[/variant]).
    #[arg(long)]
    pub platform: Option<String>,
    /// Skip digest verification (faster; mismatches go unnoticed).
    #[arg(long)]
    pub no_verify: bool,
}

/// Runs the CLI on `args` (program name first); returns the exit code.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = if e.use_stderr() { write!(err, "{}", e.render()) } else { write!(out, "{}", e.render()) };
            return code;
        }
    };
    let r = match &cli.command {
        Command::Layers(a) => layers::run(a, out, err),
        Command::History(a) => history::run(a, out, err),
        Command::Inspect(a) => inspect::run(a, out, err),
        Command::Ls(a) => ls::run(a, out, err),
        Command::Cat(a) => cat::run(a, out, err),
        Command::Trace(a) => trace::run(a, out, err),
        Command::Commit(a) => commit::run_commit(a, out, err),
        Command::Save(a) => commit::run_save(a, out, err),
        Command::Export(a) => commit::run_export(a, out, err),
        Command::Host(a) => host::run(a, out, err),
        Command::Drivers(a) => drivers::run(a, out, err),
        Command::Analyze(a) => match analyze::run(a, out, err) {
            Ok(true) => Ok(()),
            Ok(false) => return 1,
            Err(e) => Err(e),
        },
        Command::Find(a) => find::run(a, out, err),
        // diff(1)'s exit codes: 0 same, 1 different, 2 trouble.
        Command::Diff(a) => {
            return match diff::run(a, out, err) {
                Ok(true) => 0,
                Ok(false) => 1,
                Err(e) if e.kind == ErrorKind::Io && e.msg.contains("Broken pipe") => 0,
                Err(e) => {
                    let _ = writeln!(err, "layerlab: {e}");
                    2
                }
            }
        }
    };
    match r {
        Ok(()) => 0,
        Err(e) if e.kind == ErrorKind::Io && e.msg.contains("Broken pipe") => 0,
        Err(e) => {
            let _ = writeln!(err, "layerlab: {e}");
            match e.kind {
                ErrorKind::Usage => 2,
                _ => 1,
            }
        }
    }
}

/// Opens the archive(s) of `a`: one archive, or several bare layers stacked.
pub fn open(a: &ImageArgs) -> Result<Archive> {
    let open_src = |p: &PathBuf| -> Result<Source> {
        let s = FileSource::open(p).map_err(|e| Error::io(&e).in_file(p.display().to_string()))?;
        Ok(Arc::new(s))
    };
    let verify = !a.no_verify;
    if a.archives.len() == 1 {
        let p = &a.archives[0];
        return Archive::open(open_src(p)?, &p.display().to_string(), verify, a.platform.as_deref());
    }
    let mut srcs = Vec::new();
    let mut names = Vec::new();
    for p in &a.archives {
        let name = p.display().to_string();
        let ar = Archive::open(open_src(p)?, &name, verify, None)?;
        if ar.format != Format::Layers {
            return Err(Error::usage(format!(
                "{name} is an image archive; only bare layer tarballs can be stacked from several files"
            )));
        }
        srcs.push(open_src(p)?);
        names.push(name);
    }
    Ok(Archive::from_layers(srcs, &names.join(" + ")))
}

/// Opens and loads the image `a` selects, printing warnings to `err`.
pub fn load(a: &ImageArgs, upto: Option<usize>, err: &mut dyn Write) -> Result<Image> {
    let ar = open(a)?;
    if a.archives.len() > 1 && a.image.is_some() {
        return Err(Error::usage("--image does not apply to stacked bare layers"));
    }
    let sel = a.image.as_deref().map_or(Selector::Default, Selector::parse);
    let opts = LoadOptions { verify: !a.no_verify, upto, platform: a.platform.clone(), ..Default::default() };
    let img = ar.load(&sel, &opts, &mut |_| true)?;
    for w in &img.warnings {
        let _ = writeln!(err, "layerlab: warning: {w}");
    }
    Ok(img)
}

/// Writes, turning I/O errors into ours.
pub fn emit(out: &mut dyn Write, s: &str) -> Result<()> {
    out.write_all(s.as_bytes()).map_err(|e| Error::io(&e))
}

/// Lays out rows like Go's tabwriter as Docker uses it (min width 10, padding 3); the last
/// column is not padded.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                let w = (widths[i] + 3).max(10);
                for _ in c.chars().count()..w {
                    line.push(' ');
                }
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}
