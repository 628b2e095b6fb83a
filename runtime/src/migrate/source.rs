//! What a migration file means: normalized text, checksum, the part that runs, and how.
//!
//! Down sections of goose, dbmate and sql-migrate files are blanked out (see `sections`); a
//! squill down part (a `-- squill:down` section or a sibling `.down.sql` file) is read by
//! [`Prepared::read_down`] and runs only when reverting.

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::Migration;
use super::problem::Problem;
use super::split::{self, Statement};

/// The directive that makes a file run outside a transaction.
pub const NO_TRANSACTION: &str = "-- squill:no-transaction";

/// `sha256:<hex>` of the file's up part, normalized (UTF-8 BOM stripped, CRLF turned into LF),
/// so the same file checked out on Windows and on Linux has the same checksum.
///
/// The up part is the normalized text before a `-- squill:down` line (the whole file without
/// one). The down part is not covered, nor is a sibling `.down.sql` file: adding or fixing a
/// down part after the file was applied does not make the runner think the file changed, as
/// long as the up part's bytes stay the same (including the line break that ends its last
/// line). Goose/dbmate down sections stay covered, as before squill had down parts.
pub fn checksum(sql: &str) -> String {
    let text = normalize(sql);
    let up = match super::sections::down_marker(&text) {
        Some(marker) => &text[..marker.start],
        None => &text,
    };
    let digest = Sha256::digest(up.as_bytes());
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

/// Which part of a migration a [`Prepared`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Up,
    Down,
}

/// Whether the runner runs `sql` (a migration file's text) as one transaction: false for
/// `-- squill:no-transaction` files and for files with transaction control of their own other
/// than exactly `BEGIN; ...; COMMIT;`, which run statement by statement.
pub fn runs_in_one_transaction(sql: &str) -> bool {
    let migration = Migration::new(0, "", "", sql.to_string());
    Prepared::read(&migration).transactional
}

