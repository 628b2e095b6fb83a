//! PostgreSQL enums as Rust enums: generated code implements [`PgEnum`] and invokes
//! [`impl_pg_enum!`](crate::impl_pg_enum) to get `ToSql`/`FromSql` (text-format labels, which
//! is also the binary wire format of an enum).

/// A Rust enum mirroring a PostgreSQL enum type.
pub trait PgEnum: Sized + Copy + 'static {
    /// The PostgreSQL type name (without schema).
    const PG_NAME: &'static str;
    /// Every variant, in the PostgreSQL declaration order.
    const VARIANTS: &'static [Self];
    /// The PostgreSQL label of this variant.
    fn label(self) -> &'static str;
    /// The variant with this label.
    fn from_label(label: &str) -> Option<Self> {
        Self::VARIANTS.iter().copied().find(|v| v.label() == label)
    }
}

/// Implements `ToSql` and `FromSql` for a [`PgEnum`].
#[macro_export]
macro_rules! impl_pg_enum {
    ($ty:ty) => {
        impl $crate::re::postgres_types::ToSql for $ty {
            fn to_sql(
                &self,
                _ty: &$crate::re::postgres_types::Type,
                out: &mut $crate::re::postgres_types::private::BytesMut,
            ) -> ::std::result::Result<
                $crate::re::postgres_types::IsNull,
                ::std::boxed::Box<dyn ::std::error::Error + Sync + Send>,
            > {
                out.extend_from_slice(<$ty as $crate::PgEnum>::label(*self).as_bytes());
                Ok($crate::re::postgres_types::IsNull::No)
            }
            fn accepts(ty: &$crate::re::postgres_types::Type) -> bool {
                $crate::pg_enum_accepts::<$ty>(ty)
            }
            $crate::re::postgres_types::to_sql_checked!();
        }
        impl<'a> $crate::re::postgres_types::FromSql<'a> for $ty {
            fn from_sql(
                _ty: &$crate::re::postgres_types::Type,
                raw: &'a [u8],
            ) -> ::std::result::Result<Self, ::std::boxed::Box<dyn ::std::error::Error + Sync + Send>>
            {
                $crate::pg_enum_from_sql::<$ty>(raw)
            }
            fn accepts(ty: &$crate::re::postgres_types::Type) -> bool {
                $crate::pg_enum_accepts::<$ty>(ty)
            }
        }
    };
}

#[doc(hidden)]
pub fn pg_enum_accepts<E: PgEnum>(ty: &postgres_types::Type) -> bool {
    // `unknown` lets the value travel with unnamed, typed statements where the enum's OID is
    // not known ahead of time; the server then resolves the parameter to the enum.
    *ty == postgres_types::Type::UNKNOWN
        || (ty.name() == E::PG_NAME && matches!(ty.kind(), postgres_types::Kind::Enum(_)))
}

#[doc(hidden)]
pub fn pg_enum_from_sql<E: PgEnum>(
    raw: &[u8],
) -> Result<E, Box<dyn std::error::Error + Sync + Send>> {
    let label = std::str::from_utf8(raw)?;
    E::from_label(label).ok_or_else(|| {
        format!(
            "unknown label {label:?} for enum {}: regenerate the code after changing the type",
            E::PG_NAME
        )
        .into()
    })
}
