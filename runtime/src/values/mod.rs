//! PostgreSQL types that no standard crate represents the way PostgreSQL does, with their
//! binary `FromSql`/`ToSql`: generated code uses them for columns and parameters of those types.

mod composite;
mod interval;
mod oid;
mod range;
mod tid;
mod time_tz;
mod void;

pub use composite::{CompositeReader, CompositeWriter, composite_accepts};
pub use interval::Interval;
pub use oid::{Cid, Money, Oid, Xid, Xid8};
pub use range::{Multirange, Range};
pub use tid::Tid;
pub use time_tz::TimeTz;
pub use void::Void;

/// What a `FromSql`/`ToSql` implementation fails with.
pub(crate) type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// The first `N` bytes of `raw`, and the rest.
pub(crate) fn take<const N: usize>(raw: &[u8]) -> Result<([u8; N], &[u8]), BoxError> {
    if raw.len() < N {
        return Err(format!("expected {N} more bytes, got {}", raw.len()).into());
    }
    let (head, rest) = raw.split_at(N);
    Ok((head.try_into()?, rest))
}
