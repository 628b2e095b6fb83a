//! PostgreSQL's own catalog: the types, functions, operators, casts and aggregates every
//! database has before a single migration runs, and the system relations (`pg_catalog`'s and
//! `information_schema`'s tables and views), as the offline analyzer needs them.
//!
//! The data is a snapshot of a real PostgreSQL 15 server's `pg_catalog`, checked in as
//! `codegen/builtins/pg15.tsv`, embedded with `include_str!` and parsed once on first use
//! ([`Builtins::load`]). `tests/builtins.rs` regenerates it from a throwaway server and fails
//! with the first differing lines when the server disagrees. To regenerate it:
//!
//! ```text
//! cargo run -p squill-codegen --bin squill-builtins -- codegen/builtins/pg15.tsv
//! ```
//!
//! (a throwaway server from the installed binaries, or the server at `DATABASE_URL` when it is
//! set; the server is only read). The output is deterministic and written atomically, and only
//! when it changed.
//!
//! What PostgreSQL's contrib extensions create (`pgcrypto`, `pg_trgm`, `citext`, `hstore`, ...)
//! is a second file, read the same way: [`contrib`].
//!
//! # Data file format
//!
//! UTF-8 text, one record per line, fields separated by a tab. Lines starting with `#` are
//! comments. The first field names the record; records of one kind are contiguous and sorted by
//! OID (casts by source then target; relations by schema then name, each followed by its
//! columns in `attnum` order). OIDs are decimal, `0` meaning "none" (as in the catalog);
//! booleans are `t`/`f`; a single-character catalog code (`typtype`, `prokind`, ...) is that
//! character; a list is its elements joined by `,` (empty for an empty list); a SQL NULL is `\N`.
//! No name in `pg_catalog` contains a tab, comma, backslash or line break (the generator checks).
//!
//! | record | fields |
//! |---|---|
//! | `V` | major server version (`15`) |
//! | `T` | pg_type: `oid typname format_type(oid,NULL) typtype typcategory typispreferred typlen typbyval typelem typarray typsubscript typbasetype typcollation` and pg_range: `rngsubtype rngmultitypid` (`0 0` unless a range type) |
//! | `F` | pg_proc: `oid proname prokind provolatile proisstrict proretset prorettype pronargdefaults provariadic proargtypes proallargtypes proargmodes proargnames` (the last three may be `\N`) |
//! | `O` | pg_operator: `oid oprname oprkind oprleft oprright oprresult oprcode oprcom oprnegate` |
//! | `C` | pg_cast: `castsource casttarget castcontext castmethod castfunc` |
//! | `A` | pg_aggregate: `aggfnoid aggkind aggnumdirectargs aggtransfn aggfinalfn aggtranstype agginitval` |
//! | `R` | pg_class: `nspname relname relkind`, a relation of `pg_catalog` or `information_schema` (kinds `r v m p f`), and its primary key's column names in key order (pg_constraint `contype = 'p'`, not deferrable; `\N` without one) |
//! | `K` | pg_attribute: `attname atttypid attnotnull`, a column (`attnum > 0`, not dropped) of the `R` line above it; a domain type is reduced to its base type (`information_schema.sql_identifier` → `name`, `cardinal_number` → `int4`), as RowDescription reports it |
//!
//! Only `pg_catalog` is read: its types except the row types of its tables (and their arrays),
//! its functions, every operator, cast and aggregate, and the tables and views of `pg_catalog`
//! and `information_schema` with their columns: about 280 kB, parsed in a few ms in a release
//! build (`cargo test --release -p squill-codegen --test builtins size_and_load_time --
//! --nocapture` prints both). A column's type is a type of the snapshot except for a system
//! row type (`pg_statistic_ext_data.stxdexpr` is `pg_statistic[]`), which is left out of the
//! types as above: [`BuiltinColumn::ty`] then names no [`Builtins::type_by_oid`] (the generator
//! accepts no other gap).
//!
//! # What is *not* here (notes for the analyzer)
//!
//! Much of SQL is grammar, not catalog. These have no `pg_proc`/`pg_operator` row and must be
//! typed by the analyzer itself (PostgreSQL's parse analysis does the same):
//!
//! - `COALESCE`, `NULLIF` (typed like `=` then yields the first argument's type), `GREATEST`,
//!   `LEAST`, `CASE` (all use the UNION/CASE common-type rules), `ROW(...)`, `ARRAY[...]`,
//!   `ARRAY(subquery)`, `EXISTS`, `x IN (...)`, `x op ANY/ALL (array or subquery)` (resolves
//!   `op` against the array's *element* type and yields `bool`), subscripts (`typsubscript`:
//!   arrays and `jsonb` are subscriptable), field selection, `CAST`/`::`, `COLLATE`,
//!   `GROUPING(...)` (`int4`), `AND`/`OR`/`NOT` (boolean, not operators).
//! - `IS [NOT] NULL`, `IS [NOT] TRUE/FALSE/UNKNOWN` (never NULL themselves), `IS [NOT] DISTINCT
//!   FROM` (resolves `=` but is never NULL), `BETWEEN [SYMMETRIC]` (`>=` and `<=`).
//! - Operators the parser rewrites: `LIKE` → `~~`, `NOT LIKE` → `!~~`, `ILIKE` → `~~*`,
//!   `NOT ILIKE` → `!~~*`, `SIMILAR TO` → `~` on `similar_to_escape(...)`, `!=` → `<>`,
//!   unary `-x` → prefix operator `-` (kind `l`), `x AT TIME ZONE z` → `timezone(z, x)`
//!   (arguments swapped).
//! - Special-syntax functions the parser turns into ordinary calls: `EXTRACT(f FROM x)` →
//!   `extract(text, x)` (returns `numeric` since PostgreSQL 14; `date_part` returns `float8`),
//!   `POSITION(a IN b)` → `position(b, a)`, `SUBSTRING(x FROM a FOR b)` → `substring(x, a, b)`,
//!   `TRIM([BOTH|LEADING|TRAILING] c FROM x)` → `btrim`/`ltrim`/`rtrim(x, c)`,
//!   `OVERLAY(a PLACING b FROM c [FOR d])` → `overlay(a, b, c[, d])`, `COLLATION FOR (x)` →
//!   `pg_collation_for(x)`, `NORMALIZE(x[, form])` → `normalize(x, form)`,
//!   `x IS [NOT] NORMALIZED` → `is_normalized`, `(a, b) OVERLAPS (c, d)` → `overlaps(a, b, c, d)`.
//! - SQL value functions that are not calls in PostgreSQL 15: `CURRENT_DATE` (`date`),
//!   `CURRENT_TIME[(p)]` (`timetz`), `CURRENT_TIMESTAMP[(p)]` (`timestamptz`), `LOCALTIME`
//!   (`time`), `LOCALTIMESTAMP` (`timestamp`), `CURRENT_ROLE`/`CURRENT_USER`/`USER`/
//!   `SESSION_USER`/`CURRENT_CATALOG`/`CURRENT_SCHEMA` (`name`).
//! - `count(*)` is the zero-argument overload `count()`. Multi-argument `unnest(a, b, ...)` in
//!   FROM is grammar (`ROWS FROM (unnest(a), unnest(b))`); `pg_proc` has only one-argument
//!   `unnest`s.
//! - The XML constructors (`XMLELEMENT`, `XMLFOREST`, ...) and `xmlexists` are grammar.
//!
//! Other things to know:
//!
//! - Casts not in `pg_cast`: every type to itself; `unknown` to anything (its input function);
//!   domain to base type; array to array (element cast); I/O conversion casts: any type to a
//!   string-category type (`text`, `varchar`, `bpchar`, `name`) is an *assignment* cast and
//!   from a string type to anything is *explicit* only (PostgreSQL's `find_coercion_pathway`);
//!   record/composite and enum casts. Length-coercion casts (`varchar` → `varchar`,
//!   `numeric` → `numeric`, ...) *are* in `pg_cast` with the typmod-applying function.
//! - `"char"` (quoted, OID 18, a single byte) and `char` (unquoted, `bpchar`) differ:
//!   [`Builtins::type_by_name`] follows the grammar, so pass the quotes through.
//! - [`BuiltinType::sql_name`] is `format_type` (`integer`, `character varying`, `"char"`,
//!   `integer[]`), the spelling `ir` and the live describe use.
//! - Variadic functions: [`BuiltinFunction::variadic`] is `provariadic`, the element type;
//!   the last entry of [`BuiltinFunction::args`] is its array (`text[]` for
//!   `jsonb_extract_path`), except for `VARIADIC "any"` (`concat`, `format`,
//!   `json_build_object`) where both are `"any"` (2276).
//! - Polymorphic pseudo-types (`anyelement`, `anyarray`, `anynonarray`, `anyenum`, `anyrange`,
//!   `anymultirange` and the `anycompatible…` family) are resolved from the actual arguments;
//!   `"any"` accepts anything and is *not* polymorphic ([`BuiltinType::is_polymorphic`]).
//!   OUT parameters may be polymorphic too.
//! - Functions with OUT/INOUT/TABLE parameters return `record` with the columns of
//!   [`BuiltinFunction::out_columns`] (e.g. `json_each` → `key text, value json`); one OUT
//!   parameter makes `ret` that column's type instead.
//! - Operator strictness and volatility are those of [`BuiltinOperator::code`], the
//!   implementing function ([`Builtins::function_by_oid`]). All are strict except the three
//!   array `||` operators (`array_append`, `array_prepend`, `array_cat`: `NULL || array[1]` is
//!   `{1}`); check rather than assume. `commutator` (`oprcom`) and
//!   `negator` (`oprnegate`) link operators: `a < b` ≡ `b > a`, `NOT (a = b)` ≡ `a <> b`.
//! - Aggregates: a function of kind `a` has [`BuiltinFunction::aggregate`]. On empty input (or
//!   only NULLs) an aggregate returns NULL unless it has an initial value and no final
//!   function (`count`, `regr_count`): [`BuiltinAggregate::null_on_empty_input`]. Window
//!   functions are kind `w` (`row_number`, `rank()`, `lag`...); any aggregate can also be used
//!   as a window function. Ordered-set and hypothetical-set aggregates (`percentile_cont`,
//!   `rank("any")`) need `WITHIN GROUP` and have `num_direct_args` direct arguments first.
//! - [`BuiltinType::elem`] is set on some non-arrays (`name`, `point`): use
//!   [`Builtins::element_of`], which follows PostgreSQL's `get_element_type` (so `int2vector`
//!   and `oidvector` are arrays of `int2`/`oid`).
//! - System relations ([`Builtins::relation`]): PostgreSQL searches `pg_catalog` before the
//!   search path's schemas when the path does not name it, so an unqualified `pg_class` is
//!   `pg_catalog.pg_class` even if the schema has a table of that name; `information_schema`
//!   is only searched when named. A column is NOT NULL for a query only when
//!   [`BuiltinRelation::kind`] is a table ([`RelationKind::is_table`]): views report no NOT
//!   NULL (their `attnotnull` is false anyway).
//! - Function names are stored as PostgreSQL folds them (lowercase, except the `RI_FKey_*`
//!   trigger functions): [`Builtins::functions_named`] is exact, fold unquoted identifiers
//!   first.

