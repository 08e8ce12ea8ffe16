//! A Dockerfile read as Docker 20.10's classic builder reads it: lines into instructions, each
//! instruction's arguments into typed fields, and the words of the expanding instructions
//! through the Dockerfile's own variable syntax.
//!
//! Spec followed (the classic builder vendors these): moby/buildkit
//! `frontend/dockerfile/parser/parser.go` (directives `# escape=`, comments, line continuation,
//! the per-instruction dispatch table), `line_parsers.go` (`parseWords`, `parseNameVal`,
//! `parseMaybeJSON`, `parseMaybeJSONToList`, `parseStringsWhitespaceDelimited`),
//! `split_command.go` (`--flag=value` builder flags), `instructions/parse.go` and `bflag.go`
//! (typed instructions and their error sentences), `frontend/dockerfile/shell/lex.go`
//! (`ProcessWord`: quotes, `\`, `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`,
//! `${VAR:?msg}`), and moby `builder/dockerfile` (`dockerfile parse error line N: …`, the empty
//! Dockerfile sentence). Checked against `../shared/docker-oracle` scenarios `errors-build`
//! and `build-*` (the `Step N/M : …` texts are [`Instruction::original`]).
//!
//! Rules:
//! - Hand-written: no crate parses Dockerfiles the way the 20.10 classic builder does (its
//!   quirks are the point: `CMD ["a"` is shell form, a trailing `\` continues into nothing, an
//!   unknown instruction is only an error after the whole file is split into lines).
//! - Any input gives a [`Dockerfile`] or one [`ParseError`] naming the line; never a panic, and
//!   work is linear in the input (a fuzz target and property tests run it).
//! - Heredocs (`RUN <<EOF`) are BuildKit-only and are not recognised, as in 20.10's classic
//!   builder.

use serde_json::Value;

/// Why a Dockerfile cannot be built, with the line it concerns (1-based) when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: Option<usize>,
    pub msg: String,
}

impl std::fmt::Display for ParseError {
    /// Docker's own sentence: `dockerfile parse error line 2: unknown instruction: RUNN`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(n) => write!(f, "dockerfile parse error line {n}: {}", self.msg),
            None => f.write_str(&self.msg),
        }
    }
}

fn err<T>(line: usize, msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError { line: Some(line), msg: msg.into() })
}

/// A command line of `RUN`, `CMD`, `ENTRYPOINT`: exec form (`json`) keeps the array, shell form
/// is one string that the stage's `SHELL` will be put before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdLine {
    pub args: Vec<String>,
    pub json: bool,
}

/// Sources and destination of `COPY` / `ADD`, words not yet expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub srcs: Vec<String>,
    pub dest: String,
    pub json: bool,
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
}

/// One instruction after `FROM` (or an `ARG` before the first `FROM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Run(CmdLine),
    Cmd(CmdLine),
    Entrypoint(CmdLine),
    Shell(Vec<String>),
    /// `ENV` pairs; values still hold their quotes (removed when expanded).
    Env(Vec<(String, String)>),
    Label(Vec<(String, String)>),
    /// `ARG NAME` or `ARG NAME=default`.
    Arg(Vec<(String, Option<String>)>),
    Copy(Copy),
    Add(Copy),
    Workdir(String),
    User(String),
    Expose(Vec<String>),
    Volume(Vec<String>),
    StopSignal(String),
    Maintainer(String),
    /// The trigger as written after `ONBUILD`.
    Onbuild(String),
    /// `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD …` (test as Docker stores it).
    Healthcheck(Vec<String>),
}

/// An instruction with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// First line (1-based) of the instruction.
    pub line: usize,
    /// The instruction as Docker prints it after `Step N/M : ` (continuations joined, trimmed).
    pub original: String,
    pub kind: Kind,
}

/// A build stage: `FROM base [AS name]` and its instructions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub line: usize,
    pub original: String,
    /// The base as written (may hold `$ARG`s, expanded with the meta args only).
    pub base: String,
    /// Lower-cased stage name.
    pub name: Option<String>,
    pub platform: Option<String>,
    pub commands: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// `ARG`s before the first `FROM`: only for `FROM` lines.
    pub meta_args: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub escape: char,
    /// `[WARNING]: Empty continuation line found in: …` lines, as the builder prints them.
    pub warnings: Vec<String>,
}

