//! The corpus cases the live tests run (demo-independent): each case's schema files and query
//! files, found the way each project's tooling finds them, and the schema applied to a scratch
//! database on a throwaway server.

use std::path::{Path, PathBuf};

use squill_codegen::catalog;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::live::{ScratchDatabase, TempServer};

pub struct Case {
    pub name: String,
    /// Rows to insert before running the parameterless SELECTs to provoke NULLs.
    pub data: Option<PathBuf>,
    pub schema: Vec<PathBuf>,
    pub queries: Vec<PathBuf>,
}

pub fn sql_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .filter(|p| !p.to_string_lossy().ends_with(".down.sql"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

pub fn source(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    SourceFile::new(path.display().to_string(), text)
}

pub fn corpus_cases() -> Vec<Case> {
    let Some(corpus) = super::corpus() else {
        return Vec::new();
    };
    let mut cases = Vec::new();
    for example in ["authors", "booktest", "ondeck", "jets"] {
        let dir = corpus
            .join("sqlc-examples/examples")
            .join(example)
            .join("postgresql");
        let schema = if dir.join("schema.sql").exists() {
            sql_files(&dir.join("schema.sql"))
        } else {
            sql_files(&dir.join("schema"))
        };
        let queries = if dir.join("query.sql").exists() {
            sql_files(&dir.join("query.sql"))
        } else {
            sql_files(&dir.join("query"))
        };
        if !schema.is_empty() && !queries.is_empty() {
            cases.push(Case {
                data: None,
                name: format!("sqlc-examples/{example}"),
                schema,
                queries,
            });
        }
    }
    // Application corpora.
    let minder = corpus.join("sqlc-minder/database");
    cases.push(Case {
        name: "sqlc-minder".into(),
        data: None,
        schema: sql_files(&minder.join("migrations")),
        queries: sql_files(&minder.join("query")),
    });
    let hatchet = corpus.join("sqlc-hatchet");
    let sqlcv1 = hatchet.join("pkg/repository/sqlcv1");
    cases.push(Case {
        name: "sqlc-hatchet".into(),
        data: None,
        schema: ["v0.sql", "v1-core.sql", "v1-olap.sql", "pg-stubs.sql"]
            .iter()
            .map(|f| hatchet.join("sql/schema").join(f))
            .chain([sqlcv1.join("concurrency-additional-tables.sql")])
            .collect(),
        queries: sql_files(&sqlcv1)
            .into_iter()
            .filter(|p| !p.ends_with("concurrency-additional-tables.sql"))
            .collect(),
    });
    // goalert: sqlc reads `migrate/schema.sql`, a pgdump-lite dump PostgreSQL rejects (its
    // sequences come after the tables using them); the 280 sql-migrate files it was made
    // from apply (`-- +migrate Down` sections are blanked by `catalog::runnable_sql`). Then the
    // two swo files the config lists after the dump. Queries: sqlc.yaml's `*/queries.sql` and
    // `*/*/queries.sql` (the swo package's config is a subset of these).
    let goalert = corpus.join("sqlc-goalert");
    let mut goalert_queries: Vec<PathBuf> = Vec::new();
    for dir in sorted_dirs(&goalert) {
        goalert_queries.push(dir.join("queries.sql"));
        goalert_queries.extend(sorted_dirs(&dir).into_iter().map(|d| d.join("queries.sql")));
    }
    goalert_queries.retain(|p| p.exists());
    goalert_queries.sort();
    cases.push(Case {
        name: "sqlc-goalert (migrations)".into(),
        data: None,
        schema: sql_files(&goalert.join("migrate/migrations"))
            .into_iter()
            .chain(
                ["swo/swoinfo/pgtables.sql", "swo/swosync/changelog.sql"]
                    .iter()
                    .map(|f| goalert.join(f)),
            )
            .collect(),
        queries: goalert_queries,
    });
    // neosync: golang-migrate up files (schema `neosync_api`) for the app queries; the
    // catalog-introspection queries (pg_catalog, information_schema) have no schema.
    let neosync = corpus.join("sqlc-neosync/backend");
    cases.push(Case {
        name: "sqlc-neosync".into(),
        data: None,
        schema: sql_files(&neosync.join("sql/postgresql/schema")),
        queries: sql_files(&neosync.join("sql/postgresql/queries")),
    });
    cases.push(Case {
        name: "sqlc-neosync (catalog queries)".into(),
        data: None,
        schema: Vec::new(),
        queries: sql_files(&neosync.join("pkg/dbschemas/sql/postgresql/queries")),
    });
    // cornucopia / clorinde dialect (`--!` annotations). bionic-gpt: dbmate migrations (after
    // the table dbmate creates itself, which they GRANT on), some needing pgvector, which is
    // not installable here: the case is then reported as skipped. samling: numbered migrations.
    for (name, dbmate, schema, queries) in [
        (
            "cornucopia-bionic-gpt",
            true,
            "crates/db/migrations",
            "crates/db/queries",
        ),
        (
            "clorinde-samling",
            false,
            "samling/migrations",
            "samling/queries",
        ),
    ] {
        let dir = corpus.join(name);
        cases.push(Case {
            name: name.into(),
            data: None,
            schema: dbmate
                .then(dbmate_prelude)
                .into_iter()
                .chain(sql_files(&dir.join(schema)))
                .collect(),
            queries: sql_files(&dir.join(queries)),
        });
    }
    let endtoend = corpus.join("sqlc-endtoend");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&endtoend)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        // The first postgresql variant that has a schema and queries (pgx/v5 preferred).
        let mut variants = Vec::new();
        collect_variants(&dir.join("postgresql"), &mut variants);
        variants.sort_by_key(|v| !v.to_string_lossy().contains("pgx/v5"));
        if let Some(v) = variants.first() {
            let schema = sql_files(&v.join(if v.join("schema.sql").exists() {
                "schema.sql"
            } else {
                "schema"
            }));
            let queries = sql_files(&v.join(if v.join("query.sql").exists() {
                "query.sql"
            } else {
                "query"
            }));
            if !schema.is_empty() && !queries.is_empty() {
                cases.push(Case {
                    data: None,
                    name: format!(
                        "endtoend/{}",
                        dir.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    schema,
                    queries,
                });
            }
        }
    }
    cases
}

/// dbmate's own bookkeeping table (`dbmate up` creates it before the first migration), as a
/// schema file in cargo's temp folder for tests.
fn dbmate_prelude() -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "squill-analyze-dbmate-prelude-{}.sql",
        std::process::id()
    ));
    std::fs::write(
        &path,
        "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);\n",
    )
    .expect("CARGO_TARGET_TMPDIR is writable");
    path
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn collect_variants(dir: &Path, out: &mut Vec<PathBuf>) {
    if (dir.join("schema.sql").exists() || dir.join("schema").is_dir())
        && (dir.join("query.sql").exists() || dir.join("query").is_dir())
    {
        out.push(dir.to_path_buf());
        return;
    }
    if let Ok(d) = std::fs::read_dir(dir) {
        for e in d.flatten() {
            if e.path().is_dir() {
                collect_variants(&e.path(), out);
            }
        }
    }
}

