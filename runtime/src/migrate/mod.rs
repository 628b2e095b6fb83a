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
mod source;
mod split;

use std::borrow::Cow;

pub use check::Pending;
pub use error::{Location, MigrateError, MigrationFailure};
pub use event::Event;
pub use folder::{load_dir, parse_file_name};
pub use history::HistoryEntry;
pub use problem::Problem;
pub use report::{Applied, Repair, Report, Status};
pub use runner::{APPLICATION_NAME, Migrator};
pub use sections::{RunnableText, runnable_text};
pub use source::{NO_TRANSACTION, checksum};
/// Connection settings (`"host=... dbname=..."` or `postgres://...` parse into one).
pub use tokio_postgres::Config;

/// One migration file.
///
/// Const-constructible ([`Migration::embedded`]) so generated code can keep them in a
/// `static`. `sql` is the file exactly as written; the runner normalizes it (BOM, CRLF) and
/// leaves out goose/dbmate down sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: u64,
    /// The name after the version: `init` for `0001_init.sql`.
    pub name: Cow<'static, str>,
    /// The file name, `0001_init.sql`.
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
        }
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
        }
    }
}
