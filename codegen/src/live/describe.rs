//! Describe queries on a live PostgreSQL: PREPARE each one, take parameter and column types
//! from the server, and decide nullability from the catalog (issue-2 rules: a plain NOT NULL
//! table column not on the nullable side of an outer join is non-null; everything else may
//! be null; `"x!"`/`"x?"` aliases override).

use std::collections::{BTreeMap, HashMap, HashSet};

use postgres::error::ErrorPosition;
use postgres::types::{Kind, Type};

use crate::analyze::optional::{ParamsWritten, TargetColumn};
use crate::diagnostic::{Diagnostic, SourceFile, closest, token_span};
use crate::ir::{self, PgType};
use crate::source::RawQuery;

use super::nullable_tables::{QueryShape, query_shape};

/// A live connection plus what describing learned about the schema so far.
pub struct Describer<'a> {
    client: &'a mut postgres::Client,
    format_names: HashMap<u32, String>,
    not_null: HashMap<(u32, i16), ColumnInfo>,
    enums: BTreeMap<(String, String), ir::EnumType>,
    names: Option<SchemaNames>,
}

#[derive(Clone)]
struct ColumnInfo {
    not_null: bool,
    table: String,
    column: String,
}

/// Table and column names of the user's schema, for "did you mean" suggestions.
struct SchemaNames {
    tables: Vec<String>,
    columns: Vec<String>,
}

impl<'a> Describer<'a> {
    pub fn new(client: &'a mut postgres::Client) -> Self {
        Self {
            client,
            format_names: HashMap::new(),
            not_null: HashMap::new(),
            enums: BTreeMap::new(),
            names: None,
        }
    }

    /// Every enum type met while describing (and every enum in the schema).
    pub fn into_enums(mut self) -> Result<Vec<ir::EnumType>, postgres::Error> {
        let rows = self.client.query(
            "SELECT n.nspname::text, t.typname::text,
                    array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
               FROM pg_type t
               JOIN pg_namespace n ON n.oid = t.typnamespace
               JOIN pg_enum e ON e.enumtypid = t.oid
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              GROUP BY 1, 2",
            &[],
        )?;
        for row in rows {
            let (schema, name): (String, String) = (row.get(0), row.get(1));
            let labels: Vec<String> = row.get(2);
            self.enums
                .entry((schema.clone(), name.clone()))
                .or_insert(ir::EnumType {
                    schema,
                    name,
                    labels,
                });
        }
        Ok(self.enums.into_values().collect())
    }

    /// Which parameters may be NULL: the offline analyzer's syntactic rules
    /// (`analyze::optional`) on the tree the analyzer reads, with the target tables' columns
    /// read from the server. SQL that cannot be read leaves only `sqlc.narg` optional.
    /// With each parameter's target column ([`crate::analyze::optional::params_written`]).
    fn optional_params(&mut self, sql: &str, nparams: usize) -> ParamsWritten {
        use crate::analyze::parse::{Parsed, parse};
        let nothing = || ParamsWritten {
            optional: vec![false; nparams],
            targets: vec![None; nparams],
            elements_nullable: vec![false; nparams],
        };
        // Column names only steer how `(x).*` is read, after which no position is taken.
        let Ok(Parsed::Statements(statements)) = parse(sql, &|_| false) else {
            return nothing();
        };
        let [statement] = statements.as_slice() else {
            return nothing();
        };
        let client = &mut *self.client;
        crate::analyze::optional::params_written(statement, nparams, &mut |parts| {
            let name = parts
                .iter()
                .map(|p| crate::catalog::quote_ident(p))
                .collect::<Vec<_>>()
                .join(".");
            target_columns(client, &name).ok().flatten()
        })
    }

