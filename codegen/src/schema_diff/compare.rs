//! Model against model, object by object: what drift reports and what the round-trip test
//! asserts empty. Columns are compared by name, not position (a column cannot be moved in
//! place, so a migration could never make positions equal).

use std::collections::BTreeMap;

use super::model::Model;
use super::plan::column_definition;

/// One object that differs: absent on one side is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub object: String,
    pub expected: Option<String>,
    pub found: Option<String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
        write!(
            f,
            "{}\n  expected: {}\n  found:    {}",
            self.object,
            show(&self.expected),
            show(&self.found)
        )
    }
}

/// Every difference between the `expected` and the `found` model.
pub fn compare(expected: &Model, found: &Model) -> Vec<Difference> {
    let expected = flatten(expected);
    let found = flatten(found);
    let mut keys: Vec<&String> = expected.keys().chain(found.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| expected.get(*k) != found.get(*k))
        .map(|k| Difference {
            object: k.clone(),
            expected: expected.get(k).cloned(),
            found: found.get(k).cloned(),
        })
        .collect()
}

/// The model as `object → how PostgreSQL spells it`.
fn flatten(model: &Model) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let comment = |out: &mut BTreeMap<String, String>, object: String, c: &Option<String>| {
        if let Some(c) = c {
            out.insert(format!("comment on {object}"), c.clone());
        }
    };
    for (name, c) in &model.schemas {
        out.insert(format!("schema {name}"), "exists".into());
        comment(&mut out, format!("schema {name}"), c);
    }
    for (name, schema) in &model.extensions {
        out.insert(format!("extension {name}"), format!("in schema {schema}"));
    }
    for (name, e) in &model.enums {
        out.insert(format!("enum {name}"), e.labels.join(", "));
        comment(&mut out, format!("type {name}"), &e.comment);
    }
    for (name, t) in &model.other_types {
        out.insert(format!("type {name}"), t.create.clone());
        comment(&mut out, format!("type {name}"), &t.comment);
    }
    for (name, s) in &model.sequences {
        out.insert(format!("sequence {name}"), s.options.clone());
        if let Some((table, column)) = &s.owned_by {
            out.insert(
                format!("sequence {name} owned by"),
                format!("{table}.{column}"),
            );
        }
        comment(&mut out, format!("sequence {name}"), &s.comment);
    }
    for (name, t) in &model.tables {
        let kind = t.inheritance.as_deref().unwrap_or("exists");
        out.insert(format!("table {name}"), kind.to_string());
        comment(&mut out, format!("table {name}"), &t.comment);
        for c in &t.columns {
            out.insert(format!("column {name}.{}", c.name), column_definition(c));
            comment(&mut out, format!("column {name}.{}", c.name), &c.comment);
        }
        for (cname, c) in &t.constraints {
            out.insert(
                format!("constraint {cname} on {name}"),
                c.definition.clone(),
            );
        }
        for (tname, def) in &t.triggers {
            out.insert(format!("trigger {tname} on {name}"), def.clone());
        }
    }
    for (name, v) in &model.views {
        let kind = if v.materialized {
            "materialized view"
        } else {
            "view"
        };
        let options = if v.options.is_empty() {
            String::new()
        } else {
            format!("WITH ({}) ", v.options)
        };
        out.insert(
            format!("{kind} {name}"),
            format!("{options}{}", v.definition.trim()),
        );
        comment(&mut out, format!("{kind} {name}"), &v.comment);
    }
    for (name, i) in &model.indexes {
        out.insert(format!("index {name}"), i.definition.clone());
        comment(&mut out, format!("index {name}"), &i.comment);
    }
    for (name, f) in &model.functions {
        out.insert(
            format!("{} {name}", f.kind.to_lowercase()),
            f.definition.trim().to_string(),
        );
        comment(&mut out, format!("function {name}"), &f.comment);
    }
    out
}
