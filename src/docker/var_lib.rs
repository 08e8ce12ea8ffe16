//! `/var/lib/docker` as a Docker 20.10 daemon with overlay2 lays it out, made from the store,
//! so a learner can browse it and repeat the seeds' `find` experiment: the directories under
//! `image/overlay2/layerdb/sha256/` are named by ChainID, so searching a diff_id finds only the
//! bottom layer's directory (whose ChainID is its diff_id).
//!
//! Truth (moby): `layer/filestore.go` (`layerdb/sha256/<chain id>/{diff,size,cache-id,parent,
//! tar-split.json.gz}`, `layerdb/mounts/<container id>/{init-id,mount-id,parent}`),
//! `image/fs.go` (`imagedb/content/sha256/<image id>` holds the config bytes),
//! `reference/store.go` (`repositories.json`: familiar name -> reference -> image ID),
//! `distribution/metadata/{v2_metadata_service.go,metadata.go}`
//! (`distribution/diffid-by-digest/sha256/<blob>` holds the diff_id,
//! `distribution/v2metadata-by-diffid/sha256/<diff id>` a JSON list of `{Digest,
//! SourceRepository, HMAC}`), `daemon/graphdriver/overlay2/overlay.go` (`overlay2/<cache
//! id>/{diff/,link,lower,work/}`, `overlay2/l/<26 letters>` -> `../<cache id>/diff`, `lower`
//! is `l/A:l/B...` top first, the bottom layer has neither `lower` nor `work/`), a
//! container's `<mount id>-init` and `<mount id>` directories with `merged/`, and
//! `daemon/container` (`containers/<id>/{config.v2.json,hostconfig.json,hostname,hosts,
//! resolv.conf}`).
//!
//! Rules: every path is relative to `/var/lib/docker`, directories end with `/`, sorted.
//! Cache IDs are the store's (`<cache:C>`, as `docker inspect` prints them); a container's
//! mount ID is `<cache:NAME>` (`<cache:build-K>` for a build step's), as `docker inspect
//! CONTAINER` prints it in `GraphDriver` ([`super::container_inspect::mount_dir`]); `l/` names
//! are 26 capital letters and digits derived from the cache ID (random in Docker). File bodies are the text Docker writes; `tar-split.json.gz` is
//! binary and shows none. The layer contents under `diff/` are the file view's, not repeated.

use super::commands::Docker;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One path of the tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VarEntry {
    /// Relative to `/var/lib/docker`; a directory ends with `/`.
    pub path: String,
    /// A file's text (none for directories and binary files); a link's target.
    pub content: Option<String>,
    pub link: bool,
}

/// overlay2's `l/` name of a layer directory.
pub fn short_link(cache_id: &str) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    Sha256::digest(cache_id.as_bytes()).iter().take(26).map(|b| ALPHA[(*b as usize) % 32] as char).collect()
}

fn hex(d: &str) -> &str {
    crate::digest::encoded(d)
}

