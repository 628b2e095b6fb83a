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
    insta::assert_snapshot!(fixture_file("queries.sql"));
}

/// The verdict fixtures: PostgreSQL's errors (clauses, literals) and what it still accepts.
#[test]
fn verdict_fixtures() {
    insta::assert_snapshot!(fixture_file("verdict.sql"));
}

/// Every query of a fixture file, rendered (or its diagnostic).
fn fixture_file(name: &str) -> String {
    let schema = fixture_schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analyze_fixtures");
    let text = std::fs::read_to_string(dir.join(name)).expect("fixture queries");
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
    out
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
    assert!(
        err("SELECT id[1] FROM people")
            .contains("cannot subscript type bigint because it does not support subscripting")
    );
    assert!(err("SELECT grouping(id) FROM people").contains("arguments to GROUPING"));
}

#[test]
fn refusals_name_the_construct() {
    let s = fixture_schema();
    for (sql, construct) in [
        ("SELECT jsonb_to_record('{}'::jsonb)", "returning record"),
        ("SELECT meta['k'] FROM people", "subscripts of type jsonb"),
        (
            "SELECT attrs['k'] FROM accounts",
            "subscripts of type hstore",
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

/// The verdict checks point where PostgreSQL's error position does: the aggregate, the
/// position, the literal, the repeated name, the misspelled inference column.
#[test]
fn verdict_errors_point_at_the_offending_token() {
    let s = fixture_schema();
    for (sql, token) in [
        (
            "SELECT id FROM people WHERE id > 0 AND count(*) > 0",
            "count",
        ),
        (
            "SELECT max(id) FROM people GROUP BY mood HAVING max(sum(id)) > 1",
            "sum",
        ),
        ("SELECT id FROM people ORDER BY 1, 99", "99"),
        ("SELECT id FROM people WHERE age = 'abc'", "'abc'"),
        ("SELECT id FROM people LIMIT 'x'", "'x'"),
        ("SELECT p.id FROM people p, pets p", "p"),
        (
            "INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT (idd) DO NOTHING",
            "idd",
        ),
        (
            "SELECT DISTINCT ON (mood, age) id FROM people ORDER BY mood, id",
            "age) id",
        ),
        (
            "SELECT DISTINCT ON (lower(name)) id FROM people ORDER BY age",
            "lower",
        ),
        (
            "SELECT DISTINCT ON (mood) id FROM people ORDER BY CASE WHEN $1 THEN age END, mood",
            "mood) id",
        ),
        ("SELECT ROW(1, 2, 'cm', 4)::dims AS d", "::dims"),
        (
            "SELECT id FROM people WHERE seen_at > '99999999999'",
            "'99999999999'",
        ),
        (
            "INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT (pet_id) DO NOTHING",
            "pet_id) DO",
        ),
        (
            "INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') \
             ON CONFLICT ON CONSTRAINT toys_pkey_typo DO UPDATE SET label = 'y'",
            "toys_pkey_typo",
        ),
        (
            "INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT DO UPDATE SET label = 'y'",
            "ON CONFLICT",
        ),
        ("UPDATE toys SET labl = 'y'", "labl"),
    ] {
        let text = format!("-- name: Q :many\n{sql};\n");
        let file = SourceFile::new("q.sql", text.clone());
        let (raws, _) = parse_query_file(&file);
        let d = analyze(&s, &raws[0], &file).unwrap_err();
        assert!(
            text[d.span.start..].starts_with(token),
            "{sql}: {} at {:?}",
            d.message,
            &text[d.span.clone()]
        );
    }
    let d = one(&s, "SELECT id FROM people WHERE count(*) > 0").unwrap_err();
    assert!(
        d.contains("(help: filter on an aggregate in HAVING)"),
        "{d}"
    );
}

#[test]
fn sqlc_embed_is_a_run_of_columns_spelled_out_in_the_sql() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT t.id AS toy, sqlc.embed(p), t.label FROM toys t JOIN pets p ON p.id = t.pet_id",
    )
    .unwrap();
    assert_eq!(
        q.embeds,
        [ir::Embed {
            name: "p".into(),
            columns: 1..5
        }]
    );
    assert_eq!(
        q.sql,
        "SELECT t.id AS toy, p.id, p.owner_id, p.name, p.weight, t.label FROM toys t JOIN pets p ON p.id = t.pet_id"
    );
    // On the nullable side of an outer join, every embedded column is nullable.
    let q = one(
        &s,
        "SELECT p.name, sqlc.embed(toys) FROM pets p LEFT JOIN toys ON toys.pet_id = p.id",
    )
    .unwrap();
    assert!(q.columns[1..].iter().all(|c| c.nullable));
    // A subquery's or CTE's columns are counted from the rest of the select list and sent
    // as `x.*`.
    let q = one(
        &s,
        "SELECT p.name, sqlc.embed(x) FROM (SELECT id, name FROM people) x JOIN pets p ON p.owner_id = x.id",
    )
    .unwrap();
    assert_eq!(q.embeds[0].columns, 1..3);
    assert!(q.sql.contains("x.*"), "{}", q.sql);
    let err = one(&s, "SELECT sqlc.embed(x), * FROM (SELECT 1 AS a) x").unwrap_err();
    assert!(err.contains("cannot be counted"), "{err}");
    let err = one(
        &s,
        "SELECT 1 UNION SELECT 2 FROM (SELECT sqlc.embed(people) FROM people) t",
    )
    .unwrap_err();
    assert!(
        err.contains("plain SELECT") || err.contains("only supported"),
        "{err}"
    );
}

#[test]
fn sqlc_slice_in_list_is_one_array_parameter() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT name FROM people WHERE id NOT IN (sqlc.slice(ids)) AND mood IN (sqlc.slice(moods))",
    )
    .unwrap();
    assert_eq!(
        q.sql,
        "SELECT name FROM people WHERE id <> ALL($1) AND mood = ANY($2)"
    );
    let types: Vec<String> = q.params.iter().map(|p| p.ty.display_name()).collect();
    assert_eq!(types, ["bigint[]", "mood[]"]);
    assert_eq!(q.params[0].name, "ids");
}

