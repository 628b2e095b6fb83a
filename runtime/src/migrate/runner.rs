//! `Migrator`: the builder, and `run` / `status` / `repair` on a dedicated connection.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::time::Duration;

use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls, Socket};

use super::Migration;
use super::apply::{self, Settings};
use super::check;
use super::error::MigrateError;
use super::event::{Event, Listener};
use super::folder::parse_file_name;
use super::history::{HistoryEntry, HistoryTable};
use super::invalid_index;
use super::lock::{self, MigrationLock};
use super::problem::Problem;
use super::report::{Applied, DownReport, Repair, Report, Status};
use super::snapshot::Drift;
use super::source::{Prepared, checksum};

/// `application_name` of the runner's connection, so it is easy to spot in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "squill-migrate";
/// Deadline for connecting and the startup handshake (TLS, authentication) by default: a server
/// that accepts and never answers is an error, not a hang.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Applies migrations. Build it with [`Migrator::new`], adjust it, then [`run`](Self::run).
#[derive(Clone)]
pub struct Migrator {
    migrations: Cow<'static, [Migration]>,
    schema: String,
    table: String,
    lock_timeout: Duration,
    connect_timeout: Duration,
    lock_wait: Duration,
    retries: u32,
    allow_out_of_order: bool,
    allow_drift: bool,
    listener: Option<Listener>,
}

impl fmt::Debug for Migrator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Migrator")
            .field("migrations", &self.migrations.len())
            .field("schema", &self.schema)
            .field("table", &self.table)
            .field("lock_timeout", &self.lock_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("lock_wait", &self.lock_wait)
            .field("retries", &self.retries)
            .field("allow_out_of_order", &self.allow_out_of_order)
            .field("allow_drift", &self.allow_drift)
            .finish_non_exhaustive()
    }
}

impl Migrator {
    /// A runner for `migrations`: a `Vec` from [`load_dir`](super::load_dir), or the
    /// `&'static [Migration]` generated code embeds. Order does not matter.
    pub fn new(migrations: impl Into<Cow<'static, [Migration]>>) -> Self {
        Migrator {
            migrations: migrations.into(),
            schema: "public".into(),
            table: "squill_migrations".into(),
            lock_timeout: Duration::from_secs(5),
            connect_timeout: CONNECT_TIMEOUT,
            lock_wait: Duration::from_secs(300),
            retries: 3,
            allow_out_of_order: false,
            allow_drift: false,
            listener: None,
        }
    }

    /// Schema of the history table (created if missing). Default `public`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// Name of the history table; the repair log is `<table>_repairs`. Default
    /// `squill_migrations`.
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// `lock_timeout` for each migration (default 5 s): a migration that waits longer for a
    /// table lock gives up instead of stalling every query queued behind it. Zero disables it.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Deadline for opening the connection: TCP connect, TLS and authentication together
    /// (default 10 s). A server that accepts and never answers fails the run after it.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for another runner to finish (default 5 min).
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// How many times to try a migration again after a `lock_timeout` (default 3), with a
    /// backoff from 100 ms doubling up to 5 s.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Apply pending migrations older than the newest applied one instead of refusing.
    pub fn allow_out_of_order(mut self, allow: bool) -> Self {
        self.allow_out_of_order = allow;
        self
    }

    /// Run (or revert) even when the schema differs from the snapshot the runner recorded
    /// after its last change; the snapshot taken after the run then records the schema as it
    /// is. Off by default: a drifted database is refused, the differences listed.
    pub fn allow_drift(mut self, allow: bool) -> Self {
        self.allow_drift = allow;
        self
    }

