//! Running one migration (or its down part): in a transaction with its history change, or,
//! for `-- squill:no-transaction` files, statement by statement; `lock_timeout` and retries.

use std::ops::Range;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres::{Client, SimpleQueryMessage};

use super::error::{Location, MigrateError, MigrationFailure, describe};
use super::event::{Event, Listener};
use super::history::{HistoryTable, NewEntry};
use super::invalid_index;
use super::source::{Direction, Prepared};
use super::split::{self, Statement};

/// Backoff between lock_timeout retries: 100 ms, doubling, at most 5 s.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub(crate) struct Settings<'a> {
    pub lock_timeout: Duration,
    pub retries: u32,
    pub history: &'a HistoryTable,
    pub listener: Option<&'a Listener>,
    /// Files applied (or reverted) earlier in this run, for the error message.
    pub applied_before: &'a [String],
    /// Logged with each revert (down parts only).
    pub revert_reason: &'a str,
}

pub(crate) struct Outcome {
    pub duration: Duration,
    pub attempts: u32,
}

/// A statement (or batch) that PostgreSQL rejected.
struct SqlFailure {
    error: tokio_postgres::Error,
    /// Byte range of the runnable text that was sent.
    sent: Range<usize>,
    /// Statements of `sent` that completed before the error.
    completed: usize,
    at_commit: bool,
}

enum Failure {
    Sql(SqlFailure),
    /// One of squill's own statements failed (history insert, settings).
    Squill(MigrateError),
}

impl From<MigrateError> for Failure {
    fn from(e: MigrateError) -> Self {
        Failure::Squill(e)
    }
}

impl Failure {
    fn is_lock_timeout(&self) -> bool {
        matches!(self, Failure::Sql(f) if f.error.code() == Some(&SqlState::LOCK_NOT_AVAILABLE))
    }
}

pub(crate) async fn apply(
    client: &Client,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
) -> Result<Outcome, MigrateError> {
    let (file, transactional) = (prepared.file(), prepared.transactional);
    emit(
        settings,
        match prepared.direction {
            Direction::Up => Event::Applying {
                file,
                transactional,
            },
            Direction::Down => Event::Reverting {
                file,
                transactional,
            },
        },
    );
    let outcome = if prepared.transactional {
        in_transaction(client, prepared, settings).await?
    } else {
        statement_by_statement(client, prepared, settings).await?
    };
    // Settings a file changed with a plain SET (search_path, timeouts) must not leak into
    // the next file: each starts from the session as it was connected.
    client
        .batch_execute("RESET ALL")
        .await
        .map_err(|e| MigrateError::database("resetting session settings", e))?;
    let duration = outcome.duration;
    emit(
        settings,
        match prepared.direction {
            Direction::Up => Event::Applied { file, duration },
            Direction::Down => Event::Reverted { file, duration },
        },
    );
    Ok(outcome)
}

/// The whole file as one simple-query batch inside BEGIN ... COMMIT with its history row, so
/// PostgreSQL's error positions are positions in the file.
async fn in_transaction(
    client: &Client,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
) -> Result<Outcome, MigrateError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match transaction_attempt(client, prepared, settings).await {
            Ok(duration) => return Ok(Outcome { duration, attempts }),
            Err(failure) => {
                // Best effort: if the connection is gone, the server rolls back anyway.
                let _ = client.batch_execute("ROLLBACK").await;
                if failure.is_lock_timeout() && attempts <= settings.retries {
                    backoff(settings, prepared, attempts).await;
                    continue;
                }
                return Err(report(failure, prepared, settings, attempts, 0));
            }
        }
    }
}

