//! Tokens of one statement (sqlparser's tokenizer, comments and whitespace dropped) with byte
//! spans into the file, and a cursor to read them. Used by the readers for the statement forms
//! sqlparser rejects, by the type-name grammar and by the DO-block reader.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Location, Token, Tokenizer};

/// PostgreSQL's limit on identifier length (NAMEDATALEN - 1 bytes).
pub(crate) const MAX_IDENTIFIER: usize = 63;

/// A token and its byte range in the file.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub token: Token,
    pub span: Range<usize>,
}

/// The tokens of `text` (which starts at byte `base` of its file), without whitespace and
/// comments.
pub(crate) fn tokenize(text: &str, base: usize) -> Result<Vec<Tok>, String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    // Token locations only move forward: one cursor makes this linear in the statement's
    // length (a long line must not cost a scan from its start per token).
    let mut cursor = Locations::new(text);
    Ok(tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .map(|t| {
            let start = cursor.offset(t.span.start);
            let end = cursor.offset(t.span.end).max(start);
            Tok {
                span: base + start..base + end,
                token: t.token,
            }
        })
        .collect())
}

/// Byte offsets of sqlparser's (line, column in characters) locations, asked in order.
struct Locations<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last location converted, and its byte offset.
    line: usize,
    column: usize,
    byte: usize,
}

impl<'a> Locations<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locations {
            text,
            starts,
            line: 1,
            column: 1,
            byte: 0,
        }
    }

    fn offset(&mut self, at: Location) -> usize {
        let (line, column) = (at.line as usize, at.column as usize);
        if (line, column) < (self.line, self.column) || line != self.line {
            // A new line (or, never in practice, a step back): restart at the line's start.
            let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
                return self.text.len();
            };
            (self.line, self.column, self.byte) = (line, 1, start);
        }
        let rest = &self.text[self.byte..];
        let step = column.saturating_sub(self.column);
        let moved = rest.char_indices().nth(step).map_or(rest.len(), |(i, _)| i);
        self.byte += moved;
        self.column = column.max(1);
        self.byte
    }
}

