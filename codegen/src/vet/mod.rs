//! `squill vet`: every query's plan, checked on PostgreSQL for scans no index serves.
//!
//! The schema is applied to a scratch database (a throwaway server, or a scratch database on
//! `DATABASE_URL`); each query is prepared and explained with a generic plan (PostgreSQL 15
//! has no `EXPLAIN (GENERIC_PLAN)`: `plan_cache_mode = force_generic_plan` and `EXPLAIN
//! EXECUTE q(NULL, ...)`, which plans without executing, DML included) and with
//! `enable_seqscan = off`, so that a sequential scan left in the plan means no index can
//! serve the query at all. The rules, on tenant tables (`[tenant]`) and `[vet] large`
//! tables only:
//!
//! - a `Seq Scan` is a finding;
//! - an `Index Scan`, `Index Only Scan` or `Bitmap Index Scan` on a B-tree index whose index
//!   condition does not constrain the index's leading column, while the scan has a condition
//!   to check (an index condition on a later column, or a filter), is a finding: PostgreSQL
//!   15 has no skip scan, so it reads the whole index, every tenant's entries.
//!
//! Each finding carries the scan's conditions and, when the conditions have index clauses on
//! plain columns (`predicate`), the index that would serve them: equality columns (the
//! tenant column first), then one range column.

mod output;
mod plan;
mod predicate;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::catalog::quote_ident;
use crate::config::Config;
use crate::diagnostic::{SourceFile, token_span};
use crate::live::ScratchDatabase;
use crate::project::{Project, SchemaInput};
use crate::schema;
use crate::source::{RawQuery, parse_query_file};

pub use output::{render_human, render_json};

/// Check every query's plan on PostgreSQL: report scans of tenant tables and large tables that
/// no index serves, with the index to create.
#[derive(Debug, Clone, clap::Args)]
pub struct VetArgs {
    /// Project root holding squill.toml (or an sqlc configuration), the schema and the queries.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Server to create the scratch database on (dropped afterwards); default: a throwaway
    /// server started from the installed PostgreSQL binaries.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::lint::OutputFormat::Human)]
    pub format: crate::lint::OutputFormat,
}

/// Why a table's scans are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// A tenant table, with its tenant column.
    Tenant(String),
    /// Listed in `[vet] large`.
    Large,
}

/// How the plan reads a watched table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanKind {
    Seq,
    /// An index read whole: its leading column is not constrained.
    WholeIndex {
        index: String,
        leading: String,
    },
}

/// One scan no index serves.
#[derive(Debug, Clone)]
pub struct Finding {
    pub query: String,
    pub file: SourceFile,
    /// The statement's first token.
    pub span: Range<usize>,
    /// The table, schema-qualified outside `public` (a partition is reported as its root).
    pub table: String,
    pub watched: Watched,
    pub kind: ScanKind,
    /// The scan's `Filter`, as EXPLAIN prints it.
    pub filter: Option<String>,
    /// The scan's index conditions, and the conditions of the joins above it.
    pub conditions: Vec<String>,
    /// `CREATE INDEX ON ...`, when the conditions have index clauses on plain columns.
    pub index: Option<String>,
    /// On a tenant table: no `=` condition of the scan restricts the tenant column, so it
    /// reads every tenant's rows whatever the index.
    pub unscoped: bool,
    /// The index read whole already leads with the column the conditions would put first:
    /// a join reads it in order (a merge join); no new index is the fix.
    pub read_in_order: bool,
}

/// A query whose plan could not be had (PostgreSQL rejects it, or it is not a statement
/// `PREPARE` takes, such as `CALL`).
#[derive(Debug, Clone)]
pub struct Unchecked {
    pub query: String,
    pub file: SourceFile,
    pub span: Range<usize>,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub queries: usize,
    pub findings: Vec<Finding>,
    pub unchecked: Vec<Unchecked>,
}

