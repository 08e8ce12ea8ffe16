//! Commit, save and export: what the page's Commit, Save and Export buttons ask the host.
//!
//! Rules: the same core as `layerlab commit/save/export` ([`crate::commit`]), so the page's
//! bytes are the CLI's bytes for the same inputs and time.
//! - Commit takes the container over the current stack. When the enabled stack is exactly one
//!   loaded image, the new image is that image's child (its config, history and tags carried
//!   on, like `docker commit`); any other stack (layers switched off, reordered or taken from
//!   several images) has no config of its own, and the new image gets a fresh one, as
//!   `docker import` would give. The new image is kept beside the old ones: its base layers
//!   are the same loaded layers (shared, not copied), its new layer gets the next [`LayerId`].
//! - A commit is kept by the page as its parts (config, the new layer's gzip bytes, the base
//!   layer ids) and replayed with [`Host::add_committed`] after a reload or a worker
//!   restart; layer ids are handed out in the same order, so the replay gets the same ids.
//! - Save writes any loaded or committed images, blobs copied byte for byte; export writes the
//!   merged view with the container's writes. Both stream into a writer, with a size
//!   estimate for progress.

use super::open::{image_info, layer_info, ArchiveInfo, LayerInfo};
use super::{Host, LayerId, Loaded};
use crate::commit::loaded::{as_image, commit_container, from_parts};
use crate::commit::save::{SaveFormat, SaveImage, SaveLayer};
use crate::commit::{CommitOptions, Committed};
use crate::error::{Error, Result};
use crate::image::Layer;
use crate::digest::short_id;
use std::io::Write;
use std::sync::Arc;

/// What `docker commit` is told by the page.
#[derive(Debug, Clone, Default)]
pub struct CommitRequest {
    pub message: String,
    pub author: String,
    pub changes: Vec<String>,
    pub tag: String,
    /// Seconds since the epoch.
    pub time: i64,
}

impl CommitRequest {
    /// The equivalent `docker commit` command line (`CONTAINER` for the container), each word
    /// quoted for `sh`.
    pub fn command(&self) -> String {
        use crate::container::shell::sh_quote;
        let mut cmd = String::from("docker commit");
        if !self.message.is_empty() {
            cmd += &format!(" -m {}", sh_quote(self.message.as_bytes()));
        }
        if !self.author.is_empty() {
            cmd += &format!(" -a {}", sh_quote(self.author.as_bytes()));
        }
        for c in &self.changes {
            cmd += &format!(" -c {}", sh_quote(c.as_bytes()));
        }
        cmd += " CONTAINER";
        if !self.tag.is_empty() {
            cmd += &format!(" {}", sh_quote(self.tag.as_bytes()));
        }
        cmd
    }
}

/// A commit done: the archive entry the page shows, the new layer, and the parts the page
/// keeps to replay it.
pub struct CommitDone {
    pub archive: ArchiveInfo,
    pub layers: Vec<LayerInfo>,
    pub config: String,
    pub layer_gz: Arc<[u8]>,
    /// The base layers as (archive, position) in the order archives were added.
    pub base: Vec<(u32, u32)>,
    pub tags: Vec<String>,
    /// For the event log: what became of the container layer (none for a commit re-added).
    pub event: Option<super::EventLine>,
}

impl Host {
    /// The loaded layer with this id and the blob digest its manifest claimed.
    fn layer_of(&self, id: LayerId) -> Result<(Layer, Option<String>)> {
        for (img, ids) in &self.images {
            if let Some(k) = ids.iter().position(|&x| x == id) {
                if let Some(l) = img.layers.get(k) {
                    let claimed = img.reference.layers.get(k).and_then(|b| b.digest.clone());
                    return Ok((l.clone(), claimed));
                }
            }
        }
        Err(Error::not_found(format!("layer #{id} is not loaded any more")))
    }

    fn save_layers(&self, ids: &[LayerId]) -> Result<(Vec<Layer>, Vec<SaveLayer>)> {
        let mut layers = Vec::new();
        let mut save = Vec::new();
        for &id in ids {
            let (l, claimed) = self.layer_of(id)?;
            save.push(SaveLayer::from_layer(&l, claimed)?);
            layers.push(l);
        }
        Ok((layers, save))
    }

    /// `docker commit` of the container over the current stack.
    pub fn commit(&mut self, req: &CommitRequest) -> Result<CommitDone> {
        let c = self.container.as_ref().ok_or_else(|| Error::usage("there is no container to commit: open an image first"))?;
        let base_ids = self.union_ids.clone();
        if base_ids.is_empty() {
            return Err(Error::usage("there is no container to commit: switch a layer on first"));
        }
        // The image the stack is, if it is exactly one.
        let parent = self.images.iter().find(|(img, ids)| *ids == base_ids && img.config.is_some()).map(|(img, _)| img);
        let config = parent.and_then(|p| p.config.as_ref()).map(|c| c.bytes.clone());
        let (layers, save) = self.save_layers(&base_ids)?;
        let tags: Vec<String> = req.tag.split_whitespace().map(str::to_string).collect();
        let opts = CommitOptions {
            message: req.message.clone(),
            author: req.author.clone(),
            changes: req.changes.iter().filter(|c| !c.trim().is_empty()).cloned().collect(),
            created: req.time,
            created_by: String::new(),
            tags: tags.clone(),
        };
        let done = commit_container(config.as_deref(), &save, c, &opts)?;
        let mut done = self.register(layers, base_ids, done, tags)?;
        let id = done.archive.images.first().map(|i| short_id(&i.id)).unwrap_or_default();
        let layer = done.layers.first().map(|l| l.short_id.clone()).unwrap_or_default();
        done.event = Some(super::EventLine::new(super::EventKind::Commit, "event.commit", vec![layer, id, done.archive.name.clone()]));
        Ok(done)
    }

