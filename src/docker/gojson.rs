//! Go's `encoding/json` as dockerd writes the documents the oracle prints: `container.Config`
//! (field order, `omitempty`), the image config of a commit (moby `image.Image`: top-level keys
//! sorted, as its `MarshalJSON` re-marshals through a map), history entries, and the legacy
//! image JSON and v1 IDs of `docker save` (moby 20.10 `image/tarexport/save.go`,
//! `image/v1/imagev1.go` `CreateID`).
//!
//! Truth: the oracle's `commit-history` (inspect), `commit-save` (`tar -xOf` of the config,
//! `<v1 id>/json` sizes: 401 bytes for a lower layer, 763 for busybox's top layer, and the v1 IDs
//! `ae3db8ff…`/`df869450…` they hash to).
//!
//! Rules:
//! - Compact JSON with `<`, `>`, `&` escaped as `\u003c`… ([`go_json`]); the oracle placeholders
//!   this host keeps in its data (`<time>`, `<cid:NAME>`) stay as they are.
//! - A time Docker parsed and writes again is written as it was read (the oracle's images use
//!   whole seconds in UTC, which Go writes back unchanged); a missing one is Go's zero time.
//! - Pure functions over `serde_json` values; the caller decides what goes in.

use serde_json::{json, Map, Value};

/// Go's zero `time.Time` as `encoding/json` writes it.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// The Docker version a commit records (`docker_version`).
pub const DOCKER_VERSION: &str = "20.10.24+dfsg1";

/// A `container.Config` as the daemon encodes it (moby `api/types/container/config.go`):
/// every field in its order, `omitempty` ones only when set.
pub fn run_config(raw: &Value) -> Value {
    let get = |k: &str| raw.get(k).cloned().filter(|v| !v.is_null());
    let mut o = Map::new();
    let mut put = |k: &str, default: Value, omit: bool| match get(k) {
        Some(v) if !(omit && is_empty(&v)) => {
            o.insert(k.into(), sorted(v));
        }
        _ if omit => {}
        _ => {
            o.insert(k.into(), default);
        }
    };
    put("Hostname", json!(""), false);
    put("Domainname", json!(""), false);
    put("User", json!(""), false);
    put("AttachStdin", json!(false), false);
    put("AttachStdout", json!(false), false);
    put("AttachStderr", json!(false), false);
    put("ExposedPorts", Value::Null, true);
    put("Tty", json!(false), false);
    put("OpenStdin", json!(false), false);
    put("StdinOnce", json!(false), false);
    put("Env", Value::Null, false);
    put("Cmd", Value::Null, false);
    put("Healthcheck", Value::Null, true);
    put("ArgsEscaped", Value::Null, true);
    put("Image", json!(""), false);
    put("Volumes", Value::Null, false);
    put("WorkingDir", json!(""), false);
    put("Entrypoint", Value::Null, false);
    put("NetworkDisabled", Value::Null, true);
    put("MacAddress", Value::Null, true);
    put("OnBuild", Value::Null, false);
    put("Labels", Value::Null, false);
    put("StopSignal", Value::Null, true);
    put("StopTimeout", Value::Null, true);
    put("Shell", Value::Null, true);
    Value::Object(o)
}

pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

/// Go encodes maps with sorted keys.
pub fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut items: Vec<(String, Value)> = m.into_iter().collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(items.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        x => x,
    }
}

/// JSON indented by 4 spaces, as `docker inspect` prints it.
pub fn pretty(v: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let _ = v.serialize(&mut ser);
    String::from_utf8_lossy(&buf).into_owned()
}

/// `json.Marshal` as a Go template's `json` function (and the daemon) calls it: compact, with
/// `<`, `>` and `&` escaped (`\u003e`; `commit-save` shows one), except in the placeholders this
/// simulator keeps where Docker has a time, a graph-driver directory or a container ID
/// (`<time>`, `<cache:C>`, `<cid:NAME>`, `<cid12:NAME>`).
pub fn go_json(v: &Value) -> String {
    let s = v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("\\u003c") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 6..];
        let end = after.find("\\u003e");
        match end {
            Some(e) if ["cache:", "cid:", "cid12:"].iter().any(|p| after[..e].starts_with(p)) || &after[..e] == "time" => {
                out.push('<');
                out.push_str(&after[..e]);
                out.push('>');
                rest = &after[e + 6..];
            }
            _ => {
                out.push_str("\\u003c");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}


/// A history entry as moby's `image.History` encodes it: `created`, then `author`,
/// `created_by`, `comment`, `empty_layer` when set.
pub fn history_entry(h: &Value) -> Value {
    let mut o = Map::new();
    o.insert("created".into(), h.get("created").filter(|v| v.is_string()).cloned().unwrap_or_else(|| json!(ZERO_TIME)));
    for k in ["author", "created_by", "comment"] {
        if let Some(v) = h.get(k).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
            o.insert(k.into(), v.clone());
        }
    }
    if h.get("empty_layer").and_then(Value::as_bool) == Some(true) {
        o.insert("empty_layer".into(), json!(true));
    }
    Value::Object(o)
}

