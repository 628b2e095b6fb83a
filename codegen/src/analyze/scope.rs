//! Name scopes of one query level, after PostgreSQL's namespace items: FROM items (tables,
//! subqueries, CTE references) visible by name and/or for unqualified columns, joins that
//! hide their children's columns from unqualified lookup (`USING` columns merged first), the
//! outer-join nulling of a side, and the chain to enclosing query levels.

use super::{Fail, Res};
use crate::diagnostic::closest;

/// One column visible in a scope (or produced by a query).
#[derive(Debug, Clone)]
pub struct Col {
    pub name: String,
    pub ty: u32,
    pub nullable: bool,
    /// `(table, column)` of a plain table column.
    pub origin: Option<(String, String)>,
    /// An array whose elements cannot be NULL (`Typed::elements_non_null`).
    pub elements_non_null: bool,
}

/// A namespace item: a FROM item, or a join's merged column list.
#[derive(Debug, Clone)]
pub struct Item {
    /// The name it is visible under (`alias`, or the table's name), if any.
    pub rel_name: Option<String>,
    /// Whether its columns are found by unqualified names.
    pub cols_visible: bool,
    pub cols: Vec<Col>,
    /// The type of a whole-row reference to it (`SELECT t FROM t`, `count(t.*)`), as
    /// `makeWholeRowVar` types it: a table's row type, a function's composite or scalar result
    /// type, `record` for subqueries, CTEs, VALUES and joins. `None`: not known offline.
    pub row_type: Option<u32>,
    /// Its whole-row value may be NULL: on the nullable side of an outer join, or a scalar
    /// function whose result may be NULL.
    pub nulled: bool,
    /// The relation's name when the item is a base relation with system columns (a table, a
    /// materialized view, a foreign table; not a view): `xmin`, `ctid`, ... are found by name
    /// but never part of `*`.
    pub system_columns: Option<String>,
    /// A table's primary key, as positions in `cols`: `Ok(None)` for a relation without one
    /// (or not a relation), `Err` when not known.
    pub primary_key: Result<Option<Vec<usize>>, ()>,
    /// A join's merged item: the columns each `USING` column stands for, as named FROM items'
    /// `(name, column)`, in the order PostgreSQL flattens it (`flatten_join_alias_vars`): the
    /// left side's for an inner or left join, the right side's for a right join, both
    /// (`COALESCE(l, r)`) for a full join. A column missing here is not told apart.
    pub merged_from: Vec<(String, Vec<(String, String)>)>,
}

impl Item {
    /// A FROM item whose whole-row value is of type `row_type`.
    pub fn new(rel_name: Option<String>, cols: Vec<Col>, row_type: Option<u32>) -> Item {
        Item {
            rel_name,
            cols_visible: true,
            cols,
            row_type,
            nulled: false,
            system_columns: None,
            primary_key: Err(()),
            merged_from: Vec::new(),
        }
    }

    /// `scanNSItemForColumn`'s fallback: a system column of a base relation, after its own
    /// columns (as `pg_attribute` has them: NOT NULL, so NULL only through an outer join).
    fn system_column(&self, name: &str) -> Option<Col> {
        let rel = self.system_columns.as_ref()?;
        Some(Col {
            name: name.to_string(),
            ty: system_column_type(name)?,
            nullable: self.nulled,
            origin: Some((rel.clone(), name.to_string())),
            elements_non_null: false,
        })
    }
}

/// The type of a system column (`SystemAttributeByName`): `ctid` tid, `xmin`/`xmax` xid,
/// `cmin`/`cmax` cid, `tableoid` oid.
fn system_column_type(name: &str) -> Option<u32> {
    use crate::builtins::oid;
    Some(match name {
        "ctid" => oid::TID,
        "xmin" | "xmax" => oid::XID,
        "cmin" | "cmax" => oid::CID,
        "tableoid" => oid::OID,
        _ => return None,
    })
}

