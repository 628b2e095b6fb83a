//! Tables: `CREATE TABLE` (columns and column constraints, table-level `PRIMARY KEY`,
//! `LIKE ... INCLUDING`, `INHERITS`, `PARTITION BY`, `PARTITION OF`, `OF type`, `AS query`) and
//! `ALTER TABLE`, applied as PostgreSQL applies them. The statements are read into the
//! [`TableDef`] and [`AlterTable`] here by `table_syntax` (from sqlparser's tree) or
//! `table_tokens` (where sqlparser rejects the statement).

use std::ops::Range;

use sqlparser::ast::Query;

use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::type_names::TypeSpec;
use crate::catalog::{Column, QualifiedName, RelKind, Relation, TypeName};

/// A `CREATE TABLE` statement.
#[derive(Debug, Clone)]
pub(super) struct TableDef {
    pub name: Vec<String>,
    pub name_span: Range<usize>,
    pub foreign: bool,
    pub temporary: bool,
    pub if_not_exists: bool,
    pub elements: Vec<Element>,
    pub inherits: Vec<(Vec<String>, Range<usize>)>,
    pub partition_of: Option<(Vec<String>, Range<usize>)>,
    /// `PARTITION BY ...`: a partitioned table.
    pub partitioned: bool,
    /// `OF type_name`: a typed table.
    pub of_type: Option<TypeSpec>,
    /// `AS query`.
    pub as_query: Option<AsQuery>,
}

impl TableDef {
    pub fn new(name: Vec<String>, name_span: Range<usize>) -> Self {
        TableDef {
            name,
            name_span,
            foreign: false,
            temporary: false,
            if_not_exists: false,
            elements: vec![],
            inherits: vec![],
            partition_of: None,
            partitioned: false,
            of_type: None,
            as_query: None,
        }
    }
}

/// `CREATE TABLE t [(columns)] AS query`.
#[derive(Debug, Clone)]
pub(super) struct AsQuery {
    pub columns: Vec<String>,
    /// The query's byte range in the file.
    pub span: Range<usize>,
    /// sqlparser's tree of it, when it could read it.
    pub ast: Option<Box<Query>>,
}

/// One element of a table's parenthesised list.
#[derive(Debug, Clone)]
pub(super) enum Element {
    Column(ColumnSpec),
    Like(LikeSpec),
    /// `PRIMARY KEY (a, b)`: makes them NOT NULL.
    PrimaryKey(Vec<String>, Range<usize>),
    /// Another table constraint (CHECK, UNIQUE, FOREIGN KEY, EXCLUDE): nothing to record.
    Constraint,
}

/// A column definition (or, in `PARTITION OF`, a column's extra options).
#[derive(Debug, Clone)]
pub(super) struct ColumnSpec {
    pub name: String,
    pub span: Range<usize>,
    /// `None` for `col WITH OPTIONS ...` of a partition.
    pub ty: Option<TypeSpec>,
    pub not_null: bool,
    pub primary_key: bool,
    pub default: Option<DefaultExpr>,
    /// `GENERATED ... AS IDENTITY`, with its `SEQUENCE NAME` if given.
    pub identity: Option<Option<Vec<String>>>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: bool,
}

impl ColumnSpec {
    pub fn new(name: String, span: Range<usize>, ty: Option<TypeSpec>) -> Self {
        ColumnSpec {
            name,
            span,
            ty,
            not_null: false,
            primary_key: false,
            default: None,
            identity: None,
            generated: false,
        }
    }
}

/// A `DEFAULT` expression: PostgreSQL stores none for a plain `NULL` (unless the column is of
/// a domain type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DefaultExpr {
    Null,
    Value,
}

#[derive(Debug, Clone)]
pub(super) struct LikeSpec {
    pub source: Vec<String>,
    pub span: Range<usize>,
    pub defaults: bool,
    pub identity: bool,
    pub generated: bool,
}

/// An `ALTER TABLE` statement.
#[derive(Debug, Clone)]
pub(super) struct AlterTable {
    pub name: Vec<String>,
    pub name_span: Range<usize>,
    pub if_exists: bool,
    /// `ONLY`: no recursion to inheritance children and partitions.
    pub only: bool,
    pub actions: Vec<(AlterAction, Range<usize>)>,
}

