//! What PostgreSQL's contrib extensions create: the types, functions (aggregates included),
//! operators and casts `CREATE EXTENSION name` adds to a database, per extension, as the
//! offline analyzer needs them once a schema installs one (`pgcrypto`'s `digest`, `pg_trgm`'s
//! `%`, `citext`, `hstore`'s `->`, `ltree`'s `@>`, ...).
//!
//! The data is read from a real PostgreSQL 15 server and checked in as
//! `codegen/builtins/contrib15.tsv`, embedded with `include_str!` and parsed once on first use
//! ([`Contrib::load`]). `tests/builtins.rs` regenerates it and fails on any difference. To
//! regenerate it:
//!
//! ```text
//! cargo run -p squill-codegen --bin squill-builtins -- --contrib codegen/builtins/contrib15.tsv
//! ```
//!
//! The generator ([`generate_contrib`]) starts a throwaway server (it needs a superuser and
//! creates extensions), and for each extension of [`EXTENSIONS`] the server has a control file
//! for runs `CREATE EXTENSION name CASCADE` in a transaction, reads the objects that have a
//! `pg_depend` entry with `deptype = 'e'` on the new `pg_extension` row, and rolls back. An
//! extension that is not available or fails to install is left out (and reported).
//!
//! # Names, not OIDs
//!
//! An extension's OIDs differ from one installation to the next, so the file names its objects:
//! a type by its `typname`, a function by `name(argument types)`. A *type reference* is either
//! a builtin type's OID (decimal; the pg_catalog snapshot's, stable) or the `typname` of a type
//! of the extension or of an extension it requires (`earthdistance`'s `cube`); arrays of an
//! extension's type by the array's `typname` (`_hstore`). A *function reference* is a builtin
//! function's OID or `name(type,type)` of a function of the extension (or of one it requires),
//! spelled with the type references of its `F` record. Parsing assigns the objects OIDs in the
//! analyzer's own space, in file order: types from [`TYPE_OID_BASE`] (even OIDs, each array the
//! next odd one), functions from [`FUNCTION_OID_BASE`], operators from [`OPERATOR_OID_BASE`]:
//! the same in every schema, far from PostgreSQL's own OIDs (below 16384) and from the
//! analyzer's synthetic OIDs for a schema's own types (`0x4000_0000` on).
//!
//! A reference to an extension's *domain* (`lo` over `oid`, `earthdistance`'s `earth` over
//! `cube`) is its base type once parsed, as the analyzer reduces domains everywhere.
//!
//! # Data file format
//!
//! As the builtins file (`codegen/src/builtins/mod.rs`): UTF-8, one record per line, fields
//! separated by a tab, `#` comments, `t`/`f` booleans, catalog codes as their character, lists
//! joined by `,` (empty for none), `\N` for SQL NULL, `0` for "none". One section per extension,
//! in name order, starting with its `E` record; within it records by kind in the order below,
//! each kind sorted (types by name, functions by signature, operators by name and operand
//! types, casts by source and target).
//!
//! | record | fields |
//! |---|---|
//! | `V` | major server version (`15`) |
//! | `E` | `extname extversion extrelocatable schema requires`: `schema` is the control file's (an extension that must live in one schema, `\N` otherwise), `requires` the extensions it needs |
//! | `T` | pg_type: `typname typtype typcategory typispreferred typarray typbasetype collatable typsubscript`: `typarray` the array type's `typname` (`\N`: none), `typbasetype` a type reference (domains), `collatable` whether `typcollation` is set, `typsubscript` a function reference |
//! | `K` | `attname atttypid`: an attribute of the composite `T` above |
//! | `F` | pg_proc: `proname lanname prokind provolatile proisstrict proretset prorettype pronargdefaults provariadic proargtypes proallargtypes proargmodes proargnames` (types are type references) |
//! | `A` | pg_aggregate: `function aggkind aggnumdirectargs aggtransfn aggfinalfn aggtranstype agginitval` (`function` is the aggregate's own function reference) |
//! | `O` | pg_operator: `oprname oprkind oprleft oprright oprresult oprcode oprcom oprnegate`: `oprcom` and `oprnegate` are operator *names* (`0`: none); the commutator's operand types are the swapped ones, the negator's the same |
//! | `C` | pg_cast: `castsource casttarget castcontext castmethod castfunc` |
//!
//! The generator checks what the format relies on: every object is in the extension's schema,
//! every reference resolves, and no name contains a tab, comma, parenthesis or line break.
//! Every cast involves a type of its extension (so a cast can only apply where the extension
//! is installed); the parser checks that too.
//!
//! # Nullability
//!
//! The analyzer calls a strict function over non-null arguments non-null, as for builtins
//! (`analyze/nullability.rs`). [`Contrib::null_on_non_null_input`] says where that does not hold:
//! the functions of the extensions in [`AUDITED`] whose C (or SQL) source returns NULL for
//! some non-null arguments ([`NULL_ON_NON_NULL_INPUT`]), and every function of an extension not
//! audited (administration and inspection tools: `dblink`, `sslinfo`, `pageinspect`, ...).