/// A migration read and checked, ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'a> {
    pub migration: &'a Migration,
    pub direction: Direction,
    /// The file the text comes from: the migration's, or its `.down.sql` file.
    pub shown_file: String,
    /// Checksum of the migration's up part (what the history records).
    pub checksum: String,
    /// The normalized text of the part (the other part blanked, so lines are the file's).
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
    ///
    /// A file with its own transaction control (golang-migrate files often have one) runs as
    /// written: one that is exactly `BEGIN; ...; COMMIT;` is that one transaction, which squill
    /// runs as its own, history row included (the two statements are blanked, as they would
    /// open and close the same transaction); any other is run statement by statement, as a
    /// `-- squill:no-transaction` file, and must close what it opens.
    pub fn read(migration: &'a Migration) -> Self {
        let full = normalize(&migration.sql);
        let sections = super::sections::runnable_text(&full);
        // The up part: a squill down section blanked (goose/dbmate ones stay in `text`).
        let text = match super::sections::down_marker(&full) {
            Some(marker) => {
                let mut text = full[..marker.start].to_string();
                text.push_str(&super::sections::blanked(&full[marker.start..]));
                text
            }
            None => full,
        };
        let no_transaction = sections.no_transaction || has_directive(&text);
        Self::from_part(
            migration,
            Direction::Up,
            migration.file.to_string(),
            text,
            sections.runnable,
            no_transaction,
        )
    }

    /// The down part of `migration`: its `-- squill:down` section or its `.down.sql` file;
    /// `Ok(None)` without one. Both at once is a problem (which one would run?).
    pub fn read_down(migration: &'a Migration) -> Result<Option<Self>, Problem> {
        let full = normalize(&migration.sql);
        let section = super::sections::down_section(&full);
        let (shown_file, text) = match (section, &migration.down) {
            (None, None) => return Ok(None),
            (Some(_), Some(down)) => return Err(two_down_parts(migration, &full, &down.file)),
            (Some(text), None) => (migration.file.to_string(), text),
            (None, Some(down)) => (down.file.to_string(), normalize(&down.sql)),
        };
        let no_transaction = has_directive(&text);
        Ok(Some(Self::from_part(
            migration,
            Direction::Down,
            shown_file,
            text.clone(),
            text,
            no_transaction,
        )))
    }

    fn from_part(
        migration: &'a Migration,
        direction: Direction,
        shown_file: String,
        text: String,
        runnable: String,
        no_transaction: bool,
    ) -> Self {
        let mut runnable = runnable;
        let mut statements = split::split(&runnable);
        let mut transactional = !no_transaction;
        if transactional && statements.iter().any(is_transaction_control) {
            match single_transaction(&statements) {
                Some((begin, commit)) => {
                    for span in [&commit.span, &begin.span] {
                        let end = span.end + semicolon_after(&runnable, span.end);
                        blank(&mut runnable, span.start..end);
                    }
                    statements.retain(|s| s != &begin && s != &commit);
                }
                None => transactional = false,
            }
        }
        Prepared {
            migration,
            direction,
            shown_file,
            checksum: checksum(&migration.sql),
            transactional,
            runnable,
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

    /// The file the part comes from, for messages.
    pub fn file(&self) -> &str {
        &self.shown_file
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

    /// A file that manages its own transactions must close them (a file squill runs in its
    /// transaction has no transaction control left: see [`Prepared::read`]).
    fn check_transaction_control(&self) -> Result<(), Problem> {
        if self.transactional {
            return Ok(());
        }
        self.check_transactions_closed()
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
            file: self.shown_file.clone(),
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

/// A `-- squill:down` section and a `.down.sql` file for one migration.
pub(crate) fn two_down_parts(migration: &Migration, text: &str, down_file: &str) -> Problem {
    let offset = super::sections::down_marker(text).map_or(0, |m| m.start);
    Problem::Invalid {
        file: migration.file.to_string(),
        location: super::error::Location::at(text, offset),
        message: format!(
            "{} has a down section and a down file, {down_file}",
            migration.file
        ),
        help: format!(
            "keep one down part: move this section into {down_file}, or delete {down_file}"
        ),
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

/// The plain `BEGIN` (or `START TRANSACTION`) first and `COMMIT` (or `END`) last, with no
/// other transaction control between: the file is one transaction. Not with options
/// (`BEGIN ISOLATION LEVEL ...`, `COMMIT AND CHAIN`), which squill's own would drop.
fn single_transaction(statements: &[Statement]) -> Option<(Statement, Statement)> {
    let (first, rest) = statements.split_first()?;
    let (last, middle) = rest.split_last()?;
    let plain =
        |s: &Statement, forms: &[&[&str]]| forms.iter().any(|f| s.leading_words.as_slice() == *f);
    let opens = plain(
        first,
        &[
            &["BEGIN"],
            &["BEGIN", "TRANSACTION"],
            &["BEGIN", "WORK"],
            &["START", "TRANSACTION"],
        ],
    );
    let closes = plain(
        last,
        &[
            &["COMMIT"],
            &["COMMIT", "TRANSACTION"],
            &["COMMIT", "WORK"],
            &["END"],
            &["END", "TRANSACTION"],
            &["END", "WORK"],
        ],
    );
    (opens && closes && !middle.iter().any(is_transaction_control))
        .then(|| (first.clone(), last.clone()))
}

/// The length of `;` (and the whitespace before it) right after `end`, if there is one.
fn semicolon_after(text: &str, end: usize) -> usize {
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start().len();
    if rest[gap..].starts_with(';') {
        gap + 1
    } else {
        0
    }
}

/// Replaces `range` of `text` with spaces, line breaks kept (offsets stay offsets in the file).
fn blank(text: &mut String, range: Range<usize>) {
    let blanked = super::sections::blanked(&text[range.clone()]);
    text.replace_range(range, &blanked);
}

#[cfg(test)]
mod tests {
    use super::super::error::Location;
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
    fn checksum_covers_the_up_part_only() {
        let up = "CREATE TABLE a (id int);\n";
        let with_down = "CREATE TABLE a (id int);\n-- squill:down\nDROP TABLE a;\n";
        assert_eq!(checksum(up), checksum(with_down));
        assert_eq!(
            checksum(with_down),
            checksum("CREATE TABLE a (id int);\r\n-- squill:down\r\nDROP TABLE b;\n")
        );
        assert_ne!(
            checksum(up),
            checksum("CREATE TABLE a (id bigint);\n-- squill:down\n")
        );
    }

    #[test]
    fn down_parts_keep_the_file_lines() {
        let sql =
            "CREATE TABLE a (id int);\n-- squill:down\n-- squill:no-transaction\nDROP TABLE a;\n";
        let migration = Box::leak(Box::new(Migration::embedded(1, "t", "0001_t.sql", sql)));
        let up = Prepared::read(migration);
        assert!(up.transactional && up.check().is_ok());
        assert_eq!(up.statements.len(), 1);
        let down = Prepared::read_down(migration).unwrap().unwrap();
        assert_eq!(down.direction, Direction::Down);
        assert!(!down.transactional);
        assert_eq!(down.statements.len(), 1);
        assert_eq!(
            &down.runnable[down.statements[0].span.clone()],
            "DROP TABLE a"
        );
        assert_eq!(
            Location::at(&down.runnable, down.statements[0].span.start).line,
            4
        );

        let file = Box::leak(Box::new(
            Migration::new(2, "u", "0002_u.sql", "SELECT 1;\n")
                .with_down("0002_u.down.sql", "SELECT 2;"),
        ));
        let down = Prepared::read_down(file).unwrap().unwrap();
        assert_eq!(down.file(), "0002_u.down.sql");
        assert!(down.transactional);
        assert!(
            Prepared::read_down(Box::leak(Box::new(Migration::new(
                3,
                "v",
                "0003_v.sql",
                "SELECT 1;"
            ))))
            .unwrap()
            .is_none()
        );

        let both = Box::leak(Box::new(
            Migration::new(
                4,
                "w",
                "0004_w.sql",
                "SELECT 1;\n-- squill:down\nSELECT 2;\n",
            )
            .with_down("0004_w.down.sql", "SELECT 3;"),
        ));
        let err = Prepared::read_down(both).unwrap_err().to_string();
        assert!(
            err.contains("0004_w.sql:2:1") && err.contains("0004_w.down.sql"),
            "{err}"
        );
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
    fn files_with_their_own_transactions_run_as_written() {
        // One transaction: squill's own, the file's BEGIN and COMMIT blanked.
        let one = "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n";
        let p = prepare(one).unwrap();
        assert!(p.transactional);
        assert_eq!(p.runnable, "      \nCREATE TABLE a (id int);\n       \n");
        assert_eq!(p.statements.len(), 1);
        // With options, or with more than one: as written, outside squill's transaction.
        for file in [
            "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;\n",
            "BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n",
            "SET lock_timeout = '1s';\nBEGIN;\nSELECT 1;\nCOMMIT;\n",
        ] {
            let p = prepare(file).unwrap();
            assert!(!p.transactional, "{file}");
            assert_eq!(p.runnable, file);
        }
        // A transaction left open would swallow the history row: refused before running.
        let err = prepare("CREATE TABLE a (id int);\nBEGIN;\nSELECT 1;\n").unwrap_err();
        assert!(err.to_string().contains("0001_t.sql:2:1"), "{err}");
        assert!(err.to_string().contains("never committed"), "{err}");
    }

    #[test]
    fn transaction_control_in_no_transaction_files() {
        assert!(
            prepare("SAVEPOINT s; SELECT 1; ROLLBACK TO SAVEPOINT s;")
                .unwrap()
                .transactional
        );
        assert!(prepare("-- squill:no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;").is_ok());
        let err = prepare("-- squill:no-transaction\nSELECT 1;\nBEGIN;\nSELECT 1;").unwrap_err();
        assert!(err.to_string().contains("0001_t.sql:3:1"), "{err}");
        let body = "CREATE FUNCTION f() RETURNS void AS $$ BEGIN END $$ LANGUAGE plpgsql;";
        assert!(prepare(body).is_ok());
    }
}
