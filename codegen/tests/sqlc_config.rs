//! A repository's own sqlc configuration is a squill project: blocks, paths, overrides,
//! `rename`, module names, sqlc's rules for unannotated statements, and `analysis = "auto"`.

use std::path::Path;

use squill_codegen::Builder;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

const SCHEMA: &str = "CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
     CREATE TABLE authors (id bigserial PRIMARY KEY, name text NOT NULL, bio text, mood mood NOT NULL, spotify_url text);\n";

#[test]
fn v2_yaml_with_two_blocks_globs_folders_overrides_and_rename() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            (
                "sqlc.yaml",
                r#"version: "2"
overrides:
  go:
    rename:
      spotify_url: spotify_link
sql:
  - engine: "postgresql"
    schema: "db/migrations/"
    queries: ["db/query/*.sql", "db/extra"]
    gen:
      go:
        package: "core"
        out: "internal/db"
        overrides:
          - column: "public.authors.bio"
            rust_type: "crate::Bio"
          - db_type: "text"
            nullable: true
            go_type: "sql.NullString"
  - name: reports
    engine: postgresql
    schema: db/migrations/0001_init.up.sql
    queries: db/reports.sql
  - engine: mysql
    schema: mysql/schema.sql
    queries: mysql/query.sql
"#,
            ),
            ("db/migrations/0001_init.up.sql", SCHEMA),
            ("db/migrations/0001_init.down.sql", "DROP TABLE authors;\n"),
            (
                "db/query/authors.sql",
                "-- name: GetAuthor :one\nSELECT id, name, bio, spotify_url FROM authors WHERE id = $1;\n\n\
                 SELECT 'a statement sqlc ignores';\n",
            ),
            (
                "db/extra/moods.sql",
                "-- name: ListByMood :many\nSELECT id, mood FROM authors WHERE mood = $1;\n",
            ),
            (
                "db/reports.sql",
                "-- name: CountAuthors :one\nSELECT count(*) AS n FROM authors;\n",
            ),
        ],
    );
    let generated = Builder::new().root(root).generate().unwrap();
    let code = &generated.code;
    let modules: Vec<Option<&str>> = generated
        .packages
        .iter()
        .map(|p| p.module.as_deref())
        .collect();
    assert_eq!(modules, [Some("core"), Some("reports")]);
    assert!(code.contains("pub mod core {"), "{code}");
    assert!(code.contains("pub mod reports {"), "{code}");
    assert!(code.contains("pub mod authors {"), "{code}");
    assert!(code.contains("pub mod moods {"), "{code}");
    assert!(code.contains("pub bio: Option<crate::Bio>"), "{code}");
    assert!(code.contains("pub spotify_link: Option<String>"), "{code}");
    assert!(code.contains("pub async fn list_by_mood("), "{code}");
    assert!(code.contains("mood: types::Mood"), "{code}");
    // The unannotated statement is passed over with a warning, as sqlc does.
    assert_eq!(generated.warnings.len(), 1, "{:?}", generated.warnings);
    assert!(
        generated.warnings[0]
            .message
            .contains("has no `-- name:` annotation")
    );
    // sqlc projects are not squill migrations: nothing to embed.
    assert!(!code.contains("MIGRATIONS"), "{code}");
}

#[test]
fn v1_json_packages_and_squill_toml_pointing_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            (
                "squill.toml",
                "sqlc = \"sql/sqlc.json\"\n[rename]\nname = \"full_name\"\n",
            ),
            (
                "sql/sqlc.json",
                r#"{"version": "1", "packages": [{"name": "db", "path": "gen", "engine": "postgresql",
                   "schema": "schema.sql", "queries": "query.sql",
                   "overrides": [{"db_type": "text", "rust_type": "crate::Name"}]}],
                   "rename": {"name": "author_name"}}"#,
            ),
            ("sql/schema.sql", SCHEMA),
            (
                "sql/query.sql",
                // The schema file listed as queries too would hold DDL; here the queries
                // file names a schema-qualified table and a parameter.
                "-- name: AuthorsNamed :many\nSELECT id, name FROM public.authors WHERE name = @name;\n",
            ),
        ],
    );
    let generated = Builder::new().root(root).generate().unwrap();
    let code = &generated.code;
    assert_eq!(generated.packages.len(), 1);
    assert_eq!(generated.packages[0].module, None);
    // squill.toml's rename wins over the configuration's.
    assert!(code.contains("pub full_name: crate::Name"), "{code}");
    assert!(code.contains("full_name: &crate::Name"), "{code}");
}

