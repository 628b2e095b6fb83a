//! Unique indexes and the `PRIMARY KEY` / `UNIQUE` constraints that own one
//! ([`crate::catalog::Relation::unique_indexes`]), for `ON CONFLICT` inference.
//!
//! Read at token level from the statements that make, rename and drop them, after the
//! statement itself was applied: `CREATE TABLE` (column and table constraints, `LIKE ...
//! INCLUDING INDEXES`, and the parent's indexes a partition gets), `ALTER TABLE` (`ADD`,
//! `DROP CONSTRAINT`, `RENAME CONSTRAINT`, `DROP COLUMN`, `RENAME COLUMN`, `ATTACH
//! PARTITION`), `CREATE [UNIQUE] INDEX`, `DROP INDEX`, `ALTER INDEX ... RENAME TO`. Names are
//! PostgreSQL's when not given (`ChooseIndexName`: `t_pkey`, `t_a_b_key`, `t_lower_idx`),
//! chosen among every relation and index name of the schema. Expressions and predicates are
//! kept as written.
//!
//! Not followed: the names of indexes PostgreSQL creates for `EXCLUDE` constraints and for
//! non-unique indexes copied by `LIKE` or to partitions (they only matter when a later
//! generated name would collide with one).

use sqlparser::tokenizer::Token;

use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::tokens::{Cursor, ReadError, Tok, fold_ident, is_word, split_commas};
use crate::catalog::{QualifiedName, RelKind, UniqueIndex, UniqueKind};

/// Partition trees deeper than this are not followed (PostgreSQL has no limit; real ones are
/// a few levels).
const MAX_DEPTH: usize = 32;

/// A key of an index: a column, or an expression with the name PostgreSQL derives from it.
#[derive(Debug, Clone)]
enum Key {
    Column(String),
    Expression { sql: String, name: String },
}

/// A unique index or constraint as a statement writes it.
#[derive(Debug, Clone)]
struct Spec {
    name: Option<String>,
    kind: UniqueKind,
    keys: Vec<Key>,
    include: Vec<String>,
    predicate: Option<String>,
    nulls_not_distinct: bool,
    deferrable: bool,
    /// `ADD CONSTRAINT c UNIQUE USING INDEX i`.
    using_index: Option<String>,
}

impl Spec {
    fn new(kind: UniqueKind, name: Option<String>) -> Self {
        Spec {
            name,
            kind,
            keys: Vec::new(),
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            deferrable: false,
            using_index: None,
        }
    }

    /// The spec of an existing index, for a copy on another table (named there).
    fn copy_of(index: &UniqueIndex) -> Self {
        let mut expressions = index.expressions.iter();
        let keys = index
            .columns
            .iter()
            .map(|c| match c {
                Some(c) => Key::Column(c.clone()),
                None => {
                    let sql = expressions.next().cloned().unwrap_or_default();
                    Key::Expression {
                        name: expression_name(&sql),
                        sql,
                    }
                }
            })
            .collect();
        Spec {
            keys,
            predicate: index.predicate.clone(),
            nulls_not_distinct: index.nulls_not_distinct,
            deferrable: index.deferrable,
            ..Spec::new(index.kind, None)
        }
    }
}

/// An index of any kind, by name in [`Loader::indexes`]: for the namespace it shares with
/// relations, and for `LIKE ... INCLUDING INDEXES`, which copies a table's indexes in the
/// order they were made.
#[derive(Debug, Clone)]
pub(super) struct IndexEntry {
    pub table: QualifiedName,
    order: usize,
    spec: Spec,
    unique: bool,
}

/// Where a statement's unique indexes go, found before the statement is applied.
pub(super) enum Target {
    /// `CREATE TABLE` of a table that does not exist yet: its name as written.
    NewTable(Vec<String>),
    /// `ALTER TABLE` of this table.
    Table(QualifiedName),
    None,
}

impl Loader {
    /// Before `form` is applied: which table its constraints will be on.
    pub(super) fn unique_target(&self, stmt: &Stmt, form: &str) -> Target {
        let mut c = Cursor::new(&stmt.toks);
        match form {
            "CREATE TABLE" => {
                c.skip_until_word(&["table"]);
                c.next();
                c.eat_words(&["if", "not", "exists"]);
                match c.object_name() {
                    Ok(name) if self.find_relation(&name).is_none() => Target::NewTable(name),
                    _ => Target::None,
                }
            }
            "ALTER TABLE" => {
                c.expect_word("alter").ok();
                c.expect_word("table").ok();
                c.eat_words(&["if", "exists"]);
                c.eat_word("only");
                match c.object_name() {
                    Ok(name) => self
                        .find_relation(&name)
                        .map_or(Target::None, Target::Table),
                    Err(_) => Target::None,
                }
            }
            _ => Target::None,
        }
    }

