//! Select-list membership: ungrouped columns, and SELECT DISTINCT's ORDER BY.
//!
//! `column "t.c" must appear in the GROUP BY clause or be used in an aggregate function`:
//! parse_agg.c's `check_ungrouped_columns` for a grouped query level (GROUP BY, HAVING or an
//! aggregate): the select list, HAVING and ORDER BY may read this level's columns only inside
//! aggregates, as grouped columns, or inside an expression equal to a GROUP BY expression.
//!
//! Decided only where the answer is certain offline; otherwise the query is accepted:
//! * a table column is functionally dependent on the table's primary key when that is
//!   grouped (`check_functional_grouping`; a system relation's key is the builtins
//!   snapshot's); where keys are not known at all, the columns of a relation with any grouped
//!   column are taken as grouped;
//! * GROUP BY expressions other than columns are matched by their spelling; a column that
//!   appears in one of them is not reported;
//! * subqueries, grouping sets, and expressions not modelled here are not looked into;
//! * a call of a function the analyzer does not know makes it give up.

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, OrderBy,
    OrderByKind, Select, SelectItem, SelectItemQualifiedWildcardKind, Value,
};

use super::expr::{Cx, Typed, fold, name_parts};
use super::scope::Scope;
use super::{Fail, Res};
use crate::builtins::FunctionKind;

/// A column of this level: the index of its named FROM item and its name.
type ColumnId = (usize, String);

struct Grouping<'a, 'c> {
    cx: &'a Cx<'c>,
    scope: &'a Scope<'a>,
    columns: Vec<ColumnId>,
    /// GROUP BY expressions other than columns, as spelled (normalized).
    expressions: Vec<String>,
    /// Columns read by those expressions.
    in_expressions: Vec<ColumnId>,
}

/// Why the walk stopped: an ungrouped column (the error), or something not decided offline.
enum Stop {
    Ungrouped(Fail),
    Unknown,
}

/// The check for one SELECT level, after its clauses were typed (`outputs`: its select
/// list). `has_aggregates`: an aggregate of this level was found.
pub fn check(
    cx: &Cx,
    scope: &Scope,
    s: &Select,
    order_by: Option<&OrderBy>,
    outputs: &[Typed],
    has_aggregates: bool,
) -> Res<()> {
    let GroupByExpr::Expressions(group_by, modifiers) = &s.group_by else {
        return Ok(());
    };
    if !(has_aggregates || !group_by.is_empty() || s.having.is_some()) || !modifiers.is_empty() {
        return Ok(());
    }
    let mut g = Grouping {
        cx,
        scope,
        columns: Vec::new(),
        expressions: Vec::new(),
        in_expressions: Vec::new(),
    };
    for e in group_by {
        if g.group_item(e, s, outputs).is_none() {
            return Ok(());
        }
    }
    let walk = || -> Result<(), Stop> {
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    g.expr(e)?
                }
                SelectItem::Wildcard(opts) => {
                    let all: Vec<usize> = (0..scope.items.len()).collect();
                    g.star(&all, opts.wildcard_token.0.span)?
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    opts,
                ) if super::expr::parenthesized(name).is_none() => {
                    let Some(rel) = name_parts(name).ok().and_then(|p| p.last().cloned()) else {
                        return Err(Stop::Unknown);
                    };
                    // (Not found here: an outer level's item.)
                    if let Some(idx) = scope
                        .items
                        .iter()
                        .position(|i| i.rel_name.as_deref() == Some(&rel))
                    {
                        g.star(&[idx], opts.wildcard_token.0.span)?;
                    }
                }
                _ => return Err(Stop::Unknown),
            }
        }
        if let Some(h) = &s.having {
            g.expr(h)?;
        }
        if let Some(order) = order_by
            && let OrderByKind::Expressions(items) = &order.kind
        {
            for o in items {
                match &o.expr {
                    Expr::Value(v) if matches!(v.value, Value::Number(..)) => {}
                    Expr::Identifier(i)
                        if outputs.iter().any(|t| t.name.as_deref() == Some(&fold(i))) => {}
                    e => g.expr(e)?,
                }
            }
        }
        Ok(())
    };
    match walk() {
        Err(Stop::Ungrouped(fail)) => Err(fail),
        Ok(()) | Err(Stop::Unknown) => Ok(()),
    }
}