pub mod contrib;
mod format;
mod generate;
mod names;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

pub use format::ParseError;
pub use generate::{GenerateError, generate};

/// The checked-in snapshot.
pub const DATA: &str = include_str!("../../builtins/pg15.tsv");

/// Where the snapshot lives, relative to the `codegen` crate.
pub const DATA_PATH: &str = "builtins/pg15.tsv";

/// OIDs of well-known builtin types (fixed across PostgreSQL versions).
pub mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    /// `"char"`, the one-byte internal type (not `char(n)`, which is [`BPCHAR`]).
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT4: u32 = 23;
    pub const TEXT: u32 = 25;
    pub const OID: u32 = 26;
    pub const TID: u32 = 27;
    pub const XID: u32 = 28;
    pub const CID: u32 = 29;
    pub const JSON: u32 = 114;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const UNKNOWN: u32 = 705;
    pub const INT4_ARRAY: u32 = 1007;
    pub const TEXT_ARRAY: u32 = 1009;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const INTERVAL: u32 = 1186;
    pub const TIMETZ: u32 = 1266;
    pub const BIT: u32 = 1560;
    pub const VARBIT: u32 = 1562;
    pub const NUMERIC: u32 = 1700;
    pub const RECORD: u32 = 2249;
    pub const CSTRING: u32 = 2275;
    pub const ANY: u32 = 2276;
    pub const ANYARRAY: u32 = 2277;
    pub const VOID: u32 = 2278;
    pub const TRIGGER: u32 = 2279;
    pub const INTERNAL: u32 = 2281;
    pub const ANYELEMENT: u32 = 2283;
    pub const ANYNONARRAY: u32 = 2776;
    pub const UUID: u32 = 2950;
    pub const ANYENUM: u32 = 3500;
    pub const JSONB: u32 = 3802;
    pub const ANYRANGE: u32 = 3831;
    pub const ANYMULTIRANGE: u32 = 4537;
    pub const ANYCOMPATIBLEMULTIRANGE: u32 = 4538;
    pub const ANYCOMPATIBLE: u32 = 5077;
    pub const ANYCOMPATIBLEARRAY: u32 = 5078;
    pub const ANYCOMPATIBLENONARRAY: u32 = 5079;
    pub const ANYCOMPATIBLERANGE: u32 = 5080;
}