    /// After `form` was applied: the unique indexes it made, renamed or dropped.
    pub(super) fn unique_after(&mut self, stmt: &Stmt, form: &str, target: Target) -> Applied {
        match (form, target) {
            ("CREATE TABLE", Target::NewTable(name)) => {
                let Some(table) = self.find_relation(&name) else {
                    return Ok(()); // temporary
                };
                self.create_table_indexes(stmt, &table)
            }
            ("ALTER TABLE", Target::Table(table)) => self.alter_table_indexes(stmt, &table),
            _ => Ok(()),
        }
    }

    fn create_table_indexes(&mut self, stmt: &Stmt, table: &QualifiedName) -> Applied {
        let mut c = Cursor::new(&stmt.toks);
        c.skip_until_word(&["table"]);
        c.next();
        c.eat_words(&["if", "not", "exists"]);
        c.object_name()?;
        if c.eat_words(&["partition", "of"]) {
            let parent = c.object_name()?;
            if let Some(parent) = self.find_relation(&parent) {
                self.copy_parent_indexes(&parent, table, 0);
            }
        } else if c.eat_word("of") {
            c.object_name()?;
        }
        if !c.is(&Token::LParen) {
            return Ok(());
        }
        let elements = split_commas(c.parenthesized()?);
        let mut likes = Vec::new();
        for element in elements {
            if is_word(element.first().map(|t| &t.token), "like") {
                likes.push(element);
                continue;
            }
            self.add_exclusion(table, element);
            for spec in element_constraints(element)? {
                self.add_unique(table, spec, 0)?;
            }
        }
        for like in likes {
            self.like_indexes(like, table)?;
        }
        Ok(())
    }

    /// `LIKE source INCLUDING INDEXES` (or `INCLUDING ALL`, unless `EXCLUDING INDEXES`).
    fn like_indexes(&mut self, like: &[Tok], table: &QualifiedName) -> Applied {
        let mut c = Cursor::new(&like[1..]);
        let source = c.object_name()?;
        let mut indexes = false;
        while let Some(tok) = c.next() {
            let including = is_word(Some(&tok.token), "including");
            if including || is_word(Some(&tok.token), "excluding") {
                if c.is_word("indexes") || c.is_word("all") {
                    indexes = including;
                }
                c.next();
            }
        }
        let Some(source) = self.find_relation(&source).filter(|_| indexes) else {
            return Ok(());
        };
        let mut entries: Vec<(&QualifiedName, &IndexEntry)> = self
            .indexes
            .iter()
            .filter(|(_, e)| e.table == source)
            .collect();
        entries.sort_by_key(|(_, e)| e.order);
        let relation = &self.cat.tables[&source];
        let copies: Vec<(bool, Spec)> = entries
            .into_iter()
            .map(|(name, e)| match relation.unique_index(&name.name) {
                Some(index) if e.unique => (true, Spec::copy_of(index)),
                _ => (
                    false,
                    Spec {
                        name: None,
                        ..e.spec.clone()
                    },
                ),
            })
            .collect();
        for (unique, spec) in copies {
            if unique {
                self.add_unique(table, spec, 0)?;
            } else {
                let name = self.choose_index_name(table, &spec);
                self.register_index(table, &name, spec, false);
            }
        }
        Ok(())
    }

