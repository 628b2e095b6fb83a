//! `squill diff` and `squill drift`, proved by PostgreSQL: for each pair of states, the
//! migration `squill diff` writes is applied after the "before" state on a fresh database, and
//! the result, read back from `pg_catalog`, must equal the "after" state built on its own
//! database. The generated file must also pass `squill lint` (with its own suppressions).
//!
//! Hand-made pairs cover every change kind; the corpus's migration histories give real ones
//! (state after file k vs after file k+1, and vs after the last file). CI runs one corpus case;
//! `SQUILL_DIFF_FULL=1` runs every case with two or more migration files:
//! `SQUILL_DIFF_FULL=1 cargo test -p squill-codegen --test schema_diff -- --nocapture`
//! (`SQUILL_DIFF_CASE=sqlc-minder,sqlc-neosync` runs those cases). A pair whose change squill
//! diff refuses to write (partitioned tables, a removed enum label: an error that says so) is
//! counted apart, not as a failure.

mod support;

use std::path::{Path, PathBuf};

use squill_codegen::diagnostic::SourceFile;
use squill_codegen::ir::MigrationFile;
use squill_codegen::live::TempServer;
use squill_codegen::schema_diff::{
    self, DevServer, DiffArgs, Model, Options, compare, diff, introspect, render::render,
};

fn migration(version: u64, name: &str, sql: &str) -> MigrationFile {
    MigrationFile {
        version,
        name: name.into(),
        file: format!("{version:04}_{name}.sql"),
        sql: sql.into(),
        down: None,
    }
}

fn sources(files: &[MigrationFile]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|m| SourceFile::new(m.file.clone(), m.sql.as_str()))
        .collect()
}

fn state(dev: &mut DevServer, files: &[MigrationFile]) -> Model {
    schema_diff::state_of(dev, files).unwrap_or_else(|e| panic!("state applies: {e}"))
}

/// Diffs `before` → `after`, applies the migration after `before`, and compares: `Ok` with the
/// migration text when PostgreSQL's catalog equals the desired one.
fn round_trip(
    dev: &mut DevServer,
    before: &[MigrationFile],
    after: &[MigrationFile],
    options: &Options,
) -> Result<String, String> {
    let from = schema_diff::state_of(dev, before).map_err(|e| format!("before: {e}"))?;
    let to = schema_diff::state_of(dev, after).map_err(|e| format!("after: {e}"))?;
    let plan = diff(&from, &to, options).map_err(|e| e.to_string())?;
    let name = "9999_diff.sql";
    let text = render(&plan, None, "desired.sql", name, &sources(before));
    let generated = MigrationFile {
        version: 9999,
        name: "diff".into(),
        file: name.into(),
        sql: text.clone(),
        down: None,
    };
    let mut files = before.to_vec();
    files.push(generated);
    let report = squill_codegen::lint::lint_sources(sources(&files), &[], &[])?;
    let findings: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.diagnostic.file.as_ref().is_some_and(|s| s.name == name))
        .map(|f| f.diagnostic.render())
        .collect();
    if !findings.is_empty() {
        return Err(format!("lint findings:\n{}\n{text}", findings.join("\n")));
    }
    let mut db = dev.fresh().map_err(|e| e.to_string())?;
    squill_codegen::schema::apply(db.client(), &files, false)
        .map_err(|d| format!("the migration does not apply: {}\n{text}", d.render()))?;
    let got = introspect(db.client(), &[]).map_err(|e| e.to_string())?;
    let differences = compare(&to, &got);
    if !differences.is_empty() {
        let list: Vec<String> = differences.iter().map(|d| d.to_string()).collect();
        return Err(format!(
            "after the migration, PostgreSQL's catalog differs from the desired one:\n{}\n--- migration:\n{text}",
            list.join("\n")
        ));
    }
    // Nothing left to do from there.
    let again = diff(&got, &to, &Options::default()).map_err(|e| e.to_string())?;
    if !again.steps.is_empty() {
        return Err(format!("a second diff is not empty: {:?}", again.steps));
    }
    Ok(text)
}

/// (kind, before, after, --rename, --concurrently, what the migration must say)
type Pair = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static str,
);

