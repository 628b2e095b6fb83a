//! The catalog read from DDL equals the catalog introspected from PostgreSQL after applying the
//! same DDL: for the demo schema, a fixture exercising every statement form squill reads, and
//! every schema in `../shared/corpus` (`README.md` there lists them).
//!
//! Each case gets a fresh database on one throwaway server. A case whose SQL PostgreSQL itself
//! rejects (sqlc's deliberately invalid end-to-end cases, a missing extension such as
//! pgvector) is reported as such, not failed. For every case that applies cleanly, the two
//! catalogs must be equal ([`squill_codegen::catalog::diff`]; views are compared by name and
//! kind, as their columns are the analyzer's to type), `from_ddl` must report no error, and
//! `TypeName::display` must spell every column type exactly as PostgreSQL's `format_type`.
//!
//! Run with `--nocapture` for the per-case table and the sqlparser rejections by form.
//! `SQUILL_CORPUS` points at another corpus folder.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use squill_codegen::catalog::{self, Catalog, DdlStats, from_database, from_ddl, runnable_sql};
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::ir::MigrationFile;
use squill_codegen::live::TempServer;
use squill_codegen::source::split::split_statements;

struct Case {
    name: String,
    files: Vec<SourceFile>,
}

struct Outcome {
    name: String,
    stats: DdlStats,
    /// `None` when PostgreSQL applied the SQL; else why not.
    rejected: Option<String>,
    differences: Vec<String>,
    warnings: Vec<String>,
    /// `from_ddl` errors (for cases PostgreSQL applies, they are differences too).
    ddl_errors: usize,
    /// Relations, columns and functions from DDL.
    objects: (usize, usize, usize),
    /// How long `from_ddl` took.
    ddl_time: std::time::Duration,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path, root: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    SourceFile::new(name, text)
}

/// A migrations folder in version order (up files only), or the `.sql` files of a folder in
/// name order when its names are not versioned the way `squill::migrate` expects.
fn folder(dir: &Path, root: &Path) -> Vec<SourceFile> {
    match squill::migrate::load_dir(dir) {
        Ok(migrations) => migrations
            .iter()
            .map(|m| read(&dir.join(&*m.file), root))
            .collect(),
        Err(_) => {
            let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy();
                    name.ends_with(".sql") && !name.ends_with(".down.sql")
                })
                .collect();
            names.sort();
            names.iter().map(|p| read(p, root)).collect()
        }
    }
}

fn inputs(paths: &[PathBuf], root: &Path) -> Vec<SourceFile> {
    paths
        .iter()
        .flat_map(|p| {
            if p.is_dir() {
                folder(p, root)
            } else {
                vec![read(p, root)]
            }
        })
        .collect()
}

