//! The local image store of a Docker 20.10 daemon with the classic (graph driver) store,
//! shared by every image: `image/overlay2/layerdb/sha256/<chain id>/{diff,size,cache-id,parent}`,
//! `imagedb/content/sha256/<image id>` (configs), `repositories.json` (tags and digests) and
//! `distribution/v2metadata-by-diffid` (which registry blobs the host has seen for a diff_id).
//!
//! Truth: moby `layer/layer_store.go` (layers keyed by ChainID; a layer holds its parent;
//! releasing the last reference removes it and then its parent, top first; `Register` refuses a
//! parent 125 layers deep, `maxLayerDepth`, with `ErrMaxDepthExceeded` before it looks at the
//! tar; `CreateRWLayer` has no such check),
//! `reference/store.go` (references sorted lexically by their full string),
//! `distribution/metadata/v2_metadata_service.go`; oracle scenarios `pull-shared-base`,
//! `pull-after-load`, `rmi-shared-layers` (NOTES 2-4); our `tests/docker-scenarios/max-depth`.
//!
//! Rules:
//! - A layer is there once per ChainID, whatever image brought it; an image holds the chain of
//!   its layers. Removing an image frees the layers no other image's chain uses, top first.
//! - A `docker load` adds layers but no blob digests; only a pull (or push) records a blob
//!   digest for a diff_id. So a pull after a load downloads layers the host holds (NOTES 2).
//! - The graph driver's directory of a layer (`cache-id`, random in Docker) is named
//!   `<cache:C>`, C = the first 12 hex of its ChainID, as the oracle normalizes it (a commit's
//!   new layer `<cache:chain-N>`, set by the commit).
//! - A chain holds at most [`MAX_LAYER_DEPTH`] layers: registering one more, even an empty
//!   layer (a commit registers its tar before it knows it is empty), is [`MAX_DEPTH_EXCEEDED`].
//!   Containers stand on a 125-layer image (their `-init` and read-write layers are no
//!   registered layers; overlay2's own cap of 128 lower dirs is never reached).
//! - A layer keeps its uncompressed tar (what `docker save` writes back); an image keeps its
//!   parent link (`imagedb/metadata/sha256/<id>/parent`: set by a commit, never by a pull or
//!   load), which `history`, `rmi` and `images -a` follow.

use super::reference::Named;
use crate::image::config::Config;
use crate::layer::Content;
use crate::tree::Tree;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `layerdb/sha256/<chain id>/`.
#[derive(Debug, Clone)]
pub struct StoredLayer {
    pub chain_id: String,
    pub diff_id: String,
    pub parent: Option<String>,
    /// `size`: the layer directory's bytes as overlay2's `DiffSize` counts them.
    pub size: u64,
    /// The uncompressed tar's length (`docker load`'s progress total).
    pub tar_size: u64,
    pub cache_id: String,
    /// The layer directory as overlay2 extracted it.
    pub tree: Arc<Tree>,
    /// The uncompressed layer tar as the layer store gives it back (tar-split: the bytes it came
    /// in), which `docker save` writes as `layer.tar`.
    pub tar: Content,
}

/// `imagedb/content/sha256/<image id>` with the chain of its layers.
#[derive(Debug, Clone)]
pub struct StoredImage {
    pub id: String,
    pub config: Config,
    /// ChainIDs of its layers, bottom first.
    pub chains: Vec<String>,
    /// Order the host got it in (ties of Created keep it).
    pub seq: u64,
    /// `Metadata.LastTagTime` (set by `docker tag`).
    pub last_tag_time: Option<String>,
    /// The parent image (moby's `parent` metadata: set by a commit, not by a pull or load).
    pub parent: Option<String>,
}

impl StoredImage {
    /// The image's Created, as written in its config.
    pub fn created(&self) -> &str {
        self.config.file.created.as_deref().unwrap_or("")
    }
}

/// The store.
#[derive(Debug, Clone, Default)]
pub struct Store {
    layers: BTreeMap<String, StoredLayer>,
    images: BTreeMap<String, StoredImage>,
    /// Full reference string -> (reference, image ID); tags and digests alike.
    refs: BTreeMap<String, (Named, String)>,
    /// diff_id -> blob digests seen for it.
    v2meta: BTreeMap<String, BTreeSet<String>>,
    seq: u64,
    /// ChainID -> how many containers stand on the layer (moby's `RWLayer` holds a reference
    /// to its parent chain, so `rmi -f` leaves the layers until `docker rm`).
    pins: BTreeMap<String, usize>,
}

