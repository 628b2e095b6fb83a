//! The throwaway server starts, answers, and leaves nothing behind.

use squill_codegen::live::{ScratchDatabase, TempServer};

#[test]
fn throwaway_server_starts_answers_and_cleans_up() {
    let started = std::time::Instant::now();
    let server = TempServer::start().expect("server starts");
    let up = started.elapsed();
    let dir = server.socket_dir().to_path_buf();
    let mut client = server.connect("postgres").unwrap();
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .unwrap();
    let version: i32 = row.get(0);
    assert!(version >= 150000, "server version {version}");
    drop(client);
    let stopping = std::time::Instant::now();
    drop(server);
    // Reported, not asserted: timings depend on the machine.
    println!(
        "throwaway server: start {up:?}, stop {:?}",
        stopping.elapsed()
    );
    assert!(!dir.exists(), "temp dir {} removed", dir.display());
}

#[test]
fn scratch_database_on_a_url_is_dropped_afterwards() {
    let server = TempServer::start().unwrap();
    let url = server.url("postgres");
    {
        let mut scratch = ScratchDatabase::on_server(&url).unwrap();
        scratch
            .client()
            .batch_execute("CREATE TABLE t (id int)")
            .unwrap();
    }
    let mut admin = server.connect("postgres").unwrap();
    let left: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'squill_scratch_%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[test]
fn unreachable_database_url_fails_fast_with_a_clear_message() {
    let started = std::time::Instant::now();
    // 10.255.255.1 is unroutable here: the connect must give up on its own timeout.
    let err = ScratchDatabase::on_server("host=10.255.255.1 port=5432 user=x dbname=x")
        .err()
        .expect("connect fails");
    assert!(started.elapsed() < std::time::Duration::from_secs(12));
    let message = err.to_string();
    assert!(
        message.contains("cannot connect to PostgreSQL"),
        "{message}"
    );
}

/// Other local users must not reach the throwaway server (its superuser can run programs as
/// the server's account): the socket directory and the socket are the owner's alone, and the
/// `postgres` role needs the random password only this process knows.
#[test]
fn throwaway_server_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let server = TempServer::start().expect("server starts");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(server.socket_dir()), 0o700);
    assert_eq!(mode(&server.socket_dir().join(".s.PGSQL.5432")), 0o700);
    assert_eq!(server.password().len(), 32);
    // Without the password (as `psql -h <dir> -U postgres` from another account would try,
    // had it reached the socket): refused.
    let mut config = server.config("postgres");
    config.password("");
    let Err(refused) = config.connect(postgres::NoTls) else {
        panic!("connected without the password");
    };
    assert!(
        refused.to_string().contains("password") || refused.as_db_error().is_some(),
        "{refused}"
    );
    let mut wrong = server.config("postgres");
    wrong.password("not-the-secret");
    let Err(refused) = wrong.connect(postgres::NoTls) else {
        panic!("connected with a wrong password");
    };
    let db = refused.as_db_error().expect("the server refuses");
    assert_eq!(db.code(), &postgres::error::SqlState::INVALID_PASSWORD);
    // Two servers get two secrets.
    let other = TempServer::start().expect("second server starts");
    assert_ne!(other.password(), server.password());
    server.connect("postgres").expect("the owner connects");
}
