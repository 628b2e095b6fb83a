//! `squill lint` on the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::output::{render_human, render_json};
use super::{LintOptions, lint};
use crate::config::Config;

/// Warn about migrations that are dangerous to run against a live database: long locks,
/// table rewrites, statements that fail on a populated table, renames that break queries.
#[derive(Debug, Clone, clap::Args)]
pub struct LintArgs {
    /// Migrations directory (`NNNN_name.sql` files, applied in version order), or one .sql file
    /// [default: `schema` from squill.toml, else `schema`].
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Query files, checked for names that a migration renames
    /// [default: `queries` from squill.toml, else `queries`, when it exists].
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Turn a rule off (repeatable, or comma-separated), e.g. `--disable require-timeout-settings`.
    #[arg(long = "disable", value_name = "RULE", value_delimiter = ',')]
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// rustc-style warnings with source lines and a summary.
    Human,
    /// One JSON document.
    Json,
}

/// What `squill lint` prints, and its exit status: 0 when clean, 1 on any finding or on a
/// statement PostgreSQL would reject, 2 when the
/// lint could not run (bad arguments, unreadable files).
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// Runs the lint and prints the result.
pub fn run(args: LintArgs) -> ExitCode {
    let outcome = execute(&args);
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.code)
}

/// [`run`] without the printing.
pub fn execute(args: &LintArgs) -> Outcome {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => return usage_error(message),
    };
    match lint(&options) {
        Ok(report) => Outcome {
            stdout: match args.format {
                OutputFormat::Human => render_human(&report),
                OutputFormat::Json => render_json(&report),
            },
            stderr: String::new(),
            code: u8::from(!report.findings.is_empty() || !report.errors.is_empty()),
        },
        Err(message) => usage_error(format!("error: {message}\n")),
    }
}

/// Paths not given on the command line come from `squill.toml` in the current directory, like
/// every other squill command; without one, `schema` and `queries`.
fn options(args: &LintArgs) -> Result<LintOptions, String> {
    // Read even when both paths are given: `[tenant]` comes from it.
    let config = Config::load(Path::new(".")).map_err(|d| d.render())?;
    // A missing default queries folder just means there is nothing to check renames against.
    let queries_dir = match &args.queries {
        Some(dir) => Some(dir.clone()),
        None => config.queries.is_dir().then_some(config.queries),
    };
    Ok(LintOptions {
        schema_dir: args.dir.clone().unwrap_or(config.schema),
        queries_dir,
        disabled_rules: args.disable.clone(),
        tenant: config.tenant.clone(),
    })
}

fn usage_error(stderr: String) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr,
        code: 2,
    }
}
