//! The migration runner against a real PostgreSQL (a throwaway server per test).
//!
//! Runners are driven on a tokio runtime from the (synchronous) test thread, which plays the
//! other sessions with blocking `postgres` clients. Nothing asserts on timing: waits poll a
//! condition and fail the test only after a generous deadline.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use squill::migrate::{
    APPLICATION_NAME, Config, MigrateError, Migration, Migrator, Problem, Repair, Report, Status,
    checksum, load_dir, parse_file_name,
};
use squill_codegen::live::TempServer;
use squill_codegen::migrate_cli::{self, MigrateArgs};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// Upper bound for anything the tests wait for; reaching it means a hang, i.e. a failure.
const DEADLINE: Duration = Duration::from_secs(120);

struct Fixture {
    server: TempServer,
    dir: tempfile::TempDir,
    rt: Runtime,
}

impl Fixture {
    fn new() -> Self {
        let server = TempServer::start().expect("throwaway PostgreSQL starts");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        Fixture {
            server,
            dir: tempfile::tempdir().unwrap(),
            rt,
        }
    }

    fn config(&self) -> Config {
        self.server.url("postgres").parse().unwrap()
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, file: &str, sql: &str) {
        std::fs::write(self.dir().join(file), sql).unwrap();
    }

    fn remove(&self, file: &str) {
        std::fs::remove_file(self.dir().join(file)).unwrap();
    }

    fn migrator(&self) -> Migrator {
        Migrator::new(load_dir(self.dir()).expect("folder loads"))
    }

    fn run(&self) -> Result<Report, MigrateError> {
        self.run_with(self.migrator())
    }

    fn run_with(&self, migrator: Migrator) -> Result<Report, MigrateError> {
        self.rt.block_on(migrator.run(&self.config()))
    }

    fn spawn(&self, migrator: Migrator) -> JoinHandle<Result<Report, MigrateError>> {
        let config = self.config();
        self.rt.spawn(async move { migrator.run(&config).await })
    }

    fn join(
        &self,
        handle: JoinHandle<Result<Report, MigrateError>>,
    ) -> Result<Report, MigrateError> {
        self.rt
            .block_on(async { tokio::time::timeout(DEADLINE, handle).await })
            .expect("runner finishes (no deadlock)")
            .expect("runner task does not panic")
    }

    fn status(&self) -> Status {
        self.rt
            .block_on(self.migrator().status(&self.config()))
            .expect("status")
    }

    fn sql(&self) -> postgres::Client {
        self.server.connect("postgres").unwrap()
    }

    fn count(&self, query: &str) -> i64 {
        self.sql().query_one(query, &[]).unwrap().get(0)
    }

    /// Runs `squill migrate <args>` the way the `squill` binary does.
    fn cli(&self, args: &[&str]) -> ExitCode {
        let url = self.server.url("postgres");
        let dir = self.dir().to_str().unwrap().to_string();
        let mut argv = vec!["squill", "migrate"];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--dir", &dir, "--database-url", &url]);
        let Cli {
            command: Command::Migrate(args),
        } = Cli::try_parse_from(argv).expect("arguments parse");
        migrate_cli::run(args)
    }
}

/// The shape the lead wires into the `squill` binary.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Migrate(MigrateArgs),
}

fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < DEADLINE,
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Fails the test at once, with the runner's outcome, if it has already stopped.
fn assert_running(f: &Fixture, runner: &mut JoinHandle<Result<Report, MigrateError>>, who: &str) {
    if runner.is_finished() {
        match f.rt.block_on(runner).expect("runner task does not panic") {
            Ok(report) => panic!("{who} finished early:\n{report}"),
            Err(e) => panic!("{who} failed:\n{e}"),
        }
    }
}

fn files(report: &Report) -> Vec<&str> {
    report.applied.iter().map(|a| a.file.as_str()).collect()
}

fn advisory_locks(f: &Fixture) -> i64 {
    f.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
}

/// The runner's own connection is gone (the server notices a closed socket asynchronously).
fn wait_runner_disconnected(f: &Fixture) {
    let mut sql = f.sql();
    wait_until("the runner's connection is closed", || {
        let n: i64 = sql
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&APPLICATION_NAME],
            )
            .unwrap()
            .get(0);
        n == 0
    });
}

