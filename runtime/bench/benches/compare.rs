//! squill vs hand-written tokio-postgres/postgres, sqlx and diesel: diesel's benchmark
//! scenarios on one throwaway PostgreSQL that this harness starts (and stops) itself.
//! `cargo bench --bench compare`, then `cargo run --release --bin report` for the table;
//! `./run.sh` does everything.
//!
//! * Async implementations run on one current-thread tokio runtime (`block_on` per iteration).
//! * The hand-written floors run on the connection of the squill implementation of their
//!   flavour; sqlx and diesel on their own. The client is pinned to CPU 0 and the server to
//!   CPU 1 (see `env::pin_cpus`).
//! * Before each scenario every implementation runs once and its result is checked, so none
//!   can win by doing less.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use squill_bench::env::{Env, Target, pin_cpus};
use squill_bench::model::{self, tree_size};
use squill_bench::{diesel_impl, seed};
use squill_codegen::live::TempServer;

/// Benchmarks the async expression `$call`, run with `$rt.block_on`.
macro_rules! bench_async {
    ($group:expr, $id:literal, $rt:expr, $call:expr) => {
        $group.bench_function($id, |b| b.iter(|| $rt.block_on($call)))
    };
}

/// Benchmarks the blocking expression `$call`.
macro_rules! bench_sync {
    ($group:expr, $id:literal, $call:expr) => {
        $group.bench_function($id, |b| b.iter(|| $call))
    };
}

/// Benchmarks `$call` (an insert), emptying the table before every sample (untimed) so rows do
/// not pile up across the run.
macro_rules! bench_insert {
    ($group:expr, $id:literal, $admin:expr, $call:expr) => {
        $group.bench_function($id, |b| {
            seed::truncate($admin);
            b.iter(|| $call)
        })
    };
}

/// Bulk inserts: the table is emptied before every iteration, and only the insert is timed.
macro_rules! bench_bulk {
    ($group:expr, $id:literal, $admin:expr, $call:expr) => {
        $group.bench_function($id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    seed::truncate($admin);
                    let start = Instant::now();
                    black_box($call);
                    total += start.elapsed();
                }
                total
            })
        })
    };
}

fn main() {
    let server = TempServer::start().expect("start a throwaway PostgreSQL");
    eprintln!("squill-bench: {}", pin_cpus(server.socket_dir()));
    let target = Target::new(server.socket_dir(), server.password());
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
    let Env {
        rt,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        diesel: di,
        ..
    } = env;
    assert_eq!(rt.block_on(tp.all_users(&sa.client)).len(), n);
    assert_eq!(rt.block_on(sa.all_users()).len(), n);
    assert_eq!(rt.block_on(sx.all_users()).len(), n);
    assert_eq!(pg.all_users(ss.client.inner_mut()).len(), n);
    assert_eq!(ss.all_users().len(), n);
    assert_eq!(di.all_users().len(), n);

    let mut g = c.benchmark_group(format!("select_users_{n}"));
    if n >= 10_000 {
        g.measurement_time(Duration::from_secs(5));
    }
    bench_async!(g, "tokio_postgres", rt, tp.all_users(&sa.client));
    bench_async!(g, "squill_async", rt, sa.all_users());
    bench_async!(g, "sqlx", rt, sx.all_users());
    bench_sync!(g, "postgres", pg.all_users(ss.client.inner_mut()));
    bench_sync!(g, "squill_sync", ss.all_users());
    bench_sync!(g, "diesel", di.all_users());
    g.finish();
}

fn get_user_by_id(c: &mut Criterion, env: &mut Env) {
    seed::users(&mut env.admin, 10_000, false);
    let Env {
        rt,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        diesel: di,
        ..
    } = env;
    let id = 4242;
    let expected = "User 4241";
    assert_eq!(rt.block_on(tp.get_user(&sa.client, id)).name, expected);
    assert_eq!(rt.block_on(sa.get_user(id)).name, expected);
    assert_eq!(rt.block_on(sx.get_user(id)).name, expected);
    assert_eq!(pg.get_user(ss.client.inner_mut(), id).name, expected);
    assert_eq!(ss.get_user(id).name, expected);
    assert_eq!(di.get_user(id).name, expected);

    let mut g = c.benchmark_group("get_user_by_id");
    bench_async!(g, "tokio_postgres", rt, tp.get_user(&sa.client, id));
    bench_async!(g, "squill_async", rt, sa.get_user(id));
    bench_async!(g, "sqlx", rt, sx.get_user(id));
    bench_sync!(g, "postgres", pg.get_user(ss.client.inner_mut(), id));
    bench_sync!(g, "squill_sync", ss.get_user(id));
    bench_sync!(g, "diesel", di.get_user(id));
    g.finish();
}

