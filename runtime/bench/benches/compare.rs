//! squill vs hand-written tokio-postgres/postgres, sqlx and diesel: diesel's benchmark
//! scenarios, every implementation on its own connection to one throwaway PostgreSQL that this
//! harness starts (and stops) itself. `cargo bench` here, then `cargo run --release --bin
//! report` for the table; `./run.sh` does both.
//!
//! Async implementations run on one current-thread tokio runtime (`block_on` per iteration).
//! Before each scenario every implementation runs once and its result is checked, so none can
//! win by doing less.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use squill_bench::env::{Env, Target};
use squill_bench::model::{self, NewUser, tree_size};
use squill_bench::{diesel_impl, seed};
use squill_codegen::live::TempServer;

/// Benchmarks `$call` (an async expression on `$x`, an implementation) run with `block_on`.
macro_rules! bench_async {
    ($group:expr, $id:literal, $rt:expr, $imp:expr, |$x:ident| $call:expr) => {{
        let rt = &$rt;
        let $x = &mut $imp;
        $group.bench_function($id, |b| b.iter(|| rt.block_on($call)));
    }};
}

/// Benchmarks `$call`, a blocking expression on `$x`.
macro_rules! bench_sync {
    ($group:expr, $id:literal, $imp:expr, |$x:ident| $call:expr) => {{
        let $x = &mut $imp;
        $group.bench_function($id, |b| b.iter(|| $call));
    }};
}

/// Like the above, but the table is emptied (untimed) before every sample, so inserts do not
/// pile up across the run.
macro_rules! bench_insert {
    ($group:expr, $id:literal, $admin:expr, $rt:expr, $imp:expr, |$x:ident| async $call:expr) => {{
        let rt = &$rt;
        let admin = &mut $admin;
        let $x = &mut $imp;
        $group.bench_function($id, |b| {
            seed::truncate(admin);
            b.iter(|| rt.block_on($call))
        });
    }};
    ($group:expr, $id:literal, $admin:expr, $imp:expr, |$x:ident| $call:expr) => {{
        let admin = &mut $admin;
        let $x = &mut $imp;
        $group.bench_function($id, |b| {
            seed::truncate(admin);
            b.iter(|| $call)
        });
    }};
}

/// Bulk inserts: the table is emptied before every iteration, and only the insert is timed.
macro_rules! bench_bulk {
    ($group:expr, $id:literal, $admin:expr, $run:expr) => {{
        let admin = &mut $admin;
        let mut run = $run;
        $group.bench_function($id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    seed::truncate(admin);
                    let start = Instant::now();
                    black_box(run());
                    total += start.elapsed();
                }
                total
            })
        });
    }};
}

fn main() {
    let server = TempServer::start().expect("start a throwaway PostgreSQL");
    let target = Target::new(server.socket_dir());
    let mut env = Env::connect(&target);
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    for n in [1, 100, 10_000] {
        select_users(&mut c, &mut env, n);
    }
    get_user_by_id(&mut c, &mut env);
    join(&mut c, &mut env);
    for n in [1, 10, 100] {
        insert(&mut c, &mut env, n);
    }
    insert_unnest(&mut c, &mut env, 100);
    associations(&mut c, &mut env);
    for n in [10_000, 100_000] {
        bulk_insert(&mut c, &mut env, n);
    }
    for n in [10_000, 100_000] {
        bulk_copy(&mut c, &mut env, n);
    }

    c.final_summary();
    drop(env);
    drop(server);
}

fn select_users(c: &mut Criterion, env: &mut Env, n: usize) {
    seed::users(&mut env.admin, n, false);
    let rt = &env.rt;
    assert_eq!(rt.block_on(env.tokio_pg.all_users()).len(), n);
    assert_eq!(rt.block_on(env.squill_async.all_users()).len(), n);
    assert_eq!(rt.block_on(env.sqlx.all_users()).len(), n);
    assert_eq!(env.pg.all_users().len(), n);
    assert_eq!(env.squill_sync.all_users().len(), n);
    assert_eq!(env.diesel.all_users().len(), n);

    let mut g = c.benchmark_group(format!("select_users_{n}"));
    if n >= 10_000 {
        g.measurement_time(Duration::from_secs(5));
    }
    bench_async!(g, "tokio_postgres", env.rt, env.tokio_pg, |x| x.all_users());
    bench_async!(g, "squill_async", env.rt, env.squill_async, |x| x.all_users());
    bench_async!(g, "sqlx", env.rt, env.sqlx, |x| x.all_users());
    bench_sync!(g, "postgres", env.pg, |x| x.all_users());
    bench_sync!(g, "squill_sync", env.squill_sync, |x| x.all_users());
    bench_sync!(g, "diesel", env.diesel, |x| x.all_users());
    g.finish();
}

