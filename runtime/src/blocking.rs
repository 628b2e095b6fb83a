//! Blocking execution on `postgres` connections (feature `sync`).
//!
//! Mirrors the async API: [`Client`] caches one prepared statement per query, [`GenericClient`]
//! is what generated `blocking` functions take.

use std::time::Duration;

use postgres::Statement;
use postgres::fallible_iterator::FallibleIterator;
use postgres::tls::{MakeTlsConnect, TlsConnect};

use crate::statement_cache::StatementCache;
use crate::trace::QuerySpan;
use crate::{ConnectError, Error, ErrorKind, Param, Query, Row, RowError};

/// Anything generated blocking functions can run on: [`Client`], [`Transaction`] (statements
/// prepared once per connection), and plain `postgres::Client`/`Transaction` (an unnamed typed
/// statement when every parameter type is builtin, otherwise prepared on each call).
pub trait GenericClient {
    /// Runs the query and returns its rows, in one trip through the driver's runtime (a
    /// `RowIter` would re-enter it for every row).
    fn query(
        &mut self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, postgres::Error>;

    /// Runs the query and returns the number of rows it affected.
    fn execute(
        &mut self,
        query: &'static Query,
        params: &[Param<'_>],
    ) -> Result<u64, postgres::Error>;

    /// Starts `COPY ... FROM STDIN`.
    fn copy_in(&mut self, sql: &'static str)
    -> Result<postgres::CopyInWriter<'_>, postgres::Error>;
}

/// A `postgres` client that prepares each query once and reuses the statement.
pub struct Client {
    inner: postgres::Client,
    statements: StatementCache<Statement>,
}

impl Client {
    pub fn new(inner: postgres::Client) -> Self {
        Self {
            inner,
            statements: StatementCache::new(),
        }
    }

    /// Starts a transaction that shares this client's prepared statements.
    pub fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        let inner = self.inner.transaction()?;
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

    pub fn inner_mut(&mut self) -> &mut postgres::Client {
        &mut self.inner
    }

    pub fn into_inner(self) -> postgres::Client {
        self.inner
    }
}

impl From<postgres::Client> for Client {
    fn from(inner: postgres::Client) -> Self {
        Self::new(inner)
    }
}

/// A transaction on a [`Client`]; commits with [`Transaction::commit`], rolls back on drop.
pub struct Transaction<'a> {
    inner: postgres::Transaction<'a>,
    statements: &'a StatementCache<Statement>,
}

impl<'a> Transaction<'a> {
    pub fn commit(self) -> Result<(), Error> {
        Ok(self.inner.commit()?)
    }

    pub fn rollback(self) -> Result<(), Error> {
        Ok(self.inner.rollback()?)
    }

    /// A savepoint inside this transaction, sharing the same statements.
    pub fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        let inner = self.inner.transaction()?;
        Ok(Transaction {
            inner,
            statements: self.statements,
        })
    }

    pub fn inner_mut(&mut self) -> &mut postgres::Transaction<'a> {
        &mut self.inner
    }
}

macro_rules! cached_statement {
    ($client:expr, $cache:expr, $query:expr) => {{
        let query: &'static Query = $query;
        match $cache.get(query.sql) {
            Some(statement) => statement,
            None => {
                let statement = $client.prepare_typed(query.sql, query.param_types)?;
                $cache.insert(query.sql, statement.clone());
                statement
            }
        }
    }};
}

