//! Down migrations against a real PostgreSQL (a throwaway server per test): `-- squill:down`
//! sections and `.down.sql` files, `Migrator::down_to` and `squill migrate down --to`.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use squill::migrate::{
    Config, MigrateError, Migration, Migrator, Problem, Report, checksum, load_dir,
};
use squill_codegen::live::TempServer;
use squill_codegen::migrate_cli::{self, MigrateArgs};
use tokio::runtime::Runtime;

struct Fixture {
    server: TempServer,
    dir: tempfile::TempDir,
    rt: Runtime,
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

    fn run(&self) -> Result<Report, MigrateError> {
        self.rt.block_on(self.migrator().run(&self.config()))
    }

    fn down(&self, to: u64) -> Result<squill::migrate::DownReport, MigrateError> {
        self.rt
            .block_on(self.migrator().down_to(&self.config(), to))
    }

    fn sql(&self) -> postgres::Client {
        self.server.connect("postgres").unwrap()
    }

    fn count(&self, query: &str) -> i64 {
        self.sql().query_one(query, &[]).unwrap().get(0)
    }

    fn exists(&self, relation: &str) -> bool {
        self.sql()
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&relation])
            .unwrap()
            .get(0)
    }

    fn versions(&self) -> Vec<i64> {
        self.sql()
            .query(
                "SELECT version FROM squill_migrations ORDER BY version",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

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

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Migrate(MigrateArgs),
}

fn write_three(f: &Fixture) {
    f.write(
        "0001_users.sql",
        "CREATE TABLE users (id int PRIMARY KEY);\n-- squill:down\nDROP TABLE users;\n",
    );
    f.write(
        "0002_orders.sql",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n",
    );
    f.write("0002_orders.down.sql", "DROP TABLE orders;\n");
    f.write(
        "0003_orders_index.sql",
        "-- squill:no-transaction\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n\
         -- squill:down\n-- squill:no-transaction\nDROP INDEX CONCURRENTLY orders_user_idx;\n",
    );
}

#[test]
fn down_reverts_newest_first_and_up_applies_again() {
    let f = Fixture::new();
    write_three(&f);
    let report = f.run().expect("up runs");
    assert_eq!(report.applied.len(), 3);
    // The down parts never ran forward.
    assert!(f.exists("orders_user_idx") && f.exists("orders") && f.exists("users"));

    let down = f.down(1).expect("down runs");
    let reverted: Vec<&str> = down.reverted.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(reverted, ["0003_orders_index.sql", "0002_orders.down.sql"]);
    assert!(!down.reverted[0].transactional && down.reverted[1].transactional);
    assert_eq!(down.still_applied, 1);
    assert!(!f.exists("orders_user_idx") && !f.exists("orders") && f.exists("users"));
    assert_eq!(f.versions(), [1]);
    // Each revert is logged with the checksum the file was applied with.
    assert_eq!(
        f.count(
            "SELECT count(*) FROM squill_migrations_repairs \
             WHERE new_checksum IS NULL AND reason LIKE 'reverted by its down part%'"
        ),
        2
    );
    // Nothing above the target: nothing to do.
    assert!(f.down(1).unwrap().reverted.is_empty());

    // The files are unchanged: up applies them again.
    let again = f.run().expect("up runs again");
    assert_eq!(again.applied.len(), 2);
    assert!(f.exists("orders_user_idx"));
    assert_eq!(f.versions(), [1, 2, 3]);

    // Everything.
    assert_eq!(f.down(0).unwrap().reverted.len(), 3);
    assert!(!f.exists("users"));
    assert!(f.versions().is_empty());
}

#[test]
fn down_is_refused_before_anything_runs_when_a_file_has_no_down_part() {
    let f = Fixture::new();
    f.write(
        "0001_a.sql",
        "CREATE TABLE a ();\n-- squill:down\nDROP TABLE a;\n",
    );
    f.write("0002_b.sql", "CREATE TABLE b ();\n");
    f.write("0003_c.sql", "CREATE TABLE c ();\n");
    f.write(
        "0004_d.sql",
        "CREATE TABLE d ();\n-- squill:down\nDROP TABLE d;\n",
    );
    f.run().unwrap();
    let err = f.down(0).unwrap_err();
    let problems = err.problems();
    assert_eq!(
        problems,
        [Problem::NoDownPart {
            to: 0,
            files: vec!["0003_c.sql".into(), "0002_b.sql".into()],
        }]
    );
    let text = err.to_string();
    assert!(
        text.contains("0003_c.sql, 0002_b.sql") && text.contains("nothing was reverted"),
        "{text}"
    );
    // Nothing ran, not even 0004's down part.
    assert!(f.exists("d"));
    assert_eq!(f.versions(), [1, 2, 3, 4]);
    // Above the files without one, it works.
    assert_eq!(f.down(3).unwrap().reverted.len(), 1);
    assert!(!f.exists("d"));
}

#[test]
fn a_down_part_added_after_apply_keeps_the_checksum() {
    let f = Fixture::new();
    let up = "CREATE TABLE a (id int);\n";
    f.write("0001_a.sql", up);
    f.run().unwrap();
    f.write(
        "0001_a.sql",
        &format!("{up}\n-- squill:down\nDROP TABLE a;\n"),
    );
    assert_eq!(checksum(up), checksum(&format!("{up}-- squill:down\n")));
    let status = f.rt.block_on(f.migrator().status(&f.config())).unwrap();
    // The blank line before the marker is part of the up part: only the line itself and
    // what follows are left out. Without it the checksum is the same as before.
    assert!(!status.is_ok());
    f.write(
        "0001_a.sql",
        &format!("{up}-- squill:down\nDROP TABLE a;\n"),
    );
    let status = f.rt.block_on(f.migrator().status(&f.config())).unwrap();
    assert!(status.is_ok(), "{status}");
    // Editing the down part changes nothing either.
    f.write(
        "0001_a.sql",
        &format!("{up}-- squill:down\nDROP TABLE IF EXISTS a;\n"),
    );
    assert!(f.run().unwrap().applied.is_empty());
    f.down(0).unwrap();
    assert!(!f.exists("a"));
}

#[test]
fn a_failing_down_part_is_rolled_back_and_the_file_stays_applied() {
    let f = Fixture::new();
    f.write(
        "0001_a.sql",
        "CREATE TABLE a ();\n-- squill:down\nDROP TABLE a;\n",
    );
    f.write(
        "0002_b.sql",
        "CREATE TABLE b ();\n-- squill:down\nDROP TABLE b;\nDROP TABLE nope;\n",
    );
    f.run().unwrap();
    let err = f.down(0).unwrap_err();
    let failure = err.failure().expect("a migration failure");
    assert!(failure.reverting && failure.transactional);
    assert_eq!(failure.position(), "0002_b.sql:4:1");
    let text = err.to_string();
    assert!(
        text.contains("error: reverting 0002_b.sql failed")
            && text.contains("nothing was reverted")
            && text.contains("squill migrate down"),
        "{text}"
    );
    assert!(f.exists("b"));
    assert_eq!(f.versions(), [1, 2]);
}

#[test]
fn both_down_forms_and_orphan_down_files_are_errors() {
    let f = Fixture::new();
    f.write(
        "0001_a.sql",
        "CREATE TABLE a ();\n-- squill:down\nDROP TABLE a;\n",
    );
    f.write("0001_a.down.sql", "DROP TABLE a;\n");
    f.write("0002_b.down.sql", "DROP TABLE b;\n");
    let err = load_dir(f.dir()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("0001_a.sql:2:1") && text.contains("down section and a down file"),
        "{text}"
    );
    assert!(
        err.problems().contains(&Problem::OrphanDown {
            file: "0002_b.down.sql".into(),
            version: 2,
        }),
        "{text}"
    );
    // Embedded migrations are checked before connecting.
    let both = Migration::new(
        1,
        "a",
        "0001_a.sql",
        "SELECT 1;\n-- squill:down\nSELECT 2;\n",
    )
    .with_down("0001_a.down.sql", "SELECT 3;");
    let err =
        f.rt.block_on(Migrator::new(vec![both]).run(&f.config()))
            .unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    // golang-migrate pairs by version, whatever the names say.
    std::fs::remove_file(f.dir().join("0001_a.down.sql")).unwrap();
    std::fs::remove_file(f.dir().join("0002_b.down.sql")).unwrap();
    f.write("0003_c.up.sql", "CREATE TABLE c ();\n");
    f.write("0003_c_typo.down.sql", "DROP TABLE c;\n");
    let loaded = load_dir(f.dir()).unwrap();
    let c = loaded.iter().find(|m| m.version == 3).unwrap();
    assert_eq!(c.down.as_ref().unwrap().file, "0003_c_typo.down.sql");
}

#[test]
fn embedded_migrations_carry_their_down_parts() {
    static MIGRATIONS: &[Migration] = &[
        Migration::embedded(
            1,
            "a",
            "schema/0001_a.sql",
            "CREATE TABLE a ();\n-- squill:down\nDROP TABLE a;\n",
        ),
        Migration::embedded_with_down(
            2,
            "b",
            "schema/0002_b.sql",
            "CREATE TABLE b ();\n",
            "schema/0002_b.down.sql",
            "DROP TABLE b;\n",
        ),
    ];
    let f = Fixture::new();
    let migrator = Migrator::new(MIGRATIONS);
    f.rt.block_on(migrator.run(&f.config())).unwrap();
    assert!(f.exists("a") && f.exists("b"));
    let down = f.rt.block_on(migrator.down_to(&f.config(), 0)).unwrap();
    assert_eq!(down.reverted.len(), 2);
    assert!(!f.exists("a") && !f.exists("b"));
}

#[test]
fn cli_migrates_down() {
    let f = Fixture::new();
    write_three(&f);
    assert_eq!(f.cli(&[]), ExitCode::SUCCESS);
    assert_eq!(f.cli(&["down", "--to", "2"]), ExitCode::SUCCESS);
    assert_eq!(f.versions(), [1, 2]);
    f.write("0004_d.sql", "CREATE TABLE d ();\n");
    assert_eq!(f.cli(&[]), ExitCode::SUCCESS);
    // 0004 has no down part: refused, nothing reverted.
    assert_eq!(f.cli(&["down", "--to", "0"]), ExitCode::FAILURE);
    assert_eq!(f.versions(), [1, 2, 3, 4]);
}
