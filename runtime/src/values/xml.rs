//! `xml`: the document's text. Its binary format is the text itself (xml_send/xml_recv), which
//! the server parses on receipt, so a malformed document is the server's error, as in SQL.

use std::error::Error as StdError;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

/// An `xml` value (a document or content fragment, as the column's `xmloption` allows).
/// A newtype rather than `String` so that it accepts `xml` and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Xml(pub String);

impl<'a> FromSql<'a> for Xml {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Xml(std::str::from_utf8(raw)?.to_owned()))
    }

    accepts!(XML);
}

impl ToSql for Xml {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    accepts!(XML);
    to_sql_checked!();
}
