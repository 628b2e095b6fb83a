//! The catalog: one model of a schema (schemas, tables and their columns, enums, composite
//! types, domains, ranges, views, functions, user-defined operators and casts, sequences,
//! extensions), loaded either from DDL text ([`from_ddl`]: migrations in version order, a
//! schema file, or `pg_dump --schema-only` output, read with `sqlparser`) or by introspecting
//! a live database ([`from_database`]).
//!
//! Both loaders yield the same catalog for the same schema; `tests/catalog.rs` holds them to it
//! on the demo and on every schema of the corpus that PostgreSQL applies. [`diff`] is that
//! comparison. What the two sides cannot agree on by construction:
//!
//! * **View columns.** From DDL a view (or materialized view, or a `CREATE TABLE ... AS` whose
//!   query squill cannot expand by itself) keeps its defining query in
//!   [`Relation::view_sql`] and no columns: typing a query is the analyzer's job, which fills
//!   them in later, through the [`ViewBinding`] recorded at creation (what the query's names
//!   referred to then, as PostgreSQL binds them). Introspection reads them from
//!   `pg_attribute`. [`diff`] compares such relations by name and kind only.
//! * **Extension-owned objects** (types, functions, tables an extension creates) are not part
//!   of the catalog; from DDL squill does not know them beyond the type names of well-known
//!   extensions (see `extensions.rs`), which it needs to resolve column types. The catalog
//!   records which extensions are installed and where ([`Catalog::extension_schemas`]); the
//!   analyzer adds the contrib extensions' objects from [`crate::builtins::contrib`].
//!
//! Names follow PostgreSQL: unquoted identifiers folded to lower case, quoted ones kept,
//! everything truncated to 63 bytes. Types are [`TypeName`]s, spelled with
//! [`TypeName::display`] exactly as PostgreSQL's `format_type` spells them.

mod ddl;
mod diff;
mod extensions;
mod introspect;
mod render;
mod tokens;
mod type_names;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use ddl::{DdlStats, from_ddl, runnable_sql};
pub use diff::diff;
pub use introspect::from_database;
pub use type_names::{TypeName, quote_ident};

/// A schema's objects. Maps are keyed by qualified name, so iteration order (and every
/// rendering of a catalog) is deterministic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// Non-system schemas (`public` included).
    pub schemas: BTreeSet<String>,
    /// Tables, partitioned tables, views, materialized views and foreign tables.
    pub tables: BTreeMap<QualifiedName, Relation>,
    /// Enum types with their labels in sort order.
    pub enums: BTreeMap<QualifiedName, Vec<String>>,
    /// Standalone composite types (`CREATE TYPE ... AS (...)`); a table's row type is not here.
    pub composites: BTreeMap<QualifiedName, Vec<Field>>,
    pub domains: BTreeMap<QualifiedName, Domain>,
    /// Range types with their subtype (`CREATE TYPE r AS RANGE (subtype = ...)`). Each also
    /// implies a multirange type, see [`multirange_name`].
    pub ranges: BTreeMap<QualifiedName, TypeName>,
    /// Base types created with `CREATE TYPE name (INPUT = ..., ...)` or as a shell `CREATE TYPE
    /// name`.
    pub base_types: BTreeSet<QualifiedName>,
    /// Functions and procedures, sorted by name, then by argument types.
    pub functions: Vec<Function>,
    /// User-defined operators (`CREATE OPERATOR`, and the shells its `COMMUTATOR` and
    /// `NEGATOR` create).
    pub operators: BTreeSet<Operator>,
    /// User-defined casts (`CREATE CAST`).
    pub casts: BTreeSet<Cast>,
    pub sequences: BTreeSet<QualifiedName>,
    /// Installed extensions (`plpgsql`, always there, left out).
    pub extensions: BTreeSet<String>,
    /// The schema each of [`Catalog::extensions`] is installed in (its objects are there).
    pub extension_schemas: BTreeMap<String, String>,
    /// The schemas an unqualified name is looked up in by the application's queries, as
    /// `current_schemas(false)` shows them in a new session: from DDL, the search path stored
    /// with `ALTER ROLE ... SET search_path` or `ALTER DATABASE ... SET search_path` (else the
    /// default `"$user", public`), reduced to the schemas that exist. A migration's own `SET
    /// search_path` only lasts for its session and does not change it. Set it from outside
    /// (a configured search path) with [`Catalog::set_search_path`].
    pub search_path: Vec<String>,
    /// Row-level security of tables that enable it or have policies (`ALTER TABLE ... ENABLE
    /// ROW LEVEL SECURITY`, `CREATE POLICY`), as `pg_class.relrowsecurity` and `pg_policy`
    /// record it.
    pub row_security: BTreeMap<QualifiedName, RowSecurity>,
}

