//! Whatever a user writes, squill answers with diagnostics, never a panic or a hang: the DDL
//! loader and the offline analyzer on arbitrary text, and on realistic SQL with random damage.

use proptest::prelude::*;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::{analyze, catalog, lint, source};

const SCHEMA: &str = include_str!("../../schema/0001_init.sql");
const QUERIES: &str = include_str!("../../queries/records.sql");

fn schema() -> &'static analyze::Schema {
    static SCHEMA_CELL: std::sync::OnceLock<analyze::Schema> = std::sync::OnceLock::new();
    SCHEMA_CELL.get_or_init(|| {
        let (catalog, _, _) = catalog::from_ddl(&[SourceFile::new("schema.sql", SCHEMA)]);
        analyze::Schema::from_catalog(&catalog)
    })
}

/// Parses and analyzes every query in `text`; diagnostics must render.
fn analyze_all(text: &str) {
    let file = SourceFile::new("q.sql", text);
    let (queries, diagnostics) = source::parse_query_file(&file);
    for d in diagnostics {
        let _ = d.render();
    }
    for raw in queries {
        if let Err(d) = analyze::analyze(schema(), &raw, &file) {
            let _ = d.render();
        }
    }
}

/// Damages `text`: cut at one char boundary, splice in a fragment at another.
fn damage(text: &str, cut: usize, at: usize, fragment: &str) -> String {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let cut = bounds[cut % bounds.len()];
    let at = bounds[at % bounds.len()].min(cut);
    format!("{}{fragment}{}", &text[..at], &text[cut..])
}

const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "'",
    "\"",
    "$$",
    "$1",
    "@x",
    "::",
    "JOIN",
    "LEFT JOIN t ON",
    "SELECT",
    "*",
    ",",
    "CASE WHEN",
    "END",
    "coalesce(",
    "sum(",
    "= ANY(",
    "WITH x AS (",
    "UNION",
    ";",
    "-- name: X :one\n",
    "ARRAY[",
    "]",
    "NULL",
    "'\u{e9}'",
    "\u{1F600}",
    "/*",
    "*/",
    "E'\\\\'",
    "OVER (",
    "FILTER (WHERE",
];

/// A long chain of `op` between `n` terms inside `depth` openers of kind `nest`.
fn deep(n: usize, op: &str, depth: usize, nest: usize) -> String {
    let (open, close) = [
        ("(", ")"),
        ("(SELECT ", ")"),
        ("abs(", ")"),
        ("CASE WHEN true THEN ", " END"),
        ("ARRAY[", "]"),
    ][nest % 5];
    let chain = vec!["1"; n.max(1)].join(op);
    format!("{}{chain}{}", open.repeat(depth), close.repeat(depth))
}

/// One token of `len` characters (or `len` nested comment openers) of kind `kind`.
fn long_token(len: usize, kind: usize) -> String {
    match kind % 7 {
        0 => "a".repeat(len.max(1)),
        1 => format!("\"{}\"", "b".repeat(len)),
        2 => format!("'{}'", "c".repeat(len)),
        3 => format!("$q${}$q$", "d".repeat(len)),
        4 => format!("1{}", "0".repeat(len)),
        5 => format!("{}1{}", "/* ".repeat(len), " */".repeat(len)),
        _ => format!("E'{}'", "\\n".repeat(len)),
    }
}

const OPS: &[&str] = &["+", " AND ", " || ", "::int + ", " = ", " UNION SELECT "];

proptest! {
    // 256 cases each by default; PROPTEST_CASES=100000 for a long run.
    #[test]
    fn analyzer_and_schema_survive_long_and_deep_expressions(
        n in 0usize..5_000,
        op in 0usize..OPS.len(),
        depth in 0usize..2_000,
        nest in 0usize..5,
    ) {
        let expr = deep(n, OPS[op], depth, nest);
        analyze_all(&format!("-- name: Deep :one\nSELECT {expr};\n"));
        let view = format!("CREATE VIEW v AS SELECT {expr} AS x;\n");
        let (_, diagnostics, _) = catalog::from_ddl(&[SourceFile::new("v.sql", view)]);
        for d in diagnostics {
            let _ = d.render();
        }
    }

    #[test]
    fn analyzer_survives_damaged_queries(cut in 0usize..10_000, at in 0usize..10_000, f in 0usize..FRAGMENTS.len()) {
        analyze_all(&damage(QUERIES, cut, at, FRAGMENTS[f]));
    }

    #[test]
    fn analyzer_survives_arbitrary_text(body in "\\PC{0,200}") {
        analyze_all(&format!("-- name: Q :many\n{body}"));
    }

    #[test]
    fn ddl_loader_survives_damaged_schemas(cut in 0usize..10_000, at in 0usize..10_000, f in 0usize..FRAGMENTS.len()) {
        let damaged = damage(SCHEMA, cut, at, FRAGMENTS[f]);
        let (_, diagnostics, _) = catalog::from_ddl(&[SourceFile::new("schema.sql", damaged)]);
        for d in diagnostics {
            let _ = d.render();
        }
    }

    #[test]
    fn ddl_loader_survives_arbitrary_text(text in "\\PC{0,300}") {
        let _ = catalog::from_ddl(&[SourceFile::new("schema.sql", text)]);
    }
}

proptest! {
    // Long inputs are slow to analyze: fewer cases than the default 256.
    #![proptest_config(ProptestConfig::with_cases(24))]

    // Beyond the 200-character arbitrary text: identifiers, strings, numbers and nested
    // comments hundreds of thousands of characters long, in queries, schemas and migrations.
    #[test]
    fn everything_survives_long_tokens(len in 0usize..100_000, kind in 0usize..7) {
        let token = long_token(len, kind);
        analyze_all(&format!("-- name: Long :one\nSELECT {token} FROM users;\n"));
        let ddl = format!("CREATE TABLE t ({token} int DEFAULT 1);\nCREATE INDEX ON t ({token});\n");
        let (_, diagnostics, _) = catalog::from_ddl(&[SourceFile::new("t.sql", ddl.as_str())]);
        for d in diagnostics {
            let _ = d.render();
        }
        let report = lint::lint_sources(vec![SourceFile::new("0001_t.sql", ddl)], &[], &[]).unwrap();
        for finding in report.findings {
            let _ = finding.diagnostic.render();
        }
    }
}
