//! The page's words in two languages: English and Simplified Chinese (简体中文).
//!
//! Rules:
//! - Every user-facing string of the page lives in a message file, one per language
//!   (`www/i18n/en.msg`, `www/i18n/zh-CN.msg`), keyed; code names keys, never sentences.
//! - A message file is lines `key = text`; `#` starts a comment line; `\n` in a text is a line
//!   break; `{0}`, `{1}`, … are filled by [`Catalog::format`]. Both files hold the same keys (a
//!   test fails naming any key missing in either).
//! - Docker's and the kernel's own words stay as they print (`docker diff`, `Already exists`,
//!   `EXDEV`, `.wh.`): Docker prints English, so the Chinese file keeps them verbatim.
//! - A missing key shows as the key itself: never a panic.
//! - The core's own sentences (errors and warnings the worker sends as text) are English, as
//!   the CLI prints them, and the English page shows them as they come. In another language the
//!   page finds each sentence's template in `www/i18n/said.en.msg` and says it with the same
//!   key of `said.<tag>.msg` ([`said`]); the place the core names before it (`FILE, layer N
//!   (sha256:…), entry 'E', at byte N: `) is put in that language's words too. A sentence no
//!   template matches stays English. A test keeps `said.en.msg` in step with the sentences in
//!   the core's sources.
//!
//! The files are static files of the page's own origin (they work offline), fetched for the
//! language in use, so the first-load wasm carries no text.
use std::collections::BTreeMap;

/// A language the page speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag, as `<html lang>` takes it (also the message file's name).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's name in itself (what the switch shows).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// The language for a browser tag (`navigator.language`, or a stored choice): any `zh`
    /// except the traditional scripts is Chinese, everything else English.
    pub fn from_tag(tag: &str) -> Lang {
        let t = tag.trim().to_ascii_lowercase();
        let zh = t == "zh" || t.starts_with("zh-") || t.starts_with("zh_");
        let traditional = t.contains("hant") || t.ends_with("-tw") || t.ends_with("-hk") || t.ends_with("-mo");
        if zh && !traditional {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    /// The message file's path relative to the page (`i18n/zh-CN.msg`).
    pub fn file(self) -> String {
        format!("i18n/{}.msg", self.tag())
    }

    /// The file of the core's sentences in this language (`i18n/said.zh-CN.msg`, [`said`]).
    pub fn said_file(self) -> String {
        format!("i18n/said.{}.msg", self.tag())
    }
}

/// One language's messages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    map: BTreeMap<String, String>,
}

impl Catalog {
    /// Parses a message file (see the module rules); a line without ` = ` is ignored.
    pub fn parse(src: &str) -> Catalog {
        let mut map = BTreeMap::new();
        for line in src.lines() {
            let l = line.trim_start();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = l.split_once(" = ") {
                map.insert(k.trim().to_string(), v.trim_end_matches('\r').replace("\\n", "\n"));
            }
        }
        Catalog { map }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// The text for `key`, or the key itself.
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).unwrap_or(key)
    }

    /// The text for `key` with `{0}`, `{1}`, … replaced by `args`.
    pub fn format(&self, key: &str, args: &[&str]) -> String {
        fill(self.text(key), args)
    }
}

/// `template` with `{0}`, `{1}`, … replaced by `args` (how a message's arguments are filled,
/// also where the core renders its English from a table of its own).
pub fn fill(template: &str, args: &[impl AsRef<str>]) -> String {
    let mut s = template.to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), a.as_ref());
    }
    s
}

