//! `catalog::from_ddl` without a database: what it reports about statements it cannot apply
//! (with their place in the file), what it skips, and how it counts. Agreement with
//! PostgreSQL itself is `tests/catalog.rs`.

use squill_codegen::catalog::{QualifiedName, RelKind, TypeName, from_ddl};
use squill_codegen::diagnostic::{Diagnostic, SourceFile};

fn load(files: &[(&str, &str)]) -> (squill_codegen::catalog::Catalog, Vec<Diagnostic>) {
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect();
    let (catalog, diagnostics, _) = from_ddl(&files);
    (catalog, diagnostics)
}

fn errors(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.location().unwrap_or_default(), d.message))
        .collect()
}

#[test]
fn unknown_objects_are_errors_at_their_name() {
    let (_, diagnostics) = load(&[(
        "0001.sql",
        "CREATE TABLE t (id int);\nALTER TABLE missing ADD COLUMN x int;\n\
         CREATE TABLE u (id nosuchtype);\nALTER TABLE t DROP COLUMN nope;\n",
    )]);
    assert_eq!(
        errors(&diagnostics),
        [
            "0001.sql:2:13 relation \"missing\" does not exist",
            "0001.sql:3:20 type \"nosuchtype\" does not exist",
            "0001.sql:4:27 column \"nope\" of relation \"t\" does not exist",
        ]
    );
    let rendered = diagnostics[0].render();
    assert!(rendered.contains("^^^^^^^"), "{rendered}");
}

#[test]
fn what_postgres_rejects_is_an_error() {
    let (catalog, diagnostics) = load(&[(
        "dump.sql",
        "SELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE TABLE public.ok (id int);\n\
         CREATE TABLE unqualified (id int);\n\
         CREATE TABLE public.ok (id int);\n\
         CREATE TYPE public.e AS ENUM ('a');\n\
         ALTER TYPE public.e ADD VALUE 'a';\n\
         ALTER TYPE public.e ADD VALUE IF NOT EXISTS 'a';\n",
    )]);
    assert_eq!(
        errors(&diagnostics),
        [
            "dump.sql:3:14 no schema has been selected to create in",
            "dump.sql:4:14 relation \"ok\" already exists",
            "dump.sql:6:19 enum label \"a\" already exists",
        ]
    );
    assert!(catalog.relation("public", "ok").is_some());
}

#[test]
fn unreadable_statements_that_matter_are_errors() {
    let (_, diagnostics) = load(&[("bad.sql", "CREATE TABLE t (id int,, );\n")]);
    let errors = errors(&diagnostics);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("bad.sql:1:"), "{errors:?}");
}

#[test]
fn statements_are_counted_by_what_became_of_them() {
    let files = [SourceFile::new(
        "0001.sql",
        "-- +goose Up\n\
         CREATE TABLE t (id serial PRIMARY KEY, name text);\n\
         COMMENT ON TABLE t IS 'x';\n\
         GRANT SELECT ON t TO PUBLIC;\n\
         CREATE INDEX t_name ON t (name);\n\
         INSERT INTO t (name) VALUES ('a');\n\
         CREATE SEQUENCE s START WITH 1 INCREMENT BY 1 NO MINVALUE CACHE 1;\n\
         ALTER TABLE t SET SCHEMA public;\n\
         SET search_path = public;\n\
         ALTER TABLE nope ADD COLUMN x int;\n\
         -- +goose Down\n\
         DROP TABLE t;\n",
    )];
    let (catalog, _, stats) = from_ddl(&files);
    assert_eq!(stats.statements, 9);
    // CREATE INDEX is applied: indexes take names in the relations' namespace.
    assert_eq!(stats.skipped_irrelevant, 3);
    assert_eq!(stats.applied, 5);
    assert_eq!(stats.failed, 1);
    assert_eq!(stats.sqlparser_rejected, 2);
    assert_eq!(stats.rejected_forms["CREATE SEQUENCE"], 1);
    assert_eq!(stats.rejected_forms["ALTER TABLE"], 1);
    assert!(
        catalog.relation("public", "t").is_some(),
        "down section ignored"
    );
    assert!(
        catalog
            .sequences
            .contains(&QualifiedName::new("public", "t_id_seq"))
    );
}

