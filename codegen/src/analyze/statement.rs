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

use super::expr::{Cx, Typed, fold, name_parts};
use super::scope::{Col, Item, Scope, null_side};
use super::{Fail, Res, Schema, error, unsupported};
use crate::builtins::oid;
use crate::diagnostic::closest;

/// What a statement produces.
pub struct Output {
    pub params: Vec<Option<u32>>,
    pub columns: Vec<Col>,
}

/// `param_nullable[i]`: whether `$(i + 1)` may be bound to NULL (a `sqlc.narg`).
pub fn analyze_statement(
    schema: &Schema,
    statement: &Statement,
    param_nullable: &[bool],
) -> Res<Output> {
    let nparams = param_nullable.len();
    let mut cx = Cx::new(schema, nparams);
    cx.param_nullable = param_nullable.to_vec();
    let root = Scope::default();
    let columns = match statement {
        Statement::Query(q) => to_cols(query(&mut cx, &root, q, true)?),
        Statement::Insert(i) => insert(&mut cx, &root, i)?,
        Statement::Update(u) => update(&mut cx, &root, u)?,
        Statement::Delete(d) => delete(&mut cx, &root, d)?,
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

fn to_cols(ts: Vec<Typed>) -> Vec<Col> {
    ts.into_iter()
        .map(|t| Col {
            name: t.column_name(),
            ty: t.ty,
            nullable: t.nullable,
            origin: t.origin,
        })
        .collect()
}

fn from_col(c: &Col) -> Typed {
    let mut t = Typed::value(c.ty, c.nullable);
    t.name = Some(c.name.clone());
    t.strength = 2;
    t.origin = c.origin.clone();
    t
}

/// A subquery in an expression (scalar, EXISTS, IN, ANY): its columns.
pub fn subquery(cx: &mut Cx, scope: &Scope, q: &Query) -> Res<Vec<Col>> {
    Ok(to_cols(query(cx, scope, q, true)?))
}

/// A whole query expression (WITH, body, ORDER BY, LIMIT/OFFSET) at a new level under `outer`.
fn query(cx: &mut Cx, outer: &Scope, q: &Query, resolve_unknowns: bool) -> Res<Vec<Typed>> {
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
                if let Some(l) = limit {
                    limit_expr(cx, &scope, l)?;
                }
                if let Some(o) = offset {
                    limit_expr(cx, &scope, &o.value)?;
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
    if !super::resolve::can_cast(
        &cx.schema.types,
        t.ty,
        oid::INT8,
        super::resolve::Ctx::Implicit,
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
            left, op, right, ..
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
                    ts.push(cx.expr(scope, e)?);
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
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => {}
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
    let grouped = match &s.group_by {
        GroupByExpr::Expressions(exprs, modifiers) => {
            if !modifiers.is_empty()
                || exprs
                    .iter()
                    .any(|e| matches!(e, Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_)))
            {
                return unsupported("GROUPING SETS / ROLLUP / CUBE");
            }
            !exprs.is_empty()
        }
        GroupByExpr::All(_) => return unsupported("GROUP BY ALL"),
    };
    let saved = (cx.grouped, cx.saw_aggregate);
    cx.grouped = grouped;
    cx.saw_aggregate = false;
    let result = select_body(cx, &scope, s, order_by, resolve_unknowns);
    cx.grouped = saved.0;
    cx.saw_aggregate = saved.1;
    result
}

fn select_body(
    cx: &mut Cx,
    scope: &Scope,
    s: &Select,
    order_by: Option<&OrderBy>,
    resolve_unknowns: bool,
) -> Res<Vec<Typed>> {
    let mut out = select_list(cx, scope, &s.projection)?;
    if let Some(sqlparser::ast::Distinct::On(exprs)) = &s.distinct {
        for e in exprs {
            cx.expr(scope, e)?;
        }
    }
    if let Some(w) = &s.selection {
        cx.condition(scope, w)?;
    }
    if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
        for e in exprs {
            output_or_expr(cx, scope, e, &out)?;
        }
    }
    if let Some(h) = &s.having {
        cx.condition(scope, h)?;
    }
    if let Some(order) = order_by {
        let OrderByKind::Expressions(exprs) = &order.kind else {
            return unsupported("ORDER BY ALL");
        };
        for o in exprs {
            output_or_expr(cx, scope, &o.expr, &out)?;
        }
    }
    if resolve_unknowns {
        for t in &mut out {
            cx.resolve_unknown(t)?;
        }
    }
    Ok(out)
}

/// ORDER BY / GROUP BY items: an output column position or name, else an expression.
fn output_or_expr(cx: &mut Cx, scope: &Scope, e: &Expr, outputs: &[Typed]) -> Res<()> {
    match e {
        Expr::Value(v) if matches!(v.value, Value::Number(..)) => Ok(()),
        Expr::Identifier(i) => match cx.expr(scope, e) {
            Ok(_) => Ok(()),
            Err(err) => {
                if outputs.iter().any(|t| t.name.as_deref() == Some(&fold(i))) {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        },
        _ => cx.expr(scope, e).map(|_| ()),
    }
}

fn select_list(cx: &mut Cx, scope: &Scope, items: &[SelectItem]) -> Res<Vec<Typed>> {
    let mut out = Vec::new();
    for item in items {
        match item {
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
                out.extend(star.iter().map(from_col));
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                    return unsupported("(expression).*");
                };
                let parts = name_parts(name)?;
                let rel = parts.last().cloned().unwrap_or_default();
                let item = scope.item(&rel).ok_or_else(|| {
                    Fail::Error(
                        format!("missing FROM-clause entry for table \"{rel}\""),
                        None,
                    )
                })?;
                out.extend(item.cols.iter().map(from_col));
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
            cx.condition(&tmp, e)?;
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
    for name in &using {
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
    items.push(Item {
        rel_name: None,
        cols_visible: true,
        cols,
    });
    Ok(items)
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
            if *with_ordinality {
                return unsupported("WITH ORDINALITY");
            }
            let parts = name_parts(name)?;
            let fname = parts.last().cloned().unwrap_or_default();
            let produced = cx.function_in_from(&lateral_scope, &parts, &args.args)?;
            let single = produced.len() == 1;
            let mut cols: Vec<Col> = produced
                .into_iter()
                .map(|(name, ty, nullable)| Col {
                    name,
                    ty,
                    nullable,
                    origin: None,
                })
                .collect();
            let rel_name = match alias {
                Some(a) => {
                    if a.columns.is_empty() && single {
                        cols[0].name = fold(&a.name);
                    }
                    rename(&mut cols, a)?;
                    fold(&a.name)
                }
                None => fname,
            };
            Ok(vec![Item {
                rel_name: Some(rel_name),
                cols_visible: true,
                cols,
            }])
        }
        TableFactor::Table { name, alias, .. } => {
            let parts = name_parts(name)?;
            let table = parts.last().cloned().unwrap_or_default();
            let mut cols = if parts.len() == 1
                && let Some(cte) = outer.cte(&table)
            {
                cte.to_vec()
            } else {
                let span = match name.0.first() {
                    Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => i.span,
                    _ => sqlparser::tokenizer::Span::empty(),
                };
                relation_cols(cx.schema, &parts).map_err(|e| e.at(span))?
            };
            let rel_name = match alias {
                Some(a) => {
                    rename(&mut cols, a)?;
                    fold(&a.name)
                }
                None => table,
            };
            Ok(vec![Item {
                rel_name: Some(rel_name),
                cols_visible: true,
                cols,
            }])
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
            Ok(vec![Item {
                rel_name: Some(fold(&alias.name)),
                cols_visible: true,
                cols,
            }])
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
                    Ok(vec![Item {
                        rel_name: Some(fold(&a.name)),
                        cols_visible: true,
                        cols,
                    }])
                }
            }
        }
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_offset: false,
            with_ordinality: false,
            ..
        } => {
            let [array] = array_exprs.as_slice() else {
                return unsupported("unnest with several arrays");
            };
            let arg = sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(
                array.clone(),
            ));
            let produced = cx.function_in_from(&lateral_scope, &["unnest".to_string()], &[arg])?;
            let single = produced.len() == 1;
            let mut cols: Vec<Col> = produced
                .into_iter()
                .map(|(name, ty, nullable)| Col {
                    name,
                    ty,
                    nullable,
                    origin: None,
                })
                .collect();
            let rel_name = match alias {
                Some(a) => {
                    if a.columns.is_empty() && single {
                        cols[0].name = fold(&a.name);
                    }
                    rename(&mut cols, a)?;
                    fold(&a.name)
                }
                None => "unnest".into(),
            };
            Ok(vec![Item {
                rel_name: Some(rel_name),
                cols_visible: true,
                cols,
            }])
        }
        other => unsupported(format!("the FROM item `{}`", short(&other.to_string()))),
    }
}