const PAIRS: &[Pair] = &[
    (
        "create table",
        "",
        "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL DEFAULT '')",
        &[],
        false,
        "CREATE TABLE public.t",
    ),
    (
        "drop table",
        "CREATE TABLE t (id int); CREATE TABLE u (x int)",
        "CREATE TABLE u (x int)",
        &[],
        false,
        "DROP TABLE public.t;",
    ),
    (
        "add nullable column",
        "CREATE TABLE t (id int)",
        "CREATE TABLE t (id int, note text)",
        &[],
        false,
        "ADD COLUMN note text;",
    ),
    (
        "add NOT NULL column without default",
        "CREATE TABLE t (id int)",
        "CREATE TABLE t (id int, email text NOT NULL)",
        &[],
        false,
        "TODO backfill",
    ),
    (
        "add NOT NULL column with default",
        "CREATE TABLE t (id int)",
        "CREATE TABLE t (id int, n int NOT NULL DEFAULT 0)",
        &[],
        false,
        "DEFAULT 0 NOT NULL",
    ),
    (
        "add serial column",
        "CREATE TABLE t (id int)",
        "CREATE TABLE t (id int, n serial)",
        &[],
        false,
        "OWNED BY public.t.n",
    ),
    (
        "drop column",
        "CREATE TABLE t (id int, old text)",
        "CREATE TABLE t (id int)",
        &[],
        false,
        "DROP COLUMN old",
    ),
    (
        "widen type",
        "CREATE TABLE t (id int)",
        "CREATE TABLE t (id bigint)",
        &[],
        false,
        "TYPE bigint USING id::bigint",
    ),
    (
        "type needing USING",
        "CREATE TABLE t (v text DEFAULT '1')",
        "CREATE TABLE t (v int DEFAULT 2)",
        &[],
        false,
        "USING v::integer",
    ),
    (
        "varchar length",
        "CREATE TABLE t (v varchar(10))",
        "CREATE TABLE t (v varchar(20))",
        &[],
        false,
        "character varying(20)",
    ),
    (
        "collation",
        "CREATE TABLE t (v text)",
        "CREATE TABLE t (v text COLLATE \"C\")",
        &[],
        false,
        "COLLATE pg_catalog.\"C\"",
    ),
    (
        "set NOT NULL",
        "CREATE TABLE t (v int)",
        "CREATE TABLE t (v int NOT NULL)",
        &[],
        false,
        "SET NOT NULL",
    ),
    (
        "drop NOT NULL",
        "CREATE TABLE t (v int NOT NULL)",
        "CREATE TABLE t (v int)",
        &[],
        false,
        "DROP NOT NULL",
    ),
    (
        "set default",
        "CREATE TABLE t (v int)",
        "CREATE TABLE t (v int DEFAULT 7)",
        &[],
        false,
        "SET DEFAULT 7",
    ),
    (
        "change default",
        "CREATE TABLE t (v timestamptz DEFAULT now())",
        "CREATE TABLE t (v timestamptz DEFAULT '2020-01-01')",
        &[],
        false,
        "SET DEFAULT",
    ),
    (
        "drop default",
        "CREATE TABLE t (v int DEFAULT 7)",
        "CREATE TABLE t (v int)",
        &[],
        false,
        "DROP DEFAULT",
    ),
    (
        "add identity",
        "CREATE TABLE t (id int NOT NULL)",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)",
        &[],
        false,
        "ADD GENERATED ALWAYS AS IDENTITY",
    ),
    (
        "identity always to by default",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY)",
        &[],
        false,
        "SET GENERATED BY DEFAULT",
    ),
    (
        "drop identity",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)",
        "CREATE TABLE t (id int NOT NULL)",
        &[],
        false,
        "DROP IDENTITY",
    ),
    (
        "add generated column",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
        &[],
        false,
        "GENERATED ALWAYS AS ((a * 2)) STORED",
    ),
    (
        "change generated expression",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) STORED)",
        &[],
        false,
        "DROP COLUMN b",
    ),
    (
        "drop generation expression",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
        "CREATE TABLE t (a int, b int)",
        &[],
        false,
        "DROP EXPRESSION",
    ),
    (
        "add primary key",
        "CREATE TABLE t (id int)",
        "CREATE TABLE t (id int PRIMARY KEY)",
        &[],
        false,
        "PRIMARY KEY (id)",
    ),
    (
        "drop primary key",
        "CREATE TABLE t (id int PRIMARY KEY)",
        "CREATE TABLE t (id int NOT NULL)",
        &[],
        false,
        "DROP CONSTRAINT t_pkey",
    ),
    (
        "add unique",
        "CREATE TABLE t (a int, b int)",
        "CREATE TABLE t (a int, b int, UNIQUE (a, b))",
        &[],
        false,
        "UNIQUE (a, b)",
    ),
    (
        "add foreign key",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int)",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p)",
        &[],
        false,
        "NOT VALID",
    ),
    (
        "foreign key to a new table",
        "CREATE TABLE c (p int)",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p)",
        &[],
        false,
        "FOREIGN KEY",
    ),
    (
        "change foreign key action",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p)",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p ON DELETE CASCADE)",
        &[],
        false,
        "ON DELETE CASCADE",
    ),
    (
        "drop two tables, one referencing the other",
        "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a); CREATE TABLE z (id int)",
        "CREATE TABLE z (id int)",
        &[],
        false,
        "DROP CONSTRAINT b_a_fkey",
    ),
    (
        "recreated column takes its constraints and indexes",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED CONSTRAINT pos CHECK (b > 0)); CREATE INDEX t_b ON t (b)",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) STORED CONSTRAINT pos CHECK (b > 0)); CREATE INDEX t_b ON t (b)",
        &[],
        false,
        "CREATE INDEX t_b",
    ),
    (
        "drop referenced table",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p)",
        "CREATE TABLE c (p int)",
        &[],
        false,
        "DROP TABLE public.p",
    ),
    (
        "add check",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int CHECK (a > 0))",
        &[],
        false,
        "CHECK ((a > 0)) NOT VALID",
    ),
    (
        "change check",
        "CREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0))",
        "CREATE TABLE t (a int CONSTRAINT pos CHECK (a >= 0))",
        &[],
        false,
        "DROP CONSTRAINT pos",
    ),
    (
        "exclusion constraint",
        "CREATE TABLE t (r tsrange)",
        "CREATE TABLE t (r tsrange, EXCLUDE USING gist (r WITH &&))",
        &[],
        false,
        "EXCLUDE USING gist",
    ),
    (
        "add index",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a) WHERE a > 0",
        &[],
        false,
        "CREATE INDEX t_a",
    ),
    (
        "add index concurrently",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a ON t (a)",
        &[],
        true,
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a",
    ),
    (
        "change index",
        "CREATE TABLE t (a int, b int); CREATE INDEX i ON t (a)",
        "CREATE TABLE t (a int, b int); CREATE INDEX i ON t (a, b)",
        &[],
        false,
        "DROP INDEX public.i",
    ),
    (
        "drop index",
        "CREATE TABLE t (a int); CREATE INDEX i ON t (a)",
        "CREATE TABLE t (a int)",
        &[],
        false,
        "DROP INDEX public.i",
    ),
    (
        "create enum",
        "",
        "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE t (m mood)",
        &[],
        false,
        "AS ENUM ('a', 'b')",
    ),
    (
        "enum values in position",
        "CREATE TYPE mood AS ENUM ('b', 'd')",
        "CREATE TYPE mood AS ENUM ('a', 'b', 'c', 'd', 'e')",
        &[],
        false,
        "ADD VALUE IF NOT EXISTS 'c' AFTER 'b'",
    ),
    (
        // PostgreSQL before 17: "unsafe use of new enum value" in the transaction adding it.
        "enum label used in the same migration",
        "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (m mood)",
        "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE t (m mood DEFAULT 'b', \
         CHECK (m <> 'b' OR m IS NOT NULL)); CREATE VIEW v AS SELECT * FROM t WHERE m = 'b'",
        &[],
        false,
        "ADD VALUE IF NOT EXISTS 'b' AFTER 'a';\n\n-- The new enum labels above are committed",
    ),
    (
        "drop enum",
        "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (m mood)",
        "CREATE TABLE t (m text)",
        &[],
        false,
        "DROP TYPE public.mood",
    ),
    (
        "create schema",
        "",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int)",
        &[],
        false,
        "CREATE SCHEMA app",
    ),
    (
        "drop schema",
        "CREATE SCHEMA app",
        "",
        &[],
        false,
        "DROP SCHEMA app",
    ),
    (
        "create extension",
        "",
        "CREATE EXTENSION citext; CREATE TABLE t (e citext)",
        &[],
        false,
        "CREATE EXTENSION IF NOT EXISTS \"citext\"",
    ),
    (
        "drop extension",
        "CREATE EXTENSION citext",
        "",
        &[],
        false,
        "DROP EXTENSION \"citext\"",
    ),
    (
        "create sequence",
        "",
        "CREATE SEQUENCE s START 100 INCREMENT 5",
        &[],
        false,
        "CREATE SEQUENCE public.s",
    ),
    (
        "change sequence",
        "CREATE SEQUENCE s",
        "CREATE SEQUENCE s INCREMENT 10 CACHE 5",
        &[],
        false,
        "ALTER SEQUENCE public.s",
    ),
    (
        "drop sequence",
        "CREATE SEQUENCE s",
        "",
        &[],
        false,
        "DROP SEQUENCE public.s",
    ),
    (
        "create view",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t",
        &[],
        false,
        "CREATE VIEW public.v",
    ),
    (
        "change view",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a, b FROM t",
        &[],
        false,
        "DROP VIEW public.v",
    ),
    (
        "view over a retyped column, with a dependent view",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; CREATE VIEW w AS SELECT * FROM v",
        "CREATE TABLE t (a bigint); CREATE VIEW v AS SELECT a FROM t; CREATE VIEW w AS SELECT * FROM v",
        &[],
        false,
        "DROP VIEW public.w",
    ),
    (
        "view options",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t",
        "CREATE TABLE t (a int); CREATE VIEW v WITH (security_barrier) AS SELECT a FROM t",
        &[],
        false,
        "WITH (security_barrier=true)",
    ),
    (
        "drop view",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t",
        "CREATE TABLE t (a int)",
        &[],
        false,
        "DROP VIEW public.v",
    ),
    (
        "materialized view with index",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a)",
        &[],
        false,
        "CREATE MATERIALIZED VIEW public.m",
    ),
    (
        "change materialized view keeps its index",
        "CREATE TABLE t (a int, b int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a)",
        "CREATE TABLE t (a int, b int); CREATE MATERIALIZED VIEW m AS SELECT a, b FROM t; CREATE INDEX m_a ON m (a)",
        &[],
        false,
        "CREATE INDEX m_a",
    ),
    (
        "create function",
        "",
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1'",
        &[],
        false,
        "CREATE OR REPLACE FUNCTION public.f",
    ),
    (
        "change function body",
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1'",
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 2'",
        &[],
        false,
        "SELECT x + 2",
    ),
    (
        "change function result",
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x'",
        "CREATE FUNCTION f(x int) RETURNS bigint LANGUAGE sql AS 'SELECT x::bigint'",
        &[],
        false,
        "DROP FUNCTION public.f(x integer)",
    ),
    (
        "drop function",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "",
        &[],
        false,
        "DROP FUNCTION public.f()",
    ),
    (
        "procedure",
        "",
        "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN END $$",
        &[],
        false,
        "CREATE OR REPLACE PROCEDURE public.p()",
    ),
    (
        "function used by a new view",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (a int); CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x'; CREATE VIEW v AS SELECT f(a) FROM t",
        &[],
        false,
        "CREATE VIEW",
    ),
    (
        "trigger",
        "CREATE TABLE t (a int); CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "CREATE TABLE t (a int); CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tg()",
        &[],
        false,
        "CREATE TRIGGER tr",
    ),
    (
        "change trigger",
        "CREATE TABLE t (a int); CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tg()",
        "CREATE TABLE t (a int); CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tg()",
        &[],
        false,
        "DROP TRIGGER tr ON public.t",
    ),
    (
        "comments",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; COMMENT ON COLUMN t.a IS 'old'",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; COMMENT ON TABLE t IS 'it''s t'; COMMENT ON VIEW v IS 'v'; CREATE SCHEMA s; COMMENT ON SCHEMA s IS 's'",
        &[],
        false,
        "COMMENT ON COLUMN public.t.a IS NULL",
    ),
    (
        "comment on a recreated view",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t; COMMENT ON VIEW v IS 'v'",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT b FROM t; COMMENT ON VIEW v IS 'v'",
        &[],
        false,
        "COMMENT ON VIEW public.v IS 'v'",
    ),
    (
        "domain and composite type",
        "",
        "CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CHECK (VALUE > 0); CREATE TYPE pair AS (a int, b text); CREATE TABLE t (p pos, q pair)",
        &[],
        false,
        "CREATE DOMAIN public.pos AS integer DEFAULT 1 NOT NULL CONSTRAINT pos_check CHECK ((VALUE > 0))",
    ),
    (
        "rename table",
        "CREATE TABLE old (id int PRIMARY KEY)",
        "CREATE TABLE new (id int PRIMARY KEY)",
        &["old=new"],
        false,
        "ALTER TABLE public.old RENAME TO new;",
    ),
    (
        "rename column",
        "CREATE TABLE t (a int)",
        "CREATE TABLE t (b int)",
        &["t.a=b"],
        false,
        "RENAME COLUMN a TO b",
    ),
    (
        "quoted names",
        "CREATE TABLE \"Order\" (\"User\" int)",
        "CREATE TABLE \"Order\" (\"User\" int, \"select\" text NOT NULL DEFAULT '')",
        &[],
        false,
        "ALTER TABLE public.\"Order\" ADD COLUMN \"select\" text",
    ),
];

