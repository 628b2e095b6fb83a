//! The whole pipeline on small projects written into temp dirs: what users see when a query
//! or a migration is wrong (insta snapshots of the rendered diagnostics), and the CLI.

use std::path::Path;
use std::process::Command;

use squill_codegen::Builder;

/// A throwaway project: `schema/0001_init.sql` and `queries/<name>.sql`.
struct Project {
    dir: tempfile::TempDir,
}

const SCHEMA: &str = "CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    display_name text,
    mood mood NOT NULL DEFAULT 'happy',
    idle jsonpath
);
";

impl Project {
    fn new(queries: &[(&str, &str)]) -> Self {
        Self::with_schema(&[("0001_init.sql", SCHEMA)], queries)
    }

    fn with_schema(migrations: &[(&str, &str)], queries: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("schema")).unwrap();
        std::fs::create_dir(dir.path().join("queries")).unwrap();
        for (name, sql) in migrations {
            std::fs::write(dir.path().join("schema").join(name), sql).unwrap();
        }
        for (name, sql) in queries {
            std::fs::write(dir.path().join("queries").join(name), sql).unwrap();
        }
        Self { dir }
    }

    /// Types from a live PostgreSQL instead of the offline analyzer.
    fn live(self) -> Self {
        self.append_config("analysis = \"live\"\n");
        self
    }

    fn append_config(&self, text: &str) {
        let path = self.path().join("squill.toml");
        let mut config = std::fs::read_to_string(&path).unwrap_or_default();
        config.push_str(text);
        std::fs::write(path, config).unwrap();
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn builder(&self) -> Builder {
        Builder::new().root(self.path())
    }

    /// The rendered diagnostics of a run that must fail.
    fn errors(&self) -> String {
        match self.builder().generate() {
            Ok(_) => panic!("generation should have failed"),
            Err(diagnostics) => diagnostics.render(),
        }
    }
}

#[test]
fn generates_code_for_a_valid_project() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: GetUser :opt\nSELECT id, email, display_name, mood FROM users WHERE id = @id;\n",
    )]);
    let generated = project.builder().generate().unwrap();
    assert!(generated.code.contains("pub async fn get_user("));
    assert!(generated.code.contains("pub enum Mood"));
    let query = &generated.packages[0].set.modules[0].queries[0];
    let nullable: Vec<(&str, bool)> = query
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.nullable))
        .collect();
    assert_eq!(
        nullable,
        [
            ("id", false),
            ("email", false),
            ("display_name", true),
            ("mood", false)
        ]
    );
}

#[test]
fn unknown_column_points_at_it_and_suggests_the_nearest() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: GetUser :one\nSELECT id, emial\nFROM users WHERE id = $1;\n",
    )])
    .live();
    let errors = project.errors();
    assert!(errors.contains("queries/users.sql:2:12"), "{errors}");
    insta::assert_snapshot!(errors);
}

#[test]
fn unknown_table_suggests_the_nearest() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: ListUsers :many\nSELECT id FROM user_s;\n",
    )])
    .live();
    insta::assert_snapshot!(project.errors());
}

#[test]
fn wrong_arity_is_reported_at_the_extra_expression() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: AddUser :exec\nINSERT INTO users (email) VALUES (@email, @display_name);\n",
    )])
    .live();
    insta::assert_snapshot!(project.errors());
}

#[test]
fn syntax_error_is_mapped_through_named_parameters() {
    // `@email` becomes `$1` in the SQL PostgreSQL sees; the caret must still land on FORM.
    let project = Project::new(&[(
        "users.sql",
        "-- name: Broken :many\nSELECT id FROM users WHERE email = @email AND id > @min_id FORM;\n",
    )])
    .live();
    let errors = project.errors();
    assert!(errors.contains("queries/users.sql:2:60"), "{errors}");
    insta::assert_snapshot!(errors);
}

#[test]
fn operator_type_mismatch_is_reported_in_postgres_terms() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Mismatch :many\nSELECT id FROM users WHERE email = 42::integer;\n",
    )])
    .live();
    insta::assert_snapshot!(project.errors());
}

#[test]
fn every_bad_query_in_every_file_is_reported_in_one_run() {
    let project = Project::new(&[
        ("a.sql", "-- name: A :one\nSELECT nope FROM users;\n"),
        (
            "b.sql",
            "-- name: B :one\nSELECT id FROM nowhere;\n-- name: C :exec\nDELETE FROM users;\n",
        ),
    ])
    .live();
    let errors = project.errors();
    assert!(errors.contains("queries/a.sql:2:8"), "{errors}");
    assert!(errors.contains("queries/b.sql:2:16"), "{errors}");
    assert!(errors.contains("squill found 2 errors"), "{errors}");
}