    fn alter_table_indexes(&mut self, stmt: &Stmt, table: &QualifiedName) -> Applied {
        let mut c = Cursor::new(&stmt.toks);
        c.expect_word("alter")?;
        c.expect_word("table")?;
        c.eat_words(&["if", "exists"]);
        let only = c.eat_word("only");
        c.object_name()?;
        c.eat(&Token::Mul);
        let tables = if only {
            vec![table.clone()]
        } else {
            self.with_descendants(table)
        };
        for action in split_commas(c.rest()) {
            let mut a = Cursor::new(action);
            if a.eat_word("add") {
                let constraint = ["constraint", "primary", "unique"]
                    .iter()
                    .any(|w| a.is_word(w));
                if constraint {
                    self.add_exclusion(table, a.rest());
                }
                let specs = if constraint {
                    element_constraints(a.rest())?
                } else {
                    a.eat_word("column");
                    a.eat_words(&["if", "not", "exists"]);
                    element_constraints(a.rest())?
                };
                for spec in specs {
                    self.add_unique(table, spec, 0)?;
                }
            } else if a.eat_words(&["drop", "constraint"]) {
                a.eat_words(&["if", "exists"]);
                let name = a.ident()?;
                self.drop_unique(table, &name, 0);
                if let Some(relation) = self.cat.tables.get_mut(table) {
                    relation.exclusion_constraints.retain(|n| *n != name);
                }
            } else if a.eat_word("drop") {
                a.eat_word("column");
                a.eat_words(&["if", "exists"]);
                let column = a.ident()?;
                for t in &tables {
                    self.drop_indexes_on_column(t, &column);
                }
            } else if a.eat_words(&["rename", "constraint"]) {
                let from = a.ident()?;
                a.expect_word("to")?;
                let to = a.ident()?;
                self.rename_unique(table, &from, &to);
                if let Some(relation) = self.cat.tables.get_mut(table) {
                    for n in &mut relation.exclusion_constraints {
                        if *n == from {
                            n.clone_from(&to);
                        }
                    }
                }
            } else if a.eat_word("rename") && !a.is_word("to") {
                a.eat_word("column");
                let from = a.ident()?;
                a.expect_word("to")?;
                let to = a.ident()?;
                for t in &tables {
                    self.rename_index_column(t, &from, &to);
                }
            } else if a.eat_words(&["attach", "partition"]) {
                let child = a.object_name()?;
                if let Some(child) = self.find_relation(&child) {
                    self.copy_parent_indexes(table, &child, 0);
                }
            }
        }
        Ok(())
    }

    /// `CREATE [UNIQUE] INDEX`, `DROP INDEX`, `ALTER INDEX ... RENAME TO` (their syntax already
    /// checked).
    pub(super) fn index_statement(&mut self, stmt: &Stmt) -> Applied {
        let mut c = Cursor::new(&stmt.toks);
        if c.eat_word("create") {
            return self.create_index(stmt, &mut c);
        }
        if c.eat_words(&["drop", "index"]) {
            c.eat_word("concurrently");
            c.eat_words(&["if", "exists"]);
            let mut names = Vec::new();
            for part in split_commas(c.rest()) {
                let mut p = Cursor::new(part);
                names.push(p.object_name()?);
            }
            for name in names {
                if let Some((table, index)) = self.find_index(&name) {
                    let owned = self
                        .cat
                        .tables
                        .get(&table)
                        .and_then(|r| r.unique_index(&index));
                    if owned.is_some_and(|i| i.kind != UniqueKind::Index) {
                        let visible =
                            |schema: &str| self.lookup_schemas().iter().any(|s| s == schema);
                        let qualified = |name: &str| match visible(&table.schema) {
                            true => name.to_string(),
                            false => format!("{}.{name}", table.schema),
                        };
                        let (idx, tab) = (qualified(&index), qualified(&table.name));
                        return Err(Problem::new(format!(
                            "cannot drop index {idx} because constraint {index} on table {tab} requires it"
                        ))
                        .at(stmt.find_ident(&index))
                        .help(format!("You can drop constraint {index} on table {tab} instead.")));
                    }
                    self.drop_unique(&table, &index, 0);
                    self.indexes
                        .remove(&QualifiedName::new(&table.schema, &index));
                }
            }
            return Ok(());
        }
        if c.eat_words(&["alter", "index"]) {
            c.eat_words(&["if", "exists"]);
            let name = c.object_name()?;
            if c.eat_words(&["rename", "to"]) {
                let to = c.ident()?;
                if let Some((table, index)) = self.find_index(&name) {
                    self.rename_unique(&table, &index, &to);
                }
            }
        }
        Ok(())
    }

