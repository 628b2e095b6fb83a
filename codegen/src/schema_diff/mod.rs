//! The schema-first workflow: `squill diff` (the migration from the current schema to a
//! desired one) and `squill drift` (a live database against its migrations).
//!
//! PostgreSQL is the source of truth, as Atlas's dev database and migra use it: each state is
//! applied to a fresh database on a throwaway server (or `--dev-url`), read back from
//! `pg_catalog` (`introspect`) and compared there (`compare`, `plan`); the offline catalog is
//! built for typing queries and holds no defaults, foreign keys or index definitions.

pub mod compare;
pub mod introspect;
pub mod model;
pub mod plan;
pub mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::diagnostic::Diagnostic;
use crate::ir::MigrationFile;
use crate::live::{LiveError, ScratchDatabase, TempServer};

pub use compare::{Difference, compare};
pub use introspect::introspect;
pub use model::Model;
pub use plan::{DiffError, Options, Plan, diff};

/// The migration runner's own tables (history, repair log, progress of no-transaction files,
/// schema snapshot) and the seeds' record, never part of the schema.
pub const HISTORY_TABLES: [&str; 5] = [
    "public.squill_migrations",
    "public.squill_migrations_repairs",
    "public.squill_migrations_progress",
    "public.squill_migrations_schema",
    "public.squill_seeds",
];

/// Fresh empty databases: on one throwaway server, or each a scratch database on `--dev-url`.
pub enum DevServer {
    Temp { server: TempServer, made: usize },
    Url(String),
}

/// A fresh database and its connection; dropped with it.
pub enum DevDatabase {
    OnTemp(postgres::Client),
    Scratch(ScratchDatabase),
}

impl DevDatabase {
    pub fn client(&mut self) -> &mut postgres::Client {
        match self {
            DevDatabase::OnTemp(client) => client,
            DevDatabase::Scratch(scratch) => scratch.client(),
        }
    }
}

impl DevServer {
    pub fn open(dev_url: Option<&str>) -> Result<Self, LiveError> {
        Ok(match dev_url {
            Some(url) => DevServer::Url(url.to_string()),
            None => DevServer::Temp {
                server: TempServer::start()?,
                made: 0,
            },
        })
    }

    pub fn fresh(&mut self) -> Result<DevDatabase, LiveError> {
        match self {
            DevServer::Url(url) => Ok(DevDatabase::Scratch(ScratchDatabase::on_server(url)?)),
            DevServer::Temp { server, made } => {
                *made += 1;
                let name = format!("squill_dev_{made}");
                server
                    .connect("postgres")?
                    // FILE_COPY: a checkpoint instead of the whole template through the WAL,
                    // much faster on a throwaway server without fsync.
                    .batch_execute(&format!("CREATE DATABASE {name} STRATEGY = FILE_COPY"))
                    .map_err(LiveError::Sql)?;
                Ok(DevDatabase::OnTemp(server.connect(&name)?))
            }
        }
    }
}

/// Why a diff or drift check could not be made.
#[derive(Debug)]
pub enum Failure {
    Live(LiveError),
    /// A state's SQL failed (PostgreSQL's error, at its line).
    Apply(Diagnostic),
    Introspect(postgres::Error),
    Diff(DiffError),
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Live(e) => write!(f, "error: {e}"),
            Failure::Apply(d) => write!(f, "{}", d.render()),
            Failure::Introspect(e) => {
                write!(
                    f,
                    "error: reading the catalog: {}",
                    crate::live::describe_pg_error(e)
                )
            }
            Failure::Diff(e) => write!(f, "{e}"),
            Failure::Other(message) => write!(f, "error: {message}"),
        }
    }
}

impl From<LiveError> for Failure {
    fn from(e: LiveError) -> Self {
        Failure::Live(e)
    }
}

/// The schema `files` produce, applied in order to a fresh database of `dev`.
pub fn state_of(dev: &mut DevServer, files: &[MigrationFile]) -> Result<Model, Failure> {
    let mut db = dev.fresh()?;
    crate::schema::apply(db.client(), files, false).map_err(Failure::Apply)?;
    introspect(db.client(), &history_tables()).map_err(Failure::Introspect)
}

fn history_tables() -> Vec<String> {
    HISTORY_TABLES.iter().map(|t| t.to_string()).collect()
}

