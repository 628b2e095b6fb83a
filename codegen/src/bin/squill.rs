//! The `squill` command line: generate code, check it is current, migrate, lint migrations.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use squill_codegen::Builder;
use squill_codegen::diagnostic::Diagnostics;

#[derive(Parser)]
#[command(
    name = "squill",
    version,
    about = "SQL-first data access for Rust and PostgreSQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Type-check every query and write the generated Rust to a file (for committed code).
    Generate(GenerateArgs),
    /// Type-check every query; with an output file, fail when it is not what `generate` writes.
    Check(GenerateArgs),
    /// Print every query's parameters and columns (PostgreSQL types, nullability) as JSON.
    Analyze(AnalyzeArgs),
    /// Apply migrations safely (advisory lock, checksums, strict order); `status`, `repair`.
    Migrate(squill_codegen::migrate_cli::MigrateArgs),
    /// Migrate a development database, then run its seeds (seeds/*.sql) once each; refused
    /// on anything that looks like production.
    Seed(squill_codegen::migrate_cli::SeedArgs),
    /// Find migrations that take dangerous locks or break running code.
    Lint(squill_codegen::lint::LintArgs),
    /// Write the migration from schema/ to a desired schema (PATH), checked on PostgreSQL.
    Diff(squill_codegen::schema_diff::DiffArgs),
    /// Report where a live database differs from what its applied migrations produce.
    Drift(squill_codegen::schema_diff::DriftArgs),
    /// Explain every query on PostgreSQL; report tenant/large tables no index serves.
    Vet(squill_codegen::vet::VetArgs),
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// Project root holding squill.toml, schema/ and queries/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output file (default: `output` in squill.toml), relative to the root.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Server for live analysis (a scratch database is created and dropped); default: a
    /// throwaway server started from the installed PostgreSQL binaries.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// `check` only: also prepare every query on PostgreSQL and fail on any difference from
    /// the offline analysis.
    #[arg(long)]
    live: bool,
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// JSON output (the only format; the flag keeps scripts explicit).
    #[arg(long)]
    json: bool,
    /// Schema file or folder (repeatable; applied in the order given, a folder's `.sql` files
    /// in name order, `.down.sql` left out). With `--queries`, replaces the project layout:
    /// offline analysis, refused queries listed in the document instead of failing the run.
    #[arg(long = "schema", value_name = "FILE_OR_DIR", requires = "queries")]
    schema: Vec<PathBuf>,
    /// Query file or folder (repeatable; a folder's `.sql` files in name order).
    #[arg(long = "queries", value_name = "FILE_OR_DIR")]
    queries: Vec<PathBuf>,
    #[command(flatten)]
    project: GenerateArgs,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Generate(args) => generate(args, false),
        Command::Check(args) => generate(args, true),
        Command::Analyze(args) => analyze(args),
        Command::Migrate(args) => squill_codegen::migrate_cli::run(args),
        Command::Seed(args) => squill_codegen::migrate_cli::run_seed(args),
        Command::Lint(args) => squill_codegen::lint::run(args),
        Command::Diff(args) => squill_codegen::schema_diff::run_diff(args),
        Command::Drift(args) => squill_codegen::schema_diff::run_drift(args),
        Command::Vet(args) => squill_codegen::vet::run(args),
    }
}

fn generate(args: GenerateArgs, check_only: bool) -> ExitCode {
    let status = generate_or_check(&args, check_only);
    if !(check_only && args.live) || status != ExitCode::SUCCESS {
        return status;
    }
    compare_with_live(&args)
}

/// `squill check --live`: lists every difference; fails on disagreements (not on refusals or
/// nullability, which are reported).
fn compare_with_live(args: &GenerateArgs) -> ExitCode {
    let mut builder = Builder::new().root(&args.root);
    if let Some(url) = &args.database_url {
        builder = builder.database_url(url);
    }
    let differences = match builder.compare_with_live() {
        Ok(differences) => differences,
        Err(diagnostics) => return report(&diagnostics),
    };
    for difference in &differences {
        println!("{difference}");
    }
    let disagreements = differences.iter().filter(|d| d.is_disagreement()).count();
    if disagreements > 0 {
        eprintln!(
            "error: {disagreements} queries where the offline analysis disagrees with PostgreSQL"
        );
        return ExitCode::FAILURE;
    }
    println!("squill: offline analysis agrees with PostgreSQL on every query it accepts");
    ExitCode::SUCCESS
}

fn generate_or_check(args: &GenerateArgs, check_only: bool) -> ExitCode {
    let mut builder = Builder::new().root(&args.root);
    if let Some(url) = &args.database_url {
        builder = builder.database_url(url);
    }
    let out = match builder.config() {
        Ok(config) => args
            .out
            .clone()
            .or(config.output)
            .map(|out| args.root.join(out)),
        Err(diagnostic) => return report(&Diagnostics(vec![diagnostic])),
    };
    let generated = match builder.generate() {
        Ok(generated) => generated,
        Err(diagnostics) => return report(&diagnostics),
    };
    let queries: usize = generated
        .packages
        .iter()
        .flat_map(|p| &p.set.modules)
        .map(|m| m.queries.len())
        .sum();
    for warning in &generated.warnings {
        eprint!("{}", warning.render());
    }
    let Some(out) = out else {
        if check_only {
            println!("squill: {queries} queries checked, no output file configured");
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "error: no output file\n  = help: pass --out src/db.rs, or set `output = \"src/db.rs\"` in squill.toml"
        );
        return ExitCode::from(2);
    };
    if check_only {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current == generated.code {
            println!(
                "squill: {queries} queries checked, {} is current",
                out.display()
            );
            return ExitCode::SUCCESS;
        }
        let line = first_difference(&current, &generated.code);
        eprintln!(
            "error: {} is stale (first difference at line {line})\n  = help: run `squill generate` and commit the result",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    match squill_codegen::write_if_changed(&out, &generated.code) {
        Ok(changed) => {
            let verb = if changed { "wrote" } else { "unchanged:" };
            println!(
                "squill: {queries} queries checked, {verb} {}",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn analyze(args: AnalyzeArgs) -> ExitCode {
    let _ = args.json;
    if args.queries.is_empty() {
        let mut builder = Builder::new().root(&args.project.root);
        if let Some(url) = &args.project.database_url {
            builder = builder.database_url(url);
        }
        return match builder.analyze() {
            Ok(packages) => {
                print!("{}", squill_codegen::json::render_packages(&packages));
                ExitCode::SUCCESS
            }
            Err(diagnostics) => report(&diagnostics),
        };
    }
    // Explicit inputs: offline analysis of every query against the schema files' catalog.
    let explicit =
        match squill_codegen::pipeline::explicit::analyze_files(&args.schema, &args.queries) {
            Ok(explicit) => explicit,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
    // Schema problems: warnings are shown; errors fail the run (the analysis would not be the
    // one PostgreSQL makes).
    if !explicit.problems.0.is_empty() {
        eprint!("{}", explicit.problems.render());
    }
    if explicit.problems.has_errors() {
        return ExitCode::FAILURE;
    }
    print!(
        "{}",
        squill_codegen::json::render_with_refused(&explicit.set, &explicit.refused)
    );
    ExitCode::SUCCESS
}

fn report(diagnostics: &Diagnostics) -> ExitCode {
    eprint!("{}", diagnostics.render());
    ExitCode::FAILURE
}

fn first_difference(a: &str, b: &str) -> usize {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()))
        + 1
}