    fn create_index(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        let unique = c.eat_word("unique");
        c.expect_word("index")?;
        c.eat_word("concurrently");
        let if_not_exists = c.eat_words(&["if", "not", "exists"]);
        let name = if c.is_word("on") {
            None
        } else {
            Some(c.ident()?)
        };
        c.expect_word("on")?;
        let only = c.eat_word("only");
        let table_span = c.span();
        let table_name = c.object_name()?;
        let Some(table) = self.relation_for(&table_name, table_span, false)? else {
            return Ok(()); // a temporary table
        };
        if let Some(name) = &name {
            let qn = QualifiedName::new(&table.schema, name);
            if self.relation_name_taken(&qn) {
                if if_not_exists {
                    return Ok(());
                }
                return Err(Problem::new(format!("relation \"{name}\" already exists"))
                    .at(stmt.find_ident(name)));
            }
        }
        if c.eat_word("using") {
            c.ident()?;
        }
        let mut spec = Spec::new(UniqueKind::Index, name);
        spec.keys = index_keys(stmt, c.parenthesized()?)?;
        read_index_options(c, &mut spec, stmt);
        if !unique {
            let name = match &spec.name {
                Some(name) => name.clone(),
                None => self.choose_index_name(&table, &spec),
            };
            self.register_index(&table, &name, spec, false);
            return Ok(());
        }
        let depth = if only { MAX_DEPTH } else { 0 };
        self.add_unique(&table, spec, depth)
    }

    /// Records `spec` on `table` (and copies on its partitions, unless `depth` says not to).
    fn add_unique(&mut self, table: &QualifiedName, spec: Spec, depth: usize) -> Applied {
        if let Some(existing) = &spec.using_index {
            let Some(relation) = self.cat.tables.get_mut(table) else {
                return Ok(());
            };
            if let Some(index) = relation
                .unique_indexes
                .iter_mut()
                .find(|i| &i.name == existing)
            {
                index.kind = spec.kind;
                index.deferrable = spec.deferrable;
                if let Some(name) = spec.name {
                    index.name = name;
                }
            }
            sort(relation);
            return Ok(());
        }
        let name = match &spec.name {
            Some(name) => name.clone(),
            None => self.choose_index_name(table, &spec),
        };
        let mut columns = Vec::new();
        let mut expressions = Vec::new();
        for key in &spec.keys {
            match key {
                Key::Column(c) => columns.push(Some(c.clone())),
                Key::Expression { sql, .. } => {
                    columns.push(None);
                    expressions.push(sql.clone());
                }
            }
        }
        let index = UniqueIndex {
            name: name.clone(),
            kind: spec.kind,
            columns,
            expressions,
            predicate: spec.predicate.clone(),
            nulls_not_distinct: spec.nulls_not_distinct,
            deferrable: spec.deferrable,
        };
        if !self.cat.tables.contains_key(table) {
            return Ok(());
        }
        self.register_index(table, &name, spec.clone(), true);
        let Some(relation) = self.cat.tables.get_mut(table) else {
            return Ok(());
        };
        let partitioned = relation.kind == RelKind::PartitionedTable;
        relation.unique_indexes.push(index);
        sort(relation);
        if partitioned && depth < MAX_DEPTH {
            for child in self.partitions(table) {
                let copy = Spec {
                    name: None,
                    ..spec.clone()
                };
                self.index_parents.insert(
                    QualifiedName::new(&child.schema, self.next_name(&child, &copy)),
                    QualifiedName::new(&table.schema, &name),
                );
                self.add_unique(&child, copy, depth + 1)?;
            }
        }
        Ok(())
    }

    fn register_index(&mut self, table: &QualifiedName, name: &str, spec: Spec, unique: bool) {
        let order = self
            .indexes
            .values()
            .map(|e| e.order + 1)
            .max()
            .unwrap_or(0);
        self.indexes.insert(
            QualifiedName::new(&table.schema, name),
            IndexEntry {
                table: table.clone(),
                order,
                spec,
                unique,
            },
        );
    }

    /// The name `add_unique` would choose for `spec` on `table` now.
    fn next_name(&self, table: &QualifiedName, spec: &Spec) -> String {
        match &spec.name {
            Some(name) => name.clone(),
            None => self.choose_index_name(table, spec),
        }
    }

    /// A partition gets a copy of each of its parent's unique indexes it does not have yet.
    fn copy_parent_indexes(&mut self, parent: &QualifiedName, child: &QualifiedName, depth: usize) {
        let Some(parent_rel) = self.cat.tables.get(parent) else {
            return;
        };
        let copies: Vec<(String, Spec)> = parent_rel
            .unique_indexes
            .iter()
            .map(|i| (i.name.clone(), Spec::copy_of(i)))
            .collect();
        for (parent_index, spec) in copies {
            let has = self.cat.tables.get(child).is_some_and(|c| {
                c.unique_indexes.iter().any(|i| {
                    let copy = Spec::copy_of(i);
                    same_keys(&copy, &spec) && i.predicate.is_some() == spec.predicate.is_some()
                })
            });
            if has {
                continue;
            }
            let name = self.next_name(child, &spec);
            self.index_parents.insert(
                QualifiedName::new(&child.schema, &name),
                QualifiedName::new(&parent.schema, &parent_index),
            );
            let _ = self.add_unique(child, spec, depth + 1);
        }
    }