/// The desired state: one `.sql` file, or a folder's `.sql` files in name order (`.down.sql`
/// left out), each applied as one batch.
pub fn desired_files(path: &Path, root: &Path) -> Result<Vec<MigrationFile>, Failure> {
    let mut paths = Vec::new();
    if path.is_dir() {
        let entries = std::fs::read_dir(path)
            .map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))?;
        for entry in entries.flatten() {
            let p = entry.path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if p.is_file() && name.ends_with(".sql") && !name.ends_with(".down.sql") {
                paths.push(p);
            }
        }
        paths.sort();
    } else if path.is_file() {
        paths.push(path.to_path_buf());
    } else {
        return Err(Failure::Other(format!("{} does not exist", path.display())));
    }
    crate::schema::load_files(&paths, root).map_err(Failure::Apply)
}

/// `squill diff`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct DiffArgs {
    /// The desired schema: a `.sql` file or a folder of them (applied in name order).
    #[arg(long, value_name = "PATH")]
    pub to: PathBuf,
    /// The new migration's name (`0004_<name>.sql`).
    #[arg(long, default_value = "schema_diff")]
    pub name: String,
    /// Print the migration instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
    /// Project root holding squill.toml and schema/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Server to build both states on (scratch databases are created and dropped); default: a
    /// throwaway server from the installed PostgreSQL binaries.
    #[arg(long, value_name = "URL")]
    pub dev_url: Option<String>,
    /// Make a dropped and an added table (`old=new`) or column (`table.old=new`) one renamed.
    #[arg(long = "rename", value_name = "OLD=NEW")]
    pub renames: Vec<String>,
    /// Build new indexes on existing tables with CREATE INDEX CONCURRENTLY (the file then runs
    /// outside a transaction).
    #[arg(long)]
    pub concurrently: bool,
    /// Also write the down part: the diff in the other direction (desired → current), by the
    /// same engine, as a `-- squill:down` section at the end of the file.
    #[arg(long)]
    pub down: bool,
}

/// The migrations folder of the project at `root`.
fn schema_dir(root: &Path) -> Result<PathBuf, Failure> {
    let config = crate::config::Config::load(root).map_err(Failure::Apply)?;
    Ok(root.join(config.schema))
}

/// What `squill diff` computed: the migration text, when anything differs.
pub struct DiffOutcome {
    pub file_name: String,
    pub text: Option<String>,
    pub warnings: Vec<String>,
}

/// The migration from the migrations in `schema_dir` to the desired files.
pub fn diff_project(args: &DiffArgs) -> Result<DiffOutcome, Failure> {
    let dir = schema_dir(&args.root)?;
    let current = if dir.exists() {
        crate::schema::load(&dir, &args.root).map_err(Failure::Apply)?
    } else {
        Vec::new()
    };
    let desired = desired_files(&args.to, &args.root)?;
    let mut dev = DevServer::open(args.dev_url.as_deref())?;
    let from = state_of(&mut dev, &current)?;
    let to = state_of(&mut dev, &desired)?;
    let options = Options {
        renames: args.renames.clone(),
        concurrently: args.concurrently,
    };
    let plan = diff(&from, &to, &options).map_err(Failure::Diff)?;
    let down = if args.down {
        let reverse = Options {
            renames: plan::reverse_renames(&from, &args.renames),
            concurrently: args.concurrently,
        };
        Some(diff(&to, &from, &reverse).map_err(|e| {
            let mut message = format!("--down: the way back cannot be written: {}", e.message);
            if let Some(help) = &e.help {
                message.push_str(&format!("\n  = help: {help}"));
            }
            message.push_str(
                "\n  = help: or run without --down and write the down part by hand, after a \
                 `-- squill:down` line",
            );
            Failure::Other(message)
        })?)
    } else {
        None
    };
    let file_name = next_file_name(&current, &args.name);
    if plan.steps.is_empty() {
        return Ok(DiffOutcome {
            file_name,
            text: None,
            warnings: plan.warnings,
        });
    }
    let existing: Vec<_> = current
        .iter()
        .map(|m| crate::diagnostic::SourceFile::new(m.file.clone(), m.sql.as_str()))
        .collect();
    let text = render::render(
        &plan,
        down.as_ref(),
        &args.to.display().to_string(),
        &file_name,
        &existing,
    );
    Ok(DiffOutcome {
        file_name,
        text: Some(text),
        warnings: plan.warnings,
    })
}

