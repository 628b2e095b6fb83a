//! The every-type fixture (issue 11): a schema with a column of every type squill maps by
//! default, generated with no squill.toml, compiled against the runtime's `full` feature, and
//! round-tripped on a throwaway PostgreSQL (sync and async, once per time crate); and
//! `squill check --live` agrees with PostgreSQL on it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use squill_codegen::Builder;
use squill_codegen::config::TimeCrate;
use squill_codegen::live::TempServer;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

fn generate(root: &Path, time_crate: TimeCrate) -> String {
    let generated = Builder::new()
        .root(root)
        .sync_fns(true)
        .embed_migrations(false)
        .time_crate(time_crate)
        .generate();
    match generated {
        Ok(generated) => {
            assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
            generated.code
        }
        Err(diagnostics) => panic!("{}", diagnostics.render()),
    }
}

/// Whether the server can `CREATE EXTENSION vector` (pgvector is not part of contrib).
fn pgvector_available(client: &mut postgres::Client) -> bool {
    client
        .query_one(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
}

fn apply_schema(client: &mut postgres::Client, project: &str) {
    for file in support::cases::sql_files(&fixture(project).join("schema")) {
        let sql = std::fs::read_to_string(&file).unwrap();
        client
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[test]
fn every_type_round_trips_sync_and_async_with_each_time_crate() {
    let every = fixture("every_type");
    assert!(
        !every.join("squill.toml").exists(),
        "the fixture needs no configuration"
    );
    let mut modules = vec![
        ("db_chrono".to_string(), generate(&every, TimeCrate::Chrono)),
        ("db_time".to_string(), generate(&every, TimeCrate::Time)),
        ("db_jiff".to_string(), generate(&every, TimeCrate::Jiff)),
        (
            "db_pgvector".to_string(),
            generate(&fixture("every_type_pgvector"), TimeCrate::Chrono),
        ),
    ];
    // The program (written by every_type/gen_round_trip.py from the generated signatures).
    let mut main = String::new();
    for file in std::fs::read_dir(every.join("round_trip")).unwrap() {
        let path = file.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        match path.file_stem().and_then(|s| s.to_str()) {
            Some("main") => main = text,
            Some(module) => modules.push((module.to_string(), text)),
            None => {}
        }
    }
    let program = support::build_program("every-type", &modules, &main, &["full"])
        .unwrap_or_else(|cargo| panic!("the round-trip program does not compile:\n{cargo}"));

    let server = TempServer::start().expect("a throwaway PostgreSQL");
    let mut admin = server.connect("postgres").unwrap();
    admin.batch_execute("CREATE DATABASE every_type").unwrap();
    let mut client = server.connect("every_type").unwrap();
    apply_schema(&mut client, "every_type");
    let mut args = vec![server.url("every_type")];
    if pgvector_available(&mut client) {
        apply_schema(&mut client, "every_type_pgvector");
        args.push("pgvector".into());
    } else {
        println!(
            "SKIPPED pgvector's vector/halfvec/sparsevec: the extension is not installed on this \
             PostgreSQL (`vector` is missing from pg_available_extensions)"
        );
    }
    drop(client);
    let output = Command::new(&program).args(&args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("sync: every type round-tripped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("async: every type round-tripped"),
        "{stdout}"
    );
}

/// pgvector cannot be installed where the tests run (Debian bookworm has no
/// `postgresql-15-pgvector`), so its round trip above is skipped; its generated code still
/// compiles against the runtime with only the `pgvector` type feature (not `full`), so the
/// mapping to the `pgvector` crate is checked on every run.
#[test]
fn pgvector_code_compiles_with_its_feature_alone() {
    let code = generate(&fixture("every_type_pgvector"), TimeCrate::Chrono);
    assert!(
        code.contains("::squill::feature_pgvector!(Vector)"),
        "{code}"
    );
    let (ok, cargo) = support::compile_with_features(
        "pgvector-feature",
        &[("db".into(), code)],
        &["async", "sync", "pgvector"],
    );
    assert!(ok, "{cargo}");
}

/// `squill check --live` on `project`: the CLI's report, asserted to agree with PostgreSQL on
/// every query, none refused offline.
fn check_live(project: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--live", "--root"])
        .arg(project)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("agrees with PostgreSQL on every query"),
        "{stdout}"
    );
    assert!(!stdout.contains("refused offline"), "{stdout}");
    stdout
}

#[test]
fn check_live_agrees_with_postgres_on_the_every_type_fixture() {
    check_live(&fixture("every_type"));
    let server = TempServer::start().expect("a throwaway PostgreSQL");
    if pgvector_available(&mut server.connect("postgres").unwrap()) {
        check_live(&fixture("every_type_pgvector"));
    } else {
        println!("SKIPPED `squill check --live` on every_type_pgvector: pgvector is not installed");
    }
}
