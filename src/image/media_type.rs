//! Media types of the documents and blobs an image is made of, as constants.
//!
//! Spec: OCI image-spec `media-types.md` (the `application/vnd.oci.image.*` types) and Docker's
//! Image Manifest V2 Schema 2 (`application/vnd.docker.*`, distribution `docs/spec/manifest-v2-2.md`).
//! Rules:
//! - Compare media types with these constants, never with literals elsewhere in the crate.
//! - A layer's media type says how its blob is compressed: `+gzip`, `+zstd` or nothing (a plain
//!   tar). Docker's `rootfs.diff.tar.gzip` is gzip; its `rootfs.diff.tar` is a plain tar (what
//!   Docker 25+ `docker save` descriptors may name for uncompressed layers).

use crate::layer::Compression;

/// `oci-layout` + `index.json`: an image index (image-spec `image-index.md`).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// An image manifest (image-spec `manifest.md`).
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// An image config (image-spec `config.md`).
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// The empty descriptor's content, `{}` (image-spec `manifest.md`, "Guidance for an Empty Descriptor").
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// A layer as a plain tar.
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
/// A layer as a gzip-compressed tar.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// A layer as a zstd-compressed tar.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// Deprecated "non-distributable" layers (image-spec `layer.md`): same content rules.
pub const OCI_LAYER_NONDIST: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
pub const OCI_LAYER_NONDIST_GZIP: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
pub const OCI_LAYER_NONDIST_ZSTD: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

/// Docker's manifest list (the pre-OCI multi-arch index).
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker's image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker's image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker's layer: a gzip-compressed tar.
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker's layer as a plain tar.
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar";
/// Docker's foreign (non-distributable) gzip layer.
pub const DOCKER_LAYER_FOREIGN_GZIP: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// True for the media types of an index (OCI image index or Docker manifest list).
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_MANIFEST_LIST
}

/// The OCI layer media type for a blob compressed with `c`.
pub fn oci_layer(c: Compression) -> &'static str {
    match c {
        Compression::None => OCI_LAYER,
        Compression::Gzip => OCI_LAYER_GZIP,
        Compression::Zstd => OCI_LAYER_ZSTD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_types_name_their_compression() {
        assert_eq!(oci_layer(Compression::None), "application/vnd.oci.image.layer.v1.tar");
        assert_eq!(oci_layer(Compression::Gzip), "application/vnd.oci.image.layer.v1.tar+gzip");
        assert_eq!(oci_layer(Compression::Zstd), "application/vnd.oci.image.layer.v1.tar+zstd");
        assert!(is_index(DOCKER_MANIFEST_LIST) && is_index(OCI_INDEX) && !is_index(OCI_MANIFEST));
    }
}
