//! `cargo run --release --example pooler_safe_cost`: what pooler-safe mode (one unnamed, typed
//! statement per call) costs next to the default (a named statement prepared once), on the
//! same server, alternating the two in rounds so that machine load hits both alike.
//! Prints the median per-call time of each and their ratio.

use std::time::{Duration, Instant};

use squill_demo::{ShopPlan, db};

const ROUNDS: usize = 41;
const CALLS: usize = 200;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = tokio::task::spawn_blocking(squill_codegen::live::TempServer::start).await??;
    let url = server.url("postgres");
    let named = squill_demo::connect_and_migrate(&url).await?;
    let config: tokio_postgres::Config = url.parse()?;
    let (raw, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let unnamed = squill::Client::pooler_safe(raw, db::USER_TYPES);

    let owner = db::users::create_user(&named, "cost@example.com", None).await?;
    let shop =
        db::shops::create_shop(&named, "Cost", ShopPlan::Growth, "EUR", None, owner.id).await?;
    for i in 0..100 {
        db::products::create_product(
            &named,
            shop.id,
            &format!("SKU-{i:03}"),
            "Item",
            100 + i,
            &[Some("tag")],
            None,
        )
        .await?;
    }

    println!("| query | default (named, cached) | pooler-safe (unnamed, typed) | ratio |");
    println!("|---|---:|---:|---:|");
    macro_rules! compare {
        ($label:expr, |$c:ident| $call:expr) => {{
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for round in 0..ROUNDS {
                for first in [round % 2 == 0, round % 2 == 1] {
                    let $c = if first { &named } else { &unnamed };
                    let started = Instant::now();
                    for _ in 0..CALLS {
                        $call.await?;
                    }
                    let per_call = started.elapsed() / CALLS as u32;
                    if first {
                        a.push(per_call)
                    } else {
                        b.push(per_call)
                    }
                }
            }
            let (a, b) = (median(a), median(b));
            println!(
                "| {} | {:.1?} | {:.1?} | {:.2} |",
                $label,
                a,
                b,
                b.as_secs_f64() / a.as_secs_f64()
            );
        }};
    }
    compare!("GetShop (:opt, 1 row, enum column)", |c| {
        db::shops::get_shop(c, shop.id)
    });
    compare!("ListProducts (:many, 100 rows)", |c| {
        db::products::list_products(c, shop.id)
    });
    compare!("TopProducts (:many, join + aggregate)", |c| {
        db::records::top_products(
            c,
            shop.id,
            squill::re::chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            squill::re::chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            10,
        )
    });
    Ok(())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}