/// The `schema:` entries of an sqlc config (`sqlc.json` / `sqlc.yaml`), relative to it.
fn sqlc_schemas(config: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(config).unwrap();
    let dir = config.parent().unwrap();
    let unquote = |s: &str| {
        s.trim()
            .trim_end_matches(',')
            .trim()
            .trim_matches('"')
            .trim_matches('\'')
            .to_string()
    };
    let mut out: Vec<PathBuf> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim().trim_start_matches("- ");
        let Some(value) = trimmed
            .strip_prefix("\"schema\":")
            .or_else(|| trimmed.strip_prefix("schema:"))
        else {
            continue;
        };
        let value = value.trim();
        let mut entries = Vec::new();
        if value.starts_with('[') {
            let mut list = value.to_string();
            while !list.contains(']') {
                list.push_str(lines.next().unwrap_or("]"));
            }
            let inner = list.trim_start_matches('[');
            let inner = &inner[..inner.find(']').unwrap()];
            entries.extend(inner.split(',').map(unquote).filter(|s| !s.is_empty()));
        } else if value.is_empty() {
            while let Some(next) = lines.peek() {
                let Some(item) = next.trim().strip_prefix("- ") else {
                    break;
                };
                entries.push(unquote(item));
                lines.next();
            }
        } else {
            entries.push(unquote(value));
        }
        for entry in entries {
            let path = dir.join(entry);
            if path.exists() && !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let corpus = support::corpus();
    let mut cases = vec![
        Case {
            name: "demo".into(),
            files: folder(&workspace().join("schema"), &workspace()),
        },
        Case {
            name: "forms (fixture)".into(),
            files: FORMS
                .iter()
                .map(|(name, sql)| SourceFile::new(*name, *sql))
                .collect(),
        },
    ];
    let Some(corpus) = corpus else {
        return cases;
    };
    let root = corpus.as_path();
    let named: &[(&str, &[&str])] = &[
        (
            "sqlc-hatchet",
            &[
                "sqlc-hatchet/sql/schema/v0.sql",
                "sqlc-hatchet/sql/schema/v1-core.sql",
                "sqlc-hatchet/sql/schema/v1-olap.sql",
                "sqlc-hatchet/sql/schema/pg-stubs.sql",
                "sqlc-hatchet/pkg/repository/sqlcv1/concurrency-additional-tables.sql",
            ],
        ),
        (
            "sqlc-goalert",
            &[
                "sqlc-goalert/migrate/schema.sql",
                "sqlc-goalert/swo/swoinfo/pgtables.sql",
                "sqlc-goalert/swo/swosync/changelog.sql",
            ],
        ),
        // The dump above is for sqlc only (its sequences come after the tables using them, so
        // PostgreSQL rejects it); the sql-migrate folder it was made from applies.
        (
            "sqlc-goalert (migrations)",
            &["sqlc-goalert/migrate/migrations"],
        ),
        ("sqlc-minder", &["sqlc-minder/database/migrations"]),
        (
            "sqlc-neosync",
            &["sqlc-neosync/backend/sql/postgresql/schema"],
        ),
        (
            "cornucopia-bionic-gpt",
            &["cornucopia-bionic-gpt/crates/db/migrations"],
        ),
        ("clorinde-samling", &["clorinde-samling/samling/migrations"]),
        ("schema-danbooru", &["schema-danbooru/db/structure.sql"]),
        ("schema-pagila", &["schema-pagila/pagila-schema.sql"]),
    ];
    for (name, paths) in named {
        let paths: Vec<PathBuf> = paths.iter().map(|p| corpus.join(p)).collect();
        cases.push(Case {
            name: name.to_string(),
            files: inputs(&paths, root),
        });
    }
    for collection in ["sqlc-examples", "sqlc-endtoend"] {
        let mut configs = Vec::new();
        support::find_configs(&corpus.join(collection), &mut configs);
        for config in configs {
            let schemas = sqlc_schemas(&config);
            if schemas.is_empty() {
                continue;
            }
            let name = config
                .parent()
                .unwrap()
                .strip_prefix(&corpus)
                .unwrap()
                .display()
                .to_string();
            cases.push(Case {
                name,
                files: inputs(&schemas, root),
            });
        }
    }
    cases
}

fn run_case(server: &TempServer, index: usize, case: &Case) -> Outcome {
    let started = std::time::Instant::now();
    let (ddl, diagnostics, stats) = from_ddl(&case.files);
    let ddl_time = started.elapsed();
    let mut outcome = Outcome {
        name: case.name.clone(),
        stats,
        rejected: None,
        differences: vec![],
        warnings: diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| format!("{}: {}", d.location().unwrap_or_default(), d.message))
            .collect(),
        ddl_errors: diagnostics.iter().filter(|d| d.is_error()).count(),
        objects: (
            ddl.tables.len(),
            ddl.tables.values().map(|t| t.columns.len()).sum(),
            ddl.functions.len(),
        ),
        ddl_time,
    };
    let database = format!("catalog_case_{index}");
    let mut admin = server.connect("postgres").expect("connect");
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database}"))
        .expect("drop database");
    admin
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .expect("create database");
    let live = {
        let mut client = server.connect(&database).expect("connect to case database");
        match apply(&mut client, &case.files) {
            Err(why) => {
                outcome.rejected = Some(why);
                None
            }
            Ok(()) => {
                // A fresh session: the migrations' SET search_path is theirs only.
                drop(client);
                let mut client = server.connect(&database).expect("reconnect");
                let live = from_database(&mut client).expect("introspect");
                outcome
                    .differences
                    .extend(display_mismatches(&mut client, &live));
                Some(live)
            }
        }
    };
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .expect("drop database");
    if let Some(live) = live {
        outcome.differences.extend(catalog::diff(&ddl, &live));
        outcome.differences.extend(
            diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("from_ddl error: {}", d.render().trim_end())),
        );
    }
    outcome
}

