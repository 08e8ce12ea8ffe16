//! `manifest.json` of a `docker save` archive (moby `image/tarexport`, `manifestItem`): one
//! entry per image, read and written with serde.
//!
//! Rules (moby `save.go`, Docker 20.10 and 25+):
//! - `Config` and `Layers` are member paths: `<config hex>.json` and `<v1 id>/layer.tar` in the
//!   legacy layout, `blobs/sha256/<hex>` in the Docker 25+ layout. `Layers` is bottom first.
//! - `RepoTags` holds familiar `repo:tag` strings ([`super::reference::familiar_tag`]); an
//!   untagged image has `"RepoTags":null` (Go's nil slice), never omitted.
//! - `Parent` and `LayerSources` are written only when set (`omitempty`).
//! - Docker writes the file with Go's `json.Encoder`: compact, then a newline ([`encode`]).
//! - Read leniently: `RepoTags`/`Layers` null or missing mean none; other fields are kept.

use super::descriptor::Descriptor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The file name in the archive.
pub const MANIFEST_FILE: &str = "manifest.json";

/// One image of `manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManifestItem {
    pub config: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::config::null_as_default")]
    pub layers: Vec<String>,
    /// The parent image ID, when the daemon knew one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Descriptors of foreign (non-distributable) layers by diff_id; Docker 25+ also lists
    /// the layers' OCI descriptors here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_sources: Option<BTreeMap<String, Descriptor>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `manifest.json` bytes as Docker writes them: compact JSON and a newline.
pub fn encode(items: &[ManifestItem]) -> Vec<u8> {
    let mut v = serde_json::to_vec(items).expect("manifest.json serialises");
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_is_null_and_newline_ends() {
        let item = ManifestItem { config: "blobs/sha256/c".into(), layers: vec!["blobs/sha256/l".into()], ..Default::default() };
        assert_eq!(encode(&[item]), b"[{\"Config\":\"blobs/sha256/c\",\"RepoTags\":null,\"Layers\":[\"blobs/sha256/l\"]}]\n");
    }

    #[test]
    fn reads_real_docker_20_10() {
        // commit-save scenario of the docker oracle (Docker 20.10.24), ids shortened.
        let s = r#"[{"Config":"i.json","RepoTags":["saved:1"],"Layers":["ae/layer.tar","v1/layer.tar"]}]"#;
        let items: Vec<ManifestItem> = serde_json::from_str(s).unwrap();
        assert_eq!(items[0].repo_tags.as_deref(), Some(&["saved:1".to_string()][..]));
        assert_eq!(encode(&items), format!("{s}\n").into_bytes());
    }
}
