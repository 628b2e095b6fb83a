//! Ranges and multiranges of any element type, in PostgreSQL's binary format.

use std::error::Error as StdError;
use std::ops::Bound;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

const EMPTY: u8 = 0x01;
const LOWER_INCLUSIVE: u8 = 0x02;
const UPPER_INCLUSIVE: u8 = 0x04;
const LOWER_INFINITE: u8 = 0x08;
const UPPER_INFINITE: u8 = 0x10;

/// A value of a range type (`int4range`, `tstzrange`, a schema's own range, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Range<T> {
    /// `'empty'`.
    Empty,
    /// Between two bounds (PostgreSQL normalizes discrete ranges to `[lower, upper)`).
    Bounded { lower: Bound<T>, upper: Bound<T> },
}

impl<T> Range<T> {
    pub fn new(lower: Bound<T>, upper: Bound<T>) -> Self {
        Range::Bounded { lower, upper }
    }
}

/// A value of a multirange type: its ranges in PostgreSQL's (sorted, merged) order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Multirange<T>(pub Vec<Range<T>>);

fn element(ty: &Type) -> Option<&Type> {
    match ty.kind() {
        Kind::Range(element) => Some(element),
        _ => None,
    }
}

fn read_bound<'a, T: FromSql<'a>>(
    element: &Type,
    raw: &'a [u8],
    infinite: bool,
    inclusive: bool,
) -> Result<(Bound<T>, &'a [u8]), super::BoxError> {
    if infinite {
        return Ok((Bound::Unbounded, raw));
    }
    let (len, rest) = super::take::<4>(raw)?;
    let len = usize::try_from(i32::from_be_bytes(len)).map_err(|_| "a range bound is NULL")?;
    if rest.len() < len {
        return Err("truncated range bound".into());
    }
    let (value, rest) = rest.split_at(len);
    let value = T::from_sql(element, value)?;
    Ok((
        if inclusive {
            Bound::Included(value)
        } else {
            Bound::Excluded(value)
        },
        rest,
    ))
}

/// A range whose bounds are of type `element`.
fn read_range<'a, T: FromSql<'a>>(
    element: &Type,
    raw: &'a [u8],
) -> Result<Range<T>, Box<dyn StdError + Sync + Send>> {
    let (&flags, rest) = raw.split_first().ok_or("empty range value")?;
    if flags & EMPTY != 0 {
        return Ok(Range::Empty);
    }
    let (lower, rest) = read_bound(
        element,
        rest,
        flags & LOWER_INFINITE != 0,
        flags & LOWER_INCLUSIVE != 0,
    )?;
    let (upper, rest) = read_bound(
        element,
        rest,
        flags & UPPER_INFINITE != 0,
        flags & UPPER_INCLUSIVE != 0,
    )?;
    if !rest.is_empty() {
        return Err("trailing bytes after a range".into());
    }
    Ok(Range::Bounded { lower, upper })
}

fn write_range<T: ToSql>(
    range: &Range<T>,
    element: &Type,
    out: &mut BytesMut,
) -> Result<(), Box<dyn StdError + Sync + Send>> {
    let (lower, upper) = match range {
        Range::Empty => {
            out.extend_from_slice(&[EMPTY]);
            return Ok(());
        }
        Range::Bounded { lower, upper } => (lower, upper),
    };
    let mut flags = 0;
    for (bound, inclusive, infinite) in [
        (lower, LOWER_INCLUSIVE, LOWER_INFINITE),
        (upper, UPPER_INCLUSIVE, UPPER_INFINITE),
    ] {
        flags |= match bound {
            Bound::Included(_) => inclusive,
            Bound::Excluded(_) => 0,
            Bound::Unbounded => infinite,
        };
    }
    out.extend_from_slice(&[flags]);
    for bound in [lower, upper] {
        if let Bound::Included(value) | Bound::Excluded(value) = bound {
            let at = out.len();
            out.extend_from_slice(&[0; 4]);
            if let IsNull::Yes = value.to_sql(element, out)? {
                return Err("a range bound cannot be NULL".into());
            }
            let len = i32::try_from(out.len() - at - 4)?;
            out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
    }
    Ok(())
}

impl<'a, T: FromSql<'a>> FromSql<'a> for Range<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        read_range(element(ty).ok_or("not a range type")?, raw)
    }

    fn accepts(ty: &Type) -> bool {
        element(ty).is_some_and(T::accepts)
    }
}

impl<T: ToSql> ToSql for Range<T> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        write_range(self, element(ty).ok_or("not a range type")?, out)?;
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        element(ty).is_some_and(T::accepts)
    }

    to_sql_checked!();
}

/// The element type of a multirange (postgres-types describes a multirange by the element
/// of its ranges, not by the range type).
fn multirange_element(ty: &Type) -> Option<&Type> {
    match ty.kind() {
        Kind::Multirange(element) => Some(element),
        _ => None,
    }
}

impl<'a, T: FromSql<'a>> FromSql<'a> for Multirange<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let element = multirange_element(ty).ok_or("not a multirange type")?;
        let (count, mut rest) = super::take::<4>(raw)?;
        let count = u32::from_be_bytes(count) as usize;
        let mut ranges = Vec::with_capacity(count.min(rest.len()));
        for _ in 0..count {
            let (len, after) = super::take::<4>(rest)?;
            let len = u32::from_be_bytes(len) as usize;
            if after.len() < len {
                return Err("truncated multirange".into());
            }
            let (range, after) = after.split_at(len);
            ranges.push(read_range(element, range)?);
            rest = after;
        }
        Ok(Multirange(ranges))
    }

    fn accepts(ty: &Type) -> bool {
        multirange_element(ty).is_some_and(T::accepts)
    }
}

impl<T: ToSql> ToSql for Multirange<T> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let element = multirange_element(ty).ok_or("not a multirange type")?;
        out.extend_from_slice(&u32::try_from(self.0.len())?.to_be_bytes());
        for range in &self.0 {
            let at = out.len();
            out.extend_from_slice(&[0; 4]);
            write_range(range, element, out)?;
            let len = u32::try_from(out.len() - at - 4)?;
            out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        multirange_element(ty).is_some_and(T::accepts)
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_round_trip() {
        let values = [
            Range::Empty,
            Range::new(Bound::Included(1), Bound::Excluded(10)),
            Range::new(Bound::Unbounded, Bound::Included(3)),
            Range::new(Bound::Excluded(-4), Bound::Unbounded),
        ];
        for value in values {
            let mut out = BytesMut::new();
            value.to_sql(&Type::INT4_RANGE, &mut out).unwrap();
            assert_eq!(
                Range::<i32>::from_sql(&Type::INT4_RANGE, &out).unwrap(),
                value
            );
        }
        let multi = Multirange(vec![
            Range::new(Bound::Included(1i64), Bound::Excluded(2)),
            Range::new(Bound::Included(5), Bound::Unbounded),
        ]);
        let mut out = BytesMut::new();
        multi.to_sql(&Type::INT8MULTI_RANGE, &mut out).unwrap();
        assert_eq!(
            Multirange::<i64>::from_sql(&Type::INT8MULTI_RANGE, &out).unwrap(),
            multi
        );
        assert!(Range::<i32>::from_sql(&Type::INT4_RANGE, &out[..3]).is_err());
        assert!(<Range<i32> as FromSql>::accepts(&Type::INT4_RANGE));
        assert!(!<Range<i64> as FromSql>::accepts(&Type::INT4_RANGE));
    }
}