/// Applies the files in order as their tools would: each file in one transaction, or, when it
/// holds a statement PostgreSQL refuses to run in one (`CREATE INDEX CONCURRENTLY`), statement
/// by statement as psql runs a schema file. dbmate's folders get the `schema_migrations` table
/// dbmate creates (some migrations grant on it); it is dropped again before introspection.
fn apply(client: &mut postgres::Client, files: &[SourceFile]) -> Result<(), String> {
    let dbmate = files.iter().any(|f| f.text.contains("-- migrate:up"));
    if dbmate {
        client
            .batch_execute("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)")
            .map_err(|e| e.to_string())?;
    }
    for (i, file) in files.iter().enumerate() {
        let sql = runnable_sql(&file.text);
        // `-- squill:no-transaction`, sql-migrate's `-- +migrate Up notransaction`, goose's
        // `-- +goose NO TRANSACTION`, dbmate's `transaction:false`.
        let no_transaction = squill::migrate::runnable_text(&file.text).no_transaction;
        let result = if no_transaction {
            Err(None)
        } else {
            client.batch_execute(&sql).map_err(Some)
        };
        let Err(e) = result else {
            continue;
        };
        let statement_by_statement = e
            .as_ref()
            .is_none_or(|e| e.code() == Some(&postgres::error::SqlState::ACTIVE_SQL_TRANSACTION));
        if statement_by_statement {
            for range in split_statements(&sql) {
                if let Err(e) = client.batch_execute(&sql[range.clone()]) {
                    let (line, _) = file.line_col(range.start);
                    return Err(rejection_message(
                        &describe(&e),
                        &format!("{}:{line}", file.name),
                    ));
                }
            }
            continue;
        }
        // Replayed to find the statement that fails (the batch rolled back).
        let migration = MigrationFile {
            version: i as u64,
            name: file.name.clone(),
            file: file.name.clone(),
            sql,
            down: None,
        };
        let e = e.expect("a batch error");
        let d = squill_codegen::schema::apply(client, &[migration], false)
            .err()
            .unwrap_or_else(|| squill_codegen::diagnostic::Diagnostic::error(describe(&e)));
        return Err(rejection_message(
            d.message.trim_start_matches("migration failed: "),
            &d.location().unwrap_or_default(),
        ));
    }
    if dbmate {
        client
            .batch_execute("DROP TABLE schema_migrations")
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn describe(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_string())
}

/// Why PostgreSQL would not apply a case: the missing extension when that is it.
fn rejection_message(message: &str, location: &str) -> String {
    if let Some(at) = message.find("extension \"") {
        let name: String = message[at + 11..]
            .chars()
            .take_while(|&c| c != '"')
            .collect();
        if message.contains("is not available") || message.contains("control file") {
            return format!("missing extension {name}");
        }
    }
    format!("PostgreSQL: {message} ({location})")
}

/// Every column's `TypeName::display` against `format_type(atttypid, atttypmod)`.
fn display_mismatches(client: &mut postgres::Client, live: &Catalog) -> Vec<String> {
    let rows = client
        .query(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE a.attnum > 0 AND NOT a.attisdropped",
            &[],
        )
        .expect("format_type");
    let mut out = Vec::new();
    for row in rows {
        let (schema, table, column, expected): (String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let Some(relation) = live.relation(&schema, &table) else {
            continue;
        };
        if let Some(c) = relation.column(&column) {
            let shown = c.ty.display();
            if shown != expected {
                out.push(format!(
                    "display of {schema}.{table}.{column}: {shown:?} but format_type says {expected:?}"
                ));
            }
        }
    }
    out
}

/// The demo's catalog, read from its migrations (no database needed).
#[test]
fn demo_catalog() {
    let (catalog, diagnostics, _) = from_ddl(&folder(&workspace().join("schema"), &workspace()));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    insta::assert_snapshot!("demo_catalog", catalog.to_string());
}

#[test]
fn ddl_catalog_equals_live_catalog() {
    let server = TempServer::start().expect("throwaway PostgreSQL server");
    let cases = cases();
    assert!(cases.len() > 150, "corpus not found: {} cases", cases.len());

    let next = Mutex::new(0usize);
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some(case) = cases.get(index) else {
                        return;
                    };
                    let outcome = run_case(&server, index, case);
                    outcomes.lock().unwrap().push((index, outcome));
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by_key(|(i, _)| *i);
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|(_, o)| o).collect();

    println!("{}", table(&outcomes));
    let mut forms: BTreeMap<String, usize> = BTreeMap::new();
    for outcome in &outcomes {
        for (form, n) in &outcome.stats.rejected_forms {
            *forms.entry(form.clone()).or_default() += n;
        }
    }
    println!("sqlparser rejections by form (read at token level instead):");
    for (form, n) in &forms {
        println!("  {form:<28} {n}");
    }
    println!("from_ddl warnings:");
    for outcome in &outcomes {
        for warning in &outcome.warnings {
            println!("  {}: {warning}", outcome.name);
        }
    }
    let failing: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.rejected.is_none() && !o.differences.is_empty())
        .collect();
    for outcome in &failing {
        println!(
            "\n== {}: {} differences",
            outcome.name,
            outcome.differences.len()
        );
        for line in &outcome.differences {
            println!("  {line}");
        }
    }
    assert!(
        failing.is_empty(),
        "{} cases that PostgreSQL applies have catalog differences: {:?}",
        failing.len(),
        failing.iter().map(|o| &o.name).collect::<Vec<_>>()
    );
    // What PostgreSQL rejects (a missing extension aside), from_ddl rejects too. Known gap:
    // default expressions are not typed, so pagila's `DEFAULT uuidv7()` (a PostgreSQL 18
    // function) passes.
    let known_gaps = ["schema-pagila"];
    let accepted: Vec<&str> = outcomes
        .iter()
        .filter(|o| {
            o.rejected
                .as_deref()
                .is_some_and(|why| !why.starts_with("missing extension"))
                && o.ddl_errors == 0
                && !known_gaps.contains(&o.name.as_str())
        })
        .map(|o| o.name.as_str())
        .collect();
    assert!(
        accepted.is_empty(),
        "cases PostgreSQL rejects that from_ddl accepts: {accepted:?}"
    );
}