    /// Prepares `raw` and builds its IR, or a diagnostic pointing into `file`.
    pub fn describe(&mut self, file: &SourceFile, raw: &RawQuery) -> Result<ir::Query, Diagnostic> {
        let statement = match self.client.prepare(&raw.sql) {
            Ok(statement) => statement,
            Err(e) => return Err(self.prepare_error(file, raw, &e)),
        };
        let shape = query_shape(&raw.sql);
        let inferred_names = shape.param_names.clone();
        let written = self.optional_params(&raw.sql, statement.params().len());

        let mut params = Vec::with_capacity(statement.params().len());
        for (i, ty) in statement.params().iter().enumerate() {
            let slot = raw.params.get(i);
            let name = slot
                .and_then(|s| s.name.clone())
                .or_else(|| inferred_names.get(&(i + 1)).cloned())
                .unwrap_or_else(|| format!("p{}", i + 1));
            let ty = self.pg_type(ty).map_err(|e| internal(file, raw, &e))?;
            params.push(ir::Param {
                name,
                ty,
                nullable: slot.is_some_and(|s| s.nullable) || written.optional[i],
                origin: written.targets[i].clone(),
                elements_nullable: written.elements_nullable[i],
            });
        }

        let mut columns = Vec::with_capacity(statement.columns().len());
        for (index, column) in statement.columns().iter().enumerate() {
            let (name, elements_asserted) = split_elements_override(column.name());
            let (name, forced) = split_override(name);
            let ty = self
                .pg_type(column.type_())
                .map_err(|e| internal(file, raw, &e))?;
            let origin = match (column.table_oid(), column.column_id()) {
                (Some(table), Some(attnum)) if table != 0 && attnum > 0 => Some(
                    self.column_info(table, attnum)
                        .map_err(|e| internal(file, raw, &e))?,
                ),
                _ => None,
            };
            let nullable = match forced {
                Some(nullable) => nullable,
                None => !origin
                    .as_ref()
                    .is_some_and(|info| info.not_null && shape.keeps_not_null(index, &info.table)),
            };
            columns.push(ir::Column {
                name: name.to_string(),
                ty,
                nullable,
                // PREPARE says nothing of array elements: NULLs are possible unless asserted.
                elements_nullable: !elements_asserted,
                origin: origin.map(|info| (info.table, info.column)),
            });
        }

        // A cornucopia row annotation's `col?` overrides (and names only columns that exist).
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        for i in raw.annotated_nullable(file, &names)? {
            columns[i].nullable = true;
        }
        let select_list = self.select_list(raw, &columns).map_err(|message| {
            Diagnostic::error(message)
                .at(file, raw.name_span.clone())
                .label(format!("in query {}", raw.name))
        })?;
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

    /// The select list's wildcards and `sqlc.embed` runs, naming relations' columns from the
    /// server's catalog.
    fn select_list(
        &mut self,
        raw: &RawQuery,
        columns: &[ir::Column],
    ) -> Result<crate::select_list::SelectList, String> {
        let statements = match crate::analyze::parse::parse(&raw.sql, &|_| true) {
            Ok(crate::analyze::parse::Parsed::Statements(statements)) => statements,
            _ if raw.embeds.is_empty() => return Ok(Default::default()),
            Ok(_) => return Err("sqlc.embed is only supported in a SELECT".into()),
            Err(e) => return Err(e),
        };
        let [statement] = statements.as_slice() else {
            return Err("expected one statement".into());
        };
        let client = &mut *self.client;
        crate::select_list::resolve(
            &raw.sql,
            statement,
            &raw.embeds,
            columns,
            &mut |schema, table| {
                let name = match schema {
                    Some(s) => format!(
                        "{}.{}",
                        crate::catalog::quote_ident(s),
                        crate::catalog::quote_ident(table)
                    ),
                    None => crate::catalog::quote_ident(table),
                };
                client
                    .query(
                        "SELECT attname::text FROM pg_attribute \
                         WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped \
                         ORDER BY attnum",
                        &[&name],
                    )
                    .ok()
                    .filter(|rows| !rows.is_empty())
                    .map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect())
            },
        )
    }

    fn column_info(&mut self, table: u32, attnum: i16) -> Result<ColumnInfo, postgres::Error> {
        if let Some(info) = self.not_null.get(&(table, attnum)) {
            return Ok(info.clone());
        }
        let row = self.client.query_one(
            "SELECT a.attnotnull AND c.relkind IN ('r', 'p', 'f'), c.relname::text, a.attname::text
               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              WHERE a.attrelid = $1 AND a.attnum = $2",
            &[&table, &attnum],
        )?;
        let info = ColumnInfo {
            not_null: row.get(0),
            table: row.get(1),
            column: row.get(2),
        };
        self.not_null.insert((table, attnum), info.clone());
        Ok(info)
    }

