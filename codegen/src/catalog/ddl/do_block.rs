//! `DO` blocks. Migrations use them to make DDL idempotent:
//!
//! ```sql
//! DO $$ BEGIN
//!     ALTER TYPE model_type ADD VALUE 'Guard';
//! EXCEPTION WHEN duplicate_object THEN NULL;
//! END $$;
//! ```
//!
//! The PL/pgSQL body is read for its straight-line statements (those of the main block and of
//! nested `BEGIN ... END` blocks), which are applied like top-level ones; with an `EXCEPTION`
//! handler, an error (the value already exists) is swallowed as the handler would. DDL in an
//! `IF NOT EXISTS (...) THEN` branch is applied the same tolerant way (the usual "create it
//! unless it exists" guard). DDL under any other condition, in a loop, or run by `EXECUTE`
//! cannot be followed offline and gets a warning.

use std::ops::Range;

use sqlparser::tokenizer::Token;

use super::{Form, Loader, Stmt, classify};
use crate::catalog::tokens::{Tok, is_word, tokenize};

impl Loader {
    pub(super) fn do_block(&mut self, stmt: &Stmt, text: &str) {
        let followed_before = self.stats.applied + self.stats.failed;
        let mut language = "plpgsql".to_string();
        let mut body = None;
        let mut i = 1;
        while i < stmt.toks.len() {
            let tok = &stmt.toks[i];
            match &tok.token {
                Token::Word(w) if w.value.eq_ignore_ascii_case("language") => {
                    if let Some(Token::Word(lang)) = stmt.toks.get(i + 1).map(|t| &t.token) {
                        language = lang.value.to_ascii_lowercase();
                    }
                    i += 1;
                }
                Token::DollarQuotedString(d) => {
                    let delimiter = d.tag.as_ref().map_or(2, |t| t.len() + 2);
                    body = Some(tok.span.start + delimiter..tok.span.end - delimiter);
                }
                Token::SingleQuotedString(_) => {
                    self.warn(
                        stmt,
                        tok.span.clone(),
                        "squill does not read DO blocks quoted with '...'; use $$ ... $$",
                    );
                }
                _ => {}
            }
            i += 1;
        }
        let body = match (language.as_str(), body) {
            ("plpgsql", Some(body)) => body,
            _ => {
                self.stats.skipped_irrelevant += 1;
                return;
            }
        };
        let Ok(toks) = tokenize(&text[body.clone()], body.start) else {
            self.warn(stmt, stmt.head(), "squill cannot read this DO block's body");
            self.stats.skipped_irrelevant += 1;
            return;
        };
        self.plpgsql_block(stmt, text, &toks, false);
        if self.stats.applied + self.stats.failed == followed_before {
            self.stats.skipped_irrelevant += 1;
        } else {
            self.stats.applied += 1;
        }
    }

    /// `[<<label>>] [DECLARE ...] BEGIN statements [EXCEPTION handlers] END [label]`.
    fn plpgsql_block(&mut self, stmt: &Stmt, text: &str, toks: &[Tok], tolerant: bool) {
        let Some(begin) = toks.iter().position(|t| is_word(Some(&t.token), "begin")) else {
            return;
        };
        let inner = &toks[begin + 1..];
        let end = scan(inner, |t| is_word(Some(&t.token), "end")).unwrap_or(inner.len());
        let inner = &inner[..end];
        let (statements, handled) = match scan(inner, |t| is_word(Some(&t.token), "exception")) {
            Some(at) => (&inner[..at], true),
            None => (inner, false),
        };
        for statement in split_statements(statements) {
            self.plpgsql_statement(stmt, text, statement, tolerant || handled);
        }
    }

