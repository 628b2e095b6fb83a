//! Async execution on `tokio-postgres` (and `deadpool-postgres`) connections.

use std::future::Future;

use futures_util::{StreamExt, pin_mut};
use tokio_postgres::{RowStream, Statement, types::ToSql};

use crate::statement_cache::StatementCache;
use crate::{Error, ErrorKind, Param, Query, Row, RowError};

/// Anything generated async functions can run on.
///
/// Implemented for [`Client`] and [`Transaction`] (statements prepared once per connection),
/// `deadpool_postgres::Object`/`Transaction` (feature `deadpool`, using the pool's statement
/// cache), and plain `tokio_postgres::Client`/`Transaction`. A plain client keeps no cache: a
/// query whose parameter types are all builtin goes out as one unnamed, typed statement (one
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
}

/// A `tokio-postgres` client that prepares each query once and reuses the statement.
///
/// Derefs to the wrapped `tokio_postgres::Client` for everything else.
pub struct Client {
    inner: tokio_postgres::Client,
    statements: StatementCache<Statement>,
}

impl Client {
    pub fn new(inner: tokio_postgres::Client) -> Self {
        Self {
            inner,
            statements: StatementCache::new(),
        }
    }

    /// Starts a transaction that shares this client's prepared statements.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, tokio_postgres::Error> {
        let inner = self.inner.transaction().await?;
        Ok(Transaction {
            inner,
            statements: &self.statements,
        })
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
}

impl<'a> Transaction<'a> {
    pub async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), tokio_postgres::Error> {
        self.inner.rollback().await
    }

    /// A savepoint inside this transaction, sharing the same statements.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, tokio_postgres::Error> {
        let inner = self.inner.transaction().await?;
        Ok(Transaction {
            inner,
            statements: self.statements,
        })
    }
}

impl<'a> std::ops::Deref for Transaction<'a> {
    type Target = tokio_postgres::Transaction<'a>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

/// The cached statement for `query`, preparing it first when this connection has not yet.
macro_rules! cached_statement {
    ($client:expr, $cache:expr, $query:expr) => {{
        let query: &'static Query = $query;
        match $cache.get(query.sql) {
            Some(statement) => statement,
            None => {
                let statement = $client
                    .prepare_typed(query.sql, query.param_types.unwrap_or(&[]))
                    .await?;
                $cache.insert(query.sql, statement.clone());
                statement
            }
        }
    }};
}

fn params_iter<'a>(
    params: &'a [Param<'a>],
) -> impl ExactSizeIterator<Item = &'a (dyn ToSql + Sync)> + 'a {
    params.iter().copied()
}

