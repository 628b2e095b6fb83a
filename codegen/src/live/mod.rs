//! Live PostgreSQL: a throwaway server or `DATABASE_URL`, a scratch database with the schema
//! applied, and `describe` (PREPARE every query; PostgreSQL's answer is the ground truth).

mod describe;
mod nullable_tables;
mod server;

pub use describe::{Describer, split_elements_override, split_override};

pub use server::{ServerBinaries, ServerTls, TempServer, is_root, postgres_account};

use std::fmt;
use std::time::Duration;

/// Why squill could not get a live database.
#[derive(Debug)]
pub enum LiveError {
    /// No server binaries and no `DATABASE_URL`.
    NoServer,
    /// Starting or talking to the throwaway server failed.
    Server(String),
    /// Connecting failed (unreachable host, wrong credentials, timeout).
    Connect(postgres::Error),
    /// The server accepted the connection but did not finish the handshake in time.
    Timeout(Duration),
    /// `DATABASE_URL` is not a valid connection string.
    BadUrl(String),
    /// A statement on the scratch database failed.
    Sql(postgres::Error),
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveError::NoServer => write!(
                f,
                "no PostgreSQL server binaries (initdb, postgres) found on PATH or in \
                 /usr/lib/postgresql/*/bin, and DATABASE_URL is not set\n  = help: install \
                 the server (Debian/Ubuntu: `apt-get install postgresql`), point SQUILL_PG_BIN \
                 at its bin directory, or set DATABASE_URL to a server squill may create a \
                 scratch database on"
            ),
            LiveError::Server(msg) => write!(f, "throwaway PostgreSQL server: {msg}"),
            LiveError::Connect(e) => write!(
                f,
                "cannot connect to PostgreSQL: {}\n  = help: check DATABASE_URL (host, port, \
                 user, password) and that the server accepts connections",
                describe_pg_error(e)
            ),
            LiveError::Timeout(waited) => write!(
                f,
                "PostgreSQL did not answer within {:?} (the connection was accepted, the handshake \
                 never finished)\n  = help: check that DATABASE_URL points at a PostgreSQL server \
                 and that it is not overloaded",
                waited
            ),
            LiveError::BadUrl(msg) => {
                write!(f, "DATABASE_URL cannot be used: {msg}")
            }
            LiveError::Sql(e) => write!(f, "PostgreSQL: {}", describe_pg_error(e)),
        }
    }
}

impl std::error::Error for LiveError {}

/// PostgreSQL's own message when there is one, else the driver's (with its cause chain).
pub fn describe_pg_error(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = cause_source(source);
    }
    text
}

fn cause_source<'a>(
    e: Option<&'a (dyn std::error::Error + 'static)>,
) -> Option<&'a (dyn std::error::Error + 'static)> {
    e.and_then(|e| e.source())
}

/// How long to wait for a `DATABASE_URL` server before failing the build.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects with a deadline on the whole handshake (the runtime's blocking connect):
/// `connect_timeout` only bounds the TCP connect, and a peer that accepts but never answers
/// must not hang a build.
fn connect_within(
    config: &postgres::Config,
    tls: &squill::tls::MakeRustlsConnect,
) -> Result<postgres::Client, LiveError> {
    // The URL's connect_timeout bounds the whole startup, as in libpq.
    let deadline = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(CONNECT_TIMEOUT);
    squill::blocking::connect_within(config, tls.clone(), deadline).map_err(|e| match e {
        squill::ConnectError::Config(e) | squill::ConnectError::Connect(e) => LiveError::Connect(e),
        squill::ConnectError::Timeout(waited) => LiveError::Timeout(waited),
    })
}

/// A connection to the server at `url`, with TLS as its `sslmode`/`sslrootcert` say and a
/// deadline on the whole startup.
pub fn connect_url(url: &str) -> Result<postgres::Client, LiveError> {
    let squill::tls::ConnectConfig { config, tls, .. } =
        squill::tls::ConnectConfig::from_url(url).map_err(|e| LiveError::BadUrl(e.to_string()))?;
    connect_within(&postgres::Config::from(config), &tls)
}

/// A database squill may change freely, dropped (or its server stopped) on drop.
pub struct ScratchDatabase {
    client: Option<postgres::Client>,
    kind: ScratchKind,
}

enum ScratchKind {
    /// Held for its Drop, which stops the server.
    Temp { _server: TempServer },
    /// A database created on the `DATABASE_URL` server; `admin` drops it on drop.
    OnServer {
        admin: Box<postgres::Client>,
        name: String,
    },
}

impl ScratchDatabase {
    /// `DATABASE_URL` when given, else a throwaway server from the installed binaries.
    pub fn open(database_url: Option<&str>) -> Result<Self, LiveError> {
        match database_url {
            Some(url) => Self::on_server(url),
            None => Self::throwaway(),
        }
    }

    /// A fresh throwaway server; its `postgres` database is the scratch database.
    pub fn throwaway() -> Result<Self, LiveError> {
        let server = TempServer::start()?;
        let client = server.connect("postgres")?;
        Ok(Self {
            client: Some(client),
            kind: ScratchKind::Temp { _server: server },
        })
    }

    /// A new database `squill_scratch_<pid>_<n>` on the server at `url` (TLS as its `sslmode`
    /// and `sslrootcert` say: see `squill::tls`).
    pub fn on_server(url: &str) -> Result<Self, LiveError> {
        let squill::tls::ConnectConfig { config, tls, .. } =
            squill::tls::ConnectConfig::from_url(url)
                .map_err(|e| LiveError::BadUrl(e.to_string()))?;
        let mut config = postgres::Config::from(config);
        let mut admin = connect_within(&config, &tls)?;
        let name = format!(
            "squill_scratch_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .map_err(LiveError::Sql)?;
        let client = connect_within(config.dbname(&name), &tls);
        // Built before checking the connection so that a failed connect still drops the database.
        let mut scratch = Self {
            client: None,
            kind: ScratchKind::OnServer {
                admin: Box::new(admin),
                name,
            },
        };
        scratch.client = Some(client?);
        Ok(scratch)
    }

    pub fn client(&mut self) -> &mut postgres::Client {
        self.client
            .as_mut()
            .expect("scratch client lives until drop")
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Close our session first: a database with connections cannot be dropped.
        drop(self.client.take());
        if let ScratchKind::OnServer { admin, name } = &mut self.kind {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}
