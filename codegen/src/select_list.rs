//! The top-level select list (or RETURNING list) after analysis: the SQL that is sent with
//! `*` and `t.*` spelled out, and the columns each `sqlc.embed(t)` stands for.
//!
//! * A `t.*` of a table or view, and a `*` over FROM items that are all tables or views joined
//!   with ON (or CROSS), become explicit column lists (`t.id, t.email`, ...). Generated code
//!   decodes columns by position, so a column added to a table later must not shift them; with
//!   the list spelled out it cannot. A wildcard is spelled out only when the columns it
//!   produced (from the analysis, or PostgreSQL's describe) are exactly the relation's
//!   columns, so the spelled-out SQL returns the same columns; anything else (a CTE's or
//!   subquery's `x.*`, USING and NATURAL joins, whose merged columns `*` lists once) is left
//!   as written.
//! * The source stage writes `sqlc.embed(t)` as `t.*`; the run of columns it produced is
//!   found by walking the list item by item, so the generated row can decode them into one
//!   nested struct. One item that cannot be counted (a `*`, or the `x.*` of a CTE or subquery)
//!   takes the columns the others leave.

use std::ops::Range;

use sqlparser::ast::{
    FromTable, JoinConstraint, JoinOperator, ObjectName, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Spanned, Statement, TableFactor, TableObject,
    TableWithJoins, UpdateTableFromKind, WildcardAdditionalOptions,
};

use crate::analyze::fold;
use crate::catalog::quote_ident;
use crate::ir::{Column, Embed};

/// A relation's columns in order, by `(schema, table)`; `None` if there is no such relation.
pub(crate) type RelationColumns<'a> = dyn FnMut(Option<&str>, &str) -> Option<Vec<String>> + 'a;

/// A wildcard's bytes in the SQL, and the `(qualifier, column)` list that would replace it.
type Expansion = (Range<usize>, Vec<(String, String)>);

/// What the select list resolved to.
#[derive(Debug, Default)]
pub(crate) struct SelectList {
    pub embeds: Vec<Embed>,
    /// Bytes of a wildcard in the SQL, and the column list that replaces it, in order.
    expansions: Vec<(Range<usize>, String)>,
}

impl SelectList {
    /// `sql` with the wildcards spelled out.
    pub(crate) fn sql(&self, sql: &str) -> String {
        let mut out = String::with_capacity(sql.len());
        let mut copied = 0;
        for (bytes, list) in &self.expansions {
            out.push_str(&sql[copied..bytes.start]);
            out.push_str(list);
            copied = bytes.end;
        }
        out.push_str(&sql[copied..]);
        out
    }
}

/// A FROM item as a wildcard sees it.
struct FromItem {
    /// The name the query refers to it by (alias, else the table's own name).
    visible: String,
    /// `(schema, table)` for a table or view; `None` for anything else.
    relation: Option<(Option<String>, String)>,
}

/// One select-list item.
#[derive(Default)]
struct Item {
    width: Option<usize>,
    expansion: Option<Expansion>,
    /// The `sqlc.embed` it stands for.
    embed: Option<String>,
}