fn join(c: &mut Criterion, env: &mut Env) {
    // diesel's medium complex data: 10 000 users, half of them black-haired, no posts.
    seed::users(&mut env.admin, 10_000, true);
    let Env {
        rt,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        diesel: di,
        ..
    } = env;
    let n = 5_000;
    let color = "black";
    assert_eq!(rt.block_on(tp.users_with_posts(&sa.client, color)).len(), n);
    assert_eq!(rt.block_on(sa.users_with_posts(color)).len(), n);
    assert_eq!(rt.block_on(sx.users_with_posts(color)).len(), n);
    assert_eq!(pg.users_with_posts(ss.client.inner_mut(), color).len(), n);
    assert_eq!(ss.users_with_posts(color).len(), n);
    assert_eq!(di.users_with_posts(color).len(), n);

    let mut g = c.benchmark_group("join_5000");
    g.measurement_time(Duration::from_secs(5));
    bench_async!(
        g,
        "tokio_postgres",
        rt,
        tp.users_with_posts(&sa.client, color)
    );
    bench_async!(g, "squill_async", rt, sa.users_with_posts(color));
    bench_async!(g, "sqlx", rt, sx.users_with_posts(color));
    bench_sync!(
        g,
        "postgres",
        pg.users_with_posts(ss.client.inner_mut(), color)
    );
    bench_sync!(g, "squill_sync", ss.users_with_posts(color));
    bench_sync!(g, "diesel", di.users_with_posts(color));
    g.finish();
}

fn insert(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let d = diesel_impl::rows(&rows);
    let (rows, d) = (&rows[..], &d[..]);
    let Env {
        rt,
        admin,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        diesel: di,
    } = env;
    let m = n as u64;
    seed::truncate(admin);
    assert_eq!(rt.block_on(tp.insert(&sa.client, rows)), m);
    assert_eq!(rt.block_on(sa.insert(rows)), m);
    assert_eq!(rt.block_on(sx.insert(rows)), m);
    assert_eq!(pg.insert(ss.client.inner_mut(), rows), m);
    assert_eq!(ss.insert(rows), m);
    assert_eq!(di.insert(d), m);
    let count: i64 = admin
        .query_one(
            "SELECT count(*) FROM users WHERE name = $1",
            &[&rows[0].name],
        )
        .unwrap()
        .get(0);
    assert_eq!(count, 6);

    let mut g = c.benchmark_group(format!("insert_{n}"));
    bench_insert!(
        g,
        "tokio_postgres",
        admin,
        rt.block_on(tp.insert(&sa.client, rows))
    );
    bench_insert!(g, "squill_async", admin, rt.block_on(sa.insert(rows)));
    bench_insert!(g, "sqlx", admin, rt.block_on(sx.insert(rows)));
    bench_insert!(g, "postgres", admin, pg.insert(ss.client.inner_mut(), rows));
    bench_insert!(g, "squill_sync", admin, ss.insert(rows));
    bench_insert!(g, "diesel", admin, di.insert(d));
    g.finish();
}

fn insert_unnest(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let (names, colors) = model::new_user_columns(&rows);
    let (names, colors) = (&names[..], &colors[..]);
    let Env {
        rt,
        admin,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        ..
    } = env;
    let m = n as u64;
    seed::truncate(admin);
    assert_eq!(rt.block_on(tp.insert_unnest(&sa.client, names, colors)), m);
    assert_eq!(rt.block_on(sa.insert_unnest(names, colors)), m);
    assert_eq!(rt.block_on(sx.insert_unnest(names, colors)), m);
    assert_eq!(pg.insert_unnest(ss.client.inner_mut(), names, colors), m);
    assert_eq!(ss.insert_unnest(names, colors), m);

    let mut g = c.benchmark_group(format!("insert_unnest_{n}"));
    bench_insert!(
        g,
        "tokio_postgres",
        admin,
        rt.block_on(tp.insert_unnest(&sa.client, names, colors))
    );
    bench_insert!(
        g,
        "squill_async",
        admin,
        rt.block_on(sa.insert_unnest(names, colors))
    );
    bench_insert!(
        g,
        "sqlx",
        admin,
        rt.block_on(sx.insert_unnest(names, colors))
    );
    bench_insert!(
        g,
        "postgres",
        admin,
        pg.insert_unnest(ss.client.inner_mut(), names, colors)
    );
    bench_insert!(g, "squill_sync", admin, ss.insert_unnest(names, colors));
    g.finish();
}