mod format;
mod generate;

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{BuiltinCast, BuiltinFunction, BuiltinOperator, ParseError, TypeKind};

pub use generate::{ContribData, generate_contrib};

/// The checked-in data.
pub const DATA: &str = include_str!("../../../builtins/contrib15.tsv");

/// Where the data file lives, relative to the `codegen` crate.
pub const DATA_PATH: &str = "builtins/contrib15.tsv";

/// Extensions outside contrib that squill knows offline, in the same format, transcribed from
/// their install scripts (they cannot be installed where the contrib data is generated; each
/// file's header names its source and version): pgvector.
pub const OTHER_DATA: &str = include_str!("../../../builtins/pgvector.tsv");

/// The OID of the first extension type (in file order; arrays take the odd OIDs after).
pub const TYPE_OID_BASE: u32 = 0x3000_0000;
/// The OID of the first extension function.
pub const FUNCTION_OID_BASE: u32 = 0x3400_0000;
/// The OID of the first extension operator.
pub const OPERATOR_OID_BASE: u32 = 0x3800_0000;

/// The extensions of PostgreSQL 15's contrib directory (the modules with a control file,
/// `plpgsql` aside: it is always there and lives in `pg_catalog`), the generator's list.
pub const EXTENSIONS: &[&str] = &[
    "adminpack",
    "amcheck",
    "autoinc",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "dblink",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "file_fdw",
    "fuzzystrmatch",
    "hstore",
    "insert_username",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "moddatetime",
    "old_snapshot",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_prewarm",
    "pg_stat_statements",
    "pg_surgery",
    "pg_trgm",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "pgrowlocks",
    "pgstattuple",
    "postgres_fdw",
    "refint",
    "seg",
    "sslinfo",
    "tablefunc",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "uuid-ossp",
    "xml2",
];

/// Extensions whose functions' sources were read for NULL results on non-null arguments (C:
/// `PG_RETURN_NULL`; SQL: the body), the ones [`NULL_ON_NON_NULL_INPUT`] lists exceptions of.
/// Functions of other extensions are taken to return NULL whatever their strictness.
pub const AUDITED: &[&str] = &[
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "earthdistance",
    "fuzzystrmatch",
    "hstore",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "pg_trgm",
    "pgcrypto",
    "pgstattuple",
    "seg",
    "tablefunc",
    "unaccent",
    "uuid-ossp",
];

/// `(extension, proname)`: strict functions of audited extensions that return NULL for some
/// non-null arguments (every overload of the name).
pub const NULL_ON_NON_NULL_INPUT: &[(&str, &str)] = &[
    // `h -> 'missing'`, and a key whose value is NULL.
    ("hstore", "fetchval"),
    // `(regexp_split_to_array(...))[n]`: NULL past the last part (text's split_part is '').
    ("citext", "split_part"),
    // The longest common ancestor: NULL for none (an empty input, no common prefix).
    ("ltree", "lca"),
    // `ltree[] ?@> ltree` and friends: the first match, NULL for none.
    ("ltree", "_ltree_extract_isparent"),
    ("ltree", "_ltree_extract_risparent"),
    ("ltree", "_ltq_extract_regex"),
    ("ltree", "_ltxtq_extract_exec"),
    // Not read to the end: kept nullable.
    ("intarray", "querytree"),
];

/// One extension's objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// `extname`
    pub name: String,
    /// `extversion` (the control file's default version)
    pub version: String,
    /// `extrelocatable`
    pub relocatable: bool,
    /// The control file's `schema`: the extension always goes there (`adminpack`:
    /// `pg_catalog`); `None` for the schema `CREATE EXTENSION` picks.
    pub schema: Option<String>,
    /// The control file's `requires` (`CASCADE` installs them first).
    pub requires: Vec<String>,
    /// By name.
    pub types: Vec<ExtensionType>,
    /// By name, then argument types.
    pub functions: Vec<ExtensionFunction>,
    /// By name, then operand types.
    pub operators: Vec<BuiltinOperator>,
    /// By source, then target.
    pub casts: Vec<BuiltinCast>,
}

/// A type an extension creates (a `pg_type` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionType {
    /// Its OID in the analyzer's space.
    pub oid: u32,
    /// `typname`
    pub name: String,
    /// `typtype`: base, composite or domain (the generator refuses others).
    pub kind: TypeKind,
    /// `typcategory` (`citext` is a string type, `S`; most are `U`).
    pub category: char,
    /// `typispreferred`
    pub preferred: bool,
    /// The array type's OID (`typarray`).
    pub array: Option<u32>,
    /// The array type's `typname` (`_hstore`).
    pub array_name: Option<String>,
    /// `typbasetype` of a domain (already reduced to a non-domain).
    pub base: Option<u32>,
    /// `typcollation` is set.
    pub collatable: bool,
    /// `typsubscript` (`hstore`'s subscripting handler).
    pub subscript: Option<u32>,
    /// The attributes of a composite type, in order.
    pub attributes: Vec<(String, u32)>,
}

