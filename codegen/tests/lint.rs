//! `squill lint`: every rule fires where it should and stays quiet where it should not,
//! suppressions work, output is stable, and no input makes it panic.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::lint::{
    LintArgs, LintOptions, LintReport, RULES, execute, lint, lint_sources, render_human,
    render_json,
};

/// Lints in-memory migrations (`(file name, sql)`) against in-memory query files.
fn lint_with(migrations: &[(&str, &str)], queries: &[(&str, &str)]) -> LintReport {
    let files = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(n, t)| SourceFile::new(*n, *t))
            .collect::<Vec<_>>()
    };
    lint_sources(files(migrations), &files(queries), &[]).expect("lint runs")
}

/// Where `rule` fired, as `file:line:col`.
fn fired(report: &LintReport, rule: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.diagnostic.location().unwrap())
        .collect()
}

fn fires(migrations: &[(&str, &str)], rule: &str) -> Vec<String> {
    fired(&lint_with(migrations, &[]), rule)
}

const USERS: (&str, &str) = (
    "0001_users.sql",
    "CREATE TABLE users (id bigint PRIMARY KEY, email text, name varchar(50));",
);

// ---------------------------------------------------------------- require-concurrent-index-creation

#[test]
fn index_on_existing_table_must_be_concurrent() {
    let rule = "require-concurrent-index-creation";
    let hits = fires(
        &[
            USERS,
            (
                "0002_idx.sql",
                "\nCREATE UNIQUE INDEX users_email ON users (email);",
            ),
        ],
        rule,
    );
    assert_eq!(hits, ["0002_idx.sql:2:1"]);
    // Concurrently: fine.
    assert!(
        fires(
            &[
                USERS,
                (
                    "0002_idx.sql",
                    "CREATE INDEX CONCURRENTLY i ON users (email);"
                )
            ],
            rule
        )
        .is_empty()
    );
    // A table created in the same file has no rows and no readers yet.
    let same_file = "CREATE TABLE t (a int); CREATE INDEX t_a ON public.t (a);";
    assert!(fires(&[("0001_t.sql", same_file)], rule).is_empty());
}

// ---------------------------------------------------------------- adding-required-field

#[test]
fn not_null_column_needs_a_default() {
    let rule = "adding-required-field";
    let add = |sql: &str| fires(&[USERS, ("0002_add.sql", sql)], rule);
    assert_eq!(
        add("ALTER TABLE users ADD COLUMN shop_id bigint NOT NULL;"),
        ["0002_add.sql:1:1"]
    );
    assert!(add("ALTER TABLE users ADD COLUMN shop_id bigint NOT NULL DEFAULT 0;").is_empty());
    assert!(add("ALTER TABLE users ADD COLUMN shop_id bigint;").is_empty());
    assert!(add("ALTER TABLE users ADD COLUMN n bigserial NOT NULL;").is_empty());
    assert!(
        add("ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY NOT NULL;").is_empty()
    );
    let same_file = "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;";
    assert!(fires(&[("0001_t.sql", same_file)], rule).is_empty());
}

#[test]
fn multi_line_alter_points_at_the_offending_clause() {
    let sql =
        "ALTER TABLE users\n    ADD COLUMN note text,\n    ADD COLUMN shop_id bigint NOT NULL;";
    let report = lint_with(&[USERS, ("0002_add.sql", sql)], &[]);
    assert_eq!(
        fired(&report, "adding-required-field"),
        ["0002_add.sql:3:5"]
    );
}

// ---------------------------------------------------------------- adding-not-nullable-field

#[test]
fn set_not_null_scans_the_table() {
    let rule = "adding-not-nullable-field";
    let hits = fires(
        &[
            USERS,
            (
                "0002.sql",
                "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
            ),
        ],
        rule,
    );
    assert_eq!(hits, ["0002.sql:1:1"]);
    let same_file = "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;";
    assert!(fires(&[("0001_t.sql", same_file)], rule).is_empty());
}

// ---------------------------------------------------------------- changing-column-type

#[test]
fn column_type_change_rewrites_unless_binary_compatible() {
    let rule = "changing-column-type";
    let alter = |sql: &str| fires(&[USERS, ("0002.sql", sql)], rule);
    assert_eq!(
        alter("ALTER TABLE users ALTER COLUMN email TYPE varchar(20);"),
        ["0002.sql:1:1"]
    );
    assert_eq!(
        alter("ALTER TABLE users ALTER COLUMN id TYPE int USING id::int;").len(),
        1
    );
    // varchar(50) → varchar(100) / text: no rewrite.
    assert!(alter("ALTER TABLE users ALTER COLUMN name TYPE varchar(100);").is_empty());
    assert!(alter("ALTER TABLE users ALTER COLUMN name SET DATA TYPE text;").is_empty());
    let same_file = "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;";
    assert!(fires(&[("0001_t.sql", same_file)], rule).is_empty());
}