fn get_user_by_id(c: &mut Criterion, env: &mut Env) {
    seed::users(&mut env.admin, 10_000, false);
    let id = 4242;
    let rt = &env.rt;
    let expected = "User 4241";
    assert_eq!(rt.block_on(env.tokio_pg.get_user(id)).name, expected);
    assert_eq!(rt.block_on(env.squill_async.get_user(id)).name, expected);
    assert_eq!(rt.block_on(env.sqlx.get_user(id)).name, expected);
    assert_eq!(env.pg.get_user(id).name, expected);
    assert_eq!(env.squill_sync.get_user(id).name, expected);
    assert_eq!(env.diesel.get_user(id).name, expected);

    let mut g = c.benchmark_group("get_user_by_id");
    bench_async!(g, "tokio_postgres", env.rt, env.tokio_pg, |x| x.get_user(id));
    bench_async!(g, "squill_async", env.rt, env.squill_async, |x| x.get_user(id));
    bench_async!(g, "sqlx", env.rt, env.sqlx, |x| x.get_user(id));
    bench_sync!(g, "postgres", env.pg, |x| x.get_user(id));
    bench_sync!(g, "squill_sync", env.squill_sync, |x| x.get_user(id));
    bench_sync!(g, "diesel", env.diesel, |x| x.get_user(id));
    g.finish();
}

fn join(c: &mut Criterion, env: &mut Env) {
    // diesel's medium complex data: 10 000 users, half of them black-haired, no posts.
    seed::users(&mut env.admin, 10_000, true);
    let rt = &env.rt;
    let n = 5_000;
    assert_eq!(rt.block_on(env.tokio_pg.users_with_posts("black")).len(), n);
    assert_eq!(rt.block_on(env.squill_async.users_with_posts("black")).len(), n);
    assert_eq!(rt.block_on(env.sqlx.users_with_posts("black")).len(), n);
    assert_eq!(env.pg.users_with_posts("black").len(), n);
    assert_eq!(env.squill_sync.users_with_posts("black").len(), n);
    assert_eq!(env.diesel.users_with_posts("black").len(), n);

    let mut g = c.benchmark_group("join_5000");
    g.measurement_time(Duration::from_secs(5));
    bench_async!(g, "tokio_postgres", env.rt, env.tokio_pg, |x| x
        .users_with_posts("black"));
    bench_async!(g, "squill_async", env.rt, env.squill_async, |x| x
        .users_with_posts("black"));
    bench_async!(g, "sqlx", env.rt, env.sqlx, |x| x.users_with_posts("black"));
    bench_sync!(g, "postgres", env.pg, |x| x.users_with_posts("black"));
    bench_sync!(g, "squill_sync", env.squill_sync, |x| x
        .users_with_posts("black"));
    bench_sync!(g, "diesel", env.diesel, |x| x.users_with_posts("black"));
    g.finish();
}

fn check_inserts(env: &mut Env, rows: &[NewUser]) {
    let n = rows.len() as u64;
    let d = diesel_impl::rows(rows);
    seed::truncate(&mut env.admin);
    assert_eq!(env.rt.block_on(env.tokio_pg.insert(rows)), n);
    assert_eq!(env.rt.block_on(env.squill_async.insert(rows)), n);
    assert_eq!(env.rt.block_on(env.sqlx.insert(rows)), n);
    assert_eq!(env.pg.insert(rows), n);
    assert_eq!(env.squill_sync.insert(rows), n);
    assert_eq!(env.diesel.insert(&d), n);
    let count: i64 = env
        .admin
        .query_one("SELECT count(*) FROM users WHERE name = $1", &[&rows[0].name])
        .unwrap()
        .get(0);
    assert_eq!(count, 6);
}

fn insert(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let d = diesel_impl::rows(&rows);
    check_inserts(env, &rows);

    let rows = &rows[..];
    let d = &d[..];
    let mut g = c.benchmark_group(format!("insert_{n}"));
    bench_insert!(g, "tokio_postgres", env.admin, env.rt, env.tokio_pg, |x| async x
        .insert(rows));
    bench_insert!(g, "squill_async", env.admin, env.rt, env.squill_async, |x| async x
        .insert(rows));
    bench_insert!(g, "sqlx", env.admin, env.rt, env.sqlx, |x| async x.insert(rows));
    bench_insert!(g, "postgres", env.admin, env.pg, |x| x.insert(rows));
    bench_insert!(g, "squill_sync", env.admin, env.squill_sync, |x| x.insert(rows));
    bench_insert!(g, "diesel", env.admin, env.diesel, |x| x.insert(d));
    g.finish();
}