fn is_success(code: ExitCode) -> bool {
    code == ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------
// Files and folders
// ---------------------------------------------------------------------------------------

#[test]
fn file_names_and_folder_loading() {
    assert_eq!(parse_file_name("0001_init.sql"), Some((1, "init")));
    assert_eq!(
        parse_file_name("20240101120000_add_orders.sql"),
        Some((20240101120000, "add_orders"))
    );
    assert_eq!(parse_file_name("init.sql"), None);
    assert_eq!(parse_file_name("0001init.sql"), None);
    assert_eq!(parse_file_name("0001_init.txt"), None);

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, sql: &str| std::fs::write(dir.path().join(name), sql).unwrap();
    write("0010_c.sql", "SELECT 3;");
    write("0002_b.up.sql", "SELECT 2;");
    write("0002_b.down.sql", "SELECT -2;");
    write("1_a.sql", "SELECT 1;");
    write("README.md", "not a migration");
    write(".0003_editor_backup.sql", "ignored");
    let migrations = load_dir(dir.path()).unwrap();
    let found: Vec<(u64, &str, &str)> = migrations
        .iter()
        .map(|m| (m.version, &*m.name, &*m.file))
        .collect();
    assert_eq!(
        found,
        [
            (1, "a", "1_a.sql"),
            (2, "b", "0002_b.up.sql"),
            (10, "c", "0010_c.sql")
        ]
    );
}

#[test]
fn misnamed_and_duplicate_files_are_reported_not_ignored() {
    let f = Fixture::new();
    f.write("0001_ok.sql", "CREATE TABLE ok (id int);");
    f.write("init.sql", "CREATE TABLE init (id int);");
    f.write("V3__flyway.sql", "SELECT 1;");
    f.write("0002_a.sql", "SELECT 1;");
    f.write("02_b.sql", "SELECT 2;");
    let err = load_dir(f.dir()).unwrap_err();
    let problems = err.problems();
    assert!(problems.contains(&Problem::Misnamed {
        file: "init.sql".into()
    }));
    assert!(problems.contains(&Problem::Misnamed {
        file: "V3__flyway.sql".into()
    }));
    assert!(problems.contains(&Problem::DuplicateVersion {
        version: 2,
        files: vec!["0002_a.sql".into(), "02_b.sql".into()]
    }));
    let message = err.to_string();
    for needle in [
        "init.sql",
        "V3__flyway.sql",
        "0002_a.sql, 02_b.sql",
        "0001_flyway.sql",
    ] {
        assert!(message.contains(needle), "{needle} in:\n{message}");
    }
    // The CLI refuses, for both `migrate` and `status`, and applies nothing.
    assert!(!is_success(f.cli(&[])));
    assert!(!is_success(f.cli(&["status"])));
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname = 'ok'"),
        0
    );
}

// ---------------------------------------------------------------------------------------
// Applying, history
// ---------------------------------------------------------------------------------------

#[test]
fn applies_in_order_and_records_history() {
    let f = Fixture::new();
    let init = "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n";
    f.write("0001_init.sql", init);
    f.write(
        "0002_orders.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint REFERENCES customers);\n",
    );
    f.write(
        "0003_orders_index.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY orders_customer ON orders (customer);\n",
    );
    let migrator = f.migrator().schema("ops").table("history");
    let report = f.run_with(migrator.clone()).unwrap();
    assert_eq!(
        files(&report),
        ["0001_init.sql", "0002_orders.sql", "0003_orders_index.sql"]
    );
    assert_eq!(report.already_applied, 0);
    assert!(report.applied.iter().all(|a| a.attempts == 1));
    assert!(!report.applied[2].transactional);

    let mut sql = f.sql();
    let rows = sql
        .query(
            "SELECT version, name, file, checksum, transactional, applied_at IS NOT NULL,
                    execution_ms >= 0, applied_by, squill_version
             FROM ops.history ORDER BY version",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 3);
    let first = &rows[0];
    assert_eq!(first.get::<_, i64>(0), 1);
    assert_eq!(first.get::<_, &str>(1), "init");
    assert_eq!(first.get::<_, &str>(2), "0001_init.sql");
    assert_eq!(first.get::<_, String>(3), checksum(init));
    assert!(first.get::<_, String>(3).starts_with("sha256:"));
    assert!(first.get::<_, bool>(4));
    assert!(first.get::<_, bool>(5));
    assert!(first.get::<_, bool>(6));
    assert_eq!(first.get::<_, &str>(7), "postgres");
    assert_eq!(first.get::<_, &str>(8), env!("CARGO_PKG_VERSION"));
    assert!(!rows[2].get::<_, bool>(4));
    // The index is valid (built outside a transaction), the repair log exists.
    let valid: bool = sql
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_customer'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid);
    assert_eq!(
        f.count("SELECT count(*) FROM ops.history_repairs"),
        0,
        "repair log exists and is empty"
    );

    // A second run has nothing to do.
    let again = f.run_with(migrator).unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, 3);
}

#[test]
fn status_is_a_dry_run() {
    let f = Fixture::new();
    f.write("0001_init.sql", "CREATE TABLE a (id int);");
    f.write(
        "0002_index.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);",
    );
    let status = f.status();
    assert!(status.is_ok());
    assert!(!status.history_exists);
    assert!(status.applied.is_empty());
    let pending: Vec<(&str, bool)> = status
        .pending
        .iter()
        .map(|p| (p.file.as_str(), p.transactional))
        .collect();
    assert_eq!(
        pending,
        [("0001_init.sql", true), ("0002_index.sql", false)]
    );
    let text = status.to_string();
    assert!(
        text.contains("0002_index.sql (without a transaction)"),
        "{text}"
    );
    // Nothing was created: no history table, no migration.
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname IN ('squill_migrations', 'a')"),
        0
    );
    assert!(is_success(f.cli(&["status"])));
    assert!(is_success(f.cli(&["--dry-run"])));
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname = 'a'"),
        0
    );

    f.run().unwrap();
    let status = f.status();
    assert!(status.history_exists);
    assert_eq!(status.applied.len(), 2);
    assert!(status.pending.is_empty());
}

#[test]
fn goose_and_dbmate_down_sections_are_not_run() {
    let f = Fixture::new();
    f.write(
        "0001_goose.sql",
        "-- +goose Up\nCREATE TABLE g (id int);\n\n-- +goose Down\nDROP TABLE g;\n",
    );
    f.write(
        "0002_dbmate.sql",
        "-- migrate:up\nCREATE TABLE d (id int);\n\n-- migrate:down\nDROP TABLE d;\n",
    );
    f.write("0003_golang.up.sql", "CREATE TABLE m (id int);\n");
    f.write("0003_golang.down.sql", "DROP TABLE m;\n");
    f.write(
        "0004_goose_index.sql",
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY g_id ON g (id);\n\
         -- +goose Down\nDROP INDEX g_id;\n",
    );
    let report = f.run().unwrap();
    assert_eq!(report.applied.len(), 4);
    assert!(!report.applied[3].transactional);
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname IN ('g', 'd', 'm', 'g_id')"),
        4
    );
}

