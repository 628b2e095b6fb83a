//! `tid`: a row version's physical place (`ctid`), block number and tuple index.

use std::error::Error as StdError;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

/// A `tid` value, as `(block, offset)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Tid {
    pub block: u32,
    pub offset: u16,
}

impl<'a> FromSql<'a> for Tid {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let (block, rest) = super::take::<4>(raw)?;
        let (offset, _) = super::take::<2>(rest)?;
        Ok(Tid {
            block: u32::from_be_bytes(block),
            offset: u16::from_be_bytes(offset),
        })
    }

    accepts!(TID);
}

impl ToSql for Tid {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
        Ok(IsNull::No)
    }

    accepts!(TID);
    to_sql_checked!();
}
