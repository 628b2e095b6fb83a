//! Constraints added to existing tables: `adding-foreign-key-constraint`,
//! `constraint-missing-not-valid`, `disallowed-unique-constraint`,
//! `adding-serial-primary-key-field`.

use std::collections::HashSet;

use sqlparser::ast::{AlterTableOperation, ColumnOption, Ident, TableConstraint};

use super::{
    ADDING_FOREIGN_KEY_CONSTRAINT, ADDING_SERIAL_PRIMARY_KEY_FIELD, CONSTRAINT_MISSING_NOT_VALID,
    Ctx, DISALLOWED_UNIQUE_CONSTRAINT, Hit, Sink, alter_existing,
};
use crate::lint::catalog::{ident_key, table_key};

/// Constraints this file added `NOT VALID`, as (table, constraint): validating one of them in
/// the same transaction keeps the lock that NOT VALID was meant to release quickly.
#[derive(Debug, Default)]
pub(super) struct State {
    not_valid: HashSet<(String, String)>,
}

pub(super) fn check(ctx: &Ctx, state: &mut State, sink: &mut Sink) {
    let Some((alter, table)) = alter_existing(ctx) else {
        return;
    };
    for op in &alter.operations {
        let anchor = ctx.anchor(op);
        match op {
            AlterTableOperation::AddConstraint {
                constraint,
                not_valid: true,
            } => {
                if let Some(name) = constraint_name(constraint) {
                    state.not_valid.insert((table.clone(), ident_key(name)));
                }
            }
            AlterTableOperation::AddConstraint {
                constraint,
                not_valid: false,
            } => {
                if let Some(hit) = added_constraint(ctx, anchor, &table, constraint) {
                    sink.hits.push(hit);
                }
            }
            AlterTableOperation::AddColumn { column_def, .. } => {
                let column = ident_key(&column_def.name);
                for option in &column_def.options {
                    if let Some(hit) =
                        inline_constraint(ctx, anchor, &table, &column, &option.option)
                    {
                        sink.hits.push(hit);
                    }
                }
            }
            AlterTableOperation::ValidateConstraint { name }
                if !ctx.no_transaction
                    && state.not_valid.contains(&(table.clone(), ident_key(name))) =>
            {
                let name = ident_key(name);
                sink.hits.push(
                    ctx.hit(
                        CONSTRAINT_MISSING_NOT_VALID,
                        anchor,
                        format!("constraint \"{name}\" is validated in the same transaction that added it NOT VALID"),
                    )
                    .label("the validation scan runs while the ADD CONSTRAINT lock is still held")
                    .note(
                        "ADD CONSTRAINT takes a lock that is only released at commit, so validating in the same \
                         migration blocks reads and writes exactly as if NOT VALID had not been used",
                    )
                    .help("move `VALIDATE CONSTRAINT` to a later migration"),
                );
            }
            _ => {}
        }
    }
}

fn constraint_name(c: &TableConstraint) -> Option<&Ident> {
    match c {
        TableConstraint::ForeignKey(fk) => fk.name.as_ref(),
        TableConstraint::Check(check) => check.name.as_ref(),
        TableConstraint::Unique(u) => u.name.as_ref(),
        TableConstraint::PrimaryKey(pk) => pk.name.as_ref(),
        _ => None,
    }
}

