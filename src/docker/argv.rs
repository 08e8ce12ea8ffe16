//! A script line split into words as the oracle's recorder splits it: Python's `shlex.split`
//! (POSIX mode, no comments): blanks separate words, `'...'` is literal, `"..."` keeps
//! everything but `\"`, `\\`, `\$`, `` \` `` and `\<newline>`, a backslash outside quotes
//! escapes the next character. No pipes, redirections or variables at this level (README,
//! "SCRIPT format").
//!
//! Rules: any input gives words or one error sentence (`No closing quotation`, `No escaped
//! character`, as shlex words them); never a panic (`tests` has a property test).

/// Splits `line` into words.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some('\n') => {}
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("No closing quotation".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') => {}
                    Some(x) => cur.push(x),
                    None => return Err("No escaped character".into()),
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quotes_like_shlex() {
        assert_eq!(split("docker run --name c1 bb sh -c 'echo x > /x'").unwrap(), ["docker", "run", "--name", "c1", "bb", "sh", "-c", "echo x > /x"]);
        assert_eq!(split(r#"docker ps --format "{{.Names}} \"q\"""#).unwrap(), ["docker", "ps", "--format", "{{.Names}} \"q\""]);
        assert_eq!(split(r"a\ b ''").unwrap(), ["a b", ""]);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("a 'b").unwrap_err(), "No closing quotation");
        assert_eq!(split("a \\").unwrap_err(), "No escaped character");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = split(&s);
        }

        #[test]
        fn plain_words_round_trip(ws in proptest::collection::vec("[a-z0-9:/._-]{1,12}", 0..8)) {
            prop_assert_eq!(split(&ws.join(" ")).unwrap(), ws);
        }
    }
}
