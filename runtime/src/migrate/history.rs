//! The history table (one row per applied migration) and its repair log.
//!
//! Every value goes in as a bound parameter; only the (quoted) table names are spliced into
//! the SQL text, as identifiers cannot be parameters.

use chrono::{DateTime, Utc};
use tokio_postgres::Client;

use super::error::MigrateError;

/// The version of squill recorded with every row.
const SQUILL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One applied migration, as the history table records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub version: u64,
    pub name: String,
    pub file: String,
    /// `sha256:<hex>` of the normalized file.
    pub checksum: String,
    pub transactional: bool,
    pub applied_at: DateTime<Utc>,
    /// How long the file took to run, in milliseconds.
    pub execution_ms: i64,
    /// `current_user` of the session that applied it.
    pub applied_by: String,
    pub squill_version: String,
}

/// A `-- squill:no-transaction` file that started and did not finish: at least `committed`
/// of its `statements` were committed (the count is written after each one commits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Progress {
    pub version: u64,
    pub file: String,
    pub checksum: String,
    pub committed: usize,
    pub statements: usize,
}

/// Where the history lives: `"schema"."table"` and `"schema"."table_repairs"`.
#[derive(Debug, Clone)]
pub(crate) struct HistoryTable {
    pub schema: String,
    pub table: String,
}

/// A row to insert after a migration ran.
pub(crate) struct NewEntry<'a> {
    pub version: u64,
    pub name: &'a str,
    pub file: &'a str,
    pub checksum: &'a str,
    pub transactional: bool,
    pub execution_ms: i64,
}

impl HistoryTable {
    fn qualified(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }

    fn repairs_name(&self) -> String {
        format!("{}_repairs", self.table)
    }

    fn qualified_repairs(&self) -> String {
        format!(
            "{}.{}",
            quote_ident(&self.schema),
            quote_ident(&self.repairs_name())
        )
    }

    fn progress_name(&self) -> String {
        format!("{}_progress", self.table)
    }

    fn qualified_progress(&self) -> String {
        format!(
            "{}.{}",
            quote_ident(&self.schema),
            quote_ident(&self.progress_name())
        )
    }

    /// `"public"."squill_migrations"`, for messages.
    pub fn display_name(&self) -> String {
        self.qualified()
    }

    pub async fn exists(&self, client: &Client) -> Result<bool, MigrateError> {
        relation_exists(client, &self.schema, &self.table)
            .await
            .map_err(|e| self.error("looking up the history table", e))
    }

