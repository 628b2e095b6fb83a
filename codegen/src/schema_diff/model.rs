//! What `squill diff` and drift compare: a database's objects as PostgreSQL spells them
//! (`format_type`, `pg_get_*def`, `pg_get_expr`), keyed by their quoted, qualified names.
//! Built only by introspection (`introspect`), so two models built by the same server compare
//! spelling for spelling.

use std::collections::BTreeMap;

/// A quoted, schema-qualified name (`"public"."orders"`, as `format('%I.%I')` writes it) with
/// its parts, for messages and `--rename`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QName {
    pub quoted: String,
    pub schema: String,
    pub name: String,
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.quoted)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// Schema name (quoted) → comment.
    pub schemas: BTreeMap<String, Option<String>>,
    /// Extension name → the schema (quoted) it is installed in.
    pub extensions: BTreeMap<String, String>,
    pub enums: BTreeMap<String, Enum>,
    /// Domains and composite types: created and dropped whole (`CREATE TYPE`/`CREATE DOMAIN`).
    pub other_types: BTreeMap<String, OtherType>,
    pub sequences: BTreeMap<String, Sequence>,
    pub tables: BTreeMap<String, Table>,
    pub views: BTreeMap<String, View>,
    /// Indexes that no constraint owns, on tables and materialized views.
    pub indexes: BTreeMap<String, Index>,
    /// Keyed by `schema.name(identity arguments)`.
    pub functions: BTreeMap<String, Function>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: QName,
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OtherType {
    pub name: QName,
    /// The statement that creates it, built from the catalog.
    pub create: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    pub name: QName,
    /// `AS bigint START WITH 1 INCREMENT BY 1 ...`, PostgreSQL's values spelled out.
    pub options: String,
    /// The column that owns it (`"public"."t"."id"` as table key and column name).
    pub owned_by: Option<(String, String)>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: QName,
    /// In attnum order; compared by name (a column cannot be moved in place).
    pub columns: Vec<Column>,
    /// Constraint name (quoted) → definition (`pg_get_constraintdef`).
    pub constraints: BTreeMap<String, Constraint>,
    /// Trigger name (quoted) → `pg_get_triggerdef`.
    pub triggers: BTreeMap<String, String>,
    /// Partitioning or inheritance, spelled out: not written by `squill diff` (refused).
    pub inheritance: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Quoted as `quote_ident` quotes it.
    pub name: String,
    /// `format_type`, with `COLLATE` when not the type's default.
    pub data_type: String,
    pub collation: Option<String>,
    pub not_null: bool,
    /// `pg_get_expr` of the default (not of a generated column).
    pub default: Option<String>,
    /// `a` (ALWAYS), `d` (BY DEFAULT) or empty.
    pub identity: String,
    /// The expression of a `GENERATED ALWAYS AS (...) STORED` column.
    pub generated: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// `p`, `u`, `f`, `c`, `x` (pg_constraint.contype).
    pub kind: char,
    pub definition: String,
    /// For a foreign key: the referenced table.
    pub references: Option<String>,
    /// The table's columns it uses (quoted): it goes when one of them is dropped.
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub name: QName,
    pub materialized: bool,
    pub definition: String,
    /// `WITH (...)` options (security_barrier, check_option, ...), empty when none.
    pub options: String,
    /// Relations (tables, views) its rules read: what must exist before it, and what cannot
    /// change under it.
    pub depends_on: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub name: QName,
    /// The table or materialized view it is on.
    pub on: String,
    /// `pg_get_indexdef`.
    pub definition: String,
    /// The columns it uses, also in expressions (quoted): it goes when one is dropped.
    pub columns: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// `"schema"."name"(identity arguments)`, what DROP FUNCTION and COMMENT name.
    pub signature: String,
    /// `FUNCTION` or `PROCEDURE`.
    pub kind: &'static str,
    /// `pg_get_function_result`: a change cannot be made with CREATE OR REPLACE.
    pub result: String,
    /// `pg_get_functiondef`.
    pub definition: String,
    pub comment: Option<String>,
}
