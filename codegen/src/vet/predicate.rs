//! Reading the conditions EXPLAIN prints (`(o.shop_id = $1) AND (o.total > $2)`): which
//! columns of one relation a B-tree index could serve, by PostgreSQL's rule for index
//! clauses (`match_clause_to_indexcol`): `column op expression` where the expression does not
//! read the relation itself, with `=` (also `= ANY (array)` and `IS NULL`) or a range
//! operator. Anything else (a function of the column, `OR`, `LIKE`) is left out: no plain
//! index on the column serves it.

use std::ops::ControlFlow;

use sqlparser::ast::{BinaryOperator, DataType, Expr, visit_expressions};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// The columns of one relation the conditions constrain in an indexable way.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Indexable {
    /// Columns compared with `=`, in order of appearance, without repeats.
    pub equal: Vec<String>,
    /// Columns compared with `<`, `<=`, `>`, `>=` or `BETWEEN`.
    pub range: Vec<String>,
}

/// The relation whose columns are read, as the plan qualifies them, and which of its
/// columns are `character varying` (EXPLAIN shows them compared as `(o.name)::text`, a
/// binary-compatible relabeling an index on the column serves).
pub struct Relation<'a> {
    pub alias: &'a str,
    pub varchar: &'a dyn Fn(&str) -> bool,
}

/// The indexable conjuncts of every condition in `conditions` (each one EXPLAIN text).
/// A condition that does not parse contributes nothing.
pub fn indexable(conditions: &[&str], relation: &Relation) -> Indexable {
    let mut out = Indexable::default();
    for condition in conditions {
        let Some(expr) = parse(condition) else {
            continue;
        };
        let mut conjuncts = Vec::new();
        conjuncts_of(&expr, &mut conjuncts);
        for conjunct in conjuncts {
            if let Some((column, equal)) = index_clause(conjunct, relation) {
                let list = if equal {
                    &mut out.equal
                } else {
                    &mut out.range
                };
                if !list.contains(&column) {
                    list.push(column);
                }
            }
        }
    }
    out.range.retain(|c| !out.equal.contains(c));
    out
}

/// The relation's columns `condition` reads anywhere (`None` when it does not parse).
pub fn columns_read(condition: &str, alias: &str) -> Option<Vec<String>> {
    let expr = parse(condition)?;
    Some(own_columns(&expr, alias))
}

fn parse(text: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()
}

/// The top-level `AND` operands (sqlparser bounds the nesting it parses).
fn conjuncts_of<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::Nested(inner) => conjuncts_of(inner, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts_of(left, out);
            conjuncts_of(right, out);
        }
        other => out.push(other),
    }
}

/// `(column, is_equality)` when the conjunct is an index clause on one of the relation's
/// columns.
fn index_clause(conjunct: &Expr, relation: &Relation) -> Option<(String, bool)> {
    match conjunct {
        Expr::BinaryOp { left, op, right } => {
            let equal = match op {
                BinaryOperator::Eq => true,
                BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq => false,
                _ => return None,
            };
            let side = |column: &Expr, other: &Expr| {
                let column = plain_column(column, relation)?;
                own_columns(other, relation.alias)
                    .is_empty()
                    .then_some((column, equal))
            };
            side(left, right).or_else(|| side(right, left))
        }
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => {
            let column = plain_column(left, relation)?;
            own_columns(right, relation.alias)
                .is_empty()
                .then_some((column, true))
        }
        Expr::IsNull(inner) => Some((plain_column(inner, relation)?, true)),
        Expr::Between {
            expr,
            negated: false,
            low,
            high,
        } => {
            let column = plain_column(expr, relation)?;
            (own_columns(low, relation.alias).is_empty()
                && own_columns(high, relation.alias).is_empty())
            .then_some((column, false))
        }
        Expr::Nested(inner) => index_clause(inner, relation),
        _ => None,
    }
}

/// The column when `expr` is one of the relation's columns as it is stored (or a varchar
/// column relabeled as text).
fn plain_column(expr: &Expr, relation: &Relation) -> Option<String> {
    match expr {
        Expr::Nested(inner) => plain_column(inner, relation),
        Expr::Cast {
            expr,
            data_type: DataType::Text,
            ..
        } => plain_column(expr, relation).filter(|c| (relation.varchar)(c)),
        _ => own_column(expr, relation.alias),
    }
}

fn own_column(expr: &Expr, alias: &str) -> Option<String> {
    match expr {
        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [qualifier, column] if qualifier.value == alias => Some(column.value.clone()),
            _ => None,
        },
        // VERBOSE qualifies every column; an unqualified one is the scanned relation's.
        Expr::Identifier(ident) => Some(ident.value.clone()),
        _ => None,
    }
}

fn own_columns(expr: &Expr, alias: &str) -> Vec<String> {
    let mut out = Vec::new();
    let _ = visit_expressions(expr, |e| {
        if let Some(column) = own_column(e, alias)
            && !out.contains(&column)
        {
            out.push(column);
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(conditions: &[&str]) -> Indexable {
        let varchar = |c: &str| c == "email";
        indexable(
            conditions,
            &Relation {
                alias: "o",
                varchar: &varchar,
            },
        )
    }

    #[test]
    fn equalities_then_ranges_of_the_relation_only() {
        let found = read(&[
            "((o.shop_id = $1) AND (o.created_at >= $2) AND ($3 > o.total) AND (lower(o.note) = $4))",
            "(o.customer_id = c.id)",
            "((o.id = 1) OR (o.id = 2))",
        ]);
        assert_eq!(found.equal, ["shop_id", "customer_id"]);
        assert_eq!(found.range, ["created_at", "total"]);
    }

    #[test]
    fn relabeled_varchar_any_and_null_tests_are_indexable() {
        let found = read(&[
            "(((o.email)::text = $1) AND ((o.status)::text = 'x'::text) AND (o.tag = ANY ($2)) AND (o.deleted_at IS NULL))",
        ]);
        assert_eq!(found.equal, ["email", "tag", "deleted_at"]);
        assert!(found.range.is_empty());
    }

    #[test]
    fn a_comparison_between_own_columns_is_not_an_index_clause() {
        assert_eq!(read(&["(o.a = o.b)", "not sql ((("]), Indexable::default());
        assert_eq!(
            columns_read("((o.a = $1) AND (s.b = o.c))", "o").unwrap(),
            ["a", "c"]
        );
    }
}