#[test]
fn migrations_apply_in_order_and_the_session_carries_over() {
    let (catalog, diagnostics) = load(&[
        (
            "0001.sql",
            "CREATE SCHEMA app;\nSET search_path = app;\nCREATE TYPE mood AS ENUM ('ok');\n",
        ),
        (
            "0002.sql",
            "CREATE TABLE people (m mood, ms mood[], name varchar(20) NOT NULL);\n\
             ALTER TYPE mood RENAME TO feeling;\n",
        ),
    ]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let people = catalog.relation("app", "people").expect("created in app");
    assert_eq!(people.kind, RelKind::Table);
    let feeling = TypeName::new("app", "feeling");
    assert_eq!(people.columns[0].ty, feeling);
    assert_eq!(people.columns[1].ty, feeling.clone().array_of(1));
    assert_eq!(people.columns[1].ty.display(), "app.feeling[]");
    assert_eq!(
        people.columns[2].ty.display_in(&["app"]),
        "character varying(20)"
    );
    assert!(people.columns[2].not_null);
}

#[test]
fn views_keep_their_query_for_the_analyzer() {
    let (catalog, diagnostics) = load(&[(
        "v.sql",
        "CREATE TABLE t (id int);\n\
         CREATE VIEW v (a) AS SELECT id FROM t;\n\
         CREATE MATERIALIZED VIEW m AS SELECT id FROM t WITH NO DATA;\n",
    )]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let v = catalog.relation("public", "v").unwrap();
    assert!(v.columns_pending());
    assert_eq!(
        v.view_sql.as_deref(),
        Some("SELECT * FROM (SELECT id FROM t) AS v(a)")
    );
    let m = catalog.relation("public", "m").unwrap();
    assert_eq!(m.kind, RelKind::MaterializedView);
    assert_eq!(m.view_sql.as_deref(), Some("SELECT id FROM t"));
}

#[test]
fn views_bind_their_relations_when_created() {
    let (catalog, diagnostics) = load(&[(
        "v.sql",
        "CREATE SCHEMA app;\n\
         SET search_path TO app, public;\n\
         CREATE TABLE t (id int, a text, z int);\n\
         CREATE VIEW public.v AS SELECT t.id, t.a, pg_class.relname FROM t, pg_class;\n\
         CREATE VIEW public.w AS SELECT * FROM public.v;\n\
         RESET search_path;\n\
         ALTER TABLE app.t RENAME COLUMN a TO b;\n\
         ALTER TABLE app.t ADD COLUMN c int;\n\
         ALTER TABLE app.t DROP COLUMN z;\n\
         ALTER TABLE app.t SET SCHEMA public;\n\
         ALTER TABLE t RENAME TO u;\n\
         ALTER VIEW v RENAME COLUMN relname TO rel;\n\
         ALTER SCHEMA app RENAME TO app2;\n",
    )]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let v = catalog.relation("public", "v").unwrap();
    let binding = v.binding.as_deref().unwrap();
    assert_eq!(binding.search_path, ["app2", "public"]);
    // `pg_class` is the system relation (pg_catalog is searched first): not bound.
    let [t] = binding.relations.as_slice() else {
        panic!("{binding:?}");
    };
    assert_eq!(t.written, ["t"]);
    assert_eq!(t.target, QualifiedName::new("public", "u"));
    assert!(t.complete);
    let pair = |then: &str, now: &str| (then.to_string(), now.to_string());
    assert_eq!(t.columns, [pair("id", "id"), pair("a", "b")]);
    assert_eq!(binding.renamed_columns, [pair("relname", "rel")]);
    let w = catalog.relation("public", "w").unwrap();
    let [v] = w.binding.as_deref().unwrap().relations.as_slice() else {
        panic!("{w:?}");
    };
    assert_eq!(v.target, QualifiedName::new("public", "v"));
    assert!(!v.complete);
    assert_eq!(v.columns, [pair("relname", "rel")]);
}

#[test]
fn conditional_ddl_in_do_blocks_is_a_warning() {
    let (catalog, diagnostics) = load(&[(
        "do.sql",
        "DO $$ BEGIN\n  IF current_setting('server_version_num')::int > 150000 THEN\n    \
         CREATE TABLE maybe (id int);\n  END IF;\nEND $$;\n\
         DO $$ BEGIN CREATE TYPE e AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n\
         DO $$ BEGIN CREATE TYPE e AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n",
    )]);
    assert!(catalog.relation("public", "maybe").is_none());
    assert!(
        catalog
            .enums
            .contains_key(&QualifiedName::new("public", "e"))
    );
    assert!(errors(&diagnostics).is_empty(), "{diagnostics:?}");
    let warnings: Vec<_> = diagnostics.iter().filter(|d| !d.is_error()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].location().as_deref(), Some("do.sql:2:3"));
}

#[test]
fn argument_defaults_are_counted_like_pronargdefaults() {
    let (catalog, diagnostics) = load(&[(
        "f.sql",
        "CREATE FUNCTION f(a int, b int DEFAULT 1, c text = 'x', OUT d int) LANGUAGE sql\n\
         AS $$ SELECT a $$;\n\
         CREATE FUNCTION g(a int = 0) RETURNS int LANGUAGE sql\n\
         BEGIN ATOMIC\n  SELECT a;\nEND;\n\
         CREATE FUNCTION h(a int) RETURNS int LANGUAGE sql AS 'SELECT a';\n\
         CREATE FUNCTION bad(a int DEFAULT 1, b int) RETURNS int LANGUAGE sql AS 'SELECT a';\n",
    )]);
    let defaults = |name: &str| {
        catalog
            .functions
            .iter()
            .find(|f| f.name.name == name)
            .map(|f| f.nargdefaults)
    };
    assert_eq!(defaults("f"), Some(2));
    assert_eq!(defaults("g"), Some(1));
    assert_eq!(defaults("h"), Some(0));
    assert_eq!(defaults("bad"), None);
    assert_eq!(
        errors(&diagnostics),
        ["f.sql:8:17 input parameters after one with a default value must also have defaults"]
    );
}

#[test]
fn transaction_control_in_migrations_is_skipped_and_the_ddl_kept() {
    let (catalog, diagnostics) = load(&[(
        "0001.sql",
        "BEGIN;\nCREATE TABLE a (id int);\nSET LOCAL search_path = nowhere;\nCOMMIT;\n\
         START TRANSACTION;\nCREATE TABLE b (id int);\nEND;\n",
    )]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(catalog.relation("public", "a").is_some());
    assert!(catalog.relation("public", "b").is_some());
    let (_, diagnostics) = load(&[("0001.sql", "BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;\n")]);
    let warnings: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{} {}", d.location().unwrap_or_default(), d.message))
        .collect();
    assert_eq!(
        warnings,
        ["0001.sql:3:1 squill's offline catalog keeps what this ROLLBACK undoes"]
    );
}

#[test]
fn malformed_index_statements_never_panic() {
    for sql in [
        "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX i ON t (a,,a);\n",
        "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX i ON t ();\n",
        "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX ON t ((a;\n",
        "CREATE TABLE t (a int, UNIQUE ());\n",
        "CREATE TABLE t (a int, CONSTRAINT);\n",
        "CREATE TABLE t (a int);\nALTER TABLE t ADD UNIQUE;\nALTER TABLE t ADD CONSTRAINT c PRIMARY KEY USING INDEX;\n",
        "CREATE TABLE t (a int);\nDROP INDEX;\nALTER INDEX RENAME TO;\nCREATE TABLE u (LIKE);\n",
    ] {
        let _ = load(&[("x.sql", sql)]);
    }
}

/// `E'...'` labels are labels (PostgreSQL takes any string constant), escapes resolved.
#[test]
fn enum_labels_may_be_escape_strings() {
    let (catalog, diagnostics) = load(&[(
        "0001.sql",
        "CREATE TYPE t AS ENUM ('plain', E'a\\nb');\nALTER TYPE t ADD VALUE E'c\\td';\n",
    )]);
    assert_eq!(errors(&diagnostics), Vec::<String>::new());
    assert_eq!(
        catalog.enums[&QualifiedName::new("public", "t")],
        ["plain", "a\nb", "c\td"]
    );
}