impl GenericClient for Client {
    async fn query_raw(
        &self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> Result<RowStream, tokio_postgres::Error> {
        let statement = cached_statement!(self.inner, self.statements, query);
        self.inner.query_raw(&statement, params_iter(params)).await
    }

    async fn execute(
        &self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> Result<u64, tokio_postgres::Error> {
        let statement = cached_statement!(self.inner, self.statements, query);
        self.inner.execute(&statement, params).await
    }
}

impl GenericClient for Transaction<'_> {
    async fn query_raw(
        &self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> Result<RowStream, tokio_postgres::Error> {
        let statement = cached_statement!(self.inner, self.statements, query);
        self.inner.query_raw(&statement, params_iter(params)).await
    }

    async fn execute(
        &self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> Result<u64, tokio_postgres::Error> {
        let statement = cached_statement!(self.inner, self.statements, query);
        self.inner.execute(&statement, params).await
    }
}

/// Runs `query` on a client that keeps no statement cache.
macro_rules! impl_uncached {
    ($ty:ty) => {
        impl GenericClient for $ty {
            async fn query_raw(
                &self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<RowStream, tokio_postgres::Error> {
                match query.param_types {
                    Some(types) => {
                        let typed = params.iter().copied().zip(types.iter().cloned());
                        self.query_typed_raw(query.sql, typed).await
                    }
                    None => {
                        let statement = self.prepare(query.sql).await?;
                        <$ty>::query_raw(self, &statement, params_iter(params)).await
                    }
                }
            }

            async fn execute(
                &self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<u64, tokio_postgres::Error> {
                match query.param_types {
                    Some(types) => {
                        // An unnamed typed statement; its row count is the command tag's.
                        let typed = params.iter().copied().zip(types.iter().cloned());
                        let stream = self.query_typed_raw(query.sql, typed).await?;
                        drain(stream).await
                    }
                    None => <$ty>::execute(self, query.sql, params).await,
                }
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

    async fn pooled_statement(
        client: &deadpool_postgres::ClientWrapper,
        query: &'static Query,
    ) -> Result<Statement, tokio_postgres::Error> {
        client
            .prepare_typed_cached(query.sql, query.param_types.unwrap_or(&[]))
            .await
    }

    impl GenericClient for deadpool_postgres::Object {
        async fn query_raw(
            &self,
            query: &'static Query,
            params: &[Param<'_>],
        ) -> Result<RowStream, tokio_postgres::Error> {
            let statement = pooled_statement(self, query).await?;
            tokio_postgres::Client::query_raw(self, &statement, params_iter(params)).await
        }

        async fn execute(
            &self,
            query: &'static Query,
            params: &[Param<'_>],
        ) -> Result<u64, tokio_postgres::Error> {
            let statement = pooled_statement(self, query).await?;
            tokio_postgres::Client::execute(self, &statement, params).await
        }
    }

    impl GenericClient for deadpool_postgres::Transaction<'_> {
        async fn query_raw(
            &self,
            query: &'static Query,
            params: &[Param<'_>],
        ) -> Result<RowStream, tokio_postgres::Error> {
            let statement = self
                .prepare_typed_cached(query.sql, query.param_types.unwrap_or(&[]))
                .await?;
            tokio_postgres::Transaction::query_raw(self, &statement, params_iter(params)).await
        }

        async fn execute(
            &self,
            query: &'static Query,
            params: &[Param<'_>],
        ) -> Result<u64, tokio_postgres::Error> {
            let statement = self
                .prepare_typed_cached(query.sql, query.param_types.unwrap_or(&[]))
                .await?;
            tokio_postgres::Transaction::execute(self, &statement, params).await
        }
    }
}

fn db(query: &'static Query) -> impl FnOnce(tokio_postgres::Error) -> Error {
    move |e| Error::new(query.name, ErrorKind::Db(e))
}

/// Runs a `:many` query, decoding rows as they arrive.
pub async fn many<R>(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Vec<R>, Error> {
    let stream = client.query_raw(query, params).await.map_err(db(query))?;
    pin_mut!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.next().await {
        let row = row.map_err(db(query))?;
        rows.push(decode(&row).map_err(db(query))?);
    }
    Ok(rows)
}

/// Runs an `:opt` query: `None` without a row, an error with more than one.
pub async fn opt<R>(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Option<R>, Error> {
    let stream = client.query_raw(query, params).await.map_err(db(query))?;
    pin_mut!(stream);
    // A finished RowStream must not be polled again (it reports a closed connection).
    let Some(first) = stream.next().await else {
        return Ok(None);
    };
    let first = first.map_err(db(query))?;
    if let Some(extra) = stream.next().await {
        extra.map_err(db(query))?;
        return Err(Error::new(query.name, ErrorKind::TooManyRows));
    }
    decode(&first).map(Some).map_err(db(query))
}

/// Runs a `:one` query: exactly one row, else [`ErrorKind::NoRows`] or
/// [`ErrorKind::TooManyRows`].
pub async fn one<R>(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<R, Error> {
    opt(client, query, params, decode)
        .await?
        .ok_or_else(|| Error::new(query.name, ErrorKind::NoRows))
}

/// Runs an `:exec` or `:execrows` query and returns the affected row count.
pub async fn execute(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
) -> Result<u64, Error> {
    client.execute(query, params).await.map_err(db(query))
}
