//! `squill seed` against a real PostgreSQL (a throwaway server per test): migrate, then each
//! seed once, in name order; changed seeds; the production guard.

use std::process::ExitCode;

use clap::Parser;
use squill::migrate::{MigrateError, Seeder, load_seeds};
use squill_codegen::live::TempServer;
use squill_codegen::migrate_cli::{self, SeedArgs};

struct Project {
    server: TempServer,
    root: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("schema")).unwrap();
        std::fs::create_dir(root.path().join("seeds")).unwrap();
        std::fs::write(
            root.path().join("schema/0001_init.sql"),
            "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n",
        )
        .unwrap();
        Project {
            server: TempServer::start().expect("throwaway PostgreSQL starts"),
            root,
        }
    }

    fn write(&self, file: &str, sql: &str) {
        std::fs::write(self.root.path().join(file), sql).unwrap();
    }

    fn args(&self, url: &str) -> Vec<String> {
        let root = self.root.path().to_str().unwrap();
        let dir = self.root.path().join("schema");
        vec![
            "squill".into(),
            "seed".into(),
            "--root".into(),
            root.into(),
            "--dir".into(),
            dir.to_str().unwrap().into(),
            "--database-url".into(),
            url.into(),
        ]
    }

    fn seed(&self) -> ExitCode {
        let Cli {
            command: Command::Seed(args),
        } = Cli::try_parse_from(self.args(&self.server.url("postgres"))).expect("arguments parse");
        migrate_cli::run_seed(args)
    }

    fn names(&self) -> Vec<String> {
        self.server
            .connect("postgres")
            .unwrap()
            .query("SELECT name FROM users ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Seed(SeedArgs),
}

#[test]
fn seeds_run_once_each_in_name_order_after_migrating() {
    let p = Project::new();
    p.write("seeds/02_bob.sql", "INSERT INTO users VALUES (2, 'bob');\n");
    p.write("seeds/01_ann.sql", "INSERT INTO users VALUES (1, 'ann');\n");
    p.write(
        "seeds/03_cy.sql",
        "-- squill:idempotent\nINSERT INTO users VALUES (3, 'cy') ON CONFLICT DO NOTHING;\n",
    );
    assert_eq!(p.seed(), ExitCode::SUCCESS);
    assert_eq!(p.names(), ["ann", "bob", "cy"]);
    // Again: nothing runs (the plain INSERTs would fail on their primary keys).
    assert_eq!(p.seed(), ExitCode::SUCCESS);
    assert_eq!(p.names(), ["ann", "bob", "cy"]);

    // A changed idempotent seed runs again.
    p.write(
        "seeds/03_cy.sql",
        "-- squill:idempotent\nINSERT INTO users VALUES (3, 'cy') ON CONFLICT DO NOTHING;\n\
         INSERT INTO users VALUES (4, 'dee') ON CONFLICT DO NOTHING;\n",
    );
    assert_eq!(p.seed(), ExitCode::SUCCESS);
    assert_eq!(p.names(), ["ann", "bob", "cy", "dee"]);

    // A changed plain seed is reported, and nothing runs, not even a new seed.
    p.write(
        "seeds/02_bob.sql",
        "INSERT INTO users VALUES (2, 'bobby');\n",
    );
    p.write("seeds/04_eve.sql", "INSERT INTO users VALUES (5, 'eve');\n");
    let config = p.server.url("postgres").parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let seeds = load_seeds(&p.root.path().join("seeds")).unwrap();
    let err = rt.block_on(Seeder::new(seeds).run(&config)).unwrap_err();
    assert!(matches!(&err, MigrateError::SeedsChanged(files) if files == &["02_bob.sql"]));
    assert!(err.to_string().contains("squill:idempotent"), "{err}");
    assert_eq!(p.seed(), ExitCode::FAILURE);
    assert_eq!(p.names(), ["ann", "bob", "cy", "dee"]);
}

#[test]
fn a_failing_seed_is_rolled_back_and_points_at_its_line() {
    let p = Project::new();
    p.write(
        "seeds/01_bad.sql",
        "INSERT INTO users VALUES (1, 'ann');\nINSERT INTO userz VALUES (2, 'bob');\n",
    );
    let config = p.server.url("postgres").parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(
        squill::migrate::Migrator::new(
            squill::migrate::load_dir(&p.root.path().join("schema")).unwrap(),
        )
        .run(&config),
    )
    .unwrap();
    let seeds = load_seeds(&p.root.path().join("seeds")).unwrap();
    let err = rt.block_on(Seeder::new(seeds).run(&config)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("seed 01_bad.sql failed") && text.contains("01_bad.sql:2:13"),
        "{text}"
    );
    assert!(p.names().is_empty());
}

#[test]
fn seeding_is_refused_on_what_looks_like_production() {
    let p = Project::new();
    p.write("seeds/01_ann.sql", "INSERT INTO users VALUES (1, 'ann');\n");

    // A remote host: refused before connecting (the host does not even resolve).
    let remote = "postgres://app@db.prod.invalid/app";
    let Cli {
        command: Command::Seed(args),
    } = Cli::try_parse_from(p.args(remote)).unwrap();
    assert_eq!(migrate_cli::run_seed(args), ExitCode::FAILURE);

    // SQUILL_ENV=production, through the real binary: nothing runs, migrations included.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(&p.args(&p.server.url("postgres"))[1..])
        .env("SQUILL_ENV", "production")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("refusing to seed: SQUILL_ENV is `production`"),
        "{stderr}"
    );
    let exists: bool = p
        .server
        .connect("postgres")
        .unwrap()
        .query_one("SELECT to_regclass('squill_migrations') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!exists, "nothing ran, not even the migrations");

    // The database says it is production.
    p.server
        .connect("postgres")
        .unwrap()
        .batch_execute("ALTER DATABASE postgres SET squill.environment = 'production'")
        .unwrap();
    let seeds = load_seeds(&p.root.path().join("seeds")).unwrap();
    let config = p.server.url("postgres").parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(Seeder::new(seeds).run(&config)).unwrap_err();
    assert!(
        err.to_string()
            .contains("has squill.environment = 'production'"),
        "{err}"
    );
    // squill.toml can allow another development host.
    p.write(
        "squill.toml",
        "[seed]\nallow_hosts = [\"db.dev.invalid\"]\n",
    );
    let config: squill::migrate::Config = "postgres://app@db.dev.invalid/app".parse().unwrap();
    let project = squill_codegen::config::Config::load(p.root.path()).unwrap();
    assert!(
        Seeder::new(Vec::new())
            .allow_hosts(project.seed.allow_hosts)
            .check_target(&config)
            .is_ok()
    );
}
