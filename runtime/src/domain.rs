//! Support for domains generated as newtypes (`[domains] newtype = true`).

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