// ---------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------

#[test]
fn failing_migration_rolls_back_releases_the_lock_and_the_fix_proceeds() {
    let f = Fixture::new();
    f.write("0001_ok.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
    f.write(
        "0002_bad.sql",
        "CREATE TABLE b (id int);\nINSERT INTO a VALUES (1);\nSELECT *\n  FROM missing_table;\n",
    );
    let err = f.run().unwrap_err();
    let failure = err.failure().expect("a migration failure");
    assert_eq!(failure.file, "0002_bad.sql");
    assert_eq!(failure.code.as_deref(), Some("42P01"));
    let at = failure.location.as_ref().expect("a location");
    assert_eq!((at.line, at.column), (4, 8));
    assert_eq!(at.source_line, "  FROM missing_table;");
    assert_eq!(failure.applied_before, ["0001_ok.sql"]);
    let message = err.to_string();
    for needle in [
        "0002_bad.sql:4:8",
        "relation \"missing_table\" does not exist",
        "  FROM missing_table;",
        "       ^",
        "rolled back",
        "help:",
    ] {
        assert!(message.contains(needle), "{needle:?} in:\n{message}");
    }

    // Rolled back entirely; 0001 stays applied; the lock and the connection are gone.
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname = 'b'"),
        0
    );
    assert_eq!(f.count("SELECT count(*) FROM a"), 0);
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 1);
    assert_eq!(advisory_locks(&f), 0);
    wait_runner_disconnected(&f);

    // Once fixed, the next run proceeds with it.
    f.write(
        "0002_bad.sql",
        "CREATE TABLE b (id int);\nINSERT INTO a VALUES (1);\n",
    );
    let report = f.run().unwrap();
    assert_eq!(files(&report), ["0002_bad.sql"]);
    assert_eq!(f.count("SELECT count(*) FROM a"), 1);
}

#[test]
fn errors_without_a_position_point_at_their_statement() {
    let f = Fixture::new();
    // BOM + CRLF: lines are still counted as the editor shows them.
    f.write(
        "0001_dup.sql",
        "\u{feff}CREATE TABLE a (id int PRIMARY KEY);\r\nINSERT INTO a VALUES (1);\r\n\r\n\
         -- the duplicate; on purpose\r\n  INSERT INTO a VALUES (1);\r\n",
    );
    let err = f.run().unwrap_err();
    let failure = err.failure().unwrap();
    assert_eq!(failure.code.as_deref(), Some("23505"));
    let at = failure.location.as_ref().unwrap();
    assert_eq!((at.line, at.column), (5, 3), "{err}");
    assert!(err.to_string().contains("0001_dup.sql:5:3"), "{err}");
    assert!(
        failure
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("already exists")
    );

    // Inside a DO block, PL/pgSQL's "line N" is mapped back to the file.
    f.write(
        "0001_dup.sql",
        "CREATE TABLE p (id int);\n\nDO $$\nBEGIN\n  PERFORM * FROM nope;\nEND\n$$;\n",
    );
    let err = f.run().unwrap_err();
    let at = err.failure().unwrap().location.clone().unwrap();
    assert_eq!((at.line, at.column), (5, 3), "{err}");
    assert_eq!(at.source_line, "  PERFORM * FROM nope;");

    // A deferred constraint fails at COMMIT: still rolled back and reported.
    f.write(
        "0001_dup.sql",
        "CREATE TABLE p (id int PRIMARY KEY);\n\
         CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n\
         INSERT INTO c VALUES (42);\n",
    );
    let err = f.run().unwrap_err();
    let failure = err.failure().unwrap();
    assert!(failure.at_commit, "{err}");
    assert_eq!(failure.code.as_deref(), Some("23503"));
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname = 'p'"),
        0
    );
    assert_eq!(advisory_locks(&f), 0);
}

#[test]
fn statements_that_cannot_run_in_a_transaction_need_the_directive() {
    let f = Fixture::new();
    f.write("0001_a.sql", "CREATE TABLE a (id int);\n");
    f.write(
        "0002_index.sql",
        "CREATE INDEX CONCURRENTLY a_id ON a (id);\n",
    );
    let err = f.run().unwrap_err();
    let failure = err.failure().unwrap();
    assert_eq!(failure.code.as_deref(), Some("25001"));
    assert!(
        err.to_string().contains("-- squill:no-transaction"),
        "{err}"
    );

    f.write(
        "0002_index.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n",
    );
    assert_eq!(files(&f.run().unwrap()), ["0002_index.sql"]);
}