// ---------------------------------------------------------------- adding-foreign-key-constraint

#[test]
fn foreign_key_needs_not_valid() {
    let rule = "adding-foreign-key-constraint";
    let orders = (
        "0002_orders.sql",
        "CREATE TABLE orders (id bigint, user_id bigint);",
    );
    let alter = |sql: &str| fires(&[USERS, orders, ("0003.sql", sql)], rule);
    let fk = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)";
    assert_eq!(alter(&format!("{fk};")), ["0003.sql:1:1"]);
    assert!(alter(&format!("{fk} NOT VALID;")).is_empty());
    assert_eq!(
        alter("ALTER TABLE orders ADD COLUMN shop_id bigint REFERENCES users (id);").len(),
        1
    );
    // On a table created in the same file: nothing to check yet.
    let same_file = "CREATE TABLE items (order_id bigint);\nALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders (id);";
    assert!(fires(&[USERS, orders, ("0003.sql", same_file)], rule).is_empty());
}

// ---------------------------------------------------------------- constraint-missing-not-valid

#[test]
fn check_constraint_needs_not_valid_and_a_separate_validation() {
    let rule = "constraint-missing-not-valid";
    let alter = |sql: &str| fires(&[USERS, ("0002.sql", sql)], rule);
    assert_eq!(
        alter("ALTER TABLE users ADD CONSTRAINT email_len CHECK (length(email) < 200);").len(),
        1
    );
    assert!(
        alter("ALTER TABLE users ADD CONSTRAINT email_len CHECK (length(email) < 200) NOT VALID;")
            .is_empty()
    );
    // Validating in the same transaction keeps the lock NOT VALID was meant to avoid.
    let same_tx = "ALTER TABLE users ADD CONSTRAINT c CHECK (id > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;";
    assert_eq!(alter(same_tx), ["0002.sql:2:1"]);
    // In a later migration: fine.
    let later = [
        USERS,
        (
            "0002.sql",
            "ALTER TABLE users ADD CONSTRAINT c CHECK (id > 0) NOT VALID;",
        ),
        ("0003.sql", "ALTER TABLE users VALIDATE CONSTRAINT c;"),
    ];
    assert!(fires(&later, rule).is_empty());
}

// ---------------------------------------------------------------- ban-drop-column / ban-drop-table

#[test]
fn dropping_columns_and_tables() {
    assert_eq!(
        fires(
            &[USERS, ("0002.sql", "ALTER TABLE users DROP COLUMN name;")],
            "ban-drop-column"
        )
        .len(),
        1
    );
    let same_file = "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;";
    assert!(fires(&[("0001.sql", same_file)], "ban-drop-column").is_empty());

    assert_eq!(
        fires(
            &[USERS, ("0002.sql", "DROP TABLE IF EXISTS users;")],
            "ban-drop-table"
        ),
        ["0002.sql:1:1"]
    );
    let scratch = "CREATE TABLE scratch (a int);\nDROP TABLE scratch;";
    assert!(fires(&[("0001.sql", scratch)], "ban-drop-table").is_empty());
}

// ---------------------------------------------------------------- renaming-column / renaming-table

const QUERIES: (&str, &str) = (
    "queries/users.sql",
    "-- name: GetUser :one\nSELECT id,\n       Name\nFROM users WHERE id = @id;\n",
);

#[test]
fn renaming_a_column_a_query_uses() {
    let rename = (
        "0002.sql",
        "ALTER TABLE users RENAME COLUMN name TO display_name;",
    );
    let report = lint_with(&[USERS, rename], &[QUERIES]);
    assert_eq!(fired(&report, "renaming-column"), ["0002.sql:1:1"]);
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "renaming-column")
        .unwrap();
    assert_eq!(
        finding.diagnostic.notes,
        ["query `GetUser` still uses \"name\" at queries/users.sql:3:8"]
    );

    // No query uses `email`.
    let rename = ("0002.sql", "ALTER TABLE users RENAME COLUMN email TO mail;");
    assert!(fired(&lint_with(&[USERS, rename], &[QUERIES]), "renaming-column").is_empty());
    // Without query files there is nothing to check against.
    let rename = (
        "0002.sql",
        "ALTER TABLE users RENAME COLUMN name TO display_name;",
    );
    assert!(fired(&lint_with(&[USERS, rename], &[]), "renaming-column").is_empty());
    // The old name comes back: queries resolve again.
    let back = ("0003.sql", "ALTER TABLE users ADD COLUMN name text;");
    assert!(
        fired(
            &lint_with(&[USERS, rename, back], &[QUERIES]),
            "renaming-column"
        )
        .is_empty()
    );
}

