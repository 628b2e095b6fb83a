//! Splits SQL text into statements the way psql does: on `;` outside strings, quoted
//! identifiers, dollar quotes, comments, parentheses and `BEGIN ATOMIC ... END` bodies.

use std::ops::Range;

use super::lex::{Token, TokenKind, is_space, tokenize};

/// Byte ranges of the statements in `text`, each trimmed of surrounding whitespace, without its
/// terminating `;`. Empty statements (`;;`, only comments) are dropped. Leading comments before
/// a statement are not part of its range, nor are comments between its last token and the `;`.
pub fn split_statements(text: &str) -> Vec<Range<usize>> {
    split_tokens(text, &tokenize(text), |_| false)
        .into_iter()
        .map(|s| s.span)
        .collect()
}

/// One statement: its byte range and the indices of its tokens (first to last non-comment
/// token, comments in between included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub span: Range<usize>,
    pub tokens: Range<usize>,
}

/// Splits `tokens` into statements. A token for which `is_boundary(index)` holds (a query
/// annotation) ends the statement before it whatever the nesting, so that one missing `;` or
/// unbalanced parenthesis cannot swallow the queries after it.
pub(crate) fn split_tokens(
    src: &str,
    tokens: &[Token],
    is_boundary: impl Fn(usize) -> bool,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut current = Current::default();
    for (i, token) in tokens.iter().enumerate() {
        if is_boundary(i) {
            statements.extend(current.finish(src, tokens));
            continue;
        }
        if token.is_comment() {
            continue;
        }
        if token.is_punct(src, ";") && current.at_top_level() {
            statements.extend(current.finish(src, tokens));
            continue;
        }
        current.push(src, i, token);
    }
    statements.extend(current.finish(src, tokens));
    statements
}

/// The statement being read, and psql's nesting state for it.
#[derive(Default)]
struct Current {
    first: Option<usize>,
    last: usize,
    paren_depth: usize,
    begin_depth: usize,
    /// First letters of the leading words when they are among `create or replace function
    /// procedure` (0 otherwise), to recognise `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
    leading_words: [u8; 4],
    word_count: usize,
}

impl Current {
    fn at_top_level(&self) -> bool {
        self.paren_depth == 0 && self.begin_depth == 0
    }

    fn push(&mut self, src: &str, index: usize, token: &Token) {
        self.first.get_or_insert(index);
        self.last = index;
        match token.kind {
            TokenKind::Punct => match token.text(src) {
                "(" => self.paren_depth += 1,
                ")" => self.paren_depth = self.paren_depth.saturating_sub(1),
                _ => {}
            },
            TokenKind::Ident => self.word(token.text(src)),
            _ => {}
        }
    }

    /// psql's heuristic (psqlscan.l): inside `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, `BEGIN`
    /// opens a block, `CASE` nests within one, and `END` closes either.
    fn word(&mut self, word: &str) {
        let is = |w: &str| word.eq_ignore_ascii_case(w);
        if ["create", "or", "replace", "function", "procedure"]
            .into_iter()
            .any(is)
            && self.word_count < self.leading_words.len()
        {
            self.leading_words[self.word_count] = word.as_bytes()[0].to_ascii_lowercase();
        }
        self.word_count += 1;
        let routine = matches!(
            self.leading_words,
            [b'c', b'f' | b'p', ..] | [b'c', b'o', b'r', b'f' | b'p']
        );
        if !routine || self.paren_depth > 0 {
            return;
        }
        if is("begin") || (is("case") && self.begin_depth > 0) {
            self.begin_depth += 1;
        } else if is("end") {
            self.begin_depth = self.begin_depth.saturating_sub(1);
        }
    }

    fn finish(&mut self, src: &str, tokens: &[Token]) -> Option<Statement> {
        let state = std::mem::take(self);
        let first = state.first?;
        let start = tokens[first].span.start;
        // Only an unterminated string or quoted identifier can end in whitespace.
        let end = start
            + src[start..tokens[state.last].span.end]
                .trim_end_matches(is_space_char)
                .len();
        Some(Statement {
            span: start..end,
            tokens: first..state.last + 1,
        })
    }
}

