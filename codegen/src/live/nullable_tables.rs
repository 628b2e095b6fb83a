//! What the query's syntax says about nullability and parameter names: which tables sit on
//! the nullable side of an outer join, whether GROUPING SETS can null out grouped columns,
//! and INSERT target columns that name positional parameters.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use crate::analyze::fold;
use sqlparser::ast::{
    Expr, JoinOperator, ObjectName, ObjectNamePart, Query, SelectItem, SetExpr, Statement,
    TableFactor, TableWithJoins, Value, Visit, Visitor, visit_relations,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

#[derive(Debug, Default)]
pub struct QueryShape {
    /// Tables (by name, as PostgreSQL folds it) whose columns an outer join can null out.
    pub nullable_tables: HashSet<String>,
    /// GROUPING SETS / ROLLUP / CUBE: any grouped column can be NULL in some rows.
    pub grouping_sets: bool,
    /// The SQL could not be parsed here; assume any table column may be null.
    pub unknown: bool,
    /// `$n` → column name, from `INSERT INTO t (a, b) VALUES ($1, $2)`.
    pub param_names: HashMap<usize, String>,
    /// For a plain top-level SELECT: the table qualifier of each output column (`u` for
    /// `u.email`), so a self-joined table's inner and outer occurrences can be told apart.
    pub qualifiers: Vec<Option<String>>,
    /// FROM items of that SELECT by alias (or table name): what they read and whether an
    /// outer join can null them out.
    pub occurrences: HashMap<String, Occurrence>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The table's name when the item is a plain table reference (not a subquery).
    pub table: Option<String>,
    pub nullable: bool,
}

pub fn query_shape(sql: &str) -> QueryShape {
    let parsed = match crate::depth::check(sql) {
        Ok(()) => Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(drop),
        Err(_) => Err(()),
    };
    let statements = match parsed {
        Ok(statements) => statements,
        // sqlparser does not read every PostgreSQL statement; without a syntax tree, only a
        // query without outer joins or grouping sets can keep its NOT NULL columns.
        Err(_) => {
            let lower = sql.to_ascii_lowercase();
            let risky = [
                "left", "right", "full", "grouping", "rollup", "cube", "outer",
            ];
            return QueryShape {
                unknown: risky.iter().any(|w| lower.contains(w)),
                ..QueryShape::default()
            };
        }
    };
    let mut walker = Walker::default();
    for statement in &statements {
        let _ = statement.visit(&mut walker);
        if let Statement::Query(query) = statement
            && let SetExpr::Select(select) = &*query.body
        {
            top_level_select(select, &mut walker.shape);
        }
        if let Statement::Insert(insert) = statement {
            walker.shape.param_names.extend(insert_param_names(
                &insert.columns,
                insert.source.as_deref(),
            ));
        }
    }
    // A CTE on the nullable side nulls out the tables it reads.
    let mut changed = true;
    while changed {
        changed = false;
        for (cte, tables) in &walker.ctes {
            if walker.shape.nullable_tables.contains(cte) {
                for table in tables {
                    changed |= walker.shape.nullable_tables.insert(table.clone());
                }
            }
        }
    }
    walker.shape
}

#[derive(Default)]
struct Walker {
    shape: QueryShape,
    ctes: HashMap<String, HashSet<String>>,
}

impl Visitor for Walker {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let tables = relations(&*cte.query);
                self.ctes
                    .entry(fold(&cte.alias.name))
                    .or_default()
                    .extend(tables);
            }
        }
        self.set_expr(&query.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if matches!(
            expr,
            Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_)
        ) {
            self.shape.grouping_sets = true;
        }
        ControlFlow::Continue(())
    }
}

impl Walker {
    fn set_expr(&mut self, body: &SetExpr) {
        match body {
            SetExpr::Select(select) => {
                for from in &select.from {
                    self.joins(from);
                }
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left);
                self.set_expr(right);
            }
            // Nested queries are visited on their own by `pre_visit_query`.
            _ => {}
        }
    }

    fn joins(&mut self, from: &TableWithJoins) {
        let mut left = self.factor(&from.relation);
        for join in &from.joins {
            let right = self.factor(&join.relation);
            match &join.join_operator {
                JoinOperator::Left(_) | JoinOperator::LeftOuter(_) | JoinOperator::OuterApply => {
                    self.shape.nullable_tables.extend(right.iter().cloned());
                }
                JoinOperator::Right(_) | JoinOperator::RightOuter(_) => {
                    self.shape.nullable_tables.extend(left.iter().cloned());
                }
                JoinOperator::FullOuter(_) => {
                    self.shape.nullable_tables.extend(left.iter().cloned());
                    self.shape.nullable_tables.extend(right.iter().cloned());
                }
                _ => {}
            }
            left.extend(right);
        }
    }

    /// Tables a FROM item reads (recursing into parenthesized joins, whose own outer joins
    /// count too).
    fn factor(&mut self, factor: &TableFactor) -> HashSet<String> {
        if let TableFactor::NestedJoin {
            table_with_joins, ..
        } = factor
        {
            self.joins(table_with_joins);
        }
        relations(factor)
    }
}

/// Records output-column qualifiers and FROM-item nullability of a plain SELECT; gives up
/// (leaving both empty) on `*`, whose expansion the syntax alone cannot align with columns.
fn top_level_select(select: &sqlparser::ast::Select, shape: &mut QueryShape) {
    let mut qualifiers = Vec::new();
    for item in &select.projection {
        let expr = match item {
            SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => expr,
            _ => return,
        };
        qualifiers.push(match expr {
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => Some(fold(&parts[0])),
            _ => None,
        });
    }
    let mut occurrences = Vec::new();
    for from in &select.from {
        from_occurrences(from, &mut occurrences);
    }
    shape.qualifiers = qualifiers;
    shape.occurrences = occurrences.into_iter().collect();
}