fn associations(c: &mut Criterion, env: &mut Env) {
    seed::associations(&mut env.admin);
    let Env {
        rt,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        diesel: di,
        ..
    } = env;
    let size = (100, 1_000, 10_000);
    assert_eq!(tree_size(&rt.block_on(tp.associations(&sa.client))), size);
    assert_eq!(tree_size(&rt.block_on(sa.associations())), size);
    assert_eq!(tree_size(&rt.block_on(sx.associations())), size);
    assert_eq!(tree_size(&pg.associations(ss.client.inner_mut())), size);
    assert_eq!(tree_size(&ss.associations()), size);
    assert_eq!(tree_size(&di.associations()), size);

    let mut g = c.benchmark_group("associations");
    g.measurement_time(Duration::from_secs(5));
    bench_async!(g, "tokio_postgres", rt, tp.associations(&sa.client));
    bench_async!(g, "squill_async", rt, sa.associations());
    bench_async!(g, "sqlx", rt, sx.associations());
    bench_sync!(g, "postgres", pg.associations(ss.client.inner_mut()));
    bench_sync!(g, "squill_sync", ss.associations());
    bench_sync!(g, "diesel", di.associations());
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
    let (rows, d) = (&rows[..], &d[..]);
    let Env {
        rt,
        admin,
        tokio_pg: tp,
        squill_async: sa,
        sqlx: sx,
        pg,
        squill_sync: ss,
        diesel: di,
    } = env;
    let m = n as u64;
    seed::truncate(admin);
    assert_eq!(rt.block_on(tp.bulk_insert(&sa.client, rows)), m);
    assert_eq!(rt.block_on(sa.bulk_insert(rows)), m);
    assert_eq!(rt.block_on(sx.bulk_insert(rows)), m);
    assert_eq!(pg.bulk_insert(ss.client.inner_mut(), rows), m);
    assert_eq!(ss.bulk_insert(rows), m);
    assert_eq!(di.bulk_insert(d), m);

    let mut g = bulk_group(c, format!("bulk_insert_{n}"), n);
    bench_bulk!(
        g,
        "tokio_postgres",
        admin,
        rt.block_on(tp.bulk_insert(&sa.client, rows))
    );
    bench_bulk!(g, "squill_async", admin, rt.block_on(sa.bulk_insert(rows)));
    bench_bulk!(g, "sqlx", admin, rt.block_on(sx.bulk_insert(rows)));
    bench_bulk!(
        g,
        "postgres",
        admin,
        pg.bulk_insert(ss.client.inner_mut(), rows)
    );
    bench_bulk!(g, "squill_sync", admin, ss.bulk_insert(rows));
    bench_bulk!(g, "diesel", admin, di.bulk_insert(d));
    g.finish();
}

fn bulk_copy(c: &mut Criterion, env: &mut Env, n: usize) {
    let rows = model::new_users(n);
    let d = diesel_impl::rows(&rows);
    let sq = model::import_params(&rows);
    let (rows, d, sq) = (&rows[..], &d[..], &sq[..]);
    let Env {
        rt,
        admin,
        tokio_pg: tp,
        squill_async: sa,
        pg,
        squill_sync: ss,
        diesel: di,
        ..
    } = env;
    let m = n as u64;
    seed::truncate(admin);
    assert_eq!(rt.block_on(tp.bulk_copy(&sa.client, rows)), m);
    assert_eq!(rt.block_on(sa.bulk_copy(sq)), m);
    assert_eq!(pg.bulk_copy(ss.client.inner_mut(), rows), m);
    assert_eq!(ss.bulk_copy(sq), m);
    assert_eq!(di.bulk_copy(d), m);

    let mut g = bulk_group(c, format!("bulk_copy_{n}"), n);
    bench_bulk!(
        g,
        "tokio_postgres",
        admin,
        rt.block_on(tp.bulk_copy(&sa.client, rows))
    );
    bench_bulk!(g, "squill_async", admin, rt.block_on(sa.bulk_copy(sq)));
    bench_bulk!(
        g,
        "postgres",
        admin,
        pg.bulk_copy(ss.client.inner_mut(), rows)
    );
    bench_bulk!(g, "squill_sync", admin, ss.bulk_copy(sq));
    bench_bulk!(g, "diesel", admin, di.bulk_copy(d));
    g.finish();
}
