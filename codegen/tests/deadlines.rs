//! A server that accepts the TCP connection and never answers (a wrong port, a stuck proxy)
//! fails every entry point after its connect deadline instead of hanging.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use squill::migrate::{Config, MigrateError, Migrator};
use squill_codegen::migrate_cli::{self, MigrateArgs};

/// Listens on 127.0.0.1, accepts, and keeps each connection open without a byte. The thread
/// ends with the test process.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

fn url(port: u16) -> String {
    format!("postgres://nobody@127.0.0.1:{port}/postgres")
}

#[test]
fn migrator_run_gives_up_at_its_connect_deadline() {
    let port = silent_server();
    let config: Config = url(port).parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let result = rt.block_on(
        Migrator::new(Vec::new())
            .connect_timeout(Duration::from_millis(500))
            .run(&config),
    );
    let waited = started.elapsed();
    match result {
        Err(e @ MigrateError::ConnectTimeout(_)) => {
            assert!(e.to_string().contains("no answer within"), "{e}")
        }
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
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

#[test]
fn squill_migrate_gives_up_at_its_connect_deadline() {
    let port = silent_server();
    let dir = tempfile::tempdir().unwrap();
    let url = url(port);
    let argv = [
        "squill",
        "migrate",
        "--dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &url,
        "--connect-timeout",
        "500ms",
    ];
    let Cli {
        command: Command::Migrate(args),
    } = Cli::try_parse_from(argv).expect("arguments parse");
    let started = Instant::now();
    let code = migrate_cli::run(args);
    assert_ne!(code, ExitCode::SUCCESS);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn runtime_connect_gives_up_at_its_deadline() {
    let port = silent_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    // The URL's connect_timeout bounds the whole startup, as libpq's does.
    let bounded = format!("{}?connect_timeout=1", url(port));
    let result = rt.block_on(squill::connect(&bounded, tokio_postgres::NoTls));
    match result {
        Err(squill::ConnectError::Timeout(d)) => assert_eq!(d, Duration::from_secs(1)),
        Err(other) => panic!("expected a timeout, got {other}"),
        Ok(_) => panic!("a silent server cannot connect"),
    }
    let result = rt.block_on(squill::connect_within(
        url(port).as_str(),
        tokio_postgres::NoTls,
        Duration::from_millis(300),
    ));
    assert!(matches!(result, Err(squill::ConnectError::Timeout(_))));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn runtime_blocking_connect_gives_up_at_its_deadline() {
    let port = silent_server();
    let started = Instant::now();
    let url = format!("{}?connect_timeout=1", url(port));
    match squill::blocking::connect(&url, postgres::NoTls) {
        Err(squill::ConnectError::Timeout(d)) => assert_eq!(d, Duration::from_secs(1)),
        Err(other) => panic!("expected a timeout, got {other}"),
        Ok(_) => panic!("a silent server cannot connect"),
    }
    let result =
        squill::blocking::connect_within(url.as_str(), postgres::NoTls, Duration::from_millis(300));
    assert!(matches!(result, Err(squill::ConnectError::Timeout(_))));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn squill_check_live_gives_up_at_its_connect_deadline() {
    let port = silent_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("schema")).unwrap();
    std::fs::create_dir_all(dir.path().join("queries")).unwrap();
    std::fs::write(
        dir.path().join("schema/0001_init.sql"),
        "CREATE TABLE t (id int);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("queries/q.sql"),
        "-- name: Ids :many\nSELECT id FROM t;\n",
    )
    .unwrap();
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["check", "--live", "--root"])
        .arg(dir.path())
        .env("DATABASE_URL", format!("{}?connect_timeout=1", url(port)))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("did not answer within 1s"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
}
