//! One implementation, one scenario, N calls, for a profiler:
//!
//! ```sh
//! cargo build --release --example profile
//! valgrind --tool=callgrind target/release/examples/profile squill_async select_10000 20
//! perf record -g target/release/examples/profile tokio_postgres join 500
//! ```
//!
//! Implementations: tokio_postgres, squill_async, postgres, squill_sync, and two variants of
//! `squill::many`'s row loop run on the generated queries through the public
//! `squill::GenericClient::query_raw` (finding 3 of BENCHMARKS.md): `squill_async_try_next`
//! (`try_next` instead of `next`) and `squill_async_match` (`try_next`, and the decoded row
//! pushed from a `match` on `from_row`'s result: the proposed fix; select and join only).
//! Scenarios: select_1, select_10000, get_user, join. Prints wall and client CPU time per call.

use std::hint::black_box;
use std::time::Instant;

use futures_util::{TryStreamExt, pin_mut};
use squill_bench::db::users;
use squill_bench::env::{Env, Target};
use squill_bench::seed;
use squill_codegen::live::TempServer;

/// `squill::many`'s loop with `try_next` instead of `next` + `map_err` + `?`.
async fn many_try_next(
    client: &squill::Client,
    query: &'static squill::Query,
) -> Result<Vec<users::AllUsersRow>, squill::Error> {
    let err = |e| squill::Error::new(query.name, squill::ErrorKind::Db(e));
    let stream = squill::GenericClient::query_raw(client, query, &[])
        .await
        .map_err(err)?;
    pin_mut!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(err)? {
        rows.push(<users::AllUsersRow as squill::FromRow>::from_row(&row).map_err(err)?);
    }
    Ok(rows)
}

async fn many_try_next_join(
    client: &squill::Client,
    query: &'static squill::Query,
) -> Result<Vec<users::UsersWithPostsRow>, squill::Error> {
    let err = |e| squill::Error::new(query.name, squill::ErrorKind::Db(e));
    let stream = squill::GenericClient::query_raw(client, query, &[&"black"])
        .await
        .map_err(err)?;
    pin_mut!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(err)? {
        rows.push(<users::UsersWithPostsRow as squill::FromRow>::from_row(&row).map_err(err)?);
    }
    Ok(rows)
}

/// `try_next`, and the decoded row pushed straight from `from_row`'s `Result` (a `match`
/// instead of `map_err(..)?`, which builds a second `Result` around the row).
async fn many_match<R: squill::FromRow>(
    client: &squill::Client,
    query: &'static squill::Query,
    params: &[squill::Param<'_>],
) -> Result<Vec<R>, squill::Error> {
    let err = |e| squill::Error::new(query.name, squill::ErrorKind::Db(e));
    let stream = squill::GenericClient::query_raw(client, query, params)
        .await
        .map_err(err)?;
    pin_mut!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(err)? {
        match R::from_row(&row) {
            Ok(r) => rows.push(r),
            Err(e) => return Err(err(e)),
        }
    }
    Ok(rows)
}

fn thread_cpu() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (imp, scenario) = (
        args.get(1).map_or("squill_async", |s| s),
        args.get(2).map_or("select_10000", |s| s),
    );
    let calls: u32 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(100);
    let server = TempServer::start().expect("start a throwaway PostgreSQL");
    let target = Target::new(server.socket_dir(), server.password());
    let mut env = Env::connect(&target);
    match scenario {
        "select_1" => seed::users(&mut env.admin, 1, false),
        "select_10000" | "get_user" => seed::users(&mut env.admin, 10_000, false),
        "join" => seed::users(&mut env.admin, 10_000, true),
        other => panic!("unknown scenario {other}"),
    }
    let Env {
        rt,
        tokio_pg: tp,
        squill_async: sa,
        pg,
        squill_sync: ss,
        ..
    } = &mut env;
    let mut run = || match (imp, scenario) {
        ("tokio_postgres", "select_1" | "select_10000") => {
            drop(black_box(rt.block_on(tp.all_users(&sa.client))))
        }
        ("squill_async", "select_1" | "select_10000") => {
            drop(black_box(rt.block_on(sa.all_users())))
        }
        ("postgres", "select_1" | "select_10000") => {
            drop(black_box(pg.all_users(ss.client.inner_mut())))
        }
        ("squill_sync", "select_1" | "select_10000") => drop(black_box(ss.all_users())),
        ("squill_async_try_next", "select_1" | "select_10000") => drop(black_box(
            rt.block_on(many_try_next(&sa.client, &users::ALL_USERS)),
        )),
        ("squill_async_try_next", "join") => {
            let q = &users::USERS_WITH_POSTS;
            drop(black_box(rt.block_on(many_try_next_join(&sa.client, q))))
        }
        ("squill_async_match", "select_1" | "select_10000") => drop(black_box(rt.block_on(
            many_match::<users::AllUsersRow>(&sa.client, &users::ALL_USERS, &[]),
        ))),
        ("squill_async_match", "join") => {
            let q = &users::USERS_WITH_POSTS;
            drop(black_box(rt.block_on(
                many_match::<users::UsersWithPostsRow>(&sa.client, q, &[&"black"]),
            )))
        }
        ("tokio_postgres", "get_user") => {
            drop(black_box(rt.block_on(tp.get_user(&sa.client, 4242))))
        }
        ("squill_async", "get_user") => drop(black_box(rt.block_on(sa.get_user(4242)))),
        ("postgres", "get_user") => drop(black_box(pg.get_user(ss.client.inner_mut(), 4242))),
        ("squill_sync", "get_user") => drop(black_box(ss.get_user(4242))),
        ("tokio_postgres", "join") => drop(black_box(
            rt.block_on(tp.users_with_posts(&sa.client, "black")),
        )),
        ("squill_async", "join") => drop(black_box(rt.block_on(sa.users_with_posts("black")))),
        ("postgres", "join") => drop(black_box(
            pg.users_with_posts(ss.client.inner_mut(), "black"),
        )),
        ("squill_sync", "join") => drop(black_box(ss.users_with_posts("black"))),
        other => panic!("unknown combination {other:?}"),
    };
    run();
    let (start, cpu) = (Instant::now(), thread_cpu());
    for _ in 0..calls {
        run();
    }
    println!(
        "{imp} {scenario}: {:?} per call, client CPU {:?} per call",
        start.elapsed() / calls,
        (thread_cpu() - cpu) / calls
    );
    drop(env);
    drop(server);
}
