//! `:copyfrom` sends its rows with binary COPY, each value in its column's type, where the
//! INSERT it stands for would have converted the value: so a parameter cast in the VALUES
//! (sqlc's `@project_id::uuid`), which types the parameter, must be to the column's type.

use sqlparser::ast::{Expr, SetExpr, Statement, TableObject};

use super::expr::name_parts;
use super::{Fail, Res, Schema};

/// Checks the casts of a `:copyfrom` INSERT's parameters (`params`: their types). Other shapes
/// are left to `crate::copyfrom`, which refuses them.
pub(super) fn check(schema: &Schema, statement: &Statement, params: &[Option<u32>]) -> Res<()> {
    let Statement::Insert(ins) = statement else {
        return Ok(());
    };
    let TableObject::TableName(name) = &ins.table else {
        return Ok(());
    };
    let Some(SetExpr::Values(values)) = ins.source.as_ref().map(|q| &*q.body) else {
        return Ok(());
    };
    let cols = super::statement::relation_cols(schema, &name_parts(name)?)?;
    for row in &values.rows {
        for (e, target) in row.iter().zip(&ins.columns) {
            let (Expr::Cast { .. }, Some(p)) = (e, crate::copyfrom::placeholder(e)) else {
                continue;
            };
            let Some(ty) = p
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| params.get(n.checked_sub(1)?).copied().flatten())
            else {
                continue;
            };
            let column = name_parts(target)?.last().cloned().unwrap_or_default();
            let Some(col) = cols.iter().find(|c| c.name == column) else {
                continue;
            };
            if col.ty != ty {
                let types = &schema.types;
                return Err(Fail::Error(
                    format!(
                        "`:copyfrom` sends each value as its column's type: {p} is cast to {}, but column \"{column}\" is of type {}",
                        types.display(ty),
                        types.display(col.ty)
                    ),
                    Some(format!(
                        "cast it to {}, or leave the cast out",
                        types.display(col.ty)
                    )),
                )
                .at(sqlparser::ast::Spanned::span(e)));
            }
        }
    }
    Ok(())
}
