//! The tenant rule on the corpus (`../shared/corpus`): for each case whose schema has a
//! tenant-like column, the column most of its tables carry is taken as the tenant column and
//! every query the offline analyzer types is checked. Offline, no server.
//!
//! ```text
//! cargo test -p squill-codegen --test tenant_corpus -- --nocapture
//! ```
//!
//! prints per case: the column, how many tenant tables, and how many queries pass, fail, or
//! were not typed offline (the rule runs on typed queries: it needs to know which parameters
//! may be NULL). The corpus has no `-- squill:cross-tenant` reasons, so "with reason" is zero
//! there; `SQUILL_TENANT_VIOLATIONS=1` prints each violation.

mod support;

use std::collections::BTreeMap;

use squill_codegen::analyze::{Schema, analyze};
use squill_codegen::catalog;
use squill_codegen::config::Tenant;
use squill_codegen::source::parse_query_file;
use support::cases::{corpus_cases, source};

/// Tenant-like column names, in the order a tie is broken.
const CANDIDATES: &[&str] = &[
    "organization_id",
    "tenant_id",
    "workspace_id",
    "project_id",
    "account_id",
    "team_id",
    "shop_id",
    "org_id",
    "tenantid",
];

#[derive(Default)]
struct Row {
    column: String,
    tenant_tables: usize,
    queries: usize,
    passed: usize,
    failed: usize,
    with_reason: usize,
    untyped: usize,
    violations: Vec<String>,
}

#[test]
fn tenant_rule_on_the_corpus() {
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for case in corpus_cases() {
        let schema_files: Vec<_> = case.schema.iter().map(|p| source(p)).collect();
        let (catalog, _, _) = catalog::from_ddl(&schema_files);
        // The candidate the most tables carry.
        let Some((column, _)) = CANDIDATES
            .iter()
            .map(|c| {
                let n = catalog
                    .tables
                    .values()
                    .filter(|r| r.view_sql.is_none() && r.column(c).is_some())
                    .count();
                (*c, n)
            })
            .filter(|(_, n)| *n >= 2)
            .max_by_key(|(c, n)| {
                (
                    *n,
                    std::cmp::Reverse(CANDIDATES.iter().position(|x| x == c)),
                )
            })
        else {
            continue;
        };
        let tenant = Tenant {
            column: vec![column.to_string()],
            ..Tenant::default()
        };
        let rule = squill_codegen::tenant::Rule::new(&tenant, &catalog);
        let schema = Schema::from_catalog(&catalog);
        let mut row = Row {
            column: column.to_string(),
            tenant_tables: rule.tenant_tables().len(),
            ..Row::default()
        };
        for path in &case.queries {
            let file = source(path);
            for raw in parse_query_file(&file).0 {
                row.queries += 1;
                let Ok(query) = analyze(&schema, &raw, &file) else {
                    row.untyped += 1;
                    continue;
                };
                if raw.cross_tenant.is_some() {
                    row.with_reason += 1;
                    continue;
                }
                let nullable: Vec<bool> = query.params.iter().map(|p| p.nullable).collect();
                match rule.check(&raw, &file, &nullable) {
                    Ok(_) => row.passed += 1,
                    Err(diagnostics) => {
                        row.failed += 1;
                        row.violations.extend(diagnostics.iter().map(|d| {
                            format!("{} {}", d.location().unwrap_or_default(), d.message)
                        }));
                    }
                }
            }
        }
        assert_eq!(
            row.passed + row.failed + row.with_reason + row.untyped,
            row.queries
        );
        rows.insert(case.name.clone(), row);
    }
    if rows.is_empty() {
        println!("SKIPPED: no corpus (set SQUILL_CORPUS)");
        return;
    }
    println!(
        "| case | column | tenant tables | queries | pass | fail | with reason | not typed offline |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, r) in &rows {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            r.column, r.tenant_tables, r.queries, r.passed, r.failed, r.with_reason, r.untyped
        );
    }
    if std::env::var_os("SQUILL_TENANT_VIOLATIONS").is_some() {
        for (name, r) in &rows {
            for v in &r.violations {
                println!("{name}: {v}");
            }
        }
    }
    // Every case picked has tenant tables, and the rule judged the queries it could.
    for (name, r) in &rows {
        assert!(r.tenant_tables >= 2, "{name}");
    }
}