#[test]
fn views_keep_the_nullability_of_their_query() {
    let s = fixture_schema();
    let q = one(&s, "SELECT pet_id, pet, toy, total FROM pet_toys").unwrap();
    let nullable: Vec<bool> = q.columns.iter().map(|c| c.nullable).collect();
    assert_eq!(nullable, [false, false, true, false]);
}

/// The message (and help) of the error `sql` is rejected with, asserting it is an error in
/// PostgreSQL's terms rather than a refusal.
fn pg_error(s: &Schema, sql: &str) -> String {
    let e = one(s, sql).unwrap_err();
    assert!(
        !e.contains("not supported offline yet"),
        "{sql}: refused: {e}"
    );
    e
}

const NO_FUNCTION: &str = "(help: No function matches the given name and argument types. You might need to add explicit type casts.)";

#[test]
fn argument_defaults_follow_func_get_detail() {
    let s = fixture_schema();
    let col = |sql: &str| {
        let q = one(&s, sql).unwrap();
        q.columns
            .iter()
            .map(|c| c.ty.display_name())
            .collect::<Vec<_>>()
    };
    // Trailing parameters with defaults may be left out.
    assert_eq!(
        col("SELECT greet('a'), greet('a', '?'), greet('a', '?', true)"),
        ["text", "text", "text"]
    );
    // pick(integer) and pick(integer, integer DEFAULT 0) both match pick(1): not unique...
    assert_eq!(
        pg_error(&s, "SELECT pick(1)"),
        "function pick(integer) is not unique (help: Could not choose a best candidate function. You might need to add explicit type casts.)"
    );
    // ... but only the second matches two arguments.
    assert_eq!(col("SELECT pick(1, 2)"), ["text"]);
    // A parameter without a default cannot be left out.
    assert_eq!(
        pg_error(&s, "SELECT greet()"),
        format!("function greet() does not exist {NO_FUNCTION}")
    );
}

