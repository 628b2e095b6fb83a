//! One `tracing` span per query run (feature `tracing`), named by OpenTelemetry's database
//! semantic conventions; without the feature every hook here is an empty inline function.

use crate::{Error, Query};

/// The span of one query run: opened before the first round trip, closed with its outcome.
pub(crate) struct QuerySpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl QuerySpan {
    /// Opens the span of `query` (`command` is its annotation: `one`, `many`, `exec`, ...).
    #[inline(always)]
    pub(crate) fn start(query: &'static Query, command: &'static str) -> Self {
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (query, command);
            QuerySpan {}
        }
        #[cfg(feature = "tracing")]
        {
            let span = tracing::info_span!(
                target: "squill::query",
                "db.query",
                "otel.name" = query.name,
                "otel.kind" = "client",
                "otel.status_code" = tracing::field::Empty,
                "db.system" = "postgresql",
                "db.system.name" = "postgresql",
                "db.operation.name" = operation(query.sql),
                "db.query.summary" = query.name,
                "db.query.text" = query.sql,
                "squill.command" = command,
                "db.response.returned_rows" = tracing::field::Empty,
                "db.response.affected_rows" = tracing::field::Empty,
                "error.type" = tracing::field::Empty,
                "error.message" = tracing::field::Empty,
            );
            QuerySpan { span }
        }
    }

    /// `future`, run inside the span (async queries).
    #[cfg(feature = "async")]
    #[inline(always)]
    pub(crate) fn instrument<F: std::future::Future>(
        &self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.span.clone())
        }
        #[cfg(not(feature = "tracing"))]
        {
            future
        }
    }

    /// `work`, run inside the span (blocking queries).
    #[cfg(feature = "sync")]
    #[inline(always)]
    pub(crate) fn in_scope<T>(&self, work: impl FnOnce() -> T) -> T {
        #[cfg(feature = "tracing")]
        {
            self.span.in_scope(work)
        }
        #[cfg(not(feature = "tracing"))]
        {
            work()
        }
    }

    /// Records how a run ended: `rows` returned (or affected, for `exec`) or the error.
    #[inline(always)]
    pub(crate) fn finish<T>(
        &self,
        result: &Result<T, Error>,
        rows: impl FnOnce(&T) -> Option<u64>,
        affected: bool,
    ) {
        #[cfg(not(feature = "tracing"))]
        let _ = (result, rows, affected);
        #[cfg(feature = "tracing")]
        match result {
            Ok(value) => {
                if let Some(n) = rows(value) {
                    let field = if affected {
                        "db.response.affected_rows"
                    } else {
                        "db.response.returned_rows"
                    };
                    self.span.record(field, n);
                }
            }
            Err(error) => {
                self.span.record("otel.status_code", "ERROR");
                self.span.record("error.type", error_type(error));
                self.span
                    .record("error.message", tracing::field::display(error));
            }
        }
    }
}

/// The statement's first keyword (`SELECT`, `INSERT`, `WITH`, `COPY`...), as
/// `db.operation.name`; generated SQL starts with it.
#[cfg(feature = "tracing")]
fn operation(sql: &str) -> &str {
    let sql = sql.trim_start();
    let end = sql
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(sql.len());
    &sql[..end]
}

/// `error.type`: the SQLSTATE when PostgreSQL reported one, else what squill saw.
#[cfg(feature = "tracing")]
fn error_type(error: &Error) -> &str {
    match error.code() {
        Some(code) => code.code(),
        None if error.is_no_rows() => "no_rows",
        None => match error.class() {
            crate::ErrorClass::TooManyRows => "too_many_rows",
            _ => "client",
        },
    }
}

#[cfg(all(test, feature = "tracing"))]
mod tests {
    use super::operation;

    #[test]
    fn operation_is_the_first_keyword() {
        assert_eq!(operation("SELECT 1"), "SELECT");
        assert_eq!(
            operation("\n  WITH t AS (SELECT 1) SELECT * FROM t"),
            "WITH"
        );
        assert_eq!(operation("INSERT INTO t VALUES ($1)"), "INSERT");
        assert_eq!(operation(""), "");
    }
}
