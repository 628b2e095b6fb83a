//! Reading what each contrib extension creates from a server (the `squill-builtins --contrib`
//! command and the drift test): `CREATE EXTENSION` in a transaction, read the objects it owns,
//! roll back.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::super::GenerateError;
use super::super::generate::{char_of, field, list_item};
use super::EXTENSIONS;
use crate::catalog::quote_ident;

/// OIDs below this are PostgreSQL's own (`FirstNormalObjectId`).
const FIRST_NORMAL_OID: u32 = 16384;

const HEADER: &str = "\
# squill contrib: the types, functions, operators and casts each contrib extension creates (the objects
# with a pg_depend deptype 'e' entry on its pg_extension row), one section per extension, E record first.
# Generated; do not edit. Regenerate: cargo run -p squill-codegen --bin squill-builtins -- --contrib codegen/builtins/contrib15.tsv
# Format: codegen/src/builtins/contrib/mod.rs. Tab-separated; 0 = none, \\N = NULL, lists joined by commas.
# A type is a builtin type's OID or the typname of a type of the extension (or of one it requires);
# a function is a builtin function's OID or name(argument types) of a function of the extension.
";

const COLUMNS: &str = "\
# E\textname\textversion\textrelocatable\tschema\trequires
# T\ttypname\ttyptype\ttypcategory\ttypispreferred\ttyparray\ttypbasetype\tcollatable\ttypsubscript
# K\tattname\tatttypid
# F\tproname\tlanname\tprokind\tprovolatile\tproisstrict\tproretset\tprorettype\tpronargdefaults\tprovariadic\tproargtypes\tproallargtypes\tproargmodes\tproargnames
# A\tfunction\taggkind\taggnumdirectargs\taggtransfn\taggfinalfn\taggtranstype\tagginitval
# O\toprname\toprkind\toprleft\toprright\toprresult\toprcode\toprcom\toprnegate
# C\tcastsource\tcasttarget\tcastcontext\tcastmethod\tcastfunc
";

/// The generated data file and the extensions left out of it.
#[derive(Debug, Clone)]
pub struct ContribData {
    /// The data file.
    pub data: String,
    /// `(extension, why)`: not available on the server, or `CREATE EXTENSION` failed.
    pub skipped: Vec<(String, String)>,
}

/// Creates each extension of [`EXTENSIONS`] on the server `client` is connected to, one at a
/// time in a transaction that is rolled back, and returns the data file (deterministic) with
/// the extensions that could not be created. Needs a superuser (untrusted extensions) and a
/// database nobody else uses: run it on a throwaway server.
pub fn generate_contrib(client: &mut postgres::Client) -> Result<ContribData, GenerateError> {
    let major: i32 = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )?
        .get(0);
    let available: BTreeSet<String> = client
        .query("SELECT name::text FROM pg_available_extensions", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = String::with_capacity(200_000);
    out.push_str(HEADER);
    let _ = writeln!(out, "V\t{major}");
    out.push_str(COLUMNS);
    let mut skipped = Vec::new();
    for &name in EXTENSIONS {
        if !available.contains(name) {
            skipped.push((
                name.to_string(),
                "not available (no control file)".to_string(),
            ));
            continue;
        }
        let mut tx = client.transaction()?;
        let create = format!("CREATE EXTENSION {} CASCADE", quote_ident(name));
        if let Err(e) = tx.batch_execute(&create) {
            skipped.push((name.to_string(), crate::live::describe_pg_error(&e)));
            continue;
        }
        out.push_str(&section(&mut tx, name)?);
        tx.rollback()?;
    }
    Ok(ContribData { data: out, skipped })
}

/// The references the records of one extension may use: builtins by OID, the types and
/// functions of the extensions installed now (the one just created and what `CASCADE`
/// installed for it) by name.
struct Names {
    /// Type OID (element or array) → typname.
    types: HashMap<u32, String>,
    /// Function OID → `name(types)`.
    functions: HashMap<u32, String>,
}

