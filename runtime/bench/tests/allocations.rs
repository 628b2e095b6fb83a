//! Allocations per call: squill's generated code against the same call hand-written with the
//! driver holding its `Statement` (the issue: "zero allocations per call for passing
//! parameters; row decoding allocates only what the row's fields need").
//!
//! A counting global allocator (per thread: the client, tokio's current-thread runtime and the
//! `postgres` crate's connection all run on the test's thread) counts every allocation made
//! during N calls after a warm-up. Whatever the driver allocates per call (its request buffer,
//! the response channel, the row's buffer) is in both counts; what squill adds on top would
//! show up as a difference. The claim tested is machine-independent: squill ≤ hand-written.
//!
//! `cargo test --release --test allocations -- --include-ignored --nocapture` prints the
//! counts (the blocking test is ignored while it documents a known gap; see below).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use squill_bench::db::{inserts, users};
use squill_bench::env::{Target, create_schema, tokio_client};
use squill_bench::{seed, tokio_pg};
use squill_codegen::live::TempServer;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn count(size: usize) {
    // try_with: the thread-locals may be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
    let _ = BYTES.try_with(|b| b.set(b.get() + size as u64));
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CALLS: usize = 200;

/// Allocations made by one call: the most common count over `CALLS` calls (after 20 warm-up
/// calls), with its bytes; the driver's buffers grow now and then, which adds an allocation to
/// an odd call and is not the call's steady-state cost.
#[derive(Debug, Clone, Copy)]
struct PerCall {
    allocations: u64,
    bytes: u64,
    mean: f64,
}

fn per_call(mut f: impl FnMut()) -> PerCall {
    for _ in 0..20 {
        f();
    }
    let mut counts = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let (a0, b0) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
        f();
        let (a1, b1) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
        counts.push((a1 - a0, b1 - b0));
    }
    let mean = counts.iter().map(|c| c.0).sum::<u64>() as f64 / CALLS as f64;
    let mut histogram = std::collections::HashMap::new();
    for c in &counts {
        *histogram.entry(*c).or_insert(0) += 1;
    }
    let ((allocations, bytes), _) = histogram
        .into_iter()
        .max_by_key(|(c, n)| (*n, std::cmp::Reverse(*c)))
        .unwrap();
    PerCall {
        allocations,
        bytes,
        mean,
    }
}

fn report(what: &str, squill: PerCall, floor: PerCall) {
    report_allowing(what, squill, floor, 0);
}

/// Like [`report`], allowing `extra` documented allocations over the hand-written call.
fn report_allowing(what: &str, squill: PerCall, floor: PerCall, extra: u64) {
    println!(
        "{what:<58} squill {:>2} allocs {:>4} B (mean {:.2}) | hand-written {:>2} allocs {:>4} B (mean {:.2})",
        squill.allocations, squill.bytes, squill.mean, floor.allocations, floor.bytes, floor.mean
    );
    assert!(
        squill.allocations <= floor.allocations + extra,
        "{what}: squill allocates more per call ({}) than hand-written code ({}) allows",
        squill.allocations,
        floor.allocations
    );
}

/// A server with the schema and 100 users ("User 0" … "User 99", ids 1 … 100).
fn server() -> (TempServer, Target) {
    let server = TempServer::start().expect("start a throwaway PostgreSQL");
    let target = Target::new(server.socket_dir(), server.password());
    let mut admin = target.admin();
    create_schema(&mut admin);
    seed::users(&mut admin, 100, true);
    (server, target)
}

