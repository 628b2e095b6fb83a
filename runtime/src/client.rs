//! Async connections: the [`GenericClient`] trait generated functions take, and [`Client`],
//! the statement-caching wrapper around a `tokio-postgres` client.

use std::future::Future;

use bytes::Bytes;
use futures_util::{StreamExt, pin_mut};
use tokio_postgres::{CopyInSink, RowStream, Statement, types::ToSql};

use crate::statement_cache::StatementCache;
use crate::{Error, Param, Query};

/// Anything generated async functions can run on.
///
/// Implemented for [`Client`] and [`Transaction`] (statements prepared once per connection),
/// `deadpool_postgres::Object`/`Transaction` (feature `deadpool`, using the pool's statement
/// cache), and plain `tokio_postgres::Client`/`Transaction`. A plain client keeps no cache: a
/// query whose parameter types are all known goes out as one unnamed, typed statement (one
/// round trip, and safe behind PgBouncer); any other is prepared on every call.
pub trait GenericClient: Sync {
    /// Starts the query and returns its rows as a stream.
    fn query_raw(
        &self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<RowStream, tokio_postgres::Error>> + Send;

    /// Runs the query and returns the number of rows it affected.
    fn execute(
        &self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send;

    /// Makes sure a caching client holds the query's statement, so that a pipelined batch
    /// does not prepare it once per element. A no-op for clients without a cache.
    fn warm(
        &self,
        query: &'static Query,
    ) -> impl Future<Output = Result<(), tokio_postgres::Error>> + Send;

    /// Starts `COPY ... FROM STDIN`.
    fn copy_in(
        &self,
        sql: &'static str,
    ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send;
}

/// A `tokio-postgres` client that prepares each query once and reuses the statement.
///
/// Derefs to the wrapped `tokio_postgres::Client` for everything else.
pub struct Client {
    inner: tokio_postgres::Client,
    statements: StatementCache<Statement>,
    pooler_safe: Option<PoolerSafe>,
}

/// State of a pooler-safe client: the schema's own types, resolved once.
struct PoolerSafe {
    user_types: &'static [&'static str],
    resolved: tokio::sync::OnceCell<()>,
}

impl Client {
    /// Wraps `inner`; each query is prepared (as a named statement) on first use.
    pub fn new(inner: tokio_postgres::Client) -> Self {
        Self {
            inner,
            statements: StatementCache::new(),
            pooler_safe: None,
        }
    }

    /// Wraps `inner` for use behind a transaction-mode pooler such as PgBouncer, where a named
    /// statement prepared on one server connection is missing on the next: every call goes out
    /// as one unnamed statement with typed parameters (Parse/Bind/Execute in one round trip).
    ///
    /// `user_types` is the generated `USER_TYPES`: the driver looks user-defined types (enums)
    /// up with named statements of its own, so the client resolves them all once, inside a
    /// transaction (which pins one server connection), before its first query.
    pub fn pooler_safe(inner: tokio_postgres::Client, user_types: &'static [&'static str]) -> Self {
        let pooler_safe = PoolerSafe {
            user_types,
            resolved: tokio::sync::OnceCell::new(),
        };
        Self {
            pooler_safe: Some(pooler_safe),
            ..Self::new(inner)
        }
    }

    /// Starts a transaction that shares this client's prepared statements.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        self.resolve_user_types().await?;
        let inner = self.inner.transaction().await?;
        Ok(Transaction {
            inner,
            statements: &self.statements,
            pooler_safe: self.pooler_safe.is_some(),
        })
    }

    fn is_pooler_safe(&self) -> bool {
        self.pooler_safe.is_some()
    }

