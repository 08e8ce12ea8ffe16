//! The legacy `repositories` file of a `docker save` archive: `{"<repo>":{"<tag>":"<hex>"}}`.
//!
//! What real Docker writes (moby `image/tarexport/save.go`; checked against real archives, see
//! the `repositories_like_real_docker` test):
//! - the key is the familiar repository name (`FamiliarName`: `saved`, `127.0.0.1:5000/bb`),
//!   the inner key the tag, the value the hex (no `sha256:`) of the image's **top layer** as
//!   the archive names it in `manifest.json` `Layers`: Docker 20.10 (legacy layout) the top
//!   layer's v1 ID, the directory of `<v1 id>/layer.tar`; Docker 25+ (OCI layout) the top
//!   layer's diff_id, which is also its blob's name there (moby: `reposLegacy[familiarName]
//!   [ref.Tag()] = imageDescr.layers[len(imageDescr.layers)-1].Encoded()`). It is never the
//!   image ID.
//! - The file is written only when some image is tagged (`if len(reposLegacy) > 0`).
//! - Written with Go's `json.Encoder` of a map: keys sorted, compact, a trailing newline.
//! - `docker load` reads it only for archives without `manifest.json`.

use std::collections::BTreeMap;

/// The file name in the archive.
pub const REPOSITORIES_FILE: &str = "repositories";

/// repo -> tag -> top layer hex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repositories(pub BTreeMap<String, BTreeMap<String, String>>);

impl Repositories {
    /// Adds `repo:tag` (any form; stored familiar) naming `top_layer` (`sha256:` is dropped).
    pub fn add(&mut self, tag: &str, top_layer: &str) {
        let (repo, tag) = super::reference::split_tag(tag);
        let hex = top_layer.strip_prefix("sha256:").unwrap_or(top_layer);
        self.0.entry(super::reference::familiar_name(repo)).or_default().insert(tag.to_string(), hex.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The file's bytes, `None` when nothing is tagged (Docker writes no file then).
    pub fn encode(&self) -> Option<Vec<u8>> {
        if self.0.is_empty() {
            return None;
        }
        let mut v = serde_json::to_vec(&self.0).expect("repositories serialise");
        v.push(b'\n');
        Some(v)
    }

    /// Parses the file.
    pub fn parse(bytes: &[u8]) -> serde_json::Result<Repositories> {
        serde_json::from_slice(bytes).map(Repositories)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn familiar_sorted_newline_and_nothing_when_untagged() {
        assert_eq!(Repositories::default().encode(), None);
        let mut r = Repositories::default();
        r.add("docker.io/library/worker:1.0", "sha256:bb");
        r.add("127.0.0.1:5000/bb:1", "sha256:aa");
        assert_eq!(r.encode().unwrap(), b"{\"127.0.0.1:5000/bb\":{\"1\":\"aa\"},\"worker\":{\"1.0\":\"bb\"}}\n");
    }
}
