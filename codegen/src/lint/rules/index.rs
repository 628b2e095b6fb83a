//! `require-concurrent-index-creation`.

use super::{Ctx, REQUIRE_CONCURRENT_INDEX_CREATION, Sink, locks};

pub(super) fn check(ctx: &Ctx, sink: &mut Sink) {
    // Token-level, so an index sqlparser cannot parse (an unusual opclass, say) is still seen.
    let Some((table, concurrently)) = locks::create_index(ctx.stmt) else {
        return;
    };
    if concurrently || !ctx.is_existing(&table) {
        return;
    }
    sink.hits.push(
        ctx.hit(
            REQUIRE_CONCURRENT_INDEX_CREATION,
            ctx.stmt.start(),
            format!("creating an index on existing table \"{table}\" without CONCURRENTLY blocks writes to it"),
        )
        .label(format!("INSERT, UPDATE and DELETE on \"{table}\" wait until the index is built"))
        .note("CREATE INDEX holds a SHARE lock on the table for the whole build, which can take minutes on a large table")
        .help(
            "use CREATE INDEX CONCURRENTLY, in its own migration whose first line is \
             `-- squill:no-transaction` (CONCURRENTLY cannot run inside a transaction)",
        ),
    );
}
