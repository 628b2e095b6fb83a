//! `sqlc.embed(table)`: which result columns each embed stands for, and the SQL that is sent.
//!
//! The source stage writes `sqlc.embed(t)` as `t.*`; here the top-level select list is walked
//! item by item to find the run of columns each `t.*` produced, so the generated row can
//! decode them into one nested struct, and each `t.*` of a table is spelled out as its columns
//! (`t.id, t.email, ...`): a column added to the table later must not shift the columns the
//! generated code decodes by position. One item that cannot be counted (a `*`, or the `x.*`
//! of a CTE or subquery) takes the columns the others leave. Only a table (or view) of the FROM clause can be
//! embedded, as in sqlc; the number of its columns comes from the caller (the offline schema,
//! or the live database).

use sqlparser::ast::{
    FromTable, ObjectName, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement,
    TableFactor, TableWithJoins, UpdateTableFromKind,
};

use crate::ir::{Column, Embed};

/// An embed and the bytes of its `t.*` in the SQL.
pub(crate) struct Found {
    pub embed: Embed,
    pub sql_bytes: std::ops::Range<usize>,
    /// Whether `t.*` is replaced by its columns' names: only for a table or view, whose
    /// columns are named exactly as the result's (a subquery's may carry `"x!"` overrides).
    pub spell_out: bool,
}

/// `sql` with each embed's `t.*` replaced by its columns' names (`columns` of the query).
pub(crate) fn spelled_out(sql: &str, found: &[Found], columns: &[Column]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for f in found.iter().filter(|f| f.spell_out) {
        let qualifier = crate::catalog::quote_ident(&f.embed.name);
        let list: Vec<String> = columns[f.embed.columns.clone()]
            .iter()
            .map(|c| format!("{qualifier}.{}", crate::catalog::quote_ident(&c.name)))
            .collect();
        out.push_str(&sql[copied..f.sql_bytes.start]);
        out.push_str(&list.join(", "));
        copied = f.sql_bytes.end;
    }
    out.push_str(&sql[copied..]);
    out
}

