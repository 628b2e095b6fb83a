//! Comparing two catalogs, as the DDL-vs-live test does: every difference as one line.
//!
//! Relations whose columns are still to be typed from their query (views, materialized views
//! and `CREATE TABLE AS` read from DDL: [`Relation::columns_pending`]) are compared by name and
//! kind only. Types are compared as a whole ([`TypeName`], so schema, name, modifier and
//! dimensions) and shown as `format_type` spells them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use super::{Catalog, Column, Function, Relation, TypeName};

/// The differences between `left` (say, from DDL) and `right` (say, introspected), each as
/// `what: left-side vs right-side`. Empty when they agree.
pub fn diff(left: &Catalog, right: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    sets(&mut out, "schema", &left.schemas, &right.schemas);
    maps(&mut out, "relation", &left.tables, &right.tables, relation);
    maps(
        &mut out,
        "enum",
        &left.enums,
        &right.enums,
        |out, name, l, r| {
            if l != r {
                out.push(format!("enum {name}: labels {l:?} vs {r:?}"));
            }
        },
    );
    maps(
        &mut out,
        "composite type",
        &left.composites,
        &right.composites,
        |out, name, l, r| {
            let show = |fields: &[super::Field]| {
                fields
                    .iter()
                    .map(|f| format!("{} {}", f.name, f.ty.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if l != r {
                out.push(format!(
                    "composite type {name}: ({}) vs ({})",
                    show(l),
                    show(r)
                ));
            }
        },
    );
    maps(
        &mut out,
        "domain",
        &left.domains,
        &right.domains,
        |out, name, l, r| {
            if l.base != r.base {
                out.push(format!(
                    "domain {name}: base {} vs {}",
                    ty(&l.base),
                    ty(&r.base)
                ));
            }
            if l.not_null != r.not_null {
                out.push(format!(
                    "domain {name}: NOT NULL {} vs {}",
                    l.not_null, r.not_null
                ));
            }
        },
    );
    maps(
        &mut out,
        "range type",
        &left.ranges,
        &right.ranges,
        |out, name, l, r| {
            if l != r {
                out.push(format!("range type {name}: subtype {} vs {}", ty(l), ty(r)));
            }
        },
    );
    sets(&mut out, "base type", &left.base_types, &right.base_types);
    let functions = |cat: &Catalog| -> BTreeMap<String, Function> {
        cat.functions
            .iter()
            .map(|f| (f.signature(), f.clone()))
            .collect()
    };
    maps(
        &mut out,
        "function",
        &functions(left),
        &functions(right),
        function,
    );
    sets(&mut out, "operator", &left.operators, &right.operators);
    sets(&mut out, "cast", &left.casts, &right.casts);
    sets(&mut out, "sequence", &left.sequences, &right.sequences);
    sets(&mut out, "extension", &left.extensions, &right.extensions);
    for (name, l) in &left.extension_schemas {
        if let Some(r) = right.extension_schemas.get(name).filter(|r| *r != l) {
            out.push(format!("extension {name}: schema {l} vs {r}"));
        }
    }
    maps(
        &mut out,
        "row-level security of",
        &left.row_security,
        &right.row_security,
        |out, name, l, r| {
            // Policy expressions are compared by the rule that reads them (written SQL and
            // `pg_get_expr`'s differ in spelling), the rest as PostgreSQL stores it.
            let shape = |s: &super::RowSecurity| {
                let policies: Vec<String> = s
                    .policies
                    .iter()
                    .map(|(n, p)| format!("{n} {} {}", p.permissive, p.command))
                    .collect();
                (s.enabled, s.forced, policies)
            };
            if shape(l) != shape(r) {
                out.push(format!(
                    "row-level security of {name}: {:?} vs {:?}",
                    shape(l),
                    shape(r)
                ));
            }
        },
    );
    if left.search_path != right.search_path {
        out.push(format!(
            "search_path: {:?} vs {:?}",
            left.search_path, right.search_path
        ));
    }
    out
}

fn sets<T: Ord + std::fmt::Display>(
    out: &mut Vec<String>,
    what: &str,
    left: &BTreeSet<T>,
    right: &BTreeSet<T>,
) {
    for only in left.difference(right) {
        out.push(format!("{what} {only}: only on the left"));
    }
    for only in right.difference(left) {
        out.push(format!("{what} {only}: only on the right"));
    }
}

fn maps<K: Ord + std::fmt::Display, V>(
    out: &mut Vec<String>,
    what: &str,
    left: &BTreeMap<K, V>,
    right: &BTreeMap<K, V>,
    compare: impl Fn(&mut Vec<String>, &K, &V, &V),
) {
    for (name, l) in left {
        match right.get(name) {
            Some(r) => compare(out, name, l, r),
            None => out.push(format!("{what} {name}: only on the left")),
        }
    }
    for name in right.keys().filter(|k| !left.contains_key(k)) {
        out.push(format!("{what} {name}: only on the right"));
    }
}

fn relation(out: &mut Vec<String>, name: &super::QualifiedName, l: &Relation, r: &Relation) {
    if l.kind != r.kind {
        out.push(format!(
            "relation {name}: kind {:?} vs {:?}",
            l.kind, r.kind
        ));
        return;
    }
    unique_indexes(out, name, l, r);
    if l.columns_pending() || r.columns_pending() {
        return;
    }
    let names = |rel: &Relation| {
        rel.columns
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    if names(l) != names(r) {
        out.push(format!(
            "relation {name}: columns {:?} vs {:?}",
            names(l),
            names(r)
        ));
    }
    for lc in &l.columns {
        if let Some(rc) = r.column(&lc.name) {
            column(out, name, lc, rc);
        }
    }
}

fn column(out: &mut Vec<String>, table: &super::QualifiedName, l: &Column, r: &Column) {
    let mut field = |what: &str, lv: &dyn Debug, rv: &dyn Debug, differs: bool| {
        if differs {
            out.push(format!(
                "relation {table}: column {}: {what} {lv:?} vs {rv:?}",
                l.name
            ));
        }
    };
    field("type", &ty(&l.ty), &ty(&r.ty), l.ty != r.ty);
    field(
        "NOT NULL",
        &l.not_null,
        &r.not_null,
        l.not_null != r.not_null,
    );
    field(
        "default",
        &l.has_default,
        &r.has_default,
        l.has_default != r.has_default,
    );
    field(
        "identity",
        &l.identity,
        &r.identity,
        l.identity != r.identity,
    );
    field(
        "generated",
        &l.generated,
        &r.generated,
        l.generated != r.generated,
    );
}

fn function(out: &mut Vec<String>, signature: &String, l: &Function, r: &Function) {
    let mut field = |what: &str, lv: String, rv: String| {
        if lv != rv {
            out.push(format!("function {signature}: {what} {lv} vs {rv}"));
        }
    };
    // Compared as types, shown as spelled (qualified, so that a type in another schema shows).
    let qualified = |t: &TypeName| format!("{}.{}", t.schema, ty(t));
    if l.args != r.args {
        let args = |f: &Function| f.args.iter().map(qualified).collect::<Vec<_>>().join(", ");
        field("argument types", args(l), args(r));
    }
    let ret = |f: &Function| f.ret.as_ref().map_or("(procedure)".to_string(), qualified);
    field("returns", ret(l), ret(r));
    field(
        "returns set",
        l.returns_set.to_string(),
        r.returns_set.to_string(),
    );
    let columns = |f: &Function| {
        f.table_columns
            .iter()
            .map(|(n, t)| format!("{n} {}", qualified(t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    field("output columns", columns(l), columns(r));
    field(
        "argument names",
        format!("{:?}", l.arg_names),
        format!("{:?}", r.arg_names),
    );
    field(
        "argument defaults",
        l.nargdefaults.to_string(),
        r.nargdefaults.to_string(),
    );
    field("strict", l.strict.to_string(), r.strict.to_string());
    field("variadic", l.variadic.to_string(), r.variadic.to_string());
    field("language", l.language.clone(), r.language.clone());
}

/// A type as `format_type` spells it, with what that spelling hides when it matters.
fn ty(t: &TypeName) -> String {
    if t.array_dims > 1 {
        format!("{} ({} dims)", t.display(), t.array_dims)
    } else {
        t.display()
    }
}

/// Unique indexes by name: kind, key columns, and the presence of expressions and a predicate
/// (their text is as written on one side and deparsed on the other).
fn unique_indexes(out: &mut Vec<String>, name: &super::QualifiedName, l: &Relation, r: &Relation) {
    let shape = |rel: &Relation| -> BTreeMap<String, String> {
        rel.unique_indexes
            .iter()
            .map(|i| {
                let columns: Vec<&str> = i
                    .columns
                    .iter()
                    .map(|c| c.as_deref().unwrap_or("(expression)"))
                    .collect();
                let shape = format!(
                    "{:?} ({}){}{}{}",
                    i.kind,
                    columns.join(", "),
                    if i.nulls_not_distinct {
                        " NULLS NOT DISTINCT"
                    } else {
                        ""
                    },
                    if i.deferrable { " DEFERRABLE" } else { "" },
                    if i.predicate.is_some() {
                        " WHERE ..."
                    } else {
                        ""
                    },
                );
                (i.name.clone(), shape)
            })
            .collect()
    };
    let (left, right) = (shape(l), shape(r));
    for (index, l) in &left {
        match right.get(index) {
            Some(r) if r == l => {}
            Some(r) => out.push(format!("unique index {index} on {name}: {l} vs {r}")),
            None => out.push(format!("unique index {index} on {name}: {l} vs missing")),
        }
    }
    for (index, r) in &right {
        if !left.contains_key(index) {
            out.push(format!("unique index {index} on {name}: missing vs {r}"));
        }
    }
}
