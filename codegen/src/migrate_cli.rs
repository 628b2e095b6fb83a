//! `squill migrate` subcommands: apply (default), `status` (a CI gate), `repair` and `down`.
//!
//! A thin shell over [`squill::migrate`]: parse flags, read the folder, print the outcome.
//! Results go to stdout, progress and errors to stderr; the exit code is non-zero on any error
//! or problem.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use squill::migrate::{Event, Migrator, load_dir};
use squill::tls::ConnectConfig;

/// Apply, check or repair the migrations in `schema/`.
#[derive(clap::Args, Debug, Clone)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: Option<MigrateCommand>,

    #[command(flatten)]
    pub options: MigrateOptions,

    /// Show what would run and any problem, change nothing (like `status`).
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum MigrateCommand {
    /// List applied and pending migrations and any problem; exits non-zero on a problem,
    /// so it can gate CI. Changes nothing.
    Status,
    /// Record an intended change to an applied file (its new checksum), or forget an applied
    /// file that was removed. Logged with the old and new checksum, who, when and why.
    Repair {
        /// The migration file, e.g. 0002_orders.sql.
        file: String,
        /// Why, for the repair log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Revert, newest first, every applied migration above VERSION with its down part (a
    /// `-- squill:down` section or a .down.sql file); refused before anything runs when one
    /// of them has none.
    Down {
        /// The version to go back to (0: revert everything).
        #[arg(long, value_name = "VERSION")]
        to: u64,
    },
}

/// Options shared by every `migrate` subcommand.
#[derive(clap::Args, Debug, Clone)]
pub struct MigrateOptions {
    /// Folder holding the migrations.
    #[arg(long, default_value = "schema", global = true)]
    pub dir: PathBuf,

    /// Database to migrate (`postgres://...` or `host=... dbname=...`); default: $DATABASE_URL.
    #[arg(long, value_name = "URL", global = true)]
    pub database_url: Option<String>,

    /// Schema of the history table.
    #[arg(long, default_value = "public", global = true)]
    pub schema: String,

    /// Name of the history table (the repair log is <TABLE>_repairs).
    #[arg(long, default_value = "squill_migrations", global = true)]
    pub table: String,

    /// lock_timeout for each migration (e.g. 5s, 500ms, 1m; 0 disables).
    #[arg(long, default_value = "5s", value_parser = parse_duration, global = true)]
    pub lock_timeout: Duration,

    /// Retries after a lock_timeout, with backoff.
    #[arg(long, default_value_t = 3, global = true)]
    pub retries: u32,

    /// Deadline for connecting: TCP, TLS and authentication together.
    #[arg(long, default_value = "10s", value_parser = parse_duration, global = true)]
    pub connect_timeout: Duration,

    /// How long to wait for another `squill migrate` to finish.
    #[arg(long, default_value = "5m", value_parser = parse_duration, global = true)]
    pub lock_wait: Duration,

    /// Apply pending migrations older than the newest applied one instead of refusing.
    #[arg(long, global = true)]
    pub allow_out_of_order: bool,

    /// Run even when the schema differs from the snapshot recorded after the last run (a
    /// change made by hand); the next snapshot takes the schema as it is.
    #[arg(long, global = true)]
    pub allow_drift: bool,
}

/// Runs `squill migrate ...` and returns the process exit code.
pub fn run(args: MigrateArgs) -> ExitCode {
    block_on(execute(args))
}

/// Runs a command's future on a current-thread runtime; an error message is printed and
/// fails the process.
fn block_on(work: impl std::future::Future<Output = Result<ExitCode, String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(args: MigrateArgs) -> Result<ExitCode, String> {
    let options = &args.options;
    let ConnectConfig { config, tls, .. } = database_config(options.database_url.as_deref())?;
    let migrations = load_dir(&options.dir).map_err(|e| e.to_string())?;
    let migrator = Migrator::new(migrations)
        .schema(&options.schema)
        .table(&options.table)
        .lock_timeout(options.lock_timeout)
        .connect_timeout(options.connect_timeout)
        .lock_wait(options.lock_wait)
        .retries(options.retries)
        .allow_out_of_order(options.allow_out_of_order)
        .allow_drift(options.allow_drift)
        .on_event(print_progress);

    match &args.command {
        None if !args.dry_run => {
            let report = migrator
                .run_with_tls(&config, tls)
                .await
                .map_err(|e| e.to_string())?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        None | Some(MigrateCommand::Status) => {
            let status = migrator
                .status_with_tls(&config, tls)
                .await
                .map_err(|e| e.to_string())?;
            println!("{status}");
            Ok(if status.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(MigrateCommand::Down { to }) => down(&migrator, &config, tls, *to).await,
        Some(MigrateCommand::Repair { file, reason }) => {
            let repair = migrator
                .repair_with_tls(&config, file, reason.as_deref(), tls)
                .await
                .map_err(|e| e.to_string())?;
            println!("{repair}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `squill migrate down --to VERSION`.
async fn down(
    migrator: &Migrator,
    config: &squill::migrate::Config,
    tls: squill::tls::MakeRustlsConnect,
    to: u64,
) -> Result<ExitCode, String> {
    let report = migrator
        .down_to_with_tls(config, to, tls)
        .await
        .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// `squill seed`: migrate, then run the development seeds.
#[derive(clap::Args, Debug, Clone)]
pub struct SeedArgs {
    #[command(flatten)]
    pub options: MigrateOptions,

    /// Project root holding squill.toml (`seeds = "..."`, `[seed] allow_hosts`).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,

    /// Folder of seeds (default: `seeds` in squill.toml, else `seeds/`), relative to the root.
    #[arg(long, value_name = "DIR")]
    pub seeds: Option<PathBuf>,
}

/// Runs `squill seed` and returns the process exit code: the production guard first, then
/// `squill migrate`, then each new (or changed idempotent) seed.
pub fn run_seed(args: SeedArgs) -> ExitCode {
    block_on(seed(args))
}

async fn seed(args: SeedArgs) -> Result<ExitCode, String> {
    let project = crate::config::Config::load(&args.root).map_err(|d| d.render())?;
    let dir = args
        .root
        .join(args.seeds.as_ref().unwrap_or(&project.seeds));
    let seeds = squill::migrate::load_seeds(&dir).map_err(|e| e.to_string())?;
    let seeder = squill::migrate::Seeder::new(seeds)
        .schema(&args.options.schema)
        .allow_hosts(project.seed.allow_hosts)
        .connect_timeout(args.options.connect_timeout);
    let ConnectConfig { config, .. } = database_config(args.options.database_url.as_deref())?;
    // Before anything runs, migrations included.
    seeder.check_target(&config).map_err(|e| e.to_string())?;
    let migrate = MigrateArgs {
        command: None,
        options: args.options.clone(),
        dry_run: false,
    };
    execute(migrate).await?;
    let ConnectConfig { config, tls, .. } = database_config(args.options.database_url.as_deref())?;
    let report = seeder
        .run_with_tls(&config, tls)
        .await
        .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// `--database-url`, else `$DATABASE_URL`, with its TLS settings (`sslmode`, `sslrootcert`:
/// see `squill::tls`). The URL is never echoed: it may hold a password.
fn database_config(flag: Option<&str>) -> Result<ConnectConfig, String> {
    let url = match flag {
        Some(url) => url.to_string(),
        None => std::env::var("DATABASE_URL").map_err(|_| {
            "error: no database to migrate\n  = help: pass --database-url or set DATABASE_URL \
             (postgres://user@host/dbname or \"host=... dbname=...\")"
                .to_string()
        })?,
    };
    ConnectConfig::from_url(&url).map_err(|e| {
        format!(
            "error: the database URL cannot be used: {e}\n  = help: use \
             postgres://user:password@host:5432/dbname?sslmode=verify-full or \
             \"host=... user=... dbname=... sslmode=...\""
        )
    })
}

fn print_progress(event: Event<'_>) {
    match event {
        Event::WaitingForLock { holder } => eprintln!(
            "waiting for another squill migrate to finish (lock held by {})",
            holder.unwrap_or("another session")
        ),
        Event::Applying {
            file,
            transactional: false,
        } => eprintln!("applying {file} (without a transaction)"),
        Event::Applying { file, .. } => eprintln!("applying {file}"),
        Event::Reverting {
            file,
            transactional: false,
        } => eprintln!("reverting {file} (without a transaction)"),
        Event::Reverting { file, .. } => eprintln!("reverting {file}"),
        Event::DriftAllowed { differences } => eprintln!(
            "warning: the schema differs from the last snapshot in {differences} place(s); \
             running anyway (--allow-drift)"
        ),
        Event::Retrying {
            file,
            attempt,
            delay,
        } => eprintln!(
            "{file} hit lock_timeout; attempt {attempt} in {}ms",
            delay.as_millis()
        ),
        _ => {}
    }
}

/// `500ms`, `5s`, `2m`, `1h`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: use e.g. 500ms, 5s, 2m"))?;
    let millis = match unit.trim() {
        "ms" => Some(number),
        "" | "s" => number.checked_mul(1000),
        "m" | "min" => number.checked_mul(60_000),
        "h" => number.checked_mul(3_600_000),
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`: use ms, s, m or h"
            ));
        }
    };
    millis
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}` is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }
}
