//! The six reproducers of issue 10, each a query (or a migration) PostgreSQL rejects that used
//! to pass `cargo build`: each must fail generation through [`Builder`] (the path `build.rs`
//! takes) at the offending file:line:col, with PostgreSQL's message and a help. One snapshot of
//! the rendered diagnostics, reviewed by hand. With the default `analysis = "auto"`, an offline
//! rejection is also prepared on a throwaway server, which adds `PostgreSQL rejects this query
//! too`.

use squill_codegen::Builder;

const SCHEMA: &str = "\
CREATE TABLE shops (
    id uuid PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE orders (
    id uuid PRIMARY KEY,
    shop_id uuid NOT NULL REFERENCES shops (id),
    code text NOT NULL,
    total numeric NOT NULL
);
";

/// The rendered diagnostics of generating a project of `migrations` and one query file,
/// which must fail.
fn errors(migrations: &[(&str, &str)], queries: &str) -> String {
    errors_with_schema(migrations, None, queries)
}

/// [`errors`] with the schema setting pointing at `schema` (a path in the project).
fn errors_with_schema(migrations: &[(&str, &str)], schema: Option<&str>, queries: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    for (name, sql) in migrations {
        std::fs::write(dir.path().join("schema").join(name), sql).unwrap();
    }
    std::fs::write(dir.path().join("queries/orders.sql"), queries).unwrap();
    let mut builder = Builder::new().root(dir.path());
    if let Some(schema) = schema {
        builder = builder.schema(schema);
    }
    match builder.generate() {
        Ok(_) => panic!("generation should have failed:\n{queries}"),
        Err(diagnostics) => diagnostics.render(),
    }
}

#[test]
fn issue_10_reproducers_fail_the_build_at_the_offending_token() {
    let init = [("0001_init.sql", SCHEMA)];
    let cases: Vec<(&str, String)> = vec![
        (
            "an ungrouped column next to an aggregate, no GROUP BY",
            errors(
                &init,
                "-- name: ShopOrderCount :many\nSELECT shop_id, count(*) FROM orders;\n",
            ),
        ),
        (
            "an aggregate in WHERE",
            errors(
                &init,
                "-- name: BusyShops :many\nSELECT shop_id FROM orders WHERE count(*) > 0;\n",
            ),
        ),
        (
            "a literal uuid's input function rejects",
            errors(
                &init,
                "-- name: OrderById :one\nSELECT code FROM orders WHERE id = 'abc';\n",
            ),
        ),
        (
            "ON CONFLICT ... DO UPDATE SET a column that does not exist",
            errors(
                &init,
                "-- name: UpsertOrder :exec\n\
                 INSERT INTO orders (id, shop_id, code, total) VALUES (@id, @shop_id, @code, 0)\n\
                 ON CONFLICT (id) DO UPDATE SET code_typo = 1;\n",
            ),
        ),
        (
            "ON CONFLICT DO UPDATE without an inference specification",
            errors(
                &init,
                "-- name: UpsertOrder :exec\n\
                 INSERT INTO orders (id, shop_id, code, total) VALUES (@id, @shop_id, @code, 0)\n\
                 ON CONFLICT DO UPDATE SET code = excluded.code;\n",
            ),
        ),
        (
            "a function only a migration the schema setting does not list defines",
            errors_with_schema(
                &[
                    ("0001_init.sql", SCHEMA),
                    (
                        "0002_totals.sql",
                        "CREATE FUNCTION shop_total(shop uuid) RETURNS numeric\n\
                         LANGUAGE sql AS $$ SELECT sum(total) FROM orders WHERE shop_id = shop $$;\n",
                    ),
                ],
                Some("schema/0001_init.sql"),
                "-- name: ShopTotal :one\nSELECT shop_total(@shop_id::uuid) AS total;\n",
            ),
        ),
        (
            "a function no migration defines",
            errors(
                &init,
                "-- name: ShopTotal :one\nSELECT shop_total(@shop_id::uuid) AS total;\n",
            ),
        ),
        (
            "a migration with `CREAT TABLE`",
            errors(
                &[
                    ("0001_init.sql", SCHEMA),
                    (
                        "0002_refunds.sql",
                        "-- Refunds.\nCREAT TABLE refunds (id uuid PRIMARY KEY);\n",
                    ),
                ],
                "-- name: OrderCodes :many\nSELECT code FROM orders;\n",
            ),
        ),
    ];
    let mut out = String::new();
    for (what, rendered) in cases {
        out.push_str(&format!("==== {what}\n{rendered}\n"));
    }
    insta::assert_snapshot!(out);
}
