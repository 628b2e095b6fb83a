use std::fmt;

/// An error from running a generated query; it always names the query.
#[derive(Debug)]
pub struct Error {
    query: &'static str,
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A `:one` query returned no row.
    NoRows,
    /// A `:one` or `:opt` query returned more than one row.
    TooManyRows,
    /// `check_types`: type overrides the server's types contradict.
    Types(Vec<crate::TypeMismatch>),
    /// PostgreSQL or the driver reported an error (connection, SQL state, decoding).
    #[cfg(feature = "async")]
    Db(tokio_postgres::Error),
    /// PostgreSQL or the driver reported an error (connection, SQL state, decoding).
    #[cfg(all(feature = "sync", not(feature = "async")))]
    Db(postgres::Error),
}

impl Error {
    pub fn new(query: &'static str, kind: ErrorKind) -> Self {
        Self { query, kind }
    }

    /// Name of the query (from its `-- name:` annotation).
    pub fn query(&self) -> &'static str {
        self.query
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// True when a `:one` query found no row.
    pub fn is_no_rows(&self) -> bool {
        matches!(self.kind, ErrorKind::NoRows)
    }

    /// The SQLSTATE code, when PostgreSQL reported the error.
    #[cfg(any(feature = "async", feature = "sync"))]
    pub fn code(&self) -> Option<&postgres_types_sqlstate::SqlState> {
        match &self.kind {
            ErrorKind::Db(e) => e.code(),
            _ => None,
        }
    }
}

#[cfg(all(feature = "sync", not(feature = "async")))]
use postgres::error as postgres_types_sqlstate;
#[cfg(feature = "async")]
use tokio_postgres::error as postgres_types_sqlstate;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::NoRows => write!(f, "query {}: expected one row, got none", self.query),
            ErrorKind::TooManyRows => {
                write!(
                    f,
                    "query {}: expected at most one row, got more",
                    self.query
                )
            }
            ErrorKind::Types(mismatches) => {
                write!(f, "query {}: ", self.query)?;
                for (i, m) in mismatches.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{m}")?;
                }
                Ok(())
            }
            #[cfg(any(feature = "async", feature = "sync"))]
            ErrorKind::Db(e) => match e.as_db_error() {
                Some(db) => {
                    write!(
                        f,
                        "query {}: {}: {}",
                        self.query,
                        db.severity(),
                        db.message()
                    )?;
                    if *db.code() == postgres_types_sqlstate::SqlState::INVALID_SQL_STATEMENT_NAME {
                        f.write_str(
                            " (the server connection lost this client's prepared statement: behind a \
                             transaction-mode pooler such as PgBouncer, use squill::Client::pooler_safe)",
                        )?;
                    }
                    Ok(())
                }
                None => write!(f, "query {}: {e}", self.query),
            },
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            #[cfg(any(feature = "async", feature = "sync"))]
            ErrorKind::Db(e) => Some(e),
            _ => None,
        }
    }
}
