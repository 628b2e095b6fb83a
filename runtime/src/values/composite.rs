//! Reading and writing composite values field by field, for the structs squill generates for
//! a schema's composite types. The field types come from the server's description of the
//! type (`Kind::Composite`), so each field decodes with the type PostgreSQL says it has.

use std::error::Error as StdError;

use postgres_types::private::BytesMut;
use postgres_types::{Field, FromSql, IsNull, Kind, ToSql, Type};

type BoxError = Box<dyn StdError + Sync + Send>;

fn fields(ty: &Type) -> Result<&[Field], BoxError> {
    match ty.kind() {
        Kind::Composite(fields) => Ok(fields),
        _ => Err(format!("{} is not a composite type", ty.name()).into()),
    }
}

/// Whether `ty` is the composite type `schema.name` with `arity` fields.
pub fn composite_accepts(ty: &Type, schema: &str, name: &str, arity: usize) -> bool {
    ty.schema() == schema
        && ty.name() == name
        && matches!(ty.kind(), Kind::Composite(fields) if fields.len() == arity)
}

/// The fields of one binary composite value, in order.
pub struct CompositeReader<'a> {
    fields: &'a [Field],
    raw: &'a [u8],
    next: usize,
}

impl<'a> CompositeReader<'a> {
    pub fn new(ty: &'a Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let fields = fields(ty)?;
        let (count, raw) = super::take::<4>(raw)?;
        let count = i32::from_be_bytes(count);
        if usize::try_from(count).ok() != Some(fields.len()) {
            return Err(format!(
                "{} has {} fields, the value {count}",
                ty.name(),
                fields.len()
            )
            .into());
        }
        Ok(CompositeReader {
            fields,
            raw,
            next: 0,
        })
    }

    /// The next field's value.
    pub fn read<T: FromSql<'a>>(&mut self) -> Result<T, BoxError> {
        let field = self
            .fields
            .get(self.next)
            .ok_or("more fields read than exist")?;
        self.next += 1;
        let (_oid, rest) = super::take::<4>(self.raw)?;
        let (len, rest) = super::take::<4>(rest)?;
        let len = i32::from_be_bytes(len);
        let (value, rest) = match usize::try_from(len) {
            Err(_) => (None, rest),
            Ok(len) if rest.len() >= len => {
                let (value, rest) = rest.split_at(len);
                (Some(value), rest)
            }
            Ok(_) => return Err("truncated composite value".into()),
        };
        self.raw = rest;
        // A domain field as its base type, as PostgreSQL describes a domain column.
        let ty = crate::domain::base_type(field.type_());
        T::from_sql_nullable(ty, value).map_err(|e| format!("field {}: {e}", field.name()).into())
    }
}

/// Writes a binary composite value field by field.
pub struct CompositeWriter<'a> {
    fields: &'a [Field],
    out: &'a mut BytesMut,
    next: usize,
}

impl<'a> CompositeWriter<'a> {
    pub fn new(ty: &'a Type, out: &'a mut BytesMut) -> Result<Self, BoxError> {
        let fields = fields(ty)?;
        out.extend_from_slice(&i32::try_from(fields.len())?.to_be_bytes());
        Ok(CompositeWriter {
            fields,
            out,
            next: 0,
        })
    }

    /// Writes the next field.
    pub fn write<T: ToSql>(&mut self, value: &T) -> Result<(), BoxError> {
        let field = self
            .fields
            .get(self.next)
            .ok_or("more fields written than exist")?;
        self.next += 1;
        self.out
            .extend_from_slice(&field.type_().oid().to_be_bytes());
        let at = self.out.len();
        self.out.extend_from_slice(&[0; 4]);
        // The field's own OID (PostgreSQL checks it), a domain's value as its base type.
        let ty = crate::domain::base_type(field.type_());
        let len = match value.to_sql_checked(ty, self.out)? {
            IsNull::Yes => -1,
            IsNull::No => i32::try_from(self.out.len() - at - 4)?,
        };
        self.out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }
}
