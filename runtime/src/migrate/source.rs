//! What a migration file means: normalized text, checksum, the part that runs, and how.
//!
//! Down sections of goose, dbmate and sql-migrate files are blanked out (see `sections`).

use sha2::{Digest, Sha256};

use super::Migration;
use super::problem::Problem;
use super::split::{self, Statement};

/// The directive that makes a file run outside a transaction.
pub const NO_TRANSACTION: &str = "-- squill:no-transaction";

/// `sha256:<hex>` of the normalized text (UTF-8 BOM stripped, CRLF turned into LF), so the
/// same file checked out on Windows and on Linux has the same checksum.
pub fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(normalize(sql).as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Strips a UTF-8 byte order mark and turns CRLF line ends into LF.
pub(crate) fn normalize(sql: &str) -> String {
    sql.strip_prefix('\u{feff}')
        .unwrap_or(sql)
        .replace("\r\n", "\n")
}

/// A migration read and checked, ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'a> {
    pub migration: &'a Migration,
    pub checksum: String,
    /// The normalized file text (for pointing at lines in errors).
    pub text: String,
    /// What is sent to PostgreSQL: `text` with down sections blanked out.
    pub runnable: String,
    /// Statements of `runnable`.
    pub statements: Vec<Statement>,
    /// False for `-- squill:no-transaction` files (and goose/dbmate equivalents).
    pub transactional: bool,
}

impl<'a> Prepared<'a> {
    /// Reads `migration` (never fails: see [`Prepared::check`] for what can be wrong).
    pub fn read(migration: &'a Migration) -> Self {
        let text = normalize(&migration.sql);
        let sections = super::sections::runnable_text(&text);
        let statements = split::split(&sections.runnable);
        Prepared {
            migration,
            checksum: checksum(&migration.sql),
            transactional: !(sections.no_transaction || has_directive(&text)),
            runnable: sections.runnable,
            statements,
            text,
        }
    }

    /// What would stop the file from running as intended. Only pending files are checked:
    /// an applied file never runs again.
    pub fn check(&self) -> Result<(), Problem> {
        self.check_directive_placement()?;
        self.check_transaction_control()
    }

    pub fn file(&self) -> &str {
        &self.migration.file
    }

