//! The analyzed query set: what `emit` turns into Rust and `squill analyze --json` prints.
//! Types are PostgreSQL's, spelled as `format_type` spells them.

use crate::source::Command;

/// Everything one generation run produces code for.
#[derive(Debug, Clone, Default)]
pub struct QuerySet {
    /// One per query file, sorted by file name.
    pub modules: Vec<Module>,
    /// User-defined enum types of the schema, sorted by name.
    pub enums: Vec<EnumType>,
    /// The schema's composite types (`CREATE TYPE ... AS (...)`) whose every field has a Rust
    /// type: generated as structs.
    pub composites: Vec<CompositeType>,
    /// Domains generated as newtypes (`[domains] newtype = true`) whose base type maps to Rust.
    pub domains: Vec<DomainType>,
    /// Migration files, in version order, to embed for `squill::migrate`.
    pub migrations: Vec<MigrationFile>,
}

/// The queries of one `.sql` file; becomes one Rust module.
#[derive(Debug, Clone)]
pub struct Module {
    /// Rust module name (the file stem in snake_case).
    pub name: String,
    /// File path as shown to the user (relative to the project).
    pub file: String,
    pub queries: Vec<Query>,
}

#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub file: String,
    pub line: usize,
    pub command: Command,
    pub doc: Vec<String>,
    /// The SQL sent to PostgreSQL (`$n` parameters).
    pub sql: String,
    /// For `:copyfrom`: the `COPY ... FROM STDIN` statement that replaces the INSERT.
    pub copy_sql: Option<String>,
    pub params: Vec<Param>,
    pub columns: Vec<Column>,
    /// `sqlc.embed(table)` items: runs of `columns` decoded into one nested struct each.
    pub embeds: Vec<Embed>,
    /// The row struct's name when the annotation gives one (cornucopia's `: SizeRow`); queries
    /// of a module naming the same one share the struct.
    pub row_type: Option<String>,
    /// How the tenant rule found the query scoped (`[tenant]`); default when it is off.
    pub tenancy: Tenancy,
}

/// The tenant rule's verdict on a query that passed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tenancy {
    /// The parameter (index into `params`) naming the tenant: the generated function's first
    /// argument.
    pub param: Option<usize>,
    /// Row-level security policies that scope tables of the query.
    pub policies: Vec<String>,
    /// `-- squill:cross-tenant <reason>`: spans tenants on purpose.
    pub cross_tenant: Option<String>,
}

/// The columns of one `sqlc.embed(table)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// The table (or alias) as the query names it.
    pub name: String,
    /// Its columns: `columns[range]` of the query.
    pub columns: std::ops::Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: PgType,
    pub nullable: bool,
    /// The table column (`table`, `column`) the parameter is written straight into (INSERT
    /// values, UPDATE SET), for column type overrides.
    pub origin: Option<(String, String)>,
    /// For an array: whether it may carry NULL elements (`&[Option<T>]`), when it is written
    /// straight into an array column whose elements accept NULL (`analyze::optional`).
    pub elements_nullable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: PgType,
    pub nullable: bool,
    /// For an array: whether it may hold NULL elements (`Vec<Option<T>>`). Offline analysis
    /// proves some arrays free of them (`analyze::nullability`); PREPARE says nothing, so live
    /// describe only knows the alias's assertion (`"tags[!]"`).
    pub elements_nullable: bool,
    /// The table column it comes from, when it is one (`table.column`), for type overrides.
    pub origin: Option<(String, String)>,
}

/// A PostgreSQL type as far as code generation cares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PgType {
    /// A builtin scalar type: its OID and `format_type` name (`integer`, `text`, ...).
    Builtin { oid: u32, name: String },
    /// A user-defined enum (`schema`, `name`).
    Enum { schema: String, name: String },
    /// A one-dimensional array of the element type.
    Array(Box<PgType>),
    /// Anything else (composite, range, domain over something unmapped, extension type):
    /// emitted only through a type override.
    Other { schema: String, name: String },
}

impl PgType {
    /// The name PostgreSQL's `format_type` prints.
    pub fn display_name(&self) -> String {
        match self {
            PgType::Builtin { name, .. } => name.clone(),
            PgType::Enum { schema, name } | PgType::Other { schema, name } => {
                if schema == "public" || schema == "pg_catalog" {
                    name.clone()
                } else {
                    format!("{schema}.{name}")
                }
            }
            PgType::Array(inner) => format!("{}[]", inner.display_name()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompositeType {
    pub schema: String,
    pub name: String,
    /// Field names and types, in order.
    pub fields: Vec<(String, PgType)>,
}

/// A domain generated as a newtype around its base type's Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainType {
    pub schema: String,
    pub name: String,
    /// The base type, domains reduced.
    pub base: PgType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MigrationFile {
    pub version: u64,
    pub name: String,
    pub file: String,
    pub sql: String,
    /// Its `.down.sql` file (shown name, text); a `-- squill:down` section stays in `sql`.
    pub down: Option<(String, String)>,
}
