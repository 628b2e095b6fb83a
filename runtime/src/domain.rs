//! Support for domains generated as newtypes (`[domains] newtype = true`).

#[cfg(any(feature = "async", feature = "sync"))]
use std::borrow::Cow;

#[cfg(any(feature = "async", feature = "sync"))]
use postgres_types::FromSql;
use postgres_types::{Kind, Type};

/// The type a domain newtype encodes and decodes as: the base type when `ty` is the domain
/// `schema.name` (PostgreSQL names the domain itself inside arrays and in parameters it
/// infers), else `ty` (a domain column is described as its base type).
pub fn domain_base<'t>(ty: &'t Type, schema: &str, name: &str) -> &'t Type {
    match ty.kind() {
        Kind::Domain(base) if ty.name() == name && ty.schema() == schema => base,
        _ => ty,
    }
}

#[cfg(any(feature = "async", feature = "sync"))]
/// Reads array column `index` of `row` as `T` (`Vec<Option<String>>`, ...) when its elements
/// are a domain: PostgreSQL describes a domain column as its base type, but an array of a
/// domain as that array type, whose elements the base type's `FromSql` does not accept.
/// Generated code reads every array column through this.
pub fn array_column<'a, T: FromSql<'a>>(
    row: &'a crate::Row,
    index: usize,
) -> Result<T, crate::RowError> {
    row.try_get::<_, ElementsAsBase<T>>(index).map(|v| v.0)
}

#[cfg(any(feature = "async", feature = "sync"))]
/// `T` decoded from an array whose elements are a domain as from the same array of the
/// domain's base type (the binary format of a domain is its base type's).
struct ElementsAsBase<T>(T);

#[cfg(any(feature = "async", feature = "sync"))]
impl<'a, T: FromSql<'a>> FromSql<'a> for ElementsAsBase<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        T::from_sql(&elements_as_base(ty), raw).map(Self)
    }

    fn from_sql_null(ty: &Type) -> Result<Self, BoxError> {
        T::from_sql_null(&elements_as_base(ty)).map(Self)
    }

    fn accepts(ty: &Type) -> bool {
        T::accepts(&elements_as_base(ty))
    }
}

#[cfg(any(feature = "async", feature = "sync"))]
type BoxError = Box<dyn std::error::Error + Sync + Send>;

#[cfg(any(feature = "async", feature = "sync"))]
/// `ty` itself, unless it is an array of a domain: then an array of the domain's base type
/// (domains over domains followed down).
fn elements_as_base(ty: &Type) -> Cow<'_, Type> {
    let Kind::Array(element) = ty.kind() else {
        return Cow::Borrowed(ty);
    };
    let base = base_type(element);
    if base == element {
        return Cow::Borrowed(ty);
    }
    Cow::Owned(Type::new(
        ty.name().to_string(),
        ty.oid(),
        Kind::Array(base.clone()),
        ty.schema().to_string(),
    ))
}

/// `ty` with domains followed down to their base type.
pub(crate) fn base_type(ty: &Type) -> &Type {
    let mut ty = ty;
    // Each step goes down one domain; PostgreSQL allows no cycle.
    while let Kind::Domain(base) = ty.kind() {
        ty = base;
    }
    ty
}
