//! A small SQL lexer: enough to split a file into statements and read their leading keywords.
//!
//! The runtime cannot depend on `squill-codegen`'s parser, and only needs three things from a
//! migration's text: where each statement starts and ends (to run `-- squill:no-transaction`
//! files one statement at a time and to point at the statement that failed), and the first few
//! words of a statement (to spot `COMMIT` or `CREATE INDEX CONCURRENTLY`). It understands what
//! can hide a `;`: comments (nested `/* */` too), quoted strings (`'..'`, `E'..'` with
//! backslash escapes), quoted identifiers, dollar quotes and `BEGIN ATOMIC ... END` bodies
//! (following psql's own rule). It never fails: unterminated quotes run to the end of the text.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A keyword or unquoted identifier.
    Word,
    Semicolon,
    /// A string constant: `'..'`, `E'..'`, `$tag$..$tag$`.
    String,
    /// Anything else that is not a comment or whitespace: literals, operators, punctuation.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    span: Range<usize>,
}

/// One statement: its byte range in the text, from its first token to its last (the
/// terminating `;` excluded). Statements made only of comments are not statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub span: Range<usize>,
    /// The first words (upper-cased), for recognising the kind of statement.
    pub leading_words: Vec<String>,
}

impl Statement {
    /// True when the statement's words start with `words` (upper case).
    pub fn starts_with(&self, words: &[&str]) -> bool {
        self.leading_words.len() >= words.len()
            && self.leading_words.iter().zip(words).all(|(a, b)| a == b)
    }
}

/// How many leading words a [`Statement`] keeps: enough for `CREATE UNIQUE INDEX CONCURRENTLY`.
const LEADING_WORDS: usize = 6;

