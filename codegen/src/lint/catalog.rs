//! The tables the migrations have created so far, replayed file by file, so a rule can tell an
//! existing table (populated, in use by running code) from one created in the same file.
//!
//! Deliberately small: table names, and column names and types where known. Names are
//! normalised the way PostgreSQL resolves them: unquoted identifiers lowercased, quoted kept,
//! and `public.` dropped (the default search path).

use std::collections::{HashMap, HashSet};

use sqlparser::ast::{self, AlterTableOperation, DataType, ObjectType, RenameTableNameKind};

use super::statement::Statement;

#[derive(Debug, Default)]
pub(crate) struct Catalog {
    tables: HashMap<String, Table>,
    /// Views, so a compatibility view left under a renamed table's old name counts.
    views: HashSet<String>,
    /// Every table rename in migration order, to follow a table to its final name.
    renames: Vec<(String, String)>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Table {
    /// Column name → type. `None` when the columns are unknown (`CREATE TABLE ... AS`,
    /// `LIKE`, `PARTITION OF`, or a statement sqlparser could not read).
    pub columns: Option<HashMap<String, DataType>>,
}

/// What the current file has done so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileState {
    /// Tables this file created that did not exist before it. Everything else, including
    /// tables the migrations never mention, is treated as existing: a table we know nothing
    /// about may well be populated.
    created: HashSet<String>,
}

impl FileState {
    pub fn is_existing(&self, key: &str) -> bool {
        !self.created.contains(key)
    }
}

/// Normalises one identifier: unquoted → lowercase, quoted → as written.
pub(crate) fn normalize(value: &str, quoted: bool) -> String {
    if quoted {
        value.to_string()
    } else {
        value.to_lowercase()
    }
}

pub(crate) fn ident_key(ident: &ast::Ident) -> String {
    normalize(&ident.value, ident.quote_style.is_some())
}

/// `[database.]schema.table` → `schema.table`, with `public.` dropped.
pub(crate) fn key_from_parts(mut parts: Vec<String>) -> String {
    if parts.len() > 2 {
        parts.drain(..parts.len() - 2);
    }
    if parts.len() == 2 && parts[0] == "public" {
        parts.remove(0);
    }
    parts.join(".")
}

pub(crate) fn table_key(name: &ast::ObjectName) -> String {
    let parts = name
        .0
        .iter()
        .map(|p| p.as_ident().map_or_else(|| p.to_string(), ident_key))
        .collect();
    key_from_parts(parts)
}

