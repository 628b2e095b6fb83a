//! Parsing a query for analysis: sqlparser first, and where it rejects valid PostgreSQL, a
//! second attempt on a normalized token stream.
//!
//! The normalization rewrites tokens, never the SQL that runs: every token keeps the span of
//! what the user wrote, so positions in diagnostics stay exact. Each rewrite is a spelling
//! PostgreSQL itself treats as the same thing:
//!
//! * `x ISNULL` / `x NOTNULL` → `x IS NULL` / `x IS NOT NULL`;
//! * a typed literal of a type sqlparser does not know, `regtype 'numeric'` or
//!   `pg_catalog.regtype 'numeric'` → `'numeric'::regtype` (the grammar defines it as that cast);
//! * `(alias).*` → `alias.*` when `alias` can only be a FROM item (no relation of the schema has
//!   a column of that name, which PostgreSQL would prefer), and any other `(expression).*` →
//!   a field access whose field is a marked `*` (see `parenthesized_wildcards`);
//! * `INSERT … SELECT <no FROM> ON CONFLICT` → the SELECT parenthesized;
//! * an `ON CONFLICT` target with expressions or an index predicate → `ON CONSTRAINT
//!   inferred_index`: it selects a unique index and never changes a parameter's or a column's
//!   type. (Not when it holds a parameter, whose type would then be lost.)
//!
//! Utility statements sqlparser does not read and that have neither parameters nor columns
//! (`DO`, `REFRESH MATERIALIZED VIEW`) are recognized by their first tokens.

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer};

/// What a query's SQL is, as far as analysis is concerned.
pub(crate) enum Parsed {
    Statements(Vec<Statement>),
    /// `DO` (an anonymous code block: no parameters, no result).
    Do,
    /// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]`: the view's name parts.
    Refresh(Vec<String>),
}

/// Parses `sql`. `is_column_name` says whether some relation has a column of that name (see
/// the `(alias).*` rewrite). The error is sqlparser's on the SQL as written.
pub(crate) fn parse(sql: &str, is_column_name: &dyn Fn(&str) -> bool) -> Result<Parsed, String> {
    let dialect = PostgreSqlDialect {};
    let first_error = match Parser::parse_sql(&dialect, sql) {
        Ok(statements) => return Ok(Parsed::Statements(statements)),
        Err(e) => e.to_string(),
    };
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return Err(first_error);
    };
    if let Some(utility) = utility(&tokens) {
        return Ok(utility);
    }
    let normalized = normalize(tokens, is_column_name);
    Parser::new(&dialect)
        .with_tokens_with_locations(normalized)
        .parse_statements()
        .map(Parsed::Statements)
        .map_err(|_: ParserError| first_error)
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

fn keyword(t: &Token) -> Option<Keyword> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

fn word_is(t: &Token, text: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(text))
}

/// `DO …` and `REFRESH MATERIALIZED VIEW …`.
fn utility(tokens: &[TokenWithSpan]) -> Option<Parsed> {
    let words: Vec<&Token> = tokens
        .iter()
        .map(|t| &t.token)
        .filter(|t| !is_trivia(t) && **t != Token::EOF)
        .collect();
    let first = words.first()?;
    if word_is(first, "do") {
        return Some(Parsed::Do);
    }
    if !(word_is(first, "refresh")
        && words.get(1).is_some_and(|t| word_is(t, "materialized"))
        && words.get(2).is_some_and(|t| word_is(t, "view")))
    {
        return None;
    }
    let mut rest = &words[3..];
    if rest.first().is_some_and(|t| word_is(t, "concurrently")) {
        rest = &rest[1..];
    }
    // name [. name], then nothing or WITH [NO] DATA.
    let mut name = Vec::new();
    let mut i = 0;
    loop {
        let Some(Token::Word(w)) = rest.get(i) else {
            return None;
        };
        name.push(match w.quote_style {
            Some(_) => w.value.clone(),
            None => w.value.to_lowercase(),
        });
        i += 1;
        if rest.get(i) == Some(&&Token::Period) {
            i += 1;
        } else {
            break;
        }
    }
    let tail: Vec<String> = rest[i..]
        .iter()
        .filter(|t| **t != &Token::SemiColon)
        .map(|t| t.to_string().to_lowercase())
        .collect();
    let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
    matches!(
        tail.as_slice(),
        [] | ["with", "data"] | ["with", "no", "data"]
    )
    .then_some(Parsed::Refresh(name))
}

