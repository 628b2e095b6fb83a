//! `SELECT DISTINCT ON expressions must match initial ORDER BY expressions`
//! (parse_clause.c `transformDistinctOnClause`): with both DISTINCT ON and ORDER BY, the ORDER
//! BY items that are DISTINCT ON items must come first, and every DISTINCT ON item must be one
//! of them once an ORDER BY item that is not one was seen.
//!
//! Items are compared as PostgreSQL compares them, by the target-list entry each resolves to
//! (an output position or name, else an equal select item, else a junk entry of its own).
//! Decided only when every comparison is certain: two different columns, a column and an
//! expression that cannot reduce to a column, the same spelling; otherwise accepted.

use sqlparser::ast::{
    Distinct, Expr, OrderBy, OrderByKind, Select, SelectItem, SelectItemQualifiedWildcardKind,
    Value,
};
use sqlparser::tokenizer::Span;

use super::expr::{Cx, Typed, fold, name_parts};
use super::grouping::{ColumnRef, column_ref, first_span, spelling};
use super::scope::Scope;
use super::{Fail, Res};

type ColumnId = (usize, String);

/// A select-list entry, as far as the comparison needs it.
#[derive(Clone)]
enum Shape {
    Column(ColumnId),
    /// An expression: its spelling, and whether it may reduce to a plain column.
    Expr(String, bool),
}

/// The target-list entry a DISTINCT ON / ORDER BY item resolves to.
#[derive(Clone)]
enum Key {
    Entry(usize),
    /// A column no select item is (a junk entry).
    Column(ColumnId),
    /// An expression no select item is spelled as (a junk entry).
    Expr(String, bool),
}

pub fn check(
    cx: &Cx,
    scope: &Scope,
    s: &Select,
    order_by: Option<&OrderBy>,
    outputs: &[Typed],
) -> Res<()> {
    let Some(Distinct::On(distinct)) = &s.distinct else {
        return Ok(());
    };
    let Some(OrderByKind::Expressions(order)) = order_by.map(|o| &o.kind) else {
        return Ok(());
    };
    if order.is_empty() {
        return Ok(());
    }
    let Some(tlist) = target_list(cx, scope, s) else {
        return Ok(());
    };
    let key = |e: &Expr| resolve(cx, scope, e, &tlist, outputs);
    let Some(d_keys) = distinct.iter().map(key).collect::<Option<Vec<Key>>>() else {
        return Ok(());
    };
    let Some(o_keys) = order
        .iter()
        .map(|o| key(&o.expr))
        .collect::<Option<Vec<Key>>>()
    else {
        return Ok(());
    };
    // ORDER BY items equal to an earlier one are not in the sort clause twice
    // (addTargetToSortList); no need to find them: such an item equals the same DISTINCT ON
    // items as the earlier one (equality is transitive), so it matches only items already
    // matched, and one that matches none is skipped either way.
    let mut matched = vec![false; d_keys.len()];
    let mut skipped = false;
    for o in &o_keys {
        let mut equals = Vec::new();
        for (i, d) in d_keys.iter().enumerate() {
            match equal(&tlist, o, d) {
                Some(true) => equals.push(i),
                Some(false) => {}
                None => return Ok(()),
            }
        }
        match equals.iter().find(|&&i| !matched[i]) {
            Some(&first) if skipped => return Err(mismatch(&distinct[first])),
            _ if equals.is_empty() => skipped = true,
            _ => equals.iter().for_each(|&i| matched[i] = true),
        }
    }
    if skipped && let Some(i) = matched.iter().position(|m| !m) {
        return Err(mismatch(&distinct[i]));
    }
    Ok(())
}

fn mismatch(e: &Expr) -> Fail {
    Fail::Error(
        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions".into(),
        Some("start ORDER BY with the DISTINCT ON expressions".into()),
    )
    .at(location(e))
}

/// `exprLocation` of a raw expression: a call's name, else its leftmost name or constant.
fn location(e: &Expr) -> Span {
    match e {
        Expr::Function(f) => match f.name.0.first() {
            Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => i.span,
            _ => first_span(e),
        },
        _ => first_span(e),
    }
}