/// The tables (`postgres.bki`) and views (`system_views.sql`) of PostgreSQL 15's `pg_catalog`,
/// sorted.
const PG_CATALOG_RELATIONS: &[&str] = &[
    "pg_aggregate",
    "pg_am",
    "pg_amop",
    "pg_amproc",
    "pg_attrdef",
    "pg_attribute",
    "pg_auth_members",
    "pg_authid",
    "pg_available_extension_versions",
    "pg_available_extensions",
    "pg_backend_memory_contexts",
    "pg_cast",
    "pg_class",
    "pg_collation",
    "pg_config",
    "pg_constraint",
    "pg_conversion",
    "pg_cursors",
    "pg_database",
    "pg_db_role_setting",
    "pg_default_acl",
    "pg_depend",
    "pg_description",
    "pg_enum",
    "pg_event_trigger",
    "pg_extension",
    "pg_file_settings",
    "pg_foreign_data_wrapper",
    "pg_foreign_server",
    "pg_foreign_table",
    "pg_group",
    "pg_hba_file_rules",
    "pg_ident_file_mappings",
    "pg_index",
    "pg_indexes",
    "pg_inherits",
    "pg_init_privs",
    "pg_language",
    "pg_largeobject",
    "pg_largeobject_metadata",
    "pg_locks",
    "pg_matviews",
    "pg_namespace",
    "pg_opclass",
    "pg_operator",
    "pg_opfamily",
    "pg_parameter_acl",
    "pg_partitioned_table",
    "pg_policies",
    "pg_policy",
    "pg_prepared_statements",
    "pg_prepared_xacts",
    "pg_proc",
    "pg_publication",
    "pg_publication_namespace",
    "pg_publication_rel",
    "pg_publication_tables",
    "pg_range",
    "pg_replication_origin",
    "pg_replication_origin_status",
    "pg_replication_slots",
    "pg_rewrite",
    "pg_roles",
    "pg_rules",
    "pg_seclabel",
    "pg_seclabels",
    "pg_sequence",
    "pg_sequences",
    "pg_settings",
    "pg_shadow",
    "pg_shdepend",
    "pg_shdescription",
    "pg_shmem_allocations",
    "pg_shseclabel",
    "pg_stat_activity",
    "pg_stat_all_indexes",
    "pg_stat_all_tables",
    "pg_stat_archiver",
    "pg_stat_bgwriter",
    "pg_stat_database",
    "pg_stat_database_conflicts",
    "pg_stat_gssapi",
    "pg_stat_progress_analyze",
    "pg_stat_progress_basebackup",
    "pg_stat_progress_cluster",
    "pg_stat_progress_copy",
    "pg_stat_progress_create_index",
    "pg_stat_progress_vacuum",
    "pg_stat_recovery_prefetch",
    "pg_stat_replication",
    "pg_stat_replication_slots",
    "pg_stat_slru",
    "pg_stat_ssl",
    "pg_stat_subscription",
    "pg_stat_subscription_stats",
    "pg_stat_sys_indexes",
    "pg_stat_sys_tables",
    "pg_stat_user_functions",
    "pg_stat_user_indexes",
    "pg_stat_user_tables",
    "pg_stat_wal",
    "pg_stat_wal_receiver",
    "pg_stat_xact_all_tables",
    "pg_stat_xact_sys_tables",
    "pg_stat_xact_user_functions",
    "pg_stat_xact_user_tables",
    "pg_statio_all_indexes",
    "pg_statio_all_sequences",
    "pg_statio_all_tables",
    "pg_statio_sys_indexes",
    "pg_statio_sys_sequences",
    "pg_statio_sys_tables",
    "pg_statio_user_indexes",
    "pg_statio_user_sequences",
    "pg_statio_user_tables",
    "pg_statistic",
    "pg_statistic_ext",
    "pg_statistic_ext_data",
    "pg_stats",
    "pg_stats_ext",
    "pg_stats_ext_exprs",
    "pg_subscription",
    "pg_subscription_rel",
    "pg_tables",
    "pg_tablespace",
    "pg_timezone_abbrevs",
    "pg_timezone_names",
    "pg_transform",
    "pg_trigger",
    "pg_ts_config",
    "pg_ts_config_map",
    "pg_ts_dict",
    "pg_ts_parser",
    "pg_ts_template",
    "pg_type",
    "pg_user",
    "pg_user_mapping",
    "pg_user_mappings",
    "pg_views",
];

