//! Content digests as the OCI image spec writes them (`descriptor.md`, "Digests"):
//! `algorithm:encoded`, here always `sha256:` + 64 lowercase hex digits, and chain IDs
//! (`config.md`, "Layer ChainID": `ChainID(L0) = DiffID(L0)`,
//! `ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))`).
//!
//! Hashing and writing digests is [`crate::digest`]; this module checks the ones an archive
//! names. Rules: a digest read from an archive is validated before it is used as a path
//! (`blobs/sha256/<hex>`), so a hostile manifest cannot name `../../etc/passwd`.

use crate::error::{Error, Result};
use crate::digest::{encoded, sha256_digest, PREFIX};

/// Checks that `d` is `sha256:` followed by 64 lowercase hex digits; returns the hex part.
pub fn parse(d: &str) -> Result<&str> {
    let hexpart = d
        .strip_prefix(PREFIX)
        .ok_or_else(|| Error::corrupt(format!("'{d}' is not a sha256 digest")))?;
    if hexpart.len() != 64 || !hexpart.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(Error::corrupt(format!("'{d}' is not a well-formed sha256 digest")));
    }
    Ok(hexpart)
}

/// The path of a blob in an OCI layout: `blobs/sha256/<hex>`.
pub fn blob_path(d: &str) -> Result<String> {
    Ok(format!("blobs/sha256/{}", parse(d)?))
}

/// If `path` names a content-addressed file (`blobs/sha256/<hex>`, `<hex>.json`, `<hex>.tar`,
/// `<hex>.tar.gz`, `sha256:<hex>`), the digest its name claims.
pub fn digest_in_name(path: &str) -> Option<String> {
    let base = path.rsplit('/').next().unwrap_or(path);
    let base = encoded(base);
    let stem = base
        .strip_suffix(".json")
        .or_else(|| base.strip_suffix(".tar.gz"))
        .or_else(|| base.strip_suffix(".tar"))
        .unwrap_or(base);
    let d = format!("{PREFIX}{stem}");
    if parse(&d).is_err() {
        return None;
    }
    // `blobs/sha256/<hex>`, or a docker-save top-level file; not `<v1id>/layer.tar`.
    if path.starts_with("blobs/sha256/") || !path.contains('/') {
        Some(d)
    } else {
        None
    }
}

/// Chain IDs of a list of diff_ids, bottom first.
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(prev) => sha256_digest(format!("{prev} {d}").as_bytes()),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_paths_and_bad_hex() {
        assert!(parse("sha256:../../etc/passwd").is_err());
        assert!(parse(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(parse(&format!("sha512:{}", "a".repeat(64))).is_err());
        assert_eq!(parse(&format!("sha256:{}", "a".repeat(64))).unwrap(), "a".repeat(64));
    }

    #[test]
    fn chain_id_of_two_layers_matches_the_spec_formula() {
        let a = format!("sha256:{}", "1".repeat(64));
        let b = format!("sha256:{}", "2".repeat(64));
        let c = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(c[0], a);
        assert_eq!(c[1], sha256_digest(format!("{a} {b}").as_bytes()));
    }

    #[test]
    fn names_that_carry_digests() {
        let h = "e351ee8e5cab41e244c9a219e949dcc90cfa157f0a216157e3406eeef976a953";
        assert_eq!(digest_in_name(&format!("{h}.tar.gz")).unwrap(), format!("sha256:{h}"));
        assert_eq!(digest_in_name(&format!("blobs/sha256/{h}")).unwrap(), format!("sha256:{h}"));
        assert_eq!(digest_in_name(&format!("sha256:{h}")).unwrap(), format!("sha256:{h}"));
        assert_eq!(digest_in_name(&format!("{h}/layer.tar")), None);
    }
}
