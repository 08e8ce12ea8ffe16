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

/// The message files as shipped, for tests (the page fetches them).
#[cfg(test)]
pub fn shipped(lang: Lang) -> Catalog {
    Catalog::parse(match lang {
        Lang::En => include_str!("../www/i18n/en.msg"),
        Lang::ZhCn => include_str!("../www/i18n/zh-CN.msg"),
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
}
