//! The catalog of a live database, read from `pg_catalog`: every schema but the system ones
//! (`pg_catalog`, `information_schema`, `pg_toast`, temporary schemas), leaving out objects an
//! extension owns (a `pg_depend` entry with `deptype = 'e'`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Catalog, Column, Domain, Field, Function, QualifiedName, RelKind, Relation, TypeName};

/// `pg_class`/`pg_type`/`pg_proc` rows in a user schema and not owned by an extension.
const USER_OBJECT: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
     AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

fn not_extension_owned(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = \
         'pg_catalog.{catalog}'::regclass AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

/// Reads the catalog of the database `client` is connected to.
pub fn from_database(client: &mut postgres::Client) -> Result<Catalog, postgres::Error> {
    let types = TypeMap::load(client)?;
    let mut cat = Catalog {
        schemas: BTreeSet::new(),
        search_path: Vec::new(),
        ..Catalog::default()
    };

    for row in client.query(
        &format!(
            "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE {USER_OBJECT} AND {}",
            not_extension_owned("pg_namespace", "n.oid")
        ),
        &[],
    )? {
        cat.schemas.insert(row.get(0));
    }

    let mut relations: HashMap<u32, QualifiedName> = HashMap::new();
    for row in client.query(
        &format!(
            "SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c') AND {USER_OBJECT} AND {}",
            not_extension_owned("pg_class", "c.oid")
        ),
        &[],
    )? {
        let oid: u32 = row.get(0);
        let qn = QualifiedName::new(row.get::<_, String>(1), row.get::<_, String>(2));
        let relkind: i8 = row.get(3);
        match relkind as u8 {
            b'S' => {
                cat.sequences.insert(qn);
            }
            // Composite types' attributes are read below, with the type.
            b'c' => {}
            _ => {
                let kind = RelKind::from_relkind(relkind).expect("relkind filtered above");
                relations.insert(oid, qn.clone());
                cat.tables.insert(
                    qn,
                    Relation {
                        kind,
                        columns: vec![],
                        view_sql: None,
                        binding: None,
                        unique_indexes: Vec::new(),
                        exclusion_constraints: Vec::new(),
                    },
                );
            }
        }
    }

    let mut composite_rel: HashMap<u32, QualifiedName> = HashMap::new();
    for row in client.query(
        &format!(
            "SELECT t.oid, n.nspname, t.typname, t.typtype, t.typrelid, t.typbasetype, \
             t.typtypmod, t.typndims, t.typnotnull, r.rngsubtype, t.typcategory \
             FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid \
             LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid \
             WHERE t.typtype IN ('e', 'c', 'd', 'r', 'b', 'p') \
             AND (t.typtype <> 'c' OR c.relkind = 'c') AND {USER_OBJECT} AND {}",
            not_extension_owned("pg_type", "t.oid")
        ),
        &[],
    )? {
        let qn = QualifiedName::new(row.get::<_, String>(1), row.get::<_, String>(2));
        let typtype: i8 = row.get(3);
        match typtype as u8 {
            b'e' => {
                cat.enums.insert(qn, vec![]);
            }
            b'c' => {
                composite_rel.insert(row.get(4), qn.clone());
                cat.composites.insert(qn, vec![]);
            }
            b'd' => {
                let base = types.name(row.get(5), row.get(6), row.get(7));
                cat.domains.insert(
                    qn,
                    Domain {
                        base,
                        not_null: row.get(8),
                    },
                );
            }
            b'r' => {
                let subtype: u32 = row.get(9);
                cat.ranges.insert(qn, types.name(subtype, -1, 0));
            }
            _ => {
                let category: i8 = row.get(10);
                if category as u8 != b'A' {
                    cat.base_types.insert(qn);
                }
            }
        }
    }

    for row in client.query(
        "SELECT n.nspname, t.typname, e.enumlabel FROM pg_catalog.pg_enum e \
         JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         ORDER BY e.enumtypid, e.enumsortorder",
        &[],
    )? {
        let qn = QualifiedName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        if let Some(labels) = cat.enums.get_mut(&qn) {
            labels.push(row.get(2));
        }
    }

    for row in client.query(
        "SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod, a.attndims, a.attnotnull, \
         a.atthasdef, a.attidentity, a.attgenerated \
         FROM pg_catalog.pg_attribute a \
         WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum",
        &[],
    )? {
        let relid: u32 = row.get(0);
        let name: String = row.get(1);
        let ty = types.name(row.get(2), row.get(3), row.get(4));
        if let Some(qn) = relations.get(&relid) {
            let identity: i8 = row.get(7);
            let generated: i8 = row.get(8);
            let column = Column {
                name,
                ty,
                not_null: row.get(5),
                has_default: row.get::<_, bool>(6) && generated == 0,
                identity: identity != 0,
                generated: generated != 0,
            };
            let relation = cat.tables.get_mut(qn).expect("relation read above");
            if relation.kind.is_view() {
                // PostgreSQL records no dimensions for view columns.
                relation.columns.push(Column {
                    ty: column.ty.undimensioned(),
                    ..column
                });
            } else {
                relation.columns.push(column);
            }
        } else if let Some(qn) = composite_rel.get(&relid) {
            cat.composites
                .get_mut(qn)
                .expect("composite read above")
                .push(Field { name, ty });
        }
    }

    for row in client.query(
        &format!(
            "SELECT n.nspname, p.proname, p.prokind, p.proargtypes::oid[], p.proallargtypes, \
             p.proargmodes, p.proargnames, p.prorettype, p.proretset, p.proisstrict, l.lanname, \
             p.provariadic <> 0, p.pronargdefaults \
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
             WHERE p.prokind IN ('f', 'p', 'w') AND {USER_OBJECT} AND {}",
            not_extension_owned("pg_proc", "p.oid")
        ),
        &[],
    )? {
        cat.functions.push(function(&types, &row));
    }
    cat.sort_functions();

    for row in client.query(
        &format!(
            "SELECT n.nspname, o.oprname, o.oprleft, o.oprright FROM pg_catalog.pg_operator o \
             JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace WHERE {USER_OBJECT} AND {}",
            not_extension_owned("pg_operator", "o.oid")
        ),
        &[],
    )? {
        let left: u32 = row.get(2);
        cat.operators.insert(super::Operator {
            name: QualifiedName::new(row.get::<_, String>(0), row.get::<_, String>(1)),
            left: (left != 0).then(|| types.name(left, -1, 1)),
            right: types.name(row.get(3), -1, 1),
        });
    }
    // Casts made by CREATE CAST: not the system's (OIDs below FirstNormalObjectId), nor one a
    // type owns (a range type's cast to its multirange).
    for row in client.query(
        &format!(
            "SELECT c.castsource, c.casttarget FROM pg_catalog.pg_cast c \
             WHERE c.oid >= 16384 AND {} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
             WHERE d.classid = 'pg_catalog.pg_cast'::regclass AND d.objid = c.oid \
             AND d.deptype = 'i')",
            not_extension_owned("pg_cast", "c.oid")
        ),
        &[],
    )? {
        cat.casts.insert(super::Cast {
            source: types.name(row.get(0), -1, 1),
            target: types.name(row.get(1), -1, 1),
        });
    }

    for row in client.query(
        "SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e \
         JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'",
        &[],
    )? {
        cat.extensions.insert(row.get(0));
        cat.extension_schemas.insert(row.get(0), row.get(1));
    }
    for row in client.query(
        "SELECT i.indrelid, ic.relname, i.indisprimary, c.oid IS NOT NULL, \
         coalesce(c.condeferrable, false), i.indnullsnotdistinct, \
         ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
               LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
               WHERE k.ord <= i.indnkeyatts ORDER BY k.ord), \
         ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, true) \
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
               WHERE k.ord <= i.indnkeyatts AND k.attnum = 0 ORDER BY k.ord), \
         pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) \
         FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         LEFT JOIN pg_catalog.pg_constraint c ON c.conindid = i.indexrelid \
           AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u') \
         WHERE i.indisunique",
        &[],
    )? {
        let Some(table) = relations.get(&row.get::<_, u32>(0)) else {
            continue;
        };
        let kind = match (row.get::<_, bool>(2), row.get::<_, bool>(3)) {
            (true, _) => super::UniqueKind::PrimaryKey,
            (false, true) => super::UniqueKind::Constraint,
            (false, false) => super::UniqueKind::Index,
        };
        let index = super::UniqueIndex {
            name: row.get(1),
            kind,
            deferrable: row.get(4),
            nulls_not_distinct: row.get(5),
            columns: row.get(6),
            expressions: row.get(7),
            predicate: row.get(8),
        };
        if let Some(relation) = cat.tables.get_mut(table) {
            relation.unique_indexes.push(index);
        }
    }
    for row in client.query(
        "SELECT conrelid::oid, conname::text FROM pg_catalog.pg_constraint WHERE contype = 'x'",
        &[],
    )? {
        if let Some(table) = relations.get(&row.get::<_, u32>(0))
            && let Some(relation) = cat.tables.get_mut(table)
        {
            relation.exclusion_constraints.push(row.get(1));
        }
    }
    for relation in cat.tables.values_mut() {
        relation.unique_indexes.sort_by(|a, b| a.name.cmp(&b.name));
        relation.exclusion_constraints.sort();
    }
    row_security(client, &relations, &mut cat)?;
    cat.search_path = client
        .query_one("SELECT current_schemas(false)::text[]", &[])?
        .get(0);
    Ok(cat)
}

