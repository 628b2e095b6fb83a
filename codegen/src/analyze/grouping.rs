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
//! * a join's merged `USING` column is the columns PostgreSQL flattens it to (a full join's
//!   `COALESCE(l, r)` is a grouping expression of its own);
//! * inside a subquery only `rel.column` references to this level are checked (`subquery
//!   uses ungrouped column ... from outer query`), outside this level's aggregates;
//! * grouping sets are not looked into; a select item (or HAVING, or ORDER BY item) holding
//!   something not modelled here, e.g. a call of a function the analyzer does not know, is
//!   passed over while the other items are still checked.

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
    /// Full joins' merged `USING` columns grouped by name.
    merged_grouped: Vec<String>,
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
        merged_grouped: Vec::new(),
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
                    decided(g.expr(e))?
                }
                SelectItem::Wildcard(opts) => {
                    let all: Vec<usize> = (0..scope.items.len()).collect();
                    g.star(&all, opts.wildcard_token.0.span)?
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    opts,
                ) if super::rows::parenthesized(name).is_none() => {
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
                _ => {}
            }
        }
        if let Some(h) = &s.having {
            decided(g.expr(h))?;
        }
        if let Some(order) = order_by
            && let OrderByKind::Expressions(items) = &order.kind
        {
            for o in items {
                match &o.expr {
                    Expr::Value(v) if matches!(v.value, Value::Number(..)) => {}
                    Expr::Identifier(i)
                        if outputs.iter().any(|t| t.name.as_deref() == Some(&fold(i))) => {}
                    e => decided(g.expr(e))?,
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

/// An item's verdict, where one not decided offline leaves the others to decide: an
/// ungrouped column elsewhere is an error whatever the undecided item holds.
fn decided(r: Result<(), Stop>) -> Result<(), Stop> {
    match r {
        Err(Stop::Unknown) => Ok(()),
        other => other,
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
            Expr::Identifier(i) if let Some(from) = self.merged(i) => {
                // A full join's `COALESCE(l, r)` is a grouping expression of its own.
                if let [id] = from.as_slice() {
                    self.columns.push(id.clone());
                } else {
                    self.merged_grouped.push(fold(i));
                    self.in_expressions.extend(from);
                }
                Some(())
            }
            Expr::Identifier(i) => match self.column(None, i) {
                Ok(Some(id)) => {
                    self.columns.push(id);
                    Some(())
                }
                Ok(None) if let Some(id) = self.whole_row(i) => {
                    self.columns.push(id);
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
    /// column of any level has: `transformColumnRef` tries columns first): the column `*` of
    /// a relation, a subquery or a CTE; a scalar function's whole row is its one column
    /// (`makeWholeRowVar` makes it a plain Var).
    fn whole_row(&self, i: &Ident) -> Option<ColumnId> {
        let idx = self.whole_row_item(i)?;
        let item = &self.scope.items[idx];
        match (item.row_type, item.cols.as_slice()) {
            (Some(t), [only])
                if t != crate::builtins::oid::RECORD
                    && !self.cx.schema.types.is_composite(t)
                    && item.primary_key.is_err() =>
            {
                Some((idx, only.name.clone()))
            }
            _ => {
                let relation = item.primary_key.is_ok();
                let record = item.row_type == Some(crate::builtins::oid::RECORD);
                (relation || record).then(|| (idx, "*".into()))
            }
        }
    }

    /// The FROM item of this level named like `i` when no column is.
    fn whole_row_item(&self, i: &Ident) -> Option<usize> {
        let name = fold(i);
        if self.scope.column(None, &name).is_ok() {
            return None;
        }
        self.scope
            .items
            .iter()
            .position(|item| item.rel_name.as_deref() == Some(&name))
    }

    /// The columns of this level's named FROM items an unqualified name stands for when it is
    /// a join's merged `USING` column.
    fn merged(&self, i: &Ident) -> Option<Vec<ColumnId>> {
        let name = fold(i);
        let items = &self.scope.items;
        let mut visible = items
            .iter()
            .filter(|i| i.cols_visible && i.cols.iter().any(|c| c.name == name));
        let (Some(item), None) = (visible.next(), visible.next()) else {
            return None;
        };
        let (_, from) = item.merged_from.iter().find(|(n, _)| *n == name)?;
        from.iter()
            .map(|(rel, col)| {
                let idx = items
                    .iter()
                    .position(|i| i.rel_name.as_deref() == Some(rel))?;
                Some((idx, col.clone()))
            })
            .collect()
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
            Expr::Identifier(i) => Ok(self.whole_row(i).map(|id| (id, i.span))),
            Expr::CompoundFieldAccess { root, access_chain } => {
                let Expr::Identifier(i) = strip(root) else {
                    return Ok(None);
                };
                let Some((idx, "*")) = self.whole_row(i).as_ref().map(|(x, c)| (*x, c.as_str()))
                else {
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
        if let Expr::Identifier(i) = e
            && let Some(from) = self.merged(i)
        {
            if self.merged_grouped.contains(&fold(i)) {
                return Ok(());
            }
            for id in from {
                if !self.grouped(&id) {
                    let rel = self.scope.items[id.0].rel_name.clone().unwrap_or_default();
                    return Err(ungrouped(&rel, &id.1, &e.to_string(), i.span));
                }
            }
            return Ok(());
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
            Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => self.subquery(q),
            Expr::InSubquery { expr, subquery, .. } => {
                self.expr(expr)?;
                self.subquery(subquery)
            }
            _ => Err(Stop::Unknown),
        }
    }

    /// A subquery may read this level's columns only as grouped columns or inside this
    /// level's aggregates (`check_ungrouped_columns_walker` at `sublevels_up > 0`, where
    /// only plain columns are compared). Decided for `rel.column` references whose `rel` no
    /// FROM item or CTE inside the subquery is named: those are this level's.
    fn subquery(&self, q: &sqlparser::ast::Query) -> Result<(), Stop> {
        use sqlparser::ast::{TableFactor, Visit, Visitor};
        use std::ops::ControlFlow;

        struct Names(Vec<String>);
        impl Visitor for Names {
            type Break = ();
            fn pre_visit_query(&mut self, q: &sqlparser::ast::Query) -> ControlFlow<()> {
                if let Some(with) = &q.with {
                    self.0
                        .extend(with.cte_tables.iter().map(|c| fold(&c.alias.name)));
                }
                ControlFlow::Continue(())
            }
            fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<()> {
                if let TableFactor::Table { name, .. } = t
                    && let Ok(parts) = name_parts(name)
                    && let Some(last) = parts.last()
                {
                    self.0.push(last.clone());
                }
                let alias = match t {
                    TableFactor::Table { alias, .. }
                    | TableFactor::Derived { alias, .. }
                    | TableFactor::TableFunction { alias, .. }
                    | TableFactor::Function { alias, .. }
                    | TableFactor::UNNEST { alias, .. }
                    | TableFactor::NestedJoin { alias, .. } => alias.as_ref(),
                    _ => None,
                };
                if let Some(a) = alias {
                    self.0.push(fold(&a.name));
                }
                ControlFlow::Continue(())
            }
        }

        struct Outer<'g, 'a, 'c> {
            g: &'g Grouping<'a, 'c>,
            inner: Vec<String>,
            /// This level's aggregate being passed over (its arguments are aggregated).
            skipping: Option<*const Expr>,
        }
        impl Outer<'_, '_, '_> {
            /// `rel.column` of this level.
            fn here(&self, e: &Expr) -> Option<(ColumnId, sqlparser::tokenizer::Span)> {
                let Expr::CompoundIdentifier(parts) = e else {
                    return None;
                };
                let [rel, col] = parts.as_slice() else {
                    return None;
                };
                let rel_name = fold(rel);
                if self.inner.contains(&rel_name) {
                    return None;
                }
                match self.g.column(Some(&rel_name), col) {
                    Ok(Some(id)) => Some((id, rel.span)),
                    _ => None,
                }
            }

            /// An aggregate call whose every column reference is this level's `rel.column`
            /// (then it is this level's aggregate).
            fn outer_aggregate(&self, e: &Expr) -> bool {
                let Expr::Function(f) = e else { return false };
                if f.over.is_some() {
                    return false;
                }
                let Ok(parts) = name_parts(&f.name) else {
                    return false;
                };
                let [name] = parts.as_slice() else {
                    return false;
                };
                let kinds: Vec<FunctionKind> = self
                    .g
                    .cx
                    .schema
                    .function_candidates(name)
                    .into_iter()
                    .map(|(_, f)| f.kind)
                    .collect();
                if kinds.is_empty() || kinds.iter().any(|k| *k != FunctionKind::Aggregate) {
                    return false;
                }
                let mut refs = 0;
                let mut all_here = true;
                let mut args = e.clone();
                let _ = sqlparser::ast::visit_expressions_mut(&mut args, |x| {
                    match x {
                        Expr::Identifier(_) => all_here = false,
                        Expr::CompoundIdentifier(_) => {
                            refs += 1;
                            all_here &= self.here(x).is_some();
                        }
                        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                            all_here = false
                        }
                        _ => {}
                    }
                    ControlFlow::<()>::Continue(())
                });
                refs > 0 && all_here
            }
        }
        impl Visitor for Outer<'_, '_, '_> {
            type Break = Stop;
            fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<Stop> {
                if self.skipping.is_some() {
                    return ControlFlow::Continue(());
                }
                if self.outer_aggregate(e) {
                    self.skipping = Some(e as *const Expr);
                    return ControlFlow::Continue(());
                }
                if let Some((id, span)) = self.here(e)
                    && !self.g.grouped(&id)
                {
                    let rel = self.g.scope.items[id.0]
                        .rel_name
                        .clone()
                        .unwrap_or_default();
                    return ControlFlow::Break(Stop::Ungrouped(
                        Fail::Error(
                            format!(
                                "subquery uses ungrouped column \"{rel}.{}\" from outer query",
                                id.1
                            ),
                            Some(format!("add {e} to GROUP BY, or aggregate it")),
                        )
                        .at(span),
                    ));
                }
                ControlFlow::Continue(())
            }
            fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<Stop> {
                if self.skipping == Some(e as *const Expr) {
                    self.skipping = None;
                }
                ControlFlow::Continue(())
            }
        }

        let mut names = Names(Vec::new());
        let _ = q.visit(&mut names);
        let mut outer = Outer {
            g: self,
            inner: names.0,
            skipping: None,
        };
        match q.visit(&mut outer) {
            ControlFlow::Break(stop) => Err(stop),
            ControlFlow::Continue(()) => Ok(()),
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
        merged_grouped: Vec::new(),
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
        merged_grouped: Vec::new(),
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
                position = match super::rows::expansion(e) {
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
                if super::rows::parenthesized(name).is_none() =>
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
        // A parameter no select item reads: no select item can equal the expression.
        let selected_params = || {
            let mut all = Vec::new();
            for item in &s.projection {
                if let SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. } = item
                {
                    all.extend(placeholders(x));
                }
            }
            all
        };
        let params = placeholders(e);
        if !params.is_empty() && params.iter().any(|p| !selected_params().contains(p)) {
            return Err(Fail::Error(
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list".into(),
                Some("add the expression to the select list, or drop DISTINCT".into()),
            )
            .at(first_span(e)));
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

/// The parameters (`$n`) an expression reads.
fn placeholders(e: &Expr) -> Vec<String> {
    let mut found = Vec::new();
    let mut e = e.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::Value(v) = x
            && let Value::Placeholder(p) = &v.value
        {
            found.push(p.clone());
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
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