#[derive(Debug, Clone)]
pub(super) enum AlterAction {
    AddColumn {
        if_not_exists: bool,
        column: ColumnSpec,
    },
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    ColumnType {
        column: String,
        ty: TypeSpec,
    },
    SetNotNull(String),
    DropNotNull(String),
    SetDefault(String, DefaultExpr),
    DropDefault(String),
    AddIdentity {
        column: String,
        sequence: Option<Vec<String>>,
    },
    DropIdentity {
        column: String,
        if_exists: bool,
    },
    DropExpression {
        column: String,
        if_exists: bool,
    },
    AddPrimaryKey(Vec<String>),
    /// `ENABLE | DISABLE | [NO] FORCE ROW LEVEL SECURITY`: what it sets (enabled, forced).
    RowSecurity(Option<bool>, Option<bool>),
    RenameTo(String),
    SetSchema(String),
    /// `INHERIT parent` / `ATTACH PARTITION child` (the relation named, and whether the
    /// altered table is the parent).
    Link {
        other: Vec<String>,
        altered_is_parent: bool,
    },
    /// `NO INHERIT parent` / `DETACH PARTITION child`.
    Unlink {
        other: Vec<String>,
        altered_is_parent: bool,
    },
    /// Constraints, storage, triggers, row security, partitions, owner: nothing to record.
    Irrelevant,
}

