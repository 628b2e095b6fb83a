//! Unique indexes and constraints in the catalog from DDL (`Relation::unique_indexes`, what
//! `ON CONFLICT` chooses among) equal PostgreSQL's after the same DDL: names (PostgreSQL's
//! generated ones included), kinds, key columns, predicates.

use squill_codegen::catalog::{self, QualifiedName, UniqueKind, from_database, from_ddl};
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::live::TempServer;

const SCHEMA: &str = "\
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL CONSTRAINT users_email_unique UNIQUE,
    handle text UNIQUE NULLS NOT DISTINCT,
    org int,
    name text,
    UNIQUE (org, name) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (org, name)
);
CREATE UNIQUE INDEX ON users (lower(email));
CREATE UNIQUE INDEX users_live_name ON users (org, (name || '')) WHERE org IS NOT NULL;
CREATE INDEX users_name_idx ON users (name);
CREATE UNIQUE INDEX ON users (name);
CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNIQUE INDEX events_at_id ON events (at, id);
CREATE TABLE events_2025 (id int NOT NULL, at date NOT NULL);
ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE copy (LIKE users INCLUDING ALL);
CREATE TABLE tags (id int, label text, kind text);
ALTER TABLE tags ADD CONSTRAINT tags_pk PRIMARY KEY (id), ADD UNIQUE (label);
CREATE UNIQUE INDEX tags_kind ON tags (kind);
ALTER TABLE tags ADD CONSTRAINT tags_kind_unique UNIQUE USING INDEX tags_kind;
ALTER TABLE tags RENAME CONSTRAINT tags_pk TO tags_primary;
ALTER INDEX tags_label_key RENAME TO tags_label_unique;
ALTER TABLE users DROP CONSTRAINT users_email_unique;
DROP INDEX users_name_idx1;
ALTER TABLE users RENAME COLUMN handle TO nick;
ALTER TABLE copy DROP COLUMN org;
ALTER TABLE tags ADD UNIQUE (label, kind);
ALTER TABLE tags RENAME COLUMN kind TO old_kind;
ALTER TABLE tags DROP COLUMN old_kind;
ALTER TABLE tags ADD COLUMN kind text;
ALTER TABLE tags ADD UNIQUE (label, kind);
CREATE TABLE gone (id int PRIMARY KEY, code text UNIQUE);
DROP TABLE gone;
CREATE TABLE gone (id int PRIMARY KEY, code text UNIQUE);
CREATE SCHEMA other;
CREATE TABLE moved (id int PRIMARY KEY);
ALTER TABLE moved SET SCHEMA other;
CREATE TABLE moved (id int PRIMARY KEY);
ALTER TABLE other.moved RENAME TO renamed;
CREATE TABLE other.like_renamed (LIKE other.renamed INCLUDING INDEXES);
CREATE UNIQUE INDEX renamed_id ON other.renamed (id);
DROP INDEX other.renamed_id;
";

#[test]
fn unique_indexes_equal_postgres() {
    let (ddl, diagnostics, _) = from_ddl(&[SourceFile::new("schema.sql", SCHEMA)]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");

    let server = TempServer::start().expect("throwaway PostgreSQL server");
    let mut client = server.connect("postgres").expect("connect");
    client.batch_execute(SCHEMA).expect("PostgreSQL applies it");
    let live = from_database(&mut client).expect("introspect");
    let differences = catalog::diff(&ddl, &live);
    assert!(differences.is_empty(), "{differences:#?}");

    let names = |table: &str| -> Vec<String> {
        live.relation("public", table)
            .unwrap()
            .unique_indexes
            .iter()
            .map(|i| i.name.clone())
            .collect()
    };
    assert_eq!(
        names("users"),
        [
            "users_handle_key",
            "users_live_name",
            "users_lower_idx",
            "users_org_name_key",
            "users_org_name_key1",
            "users_pkey"
        ]
    );
    assert_eq!(
        names("tags"),
        // Dropping `kind` took `tags_kind_unique` and the first `(label, kind)` along.
        ["tags_label_kind_key", "tags_label_unique", "tags_primary"]
    );
    assert_eq!(names("gone"), ["gone_code_key", "gone_pkey"]);
    assert_eq!(names("moved"), ["moved_pkey"]);
    assert_eq!(
        names("events_2025"),
        ["events_2025_at_id_idx", "events_2025_pkey"]
    );
    let users = ddl.relation("public", "users").unwrap();
    let live_name = users.unique_index("users_live_name").unwrap();
    assert_eq!(live_name.kind, UniqueKind::Index);
    assert_eq!(live_name.columns, [Some("org".to_string()), None]);
    assert_eq!(live_name.expressions, ["(name || '')"]);
    assert_eq!(live_name.predicate.as_deref(), Some("org IS NOT NULL"));
    let handle = users.unique_index("users_handle_key").unwrap();
    assert_eq!(handle.columns, [Some("nick".to_string())]);
    assert!(handle.nulls_not_distinct);
    assert!(users.unique_index("users_org_name_key").unwrap().deferrable);
    assert_eq!(
        users.unique_index("users_pkey").unwrap().kind,
        UniqueKind::PrimaryKey
    );
    assert!(
        ddl.tables
            .contains_key(&QualifiedName::new("public", "copy"))
    );
}
