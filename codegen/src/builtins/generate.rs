//! Reading the builtins from a server's `pg_catalog` (the `squill-builtins` command and the
//! drift test).

use std::fmt;

use super::{
    AggregateKind, ArgMode, BuiltinAggregate, BuiltinCast, BuiltinColumn, BuiltinFunction,
    BuiltinOperator, BuiltinRelation, BuiltinType, Builtins, CastContext, CastMethod, FunctionKind,
    OperatorKind, RelationKind, TypeKind, Volatility,
};

/// Why a server's catalog could not be read into a data file.
#[derive(Debug)]
pub enum GenerateError {
    /// A catalog query failed.
    Sql(postgres::Error),
    /// A catalog value the data file cannot represent (a name with a tab, an unknown code...).
    Unrepresentable(String),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::Sql(e) => write!(
                f,
                "reading pg_catalog failed: {}",
                crate::live::describe_pg_error(e)
            ),
            GenerateError::Unrepresentable(what) => write!(f, "cannot write {what}"),
        }
    }
}

impl std::error::Error for GenerateError {}

impl From<postgres::Error> for GenerateError {
    fn from(e: postgres::Error) -> Self {
        GenerateError::Sql(e)
    }
}

const TYPES: &str = "\
SELECT t.oid, t.typname::text, format_type(t.oid, NULL), t.typtype, t.typcategory,
       t.typispreferred, t.typlen, t.typbyval, t.typelem, t.typarray, t.typsubscript::oid,
       t.typbasetype, t.typcollation, coalesce(r.rngsubtype, 0), coalesce(r.rngmultitypid, 0)
  FROM pg_type t LEFT JOIN pg_range r ON r.rngtypid = t.oid
 WHERE t.typnamespace = 'pg_catalog'::regnamespace
   AND t.typrelid = 0
   AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid AND e.typrelid <> 0)
 ORDER BY t.oid";

const FUNCTIONS: &str = "\
SELECT p.oid, p.proname::text, p.prokind, p.provolatile, p.proisstrict, p.proretset,
       p.prorettype, p.pronargdefaults, p.provariadic, p.proargtypes::oid[], p.proallargtypes,
       p.proargmodes, p.proargnames
  FROM pg_proc p
 WHERE p.pronamespace = 'pg_catalog'::regnamespace
 ORDER BY p.oid";

const OPERATORS: &str = "\
SELECT o.oid, o.oprname::text, o.oprkind, o.oprleft, o.oprright, o.oprresult, o.oprcode::oid,
       o.oprcom, o.oprnegate
  FROM pg_operator o
 WHERE o.oprnamespace = 'pg_catalog'::regnamespace
 ORDER BY o.oid";

const CASTS: &str = "\
SELECT c.castsource, c.casttarget, c.castcontext, c.castmethod, c.castfunc
  FROM pg_cast c
 ORDER BY c.castsource, c.casttarget";

const AGGREGATES: &str = "\
SELECT a.aggfnoid::oid, a.aggkind, a.aggnumdirectargs, a.aggtransfn::oid, a.aggfinalfn::oid,
       a.aggtranstype, a.agginitval
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'pg_catalog'::regnamespace
 ORDER BY a.aggfnoid";

const RELATIONS: &str = "\
SELECT c.oid, n.nspname::text, c.relname::text, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('pg_catalog', 'information_schema')
   AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
 ORDER BY c.oid";

/// Primary keys of the relations above (`get_primary_key_attnos(deferrableOk = false)`), their
/// columns in key order.
const PRIMARY_KEYS: &str = "\
SELECT con.conrelid, array_agg(a.attname::text ORDER BY k.ord)
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN unnest(con.conkey) WITH ORDINALITY AS k (attnum, ord)
  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
 WHERE n.nspname IN ('pg_catalog', 'information_schema')
   AND con.contype = 'p' AND NOT con.condeferrable
 GROUP BY con.conrelid
 ORDER BY con.conrelid";

