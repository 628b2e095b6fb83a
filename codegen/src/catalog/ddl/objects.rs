//! Schemas (`CREATE SCHEMA`, `ALTER SCHEMA ... RENAME TO`), extensions (`CREATE EXTENSION ...
//! [WITH] SCHEMA s`: their types become resolvable there), sequences (`CREATE SEQUENCE`,
//! `ALTER SEQUENCE ... OWNED BY / RENAME TO / SET SCHEMA`), and every `DROP`.

use std::ops::Range;

use sqlparser::ast::{self, ObjectType, SchemaName};
use sqlparser::tokenizer::Token;

use super::functions::{FunctionRef, drop_refs_from_tokens};
use super::names::{TypeKind, dotted, ident, object_name};
use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::extensions;
use crate::catalog::tokens::{Cursor, ReadError};
use crate::catalog::{QualifiedName, multirange_name};

#[derive(Debug, Clone)]
pub(super) struct SequenceDef {
    pub name: Vec<String>,
    pub temporary: bool,
    pub if_not_exists: bool,
    pub owned_by: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(super) struct ExtensionDef {
    pub name: String,
    pub if_not_exists: bool,
    pub cascade: bool,
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DropKind {
    Table,
    View,
    MaterializedView,
    ForeignTable,
    Type,
    Domain,
    Function,
    Procedure,
    Routine,
    Sequence,
    Schema,
    Extension,
}

impl DropKind {
    pub fn from_ast(object_type: ObjectType) -> Option<Self> {
        Some(match object_type {
            ObjectType::Table => DropKind::Table,
            ObjectType::View => DropKind::View,
            ObjectType::MaterializedView => DropKind::MaterializedView,
            ObjectType::Type => DropKind::Type,
            ObjectType::Sequence => DropKind::Sequence,
            ObjectType::Schema => DropKind::Schema,
            _ => return None,
        })
    }

    fn from_words(c: &mut Cursor) -> Option<Self> {
        Some(if c.eat_word("table") {
            DropKind::Table
        } else if c.eat_word("view") {
            DropKind::View
        } else if c.eat_words(&["materialized", "view"]) {
            DropKind::MaterializedView
        } else if c.eat_words(&["foreign", "table"]) {
            DropKind::ForeignTable
        } else if c.eat_word("type") {
            DropKind::Type
        } else if c.eat_word("domain") {
            DropKind::Domain
        } else if c.eat_word("function") {
            DropKind::Function
        } else if c.eat_word("procedure") {
            DropKind::Procedure
        } else if c.eat_word("routine") {
            DropKind::Routine
        } else if c.eat_word("sequence") {
            DropKind::Sequence
        } else if c.eat_word("schema") {
            DropKind::Schema
        } else if c.eat_word("extension") {
            DropKind::Extension
        } else {
            return None;
        })
    }

    fn is_routine(self) -> bool {
        matches!(
            self,
            DropKind::Function | DropKind::Procedure | DropKind::Routine
        )
    }
}

#[derive(Debug, Clone)]
pub(super) struct DropDef {
    pub kind: DropKind,
    pub if_exists: bool,
    pub names: Vec<Vec<String>>,
    pub functions: Vec<FunctionRef>,
    pub cascade: bool,
}

pub(super) fn schema_name_from_ast(name: &SchemaName) -> String {
    match name {
        SchemaName::Simple(name) | SchemaName::NamedAuthorization(name, _) => {
            object_name(name).pop().unwrap_or_default()
        }
        SchemaName::UnnamedAuthorization(role) => ident(role),
    }
}

pub(super) fn schema_from_tokens(c: &mut Cursor) -> Result<(String, bool), ReadError> {
    c.expect_word("create")?;
    c.expect_word("schema")?;
    let if_not_exists = c.eat_words(&["if", "not", "exists"]);
    if c.eat_word("authorization") {
        return Ok((c.ident()?, if_not_exists));
    }
    Ok((c.ident()?, if_not_exists))
}

pub(super) fn alter_schema_from_ast(
    loader: &mut Loader,
    stmt: &Stmt,
    alter: &ast::AlterSchema,
) -> Applied {
    let name = object_name(&alter.name).pop().unwrap_or_default();
    for op in &alter.operations {
        if let ast::AlterSchemaOperation::Rename { name: new } = op {
            let new = object_name(new).pop().unwrap_or_default();
            loader.rename_schema(stmt, &name, &new, alter.if_exists)?;
        }
    }
    Ok(())
}

pub(super) fn extension_from_tokens(c: &mut Cursor) -> Result<ExtensionDef, ReadError> {
    c.expect_word("create")?;
    c.expect_word("extension")?;
    let if_not_exists = c.eat_words(&["if", "not", "exists"]);
    let name = c.ident()?;
    let mut def = ExtensionDef {
        name,
        if_not_exists,
        cascade: false,
        schema: None,
    };
    while !c.at_end() {
        if c.eat_word("schema") {
            def.schema = Some(c.ident()?);
        } else if c.eat_word("cascade") {
            def.cascade = true;
        } else {
            c.skip_one();
        }
    }
    Ok(def)
}

pub(super) fn sequence_from_tokens(c: &mut Cursor) -> Result<SequenceDef, ReadError> {
    c.expect_word("create")?;
    let temporary = c.eat_word("temp") || c.eat_word("temporary");
    c.eat_word("unlogged");
    c.expect_word("sequence")?;
    let if_not_exists = c.eat_words(&["if", "not", "exists"]);
    let name = c.object_name()?;
    let mut owned_by = None;
    while !c.at_end() {
        if c.eat_words(&["owned", "by"]) {
            if !c.eat_word("none") {
                owned_by = Some(c.object_name()?);
            }
        } else {
            c.skip_one();
        }
    }
    Ok(SequenceDef {
        name,
        temporary,
        if_not_exists,
        owned_by,
    })
}

pub(super) fn drop_from_tokens(c: &mut Cursor) -> Result<DropDef, ReadError> {
    c.expect_word("drop")?;
    let kind = DropKind::from_words(c).ok_or_else(|| c.error("unexpected object kind"))?;
    let if_exists = c.eat_words(&["if", "exists"]);
    let mut def = DropDef {
        kind,
        if_exists,
        names: vec![],
        functions: vec![],
        cascade: false,
    };
    if kind.is_routine() {
        def.functions = drop_refs_from_tokens(c)?;
    } else {
        loop {
            def.names.push(c.object_name()?);
            if !c.eat(&Token::Comma) {
                break;
            }
        }
    }
    def.cascade = c.eat_word("cascade");
    Ok(def)
}

impl Loader {
    pub(super) fn create_schema(
        &mut self,
        stmt: &Stmt,
        name: &str,
        if_not_exists: bool,
    ) -> Applied {
        if self.cat.schemas.contains(name) {
            if if_not_exists {
                return Ok(());
            }
            return Err(
                Problem::new(format!("schema \"{name}\" already exists")).at(stmt.find_ident(name))
            );
        }
        if name.starts_with("pg_") {
            return Err(Problem::new(format!("unacceptable schema name \"{name}\""))
                .at(stmt.find_ident(name)));
        }
        self.cat.schemas.insert(name.to_string());
        // Schema elements (`CREATE SCHEMA s CREATE TABLE ...`) are not followed.
        if stmt
            .toks
            .iter()
            .skip(3)
            .any(|t| crate::catalog::tokens::is_word(Some(&t.token), "create"))
        {
            self.warn(
                stmt,
                stmt.head(),
                "squill does not read the objects created inside CREATE SCHEMA; create them \
                 in separate statements",
            );
        }
        Ok(())
    }

    pub(super) fn rename_schema(
        &mut self,
        stmt: &Stmt,
        old: &str,
        new: &str,
        if_exists: bool,
    ) -> Applied {
        if !self.cat.schemas.contains(old) {
            if if_exists {
                return Ok(());
            }
            return Err(
                Problem::new(format!("schema \"{old}\" does not exist")).at(stmt.find_ident(old))
            );
        }
        if self.cat.schemas.contains(new) {
            return Err(
                Problem::new(format!("schema \"{new}\" already exists")).at(stmt.find_ident(new))
            );
        }
        self.cat.schemas.remove(old);
        self.cat.schemas.insert(new.to_string());
        let moved = |qn: &QualifiedName| QualifiedName::new(new, &qn.name);
        let in_old = |qn: &QualifiedName| qn.schema == old;
        let relations: Vec<QualifiedName> = self
            .cat
            .tables
            .keys()
            .filter(|q| in_old(q))
            .cloned()
            .collect();
        for qn in relations {
            let relation = self.cat.tables.remove(&qn).expect("exists");
            self.cat.tables.insert(moved(&qn), relation);
            self.retype(&qn, Some(&moved(&qn)));
            self.rebind_relation(&qn, &moved(&qn));
        }
        // Views keep the schemas their names were looked up in, under the new name.
        for relation in self.cat.tables.values_mut() {
            if let Some(binding) = relation.binding.as_deref_mut() {
                for schema in &mut binding.search_path {
                    if schema == old {
                        *schema = new.to_string();
                    }
                }
            }
        }
        let types: Vec<QualifiedName> = self
            .cat
            .enums
            .keys()
            .chain(self.cat.composites.keys())
            .chain(self.cat.domains.keys())
            .chain(self.cat.ranges.keys())
            .chain(self.cat.base_types.iter())
            .chain(self.extension_types.keys())
            .filter(|q| in_old(q))
            .cloned()
            .collect();
        for qn in types {
            let to = moved(&qn);
            move_key(&mut self.cat.enums, &qn, &to);
            move_key(&mut self.cat.composites, &qn, &to);
            move_key(&mut self.cat.domains, &qn, &to);
            move_key(&mut self.cat.ranges, &qn, &to);
            move_key(&mut self.extension_types, &qn, &to);
            if self.cat.base_types.remove(&qn) {
                self.cat.base_types.insert(moved(&qn));
            }
            self.retype(&qn, Some(&moved(&qn)));
            let multirange = QualifiedName::new(old, multirange_name(&qn.name));
            self.retype(&multirange, Some(&moved(&multirange)));
        }
        let sequences: Vec<QualifiedName> = self
            .cat
            .sequences
            .iter()
            .filter(|q| in_old(q))
            .cloned()
            .collect();
        for qn in sequences {
            self.cat.sequences.remove(&qn);
            self.cat.sequences.insert(moved(&qn));
            if let Some(owner) = self.owned_sequences.remove(&qn) {
                self.owned_sequences.insert(moved(&qn), owner);
            }
        }
        for (table, _) in self.owned_sequences.values_mut() {
            if table.schema == old {
                *table = moved(table);
            }
        }
        for function in &mut self.cat.functions {
            if function.name.schema == old {
                function.name.schema = new.to_string();
            }
        }
        self.move_schema_operators(old, Some(new));
        for schema in self.extension_schemas.values_mut() {
            if schema == old {
                *schema = new.to_string();
            }
        }
        let parents = std::mem::take(&mut self.parents);
        self.parents = parents
            .into_iter()
            .map(|(child, parents)| {
                let fix = |q: QualifiedName| if q.schema == old { moved(&q) } else { q };
                (fix(child), parents.into_iter().map(fix).collect())
            })
            .collect();
        let deps = std::mem::take(&mut self.view_deps);
        self.view_deps = deps
            .into_iter()
            .map(|(view, deps)| {
                let fix = |q: QualifiedName| if q.schema == old { moved(&q) } else { q };
                (fix(view), deps.into_iter().map(fix).collect())
            })
            .collect();
        Ok(())
    }

    pub(super) fn alter_schema_tokens(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        c.expect_word("alter")?;
        c.expect_word("schema")?;
        let name = c.ident()?;
        if c.eat_words(&["rename", "to"]) {
            let new = c.ident()?;
            self.rename_schema(stmt, &name, &new, false)?;
        }
        Ok(())
    }

    pub(super) fn create_extension(&mut self, stmt: &Stmt, def: ExtensionDef) -> Applied {
        if self.cat.extensions.contains(&def.name) || def.name == "plpgsql" {
            if def.if_not_exists || def.name == "plpgsql" {
                return Ok(());
            }
            return Err(
                Problem::new(format!("extension \"{}\" already exists", def.name))
                    .at(stmt.find_ident(&def.name)),
            );
        }
        let schema = match def.schema {
            Some(schema) => schema,
            None => {
                self.creation_name(std::slice::from_ref(&def.name), stmt.head())?
                    .schema
            }
        };
        if !self.cat.schemas.contains(&schema) {
            return Err(Problem::new(format!("schema \"{schema}\" does not exist"))
                .at(stmt.find_ident(&schema)));
        }
        // An extension whose control file names a schema always goes there.
        let schema = extensions::fixed_schema(&def.name).map_or(schema, String::from);
        let mut names: Vec<String> = if def.cascade {
            extensions::requires(&def.name)
                .iter()
                .map(|e| e.to_string())
                .collect()
        } else {
            vec![]
        };
        names.push(def.name.clone());
        for name in names {
            if self.cat.extensions.insert(name.clone()) {
                for ty in extensions::types_of(&name) {
                    self.extension_types
                        .insert(QualifiedName::new(&schema, *ty), name.clone());
                }
                self.extension_schemas.insert(name, schema.clone());
            }
        }
        Ok(())
    }

    pub(super) fn alter_extension_tokens(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        c.expect_word("alter")?;
        c.expect_word("extension")?;
        let name = c.ident()?;
        if !c.eat_words(&["set", "schema"]) {
            return Ok(());
        }
        let schema = c.ident()?;
        let Some(old) = self.extension_schemas.get(&name).cloned() else {
            return Err(Problem::new(format!("extension \"{name}\" does not exist"))
                .at(stmt.find_ident(&name)));
        };
        for ty in extensions::types_of(&name) {
            let from = QualifiedName::new(&old, *ty);
            let to = QualifiedName::new(&schema, *ty);
            if let Some(ext) = self.extension_types.remove(&from) {
                self.extension_types.insert(to.clone(), ext);
            }
            self.retype(&from, Some(&to));
        }
        self.extension_schemas.insert(name, schema);
        Ok(())
    }

    pub(super) fn create_sequence(&mut self, stmt: &Stmt, def: SequenceDef) -> Applied {
        if def.temporary || super::names::in_temp_schema(&def.name) {
            return Ok(());
        }
        let span = stmt.find_ident(def.name.last().map_or("", String::as_str));
        let qn = self.creation_name(&def.name, span.clone())?;
        if self.relation_name_taken(&qn) {
            if def.if_not_exists {
                return Ok(());
            }
            return Err(Problem::new(format!("relation \"{}\" already exists", qn.name)).at(span));
        }
        self.cat.sequences.insert(qn.clone());
        if let Some(owner) = def.owned_by {
            self.own_sequence(&qn, &owner, span)?;
        }
        Ok(())
    }

    fn own_sequence(
        &mut self,
        seq: &QualifiedName,
        owner: &[String],
        span: Range<usize>,
    ) -> Applied {
        let Some((column, table)) = owner.split_last() else {
            return Ok(());
        };
        if let Some(table) = self.relation_for(table, span, false)? {
            self.owned_sequences
                .insert(seq.clone(), (table, column.clone()));
        }
        Ok(())
    }

    /// `ALTER SEQUENCE [IF EXISTS] name OWNED BY t.c | RENAME TO | SET SCHEMA | options`.
    pub(super) fn alter_sequence_tokens(&mut self, c: &mut Cursor) -> Applied {
        c.expect_word("alter")?;
        c.expect_word("sequence")?;
        let if_exists = c.eat_words(&["if", "exists"]);
        let span = c.span();
        let name = c.object_name()?;
        if self.session.is_temp(&name) {
            return Ok(());
        }
        let Some(qn) = self.find_sequence(&name) else {
            if if_exists {
                return Ok(());
            }
            return Err(
                Problem::new(format!("relation \"{}\" does not exist", dotted(&name))).at(span),
            );
        };
        if c.eat_words(&["rename", "to"]) {
            let new = QualifiedName::new(&qn.schema, c.ident()?);
            self.move_sequence(&qn, new, span)?;
        } else if c.eat_words(&["set", "schema"]) {
            let new = QualifiedName::new(c.ident()?, &qn.name);
            self.move_sequence(&qn, new, span)?;
        } else {
            while !c.at_end() {
                if c.eat_words(&["owned", "by"]) {
                    if c.eat_word("none") {
                        self.owned_sequences.remove(&qn);
                    } else {
                        let owner = c.object_name()?;
                        self.own_sequence(&qn, &owner, span.clone())?;
                    }
                } else {
                    c.skip_one();
                }
            }
        }
        Ok(())
    }

    fn move_sequence(
        &mut self,
        old: &QualifiedName,
        new: QualifiedName,
        span: Range<usize>,
    ) -> Applied {
        if self.relation_name_taken(&new) {
            return Err(Problem::new(format!("relation \"{}\" already exists", new.name)).at(span));
        }
        self.cat.sequences.remove(old);
        self.cat.sequences.insert(new.clone());
        if let Some(owner) = self.owned_sequences.remove(old) {
            self.owned_sequences.insert(new, owner);
        }
        Ok(())
    }

    pub(super) fn drop(&mut self, stmt: &Stmt, def: DropDef) -> Applied {
        if def.kind.is_routine() {
            return self.drop_functions(stmt, &def);
        }
        for name in &def.names {
            let span = stmt.find_ident(name.last().map_or("", String::as_str));
            self.drop_one(def.kind, name, span, def.if_exists, def.cascade)?;
        }
        Ok(())
    }

    fn drop_one(
        &mut self,
        kind: DropKind,
        name: &[String],
        span: Range<usize>,
        if_exists: bool,
        cascade: bool,
    ) -> Applied {
        let missing = |what: &str| {
            if if_exists {
                Ok(())
            } else {
                Err(
                    Problem::new(format!("{what} \"{}\" does not exist", dotted(name)))
                        .at(span.clone()),
                )
            }
        };
        match kind {
            DropKind::Table
            | DropKind::View
            | DropKind::MaterializedView
            | DropKind::ForeignTable => {
                if self.session.is_temp(name) {
                    if let Some(n) = name.last() {
                        self.session.temp_relations.remove(n);
                    }
                    return Ok(());
                }
                let what = match kind {
                    DropKind::View => "view",
                    DropKind::MaterializedView => "materialized view",
                    DropKind::ForeignTable => "foreign table",
                    _ => "table",
                };
                let Some(qn) = self.find_relation(name) else {
                    return missing(what);
                };
                let actual = self.cat.tables[&qn].kind;
                let matches = match kind {
                    DropKind::Table => matches!(
                        actual,
                        crate::catalog::RelKind::Table | crate::catalog::RelKind::PartitionedTable
                    ),
                    DropKind::View => actual == crate::catalog::RelKind::View,
                    DropKind::MaterializedView => {
                        actual == crate::catalog::RelKind::MaterializedView
                    }
                    _ => actual == crate::catalog::RelKind::ForeignTable,
                };
                if !matches {
                    return Err(Problem::new(format!("\"{}\" is not a {what}", qn.name))
                        .at(span)
                        .help(format!("use DROP for its kind ({actual:?})")));
                }
                self.drop_relation(&qn, cascade);
            }
            DropKind::Type | DropKind::Domain => {
                let Some((qn, type_kind)) = self.find_type(name) else {
                    return missing("type");
                };
                match type_kind {
                    TypeKind::Enum => {
                        self.cat.enums.remove(&qn);
                    }
                    TypeKind::Composite => {
                        self.cat.composites.remove(&qn);
                    }
                    TypeKind::Domain => {
                        self.cat.domains.remove(&qn);
                    }
                    TypeKind::Range => {
                        self.cat.ranges.remove(&qn);
                        let multirange = QualifiedName::new(&qn.schema, multirange_name(&qn.name));
                        self.retype(&multirange, None);
                    }
                    TypeKind::Base => {
                        self.cat.base_types.remove(&qn);
                    }
                    _ => {
                        return Err(Problem::new(format!(
                            "squill does not follow DROP TYPE of \"{}\"",
                            qn.name
                        ))
                        .at(span));
                    }
                }
                self.retype(&qn, None);
            }
            DropKind::Sequence => {
                let Some(qn) = self.find_sequence(name) else {
                    return missing("sequence");
                };
                self.cat.sequences.remove(&qn);
                self.owned_sequences.remove(&qn);
            }
            DropKind::Schema => {
                let schema = name.last().cloned().unwrap_or_default();
                if !self.cat.schemas.remove(&schema) {
                    return missing("schema");
                }
                self.drop_schema_contents(&schema);
            }
            DropKind::Extension => {
                let ext = name.last().cloned().unwrap_or_default();
                if !self.cat.extensions.remove(&ext) {
                    return missing("extension");
                }
                let types: Vec<QualifiedName> = self
                    .extension_types
                    .iter()
                    .filter(|(_, e)| **e == ext)
                    .map(|(qn, _)| qn.clone())
                    .collect();
                for qn in types {
                    self.extension_types.remove(&qn);
                    self.retype(&qn, None);
                }
                self.extension_schemas.remove(&ext);
            }
            DropKind::Function | DropKind::Procedure | DropKind::Routine => {}
        }
        Ok(())
    }

    /// Everything in a dropped schema, and what depends on it elsewhere.
    fn drop_schema_contents(&mut self, schema: &str) {
        let relations: Vec<QualifiedName> = self
            .cat
            .tables
            .keys()
            .filter(|q| q.schema == schema)
            .cloned()
            .collect();
        for qn in relations {
            self.drop_relation(&qn, true);
        }
        let types: Vec<QualifiedName> = self
            .cat
            .enums
            .keys()
            .chain(self.cat.composites.keys())
            .chain(self.cat.domains.keys())
            .chain(self.cat.ranges.keys())
            .chain(self.cat.base_types.iter())
            .chain(self.extension_types.keys())
            .filter(|q| q.schema == schema)
            .cloned()
            .collect();
        for qn in types {
            self.cat.enums.remove(&qn);
            self.cat.composites.remove(&qn);
            self.cat.domains.remove(&qn);
            self.cat.ranges.remove(&qn);
            self.cat.base_types.remove(&qn);
            self.extension_types.remove(&qn);
            self.retype(&qn, None);
        }
        self.cat.sequences.retain(|q| q.schema != schema);
        self.owned_sequences.retain(|q, _| q.schema != schema);
        self.cat.functions.retain(|f| f.name.schema != schema);
        self.move_schema_operators(schema, None);
        let extensions: Vec<String> = self
            .extension_schemas
            .iter()
            .filter(|(_, s)| *s == schema)
            .map(|(e, _)| e.clone())
            .collect();
        for ext in extensions {
            self.cat.extensions.remove(&ext);
            self.extension_schemas.remove(&ext);
        }
    }
}

fn move_key<V>(
    map: &mut std::collections::BTreeMap<QualifiedName, V>,
    old: &QualifiedName,
    new: &QualifiedName,
) {
    if let Some(value) = map.remove(old) {
        map.insert(new.clone(), value);
    }
}