impl Loader {
    pub(super) fn create_table(&mut self, stmt: &Stmt, def: TableDef) -> Applied {
        if def.temporary || super::names::in_temp_schema(&def.name) {
            if let Some(name) = def.name.last() {
                self.session.temp_relations.insert(name.clone());
            }
            return Ok(());
        }
        let qn = self.creation_name(&def.name, def.name_span.clone())?;
        if self.relation_name_taken(&qn) || self.type_name_taken(&qn) {
            if def.if_not_exists {
                return Ok(());
            }
            return Err(
                Problem::new(format!("relation \"{}\" already exists", qn.name))
                    .at(def.name_span.clone()),
            );
        }
        if let Some(query) = &def.as_query {
            return self.create_table_as(stmt, qn, query);
        }
        let mut columns: Vec<Column> = Vec::new();
        let mut parents = Vec::new();
        // Inherited columns come first, merged by name.
        for (parent, span) in &def.inherits {
            let Some(parent) = self.relation_for(parent, span.clone(), false)? else {
                continue;
            };
            let relation = &self.cat.tables[&parent];
            if relation.kind == RelKind::PartitionedTable {
                return Err(Problem::new(format!(
                    "cannot inherit from partitioned table \"{}\"",
                    parent.name
                ))
                .at(span.clone()));
            }
            for column in &relation.columns {
                merge_inherited(&mut columns, inherited(column));
            }
            parents.push(parent);
        }
        if let Some((parent, span)) = &def.partition_of
            && let Some(parent) = self.relation_for(parent, span.clone(), false)?
        {
            let relation = &self.cat.tables[&parent];
            if relation.kind != RelKind::PartitionedTable {
                return Err(
                    Problem::new(format!("\"{}\" is not partitioned", parent.name))
                        .at(span.clone()),
                );
            }
            columns.extend(relation.columns.iter().map(inherited));
            parents.push(parent);
        }
        if let Some(of_type) = &def.of_type {
            let ty = self.resolve_type(stmt, of_type)?;
            let fields = self
                .cat
                .composites
                .get(&ty.qualified_name())
                .ok_or_else(|| {
                    Problem::new(format!("type {} is not a composite type", ty.display()))
                        .at(of_type.span.clone())
                })?;
            columns.extend(
                fields
                    .iter()
                    .map(|f| Column::plain(&f.name, f.ty.undimensioned())),
            );
        }
        // Columns that come from elsewhere (parents, a composite type) take options by name.
        let derived = !parents.is_empty() || def.of_type.is_some();
        let mut sequences = Vec::new();
        let mut primary_key = Vec::new();
        for element in &def.elements {
            match element {
                Element::Column(spec) => {
                    let existing = columns.iter().position(|c| c.name == spec.name);
                    match (existing, &spec.ty) {
                        (Some(i), _) if derived => {
                            // Merged with an inherited column, or options of a partition's or
                            // typed table's column.
                            let mut column = columns[i].clone();
                            if let Some(ty) = &spec.ty {
                                let ty = self.resolve_type(stmt, ty)?;
                                if ty.without_typmod().undimensioned()
                                    != column.ty.without_typmod().undimensioned()
                                {
                                    return Err(Problem::new(format!(
                                        "column \"{}\" has a type conflict",
                                        spec.name
                                    ))
                                    .at(spec.span.clone()));
                                }
                                column.ty = ty;
                            }
                            self.apply_column_options(&mut column, spec, &mut sequences);
                            columns[i] = column;
                        }
                        (Some(_), _) => {
                            return Err(Problem::new(format!(
                                "column \"{}\" specified more than once",
                                spec.name
                            ))
                            .at(spec.span.clone()));
                        }
                        (None, None) => {
                            return Err(Problem::new(format!(
                                "column \"{}\" does not exist",
                                spec.name
                            ))
                            .at(spec.span.clone()));
                        }
                        (None, Some(_)) => {
                            let column = self.new_column(stmt, spec, &mut sequences)?;
                            columns.push(column);
                        }
                    }
                }
                Element::Like(like) => {
                    let Some(source) = self.relation_for(&like.source, like.span.clone(), false)?
                    else {
                        continue;
                    };
                    for column in self.cat.tables[&source].columns.clone() {
                        let copied = Column {
                            name: column.name.clone(),
                            ty: column.ty.undimensioned(),
                            not_null: column.not_null,
                            has_default: column.has_default && like.defaults,
                            identity: column.identity && like.identity,
                            generated: column.generated && like.generated,
                        };
                        if copied.identity {
                            sequences.push((column.name.clone(), None));
                        }
                        if columns.iter().any(|c| c.name == copied.name) {
                            return Err(Problem::new(format!(
                                "column \"{}\" specified more than once",
                                copied.name
                            ))
                            .at(like.span.clone()));
                        }
                        columns.push(copied);
                    }
                }
                Element::PrimaryKey(names, span) => {
                    primary_key.extend(names.iter().map(|n| (n.clone(), span.clone())));
                }
                Element::Constraint => {}
            }
        }
        for (name, span) in primary_key {
            let column = columns.iter_mut().find(|c| c.name == name).ok_or_else(|| {
                Problem::new(format!("column \"{name}\" named in key does not exist")).at(span)
            })?;
            column.not_null = true;
        }
        let kind = if def.foreign {
            RelKind::ForeignTable
        } else if def.partitioned {
            RelKind::PartitionedTable
        } else {
            RelKind::Table
        };
        self.create_owned_sequences(&qn, sequences);
        if !parents.is_empty() {
            self.parents.insert(qn.clone(), parents);
        }
        self.cat.tables.insert(
            qn,
            Relation {
                kind,
                columns,
                view_sql: None,
                binding: None,
                unique_indexes: Vec::new(),
                exclusion_constraints: Vec::new(),
            },
        );
        Ok(())
    }

    /// A column from its definition. Serial and identity columns add their sequence (named
    /// later, once the table's name is final) to `sequences`.
    fn new_column(
        &mut self,
        stmt: &Stmt,
        spec: &ColumnSpec,
        sequences: &mut Vec<(String, Option<Vec<String>>)>,
    ) -> Result<Column, Problem> {
        let ty_spec = spec.ty.as_ref().expect("a column definition has a type");
        let mut column = match ty_spec.serial() {
            Some(int) => {
                sequences.push((spec.name.clone(), None));
                Column {
                    not_null: true,
                    has_default: true,
                    ..Column::plain(&spec.name, TypeName::builtin(int))
                }
            }
            None => Column::plain(&spec.name, self.resolve_type(stmt, ty_spec)?),
        };
        self.apply_column_options(&mut column, spec, sequences);
        Ok(column)
    }

    fn apply_column_options(
        &self,
        column: &mut Column,
        spec: &ColumnSpec,
        sequences: &mut Vec<(String, Option<Vec<String>>)>,
    ) {
        if spec.not_null || spec.primary_key {
            column.not_null = true;
        }
        if let Some(default) = spec.default {
            column.has_default = self.stores_default(&column.ty, default);
        }
        if let Some(sequence) = &spec.identity {
            column.identity = true;
            column.not_null = true;
            sequences.push((spec.name.clone(), sequence.clone()));
        }
        if spec.generated {
            column.generated = true;
        }
    }