fn with_span(token: Token, span: Span) -> TokenWithSpan {
    TokenWithSpan { token, span }
}

/// Indices of the non-trivia tokens.
fn significant(tokens: &[TokenWithSpan]) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&i| !is_trivia(&tokens[i].token))
        .collect()
}

fn normalize(
    tokens: Vec<TokenWithSpan>,
    is_column_name: &dyn Fn(&str) -> bool,
) -> Vec<TokenWithSpan> {
    let tokens = postfix_null_tests(tokens);
    let tokens = typed_literals(tokens);
    let tokens = parenthesized_wildcards(tokens, is_column_name);
    let tokens = parenthesize_insert_select(tokens);
    drop_conflict_targets(tokens)
}

/// Keywords an operand follows (so they never end one).
const BEFORE_OPERAND: &[Keyword] = &[
    Keyword::SELECT,
    Keyword::WHERE,
    Keyword::AND,
    Keyword::OR,
    Keyword::NOT,
    Keyword::WHEN,
    Keyword::THEN,
    Keyword::ELSE,
    Keyword::CASE,
    Keyword::ON,
    Keyword::HAVING,
    Keyword::SET,
    Keyword::RETURNING,
    Keyword::VALUES,
    Keyword::IN,
    Keyword::LIKE,
    Keyword::ILIKE,
    Keyword::IS,
    Keyword::DISTINCT,
];

/// Whether the token can end an operand (so a following `ISNULL` is the postfix test).
fn ends_operand(t: &Token) -> bool {
    match t {
        Token::Word(w) => w.quote_style.is_some() || !BEFORE_OPERAND.contains(&w.keyword),
        Token::RParen
        | Token::RBracket
        | Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::Placeholder(_) => true,
        _ => false,
    }
}

fn postfix_null_tests(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len() + 4);
    for t in tokens {
        let previous = out.iter().rev().find(|p| !is_trivia(&p.token));
        let negated = if word_is(&t.token, "isnull") {
            Some(false)
        } else if word_is(&t.token, "notnull") {
            Some(true)
        } else {
            None
        };
        match negated {
            Some(negated) if previous.is_some_and(|p| ends_operand(&p.token)) => {
                let space = || {
                    with_span(
                        Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                        t.span,
                    )
                };
                out.push(with_span(Token::make_keyword("IS"), t.span));
                out.push(space());
                if negated {
                    out.push(with_span(Token::make_keyword("NOT"), t.span));
                    out.push(space());
                }
                out.push(with_span(Token::make_keyword("NULL"), t.span));
            }
            _ => out.push(t),
        }
    }
    out
}

/// `type 'literal'` → `'literal'::type` for type names sqlparser reads as identifiers.
fn typed_literals(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let sig = significant(&tokens);
    let mut out = tokens.clone();
    // Walk backwards so earlier indices stay valid while the vector changes.
    for k in (0..sig.len()).rev() {
        let i = sig[k];
        if !matches!(out[i].token, Token::SingleQuotedString(_)) || k == 0 {
            continue;
        }
        let type_at = sig[k - 1];
        let Token::Word(w) = &out[type_at].token else {
            continue;
        };
        if w.quote_style.is_some() || w.keyword != Keyword::NoKeyword {
            continue;
        }
        // An optional `schema.` qualifier.
        let mut start = type_at;
        if k >= 3
            && out[sig[k - 2]].token == Token::Period
            && matches!(&out[sig[k - 3]].token, Token::Word(_))
        {
            start = sig[k - 3];
        }
        // What precedes must leave an operand to be started (not `AS alias 'x'` etc.).
        let before = sig[..k]
            .iter()
            .rev()
            .find(|&&j| j < start)
            .map(|&j| &out[j].token);
        let starts_operand = match before {
            None => true,
            Some(Token::Word(b)) => b.quote_style.is_none() && BEFORE_OPERAND.contains(&b.keyword),
            Some(Token::RParen | Token::RBracket | Token::Number(..) | Token::Placeholder(_)) => {
                false
            }
            Some(Token::SingleQuotedString(_)) => false,
            Some(_) => true,
        };
        if !starts_operand {
            continue;
        }
        let literal = out[i].clone();
        let type_tokens: Vec<TokenWithSpan> = out[start..=type_at].to_vec();
        let mut replacement = vec![literal.clone(), with_span(Token::DoubleColon, literal.span)];
        replacement.extend(type_tokens);
        out.splice(start..=i, replacement);
    }
    out
}

