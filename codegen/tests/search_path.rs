//! The search path queries are analyzed with is the one the application's sessions get: the
//! schema's `ALTER ROLE ... SET search_path` (or `ALTER DATABASE ... SET`), not a migration's
//! own `SET`. Held to PostgreSQL: a session of the role on a server with the schema applied
//! shows the same `current_schemas(false)`, and prepares the queries with the same types.

use squill_codegen::analyze::{Schema, analyze};
use squill_codegen::catalog::{self, from_ddl};
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::live::{Describer, TempServer};
use squill_codegen::source::parse_query_file;

const SCHEMA: &str = "\
CREATE ROLE app_user LOGIN;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO app_user;
SET search_path = app;
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, m mood);
CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, total numeric(10, 2));
RESET search_path;
ALTER ROLE app_user SET search_path = \"$user\", app, public;
";

const QUERIES: &str = "\
-- name: GetUser :one
SELECT id, name, m FROM users WHERE id = $1;

-- name: UserTotals :many
SELECT u.name, sum(o.total) AS total FROM users u LEFT JOIN orders o ON o.user_id = u.id
WHERE u.m = $1 GROUP BY u.name;

-- name: AddOrder :one
INSERT INTO orders (user_id, total) VALUES ($1, $2) RETURNING id;
";

#[test]
fn role_search_path_is_the_applications() {
    let files = [SourceFile::new("schema.sql", SCHEMA)];
    let (catalog, diagnostics, _) = from_ddl(&files);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(catalog.search_path, ["app", "public"]);

    let server = TempServer::start().expect("throwaway PostgreSQL server");
    let mut admin = server.connect("postgres").expect("connect");
    admin
        .batch_execute("CREATE DATABASE sp")
        .expect("create database");
    let mut owner = server.connect("sp").expect("connect");
    owner
        .batch_execute(&catalog::runnable_sql(SCHEMA))
        .expect("schema applies");
    // The throwaway server wants a password of every role: the one it made for itself.
    owner
        .batch_execute(&format!(
            "ALTER ROLE app_user PASSWORD '{}'",
            server.password()
        ))
        .expect("password for app_user");
    drop(owner);
    // A new session of the application's role.
    let mut app = server
        .config("sp")
        .user("app_user")
        .connect(postgres::NoTls)
        .expect("connect as app_user");
    let live_path: Vec<String> = app
        .query_one("SELECT current_schemas(false)::text[]", &[])
        .unwrap()
        .get(0);
    assert_eq!(live_path, catalog.search_path);

    let schema = Schema::from_catalog(&catalog);
    let file = SourceFile::new("queries.sql", QUERIES);
    let (raws, problems) = parse_query_file(&file);
    assert!(problems.is_empty());
    assert_eq!(raws.len(), 3);
    let mut describer = Describer::new(&mut app);
    for raw in &raws {
        let live = describer
            .describe(&file, raw)
            .expect("PostgreSQL prepares it");
        let offline = analyze(&schema, raw, &file)
            .unwrap_or_else(|d| panic!("{} refused offline: {}", raw.name, d.render()));
        let types = |q: &squill_codegen::ir::Query| {
            (
                q.params.iter().map(|p| p.ty.clone()).collect::<Vec<_>>(),
                q.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.ty.clone()))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(types(&offline), types(&live), "{}", raw.name);
    }
}

#[test]
fn stored_search_paths_by_precedence() {
    let path = |sql: &str| {
        let (catalog, diagnostics, _) = from_ddl(&[SourceFile::new("s.sql", sql)]);
        let warnings: Vec<String> = diagnostics.iter().map(|d| d.message.clone()).collect();
        (catalog.search_path, warnings)
    };
    let base = "CREATE SCHEMA a; CREATE SCHEMA b; CREATE SCHEMA app_user;\n";
    // A migration's own SET lasts for its session only; pg_dump's empty path too.
    assert_eq!(path(&format!("{base}SET search_path = a;")).0, ["public"]);
    assert_eq!(
        path(&format!(
            "{base}SELECT pg_catalog.set_config('search_path', '', false);"
        ))
        .0,
        ["public"]
    );
    // The database's setting, below the role's.
    assert_eq!(
        path(&format!(
            "{base}ALTER DATABASE mydb SET search_path TO b, public;"
        ))
        .0,
        ["b", "public"]
    );
    assert_eq!(
        path(&format!(
            "{base}ALTER DATABASE mydb SET search_path TO b;\n\
             ALTER ROLE app_user SET search_path TO \"$user\", a;"
        ))
        .0,
        ["app_user", "a"]
    );
    // FROM CURRENT takes the session's; RESET takes it back.
    assert_eq!(
        path(&format!(
            "{base}SET search_path = a, b;\nALTER ROLE r SET search_path FROM CURRENT;"
        ))
        .0,
        ["a", "b"]
    );
    assert_eq!(
        path(&format!(
            "{base}ALTER ROLE r SET search_path = a;\nALTER ROLE r RESET search_path;"
        ))
        .0,
        ["public"]
    );
    // Two roles that disagree: a warning, and the level below.
    let (p, warnings) = path(&format!(
        "{base}ALTER ROLE r1 SET search_path = a;\nALTER ROLE r2 SET search_path = b;"
    ));
    assert_eq!(p, ["public"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

#[test]
fn set_from_outside() {
    let (mut catalog, _, _) = from_ddl(&[SourceFile::new("s.sql", "CREATE SCHEMA app;")]);
    catalog.set_search_path(
        &["$user", "app", "missing", "public", "app"],
        Some("nobody"),
    );
    assert_eq!(catalog.search_path, ["app", "public"]);
}
