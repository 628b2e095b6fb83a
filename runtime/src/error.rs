use std::fmt;

#[cfg(all(feature = "sync", not(feature = "async")))]
use postgres::error::{DbError, SqlState};
#[cfg(feature = "async")]
use tokio_postgres::error::{DbError, SqlState};

/// The driver's error (`postgres::Error` is the same type as `tokio_postgres::Error`).
#[cfg(feature = "async")]
type Driver = tokio_postgres::Error;
#[cfg(all(feature = "sync", not(feature = "async")))]
type Driver = postgres::Error;

/// An error from running a generated query, or from a squill client (a transaction's
/// `BEGIN`/`COMMIT`, a connection). Errors of generated queries name the query.
///
/// Match on [`Error::class`] (or the `is_*` shortcuts) to handle a unique violation, a
/// serialization failure and the like without parsing messages:
///
/// ```
/// # #[cfg(any(feature = "async", feature = "sync"))]
/// fn explain(error: &squill::Error) -> String {
///     match error.class() {
///         squill::ErrorClass::UniqueViolation => {
///             format!("taken (constraint {})", error.constraint().unwrap_or("?"))
///         }
///         squill::ErrorClass::SerializationFailure | squill::ErrorClass::DeadlockDetected => {
///             "retry the transaction".to_string()
///         }
///         _ => error.to_string(),
///     }
/// }
/// ```
#[derive(Debug)]
pub struct Error {
    query: Option<&'static str>,
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
    #[cfg(any(feature = "async", feature = "sync"))]
    Db(Driver),
}

/// The kind of failure, from PostgreSQL's SQLSTATE where it reported one, for `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorClass {
    /// `:one` found no row.
    NoRows,
    /// `:one`/`:opt` found more than one row.
    TooManyRows,
    /// `check_types`: type overrides the server's types contradict.
    TypeMismatch,
    /// 23505: a unique index or constraint already holds the value ([`Error::constraint`]).
    UniqueViolation,
    /// 23503: a foreign key does not match ([`Error::constraint`]).
    ForeignKeyViolation,
    /// 23502: NULL into a NOT NULL column ([`Error::column`]).
    NotNullViolation,
    /// 23514: a CHECK constraint failed ([`Error::constraint`]).
    CheckViolation,
    /// 23P01: an exclusion constraint failed ([`Error::constraint`]).
    ExclusionViolation,
    /// 40001: the transaction must be retried (serializable or repeatable read).
    SerializationFailure,
    /// 40P01: the transaction was chosen as a deadlock victim; retry it.
    DeadlockDetected,
    /// 55P03: `lock_timeout` expired or `NOWAIT` found the row locked.
    LockNotAvailable,
    /// 57014: `statement_timeout` expired or the query was cancelled.
    QueryCanceled,
    /// Any other error PostgreSQL reported ([`Error::code`] has its SQLSTATE).
    Database,
    /// The connection failed or closed, or the driver could not encode or decode a value.
    Client,
}

impl Error {
    pub fn new(query: &'static str, kind: ErrorKind) -> Self {
        Self {
            query: Some(query),
            kind,
        }
    }

    /// Name of the query (from its `-- name:` annotation), when a generated query failed.
    pub fn query(&self) -> Option<&'static str> {
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

    /// What kind of failure this is.
    pub fn class(&self) -> ErrorClass {
        match &self.kind {
            ErrorKind::NoRows => ErrorClass::NoRows,
            ErrorKind::TooManyRows => ErrorClass::TooManyRows,
            ErrorKind::Types(_) => ErrorClass::TypeMismatch,
            #[cfg(any(feature = "async", feature = "sync"))]
            ErrorKind::Db(e) => match e.code() {
                None => ErrorClass::Client,
                Some(code) => class_of(code),
            },
        }
    }

    /// A unique index or constraint rejected the row.
    pub fn is_unique_violation(&self) -> bool {
        self.class() == ErrorClass::UniqueViolation
    }

    /// A foreign key rejected the row.
    pub fn is_foreign_key_violation(&self) -> bool {
        self.class() == ErrorClass::ForeignKeyViolation
    }

    /// A serialization failure or a deadlock: running the transaction again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::SerializationFailure | ErrorClass::DeadlockDetected
        )
    }

    /// The SQLSTATE code, when PostgreSQL reported the error.
    #[cfg(any(feature = "async", feature = "sync"))]
    pub fn code(&self) -> Option<&SqlState> {
        match &self.kind {
            ErrorKind::Db(e) => e.code(),
            _ => None,
        }
    }

    /// PostgreSQL's error report (message, detail, hint, table, constraint...), when there is one.
    #[cfg(any(feature = "async", feature = "sync"))]
    pub fn db_error(&self) -> Option<&DbError> {
        match &self.kind {
            ErrorKind::Db(e) => e.as_db_error(),
            _ => None,
        }
    }

    /// The constraint a violation names (`users_email_key`).
    #[cfg(any(feature = "async", feature = "sync"))]
    pub fn constraint(&self) -> Option<&str> {
        self.db_error()?.constraint()
    }

    /// The column a violation names (NOT NULL violations).
    #[cfg(any(feature = "async", feature = "sync"))]
    pub fn column(&self) -> Option<&str> {
        self.db_error()?.column()
    }
}

#[cfg(any(feature = "async", feature = "sync"))]
fn class_of(code: &SqlState) -> ErrorClass {
    let classes = [
        (SqlState::UNIQUE_VIOLATION, ErrorClass::UniqueViolation),
        (
            SqlState::FOREIGN_KEY_VIOLATION,
            ErrorClass::ForeignKeyViolation,
        ),
        (SqlState::NOT_NULL_VIOLATION, ErrorClass::NotNullViolation),
        (SqlState::CHECK_VIOLATION, ErrorClass::CheckViolation),
        (
            SqlState::EXCLUSION_VIOLATION,
            ErrorClass::ExclusionViolation,
        ),
        (
            SqlState::T_R_SERIALIZATION_FAILURE,
            ErrorClass::SerializationFailure,
        ),
        (
            SqlState::T_R_DEADLOCK_DETECTED,
            ErrorClass::DeadlockDetected,
        ),
        (SqlState::LOCK_NOT_AVAILABLE, ErrorClass::LockNotAvailable),
        (SqlState::QUERY_CANCELED, ErrorClass::QueryCanceled),
    ];
    classes
        .into_iter()
        .find(|(state, _)| state == code)
        .map_or(ErrorClass::Database, |(_, class)| class)
}

/// A driver error outside a generated query (a transaction's `BEGIN`, a connection), so `?`
/// works in functions returning `squill::Error`.
#[cfg(any(feature = "async", feature = "sync"))]
impl From<Driver> for Error {
    fn from(error: Driver) -> Self {
        Self {
            query: None,
            kind: ErrorKind::Db(error),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(query) = self.query {
            write!(f, "query {query}: ")?;
        }
        match &self.kind {
            ErrorKind::NoRows => f.write_str("expected one row, got none"),
            ErrorKind::TooManyRows => f.write_str("expected at most one row, got more"),
            ErrorKind::Types(mismatches) => {
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
                    write!(f, "{}: {}", db.severity(), db.message())?;
                    if *db.code() == SqlState::INVALID_SQL_STATEMENT_NAME {
                        f.write_str(
                            " (the server connection lost this client's prepared statement: behind a \
                             transaction-mode pooler such as PgBouncer, use squill::Client::pooler_safe)",
                        )?;
                    }
                    Ok(())
                }
                None => write!(f, "{e}"),
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
