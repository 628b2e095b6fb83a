//! `macaddr8`: an EUI-64 MAC address (no standard crate maps it; `eui48` is six bytes only).

use std::error::Error as StdError;
use std::fmt;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

/// A `macaddr8` value: eight bytes, most significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr8(pub [u8; 8]);

impl fmt::Display for MacAddr8 {
    /// As PostgreSQL prints it: `08:00:2b:01:02:03:04:05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl<'a> FromSql<'a> for MacAddr8 {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        // macaddr8_send always writes eight bytes.
        let (bytes, rest) = super::take::<8>(raw)?;
        if !rest.is_empty() {
            return Err("trailing bytes after a macaddr8".into());
        }
        Ok(MacAddr8(bytes))
    }

    accepts!(MACADDR8);
}

impl ToSql for MacAddr8 {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }

    accepts!(MACADDR8);
    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_prints_like_postgres() {
        let mac = MacAddr8([8, 0, 0x2b, 1, 2, 3, 4, 5]);
        let mut out = BytesMut::new();
        mac.to_sql(&Type::MACADDR8, &mut out).unwrap();
        assert_eq!(MacAddr8::from_sql(&Type::MACADDR8, &out).unwrap(), mac);
        assert_eq!(mac.to_string(), "08:00:2b:01:02:03:04:05");
        assert!(MacAddr8::from_sql(&Type::MACADDR8, &out[..6]).is_err());
        assert!(!<MacAddr8 as FromSql>::accepts(&Type::MACADDR));
    }
}
