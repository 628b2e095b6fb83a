//! PostgreSQL's `interval`, field for field: months, days and microseconds are kept apart
//! because PostgreSQL keeps them apart (`'1 month'` is not `'30 days'`: their length depends
//! on the date they are added to), so no conversion to a fixed duration can round-trip.

use std::error::Error as StdError;

use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

/// An `interval` value as PostgreSQL stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub microseconds: i64,
}

impl Interval {
    /// An interval of whole microseconds (no days, no months).
    pub const fn from_microseconds(microseconds: i64) -> Self {
        Interval {
            months: 0,
            days: 0,
            microseconds,
        }
    }
}

impl<'a> FromSql<'a> for Interval {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        // Binary format: int64 microseconds, int32 days, int32 months (all big-endian).
        let raw: &[u8; 16] = raw
            .try_into()
            .map_err(|_| format!("an interval is 16 bytes, got {}", raw.len()))?;
        let (micros, rest) = raw.split_at(8);
        let (days, months) = rest.split_at(4);
        Ok(Interval {
            microseconds: i64::from_be_bytes(micros.try_into()?),
            days: i32::from_be_bytes(days.try_into()?),
            months: i32::from_be_bytes(months.try_into()?),
        })
    }

    accepts!(INTERVAL);
}

impl ToSql for Interval {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut postgres_types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        out.extend_from_slice(&self.microseconds.to_be_bytes());
        out.extend_from_slice(&self.days.to_be_bytes());
        out.extend_from_slice(&self.months.to_be_bytes());
        Ok(IsNull::No)
    }

    accepts!(INTERVAL);
    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_round_trip() {
        let value = Interval {
            months: -14,
            days: 3,
            microseconds: 4_000_000_123,
        };
        let mut out = postgres_types::private::BytesMut::new();
        value.to_sql(&Type::INTERVAL, &mut out).unwrap();
        assert_eq!(out.len(), 16);
        assert_eq!(Interval::from_sql(&Type::INTERVAL, &out).unwrap(), value);
        assert!(Interval::from_sql(&Type::INTERVAL, &out[..15]).is_err());
    }
}