    /// Pooler-safe clients: makes the driver learn every user type in one pinned transaction.
    async fn resolve_user_types(&self) -> Result<(), tokio_postgres::Error> {
        let Some(pooler_safe) = &self.pooler_safe else {
            return Ok(());
        };
        let resolve = || async {
            if pooler_safe.user_types.is_empty() {
                return Ok(());
            }
            // Type names come from generated code, never from values.
            let columns: Vec<String> = pooler_safe
                .user_types
                .iter()
                .flat_map(|ty| [format!("NULL::{ty}"), format!("NULL::{ty}[]")])
                .collect();
            self.inner.batch_execute("BEGIN").await?;
            let sql = format!("SELECT {}", columns.join(", "));
            let described = self.inner.query_typed(&sql, &[]).await;
            let end = if described.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            };
            self.inner.batch_execute(end).await?;
            described.map(drop)
        };
        pooler_safe
            .resolved
            .get_or_try_init(resolve)
            .await
            .map(drop)
    }

    /// Number of statements prepared on this connection so far.
    pub fn cached_statements(&self) -> usize {
        self.statements.len()
    }

    /// Forgets every prepared statement (call after `DISCARD ALL` or a schema change).
    pub fn clear_statement_cache(&self) {
        self.statements.clear();
    }

    pub fn into_inner(self) -> tokio_postgres::Client {
        self.inner
    }
}

impl From<tokio_postgres::Client> for Client {
    fn from(inner: tokio_postgres::Client) -> Self {
        Self::new(inner)
    }
}

impl std::ops::Deref for Client {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

/// A transaction on a [`Client`]; commits with [`Transaction::commit`], rolls back on drop.
pub struct Transaction<'a> {
    inner: tokio_postgres::Transaction<'a>,
    statements: &'a StatementCache<Statement>,
    pooler_safe: bool,
}

impl<'a> Transaction<'a> {
    pub async fn commit(self) -> Result<(), Error> {
        Ok(self.inner.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), Error> {
        Ok(self.inner.rollback().await?)
    }

    /// A savepoint inside this transaction, sharing the same statements.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        let inner = self.inner.transaction().await?;
        Ok(Transaction {
            inner,
            statements: self.statements,
            pooler_safe: self.pooler_safe,
        })
    }
}

impl<'a> std::ops::Deref for Transaction<'a> {
    type Target = tokio_postgres::Transaction<'a>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

fn params_iter<'a>(
    params: &'a [Param<'a>],
) -> impl ExactSizeIterator<Item = &'a (dyn ToSql + Sync)> + 'a {
    params.iter().copied()
}