/// `pg_type.typtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `b`
    Base,
    /// `c`
    Composite,
    /// `d`
    Domain,
    /// `e`
    Enum,
    /// `p`
    Pseudo,
    /// `r`
    Range,
    /// `m`
    Multirange,
}

/// `pg_proc.prokind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// `f`
    Function,
    /// `p`
    Procedure,
    /// `a`
    Aggregate,
    /// `w`
    Window,
}

/// `pg_proc.provolatile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Volatility {
    /// `i`
    Immutable,
    /// `s`
    Stable,
    /// `v`
    Volatile,
}

/// An element of `pg_proc.proargmodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgMode {
    /// `i`
    In,
    /// `o`
    Out,
    /// `b`
    InOut,
    /// `v`
    Variadic,
    /// `t` (a `RETURNS TABLE` column)
    Table,
}

impl ArgMode {
    /// An input argument (part of `proargtypes`).
    pub fn is_input(self) -> bool {
        matches!(self, ArgMode::In | ArgMode::InOut | ArgMode::Variadic)
    }

    /// A result column.
    pub fn is_output(self) -> bool {
        matches!(self, ArgMode::Out | ArgMode::InOut | ArgMode::Table)
    }
}

/// `pg_operator.oprkind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorKind {
    /// `b`: infix.
    Binary,
    /// `l`: prefix (`-x`, `~x`, `@x`, `!!x`...).
    Prefix,
}

