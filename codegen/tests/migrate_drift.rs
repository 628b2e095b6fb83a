//! The runner refuses a drifted database: the schema is compared with the snapshot it recorded
//! after its last change (a real PostgreSQL, a throwaway server per test).

use std::path::Path;

use squill::migrate::{Config, MigrateError, Migrator, load_dir};
use squill_codegen::live::TempServer;

struct Fixture {
    server: TempServer,
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            server: TempServer::start().expect("throwaway PostgreSQL starts"),
            dir: tempfile::tempdir().unwrap(),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
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

    fn migrator(&self) -> Migrator {
        Migrator::new(load_dir(self.dir()).expect("folder loads"))
    }

    fn run(&self, migrator: Migrator) -> Result<squill::migrate::Report, MigrateError> {
        self.rt.block_on(migrator.run(&self.config()))
    }

    fn by_hand(&self, sql: &str) {
        self.server
            .connect("postgres")
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

const INIT: &str = "CREATE TYPE mood AS ENUM ('ok');\n\
    CREATE TABLE t (id int PRIMARY KEY, v text DEFAULT 'a', m mood);\n\
    CREATE INDEX t_v ON t (v);\n\
    CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
    CREATE VIEW w AS SELECT id FROM t;\n\
    -- squill:down\n\
    DROP VIEW w; DROP FUNCTION f(); DROP TABLE t; DROP TYPE mood;\n";

#[test]
fn each_kind_of_hand_made_change_is_refused_until_allowed() {
    let f = Fixture::new();
    f.write("0001_init.sql", INIT);
    f.run(f.migrator()).unwrap();
    // Data is not schema; a run with nothing to do is clean.
    f.by_hand("INSERT INTO t VALUES (1, 'x', 'ok'); ANALYZE t;");
    f.run(f.migrator()).unwrap();

    let changes = [
        ("ALTER TABLE t ADD COLUMN x int", "column public.t.x"),
        (
            "ALTER TABLE t ALTER COLUMN v SET DEFAULT 'b'",
            "column public.t.v",
        ),
        (
            "ALTER TABLE t ALTER COLUMN v SET NOT NULL",
            "column public.t.v",
        ),
        ("DROP INDEX t_v", "index public.t_v"),
        (
            "ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0)",
            "constraint c on public.t",
        ),
        ("ALTER TYPE mood ADD VALUE 'sad'", "type public.mood"),
        (
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'",
            "function public.f()",
        ),
        (
            "CREATE OR REPLACE VIEW w AS SELECT id, v FROM t",
            "view public.w",
        ),
        ("CREATE TABLE extra (a int)", "table public.extra"),
        ("COMMENT ON TABLE t IS 'hi'", "comment on public.t"),
    ];
    for (n, (sql, object)) in changes.iter().enumerate() {
        f.by_hand(sql);
        let file = format!("{:04}_next.sql", n + 2);
        f.write(
            &file,
            "CREATE TABLE IF NOT EXISTS later (a int);\n-- squill:down\nSELECT 1;\n",
        );
        let err = f.run(f.migrator()).unwrap_err();
        let MigrateError::Drift(found) = &err else {
            panic!("{sql}: expected drift, got {err}");
        };
        assert!(
            found.iter().any(|c| c.object == *object),
            "{sql}: {object} not in {found:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("--allow-drift") && text.contains(object),
            "{text}"
        );
        // Nothing ran.
        let pending =
            f.rt.block_on(f.migrator().status(&f.config()))
                .unwrap()
                .pending;
        assert_eq!(pending.len(), 1, "{sql}");
        // Down is refused too.
        let down =
            f.rt.block_on(f.migrator().down_to(&f.config(), 0))
                .unwrap_err();
        assert!(matches!(down, MigrateError::Drift(_)), "{down}");
        // Allowed: runs, and the schema as it is becomes the snapshot.
        let report = f.run(f.migrator().allow_drift(true)).unwrap();
        assert_eq!(report.applied.len(), 1);
        f.run(f.migrator()).unwrap();
    }
}

#[test]
fn what_the_runner_does_is_never_drift() {
    let f = Fixture::new();
    f.write("0001_init.sql", INIT);
    f.write(
        "0002_index.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n\
         -- squill:down\n-- squill:no-transaction\nDROP INDEX CONCURRENTLY t_id;\n",
    );
    f.write(
        "0003_fail.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY t_m ON t (m);\nSELECT 1/0;\n",
    );
    let err = f.run(f.migrator()).unwrap_err();
    assert!(err.failure().is_some(), "{err}");
    // 0003's first statement committed: recorded as the runner's, not drift; the partly
    // applied file is the problem reported.
    std::fs::write(
        f.dir().join("0003_fail.sql"),
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_m ON t (m);\nSELECT 1;\n",
    )
    .unwrap();
    let err = f.run(f.migrator()).unwrap_err();
    assert!(!matches!(err, MigrateError::Drift(_)), "{err}");
    f.rt.block_on(
        f.migrator()
            .repair(&f.config(), "0003_fail.sql", Some("fixed")),
    )
    .unwrap();
    f.run(f.migrator()).unwrap();
    std::fs::remove_file(f.dir().join("0003_fail.sql")).unwrap();
    f.by_hand("DROP INDEX t_m; DELETE FROM squill_migrations WHERE version = 3");
    // The history changed by hand too: the snapshot is for another history, so nothing is
    // compared (and a new one is recorded).
    f.run(f.migrator()).unwrap();
    let down = f.rt.block_on(f.migrator().down_to(&f.config(), 0)).unwrap();
    assert_eq!(down.reverted.len(), 2);
    f.run(f.migrator()).unwrap();
    f.run(f.migrator()).unwrap();
}
