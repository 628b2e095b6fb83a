//! The offline analyzer (issue 3): types a query's parameters and result columns, and infers
//! their nullability, without a database, following PostgreSQL 15's own parse-analysis rules
//! so that the result is exactly what `live::describe` reports.
//!
//! * [`Schema`] is what the analyzer knows about the user's schema: relations with their
//!   columns (type, NOT NULL), enums, domains, the search path. It is built from
//!   [`crate::catalog`] or, in tests, by introspection or by hand.
//! * [`analyze`] parses one [`RawQuery`] (sqlparser, PostgreSQL dialect) and produces the
//!   [`ir::Query`] describe would produce, or a [`Diagnostic`]. A construct the analyzer does
//!   not (yet) type with certainty is *refused* with a diagnostic saying
//!   `not supported offline yet: ...` — it never guesses a type.
//!
//! Modules: `types` (the type space: builtin OIDs plus synthetic OIDs for schema types),
//! `resolve` (coercion, operator/function resolution, common types, polymorphism:
//! PostgreSQL's parse_coerce.c / parse_func.c / parse_oper.c), `scope` (FROM items, joins,
//! column references), `expr` (expression typing and output names), `functions` (calls:
//! overloads, aggregates, functions in FROM), `rows` (whole rows, fields, `ROW(...)`),
//! `nullability` (the
//! null rules of aggregates, functions and operators), `statement` (SELECT, set operations,
//! VALUES, INSERT, UPDATE, DELETE, CTEs).

mod bound;
mod clauses;
mod conflict;
mod copyfrom;
mod distinct_on;
mod expr;
mod functions;
mod grouping;
mod level;
mod like;
mod literal;
mod locking;
mod nullability;
pub(crate) mod optional;
pub(crate) mod parse;
mod resolve;
mod row_cast;
mod rows;
mod scope;
mod statement;
mod subscript;
mod types;
mod utility;
mod window;

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, SourceFile, closest};
use crate::ir;
use crate::source::RawQuery;

pub(crate) use expr::fold;
pub use types::Types;

/// A column of a relation, as the analyzer sees it.
#[derive(Debug, Clone)]
pub struct RelColumn {
    pub name: String,
    /// In [`Schema::types`]' OID space (domains already reduced to their base type).
    pub ty: u32,
    pub not_null: bool,
}

/// A function as overload resolution sees it (a builtin, or one of the schema's).
#[derive(Debug, Clone)]
pub struct FunctionSig {
    pub kind: crate::builtins::FunctionKind,
    /// Input argument types; for a variadic function the last is the array.
    pub args: Vec<u32>,
    /// The element type of a variadic last argument.
    pub variadic: Option<u32>,
    /// `pronargdefaults`: how many of the last input arguments have defaults.
    pub nargdefaults: usize,
    /// The input arguments' names, parallel to `args` (`""` unnamed; empty: no names).
    pub arg_names: Vec<String>,
    pub ret: u32,
    pub retset: bool,
    /// The OID of a builtin or of a contrib extension's function (`Types::builtins` knows
    /// both); `None` for a schema function.
    pub builtin: Option<u32>,
    /// A schema function's OUT / `RETURNS TABLE` columns (builtins: from `pg_proc`).
    pub out: Vec<(String, u32)>,
}

impl FunctionSig {
    /// A builtin's (or an installed extension's) function as resolution sees it.
    fn of_builtin(f: &crate::builtins::BuiltinFunction) -> FunctionSig {
        FunctionSig {
            kind: f.kind,
            args: f.args.clone(),
            variadic: f.variadic,
            nargdefaults: f.nargdefaults as usize,
            arg_names: f
                .input_arg_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            ret: f.ret,
            retset: f.retset,
            builtin: Some(f.oid),
            out: Vec::new(),
        }
    }
}

/// What the analyzer knows of the user's schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub types: Types,
    relations: HashMap<(String, String), Vec<RelColumn>>,
    /// Schema functions by `(schema, name)`.
    functions: HashMap<(String, String), Vec<FunctionSig>>,
    /// The attributes of standalone composite types (`CREATE TYPE ... AS (...)`).
    composite_fields: HashMap<(String, String), Vec<RelColumn>>,
    /// Names of the catalog's functions left out (procedures, or types not resolved): a
    /// call that matches nothing may mean one of them.
    skipped_functions: std::collections::HashSet<String>,
    /// The schema installs extensions squill has no data for (not contrib), whose functions
    /// the catalog does not hold.
    has_extensions: bool,
    /// The kinds of the catalog's relations (not recorded: a table).
    relkinds: HashMap<(String, String), crate::catalog::RelKind>,
    /// The columns of each table's non-deferrable primary key (a table without one: absent);
    /// `None` when the schema was not loaded from a catalog (keys not known).
    primary_keys: Option<HashMap<(String, String), Vec<String>>>,
    /// The unique indexes of each table and partitioned table (constraint-backed ones
    /// included), for ON CONFLICT inference; `None` when not loaded from a catalog.
    unique_indexes: Option<HashMap<(String, String), Vec<crate::catalog::UniqueIndex>>>,
    /// The named exclusion constraints of each table, next to `unique_indexes`.
    exclusion_constraints: HashMap<(String, String), Vec<String>>,
    /// Views that read themselves through other views (never typed): reading one is
    /// PostgreSQL's `infinite recursion detected in rules`.
    circular_views: std::collections::HashSet<(String, String)>,
    /// The catalog's sequences.
    sequences: std::collections::HashSet<(String, String)>,
    /// Table columns `(schema, table, column)` whose type is a NOT NULL domain: they reject
    /// NULL though the column itself allows it.
    domain_not_null: std::collections::HashSet<(String, String, String)>,
    /// Table columns `(schema, table, column)` that are arrays of a NOT NULL domain: their
    /// elements reject NULL.
    elements_not_null: std::collections::HashSet<(String, String, String)>,
    /// The labels of the catalog's enums, by type OID (an enum added by hand has none).
    enum_labels: HashMap<u32, Vec<String>>,
    pub search_path: Vec<String>,
    /// While a view's query is typed: what its names referred to when it was created.
    binding: Option<crate::catalog::ViewBinding>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema {
            types: Types::default(),
            relations: HashMap::new(),
            functions: HashMap::new(),
            composite_fields: HashMap::new(),
            skipped_functions: Default::default(),
            has_extensions: false,
            relkinds: HashMap::new(),
            primary_keys: None,
            unique_indexes: None,
            exclusion_constraints: HashMap::new(),
            circular_views: Default::default(),
            sequences: Default::default(),
            domain_not_null: Default::default(),
            elements_not_null: Default::default(),
            enum_labels: HashMap::new(),
            search_path: vec!["public".into()],
            binding: None,
        }
    }
}