/// [`GenericClient`] for [`Client`] and [`Transaction`]: cached named statements, or the
/// plain-client path when pooler-safe.
macro_rules! impl_cached {
    ($ty:ty) => {
        impl GenericClient for $ty {
            async fn query_raw(
                &self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<RowStream, tokio_postgres::Error> {
                if self.is_pooler_safe() {
                    self.resolve_user_types().await?;
                    return GenericClient::query_raw(&self.inner, query, params).await;
                }
                let statement = self.statement(query).await?;
                let result = self.inner.query_raw(&statement, params_iter(params)).await;
                self.forget_if_missing(query, result)
            }

            async fn execute(
                &self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<u64, tokio_postgres::Error> {
                if self.is_pooler_safe() {
                    self.resolve_user_types().await?;
                    return GenericClient::execute(&self.inner, query, params).await;
                }
                let statement = self.statement(query).await?;
                let result = self.inner.execute(&statement, params).await;
                self.forget_if_missing(query, result)
            }

            async fn warm(&self, query: &'static Query) -> Result<(), tokio_postgres::Error> {
                match self.is_pooler_safe() {
                    true => self.resolve_user_types().await,
                    false => self.statement(query).await.map(drop),
                }
            }

            async fn copy_in(
                &self,
                sql: &'static str,
            ) -> Result<CopyInSink<Bytes>, tokio_postgres::Error> {
                self.inner.copy_in(sql).await
            }
        }

        impl $ty {
            /// A statement the server no longer has (`DISCARD ALL`, or a transaction-mode pooler
            /// that switched server connections) is dropped from the cache, so the next call
            /// prepares it again; the error itself explains the pooler case.
            fn forget_if_missing<T>(
                &self,
                query: &'static Query,
                result: Result<T, tokio_postgres::Error>,
            ) -> Result<T, tokio_postgres::Error> {
                if let Err(e) = &result
                    && e.code()
                        == Some(&tokio_postgres::error::SqlState::INVALID_SQL_STATEMENT_NAME)
                {
                    self.statements.remove(query.sql);
                }
                result
            }

            /// The cached statement for `query`, preparing it on first use.
            async fn statement(
                &self,
                query: &'static Query,
            ) -> Result<Statement, tokio_postgres::Error> {
                if let Some(statement) = self.statements.get(query.sql) {
                    return Ok(statement);
                }
                let statement = self
                    .inner
                    .prepare_typed(query.sql, query.param_types)
                    .await?;
                self.statements.insert(query.sql, statement.clone());
                Ok(statement)
            }
        }
    };
}

impl_cached!(Client);
impl_cached!(Transaction<'_>);

impl Transaction<'_> {
    fn is_pooler_safe(&self) -> bool {
        self.pooler_safe
    }

    /// Resolved by [`Client::transaction`] before the transaction began.
    async fn resolve_user_types(&self) -> Result<(), tokio_postgres::Error> {
        Ok(())
    }
}

/// [`GenericClient`] for clients that keep no statement cache.
macro_rules! impl_uncached {
    ($ty:ty) => {
        impl GenericClient for $ty {
            async fn query_raw(
                &self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<RowStream, tokio_postgres::Error> {
                if query.typed {
                    let typed = params
                        .iter()
                        .copied()
                        .zip(query.param_types.iter().cloned());
                    self.query_typed_raw(query.sql, typed).await
                } else {
                    let statement = self.prepare_typed(query.sql, query.param_types).await?;
                    <$ty>::query_raw(self, &statement, params_iter(params)).await
                }
            }

            async fn execute(
                &self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<u64, tokio_postgres::Error> {
                if query.typed {
                    // An unnamed typed statement; its row count is the command tag's.
                    let typed = params
                        .iter()
                        .copied()
                        .zip(query.param_types.iter().cloned());
                    let stream = self.query_typed_raw(query.sql, typed).await?;
                    drain(stream).await
                } else {
                    let statement = self.prepare_typed(query.sql, query.param_types).await?;
                    <$ty>::execute(self, &statement, params).await
                }
            }

            async fn warm(&self, _query: &'static Query) -> Result<(), tokio_postgres::Error> {
                Ok(())
            }

            async fn copy_in(
                &self,
                sql: &'static str,
            ) -> Result<CopyInSink<Bytes>, tokio_postgres::Error> {
                <$ty>::copy_in(self, sql).await
            }
        }
    };
}

async fn drain(stream: RowStream) -> Result<u64, tokio_postgres::Error> {
    pin_mut!(stream);
    while let Some(row) = stream.next().await {
        row?;
    }
    Ok(stream.rows_affected().unwrap_or(0))
}

impl_uncached!(tokio_postgres::Client);
impl_uncached!(tokio_postgres::Transaction<'_>);

#[cfg(feature = "deadpool")]
mod pooled {
    use super::*;

    macro_rules! impl_pooled {
        ($ty:ty, $base:ty) => {
            impl GenericClient for $ty {
                async fn query_raw(
                    &self,
                    query: &'static Query,
                    params: &[Param<'_>],
                ) -> Result<RowStream, tokio_postgres::Error> {
                    let types = query.param_types;
                    let statement = self.prepare_typed_cached(query.sql, types).await?;
                    <$base>::query_raw(self, &statement, params_iter(params)).await
                }

                async fn execute(
                    &self,
                    query: &'static Query,
                    params: &[Param<'_>],
                ) -> Result<u64, tokio_postgres::Error> {
                    let types = query.param_types;
                    let statement = self.prepare_typed_cached(query.sql, types).await?;
                    <$base>::execute(self, &statement, params).await
                }

                async fn warm(&self, query: &'static Query) -> Result<(), tokio_postgres::Error> {
                    let types = query.param_types;
                    self.prepare_typed_cached(query.sql, types).await.map(drop)
                }

                async fn copy_in(
                    &self,
                    sql: &'static str,
                ) -> Result<CopyInSink<Bytes>, tokio_postgres::Error> {
                    <$base>::copy_in(self, sql).await
                }
            }
        };
    }

    impl_pooled!(deadpool_postgres::Object, tokio_postgres::Client);
    impl_pooled!(
        deadpool_postgres::Transaction<'_>,
        tokio_postgres::Transaction<'_>
    );
}
