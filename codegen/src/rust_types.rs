//! PostgreSQL type → Rust type, for row fields (owned) and parameters (borrowed).

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::{Config, TimeCrate};
use crate::ir::PgType;
use crate::names;

/// How one PostgreSQL type appears in generated code.
#[derive(Debug, Clone)]
pub struct RustType {
    /// In a row struct: `String`, `Vec<i32>`, `uuid::Uuid`.
    pub owned: TokenStream,
    /// As a function argument: `&str`, `&[i32]`, `uuid::Uuid`.
    pub param: TokenStream,
}

/// A user override used by generated code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Applied {
    pub target: Target,
    /// The Rust type path as written in the configuration.
    pub rust: String,
    /// Whether it maps the elements of the array column `target` names.
    pub element: bool,
}

/// What an override maps.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A type, by the name `format_type` prints.
    Type(String),
    /// A table column (`table`, `column`).
    Column(String, String),
}

/// The user override `ty` (of the column `origin`) is mapped with, if any: the column's,
/// else the type's, else (an array) its element type's.
pub fn applied(ty: &PgType, origin: Option<(&str, &str)>, config: &Config) -> Option<Applied> {
    if let Some((table, column)) = origin {
        let key = format!("{table}.{column}");
        let target = Target::Column(table.into(), column.into());
        if config.generated_columns.contains(&key) {
            return None;
        }
        if let Some(path) = config.columns.get(&key) {
            return Some(Applied {
                target,
                rust: path.clone(),
                element: false,
            });
        }
        if let (Some(path), PgType::Array(_)) = (config.column_elements.get(&key), ty) {
            return Some(Applied {
                target,
                rust: path.clone(),
                element: true,
            });
        }
    }
    let display = ty.display_name();
    if let Some(path) = config.types.get(&display) {
        return (!config.generated_types.contains(&display)).then(|| Applied {
            target: Target::Type(display),
            rust: path.clone(),
            element: false,
        });
    }
    match ty {
        // The element type's override, checked against the element type itself.
        PgType::Array(element) => applied(element, None, config),
        _ => None,
    }
}

/// Why a type has no Rust mapping: the text for the diagnostic's help.
pub struct Unmapped {
    pub pg_name: String,
}