#[test]
fn named_and_mixed_notation_follow_match_named_call() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT greet(punct => '?', name => $1), greet('a', shout := $2), make_interval(days => $3)",
    )
    .unwrap();
    let params: Vec<String> = q.params.iter().map(|p| p.ty.display_name()).collect();
    assert_eq!(params, ["text", "boolean", "integer"]);
    assert_eq!(
        pg_error(&s, "SELECT greet(nam => 'a')"),
        format!("function greet(nam => unknown) does not exist {NO_FUNCTION}")
    );
    // A named argument may not bind a parameter a positional one already binds.
    assert_eq!(
        pg_error(&s, "SELECT greet('a', name => 'b')"),
        format!("function greet(unknown, name => unknown) does not exist {NO_FUNCTION}")
    );
    assert_eq!(
        pg_error(&s, "SELECT greet(name => 'a', '?')"),
        "positional argument cannot follow named argument"
    );
    assert_eq!(
        pg_error(&s, "SELECT greet(name => 'a', name => 'b')"),
        r#"argument name "name" used more than once"#
    );
    // Named notation never expands a variadic parameter.
    assert_eq!(
        pg_error(&s, "SELECT concat(str => 'a')"),
        format!("function concat(str => unknown) does not exist {NO_FUNCTION}")
    );
    assert_eq!(
        pg_error(&s, "SELECT max(x => 1)"),
        format!("function max(x => integer) does not exist {NO_FUNCTION}")
    );
}

#[test]
fn whole_row_references_are_the_row_type() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT p, count(o.*) OVER () AS n, (SELECT c FROM (SELECT 1) c) AS sub \
         FROM pets p LEFT JOIN people o ON o.id = p.owner_id",
    )
    .unwrap();
    let cols: Vec<(String, String, bool)> = q
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.display_name(), c.nullable))
        .collect();
    assert_eq!(
        cols,
        [
            ("p".into(), "pets".into(), false),
            ("n".into(), "bigint".into(), false),
            ("sub".into(), "record".into(), true),
        ]
    );
    // A column of that name wins over the FROM item.
    let q = one(&s, "SELECT name FROM people name").unwrap();
    assert_eq!(q.columns[0].ty.display_name(), "text");
    assert_eq!(
        pg_error(&s, "SELECT count(q.*) FROM people p"),
        r#"missing FROM-clause entry for table "q""#
    );
}

#[test]
fn row_constructors_compare_field_by_field() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT ROW(id, name) AS r FROM people WHERE (id, name) = ($1, $2) AND (age, nick) IN (SELECT 1, $3)",
    )
    .unwrap();
    let params: Vec<String> = q.params.iter().map(|p| p.ty.display_name()).collect();
    // The subquery's `$3` is resolved as text before the comparison sees it.
    assert_eq!(params, ["bigint", "text", "text"]);
    assert_eq!(q.columns[0].ty.display_name(), "record");
    assert_eq!(
        pg_error(&s, "SELECT (1, 2) = (1, 2, 3)"),
        "unequal number of entries in row expressions"
    );
    assert_eq!(
        pg_error(&s, "SELECT 1 FROM people WHERE (id, name) IN (SELECT 1)"),
        "subquery has too few columns"
    );
}

