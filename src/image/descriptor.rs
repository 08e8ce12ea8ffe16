//! Content descriptors and platforms (OCI image-spec `descriptor.md`, and `image-index.md`
//! for `platform`), read and written with serde.
//!
//! Rules:
//! - Read leniently: a missing `size` or `mediaType` is accepted (the spec says MUST, real
//!   archives sometimes omit them); the digest is validated where it becomes a path
//!   (`digest::blob_path`).
//! - Fields this crate does not model are kept in `extra` and written back after the known ones.
//! - Written in the spec's field order (Go's `ocispec.Descriptor`), optional fields omitted
//!   when absent, so our documents are byte-stable.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A descriptor: what a blob is, its digest and size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// "This REQUIRED property contains the media type of the referenced content."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// "This REQUIRED property is the digest of the targeted content" (`algorithm:encoded`).
    pub digest: String,
    /// "This REQUIRED property specifies the size, in bytes, of the raw content. This property
    /// exists so that a client will have an expected size for the content before processing."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// "This OPTIONAL property specifies a list of URIs from which this object MAY be downloaded."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// "This OPTIONAL property contains arbitrary metadata for this descriptor. This OPTIONAL
    /// property MUST use the annotation rules." (keys sorted, as Go writes maps)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Only on manifests in an index: "This OPTIONAL property describes the minimum runtime
    /// requirements of the image."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Fields not modelled here (`data`, `artifactType`, ...), kept as read.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Descriptor {
    /// A descriptor with a media type, digest and size.
    pub fn new(media_type: &str, digest: impl Into<String>, size: u64) -> Descriptor {
        Descriptor { media_type: Some(media_type.to_string()), digest: digest.into(), size: Some(size), ..Default::default() }
    }

    /// The value of an annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(|s| s.as_str())
    }
}

/// The platform a manifest of an index runs on (image-spec `image-index.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    /// "This REQUIRED property specifies the CPU architecture. Image indexes SHOULD use, and
    /// implementations SHOULD understand, values listed in the Go Language document for GOARCH."
    #[serde(default)]
    pub architecture: String,
    /// "This REQUIRED property specifies the operating system."
    #[serde(default)]
    pub os: String,
    #[serde(rename = "os.version", default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(rename = "os.features", default, skip_serializing_if = "Option::is_none")]
    pub os_features: Option<Vec<String>>,
    /// "This OPTIONAL property specifies the variant of the CPU" (`v7` of `linux/arm/v7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn render(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{}", self.os, self.architecture, v),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_round_trip_after_known_ones() {
        let s = r#"{"mediaType":"m","digest":"sha256:aa","size":3,"platform":{"architecture":"arm","os":"linux","variant":"v7","x":1},"data":"e30=","artifactType":"t"}"#;
        let d: Descriptor = serde_json::from_str(s).unwrap();
        assert_eq!(d.platform.as_ref().unwrap().render(), "linux/arm/v7");
        assert_eq!(serde_json::to_string(&d).unwrap(), s);
    }

    #[test]
    fn written_in_spec_order() {
        let mut d = Descriptor::new("m", "sha256:aa", 2);
        d.annotations = Some([("b".to_string(), "2".to_string()), ("a".to_string(), "1".to_string())].into());
        assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"mediaType":"m","digest":"sha256:aa","size":2,"annotations":{"a":"1","b":"2"}}"#);
    }
}