/// The embeds of `statement` (parsed from `sql`), whose result has `total` columns. `width(schema, table)` is the
/// number of columns of a relation. Errors are messages in the user's terms.
pub(crate) fn embed_ranges(
    sql: &str,
    statement: &Statement,
    embeds: &[String],
    total: usize,
    width: &mut dyn FnMut(Option<&str>, &str) -> Option<usize>,
) -> Result<Vec<Found>, String> {
    if embeds.is_empty() {
        return Ok(Vec::new());
    }
    let (items, from): (&[SelectItem], Vec<TableWithJoins>) = match statement {
        Statement::Query(query) => {
            let SetExpr::Select(select) = &*query.body else {
                return Err(
                    "sqlc.embed is only supported in the select list of a plain SELECT (not a set operation or VALUES)"
                        .into(),
                );
            };
            (&select.projection, select.from.clone())
        }
        Statement::Update(update) if update.returning.is_some() => {
            let mut from = vec![update.table.clone()];
            if let Some(
                UpdateTableFromKind::BeforeSet(more) | UpdateTableFromKind::AfterSet(more),
            ) = &update.from
            {
                from.extend(more.iter().cloned());
            }
            (update.returning.as_deref().unwrap_or_default(), from)
        }
        Statement::Delete(delete) if delete.returning.is_some() => {
            let mut from = match &delete.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t.clone(),
            };
            from.extend(delete.using.iter().flatten().cloned());
            (delete.returning.as_deref().unwrap_or_default(), from)
        }
        _ => {
            return Err(
                "sqlc.embed is only supported in the select list of a SELECT or the RETURNING list of an UPDATE or DELETE"
                    .into(),
            );
        }
    };
    // Each item's width where it can be counted, and the embeds' `t.*` bytes.
    let mut widths: Vec<Option<usize>> = Vec::new();
    let mut marks: Vec<Option<(String, std::ops::Range<usize>)>> = Vec::new();
    for item in items {
        let (width_of, mark) = match item {
            SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. } => (Some(1), None),
            SelectItem::QualifiedWildcard(
                SelectItemQualifiedWildcardKind::ObjectName(name),
                options,
            ) => {
                let qualifier = last_ident(name);
                let n = from_table(&from, &qualifier)
                    .and_then(|(schema, table)| width(schema.as_deref(), &table));
                let mark = if embeds.contains(&qualifier) {
                    let start = name
                        .0
                        .first()
                        .and_then(|p| p.as_ident())
                        .map(|i| i.span.start);
                    let end = options.wildcard_token.0.span.end;
                    let (Some(start), true) = (start, end.line > 0) else {
                        return Err("sqlc.embed: the position of its columns is unknown".into());
                    };
                    let bytes = crate::analyze::sql_offset(sql, start.line, start.column)
                        ..crate::analyze::sql_offset(sql, end.line, end.column);
                    if !sql.get(bytes.clone()).is_some_and(|t| t.ends_with('*')) {
                        return Err("sqlc.embed: the position of its columns is unknown".into());
                    }
                    Some((qualifier, bytes))
                } else {
                    None
                };
                (n, mark)
            }
            _ => (None, None),
        };
        widths.push(width_of);
        marks.push(mark);
    }
    // One item that cannot be counted (`*`, or a subquery's or CTE's `x.*`) takes the rest.
    let unknown: Vec<usize> = (0..widths.len()).filter(|&i| widths[i].is_none()).collect();
    let known: usize = widths.iter().flatten().sum();
    match unknown.as_slice() {
        [] => {}
        [i] if total >= known => widths[*i] = Some(total - known),
        _ => {
            return Err(
                "sqlc.embed next to several items whose columns cannot be counted (`*`, or `x.*` of a subquery, CTE or function): list the other columns explicitly"
                    .into(),
            );
        }
    }
    let mut out = Vec::new();
    let mut next = 0usize;
    for (i, (n, mark)) in widths.iter().zip(marks).enumerate() {
        let n = n.unwrap_or_default();
        if let Some((name, bytes)) = mark {
            out.push(Found {
                embed: Embed {
                    name,
                    columns: next..next + n,
                },
                sql_bytes: bytes,
                // Counted from a relation: its columns can be spelled out by name.
                spell_out: !unknown.contains(&i),
            });
        }
        next += n;
    }
    if next != total || out.len() != embeds.len() {
        return Err(
            "sqlc.embed: the select list's columns could not be attributed to its items".into(),
        );
    }
    Ok(out)
}

/// An identifier as PostgreSQL folds it.
fn folded(ident: &sqlparser::ast::Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

fn last_ident(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(folded)
        .unwrap_or_default()
}

/// The `(schema, table)` a FROM item named `qualifier` (by alias, else by table name) reads.
fn from_table(from: &[TableWithJoins], qualifier: &str) -> Option<(Option<String>, String)> {
    let factors = from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)));
    for factor in factors {
        let TableFactor::Table { name, alias, .. } = factor else {
            if let TableFactor::NestedJoin {
                table_with_joins, ..
            } = factor
                && let Some(found) = from_table(std::slice::from_ref(table_with_joins), qualifier)
            {
                return Some(found);
            }
            continue;
        };
        let parts: Vec<String> = name
            .0
            .iter()
            .filter_map(|p| p.as_ident().map(folded))
            .collect();
        let visible = match alias {
            Some(alias) => folded(&alias.name),
            None => parts.last().cloned().unwrap_or_default(),
        };
        if visible != qualifier {
            continue;
        }
        return match parts.as_slice() {
            [t] => Some((None, t.clone())),
            [s, t] => Some((Some(s.clone()), t.clone())),
            _ => None,
        };
    }
    None
}