macro_rules! impl_cached {
    ($ty:ty) => {
        impl GenericClient for $ty {
            fn query(
                &mut self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<Vec<Row>, postgres::Error> {
                let statement = cached_statement!(self.inner, self.statements, query);
                self.inner.query(&statement, params)
            }

            fn execute(
                &mut self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<u64, postgres::Error> {
                let statement = cached_statement!(self.inner, self.statements, query);
                self.inner.execute(&statement, params)
            }

            fn copy_in(
                &mut self,
                sql: &'static str,
            ) -> Result<postgres::CopyInWriter<'_>, postgres::Error> {
                self.inner.copy_in(sql)
            }
        }
    };
}

impl_cached!(Client);
impl_cached!(Transaction<'_>);

macro_rules! impl_uncached {
    ($ty:ty) => {
        impl GenericClient for $ty {
            fn query(
                &mut self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<Vec<Row>, postgres::Error> {
                if query.typed {
                    let typed: Vec<_> = params
                        .iter()
                        .copied()
                        .zip(query.param_types.iter().cloned())
                        .collect();
                    self.query_typed(query.sql, &typed)
                } else {
                    let statement = self.prepare_typed(query.sql, query.param_types)?;
                    <$ty>::query(self, &statement, params)
                }
            }

            fn execute(
                &mut self,
                query: &'static Query,
                params: &[Param<'_>],
            ) -> Result<u64, postgres::Error> {
                if query.typed {
                    let typed = params
                        .iter()
                        .copied()
                        .zip(query.param_types.iter().cloned());
                    let mut rows = self.query_typed_raw(query.sql, typed)?;
                    while rows.next()?.is_some() {}
                    Ok(rows.rows_affected().unwrap_or(0))
                } else {
                    let statement = self.prepare_typed(query.sql, query.param_types)?;
                    <$ty>::execute(self, &statement, params)
                }
            }

            fn copy_in(
                &mut self,
                sql: &'static str,
            ) -> Result<postgres::CopyInWriter<'_>, postgres::Error> {
                <$ty>::copy_in(self, sql)
            }
        }
    };
}

impl_uncached!(postgres::Client);
impl_uncached!(postgres::Transaction<'_>);

fn db(query: &'static Query) -> impl Fn(postgres::Error) -> Error {
    move |e| Error::new(query.name, ErrorKind::Db(e))
}

/// Runs a `:many` query.
pub fn many<R>(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Vec<R>, Error> {
    let span = QuerySpan::start(query, "many");
    let result = span.in_scope(|| run_many(client, query, params, decode));
    span.finish(&result, |rows| Some(rows.len() as u64), false);
    result
}

fn run_many<R>(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Vec<R>, Error> {
    let rows = client.query(query, params).map_err(db(query))?;
    // Sized up front: collecting into Result<Vec<_>> knows no length and regrows the Vec,
    // copying every decoded row again.
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        match decode(row) {
            Ok(value) => out.push(value),
            Err(e) => return Err(db(query)(e)),
        }
    }
    Ok(out)
}

/// Runs an `:opt` query: `None` without a row, an error with more than one.
pub fn opt<R>(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Option<R>, Error> {
    let span = QuerySpan::start(query, "opt");
    let result = span.in_scope(|| run_opt(client, query, params, decode));
    span.finish(&result, |row| Some(row.is_some() as u64), false);
    result
}

fn run_opt<R>(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Option<R>, Error> {
    match client.query(query, params).map_err(db(query))?.as_slice() {
        [] => Ok(None),
        [row] => decode(row).map(Some).map_err(db(query)),
        _ => Err(Error::new(query.name, ErrorKind::TooManyRows)),
    }
}

/// Runs a `:one` query: exactly one row, else [`ErrorKind::NoRows`] or
/// [`ErrorKind::TooManyRows`].
pub fn one<R>(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<R, Error> {
    let span = QuerySpan::start(query, "one");
    let result = span.in_scope(|| run_one(client, query, params, decode));
    span.finish(&result, |_| Some(1), false);
    result
}

fn run_one<R>(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<R, Error> {
    run_opt(client, query, params, decode)?.ok_or_else(|| Error::new(query.name, ErrorKind::NoRows))
}

/// Runs an `:exec` or `:execrows` query and returns the affected row count.
pub fn execute(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
) -> Result<u64, Error> {
    let span = QuerySpan::start(query, "exec");
    let result = span.in_scope(|| run_execute(client, query, params));
    span.finish(&result, |affected| Some(*affected), true);
    result
}

fn run_execute(
    client: &mut impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
) -> Result<u64, Error> {
    client.execute(query, params).map_err(db(query))
}

/// `:copyfrom`: streams every parameter set through one binary `COPY ... FROM STDIN`.
pub fn copy_in<'p, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<u64, Error> {
    let span = QuerySpan::start(query, "copyfrom");
    let result = span.in_scope(|| run_copy_in(client, query, rows));
    span.finish(&result, |copied| Some(*copied), true);
    result
}

fn run_copy_in<'p, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<u64, Error> {
    let types = query.param_types;
    let sink = client.copy_in(query.sql).map_err(db(query))?;
    let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, types);
    for row in rows {
        writer.write(&row).map_err(db(query))?;
    }
    writer.finish().map_err(db(query))
}

/// `:batchexec` on a blocking client: one call per parameter set (the blocking driver cannot
/// pipeline; use the async client for that).
pub fn batch_execute<'p, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<Vec<u64>, Error> {
    let span = QuerySpan::start(query, "batchexec");
    let result = span.in_scope(|| run_batch_execute(client, query, rows));
    span.finish(&result, |counts| Some(counts.iter().sum()), true);
    result
}

fn run_batch_execute<'p, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<Vec<u64>, Error> {
    rows.into_iter()
        .map(|params| run_execute(client, query, &params))
        .collect()
}

/// `:batchone` on a blocking client: one call per parameter set.
pub fn batch_one<'p, R, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
    decode: impl Fn(&Row) -> Result<R, RowError> + Copy,
) -> Result<Vec<R>, Error> {
    let span = QuerySpan::start(query, "batchone");
    let result = span.in_scope(|| run_batch_one(client, query, rows, decode));
    span.finish(&result, |rows| Some(rows.len() as u64), false);
    result
}

fn run_batch_one<'p, R, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
    decode: impl Fn(&Row) -> Result<R, RowError> + Copy,
) -> Result<Vec<R>, Error> {
    rows.into_iter()
        .map(|params| run_one(client, query, &params, decode))
        .collect()
}

/// `:batchmany` on a blocking client: one call per parameter set.
pub fn batch_many<'p, R, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
    decode: impl Fn(&Row) -> Result<R, RowError> + Copy,
) -> Result<Vec<Vec<R>>, Error> {
    let span = QuerySpan::start(query, "batchmany");
    let result = span.in_scope(|| run_batch_many(client, query, rows, decode));
    span.finish(
        &result,
        |sets| Some(sets.iter().map(|rows| rows.len() as u64).sum()),
        false,
    );
    result
}

fn run_batch_many<'p, R, const N: usize>(
    client: &mut impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
    decode: impl Fn(&Row) -> Result<R, RowError> + Copy,
) -> Result<Vec<Vec<R>>, Error> {
    rows.into_iter()
        .map(|params| run_many(client, query, &params, decode))
        .collect()
}