/// One pair: `Err` says what went wrong.
fn check_pair(dev: &mut DevServer, pair: &Pair) -> Result<(), String> {
    let (kind, before, after, renames, concurrently, expect) = pair;
    let before = [migration(1, "before", before)];
    let after = [migration(1, "after", after)];
    let options = Options {
        renames: renames.iter().map(|r| r.to_string()).collect(),
        concurrently: *concurrently,
    };
    match round_trip(dev, &before, &after, &options) {
        Ok(text) if text.contains(expect) => Ok(()),
        Ok(text) => Err(format!("{kind}: the migration lacks `{expect}`:\n{text}")),
        Err(e) => Err(format!("{kind}: {e}")),
    }
}

#[test]
fn every_change_kind_round_trips_on_postgres() {
    // A few servers side by side: each pair makes three databases.
    const WORKERS: usize = 3;
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                scope.spawn(move || {
                    let mut dev = DevServer::open(None).expect("throwaway server");
                    PAIRS
                        .iter()
                        .skip(w)
                        .step_by(WORKERS)
                        .filter_map(|pair| check_pair(&mut dev, pair).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker does not panic"))
            .collect()
    });
    println!(
        "hand-made pairs round-tripped: {}/{}",
        PAIRS.len() - failures.len(),
        PAIRS.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// One pair with `--down`: the up part applied by the runner, then reverted by
/// `Migrator::down_to`; the catalog must be the "before" one again. `Ok(Some(reason))` when
/// the way back cannot be written (a label PostgreSQL cannot remove from an enum).
fn check_down(dev: &mut DevServer, n: usize, pair: &Pair) -> Result<Option<String>, String> {
    let (kind, before, after, renames, concurrently, _) = pair;
    let files = [migration(1, "before", before)];
    let from = state(dev, &files);
    let to = state(dev, &[migration(1, "after", after)]);
    let renames: Vec<String> = renames.iter().map(|r| r.to_string()).collect();
    let options = Options {
        renames: renames.clone(),
        concurrently: *concurrently,
    };
    let Ok(plan) = diff(&from, &to, &options) else {
        return Ok(Some(format!("{kind}: no way forward")));
    };
    let reverse = Options {
        renames: schema_diff::plan::reverse_renames(&from, &renames),
        concurrently: *concurrently,
    };
    let down = match diff(&to, &from, &reverse) {
        Ok(down) => down,
        Err(e) => return Ok(Some(format!("{kind}: {}", e.message))),
    };
    let text = render(
        &plan,
        Some(&down),
        "desired.sql",
        "0002_diff.sql",
        &sources(&files),
    );
    let DevServer::Temp { server, .. } = dev else {
        unreachable!("a throwaway server")
    };
    let db = format!("down_{n}");
    server
        .connect("postgres")
        .and_then(|mut c| {
            c.batch_execute(&format!("CREATE DATABASE {db}"))
                .map_err(squill_codegen::live::LiveError::Sql)
        })
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("0001_before.sql"), before).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("0002_diff.sql"), &text).map_err(|e| e.to_string())?;
    let migrator = squill::migrate::Migrator::new(
        squill::migrate::load_dir(dir.path()).map_err(|e| e.to_string())?,
    );
    let config: squill::migrate::Config = server.url(&db).parse().map_err(|e| format!("{e}"))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let read = || -> Result<Model, String> {
        let mut client = server.connect(&db).map_err(|e| e.to_string())?;
        let skip: Vec<String> = schema_diff::HISTORY_TABLES
            .iter()
            .map(|t| t.to_string())
            .collect();
        introspect(&mut client, &skip).map_err(|e| e.to_string())
    };
    let differs = |want: &Model, got: &Model| -> Option<String> {
        let list: Vec<String> = compare(want, got).iter().map(|d| d.to_string()).collect();
        (!list.is_empty()).then(|| format!("{}\n--- migration:\n{text}", list.join("\n")))
    };
    rt.block_on(migrator.run(&config))
        .map_err(|e| format!("{kind}: up: {e}\n{text}"))?;
    if let Some(d) = differs(&to, &read()?) {
        return Err(format!("{kind}: after up: {d}"));
    }
    rt.block_on(migrator.down_to(&config, 1))
        .map_err(|e| format!("{kind}: down: {e}\n{text}"))?;
    if let Some(d) = differs(&from, &read()?) {
        return Err(format!("{kind}: after down: {d}"));
    }
    Ok(None)
}

#[test]
fn every_change_kind_has_a_down_part_that_round_trips() {
    const WORKERS: usize = 3;
    let results: Vec<Result<Option<String>, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                scope.spawn(move || {
                    let mut dev = DevServer::open(None).expect("throwaway server");
                    PAIRS
                        .iter()
                        .enumerate()
                        .skip(w)
                        .step_by(WORKERS)
                        .map(|(n, pair)| check_down(&mut dev, n, pair))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker does not panic"))
            .collect()
    });
    let no_way_back: Vec<&String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok()?.as_ref())
        .collect();
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    for reason in &no_way_back {
        println!("NO WAY BACK {reason}");
    }
    println!(
        "hand-made pairs: up then down back to the start: {}/{}, {} with no way back written",
        results.len() - no_way_back.len() - failures.len(),
        PAIRS.len(),
        no_way_back.len()
    );
    let failures: Vec<&str> = failures.iter().map(|s| s.as_str()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn equal_states_give_no_migration() {
    let mut dev = DevServer::open(None).expect("throwaway server");
    let sql = "CREATE TABLE t (id serial PRIMARY KEY, v text); CREATE VIEW v AS SELECT * FROM t";
    let from = state(&mut dev, &[migration(1, "a", sql)]);
    let to = state(&mut dev, &[migration(1, "b", sql)]);
    let plan = diff(&from, &to, &Options::default()).expect("diff");
    assert!(plan.steps.is_empty(), "{:?}", plan.steps);
}

#[test]
fn a_removed_or_reordered_enum_label_is_an_error_as_postgres_has_no_way() {
    let mut dev = DevServer::open(None).expect("throwaway server");
    let from = state(
        &mut dev,
        &[migration(1, "a", "CREATE TYPE m AS ENUM ('a', 'b')")],
    );
    let removed = state(
        &mut dev,
        &[migration(1, "b", "CREATE TYPE m AS ENUM ('a')")],
    );
    let error = diff(&from, &removed, &Options::default()).expect_err("removal is refused");
    assert!(error.message.contains("loses the label 'b'"), "{error}");
    assert!(
        error.help.as_deref().unwrap_or("").contains("RENAME VALUE"),
        "{error}"
    );
    let reordered = state(
        &mut dev,
        &[migration(1, "c", "CREATE TYPE m AS ENUM ('b', 'a')")],
    );
    let error = diff(&from, &reordered, &Options::default()).expect_err("reorder is refused");
    assert!(error.message.contains("reorders"), "{error}");
    // The judge: PostgreSQL has no statement that removes an enum value.
    let mut db = dev.fresh().expect("db");
    db.client()
        .batch_execute("CREATE TYPE m AS ENUM ('a', 'b')")
        .expect("type");
    let rejected = db.client().batch_execute("ALTER TYPE m DROP VALUE 'b'");
    assert!(rejected.is_err());
}

#[test]
fn possible_renames_are_warned_about_and_renames_keep_the_data() {
    let mut dev = DevServer::open(None).expect("throwaway server");
    let before = [migration(
        1,
        "a",
        "CREATE TABLE t (id int, a text); INSERT INTO t VALUES (1, 'kept')",
    )];
    let after = [migration(1, "b", "CREATE TABLE t (id int, b text)")];
    let from = state(&mut dev, &before);
    let to = state(&mut dev, &after);
    let plan = diff(&from, &to, &Options::default()).expect("diff");
    assert!(
        plan.warnings.iter().any(|w| w.contains("--rename t.a=b")),
        "{:?}",
        plan.warnings
    );
    let options = Options {
        renames: vec!["t.a=b".into()],
        ..Options::default()
    };
    let plan = diff(&from, &to, &options).expect("diff");
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let text = render(&plan, None, "desired.sql", "0002_diff.sql", &[]);
    let mut db = dev.fresh().expect("db");
    let files = [before[0].clone(), migration(2, "diff", &text)];
    squill_codegen::schema::apply(db.client(), &files, false).expect("applies");
    let value: String = db
        .client()
        .query_one("SELECT b FROM t", &[])
        .expect("row")
        .get(0);
    assert_eq!(value, "kept");
    // A name that is not there is an error, not a guess.
    let bad = Options {
        renames: vec!["t.nope=b".into()],
        ..Options::default()
    };
    assert!(diff(&from, &to, &bad).is_err());
}

#[test]
fn a_new_not_null_column_stops_at_validation_until_backfilled() {
    let mut dev = DevServer::open(None).expect("throwaway server");
    let before = [migration(
        1,
        "a",
        "CREATE TABLE t (id int); INSERT INTO t VALUES (1)",
    )];
    let after = [migration(
        1,
        "b",
        "CREATE TABLE t (id int, email text NOT NULL)",
    )];
    let from = state(&mut dev, &before);
    let to = state(&mut dev, &after);
    let plan = diff(&from, &to, &Options::default()).expect("diff");
    let text = render(
        &plan,
        None,
        "desired.sql",
        "0002_diff.sql",
        &sources(&before),
    );
    let mut db = dev.fresh().expect("db");
    let files = [before[0].clone(), migration(2, "diff", &text)];
    let error =
        squill_codegen::schema::apply(db.client(), &files, false).expect_err("rows lack a value");
    assert!(
        error.message.contains("is violated by some row"),
        "{}",
        error.render()
    );
    // With the backfill the TODO asks for, it applies and gives the desired schema.
    let filled = text.replace(
        "-- TODO backfill: UPDATE public.t SET email = ... WHERE email IS NULL;",
        "UPDATE public.t SET email = 'x' WHERE email IS NULL;",
    );
    assert_ne!(filled, text);
    let mut db = dev.fresh().expect("db");
    let files = [before[0].clone(), migration(2, "diff", &filled)];
    squill_codegen::schema::apply(db.client(), &files, false).expect("applies after the backfill");
    let got = introspect(db.client(), &[]).expect("introspect");
    assert_eq!(compare(&to, &got), vec![]);
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("schema")).expect("schema dir");
    for (name, sql) in files {
        std::fs::write(dir.path().join(name), sql).expect("write");
    }
    dir
}

#[test]
fn diff_command_writes_the_next_file_and_then_has_nothing_to_do() {
    let dir = project(&[
        ("schema/0007_init.sql", "CREATE TABLE t (id int);\n"),
        ("desired.sql", "CREATE TABLE t (id int, v text);\n"),
    ]);
    let args = DiffArgs {
        to: dir.path().join("desired.sql"),
        name: "add_v".into(),
        dry_run: false,
        root: dir.path().to_path_buf(),
        dev_url: None,
        renames: Vec::new(),
        concurrently: false,
        down: false,
    };
    let with_down = DiffArgs {
        down: true,
        ..args.clone()
    };
    let outcome = schema_diff::diff_project(&with_down).expect("diff");
    let text = outcome.text.expect("a migration");
    let (up, down) = text.split_once("\n-- squill:down\n").expect("a down part");
    assert!(up.contains("ADD COLUMN v text;"), "{text}");
    assert!(down.contains("DROP COLUMN v;"), "{text}");
    let outcome = schema_diff::diff_project(&args).expect("diff");
    assert_eq!(outcome.file_name, "0008_add_v.sql");
    let text = outcome.text.expect("a migration");
    std::fs::write(dir.path().join("schema").join(&outcome.file_name), text).expect("write");
    let outcome = schema_diff::diff_project(&args).expect("diff");
    assert!(outcome.text.is_none(), "{:?}", outcome.text);
}

/// The project's migrations applied with the real runner to database `db` of `server`.
fn migrate(server: &TempServer, root: &Path, db: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let migrations = squill::migrate::load_dir(&root.join("schema")).expect("folder loads");
    let config: squill::migrate::Config = server.url(db).parse().expect("url");
    rt.block_on(squill::migrate::Migrator::new(migrations).run(&config))
        .expect("migrations apply");
}

#[test]
fn drift_reports_each_hand_made_change() {
    let dir = project(&[(
        "schema/0001_init.sql",
        "CREATE TABLE t (id int PRIMARY KEY, v text DEFAULT 'a', n int);\n\
         CREATE INDEX t_n ON t (n);\n",
    )]);
    let server = TempServer::start().expect("throwaway server");
    // (hand-made change, the object drift must name)
    let changes = [
        ("", ""),
        (
            "ALTER TABLE t ADD COLUMN extra int",
            "column public.t.extra",
        ),
        ("DROP INDEX t_n", "index public.t_n"),
        (
            "ALTER TABLE t ALTER COLUMN v SET DEFAULT 'b'",
            "column public.t.v",
        ),
        (
            "ALTER TABLE t ADD CONSTRAINT pos CHECK (n > 0)",
            "constraint pos on public.t",
        ),
        (
            "ALTER TABLE t ALTER COLUMN n TYPE bigint",
            "column public.t.n",
        ),
        ("CREATE TABLE sneaky (a int)", "table public.sneaky"),
        ("COMMENT ON TABLE t IS 'hi'", "comment on table public.t"),
    ];
    let mut admin = server.connect("postgres").expect("connect");
    for (n, (change, object)) in changes.iter().enumerate() {
        let db = format!("app{n}");
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .expect("db");
        migrate(&server, dir.path(), &db);
        if !change.is_empty() {
            server
                .connect(&db)
                .expect("connect")
                .batch_execute(change)
                .expect("change");
        }
        let differences = schema_diff::drift(&server.url(&db), dir.path(), None).expect("drift");
        if change.is_empty() {
            assert!(differences.is_empty(), "no drift expected: {differences:?}");
        } else {
            assert!(
                differences.iter().any(|d| d.object == *object),
                "{change}: expected {object} in {differences:?}"
            );
        }
    }
}

// ---- The corpus's migration histories.

/// A database per prefix of a history (template copies make each pair cheap).
struct History {
    server: TempServer,
    /// Per prefix length k: the database name and its model.
    states: Vec<(String, Model)>,
}

/// Applies `files` in order to one database, snapshotting after each file; `Err` names the
/// first file PostgreSQL 15 refuses.
fn build_history(files: &[PathBuf]) -> Result<History, String> {
    let server = TempServer::start().map_err(|e| e.to_string())?;
    let mut admin = server.connect("postgres").map_err(|e| e.to_string())?;
    admin
        .batch_execute("CREATE DATABASE work")
        .map_err(|e| e.to_string())?;
    let mut states = Vec::new();
    for (k, path) in files.iter().enumerate() {
        {
            let mut work = server.connect("work").map_err(|e| e.to_string())?;
            let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
            let runnable = squill_codegen::catalog::runnable_sql(&text);
            if work.batch_execute(&runnable).is_err() {
                for range in squill_codegen::source::split::split_statements(&runnable) {
                    work.batch_execute(&runnable[range]).map_err(|e| {
                        format!(
                            "{} does not apply on PostgreSQL 15: {}",
                            path.display(),
                            squill_codegen::live::describe_pg_error(&e)
                        )
                    })?;
                }
            }
        }
        let name = format!("after_{}", k + 1);
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE work STRATEGY = FILE_COPY"
            ))
            .map_err(|e| e.to_string())?;
        let model = introspect(&mut server.connect(&name).map_err(|e| e.to_string())?, &[])
            .map_err(|e| e.to_string())?;
        states.push((name, model));
    }
    Ok(History { server, states })
}

