//! `INSERT ... ON CONFLICT` arbiters as `transformOnConflictArbiter` checks them: the inference
//! elements (columns or expressions of the target table) and the index predicate
//! (`ON CONFLICT (a) WHERE pred`), typed in a scope holding only the target table, so their
//! parameters get types and their names are checked. Which unique index they infer is decided
//! by the planner, not at PREPARE: an inference no index matches is not an error here.
//!
//! sqlparser reads only a plain column list; any other target is dropped by `parse` and read
//! here from the tokens (spans kept, so positions stay exact).

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::expr::Cx;
use super::scope::Scope;
use super::{Fail, Res, unsupported};

/// An `ON CONFLICT (elements) [WHERE predicate]` target.
#[derive(Debug, Clone)]
pub(crate) struct Inference {
    pub elements: Vec<Expr>,
    pub predicate: Option<Expr>,
}

fn keyword(t: &Token) -> Option<Keyword> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

/// The top-level `ON CONFLICT (...) [WHERE ...] DO` target of `sql`, if it has one, with the
/// position of its (top-level) `INSERT` keyword.
pub(crate) fn inference(sql: &str) -> Res<Option<(Location, Inference)>> {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return Ok(None);
    };
    let tokens: Vec<TokenWithSpan> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let mut depth = 0usize;
    let mut start = None;
    let mut insert_at = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && keyword(&t.token) == Some(Keyword::INSERT) {
            insert_at = Some(t.span.start);
        }
        if depth == 0
            && keyword(&t.token) == Some(Keyword::CONFLICT)
            && i > 0
            && keyword(&tokens[i - 1].token) == Some(Keyword::ON)
        {
            start = Some(i + 1);
            break;
        }
    }
    let Some(open) = start.filter(|&o| tokens.get(o).is_some_and(|t| t.token == Token::LParen))
    else {
        return Ok(None);
    };
    let Some(insert_at) = insert_at else {
        return Ok(None);
    };
    // The elements, split at top-level commas, up to the matching `)`.
    let mut elements: Vec<&[TokenWithSpan]> = Vec::new();
    let mut depth = 0usize;
    let mut from = open + 1;
    let mut close = None;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    elements.push(&tokens[from..i]);
                    close = Some(i);
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                elements.push(&tokens[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return Ok(None);
    };
    let elements = elements
        .into_iter()
        .map(index_element)
        .collect::<Res<Vec<_>>>()?;
    let predicate = match tokens.get(close + 1) {
        Some(t) if keyword(&t.token) == Some(Keyword::WHERE) => {
            let mut depth = 0usize;
            let end = tokens
                .iter()
                .enumerate()
                .skip(close + 2)
                .find(|(_, t)| {
                    match t.token {
                        Token::LParen => depth += 1,
                        Token::RParen => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    depth == 0 && keyword(&t.token) == Some(Keyword::DO)
                })
                .map(|(i, _)| i);
            let Some(end) = end else {
                return Ok(None);
            };
            Some(expression(&tokens[close + 2..end])?.0)
        }
        _ => None,
    };
    Ok(Some((
        insert_at,
        Inference {
            elements,
            predicate,
        },
    )))
}

/// One expression from `tokens`, with the tokens sqlparser left after it.
fn expression(tokens: &[TokenWithSpan]) -> Res<(Expr, Vec<Token>)> {
    let mut stream = tokens.to_vec();
    stream.push(TokenWithSpan::wrap(Token::EOF));
    let mut parser = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(stream);
    let e = parser.parse_expr().map_err(|e| {
        Fail::Unsupported(format!(
            "an ON CONFLICT target the parser (sqlparser) cannot read ({e})"
        ))
    })?;
    let mut rest = Vec::new();
    loop {
        let t = parser.next_token().token;
        if t == Token::EOF {
            break;
        }
        rest.push(t);
    }
    Ok((e, rest))
}

/// `index_elem`: an expression (`resolve_unique_index_expr` rejects an ordering after it; an
/// operator class or collation is not modelled offline).
fn index_element(tokens: &[TokenWithSpan]) -> Res<Expr> {
    let (e, rest) = expression(tokens)?;
    match rest.first().and_then(keyword) {
        None if rest.is_empty() && !matches!(e, Expr::Collate { .. }) => Ok(e),
        Some(Keyword::ASC | Keyword::DESC) => Err(Fail::Error(
            "ASC/DESC is not allowed in ON CONFLICT clause".into(),
            None,
        )
        .at(sqlparser::ast::Spanned::span(&e))),
        Some(Keyword::NULLS) => Err(Fail::Error(
            "NULLS FIRST/LAST is not allowed in ON CONFLICT clause".into(),
            None,
        )
        .at(sqlparser::ast::Spanned::span(&e))),
        _ => unsupported("an operator class or collation in an ON CONFLICT target"),
    }
}

/// What an index expression or predicate may not hold, found first in `e`.
#[derive(Debug, PartialEq)]
enum Forbidden {
    Subquery,
    Window,
}

fn forbidden(e: &Expr) -> Option<Forbidden> {
    struct Finder;
    impl Visitor for Finder {
        type Break = Forbidden;
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<Forbidden> {
            match e {
                Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                    ControlFlow::Break(Forbidden::Subquery)
                }
                Expr::AnyOp { right, .. } | Expr::AllOp { right, .. }
                    if matches!(**right, Expr::Subquery(_)) =>
                {
                    ControlFlow::Break(Forbidden::Subquery)
                }
                Expr::Function(f) if f.over.is_some() => ControlFlow::Break(Forbidden::Window),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    match e.visit(&mut Finder) {
        ControlFlow::Break(f) => Some(f),
        ControlFlow::Continue(()) => None,
    }
}

/// PostgreSQL's error for what `e` may not hold as an index `expression` / `predicate`.
fn check_forbidden(e: &Expr, what: &str) -> Res<()> {
    let message = match forbidden(e) {
        None => return Ok(()),
        Some(Forbidden::Subquery) => format!("cannot use subquery in index {what}"),
        Some(Forbidden::Window) => format!("window functions are not allowed in index {what}s"),
    };
    Err(Fail::Error(message, None).at(sqlparser::ast::Spanned::span(e)))
}

impl Cx<'_> {
    /// The arbiter: elements (`EXPR_KIND_INDEX_EXPRESSION`) then the predicate
    /// (`EXPR_KIND_INDEX_PREDICATE`), in `scope` (the target table alone).
    pub(super) fn conflict_inference(&mut self, scope: &Scope, inference: &Inference) -> Res<()> {
        let saved = self.saw_aggregate;
        for e in &inference.elements {
            let span = sqlparser::ast::Spanned::span(e);
            check_forbidden(e, "expression")?;
            self.saw_aggregate = false;
            self.expr(scope, e)?;
            if self.saw_aggregate {
                return Err(Fail::Error(
                    "aggregate functions are not allowed in index expressions".into(),
                    None,
                )
                .at(span));
            }
        }
        if let Some(p) = &inference.predicate {
            let span = sqlparser::ast::Spanned::span(p);
            check_forbidden(p, "predicate")?;
            self.saw_aggregate = false;
            self.condition(scope, p)?;
            if self.saw_aggregate {
                return Err(Fail::Error(
                    "aggregate functions are not allowed in index predicates".into(),
                    None,
                )
                .at(span));
            }
        }
        self.saw_aggregate = saved;
        Ok(())
    }
}