#[test]
fn with_ordinality_adds_a_bigint_column() {
    let s = fixture_schema();
    let cols = |sql: &str| -> Vec<(String, String, bool)> {
        one(&s, sql)
            .unwrap()
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.display_name(), c.nullable))
            .collect()
    };
    let c = |n: &str, t: &str, nullable: bool| (n.to_string(), t.to_string(), nullable);
    assert_eq!(
        cols("SELECT * FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord)"),
        [c("id", "uuid", true), c("ord", "bigint", false)]
    );
    // Without aliases: the function's lone OUT parameter names its column, then `ordinality`.
    assert_eq!(
        cols("SELECT * FROM jsonb_array_elements('[]') WITH ORDINALITY AS e"),
        [c("value", "jsonb", true), c("ordinality", "bigint", false)]
    );
    // Several arrays: one column each, padded with NULLs.
    assert_eq!(
        cols("SELECT * FROM unnest(ARRAY[1], ARRAY['a']) WITH ORDINALITY"),
        [
            c("unnest", "integer", true),
            c("unnest", "text", true),
            c("ordinality", "bigint", false)
        ]
    );
    assert_eq!(
        pg_error(
            &s,
            "SELECT * FROM unnest(ARRAY[1]) WITH ORDINALITY AS t(a, b, c)"
        ),
        r#"table "t" has 2 columns available but 3 columns specified"#
    );
}

#[test]
fn sql_value_functions_in_from() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT * FROM CURRENT_DATE, current_schema, localtimestamp AS ts",
    )
    .unwrap();
    let cols: Vec<(String, String, bool)> = q
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.display_name(), c.nullable))
        .collect();
    assert_eq!(
        cols,
        [
            ("current_date".into(), "date".into(), false),
            ("current_schema".into(), "name".into(), true),
            ("ts".into(), "timestamp without time zone".into(), false),
        ]
    );
    assert_eq!(
        pg_error(&s, "SELECT today.nope FROM current_date AS today"),
        "column today.nope does not exist"
    );
}

#[test]
fn lock_table_checks_its_relations() {
    let s = fixture_schema();
    let q = one(&s, "LOCK TABLE people, pet_owners IN ACCESS EXCLUSIVE MODE").unwrap();
    assert!(q.params.is_empty() && q.columns.is_empty());
    assert_eq!(
        pg_error(&s, "LOCK TABLE peopel"),
        r#"relation "peopel" does not exist (help: did you mean "people"?)"#
    );
    assert_eq!(
        pg_error(&s, "LOCK pet_counts IN SHARE MODE"),
        r#"cannot lock relation "pet_counts" (help: This operation is not supported for materialized views.)"#
    );
}

#[test]
fn polymorphic_range_operators_on_schema_ranges() {
    let s = fixture_schema();
    let q = one(
        &s,
        "SELECT upper(span) AS hi, range_merge(span, $1) AS m FROM slots WHERE span @> $2::float8",
    )
    .unwrap();
    let params: Vec<String> = q.params.iter().map(|p| p.ty.display_name()).collect();
    assert_eq!(params, ["weightrange", "double precision"]);
    let cols: Vec<String> = q.columns.iter().map(|c| c.ty.display_name()).collect();
    assert_eq!(cols, ["double precision", "weightrange"]);
    // The element must be the range's subtype (no implicit cast inside polymorphism).
    assert_eq!(
        pg_error(&s, "SELECT int8range(1, 5) @> 1"),
        "operator does not exist: int8range @> integer (help: No operator matches the given name and argument types. You might need to add explicit type casts.)"
    );
}

