//! Whiteouts and opaque markers, in one place (OCI image spec, "Representing Changes":
//! "Whiteouts"; SPEC §2 rule 4).
//!
//! A layer entry named `.wh.NAME` deletes `NAME` of the layers below; an entry named
//! `.wh..wh..opq` inside a directory makes that directory opaque (hides everything below it from
//! lower layers). The opaque marker is checked first, since it also starts with `.wh.`.

/// Prefix of a whiteout entry's name.
pub const PREFIX: &[u8] = b".wh.";
/// Name of the opaque-directory marker.
pub const OPAQUE: &[u8] = b".wh..wh..opq";

/// What a file name means to a union filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A plain name.
    None,
    /// `.wh..wh..opq`: the parent directory is opaque.
    Opaque,
    /// `.wh.NAME`: NAME is deleted.
    Whiteout,
}

/// Classifies the last component of an entry's path.
pub fn classify(name: &[u8]) -> Marker {
    if name == OPAQUE {
        Marker::Opaque
    } else if name.starts_with(PREFIX) && name.len() > PREFIX.len() {
        Marker::Whiteout
    } else {
        Marker::None
    }
}

/// The `.wh.NAME` file name that deletes `name` (what overlay2's `Diff()` writes for a
/// whiteout char device 0/0 named `name`).
pub fn marker_name(name: &[u8]) -> Vec<u8> {
    let mut v = PREFIX.to_vec();
    v.extend_from_slice(name);
    v
}

/// For a whiteout name `.wh.NAME`, the `NAME` it deletes; `None` for the opaque marker (checked
/// first: it also starts with `.wh.`) and for plain names.
pub fn whiteout_target(name: &[u8]) -> Option<&[u8]> {
    match classify(name) {
        Marker::Whiteout => Some(&name[PREFIX.len()..]),
        Marker::Opaque | Marker::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_marker_is_not_a_whiteout_of_dot_wh_opq() {
        assert_eq!(classify(b".wh..wh..opq"), Marker::Opaque);
        assert_eq!(classify(b".wh.motd"), Marker::Whiteout);
        assert_eq!(classify(b".wh..wh.plnk"), Marker::Whiteout);
        assert_eq!(classify(b".wh."), Marker::None);
        assert_eq!(classify(b"motd.wh."), Marker::None);
        assert_eq!(marker_name(b"x"), b".wh.x");
        assert_eq!(whiteout_target(b".wh.x"), Some(&b"x"[..]));
        assert_eq!(whiteout_target(b".wh..wh..opq"), None);
        assert_eq!(whiteout_target(b"x"), None);
    }
}