#[test]
fn renaming_a_table_a_query_uses() {
    let rename = ("0002.sql", "ALTER TABLE users RENAME TO accounts;");
    let report = lint_with(&[USERS, rename], &[QUERIES]);
    assert_eq!(fired(&report, "renaming-table"), ["0002.sql:1:1"]);
    // A compatibility view under the old name keeps the queries working.
    let view = ("0003.sql", "CREATE VIEW users AS SELECT * FROM accounts;");
    assert!(
        fired(
            &lint_with(&[USERS, rename, view], &[QUERIES]),
            "renaming-table"
        )
        .is_empty()
    );
    // A table no query uses.
    let other = [
        ("0001.sql", "CREATE TABLE audit (id int);"),
        ("0002.sql", "ALTER TABLE audit RENAME TO audit_log;"),
    ];
    assert!(fired(&lint_with(&other, &[QUERIES]), "renaming-table").is_empty());
}

// ---------------------------------------------------------------- unique / primary key

#[test]
fn unique_and_primary_key_need_an_index_built_concurrently() {
    let alter = |sql: &str, rule: &str| fires(&[USERS, ("0002.sql", sql)], rule);
    let unique = "disallowed-unique-constraint";
    assert_eq!(
        alter(
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
            unique
        )
        .len(),
        1
    );
    assert!(
        alter(
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
            unique
        )
        .is_empty()
    );

    let pk = "adding-serial-primary-key-field";
    let no_pk = (
        "0001.sql",
        "CREATE TABLE events (id bigint NOT NULL, at timestamptz);",
    );
    let add_pk = |sql: &str| fires(&[no_pk, ("0002.sql", sql)], pk);
    assert_eq!(add_pk("ALTER TABLE events ADD PRIMARY KEY (id);").len(), 1);
    assert!(
        add_pk(
            "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;"
        )
        .is_empty()
    );
    assert_eq!(
        add_pk("ALTER TABLE events ADD COLUMN seq bigserial PRIMARY KEY;").len(),
        1
    );
    let same_file = "CREATE TABLE t (id int);\nALTER TABLE t ADD PRIMARY KEY (id);";
    assert!(fires(&[("0001.sql", same_file)], pk).is_empty());
}

// ---------------------------------------------------------------- require-timeout-settings

#[test]
fn lock_timeout_before_locking_an_existing_table() {
    let rule = "require-timeout-settings";
    let sql = "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;";
    // Once per file, at the first locking statement.
    assert_eq!(fires(&[USERS, ("0002.sql", sql)], rule), ["0002.sql:1:1"]);
    let with_timeout = format!("SET lock_timeout = '2s';\n{sql}");
    assert!(fires(&[USERS, ("0002.sql", &with_timeout)], rule).is_empty());
    let set_local = format!("SET LOCAL lock_timeout TO '2s';\n{sql}");
    assert!(fires(&[USERS, ("0002.sql", &set_local)], rule).is_empty());
    // Too late: the first ALTER already ran without it.
    let too_late = "ALTER TABLE users ADD COLUMN a int;\nSET lock_timeout = '2s';";
    assert_eq!(fires(&[USERS, ("0002.sql", too_late)], rule).len(), 1);
    // New tables are not in use yet.
    assert!(
        fires(
            &[(
                "0001.sql",
                "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;"
            )],
            rule
        )
        .is_empty()
    );
    // The message says how to turn it off when squill migrate already sets lock_timeout.
    let report = lint_with(&[USERS, ("0002.sql", sql)], &[]);
    let finding = report.findings.iter().find(|f| f.rule == rule).unwrap();
    assert!(
        finding
            .diagnostic
            .notes
            .iter()
            .any(|n| n.contains("--disable require-timeout-settings"))
    );
}

// ---------------------------------------------------------------- no-transaction-not-idempotent

