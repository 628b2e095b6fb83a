//! The lint rules: their ids (the ones squawk users know), and what each statement is checked
//! against. Each module holds one family of rules; this one dispatches.

mod columns;
mod constraints;
pub(crate) mod coverage;
mod drops;
mod index;
mod locks;
mod no_transaction;
pub(crate) mod renames;
pub(crate) mod tenant;
mod timeout;

use std::ops::Range;

use sqlparser::ast::{self, Spanned};

use super::catalog::{Catalog, FileState};
use super::statement::Statement;

pub const REQUIRE_CONCURRENT_INDEX_CREATION: &str = "require-concurrent-index-creation";
pub const ADDING_REQUIRED_FIELD: &str = "adding-required-field";
pub const ADDING_NOT_NULLABLE_FIELD: &str = "adding-not-nullable-field";
pub const CHANGING_COLUMN_TYPE: &str = "changing-column-type";
pub const ADDING_FOREIGN_KEY_CONSTRAINT: &str = "adding-foreign-key-constraint";
pub const CONSTRAINT_MISSING_NOT_VALID: &str = "constraint-missing-not-valid";
pub const BAN_DROP_COLUMN: &str = "ban-drop-column";
pub const BAN_DROP_TABLE: &str = "ban-drop-table";
pub const RENAMING_COLUMN: &str = "renaming-column";
pub const RENAMING_TABLE: &str = "renaming-table";
pub const DISALLOWED_UNIQUE_CONSTRAINT: &str = "disallowed-unique-constraint";
pub const ADDING_SERIAL_PRIMARY_KEY_FIELD: &str = "adding-serial-primary-key-field";
pub const REQUIRE_TIMEOUT_SETTINGS: &str = "require-timeout-settings";
pub const NO_TRANSACTION_NOT_IDEMPOTENT: &str = "no-transaction-not-idempotent";
pub const FOREIGN_KEY_WITHOUT_INDEX: &str = "foreign-key-without-index";
pub const TENANT_COLUMN_NOT_INDEXED: &str = "tenant-column-not-indexed";
/// With `[tenant]`: a tenant table without row-level security while others have it.
pub const TENANT_TABLE_WITHOUT_ROW_LEVEL_SECURITY: &str = "tenant-table-without-row-level-security";
/// Not a migration rule: a `squill:lint-ignore` directive that cannot work.
pub const INVALID_LINT_IGNORE: &str = "invalid-lint-ignore";

/// A rule's stable id and a one-line description.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub summary: &'static str,
}

/// Every rule `squill lint` knows, in the order they are documented.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: REQUIRE_CONCURRENT_INDEX_CREATION,
        summary: "CREATE INDEX without CONCURRENTLY on an existing table blocks writes while it builds",
    },
    RuleInfo {
        id: ADDING_REQUIRED_FIELD,
        summary: "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows",
    },
    RuleInfo {
        id: ADDING_NOT_NULLABLE_FIELD,
        summary: "ALTER COLUMN ... SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
    },
    RuleInfo {
        id: CHANGING_COLUMN_TYPE,
        summary: "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
    },
    RuleInfo {
        id: ADDING_FOREIGN_KEY_CONSTRAINT,
        summary: "a foreign key added without NOT VALID checks every row while blocking writes",
    },
    RuleInfo {
        id: CONSTRAINT_MISSING_NOT_VALID,
        summary: "a CHECK added without NOT VALID (or validated in the same transaction) scans the table under lock",
    },
    RuleInfo {
        id: BAN_DROP_COLUMN,
        summary: "dropping a column breaks running code that still uses it",
    },
    RuleInfo {
        id: BAN_DROP_TABLE,
        summary: "dropping a table loses its data and breaks running code",
    },
    RuleInfo {
        id: RENAMING_COLUMN,
        summary: "renaming a column that queries in queries/ still use",
    },
    RuleInfo {
        id: RENAMING_TABLE,
        summary: "renaming a table that queries in queries/ still use",
    },
    RuleInfo {
        id: DISALLOWED_UNIQUE_CONSTRAINT,
        summary: "ADD UNIQUE without USING INDEX builds the index under an ACCESS EXCLUSIVE lock",
    },
    RuleInfo {
        id: ADDING_SERIAL_PRIMARY_KEY_FIELD,
        summary: "ADD PRIMARY KEY without USING INDEX builds the index under an ACCESS EXCLUSIVE lock",
    },
    RuleInfo {
        id: REQUIRE_TIMEOUT_SETTINGS,
        summary: "locking an existing table without SET lock_timeout first can queue every query behind it",
    },
    RuleInfo {
        id: NO_TRANSACTION_NOT_IDEMPOTENT,
        summary: "a statement in a no-transaction migration that fails when the migration is re-run",
    },
    RuleInfo {
        id: FOREIGN_KEY_WITHOUT_INDEX,
        summary: "a foreign key whose columns lead no index: deleting a referenced row scans the referencing table",
    },
    RuleInfo {
        id: TENANT_COLUMN_NOT_INDEXED,
        summary: "with [tenant] configured, a tenant table whose tenant column leads no index",
    },
    RuleInfo {
        id: TENANT_TABLE_WITHOUT_ROW_LEVEL_SECURITY,
        summary: "with [tenant]: a tenant table without row-level security while other tenant tables have it",
    },
    RuleInfo {
        id: INVALID_LINT_IGNORE,
        summary: "a squill:lint-ignore directive that names an unknown rule or applies to nothing",
    },
];