async fn transaction_attempt(
    client: &Client,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
) -> Result<Duration, Failure> {
    let whole = 0..prepared.runnable.len();
    let squill = |action: &'static str| move |e| MigrateError::database(action, e);
    client
        .batch_execute("BEGIN")
        .await
        .map_err(squill("starting a transaction"))?;
    set_lock_timeout(client, settings.lock_timeout, true).await?;
    let started = Instant::now();
    run_batch(client, &prepared.runnable, whole.clone()).await?;
    let duration = started.elapsed();
    record(client, prepared, settings, duration).await?;
    settings.history.record_snapshot(client).await?;
    client.batch_execute("COMMIT").await.map_err(|error| {
        Failure::Sql(SqlFailure {
            error,
            sent: whole,
            completed: 0,
            at_commit: true,
        })
    })?;
    Ok(duration)
}

/// `-- squill:no-transaction` (or a file with its own transactions): each statement on its own (`CREATE INDEX CONCURRENTLY` refuses
/// to run in a multi-statement string), then the history row. A failure stops the file with
/// the earlier statements committed.
async fn statement_by_statement(
    client: &Client,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
) -> Result<Outcome, MigrateError> {
    let entry = new_entry(prepared, Duration::ZERO);
    if prepared.direction == Direction::Down {
        // A down part that stops part-way leaves the file recorded as applied; the error
        // says how many of its statements were committed.
        let (duration, max_attempts) = run_statements(client, prepared, settings)
            .await
            .map_err(|(e, _)| e)?;
        in_own_transaction(client, async {
            record(client, prepared, settings, duration).await?;
            settings.history.record_snapshot(client).await
        })
        .await?;
        return Ok(Outcome {
            duration,
            attempts: max_attempts,
        });
    }
    // Written before the first statement and after each commit, so that a failure, a lost
    // connection or a killed runner leaves the truth: how far the file got.
    settings
        .history
        .start_progress(client, &entry, prepared.statements.len())
        .await?;
    let result = run_statements(client, prepared, settings).await;
    if let Err((_, 0)) = &result {
        // Nothing committed: the file is simply pending (best effort, the connection may
        // be gone; a row with 0 committed is not reported).
        let _ = settings.history.clear_progress(client, entry.version).await;
    }
    let (duration, max_attempts) = result.map_err(|(e, _)| e)?;
    settings
        .history
        .finish(client, &new_entry(prepared, duration))
        .await?;
    settings.history.record_snapshot(client).await?;
    Ok(Outcome {
        duration,
        attempts: max_attempts,
    })
}

/// The statements of a no-transaction file, each committed on its own: the time they took
/// and the most attempts one needed, or the error and how many statements were committed.
async fn run_statements(
    client: &Client,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
) -> Result<(Duration, u32), (MigrateError, usize)> {
    let fail = |failure, attempts, committed| {
        (
            report(failure, prepared, settings, attempts, committed),
            committed,
        )
    };
    set_lock_timeout(client, settings.lock_timeout, false)
        .await
        .map_err(|f| fail(f, 1, 0))?;
    let mut duration = Duration::ZERO;
    let mut max_attempts = 1;
    for (index, statement) in prepared.statements.iter().enumerate() {
        // CONCURRENTLY statements wait for other transactions by design and block no
        // reads or writes while they do; under lock_timeout they would fail half-way and
        // leave an INVALID index that a retry with IF NOT EXISTS would silently keep.
        let concurrently = Prepared::is_concurrently(statement);
        if concurrently {
            set_lock_timeout(client, Duration::ZERO, false)
                .await
                .map_err(|f| fail(f, 1, index))?;
        }
        let sql = &prepared.runnable[statement.span.clone()];
        if concurrently {
            rebuild_invalid_index(client, sql, statement.span.start)
                .await
                .map_err(|e| (e, index))?;
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let started = Instant::now();
            match run_batch(client, sql, statement.span.clone()).await {
                Ok(()) => {
                    duration += started.elapsed();
                    break;
                }
                Err(failure)
                    if failure.is_lock_timeout()
                        && !concurrently
                        && attempts <= settings.retries =>
                {
                    backoff(settings, prepared, attempts).await;
                }
                Err(failure) => {
                    // A file's own transaction, left aborted: end it (best effort).
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(fail(failure, attempts, index));
                }
            }
        }
        max_attempts = max_attempts.max(attempts);
        if prepared.direction == Direction::Up {
            settings
                .history
                .step_progress(client, prepared.migration.version, index + 1)
                .await
                .map_err(|e| (e, index + 1))?;
        }
        // What the statement committed is the runner's doing, not drift.
        settings
            .history
            .record_snapshot(client)
            .await
            .map_err(|e| (e, index + 1))?;
        if concurrently {
            set_lock_timeout(client, settings.lock_timeout, false)
                .await
                .map_err(|f| fail(f, 1, index + 1))?;
        }
    }
    Ok((duration, max_attempts))
}