#[test]
fn no_transaction_statements_must_be_rerunnable() {
    let rule = "no-transaction-not-idempotent";
    let file = |body: &str| format!("-- squill:no-transaction\n{body}");
    let check = |sql: &str| fires(&[USERS, ("0002.sql", &file(sql))], rule);
    assert_eq!(
        check("CREATE INDEX CONCURRENTLY users_email ON users (email);"),
        ["0002.sql:2:1"]
    );
    assert!(
        check("CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);").is_empty()
    );
    assert_eq!(check("DROP INDEX CONCURRENTLY users_email;").len(), 1);
    // sqlparser 0.63 cannot parse this one; the rule reads tokens.
    assert!(check("DROP INDEX CONCURRENTLY IF EXISTS users_email;").is_empty());
    assert_eq!(check("ALTER TYPE mood ADD VALUE 'meh';").len(), 1);
    assert!(check("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';").is_empty());
    assert_eq!(
        check("ALTER TABLE users ADD COLUMN IF NOT EXISTS a int, DROP COLUMN b;").len(),
        1
    );
    assert!(check("CREATE OR REPLACE VIEW v AS SELECT 1;").is_empty());
    // Without the directive the migration is one transaction: all or nothing.
    let plain = (
        "0002.sql",
        "CREATE INDEX CONCURRENTLY users_email ON users (email);",
    );
    assert!(fires(&[USERS, plain], rule).is_empty());
}

// ---------------------------------------------------------------- suppression

#[test]
fn suppress_per_statement() {
    let sql = "-- squill:lint-ignore ban-drop-table, require-timeout-settings -- archived in ticket 12\n\
               -- (more context)\n\
               DROP TABLE users;\n\
               ALTER TABLE users2 DROP COLUMN x;";
    let report = lint_with(&[USERS, ("0002.sql", sql)], &[]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["ban-drop-column"], "{}", render_human(&report));
}

#[test]
fn suppress_per_file() {
    let sql = "-- Retire the old tables.\n-- squill:lint-ignore-file ban-drop-table\n\n\
               SET lock_timeout = '1s';\nDROP TABLE users;\nDROP TABLE orders;";
    let report = lint_with(&[USERS, ("0002.sql", sql)], &[]);
    assert!(report.findings.is_empty(), "{}", render_human(&report));
}

#[test]
fn unknown_rule_in_a_suppression_is_reported() {
    let sql = "SET lock_timeout = '1s';\n-- squill:lint-ignore ban-drop-tabel\nDROP TABLE users;";
    let report = lint_with(&[USERS, ("0002.sql", sql)], &[]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["invalid-lint-ignore", "ban-drop-table"]);
    let d = &report.findings[0].diagnostic;
    assert_eq!(
        d.message,
        "unknown lint rule `ban-drop-tabel` in `squill:lint-ignore`"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `ban-drop-table`?"));
    assert_eq!(d.location().unwrap(), "0002.sql:2:23");
}

#[test]
fn misplaced_suppressions_are_reported() {
    let sql = "SET lock_timeout = '1s';\n-- squill:lint-ignore ban-drop-table\n\nDROP TABLE users;\n\
               -- squill:lint-ignore-file ban-drop-column\n";
    let report = lint_with(&[USERS, ("0002.sql", sql)], &[]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            "invalid-lint-ignore",
            "ban-drop-table",
            "invalid-lint-ignore"
        ]
    );
}

#[test]
fn disabled_rules_are_off_and_unknown_ones_rejected() {
    let files = vec![
        SourceFile::new(USERS.0, USERS.1),
        SourceFile::new("0002.sql", "DROP TABLE users;"),
    ];
    let report = lint_sources(
        files.clone(),
        &[],
        &["ban-drop-table".into(), "require-timeout-settings".into()],
    );
    assert!(report.unwrap().findings.is_empty());
    let err = lint_sources(files, &[], &["ban-drop-tables".into()]).unwrap_err();
    assert_eq!(
        err,
        "unknown lint rule `ban-drop-tables`: did you mean `ban-drop-table`?"
    );
}

// ---------------------------------------------------------------- ordering, parsing, robustness

#[test]
fn migrations_run_in_version_order_not_name_order() {
    // 0010 sorts before 002 by name, but runs after it.
    let report = lint_with(
        &[
            ("0010_idx.sql", "CREATE INDEX i ON t (a);"),
            ("002_t.sql", "CREATE TABLE t (a int);"),
        ],
        &[],
    );
    assert_eq!(
        fired(&report, "require-concurrent-index-creation"),
        ["0010_idx.sql:1:1"]
    );
}