    /// Whether PostgreSQL keeps a default: not for a plain NULL, unless on a domain (whose
    /// own default the NULL overrides).
    fn stores_default(&self, ty: &TypeName, default: DefaultExpr) -> bool {
        match default {
            DefaultExpr::Value => true,
            DefaultExpr::Null => {
                ty.array_dims == 0 && self.cat.domains.contains_key(&ty.qualified_name())
            }
        }
    }

    /// The sequences of serial and identity columns: `SEQUENCE NAME` if given, else
    /// PostgreSQL's `table_column_seq` (made unique).
    fn create_owned_sequences(
        &mut self,
        table: &QualifiedName,
        sequences: Vec<(String, Option<Vec<String>>)>,
    ) {
        for (column, name) in sequences {
            let qn = match name.as_deref() {
                Some([.., schema, name]) => QualifiedName::new(schema, name),
                Some([name]) => QualifiedName::new(&table.schema, name),
                _ => QualifiedName::new(
                    &table.schema,
                    self.choose_relation_name(&table.schema, &table.name, &column, "seq"),
                ),
            };
            self.cat.sequences.insert(qn.clone());
            self.owned_sequences.insert(qn, (table.clone(), column));
        }
    }

    /// PostgreSQL's `ChooseRelationName`: `name1_name2_label`, truncated to fit, with a number
    /// appended to the label until no relation has the name.
    pub(super) fn choose_relation_name(
        &self,
        schema: &str,
        name1: &str,
        name2: &str,
        label: &str,
    ) -> String {
        let mut pass = 0;
        let mut modlabel = label.to_string();
        loop {
            let name = make_object_name(name1, name2, &modlabel);
            if !self.relation_name_taken(&QualifiedName::new(schema, &name)) {
                return name;
            }
            pass += 1;
            modlabel = format!("{label}{pass}");
        }
    }

    /// `CREATE TABLE ... AS query`: the columns of a query that only reads columns of one
    /// table are that table's (nullable, without defaults); anything else is left to the
    /// analyzer, like a view.
    fn create_table_as(&mut self, stmt: &Stmt, qn: QualifiedName, query: &AsQuery) -> Applied {
        let sql = stmt.text_of(query.span.clone());
        let ast = match &query.ast {
            Some(ast) => Some(ast.clone()),
            None => super::views::parse_query(sql),
        };
        let columns = ast
            .as_deref()
            .and_then(|ast| super::views::simple_projection(self, ast));
        let relation = match columns {
            Some(mut columns) => {
                for (column, alias) in columns.iter_mut().zip(&query.columns) {
                    column.name = alias.clone();
                }
                Relation {
                    kind: RelKind::Table,
                    columns,
                    view_sql: None,
                    binding: None,
                    unique_indexes: Vec::new(),
                    exclusion_constraints: Vec::new(),
                }
            }
            None => Relation {
                kind: RelKind::Table,
                columns: vec![],
                view_sql: Some(super::views::with_column_names(sql, &query.columns)),
                binding: Some(Box::new(self.bind_query(ast.as_deref()))),
                unique_indexes: Vec::new(),
                exclusion_constraints: Vec::new(),
            },
        };
        self.cat.tables.insert(qn, relation);
        Ok(())
    }

    pub(super) fn alter_table(&mut self, stmt: &Stmt, alter: AlterTable) -> Applied {
        let Some(mut qn) =
            self.relation_for(&alter.name, alter.name_span.clone(), alter.if_exists)?
        else {
            return Ok(());
        };
        for (action, span) in alter.actions {
            qn = self.alter_action(stmt, &qn, alter.only, action, span)?;
        }
        Ok(())
    }