/// A function an extension creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionFunction {
    /// The `pg_proc` row (with its `pg_aggregate` row), OIDs in the analyzer's space.
    pub function: BuiltinFunction,
    /// `lanname` (`c`, `sql`, `internal`, ...).
    pub language: String,
}

/// Every extension of the data file, indexed.
#[derive(Debug, Clone)]
pub struct Contrib {
    server_major: u32,
    extensions: Vec<Extension>,
    by_name: HashMap<String, usize>,
    /// A type's OID (or its array's) → (extension, type).
    type_by_oid: HashMap<u32, (usize, usize)>,
    function_by_oid: HashMap<u32, (usize, usize)>,
    cast_by_pair: HashMap<(u32, u32), (usize, usize)>,
}

impl Contrib {
    /// The embedded PostgreSQL 15 data, parsed on first use: the contrib extensions, then
    /// [`OTHER_DATA`]'s (one OID space).
    pub fn load() -> &'static Contrib {
        static CONTRIB: OnceLock<Contrib> = OnceLock::new();
        CONTRIB.get_or_init(|| {
            Contrib::parse(&format!("{DATA}\n{OTHER_DATA}"))
                .unwrap_or_else(|e| panic!("{DATA_PATH} or builtins/pgvector.tsv is corrupt: {e}"))
        })
    }

    /// Parses a data file (see the module documentation for its format), resolving its type
    /// and function references against the builtins snapshot and the file itself.
    pub fn parse(text: &str) -> Result<Contrib, ParseError> {
        format::parse(text)
    }

    fn new(server_major: u32, extensions: Vec<Extension>) -> Contrib {
        let mut by_name = HashMap::new();
        let mut type_by_oid = HashMap::new();
        let mut function_by_oid = HashMap::new();
        let mut cast_by_pair = HashMap::new();
        for (e, ext) in extensions.iter().enumerate() {
            by_name.insert(ext.name.clone(), e);
            for (i, t) in ext.types.iter().enumerate() {
                type_by_oid.insert(t.oid, (e, i));
                if let Some(array) = t.array {
                    type_by_oid.insert(array, (e, i));
                }
            }
            for (i, f) in ext.functions.iter().enumerate() {
                function_by_oid.insert(f.function.oid, (e, i));
            }
            for (i, c) in ext.casts.iter().enumerate() {
                cast_by_pair.insert((c.source, c.target), (e, i));
            }
        }
        Contrib {
            server_major,
            extensions,
            by_name,
            type_by_oid,
            function_by_oid,
            cast_by_pair,
        }
    }

    /// The PostgreSQL major version the data was read from.
    pub fn server_major(&self) -> u32 {
        self.server_major
    }

    /// All extensions, by name.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The extension `name` (`extname`, exact).
    pub fn extension(&self, name: &str) -> Option<&Extension> {
        self.by_name.get(name).map(|&e| &self.extensions[e])
    }

    /// The extension type with this OID, or whose array type has it, with its extension.
    pub fn type_by_oid(&self, oid: u32) -> Option<(&Extension, &ExtensionType)> {
        self.type_by_oid.get(&oid).map(|&(e, i)| {
            let ext = &self.extensions[e];
            (ext, &ext.types[i])
        })
    }

    /// The extension function with this OID, with its extension.
    pub fn function_by_oid(&self, oid: u32) -> Option<(&Extension, &ExtensionFunction)> {
        self.function_by_oid.get(&oid).map(|&(e, i)| {
            let ext = &self.extensions[e];
            (ext, &ext.functions[i])
        })
    }

    /// The extension cast from `source` to `target` (each cast involves a type of its
    /// extension, so it only applies where that type exists).
    pub fn cast(&self, source: u32, target: u32) -> Option<&BuiltinCast> {
        self.cast_by_pair
            .get(&(source, target))
            .map(|&(e, i)| &self.extensions[e].casts[i])
    }

    /// Whether the extension function `oid` may return NULL although none of its arguments
    /// is NULL, strict or not (see the module documentation). `false` for any other OID.
    pub fn null_on_non_null_input(&self, oid: u32) -> bool {
        let Some((ext, f)) = self.function_by_oid(oid) else {
            return false;
        };
        !AUDITED.contains(&ext.name.as_str())
            || NULL_ON_NON_NULL_INPUT.contains(&(ext.name.as_str(), f.function.name.as_str()))
    }
}