impl Names {
    fn ty(&self, oid: u32, what: &dyn Fn() -> String) -> Result<String, GenerateError> {
        if oid < FIRST_NORMAL_OID {
            return Ok(oid.to_string());
        }
        self.types.get(&oid).cloned().ok_or_else(|| {
            GenerateError::Unrepresentable(format!(
                "{}: type {oid} is neither a builtin nor an extension's",
                what()
            ))
        })
    }

    fn types(&self, oids: &[u32], what: &dyn Fn() -> String) -> Result<String, GenerateError> {
        Ok(oids
            .iter()
            .map(|&o| self.ty(o, what))
            .collect::<Result<Vec<_>, _>>()?
            .join(","))
    }

    /// A function reference (`0` for none).
    fn function(&self, oid: u32, what: &dyn Fn() -> String) -> Result<String, GenerateError> {
        if oid < FIRST_NORMAL_OID {
            return Ok(oid.to_string());
        }
        self.functions.get(&oid).cloned().ok_or_else(|| {
            GenerateError::Unrepresentable(format!(
                "{}: function {oid} is neither a builtin nor an extension's",
                what()
            ))
        })
    }
}

/// `WHERE` clause for the objects of catalog `catalog` (aliased `x`) that extension `$1` owns.
fn owned(catalog: &str) -> String {
    format!(
        "EXISTS (SELECT FROM pg_depend d WHERE d.classid = '{catalog}'::regclass \
         AND d.objid = x.oid AND d.refclassid = 'pg_extension'::regclass \
         AND d.refobjid = $1 AND d.deptype = 'e')"
    )
}

/// Objects of `catalog` (aliased `x`) that any extension owns.
const ANY_OWNER: &str = "EXISTS (SELECT FROM pg_depend d WHERE d.classid = $1::text::regclass \
     AND d.objid = x.oid AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')";