impl Schema {
    pub fn add_enum(&mut self, schema: &str, name: &str) {
        self.types.add_user_type(schema, name, true);
    }

    /// A schema type the analyzer only passes through (composite, range, extension type).
    pub fn add_opaque_type(&mut self, schema: &str, name: &str) {
        self.types.add_user_type(schema, name, false);
    }

    /// A domain over `base` (a type as SQL spells it). Unknown base types are an error.
    pub fn add_domain(&mut self, schema: &str, name: &str, base: &str) -> Result<(), String> {
        let base = self
            .types
            .resolve_name(base, &self.search_path)
            .ok_or_else(|| format!("unknown base type {base} of domain {schema}.{name}"))?;
        self.types.add_domain(schema, name, base);
        Ok(())
    }

    /// A relation with `(name, type as SQL spells it, not null)` columns.
    pub fn add_relation(
        &mut self,
        schema: &str,
        name: &str,
        columns: &[(&str, &str, bool)],
    ) -> Result<(), String> {
        let mut cols = Vec::new();
        for (col, ty, not_null) in columns {
            let ty = self
                .types
                .resolve_name(ty, &self.search_path)
                .ok_or_else(|| format!("unknown type {ty} of column {schema}.{name}.{col}"))?;
            cols.push(RelColumn {
                name: (*col).into(),
                ty,
                not_null: *not_null,
            });
        }
        self.types
            .add_user_type_of(schema, name, types::UserKind::Composite);
        self.relations.insert((schema.into(), name.into()), cols);
        Ok(())
    }

    /// A relation by (optional) schema and name, searching the search path.
    pub fn relation(&self, schema: Option<&str>, name: &str) -> Option<(&str, &[RelColumn])> {
        match schema {
            Some(s) => self
                .relations
                .get_key_value(&(s.to_string(), name.to_string()))
                .map(|(k, v)| (k.1.as_str(), v.as_slice())),
            None => self.search_path.iter().find_map(|s| {
                self.relations
                    .get_key_value(&(s.clone(), name.to_string()))
                    .map(|(k, v)| (k.1.as_str(), v.as_slice()))
            }),
        }
    }

    /// A schema function (`args`/`ret` as SQL spells types). Unknown types are an error.
    pub fn add_function(
        &mut self,
        schema: &str,
        name: &str,
        args: &[&str],
        ret: &str,
        retset: bool,
    ) -> Result<(), String> {
        let resolve = |t: &str| {
            self.types
                .resolve_name(t, &self.search_path)
                .ok_or_else(|| format!("unknown type {t} in function {schema}.{name}"))
        };
        let args = args
            .iter()
            .map(|a| resolve(a))
            .collect::<Result<Vec<_>, _>>()?;
        let ret = resolve(ret)?;
        self.functions
            .entry((schema.into(), name.into()))
            .or_default()
            .push(FunctionSig {
                kind: crate::builtins::FunctionKind::Function,
                args,
                variadic: None,
                nargdefaults: 0,
                arg_names: Vec::new(),
                ret,
                retset,
                builtin: None,
                out: Vec::new(),
            });
        Ok(())
    }

    /// Every function `name` (`schema.name`, or a bare name: `pg_catalog` first unless the
    /// search path names it, then the search path), each with the position of its schema in
    /// that path.
    pub(crate) fn function_candidates(&self, name: &str) -> Vec<(usize, FunctionSig)> {
        let mut out = Vec::new();
        let (schemas, bare): (Vec<String>, &str) = match name.split_once('.') {
            Some((s, n)) => (vec![s.to_string()], n),
            None if self.search_path.iter().any(|s| s == "pg_catalog") => {
                (self.search_path.clone(), name)
            }
            None => (
                std::iter::once("pg_catalog".to_string())
                    .chain(self.search_path.iter().cloned())
                    .collect(),
                name,
            ),
        };
        for (pathpos, s) in schemas.iter().enumerate() {
            if let Some(fs) = self.functions.get(&(s.clone(), bare.to_string())) {
                out.extend(fs.iter().map(|f| (pathpos, f.clone())));
            }
        }
        if let Some(pathpos) = schemas.iter().position(|s| s == "pg_catalog") {
            for f in self.types.builtins.functions_named(bare) {
                out.push((pathpos, FunctionSig::of_builtin(f)));
            }
        }
        out
    }

    /// Whether a call of `name` that matches none of the known overloads may still match one
    /// the analyzer does not know (an extension's, or one of the schema's it left out).
    pub(crate) fn may_have_unknown_overloads(&self, name: &str) -> bool {
        let bare = name.rsplit('.').next().unwrap_or(name);
        self.has_extensions || self.skipped_functions.contains(bare)
    }