/// The history change of a part that ran: the row of an applied file, or the removal (logged)
/// of a reverted one.
async fn record(
    client: &Client,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
    duration: Duration,
) -> Result<(), MigrateError> {
    let entry = new_entry(prepared, duration);
    match prepared.direction {
        Direction::Up => settings.history.insert(client, &entry).await,
        Direction::Down => {
            settings
                .history
                .record_revert(client, &entry, settings.revert_reason)
                .await
        }
    }
}

/// Runs `work` between BEGIN and COMMIT (ROLLBACK on failure).
async fn in_own_transaction(
    client: &Client,
    work: impl std::future::Future<Output = Result<(), MigrateError>>,
) -> Result<(), MigrateError> {
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| MigrateError::database("recording the revert", e))?;
    let result = match work.await {
        Ok(()) => client
            .batch_execute("COMMIT")
            .await
            .map_err(|e| MigrateError::database("recording the revert", e)),
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
}

/// Before `CREATE INDEX CONCURRENTLY IF NOT EXISTS`: an INVALID index of that name (an
/// earlier run was interrupted) would make the statement a silent no-op, so it is dropped and
/// built again. Without IF NOT EXISTS, PostgreSQL's "already exists" error says it.
async fn rebuild_invalid_index(
    client: &Client,
    sql: &str,
    offset: usize,
) -> Result<(), MigrateError> {
    let Some(index) = invalid_index::concurrent_index(sql, offset).filter(|i| i.if_not_exists)
    else {
        return Ok(());
    };
    if let Some(qualified) = invalid_index::find(client, &index).await? {
        client
            .batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified}"))
            .await
            .map_err(|e| MigrateError::database("dropping an INVALID index to rebuild it", e))?;
    }
    Ok(())
}

/// Sends `sql` (bytes `sent` of the runnable text) as one simple query, counting the
/// statements that complete so an error without a position can still name its statement.
async fn run_batch(client: &Client, sql: &str, sent: Range<usize>) -> Result<(), Failure> {
    let fail = |error, completed| {
        Failure::Sql(SqlFailure {
            error,
            sent: sent.clone(),
            completed,
            at_commit: false,
        })
    };
    let stream = client.simple_query_raw(sql).await.map_err(|e| fail(e, 0))?;
    let mut stream = std::pin::pin!(stream);
    let mut completed = 0;
    while let Some(message) = stream.next().await {
        match message {
            Ok(SimpleQueryMessage::CommandComplete(_)) => completed += 1,
            Ok(_) => {}
            Err(e) => return Err(fail(e, completed)),
        }
    }
    Ok(())
}

/// `SET [LOCAL] lock_timeout`, with the value as a parameter (`set_config`).
async fn set_lock_timeout(client: &Client, timeout: Duration, local: bool) -> Result<(), Failure> {
    let value = format!("{}ms", timeout.as_millis());
    client
        .query_one(
            "SELECT set_config('lock_timeout', $1, $2)",
            &[&value, &local],
        )
        .await
        .map_err(|e| MigrateError::database("setting lock_timeout", e))?;
    Ok(())
}

async fn backoff(settings: &Settings<'_>, prepared: &Prepared<'_>, attempt: u32) {
    let delay = FIRST_BACKOFF
        .saturating_mul(1 << (attempt - 1).min(16))
        .min(MAX_BACKOFF);
    emit(
        settings,
        Event::Retrying {
            file: prepared.file(),
            attempt: attempt + 1,
            delay,
        },
    );
    tokio::time::sleep(delay).await;
}

