//! `MigrateError`: every way a migration run can fail, rendered like a compiler error (file,
//! line, column, the source line with a caret, PostgreSQL's words, and what to do next).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use tokio_postgres::error::SqlState;

use super::problem::{self, Problem};

/// A place in a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The text of that line (for the caret display).
    pub source_line: String,
}

impl Location {
    /// The location of byte `offset` of `text`.
    pub(crate) fn at(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            source_line: text[line_start..line_end].to_string(),
        }
    }

    /// Byte offset of the 1-based character `position` PostgreSQL reports in errors.
    pub(crate) fn char_position_to_offset(text: &str, position: u32) -> usize {
        let index = (position as usize).saturating_sub(1);
        text.char_indices()
            .nth(index)
            .map_or(text.len(), |(offset, _)| offset)
    }

    /// ` --> file:line:col`, the line, and a caret under the column.
    pub(crate) fn render(&self, f: &mut fmt::Formatter<'_>, file: &str) -> fmt::Result {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs stay tabs under the caret so it lines up in any terminal.
        let pad: String = self
            .source_line
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "{gutter}--> {file}:{}:{}", self.line, self.column)?;
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {}", self.source_line)?;
        writeln!(f, "{gutter} | {pad}^")
    }
}

/// Why `squill::migrate` failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum MigrateError {
    /// The migrations folder (or a file in it) could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Misnamed or duplicate files, invalid files, edited/missing/out-of-order migrations.
    /// Detected before anything runs: nothing was applied.
    Problems(Vec<Problem>),
    /// The dedicated connection could not be opened.
    Connect(tokio_postgres::Error),
    /// The server did not finish the connection's startup (TCP, TLS, authentication) in time.
    ConnectTimeout(Duration),
    /// Another runner held the migration lock for longer than `lock_wait`.
    LockWait {
        waited: Duration,
        /// Who holds it, as `pg_stat_activity` describes them.
        holder: Option<String>,
    },
    /// A migration failed and was rolled back (or, without a transaction, stopped).
    Migration(Box<MigrationFailure>),
    /// One of squill's own statements (history table, lock) failed.
    Database {
        action: String,
        source: tokio_postgres::Error,
    },
    /// `repair` was asked to do something that does not apply.
    Repair { file: String, message: String },
    /// The schema differs from the snapshot the runner recorded after its last change (a
    /// change made outside the migrations); nothing was run. `allow_drift` runs anyway.
    Drift(Vec<super::snapshot::SchemaChange>),
    /// Seeding was refused: the database looks like production (the reason says why).
    SeedRefused(String),
    /// Seeds that ran before and changed since, without `-- squill:idempotent`: nothing ran.
    SeedsChanged(Vec<String>),
    /// A seed failed and was rolled back.
    Seed {
        file: String,
        location: Location,
        message: String,
        source: tokio_postgres::Error,
    },
}

/// A migration that failed, with everything needed to fix it.
#[derive(Debug)]
#[non_exhaustive]
pub struct MigrationFailure {
    pub file: String,
    pub version: u64,
    /// Where in the file, when known (PostgreSQL's error position, else the start of the
    /// statement that failed).
    pub location: Option<Location>,
    /// SQLSTATE, e.g. `42P01`.
    pub code: Option<String>,
    /// PostgreSQL's message (or the driver's, when the connection broke).
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// PostgreSQL's context (`PL/pgSQL function ... line 3 at RAISE`).
    pub context: Option<String>,
    /// False for `-- squill:no-transaction` files.
    pub transactional: bool,
    /// The down part failed (`down_to`), not the file itself.
    pub reverting: bool,
    /// Statements of a no-transaction file that were committed before the failure.
    pub committed_statements: usize,
    /// The failing statement was `... CONCURRENTLY`.
    pub concurrently: bool,
    /// The error came from COMMIT (a deferred constraint), not from a statement.
    pub at_commit: bool,
    /// How many times the migration (or statement) was tried.
    pub attempts: u32,
    pub lock_timeout: Duration,
    /// Files applied earlier in this run (they stay applied).
    pub applied_before: Vec<String>,
    pub source: tokio_postgres::Error,
}

impl MigrationFailure {
    /// `file:line:col`, or just the file.
    pub fn position(&self) -> String {
        match &self.location {
            Some(at) => format!("{}:{}:{}", self.file, at.line, at.column),
            None => self.file.clone(),
        }
    }