/// Spelling used to match an expression with a GROUP BY expression.
pub(super) fn spelling(e: &Expr) -> String {
    let s = e.to_string();
    if s.contains('"') { s } else { s.to_lowercase() }
}

impl Grouping<'_, '_> {
    /// Records a GROUP BY item; `None` when it cannot be resolved with certainty.
    fn group_item(&mut self, e: &Expr, s: &Select, outputs: &[Typed]) -> Option<()> {
        match e {
            Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_) => None,
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => {
                // A position: the select item's expression (not with `*` before it).
                let Value::Number(n, _) = &v.value else {
                    return None;
                };
                let n: usize = n.parse().ok()?;
                if s.projection[..n.min(s.projection.len())].iter().any(|i| {
                    !matches!(
                        i,
                        SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }
                    )
                }) {
                    return None;
                }
                match s.projection.get(n.checked_sub(1)?)? {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        self.group_expr(e)
                    }
                    _ => None,
                }
            }
            Expr::Identifier(i) => match self.column(None, i) {
                Ok(Some(id)) => {
                    self.columns.push(id);
                    Some(())
                }
                Ok(None) if let Some(idx) = self.whole_row(i) => {
                    self.columns.push((idx, "*".into()));
                    Some(())
                }
                // Not a column of this level: an output name, or an outer column.
                _ => {
                    let name = fold(i);
                    if outputs.iter().any(|t| t.name.as_deref() == Some(&name)) {
                        let item = s.projection.iter().find(|item| match item {
                            SelectItem::ExprWithAlias { alias, .. } => fold(alias) == name,
                            SelectItem::UnnamedExpr(e) => {
                                matches!(e, Expr::Identifier(x) if fold(x) == name)
                            }
                            _ => false,
                        });
                        match item {
                            Some(
                                SelectItem::UnnamedExpr(e)
                                | SelectItem::ExprWithAlias { expr: e, .. },
                            ) => self.group_expr(e),
                            _ => None,
                        }
                    } else {
                        Some(())
                    }
                }
            },
            other => self.group_expr(other),
        }
    }

    fn group_expr(&mut self, e: &Expr) -> Option<()> {
        match self.column_ref(e) {
            Some(Ok(Some(id))) => self.columns.push(id),
            Some(Ok(None)) => {}
            Some(Err(())) => return None,
            None => {
                self.expressions.push(spelling(e));
                let mut ids = Vec::new();
                collect_columns(self, e, &mut ids);
                self.in_expressions.extend(ids);
            }
        }
        Some(())
    }

    /// `Some` for a column reference: its column of this level (`None`: an outer one), or
    /// `Err` when it cannot be told.
    fn column_ref(&self, e: &Expr) -> Option<Result<Option<ColumnId>, ()>> {
        match e {
            Expr::Identifier(i) => Some(self.column(None, i)),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [rel, col] | [_, rel, col] => Some(self.column(Some(&fold(rel)), col)),
                _ => Some(Err(())),
            },
            Expr::Nested(inner) => self.column_ref(inner),
            _ => None,
        }
    }

    /// The column `[rel.]ident` of this level: `Ok(None)` when it is not one (an outer
    /// column), `Err` when the FROM item it belongs to cannot be told.
    fn column(&self, rel: Option<&str>, ident: &Ident) -> Result<Option<ColumnId>, ()> {
        let name = fold(ident);
        let items = &self.scope.items;
        // (A base relation's system columns, after its own: `xmin`, `ctid`, ...)
        let system = |i: &super::scope::Item| {
            i.system_columns.is_some()
                && !i.cols.iter().any(|c| c.name == name)
                && SYSTEM_COLUMNS.contains(&name.as_str())
        };
        match rel {
            Some(r) => match items.iter().position(|i| i.rel_name.as_deref() == Some(r)) {
                Some(idx) if items[idx].cols.iter().any(|c| c.name == name) => {
                    Ok(Some((idx, name)))
                }
                Some(idx) if system(&items[idx]) => Ok(Some((idx, name))),
                Some(_) => Err(()),
                None => Ok(None),
            },
            None => {
                let here = items.iter().any(|i| {
                    i.cols_visible && (i.cols.iter().any(|c| c.name == name) || system(i))
                });
                if !here {
                    return Ok(None);
                }
                // The named item it comes from (behind a join's merged list): one, or unknown
                // (a USING column, or one hidden by a join alias).
                let mut named = items.iter().enumerate().filter(|(_, i)| {
                    i.rel_name.is_some() && (i.cols.iter().any(|c| c.name == name) || system(i))
                });
                match (named.next(), named.next()) {
                    (Some((idx, _)), None) => Ok(Some((idx, name))),
                    _ => Err(()),
                }
            }
        }
    }

    /// The FROM item of this level an unqualified name refers to as a whole row (a name no
    /// column of any level has: `transformColumnRef` tries columns first), if it is a
    /// relation, a subquery or a CTE (a function's whole row is not told apart here).
    fn whole_row(&self, i: &Ident) -> Option<usize> {
        let name = fold(i);
        if self.scope.column(None, &name).is_ok() {
            return None;
        }
        let idx = self
            .scope
            .items
            .iter()
            .position(|item| item.rel_name.as_deref() == Some(&name))?;
        let item = &self.scope.items[idx];
        let relation = item.primary_key.is_ok();
        let record = item.row_type == Some(crate::builtins::oid::RECORD);
        (relation || record).then_some(idx)
    }

    /// A whole-row reference `t` of this level (as the column `*` of its item), or a field of
    /// one, `(t).c` (the column `c`: PostgreSQL reads it as that column), with its position.
    fn whole_row_ref(
        &self,
        e: &Expr,
    ) -> Result<Option<(ColumnId, sqlparser::tokenizer::Span)>, Stop> {
        fn strip(mut e: &Expr) -> &Expr {
            while let Expr::Nested(x) = e {
                e = x;
            }
            e
        }
        match strip(e) {
            Expr::Identifier(i) => Ok(self.whole_row(i).map(|idx| ((idx, "*".into()), i.span))),
            Expr::CompoundFieldAccess { root, access_chain } => {
                let Expr::Identifier(i) = strip(root) else {
                    return Ok(None);
                };
                let Some(idx) = self.whole_row(i) else {
                    return Ok(None);
                };
                match access_chain.first() {
                    Some(sqlparser::ast::AccessExpr::Dot(Expr::Identifier(field))) => {
                        let field = fold(field);
                        if self.scope.items[idx].cols.iter().any(|c| c.name == field) {
                            Ok(Some(((idx, field), i.span)))
                        } else {
                            Err(Stop::Unknown)
                        }
                    }
                    _ => Err(Stop::Unknown),
                }
            }
            _ => Ok(None),
        }
    }

    fn grouped(&self, id: &ColumnId) -> bool {
        if self.columns.contains(id) || self.in_expressions.contains(id) {
            return true;
        }
        // A table's column depends on its primary key when that is grouped
        // (check_functional_grouping).
        let item = &self.scope.items[id.0];
        match &item.primary_key {
            Ok(Some(key)) => {
                return key.iter().all(|&k| {
                    item.cols
                        .get(k)
                        .is_some_and(|c| self.columns.contains(&(id.0, c.name.clone())))
                });
            }
            Ok(None) => return false,
            // Not known: any grouped column of a relation is taken as its key.
            Err(()) => {}
        }
        // (No row type known: a system relation.)
        let relation = item.row_type.is_none_or(|t| {
            t != crate::builtins::oid::RECORD && self.cx.schema.types.is_composite(t)
        });
        relation && self.columns.iter().any(|(i, _)| *i == id.0)
    }

    /// `*` / `t.*`: every column of the named FROM items `items` must be grouped.
    fn star(&self, items: &[usize], span: sqlparser::tokenizer::Span) -> Result<(), Stop> {
        for &idx in items {
            let item = &self.scope.items[idx];
            let Some(rel) = &item.rel_name else { continue };
            for c in &item.cols {
                if !self.grouped(&(idx, c.name.clone())) {
                    return Err(ungrouped(rel, &c.name, &c.name, span));
                }
            }
        }
        Ok(())
    }

    fn expr(&self, e: &Expr) -> Result<(), Stop> {
        if !self.expressions.is_empty() && self.expressions.contains(&spelling(e)) {
            return Ok(());
        }
        if let Some((id, span)) = self.whole_row_ref(e)? {
            let rel = self.scope.items[id.0].rel_name.clone().unwrap_or_default();
            if self.grouped(&id) || self.grouped(&(id.0, "*".into())) {
                return Ok(());
            }
            return Err(ungrouped(&rel, &id.1, &e.to_string(), span));
        }
        if let Some(found) = self.column_ref(e) {
            let id = match found {
                Ok(Some(id)) => id,
                Ok(None) => return Ok(()),
                Err(()) => return Err(Stop::Unknown),
            };
            if self.grouped(&id) {
                return Ok(());
            }
            let rel = self.scope.items[id.0].rel_name.clone().unwrap_or_default();
            let span = match e {
                Expr::Identifier(i) => i.span,
                Expr::CompoundIdentifier(parts) => parts
                    .first()
                    .map_or(sqlparser::tokenizer::Span::empty(), |p| p.span),
                _ => sqlparser::tokenizer::Span::empty(),
            };
            return Err(ungrouped(&rel, &id.1, &e.to_string(), span));
        }
        match e {
            Expr::Value(_) | Expr::TypedString { .. } => Ok(()),
            Expr::Nested(inner)
            | Expr::UnaryOp { expr: inner, .. }
            | Expr::Cast { expr: inner, .. }
            | Expr::Extract { expr: inner, .. }
            | Expr::Ceil { expr: inner, .. }
            | Expr::Floor { expr: inner, .. }
            | Expr::Collate { expr: inner, .. }
            | Expr::CompoundFieldAccess { root: inner, .. }
            | Expr::IsNull(inner)
            | Expr::IsNotNull(inner)
            | Expr::IsTrue(inner)
            | Expr::IsFalse(inner)
            | Expr::IsNotTrue(inner)
            | Expr::IsNotFalse(inner)
            | Expr::IsUnknown(inner)
            | Expr::IsNotUnknown(inner) => self.expr(inner),
            Expr::BinaryOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right)
            | Expr::AnyOp { left, right, .. }
            | Expr::AllOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)
            }
            Expr::AtTimeZone {
                timestamp: left,
                time_zone: right,
            }
            | Expr::Position {
                expr: left,
                r#in: right,
            } => {
                self.expr(left)?;
                self.expr(right)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                self.expr(expr)?;
                for e in [substring_from, substring_for].into_iter().flatten() {
                    self.expr(e)?;
                }
                Ok(())
            }
            Expr::Trim {
                expr,
                trim_what,
                trim_characters,
                ..
            } => {
                self.expr(expr)?;
                if let Some(w) = trim_what {
                    self.expr(w)?;
                }
                trim_characters
                    .iter()
                    .flatten()
                    .try_for_each(|e| self.expr(e))
            }
            Expr::Array(array) => array.elem.iter().try_for_each(|e| self.expr(e)),
            Expr::SimilarTo { expr, pattern, .. }
            | Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. } => {
                self.expr(expr)?;
                self.expr(pattern)
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.expr(expr)?;
                self.expr(low)?;
                self.expr(high)
            }
            Expr::InList { expr, list, .. } => {
                self.expr(expr)?;
                list.iter().try_for_each(|e| self.expr(e))
            }
            Expr::Tuple(items) => items.iter().try_for_each(|e| self.expr(e)),
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                if let Some(o) = operand {
                    self.expr(o)?;
                }
                for w in conditions {
                    self.expr(&w.condition)?;
                    self.expr(&w.result)?;
                }
                else_result.as_deref().map_or(Ok(()), |e| self.expr(e))
            }
            Expr::Function(f) => {
                let Ok(parts) = name_parts(&f.name) else {
                    return Err(Stop::Unknown);
                };
                let name = match parts.as_slice() {
                    [n] => n.clone(),
                    [s, n] if s == "pg_catalog" => n.clone(),
                    [s, n] => format!("{s}.{n}"),
                    _ => return Err(Stop::Unknown),
                };
                if name == "grouping" {
                    return Ok(());
                }
                // Keyword constructs (COALESCE, GREATEST, LEAST, NULLIF): their arguments.
                let construct =
                    matches!(name.as_str(), "coalesce" | "greatest" | "least" | "nullif");
                if f.over.is_none() && !construct {
                    let kinds: Vec<FunctionKind> = self
                        .cx
                        .schema
                        .function_candidates(&name)
                        .into_iter()
                        .map(|(_, f)| f.kind)
                        .collect();
                    if kinds.is_empty() {
                        return Err(Stop::Unknown);
                    }
                    let aggregate = kinds
                        .iter()
                        .filter(|k| **k == FunctionKind::Aggregate)
                        .count();
                    if aggregate == kinds.len() {
                        return Ok(());
                    }
                    if aggregate > 0 {
                        return Err(Stop::Unknown);
                    }
                }
                match &f.args {
                    FunctionArguments::None => Ok(()),
                    FunctionArguments::Subquery(_) => Err(Stop::Unknown),
                    FunctionArguments::List(list) => {
                        for a in &list.args {
                            let (FunctionArg::Unnamed(arg)
                            | FunctionArg::Named { arg, .. }
                            | FunctionArg::ExprNamed { arg, .. }) = a;
                            match arg {
                                FunctionArgExpr::Expr(e) => self.expr(e)?,
                                _ => return Err(Stop::Unknown),
                            }
                        }
                        Ok(())
                    }
                }
            }
            _ => Err(Stop::Unknown),
        }
    }
}