fn is_space_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        split_statements(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn splits_on_semicolons_and_trims() {
        assert_eq!(
            split("  SELECT 1 ;\n\nSELECT 2;  "),
            ["SELECT 1", "SELECT 2"]
        );
        assert_eq!(split("SELECT 1"), ["SELECT 1"]);
        assert_eq!(
            split(";;  ; -- only a comment\n/* and another */;"),
            Vec::<&str>::new()
        );
        assert_eq!(
            split("-- lead\nSELECT /* mid */ 1 -- tail\n;"),
            ["SELECT /* mid */ 1"]
        );
    }

    #[test]
    fn quoting_hides_semicolons() {
        assert_eq!(
            split("SELECT 'a;b''c;'; SELECT 2"),
            ["SELECT 'a;b''c;'", "SELECT 2"]
        );
        assert_eq!(
            split(r"SELECT E'it\'s;'; SELECT 2"),
            [r"SELECT E'it\'s;'", "SELECT 2"]
        );
        assert_eq!(
            split(r"SELECT U&'x;\0041'; SELECT 2"),
            [r"SELECT U&'x;\0041'", "SELECT 2"]
        );
        assert_eq!(
            split(r#"SELECT 1 AS "a;""b"; SELECT 2"#),
            [r#"SELECT 1 AS "a;""b""#, "SELECT 2"]
        );
        assert_eq!(
            split("SELECT $$a;b$$; SELECT 2"),
            ["SELECT $$a;b$$", "SELECT 2"]
        );
        assert_eq!(
            split("SELECT $f$ $$; $f$; SELECT 2"),
            ["SELECT $f$ $$; $f$", "SELECT 2"]
        );
        assert_eq!(split("SELECT $1; SELECT $2"), ["SELECT $1", "SELECT $2"]);
        assert_eq!(
            split("SELECT 1 -- x;\n; SELECT 2"),
            ["SELECT 1", "SELECT 2"]
        );
        assert_eq!(
            split("SELECT /* ; /* ; */ ; */ 1; SELECT 2"),
            ["SELECT /* ; /* ; */ ; */ 1", "SELECT 2"]
        );
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let text = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n\
                    BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT a;\nEND;\n\
                    SELECT f(1);";
        let parts = split(text);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].ends_with("END"), "{parts:?}");
        assert_eq!(parts[1], "SELECT f(1)");

        let procedure = "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END; SELECT 1";
        assert_eq!(split(procedure).len(), 2);
        // A transaction's BEGIN is not a body.
        assert_eq!(split("BEGIN; SELECT 1; END;"), ["BEGIN", "SELECT 1", "END"]);
        // Nor is a CASE outside of routines.
        assert_eq!(
            split("SELECT CASE WHEN true THEN 1 END; SELECT 2"),
            ["SELECT CASE WHEN true THEN 1 END", "SELECT 2"]
        );
    }

    #[test]
    fn parentheses_hold_semicolons_like_psql() {
        assert_eq!(
            split("SELECT (1;2); SELECT 3"),
            ["SELECT (1;2)", "SELECT 3"]
        );
    }

    #[test]
    fn unterminated_quoting_takes_the_rest() {
        assert_eq!(
            split("SELECT 1; SELECT 'a; SELECT 2;"),
            ["SELECT 1", "SELECT 'a; SELECT 2;"]
        );
        assert_eq!(split("SELECT $$ ; "), ["SELECT $$ ;"]);
        assert_eq!(split("SELECT 1 /* ; "), ["SELECT 1"]);
    }

    #[test]
    fn boundaries_cut_statements() {
        let text = "SELECT (1\n-- name: B :one\nSELECT 2;";
        let tokens = tokenize(text);
        let boundary = tokens
            .iter()
            .position(|t| t.kind == TokenKind::LineComment)
            .unwrap();
        let parts: Vec<&str> = split_tokens(text, &tokens, |i| i == boundary)
            .into_iter()
            .map(|s| &text[s.span])
            .collect();
        assert_eq!(parts, ["SELECT (1", "SELECT 2"]);
    }
}
