//! Reads a database's schema into a [`Model`] from `pg_catalog`: PostgreSQL deparses every
//! definition itself, so what two databases built by the same server hold is compared as
//! PostgreSQL spells it. System schemas and objects that belong to an extension are left
//! out (the extension stands for them), and so are the tables named in `exclude` (the
//! migration history).

use std::collections::BTreeMap;

use postgres::Client;

use super::model::{
    Column, Constraint, Enum, Function, Index, Model, OtherType, QName, Sequence, Table, View,
};

/// Schemas of the user: not PostgreSQL's own, not temporary or toast ones.
const USER_SCHEMA: &str = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'";

/// `oid` (of catalog `class`) is not a member of an extension.
fn not_in_extension(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{class}'::regclass \
         AND e.objid = {oid} AND e.deptype = 'e')"
    )
}

pub fn introspect(client: &mut Client, exclude: &[String]) -> Result<Model, postgres::Error> {
    let mut model = Model::default();
    for row in client.query(
        &format!(
            "SELECT format('%I', n.nspname), obj_description(n.oid, 'pg_namespace') \
             FROM pg_namespace n WHERE {USER_SCHEMA} AND {}",
            not_in_extension("pg_namespace", "n.oid")
        ),
        &[],
    )? {
        model.schemas.insert(row.get(0), row.get(1));
    }
    for row in client.query(
        "SELECT x.extname, format('%I', n.nspname) FROM pg_extension x \
         JOIN pg_namespace n ON n.oid = x.extnamespace",
        &[],
    )? {
        model.extensions.insert(row.get(0), row.get(1));
    }
    enums(client, &mut model)?;
    other_types(client, &mut model)?;
    sequences(client, &mut model)?;
    tables(client, &mut model, exclude)?;
    views(client, &mut model)?;
    indexes(client, &mut model, exclude)?;
    functions(client, &mut model)?;
    Ok(model)
}

fn qname(row: &postgres::Row, at: usize) -> QName {
    QName {
        quoted: row.get(at),
        schema: row.get(at + 1),
        name: row.get(at + 2),
    }
}

/// The three columns [`qname`] reads, for namespace alias `n` and object name `name`.
fn qname_columns(name: &str) -> String {
    format!("format('%I.%I', n.nspname, {name}), n.nspname::text, {name}::text")
}

fn enums(client: &mut Client, model: &mut Model) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT {}, obj_description(t.oid, 'pg_type'), \
             ARRAY(SELECT enumlabel::text FROM pg_enum WHERE enumtypid = t.oid ORDER BY enumsortorder) \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'e' AND {USER_SCHEMA} AND {}",
            qname_columns("t.typname"),
            not_in_extension("pg_type", "t.oid")
        ),
        &[],
    )? {
        let name = qname(&row, 0);
        model.enums.insert(
            name.quoted.clone(),
            Enum {
                name,
                comment: row.get(3),
                labels: row.get(4),
            },
        );
    }
    Ok(())
}

/// Domains (base type, default, NOT NULL, checks) and composite types (attributes).
fn other_types(client: &mut Client, model: &mut Model) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT {}, obj_description(t.oid, 'pg_type'), 'CREATE DOMAIN ' || format('%I.%I', n.nspname, t.typname) \
               || ' AS ' || format_type(t.typbasetype, t.typtypmod) \
               || CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation \
                  THEN ' COLLATE ' || (SELECT format('%I.%I', cn.nspname, c.collname) FROM pg_collation c \
                  JOIN pg_namespace cn ON cn.oid = c.collnamespace WHERE c.oid = t.typcollation) ELSE '' END \
               || COALESCE(' DEFAULT ' || t.typdefault, '') \
               || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END \
               || COALESCE((SELECT string_agg(' CONSTRAINT ' || format('%I', c.conname) || ' ' \
                  || pg_get_constraintdef(c.oid), '' ORDER BY c.conname) \
                  FROM pg_constraint c WHERE c.contypid = t.oid), '') \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             JOIN pg_type b ON b.oid = t.typbasetype \
             WHERE t.typtype = 'd' AND {USER_SCHEMA} AND {} \
             UNION ALL \
             SELECT {}, obj_description(t.oid, 'pg_type'), 'CREATE TYPE ' || format('%I.%I', n.nspname, t.typname) \
               || ' AS (' || COALESCE((SELECT string_agg(format('%I', a.attname) || ' ' \
                  || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_attribute a \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')' \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             JOIN pg_class r ON r.oid = t.typrelid \
             WHERE t.typtype = 'c' AND r.relkind = 'c' AND {USER_SCHEMA} AND {}",
            qname_columns("t.typname"),
            not_in_extension("pg_type", "t.oid"),
            qname_columns("t.typname"),
            not_in_extension("pg_type", "t.oid"),
        ),
        &[],
    )? {
        let name = qname(&row, 0);
        model.other_types.insert(
            name.quoted.clone(),
            OtherType {
                name,
                comment: row.get(3),
                create: row.get(4),
            },
        );
    }
    Ok(())
}

