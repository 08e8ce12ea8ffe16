//! The picture of the store every lesson on layers draws: a column per image and per
//! container, a row per depth, and each layer drawn once, spanning the columns that use it.
//!
//! Truth: moby `layer/layer_store.go` (a layer is stored once per ChainID and its ChainID
//! names its whole chain below, so two chains that share a layer share everything under it and
//! hold it at the same depth), `daemon/graphdriver/overlay2` (a container's `-init` layer and
//! its read-write layer sit on the image's top layer).
//!
//! Rules: columns are ordered by their chains (images sharing a base stand side by side, each
//! image followed by its containers); a cell spans the run of adjacent columns holding the same
//! layer at that depth. Rows are top first. Sizes print as `docker images` prints them
//! (go-units `HumanSizeWithPrecision(…, 3)`); a container's layer prints its `docker ps -s` size.

use super::commands::Docker;
use crate::units::docker_size;

/// One column: an image (its tags, else its short ID) or a container (its name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapColumn {
    pub label: String,
    pub container: bool,
}

/// What a cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CellKind {
    /// An image layer (`layerdb/sha256/<chain id>`).
    Layer,
    /// A container's `-init` layer.
    Init,
    /// A container's read-write layer.
    Container,
}

/// One layer, drawn once over the columns `start .. start + span`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapCell {
    pub start: usize,
    pub span: usize,
    /// ChainID short ID (12 hex), `NAME-init` or `NAME`.
    pub label: String,
    pub size: String,
    pub kind: CellKind,
    /// The full ChainID of an image layer.
    pub chain_id: Option<String>,
}

/// The picture: columns left to right, rows top first.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StoreMap {
    pub columns: Vec<MapColumn>,
    pub rows: Vec<Vec<MapCell>>,
}

/// Builds the picture of `d`'s store.
pub fn store_map(d: &Docker) -> StoreMap {
    // Each column's layers bottom first, as (key, cell label, size, kind, chain id).
    type Stack = Vec<(String, String, String, CellKind, Option<String>)>;
    let mut cols: Vec<(Vec<String>, u8, String, MapColumn, Stack)> = Vec::new();
    let short = |c: &str| crate::digest::encoded(c).chars().take(12).collect::<String>();
    let layer_stack = |chains: &[String]| -> Stack {
        chains
            .iter()
            .map(|c| {
                let size = d.store.layer(c).map_or(0, |l| l.size);
                (c.clone(), short(c), docker_size(size), CellKind::Layer, Some(c.clone()))
            })
            .collect()
    };
    for img in d.store.images_by_created() {
        let tags = d.store.repo_tags(&img.id);
        let label = if tags.is_empty() { short(&img.id) } else { tags.join(", ") };
        cols.push((img.chains.clone(), 0, label.clone(), MapColumn { label, container: false }, layer_stack(&img.chains)));
    }
    for c in &d.containers {
        let mut st = layer_stack(&c.chains);
        st.push((format!("{}-init", c.name), format!("{}-init", c.name), String::new(), CellKind::Init, None));
        let size = docker_size(d.rw_size(c));
        st.push((c.name.clone(), c.name.clone(), size, CellKind::Container, None));
        cols.push((c.chains.clone(), 1, c.name.clone(), MapColumn { label: c.name.clone(), container: true }, st));
    }
    cols.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
    let depth = cols.iter().map(|c| c.4.len()).max().unwrap_or(0);
    let mut rows = Vec::new();
    for k in (0..depth).rev() {
        let mut row: Vec<MapCell> = Vec::new();
        for (i, col) in cols.iter().enumerate() {
            let Some((key, label, size, kind, chain)) = col.4.get(k) else { continue };
            match row.last_mut() {
                Some(last) if last.start + last.span == i && cols[last.start].4.get(k).map(|x| &x.0) == Some(key) => last.span += 1,
                _ => row.push(MapCell { start: i, span: 1, label: label.clone(), size: size.clone(), kind: *kind, chain_id: chain.clone() }),
            }
        }
        rows.push(row);
    }
    StoreMap { columns: cols.into_iter().map(|c| c.3).collect(), rows }
}
