//! dive's efficiency numbers, computed the way dive computes them (wagoodman/dive
//! `dive/filetree/efficiency.go`, `dive/image/analysis.go`), so a user can compare with dive.
//!
//! Rules, as dive has them:
//! - Each layer is a tree of its tar entries (intermediate directories without an entry have
//!   size 0 and are not directories); a later entry of the same path replaces the payload.
//!   `.wh..wh..opq` is never added (dive does not model opaque directories).
//! - Every *leaf* (a node without children: a non-empty directory is not a leaf) adds its tar
//!   size under its path; a whiteout's path is its name with `.wh.` stripped, and it adds the
//!   sizes of every node below that path in the layers underneath stacked the dive way (only
//!   when that node was a directory entry), a file whiteout 0.
//! - Per path: `cum` = Σ sizes, `min` = smallest, `n` = count. Score = Σ min / Σ cum (1.0 when
//!   Σ cum = 0). Inefficiencies are paths with n ≥ 2; wasted bytes = Σ cum over them (every
//!   copy, the kept one too: dive issue #684).
//! - Size = Σ of every tar entry's size in every layer; user size = all layers but the first;
//!   user wasted percent = wasted / user size (NaN-free: 0 when user size is 0).
//!
//! Differences from dive, on purpose: a whiteout of a path absent below makes dive stop visiting
//! that layer (an error it only logs); we count it 0 and go on.

use crate::layer::{Entry, EntryKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// One path dive counts more than once.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Inefficiency {
    /// `/`-rooted, escaped.
    pub path: String,
    /// How many layers touch the path (dive's "Count").
    pub count: usize,
    /// Σ of the sizes (dive's "Wasted Space").
    pub cumulative_size: u64,
    pub min_size: u64,
}

/// dive's numbers for one image.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Dive {
    pub efficiency: f64,
    pub wasted_bytes: u64,
    pub user_size_bytes: u64,
    pub user_wasted_percent: f64,
    pub size_bytes: u64,
    /// Largest cumulative size first (dive's order).
    pub inefficiencies: Vec<Inefficiency>,
}

/// A node of a dive-stacked tree: its size and whether its entry was a directory.
#[derive(Clone, Copy)]
struct Info {
    size: u64,
    dir: bool,
}

fn rooted(rel: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(rel.len() + 1);
    p.push(b'/');
    p.extend_from_slice(rel);
    p
}

/// Every strict ancestor of a `/`-rooted path, root excluded.
fn ancestors(p: &[u8]) -> impl Iterator<Item = &[u8]> {
    p.iter().enumerate().skip(1).filter(|(_, &c)| c == b'/').map(move |(i, _)| &p[..i])
}

fn subtree(map: &BTreeMap<Vec<u8>, Info>, p: &[u8]) -> Vec<Vec<u8>> {
    let mut lo = p.to_vec();
    lo.push(b'/');
    let mut hi = p.to_vec();
    hi.push(b'/' + 1);
    map.range(lo..hi).map(|(k, _)| k.clone()).collect()
}

/// dive's numbers for layers given as their tar entries, bottom first.
pub fn dive(layers: &[&[Entry]]) -> Dive {
    // path -> (cum, min, n)
    let mut eff: BTreeMap<Vec<u8>, (u64, u64, usize)> = BTreeMap::new();
    let mut stacked: BTreeMap<Vec<u8>, Info> = BTreeMap::new();
    let mut size_bytes = 0u64;
    let mut user_size = 0u64;
    for (i, entries) in layers.iter().enumerate() {
        let layer_size: u64 = entries.iter().map(|e| e.size).sum();
        size_bytes += layer_size;
        if i > 0 {
            user_size += layer_size;
        }
        // The layer's own tree: raw path -> (info, whiteout).
        let mut nodes: BTreeMap<Vec<u8>, (Info, bool)> = BTreeMap::new();
        for e in entries.iter() {
            if e.kind == EntryKind::Opaque {
                // AddPath still creates the parents before refusing the marker.
                for a in ancestors(&rooted(&e.path)) {
                    nodes.entry(a.to_vec()).or_insert((Info { size: 0, dir: false }, false));
                }
                continue;
            }
            let p = rooted(&e.path);
            for a in ancestors(&p) {
                nodes.entry(a.to_vec()).or_insert((Info { size: 0, dir: false }, false));
            }
            nodes.insert(p, (Info { size: e.size, dir: e.kind == EntryKind::Dir }, e.kind == EntryKind::Whiteout));
        }
        let parents: std::collections::BTreeSet<Vec<u8>> =
            nodes.keys().flat_map(|p| ancestors(p).map(|a| a.to_vec()).collect::<Vec<_>>()).collect();
        let mut removals = Vec::new();
        for (raw, (info, whiteout)) in &nodes {
            if parents.contains(raw) {
                continue;
            }
            let (path, size) = if *whiteout {
                let path = target(raw);
                let size = match stacked.get(&path) {
                    Some(n) if n.dir => n.size + subtree(&stacked, &path).iter().map(|k| stacked[k].size).sum::<u64>(),
                    _ => 0,
                };
                (path, size)
            } else {
                (raw.clone(), info.size)
            };
            let d = eff.entry(path).or_insert((0, u64::MAX, 0));
            d.0 += size;
            d.1 = d.1.min(size);
            d.2 += 1;
        }
        // Stack this layer onto the ones below, dive's way: whiteouts remove, others add.
        for (raw, (_, whiteout)) in &nodes {
            if *whiteout {
                let path = target(raw);
                for k in subtree(&stacked, &path) {
                    stacked.remove(&k);
                }
                stacked.remove(&path);
                removals.push(path);
            }
        }
        for (raw, (info, whiteout)) in &nodes {
            if !*whiteout {
                // An intermediate node of this layer keeps the payload below it.
                if parents.contains(raw) && info.size == 0 && !info.dir && stacked.contains_key(raw) {
                    continue;
                }
                stacked.insert(raw.clone(), *info);
            }
        }
    }
    let (mut min_sum, mut cum_sum) = (0u128, 0u128);
    let mut inefficiencies = Vec::new();
    let mut wasted = 0u64;
    for (p, (cum, min, n)) in &eff {
        min_sum += *min as u128;
        cum_sum += *cum as u128;
        if *n >= 2 {
            wasted += cum;
            inefficiencies.push(Inefficiency { path: crate::listing::esc(p), count: *n, cumulative_size: *cum, min_size: *min });
        }
    }
    inefficiencies.sort_by(|a, b| b.cumulative_size.cmp(&a.cumulative_size).then(a.path.cmp(&b.path)));
    let efficiency = if cum_sum == 0 { 1.0 } else { min_sum as f64 / cum_sum as f64 };
    let user_wasted_percent = if user_size == 0 { 0.0 } else { wasted as f64 / user_size as f64 };
    Dive { efficiency, wasted_bytes: wasted, user_size_bytes: user_size, user_wasted_percent, size_bytes, inefficiencies }
}

/// `/dir/.wh.name` -> `/dir/name`.
fn target(raw: &[u8]) -> Vec<u8> {
    let cut = raw.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
    let name = &raw[cut..];
    let name = name.strip_prefix(crate::layer::whiteout::PREFIX).unwrap_or(name);
    let mut p = raw[..cut].to_vec();
    p.extend_from_slice(name);
    p
}