/// golang-migrate files often hold `BEGIN; ... COMMIT;`: they run as written.
#[test]
fn files_with_their_own_transactions_run_as_written() {
    let f = Fixture::new();
    // One transaction: squill's own, with the history row.
    f.write(
        "0001_a.sql",
        "BEGIN;\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nCOMMIT;\n",
    );
    // Two: statement by statement, as written.
    f.write(
        "0002_b.sql",
        "BEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\nBEGIN;\nINSERT INTO b VALUES (2);\nCOMMIT;\n",
    );
    assert_eq!(files(&f.run().unwrap()), ["0001_a.sql", "0002_b.sql"]);
    assert_eq!(
        f.count("SELECT count(*) FROM a") + f.count("SELECT count(*) FROM b"),
        2
    );
    let modes: Vec<bool> = f
        .sql()
        .query(
            "SELECT transactional FROM squill_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(modes, [true, false]);

    // A one-transaction file that fails leaves nothing behind, history row included.
    f.write(
        "0003_c.sql",
        "BEGIN;\nCREATE TABLE c (id int);\nINSERT INTO c VALUES ('x');\nCOMMIT;\n",
    );
    let err = f.run().unwrap_err();
    assert_eq!(
        err.failure().unwrap().location.as_ref().unwrap().line,
        3,
        "{err}"
    );
    assert_eq!(
        f.count("SELECT count(*) FROM pg_tables WHERE tablename = 'c'"),
        0
    );

    // In a file of several, the failing transaction is rolled back, the earlier one stays.
    f.write(
        "0003_c.sql",
        "BEGIN;\nCREATE TABLE c (id int);\nCOMMIT;\n\
         BEGIN;\nCREATE TABLE d (id int);\nINSERT INTO d VALUES ('x');\nCOMMIT;\n",
    );
    let err = f.run().unwrap_err();
    assert_eq!(
        err.failure().unwrap().location.as_ref().unwrap().line,
        6,
        "{err}"
    );
    assert_eq!(
        f.count("SELECT count(*) FROM pg_tables WHERE tablename IN ('c', 'd')"),
        1
    );
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 2);
    assert_eq!(advisory_locks(&f), 0);

    // A transaction left open is refused before anything runs.
    f.write(
        "0003_c.sql",
        "CREATE TABLE IF NOT EXISTS c (id int);\nBEGIN;\nCREATE TABLE d (id int);\n",
    );
    let err = f.run().unwrap_err();
    // The earlier run committed its first transaction (3 statements): that is reported too.
    assert!(
        matches!(err.problems(), [Problem::Invalid { file, .. }, Problem::PartlyApplied { committed: 3, .. }] if file == "0003_c.sql"),
        "{err}"
    );
    assert!(err.to_string().contains("0003_c.sql:2:1"), "{err}");
    assert!(err.to_string().contains("COMMIT"), "{err}");
}

#[test]
fn failing_statement_without_a_transaction_reports_what_was_committed() {
    let f = Fixture::new();
    f.write(
        "0001_nt.sql",
        "-- squill:no-transaction\nCREATE TABLE a (id int);\nCREATE TABLE a (id int);\n",
    );
    let err = f.run().unwrap_err();
    let failure = err.failure().unwrap();
    assert!(!failure.transactional);
    assert_eq!(failure.committed_statements, 1);
    let at = failure.location.as_ref().unwrap();
    assert_eq!(at.line, 3, "{err}");
    assert!(err.to_string().contains("were committed"), "{err}");
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 0);
    assert_eq!(advisory_locks(&f), 0);
}

// ---------------------------------------------------------------------------------------
// Strict history
// ---------------------------------------------------------------------------------------