/// `pg_cast.castcontext`, ordered from most to least permissive use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CastContext {
    /// `i`: anywhere, silently (also assignment and explicit).
    Implicit,
    /// `a`: on assignment to a column (also explicit).
    Assignment,
    /// `e`: only with `CAST`/`::`.
    Explicit,
}

/// `pg_cast.castmethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CastMethod {
    /// `f`: calls `castfunc`.
    Function,
    /// `i`: output function then input function.
    InOut,
    /// `b`: binary coercible, no conversion.
    Binary,
}

/// `pg_aggregate.aggkind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateKind {
    /// `n`
    Normal,
    /// `o`: ordered-set (`percentile_cont(0.5) WITHIN GROUP (ORDER BY x)`).
    OrderedSet,
    /// `h`: hypothetical-set (`rank(3) WITHIN GROUP (ORDER BY x)`).
    Hypothetical,
}

/// A `pg_type` row (plus `pg_range` for range types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinType {
    /// `oid`
    pub oid: u32,
    /// `typname` (`int4`, `_int4`, `varchar`, `char`)
    pub name: String,
    /// `format_type(oid, NULL)` (`integer`, `integer[]`, `character varying`, `"char"`)
    pub sql_name: String,
    /// `typtype`
    pub kind: TypeKind,
    /// `typcategory` (`A` array, `B` boolean, `D` date/time, `N` numeric, `S` string,
    /// `P` pseudo, `U` user, `X` unknown, ...)
    pub category: char,
    /// `typispreferred` (the preferred type of its category in overload resolution)
    pub preferred: bool,
    /// `typlen` (-1 varlena, -2 C string)
    pub len: i16,
    /// `typbyval`
    pub byval: bool,
    /// `typelem`; also set on some non-arrays (see [`Builtins::element_of`])
    pub elem: Option<u32>,
    /// `typarray`
    pub array: Option<u32>,
    /// `typsubscript` (the subscripting handler function)
    pub subscript: Option<u32>,
    /// `typbasetype` (domains; none in `pg_catalog`)
    pub base: Option<u32>,
    /// `typcollation` (non-zero: collatable)
    pub collation: Option<u32>,
    /// `pg_range.rngsubtype` (range types)
    pub range_subtype: Option<u32>,
    /// `pg_range.rngmultitypid` (range types)
    pub multirange: Option<u32>,
}

