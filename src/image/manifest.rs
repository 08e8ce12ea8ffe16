//! The image manifest (OCI image-spec `manifest.md`; Docker's Image Manifest V2 Schema 2 has
//! the same shape with `application/vnd.docker.*` media types), read and written with serde.
//!
//! Rules:
//! - Read leniently: `layers` missing or `null` is no layers, `schemaVersion` missing is 2.
//! - Fields not modelled are kept in `extra`; written in the spec's field order, optional
//!   fields omitted when absent, so the manifests we write (and so their digests) are stable.

use super::descriptor::Descriptor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An image manifest: one config and the layers, bottom first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// "This REQUIRED property specifies the image manifest schema version. For this version of
    /// the specification, this MUST be `2`."
    #[serde(default = "schema_version_2")]
    pub schema_version: u32,
    /// "This property SHOULD be used and remain compatible with earlier versions of this
    /// specification and with other similar external formats. When used, this field MUST
    /// contain the media type `application/vnd.oci.image.manifest.v1+json`."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// "This REQUIRED property references a configuration object for a container, by digest."
    pub config: Descriptor,
    /// "The final filesystem layout MUST match the result of applying the layers to an empty
    /// directory. The ownership, mode, and other attributes of the initial empty directory are
    /// unspecified." Index 0 is the base layer.
    #[serde(default, deserialize_with = "super::config::null_as_default")]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `schemaVersion` when a manifest or index omits it: the only version, 2.
pub(crate) fn schema_version_2() -> u32 {
    2
}

impl ImageManifest {
    /// An OCI manifest of a config and layers.
    pub fn oci(config: Descriptor, layers: Vec<Descriptor>) -> ImageManifest {
        ImageManifest {
            schema_version: 2,
            media_type: Some(super::media_type::OCI_MANIFEST.to_string()),
            artifact_type: None,
            config,
            layers,
            subject: None,
            annotations: None,
            extra: Map::new(),
        }
    }

    /// Compact JSON, as we write it into a blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a manifest serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::media_type::*;

    #[test]
    fn written_like_before() {
        let m = ImageManifest::oci(Descriptor::new(OCI_CONFIG, "sha256:c", 5), vec![Descriptor::new(OCI_LAYER_GZIP, "sha256:l", 9)]);
        let want = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":5},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:l","size":9}]}"#;
        assert_eq!(String::from_utf8(m.to_bytes()).unwrap(), want);
        let back: ImageManifest = serde_json::from_str(want).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn null_layers_read_as_none() {
        let m: ImageManifest = serde_json::from_str(r#"{"config":{"digest":"sha256:c"},"layers":null}"#).unwrap();
        assert!(m.layers.is_empty());
        assert_eq!(m.schema_version, 2);
    }
}