#[test]
fn async_calls_allocate_no_more_than_hand_written_code() {
    let (_server, target) = server();
    let name = String::from("User 41");
    let new_name = String::from("Ada Lovelace");
    let hair: Option<&str> = Some("brown");

    // squill::Client vs tokio-postgres holding its Statements, on the same connection.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = squill::Client::new(rt.block_on(tokio_client(&target)));
    let (get_user, by_name, insert_user) = rt.block_on(async {
        (
            client.prepare(users::GET_USER.sql).await.unwrap(),
            client.prepare(users::GET_USER_BY_NAME.sql).await.unwrap(),
            client.prepare(inserts::INSERT_USERS1.sql).await.unwrap(),
        )
    });

    let squill = per_call(|| {
        let row = rt
            .block_on(users::get_user_by_name(&client, &name))
            .unwrap();
        assert_eq!(row.id, 42);
    });
    let floor = per_call(|| {
        let row = rt
            .block_on(client.query_one(&by_name, &[&name.as_str()]))
            .unwrap();
        assert_eq!(tokio_pg::user(&row).id, 42);
    });
    report(
        "async `:one` GetUserByName(&str) -> {id, name, hair_color}",
        squill,
        floor,
    );

    let squill = per_call(|| {
        let row = rt.block_on(users::get_user(&client, 42)).unwrap();
        assert_eq!(row.id, 42);
    });
    let floor = per_call(|| {
        let row = rt.block_on(client.query_one(&get_user, &[&42i32])).unwrap();
        assert_eq!(tokio_pg::user(&row).id, 42);
    });
    report(
        "async `:one` GetUser(i32) -> {id, name, hair_color}",
        squill,
        floor,
    );

    let squill = per_call(|| {
        let n = rt
            .block_on(inserts::insert_users1(&client, &new_name, hair))
            .unwrap();
        assert_eq!(n, 1);
    });
    let floor = per_call(|| {
        let n = rt
            .block_on(client.execute(&insert_user, &[&new_name.as_str(), &hair]))
            .unwrap();
        assert_eq!(n, 1);
    });
    report(
        "async `:execrows` InsertUsers1(&str, Option<&str>)",
        squill,
        floor,
    );
}

/// Blocking `:one`/`:opt` run the whole query in one trip through the driver's runtime, like
/// `postgres`'s own `query_one`, but collect the rows into a `Vec` to tell "no row" from "more
/// than one" (distinct errors, which `query_one`'s generic row-count error cannot give): one
/// allocation more, and no more than that.
#[test]
fn blocking_calls_allocate_no_more_than_hand_written_code() {
    let (_server, target) = server();
    let name = String::from("User 41");
    let new_name = String::from("Ada Lovelace");
    let hair: Option<&str> = Some("brown");

    // squill::blocking::Client vs postgres holding its Statements, on the same connection.
    let mut client =
        squill::blocking::Client::new(target.sync_config().connect(postgres::NoTls).unwrap());
    let get_user = client.inner_mut().prepare(users::GET_USER.sql).unwrap();
    let by_name = client
        .inner_mut()
        .prepare(users::GET_USER_BY_NAME.sql)
        .unwrap();
    let insert_user = client
        .inner_mut()
        .prepare(inserts::INSERT_USERS1.sql)
        .unwrap();

    // Parameters alone: an insert, no rows to decode.
    let squill = per_call(|| {
        let n = inserts::blocking::insert_users1(&mut client, &new_name, hair).unwrap();
        assert_eq!(n, 1);
    });
    let floor = per_call(|| {
        let n = client
            .inner_mut()
            .execute(&insert_user, &[&new_name.as_str(), &hair])
            .unwrap();
        assert_eq!(n, 1);
    });
    report(
        "sync  `:execrows` InsertUsers1(&str, Option<&str>)",
        squill,
        floor,
    );

    let squill = per_call(|| {
        let row = users::blocking::get_user_by_name(&mut client, &name).unwrap();
        assert_eq!(row.id, 42);
    });
    let floor = per_call(|| {
        let row = client
            .inner_mut()
            .query_one(&by_name, &[&name.as_str()])
            .unwrap();
        assert_eq!(tokio_pg::user(&row).id, 42);
    });
    report_allowing(
        "sync  `:one` GetUserByName(&str) -> {id, name, hair_color}",
        squill,
        floor,
        1,
    );

    let squill = per_call(|| {
        let row = users::blocking::get_user(&mut client, 42).unwrap();
        assert_eq!(row.id, 42);
    });
    let floor = per_call(|| {
        let row = client.inner_mut().query_one(&get_user, &[&42i32]).unwrap();
        assert_eq!(tokio_pg::user(&row).id, 42);
    });
    report_allowing(
        "sync  `:one` GetUser(i32) -> {id, name, hair_color}",
        squill,
        floor,
        1,
    );
}