/// Columns of the relations above, with the column's type reduced through domains to its base
/// type (`typbasetype` chains), and whether that base type is a row type or an array of one
/// (the types the `T` records leave out).
const COLUMNS: &str = "\
WITH RECURSIVE base (start, oid, typtype, typbasetype) AS (
    SELECT t.oid, t.oid, t.typtype, t.typbasetype FROM pg_type t
    UNION ALL
    SELECT b.start, t.oid, t.typtype, t.typbasetype
      FROM base b JOIN pg_type t ON t.oid = b.typbasetype
     WHERE b.typtype = 'd'
)
SELECT a.attrelid, a.attname::text, b.oid, a.attnotnull,
       t.typrelid <> 0 OR coalesce(e.typrelid <> 0, false) AS row_type,
       t.typtype = 'b' AND coalesce(e.typtype = 'd', false) AS domain_array
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN base b ON b.start = a.atttypid AND b.typtype <> 'd'
  JOIN pg_type t ON t.oid = b.oid
  LEFT JOIN pg_type e ON e.oid = t.typelem AND e.typarray = t.oid
 WHERE n.nspname IN ('pg_catalog', 'information_schema')
   AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum";

/// Reads the builtins from the server `client` is connected to (only reads) and returns the
/// data file, deterministically.
pub fn generate(client: &mut postgres::Client) -> Result<String, GenerateError> {
    Ok(read_catalog(client)?.to_data())
}