/// `relrowsecurity` / `relforcerowsecurity` and `pg_policy`, for the relations read.
fn row_security(
    client: &mut postgres::Client,
    relations: &HashMap<u32, QualifiedName>,
    cat: &mut Catalog,
) -> Result<(), postgres::Error> {
    for row in client.query(
        "SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity FROM pg_catalog.pg_class c \
         WHERE c.relrowsecurity OR c.relforcerowsecurity \
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid)",
        &[],
    )? {
        let Some(table) = relations.get(&row.get::<_, u32>(0)) else {
            continue;
        };
        let security = cat.row_security.entry(table.clone()).or_default();
        security.enabled = row.get(1);
        security.forced = row.get(2);
    }
    for row in client.query(
        "SELECT p.polrelid, p.polname, p.polpermissive, p.polcmd::text, \
                pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
                pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
         FROM pg_catalog.pg_policy p",
        &[],
    )? {
        let Some(table) = relations.get(&row.get::<_, u32>(0)) else {
            continue;
        };
        let command = match row.get::<_, String>(3).as_str() {
            "r" => "select",
            "a" => "insert",
            "w" => "update",
            "d" => "delete",
            _ => "all",
        };
        let policy = super::Policy {
            permissive: row.get(2),
            command: command.to_string(),
            using: row.get(4),
            with_check: row.get(5),
        };
        cat.row_security
            .entry(table.clone())
            .or_default()
            .policies
            .insert(row.get(1), policy);
    }
    Ok(())
}

