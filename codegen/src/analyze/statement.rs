//! Statements: SELECT (FROM, joins, WHERE, GROUP BY/HAVING, ORDER BY, LIMIT/OFFSET), set
//! operations, VALUES, CTEs (data-modifying ones included), INSERT (VALUES/SELECT, ON
//! CONFLICT, RETURNING), UPDATE (SET, FROM, RETURNING), DELETE (USING, RETURNING), in
//! PostgreSQL's order of analysis.

use sqlparser::ast::{
    AssignmentTarget, Delete, Expr, FromTable, GroupByExpr, Insert, JoinConstraint, JoinOperator,
    OnConflictAction, OnInsert, OrderBy, OrderByKind, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, SetOperator, Statement, TableAlias, TableFactor,
    TableObject, TableWithJoins, Update, UpdateTableFromKind, Value,
};

use super::clauses::{self, Clause};
use super::expr::{Cx, SQL_VALUE_FUNCTIONS, Typed, fold, name_parts};
use super::scope::{Col, Item, Scope, null_side};
use super::{Fail, Res, Schema, error, unsupported};
use crate::builtins::oid;
use crate::diagnostic::closest;

/// What a statement produces.
pub struct Output {
    pub params: Vec<Option<u32>>,
    pub columns: Vec<Col>,
}

/// `param_nullable[i]`: whether `$(i + 1)` may be bound to NULL (a `sqlc.narg`). `sql`: the
/// statement's text, for what the parser's tree leaves out (see `conflict`).
pub fn analyze_statement(
    schema: &Schema,
    statement: &Statement,
    sql: &str,
    param_nullable: &[bool],
) -> Res<Output> {
    let nparams = param_nullable.len();
    let mut cx = Cx::new(schema, nparams);
    cx.param_nullable = param_nullable.to_vec();
    cx.sql = sql;
    let root = Scope::default();
    let columns = match statement {
        Statement::Query(q) => to_cols(query(&mut cx, &root, q, true)?),
        Statement::Insert(i) => insert(&mut cx, &root, i)?,
        Statement::Update(u) => update(&mut cx, &root, u)?,
        Statement::Delete(d) => delete(&mut cx, &root, d)?,
        Statement::Lock(lock) => {
            lock_tables(schema, lock)?;
            Vec::new()
        }
        Statement::Call(f) => {
            cx.call(&root, f)?;
            Vec::new()
        }
        Statement::Truncate(t) => {
            super::utility::truncate(schema, t)?;
            Vec::new()
        }
        Statement::NOTIFY { .. }
        | Statement::LISTEN { .. }
        | Statement::UNLISTEN { .. }
        | Statement::Analyze(_)
            if nparams == 0 =>
        {
            Vec::new()
        }
        other => {
            let kind = other.to_string();
            let kind = kind
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            return unsupported(format!("the statement `{kind} ...`"));
        }
    };
    Ok(Output {
        params: cx.params,
        columns,
    })
}

/// `LOCK [TABLE] name, ...`: no parameters, no columns; each relation must exist and be a
/// table, a partitioned table or a view.
pub(super) fn lock_tables(schema: &Schema, lock: &sqlparser::ast::Lock) -> Res<()> {
    for target in &lock.tables {
        let parts = name_parts(&target.name)?;
        let span = match target.name.0.first() {
            Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => i.span,
            _ => sqlparser::tokenizer::Span::empty(),
        };
        match schema.lock_refusal(&parts) {
            Ok(None) => {}
            Ok(Some(kind)) => {
                return Err(Fail::Error(
                    format!(
                        "cannot lock relation \"{}\"",
                        parts.last().cloned().unwrap_or_default()
                    ),
                    Some(format!("This operation is not supported for {kind}.")),
                )
                .at(span));
            }
            // Not found: relation_cols' error (with its `did you mean`).
            Err(()) => {
                relation_cols(schema, &parts).map_err(|e| e.at(span))?;
            }
        }
    }
    Ok(())
}

fn to_cols(ts: Vec<Typed>) -> Vec<Col> {
    ts.into_iter()
        .map(|t| Col {
            name: t.column_name(),
            ty: t.ty,
            nullable: t.nullable,
            origin: t.origin,
            elements_non_null: t.elements_non_null,
        })
        .collect()
}

/// A column read at a level grouped by grouping sets may be NULL (see `Cx::grouping_sets`).
fn rolled_up(cx: &Cx, mut t: Typed) -> Typed {
    t.nullable |= cx.grouping_sets;
    t
}

fn from_col(c: &Col) -> Typed {
    let mut t = Typed::value(c.ty, c.nullable);
    t.name = Some(c.name.clone());
    t.strength = 2;
    t.origin = c.origin.clone();
    t.elements_non_null = c.elements_non_null;
    t
}

/// A subquery in an expression (scalar, EXISTS, IN, ANY): its columns.
pub fn subquery(cx: &mut Cx, scope: &Scope, q: &Query) -> Res<Vec<Col>> {
    Ok(to_cols(query(cx, scope, q, true)?))
}

/// A whole query expression (WITH, body, ORDER BY, LIMIT/OFFSET) at a new level under `outer`.
fn query(cx: &mut Cx, outer: &Scope, q: &Query, resolve_unknowns: bool) -> Res<Vec<Typed>> {
    cx.new_level(|cx| query_level(cx, outer, q, resolve_unknowns))
}

fn query_level(cx: &mut Cx, outer: &Scope, q: &Query, resolve_unknowns: bool) -> Res<Vec<Typed>> {
    if q.fetch.is_some() {
        return unsupported("FETCH FIRST");
    }
    let mut scope = Scope::child(outer);
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            let name = fold(&cte.alias.name);
            let cols = match (&*cte.query.body, with.recursive) {
                (
                    SetExpr::SetOperation {
                        left,
                        op: SetOperator::Union,
                        right,
                        ..
                    },
                    true,
                ) if cte.query.with.is_none() => {
                    recursive_cte(cx, &mut scope, &name, cte, left, right)?
                }
                _ => {
                    let mut cols = to_cols(query(cx, &scope, &cte.query, true)?);
                    rename(&mut cols, &cte.alias)?;
                    cols
                }
            };
            scope.ctes.push((name, cols));
        }
    }
    let cols = set_expr(cx, &scope, &q.body, q.order_by.as_ref(), resolve_unknowns)?;
    if !q.locks.is_empty() {
        super::locking::check(cx.schema, cx.sql, q, &scope.cte_names())?;
    }
    if let Some(limit) = &q.limit_clause {
        match limit {
            sqlparser::ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            } => {
                if !limit_by.is_empty() {
                    return unsupported("LIMIT BY");
                }
                // transformSelectStmt: OFFSET, then LIMIT.
                if let Some(o) = offset {
                    cx.within(Clause::Offset, |cx| limit_expr(cx, &scope, &o.value))?;
                }
                if let Some(l) = limit {
                    cx.within(Clause::Limit, |cx| limit_expr(cx, &scope, l))?;
                }
            }
            sqlparser::ast::LimitClause::OffsetCommaLimit { .. } => {
                return error("LIMIT #,# syntax is not supported");
            }
        }
    }
    Ok(cols)
}