#[test]
fn malformed_annotations_and_duplicate_names_are_reported() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: GetUser :first\nSELECT 1;\n\n-- name: Count :one\nSELECT count(*) FROM users;\n\n-- name: Count :one\nSELECT 2;\n",
    )]);
    insta::assert_snapshot!(project.errors());
}

#[test]
fn unmapped_type_names_the_column_and_the_override() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Idle :many\nSELECT id, idle FROM users;\n",
    )]);
    let errors = project.errors();
    assert!(errors.contains("users.idle"), "{errors}");
    insta::assert_snapshot!(errors);
}

#[test]
fn type_override_in_squill_toml_maps_the_column() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Idle :many\nSELECT id, idle FROM users;\n",
    )]);
    std::fs::write(
        project.path().join("squill.toml"),
        "[columns]\n\"users.idle\" = \"crate::Span\"\n",
    )
    .unwrap();
    let generated = project.builder().generate().unwrap();
    assert!(
        generated.code.contains("pub idle: Option<crate::Span>"),
        "{}",
        generated.code
    );
}

#[test]
fn failing_migration_names_file_line_and_column() {
    let project = Project::with_schema(
        &[
            ("0001_init.sql", SCHEMA),
            (
                "0002_more.sql",
                "ALTER TABLE users ADD COLUMN age int;\n\nALTER TABLE users ADD COLUMN age int;\n",
            ),
        ],
        &[("users.sql", "-- name: One :one\nSELECT 1 AS one;\n")],
    )
    .live();
    let errors = project.errors();
    assert!(errors.contains("schema/0002_more.sql:3:1"), "{errors}");
    insta::assert_snapshot!(errors);
}

#[test]
fn no_server_binaries_and_no_database_url_says_what_to_do() {
    let project = Project::new(&[("users.sql", "-- name: One :one\nSELECT 1 AS one;\n")]).live();
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--root"])
        .arg(project.path())
        .env("SQUILL_PG_BIN", project.path().join("no-such-dir"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no PostgreSQL server binaries"), "{stderr}");
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn unreachable_database_url_fails_within_ten_seconds() {
    let project = Project::new(&[("users.sql", "-- name: One :one\nSELECT 1 AS one;\n")]).live();
    let started = std::time::Instant::now();
    // A TCP port nothing listens on: refused at once. (An unroutable host would hit the
    // 10 s connect timeout instead; both must end with a clear error, never a hang.)
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--root"])
        .arg(project.path())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing")
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot connect to PostgreSQL"), "{stderr}");
}

#[test]
fn database_url_that_accepts_but_never_answers_times_out() {
    let project = Project::new(&[("users.sql", "-- name: One :one\nSELECT 1 AS one;\n")]).live();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept connections and hold them open without a byte of reply.
    let _silent = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(std::time::Duration::from_secs(30));
        drop(held);
    });
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--root"])
        .arg(project.path())
        .env(
            "DATABASE_URL",
            format!("postgres://nobody@127.0.0.1:{port}/nothing"),
        )
        .output()
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("did not answer within 10s"), "{stderr}");
}

#[test]
fn generate_then_check_detects_stale_code() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: GetUser :opt\nSELECT id, email FROM users WHERE id = @id;\n",
    )]);
    std::fs::write(
        project.path().join("squill.toml"),
        "output = \"src/db.rs\"\n",
    )
    .unwrap();
    let squill = |command: &str| {
        Command::new(env!("CARGO_BIN_EXE_squill"))
            .args([command, "--root"])
            .arg(project.path())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let generate = squill("generate");
    assert!(
        generate.status.success(),
        "{}",
        String::from_utf8_lossy(&generate.stderr)
    );
    let written = std::fs::read_to_string(project.path().join("src/db.rs")).unwrap();
    assert!(written.contains("pub async fn get_user("));
    assert_generated_file_has_normal_permissions(&project.path().join("src"));

    let check = squill("check");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    std::fs::write(
        project.path().join("queries/users.sql"),
        "-- name: GetUser :opt\nSELECT id, email, display_name FROM users WHERE id = @id;\n",
    )
    .unwrap();
    let stale = squill("check");
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("is stale"));

    assert!(squill("generate").status.success());
    assert!(squill("check").status.success());
}