/// One `pg_proc` row.
fn function(types: &TypeMap, row: &postgres::Row) -> Function {
    let prokind: i8 = row.get(2);
    let input_types: Vec<u32> = row.get(3);
    let all_types: Option<Vec<u32>> = row.get(4);
    let modes: Option<Vec<i8>> = row.get(5);
    let names: Option<Vec<String>> = row.get(6);
    let all_types = all_types.unwrap_or_else(|| input_types.clone());
    let modes = modes.unwrap_or_else(|| vec![b'i' as i8; all_types.len()]);
    let name_at = |i: usize| {
        names
            .as_ref()
            .and_then(|n| n.get(i))
            .filter(|n| !n.is_empty())
            .cloned()
    };
    let mut arg_names = Vec::new();
    let mut table_columns = Vec::new();
    for (i, (&oid, &mode)) in all_types.iter().zip(&modes).enumerate() {
        let mode = mode as u8;
        if matches!(mode, b'i' | b'b' | b'v') {
            arg_names.push(name_at(i));
        }
        if matches!(mode, b'o' | b'b' | b't') {
            table_columns.push((name_at(i).unwrap_or_default(), types.name(oid, -1, 1)));
        }
    }
    let procedure = prokind as u8 == b'p';
    Function {
        name: QualifiedName::new(row.get::<_, String>(0), row.get::<_, String>(1)),
        args: input_types
            .iter()
            .map(|&oid| types.name(oid, -1, 1))
            .collect(),
        arg_names,
        nargdefaults: row.get::<_, i16>(12) as usize,
        variadic: row.get(11),
        ret: (!procedure).then(|| types.name(row.get(7), -1, 1)),
        returns_set: row.get(8),
        table_columns,
        strict: row.get(9),
        language: row.get(10),
    }
}

/// Every type's schema and name by OID, and which types are arrays of which.
struct TypeMap {
    names: HashMap<u32, (String, String)>,
    element_of: BTreeMap<u32, u32>,
}

impl TypeMap {
    fn load(client: &mut postgres::Client) -> Result<Self, postgres::Error> {
        let mut names = HashMap::new();
        let mut element_of = BTreeMap::new();
        for row in client.query(
            "SELECT t.oid, n.nspname, t.typname, t.typarray FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace",
            &[],
        )? {
            let oid: u32 = row.get(0);
            let array: u32 = row.get(3);
            names.insert(oid, (row.get(1), row.get(2)));
            if array != 0 {
                element_of.insert(array, oid);
            }
        }
        Ok(TypeMap { names, element_of })
    }

    /// The type `oid` with `typmod`; `dims` as recorded (`attndims`), at least 1 for an array.
    fn name(&self, oid: u32, typmod: i32, dims: i32) -> TypeName {
        let (element, array_dims) = match self.element_of.get(&oid) {
            Some(&element) => (element, dims.max(1) as u32),
            None => (oid, 0),
        };
        let (schema, name) = self
            .names
            .get(&element)
            .cloned()
            .unwrap_or_else(|| ("pg_catalog".to_string(), format!("oid {element}")));
        TypeName {
            schema,
            name,
            typmod,
            array_dims,
        }
    }
}
