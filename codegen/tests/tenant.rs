//! The tenant rule (`[tenant]`): queries that pass it, each violation of the bad-input
//! list as its own test (snapshots of the rendered diagnostics), the cross-tenant directive,
//! row-level security, and the generated API that takes the tenant first.

mod support;

use std::path::Path;

use squill_codegen::Builder;
use squill_codegen::config::Analysis;

const SCHEMA: &str = "CREATE TABLE shops (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE currencies (code text PRIMARY KEY, shop_id uuid);
CREATE TABLE customers (
    id uuid PRIMARY KEY,
    shop_id uuid NOT NULL REFERENCES shops,
    name text NOT NULL,
    previous_shop_id uuid
);
CREATE TABLE orders (
    id uuid PRIMARY KEY,
    shop_id uuid NOT NULL REFERENCES shops,
    customer_id uuid NOT NULL REFERENCES customers,
    total bigint NOT NULL,
    note text
);
CREATE TABLE items (
    shop_id uuid NOT NULL,
    order_id uuid NOT NULL REFERENCES orders,
    sku text NOT NULL,
    PRIMARY KEY (shop_id, order_id, sku)
);
CREATE TABLE archive (id uuid PRIMARY KEY, shop_id uuid NOT NULL, total bigint NOT NULL);
CREATE VIEW order_totals AS
    SELECT shop_id, customer_id, sum(total) AS total FROM orders GROUP BY shop_id, customer_id;
";

const CONFIG: &str = "analysis = \"offline\"
[tenant]
column = \"shop_id\"
tables = { shops = \"id\" }
exempt = [\"currencies\"]
";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(schema: &str, config: &str, queries: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("schema")).unwrap();
        std::fs::create_dir(dir.path().join("queries")).unwrap();
        std::fs::write(dir.path().join("schema/0001_init.sql"), schema).unwrap();
        std::fs::write(dir.path().join("queries/q.sql"), queries).unwrap();
        std::fs::write(dir.path().join("squill.toml"), config).unwrap();
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn builder(&self) -> Builder {
        Builder::new().root(self.path()).analysis(Analysis::Offline)
    }

    fn errors(&self) -> String {
        match self.builder().generate() {
            Ok(_) => panic!("the tenant rule should have rejected a query"),
            Err(diagnostics) => diagnostics.render(),
        }
    }
}

/// The rendered errors of one query against the test schema.
fn violation(query: &str) -> String {
    Project::new(SCHEMA, CONFIG, query).errors()
}

/// Each query passes; returns `(query name, tenant parameter name)` for each.
fn passing(queries: &str) -> Vec<(String, Option<String>)> {
    let project = Project::new(SCHEMA, CONFIG, queries);
    let packages = match project.builder().analyze() {
        Ok(p) => p,
        Err(d) => panic!("{}", d.render()),
    };
    packages[0].set.modules[0]
        .queries
        .iter()
        .map(|q| {
            let param = q.tenancy.param.map(|i| q.params[i].name.clone());
            (q.name.clone(), param)
        })
        .collect()
}

#[test]
fn scoped_queries_pass_and_name_their_tenant_parameter() {
    let queries = "\
-- name: ByParam :many
SELECT id, total FROM orders WHERE shop_id = @shop_id;

-- name: Joined :many
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id AND c.shop_id = o.shop_id
WHERE o.shop_id = @shop_id;

-- name: JoinUsing :many
SELECT o.id, i.sku FROM orders o JOIN items i USING (shop_id) WHERE o.shop_id = @shop_id AND i.order_id = o.id;

-- name: ScopedBySubquery :many
SELECT id FROM orders WHERE shop_id IN (SELECT id FROM shops WHERE id = @shop) AND total > 0;

-- name: Correlated :many
SELECT o.id FROM orders o WHERE o.shop_id = @shop_id
  AND EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id AND i.shop_id = o.shop_id);

-- name: ThroughDerived :many
SELECT t.id FROM (SELECT id, shop_id FROM orders) t WHERE t.shop_id = @shop_id;

-- name: ThroughCte :many
WITH recent AS (SELECT id, shop_id FROM orders WHERE total > 10)
SELECT id FROM recent WHERE shop_id = @shop_id;

-- name: ThroughView :many
SELECT customer_id, total FROM order_totals WHERE shop_id = @shop_id;

-- name: LeftJoinScopedOnBothSides :many
SELECT o.id, i.sku FROM orders o LEFT JOIN items i ON i.order_id = o.id AND i.shop_id = o.shop_id
WHERE o.shop_id = @shop_id;

-- name: Exempt :many
SELECT code FROM currencies;

-- name: ShopItself :one
SELECT name FROM shops WHERE id = @shop_id;

-- name: Insert :exec
INSERT INTO orders (id, shop_id, customer_id, total) VALUES (@id, @shop_id, @customer_id, @total);

-- name: InsertFromScopedSource :exec
INSERT INTO archive (id, shop_id, total) SELECT id, shop_id, total FROM orders WHERE shop_id = @shop_id;

-- name: Update :execrows
UPDATE orders SET note = @note WHERE id = @id AND shop_id = @shop_id;

-- name: UpdateFrom :exec
UPDATE orders o SET total = a.total FROM archive a WHERE a.id = o.id AND a.shop_id = o.shop_id AND o.shop_id = @shop_id;

-- name: Delete :exec
DELETE FROM orders WHERE shop_id = @shop_id AND id = ANY(@ids::uuid[]);

-- name: Upsert :exec
INSERT INTO items (shop_id, order_id, sku) VALUES (@shop_id, @order_id, @sku)
ON CONFLICT (shop_id, order_id, sku) DO UPDATE SET sku = EXCLUDED.sku;

-- name: Copy :copyfrom
INSERT INTO items (shop_id, order_id, sku) VALUES (@shop_id, @order_id, @sku);

-- name: Union :many
SELECT id FROM orders WHERE shop_id = @shop_id UNION SELECT id FROM archive WHERE shop_id = @shop_id;

-- name: Recursive :many
WITH RECURSIVE chain AS (
    SELECT id, shop_id FROM orders WHERE shop_id = @shop_id
    UNION ALL
    SELECT o.id, o.shop_id FROM orders o JOIN chain c ON o.customer_id = c.id AND o.shop_id = c.shop_id
)
SELECT id FROM chain;
";
    let passed = passing(queries);
    let tenant = |name: &str| {
        passed
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .1
            .clone()
    };
    assert_eq!(passed.len(), 20);
    assert_eq!(tenant("ByParam").as_deref(), Some("shop_id"));
    assert_eq!(tenant("ScopedBySubquery").as_deref(), Some("shop"));
    assert_eq!(tenant("Exempt"), None);
    assert_eq!(tenant("ThroughView").as_deref(), Some("shop_id"));
}