/// What `image.NewChildImage` is given for a commit.
pub struct Child<'a> {
    /// The parent image's config (`None`: a container of no image).
    pub parent: Option<&'a Value>,
    /// `-a`, `-m`.
    pub author: &'a str,
    pub comment: &'a str,
    /// The container ID (`container`).
    pub container: &'a str,
    /// The container's config (`container_config`) and the new image's (`config`).
    pub container_config: &'a Value,
    pub config: &'a Value,
    /// The new layer's diff ID, `None` when the container changed nothing (an empty layer).
    pub diff_id: Option<&'a str>,
    /// The commit time as the config records it.
    pub created: &'a str,
}

/// The config bytes of a commit (moby `image.NewChildImage` through `Image.MarshalJSON`): the
/// parent's rootfs plus the new diff ID, its history plus one entry (`created_by` = the
/// container's `Cmd` joined with spaces, `empty_layer` when nothing changed), architecture,
/// variant, os.version and os.features from the parent, keys sorted.
pub fn commit_config(c: &Child) -> Vec<u8> {
    let parent = c.parent.cloned().unwrap_or(Value::Null);
    let pstr = |k: &str| parent.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let mut o: Vec<(String, Value)> = Vec::new();
    o.push(("architecture".into(), json!(pstr("architecture").unwrap_or_else(|| "amd64".into()))));
    if !c.author.is_empty() {
        o.push(("author".into(), json!(c.author)));
    }
    o.push(("config".into(), run_config(c.config)));
    if !c.container.is_empty() {
        o.push(("container".into(), json!(c.container)));
    }
    o.push(("container_config".into(), run_config(c.container_config)));
    o.push(("created".into(), json!(c.created)));
    o.push(("docker_version".into(), json!(DOCKER_VERSION)));
    let cmd: Vec<&str> = c.container_config.get("Cmd").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let mut entry = json!({"created": c.created, "author": c.author, "created_by": cmd.join(" "), "comment": c.comment});
    if c.diff_id.is_none() {
        entry["empty_layer"] = json!(true);
    }
    let mut history: Vec<Value> = parent.get("history").and_then(Value::as_array).map(|h| h.iter().map(history_entry).collect()).unwrap_or_default();
    history.push(history_entry(&entry));
    o.push(("history".into(), Value::Array(history)));
    o.push(("os".into(), json!(pstr("os").unwrap_or_else(|| "linux".into()))));
    if let Some(f) = parent.get("os.features").filter(|v| !is_empty(v)) {
        o.push(("os.features".into(), f.clone()));
    }
    if let Some(v) = pstr("os.version") {
        o.push(("os.version".into(), json!(v)));
    }
    let mut diff_ids: Vec<Value> = parent.pointer("/rootfs/diff_ids").and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(d) = c.diff_id {
        diff_ids.push(json!(d));
    }
    let mut rootfs = Map::new();
    rootfs.insert("type".into(), json!("layers"));
    if !diff_ids.is_empty() {
        rootfs.insert("diff_ids".into(), Value::Array(diff_ids));
    }
    o.push(("rootfs".into(), Value::Object(rootfs)));
    if let Some(v) = pstr("variant") {
        o.push(("variant".into(), json!(v)));
    }
    o.sort_by(|a, b| a.0.cmp(&b.0));
    go_json(&Value::Object(o.into_iter().collect())).into_bytes()
}

/// The fields of moby's `image.V1Image` for one layer of a saved image, in struct order, each
/// as Go encodes it, without `id` and `parent`: the image's own (`comment`, `created`,
/// `container`, `container_config`, `docker_version`, `author`, `config`, `architecture`,
/// `variant`, `os`) for its top layer, only `created` (the epoch) and an empty
/// `container_config` for the layers below.
pub fn v1_fields(config: &Value, top: bool) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = Vec::new();
    if !top {
        f.push(("created", go_json(&json!("1970-01-01T00:00:00Z"))));
        f.push(("container_config", go_json(&run_config(&json!({})))));
        return f;
    }
    let s = |k: &str| config.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(|s| go_json(&json!(s)));
    if let Some(v) = s("comment") {
        f.push(("comment", v));
    }
    f.push(("created", s("created").unwrap_or_else(|| go_json(&json!(ZERO_TIME)))));
    if let Some(v) = s("container") {
        f.push(("container", v));
    }
    f.push(("container_config", go_json(&run_config(config.get("container_config").filter(|v| !v.is_null()).unwrap_or(&json!({}))))));
    for (k, key) in [("docker_version", "docker_version"), ("author", "author")] {
        if let Some(v) = s(key) {
            f.push((k, v));
        }
    }
    if let Some(c) = config.get("config").filter(|v| !v.is_null()) {
        f.push(("config", go_json(&run_config(c))));
    }
    for k in ["architecture", "variant", "os"] {
        if let Some(v) = s(k) {
            f.push((k, v));
        }
    }
    f
}

