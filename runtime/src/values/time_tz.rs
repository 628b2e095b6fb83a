//! `time with time zone`: a time of day and a UTC offset (no date, so no time zone rules).

use std::error::Error as StdError;

use chrono::{FixedOffset, NaiveTime, Timelike};
use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

/// A `timetz` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeTz {
    pub time: NaiveTime,
    pub offset: FixedOffset,
}

impl<'a> FromSql<'a> for TimeTz {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        // int64 microseconds since midnight, int32 zone in seconds *west* of UTC.
        let (micros, rest) = super::take::<8>(raw)?;
        let (zone, _) = super::take::<4>(rest)?;
        let micros = i64::from_be_bytes(micros);
        let time = NaiveTime::from_num_seconds_from_midnight_opt(
            u32::try_from(micros / 1_000_000)?,
            u32::try_from(micros % 1_000_000)? * 1000,
        )
        .ok_or("timetz out of range")?;
        let offset = FixedOffset::west_opt(i32::from_be_bytes(zone)).ok_or("bad timetz zone")?;
        Ok(TimeTz { time, offset })
    }

    accepts!(TIMETZ);
}

impl ToSql for TimeTz {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let micros = i64::from(self.time.num_seconds_from_midnight()) * 1_000_000
            + i64::from(self.time.nanosecond() / 1000);
        out.extend_from_slice(&micros.to_be_bytes());
        out.extend_from_slice(&(-self.offset.local_minus_utc()).to_be_bytes());
        Ok(IsNull::No)
    }

    accepts!(TIMETZ);
    to_sql_checked!();
}