/// The tree of `d`'s host.
pub fn tree(d: &Docker) -> Vec<VarEntry> {
    let mut m: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    let mut file = |p: String, c: Option<String>| {
        // Every parent directory is there too.
        let mut at = 0;
        while let Some(i) = p[at..].find('/') {
            at += i + 1;
            if at < p.len() {
                m.entry(p[..at].to_string()).or_insert((None, false));
            }
        }
        m.insert(p, (c, false));
    };
    for dir in ["containers/", "image/overlay2/layerdb/sha256/", "image/overlay2/imagedb/content/sha256/", "overlay2/l/"] {
        file(dir.to_string(), None);
    }
    // Image side.
    let mut repos: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for img in d.store.images_by_created() {
        let cfg = String::from_utf8_lossy(&img.config.bytes).into_owned();
        file(format!("image/overlay2/imagedb/content/sha256/{}", hex(&img.id)), Some(cfg));
        for r in d.store.references(&img.id) {
            repos.entry(r.familiar_name()).or_default().insert(r.familiar(), img.id.clone());
        }
    }
    let repos = serde_json::json!({ "Repositories": repos });
    file("image/overlay2/repositories.json".into(), Some(repos.to_string()));
    let mut links: Vec<(String, String)> = Vec::new();
    let lower_of = |parent: &Option<String>| -> Option<String> {
        let mut out = Vec::new();
        let mut p = parent.clone();
        while let Some(c) = p {
            let Some(l) = d.store.layer(&c) else { break };
            out.push(format!("l/{}", short_link(&l.cache_id)));
            p = l.parent.clone();
        }
        (!out.is_empty()).then(|| out.join(":"))
    };
    for l in d.store.layers() {
        let base = format!("image/overlay2/layerdb/sha256/{}/", hex(&l.chain_id));
        file(format!("{base}cache-id"), Some(l.cache_id.clone()));
        file(format!("{base}diff"), Some(l.diff_id.clone()));
        file(format!("{base}size"), Some(l.size.to_string()));
        file(format!("{base}tar-split.json.gz"), None);
        if let Some(p) = &l.parent {
            file(format!("{base}parent"), Some(p.clone()));
        }
        let dir = format!("overlay2/{}/", l.cache_id);
        let short = short_link(&l.cache_id);
        file(format!("{dir}diff/"), None);
        file(format!("{dir}link"), Some(short.clone()));
        if let Some(lower) = lower_of(&l.parent) {
            file(format!("{dir}lower"), Some(lower));
            file(format!("{dir}work/"), None);
        }
        links.push((short, format!("../{}/diff", l.cache_id)));
    }
    for (diff_id, blobs) in d.store.v2metadata() {
        let list: Vec<_> = blobs.iter().map(|b| serde_json::json!({"Digest": b, "SourceRepository": "", "HMAC": ""})).collect();
        file(format!("image/overlay2/distribution/v2metadata-by-diffid/sha256/{}", hex(diff_id)), Some(serde_json::Value::Array(list).to_string()));
        for b in blobs {
            file(format!("image/overlay2/distribution/diffid-by-digest/sha256/{}", hex(b)), Some(diff_id.clone()));
        }
    }
    // Containers.
    for c in &d.containers {
        let mount = super::container_inspect::mount_dir(c, &d.names);
        let init = format!("{mount}-init");
        let top = c.chains.last().and_then(|t| d.store.layer(t));
        let below = top.map(|t| t.chain_id.clone());
        let mounts = format!("image/overlay2/layerdb/mounts/{}/", c.id());
        file(format!("{mounts}init-id"), Some(init.clone()));
        file(format!("{mounts}mount-id"), Some(mount.clone()));
        if let Some(p) = &below {
            file(format!("{mounts}parent"), Some(p.clone()));
        }
        let image_lower = lower_of(&below);
        let init_link = short_link(&init);
        for (dir, lower) in [
            (init.clone(), image_lower.clone()),
            (mount.clone(), Some(match &image_lower {
                Some(l) => format!("l/{init_link}:{l}"),
                None => format!("l/{init_link}"),
            })),
        ] {
            let short = short_link(&dir);
            file(format!("overlay2/{dir}/diff/"), None);
            file(format!("overlay2/{dir}/link"), Some(short.clone()));
            if let Some(l) = lower {
                file(format!("overlay2/{dir}/lower"), Some(l));
            }
            file(format!("overlay2/{dir}/work/"), None);
            links.push((short, format!("../{dir}/diff")));
        }
        if c.running() {
            file(format!("overlay2/{mount}/merged/"), None);
        }
        let cdir = format!("containers/{}/", c.id());
        let cfg = serde_json::json!({"ID": c.id(), "Image": c.image_id, "Name": format!("/{}", c.name), "Driver": "overlay2", "Config": {"Image": c.image_ref, "Cmd": c.cmd, "Hostname": c.short_id()}});
        file(format!("{cdir}config.v2.json"), Some(cfg.to_string()));
        file(format!("{cdir}hostconfig.json"), Some("{}".into()));
        file(format!("{cdir}hostname"), Some(format!("{}\n", c.short_id())));
        file(format!("{cdir}hosts"), Some(format!("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.17.0.2\t{}\n", c.short_id())));
        file(format!("{cdir}resolv.conf"), Some("nameserver 8.8.8.8\n".into()));
    }
    for (short, target) in links {
        m.insert(format!("overlay2/l/{short}"), (Some(target), true));
    }
    m.into_iter().map(|(path, (content, link))| VarEntry { path, content, link }).collect()
}

/// The entries `find /var/lib/docker/UNDER -name '*QUERY*'` lists: those below `under` whose
/// own name holds `query` (a `sha256:` prefix of the query is dropped, as names hold the hex).
pub fn search<'a>(entries: &'a [VarEntry], under: &str, query: &str) -> Vec<&'a VarEntry> {
    let q = query.trim();
    let q = q.strip_prefix("sha256:").unwrap_or(q);
    entries
        .iter()
        .filter(|e| e.path.starts_with(under))
        .filter(|e| {
            let name = e.path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            name.contains(q)
        })
        .collect()
}