/// `WITH RECURSIVE name AS (non-recursive UNION [ALL] recursive)`: the columns' types are
/// the non-recursive term's (PostgreSQL requires the recursive term to match them); a column
/// is nullable if either term can make it NULL, found by re-analysing the recursive term until
/// nothing changes.
fn recursive_cte(
    cx: &mut Cx,
    scope: &mut Scope,
    name: &str,
    cte: &sqlparser::ast::Cte,
    left: &SetExpr,
    right: &SetExpr,
) -> Res<Vec<Col>> {
    let mut base = set_expr(cx, scope, left, None, true)?;
    for t in &mut base {
        cx.resolve_unknown(t)?;
    }
    let mut cols = to_cols(base);
    rename(&mut cols, &cte.alias)?;
    for c in &mut cols {
        c.origin = None;
    }
    let saved_params = cx.params.clone();
    for _ in 0..4 {
        cx.params = saved_params.clone();
        scope.ctes.push((name.to_string(), cols.clone()));
        let result = set_expr(cx, scope, right, None, false);
        scope.ctes.pop();
        let mut rec = result?;
        if rec.len() != cols.len() {
            return error("each UNION query must have the same number of columns");
        }
        let mut changed = false;
        for (c, r) in cols.iter_mut().zip(rec.iter_mut()) {
            if r.ty != c.ty {
                if r.ty == crate::builtins::oid::UNKNOWN {
                    cx.coerce(r, c.ty)?;
                } else {
                    return error(format!(
                        "recursive query \"{name}\" column has type {} in non-recursive term but type {} overall",
                        cx.schema.types.display(c.ty),
                        cx.schema.types.display(r.ty)
                    ));
                }
            }
            if r.nullable && !c.nullable {
                c.nullable = true;
                changed = true;
            }
            if c.elements_non_null && !r.elements_non_null {
                c.elements_non_null = false;
                changed = true;
            }
        }
        if !changed {
            return Ok(cols);
        }
    }
    unsupported("a recursive query whose nullability does not settle")
}

fn limit_expr(cx: &mut Cx, scope: &Scope, e: &Expr) -> Res<()> {
    if matches!(e, Expr::Value(v) if matches!(v.value, Value::Null)) {
        return Ok(());
    }
    let mut t = cx.expr(scope, e)?;
    // transformLimitClause: coerce_to_specific_type, an assignment coercion (`LIMIT 1.5`).
    if !super::resolve::can_cast(
        &cx.schema.types,
        t.ty,
        oid::INT8,
        super::resolve::Ctx::Assignment,
    ) {
        return error(format!(
            "argument of LIMIT must be type bigint, not type {}",
            cx.schema.types.display(t.ty)
        ));
    }
    cx.coerce(&mut t, oid::INT8)
}

fn rename(cols: &mut [Col], alias: &TableAlias) -> Res<()> {
    if alias.columns.len() > cols.len() {
        return error(format!(
            "table \"{}\" has {} columns available but {} columns specified",
            fold(&alias.name),
            cols.len(),
            alias.columns.len()
        ));
    }
    for (c, a) in cols.iter_mut().zip(&alias.columns) {
        if a.data_type.is_some() {
            return unsupported("column definition lists");
        }
        c.name = fold(&a.name);
    }
    Ok(())
}

fn set_expr(
    cx: &mut Cx,
    scope: &Scope,
    body: &SetExpr,
    order_by: Option<&OrderBy>,
    resolve_unknowns: bool,
) -> Res<Vec<Typed>> {
    match body {
        SetExpr::Select(s) => select(cx, scope, s, order_by, resolve_unknowns),
        SetExpr::Query(q) => query(cx, scope, q, resolve_unknowns),
        SetExpr::SetOperation {
            left,
            op,
            right,
            set_quantifier,
        } => {
            let mut l = set_expr(cx, scope, left, None, false)?;
            let mut r = set_expr(cx, scope, right, None, false)?;
            let what = match op {
                SetOperator::Union => "UNION",
                SetOperator::Intersect => "INTERSECT",
                SetOperator::Except => "EXCEPT",
                other => return unsupported(format!("the set operation {other}")),
            };
            if l.len() != r.len() {
                return error(format!(
                    "each {what} query must have the same number of columns"
                ));
            }
            let mut out = Vec::new();
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                let mut pair = [a.clone(), b.clone()];
                let ty = cx.common(&mut pair, what)?;
                let nullable = match op {
                    SetOperator::Intersect => a.nullable && b.nullable,
                    SetOperator::Except => a.nullable,
                    _ => a.nullable || b.nullable,
                };
                if !matches!(
                    set_quantifier,
                    sqlparser::ast::SetQuantifier::All | sqlparser::ast::SetQuantifier::AllByName
                ) {
                    clauses::sort_group_operator(
                        cx,
                        ty,
                        clauses::Needs::Equality,
                        sqlparser::tokenizer::Span::empty(),
                    )?;
                }
                let mut t = Typed::value(ty, nullable);
                t.name = Some(a.column_name());
                t.strength = 2;
                out.push(t);
            }
            if let Some(order) = order_by {
                order_by_outputs(order, &out)?;
            }
            Ok(out)
        }
        SetExpr::Values(values) => {
            let rows: Vec<&Vec<Expr>> = values.rows.iter().map(|r| &r.content).collect();
            let width = rows.first().map_or(0, |r| r.len());
            let mut typed: Vec<Vec<Typed>> = Vec::new();
            for row in &rows {
                if row.len() != width {
                    return error("VALUES lists must all be the same length");
                }
                let mut ts = Vec::new();
                for e in row.iter() {
                    if super::rows::expansion(e).is_some() {
                        return unsupported("`(x).*` in VALUES");
                    }
                    ts.push(cx.within(Clause::Values, |cx| cx.expr(scope, e))?);
                }
                typed.push(ts);
            }
            let mut out = Vec::new();
            for i in 0..width {
                let mut column: Vec<Typed> = typed.iter().map(|r| r[i].clone()).collect();
                let ty = cx.common(&mut column, "VALUES")?;
                let nullable = column.iter().any(|t| t.nullable);
                let mut t = Typed::value(ty, nullable);
                t.name = Some(format!("column{}", i + 1));
                t.strength = 2;
                out.push(t);
            }
            Ok(out)
        }
        SetExpr::Insert(Statement::Insert(i)) => Ok(returning_typed(insert(cx, scope, i)?)),
        SetExpr::Update(Statement::Update(u)) => Ok(returning_typed(update(cx, scope, u)?)),
        SetExpr::Delete(Statement::Delete(d)) => Ok(returning_typed(delete(cx, scope, d)?)),
        other => unsupported(format!("the query form `{}`", short(&other.to_string()))),
    }
}

fn returning_typed(cols: Vec<Col>) -> Vec<Typed> {
    cols.iter().map(from_col).collect()
}