    /// Applies one action; returns the relation's name afterwards.
    fn alter_action(
        &mut self,
        stmt: &Stmt,
        qn: &QualifiedName,
        only: bool,
        action: AlterAction,
        span: Range<usize>,
    ) -> Result<QualifiedName, Problem> {
        let targets = if only {
            vec![qn.clone()]
        } else {
            self.with_descendants(qn)
        };
        let is_view = self.cat.tables[qn].kind.is_view();
        match action {
            AlterAction::AddColumn {
                if_not_exists,
                column,
            } => {
                if self.cat.tables[qn].column(&column.name).is_some() {
                    if if_not_exists {
                        return Ok(qn.clone());
                    }
                    return Err(Problem::new(format!(
                        "column \"{}\" of relation \"{}\" already exists",
                        column.name, qn.name
                    ))
                    .at(column.span.clone()));
                }
                let mut sequences = Vec::new();
                let new = self.new_column(stmt, &column, &mut sequences)?;
                self.create_owned_sequences(qn, sequences);
                for target in &targets {
                    let copy = if target == qn {
                        new.clone()
                    } else {
                        inherited(&new)
                    };
                    let relation = self.cat.tables.get_mut(target).expect("target exists");
                    if relation.column(&copy.name).is_none() {
                        relation.columns.push(copy);
                    }
                }
            }
            AlterAction::DropColumn {
                name,
                if_exists,
                cascade,
            } => {
                if self.cat.tables[qn].column(&name).is_none() {
                    if if_exists || is_view {
                        return Ok(qn.clone());
                    }
                    return Err(column_missing(&name, qn, span));
                }
                for target in &targets {
                    if let Some(relation) = self.cat.tables.get_mut(target) {
                        relation.columns.retain(|c| c.name != name);
                    }
                    self.drop_owned_sequences_of_column(target, Some(&name));
                    self.drop_bound_column(target, &name);
                }
                if cascade {
                    self.drop_dependent_views(qn);
                }
            }
            AlterAction::RenameColumn { from, to } => {
                if is_view || self.cat.tables[qn].columns_pending() {
                    self.rename_view_column(qn, &from, &to);
                    return Ok(qn.clone());
                }
                if self.cat.tables[qn].column(&from).is_none() {
                    return Err(column_missing(&from, qn, span));
                }
                if self.cat.tables[qn].column(&to).is_some() {
                    return Err(Problem::new(format!(
                        "column \"{to}\" of relation \"{}\" already exists",
                        qn.name
                    ))
                    .at(span));
                }
                for target in &targets {
                    if let Some(relation) = self.cat.tables.get_mut(target) {
                        for column in &mut relation.columns {
                            if column.name == from {
                                column.name = to.clone();
                            }
                        }
                    }
                    for (table, column) in self.owned_sequences.values_mut() {
                        if table == target && *column == from {
                            *column = to.clone();
                        }
                    }
                    self.rename_bound_table_column(target, &from, &to);
                }
            }
            AlterAction::ColumnType { column, ty } => {
                if self.cat.tables[qn].column(&column).is_none() {
                    return Err(column_missing(&column, qn, span));
                }
                let ty = self.resolve_type(stmt, &ty)?;
                for target in &targets {
                    self.update_column(target, &column, |c| c.ty = ty.clone());
                }
            }
            AlterAction::SetNotNull(column) => {
                self.require_column(qn, &column, span)?;
                for target in &targets {
                    self.update_column(target, &column, |c| c.not_null = true);
                }
            }
            AlterAction::DropNotNull(column) => {
                self.require_column(qn, &column, span.clone())?;
                if self.cat.tables[qn]
                    .column(&column)
                    .is_some_and(|c| c.identity)
                {
                    return Err(Problem::new(format!(
                        "column \"{column}\" of relation \"{}\" is an identity column",
                        qn.name
                    ))
                    .at(span));
                }
                for target in &targets {
                    self.update_column(target, &column, |c| c.not_null = false);
                }
            }
            AlterAction::SetDefault(column, default) => {
                if is_view {
                    return Ok(qn.clone());
                }
                self.require_column(qn, &column, span)?;
                for target in &targets {
                    let ty = self.cat.tables[target]
                        .column(&column)
                        .map(|c| c.ty.clone());
                    let stores = ty.is_some_and(|ty| self.stores_default(&ty, default));
                    self.update_column(target, &column, |c| c.has_default = stores);
                }
            }
            AlterAction::DropDefault(column) => {
                if is_view {
                    return Ok(qn.clone());
                }
                self.require_column(qn, &column, span)?;
                for target in &targets {
                    self.update_column(target, &column, |c| c.has_default = false);
                }
            }
            AlterAction::AddIdentity { column, sequence } => {
                self.require_column(qn, &column, span)?;
                self.update_column(qn, &column, |c| {
                    c.identity = true;
                    c.not_null = true;
                });
                self.create_owned_sequences(qn, vec![(column, sequence)]);
            }
            AlterAction::DropIdentity { column, if_exists } => {
                self.require_column(qn, &column, span.clone())?;
                if !self.cat.tables[qn]
                    .column(&column)
                    .is_some_and(|c| c.identity)
                {
                    if if_exists {
                        return Ok(qn.clone());
                    }
                    return Err(Problem::new(format!(
                        "column \"{column}\" of relation \"{}\" is not an identity column",
                        qn.name
                    ))
                    .at(span));
                }
                self.update_column(qn, &column, |c| c.identity = false);
                self.drop_owned_sequences_of_column(qn, Some(&column));
            }
            AlterAction::DropExpression { column, if_exists } => {
                self.require_column(qn, &column, span.clone())?;
                if !self.cat.tables[qn]
                    .column(&column)
                    .is_some_and(|c| c.generated)
                {
                    if if_exists {
                        return Ok(qn.clone());
                    }
                    return Err(Problem::new(format!(
                        "column \"{column}\" of relation \"{}\" is not a stored generated column",
                        qn.name
                    ))
                    .at(span));
                }
                for target in &targets {
                    self.update_column(target, &column, |c| c.generated = false);
                }
            }
            AlterAction::AddPrimaryKey(columns) => {
                for column in &columns {
                    self.require_column(qn, column, span.clone())?;
                }
                for target in &targets {
                    for column in &columns {
                        self.update_column(target, column, |c| c.not_null = true);
                    }
                }
            }
            AlterAction::RowSecurity(enabled, forced) => {
                self.set_row_security(qn, enabled, forced);
            }
            AlterAction::RenameTo(new_name) => {
                let new = QualifiedName::new(&qn.schema, new_name);
                return self.move_relation(qn, new, span);
            }
            AlterAction::SetSchema(schema) => {
                if !self.cat.schemas.contains(&schema) {
                    return Err(
                        Problem::new(format!("schema \"{schema}\" does not exist")).at(span)
                    );
                }
                let new = QualifiedName::new(schema, &qn.name);
                return self.move_relation(qn, new, span);
            }
            AlterAction::Link {
                other,
                altered_is_parent,
            } => {
                if let Some(other) = self.relation_for(&other, span, false)? {
                    let (parent, child) = if altered_is_parent {
                        (qn.clone(), other)
                    } else {
                        (other, qn.clone())
                    };
                    let parents = self.parents.entry(child).or_default();
                    if !parents.contains(&parent) {
                        parents.push(parent);
                    }
                }
            }
            AlterAction::Unlink {
                other,
                altered_is_parent,
            } => {
                if let Some(other) = self.relation_for(&other, span, true)? {
                    let (parent, child) = if altered_is_parent {
                        (qn.clone(), other)
                    } else {
                        (other, qn.clone())
                    };
                    if let Some(parents) = self.parents.get_mut(&child) {
                        parents.retain(|p| *p != parent);
                    }
                }
            }
            AlterAction::Irrelevant => {}
        }
        Ok(qn.clone())
    }

