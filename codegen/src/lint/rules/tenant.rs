//! `tenant-table-without-row-level-security`: with `[tenant]`, when some tenant tables enable
//! row-level security, a tenant table that does not is the one a forgotten scope leaks from.
//! Judged on the final schema (the offline catalog), reported at the table's CREATE TABLE.

use sqlparser::ast::{Spanned, Statement as Ast};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::{Hit, TENANT_TABLE_WITHOUT_ROW_LEVEL_SECURITY};
use crate::catalog::{Catalog, QualifiedName};
use crate::config::Tenant;
use crate::diagnostic::SourceFile;

/// The hits, each with the index of the migration that created the table.
pub(crate) fn row_security_gaps(
    migrations: &[SourceFile],
    catalog: &Catalog,
    tenant: &Tenant,
) -> Vec<(usize, Hit)> {
    let rule = crate::tenant::Rule::new(tenant, catalog);
    let enabled = |name: &QualifiedName| catalog.row_security.get(name).is_some_and(|s| s.enabled);
    let tables = rule.tenant_tables();
    let with: Vec<&QualifiedName> = tables.keys().filter(|t| enabled(t)).collect();
    if with.is_empty() {
        return Vec::new();
    }
    let example = with[0];
    tables
        .iter()
        .filter(|(t, _)| !enabled(t))
        .filter_map(|(table, column)| {
            let (n, span) = created_at(migrations, table)?;
            Some((
                n,
                Hit {
                    rule: TENANT_TABLE_WITHOUT_ROW_LEVEL_SECURITY,
                    span,
                    message: format!(
                        "tenant table \"{}\" has no row-level security, while {} of the {} tenant tables do (\"{}\" among them)",
                        table.name,
                        with.len(),
                        tables.len(),
                        example.name
                    ),
                    label: "no row-level security".into(),
                    notes: Vec::new(),
                    help: format!(
                        "ALTER TABLE {} ENABLE ROW LEVEL SECURITY; and a policy such as CREATE POLICY {}_tenant ON {} USING ({column} = current_setting('{}')::<type>)",
                        table.name, table.name, table.name, tenant.setting
                    ),
                },
            ))
        })
        .collect()
}

/// The last migration that creates `table`, and the bytes of its name there.
fn created_at(
    migrations: &[SourceFile],
    table: &QualifiedName,
) -> Option<(usize, std::ops::Range<usize>)> {
    let mut found = None;
    for (n, file) in migrations.iter().enumerate() {
        for range in crate::source::split::split_statements(&file.text) {
            let sql = &file.text[range.clone()];
            let Ok(statements) = Parser::parse_sql(&PostgreSqlDialect {}, sql) else {
                continue;
            };
            for statement in statements {
                let Ast::CreateTable(create) = statement else {
                    continue;
                };
                let parts: Vec<String> = create
                    .name
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident())
                    .map(|i| match i.quote_style {
                        Some(_) => i.value.clone(),
                        None => i.value.to_lowercase(),
                    })
                    .collect();
                let matches = match parts.as_slice() {
                    [name] => *name == table.name,
                    [.., schema, name] => *name == table.name && *schema == table.schema,
                    [] => false,
                };
                if matches {
                    let span = create.name.span();
                    let start = range.start
                        + crate::analyze::sql_offset(sql, span.start.line, span.start.column);
                    let end = range.start
                        + crate::analyze::sql_offset(sql, span.end.line, span.end.column);
                    found = Some((n, start..end.max(start + 1)));
                }
            }
        }
    }
    found
}