fn short(s: &str) -> String {
    s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// ORDER BY over a set operation: output column names and positions only.
fn order_by_outputs(order: &OrderBy, outputs: &[Typed]) -> Res<()> {
    let OrderByKind::Expressions(exprs) = &order.kind else {
        return unsupported("ORDER BY ALL");
    };
    for o in exprs {
        match &o.expr {
            Expr::Identifier(i) if outputs.iter().any(|t| t.name.as_deref() == Some(&fold(i))) => {}
            e @ Expr::Value(v) if matches!(v.value, Value::Number(..)) => {
                clauses::position(e, outputs.len(), "ORDER BY")?;
            }
            _ => return unsupported("ORDER BY expressions over a set operation"),
        }
    }
    Ok(())
}

fn select(
    cx: &mut Cx,
    outer: &Scope,
    s: &Select,
    order_by: Option<&OrderBy>,
    resolve_unknowns: bool,
) -> Res<Vec<Typed>> {
    if s.into.is_some() {
        return unsupported("SELECT INTO");
    }
    if !s.lateral_views.is_empty() || s.qualify.is_some() || !s.named_window.is_empty() {
        return unsupported("QUALIFY / named WINDOW clauses");
    }
    let mut scope = Scope::child(outer);
    for twj in &s.from {
        let items = from_item(cx, outer, &scope.items, twj)?;
        scope.items.extend(items);
    }
    clauses::names_once(Vec::new(), &s.from)?;
    let (grouped, grouping_sets) = match &s.group_by {
        GroupByExpr::Expressions(exprs, modifiers) => {
            if !modifiers.is_empty() {
                return unsupported("GROUP BY modifiers (WITH ROLLUP / CUBE / TOTALS)");
            }
            let sets = exprs
                .iter()
                .any(|e| matches!(e, Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_)));
            // Under grouping sets a set may be `()`: a row over empty input, where aggregates
            // other than count are NULL, as without GROUP BY.
            (!exprs.is_empty() && !sets, sets)
        }
        GroupByExpr::All(_) => return unsupported("GROUP BY ALL"),
    };
    let saved = (cx.grouped, cx.saw_aggregate, cx.grouping_sets);
    cx.grouped = grouped;
    cx.saw_aggregate = false;
    cx.grouping_sets = grouping_sets;
    // Each SELECT is a query level of its own (a set operation's arms too).
    let result = cx.new_level(|cx| select_body(cx, &scope, s, order_by, resolve_unknowns));
    cx.grouped = saved.0;
    cx.saw_aggregate = saved.1;
    cx.grouping_sets = saved.2;
    result
}

fn select_body(
    cx: &mut Cx,
    scope: &Scope,
    s: &Select,
    order_by: Option<&OrderBy>,
    resolve_unknowns: bool,
) -> Res<Vec<Typed>> {
    // transformSelectStmt's order (the first use of a parameter types it): target list,
    // WHERE, HAVING, ORDER BY, GROUP BY, DISTINCT ON.
    let mut out = select_list(cx, scope, &s.projection)?;
    if let Some(sqlparser::ast::Distinct::Distinct) = &s.distinct {
        for t in &out {
            clauses::sort_group_operator(
                cx,
                t.ty,
                clauses::Needs::Equality,
                sqlparser::tokenizer::Span::empty(),
            )?;
        }
    }
    if let Some(w) = &s.selection {
        cx.within(Clause::Where, |cx| cx.condition(scope, w))?;
    }
    if let Some(h) = &s.having {
        cx.within(Clause::Having, |cx| cx.condition(scope, h))?;
    }
    if let Some(order) = order_by {
        let OrderByKind::Expressions(exprs) = &order.kind else {
            return unsupported("ORDER BY ALL");
        };
        for o in exprs {
            output_or_expr(cx, scope, &o.expr, &out, "ORDER BY")?;
        }
    }
    if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
        for e in exprs {
            match e {
                Expr::GroupingSets(sets) | Expr::Cube(sets) | Expr::Rollup(sets) => {
                    for e in sets.iter().flatten() {
                        cx.within(Clause::GroupBy, |cx| {
                            output_or_expr(cx, scope, e, &out, "GROUP BY")
                        })?;
                    }
                }
                _ => cx.within(Clause::GroupBy, |cx| {
                    output_or_expr(cx, scope, e, &out, "GROUP BY")
                })?,
            }
        }
    }
    if let Some(sqlparser::ast::Distinct::On(exprs)) = &s.distinct {
        // Output names and positions first, as for ORDER BY (findTargetlistEntrySQL92).
        for e in exprs {
            output_or_expr(cx, scope, e, &out, "DISTINCT ON")?;
        }
    }
    // Window definitions last (PostgreSQL: after LIMIT too, which this level does not see).
    let mut windowed: Vec<&Expr> = s
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .collect();
    if let Some(OrderByKind::Expressions(exprs)) = order_by.map(|o| &o.kind) {
        windowed.extend(exprs.iter().map(|o| &o.expr));
    }
    cx.window_definitions(scope, &windowed)?;
    super::grouping::check(cx, scope, s, order_by, &out, cx.level.has_aggregates())?;
    super::grouping::distinct_order_by(cx, scope, s, order_by, &out)?;
    super::distinct_on::check(cx, scope, s, order_by, &out)?;
    if resolve_unknowns {
        for t in &mut out {
            cx.resolve_unknown(t)?;
        }
    }
    Ok(out)
}

/// ORDER BY / GROUP BY items (`clause`): an output column position or name, else an
/// expression (an unknown one is text, as addTargetToSortList makes it).
fn output_or_expr(
    cx: &mut Cx,
    scope: &Scope,
    e: &Expr,
    outputs: &[Typed],
    clause: &str,
) -> Res<()> {
    let sorted = |cx: &mut Cx, e: &Expr| -> Res<u32> {
        let mut t = cx.expr(scope, e)?;
        cx.resolve_unknown(&mut t)?;
        Ok(t.ty)
    };
    let ty = match e {
        Expr::Value(v) if matches!(v.value, Value::Number(..)) => {
            clauses::position(e, outputs.len(), clause)?;
            let n: usize = match &v.value {
                Value::Number(n, _) => n.parse().unwrap_or(0),
                _ => 0,
            };
            n.checked_sub(1).and_then(|i| outputs.get(i)).map(|t| t.ty)
        }
        Expr::Identifier(i) => {
            let output = outputs.iter().find(|t| t.name.as_deref() == Some(&fold(i)));
            match sorted(cx, e) {
                Ok(ty) => Some(output.map_or(ty, |o| o.ty)),
                Err(_) if output.is_some() => output.map(|o| o.ty),
                Err(err) => return Err(err),
            }
        }
        _ => Some(sorted(cx, e)?),
    };
    let needs = if clause == "ORDER BY" {
        clauses::Needs::Ordering
    } else {
        clauses::Needs::Equality
    };
    match ty {
        Some(ty) => clauses::sort_group_operator(cx, ty, needs, first_span(e)),
        None => Ok(()),
    }
}

