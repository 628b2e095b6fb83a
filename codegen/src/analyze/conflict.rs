//! `INSERT ... ON CONFLICT` arbiters as `transformOnConflictArbiter` checks them: the inference
//! elements (columns or expressions of the target table) and the index predicate
//! (`ON CONFLICT (a) WHERE pred`), typed in a scope holding only the target table, so their
//! parameters get types and their names are checked. Then the unique index they infer, which
//! the planner decides (`infer_arbiter_indexes`), not PREPARE: an inference no unique index of
//! the table fits fails when the statement runs, so it is an error here too (decided only
//! where certain: expressions are matched by spelling, partial indexes' predicates by their
//! conjuncts).
//!
//! sqlparser reads only a plain column list; any other target is dropped by `parse` and read
//! here from the tokens (spans kept, so positions stay exact).

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, ConflictTarget, Expr, OnConflict, OnConflictAction, Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::expr::{Cx, fold};
use super::grouping::spelling;
use super::scope::{Item, Scope};
use super::{Fail, Res, unsupported};
use crate::catalog::UniqueIndex;

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

/// The `ON` of the `ON CONFLICT` of the INSERT at `insert_at` (the clause's location).
fn on_conflict_at(sql: &str, insert_at: Location) -> Option<sqlparser::tokenizer::Span> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let tokens: Vec<TokenWithSpan> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let start = tokens.iter().position(|t| t.span.start == insert_at)?;
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(start) {
        match t.token {
            Token::LParen => depth += 1,
            // The INSERT's own parentheses closed: it ended without one.
            Token::RParen if depth == 0 => return None,
            Token::RParen => depth -= 1,
            _ => {}
        }
        if depth == 0
            && keyword(&t.token) == Some(Keyword::ON)
            && tokens
                .get(i + 1)
                .is_some_and(|n| keyword(&n.token) == Some(Keyword::CONFLICT))
        {
            return Some(t.span);
        }
    }
    None
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

/// `transformOnConflictArbiter`: the inference (columns, expressions, predicate) in a scope of
/// the target alone; DO UPDATE needs one or a constraint name. Then the planner's
/// `infer_arbiter_indexes`: some unique index of the table must match the inference.
pub(super) fn arbiter(
    cx: &mut Cx,
    outer: &Scope,
    target: &Item,
    table: &[String],
    conflict: &OnConflict,
    insert_at: Location,
) -> Res<()> {
    let mut scope = Scope::child(outer);
    scope.items.push(target.clone());
    let inference = match &conflict.conflict_target {
        Some(ConflictTarget::Columns(cols)) => Some(Inference {
            elements: cols.iter().cloned().map(Expr::Identifier).collect(),
            predicate: None,
        }),
        Some(ConflictTarget::OnConstraint(name)) => {
            return match cx.schema.unique_indexes(table) {
                Some((table, indexes, exclusions)) => {
                    named(table, indexes, exclusions, name, &conflict.action)
                }
                None => Ok(()),
            };
        }
        // A target the parser's tree lost: read from the text, if it is this INSERT's.
        None => inference(cx.sql)?
            .filter(|(at, _)| *at == insert_at)
            .map(|(_, inference)| inference),
    };
    match inference {
        Some(inference) => {
            cx.conflict_inference(&scope, &inference)?;
            match cx.schema.unique_indexes(table) {
                Some((name, indexes, _)) => inferred(name, indexes, &inference),
                None => Ok(()),
            }
        }
        None if matches!(conflict.action, OnConflictAction::DoUpdate(_)) => {
            let fail = Fail::Error(
                "ON CONFLICT DO UPDATE requires inference specification or constraint name".into(),
                Some("For example, ON CONFLICT (column_name).".into()),
            );
            Err(match on_conflict_at(cx.sql, insert_at) {
                Some(span) => fail.at(span),
                None => fail,
            })
        }
        None => Ok(()),
    }
}

