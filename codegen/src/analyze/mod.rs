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
//! column references), `expr` (expression typing and output names), `nullability` (the
//! null rules of aggregates, functions and operators), `statement` (SELECT, set operations,
//! VALUES, INSERT, UPDATE, DELETE, CTEs).

mod expr;
mod nullability;
mod resolve;
mod scope;
mod statement;
mod types;

use std::collections::HashMap;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::ir;
use crate::source::RawQuery;

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
    pub nargdefaults: usize,
    pub ret: u32,
    pub retset: bool,
    /// The builtin's OID; `None` for a schema function.
    pub builtin: Option<u32>,
    /// A schema function's OUT / `RETURNS TABLE` columns (builtins: from `pg_proc`).
    pub out: Vec<(String, u32)>,
}

/// What the analyzer knows of the user's schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub types: Types,
    relations: HashMap<(String, String), Vec<RelColumn>>,
    /// Schema functions by `(schema, name)`.
    functions: HashMap<(String, String), Vec<FunctionSig>>,
    pub search_path: Vec<String>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema {
            types: Types::default(),
            relations: HashMap::new(),
            functions: HashMap::new(),
            search_path: vec!["public".into()],
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
                ret,
                retset,
                builtin: None,
                out: Vec::new(),
            });
        Ok(())
    }

    /// Every function `name` (`schema.name` or a bare name: search path, then pg_catalog).
    pub(crate) fn function_candidates(&self, name: &str) -> Vec<FunctionSig> {
        let mut out = Vec::new();
        let (schemas, bare): (Vec<String>, &str) = match name.split_once('.') {
            Some((s, n)) => (vec![s.to_string()], n),
            None => (self.search_path.clone(), name),
        };
        for s in &schemas {
            if let Some(fs) = self.functions.get(&(s.clone(), bare.to_string())) {
                out.extend(fs.iter().cloned());
            }
        }
        if name.split_once('.').is_none() || schemas.iter().any(|s| s == "pg_catalog") {
            for f in self.types.builtins.functions_named(bare) {
                out.push(FunctionSig {
                    kind: f.kind,
                    args: f.args.clone(),
                    variadic: f.variadic,
                    nargdefaults: f.nargdefaults as usize,
                    ret: f.ret,
                    retset: f.retset,
                    builtin: Some(f.oid),
                    out: Vec::new(),
                });
            }
        }
        out
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
}

impl Fail {
    /// Attaches the position of a token (kept when one is already attached).
    pub(crate) fn at(self, span: sqlparser::tokenizer::Span) -> Fail {
        match self {
            Fail::At(..) => self,
            _ if span.start.line == 0 => self,
            other => Fail::At(Box::new(other), span.start.line, span.start.column),
        }
    }
}

/// Byte offset in `sql` of a 1-based line and character column.
fn sql_offset(sql: &str, line: u64, column: u64) -> usize {
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

/// Types `raw` offline: the same [`ir::Query`] `live::Describer::describe` produces, or a
/// diagnostic (an error PostgreSQL would report, or a construct not supported offline yet).
pub fn analyze(
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
            other => (other, raw.name_span.clone()),
        };
        match f {
            Fail::At(..) => unreachable!("positions are attached once"),
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
            .help("type-check it against a live database (squill check --live), or simplify it"),
        }
    };
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, &raw.sql).map_err(|e| {
        fail(Fail::Unsupported(format!(
            "SQL the parser (sqlparser) cannot read ({e})"
        )))
    })?;
    let [statement] = statements.as_slice() else {
        return Err(fail(Fail::Error(
            format!("expected one statement, found {}", statements.len()),
            None,
        )));
    };
    let nullable_params: Vec<bool> = raw.params.iter().map(|p| p.nullable).collect();
    let out = statement::analyze_statement(schema, statement, &nullable_params).map_err(fail)?;
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
        });
    }
    let columns = out
        .columns
        .into_iter()
        .map(|c| {
            let (name, forced) = crate::live::split_override(&c.name);
            ir::Column {
                name: name.to_string(),
                ty: schema.types.pg_type(c.ty),
                nullable: forced.unwrap_or(c.nullable),
                origin: c.origin,
            }
        })
        .collect();
    Ok(ir::Query {
        name: raw.name.clone(),
        file: file.name.clone(),
        line: raw.line,
        command: raw.command,
        doc: raw.doc.clone(),
        sql: raw.sql.clone(),
        copy_sql: None,
        params,
        columns,
    })
}

impl Schema {
    /// The analyzer's view of a [`crate::catalog::Catalog`]. Relations whose columns are still
    /// pending (views from DDL, typed by analysing their query) are typed here in dependency
    /// order; one that cannot be typed is left out (a query reading it is then refused as an
    /// unknown relation).
    pub fn from_catalog(catalog: &crate::catalog::Catalog) -> Schema {
        let mut schema = Schema {
            search_path: catalog.search_path.clone(),
            ..Schema::default()
        };
        for name in catalog.enums.keys() {
            schema.add_enum(&name.schema, &name.name);
        }
        for name in catalog
            .composites
            .keys()
            .chain(catalog.ranges.keys())
            .chain(catalog.base_types.iter())
        {
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
        let mut views = Vec::new();
        for (name, rel) in &catalog.tables {
            if rel.columns_pending() {
                views.push((name, rel.view_sql.clone().unwrap_or_default()));
                continue;
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
        for f in &catalog.functions {
            let Some(ret) = &f.ret else { continue };
            let args: Option<Vec<u32>> = f.args.iter().map(|a| schema.type_oid(a)).collect();
            let (Some(args), Some(ret)) = (args, schema.type_oid(ret)) else {
                continue;
            };
            let out: Option<Vec<(String, u32)>> = f
                .table_columns
                .iter()
                .map(|(n, t)| schema.type_oid(t).map(|t| (n.clone(), t)))
                .collect();
            let Some(out) = out else { continue };
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
                    kind: crate::builtins::FunctionKind::Function,
                    args,
                    variadic,
                    // Not in the catalog model: calls that leave arguments out are refused.
                    nargdefaults: 0,
                    ret,
                    retset: f.returns_set,
                    builtin: None,
                    out,
                });
        }
        // Views in dependency order: retry while progress is made.
        while !views.is_empty() {
            let before = views.len();
            views.retain(|(name, sql)| match schema.view_columns(sql) {
                Some(cols) => {
                    schema
                        .relations
                        .insert((name.schema.clone(), name.name.clone()), cols);
                    false
                }
                None => true,
            });
            if views.len() == before {
                break;
            }
        }
        schema
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

    /// A view's columns from its defining query (`None` if it cannot be typed offline).
    /// View columns are nullable: PostgreSQL does not report a view column's origin NOT NULL.
    fn view_columns(&self, sql: &str) -> Option<Vec<RelColumn>> {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
        let [statement] = statements.as_slice() else {
            return None;
        };
        let out = statement::analyze_statement(self, statement, &[]).ok()?;
        Some(
            out.columns
                .into_iter()
                .map(|c| RelColumn {
                    name: c.name,
                    ty: c.ty,
                    not_null: false,
                })
                .collect(),
        )
    }
}
