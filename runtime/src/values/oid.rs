//! Four- and eight-byte identifiers and `money`: newtypes, so that each accepts exactly the
//! PostgreSQL types it stands for (`u32` accepts only `oid`).

use std::error::Error as StdError;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

macro_rules! newtype {
    ($(#[$doc:meta])* $name:ident($inner:ty), $($ty:ident)|+) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $inner);

        impl<'a> FromSql<'a> for $name {
            fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
                let (bytes, rest) = super::take(raw)?;
                if !rest.is_empty() {
                    return Err(concat!("trailing bytes after a ", stringify!($name)).into());
                }
                Ok($name(<$inner>::from_be_bytes(bytes)))
            }

            fn accepts(ty: &Type) -> bool {
                matches!(*ty, $(Type::$ty)|+)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
                out.extend_from_slice(&self.0.to_be_bytes());
                Ok(IsNull::No)
            }

            fn accepts(ty: &Type) -> bool {
                matches!(*ty, $(Type::$ty)|+)
            }

            to_sql_checked!();
        }
    };
}

newtype!(
    /// An object identifier of one of the `reg*` types (`regclass`, `regtype`, ...) or `oid`.
    Oid(u32),
    OID | REGCLASS | REGTYPE | REGPROC | REGPROCEDURE | REGOPER | REGOPERATOR | REGCONFIG
        | REGDICTIONARY | REGNAMESPACE | REGROLE | REGCOLLATION
);
newtype!(
    /// A (32-bit) transaction id, `xid`.
    Xid(u32),
    XID
);
newtype!(
    /// A 64-bit transaction id, `xid8`.
    Xid8(u64),
    XID8
);
newtype!(
    /// A command id within a transaction, `cid`.
    Cid(u32),
    CID
);
newtype!(
    /// `money` in the smallest unit of the server's `lc_monetary` currency (cents for USD).
    Money(i64),
    MONEY
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks_length() {
        let mut out = BytesMut::new();
        Money(-12_345).to_sql(&Type::MONEY, &mut out).unwrap();
        assert_eq!(Money::from_sql(&Type::MONEY, &out).unwrap(), Money(-12_345));
        assert!(Oid::from_sql(&Type::REGCLASS, &out).is_err());
        assert!(<Oid as FromSql>::accepts(&Type::REGTYPE));
        assert!(!<Xid as FromSql>::accepts(&Type::OID));
    }
}