    fn plpgsql_statement(&mut self, stmt: &Stmt, text: &str, toks: &[Tok], tolerant: bool) {
        let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
            return;
        };
        let first_word = match &first.token {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_lowercase(),
            Token::ShiftLeft | Token::Lt => "<<".to_string(),
            _ => String::new(),
        };
        let assignment = matches!(
            toks.get(1).map(|t| &t.token),
            Some(Token::Assignment | Token::Eq | Token::Period | Token::LBracket)
        );
        match first_word.as_str() {
            "begin" | "declare" | "<<" => self.plpgsql_block(stmt, text, toks, tolerant),
            "if" => self.plpgsql_if(stmt, text, toks),
            "case" | "loop" | "for" | "foreach" | "while" => {
                if mentions_ddl(toks) {
                    self.warn_not_followed(stmt, first.span.clone(), "in a loop or CASE");
                }
            }
            "execute" => {
                if toks.iter().any(|t| string_mentions_ddl(&t.token)) {
                    self.warn_not_followed(stmt, first.span.clone(), "run by EXECUTE");
                }
            }
            "perform" | "raise" | "return" | "null" | "get" | "assert" | "exit" | "continue"
            | "open" | "fetch" | "close" | "move" | "call" | "commit" | "rollback" => {}
            _ if assignment => {}
            _ => self.statement(stmt.file, text, first.span.start..last.span.end, tolerant),
        }
    }

    /// `IF NOT EXISTS (...) THEN ddl END IF` is followed; other conditions are not.
    fn plpgsql_if(&mut self, stmt: &Stmt, text: &str, toks: &[Tok]) {
        let after_if = &toks[1..];
        let Some(then) = scan(after_if, |t| is_word(Some(&t.token), "then")) else {
            return;
        };
        let condition = &after_if[..then];
        let branch = &after_if[then + 1..];
        let branch_end = scan(branch, |t| {
            ["elsif", "elseif", "else", "end"]
                .iter()
                .any(|w| is_word(Some(&t.token), w))
        })
        .unwrap_or(branch.len());
        let guard = condition.len() > 2
            && is_word(Some(&condition[0].token), "not")
            && is_word(Some(&condition[1].token), "exists");
        if guard && !mentions_ddl(&branch[branch_end..]) {
            for statement in split_statements(&branch[..branch_end]) {
                self.plpgsql_statement(stmt, text, statement, true);
            }
        } else if mentions_ddl(toks) {
            self.warn_not_followed(stmt, toks[0].span.clone(), "under an IF condition");
        }
    }

    fn warn_not_followed(&mut self, stmt: &Stmt, span: Range<usize>, where_: &str) {
        self.warn(
            stmt,
            span,
            format!("DDL {where_} inside a DO block is not followed by squill's offline catalog"),
        );
    }
}

/// Statements of a PL/pgSQL statement list, split at `;` outside nested constructs.
fn split_statements(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut at_start = true;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i].token;
        if depth == 0 && *t == Token::SemiColon {
            out.push(&toks[start..i]);
            start = i + 1;
            at_start = true;
            i += 1;
            continue;
        }
        i += step(toks, i, &mut depth, at_start);
        at_start = *t == Token::SemiColon
            || ["then", "else", "loop", "begin"]
                .iter()
                .any(|w| is_word(Some(t), w));
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

/// The index of the first token at nesting depth 0 for which `stop` holds (an `END` that would
/// close the enclosing construct counts as depth 0).
fn scan(toks: &[Tok], stop: impl Fn(&Tok) -> bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut at_start = true;
    let mut i = 0;
    while i < toks.len() {
        if depth == 0 && stop(&toks[i]) {
            return Some(i);
        }
        let t = &toks[i].token;
        i += step(toks, i, &mut depth, at_start);
        at_start = *t == Token::SemiColon
            || ["then", "else", "loop", "begin"]
                .iter()
                .any(|w| is_word(Some(t), w));
    }
    None
}

/// Updates the nesting depth for token `i`; returns how many tokens it took (`END IF` is
/// two).
fn step(toks: &[Tok], i: usize, depth: &mut usize, at_start: bool) -> usize {
    let t = &toks[i].token;
    if is_word(Some(t), "begin")
        || is_word(Some(t), "case")
        || is_word(Some(t), "loop")
        || (at_start && is_word(Some(t), "if"))
    {
        *depth += 1;
    } else if is_word(Some(t), "end") {
        *depth = depth.saturating_sub(1);
        let next = toks.get(i + 1).map(|t| &t.token);
        if ["if", "loop", "case"].iter().any(|w| is_word(next, w)) {
            return 2;
        }
    }
    1
}

/// Whether any statement-like run of `toks` is DDL that matters.
fn mentions_ddl(toks: &[Tok]) -> bool {
    (0..toks.len()).any(|i| {
        ["create", "alter", "drop"]
            .iter()
            .any(|w| is_word(Some(&toks[i].token), w))
            && matters(&toks[i..])
    })
}

/// DDL the catalog follows: its forms, and unique indexes.
fn matters(toks: &[Tok]) -> bool {
    match classify(toks) {
        Form::Ddl(_) => true,
        Form::Index(_) => toks
            .iter()
            .take(3)
            .any(|t| is_word(Some(&t.token), "unique")),
        _ => false,
    }
}

fn string_mentions_ddl(token: &Token) -> bool {
    let (Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) = token else {
        return false;
    };
    let upper = s.to_ascii_uppercase();
    ["CREATE ", "ALTER ", "DROP "].iter().any(|verb| {
        upper
            .match_indices(verb)
            .any(|(at, _)| tokenize(&s[at..], 0).is_ok_and(|toks| matters(&toks)))
    })
}
