//! `layerlab inspect ARCHIVE`: JSON shaped like `docker image inspect` (an array of one
//! object, 4-space indent): Id, RepoTags, RepoDigests, Parent, Comment, Created,
//! DockerVersion, Author, Config (as the image has it), Architecture, Variant, Os, Size (sum of
//! layer sizes as Docker counts them), RootFS; then layerlab's own keys: ManifestDigest and
//! Layers (blob digest, diff_id, chain ID, sizes, media type per layer).

use super::{emit, load, ImageArgs};
use crate::error::{Error, Result};
use crate::image::Image;
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;

pub fn run(a: &ImageArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let img = load(a, None, err)?;
    let v = Value::Array(vec![inspect(&img)]);
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    v.serialize(&mut ser).map_err(|e| Error::corrupt(e.to_string()))?;
    buf.push(b'\n');
    emit(out, &String::from_utf8_lossy(&buf))
}

/// The inspect object of an image.
pub fn inspect(img: &Image) -> Value {
    let f = img.config.as_ref().map(|c| c.file.clone()).unwrap_or_default();
    let raw = img.config.as_ref().map(|c| c.raw.clone()).unwrap_or(Value::Null);
    let repo_digests: Vec<String> = match &img.reference.manifest_digest {
        Some(d) => {
            let mut v: Vec<String> = img
                .reference
                .repo_tags
                .iter()
                .map(|t| {
                    let repo = match t.rfind(':') {
                        Some(i) if !t[i..].contains('/') => &t[..i],
                        _ => t.as_str(),
                    };
                    format!("{repo}@{d}")
                })
                .collect();
            v.dedup();
            v
        }
        None => Vec::new(),
    };
    let mut o = serde_json::Map::new();
    o.insert("Id".into(), json!(img.id()));
    o.insert("RepoTags".into(), json!(img.reference.repo_tags));
    o.insert("RepoDigests".into(), json!(repo_digests));
    o.insert("Parent".into(), json!(""));
    o.insert("Comment".into(), json!(f.comment.unwrap_or_default()));
    o.insert("Created".into(), json!(f.created));
    o.insert("DockerVersion".into(), json!(f.docker_version.unwrap_or_default()));
    o.insert("Author".into(), json!(f.author.unwrap_or_default()));
    o.insert("Config".into(), raw.get("config").cloned().unwrap_or(Value::Null));
    o.insert("Architecture".into(), json!(f.architecture));
    if let Some(v) = f.variant {
        o.insert("Variant".into(), json!(v));
    }
    o.insert("Os".into(), json!(f.os));
    o.insert("Size".into(), json!(img.layers.iter().map(|l| l.size).sum::<u64>()));
    o.insert(
        "RootFS".into(),
        json!({"Type": "layers", "Layers": img.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()}),
    );
    o.insert("ManifestDigest".into(), json!(img.reference.manifest_digest));
    o.insert(
        "Layers".into(),
        Value::Array(
            img.layers
                .iter()
                .map(|l| {
                    json!({
                        "Digest": l.blob_digest,
                        "DiffID": l.diff_id,
                        "ChainID": l.chain_id,
                        "MediaType": l.media_type,
                        "Compression": l.compression.name(),
                        "Size": l.compressed_size,
                        "UncompressedSize": l.uncompressed_size,
                        "Member": l.member,
                    })
                })
                .collect(),
        ),
    );
    Value::Object(o)
}