fn read_catalog(client: &mut postgres::Client) -> Result<Builtins, GenerateError> {
    let major: i32 = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )?
        .get(0);

    let mut types = Vec::new();
    for row in client.query(TYPES, &[])? {
        let oid: u32 = row.get(0);
        let what = || format!("type {oid}");
        types.push(BuiltinType {
            oid,
            name: field(row.get(1), &what)?,
            sql_name: field(row.get(2), &what)?,
            kind: code(row.get(3), TypeKind::from_code, &what)?,
            category: char_of(row.get(4), &what)?,
            preferred: row.get(5),
            len: row.get(6),
            byval: row.get(7),
            elem: nonzero(row.get(8)),
            array: nonzero(row.get(9)),
            subscript: nonzero(row.get(10)),
            base: nonzero(row.get(11)),
            collation: nonzero(row.get(12)),
            range_subtype: nonzero(row.get(13)),
            multirange: nonzero(row.get(14)),
        });
    }

    let mut functions = Vec::new();
    for row in client.query(FUNCTIONS, &[])? {
        let oid: u32 = row.get(0);
        let what = || format!("function {oid}");
        let modes: Option<Vec<i8>> = row.get(11);
        let names: Option<Vec<String>> = row.get(12);
        let nargdefaults: i16 = row.get(7);
        functions.push(BuiltinFunction {
            oid,
            name: field(row.get(1), &what)?,
            kind: code(row.get(2), FunctionKind::from_code, &what)?,
            volatility: code(row.get(3), Volatility::from_code, &what)?,
            strict: row.get(4),
            retset: row.get(5),
            ret: row.get(6),
            nargdefaults: u16::try_from(nargdefaults).map_err(|_| unrepresentable(&what))?,
            variadic: nonzero(row.get(8)),
            args: row.get(9),
            all_args: row.get(10),
            arg_modes: modes
                .map(|m| {
                    m.into_iter()
                        .map(|c| code(c, ArgMode::from_code, &what))
                        .collect()
                })
                .transpose()?,
            arg_names: names
                .map(|names| {
                    // A list of one empty name would read back as an empty list.
                    if names.len() == 1 && names[0].is_empty() {
                        return Err(unrepresentable(&what));
                    }
                    names
                        .into_iter()
                        .map(|n| list_item(n, &what))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            aggregate: None,
        });
    }

    let mut operators = Vec::new();
    for row in client.query(OPERATORS, &[])? {
        let oid: u32 = row.get(0);
        let what = || format!("operator {oid}");
        operators.push(BuiltinOperator {
            oid,
            name: field(row.get(1), &what)?,
            kind: code(row.get(2), OperatorKind::from_code, &what)?,
            left: nonzero(row.get(3)),
            right: row.get(4),
            result: row.get(5),
            code: row.get(6),
            commutator: nonzero(row.get(7)),
            negator: nonzero(row.get(8)),
        });
    }

    let mut casts = Vec::new();
    for row in client.query(CASTS, &[])? {
        let (source, target): (u32, u32) = (row.get(0), row.get(1));
        let what = || format!("cast {source} -> {target}");
        casts.push(BuiltinCast {
            source,
            target,
            context: code(row.get(2), CastContext::from_code, &what)?,
            method: code(row.get(3), CastMethod::from_code, &what)?,
            func: nonzero(row.get(4)),
        });
    }

    let mut aggregates = Vec::new();
    for row in client.query(AGGREGATES, &[])? {
        let fnoid: u32 = row.get(0);
        let what = || format!("aggregate {fnoid}");
        let num_direct_args: i16 = row.get(2);
        let initval: Option<String> = row.get(6);
        aggregates.push(BuiltinAggregate {
            fnoid,
            kind: code(row.get(1), AggregateKind::from_code, &what)?,
            num_direct_args: u16::try_from(num_direct_args).map_err(|_| unrepresentable(&what))?,
            transfn: row.get(3),
            finalfn: nonzero(row.get(4)),
            transtype: row.get(5),
            initval: initval.map(|v| field(v, &what)).transpose()?,
        });
    }

    let mut relations = Vec::new();
    let mut relation_index = std::collections::HashMap::new();
    for row in client.query(RELATIONS, &[])? {
        let oid: u32 = row.get(0);
        let what = || format!("relation {oid}");
        relation_index.insert(oid, relations.len());
        relations.push(BuiltinRelation {
            schema: field(row.get(1), &what)?,
            name: field(row.get(2), &what)?,
            kind: code(row.get(3), RelationKind::from_code, &what)?,
            columns: Vec::new(),
            primary_key: None,
        });
    }
    for row in client.query(PRIMARY_KEYS, &[])? {
        let (relid, key): (u32, Vec<String>) = (row.get(0), row.get(1));
        let what = || format!("primary key of relation {relid}");
        let Some(&i) = relation_index.get(&relid) else {
            return Err(unrepresentable(&what));
        };
        let key = key
            .into_iter()
            .map(|k| match k.contains(',') {
                true => Err(unrepresentable(&what)),
                false => field(k, &what),
            })
            .collect::<Result<Vec<_>, _>>()?;
        relations[i].primary_key = Some(key);
    }
    let known: std::collections::HashSet<u32> = types.iter().map(|t| t.oid).collect();
    for row in client.query(COLUMNS, &[])? {
        let (relid, name, ty): (u32, String, u32) = (row.get(0), row.get(1), row.get(2));
        let (row_type, domain_array): (bool, bool) = (row.get(4), row.get(5));
        let what = || format!("column {name} of relation {relid}");
        // An array of a domain would need its element reduced too (RowDescription reports the
        // array type); no system relation has one, so refuse rather than write a wrong type.
        // Types outside the `T` records may only be the system row types they leave out.
        if domain_array || !(known.contains(&ty) || row_type) {
            return Err(GenerateError::Unrepresentable(format!(
                "{} (type {ty})",
                what()
            )));
        }
        let Some(&i) = relation_index.get(&relid) else {
            return Err(unrepresentable(&what));
        };
        relations[i].columns.push(BuiltinColumn {
            name: field(name.clone(), &what)?,
            ty,
            not_null: row.get(3),
        });
    }

    Ok(Builtins::new(
        u32::try_from(major).map_err(|_| unrepresentable(&|| "the server version".into()))?,
        types,
        functions,
        operators,
        casts,
        aggregates,
        relations,
    ))
}

fn unrepresentable(what: &dyn Fn() -> String) -> GenerateError {
    GenerateError::Unrepresentable(what())
}

fn nonzero(oid: u32) -> Option<u32> {
    (oid != 0).then_some(oid)
}

/// A text field: no tab or line break, and not the NULL marker.
pub(super) fn field(s: String, what: &dyn Fn() -> String) -> Result<String, GenerateError> {
    if s.contains(['\t', '\n', '\r']) || s == "\\N" {
        return Err(GenerateError::Unrepresentable(format!("{}: {s:?}", what())));
    }
    Ok(s)
}

/// An element of a comma-joined list.
pub(super) fn list_item(s: String, what: &dyn Fn() -> String) -> Result<String, GenerateError> {
    if s.contains(',') {
        return Err(GenerateError::Unrepresentable(format!("{}: {s:?}", what())));
    }
    field(s, what)
}

pub(super) fn char_of(c: i8, what: &dyn Fn() -> String) -> Result<char, GenerateError> {
    let c = c as u8;
    if c.is_ascii_graphic() {
        Ok(char::from(c))
    } else {
        Err(GenerateError::Unrepresentable(format!(
            "{}: code byte {c}",
            what()
        )))
    }
}

fn code<T>(
    c: i8,
    from: fn(char) -> Option<T>,
    what: &dyn Fn() -> String,
) -> Result<T, GenerateError> {
    let ch = char_of(c, what)?;
    from(ch).ok_or_else(|| GenerateError::Unrepresentable(format!("{}: code `{ch}`", what())))
}
