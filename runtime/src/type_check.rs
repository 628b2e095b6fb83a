//! `check_types`: every type override of the generated code compared with the server's own
//! types, so that a Rust type that cannot encode or decode what it was mapped to is found by a
//! test or at startup, before a query fails half-way through the work.
//!
//! For each override the server names the type (`to_regtype`, or the column's `atttypid`),
//! a statement `SELECT $1::<type>` is prepared to get the type as the driver sees it on the
//! wire (a domain arrives as its base type, as PostgreSQL describes a domain column; the
//! elements of an array of a domain are judged as its base type, which is what generated code
//! hands them: `array_column` reads them so, and parameters are declared as the base type),
//! and the Rust type's `ToSql::accepts` (when generated code sends it) and `FromSql::accepts`
//! (when it reads it) are asked about it.

use std::fmt;

use postgres_types::{Kind, Type};

/// One override used by generated code.
#[derive(Debug, Clone, Copy)]
pub struct TypeOverride {
    /// The Rust type as the configuration writes it.
    pub rust: &'static str,
    /// What it maps.
    pub target: OverrideTarget,
    /// It maps the elements of an array (the value is a `Vec` of it).
    pub element: bool,
    /// `<T as ToSql>::accepts`, when generated code sends it.
    pub to_sql: Option<fn(&Type) -> bool>,
    /// `<T as FromSql>::accepts`, when generated code reads it.
    pub from_sql: Option<fn(&Type) -> bool>,
}

/// What an override maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideTarget {
    /// A type by name, as `format_type` prints it.
    Type(&'static str),
    /// A table column: table (its name as stored, resolved through the search path), column.
    Column(&'static str, &'static str),
}

/// An override the server disagrees with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMismatch {
    pub rust: &'static str,
    pub target: OverrideTarget,
    /// The PostgreSQL type checked, as the server names it (empty when it does not exist).
    pub pg_type: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The type or column does not exist on this server.
    Missing,
    /// `ToSql::accepts` refuses the type: parameters of it cannot be sent.
    CannotEncode,
    /// `FromSql::accepts` refuses the type: values of it cannot be read.
    CannotDecode,
}

impl fmt::Display for OverrideTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverrideTarget::Type(name) => write!(f, "type {name}"),
            OverrideTarget::Column(table, column) => write!(f, "column {table}.{column}"),
        }
    }
}

impl fmt::Display for TypeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rust, target, pg) = (self.rust, self.target, &self.pg_type);
        match self.problem {
            Problem::Missing => write!(f, "{target} (mapped to `{rust}`) does not exist"),
            Problem::CannotEncode => write!(
                f,
                "`{rust}` (the override of {target}) cannot encode PostgreSQL type {pg}: its ToSql::accepts refuses it"
            ),
            Problem::CannotDecode => write!(
                f,
                "`{rust}` (the override of {target}) cannot decode PostgreSQL type {pg}: its FromSql::accepts refuses it"
            ),
        }
    }
}

/// The SQL that names an override's type on the server (`NULL` when it does not exist).
const TYPE_NAME: &str = "SELECT format_type(to_regtype($1)::oid, NULL)";
const COLUMN_TYPE_NAME: &str = "SELECT format_type(a.atttypid, NULL) FROM pg_attribute a \
     WHERE a.attrelid = to_regclass(quote_ident($1))::oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped";

/// The query text and its parameters for `target`.
fn naming(target: OverrideTarget) -> (&'static str, Vec<&'static str>) {
    match target {
        OverrideTarget::Type(name) => (TYPE_NAME, vec![name]),
        OverrideTarget::Column(table, column) => (COLUMN_TYPE_NAME, vec![table, column]),
    }
}

/// What is wrong with `o` given the type the driver sees (`None`: the server has no such
/// type or column).
fn judge(o: &TypeOverride, named: Option<(String, Type)>) -> Vec<TypeMismatch> {
    let mismatch = |pg_type: String, problem| TypeMismatch {
        rust: o.rust,
        target: o.target,
        pg_type,
        problem,
    };
    let Some((name, ty)) = named else {
        return vec![mismatch(String::new(), Problem::Missing)];
    };
    let ty = match (o.element, ty.kind()) {
        (true, Kind::Array(element)) => crate::domain::base_type(element).clone(),
        (true, _) => return vec![mismatch(name, Problem::CannotDecode)],
        (false, _) => ty,
    };
    let mut found = Vec::new();
    if o.to_sql.is_some_and(|accepts| !accepts(&ty)) {
        found.push(mismatch(name.clone(), Problem::CannotEncode));
    }
    if o.from_sql.is_some_and(|accepts| !accepts(&ty)) {
        found.push(mismatch(name, Problem::CannotDecode));
    }
    found
}

fn report(mismatches: Vec<TypeMismatch>) -> Result<(), crate::Error> {
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(crate::Error::new(
            "check_types",
            crate::ErrorKind::Types(mismatches),
        ))
    }
}

/// Checks `overrides` on an async connection (what generated `types::check_types` calls).
#[cfg(feature = "async")]
pub async fn check_types(
    client: &tokio_postgres::Client,
    overrides: &[TypeOverride],
) -> Result<(), crate::Error> {
    let db = |e| crate::Error::new("check_types", crate::ErrorKind::Db(e));
    let mut mismatches = Vec::new();
    for o in overrides {
        let (sql, args) = naming(o.target);
        let params: Vec<&(dyn postgres_types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn postgres_types::ToSql + Sync))
            .collect();
        let name: Option<String> = match client.query_opt(sql, &params).await.map_err(db)? {
            Some(row) => row.get(0),
            None => None,
        };
        let named = match name {
            Some(name) => {
                let statement = client
                    .prepare(&format!("SELECT $1::{name}"))
                    .await
                    .map_err(db)?;
                let ty = statement.columns()[0].type_().clone();
                Some((name, ty))
            }
            None => None,
        };
        mismatches.extend(judge(o, named));
    }
    report(mismatches)
}

/// Checks `overrides` on a blocking connection (generated `types::blocking::check_types`).
#[cfg(feature = "sync")]
pub fn check_types_blocking(
    client: &mut postgres::Client,
    overrides: &[TypeOverride],
) -> Result<(), crate::Error> {
    let db = |e| crate::Error::new("check_types", crate::ErrorKind::Db(e));
    let mut mismatches = Vec::new();
    for o in overrides {
        let (sql, args) = naming(o.target);
        let params: Vec<&(dyn postgres_types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn postgres_types::ToSql + Sync))
            .collect();
        let name: Option<String> = match client.query_opt(sql, &params).map_err(db)? {
            Some(row) => row.get(0),
            None => None,
        };
        let named = match name {
            Some(name) => {
                let statement = client.prepare(&format!("SELECT $1::{name}")).map_err(db)?;
                let ty = statement.columns()[0].type_().clone();
                Some((name, ty))
            }
            None => None,
        };
        mismatches.extend(judge(o, named));
    }
    report(mismatches)
}