#[test]
fn scoping_under_or_is_a_violation() {
    insta::assert_snapshot!(violation(
        "-- name: Or :many\nSELECT id FROM orders WHERE shop_id = @shop_id OR total > 100;\n"
    ));
}

#[test]
fn scoping_through_a_nullable_parameter_is_a_violation() {
    insta::assert_snapshot!(violation(
        "-- name: Optional :many\nSELECT id FROM orders o\nWHERE (@shop_id::uuid IS NULL OR o.shop_id = @shop_id) AND o.shop_id = sqlc.narg(shop_id);\n"
    ));
}

#[test]
fn scoping_only_inside_a_subquery_does_not_scope_the_outer_table() {
    insta::assert_snapshot!(violation(
        "-- name: Inner :many\nSELECT o.id FROM orders o\nWHERE o.customer_id IN (SELECT c.id FROM customers c WHERE c.shop_id = @shop_id);\n"
    ));
}

#[test]
fn insert_select_from_an_unscoped_source_is_a_violation() {
    insta::assert_snapshot!(violation(
        "-- name: Archive :exec\nINSERT INTO archive (id, shop_id, total)\nSELECT id, shop_id, total FROM orders WHERE total > @min;\n"
    ));
}

#[test]
fn update_setting_the_tenant_column_from_another_column_is_a_violation() {
    insta::assert_snapshot!(violation(
        "-- name: Move :exec\nUPDATE customers SET shop_id = previous_shop_id WHERE shop_id = @shop_id;\n"
    ));
}

#[test]
fn a_left_join_on_clause_does_not_scope_the_preserved_side() {
    insta::assert_snapshot!(violation(
        "-- name: Left :many\nSELECT o.id FROM orders o LEFT JOIN items i ON i.order_id = o.id AND o.shop_id = @shop_id;\n"
    ));
}

#[test]
fn a_view_read_without_its_tenant_is_a_violation_at_the_view() {
    insta::assert_snapshot!(violation(
        "-- name: AllTotals :many\nSELECT customer_id, total FROM order_totals;\n"
    ));
}

