//! `squill analyze --json`: the analyzed query set as one JSON document, for tooling and
//! cross-checks. The format is stable (`format_version` changes on any incompatible change):
//!
//! ```json
//! { "format_version": 1,
//!   "queries": [ { "name": "GetUser", "file": "queries/users.sql", "line": 2, "command": ":opt",
//!                  "sql": "SELECT ... WHERE id = $1",
//!                  "params":  [ { "name": "id", "type": "uuid", "nullable": false } ],
//!                  "columns": [ { "name": "email", "type": "text", "nullable": false } ] } ] }
//! ```
//!
//! With `[tenant]` in squill.toml, a query the tenant rule has something to say about carries
//! `"tenant": { "param": "shop_id" }` (the parameter that scopes it), `"policies": ["p on
//! orders"]` (row-level security policies that scope its tables) and/or `"cross_tenant":
//! "<reason>"` (its `-- squill:cross-tenant` directive).
//!
//! A column that `sqlc.embed(t)` produced carries `"embed": "t"` (absent otherwise); the
//! generated row decodes each embed's columns into one nested struct. An array column carries
//! `"elements_nullable"`: whether an element may be NULL (absent for other columns).
//!
//! Types are spelled as PostgreSQL's `format_type` spells them (`integer`, `text[]`,
//! `timestamp with time zone`; user types schema-qualified outside `public`); domains appear as
//! their base type. Queries are in file order, files sorted by name.
//!
//! With explicit inputs (`squill analyze --json --schema <file-or-dir> --queries <file-or-dir>`)
//! a query the offline analyzer cannot type does not abort the run: `queries` holds the
//! accepted ones and the document gains a `refused` array (absent in the project mode, which
//! fails on any refusal), in input order:
//!
//! ```json
//!   "refused": [ { "name": "ListSchemas", "file": "queries/system.sql", "line": 3,
//!                  "reason": "query ListSchemas cannot be typed offline: ..." } ]
//! ```
//!
//! `reason` is the diagnostic message: a construct not supported offline yet, an error
//! PostgreSQL would report too (an unknown column, say), or an annotation squill does not read
//! (`sqlc.embed`, an unknown command); `name` is empty for a statement without `-- name:`.
//! Refusals are sorted by line within each file. Files appear as given on the command line
//! (folders expanded).

use serde::Serialize;

use crate::ir::QuerySet;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    queries: Vec<Query<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<&'a [Refused]>,
}

/// A query the offline analyzer did not type, and why (see the module doc).
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub name: String,
    pub file: String,
    pub line: usize,
    pub reason: String,
}

#[derive(Serialize)]
struct Query<'a> {
    /// The module of the sqlc block the query belongs to, when the project has several.
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<&'a str>,
    name: &'a str,
    file: &'a str,
    line: usize,
    command: &'static str,
    sql: &'a str,
    params: Vec<Value<'a>>,
    columns: Vec<Value<'a>>,
    /// The tenant rule's verdict (`[tenant]`), absent when it says nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<Tenant<'a>>,
}

/// How a query is scoped to one tenant (see the module doc).
#[derive(Serialize)]
struct Tenant<'a> {
    /// The parameter naming the tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<&'a str>,
    /// `policy on table` of each row-level security policy that scopes a table.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    policies: &'a [String],
    /// `-- squill:cross-tenant <reason>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_tenant: Option<&'a str>,
}

#[derive(Serialize)]
struct Value<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: String,
    nullable: bool,
    /// Arrays only: whether an element may be NULL.
    #[serde(skip_serializing_if = "Option::is_none")]
    elements_nullable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embed: Option<&'a str>,
}

/// The JSON document for a project's packages (each query names its package's module when
/// there are several: `"package": "gadb"`).
pub fn render_packages(packages: &[crate::pipeline::PackageSet]) -> String {
    let queries = packages
        .iter()
        .flat_map(|p| queries(&p.set, p.module.as_deref()))
        .collect();
    document(queries, None)
}

/// The JSON document for `set`.
pub fn render(set: &QuerySet) -> String {
    render_document(set, None)
}

/// The JSON document for `set` with the queries the analyzer refused.
pub fn render_with_refused(set: &QuerySet, refused: &[Refused]) -> String {
    render_document(set, Some(refused))
}

fn render_document(set: &QuerySet, refused: Option<&[Refused]>) -> String {
    document(queries(set, None), refused)
}

fn queries<'a>(set: &'a QuerySet, package: Option<&'a str>) -> Vec<Query<'a>> {
    set.modules
        .iter()
        .flat_map(|module| &module.queries)
        .map(|q| Query {
            package,
            name: &q.name,
            file: &q.file,
            line: q.line,
            command: q.command.as_str(),
            sql: &q.sql,
            tenant: (q.tenancy != Default::default()).then(|| Tenant {
                param: q
                    .tenancy
                    .param
                    .and_then(|i| q.params.get(i))
                    .map(|p| p.name.as_str()),
                policies: &q.tenancy.policies,
                cross_tenant: q.tenancy.cross_tenant.as_deref(),
            }),
            params: q
                .params
                .iter()
                .map(|p| Value {
                    name: &p.name,
                    ty: p.ty.display_name(),
                    nullable: p.nullable,
                    elements_nullable: matches!(p.ty, crate::ir::PgType::Array(_))
                        .then_some(p.elements_nullable),
                    embed: None,
                })
                .collect(),
            columns: q
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| Value {
                    name: &c.name,
                    ty: c.ty.display_name(),
                    nullable: c.nullable,
                    elements_nullable: matches!(c.ty, crate::ir::PgType::Array(_))
                        .then_some(c.elements_nullable),
                    embed: q
                        .embeds
                        .iter()
                        .find(|e| e.columns.contains(&i))
                        .map(|e| e.name.as_str()),
                })
                .collect(),
        })
        .collect()
}

fn document(queries: Vec<Query<'_>>, refused: Option<&[Refused]>) -> String {
    let document = Document {
        format_version: FORMAT_VERSION,
        queries,
        refused,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