#[test]
fn edited_applied_file_is_refused_until_repaired() {
    let f = Fixture::new();
    let before = "CREATE TABLE a (id int);\n";
    let after = "-- a table\nCREATE TABLE a (id int);\n";
    f.write("0001_init.sql", before);
    f.run().unwrap();
    f.write("0001_init.sql", after);
    f.write("0002_next.sql", "CREATE TABLE next (id int);\n");

    let err = f.run().unwrap_err();
    assert_eq!(
        err.problems(),
        [Problem::Changed {
            file: "0001_init.sql".into(),
            version: 1,
            recorded: checksum(before),
            current: checksum(after),
        }]
    );
    let message = err.to_string();
    for needle in [
        "0001_init.sql",
        &checksum(before),
        &checksum(after),
        "squill migrate repair",
    ] {
        assert!(message.contains(needle), "{needle} in:\n{message}");
    }
    // Nothing ran, not even the new file.
    assert_eq!(
        f.count("SELECT count(*) FROM pg_class WHERE relname = 'next'"),
        0
    );
    assert!(!f.status().is_ok());
    assert!(!is_success(f.cli(&["status"])));

    // The escape hatch: repair records the new checksum, with an audit row.
    let repair =
        f.rt.block_on(
            f.migrator()
                .repair(&f.config(), "0001_init.sql", Some("added a comment")),
        )
        .unwrap();
    assert_eq!(
        repair,
        Repair::Updated {
            version: 1,
            file: "0001_init.sql".into(),
            old_checksum: checksum(before),
            new_checksum: checksum(after),
        }
    );
    let row = f
        .sql()
        .query_one(
            "SELECT version, file, old_checksum, new_checksum, reason, repaired_by,
                    repaired_at IS NOT NULL
             FROM squill_migrations_repairs",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(row.get::<_, &str>(1), "0001_init.sql");
    assert_eq!(row.get::<_, String>(2), checksum(before));
    assert_eq!(row.get::<_, String>(3), checksum(after));
    assert_eq!(row.get::<_, &str>(4), "added a comment");
    assert_eq!(row.get::<_, &str>(5), "postgres");
    assert!(row.get::<_, bool>(6));
    assert_eq!(advisory_locks(&f), 0);

    assert_eq!(files(&f.run().unwrap()), ["0002_next.sql"]);
    assert!(f.status().is_ok());
}

#[test]
fn missing_applied_file_is_refused_until_forgotten() {
    let f = Fixture::new();
    f.write("0001_a.sql", "CREATE TABLE a (id int);\n");
    f.write("0002_b.sql", "CREATE TABLE b (id int);\n");
    f.run().unwrap();
    f.remove("0002_b.sql");

    let err = f.run().unwrap_err();
    assert_eq!(
        err.problems(),
        [Problem::Missing {
            file: "0002_b.sql".into(),
            version: 2,
            checksum: checksum("CREATE TABLE b (id int);\n"),
        }]
    );
    assert!(
        err.to_string()
            .contains("no longer in the migrations folder"),
        "{err}"
    );

    // Through the CLI this time.
    assert!(is_success(f.cli(&[
        "repair",
        "0002_b.sql",
        "--reason",
        "squashed into 0001"
    ])));
    assert_eq!(
        f.count("SELECT count(*) FROM squill_migrations_repairs WHERE new_checksum IS NULL"),
        1
    );
    assert!(f.run().unwrap().applied.is_empty());
    assert!(is_success(f.cli(&["status"])));
    // Repairing something that was never applied is an error, not a silent no-op.
    assert!(!is_success(f.cli(&["repair", "0009_never.sql"])));
}

#[test]
fn out_of_order_file_is_refused_unless_allowed() {
    let f = Fixture::new();
    f.write("0001_a.sql", "CREATE TABLE a (id int);\n");
    f.write("0003_c.sql", "CREATE TABLE c (id int);\n");
    f.run().unwrap();
    f.write("0002_b.sql", "CREATE TABLE b (id int);\n");

    let err = f.run().unwrap_err();
    assert_eq!(
        err.problems(),
        [Problem::OutOfOrder {
            file: "0002_b.sql".into(),
            version: 2,
            newest_applied: "0003_c.sql".into(),
        }]
    );
    assert!(err.to_string().contains("--allow-out-of-order"), "{err}");
    let status = f.status();
    assert!(status.pending[0].out_of_order);
    assert!(!status.is_ok());

    let report = f.run_with(f.migrator().allow_out_of_order(true)).unwrap();
    assert_eq!(files(&report), ["0002_b.sql"]);
}

#[test]
fn line_endings_and_bom_do_not_change_the_checksum() {
    let f = Fixture::new();
    let lf = "CREATE TABLE a (id int);\nCOMMENT ON TABLE a IS 'x';\n";
    let crlf_bom = "\u{feff}CREATE TABLE a (id int);\r\nCOMMENT ON TABLE a IS 'x';\r\n";
    assert_eq!(checksum(lf), checksum(crlf_bom));
    f.write("0001_a.sql", lf);
    f.run().unwrap();
    // The same file checked out on Windows.
    f.write("0001_a.sql", crlf_bom);
    let status = f.status();
    assert!(status.is_ok(), "{status}");
    assert!(f.run().unwrap().applied.is_empty());
}

// ---------------------------------------------------------------------------------------
// Concurrency and locks
// ---------------------------------------------------------------------------------------

/// Four migrations that each log a row: applying one twice would show as a duplicate.
fn write_logging_migrations(f: &Fixture) {
    f.write(
        "0001_log.sql",
        "CREATE TABLE log (version int NOT NULL, backend int DEFAULT pg_backend_pid());\n\
         INSERT INTO log (version) VALUES (1);\n",
    );
    f.write("0002_two.sql", "INSERT INTO log (version) VALUES (2);\n");
    f.write(
        "0003_index.sql",
        "-- squill:no-transaction\nINSERT INTO log (version) VALUES (3);\n\
         CREATE INDEX CONCURRENTLY log_version ON log (version);\n",
    );
    f.write("0004_four.sql", "INSERT INTO log (version) VALUES (4);\n");
}

fn assert_each_logged_once(f: &Fixture) {
    let per_version = f
        .sql()
        .query(
            "SELECT version, count(*) FROM log GROUP BY version ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, i32>(0), r.get::<_, i64>(1)))
        .collect::<Vec<_>>();
    assert_eq!(per_version, [(1, 1), (2, 1), (3, 1), (4, 1)]);
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 4);
    assert_eq!(advisory_locks(f), 0);
}

fn concurrent_runners_apply_each_migration_once(runners: usize) {
    let f = Fixture::new();
    write_logging_migrations(&f);
    // Each runner has its own Migrator and its own connection, like separate processes.
    let handles: Vec<_> = (0..runners).map(|_| f.spawn(f.migrator())).collect();
    let reports: Vec<Report> = handles
        .into_iter()
        .map(|h| f.join(h).expect("every runner succeeds"))
        .collect();
    let applied: usize = reports.iter().map(|r| r.applied.len()).sum();
    assert_eq!(applied, 4, "each migration applied by exactly one runner");
    assert_each_logged_once(&f);
}

#[test]
fn two_concurrent_runners() {
    concurrent_runners_apply_each_migration_once(2);
}

#[test]
fn eight_concurrent_runners() {
    concurrent_runners_apply_each_migration_once(8);
}

#[test]
fn twenty_concurrent_runners() {
    concurrent_runners_apply_each_migration_once(20);
}

/// Real processes of the `squill` binary, all started at once.
fn concurrent_processes_apply_each_migration_once(processes: usize) {
    let f = Fixture::new();
    write_logging_migrations(&f);
    let url = f.server.url("postgres");
    let squill = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_squill"));
        command.arg("migrate").arg("--dir").arg(f.dir());
        command.args(["--database-url", &url]);
        command
    };
    let mut children: Vec<std::process::Child> = (0..processes)
        .map(|_| {
            squill()
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("squill starts")
        })
        .collect();
    let started = Instant::now();
    while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
        if started.elapsed() > DEADLINE {
            for child in &mut children {
                let _ = child.kill();
            }
            panic!("squill migrate processes did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut applied = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        applied += stdout.lines().filter(|l| l.starts_with("applied ")).count();
    }
    assert_eq!(applied, 4, "each migration applied by exactly one process");
    assert_each_logged_once(&f);

    let status = squill().arg("status").output().unwrap();
    assert!(status.status.success());
    assert!(String::from_utf8_lossy(&status.stdout).contains("no pending migrations"));
}

#[test]
fn two_concurrent_processes() {
    concurrent_processes_apply_each_migration_once(2);
}

#[test]
fn eight_concurrent_processes() {
    concurrent_processes_apply_each_migration_once(8);
}

#[test]
fn twenty_concurrent_processes() {
    concurrent_processes_apply_each_migration_once(20);
}

/// The deadlock this guards against: a runner waiting for the migration lock while holding
/// a snapshot (blocked in `pg_advisory_lock`, in or out of a transaction) is one of the
/// transactions the holder's `CREATE INDEX CONCURRENTLY` waits for, and it waits for the
/// holder in turn. The waiter must already be waiting when the index build starts, so the
/// holder is first parked at a gate.
#[test]
fn waiting_runner_does_not_deadlock_with_create_index_concurrently() {
    let f = Fixture::new();
    f.write(
        "0001_items.sql",
        "CREATE TABLE items (id int);\nINSERT INTO items SELECT generate_series(1, 1000);\n\
         CREATE TABLE gate (id int);\n",
    );
    f.run().unwrap();
    f.write("0002_gate.sql", "LOCK TABLE gate IN SHARE MODE;\n");
    f.write(
        "0003_items_index.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n",
    );

    // An old snapshot keeps the index build waiting for as long as the test wants.
    let mut old_snapshot = f.sql();
    old_snapshot
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class;")
        .unwrap();
    let mut gate = f.sql();
    gate.batch_execute("BEGIN; LOCK TABLE gate IN ACCESS EXCLUSIVE MODE;")
        .unwrap();

    // A tiny lock_timeout, retried: the gate is retried until opened, and the index build
    // must be exempt from it (it waits for other transactions by design).
    let migrator = f
        .migrator()
        .lock_timeout(Duration::from_millis(50))
        .retries(u32::MAX);
    let mut first = f.spawn(migrator.clone());
    let mut observer = f.sql();
    let mut count = |query: &str| -> i64 {
        observer
            .query_one(query, &[&APPLICATION_NAME])
            .unwrap()
            .get(0)
    };
    wait_until("a runner holds the migration lock", || {
        assert_running(&f, &mut first, "the first runner");
        count(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
             WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1",
        ) == 1
    });
    let mut second = f.spawn(migrator);
    wait_until("the other runner is waiting for the migration lock", || {
        assert_running(&f, &mut second, "the second runner");
        count(
            "SELECT count(*) FROM pg_stat_activity a
             WHERE a.application_name = $1 AND a.query LIKE '%pg_try_advisory_lock%'
               AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid
                                 AND l.locktype = 'advisory' AND l.granted)",
        ) == 1
    });
    gate.batch_execute("COMMIT").unwrap();

    wait_until("the index build has waited 20x lock_timeout", || {
        assert_running(&f, &mut first, "the first runner");
        assert_running(&f, &mut second, "the second runner");
        count(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1
               AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'
               AND clock_timestamp() - query_start > interval '1 second'",
        ) == 1
    });
    old_snapshot.batch_execute("COMMIT").unwrap();

    let first = f.join(first).expect("the lock holder succeeds");
    let second = f.join(second).expect("the waiting runner succeeds");
    let mut applied: Vec<&str> = files(&first);
    applied.extend(files(&second));
    assert_eq!(applied, ["0002_gate.sql", "0003_items_index.sql"]);
    let valid: bool = f
        .sql()
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_id'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid);
    assert_eq!(advisory_locks(&f), 0);
}