#[test]
fn an_upsert_on_a_key_without_the_tenant_may_update_another_tenant() {
    insta::assert_snapshot!(violation(
        "-- name: Upsert :exec\nINSERT INTO orders (id, shop_id, customer_id, total) VALUES (@id, @shop_id, @customer_id, @total)\nON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total;\n"
    ));
}

#[test]
fn an_insert_without_the_tenant_column_is_a_violation() {
    insta::assert_snapshot!(violation(
        "-- name: NoTenant :exec\nINSERT INTO archive (id, total) VALUES (@id, @total);\n"
    ));
}

#[test]
fn two_tenant_parameters_are_a_violation() {
    insta::assert_snapshot!(violation(
        "-- name: Two :many\nSELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id\nWHERE o.shop_id = @a AND c.shop_id = @b;\n"
    ));
}

#[test]
fn cross_tenant_needs_a_reason_and_skips_the_rule() {
    let ok = Project::new(
        SCHEMA,
        CONFIG,
        "-- squill:cross-tenant nightly report over every shop\n-- Sums every shop.\n-- name: Totals :many\nSELECT shop_id, sum(total) FROM orders GROUP BY shop_id;\n",
    );
    let generated = ok.builder().generate().unwrap();
    let query = &generated.packages[0].set.modules[0].queries[0];
    assert_eq!(
        query.tenancy.cross_tenant.as_deref(),
        Some("nightly report over every shop")
    );
    assert_eq!(query.doc, ["Sums every shop."]);
    assert!(
        generated
            .code
            .contains("Cross-tenant: nightly report over every shop"),
        "{}",
        generated.code
    );
    insta::assert_snapshot!(violation(
        "-- squill:cross-tenant\n-- name: Totals :many\nSELECT shop_id, sum(total) FROM orders GROUP BY shop_id;\n"
    ));
}

#[test]
fn tenant_keys_are_checked_against_the_schema() {
    let project = Project::new(
        SCHEMA,
        "analysis = \"offline\"\n[tenant]\ncolumn = \"shop_id\"\ntables = { shop = \"id\", customers = \"shopid\" }\nexempt = [\"currency\"]\n",
        "-- name: A :one\nSELECT 1;\n",
    );
    insta::assert_snapshot!(project.errors());
}

const RLS: &str = "ALTER TABLE archive ENABLE ROW LEVEL SECURITY;
CREATE POLICY archive_shop ON archive USING (shop_id = current_setting('app.tenant_id')::uuid);
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_shop ON items USING (shop_id = current_setting('app.tenant_id')::uuid);
CREATE POLICY items_open ON items FOR SELECT USING (true);
";

#[test]
fn a_row_level_security_policy_on_the_setting_scopes_its_table() {
    let schema = format!("{SCHEMA}{RLS}");
    let project = Project::new(
        &schema,
        CONFIG,
        "-- name: Archived :many\nSELECT id, total FROM archive WHERE total > @min;\n",
    );
    let packages = project.builder().analyze().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&squill_codegen::json::render_packages(&packages)).unwrap();
    assert_eq!(
        json["queries"][0]["tenant"],
        serde_json::json!({ "policies": ["archive_shop on archive"] })
    );
    // A second permissive policy that does not pin the tenant opens the table again (PostgreSQL
    // ORs permissive policies).
    let open = Project::new(
        &schema,
        CONFIG,
        "-- name: AllItems :many\nSELECT sku FROM items;\n",
    );
    assert!(open.errors().contains("table \"items\" is not scoped"));
}

