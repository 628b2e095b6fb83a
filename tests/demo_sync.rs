//! The generated `blocking` functions on `postgres` clients and transactions.

use squill::re::chrono::NaiveDate;
use squill_codegen::live::TempServer;
use squill_demo::{RecordSource, ShopPlan, db};

fn migrated_server() -> TempServer {
    let server = TempServer::start().expect("throwaway server starts");
    let config: tokio_postgres::Config = server.url("postgres").parse().unwrap();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(squill::migrate::Migrator::new(db::MIGRATIONS).run(&config))
        .expect("migrations apply");
    server
}

#[test]
fn blocking_functions_on_a_caching_client() {
    let server = migrated_server();
    let mut client = squill::blocking::Client::new(server.connect("postgres").unwrap());
    let c = &mut client;
    let user = db::users::blocking::create_user(c, "sync@example.com", Some("Sync")).unwrap();
    let shop =
        db::shops::blocking::create_shop(c, "Sync Shop", ShopPlan::Free, "SEK", None, user.id)
            .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    db::records::blocking::upsert_daily_record(
        c,
        shop.id,
        day,
        RecordSource::Pos,
        7,
        70_000,
        500,
        None,
    )
    .unwrap();
    let totals = db::records::blocking::daily_totals(c, shop.id, day, day).unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!((totals[0].orders, totals[0].net_cents), (7, 69_500));
    // An interval and a domain (email_address) through the blocking functions.
    db::settings::blocking::upsert_settings(
        c,
        shop.id,
        1,
        None,
        &squill::re::serde_json::json!({}),
    )
    .unwrap();
    let fortnight = squill::Interval {
        months: 0,
        days: 14,
        microseconds: 0,
    };
    assert_eq!(
        db::settings::blocking::set_report_schedule(
            c,
            shop.id,
            fortnight,
            Some("sync@example.com")
        )
        .unwrap(),
        1
    );
    let schedule = db::settings::blocking::get_report_schedule(c, shop.id)
        .unwrap()
        .unwrap();
    assert_eq!(schedule.report_every, fortnight);
    assert_eq!(schedule.report_email.as_deref(), Some("sync@example.com"));
    assert_eq!(
        db::users::blocking::get_user_by_email(c, "sync@example.com")
            .unwrap()
            .unwrap()
            .id,
        user.id
    );

    let before = client.cached_statements();
    let mut tx = client.transaction().unwrap();
    assert_eq!(
        db::shops::blocking::delete_shop(&mut tx, shop.id).unwrap(),
        1
    );
    tx.rollback().unwrap();
    assert_eq!(client.cached_statements(), before + 1);
    let err = db::settings::blocking::get_settings(&mut client, squill::re::uuid::Uuid::nil())
        .unwrap_err();
    assert!(err.is_no_rows());
    assert!(
        db::shops::blocking::get_shop(&mut client, shop.id)
            .unwrap()
            .is_some(),
        "rolled back"
    );
}

#[test]
fn blocking_functions_on_plain_postgres_client_and_transaction() {
    let server = migrated_server();
    let mut raw = server.connect("postgres").unwrap();
    let user = db::users::blocking::create_user(&mut raw, "plain@example.com", None).unwrap();
    let mut tx = raw.transaction().unwrap();
    let shop =
        db::shops::blocking::create_shop(&mut tx, "Plain", ShopPlan::Growth, "NOK", None, user.id)
            .unwrap();
    tx.commit().unwrap();
    let shops = db::shops::blocking::list_shops_for_user(&mut raw, user.id).unwrap();
    assert_eq!(shops.iter().map(|s| s.id).collect::<Vec<_>>(), [shop.id]);
}

#[test]
fn blocking_copyfrom_and_batches() {
    let server = migrated_server();
    let mut client = squill::blocking::Client::new(server.connect("postgres").unwrap());
    let c = &mut client;
    let user = db::users::blocking::create_user(c, "bulk-sync@example.com", None).unwrap();
    let shop =
        db::shops::blocking::create_shop(c, "Bulk", ShopPlan::Free, "EUR", None, user.id).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let rows: Vec<_> = [RecordSource::Pos, RecordSource::Online]
        .into_iter()
        .map(|source| db::records::ImportDailyRecordsParams {
            shop_id: shop.id,
            day,
            source,
            orders: 1,
            revenue_cents: 250,
            refunds_cents: 0,
        })
        .collect();
    assert_eq!(
        db::records::blocking::import_daily_records(c, &rows).unwrap(),
        2
    );
    let totals = db::records::blocking::daily_totals(c, shop.id, day, day).unwrap();
    assert_eq!((totals[0].orders, totals[0].revenue_cents), (2, 500));
    let roles = db::members::blocking::member_roles(
        c,
        &[db::members::MemberRolesParams {
            shop_id: shop.id,
            user_id: user.id,
        }],
    )
    .unwrap();
    assert_eq!(roles, [squill_demo::MemberRole::Owner]);
    let with_users = db::members::blocking::members_with_users(c, shop.id).unwrap();
    assert_eq!(with_users.len(), 1);
    assert_eq!(
        (with_users[0].u.id, with_users[0].u.email.as_str()),
        (user.id, "bulk-sync@example.com")
    );
    let among = db::members::blocking::members_among(c, shop.id, &[user.id]).unwrap();
    assert_eq!(among.len(), 1);
}
