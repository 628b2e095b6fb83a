//! `CREATE TABLE` and `ALTER TABLE` from sqlparser's tree into [`TableDef`] / [`AlterTable`].
//! Where the tree cannot say what PostgreSQL would do (an `ALTER TABLE` action sqlparser
//! models for another dialect), the statement goes to the token-level reader instead.

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, CreateTableLikeDefaults,
    CreateTableLikeKind, DropBehavior, Expr, GeneratedAs, RenameTableNameKind, TableConstraint,
    Value,
};

use super::names::{ident, object_name};
use super::tables::{
    AlterAction, AlterTable, AsQuery, ColumnSpec, DefaultExpr, Element, LikeSpec, TableDef,
};
use super::{Problem, Stmt};
use crate::catalog::type_names::spec_from_data_type;

pub(super) fn create_table(stmt: &Stmt, create: &ast::CreateTable) -> Result<TableDef, Problem> {
    let name = object_name(&create.name);
    let name_span = name_span_of(stmt, &create.name);
    let mut def = TableDef::new(name, name_span.clone());
    def.temporary = create.temporary;
    def.if_not_exists = create.if_not_exists;
    if create.clone.is_some() || create.external {
        return Err(Problem::use_tokens("not a PostgreSQL CREATE TABLE"));
    }
    if let Some(query) = &create.query {
        let span = super::views::query_span_after_as(stmt)
            .ok_or_else(|| Problem::use_tokens("no AS before the query"))?;
        def.as_query = Some(AsQuery {
            columns: create.columns.iter().map(|c| ident(&c.name)).collect(),
            span,
            ast: Some(query.clone()),
        });
        return Ok(def);
    }
    for column in &create.columns {
        def.elements
            .push(Element::Column(column_spec(stmt, column)?));
    }
    for constraint in &create.constraints {
        def.elements.push(table_constraint(stmt, constraint)?);
    }
    if let Some(like) = &create.like {
        let (CreateTableLikeKind::Parenthesized(like) | CreateTableLikeKind::Plain(like)) = like;
        def.elements.push(Element::Like(LikeSpec {
            source: object_name(&like.name),
            span: name_span_of(stmt, &like.name),
            defaults: like.defaults == Some(CreateTableLikeDefaults::Including),
            identity: false,
            generated: false,
        }));
    }
    if let Some(inherits) = &create.inherits {
        def.inherits = inherits
            .iter()
            .map(|parent| (object_name(parent), name_span_of(stmt, parent)))
            .collect();
    }
    if let Some(parent) = &create.partition_of {
        def.partition_of = Some((object_name(parent), name_span_of(stmt, parent)));
    }
    def.partitioned = create.partition_by.is_some();
    Ok(def)
}

/// A column definition (of CREATE TABLE or ALTER TABLE ... ADD COLUMN).
pub(super) fn column_spec(stmt: &Stmt, column: &ast::ColumnDef) -> Result<ColumnSpec, Problem> {
    let span = stmt.span_of(column.name.span);
    let ty = spec_from_data_type(&column.data_type, stmt.token_after(&span))?;
    let mut spec = ColumnSpec::new(ident(&column.name), span, Some(ty));
    for option in &column.options {
        match &option.option {
            ColumnOption::NotNull => spec.not_null = true,
            ColumnOption::Null => {}
            ColumnOption::Default(expr) => spec.default = Some(default_expr(expr)),
            ColumnOption::PrimaryKey(_) => spec.primary_key = true,
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                generation_expr_mode,
                ..
            } => match (generated_as, generation_expr) {
                (GeneratedAs::Always | GeneratedAs::ByDefault, None) => {
                    spec.identity = Some(None);
                }
                (GeneratedAs::ExpStored, None) => {
                    return Err(Problem::use_tokens("generated column without expression"));
                }
                (_, Some(_)) => {
                    if *generation_expr_mode == Some(ast::GeneratedExpressionMode::Virtual) {
                        return Err(Problem::use_tokens("virtual generated column"));
                    }
                    spec.generated = true;
                }
            },
            ColumnOption::Unique(_)
            | ColumnOption::ForeignKey(_)
            | ColumnOption::Check(_)
            | ColumnOption::Collation(_)
            | ColumnOption::Comment(_)
            | ColumnOption::Options(_) => {}
            _ => return Err(Problem::use_tokens("column option of another dialect")),
        }
    }
    Ok(spec)
}