    fn help(&self) -> String {
        let code = self.code.as_deref().unwrap_or("");
        if code == "55P03" {
            return format!(
                "another session held a lock this migration needs for longer than lock_timeout \
                 ({}) on each of {} attempt(s); look for it in pg_locks / pg_stat_activity, run \
                 when traffic is lower, or raise --lock-timeout / retries",
                human(self.lock_timeout),
                self.attempts
            );
        }
        if code == "25001" && self.transactional {
            return format!(
                "this statement cannot run inside a transaction: put `{}` on the first line of \
                 the file (its statements then run one by one, each committed on its own)",
                super::source::NO_TRANSACTION
            );
        }
        // The server stopped or restarted, the session was terminated, the network failed:
        // nothing says the file is wrong.
        if self.source.is_closed() || code.starts_with("57P") || code.starts_with("08") {
            let rerun = if self.transactional {
                "it runs this file again from its start (its transaction was rolled back)"
            } else {
                "it runs this whole file again, so check that the statements committed before                  the failure are safe to repeat (IF NOT EXISTS) or undo them by hand first"
            };
            return format!(
                "the connection to PostgreSQL was lost while this file ran (the server stopped                  or restarted, the session was terminated, or the network failed); the file                  itself may be fine: check the server, then run `squill migrate` again; {rerun}"
            );
        }
        if self.reverting {
            return if self.transactional {
                "fix the down part and run `squill migrate down` again: it starts with this file, \
                 which is still recorded as applied"
                    .into()
            } else {
                "the file is still recorded as applied, with the statements of its down part \
                 before this one committed: undo or finish them by hand (or make the down part \
                 safe to repeat with IF EXISTS), fix it, and run `squill migrate down` again"
                    .into()
            };
        }
        if self.transactional {
            "fix the file and run `squill migrate` again: it starts with this file".into()
        } else if self.concurrently {
            "a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: drop it (DROP \
             INDEX CONCURRENTLY ...), fix the file, and run `squill migrate` again; it runs the \
             whole file again, so keep its statements safe to repeat (IF NOT EXISTS)"
                .into()
        } else {
            "fix the file and run `squill migrate` again; it runs the whole file again, so \
             keep its statements safe to repeat (IF NOT EXISTS), or undo the committed ones by \
             hand first"
                .into()
        }
    }
}