    fn require_column(&self, qn: &QualifiedName, column: &str, span: Range<usize>) -> Applied {
        if self.cat.tables[qn].kind.is_view() || self.cat.tables[qn].column(column).is_some() {
            Ok(())
        } else {
            Err(column_missing(column, qn, span))
        }
    }

    fn update_column(&mut self, table: &QualifiedName, column: &str, f: impl Fn(&mut Column)) {
        if let Some(relation) = self.cat.tables.get_mut(table) {
            relation
                .columns
                .iter_mut()
                .filter(|c| c.name == column)
                .for_each(f);
        }
    }

    /// `qn` and every table that inherits from it (partitions included), recursively.
    pub(super) fn with_descendants(&self, qn: &QualifiedName) -> Vec<QualifiedName> {
        let mut out = vec![qn.clone()];
        let mut i = 0;
        while i < out.len() {
            let current = out[i].clone();
            for (child, parents) in &self.parents {
                if parents.contains(&current) && !out.contains(child) {
                    out.push(child.clone());
                }
            }
            i += 1;
        }
        out
    }

    /// Renames and/or moves a relation with everything that refers to it by name.
    pub(super) fn move_relation(
        &mut self,
        old: &QualifiedName,
        new: QualifiedName,
        span: Range<usize>,
    ) -> Result<QualifiedName, Problem> {
        if *old == new {
            return Ok(new);
        }
        if self.relation_name_taken(&new) || self.type_name_taken(&new) {
            return Err(Problem::new(format!("relation \"{}\" already exists", new.name)).at(span));
        }
        let relation = self.cat.tables.remove(old).expect("relation exists");
        self.cat.tables.insert(new.clone(), relation);
        self.move_indexes(old, &new);
        if old.schema != new.schema {
            // Owned sequences move along with their table.
            let owned: Vec<QualifiedName> = self
                .owned_sequences
                .iter()
                .filter(|(_, (table, _))| table == old)
                .map(|(seq, _)| seq.clone())
                .collect();
            for seq in owned {
                let moved = QualifiedName::new(&new.schema, &seq.name);
                self.cat.sequences.remove(&seq);
                self.cat.sequences.insert(moved.clone());
                let owner = self.owned_sequences.remove(&seq).expect("owned");
                self.owned_sequences.insert(moved, owner);
            }
        }
        for (table, _) in self.owned_sequences.values_mut() {
            if table == old {
                *table = new.clone();
            }
        }
        rename_key(&mut self.parents, old, &new);
        for parents in self.parents.values_mut() {
            for parent in parents.iter_mut() {
                if parent == old {
                    *parent = new.clone();
                }
            }
        }
        rename_key(&mut self.view_deps, old, &new);
        rename_key(&mut self.cat.row_security, old, &new);
        for deps in self.view_deps.values_mut() {
            if deps.remove(old) {
                deps.insert(new.clone());
            }
        }
        self.rebind_relation(old, &new);
        // The row type is renamed with the relation.
        self.retype(old, Some(&new));
        Ok(new)
    }

