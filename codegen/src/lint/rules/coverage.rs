//! `foreign-key-without-index` and `tenant-column-not-indexed`: what the final schema lacks,
//! so they are decided after the last migration (an index may come in a later file).
//!
//! The facts are the B-tree (or hash) indexes of every table, as column lists: `PRIMARY KEY`,
//! `UNIQUE` (constraints and column options), and `CREATE [UNIQUE] INDEX` without a `WHERE`
//! (a partial index does not serve every lookup). A list stops at its first expression. An
//! index counts for a foreign key when its leading columns are the referencing columns, in
//! any order (PostgreSQL's `ON DELETE`/`ON UPDATE` check of the referencing table looks
//! them all up by equality), and for a tenant table when its first column is the tenant
//! column. A table whose indexes squill cannot read (a statement sqlparser does not parse,
//! `LIKE`, `PARTITION OF`) is left alone: no warning is better than a wrong one.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use sqlparser::ast::{
    self, AlterTableOperation, ColumnOption, IndexType, Spanned, TableConstraint,
};

use super::super::catalog::{ident_key, table_key};
use super::super::statement::Statement;
use super::{FOREIGN_KEY_WITHOUT_INDEX, Hit, TENANT_COLUMN_NOT_INDEXED};
use crate::config::Tenant;

#[derive(Debug, Clone)]
struct Index {
    name: String,
    columns: Vec<String>,
}

#[derive(Debug, Clone)]
struct ForeignKey {
    name: String,
    columns: Vec<String>,
    /// Where it is declared: the file's number and the span to underline.
    site: Option<(usize, Range<usize>)>,
}

#[derive(Debug, Clone, Default)]
struct TableFacts {
    columns: Vec<String>,
    indexes: Vec<Index>,
    foreign_keys: Vec<ForeignKey>,
    /// The `CREATE TABLE`, unless the tenant rule is suppressed there.
    site: Option<(usize, Range<usize>)>,
    /// Something changed its indexes that squill could not read.
    unknown: bool,
}

/// The tables' indexes and foreign keys so far.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    tables: HashMap<String, TableFacts>,
}

/// The statement being replayed, where it is, and which of the two rules it suppresses.
pub(crate) struct At<'a> {
    pub file: usize,
    pub text: &'a str,
    pub stmt: &'a Statement,
    pub suppressed: &'a dyn Fn(&str) -> bool,
}

impl At<'_> {
    fn site(&self, rule: &str, node: &impl Spanned) -> Option<(usize, Range<usize>)> {
        if (self.suppressed)(rule) {
            return None;
        }
        let anchor = self
            .stmt
            .offset_of(self.text, node.span().start)
            .unwrap_or_else(|| self.stmt.start());
        Some((self.file, self.stmt.line_span(anchor)))
    }
}

