//! Column changes on existing tables: `adding-required-field`, `adding-not-nullable-field`,
//! `changing-column-type`.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, CharacterLength, ColumnDef, ColumnOption, DataType,
    ExactNumberInfo,
};

use super::{
    ADDING_NOT_NULLABLE_FIELD, ADDING_REQUIRED_FIELD, CHANGING_COLUMN_TYPE, Ctx, Sink,
    alter_existing,
};
use crate::lint::catalog::ident_key;

pub(super) fn check(ctx: &Ctx, sink: &mut Sink) {
    let Some((alter, table)) = alter_existing(ctx) else {
        return;
    };
    for op in &alter.operations {
        match op {
            AlterTableOperation::AddColumn { column_def, .. } if is_required(column_def) => {
                let column = ident_key(&column_def.name);
                sink.hits.push(
                    ctx.hit(
                        ADDING_REQUIRED_FIELD,
                        ctx.anchor(op),
                        format!("adding NOT NULL column \"{column}\" without a DEFAULT to existing table \"{table}\""),
                    )
                    .label(format!("fails if \"{table}\" has any rows"))
                    .note("existing rows would hold NULL in the new column, so PostgreSQL rejects the statement on a non-empty table")
                    .help(
                        "give the column a DEFAULT (a constant default is instant since PostgreSQL 11), \
                         or add it nullable, backfill it, then SET NOT NULL",
                    ),
                );
            }
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetNotNull,
            } => {
                let column = ident_key(column_name);
                sink.hits.push(
                    ctx.hit(
                        ADDING_NOT_NULLABLE_FIELD,
                        ctx.anchor(op),
                        format!("setting column \"{column}\" NOT NULL scans existing table \"{table}\" under an ACCESS EXCLUSIVE lock"),
                    )
                    .label("reads and writes wait while every row is checked for NULL")
                    .help(format!(
                        "first `ALTER TABLE {table} ADD CONSTRAINT {column}_not_null CHECK ({column} IS NOT NULL) \
                         NOT VALID`, VALIDATE it in a later migration, then SET NOT NULL (PostgreSQL 12+ trusts \
                         the valid check and skips the scan) and drop the check"
                    )),
                );
            }
            AlterTableOperation::AlterColumn {
                column_name,
                op:
                    AlterColumnOperation::SetDataType {
                        data_type, using, ..
                    },
            } => {
                let column = ident_key(column_name);
                let old = ctx
                    .catalog
                    .table(&table)
                    .and_then(|t| t.columns.as_ref())
                    .and_then(|c| c.get(&column));
                if using.is_none() && old.is_some_and(|old| is_binary_compatible(old, data_type)) {
                    continue;
                }
                sink.hits.push(
                    ctx.hit(
                        CHANGING_COLUMN_TYPE,
                        ctx.anchor(op),
                        format!("changing the type of column \"{column}\" rewrites existing table \"{table}\""),
                    )
                    .label("reads and writes wait while the table and its indexes are rewritten")
                    .note(
                        "ALTER COLUMN ... TYPE rewrites every row and rebuilds the table's indexes under an \
                         ACCESS EXCLUSIVE lock, unless the new type is binary-compatible (e.g. varchar(n) to text)",
                    )
                    .help(
                        "add a column with the new type, backfill it in batches, switch the queries over, \
                         then drop the old column in a later migration",
                    ),
                );
            }
            _ => {}
        }
    }
}

/// NOT NULL (or PRIMARY KEY, which implies it) with nothing to fill existing rows.
fn is_required(column: &ColumnDef) -> bool {
    let options = || column.options.iter().map(|o| &o.option);
    let not_null =
        options().any(|o| matches!(o, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
    let filled = options().any(|o| {
        matches!(
            o,
            ColumnOption::Default(_) | ColumnOption::Generated { .. } | ColumnOption::Identity(_)
        )
    });
    not_null && !filled && !is_serial(&column.data_type)
}

/// `serial` and friends come with a sequence default.
fn is_serial(data_type: &DataType) -> bool {
    let name = data_type.to_string().to_ascii_lowercase();
    matches!(
        name.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
    )
}

/// Type changes PostgreSQL does without a rewrite: among varchar/text when no length limit
/// shrinks, and numeric when precision grows at the same scale.
fn is_binary_compatible(old: &DataType, new: &DataType) -> bool {
    fn text_limit(t: &DataType) -> Option<Option<u64>> {
        match t {
            DataType::Text => Some(None),
            DataType::Varchar(len) | DataType::CharacterVarying(len) => Some(match len {
                Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
                _ => None,
            }),
            _ => None,
        }
    }
    fn numeric(t: &DataType) -> Option<&ExactNumberInfo> {
        match t {
            DataType::Numeric(info) | DataType::Decimal(info) => Some(info),
            _ => None,
        }
    }
    if let (Some(old), Some(new)) = (text_limit(old), text_limit(new)) {
        return match (old, new) {
            (_, None) => true,
            (Some(old), Some(new)) => new >= old,
            (None, Some(_)) => false,
        };
    }
    if let (Some(old), Some(new)) = (numeric(old), numeric(new)) {
        return match (old, new) {
            (_, ExactNumberInfo::None) => true,
            (ExactNumberInfo::Precision(p), ExactNumberInfo::Precision(q)) => q >= p,
            (
                ExactNumberInfo::PrecisionAndScale(p, s),
                ExactNumberInfo::PrecisionAndScale(q, t),
            ) => q >= p && s == t,
            _ => false,
        };
    }
    false
}
