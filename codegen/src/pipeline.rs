//! One generation run: config → query files → schema → types (offline analysis, or describe
//! on a live database) → Rust type check → emit.

pub mod compare;
pub mod explicit;

use std::path::{Path, PathBuf};

use crate::config::{Analysis, Config};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::emit;
use crate::ir::{self, MigrationFile, Module, QuerySet};
use crate::live::{Describer, ScratchDatabase};
use crate::names;
use crate::rust_types::rust_type;
use crate::schema;
use crate::source::{self, RawQuery};

/// Where a run reads from and how it reaches PostgreSQL.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Project root: relative paths in the config resolve against it.
    pub root: PathBuf,
    pub config: Config,
    /// `DATABASE_URL`; without it squill starts a throwaway server (live analysis only).
    pub database_url: Option<String>,
}

/// The result of a successful run.
#[derive(Debug, Clone)]
pub struct Generated {
    pub code: String,
    pub set: QuerySet,
    /// Every file the output depends on (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
}

/// One parsed query file.
struct QueryFile {
    source: SourceFile,
    module: String,
    queries: Vec<RawQuery>,
}

/// Everything read from disk for one run.
struct Loaded {
    migrations: Vec<MigrationFile>,
    files: Vec<QueryFile>,
    /// Every path the output depends on.
    tracked: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
}

/// Each query file's queries, typed (or why not), and the schema's enums.
struct Typed {
    per_file: Vec<Vec<Result<ir::Query, Diagnostic>>>,
    enums: Vec<ir::EnumType>,
    diagnostics: Vec<Diagnostic>,
}

/// The whole run: analysis, Rust type mapping, emitted code.
pub fn run(inputs: &Inputs) -> Result<Generated, Diagnostics> {
    let (set, tracked) = analyze_queries(inputs, inputs.config.analysis, true)?;
    let code = emit::emit(&set, &inputs.config).map_err(Diagnostics)?;
    Ok(Generated {
        code,
        set,
        inputs: tracked,
    })
}

/// Analysis only (`squill analyze`): every query's PostgreSQL types, whether or not squill
/// maps them to Rust.
pub fn analyze(inputs: &Inputs) -> Result<QuerySet, Diagnostics> {
    analyze_queries(inputs, inputs.config.analysis, false).map(|(set, _)| set)
}

/// `squill check --live`: the offline analysis next to PostgreSQL's own answer for every query.
pub fn compare(inputs: &Inputs) -> Result<Vec<compare::Difference>, Diagnostics> {
    let loaded = load(inputs)?;
    let offline = offline_types(&loaded);
    let live = live_types(&loaded, inputs)?;
    Ok(compare::differences(
        &loaded
            .files
            .iter()
            .map(|f| f.source.clone())
            .collect::<Vec<_>>(),
        &offline.per_file,
        &live.per_file,
    ))
}