/// A table's row-level security.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSecurity {
    /// `relrowsecurity`: policies apply (to roles other than the owner, unless `forced`).
    pub enabled: bool,
    /// `relforcerowsecurity`: they apply to the table's owner too.
    pub forced: bool,
    /// By name (`pg_policy.polname`).
    pub policies: BTreeMap<String, Policy>,
}

/// One `CREATE POLICY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `AS PERMISSIVE` (the default) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// `FOR ALL | SELECT | INSERT | UPDATE | DELETE`, lower case.
    pub command: String,
    /// The USING expression's SQL: as written (DDL) or as `pg_get_expr` prints it.
    pub using: Option<String>,
    /// The WITH CHECK expression's SQL.
    pub with_check: Option<String>,
}

impl Default for Catalog {
    /// The catalog of a fresh database: only the `public` schema.
    fn default() -> Self {
        Catalog {
            schemas: BTreeSet::from(["public".to_string()]),
            tables: BTreeMap::new(),
            enums: BTreeMap::new(),
            composites: BTreeMap::new(),
            domains: BTreeMap::new(),
            ranges: BTreeMap::new(),
            base_types: BTreeSet::new(),
            functions: Vec::new(),
            operators: BTreeSet::new(),
            casts: BTreeSet::new(),
            sequences: BTreeSet::new(),
            extensions: BTreeSet::new(),
            extension_schemas: BTreeMap::new(),
            search_path: vec!["public".to_string()],
            row_security: BTreeMap::new(),
        }
    }
}

/// `schema.name`, each part as PostgreSQL stores it (folded, unquoted).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for QualifiedName {
    /// `schema.name`, each part quoted when PostgreSQL would quote it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}",
            quote_ident(&self.schema),
            quote_ident(&self.name)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
}

impl RelKind {
    /// `pg_class.relkind`.
    pub fn from_relkind(relkind: i8) -> Option<Self> {
        Some(match relkind as u8 {
            b'r' => RelKind::Table,
            b'p' => RelKind::PartitionedTable,
            b'v' => RelKind::View,
            b'm' => RelKind::MaterializedView,
            b'f' => RelKind::ForeignTable,
            _ => return None,
        })
    }

    pub fn is_view(self) -> bool {
        matches!(self, RelKind::View | RelKind::MaterializedView)
    }
}

/// A table-like relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub kind: RelKind,
    pub columns: Vec<Column>,
    /// The query that defines the columns, for the analyzer to type: the defining query of a
    /// view or materialized view, or of a `CREATE TABLE ... AS` that could not be expanded
    /// directly. Only set by [`from_ddl`], and only while `columns` is empty.
    pub view_sql: Option<String>,
    /// What the names in [`Relation::view_sql`] referred to when the view (or table) was
    /// created. Only set by [`from_ddl`], with `view_sql`.
    pub binding: Option<Box<ViewBinding>>,
    /// Its unique indexes, constraint-backed ones included, by name: what `ON CONFLICT`
    /// chooses its arbiter among (PostgreSQL's `infer_arbiter_indexes`).
    pub unique_indexes: Vec<UniqueIndex>,
    /// The names of its `EXCLUDE` constraints (what `ON CONFLICT ON CONSTRAINT ... DO
    /// NOTHING` may name besides a unique one). From DDL only the names the statements give;
    /// an unnamed one's generated name (`t_c_excl`) is not followed.
    pub exclusion_constraints: Vec<String>,
}

/// A unique index: `CREATE UNIQUE INDEX`, or the index of a `PRIMARY KEY` or `UNIQUE`
/// constraint (which has the constraint's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueIndex {
    pub name: String,
    pub kind: UniqueKind,
    /// The key columns in order (`INCLUDE` columns left out); `None` for an expression key.
    pub columns: Vec<Option<String>>,
    /// The expression keys' SQL, in key order: as written (DDL), or as `pg_get_indexdef`
    /// prints it (introspection).
    pub expressions: Vec<String>,
    /// A partial index's `WHERE` predicate: as written (DDL), or as `pg_get_expr` prints it.
    pub predicate: Option<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// A `DEFERRABLE` constraint: never an `ON CONFLICT` arbiter.
    pub deferrable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UniqueKind {
    PrimaryKey,
    /// A `UNIQUE` constraint (`ON CONFLICT ON CONSTRAINT` can name it).
    Constraint,
    /// `CREATE UNIQUE INDEX`.
    Index,
}