    /// Maps a server-reported type to the IR, resolving domains to their base type.
    fn pg_type(&mut self, ty: &Type) -> Result<PgType, postgres::Error> {
        Ok(match ty.kind() {
            Kind::Domain(base) => self.pg_type(base)?,
            Kind::Array(element) => PgType::Array(Box::new(self.pg_type(element)?)),
            Kind::Enum(labels) => {
                let key = (ty.schema().to_string(), ty.name().to_string());
                self.enums.entry(key).or_insert_with(|| ir::EnumType {
                    schema: ty.schema().to_string(),
                    name: ty.name().to_string(),
                    labels: labels.clone(),
                });
                PgType::Enum {
                    schema: ty.schema().to_string(),
                    name: ty.name().to_string(),
                }
            }
            Kind::Simple | Kind::Pseudo if ty.schema() == "pg_catalog" => PgType::Builtin {
                oid: ty.oid(),
                name: self.format_name(ty.oid())?,
            },
            _ => PgType::Other {
                schema: ty.schema().to_string(),
                name: ty.name().to_string(),
            },
        })
    }

    fn format_name(&mut self, oid: u32) -> Result<String, postgres::Error> {
        if let Some(name) = self.format_names.get(&oid) {
            return Ok(name.clone());
        }
        let name: String = self
            .client
            .query_one("SELECT format_type($1, NULL)", &[&oid])?
            .get(0);
        self.format_names.insert(oid, name.clone());
        Ok(name)
    }

    /// PostgreSQL rejected the query: its message, at its position, mapped into the file.
    fn prepare_error(
        &mut self,
        file: &SourceFile,
        raw: &RawQuery,
        e: &postgres::Error,
    ) -> Diagnostic {
        let Some(db) = e.as_db_error() else {
            return Diagnostic::error(format!(
                "query {} could not be checked: {}",
                raw.name,
                super::describe_pg_error(e)
            ))
            .at(file, raw.name_span.clone())
            .label("while preparing this query");
        };
        let span = match db.position() {
            Some(ErrorPosition::Original(pos)) => {
                let sql_offset = char_to_byte(&raw.sql, (*pos as usize).saturating_sub(1));
                let start = raw.file_offset(sql_offset);
                token_span(&file.text, start)
            }
            _ => token_span(&file.text, raw.span.start),
        };
        let mut diagnostic = Diagnostic::error(db.message().to_string())
            .at(file, span)
            .label(format!("in query {}", raw.name));
        if let Some(detail) = db.detail() {
            diagnostic = diagnostic.note(detail.to_string());
        }
        let suggestion = self.suggest(db.message());
        match (db.hint(), suggestion) {
            (Some(hint), _) => diagnostic.help(hint.to_string()),
            (None, Some(suggestion)) => diagnostic.help(suggestion),
            (None, None) => diagnostic,
        }
    }

    /// "did you mean" for unknown columns and relations.
    fn suggest(&mut self, message: &str) -> Option<String> {
        let quoted = message.split('"').nth(1)?;
        let wanted = quoted.rsplit('.').next().unwrap_or(quoted);
        let names = self.schema_names()?;
        let known: &[String] = if message.starts_with("column") {
            &names.columns
        } else if message.starts_with("relation") {
            &names.tables
        } else {
            return None;
        };
        closest(wanted, known.iter().map(String::as_str))
            .map(|name| format!("did you mean \"{name}\"?"))
    }

    fn schema_names(&mut self) -> Option<&SchemaNames> {
        if self.names.is_none() {
            let rows = self
                .client
                .query(
                    "SELECT c.relname::text, a.attname::text
                       FROM pg_class c
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
                    &[],
                )
                .ok()?;
            let mut tables = HashSet::new();
            let mut columns = HashSet::new();
            for row in rows {
                tables.insert(row.get::<_, String>(0));
                columns.insert(row.get::<_, String>(1));
            }
            let mut tables: Vec<String> = tables.into_iter().collect();
            let mut columns: Vec<String> = columns.into_iter().collect();
            tables.sort();
            columns.sort();
            self.names = Some(SchemaNames { tables, columns });
        }
        self.names.as_ref()
    }
}

