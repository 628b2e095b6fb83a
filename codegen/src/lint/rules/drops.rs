//! `ban-drop-column`, `ban-drop-table`.

use sqlparser::ast::{self, AlterTableOperation, ObjectType};

use super::{BAN_DROP_COLUMN, BAN_DROP_TABLE, Ctx, Sink, alter_existing};
use crate::lint::catalog::{ident_key, table_key};

pub(super) fn check(ctx: &Ctx, sink: &mut Sink) {
    if let Some((alter, table)) = alter_existing(ctx) {
        for op in &alter.operations {
            if let AlterTableOperation::DropColumn { column_names, .. } = op {
                let columns = quoted_list(column_names.iter().map(ident_key));
                sink.hits.push(
                    ctx.hit(BAN_DROP_COLUMN, ctx.anchor(op), format!("dropping column {columns} of existing table \"{table}\""))
                        .label("queries that still use it fail from now on")
                        .note("running application code and queries that still read or write the column fail as soon as this migration runs")
                        .help(
                            "stop using the column in queries/ and deploy that first; drop it in a later migration \
                             and mark it `-- squill:lint-ignore ban-drop-column -- <why it is safe>`",
                        ),
                );
            }
        }
    }

    if let Some(ast::Statement::Drop {
        object_type: ObjectType::Table,
        names,
        ..
    }) = &ctx.stmt.ast
    {
        let existing: Vec<String> = names
            .iter()
            .map(table_key)
            .filter(|t| ctx.is_existing(t))
            .collect();
        if existing.is_empty() {
            return;
        }
        let plural = if existing.len() == 1 {
            "table"
        } else {
            "tables"
        };
        sink.hits.push(
            ctx.hit(BAN_DROP_TABLE, ctx.stmt.start(), format!("dropping existing {plural} {}", quoted_list(existing)))
                .label("its data is gone, and queries that still use it fail")
                .note("a dropped table cannot be brought back by a later migration; running code that queries it fails at once")
                .help(
                    "make sure nothing uses the table any more (deploy that first) and that its data is backed up, \
                     then mark the statement `-- squill:lint-ignore ban-drop-table -- <why it is safe>`",
                ),
        );
    }
}

fn quoted_list(names: impl IntoIterator<Item = String>) -> String {
    names
        .into_iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
