//! The image configuration (OCI image spec `config.md`; Docker's image JSON, which is a
//! superset) and its history.
//!
//! Rules:
//! - Fields Docker shows are read leniently: `null` and missing mean empty, unknown fields are
//!   kept in [`Config::raw`] so `inspect` can show the `config` object as the image has it.
//! - History maps to layers in order: every entry without `empty_layer: true` takes the next
//!   layer (config.md, "history"). Layers left over get a row with no history text; history
//!   entries past the last layer are shown with no layer.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The parts of an image config that layerlab uses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub docker_version: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub config: Option<RunConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub history: Vec<History>,
}

/// `config` inside the image config: how a container starts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default, deserialize_with = "null_as_default")]
    pub env: Vec<String>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_ids: Vec<String>,
}

/// One history entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

/// Reads `null` as the type's default (Docker and Go tools write `null` for empty lists).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An image config: parsed fields, the raw JSON and its digest (the image ID).
#[derive(Debug, Clone)]
pub struct Config {
    pub file: ConfigFile,
    pub raw: serde_json::Value,
    /// `sha256:` of the config bytes: the image ID.
    pub digest: String,
    pub size: u64,
    /// The config exactly as stored (saving reuses these bytes, so the image ID is kept).
    pub bytes: std::sync::Arc<[u8]>,
}

/// The largest config or manifest we read into memory.
pub const MAX_JSON: u64 = 16 << 20;

impl Config {
    pub fn parse(bytes: &[u8]) -> Result<Config> {
        let file: ConfigFile = serde_json::from_slice(bytes)
            .map_err(|e| Error::corrupt(format!("the image config is not valid JSON ({e})")))?;
        let raw: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::corrupt(format!("the image config is not valid JSON ({e})")))?;
        Ok(Config { file, raw, digest: crate::digest::sha256_digest(bytes), size: bytes.len() as u64, bytes: bytes.into() })
    }

    pub fn diff_ids(&self) -> &[String] {
        self.file.rootfs.as_ref().map(|r| &r.diff_ids[..]).unwrap_or(&[])
    }

    /// `os/arch[/variant]`.
    pub fn platform(&self) -> String {
        let mut s = format!(
            "{}/{}",
            self.file.os.as_deref().unwrap_or("unknown"),
            self.file.architecture.as_deref().unwrap_or("unknown")
        );
        if let Some(v) = &self.file.variant {
            s.push('/');
            s.push_str(v);
        }
        s
    }
}

/// The config of an image made of bare layers (`diff_ids`, bottom first), as `docker import`
/// would give one: linux/amd64, an empty `config`, one history entry per layer created at the
/// epoch. Compact JSON in this field order (the image ID is its digest, so it must not change).
pub fn import_config(diff_ids: &[String]) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Import<'a> {
        architecture: &'a str,
        os: &'a str,
        config: BTreeMap<String, String>,
        rootfs: Rootfs<'a>,
        history: Vec<Entry<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Rootfs<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        diff_ids: &'a [String],
    }
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        created: &'a str,
        created_by: &'a str,
    }
    let history = diff_ids.iter().map(|_| Entry { created: "1970-01-01T00:00:00Z", created_by: "layer tarball" }).collect();
    let c = Import { architecture: "amd64", os: "linux", config: BTreeMap::new(), rootfs: Rootfs { kind: "layers", diff_ids }, history };
    serde_json::to_vec(&c).expect("json")
}

/// One row of `history`: a history entry and the layer it made, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// Index of the layer (0 = bottom), `None` for an empty-layer entry.
    pub layer: Option<usize>,
    pub entry: History,
}

/// Maps history entries to layers (see the module rules).
pub fn map_history(history: &[History], layers: usize) -> Vec<HistoryRow> {
    let mut rows = Vec::with_capacity(history.len().max(layers));
    let mut next = 0usize;
    for h in history {
        let layer = if h.empty_layer || next >= layers {
            None
        } else {
            next += 1;
            Some(next - 1)
        };
        rows.push(HistoryRow { layer, entry: h.clone() });
    }
    while next < layers {
        rows.push(HistoryRow { layer: Some(next), entry: History::default() });
        next += 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_read_as_empty() {
        let c = Config::parse(br#"{"config":{"Env":null,"Cmd":null,"Labels":null},"history":null,"rootfs":{"type":"layers","diff_ids":null}}"#).unwrap();
        assert!(c.file.config.as_ref().unwrap().env.is_empty());
        assert!(c.diff_ids().is_empty());
        assert!(c.file.history.is_empty());
    }

    #[test]
    fn import_config_bytes_are_stable() {
        let got = import_config(&["sha256:aa".into(), "sha256:bb".into()]);
        let want = br#"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"layer tarball"},{"created":"1970-01-01T00:00:00Z","created_by":"layer tarball"}]}"#;
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want.to_vec()).unwrap());
    }

    #[test]
    fn empty_layers_take_no_layer() {
        let h = |e| History { empty_layer: e, ..Default::default() };
        let rows = map_history(&[h(false), h(true), h(false)], 3);
        let got: Vec<_> = rows.iter().map(|r| r.layer).collect();
        assert_eq!(got, vec![Some(0), None, Some(1), Some(2)]);
    }
}