impl BuiltinType {
    /// `anyelement`, `anyarray`, ..., `anycompatible…`: resolved from the actual arguments.
    /// Not `"any"`, which accepts anything and resolves to nothing.
    pub fn is_polymorphic(&self) -> bool {
        is_polymorphic(self.oid)
    }
}

/// See [`BuiltinType::is_polymorphic`].
pub fn is_polymorphic(type_oid: u32) -> bool {
    use oid::*;
    matches!(
        type_oid,
        ANYELEMENT
            | ANYARRAY
            | ANYNONARRAY
            | ANYENUM
            | ANYRANGE
            | ANYMULTIRANGE
            | ANYCOMPATIBLE
            | ANYCOMPATIBLEARRAY
            | ANYCOMPATIBLENONARRAY
            | ANYCOMPATIBLERANGE
            | ANYCOMPATIBLEMULTIRANGE
    )
}

/// A `pg_proc` row, with its `pg_aggregate` row when it is an aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinFunction {
    /// `oid`
    pub oid: u32,
    /// `proname`
    pub name: String,
    /// `prokind`
    pub kind: FunctionKind,
    /// `provolatile`
    pub volatility: Volatility,
    /// `proisstrict`: NULL in any argument gives NULL without calling it.
    pub strict: bool,
    /// `proretset`: returns a set (`SETOF ret`).
    pub retset: bool,
    /// `prorettype`
    pub ret: u32,
    /// `pronargdefaults`: the last this many of `args` have defaults.
    pub nargdefaults: u16,
    /// `provariadic`: the element type of the `VARIADIC` parameter.
    pub variadic: Option<u32>,
    /// `proargtypes`: input argument types.
    pub args: Vec<u32>,
    /// `proallargtypes`: all parameters including OUT/TABLE ones (`None`: only inputs).
    pub all_args: Option<Vec<u32>>,
    /// `proargmodes`, parallel to `all_args` (`None`: all IN).
    pub arg_modes: Option<Vec<ArgMode>>,
    /// `proargnames`, parallel to `all_args` when it is set, else to `args`; `""` unnamed.
    pub arg_names: Option<Vec<String>>,
    /// The `pg_aggregate` row of an aggregate (`kind == Aggregate`).
    pub aggregate: Option<BuiltinAggregate>,
}

impl BuiltinFunction {
    pub fn is_aggregate(&self) -> bool {
        self.kind == FunctionKind::Aggregate
    }

    pub fn is_window(&self) -> bool {
        self.kind == FunctionKind::Window
    }

    /// Parameters of all modes as (mode, type, name): `proallargtypes`/`proargmodes`/
    /// `proargnames` zipped, or the input arguments when there are no OUT parameters.
    pub fn params(&self) -> Vec<(ArgMode, u32, &str)> {
        let types = self.all_args.as_deref().unwrap_or(&self.args);
        types
            .iter()
            .enumerate()
            .map(|(i, &ty)| {
                let mode = match &self.arg_modes {
                    Some(modes) => modes[i],
                    None => ArgMode::In,
                };
                let name = self
                    .arg_names
                    .as_ref()
                    .and_then(|n| n.get(i))
                    .map_or("", String::as_str);
                (mode, ty, name)
            })
            .collect()
    }

    /// Names of the input arguments, parallel to `args` (`""` where unnamed): for named
    /// notation (`make_interval(days => 1)`).
    pub fn input_arg_names(&self) -> Vec<&str> {
        self.params()
            .into_iter()
            .filter(|(mode, _, _)| mode.is_input())
            .map(|(_, _, name)| name)
            .collect()
    }

    /// Result columns from OUT/INOUT/TABLE parameters, named as PostgreSQL names them
    /// (`columnN` for an unnamed one, N counting output columns from 1). Empty for a function
    /// without OUT parameters, whose result is `ret` (a scalar, or a set with `retset`).
    pub fn out_columns(&self) -> Vec<(String, u32)> {
        self.params()
            .into_iter()
            .filter(|(mode, _, _)| mode.is_output())
            .enumerate()
            .map(|(i, (_, ty, name))| {
                let name = if name.is_empty() {
                    format!("column{}", i + 1)
                } else {
                    name.to_string()
                };
                (name, ty)
            })
            .collect()
    }
}

