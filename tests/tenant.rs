//! `squill::tenant`: row-level security through a tenant's transaction, on a throwaway server,
//! as an application role (not a superuser, not the tables' owner): inside the helper only the
//! tenant's rows; outside, none (or an error, with a policy that reads the setting strictly);
//! and the setting never outlives its transaction on the same connection (a pooled one).

use squill::re::uuid::Uuid;
use squill_codegen::live::TempServer;

const SHOP_A: Uuid = Uuid::from_u128(0xa);
const SHOP_B: Uuid = Uuid::from_u128(0xb);
const SETTING: &str = "app.tenant_id";

/// The schema, two shops' rows, and the role `app` the application logs in as.
fn server() -> (TempServer, String) {
    let server = TempServer::start().expect("throwaway server starts");
    let mut admin = server.connect("postgres").unwrap();
    admin
        .batch_execute(&format!(
            "CREATE TABLE orders (id int PRIMARY KEY, shop_id uuid NOT NULL);
             INSERT INTO orders VALUES (1, '{SHOP_A}'), (2, '{SHOP_A}'), (3, '{SHOP_B}');
             ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
             ALTER TABLE orders FORCE ROW LEVEL SECURITY;
             CREATE POLICY tenant ON orders
                 USING (shop_id = nullif(current_setting('{SETTING}', true), '')::uuid);
             -- The form without missing_ok: outside a tenant's transaction it is an error.
             CREATE TABLE notes (id int PRIMARY KEY, shop_id uuid NOT NULL);
             INSERT INTO notes VALUES (1, '{SHOP_A}'), (2, '{SHOP_B}');
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
             CREATE POLICY tenant ON notes USING (shop_id = current_setting('{SETTING}')::uuid);
             CREATE ROLE app LOGIN PASSWORD 'app-password';
             GRANT SELECT, INSERT ON orders, notes TO app;"
        ))
        .unwrap();
    // The same server, logged in as `app`.
    let url = server
        .url("postgres")
        .split(' ')
        .map(|part| match part.split_once('=') {
            Some(("user", _)) => "user=app".to_owned(),
            Some(("password", _)) => "password=app-password".to_owned(),
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    (server, url)
}

/// PostgreSQL's own message (the driver's Display says only "db error").
fn message(err: &tokio_postgres::Error) -> String {
    err.as_db_error()
        .map_or_else(|| err.to_string(), |db| db.message().to_owned())
}

#[tokio::test]
async fn a_tenants_transaction_sees_its_rows_only_and_the_setting_ends_with_it() {
    let (_server, url) = tokio::task::spawn_blocking(server).await.unwrap();
    let (raw, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut client = squill::Client::new(raw);
    let ids = "SELECT id FROM orders ORDER BY id";

    let tx = squill::tenant::begin(&mut client, SETTING, SHOP_A)
        .await
        .unwrap();
    let rows = tx.query(ids, &[]).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.get(0)).collect::<Vec<i32>>(), [1, 2]);
    // Writing another tenant's row is refused by the same policy.
    let err = tx
        .execute("INSERT INTO orders VALUES (4, $1)", &[&SHOP_B])
        .await
        .unwrap_err();
    assert!(message(&err).contains("row-level security"), "{err:?}");
    drop(tx);

    // Committed: the setting still ends with the transaction.
    let seen = squill::tenant::run(&mut client, SETTING, SHOP_B, async |tx| {
        let rows = tx.query(ids, &[]).await?;
        Ok(rows.iter().map(|r| r.get(0)).collect::<Vec<i32>>())
    })
    .await
    .unwrap();
    assert_eq!(seen, [3]);

    // The same connection afterwards, as a pool would hand it to the next user: no tenant.
    assert!(client.query(ids, &[]).await.unwrap().is_empty());
    let setting: String = client
        .query_one("SELECT current_setting($1, true)", &[&SETTING])
        .await
        .unwrap()
        .get(0);
    assert_eq!(setting, "");
    // The strict policy errors instead of matching nothing.
    let err = client.query("SELECT id FROM notes", &[]).await.unwrap_err();
    assert!(message(&err).contains("uuid"), "{err:?}");

    // An error in the closure rolls back and is returned.
    let err = squill::tenant::run(&mut client, SETTING, SHOP_A, async |tx| {
        tx.execute("INSERT INTO orders VALUES (5, $1)", &[&SHOP_A])
            .await?;
        tx.execute("INSERT INTO orders VALUES (5, $1)", &[&SHOP_A])
            .await?;
        Ok(())
    })
    .await
    .unwrap_err();
    assert!(err.is_unique_violation(), "{err}");
    let count = squill::tenant::run(&mut client, SETTING, SHOP_A, async |tx| {
        Ok(tx.query(ids, &[]).await?.len())
    })
    .await
    .unwrap();
    assert_eq!(count, 2);
}

#[test]
fn the_blocking_helpers_do_the_same() {
    let (_server, url) = server();
    let raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut client = squill::blocking::Client::new(raw);
    let ids = "SELECT id FROM notes ORDER BY id";

    // A fresh session has never set it: the strict policy's error.
    let err = client.inner_mut().query(ids, &[]).unwrap_err();
    assert!(
        message(&err).contains("unrecognized configuration parameter"),
        "{err:?}"
    );
    let seen = squill::tenant::blocking::run(&mut client, SETTING, SHOP_B, |tx| {
        let rows = tx.inner_mut().query(ids, &[])?;
        Ok(rows.iter().map(|r| r.get(0)).collect::<Vec<i32>>())
    })
    .unwrap();
    assert_eq!(seen, [2]);
    let mut tx = squill::tenant::blocking::begin(&mut client, SETTING, SHOP_A).unwrap();
    let rows = tx.inner_mut().query(ids, &[]).unwrap();
    assert_eq!(rows.len(), 1);
    tx.rollback().unwrap();
    let rows = client
        .inner_mut()
        .query("SELECT id FROM orders", &[])
        .unwrap();
    assert!(rows.is_empty());
}