/// `"tags[!]"` → ("tags", true): the alias asserts that the array has no NULL element (what
/// PostgreSQL cannot describe); combines with the column's own (`"tags![!]"`). Else the
/// name and `false`.
pub fn split_elements_override(name: &str) -> (&str, bool) {
    match name.strip_suffix("[!]") {
        Some(stripped) if !stripped.is_empty() => (stripped, true),
        _ => (name, false),
    }
}

/// `"total!"` → ("total", Some(false)); `"note?"` → ("note", Some(true)); else no override.
pub fn split_override(name: &str) -> (&str, Option<bool>) {
    // PostgreSQL's own name for an unnamed expression is not an override.
    if name == "?column?" {
        return (name, None);
    }
    if let Some(stripped) = name.strip_suffix('!') {
        (stripped, Some(false))
    } else if let Some(stripped) = name.strip_suffix('?') {
        (stripped, Some(true))
    } else {
        (name, None)
    }
}

fn internal(file: &SourceFile, raw: &RawQuery, e: &postgres::Error) -> Diagnostic {
    Diagnostic::error(format!(
        "query {}: reading the catalog failed: {}",
        raw.name,
        super::describe_pg_error(e)
    ))
    .at(file, raw.name_span.clone())
}

/// Byte offset of character `chars` in `text` (PostgreSQL positions count characters).
fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

impl QueryShape {
    /// Whether output column `index`, read from `table`, keeps its NOT NULL: the FROM item it
    /// is qualified with is not outer-joined, or, unqualified, no occurrence of the table is.
    fn keeps_not_null(&self, index: usize, table: &str) -> bool {
        let occurrence = self
            .qualifiers
            .get(index)
            .cloned()
            .flatten()
            .and_then(|q| self.occurrences.get(&q));
        match occurrence {
            Some(occurrence) if occurrence.nullable => false,
            // A plain table, found by its qualifier: its own occurrence is all that matters.
            Some(occurrence)
                if occurrence.table.as_deref() == Some(table) && !self.grouping_sets =>
            {
                true
            }
            _ => !self.may_null_table(table),
        }
    }

    /// True when `table` appears on the nullable side of an outer join (or the query's shape
    /// could not be determined), so its columns may come back NULL whatever their constraint.
    fn may_null_table(&self, table: &str) -> bool {
        self.unknown || self.grouping_sets || self.nullable_tables.contains(table)
    }
}

/// A table's columns in order with whether each accepts NULL (not `attnotnull`, and no NOT
/// NULL domain down its chain of domains); `None` unless `name` is a table, partitioned or
/// foreign table.
fn target_columns(
    client: &mut postgres::Client,
    name: &str,
) -> Result<Option<Vec<TargetColumn>>, postgres::Error> {
    // Whether a type is (a domain over) a NOT NULL domain; `getBaseType`'s walk.
    let not_null_domain = |ty: &str| {
        format!(
            "EXISTS (
                WITH RECURSIVE chain(ty) AS (
                    SELECT {ty}
                    UNION ALL
                    SELECT t.typbasetype FROM pg_type t JOIN chain ON t.oid = chain.ty
                     WHERE t.typtype = 'd')
                SELECT FROM chain JOIN pg_type t ON t.oid = chain.ty
                 WHERE t.typtype = 'd' AND t.typnotnull)"
        )
    };
    let sql = format!(
        "SELECT a.attname::text,
                NOT a.attnotnull AND NOT {column},
                e.elem IS NOT NULL AND NOT {element}
           FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid
           -- The element type of the column's array type, domains followed down.
           LEFT JOIN LATERAL (
                WITH RECURSIVE chain(ty) AS (
                    SELECT a.atttypid
                    UNION ALL
                    SELECT t.typbasetype FROM pg_type t JOIN chain ON t.oid = chain.ty
                     WHERE t.typtype = 'd')
                SELECT t.typelem AS elem FROM chain JOIN pg_type t ON t.oid = chain.ty
                 WHERE t.typtype <> 'd' AND t.typcategory = 'A') e ON true
          WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'f')
            AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum",
        column = not_null_domain("a.atttypid"),
        element = not_null_domain("e.elem"),
    );
    let rows = client.query(&sql, &[&name])?;
    Ok((!rows.is_empty()).then(|| {
        rows.iter()
            .map(|r| TargetColumn {
                name: r.get(0),
                accepts_null: r.get(1),
                elements_accept_null: r.get(2),
            })
            .collect()
    }))
}