/// What PostgreSQL binds when it creates a view (or runs the query of `CREATE TABLE AS`): the
/// relations, functions and types its query names are looked up once, with the creating
/// session's search path, and the view keeps referring to those objects however they are
/// renamed or moved later (`ALTER TABLE ... RENAME / SET SCHEMA`, `ALTER SCHEMA ... RENAME`),
/// and whatever search path later sessions use. The analyzer types the query through this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewBinding {
    /// The creating session's search path (the schemas that existed, and `pg_catalog` or
    /// `information_schema` where it lists them), for the functions and types the query names;
    /// a renamed schema is renamed here too.
    pub search_path: Vec<String>,
    /// The catalog relations the query names.
    pub relations: Vec<BoundRelation>,
    /// Its own columns renamed since (`ALTER VIEW ... RENAME COLUMN`): (the name its query
    /// gives, the current name).
    pub renamed_columns: Vec<(String, String)>,
}

/// A relation name in a view's query, bound when the view was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundRelation {
    /// The name as the query writes it (parts folded).
    pub written: Vec<String>,
    /// The relation it named then, under its current name.
    pub target: QualifiedName,
    /// The target's columns as the query sees them: (name when the view was created, current
    /// name). With `complete` these are all the columns the query sees (a table's columns then:
    /// a column added later is not part of the view's `*`); otherwise (a relation whose own
    /// columns are typed from its query) only its renamed columns, the others seen as they are.
    pub columns: Vec<(String, String)>,
    pub complete: bool,
}

/// Records that a column now called `from` is called `to`, in `(then, now)` pairs. A column
/// not listed is added when the list is not `complete` (it had this name then).
pub(crate) fn rename_bound_column(
    pairs: &mut Vec<(String, String)>,
    complete: bool,
    from: &str,
    to: &str,
) {
    match pairs.iter_mut().find(|(_, now)| now == from) {
        Some((_, now)) => *now = to.to_string(),
        None if !complete => pairs.push((from.to_string(), to.to_string())),
        None => {}
    }
}

impl Relation {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Columns still to be typed from [`Relation::view_sql`].
    pub fn columns_pending(&self) -> bool {
        self.view_sql.is_some() && self.columns.is_empty()
    }

    /// A relation with these columns and nothing else.
    pub fn new(kind: RelKind, columns: Vec<Column>) -> Self {
        Relation {
            kind,
            columns,
            view_sql: None,
            binding: None,
            unique_indexes: Vec::new(),
            exclusion_constraints: Vec::new(),
        }
    }

    /// The unique index (or constraint) `name`.
    pub fn unique_index(&self, name: &str) -> Option<&UniqueIndex> {
        self.unique_indexes.iter().find(|i| i.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: TypeName,
    /// `pg_attribute.attnotnull`: NOT NULL, a primary key column, or an identity column.
    pub not_null: bool,
    /// An explicit `DEFAULT` (serial's `nextval(...)` included; `DEFAULT NULL` is no default,
    /// as PostgreSQL stores none). Identity and generated columns have their own flags.
    pub has_default: bool,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    pub identity: bool,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: bool,
}

impl Column {
    /// A nullable column with no default.
    pub fn plain(name: impl Into<String>, ty: TypeName) -> Self {
        Column {
            name: name.into(),
            ty,
            not_null: false,
            has_default: false,
            identity: false,
            generated: false,
        }
    }
}

/// An attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: TypeName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub base: TypeName,
    pub not_null: bool,
}

/// A user-defined function or procedure (aggregates are not included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: QualifiedName,
    /// Input argument types (IN, INOUT and VARIADIC), without type modifiers, as
    /// `pg_proc.proargtypes`.
    pub args: Vec<TypeName>,
    /// Their names, `None` for unnamed arguments.
    pub arg_names: Vec<Option<String>>,
    /// `pg_proc.pronargdefaults`: how many of the input arguments (the last ones) have a
    /// default (`DEFAULT expr` / `= expr`) and may be left out of a call.
    pub nargdefaults: usize,
    /// The last argument is `VARIADIC`.
    pub variadic: bool,
    /// `pg_proc.prorettype`: `record` for several OUT parameters or a `RETURNS TABLE` of
    /// several columns, the column's type for a single one. `None` for procedures.
    pub ret: Option<TypeName>,
    /// `SETOF` / `RETURNS TABLE`.
    pub returns_set: bool,
    /// `RETURNS TABLE` columns and OUT/INOUT parameters, in order.
    pub table_columns: Vec<(String, TypeName)>,
    /// `STRICT` / `RETURNS NULL ON NULL INPUT`.
    pub strict: bool,
    pub language: String,
}