fn section(tx: &mut postgres::Transaction, name: &str) -> Result<String, GenerateError> {
    let ext = tx.query_one(
        "SELECT e.oid, e.extversion, e.extrelocatable, e.extnamespace, v.schema::text,
                coalesce(v.requires::text[], '{}')
           FROM pg_extension e
           LEFT JOIN pg_available_extension_versions v
             ON v.name = e.extname AND v.version = e.extversion
          WHERE e.extname = $1",
        &[&name],
    )?;
    let ext_oid: u32 = ext.get(0);
    let namespace: u32 = ext.get(3);
    let requires: Vec<String> = ext.get(5);
    let schema: Option<String> = ext.get(4);
    let what_ext = || format!("extension {name}");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "E\t{}\t{}\t{}\t{}\t{}",
        name,
        field(ext.get(1), &what_ext)?,
        flag(ext.get(2)),
        match schema {
            Some(s) => field(s, &what_ext)?,
            None => "\\N".into(),
        },
        requires
            .into_iter()
            .map(|r| list_item(r, &what_ext))
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
    );

    // What records may refer to: every extension-owned type and function now in the database.
    let mut names = Names {
        types: HashMap::new(),
        functions: HashMap::new(),
    };
    for row in tx.query(
        &format!(
            "SELECT x.oid, x.typname::text, x.typarray, coalesce(a.typname::text, '')
               FROM pg_type x LEFT JOIN pg_type a ON a.oid = x.typarray
              WHERE {ANY_OWNER}"
        ),
        &[&"pg_type"],
    )? {
        let (oid, typname, array, array_name): (u32, String, u32, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let what = || format!("type {typname} of an extension");
        names
            .types
            .insert(oid, reference_name(typname.clone(), &what)?);
        if array != 0 {
            names
                .types
                .insert(array, reference_name(array_name, &what)?);
        }
    }
    for row in tx.query(
        &format!(
            "SELECT x.oid, x.proname::text, x.proargtypes::oid[] FROM pg_proc x WHERE {ANY_OWNER}"
        ),
        &[&"pg_proc"],
    )? {
        let (oid, proname, args): (u32, String, Vec<u32>) = (row.get(0), row.get(1), row.get(2));
        let what = || format!("function {proname} of an extension");
        let signature = format!(
            "{}({})",
            reference_name(proname.clone(), &what)?,
            names.types(&args, &what)?
        );
        names.functions.insert(oid, signature);
    }

    // Every owned object must be one the file can describe, in the extension's schema.
    for row in tx.query(
        "SELECT d.classid::regclass::text, count(*)::int8
           FROM pg_depend d
          WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = $1 AND d.deptype = 'e'
          GROUP BY 1",
        &[&ext_oid],
    )? {
        let catalog: String = row.get(0);
        // Index support objects (operator classes and families, access methods), text search
        // templates and dictionaries, foreign-data wrappers and the system views some
        // extensions create are not read: the analyzer has no use for them.
        if !matches!(
            catalog.as_str(),
            "pg_type"
                | "pg_proc"
                | "pg_operator"
                | "pg_cast"
                | "pg_class"
                | "pg_opclass"
                | "pg_opfamily"
                | "pg_am"
                | "pg_ts_template"
                | "pg_ts_dict"
                | "pg_foreign_data_wrapper"
        ) {
            return Err(GenerateError::Unrepresentable(format!(
                "{}: owns objects of {catalog}",
                what_ext()
            )));
        }
    }
    for (catalog, column) in [
        ("pg_type", "typnamespace"),
        ("pg_proc", "pronamespace"),
        ("pg_operator", "oprnamespace"),
    ] {
        let elsewhere: i64 = tx
            .query_one(
                &format!(
                    "SELECT count(*) FROM {catalog} x WHERE {} AND x.{column} <> $2",
                    owned(catalog)
                ),
                &[&ext_oid, &namespace],
            )?
            .get(0);
        if elsewhere != 0 {
            return Err(GenerateError::Unrepresentable(format!(
                "{}: {elsewhere} objects of {catalog} outside its schema",
                what_ext()
            )));
        }
    }

    let mut types = Vec::new();
    for row in tx.query(
        &format!(
            "SELECT x.typname::text, x.typtype, x.typcategory, x.typispreferred,
                    a.typname::text, x.typbasetype, x.typcollation <> 0, x.typsubscript::oid,
                    x.typrelid
               FROM pg_type x LEFT JOIN pg_type a ON a.oid = x.typarray
              WHERE {}",
            owned("pg_type")
        ),
        &[&ext_oid],
    )? {
        let typname: String = row.get(0);
        let what = || format!("type {typname} of {name}");
        let kind = char_of(row.get(1), &what)?;
        if !matches!(kind, 'b' | 'c' | 'd') {
            return Err(GenerateError::Unrepresentable(format!(
                "{}: typtype `{kind}`",
                what()
            )));
        }
        let array: Option<String> = row.get(4);
        let base: u32 = row.get(5);
        let subscript: u32 = row.get(7);
        let mut record = format!(
            "T\t{}\t{kind}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            reference_name(typname.clone(), &what)?,
            char_of(row.get(2), &what)?,
            flag(row.get(3)),
            match array {
                Some(a) => reference_name(a, &what)?,
                None => "\\N".into(),
            },
            if base == 0 {
                "0".into()
            } else {
                names.ty(base, &what)?
            },
            flag(row.get(6)),
            if subscript == 0 {
                "0".into()
            } else {
                names.function(subscript, &what)?
            },
        );
        let relid: u32 = row.get(8);
        if relid != 0 {
            for attr in tx.query(
                "SELECT attname::text, atttypid FROM pg_attribute
                  WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                &[&relid],
            )? {
                let _ = writeln!(
                    record,
                    "K\t{}\t{}",
                    list_item(attr.get(0), &what)?,
                    names.ty(attr.get(1), &what)?
                );
            }
        }
        types.push((typname, record));
    }

    let mut functions = Vec::new();
    let mut aggregates = Vec::new();
    for row in tx.query(
        &format!(
            "SELECT x.oid, x.proname::text, l.lanname::text, x.prokind, x.provolatile,
                    x.proisstrict, x.proretset, x.prorettype, x.pronargdefaults, x.provariadic,
                    x.proargtypes::oid[], x.proallargtypes, x.proargmodes, x.proargnames
               FROM pg_proc x JOIN pg_language l ON l.oid = x.prolang
              WHERE {}",
            owned("pg_proc")
        ),
        &[&ext_oid],
    )? {
        let oid: u32 = row.get(0);
        let what = || {
            let shown = names.functions.get(&oid).map_or("?", String::as_str);
            format!("function {shown} of {name}")
        };
        let signature = names.function(oid, &what)?;
        let all_args: Option<Vec<u32>> = row.get(11);
        let modes: Option<Vec<i8>> = row.get(12);
        let arg_names: Option<Vec<String>> = row.get(13);
        let variadic: u32 = row.get(9);
        let record = format!(
            "F\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            signature.split('(').next().unwrap_or_default(),
            field(row.get(2), &what)?,
            char_of(row.get(3), &what)?,
            char_of(row.get(4), &what)?,
            flag(row.get(5)),
            flag(row.get(6)),
            names.ty(row.get(7), &what)?,
            row.get::<_, i16>(8),
            if variadic == 0 {
                "0".into()
            } else {
                names.ty(variadic, &what)?
            },
            names.types(&row.get::<_, Vec<u32>>(10), &what)?,
            match all_args {
                Some(a) => names.types(&a, &what)?,
                None => "\\N".into(),
            },
            match modes {
                Some(m) => m
                    .into_iter()
                    .map(|c| char_of(c, &what).map(String::from))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                None => "\\N".into(),
            },
            match arg_names {
                // A list of one empty name would read back as an empty list.
                Some(n) if n.len() == 1 && n[0].is_empty() => {
                    return Err(GenerateError::Unrepresentable(what()));
                }
                Some(n) => n
                    .into_iter()
                    .map(|n| list_item(n, &what))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                None => "\\N".into(),
            },
        );
        functions.push((signature, record));
    }
    for row in tx.query(
        &format!(
            "SELECT a.aggfnoid::oid, a.aggkind, a.aggnumdirectargs, a.aggtransfn::oid,
                    a.aggfinalfn::oid, a.aggtranstype, a.agginitval
               FROM pg_aggregate a JOIN pg_proc x ON x.oid = a.aggfnoid
              WHERE {}",
            owned("pg_proc")
        ),
        &[&ext_oid],
    )? {
        let fnoid: u32 = row.get(0);
        let what = || format!("aggregate {fnoid} of {name}");
        let signature = names.function(fnoid, &what)?;
        let finalfn: u32 = row.get(4);
        let initval: Option<String> = row.get(6);
        let record = format!(
            "A\t{signature}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            char_of(row.get(1), &what)?,
            row.get::<_, i16>(2),
            names.function(row.get(3), &what)?,
            if finalfn == 0 {
                "0".into()
            } else {
                names.function(finalfn, &what)?
            },
            names.ty(row.get(5), &what)?,
            match initval {
                Some(v) => field(v, &what)?,
                None => "\\N".into(),
            },
        );
        aggregates.push((signature, record));
    }

    let mut operators = Vec::new();
    let operator_rows = tx.query(
        &format!(
            "SELECT x.oid, x.oprname::text, x.oprkind, x.oprleft, x.oprright, x.oprresult,
                    x.oprcode::oid, x.oprcom, x.oprnegate
               FROM pg_operator x WHERE {}",
            owned("pg_operator")
        ),
        &[&ext_oid],
    )?;
    // Commutators and negators by name: check the implied operand types are theirs.
    let mut shape: HashMap<u32, (String, u32, u32)> = HashMap::new();
    for row in tx.query(
        "SELECT oid, oprname::text, oprleft, oprright FROM pg_operator
          WHERE oid = ANY (SELECT oprcom FROM pg_operator UNION SELECT oprnegate FROM pg_operator)",
        &[],
    )? {
        shape.insert(row.get(0), (row.get(1), row.get(2), row.get(3)));
    }
    for row in &operator_rows {
        let (left, right): (u32, u32) = (row.get(3), row.get(4));
        let opname: String = row.get(1);
        let what = || format!("operator {opname} of {name}");
        let linked = |oid: u32, l: u32, r: u32| -> Result<String, GenerateError> {
            if oid == 0 {
                return Ok("0".into());
            }
            match shape.get(&oid) {
                Some((n, sl, sr)) if *sl == l && *sr == r => operator_name(n.clone(), &what),
                _ => Err(GenerateError::Unrepresentable(format!(
                    "{}: its commutator or negator {oid} has other operand types",
                    what()
                ))),
            }
        };
        let record = format!(
            "O\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            operator_name(opname.clone(), &what)?,
            char_of(row.get(2), &what)?,
            if left == 0 {
                "0".into()
            } else {
                names.ty(left, &what)?
            },
            names.ty(right, &what)?,
            names.ty(row.get(5), &what)?,
            names.function(row.get(6), &what)?,
            linked(row.get(7), right, left)?,
            linked(row.get(8), left, right)?,
        );
        let key = (
            opname.clone(),
            if left == 0 {
                String::new()
            } else {
                names.ty(left, &what)?
            },
            names.ty(right, &what)?,
        );
        operators.push((key, record));
    }

    let mut casts = Vec::new();
    for row in tx.query(
        &format!(
            "SELECT x.castsource, x.casttarget, x.castcontext, x.castmethod, x.castfunc
               FROM pg_cast x WHERE {}",
            owned("pg_cast")
        ),
        &[&ext_oid],
    )? {
        let (source, target): (u32, u32) = (row.get(0), row.get(1));
        let what = || format!("cast {source} -> {target} of {name}");
        let func: u32 = row.get(4);
        let key = (names.ty(source, &what)?, names.ty(target, &what)?);
        let record = format!(
            "C\t{}\t{}\t{}\t{}\t{}\n",
            key.0,
            key.1,
            char_of(row.get(2), &what)?,
            char_of(row.get(3), &what)?,
            if func == 0 {
                "0".into()
            } else {
                names.function(func, &what)?
            },
        );
        casts.push((key, record));
    }

    for records in [
        sorted(types),
        sorted(functions),
        sorted(aggregates),
        sorted(operators),
        sorted(casts),
    ] {
        for r in records {
            out.push_str(&r);
        }
    }
    Ok(out)
}

/// Records in key order (keys are unique per extension: names and signatures).
fn sorted<K: Ord>(records: Vec<(K, String)>) -> Vec<String> {
    let map: BTreeMap<K, String> = records.into_iter().collect();
    map.into_values().collect()
}

fn flag(b: bool) -> char {
    if b { 't' } else { 'f' }
}

/// A type or function name used in references: also no parentheses, not a number, not empty.
fn reference_name(s: String, what: &dyn Fn() -> String) -> Result<String, GenerateError> {
    if s.is_empty() || s.contains(['(', ')']) || s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GenerateError::Unrepresentable(format!("{}: {s:?}", what())));
    }
    list_item(s, what)
}

/// An operator name: `0` means "none" in the commutator and negator fields.
fn operator_name(s: String, what: &dyn Fn() -> String) -> Result<String, GenerateError> {
    if s == "0" {
        return Err(GenerateError::Unrepresentable(format!("{}: {s:?}", what())));
    }
    field(s, what)
}
