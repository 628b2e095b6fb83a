//! Connecting with a deadline on the whole startup: TCP connect, TLS handshake and
//! authentication together.
//!
//! `tokio-postgres`'s own `connect_timeout` bounds the TCP connect only: a server (or a proxy,
//! or a wrong port) that accepts the connection and never answers hangs `Config::connect`
//! forever. [`connect`] and [`blocking::connect`](crate::blocking::connect) give up after
//! [`CONNECT_TIMEOUT`] (10 s) or the deadline given to [`connect_within`].

use std::fmt;
use std::time::Duration;

#[cfg(feature = "async")]
use tokio_postgres::tls::MakeTlsConnect;
#[cfg(feature = "async")]
use tokio_postgres::{Client, Config, Connection, Socket};

/// The driver's error (`postgres` re-exports `tokio-postgres`'s).
#[cfg(feature = "async")]
type DriverError = tokio_postgres::Error;
#[cfg(not(feature = "async"))]
type DriverError = postgres::Error;

/// Deadline for connecting, the TLS handshake and authentication, by default.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What to connect to: a `tokio_postgres::Config`, or a connection string
/// (`postgres://...` or `host=... dbname=...`).
#[cfg(feature = "async")]
pub trait IntoConfig {
    fn into_config(self) -> Result<Config, tokio_postgres::Error>;
}

#[cfg(feature = "async")]
impl IntoConfig for Config {
    fn into_config(self) -> Result<Config, tokio_postgres::Error> {
        Ok(self)
    }
}

#[cfg(feature = "async")]
impl IntoConfig for &Config {
    fn into_config(self) -> Result<Config, tokio_postgres::Error> {
        Ok(self.clone())
    }
}

#[cfg(feature = "async")]
impl IntoConfig for &str {
    fn into_config(self) -> Result<Config, tokio_postgres::Error> {
        self.parse()
    }
}

#[cfg(feature = "async")]
impl IntoConfig for &String {
    fn into_config(self) -> Result<Config, tokio_postgres::Error> {
        self.parse()
    }
}

#[cfg(feature = "async")]
impl IntoConfig for String {
    fn into_config(self) -> Result<Config, tokio_postgres::Error> {
        self.parse()
    }
}

/// Why no connection was made.
#[derive(Debug)]
pub enum ConnectError {
    /// The connection string is not valid.
    Config(DriverError),
    /// The server refused or failed the connection (unreachable, TLS, authentication, ...).
    Connect(DriverError),
    /// No answer within the deadline: the connection was accepted (or is still being made),
    /// the startup did not finish.
    Timeout(Duration),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Config(e) => write!(f, "invalid connection string: {e}"),
            ConnectError::Connect(e) => write!(f, "cannot connect to PostgreSQL: {e}"),
            ConnectError::Timeout(deadline) => write!(
                f,
                "PostgreSQL did not finish the connection startup within {deadline:?}: check the \
                 host and port (is it a PostgreSQL server?), or raise the connect timeout"
            ),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectError::Config(e) | ConnectError::Connect(e) => Some(e),
            ConnectError::Timeout(_) => None,
        }
    }
}

#[cfg(feature = "async")]
/// Connects within the URL's `connect_timeout` (libpq's meaning: the whole startup), else
/// [`CONNECT_TIMEOUT`]; spawn (or poll) the returned connection as with
/// `tokio_postgres::connect`.
///
/// # Timeouts once connected
///
/// Nothing bounds a query by default, in PostgreSQL or in the driver. Set what your
/// application needs, per session or per role:
///
/// * `statement_timeout`: the server cancels a statement running longer
///   (`options=-c statement_timeout=5s` in the URL, `SET statement_timeout = '5s'`, or
///   `ALTER ROLE app SET statement_timeout = '5s'`).
/// * `lock_timeout`: a statement waiting longer for a lock fails instead of queueing (and
///   making everything behind it queue).
/// * `idle_in_transaction_session_timeout`: the server ends a session that holds a
///   transaction open and idle, which would otherwise keep its locks and hold back vacuum.
/// * `tcp_user_timeout` and `keepalives_idle` / `keepalives_interval` / `keepalives_retries`
///   (`tokio_postgres::Config`, or `?keepalives_idle=30` in the URL): detect a peer that
///   vanished without closing the connection (a server or network gone), which no server-side
///   setting can.
/// * Client side, `tokio::time::timeout` around a call bounds the wait; drop the future and
///   use `Client::cancel_token` to stop the statement on the server too.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "postgres://app@db/app?options=-c%20statement_timeout%3D5s%20-c%20lock_timeout%3D2s";
/// let (client, connection) = squill::connect(url, tokio_postgres::NoTls).await?;
/// tokio::spawn(connection);
/// # Ok(()) }
/// ```
#[cfg(feature = "async")]
pub async fn connect<T>(
    config: impl IntoConfig,
    tls: T,
) -> Result<(Client, Connection<Socket, T::Stream>), ConnectError>
where
    T: MakeTlsConnect<Socket>,
{
    let config = config.into_config().map_err(ConnectError::Config)?;
    let deadline = startup_deadline(config.get_connect_timeout());
    connect_within(config, tls, deadline).await
}

/// The URL's `connect_timeout` bounds the whole startup, as in libpq; else [`CONNECT_TIMEOUT`].
pub(crate) fn startup_deadline(connect_timeout: Option<&Duration>) -> Duration {
    connect_timeout.copied().unwrap_or(CONNECT_TIMEOUT)
}

/// Connects within `deadline`, from the first byte to the end of authentication. A
/// `connect_timeout` of the config's own (TCP connect only, per address) is kept; without one,
/// it is set to `deadline`.
#[cfg(feature = "async")]
pub async fn connect_within<T>(
    config: impl IntoConfig,
    tls: T,
    deadline: Duration,
) -> Result<(Client, Connection<Socket, T::Stream>), ConnectError>
where
    T: MakeTlsConnect<Socket>,
{
    let mut config = config.into_config().map_err(ConnectError::Config)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(deadline);
    }
    match tokio::time::timeout(deadline, config.connect(tls)).await {
        Ok(connected) => connected.map_err(ConnectError::Connect),
        Err(_) => Err(ConnectError::Timeout(deadline)),
    }
}
