//! Keeping the session: which archives are open, the stack (order, on/off), the view.
//!
//! Rules: the session is saved to IndexedDB after every change, with the archives' `File`s
//! themselves (structured clone; files over [`MAX_KEPT_FILE`] are kept by name only and the page
//! asks for them again), and restored at start. Layers are named by (archive, position) so a
//! restore does not depend on layer ids. When every archive is a bundled sample, the session
//! also lives in the URL fragment (`#samples=a.tar,b.tar&stack=0.0,0.1,-0.2&scope=0.1`), so it
//! can be shared as a link; a fragment wins over IndexedDB. Images committed in the page are
//! kept too (their config, base layers and new layer's bytes) and made again after the
//! archives they were committed over; a session with commits is not put in the URL.
//!
//! The container goes with it: its mount options and the journal of what was done to it (shell
//! lines, file actions, undo and reset), replayed in order once the stack is back. The journal
//! is bounded ([`crate::ui::state::MAX_JOURNAL_BYTES`]); in the URL it is percent-encoded JSON
//! (`&mount=redirect&container=…`), left out when longer than [`MAX_FRAGMENT_JOURNAL`].

use crate::ui::protocol::{ChangeFilter, JournalItem, Sort};
use js_sys::Array;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

/// A longer journal is kept in IndexedDB only, not in the URL.
pub const MAX_FRAGMENT_JOURNAL: usize = 4000;

/// Larger files are not copied into IndexedDB.
pub const MAX_KEPT_FILE: f64 = 512.0 * 1024.0 * 1024.0;

// The IndexedDB glue is www/js/session-store.js, a classic script index.html loads before the
// page starts (not an inline_js snippet: every binary of the page carries the crate's snippets
// and trunk's parallel wasm-bindgen runs rewrite the one shared snippets/inline0.js while the
// page's build hashes it for its integrity attribute; CI caught the mismatch).
#[wasm_bindgen(js_namespace = layerlabSessionStore)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn idb_put(key: &str, value: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch)]
    fn idb_get(key: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Where an archive came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A bundled sample (file name under `samples/`).
    Sample(String),
    /// A file the user opened.
    File(Blob),
    /// COMMIT: an image committed in the page: kept as its parts (see [`SavedCommit`]) and the
    /// new layer's gzip bytes.
    Commit(SavedCommit, Blob),
}

/// What is kept of a commit to make it again after a reload: the new config, the layers it
/// was made over as (archive, position), and its tags. The layer's bytes are kept beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCommit {
    pub config: String,
    pub base: Vec<LayerRef>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedArchive {
    pub name: String,
    pub size: u64,
    pub sample: Option<String>,
    /// COMMIT: set for an image committed in the page.
    #[serde(default)]
    pub commit: Option<SavedCommit>,
}

/// A layer by archive index (in `archives`) and position in that archive.
pub type LayerRef = (u32, u32);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Saved {
    pub archives: Vec<SavedArchive>,
    /// The stack, bottom first: (archive, position, on).
    pub order: Vec<(u32, u32, bool)>,
    pub scope: Option<LayerRef>,
    pub filter: String,
    pub change: ChangeFilter,
    pub sort: Sort,
    pub verify: bool,
    /// The container, when it differs from a fresh default one.
    #[serde(default)]
    pub container: Option<SavedContainer>,
}

/// The container of a session: mount config and what was done to it, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SavedContainer {
    pub mount: crate::container::Config,
    pub journal: Vec<JournalItem>,
    /// True if later writes could not be kept (the journal was full).
    #[serde(default)]
    pub full: bool,
}

