//! squill's benchmark suite: the scenarios of diesel's public benchmarks (`diesel_bench`), run
//! side by side on one PostgreSQL by
//!
//! * squill's generated code, async ([`squill::Client`]) and blocking
//!   ([`squill::blocking::Client`]);
//! * hand-written `tokio-postgres` and `postgres` holding prepared `Statement`s and decoding by
//!   column index (the floor every squill number is divided by);
//! * sqlx 0.8 (`query_as` + `#[derive(FromRow)]`, checked at run time);
//! * diesel 2 (blocking, libpq).
//!
//! `benches/compare.rs` drives them with criterion; `src/bin/report.rs` turns criterion's
//! estimates into the table of `BENCHMARKS.md`.

pub mod db {
    squill::include_generated!();
}

pub mod diesel_impl;
pub mod env;
pub mod model;
pub mod pg_sync;
pub mod scenarios;
pub mod seed;
pub mod spread;
pub mod sqlx_impl;
pub mod squill_async;
pub mod squill_sync;
pub mod tokio_pg;
