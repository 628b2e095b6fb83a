//! `:copyfrom` (sqlc's bulk insert): a single-row `INSERT INTO t (a, b) VALUES ($1, $2)`
//! becomes `COPY t (a, b) FROM STDIN (FORMAT binary)`, fed one row per parameter set.

use sqlparser::ast::{Expr, SetExpr, Statement, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// The COPY statement for an INSERT that `:copyfrom` accepts, or why it is not accepted.
pub fn copy_statement(sql: &str) -> Result<String, String> {
    const SHAPE: &str = "`:copyfrom` needs `INSERT INTO table (col, ...) VALUES ($1, ...)`: one row of parameters (each may be cast to its column's type), each column once, in order, without ON CONFLICT or RETURNING";
    let statements =
        Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| format!("{SHAPE} ({e})"))?;
    let [Statement::Insert(insert)] = statements.as_slice() else {
        return Err(SHAPE.into());
    };
    if insert.on.is_some() || insert.returning.is_some() || insert.columns.is_empty() {
        return Err(SHAPE.into());
    }
    let Some(SetExpr::Values(values)) = insert.source.as_ref().map(|q| &*q.body) else {
        return Err(SHAPE.into());
    };
    let [row] = values.rows.as_slice() else {
        return Err(SHAPE.into());
    };
    if row.len() != insert.columns.len() {
        return Err(SHAPE.into());
    }
    for (i, expr) in row.iter().enumerate() {
        if !matches!(placeholder(expr), Some(p) if *p == format!("${}", i + 1)) {
            return Err(SHAPE.into());
        }
    }
    let columns: Vec<String> = insert.columns.iter().map(|c| c.to_string()).collect();
    Ok(format!(
        "COPY {} ({}) FROM STDIN (FORMAT binary)",
        insert.table,
        columns.join(", ")
    ))
}

/// The parameter a VALUES item is: `$n`, or `$n` cast (`$n::type`, `CAST($n AS type)`), which
/// types the parameter; the analyzer checks the cast is to the column's type, which COPY sends.
pub(crate) fn placeholder(e: &Expr) -> Option<&String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => Some(p),
            _ => None,
        },
        Expr::Cast {
            expr, format: None, ..
        } => match &**expr {
            Expr::Value(v) => match &v.value {
                Value::Placeholder(p) => Some(p),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_becomes_copy() {
        assert_eq!(
            copy_statement("INSERT INTO public.users (name, \"Hair\") VALUES ($1, $2)").unwrap(),
            "COPY public.users (name, \"Hair\") FROM STDIN (FORMAT binary)"
        );
        // A parameter cast (sqlc's `@project_id::uuid`) types it; COPY sends the column's type.
        assert_eq!(
            copy_statement("INSERT INTO t (p, n) VALUES ($1::uuid, CAST($2 AS text))").unwrap(),
            "COPY t (p, n) FROM STDIN (FORMAT binary)"
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        for sql in [
            "INSERT INTO t (a) VALUES ($1) RETURNING a",
            "INSERT INTO t (a, b) VALUES ($2, $1)",
            "INSERT INTO t (a) VALUES ($1), ($2)",
            "INSERT INTO t (a) VALUES (lower($1))",
            "INSERT INTO t (a) VALUES ($1::text::uuid)",
            "INSERT INTO t VALUES ($1)",
            "UPDATE t SET a = $1",
        ] {
            assert!(copy_statement(sql).is_err(), "{sql}");
        }
    }
}