    /// Calls `listener` as the run progresses (waiting for the lock, applying, retrying).
    pub fn on_event(mut self, listener: impl Fn(Event<'_>) + Send + Sync + 'static) -> Self {
        self.listener = Some(std::sync::Arc::new(listener));
        self
    }

    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Applies every pending migration, each in its own transaction with its history row.
    ///
    /// Opens its own connection from `config` (never one from the application's pool: the
    /// advisory lock belongs to the session) and closes it before returning, on every path.
    pub async fn run(&self, config: &Config) -> Result<Report, MigrateError> {
        self.run_with_tls(config, NoTls).await
    }

    /// [`run`](Self::run) over TLS.
    pub async fn run_with_tls<T>(&self, config: &Config, tls: T) -> Result<Report, MigrateError>
    where
        T: MakeTlsConnect<Socket>,
    {
        let prepared = self.prepare()?;
        let (client, connection) = connect(config, tls, self.connect_timeout).await?;
        drive(connection, async move {
            let result = self.run_locked(&client, &prepared).await;
            drop(client);
            result
        })
        .await
    }

    /// Reverts every applied migration with a version above `to`, newest first, each by its
    /// down part in its own transaction with the removal of its history row (logged in
    /// `<table>_repairs`), or statement by statement under `-- squill:no-transaction`. Same
    /// lock as [`run`](Self::run). Refused before anything runs when a file in the range has
    /// no down part (all of them are named), is missing or changed, or is partly applied.
    /// `to = 0` reverts everything.
    pub async fn down_to(&self, config: &Config, to: u64) -> Result<DownReport, MigrateError> {
        self.down_to_with_tls(config, to, NoTls).await
    }

    /// [`down_to`](Self::down_to) over TLS.
    pub async fn down_to_with_tls<T>(
        &self,
        config: &Config,
        to: u64,
        tls: T,
    ) -> Result<DownReport, MigrateError>
    where
        T: MakeTlsConnect<Socket>,
    {
        let prepared = self.prepare()?;
        let (client, connection) = connect(config, tls, self.connect_timeout).await?;
        drive(connection, async move {
            let result = self
                .with_lock(&client, self.down_locked(&client, &prepared, to))
                .await;
            drop(client);
            result
        })
        .await
    }

    /// Dry run: reads the history (without creating it or taking the lock) and reports what
    /// would run and what is wrong.
    pub async fn status(&self, config: &Config) -> Result<Status, MigrateError> {
        self.status_with_tls(config, NoTls).await
    }

    /// [`status`](Self::status) over TLS.
    pub async fn status_with_tls<T>(&self, config: &Config, tls: T) -> Result<Status, MigrateError>
    where
        T: MakeTlsConnect<Socket>,
    {
        let prepared = self.prepare()?;
        let (client, connection) = connect(config, tls, self.connect_timeout).await?;
        drive(connection, async move {
            let history = self.history_table();
            let history_exists = history.exists(&client).await?;
            let (applied, progress) = if history_exists {
                (
                    history.read(&client).await?,
                    history.read_progress(&client).await?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            let mut plan = check::compare(&prepared, &applied, &progress, self.allow_out_of_order);
            plan.problems.extend(
                invalid_index::problems(&client, &applied_files(&prepared, &applied)).await?,
            );
            drop(client);
            Ok(Status {
                pending: plan.pending_list(),
                problems: plan.problems,
                applied,
                history_exists,
            })
        })
        .await
    }

    /// Makes the history agree with the folder for one applied file, and logs why in
    /// `<table>_repairs` (old and new checksum, when, who, the reason): an edited file gets
    /// its new checksum recorded; a file that is gone is forgotten.
    pub async fn repair(
        &self,
        config: &Config,
        file: &str,
        reason: Option<&str>,
    ) -> Result<Repair, MigrateError> {
        self.repair_with_tls(config, file, reason, NoTls).await
    }

    /// [`repair`](Self::repair) over TLS.
    pub async fn repair_with_tls<T>(
        &self,
        config: &Config,
        file: &str,
        reason: Option<&str>,
        tls: T,
    ) -> Result<Repair, MigrateError>
    where
        T: MakeTlsConnect<Socket>,
    {
        // Accept `schema/0002_x.sql` as well as `0002_x.sql`.
        let name = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(file);
        let by_name = self.migrations.iter().find(|m| m.file == name);
        let Some(version) = by_name
            .map(|m| m.version)
            .or_else(|| parse_file_name(name).map(|(v, _)| v))
        else {
            return Err(MigrateError::Repair {
                file: name.into(),
                message: "not a migration file name (<version>_<name>.sql)".into(),
            });
        };
        let migration = self.migrations.iter().find(|m| m.version == version);
        let (client, connection) = connect(config, tls, self.connect_timeout).await?;
        drive(connection, async move {
            let result = self
                .with_lock(&client, async {
                    self.repair_locked(&client, name, version, migration, reason)
                        .await
                })
                .await;
            drop(client);
            result
        })
        .await
    }

    fn history_table(&self) -> HistoryTable {
        HistoryTable {
            schema: self.schema.clone(),
            table: self.table.clone(),
        }
    }

    /// Reads every migration; duplicate versions (possible in an embedded list) are refused
    /// before connecting.
    fn prepare(&self) -> Result<Vec<Prepared<'_>>, MigrateError> {
        let mut by_version: BTreeMap<u64, Vec<&Migration>> = BTreeMap::new();
        for m in self.migrations.iter() {
            by_version.entry(m.version).or_default().push(m);
        }
        let duplicates: Vec<Problem> = by_version
            .iter()
            .filter(|(_, files)| files.len() > 1)
            .map(|(&version, files)| Problem::DuplicateVersion {
                version,
                files: files.iter().map(|m| m.file.to_string()).collect(),
            })
            .collect();
        let mut problems = duplicates;
        for m in self.migrations.iter() {
            if let Some(down) = &m.down {
                let text = super::source::normalize(&m.sql);
                if super::sections::down_marker(&text).is_some() {
                    problems.push(super::source::two_down_parts(m, &text, &down.file));
                }
            }
        }
        if !problems.is_empty() {
            return Err(MigrateError::Problems(problems));
        }
        Ok(by_version
            .into_values()
            .flatten()
            .map(Prepared::read)
            .collect())
    }

    /// Takes the lock, runs `work`, releases the lock whatever happened.
    async fn with_lock<T>(
        &self,
        client: &Client,
        work: impl Future<Output = Result<T, MigrateError>>,
    ) -> Result<T, MigrateError> {
        let database: String = client
            .query_one("SELECT current_database()", &[])
            .await
            .map_err(|e| MigrateError::database("reading the database name", e))?
            .get(0);
        let key = lock::key(&database, &self.schema, &self.table);
        let lock = MigrationLock::acquire(client, key, self.lock_wait, |holder| {
            self.emit(Event::WaitingForLock {
                holder: holder.as_deref(),
            })
        })
        .await?;
        self.emit(Event::LockAcquired);
        let result = work.await;
        if result.is_err() {
            // A no-transaction file may have failed inside its own BEGIN; an aborted
            // transaction would refuse the unlock below.
            let _ = client.batch_execute("ROLLBACK").await;
        }
        // A failed release means the connection is gone, which releases the lock too.
        let _ = lock.release(client).await;
        result
    }

    async fn run_locked(
        &self,
        client: &Client,
        prepared: &[Prepared<'_>],
    ) -> Result<Report, MigrateError> {
        self.with_lock(client, async {
            let history = self.history_table();
            history.ensure(client).await?;
            // Read only now, under the lock: another runner may have just applied everything.
            let applied = history.read(client).await?;
            let progress = history.read_progress(client).await?;
            let mut plan = check::compare(prepared, &applied, &progress, self.allow_out_of_order);
            plan.problems
                .extend(invalid_index::problems(client, &applied_files(prepared, &applied)).await?);
            if !plan.problems.is_empty() {
                return Err(MigrateError::Problems(plan.problems));
            }
            self.check_drift(client, &history).await?;
            let mut report = Report {
                applied: Vec::new(),
                already_applied: applied.len(),
            };
            let mut done: Vec<String> = Vec::new();
            for migration in plan.pending {
                let settings = Settings {
                    lock_timeout: self.lock_timeout,
                    retries: self.retries,
                    history: &history,
                    listener: self.listener.as_ref(),
                    applied_before: &done,
                    revert_reason: "",
                };
                let outcome = apply::apply(client, migration, &settings).await?;
                report.applied.push(Applied {
                    version: migration.migration.version,
                    file: migration.file().to_string(),
                    transactional: migration.transactional,
                    duration: outcome.duration,
                    attempts: outcome.attempts,
                });
                done.push(migration.file().to_string());
            }
            // A baseline when there was none (or after a repair); each change recorded its own.
            history.record_snapshot(client).await?;
            Ok(report)
        })
        .await
    }

    async fn down_locked(
        &self,
        client: &Client,
        prepared: &[Prepared<'_>],
        to: u64,
    ) -> Result<DownReport, MigrateError> {
        let history = self.history_table();
        if !history.exists(client).await? {
            return Ok(DownReport {
                to,
                reverted: Vec::new(),
                still_applied: 0,
            });
        }
        history.ensure(client).await?;
        let applied = history.read(client).await?;
        let progress = history.read_progress(client).await?;
        let by_version: BTreeMap<u64, &Prepared<'_>> =
            prepared.iter().map(|p| (p.migration.version, p)).collect();
        let mut problems = Vec::new();
        let mut without_down = Vec::new();
        let mut downs = Vec::new();
        for entry in applied.iter().rev().filter(|e| e.version > to) {
            let Some(up) = by_version.get(&entry.version) else {
                problems.push(Problem::Missing {
                    file: entry.file.clone(),
                    version: entry.version,
                    checksum: entry.checksum.clone(),
                });
                continue;
            };
            if up.checksum != entry.checksum {
                problems.push(Problem::Changed {
                    file: up.file().to_string(),
                    version: entry.version,
                    recorded: entry.checksum.clone(),
                    current: up.checksum.clone(),
                });
            }
            match Prepared::read_down(up.migration) {
                Ok(Some(down)) => {
                    if let Err(problem) = down.check() {
                        problems.push(problem);
                    }
                    downs.push(down);
                }
                Ok(None) => without_down.push(up.file().to_string()),
                Err(problem) => problems.push(problem),
            }
        }
        // A partly applied file above `to` is in an unknown state: neither up nor down fits.
        for partial in progress
            .iter()
            .filter(|p| p.version > to && p.committed > 0)
        {
            if let Some(p) = by_version.get(&partial.version) {
                problems.push(super::check::partly_applied(p, partial));
            }
        }
        if !without_down.is_empty() {
            problems.push(Problem::NoDownPart {
                to,
                files: without_down,
            });
        }
        if !problems.is_empty() {
            return Err(MigrateError::Problems(problems));
        }
        self.check_drift(client, &history).await?;
        let reason = format!("reverted by its down part (squill migrate down --to {to})");
        let mut report = DownReport {
            to,
            reverted: Vec::new(),
            still_applied: applied.len(),
        };
        let mut done: Vec<String> = Vec::new();
        for down in &downs {
            let settings = Settings {
                lock_timeout: self.lock_timeout,
                retries: self.retries,
                history: &history,
                listener: self.listener.as_ref(),
                applied_before: &done,
                revert_reason: &reason,
            };
            let outcome = apply::apply(client, down, &settings).await?;
            report.reverted.push(Applied {
                version: down.migration.version,
                file: down.file().to_string(),
                transactional: down.transactional,
                duration: outcome.duration,
                attempts: outcome.attempts,
            });
            report.still_applied -= 1;
            done.push(down.file().to_string());
        }
        Ok(report)
    }

    /// Refuses a schema that differs from the recorded snapshot, unless `allow_drift`.
    async fn check_drift(
        &self,
        client: &Client,
        history: &HistoryTable,
    ) -> Result<(), MigrateError> {
        match history.drift(client).await? {
            Drift::Changed(changes) if !self.allow_drift => Err(MigrateError::Drift(changes)),
            Drift::Changed(changes) => {
                self.emit(Event::DriftAllowed {
                    differences: changes.len(),
                });
                Ok(())
            }
            Drift::None | Drift::Unknown => Ok(()),
        }
    }

    async fn repair_locked(
        &self,
        client: &Client,
        name: &str,
        version: u64,
        migration: Option<&Migration>,
        reason: Option<&str>,
    ) -> Result<Repair, MigrateError> {
        let history = self.history_table();
        let not_applied = || MigrateError::Repair {
            file: name.into(),
            message: format!(
                "version {version} is not recorded in {} as applied: there is nothing to \
                 repair (`squill migrate` applies pending files)",
                history.display_name()
            ),
        };
        if !history.exists(client).await? {
            return Err(not_applied());
        }
        history.ensure(client).await?;
        let entries = history.read(client).await?;
        // A partly applied no-transaction file: the user has dealt with what it committed.
        if !entries.iter().any(|e| e.version == version)
            && let Some(partial) = history
                .read_progress(client)
                .await?
                .into_iter()
                .find(|p| p.version == version)
        {
            history.repair_progress(client, &partial, reason).await?;
            return Ok(Repair::PartialCleared {
                version,
                file: partial.file,
                committed: partial.committed,
            });
        }
        let entry = entries
            .iter()
            .find(|e| e.version == version)
            .ok_or_else(not_applied)?;
        let Some(migration) = migration else {
            history.repair(client, entry, None, reason).await?;
            return Ok(Repair::Forgotten {
                version,
                file: entry.file.clone(),
                old_checksum: entry.checksum.clone(),
            });
        };
        let new_checksum = checksum(&migration.sql);
        if new_checksum == entry.checksum && migration.file == entry.file {
            return Ok(Repair::Unchanged {
                version,
                file: migration.file.to_string(),
            });
        }
        history
            .repair(
                client,
                entry,
                Some((&migration.name, &migration.file, &new_checksum)),
                reason,
            )
            .await?;
        Ok(Repair::Updated {
            version,
            file: migration.file.to_string(),
            old_checksum: entry.checksum.clone(),
            new_checksum,
        })
    }

    fn emit(&self, event: Event<'_>) {
        if let Some(listener) = &self.listener {
            listener(event);
        }
    }
}

/// The files of `prepared` the history records as applied.
fn applied_files<'p, 'm>(
    prepared: &'p [Prepared<'m>],
    applied: &[HistoryEntry],
) -> Vec<&'p Prepared<'m>> {
    prepared
        .iter()
        .filter(|p| applied.iter().any(|e| e.version == p.migration.version))
        .collect()
}

/// Opens the runner's own connection, named, within `deadline` from the first byte to the end
/// of authentication (tokio-postgres's `connect_timeout` bounds the TCP connect only).
pub(crate) async fn connect<T>(
    config: &Config,
    tls: T,
    deadline: Duration,
) -> Result<
    (
        Client,
        tokio_postgres::Connection<Socket, <T as MakeTlsConnect<Socket>>::Stream>,
    ),
    MigrateError,
>
where
    T: MakeTlsConnect<Socket>,
{
    let mut config = config.clone();
    if config.get_application_name().is_none() {
        config.application_name(APPLICATION_NAME);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(deadline);
    }
    match tokio::time::timeout(deadline, config.connect(tls)).await {
        Ok(connected) => connected.map_err(MigrateError::Connect),
        Err(_) => Err(MigrateError::ConnectTimeout(deadline)),
    }
}

/// Drives `connection` while `work` runs. `work` owns the client and drops it when done,
/// which makes the connection send Terminate and finish: when this returns, the connection
/// is closed. No task is spawned, so nothing outlives the call.
pub(crate) async fn drive<R>(connection: impl Future, work: impl Future<Output = R>) -> R {
    futures_util::future::join(work, connection).await.0
}
