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

#[cfg(test)]
mod tests {
    use postgres_types::private::BytesMut;
    use postgres_types::{FromSql, ToSql, Type};

    use super::geo::{Circle, Path, Point, Polygon};
    use super::*;

    /// Every prefix of a valid value, and that value with each byte flipped, decodes to a value
    /// or an error: never a panic or an allocation the input does not justify.
    fn decodes_without_panic<T: for<'a> FromSql<'a> + ToSql>(value: &T, ty: &Type) {
        let mut out = BytesMut::new();
        value.to_sql(ty, &mut out).unwrap();
        for end in 0..out.len() {
            let _ = T::from_sql(ty, &out[..end]);
        }
        for i in 0..out.len() {
            let mut bytes = out.to_vec();
            bytes[i] ^= 0xff;
            let _ = T::from_sql(ty, &bytes);
        }
    }

    #[test]
    fn decoders_never_panic_on_damaged_input() {
        let p = |x, y| Point { x, y };
        decodes_without_panic(
            &Path {
                closed: false,
                points: vec![p(1.0, 2.0), p(3.0, 4.0)],
            },
            &Type::PATH,
        );
        decodes_without_panic(
            &Polygon {
                points: vec![p(0.0, 0.0)],
            },
            &Type::POLYGON,
        );
        decodes_without_panic(
            &Circle {
                center: p(0.0, 0.0),
                radius: 1.0,
            },
            &Type::CIRCLE,
        );
        decodes_without_panic(&MacAddr8([1; 8]), &Type::MACADDR8);
        decodes_without_panic(&Xml("<a>é</a>".into()), &Type::XML);
        decodes_without_panic(
            &TsVector(vec![Lexeme {
                word: "word".into(),
                positions: vec![LexemePosition {
                    position: 2,
                    weight: Weight::B,
                }],
            }]),
            &Type::TS_VECTOR,
        );
        decodes_without_panic(
            &TsQuery(vec![
                TsQueryItem::Phrase(3),
                TsQueryItem::Operand {
                    lexeme: "b".into(),
                    weights: 1,
                    prefix: true,
                },
                TsQueryItem::Operand {
                    lexeme: "a".into(),
                    weights: 0,
                    prefix: false,
                },
            ]),
            &Type::TSQUERY,
        );
    }
}