/// Sequences, except identity columns' own (the column stands for them).
fn sequences(client: &mut Client, model: &mut Model) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT {}, obj_description(c.oid, 'pg_class'), \
               'AS ' || format_type(s.seqtypid, NULL) || ' INCREMENT BY ' || s.seqincrement \
               || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart \
               || ' CACHE ' || s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END, \
               (SELECT format('%I.%I', tn.nspname, t.relname) FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid \
                JOIN pg_namespace tn ON tn.oid = t.relnamespace \
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a' \
                AND d.refclassid = 'pg_class'::regclass), \
               (SELECT quote_ident(a.attname) FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid \
                AND a.attnum = d.refobjsubid \
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a' \
                AND d.refclassid = 'pg_class'::regclass) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_sequence s ON s.seqrelid = c.oid \
             WHERE c.relkind = 'S' AND {USER_SCHEMA} AND {} \
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
                 AND d.objid = c.oid AND d.deptype = 'i')",
            qname_columns("c.relname"),
            not_in_extension("pg_class", "c.oid"),
        ),
        &[],
    )? {
        let name = qname(&row, 0);
        let table: Option<String> = row.get(5);
        let column: Option<String> = row.get(6);
        model.sequences.insert(
            name.quoted.clone(),
            Sequence {
                name,
                comment: row.get(3),
                options: row.get(4),
                owned_by: table.zip(column),
            },
        );
    }
    Ok(())
}

fn tables(
    client: &mut Client,
    model: &mut Model,
    exclude: &[String],
) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT {}, obj_description(c.oid, 'pg_class'), c.oid, \
               NULLIF(concat_ws(' ', 'PARTITION BY ' || pg_get_partkeydef(c.oid), \
                 (SELECT 'INHERITS/PARTITION OF ' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) \
                  || COALESCE(' ' || pg_get_expr(c.relpartbound, c.oid), '') \
                  FROM pg_inherits i WHERE i.inhrelid = c.oid)), '') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA} AND {}",
            qname_columns("c.relname"),
            not_in_extension("pg_class", "c.oid"),
        ),
        &[],
    )? {
        let name = qname(&row, 0);
        if exclude.contains(&name.quoted) {
            continue;
        }
        let oid: u32 = row.get(4);
        let table = Table {
            columns: columns(client, oid)?,
            constraints: constraints(client, oid)?,
            triggers: triggers(client, oid)?,
            inheritance: row.get(5),
            comment: row.get(3),
            name,
        };
        model.tables.insert(table.name.quoted.clone(), table);
    }
    Ok(())
}