fn ungrouped(rel: &str, column: &str, written: &str, span: sqlparser::tokenizer::Span) -> Stop {
    Stop::Ungrouped(
        Fail::Error(
            format!(
                "column \"{rel}.{column}\" must appear in the GROUP BY clause or be used in an aggregate function"
            ),
            Some(format!("add it to GROUP BY, or aggregate it (e.g. max({written}))")),
        )
        .at(span),
    )
}

/// The system columns of a table (`pg_attribute` rows with `attnum < 0`).
const SYSTEM_COLUMNS: &[&str] = &["tableoid", "ctid", "xmin", "cmin", "xmax", "cmax"];

/// What an expression is as a column reference of the level `scope` is.
pub(super) enum ColumnRef {
    Here(ColumnId),
    Outer,
    NotColumn,
    /// A column whose FROM item cannot be told.
    Unknown,
}

pub(super) fn column_ref(cx: &Cx, scope: &Scope, e: &Expr) -> ColumnRef {
    let g = Grouping {
        cx,
        scope,
        columns: Vec::new(),
        expressions: Vec::new(),
        in_expressions: Vec::new(),
    };
    match g.column_ref(e) {
        Some(Ok(Some(id))) => ColumnRef::Here(id),
        Some(Ok(None)) => ColumnRef::Outer,
        Some(Err(())) => ColumnRef::Unknown,
        None => ColumnRef::NotColumn,
    }
}

