//! `squill-demo <DATABASE_URL>`: migrates the database, then records a week of sales for a new
//! shop and prints the daily totals — the whole path from .sql files to typed Rust.

use squill::re::chrono::{Duration, NaiveDate};
use squill_demo::{RecordSource, ShopPlan, db};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .ok_or("usage: squill-demo <DATABASE_URL> (or set DATABASE_URL)")?;
    let mut client = squill_demo::connect_and_migrate(&url).await?;

    let email = format!("owner+{}@example.com", std::process::id());
    let owner = db::users::create_user(&client, &email, Some("Demo Owner")).await?;
    let shop = squill_demo::open_shop(&mut client, owner.id, "Demo Shop", ShopPlan::Growth).await?;
    let start = NaiveDate::from_ymd_opt(2026, 11, 16).ok_or("bad date")?;
    for offset in 0..7 {
        let day = start + Duration::days(offset);
        let (orders, revenue) = (10 + offset as i32, 12_500 * (offset + 1));
        db::records::upsert_daily_record(
            &client,
            shop.id,
            day,
            RecordSource::Online,
            orders,
            revenue,
            0,
            None,
        )
        .await?;
    }
    let end = start + Duration::days(6);
    println!("{} ({:?})", shop.name, shop.plan);
    for total in db::records::daily_totals(&client, shop.id, start, end).await? {
        println!(
            "{}  orders {:>3}  revenue {:>8.2}",
            total.day,
            total.orders,
            total.revenue_cents as f64 / 100.0
        );
    }
    db::shops::delete_shop(&client, shop.id).await?;
    db::users::delete_user(&client, owner.id).await?;
    Ok(())
}