#[test]
fn unparseable_statements_are_counted_and_text_rules_still_apply() {
    let sql = "ALTER TABLE users FROBNICATE wildly;\nCREATE TABLE ;\nSELECT 1;";
    let report = lint_with(&[USERS, ("0002.sql", sql)], &[]);
    assert_eq!((report.statements, report.unparsed_statements), (4, 2));
    // The lock on an existing table is seen from the tokens alone.
    assert_eq!(fired(&report, "require-timeout-settings"), ["0002.sql:1:1"]);
    assert!(render_human(&report).contains("2 not parsed"));
}

#[test]
fn tables_created_by_unparseable_statements_are_still_new() {
    let sql = "CREATE TABLE t (a int) WITH (fillfactor = 70) TABLESPACE fast FROBNICATE;\nCREATE INDEX i ON t (a);";
    let report = lint_with(&[("0001.sql", sql)], &[]);
    assert_eq!(report.unparsed_statements, 1);
    assert!(fired(&report, "require-concurrent-index-creation").is_empty());
}

#[test]
fn malformed_input_never_panics() {
    let nasty = [
        "",
        ";;;",
        "-- only a comment",
        "'unterminated",
        "$$ never closed",
        "\"unterminated ident",
        "/* unterminated comment",
        "ALTER TABLE",
        "ALTER TABLE users ALTER COLUMN",
        "CREATE INDEX ON",
        "DROP TABLE ,,,;",
        "-- squill:lint-ignore\nDROP TABLE users;",
        "-- squill:lint-ignore-file\n",
        "-- squill:no-transaction",
        "é\u{0}\u{feff}ñ; SELECT 'é",
        &"(".repeat(10_000),
        &format!("SELECT {}1{};", "(".repeat(500), ")".repeat(500)),
    ];
    for text in nasty {
        let report = lint_with(&[USERS, ("0002.sql", text)], &[("q.sql", text)]);
        render_human(&report);
        render_json(&report);
    }
}

#[test]
fn down_migrations_are_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("0001_t.sql"), "CREATE TABLE t (a int);\n").unwrap();
    std::fs::write(
        dir.path().join("0002_x.up.sql"),
        "ALTER TABLE t ADD COLUMN b int;\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("0002_x.down.sql"), "DROP TABLE t;\n").unwrap();
    std::fs::write(
        dir.path().join("0003_dbmate.sql"),
        "-- migrate:up\nSET lock_timeout = '1s';\n-- migrate:down\nDROP TABLE t;\n",
    )
    .unwrap();
    let options = LintOptions {
        schema_dir: dir.path().into(),
        queries_dir: None,
        disabled_rules: Vec::new(),
        tenant: None,
    };
    let report = lint(&options).unwrap();
    assert_eq!((report.files_checked, report.statements), (3, 3));
    assert!(fired(&report, "ban-drop-table").is_empty());
}

// ---------------------------------------------------------------- output and command line

fn fixture(name: &str) -> PathBuf {
    // Relative, so file names in the output do not depend on where the checkout is.
    Path::new("tests/lint").join(name)
}

fn shop_report() -> LintReport {
    let options = LintOptions {
        schema_dir: fixture("shop/schema"),
        queries_dir: Some(fixture("shop/queries")),
        disabled_rules: Vec::new(),
        tenant: None,
    };
    lint(&options).unwrap()
}

#[test]
fn human_output() {
    insta::assert_snapshot!(render_human(&shop_report()));
}

#[test]
fn json_output() {
    insta::assert_snapshot!(render_json(&shop_report()));
}

fn cli(args: &[&str]) -> LintArgs {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        lint: LintArgs,
    }
    Cli::try_parse_from(std::iter::once("squill-lint").chain(args.iter().copied()))
        .unwrap()
        .lint
}

