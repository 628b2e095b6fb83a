//! Schemas PostgreSQL rejects, `catalog::from_ddl` rejects too: with PostgreSQL's message, at
//! PostgreSQL's position. Each case runs on a throwaway server (in a transaction rolled back)
//! and through `from_ddl`; the first error of each must agree.

use squill_codegen::catalog::from_ddl;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::live::TempServer;

/// PostgreSQL's first error for `sql`: (message, "line:column").
/// (No position: "-".)
fn postgres_error(client: &mut postgres::Client, sql: &str) -> Option<(String, String)> {
    let mut tx = client.transaction().expect("begin");
    let error = tx.batch_execute(sql).err()?;
    drop(tx);
    let db = error.as_db_error()?;
    let position = match db.position() {
        Some(postgres::error::ErrorPosition::Original(p)) => *p as usize,
        _ => return Some((db.message().to_string(), "-".to_string())),
    };
    // A character position, 1-based, in the whole batch.
    let before: String = sql.chars().take(position.saturating_sub(1)).collect();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((db.message().to_string(), format!("{line}:{column}")))
}

fn squill_error(sql: &str) -> Option<(String, String, String)> {
    let (_, diagnostics, _) = from_ddl(&[SourceFile::new("s.sql", sql)]);
    let d = diagnostics.into_iter().find(|d| d.is_error())?;
    let location = d.location().unwrap_or_default();
    let rendered = d.render();
    Some((
        d.message.clone(),
        location.trim_start_matches("s.sql:").to_string(),
        rendered,
    ))
}