/// One of the core's English sentences (`text`: an error's or a warning's, as the worker sent
/// it) in the words of `to`, the `said.<tag>.msg` catalog whose keys are those of `en`
/// (`said.en.msg`, the templates). The sentence is the place it names, then `: `, then what
/// happened: the first place after which the rest is a whole template (`{0}`… standing for
/// any non-empty text, each filled with its own text said again the same way, since a
/// sentence may quote another) is where the place ends. The place (`FILE`, `layer N
/// (sha256:…)`, `entry 'E'`, `at byte N`, as [`crate::error::Error`] writes them) is put in
/// `to`'s words (`said.place.*` keys); a sentence no template matches is given back as it is.
pub fn said(text: &str, en: &Catalog, to: &Catalog) -> String {
    said_depth(text, en, to, 0)
}

// Written with plain prefix tests and a simple search (`find_at`) rather than `str::find` and
// `split`: the page's first-load wasm carries this, and those searchers cost it 3 KB of gzip
// more (sentences are short; the search is linear enough for them).

fn said_depth(text: &str, en: &Catalog, to: &Catalog, depth: u32) -> String {
    // A sentence quotes another at most a few deep; hostile text cannot make this recurse far.
    if depth >= 5 {
        return text.to_string();
    }
    let mut p = 0;
    loop {
        let rest = &text[p..];
        for (key, template) in &en.map {
            if !key.starts_with("said.") || key.starts_with("said.place.") {
                continue;
            }
            if let (Some(args), Some(target)) = (matches(template, rest), to.get(key)) {
                let args: Vec<String> = args.into_iter().map(|a| said_depth(a, en, to, depth + 1)).collect();
                let place = if p == 0 { String::new() } else { said_place(&text[..p - 2], to) };
                return place + &fill(target, &args);
            }
        }
        match find_at(text, ": ", p) {
            Some(i) => p = i + 2,
            None => return text.to_string(),
        }
    }
}

/// Where `needle` first starts in `hay` at or after `from`.
fn find_at(hay: &str, needle: &str, from: usize) -> Option<usize> {
    find_between(hay, needle, from, usize::MAX)
}

/// Where `needle` first starts in `hay` from `from` to `upto` (both included).
fn find_between(hay: &str, needle: &str, from: usize, upto: usize) -> Option<usize> {
    (from..=hay.len().checked_sub(needle.len())?.min(upto)).find(|&i| hay.is_char_boundary(i) && hay[i..].starts_with(needle))
}

/// The place an error names (`FILE, layer N (sha256:…), entry 'E', at byte N`, any of them
/// left out; see [`crate::error::Error`]'s `Display`), in `to`'s words, ending as `to` ends it
/// (`said.place.end`: `: ` in English).
fn said_place(place: &str, to: &Catalog) -> String {
    let mut parts = Vec::new();
    let mut rest = place;
    // From the end: the offset, the entry, the layer; what is left is the file.
    for (tag, key) in [("at byte ", "said.place.byte"), ("entry '", "said.place.entry"), ("layer ", "said.place.layer")] {
        // The last place the tag starts a part (the text's start, or after `, `).
        let mut at = None;
        let mut from = 0;
        while let Some(i) = find_at(rest, tag, from) {
            if i == 0 || rest[..i].ends_with(", ") {
                at = Some(i);
            }
            from = i + 1;
        }
        let Some(at) = at else { continue };
        let what = &rest[at + tag.len()..];
        let said = if tag == "entry '" {
            what.ends_with('\'').then(|| to.format(key, &[&what[..what.len() - 1]]))
        } else {
            // `N`, or (a layer) `N (sha256:…)`.
            let n = what.bytes().take_while(u8::is_ascii_digit).count();
            let more = &what[n..];
            let ok = n > 0 && (more.is_empty() || tag == "layer " && more.starts_with(" (") && more.ends_with(')'));
            ok.then(|| to.format(key, &[&what[..n]]) + more)
        };
        if let Some(said) = said {
            parts.push(said);
            rest = &rest[..at];
            if rest.ends_with(", ") {
                rest = &rest[..rest.len() - 2];
            }
        }
    }
    if !rest.is_empty() {
        parts.push(rest.to_string());
    }
    parts.reverse();
    parts.join(to.text("said.place.sep")) + to.text("said.place.end")
}

