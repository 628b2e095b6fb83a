//! One generation run: config → query files → schema on a live database → describe → emit.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::emit;
use crate::ir::{Module, QuerySet};
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
    /// `DATABASE_URL`; without it squill starts a throwaway server.
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

/// The whole run: analysis, Rust type mapping, emitted code.
pub fn run(inputs: &Inputs) -> Result<Generated, Diagnostics> {
    let (set, tracked) = analyze_queries(inputs, true)?;
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
    analyze_queries(inputs, false).map(|(set, _)| set)
}

/// The query set and the files it was read from.
fn analyze_queries(
    inputs: &Inputs,
    check_rust_types: bool,
) -> Result<(QuerySet, Vec<PathBuf>), Diagnostics> {
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

    let mut scratch = ScratchDatabase::open(inputs.database_url.as_deref())
        .map_err(|e| one(Diagnostic::error(e.to_string())))?;
    schema::apply(scratch.client(), &migrations).map_err(one)?;

    let mut describer = Describer::new(scratch.client());
    let mut modules = Vec::new();
    for file in &parsed {
        let mut queries = Vec::new();
        for raw in &file.queries {
            let described = describer.describe(&file.source, raw).and_then(|mut query| {
                if query.command == crate::source::Command::CopyFrom {
                    query.copy_sql = Some(copy_statement(&query, raw, &file.source)?);
                }
                Ok(query)
            });
            match described {
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
    let enums = describer
        .into_enums()
        .map_err(|e| one(Diagnostic::error(format!("reading enum types: {e}"))))?;
    drop(scratch);

    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    Ok((
        QuerySet {
            modules,
            enums,
            migrations,
        },
        tracked,
    ))
}

/// `:copyfrom`: the COPY statement that replaces the query's INSERT.
fn copy_statement(
    query: &crate::ir::Query,
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
