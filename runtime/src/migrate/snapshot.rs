//! Drift: the schema as the runner left it, recorded in `<table>_schema`, and compared with
//! the database before the next run.
//!
//! The runtime cannot depend on `squill-codegen`, whose `squill drift` applies the migrations
//! to a throwaway server and compares catalogs. The runner instead reads the schema from
//! `pg_catalog` (every object of the user's schemas, spelled by PostgreSQL's own `pg_get_*def`
//! and `format_type`: tables, columns, constraints, indexes, views, sequences, types,
//! functions, triggers, policies, comments; objects of extensions and the runner's own tables
//! left out) right after each change it makes, in the same transaction, with a key of the
//! history it corresponds to. Before the next run, the same reading is compared object by
//! object: any difference is a change made outside the migrations (a hand-run `ALTER` during
//! an incident). Grants, owners and statistics are not compared, nor INVALID indexes (an
//! interrupted `CREATE INDEX CONCURRENTLY` leaves one; the runner reports those of applied
//! files as problems of their own).
//!
//! When the recorded key is not the history's (no snapshot yet, a repair, a runner of an
//! older version), nothing is compared: the run goes on and records a new snapshot.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::error::MigrateError;
use super::history::{HistoryTable, quote_ident};

/// One object that differs from the recorded snapshot; `None` is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaChange {
    /// `table public.orders`, `column public.orders.total`, `index public.orders_idx`...
    pub object: String,
    /// As the runner left it.
    pub recorded: Option<String>,
    /// As it is now.
    pub found: Option<String>,
}

impl std::fmt::Display for SchemaChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // One line each, cut: a function body can be long.
        let show = |v: &Option<String>| match v {
            None => "(absent)".to_string(),
            Some(v) => {
                let line = v.split_whitespace().collect::<Vec<_>>().join(" ");
                match line.char_indices().nth(160) {
                    Some((cut, _)) => format!("{}...", &line[..cut]),
                    None => line,
                }
            }
        };
        write!(
            f,
            "{}\n    recorded: {}\n    found:    {}",
            self.object,
            show(&self.recorded),
            show(&self.found)
        )
    }
}

/// What the comparison could tell.
pub(crate) enum Drift {
    /// The schema is as the runner left it.
    None,
    /// No snapshot for this history (first run with snapshots, or after a repair).
    Unknown,
    Changed(Vec<SchemaChange>),
}

