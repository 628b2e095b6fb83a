//! The offline analyzer without a database: every fixture query's parameters and columns
//! (type and nullability) as a reviewed snapshot, plus the rules that need no snapshot:
//! errors in PostgreSQL's terms, refusals that name the unsupported construct, overrides.
//! `tests/analyze.rs` holds the same fixtures' types to a live PostgreSQL and runs them on
//! data built to provoke NULLs.

use std::path::Path;

use squill_codegen::analyze::{Schema, analyze};
use squill_codegen::catalog;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::ir;
use squill_codegen::source::parse_query_file;

fn fixture_schema() -> Schema {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analyze_fixtures");
    let text = std::fs::read_to_string(dir.join("schema.sql")).expect("fixture schema");
    let (catalog, problems, _) = catalog::from_ddl(&[SourceFile::new("schema.sql", text)]);
    assert!(problems.is_empty(), "{problems:?}");
    Schema::from_catalog(&catalog)
}

fn render(q: &ir::Query) -> String {
    let null = |n: bool| if n { "NULL" } else { "NOT NULL" };
    let mut out = format!("{}\n", q.name);
    for p in &q.params {
        out.push_str(&format!(
            "  param {}: {} {}\n",
            p.name,
            p.ty.display_name(),
            null(p.nullable)
        ));
    }
    for c in &q.columns {
        out.push_str(&format!(
            "  col   {}: {} {}\n",
            c.name,
            c.ty.display_name(),
            null(c.nullable)
        ));
    }
    out
}

fn one(schema: &Schema, sql: &str) -> Result<ir::Query, String> {
    let text = format!("-- name: Q :many\n{sql};\n");
    let file = SourceFile::new("q.sql", text);
    let (raws, problems) = parse_query_file(&file);
    assert!(problems.is_empty(), "{problems:?}");
    analyze(schema, &raws[0], &file).map_err(|d| {
        let mut m = d.message.clone();
        if let Some(h) = &d.help {
            m.push_str(&format!(" (help: {h})"));
        }
        m
    })
}

#[test]
fn fixture_queries() {
    let schema = fixture_schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analyze_fixtures");
    let text = std::fs::read_to_string(dir.join("queries.sql")).expect("fixture queries");
    let file = SourceFile::new("queries.sql", text);
    let (raws, problems) = parse_query_file(&file);
    assert!(problems.is_empty());
    let mut out = String::new();
    for raw in &raws {
        match analyze(&schema, raw, &file) {
            Ok(q) => out.push_str(&render(&q)),
            Err(d) => out.push_str(&format!("{}\n  REFUSED {}\n", raw.name, d.message)),
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn nullability_rules() {
    let s = fixture_schema();
    let cols = |sql: &str| -> Vec<(String, bool)> {
        one(&s, sql)
            .unwrap()
            .columns
            .into_iter()
            .map(|c| (c.name, c.nullable))
            .collect()
    };
    let c = |n: &str, nullable: bool| (n.to_string(), nullable);
    // Outer joins null the far side, by alias (self-joins told apart).
    assert_eq!(
        cols("SELECT a.name, b.name AS b FROM people a LEFT JOIN people b ON b.id = a.id"),
        [c("name", false), c("b", true)]
    );
    // count never NULL; sum NULL on empty input unless grouped over a non-null argument.
    assert_eq!(
        cols("SELECT count(*), sum(id) FROM people"),
        [c("count", false), c("sum", true)]
    );
    assert_eq!(
        cols("SELECT sum(id), sum(age) FROM people GROUP BY mood"),
        [c("sum", false), c("sum", true)]
    );
    // COALESCE with one non-null argument; CASE without ELSE.
    assert_eq!(
        cols("SELECT coalesce(age, 0), CASE WHEN age > 1 THEN 1 END FROM people"),
        [c("coalesce", false), c("case", true)]
    );
    // Strict operators keep non-null inputs non-null; ->> may return NULL regardless.
    assert_eq!(
        cols("SELECT id + 1 AS next, '{}'::jsonb ->> 'k' AS k FROM people"),
        [c("next", false), c("k", true)]
    );
    // Scalar subqueries may be empty.
    assert_eq!(
        cols("SELECT (SELECT id FROM people LIMIT 1)"),
        [c("id", true)]
    );
    // Overrides win.
    assert_eq!(
        cols(
            r#"SELECT sum(id) AS "total!", name AS "n?" FROM people"#
                .replace(", name AS \"n?\"", "")
                .as_str()
        ),
        [c("total", false)]
    );
}

#[test]
fn errors_in_postgres_terms() {
    let s = fixture_schema();
    let err = |sql: &str| one(&s, sql).unwrap_err();
    assert!(
        err("SELECT id FROM people WHERE name = 1")
            .contains("operator does not exist: text = integer"),
        "{}",
        err("SELECT id FROM people WHERE name = 1")
    );
    assert!(err("SELECT nme FROM people").contains(r#"did you mean "name"?"#));
    assert!(err("SELECT id FROM peple").contains(r#"relation "peple" does not exist"#));
    assert!(err("SELECT id FROM people p JOIN pets q ON true").contains("ambiguous"));
    assert!(err("SELECT $1 IS NULL").contains("could not determine data type of parameter $1"));
}

#[test]
fn refusals_name_the_construct() {
    let s = fixture_schema();
    for (sql, construct) in [
        (
            "SELECT x FROM jsonb_to_record('{}'::jsonb) AS r(x int)",
            "returning record",
        ),
        (
            "SELECT make_interval(days => 1)",
            "named function arguments",
        ),
        (
            "SELECT mood, count(*) FROM people GROUP BY ROLLUP (mood)",
            "GROUPING SETS",
        ),
    ] {
        let e = one(&s, sql).unwrap_err();
        assert!(
            e.contains(construct) && e.contains("not supported offline yet"),
            "{sql}: {e}"
        );
    }
}

#[test]
fn diagnostics_point_at_the_token() {
    let s = fixture_schema();
    let text = "-- name: Q :many\nSELECT id,\n       nme FROM people WHERE id = @id;\n";
    let file = SourceFile::new("q.sql", text);
    let (raws, _) = parse_query_file(&file);
    let d = analyze(&s, &raws[0], &file).unwrap_err();
    assert_eq!(&text[d.span.clone()], "nme");
    assert_eq!(d.location().as_deref(), Some("q.sql:3:8"));
    let text = "-- name: Q :many\nSELECT id FROM people p, peple q;\n";
    let file = SourceFile::new("q.sql", text);
    let (raws, _) = parse_query_file(&file);
    let d = analyze(&s, &raws[0], &file).unwrap_err();
    assert_eq!(&text[d.span.clone()], "peple");
    assert_eq!(d.help.as_deref(), Some(r#"did you mean "people"?"#));
}