impl Dockerfile {
    /// How many `Step`s the classic builder counts: meta args, every `FROM` and every
    /// instruction.
    pub fn steps(&self) -> usize {
        self.meta_args.len() + self.stages.iter().map(|s| 1 + s.commands.len()).sum::<usize>()
    }
}

/// One logical line: the joined text, its first line, and what the dispatch table made of it.
struct Node {
    line: usize,
    original: String,
    cmd: String,
    flags: Vec<String>,
    args: Vec<String>,
    json: bool,
    /// ONBUILD's trigger text.
    rest: String,
}

/// Parses a Dockerfile named `name` (for the empty-file sentence).
pub fn parse(text: &str, name: &str) -> Result<Dockerfile, ParseError> {
    if text.is_empty() {
        return Err(ParseError { line: None, msg: format!("the Dockerfile ({name}) cannot be empty") });
    }
    let (nodes, escape, warnings) = split_lines(text, name)?;
    let mut df = Dockerfile { meta_args: Vec::new(), stages: Vec::new(), escape, warnings };
    for n in nodes {
        let line = n.line;
        if n.cmd == "from" {
            df.stages.push(from(&n)?);
            continue;
        }
        let kind = instruction(&n)?;
        let ins = Instruction { line, original: n.original.clone(), kind };
        match df.stages.last_mut() {
            Some(s) => s.commands.push(ins),
            None if matches!(ins.kind, Kind::Arg(_)) => df.meta_args.push(ins),
            // instructions.Parse's CurrentStage error carries no `parse error line` prefix
            // (NOTES 55, seen).
            None => return Err(ParseError { line: None, msg: "no build stage in current context".into() }),
        }
    }
    Ok(df)
}

/// parser.go `Parse`: directives, comments, continuations; each logical line through the
/// dispatch table.
fn split_lines(text: &str, name: &str) -> Result<(Vec<Node>, char, Vec<String>), ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut escape = '\\';
    let mut directives_done = false;
    let mut seen_escape = false;
    let mut nodes = Vec::new();
    let mut warnings = Vec::new();
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    // bufio.Scanner gives no empty last token for a trailing newline.
    let count = if text.ends_with('\n') { lines.len() - 1 } else { lines.len() };
    let mut i = 0;
    while i < count {
        let raw = lines[i];
        i += 1;
        let start = i;
        if !directives_done {
            match directive(raw.trim_start()) {
                Some((k, v)) if k == "escape" => {
                    if seen_escape {
                        return err(start, "only one escape parser directive can be used");
                    }
                    seen_escape = true;
                    escape = match v.as_str() {
                        "\\" => '\\',
                        "`" => '`',
                        _ => return err(start, format!("invalid escape token '{v}' does not match ` or \\")),
                    };
                }
                Some((k, _)) if k == "syntax" => {}
                _ => directives_done = true,
            }
        }
        let first = strip_comment(raw.trim_start());
        let (mut line, mut ends) = trim_continuation(first, escape);
        if ends && line.is_empty() {
            continue;
        }
        let mut empty_cont = false;
        while !ends && i < count {
            let raw = lines[i];
            i += 1;
            if raw.trim_start().starts_with('#') {
                continue;
            }
            let body = strip_comment(raw);
            if body.trim_start().is_empty() {
                empty_cont = true;
                continue;
            }
            let (l, e) = trim_continuation(body, escape);
            line.push_str(&l);
            ends = e;
        }
        if empty_cont {
            warnings.push(format!("[WARNING]: Empty continuation line found in:\n    {line}"));
        }
        nodes.push(node(&line, start, escape)?);
    }
    if !warnings.is_empty() {
        warnings.push("[WARNING]: Empty continuation lines will become errors in a future release.".into());
    }
    if nodes.is_empty() {
        // NOTES 55 (seen): `failed to parse NAME: file with no instructions`.
        return Err(ParseError { line: None, msg: format!("failed to parse {name}: file with no instructions") });
    }
    Ok((nodes, escape, warnings))
}

/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, key lower-cased.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let key_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
    let key = &rest[..key_len];
    if key.is_empty() || !key.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let value = rest[key_len..].trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.to_string()))
}

/// `reComment` (`^#.*$`) on a line whose left blanks were (or were not) trimmed.
fn strip_comment(line: &str) -> &str {
    if line.starts_with('#') {
        ""
    } else {
        line
    }
}