#[test]
fn lock_wait_is_bounded_and_names_the_holder() {
    let f = Fixture::new();
    f.write("0001_t.sql", "CREATE TABLE t (id int);\n");
    f.run().unwrap();
    f.write("0002_alter.sql", "ALTER TABLE t ADD COLUMN x int;\n");

    // The first runner gets stuck behind a table lock (lock_timeout disabled).
    let mut blocker = f.sql();
    blocker
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let stuck = f.spawn(f.migrator().lock_timeout(Duration::ZERO));
    wait_until("the first runner waits for the table lock", || {
        f.count(
            "SELECT count(*) FROM pg_stat_activity
             WHERE query LIKE 'ALTER TABLE t%' AND wait_event_type = 'Lock'",
        ) == 1
    });

    let err = f
        .run_with(f.migrator().lock_wait(Duration::from_millis(200)))
        .unwrap_err();
    match &err {
        MigrateError::LockWait { holder, .. } => {
            let holder = holder.as_deref().expect("the holder is named");
            assert!(holder.contains(APPLICATION_NAME), "{holder}");
            assert!(holder.contains("ALTER TABLE t"), "{holder}");
        }
        other => panic!("expected a lock wait timeout, got {other}"),
    }
    assert!(err.to_string().contains("pg_terminate_backend"), "{err}");

    blocker.batch_execute("COMMIT").unwrap();
    assert_eq!(files(&f.join(stuck).unwrap()), ["0002_alter.sql"]);
}