/// A `pg_operator` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinOperator {
    /// `oid`
    pub oid: u32,
    /// `oprname`
    pub name: String,
    /// `oprkind`
    pub kind: OperatorKind,
    /// `oprleft` (`None` for a prefix operator)
    pub left: Option<u32>,
    /// `oprright`
    pub right: u32,
    /// `oprresult`
    pub result: u32,
    /// `oprcode`: the implementing function (strictness, volatility).
    pub code: u32,
    /// `oprcom`: the commutator (`b op' a` ≡ `a op b`).
    pub commutator: Option<u32>,
    /// `oprnegate`: the negator (`a op' b` ≡ `NOT (a op b)`).
    pub negator: Option<u32>,
}

/// A `pg_cast` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinCast {
    /// `castsource`
    pub source: u32,
    /// `casttarget`
    pub target: u32,
    /// `castcontext`
    pub context: CastContext,
    /// `castmethod`
    pub method: CastMethod,
    /// `castfunc`
    pub func: Option<u32>,
}

/// A `pg_aggregate` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinAggregate {
    /// `aggfnoid`
    pub fnoid: u32,
    /// `aggkind`
    pub kind: AggregateKind,
    /// `aggnumdirectargs` (ordered-set/hypothetical aggregates)
    pub num_direct_args: u16,
    /// `aggtransfn`
    pub transfn: u32,
    /// `aggfinalfn`
    pub finalfn: Option<u32>,
    /// `aggtranstype`
    pub transtype: u32,
    /// `agginitval` (the state's initial value as text; `None` is SQL NULL)
    pub initval: Option<String>,
}

impl BuiltinAggregate {
    /// Whether the aggregate can return NULL for no rows (or only NULL inputs). Only an
    /// aggregate that starts from a non-NULL state and returns that state unchanged by a
    /// final function is never NULL there: `count(*)`, `count(x)`, `regr_count`. (With a
    /// final function the result may still be NULL: `avg` starts from `{0,0}`.)
    pub fn null_on_empty_input(&self) -> bool {
        self.initval.is_none() || self.finalfn.is_some()
    }
}

/// `pg_class.relkind` of a relation that can be read (indexes, sequences and composite types
/// are not in the snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationKind {
    /// `r`
    Table,
    /// `v`
    View,
    /// `m`
    MaterializedView,
    /// `p`
    PartitionedTable,
    /// `f`
    ForeignTable,
}

impl RelationKind {
    /// A table whose NOT NULL columns are NOT NULL in a query's result (`r`, `p`, `f`, as the
    /// live describe reads `pg_attribute`); view columns are always nullable.
    pub fn is_table(self) -> bool {
        matches!(
            self,
            RelationKind::Table | RelationKind::PartitionedTable | RelationKind::ForeignTable
        )
    }
}

/// A table or view of `pg_catalog` or `information_schema` (a `pg_class` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinRelation {
    /// `nspname`: `pg_catalog` or `information_schema`
    pub schema: String,
    /// `relname`
    pub name: String,
    /// `relkind`
    pub kind: RelationKind,
    /// The columns in `attnum` order (`attnum > 0`, not dropped).
    pub columns: Vec<BuiltinColumn>,
    /// The primary key's columns in key order (a non-deferrable `contype = 'p'` constraint,
    /// what `check_functional_grouping` reads); `None` without one (views, most of
    /// `information_schema`).
    pub primary_key: Option<Vec<String>>,
}

/// A column of a [`BuiltinRelation`] (a `pg_attribute` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinColumn {
    /// `attname`
    pub name: String,
    /// `atttypid`, a domain reduced to its base type. Not a type of the snapshot only for a
    /// system row type (see the module documentation).
    pub ty: u32,
    /// `attnotnull`
    pub not_null: bool,
}

/// PostgreSQL's builtin catalog, indexed for lookup.
#[derive(Debug, Clone)]
pub struct Builtins {
    server_major: u32,
    /// Sorted by OID.
    types: Vec<BuiltinType>,
    type_by_oid: HashMap<u32, usize>,
    type_by_typname: HashMap<String, usize>,
    element_of: HashMap<u32, u32>,
    /// Sorted by (name, OID), so each name's overloads are contiguous.
    functions: Vec<BuiltinFunction>,
    function_by_oid: HashMap<u32, usize>,
    functions_by_name: HashMap<String, Range<usize>>,
    /// Sorted by (name, OID).
    operators: Vec<BuiltinOperator>,
    operator_by_oid: HashMap<u32, usize>,
    operators_by_name: HashMap<String, Range<usize>>,
    /// Sorted by (source, target).
    casts: Vec<BuiltinCast>,
    cast_by_pair: HashMap<(u32, u32), usize>,
    /// Sorted by (schema, name).
    relations: Vec<BuiltinRelation>,
    relation_by_name: HashMap<(String, String), usize>,
}

