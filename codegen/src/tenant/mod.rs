//! The tenant rule (`[tenant]` in squill.toml): every occurrence of a tenant table in a query
//! is restricted to one tenant.
//!
//! A pass after analysis over the parsed statement, names resolved through the catalog (views
//! expanded through the binding recorded when they were created). Per query level (a SELECT's
//! FROM and WHERE, an UPDATE's or DELETE's target with its FROM/USING and WHERE), the values
//! that top-level conjuncts equate (`=`, `IS NOT DISTINCT FROM`, `IN (x)`, `USING`, inner join
//! ON clauses) form classes (`uf`); a class is anchored by a parameter that cannot be NULL, a
//! row-level security policy on the setting the runtime sets, an anchored column of an outer
//! level (correlation), or an anchored column of a FROM subquery, CTE or view. An occurrence is
//! scoped when its tenant column's class is anchored. An occurrence inside a FROM subquery, CTE
//! or view that is not scoped there may still be scoped by the level that reads it, through an
//! output column that is its tenant column (predicates reach into views as PostgreSQL pushes
//! them down); anything else is a violation at the table reference.
//!
//! Conjuncts under OR, NOT or CASE, and conditions inside a subquery, do not restrict the outer
//! level; a left join's ON clause restricts only its nullable side. This is exactly the
//! condition for single-shard routing on a distribution column (see ARCHITECTURE.md).

mod level;
mod rls;
mod uf;

use std::collections::BTreeMap;
use std::ops::Range;

use crate::catalog::{Catalog, QualifiedName, Relation};
use crate::config::Tenant;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::source::RawQuery;

pub use rls::policy_scopes;

/// What scopes a class of values to one tenant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Anchor {
    /// Parameter `$(n + 1)`, which cannot be NULL.
    Param(usize),
    /// The row-level security policy of this name (on the configured setting).
    Policy(String),
}

/// How a query that passed the rule is scoped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The parameter (0-based) that names the tenant, when one does.
    pub param: Option<usize>,
    /// Row-level security policies that scope tables of the query, as `policy on table`.
    pub policies: Vec<String>,
    /// Whether the query reads or writes any tenant table.
    pub tenant_tables: bool,
}

/// The tenant configuration resolved against one schema.
pub struct Rule<'a> {
    catalog: &'a Catalog,
    config: &'a Tenant,
    /// Tenant tables and their tenant column.
    tables: BTreeMap<QualifiedName, String>,
    /// Tables whose row-level security scopes them: the policy that does.
    scoped_by_policy: BTreeMap<QualifiedName, String>,
}

impl<'a> Rule<'a> {
    pub fn new(config: &'a Tenant, catalog: &'a Catalog) -> Self {
        let mut tables = BTreeMap::new();
        for (name, relation) in &catalog.tables {
            if relation.view_sql.is_some() || is_listed(&config.exempt, name, &catalog.search_path)
            {
                continue;
            }
            if let Some(column) = tenant_column(config, name, relation, &catalog.search_path) {
                tables.insert(name.clone(), column);
            }
        }
        let scoped_by_policy = tables
            .iter()
            .filter_map(|(name, column)| {
                let security = catalog.row_security.get(name)?;
                let policy = policy_scopes(security, column, &config.setting)?;
                Some((name.clone(), format!("{policy} on {}", name.name)))
            })
            .collect();
        Rule {
            catalog,
            config,
            tables,
            scoped_by_policy,
        }
    }

    /// The tenant tables and their tenant column.
    pub fn tenant_tables(&self) -> &BTreeMap<QualifiedName, String> {
        &self.tables
    }

    /// The tenant tables scoped by row-level security, and the policy that scopes each.
    pub fn scoped_by_policy(&self) -> &BTreeMap<QualifiedName, String> {
        &self.scoped_by_policy
    }