/// Removes `ESC[ \t]*$`; says whether the line ends the instruction.
fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    match t.strip_suffix(escape) {
        Some(body) => (body.to_string(), false),
        None => (line.to_string(), true),
    }
}

/// `newNodeFromLine`: command, builder flags, then the command's line parser.
fn node(line: &str, start: usize, escape: char) -> Result<Node, ParseError> {
    let trimmed = line.trim();
    let (cmd, rest) = match trimmed.find(is_ws) {
        Some(p) => (&trimmed[..p], trimmed[p..].trim_start_matches(is_ws)),
        None => (trimmed, ""),
    };
    let cmd = cmd.to_ascii_lowercase();
    let (args_text, flags) = builder_flags(rest);
    let args_text = args_text.trim();
    let mut n = Node { line: start, original: trimmed.to_string(), cmd, flags, args: Vec::new(), json: false, rest: args_text.to_string() };
    let e = |m: String| ParseError { line: Some(start), msg: m };
    match n.cmd.as_str() {
        "add" | "copy" | "volume" => match json_array(args_text) {
            Json::Array(a) => {
                n.args = a;
                n.json = true;
            }
            Json::NotStrings => return Err(e(NOT_STRINGS.into())),
            Json::No => n.args = whitespace_words(args_text),
        },
        "cmd" | "entrypoint" | "run" | "shell" => match json_array(args_text) {
            Json::Array(a) => {
                n.args = a;
                n.json = true;
            }
            Json::NotStrings => return Err(e(NOT_STRINGS.into())),
            Json::No if args_text.is_empty() => {}
            Json::No => n.args = vec![args_text.to_string()],
        },
        "env" | "label" => n.args = name_val(args_text, &n.cmd.to_ascii_uppercase(), escape).map_err(e)?,
        "arg" => n.args = words(args_text, escape),
        "expose" | "from" => n.args = whitespace_words(args_text),
        "maintainer" | "stopsignal" | "user" | "workdir" if !args_text.is_empty() => n.args = vec![args_text.to_string()],
        "healthcheck" => {
            let typ_end = args_text.find(is_ws).unwrap_or(args_text.len());
            if typ_end > 0 {
                n.args.push(args_text[..typ_end].to_string());
                let cmd = args_text[typ_end..].trim_start_matches(is_ws);
                match json_array(cmd) {
                    Json::Array(a) => {
                        n.args.extend(a);
                        n.json = true;
                    }
                    Json::NotStrings => return Err(e(NOT_STRINGS.into())),
                    Json::No if cmd.is_empty() => {}
                    Json::No => n.args.push(cmd.to_string()),
                }
            }
        }
        "onbuild" if !args_text.is_empty() => {
            // parseSubCommand: the trigger must itself parse (one level: a nested ONBUILD is
            // refused below, so its own trigger is not parsed; no recursion on hostile input).
            let first = args_text.split(is_ws).next().unwrap_or("").to_ascii_lowercase();
            if first != "onbuild" {
                node(args_text, start, escape)?;
            }
            n.args = vec![first];
        }
        _ => {}
    }
    Ok(n)
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r')
}

/// `extractBuilderFlags` (20.10): leading `--x=y` words, unquoted; a bare `--` ends them.
fn builder_flags(line: &str) -> (&str, Vec<String>) {
    let mut flags = Vec::new();
    let mut pos = 0;
    let b = line.as_bytes();
    loop {
        while pos < b.len() && (b[pos] as char).is_whitespace() {
            pos += 1;
        }
        if pos + 1 >= b.len() || b[pos] != b'-' || b[pos + 1] != b'-' {
            return (&line[pos..], flags);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut chars = line[pos..].char_indices();
        let mut end = line.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                None if c.is_whitespace() => {
                    end = pos + i;
                    break;
                }
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                _ if c == '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        if word == "--" {
            return (&line[end..], flags);
        }
        flags.push(word);
        pos = end;
        if pos >= line.len() {
            return ("", flags);
        }
    }
}

enum Json {
    Array(Vec<String>),
    NotStrings,
    No,
}

/// `parseJSON`: a JSON array of strings, or why not.
fn json_array(rest: &str) -> Json {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Json::No;
    }
    match serde_json::from_str::<Vec<Value>>(rest) {
        Ok(vals) => {
            let mut out = Vec::with_capacity(vals.len());
            for v in vals {
                match v {
                    Value::String(s) => out.push(s),
                    _ => return Json::NotStrings,
                }
            }
            Json::Array(out)
        }
        Err(_) => Json::No,
    }
}