impl Builtins {
    /// The embedded PostgreSQL 15 snapshot, parsed on first use.
    pub fn load() -> &'static Builtins {
        static BUILTINS: OnceLock<Builtins> = OnceLock::new();
        BUILTINS.get_or_init(|| {
            Builtins::parse(DATA).unwrap_or_else(|e| panic!("{DATA_PATH} is corrupt: {e}"))
        })
    }

    /// Parses a data file (see the module documentation for its format).
    pub fn parse(text: &str) -> Result<Builtins, ParseError> {
        format::parse(text)
    }

    /// The data file for this catalog: the inverse of [`Builtins::parse`].
    pub fn to_data(&self) -> String {
        format::write(self)
    }

    /// Indexes catalog rows. Aggregates are attached to their functions; an aggregate whose
    /// function is missing is dropped.
    pub fn new(
        server_major: u32,
        mut types: Vec<BuiltinType>,
        mut functions: Vec<BuiltinFunction>,
        mut operators: Vec<BuiltinOperator>,
        mut casts: Vec<BuiltinCast>,
        aggregates: Vec<BuiltinAggregate>,
        mut relations: Vec<BuiltinRelation>,
    ) -> Builtins {
        types.sort_by_key(|t| t.oid);
        let type_by_oid = types.iter().enumerate().map(|(i, t)| (t.oid, i)).collect();
        let type_by_typname = types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();

        let mut aggregates: HashMap<u32, BuiltinAggregate> =
            aggregates.into_iter().map(|a| (a.fnoid, a)).collect();
        for f in &mut functions {
            if let Some(a) = aggregates.remove(&f.oid) {
                f.aggregate = Some(a);
            }
        }
        functions.sort_by(|a, b| (&a.name, a.oid).cmp(&(&b.name, b.oid)));
        let function_by_oid = functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.oid, i))
            .collect();
        let functions_by_name = group_by_name(functions.iter().map(|f| f.name.as_str()));

        operators.sort_by(|a, b| (&a.name, a.oid).cmp(&(&b.name, b.oid)));
        let operator_by_oid = operators
            .iter()
            .enumerate()
            .map(|(i, o)| (o.oid, i))
            .collect();
        let operators_by_name = group_by_name(operators.iter().map(|o| o.name.as_str()));

        casts.sort_by_key(|c| (c.source, c.target));
        let cast_by_pair = casts
            .iter()
            .enumerate()
            .map(|(i, c)| ((c.source, c.target), i))
            .collect();

        // get_element_type: typelem of a type subscripted like an array.
        let array_handler: Vec<u32> = functions
            .iter()
            .filter(|f| f.name == "array_subscript_handler")
            .map(|f| f.oid)
            .collect();
        let element_of = types
            .iter()
            .filter_map(|t| {
                let is_array = match t.subscript {
                    Some(handler) => array_handler.contains(&handler),
                    None => false,
                };
                Some((t.oid, t.elem.filter(|_| is_array)?))
            })
            .collect();

        relations.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        let relation_by_name = relations
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.schema.clone(), r.name.clone()), i))
            .collect();

        Builtins {
            server_major,
            types,
            type_by_oid,
            type_by_typname,
            element_of,
            functions,
            function_by_oid,
            functions_by_name,
            operators,
            operator_by_oid,
            operators_by_name,
            casts,
            cast_by_pair,
            relations,
            relation_by_name,
        }
    }

    /// The PostgreSQL major version the snapshot was taken from.
    pub fn server_major(&self) -> u32 {
        self.server_major
    }

    pub fn type_by_oid(&self, oid: u32) -> Option<&BuiltinType> {
        self.type_by_oid.get(&oid).map(|&i| &self.types[i])
    }

    /// Exactly `typname` (`int4`, `_text`, `char` is OID 18).
    pub fn type_by_typname(&self, typname: &str) -> Option<&BuiltinType> {
        self.type_by_typname.get(typname).map(|&i| &self.types[i])
    }

    /// A type as SQL spells it, case-insensitively: `typname` (`int4`, `timestamptz`) and the
    /// grammar's own names (`integer`, `int`, `character varying`, `double precision`,
    /// `timestamp with time zone`, `char(3)`, `float(10)`, `decimal(10,2)`, `interval day to
    /// second`, ...), with type modifiers ignored (except `float(p)`, which picks `real` or
    /// `double precision`), array suffixes (`integer[]`, `text[][]`, `int[3]`), an optional
    /// `pg_catalog.` qualifier, and quoted names taken exactly (`"char"`). Every
    /// [`BuiltinType::sql_name`] round-trips.
    pub fn type_by_name(&self, name: &str) -> Option<&BuiltinType> {
        names::resolve(self, name)
    }

    pub fn function_by_oid(&self, oid: u32) -> Option<&BuiltinFunction> {
        self.function_by_oid.get(&oid).map(|&i| &self.functions[i])
    }

    /// All overloads of `proname` (exact; fold unquoted identifiers to lowercase first),
    /// in OID order. Empty for names that are grammar (`coalesce`, `greatest`, ...).
    pub fn functions_named(&self, name: &str) -> &[BuiltinFunction] {
        match self.functions_by_name.get(name) {
            Some(range) => &self.functions[range.clone()],
            None => &[],
        }
    }

    pub fn operator_by_oid(&self, oid: u32) -> Option<&BuiltinOperator> {
        self.operator_by_oid.get(&oid).map(|&i| &self.operators[i])
    }

    /// All operators spelled `name` (binary and prefix), in OID order.
    pub fn operators_named(&self, name: &str) -> &[BuiltinOperator] {
        match self.operators_by_name.get(name) {
            Some(range) => &self.operators[range.clone()],
            None => &[],
        }
    }

    /// The operator with exactly these operand types (`left` `None` for prefix operators);
    /// no coercion, see the analyzer for resolution.
    pub fn operator(&self, name: &str, left: Option<u32>, right: u32) -> Option<&BuiltinOperator> {
        self.operators_named(name)
            .iter()
            .find(|o| o.left == left && o.right == right)
    }

    /// The `pg_cast` row from `source` to `target`, if any (see the module docs for the casts
    /// PostgreSQL applies without one).
    pub fn cast(&self, source: u32, target: u32) -> Option<&BuiltinCast> {
        self.cast_by_pair
            .get(&(source, target))
            .map(|&i| &self.casts[i])
    }

    /// The array type whose elements are `elem` (`typarray`).
    pub fn array_of(&self, elem: u32) -> Option<u32> {
        self.type_by_oid(elem)?.array
    }

    /// The element type of an array type (PostgreSQL's `get_element_type`: `typelem` of a
    /// type with the array subscripting handler; `None` for `name`, `point`, `jsonb`...).
    pub fn element_of(&self, array: u32) -> Option<u32> {
        self.element_of.get(&array).copied()
    }

    /// All types, by OID.
    pub fn types(&self) -> &[BuiltinType] {
        &self.types
    }

    /// All functions, by (name, OID).
    pub fn functions(&self) -> &[BuiltinFunction] {
        &self.functions
    }

    /// All operators, by (name, OID).
    pub fn operators(&self) -> &[BuiltinOperator] {
        &self.operators
    }

    /// All casts, by (source, target).
    pub fn casts(&self) -> &[BuiltinCast] {
        &self.casts
    }

    /// The table or view `schema.name` of `pg_catalog` or `information_schema` (exact names:
    /// fold unquoted identifiers first). No search path: see the module documentation.
    pub fn relation(&self, schema: &str, name: &str) -> Option<&BuiltinRelation> {
        self.relation_by_name
            .get(&(schema.to_string(), name.to_string()))
            .map(|&i| &self.relations[i])
    }

    /// All system relations, by (schema, name).
    pub fn relations(&self) -> &[BuiltinRelation] {
        &self.relations
    }

    /// The casts from `source`, by target.
    pub fn casts_from(&self, source: u32) -> &[BuiltinCast] {
        let start = self.casts.partition_point(|c| c.source < source);
        let end = self.casts.partition_point(|c| c.source <= source);
        &self.casts[start..end]
    }
}

/// Contiguous runs of equal names in a sorted sequence.
fn group_by_name<'a>(names: impl Iterator<Item = &'a str>) -> HashMap<String, Range<usize>> {
    let mut map: HashMap<String, Range<usize>> = HashMap::new();
    for (i, name) in names.enumerate() {
        match map.get_mut(name) {
            Some(range) => range.end = i + 1,
            None => {
                map.insert(name.to_string(), i..i + 1);
            }
        }
    }
    map
}