/// The query set and the files it was read from.
fn analyze_queries(
    inputs: &Inputs,
    analysis: Analysis,
    check_rust_types: bool,
) -> Result<(QuerySet, Vec<PathBuf>), Diagnostics> {
    let loaded = load(inputs)?;
    let typed = match analysis {
        Analysis::Offline => offline_types(&loaded),
        Analysis::Live => live_types(&loaded, inputs)?,
    };
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(typed.diagnostics);
    let mut modules = Vec::new();
    for (file, typed_queries) in loaded.files.iter().zip(typed.per_file) {
        let mut queries = Vec::new();
        for (raw, typed) in file.queries.iter().zip(typed_queries) {
            let finished = typed.and_then(|mut query| {
                if query.command == crate::source::Command::CopyFrom {
                    query.copy_sql = Some(copy_statement(&query, raw, &file.source)?);
                }
                Ok(query)
            });
            match finished {
                Ok(query) => {
                    let before = diagnostics.len();
                    if check_rust_types {
                        check_types(&query, raw, &file.source, &inputs.config, &mut diagnostics);
                    }
                    if diagnostics.len() == before {
                        queries.push(query);
                    }
                }
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        modules.push(Module {
            name: file.module.clone(),
            file: file.source.name.clone(),
            queries,
        });
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    let set = QuerySet {
        modules,
        enums: typed.enums,
        migrations: loaded.migrations,
    };
    Ok((set, loaded.tracked))
}

/// Reads the schema and the query files.
fn load(inputs: &Inputs) -> Result<Loaded, Diagnostics> {
    let mut diagnostics = Vec::new();
    let schema_path = inputs.root.join(&inputs.config.schema);
    let queries_path = inputs.root.join(&inputs.config.queries);

    let migrations = schema::load(&schema_path, &inputs.root).map_err(one)?;
    let (files, paths) = read_query_files(&queries_path, &inputs.root).map_err(one)?;
    let mut tracked: Vec<PathBuf> = paths;
    tracked.push(schema_path.clone());
    tracked.push(queries_path.clone());
    if schema_path.is_dir() {
        tracked.extend(migrations.iter().map(|m| inputs.root.join(&m.file)));
    }
    let mut parsed = Vec::new();
    for (source, module) in files {
        let (queries, problems) = source::parse_query_file(&source);
        diagnostics.extend(problems);
        parsed.push(QueryFile {
            source,
            module,
            queries,
        });
    }
    Ok(Loaded {
        migrations,
        files: parsed,
        tracked,
        diagnostics,
    })
}

/// Offline: the catalog from the migrations' DDL, every query analyzed without a database.
fn offline_types(loaded: &Loaded) -> Typed {
    let ddl: Vec<SourceFile> = loaded
        .migrations
        .iter()
        .map(|m| SourceFile::new(m.file.clone(), m.sql.as_str()))
        .collect();
    let (catalog, diagnostics, _stats) = crate::catalog::from_ddl(&ddl);
    let schema = crate::analyze::Schema::from_catalog(&catalog);
    let per_file = loaded
        .files
        .iter()
        .map(|file| {
            file.queries
                .iter()
                .map(|raw| crate::analyze::analyze(&schema, raw, &file.source))
                .collect()
        })
        .collect();
    let enums = catalog
        .enums
        .iter()
        .map(|(name, labels)| ir::EnumType {
            schema: name.schema.clone(),
            name: name.name.clone(),
            labels: labels.clone(),
        })
        .collect();
    Typed {
        per_file,
        enums,
        diagnostics,
    }
}

/// Live: the migrations applied to a scratch database, every query prepared on it.
fn live_types(loaded: &Loaded, inputs: &Inputs) -> Result<Typed, Diagnostics> {
    let mut scratch = ScratchDatabase::open(inputs.database_url.as_deref())
        .map_err(|e| one(Diagnostic::error(e.to_string())))?;
    schema::apply(scratch.client(), &loaded.migrations).map_err(one)?;
    let mut describer = Describer::new(scratch.client());
    let per_file = loaded
        .files
        .iter()
        .map(|file| {
            file.queries
                .iter()
                .map(|raw| describer.describe(&file.source, raw))
                .collect()
        })
        .collect();
    let enums = describer
        .into_enums()
        .map_err(|e| one(Diagnostic::error(format!("reading enum types: {e}"))))?;
    Ok(Typed {
        per_file,
        enums,
        diagnostics: Vec::new(),
    })
}

/// `:copyfrom`: the COPY statement that replaces the query's INSERT.
fn copy_statement(
    query: &ir::Query,
    raw: &RawQuery,
    file: &SourceFile,
) -> Result<String, Diagnostic> {
    let located = |message: String, help: &str| {
        Diagnostic::error(message)
            .at(file, raw.name_span.clone())
            .label(format!("in query {}", raw.name))
            .help(help)
    };
    let copy = crate::copyfrom::copy_statement(&query.sql).map_err(|why| {
        located(
            why,
            "use :exec for other INSERTs, or :batchexec to pipeline them",
        )
    })?;
    if query
        .params
        .iter()
        .any(|p| crate::rust_types::type_const(&p.ty).is_none())
    {
        return Err(located(
            "`:copyfrom` supports columns of builtin types, enums and arrays of builtin types"
                .into(),
            "use :batchexec for this table",
        ));
    }
    Ok(copy)
}

fn one(diagnostic: Diagnostic) -> Diagnostics {
    Diagnostics(vec![diagnostic])
}

/// Query files with their module names, and the paths read.
type QueryFiles = (Vec<(SourceFile, String)>, Vec<PathBuf>);

/// Every `.sql` file of the queries folder, sorted, with its module name.
fn read_query_files(dir: &Path, root: &Path) -> Result<QueryFiles, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read the queries folder {}: {e}",
            dir.display()
        ))
        .help("create it with annotated .sql files, or set `queries` in squill.toml")
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut modules = names::Unique::default();
    for path in &paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", path.display())))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("queries");
        let module = modules.name(names::snake(stem));
        files.push((
            SourceFile::new(schema::display_name(path, root), text),
            module,
        ));
    }
    Ok((files, paths))
}

/// Every parameter and column needs a Rust type; say which does not, at the query's name.
fn check_types(
    query: &crate::ir::Query,
    raw: &RawQuery,
    file: &SourceFile,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let params = query
        .params
        .iter()
        .map(|p| ("parameter", &p.name, &p.ty, None));
    let columns = query.columns.iter().map(|c| {
        let origin = c.origin.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
        ("column", &c.name, &c.ty, origin)
    });
    for (what, name, ty, origin) in params.chain(columns) {
        if let Err(unmapped) = rust_type(ty, origin, config) {
            let key = match origin {
                Some((table, column)) => {
                    format!("[columns]\n    \"{table}.{column}\" = \"your_crate::YourType\"")
                }
                None => format!(
                    "[types]\n    \"{}\" = \"your_crate::YourType\"",
                    unmapped.pg_name
                ),
            };
            diagnostics.push(
                Diagnostic::error(format!(
                    "{what} `{name}` has type {}, which squill does not map to a Rust type",
                    unmapped.pg_name
                ))
                .at(file, raw.name_span.clone())
                .label(format!("in query {}", raw.name))
                .help(format!(
                    "cast it in the query (e.g. `::text`), or map it in squill.toml (the type must implement ToSql/FromSql):\n    {key}"
                )),
            );
        }
    }
}