/// Resolves the select list of `statement` (parsed from `sql`), whose result is `columns`.
/// `relation_columns(schema, table)` names a relation's columns in order. Errors (messages in
/// the user's terms) concern `sqlc.embed` only: a wildcard that cannot be spelled out is left.
pub(crate) fn resolve(
    sql: &str,
    statement: &Statement,
    embeds: &[String],
    columns: &[Column],
    relation_columns: &mut RelationColumns,
) -> Result<SelectList, String> {
    let Some((items, from, star_ok)) = list_and_from(statement, &[]) else {
        if embeds.is_empty() {
            return Ok(SelectList::default());
        }
        return Err(
            "sqlc.embed is only supported in the select list of a plain SELECT or the RETURNING list of an INSERT, UPDATE or DELETE"
                .into(),
        );
    };
    let mut resolved: Vec<Item> = Vec::new();
    for item in items {
        resolved.push(match item {
            SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. } => Item {
                width: Some(1),
                ..Item::default()
            },
            SelectItem::QualifiedWildcard(
                SelectItemQualifiedWildcardKind::ObjectName(name),
                options,
            ) => qualified_wildcard(sql, name, options, &from, embeds, relation_columns)?,
            SelectItem::Wildcard(options) if star_ok && plain(options) => {
                star(sql, options, &from, relation_columns)
            }
            _ => Item::default(),
        });
    }
    // Ranges: one item that cannot be counted takes the rest.
    let unknown: Vec<usize> = (0..resolved.len())
        .filter(|&i| resolved[i].width.is_none())
        .collect();
    let known: usize = resolved.iter().filter_map(|i| i.width).sum();
    match unknown.as_slice() {
        [] if known == columns.len() => {}
        [i] if columns.len() >= known => resolved[*i].width = Some(columns.len() - known),
        _ if embeds.is_empty() => return Ok(SelectList::default()),
        _ => {
            return Err(
                "sqlc.embed next to several items whose columns cannot be counted (`*`, or `x.*` of a subquery, CTE or function): list the other columns explicitly"
                    .into(),
            );
        }
    }
    let mut out = SelectList::default();
    let mut next = 0usize;
    for item in resolved {
        let range = next..next + item.width.unwrap_or_default();
        next = range.end;
        if let Some(name) = item.embed {
            out.embeds.push(Embed {
                name,
                columns: range.clone(),
            });
        }
        // Spelled out only when the columns produced are the relation's, name for name.
        if let Some((bytes, list)) = item.expansion
            && columns.get(range.clone()).is_some_and(|produced| {
                produced.len() == list.len()
                    && produced.iter().zip(&list).all(|(c, (_, n))| &c.name == n)
            })
        {
            let text: Vec<String> = list
                .iter()
                .map(|(q, c)| format!("{}.{}", quote_ident(q), quote_ident(c)))
                .collect();
            out.expansions.push((bytes, text.join(", ")));
        }
    }
    if out.embeds.len() != embeds.len() {
        return Err("sqlc.embed must name a table, view or alias of the FROM clause".into());
    }
    Ok(out)
}

/// The select (or RETURNING) list, the FROM items, and whether a `*` may be spelled out.
fn list_and_from<'a>(
    statement: &'a Statement,
    ctes: &[String],
) -> Option<(&'a [SelectItem], Vec<FromItem>, bool)> {
    match statement {
        Statement::Query(query) => {
            let mut ctes = ctes.to_vec();
            if let Some(with) = &query.with {
                ctes.extend(with.cte_tables.iter().map(|c| fold(&c.alias.name)));
            }
            match &*query.body {
                SetExpr::Select(select) => {
                    let mut items = Vec::new();
                    let ok = from_items(&select.from, &ctes, &mut items);
                    Some((&select.projection, items, ok))
                }
                SetExpr::Insert(inner) | SetExpr::Update(inner) | SetExpr::Delete(inner) => {
                    list_and_from(inner, &ctes)
                }
                _ => None,
            }
        }
        Statement::Insert(insert) => {
            let returning = insert.returning.as_deref()?;
            let TableObject::TableName(name) = &insert.table else {
                return None;
            };
            let relation = relation_of(name, ctes);
            let visible = match &insert.table_alias {
                Some(alias) => fold(&alias.alias),
                None => relation.as_ref()?.1.clone(),
            };
            Some((returning, vec![FromItem { visible, relation }], true))
        }
        Statement::Update(update) => {
            let returning = update.returning.as_deref()?;
            let mut items = Vec::new();
            let mut ok = from_items(std::slice::from_ref(&update.table), ctes, &mut items);
            if let Some(
                UpdateTableFromKind::BeforeSet(more) | UpdateTableFromKind::AfterSet(more),
            ) = &update.from
            {
                from_items(more, ctes, &mut items);
                // Whether `*` lists the FROM tables' columns too is not worth the doubt.
                ok = false;
            }
            Some((returning, items, ok))
        }
        Statement::Delete(delete) => {
            let returning = delete.returning.as_deref()?;
            let mut items = Vec::new();
            let tables = match &delete.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            let mut ok = from_items(tables, ctes, &mut items);
            if let Some(using) = &delete.using {
                from_items(using, ctes, &mut items);
                ok = false;
            }
            Some((returning, items, ok))
        }
        _ => None,
    }
}

/// Appends the FROM items of `from`; whether every item is a table or view joined with ON or
/// CROSS (so that `*` lists each item's columns in order).
fn from_items(from: &[TableWithJoins], ctes: &[String], out: &mut Vec<FromItem>) -> bool {
    let mut plain = true;
    for t in from {
        plain &= factor(&t.relation, ctes, out);
        for join in &t.joins {
            plain &= factor(&join.relation, ctes, out);
            plain &= matches!(
                constraint(&join.join_operator),
                Some(JoinConstraint::On(_) | JoinConstraint::None)
            );
        }
    }
    plain
}

fn constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c) => Some(c),
        _ => None,
    }
}