    /// Adds a commit made earlier (kept by the page): its config, the new layer's gzip bytes
    /// and the layers it was committed over.
    pub fn add_committed(&mut self, config: &str, base: &[(u32, u32)], tags: Vec<String>, layer_gz: Vec<u8>) -> Result<CommitDone> {
        let ids = base
            .iter()
            .map(|&(a, p)| self.archives.get(a as usize).and_then(|l| l.get(p as usize)).copied())
            .collect::<Option<Vec<LayerId>>>()
            .ok_or_else(|| Error::not_found("a layer it was committed over is not open"))?;
        let (layers, save) = self.save_layers(&ids)?;
        let done = from_parts(Arc::from(config.as_bytes()), &save, layer_gz, tags.clone())?;
        self.register(layers, ids, done, tags)
    }

    /// (archive, position) of a layer in the order archives were added.
    fn locate(&self, id: LayerId) -> Option<(u32, u32)> {
        self.archives.iter().enumerate().find_map(|(a, ls)| ls.iter().position(|&l| l == id).map(|p| (a as u32, p as u32)))
    }

    fn register(&mut self, base: Vec<Layer>, base_ids: Vec<LayerId>, done: Committed, tags: Vec<String>) -> Result<CommitDone> {
        let id = done.image.id();
        let name = tags.first().cloned().unwrap_or_else(|| format!("commit {}", short_id(&id)));
        let mut img = as_image(&base, &done, &name)?;
        let refs = base_ids.iter().map(|&b| self.locate(b).ok_or_else(|| Error::not_found(format!("layer #{b} is not open")))).collect::<Result<Vec<_>>>()?;
        let bytes = crate::source::read_range(&*done.layer.blob, 0, done.layer.blob.len()).map_err(|e| Error::io(&e))?;
        let new_id = self.next_id();
        let k = img.layers.len() - 1;
        let created_by = img.history.iter().rev().find(|h| h.layer == Some(k)).and_then(|h| h.entry.created_by.clone()).unwrap_or_default();
        let top = &mut img.layers[k];
        let info = layer_info(top, new_id, &name, created_by);
        top.entries = Vec::new();
        self.layers.push(Loaded { info: info.clone(), tree: top.tree.clone(), bytes: crate::container::layer_bytes(&top.tree) });
        let mut ids = base_ids.clone();
        ids.push(new_id);
        let image = image_info(&img, &ids);
        self.images.push((img, ids));
        self.archives.push(vec![new_id]);
        Ok(CommitDone {
            archive: ArchiveInfo { name, format: "docker commit".into(), size: bytes.len() as u64, images: vec![image], warnings: Vec::new() },
            layers: vec![info],
            config: String::from_utf8_lossy(&done.image.config).into_owned(),
            layer_gz: Arc::from(bytes),
            base: refs,
            tags,
            event: None,
        })
    }

    /// The images with these IDs, ready to save, and the bytes the archive will about take.
    pub fn save_plan(&self, ids: &[String]) -> Result<(Vec<SaveImage>, u64)> {
        let mut out: Vec<SaveImage> = Vec::new();
        for want in ids {
            let (img, _) = self
                .images
                .iter()
                .find(|(img, _)| img.id() == Some(want.as_str()))
                .ok_or_else(|| Error::not_found(format!("image {} is not loaded", short_id(want))))?;
            out.push(SaveImage::from_image(img)?);
        }
        let mut seen = std::collections::HashSet::new();
        let mut total = 0u64;
        for i in &out {
            total += i.config.len() as u64 + 4096;
            for l in &i.layers {
                if seen.insert(l.digest.clone()) {
                    total += l.blob.len() + 1024;
                }
            }
        }
        Ok((out, total))
    }

    /// Writes images as one archive (`docker save` or an OCI layout).
    pub fn save_to(&self, images: &[SaveImage], format: SaveFormat, mtime: i64, out: &mut dyn Write) -> Result<()> {
        crate::commit::save::save(images, format, mtime, out)?;
        Ok(())
    }

    /// Bytes `docker export` of the container will about write (for progress): the stack's
    /// file bytes counted at load plus the container's, and a header per entry, without
    /// walking the merged view a second time.
    pub fn export_size(&self) -> u64 {
        let Some(c) = &self.container else { return 0 };
        let stack: u64 = self.union_ids.iter().map(|&id| &self.layers[id as usize]).map(|l| l.bytes + l.info.entries * 1024).sum();
        stack + c.usage_over(0).size + 1024
    }

    /// `docker export`: the merged view with the container's writes, as one rootfs tar.
    pub fn export_to(&self, out: &mut dyn Write) -> Result<()> {
        let c = self.container.as_ref().ok_or_else(|| Error::usage("there is nothing to export: open an image first"))?;
        let nodes = c.merged_nodes();
        let items = nodes.iter().map(|(p, n, id)| crate::commit::export::ExportItem { path: p, node: n, identity: *id });
        crate::commit::export::export(items, out)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::CommitRequest;

    #[test]
    fn commit_command_quotes_for_sh() {
        let r = CommitRequest {
            message: "add motd".into(),
            author: "Jane <jane@example.com>".into(),
            changes: vec![r#"CMD ["/bin/app"]"#.into(), "ENV MODE=prod".into()],
            tag: "webapp:2.0".into(),
            time: 0,
        };
        assert_eq!(r.command(), r#"docker commit -m 'add motd' -a 'Jane <jane@example.com>' -c 'CMD ["/bin/app"]' -c 'ENV MODE=prod' CONTAINER webapp:2.0"#);
        assert_eq!(CommitRequest::default().command(), "docker commit CONTAINER");
    }
}