/// `reWhitespace.Split(rest, -1)` (empty input gives no words).
fn whitespace_words(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    rest.split(is_ws).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// `parseWords`: blank-separated words, quotes kept (removed later by expansion), the escape
/// token kept with the character it escapes.
fn words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut out = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut cur = String::new();
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    loop {
        let at_end = i >= chars.len();
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !cur.is_empty() {
                out.push(cur);
            }
            break;
        }
        let mut ch = chars[i];
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if i + 1 == chars.len() {
                    i += 1;
                    continue;
                }
                cur.push(ch);
                i += 1;
                ch = chars[i];
            }
            cur.push(ch);
            i += 1;
            continue;
        }
        // in a quote
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if i + 1 == chars.len() {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            i += 1;
            cur.push(ch);
            ch = chars[i];
        }
        cur.push(ch);
        i += 1;
    }
    out
}

/// `parseNameVal` for ENV and LABEL: `KEY value…` (old form) or `k=v k2=v2`; flattened as
/// key, value pairs.
fn name_val(rest: &str, key: &str, escape: char) -> Result<Vec<String>, String> {
    let ws = words(rest, escape);
    if ws.is_empty() {
        return Ok(Vec::new());
    }
    if !ws[0].contains('=') {
        let mut parts = rest.splitn(2, is_ws);
        let k = parts.next().unwrap_or("");
        let v = parts.next().map(|v| v.trim_start_matches(is_ws));
        return match v {
            Some(v) => Ok(vec![k.to_string(), v.to_string()]),
            None => Err(format!("{key} must have two arguments")),
        };
    }
    let mut out = Vec::new();
    for w in ws {
        match w.split_once('=') {
            Some((k, v)) => {
                out.push(k.to_string());
                out.push(v.to_string());
            }
            None => return Err(format!("Syntax error - can't find = in {w:?}. Must be of the form: name=value")),
        }
    }
    Ok(out)
}

/// Builder flags as `bflag.go` parses them: `--name=value` for declared names.
struct Flags<'a> {
    line: usize,
    given: &'a [String],
}

impl Flags<'_> {
    /// The values of the declared string flags, in `names` order.
    fn strings(&self, names: &[&str]) -> Result<Vec<Option<String>>, ParseError> {
        let mut out = vec![None; names.len()];
        for f in self.given {
            let Some(body) = f.strip_prefix("--") else {
                return err(self.line, format!("arg should start with -- : {f}"));
            };
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(k) = names.iter().position(|n| *n == name) else {
                return err(self.line, format!("unknown flag: {name}"));
            };
            if out[k].is_some() {
                return err(self.line, format!("duplicate flag specified: {name}"));
            }
            match value {
                Some(v) => out[k] = Some(v.to_string()),
                None => return err(self.line, format!("missing a value on flag: {name}")),
            }
        }
        Ok(out)
    }
}

fn from(n: &Node) -> Result<Stage, ParseError> {
    let name = match n.args.len() {
        3 if n.args[1].eq_ignore_ascii_case("as") => {
            let name = n.args[2].to_ascii_lowercase();
            let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
            if !ok {
                return err(n.line, format!("invalid name for build stage: {:?}, name can't start with a number or contain symbols", n.args[2]));
            }
            Some(name)
        }
        1 => None,
        _ => return err(n.line, "FROM requires either one or three arguments"),
    };
    let flags = Flags { line: n.line, given: &n.flags }.strings(&["platform"])?;
    Ok(Stage { line: n.line, original: n.original.clone(), base: n.args[0].clone(), name, platform: flags[0].clone(), commands: Vec::new() })
}

fn pairs(n: &Node, what: &str) -> Result<Vec<(String, String)>, ParseError> {
    if n.args.is_empty() {
        return err(n.line, format!("{what} requires at least one argument"));
    }
    let mut out = Vec::new();
    for kv in n.args.chunks(2) {
        if kv[0].is_empty() {
            return err(n.line, format!("{what} names can not be blank"));
        }
        out.push((kv[0].clone(), kv.get(1).cloned().unwrap_or_default()));
    }
    Ok(out)
}

