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
//!
//! An array parameter's elements may be NULL (`&[Option<T>]`) by the same rule: it is written
//! straight into one array column whose elements accept NULL (all but arrays of a NOT NULL
//! domain). Elsewhere (`= ANY(@ids)`, function arguments) NULL elements are legal but match
//! nothing, so the parameter takes `&[T]`.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Assignment, AssignmentTarget, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Insert,
    ObjectName, ObjectNamePart, OnConflictAction, OnInsert, Query, SelectItem, SetExpr, Statement,
    TableFactor, TableObject, Value, Visit, Visitor,
};

use super::expr::fold;
use super::rows::expansion;

/// A column of a relation a statement writes to.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetColumn {
    pub name: String,
    /// Whether it accepts NULL (not NOT NULL, not of a NOT NULL domain).
    pub accepts_null: bool,
    /// Whether it is an array whose elements accept NULL (not an array of a NOT NULL domain).
    pub elements_accept_null: bool,
}

/// The columns of a relation a statement writes to, in order; `None` when it is not a table
/// squill knows (views, unknown names).
pub type TargetColumns<'a> = dyn FnMut(&[String]) -> Option<Vec<TargetColumn>> + 'a;

/// What the syntax says of each parameter of a statement.
pub struct ParamsWritten {
    /// `[i]`: whether `$(i + 1)` may be bound to NULL.
    pub optional: Vec<bool>,
    /// `[i]`: the table column (`(table, column)`) it is written straight into, when that is
    /// one known column (for column type overrides).
    pub targets: Vec<Option<(String, String)>>,
    /// `[i]`: whether it is written straight into one array column whose elements accept
    /// NULL, so it may carry NULL elements.
    pub elements_nullable: Vec<bool>,
}

/// [`ParamsWritten`] for a statement with `nparams` parameters.
pub fn params_written(
    statement: &Statement,
    nparams: usize,
    columns: &mut TargetColumns<'_>,
) -> ParamsWritten {
    let mut walker = Walker {
        columns,
        opens: vec![false; nparams],
        closes: vec![false; nparams],
        targets: vec![Written::Nowhere; nparams],
        table: None,
    };
    let _ = statement.visit(&mut walker);
    let optional = walker
        .opens
        .iter()
        .zip(&walker.closes)
        .map(|(open, close)| *open && !*close)
        .collect();
    let elements_nullable = walker
        .targets
        .iter()
        .map(|t| matches!(t, Written::Into(_, _, true)))
        .collect();
    let targets = walker
        .targets
        .into_iter()
        .map(|t| match t {
            Written::Into(table, column, _) => Some((table, column)),
            _ => None,
        })
        .collect();
    ParamsWritten {
        optional,
        targets,
        elements_nullable,
    }
}

/// Where a parameter's value is written.
#[derive(Clone)]
enum Written {
    Nowhere,
    /// Into this column (`table`, `column`), whose elements accept NULL or not.
    Into(String, String, bool),
    /// Into several columns, or one squill does not know.
    Several,
}

struct Walker<'c, 'a> {
    columns: &'c mut TargetColumns<'a>,
    /// Some use makes the parameter optional.
    opens: Vec<bool>,
    /// Some use writes it into a column that rejects NULL.
    closes: Vec<bool>,
    targets: Vec<Written>,
    /// The table the statement being walked writes to (its last name part).
    table: Option<String>,
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

    /// `e` is written into `column`; `target: None` when the column is unknown.
    fn bind(&mut self, e: &Expr, column: Option<&str>, target: Option<&TargetColumn>) {
        let Some(n) = param(e) else { return };
        if let Some(slot) = self.targets.get_mut(n) {
            let here = match (&self.table, column, target) {
                (Some(table), Some(column), Some(target)) => Written::Into(
                    table.clone(),
                    column.to_string(),
                    target.elements_accept_null,
                ),
                _ => Written::Several,
            };
            *slot = match (&*slot, here) {
                (Written::Nowhere, here) => here,
                (Written::Into(t, c, _), Written::Into(t2, c2, e2)) if *t == t2 && *c == c2 => {
                    Written::Into(t2, c2, e2)
                }
                _ => Written::Several,
            };
        }
        match target.map(|t| t.accepts_null) {
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

    fn target(&mut self, name: &ObjectName) -> Option<Vec<TargetColumn>> {
        let parts: Option<Vec<String>> = name
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => Some(fold(i)),
                _ => None,
            })
            .collect();
        let parts = parts?;
        self.table = parts.last().cloned();
        (self.columns)(&parts)
    }

