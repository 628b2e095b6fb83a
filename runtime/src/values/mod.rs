//! PostgreSQL types that no standard crate represents the way PostgreSQL does, with their
//! binary `FromSql`/`ToSql`: generated code uses them for columns and parameters of those types.

mod composite;
pub mod geo;
mod interval;
mod macaddr8;
mod oid;
mod range;
mod text_search;
mod tid;
mod time_tz;
mod void;
mod xml;

pub use composite::{CompositeReader, CompositeWriter, composite_accepts};
pub use interval::Interval;
pub use macaddr8::MacAddr8;
pub use oid::{Cid, Money, Oid, Xid, Xid8};
pub use range::{Multirange, Range};
pub use text_search::{Lexeme, LexemePosition, TsQuery, TsQueryItem, TsVector, Weight};
pub use tid::Tid;
pub use time_tz::TimeTz;
pub use void::Void;
pub use xml::Xml;

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