impl fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.reverting {
            "reverting"
        } else {
            "migration"
        };
        write!(f, "error: {what} {} failed: {}", self.file, self.message)?;
        if let Some(code) = &self.code {
            write!(f, " (SQLSTATE {code})")?;
        }
        writeln!(f)?;
        match &self.location {
            Some(at) => at.render(f, &self.file)?,
            None => writeln!(f, "  --> {}", self.file)?,
        }
        for (label, value) in [
            ("detail", &self.detail),
            ("hint", &self.hint),
            ("context", &self.context),
        ] {
            if let Some(value) = value {
                writeln!(f, "  = {label}: {value}")?;
            }
        }
        if self.at_commit {
            writeln!(
                f,
                "  = note: the error came at COMMIT (a deferred constraint)"
            )?;
        }
        if self.transactional && self.reverting {
            writeln!(
                f,
                "  = note: the down part ran in one transaction, which was rolled back: \
                 nothing was reverted"
            )?;
        } else if self.transactional {
            writeln!(
                f,
                "  = note: the file ran in one transaction, which was rolled back: nothing \
                 from it was applied"
            )?;
        } else {
            writeln!(
                f,
                "  = note: the file runs without a transaction (`{}`): the {} statement(s) \
                 before this one were committed",
                super::source::NO_TRANSACTION,
                self.committed_statements
            )?;
        }
        if !self.applied_before.is_empty() {
            writeln!(
                f,
                "  = note: {} before it in this run, and kept: {}",
                if self.reverting {
                    "reverted"
                } else {
                    "applied"
                },
                self.applied_before.join(", ")
            )?;
        }
        write!(f, "  = help: {}", self.help())
    }
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrateError::Io { path, source } => write!(
                f,
                "error: cannot read {}: {source}\n  = help: check the path (--dir) and its \
                 permissions",
                path.display()
            ),
            MigrateError::Problems(problems) => problem::render_list(f, problems),
            MigrateError::Connect(e) => write!(
                f,
                "error: cannot connect to PostgreSQL: {}\n  = help: check the database URL \
                 (host, port, user, password, dbname) and that the server accepts connections",
                describe(e)
            ),
            MigrateError::ConnectTimeout(deadline) => write!(
                f,
                "error: cannot connect to PostgreSQL: no answer within {} (connect, TLS and \
                 authentication)\n  = help: check that the host and port are PostgreSQL's; \
                 raise --connect-timeout if the server is slow to answer",
                human(*deadline)
            ),
            MigrateError::LockWait { waited, holder } => {
                write!(
                    f,
                    "error: gave up after {} waiting for the migration lock",
                    human(*waited)
                )?;
                match holder {
                    Some(holder) => write!(f, "\n  = note: it is held by {holder}")?,
                    None => write!(f, "\n  = note: it was released just as squill gave up")?,
                }
                write!(
                    f,
                    "\n  = help: another `squill migrate` is applying migrations to this \
                     database; wait for it and run again, raise the wait, or, if it is stuck, \
                     end it with pg_terminate_backend(<pid>)"
                )
            }
            MigrateError::Migration(failure) => failure.fmt(f),
            MigrateError::Database { action, source } => {
                write!(f, "error: {action} failed: {}", describe(source))?;
                let help = if source.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
                    "the role running migrations must be able to create and write the history \
                     table (or pass --schema / --table to put it where it can)"
                } else if source.is_closed() {
                    "the connection to PostgreSQL was lost; run again when it is back: each \
                     migration is recorded in the same transaction that applies it"
                } else {
                    return Ok(());
                };
                write!(f, "\n  = help: {help}")
            }
            MigrateError::Repair { file, message } => write!(f, "error: {file}: {message}"),
            MigrateError::Drift(changes) => {
                writeln!(
                    f,
                    "error: the database schema differs from what the migrations left in {} \
                     place{}; nothing was run",
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                )?;
                for change in changes.iter().take(30) {
                    writeln!(f, "  = drift: {change}")?;
                }
                if changes.len() > 30 {
                    writeln!(f, "  = note: and {} more", changes.len() - 30)?;
                }
                write!(
                    f,
                    "  = note: compared with the schema snapshot the runner recorded after its last \
                     change\n  = help: put the change in a migration, or undo it by hand; `squill \
                     drift` compares the database with its migrations applied to a fresh server; \
                     to run anyway (the snapshot then takes the schema as it is), pass \
                     --allow-drift (`Migrator::allow_drift(true)`)"
                )
            }
            MigrateError::SeedRefused(reason) => write!(
                f,
                "error: refusing to seed: {reason}\n  = note: seeds are for development \
                 databases; nothing was run\n  = help: to seed another development host, add it \
                 to `[seed] allow_hosts` in squill.toml"
            ),
            MigrateError::SeedsChanged(files) => write!(
                f,
                "error: seed{} changed since {} ran: {}\n  = note: nothing was run\n  = help: \
                 write a seed so that running it twice changes nothing (INSERT ... ON CONFLICT \
                 DO NOTHING, upserts) and put `{}` on its first line: it then runs again when it \
                 changes; or recreate the development database",
                if files.len() == 1 { "" } else { "s" },
                if files.len() == 1 { "it" } else { "they" },
                files.join(", "),
                super::seed::IDEMPOTENT
            ),
            MigrateError::Seed {
                file,
                location,
                message,
                source,
            } => {
                write!(f, "error: seed {file} failed: {message}")?;
                if let Some(code) = source.code() {
                    write!(f, " (SQLSTATE {})", code.code())?;
                }
                writeln!(f)?;
                location.render(f, file)?;
                write!(
                    f,
                    "  = note: the seed ran in one transaction, which was rolled back\n  = help: \
                     fix the seed and run `squill seed` again"
                )
            }
        }
    }
}

impl std::error::Error for MigrateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MigrateError::Io { source, .. } => Some(source),
            MigrateError::Connect(source)
            | MigrateError::Database { source, .. }
            | MigrateError::Seed { source, .. } => Some(source),
            MigrateError::Migration(failure) => Some(&failure.source),
            _ => None,
        }
    }
}

impl MigrateError {
    /// The problems found before running, if that is why the run failed.
    pub fn problems(&self) -> &[Problem] {
        match self {
            MigrateError::Problems(problems) => problems,
            _ => &[],
        }
    }

    /// The failed migration, if one failed.
    pub fn failure(&self) -> Option<&MigrationFailure> {
        match self {
            MigrateError::Migration(failure) => Some(failure),
            _ => None,
        }
    }

    pub(crate) fn database(action: impl Into<String>, source: tokio_postgres::Error) -> Self {
        MigrateError::Database {
            action: action.into(),
            source,
        }
    }
}

/// PostgreSQL's message when there is one, else the driver's with its causes.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `5s`, `250ms`, `2m 30s`.
pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if d.subsec_millis() != 0 && ms < 10_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else if d.as_secs() < 120 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}m {}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters() {
        let text = "SELECT 1;\nSELECT 'é', * FROM nope;\n";
        let offset = Location::char_position_to_offset(text, 30);
        let at = Location::at(text, offset);
        assert_eq!((at.line, at.column), (2, 20));
        assert_eq!(at.source_line, "SELECT 'é', * FROM nope;");
        assert_eq!(&text[offset..offset + 4], "nope");
        let end = Location::at(text, 10_000);
        assert_eq!(end.line, 3);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_secs(5)), "5s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human(Duration::from_secs(300)), "5m 0s");
    }
}