    /// The schema the relation `[schema.]name` is found in, looked up as `relation_cols`
    /// looks it up (`pg_catalog` first unless the search path names it), with whether it is
    /// a system relation.
    fn find_relation(&self, parts: &[String]) -> Option<(String, bool)> {
        let (schema, table) = match parts {
            [t] => (None, t.as_str()),
            [s, t] => (Some(s.as_str()), t.as_str()),
            _ => return None,
        };
        let path: Vec<&str> = match schema {
            Some(s) => vec![s],
            None if self.search_path.iter().any(|s| s == "pg_catalog") => {
                self.search_path.iter().map(String::as_str).collect()
            }
            None => std::iter::once("pg_catalog")
                .chain(self.search_path.iter().map(String::as_str))
                .collect(),
        };
        path.into_iter().find_map(|s| {
            if s == "pg_catalog" || s == "information_schema" {
                self.types
                    .builtins
                    .relation(s, table)
                    .map(|_| (s.to_string(), true))
            } else {
                let key = (s.to_string(), table.to_string());
                (self.relations.contains_key(&key) || self.relkinds.contains_key(&key))
                    .then(|| (s.to_string(), false))
            }
        })
    }

    /// The row type of the relation `[schema.]name` (the type of a whole-row reference to
    /// it): `None` for a system relation (its row type is not in the snapshot) or an unknown
    /// one.
    pub(crate) fn relation_row_type(&self, parts: &[String]) -> Option<u32> {
        let (schema, name) = match self.bound_target(parts) {
            Some(target) => (target.schema.clone(), target.name.clone()),
            None => match self.find_relation(parts)? {
                (_, true) => return None,
                (schema, false) => (schema, parts.last()?.clone()),
            },
        };
        let quoted = format!(
            "{}.{}",
            crate::catalog::quote_ident(&schema),
            crate::catalog::quote_ident(&name)
        );
        self.types
            .resolve_name(&quoted, &[])
            .filter(|&t| self.types.is_composite(t))
    }

    /// The primary key of the relation `[schema.]name` as positions among its columns `cols`
    /// (`check_functional_grouping`): `Ok(None)` for a relation without one (a view has
    /// none), `Err` when not known (keys not loaded). A system relation's is the snapshot's.
    pub(crate) fn primary_key(
        &self,
        parts: &[String],
        cols: &[String],
    ) -> Result<Option<Vec<usize>>, ()> {
        let keys = self.primary_keys.as_ref().ok_or(())?;
        let (schema, name) = match self.bound_target(parts) {
            Some(target) => (target.schema.clone(), target.name.clone()),
            None => (
                self.find_relation(parts).ok_or(())?.0,
                parts.last().ok_or(())?.clone(),
            ),
        };
        let key = match schema.as_str() {
            "pg_catalog" | "information_schema" => self
                .types
                .builtins
                .relation(&schema, &name)
                .and_then(|r| r.primary_key.as_ref()),
            _ => keys.get(&(schema, name)),
        };
        let Some(key) = key else {
            return Ok(None);
        };
        key.iter()
            .map(|k| cols.iter().position(|c| c == k).ok_or(()))
            .collect::<Result<Vec<_>, ()>>()
            .map(Some)
    }

    /// The unique indexes of the table `[schema.]name` (what ON CONFLICT infers its arbiter
    /// among), with the table's name and its named exclusion constraints; `None` when not
    /// known: not loaded from a catalog, or not a table of the schema (a view, a system
    /// relation).
    pub(crate) fn unique_indexes(
        &self,
        parts: &[String],
    ) -> Option<(&str, &[crate::catalog::UniqueIndex], &[String])> {
        let all = self.unique_indexes.as_ref()?;
        if self.bound_target(parts).is_some() {
            return None;
        }
        let (schema, false) = self.find_relation(parts)? else {
            return None;
        };
        let (key, indexes) = all.get_key_value(&(schema, parts.last()?.clone()))?;
        let exclusions = self
            .exclusion_constraints
            .get(key)
            .map_or(&[][..], Vec::as_slice);
        Some((key.1.as_str(), indexes.as_slice(), exclusions))
    }

    /// Whether `schema.name` is a view that reads itself.
    pub(crate) fn is_circular_view(&self, schema: &str, name: &str) -> bool {
        self.circular_views
            .contains(&(schema.to_string(), name.to_string()))
    }

    /// The sequence `[schema.]name` (searched on the search path), as `(schema, name)`.
    pub(crate) fn sequence(&self, parts: &[String]) -> Option<(String, String)> {
        let key = |s: &str, n: &str| (s.to_string(), n.to_string());
        match parts {
            [s, n] => Some(key(s, n)).filter(|k| self.sequences.contains(k)),
            [n] => self
                .search_path
                .iter()
                .map(|s| key(s, n))
                .find(|k| self.sequences.contains(k)),
            _ => None,
        }
    }

    /// The name of the relation `[schema.]name` if it has system columns (`xmin`, `ctid`, ...):
    /// any relation with storage or a foreign table, not a view (whose `pg_attribute` has none).
    pub(crate) fn system_columns_of(&self, parts: &[String]) -> Option<String> {
        use crate::builtins::RelationKind as B;
        use crate::catalog::RelKind as K;
        if self.find_relation(parts).is_none() && self.bound_target(parts).is_none() {
            return self.sequence(parts).map(|(_, name)| name);
        }
        let (schema, name) = match self.bound_target(parts) {
            Some(target) => (target.schema.clone(), target.name.clone()),
            None => {
                let (schema, system) = self.find_relation(parts)?;
                let name = parts.last()?.clone();
                if system {
                    let kind = self.types.builtins.relation(&schema, &name)?.kind;
                    return (kind != B::View).then_some(name);
                }
                (schema, name)
            }
        };
        let kind = self.relkinds.get(&(schema, name.clone()));
        (kind != Some(&K::View)).then_some(name)
    }

