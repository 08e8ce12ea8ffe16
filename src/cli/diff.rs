//! `layerlab diff A B [--json] [--semantic]`: two images compared ([`crate::compare`]). A and
//! B are `ARCHIVE[:IMAGE]`, IMAGE a position (0 = first) or a tag / ref name as `--image`
//! takes elsewhere (`both.oci.tar:sibling`, `both.oci.tar:1`); a path that exists as a file
//! is always an archive, colons and all.
//!
//! Exit codes as diff(1): 0 when the images have the same content (identical; identical
//! content, different compression; same content), 1 when they differ, 2 on error.
//!
//! The readable report uses container-diff's sections and wording (`-----File-----`, "These
//! entries have been added to B", `FILE SIZE1 SIZE2`, "Docker history lines found only in A")
//! and Docker's size format (go-units `HumanSize`, as container-diff prints sizes); digests
//! are shortened to 12 hex digits (`--json` has them whole). container-diff says "added to
//! IMAGE1" for entries only IMAGE2 has; here added entries are "added to B" and deleted ones
//! "deleted from A".

use super::{emit, open, table, ImageArgs};
use crate::compare::{self, Change, Comparison, Side};
use crate::error::{Error, Result};
use crate::image::{Image, LoadOptions, Selector};
use crate::units::human_size;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args, Clone)]
pub struct DiffArgs {
    /// The first image: ARCHIVE, or ARCHIVE:IMAGE (a position or a tag/ref name).
    #[arg(value_name = "A")]
    pub a: String,
    /// The second image, likewise.
    #[arg(value_name = "B")]
    pub b: String,
    /// One JSON object instead of the report.
    #[arg(long)]
    pub json: bool,
    /// diffoci's --semantic: ignore timestamps, build history and how files are split into layers.
    #[arg(long)]
    pub semantic: bool,
    /// Platform to pick from a multi-arch index (os/arch[/variant]).
    #[arg(long)]
    pub platform: Option<String>,
    /// Skip digest verification (faster; mismatches go unnoticed).
    #[arg(long)]
    pub no_verify: bool,
}

/// Splits `ARCHIVE[:IMAGE]`: the whole string if it names a file, else the shortest prefix
/// before a `:` that does.
pub fn split_spec(spec: &str) -> Result<(PathBuf, Option<String>)> {
    if Path::new(spec).is_file() {
        return Ok((PathBuf::from(spec), None));
    }
    for (i, _) in spec.match_indices(':') {
        let (file, image) = (&spec[..i], &spec[i + 1..]);
        if !file.is_empty() && Path::new(file).is_file() {
            if image.is_empty() {
                return Err(Error::usage(format!("{spec}: nothing names the image after ':'")));
            }
            return Ok((PathBuf::from(file), Some(image.to_string())));
        }
    }
    Err(Error::not_found(format!("{spec}: no such file (an image of an archive is ARCHIVE:IMAGE)")))
}

fn load_side(spec: &str, a: &DiffArgs, err: &mut dyn Write) -> Result<Image> {
    let (path, image) = split_spec(spec)?;
    let ia = ImageArgs { archives: vec![path], image, platform: a.platform.clone(), no_verify: a.no_verify };
    let ar = open(&ia)?;
    let sel = ia.image.as_deref().map_or(Selector::Default, Selector::parse);
    let opts = LoadOptions { verify: !a.no_verify, platform: a.platform.clone(), changes: false, ..Default::default() };
    let img = ar.load(&sel, &opts, &mut |_| true)?;
    for w in &img.warnings {
        let _ = writeln!(err, "layerlab: warning: {w}");
    }
    Ok(img)
}