fn table_constraint(stmt: &Stmt, constraint: &TableConstraint) -> Result<Element, Problem> {
    Ok(match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let columns = pk
                .columns
                .iter()
                .map(|c| match &c.column.expr {
                    Expr::Identifier(i) => Ok(ident(i)),
                    _ => Err(Problem::use_tokens("primary key on an expression")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Element::PrimaryKey(columns, stmt.head())
        }
        TableConstraint::PrimaryKeyUsingIndex(_) => {
            return Err(Problem::new(
                "squill cannot tell the columns of PRIMARY KEY USING INDEX offline",
            )
            .at(stmt.head()));
        }
        _ => Element::Constraint,
    })
}

/// `NULL` (possibly cast or parenthesised) or anything else.
pub(super) fn default_expr(expr: &Expr) -> DefaultExpr {
    match expr {
        Expr::Value(v) if v.value == Value::Null => DefaultExpr::Null,
        Expr::Cast { expr, .. } | Expr::Nested(expr) => default_expr(expr),
        _ => DefaultExpr::Value,
    }
}

pub(super) fn alter_table(stmt: &Stmt, alter: &ast::AlterTable) -> Result<AlterTable, Problem> {
    if alter.table_type.is_some() || alter.on_cluster.is_some() || alter.location.is_some() {
        return Err(Problem::use_tokens("not a PostgreSQL ALTER TABLE"));
    }
    let mut actions = Vec::new();
    for op in &alter.operations {
        actions.extend(alter_operation(stmt, op)?);
    }
    Ok(AlterTable {
        name: object_name(&alter.name),
        name_span: name_span_of(stmt, &alter.name),
        if_exists: alter.if_exists,
        only: alter.only,
        actions,
    })
}

fn alter_operation(
    stmt: &Stmt,
    op: &AlterTableOperation,
) -> Result<Vec<(AlterAction, std::ops::Range<usize>)>, Problem> {
    let head = stmt.head();
    let one = |action: AlterAction, span| Ok(vec![(action, span)]);
    match op {
        AlterTableOperation::AddColumn {
            if_not_exists,
            column_def,
            column_position: None,
            ..
        } => {
            let column = column_spec(stmt, column_def)?;
            let span = column.span.clone();
            one(
                AlterAction::AddColumn {
                    if_not_exists: *if_not_exists,
                    column,
                },
                span,
            )
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            match table_constraint(stmt, constraint)? {
                Element::PrimaryKey(columns, span) => {
                    one(AlterAction::AddPrimaryKey(columns), span)
                }
                _ => one(AlterAction::Irrelevant, head),
            }
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } => Ok(column_names
            .iter()
            .map(|name| {
                (
                    AlterAction::DropColumn {
                        name: ident(name),
                        if_exists: *if_exists,
                        cascade: *drop_behavior == Some(DropBehavior::Cascade),
                    },
                    stmt.span_of(name.span),
                )
            })
            .collect()),
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => one(
            AlterAction::RenameColumn {
                from: ident(old_column_name),
                to: ident(new_column_name),
            },
            stmt.span_of(old_column_name.span),
        ),
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::To(name) | RenameTableNameKind::As(name)) = table_name;
            let parts = object_name(name);
            let new_name = parts.last().cloned().unwrap_or_default();
            one(AlterAction::RenameTo(new_name), name_span_of(stmt, name))
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            let span = stmt.span_of(column_name.span);
            let action = match op {
                AlterColumnOperation::SetNotNull => AlterAction::SetNotNull(column),
                AlterColumnOperation::DropNotNull => AlterAction::DropNotNull(column),
                AlterColumnOperation::SetDefault { value } => {
                    AlterAction::SetDefault(column, default_expr(value))
                }
                AlterColumnOperation::DropDefault => AlterAction::DropDefault(column),
                AlterColumnOperation::SetDataType { data_type, .. } => AlterAction::ColumnType {
                    column,
                    ty: spec_from_data_type(data_type, span.clone())?,
                },
                AlterColumnOperation::AddGenerated { .. } => AlterAction::AddIdentity {
                    column,
                    sequence: None,
                },
            };
            one(action, span)
        }
        AlterTableOperation::EnableRowLevelSecurity => {
            one(AlterAction::RowSecurity(Some(true), None), head)
        }
        AlterTableOperation::DisableRowLevelSecurity => {
            one(AlterAction::RowSecurity(Some(false), None), head)
        }
        AlterTableOperation::ForceRowLevelSecurity => {
            one(AlterAction::RowSecurity(None, Some(true)), head)
        }
        AlterTableOperation::NoForceRowLevelSecurity => {
            one(AlterAction::RowSecurity(None, Some(false)), head)
        }
        AlterTableOperation::DropConstraint { .. }
        | AlterTableOperation::OwnerTo { .. }
        | AlterTableOperation::EnableTrigger { .. }
        | AlterTableOperation::DisableTrigger { .. }
        | AlterTableOperation::EnableAlwaysTrigger { .. }
        | AlterTableOperation::EnableReplicaTrigger { .. }
        | AlterTableOperation::EnableRule { .. }
        | AlterTableOperation::DisableRule { .. }
        | AlterTableOperation::EnableAlwaysRule { .. }
        | AlterTableOperation::EnableReplicaRule { .. }
        | AlterTableOperation::ReplicaIdentity { .. }
        | AlterTableOperation::ValidateConstraint { .. }
        | AlterTableOperation::RenameConstraint { .. }
        | AlterTableOperation::SetOptionsParens { .. }
        | AlterTableOperation::SetLogged
        | AlterTableOperation::SetUnlogged => one(AlterAction::Irrelevant, head),
        _ => Err(Problem::use_tokens("ALTER TABLE action of another dialect")),
    }
}

/// The span of a (possibly qualified) name in the statement.
pub(super) fn name_span_of(stmt: &Stmt, name: &ast::ObjectName) -> std::ops::Range<usize> {
    let spans: Vec<_> = name
        .0
        .iter()
        .filter_map(|p| p.as_ident())
        .map(|i| stmt.span_of(i.span))
        .collect();
    match (spans.first(), spans.last()) {
        (Some(first), Some(last)) if first.start < last.end => first.start..last.end,
        _ => stmt.head(),
    }
}