pub(crate) fn ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}

pub(crate) fn is_known(id: &str) -> bool {
    ids().any(|known| known == id)
}

/// The `&'static` id for a known rule name.
pub(crate) fn static_id(id: &str) -> Option<&'static str> {
    ids().find(|known| *known == id)
}

/// One problem a rule found, before suppression and rendering.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub rule: &'static str,
    /// What to underline (file byte offsets).
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub notes: Vec<String>,
    pub help: String,
}

impl Hit {
    fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }
}

/// What a rule sees: the statement, the file it is in, and the tables so far.
pub(crate) struct Ctx<'a> {
    /// The file's runnable text (see `migration`), which the statement's offsets point into.
    pub text: &'a str,
    pub stmt: &'a Statement,
    pub catalog: &'a Catalog,
    pub file: &'a FileState,
    /// The migration runs without a transaction (`-- squill:no-transaction`).
    pub no_transaction: bool,
}

impl Ctx<'_> {
    /// An existing table: not created earlier in this same file.
    fn is_existing(&self, key: &str) -> bool {
        self.file.is_existing(key)
    }

    /// A finding underlining the line of the statement that holds `anchor`.
    fn hit(&self, rule: &'static str, anchor: usize, message: impl Into<String>) -> Hit {
        Hit {
            rule,
            span: self.stmt.line_span(anchor),
            message: message.into(),
            label: String::new(),
            notes: Vec::new(),
            help: String::new(),
        }
    }

    /// File offset where an AST node starts, or the statement start when sqlparser did not
    /// record a position for it.
    fn anchor(&self, node: &impl Spanned) -> usize {
        self.stmt
            .offset_of(self.text, node.span().start)
            .unwrap_or_else(|| self.stmt.start())
    }
}

/// Per-file memory of the rules that look across statements.
#[derive(Debug, Default)]
pub(crate) struct FileRules {
    timeout: timeout::State,
    constraints: constraints::State,
}

/// Where the rules put what they find. Renames are decided only once every migration and
/// query has been read, so they wait in `renames`.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub hits: Vec<Hit>,
    pub renames: Vec<renames::Pending>,
}

/// Runs every rule on one statement.
pub(crate) fn check(ctx: &Ctx, state: &mut FileRules, sink: &mut Sink) {
    index::check(ctx, sink);
    columns::check(ctx, sink);
    constraints::check(ctx, &mut state.constraints, sink);
    drops::check(ctx, sink);
    renames::check(ctx, sink);
    timeout::check(ctx, &mut state.timeout, sink);
    no_transaction::check(ctx, sink);
}

/// The `ALTER TABLE` of a statement, with the table's catalog key, when the table existed
/// before this file: most rules only care about those.
fn alter_existing<'a>(ctx: &Ctx<'a>) -> Option<(&'a ast::AlterTable, String)> {
    let Some(ast::Statement::AlterTable(at)) = &ctx.stmt.ast else {
        return None;
    };
    let key = super::catalog::table_key(&at.name);
    ctx.is_existing(&key).then_some((at, key))
}