/// Runs `squill vet` and prints the result: exit 0 when clean, 1 on findings, 2 when vet
/// could not run.
pub fn run(args: VetArgs) -> ExitCode {
    let config = match Config::load(&args.root) {
        Ok(config) => config,
        Err(d) => {
            eprint!("{}", d.render());
            return ExitCode::from(2);
        }
    };
    match vet(&args.root, &config, args.database_url.as_deref()) {
        Ok(report) => {
            print!(
                "{}",
                match args.format {
                    crate::lint::OutputFormat::Human => render_human(&report),
                    crate::lint::OutputFormat::Json => render_json(&report),
                }
            );
            ExitCode::from(u8::from(!report.findings.is_empty()))
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Every package's queries explained on a scratch database with its schema.
pub fn vet(root: &Path, config: &Config, database_url: Option<&str>) -> Result<Report, String> {
    let project = Project::resolve(root, config).map_err(|d| d.render())?;
    let mut report = Report::default();
    for package in &project.packages {
        let migrations = match &package.schema {
            SchemaInput::Migrations(path) => schema::load(path, root),
            SchemaInput::Files(paths) => schema::load_files(paths, root),
        }
        .map_err(|d| d.render())?;
        let mut files = Vec::new();
        for input in &package.queries {
            let text = std::fs::read_to_string(&input.path)
                .map_err(|e| format!("cannot read {}: {e}", input.path.display()))?;
            let file = SourceFile::new(schema::display_name(&input.path, root), text);
            // What does not parse is the build's to report; vet explains what does.
            let (queries, _) = parse_query_file(&file);
            files.push((file, queries));
        }
        let mut scratch = ScratchDatabase::open(database_url).map_err(|e| e.to_string())?;
        schema::apply(scratch.client(), &migrations, package.schema_per_statement)
            .map_err(|d| d.render())?;
        // The application's sessions' search path: the config's, else what the schema sets
        // for new sessions (`ALTER ROLE|DATABASE ... SET`), as the analyzer reads it.
        let search_path = match &package.config.search_path {
            Some(path) => path.clone(),
            None => {
                let ddl: Vec<SourceFile> = migrations
                    .iter()
                    .map(|m| SourceFile::new(m.file.clone(), m.sql.as_str()))
                    .collect();
                crate::catalog::from_ddl(&ddl).0.search_path
            }
        };
        let mut session = Session::new(scratch.client(), &search_path)?;
        for (file, queries) in &files {
            for raw in queries {
                report.queries += 1;
                session.vet_query(file, raw, &package.config, &mut report);
            }
        }
    }
    Ok(report)
}

/// A relation as the findings name it, with what the rules need to know about it.
#[derive(Clone)]
struct Relation {
    display: String,
    watched: Option<Watched>,
    varchar: Vec<String>,
}

/// The scratch database's session, set up for generic plans, with catalog facts cached.
struct Session<'a> {
    client: &'a mut postgres::Client,
    relations: HashMap<(String, String), Relation>,
    /// (schema, index) → (access method, leading column; `None` for an expression).
    indexes: HashMap<(String, String), (String, Option<String>)>,
}

const STATEMENT: &str = "squill_vet";

impl<'a> Session<'a> {
    fn new(client: &'a mut postgres::Client, search_path: &[String]) -> Result<Self, String> {
        let mut setup = String::from(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; \
             SET enable_partition_pruning = off; SET max_parallel_workers_per_gather = 0; \
             SET jit = off;",
        );
        if !search_path.is_empty() {
            let list: Vec<String> = search_path.iter().map(|s| quote_ident(s)).collect();
            setup.push_str(&format!(" SET search_path TO {};", list.join(", ")));
        }
        client
            .batch_execute(&setup)
            .map_err(|e| crate::live::describe_pg_error(&e))?;
        Ok(Self {
            client,
            relations: HashMap::new(),
            indexes: HashMap::new(),
        })
    }

    fn vet_query(
        &mut self,
        file: &SourceFile,
        raw: &RawQuery,
        config: &Config,
        report: &mut Report,
    ) {
        let span = token_span(&file.text, raw.span.start);
        let plan = match self.explain(&raw.sql) {
            Ok(plan) => plan,
            Err(reason) => {
                report.unchecked.push(Unchecked {
                    query: raw.name.clone(),
                    file: file.clone(),
                    span,
                    reason,
                });
                return;
            }
        };
        let mut seen = Vec::new();
        for scan in plan::scans(&plan) {
            let Ok(relation) = self.relation(&scan.schema, &scan.relation, config) else {
                continue;
            };
            let Some(watched) = relation.watched.clone() else {
                continue;
            };
            let Some(kind) = self.unserved(&scan) else {
                continue;
            };
            let mut conditions = Vec::new();
            if let plan::Access::Index(uses) = &scan.access {
                conditions.extend(uses.iter().filter_map(|u| u.cond.clone()));
            }
            conditions.extend(scan.join_conds.iter().cloned());
            let mut columns = suggest(&scan, &relation, &watched, &conditions);
            let unscoped =
                matches!(&watched, Watched::Tenant(column) if columns.first() != Some(column));
            // The index read whole already leads with that column: its conditions come from
            // a join that reads it in order (a merge join), not from a missing index.
            let read_in_order = matches!(&kind, ScanKind::WholeIndex { leading, .. }
                if columns.first() == Some(leading));
            if read_in_order {
                columns.clear();
            }
            let index = (!columns.is_empty()).then(|| {
                let columns: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
                format!(
                    "CREATE INDEX ON {} ({})",
                    relation.display,
                    columns.join(", ")
                )
            });
            // The partitions of one table (each its own alias) are one finding: one fix.
            let key = (relation.display.clone(), kind.clone(), index.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            report.findings.push(Finding {
                query: raw.name.clone(),
                file: file.clone(),
                span: span.clone(),
                table: relation.display,
                watched,
                kind,
                filter: scan.filter.clone(),
                conditions,
                index,
                unscoped,
                read_in_order,
            });
        }
    }

    /// The generic plan of `sql`, as EXPLAIN's JSON document.
    fn explain(&mut self, sql: &str) -> Result<serde_json::Value, String> {
        let pg = |e: postgres::Error| crate::live::describe_pg_error(&e);
        self.client
            .batch_execute(&format!("PREPARE {STATEMENT} AS {sql}"))
            .map_err(pg)?;
        let result = self.explain_prepared();
        self.client
            .batch_execute(&format!("DEALLOCATE {STATEMENT}"))
            .map_err(pg)?;
        result
    }

    fn explain_prepared(&mut self) -> Result<serde_json::Value, String> {
        let pg = |e: postgres::Error| crate::live::describe_pg_error(&e);
        let count: i32 = self
            .client
            .query_one(
                "SELECT coalesce(cardinality(parameter_types), 0) FROM pg_prepared_statements WHERE name = $1",
                &[&STATEMENT],
            )
            .map_err(pg)?
            .get(0);
        let args = match usize::try_from(count).unwrap_or(0) {
            0 => String::new(),
            n => format!("({})", vec!["NULL"; n].join(", ")),
        };
        let messages = self
            .client
            .simple_query(&format!(
                "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE {STATEMENT}{args}"
            ))
            .map_err(pg)?;
        let text = messages
            .iter()
            .find_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => row.get(0),
                _ => None,
            })
            .ok_or("EXPLAIN returned no plan")?;
        serde_json::from_str(text).map_err(|e| format!("reading EXPLAIN's JSON: {e}"))
    }

    /// The relation's display name (its partition root's, for a partition) and whether vet
    /// watches it.
    fn relation(&mut self, schema: &str, name: &str, config: &Config) -> Result<Relation, String> {
        let key = (schema.to_owned(), name.to_owned());
        if let Some(relation) = self.relations.get(&key) {
            return Ok(relation.clone());
        }
        let row = self
            .client
            .query_opt(
                "SELECT rn.nspname::text, r.relname::text,
                        array_agg(a.attname::text ORDER BY a.attnum),
                        array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
                   FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   JOIN pg_class r ON r.oid = coalesce(pg_partition_root(c.oid), c.oid)
                   JOIN pg_namespace rn ON rn.oid = r.relnamespace
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  WHERE n.nspname = $1 AND c.relname = $2
                  GROUP BY 1, 2",
                &[&schema, &name],
            )
            .map_err(|e| crate::live::describe_pg_error(&e))?
            .ok_or_else(|| format!("relation {schema}.{name} not found"))?;
        let (root_schema, root): (String, String) = (row.get(0), row.get(1));
        let columns: Vec<String> = row.get(2);
        let types: Vec<String> = row.get(3);
        let tenant = config
            .tenant
            .as_ref()
            .and_then(|t| t.column_of(&root_schema, &root, &columns));
        let watched = match tenant {
            Some(column) => Some(Watched::Tenant(column.to_owned())),
            None => config
                .vet
                .is_large(&root_schema, &root)
                .then_some(Watched::Large),
        };
        let display = if root_schema == "public" {
            quote_ident(&root)
        } else {
            format!("{}.{}", quote_ident(&root_schema), quote_ident(&root))
        };
        let varchar = columns
            .iter()
            .zip(&types)
            .filter(|(_, ty)| ty.starts_with("character varying"))
            .map(|(c, _)| c.clone())
            .collect();
        let relation = Relation {
            display,
            watched,
            varchar,
        };
        self.relations.insert(key, relation.clone());
        Ok(relation)
    }

    /// How the scan fails to be served by an index, if it does.
    fn unserved(&mut self, scan: &plan::Scan) -> Option<ScanKind> {
        let plan::Access::Index(uses) = &scan.access else {
            return Some(ScanKind::Seq);
        };
        for used in uses {
            let Ok((method, Some(leading))) = self.index(&scan.schema, &used.name) else {
                continue;
            };
            // Only B-tree order makes "the leading column" decide what is read.
            if method != "btree" || (used.cond.is_none() && scan.filter.is_none()) {
                continue;
            }
            let read = match &used.cond {
                Some(cond) => match predicate::columns_read(cond, &scan.alias) {
                    Some(read) => read,
                    // Unreadable condition: claim nothing.
                    None => continue,
                },
                None => Vec::new(),
            };
            if !read.contains(&leading) {
                return Some(ScanKind::WholeIndex {
                    index: used.name.clone(),
                    leading,
                });
            }
        }
        None
    }

    fn index(&mut self, schema: &str, name: &str) -> Result<(String, Option<String>), String> {
        let key = (schema.to_owned(), name.to_owned());
        if let Some(found) = self.indexes.get(&key) {
            return Ok(found.clone());
        }
        let row = self
            .client
            .query_opt(
                "SELECT am.amname::text, a.attname::text
                   FROM pg_class i
                   JOIN pg_namespace n ON n.oid = i.relnamespace
                   JOIN pg_index x ON x.indexrelid = i.oid
                   JOIN pg_am am ON am.oid = i.relam
                   LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
                  WHERE n.nspname = $1 AND i.relname = $2",
                &[&schema, &name],
            )
            .map_err(|e| crate::live::describe_pg_error(&e))?
            .ok_or_else(|| format!("index {schema}.{name} not found"))?;
        let found = (row.get(0), row.get(1));
        self.indexes.insert(key, found.clone());
        Ok(found)
    }
}

/// The index that would serve the scan's conditions: equality columns (the tenant column
/// first), then one range column (a B-tree serves range conditions on one column after the
/// equalities, no more). Empty when no condition is an index clause on a plain column.
fn suggest(
    scan: &plan::Scan,
    relation: &Relation,
    watched: &Watched,
    conditions: &[String],
) -> Vec<String> {
    let varchar = |c: &str| relation.varchar.iter().any(|v| v == c);
    let mut texts: Vec<&str> = scan.filter.iter().map(String::as_str).collect();
    texts.extend(conditions.iter().map(String::as_str));
    let found = predicate::indexable(
        &texts,
        &predicate::Relation {
            alias: &scan.alias,
            varchar: &varchar,
        },
    );
    let mut columns = found.equal;
    if let Watched::Tenant(tenant) = watched
        && let Some(at) = columns.iter().position(|c| c == tenant)
    {
        let tenant = columns.remove(at);
        columns.insert(0, tenant);
    }
    columns.extend(found.range.into_iter().take(1));
    columns
}
