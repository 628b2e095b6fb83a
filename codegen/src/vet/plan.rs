//! The scans of one `EXPLAIN (VERBOSE, FORMAT JSON)` plan, with the conditions that restrict
//! each: its own `Filter`/`Index Cond`, and the join conditions of the joins above it.

use serde_json::Value;

/// How a relation is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// `Seq Scan`: every row.
    Seq,
    /// `Index Scan`/`Index Only Scan` (one index) or `Bitmap Heap Scan` (each `Bitmap Index
    /// Scan` below it), with each index's `Index Cond`.
    Index(Vec<IndexUse>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUse {
    pub name: String,
    pub cond: Option<String>,
}

/// One relation read by the plan.
#[derive(Debug, Clone)]
pub struct Scan {
    pub schema: String,
    pub relation: String,
    /// The name the plan qualifies this relation's columns with.
    pub alias: String,
    pub access: Access,
    /// Conditions checked on each row read (`Filter`, a bitmap scan's `Recheck Cond` is not
    /// one: it repeats the index conditions).
    pub filter: Option<String>,
    /// Conditions of the joins above the scan (`Hash Cond`, `Merge Cond`, `Join Filter`).
    pub join_conds: Vec<String>,
}

/// Every scan of a relation in the plan document EXPLAIN printed (`[{"Plan": ...}]`).
pub fn scans(document: &Value) -> Vec<Scan> {
    let mut out = Vec::new();
    let plans = document.as_array().map(Vec::as_slice).unwrap_or_default();
    for entry in plans {
        if let Some(plan) = entry.get("Plan") {
            walk(plan, &mut Vec::new(), &mut out);
        }
    }
    out
}

/// serde_json refuses documents nested deeper than 128, so this recursion is bounded.
fn walk(node: &Value, joins: &mut Vec<String>, out: &mut Vec<Scan>) {
    let text = |key: &str| node.get(key).and_then(Value::as_str).map(str::to_owned);
    let node_type = text("Node Type").unwrap_or_default();
    let pushed = ["Hash Cond", "Merge Cond", "Join Filter"]
        .iter()
        .filter_map(|key| text(key))
        .map(|cond| joins.push(cond))
        .count();
    if let (Some(relation), Some(schema)) = (text("Relation Name"), text("Schema"))
        && node_type != "ModifyTable"
    {
        let access = match node_type.as_str() {
            "Seq Scan" => Some(Access::Seq),
            "Index Scan" | "Index Only Scan" => text("Index Name").map(|name| {
                Access::Index(vec![IndexUse {
                    name,
                    cond: text("Index Cond"),
                }])
            }),
            "Bitmap Heap Scan" => {
                let mut uses = Vec::new();
                for child in children(node) {
                    bitmap_indexes(child, &mut uses);
                }
                Some(Access::Index(uses))
            }
            // Tid scans, sample scans, foreign scans: not what an index would change.
            _ => None,
        };
        if let Some(access) = access {
            out.push(Scan {
                alias: text("Alias").unwrap_or_else(|| relation.clone()),
                schema,
                relation,
                access,
                filter: text("Filter"),
                join_conds: joins.clone(),
            });
        }
    }
    for child in children(node) {
        walk(child, joins, out);
    }
    joins.truncate(joins.len() - pushed);
}

fn children(node: &Value) -> &[Value] {
    node.get("Plans")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The `Bitmap Index Scan` leaves under a bitmap heap scan (through BitmapAnd/BitmapOr).
fn bitmap_indexes(node: &Value, out: &mut Vec<IndexUse>) {
    if let Some(name) = node.get("Index Name").and_then(Value::as_str) {
        out.push(IndexUse {
            name: name.to_owned(),
            cond: node
                .get("Index Cond")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }
    for child in children(node) {
        bitmap_indexes(child, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scans_under_joins_with_their_join_conditions() {
        let plan: Value = serde_json::from_str(
            r#"[{"Plan": {"Node Type": "Hash Join", "Hash Cond": "(o.shop_id = s.id)",
                "Plans": [
                  {"Node Type": "Seq Scan", "Relation Name": "orders", "Schema": "public",
                   "Alias": "o", "Filter": "(o.total > $2)"},
                  {"Node Type": "Hash", "Plans": [
                    {"Node Type": "Bitmap Heap Scan", "Relation Name": "shops", "Schema": "public",
                     "Alias": "s", "Plans": [{"Node Type": "BitmapOr", "Plans": [
                       {"Node Type": "Bitmap Index Scan", "Index Name": "shops_pkey",
                        "Index Cond": "(s.id = $1)"}]}]}]}]}}]"#,
        )
        .unwrap();
        let scans = scans(&plan);
        assert_eq!(scans.len(), 2);
        assert_eq!(scans[0].access, Access::Seq);
        assert_eq!(scans[0].filter.as_deref(), Some("(o.total > $2)"));
        assert_eq!(scans[0].join_conds, ["(o.shop_id = s.id)"]);
        assert_eq!(
            scans[1].access,
            Access::Index(vec![IndexUse {
                name: "shops_pkey".into(),
                cond: Some("(s.id = $1)".into())
            }])
        );
    }
}