/// The position of an expression's first token, when it is a name or a constant.
fn first_span(e: &Expr) -> sqlparser::tokenizer::Span {
    match e {
        Expr::Identifier(i) => i.span,
        Expr::CompoundIdentifier(parts) => parts
            .first()
            .map_or(sqlparser::tokenizer::Span::empty(), |p| p.span),
        Expr::Value(v) => v.span,
        _ => sqlparser::tokenizer::Span::empty(),
    }
}

fn select_list(cx: &mut Cx, scope: &Scope, items: &[SelectItem]) -> Res<Vec<Typed>> {
    let mut out = Vec::new();
    for item in items {
        match item {
            // `(x).*` (an alias after it is ignored, as ExpandIndirectionStar ignores it).
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }
                if let Some((root, chain)) = super::rows::expansion(e) =>
            {
                out.extend(cx.expand_fields(scope, root, chain)?);
            }
            SelectItem::UnnamedExpr(e) => {
                let mut t = cx.expr(scope, e)?;
                t.name = Some(t.column_name());
                out.push(t);
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                let mut t = cx.expr(scope, expr)?;
                t.name = Some(fold(alias));
                t.strength = 2;
                out.push(t);
            }
            SelectItem::Wildcard(opts) => {
                if opts.opt_exclude.is_some() || opts.opt_ilike.is_some() {
                    return unsupported("SELECT * EXCLUDE/ILIKE");
                }
                let star = scope.star();
                if star.is_empty() && scope.items.is_empty() {
                    return error("SELECT * with no tables specified is not valid");
                }
                out.extend(star.iter().map(from_col).map(|t| rolled_up(cx, t)));
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                    return unsupported("(expression).*");
                };
                // `(name).*` written with parentheses: a column of that name first (its
                // composite value's fields), as PostgreSQL resolves `name`.
                if let Some(ident) = super::rows::parenthesized(name) {
                    out.extend(cx.expand_fields(scope, &Expr::Identifier(ident.clone()), &[])?);
                    continue;
                }
                let parts = name_parts(name)?;
                let rel = parts.last().cloned().unwrap_or_default();
                let item = scope.item(&rel).ok_or_else(|| {
                    Fail::Error(
                        format!("missing FROM-clause entry for table \"{rel}\""),
                        None,
                    )
                })?;
                out.extend(item.cols.iter().map(from_col).map(|t| rolled_up(cx, t)));
            }
            other => return unsupported(format!("the select item {other}")),
        }
    }
    Ok(out)
}

/// A FROM item with its joins: namespace items (children hidden behind join items).
/// `preceding`: the FROM items before this one, visible to LATERAL subqueries and functions.
fn from_item(
    cx: &mut Cx,
    outer: &Scope,
    preceding: &[Item],
    twj: &TableWithJoins,
) -> Res<Vec<Item>> {
    let mut left = table_factor(cx, outer, preceding, &twj.relation)?;
    for join in &twj.joins {
        let visible: Vec<Item> = preceding.iter().chain(left.iter()).cloned().collect();
        let right = table_factor(cx, outer, &visible, &join.relation)?;
        left = combine(cx, outer, left, right, &join.join_operator)?;
    }
    Ok(left)
}

#[derive(Clone, Copy, PartialEq)]
enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
}

fn combine(
    cx: &mut Cx,
    outer: &Scope,
    mut left: Vec<Item>,
    mut right: Vec<Item>,
    op: &JoinOperator,
) -> Res<Vec<Item>> {
    let (kind, constraint) = match op {
        JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinKind::Inner, c),
        JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, c),
        JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinKind::Right, c),
        JoinOperator::FullOuter(c) => (JoinKind::Full, c),
        JoinOperator::CrossJoin(c) => (JoinKind::Inner, c),
        other => return unsupported(format!("the join `{}`", short(&format!("{other:?}")))),
    };
    let visible = |items: &[Item]| -> Vec<Col> {
        items
            .iter()
            .filter(|i| i.cols_visible)
            .flat_map(|i| i.cols.iter().cloned())
            .collect()
    };
    let lcols = visible(&left);
    let rcols = visible(&right);
    let using: Vec<String> = match constraint {
        JoinConstraint::On(e) => {
            let mut tmp = Scope::child(outer);
            tmp.items = left.iter().chain(right.iter()).cloned().collect();
            cx.within(Clause::JoinOn, |cx| cx.condition(&tmp, e))?;
            Vec::new()
        }
        JoinConstraint::Using(names) => names
            .iter()
            .map(|n| name_parts(n).map(|p| p.last().cloned().unwrap_or_default()))
            .collect::<Res<_>>()?,
        JoinConstraint::Natural => lcols
            .iter()
            .filter(|l| rcols.iter().any(|r| r.name == l.name))
            .map(|l| l.name.clone())
            .collect(),
        JoinConstraint::None => Vec::new(),
    };
    let mut merged = Vec::new();
    let mut merged_from = Vec::new();
    for name in &using {
        let (l_from, r_from) = (merged_source(&left, name), merged_source(&right, name));
        let from = match (kind, l_from, r_from) {
            (JoinKind::Inner | JoinKind::Left, Some(l), _) => Some(l),
            (JoinKind::Right, _, Some(r)) => Some(r),
            (JoinKind::Full, Some(mut l), Some(r)) => {
                l.extend(r);
                Some(l)
            }
            _ => None,
        };
        if let Some(from) = from {
            merged_from.push((name.clone(), from));
        }
        let find = |cols: &[Col], side: &str| -> Res<Col> {
            let mut m = cols.iter().filter(|c| &c.name == name);
            let c = m.next().cloned().ok_or_else(|| {
                Fail::Error(
                    format!(
                        "column \"{name}\" specified in USING clause does not exist in {side} table"
                    ),
                    None,
                )
            })?;
            if m.next().is_some() {
                return error(format!(
                    "common column name \"{name}\" appears more than once in {side} table"
                ));
            }
            Ok(c)
        };
        let l = find(&lcols, "left")?;
        let r = find(&rcols, "right")?;
        let ty = if l.ty == r.ty {
            l.ty
        } else {
            let mut pair = [from_col(&l), from_col(&r)];
            cx.common(&mut pair, "JOIN/USING")?
        };
        let (nullable, origin) = match kind {
            JoinKind::Inner => (l.nullable && r.nullable, l.origin.clone()),
            JoinKind::Left => (l.nullable, l.origin.clone()),
            JoinKind::Right => (r.nullable, r.origin.clone()),
            JoinKind::Full => (l.nullable && r.nullable, None),
        };
        merged.push(Col {
            name: name.clone(),
            ty,
            nullable,
            origin: if ty == l.ty || kind == JoinKind::Right {
                origin
            } else {
                None
            },
            elements_non_null: false,
        });
    }
    if matches!(kind, JoinKind::Left | JoinKind::Full) {
        null_side(&mut right);
    }
    if matches!(kind, JoinKind::Right | JoinKind::Full) {
        null_side(&mut left);
    }
    let mut cols = merged;
    cols.extend(
        visible(&left)
            .into_iter()
            .filter(|c| !using.contains(&c.name)),
    );
    cols.extend(
        visible(&right)
            .into_iter()
            .filter(|c| !using.contains(&c.name)),
    );
    let mut items: Vec<Item> = left.into_iter().chain(right).collect();
    for i in &mut items {
        i.cols_visible = false;
    }
    let mut merged_item = Item::new(None, cols, Some(oid::RECORD));
    merged_item.merged_from = merged_from;
    items.push(merged_item);
    Ok(items)
}