    /// The directive only counts in the comment block before the first statement; further
    /// down it is almost certainly a mistake that would silently run the file in a transaction.
    fn check_directive_placement(&self) -> Result<(), Problem> {
        let first_token = split::first_token_offset(&self.text);
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            if offset > first_token && is_directive_line(line) {
                return Err(self.invalid(
                    offset,
                    format!("`{NO_TRANSACTION}` after the first statement has no effect"),
                    "move it to the first line of the file",
                ));
            }
            offset += line.len();
        }
        Ok(())
    }

    /// A `COMMIT` inside a file that squill wraps in a transaction would commit half the file
    /// and leave the history row outside it; refuse before running anything.
    fn check_transaction_control(&self) -> Result<(), Problem> {
        if !self.transactional {
            return self.check_transactions_closed();
        }
        for statement in &self.statements {
            if is_transaction_control(statement) {
                return Err(self.invalid(
                    statement.span.start,
                    format!(
                        "`{}` in a migration that squill runs in a transaction",
                        statement.leading_words.first().map_or("", String::as_str)
                    ),
                    format!(
                        "remove BEGIN/COMMIT: squill already runs each file in its own \
                         transaction, together with its history row; or, if the file must \
                         manage transactions itself, put `{NO_TRANSACTION}` on its first line"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A no-transaction file that opens a transaction must close it: an open one would
    /// swallow the history row and be rolled back when the connection closes.
    fn check_transactions_closed(&self) -> Result<(), Problem> {
        let mut open: Option<&Statement> = None;
        for statement in &self.statements {
            let first = statement.leading_words.first().map(String::as_str);
            match first {
                Some("BEGIN") => open = Some(statement),
                Some("START") if statement.starts_with(&["START", "TRANSACTION"]) => {
                    open = Some(statement)
                }
                Some("COMMIT" | "END" | "ABORT") => open = None,
                Some("ROLLBACK") if !statement.starts_with(&["ROLLBACK", "TO"]) => open = None,
                _ => {}
            }
        }
        match open {
            Some(statement) => Err(self.invalid(
                statement.span.start,
                "this transaction is never committed".into(),
                "end it with COMMIT before the end of the file",
            )),
            None => Ok(()),
        }
    }

    fn invalid(&self, offset: usize, message: String, help: impl Into<String>) -> Problem {
        let at = super::error::Location::at(&self.text, offset);
        Problem::Invalid {
            file: self.migration.file.to_string(),
            location: at,
            message,
            help: help.into(),
        }
    }

    /// `CREATE INDEX CONCURRENTLY` and friends: statements that wait for other transactions
    /// by design.
    pub fn is_concurrently(statement: &Statement) -> bool {
        let concurrent_kind = statement.starts_with(&["CREATE"])
            || statement.starts_with(&["DROP"])
            || statement.starts_with(&["REINDEX"]);
        concurrent_kind && statement.leading_words.iter().any(|w| w == "CONCURRENTLY")
    }
}

fn is_directive_line(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case(NO_TRANSACTION)
}

/// `-- squill:no-transaction` in the leading comment block.
fn has_directive(text: &str) -> bool {
    let header = &text[..split::first_token_offset(text)];
    header.lines().any(is_directive_line)
}

fn is_transaction_control(statement: &Statement) -> bool {
    let w = &statement.leading_words;
    match w.first().map(String::as_str) {
        Some("BEGIN" | "COMMIT" | "END" | "ABORT") => true,
        Some("START") => w.get(1).is_some_and(|w| w == "TRANSACTION"),
        Some("PREPARE") => w.get(1).is_some_and(|w| w == "TRANSACTION"),
        // ROLLBACK TO SAVEPOINT stays inside the transaction and is fine.
        Some("ROLLBACK") => w.get(1).map(String::as_str) != Some("TO"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare(sql: &'static str) -> Result<Prepared<'static>, Problem> {
        let migration = Box::leak(Box::new(Migration::embedded(1, "t", "0001_t.sql", sql)));
        let prepared = Prepared::read(migration);
        prepared.check().map(|()| prepared)
    }

    #[test]
    fn checksum_ignores_bom_and_line_endings() {
        let lf = "CREATE TABLE a (id int);\nSELECT 1;\n";
        let crlf_bom = "\u{feff}CREATE TABLE a (id int);\r\nSELECT 1;\r\n";
        assert_eq!(checksum(lf), checksum(crlf_bom));
        assert_ne!(checksum(lf), checksum("CREATE TABLE a (id int);\n"));
        assert!(checksum(lf).starts_with("sha256:"));
        assert_eq!(checksum(lf).len(), 7 + 64);
    }

    #[test]
    fn down_sections_are_blanked_keeping_line_numbers() {
        let goose = "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n";
        let p = prepare(goose).unwrap();
        assert_eq!(p.runnable.len(), goose.len());
        assert_eq!(
            p.runnable.trim_end(),
            "-- +goose Up\nCREATE TABLE a (id int);"
        );
        assert!(p.transactional);

        let dbmate = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\n\n\
                      -- migrate:down\nDROP INDEX i;\n";
        let p = prepare(dbmate).unwrap();
        assert!(!p.runnable.contains("DROP"));
        assert!(!p.transactional);
        assert_eq!(
            p.runnable.matches('\n').count(),
            dbmate.matches('\n').count()
        );
    }

    #[test]
    fn directive_must_lead_the_file() {
        assert!(
            !prepare("-- squill:no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);")
                .unwrap()
                .transactional
        );
        assert!(
            !prepare("-- about this file\n-- SQUILL:NO-TRANSACTION\nVACUUM a;")
                .unwrap()
                .transactional
        );
        let err = prepare("SELECT 1;\n-- squill:no-transaction\nVACUUM a;").unwrap_err();
        assert!(err.to_string().contains("0001_t.sql:2:1"), "{err}");
    }

    #[test]
    fn transaction_control_is_refused_in_transactional_files() {
        let err = prepare("BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n").unwrap_err();
        assert!(err.to_string().contains("0001_t.sql:1:1"), "{err}");
        assert!(prepare("SAVEPOINT s; SELECT 1; ROLLBACK TO SAVEPOINT s;").is_ok());
        assert!(prepare("-- squill:no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;").is_ok());
        let err = prepare("-- squill:no-transaction\nSELECT 1;\nBEGIN;\nSELECT 1;").unwrap_err();
        assert!(err.to_string().contains("0001_t.sql:3:1"), "{err}");
        let body = "CREATE FUNCTION f() RETURNS void AS $$ BEGIN END $$ LANGUAGE plpgsql;";
        assert!(prepare(body).is_ok());
    }
}
