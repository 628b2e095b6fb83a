//! Which statements take a lock on an existing table, read from the tokens so that it also
//! works on statements sqlparser cannot parse.

use sqlparser::tokenizer::Token;

use super::Ctx;
use crate::lint::statement::Statement;

/// A lock a statement takes: the statement kind (for messages) and the table, when known.
pub(super) struct Lock {
    pub statement: &'static str,
    pub table: Option<String>,
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ... ON [ONLY] table`: the table key and whether the
/// build is concurrent.
pub(super) fn create_index(stmt: &Statement) -> Option<(String, bool)> {
    if !stmt.is_kw(0, "CREATE") {
        return None;
    }
    let i = stmt.skip_kws(1, &["UNIQUE"]);
    if !stmt.is_kw(i, "INDEX") {
        return None;
    }
    let concurrently = stmt.is_kw(i + 1, "CONCURRENTLY");
    let on = stmt.find_seq(i + 1, &["ON"])?;
    let (table, _) = stmt.object_name_at(stmt.skip_kws(on + 1, &["ONLY"]))?;
    Some((table, concurrently))
}

/// The first existing table the statement locks, if any.
pub(super) fn taken(ctx: &Ctx) -> Option<Lock> {
    let stmt = ctx.stmt;
    let existing = |table: String| ctx.is_existing(&table).then_some(table);
    let lock = |statement, table| {
        Some(Lock {
            statement,
            table: Some(table),
        })
    };

    if stmt.starts_with(&["ALTER", "TABLE"]) {
        let i = if stmt.starts_with_at(2, &["IF", "EXISTS"]) {
            4
        } else {
            2
        };
        let (table, _) = stmt.object_name_at(stmt.skip_kws(i, &["ONLY"]))?;
        return lock("ALTER TABLE", existing(table)?);
    }
    if let Some((table, concurrently)) = create_index(stmt) {
        return if concurrently {
            None
        } else {
            lock("CREATE INDEX", existing(table)?)
        };
    }
    if stmt.starts_with(&["DROP", "TABLE"]) {
        let mut i = if stmt.starts_with_at(2, &["IF", "EXISTS"]) {
            4
        } else {
            2
        };
        while let Some((table, next)) = stmt.object_name_at(i) {
            if ctx.is_existing(&table) {
                return lock("DROP TABLE", table);
            }
            if !matches!(stmt.tokens.get(next).map(|t| &t.token), Some(Token::Comma)) {
                break;
            }
            i = next + 1;
        }
        return None;
    }
    if stmt.is_kw(0, "TRUNCATE") {
        let (table, _) = stmt.object_name_at(stmt.skip_kws(1, &["TABLE", "ONLY"]))?;
        return lock("TRUNCATE", existing(table)?);
    }
    if stmt.starts_with(&["DROP", "INDEX"]) && !stmt.is_kw(2, "CONCURRENTLY") {
        return Some(Lock {
            statement: "DROP INDEX",
            table: None,
        });
    }
    let trigger = stmt.skip_kws(1, &["OR", "REPLACE", "CONSTRAINT"]);
    if stmt.is_kw(0, "CREATE") && stmt.is_kw(trigger, "TRIGGER") {
        let on = stmt.find_seq(trigger, &["ON"])?;
        let (table, _) = stmt.object_name_at(on + 1)?;
        return lock("CREATE TRIGGER", existing(table)?);
    }
    None
}

/// `SET [SESSION | LOCAL] lock_timeout ...`
pub(super) fn sets_lock_timeout(stmt: &Statement) -> bool {
    stmt.is_kw(0, "SET") && stmt.is_kw(stmt.skip_kws(1, &["SESSION", "LOCAL"]), "lock_timeout")
}