/// Maps `ty` (of the column `origin`, when it is a table column) to Rust.
pub fn rust_type(
    ty: &PgType,
    origin: Option<(&str, &str)>,
    config: &Config,
) -> Result<RustType, Unmapped> {
    if let Some((table, column)) = origin {
        let key = format!("{table}.{column}");
        if let Some(path) = config.columns.get(&key) {
            return override_type(path).ok_or_else(|| unmapped(ty));
        }
        if let (Some(path), PgType::Array(_)) = (config.column_elements.get(&key), ty) {
            let element = override_type(path).ok_or_else(|| unmapped(ty))?;
            return Ok(array_of(element));
        }
    }
    if let Some(path) = config.types.get(&ty.display_name()) {
        return override_type(path).ok_or_else(|| unmapped(ty));
    }
    match ty {
        PgType::Builtin { oid, .. } => builtin(*oid, config.time_crate).ok_or_else(|| unmapped(ty)),
        PgType::Enum { name, .. } => {
            let ident = match config.user_type_names.get(&ty.display_name()) {
                Some(allocated) => names::type_ident(allocated),
                None => names::type_ident(config.rename.get(name).unwrap_or(name)),
            };
            Ok(RustType {
                owned: quote!(types::#ident),
                param: quote!(types::#ident),
            })
        }
        PgType::Array(element) => {
            // Arrays of arrays are not 1-D arrays; PostgreSQL reports both as `T[]`.
            let element = rust_type(element, None, config).map_err(|_| unmapped(ty))?;
            Ok(array_of(element))
        }
        // Builtin range and multirange types are not base types: they come by name.
        PgType::Other { schema, name } if schema == "pg_catalog" => {
            builtin_range(name, config.time_crate).ok_or_else(|| unmapped(ty))
        }
        PgType::Other { name, .. } => extension(name).ok_or_else(|| unmapped(ty)),
    }
}

/// A row field's type: [`rust_type`], except that an array that may hold NULL elements is a
/// `Vec<Option<T>>`, unless an override maps the array as a whole (the user's assertion).
pub fn column_type(
    ty: &PgType,
    origin: Option<(&str, &str)>,
    config: &Config,
    elements_nullable: bool,
) -> Result<RustType, Unmapped> {
    let PgType::Array(element) = ty else {
        return rust_type(ty, origin, config);
    };
    let key = origin.map(|(table, column)| format!("{table}.{column}"));
    let whole = key.as_ref().is_some_and(|k| config.columns.contains_key(k))
        || config.types.contains_key(&ty.display_name());
    if !elements_nullable || whole {
        return rust_type(ty, origin, config);
    }
    let element = match key.as_ref().and_then(|k| config.column_elements.get(k)) {
        Some(path) => override_type(path).ok_or_else(|| unmapped(ty))?,
        None => rust_type(element, None, config).map_err(|_| unmapped(ty))?,
    };
    let (owned, param) = (element.owned, element.param);
    Ok(RustType {
        owned: quote!(Vec<Option<#owned>>),
        param: quote!(&[Option<#param>]),
    })
}

fn unmapped(ty: &PgType) -> Unmapped {
    Unmapped {
        pg_name: ty.display_name(),
    }
}

/// Why `text` cannot be an override's Rust type: it must parse as a type path
/// (`crate::Money`, `my_types::Tagged<i64>`), since rows own their fields.
pub fn invalid_override(text: &str) -> Option<String> {
    match syn::parse_str::<syn::Type>(text) {
        Ok(syn::Type::Path(_)) => None,
        Ok(_) => Some(format!("`{text}` is not a type path")),
        Err(e) => Some(format!("`{text}` is not a Rust type: {e}")),
    }
}

/// An override's type; `None` when the path is not a Rust type (the configuration is
/// validated when read, so only a configuration built in code can get here).
fn override_type(path: &str) -> Option<RustType> {
    if invalid_override(path).is_some() {
        return None;
    }
    let ty: TokenStream = path.parse().ok()?;
    Some(RustType {
        owned: ty.clone(),
        param: quote!(&#ty),
    })
}

/// A one-dimensional array of `element`.
fn array_of(element: RustType) -> RustType {
    let (owned, param) = (element.owned, element.param);
    RustType {
        owned: quote!(Vec<#owned>),
        param: quote!(&[#param]),
    }
}

fn by_value(t: TokenStream) -> RustType {
    RustType {
        owned: t.clone(),
        param: t,
    }
}

fn by_reference(t: TokenStream) -> RustType {
    RustType {
        owned: t.clone(),
        param: quote!(&#t),
    }
}

/// Types of extensions squill knows, by name (as the clients' own `accepts` recognize them).
fn extension(name: &str) -> Option<RustType> {
    Some(match name {
        // Text to every client (`String` accepts them by name; ltree's version byte included).
        "citext" | "ltree" | "lquery" | "ltxtquery" => RustType {
            owned: quote!(String),
            param: quote!(&str),
        },
        "hstore" => by_reference(quote!(::std::collections::HashMap<String, Option<String>>)),
        "vector" => by_reference(quote!(::squill::feature_pgvector!(Vector))),
        "halfvec" => by_reference(quote!(::squill::feature_pgvector!(HalfVector))),
        "sparsevec" => by_reference(quote!(::squill::feature_pgvector!(SparseVector))),
        _ => return None,
    })
}

/// A range (or multirange) of a builtin element type.
fn range(element: TokenStream, multi: bool) -> RustType {
    if multi {
        by_reference(quote!(::squill::Multirange<#element>))
    } else {
        by_reference(quote!(::squill::Range<#element>))
    }
}

/// The four date/time types PostgreSQL's binary formats share with the date/time crates.
#[derive(Clone, Copy)]
enum DateTime {
    Date,
    Time,
    Timestamp,
    TimestampTz,
}

/// `kind` in the crate the configuration chose (`time` and `jiff` behind runtime features).
fn date_time(kind: DateTime, krate: TimeCrate) -> TokenStream {
    match (krate, kind) {
        (TimeCrate::Chrono, DateTime::Date) => quote!(chrono::NaiveDate),
        (TimeCrate::Chrono, DateTime::Time) => quote!(chrono::NaiveTime),
        (TimeCrate::Chrono, DateTime::Timestamp) => quote!(chrono::NaiveDateTime),
        (TimeCrate::Chrono, DateTime::TimestampTz) => quote!(chrono::DateTime<chrono::Utc>),
        (TimeCrate::Time, DateTime::Date) => quote!(::squill::feature_time!(Date)),
        (TimeCrate::Time, DateTime::Time) => quote!(::squill::feature_time!(Time)),
        (TimeCrate::Time, DateTime::Timestamp) => {
            quote!(::squill::feature_time!(PrimitiveDateTime))
        }
        (TimeCrate::Time, DateTime::TimestampTz) => quote!(::squill::feature_time!(OffsetDateTime)),
        (TimeCrate::Jiff, DateTime::Date) => quote!(::squill::feature_jiff!(civil::Date)),
        (TimeCrate::Jiff, DateTime::Time) => quote!(::squill::feature_jiff!(civil::Time)),
        (TimeCrate::Jiff, DateTime::Timestamp) => quote!(::squill::feature_jiff!(civil::DateTime)),
        (TimeCrate::Jiff, DateTime::TimestampTz) => quote!(::squill::feature_jiff!(Timestamp)),
    }
}

/// PostgreSQL's own range and multirange types.
fn builtin_range(name: &str, krate: TimeCrate) -> Option<RustType> {
    let (element, multi) = match name {
        "int4range" => (quote!(i32), false),
        "int8range" => (quote!(i64), false),
        "numrange" => (quote!(rust_decimal::Decimal), false),
        "tsrange" => (date_time(DateTime::Timestamp, krate), false),
        "tstzrange" => (date_time(DateTime::TimestampTz, krate), false),
        "daterange" => (date_time(DateTime::Date, krate), false),
        "int4multirange" => (quote!(i32), true),
        "int8multirange" => (quote!(i64), true),
        "nummultirange" => (quote!(rust_decimal::Decimal), true),
        "tsmultirange" => (date_time(DateTime::Timestamp, krate), true),
        "tstzmultirange" => (date_time(DateTime::TimestampTz, krate), true),
        "datemultirange" => (date_time(DateTime::Date, krate), true),
        _ => return None,
    };
    Some(range(element, multi))
}

/// Builtin types by OID (stable across PostgreSQL versions).
fn builtin(oid: u32, krate: TimeCrate) -> Option<RustType> {
    Some(match oid {
        16 => by_value(quote!(bool)),
        18 => by_value(quote!(i8)),
        20 => by_value(quote!(i64)),
        21 => by_value(quote!(i16)),
        23 => by_value(quote!(i32)),
        26 => by_value(quote!(u32)),
        700 => by_value(quote!(f32)),
        701 => by_value(quote!(f64)),
        // text, name, bpchar, varchar
        25 | 19 | 1042 | 1043 => RustType {
            owned: quote!(String),
            param: quote!(&str),
        },
        17 => RustType {
            owned: quote!(Vec<u8>),
            param: quote!(&[u8]),
        },
        2950 => by_value(quote!(uuid::Uuid)),
        1700 => by_value(quote!(rust_decimal::Decimal)),
        1082 => by_value(date_time(DateTime::Date, krate)),
        1083 => by_value(date_time(DateTime::Time, krate)),
        1114 => by_value(date_time(DateTime::Timestamp, krate)),
        1184 => by_value(date_time(DateTime::TimestampTz, krate)),
        1186 => by_value(quote!(::squill::Interval)),
        1266 => by_value(quote!(::squill::TimeTz)),
        27 => by_value(quote!(::squill::Tid)),
        2278 => by_value(quote!(::squill::Void)),
        790 => by_value(quote!(::squill::Money)),
        28 => by_value(quote!(::squill::Xid)),
        29 => by_value(quote!(::squill::Cid)),
        5069 => by_value(quote!(::squill::Xid8)),
        // regproc, regprocedure, regoper, regoperator, regclass, regtype, regconfig,
        // regdictionary, regnamespace, regrole, regcollation
        24 | 2202 | 2203 | 2204 | 2205 | 2206 | 3734 | 3769 | 4089 | 4096 | 4191 => {
            by_value(quote!(::squill::Oid))
        }
        869 => by_value(quote!(::squill::feature_cidr!(IpInet))),
        650 => by_value(quote!(::squill::feature_cidr!(IpCidr))),
        829 => by_value(quote!(::squill::feature_eui48!(MacAddress))),
        774 => by_value(quote!(::squill::MacAddr8)),
        142 => by_reference(quote!(::squill::Xml)),
        3614 => by_reference(quote!(::squill::TsVector)),
        3615 => by_reference(quote!(::squill::TsQuery)),
        3220 => by_value(quote!(::squill::re::postgres_types::PgLsn)),
        600 => by_value(quote!(::squill::geo::Point)),
        628 => by_value(quote!(::squill::geo::Line)),
        601 => by_value(quote!(::squill::geo::Lseg)),
        603 => by_value(quote!(::squill::geo::PgBox)),
        602 => by_reference(quote!(::squill::geo::Path)),
        604 => by_reference(quote!(::squill::geo::Polygon)),
        718 => by_value(quote!(::squill::geo::Circle)),
        1560 | 1562 => by_reference(quote!(::squill::feature_bit_vec!(BitVec))),
        114 | 3802 => RustType {
            owned: quote!(serde_json::Value),
            param: quote!(&serde_json::Value),
        },
        _ => return None,
    })
}

/// The `postgres_types::Type` constant for a builtin parameter type, so plain clients can send
/// typed parameters without a prepare round trip. `None` when the type has no constant
/// (user-defined types: their OIDs differ per database).
pub fn type_const(ty: &PgType) -> Option<TokenStream> {
    let name = match ty {
        PgType::Builtin { oid, .. } => builtin_const_name(*oid)?,
        // The server resolves a parameter declared `unknown` to the enum it is compared with
        // or assigned to; the enum's ToSql accepts `unknown` for exactly this.
        PgType::Enum { .. } => "UNKNOWN",
        PgType::Array(element) => match &**element {
            PgType::Builtin { oid, .. } => builtin_array_const_name(*oid)?,
            PgType::Other { schema, name } if schema == "pg_catalog" => {
                range_array_const_name(name)?
            }
            _ => return None,
        },
        PgType::Other { schema, name } if schema == "pg_catalog" => match name.as_str() {
            "int4range" => "INT4_RANGE",
            "int8range" => "INT8_RANGE",
            "numrange" => "NUM_RANGE",
            "tsrange" => "TS_RANGE",
            "tstzrange" => "TSTZ_RANGE",
            "daterange" => "DATE_RANGE",
            "int4multirange" => "INT4MULTI_RANGE",
            "int8multirange" => "INT8MULTI_RANGE",
            "nummultirange" => "NUMMULTI_RANGE",
            "tsmultirange" => "TSMULTI_RANGE",
            "tstzmultirange" => "TSTZMULTI_RANGE",
            "datemultirange" => "DATEMULTI_RANGE",
            _ => return None,
        },
        PgType::Other { .. } => return None,
    };
    let ident = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
    Some(quote!(Type::#ident))
}

fn builtin_const_name(oid: u32) -> Option<&'static str> {
    Some(match oid {
        16 => "BOOL",
        17 => "BYTEA",
        18 => "CHAR",
        19 => "NAME",
        20 => "INT8",
        21 => "INT2",
        23 => "INT4",
        25 => "TEXT",
        26 => "OID",
        114 => "JSON",
        700 => "FLOAT4",
        701 => "FLOAT8",
        1042 => "BPCHAR",
        1043 => "VARCHAR",
        1082 => "DATE",
        1083 => "TIME",
        1114 => "TIMESTAMP",
        1184 => "TIMESTAMPTZ",
        1186 => "INTERVAL",
        1266 => "TIMETZ",
        27 => "TID",
        2278 => "VOID",
        790 => "MONEY",
        28 => "XID",
        29 => "CID",
        5069 => "XID8",
        24 => "REGPROC",
        2202 => "REGPROCEDURE",
        2203 => "REGOPER",
        2204 => "REGOPERATOR",
        2205 => "REGCLASS",
        2206 => "REGTYPE",
        3734 => "REGCONFIG",
        3769 => "REGDICTIONARY",
        4089 => "REGNAMESPACE",
        4096 => "REGROLE",
        4191 => "REGCOLLATION",
        869 => "INET",
        650 => "CIDR",
        829 => "MACADDR",
        774 => "MACADDR8",
        142 => "XML",
        3614 => "TS_VECTOR",
        3615 => "TSQUERY",
        3220 => "PG_LSN",
        600 => "POINT",
        628 => "LINE",
        601 => "LSEG",
        603 => "BOX",
        602 => "PATH",
        604 => "POLYGON",
        718 => "CIRCLE",
        1560 => "BIT",
        1562 => "VARBIT",
        1700 => "NUMERIC",
        2950 => "UUID",
        3802 => "JSONB",
        _ => return None,
    })
}

fn builtin_array_const_name(element_oid: u32) -> Option<&'static str> {
    // Every builtin squill maps has an array type with a constant, except void.
    Some(match element_oid {
        16 => "BOOL_ARRAY",
        17 => "BYTEA_ARRAY",
        18 => "CHAR_ARRAY",
        19 => "NAME_ARRAY",
        20 => "INT8_ARRAY",
        21 => "INT2_ARRAY",
        23 => "INT4_ARRAY",
        25 => "TEXT_ARRAY",
        26 => "OID_ARRAY",
        114 => "JSON_ARRAY",
        700 => "FLOAT4_ARRAY",
        701 => "FLOAT8_ARRAY",
        1042 => "BPCHAR_ARRAY",
        1043 => "VARCHAR_ARRAY",
        1082 => "DATE_ARRAY",
        1083 => "TIME_ARRAY",
        1114 => "TIMESTAMP_ARRAY",
        1184 => "TIMESTAMPTZ_ARRAY",
        1186 => "INTERVAL_ARRAY",
        1266 => "TIMETZ_ARRAY",
        27 => "TID_ARRAY",
        790 => "MONEY_ARRAY",
        28 => "XID_ARRAY",
        29 => "CID_ARRAY",
        5069 => "XID8_ARRAY",
        24 => "REGPROC_ARRAY",
        2202 => "REGPROCEDURE_ARRAY",
        2203 => "REGOPER_ARRAY",
        2204 => "REGOPERATOR_ARRAY",
        2205 => "REGCLASS_ARRAY",
        2206 => "REGTYPE_ARRAY",
        3734 => "REGCONFIG_ARRAY",
        3769 => "REGDICTIONARY_ARRAY",
        4089 => "REGNAMESPACE_ARRAY",
        4096 => "REGROLE_ARRAY",
        4191 => "REGCOLLATION_ARRAY",
        869 => "INET_ARRAY",
        650 => "CIDR_ARRAY",
        829 => "MACADDR_ARRAY",
        774 => "MACADDR8_ARRAY",
        142 => "XML_ARRAY",
        3614 => "TS_VECTOR_ARRAY",
        3615 => "TSQUERY_ARRAY",
        3220 => "PG_LSN_ARRAY",
        600 => "POINT_ARRAY",
        628 => "LINE_ARRAY",
        601 => "LSEG_ARRAY",
        603 => "BOX_ARRAY",
        602 => "PATH_ARRAY",
        604 => "POLYGON_ARRAY",
        718 => "CIRCLE_ARRAY",
        1560 => "BIT_ARRAY",
        1562 => "VARBIT_ARRAY",
        1700 => "NUMERIC_ARRAY",
        2950 => "UUID_ARRAY",
        3802 => "JSONB_ARRAY",
        _ => return None,
    })
}

fn range_array_const_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "int4range" => "INT4_RANGE_ARRAY",
        "int8range" => "INT8_RANGE_ARRAY",
        "numrange" => "NUM_RANGE_ARRAY",
        "tsrange" => "TS_RANGE_ARRAY",
        "tstzrange" => "TSTZ_RANGE_ARRAY",
        "daterange" => "DATE_RANGE_ARRAY",
        "int4multirange" => "INT4MULTI_RANGE_ARRAY",
        "int8multirange" => "INT8MULTI_RANGE_ARRAY",
        "nummultirange" => "NUMMULTI_RANGE_ARRAY",
        "tsmultirange" => "TSMULTI_RANGE_ARRAY",
        "tstzmultirange" => "TSTZMULTI_RANGE_ARRAY",
        "datemultirange" => "DATEMULTI_RANGE_ARRAY",
        _ => return None,
    })
}