/// Percent-encodes everything but unreserved characters.
fn pct(s: &str) -> String {
    let mut o = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn unpct(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Saved {
    /// The fragment for a session made only of samples.
    pub fn fragment(&self) -> Option<String> {
        if self.archives.is_empty() || self.archives.iter().any(|a| a.sample.is_none()) {
            return None;
        }
        let samples: Vec<&str> = self.archives.iter().filter_map(|a| a.sample.as_deref()).collect();
        let stack: Vec<String> =
            self.order.iter().map(|(a, p, on)| format!("{}{a}.{p}", if *on { "" } else { "-" })).collect();
        let mut f = format!("samples={}&stack={}", samples.join(","), stack.join(","));
        if let Some((a, p)) = self.scope {
            f.push_str(&format!("&scope={a}.{p}"));
        }
        if let Some(c) = &self.container {
            f.push_str(&format!("&mount={}", c.mount.name()));
            let json = serde_json::to_string(&c.journal).unwrap_or_default();
            if !c.journal.is_empty() && json.len() <= MAX_FRAGMENT_JOURNAL {
                f.push_str(&format!("&container={}", pct(&json)));
            }
        }
        Some(f)
    }

    /// Reads a fragment written by [`Saved::fragment`] (without the `#`).
    pub fn from_fragment(f: &str) -> Option<Saved> {
        let mut s = Saved { verify: true, ..Default::default() };
        let pair = |v: &str| -> Option<(u32, u32)> {
            let (a, p) = v.split_once('.')?;
            Some((a.parse().ok()?, p.parse().ok()?))
        };
        for part in f.split('&') {
            let (k, v) = part.split_once('=')?;
            match k {
                "samples" => {
                    for name in v.split(',').filter(|n| !n.is_empty()) {
                        // Only plain file names: a fragment must not point anywhere else.
                        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
                            return None;
                        }
                        s.archives.push(SavedArchive { name: name.into(), size: 0, sample: Some(name.into()), commit: None });
                    }
                }
                "stack" => {
                    for item in v.split(',').filter(|n| !n.is_empty()) {
                        let (on, item) = match item.strip_prefix('-') {
                            Some(rest) => (false, rest),
                            None => (true, item),
                        };
                        let (a, p) = pair(item)?;
                        s.order.push((a, p, on));
                    }
                }
                "scope" => s.scope = pair(v),
                "mount" => s.container.get_or_insert_with(Default::default).mount = crate::container::Config::parse(&unpct(v)?).ok()?,
                "container" => s.container.get_or_insert_with(Default::default).journal = serde_json::from_str(&unpct(v)?).ok()?,
                _ => {}
            }
        }
        (!s.archives.is_empty()).then_some(s)
    }
}

async fn put(key: &str, value: &JsValue) -> Result<(), String> {
    let p = idb_put(key, value).map_err(|_| "IndexedDB is not available".to_string())?;
    JsFuture::from(p).await.map_err(|_| "the session could not be saved (IndexedDB)".to_string())?;
    Ok(())
}

/// Saves the session (small: done after every change).
pub async fn save(saved: &Saved) -> Result<(), String> {
    let json = serde_json::to_string(saved).map_err(|e| e.to_string())?;
    put("session", &json.into()).await
}

/// Saves the archives' files (`None` for samples and big files): done when archives are added,
/// so a file is copied into IndexedDB once, not at every change.
pub async fn save_files(files: &[Option<Blob>]) -> Result<(), String> {
    let arr = Array::new();
    for f in files {
        match f {
            Some(b) if b.size() <= MAX_KEPT_FILE => arr.push(b),
            _ => arr.push(&JsValue::NULL),
        };
    }
    put("files", &arr).await
}

/// The saved session and its files, if any.
pub async fn load() -> Option<(Saved, Vec<Option<Blob>>)> {
    let json = JsFuture::from(idb_get("session").ok()?).await.ok()?.as_string()?;
    let saved: Saved = serde_json::from_str(&json).ok()?;
    let files = JsFuture::from(idb_get("files").ok()?).await.ok()?;
    let files = match files.dyn_into::<Array>() {
        Ok(a) => a.iter().map(|f| f.dyn_into::<Blob>().ok()).collect(),
        Err(_) => Vec::new(),
    };
    Some((saved, files))
}

/// DOCKER: saves the Docker host's journal as the Docker panel hands it over (a JS object
/// `{ journal: JSON string, files: [Blob|null] }`) under IndexedDB key `docker`.
pub async fn save_docker(value: &JsValue) -> Result<(), String> {
    put("docker", value).await
}

/// DOCKER: the saved Docker journal object, if any.
pub async fn load_docker() -> Option<JsValue> {
    let v = JsFuture::from(idb_get("docker").ok()?).await.ok()?;
    (!v.is_undefined() && !v.is_null()).then_some(v)
}
