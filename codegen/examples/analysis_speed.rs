//! `cargo run --release -p squill-codegen --example analysis_speed [corpus dir]`: how long
//! offline analysis + code generation takes on the largest corpus case (sqlc-hatchet: ~500
//! queries over ~130 tables), and how it scales with the number of queries. No database.

use std::path::{Path, PathBuf};
use std::time::Instant;

use squill_codegen::config::Config;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::ir::{Module, QuerySet};
use squill_codegen::{analyze, catalog, emit, source};

fn main() {
    let corpus = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/corpus"), PathBuf::from);
    let hatchet = corpus.join("sqlc-hatchet");
    let sqlcv1 = hatchet.join("pkg/repository/sqlcv1");
    let schema_files: Vec<PathBuf> = ["v0.sql", "v1-core.sql", "v1-olap.sql", "pg-stubs.sql"]
        .iter()
        .map(|f| hatchet.join("sql/schema").join(f))
        .chain([sqlcv1.join("concurrency-additional-tables.sql")])
        .collect();
    let mut query_files: Vec<PathBuf> = std::fs::read_dir(&sqlcv1)
        .expect("corpus: pass the path of shared/corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "sql")
                && !p.ends_with("concurrency-additional-tables.sql")
        })
        .collect();
    query_files.sort();
    let schema: Vec<SourceFile> = schema_files.iter().map(|p| read(p)).collect();
    let queries: Vec<SourceFile> = query_files.iter().map(|p| read(p)).collect();

    // Warm up once (page cache, builtins parse), then measure the best of 5 runs per size.
    run(&schema, &queries, usize::MAX);
    let total = run(&schema, &queries, usize::MAX).0;
    println!(
        "sqlc-hatchet: {} schema files, {} query files, {total} queries",
        schema.len(),
        queries.len()
    );
    println!("| queries | accepted offline | best of 5 (ms) | of which catalog (ms) |");
    println!("|---:|---:|---:|---:|");
    for fraction in [0.25, 0.5, 1.0] {
        let limit = ((total as f64) * fraction).round() as usize;
        let mut best = (0, 0, f64::MAX, f64::MAX);
        for _ in 0..5 {
            let (n, accepted, ms, catalog_ms) = run(&schema, &queries, limit);
            if ms < best.2 {
                best = (n, accepted, ms, catalog_ms);
            }
        }
        println!(
            "| {} | {} | {:.1} | {:.1} |",
            best.0, best.1, best.2, best.3
        );
    }
}

fn config() -> Config {
    Config {
        embed_migrations: false,
        ..Config::default()
    }
}

/// Queries with a type squill has no Rust mapping for (hatchet uses intervals, composite
/// types) need an override in a real project; here they are analyzed but not emitted.
fn has_rust_types(query: &squill_codegen::ir::Query) -> bool {
    let config = config();
    let origin =
        |c: &squill_codegen::ir::Column| c.origin.as_ref().map(|(t, c)| (t.clone(), c.clone()));
    query
        .params
        .iter()
        .all(|p| squill_codegen::rust_types::rust_type(&p.ty, None, &config).is_ok())
        && query.columns.iter().all(|c| {
            let origin = origin(c);
            let origin = origin.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
            squill_codegen::rust_types::rust_type(&c.ty, origin, &config).is_ok()
        })
}

fn read(path: &Path) -> SourceFile {
    SourceFile::new(
        path.display().to_string(),
        std::fs::read_to_string(path).expect("readable"),
    )
}

/// Catalog from DDL, then parse + analyze up to `limit` queries, then emit Rust for them.
/// Returns (queries seen, accepted, total ms, catalog ms).
fn run(schema: &[SourceFile], queries: &[SourceFile], limit: usize) -> (usize, usize, f64, f64) {
    let started = Instant::now();
    let (catalog, _, _) = catalog::from_ddl(schema);
    let analyzer_schema = analyze::Schema::from_catalog(&catalog);
    let catalog_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (mut seen, mut accepted) = (0, 0);
    let mut modules = Vec::new();
    for file in queries {
        let (raws, _) = source::parse_query_file(file);
        let mut typed = Vec::new();
        for raw in raws {
            if seen == limit {
                break;
            }
            seen += 1;
            if let Ok(query) = analyze::analyze(&analyzer_schema, &raw, file) {
                accepted += 1;
                if has_rust_types(&query) {
                    typed.push(query);
                }
            }
        }
        modules.push(Module {
            name: format!("m{}", modules.len()),
            file: file.name.clone(),
            queries: typed,
        });
    }
    let set = QuerySet {
        modules,
        enums: Vec::new(),
        composites: Vec::new(),
        domains: Vec::new(),
        migrations: Vec::new(),
    };
    let package = squill_codegen::pipeline::PackageSet {
        module: None,
        set,
        config: config(),
    };
    let code = emit::emit_project(&[package]).expect("every kept query maps to Rust");
    assert!(!code.is_empty());
    (
        seen,
        accepted,
        started.elapsed().as_secs_f64() * 1000.0,
        catalog_ms,
    )
}
