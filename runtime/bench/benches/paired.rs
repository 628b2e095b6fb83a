//! Paired, interleaved measurement of squill against its floor (hand-written tokio-postgres for
//! the async code, postgres for the blocking code), for the scenarios the issue sets targets
//! on. Criterion measures one implementation after the other, so a burst of load on this
//! 2-core machine (another build, autovacuum, the kernel) lands on one of them only; here each
//! round times a batch of the floor and a batch of squill back to back (in alternating order)
//! and keeps their ratio, and the median of the per-round ratios is reported. Both run on the
//! same connection, so the server does the same work for both.
//!
//! Two ratios per round: wall-clock time, and the CPU time of this (the only client) thread,
//! user + system, which counts what the client library costs (encoding, syscalls, decoding)
//! and not the time spent waiting for the server or for a core another process holds.
//! Writes target/paired.json, which the report prints next to criterion's numbers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use squill_bench::env::{Env, Target, pin_cpus};
use squill_bench::{model, seed};
use squill_codegen::live::TempServer;

const ROUNDS: usize = 61;
/// Each batch runs about this long.
const BATCH_TIME: Duration = Duration::from_millis(30);

/// Median, quartiles and the 95% confidence interval of the median of a set of ratios.
#[derive(Clone, Copy)]
struct Spread {
    median: f64,
    p25: f64,
    p75: f64,
    ci_lo: f64,
    ci_hi: f64,
}

impl Spread {
    fn of(mut ratios: Vec<f64>) -> Self {
        ratios.sort_by(f64::total_cmp);
        let n = ratios.len();
        let at = |q: f64| ratios[((n - 1) as f64 * q).round() as usize];
        // Distribution-free: the median lies between these order statistics with 95%
        // probability (normal approximation of the binomial, n/2 ± 0.98·√n).
        let half = 0.98 * (n as f64).sqrt();
        let lo = ((n as f64 / 2.0 - half).floor().max(0.0)) as usize;
        let hi = ((n as f64 / 2.0 + half).ceil() as usize).min(n - 1);
        Self {
            median: at(0.5),
            p25: at(0.25),
            p75: at(0.75),
            ci_lo: ratios[lo],
            ci_hi: ratios[hi],
        }
    }
}

struct Outcome {
    scenario: &'static str,
    imp: &'static str,
    wall: Spread,
    cpu: Spread,
}

/// CPU time (user + system) of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `run(squill)` `iters` times (the squill implementation when `squill`, else the floor);
/// returns the wall-clock and thread CPU time it took.
fn time(iters: u32, squill: bool, run: &mut impl FnMut(bool)) -> (Duration, Duration) {
    let cpu = thread_cpu();
    let start = Instant::now();
    for _ in 0..iters {
        run(squill);
    }
    (start.elapsed(), thread_cpu() - cpu)
}

/// The per-round ratios of squill over the floor, `ROUNDS` rounds; `run(true)` runs squill,
/// `run(false)` the floor (on the same connection); `setup` runs untimed before each round.
fn paired(
    scenario: &'static str,
    imp: &'static str,
    mut setup: impl FnMut(),
    mut run: impl FnMut(bool),
) -> Outcome {
    setup();
    // Warm up both (statement preparation, caches), then size the batches.
    time(3, false, &mut run);
    time(3, true, &mut run);
    // The fastest of 5 single runs sizes the batches (a slow one is load, not the query).
    let once = (0..5).map(|_| time(1, false, &mut run).0).min().unwrap();
    let iters = (BATCH_TIME.as_nanos() / once.as_nanos().max(1)).clamp(1, 100_000) as u32;
    let mut wall = Vec::with_capacity(ROUNDS);
    let mut cpu = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        setup();
        let (f, s) = if round % 2 == 0 {
            let f = time(iters, false, &mut run);
            (f, time(iters, true, &mut run))
        } else {
            let s = time(iters, true, &mut run);
            (time(iters, false, &mut run), s)
        };
        wall.push(s.0.as_secs_f64() / f.0.as_secs_f64());
        cpu.push(s.1.as_secs_f64() / f.1.as_secs_f64());
    }
    let outcome = Outcome {
        scenario,
        imp,
        wall: Spread::of(wall),
        cpu: Spread::of(cpu),
    };
    let (w, c) = (outcome.wall, outcome.cpu);
    println!(
        "{scenario:<20} {imp:<13} squill/floor wall {:.3} (95% CI {:.3}–{:.3})  client CPU {:.3} (95% CI {:.3}–{:.3})  [{ROUNDS} rounds of {iters}]",
        w.median, w.ci_lo, w.ci_hi, c.median, c.ci_lo, c.ci_hi
    );
    outcome
}

