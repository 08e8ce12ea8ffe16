//! Annotation keys layerlab reads and writes on descriptors.
//!
//! Spec: OCI image-spec `annotations.md` ("Pre-Defined Annotation Keys") and containerd's
//! `images.AnnotationImageName`, which Docker 25+ `docker save` writes on each manifest
//! descriptor of `index.json` (moby `image/tarexport/save.go`).

/// The tag (or whole reference) of a manifest in an image layout. image-spec: "SHOULD only be
/// considered valid when on descriptors on `index.json` within image layout".
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The full image name (`docker.io/library/app:1.0`) Docker 25+ and containerd write.
pub const CONTAINERD_IMAGE_NAME: &str = "io.containerd.image.name";