/// State k → state n through the generated migration, on a copy of state k's database;
/// `Ok(Some(reason))` when squill diff refuses to write it.
fn history_pair(
    history: &History,
    k: usize,
    n: usize,
    copy: usize,
) -> Result<Option<String>, String> {
    let (from_db, from) = &history.states[k];
    let (_, to) = &history.states[n];
    let plan = match diff(from, to, &Options::default()) {
        Ok(plan) => plan,
        Err(refused) => return Ok(Some(refused.message)),
    };
    let text = render(&plan, None, "desired", "9999_diff.sql", &[]);
    let mut admin = history
        .server
        .connect("postgres")
        .map_err(|e| e.to_string())?;
    let name = format!("pair_{copy}");
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE {from_db} STRATEGY = FILE_COPY"
        ))
        .map_err(|e| e.to_string())?;
    let result = (|| {
        let mut db = history.server.connect(&name).map_err(|e| e.to_string())?;
        let file = migration(9999, "diff", &text);
        squill_codegen::schema::apply(&mut db, &[file], false)
            .map_err(|d| format!("the migration does not apply: {}", d.render()))?;
        let got = introspect(&mut db, &[]).map_err(|e| e.to_string())?;
        let differences = compare(to, &got);
        if differences.is_empty() {
            return Ok(None);
        }
        let list: Vec<String> = differences.iter().take(5).map(|d| d.to_string()).collect();
        Err(format!("differs after the migration:\n{}", list.join("\n")))
    })();
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
    result.map_err(|e| {
        format!(
            "{e}\n--- migration (first 40 lines):\n{}",
            text.lines().take(40).collect::<Vec<_>>().join("\n")
        )
    })
}