/// Runs the command; `Ok(true)` when the images have the same content.
pub fn run(a: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<bool> {
    let ia = load_side(&a.a, a, err)?;
    let ib = load_side(&a.b, a, err)?;
    let c = compare::compare(&Side::image(&ia, a.a.clone()), &Side::image(&ib, a.b.clone()), &compare::Options { semantic: a.semantic })?;
    if a.json {
        let s = serde_json::to_string_pretty(&c).map_err(|e| Error::corrupt(e.to_string()))?;
        emit(out, &(s + "\n"))?;
    } else {
        emit(out, &report(&c))?;
    }
    Ok(c.same_content)
}

fn side_line(letter: &str, c: &compare::Summary) -> String {
    let id = c.id.as_deref().map_or("no config".to_string(), |d| format!("ID {}", compare::short(d)));
    let label = c.label.as_deref().map_or(String::new(), |l| format!("{l}, "));
    format!("{letter}: {} ({label}{id}, {} layer{})\n", c.name, c.layers, if c.layers == 1 { "" } else { "s" })
}

fn value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::Bool(true) => "(set)".into(),
        other => other.to_string(),
    }
}

fn changes(m: &compare::Modified) -> String {
    let mut parts = Vec::new();
    for ch in &m.changes {
        parts.push(match ch {
            Change::Type => format!("type {} -> {}", m.a.kind, m.b.kind),
            Change::Content => match (&m.a.digest, &m.b.digest) {
                (Some(x), Some(y)) => format!("content {} -> {}", compare::short(x), compare::short(y)),
                _ => "content".into(),
            },
            Change::Mode => format!("mode {} -> {}", m.a.mode, m.b.mode),
            Change::Owner => format!("owner {}:{} -> {}:{}", m.a.uid, m.a.gid, m.b.uid, m.b.gid),
            Change::Target => format!(
                "target {} -> {}",
                m.a.target.as_deref().unwrap_or("-"),
                m.b.target.as_deref().unwrap_or("-")
            ),
            Change::Device => format!("device {:?} -> {:?}", m.a.rdev.unwrap_or_default(), m.b.rdev.unwrap_or_default()),
            Change::Mtime => format!("mtime {} -> {}", crate::commit::rfc3339(m.a.mtime), crate::commit::rfc3339(m.b.mtime)),
        });
    }
    parts.join(", ")
}

fn blob(l: &Option<compare::LayerInfo>) -> (String, String) {
    match l {
        None => ("-".into(), "-".into()),
        Some(l) => (
            l.diff_id.as_deref().map_or("-".into(), compare::short),
            format!(
                "{} {} {}",
                l.blob_digest.as_deref().map_or("-".into(), compare::short),
                compare::compression_name(l.compression),
                human_size(l.compressed_size)
            ),
        ),
    }
}

/// The file name of `ARCHIVE[:IMAGE]` without its directories, for section titles.
fn short_name(spec: &str) -> String {
    match split_spec(spec) {
        Ok((p, image)) => {
            let base = p.file_name().map_or_else(|| p.display().to_string(), |f| f.to_string_lossy().into_owned());
            image.map_or(base.clone(), |i| format!("{base}:{i}"))
        }
        Err(_) => spec.to_string(),
    }
}

