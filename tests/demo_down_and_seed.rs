//! The demo's schema-first workflow on a throwaway server: migrate, seed, migrate down and up
//! again, with the embedded migrations (their down parts included) and the demo's `seeds/`.

use squill::migrate::{Migrator, Seeder, load_seeds};
use squill_codegen::live::TempServer;
use squill_demo::db;

#[tokio::test(flavor = "multi_thread")]
async fn migrate_seed_and_migrate_down() {
    let server = tokio::task::spawn_blocking(|| TempServer::start().expect("server starts"))
        .await
        .unwrap();
    let config: tokio_postgres::Config = server.url("postgres").parse().unwrap();
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' \
                  AND tablename NOT LIKE 'squill\\_%'";

    let migrator = Migrator::new(db::MIGRATIONS);
    assert!(
        db::MIGRATIONS.iter().all(|m| m.has_down()),
        "every demo file has a down part"
    );
    let applied = migrator.run(&config).await.expect("migrations apply");
    assert_eq!(applied.applied.len(), db::MIGRATIONS.len());

    let seeds = load_seeds(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds").as_ref()).unwrap();
    let report = Seeder::new(seeds.clone())
        .run(&config)
        .await
        .expect("seeds run");
    assert_eq!(report.ran.len(), 2, "{report}");
    assert_eq!(count("SELECT count(*) FROM shops").await, 1);
    assert_eq!(count("SELECT count(*) FROM daily_records").await, 7);
    // Seeded data is not drift: the runner has nothing to do and nothing to refuse.
    assert!(migrator.run(&config).await.unwrap().applied.is_empty());
    let again = Seeder::new(seeds).run(&config).await.unwrap();
    assert_eq!((again.ran.len(), again.unchanged), (0, 2));

    // The generated queries work on the seeded shop.
    let shop = squill::re::uuid::Uuid::parse_str("00000000-0000-0000-0000-0000000000a1").unwrap();
    let members = db::members::list_members(&client, shop).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].email, "owner@demo.test");

    // Down to the first file, then to nothing, then up again.
    let down = migrator.down_to(&config, 1).await.expect("down to 1");
    assert_eq!(down.reverted.len(), db::MIGRATIONS.len() - 1);
    assert_eq!(count(tables).await, 7);
    migrator.down_to(&config, 0).await.expect("down to 0");
    assert_eq!(count(tables).await, 0);
    assert_eq!(
        count(
            "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
               WHERE n.nspname = 'public' AND t.typtype IN ('e', 'c', 'd') \
               AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')"
        )
        .await,
        0
    );
    let up = migrator.run(&config).await.expect("up again");
    assert_eq!(up.applied.len(), db::MIGRATIONS.len());
}
