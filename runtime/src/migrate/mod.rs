//! The migration runner.
//!
//! Migrations are the versioned files in `schema/` (`0001_init.sql`, `0002_orders.sql`, or
//! timestamp-prefixed `20240101120000_init.sql`), read with [`load_dir`] or embedded by
//! generated code with [`Migration::embedded`], and applied by a [`Migrator`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), squill::migrate::MigrateError> {
//! use squill::migrate::{Migrator, load_dir};
//! let config: squill::migrate::Config = "host=localhost user=app dbname=app".parse().unwrap();
//! let report = Migrator::new(load_dir("schema".as_ref())?).run(&config).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```
//!
//! * **One runner at a time.** A session advisory lock on the runner's own connection, taken
//!   by polling (see `lock`), so any number of processes can start at once: one applies, the
//!   others wait, re-read the history, and find nothing left to do.
//! * **All or nothing per file.** Each file and its history row commit in one transaction. A
//!   file starting with `-- squill:no-transaction` runs statement by statement instead (for
//!   `CREATE INDEX CONCURRENTLY`). A file with its own transaction control runs as written, as
//!   golang-migrate runs it: exactly `BEGIN; ...; COMMIT;` is one transaction (squill's, with
//!   the history row); anything else runs statement by statement and must commit what it
//!   begins (checked before anything runs).
//! * **Strict history.** An applied file that changed or disappeared, a new file older than
//!   the newest applied one, and a misnamed file are errors; [`Migrator::repair`] and
//!   [`Migrator::allow_out_of_order`] are the deliberate ways out.
//! * **Polite locking.** Each migration runs with `lock_timeout` (5 s by default) and is
//!   retried with backoff when it expires, rather than queueing every query behind it.
//! * **No drift.** After each change, the runner records the schema it left (from
//!   `pg_catalog`, in `<table>_schema`); a run or a revert on a database whose schema differs
//!   from that snapshot (an `ALTER` run by hand) is refused, listing the differences, unless
//!   [`Migrator::allow_drift`] (see `snapshot`).
//! * **Down parts, optional.** What follows a `-- squill:down` line, or a sibling
//!   `0002_orders.down.sql`, undoes the file; [`Migrator::down_to`] runs them newest first,
//!   each like an up file (one transaction with its history change, or statement by statement
//!   under `-- squill:no-transaction`). The checksum covers the up part only (see
//!   [`checksum`]), so writing or fixing a down part never makes an applied file "changed".
//!   A reverted file's history row is deleted (so `run` applies it again) and the revert is
//!   logged in `<table>_repairs`.

mod apply;
mod check;
mod error;
mod event;
mod folder;
mod history;
mod invalid_index;
mod lock;
mod problem;
mod report;
mod runner;
mod sections;
mod seed;
mod snapshot;
mod source;
mod split;

use std::borrow::Cow;

pub use check::Pending;
pub use error::{Location, MigrateError, MigrationFailure};
pub use event::Event;
pub use folder::{load_dir, parse_down_file_name, parse_file_name};
pub use history::HistoryEntry;
pub use problem::Problem;
pub use report::{Applied, DownReport, Repair, Report, Status};
pub use runner::{APPLICATION_NAME, Migrator};
pub use sections::{DOWN_MARKER, down_section};
pub use sections::{RunnableText, runnable_text};
pub use seed::{
    DEFAULT_ALLOW_HOSTS, ENV_VAR as SEED_ENV_VAR, IDEMPOTENT, Seed, SeedReport, Seeder, load_seeds,
};
pub use snapshot::SchemaChange;
pub use source::{NO_TRANSACTION, checksum, runs_in_one_transaction};
/// Connection settings (`"host=... dbname=..."` or `postgres://...` parse into one).
pub use tokio_postgres::Config;

/// One migration file.
///
/// Const-constructible ([`Migration::embedded`]) so generated code can keep them in a
/// `static`. `sql` is the file exactly as written; the runner normalizes it (BOM, CRLF) and
/// leaves out down sections (squill's `-- squill:down`, goose's, dbmate's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: u64,
    /// The name after the version: `init` for `0001_init.sql`.
    pub name: Cow<'static, str>,
    /// The file name, `0001_init.sql`.
    pub file: Cow<'static, str>,
    pub sql: Cow<'static, str>,
    /// A sibling down file (`0001_init.down.sql`). A `-- squill:down` section lives in `sql`.
    pub down: Option<DownFile>,
}

/// A migration's down part kept in a file of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownFile {
    /// `0001_init.down.sql`.
    pub file: Cow<'static, str>,
    pub sql: Cow<'static, str>,
}

impl Migration {
    /// A migration whose text is compiled into the binary.
    pub const fn embedded(
        version: u64,
        name: &'static str,
        file: &'static str,
        sql: &'static str,
    ) -> Self {
        Migration {
            version,
            name: Cow::Borrowed(name),
            file: Cow::Borrowed(file),
            sql: Cow::Borrowed(sql),
            down: None,
        }
    }

    /// An embedded migration with a sibling down file.
    pub const fn embedded_with_down(
        version: u64,
        name: &'static str,
        file: &'static str,
        sql: &'static str,
        down_file: &'static str,
        down_sql: &'static str,
    ) -> Self {
        Migration {
            version,
            name: Cow::Borrowed(name),
            file: Cow::Borrowed(file),
            sql: Cow::Borrowed(sql),
            down: Some(DownFile {
                file: Cow::Borrowed(down_file),
                sql: Cow::Borrowed(down_sql),
            }),
        }
    }

    /// Adds a sibling down file.
    pub fn with_down(
        mut self,
        file: impl Into<Cow<'static, str>>,
        sql: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.down = Some(DownFile {
            file: file.into(),
            sql: sql.into(),
        });
        self
    }

    /// Whether the migration has a down part (a section or a file).
    pub fn has_down(&self) -> bool {
        self.down.is_some() || sections::down_marker(&source::normalize(&self.sql)).is_some()
    }

    /// A migration read at run time.
    pub fn new(
        version: u64,
        name: impl Into<Cow<'static, str>>,
        file: impl Into<Cow<'static, str>>,
        sql: impl Into<Cow<'static, str>>,
    ) -> Self {
        Migration {
            version,
            name: name.into(),
            file: file.into(),
            sql: sql.into(),
            down: None,
        }
    }
}
