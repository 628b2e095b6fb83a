//! Connections of every implementation to one server, and the runtime the async ones share.

use std::path::Path;

use crate::{diesel_impl, pg_sync, sqlx_impl, squill_async, squill_sync, tokio_pg};

/// One connection per implementation, all to the same database, plus an admin connection for
/// seeding. Async implementations run on one current-thread tokio runtime created once.
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

/// Where the server listens: its unix socket directory (port 5432, user and database
/// `postgres`, trust authentication, as `squill_codegen::live::TempServer` sets it up).
#[derive(Debug, Clone)]
pub struct Target {
    pub socket_dir: std::path::PathBuf,
}

impl Target {
    pub fn new(socket_dir: &Path) -> Self {
        Self {
            socket_dir: socket_dir.to_path_buf(),
        }
    }

    /// tokio-postgres / postgres configuration.
    pub fn tokio_config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(&self.socket_dir)
            .port(5432)
            .user("postgres")
            .dbname("postgres");
        config
    }

    pub fn sync_config(&self) -> postgres::Config {
        self.tokio_config().into()
    }

    /// libpq connection string (diesel).
    pub fn libpq(&self) -> String {
        format!(
            "host={} port=5432 user=postgres dbname=postgres",
            self.socket_dir.display()
        )
    }

    pub fn sqlx_options(&self) -> sqlx::postgres::PgConnectOptions {
        use sqlx::ConnectOptions;
        sqlx::postgres::PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(5432)
            .username("postgres")
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
    admin
        .batch_execute(
            "DROP TABLE IF EXISTS comments, posts, users; \
             ALTER SYSTEM SET autovacuum = off; SELECT pg_reload_conf();",
        )
        .expect("reset");
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
            (
                tokio_pg::Impl::connect(target).await,
                squill_async::Impl::connect(target).await,
                sqlx_impl::Impl::connect(target).await,
            )
        });
        Self {
            rt,
            admin,
            tokio_pg,
            squill_async,
            sqlx,
            pg: pg_sync::Impl::connect(target),
            squill_sync: squill_sync::Impl::connect(target),
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
