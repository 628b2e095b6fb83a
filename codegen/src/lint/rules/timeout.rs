//! `require-timeout-settings`: a statement that locks an existing table, with no
//! `SET lock_timeout` before it in the file.
//!
//! Waiting for a lock is the dangerous part: while the migration queues behind a long query,
//! every other query on the table queues behind the migration. Reported once per file, at the
//! first such statement, since one `SET` at the top fixes them all.

use super::{Ctx, REQUIRE_TIMEOUT_SETTINGS, Sink, locks};

#[derive(Debug, Default)]
pub(super) struct State {
    timeout_set: bool,
    reported: bool,
}

pub(super) fn check(ctx: &Ctx, state: &mut State, sink: &mut Sink) {
    if locks::sets_lock_timeout(ctx.stmt) {
        state.timeout_set = true;
    }
    if state.timeout_set || state.reported {
        return;
    }
    let Some(lock) = locks::taken(ctx) else {
        return;
    };
    state.reported = true;
    let what = match &lock.table {
        Some(table) => format!(
            "`{}` locks existing table \"{table}\" with no lock_timeout set",
            lock.statement
        ),
        None => format!(
            "`{}` locks its table with no lock_timeout set",
            lock.statement
        ),
    };
    sink.hits.push(
        ctx.hit(REQUIRE_TIMEOUT_SETTINGS, ctx.stmt.start(), what)
            .label("waits for its lock as long as it takes")
            .note(
                "while this statement waits behind a long-running query, every other query on the table waits \
                 behind it: a short lock becomes an outage",
            )
            .note(
                "`squill migrate` sets lock_timeout for every migration by default; if that is how you apply \
                 migrations, turn this rule off with `--disable require-timeout-settings`",
            )
            .help("start the migration with `SET lock_timeout = '5s';` and retry the migration if it times out"),
    );
}
