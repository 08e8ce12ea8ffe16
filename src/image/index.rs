//! The image index (OCI image-spec `image-index.md`; Docker's manifest list has the same
//! shape), read and written with serde. `index.json` of an image layout is one.
//!
//! Rules:
//! - Read leniently: `"manifests": null` (gcr's hello-world-v25) or missing means none.
//! - Fields not modelled are kept in `extra`; written in the spec's field order.

use super::descriptor::Descriptor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An image index: descriptors of manifests (or of further indexes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    /// "This REQUIRED property specifies the image manifest schema version. For this version of
    /// the specification, this MUST be `2`."
    #[serde(default = "super::manifest::schema_version_2")]
    pub schema_version: u32,
    /// "When used, this field MUST contain the media type
    /// `application/vnd.oci.image.index.v1+json`."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// "This REQUIRED property contains a list of manifests for specific platforms. While this
    /// property MUST be present, the size of the array MAY be zero."
    #[serde(default, deserialize_with = "super::config::null_as_default")]
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ImageIndex {
    /// An OCI index of `manifests`.
    pub fn oci(manifests: Vec<Descriptor>) -> ImageIndex {
        ImageIndex {
            schema_version: 2,
            media_type: Some(super::media_type::OCI_INDEX.to_string()),
            artifact_type: None,
            manifests,
            subject: None,
            annotations: None,
            extra: Map::new(),
        }
    }

    /// Compact JSON, as `index.json` is written.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an index serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_manifests_mean_none_and_unknown_fields_stay() {
        let s = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"x-vendor":{"a":1}}"#;
        let i: ImageIndex = serde_json::from_str(s).unwrap();
        assert_eq!(String::from_utf8(i.to_bytes()).unwrap(), s);
        let i: ImageIndex = serde_json::from_str(r#"{"schemaVersion":2,"manifests":null}"#).unwrap();
        assert!(i.manifests.is_empty());
    }
}