/// A schema relation's columns, nullable unless NOT NULL, with their origin.
fn relation_cols(schema: &Schema, parts: &[String]) -> Res<Vec<Col>> {
    let (schema_name, table) = match parts {
        [t] => (None, t.as_str()),
        [s, t] => (Some(s.as_str()), t.as_str()),
        _ => return unsupported("cross-database relation names"),
    };
    // `pg_catalog` is searched before the search path's schemas when the path does not name
    // it, so an unqualified system relation name is the system relation even where the schema
    // has a stand-in of that name (goalert's `CREATE TABLE pg_stat_activity (...)` "for type
    // info"); the offline catalog has none of them.
    if schema_name.is_none() && PG_CATALOG_RELATIONS.binary_search(&table).is_ok() {
        return unsupported("system catalogs");
    }
    let Some((name, cols)) = schema.relation(schema_name, table) else {
        if schema_name == Some("pg_catalog") || schema_name == Some("information_schema") {
            return unsupported("system catalogs");
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
        let help =
            closest(table, schema.relation_names()).map(|n| format!("did you mean \"{n}\"?"));
        return Err(Fail::Error(
            format!("relation \"{}\" does not exist", parts.join(".")),
            help,
        ));
    };
    Ok(cols
        .iter()
        .map(|c| Col {
            name: c.name.clone(),
            ty: c.ty,
            nullable: !c.not_null,
            origin: Some((name.to_string(), c.name.clone())),
        })
        .collect())
}

/// The target of INSERT/UPDATE/DELETE: its scope item and its columns.
fn target(cx: &Cx, name: &sqlparser::ast::ObjectName, alias: Option<String>) -> Res<Item> {
    let parts = name_parts(name)?;
    let cols = relation_cols(cx.schema, &parts)?;
    Ok(Item {
        rel_name: Some(alias.unwrap_or_else(|| parts.last().cloned().unwrap_or_default())),
        cols_visible: true,
        cols,
    })
}

fn target_column<'a>(item: &'a Item, name: &str) -> Res<&'a Col> {
    item.cols.iter().find(|c| c.name == name).ok_or_else(|| {
        let help = closest(name, item.cols.iter().map(|c| c.name.as_str()))
            .map(|n| format!("did you mean \"{n}\"?"));
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
    let mut out = select_list(cx, scope, items)?;
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

fn assignments(
    cx: &mut Cx,
    scope: &Scope,
    table: &Item,
    assignments: &[sqlparser::ast::Assignment],
) -> Res<()> {
    for a in assignments {
        let name = match &a.target {
            AssignmentTarget::ColumnName(name) => name,
            AssignmentTarget::Tuple(names) => {
                let Expr::Tuple(values) = &a.value else {
                    return unsupported("multi-column assignment from a subquery or row value");
                };
                if names.len() != values.len() {
                    return error("number of columns does not match number of values");
                }
                for (n, v) in names.iter().zip(values) {
                    let parts = name_parts(n)?;
                    let [col] = parts.as_slice() else {
                        return unsupported("assignment to a subscript or field");
                    };
                    let ty = target_column(table, col)?.ty;
                    if is_default(v) {
                        continue;
                    }
                    let mut t = cx.expr(scope, v)?;
                    cx.assign(&mut t, ty)?;
                }
                continue;
            }
        };
        let parts = name_parts(name)?;
        let [col] = parts.as_slice() else {
            return unsupported("assignment to a subscript or field");
        };
        let ty = target_column(table, col)?.ty;
        if is_default(&a.value) {
            continue;
        }
        let mut t = cx.expr(scope, &a.value)?;
        cx.assign(&mut t, ty)?;
    }
    Ok(())
}

fn insert(cx: &mut Cx, outer: &Scope, ins: &Insert) -> Res<Vec<Col>> {
    let TableObject::TableName(name) = &ins.table else {
        return unsupported("INSERT INTO a table function");
    };
    let item = target(cx, name, ins.table_alias.as_ref().map(|a| fold(&a.alias)))?;
    let targets: Vec<Col> = if ins.columns.is_empty() {
        item.cols.clone()
    } else {
        ins.columns
            .iter()
            .map(|c| {
                let parts = name_parts(c)?;
                let [col] = parts.as_slice() else {
                    return unsupported("INSERT into a subscript or field");
                };
                target_column(&item, col).cloned()
            })
            .collect::<Res<_>>()?
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
                for (e, col) in row.content.iter().zip(&targets) {
                    if is_default(e) {
                        continue;
                    }
                    let mut t = cx.expr(&scope, e)?;
                    cx.assign(&mut t, col.ty)?;
                }
            }
        } else {
            let mut cols = query(cx, outer, source, false)?;
            if cols.len() > targets.len() {
                return error("INSERT has more expressions than target columns");
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
        if let sqlparser::ast::OnConflictAction::DoUpdate(update) = &conflict.action {
            let mut s = Scope::child(outer);
            s.items.push(item.clone());
            s.items.push(Item {
                rel_name: Some("excluded".into()),
                cols_visible: true,
                cols: item.cols.clone(),
            });
            assignments(cx, &s, &item, &update.assignments)?;
            if let Some(w) = &update.selection {
                cx.condition(&s, w)?;
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
    }
    assignments(cx, &scope, &item, &u.assignments)?;
    if let Some(w) = &u.selection {
        cx.condition(&scope, w)?;
    }
    returning(cx, &scope, &u.returning)
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
    }
    if let Some(w) = &d.selection {
        cx.condition(&scope, w)?;
    }
    returning(cx, &scope, &d.returning)
}