    /// The columns of the table `parts` names, in order, with whether each accepts NULL (a
    /// nullable column of no NOT NULL domain); `None` for anything but a table of the schema.
    pub fn insert_target_columns(&self, parts: &[String]) -> Option<Vec<optional::TargetColumn>> {
        use crate::catalog::RelKind as K;
        let (schema, system) = self.find_relation(parts)?;
        let table = parts.last()?;
        let key = (schema, table.clone());
        if system
            || !matches!(
                self.relkinds.get(&key),
                None | Some(K::Table | K::PartitionedTable | K::ForeignTable)
            )
        {
            return None;
        }
        let (schema, table) = key;
        Some(
            self.relations
                .get(&(schema.clone(), table.clone()))?
                .iter()
                .map(|c| {
                    let key = (schema.clone(), table.clone(), c.name.clone());
                    let domain = self.domain_not_null.contains(&key);
                    let array = matches!(self.types.pg_type(c.ty), ir::PgType::Array(_));
                    optional::TargetColumn {
                        name: c.name.clone(),
                        accepts_null: !c.not_null && !domain,
                        elements_accept_null: array && !self.elements_not_null.contains(&key),
                    }
                })
                .collect(),
        )
    }

    /// Why `LOCK` may not lock the relation `[schema.]name` (`RangeVarCallbackForLockTable`
    /// takes tables, partitioned tables and views): the kind of relation it is, as PostgreSQL
    /// words it. `Ok(None)`: lockable; `Err(())`: no such relation.
    pub(crate) fn lock_refusal(&self, parts: &[String]) -> Result<Option<&'static str>, ()> {
        use crate::builtins::RelationKind as B;
        use crate::catalog::RelKind as K;
        let table = parts.last().ok_or(())?;
        let Some((schema, system)) = self.find_relation(parts) else {
            let sequence = match parts {
                [s, t] => self.sequences.contains(&(s.clone(), t.clone())),
                _ => self
                    .search_path
                    .iter()
                    .any(|s| self.sequences.contains(&(s.clone(), table.clone()))),
            };
            return if sequence {
                Ok(Some("sequences"))
            } else {
                Err(())
            };
        };
        Ok(if system {
            match self.types.builtins.relation(&schema, table).map(|r| r.kind) {
                Some(B::MaterializedView) => Some("materialized views"),
                Some(B::ForeignTable) => Some("foreign tables"),
                _ => None,
            }
        } else {
            match self.relkinds.get(&(schema, table.clone())) {
                Some(K::MaterializedView) => Some("materialized views"),
                Some(K::ForeignTable) => Some("foreign tables"),
                _ => None,
            }
        })
    }

    /// The columns of a composite type (`None` for any other type): a standalone composite's
    /// attributes, or the columns of the table or view it is the row type of.
    pub(crate) fn composite_columns(&self, ty: u32) -> Option<Vec<(String, u32)>> {
        if !self.types.is_composite(ty) {
            return None;
        }
        let (schema, name) = self.types.user_name(ty)?;
        let key = (schema.to_string(), name.to_string());
        self.composite_fields
            .get(&key)
            .or_else(|| self.relations.get(&key))
            .map(|cols| cols.iter().map(|c| (c.name.clone(), c.ty)).collect())
    }

    pub fn relation_names(&self) -> impl Iterator<Item = &str> {
        self.relations.keys().map(|(_, n)| n.as_str())
    }
}

/// Why a query was not typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fail {
    /// PostgreSQL would reject the query (message in PostgreSQL's terms), with an optional help.
    Error(String, Option<String>),
    /// A construct the analyzer does not type yet.
    Unsupported(String),
    /// Either, at a `(line, column)` of the SQL (1-based, columns in characters).
    At(Box<Fail>, u64, u64),
    /// Either, at the first token from a `(line, column)` on (an operator after its operand).
    AtNext(Box<Fail>, u64, u64),
}

impl Fail {
    /// Attaches the position of a token (kept when one is already attached).
    pub(crate) fn at(self, span: sqlparser::tokenizer::Span) -> Fail {
        match self {
            Fail::At(..) | Fail::AtNext(..) => self,
            _ if span.start.line == 0 => self,
            other => Fail::At(Box::new(other), span.start.line, span.start.column),
        }
    }

    /// Attaches the position of the first token after `span` (kept when one is attached).
    pub(crate) fn after(self, span: sqlparser::tokenizer::Span) -> Fail {
        match self {
            Fail::At(..) | Fail::AtNext(..) => self,
            _ if span.end.line == 0 => self,
            other => Fail::AtNext(Box::new(other), span.end.line, span.end.column),
        }
    }
}

/// The operator (a run of operator characters, or a word such as `LIKE`) at `start`.
fn operator_span(text: &str, start: usize) -> std::ops::Range<usize> {
    const OPERATOR_CHARS: &str = "+-*/<>=~!@#%^&|`?";
    let rest = text.get(start..).unwrap_or("");
    let len: usize = rest
        .chars()
        .take_while(|c| OPERATOR_CHARS.contains(*c))
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        crate::diagnostic::token_span(text, start)
    } else {
        start..start + len
    }
}

/// Byte offset in `sql` of a 1-based line and character column.
pub(crate) fn sql_offset(sql: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (i, l) in sql.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    sql.len()
}

