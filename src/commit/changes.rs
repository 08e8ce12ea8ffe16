//! `docker commit -c`: Dockerfile instructions applied to an image config's `config` object.
//!
//! Rules (moby `builder/dockerfile/dispatchers.go`, as `docker commit --change` runs them):
//! - `CMD` and `ENTRYPOINT` take the JSON-array (exec) form as is; the shell form becomes
//!   `["/bin/sh", "-c", "…"]`. `ENTRYPOINT` clears `Cmd` unless a `CMD` came before it in the
//!   same commit.
//! - `ENV k=v …` (or the legacy `ENV k v`) replaces a variable of the same name or appends it.
//! - `WORKDIR` joins a relative path to the current working directory.
//! - `LABEL k=v …`, `USER u`, `EXPOSE 80 443/udp` (`/tcp` by default), `VOLUME /a /b` or JSON,
//!   `STOPSIGNAL s`, `ONBUILD INSTR` (appended as written): the instructions moby's
//!   `validCommitCommands` allows.
//! - Anything else is an error naming the instruction.

use crate::error::{Error, Result};
use serde_json::{json, Map, Value};

/// Applies `changes` in order to `config` (the `config` object of an image config).
pub fn apply_changes(config: &mut Map<String, Value>, changes: &[String]) -> Result<()> {
    let mut cmd_set = false;
    for change in changes {
        let change = change.trim();
        let (instr, rest) = match change.find(char::is_whitespace) {
            Some(i) => (&change[..i], change[i..].trim()),
            None => (change, ""),
        };
        let bad = |why: &str| Error::usage(format!("change '{change}': {why}"));
        match instr.to_ascii_uppercase().as_str() {
            "CMD" => {
                config.insert("Cmd".into(), command(rest).map_err(|w| bad(&w))?);
                cmd_set = true;
            }
            "ENTRYPOINT" => {
                config.insert("Entrypoint".into(), command(rest).map_err(|w| bad(&w))?);
                if !cmd_set {
                    config.insert("Cmd".into(), Value::Null);
                }
            }
            "ENV" => {
                let pairs = key_values(rest, true).map_err(|w| bad(&w))?;
                let env = config.entry("Env").or_insert_with(|| json!([]));
                if !env.is_array() {
                    *env = json!([]);
                }
                let list = env.as_array_mut().expect("array");
                for (k, v) in pairs {
                    let item = Value::String(format!("{k}={v}"));
                    let prefix = format!("{k}=");
                    match list.iter_mut().find(|e| e.as_str().is_some_and(|s| s.starts_with(&prefix) || s == k)) {
                        Some(slot) => *slot = item,
                        None => list.push(item),
                    }
                }
            }
            "WORKDIR" => {
                if rest.is_empty() {
                    return Err(bad("WORKDIR needs a path"));
                }
                let dir = unquote(rest);
                let cur = config.get("WorkingDir").and_then(Value::as_str).unwrap_or("");
                let joined = if dir.starts_with('/') || cur.is_empty() {
                    if dir.starts_with('/') { dir } else { format!("/{dir}") }
                } else {
                    format!("{}/{}", cur.trim_end_matches('/'), dir)
                };
                config.insert("WorkingDir".into(), Value::String(String::from_utf8_lossy(&crate::path::clean(joined.as_bytes())).into_owned()));
            }
            "LABEL" => {
                let pairs = key_values(rest, false).map_err(|w| bad(&w))?;
                let labels = config.entry("Labels").or_insert_with(|| json!({}));
                if !labels.is_object() {
                    *labels = json!({});
                }
                for (k, v) in pairs {
                    labels.as_object_mut().expect("object").insert(k, Value::String(v));
                }
            }
            "USER" => {
                if rest.is_empty() {
                    return Err(bad("USER needs a user"));
                }
                config.insert("User".into(), Value::String(unquote(rest)));
            }
            "EXPOSE" => {
                let ports = config.entry("ExposedPorts").or_insert_with(|| json!({}));
                if !ports.is_object() {
                    *ports = json!({});
                }
                for p in rest.split_whitespace() {
                    let (num, proto) = p.split_once('/').unwrap_or((p, "tcp"));
                    let ok = !num.is_empty()
                        && num.split('-').all(|n| n.parse::<u16>().is_ok())
                        && matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp");
                    if !ok {
                        return Err(bad(&format!("invalid port '{p}'")));
                    }
                    ports
                        .as_object_mut()
                        .expect("object")
                        .insert(format!("{num}/{}", proto.to_ascii_lowercase()), json!({}));
                }
            }
            "VOLUME" => {
                let vols: Vec<String> = if rest.starts_with('[') {
                    serde_json::from_str(rest).map_err(|e| bad(&format!("bad JSON ({e})")))?
                } else {
                    rest.split_whitespace().map(unquote).collect()
                };
                let map = config.entry("Volumes").or_insert_with(|| json!({}));
                if !map.is_object() {
                    *map = json!({});
                }
                for v in vols {
                    map.as_object_mut().expect("object").insert(v, json!({}));
                }
            }
            "STOPSIGNAL" => {
                if rest.is_empty() {
                    return Err(bad("STOPSIGNAL needs a signal"));
                }
                config.insert("StopSignal".into(), Value::String(rest.to_string()));
            }
            "ONBUILD" => {
                if rest.is_empty() {
                    return Err(bad("ONBUILD needs an instruction"));
                }
                let list = config.entry("OnBuild").or_insert_with(|| json!([]));
                if !list.is_array() {
                    *list = json!([]);
                }
                list.as_array_mut().expect("array").push(Value::String(rest.to_string()));
            }
            "" => return Err(Error::usage("an empty change")),
            other => {
                return Err(bad(&format!(
                    "'{other}' is not supported by commit (use CMD, ENTRYPOINT, ENV, WORKDIR, LABEL, USER, EXPOSE or VOLUME)"
                )))
            }
        }
    }
    Ok(())
}