    /// Creates the schema and both tables if missing. Call with the migration lock held: two
    /// concurrent `CREATE TABLE IF NOT EXISTS` can still collide. Existence is checked first
    /// because `CREATE SCHEMA IF NOT EXISTS` demands the CREATE privilege even when the schema
    /// is already there.
    pub async fn ensure(&self, client: &Client) -> Result<(), MigrateError> {
        let schema_exists: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
                &[&self.schema],
            )
            .await
            .map_err(|e| self.error("looking up the history table's schema", e))?
            .get(0);
        if !schema_exists {
            client
                .batch_execute(&format!("CREATE SCHEMA {}", quote_ident(&self.schema)))
                .await
                .map_err(|e| self.error("creating the history table's schema", e))?;
        }
        if !self.exists(client).await? {
            let ddl = format!(
                "CREATE TABLE {} (
                    version        bigint      PRIMARY KEY,
                    name           text        NOT NULL,
                    file           text        NOT NULL,
                    checksum       text        NOT NULL,
                    transactional  boolean     NOT NULL,
                    applied_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
                    execution_ms   bigint      NOT NULL,
                    applied_by     text        NOT NULL DEFAULT current_user,
                    squill_version text        NOT NULL
                )",
                self.qualified()
            );
            client
                .batch_execute(&ddl)
                .await
                .map_err(|e| self.error("creating the history table", e))?;
        }
        if !relation_exists(client, &self.schema, &self.repairs_name())
            .await
            .map_err(|e| self.error("looking up the repair log", e))?
        {
            let ddl = format!(
                "CREATE TABLE {} (
                    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    version        bigint      NOT NULL,
                    file           text        NOT NULL,
                    old_checksum   text        NOT NULL,
                    new_checksum   text,       -- NULL: the file was removed and forgotten
                    reason         text,
                    repaired_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
                    repaired_by    text        NOT NULL DEFAULT current_user,
                    squill_version text        NOT NULL
                )",
                self.qualified_repairs()
            );
            client
                .batch_execute(&ddl)
                .await
                .map_err(|e| self.error("creating the repair log", e))?;
        }
        if !relation_exists(client, &self.schema, &self.progress_name())
            .await
            .map_err(|e| self.error("looking up the progress table", e))?
        {
            let ddl = format!(
                "CREATE TABLE {} (
                    version    bigint      PRIMARY KEY,
                    file       text        NOT NULL,
                    checksum   text        NOT NULL,
                    committed  integer     NOT NULL,
                    statements integer     NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT clock_timestamp()
                )",
                self.qualified_progress()
            );
            client
                .batch_execute(&ddl)
                .await
                .map_err(|e| self.error("creating the progress table", e))?;
        }
        self.ensure_snapshot(client).await
    }

    /// No-transaction files that started and did not finish (none before the table exists).
    pub async fn read_progress(&self, client: &Client) -> Result<Vec<Progress>, MigrateError> {
        let action = "reading the progress table";
        if !relation_exists(client, &self.schema, &self.progress_name())
            .await
            .map_err(|e| self.error(action, e))?
        {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT version, file, checksum, committed, statements FROM {} ORDER BY version",
            self.qualified_progress()
        );
        let rows = client
            .query(&sql, &[])
            .await
            .map_err(|e| self.error(action, e))?;
        Ok(rows
            .iter()
            .map(|row| Progress {
                version: row.get::<_, i64>(0) as u64,
                file: row.get(1),
                checksum: row.get(2),
                committed: row.get::<_, i32>(3).max(0) as usize,
                statements: row.get::<_, i32>(4).max(0) as usize,
            })
            .collect())
    }

    /// Records that a no-transaction file starts (nothing of it committed yet).
    pub async fn start_progress(
        &self,
        client: &Client,
        entry: &NewEntry<'_>,
        statements: usize,
    ) -> Result<(), MigrateError> {
        let sql = format!(
            "INSERT INTO {} (version, file, checksum, committed, statements)
             VALUES ($1, $2, $3, 0, $4)
             ON CONFLICT (version) DO UPDATE SET file = $2, checksum = $3, committed = 0,
                 statements = $4, started_at = clock_timestamp()",
            self.qualified_progress()
        );
        let statements = i32::try_from(statements).unwrap_or(i32::MAX);
        client
            .execute(
                &sql,
                &[
                    &(entry.version as i64),
                    &entry.file,
                    &entry.checksum,
                    &statements,
                ],
            )
            .await
            .map_err(|e| self.error("recording the progress of a no-transaction file", e))?;
        Ok(())
    }

    /// After a statement of a no-transaction file committed.
    pub async fn step_progress(
        &self,
        client: &Client,
        version: u64,
        committed: usize,
    ) -> Result<(), MigrateError> {
        let sql = format!(
            "UPDATE {} SET committed = $2 WHERE version = $1",
            self.qualified_progress()
        );
        let committed = i32::try_from(committed).unwrap_or(i32::MAX);
        client
            .execute(&sql, &[&(version as i64), &committed])
            .await
            .map_err(|e| self.error("recording the progress of a no-transaction file", e))?;
        Ok(())
    }

    /// Forgets a file's progress (it finished, failed before committing anything, or was
    /// repaired).
    pub async fn clear_progress(&self, client: &Client, version: u64) -> Result<(), MigrateError> {
        let sql = format!(
            "DELETE FROM {} WHERE version = $1",
            self.qualified_progress()
        );
        client
            .execute(&sql, &[&(version as i64)])
            .await
            .map_err(|e| self.error("clearing the progress of a no-transaction file", e))?;
        Ok(())
    }

    /// Records a no-transaction file as applied and forgets its progress, in one transaction.
    pub async fn finish(&self, client: &Client, entry: &NewEntry<'_>) -> Result<(), MigrateError> {
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| self.error("recording the migration", e))?;
        let result = async {
            self.insert(client, entry).await?;
            self.clear_progress(client, entry.version).await?;
            client
                .batch_execute("COMMIT")
                .await
                .map_err(|e| self.error("recording the migration", e))
        }
        .await;
        if result.is_err() {
            let _ = client.batch_execute("ROLLBACK").await;
        }
        result
    }

    /// Clears a partly applied file's progress and logs why in the repair table.
    pub async fn repair_progress(
        &self,
        client: &Client,
        progress: &Progress,
        reason: Option<&str>,
    ) -> Result<(), MigrateError> {
        let action = "clearing a partly applied file's record";
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| self.error(action, e))?;
        let result = async {
            let sql = format!(
                "DELETE FROM {} WHERE version = $1",
                self.qualified_progress()
            );
            client.execute(&sql, &[&(progress.version as i64)]).await?;
            let sql = format!(
                "INSERT INTO {} (version, file, old_checksum, new_checksum, reason,
                                 squill_version)
                 VALUES ($1, $2, $3, NULL, $4, $5)",
                self.qualified_repairs()
            );
            let reason = format!(
                "partly applied ({} of {} statements committed) record cleared{}",
                progress.committed,
                progress.statements,
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            );
            client
                .execute(
                    &sql,
                    &[
                        &(progress.version as i64),
                        &progress.file,
                        &progress.checksum,
                        &reason,
                        &SQUILL_VERSION,
                    ],
                )
                .await?;
            client.batch_execute("COMMIT").await
        }
        .await;
        if let Err(e) = result {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(self.error(action, e));
        }
        Ok(())
    }

    /// Every applied migration, by version (the table must exist).
    pub async fn read(&self, client: &Client) -> Result<Vec<HistoryEntry>, MigrateError> {
        let sql = format!(
            "SELECT version, name, file, checksum, transactional, applied_at, execution_ms,
                    applied_by, squill_version
             FROM {} ORDER BY version",
            self.qualified()
        );
        let rows = client
            .query(&sql, &[])
            .await
            .map_err(|e| self.error("reading the history table", e))?;
        Ok(rows
            .iter()
            .map(|row| HistoryEntry {
                version: row.get::<_, i64>(0) as u64,
                name: row.get(1),
                file: row.get(2),
                checksum: row.get(3),
                transactional: row.get(4),
                applied_at: row.get(5),
                execution_ms: row.get(6),
                applied_by: row.get(7),
                squill_version: row.get(8),
            })
            .collect())
    }

    pub async fn insert(&self, client: &Client, entry: &NewEntry<'_>) -> Result<(), MigrateError> {
        let sql = format!(
            "INSERT INTO {} (version, name, file, checksum, transactional, execution_ms,
                             squill_version)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            self.qualified()
        );
        client
            .execute(
                &sql,
                &[
                    &(entry.version as i64),
                    &entry.name,
                    &entry.file,
                    &entry.checksum,
                    &entry.transactional,
                    &entry.execution_ms,
                    &SQUILL_VERSION,
                ],
            )
            .await
            .map_err(|e| self.error("recording the migration in the history table", e))?;
        Ok(())
    }

    /// Forgets a reverted migration and logs the revert in the repair table (old checksum,
    /// no new one, the reason saying it was reverted). No transaction control of its own: it
    /// runs in the transaction of the down part (or the caller's).
    pub async fn record_revert(
        &self,
        client: &Client,
        entry: &NewEntry<'_>,
        reason: &str,
    ) -> Result<(), MigrateError> {
        let action = "recording the revert in the history table";
        let version = entry.version as i64;
        let sql = format!("DELETE FROM {} WHERE version = $1", self.qualified());
        client
            .execute(&sql, &[&version])
            .await
            .map_err(|e| self.error(action, e))?;
        let sql = format!(
            "INSERT INTO {} (version, file, old_checksum, new_checksum, reason, squill_version)
             VALUES ($1, $2, $3, NULL, $4, $5)",
            self.qualified_repairs()
        );
        client
            .execute(
                &sql,
                &[
                    &version,
                    &entry.file,
                    &entry.checksum,
                    &reason,
                    &SQUILL_VERSION,
                ],
            )
            .await
            .map_err(|e| self.error(action, e))?;
        Ok(())
    }

    /// Records that `version` now has `new` (its file, name and checksum), or, with `None`,
    /// forgets it; logs the change in the repair table. One transaction.
    pub async fn repair(
        &self,
        client: &Client,
        entry: &HistoryEntry,
        new: Option<(&str, &str, &str)>,
        reason: Option<&str>,
    ) -> Result<(), MigrateError> {
        let version = entry.version as i64;
        let action = "repairing the history table";
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| self.error(action, e))?;
        let result = async {
            match new {
                Some((name, file, checksum)) => {
                    let sql = format!(
                        "UPDATE {} SET name = $2, file = $3, checksum = $4 WHERE version = $1",
                        self.qualified()
                    );
                    client
                        .execute(&sql, &[&version, &name, &file, &checksum])
                        .await?;
                }
                None => {
                    let sql = format!("DELETE FROM {} WHERE version = $1", self.qualified());
                    client.execute(&sql, &[&version]).await?;
                }
            }
            let sql = format!(
                "INSERT INTO {} (version, file, old_checksum, new_checksum, reason,
                                 squill_version)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                self.qualified_repairs()
            );
            let new_checksum = new.map(|(_, _, checksum)| checksum);
            let file = new.map_or(entry.file.as_str(), |(_, file, _)| file);
            client
                .execute(
                    &sql,
                    &[
                        &version,
                        &file,
                        &entry.checksum,
                        &new_checksum,
                        &reason,
                        &SQUILL_VERSION,
                    ],
                )
                .await?;
            client.batch_execute("COMMIT").await
        }
        .await;
        if let Err(e) = result {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(self.error(action, e));
        }
        Ok(())
    }

    fn error(&self, action: &str, e: tokio_postgres::Error) -> MigrateError {
        MigrateError::database(format!("{action} ({})", self.qualified()), e)
    }
}

async fn relation_exists(
    client: &Client,
    schema: &str,
    name: &str,
) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (
                 SELECT 1 FROM pg_catalog.pg_class c
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2)",
            &[&schema, &name],
        )
        .await?;
    Ok(row.get(0))
}

/// `"name"`, with embedded quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