pub(crate) type Res<T> = Result<T, Fail>;

pub(crate) fn unsupported<T>(what: impl Into<String>) -> Res<T> {
    Err(Fail::Unsupported(what.into()))
}

pub(crate) fn error<T>(message: impl Into<String>) -> Res<T> {
    Err(Fail::Error(message.into(), None))
}

/// How to get past a refusal without editing the query.
pub const REFUSAL_HELP: &str = "with `analysis = \"auto\"` (the default) squill asks PostgreSQL instead: set DATABASE_URL or install PostgreSQL's server binaries (initdb) so a throwaway server can start";

/// Types `raw` offline: the same [`ir::Query`] `live::Describer::describe` produces, or a
/// diagnostic (an error PostgreSQL would report, or a construct not supported offline yet).
/// A statement deeper than `depth::LIMIT` is refused at the token where it gets too deep, and
/// the analysis runs with the stack any accepted one needs.
pub fn analyze(
    schema: &Schema,
    raw: &RawQuery,
    file: &SourceFile,
) -> Result<ir::Query, Diagnostic> {
    let too_deep = |start: usize| {
        Diagnostic::error(crate::depth::MESSAGE)
            .at(file, crate::diagnostic::token_span(&file.text, start))
            .label(format!("in query {}", raw.name))
            .help(crate::depth::HELP)
            .refused()
    };
    if let Err(span) = crate::depth::check(&raw.sql) {
        let at = sql_offset(&raw.sql, span.start.line, span.start.column);
        return Err(too_deep(raw.file_offset(at)));
    }
    crate::depth::guarded(|| analyze_guarded(schema, raw, file)).map_err(|d| {
        // sqlparser's own limit on nesting (parentheses, calls, subqueries) says the same.
        match d.message.contains("recursion limit exceeded") {
            true => too_deep(raw.name_span.start),
            false => d,
        }
    })
}

fn analyze_guarded(
    schema: &Schema,
    raw: &RawQuery,
    file: &SourceFile,
) -> Result<ir::Query, Diagnostic> {
    let fail = |f: Fail| -> Diagnostic {
        let (f, span) = match f {
            Fail::At(inner, line, column) => {
                let start = raw.file_offset(sql_offset(&raw.sql, line, column));
                (*inner, crate::diagnostic::token_span(&file.text, start))
            }
            Fail::AtNext(inner, line, column) => {
                let at = sql_offset(&raw.sql, line, column);
                let skipped = raw.sql[at..].len() - raw.sql[at..].trim_start().len();
                let start = raw.file_offset(at + skipped);
                (*inner, operator_span(&file.text, start))
            }
            other => (other, raw.name_span.clone()),
        };
        match f {
            Fail::At(..) | Fail::AtNext(..) => unreachable!("positions are attached once"),
            Fail::Error(message, help) => {
                let d = Diagnostic::error(message)
                    .at(file, span)
                    .label(format!("in query {}", raw.name));
                match help {
                    Some(h) => d.help(h),
                    None => d,
                }
            }
            Fail::Unsupported(what) => Diagnostic::error(format!(
                "query {} cannot be typed offline: {what} is not supported offline yet",
                raw.name
            ))
            .at(file, span)
            .label("not supported offline yet")
            .help(REFUSAL_HELP)
            .refused(),
        }
    };
    let parsed = parse::parse(&raw.sql, &|name| schema.has_column_named(name)).map_err(|e| {
        fail(Fail::Unsupported(format!(
            "SQL the parser (sqlparser) cannot read ({e})"
        )))
    })?;
    let statements = match parsed {
        parse::Parsed::Statements(statements) => statements,
        parse::Parsed::Do => return Ok(utility_query(raw, file)),
        parse::Parsed::Refresh(name) => {
            let (schema_name, view) = match name.as_slice() {
                [v] => (None, v.as_str()),
                [s, v] => (Some(s.as_str()), v.as_str()),
                _ => {
                    return Err(fail(Fail::Unsupported(
                        "cross-database relation names".into(),
                    )));
                }
            };
            if schema.relation(schema_name, view).is_none() {
                return Err(fail(Fail::Error(
                    format!("relation \"{}\" does not exist", name.join(".")),
                    closest(view, schema.relation_names())
                        .map(|n| format!("did you mean \"{n}\"?")),
                )));
            }
            return Ok(utility_query(raw, file));
        }
    };
    let [statement] = statements.as_slice() else {
        return Err(fail(Fail::Error(
            format!("expected one statement, found {}", statements.len()),
            None,
        )));
    };
    // `sqlc.narg`, then what the statement's syntax says (before typing: a parameter that
    // may be NULL makes what it flows into nullable).
    let written = optional::params_written(statement, raw.params.len(), &mut |parts| {
        schema.insert_target_columns(parts)
    });
    let nullable_params: Vec<bool> = raw
        .params
        .iter()
        .zip(&written.optional)
        .map(|(p, o)| p.nullable || *o)
        .collect();
    let out = statement::analyze_statement(schema, statement, &raw.sql, &nullable_params)
        .map_err(fail)?;
    if raw.command == crate::source::Command::CopyFrom {
        copyfrom::check(schema, statement, &out.params).map_err(fail)?;
    }
    let mut params = Vec::new();
    for (i, ty) in out.params.iter().enumerate() {
        let Some(ty) = ty else {
            // Point at the parameter as the user wrote it (`@value`, `sqlc.arg(x)` or `$n`).
            let slot = raw.params.get(i);
            let written = slot
                .and_then(|p| p.spans.first())
                .and_then(|span| file.text.get(span.clone()))
                .map_or_else(|| format!("${}", i + 1), str::to_string);
            let message = format!("could not determine data type of parameter ${}", i + 1);
            let help = format!("add a cast, e.g. `{written}::text`");
            let diagnostic = match slot.and_then(|p| p.spans.first()) {
                Some(span) => Diagnostic::error(message)
                    .at(file, span.clone())
                    .label(format!("in query {}", raw.name))
                    .help(help),
                None => fail(Fail::Error(message, Some(help))),
            };
            return Err(diagnostic);
        };
        let name = raw
            .params
            .get(i)
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| format!("p{}", i + 1));
        params.push(ir::Param {
            name,
            ty: schema.types.pg_type(*ty),
            nullable: nullable_params.get(i).copied().unwrap_or(false),
            origin: written.targets.get(i).cloned().flatten(),
            elements_nullable: written.elements_nullable.get(i).copied().unwrap_or(false),
        });
    }
    let mut columns: Vec<ir::Column> = out
        .columns
        .into_iter()
        .map(|c| {
            let (name, elements_asserted) = crate::live::split_elements_override(&c.name);
            let (name, forced) = crate::live::split_override(name);
            ir::Column {
                name: name.to_string(),
                ty: schema.types.pg_type(c.ty),
                nullable: forced.unwrap_or(c.nullable),
                elements_nullable: !(elements_asserted || c.elements_non_null),
                origin: c.origin,
            }
        })
        .collect();
    // A cornucopia row annotation's `col?` overrides (and names only columns that exist).
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    for i in raw.annotated_nullable(file, &names)? {
        columns[i].nullable = true;
    }
    let select_list =
        crate::select_list::resolve(&raw.sql, statement, &raw.embeds, &columns, &mut |s, t| {
            schema
                .relation(s, t)
                .map(|(_, cols)| cols.iter().map(|c| c.name.clone()).collect())
        })
        .map_err(|e| fail(Fail::Error(e, None)))?;
    Ok(ir::Query {
        name: raw.name.clone(),
        file: file.name.clone(),
        line: raw.line,
        command: raw.command,
        doc: raw.doc.clone(),
        sql: select_list.sql(&raw.sql),
        copy_sql: None,
        params,
        embeds: select_list.embeds,
        columns,
        row_type: raw.row_type(),
        tenancy: Default::default(),
    })
}

