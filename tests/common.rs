//! Shared by the end-to-end tests: a throwaway PostgreSQL with the demo schema migrated.

#![allow(dead_code)]

use squill_codegen::live::TempServer;
use squill_demo::db;

pub struct Db {
    pub server: TempServer,
    pub url: String,
}

impl Db {
    /// Starts a server and applies the demo's embedded migrations to it.
    pub async fn start() -> Self {
        let server =
            tokio::task::spawn_blocking(|| TempServer::start().expect("throwaway server starts"))
                .await
                .unwrap();
        let url = server.url("postgres");
        let config: tokio_postgres::Config = url.parse().unwrap();
        squill::migrate::Migrator::new(db::MIGRATIONS)
            .run(&config)
            .await
            .expect("migrations apply");
        Db { server, url }
    }

    pub fn config(&self) -> tokio_postgres::Config {
        self.url.parse().unwrap()
    }

    pub async fn raw_client(&self) -> tokio_postgres::Client {
        let (client, connection) = self.config().connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    }

    pub async fn client(&self) -> squill::Client {
        squill::Client::new(self.raw_client().await)
    }
}