    fn insert(&mut self, insert: &Insert) {
        let TableObject::TableName(name) = &insert.table else {
            return;
        };
        let table = self.target(name);
        // Each position's column: the listed ones, else the table's in order.
        let positions: Vec<Position> = if insert.columns.is_empty() {
            table
                .as_ref()
                .map(|cols| {
                    cols.iter()
                        .map(|c| (Some(c.name.clone()), Some(c.clone())))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            insert
                .columns
                .iter()
                .map(|c| match c.0.as_slice() {
                    [ObjectNamePart::Identifier(i)] => {
                        let name = fold(i);
                        let target = target_column(&table, &name);
                        (Some(name), target)
                    }
                    _ => (None, None),
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
    fn rows(&mut self, query: &Query, positions: &[Position]) {
        self.set_expr(&query.body, positions);
    }

    fn set_expr(&mut self, body: &SetExpr, positions: &[Position]) {
        match body {
            SetExpr::Values(values) => {
                for row in &values.rows {
                    for (e, (column, target)) in row.iter().zip(positions) {
                        self.bind(e, column.as_deref(), target.as_ref());
                    }
                }
            }
            SetExpr::Select(select) => {
                for (item, (column, target)) in select.projection.iter().zip(positions) {
                    match item {
                        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }
                            if expansion(e).is_none() =>
                        {
                            self.bind(e, column.as_deref(), target.as_ref())
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

    fn assignments(&mut self, table: &Option<Vec<TargetColumn>>, assignments: &[Assignment]) {
        for a in assignments {
            match &a.target {
                AssignmentTarget::ColumnName(column) => {
                    let name = match column.0.as_slice() {
                        [ObjectNamePart::Identifier(i)] => Some(fold(i)),
                        _ => None,
                    };
                    let target = name.as_ref().and_then(|n| target_column(table, n));
                    self.bind(&a.value, name.as_deref(), target.as_ref());
                }
                AssignmentTarget::Tuple(columns) => {
                    let Expr::Tuple(values) = &a.value else {
                        continue;
                    };
                    for (column, value) in columns.iter().zip(values) {
                        let name = match column.0.as_slice() {
                            [ObjectNamePart::Identifier(i)] => Some(fold(i)),
                            _ => None,
                        };
                        let target = name.as_ref().and_then(|n| target_column(table, n));
                        self.bind(value, name.as_deref(), target.as_ref());
                    }
                }
            }
        }
    }
}

/// An INSERT position: its column's name and the column (`None`: unknown).
type Position = (Option<String>, Option<TargetColumn>);

fn target_column(table: &Option<Vec<TargetColumn>>, column: &str) -> Option<TargetColumn> {
    table.as_ref()?.iter().find(|c| c.name == column).cloned()
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

    fn column(name: &str, accepts_null: bool, elements_accept_null: bool) -> TargetColumn {
        TargetColumn {
            name: name.to_string(),
            accepts_null,
            elements_accept_null,
        }
    }

    /// `t (a NOT NULL, b, c)`, `arrays (tags text[], codes not_null_domain[])`; other
    /// relations are unknown.
    fn written(sql: &str, n: usize) -> ParamsWritten {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap();
        let mut columns = |parts: &[String]| match parts {
            [t] if t == "t" => Some(vec![
                column("a", false, false),
                column("b", true, false),
                column("c", true, false),
            ]),
            [t] if t == "arrays" => Some(vec![
                column("tags", true, true),
                column("codes", true, false),
            ]),
            _ => None,
        };
        params_written(&statements[0], n, &mut columns)
    }

    fn optional(sql: &str, n: usize) -> Vec<bool> {
        written(sql, n).optional
    }

    #[test]
    fn array_parameters_carry_null_elements_into_columns_that_take_them() {
        let sql = "INSERT INTO arrays (tags, codes) VALUES ($1, $2)";
        assert_eq!(written(sql, 2).elements_nullable, [true, false]);
        let sql = "UPDATE arrays SET tags = $1::text[] WHERE tags && $2 AND codes = $3";
        assert_eq!(written(sql, 3).elements_nullable, [true, false, false]);
        // Written into two columns, or into a table squill does not know: no NULL elements.
        let sql = "INSERT INTO arrays (tags, codes) VALUES ($1, $1)";
        assert_eq!(written(sql, 1).elements_nullable, [false]);
        let sql = "INSERT INTO v (tags) VALUES ($1)";
        assert_eq!(written(sql, 1).elements_nullable, [false]);
    }

    #[test]
    fn targets_of_written_parameters() {
        let statements = Parser::parse_sql(
            &PostgreSqlDialect {},
            "UPDATE t SET b = $1, c = $2 WHERE a = $3 AND c = $4",
        )
        .unwrap();
        let mut columns = |parts: &[String]| {
            (parts == ["t"]).then(|| vec![column("b", true, false), column("c", true, false)])
        };
        let targets = params_written(&statements[0], 4, &mut columns).targets;
        let at = |c: &str| Some(("t".to_string(), c.to_string()));
        assert_eq!(targets, [at("b"), at("c"), None, None]);
        // Written into two columns: neither column's override applies.
        let statements = Parser::parse_sql(
            &PostgreSqlDialect {},
            "INSERT INTO t (b, c) VALUES ($1, $1)",
        )
        .unwrap();
        let targets = params_written(&statements[0], 1, &mut columns).targets;
        assert_eq!(targets, [None]);
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
