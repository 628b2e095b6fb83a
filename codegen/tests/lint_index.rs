//! `squill lint`'s index rules (`foreign-key-without-index`, `tenant-column-not-indexed`):
//! where they fire, and PostgreSQL as the judge: the migrations applied to a throwaway
//! server, its catalog asked the same questions, the answers compared.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use squill_codegen::config::{Config, Tenant};
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::lint::{LintReport, lint_sources_with_tenant};
use squill_codegen::live::TempServer;

const FK: &str = "foreign-key-without-index";
const TENANT: &str = "tenant-column-not-indexed";

fn tenant(column: &str) -> Tenant {
    let file = SourceFile::new("squill.toml", format!("[tenant]\ncolumn = \"{column}\"\n"));
    Config::parse(&file).unwrap().tenant.unwrap()
}

fn lint(migrations: &[(&str, &str)], tenant: Option<&Tenant>) -> LintReport {
    let files = migrations
        .iter()
        .map(|(n, t)| SourceFile::new(*n, *t))
        .collect();
    lint_sources_with_tenant(files, &[], &[], tenant).unwrap()
}

/// `file:line:col` of each finding of `rule`.
fn fired(report: &LintReport, rule: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.diagnostic.location().unwrap())
        .collect()
}

/// The `CREATE INDEX ON t (cols)` each finding of `rule` suggests, as `t (cols)`.
fn suggested(report: &LintReport, rule: &str) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter_map(|f| {
            let help = f.diagnostic.help.as_deref()?;
            let start = help.find("CREATE INDEX ON ")? + "CREATE INDEX ON ".len();
            let end = help[start..].find(')')? + start + 1;
            Some(help[start..end].to_owned())
        })
        .collect()
}

const SCHEMA: &str = "\
CREATE TABLE shops (id bigint PRIMARY KEY);
CREATE TABLE users (id bigint PRIMARY KEY, shop_id bigint NOT NULL REFERENCES shops (id));
CREATE TABLE orders (
    shop_id bigint NOT NULL,
    id bigint NOT NULL,
    user_id bigint,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id) REFERENCES shops (id),
    CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE TABLE lines (
    shop_id bigint NOT NULL,
    order_id bigint NOT NULL,
    n int NOT NULL,
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id)
);
CREATE INDEX lines_by_order ON lines (order_id, shop_id, n);
CREATE TABLE currencies (code text PRIMARY KEY, shop_id bigint);
";

#[test]
fn foreign_keys_need_an_index_led_by_their_columns() {
    let report = lint(&[("0001_init.sql", SCHEMA)], None);
    // users.shop_id (column REFERENCES) and orders.user_id; orders.shop_id leads the primary
    // key, lines (shop_id, order_id) leads lines_by_order in another order.
    assert_eq!(
        fired(&report, FK),
        ["0001_init.sql:2:1", "0001_init.sql:9:5"]
    );
    assert_eq!(
        suggested(&report, FK),
        BTreeSet::from(["users (shop_id)".to_owned(), "orders (user_id)".to_owned()])
    );
    assert!(
        fired(&report, TENANT).is_empty(),
        "no [tenant]: no tenant rule"
    );

    // An index in a later migration counts; a partial one does not; a dropped one no more.
    let later = lint(
        &[
            ("0001_init.sql", SCHEMA),
            (
                "0002_idx.sql",
                "CREATE INDEX ON users (shop_id);\n\
                 CREATE INDEX orders_user_partial ON orders (user_id) WHERE user_id IS NOT NULL;\n\
                 DROP INDEX lines_by_order;\n",
            ),
        ],
        None,
    );
    assert_eq!(
        suggested(&later, FK),
        BTreeSet::from([
            "orders (user_id)".to_owned(),
            "lines (shop_id, order_id)".to_owned()
        ])
    );

    // Dropped constraints and renamed columns are followed; suppression works.
    let altered = lint(
        &[
            ("0001_init.sql", SCHEMA),
            (
                "0002_alter.sql",
                "ALTER TABLE orders DROP CONSTRAINT orders_user;\n\
                 ALTER TABLE users DROP CONSTRAINT users_shop_id_fkey;\n\
                 ALTER TABLE lines RENAME COLUMN order_id TO order_no;\n\
                 -- squill:lint-ignore foreign-key-without-index\n\
                 ALTER TABLE lines ADD FOREIGN KEY (n) REFERENCES shops (id);\n",
            ),
        ],
        None,
    );
    assert!(fired(&altered, FK).is_empty(), "{:?}", fired(&altered, FK));
}

#[test]
fn tenant_tables_need_an_index_led_by_the_tenant_column() {
    let mut config = tenant("shop_id");
    config.exempt = vec!["currencies".into()];
    let report = lint(&[("0001_init.sql", SCHEMA)], Some(&config));
    // users: only its primary key (id); lines: its index leads with order_id. orders' primary
    // key leads with shop_id; currencies is exempt.
    assert_eq!(
        fired(&report, TENANT),
        ["0001_init.sql:2:1", "0001_init.sql:11:1"]
    );
    assert_eq!(
        suggested(&report, TENANT),
        BTreeSet::from(["users (shop_id)".to_owned(), "lines (shop_id)".to_owned()])
    );
}

