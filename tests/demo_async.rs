//! Every demo query, run through the generated async functions against a real PostgreSQL,
//! with real rows and asserted results.

mod common;

use common::Db;
use squill::Interval;
use squill::re::chrono::NaiveDate;
use squill::re::serde_json::json;
use squill_demo::{MemberRole, RecordSource, ShopPlan, db};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_demo_query_runs_with_typed_results() {
    let db_server = Db::start().await;
    let mut client = db_server.client().await;
    let c = &client;

    // users
    let alice = db::users::create_user(c, "alice@example.com", Some("Alice"))
        .await
        .unwrap();
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!(alice.display_name.as_deref(), Some("Alice"));
    let bob = db::users::create_user(c, "bob@example.com", None)
        .await
        .unwrap();
    assert_eq!(bob.display_name, None);
    let found = db::users::get_user_by_email(c, "alice@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, alice.id);
    assert!(
        db::users::get_user_by_email(c, "nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        db::users::rename_user(c, Some("Bobby"), bob.id)
            .await
            .unwrap(),
        1
    );

    // shops (a data-modifying CTE inserting the shop and its owner)
    let shop = db::shops::create_shop(
        c,
        "Corner Store",
        ShopPlan::Growth,
        "EUR",
        Some(day(1)),
        alice.id,
    )
    .await
    .unwrap();
    assert_eq!(
        (shop.name.as_str(), shop.plan, shop.currency.as_str()),
        ("Corner Store", ShopPlan::Growth, "EUR")
    );
    assert_eq!(shop.opened_on, Some(day(1)));
    let fetched = db::shops::get_shop(c, shop.id).await.unwrap().unwrap();
    assert_eq!(fetched.timezone, "UTC");
    assert_eq!(fetched.archived_at, None);

    // A composite type: a struct, written and read back field by field (NULL fields too).
    assert_eq!(db::shops::get_shop_address(c, shop.id).await.unwrap(), None);
    let address = db::types::PostalAddress {
        street: Some("1 Main St".into()),
        city: Some("Lyon".into()),
        postal_code: None,
        country: Some("FR".into()),
    };
    assert_eq!(
        db::shops::set_shop_address(c, shop.id, Some(&address))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db::shops::get_shop_address(c, shop.id).await.unwrap(),
        Some(address)
    );
    // `SET address = @address` into a nullable column: the parameter is an `Option`, and
    // `None` clears the address.
    assert_eq!(
        db::shops::set_shop_address(c, shop.id, None).await.unwrap(),
        1
    );
    assert_eq!(db::shops::get_shop_address(c, shop.id).await.unwrap(), None);

    // A range: written as bounds, read back as PostgreSQL normalizes it.
    use std::ops::Bound;
    for (weekday, open, close) in [(1i16, 9 * 60, 18 * 60), (6, 10 * 60, 13 * 60)] {
        let minutes = squill::Range::new(Bound::Included(open), Bound::Included(close - 1));
        db::shops::set_opening_hours(c, shop.id, weekday, &minutes)
            .await
            .unwrap();
    }
    let at_noon = db::shops::open_weekdays_at(c, shop.id, 12 * 60)
        .await
        .unwrap();
    assert_eq!(at_noon.len(), 2);
    assert_eq!(
        at_noon[0].minutes,
        squill::Range::new(Bound::Included(9 * 60), Bound::Excluded(18 * 60))
    );
    let at_five = db::shops::open_weekdays_at(c, shop.id, 17 * 60)
        .await
        .unwrap();
    assert_eq!(at_five.iter().map(|r| r.weekday).collect::<Vec<_>>(), [1]);
    let mine = db::shops::list_shops_for_user(c, alice.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].role, MemberRole::Owner);
    assert_eq!(
        db::shops::change_plan(c, shop.id, ShopPlan::Enterprise)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db::shops::change_plan(c, shop.id, ShopPlan::Enterprise)
            .await
            .unwrap(),
        0
    );

    // members
    db::members::add_member(c, shop.id, bob.id, MemberRole::Analyst, Some(alice.id))
        .await
        .unwrap();
    let members = db::members::list_members(c, shop.id).await.unwrap();
    assert_eq!(members.len(), 2);
    let bob_row = members.iter().find(|m| m.user_id == bob.id).unwrap();
    assert_eq!(
        bob_row.invited_by_email.as_deref(),
        Some("alice@example.com")
    );
    let alice_row = members.iter().find(|m| m.user_id == alice.id).unwrap();
    assert_eq!(
        alice_row.invited_by_email, None,
        "LEFT JOIN side is nullable and was null"
    );
    assert_eq!(
        db::members::member_role(c, shop.id, bob.id).await.unwrap(),
        Some(MemberRole::Analyst)
    );
    let by_role = db::members::count_members_by_role(c, shop.id)
        .await
        .unwrap();
    assert_eq!(
        by_role
            .iter()
            .map(|r| (r.role, r.members))
            .collect::<Vec<_>>(),
        [(MemberRole::Owner, 1), (MemberRole::Analyst, 1)]
    );
    // sqlc.embed: the user's columns decode into one nested struct.
    let with_users = db::members::members_with_users(c, shop.id).await.unwrap();
    assert_eq!(
        with_users
            .iter()
            .map(|m| (m.u.email.as_str(), m.u.display_name.as_deref(), m.role))
            .collect::<Vec<_>>(),
        [
            ("alice@example.com", Some("Alice"), MemberRole::Owner),
            ("bob@example.com", Some("Bobby"), MemberRole::Analyst),
        ]
    );
    assert_eq!(with_users[1].u.id, bob.id);
    // sqlc.slice: one array parameter; an empty list matches nothing.
    let stranger = squill::re::uuid::Uuid::nil();
    let among = db::members::members_among(c, shop.id, &[bob.id, stranger])
        .await
        .unwrap();
    assert_eq!(
        among
            .iter()
            .map(|m| (m.user_id, m.role))
            .collect::<Vec<_>>(),
        [(bob.id, MemberRole::Analyst)]
    );
    assert!(
        db::members::members_among(c, shop.id, &[])
            .await
            .unwrap()
            .is_empty()
    );

    // settings: defaults through a LEFT JOIN before any row exists, then an upsert
    let defaults = db::settings::get_settings(c, shop.id).await.unwrap();
    assert_eq!(defaults.week_starts_on, 1);
    assert_eq!(defaults.revenue_goal_cents, None);
    assert_eq!(defaults.preferences, json!({}));
    let saved =
        db::settings::upsert_settings(c, shop.id, 0, Some(5_000_000), &json!({"theme": "dark"}))
            .await
            .unwrap();
    assert_eq!(saved.revenue_goal_cents, Some(5_000_000));
    assert_eq!(
        db::settings::set_preference(c, shop.id, "currency_display", &json!("symbol"))
            .await
            .unwrap(),
        1
    );
    let settings = db::settings::get_settings(c, shop.id).await.unwrap();
    assert_eq!(
        settings.preferences,
        json!({"theme": "dark", "currency_display": "symbol"})
    );

    // An interval and a domain: the report schedule (a week by default, no email).
    let schedule = db::settings::get_report_schedule(c, shop.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        schedule.report_every,
        Interval {
            months: 0,
            days: 7,
            microseconds: 0
        }
    );
    assert_eq!(schedule.report_email, None);
    let every_36_hours = Interval {
        months: 0,
        days: 0,
        microseconds: 36 * 3_600_000_000,
    };
    assert_eq!(
        db::settings::set_report_schedule(c, shop.id, every_36_hours, Some("reports@example.com"))
            .await
            .unwrap(),
        1
    );
    let schedule = db::settings::get_report_schedule(c, shop.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(schedule.report_every, every_36_hours);
    assert_eq!(
        schedule.report_email.as_deref(),
        Some("reports@example.com")
    );
    assert_eq!(
        schedule.next_report_at - schedule.updated_at,
        squill::re::chrono::TimeDelta::hours(36)
    );
    // The domain's CHECK is the server's: a value it rejects fails the statement.
    let err = db::settings::set_report_schedule(c, shop.id, every_36_hours, Some("not an email"))
        .await
        .unwrap_err();
    // check_violation
    assert_eq!(err.code().map(|code| code.code()), Some("23514"), "{err}");

    // products: arrays, numeric, ANY($1)
    let weight = "1.250".parse().unwrap();
    let mug = db::products::create_product(
        c,
        shop.id,
        "MUG-1",
        "Mug",
        1_200,
        &[Some("kitchen"), Some("gift")],
        Some(weight),
    )
    .await
    .unwrap();
    let tee = db::products::create_product(
        c,
        shop.id,
        "TEE-1",
        "T-shirt",
        2_500,
        &[Some("apparel")],
        None,
    )
    .await
    .unwrap();
    let products = db::products::list_products(c, shop.id).await.unwrap();
    assert_eq!(
        products.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
        ["MUG-1", "TEE-1"]
    );
    // A text[] column may hold NULL elements: `Vec<Option<String>>`.
    assert_eq!(
        products[0].tags,
        [Some("kitchen".to_string()), Some("gift".to_string())]
    );
    assert_eq!(products[0].weight_kg, Some(weight));
    let gifts = db::products::products_with_tags(c, shop.id, &["gift", "nothing"])
        .await
        .unwrap();
    assert_eq!(gifts.iter().map(|p| p.id).collect::<Vec<_>>(), [mug]);
    let by_id = db::products::get_products_by_ids(c, shop.id, &[tee, mug])
        .await
        .unwrap();
    assert_eq!(by_id.len(), 2);
    assert_eq!(
        db::products::reprice_product(c, shop.id, 1_500, "MUG-1")
            .await
            .unwrap(),
        1
    );

    // daily records: enums, BIGINT money, JSONB, aggregates
    for (d, source, orders, revenue) in [
        (1, RecordSource::Online, 3, 3_600),
        (1, RecordSource::Pos, 2, 5_000),
        (2, RecordSource::Online, 1, 1_500),
    ] {
        db::records::upsert_daily_record(c, shop.id, day(d), source, orders, revenue, 100, None)
            .await
            .unwrap();
    }
    let flagged = json!({"flag": "late-import", "rows": 12});
    db::records::upsert_daily_record(
        c,
        shop.id,
        day(3),
        RecordSource::Import,
        0,
        0,
        0,
        Some(&flagged),
    )
    .await
    .unwrap();
    let records = db::records::list_daily_records(c, shop.id, day(1), day(2))
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(
        (records[0].day, records[0].source),
        (day(1), RecordSource::Pos)
    );
    let totals = db::records::daily_totals(c, shop.id, day(1), day(3))
        .await
        .unwrap();
    assert_eq!(totals.len(), 3);
    assert_eq!(
        (
            totals[0].orders,
            totals[0].revenue_cents,
            totals[0].net_cents
        ),
        (5, 8_600, 8_400)
    );
    let period = db::records::period_revenue(c, shop.id, day(1), day(3))
        .await
        .unwrap();
    assert_eq!((period.revenue_cents, period.days), (Some(10_100), 4));
    let empty = db::records::period_revenue(c, shop.id, day(20), day(21))
        .await
        .unwrap();
    assert_eq!(
        (empty.revenue_cents, empty.days),
        (None, 0),
        "sum over no rows is NULL"
    );
    db::records::record_product_sales(c, shop.id, mug, day(1), 4, 6_000)
        .await
        .unwrap();
    let top = db::records::top_products(c, shop.id, day(1), day(2), 10)
        .await
        .unwrap();
    assert_eq!(
        top.iter()
            .map(|t| (t.title.as_str(), t.units))
            .collect::<Vec<_>>(),
        [("Mug", 4), ("T-shirt", 0)]
    );
    let flags = db::records::flagged_records(c, shop.id).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].flag.as_deref(), Some("late-import"));
    assert_eq!(
        db::records::delete_records_before(c, shop.id, day(2))
            .await
            .unwrap(),
        2
    );

    // reports
    let report = db::reports::create_report(
        c,
        shop.id,
        Some(bob.id),
        "November",
        day(1),
        day(30),
        &json!({}),
    )
    .await
    .unwrap();
    assert_eq!(report.generated_at, None);
    // interval parameters and columns
    let grace = squill::Interval {
        days: 2,
        ..squill::Interval::default()
    };
    let overdue = db::reports::list_overdue_reports(c, shop.id, grace)
        .await
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].id, report.id);
    assert!(
        overdue[0].overdue_by.days > 0,
        "{:?}",
        overdue[0].overdue_by
    );
    assert_eq!(overdue[0].overdue_by.months, 0);
    let far = squill::Interval {
        months: 12 * 1000,
        ..squill::Interval::default()
    };
    assert!(
        db::reports::list_overdue_reports(c, shop.id, far)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db::reports::mark_report_generated(c, shop.id, report.id)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db::reports::mark_report_generated(c, shop.id, report.id)
            .await
            .unwrap(),
        0
    );

    // api keys: bytea and text[] parameters
    let key = db::api_keys::create_api_key(
        c,
        shop.id,
        "ci",
        b"\x00\x01hash",
        &[Some("read"), Some("write")],
        None,
    )
    .await
    .unwrap();
    let found = db::api_keys::find_api_key(c, b"\x00\x01hash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.shop_id, found.scopes.clone()),
        (
            key.id,
            shop.id,
            vec![Some("read".to_string()), Some("write".to_string())]
        )
    );
    assert!(
        db::api_keys::find_api_key(c, b"other")
            .await
            .unwrap()
            .is_none()
    );
    db::api_keys::touch_api_key(c, shop.id, key.id)
        .await
        .unwrap();
    let keys = db::api_keys::list_api_keys(c, shop.id).await.unwrap();
    assert!(keys[0].last_used_at.is_some());

    // audit: identity column, LEFT JOIN to a deleted actor
    let event = db::audit::record_audit_event(
        c,
        shop.id,
        Some(bob.id),
        "report.created",
        &json!({"id": report.id.to_string()}),
    )
    .await
    .unwrap();
    assert!(event.id > 0);
    db::users::delete_user(c, bob.id).await.unwrap();
    let events = db::audit::recent_audit_events(c, shop.id, 10)
        .await
        .unwrap();
    assert_eq!(
        events[0].actor_email, None,
        "actor deleted: ON DELETE SET NULL"
    );
    assert_eq!(db::audit::count_audit_events(c, shop.id).await.unwrap(), 1);
    let reports = db::reports::list_reports(c, shop.id).await.unwrap();
    assert_eq!(reports[0].author_email, None);

    // a transaction sharing the client's statement cache
    let before = client.cached_statements();
    {
        let tx = client.transaction().await.unwrap();
        db::shops::archive_shop(&tx, shop.id).await.unwrap();
        // dropped without commit: rolled back
    }
    assert!(
        db::shops::get_shop(&client, shop.id)
            .await
            .unwrap()
            .unwrap()
            .archived_at
            .is_none()
    );
    assert_eq!(client.cached_statements(), before + 1);

    // cascading delete
    assert_eq!(db::shops::delete_shop(&client, shop.id).await.unwrap(), 1);
    assert!(
        db::products::list_products(&client, shop.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_without_a_row_is_a_distinct_error_naming_the_query() {
    let db_server = Db::start().await;
    let client = db_server.client().await;
    let err = db::settings::get_settings(&client, squill::re::uuid::Uuid::nil())
        .await
        .unwrap_err();
    assert!(err.is_no_rows(), "{err:?}");
    assert_eq!(err.query(), Some("GetSettings"));
    assert_eq!(
        err.to_string(),
        "query GetSettings: expected one row, got none"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn database_errors_name_the_query_and_carry_the_sqlstate() {
    let db_server = Db::start().await;
    let client = db_server.client().await;
    db::users::create_user(&client, "dup@example.com", None)
        .await
        .unwrap();
    let err = db::users::create_user(&client, "dup@example.com", None)
        .await
        .unwrap_err();
    assert_eq!(err.query(), Some("CreateUser"));
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    );
    assert_eq!(err.class(), squill::ErrorClass::UniqueViolation);
    assert!(err.is_unique_violation() && !err.is_retryable());
    assert_eq!(err.constraint(), Some("users_email_key"));
}

/// Transactions opened through squill's client, and plain driver errors, are `squill::Error`s:
/// one error type and `?` all the way, classified without parsing messages.
#[tokio::test(flavor = "multi_thread")]
async fn transactions_and_driver_errors_are_squill_errors() {
    async fn register_twice(client: &mut squill::Client) -> Result<(), squill::Error> {
        let tx = client.transaction().await?;
        db::users::create_user(&tx, "twice@example.com", None).await?;
        db::users::create_user(&tx, "twice@example.com", None).await?;
        tx.commit().await
    }
    async fn divide_by_zero(client: &squill::Client) -> Result<(), squill::Error> {
        client.batch_execute("SELECT 1 / 0").await?;
        Ok(())
    }

    let db_server = Db::start().await;
    let mut client = db_server.client().await;
    let err = register_twice(&mut client).await.unwrap_err();
    assert_eq!(err.class(), squill::ErrorClass::UniqueViolation);
    assert_eq!(err.query(), Some("CreateUser"));
    assert!(
        db::users::get_user_by_email(&client, "twice@example.com")
            .await
            .unwrap()
            .is_none(),
        "the failed transaction rolled back"
    );

    let err = divide_by_zero(&client).await.unwrap_err();
    assert_eq!(err.query(), None);
    assert_eq!(err.class(), squill::ErrorClass::Database);
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::DIVISION_BY_ZERO)
    );
    assert_eq!(err.to_string(), "ERROR: division by zero");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_calls_reuse_one_prepared_statement() {
    let db_server = Db::start().await;
    let client = db_server.client().await;
    for _ in 0..5 {
        db::users::get_user_by_email(&client, "x@example.com")
            .await
            .unwrap();
    }
    assert_eq!(client.cached_statements(), 1);
    // The server holds exactly one named statement for it too.
    let prepared: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
            &[&db::users::GET_USER_BY_EMAIL.sql],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(prepared, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_tokio_postgres_client_and_transaction_work_too() {
    let db_server = Db::start().await;
    let mut raw = db_server.raw_client().await;
    let user = db::users::create_user(&raw, "raw@example.com", None)
        .await
        .unwrap();
    // Enum parameter over an unnamed typed statement (declared `unknown`, resolved by the server).
    let shop = db::shops::create_shop(&raw, "Raw", ShopPlan::Free, "USD", None, user.id)
        .await
        .unwrap();
    assert_eq!(shop.plan, ShopPlan::Free);
    let tx = raw.transaction().await.unwrap();
    assert_eq!(
        db::shops::change_plan(&tx, shop.id, ShopPlan::Growth)
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
    assert_eq!(
        db::shops::get_shop(&raw, shop.id)
            .await
            .unwrap()
            .unwrap()
            .plan,
        ShopPlan::Growth
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deadpool_connections_cache_statements_per_connection() {
    let db_server = Db::start().await;
    let manager = deadpool_postgres::Manager::new(db_server.config(), tokio_postgres::NoTls);
    let pool = deadpool_postgres::Pool::builder(manager)
        .max_size(2)
        .build()
        .unwrap();
    let user = {
        let conn = pool.get().await.unwrap();
        db::users::create_user(&conn, "pool@example.com", None)
            .await
            .unwrap()
    };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let conn = pool.get().await.unwrap();
            db::users::get_user_by_email(&conn, "pool@example.com")
                .await
                .unwrap()
                .unwrap()
                .id
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), user.id);
    }
    let mut conn = pool.get().await.unwrap();
    assert!(conn.statement_cache.size() >= 1);
    let tx = conn.transaction().await.unwrap();
    assert_eq!(
        db::users::rename_user(&tx, Some("Pooled"), user.id)
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn copyfrom_and_pipelined_batches() {
    let db_server = Db::start().await;
    let client = db_server.client().await;
    let owner = db::users::create_user(&client, "bulk@example.com", None)
        .await
        .unwrap();
    let shop = db::shops::create_shop(&client, "Bulk", ShopPlan::Free, "EUR", None, owner.id)
        .await
        .unwrap();

    // :copyfrom — 1 000 rows through one binary COPY, enums included.
    let rows: Vec<db::records::ImportDailyRecordsParams> = (0..1_000)
        .map(|i| db::records::ImportDailyRecordsParams {
            shop_id: shop.id,
            day: day(1) + squill::re::chrono::Duration::days(i / 3),
            source: [
                RecordSource::Pos,
                RecordSource::Online,
                RecordSource::Import,
            ][i as usize % 3],
            orders: i as i32,
            revenue_cents: i * 100,
            refunds_cents: 0,
        })
        .collect();
    assert_eq!(
        db::records::import_daily_records(&client, &rows)
            .await
            .unwrap(),
        999 + 1
    );
    let last = day(1) + squill::re::chrono::Duration::days(333);
    let period = db::records::period_revenue(&client, shop.id, day(1), last)
        .await
        .unwrap();
    assert_eq!(period.days, 1_000);
    assert_eq!(
        period.revenue_cents,
        Some((0..1_000).map(|i| i * 100).sum())
    );

    // :batchexec — one affected-row count per parameter set.
    let k1 = db::api_keys::create_api_key(&client, shop.id, "a", b"k1", &[], None)
        .await
        .unwrap();
    let k2 = db::api_keys::create_api_key(&client, shop.id, "b", b"k2", &[], None)
        .await
        .unwrap();
    let touched = db::api_keys::touch_api_keys(
        &client,
        &[
            db::api_keys::TouchApiKeysParams {
                id: k1.id,
                shop_id: shop.id,
            },
            db::api_keys::TouchApiKeysParams {
                id: k2.id,
                shop_id: shop.id,
            },
            db::api_keys::TouchApiKeysParams {
                id: k2.id,
                shop_id: owner.id,
            },
        ],
    )
    .await
    .unwrap();
    assert_eq!(touched, [1, 1, 0]);

    // :batchone — in order; a missing row fails the batch with NoRows.
    let member = db::users::create_user(&client, "member@example.com", None)
        .await
        .unwrap();
    db::members::add_member(&client, shop.id, member.id, MemberRole::Admin, None)
        .await
        .unwrap();
    let roles = db::members::member_roles(
        &client,
        &[
            db::members::MemberRolesParams {
                shop_id: shop.id,
                user_id: member.id,
            },
            db::members::MemberRolesParams {
                shop_id: shop.id,
                user_id: owner.id,
            },
        ],
    )
    .await
    .unwrap();
    assert_eq!(roles, [MemberRole::Admin, MemberRole::Owner]);
    let missing = db::members::member_roles(
        &client,
        &[db::members::MemberRolesParams {
            shop_id: shop.id,
            user_id: squill::re::uuid::Uuid::nil(),
        }],
    )
    .await
    .unwrap_err();
    assert!(missing.is_no_rows());

    // :batchmany — one Vec per parameter set.
    for sku in ["A-1", "A-2", "B-1"] {
        db::products::create_product(&client, shop.id, sku, sku, 100, &[], None)
            .await
            .unwrap();
    }
    let found = db::products::products_by_sku_patterns(
        &client,
        &[
            db::products::ProductsBySkuPatternsParams {
                shop_id: shop.id,
                pattern: "A-%",
            },
            db::products::ProductsBySkuPatternsParams {
                shop_id: shop.id,
                pattern: "Z-%",
            },
            db::products::ProductsBySkuPatternsParams {
                shop_id: shop.id,
                pattern: "B-%",
            },
        ],
    )
    .await
    .unwrap();
    let skus: Vec<Vec<&str>> = found
        .iter()
        .map(|set| set.iter().map(|p| p.sku.as_str()).collect())
        .collect();
    assert_eq!(skus, [vec!["A-1", "A-2"], vec![], vec!["B-1"]]);
    // The batch prepared its statement once, not once per element.
    assert_eq!(
        client
            .query_one(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                &[&db::products::PRODUCTS_BY_SKU_PATTERNS.sql]
            )
            .await
            .unwrap()
            .get::<_, i64>(0),
        1
    );
}
