//! Running generated async queries: one function per command, so generated code is one call.

use futures_util::future::try_join_all;
use futures_util::{StreamExt, TryStreamExt, pin_mut};
use tokio_postgres::binary_copy::BinaryCopyInWriter;

use crate::client::GenericClient;
use crate::trace::QuerySpan;
use crate::{Error, ErrorKind, Param, Query, Row, RowError};

fn db(query: &'static Query) -> impl Fn(tokio_postgres::Error) -> Error {
    move |e| Error::new(query.name, ErrorKind::Db(e))
}

/// Runs a `:many` query, decoding rows as they arrive.
pub async fn many<R>(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Vec<R>, Error> {
    let span = QuerySpan::start(query, "many");
    let result = span
        .instrument(run_many(client, query, params, decode))
        .await;
    span.finish(&result, |rows| Some(rows.len() as u64), false);
    result
}

async fn run_many<R>(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<Vec<R>, Error> {
    let stream = client.query_raw(query, params).await.map_err(db(query))?;
    pin_mut!(stream);
    let mut rows = Vec::new();
    // Pushing straight from decode's Result (no mapped Result per row) keeps this loop as
    // cheap as a hand-written one (measured with callgrind, see BENCHMARKS.md).
    while let Some(row) = stream.try_next().await.map_err(db(query))? {
        match decode(&row) {
            Ok(value) => rows.push(value),
            Err(e) => return Err(db(query)(e)),
        }
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
    let span = QuerySpan::start(query, "opt");
    let result = span
        .instrument(run_opt(client, query, params, decode))
        .await;
    span.finish(&result, |row| Some(row.is_some() as u64), false);
    result
}

async fn run_opt<R>(
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
    let span = QuerySpan::start(query, "one");
    let result = span
        .instrument(run_one(client, query, params, decode))
        .await;
    span.finish(&result, |_| Some(1), false);
    result
}

async fn run_one<R>(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
    decode: impl Fn(&Row) -> Result<R, RowError>,
) -> Result<R, Error> {
    run_opt(client, query, params, decode)
        .await?
        .ok_or_else(|| Error::new(query.name, ErrorKind::NoRows))
}

/// Runs an `:exec` or `:execrows` query and returns the affected row count.
pub async fn execute(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
) -> Result<u64, Error> {
    let span = QuerySpan::start(query, "exec");
    let result = span.instrument(run_execute(client, query, params)).await;
    span.finish(&result, |affected| Some(*affected), true);
    result
}

async fn run_execute(
    client: &impl GenericClient,
    query: &'static Query,
    params: &[Param<'_>],
) -> Result<u64, Error> {
    client.execute(query, params).await.map_err(db(query))
}

/// `:copyfrom`: streams every parameter set through one binary `COPY ... FROM STDIN`
/// (`query.sql` is the COPY statement, `query.param_types` its column types). Returns the
/// number of rows copied.
pub async fn copy_in<'p, const N: usize>(
    client: &impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<u64, Error> {
    let span = QuerySpan::start(query, "copyfrom");
    let result = span.instrument(run_copy_in(client, query, rows)).await;
    span.finish(&result, |copied| Some(*copied), true);
    result
}

async fn run_copy_in<'p, const N: usize>(
    client: &impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<u64, Error> {
    let types = query.param_types;
    let sink = client.copy_in(query.sql).await.map_err(db(query))?;
    let writer = BinaryCopyInWriter::new(sink, types);
    pin_mut!(writer);
    for row in rows {
        writer.as_mut().write(&row).await.map_err(db(query))?;
    }
    writer.finish().await.map_err(db(query))
}

/// `:batchexec`: runs the statement once per parameter set, pipelined (every request is sent
/// before the first answer is awaited). Each runs in its own implicit transaction unless the
/// client is a transaction. Returns each set's affected row count.
pub async fn batch_execute<'p, const N: usize>(
    client: &impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
) -> Result<Vec<u64>, Error> {
    let span = QuerySpan::start(query, "batchexec");
    let result = span
        .instrument(async {
            client.warm(query).await.map_err(db(query))?;
            try_join_all(
                rows.into_iter()
                    .map(|params| async move { run_execute(client, query, &params).await }),
            )
            .await
        })
        .await;
    span.finish(&result, |counts| Some(counts.iter().sum()), true);
    result
}

/// `:batchone`: like [`batch_execute`], exactly one row per parameter set.
pub async fn batch_one<'p, R, const N: usize>(
    client: &impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
    decode: impl Fn(&Row) -> Result<R, RowError> + Copy,
) -> Result<Vec<R>, Error> {
    let span = QuerySpan::start(query, "batchone");
    let result = span
        .instrument(async {
            client.warm(query).await.map_err(db(query))?;
            try_join_all(
                rows.into_iter()
                    .map(|params| async move { run_one(client, query, &params, decode).await }),
            )
            .await
        })
        .await;
    span.finish(&result, |rows| Some(rows.len() as u64), false);
    result
}

/// `:batchmany`: like [`batch_execute`], every row of every parameter set.
pub async fn batch_many<'p, R, const N: usize>(
    client: &impl GenericClient,
    query: &'static Query,
    rows: impl IntoIterator<Item = [Param<'p>; N]>,
    decode: impl Fn(&Row) -> Result<R, RowError> + Copy,
) -> Result<Vec<Vec<R>>, Error> {
    let span = QuerySpan::start(query, "batchmany");
    let result = span
        .instrument(async {
            client.warm(query).await.map_err(db(query))?;
            try_join_all(
                rows.into_iter()
                    .map(|params| async move { run_many(client, query, &params, decode).await }),
            )
            .await
        })
        .await;
    span.finish(
        &result,
        |sets| Some(sets.iter().map(|rows| rows.len() as u64).sum()),
        false,
    );
    result
}
