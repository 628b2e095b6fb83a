//! Type overrides resolved against the schema, so that none applies to something other than
//! what the user named, and none names something that does not exist.
//!
//! * `[types]` keys are PostgreSQL type names as SQL spells them (`int4`, `varchar`,
//!   `public.email`, `text[]`, `"My Type"`): each is resolved as PostgreSQL resolves a type
//!   name (schema or search path) and stored under the name `format_type` prints, which is
//!   how generated code looks types up. A domain's key applies to every table column of that
//!   domain (the analyzer, as PostgreSQL's RowDescription, types them as the base type), and
//!   to the elements of every column that is an array of it.
//! * `[columns]` keys are `table.column` or `schema.table.column`; the relation is found
//!   through the search path when unqualified, and the column must exist.
//!
//! A key that names no type, table or column is an error at the key, with a suggestion.

use crate::analyze::Schema;
use crate::catalog::{Catalog, QualifiedName};
use crate::config::{Config, Site};
use crate::diagnostic::Diagnostic;

/// `config` with its `[types]` and `[columns]` keys resolved (see the module docs).
pub fn resolve(
    config: &Config,
    catalog: &Catalog,
    schema: &Schema,
) -> Result<Config, Vec<Diagnostic>> {
    let mut out = config.clone();
    out.types.clear();
    out.columns.clear();
    out.type_sites.clear();
    out.column_sites.clear();
    let mut errors = Vec::new();
    let search_path = &schema.search_path;
    // Columns first: an explicit column override wins over a domain's.
    for (key, path) in &config.columns {
        let site = config.column_sites.get(key);
        match column_key(key, catalog, schema) {
            Ok(resolved) => {
                if let Some(other) = out.columns.get(&resolved).filter(|p| *p != path) {
                    errors.push(twice(&resolved, other, site));
                    continue;
                }
                if let Some(site) = site {
                    out.column_sites.insert(resolved.clone(), site.clone());
                }
                out.columns.insert(resolved, path.clone());
            }
            Err((message, help)) => errors.push(located(message, help, site)),
        }
    }
    for (key, path) in &config.types {
        let site = config.type_sites.get(key);
        let (name, dims) = split_array(key);
        if let Some(domain) = find_domain(name, catalog, search_path) {
            for (table, column) in columns_of_domain(catalog, &domain) {
                let array = column.ty.array_dims > 0;
                let column_key = format!("{}.{}", table.name, column.name);
                if out.columns.contains_key(&column_key) {
                    continue;
                }
                if dims == 0 && array {
                    out.column_elements
                        .entry(column_key.clone())
                        .or_insert_with(|| path.clone());
                } else if dims > 0 && !array {
                    continue;
                } else {
                    out.columns.insert(column_key.clone(), path.clone());
                }
                if config.generated_types.contains(key) {
                    out.generated_columns.insert(column_key.clone());
                }
                if let Some(site) = site {
                    out.column_sites.insert(column_key, site.clone());
                }
            }
            continue;
        }
        match schema.types.resolve_name(key, search_path) {
            Some(oid) => {
                let display = schema.types.pg_type(oid).display_name();
                if let Some(other) = out.types.get(&display).filter(|p| *p != path) {
                    errors.push(twice(&display, other, site));
                    continue;
                }
                if let Some(site) = site {
                    out.type_sites.insert(display.clone(), site.clone());
                }
                if config.generated_types.contains(key) {
                    out.generated_types.insert(display.clone());
                }
                out.types.insert(display, path.clone());
            }
            None => errors.push(located(
                format!("type \"{key}\" does not exist"),
                Some(
                    "write the type as SQL spells it (`text`, `int4`, `public.email`, `text[]`)"
                        .into(),
                ),
                site,
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn located(message: String, help: Option<String>, site: Option<&Site>) -> Diagnostic {
    let mut d = Diagnostic::error(format!("invalid type override: {message}"));
    if let Some(site) = site {
        d = d.at(&site.file, site.key.clone()).label("in this override");
    }
    match help {
        Some(help) => d.help(help),
        None => d,
    }
}

/// Two keys naming the same type or column with different Rust types.
fn twice(name: &str, other: &str, site: Option<&Site>) -> Diagnostic {
    located(
        format!("{name} is already mapped to `{other}` by another key"),
        Some("keep one override per type or column".into()),
        site,
    )
}

/// `text[][]` → (`text`, 2).
fn split_array(key: &str) -> (&str, usize) {
    let mut name = key.trim();
    let mut dims = 0;
    while let Some(inner) = name.strip_suffix("[]") {
        name = inner.trim_end();
        dims += 1;
    }
    (name, dims)
}

/// One SQL identifier: folded to lower case unless quoted.
fn ident(part: &str) -> String {
    match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => part.to_lowercase(),
    }
}

/// The dot-separated parts of a name, quotes respected.
fn parts(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in name.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => {
                out.push(ident(name[start..i].trim()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(ident(name[start..].trim()));
    out
}

/// The domain `name` (as SQL spells it) names, if it is one.
pub fn find_domain(name: &str, catalog: &Catalog, search_path: &[String]) -> Option<QualifiedName> {
    match parts(name).as_slice() {
        [schema, name] => {
            Some(QualifiedName::new(schema, name)).filter(|q| catalog.domains.contains_key(q))
        }
        [name] => search_path
            .iter()
            .map(|s| QualifiedName::new(s, name))
            .find(|q| catalog.domains.contains_key(q)),
        _ => None,
    }
}

/// Table columns whose type is `domain` or an array of it (a domain over it included).
fn columns_of_domain<'a>(
    catalog: &'a Catalog,
    domain: &QualifiedName,
) -> Vec<(&'a QualifiedName, &'a crate::catalog::Column)> {
    let is_domain = |ty: &crate::catalog::TypeName| {
        let mut current = ty.qualified_name();
        // Each step goes down one domain; a chain is at most every domain long.
        for _ in 0..=catalog.domains.len() {
            if current == *domain {
                return true;
            }
            match catalog.domains.get(&current) {
                Some(d) if d.base.array_dims == 0 => current = d.base.qualified_name(),
                _ => return false,
            }
        }
        false
    };
    catalog
        .tables
        .iter()
        .flat_map(|(name, rel)| rel.columns.iter().map(move |c| (name, c)))
        .filter(|(_, c)| is_domain(&c.ty))
        .collect()
}

/// `[schema.]table.column` → the `table.column` generated code matches column origins by,
/// once the column is known to exist (and, qualified, to be the only one of that name).
fn column_key(
    key: &str,
    catalog: &Catalog,
    schema: &Schema,
) -> Result<String, (String, Option<String>)> {
    let names = parts(key);
    let (schema_name, table, column) = match names.as_slice() {
        [t, c] => (None, t, c),
        [s, t, c] => (Some(s.clone()), t, c),
        _ => {
            return Err((
                format!("column override `{key}` must be `table.column` or `schema.table.column`"),
                None,
            ));
        }
    };
    let found = match &schema_name {
        Some(s) => schema
            .relation(Some(s), table)
            .map(|(_, cols)| (s.clone(), cols)),
        None => schema.search_path.iter().find_map(|s| {
            schema
                .relation(Some(s), table)
                .map(|(_, cols)| (s.clone(), cols))
        }),
    };
    let Some((found_schema, cols)) = found else {
        let shown = match &schema_name {
            Some(s) => format!("{s}.{table}"),
            None => table.clone(),
        };
        return Err((format!("relation \"{shown}\" does not exist"), None));
    };
    if !cols.iter().any(|c| c.name == *column) {
        let help = crate::diagnostic::closest(column, cols.iter().map(|c| c.name.as_str()))
            .map(|n| format!("did you mean \"{n}\"?"));
        return Err((
            format!("column \"{column}\" of relation \"{table}\" does not exist"),
            help,
        ));
    }
    // Generated code knows a column's table by name only: a second table of that name in
    // another schema would take the override too.
    let others: Vec<&QualifiedName> = catalog
        .tables
        .keys()
        .filter(|q| q.name == *table && q.schema != found_schema)
        .collect();
    if let Some(other) = others.first() {
        return Err((
            format!(
                "squill cannot yet tell columns of {found_schema}.{table} from those of {other}, which has the same name"
            ),
            Some("rename one of the tables, or map the column's type in [types]".into()),
        ));
    }
    Ok(format!("{table}.{column}"))
}