    /// The direct partitions of `table`.
    fn partitions(&self, table: &QualifiedName) -> Vec<QualifiedName> {
        self.parents
            .iter()
            .filter(|(_, parents)| parents.contains(table))
            .map(|(child, _)| child.clone())
            .collect()
    }

    /// PostgreSQL's `ChooseIndexName`.
    fn choose_index_name(&self, table: &QualifiedName, spec: &Spec) -> String {
        if spec.kind == UniqueKind::PrimaryKey {
            return self.choose_relation_name(&table.schema, &table.name, "", "pkey");
        }
        let label = if spec.kind == UniqueKind::Constraint {
            "key"
        } else {
            "idx"
        };
        let mut names: Vec<String> = Vec::new();
        let written = spec
            .keys
            .iter()
            .map(|k| match k {
                Key::Column(c) => c.clone(),
                Key::Expression { name, .. } => name.clone(),
            })
            .chain(spec.include.iter().cloned());
        // `ChooseIndexColumnNames`: a name already taken gets a number.
        for original in written {
            let mut name = original.clone();
            let mut n = 0;
            while names.contains(&name) {
                n += 1;
                name = format!("{original}{n}");
            }
            names.push(name);
        }
        self.choose_relation_name(
            &table.schema,
            &table.name,
            &index_name_addition(&names),
            label,
        )
    }

    /// Drops unique index (or constraint) `name` of `table`, and its copies on partitions.
    /// A table element or `ADD` action that is a named `EXCLUDE` constraint.
    fn add_exclusion(&mut self, table: &QualifiedName, toks: &[Tok]) {
        if let Some(name) = named_exclusion(toks)
            && let Some(relation) = self.cat.tables.get_mut(table)
        {
            relation.exclusion_constraints.push(name);
            relation.exclusion_constraints.sort();
        }
    }

    fn drop_unique(&mut self, table: &QualifiedName, name: &str, depth: usize) {
        if let Some(relation) = self.cat.tables.get_mut(table) {
            relation.unique_indexes.retain(|i| i.name != name);
        }
        let parent = QualifiedName::new(&table.schema, name);
        self.indexes.remove(&parent);
        let children: Vec<QualifiedName> = self
            .index_parents
            .iter()
            .filter(|(_, p)| **p == parent)
            .map(|(c, _)| c.clone())
            .collect();
        for child in children {
            self.index_parents.remove(&child);
            if depth >= MAX_DEPTH {
                continue;
            }
            let owner = self
                .cat
                .tables
                .iter()
                .find(|(qn, r)| qn.schema == child.schema && r.unique_index(&child.name).is_some())
                .map(|(qn, _)| qn.clone());
            if let Some(owner) = owner {
                self.drop_unique(&owner, &child.name, depth + 1);
            }
        }
    }

    fn rename_unique(&mut self, table: &QualifiedName, from: &str, to: &str) {
        if let Some(relation) = self.cat.tables.get_mut(table) {
            for index in relation
                .unique_indexes
                .iter_mut()
                .filter(|i| i.name == from)
            {
                index.name = to.to_string();
            }
            sort(relation);
        }
        let old = QualifiedName::new(&table.schema, from);
        let new = QualifiedName::new(&table.schema, to);
        if let Some(entry) = self.indexes.remove(&old) {
            self.indexes.insert(new.clone(), entry);
        }
        if let Some(parent) = self.index_parents.remove(&old) {
            self.index_parents.insert(new.clone(), parent);
        }
        for parent in self.index_parents.values_mut() {
            if *parent == old {
                *parent = new.clone();
            }
        }
    }

