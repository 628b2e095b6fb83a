//! `no-transaction-not-idempotent`: in a migration that runs without a transaction
//! (`-- squill:no-transaction`, or another tool's equivalent), a failure half-way leaves the
//! earlier statements applied, so every statement must succeed when the migration is re-run.

use sqlparser::ast::{self, AlterTableOperation};

use super::{Ctx, NO_TRANSACTION_NOT_IDEMPOTENT, Sink};

/// Objects whose CREATE takes `IF NOT EXISTS` (after the optional modifiers).
const IF_NOT_EXISTS_KINDS: &[&str] = &[
    "TABLE",
    "INDEX",
    "SCHEMA",
    "SEQUENCE",
    "EXTENSION",
    "MATERIALIZED",
];
/// Objects whose CREATE takes `OR REPLACE`.
const OR_REPLACE_KINDS: &[&str] = &[
    "VIEW",
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "RULE",
    "AGGREGATE",
];
const CREATE_MODIFIERS: &[&str] = &[
    "UNIQUE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "GLOBAL",
    "LOCAL",
    "RECURSIVE",
];

pub(super) fn check(ctx: &Ctx, sink: &mut Sink) {
    if !ctx.no_transaction {
        return;
    }
    let stmt = ctx.stmt;
    let mut report = |anchor: usize, what: String, help: String| {
        sink.hits.push(
            ctx.hit(NO_TRANSACTION_NOT_IDEMPOTENT, anchor, format!("{what} in a migration that runs without a transaction"))
                .label("fails when the migration is re-run after a partial failure")
                .note(
                    "this migration runs without a transaction (`-- squill:no-transaction`): if a later statement \
                     fails, the earlier ones stay applied, and running the migration again stops here",
                )
                .help(help),
        );
    };

    if stmt.is_kw(0, "CREATE") {
        if stmt.starts_with_at(1, &["OR", "REPLACE"]) {
            return;
        }
        let i = stmt.skip_kws(1, CREATE_MODIFIERS);
        let kind = IF_NOT_EXISTS_KINDS
            .iter()
            .chain(OR_REPLACE_KINDS)
            .find(|k| stmt.is_kw(i, k));
        let Some(&kind) = kind else {
            return;
        };
        if IF_NOT_EXISTS_KINDS.contains(&kind) {
            if stmt.find_seq(i, &["IF", "NOT", "EXISTS"]).is_some() {
                return;
            }
            let kind = if kind == "MATERIALIZED" {
                "MATERIALIZED VIEW"
            } else {
                kind
            };
            let help = if kind == "INDEX" {
                "write `CREATE INDEX CONCURRENTLY IF NOT EXISTS`; a failed concurrent build leaves an INVALID \
                 index behind, so drop it (`DROP INDEX CONCURRENTLY IF EXISTS`) before retrying"
                    .to_string()
            } else {
                format!("write `CREATE {kind} IF NOT EXISTS`")
            };
            report(
                stmt.start(),
                format!("`CREATE {kind}` without IF NOT EXISTS"),
                help,
            );
        } else {
            report(
                stmt.start(),
                format!("`CREATE {kind}` without OR REPLACE"),
                format!("write `CREATE OR REPLACE {kind}`"),
            );
        }
    } else if stmt.is_kw(0, "DROP") {
        if stmt.find_seq(1, &["IF", "EXISTS"]).is_none() {
            report(
                stmt.start(),
                "`DROP` without IF EXISTS".to_string(),
                "write `DROP ... IF EXISTS`".to_string(),
            );
        }
    } else if stmt.starts_with(&["ALTER", "TYPE"]) {
        if let Some(i) = stmt.find_seq(2, &["ADD", "VALUE"])
            && !stmt.starts_with_at(i + 2, &["IF", "NOT", "EXISTS"])
        {
            report(
                stmt.start(),
                "`ALTER TYPE ... ADD VALUE` without IF NOT EXISTS".to_string(),
                "write `ADD VALUE IF NOT EXISTS`".to_string(),
            );
        }
    } else if let Some(ast::Statement::AlterTable(alter)) = &stmt.ast {
        for op in &alter.operations {
            let (what, help) = match op {
                AlterTableOperation::AddColumn {
                    if_not_exists: false,
                    ..
                } => ("ADD COLUMN", "ADD COLUMN IF NOT EXISTS"),
                AlterTableOperation::DropColumn {
                    if_exists: false, ..
                } => ("DROP COLUMN", "DROP COLUMN IF EXISTS"),
                AlterTableOperation::DropConstraint {
                    if_exists: false, ..
                } => ("DROP CONSTRAINT", "DROP CONSTRAINT IF EXISTS"),
                _ => continue,
            };
            let exists = if what.starts_with("ADD") {
                "IF NOT EXISTS"
            } else {
                "IF EXISTS"
            };
            report(
                ctx.anchor(op),
                format!("`{what}` without {exists}"),
                format!("write `{help}`"),
            );
        }
    }
}
