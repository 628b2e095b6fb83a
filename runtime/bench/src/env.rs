//! Connections of every implementation to one server, and the runtime the async ones share.

use std::path::Path;

use crate::{diesel_impl, pg_sync, sqlx_impl, squill_async, squill_sync, tokio_pg};

/// The implementations and their connections, all to the same database, plus an admin
/// connection for seeding. The hand-written floors share the connection of the squill
/// implementation of their flavour (`tokio_pg` runs on `squill_async.client`, `pg` on
/// `squill_sync.client`); sqlx and diesel have their own. Async implementations run on one
/// current-thread tokio runtime created once.
pub struct Env {
    pub rt: tokio::runtime::Runtime,
    pub admin: postgres::Client,
    pub tokio_pg: tokio_pg::Impl,
    pub squill_async: squill_async::Impl,
    pub sqlx: sqlx_impl::Impl,
    pub pg: pg_sync::Impl,
    pub squill_sync: squill_sync::Impl,
    pub diesel: diesel_impl::Impl,
}

/// Pins this process (the client side of every implementation) to CPU 0 and the server (the
/// postmaster, so every backend forked from now on, and its running children) to CPU 1, when
/// there are at least 2 CPUs and `SQUILL_BENCH_NO_PIN` is unset. Unpinned, the scheduler
/// decides per backend process whether a round trip is a same-core hand-off or a cross-core
/// wake-up, which on 2 cores moves single-row latencies by several times between connections.
/// Returns a description of what it did.
pub fn pin_cpus(socket_dir: &Path) -> String {
    if std::env::var_os("SQUILL_BENCH_NO_PIN").is_some() {
        return "not pinned (SQUILL_BENCH_NO_PIN)".into();
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        return "not pinned (1 CPU)".into();
    }
    let Some(postmaster) = std::fs::read_to_string(socket_dir.join("data/postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next()?.trim().parse::<i32>().ok())
    else {
        return "not pinned (no postmaster.pid)".into();
    };
    let mut server = vec![postmaster];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<i32>().ok());
        if ppid == Some(postmaster) {
            server.push(pid);
        }
    }
    let ok = set_affinity(0, 0) && server.iter().all(|&pid| set_affinity(pid, 1));
    if ok {
        format!(
            "client pinned to CPU 0, server (postmaster {postmaster} and {} children) to CPU 1",
            server.len() - 1
        )
    } else {
        "pinning failed; running unpinned".into()
    }
}

fn set_affinity(pid: i32, cpu: usize) -> bool {
    // SAFETY: cpu_set_t is plain data; CPU_SET writes inside it; sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// Where the server listens: its unix socket directory (port 5432, user and database
/// `postgres`, the password `squill_codegen::live::TempServer` made for it).
#[derive(Debug, Clone)]
pub struct Target {
    pub socket_dir: std::path::PathBuf,
    pub password: String,
}

impl Target {
    pub fn new(socket_dir: &Path, password: &str) -> Self {
        Self {
            socket_dir: socket_dir.to_path_buf(),
            password: password.to_string(),
        }
    }

    /// tokio-postgres / postgres configuration.
    pub fn tokio_config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(&self.socket_dir)
            .port(5432)
            .user("postgres")
            .password(&self.password)
            .dbname("postgres");
        config
    }

    pub fn sync_config(&self) -> postgres::Config {
        self.tokio_config().into()
    }

    /// libpq connection string (diesel).
    pub fn libpq(&self) -> String {
        format!(
            "host={} port=5432 user=postgres password={} dbname=postgres",
            self.socket_dir.display(),
            self.password
        )
    }

    pub fn sqlx_options(&self) -> sqlx::postgres::PgConnectOptions {
        use sqlx::ConnectOptions;
        sqlx::postgres::PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(5432)
            .username("postgres")
            .password(&self.password)
            .database("postgres")
            // Not logging saves sqlx a per-query timer; the fairest setting for sqlx.
            .disable_statement_logging()
    }

    /// A blocking connection (seeding, schema).
    pub fn admin(&self) -> postgres::Client {
        self.sync_config()
            .connect(postgres::NoTls)
            .expect("connect (admin)")
    }
}

/// Creates the schema: the same migration the code generator applied.
pub fn create_schema(admin: &mut postgres::Client) {
    // Autovacuum off: no background work lands in the middle of a measurement (the harness
    // runs VACUUM ANALYZE itself after seeding).
    for sql in [
        "DROP TABLE IF EXISTS comments, posts, users",
        "ALTER SYSTEM SET autovacuum = off",
        "SELECT pg_reload_conf()",
    ] {
        admin.batch_execute(sql).expect("reset");
    }
    admin
        .batch_execute(include_str!("../schema/0001_init.sql"))
        .expect("schema");
}

impl Env {
    /// Creates the schema and connects every implementation.
    pub fn connect(target: &Target) -> Self {
        let mut admin = target.admin();
        create_schema(&mut admin);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let (tokio_pg, squill_async, sqlx) = rt.block_on(async {
            let squill_async = squill_async::Impl::connect(target).await;
            (
                tokio_pg::Impl::prepare(&squill_async.client).await,
                squill_async,
                sqlx_impl::Impl::connect(target).await,
            )
        });
        let mut squill_sync = squill_sync::Impl::connect(target);
        Self {
            rt,
            admin,
            tokio_pg,
            squill_async,
            sqlx,
            pg: pg_sync::Impl::prepare(squill_sync.client.inner_mut()),
            squill_sync,
            diesel: diesel_impl::Impl::connect(target),
        }
    }
}

/// Connects a tokio-postgres client and drives its connection on the current runtime.
pub async fn tokio_client(target: &Target) -> tokio_postgres::Client {
    let (client, connection) = target
        .tokio_config()
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect (tokio-postgres)");
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("connection closed: {e}");
        }
    });
    client
}