/// The named FROM items' columns the visible column `name` of a join side stands for.
fn merged_source(side: &[Item], name: &str) -> Option<Vec<(String, String)>> {
    let item = side
        .iter()
        .find(|i| i.cols_visible && i.cols.iter().any(|c| c.name == name))?;
    match &item.rel_name {
        Some(rel) => Some(vec![(rel.clone(), name.to_owned())]),
        None => item
            .merged_from
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, from)| from.clone()),
    }
}

fn table_factor(
    cx: &mut Cx,
    outer: &Scope,
    preceding: &[Item],
    tf: &TableFactor,
) -> Res<Vec<Item>> {
    // What a LATERAL item (or a function in FROM, implicitly LATERAL) can see.
    let mut lateral_scope = Scope::child(outer);
    lateral_scope.items = preceding.to_vec();
    match tf {
        TableFactor::Function {
            name, args, alias, ..
        } => table_factor(
            cx,
            outer,
            preceding,
            &TableFactor::Table {
                name: name.clone(),
                alias: alias.clone(),
                args: Some(sqlparser::ast::TableFunctionArgs {
                    args: args.clone(),
                    settings: None,
                }),
                with_hints: Vec::new(),
                version: None,
                with_ordinality: false,
                partitions: Vec::new(),
                json_path: None,
                sample: None,
                index_hints: Vec::new(),
            },
        ),
        TableFactor::Table {
            name,
            alias,
            args: Some(args),
            with_ordinality,
            ..
        } => {
            let parts = name_parts(name)?;
            // `unnest(a, b, ...)` (unqualified, without a column definition list) is
            // `ROWS FROM (unnest(a), unnest(b), ...)`, as transformRangeFunction expands it.
            let coldefs = alias
                .as_ref()
                .is_some_and(|a| a.columns.iter().any(|c| c.data_type.is_some()));
            if coldefs && parts == ["unnest"] && args.args.len() > 1 {
                return Err(unnest_coldefs());
            }
            if coldefs && *with_ordinality {
                return Err(ordinality_coldefs());
            }
            let calls: Vec<(Vec<String>, Vec<sqlparser::ast::FunctionArg>)> =
                if parts == ["unnest"] && args.args.len() > 1 && !coldefs {
                    args.args
                        .iter()
                        .map(|a| (vec!["unnest".to_string()], vec![a.clone()]))
                        .collect()
                } else {
                    vec![(parts, args.args.clone())]
                };
            Ok(vec![function_item(
                cx,
                &lateral_scope,
                &calls,
                alias.as_ref(),
                *with_ordinality,
            )?])
        }
        TableFactor::Table { name, alias, .. }
            if matches!(name.0.as_slice(), [sqlparser::ast::ObjectNamePart::Identifier(i)]
                if i.quote_style.is_none() && SQL_VALUE_FUNCTIONS.contains(&fold(i).as_str())) =>
        {
            // `FROM CURRENT_DATE`: the SQL value function (a keyword), not a relation.
            let parts = name_parts(name)?;
            let fname = parts.last().cloned().unwrap_or_default();
            let t = cx.sql_value_function(&fname)?;
            let mut cols = vec![Col {
                name: t.column_name(),
                ty: t.ty,
                nullable: t.nullable,
                origin: None,
                elements_non_null: false,
            }];
            let rel_name = match alias {
                Some(a) => {
                    if a.columns.is_empty() {
                        cols[0].name = fold(&a.name);
                    }
                    rename(&mut cols, a)?;
                    fold(&a.name)
                }
                None => t.column_name(),
            };
            let mut item = Item::new(Some(rel_name), cols, Some(t.ty));
            item.nulled = t.nullable;
            Ok(vec![item])
        }
        TableFactor::Table { name, alias, .. } => {
            let parts = name_parts(name)?;
            let table = parts.last().cloned().unwrap_or_default();
            let mut system_columns = None;
            let mut primary_key = Err(());
            let (mut cols, row_type) = if parts.len() == 1
                && let Some(cte) = outer.cte(&table)
            {
                (cte.to_vec(), Some(oid::RECORD))
            } else {
                let span = match name.0.first() {
                    Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => i.span,
                    _ => sqlparser::tokenizer::Span::empty(),
                };
                let cols = relation_cols(cx.schema, &parts).map_err(|e| e.at(span))?;
                system_columns = cx.schema.system_columns_of(&parts);
                let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
                primary_key = cx.schema.primary_key(&parts, &names);
                (cols, cx.schema.relation_row_type(&parts))
            };
            let rel_name = match alias {
                Some(a) => {
                    rename(&mut cols, a)?;
                    fold(&a.name)
                }
                None => table,
            };
            let mut item = Item::new(Some(rel_name), cols, row_type);
            item.system_columns = system_columns;
            item.primary_key = primary_key;
            Ok(vec![item])
        }
        TableFactor::Derived {
            lateral,
            subquery,
            alias,
            ..
        } => {
            let Some(alias) = alias else {
                return error("subquery in FROM must have an alias");
            };
            let sees = if *lateral { &lateral_scope } else { outer };
            let mut cols = to_cols(query(cx, sees, subquery, true)?);
            rename(&mut cols, alias)?;
            Ok(vec![Item::new(
                Some(fold(&alias.name)),
                cols,
                Some(oid::RECORD),
            )])
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } => {
            let items = from_item(cx, outer, preceding, table_with_joins)?;
            match alias {
                None => Ok(items),
                Some(a) => {
                    let mut cols: Vec<Col> = items
                        .iter()
                        .filter(|i| i.cols_visible)
                        .flat_map(|i| i.cols.iter().cloned())
                        .collect();
                    rename(&mut cols, a)?;
                    Ok(vec![Item::new(
                        Some(fold(&a.name)),
                        cols,
                        Some(oid::RECORD),
                    )])
                }
            }
        }
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_offset: false,
            with_ordinality,
            ..
        } => {
            let coldefs = alias
                .as_ref()
                .is_some_and(|a| a.columns.iter().any(|c| c.data_type.is_some()));
            if coldefs && array_exprs.len() > 1 {
                return Err(unnest_coldefs());
            }
            if coldefs && *with_ordinality {
                return Err(ordinality_coldefs());
            }
            // `unnest(a, b, ...)` is `ROWS FROM (unnest(a), unnest(b), ...)`.
            let calls: Vec<(Vec<String>, Vec<sqlparser::ast::FunctionArg>)> = array_exprs
                .iter()
                .map(|array| {
                    (
                        vec!["unnest".to_string()],
                        vec![sqlparser::ast::FunctionArg::Unnamed(
                            sqlparser::ast::FunctionArgExpr::Expr(array.clone()),
                        )],
                    )
                })
                .collect();
            Ok(vec![function_item(
                cx,
                &lateral_scope,
                &calls,
                alias.as_ref(),
                *with_ordinality,
            )?])
        }
        other => unsupported(format!("the FROM item `{}`", short(&other.to_string()))),
    }
}

