//! Arbitrarily long or deep SQL through the path `build.rs` takes (`Builder`), offline: squill
//! answers with a diagnostic or with code, never a stack overflow. Runs on the test harness's
//! threads (2 MiB of stack, less than a build script's main thread has).

use squill_codegen::Builder;
use squill_codegen::config::Analysis;

const SCHEMA: &str = "CREATE TABLE t (id bigint PRIMARY KEY, flag boolean NOT NULL);\n";

/// Runs the builder on `schema` and `queries`; the rendered diagnostics, or `None` on success.
fn run(schema: &str, queries: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::write(dir.path().join("schema/0001_init.sql"), schema).unwrap();
    std::fs::write(dir.path().join("queries/q.sql"), queries).unwrap();
    let builder = Builder::new().root(dir.path()).analysis(Analysis::Offline);
    builder.generate().err().map(|d| d.render())
}

fn query(sql: &str) -> String {
    format!("-- name: Deep :one\n{sql};\n")
}

fn flat(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

const LONG: usize = 100_000;
const DEEP: usize = 10_000;

/// The rendered diagnostics must say the expression is too deep, at a line and column.
fn assert_too_deep(out: Option<String>) {
    let out = out.expect("a diagnostic");
    assert!(out.contains("error: expression too deeply nested"), "{out}");
    assert!(out.contains(".sql:2:"), "points into the SQL: {out}");
    assert!(out.contains("help: split the expression"), "{out}");
}

/// Long but ordinary chains are typed, with the stack they need, on a 2 MiB test thread.
#[test]
fn long_chains_below_the_limit_are_typed() {
    let and = flat("flag", " AND ", 900);
    let sum = flat("id", " + ", 400);
    let union = flat("SELECT id FROM t", " UNION ALL ", 400);
    for sql in [
        format!("SELECT id FROM t WHERE {and}"),
        format!("SELECT {sum} AS s FROM t"),
        union,
    ] {
        assert_eq!(run(SCHEMA, &query(&sql)), None, "{sql}");
    }
    let schema = format!("{SCHEMA}CREATE VIEW v AS SELECT {sum} AS s FROM t;\n");
    assert_eq!(run(&schema, &query("SELECT s FROM v")), None);
}

#[test]
fn long_sum_in_a_query() {
    let out = run(SCHEMA, &query(&format!("SELECT {}", flat("1", "+", LONG))));
    assert_too_deep(out);
}

#[test]
fn long_and_chain_in_a_query() {
    let out = run(
        SCHEMA,
        &query(&format!(
            "SELECT id FROM t WHERE {}",
            flat("flag", " AND ", LONG)
        )),
    );
    assert_too_deep(out);
}

#[test]
fn deep_parentheses_in_a_query() {
    assert_too_deep(run(
        SCHEMA,
        &query(&format!("SELECT {}", nested("(", "1", ")", DEEP))),
    ));
}

#[test]
fn deep_subqueries_in_a_query() {
    assert_too_deep(run(
        SCHEMA,
        &query(&format!("SELECT {}", nested("(SELECT ", "1", ")", DEEP))),
    ));
}

#[test]
fn deep_case_in_a_query() {
    assert_too_deep(run(
        SCHEMA,
        &query(&format!(
            "SELECT {}",
            nested("CASE WHEN true THEN ", "1", " END", DEEP)
        )),
    ));
}

#[test]
fn deep_function_calls_in_a_query() {
    assert_too_deep(run(
        SCHEMA,
        &query(&format!("SELECT {}", nested("abs(", "1", ")", DEEP))),
    ));
}

#[test]
fn long_sum_in_a_view_no_query_uses() {
    let schema = format!(
        "{SCHEMA}CREATE VIEW v AS SELECT {} AS x;\n",
        flat("1", "+", LONG)
    );
    let out = run(&schema, &query("SELECT id FROM t"));
    assert_too_deep(out);
}

#[test]
fn deep_parentheses_in_a_view() {
    let schema = format!(
        "{SCHEMA}CREATE VIEW v AS SELECT {} AS x;\n",
        nested("(", "1", ")", DEEP)
    );
    assert_too_deep(run(&schema, &query("SELECT x FROM v")));
}
