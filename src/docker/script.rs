//! A docker-oracle SCRIPT replayed into its TRANSCRIPT (oracle README, "SCRIPT format" and
//! "TRANSCRIPT format").
//!
//! Rules: lines are split on `\n`, blank lines skipped; a comment line prints itself; `#%`
//! directives print nothing: `image`, `oci` set up the registry (before the replay), `driver`
//! sets the host's storage driver (a driver it does not know prints one line), a `#% disk`
//! probe prints nothing here (true bytes on disk belong to the storage-driver issue; `check.sh
//! -x` drops those lines), `#% write` / `#% copy` print their line; a command prints `$ LINE`,
//! its output (with `% no newline at end of output` when it lacks one) and `[exit N]` when it
//! fails. Words are split as [`super::argv`] says; `docker` commands run on the host, `tar` on
//! the archives it saved ([`super::gnutar`]), anything else prints one line saying it is not
//! simulated.

use super::argv::split;
use super::commands::{Docker, Outcome};

/// Replays `script` on `docker`; returns the transcript.
pub fn replay(script: &str, docker: &mut Docker) -> String {
    let mut t = String::new();
    for line in script.split('\n') {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(d) = line.strip_prefix("#%") {
            let word = d.split_whitespace().next().unwrap_or("");
            if matches!(word, "write" | "copy") {
                t.push_str(line);
                t.push('\n');
                // A step on the build contexts (README "SCRIPT format"): the host keeps the new
                // content in its scratch files, over what the context loader reads.
                let words = split(d).unwrap_or_default();
                match (word, words.get(1), words.get(2)) {
                    ("write", Some(path), Some(text)) => {
                        docker.files.insert(path.clone(), format!("{text}\n").into_bytes().into());
                    }
                    ("copy", Some(src), Some(dst)) => match docker.scratch_file(src) {
                        Some(bytes) => {
                            docker.files.insert(dst.clone(), bytes);
                        }
                        None => t.push_str(&format!("layerlab: #% copy: no file {src}\n")),
                    },
                    _ => t.push_str("layerlab: a #% write / #% copy line needs two words\n"),
                }
            }
            if word == "driver" {
                match super::driver::Driver::parse(d.split_whitespace().nth(1).unwrap_or("")) {
                    Ok(driver) => docker.driver = driver,
                    Err(e) => {
                        t.push_str(&e);
                        t.push('\n');
                    }
                }
            }
            continue;
        }
        if line.starts_with('#') {
            t.push_str(line);
            t.push('\n');
            continue;
        }
        t.push_str("$ ");
        t.push_str(line);
        t.push('\n');
        let o = match split(line) {
            Ok(words) if words.first().map(String::as_str) == Some("docker") => docker.run(&words),
            Ok(words) if words.first().map(String::as_str) == Some("tar") => super::gnutar::run(&docker.files, &docker.names, &words),
            Ok(words) => Outcome {
                out: format!("layerlab: `{}` is not simulated yet\n", words.first().map_or("", String::as_str)),
                code: 1,
            },
            Err(e) => Outcome { out: format!("layerlab: cannot split the line: {e}\n"), code: 2 },
        };
        t.push_str(&o.out);
        if !o.out.is_empty() && !o.out.ends_with('\n') {
            t.push_str("\n% no newline at end of output\n");
        }
        if o.code != 0 {
            t.push_str(&format!("[exit {}]\n", o.code));
        }
    }
    t
}