/// The next version, in the folder's style: timestamps stay timestamps, `0007` becomes `0008`.
pub fn next_file_name(current: &[MigrationFile], name: &str) -> String {
    let last = current.iter().max_by_key(|m| m.version);
    let width = last
        .map(|m| {
            let file = Path::new(&m.file)
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or("");
            file.chars().take_while(char::is_ascii_digit).count()
        })
        .unwrap_or(4)
        .max(1);
    let version = match last {
        Some(m) if width >= 12 => utc_timestamp().max(m.version + 1),
        Some(m) => m.version + 1,
        None => 1,
    };
    format!("{version:0width$}_{name}.sql")
}

/// `YYYYMMDDHHMMSS` now, in UTC.
fn utc_timestamp() -> u64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let date = (year * 10_000 + month * 100 + day) as u64;
    date * 1_000_000 + (rest / 3600) * 10_000 + (rest % 3600 / 60) * 100 + rest % 60
}

/// `squill diff`.
pub fn run_diff(args: DiffArgs) -> ExitCode {
    let outcome = match diff_project(&args) {
        Ok(outcome) => outcome,
        Err(failure) => {
            eprintln!("{failure}");
            return ExitCode::FAILURE;
        }
    };
    for warning in &outcome.warnings {
        eprintln!("warning: {warning}");
    }
    let Some(text) = outcome.text else {
        return ExitCode::SUCCESS;
    };
    if args.dry_run {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let dir = match schema_dir(&args.root) {
        Ok(dir) => dir,
        Err(failure) => {
            eprintln!("{failure}");
            return ExitCode::FAILURE;
        }
    };
    let path = dir.join(&outcome.file_name);
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &text)) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("squill: wrote {}", path.display());
    ExitCode::SUCCESS
}

/// `squill drift`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct DriftArgs {
    /// The database to check; default: $DATABASE_URL.
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    pub database_url: String,
    /// Project root holding squill.toml and schema/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Server to apply the migrations on; default: a throwaway server.
    #[arg(long, value_name = "URL")]
    pub dev_url: Option<String>,
}

/// Differences between the database at `url` and what its applied migrations (the versions
/// in its history table) produce.
pub fn drift(url: &str, root: &Path, dev_url: Option<&str>) -> Result<Vec<Difference>, Failure> {
    let mut live = crate::live::connect_url(url).map_err(Failure::Live)?;
    let applied: Vec<i64> = match live.query_one(
        "SELECT to_regclass('public.squill_migrations') IS NOT NULL",
        &[],
    ) {
        Ok(row) if row.get::<_, bool>(0) => live
            .query("SELECT version FROM public.squill_migrations", &[])
            .map_err(Failure::Introspect)?
            .iter()
            .map(|r| r.get(0))
            .collect(),
        Ok(_) => Vec::new(),
        Err(e) => return Err(Failure::Introspect(e)),
    };
    let dir = schema_dir(root)?;
    let files = if dir.exists() {
        crate::schema::load(&dir, root).map_err(Failure::Apply)?
    } else {
        Vec::new()
    };
    let files: Vec<MigrationFile> = files
        .into_iter()
        .filter(|m| applied.contains(&(m.version as i64)))
        .collect();
    if files.len() != applied.len() {
        return Err(Failure::Other(format!(
            "the database has {} applied migrations and {} of them are in {}: run `squill migrate status`",
            applied.len(),
            files.len(),
            dir.display()
        )));
    }
    let found = introspect(&mut live, &history_tables()).map_err(Failure::Introspect)?;
    let mut dev = DevServer::open(dev_url)?;
    let expected = state_of(&mut dev, &files)?;
    Ok(compare(&expected, &found))
}

/// `squill drift`: exit 1 when the database differs from its migrations.
pub fn run_drift(args: DriftArgs) -> ExitCode {
    match drift(&args.database_url, &args.root, args.dev_url.as_deref()) {
        Ok(differences) if differences.is_empty() => {
            println!("squill: no drift: the database matches its applied migrations");
            ExitCode::SUCCESS
        }
        Ok(differences) => {
            for d in &differences {
                println!("{d}");
            }
            eprintln!(
                "error: {} differences between the database and its applied migrations",
                differences.len()
            );
            ExitCode::FAILURE
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(2)
        }
    }
}