fn table(outcomes: &[Outcome]) -> String {
    let mut out = format!(
        "{:<58} {:>6} {:>8} {:>15} {:>7} {:<40} {:<6} {}\n",
        "case",
        "stmts",
        "rejected",
        "rel/col/fn",
        "ddl ms",
        "applies on PostgreSQL",
        "equal",
        "differences"
    );
    let (mut applied, mut equal, mut statements, mut rejected) = (0, 0, 0, 0);
    for o in outcomes {
        statements += o.stats.statements;
        rejected += o.stats.sqlparser_rejected;
        let (applies, eq) = match &o.rejected {
            None => {
                applied += 1;
                let eq = o.differences.is_empty();
                equal += usize::from(eq);
                ("yes".to_string(), if eq { "yes" } else { "NO" })
            }
            Some(why) => (why.chars().take(120).collect(), "-"),
        };
        let mut notes = Vec::new();
        if !o.warnings.is_empty() {
            notes.push(format!("{} warnings", o.warnings.len()));
        }
        if o.rejected.is_some() && o.ddl_errors > 0 {
            notes.push(format!("{} from_ddl errors", o.ddl_errors));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        let (relations, columns, functions) = o.objects;
        out.push_str(&format!(
            "{:<58} {:>6} {:>8} {:>15} {:>7.1} {:<40} {:<6} {}{}\n",
            o.name,
            o.stats.statements,
            o.stats.sqlparser_rejected,
            format!("{relations}/{columns}/{functions}"),
            o.ddl_time.as_secs_f64() * 1000.0,
            applies,
            eq,
            o.differences.len(),
            notes
        ));
    }
    out.push_str(&format!(
        "{} cases, {applied} apply on PostgreSQL, {equal} of them with equal catalogs; \
         {statements} statements, {rejected} read at token level after sqlparser rejected them\n",
        outcomes.len()
    ));
    out
}

/// Every statement form the DDL reader handles, as migrations.
const FORMS: &[(&str, &str)] = &[
    (
        "0001_types.sql",
        r#"
\restrict abc123
CREATE SCHEMA app;
CREATE SCHEMA IF NOT EXISTS app;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE mood ADD VALUE 'happy';
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy';
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE mood ADD VALUE 'ecstatic' AFTER 'happy';
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
ALTER TYPE mood OWNER TO CURRENT_USER;
CREATE TYPE app.level AS ENUM ('low', 'high');
CREATE TYPE old_name AS ENUM ('x');
ALTER TYPE old_name RENAME TO new_name;
CREATE TYPE app.moving AS ENUM ('a');
ALTER TYPE app.moving SET SCHEMA public;
CREATE TYPE pair AS (a integer, b text[], c varchar(3));
ALTER TYPE pair ADD ATTRIBUTE d numeric(10,2);
ALTER TYPE pair DROP ATTRIBUTE b;
ALTER TYPE pair RENAME ATTRIBUTE d TO cost;
ALTER TYPE pair ALTER ATTRIBUTE c TYPE varchar(30);
CREATE DOMAIN posint AS integer NOT NULL CHECK (VALUE > 0);
CREATE DOMAIN email AS citext;
CREATE DOMAIN "bıgınt" AS bigint;
CREATE DOMAIN app.short_text AS varchar(20) CONSTRAINT nn NOT NULL;
ALTER DOMAIN app.short_text DROP NOT NULL;
ALTER DOMAIN email SET NOT NULL;
ALTER DOMAIN "bıgınt" OWNER TO CURRENT_USER;
CREATE DOMAIN int_matrix AS int[][];
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TYPE shell;
\unrestrict abc123
"#,
    ),
    (
        "0002_tables.sql",
        r#"
CREATE TABLE users (
    id serial PRIMARY KEY,
    big bigserial,
    small smallserial,
    ident bigint GENERATED ALWAYS AS IDENTITY,
    ident2 int GENERATED BY DEFAULT AS IDENTITY (START WITH 10),
    email email NOT NULL UNIQUE,
    name varchar(100) NOT NULL DEFAULT '',
    nick character varying,
    code char,
    code3 character(3),
    flag boolean DEFAULT NULL,
    n1 numeric, n2 numeric(10), n3 decimal(12, 4),
    f4 real, f8 double precision, ff float(10), ff2 float,
    t1 time, t2 time(3) with time zone, t3 timestamp(0), t4 timestamp with time zone,
    t5 timestamptz, t6 timestamp without time zone,
    i1 interval, i2 interval day to second(2), i3 interval year to month, i4 interval(3),
    i5 interval minute,
    arr1 int[], arr2 integer[][], arr3 text ARRAY, arr4 int ARRAY[4], arr5 mood[],
    b1 bit, b2 bit(8), b3 bit varying(5), b4 varbit,
    j json, jb jsonb, u uuid, x xml, ip inet, net cidr, mac macaddr, m money,
    ts tsvector, tq tsquery, r int4range, dr daterange, bytes bytea, d date, fr floatrange,
    "Quoted Col" text,
    mood mood DEFAULT 'ok',
    lvl app.level,
    p pair,
    s "char",
    nm name,
    ci citext,
    g numeric GENERATED ALWAYS AS (n1 * 2) STORED,
    nd posint DEFAULT NULL,
    nn text DEFAULT NULL::text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (name <> 'x' OR email ISNULL),
    UNIQUE (name, nick)
);
CREATE TABLE app.orders (
    id uuid DEFAULT gen_random_uuid(),
    user_id int REFERENCES users (id) ON DELETE SET NULL,
    amount numeric(12,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (id)
);
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, payload jsonb)
    PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_default PARTITION OF events (payload WITH OPTIONS NOT NULL) DEFAULT;
CREATE TABLE base (id int NOT NULL, note text DEFAULT 'n');
CREATE TABLE child (extra int, id int) INHERITS (base);
CREATE TABLE copy1 (LIKE users);
CREATE TABLE copy2 (LIKE users INCLUDING ALL EXCLUDING INDEXES, more text);
CREATE TABLE copy3 (LIKE base INCLUDING DEFAULTS);
CREATE TABLE typed OF pair;
CREATE TABLE typed_options OF pair (a WITH OPTIONS NOT NULL DEFAULT 1, PRIMARY KEY (cost));
CREATE TABLE IF NOT EXISTS base (id int);
CREATE UNLOGGED TABLE logs (line text);
CREATE TEMP TABLE scratch (x int);
INSERT INTO scratch VALUES (1);
DROP TABLE scratch;
CREATE TABLE ctas AS SELECT id, name AS label FROM users;
CREATE TABLE ctas_all AS SELECT * FROM base WITH NO DATA;
CREATE TABLE ctas_expr AS SELECT count(*) AS n FROM users;
"#,
    ),
    (
        "0003_alter.sql",
        r#"
ALTER TABLE users ADD COLUMN age int;
ALTER TABLE users ADD COLUMN IF NOT EXISTS age int;
ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT '', ADD COLUMN extra_id serial;
ALTER TABLE users DROP COLUMN nick;
ALTER TABLE users DROP COLUMN IF EXISTS nope;
ALTER TABLE users RENAME COLUMN code TO code1;
ALTER TABLE users ALTER COLUMN age TYPE bigint;
ALTER TABLE users ALTER age SET DATA TYPE numeric(5,1);
ALTER TABLE users ALTER COLUMN age SET NOT NULL;
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
ALTER TABLE users ALTER COLUMN flag SET DEFAULT true;
ALTER TABLE users ALTER COLUMN name DROP DEFAULT;
ALTER TABLE users ALTER COLUMN ident2 DROP IDENTITY;
ALTER TABLE users ALTER COLUMN g DROP EXPRESSION;
ALTER TABLE users ALTER COLUMN m SET DEFAULT NULL;
ALTER TABLE IF EXISTS nope ADD COLUMN x int;
ALTER TABLE base ADD COLUMN added int DEFAULT 1;
ALTER TABLE ONLY base ADD CONSTRAINT base_pk PRIMARY KEY (id);
ALTER TABLE events ALTER COLUMN payload SET NOT NULL;
ALTER TABLE logs ADD PRIMARY KEY (line);
ALTER TABLE logs RENAME TO app_logs;
ALTER TABLE app_logs SET SCHEMA app;
ALTER TABLE app.orders ADD CONSTRAINT amount_check CHECK (amount ISNULL OR amount > 0) NOT VALID;
ALTER TABLE app.orders ALTER COLUMN amount SET STATISTICS 100;
ALTER TABLE app.orders OWNER TO CURRENT_USER;
ALTER TABLE app.orders RESET (fillfactor);
CREATE TABLE to_drop (id serial);
DROP TABLE to_drop;
CREATE TABLE ided (id int NOT NULL);
ALTER TABLE ided ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME ided_custom_seq START WITH 1);
CREATE TABLE measurements (id int, region text, v numeric) PARTITION BY LIST (region);
CREATE TABLE measurements_eu (id int, region text, v numeric);
ALTER TABLE measurements ATTACH PARTITION measurements_eu FOR VALUES IN ('eu');
ALTER TABLE measurements ALTER COLUMN v SET NOT NULL;
ALTER TABLE measurements ADD COLUMN note text DEFAULT 'x';
CREATE TABLE loose (id int NOT NULL, note text DEFAULT 'n', added int DEFAULT 1);
ALTER TABLE loose INHERIT base;
ALTER TABLE base ALTER COLUMN note SET NOT NULL;
ALTER TABLE loose NO INHERIT base;
ALTER TABLE base ALTER COLUMN added SET NOT NULL;
CREATE EXTENSION postgres_fdw;
CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw;
CREATE FOREIGN TABLE remote_users (id int NOT NULL, name text) SERVER remote OPTIONS (table_name 'users');
ALTER FOREIGN TABLE remote_users ADD COLUMN extra int;
CREATE TABLE with_options (id int) WITH (fillfactor = 70);
"#,
    ),
    (
        "0004_routines.sql",
        r#"
CREATE VIEW active_users AS SELECT id, email FROM users WHERE age > 0;
CREATE OR REPLACE VIEW active_users AS SELECT id, email, name FROM users;
CREATE VIEW named_cols (a, b) AS SELECT id, email FROM users;
CREATE MATERIALIZED VIEW IF NOT EXISTS user_counts AS SELECT count(*) AS n FROM users WITH NO DATA;
CREATE VIEW doomed AS SELECT * FROM base;
CREATE RECURSIVE VIEW nums (n) AS VALUES (1) UNION ALL SELECT n + 1 FROM nums WHERE n < 5;
ALTER MATERIALIZED VIEW user_counts RENAME TO user_totals;
ALTER VIEW named_cols SET SCHEMA app;
CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT a + b $$;
CREATE FUNCTION add(a numeric, b numeric) RETURNS numeric RETURNS NULL ON NULL INPUT
    LANGUAGE sql AS 'SELECT a + b';
CREATE OR REPLACE FUNCTION list_users(min_age int DEFAULT 0) RETURNS SETOF users
    LANGUAGE sql STABLE AS $$ SELECT * FROM users WHERE age >= min_age $$;
CREATE FUNCTION user_table() RETURNS TABLE (id int, email text) LANGUAGE sql
    AS $$ SELECT id, email::text FROM users $$;
CREATE FUNCTION one_col() RETURNS TABLE (n bigint) LANGUAGE sql AS $$ SELECT 1::bigint $$;
CREATE FUNCTION outs(IN x int, OUT doubled int, OUT tripled int) LANGUAGE sql
    AS $$ SELECT x * 2, x * 3 $$;
CREATE FUNCTION one_out(x int, OUT y int) AS $$ SELECT x $$ LANGUAGE sql;
CREATE FUNCTION email_of(uid users.id%TYPE) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN RETURN (SELECT email FROM users WHERE id = uid); END $$;
CREATE FUNCTION vsum(VARIADIC nums int[]) RETURNS int LANGUAGE sql
    AS $$ SELECT sum(n)::int FROM unnest(nums) n $$;
CREATE FUNCTION trig() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION app.moved() RETURNS void LANGUAGE sql AS $$ $$;
ALTER FUNCTION app.moved() SET SCHEMA public;
ALTER FUNCTION moved RENAME TO renamed;
ALTER FUNCTION add(numeric, numeric) CALLED ON NULL INPUT;
ALTER FUNCTION trig() OWNER TO CURRENT_USER;
CREATE PROCEDURE do_it(a int, INOUT b int) LANGUAGE plpgsql AS $$ BEGIN b := a; END $$;
CREATE FUNCTION gone() RETURNS int LANGUAGE sql AS 'SELECT 1';
DROP FUNCTION gone();
CREATE FUNCTION atomic_f(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT a + 1;
END;
CREATE FUNCTION chars(c char, v varchar(10)) RETURNS char(5) LANGUAGE sql AS $$ SELECT c $$;
CREATE TRIGGER users_trig BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION trig();
CREATE SEQUENCE counter START 10;
CREATE SEQUENCE IF NOT EXISTS counter;
CREATE SEQUENCE app.owned_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE app.owned_seq OWNED BY app.orders.amount;
ALTER SEQUENCE counter RENAME TO counter2;
"#,
    ),
    (
        "0005_session.sql",
        r#"
-- +goose Up
SET search_path = app, public;
CREATE TABLE in_app (id int);
CREATE TYPE app_color AS ENUM ('red');
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.qualified (c app.app_color, l app.level);
RESET search_path;
SET statement_timeout = 0;
DO $$ BEGIN
    ALTER TYPE mood ADD VALUE 'happy';
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'guarded') THEN
        CREATE TYPE guarded AS ENUM ('g');
    END IF;
END
$$;
DO $$ BEGIN CREATE TABLE from_do (id int); END $$;
DROP VIEW doomed;
CREATE TYPE temp_enum AS ENUM ('t');
CREATE TABLE uses_temp (id int, e temp_enum);
DROP TYPE temp_enum CASCADE;
CREATE SCHEMA trash;
CREATE TABLE trash.t (id int);
DROP SCHEMA trash CASCADE;
CREATE SCHEMA renamed_from;
CREATE TABLE renamed_from.r (id serial);
ALTER SCHEMA renamed_from RENAME TO renamed_to;
COMMENT ON TABLE users IS 'people';
GRANT SELECT ON users TO PUBLIC;
CREATE INDEX users_name_idx ON users (name);
INSERT INTO base (id, note) VALUES (1, 'x');
SET search_path = app, public;
-- +goose Down
DROP TABLE users CASCADE;
"#,
    ),
    (
        "0006_session_carries_over.sql",
        r#"
CREATE TABLE lands_in_app (id int);
BEGIN;
SET LOCAL search_path = public;
CREATE TABLE lands_in_public (id int);
COMMIT;
CREATE TABLE back_in_app (id int);
RESET search_path;
"#,
    ),
    (
        "0007_quoting_defaults_and_more.sql",
        r#"
CREATE TABLE "MixedCase" ("Id" int PRIMARY KEY, "Name" text);
ALTER TABLE "MixedCase" RENAME COLUMN "Name" TO "FullName";
CREATE TABLE kw ("user" text, "order" int, "select" bool);
CREATE TABLE arrays (a int[3], b varchar(10)[], c public.mood[][], d "char"[], e int[][][]);
CREATE TABLE defaults (
    a int DEFAULT (NULL),
    b text DEFAULT CAST(NULL AS text),
    c int DEFAULT 1 + 2 NOT NULL,
    d timestamptz DEFAULT CURRENT_TIMESTAMP,
    e text DEFAULT CASE WHEN true THEN NULL END,
    f text DEFAULT NULL NOT NULL
);
CREATE TABLE t_uniq (a int UNIQUE NOT NULL, b int CONSTRAINT b_check CHECK (b > 0) NULL);
ALTER TABLE t_uniq ADD CONSTRAINT t_uniq_pk PRIMARY KEY (b);
ALTER TABLE t_uniq ADD COLUMN c int GENERATED BY DEFAULT AS IDENTITY;
ALTER TABLE t_uniq ADD COLUMN d numeric GENERATED ALWAYS AS (a * 2) STORED;
ALTER TABLE t_uniq ALTER COLUMN a DROP NOT NULL, ADD COLUMN e text, DROP COLUMN d;
CREATE VIEW v_mixed AS SELECT "Id" FROM "MixedCase";
ALTER TABLE "MixedCase" RENAME TO mixed;
DROP TABLE mixed CASCADE;
CREATE TYPE "Status" AS ENUM ('A', 'B');
CREATE TABLE st (s "Status" NOT NULL DEFAULT 'A', ss "Status"[]);
CREATE DOMAIN arr_dom AS text[];
CREATE TABLE with_dom (x arr_dom, y posint NOT NULL, z arr_dom DEFAULT NULL);
CREATE FUNCTION f_setof_rec() RETURNS SETOF record LANGUAGE sql AS $$ SELECT 1, 2 $$;
CREATE FUNCTION f_default_args(a int, b text DEFAULT 'x', VARIADIC c int[] DEFAULT '{}')
    RETURNS int LANGUAGE sql AS $$ SELECT a $$;
CREATE FUNCTION f_eq_default(a int, b int = 2) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$;
CREATE FUNCTION f_atomic_default(a int, b text DEFAULT 'x', OUT c int) LANGUAGE sql
BEGIN ATOMIC
    SELECT a;
END;
CREATE FUNCTION f_out_table(OUT a int, OUT b text) RETURNS SETOF record LANGUAGE sql
    AS $$ SELECT 1, 'x' $$;
CREATE OR REPLACE FUNCTION f_plain(integer) RETURNS integer AS 'SELECT $1' LANGUAGE sql;
CREATE FUNCTION f_row(p pair) RETURNS pair LANGUAGE sql AS $$ SELECT p $$;
CREATE FUNCTION f_tz(timestamp with time zone, double precision) RETURNS interval
    LANGUAGE sql AS $$ SELECT interval '1 day' $$;
DROP FUNCTION IF EXISTS nope(int);
DROP TABLE IF EXISTS nope, also_nope;
CREATE TABLE "bıg" (id "bıgınt");
ALTER TABLE IF EXISTS ONLY kw ALTER COLUMN "order" TYPE bigint USING "order"::bigint;
CREATE SEQUENCE IF NOT EXISTS app.seq2;
ALTER SEQUENCE app.seq2 SET SCHEMA public;
CREATE TABLE hashed (id int NOT NULL, at date) PARTITION BY HASH (id);
CREATE TABLE hashed_0 PARTITION OF hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0)
    PARTITION BY RANGE (at);
CREATE TABLE hashed_0_2024 PARTITION OF hashed_0 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE like_partitioned (LIKE hashed INCLUDING ALL) PARTITION BY LIST (id);
CREATE TYPE quoted_labels AS ENUM ('it''s', 'a b', 'Ü');
CREATE TYPE empty_comp AS ();
CREATE MATERIALIZED VIEW mv AS SELECT id FROM hashed;
CREATE UNIQUE INDEX ON mv (id);
CREATE TABLE precise (
    a timestamp(3) without time zone, b time(0), c bit varying, d interval hour to minute,
    e numeric(3,-1), f character varying(255)[], g float(53), h dec
);
"#,
    ),
    (
        "0003_operators.sql",
        r#"
CREATE SCHEMA ops;
CREATE TYPE wr AS RANGE (SUBTYPE = float8);
CREATE FUNCTION wr_has(wr, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT $1 @> $2::float8 $$;
CREATE FUNCTION int_in_wr(integer, wr) RETURNS boolean LANGUAGE sql AS $$ SELECT $2 @> $1::float8 $$;
CREATE OPERATOR @@> (LEFTARG = wr, RIGHTARG = integer, FUNCTION = wr_has, COMMUTATOR = <@@);
CREATE OPERATOR <@@ (LEFTARG = integer, RIGHTARG = wr, FUNCTION = int_in_wr, COMMUTATOR = @@>);
CREATE FUNCTION txt_eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT $1 = $2 $$;
CREATE OPERATOR === (
    LEFTARG = text, RIGHTARG = text, PROCEDURE = txt_eq, NEGATOR = !==, COMMUTATOR = ===,
    HASHES
);
CREATE FUNCTION wr_same(wr) RETURNS wr LANGUAGE sql AS $$ SELECT $1 $$;
CREATE OPERATOR ops.~~~ (RIGHTARG = wr, FUNCTION = wr_same);
CREATE OPERATOR public.~<< (FUNCTION = txt_eq, LEFTARG = text, RIGHTARG = text);
ALTER OPERATOR === (text, text) SET SCHEMA ops;
DROP OPERATOR IF EXISTS ~~~ (NONE, wr);
DROP OPERATOR ops.~~~ (NONE, wr), ~<< (text, text);
ALTER SCHEMA ops RENAME TO ops2;
CREATE FUNCTION wr_of(integer) RETURNS wr LANGUAGE sql AS $$ SELECT wr($1, $1 + 1) $$;
CREATE CAST (integer AS wr) WITH FUNCTION wr_of(integer);
CREATE TYPE mood2 AS ENUM ('a');
CREATE CAST (mood2 AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS mood2) WITH INOUT;
CREATE CAST (varchar[] AS mood2) WITH INOUT AS IMPLICIT;
DROP CAST IF EXISTS (text AS mood2);
DROP CAST (character varying[] AS mood2);
DROP TYPE mood2 CASCADE;
CREATE OPERATOR FAMILY wr_fam USING btree;
"#,
    ),
    (
        "0004_row_security.sql",
        r#"
CREATE TABLE rls_orders (id int PRIMARY KEY, shop_id uuid NOT NULL);
ALTER TABLE rls_orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop_isolation ON rls_orders USING (shop_id = current_setting('app.tenant_id')::uuid);
CREATE POLICY reads ON rls_orders AS RESTRICTIVE FOR SELECT TO PUBLIC USING (true);
ALTER POLICY reads ON rls_orders RENAME TO only_reads;
CREATE POLICY gone ON rls_orders FOR DELETE USING (false);
DROP POLICY gone ON rls_orders;
ALTER TABLE rls_orders RENAME TO rls_orders2;
CREATE TABLE rls_forced (id int, shop_id uuid);
ALTER TABLE rls_forced FORCE ROW LEVEL SECURITY;
CREATE POLICY w ON rls_forced FOR INSERT WITH CHECK (shop_id IS NOT NULL);
CREATE TABLE rls_off (id int);
ALTER TABLE rls_off ENABLE ROW LEVEL SECURITY;
ALTER TABLE rls_off DISABLE ROW LEVEL SECURITY;
CREATE TABLE rls_dropped (id int);
CREATE POLICY p ON rls_dropped USING (true);
DROP TABLE rls_dropped;
"#,
    ),
];