#[test]
fn operators_on_schema_types_that_match_nothing_are_errors() {
    let s = fixture_schema();
    // No operator of these names in the schema, no cast of its own, no extension squill has
    // no data for: the candidates are PostgreSQL's, and none matches.
    assert_eq!(
        pg_error(&s, "SELECT id FROM slots WHERE span @> 2"),
        "operator does not exist: weightrange @> integer (help: No operator matches the given name and argument types. You might need to add explicit type casts.)"
    );
    assert_eq!(
        pg_error(&s, "SELECT -span FROM slots"),
        "operator does not exist: - weightrange (help: No operator matches the given name and argument type. You might need to add an explicit type cast.)"
    );
    assert_eq!(
        pg_error(&s, "SELECT shape + 1 FROM boxes"),
        "operator does not exist: dims + integer (help: No operator matches the given name and argument types. You might need to add explicit type casts.)"
    );
    // The schema defines `~>>` (text, text): its candidates are not modeled, whatever the
    // operands.
    for sql in [
        "SELECT name ~>> 'm' FROM people",
        "SELECT name ~>> 1 FROM people",
    ] {
        let e = one(&s, sql).unwrap_err();
        assert!(
            e.contains("operator ~>> (the schema defines an operator of that name)")
                && e.contains("not supported offline yet"),
            "{sql}: {e}"
        );
    }
    // A cast of the schema's own may make an operator match: refused.
    let schema = |extra: &str| {
        let text = format!(
            "CREATE TYPE wr AS RANGE (SUBTYPE = float8);\n\
             CREATE TABLE t (span wr);\n{extra}"
        );
        let (catalog, problems, _) = catalog::from_ddl(&[SourceFile::new("s.sql", text)]);
        assert!(problems.is_empty(), "{problems:?}");
        Schema::from_catalog(&catalog)
    };
    let plain = schema("");
    assert!(
        one(&plain, "SELECT span @> 2 FROM t")
            .unwrap_err()
            .starts_with("operator does not exist: wr @> integer")
    );
    let with_cast = schema(
        "CREATE FUNCTION wr_of(integer) RETURNS wr LANGUAGE sql AS $$ SELECT wr($1, $1) $$;\n\
         CREATE CAST (integer AS wr) WITH FUNCTION wr_of(integer) AS IMPLICIT;\n",
    );
    let e = one(&with_cast, "SELECT span @> 2 FROM t").unwrap_err();
    assert!(e.contains("not supported offline yet"), "{e}");
}

#[test]
fn functions_returning_a_row_type_expand_in_from() {
    let s = fixture_schema();
    let q = one(&s, "SELECT * FROM pets_of(1)").unwrap();
    let cols: Vec<String> = q.columns.iter().map(|c| c.name.clone()).collect();
    assert_eq!(cols, ["id", "owner_id", "name", "weight"]);
    assert!(q.columns.iter().all(|c| c.nullable));
    assert_eq!(
        pg_error(&s, "SELECT p.nope FROM pets_of(1) p"),
        r#"column p.nope does not exist (help: did you mean "name"?)"#
    );
}

#[test]
fn wildcards_of_tables_are_spelled_out_in_the_sql_sent() {
    let s = fixture_schema();
    let sent = |sql: &str| one(&s, sql).unwrap().sql;
    assert_eq!(
        sent("SELECT * FROM toys"),
        "SELECT toys.id, toys.pet_id, toys.label FROM toys"
    );
    assert_eq!(
        sent("SELECT t.*, p.name FROM toys t JOIN pets p ON p.id = t.pet_id"),
        "SELECT t.id, t.pet_id, t.label, p.name FROM toys t JOIN pets p ON p.id = t.pet_id"
    );
    assert_eq!(
        sent("SELECT * FROM toys t CROSS JOIN pet_owners"),
        "SELECT t.id, t.pet_id, t.label, pet_owners.pet_id, pet_owners.pet, pet_owners.owner FROM toys t CROSS JOIN pet_owners"
    );
    assert_eq!(
        sent("INSERT INTO toys (pet_id, label) VALUES (1, 'x') RETURNING *"),
        "INSERT INTO toys (pet_id, label) VALUES (1, 'x') RETURNING toys.id, toys.pet_id, toys.label"
    );
    assert_eq!(
        sent("DELETE FROM toys AS t WHERE id = 1 RETURNING t.*"),
        "DELETE FROM toys AS t WHERE id = 1 RETURNING t.id, t.pet_id, t.label"
    );
    // Left as written: USING merges columns; a CTE shadows the table; subqueries and
    // functions are not relations; UPDATE … FROM.
    for sql in [
        "SELECT * FROM toys JOIN pets USING (id)",
        "WITH toys AS (SELECT 1 AS id) SELECT * FROM toys",
        "WITH toys AS (SELECT 1 AS id) SELECT toys.* FROM toys",
        "SELECT x.* FROM (SELECT id FROM toys) x",
        "SELECT * FROM generate_series(1, 3)",
        "UPDATE toys SET label = 'y' FROM pets WHERE pets.id = toys.pet_id RETURNING *",
        "SELECT * FROM toys UNION ALL SELECT * FROM toys",
    ] {
        assert_eq!(sent(sql), sql);
    }
}