/// transformRangeFunction's error for `unnest(a, b) AS t(x int, y int)`.
fn unnest_coldefs() -> Fail {
    Fail::Error(
        "UNNEST() with multiple arguments cannot have a column definition list".into(),
        Some(
            "Use separate UNNEST() calls inside ROWS FROM(), and attach a column definition \
             list to each one."
                .into(),
        ),
    )
}

/// transformRangeFunction's error for `f() WITH ORDINALITY AS t(x int)`.
fn ordinality_coldefs() -> Fail {
    Fail::Error(
        "WITH ORDINALITY cannot be used with a column definition list".into(),
        Some("Put the column definition list inside ROWS FROM().".into()),
    )
}

/// Functions in FROM (one, or several as `unnest(a, b)` expands), optionally `WITH
/// ORDINALITY`, as transformRangeFunction / addRangeTableEntryForFunction type them: each
/// function's columns in order (a composite or OUT-parameter result expanded), then a
/// `bigint` `ordinality` column; aliases rename them in that order.
fn function_item(
    cx: &mut Cx,
    lateral_scope: &Scope,
    calls: &[(Vec<String>, Vec<sqlparser::ast::FunctionArg>)],
    alias: Option<&TableAlias>,
    ordinality: bool,
) -> Res<Item> {
    let several = calls.len() > 1;
    let mut cols: Vec<Col> = Vec::new();
    let mut row_type = None;
    // A lone scalar function's whole-row value is its result, which may be NULL.
    let mut row_nullable = false;
    // A column definition list (`AS t(a int, b text)`) names the columns itself.
    let coldefs = alias
        .filter(|a| a.columns.iter().any(|c| c.data_type.is_some()))
        .map(|a| a.columns.as_slice());
    for (parts, args) in calls {
        let f = cx.within(Clause::FromFunction, |cx| {
            cx.function_in_from(lateral_scope, parts, args, coldefs)
        })?;
        row_type = Some(f.row_type);
        row_nullable = f.scalar && f.cols.first().is_some_and(|c| c.2);
        for (i, (name, ty, nullable)) in f.cols.into_iter().enumerate() {
            // chooseScalarFunctionAlias: a single OUT parameter's name, else the alias of
            // a lone function, else the function's name.
            let name = match alias {
                Some(a) if i == 0 && f.scalar && !f.out_named && !several => fold(&a.name),
                _ => name,
            };
            cols.push(Col {
                name,
                ty,
                // Shorter results are padded with NULLs.
                nullable: nullable || several,
                origin: None,
                elements_non_null: false,
            });
        }
    }
    if several || ordinality {
        row_type = Some(oid::RECORD);
        row_nullable = false;
    }
    if ordinality {
        cols.push(Col {
            name: "ordinality".into(),
            ty: oid::INT8,
            nullable: false,
            origin: None,
            elements_non_null: false,
        });
    }
    let rel_name = match alias {
        Some(a) if coldefs.is_some() => fold(&a.name),
        Some(a) => {
            rename(&mut cols, a)?;
            fold(&a.name)
        }
        None => calls
            .first()
            .and_then(|(parts, _)| parts.last().cloned())
            .unwrap_or_default(),
    };
    let mut item = Item::new(Some(rel_name), cols, row_type);
    item.nulled = row_nullable;
    Ok(item)
}

/// A relation's columns, nullable unless NOT NULL, with their origin: a schema relation, or a
/// table or view of `pg_catalog` / `information_schema` from the builtins snapshot.
pub(super) fn relation_cols(schema: &Schema, parts: &[String]) -> Res<Vec<Col>> {
    let (schema_name, table) = match parts {
        [t] => (None, t.as_str()),
        [s, t] => (Some(s.as_str()), t.as_str()),
        _ => return unsupported("cross-database relation names"),
    };
    // In a view's query: the relation the name found when the view was created.
    if let Some(bound) = schema.bound_relation_cols(parts) {
        let (name, cols) = bound?;
        return Ok(cols
            .into_iter()
            .map(|(c, now)| Col {
                name: c.name,
                ty: c.ty,
                nullable: !c.not_null,
                origin: Some((name.clone(), now)),
                elements_non_null: false,
            })
            .collect());
    }
    let system = |s: &str| s == "pg_catalog" || s == "information_schema";
    // `pg_catalog` is searched before the search path's schemas when the path does not name
    // it, so an unqualified system relation name is the system relation even where the schema
    // has a stand-in of that name (goalert's `CREATE TABLE pg_stat_activity (...)` "for type
    // info"). `information_schema` is only searched when the path names it.
    let path: Vec<&str> = match schema_name {
        Some(s) => vec![s],
        None if schema.search_path.iter().any(|s| s == "pg_catalog") => {
            schema.search_path.iter().map(String::as_str).collect()
        }
        None => std::iter::once("pg_catalog")
            .chain(schema.search_path.iter().map(String::as_str))
            .collect(),
    };
    let builtins = schema.types.builtins;
    for s in path {
        if system(s) {
            if let Some(rel) = builtins.relation(s, table) {
                return builtin_relation_cols(schema, rel);
            }
        } else if let Some((name, cols)) = schema.relation(Some(s), table) {
            return Ok(cols
                .iter()
                .map(|c| Col {
                    name: c.name.clone(),
                    ty: c.ty,
                    nullable: !c.not_null,
                    origin: Some((name.to_string(), c.name.clone())),
                    elements_non_null: false,
                })
                .collect());
        } else if schema.is_circular_view(s, table) {
            // fireRIRrules, when the view's own query expands to it again.
            return Err(Fail::Error(
                format!("infinite recursion detected in rules for relation \"{table}\""),
                Some("redefine one of the views so that they do not read each other".into()),
            ));
        } else if schema
            .sequences
            .contains(&(s.to_string(), table.to_string()))
        {
            // A sequence read as a relation: its one row (`FormData_pg_sequence_data`).
            return Ok([
                ("last_value", oid::INT8),
                ("log_cnt", oid::INT8),
                ("is_called", oid::BOOL),
            ]
            .into_iter()
            .map(|(c, ty)| Col {
                name: c.into(),
                ty,
                nullable: false,
                origin: Some((table.to_string(), c.into())),
                elements_non_null: false,
            })
            .collect());
        }
    }
    if schema_name.is_none()
        && matches!(
            table,
            "current_date"
                | "current_time"
                | "current_timestamp"
                | "localtime"
                | "localtimestamp"
                | "current_user"
                | "current_role"
                | "session_user"
                | "user"
                | "current_catalog"
                | "current_schema"
        )
    {
        return unsupported("SQL value functions in FROM");
    }
    let system_names = |s: &'static str| {
        builtins
            .relations()
            .iter()
            .filter(move |r| r.schema == s)
            .map(|r| r.name.as_str())
    };
    let help = match schema_name {
        Some("pg_catalog") => closest(table, system_names("pg_catalog")),
        Some("information_schema") => closest(table, system_names("information_schema")),
        Some(_) => closest(table, schema.relation_names()),
        None => closest(
            table,
            schema.relation_names().chain(system_names("pg_catalog")),
        ),
    }
    .map(|n| format!("did you mean \"{n}\"?"));
    Err(Fail::Error(
        format!("relation \"{}\" does not exist", parts.join(".")),
        help,
    ))
}

