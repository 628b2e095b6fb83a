//! The `build.rs` API, prost-build style.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::pipeline::{self, Generated, Inputs};

/// Configures and runs code generation. Starts from `squill.toml` in the project root when
/// there is one; every setter overrides it.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    root: Option<PathBuf>,
    database_url: Option<String>,
    edits: Vec<Edit>,
}

#[derive(Debug, Clone)]
enum Edit {
    Schema(PathBuf),
    Queries(PathBuf),
    Async(bool),
    Sync(bool),
    EmbedMigrations(bool),
    Type(String, String),
    Analysis(crate::config::Analysis),
    Column(String, String),
    TimeCrate(crate::config::TimeCrate),
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Project root (default: `CARGO_MANIFEST_DIR`, else the current directory).
    pub fn root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// Migrations folder, or a single schema `.sql` file (default `schema`).
    pub fn schema(mut self, path: impl Into<PathBuf>) -> Self {
        self.edits.push(Edit::Schema(path.into()));
        self
    }

    /// Folder of annotated query files (default `queries`).
    pub fn queries(mut self, path: impl Into<PathBuf>) -> Self {
        self.edits.push(Edit::Queries(path.into()));
        self
    }

    /// Generate async functions for `tokio-postgres` (default on).
    pub fn async_fns(mut self, on: bool) -> Self {
        self.edits.push(Edit::Async(on));
        self
    }

    /// Generate `blocking` functions for `postgres` (default off).
    pub fn sync_fns(mut self, on: bool) -> Self {
        self.edits.push(Edit::Sync(on));
        self
    }

    /// Emit `MIGRATIONS` for `squill::migrate` (default on; needs the runtime's `migrate` feature).
    pub fn embed_migrations(mut self, on: bool) -> Self {
        self.edits.push(Edit::EmbedMigrations(on));
        self
    }

    /// Type queries offline (the default: no database) or live (prepared on PostgreSQL).
    pub fn analysis(mut self, analysis: crate::config::Analysis) -> Self {
        self.edits.push(Edit::Analysis(analysis));
        self
    }

    /// The crate for date, time, timestamp and timestamptz: chrono (default), time or jiff.
    pub fn time_crate(mut self, krate: crate::config::TimeCrate) -> Self {
        self.edits.push(Edit::TimeCrate(krate));
        self
    }

    /// `squill check --live`: every difference between the offline analysis and PostgreSQL.
    pub fn compare_with_live(
        &self,
    ) -> Result<Vec<crate::pipeline::compare::Difference>, Diagnostics> {
        pipeline::compare(&self.inputs()?)
    }

    /// Map a PostgreSQL type (as `format_type` spells it) to a Rust type path.
    pub fn type_override(mut self, pg_type: &str, rust_type: &str) -> Self {
        self.edits
            .push(Edit::Type(pg_type.into(), rust_type.into()));
        self
    }

    /// Map one `table.column` to a Rust type path.
    pub fn column_override(mut self, column: &str, rust_type: &str) -> Self {
        self.edits
            .push(Edit::Column(column.into(), rust_type.into()));
        self
    }

    /// Use this server (a scratch database is created on it and dropped afterwards) instead of
    /// `DATABASE_URL` or a throwaway server.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }

    fn project_root(&self) -> PathBuf {
        self.root
            .clone()
            .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The effective configuration: `squill.toml` plus this builder's settings.
    pub fn config(&self) -> Result<Config, Diagnostic> {
        let mut config = Config::load(&self.project_root())?;
        for edit in &self.edits {
            match edit.clone() {
                Edit::Schema(p) => config.schema = p,
                Edit::Queries(p) => config.queries = p,
                Edit::Async(on) => config.async_fns = on,
                Edit::Sync(on) => config.sync_fns = on,
                Edit::EmbedMigrations(on) => config.embed_migrations = on,
                Edit::Analysis(analysis) => config.analysis = analysis,
                Edit::TimeCrate(krate) => config.time_crate = krate,
                Edit::Type(pg, rust) => {
                    config.types.insert(pg, rust);
                }
                Edit::Column(column, rust) => {
                    config.columns.insert(column, rust);
                }
            }
        }
        Ok(config)
    }

    /// Runs the whole pipeline and returns the generated source.
    pub fn generate(&self) -> Result<Generated, Diagnostics> {
        pipeline::run(&self.inputs()?)
    }

    fn inputs(&self) -> Result<Inputs, Diagnostics> {
        let config = self.config().map_err(|d| Diagnostics(vec![d]))?;
        let database_url = self
            .database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()));
        Ok(Inputs {
            root: self.project_root(),
            config,
            database_url,
        })
    }

    /// Analysis only: every query's PostgreSQL parameter and column types and nullability.
    pub fn analyze(&self) -> Result<Vec<crate::pipeline::PackageSet>, Diagnostics> {
        pipeline::analyze(&self.inputs()?)
    }

    /// For `build.rs`: generates `$OUT_DIR/squill.rs` (include it with
    /// `squill::include_generated!()`), tells cargo when to rerun, and on any error prints
    /// rustc-style diagnostics and fails the build.
    pub fn compile(&self) {
        let root = self.project_root();
        println!(
            "cargo:rerun-if-changed={}",
            root.join(config::FILE_NAME).display()
        );
        println!("cargo:rerun-if-env-changed=DATABASE_URL");
        println!("cargo:rerun-if-env-changed=SQUILL_PG_BIN");
        // Folders and configs too (cargo watches everything inside a folder), so that a new
        // query file or migration reruns generation even when this run fails.
        if let Ok(config) = self.config()
            && let Ok(project) = crate::project::Project::resolve(&root, &config)
        {
            for path in &project.watch {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        for name in crate::project::SQLC_FILE_NAMES {
            println!("cargo:rerun-if-changed={}", root.join(name).display());
        }
        let generated = match self.generate() {
            Ok(generated) => generated,
            Err(diagnostics) => fail(&diagnostics),
        };
        for warning in &generated.warnings {
            for line in warning.render().lines() {
                println!("cargo:warning={line}");
            }
        }
        for input in &generated.inputs {
            println!("cargo:rerun-if-changed={}", input.display());
        }
        let Some(out_dir) = std::env::var_os("OUT_DIR") else {
            fail(&Diagnostics(vec![Diagnostic::error(
                "OUT_DIR is not set: Builder::compile is meant for build.rs; use Builder::generate elsewhere",
            )]))
        };
        let path = Path::new(&out_dir).join("squill.rs");
        if let Err(e) = write_if_changed(&path, &generated.code) {
            fail(&Diagnostics(vec![Diagnostic::error(format!(
                "cannot write {}: {e}",
                path.display()
            ))]));
        }
    }
}

fn fail(diagnostics: &Diagnostics) -> ! {
    eprintln!("{}", diagnostics.render());
    std::process::exit(1);
}

/// Writes atomically (temp file + rename) and only when the content differs, so unchanged
/// output keeps its mtime and does not trigger rebuilds. Returns whether it wrote.
pub fn write_if_changed(path: &Path, content: &str) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(false);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    if let Some(permissions) = output_permissions(path) {
        builder.permissions(permissions);
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(content.as_bytes())?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(true)
}

/// A rewritten file keeps its mode; a new one gets what any editor would give it (0666 less the
/// umask, which `open` applies), not the temp file's private 0600.
fn output_permissions(path: &Path) -> Option<std::fs::Permissions> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Some(meta.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    None
}