/// The readable report.
pub fn report(c: &Comparison) -> String {
    let (na, nb) = (short_name(&c.a.name), short_name(&c.b.name));
    let mut s = String::new();
    s += &side_line("A", &c.a);
    s += &side_line("B", &c.b);
    s += &format!("Result: {}{}\n", c.summary, if c.semantic { " (--semantic)" } else { "" });
    for n in &c.notes {
        s += &format!("  {n}\n");
    }

    s += "\n-----Layers-----\n\n";
    s += &match c.layers.diverge_at {
        None => format!("Both stacks are the same {} layer(s) (by ChainID).\n", c.layers.shared),
        Some(0) => "No layer is shared (by ChainID): the stacks differ from layer 0.\n".to_string(),
        Some(1) => format!("Shared by ChainID: layer 0 (1 of {} and {}); the stacks diverge at layer 1.\n", c.a.layers, c.b.layers),
        Some(i) => format!("Shared by ChainID: layers 0-{} ({} of {} and {}); the stacks diverge at layer {i}.\n", i - 1, i, c.a.layers, c.b.layers),
    };
    let mut rows = vec![["#", "SHARED", "A DIFF_ID", "A BLOB", "B DIFF_ID", "B BLOB"].iter().map(|x| x.to_string()).collect::<Vec<_>>()];
    for r in &c.layers.rows {
        let (da, ba) = blob(&r.a);
        let (db, bb) = blob(&r.b);
        let shared = if r.shared {
            "yes"
        } else if r.different_compression {
            "content"
        } else if r.same_diff_id {
            "diff_id"
        } else {
            "no"
        };
        rows.push(vec![r.index.to_string(), shared.into(), da, ba, db, bb]);
    }
    s += &table(&rows);
    for le in &c.layers.entries {
        let names = |v: &[String]| -> String {
            let mut t = v.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
            if v.len() > 10 {
                t += &format!(" and {} more", v.len() - 10);
            }
            t
        };
        s += &format!("Layer {} tar entries ({} in A, {} in B):\n", le.layer, le.count_a, le.count_b);
        if !le.only_in_a.is_empty() {
            s += &format!("  only in A: {}\n", names(&le.only_in_a));
        }
        if !le.only_in_b.is_empty() {
            s += &format!("  only in B: {}\n", names(&le.only_in_b));
        }
        if !le.differ.is_empty() {
            let d: Vec<String> = le
                .differ
                .iter()
                .map(|e| format!("{} ({})", e.path, e.changes.iter().map(|c| format!("{c:?}").to_lowercase()).collect::<Vec<_>>().join(", ")))
                .collect();
            s += &format!("  differ: {}\n", names(&d));
        }
    }

    s += "\n-----File-----\n\n";
    let files = &c.files;
    let list = |title: String, v: &[compare::FileEntry]| -> String {
        if v.is_empty() {
            return format!("{title}: None\n\n");
        }
        let mut rows = vec![vec!["FILE".to_string(), "SIZE".into()]];
        for f in v {
            rows.push(vec![f.path.clone(), human_size(f.attrs.size)]);
        }
        format!("{title}:\n{}\n", table(&rows))
    };
    s += &list(format!("These entries have been added to {}", nb), &files.added);
    s += &list(format!("These entries have been deleted from {}", na), &files.deleted);
    let title = format!("These entries have been changed between {} and {}", na, nb);
    if files.modified.is_empty() {
        s += &format!("{title}: None\n");
    } else {
        let mut rows = vec![vec!["FILE".to_string(), "SIZE1".into(), "SIZE2".into(), "CHANGED".into()]];
        for m in &files.modified {
            rows.push(vec![m.path.clone(), human_size(m.a.size), human_size(m.b.size), changes(m)]);
        }
        s += &format!("{title}:\n{}", table(&rows));
    }

    s += "\n-----Metadata-----\n\n";
    if c.config.is_empty() {
        s += &format!("Image metadata differences between {} and {}: None\n", na, nb);
    } else {
        s += &format!("Image metadata differences between {} and {}:\n", na, nb);
        for d in &c.config {
            let field = match &d.key {
                Some(k) => format!("{} {k}", d.field),
                None => d.field.clone(),
            };
            s += &format!("-{field}: {} -> {}\n", value(&d.a), value(&d.b));
        }
    }

    s += "\n-----History-----\n\n";
    if !c.history.compared {
        s += "Not compared (--semantic ignores build history).\n";
    } else {
        let h = &c.history;
        let lines = |title: String, v: &[String]| -> String {
            if v.is_empty() {
                format!("{title}: None\n")
            } else {
                let mut t = format!("{title}:\n");
                for l in v {
                    t += &format!("-{}\n", l.replace('\n', " "));
                }
                t
            }
        };
        s += &lines(format!("Docker history lines found only in {}", na), &h.only_in_a);
        s += "\n";
        s += &lines(format!("Docker history lines found only in {}", nb), &h.only_in_b);
        if !h.changed.is_empty() {
            s += "\nDocker history lines in both whose other fields differ:\n";
            for x in &h.changed {
                s += &format!("-{} (A #{}, B #{}): {}\n", x.created_by.replace('\n', " "), x.a, x.b, x.fields.join(", "));
            }
        }
    }
    s
}
