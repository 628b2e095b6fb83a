//! Seeds for development databases: `seeds/*.sql`, run in name order after the migrations,
//! each in its own transaction with its row in `squill_seeds` (name, checksum).
//!
//! * **Once each.** A seed that ran is not run again while its checksum is unchanged.
//! * **Changed seeds.** A seed whose leading comments say `-- squill:idempotent` (written so
//!   that running it twice changes nothing: `INSERT ... ON CONFLICT DO NOTHING`, upserts) runs
//!   again when it changes. Any other changed seed is reported and nothing runs: running it
//!   again could duplicate rows, and skipping it would leave the database unlike the file.
//! * **Never on production.** Refused, before connecting, when a host of the connection is
//!   not in the allowed list (default: `localhost`, `127.0.0.1`, `::1` and Unix sockets) or
//!   when `SQUILL_ENV` is `production`/`prod`; refused after connecting when the database's
//!   `squill.environment` setting (`ALTER DATABASE app SET squill.environment =
//!   'production'`) says so.

use std::path::Path;
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::error::ErrorPosition;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls, Socket};

use super::error::{Location, MigrateError, describe};
use super::history::quote_ident;
use super::lock::{self, MigrationLock};
use super::runner::{CONNECT_TIMEOUT, connect, drive};
use super::source::{checksum, normalize};

/// The leading-comment directive of a seed that may run again when it changes.
pub const IDEMPOTENT: &str = "-- squill:idempotent";

/// The table that records which seeds ran (in the seeder's schema).
pub(crate) const SEEDS_TABLE: &str = "squill_seeds";

/// The environment variable that marks a machine as production for seeding.
pub const ENV_VAR: &str = "SQUILL_ENV";

/// One seed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// The file name, `0001_users.sql`.
    pub name: String,
    pub sql: String,
}

impl Seed {
    /// Whether the seed says it may run again (`-- squill:idempotent` before its first
    /// statement).
    pub fn idempotent(&self) -> bool {
        let text = normalize(&self.sql);
        let header = &text[..super::split::first_token_offset(&text)];
        header
            .lines()
            .any(|l| l.trim().eq_ignore_ascii_case(IDEMPOTENT))
    }
}

/// The `.sql` files directly in `dir`, by name (hidden files skipped). A missing folder is
/// no seeds.
pub fn load_seeds(dir: &Path) -> Result<Vec<Seed>, MigrateError> {
    let io = |source| MigrateError::Io {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && name.ends_with(".sql") && !name.starts_with('.') {
            let sql = std::fs::read_to_string(&path).map_err(|source| MigrateError::Io {
                path: path.clone(),
                source,
            })?;
            seeds.push(Seed { name, sql });
        }
    }
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(seeds)
}

/// What a seeding run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Seeds run for the first time.
    pub ran: Vec<String>,
    /// Idempotent seeds run again because they changed.
    pub rerun: Vec<String>,
    /// Seeds that had already run, unchanged.
    pub unchanged: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for name in &self.ran {
            writeln!(f, "seeded {name}")?;
        }
        for name in &self.rerun {
            writeln!(f, "seeded {name} again (changed, idempotent)")?;
        }
        write!(
            f,
            "{} seed{} run, {} already run",
            self.ran.len() + self.rerun.len(),
            if self.ran.len() + self.rerun.len() == 1 {
                ""
            } else {
                "s"
            },
            self.unchanged
        )
    }
}

/// Runs seeds. Build with [`Seeder::new`], then [`run`](Self::run).
#[derive(Debug, Clone)]
pub struct Seeder {
    seeds: Vec<Seed>,
    schema: String,
    table: String,
    allow_hosts: Vec<String>,
    connect_timeout: Duration,
    lock_wait: Duration,
}