/// What to connect to: a `postgres::Config`, or a connection string.
pub trait IntoConfig {
    fn into_config(self) -> Result<postgres::Config, postgres::Error>;
}

impl IntoConfig for postgres::Config {
    fn into_config(self) -> Result<postgres::Config, postgres::Error> {
        Ok(self)
    }
}

impl IntoConfig for &postgres::Config {
    fn into_config(self) -> Result<postgres::Config, postgres::Error> {
        Ok(self.clone())
    }
}

impl IntoConfig for &str {
    fn into_config(self) -> Result<postgres::Config, postgres::Error> {
        self.parse()
    }
}

impl IntoConfig for &String {
    fn into_config(self) -> Result<postgres::Config, postgres::Error> {
        self.parse()
    }
}

impl IntoConfig for String {
    fn into_config(self) -> Result<postgres::Config, postgres::Error> {
        self.parse()
    }
}

/// Connects within the URL's `connect_timeout` (libpq's meaning: the whole startup), else
/// [`CONNECT_TIMEOUT`](crate::CONNECT_TIMEOUT): TCP connect, TLS handshake and authentication
/// together (see `squill::connect` for the timeouts to set once connected).
pub fn connect<T>(config: impl IntoConfig, tls: T) -> Result<postgres::Client, ConnectError>
where
    T: MakeTlsConnect<postgres::Socket> + 'static + Send,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<postgres::Socket>>::Future: Send,
{
    let config = config.into_config().map_err(ConnectError::Config)?;
    let deadline = crate::connect::startup_deadline(config.get_connect_timeout());
    connect_within(config, tls, deadline)
}

/// Connects within `deadline`. `postgres` cannot cancel a startup in progress, so it runs on
/// a thread of its own: after the deadline that thread is left to finish or fail by itself
/// (it ends when the server closes the socket or the process exits), and any connection it
/// still makes is closed.
pub fn connect_within<T>(
    config: impl IntoConfig,
    tls: T,
    deadline: Duration,
) -> Result<postgres::Client, ConnectError>
where
    T: MakeTlsConnect<postgres::Socket> + 'static + Send,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<postgres::Socket>>::Future: Send,
{
    let mut config = config.into_config().map_err(ConnectError::Config)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(deadline);
    }
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("squill-connect".into())
        .spawn(move || {
            // A send after the deadline fails: the client is dropped, which closes it.
            let _ = sender.send(config.connect(tls));
        })
        .map_err(|_| ConnectError::Timeout(Duration::ZERO))?;
    match receiver.recv_timeout(deadline) {
        Ok(connected) => connected.map_err(ConnectError::Connect),
        Err(_) => Err(ConnectError::Timeout(deadline)),
    }
}