/// The quote style of the identifiers the rewrites below make: the PostgreSQL tokenizer never
/// produces it, so the analyzer can tell them from anything written.
pub(crate) const REWRITE_QUOTE: char = '`';

/// Whether an identifier is the `*` of a `(expression).*` rewritten by
/// [`parenthesized_wildcards`].
pub(crate) fn is_expansion_star(ident: &sqlparser::ast::Ident) -> bool {
    ident.quote_style == Some(REWRITE_QUOTE) && ident.value == "*"
}

/// Whether an identifier is the `alias` of a `(alias).*` rewritten by
/// [`parenthesized_wildcards`] (already folded).
pub(crate) fn is_parenthesized_name(ident: &sqlparser::ast::Ident) -> bool {
    ident.quote_style == Some(REWRITE_QUOTE) && ident.value != "*"
}

/// `(expression).*`, which sqlparser does not read (PostgreSQL expands the composite value's
/// fields in a select list, `ROW(...)` or `VALUES`):
///
/// * `( name ) . *` → `name . *` when `name` can only be a FROM item (no relation of the schema
///   has a column of that name, which PostgreSQL would prefer): the qualified wildcard it then
///   is, the name spanning `( name )` (so the wildcard spans what was written) and marked with
///   [`REWRITE_QUOTE`] (folded), so the analyzer still prefers a column of a CTE or subquery;
/// * otherwise `( expression ) . *` → `( expression ) . <*>`, the `*` a field name marked with
///   [`REWRITE_QUOTE`]: a field access the analyzer expands.
///
/// Only where the `(` opens an operand, not a function call's arguments (`f(x).*` is not
/// PostgreSQL).
fn parenthesized_wildcards(
    tokens: Vec<TokenWithSpan>,
    is_column_name: &dyn Fn(&str) -> bool,
) -> Vec<TokenWithSpan> {
    let mut tokens = tokens;
    let sig = significant(&tokens);
    let mut drop = vec![false; tokens.len()];
    for (k, w) in sig.windows(3).enumerate() {
        let [close, period, star] = [w[0], w[1], w[2]];
        if !(tokens[close].token == Token::RParen
            && tokens[period].token == Token::Period
            && tokens[star].token == Token::Mul)
        {
            continue;
        }
        // The matching `(`, and what comes before it.
        let mut depth = 0usize;
        let mut open = None;
        for j in (0..=k).rev() {
            match tokens[sig[j]].token {
                Token::RParen => depth += 1,
                Token::LParen => {
                    depth -= 1;
                    if depth == 0 {
                        open = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(open) = open else {
            continue;
        };
        if open > 0
            && ends_operand(&tokens[sig[open - 1]].token)
            && !after_distinct_on(&tokens, &sig, open - 1)
        {
            continue;
        }
        let open = sig[open];
        let single_name = match &tokens[open + 1..close]
            .iter()
            .filter(|t| !is_trivia(&t.token))
            .collect::<Vec<_>>()[..]
        {
            [
                TokenWithSpan {
                    token: Token::Word(word),
                    ..
                },
            ] => Some(match word.quote_style {
                Some(_) => word.value.clone(),
                None => word.value.to_lowercase(),
            }),
            _ => None,
        };
        match single_name {
            Some(folded) if !is_column_name(&folded) => {
                let name = sig
                    .iter()
                    .copied()
                    .find(|&i| i > open && i < close)
                    .expect("the name");
                let span = Span::new(tokens[open].span.start, tokens[close].span.end);
                tokens[name] = with_span(
                    Token::Word(sqlparser::tokenizer::Word {
                        value: folded,
                        quote_style: Some(REWRITE_QUOTE),
                        keyword: Keyword::NoKeyword,
                    }),
                    span,
                );
                drop[open] = true;
                drop[close] = true;
            }
            _ => {
                let span = tokens[star].span;
                tokens[star] = with_span(
                    Token::Word(sqlparser::tokenizer::Word {
                        value: "*".into(),
                        quote_style: Some(REWRITE_QUOTE),
                        keyword: Keyword::NoKeyword,
                    }),
                    span,
                );
            }
        }
    }
    tokens
        .into_iter()
        .zip(drop)
        .filter_map(|(t, d)| (!d).then_some(t))
        .collect()
}

/// Whether the significant token `sig[at]` is the `)` of `DISTINCT ON (...)` (after which a
/// select list's first item starts).
fn after_distinct_on(tokens: &[TokenWithSpan], sig: &[usize], at: usize) -> bool {
    if tokens[sig[at]].token != Token::RParen {
        return false;
    }
    let mut depth = 0usize;
    for j in (0..=at).rev() {
        match tokens[sig[j]].token {
            Token::RParen => depth += 1,
            Token::LParen => {
                depth -= 1;
                if depth == 0 {
                    return j >= 2
                        && keyword(&tokens[sig[j - 1]].token) == Some(Keyword::ON)
                        && keyword(&tokens[sig[j - 2]].token) == Some(Keyword::DISTINCT);
                }
            }
            _ => {}
        }
    }
    false
}

/// Depth of parentheses before each token.
fn depths(tokens: &[TokenWithSpan]) -> Vec<usize> {
    let mut depth = 0usize;
    tokens
        .iter()
        .map(|t| {
            let here = depth;
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            here
        })
        .collect()
}

/// The index of the top-level `ON` of `ON CONFLICT`, if any.
fn on_conflict(tokens: &[TokenWithSpan], sig: &[usize], depth: &[usize]) -> Option<usize> {
    sig.windows(2)
        .find(|w| {
            depth[w[0]] == 0
                && keyword(&tokens[w[0]].token) == Some(Keyword::ON)
                && keyword(&tokens[w[1]].token) == Some(Keyword::CONFLICT)
        })
        .map(|w| w[0])
}

fn parenthesize_insert_select(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let sig = significant(&tokens);
    let depth = depths(&tokens);
    let Some(on) = on_conflict(&tokens, &sig, &depth) else {
        return tokens;
    };
    let top = |k: Keyword| {
        sig.iter()
            .copied()
            .filter(|&i| i < on && depth[i] == 0 && keyword(&tokens[i].token) == Some(k))
            .collect::<Vec<_>>()
    };
    let (Some(&insert), selects) = (top(Keyword::INSERT).first(), top(Keyword::SELECT)) else {
        return tokens;
    };
    let Some(&select) = selects.iter().find(|&&s| s > insert) else {
        return tokens;
    };
    if top(Keyword::FROM).iter().any(|&f| f > select) {
        return tokens;
    }
    let (open_span, close_span) = (tokens[select].span, tokens[on].span);
    tokens.insert(on, with_span(Token::RParen, close_span));
    tokens.insert(select, with_span(Token::LParen, open_span));
    tokens
}

fn drop_conflict_targets(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let sig = significant(&tokens);
    let depth = depths(&tokens);
    let Some(on) = on_conflict(&tokens, &sig, &depth) else {
        return tokens;
    };
    let Some(pos) = sig.iter().position(|&i| i == on) else {
        return tokens;
    };
    let Some(&open) = sig.get(pos + 2) else {
        return tokens;
    };
    if tokens[open].token != Token::LParen {
        return tokens;
    }
    // The target runs to the top-level DO.
    let Some(&do_at) = sig
        .iter()
        .find(|&&i| i > open && depth[i] == 0 && keyword(&tokens[i].token) == Some(Keyword::DO))
    else {
        return tokens;
    };
    let target = &tokens[open..do_at];
    let plain_columns = target.iter().filter(|t| !is_trivia(&t.token)).all(|t| {
        matches!(
            t.token,
            Token::Word(_) | Token::Comma | Token::LParen | Token::RParen
        )
    }) && target.iter().filter(|t| t.token == Token::LParen).count() == 1
        && !target
            .iter()
            .any(|t| keyword(&t.token) == Some(Keyword::WHERE));
    let has_parameter = target
        .iter()
        .any(|t| matches!(t.token, Token::Placeholder(_)));
    if plain_columns || has_parameter {
        return tokens;
    }
    // `ON CONSTRAINT`: the statement still has an inference specification (DO UPDATE needs
    // one), unchecked offline.
    let span = tokens[open].span;
    let mut out = tokens;
    out.splice(
        open..do_at,
        [
            with_span(Token::make_keyword("ON"), span),
            with_span(
                Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                span,
            ),
            with_span(Token::make_keyword("CONSTRAINT"), span),
            with_span(
                Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                span,
            ),
            with_span(Token::make_word("inferred_index", None), span),
            with_span(
                Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                span,
            ),
        ],
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reparsed(sql: &str) -> String {
        match parse(sql, &|name| name == "payload") {
            Ok(Parsed::Statements(s)) => s[0].to_string(),
            Ok(Parsed::Do) => "DO".into(),
            Ok(Parsed::Refresh(name)) => format!("REFRESH {}", name.join(".")),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn postfix_null_tests_read_as_is_null() {
        assert_eq!(
            reparsed("SELECT a FROM t WHERE a ISNULL OR (b) NOTNULL"),
            "SELECT a FROM t WHERE a IS NULL OR (b) IS NOT NULL"
        );
    }

    #[test]
    fn typed_literals_of_identifier_types_become_casts() {
        assert_eq!(
            reparsed("SELECT CASE WHEN x = pg_catalog.regtype 'numeric' THEN 1 END"),
            "SELECT CASE WHEN x = 'numeric'::pg_catalog.regtype THEN 1 END"
        );
        assert_eq!(
            reparsed("SELECT a FROM t WHERE x = public.money2 '1' AND y ISNULL"),
            "SELECT a FROM t WHERE x = '1'::public.money2 AND y IS NULL"
        );
    }

    #[test]
    fn parenthesized_wildcards() {
        // Only a FROM item can be meant: its qualified wildcard, the name marked.
        assert_eq!(
            reparsed("SELECT (p).* FROM f() p"),
            "SELECT `p`.* FROM f() p"
        );
        // A column may be meant: a field access whose field is the marked `*`.
        assert_eq!(
            reparsed("SELECT (payload).* FROM f() payload"),
            "SELECT (payload).`*` FROM f() payload"
        );
        assert_eq!(
            reparsed("SELECT (f(x)).*, ((t.c)).*, ROW((t.c).*) FROM t"),
            "SELECT (f(x)).`*`, ((t.c)).`*`, ROW((t.c).`*`) FROM t"
        );
        assert_eq!(
            reparsed("SELECT DISTINCT ON (a) (p).* FROM f() p"),
            "SELECT DISTINCT ON (a) `p`.* FROM f() p"
        );
        // `f(x).*` is not PostgreSQL: left as written (which sqlparser does not read).
        assert!(reparsed("SELECT f(x).* FROM t").starts_with("error: "));
    }

    #[test]
    fn insert_select_without_from_before_on_conflict() {
        assert_eq!(
            reparsed("INSERT INTO e (a, b) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING"),
            "INSERT INTO e (a, b) (SELECT unnest($1::TEXT[]), $2) ON CONFLICT DO NOTHING"
        );
    }

    #[test]
    fn conflict_targets_with_expressions_or_predicates_become_a_constraint() {
        assert_eq!(
            reparsed("INSERT INTO e (a) VALUES ($1) ON CONFLICT (a, lower(b)) DO UPDATE SET a = 1"),
            "INSERT INTO e (a) VALUES ($1) ON CONFLICT ON CONSTRAINT inferred_index DO UPDATE SET a = 1"
        );
        assert_eq!(
            reparsed("INSERT INTO e (a) VALUES (1) ON CONFLICT (a) WHERE a IS NOT NULL DO NOTHING"),
            "INSERT INTO e (a) VALUES (1) ON CONFLICT ON CONSTRAINT inferred_index DO NOTHING"
        );
        // A parameter in the predicate keeps the SQL as it is (and so unreadable).
        assert!(
            reparsed("INSERT INTO e (a) VALUES (1) ON CONFLICT (a) WHERE a > $1 DO NOTHING")
                .starts_with("error: ")
        );
    }

    #[test]
    fn utility_statements() {
        assert_eq!(reparsed("DO $$ BEGIN END $$"), "DO");
        assert_eq!(
            reparsed("REFRESH MATERIALIZED VIEW CONCURRENTLY s.\"V\" WITH NO DATA"),
            "REFRESH s.V"
        );
        assert!(reparsed("REFRESH MATERIALIZED VIEW v garbage").starts_with("error: "));
    }

    #[test]
    fn spans_point_at_what_the_user_wrote() {
        let sql = "SELECT a\nFROM t WHERE b ISNULL";
        let dialect = PostgreSqlDialect {};
        let tokens = Tokenizer::new(&dialect, sql)
            .tokenize_with_location()
            .unwrap();
        let out = normalize(tokens, &|_| false);
        let is = out.iter().find(|t| word_is(&t.token, "is")).unwrap();
        assert_eq!((is.span.start.line, is.span.start.column), (2, 16));
    }
}