/// `ALTER TABLE t ADD [CONSTRAINT c] ...` without NOT VALID.
fn added_constraint(
    ctx: &Ctx,
    anchor: usize,
    table: &str,
    constraint: &TableConstraint,
) -> Option<Hit> {
    let name =
        constraint_name(constraint).map_or(String::new(), |n| format!(" \"{}\"", ident_key(n)));
    let hit = match constraint {
        TableConstraint::ForeignKey(fk) => {
            let target = table_key(&fk.foreign_table);
            ctx.hit(
                ADDING_FOREIGN_KEY_CONSTRAINT,
                anchor,
                format!("adding foreign key{name} to existing table \"{table}\" without NOT VALID"),
            )
            .label(format!("checks every row while blocking writes to \"{table}\" and \"{target}\""))
            .note("the new constraint is checked against every existing row under a SHARE ROW EXCLUSIVE lock on both tables")
            .help(
                "add it with NOT VALID (only new rows are checked), then `VALIDATE CONSTRAINT` it in a later \
                 migration, which does not block writes",
            )
        }
        TableConstraint::Check(_) => ctx
            .hit(
                CONSTRAINT_MISSING_NOT_VALID,
                anchor,
                format!("adding CHECK constraint{name} to existing table \"{table}\" without NOT VALID"),
            )
            .label("checks every row under an ACCESS EXCLUSIVE lock")
            .note("reads and writes on the table wait until every existing row has been checked")
            .help(
                "add it with NOT VALID, then `VALIDATE CONSTRAINT` it in a later migration (validation only \
                 takes a SHARE UPDATE EXCLUSIVE lock)",
            ),
        TableConstraint::Unique(_) => ctx
            .hit(
                DISALLOWED_UNIQUE_CONSTRAINT,
                anchor,
                format!("adding UNIQUE constraint{name} to existing table \"{table}\" builds its index under an ACCESS EXCLUSIVE lock"),
            )
            .label("reads and writes wait until the unique index is built")
            .help(format!(
                "build the index first with `CREATE UNIQUE INDEX CONCURRENTLY idx ON {table} (...)`, then \
                 `ALTER TABLE {table} ADD CONSTRAINT ... UNIQUE USING INDEX idx`"
            )),
        TableConstraint::PrimaryKey(_) => ctx
            .hit(
                ADDING_SERIAL_PRIMARY_KEY_FIELD,
                anchor,
                format!("adding PRIMARY KEY{name} to existing table \"{table}\" builds its index under an ACCESS EXCLUSIVE lock"),
            )
            .label("reads and writes wait until the index is built")
            .help(format!(
                "build the index first with `CREATE UNIQUE INDEX CONCURRENTLY idx ON {table} (...)`, then \
                 `ALTER TABLE {table} ADD CONSTRAINT ... PRIMARY KEY USING INDEX idx`"
            )),
        _ => return None,
    };
    Some(hit)
}

/// Constraints written on an added column: `ADD COLUMN c int REFERENCES t`, `... PRIMARY KEY`.
fn inline_constraint(
    ctx: &Ctx,
    anchor: usize,
    table: &str,
    column: &str,
    option: &ColumnOption,
) -> Option<Hit> {
    let hit = match option {
        ColumnOption::ForeignKey(fk) => {
            let target = table_key(&fk.foreign_table);
            ctx.hit(
                ADDING_FOREIGN_KEY_CONSTRAINT,
                anchor,
                format!("adding column \"{column}\" with a foreign key to existing table \"{table}\""),
            )
            .label(format!("blocks writes to \"{table}\" and \"{target}\" while the constraint is checked"))
            .note("an inline REFERENCES cannot be NOT VALID: it is checked against every row under a SHARE ROW EXCLUSIVE lock")
            .help(
                "add the column without REFERENCES, then `ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID` and \
                 `VALIDATE CONSTRAINT` it in a later migration",
            )
        }
        ColumnOption::PrimaryKey(_) => ctx
            .hit(
                ADDING_SERIAL_PRIMARY_KEY_FIELD,
                anchor,
                format!("adding column \"{column}\" as PRIMARY KEY of existing table \"{table}\""),
            )
            .label("fills every row and builds the index under an ACCESS EXCLUSIVE lock")
            .help(format!(
                "add the column, backfill it, build `CREATE UNIQUE INDEX CONCURRENTLY idx ON {table} ({column})`, \
                 then `ALTER TABLE {table} ADD CONSTRAINT ... PRIMARY KEY USING INDEX idx`"
            )),
        ColumnOption::Unique(_) => ctx
            .hit(
                DISALLOWED_UNIQUE_CONSTRAINT,
                anchor,
                format!("adding column \"{column}\" as UNIQUE to existing table \"{table}\" builds its index under an ACCESS EXCLUSIVE lock"),
            )
            .label("reads and writes wait until the unique index is built")
            .help(format!(
                "add the column, build `CREATE UNIQUE INDEX CONCURRENTLY idx ON {table} ({column})`, then \
                 `ALTER TABLE {table} ADD CONSTRAINT ... UNIQUE USING INDEX idx`"
            )),
        _ => return None,
    };
    Some(hit)
}
