//! A commit that stays open: `docker commit` of a live [`Container`], and the new image as a
//! loaded [`Image`] that can be browsed, stacked, committed again and saved like any other.
//!
//! Rules:
//! - The history entry's `created_by` is the container's command, as moby `daemon/commit.go`
//!   writes it (`strings.Join(config.Cmd, " ")`), unless the caller gives one.
//! - The new image shares its base layers with the image it came from: the same [`Layer`]
//!   values (trees and blobs are reference-counted, nothing is copied). Only the new layer is
//!   read, from the gzip bytes the commit wrote, by the same indexer as every other layer.
//! - [`from_parts`] rebuilds a commit from what a page keeps of it (config bytes, the new
//!   layer's bytes, the base layers), so a reload gets the same image ID and digests back.

use super::save::{SaveImage, SaveLayer};
use super::{commit, CommitOptions, Committed};
use crate::container::Container;
use crate::digest::{encoded, short_id};
use crate::error::{Error, Result};
use crate::image::config::{map_history, Config};
use crate::image::{Archive, BlobRef, Format, Image, ImageRef, Layer, LoadOptions, Selector};
use crate::layer::Compression;
use crate::source::{MemSource, Source};
use std::sync::Arc;

/// What Docker writes as `created_by` for a commit: the container's `Cmd`, space-joined.
pub fn created_by(config: Option<&[u8]>) -> String {
    let Some(v) = config.and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok()) else { return String::new() };
    v.pointer("/config/Cmd")
        .and_then(|c| c.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// `docker commit` of a container whose lower layers are `layers` (as stored) under an image
/// config (`None`: the stack is not one image, and the new image gets a fresh config, as
/// `docker import` would give). An empty `opts.created_by` is filled from the config's `Cmd`.
pub fn commit_container(config: Option<&[u8]>, layers: &[SaveLayer], c: &Container, opts: &CommitOptions) -> Result<Committed> {
    let diff: Vec<_> = c.diff_entries()?.iter().filter_map(|e| e.tar_entry(Some(opts.created))).collect();
    let mut opts = opts.clone();
    if opts.created_by.is_empty() {
        opts.created_by = created_by(config);
    }
    commit(config, layers, &diff, &opts)
}

/// A commit rebuilt from its parts: the new config, the base layers (as stored) and the new
/// layer's gzip bytes. The config must name the layers' diff_ids in order.
pub fn from_parts(config: Arc<[u8]>, base: &[SaveLayer], layer_gz: Vec<u8>, tags: Vec<String>) -> Result<Committed> {
    let cfg = Config::parse(&config)?;
    let digest = crate::digest::sha256_digest(&layer_gz);
    let blob: Source = MemSource::shared(layer_gz);
    let idx = crate::layer::index_layer(blob.clone(), &Default::default(), &mut |_| true).map_err(|e| e.in_layer("the committed layer"))?;
    if idx.compression != Compression::Gzip {
        return Err(Error::corrupt("the committed layer is not a gzip stream").in_layer("the committed layer"));
    }
    let diff_id = idx.diff_id.ok_or_else(|| Error::corrupt("the committed layer could not be hashed"))?;
    let ids = cfg.diff_ids();
    let want: Vec<&str> = base.iter().map(|l| l.diff_id.as_str()).chain([diff_id.as_str()]).collect();
    if ids.iter().map(String::as_str).ne(want.iter().copied()) {
        return Err(Error::corrupt("the committed config does not name these layers (rootfs.diff_ids differ)"));
    }
    let layer = SaveLayer { blob, digest, diff_id, compression: Compression::Gzip };
    let layer_size = idx.uncompressed_size;
    let mut layers = base.to_vec();
    layers.push(layer.clone());
    Ok(Committed { image: SaveImage { config, layers, tags, ref_names: Vec::new() }, layer, layer_size })
}

/// The committed image as a loaded image named `archive`: `base` (the layers it was committed
/// over, bottom first) plus its new layer, read from the commit's bytes.
pub fn as_image(base: &[Layer], done: &Committed, archive: &str) -> Result<Image> {
    let src = done.layer.blob.clone();
    let ar = Archive::from_layers(vec![src], archive);
    let opts = LoadOptions { verify: true, changes: false, ..Default::default() };
    let mut top = ar.load(&Selector::Index(0), &opts, &mut |_| true)?;
    let mut new = top.layers.pop().ok_or_else(|| Error::corrupt("the committed layer could not be read"))?;
    new.index = base.len();
    new.member = format!("blobs/sha256/{}", encoded(&done.layer.digest));
    new.label = format!("layer {} ({})", base.len(), short_id(&done.layer.diff_id));
    let mut layers: Vec<Layer> = base.to_vec();
    for (i, l) in layers.iter_mut().enumerate() {
        l.index = i;
    }
    layers.push(new);
    let config = Config::parse(&done.image.config)?;
    let history = map_history(&config.file.history, layers.len());
    let id = done.image.id();
    let reference = ImageRef {
        index: 0,
        parent: None,
        repo_tags: done.image.tags.clone(),
        ref_name: None,
        platform: Some(config.platform()),
        manifest_digest: Some(crate::digest::sha256_digest(&done.image.manifest())),
        config: Some(BlobRef {
            path: format!("blobs/sha256/{}", encoded(&id)),
            media_type: Some(crate::image::media_type::OCI_CONFIG.into()),
            digest: Some(id.clone()),
            size: Some(done.image.config.len() as u64),
        }),
        layers: done
            .image
            .layers
            .iter()
            .map(|l| BlobRef {
                path: format!("blobs/sha256/{}", encoded(&l.digest)),
                media_type: Some(l.media_type().into()),
                digest: Some(l.digest.clone()),
                size: Some(l.blob.len()),
            })
            .collect(),
    };
    let total_layers = layers.len();
    Ok(Image { archive: archive.to_string(), format: Format::DockerOci, reference, config: Some(config), layers, total_layers, history, warnings: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::{ops, Config as Mount};

    fn fixture(name: &str) -> Option<Image> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/generated").join(name);
        let src: Source = Arc::new(crate::source::FileSource::open(&p).ok()?);
        let ar = Archive::open(src, name, true, None).ok()?;
        ar.load(&Selector::Default, &LoadOptions::default(), &mut |_| true).ok()
    }

    #[test]
    fn committed_image_is_browsable_saveable_and_rebuilds_from_parts() {
        let Some(img) = fixture("layered.docker.tar") else {
            eprintln!("skipped: ../shared/fixtures/generated/layered.docker.tar is missing");
            return;
        };
        let mut c = Container::new(img.stack(None), Mount::Default);
        for line in ["write /new.txt \"hello\\n\"", "mkdir /d"] {
            let op = ops::parse(line.as_bytes()).unwrap();
            c.apply(&op[0].op);
        }
        let base = SaveImage::from_image(&img).unwrap();
        let cfg = img.config.as_ref().map(|c| c.bytes.clone());
        let opts = CommitOptions { message: "m".into(), author: "a".into(), created: 1_700_000_000, tags: vec!["x:1".into()], ..Default::default() };
        let done = commit_container(cfg.as_deref(), &base.layers, &c, &opts).unwrap();
        let new = as_image(&img.layers, &done, "commit").unwrap();
        // The new image's merged view is the container's.
        assert_eq!(new.stack(None).listing().unwrap(), c.merged_listing().unwrap());
        // It saves to exactly the committed image (same config, same blobs).
        let again = SaveImage::from_image(&new).unwrap();
        assert_eq!(again.id(), done.image.id());
        assert_eq!(again.manifest(), done.image.manifest());
        assert_eq!(new.id(), Some(done.image.id().as_str()));
        // The base layers are shared, not copied.
        assert!(Arc::ptr_eq(&new.layers[0].tree, &img.layers[0].tree));
        // Rebuilt from its parts, it is the same image.
        let gz = crate::source::read_range(&*done.layer.blob, 0, done.layer.blob.len()).unwrap();
        let back = from_parts(done.image.config.clone(), &base.layers, gz, vec!["x:1".into()]).unwrap();
        assert_eq!(back.image.id(), done.image.id());
        assert_eq!(back.image.manifest(), done.image.manifest());
        assert_eq!(back.layer_size, done.layer_size);
        // A config that does not name these layers is refused.
        let gz = crate::source::read_range(&*done.layer.blob, 0, done.layer.blob.len()).unwrap();
        assert!(from_parts(done.image.config.clone(), &base.layers[1..], gz, vec![]).is_err());
    }
}