/// A statement with neither parameters nor result columns.
fn utility_query(raw: &RawQuery, file: &SourceFile) -> ir::Query {
    ir::Query {
        name: raw.name.clone(),
        file: file.name.clone(),
        line: raw.line,
        command: raw.command,
        doc: raw.doc.clone(),
        sql: raw.sql.clone(),
        copy_sql: None,
        params: Vec::new(),
        columns: Vec::new(),
        embeds: Vec::new(),
        row_type: raw.row_type(),
        tenancy: Default::default(),
    }
}

impl Schema {
    /// The labels of the enum type `ty`, when the catalog knows them.
    pub(crate) fn enum_labels(&self, ty: u32) -> Option<&[String]> {
        self.enum_labels.get(&ty).map(Vec::as_slice)
    }

    /// Whether some relation of the schema has a column `name`.
    pub(crate) fn has_column_named(&self, name: &str) -> bool {
        self.relations
            .values()
            .any(|cols| cols.iter().any(|c| c.name == name))
    }

    /// The analyzer's view of a [`crate::catalog::Catalog`]. Relations whose columns are still
    /// pending (views from DDL, typed by analysing their query) are typed here in dependency
    /// order; one that cannot be typed is left out (a query reading it is then refused as an
    /// unknown relation).
    pub fn from_catalog(catalog: &crate::catalog::Catalog) -> Schema {
        // Views are typed here: with the stack their SQL may need (see `analyze`).
        crate::depth::guarded(|| Self::from_catalog_guarded(catalog))
    }