/// The columns of this level an expression reads (as far as [`Grouping::column_ref`] tells).
fn collect_columns(g: &Grouping, e: &Expr, out: &mut Vec<ColumnId>) {
    let mut e = e.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Some(Ok(Some(id))) = g.column_ref(x) {
            out.push(id);
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
}

/// `for SELECT DISTINCT, ORDER BY expressions must appear in select list`
/// (`transformDistinctClause`): an ORDER BY item of a SELECT DISTINCT that is not an output
/// position or name must equal a select-list expression. Reported when it certainly does
/// not: it reads a column of this level that no select item reads (or, a plain column, that
/// no select item is).
pub fn distinct_order_by(
    cx: &Cx,
    scope: &Scope,
    s: &Select,
    order_by: Option<&OrderBy>,
    outputs: &[Typed],
) -> Res<()> {
    if !matches!(s.distinct, Some(sqlparser::ast::Distinct::Distinct)) {
        return Ok(());
    }
    let Some(OrderByKind::Expressions(items)) = order_by.map(|o| &o.kind) else {
        return Ok(());
    };
    let g = Grouping {
        cx,
        scope,
        columns: Vec::new(),
        expressions: Vec::new(),
        in_expressions: Vec::new(),
    };
    // What the select list is (plain columns) and reads; `None`: not known.
    let mut is_column: Vec<ColumnId> = Vec::new();
    let mut reads: Vec<ColumnId> = Vec::new();
    let mut spellings: Vec<String> = Vec::new();
    // The output position of the select item (`None` once a `*` made it not known here).
    let mut position = Some(0usize);
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let mut inner = e;
                let mut cast = false;
                while let Expr::Cast { expr, .. } | Expr::Nested(expr) = inner {
                    cast |= matches!(inner, Expr::Cast { .. });
                    inner = expr;
                }
                let output = position.and_then(|k| outputs.get(k)).map(|t| t.ty);
                position = match super::expr::expansion(e) {
                    // `(x).*`: several outputs.
                    Some(_) => None,
                    None => position.map(|k| k + 1),
                };
                if let Some(Ok(Some(id))) = g.column_ref(inner) {
                    // A cast to another type is an expression, not the column (a cast to
                    // its own type may be the column itself).
                    let column_type = scope.items[id.0]
                        .cols
                        .iter()
                        .find(|c| c.name == id.1)
                        .map(|c| c.ty);
                    let other_type =
                        cast && matches!((output, column_type), (Some(o), Some(c)) if o != c);
                    if !other_type {
                        is_column.push(id);
                    }
                }
                collect_columns(&g, e, &mut reads);
                spellings.push(spelling(e));
            }
            SelectItem::Wildcard(_) => {
                position = None;
                for (idx, item) in scope.items.iter().enumerate() {
                    for c in &item.cols {
                        is_column.push((idx, c.name.clone()));
                    }
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _)
                if super::expr::parenthesized(name).is_none() =>
            {
                position = None;
                let Some(rel) = name_parts(name).ok().and_then(|p| p.last().cloned()) else {
                    return Ok(());
                };
                if let Some((idx, item)) = scope
                    .items
                    .iter()
                    .enumerate()
                    .find(|(_, i)| i.rel_name.as_deref() == Some(&rel))
                {
                    for c in &item.cols {
                        is_column.push((idx, c.name.clone()));
                    }
                }
            }
            // The rest: not told apart here.
            _ => return Ok(()),
        }
    }
    reads.extend(is_column.iter().cloned());
    for o in items {
        let e = &o.expr;
        match e {
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => continue,
            Expr::Identifier(i) if outputs.iter().any(|t| t.name.as_deref() == Some(&fold(i))) => {
                continue;
            }
            _ => {}
        }
        if spellings.contains(&spelling(e)) || has_subquery(e) {
            continue;
        }
        let missing = match g.column_ref(e) {
            Some(Ok(Some(id))) => !is_column.contains(&id),
            Some(Ok(None) | Err(())) => false,
            None => {
                let mut read = Vec::new();
                collect_columns(&g, e, &mut read);
                read.iter().any(|id| !reads.contains(id))
            }
        };
        if missing {
            return Err(Fail::Error(
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list".into(),
                Some("add the expression to the select list, or drop DISTINCT".into()),
            )
            .at(first_span(e)));
        }
    }
    Ok(())
}

/// Whether an expression holds a subquery (whose names are another level's).
fn has_subquery(e: &Expr) -> bool {
    let mut e = e.clone();
    sqlparser::ast::visit_expressions_mut(&mut e, |x| match x {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
            std::ops::ControlFlow::Break(())
        }
        _ => std::ops::ControlFlow::Continue(()),
    })
    .is_break()
}

/// The position of an expression's first token that has one.
pub(super) fn first_span(e: &Expr) -> sqlparser::tokenizer::Span {
    let mut found = sqlparser::tokenizer::Span::empty();
    let mut e = e.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        let span = match x {
            Expr::Identifier(i) => i.span,
            Expr::CompoundIdentifier(parts) => parts.first().map_or(found, |p| p.span),
            Expr::Value(v) => v.span,
            _ => return std::ops::ControlFlow::Continue(()),
        };
        if found.start.line == 0
            || (span.start.line, span.start.column) < (found.start.line, found.start.column)
        {
            found = span;
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}
