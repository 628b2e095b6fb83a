//! `FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF name, ...]` as `transformLockingClause`
//! and `CheckSelectLocking` check them at parse analysis: the query level may not have set
//! operations, DISTINCT, GROUP BY, HAVING, aggregates, window functions or set-returning
//! functions in its target list; each `OF` name must be a FROM item of the level (not a join,
//! a function or a WITH query); a subquery in FROM that is locked is checked the same way,
//! and its own FROM items in turn. (A locked view is checked by the planner, not at PREPARE.)
//! Locking never changes a type.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, GroupByExpr, LockType, ObjectNamePart, OrderByKind, Query, Select, SelectItem, SetExpr,
    TableFactor, TableWithJoins,
};

use super::expr::{fold, name_parts};
use super::{Fail, Res, Schema, unsupported};
use crate::builtins::FunctionKind;

/// A range table entry as far as locking cares.
enum Rte<'a> {
    Relation,
    Subquery(&'a Query),
    Join,
    Function,
    Cte,
}

/// Checks the locking clauses of `q`, a query level whose WITH names (and those of enclosing
/// levels) are `ctes`, after its expressions were analysed.
pub(super) fn check(schema: &Schema, sql: &str, q: &Query, ctes: &[String]) -> Res<()> {
    let mut ctes = ctes.to_vec();
    if let Some(with) = &q.with {
        ctes.extend(with.cte_tables.iter().map(|c| fold(&c.alias.name)));
    }
    for lock in &q.locks {
        let what = strength(sql, lock.lock_type);
        if matches!(&*q.body, SetExpr::Values(_)) {
            return Err(Fail::Error(
                format!("{what} cannot be applied to VALUES"),
                None,
            ));
        }
        check_level(schema, &what, q)?;
        let rtes = range_table(q, &ctes);
        match &lock.of {
            None => {
                for (_, rte) in &rtes {
                    if let Rte::Subquery(sub) = rte {
                        pushed_down(schema, &what, sub, &ctes)?;
                    }
                }
            }
            Some(name) => {
                let ident = match name.0.as_slice() {
                    [ObjectNamePart::Identifier(i)] => i,
                    _ => {
                        return Err(Fail::Error(
                            format!("{what} must specify unqualified relation names"),
                            None,
                        )
                        .at(sqlparser::ast::Spanned::span(name)));
                    }
                };
                let rel = fold(ident);
                let Some((_, rte)) = rtes.iter().find(|(n, _)| n.as_deref() == Some(&rel)) else {
                    return Err(Fail::Error(
                        format!("relation \"{rel}\" in {what} clause not found in FROM clause"),
                        None,
                    )
                    .at(ident.span));
                };
                let refused = match rte {
                    Rte::Relation => None,
                    Rte::Subquery(sub) => {
                        pushed_down(schema, &what, sub, &ctes)?;
                        None
                    }
                    Rte::Join => Some("a join"),
                    Rte::Function => Some("a function"),
                    Rte::Cte => Some("a WITH query"),
                };
                if let Some(kind) = refused {
                    return Err(
                        Fail::Error(format!("{what} cannot be applied to {kind}"), None)
                            .at(ident.span),
                    );
                }
            }
        }
    }
    Ok(())
}

/// A subquery the lock applies to: checked as a level, and every subquery in its FROM too.
fn pushed_down(schema: &Schema, what: &str, q: &Query, ctes: &[String]) -> Res<()> {
    let mut ctes = ctes.to_vec();
    if let Some(with) = &q.with {
        ctes.extend(with.cte_tables.iter().map(|c| fold(&c.alias.name)));
    }
    check_level(schema, what, q)?;
    for (_, rte) in range_table(q, &ctes) {
        if let Rte::Subquery(sub) = rte {
            pushed_down(schema, what, sub, &ctes)?;
        }
    }
    Ok(())
}

/// `LCS_asString` of the clause: the strength as written when the SQL spells one strength of
/// that kind only (the parser's tree keeps UPDATE / SHARE).
fn strength(sql: &str, kind: LockType) -> String {
    let words: Vec<String> = sql
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect();
    let mut spelled: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if w != "FOR" {
            continue;
        }
        let next: Vec<&str> = words[i + 1..].iter().take(3).map(String::as_str).collect();
        let s = match next.as_slice() {
            ["UPDATE", ..] => "FOR UPDATE",
            ["NO", "KEY", "UPDATE", ..] => "FOR NO KEY UPDATE",
            ["SHARE", ..] => "FOR SHARE",
            ["KEY", "SHARE", ..] => "FOR KEY SHARE",
            _ => continue,
        };
        if !spelled.contains(&s) {
            spelled.push(s);
        }
    }
    let base = match kind {
        LockType::Update => "UPDATE",
        LockType::Share => "SHARE",
    };
    match spelled.as_slice() {
        [one] if one.ends_with(base) => one.to_string(),
        _ => format!("FOR {base}"),
    }
}

