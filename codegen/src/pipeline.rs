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
use crate::project::{Package, Project, SchemaInput};
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
    /// Each package's analyzed queries, in configuration order.
    pub packages: Vec<PackageSet>,
    /// Every file the output depends on (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    /// What the user should know that does not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// One package's analyzed queries and the module its code goes in.
#[derive(Debug, Clone)]
pub struct PackageSet {
    /// `None`: the top level of the generated file.
    pub module: Option<String>,
    pub set: QuerySet,
    /// The package's effective settings (overrides merged).
    pub config: Config,
}

/// One parsed query file.
struct QueryFile {
    source: SourceFile,
    module: String,
    queries: Vec<RawQuery>,
}

/// Everything read from disk for one package.
struct Loaded {
    migrations: Vec<MigrationFile>,
    /// Apply the schema statement by statement (see [`Package::schema_per_statement`]).
    per_statement: bool,
    files: Vec<QueryFile>,
    /// Every path the output depends on.
    tracked: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
}

/// Each query file's queries, typed (or why not), and the schema's enums.
struct Typed {
    per_file: Vec<Vec<Result<ir::Query, Diagnostic>>>,
    enums: Vec<ir::EnumType>,
    /// The schema's composite types (from the DDL; none when typed live only).
    composites: Vec<ir::CompositeType>,
    diagnostics: Vec<Diagnostic>,
    /// The search path the application's sessions use (offline: the schema's, or the
    /// config's).
    search_path: Vec<String>,
    /// The catalog and the analyzer's schema, when offline analysis built them.
    schema: Option<std::rc::Rc<(crate::catalog::Catalog, crate::analyze::Schema)>>,
}

/// The whole run: analysis, Rust type mapping, emitted code.
pub fn run(inputs: &Inputs) -> Result<Generated, Diagnostics> {
    let analyzed = analyze_project(inputs, true)?;
    let code = emit::emit_project(&analyzed.packages).map_err(Diagnostics)?;
    Ok(Generated {
        code,
        packages: analyzed.packages,
        inputs: analyzed.tracked,
        warnings: analyzed.warnings,
    })
}

/// Analysis only (`squill analyze`): every query's PostgreSQL types, whether or not squill
/// maps them to Rust.
pub fn analyze(inputs: &Inputs) -> Result<Vec<PackageSet>, Diagnostics> {
    analyze_project(inputs, false).map(|analyzed| analyzed.packages)
}

/// What [`analyze_project`] found.
struct Analyzed {
    packages: Vec<PackageSet>,
    tracked: Vec<PathBuf>,
    warnings: Vec<Diagnostic>,
}

/// `squill check --live`: the offline analysis next to PostgreSQL's own answer for every query.
pub fn compare(inputs: &Inputs) -> Result<Vec<compare::Difference>, Diagnostics> {
    let project = Project::resolve(&inputs.root, &inputs.config).map_err(one)?;
    let mut differences = Vec::new();
    for package in &project.packages {
        let loaded = load(inputs, package)?;
        let offline = offline_types(&loaded, &package.config);
        let live = live_types(&loaded, inputs, &offline.search_path)?;
        differences.extend(compare::differences(
            &loaded
                .files
                .iter()
                .map(|f| f.source.clone())
                .collect::<Vec<_>>(),
            &offline.per_file,
            &live.per_file,
        ));
    }
    Ok(differences)
}

/// Every package's query set, and the files read; all packages' diagnostics together.
fn analyze_project(inputs: &Inputs, check_rust_types: bool) -> Result<Analyzed, Diagnostics> {
    let project = Project::resolve(&inputs.root, &inputs.config).map_err(one)?;
    let mut tracked = project.watch.clone();
    let mut packages = Vec::new();
    let mut diagnostics = Vec::new();
    let mut warnings = Vec::new();
    for package in &project.packages {
        match analyze_package(inputs, package, check_rust_types) {
            Ok((set, files, package_warnings, config)) => {
                warnings.extend(package_warnings);
                tracked.extend(files);
                packages.push(PackageSet {
                    module: package.module.clone(),
                    set,
                    config,
                });
            }
            Err(Diagnostics(more)) => diagnostics.extend(more),
        }
    }
    diagnostics.extend(warnings);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    Ok(Analyzed {
        packages,
        tracked,
        warnings: diagnostics,
    })
}