    /// Drops relation `qn` (its owned sequences, partitions, and with `cascade` the views
    /// reading it and the inheritance children).
    pub(super) fn drop_relation(&mut self, qn: &QualifiedName, cascade: bool) {
        if self.cat.tables.remove(qn).is_none() {
            return;
        }
        self.cat.row_security.remove(qn);
        self.drop_owned_sequences_of_column(qn, None);
        self.forget_indexes(qn);
        self.view_deps.remove(qn);
        let children: Vec<QualifiedName> = self
            .parents
            .iter()
            .filter(|(_, parents)| parents.contains(qn))
            .map(|(child, _)| child.clone())
            .collect();
        self.parents.remove(qn);
        for child in children {
            let is_partition = self.parents.get(&child).is_some_and(|p| p.len() == 1);
            if cascade || is_partition {
                self.drop_relation(&child, cascade);
            } else if let Some(parents) = self.parents.get_mut(&child) {
                parents.retain(|p| p != qn);
            }
        }
        if cascade {
            self.drop_dependent_views(qn);
        }
        // Columns elsewhere of this row type go too (PostgreSQL requires CASCADE for that).
        self.retype(qn, None);
    }

    /// Views (recursively) that read `qn`.
    pub(super) fn drop_dependent_views(&mut self, qn: &QualifiedName) {
        let dependents: Vec<QualifiedName> = self
            .view_deps
            .iter()
            .filter(|(_, deps)| deps.contains(qn))
            .map(|(view, _)| view.clone())
            .collect();
        for view in dependents {
            self.drop_relation(&view, true);
        }
    }

    /// Drops sequences owned by `table` (by one of its columns, or by `column`).
    fn drop_owned_sequences_of_column(&mut self, table: &QualifiedName, column: Option<&str>) {
        let owned: Vec<QualifiedName> = self
            .owned_sequences
            .iter()
            .filter(|(_, (t, c))| t == table && column.is_none_or(|column| c == column))
            .map(|(seq, _)| seq.clone())
            .collect();
        for seq in owned {
            self.owned_sequences.remove(&seq);
            self.cat.sequences.remove(&seq);
        }
    }