/// Splits `text` into statements.
pub(crate) fn split(text: &str) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut current: Option<Statement> = None;
    // psql's rule for SQL-standard function bodies: inside CREATE FUNCTION/PROCEDURE, BEGIN and
    // CASE open a block that END closes, and a `;` inside a block does not end the statement.
    let mut depth = 0usize;
    for token in Lexer::new(text) {
        if token.kind == Kind::Semicolon && depth == 0 {
            statements.extend(current.take());
            continue;
        }
        let statement = current.get_or_insert_with(|| Statement {
            span: token.span.clone(),
            leading_words: Vec::new(),
        });
        statement.span.end = token.span.end;
        if token.kind != Kind::Word {
            continue;
        }
        let word = text[token.span].to_ascii_uppercase();
        if is_routine_definition(&statement.leading_words) {
            match word.as_str() {
                "BEGIN" | "CASE" => depth += 1,
                "END" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if statement.leading_words.len() < LEADING_WORDS {
            statement.leading_words.push(word);
        }
    }
    statements.extend(current);
    statements
}

/// The tokens of `text` as written (comments and whitespace dropped), and whether each is a
/// word (keyword or unquoted identifier).
pub(crate) fn tokens(text: &str) -> Vec<(&str, bool)> {
    Lexer::new(text)
        .map(|t| (&text[t.span], t.kind == Kind::Word))
        .collect()
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, judged from the words seen so far.
fn is_routine_definition(words: &[String]) -> bool {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["CREATE", "FUNCTION" | "PROCEDURE", ..]
            | ["CREATE", "OR", "REPLACE", "FUNCTION" | "PROCEDURE", ..]
    )
}

/// Byte offset of the first token (not whitespace, not a comment), or the text's length.
pub(crate) fn first_token_offset(text: &str) -> usize {
    Lexer::new(text)
        .next()
        .map_or(text.len(), |token| token.span.start)
}

/// Byte offset of the first string constant (a `DO` block's body), if any.
pub(crate) fn first_string_offset(text: &str) -> Option<usize> {
    Lexer::new(text)
        .find(|token| token.kind == Kind::String)
        .map(|token| token.span.start)
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(b), _) if b.is_ascii_whitespace() => self.pos += 1,
                (Some(b'-'), Some(b'-')) => {
                    self.pos = self.text[self.pos..]
                        .find('\n')
                        .map_or(self.bytes.len(), |i| self.pos + i + 1);
                }
                (Some(b'/'), Some(b'*')) => self.skip_block_comment(),
                _ => return,
            }
        }
    }

    fn skip_block_comment(&mut self) {
        // Block comments nest in PostgreSQL.
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            match (self.peek(0), self.peek(1)) {
                (Some(b'/'), Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        return;
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips a quoted run starting at the opening `quote`; a doubled quote is an escaped one.
    fn skip_quoted(&mut self, quote: u8, backslash_escapes: bool) {
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            if backslash_escapes && b == b'\\' {
                self.pos += 1;
            } else if b == quote {
                if self.peek(0) == Some(quote) {
                    self.pos += 1;
                } else {
                    return;
                }
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }

    /// At a `$`: the length of a dollar-quote opening tag (`$$`, `$tag$`), if it is one.
    fn dollar_tag_len(&self) -> Option<usize> {
        for (i, &b) in self.bytes[self.pos + 1..].iter().enumerate() {
            if b == b'$' {
                return Some(i + 2);
            }
            let ok = is_ident_start(b) || (i > 0 && b.is_ascii_digit());
            if !ok {
                return None;
            }
        }
        None
    }

    fn skip_dollar_quoted(&mut self, tag_len: usize) {
        let tag = &self.text[self.pos..self.pos + tag_len];
        let body_start = self.pos + tag_len;
        self.pos = self.text[body_start..]
            .find(tag)
            .map_or(self.bytes.len(), |i| body_start + i + tag_len);
    }

    fn previous_is_ident(&self) -> bool {
        self.pos > 0 && is_ident_continue(self.bytes[self.pos - 1])
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_trivia();
        let start = self.pos;
        let b = self.peek(0)?;
        let kind = match b {
            b';' => {
                self.pos += 1;
                Kind::Semicolon
            }
            b'\'' => {
                self.skip_quoted(b'\'', false);
                Kind::String
            }
            b'"' => {
                self.skip_quoted(b'"', false);
                Kind::Other
            }
            b'$' if !self.previous_is_ident() => {
                match self.dollar_tag_len() {
                    Some(tag_len) => {
                        self.skip_dollar_quoted(tag_len);
                        Kind::String
                    }
                    // `$1`, or a lone `$`.
                    None => {
                        self.pos += 1;
                        while self.peek(0).is_some_and(|b| b.is_ascii_digit()) {
                            self.pos += 1;
                        }
                        Kind::Other
                    }
                }
            }
            b'e' | b'E' if self.peek(1) == Some(b'\'') => {
                // E'...': backslash escapes, so `\'` does not end the string.
                self.pos += 1;
                self.skip_quoted(b'\'', true);
                Kind::String
            }
            b if is_ident_start(b) => {
                while self.peek(0).is_some_and(is_ident_continue) {
                    self.pos += 1;
                }
                Kind::Word
            }
            b if b.is_ascii_digit() => {
                while self
                    .peek(0)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
                {
                    self.pos += 1;
                }
                Kind::Other
            }
            _ => {
                // One character (whole, for non-ASCII).
                let len = self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
                self.pos += len;
                Kind::Other
            }
        };
        Some(Token {
            kind,
            span: start..self.pos,
        })
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().map(|s| &sql[s.span]).collect()
    }

    #[test]
    fn splits_on_top_level_semicolons_only() {
        let sql = "-- head; comment\nCREATE TABLE a (x text DEFAULT ';');\n\
                   /* a; /* nested; */ still; */ INSERT INTO a VALUES (E'\\';'), ($$;$$);\n\
                   CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                   SELECT \"odd;name\" FROM a;;  ;\n-- trailing comment\n";
        assert_eq!(
            texts(sql),
            [
                "CREATE TABLE a (x text DEFAULT ';')",
                "INSERT INTO a VALUES (E'\\';'), ($$;$$)",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "SELECT \"odd;name\" FROM a",
            ]
        );
    }

    #[test]
    fn keeps_begin_atomic_bodies_whole() {
        let sql = "CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql\n\
                   BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\n\
                   SELECT 3";
        let parts = texts(sql);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].ends_with("END"));
        assert_eq!(parts[1], "SELECT 3");
    }

    #[test]
    fn reads_leading_words_and_survives_garbage() {
        let statements = split("create unique index concurrently i on t (x); commit");
        assert!(statements[0].starts_with(&["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]));
        assert!(statements[1].starts_with(&["COMMIT"]));
        for garbage in ["'unterminated", "$tag$ never closed", "\"", "$", "e'\\"] {
            assert_eq!(split(garbage).len(), 1, "{garbage}");
        }
        assert!(split("-- only a comment\n/* and another */").is_empty());
        assert!(split("/* never closed; SELECT 1;").is_empty());
        assert_eq!(split("SELECT $1, a$b$c FROM t").len(), 1);
    }
}