/// `CheckSelectLocking`.
fn check_level(schema: &Schema, what: &str, q: &Query) -> Res<()> {
    let not_allowed = |with: &str| -> Res<()> {
        Err(Fail::Error(
            format!("{what} is not allowed with {with}"),
            None,
        ))
    };
    let s: &Select = match &*q.body {
        SetExpr::Select(s) => s,
        SetExpr::SetOperation { .. } => return not_allowed("UNION/INTERSECT/EXCEPT"),
        SetExpr::Query(inner) => return check_level(schema, what, inner),
        // A VALUES subquery the lock was pushed down to: nothing to lock, nothing to check.
        SetExpr::Values(_) => return Ok(()),
        _ => return unsupported(format!("{what} of this query form")),
    };
    if s.distinct.is_some() {
        return not_allowed("DISTINCT clause");
    }
    if matches!(&s.group_by, GroupByExpr::Expressions(e, _) if !e.is_empty())
        || matches!(s.group_by, GroupByExpr::All(_))
    {
        return not_allowed("GROUP BY clause");
    }
    if s.having.is_some() {
        return not_allowed("HAVING clause");
    }
    let mut targets: Vec<&Expr> = s
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .collect();
    let order: Vec<&Expr> = match q.order_by.as_ref().map(|o| &o.kind) {
        Some(OrderByKind::Expressions(exprs)) => exprs.iter().map(|o| &o.expr).collect(),
        _ => Vec::new(),
    };
    let target_calls = calls(&targets)?;
    targets.extend(order);
    let calls_all = calls(&targets)?;
    let kinds = |calls: &[(String, bool)]| -> Res<(bool, bool, bool)> {
        let (mut agg, mut window, mut srf) = (false, false, false);
        for (name, over) in calls {
            if *over {
                window = true;
                continue;
            }
            let cands = schema.function_candidates(name);
            let all = |p: &dyn Fn(&super::FunctionSig) -> bool| {
                !cands.is_empty() && cands.iter().all(|(_, f)| p(f))
            };
            let any = |p: &dyn Fn(&super::FunctionSig) -> bool| cands.iter().any(|(_, f)| p(f));
            let is_agg = |f: &super::FunctionSig| f.kind == FunctionKind::Aggregate;
            let is_srf = |f: &super::FunctionSig| f.retset;
            if (any(&is_agg) && !all(&is_agg)) || (any(&is_srf) && !all(&is_srf)) {
                return unsupported(format!(
                    "{what} with a call of {name} (overloads of different kinds)"
                ));
            }
            agg |= all(&is_agg);
            srf |= all(&is_srf);
        }
        Ok((agg, window, srf))
    };
    let (agg, window, _) = kinds(&calls_all)?;
    let (_, _, srf) = kinds(&target_calls)?;
    if agg {
        return not_allowed("aggregate functions");
    }
    if window {
        return not_allowed("window functions");
    }
    if srf {
        return not_allowed("set-returning functions in the target list");
    }
    Ok(())
}

/// The function calls of `exprs` at this query level (not in subqueries): name as resolution
/// looks it up, and whether it has OVER.
fn calls(exprs: &[&Expr]) -> Res<Vec<(String, bool)>> {
    let mut found = Vec::new();
    let walked = super::level::visit_level(exprs, |e| {
        if let Expr::Function(f) = e {
            let name = match name_parts(&f.name) {
                Ok(parts) => match parts.as_slice() {
                    [n] => n.clone(),
                    [s, n] if s == "pg_catalog" => n.clone(),
                    [s, n] => format!("{s}.{n}"),
                    _ => return ControlFlow::Continue(()),
                },
                Err(e) => return ControlFlow::Break(e),
            };
            found.push((name, f.over.is_some()));
        }
        ControlFlow::Continue(())
    });
    match walked {
        ControlFlow::Break(failed) => Err(failed),
        ControlFlow::Continue(()) => Ok(found),
    }
}

/// The level's range table entries in PostgreSQL's order (a join's after its children), each
/// with the name it is referred to by.
fn range_table<'a>(q: &'a Query, ctes: &[String]) -> Vec<(Option<String>, Rte<'a>)> {
    let mut out = Vec::new();
    let mut body = &*q.body;
    while let SetExpr::Query(inner) = body {
        body = &inner.body;
    }
    if let SetExpr::Select(s) = body {
        for twj in &s.from {
            from_item(twj, ctes, &mut out);
        }
    }
    out
}

fn from_item<'a>(
    twj: &'a TableWithJoins,
    ctes: &[String],
    out: &mut Vec<(Option<String>, Rte<'a>)>,
) {
    factor(&twj.relation, ctes, out);
    for join in &twj.joins {
        factor(&join.relation, ctes, out);
        out.push((None, Rte::Join));
    }
}

fn factor<'a>(tf: &'a TableFactor, ctes: &[String], out: &mut Vec<(Option<String>, Rte<'a>)>) {
    let alias = |a: &Option<sqlparser::ast::TableAlias>| a.as_ref().map(|a| fold(&a.name));
    match tf {
        TableFactor::Table {
            name,
            alias: a,
            args,
            ..
        } => {
            let parts = name_parts(name).unwrap_or_default();
            let last = parts.last().cloned();
            let rte = if args.is_some()
                || (parts.len() == 1
                    && super::expr::SQL_VALUE_FUNCTIONS.contains(&parts[0].as_str()))
            {
                Rte::Function
            } else if parts.len() == 1 && ctes.contains(&parts[0]) {
                Rte::Cte
            } else {
                Rte::Relation
            };
            out.push((alias(a).or(last), rte));
        }
        TableFactor::Derived {
            subquery, alias: a, ..
        } => out.push((alias(a), Rte::Subquery(subquery))),
        TableFactor::NestedJoin {
            table_with_joins,
            alias: a,
        } => {
            from_item(table_with_joins, ctes, out);
            if a.is_some() {
                out.push((alias(a), Rte::Join));
            }
        }
        TableFactor::Function { name, alias: a, .. } => {
            let parts = name_parts(name).unwrap_or_default();
            out.push((alias(a).or(parts.last().cloned()), Rte::Function));
        }
        TableFactor::UNNEST { alias: a, .. } => {
            out.push((alias(a).or(Some("unnest".into())), Rte::Function));
        }
        _ => out.push((None, Rte::Function)),
    }
}
