//! `docker commit`: the container layer becomes a new image layer and a new image.
//!
//! Rules (moby `daemon/commit.go`, `image/image.go` `NewChildImage`; OCI image-spec
//! `config.md`):
//! - The new layer is the container layer's diff as the overlay2 driver tars it (SPEC §6:
//!   native diff for the default mount, naive diff otherwise), as a gzip member of stored blocks
//!   ([`stored_gzip`]: Docker keeps it uncompressed; its diff_id names it).
//! - The new config is the old one with the diff_id appended to `rootfs.diff_ids`, a history
//!   entry appended (`created`, `created_by`, `author`, `comment`), `-c` changes applied
//!   (`CMD`, `ENTRYPOINT`, `ENV`, `WORKDIR`, `LABEL`, `USER`, `EXPOSE`), and `created`/`author`
//!   set. Its digest is the image ID.
//! - A stack that is not one image starts from [`crate::image::config::import_config`]; an
//!   existing config is edited as JSON in place (its key order and unknown fields are kept).
//! - Output is deterministic: entries sorted, timestamps from the commit time, JSON with sorted
//!   keys, so the same inputs and time give the same bytes and digests.

pub mod changes;
pub mod export;
pub mod loaded;
pub mod save;
pub mod stored_gzip;

pub use changes::apply_changes;

use crate::digest::Hasher;
use crate::error::{Error, Result};
use crate::layer::{Compression, TarEntry, TarWriter};
use crate::source::MemSource;
use save::{SaveImage, SaveLayer};
use serde_json::{json, Value};
use std::sync::Arc;

/// What `docker commit` is told.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOptions {
    /// `-m`: the history comment.
    pub message: String,
    /// `-a`: the author.
    pub author: String,
    /// `-c`: Dockerfile instructions applied to the config.
    pub changes: Vec<String>,
    /// The commit time, seconds since the epoch (also every entry's mtime).
    pub created: i64,
    /// The history entry's `created_by` (Docker puts the container's command there).
    pub created_by: String,
    /// Repo tags of the new image.
    pub tags: Vec<String>,
}

/// The result of a commit: the new image (its layers end with the new one) and the new layer.
#[derive(Clone)]
pub struct Committed {
    pub image: SaveImage,
    /// The new layer, gzip-compressed.
    pub layer: SaveLayer,
    /// Uncompressed size of the new layer tar.
    pub layer_size: u64,
}

/// Formats seconds since the epoch as RFC 3339 UTC (`2020-01-01T00:00:00Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Writes `entries` (already in path order) as a gzip layer tar; returns (gzip bytes, diff_id,
/// uncompressed size).
pub fn write_layer(entries: &[TarEntry]) -> Result<(Vec<u8>, String, u64)> {
    let gz = stored_gzip::StoredGzip::new(Vec::new());
    let mut w = TarWriter::docker_layer(Hasher::tee(gz));
    for e in entries {
        w.append(e)?;
    }
    let h = w.finish()?;
    let size = h.len();
    let (diff_id, gz) = h.into_parts();
    let bytes = gz.finish().map_err(|e| Error::io(&e))?;
    Ok((bytes, crate::digest::prefixed(&diff_id), size))
}