/// Whether an index fits an inference: certainly, certainly not, or not known offline.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fit {
    Yes,
    No,
    Unknown,
}

/// An inference element or index key, as far as matching needs it.
enum Key {
    Column(String),
    /// An expression's spelling, and whether it may still analyse to a plain column (a cast
    /// of a column to its own type is the column).
    Expression(String, bool),
}

fn key_of(e: &Expr) -> Key {
    let mut inner = e;
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    match inner {
        Expr::Identifier(i) => Key::Column(fold(i)),
        _ => {
            let mut base = inner;
            while let Expr::Nested(x) | Expr::Cast { expr: x, .. } = base {
                base = x;
            }
            let may_be_column = matches!(base, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
            Key::Expression(spelling(inner), may_be_column)
        }
    }
}

fn parse_expr(sql: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

/// The AND-ed conjuncts of a predicate, as spelled.
fn conjuncts(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Nested(x) => conjuncts(x, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        _ => out.push(spelling(e)),
    }
}

/// `infer_arbiter_indexes` for one unique index: its key columns equal the inference's
/// columns as sets, each inference expression is one of its expressions and each of its
/// expressions one of the inference's, and a partial index's predicate is implied by the
/// inference's WHERE. Expressions are compared by spelling, which proves only equality;
/// implication is proven only by the predicate's conjuncts all being the WHERE's.
fn fit(index: &UniqueIndex, elements: &[Key], predicate: Option<&Expr>) -> Fit {
    let mut fit = Fit::Yes;
    let mut columns: Vec<&str> = Vec::new();
    let mut expressions: Vec<&str> = Vec::new();
    for e in elements {
        match e {
            Key::Column(c) => columns.push(c),
            Key::Expression(_, true) => return Fit::Unknown,
            Key::Expression(s, false) => expressions.push(s),
        }
    }
    let mut index_columns: Vec<&str> = index.columns.iter().flatten().map(String::as_str).collect();
    index_columns.sort_unstable();
    index_columns.dedup();
    columns.sort_unstable();
    columns.dedup();
    let mut index_expressions = Vec::new();
    for sql in &index.expressions {
        match parse_expr(sql).as_ref().map(key_of) {
            // `CREATE INDEX ... ((a))` is the column a.
            Some(Key::Expression(s, false)) => index_expressions.push(s),
            _ => return Fit::Unknown,
        }
    }
    if index_columns != columns {
        return Fit::No;
    }
    for e in &expressions {
        if !index_expressions.iter().any(|x| x == e) {
            if index_expressions.is_empty() {
                return Fit::No;
            }
            fit = Fit::Unknown;
        }
    }
    for x in &index_expressions {
        if !expressions.contains(&x.as_str()) {
            if expressions.is_empty() {
                return Fit::No;
            }
            fit = Fit::Unknown;
        }
    }
    if let Some(sql) = &index.predicate {
        let Some(needed) = parse_expr(sql) else {
            return Fit::Unknown;
        };
        let mut needed_parts = Vec::new();
        conjuncts(&needed, &mut needed_parts);
        match predicate {
            // predicate_implied_by(pred, NIL) is false, unless the predicate reduces to
            // nothing (a constant), which is not told here.
            None if needed_parts.iter().any(|p| p == "true") => return Fit::Unknown,
            None => return Fit::No,
            Some(given) => {
                let mut given_parts = Vec::new();
                conjuncts(given, &mut given_parts);
                if !needed_parts.iter().all(|p| given_parts.contains(p)) {
                    fit = Fit::Unknown;
                }
            }
        }
    }
    fit
}

/// `there is no unique or exclusion constraint matching the ON CONFLICT specification`, when
/// no unique index of `table` certainly or possibly fits the inference.
fn inferred(table: &str, indexes: &[UniqueIndex], inference: &Inference) -> Res<()> {
    let elements: Vec<Key> = inference.elements.iter().map(key_of).collect();
    let fits = indexes
        .iter()
        .map(|i| fit(i, &elements, inference.predicate.as_ref()));
    if fits.into_iter().any(|f| f != Fit::No) {
        return Ok(());
    }
    let keys: Vec<String> = indexes
        .iter()
        .map(|i| {
            let mut expressions = i.expressions.iter();
            let key: Vec<String> = i
                .columns
                .iter()
                .map(|c| match c {
                    Some(c) => crate::catalog::quote_ident(c),
                    None => expressions.next().cloned().unwrap_or_default(),
                })
                .collect();
            match &i.predicate {
                Some(p) => format!("({}) WHERE {p}", key.join(", ")),
                None => format!("({})", key.join(", ")),
            }
        })
        .collect();
    let help = match keys.as_slice() {
        [] => format!(
            "\"{table}\" has no unique index or constraint: add one on these columns (e.g. a UNIQUE constraint)"
        ),
        _ => format!(
            "name the key of one of \"{table}\"'s unique indexes or constraints: {}; or add one on these columns",
            keys.join(", ")
        ),
    };
    let span = inference
        .elements
        .first()
        .map_or(sqlparser::tokenizer::Span::empty(), |e| {
            sqlparser::ast::Spanned::span(e)
        });
    Err(Fail::Error(
        "there is no unique or exclusion constraint matching the ON CONFLICT specification".into(),
        Some(help),
    )
    .at(span))
}

/// `ON CONFLICT ON CONSTRAINT name`: PREPARE looks the name up among the table's constraints
/// (`constraint "x" for table "t" does not exist`), the planner then wants the constraint's
/// index, which DO UPDATE must find unique. The catalog records PRIMARY KEY, UNIQUE and named
/// EXCLUDE constraints: a name that is none of them fails under DO UPDATE whatever else it may
/// name (a CHECK or foreign key has no index; an exclusion constraint is refused), and is
/// reported as not existing; under DO NOTHING an exclusion constraint is an arbiter too. A
/// name PostgreSQL would generate for another kind of constraint (`_check`, `_fkey`,
/// `_excl`, perhaps numbered) is accepted: the message could not be told.
fn named(
    table: &str,
    indexes: &[UniqueIndex],
    exclusions: &[String],
    name: &sqlparser::ast::ObjectName,
    action: &OnConflictAction,
) -> Res<()> {
    let Some(sqlparser::ast::ObjectNamePart::Identifier(ident)) = name.0.last() else {
        return Ok(());
    };
    let wanted = fold(ident);
    let constraints: Vec<&str> = indexes
        .iter()
        .filter(|i| i.kind != crate::catalog::UniqueKind::Index)
        .map(|i| i.name.as_str())
        .collect();
    let generated = ["_check", "_fkey", "_excl"].iter().any(|suffix| {
        wanted
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .ends_with(suffix)
    });
    let exclusion = exclusions.contains(&wanted);
    let do_update = matches!(action, OnConflictAction::DoUpdate(_));
    if name.0.len() != 1
        || constraints.contains(&wanted.as_str())
        || generated
        || (exclusion && !do_update)
    {
        return Ok(());
    }
    if exclusion {
        return Err(Fail::Error(
            "ON CONFLICT DO UPDATE not supported with exclusion constraints".into(),
            Some("use DO NOTHING, or name a PRIMARY KEY or UNIQUE constraint".into()),
        )
        .at(ident.span));
    }
    let help = match crate::diagnostic::closest(&wanted, constraints.iter().copied()) {
        Some(near) => format!("did you mean \"{near}\"?"),
        None if constraints.is_empty() => format!(
            "\"{table}\" has no PRIMARY KEY or UNIQUE constraint; name the conflict columns instead: ON CONFLICT (column_name)"
        ),
        None => format!(
            "the PRIMARY KEY and UNIQUE constraints of \"{table}\" are {}",
            constraints.join(", ")
        ),
    };
    Err(Fail::Error(
        format!("constraint \"{wanted}\" for table \"{table}\" does not exist"),
        Some(help),
    )
    .at(ident.span))
}