/// One package's query set and the files it was read from.
fn analyze_package(
    inputs: &Inputs,
    package: &Package,
    check_rust_types: bool,
) -> Result<(QuerySet, Vec<PathBuf>, Vec<Diagnostic>, Config), Diagnostics> {
    let loaded = load(inputs, package)?;
    let typed = match package.config.analysis {
        Analysis::Offline => offline_types(&loaded, &package.config),
        Analysis::Auto => auto_types(&loaded, inputs, &package.config),
        Analysis::Live => {
            let search_path = package.config.search_path.clone().unwrap_or_default();
            live_types(&loaded, inputs, &search_path)?
        }
    };
    let mut named = package.config.clone();
    let needs_schema = !named.types.is_empty()
        || !named.columns.is_empty()
        || named.domains.newtype
        || named.tenant.is_some();
    let context = needs_schema.then(|| schema_context(&loaded, &typed, &named));
    let domains = match &context {
        Some(context) if named.domains.newtype => newtype_domains(&named, &context.0, &context.1),
        _ => Vec::new(),
    };
    let user_types: Vec<(String, String)> = typed
        .enums
        .iter()
        .map(|e| (e.schema.clone(), e.name.clone()))
        .chain(
            typed
                .composites
                .iter()
                .map(|c| (c.schema.clone(), c.name.clone())),
        )
        .chain(domains.iter().map(|d| (d.schema.clone(), d.name.clone())))
        .collect();
    let home = typed.search_path.first().map_or("public", String::as_str);
    named.user_type_names = names::user_type_names(&user_types, home, &named.rename);
    for d in &domains {
        // Registered as the domain's override, applied like a user's (see `overrides`).
        let key = format!(
            "{}.{}",
            crate::catalog::quote_ident(&d.schema),
            crate::catalog::quote_ident(&d.name)
        );
        let display = ir::PgType::Other {
            schema: d.schema.clone(),
            name: d.name.clone(),
        }
        .display_name();
        let ident = named
            .user_type_names
            .get(&display)
            .cloned()
            .unwrap_or_else(|| names::camel(&d.name));
        named.types.insert(key.clone(), format!("types::{ident}"));
        named.generated_types.insert(key);
    }
    if let Some(context) = &context {
        named = crate::overrides::resolve(&named, &context.0, &context.1).map_err(Diagnostics)?;
    }
    let (config, composites) = with_composites(&named, &typed.composites);
    let config = &config;
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(typed.diagnostics);
    let tenant_rule = match (&package.config.tenant, &context) {
        (Some(tenant), Some(context)) => {
            diagnostics.extend(crate::tenant::validate(
                tenant,
                &context.0,
                &|key, value| {
                    let site = tenant.sites.get(key)?;
                    let span = if value {
                        site.value.clone()
                    } else {
                        site.key.clone()
                    };
                    Some((site.file.clone(), span))
                },
            ));
            Some(crate::tenant::Rule::new(tenant, &context.0))
        }
        _ => None,
    };
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
            let finished = match (finished, &tenant_rule) {
                (Ok(query), Some(rule)) => match tenancy(rule, query, raw, &file.source) {
                    Ok(query) => Ok(query),
                    Err(violations) => {
                        diagnostics.extend(violations);
                        continue;
                    }
                },
                (other, _) => other,
            };
            match finished {
                Ok(query) => {
                    let before = diagnostics.len();
                    if check_rust_types {
                        check_types(&query, raw, &file.source, config, &mut diagnostics);
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
        composites,
        domains,
        migrations: loaded.migrations,
    };
    Ok((set, loaded.tracked, diagnostics, config.clone()))
}

/// The tenant rule on one typed query: its verdict recorded, or its violations.
fn tenancy(
    rule: &crate::tenant::Rule<'_>,
    mut query: ir::Query,
    raw: &RawQuery,
    file: &SourceFile,
) -> Result<ir::Query, Vec<Diagnostic>> {
    if let Some(cross) = &raw.cross_tenant {
        query.tenancy.cross_tenant = Some(cross.reason.clone());
        return Ok(query);
    }
    let nullable: Vec<bool> = query.params.iter().map(|p| p.nullable).collect();
    let scope = rule.check(raw, file, &nullable)?;
    query.tenancy.param = scope.param;
    query.tenancy.policies = scope.policies;
    Ok(query)
}

/// Reads a package's schema and query files.
fn load(inputs: &Inputs, package: &Package) -> Result<Loaded, Diagnostics> {
    let mut diagnostics = Vec::new();
    let mut tracked = Vec::new();
    let migrations = match &package.schema {
        SchemaInput::Migrations(path) => {
            let migrations = schema::load(path, &inputs.root).map_err(one)?;
            tracked.push(path.clone());
            if path.is_dir() {
                tracked.extend(migrations.iter().map(|m| inputs.root.join(&m.file)));
            }
            migrations
        }
        SchemaInput::Files(paths) => {
            tracked.extend(paths.iter().cloned());
            schema::load_files(paths, &inputs.root).map_err(one)?
        }
    };
    let schema_files: std::collections::HashSet<&Path> = match &package.schema {
        SchemaInput::Files(paths) => paths.iter().map(PathBuf::as_path).collect(),
        SchemaInput::Migrations(path) => std::iter::once(path.as_path()).collect(),
    };
    let mut files = Vec::new();
    for input in &package.queries {
        tracked.push(input.path.clone());
        let text = std::fs::read_to_string(&input.path).map_err(|e| {
            one(Diagnostic::error(format!(
                "cannot read {}: {e}",
                input.path.display()
            )))
        })?;
        let source = SourceFile::new(schema::display_name(&input.path, &inputs.root), text);
        // A file that is the schema too holds DDL without annotations: that is schema, not
        // a query missing its `-- name:`.
        let also_schema = schema_files.contains(input.path.as_path());
        let (queries, problems) = source::parse_query_file(&source);
        for problem in problems {
            let unannotated = problem.message.starts_with("statement has no ");
            if package.skip_unannotated && problem.message.contains("`:execlastid`") {
                diagnostics.push(Diagnostic {
                    severity: crate::diagnostic::Severity::Warning,
                    help: Some(
                        "`:execlastid` is MySQL's: PostgreSQL has no last insert id, so squill generates nothing for it; use `RETURNING id` with `:one`".into(),
                    ),
                    ..problem
                });
                continue;
            }
            if unannotated && also_schema {
                continue;
            }
            if unannotated && package.skip_unannotated {
                diagnostics.push(Diagnostic {
                    severity: crate::diagnostic::Severity::Warning,
                    help: Some(
                        "as sqlc does, squill generates nothing for it; add `-- name: QueryName :exec` above it to generate it".into(),
                    ),
                    ..problem
                });
                continue;
            }
            diagnostics.push(problem);
        }
        files.push(QueryFile {
            source,
            module: input.module.clone(),
            queries,
        });
    }
    Ok(Loaded {
        migrations,
        per_statement: package.schema_per_statement,
        files,
        tracked,
        diagnostics,
    })
}

/// Offline: the catalog from the migrations' DDL, every query analyzed without a database.
fn offline_types(loaded: &Loaded, config: &Config) -> Typed {
    let ddl: Vec<SourceFile> = loaded
        .migrations
        .iter()
        .map(|m| SourceFile::new(m.file.clone(), m.sql.as_str()))
        .collect();
    let (mut catalog, mut diagnostics, _stats) = crate::catalog::from_ddl(&ddl);
    if loaded.per_statement {
        // Schema files run as psql runs them (an sqlc project's): a statement PostgreSQL
        // rejects is left out and the rest applies, so it is a warning; queries that need
        // what it would have created fail on their own.
        for d in &mut diagnostics {
            if d.is_error() {
                d.severity = crate::diagnostic::Severity::Warning;
                d.notes.push(
                    "this schema file runs as psql runs it: PostgreSQL leaves this statement out and applies the rest".into(),
                );
            }
        }
    }
    if let Some(path) = &config.search_path {
        catalog.set_search_path(path, None);
    }
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
    let composites = catalog
        .composites
        .iter()
        .filter_map(|(name, fields)| {
            let fields = fields
                .iter()
                .map(|f| {
                    Some((
                        f.name.clone(),
                        schema.types.pg_type(schema.type_oid(&f.ty)?),
                    ))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(ir::CompositeType {
                schema: name.schema.clone(),
                name: name.name.clone(),
                fields,
            })
        })
        .collect();
    Typed {
        per_file,
        enums,
        composites,
        diagnostics,
        search_path: schema.search_path.clone(),
        schema: Some(std::rc::Rc::new((catalog, schema))),
    }
}

/// The catalog and the analyzer's schema: offline analysis's, else read from the DDL (live
/// analysis), for resolving type overrides and listing domains.
fn schema_context(
    loaded: &Loaded,
    typed: &Typed,
    config: &Config,
) -> std::rc::Rc<(crate::catalog::Catalog, crate::analyze::Schema)> {
    if let Some(both) = &typed.schema {
        return std::rc::Rc::clone(both);
    }
    let ddl: Vec<SourceFile> = loaded
        .migrations
        .iter()
        .map(|m| SourceFile::new(m.file.clone(), m.sql.as_str()))
        .collect();
    let (mut catalog, _, _) = crate::catalog::from_ddl(&ddl);
    if let Some(path) = &config.search_path {
        catalog.set_search_path(path, None);
    }
    let schema = crate::analyze::Schema::from_catalog(&catalog);
    std::rc::Rc::new((catalog, schema))
}

/// The schema's domains to generate as newtypes: those the configuration does not map itself
/// whose base type has a Rust type.
fn newtype_domains(
    config: &Config,
    catalog: &crate::catalog::Catalog,
    schema: &crate::analyze::Schema,
) -> Vec<ir::DomainType> {
    let overridden: Vec<crate::catalog::QualifiedName> = config
        .types
        .keys()
        .filter_map(|k| crate::overrides::find_domain(k, catalog, &schema.search_path))
        .collect();
    catalog
        .domains
        .iter()
        .filter(|(name, _)| !overridden.contains(name))
        .filter_map(|(name, domain)| {
            let base = schema.types.pg_type(schema.type_oid(&domain.base)?);
            rust_type(&base, None, config).ok()?;
            Some(ir::DomainType {
                schema: name.schema.clone(),
                name: name.name.clone(),
                base,
            })
        })
        .collect()
}

/// The schema's composite types whose every field has a Rust type (composites of composites
/// included), each mapped to the struct generated for it in `types`, as a type override the
/// project's own `[types]` entries win over.
fn with_composites(
    config: &Config,
    composites: &[ir::CompositeType],
) -> (Config, Vec<ir::CompositeType>) {
    let mut config = config.clone();
    let mut mapped: Vec<ir::CompositeType> = Vec::new();
    loop {
        let before = mapped.len();
        for composite in composites {
            if mapped.contains(composite) {
                continue;
            }
            if composite
                .fields
                .iter()
                .all(|(_, ty)| rust_type(ty, None, &config).is_ok())
            {
                let key = ir::PgType::Other {
                    schema: composite.schema.clone(),
                    name: composite.name.clone(),
                }
                .display_name();
                if config.types.contains_key(&key) {
                    // The project maps it to a type of its own.
                    continue;
                }
                let ident = config
                    .user_type_names
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| names::camel(&composite.name));
                config.types.insert(key.clone(), format!("types::{ident}"));
                config.generated_types.insert(key);
                mapped.push(composite.clone());
            }
        }
        if mapped.len() == before {
            return (config, mapped);
        }
    }
}

/// Auto: offline first; every query offline does not accept is prepared on a scratch
/// database, so PostgreSQL has the last word on it (its types when it accepts a query squill
/// cannot type yet, its error when it rejects one).
fn auto_types(loaded: &Loaded, inputs: &Inputs, config: &Config) -> Typed {
    let mut typed = offline_types(loaded, config);
    let pending = typed
        .per_file
        .iter()
        .flatten()
        .filter(|r| r.is_err())
        .count();
    if pending == 0 || typed.diagnostics.iter().any(Diagnostic::is_error) {
        return typed;
    }
    let mut scratch = match ScratchDatabase::open(inputs.database_url.as_deref()) {
        Ok(scratch) => scratch,
        Err(e) => {
            let why = format!("no PostgreSQL to ask about what offline analysis refused: {e}");
            mark_unresolved(&mut typed, &why);
            return typed;
        }
    };
    if let Err(d) = schema::apply(scratch.client(), &loaded.migrations, loaded.per_statement) {
        let why = format!(
            "the schema could not be applied to a scratch database to ask PostgreSQL: {}",
            d.message
        );
        mark_unresolved(&mut typed, &why);
        return typed;
    }
    if let Err(e) = set_search_path(scratch.client(), &typed.search_path) {
        mark_unresolved(&mut typed, &format!("setting the search path: {e}"));
        return typed;
    }
    let mut describer = Describer::new(scratch.client());
    for (file, results) in loaded.files.iter().zip(typed.per_file.iter_mut()) {
        for (raw, result) in file.queries.iter().zip(results.iter_mut()) {
            let Err(offline) = result else { continue };
            match describer.describe(&file.source, raw) {
                Ok(query) => {
                    if !offline.refusal {
                        // squill's analyzer said no where PostgreSQL says yes: PostgreSQL
                        // decides, and the disagreement is worth a report.
                        typed.diagnostics.push(
                            Diagnostic::warning(format!(
                                "PostgreSQL accepts query {} that squill's offline analysis rejected ({}); using PostgreSQL's types",
                                raw.name, offline.message
                            ))
                            .at(&file.source, raw.name_span.clone())
                            .help("please report this to squill: its offline analysis should agree with PostgreSQL"),
                        );
                    }
                    *result = Ok(query);
                }
                // PostgreSQL rejects it: the offline error points more precisely when there is
                // one; a refusal gives way to PostgreSQL's own error.
                Err(live) if offline.refusal => *result = Err(live.note(CONFIRMED)),
                Err(_) => offline.notes.push(CONFIRMED.into()),
            }
        }
    }
    typed
}

/// The note on a query error PostgreSQL was asked about and confirmed.
pub const CONFIRMED: &str = "PostgreSQL rejects this query too";

/// Adds why PostgreSQL could not be asked to every refusal.
fn mark_unresolved(typed: &mut Typed, why: &str) {
    for result in typed.per_file.iter_mut().flatten() {
        if let Err(d) = result
            && d.refusal
        {
            d.notes.push(why.to_string());
        }
    }
}

fn set_search_path(client: &mut postgres::Client, path: &[String]) -> Result<(), postgres::Error> {
    if path.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = path
        .iter()
        .map(|s| crate::catalog::quote_ident(s))
        .collect();
    client.batch_execute(&format!("SET search_path TO {}", list.join(", ")))
}

/// Live: the migrations applied to a scratch database, every query prepared on it.
fn live_types(
    loaded: &Loaded,
    inputs: &Inputs,
    search_path: &[String],
) -> Result<Typed, Diagnostics> {
    let mut scratch = ScratchDatabase::open(inputs.database_url.as_deref())
        .map_err(|e| one(Diagnostic::error(e.to_string())))?;
    schema::apply(scratch.client(), &loaded.migrations, loaded.per_statement).map_err(one)?;
    set_search_path(scratch.client(), search_path)
        .map_err(|e| one(Diagnostic::error(format!("setting the search path: {e}"))))?;
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
        composites: Vec::new(),
        diagnostics: Vec::new(),
        search_path: search_path.to_vec(),
        schema: None,
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

/// Every parameter and column needs a Rust type; say which does not, at the query's name.
fn check_types(
    query: &crate::ir::Query,
    raw: &RawQuery,
    file: &SourceFile,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let params = query.params.iter().map(|p| {
        let origin = p.origin.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
        ("parameter", &p.name, &p.ty, origin)
    });
    // A query that returns no rows decodes no column (`SELECT pg_notify(...)` as `:exec`
    // returns a `void` nobody reads).
    let decoded = if query.command.returns_rows() {
        query.columns.as_slice()
    } else {
        &[]
    };
    let columns = decoded.iter().map(|c| {
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