#[test]
fn lock_timeout_is_retried_with_backoff() {
    let f = Fixture::new();
    f.write(
        "0001_t.sql",
        "CREATE TABLE t (id int);\nCREATE SEQUENCE attempts;\n",
    );
    f.run().unwrap();
    // nextval is not rolled back: the sequence counts attempts.
    f.write(
        "0002_alter.sql",
        "SELECT nextval('attempts');\nALTER TABLE t ADD COLUMN x int;\n",
    );

    let mut blocker = f.sql();
    blocker
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let runner = f.spawn(
        f.migrator()
            .lock_timeout(Duration::from_millis(50))
            .retries(1000),
    );
    wait_until("two attempts timed out on the lock", || {
        f.count("SELECT last_value FROM attempts") >= 3
    });
    blocker.batch_execute("COMMIT").unwrap();
    let report = f
        .join(runner)
        .expect("the retry succeeds once the lock is free");
    assert_eq!(files(&report), ["0002_alter.sql"]);
    assert!(report.applied[0].attempts >= 3);
    assert_eq!(
        f.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'x'"),
        1
    );

    // A lock held for good: the retries run out and the error says what happened.
    f.write("0003_alter.sql", "ALTER TABLE t ADD COLUMN y int;\n");
    blocker
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let err = f
        .run_with(
            f.migrator()
                .lock_timeout(Duration::from_millis(50))
                .retries(2),
        )
        .unwrap_err();
    let failure = err.failure().unwrap();
    assert_eq!(failure.code.as_deref(), Some("55P03"));
    assert_eq!(failure.attempts, 3);
    assert!(err.to_string().contains("lock_timeout (50ms)"), "{err}");
    assert_eq!(advisory_locks(&f), 0);
    blocker.batch_execute("COMMIT").unwrap();
}

#[test]
fn runner_uses_its_own_connection_not_the_apps() {
    let f = Fixture::new();
    f.write(
        "0001_a.sql",
        "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n",
    );
    f.run().unwrap();
    f.write("0002_b.sql", "CREATE TABLE b (id int);\n");

    // The app's pool has one connection, checked out and mid-transaction: a runner that
    // borrowed from the pool would wait forever. squill's opens its own.
    let pool = std::sync::Mutex::new(f.sql());
    let mut app = pool.lock().unwrap();
    app.batch_execute("BEGIN; SELECT * FROM a;").unwrap();
    let report = f
        .run()
        .expect("runs while the app's only connection is busy");
    assert_eq!(files(&report), ["0002_b.sql"]);
    app.batch_execute("COMMIT").unwrap();
    assert_eq!(
        app.query_one("SELECT count(*) FROM b", &[])
            .unwrap()
            .get::<_, i64>(0),
        0
    );
    drop(app);
    wait_runner_disconnected(&f);
}

#[test]
fn cli_applies_and_reports() {
    let f = Fixture::new();
    f.write("0001_a.sql", "CREATE TABLE a (id int);\n");
    assert!(is_success(f.cli(&["--lock-timeout", "2s"])));
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 1);
    f.write("0002_b.sql", "CREATE TABLE b (id int);\n");
    assert!(is_success(f.cli(&["--dry-run"])));
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 1);
    assert!(is_success(f.cli(&[
        "--schema",
        "public",
        "--table",
        "squill_migrations"
    ])));
    assert_eq!(f.count("SELECT count(*) FROM squill_migrations"), 2);
    // A failing migration is a non-zero exit.
    f.write("0003_bad.sql", "SELECT * FROM nope;\n");
    assert!(!is_success(f.cli(&[])));
    // Bad flags are refused by the parser, not guessed at.
    assert!(Cli::try_parse_from(["squill", "migrate", "--lock-timeout", "soon"]).is_err());
}

#[test]
fn embedded_migrations_work_like_files() {
    static MIGRATIONS: &[Migration] = &[
        Migration::embedded(2, "b", "0002_b.sql", "CREATE TABLE b (id int);"),
        Migration::embedded(1, "a", "0001_a.sql", "CREATE TABLE a (id int);"),
    ];
    let f = Fixture::new();
    let report = f.run_with(Migrator::new(MIGRATIONS)).unwrap();
    assert_eq!(files(&report), ["0001_a.sql", "0002_b.sql"]);

    static DUPLICATES: &[Migration] = &[
        Migration::embedded(1, "a", "0001_a.sql", "SELECT 1;"),
        Migration::embedded(1, "b", "0001_b.sql", "SELECT 2;"),
    ];
    let err = f.run_with(Migrator::new(DUPLICATES)).unwrap_err();
    assert!(matches!(
        err.problems(),
        [Problem::DuplicateVersion { version: 1, .. }]
    ));
}

#[test]
fn unreachable_database_is_a_clear_error() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config: Config = format!("host={} port=5432 user=x dbname=x", dir.path().display())
        .parse()
        .unwrap();
    let err = rt
        .block_on(Migrator::new(Vec::new()).run(&config))
        .unwrap_err();
    assert!(matches!(err, MigrateError::Connect(_)), "{err}");
    assert!(err.to_string().contains("cannot connect"), "{err}");
}

