//! The host's images and containers as the page lists them: the rows of `docker images` and
//! `docker ps -a -s`, one item per image (all its tags) and per container.
//!
//! Truth: docker/cli `cli/command/formatter/{image,container}.go` (short IDs of 12 hex, sizes
//! as go-units prints them, STATUS and SIZE as `docker ps -s` prints them: `2B (virtual
//! 13.5MB)`), moby `daemon/list.go` (newest container first).
//!
//! Rules: images in `docker images` order (newest Created first); an image with no tag is
//! named by its short ID; containers newest first.

use super::commands::Docker;
use crate::units::{docker_size, ps_size};
use serde::{Deserialize, Serialize};

/// One image of the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageItem {
    /// Its tags (`repo:tag`), familiar; empty for a dangling image.
    pub tags: Vec<String>,
    /// The short ID (12 hex).
    pub id: String,
    pub size: String,
    /// ChainIDs of its layers, bottom first.
    pub chains: Vec<String>,
}

/// One container of the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtrItem {
    pub name: String,
    pub id: String,
    /// The image as typed at `docker run`/`create`.
    pub image: String,
    pub status: String,
    /// `docker ps -s` SIZE.
    pub size: String,
}

fn short12(id: &str) -> String {
    crate::digest::encoded(id).chars().take(12).collect()
}

/// The images.
pub fn images(d: &Docker) -> Vec<ImageItem> {
    d.store
        .images_by_created()
        .into_iter()
        .map(|i| ImageItem { tags: d.store.repo_tags(&i.id), id: short12(&i.id), size: docker_size(d.store.image_size(&i.id)), chains: i.chains.clone() })
        .collect()
}

/// The containers, newest first.
pub fn containers(d: &Docker) -> Vec<CtrItem> {
    let mut v: Vec<&super::containers::Ctr> = d.containers.iter().collect();
    v.sort_by(|a, b| b.seq.cmp(&a.seq));
    v.into_iter()
        .map(|c| {
            let image_bytes: u64 = c.chains.iter().filter_map(|ch| d.store.layer(ch)).map(|l| l.size).sum();
            let size = d.rw_size(c);
            CtrItem { name: c.name.clone(), id: d.print(&c.short_id()), image: c.image_ref.clone(), status: d.print(&d.status_of(c)), size: ps_size(size, image_bytes + size) }
        })
        .collect()
}