    /// A dropped column takes the indexes that use it along (by key, or by name in an
    /// expression or predicate).
    fn drop_indexes_on_column(&mut self, table: &QualifiedName, column: &str) {
        self.indexes.retain(|_, e| {
            e.table != *table
                || !e.spec.keys.iter().any(|k| match k {
                    Key::Column(c) => c == column,
                    Key::Expression { sql, .. } => mentions(sql, column),
                })
        });
        let Some(relation) = self.cat.tables.get_mut(table) else {
            return;
        };
        relation.unique_indexes.retain(|i| {
            !(i.columns.iter().any(|c| c.as_deref() == Some(column))
                || i.expressions
                    .iter()
                    .chain(&i.predicate)
                    .any(|sql| mentions(sql, column)))
        });
    }

    fn rename_index_column(&mut self, table: &QualifiedName, from: &str, to: &str) {
        for entry in self.indexes.values_mut().filter(|e| e.table == *table) {
            for key in &mut entry.spec.keys {
                if matches!(key, Key::Column(c) if c == from) {
                    *key = Key::Column(to.to_string());
                }
            }
        }
        let Some(relation) = self.cat.tables.get_mut(table) else {
            return;
        };
        for index in &mut relation.unique_indexes {
            for c in index.columns.iter_mut().flatten() {
                if c == from {
                    *c = to.to_string();
                }
            }
        }
    }

    /// The table and name of the index `parts` names (search path for an unqualified one).
    fn find_index(&self, parts: &[String]) -> Option<(QualifiedName, String)> {
        let (schemas, name) = match parts {
            [name] => (self.lookup_schemas(), name),
            [.., schema, name] => (vec![schema.clone()], name),
            [] => return None,
        };
        schemas.into_iter().find_map(|schema| {
            let unique = self
                .cat
                .tables
                .iter()
                .find(|(qn, r)| qn.schema == schema && r.unique_index(name).is_some());
            if let Some((qn, _)) = unique {
                return Some((qn.clone(), name.clone()));
            }
            self.indexes
                .get(&QualifiedName::new(&schema, name))
                .map(|e| (e.table.clone(), name.clone()))
        })
    }

    /// Table `old` is now `new`: its indexes follow it (into its new schema).
    pub(super) fn move_indexes(&mut self, old: &QualifiedName, new: &QualifiedName) {
        let moved: Vec<QualifiedName> = self
            .indexes
            .iter()
            .filter(|(_, e)| e.table == *old)
            .map(|(name, _)| name.clone())
            .collect();
        for name in moved {
            let Some(mut entry) = self.indexes.remove(&name) else {
                continue;
            };
            entry.table = new.clone();
            let renamed = QualifiedName::new(&new.schema, &name.name);
            if let Some(parent) = self.index_parents.remove(&name) {
                self.index_parents.insert(renamed.clone(), parent);
            }
            for parent in self.index_parents.values_mut() {
                if *parent == name {
                    *parent = renamed.clone();
                }
            }
            self.indexes.insert(renamed, entry);
        }
    }

    /// Table `table` is gone, and its indexes with it.
    pub(super) fn forget_indexes(&mut self, table: &QualifiedName) {
        let gone: Vec<QualifiedName> = self
            .indexes
            .iter()
            .filter(|(_, e)| e.table == *table)
            .map(|(name, _)| name.clone())
            .collect();
        for name in gone {
            self.indexes.remove(&name);
            self.index_parents.remove(&name);
        }
    }

    /// A unique index (of any table) or a non-unique one has this name.
    pub(super) fn index_name_taken(&self, qn: &QualifiedName) -> bool {
        self.indexes.contains_key(qn)
            || self
                .cat
                .tables
                .iter()
                .any(|(t, r)| t.schema == qn.schema && r.unique_index(&qn.name).is_some())
    }
}

fn sort(relation: &mut crate::catalog::Relation) {
    relation.unique_indexes.sort_by(|a, b| a.name.cmp(&b.name));
}

fn same_keys(a: &Spec, b: &Spec) -> bool {
    a.keys.len() == b.keys.len()
        && a.keys.iter().zip(&b.keys).all(|(x, y)| match (x, y) {
            (Key::Column(x), Key::Column(y)) => x == y,
            (Key::Expression { .. }, Key::Expression { .. }) => true,
            _ => false,
        })
}

/// Does `sql` name `column` (as a whole identifier, any case unless quoted)?
fn mentions(sql: &str, column: &str) -> bool {
    crate::catalog::tokens::tokenize(sql, 0).is_ok_and(|toks| {
        toks.iter().any(|t| {
            matches!(&t.token, Token::Word(w) if fold_ident(&w.value, w.quote_style.is_some()) == column)
        })
    })
}

