//! The syntax of statements the catalog skips: skipping one must not hide a statement
//! PostgreSQL rejects (a typo inside a `GRANT` fails the migration as surely as one in `CREATE
//! TABLE`).
//!
//! sqlparser reads most of them. Where it rejects one, sqlparser may be the one at fault (it
//! does not know `ISNULL`, `CREATE INDEX ... ON ONLY`, `ALTER INDEX ... ATTACH PARTITION`,
//! ...), so the statement is held to a skeleton of its form instead: balanced parentheses and
//! the keywords PostgreSQL's grammar requires (`GRANT ... TO`, `COMMENT ON ... IS`, `CREATE
//! INDEX ... ON ... (`, ...). A statement that fails both is a syntax error where sqlparser
//! stopped; one that passes the skeleton is accepted (and counted in
//! [`super::DdlStats::skipped_unchecked`]).

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use super::{Applied, Loader, Problem, Stmt, parser_error_span};
use crate::catalog::tokens::{Tok, is_word};

impl Loader {
    /// A statement the catalog skips must still be one PostgreSQL accepts.
    pub(super) fn check_skipped(&mut self, stmt: &Stmt) -> Applied {
        let parsed = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(stmt.sql)
            .and_then(|mut p| p.parse_statements());
        let violation = unbalanced(&stmt.toks).or_else(|| skeleton(&stmt.toks));
        match (parsed, violation) {
            (Ok(_), None) => Ok(()),
            (Err(_), None) => {
                self.stats.skipped_unchecked += 1;
                Ok(())
            }
            (_, Some(Where::Token(at))) => Err(syntax_error_at_token(stmt, Some(at))),
            (_, Some(Where::End)) => Err(syntax_error_at_token(stmt, None)),
            (Err(e), Some(Where::Unknown)) => {
                let message = e.to_string();
                if message.contains("found: EOF") {
                    return Err(syntax_error_at_token(stmt, None));
                }
                let span = parser_error_span(stmt, &message);
                let at = stmt.toks.iter().position(|t| t.span.start >= span.start);
                Err(syntax_error_at_token(stmt, at))
            }
            (Ok(_), Some(Where::Unknown)) => Err(syntax_error_at_token(stmt, Some(0))),
        }
    }
}

/// Where a statement breaks its form's skeleton, as PostgreSQL's parser would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Token(usize),
    /// It ends too early.
    End,
    /// Somewhere the skeleton cannot tell.
    Unknown,
}

/// PostgreSQL's `syntax error at or near "token"`; at the end of the statement, at the `;`
/// that ends it (`at end of input` when nothing does).
pub(super) fn syntax_error_at_token(stmt: &Stmt, at: Option<usize>) -> Problem {
    if let Some(tok) = at.and_then(|i| stmt.toks.get(i)) {
        let text = stmt.text_of(tok.span.clone());
        return Problem::new(format!("syntax error at or near \"{text}\"")).at(tok.span.clone());
    }
    if let Some(last) = stmt.toks.last().filter(|t| t.token == Token::SemiColon) {
        return Problem::new("syntax error at or near \";\"").at(last.span.clone());
    }
    let end = stmt.toks.last().map_or(stmt.range.end, |t| t.span.end);
    let after = &stmt.file.text[end.min(stmt.file.text.len())..];
    let gap = after.len() - after.trim_start().len();
    if after.trim_start().starts_with(';') {
        let at = end + gap;
        return Problem::new("syntax error at or near \";\"").at(at..at + 1);
    }
    Problem::new("syntax error at end of input").at(end..end)
}

/// The first parenthesis or bracket without its partner.
fn unbalanced(toks: &[Tok]) -> Option<Where> {
    let mut open: Vec<&Token> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match &t.token {
            Token::LParen | Token::LBracket => open.push(&t.token),
            Token::RParen | Token::RBracket => match open.pop() {
                Some(Token::LParen) if t.token == Token::RParen => {}
                Some(Token::LBracket) if t.token == Token::RBracket => {}
                _ => return Some(Where::Token(i)),
            },
            _ => {}
        }
    }
    (!open.is_empty()).then_some(Where::End)
}

/// Where a statement breaks the keywords its form must have (top level, after its leading
/// words), if it does.
fn skeleton(toks: &[Tok]) -> Option<Where> {
    let words: Vec<String> = toks
        .iter()
        .take(4)
        .map_while(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let position = |word: &str| {
        top_level(toks)
            .map(|(i, _)| i)
            .find(|&i| is_word(Some(&toks[i].token), word))
    };
    // `word` must come, and something after it.
    let needs = |word: &str| match position(word) {
        Some(i) if i + 1 < toks.len() => None,
        _ => Some(Where::End),
    };
    match w.as_slice() {
        ["GRANT", ..] => needs("to"),
        ["REVOKE", ..] => needs("from"),
        ["COMMENT", "ON", ..] => comment_value(toks),
        ["CREATE", "UNIQUE", "INDEX", ..] | ["CREATE", "INDEX", ..] => needs("on")
            .or_else(|| (!toks.iter().any(|t| t.token == Token::LParen)).then_some(Where::Unknown)),
        ["CREATE", "CONSTRAINT", "TRIGGER", ..] | ["CREATE", "TRIGGER", ..] => {
            needs("on").or_else(|| needs("execute"))
        }
        ["CREATE" | "ALTER", "POLICY", ..] => needs("on"),
        ["INSERT", ..] => {
            (!is_word(toks.get(1).map(|t| &t.token), "into")).then_some(Where::Token(1))
        }
        ["UPDATE", ..] => position("set").is_none().then_some(Where::Unknown),
        ["DELETE", ..] => {
            (!is_word(toks.get(1).map(|t| &t.token), "from")).then_some(Where::Token(1))
        }
        // Other forms: their leading words were checked by the classifier.
        _ => None,
    }
}

/// `COMMENT ON ... IS 'text'` / `IS NULL`: the last two tokens.
fn comment_value(toks: &[Tok]) -> Option<Where> {
    let Some(is) = toks.iter().rposition(|t| is_word(Some(&t.token), "is")) else {
        return Some(Where::Unknown);
    };
    match &toks[is + 1..] {
        [] => Some(Where::End),
        [value] if is_word(Some(&value.token), "null") || is_string(&value.token) => None,
        _ => Some(Where::Token(is + 1)),
    }
}

fn is_string(token: &Token) -> bool {
    matches!(
        token,
        Token::SingleQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::DollarQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
    )
}

/// The tokens outside any parentheses, with their index.
fn top_level(toks: &[Tok]) -> impl Iterator<Item = (usize, &Tok)> {
    let mut depth = 0usize;
    toks.iter().enumerate().filter(move |(_, t)| {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0
    })
}