    /// Every use of type `old` (columns, composite fields, domain bases, range subtypes,
    /// function signatures) now names `new`; with `None` the type is gone and so are its uses
    /// (what `DROP ... CASCADE` does).
    pub(super) fn retype(&mut self, old: &QualifiedName, new: Option<&QualifiedName>) {
        self.retype_operators(old, new);
        let is_old = |t: &TypeName| t.schema == old.schema && t.name == old.name;
        let rename = |t: &mut TypeName| {
            if let Some(new) = new
                && is_old(t)
            {
                t.schema = new.schema.clone();
                t.name = new.name.clone();
            }
        };
        match new {
            Some(_) => {
                for relation in self.cat.tables.values_mut() {
                    relation.columns.iter_mut().for_each(|c| rename(&mut c.ty));
                }
                for fields in self.cat.composites.values_mut() {
                    fields.iter_mut().for_each(|f| rename(&mut f.ty));
                }
                for domain in self.cat.domains.values_mut() {
                    rename(&mut domain.base);
                }
                for subtype in self.cat.ranges.values_mut() {
                    rename(subtype);
                }
                for function in &mut self.cat.functions {
                    function.args.iter_mut().for_each(&rename);
                    function.ret.iter_mut().for_each(&rename);
                    function
                        .table_columns
                        .iter_mut()
                        .for_each(|(_, t)| rename(t));
                }
            }
            None => {
                for relation in self.cat.tables.values_mut() {
                    relation.columns.retain(|c| !is_old(&c.ty));
                }
                for fields in self.cat.composites.values_mut() {
                    fields.retain(|f| !is_old(&f.ty));
                }
                let domains: Vec<QualifiedName> = self
                    .cat
                    .domains
                    .iter()
                    .filter(|(_, d)| is_old(&d.base))
                    .map(|(name, _)| name.clone())
                    .collect();
                self.cat.functions.retain(|f| {
                    !(f.args.iter().any(is_old)
                        || f.ret.as_ref().is_some_and(is_old)
                        || f.table_columns.iter().any(|(_, t)| is_old(t)))
                });
                for domain in domains {
                    self.cat.domains.remove(&domain);
                    self.retype(&domain, None);
                }
            }
        }
    }
}

/// A parent's column as a child (partition, inheritance child, `ALTER TABLE ADD COLUMN`
/// recursion) gets it: no identity, dimensions not recorded.
fn inherited(column: &Column) -> Column {
    Column {
        ty: column.ty.undimensioned(),
        identity: false,
        not_null: column.not_null,
        ..column.clone()
    }
}

fn merge_inherited(columns: &mut Vec<Column>, column: Column) {
    match columns.iter_mut().find(|c| c.name == column.name) {
        Some(existing) => {
            existing.not_null |= column.not_null;
            existing.has_default |= column.has_default;
            existing.generated |= column.generated;
        }
        None => columns.push(column),
    }
}

fn column_missing(column: &str, qn: &QualifiedName, span: Range<usize>) -> Problem {
    Problem::new(format!(
        "column \"{column}\" of relation \"{}\" does not exist",
        qn.name
    ))
    .at(span)
}

fn rename_key<V>(
    map: &mut std::collections::BTreeMap<QualifiedName, V>,
    old: &QualifiedName,
    new: &QualifiedName,
) {
    if let Some(value) = map.remove(old) {
        map.insert(new.clone(), value);
    }
}

/// PostgreSQL's `makeObjectName(name1, name2, label)`: `name1_name2_label`, the longer of the
/// two names shortened first until it fits in 63 bytes (never splitting a character).
/// An empty `name2` is none (`t_pkey`).
pub(super) fn make_object_name(name1: &str, name2: &str, label: &str) -> String {
    let overhead =
        usize::from(!name2.is_empty()) + if label.is_empty() { 0 } else { label.len() + 1 };
    let available = crate::catalog::tokens::MAX_IDENTIFIER - overhead;
    let (mut n1, mut n2) = (name1.len(), name2.len());
    while n1 + n2 > available {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut name = clip(name1, n1);
    if !name2.is_empty() {
        name.push('_');
        name.push_str(&clip(name2, n2));
    }
    if !label.is_empty() {
        name.push('_');
        name.push_str(label);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_truncated_like_postgres() {
        assert_eq!(make_object_name("users", "id", "seq"), "users_id_seq");
        let long = "a".repeat(60);
        let name = make_object_name(&long, "id", "seq");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_id_seq"));
    }
}