/// PostgreSQL's `ChooseIndexNameAddition`: the names joined with `_`, stopping once the
/// result reaches 63 bytes.
fn index_name_addition(names: &[String]) -> String {
    let mut out = String::new();
    for name in names {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(name);
        if out.len() > crate::catalog::tokens::MAX_IDENTIFIER {
            break;
        }
    }
    out
}

/// The `PRIMARY KEY` / `UNIQUE` constraints of one element of a table's list (a column
/// definition or a table constraint).
/// The name of a `CONSTRAINT name EXCLUDE ...` table constraint.
fn named_exclusion(toks: &[Tok]) -> Option<String> {
    let mut c = Cursor::new(toks);
    if !c.eat_word("constraint") {
        return None;
    }
    let name = c.ident().ok()?;
    c.is_word("exclude").then_some(name)
}

fn element_constraints(toks: &[Tok]) -> Result<Vec<Spec>, ReadError> {
    let mut c = Cursor::new(toks);
    let first_is = |w: &str| is_word(toks.first().map(|t| &t.token), w);
    if ["like", "check", "foreign", "exclude"]
        .iter()
        .any(|w| first_is(w))
    {
        return Ok(vec![]);
    }
    if c.is_word("constraint") || c.is_word("primary") || c.is_word("unique") {
        let name = if c.eat_word("constraint") {
            Some(c.ident()?)
        } else {
            None
        };
        return Ok(table_constraint(&mut c, name)?.into_iter().collect());
    }
    // A column definition: its name, its type, then its constraints.
    let column = c.ident()?;
    let mut out: Vec<Spec> = Vec::new();
    let mut pending = None;
    while !c.at_end() {
        if c.eat_word("constraint") {
            pending = Some(c.ident()?);
        } else if c.eat_words(&["primary", "key"]) {
            let mut spec = Spec::new(UniqueKind::PrimaryKey, pending.take());
            spec.keys = vec![Key::Column(column.clone())];
            out.push(spec);
        } else if c.eat_word("unique") {
            let mut spec = Spec::new(UniqueKind::Constraint, pending.take());
            spec.nulls_not_distinct = nulls_not_distinct(&mut c);
            spec.keys = vec![Key::Column(column.clone())];
            out.push(spec);
        } else if c.eat_words(&["not", "deferrable"]) {
        } else if c.eat_word("deferrable") {
            if let Some(last) = out.last_mut() {
                last.deferrable = true;
            }
        } else {
            if [
                "not",
                "null",
                "check",
                "default",
                "references",
                "generated",
                "collate",
            ]
            .iter()
            .any(|w| c.is_word(w))
            {
                pending = None;
            }
            c.skip_one();
        }
    }
    Ok(out)
}

/// `PRIMARY KEY (cols) ...` / `UNIQUE [NULLS [NOT] DISTINCT] (cols) ...` / `... USING INDEX i`;
/// `None` for another kind of constraint.
fn table_constraint(c: &mut Cursor, name: Option<String>) -> Result<Option<Spec>, ReadError> {
    let mut spec = if c.eat_words(&["primary", "key"]) {
        Spec::new(UniqueKind::PrimaryKey, name)
    } else if c.eat_word("unique") {
        let mut spec = Spec::new(UniqueKind::Constraint, name);
        spec.nulls_not_distinct = nulls_not_distinct(c);
        spec
    } else {
        return Ok(None);
    };
    if c.eat_words(&["using", "index"]) {
        spec.using_index = Some(c.ident()?);
    } else {
        for part in split_commas(c.parenthesized()?) {
            spec.keys.push(Key::Column(Cursor::new(part).ident()?));
        }
    }
    while !c.at_end() {
        if c.eat_word("include") {
            for part in split_commas(c.parenthesized()?) {
                spec.include.push(Cursor::new(part).ident()?);
            }
        } else if c.eat_words(&["not", "deferrable"]) {
            spec.deferrable = false;
        } else if c.eat_word("deferrable") {
            spec.deferrable = true;
        } else {
            c.skip_one();
        }
    }
    Ok(Some(spec))
}

fn nulls_not_distinct(c: &mut Cursor) -> bool {
    if c.eat_words(&["nulls", "not", "distinct"]) {
        return true;
    }
    c.eat_words(&["nulls", "distinct"]);
    false
}