/// A scratch database on `server` with the case's schema applied (a file PostgreSQL refuses as
/// one batch is replayed statement by statement); `Err` names the statement that fails.
pub fn apply_schema(server: &TempServer, case: &Case) -> Result<ScratchDatabase, String> {
    let mut scratch =
        ScratchDatabase::on_server(&server.url("postgres")).map_err(|e| e.to_string())?;
    for path in &case.schema {
        let file = source(path);
        let runnable = catalog::runnable_sql(&file.text);
        if scratch.client().batch_execute(&runnable).is_err() {
            // Statement by statement (CREATE INDEX CONCURRENTLY refuses a multi-statement batch).
            for range in squill_codegen::source::split::split_statements(&runnable) {
                let statement = &runnable[range];
                scratch.client().batch_execute(statement).map_err(|e| {
                    format!(
                        "schema does not apply: {} (in `{}`)",
                        squill_codegen::live::describe_pg_error(&e),
                        statement
                            .chars()
                            .take(60)
                            .collect::<String>()
                            .replace('\n', " ")
                    )
                })?;
            }
        }
    }
    Ok(scratch)
}

/// Whether PostgreSQL would judge `sql` by planning it too: a statement with ON CONFLICT,
/// whose arbiter index is chosen by the planner (`infer_arbiter_indexes`), not at PREPARE.
pub fn judged_by_plan(sql: &str) -> bool {
    sql.to_ascii_uppercase().contains("ON CONFLICT")
}

/// PostgreSQL's plan-time verdict on `sql` (which PREPAREs): `EXPLAIN EXECUTE` of its generic
/// plan (what a prepared statement runs once the plan cache settles on it; the parameters'
/// values do not reach the planner). The NULLs passed for them are checked against their
/// types first (a NOT NULL domain rejects one): data errors (SQLSTATE classes 22 and 23)
/// are those values', not the query's, and do not count.
pub fn plans(client: &mut postgres::Client, sql: &str) -> Result<(), postgres::Error> {
    let n = client.prepare(sql)?.params().len();
    client.batch_execute(&format!(
        "SET plan_cache_mode = force_generic_plan; PREPARE squill_plan AS {sql}"
    ))?;
    let args = vec!["NULL"; n].join(", ");
    let explain = if n == 0 {
        "EXPLAIN EXECUTE squill_plan".to_string()
    } else {
        format!("EXPLAIN EXECUTE squill_plan({args})")
    };
    let verdict = client.batch_execute(&explain);
    client.batch_execute("DEALLOCATE squill_plan; RESET plan_cache_mode")?;
    match verdict {
        Err(e)
            if e.code()
                .is_some_and(|c| c.code().starts_with("22") || c.code().starts_with("23")) =>
        {
            Ok(())
        }
        other => other,
    }
}