/// The hosts seeding is allowed on by default.
pub const DEFAULT_ALLOW_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl Seeder {
    pub fn new(seeds: Vec<Seed>) -> Self {
        Seeder {
            seeds,
            schema: "public".into(),
            table: SEEDS_TABLE.into(),
            allow_hosts: DEFAULT_ALLOW_HOSTS.iter().map(|h| h.to_string()).collect(),
            connect_timeout: CONNECT_TIMEOUT,
            lock_wait: Duration::from_secs(300),
        }
    }

    /// Schema of the `squill_seeds` table. Default `public`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The TCP hosts seeding may connect to (Unix sockets are always local). Replaces the
    /// default list.
    pub fn allow_hosts(mut self, hosts: Vec<String>) -> Self {
        self.allow_hosts = hosts;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The production guard that needs no connection: the hosts of `config` and
    /// `$SQUILL_ENV`.
    pub fn check_target(&self, config: &Config) -> Result<(), MigrateError> {
        let env = std::env::var(ENV_VAR).unwrap_or_default();
        if is_production(&env) {
            return Err(MigrateError::SeedRefused(format!(
                "{ENV_VAR} is `{env}`: seeds are for development databases"
            )));
        }
        for host in config.get_hosts() {
            if let Host::Tcp(name) = host
                && !self
                    .allow_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(name))
            {
                return Err(MigrateError::SeedRefused(format!(
                    "host `{name}` is not one seeds may run on (allowed: {}, Unix sockets)",
                    self.allow_hosts.join(", ")
                )));
            }
        }
        for addr in config.get_hostaddrs() {
            if !addr.is_loopback() && !self.allow_hosts.iter().any(|h| *h == addr.to_string()) {
                return Err(MigrateError::SeedRefused(format!(
                    "hostaddr {addr} is not one seeds may run on"
                )));
            }
        }
        Ok(())
    }

    pub async fn run(&self, config: &Config) -> Result<SeedReport, MigrateError> {
        self.run_with_tls(config, NoTls).await
    }

    /// [`run`](Self::run) over TLS.
    pub async fn run_with_tls<T>(&self, config: &Config, tls: T) -> Result<SeedReport, MigrateError>
    where
        T: MakeTlsConnect<Socket>,
    {
        self.check_target(config)?;
        let (client, connection) = connect(config, tls, self.connect_timeout).await?;
        drive(connection, async move {
            let result = self.run_connected(&client).await;
            drop(client);
            result
        })
        .await
    }

    async fn run_connected(&self, client: &Client) -> Result<SeedReport, MigrateError> {
        let db = |action: &'static str| move |e| MigrateError::database(action, e);
        let row = client
            .query_one(
                "SELECT current_database(), coalesce(current_setting('squill.environment', true), '')",
                &[],
            )
            .await
            .map_err(db("reading the database's environment"))?;
        let (database, environment): (String, String) = (row.get(0), row.get(1));
        if is_production(&environment) {
            return Err(MigrateError::SeedRefused(format!(
                "database {database} has squill.environment = '{environment}'"
            )));
        }
        let key = lock::key(&database, &self.schema, &self.table);
        let lock = MigrationLock::acquire(client, key, self.lock_wait, |_| {}).await?;
        let result = self.run_locked(client).await;
        if result.is_err() {
            let _ = client.batch_execute("ROLLBACK").await;
        }
        let _ = lock.release(client).await;
        result
    }

    async fn run_locked(&self, client: &Client) -> Result<SeedReport, MigrateError> {
        let table = format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table));
        let db = |action: &'static str| move |e| MigrateError::database(action, e);
        client
            .batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {table} (
                     name       text        PRIMARY KEY,
                     checksum   text        NOT NULL,
                     seeded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
                     seeded_by  text        NOT NULL DEFAULT current_user
                 )"
            ))
            .await
            .map_err(db("creating the seeds table"))?;
        let rows = client
            .query(&format!("SELECT name, checksum FROM {table}"), &[])
            .await
            .map_err(db("reading the seeds table"))?;
        let done: std::collections::HashMap<String, String> =
            rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let mut report = SeedReport::default();
        let mut plan = Vec::new();
        let mut changed = Vec::new();
        for seed in &self.seeds {
            let sum = checksum(&seed.sql);
            match done.get(&seed.name) {
                None => plan.push((seed, sum, false)),
                Some(old) if *old == sum => report.unchanged += 1,
                Some(_) if seed.idempotent() => plan.push((seed, sum, true)),
                Some(_) => changed.push(seed.name.clone()),
            }
        }
        if !changed.is_empty() {
            return Err(MigrateError::SeedsChanged(changed));
        }
        for (seed, sum, again) in plan {
            run_seed(client, &table, seed, &sum).await?;
            if again {
                report.rerun.push(seed.name.clone());
            } else {
                report.ran.push(seed.name.clone());
            }
        }
        Ok(report)
    }
}

/// One seed and its row, in one transaction.
async fn run_seed(
    client: &Client,
    table: &str,
    seed: &Seed,
    sum: &str,
) -> Result<(), MigrateError> {
    let text = normalize(&seed.sql);
    let db = |action: &'static str| move |e| MigrateError::database(action, e);
    client
        .batch_execute("BEGIN")
        .await
        .map_err(db("starting a seed's transaction"))?;
    if let Err(e) = client.batch_execute(&text).await {
        let _ = client.batch_execute("ROLLBACK").await;
        let offset = match e.as_db_error().and_then(|d| d.position()) {
            Some(ErrorPosition::Original(p)) => Location::char_position_to_offset(&text, *p),
            _ => 0,
        };
        let location = Location::at(&text, offset);
        return Err(MigrateError::Seed {
            file: seed.name.clone(),
            location,
            message: describe(&e),
            source: e,
        });
    }
    client
        .execute(
            &format!(
                "INSERT INTO {table} (name, checksum) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET checksum = $2, seeded_at = clock_timestamp(),
                     seeded_by = current_user"
            ),
            &[&seed.name, &sum],
        )
        .await
        .map_err(db("recording the seed"))?;
    client
        .batch_execute("COMMIT")
        .await
        .map_err(db("committing a seed"))?;
    Ok(())
}

fn is_production(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "production" | "prod"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_needs_a_local_host() {
        let seeder = Seeder::new(Vec::new());
        let local: Config = "host=localhost dbname=app".parse().unwrap();
        assert!(seeder.check_target(&local).is_ok());
        let socket: Config = "host=/tmp dbname=app".parse().unwrap();
        assert!(seeder.check_target(&socket).is_ok());
        let remote: Config = "postgres://app@db.example.com/app".parse().unwrap();
        let err = seeder.check_target(&remote).unwrap_err().to_string();
        assert!(err.contains("db.example.com"), "{err}");
        let allowed = Seeder::new(Vec::new()).allow_hosts(vec!["db.example.com".into()]);
        assert!(allowed.check_target(&remote).is_ok());
    }

    #[test]
    fn idempotent_seeds_say_so_first() {
        let seed = |sql: &str| Seed {
            name: "a.sql".into(),
            sql: sql.into(),
        };
        assert!(seed("-- demo data\n-- squill:idempotent\nINSERT ...").idempotent());
        assert!(!seed("INSERT ...;\n-- squill:idempotent\n").idempotent());
        assert!(is_production(" Production ") && !is_production("dev"));
    }
}