/// A connection lost mid-migration (here the session is terminated, as a server stop does) is
/// not the file's fault: the help says to check the server and rerun, not to fix the file.
#[test]
fn a_lost_connection_does_not_blame_the_file() {
    let f = Fixture::new();
    for (file, sql) in [
        (
            "0001_tx.sql",
            "CREATE TABLE t (id int);\nSELECT pg_terminate_backend(pg_backend_pid());\n",
        ),
        (
            "0001_notx.sql",
            "-- squill:no-transaction\nCREATE TABLE t (id int);\nSELECT pg_terminate_backend(pg_backend_pid());\n",
        ),
    ] {
        for existing in std::fs::read_dir(f.dir()).unwrap() {
            std::fs::remove_file(existing.unwrap().path()).unwrap();
        }
        f.sql().batch_execute("DROP TABLE IF EXISTS t").unwrap();
        f.write(file, sql);
        let err = f.run().unwrap_err().to_string();
        assert!(
            err.contains("connection to PostgreSQL was lost"),
            "{file}: {err}"
        );
        assert!(err.contains("check the server"), "{file}: {err}");
        assert!(!err.contains("fix the file"), "{file}: {err}");
    }
}

/// A no-transaction file that stopped after committing some statements is recorded as partly
/// applied, whether PostgreSQL rejected a statement or the connection was lost: `status` fails
/// naming it and what committed, `run` refuses, and `repair` clears the record once dealt with.
#[test]
fn a_partly_applied_no_transaction_file_is_reported() {
    for stop in [
        "SELECT 1/0;",
        "SELECT pg_terminate_backend(pg_backend_pid());",
    ] {
        let f = Fixture::new();
        f.write(
            "0001_notx.sql",
            &format!(
                "-- squill:no-transaction\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n{stop}\nCREATE TABLE c (id int);\n"
            ),
        );
        f.run().unwrap_err();
        let status = f.status();
        let partial: Vec<String> = status
            .problems
            .iter()
            .filter(|p| matches!(p, Problem::PartlyApplied { .. }))
            .map(ToString::to_string)
            .collect();
        assert_eq!(partial.len(), 1, "{stop}: {:?}", status.problems);
        assert!(
            partial[0].contains("0001_notx.sql")
                && partial[0].contains("2 of its 4 statements")
                && partial[0].contains("line 3: CREATE TABLE b"),
            "{}",
            partial[0]
        );
        assert_ne!(f.cli(&["status"]), ExitCode::SUCCESS);
        let refused = f.run().unwrap_err().to_string();
        assert!(refused.contains("partly applied"), "{refused}");

        // Made safe to rerun, the record cleared: the whole file runs.
        f.write(
            "0001_notx.sql",
            "-- squill:no-transaction\nCREATE TABLE IF NOT EXISTS a (id int);\nCREATE TABLE IF NOT EXISTS b (id int);\nCREATE TABLE c (id int);\n",
        );
        assert_eq!(
            f.cli(&["repair", "0001_notx.sql", "--reason", "made idempotent"]),
            ExitCode::SUCCESS
        );
        assert_eq!(files(&f.run().unwrap()), ["0001_notx.sql"]);
        assert!(f.status().is_ok());
        assert_eq!(
            f.count("SELECT count(*) FROM squill_migrations_repairs WHERE reason LIKE 'partly applied%made idempotent'"),
            1
        );
    }
}

/// A no-transaction file that fails on its first statement committed nothing: it is simply
/// pending, not partly applied.
#[test]
fn a_no_transaction_file_failing_first_is_just_pending() {
    let f = Fixture::new();
    f.write(
        "0001_notx.sql",
        "-- squill:no-transaction\nSELECT 1/0;\nCREATE TABLE a (id int);\n",
    );
    f.run().unwrap_err();
    let status = f.status();
    assert!(status.is_ok(), "{:?}", status.problems);
    assert_eq!(status.pending.len(), 1);
}

/// An interrupted `CREATE INDEX CONCURRENTLY` leaves an INVALID index: a rerun of an
/// `IF NOT EXISTS` statement rebuilds it instead of silently keeping it, and `status`/`run`
/// report one that an applied file created.
#[test]
fn invalid_indexes_are_rebuilt_or_reported() {
    let f = Fixture::new();
    let valid = |name: &str| -> Option<bool> {
        f.sql()
            .query_opt(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE c.relname = $1",
                &[&name],
            )
            .unwrap()
            .map(|r| r.get(0))
    };
    f.write(
        "0001_t.sql",
        "CREATE TABLE t (a int, b int);\nINSERT INTO t VALUES (1, 1), (1, 2);\n",
    );
    f.write(
        "0002_idx.sql",
        "-- squill:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\n",
    );
    // The duplicate makes the build fail half-way: the index stays, INVALID.
    f.run().unwrap_err();
    assert_eq!(valid("t_a"), Some(false));
    f.sql().batch_execute("DELETE FROM t WHERE b = 2").unwrap();
    assert_eq!(files(&f.run().unwrap()), ["0002_idx.sql"]);
    assert_eq!(valid("t_a"), Some(true), "rebuilt, not kept INVALID");
    assert!(f.status().is_ok());

    // An applied file's index found INVALID (built again by hand, interrupted).
    f.write(
        "0003_idx.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_b ON t (b);\n",
    );
    f.run().unwrap();
    let mut sql = f.sql();
    sql.batch_execute("DROP INDEX t_b; INSERT INTO t VALUES (2, 1);")
        .unwrap();
    sql.batch_execute("CREATE UNIQUE INDEX CONCURRENTLY t_b ON t (b)")
        .unwrap_err();
    assert_eq!(valid("t_b"), Some(false));
    let status = f.status();
    let reported: Vec<String> = status
        .problems
        .iter()
        .filter(|p| matches!(p, Problem::InvalidIndex { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(reported.len(), 1, "{:?}", status.problems);
    assert!(
        reported[0].contains("public.t_b") && reported[0].contains("0003_idx.sql:2"),
        "{}",
        reported[0]
    );
    assert_ne!(f.cli(&["status"]), ExitCode::SUCCESS);
}