/// The columns of a system relation: NOT NULL only in a table (a view column is nullable, as
/// the live describe reads `pg_attribute`); a column of a type outside the analyzer's type
/// space (a system row type) refuses the query rather than guess.
fn builtin_relation_cols(schema: &Schema, rel: &crate::builtins::BuiltinRelation) -> Res<Vec<Col>> {
    rel.columns
        .iter()
        .map(|c| {
            if schema.types.builtins.type_by_oid(c.ty).is_none() {
                return unsupported(format!(
                    "reading {}.{} (its column {} has a system row type, type OID {})",
                    rel.schema, rel.name, c.name, c.ty
                ));
            }
            Ok(Col {
                name: c.name.clone(),
                ty: c.ty,
                nullable: !(c.not_null && rel.kind.is_table()),
                origin: Some((rel.name.clone(), c.name.clone())),
                elements_non_null: false,
            })
        })
        .collect()
}

/// The target of INSERT/UPDATE/DELETE: its scope item and its columns.
fn target(cx: &Cx, name: &sqlparser::ast::ObjectName, alias: Option<String>) -> Res<Item> {
    let parts = name_parts(name)?;
    // CheckValidResultRel (when the statement runs; PREPARE accepts it).
    if cx.schema.find_relation(&parts).is_none()
        && cx.schema.bound_target(&parts).is_none()
        && let Some((_, seq)) = cx.schema.sequence(&parts)
    {
        return error(format!("cannot change sequence \"{seq}\""));
    }
    let cols = relation_cols(cx.schema, &parts)?;
    let mut item = Item::new(
        Some(alias.unwrap_or_else(|| parts.last().cloned().unwrap_or_default())),
        cols,
        cx.schema.relation_row_type(&parts),
    );
    item.system_columns = cx.schema.system_columns_of(&parts);
    Ok(item)
}

fn target_column<'a>(item: &'a Item, name: &str) -> Res<&'a Col> {
    item.cols.iter().find(|c| c.name == name).ok_or_else(|| {
        let help = closest(name, item.cols.iter().map(|c| c.name.as_str()))
            .map(|n| format!("did you mean \"{n}\"?"))
            .or_else(|| {
                let cols: Vec<&str> = item.cols.iter().take(12).map(|c| c.name.as_str()).collect();
                let more = if item.cols.len() > cols.len() {
                    ", ..."
                } else {
                    ""
                };
                Some(format!("its columns are {}{more}", cols.join(", ")))
            });
        Fail::Error(
            format!(
                "column \"{name}\" of relation \"{}\" does not exist",
                item.rel_name.clone().unwrap_or_default()
            ),
            help,
        )
    })
}

fn returning(cx: &mut Cx, scope: &Scope, items: &Option<Vec<SelectItem>>) -> Res<Vec<Col>> {
    let Some(items) = items else {
        return Ok(Vec::new());
    };
    let saved = (cx.grouped, cx.saw_aggregate);
    cx.grouped = false;
    let mut out = cx.within(Clause::Returning, |cx| select_list(cx, scope, items))?;
    for t in &mut out {
        cx.resolve_unknown(t)?;
    }
    cx.grouped = saved.0;
    cx.saw_aggregate = saved.1;
    Ok(to_cols(out))
}

fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// A SET list (`transformUpdateTargetList`): every value is typed first, then each is assigned
/// to its column (through its subscripts), so a parameter's first use may be a later value.
fn assignments(
    cx: &mut Cx,
    scope: &Scope,
    table: &Item,
    assignments: &[sqlparser::ast::Assignment],
) -> Res<()> {
    // `(a, b) = (x, y)` is `a = x, b = y`.
    let mut pairs: Vec<(&sqlparser::ast::ObjectName, &Expr)> = Vec::new();
    for a in assignments {
        match &a.target {
            AssignmentTarget::ColumnName(name) => pairs.push((name, &a.value)),
            AssignmentTarget::Tuple(names) => {
                let Expr::Tuple(values) = &a.value else {
                    return unsupported("multi-column assignment from a subquery or row value");
                };
                if names.len() != values.len() {
                    return error("number of columns does not match number of values");
                }
                pairs.extend(names.iter().zip(values));
            }
        }
    }
    let mut values = Vec::new();
    for (_, v) in &pairs {
        values.push(match is_default(v) {
            true => None,
            false => Some(cx.within(Clause::Update, |cx| cx.expr(scope, v))?),
        });
    }
    let mut written = Written::default();
    for ((name, _), value) in pairs.into_iter().zip(values) {
        let parts = name_parts(name)?;
        let [col] = parts.as_slice() else {
            return unsupported("assignment to a field");
        };
        let span = match name.0.first() {
            Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => i.span,
            _ => sqlparser::tokenizer::Span::empty(),
        };
        let mut ty = target_column(table, col).map_err(|f| f.at(span))?.ty;
        // `col[i] = v` (subscripts the parser's tree lost): the value goes to the element.
        let subs = super::subscript::target_subscripts(cx.sql, span.start)?;
        written.note(col, subs.is_empty(), span);
        let Some(mut t) = value else {
            if !subs.is_empty() {
                return Err(
                    Fail::Error("cannot set an array element to DEFAULT".into(), None).at(span),
                );
            }
            continue;
        };
        if !subs.is_empty() {
            let refs: Vec<&sqlparser::ast::Subscript> = subs.iter().collect();
            ty = cx.subscripts(scope, ty, &refs).map_err(|f| f.at(span))?.0;
        }
        cx.assign(&mut t, ty)?;
    }
    // The rewriter's check, after analysis (`rewriteTargetListIU`).
    match written.twice {
        Some((col, span)) => Err(Fail::Error(
            format!("multiple assignments to same column \"{col}\""),
            Some("set each column once".into()),
        )
        .at(span)),
        None => Ok(()),
    }
}

/// The columns a SET list or INSERT column list writes: a column may be written whole once,
/// or in parts (`a[1]`, `a[2]`) any number of times, not both.
#[derive(Default)]
struct Written {
    whole: Vec<String>,
    partial: Vec<String>,
    /// The first column written twice, where.
    twice: Option<(String, sqlparser::tokenizer::Span)>,
}

