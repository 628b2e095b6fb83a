//! Which parameters may be bound to NULL (`Option<T>` in the generated function), read from
//! the statement's syntax, shared by the offline analyzer and live describe:
//!
//! - a parameter written straight into a nullable table column (INSERT's VALUES rows or
//!   SELECT list, UPDATE's and ON CONFLICT DO UPDATE's SET), as sqlc does;
//! - a parameter tested for NULL anywhere (`@x IS NULL`, `IS [NOT] DISTINCT FROM @x`) or
//!   given a fallback (`coalesce(@x, ...)`, any argument but the last).
//!
//! A cast in between (`$1::text`) keeps the parameter's role. Anything else (comparisons,
//! function arguments, LIMIT) says nothing: NULL there is legal but never what the user meant.
//!
//! One use is enough to make a parameter optional, unless another use writes it straight into
//! a column that rejects NULL (NOT NULL, a NOT NULL domain, a view's or an unknown column):
//! there an `Option` would only move PostgreSQL's rejection to run time, so it stays required.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Assignment, AssignmentTarget, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Insert,
    ObjectName, ObjectNamePart, OnConflictAction, OnInsert, Query, SelectItem, SetExpr, Statement,
    TableFactor, TableObject, Value, Visit, Visitor,
};

use super::expr::{expansion, fold};

/// The columns of a relation a statement writes to, in order, with whether each accepts
/// NULL; `None` when it is not a table squill knows (views, unknown names).
pub type TargetColumns<'a> = dyn FnMut(&[String]) -> Option<Vec<(String, bool)>> + 'a;

/// `optional[i]`: whether `$(i + 1)` may be bound to NULL, for a statement with `nparams`
/// parameters.
pub fn optional_params(
    statement: &Statement,
    nparams: usize,
    columns: &mut TargetColumns<'_>,
) -> Vec<bool> {
    let mut walker = Walker {
        columns,
        opens: vec![false; nparams],
        closes: vec![false; nparams],
    };
    let _ = statement.visit(&mut walker);
    walker
        .opens
        .iter()
        .zip(&walker.closes)
        .map(|(open, close)| *open && !*close)
        .collect()
}

struct Walker<'c, 'a> {
    columns: &'c mut TargetColumns<'a>,
    /// Some use makes the parameter optional.
    opens: Vec<bool>,
    /// Some use writes it into a column that rejects NULL.
    closes: Vec<bool>,
}