fn main() {
    // `cargo bench` passes --bench; a filter argument selects scenarios by substring.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |s: &str| filter.as_deref().is_none_or(|f| s.contains(f));
    let server = TempServer::start().expect("start a throwaway PostgreSQL");
    eprintln!("squill-bench: {}", pin_cpus(server.socket_dir()));
    let target = Target::new(server.socket_dir(), server.password());
    let mut env = Env::connect(&target);
    let mut out: Vec<Outcome> = Vec::new();
    let nothing = || {};

    for n in [1usize, 10_000] {
        let scenario: &'static str = if n == 1 {
            "select_users_1"
        } else {
            "select_users_10000"
        };
        if !wanted(scenario) {
            continue;
        }
        seed::users(&mut env.admin, n, false);
        let rt = &env.rt;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired(scenario, "squill_async", nothing, |squill| {
            if squill {
                black_box(rt.block_on(sa.all_users()));
            } else {
                black_box(rt.block_on(tp.all_users(&sa.client)));
            }
        }));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired(scenario, "squill_sync", nothing, |squill| {
            if squill {
                black_box(ss.all_users());
            } else {
                black_box(pg.all_users(ss.client.inner_mut()));
            }
        }));
    }

    if wanted("get_user_by_id") {
        seed::users(&mut env.admin, 10_000, false);
        let rt = &env.rt;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired(
            "get_user_by_id",
            "squill_async",
            nothing,
            |squill| {
                if squill {
                    black_box(rt.block_on(sa.get_user(4242)));
                } else {
                    black_box(rt.block_on(tp.get_user(&sa.client, 4242)));
                }
            },
        ));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired("get_user_by_id", "squill_sync", nothing, |squill| {
            if squill {
                black_box(ss.get_user(4242));
            } else {
                black_box(pg.get_user(ss.client.inner_mut(), 4242));
            }
        }));
    }

    if wanted("join_5000") {
        seed::users(&mut env.admin, 10_000, true);
        let rt = &env.rt;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired("join_5000", "squill_async", nothing, |squill| {
            if squill {
                black_box(rt.block_on(sa.users_with_posts("black")));
            } else {
                black_box(rt.block_on(tp.users_with_posts(&sa.client, "black")));
            }
        }));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired("join_5000", "squill_sync", nothing, |squill| {
            if squill {
                black_box(ss.users_with_posts("black"));
            } else {
                black_box(pg.users_with_posts(ss.client.inner_mut(), "black"));
            }
        }));
    }

    for n in [1usize, 10, 100] {
        let scenario: &'static str = match n {
            1 => "insert_1",
            10 => "insert_10",
            _ => "insert_100",
        };
        if !wanted(scenario) {
            continue;
        }
        let rows = model::new_users(n);
        let rows = &rows[..];
        let rt = &env.rt;
        let admin = &mut env.admin;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired(
            scenario,
            "squill_async",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(rt.block_on(sa.insert(rows)));
                } else {
                    black_box(rt.block_on(tp.insert(&sa.client, rows)));
                }
            },
        ));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired(
            scenario,
            "squill_sync",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(ss.insert(rows));
                } else {
                    black_box(pg.insert(ss.client.inner_mut(), rows));
                }
            },
        ));
    }

    if wanted("insert_unnest_100") {
        let rows = model::new_users(100);
        let (names, colors) = model::new_user_columns(&rows);
        let (names, colors) = (&names[..], &colors[..]);
        let rt = &env.rt;
        let admin = &mut env.admin;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired(
            "insert_unnest_100",
            "squill_async",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(rt.block_on(sa.insert_unnest(names, colors)));
                } else {
                    black_box(rt.block_on(tp.insert_unnest(&sa.client, names, colors)));
                }
            },
        ));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired(
            "insert_unnest_100",
            "squill_sync",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(ss.insert_unnest(names, colors));
                } else {
                    black_box(pg.insert_unnest(ss.client.inner_mut(), names, colors));
                }
            },
        ));
    }

    if wanted("bulk_insert_10000") {
        let rows = model::new_users(10_000);
        let rows = &rows[..];
        let rt = &env.rt;
        let admin = &mut env.admin;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired(
            "bulk_insert_10000",
            "squill_async",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(rt.block_on(sa.bulk_insert(rows)));
                } else {
                    black_box(rt.block_on(tp.bulk_insert(&sa.client, rows)));
                }
            },
        ));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired(
            "bulk_insert_10000",
            "squill_sync",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(ss.bulk_insert(rows));
                } else {
                    black_box(pg.bulk_insert(ss.client.inner_mut(), rows));
                }
            },
        ));
    }

    if wanted("bulk_copy_10000") {
        let rows = model::new_users(10_000);
        let sq = model::import_params(&rows);
        let (rows, sq) = (&rows[..], &sq[..]);
        let rt = &env.rt;
        let admin = &mut env.admin;
        let (tp, sa) = (&mut env.tokio_pg, &mut env.squill_async);
        out.push(paired(
            "bulk_copy_10000",
            "squill_async",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(rt.block_on(sa.bulk_copy(sq)));
                } else {
                    black_box(rt.block_on(tp.bulk_copy(&sa.client, rows)));
                }
            },
        ));
        let (pg, ss) = (&mut env.pg, &mut env.squill_sync);
        out.push(paired(
            "bulk_copy_10000",
            "squill_sync",
            || seed::truncate(admin),
            |squill| {
                if squill {
                    black_box(ss.bulk_copy(sq));
                } else {
                    black_box(pg.bulk_copy(ss.client.inner_mut(), rows));
                }
            },
        ));
    }

    let json: Vec<serde_json::Value> = out
        .iter()
        .map(|o| {
            serde_json::json!({
                "scenario": o.scenario, "imp": o.imp, "rounds": ROUNDS,
                "median": o.wall.median, "p25": o.wall.p25, "p75": o.wall.p75,
                "ci_lo": o.wall.ci_lo, "ci_hi": o.wall.ci_hi,
                "cpu_median": o.cpu.median, "cpu_p25": o.cpu.p25, "cpu_p75": o.cpu.p75,
                "cpu_ci_lo": o.cpu.ci_lo, "cpu_ci_hi": o.cpu.ci_hi,
            })
        })
        .collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/paired.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    println!("wrote {}", path.display());
    drop(env);
    drop(server);
}