/// The texts `{0}`, `{1}`, … stand for, in order, if `text` is `template` whole (whose
/// placeholders come in order, `{0}` to `{9}`), else `None`. Each stands for the shortest
/// non-empty text up to the template's next words; the last for all up to its last words,
/// which must end `text`. A template that starts with a placeholder (`{0}: skipped: {1}`)
/// takes no `: ` in it: the search stops at the first, so trying such a template from each
/// `: ` of a sentence costs the sentence's length once, not once per `: ` (an entry's name,
/// the archive's to choose, can hold 20,000 of them).
fn matches<'a>(template: &str, text: &'a str) -> Option<Vec<&'a str>> {
    // The template's words between placeholders.
    let mut lits = Vec::new();
    let mut start = 0;
    let b = template.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'{' && b[i + 1].is_ascii_digit() && b[i + 2] == b'}' {
            lits.push(&template[start..i]);
            start = i + 3;
            i += 3;
        } else {
            i += 1;
        }
    }
    lits.push(&template[start..]);
    if !text.starts_with(lits[0]) {
        return None;
    }
    let mut t = &text[lits[0].len()..];
    let mut out = Vec::new();
    let n = lits.len() - 1;
    for (k, next) in lits[1..].iter().enumerate() {
        // Where a leading placeholder must end by: the first `: ` (one it ends at included).
        let stop = if k == 0 && lits[0].is_empty() { find_at(t, ": ", 0).unwrap_or(t.len()) } else { t.len() };
        let at = if k + 1 == n {
            if !t.ends_with(next) {
                return None;
            }
            t.len() - next.len()
        } else {
            find_between(t, next, 1, stop)?
        };
        if at == 0 || at > stop {
            return None;
        }
        out.push(&t[..at]);
        t = &t[at + next.len()..];
    }
    t.is_empty().then_some(out)
}

/// The message files as shipped, for tests (the page fetches them).
#[cfg(test)]
pub fn shipped(lang: Lang) -> Catalog {
    Catalog::parse(match lang {
        Lang::En => include_str!("../www/i18n/en.msg"),
        Lang::ZhCn => include_str!("../www/i18n/zh-CN.msg"),
    })
}

/// The core's sentences as shipped (`said.<tag>.msg`), for tests.
#[cfg(test)]
pub fn shipped_said(lang: Lang) -> Catalog {
    Catalog::parse(match lang {
        Lang::En => include_str!("../www/i18n/said.en.msg"),
        Lang::ZhCn => include_str!("../www/i18n/said.zh-CN.msg"),
    })
}