fn columns(client: &mut Client, table: u32) -> Result<Vec<Column>, postgres::Error> {
    let rows = client.query(
        "SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), \
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
             THEN (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co \
                   JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END, \
           a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, \
           col_description(a.attrelid, a.attnum) \
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        &[&table],
    )?;
    Ok(rows
        .iter()
        .map(|row| {
            let expression: Option<String> = row.get(4);
            let generated = row.get::<_, String>(6) == "s";
            Column {
                name: row.get(0),
                data_type: row.get(1),
                collation: row.get(2),
                not_null: row.get(3),
                default: if generated { None } else { expression.clone() },
                generated: if generated { expression } else { None },
                identity: row.get(5),
                comment: row.get(7),
            }
        })
        .collect())
}

fn constraints(
    client: &mut Client,
    table: u32,
) -> Result<BTreeMap<String, Constraint>, postgres::Error> {
    let rows = client.query(
        "SELECT quote_ident(c.conname), c.contype::text, pg_get_constraintdef(c.oid), \
           CASE WHEN c.contype = 'f' THEN (SELECT format('%I.%I', n.nspname, r.relname) FROM pg_class r \
             JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = c.confrelid) END, \
           ARRAY(SELECT quote_ident(a.attname) FROM pg_attribute a \
             WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) ORDER BY a.attnum) \
         FROM pg_constraint c WHERE c.conrelid = $1 AND c.contype IN ('p', 'u', 'f', 'c', 'x') \
           AND c.conislocal",
        &[&table],
    )?;
    Ok(rows
        .iter()
        .map(|row| {
            let kind: String = row.get(1);
            (
                row.get(0),
                Constraint {
                    kind: kind.chars().next().unwrap_or('?'),
                    definition: row.get(2),
                    references: row.get(3),
                    columns: row.get(4),
                },
            )
        })
        .collect())
}

fn triggers(client: &mut Client, table: u32) -> Result<BTreeMap<String, String>, postgres::Error> {
    let rows = client.query(
        "SELECT quote_ident(tgname), pg_get_triggerdef(oid) FROM pg_trigger \
         WHERE tgrelid = $1 AND NOT tgisinternal",
        &[&table],
    )?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

fn views(client: &mut Client, model: &mut Model) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT {}, obj_description(c.oid, 'pg_class'), c.relkind = 'm', pg_get_viewdef(c.oid), \
               COALESCE(array_to_string(c.reloptions, ', '), ''), \
               ARRAY(SELECT DISTINCT format('%I.%I', dn.nspname, dc.relname) FROM pg_rewrite rw \
                 JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid \
                 JOIN pg_class dc ON dc.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass \
                 JOIN pg_namespace dn ON dn.oid = dc.relnamespace \
                 WHERE rw.ev_class = c.oid AND d.refobjid <> c.oid ORDER BY 1) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('v', 'm') AND {USER_SCHEMA} AND {}",
            qname_columns("c.relname"),
            not_in_extension("pg_class", "c.oid"),
        ),
        &[],
    )? {
        let name = qname(&row, 0);
        model.views.insert(
            name.quoted.clone(),
            View {
                name,
                comment: row.get(3),
                materialized: row.get(4),
                definition: row.get(5),
                options: row.get(6),
                depends_on: row.get(7),
            },
        );
    }
    Ok(())
}

/// Indexes no constraint owns (a constraint's index comes and goes with it).
fn indexes(
    client: &mut Client,
    model: &mut Model,
    exclude: &[String],
) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT {}, obj_description(c.oid, 'pg_class'), format('%I.%I', tn.nspname, t.relname), \
               pg_get_indexdef(c.oid), \
               ARRAY(SELECT DISTINCT quote_ident(a.attname) FROM pg_depend d JOIN pg_attribute a \
                 ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                 AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 ORDER BY 1) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             WHERE {USER_SCHEMA} AND t.relkind IN ('r', 'p', 'm') AND {} \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid \
                 AND k.contype IN ('p', 'u', 'x') AND k.conrelid = t.oid) \
             AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid)",
            qname_columns("c.relname"),
            not_in_extension("pg_class", "t.oid"),
        ),
        &[],
    )? {
        let name = qname(&row, 0);
        let on: String = row.get(4);
        if exclude.contains(&on) {
            continue;
        }
        model.indexes.insert(
            name.quoted.clone(),
            Index {
                name,
                comment: row.get(3),
                on,
                definition: row.get(5),
                columns: row.get(6),
            },
        );
    }
    Ok(())
}

/// Functions and procedures (aggregates and window functions are not written by diff).
fn functions(client: &mut Client, model: &mut Model) -> Result<(), postgres::Error> {
    for row in client.query(
        &format!(
            "SELECT format('%I.%I', n.nspname, p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')', \
               p.prokind = 'p', COALESCE(pg_get_function_result(p.oid), ''), pg_get_functiondef(p.oid), \
               obj_description(p.oid, 'pg_proc') \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE p.prokind IN ('f', 'p') AND {USER_SCHEMA} AND {}",
            not_in_extension("pg_proc", "p.oid"),
        ),
        &[],
    )? {
        let signature: String = row.get(0);
        let procedure: bool = row.get(1);
        model.functions.insert(
            signature.clone(),
            Function {
                signature,
                kind: if procedure { "PROCEDURE" } else { "FUNCTION" },
                result: row.get(2),
                definition: row.get(3),
                comment: row.get(4),
            },
        );
    }
    Ok(())
}