/// moby `v1.CreateID`: sha256 (hex) of the fields plus `layer_id` (the chain ID) and `parent`
/// (the lower layer's v1 ID, `sha256:` prefixed), keys sorted.
pub fn v1_id(fields: &[(&'static str, String)], chain_id: &str, parent: Option<&str>) -> String {
    let mut all: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.clone())).collect();
    all.push(("layer_id", go_json(&json!(chain_id))));
    if let Some(p) = parent {
        all.push(("parent", go_json(&json!(format!("sha256:{p}")))));
    }
    all.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = all.iter().map(|(k, v)| format!("{}:{v}", go_json(&json!(k)))).collect();
    crate::digest::hex(&crate::digest::sha256(format!("{{{}}}", body.join(",")).as_bytes()))
}

/// The `<v1 id>/json` bytes: `id`, `parent` (hex), the fields, then `os` (save sets it on every
/// layer's legacy image after computing its ID).
pub fn v1_json(fields: &[(&'static str, String)], id: &str, parent: Option<&str>, os: Option<&str>) -> Vec<u8> {
    let mut parts = vec![format!("\"id\":{}", go_json(&json!(id)))];
    if let Some(p) = parent {
        parts.push(format!("\"parent\":{}", go_json(&json!(p))));
    }
    parts.extend(fields.iter().filter(|(k, _)| *k != "os").map(|(k, v)| format!("\"{k}\":{v}")));
    if let Some(os) = os.filter(|s| !s.is_empty()) {
        parts.push(format!("\"os\":{}", go_json(&json!(os))));
    }
    format!("{{{}}}", parts.join(",")).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// busybox's config from the oracle's make-images.py (bb.docker.tar).
    const BB: &str = r#"{"architecture":"amd64","os":"linux","created":"2001-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:4b8d7e9ffd0bf32285b01e7d1c71679b254d85f00fdabfb77126696cb568cd22"]},"history":[{"created":"2001-01-01T00:00:00Z","created_by":"make-images.py --bb: /bin/busybox (busybox-static 1982256 bytes), 22 applet symlinks"}]}"#;
    const BB_CHAIN: &str = "sha256:4b8d7e9ffd0bf32285b01e7d1c71679b254d85f00fdabfb77126696cb568cd22";

    #[test]
    fn v1_ids_and_json_sizes_as_docker_20_10_saved_them() {
        let cfg: Value = serde_json::from_str(BB).unwrap();
        // commit-save: `docker save` of bb:1 (its only layer is the top one).
        let top = v1_fields(&cfg, true);
        let id = v1_id(&top, BB_CHAIN, None);
        assert_eq!(id, "df8694509949f2b47df25975dc1983cad97e2405ceac223662cdfef9c6b68ad2");
        assert_eq!(v1_json(&top, &id, None, Some("linux")).len(), 763);
        // The same layer under a commit: the epoch legacy image.
        let low = v1_fields(&cfg, false);
        let id = v1_id(&low, BB_CHAIN, None);
        assert_eq!(id, "ae3db8ff9fd7b5182322223b761321d0812c1b68f64392c5de2fc78f3d6af368");
        assert_eq!(v1_json(&low, &id, None, Some("linux")).len(), 401);
    }

    #[test]
    fn commit_config_sorted_with_history_and_rootfs() {
        let parent: Value = serde_json::from_str(BB).unwrap();
        let cc = json!({"Hostname": "<cid12:c1>", "Cmd": ["sh", "-c", "echo hello > /a"], "Image": "bb:1", "Labels": {}});
        let cfg = json!({"Hostname": "<cid12:c1>", "Cmd": ["hello.txt"], "Image": "bb:1", "Labels": {}});
        let child = Child { parent: Some(&parent), author: "me", comment: "add", container: "<cid:c1>", container_config: &cc, config: &cfg, diff_id: Some("sha256:ab"), created: "<time>" };
        let s = String::from_utf8(commit_config(&child)).unwrap();
        assert!(s.starts_with(r#"{"architecture":"amd64","author":"me","config":{"Hostname":"<cid12:c1>","#), "{s}");
        assert!(s.contains(r#"{"created":"<time>","author":"me","created_by":"sh -c echo hello \u003e /a","comment":"add"}]"#), "{s}");
        assert!(s.ends_with(r#""os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:4b8d7e9ffd0bf32285b01e7d1c71679b254d85f00fdabfb77126696cb568cd22","sha256:ab"]}}"#), "{s}");
        let empty = Child { diff_id: None, ..child };
        let s = String::from_utf8(commit_config(&empty)).unwrap();
        assert!(s.contains(r#""comment":"add","empty_layer":true}"#), "{s}");
    }

    #[test]
    fn json_escapes_html_like_go_but_not_placeholders() {
        let v = json!({"Cmd": ["sh", "-c", "echo a > /b && cat </b"], "Dir": "/var/lib/docker/overlay2/<cache:4b8d7e9ffd0b>/diff", "T": "<time>", "C": "<cid:c1>"});
        assert_eq!(
            go_json(&v),
            r#"{"Cmd":["sh","-c","echo a \u003e /b \u0026\u0026 cat \u003c/b"],"Dir":"/var/lib/docker/overlay2/<cache:4b8d7e9ffd0b>/diff","T":"<time>","C":"<cid:c1>"}"#
        );
    }
}