    /// Checks one query. `nullable[i]`: whether parameter `$(i + 1)` may be NULL (such a
    /// parameter scopes nothing). Every violation is an error at its table reference.
    pub fn check(
        &self,
        raw: &RawQuery,
        file: &SourceFile,
        nullable: &[bool],
    ) -> Result<Scope, Vec<Diagnostic>> {
        level::check(self, raw, file, nullable)
    }

    pub(crate) fn tenant_of(&self, name: &QualifiedName) -> Option<&str> {
        self.tables.get(name).map(String::as_str)
    }

    pub(crate) fn policy_of(&self, name: &QualifiedName) -> Option<&str> {
        self.scoped_by_policy.get(name).map(String::as_str)
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        self.catalog
    }

    /// The name a help line gives the tenant parameter.
    pub(crate) fn param_name(&self, column: &str) -> String {
        self.config
            .column
            .first()
            .cloned()
            .unwrap_or_else(|| column.to_string())
    }
}

/// Whether `name` is in `keys` (`table` resolved on the search path, or `schema.table`).
fn is_listed(keys: &[String], name: &QualifiedName, search_path: &[String]) -> bool {
    keys.iter().any(|key| key_names(key, name, search_path))
}

fn key_names(key: &str, name: &QualifiedName, search_path: &[String]) -> bool {
    match key.split_once('.') {
        Some((schema, table)) => schema == name.schema && table == name.name,
        None => key == name.name && search_path.first() == Some(&name.schema),
    }
}

/// A table's tenant column: its `tables` entry, else the first `column` name it has.
fn tenant_column(
    config: &Tenant,
    name: &QualifiedName,
    relation: &Relation,
    search_path: &[String],
) -> Option<String> {
    if let Some((_, column)) = config
        .tables
        .iter()
        .find(|(key, _)| key_names(key, name, search_path))
    {
        return relation.column(column).map(|c| c.name.clone());
    }
    config
        .column
        .iter()
        .find(|c| relation.column(c).is_some())
        .cloned()
}

/// Where a `[tenant]` key (`false`) or its value (`true`) stands in its file.
pub type KeySite<'a> = dyn Fn(&str, bool) -> Option<(SourceFile, Range<usize>)> + 'a;

/// `[tenant]` keys checked against the schema: a table in `tables` or `exempt` that does not
/// exist, a `tables` column the table lacks. `site(key)` is where the key stands.
pub fn validate(config: &Tenant, catalog: &Catalog, site: &KeySite<'_>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let find = |key: &str| {
        catalog
            .tables
            .iter()
            .find(|(name, _)| key_names(key, name, &catalog.search_path))
    };
    let at = |d: Diagnostic, key: &str, value: bool| match site(key, value) {
        Some((file, span)) => d.at(&file, span),
        None => d,
    };
    let known = || catalog.tables.keys().map(|n| n.name.as_str());
    for key in config.tables.keys().chain(&config.exempt) {
        if find(key).is_none() {
            let mut d = at(
                Diagnostic::error(format!(
                    "[tenant]: relation \"{key}\" does not exist in the schema"
                ))
                .label("no such table"),
                key,
                false,
            );
            if let Some(close) = crate::diagnostic::closest(key, known()) {
                d = d.help(format!("did you mean \"{close}\"?"));
            }
            problems.push(d);
        }
    }
    for (key, column) in &config.tables {
        if let Some((name, relation)) = find(key)
            && relation.view_sql.is_none()
            && relation.column(column).is_none()
        {
            let mut d = at(
                Diagnostic::error(format!(
                    "[tenant]: column \"{column}\" of relation \"{}\" does not exist",
                    name.name
                ))
                .label("no such column"),
                key,
                true,
            );
            if let Some(close) =
                crate::diagnostic::closest(column, relation.columns.iter().map(|c| c.name.as_str()))
            {
                d = d.help(format!("did you mean \"{close}\"?"));
            }
            problems.push(d);
        }
    }
    problems
}