fn new_entry<'a>(prepared: &'a Prepared<'_>, duration: Duration) -> NewEntry<'a> {
    NewEntry {
        version: prepared.migration.version,
        name: &prepared.migration.name,
        file: &prepared.migration.file,
        checksum: &prepared.checksum,
        transactional: prepared.transactional,
        execution_ms: duration.as_millis().min(i64::MAX as u128) as i64,
    }
}

fn emit(settings: &Settings<'_>, event: Event<'_>) {
    if let Some(listener) = settings.listener {
        listener(event);
    }
}

/// Turns a failure into the user's error: where in the file, and what PostgreSQL said.
fn report(
    failure: Failure,
    prepared: &Prepared<'_>,
    settings: &Settings<'_>,
    attempts: u32,
    committed_statements: usize,
) -> MigrateError {
    let failure = match failure {
        Failure::Squill(e) => return e,
        Failure::Sql(failure) => failure,
    };
    let db = failure.error.as_db_error();
    let location = if failure.at_commit {
        None
    } else {
        Some(locate(prepared, &failure))
    };
    let failing_statement = prepared
        .statements
        .iter()
        .filter(|s| s.span.start >= failure.sent.start)
        .nth(failure.completed);
    MigrateError::Migration(Box::new(MigrationFailure {
        file: prepared.file().to_string(),
        version: prepared.migration.version,
        location,
        code: db.map(|db| db.code().code().to_string()),
        message: describe(&failure.error),
        detail: db.and_then(|db| db.detail()).map(str::to_string),
        hint: db.and_then(|db| db.hint()).map(str::to_string),
        context: db.and_then(|db| db.where_()).map(str::to_string),
        transactional: prepared.transactional,
        reverting: prepared.direction == Direction::Down,
        committed_statements,
        concurrently: failing_statement.is_some_and(Prepared::is_concurrently),
        at_commit: failure.at_commit,
        attempts,
        lock_timeout: settings.lock_timeout,
        applied_before: settings.applied_before.to_vec(),
        source: failure.error,
    }))
}

/// PostgreSQL's error position when it gave one (a character index into what was sent),
/// else the start of the statement that failed.
fn locate(prepared: &Prepared<'_>, failure: &SqlFailure) -> Location {
    let sent = &prepared.runnable[failure.sent.clone()];
    let position = failure
        .error
        .as_db_error()
        .and_then(|db| match db.position() {
            Some(ErrorPosition::Original(position)) => Some(*position),
            _ => None,
        });
    let offset = match position {
        Some(position) => failure.sent.start + Location::char_position_to_offset(sent, position),
        None => match prepared
            .statements
            .iter()
            .filter(|s| s.span.start >= failure.sent.start)
            .nth(failure.completed)
        {
            Some(statement) => do_block_line(&prepared.runnable, statement, &failure.error)
                .unwrap_or(statement.span.start),
            None => failure.sent.start,
        },
    };
    // The runnable text has the file's line structure (down sections are blanked, not cut).
    Location::at(&prepared.runnable, offset)
}

/// An error inside a `DO` block has no position, but its context says
/// `PL/pgSQL function inline_code_block line N`: line N of the body, counting the line the
/// body starts on as 1. Returns the offset of that line's first non-blank character.
fn do_block_line(
    runnable: &str,
    statement: &Statement,
    error: &tokio_postgres::Error,
) -> Option<usize> {
    if !statement.starts_with(&["DO"]) {
        return None;
    }
    let context = error.as_db_error()?.where_()?;
    let line: usize = context.lines().find_map(|l| {
        l.strip_prefix("PL/pgSQL function inline_code_block line ")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })?;
    let text = &runnable[statement.span.clone()];
    let mut offset = split::first_string_offset(text)?;
    for _ in 1..line {
        offset += text[offset..].find('\n')? + 1;
    }
    let rest = &text[offset..];
    let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Some(statement.span.start + offset + indent)
}