/// Every object of the user's schemas as `(object, definition)`. `$1` is the history
/// table's schema, `$2` the names of the runner's own tables there.
const SNAPSHOT: &str = r#"
WITH ns AS (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_namespace'::regclass
                        AND d.objid = n.oid AND d.deptype = 'e')
), ext AS (
    SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
), own AS (
    SELECT c.oid FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname = ANY($2::text[])
), skip AS (
    SELECT oid FROM own
    UNION SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE i.indrelid IN (SELECT oid FROM own)
    -- An interrupted CREATE INDEX CONCURRENTLY (the runner's or not): reported on its own.
    UNION SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE NOT i.indisvalid
    UNION SELECT d.objid FROM pg_catalog.pg_depend d
          WHERE d.classid = 'pg_catalog.pg_class'::regclass
            AND d.refobjid IN (SELECT oid FROM own) AND d.deptype IN ('a', 'i')
), rel AS (
    SELECT c.oid, c.relkind, quote_ident(ns.nspname) || '.' || quote_ident(c.relname) AS q, c
    FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c', 'i', 'I')
      AND c.oid NOT IN (SELECT oid FROM skip)
      AND c.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_class'::regclass)
), typ AS (
    SELECT t.oid, t.typtype, quote_ident(ns.nspname) || '.' || quote_ident(t.typname) AS q, t
    FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r')
      AND t.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_type'::regclass)
)
SELECT 'schema ' || quote_ident(nspname), 'exists' FROM ns
UNION ALL
SELECT 'extension ' || quote_ident(e.extname), 'in schema ' || quote_ident(n.nspname)
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
UNION ALL
SELECT CASE relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'f' THEN 'foreign table '
                    WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                    WHEN 'S' THEN 'sequence ' WHEN 'c' THEN 'type ' ELSE 'index ' END || q,
       CASE WHEN relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(oid, true)
            WHEN relkind IN ('i', 'I') THEN pg_catalog.pg_get_indexdef(oid)
            WHEN relkind = 'S' THEN (
                SELECT pg_catalog.format_type(s.seqtypid, NULL) || ' start ' || s.seqstart
                       || ' increment ' || s.seqincrement || ' min ' || s.seqmin || ' max '
                       || s.seqmax || ' cache ' || s.seqcache
                       || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
                FROM pg_catalog.pg_sequence s WHERE s.seqrelid = rel.oid)
            WHEN relkind = 'c' THEN 'composite'
            ELSE 'persistence ' || (c).relpersistence::text
                 || CASE WHEN (c).relrowsecurity THEN ' row security' ELSE '' END
                 || CASE WHEN (c).relforcerowsecurity THEN ' forced' ELSE '' END
                 || CASE WHEN relkind = 'p' THEN ' partitioned by '
                         || pg_catalog.pg_get_partkeydef(oid) ELSE '' END
                 || CASE WHEN (c).relispartition THEN ' partition '
                         || pg_catalog.pg_get_expr((c).relpartbound, oid) ELSE '' END
       END
FROM rel
UNION ALL
SELECT 'column ' || rel.q || '.' || quote_ident(a.attname),
       pg_catalog.format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' generated ' ELSE '' END
       || coalesce(' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
       || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
               THEN ' collate ' || quote_ident(co.collname) ELSE '' END
FROM rel
JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
WHERE rel.relkind IN ('r', 'p', 'f', 'c')
UNION ALL
SELECT 'constraint ' || quote_ident(con.conname) || ' on ' || coalesce(rel.q, 'domain ' || typ.q),
       pg_catalog.pg_get_constraintdef(con.oid, true)
FROM pg_catalog.pg_constraint con
LEFT JOIN rel ON rel.oid = con.conrelid
LEFT JOIN typ ON typ.oid = con.contypid
WHERE rel.oid IS NOT NULL OR typ.oid IS NOT NULL
UNION ALL
SELECT 'trigger ' || quote_ident(tg.tgname) || ' on ' || rel.q,
       pg_catalog.pg_get_triggerdef(tg.oid, true)
FROM pg_catalog.pg_trigger tg JOIN rel ON rel.oid = tg.tgrelid
WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'policy ' || quote_ident(p.polname) || ' on ' || rel.q,
       p.polcmd::text || CASE WHEN p.polpermissive THEN ' permissive' ELSE ' restrictive' END
       || ' to ' || pg_catalog.array_to_string(p.polroles::regrole[]::text[], ', ')
       || coalesce(' using (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')
       || coalesce(' with check (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
FROM pg_catalog.pg_policy p JOIN rel ON rel.oid = p.polrelid
UNION ALL
SELECT 'type ' || q,
       CASE typtype
           WHEN 'e' THEN 'enum (' || (SELECT pg_catalog.string_agg(quote_literal(e.enumlabel), ', '
                                                                   ORDER BY e.enumsortorder)
                                      FROM pg_catalog.pg_enum e WHERE e.enumtypid = typ.oid) || ')'
           WHEN 'd' THEN 'domain over ' || pg_catalog.format_type((t).typbasetype, (t).typtypmod)
                         || CASE WHEN (t).typnotnull THEN ' not null' ELSE '' END
                         || coalesce(' default ' || (t).typdefault, '')
           ELSE 'range of ' || (SELECT pg_catalog.format_type(r.rngsubtype, NULL)
                                FROM pg_catalog.pg_range r WHERE r.rngtypid = typ.oid)
       END
FROM typ
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END
       || quote_ident(ns.nspname) || '.' || quote_ident(p.proname)
       || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind = 'a' THEN (
                SELECT ag.aggtransfn::text || ' ' || pg_catalog.format_type(ag.aggtranstype, NULL)
                       || ' ' || ag.aggfinalfn::text || coalesce(' ' || ag.agginitval, '')
                FROM pg_catalog.pg_aggregate ag WHERE ag.aggfnoid = p.oid)
            ELSE pg_catalog.pg_get_functiondef(p.oid) END
FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_proc'::regclass)
UNION ALL
SELECT 'comment on ' || CASE WHEN ds.objsubid = 0 THEN rel.q
                             ELSE 'column ' || rel.q || '.' || quote_ident(a.attname) END,
       ds.description
FROM pg_catalog.pg_description ds
JOIN rel ON rel.oid = ds.objoid AND ds.classoid = 'pg_catalog.pg_class'::regclass
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = ds.objoid AND a.attnum = ds.objsubid
"#;

impl HistoryTable {
    fn snapshot_name(&self) -> String {
        format!("{}_schema", self.table)
    }

    fn qualified_snapshot(&self) -> String {
        format!(
            "{}.{}",
            quote_ident(&self.schema),
            quote_ident(&self.snapshot_name())
        )
    }

    /// The runner's own tables and the seeds' record, left out of snapshots.
    fn own_tables(&self) -> Vec<String> {
        let mut own: Vec<String> = ["", "_repairs", "_progress", "_schema"]
            .iter()
            .map(|suffix| format!("{}{suffix}", self.table))
            .collect();
        own.push(super::seed::SEEDS_TABLE.to_string());
        own
    }

    /// The md5 of the history's versions and checksums, computed by the server so that it
    /// sees the rows of the transaction it runs in.
    fn history_key(&self) -> String {
        format!(
            "(SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(version::text || ':' || \
             checksum, ',' ORDER BY version), '')) FROM {}.{})",
            quote_ident(&self.schema),
            quote_ident(&self.table)
        )
    }

    /// Creates the snapshot table if missing (call with the migration lock held).
    pub async fn ensure_snapshot(&self, client: &Client) -> Result<(), MigrateError> {
        let ddl = format!(
            "CREATE TABLE IF NOT EXISTS {} (
                 id          integer     PRIMARY KEY CHECK (id = 1),
                 history     text        NOT NULL,
                 objects     text[]      NOT NULL,
                 definitions text[]      NOT NULL,
                 taken_at    timestamptz NOT NULL DEFAULT clock_timestamp()
             )",
            self.qualified_snapshot()
        );
        client
            .batch_execute(&ddl)
            .await
            .map_err(|e| MigrateError::database("creating the schema snapshot table", e))
    }

    /// Records the schema as it is now, with the history it belongs to (in the caller's
    /// transaction, if any).
    pub async fn record_snapshot(&self, client: &Client) -> Result<(), MigrateError> {
        let sql = format!(
            "INSERT INTO {table} (id, history, objects, definitions)
             SELECT 1, {key}, coalesce(array_agg(coalesce(o, '') ORDER BY o), '{{}}'),
                    coalesce(array_agg(coalesce(d, '') ORDER BY o), '{{}}')
             FROM ({SNAPSHOT}) AS s (o, d)
             ON CONFLICT (id) DO UPDATE SET history = EXCLUDED.history,
                 objects = EXCLUDED.objects, definitions = EXCLUDED.definitions,
                 taken_at = clock_timestamp()",
            table = self.qualified_snapshot(),
            key = self.history_key(),
        );
        client
            .execute(&sql, &[&self.schema, &self.own_tables()])
            .await
            .map_err(|e| MigrateError::database("recording the schema snapshot", e))?;
        Ok(())
    }

    /// The schema now against the snapshot recorded for the current history.
    pub(crate) async fn drift(&self, client: &Client) -> Result<Drift, MigrateError> {
        let error = |e| MigrateError::database("comparing the schema with its snapshot", e);
        let sql = format!(
            "SELECT history = {key}, objects, definitions FROM {table}",
            key = self.history_key(),
            table = self.qualified_snapshot()
        );
        let Some(row) = client.query_opt(&sql, &[]).await.map_err(error)? else {
            return Ok(Drift::Unknown);
        };
        if !row.get::<_, bool>(0) {
            return Ok(Drift::Unknown);
        }
        let objects: Vec<String> = row.try_get(1).map_err(error)?;
        let definitions: Vec<String> = row.try_get(2).map_err(error)?;
        let recorded: BTreeMap<String, String> = objects.into_iter().zip(definitions).collect();
        let rows = client
            .query(SNAPSHOT, &[&self.schema, &self.own_tables()])
            .await
            .map_err(error)?;
        let found: BTreeMap<String, String> = rows
            .iter()
            .map(|r| {
                let object: Option<String> = r.get(0);
                let definition: Option<String> = r.get(1);
                (object.unwrap_or_default(), definition.unwrap_or_default())
            })
            .collect();
        let mut keys: Vec<&String> = recorded.keys().chain(found.keys()).collect();
        keys.sort();
        keys.dedup();
        let changes: Vec<SchemaChange> = keys
            .into_iter()
            .filter(|k| recorded.get(*k) != found.get(*k))
            .map(|k| SchemaChange {
                object: k.clone(),
                recorded: recorded.get(k).cloned(),
                found: found.get(k).cloned(),
            })
            .collect();
        Ok(if changes.is_empty() {
            Drift::None
        } else {
            Drift::Changed(changes)
        })
    }
}