    fn from_catalog_guarded(catalog: &crate::catalog::Catalog) -> Schema {
        let mut schema = Schema {
            search_path: catalog.search_path.clone(),
            ..Schema::default()
        };
        schema.install_extensions(catalog);
        schema.types.schema_operators = catalog
            .operators
            .iter()
            .map(|o| o.name.name.clone())
            .collect();
        schema.types.schema_casts = !catalog.casts.is_empty();
        schema.types.unknown_extensions = schema.has_extensions;
        for (name, labels) in &catalog.enums {
            schema.add_enum(&name.schema, &name.name);
            let quoted = format!(
                "{}.{}",
                crate::catalog::quote_ident(&name.schema),
                crate::catalog::quote_ident(&name.name)
            );
            if let Some(ty) = schema.types.resolve_name(&quoted, &[]) {
                schema.enum_labels.insert(ty, labels.clone());
            }
        }
        // Composite types: standalone ones and the row types of tables and views.
        for name in catalog.composites.keys().chain(catalog.tables.keys()) {
            schema
                .types
                .add_user_type_of(&name.schema, &name.name, types::UserKind::Composite);
        }
        for name in catalog.ranges.keys().chain(catalog.base_types.iter()) {
            schema.add_opaque_type(&name.schema, &name.name);
        }
        // Domains over domains: resolve until nothing changes.
        let mut pending: Vec<_> = catalog.domains.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|(name, domain)| match schema.type_oid(&domain.base) {
                Some(base) => {
                    schema.types.add_domain(&name.schema, &name.name, base);
                    false
                }
                None => true,
            });
            if pending.len() == before {
                for (name, _) in pending {
                    schema.add_opaque_type(&name.schema, &name.name);
                }
                break;
            }
        }
        // Ranges (over a type known by now) with their multirange types.
        for (name, subtype) in &catalog.ranges {
            let Some(subtype) = schema.type_oid(subtype) else {
                continue;
            };
            let range = schema.types.add_user_type(&name.schema, &name.name, false);
            let multirange = schema.types.add_user_type_of(
                &name.schema,
                &crate::catalog::multirange_name(&name.name),
                types::UserKind::Multirange { range },
            );
            schema.types.add_user_type_of(
                &name.schema,
                &name.name,
                types::UserKind::Range {
                    subtype,
                    multirange: Some(multirange),
                },
            );
        }
        for (name, fields) in &catalog.composites {
            let cols = fields
                .iter()
                .map(|f| RelColumn {
                    name: f.name.clone(),
                    ty: schema.type_oid(&f.ty).unwrap_or_else(|| {
                        let base = schema.types.add_user_type(&f.ty.schema, &f.ty.name, false);
                        if f.ty.array_dims > 0 {
                            schema.types.array_of(base).unwrap_or(base)
                        } else {
                            base
                        }
                    }),
                    not_null: false,
                })
                .collect();
            schema
                .composite_fields
                .insert((name.schema.clone(), name.name.clone()), cols);
        }
        let mut views = Vec::new();
        let mut primary_keys = HashMap::new();
        let mut unique_indexes = HashMap::new();
        for (name, rel) in &catalog.tables {
            schema
                .relkinds
                .insert((name.schema.clone(), name.name.clone()), rel.kind);
            // get_primary_key_attnos(deferrableOk = false): plain column keys only.
            let key = rel.unique_indexes.iter().find(|i| {
                i.kind == crate::catalog::UniqueKind::PrimaryKey
                    && !i.deferrable
                    && i.columns.iter().all(Option::is_some)
            });
            if matches!(
                rel.kind,
                crate::catalog::RelKind::Table | crate::catalog::RelKind::PartitionedTable
            ) {
                unique_indexes.insert(
                    (name.schema.clone(), name.name.clone()),
                    rel.unique_indexes.clone(),
                );
                schema.exclusion_constraints.insert(
                    (name.schema.clone(), name.name.clone()),
                    rel.exclusion_constraints.clone(),
                );
            }
            if let Some(key) = key {
                primary_keys.insert(
                    (name.schema.clone(), name.name.clone()),
                    key.columns.iter().flatten().cloned().collect::<Vec<_>>(),
                );
            }
            if rel.binding.is_some() && catalog.view_reads_itself(name) {
                schema
                    .circular_views
                    .insert((name.schema.clone(), name.name.clone()));
                continue;
            }
            if rel.columns_pending() {
                views.push((
                    name,
                    rel.view_sql.clone().unwrap_or_default(),
                    rel.binding.as_deref(),
                ));
                continue;
            }
            for c in &rel.columns {
                let key = (name.schema.clone(), name.name.clone(), c.name.clone());
                if domain_not_null(catalog, &c.ty) {
                    schema.domain_not_null.insert(key.clone());
                }
                if elements_not_null(catalog, &c.ty) {
                    schema.elements_not_null.insert(key);
                }
            }
            let cols = rel
                .columns
                .iter()
                .map(|c| RelColumn {
                    name: c.name.clone(),
                    ty: schema.type_oid(&c.ty).unwrap_or_else(|| {
                        let base = schema.types.add_user_type(&c.ty.schema, &c.ty.name, false);
                        if c.ty.array_dims > 0 {
                            schema.types.array_of(base).unwrap_or(base)
                        } else {
                            base
                        }
                    }),
                    not_null: c.not_null,
                })
                .collect();
            schema
                .relations
                .insert((name.schema.clone(), name.name.clone()), cols);
        }
        schema.sequences = catalog
            .sequences
            .iter()
            .map(|n| (n.schema.clone(), n.name.clone()))
            .collect();
        for f in &catalog.functions {
            // A procedure returns nothing (`void`), unless it has OUT / INOUT parameters (a
            // row: not modelled).
            let ret = match &f.ret {
                Some(ret) => schema.type_oid(ret),
                None if f.table_columns.is_empty() => Some(crate::builtins::oid::VOID),
                None => None,
            };
            let args: Option<Vec<u32>> = f.args.iter().map(|a| schema.type_oid(a)).collect();
            let (Some(args), Some(ret)) = (args, ret) else {
                schema.skipped_functions.insert(f.name.name.clone());
                continue;
            };
            let out: Option<Vec<(String, u32)>> = f
                .table_columns
                .iter()
                .map(|(n, t)| schema.type_oid(t).map(|t| (n.clone(), t)))
                .collect();
            let Some(out) = out else {
                schema.skipped_functions.insert(f.name.name.clone());
                continue;
            };
            let variadic = if f.variadic {
                args.last().and_then(|&a| schema.types.element_of(a))
            } else {
                None
            };
            schema
                .functions
                .entry((f.name.schema.clone(), f.name.name.clone()))
                .or_default()
                .push(FunctionSig {
                    kind: if f.is_procedure() {
                        crate::builtins::FunctionKind::Procedure
                    } else {
                        crate::builtins::FunctionKind::Function
                    },
                    args,
                    variadic,
                    nargdefaults: f.nargdefaults,
                    arg_names: f
                        .arg_names
                        .iter()
                        .map(|n| n.clone().unwrap_or_default())
                        .collect(),
                    ret,
                    retset: f.returns_set,
                    builtin: None,
                    out,
                });
        }
        // Views in dependency order: retry while progress is made.
        while !views.is_empty() {
            let before = views.len();
            views.retain(
                |(name, sql, binding)| match schema.view_columns(sql, *binding) {
                    Some(cols) => {
                        schema
                            .relations
                            .insert((name.schema.clone(), name.name.clone()), cols);
                        false
                    }
                    None => true,
                },
            );
            if views.len() == before {
                break;
            }
        }
        schema.primary_keys = Some(primary_keys);
        schema.unique_indexes = Some(unique_indexes);
        schema
    }

    /// The contrib extensions the catalog installs (see [`crate::builtins::contrib`]), in the
    /// schema each went to (the control file's, for one that names it): their types, casts
    /// and operators ([`Types::install_extension`]), their functions as functions of that
    /// schema (found on the search path like the schema's own, typed and null-checked like
    /// builtins), and their composite types' attributes. Any other extension makes a call
    /// that matches nothing possibly one of its functions (a refusal, not an error).
    fn install_extensions(&mut self, catalog: &crate::catalog::Catalog) {
        let contrib = crate::builtins::contrib::Contrib::load();
        for name in &catalog.extensions {
            let ext = contrib.extension(name);
            let Some((ext, ext_schema)) = ext.and_then(|e| {
                let schema = e
                    .schema
                    .as_ref()
                    .or_else(|| catalog.extension_schemas.get(name))?;
                Some((e, schema.clone()))
            }) else {
                self.has_extensions = true;
                continue;
            };
            self.types
                .install_extension(ext, &ext_schema, &catalog.search_path);
            for t in ext.types.iter().filter(|t| !t.attributes.is_empty()) {
                let fields = t
                    .attributes
                    .iter()
                    .map(|(name, ty)| RelColumn {
                        name: name.clone(),
                        ty: *ty,
                        not_null: false,
                    })
                    .collect();
                self.composite_fields
                    .insert((ext_schema.clone(), t.name.clone()), fields);
            }
            for f in &ext.functions {
                let f = &f.function;
                self.functions
                    .entry((ext_schema.clone(), f.name.clone()))
                    .or_default()
                    .push(FunctionSig::of_builtin(f));
            }
        }
    }

    /// A catalog type name in the analyzer's OID space (domains reduced to their base).
    pub fn type_oid(&self, ty: &crate::catalog::TypeName) -> Option<u32> {
        let elem = if ty.schema == "pg_catalog" {
            self.types
                .builtins
                .type_by_typname(&ty.name)
                .map(|t| t.oid)?
        } else {
            let quoted = format!(
                "{}.{}",
                crate::catalog::quote_ident(&ty.schema),
                crate::catalog::quote_ident(&ty.name)
            );
            self.types.resolve_name(&quoted, &self.search_path)?
        };
        if ty.array_dims > 0 && !self.types.is_array(elem) {
            self.types.array_of(elem)
        } else {
            Some(elem)
        }
    }

    /// A view's columns from its defining query (`None` if it cannot be typed offline), with
    /// the nullability the analyzer infers for that query. (PostgreSQL's describe reports every
    /// view column nullable; the view's query says more, and is what reading the view runs.)
    ///
    /// The query is typed as PostgreSQL bound it when the view was created (`binding`: the
    /// relations its names found then, the creating session's search path), and its columns
    /// renamed since are renamed.
    fn view_columns(
        &mut self,
        sql: &str,
        binding: Option<&crate::catalog::ViewBinding>,
    ) -> Option<Vec<RelColumn>> {
        let parse::Parsed::Statements(statements) =
            parse::parse(sql, &|name| self.has_column_named(name)).ok()?
        else {
            return None;
        };
        let [statement] = statements.as_slice() else {
            return None;
        };
        let saved_path = match binding {
            Some(b) => std::mem::replace(&mut self.search_path, b.search_path.clone()),
            None => self.search_path.clone(),
        };
        self.binding = binding.cloned();
        let out = statement::analyze_statement(self, statement, sql, &[]);
        self.binding = None;
        self.search_path = saved_path;
        let renamed = binding.map_or(&[][..], |b| b.renamed_columns.as_slice());
        Some(
            out.ok()?
                .columns
                .into_iter()
                .map(|c| RelColumn {
                    name: renamed
                        .iter()
                        .find(|(then, _)| *then == c.name)
                        .map_or(c.name, |(_, now)| now.clone()),
                    ty: c.ty,
                    not_null: !c.nullable,
                })
                .collect(),
        )
    }
}