/// TRUNCATE's relations are checked when it runs (`ExecuteTruncate`), not when it is prepared,
/// so these are not in the fixtures that `tests/analyze.rs` holds to PREPARE; each message is
/// PostgreSQL's when the statement runs.
#[test]
fn truncate_checks_its_relations() {
    let s = fixture_schema();
    assert!(one(&s, "TRUNCATE people, ONLY pets RESTART IDENTITY CASCADE").is_ok());
    for (sql, message) in [
        (
            "TRUNCATE peple",
            r#"relation "peple" does not exist (help: did you mean "people"?)"#,
        ),
        ("TRUNCATE pet_owners", r#""pet_owners" is not a table"#),
        ("TRUNCATE pet_counts", r#""pet_counts" is not a table"#),
        (
            "TRUNCATE pg_class",
            r#"permission denied: "pg_class" is a system catalog"#,
        ),
    ] {
        assert_eq!(one(&s, sql).unwrap_err(), message, "{sql}");
    }
}

/// Writing to a sequence is rejected when the statement runs (`CheckValidResultRel`: PREPARE
/// accepts it, so this is not a fixture).
#[test]
fn sequences_are_read_only_relations() {
    let s = fixture_schema();
    for sql in [
        "UPDATE ticket_seq SET log_cnt = 1",
        "DELETE FROM ticket_seq",
        "INSERT INTO ticket_seq VALUES (1, 1, true)",
    ] {
        assert_eq!(
            one(&s, sql).unwrap_err(),
            r#"cannot change sequence "ticket_seq""#,
            "{sql}"
        );
    }
}

/// pgvector's objects known offline once the schema runs `CREATE EXTENSION vector` (from its
/// install script, `codegen/builtins/pgvector.tsv`). Offline only: pgvector cannot be installed
/// on the test machine, so no live server checks these; each expected type is what pgvector's
/// declarations give under PostgreSQL's resolution rules.
#[test]
fn pgvector_is_known_offline() {
    let text = "CREATE EXTENSION IF NOT EXISTS vector;\n\
        CREATE TABLE docs (\n\
            id bigserial PRIMARY KEY,\n\
            embedding vector(3) NOT NULL,\n\
            half halfvec(3),\n\
            sparse sparsevec(5),\n\
            bits bit(3) NOT NULL\n\
        );\n";
    let (catalog, problems, _) = catalog::from_ddl(&[SourceFile::new("s.sql", text)]);
    assert!(problems.is_empty(), "{problems:?}");
    let s = Schema::from_catalog(&catalog);
    let types = |sql: &str| -> (Vec<String>, Vec<String>) {
        let q = one(&s, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        (
            q.params.iter().map(|p| p.ty.display_name()).collect(),
            q.columns.iter().map(|c| c.ty.display_name()).collect(),
        )
    };
    // Distance operators and functions; a parameter compared with a vector is a vector.
    assert_eq!(
        types(
            "SELECT embedding <-> $1 AS l2, embedding <=> $1 AS cosine, embedding <#> $1 AS ip, \
             embedding <+> $1 AS l1, half <-> half AS h, sparse <=> sparse AS s, \
             bits <~> bits AS hamming, bits <%> bits AS jaccard \
             FROM docs ORDER BY embedding <-> $1 LIMIT 5"
        ),
        (
            vec!["vector".into()],
            vec!["double precision".to_string(); 8]
        )
    );
    assert_eq!(
        types(
            "SELECT l2_distance(embedding, '[1,2,3]'), cosine_distance(half, half), \
             inner_product(sparse, sparse), l1_distance(embedding, embedding), \
             hamming_distance(bits, bits), jaccard_distance(bits, bits) FROM docs"
        )
        .1,
        vec!["double precision"; 6]
    );
    assert_eq!(
        types(
            "SELECT vector_dims(embedding), vector_norm(embedding), l2_norm(half), \
             l2_normalize(embedding), binary_quantize(embedding), subvector(embedding, 1, 2), \
             embedding + embedding, embedding - embedding, embedding * embedding, \
             embedding || embedding, embedding = $1, embedding < embedding FROM docs"
        ),
        (
            vec!["vector".into()],
            [
                "integer",
                "double precision",
                "double precision",
                "vector",
                "bit",
                "vector",
                "vector",
                "vector",
                "vector",
                "vector",
                "boolean",
                "boolean"
            ]
            .map(String::from)
            .to_vec()
        )
    );
    // Aggregates.
    assert_eq!(
        types("SELECT avg(embedding), sum(embedding), avg(half) FROM docs").1,
        ["vector", "vector", "halfvec"]
    );
    // Casts between the vector types and arrays.
    assert_eq!(
        types(
            "SELECT embedding::halfvec, half::vector, embedding::sparsevec, sparse::vector, \
             embedding::real[], ARRAY[1, 2, 3]::vector, ARRAY[1.5]::vector, \
             '{1,2}'::float8[]::vector, '[1,2]'::vector, $1::halfvec FROM docs"
        ),
        (
            vec!["halfvec".into()],
            [
                "halfvec",
                "vector",
                "sparsevec",
                "vector",
                "real[]",
                "vector",
                "vector",
                "vector",
                "vector",
                "halfvec"
            ]
            .map(String::from)
            .to_vec()
        )
    );
    // Assignment casts: arrays into a vector column.
    assert_eq!(
        types("INSERT INTO docs (embedding, bits) VALUES ($1, $2) RETURNING embedding, half").0,
        ["vector", "bit"]
    );
    assert!(
        one(
            &s,
            "INSERT INTO docs (embedding, bits) VALUES (ARRAY[1, 2, 3], '101')"
        )
        .is_ok()
    );
    assert!(one(&s, "UPDATE docs SET embedding = $1::real[]").is_ok());
    // What pgvector does not declare does not exist.
    for (sql, message) in [
        (
            "SELECT embedding <-> 1 FROM docs",
            "operator does not exist: vector <-> integer",
        ),
        (
            "SELECT sparse + sparse FROM docs",
            "operator does not exist: sparsevec + sparsevec",
        ),
        (
            "SELECT vector_dims(sparse) FROM docs",
            "function vector_dims(sparsevec) does not exist",
        ),
    ] {
        let e = one(&s, sql).unwrap_err();
        assert!(e.starts_with(message), "{sql}: {e}");
    }
}

/// `:copyfrom` sends each value as its column's type (binary COPY), so a parameter cast in its
/// VALUES must be to that type: PostgreSQL accepts the INSERT either way, so this is squill's
/// own check, not a fixture.
#[test]
fn copyfrom_casts_must_be_to_the_column_type() {
    let s = fixture_schema();
    let copy = |sql: &str| {
        let text = format!("-- name: Q :copyfrom\n{sql};\n");
        let file = SourceFile::new("q.sql", text);
        let (raws, problems) = parse_query_file(&file);
        assert!(problems.is_empty(), "{problems:?}");
        analyze(&s, &raws[0], &file).map_err(|d| d.message)
    };
    let q = copy("INSERT INTO toys (pet_id, label) VALUES ($1::int, CAST($2 AS text))").unwrap();
    let types: Vec<String> = q.params.iter().map(|p| p.ty.display_name()).collect();
    assert_eq!(types, ["integer", "text"]);
    assert_eq!(
        copy("INSERT INTO toys (pet_id, label) VALUES ($1::bigint, $2)").unwrap_err(),
        "`:copyfrom` sends each value as its column's type: $1 is cast to bigint, but column \"pet_id\" is of type integer"
    );
}
