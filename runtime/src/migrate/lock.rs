//! The migration lock: a session-level advisory lock on the runner's dedicated connection.
//!
//! It is taken by polling `pg_try_advisory_lock`, each poll its own tiny implicit
//! transaction, never by blocking in `pg_advisory_lock`. A blocked call holds a snapshot for
//! as long as it waits, and `CREATE INDEX CONCURRENTLY` (run by the lock's holder) waits for
//! every transaction with an older snapshot to finish: holder and waiter would wait on each
//! other. Between polls the waiter holds no snapshot at all.

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::error::MigrateError;

/// Fixed namespace of squill's lock keys, so they do not collide with the application's.
const NAMESPACE: &str = "squill::migrate";

/// Poll interval bounds: fast enough to notice a release promptly, slow enough to keep 20
/// waiting runners from hammering the server.
const FIRST_POLL: Duration = Duration::from_millis(20);
const MAX_POLL: Duration = Duration::from_millis(500);

/// The advisory lock key of one history table in one database.
pub(crate) fn key(database: &str, schema: &str, table: &str) -> i64 {
    let mut hasher = Sha256::new();
    for part in [NAMESPACE, database, schema, table] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// A held lock; release it with [`MigrationLock::release`] (closing the session also does).
pub(crate) struct MigrationLock {
    key: i64,
}

/// Who holds a lock, as text for the user.
pub(crate) type Holder = Option<String>;

impl MigrationLock {
    /// Polls until the lock is ours or `wait` has passed. `on_wait` is called once, with the
    /// current holder, if the lock is not free at the first attempt.
    pub async fn acquire(
        client: &Client,
        key: i64,
        wait: Duration,
        mut on_wait: impl FnMut(&Holder),
    ) -> Result<Self, MigrateError> {
        let started = Instant::now();
        let mut delay = FIRST_POLL;
        let mut first = true;
        loop {
            let got: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                .await
                .map_err(|e| MigrateError::database("taking the migration lock", e))?
                .get(0);
            if got {
                return Ok(MigrationLock { key });
            }
            if first {
                first = false;
                on_wait(&holder(client, key).await);
            }
            let waited = started.elapsed();
            if waited >= wait {
                return Err(MigrateError::LockWait {
                    waited,
                    holder: holder(client, key).await,
                });
            }
            tokio::time::sleep(delay.min(wait - waited)).await;
            delay = (delay * 2).min(MAX_POLL);
        }
    }

    /// Releases the lock (before the connection closes, so that the next runner, or a test
    /// looking at `pg_locks`, does not depend on how fast the server notices the close).
    pub async fn release(self, client: &Client) -> Result<(), MigrateError> {
        client
            .query_one("SELECT pg_advisory_unlock($1)", &[&self.key])
            .await
            .map_err(|e| MigrateError::database("releasing the migration lock", e))?;
        Ok(())
    }
}

/// `pid 1234 (application "squill-migrate", user postgres, active since ...: <query>)`.
async fn holder(client: &Client, key: i64) -> Holder {
    // A bigint advisory key is stored as classid = high 32 bits, objid = low 32 bits.
    let high = (key as u64 >> 32) as i64;
    let low = (key as u64 & 0xffff_ffff) as i64;
    let row = client
        .query_opt(
            "SELECT l.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''),
                    coalesce(a.state, ''), coalesce(a.query, ''),
                    coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '')
             FROM pg_catalog.pg_locks l
             LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
               AND l.classid::bigint = $1 AND l.objid::bigint = $2
               AND l.database = (SELECT oid FROM pg_catalog.pg_database
                                 WHERE datname = current_database())
             LIMIT 1",
            &[&high, &low],
        )
        .await
        .ok()??;
    let pid: i32 = row.get(0);
    let app: String = row.get(1);
    let user: String = row.get(2);
    let state: String = row.get(3);
    let query: String = row.get(4);
    let since: String = row.get(5);
    let query: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let query = match query.char_indices().nth(120) {
        Some((cut, _)) => format!("{}...", &query[..cut]),
        None => query,
    };
    Some(format!(
        "pid {pid} (application \"{app}\", user {user}, connected {since}, {state}: {query})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_database_schema_and_table() {
        let k = key("app", "public", "squill_migrations");
        assert_eq!(k, key("app", "public", "squill_migrations"));
        assert_ne!(k, key("app2", "public", "squill_migrations"));
        assert_ne!(k, key("app", "other", "squill_migrations"));
        assert_ne!(k, key("app", "public", "history"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(key("ab", "c", "t"), key("a", "bc", "t"));
    }
}