/// Folds an identifier as PostgreSQL does: unquoted ones to lower case (ASCII only, as in a
/// UTF-8 database), then truncated to 63 bytes.
pub(crate) fn fold_ident(value: &str, quoted: bool) -> String {
    let mut name = if quoted {
        value.to_string()
    } else {
        value.to_ascii_lowercase()
    };
    if name.len() > MAX_IDENTIFIER {
        let mut end = MAX_IDENTIFIER;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

/// A position in a token slice.
pub(crate) struct Cursor<'t> {
    toks: &'t [Tok],
    pos: usize,
}

impl<'t> Cursor<'t> {
    pub fn new(toks: &'t [Tok]) -> Self {
        Cursor { toks, pos: 0 }
    }

    pub fn peek(&self) -> Option<&'t Token> {
        self.toks.get(self.pos).map(|t| &t.token)
    }

    pub fn peek_nth(&self, n: usize) -> Option<&'t Token> {
        self.toks.get(self.pos + n).map(|t| &t.token)
    }

    pub fn next(&mut self) -> Option<&'t Tok> {
        let tok = self.toks.get(self.pos)?;
        self.pos += 1;
        Some(tok)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.toks.len());
    }

    /// The tokens not read yet.
    pub fn rest(&self) -> &'t [Tok] {
        &self.toks[self.pos..]
    }

    /// Byte span of the next token (or the end of the last one).
    pub fn span(&self) -> Range<usize> {
        match self.toks.get(self.pos) {
            Some(t) => t.span.clone(),
            None => self.toks.last().map_or(0..0, |t| t.span.end..t.span.end),
        }
    }

    /// The next token is the unquoted word `word` (any case).
    pub fn is_word(&self, word: &str) -> bool {
        is_word(self.peek(), word)
    }

    pub fn is_word_at(&self, n: usize, word: &str) -> bool {
        is_word(self.peek_nth(n), word)
    }

    pub fn eat_word(&mut self, word: &str) -> bool {
        let yes = self.is_word(word);
        if yes {
            self.pos += 1;
        }
        yes
    }

    /// Consumes `words` if they all come next, else nothing.
    pub fn eat_words(&mut self, words: &[&str]) -> bool {
        let yes = words.iter().enumerate().all(|(i, w)| self.is_word_at(i, w));
        if yes {
            self.pos += words.len();
        }
        yes
    }

    pub fn expect_word(&mut self, word: &str) -> Result<(), ReadError> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.error(format!("expected {}", word.to_uppercase())))
        }
    }

    pub fn is(&self, token: &Token) -> bool {
        self.peek() == Some(token)
    }

    pub fn eat(&mut self, token: &Token) -> bool {
        let yes = self.is(token);
        if yes {
            self.pos += 1;
        }
        yes
    }

    pub fn expect(&mut self, token: &Token) -> Result<(), ReadError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{token}`")))
        }
    }

    /// An identifier (quoted or not, keywords included), folded.
    pub fn ident(&mut self) -> Result<String, ReadError> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let name = fold_ident(&w.value, w.quote_style.is_some());
                self.pos += 1;
                Ok(name)
            }
            _ => Err(self.error("expected a name")),
        }
    }

    /// `a`, `a.b` or `a.b.c`, each part folded.
    pub fn object_name(&mut self) -> Result<Vec<String>, ReadError> {
        let mut parts = vec![self.ident()?];
        while self.is(&Token::Period) && matches!(self.peek_nth(1), Some(Token::Word(_))) {
            self.pos += 1;
            parts.push(self.ident()?);
        }
        Ok(parts)
    }

    /// Skips one token, or a whole parenthesised or bracketed group when at its opening.
    pub fn skip_one(&mut self) {
        let open = match self.peek() {
            Some(Token::LParen) => Token::LParen,
            Some(Token::LBracket) => Token::LBracket,
            _ => {
                self.pos += 1;
                return;
            }
        };
        let close = if open == Token::LParen {
            Token::RParen
        } else {
            Token::RBracket
        };
        let mut depth = 0usize;
        while let Some(tok) = self.next() {
            if tok.token == open {
                depth += 1;
            } else if tok.token == close {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }

    /// Reads `( ... )` and returns the tokens between the parentheses.
    pub fn parenthesized(&mut self) -> Result<&'t [Tok], ReadError> {
        if !self.is(&Token::LParen) {
            return Err(self.error("expected `(`"));
        }
        let start = self.pos + 1;
        self.skip_one();
        let end = self.pos.saturating_sub(1).max(start);
        Ok(&self.toks[start..end])
    }

    /// Skips to the next top-level occurrence of one of `words` (or the end).
    pub fn skip_until_word(&mut self, words: &[&str]) {
        while !self.at_end() && !words.iter().any(|w| self.is_word(w)) {
            self.skip_one();
        }
    }

    pub fn error(&self, message: impl Into<String>) -> ReadError {
        ReadError {
            message: message.into(),
            span: self.span(),
        }
    }
}

pub(crate) fn is_word(token: Option<&Token>, word: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// `tokens` split at top-level commas.
pub(crate) fn split_commas(tokens: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, tok) in tokens.iter().enumerate() {
        match tok.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() || !parts.is_empty() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// Why a token-level reader could not read a statement, and where.
#[derive(Debug, Clone)]
pub(crate) struct ReadError {
    pub message: String,
    pub span: Range<usize>,
}

impl ReadError {
    pub fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        ReadError {
            message: message.into(),
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_bytes_into_the_file() {
        let text = "CREATE TABLE \"bıg\" (x int, -- c\n y $$a\nb$$)";
        let toks = tokenize(text, 10).unwrap();
        let y = toks
            .iter()
            .find(|t| matches!(&t.token, Token::Word(w) if w.value == "y"))
            .unwrap();
        assert_eq!(&text[y.span.start - 10..y.span.end - 10], "y");
        let big = &toks[2];
        assert_eq!(&text[big.span.start - 10..big.span.end - 10], "\"bıg\"");
        let dollar = &toks[toks.len() - 2];
        assert_eq!(
            &text[dollar.span.start - 10..dollar.span.end - 10],
            "$$a\nb$$"
        );
    }

    #[test]
    fn folds_like_postgres() {
        assert_eq!(fold_ident("Users", false), "users");
        assert_eq!(fold_ident("Users", true), "Users");
        assert_eq!(fold_ident("BIGINT", false), "bigint");
        assert_eq!(fold_ident(&"x".repeat(70), false).len(), 63);
    }
}