#[test]
fn exit_codes() {
    let shop = fixture("shop/schema");
    let clean = fixture("clean/schema");
    let shop = shop.to_str().unwrap();
    let clean = clean.to_str().unwrap();

    let queries = fixture("shop/queries");
    let out = execute(&cli(&[
        "--dir",
        shop,
        "--queries",
        queries.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("warning[renaming-column]"),
        "{}",
        out.stdout
    );

    let out = execute(&cli(&["--dir", clean]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.starts_with("squill lint: no problems found"),
        "{}",
        out.stdout
    );

    let all: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let out = execute(&cli(&[
        "--dir",
        shop,
        "--format",
        "json",
        "--disable",
        &all.join(","),
    ]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("\"findings\": []"), "{}", out.stdout);

    let out = execute(&cli(&["--dir", "tests/lint/does-not-exist"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: cannot read migrations directory"),
        "{}",
        out.stderr
    );

    let out = execute(&cli(&["--dir", clean, "--disable", "nope"]));
    assert_eq!(out.code, 2);
    let out = execute(&cli(&[
        "--dir",
        clean,
        "--queries",
        "tests/lint/does-not-exist",
    ]));
    assert_eq!(out.code, 2);
}

#[test]
fn every_rule_has_a_kebab_case_id_and_summary() {
    for rule in RULES {
        assert!(
            rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            rule.id
        );
        assert!(!rule.summary.is_empty());
    }
}

// ---------------------------------------------------------------- the external corpus

/// Lints every folder of `.sql` files in the shared corpus: must finish without panicking.
/// Prints the finding counts per rule; asserts nothing about them.
#[test]
fn corpus_never_panics() {
    let Some(root) = support::corpus() else {
        return;
    };
    let root = root.as_path();
    let mut dirs = Vec::new();
    collect_sql_dirs(root, &mut dirs);
    let started = Instant::now();
    let (mut files, mut statements, mut unparsed) = (0, 0, 0);
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for dir in &dirs {
        let queries = ["queries", "query"]
            .iter()
            .map(|q| dir.with_file_name(q))
            .find(|q| q.is_dir());
        let options = LintOptions {
            schema_dir: dir.clone(),
            queries_dir: queries,
            disabled_rules: Vec::new(),
            tenant: None,
        };
        let report = lint(&options).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        render_human(&report);
        render_json(&report);
        files += report.files_checked;
        statements += report.statements;
        unparsed += report.unparsed_statements;
        for f in &report.findings {
            *per_rule.entry(f.rule).or_default() += 1;
        }
    }
    println!(
        "corpus: {} folders, {files} files, {statements} statements ({unparsed} unparsed) in {:.1?}",
        dirs.len(),
        started.elapsed()
    );
    for (rule, count) in &per_rule {
        println!("  {count:6}  {rule}");
    }
    assert!(files > 0);
}

fn collect_sql_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut has_sql = false;
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            subdirs.push(path);
        } else if path.extension().is_some_and(|e| e == "sql") {
            has_sql = true;
        }
    }
    if has_sql {
        out.push(dir.to_path_buf());
    }
    subdirs.sort();
    for sub in subdirs {
        collect_sql_dirs(&sub, out);
    }
}

#[test]
fn statements_postgres_rejects_are_errors() {
    let report = lint_with(
        &[(
            "0001_init.sql",
            "CREATE TABLE t (id int);\nCREAT INDEX t_id ON t (id);\nGRANT SELECT ON t TO;\n",
        )],
        &[],
    );
    let errors: Vec<String> = report
        .errors
        .iter()
        .map(|d| format!("{} {}", d.location().unwrap_or_default(), d.message))
        .collect();
    assert_eq!(
        errors,
        [
            "0001_init.sql:2:1 syntax error at or near \"CREAT\"",
            "0001_init.sql:3:21 syntax error at or near \";\"",
        ]
    );
    let human = render_human(&report);
    assert!(human.contains("did you mean `CREATE`?"), "{human}");
    assert!(render_json(&report).contains("\"errors\": ["), "{human}");
}

// ---------------------------------------------------------------- the loader `migrate` uses

/// A folder `squill migrate` and `generate` refuse is not "no problems found": lint reads it
/// through the same loader (issue 15: invalid UTF-8, duplicate versions).
#[test]
fn folders_the_migration_loader_refuses_are_lint_errors() {
    for (files, expected) in [
        (
            vec![
                ("0001_a.sql", b"CREATE TABLE a (id int);\n".to_vec()),
                ("0002_b.sql", b"SELECT '\xff\xfe';\n".to_vec()),
            ],
            "0002_b.sql",
        ),
        (
            vec![
                ("0001_a.sql", b"CREATE TABLE a (id int);\n".to_vec()),
                ("0001_b.sql", b"CREATE TABLE b (id int);\n".to_vec()),
            ],
            "version 1 is used by more than one file",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let report = lint(&LintOptions {
            schema_dir: dir.path().to_path_buf(),
            queries_dir: None,
            disabled_rules: Vec::new(),
            tenant: None,
        })
        .expect("lint runs");
        let rendered: Vec<String> = report.errors.iter().map(|e| e.render()).collect();
        assert!(
            rendered.iter().any(|r| r.contains(expected)),
            "{rendered:?}"
        );
        assert!(!render_human(&report).contains("no problems found"));
    }
}