#[test]
fn rejected_like_postgres() {
    let server = TempServer::start().expect("throwaway PostgreSQL server");
    let mut client = server.connect("postgres").expect("connect");
    let head = "CREATE TABLE t (id int PRIMARY KEY, name text);\n";
    let cases = [
        "CREAT TABLE foo (id int);\n",
        "CREAT INDEX i ON t (id);\n",
        "CREATE INDX i ON t (id);\n",
        "CREATE UNIQUE INDX i ON t (id);\n",
        "CREATE OR REPLACE VEIW v AS SELECT 1;\n",
        "ALTER TABEL t ADD COLUMN x int;\n",
        "DROP TABEL t;\n",
        "GRANTS SELECT ON t TO PUBLIC;\n",
        "GRANT SELECT ON t TO;\n",
        "REVOKE SELECT ON t;\n",
        "COMMENT ON TABLE t IS;\n",
        "COMMENT ON TABLE t 'x';\n",
        "CREATE INDEX i ON t (id;\n",
        "CREATE INDEX i ON t id;\n",
        "INSERT t VALUES (1);\n",
        "UPDATE t name = 'x';\n",
        "-- a comment\n  SELEC 1;\n",
        "CREATE ASSERTION a CHECK (true);\n",
        "DROP INDEX t_pkey;\n",
        "CREATE SCHEMA other;\nCREATE TABLE other.u (id int UNIQUE);\nDROP INDEX other.u_id_key;\n",
        // Views that would read themselves.
        "CREATE VIEW v AS SELECT * FROM v;\n",
        "CREATE RECURSIVE VIEW r AS SELECT 1;\n",
        "CREATE RECURSIVE VIEW r (n) AS SELECT 1 UNION ALL SELECT n + 1 FROM r WITH CHECK OPTION;\n",
    ];
    let mut failures = Vec::new();
    for case in cases {
        let sql = format!("{head}{case}");
        let expected = postgres_error(&mut client, &sql);
        let got = squill_error(&sql);
        let agree = match (&expected, &got) {
            (Some((m, at)), Some((gm, gat, _))) => m == gm && (at == gat || at == "-"),
            _ => false,
        };
        if !agree {
            failures.push(format!(
                "{case:?}: PostgreSQL {expected:?}, squill {:?}",
                got.map(|(m, at, _)| (m, at))
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // The diagnostic says what it was most likely meant to be.
    let (_, _, rendered) = squill_error("CREAT TABLE foo (id int);\n").unwrap();
    assert!(rendered.contains("did you mean `CREATE`?"), "{rendered}");
}

/// Statements squill skips (they cannot change the catalog), written as PostgreSQL accepts
/// them, some in spellings sqlparser does not read: no error.
#[test]
fn valid_skipped_statements_pass() {
    let server = TempServer::start().expect("throwaway PostgreSQL server");
    let mut client = server.connect("postgres").expect("connect");
    let sql = "CREATE TABLE t (id int, name text, at timestamptz);\n\
               CREATE TABLE m (id int) PARTITION BY RANGE (id);\n\
               CREATE UNIQUE INDEX t_name ON t (name) WHERE at ISNULL;\n\
               CREATE INDEX m_id ON ONLY m (id);\n\
               CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n\
               CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW WHEN (NEW.at ISNULL) EXECUTE FUNCTION trg();\n\
               CREATE POLICY p ON t USING (id > 0);\n\
               ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
               GRANT SELECT, INSERT ON t TO PUBLIC;\n\
               REVOKE ALL ON t FROM PUBLIC;\n\
               COMMENT ON TABLE t IS 'people';\n\
               COMMENT ON COLUMN t.name IS NULL;\n\
               ALTER TABLE t OWNER TO CURRENT_USER;\n\
               ALTER INDEX t_name SET (fillfactor = 90);\n\
               ALTER ROLE CURRENT_USER SET work_mem = '8MB';\n\
               UPDATE t SET name = 'x' WHERE at ISNULL;\n\
               DELETE FROM t WHERE at NOTNULL;\n\
               INSERT INTO t (id) VALUES (1);\n\
               ANALYZE t;\n\
               CREATE COLLATION c (provider = icu, locale = 'und');\n\
               DROP COLLATION c;\n\
               CREATE TEXT SEARCH CONFIGURATION ts (COPY = english);\n\
               SECURITY LABEL FOR nobody ON TABLE t IS NULL;\n";
    // SECURITY LABEL needs a label provider: PostgreSQL checks the statement, then refuses it
    // for lack of one, so it is left out of the batch PostgreSQL runs.
    let (runs, _) = sql.split_at(sql.rfind("SECURITY").unwrap());
    assert_eq!(postgres_error(&mut client, runs), None);
    let (_, diagnostics, stats) = from_ddl(&[SourceFile::new("s.sql", sql)]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert!(stats.skipped_unchecked >= 3, "{stats:?}");
}

/// A recursive view loads like PostgreSQL's rewrite of it, and reads like it; a view made
/// circular by `CREATE OR REPLACE` is created (PostgreSQL only fails the queries that read it)
/// and the catalog says so.
#[test]
fn recursive_and_circular_views() {
    let server = TempServer::start().expect("throwaway PostgreSQL server");
    let mut client = server.connect("postgres").expect("connect");
    let sql = "CREATE TABLE t (id int NOT NULL, parent int);\n\
               CREATE RECURSIVE VIEW anc (id, parent) AS SELECT id, parent FROM t \
               UNION ALL SELECT a.id, t.parent FROM anc a JOIN t ON t.id = a.parent;\n\
               CREATE VIEW a AS SELECT 1 AS x;\n\
               CREATE VIEW b AS SELECT * FROM a;\n\
               CREATE OR REPLACE VIEW a AS SELECT * FROM b;\n";
    client.batch_execute(sql).expect("PostgreSQL creates them");
    let err = client.batch_execute("SELECT * FROM a").unwrap_err();
    assert_eq!(
        err.as_db_error().unwrap().message(),
        "infinite recursion detected in rules for relation \"a\""
    );
    let (catalog, diagnostics, _) = from_ddl(&[SourceFile::new("s.sql", sql)]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let name = |n: &str| squill_codegen::catalog::QualifiedName::new("public", n);
    assert!(catalog.view_reads_itself(&name("a")));
    assert!(catalog.view_reads_itself(&name("b")));
    assert!(!catalog.view_reads_itself(&name("anc")));
    let anc = catalog.relation("public", "anc").unwrap();
    assert_eq!(
        anc.view_sql.as_deref(),
        Some(
            "WITH RECURSIVE anc(id, parent) AS (SELECT id, parent FROM t UNION ALL \
             SELECT a.id, t.parent FROM anc a JOIN t ON t.id = a.parent) SELECT id, parent FROM anc"
        )
    );
    // The analyzer types it as PostgreSQL does.
    let schema = squill_codegen::analyze::Schema::from_catalog(&catalog);
    let file = SourceFile::new("q.sql", "-- name: Anc :many\nSELECT id, parent FROM anc;\n");
    let (raws, _) = squill_codegen::source::parse_query_file(&file);
    let offline = squill_codegen::analyze::analyze(&schema, &raws[0], &file).expect("typed");
    let live = squill_codegen::live::Describer::new(&mut client)
        .describe(&file, &raws[0])
        .expect("prepared");
    let types = |q: &squill_codegen::ir::Query| {
        q.columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(types(&offline), types(&live));
}