/// Exec form (`["a", "b"]`) as is; shell form as `/bin/sh -c`.
fn command(rest: &str) -> std::result::Result<Value, String> {
    if rest.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(rest) {
            return Ok(json!(v));
        }
    }
    if rest.is_empty() {
        return Err("needs a command".into());
    }
    Ok(json!(["/bin/sh", "-c", rest]))
}

/// Removes one level of double quotes and backslash escapes.
fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        let mut out = String::new();
        let mut chars = s[1..s.len() - 1].chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        out
    } else {
        s.to_string()
    }
}

/// Splits `k=v k2="v 2"` into pairs; with `legacy`, `k v w` means `k` = `v w`.
fn key_values(rest: &str, legacy: bool) -> std::result::Result<Vec<(String, String)>, String> {
    let words = split_words(rest);
    if words.is_empty() {
        return Err("needs at least one key=value".into());
    }
    if !words[0].contains('=') {
        if legacy && words.len() >= 2 {
            let v = rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..].trim();
            return Ok(vec![(words[0].clone(), unquote(v))]);
        }
        return Err(format!("'{}' is not key=value", words[0]));
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((unquote(k), unquote(v))),
            _ => Err(format!("'{w}' is not key=value")),
        })
        .collect()
}

/// Splits on whitespace outside double quotes, keeping the quotes.
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut esc = false;
    for c in s.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' => {
                cur.push(c);
                esc = true;
            }
            '"' => {
                in_q = !in_q;
                cur.push(c);
            }
            c if c.is_whitespace() && !in_q => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(start: Value, changes: &[&str]) -> Value {
        let mut m = start.as_object().unwrap().clone();
        apply_changes(&mut m, &changes.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        Value::Object(m)
    }

    #[test]
    fn stopsignal_and_onbuild() {
        let v = apply(json!({}), &["STOPSIGNAL SIGKILL", "ONBUILD RUN echo hi", "ONBUILD ENV A=1"]);
        assert_eq!(v["StopSignal"], json!("SIGKILL"));
        assert_eq!(v["OnBuild"], json!(["RUN echo hi", "ENV A=1"]));
    }

    #[test]
    fn cmd_forms() {
        let v = apply(json!({}), &["CMD [\"nginx\", \"-g\", \"daemon off;\"]"]);
        assert_eq!(v["Cmd"], json!(["nginx", "-g", "daemon off;"]));
        let v = apply(json!({}), &["CMD echo hi"]);
        assert_eq!(v["Cmd"], json!(["/bin/sh", "-c", "echo hi"]));
    }

    #[test]
    fn entrypoint_clears_cmd_unless_cmd_came_first() {
        let v = apply(json!({"Cmd": ["x"]}), &["ENTRYPOINT [\"/run\"]"]);
        assert_eq!(v["Cmd"], Value::Null);
        let v = apply(json!({"Cmd": ["x"]}), &["CMD [\"y\"]", "ENTRYPOINT [\"/run\"]"]);
        assert_eq!(v["Cmd"], json!(["y"]));
    }

    #[test]
    fn env_replaces_or_appends() {
        let v = apply(json!({"Env": ["PATH=/bin", "A=1"]}), &["ENV A=2 B=\"two words\"", "ENV C legacy value"]);
        assert_eq!(v["Env"], json!(["PATH=/bin", "A=2", "B=two words", "C=legacy value"]));
    }

    #[test]
    fn workdir_label_user_expose() {
        let v = apply(
            json!({"WorkingDir": "/srv"}),
            &["WORKDIR www/../app", "LABEL a=b \"c d\"=e", "USER 1000:1000", "EXPOSE 80 53/udp"],
        );
        assert_eq!(v["WorkingDir"], json!("/srv/app"));
        assert_eq!(v["Labels"], json!({"a": "b", "c d": "e"}));
        assert_eq!(v["User"], json!("1000:1000"));
        assert_eq!(v["ExposedPorts"], json!({"80/tcp": {}, "53/udp": {}}));
    }

    #[test]
    fn bad_changes_are_errors() {
        let mut m = Map::new();
        assert!(apply_changes(&mut m, &["RUN rm -rf /".into()]).is_err());
        assert!(apply_changes(&mut m, &["EXPOSE http".into()]).is_err());
        assert!(apply_changes(&mut m, &["LABEL novalue".into()]).is_err());
    }
}