impl Function {
    pub fn is_procedure(&self) -> bool {
        self.ret.is_none()
    }

    /// `name(type, type)`, for messages and sorting.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self.args.iter().map(TypeName::display).collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

/// A user-defined operator, as `pg_operator` records it: its operand types without type
/// modifiers (a prefix operator has no left operand).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Operator {
    /// Its schema and symbol.
    pub name: QualifiedName,
    pub left: Option<TypeName>,
    pub right: TypeName,
}

impl fmt::Display for Operator {
    /// `schema.symbol(left, right)`, `NONE` for a prefix operator's left operand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let left = self
            .left
            .as_ref()
            .map_or("NONE".to_string(), TypeName::display);
        write!(
            f,
            "{}.{}({left}, {})",
            quote_ident(&self.name.schema),
            self.name.name,
            self.right.display()
        )
    }
}

/// A user-defined cast, as `pg_cast` records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cast {
    pub source: TypeName,
    pub target: TypeName,
}

impl fmt::Display for Cast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({} AS {})",
            self.source.display(),
            self.target.display()
        )
    }
}

/// The multirange type PostgreSQL creates with a range type: `int4range` → `int4multirange`,
/// `floatrange` → `floatmultirange`, `mytype` → `mytype_multirange`.
pub fn multirange_name(range: &str) -> String {
    match range.find("range") {
        Some(at) => format!("{}multirange{}", &range[..at], &range[at + 5..]),
        None => format!("{range}_multirange"),
    }
}

impl Catalog {
    /// Functions sorted by name and argument types, as both loaders return them.
    pub(crate) fn sort_functions(&mut self) {
        self.functions.sort_by_cached_key(|f| {
            (
                f.name.clone(),
                f.args.iter().map(TypeName::display).collect::<Vec<_>>(),
            )
        });
    }

    /// Sets [`Catalog::search_path`] from a `search_path` setting (`["$user", "app",
    /// "public"]`), reduced as PostgreSQL reduces it for `current_schemas(false)`: `"$user"`
    /// is `user`'s schema when it exists (left out when `user` is unknown), schemas that do not
    /// exist and `pg_temp` are left out, a schema listed twice counts once.
    pub fn set_search_path<S: AsRef<str>>(&mut self, setting: &[S], user: Option<&str>) {
        let mut path: Vec<String> = Vec::new();
        for entry in setting {
            let name = match entry.as_ref() {
                "$user" => match user {
                    Some(user) => user,
                    None => continue,
                },
                name => name,
            };
            let exists =
                self.schemas.contains(name) || matches!(name, "pg_catalog" | "information_schema");
            if exists && !path.iter().any(|p| p == name) {
                path.push(name.to_string());
            }
        }
        self.search_path = path;
    }

    /// Whether view `name` reads itself through other views (`CREATE OR REPLACE VIEW a AS
    /// SELECT * FROM b` where `b` reads `a`): PostgreSQL creates such views, and a query that
    /// reads one fails with `infinite recursion detected in rules for relation "a"`. Follows
    /// the bindings of views from DDL; `false` for a relation that is not such a view.
    pub fn view_reads_itself(&self, name: &QualifiedName) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![name];
        while let Some(current) = stack.pop() {
            let Some(binding) = self.tables.get(current).and_then(|r| r.binding.as_deref()) else {
                continue;
            };
            for bound in &binding.relations {
                if bound.target == *name {
                    return true;
                }
                if seen.insert(&bound.target) {
                    stack.push(&bound.target);
                }
            }
        }
        false
    }

    /// The relation `name` in `schema`.
    pub fn relation(&self, schema: &str, name: &str) -> Option<&Relation> {
        self.tables.get(&QualifiedName::new(schema, name))
    }
}