impl Coverage {
    /// Records what the statement does to indexes and foreign keys.
    pub fn apply(&mut self, at: &At) {
        let Some(ast) = &at.stmt.ast else {
            self.apply_unparsed(at.stmt);
            return;
        };
        match ast {
            ast::Statement::CreateTable(ct) => self.create_table(ct, at),
            ast::Statement::CreateIndex(ci) => {
                let key = table_key(&ci.table_name);
                let Some(table) = self.tables.get_mut(&key) else {
                    return;
                };
                let btree = matches!(
                    ci.using,
                    None | Some(IndexType::BTree) | Some(IndexType::Hash)
                );
                if !btree || ci.predicate.is_some() {
                    return;
                }
                let columns = leading_columns(&ci.columns);
                let name = match &ci.name {
                    Some(name) => table_key(name),
                    None => generated_name(&key, &columns, "idx"),
                };
                table.indexes.push(Index { name, columns });
            }
            ast::Statement::AlterTable(at_) => {
                let mut key = table_key(&at_.name);
                for op in &at_.operations {
                    key = self.alter(key, op, at);
                }
            }
            ast::Statement::Drop {
                object_type, names, ..
            } => {
                let names: HashSet<String> = names.iter().map(table_key).collect();
                match object_type {
                    ast::ObjectType::Table => self.tables.retain(|k, _| !names.contains(k)),
                    ast::ObjectType::Index => {
                        for table in self.tables.values_mut() {
                            // Index names are schema-qualified like tables; compare bare names.
                            table
                                .indexes
                                .retain(|i| !names.iter().any(|n| same_name(n, &i.name)));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// A statement sqlparser cannot read: an index it may create is unknown.
    fn apply_unparsed(&mut self, stmt: &Statement) {
        if let Some((key, _)) = super::locks::create_index(stmt)
            && let Some(table) = self.tables.get_mut(&key)
        {
            table.unknown = true;
        }
        if stmt.starts_with(&["ALTER", "TABLE"]) {
            let i = stmt.skip_kws(2, &["IF", "EXISTS", "ONLY"]);
            if let Some((key, _)) = stmt.object_name_at(i)
                && let Some(table) = self.tables.get_mut(&key)
            {
                table.unknown = true;
            }
        }
    }

    fn create_table(&mut self, ct: &ast::CreateTable, at: &At) {
        let key = table_key(&ct.name);
        let mut table = TableFacts {
            columns: ct.columns.iter().map(|c| ident_key(&c.name)).collect(),
            unknown: ct.like.is_some() || ct.query.is_some() || ct.partition_of.is_some(),
            site: at.site(TENANT_COLUMN_NOT_INDEXED, &ct.name),
            ..Default::default()
        };
        for column in &ct.columns {
            column_options(&key, &mut table, column, at);
        }
        for constraint in &ct.constraints {
            add_constraint(&key, &mut table, constraint, at);
        }
        self.tables.insert(key, table);
    }

    fn alter(&mut self, key: String, op: &AlterTableOperation, at: &At) -> String {
        let Some(table) = self.tables.get_mut(&key) else {
            return key;
        };
        match op {
            AlterTableOperation::AddConstraint { constraint, .. } => {
                add_constraint(&key, table, constraint, at)
            }
            AlterTableOperation::AddColumn { column_def, .. } => {
                table.columns.push(ident_key(&column_def.name));
                column_options(&key, table, column_def, at);
            }
            AlterTableOperation::DropConstraint { name, .. } => {
                let name = ident_key(name);
                table.indexes.retain(|i| i.name != name);
                table.foreign_keys.retain(|f| f.name != name);
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                // PostgreSQL drops the indexes and constraints that use the column.
                let dropped: Vec<String> = column_names.iter().map(ident_key).collect();
                table.columns.retain(|c| !dropped.contains(c));
                table
                    .indexes
                    .retain(|i| !i.columns.iter().any(|c| dropped.contains(c)));
                table
                    .foreign_keys
                    .retain(|f| !f.columns.iter().any(|c| dropped.contains(c)));
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (old, new) = (ident_key(old_column_name), ident_key(new_column_name));
                let lists = table
                    .indexes
                    .iter_mut()
                    .map(|i| &mut i.columns)
                    .chain(table.foreign_keys.iter_mut().map(|f| &mut f.columns))
                    .chain(std::iter::once(&mut table.columns));
                for list in lists {
                    for c in list.iter_mut().filter(|c| **c == old) {
                        c.clone_from(&new);
                    }
                }
            }
            AlterTableOperation::RenameTable {
                table_name: ast::RenameTableNameKind::To(new) | ast::RenameTableNameKind::As(new),
            } => {
                let new_key = match key.rsplit_once('.') {
                    Some((schema, _)) => format!("{schema}.{}", table_key(new)),
                    None => table_key(new),
                };
                if let Some(facts) = self.tables.remove(&key) {
                    self.tables.insert(new_key.clone(), facts);
                }
                return new_key;
            }
            _ => {}
        }
        key
    }

    /// The warnings for the final schema.
    pub fn finish(&self, tenant: Option<&Tenant>) -> Vec<(usize, Hit)> {
        let mut hits = Vec::new();
        let mut keys: Vec<&String> = self.tables.keys().collect();
        keys.sort();
        for key in keys {
            let table = &self.tables[key];
            if table.unknown {
                continue;
            }
            for fk in &table.foreign_keys {
                let Some((file, span)) = &fk.site else {
                    continue;
                };
                let covered = table.indexes.iter().any(|i| {
                    i.columns.len() >= fk.columns.len()
                        && fk
                            .columns
                            .iter()
                            .all(|c| i.columns[..fk.columns.len()].contains(c))
                });
                if covered {
                    continue;
                }
                let columns = fk.columns.join(", ");
                hits.push((
                    *file,
                    Hit {
                        rule: FOREIGN_KEY_WITHOUT_INDEX,
                        span: span.clone(),
                        message: format!(
                            "foreign key \"{}\" of \"{key}\" ({columns}) has no index whose leading columns are its columns",
                            fk.name
                        ),
                        label: "no index serves lookups by these columns".into(),
                        notes: vec![
                            "each DELETE or key UPDATE of a referenced row looks up the referencing rows: without an index, a sequential scan of this table".into(),
                        ],
                        help: format!("create an index: `CREATE INDEX ON {key} ({columns})`"),
                    },
                ));
            }
            let Some((file, span)) = &table.site else {
                continue;
            };
            let (schema, name) = key.rsplit_once('.').unwrap_or(("public", key));
            let Some(column) = tenant.and_then(|t| t.column_of(schema, name, &table.columns))
            else {
                continue;
            };
            if table
                .indexes
                .iter()
                .any(|i| i.columns.first().map(String::as_str) == Some(column))
            {
                continue;
            }
            hits.push((
                *file,
                Hit {
                    rule: TENANT_COLUMN_NOT_INDEXED,
                    span: span.clone(),
                    message: format!(
                        "tenant table \"{key}\" has no index that starts with its tenant column \"{column}\""
                    ),
                    label: "every query of this table filters by the tenant column".into(),
                    notes: Vec::new(),
                    help: format!(
                        "create an index that leads with it, e.g. `CREATE INDEX ON {key} ({column})`, or make it the first column of the primary key"
                    ),
                },
            ));
        }
        hits
    }
}

/// A column's `PRIMARY KEY`, `UNIQUE` and `REFERENCES`.
fn column_options(key: &str, table: &mut TableFacts, column: &ast::ColumnDef, at: &At) {
    let name = ident_key(&column.name);
    for option in &column.options {
        match &option.option {
            ColumnOption::PrimaryKey(_) => table.indexes.push(Index {
                name: format!("{}_pkey", bare(key)),
                columns: vec![name.clone()],
            }),
            ColumnOption::Unique(_) => table.indexes.push(Index {
                name: generated_name(key, std::slice::from_ref(&name), "key"),
                columns: vec![name.clone()],
            }),
            ColumnOption::ForeignKey(_) => table.foreign_keys.push(ForeignKey {
                name: option.name.as_ref().map_or_else(
                    || generated_name(key, std::slice::from_ref(&name), "fkey"),
                    ident_key,
                ),
                columns: vec![name.clone()],
                site: at.site(FOREIGN_KEY_WITHOUT_INDEX, option),
            }),
            _ => {}
        }
    }
}

fn add_constraint(key: &str, table: &mut TableFacts, constraint: &TableConstraint, at: &At) {
    match constraint {
        TableConstraint::PrimaryKey(pk) => table.indexes.push(Index {
            name: pk
                .name
                .as_ref()
                .map_or_else(|| format!("{}_pkey", bare(key)), ident_key),
            columns: leading_columns(&pk.columns),
        }),
        TableConstraint::Unique(unique) => {
            let columns = leading_columns(&unique.columns);
            table.indexes.push(Index {
                name: unique
                    .name
                    .as_ref()
                    .map_or_else(|| generated_name(key, &columns, "key"), ident_key),
                columns,
            });
        }
        TableConstraint::ForeignKey(fk) => {
            let columns: Vec<String> = fk.columns.iter().map(ident_key).collect();
            table.foreign_keys.push(ForeignKey {
                name: fk
                    .name
                    .as_ref()
                    .map_or_else(|| generated_name(key, &columns, "fkey"), ident_key),
                columns,
                site: at.site(FOREIGN_KEY_WITHOUT_INDEX, constraint),
            });
        }
        _ => {}
    }
}

/// The plain columns an index starts with, up to its first expression.
fn leading_columns(columns: &[ast::IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map_while(|c| match &c.column.expr {
            ast::Expr::Identifier(ident) => Some(ident_key(ident)),
            _ => None,
        })
        .collect()
}

fn bare(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn same_name(a: &str, b: &str) -> bool {
    bare(a) == bare(b)
}

/// PostgreSQL's name for an unnamed index or constraint (`ChooseIndexName`,
/// `ChooseConstraintName`): `table_col1_col2_suffix`, before any truncation or numbering.
fn generated_name(key: &str, columns: &[String], suffix: &str) -> String {
    let mut parts = vec![bare(key).to_owned()];
    parts.extend(columns.iter().cloned());
    parts.push(suffix.to_owned());
    parts.join("_")
}