/// For tests of a module that keeps the English of its keys in a table (to render it without
/// the message files, as the CLI does): each text is the English file's, and each key is in
/// the Chinese file too.
#[cfg(test)]
pub fn assert_english_table(table: &[(&str, &str)]) {
    let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
    for (k, v) in table {
        assert_eq!(en.get(k), Some(*v), "{k}");
        assert!(zh.contains(k), "{k} missing in zh-CN");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        let missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains(k)).collect();
        let missing_en: Vec<_> = zh.keys().filter(|k| !en.contains(k)).collect();
        assert!(missing_zh.is_empty(), "missing in zh-CN.msg: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en.msg: {missing_en:?}");
        assert!(en.keys().count() > 50);
    }

    #[test]
    fn no_text_is_empty_and_placeholders_match() {
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        for k in en.keys() {
            let (e, z) = (en.text(k), zh.text(k));
            assert!(!e.trim().is_empty() && !z.trim().is_empty(), "{k} is empty");
            for i in 0..6 {
                let ph = format!("{{{i}}}");
                assert_eq!(e.contains(&ph), z.contains(&ph), "{k}: {ph} in one language only");
            }
        }
    }

    #[test]
    fn every_key_the_page_names_exists() {
        // Keys named in the UI sources: `t("…")` / `f("…"` calls, notices (`said("…"`,
        // `Said { key: "…"`).
        let en = shipped(Lang::En);
        let mut missing = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
        let mut stack = vec![root];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                for pat in [".t(\"", ".f(\"", ".said(\"", "Said { key: \""] {
                    let mut rest = src.as_str();
                    while let Some(i) = rest.find(pat) {
                        rest = &rest[i + pat.len()..];
                        let key = &rest[..rest.find('"').unwrap()];
                        if !en.contains(key) {
                            missing.push(format!("{}: {key}", p.display()));
                        }
                    }
                }
                // Keys named as values (a job's task, a notice): every literal of their families.
                for pre in ["\"jobs.", "\"notice."] {
                    let mut rest = src.as_str();
                    while let Some(i) = rest.find(pre) {
                        rest = &rest[i + 1..];
                        let key = &rest[..rest.find('"').unwrap()];
                        if !en.contains(key) {
                            missing.push(format!("{}: {key}", p.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys the page names but en.msg lacks: {missing:?}");
    }

    /// The page's own notices, jobs and mount configs kept the English they had before they were
    /// keys (the browser tests name buttons and notices by it).
    #[test]
    fn notices_jobs_and_mount_configs_say_what_they_said() {
        let en = shipped(Lang::En);
        assert_eq!(en.format("jobs.cancel_opening", &["big.tar"]), "Cancel opening big.tar");
        assert_eq!(en.format("jobs.committing", &["x"]), "Committing x");
        assert_eq!(en.format("notice.cancelled_opening", &["big.tar"]), "big.tar: opening cancelled");
        assert_eq!(en.format("notice.interrupted_saving", &["a.tar"]), "a.tar: saving interrupted, start it again");
        assert_eq!(en.format("notice.saved", &["images.tar", "1.2 MiB"]), "Saved images.tar (1.2 MiB)");
        for c in crate::container::Config::ALL {
            assert!(en.contains(c.label_key()) && shipped(Lang::ZhCn).contains(c.label_key()), "{}", c.label_key());
        }
        assert_eq!(en.text(crate::container::Config::Default.label_key()), "default (redirect_dir=off, metacopy=off)");
    }

    #[test]
    fn browser_tags_choose_a_language() {
        assert_eq!(Lang::from_tag("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("zh"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("zh-Hans-SG"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("zh-TW"), Lang::En);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::En);
    }

    #[test]
    fn format_fills_placeholders_and_unknown_keys_fall_back() {
        assert_eq!(shipped(Lang::ZhCn).text("no.such.key"), "no.such.key");
        assert_eq!(shipped(Lang::En).format("stack.merged", &["7"]), "Merged view · 7 entries");
        assert_eq!(Catalog::parse("a = x\\ny {0}\n# c\nb =  lead").format("a", &["z"]), "x\ny z");
        assert_eq!(Catalog::parse("b =  lead").text("b"), " lead");
    }

    #[test]
    fn said_files_have_the_same_keys_and_placeholders() {
        let (en, zh) = (shipped_said(Lang::En), shipped_said(Lang::ZhCn));
        assert_eq!(en.keys().collect::<Vec<_>>(), zh.keys().collect::<Vec<_>>());
        for k in en.keys() {
            for i in 0..6 {
                let ph = format!("{{{i}}}");
                assert_eq!(en.text(k).contains(&ph), zh.text(k).contains(&ph), "{k}: {ph} in one language only");
            }
            assert!(k.starts_with("said.place.") || zh.text(k).chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{k} has no Chinese");
        }
        assert!(en.keys().count() > 100);
        // `matches` takes every brace for a placeholder's, and the English ones come in order.
        for k in en.keys() {
            let t = en.text(k);
            let holders: Vec<&str> = t.split(['{', '}']).skip(1).step_by(2).collect();
            assert!(holders.iter().enumerate().all(|(i, h)| *h == i.to_string() && i < 10), "{k}: {t}");
        }
    }

    #[test]
    fn the_cores_sentences_are_said_in_chinese() {
        let (en, zh) = (shipped_said(Lang::En), shipped_said(Lang::ZhCn));
        let cases = [
            (
                "notes.txt: this is not a tar archive, nor a gzip or zstd stream: open a docker save or OCI archive, or a layer tarball",
                "notes.txt：这既不是 tar 归档，也不是 gzip 或 zstd 流：请打开 docker save 或 OCI 归档，或者层 tarball",
            ),
            (
                "x.tar, layer 2 (sha256:0123456789ab), entry 'blobs/sha256/ab': the layer ends in the middle of a tar entry (truncated)",
                "x.tar，第 2 层 (sha256:0123456789ab)，条目 'blobs/sha256/ab'：层在一个 tar 条目中间结束（已截断）",
            ),
            (
                "a, b.tar, layer 0, at byte 512: the gzip stream is truncated",
                "a, b.tar，第 0 层，第 512 字节处：gzip 流被截断",
            ),
            (
                "x.tar, layer 1 (sha256:abc): the layer blob hashes to sha256:1, but the manifest says sha256:2",
                "x.tar，第 1 层 (sha256:abc)：层 blob 的哈希是 sha256:1，但清单写的是 sha256:2",
            ),
            // A sentence quoting another, and a warning about an entry.
            ("img:1: skipped: the image has no layers", "img:1：已跳过：镜像没有层"),
            (
                "s.tar, layer 1 (sha256:abc): entry 'a/.wh.b' is a whiteout under a path this layer made a file: skipped, as containers/storage and umoci do; Docker's overlay2 driver would refuse this layer (ENOTDIR)",
                "s.tar，第 1 层 (sha256:abc)：条目 'a/.wh.b' 是一个 whiteout，位于这一层已做成文件的路径之下：已跳过，与 containers/storage 和 umoci 的做法相同；Docker 的 overlay2 驱动会拒绝这一层 (ENOTDIR)",
            ),
            ("big.tar: the browser could not read the file (was it moved or changed?): NotReadableError", "big.tar：浏览器无法读取文件（它被移动或修改了吗？）：NotReadableError"),
            // Nothing matches: as it came.
            ("x.tar: something new happened", "x.tar: something new happened"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(said(text, &en, &zh), want);
            // English to English gives each back unchanged (the place's words and spaces too).
            assert_eq!(said(text, &en, &en), text);
        }
    }

    #[test]
    fn hostile_sentences_are_said_quickly_and_whole() {
        let (en, zh) = (shipped_said(Lang::En), shipped_said(Lang::ZhCn));
        let long = format!("{}the file is empty", "a: ".repeat(2000));
        let t = std::time::Instant::now();
        let out = said(&long, &en, &zh);
        assert!(out.ends_with("文件是空的"), "{}", &out[out.len() - 40..]);
        assert!(t.elapsed().as_secs() < 5);
        // An entry name as long as the indexer allows (64 KiB), full of `: `, in the place: the
        // sentence after it is found without trying every template from every `: ` to the end.
        let name = "a: ".repeat(64 * 1024 / 3);
        let long = format!("x.tar, entry '{name}': the layer ends inside this file's content");
        let t = std::time::Instant::now();
        let out = said(&long, &en, &zh);
        assert!(out.ends_with("：层在这个文件的内容中间结束"), "{}", &out[out.len() - 60..]);
        assert!(t.elapsed().as_millis() < 1000, "{:?}", t.elapsed());
        for s in ["'", ": ", "entry ': x", "layer : x", "at byte : x", "change '': ", "{0}: line {1}: {2}"] {
            let _ = said(s, &en, &zh);
        }
    }

    /// Every sentence the core writes with an error (`Error::corrupt("…")`, `format!("…", …)`
    /// inside one, and the decoders' `io::Error::new`) is a template of said.en.msg, so the
    /// page can say it in Chinese. The CLI's own (src/cli*) and the page's are not the core's.
    #[test]
    fn every_error_sentence_of_the_core_has_a_template() {
        let en = shipped_said(Lang::En);
        let templates: std::collections::BTreeSet<&str> = en.keys().map(|k| en.text(k)).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut found = 0;
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let rel = p.strip_prefix(&root).unwrap().to_string_lossy().to_string();
                if rel.starts_with("ui") || rel.starts_with("cli") || rel.starts_with("bin") || rel.starts_with("docker") || rel == "i18n.rs" || rel.ends_with("tests.rs") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                let src = src.split("#[cfg(test)]").next().unwrap_or_default();
                for t in error_sentences(src) {
                    found += 1;
                    if !templates.contains(t.as_str()) {
                        missing.push(format!("{rel}: {t}"));
                    }
                }
            }
        }
        assert!(found > 100, "only {found} sentences found");
        assert!(missing.is_empty(), "sentences said.en.msg lacks (add them to both said files): {missing:#?}");
    }

    /// The sentences given to the core's error constructors in `src`, as templates.
    fn error_sentences(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        for ctor in ["Error::corrupt(", "Error::truncated(", "Error::missing(", "Error::not_found(", "Error::usage(", "Error::new(", "io::Error::new("] {
            let mut rest = src;
            while let Some(i) = rest.find(ctor) {
                // `io::Error::new(` also ends in `Error::new(`: count it once.
                let before = &rest[..i];
                rest = &rest[i + ctor.len()..];
                if ctor == "Error::new(" && before.ends_with("io::") {
                    continue;
                }
                let mut t = rest.trim_start();
                // A kind first (`ErrorKind::Corrupt, `).
                if let Some(k) = t.find(", ").filter(|&k| t[..k].contains("ErrorKind::") && !t[..k].contains('"')) {
                    t = t[k + 2..].trim_start();
                }
                let formatted = t.starts_with("format!(");
                if formatted {
                    t = t["format!(".len()..].trim_start();
                }
                let Some(body) = t.strip_prefix('"') else { continue };
                let mut lit = String::new();
                let mut chars = body.chars().peekable();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            // A line continuation: the next line's leading space goes too.
                            Some('\n') => {
                                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                    chars.next();
                                }
                            }
                            Some('n') => lit.push('\n'),
                            Some(c) => lit.push(c),
                            None => break,
                        },
                        c => lit.push(c),
                    }
                }
                if formatted {
                    // `{}`, `{x}`, `{:?}` become `{0}`, `{1}`, …; `{{` and `}}` are braces.
                    let mut t = String::new();
                    let mut n = 0;
                    let mut cs = lit.chars().peekable();
                    while let Some(c) = cs.next() {
                        match (c, cs.peek()) {
                            ('{', Some('{')) | ('}', Some('}')) => {
                                t.push(c);
                                cs.next();
                            }
                            ('{', _) => {
                                for d in cs.by_ref() {
                                    if d == '}' {
                                        break;
                                    }
                                }
                                t.push_str(&format!("{{{n}}}"));
                                n += 1;
                            }
                            _ => t.push(c),
                        }
                    }
                    lit = t;
                }
                out.push(lit);
            }
        }
        out
    }

    proptest::proptest! {
        /// Hostile text (an entry's name is the archive's to choose): any sentence is said
        /// without a panic, and English to English gives it back unchanged.
        #[test]
        fn any_sentence_is_said_without_a_panic(s in "((entry '|layer |at byte |: |, |'|\\(|\\)|[0-9]{1,3}|文件|the file is empty|[a-z ]{0,6})){0,24}") {
            let (en, zh) = (shipped_said(Lang::En), shipped_said(Lang::ZhCn));
            let _ = said(&s, &en, &zh);
            proptest::prop_assert_eq!(said(&s, &en, &en), s);
        }
    }
}
