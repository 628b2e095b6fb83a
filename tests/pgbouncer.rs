//! Behind PgBouncer in transaction pooling mode (where a named prepared statement made on one
//! server connection is missing on the next): the pooler-safe client works from many
//! concurrent tasks, and the default caching client either works or fails with an error that
//! says what to do. Needs the `pgbouncer` binary (Debian package `pgbouncer`); CI installs it
//! and sets SQUILL_REQUIRE_PGBOUNCER=1 so that it cannot be skipped there.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Db;
use squill_codegen::live::{is_root, postgres_account};
use squill_demo::{ShopPlan, db};

const PORT: u16 = 6432;

struct PgBouncer {
    child: Child,
    dir: tempfile::TempDir,
}

impl PgBouncer {
    /// Starts PgBouncer in transaction mode with 2 server connections in front of `server_socket`.
    fn start(server_socket: &Path, server_password: &str) -> Option<Self> {
        let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())?;
        let dir = tempfile::Builder::new()
            .prefix("squill-pgb-")
            .tempdir()
            .unwrap();
        let ini = format!(
            "[databases]\npostgres = host={server} port=5432 dbname=postgres user=postgres password={server_password}\n\n\
             [pgbouncer]\nlisten_addr =\nlisten_port = {PORT}\nunix_socket_dir = {dir}\n\
             auth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n\
             default_pool_size = 2\nmax_client_conn = 200\nlogfile = {dir}/pgbouncer.log\n\
             pidfile = {dir}/pgbouncer.pid\n",
            server = server_socket.display(),
            dir = dir.path().display(),
        );
        std::fs::write(dir.path().join("pgbouncer.ini"), ini).unwrap();
        std::fs::write(dir.path().join("users.txt"), "\"postgres\" \"\"\n").unwrap();
        let mut command = Command::new(binary);
        command
            .arg(dir.path().join("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // PgBouncer refuses to run as root; run it as the postgres user like the server.
        if let Some((uid, gid)) = postgres_account().filter(|_| is_root()) {
            for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
                std::os::unix::fs::chown(entry.path(), Some(uid), Some(gid)).unwrap();
            }
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
            command.uid(uid).gid(gid);
        }
        let child = command.spawn().unwrap();
        let bouncer = PgBouncer { child, dir };
        let socket = bouncer.dir.path().join(format!(".s.PGSQL.{PORT}"));
        let started = Instant::now();
        while !socket.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "pgbouncer did not start: {}",
                bouncer.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(bouncer)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pgbouncer.log")).unwrap_or_default()
    }

    fn config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(self.dir.path())
            .port(PORT)
            .user("postgres")
            .dbname("postgres");
        config
    }

    async fn connect(&self) -> tokio_postgres::Client {
        let (client, connection) = self.config().connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_or_skip(db: &Db) -> Option<PgBouncer> {
    let bouncer = PgBouncer::start(db.server.socket_dir(), db.server.password());
    if bouncer.is_none() {
        assert!(
            std::env::var_os("SQUILL_REQUIRE_PGBOUNCER").is_none(),
            "pgbouncer is not installed (apt-get install pgbouncer)"
        );
        eprintln!("SKIPPED: pgbouncer is not installed (apt-get install pgbouncer)");
    }
    bouncer
}

/// One task's work: a user, a shop and reads of both, many times over.
async fn workload(client: &squill::Client, task: usize) -> Result<(), squill::Error> {
    for round in 0..20 {
        let email = format!("t{task}-r{round}@example.com");
        let user = db::users::create_user(client, &email, None).await?;
        let shop = db::shops::create_shop(client, "Pooled", ShopPlan::Growth, "EUR", None, user.id)
            .await?;
        let fetched = db::shops::get_shop(client, shop.id)
            .await?
            .expect("shop exists");
        assert_eq!(fetched.plan, ShopPlan::Growth);
        let shops = db::shops::list_shops_for_user(client, user.id).await?;
        assert_eq!(shops.len(), 1);
        assert_eq!(
            db::users::get_user_by_email(client, &email)
                .await?
                .map(|u| u.id),
            Some(user.id)
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pooler_safe_client_works_behind_pgbouncer_transaction_mode() {
    let db_server = Db::start().await;
    let Some(bouncer) = start_or_skip(&db_server) else {
        return;
    };
    let mut tasks = Vec::new();
    for task in 0..8 {
        let client = squill::Client::pooler_safe(bouncer.connect().await, db::USER_TYPES);
        tasks.push(tokio::spawn(async move { workload(&client, task).await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
    }
    // Eight clients really shared two server connections.
    let direct = db_server.raw_client().await;
    let users: i64 = direct
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(users, 8 * 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn default_client_behind_pgbouncer_works_or_says_to_use_pooler_safe() {
    let db_server = Db::start().await;
    let Some(bouncer) = start_or_skip(&db_server) else {
        return;
    };
    let mut tasks = Vec::new();
    for task in 0..8 {
        let client = squill::Client::new(bouncer.connect().await);
        tasks.push(tokio::spawn(async move { workload(&client, task).await }));
    }
    let mut failures = 0;
    for task in tasks {
        if let Err(e) = task.await.unwrap() {
            failures += 1;
            let message = e.to_string();
            assert!(
                message.contains("use squill::Client::pooler_safe"),
                "unexpected error: {message}"
            );
        }
    }
    eprintln!(
        "default (named statement) mode behind PgBouncer: {failures} of 8 tasks refused with the pooler hint"
    );
}