/// Commits `diff` (the container layer's entries, in path order) on top of an image given by
/// its config bytes (`None` for bare layers) and layers.
pub fn commit(config: Option<&[u8]>, layers: &[SaveLayer], diff: &[TarEntry], opts: &CommitOptions) -> Result<Committed> {
    let (gz, diff_id, layer_size) = write_layer(diff)?;
    let digest = crate::digest::sha256_digest(&gz);
    let new_layer = SaveLayer { blob: MemSource::shared(gz), digest, diff_id: diff_id.clone(), compression: Compression::Gzip };
    let mut cfg: Value = match config {
        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| Error::corrupt(format!("the image config is not valid JSON ({e})")))?,
        None => {
            let ids: Vec<String> = layers.iter().map(|l| l.diff_id.clone()).collect();
            serde_json::from_slice(&crate::image::config::import_config(&ids)).expect("json")
        }
    };
    let obj = cfg.as_object_mut().ok_or_else(|| Error::corrupt("the image config is not a JSON object"))?;
    let created = rfc3339(opts.created);
    obj.insert("created".into(), json!(created));
    if opts.author.is_empty() {
        obj.remove("author");
    } else {
        obj.insert("author".into(), json!(opts.author));
    }
    // config
    let c = obj.entry("config").or_insert_with(|| json!({}));
    if !c.is_object() {
        *c = json!({});
    }
    changes::apply_changes(c.as_object_mut().expect("object"), &opts.changes)?;
    // rootfs.diff_ids
    let rootfs = obj.entry("rootfs").or_insert_with(|| json!({"type": "layers", "diff_ids": []}));
    match rootfs.get_mut("diff_ids").and_then(Value::as_array_mut) {
        Some(ids) => ids.push(json!(diff_id)),
        None => rootfs["diff_ids"] = json!([diff_id]),
    }
    // history
    let mut entry = serde_json::Map::new();
    entry.insert("created".into(), json!(created));
    entry.insert("created_by".into(), json!(opts.created_by));
    if !opts.author.is_empty() {
        entry.insert("author".into(), json!(opts.author));
    }
    if !opts.message.is_empty() {
        entry.insert("comment".into(), json!(opts.message));
    }
    let hist = obj.entry("history").or_insert_with(|| json!([]));
    match hist.as_array_mut() {
        Some(h) => h.push(Value::Object(entry)),
        None => *hist = json!([entry]),
    }
    let config_bytes: Arc<[u8]> = Arc::from(serde_json::to_vec(&cfg).expect("json"));
    let mut all = layers.to_vec();
    all.push(new_layer.clone());
    Ok(Committed {
        image: SaveImage { config: config_bytes, layers: all, tags: opts.tags.clone(), ref_names: Vec::new() },
        layer: new_layer,
        layer_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Content, TarKind};

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_000_000_000), "2001-09-09T01:46:40Z");
        assert_eq!(rfc3339(1_577_840_400), "2020-01-01T01:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn commit_appends_layer_history_and_changes_deterministically() {
        let cfg = br#"{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created_by":"base"}]}"#;
        let opts = CommitOptions {
            message: "add x".into(),
            author: "me".into(),
            changes: vec!["CMD [\"/x\"]".into()],
            created: 1_000_000_000,
            created_by: "/bin/sh".into(),
            tags: vec!["app:v2".into()],
        };
        let diff = vec![TarEntry { path: b"x".to_vec(), kind: TarKind::File(Content::Bytes(Arc::from(&b"hi"[..]))), mode: 0o644, uid: 0, gid: 0, mtime: opts.created }];
        let a = commit(Some(cfg), &[], &diff, &opts).unwrap();
        let b = commit(Some(cfg), &[], &diff, &opts).unwrap();
        assert_eq!(a.image.id(), b.image.id());
        assert_eq!(a.layer.digest, b.layer.digest);
        let v: Value = serde_json::from_slice(&a.image.config).unwrap();
        assert_eq!(v["rootfs"]["diff_ids"][1], json!(a.layer.diff_id));
        assert_eq!(v["history"][1]["comment"], json!("add x"));
        assert_eq!(v["history"][1]["author"], json!("me"));
        assert_eq!(v["history"][1]["created"], json!("2001-09-09T01:46:40Z"));
        assert_eq!(v["config"]["Cmd"], json!(["/x"]));
        // the layer is a gzip tar whose uncompressed digest is the diff_id
        let idx = crate::layer::index_layer(a.layer.blob.clone(), &Default::default(), &mut |_| true).unwrap();
        assert_eq!(idx.diff_id.as_deref(), Some(a.layer.diff_id.as_str()));
        assert_eq!(idx.blob_digest.as_deref(), Some(a.layer.digest.as_str()));
        assert_eq!(idx.entries.len(), 1);
    }
}
