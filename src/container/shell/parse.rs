//! The grammar of a `sh -c` script: POSIX XCU "Shell Command Language" §2.3 (token
//! recognition), §2.9 (commands) and §2.10 (grammar), in the subset busybox 1.35 ash scripts in
//! Dockerfiles use, read by hand-written recursive descent.
//!
//! Rules:
//! - Lists (`;`, `&`, newline; `&` runs in the foreground: nothing here runs in the
//!   background), and-or lists (`&&`, `||`), pipelines (`|`, `!`), simple commands with
//!   assignment prefixes (`A=1 cmd`) and redirections (`>`, `>>`, `<`, `>|`, `<>`, `N>&M`,
//!   `N<&M`, `N>file`), compound commands: `{ …; }`, `( … )`, `if/elif/else/fi`,
//!   `while`/`until … do … done`, `for NAME [in WORDS]; do … done`, `case … esac`.
//! - Words keep their quoting ([`Part`]): `'…'`, `"…"`, `\`, `$NAME`, `${NAME}`,
//!   `${NAME:-w}` (and `-`, `:=`, `=`, `:+`, `+`, `?`, `${#NAME}`, `${NAME#p}`, `##`, `%`,
//!   `%%`), `$?`, `$#`, `$0`-`$9`, `$@`,
//!   `$*`, `$$`, `$(…)` and backquotes (their text parsed as a script in turn). `#` at the
//!   start of a word comments out the rest of the line. Reserved words count only unquoted
//!   and in command position.
//! - Bad input gives one sentence in ash's words (`syntax error: unexpected end of file
//!   (expecting "done")`, `syntax error: unexpected "fi"`, `syntax error: unterminated quoted
//!   string`); the caller prefixes `sh: ` and exits 2. Never a panic: nesting deeper than
//!   [`MAX_DEPTH`] and scripts longer than [`MAX_SCRIPT`] bytes are refused in one sentence.
//! - Not supported (refused in one sentence, never misread): here-documents (`<<`), arithmetic
//!   `$((…))`, functions (`name() …`).
//!
//! Why hand-written: the crates.io shell parsers did not fit — `brush-parser` 0.4 needs Rust
//!   1.88 (this crate promises 1.80) and brings `peg` and friends; `yash-syntax` parses
//!   through an async API; `conch-parser` (0.1.1) has not been released since 2017. The subset
//!   above is a few hundred lines. Size: the page links only [`super::run`] (one line, no
//!   interpreter), so its worker wasm grew 3.3 KB (0.5 KB gzipped, after wasm-bindgen); linking
//!   the whole interpreter into the page would cost about 150 KB (65 KB gzipped), more than the
//!   page's 600 KB gzipped budget has left (measured 2026-11-26).

/// The deepest nesting of compound commands and substitutions a script may have.
pub const MAX_DEPTH: usize = 64;
/// The longest script read.
pub const MAX_SCRIPT: usize = 1 << 20;

/// A list: and-or lists run one after another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List(pub Vec<AndOr>);