impl Written {
    fn note(&mut self, col: &str, whole: bool, span: sqlparser::tokenizer::Span) {
        let owned = col.to_owned();
        let clash = self.whole.contains(&owned) || (whole && self.partial.contains(&owned));
        if clash && self.twice.is_none() {
            self.twice = Some((owned.clone(), span));
        }
        if whole {
            self.whole.push(owned);
        } else {
            self.partial.push(owned);
        }
    }
}

fn insert(cx: &mut Cx, outer: &Scope, ins: &Insert) -> Res<Vec<Col>> {
    let TableObject::TableName(name) = &ins.table else {
        return unsupported("INSERT INTO a table function");
    };
    let item = target(cx, name, ins.table_alias.as_ref().map(|a| fold(&a.alias)))?;
    let targets: Vec<Col> = if ins.columns.is_empty() {
        item.cols.clone()
    } else {
        let mut written = Written::default();
        let targets = ins
            .columns
            .iter()
            .map(|c| {
                let parts = name_parts(c)?;
                let [col] = parts.as_slice() else {
                    return unsupported("INSERT into a subscript or field");
                };
                let span = match c.0.first() {
                    Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => i.span,
                    _ => sqlparser::tokenizer::Span::empty(),
                };
                let whole = super::subscript::target_subscripts(cx.sql, span.start)?.is_empty();
                written.note(col, whole, span);
                target_column(&item, col).cloned()
            })
            .collect::<Res<_>>()?;
        // `checkInsertTargets`.
        if let Some((col, span)) = written.twice {
            return Err(Fail::Error(
                format!("column \"{col}\" specified more than once"),
                Some("name each target column once".into()),
            )
            .at(span));
        }
        targets
    };
    if !ins.assignments.is_empty() || ins.partitioned.is_some() {
        return unsupported("INSERT ... SET");
    }
    if let Some(source) = &ins.source {
        let plain_values = source.with.is_none()
            && source.order_by.is_none()
            && source.limit_clause.is_none()
            && matches!(&*source.body, SetExpr::Values(_));
        if let (true, SetExpr::Values(values)) = (plain_values, &*source.body) {
            let scope = Scope::child(outer);
            for row in &values.rows {
                if row.content.len() > targets.len() {
                    return error("INSERT has more expressions than target columns");
                }
                if row.content.len() < targets.len() && !ins.columns.is_empty() {
                    return error("INSERT has more target columns than expressions");
                }
                if row
                    .content
                    .iter()
                    .any(|e| super::rows::expansion(e).is_some())
                {
                    return unsupported("`(x).*` in VALUES");
                }
                // transformExpressionList, then transformInsertRow: the row's values are
                // typed before any is assigned.
                let mut typed = Vec::new();
                for (e, col) in row.content.iter().zip(&targets) {
                    if !is_default(e) {
                        let t = cx.within(Clause::Values, |cx| cx.expr(&scope, e))?;
                        typed.push((t, col.ty));
                    }
                }
                for (mut t, ty) in typed {
                    cx.assign(&mut t, ty)?;
                }
            }
        } else {
            let mut cols = query(cx, outer, source, false)?;
            if cols.len() > targets.len() {
                return error("INSERT has more expressions than target columns");
            }
            if cols.len() < targets.len() && !ins.columns.is_empty() {
                return error("INSERT has more target columns than expressions");
            }
            for (t, col) in cols.iter_mut().zip(&targets) {
                cx.assign(t, col.ty)?;
            }
        }
    }
    let mut scope = Scope::child(outer);
    scope.items.push(item.clone());
    if let Some(on) = &ins.on {
        let OnInsert::OnConflict(conflict) = on else {
            return unsupported("ON DUPLICATE KEY");
        };
        let parts = name_parts(name)?;
        super::conflict::arbiter(
            cx,
            outer,
            &item,
            &parts,
            conflict,
            ins.insert_token.0.span.start,
        )?;
        if let sqlparser::ast::OnConflictAction::DoUpdate(update) = &conflict.action {
            let mut s = Scope::child(outer);
            s.items.push(item.clone());
            s.items.push(Item::new(
                Some("excluded".into()),
                item.cols.clone(),
                item.row_type,
            ));
            assignments(cx, &s, &item, &update.assignments)?;
            if let Some(w) = &update.selection {
                cx.within(Clause::Where, |cx| cx.condition(&s, w))?;
            }
        } else if !matches!(conflict.action, OnConflictAction::DoNothing) {
            return unsupported("this ON CONFLICT action");
        }
    }
    returning(cx, &scope, &ins.returning)
}

fn update(cx: &mut Cx, outer: &Scope, u: &Update) -> Res<Vec<Col>> {
    if !u.table.joins.is_empty() {
        return unsupported("UPDATE of a join");
    }
    let TableFactor::Table { name, alias, .. } = &u.table.relation else {
        return unsupported("UPDATE of something other than a table");
    };
    let item = target(cx, name, alias.as_ref().map(|a| fold(&a.name)))?;
    let mut scope = Scope::child(outer);
    scope.items.push(item.clone());
    if let Some(from) = &u.from {
        let (UpdateTableFromKind::BeforeSet(list) | UpdateTableFromKind::AfterSet(list)) = from;
        for twj in list {
            let items = from_item(cx, outer, &scope.items[1..], twj)?;
            scope.items.extend(items);
        }
        let target = clauses::target_name(name, alias.as_ref().map(|a| &a.name));
        clauses::names_once(target.into_iter().collect(), list)?;
    }
    // transformUpdateStmt: WHERE and RETURNING before the SET list.
    if let Some(w) = &u.selection {
        cx.within(Clause::Where, |cx| cx.condition(&scope, w))?;
    }
    let out = returning(cx, &scope, &u.returning)?;
    assignments(cx, &scope, &item, &u.assignments)?;
    Ok(out)
}

fn delete(cx: &mut Cx, outer: &Scope, d: &Delete) -> Res<Vec<Col>> {
    if !d.tables.is_empty() || d.limit.is_some() || !d.order_by.is_empty() {
        return unsupported("multi-table DELETE / DELETE ... LIMIT");
    }
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
    let [twj] = from.as_slice() else {
        return unsupported("DELETE from several tables");
    };
    if !twj.joins.is_empty() {
        return unsupported("DELETE from a join");
    }
    let TableFactor::Table { name, alias, .. } = &twj.relation else {
        return unsupported("DELETE from something other than a table");
    };
    let item = target(cx, name, alias.as_ref().map(|a| fold(&a.name)))?;
    let mut scope = Scope::child(outer);
    scope.items.push(item);
    if let Some(using) = &d.using {
        for twj in using {
            let items = from_item(cx, outer, &scope.items[1..], twj)?;
            scope.items.extend(items);
        }
        let target = clauses::target_name(name, alias.as_ref().map(|a| &a.name));
        clauses::names_once(target.into_iter().collect(), using)?;
    }
    if let Some(w) = &d.selection {
        cx.within(Clause::Where, |cx| cx.condition(&scope, w))?;
    }
    returning(cx, &scope, &d.returning)
}