/// A query level's names, with its CTEs, and the enclosing level.
#[derive(Debug, Default)]
pub struct Scope<'p> {
    pub items: Vec<Item>,
    pub ctes: Vec<(String, Vec<Col>)>,
    pub parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    pub fn child(parent: &'p Scope<'p>) -> Scope<'p> {
        Scope {
            items: Vec::new(),
            ctes: Vec::new(),
            parent: Some(parent),
        }
    }

    /// A CTE visible here or in an enclosing level.
    pub fn cte(&self, name: &str) -> Option<&[Col]> {
        self.ctes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_slice())
            .or_else(|| self.parent.and_then(|p| p.cte(name)))
    }

    /// The names of the CTEs visible here.
    pub fn cte_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.ctes.iter().map(|(n, _)| n.clone()).collect();
        if let Some(p) = self.parent {
            names.extend(p.cte_names());
        }
        names
    }

    /// The item named `rel` (innermost level first).
    pub fn item(&self, rel: &str) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.rel_name.as_deref() == Some(rel))
            .or_else(|| self.parent.and_then(|p| p.item(rel)))
    }

    /// Resolves `column` or `rel.column`, with how many query levels up it was found (0:
    /// this one; `varlevelsup`).
    pub fn column(&self, rel: Option<&str>, column: &str) -> Res<(Col, usize)> {
        self.lookup(rel, column, 0).and_then(|found| {
            found.ok_or_else(|| {
                let shown = match rel {
                    Some(r) => format!("{r}.{column}"),
                    None => format!("\"{column}\""),
                };
                let known = self.all_column_names();
                let help = closest(column, known.iter().map(String::as_str))
                    .map(|n| format!("did you mean \"{n}\"?"));
                if rel.is_some() && self.item(rel.unwrap_or_default()).is_none() {
                    Fail::Error(
                        format!(
                            "missing FROM-clause entry for table \"{}\"",
                            rel.unwrap_or_default()
                        ),
                        None,
                    )
                } else {
                    Fail::Error(format!("column {shown} does not exist"), help)
                }
            })
        })
    }

    /// `qualify it: a.id or b.id` for a column several named FROM items have (a join's
    /// merged item has no name; its children do).
    fn qualified_choices(&self, column: &str) -> Option<String> {
        let choices: Vec<String> = self
            .items
            .iter()
            .filter(|i| {
                i.cols.iter().any(|c| c.name == column) || i.system_column(column).is_some()
            })
            .filter_map(|i| i.rel_name.as_deref())
            .map(|rel| {
                format!(
                    "{}.{}",
                    crate::catalog::quote_ident(rel),
                    crate::catalog::quote_ident(column)
                )
            })
            .collect();
        (choices.len() > 1).then(|| format!("qualify it: {}", choices.join(" or ")))
    }

    fn lookup(&self, rel: Option<&str>, column: &str, up: usize) -> Res<Option<(Col, usize)>> {
        let mut found: Option<Col> = None;
        match rel {
            Some(r) => {
                if let Some(item) = self.items.iter().find(|i| i.rel_name.as_deref() == Some(r)) {
                    let mut matches = item.cols.iter().filter(|c| c.name == column);
                    found = matches.next().cloned();
                    if matches.next().is_some() {
                        return Err(Fail::Error(
                            format!("column reference \"{column}\" is ambiguous"),
                            None,
                        ));
                    }
                    if found.is_none() {
                        found = item.system_column(column);
                    }
                    if found.is_none() {
                        return Ok(None);
                    }
                }
            }
            None => {
                for item in self.items.iter().filter(|i| i.cols_visible) {
                    let mut own = item.cols.iter().filter(|c| c.name == column).peekable();
                    let system = match own.peek() {
                        None => item.system_column(column),
                        Some(_) => None,
                    };
                    for c in own.cloned().chain(system) {
                        if found.is_some() {
                            return Err(Fail::Error(
                                format!("column reference \"{column}\" is ambiguous"),
                                self.qualified_choices(column),
                            ));
                        }
                        found = Some(c);
                    }
                }
            }
        }
        match found {
            Some(c) => Ok(Some((c, up))),
            None => match self.parent {
                Some(p) => p.lookup(rel, column, up + 1),
                None => Ok(None),
            },
        }
    }

    fn all_column_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .items
            .iter()
            .flat_map(|i| i.cols.iter().map(|c| c.name.clone()))
            .collect();
        if let Some(p) = self.parent {
            names.extend(p.all_column_names());
        }
        names
    }

    /// `*`: the visible items' columns in FROM order (a join's merged list stands for its
    /// children).
    pub fn star(&self) -> Vec<Col> {
        self.items
            .iter()
            .filter(|i| i.cols_visible)
            .flat_map(|i| i.cols.iter().cloned())
            .collect()
    }
}

/// Marks every column of `items` nullable (the nullable side of an outer join).
pub fn null_side(items: &mut [Item]) {
    for item in items {
        item.nulled = true;
        for c in &mut item.cols {
            c.nullable = true;
        }
    }
}