/// The unqualified part of a key: what a query would most likely write.
pub(crate) fn bare_name(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

impl Catalog {
    pub fn table(&self, key: &str) -> Option<&Table> {
        self.tables.get(key)
    }

    /// A table or view by that name exists.
    pub fn has_relation(&self, key: &str) -> bool {
        self.tables.contains_key(key) || self.views.contains(key)
    }

    /// How many renames have happened so far; see [`Catalog::final_name`].
    pub fn rename_count(&self) -> usize {
        self.renames.len()
    }

    /// The name table `key` ends up with, following the renames after the first `since`.
    pub fn final_name(&self, key: &str, since: usize) -> String {
        let mut name = key.to_string();
        for (old, new) in self.renames.iter().skip(since) {
            if *old == name {
                name = new.clone();
            }
        }
        name
    }

    /// Records what `stmt` does to the set of tables.
    pub fn apply(&mut self, stmt: &Statement, file: &mut FileState) {
        match &stmt.ast {
            Some(ast) => self.apply_ast(ast, file),
            None => self.apply_tokens(stmt, file),
        }
    }

    fn apply_ast(&mut self, stmt: &ast::Statement, file: &mut FileState) {
        match stmt {
            ast::Statement::CreateTable(ct) => {
                let columns = (ct.query.is_none() && ct.like.is_none() && !ct.columns.is_empty())
                    .then(|| {
                        ct.columns
                            .iter()
                            .map(|c| (ident_key(&c.name), c.data_type.clone()))
                            .collect()
                    });
                self.create(table_key(&ct.name), Table { columns }, file);
            }
            ast::Statement::AlterTable(at) => {
                let mut key = table_key(&at.name);
                for op in &at.operations {
                    key = self.apply_alter(key, op, file);
                }
            }
            ast::Statement::Drop {
                object_type: ObjectType::Table,
                names,
                ..
            } => {
                for name in names {
                    self.drop(&table_key(name), file);
                }
            }
            ast::Statement::CreateView(view) => {
                self.views.insert(table_key(&view.name));
            }
            ast::Statement::Drop {
                object_type: ObjectType::View | ObjectType::MaterializedView,
                names,
                ..
            } => {
                for name in names {
                    self.views.remove(&table_key(name));
                }
            }
            _ => {}
        }
    }

    /// Applies one `ALTER TABLE` operation; returns the table's (possibly new) name.
    fn apply_alter(
        &mut self,
        key: String,
        op: &AlterTableOperation,
        file: &mut FileState,
    ) -> String {
        let columns = self.tables.get_mut(&key).and_then(|t| t.columns.as_mut());
        match op {
            AlterTableOperation::AddColumn { column_def, .. } => {
                if let Some(columns) = columns {
                    columns.insert(ident_key(&column_def.name), column_def.data_type.clone());
                }
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                if let Some(columns) = columns {
                    for c in column_names {
                        columns.remove(&ident_key(c));
                    }
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                if let Some(columns) = columns
                    && let Some(ty) = columns.remove(&ident_key(old_column_name))
                {
                    columns.insert(ident_key(new_column_name), ty);
                }
            }
            AlterTableOperation::AlterColumn {
                column_name,
                op: ast::AlterColumnOperation::SetDataType { data_type, .. },
            } => {
                if let Some(ty) = columns.and_then(|c| c.get_mut(&ident_key(column_name))) {
                    *ty = data_type.clone();
                }
            }
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
            } => {
                // `ALTER TABLE s.t RENAME TO u` keeps the table in schema `s`.
                let new_key = match key.rsplit_once('.') {
                    Some((schema, _)) => format!("{schema}.{}", table_key(new)),
                    None => table_key(new),
                };
                self.rename(&key, &new_key, file);
                return new_key;
            }
            _ => {}
        }
        key
    }

    /// Fallback for statements sqlparser cannot read: still track which tables exist.
    fn apply_tokens(&mut self, stmt: &Statement, file: &mut FileState) {
        if stmt.is_kw(0, "CREATE") {
            let i = stmt.skip_kws(1, &["GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"]);
            if stmt.is_kw(i, "TABLE") {
                let i = if stmt.starts_with_at(i + 1, &["IF", "NOT", "EXISTS"]) {
                    i + 4
                } else {
                    i + 1
                };
                if let Some((key, _)) = stmt.object_name_at(i) {
                    self.create(key, Table::default(), file);
                }
            }
        } else if stmt.starts_with(&["DROP", "TABLE"]) {
            let mut i = if stmt.starts_with_at(2, &["IF", "EXISTS"]) {
                4
            } else {
                2
            };
            while let Some((key, next)) = stmt.object_name_at(i) {
                self.drop(&key, file);
                if !matches!(
                    stmt.tokens.get(next).map(|t| &t.token),
                    Some(sqlparser::tokenizer::Token::Comma)
                ) {
                    break;
                }
                i = next + 1;
            }
        } else if stmt.starts_with(&["ALTER", "TABLE"]) {
            let i = if stmt.starts_with_at(2, &["IF", "EXISTS"]) {
                4
            } else {
                2
            };
            let i = stmt.skip_kws(i, &["ONLY"]);
            if let Some((key, next)) = stmt.object_name_at(i)
                && stmt.starts_with_at(next, &["RENAME", "TO"])
                && let Some((new, _)) = stmt.object_name_at(next + 2)
            {
                self.rename(&key, &new, file);
            }
        }
    }

    /// `CREATE TABLE` of a name that already exists fails (or, with IF NOT EXISTS, does
    /// nothing): only a new name is a new table.
    fn create(&mut self, key: String, table: Table, file: &mut FileState) {
        if let std::collections::hash_map::Entry::Vacant(entry) = self.tables.entry(key) {
            file.created.insert(entry.key().clone());
            entry.insert(table);
        }
    }

    fn drop(&mut self, key: &str, file: &mut FileState) {
        self.tables.remove(key);
        file.created.remove(key);
    }

    fn rename(&mut self, old: &str, new: &str, file: &mut FileState) {
        let table = self.tables.remove(old).unwrap_or_default();
        self.tables.insert(new.to_string(), table);
        if file.created.remove(old) {
            file.created.insert(new.to_string());
        }
        self.renames.push((old.to_string(), new.to_string()));
    }
}