/// The same two questions asked of PostgreSQL's catalog after applying the migrations.
fn postgres_answers(dir: &Path, tenant: Option<&Tenant>) -> (BTreeSet<String>, BTreeSet<String>) {
    let server = TempServer::start().expect("throwaway server starts");
    let mut client = server.connect("postgres").unwrap();
    let migrations = squill_codegen::schema::load(dir, dir).unwrap();
    squill_codegen::schema::apply(&mut client, &migrations, false).expect("migrations apply");
    // A usable index: B-tree or hash, not partial, its first key columns exactly the
    // foreign key's (as a set).
    let fks = client
        .query(
            "SELECT c.conrelid::regclass::text,
                    (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                       FROM unnest(c.conkey) WITH ORDINALITY AS k(att, n)
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att)
               FROM pg_constraint c
               JOIN pg_class t ON t.oid = c.conrelid
              WHERE c.contype = 'f' AND c.conparentid = 0 AND NOT t.relispartition
                AND NOT EXISTS (
                    SELECT FROM pg_index i
                      JOIN pg_class ic ON ic.oid = i.indexrelid
                      JOIN pg_am am ON am.oid = ic.relam
                     WHERE i.indrelid = c.conrelid AND i.indpred IS NULL
                       AND am.amname IN ('btree', 'hash')
                       AND (SELECT array_agg(k.att ORDER BY k.att)
                              FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n)
                             WHERE k.n <= cardinality(c.conkey))
                           = (SELECT array_agg(x ORDER BY x) FROM unnest(c.conkey) AS x))",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| format!("{} ({})", r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect();
    let mut tenants = BTreeSet::new();
    if let Some(tenant) = tenant {
        let tables = client
            .query(
                "SELECT n.nspname::text, t.relname::text, t.oid::regclass::text,
                        array_agg(a.attname::text ORDER BY a.attnum),
                        array(SELECT a2.attname::text FROM pg_index i
                                JOIN pg_class ic ON ic.oid = i.indexrelid
                                JOIN pg_am am ON am.oid = ic.relam
                                JOIN pg_attribute a2
                                  ON a2.attrelid = t.oid AND a2.attnum = i.indkey[0]
                               WHERE i.indrelid = t.oid AND i.indpred IS NULL
                                 AND am.amname IN ('btree', 'hash'))
                   FROM pg_class t
                   JOIN pg_namespace n ON n.oid = t.relnamespace
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                  WHERE t.relkind IN ('r', 'p') AND NOT t.relispartition
                    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  GROUP BY t.oid, n.nspname, t.relname",
                &[],
            )
            .unwrap();
        for row in tables {
            let (schema, name, display): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            let columns: Vec<String> = row.get(3);
            let leading: Vec<String> = row.get(4);
            if let Some(column) = tenant.column_of(&schema, &name, &columns)
                && !leading.iter().any(|c| c == column)
            {
                tenants.insert(format!("{display} ({column})"));
            }
        }
    }
    (fks, tenants)
}

fn judge(dir: &Path, tenant: Option<&Tenant>) {
    let files: Vec<SourceFile> = squill_codegen::schema::load(dir, dir)
        .unwrap()
        .into_iter()
        .map(|m| SourceFile::new(m.file, m.sql))
        .collect();
    let report = lint_sources_with_tenant(files, &[], &[], tenant).unwrap();
    let (fks, tenants) = postgres_answers(dir, tenant);
    assert_eq!(
        suggested(&report, FK),
        fks,
        "{}: foreign keys",
        dir.display()
    );
    assert_eq!(
        suggested(&report, TENANT),
        tenants,
        "{}: tenant tables",
        dir.display()
    );
}

#[test]
fn postgres_agrees_on_the_fixture_and_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("0001_init.sql"), SCHEMA).unwrap();
    std::fs::write(
        dir.path().join("0002_alter.sql"),
        "CREATE INDEX ON users (shop_id);\n\
         ALTER TABLE lines RENAME COLUMN order_id TO order_no;\n\
         ALTER TABLE orders DROP CONSTRAINT orders_user;\n\
         DROP INDEX lines_by_order;\n",
    )
    .unwrap();
    judge(dir.path(), Some(&tenant("shop_id")));
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    judge(&demo, Some(&tenant("shop_id")));
}

#[test]
fn postgres_agrees_on_the_corpus_migrations() {
    let Some(corpus) = support::corpus() else {
        return;
    };
    // golang-migrate folders (`.up.sql`/`.down.sql`), each with its tenant-like column.
    for (case, column) in [
        ("sqlc-minder/database/migrations", "project_id"),
        ("sqlc-neosync/backend/sql/postgresql/schema", "account_id"),
    ] {
        let dir = corpus.join(case);
        if dir.is_dir() {
            judge(&dir, Some(&tenant(column)));
        } else {
            panic!("{} is missing", dir.display());
        }
    }
}