/// The select list's entries, `*` spelled out; `None` when not told apart here.
fn target_list(cx: &Cx, scope: &Scope, s: &Select) -> Option<Vec<Shape>> {
    let mut out = Vec::new();
    let item_columns = |idx: usize, out: &mut Vec<Shape>| {
        for c in &scope.items[idx].cols {
            out.push(Shape::Column((idx, c.name.clone())));
        }
    };
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                // `(x).*` expands to several entries.
                if super::rows::expansion(e).is_some() {
                    return None;
                }
                out.push(match column_ref(cx, scope, e) {
                    ColumnRef::Here(id) => Shape::Column(id),
                    ColumnRef::Outer | ColumnRef::NotColumn => {
                        Shape::Expr(spelling(e), may_be_column(cx, scope, e))
                    }
                    ColumnRef::Unknown => return None,
                });
            }
            SelectItem::Wildcard(_) => {
                // Only plain FROM lists: a join's merged columns are not told apart.
                if scope
                    .items
                    .iter()
                    .any(|i| i.rel_name.is_none() || !i.cols_visible)
                {
                    return None;
                }
                (0..scope.items.len()).for_each(|idx| item_columns(idx, &mut out));
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _)
                if super::rows::parenthesized(name).is_none() =>
            {
                let rel = name_parts(name).ok()?.last()?.clone();
                let idx = scope
                    .items
                    .iter()
                    .position(|i| i.rel_name.as_deref() == Some(&rel))?;
                item_columns(idx, &mut out);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// findTargetlistEntrySQL92 / SQL99 for ORDER BY and DISTINCT ON.
fn resolve(cx: &Cx, scope: &Scope, e: &Expr, tlist: &[Shape], outputs: &[Typed]) -> Option<Key> {
    match e {
        Expr::Value(v) => {
            if let Value::Number(n, _) = &v.value {
                let n: usize = n.parse().ok()?;
                return (1..=tlist.len()).contains(&n).then(|| Key::Entry(n - 1));
            }
        }
        Expr::Identifier(i) => {
            let name = fold(i);
            let mut named = outputs
                .iter()
                .enumerate()
                .filter(|(_, t)| t.name.as_deref() == Some(&name));
            if let Some((first, _)) = named.next() {
                // Several outputs of that name: ambiguous unless equal; not decided here.
                return named.next().is_none().then_some(Key::Entry(first));
            }
        }
        _ => {}
    }
    if outputs.len() != tlist.len() {
        return None;
    }
    match column_ref(cx, scope, e) {
        ColumnRef::Here(id) => Some(
            tlist
                .iter()
                .position(|t| matches!(t, Shape::Column(c) if *c == id))
                .map_or(Key::Column(id), Key::Entry),
        ),
        ColumnRef::Outer | ColumnRef::NotColumn => {
            let spelled = spelling(e);
            Some(
                tlist
                    .iter()
                    .position(|t| matches!(t, Shape::Expr(s, _) if *s == spelled))
                    .map_or_else(
                        || Key::Expr(spelled, may_be_column(cx, scope, e)),
                        Key::Entry,
                    ),
            )
        }
        ColumnRef::Unknown => None,
    }
}

/// Whether an expression other than a column may still be one once analysed: a cast of a
/// column to its own type is the column itself.
fn may_be_column(cx: &Cx, scope: &Scope, e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => {
            matches!(
                column_ref(cx, scope, inner),
                ColumnRef::Here(_) | ColumnRef::Unknown
            ) || may_be_column(cx, scope, inner)
        }
        _ => false,
    }
}

fn shape_key(tlist: &[Shape], k: &Key) -> Option<Shape> {
    match k {
        Key::Entry(i) => tlist.get(*i).cloned(),
        Key::Column(c) => Some(Shape::Column(c.clone())),
        Key::Expr(s, m) => Some(Shape::Expr(s.clone(), *m)),
    }
}

/// Whether two items resolve to the same target-list entry; `None`: not certain.
fn equal(tlist: &[Shape], a: &Key, b: &Key) -> Option<bool> {
    if let (Key::Entry(i), Key::Entry(j)) = (a, b) {
        return Some(i == j);
    }
    match (shape_key(tlist, a)?, shape_key(tlist, b)?) {
        (Shape::Column(x), Shape::Column(y)) => Some(x == y),
        (Shape::Column(_), Shape::Expr(_, may)) | (Shape::Expr(_, may), Shape::Column(_)) => {
            (!may).then_some(false)
        }
        // Two expressions: the same when spelled alike (an entry and a junk entry never are).
        (Shape::Expr(x, _), Shape::Expr(y, _)) => {
            let entry = matches!(a, Key::Entry(_)) || matches!(b, Key::Entry(_));
            (x == y && !entry).then_some(true)
        }
    }
}