/// moby `layer/layer_store.go` `maxLayerDepth`: the deepest chain `Register` accepts.
pub const MAX_LAYER_DEPTH: usize = 125;

/// moby `layer.ErrMaxDepthExceeded`.
pub const MAX_DEPTH_EXCEEDED: &str = "max depth exceeded";

/// Whether a layer may be registered over a parent chain of `parent_depth` layers (moby
/// `registerWithDescriptor`: `p.depth() >= maxLayerDepth` fails).
pub fn check_depth(parent_depth: usize) -> Result<(), String> {
    if parent_depth >= MAX_LAYER_DEPTH {
        return Err(MAX_DEPTH_EXCEEDED.into());
    }
    Ok(())
}

/// The graph driver's directory of a layer, as the oracle prints it.
pub fn cache_id(chain_id: &str) -> String {
    format!("<cache:{}>", &crate::digest::encoded(chain_id)[..12.min(crate::digest::encoded(chain_id).len())])
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    pub fn layer(&self, chain: &str) -> Option<&StoredLayer> {
        self.layers.get(chain)
    }

    pub fn has_layer(&self, chain: &str) -> bool {
        self.layers.contains_key(chain)
    }

    /// Registers a layer (kept as it is if the ChainID is there). Returns whether it was new.
    #[allow(clippy::too_many_arguments)]
    pub fn add_layer(&mut self, chain_id: &str, diff_id: &str, parent: Option<&str>, size: u64, tar_size: u64, tree: Arc<Tree>, tar: Content) -> bool {
        if self.layers.contains_key(chain_id) {
            return false;
        }
        self.layers.insert(
            chain_id.to_string(),
            StoredLayer {
                chain_id: chain_id.into(),
                diff_id: diff_id.into(),
                parent: parent.map(str::to_string),
                size,
                tar_size,
                cache_id: cache_id(chain_id),
                tree,
                tar,
            },
        );
        true
    }

    /// Names a layer's graph-driver directory (the oracle's `<cache:chain-N>` for a commit's).
    pub fn set_cache_id(&mut self, chain: &str, cache: String) {
        if let Some(l) = self.layers.get_mut(chain) {
            l.cache_id = cache;
        }
    }

    /// Drops a layer no image holds (a failed pull releasing what it registered).
    pub fn remove_layer(&mut self, chain: &str) {
        if self.layer_users(chain) == 0 {
            self.layers.remove(chain);
        }
    }

    /// Every layer, by ChainID.
    pub fn layers(&self) -> impl Iterator<Item = &StoredLayer> {
        self.layers.values()
    }

    /// Whether a pull or push recorded `blob` for `diff_id`.
    pub fn knows_blob(&self, diff_id: &str, blob: &str) -> bool {
        self.v2meta.get(diff_id).is_some_and(|s| s.contains(blob))
    }

    /// `v2metadata-by-diffid`: every diff_id with the blob digests seen for it.
    pub fn v2metadata(&self) -> impl Iterator<Item = (&String, &BTreeSet<String>)> {
        self.v2meta.iter()
    }

    pub fn remember_blob(&mut self, diff_id: &str, blob: &str) {
        self.v2meta.entry(diff_id.to_string()).or_default().insert(blob.to_string());
    }

    pub fn image(&self, id: &str) -> Option<&StoredImage> {
        self.images.get(id)
    }

    pub fn image_mut(&mut self, id: &str) -> Option<&mut StoredImage> {
        self.images.get_mut(id)
    }

    pub fn has_image(&self, id: &str) -> bool {
        self.images.contains_key(id)
    }

    /// Adds an image over layers already in the store (its ID is its config digest).
    pub fn add_image(&mut self, config: Config, chains: Vec<String>) -> String {
        let id = config.digest.clone();
        if !self.images.contains_key(&id) {
            self.seq += 1;
            self.images.insert(id.clone(), StoredImage { id: id.clone(), config, chains, seq: self.seq, last_tag_time: None, parent: None });
        }
        id
    }

    /// Whether some image names `id` as its parent (moby `imageStore.Children`).
    pub fn has_children(&self, id: &str) -> bool {
        self.images.values().any(|i| i.parent.as_deref() == Some(id))
    }

    /// Bytes of an image: the sum of its layers' sizes.
    pub fn image_size(&self, id: &str) -> u64 {
        self.images.get(id).map_or(0, |i| i.chains.iter().filter_map(|c| self.layers.get(c)).map(|l| l.size).sum())
    }

    /// Images as `docker images` orders them: newest Created first (whole seconds), then the
    /// one the host got last.
    pub fn images_by_created(&self) -> Vec<&StoredImage> {
        let mut v: Vec<&StoredImage> = self.images.values().collect();
        v.sort_by(|a, b| {
            let ka = a.created().get(..19).unwrap_or(a.created());
            let kb = b.created().get(..19).unwrap_or(b.created());
            kb.cmp(ka).then(b.seq.cmp(&a.seq))
        });
        v
    }

    /// How many images use a layer (in their chain).
    pub fn layer_users(&self, chain: &str) -> usize {
        self.images.values().filter(|i| i.chains.iter().any(|c| c == chain)).count() + self.pins.get(chain).copied().unwrap_or(0)
    }

    /// A container now stands on `chains` (bottom first): they stay while it exists.
    pub fn pin(&mut self, chains: &[String]) {
        for c in chains {
            *self.pins.entry(c.clone()).or_default() += 1;
        }
    }

    /// A container on `chains` is gone: the layers no image or container holds any more are
    /// freed, top first (silently, as `docker rm` does); returns their ChainIDs.
    pub fn unpin(&mut self, chains: &[String]) -> Vec<String> {
        for c in chains {
            if let Some(n) = self.pins.get_mut(c) {
                *n -= 1;
                if *n == 0 {
                    self.pins.remove(c);
                }
            }
        }
        let mut freed = Vec::new();
        for c in chains.iter().rev() {
            if self.layer_users(c) > 0 {
                break;
            }
            if self.layers.remove(c).is_some() {
                freed.push(c.clone());
            }
        }
        freed
    }

    /// Points a reference at an image; returns the image it pointed at before.
    pub fn set_ref(&mut self, r: &Named, id: &str) -> Option<String> {
        self.refs.insert(r.full(), (r.clone(), id.to_string())).map(|x| x.1)
    }

    /// Removes a reference; returns the image it pointed at.
    pub fn remove_ref(&mut self, r: &Named) -> Option<String> {
        self.refs.remove(&r.full()).map(|x| x.1)
    }

    /// The image a reference points at.
    pub fn get_ref(&self, r: &Named) -> Option<&str> {
        self.refs.get(&r.full()).map(|x| x.1.as_str())
    }

    /// References of an image, sorted by their full string (moby `References`).
    pub fn references(&self, id: &str) -> Vec<&Named> {
        self.refs.values().filter(|(_, i)| i == id).map(|(r, _)| r).collect()
    }

    /// `RepoTags`: the tag references, familiar.
    pub fn repo_tags(&self, id: &str) -> Vec<String> {
        self.references(id).into_iter().filter(|r| r.digest.is_none()).map(|r| r.familiar()).collect()
    }

    /// `RepoDigests`: the digest references, familiar.
    pub fn repo_digests(&self, id: &str) -> Vec<String> {
        self.references(id).into_iter().filter(|r| r.digest.is_some()).map(|r| r.familiar()).collect()
    }

    /// Finds an image as the daemon's `GetImage` does: a reference (default tag `latest`),
    /// else a full or short image ID (`sha256:` optional, a unique hex prefix).
    pub fn resolve(&self, s: &str) -> Option<String> {
        if let Ok(r) = Named::parse(s) {
            if let Some(id) = self.get_ref(&r.with_default_tag()) {
                return Some(id.to_string());
            }
        }
        self.id_prefix(s)
    }

    /// The image whose ID starts with `s` (`sha256:` optional), if exactly one does.
    pub fn id_prefix(&self, s: &str) -> Option<String> {
        let hex = s.strip_prefix("sha256:").unwrap_or(s);
        if hex.is_empty() || hex.len() > 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let mut hits = self.images.keys().filter(|k| crate::digest::encoded(k).starts_with(hex));
        match (hits.next(), hits.next()) {
            (Some(k), None) => Some(k.clone()),
            _ => None,
        }
    }

    /// Removes an image and its references; returns the ChainIDs of the layers freed, top first.
    pub fn delete_image(&mut self, id: &str) -> Vec<String> {
        let Some(img) = self.images.remove(id) else { return Vec::new() };
        // Children of a deleted image lose their parent link.
        for other in self.images.values_mut().filter(|i| i.parent.as_deref() == Some(id)) {
            other.parent = None;
        }
        self.refs.retain(|_, (_, i)| i != id);
        let mut freed = Vec::new();
        for c in img.chains.iter().rev() {
            if self.layer_users(c) > 0 {
                break;
            }
            if self.layers.remove(c).is_some() {
                freed.push(c.clone());
            }
        }
        freed
    }

    /// Bytes of the layers more than one image uses, of one image (`docker system df -v`
    /// SHARED SIZE).
    pub fn shared_size(&self, id: &str) -> u64 {
        self.images.get(id).map_or(0, |i| {
            i.chains.iter().filter(|c| self.images.values().filter(|j| j.chains.contains(c)).count() > 1).filter_map(|c| self.layers.get(c)).map(|l| l.size).sum()
        })
    }

    /// Bytes of every layer, each once (`docker system df` Images SIZE).
    pub fn layers_size(&self) -> u64 {
        self.layers.values().map(|l| l.size).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::digest::chain_ids;

    fn config(diff_ids: &[String], created: &str) -> Config {
        let v = serde_json::json!({"created": created, "rootfs": {"type": "layers", "diff_ids": diff_ids}});
        Config::parse(v.to_string().as_bytes()).unwrap()
    }

    fn d(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    fn put(s: &mut Store, diffs: &[String], created: &str) -> String {
        let chains = chain_ids(diffs);
        for (i, c) in chains.iter().enumerate() {
            s.add_layer(c, &diffs[i], i.checked_sub(1).map(|p| chains[p].as_str()), 10, 1024, Arc::new(Tree::default()), Content::empty());
        }
        s.add_image(config(diffs, created), chains)
    }

    #[test]
    fn delete_frees_only_unshared_layers_top_first() {
        let mut s = Store::new();
        let base = put(&mut s, &[d('1')], "2001-01-01T00:00:00Z");
        let a = put(&mut s, &[d('1'), d('2'), d('3')], "2002-01-01T00:00:00Z");
        let b = put(&mut s, &[d('1'), d('2'), d('4')], "2003-01-01T00:00:00Z");
        assert_eq!(s.layers().count(), 4);
        let chains_b = chain_ids(&[d('1'), d('2'), d('4')]);
        assert_eq!(s.delete_image(&b), vec![chains_b[2].clone()]);
        let chains_a = chain_ids(&[d('1'), d('2'), d('3')]);
        assert_eq!(s.delete_image(&a), vec![chains_a[2].clone(), chains_a[1].clone()]);
        assert_eq!(s.delete_image(&base), vec![d('1')]);
        assert_eq!(s.layers().count(), 0);
    }

    #[test]
    fn references_tag_and_untag() {
        let mut s = Store::new();
        let id = put(&mut s, &[d('1')], "2001-01-01T00:00:00Z");
        let r = Named::parse("127.0.0.1:5000/bb:1").unwrap();
        let w = Named::parse("work").unwrap().with_default_tag();
        s.set_ref(&r, &id);
        s.set_ref(&w, &id);
        s.set_ref(&r.canonical(&d('9')), &id);
        assert_eq!(s.repo_tags(&id), ["127.0.0.1:5000/bb:1", "work:latest"]);
        assert_eq!(s.repo_digests(&id), [format!("127.0.0.1:5000/bb@{}", d('9'))]);
        assert_eq!(s.resolve("work").as_deref(), Some(id.as_str()));
        assert_eq!(s.resolve(&crate::digest::encoded(&id)[..12]).as_deref(), Some(id.as_str()));
        s.remove_ref(&w);
        assert_eq!(s.resolve("work"), None);
        assert_eq!(s.repo_tags(&id), ["127.0.0.1:5000/bb:1"]);
    }

    #[test]
    fn shared_size_counts_layers_of_two_images() {
        let mut s = Store::new();
        let base = put(&mut s, &[d('1')], "2001-01-01T00:00:00Z");
        assert_eq!(s.shared_size(&base), 0);
        let a = put(&mut s, &[d('1'), d('2')], "2002-01-01T00:00:00Z");
        assert_eq!(s.shared_size(&base), 10);
        assert_eq!(s.shared_size(&a), 10);
        assert_eq!(s.images_by_created()[0].id, a);
    }
}