impl Visitor for Walker<'_, '_> {
    type Break = ();

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        match statement {
            Statement::Insert(insert) => self.insert(insert),
            Statement::Update(update) => {
                if let TableFactor::Table { name, .. } = &update.table.relation {
                    let columns = self.target(name);
                    self.assignments(&columns, &update.assignments);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        match expr {
            Expr::IsNull(e) | Expr::IsNotNull(e) => self.open(e),
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.open(a);
                self.open(b);
            }
            Expr::Function(f)
                if matches!(f.name.0.as_slice(), [ObjectNamePart::Identifier(i)]
                    if fold(i) == "coalesce") =>
            {
                if let FunctionArguments::List(list) = &f.args
                    && let Some((_, fallbacks)) = list.args.split_last()
                {
                    for arg in fallbacks {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg {
                            self.open(e);
                        }
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

impl Walker<'_, '_> {
    fn open(&mut self, e: &Expr) {
        if let Some(n) = param(e)
            && let Some(slot) = self.opens.get_mut(n)
        {
            *slot = true;
        }
    }

    /// `e` is written into a column; `accepts_null: None` when the column is unknown.
    fn bind(&mut self, e: &Expr, accepts_null: Option<bool>) {
        let Some(n) = param(e) else { return };
        match accepts_null {
            Some(true) => {
                if let Some(slot) = self.opens.get_mut(n) {
                    *slot = true;
                }
            }
            _ => {
                if let Some(slot) = self.closes.get_mut(n) {
                    *slot = true;
                }
            }
        }
    }

    fn target(&mut self, name: &ObjectName) -> Option<Vec<(String, bool)>> {
        let parts: Option<Vec<String>> = name
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => Some(fold(i)),
                _ => None,
            })
            .collect();
        (self.columns)(&parts?)
    }

    fn insert(&mut self, insert: &Insert) {
        let TableObject::TableName(name) = &insert.table else {
            return;
        };
        let table = self.target(name);
        // Each position's column: the listed ones, else the table's in order.
        let positions: Vec<Option<bool>> = if insert.columns.is_empty() {
            table
                .as_ref()
                .map(|cols| cols.iter().map(|c| Some(c.1)).collect())
                .unwrap_or_default()
        } else {
            insert
                .columns
                .iter()
                .map(|c| match c.0.as_slice() {
                    [ObjectNamePart::Identifier(i)] => accepts_null(&table, &fold(i)),
                    _ => None,
                })
                .collect()
        };
        if let Some(source) = &insert.source {
            self.rows(source, &positions);
        }
        if let Some(OnInsert::OnConflict(conflict)) = &insert.on
            && let OnConflictAction::DoUpdate(update) = &conflict.action
        {
            self.assignments(&table, &update.assignments);
        }
    }

    /// The rows of an INSERT's source: VALUES rows, or the SELECT lists of its branches.
    fn rows(&mut self, query: &Query, positions: &[Option<bool>]) {
        self.set_expr(&query.body, positions);
    }

    fn set_expr(&mut self, body: &SetExpr, positions: &[Option<bool>]) {
        match body {
            SetExpr::Values(values) => {
                for row in &values.rows {
                    for (e, accepts) in row.iter().zip(positions) {
                        self.bind(e, *accepts);
                    }
                }
            }
            SetExpr::Select(select) => {
                for (item, accepts) in select.projection.iter().zip(positions) {
                    match item {
                        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }
                            if expansion(e).is_none() =>
                        {
                            self.bind(e, *accepts)
                        }
                        // Positions after a `*` or `(x).*` are not known from the syntax.
                        _ => break,
                    }
                }
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, positions);
                self.set_expr(right, positions);
            }
            SetExpr::Query(q) => self.rows(q, positions),
            _ => {}
        }
    }

    fn assignments(&mut self, table: &Option<Vec<(String, bool)>>, assignments: &[Assignment]) {
        for a in assignments {
            match &a.target {
                AssignmentTarget::ColumnName(column) => {
                    let accepts = match column.0.as_slice() {
                        [ObjectNamePart::Identifier(i)] => accepts_null(table, &fold(i)),
                        _ => None,
                    };
                    self.bind(&a.value, accepts);
                }
                AssignmentTarget::Tuple(columns) => {
                    let Expr::Tuple(values) = &a.value else {
                        continue;
                    };
                    for (column, value) in columns.iter().zip(values) {
                        let accepts = match column.0.as_slice() {
                            [ObjectNamePart::Identifier(i)] => accepts_null(table, &fold(i)),
                            _ => None,
                        };
                        self.bind(value, accepts);
                    }
                }
            }
        }
    }
}

fn accepts_null(table: &Option<Vec<(String, bool)>>, column: &str) -> Option<bool> {
    table
        .as_ref()?
        .iter()
        .find(|(name, _)| name == column)
        .map(|c| c.1)
}

/// `$n` (0-based), seen through casts and parentheses.
fn param(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse::<usize>().ok()?.checked_sub(1),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => param(expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    /// `t (a NOT NULL, b, c)`; other relations are unknown.
    fn optional(sql: &str, n: usize) -> Vec<bool> {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap();
        let mut columns = |parts: &[String]| {
            (parts == ["t"]).then(|| {
                vec![
                    ("a".to_string(), false),
                    ("b".to_string(), true),
                    ("c".to_string(), true),
                ]
            })
        };
        optional_params(&statements[0], n, &mut columns)
    }

    #[test]
    fn written_into_columns() {
        let sql = "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4::text)";
        assert_eq!(optional(sql, 4), [false, true, false, true]);
        assert_eq!(
            optional("INSERT INTO t VALUES ($1, $2, $3)", 3),
            [false, true, true]
        );
        assert_eq!(
            optional("INSERT INTO t (c, a) SELECT $1, $2", 2),
            [true, false]
        );
        assert_eq!(
            optional("UPDATE t SET b = $1, a = $2 WHERE c = $3", 3),
            [true, false, false]
        );
        assert_eq!(optional("UPDATE t SET (a, b) = ($1, $2)", 2), [false, true]);
        let upsert = "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET c = $2";
        assert_eq!(optional(upsert, 2), [false, true]);
        // Unknown relations (views, other schemas' tables here) accept nothing.
        assert_eq!(optional("INSERT INTO v (b) VALUES ($1)", 1), [false]);
    }

    #[test]
    fn null_tests_and_fallbacks() {
        let sql = "SELECT * FROM t WHERE ($1::text IS NULL OR b = $1) AND a = $2";
        assert_eq!(optional(sql, 2), [true, false]);
        assert_eq!(
            optional("UPDATE t SET a = coalesce($1, a), b = coalesce(b, $2)", 2),
            [true, false]
        );
        assert_eq!(
            optional("SELECT * FROM t WHERE b IS NOT DISTINCT FROM $1", 1),
            [true]
        );
    }

    #[test]
    fn not_null_use_wins() {
        // Tested for NULL, yet written into a NOT NULL column: NULL would fail at run time.
        let sql = "INSERT INTO t (a) SELECT $1 WHERE $1 IS NOT NULL";
        assert_eq!(optional(sql, 1), [false]);
        assert_eq!(optional("INSERT INTO t (a, b) VALUES ($1, $1)", 1), [false]);
    }
}