/// `squill generate` writes through a temp file: the result must get the mode any new file
/// gets here (0666 less the umask), not the temp file's 0600, and a rewrite keeps a chosen mode.
#[cfg(unix)]
fn assert_generated_file_has_normal_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let reference = dir.join("reference.txt");
    std::fs::File::create(&reference).unwrap();
    let generated = dir.join("db.rs");
    assert_eq!(mode(&generated), mode(&reference));

    std::fs::set_permissions(&generated, std::fs::Permissions::from_mode(0o640)).unwrap();
    let content = std::fs::read_to_string(&generated).unwrap();
    assert!(
        squill_codegen::write_if_changed(&generated, &format!("{content}// changed\n")).unwrap()
    );
    assert_eq!(mode(&generated), 0o640);
    std::fs::write(&generated, content).unwrap();
    std::fs::remove_file(reference).unwrap();
}

#[cfg(not(unix))]
fn assert_generated_file_has_normal_permissions(_: &Path) {}

#[test]
fn generation_is_deterministic() {
    let project = Project::new(&[
        ("b.sql", "-- name: B :many\nSELECT id, mood FROM users;\n"),
        (
            "a.sql",
            "-- name: A :one\nSELECT count(*) AS n FROM users;\n",
        ),
    ]);
    let first = project.builder().generate().unwrap().code;
    let second = project.builder().generate().unwrap().code;
    assert_eq!(first, second);
}

#[test]
fn analyze_json_reports_types_even_where_rust_has_no_mapping() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Idle :many\nSELECT id, idle, mood FROM users WHERE email = @email;\n",
    )]);
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["analyze", "--json", "--root"])
        .arg(project.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        document,
        serde_json::json!({
            "format_version": 1,
            "queries": [{
                "name": "Idle", "file": "queries/users.sql", "line": 1, "command": ":many",
                "sql": "SELECT id, idle, mood FROM users WHERE email = $1",
                "params": [{ "name": "email", "type": "text", "nullable": false }],
                "columns": [
                    { "name": "id", "type": "bigint", "nullable": false },
                    { "name": "idle", "type": "jsonpath", "nullable": true },
                    { "name": "mood", "type": "mood", "nullable": false }
                ]
            }]
        })
    );
}

#[test]
fn offline_analysis_needs_no_database_at_all() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: GetUser :opt\nSELECT id, email, display_name, mood FROM users WHERE id = @id;\n",
    )]);
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--root"])
        .arg(project.path())
        .env("SQUILL_PG_BIN", project.path().join("no-such-dir"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn offline_unknown_column_points_at_it_and_suggests_the_nearest() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: GetUser :one\nSELECT id, emial\nFROM users WHERE id = $1;\n",
    )]);
    let errors = project.errors();
    assert!(errors.contains("queries/users.sql:2:12"), "{errors}");
    insta::assert_snapshot!(errors);
}

#[test]
fn offline_ambiguous_column_points_at_it() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Pairs :many\nSELECT a.email, id\nFROM users a JOIN users b ON b.id = a.id;\n",
    )]);
    let errors = project.errors();
    assert!(errors.contains("queries/users.sql:2:17"), "{errors}");
    insta::assert_snapshot!(errors);
}

#[test]
fn offline_operator_type_mismatch_is_reported_in_postgres_terms() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Mismatch :many\nSELECT id FROM users WHERE email = 42::integer;\n",
    )]);
    insta::assert_snapshot!(project.errors());
}

#[test]
fn offline_undeterminable_parameter_suggests_a_cast() {
    let project = Project::new(&[(
        "users.sql",
        "-- name: Echo :many\nSELECT id FROM users WHERE @value IS NULL;\n",
    )]);
    let errors = project.errors();
    assert!(
        errors.contains("could not determine data type of parameter"),
        "{errors}"
    );
    insta::assert_snapshot!(errors);
}

#[test]
fn check_live_passes_on_the_demo() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--live", "--root"])
        .arg(demo)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("agrees with PostgreSQL on every query"),
        "{stdout}"
    );
}

#[test]
fn check_live_fails_on_a_disagreement_it_cannot_see_offline() {
    // The schema says `n` is an integer; the query file was checked offline, but a migration
    // that only PostgreSQL understands (a DO block changing the type) makes live differ.
    let project = Project::with_schema(
        &[(
            "0001_init.sql",
            "CREATE TABLE t (n integer NOT NULL);\nDO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN n TYPE bigint'; END $$;\n",
        )],
        &[("t.sql", "-- name: N :many\nSELECT n FROM t;\n")],
    );
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--live", "--root"])
        .arg(project.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "disagreement: queries/t.sql:1 N: column `n`: integer offline, bigint per PostgreSQL"
        ),
        "{stdout}"
    );
}
