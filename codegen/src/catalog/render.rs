//! A compact, deterministic text rendering of a catalog (`Display`), one object per line with
//! columns indented: what `squill` prints for a schema and what snapshot tests record.

use std::fmt;

use super::{Catalog, Column, RelKind, quote_ident};

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |t: &super::TypeName| t.display_in(&self.search_path);
        writeln!(f, "search_path {}", self.search_path.join(", "))?;
        for schema in &self.schemas {
            writeln!(f, "schema {schema}")?;
        }
        for extension in &self.extensions {
            writeln!(f, "extension {extension}")?;
        }
        for (name, labels) in &self.enums {
            let labels: Vec<String> = labels.iter().map(|l| format!("'{l}'")).collect();
            writeln!(f, "enum {name} ({})", labels.join(", "))?;
        }
        for (name, fields) in &self.composites {
            let fields: Vec<String> = fields
                .iter()
                .map(|field| format!("{} {}", quote_ident(&field.name), show(&field.ty)))
                .collect();
            writeln!(f, "composite {name} ({})", fields.join(", "))?;
        }
        for (name, domain) in &self.domains {
            let not_null = if domain.not_null { " not null" } else { "" };
            writeln!(f, "domain {name} {}{not_null}", show(&domain.base))?;
        }
        for (name, subtype) in &self.ranges {
            writeln!(f, "range {name} ({})", show(subtype))?;
        }
        for name in &self.base_types {
            writeln!(f, "base type {name}")?;
        }
        for (name, relation) in &self.tables {
            let kind = match relation.kind {
                RelKind::Table => "table",
                RelKind::PartitionedTable => "partitioned table",
                RelKind::View => "view",
                RelKind::MaterializedView => "materialized view",
                RelKind::ForeignTable => "foreign table",
            };
            writeln!(f, "{kind} {name}")?;
            for column in &relation.columns {
                writeln!(f, "  {}", column_line(column, &show(&column.ty)))?;
            }
            for index in &relation.unique_indexes {
                let columns: Vec<String> = index
                    .columns
                    .iter()
                    .map(|c| c.as_deref().map_or("(expression)".to_string(), quote_ident))
                    .collect();
                let kind = match index.kind {
                    super::UniqueKind::PrimaryKey => "primary key",
                    super::UniqueKind::Constraint => "unique constraint",
                    super::UniqueKind::Index => "unique index",
                };
                let predicate = index
                    .predicate
                    .as_ref()
                    .map_or(String::new(), |p| format!(" where {p}"));
                writeln!(
                    f,
                    "  {kind} {} ({}){predicate}",
                    quote_ident(&index.name),
                    columns.join(", ")
                )?;
            }
            if relation.columns_pending()
                && let Some(sql) = &relation.view_sql
            {
                let sql: Vec<&str> = sql.split_whitespace().collect();
                writeln!(f, "  as {}", sql.join(" "))?;
            }
        }
        for function in &self.functions {
            let args: Vec<String> = function
                .args
                .iter()
                .zip(&function.arg_names)
                .map(|(ty, name)| match name {
                    Some(name) => format!("{} {}", quote_ident(name), show(ty)),
                    None => show(ty),
                })
                .collect();
            let kind = if function.is_procedure() {
                "procedure"
            } else {
                "function"
            };
            write!(f, "{kind} {}({})", function.name, args.join(", "))?;
            if let Some(ret) = &function.ret {
                let setof = if function.returns_set { "setof " } else { "" };
                write!(f, " returns {setof}{}", show(ret))?;
            }
            if !function.table_columns.is_empty() {
                let columns: Vec<String> = function
                    .table_columns
                    .iter()
                    .map(|(name, ty)| format!("{} {}", quote_ident(name), show(ty)))
                    .collect();
                write!(f, " out ({})", columns.join(", "))?;
            }
            if function.strict {
                write!(f, " strict")?;
            }
            writeln!(f, " language {}", function.language)?;
        }
        for sequence in &self.sequences {
            writeln!(f, "sequence {sequence}")?;
        }
        Ok(())
    }
}

fn column_line(column: &Column, ty: &str) -> String {
    let mut line = format!("{} {ty}", quote_ident(&column.name));
    if column.not_null {
        line.push_str(" not null");
    }
    if column.has_default {
        line.push_str(" default");
    }
    if column.identity {
        line.push_str(" identity");
    }
    if column.generated {
        line.push_str(" generated");
    }
    line
}