/// `p1 && p2 || p3`: the bool is true for `&&`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(bool, Pipeline)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub bang: bool,
    pub cmds: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Simple(Simple),
    Compound(Compound, Vec<Redir>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Simple {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compound {
    Brace(List),
    Subshell(List),
    /// (condition, body) for `if` and each `elif`, then the `else` body.
    If(Vec<(List, List)>, Option<List>),
    /// `while` (or `until` when the bool is true).
    While(bool, List, List),
    /// `for NAME [in WORDS]` (no `in`: the positional parameters).
    For(String, Option<Vec<Word>>, List),
    Case(Word, Vec<(Vec<Word>, List)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `>` and `>|`
    Out,
    /// `>>`
    Append,
    /// `<`
    In,
    /// `<>`
    ReadWrite,
    /// `>&` (target is a fd number or `-`)
    DupOut,
    /// `<&`
    DupIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redir {
    pub fd: u32,
    pub op: RedirOp,
    pub target: Word,
}

/// A word: its parts in order.
pub type Word = Vec<Part>;

/// A piece of a word; `quoted` parts are neither field-split nor taken as reserved words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit { text: Vec<u8>, quoted: bool },
    Param { name: String, op: ParamOp, quoted: bool },
    Sub { list: List, quoted: bool },
}

/// What a `${…}` does beyond naming a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamOp {
    Plain,
    /// `${#X}`
    Length,
    /// `${X-w}` / `${X:-w}` (bool: with colon, i.e. empty counts as unset)
    Default(bool, Word),
    /// `${X=w}` / `${X:=w}`
    Assign(bool, Word),
    /// `${X+w}` / `${X:+w}`
    Alt(bool, Word),
    /// `${X?w}` / `${X:?w}`
    Error(bool, Word),
    /// `${X#p}`, `${X##p}` (prefix), `${X%p}`, `${X%%p}` (suffix): (suffix, longest, pattern)
    Trim(bool, bool, Word),
}

/// Parses a whole script.
pub fn parse(script: &str) -> Result<List, String> {
    if script.len() > MAX_SCRIPT {
        return Err(format!("script too long ({} bytes; at most {MAX_SCRIPT} are read)", script.len()));
    }
    let mut p = Parser { b: script.as_bytes(), i: 0, depth: 0 };
    let list = p.list(&[])?;
    p.blanks();
    if p.i < p.b.len() {
        return Err(p.unexpected());
    }
    Ok(list)
}

const RESERVED: &[&str] = &["if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in", "case", "esac", "{", "}", "!"];

fn is_meta(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')')
}

fn is_name(s: &[u8]) -> bool {
    !s.is_empty() && !s[0].is_ascii_digit() && s.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

/// Where a word is being read: its end and how blanks count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// A command word: ends at a blank or operator.
    Plain,
    /// Inside `"…"`.
    Dquote,
    /// The word of `${X:-…}`, outside double quotes: ends at `}`, blanks are part of it.
    Brace,
    /// The word of `${X:-…}` inside double quotes.
    BraceDq,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn at(&self, s: &str) -> bool {
        self.b[self.i..].starts_with(s.as_bytes())
    }
    /// Skips blanks, `\`-newlines and a comment.
    fn blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.i += 1,
                Some(b'\\') if self.b.get(self.i + 1) == Some(&b'\n') => self.i += 2,
                Some(b'#') => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }
    fn newlines(&mut self) {
        loop {
            self.blanks();
            if self.peek() == Some(b'\n') {
                self.i += 1;
            } else {
                return;
            }
        }
    }

    /// The next token as ash names it in `unexpected …`.
    fn token_name(&mut self) -> String {
        self.blanks();
        let Some(c) = self.peek() else { return "end of file".into() };
        if c == b'\n' {
            return "newline".into();
        }
        for op in ["&&", "||", ";;", ">>", "<<", ">&", "<&", ">|", "<>", ";", "&", "|", "(", ")", "<", ">"] {
            if self.at(op) {
                return format!("\"{op}\"");
            }
        }
        match self.bare_word() {
            Some(w) if RESERVED.contains(&w.as_str()) => format!("\"{w}\""),
            _ => "word".into(),
        }
    }
    fn unexpected(&mut self) -> String {
        format!("syntax error: unexpected {}", self.token_name())
    }
    fn expecting(&mut self, what: &str) -> String {
        format!("syntax error: unexpected {} (expecting \"{what}\")", self.token_name())
    }

    /// The unquoted word at the cursor, if it is plain text (for reserved words).
    fn bare_word(&self) -> Option<String> {
        let mut j = self.i;
        while j < self.b.len() && !is_meta(self.b[j]) {
            if matches!(self.b[j], b'\'' | b'"' | b'\\' | b'$' | b'`') {
                return None;
            }
            j += 1;
        }
        if j == self.i {
            return None;
        }
        std::str::from_utf8(&self.b[self.i..j]).ok().map(str::to_string)
    }
    fn at_reserved(&mut self, w: &str) -> bool {
        self.blanks();
        self.bare_word().as_deref() == Some(w)
    }
    fn expect_reserved(&mut self, w: &str) -> Result<(), String> {
        if self.at_reserved(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(self.expecting(w))
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("syntax error: nesting deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    /// A list, up to one of the reserved words `ends`, a `)`, `;;` or the end.
    fn list(&mut self, ends: &[&str]) -> Result<List, String> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.newlines();
            match self.peek() {
                None | Some(b')') => break,
                _ if self.at(";;") => break,
                _ => {}
            }
            if let Some(w) = self.bare_word() {
                if ends.contains(&w.as_str()) {
                    break;
                }
            }
            items.push(self.and_or()?);
            self.blanks();
            match self.peek() {
                Some(b';') if !self.at(";;") => self.i += 1,
                Some(b'&') if !self.at("&&") => self.i += 1,
                Some(b'\n') => self.i += 1,
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(List(items))
    }

    /// A list that must hold a command (a compound command's part).
    fn body(&mut self, ends: &[&str], expecting: &str) -> Result<List, String> {
        let l = self.list(ends)?;
        if l.0.is_empty() {
            return Err(if self.peek().is_none() { self.expecting(expecting) } else { self.unexpected() });
        }
        Ok(l)
    }

    fn and_or(&mut self) -> Result<AndOr, String> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            self.blanks();
            let and = if self.at("&&") {
                true
            } else if self.at("||") {
                false
            } else {
                break;
            };
            self.i += 2;
            self.newlines();
            rest.push((and, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, String> {
        let bang = self.at_reserved("!");
        if bang {
            self.i += 1;
        }
        let mut cmds = vec![self.command()?];
        loop {
            self.blanks();
            if self.peek() == Some(b'|') && !self.at("||") {
                self.i += 1;
                self.newlines();
                cmds.push(self.command()?);
            } else {
                break;
            }
        }
        Ok(Pipeline { bang, cmds })
    }

    fn command(&mut self) -> Result<Command, String> {
        self.blanks();
        if self.peek() == Some(b'(') {
            if self.at("((") {
                return Err("syntax error: arithmetic commands `((…))` are not supported here".into());
            }
            self.i += 1;
            let l = self.body(&[], ")")?;
            self.blanks();
            if self.peek() != Some(b')') {
                return Err(self.expecting(")"));
            }
            self.i += 1;
            return self.compound_redirs(Compound::Subshell(l));
        }
        let word = self.bare_word();
        let c = match word.as_deref() {
            Some("{") => {
                self.i += 1;
                let l = self.body(&["}"], "}")?;
                self.expect_reserved("}")?;
                Compound::Brace(l)
            }
            Some("if") => {
                self.i += 2;
                let mut arms = Vec::new();
                let mut otherwise = None;
                loop {
                    let cond = self.body(&["then"], "then")?;
                    self.expect_reserved("then")?;
                    let body = self.body(&["elif", "else", "fi"], "fi")?;
                    arms.push((cond, body));
                    if self.at_reserved("elif") {
                        self.i += 4;
                        continue;
                    }
                    if self.at_reserved("else") {
                        self.i += 4;
                        otherwise = Some(self.body(&["fi"], "fi")?);
                    }
                    self.expect_reserved("fi")?;
                    break;
                }
                Compound::If(arms, otherwise)
            }
            Some(w @ ("while" | "until")) => {
                let until = w == "until";
                self.i += w.len();
                let cond = self.body(&["do"], "do")?;
                self.expect_reserved("do")?;
                let body = self.body(&["done"], "done")?;
                self.expect_reserved("done")?;
                Compound::While(until, cond, body)
            }
            Some("for") => {
                self.i += 3;
                self.blanks();
                let name = self.bare_word().filter(|n| is_name(n.as_bytes())).ok_or_else(|| self.unexpected())?;
                self.i += name.len();
                self.newlines();
                let mut words = None;
                if self.at_reserved("in") {
                    self.i += 2;
                    let mut ws = Vec::new();
                    loop {
                        self.blanks();
                        match self.peek() {
                            Some(b';' | b'\n') => {
                                self.i += 1;
                                break;
                            }
                            Some(c) if !is_meta(c) => ws.push(self.word(Ctx::Plain)?),
                            _ => return Err(self.expecting("do")),
                        }
                    }
                    words = Some(ws);
                } else if self.peek() == Some(b';') {
                    self.i += 1;
                }
                self.newlines();
                self.expect_reserved("do")?;
                let body = self.body(&["done"], "done")?;
                self.expect_reserved("done")?;
                Compound::For(name, words, body)
            }
            Some("case") => {
                self.i += 4;
                self.blanks();
                if self.peek().map_or(true, is_meta) {
                    return Err(self.unexpected());
                }
                let subject = self.word(Ctx::Plain)?;
                self.newlines();
                self.expect_reserved("in")?;
                let mut arms = Vec::new();
                loop {
                    self.newlines();
                    if self.at_reserved("esac") {
                        self.i += 4;
                        break;
                    }
                    if self.peek() == Some(b'(') {
                        self.i += 1;
                    }
                    let mut pats = Vec::new();
                    loop {
                        self.blanks();
                        match self.peek() {
                            Some(c) if !is_meta(c) => pats.push(self.word(Ctx::Plain)?),
                            _ => return Err(self.unexpected()),
                        }
                        self.blanks();
                        match self.peek() {
                            Some(b'|') => self.i += 1,
                            Some(b')') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.expecting(")")),
                        }
                    }
                    let body = self.list(&["esac"])?;
                    arms.push((pats, body));
                    self.newlines();
                    if self.at(";;") {
                        self.i += 2;
                    } else if self.at_reserved("esac") {
                        self.i += 4;
                        break;
                    } else {
                        return Err(self.expecting("esac"));
                    }
                }
                Compound::Case(subject, arms)
            }
            Some(w @ ("then" | "elif" | "else" | "fi" | "do" | "done" | "in" | "esac" | "}")) => {
                return Err(format!("syntax error: unexpected \"{w}\""));
            }
            _ => return self.simple().map(Command::Simple),
        };
        self.compound_redirs(c)
    }

    fn compound_redirs(&mut self, c: Compound) -> Result<Command, String> {
        let mut redirs = Vec::new();
        loop {
            self.blanks();
            match self.redir()? {
                Some(r) => redirs.push(r),
                None => break,
            }
        }
        if self.peek().is_some_and(|c| !is_meta(c)) {
            return Err(self.unexpected());
        }
        Ok(Command::Compound(c, redirs))
    }

    /// A redirection at the cursor, if there is one.
    fn redir(&mut self) -> Result<Option<Redir>, String> {
        let start = self.i;
        let mut j = self.i;
        while j < self.b.len() && self.b[j].is_ascii_digit() {
            j += 1;
        }
        let fd_text = &self.b[self.i..j];
        if !matches!(self.b.get(j), Some(b'<' | b'>')) || fd_text.len() > 2 {
            return Ok(None);
        }
        let explicit: Option<u32> = std::str::from_utf8(fd_text).ok().and_then(|s| s.parse().ok());
        self.i = j;
        let (op, len, default_fd) = if self.at("<<") {
            return Err("here-documents (<<) are not supported here".into());
        } else if self.at(">>") {
            (RedirOp::Append, 2, 1)
        } else if self.at(">&") {
            (RedirOp::DupOut, 2, 1)
        } else if self.at(">|") {
            (RedirOp::Out, 2, 1)
        } else if self.at("<&") {
            (RedirOp::DupIn, 2, 0)
        } else if self.at("<>") {
            (RedirOp::ReadWrite, 2, 0)
        } else if self.at(">") {
            (RedirOp::Out, 1, 1)
        } else {
            (RedirOp::In, 1, 0)
        };
        self.i += len;
        self.blanks();
        if self.peek().map_or(true, is_meta) {
            let e = self.unexpected();
            self.i = start;
            return Err(e);
        }
        let target = self.word(Ctx::Plain)?;
        Ok(Some(Redir { fd: explicit.unwrap_or(default_fd), op, target }))
    }

    fn simple(&mut self) -> Result<Simple, String> {
        let mut s = Simple::default();
        loop {
            self.blanks();
            if let Some(r) = self.redir()? {
                s.redirs.push(r);
                continue;
            }
            match self.peek() {
                Some(b'(') if s.words.len() == 1 && s.assigns.is_empty() => {
                    return Err("syntax error: functions (`name() { …; }`) are not supported here".into());
                }
                Some(c) if !is_meta(c) => {
                    let w = self.word(Ctx::Plain)?;
                    if s.words.is_empty() {
                        if let Some(Part::Lit { text, quoted: false }) = w.first() {
                            if let Some(eq) = text.iter().position(|&c| c == b'=') {
                                if is_name(&text[..eq]) {
                                    let name = String::from_utf8_lossy(&text[..eq]).into_owned();
                                    let mut value = w.clone();
                                    value[0] = Part::Lit { text: text[eq + 1..].to_vec(), quoted: false };
                                    s.assigns.push((name, value));
                                    continue;
                                }
                            }
                        }
                    }
                    s.words.push(w);
                }
                _ => break,
            }
        }
        if s.words.is_empty() && s.assigns.is_empty() && s.redirs.is_empty() {
            return Err(self.unexpected());
        }
        Ok(s)
    }

    /// Reads a word (or the inside of `"…"` or of `${X:-…}`) into parts.
    fn word(&mut self, ctx: Ctx) -> Result<Word, String> {
        let quoted = matches!(ctx, Ctx::Dquote | Ctx::BraceDq);
        let mut parts: Vec<Part> = Vec::new();
        let mut lit: Vec<u8> = Vec::new();
        let flush = |parts: &mut Vec<Part>, lit: &mut Vec<u8>, q: bool| {
            if !lit.is_empty() {
                parts.push(Part::Lit { text: std::mem::take(lit), quoted: q });
            }
        };
        loop {
            let Some(c) = self.peek() else {
                return match ctx {
                    Ctx::Plain => break,
                    Ctx::Dquote => Err("syntax error: unterminated quoted string".into()),
                    Ctx::Brace | Ctx::BraceDq => Err("syntax error: missing '}'".into()),
                };
            };
            match (ctx, c) {
                (Ctx::Plain, c) if is_meta(c) => break,
                (Ctx::Dquote, b'"') => {
                    self.i += 1;
                    break;
                }
                (Ctx::Brace | Ctx::BraceDq, b'}') => break,
                (Ctx::Plain | Ctx::Brace, b'\'') => {
                    let Some(end) = self.b[self.i + 1..].iter().position(|&c| c == b'\'') else {
                        return Err("syntax error: unterminated quoted string".into());
                    };
                    flush(&mut parts, &mut lit, quoted);
                    parts.push(Part::Lit { text: self.b[self.i + 1..self.i + 1 + end].to_vec(), quoted: true });
                    self.i += end + 2;
                }
                (Ctx::Plain | Ctx::Brace, b'"') => {
                    self.i += 1;
                    self.enter()?;
                    let inner = self.word(Ctx::Dquote)?;
                    self.depth -= 1;
                    flush(&mut parts, &mut lit, quoted);
                    // `""` is an empty quoted field.
                    if inner.is_empty() {
                        parts.push(Part::Lit { text: Vec::new(), quoted: true });
                    }
                    parts.extend(inner);
                }
                (_, b'\\') => {
                    let next = self.b.get(self.i + 1).copied();
                    match next {
                        None => {
                            lit.push(b'\\');
                            self.i += 1;
                        }
                        Some(b'\n') => self.i += 2,
                        Some(n) if !quoted || matches!(n, b'$' | b'`' | b'"' | b'\\') || (ctx == Ctx::BraceDq && n == b'}') => {
                            flush(&mut parts, &mut lit, quoted);
                            parts.push(Part::Lit { text: vec![n], quoted: true });
                            self.i += 2;
                        }
                        Some(n) => {
                            lit.extend_from_slice(&[b'\\', n]);
                            self.i += 2;
                        }
                    }
                }
                (_, b'$') => {
                    if let Some(p) = self.dollar(quoted)? {
                        flush(&mut parts, &mut lit, quoted);
                        parts.push(p);
                    } else {
                        lit.push(b'$');
                        self.i += 1;
                    }
                }
                (_, b'`') => {
                    let mut j = self.i + 1;
                    let mut inner = Vec::new();
                    loop {
                        match self.b.get(j) {
                            None => return Err("syntax error: unterminated quoted string".into()),
                            Some(b'`') => break,
                            Some(b'\\') if matches!(self.b.get(j + 1), Some(b'$' | b'`' | b'\\')) => {
                                inner.push(self.b[j + 1]);
                                j += 2;
                            }
                            Some(&c) => {
                                inner.push(c);
                                j += 1;
                            }
                        }
                    }
                    self.i = j + 1;
                    let text = String::from_utf8_lossy(&inner).into_owned();
                    let mut sub = Parser { b: text.as_bytes(), i: 0, depth: self.depth + 1 };
                    let list = sub.list(&[])?;
                    sub.blanks();
                    if sub.i < sub.b.len() {
                        return Err(sub.unexpected());
                    }
                    flush(&mut parts, &mut lit, quoted);
                    parts.push(Part::Sub { list, quoted });
                }
                (_, c) => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        flush(&mut parts, &mut lit, quoted);
        Ok(parts)
    }

    /// `$…` at the cursor: a parameter or a command substitution (None: a literal `$`).
    fn dollar(&mut self, quoted: bool) -> Result<Option<Part>, String> {
        let next = self.b.get(self.i + 1).copied();
        match next {
            Some(b'(') => {
                if self.b.get(self.i + 2) == Some(&b'(') {
                    return Err("arithmetic expansion $((…)) is not supported here".into());
                }
                self.i += 2;
                let list = self.list(&[])?;
                self.blanks();
                if self.peek() != Some(b')') {
                    return Err(self.expecting(")"));
                }
                self.i += 1;
                Ok(Some(Part::Sub { list, quoted }))
            }
            Some(b'{') => {
                self.i += 2;
                let length = self.peek() == Some(b'#') && self.b.get(self.i + 1).is_some_and(|&c| c != b'}');
                if length {
                    self.i += 1;
                }
                let name = self.param_name().ok_or_else(|| "syntax error: bad substitution".to_string())?;
                if length {
                    if self.peek() != Some(b'}') {
                        return Err("syntax error: bad substitution".into());
                    }
                    self.i += 1;
                    return Ok(Some(Part::Param { name, op: ParamOp::Length, quoted }));
                }
                if let Some(c @ (b'#' | b'%')) = self.peek() {
                    self.i += 1;
                    let longest = self.peek() == Some(c);
                    if longest {
                        self.i += 1;
                    }
                    self.enter()?;
                    let w = self.word(if quoted { Ctx::BraceDq } else { Ctx::Brace })?;
                    self.depth -= 1;
                    if self.peek() != Some(b'}') {
                        return Err("syntax error: missing '}'".into());
                    }
                    self.i += 1;
                    return Ok(Some(Part::Param { name, op: ParamOp::Trim(c == b'%', longest, w), quoted }));
                }
                let colon = self.peek() == Some(b':');
                if colon {
                    self.i += 1;
                }
                let kind = self.peek();
                let op = match kind {
                    Some(b'}') if !colon => {
                        self.i += 1;
                        return Ok(Some(Part::Param { name, op: ParamOp::Plain, quoted }));
                    }
                    Some(b'-' | b'=' | b'+' | b'?') => {
                        self.i += 1;
                        self.enter()?;
                        let w = self.word(if quoted { Ctx::BraceDq } else { Ctx::Brace })?;
                        self.depth -= 1;
                        match kind {
                            Some(b'-') => ParamOp::Default(colon, w),
                            Some(b'=') => ParamOp::Assign(colon, w),
                            Some(b'+') => ParamOp::Alt(colon, w),
                            _ => ParamOp::Error(colon, w),
                        }
                    }
                    _ => return Err("syntax error: bad substitution".into()),
                };
                if self.peek() != Some(b'}') {
                    return Err("syntax error: missing '}'".into());
                }
                self.i += 1;
                Ok(Some(Part::Param { name, op, quoted }))
            }
            _ => {
                self.i += 1;
                match self.param_name() {
                    Some(name) => Ok(Some(Part::Param { name, op: ParamOp::Plain, quoted })),
                    None => {
                        self.i -= 1;
                        Ok(None)
                    }
                }
            }
        }
    }

    /// A parameter name at the cursor: NAME, one digit, or one of `?#@*$!-`.
    fn param_name(&mut self) -> Option<String> {
        let c = self.peek()?;
        if c.is_ascii_digit() || b"?#@*$!-".contains(&c) {
            self.i += 1;
            return Some((c as char).to_string());
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            self.i += 1;
        }
        if start == self.i || self.b[start].is_ascii_digit() {
            self.i = start;
            return None;
        }
        Some(String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str, quoted: bool) -> Part {
        Part::Lit { text: s.as_bytes().to_vec(), quoted }
    }

    #[test]
    fn words_keep_their_quoting() {
        let l = parse(r#"echo "a $X" 'b c'\ d ${Y:-z w}"#).unwrap();
        let Command::Simple(s) = &l.0[0].first.cmds[0] else { panic!() };
        assert_eq!(s.words.len(), 4);
        assert_eq!(s.words[1], vec![lit("a ", true), Part::Param { name: "X".into(), op: ParamOp::Plain, quoted: true }]);
        assert_eq!(s.words[2], vec![lit("b c", true), lit(" ", true), lit("d", false)]);
        assert!(matches!(&s.words[3][0], Part::Param { op: ParamOp::Default(true, w), .. } if w == &vec![lit("z w", false)]));
    }

    #[test]
    fn compound_commands_and_redirections_parse() {
        let l = parse("while read a b; do echo \"$a\" > /x/$a; done < /f").unwrap();
        let Command::Compound(Compound::While(false, _, body), redirs) = &l.0[0].first.cmds[0] else { panic!("{l:?}") };
        assert_eq!(body.0.len(), 1);
        assert_eq!(redirs[0].op, RedirOp::In);
        let l = parse("if false; then :; elif true; then echo y; else echo n; fi; for i in 1 2; do echo $i; done").unwrap();
        assert_eq!(l.0.len(), 2);
        let l = parse("echo x >&2 2>/dev/null 2>&1 | sort | ! cat").unwrap();
        assert_eq!(l.0[0].first.cmds.len(), 3);
        assert!(parse("A=1 B=$(echo `pwd`) env").is_ok());
        assert!(parse("case $x in a|b) echo ab;; *) echo other;; esac").is_ok());
        assert!(parse("{ echo a; echo b; } > f; (cd /; pwd)").is_ok());
    }

    #[test]
    fn errors_are_ash_sentences() {
        let cases = [
            ("while true; do", "syntax error: unexpected end of file (expecting \"done\")"),
            ("echo 'x", "syntax error: unterminated quoted string"),
            ("echo \"x", "syntax error: unterminated quoted string"),
            ("done", "syntax error: unexpected \"done\""),
            ("echo a && ", "syntax error: unexpected end of file"),
            ("| x", "syntax error: unexpected \"|\""),
            ("if true; then fi", "syntax error: unexpected \"fi\""),
            ("echo )", "syntax error: unexpected \")\""),
            ("echo >", "syntax error: unexpected end of file"),
            ("echo $(ls", "syntax error: unexpected end of file (expecting \")\")"),
        ];
        for (s, want) in cases {
            assert_eq!(parse(s).unwrap_err(), want, "{s}");
        }
        let deep = "( ".repeat(200);
        assert!(parse(&deep).unwrap_err().contains("nesting"));
    }
}