#[test]
fn a_file_listed_as_schema_and_queries_holds_schema_and_colliding_names_are_numbered() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let both = format!(
        "{SCHEMA}\n-- name: GetByMcpSlug :many\nSELECT id FROM authors WHERE name = $1;\n\n\
         -- name: GetByMCPSlug :many\nSELECT id FROM authors WHERE bio = $1;\n"
    );
    write(
        root,
        &[
            (
                "sqlc.yml",
                "version: '2'\nsql:\n- engine: postgresql\n  schema: all.sql\n  queries: all.sql\n",
            ),
            ("all.sql", &both),
        ],
    );
    let generated = Builder::new().root(root).generate().unwrap();
    let code = &generated.code;
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    assert!(code.contains("pub async fn get_by_mcp_slug("), "{code}");
    assert!(code.contains("pub async fn get_by_mcp_slug_2("), "{code}");
    assert!(code.contains("Named `get_by_mcp_slug_2`"), "{code}");
}

#[test]
fn search_path_setting_resolves_unqualified_names_offline() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            (
                "squill.toml",
                "schema = \"schema\"\nqueries = \"queries\"\nanalysis = \"offline\"\nsearch_path = [\"app\", \"public\"]\n",
            ),
            (
                "schema/0001_init.sql",
                "CREATE SCHEMA app;\nCREATE TABLE app.jobs (id bigint PRIMARY KEY, state text NOT NULL);\n",
            ),
            (
                "queries/jobs.sql",
                "-- name: JobState :one\nSELECT state FROM jobs WHERE id = $1;\n",
            ),
        ],
    );
    let generated = Builder::new().root(root).generate().unwrap();
    let query = &generated.packages[0].set.modules[0].queries[0];
    assert_eq!(query.columns[0].ty.display_name(), "text");
    assert_eq!(query.params[0].ty.display_name(), "bigint");

    // Without the setting PostgreSQL would not find `jobs` either.
    std::fs::write(
        root.join("squill.toml"),
        "schema = \"schema\"\nqueries = \"queries\"\nanalysis = \"offline\"\n",
    )
    .unwrap();
    let errors = Builder::new().root(root).generate().unwrap_err().render();
    assert!(
        errors.contains("relation \"jobs\" does not exist"),
        "{errors}"
    );
}

#[test]
fn auto_analysis_asks_postgres_about_what_offline_refuses() {
    // An anonymous record's field is a construct the offline analyzer refuses; PostgreSQL
    // types it, so the build goes on with PostgreSQL's answer.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            (
                "sqlc.yaml",
                "version: '2'\nsql:\n- engine: postgresql\n  schema: schema.sql\n  queries: query.sql\n",
            ),
            ("schema.sql", SCHEMA),
            (
                "query.sql",
                "-- name: Pair :one\nSELECT (r).f1 AS a FROM (SELECT ROW(1, 'x') AS r) s;\n",
            ),
        ],
    );
    let offline = {
        write(root, &[("squill.toml", "analysis = \"offline\"\n")]);
        Builder::new().root(root).generate().unwrap_err()
    };
    assert!(offline.0[0].refusal, "{}", offline.render());
    assert!(
        offline.render().contains("analysis = \\\"auto\\\"")
            || offline.render().contains("analysis = \"auto\"")
    );
    std::fs::remove_file(root.join("squill.toml")).unwrap();
    let generated = Builder::new().root(root).generate().unwrap();
    let query = &generated.packages[0].set.modules[0].queries[0];
    assert_eq!(query.columns[0].ty.display_name(), "integer");
}

#[test]
fn cli_generate_check_and_analyze_read_the_sqlc_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            (
                "sqlc.yaml",
                "version: '2'\nsql:\n- name: app\n  engine: postgresql\n  schema: schema.sql\n  queries: query.sql\n\
                 - name: admin\n  engine: postgresql\n  schema: schema.sql\n  queries: admin.sql\n",
            ),
            ("schema.sql", SCHEMA),
            (
                "query.sql",
                "-- name: GetAuthor :one\nSELECT name FROM authors WHERE id = $1;\n",
            ),
            (
                "admin.sql",
                "-- name: DeleteAuthor :exec\nDELETE FROM authors WHERE id = $1;\n",
            ),
        ],
    );
    let squill = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_squill"))
            .args(args)
            .arg("--root")
            .arg(root)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, stdout, stderr) = squill(&["generate", "--out", "src/db.rs"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("2 queries checked"), "{stdout}");
    let code = std::fs::read_to_string(root.join("src/db.rs")).unwrap();
    assert!(
        code.contains("pub mod app {") && code.contains("pub mod admin {"),
        "{code}"
    );
    let (ok, stdout, stderr) = squill(&["check", "--out", "src/db.rs"]);
    assert!(ok && stdout.contains("is current"), "{stdout}{stderr}");
    let (ok, stdout, stderr) = squill(&["analyze", "--json"]);
    assert!(ok, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let packages: Vec<&str> = document["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["package"].as_str().unwrap())
        .collect();
    assert_eq!(packages, ["app", "admin"]);
}