fn one(n: &Node, what: &str) -> Result<String, ParseError> {
    if n.args.len() != 1 {
        return err(n.line, format!("{what} requires exactly one argument"));
    }
    Ok(n.args[0].clone())
}

fn no_flags(n: &Node) -> Result<(), ParseError> {
    Flags { line: n.line, given: &n.flags }.strings(&[]).map(|_| ())
}

/// `handleJSONArgs`: exec form as is, shell form one string.
fn cmd_line(n: &Node) -> CmdLine {
    if n.json {
        CmdLine { args: n.args.clone(), json: true }
    } else {
        CmdLine { args: if n.args.is_empty() { Vec::new() } else { vec![n.args.join(" ")] }, json: false }
    }
}

/// `instructions.ParseInstruction` for everything but `FROM`.
fn instruction(n: &Node) -> Result<Kind, ParseError> {
    Ok(match n.cmd.as_str() {
        "env" => {
            no_flags(n)?;
            Kind::Env(pairs(n, "ENV")?)
        }
        "label" => {
            no_flags(n)?;
            Kind::Label(pairs(n, "LABEL")?)
        }
        "maintainer" => {
            let m = one(n, "MAINTAINER")?;
            no_flags(n)?;
            Kind::Maintainer(m)
        }
        "add" | "copy" => {
            let what = n.cmd.to_ascii_uppercase();
            if n.args.len() < 2 {
                return err(n.line, format!("{what} requires at least two arguments, but only one was provided. Destination could not be determined"));
            }
            let f = if what == "COPY" {
                Flags { line: n.line, given: &n.flags }.strings(&["chown", "from", "chmod"])?
            } else {
                let v = Flags { line: n.line, given: &n.flags }.strings(&["chown", "chmod"])?;
                vec![v[0].clone(), None, v[1].clone()]
            };
            let (dest, srcs) = n.args.split_last().expect("two or more args");
            let c = Copy { srcs: srcs.to_vec(), dest: dest.clone(), json: n.json, chown: f[0].clone(), from: f[1].clone(), chmod: f[2].clone() };
            if what == "COPY" {
                Kind::Copy(c)
            } else {
                Kind::Add(c)
            }
        }
        "onbuild" => {
            if n.args.is_empty() {
                return err(n.line, "ONBUILD requires at least one argument");
            }
            no_flags(n)?;
            match n.args[0].to_ascii_uppercase().as_str() {
                "ONBUILD" => return err(n.line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
                t @ ("MAINTAINER" | "FROM") => return err(n.line, format!("{t} isn't allowed as an ONBUILD trigger")),
                _ => {}
            }
            Kind::Onbuild(n.rest.clone())
        }
        "workdir" => {
            let w = one(n, "WORKDIR")?;
            no_flags(n)?;
            Kind::Workdir(w)
        }
        "run" => {
            no_flags(n)?;
            Kind::Run(cmd_line(n))
        }
        "cmd" => {
            no_flags(n)?;
            Kind::Cmd(cmd_line(n))
        }
        "entrypoint" => {
            no_flags(n)?;
            Kind::Entrypoint(cmd_line(n))
        }
        "shell" => {
            no_flags(n)?;
            let c = cmd_line(n);
            if c.args.is_empty() {
                return err(n.line, "SHELL requires at least one argument");
            }
            if !c.json {
                return err(n.line, format!("SHELL requires the arguments to be in JSON form: {}", n.original));
            }
            Kind::Shell(c.args)
        }
        "healthcheck" => {
            if n.args.is_empty() {
                return err(n.line, "HEALTHCHECK requires at least one argument");
            }
            let typ = n.args[0].to_ascii_uppercase();
            let rest = &n.args[1..];
            if typ == "NONE" {
                if !rest.is_empty() {
                    return err(n.line, "HEALTHCHECK NONE takes no arguments");
                }
                Kind::Healthcheck(vec![typ])
            } else {
                Flags { line: n.line, given: &n.flags }.strings(&["interval", "timeout", "start-period", "retries"])?;
                if typ != "CMD" {
                    return err(n.line, format!("Unknown type {typ:?} in HEALTHCHECK (try CMD)"));
                }
                let cmd: Vec<String> = if n.json { rest.to_vec() } else if rest.is_empty() { Vec::new() } else { vec![rest.join(" ")] };
                if cmd.is_empty() {
                    return err(n.line, "Missing command after HEALTHCHECK CMD");
                }
                let mut test = vec![if n.json { "CMD".to_string() } else { "CMD-SHELL".to_string() }];
                test.extend(cmd);
                Kind::Healthcheck(test)
            }
        }
        "expose" => {
            if n.args.is_empty() {
                return err(n.line, "EXPOSE requires at least one argument");
            }
            no_flags(n)?;
            let mut ports = n.args.clone();
            ports.sort();
            Kind::Expose(ports)
        }
        "user" => {
            let u = one(n, "USER")?;
            no_flags(n)?;
            Kind::User(u)
        }
        "volume" => {
            if n.args.is_empty() {
                return err(n.line, "VOLUME requires at least one argument");
            }
            no_flags(n)?;
            let mut vols = Vec::new();
            for v in &n.args {
                let v = v.trim();
                if v.is_empty() {
                    return err(n.line, "VOLUME specified can not be an empty string");
                }
                vols.push(v.to_string());
            }
            Kind::Volume(vols)
        }
        "stopsignal" => Kind::StopSignal(one(n, "STOPSIGNAL")?),
        "arg" => {
            if n.args.is_empty() {
                return err(n.line, "ARG requires at least one argument");
            }
            let mut out = Vec::new();
            for a in &n.args {
                match a.split_once('=') {
                    Some(("", _)) => return err(n.line, "ARG names can not be blank"),
                    Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
                    None => out.push((a.clone(), None)),
                }
            }
            Kind::Arg(out)
        }
        _ => {
            // The instruction as written: the original line's first word.
            let word = n.original.split(is_ws).next().unwrap_or("");
            return err(n.line, format!("unknown instruction: {}", word.to_ascii_uppercase()));
        }
    })
}

/// `shell.Lex.ProcessWord`: one word with quotes removed and variables replaced from `env`
/// (a lookup: `None` is unset).
pub fn expand(word: &str, escape: char, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let chars: Vec<char> = word.chars().collect();
    let mut lx = Lex { chars: &chars, pos: 0, escape, env };
    lx.process(None)
}

struct Lex<'a> {
    chars: &'a [char],
    pos: usize,
    escape: char,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Lex<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Reads up to (and consumes) `stop`, or to the end when `stop` is `None`.
    fn process(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                if stop.is_some() {
                    return Err("unexpected end of statement while looking for matching }".into());
                }
                return Ok(out);
            };
            if Some(c) == stop {
                self.next();
                return Ok(out);
            }
            match c {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => out.push_str(&self.double_quote()?),
                '$' => out.push_str(&self.dollar()?),
                _ if c == self.escape => {
                    self.next();
                    match self.next() {
                        Some(x) => out.push(x),
                        None => return Ok(out),
                    }
                }
                _ => {
                    self.next();
                    out.push(c);
                }
            }
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        self.next();
        let mut out = String::new();
        loop {
            match self.next() {
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
                None => return Err("unexpected end of statement while looking for matching single-quote".into()),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        self.next();
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("unexpected end of statement while looking for matching double-quote".into()),
                Some('"') => {
                    self.next();
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) => {
                    self.next();
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.next();
                                out.push(n);
                                continue;
                            }
                            _ => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        if let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                self.next();
                return c.to_string();
            }
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                self.next();
            } else {
                break;
            }
        }
        name
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok((self.env)(&name).unwrap_or_default());
        }
        self.next();
        let name = self.name();
        match self.next() {
            Some('}') => Ok((self.env)(&name).unwrap_or_default()),
            Some(':') => {
                let modifier = self.next();
                let word = self.process(Some('}'))?;
                let value = (self.env)(&name);
                match modifier {
                    Some('-') => Ok(match value {
                        Some(v) if !v.is_empty() => v,
                        _ => word,
                    }),
                    Some('+') => Ok(match value {
                        Some(v) if !v.is_empty() => word,
                        _ => String::new(),
                    }),
                    Some('?') => match value {
                        Some(v) if !v.is_empty() => Ok(v),
                        _ if word.is_empty() => Err(format!("{name}: is not allowed to be unset")),
                        _ => Err(format!("{name}: {word}")),
                    },
                    Some(m) => Err(format!("unsupported modifier ({m}) in substitution")),
                    None => Err("unexpected end of statement while looking for matching }".into()),
                }
            }
            Some(c) => Err(format!("missing ':' in substitution at {c:?}")),
            None => Err("unexpected end of statement while looking for matching }".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(text: &str) -> Dockerfile {
        parse(text, "Dockerfile").unwrap()
    }

    fn e(text: &str) -> String {
        parse(text, "Dockerfile").unwrap_err().to_string()
    }

    #[test]
    fn the_oracles_parse_errors() {
        // errors-build: the sentences Docker 20.10 printed after `Error response from daemon: `.
        assert_eq!(e("FROM 127.0.0.1:5000/bb:1\nRUNN echo hello\n"), "dockerfile parse error line 2: unknown instruction: RUNN");
        assert_eq!(e("FROM\nRUN echo hello\n"), "dockerfile parse error line 1: FROM requires either one or three arguments");
        assert_eq!(parse("", "Dockerfile.empty").unwrap_err().to_string(), "the Dockerfile (Dockerfile.empty) cannot be empty");
    }

    #[test]
    fn a_trailing_continuation_continues_into_nothing() {
        let d = p("FROM 127.0.0.1:5000/bb:1\nRUN echo first > /first.txt \\\n");
        let run = &d.stages[0].commands[0];
        assert_eq!(run.original, "RUN echo first > /first.txt");
        assert_eq!(run.kind, Kind::Run(CmdLine { args: vec!["echo first > /first.txt".into()], json: false }));
        assert_eq!(d.steps(), 2);
    }

    #[test]
    fn bad_json_is_shell_form() {
        let d = p("FROM bb\nCMD [\"echo\", \"hello\"\n");
        assert_eq!(d.stages[0].commands[0].kind, Kind::Cmd(CmdLine { args: vec!["[\"echo\", \"hello\"".into()], json: false }));
        assert_eq!(d.stages[0].commands[0].original, "CMD [\"echo\", \"hello\"");
        assert_eq!(e("FROM bb\nCMD [\"a\", 1]\n"), format!("dockerfile parse error line 2: {NOT_STRINGS}"));
    }

    #[test]
    fn meta_args_stages_and_steps() {
        // errors-build Dockerfile.arg: 5 steps, the ARG before FROM is a meta arg.
        let d = p("ARG GREETING=hello\nFROM 127.0.0.1:5000/bb:1\nRUN echo \"before: [$GREETING]\"\nARG GREETING\nRUN echo \"after: [$GREETING]\"\n");
        assert_eq!(d.steps(), 5);
        assert_eq!(d.meta_args[0].kind, Kind::Arg(vec![("GREETING".into(), Some("hello".into()))]));
        assert_eq!(d.stages[0].commands[1].kind, Kind::Arg(vec![("GREETING".into(), None)]));
        // build-multistage: a named stage, COPY --from, a blank line between stages.
        let d = p("FROM bb AS build\nRUN true\n\nFROM bb\nCOPY --from=build /out/app /usr/local/bin/app\n");
        assert_eq!(d.stages[0].name.as_deref(), Some("build"));
        assert_eq!(d.stages[1].line, 4);
        match &d.stages[1].commands[0].kind {
            Kind::Copy(c) => {
                assert_eq!(c.from.as_deref(), Some("build"));
                assert_eq!(c.srcs, ["/out/app"]);
                assert_eq!(c.dest, "/usr/local/bin/app");
            }
            k => panic!("{k:?}"),
        }
        assert_eq!(e("RUN x\n"), "no build stage in current context");
        assert_eq!(e("FROM a AS 1x\n"), "dockerfile parse error line 1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols");
    }

    #[test]
    fn env_and_label_forms() {
        // build-metadata's lines.
        let d = p("FROM bb\nENV APP_HOME=/srv/app APP_MODE=production\nLABEL org.example.team=\"layers\" version=\"1.0\"\nENV OLD  form with spaces\n");
        let c = &d.stages[0].commands;
        assert_eq!(c[0].kind, Kind::Env(vec![("APP_HOME".into(), "/srv/app".into()), ("APP_MODE".into(), "production".into())]));
        assert_eq!(c[1].kind, Kind::Label(vec![("org.example.team".into(), "\"layers\"".into()), ("version".into(), "\"1.0\"".into())]));
        assert_eq!(c[2].kind, Kind::Env(vec![("OLD".into(), "form with spaces".into())]));
        assert_eq!(e("FROM bb\nENV A\n"), "dockerfile parse error line 2: ENV must have two arguments");
        assert_eq!(e("FROM bb\nLABEL a=b c\n"), "dockerfile parse error line 2: Syntax error - can't find = in \"c\". Must be of the form: name=value");
    }

    #[test]
    fn comments_continuations_and_directives() {
        let d = p("# escape=`\nFROM bb\nRUN echo a `\n  # a comment inside\n  && echo b\n");
        assert_eq!(d.escape, '`');
        assert_eq!(d.stages[0].commands[0].kind, Kind::Run(CmdLine { args: vec!["echo a   && echo b".into()], json: false }));
        assert_eq!(d.stages[0].commands[0].line, 3);
        let d = p("FROM bb\nRUN a \\\n\n b\n");
        assert_eq!(d.warnings.len(), 2);
        assert_eq!(e("# escape=x\nFROM bb\n"), "dockerfile parse error line 1: invalid escape token 'x' does not match ` or \\");
        assert_eq!(e("# only a comment\n"), "failed to parse Dockerfile: file with no instructions");
    }

    #[test]
    fn flags_and_copy() {
        let d = p("FROM bb\nCOPY --chown=1000:1000 a b /dst/\nCOPY --chmod=755 t /t\nADD [\"x y\", \"/z\"]\n");
        let c = &d.stages[0].commands;
        match (&c[0].kind, &c[1].kind, &c[2].kind) {
            (Kind::Copy(a), Kind::Copy(b), Kind::Add(x)) => {
                assert_eq!(a.chown.as_deref(), Some("1000:1000"));
                assert_eq!(a.srcs, ["a", "b"]);
                assert_eq!(b.chmod.as_deref(), Some("755"));
                assert_eq!(x.srcs, ["x y"]);
                assert!(x.json);
            }
            k => panic!("{k:?}"),
        }
        assert_eq!(e("FROM bb\nCOPY --frm=a b c\n"), "dockerfile parse error line 2: unknown flag: frm");
        assert_eq!(e("FROM bb\nADD --from=a b c\n"), "dockerfile parse error line 2: unknown flag: from");
        assert_eq!(e("FROM bb\nCOPY a\n"), "dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined");
        assert_eq!(e("FROM bb\nRUN --mount=type=cache x\n"), "dockerfile parse error line 2: unknown flag: mount");
        assert_eq!(e("FROM bb\nSHELL sh -c\n"), "dockerfile parse error line 2: SHELL requires the arguments to be in JSON form: SHELL sh -c");
        assert_eq!(e("FROM bb\nONBUILD FROM x\n"), "dockerfile parse error line 2: FROM isn't allowed as an ONBUILD trigger");
        assert_eq!(p("FROM bb\nONBUILD RUN echo hi\n").stages[0].commands[0].kind, Kind::Onbuild("RUN echo hi".into()));
    }

    #[test]
    fn words_expand_like_the_builder() {
        let env = |k: &str| match k {
            "APP" => Some("demo".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let x = |w: &str| expand(w, '\\', &env).unwrap();
        assert_eq!(x("\"layers\""), "layers");
        assert_eq!(x("$APP-${APP}_x"), "demo-demo_x");
        assert_eq!(x("'$APP'"), "$APP");
        assert_eq!(x("\"a \\\"$APP\\\" \\n\""), "a \"demo\" \\n");
        assert_eq!(x("${NOPE:-fallback} ${EMPTY:-e} ${APP:+set} ${NOPE:+x}."), "fallback e set .");
        assert_eq!(x("\\$APP $ x"), "$APP $ x");
        assert_eq!(expand("${NOPE:?needed}", '\\', &env).unwrap_err(), "NOPE: needed");
        assert!(expand("'open", '\\', &env).is_err());
        assert!(expand("${APP", '\\', &env).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = parse(&s, "Dockerfile");
            let _ = expand(&s, '\\', &|_| None);
        }

        #[test]
        fn never_panics_on_dockerfile_shapes(lines in proptest::collection::vec(
            "(FROM|RUN|COPY|ADD|ENV|ARG|LABEL|CMD|SHELL|ONBUILD|HEALTHCHECK|#|  )[ \\\\`\"'\\[\\]=$a-z{}:,-]{0,24}", 0..8)) {
            let _ = parse(&lines.join("\n"), "Dockerfile");
        }
    }
}
