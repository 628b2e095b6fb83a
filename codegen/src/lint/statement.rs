//! One statement of a migration (or query) file: where it is, its tokens, and its AST when
//! sqlparser can read it.
//!
//! Rules that need structure use the AST; rules that must also work on statements sqlparser
//! cannot parse (PL/pgSQL bodies, newer syntax) look at the tokens.

use std::ops::Range;

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, Tokenizer};

use super::catalog;

/// A token with its byte range in the file. Whitespace and comments are dropped.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub token: Token,
    pub span: Range<usize>,
    /// 1-based line within the statement, to find the tokens that share a line.
    pub line: u64,
}

#[derive(Debug)]
pub(crate) struct Statement {
    /// Byte range in the file, as the splitter returned it (may include leading comments).
    pub range: Range<usize>,
    pub tokens: Vec<Tok>,
    /// `None` when sqlparser cannot parse the statement.
    pub ast: Option<ast::Statement>,
}

impl Statement {
    /// Tokenizes (and, with `parse`, parses) `file_text[range]`. `None` when the range holds
    /// no code at all (only comments).
    pub fn read(file_text: &str, range: Range<usize>, parse: bool) -> Option<Statement> {
        let text = file_text.get(range.clone())?;
        let tokens = tokenize(text, range.start);
        if tokens.is_empty() {
            return None;
        }
        let ast = if parse { parse_one(text) } else { None };
        Some(Statement { range, tokens, ast })
    }

    /// Byte offset of the statement's first keyword (after any leading comments).
    pub fn start(&self) -> usize {
        self.tokens
            .first()
            .map_or(self.range.start, |t| t.span.start)
    }

    /// File byte offset of a location sqlparser reported inside this statement (an AST node's
    /// span), or `None` for the empty location sqlparser uses when it does not know.
    pub fn offset_of(&self, file_text: &str, location: Location) -> Option<usize> {
        if location.line == 0 {
            return None;
        }
        let text = file_text.get(self.range.clone())?;
        let mut cursor = Cursor::new(text);
        cursor.seek(location).map(|o| self.range.start + o)
    }

    /// The span to underline for a finding at `anchor`: the tokens on the anchor's line.
    /// That is the whole statement for one-liners, and the offending clause otherwise.
    pub fn line_span(&self, anchor: usize) -> Range<usize> {
        let Some(at) = self.tokens.iter().rposition(|t| t.span.start <= anchor) else {
            return self.start()..self.start();
        };
        let line = self.tokens[at].line;
        let on_line = self.tokens.iter().filter(|t| t.line == line);
        let start = on_line
            .clone()
            .map(|t| t.span.start)
            .min()
            .unwrap_or(anchor);
        let end = on_line.map(|t| t.span.end).max().unwrap_or(anchor);
        start..end
    }

    /// Is token `i` the unquoted keyword `word` (case-insensitive)?
    pub fn is_kw(&self, i: usize, word: &str) -> bool {
        matches!(self.tokens.get(i), Some(Tok { token: Token::Word(w), .. })
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }

    /// Does the statement begin with these keywords?
    pub fn starts_with(&self, words: &[&str]) -> bool {
        self.starts_with_at(0, words)
    }

    /// Do the tokens from index `i` on begin with these keywords?
    pub fn starts_with_at(&self, i: usize, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(k, w)| self.is_kw(i + k, w))
    }

    /// Index of the first occurrence of the keyword sequence `words`, at or after `from`.
    pub fn find_seq(&self, from: usize, words: &[&str]) -> Option<usize> {
        (from..self.tokens.len()).find(|&i| self.starts_with_at(i, words))
    }

    /// Skips any of the optional keywords `words` starting at `i`; returns the next index.
    pub fn skip_kws(&self, mut i: usize, words: &[&str]) -> usize {
        while words.iter().any(|w| self.is_kw(i, w)) {
            i += 1;
        }
        i
    }

    /// Reads a possibly qualified name (`schema.table`, quoted or not) at token `i`: the
    /// normalised catalog key and the index after it.
    pub fn object_name_at(&self, mut i: usize) -> Option<(String, usize)> {
        let mut parts = Vec::new();
        loop {
            let Some(Tok {
                token: Token::Word(w),
                ..
            }) = self.tokens.get(i)
            else {
                return None;
            };
            parts.push(catalog::normalize(&w.value, w.quote_style.is_some()));
            i += 1;
            if !matches!(
                self.tokens.get(i),
                Some(Tok {
                    token: Token::Period,
                    ..
                })
            ) {
                break;
            }
            i += 1;
        }
        Some((catalog::key_from_parts(parts), i))
    }
}

/// Tokens without whitespace and comments, with file offsets. A tokenizer error (say an
/// unterminated string) keeps the tokens read before it: enough for the text-level rules.
fn tokenize(text: &str, base: usize) -> Vec<Tok> {
    let dialect = PostgreSqlDialect {};
    let mut raw = Vec::new();
    let _ = Tokenizer::new(&dialect, text).tokenize_with_location_into_buf(&mut raw);
    let mut cursor = Cursor::new(text);
    let mut tokens = Vec::new();
    for t in raw {
        if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
            continue;
        }
        let (Some(start), Some(end)) = (cursor.seek(t.span.start), cursor.seek(t.span.end)) else {
            continue;
        };
        tokens.push(Tok {
            token: t.token,
            span: base + start..base + end,
            line: t.span.start.line,
        });
    }
    tokens
}

fn parse_one(text: &str) -> Option<ast::Statement> {
    // Too deep to walk: the rules that need the tree skip it (the catalog reports it).
    crate::depth::check(text).ok()?;
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, text).ok()?;
    if statements.len() == 1 {
        statements.pop()
    } else {
        None
    }
}

/// Converts sqlparser's (line, column-in-characters) locations to byte offsets. Moves
/// forward from the last position, so converting a statement's tokens in order is linear.
struct Cursor<'a> {
    text: &'a str,
    line: u64,
    column: u64,
    offset: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text,
            line: 1,
            column: 1,
            offset: 0,
        }
    }

    fn seek(&mut self, target: Location) -> Option<usize> {
        if (target.line, target.column) < (self.line, self.column) {
            *self = Cursor::new(self.text);
        }
        while (self.line, self.column) < (target.line, target.column) {
            let c = self.text[self.offset..].chars().next()?;
            self.offset += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        Some(self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_file_offsets() {
        let file = "-- c\nSELECT 'é', \"Ab\"\n  FROM x;";
        let s = Statement::read(file, 5..file.len() - 1, true).unwrap();
        assert_eq!(s.start(), 5);
        let from = s
            .tokens
            .iter()
            .find(|t| matches!(&t.token, Token::Word(w) if w.value == "FROM"));
        assert_eq!(&file[from.unwrap().span.clone()], "FROM");
        assert_eq!(&file[s.line_span(file.find('x').unwrap())], "FROM x");
        assert!(s.ast.is_some());
    }

    #[test]
    fn comment_only_range_is_not_a_statement() {
        assert!(Statement::read("-- nothing here", 0..15, true).is_none());
    }
}