/// Whether `ty` is an array of a NOT NULL domain (or a domain over such an array): PostgreSQL
/// checks the domain's NOT NULL on each element.
fn elements_not_null(catalog: &crate::catalog::Catalog, ty: &crate::catalog::TypeName) -> bool {
    let mut current = ty;
    // Down the domains to the array (at most every domain long), then its element type.
    for _ in 0..=catalog.domains.len() {
        if current.array_dims > 0 {
            let element = crate::catalog::TypeName {
                array_dims: 0,
                ..current.clone()
            };
            return domain_not_null(catalog, &element);
        }
        let key = crate::catalog::QualifiedName::new(current.schema.clone(), current.name.clone());
        let Some(domain) = catalog.domains.get(&key) else {
            return false;
        };
        current = &domain.base;
    }
    false
}

/// Whether `ty` is a NOT NULL domain, or a domain over one (an array of one is not).
fn domain_not_null(catalog: &crate::catalog::Catalog, ty: &crate::catalog::TypeName) -> bool {
    let mut current = ty;
    // Each step goes down one domain; a chain is at most every domain long.
    for _ in 0..=catalog.domains.len() {
        if current.array_dims > 0 {
            return false;
        }
        let key = crate::catalog::QualifiedName::new(current.schema.clone(), current.name.clone());
        let Some(domain) = catalog.domains.get(&key) else {
            return false;
        };
        if domain.not_null {
            return true;
        }
        current = &domain.base;
    }
    false
}