/// The catalog's row-level security is what PostgreSQL has (the same verdict from the DDL and
/// from `pg_policy`), and PostgreSQL itself returns only the tenant's rows through the policy.
#[test]
fn row_level_security_is_read_as_postgresql_has_it() {
    use squill_codegen::catalog::{from_database, from_ddl};
    use squill_codegen::diagnostic::SourceFile;
    let schema = format!("{SCHEMA}{RLS}");
    let (ddl, diagnostics, _) = from_ddl(&[SourceFile::new("schema.sql", schema.as_str())]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let server = squill_codegen::live::TempServer::start().unwrap();
    let mut admin = server.connect("postgres").unwrap();
    admin.batch_execute(&schema).unwrap();
    let live = from_database(&mut admin).unwrap();
    let tenant = squill_codegen::config::Config::parse(&SourceFile::new("squill.toml", CONFIG))
        .unwrap()
        .tenant
        .unwrap();
    let from_ddl = squill_codegen::tenant::Rule::new(&tenant, &ddl)
        .scoped_by_policy()
        .clone();
    let from_live = squill_codegen::tenant::Rule::new(&tenant, &live)
        .scoped_by_policy()
        .clone();
    assert_eq!(from_ddl, from_live);
    assert_eq!(
        from_ddl.values().collect::<Vec<_>>(),
        ["archive_shop on archive"]
    );
    assert!(squill_codegen::catalog::diff(&ddl, &live).is_empty());
    // As a role the policy applies to, with the setting made, only one shop is seen.
    admin
        .batch_execute(
            "INSERT INTO shops VALUES ('00000000-0000-0000-0000-00000000000a', 'a'), ('00000000-0000-0000-0000-00000000000b', 'b');
             INSERT INTO archive VALUES (gen_random_uuid(), '00000000-0000-0000-0000-00000000000a', 1),
                                        (gen_random_uuid(), '00000000-0000-0000-0000-00000000000b', 2);
             CREATE ROLE app_user;
             GRANT SELECT ON archive TO app_user;
             SET ROLE app_user;
             SET app.tenant_id = '00000000-0000-0000-0000-00000000000a';",
        )
        .unwrap();
    let totals: Vec<i64> = admin
        .query("SELECT total FROM archive", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(totals, [1]);
}

/// `[tenant] newtype = true`: tenant-scoped functions take `types::Tenant` first, so another
/// uuid is a type error (the generated code compiles; the same call with a bare uuid does not).
#[test]
fn the_tenant_newtype_makes_another_id_a_type_error() {
    let config = format!("{CONFIG}newtype = true\n");
    let project = Project::new(
        SCHEMA,
        &config,
        "-- name: OrderTotal :one\nSELECT total FROM orders WHERE id = @id AND shop_id = @shop_id;\n",
    );
    let code = project
        .builder()
        .embed_migrations(false)
        .generate()
        .unwrap()
        .code;
    insta::assert_snapshot!(code);
    let call = |shop: &str| {
        format!(
            "pub async fn total(client: &impl ::squill::GenericClient, id: ::squill::re::uuid::Uuid, shop: {shop}) -> i64 {{\n    \
             crate::db::q::order_total(client, shop, id).await.unwrap()\n}}\n"
        )
    };
    let modules = |call: String| vec![("db".to_string(), code.clone()), ("call".to_string(), call)];
    let (ok, cargo) = support::compile_with_features(
        "tenant-newtype",
        &modules(call("&crate::db::types::Tenant")),
        &["async"],
    );
    assert!(ok, "the right call must compile:\n{cargo}");
    let (ok, cargo) = support::compile_with_features(
        "tenant-newtype",
        &modules(call("&::squill::re::uuid::Uuid")),
        &["async"],
    );
    assert!(!ok, "a bare uuid must not be accepted as the tenant");
    assert!(cargo.contains("E0308"), "{cargo}");
}

#[test]
fn a_row_comparison_equates_each_field() {
    let passed = passing(
        "-- name: Rows :many\nSELECT i.sku FROM orders o JOIN items i ON (i.order_id, i.shop_id) = (o.id, o.shop_id)\nWHERE o.shop_id = @shop_id;\n",
    );
    assert_eq!(passed[0].1.as_deref(), Some("shop_id"));
}

/// `squill lint` with `[tenant]`: a tenant table without row-level security while another has
/// it is a warning at its CREATE TABLE; none when no tenant table has it.
#[test]
fn lint_warns_about_a_tenant_table_without_row_level_security() {
    use squill_codegen::diagnostic::SourceFile;
    let tenant = squill_codegen::config::Config::parse(&SourceFile::new("squill.toml", CONFIG))
        .unwrap()
        .tenant;
    let lint = |schema: &str| {
        squill_codegen::lint::lint_sources_with_tenant(
            vec![SourceFile::new("0001_init.sql", schema)],
            &[],
            &[],
            tenant.as_ref(),
        )
        .unwrap()
    };
    let report = lint(&format!("{SCHEMA}{RLS}"));
    let warned: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == "tenant-table-without-row-level-security")
        .map(|f| f.diagnostic.render())
        .collect();
    // archive and items have it; customers, orders and shops do not.
    assert_eq!(warned.len(), 3, "{warned:#?}");
    insta::assert_snapshot!(warned.join("\n"));
    let none = lint(SCHEMA);
    assert!(
        none.findings
            .iter()
            .all(|f| f.rule != "tenant-table-without-row-level-security")
    );
}

/// PostgreSQL confirms each violation of the bad-input list: run with shop A's id (and NULL
/// for the optional parameter), each query reads or writes shop B's rows.
#[test]
fn postgresql_shows_each_violation_reaches_another_tenant() {
    let server = squill_codegen::live::TempServer::start().unwrap();
    let mut client = server.connect("postgres").unwrap();
    client.batch_execute(SCHEMA).unwrap();
    client
        .batch_execute(
            "INSERT INTO shops VALUES ('00000000-0000-0000-0000-00000000000a', 'a'), ('00000000-0000-0000-0000-00000000000b', 'b');
             INSERT INTO customers VALUES
               ('00000000-0000-0000-0000-0000000000ca', '00000000-0000-0000-0000-00000000000a', 'ca', '00000000-0000-0000-0000-00000000000b'),
               ('00000000-0000-0000-0000-0000000000cb', '00000000-0000-0000-0000-00000000000b', 'cb', NULL);
             INSERT INTO orders VALUES
               ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000ca', 10, NULL),
               ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-0000000000cb', 500, NULL),
               ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-0000000000ca', 20, NULL);",
        )
        .unwrap();
    let a: squill::re::uuid::Uuid = "00000000-0000-0000-0000-00000000000a".parse().unwrap();
    let b: squill::re::uuid::Uuid = "00000000-0000-0000-0000-00000000000b".parse().unwrap();
    let shops_of = |client: &mut postgres::Client,
                    sql: &str,
                    params: &[&(dyn postgres::types::ToSql + Sync)]| {
        let ids: Vec<squill::re::uuid::Uuid> = client
            .query(sql, params)
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let shops: Vec<squill::re::uuid::Uuid> = client
            .query("SELECT shop_id FROM orders WHERE id = ANY($1)", &[&ids])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        shops
    };
    // Under OR: a large order of shop B.
    let or = shops_of(
        &mut client,
        "SELECT id FROM orders WHERE shop_id = $1 OR total > 100",
        &[&a],
    );
    assert!(or.contains(&b), "{or:?}");
    // Through the optional parameter, NULL: every shop.
    let none: Option<squill::re::uuid::Uuid> = None;
    let optional = shops_of(
        &mut client,
        "SELECT id FROM orders o WHERE ($1::uuid IS NULL OR o.shop_id = $1)",
        &[&none],
    );
    assert!(optional.contains(&b), "{optional:?}");
    // Scoped only inside the subquery: shop B's order of shop A's customer.
    let inner = shops_of(
        &mut client,
        "SELECT o.id FROM orders o WHERE o.customer_id IN (SELECT c.id FROM customers c WHERE c.shop_id = $1)",
        &[&a],
    );
    assert!(inner.contains(&b), "{inner:?}");
    // A LEFT JOIN's ON clause: every order.
    let left = shops_of(
        &mut client,
        "SELECT o.id FROM orders o LEFT JOIN items i ON i.order_id = o.id AND o.shop_id = $1",
        &[&a],
    );
    assert!(left.contains(&b), "{left:?}");
    // INSERT ... SELECT from an unscoped source: shop B's orders copied.
    client
        .execute(
            "INSERT INTO archive (id, shop_id, total) SELECT id, shop_id, total FROM orders WHERE total > $1",
            &[&15i64],
        )
        .unwrap();
    let archived: i64 = client
        .query_one("SELECT count(*) FROM archive WHERE shop_id = $1", &[&b])
        .unwrap()
        .get(0);
    assert!(archived > 0);
    // UPDATE setting the tenant column from another column: shop A's customer moves to B.
    client
        .execute(
            "UPDATE customers SET shop_id = previous_shop_id WHERE shop_id = $1 AND previous_shop_id IS NOT NULL",
            &[&a],
        )
        .unwrap();
    let moved: squill::re::uuid::Uuid = client
        .query_one(
            "SELECT shop_id FROM customers WHERE id = '00000000-0000-0000-0000-0000000000ca'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(moved, b);
}

#[test]
fn a_reader_cannot_scope_below_a_limit_or_a_window() {
    insta::assert_snapshot!(violation(
        "-- name: TopOfAll :many\nSELECT t.id FROM (SELECT id, shop_id FROM orders ORDER BY total DESC LIMIT 10) t\nWHERE t.shop_id = @shop_id;\n\n\
         -- name: RankOfAll :many\nSELECT t.id, t.r FROM (SELECT id, shop_id, rank() OVER (ORDER BY total) AS r FROM orders) t\nWHERE t.shop_id = @shop_id;\n"
    ));
}