fn factor(factor: &TableFactor, ctes: &[String], out: &mut Vec<FromItem>) -> bool {
    match factor {
        TableFactor::Table {
            name, alias, args, ..
        } => {
            let relation = if args.is_none() {
                relation_of(name, ctes)
            } else {
                None
            };
            let visible = match alias {
                Some(alias) => fold(&alias.name),
                None => name
                    .0
                    .last()
                    .and_then(|p| p.as_ident())
                    .map(fold)
                    .unwrap_or_default(),
            };
            let plain = relation.is_some() && alias.as_ref().is_none_or(|a| a.columns.is_empty());
            out.push(FromItem { visible, relation });
            plain
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias: None,
        } => from_items(std::slice::from_ref(table_with_joins), ctes, out),
        other => {
            let visible = match other {
                TableFactor::Derived { alias, .. }
                | TableFactor::Function { alias, .. }
                | TableFactor::UNNEST { alias, .. }
                | TableFactor::NestedJoin { alias, .. } => {
                    alias.as_ref().map(|a| fold(&a.name)).unwrap_or_default()
                }
                _ => String::new(),
            };
            out.push(FromItem {
                visible,
                relation: None,
            });
            false
        }
    }
}

/// `(schema, table)` of a relation name, unless it names a CTE.
fn relation_of(name: &ObjectName, ctes: &[String]) -> Option<(Option<String>, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(fold))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [t] if ctes.contains(t) => None,
        [t] => Some((None, t.clone())),
        [s, t] => Some((Some(s.clone()), t.clone())),
        _ => None,
    }
}

fn plain(options: &WildcardAdditionalOptions) -> bool {
    options.opt_ilike.is_none()
        && options.opt_exclude.is_none()
        && options.opt_except.is_none()
        && options.opt_replace.is_none()
        && options.opt_rename.is_none()
        && options.opt_alias.is_none()
}

/// Bytes of `sql` between two token positions (1-based line and column; `end` exclusive).
fn bytes_between(
    sql: &str,
    start: sqlparser::tokenizer::Location,
    end: sqlparser::tokenizer::Location,
) -> Option<Range<usize>> {
    if start.line == 0 || end.line == 0 {
        return None;
    }
    let bytes = crate::analyze::sql_offset(sql, start.line, start.column)
        ..crate::analyze::sql_offset(sql, end.line, end.column);
    sql.get(bytes.clone())
        .is_some_and(|t| t.ends_with('*'))
        .then_some(bytes)
}

fn qualified_wildcard(
    sql: &str,
    name: &ObjectName,
    options: &WildcardAdditionalOptions,
    from: &[FromItem],
    embeds: &[String],
    relation_columns: &mut RelationColumns,
) -> Result<Item, String> {
    let [part] = name.0.as_slice() else {
        return Ok(Item::default());
    };
    let Some(qualifier) = part.as_ident().map(fold) else {
        return Ok(Item::default());
    };
    let embed = embeds.contains(&qualifier).then(|| qualifier.clone());
    let Some(item) = from.iter().find(|f| f.visible == qualifier) else {
        if embed.is_some() {
            return Err(format!(
                "sqlc.embed({qualifier}) must name a table, view or alias of the FROM clause"
            ));
        }
        return Ok(Item::default());
    };
    let names = item
        .relation
        .as_ref()
        .and_then(|(schema, table)| relation_columns(schema.as_deref(), table));
    let bytes = bytes_between(sql, name.span().start, options.wildcard_token.0.span.end);
    if embed.is_some() && bytes.is_none() {
        return Err("sqlc.embed: the position of its columns is unknown".into());
    }
    Ok(Item {
        width: names.as_ref().map(Vec::len),
        expansion: names
            .zip(bytes)
            .filter(|_| plain(options))
            .map(|(names, bytes)| {
                let list = names.into_iter().map(|n| (qualifier.clone(), n)).collect();
                (bytes, list)
            }),
        embed,
    })
}

fn star(
    sql: &str,
    options: &WildcardAdditionalOptions,
    from: &[FromItem],
    relation_columns: &mut RelationColumns,
) -> Item {
    let token = options.wildcard_token.0.span;
    let mut list = Vec::new();
    for item in from {
        let Some((schema, table)) = &item.relation else {
            return Item::default();
        };
        let Some(names) = relation_columns(schema.as_deref(), table) else {
            return Item::default();
        };
        list.extend(names.into_iter().map(|n| (item.visible.clone(), n)));
    }
    if from.is_empty() {
        return Item::default();
    }
    Item {
        width: Some(list.len()),
        expansion: bytes_between(sql, token.start, token.end).map(|bytes| (bytes, list)),
        embed: None,
    }
}