#[test]
fn corpus_migration_histories_round_trip() {
    let full = std::env::var_os("SQUILL_DIFF_FULL").is_some();
    let cases: Vec<_> = support::cases::corpus_cases()
        .into_iter()
        .filter(|c| c.schema.len() >= 2)
        .filter(|c| match std::env::var("SQUILL_DIFF_CASE") {
            Ok(only) => only.split(',').any(|o| o == c.name),
            Err(_) => full || c.name == "clorinde-samling",
        })
        .collect();
    let (mut pairs, mut passed, mut refused, mut cases_done) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let history = match build_history(&case.schema) {
            Ok(history) => history,
            Err(reason) => {
                println!("SKIPPED {}: {reason}", case.name);
                continue;
            }
        };
        cases_done += 1;
        let last = history.states.len() - 1;
        let mut wanted: Vec<(usize, usize)> = (0..last).map(|k| (k, k + 1)).collect();
        wanted.extend((0..last.saturating_sub(1)).map(|k| (k, last)));
        let mut case_passed = 0;
        for (copy, (k, n)) in wanted.iter().enumerate() {
            pairs += 1;
            match history_pair(&history, *k, *n, copy) {
                Ok(None) => {
                    passed += 1;
                    case_passed += 1;
                }
                Ok(Some(reason)) => {
                    refused += 1;
                    println!(
                        "REFUSED {} after file {} → after file {}: {reason}",
                        case.name,
                        k + 1,
                        n + 1
                    );
                }
                Err(e) => {
                    let failure = format!(
                        "{} after file {} → after file {}: {e}",
                        case.name,
                        k + 1,
                        n + 1
                    );
                    let head: Vec<&str> = failure.lines().take(4).collect();
                    eprintln!("FAILED {}", head.join(" | "));
                    failures.push(failure);
                }
            }
        }
        println!(
            "{}: {case_passed}/{} pairs round-tripped",
            case.name,
            wanted.len()
        );
    }
    println!(
        "corpus: {cases_done} of {} cases with a history applied, {passed}/{pairs} pairs round-tripped, \
         {refused} refused by squill diff with a reason",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
