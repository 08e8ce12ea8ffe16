//! The `oci-layout` file of an image layout (OCI image-spec `image-layout.md`).
//!
//! "The `oci-layout` file MUST be a JSON object. It MUST contain an `imageLayoutVersion` field."
//! Its only version is `1.0.0`. The layout's other files are `index.json` ([`super::index`])
//! and `blobs/<alg>/<encoded>` ([`super::digest::blob_path`]).

use serde::{Deserialize, Serialize};

/// The file name of the layout marker.
pub const OCI_LAYOUT_FILE: &str = "oci-layout";
/// The file name of the layout's index.
pub const INDEX_FILE: &str = "index.json";
/// The version we write.
pub const IMAGE_LAYOUT_VERSION: &str = "1.0.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OciLayout {
    pub image_layout_version: String,
}

impl OciLayout {
    /// `{"imageLayoutVersion":"1.0.0"}` as compact JSON.
    pub fn to_bytes() -> Vec<u8> {
        serde_json::to_vec(&OciLayout { image_layout_version: IMAGE_LAYOUT_VERSION.into() }).expect("json")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn layout_bytes() {
        assert_eq!(super::OciLayout::to_bytes(), br#"{"imageLayoutVersion":"1.0.0"}"#);
    }
}
