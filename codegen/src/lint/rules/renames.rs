//! `renaming-column`, `renaming-table`: a rename breaks every query that still uses the old
//! name. Whether one does is only known once all migrations (the old name may come back) and
//! all query files are read, so a rename is recorded here and decided by [`resolve`].

use sqlparser::ast::{AlterTableOperation, RenameTableNameKind};

use super::{Ctx, Hit, RENAMING_COLUMN, RENAMING_TABLE, Sink};
use crate::lint::catalog::{Catalog, bare_name, ident_key, table_key};
use crate::lint::queries::QueryIndex;

#[derive(Debug)]
pub(crate) struct Pending {
    what: Renamed,
    /// The finding, to report if a query still uses the old name.
    hit: Hit,
}

impl Pending {
    pub fn rule(&self) -> &'static str {
        self.hit.rule
    }
}

#[derive(Debug)]
enum Renamed {
    Table {
        old: String,
    },
    /// `since`: the catalog's rename count at this point, to follow the table to its final name.
    Column {
        table: String,
        since: usize,
        old: String,
    },
}

pub(super) fn check(ctx: &Ctx, sink: &mut Sink) {
    let Some(sqlparser::ast::Statement::AlterTable(alter)) = &ctx.stmt.ast else {
        return;
    };
    let table = table_key(&alter.name);
    for op in &alter.operations {
        let anchor = ctx.anchor(op);
        match op {
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (old, new) = (ident_key(old_column_name), ident_key(new_column_name));
                let hit = ctx
                    .hit(RENAMING_COLUMN, anchor, format!("renaming column \"{old}\" of \"{table}\" to \"{new}\" while queries still use \"{old}\""))
                    .label(format!("queries using \"{old}\" fail from now on"))
                    .help(format!(
                        "update the queries to \"{new}\" in the same change; to rename without breaking running code, \
                         add \"{new}\", write both, backfill, switch reads, then drop \"{old}\" in a later migration"
                    ));
                let what = Renamed::Column {
                    table: table.clone(),
                    since: ctx.catalog.rename_count(),
                    old,
                };
                sink.renames.push(Pending { what, hit });
            }
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
            } => {
                let new = table_key(new);
                let hit = ctx
                    .hit(RENAMING_TABLE, anchor, format!("renaming table \"{table}\" to \"{new}\" while queries still use \"{table}\""))
                    .label(format!("queries using \"{table}\" fail from now on"))
                    .help(format!(
                        "update the queries to \"{new}\" in the same change; to keep running code working meanwhile, \
                         leave a view behind: `CREATE VIEW {table} AS SELECT * FROM {new}`"
                    ));
                sink.renames.push(Pending {
                    what: Renamed::Table { old: table.clone() },
                    hit,
                });
            }
            _ => {}
        }
    }
}

/// The finding for a rename, if a query still uses the old name and no table, view or column
/// by that name exists once every migration has run.
pub(crate) fn resolve(pending: Pending, catalog: &Catalog, queries: &QueryIndex) -> Option<Hit> {
    let (old, found) = match &pending.what {
        Renamed::Table { old } => {
            if catalog.has_relation(old) {
                return None;
            }
            (old.as_str(), queries.find(bare_name(old), &[])?)
        }
        Renamed::Column { table, since, old } => {
            let table_now = catalog.final_name(table, *since);
            let still_there = catalog
                .table(&table_now)
                .and_then(|t| t.columns.as_ref())
                .is_some_and(|c| c.contains_key(old));
            if still_there {
                return None;
            }
            // A column name alone is too common: require the query to mention the table too.
            (
                old.as_str(),
                queries.find(old, &[bare_name(table), bare_name(&table_now)])?,
            )
        }
    };
    Some(pending.hit.note(format!(
        "query `{}` still uses \"{old}\" at {}",
        found.query_name, found.location
    )))
}