/// The FROM items of one join tree with their outer-join nullability.
fn from_occurrences(from: &TableWithJoins, all: &mut Vec<(String, Occurrence)>) {
    let start = all.len();
    factor_occurrences(&from.relation, all);
    for join in &from.joins {
        let left_end = all.len();
        factor_occurrences(&join.relation, all);
        let (null_left, null_right) = match &join.join_operator {
            JoinOperator::Left(_) | JoinOperator::LeftOuter(_) | JoinOperator::OuterApply => {
                (false, true)
            }
            JoinOperator::Right(_) | JoinOperator::RightOuter(_) => (true, false),
            JoinOperator::FullOuter(_) => (true, true),
            _ => (false, false),
        };
        for (i, (_, occurrence)) in all.iter_mut().enumerate().skip(start) {
            if (i < left_end && null_left) || (i >= left_end && null_right) {
                occurrence.nullable = true;
            }
        }
    }
}

fn factor_occurrences(factor: &TableFactor, all: &mut Vec<(String, Occurrence)>) {
    match factor {
        TableFactor::Table { name, alias, .. } => {
            let table = last_ident(name);
            let key = alias
                .as_ref()
                .map(|a| fold(&a.name))
                .or_else(|| table.clone());
            if let Some(key) = key {
                all.push((
                    key,
                    Occurrence {
                        table,
                        nullable: false,
                    },
                ));
            }
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => from_occurrences(table_with_joins, all),
        TableFactor::Derived {
            alias: Some(alias), ..
        } => {
            all.push((
                fold(&alias.name),
                Occurrence {
                    table: None,
                    nullable: false,
                },
            ));
        }
        _ => {}
    }
}

fn relations<V: Visit>(node: &V) -> HashSet<String> {
    let mut tables = HashSet::new();
    let _ = visit_relations(node, |name: &ObjectName| {
        if let Some(table) = last_ident(name) {
            tables.insert(table);
        }
        ControlFlow::<()>::Continue(())
    });
    tables
}

fn last_ident(name: &ObjectName) -> Option<String> {
    match name.0.last()? {
        ObjectNamePart::Identifier(ident) => Some(fold(ident)),
        _ => None,
    }
}

fn insert_param_names(columns: &[ObjectName], source: Option<&Query>) -> HashMap<usize, String> {
    let mut names = HashMap::new();
    let Some(SetExpr::Values(values)) = source.map(|q| &*q.body) else {
        return names;
    };
    for row in &values.rows {
        for (expr, column) in row.iter().zip(columns) {
            if let (Some(n), Some(column)) = (placeholder(expr), last_ident(column)) {
                names.entry(n).or_insert(column);
            }
        }
    }
    names
}

/// `$n` (possibly under a cast) → n.
fn placeholder(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => placeholder(expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nullable(sql: &str) -> Vec<String> {
        let mut v: Vec<String> = query_shape(sql).nullable_tables.into_iter().collect();
        v.sort();
        v
    }

    #[test]
    fn outer_join_sides() {
        assert_eq!(nullable("SELECT * FROM a LEFT JOIN b ON true"), ["b"]);
        assert_eq!(nullable("SELECT * FROM a RIGHT JOIN b ON true"), ["a"]);
        assert_eq!(nullable("SELECT * FROM a FULL JOIN b ON true"), ["a", "b"]);
        assert_eq!(
            nullable("SELECT * FROM a JOIN b ON true"),
            Vec::<String>::new()
        );
        assert_eq!(
            nullable("SELECT * FROM a LEFT JOIN (b JOIN c ON true) ON true"),
            ["b", "c"]
        );
        assert_eq!(
            nullable("SELECT * FROM a LEFT JOIN (SELECT * FROM public.\"B\") x ON true"),
            ["B"]
        );
    }

    #[test]
    fn outer_join_in_subquery_and_cte() {
        assert_eq!(
            nullable("SELECT x.id FROM (SELECT b.id FROM a LEFT JOIN b ON true) x"),
            ["b"]
        );
        assert_eq!(
            nullable("WITH c AS (SELECT * FROM users) SELECT * FROM shops LEFT JOIN c ON true"),
            ["c", "users"]
        );
    }

    #[test]
    fn grouping_sets_and_unparsed() {
        assert!(query_shape("SELECT a, count(*) FROM t GROUP BY ROLLUP (a)").grouping_sets);
        assert!(query_shape("SELECT FROM LEFT JOIN ???").unknown);
    }

    #[test]
    fn self_join_occurrences_are_told_apart() {
        let shape = query_shape(
            "SELECT u.id, inviter.email, x FROM m JOIN users u ON true LEFT JOIN users inviter ON true",
        );
        assert_eq!(
            shape.qualifiers,
            [Some("u".to_string()), Some("inviter".to_string()), None]
        );
        assert!(!shape.occurrences["u"].nullable);
        assert!(shape.occurrences["inviter"].nullable);
        assert_eq!(shape.occurrences["inviter"].table.as_deref(), Some("users"));
        assert!(
            query_shape("SELECT *, u.id FROM users u")
                .qualifiers
                .is_empty()
        );
    }

    #[test]
    fn insert_names_params() {
        let shape = query_shape("INSERT INTO t (id, email) VALUES ($1, $2::text)");
        assert_eq!(shape.param_names.get(&1).map(String::as_str), Some("id"));
        assert_eq!(shape.param_names.get(&2).map(String::as_str), Some("email"));
    }
}