/// The keys of `CREATE INDEX ... ( key, ... )`: a column name (with its collation, operator
/// class, order), or an expression.
fn index_keys(stmt: &Stmt, list: &[Tok]) -> Result<Vec<Key>, ReadError> {
    let mut keys = Vec::new();
    for part in split_commas(list) {
        let Some(first) = part.first() else {
            return Err(ReadError::new(
                "expected an index key",
                list.first().map_or(0..0, |t| t.span.clone()),
            ));
        };
        let column = match part {
            [
                Tok {
                    token: Token::Word(w),
                    ..
                },
                rest @ ..,
            ] if !matches!(
                rest.first().map(|t| &t.token),
                Some(Token::LParen | Token::Period | Token::DoubleColon)
            ) =>
            {
                Some(fold_ident(&w.value, w.quote_style.is_some()))
            }
            _ => None,
        };
        keys.push(match column {
            Some(column) => Key::Column(column),
            None => {
                let end = key_expression_end(part).min(part.len());
                let span = first.span.start..part[end - 1].span.end;
                let sql = stmt.text_of(span).to_string();
                Key::Expression {
                    name: expression_name(&sql),
                    sql,
                }
            }
        });
    }
    Ok(keys)
}

/// The tokens of an expression key before its `COLLATE`, operator class, `ASC`/`DESC`,
/// `NULLS FIRST/LAST`: a parenthesized expression, or a function call.
fn key_expression_end(part: &[Tok]) -> usize {
    let mut c = Cursor::new(part);
    if c.is(&Token::LParen) {
        c.skip_one();
        return c.pos().max(1);
    }
    // `schema.func(args)`.
    while c
        .peek()
        .is_some_and(|t| matches!(t, Token::Word(_) | Token::Period))
    {
        c.next();
    }
    if c.is(&Token::LParen) {
        c.skip_one();
    }
    c.pos().max(1)
}

/// PostgreSQL's `FigureIndexColname`: a function call is named after the function, a column
/// (or a column cast) after the column, `CASE` is `case`, anything else `expr`.
fn expression_name(sql: &str) -> String {
    let Ok(toks) = crate::catalog::tokens::tokenize(sql, 0) else {
        return "expr".to_string();
    };
    let mut toks: &[Tok] = &toks;
    // Outer parentheses.
    while let [
        Tok {
            token: Token::LParen,
            ..
        },
        inner @ ..,
        Tok {
            token: Token::RParen,
            ..
        },
    ] = toks
    {
        let mut c = Cursor::new(toks);
        c.skip_one();
        if !c.at_end() {
            break;
        }
        toks = inner;
    }
    // `x::type`: named after `x`.
    if let Some(cast) = toks.iter().position(|t| t.token == Token::DoubleColon)
        && cast > 0
    {
        let inner = &toks[..cast];
        if let [
            Tok {
                token: Token::Word(w),
                ..
            },
        ] = inner
        {
            return fold_ident(&w.value, w.quote_style.is_some());
        }
    }
    match toks {
        [
            Tok {
                token: Token::Word(w),
                ..
            },
            ..,
        ] if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("case") => "case".to_string(),
        _ => {
            // `[schema.]name(...)`.
            let mut last = None;
            for t in toks {
                match &t.token {
                    Token::Word(w) => last = Some(fold_ident(&w.value, w.quote_style.is_some())),
                    Token::Period => {}
                    Token::LParen => return last.unwrap_or_else(|| "expr".to_string()),
                    _ => break,
                }
            }
            "expr".to_string()
        }
    }
}

/// `INCLUDE (...)`, `NULLS [NOT] DISTINCT`, `WITH (...)`, `TABLESPACE t`, `WHERE predicate`.
fn read_index_options(c: &mut Cursor, spec: &mut Spec, stmt: &Stmt) {
    while !c.at_end() {
        if c.eat_word("include") {
            if let Ok(list) = c.parenthesized() {
                spec.include = split_commas(list)
                    .into_iter()
                    .filter_map(|p| Cursor::new(p).ident().ok())
                    .collect();
            }
        } else if c.is_word("nulls") {
            spec.nulls_not_distinct = nulls_not_distinct(c);
            if !spec.nulls_not_distinct && c.is_word("nulls") {
                c.next();
            }
        } else if c.eat_word("where") {
            let rest = c.rest();
            if let (Some(first), Some(last)) = (rest.first(), rest.last()) {
                spec.predicate = Some(stmt.text_of(first.span.start..last.span.end).to_string());
            }
            return;
        } else {
            c.skip_one();
        }
    }
}
