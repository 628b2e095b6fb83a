//! Generated code always compiles, warning-free, whatever the names in the SQL: every item of a
//! module gets its name once (issue 15's reproducers: a query file `types.sql`, queries `_` and
//! `Value`, enums `status`, `s.status` and `status2`, `sqlc.embed(bar_row)` in `Foo` beside a
//! query `FooBar`, `sqlc.embed(params)` in a `:batchmany Foo` beside `FooParams`, bare CRs in
//! SQL and in enum labels, a cornucopia row type named `Type`, labels differing only in case).

mod support;

use std::path::Path;

use squill_codegen::Builder;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn colliding_names_compile_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            (
                "squill.toml",
                "schema = \"schema\"\nqueries = \"queries\"\nanalysis = \"offline\"\nsync = true\nembed_migrations = false\n",
            ),
            (
                "schema/0001_init.sql",
                "CREATE TYPE status AS ENUM ('a', 'A', 'b c', 'x\ry', 'new\nline');\n\
                 CREATE SCHEMA s;\n\
                 CREATE TYPE s.status AS ENUM ('on', 'On');\n\
                 CREATE TYPE status2 AS ENUM ('x');\n\
                 CREATE TYPE type AS ENUM ('t');\n\
                 CREATE TABLE bar_row (id int PRIMARY KEY, st status NOT NULL, st_s s.status, st2 status2, t type);\n\
                 CREATE TABLE params (id int PRIMARY KEY, v text NOT NULL);\n",
            ),
            (
                "queries/types.sql",
                "-- name: _ :one\nSELECT 1 AS a, 2 AS b;\n\n\
                 -- name: Value :one\nSELECT 1 AS a, 2 AS b;\n\n\
                 -- name: Foo :many\nSELECT sqlc.embed(bar_row), 1 AS one FROM bar_row;\n\n\
                 -- name: FooBar :many\nSELECT id, st FROM bar_row WHERE st_s = $1;\n\n\
                 -- name: Baz :batchmany\nSELECT sqlc.embed(params), bar_row.st2 FROM params, bar_row WHERE params.id = $1;\n\n\
                 -- name: BazParams :many\nSELECT id, v FROM params;\n\n\
                 -- name: Carriage :one\nSELECT 1 AS a,\r 2 AS b;\n",
            ),
            (
                "queries/rows.sql",
                "--: Type(t?)\n\n--! list_types : Type\nSELECT id, t FROM bar_row;\n\n--! list_more : Type\nSELECT id, t FROM bar_row;\n",
            ),
        ],
    );
    let generated = Builder::new().root(root).generate().unwrap();
    let (compiled, output) =
        support::compile_generated("generated-names", &[("db".into(), generated.code.clone())]);
    assert!(compiled, "{output}\n{}", generated.code);
    // The names chosen, as the module docs say.
    let code = &generated.code;
    for expected in [
        "pub enum Status {",
        "pub enum SStatus {",
        "pub enum Status2 {",
        "pub enum Type2 {",
        "pub mod types_2 {",
        "pub struct FooBarRow2 {",
        "pub struct BazParams2 {",
        "pub struct Type2 {",
        "A2,",
    ] {
        assert!(code.contains(expected), "{expected} missing:\n{code}");
    }
}

/// A type whose runtime feature is off is a compile error that names the feature.
#[test]
fn a_type_behind_an_off_feature_is_an_error_naming_it() {
    let code = "pub fn f(_x: ::squill::feature_cidr!(IpInet)) {}\n\
                pub fn g(_x: ::squill::feature_jiff!(civil::Date)) {}\n\
                pub fn h(_x: ::squill::feature_time!(OffsetDateTime)) {}\n\
                pub fn i(_x: ::squill::feature_pgvector!(Vector)) {}\n"
        .to_string();
    let (compiled, output) =
        support::compile_with_features("feature-off", &[("db".into(), code)], &["async"]);
    assert!(!compiled);
    for feature in ["cidr", "jiff", "time", "pgvector"] {
        assert!(
            output.contains(&format!(
                "needs squill's `{feature}` feature: enable it (or `full`)"
            )),
            "{output}"
        );
    }
}

/// Embedded migrations (`embed_migrations = true`, the default) without the runtime's `migrate`
/// feature: one error that says which feature or setting fixes it; with the feature, they build.
#[test]
fn embedded_migrations_without_the_migrate_feature_say_how_to_fix_it() {
    let code = "::squill::embedded_migrations!((1u64, \"init\", \"0001_init.sql\", \"CREATE TABLE t ();\"));\n"
        .to_string();
    let (compiled, output) =
        support::compile_with_features("migrate-off", &[("db".into(), code.clone())], &["async"]);
    assert!(!compiled);
    assert!(
        output.contains("needs squill's `migrate` feature")
            && output.contains("`embed_migrations = false`"),
        "{output}"
    );
    assert_eq!(
        output.matches("error:").count(),
        2,
        "one error, and the summary: {output}"
    );
    let (compiled, output) =
        support::compile_with_features("migrate-on", &[("db".into(), code)], &["migrate"]);
    assert!(compiled, "{output}");
}