fn insert_unnest(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let (names, colors) = model::new_user_columns(&rows);
    let (names, colors) = (&names[..], &colors[..]);
    let m = n as u64;
    seed::truncate(&mut env.admin);
    assert_eq!(env.rt.block_on(env.tokio_pg.insert_unnest(names, colors)), m);
    assert_eq!(env.rt.block_on(env.squill_async.insert_unnest(names, colors)), m);
    assert_eq!(env.rt.block_on(env.sqlx.insert_unnest(names, colors)), m);
    assert_eq!(env.pg.insert_unnest(names, colors), m);
    assert_eq!(env.squill_sync.insert_unnest(names, colors), m);

    let mut g = c.benchmark_group(format!("insert_unnest_{n}"));
    bench_insert!(g, "tokio_postgres", env.admin, env.rt, env.tokio_pg, |x| async x
        .insert_unnest(names, colors));
    bench_insert!(g, "squill_async", env.admin, env.rt, env.squill_async, |x| async x
        .insert_unnest(names, colors));
    bench_insert!(g, "sqlx", env.admin, env.rt, env.sqlx, |x| async x
        .insert_unnest(names, colors));
    bench_insert!(g, "postgres", env.admin, env.pg, |x| x.insert_unnest(names, colors));
    bench_insert!(g, "squill_sync", env.admin, env.squill_sync, |x| x
        .insert_unnest(names, colors));
    g.finish();
}

fn associations(c: &mut Criterion, env: &mut Env) {
    seed::associations(&mut env.admin);
    let rt = &env.rt;
    let size = (100, 1_000, 10_000);
    assert_eq!(tree_size(&rt.block_on(env.tokio_pg.associations())), size);
    assert_eq!(tree_size(&rt.block_on(env.squill_async.associations())), size);
    assert_eq!(tree_size(&rt.block_on(env.sqlx.associations())), size);
    assert_eq!(tree_size(&env.pg.associations()), size);
    assert_eq!(tree_size(&env.squill_sync.associations()), size);
    assert_eq!(tree_size(&env.diesel.associations()), size);

    let mut g = c.benchmark_group("associations");
    g.measurement_time(Duration::from_secs(5));
    bench_async!(g, "tokio_postgres", env.rt, env.tokio_pg, |x| x.associations());
    bench_async!(g, "squill_async", env.rt, env.squill_async, |x| x.associations());
    bench_async!(g, "sqlx", env.rt, env.sqlx, |x| x.associations());
    bench_sync!(g, "postgres", env.pg, |x| x.associations());
    bench_sync!(g, "squill_sync", env.squill_sync, |x| x.associations());
    bench_sync!(g, "diesel", env.diesel, |x| x.associations());
    g.finish();
}

fn bulk_group<'a>(c: &'a mut Criterion, name: String, n: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(if n > 10_000 { 10 } else { 4 }));
    g
}

fn bulk_insert(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let d = diesel_impl::rows(&rows);
    let m = n as u64;
    let rows = &rows[..];
    let d = &d[..];
    seed::truncate(&mut env.admin);
    assert_eq!(env.rt.block_on(env.tokio_pg.bulk_insert(rows)), m);
    assert_eq!(env.rt.block_on(env.squill_async.bulk_insert(rows)), m);
    assert_eq!(env.rt.block_on(env.sqlx.bulk_insert(rows)), m);
    assert_eq!(env.pg.bulk_insert(rows), m);
    assert_eq!(env.squill_sync.bulk_insert(rows), m);
    assert_eq!(env.diesel.bulk_insert(d), m);

    let mut g = bulk_group(c, format!("bulk_insert_{n}"), n);
    let rt = &env.rt;
    let (tp, sa, sx) = (&mut env.tokio_pg, &mut env.squill_async, &mut env.sqlx);
    bench_bulk!(g, "tokio_postgres", env.admin, || rt.block_on(tp.bulk_insert(rows)));
    bench_bulk!(g, "squill_async", env.admin, || rt.block_on(sa.bulk_insert(rows)));
    bench_bulk!(g, "sqlx", env.admin, || rt.block_on(sx.bulk_insert(rows)));
    let (pg, ss, di) = (&mut env.pg, &mut env.squill_sync, &mut env.diesel);
    bench_bulk!(g, "postgres", env.admin, || pg.bulk_insert(rows));
    bench_bulk!(g, "squill_sync", env.admin, || ss.bulk_insert(rows));
    bench_bulk!(g, "diesel", env.admin, || di.bulk_insert(d));
    g.finish();
}

fn bulk_copy(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let d = diesel_impl::rows(&rows);
    let m = n as u64;
    let rows = &rows[..];
    let d = &d[..];
    seed::truncate(&mut env.admin);
    assert_eq!(env.rt.block_on(env.tokio_pg.bulk_copy(rows)), m);
    assert_eq!(env.pg.bulk_copy(rows), m);
    assert_eq!(env.diesel.bulk_copy(d), m);

    let mut g = bulk_group(c, format!("bulk_copy_{n}"), n);
    let rt = &env.rt;
    let tp = &mut env.tokio_pg;
    bench_bulk!(g, "tokio_postgres", env.admin, || rt.block_on(tp.bulk_copy(rows)));
    let (pg, di) = (&mut env.pg, &mut env.diesel);
    bench_bulk!(g, "postgres", env.admin, || pg.bulk_copy(rows));
    bench_bulk!(g, "diesel", env.admin, || di.bulk_copy(d));
    g.finish();
}
