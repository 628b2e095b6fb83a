//! INSERT, UPDATE and DELETE: the target is an occurrence like any other; what an INSERT
//! writes into the tenant column and what an UPDATE (or `ON CONFLICT DO UPDATE`) sets it to
//! must be the tenant the query is scoped to.

use sqlparser::ast::{
    self, AssignmentTarget, ConflictTarget, Expr, FromTable, OnConflictAction, OnInsert,
    SelectItem, Spanned, TableObject, UpdateTableFromKind,
};

use super::{
    Anchor, Classes, Cx, Item, Kind, Level, Outer, Shape, Violation, conjuncts, fold, object_parts,
    subqueries,
};

impl Cx<'_, '_> {
    pub(super) fn delete(&mut self, d: &ast::Delete, outer: Option<&Outer<'_>>) -> Shape {
        let mut level = Level {
            items: Vec::new(),
            classes: Classes::default(),
        };
        let mut joins = Vec::new();
        let targets = match &d.from {
            FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
        };
        for twj in targets.iter().chain(d.using.iter().flatten()) {
            self.add_from_item(&mut level, twj, outer, &mut joins);
        }
        self.equalities(&mut level, d.selection.as_ref(), &joins, outer);
        self.clause_subqueries(
            &mut level,
            d.selection.as_ref(),
            d.returning.as_deref(),
            outer,
        );
        let returning = d.returning.as_deref().unwrap_or(&[]);
        self.close(level, Some(returning), outer)
    }

    pub(super) fn update(&mut self, u: &ast::Update, outer: Option<&Outer<'_>>) -> Shape {
        let mut level = Level {
            items: Vec::new(),
            classes: Classes::default(),
        };
        let mut joins = Vec::new();
        self.add_from_item(&mut level, &u.table, outer, &mut joins);
        let from = match &u.from {
            Some(UpdateTableFromKind::BeforeSet(f) | UpdateTableFromKind::AfterSet(f)) => {
                f.as_slice()
            }
            None => &[],
        };
        for twj in from {
            self.add_from_item(&mut level, twj, outer, &mut joins);
        }
        self.equalities(&mut level, u.selection.as_ref(), &joins, outer);
        self.clause_subqueries(
            &mut level,
            u.selection.as_ref(),
            u.returning.as_deref(),
            outer,
        );
        for a in &u.assignments {
            let snapshot = self.snapshot(&mut level, outer);
            for sub in subqueries(&a.value) {
                let inner = self.query(&sub, Some(&snapshot));
                self.finish(inner);
            }
        }
        if let Some(Item {
            kind: Kind::Table(occ),
            ..
        }) = level.items.first().cloned()
            && let Some(tenant) = occ.tenant.clone()
        {
            self.assignments(
                &mut level,
                &u.assignments,
                &tenant,
                &occ.table.name,
                None,
                outer,
            );
        }
        let returning = u.returning.as_deref().unwrap_or(&[]);
        self.close(level, Some(returning), outer)
    }

    /// Subqueries of WHERE and RETURNING, correlated to the level.
    fn clause_subqueries(
        &mut self,
        level: &mut Level,
        selection: Option<&Expr>,
        returning: Option<&[SelectItem]>,
        outer: Option<&Outer<'_>>,
    ) {
        let snapshot = self.snapshot(level, outer);
        let mut subs = selection.map(subqueries).unwrap_or_default();
        if let Some(r) = returning {
            subs.extend(subqueries(&r.to_vec()));
        }
        for sub in subs {
            let inner = self.query(&sub, Some(&snapshot));
            self.finish(inner);
        }
    }

    /// SET of the tenant column: only to the tenant the statement is scoped to. `excluded`:
    /// the anchor of the row an INSERT proposes (`EXCLUDED.col` in `ON CONFLICT DO UPDATE`).
    fn assignments(
        &mut self,
        level: &mut Level,
        assignments: &[ast::Assignment],
        tenant: &str,
        table: &str,
        excluded: Option<&Anchor>,
        outer: Option<&Outer<'_>>,
    ) {
        for a in assignments {
            let targets: Vec<&ast::ObjectName> = match &a.target {
                AssignmentTarget::ColumnName(n) => vec![n],
                AssignmentTarget::Tuple(ns) => ns.iter().collect(),
            };
            for (k, target) in targets.iter().enumerate() {
                if object_parts(target).last().map(String::as_str) != Some(tenant) {
                    continue;
                }
                // `SET (a, b) = (x, y)`: the value at the same position.
                let value = match (&a.value, targets.len()) {
                    (v, 1) => Some(v),
                    (Expr::Tuple(values), _) => values.get(k),
                    _ => None,
                };
                let is_excluded = value
                    .and_then(super::expr_parts)
                    .is_some_and(|p| p.len() == 2 && p[0] == "excluded" && p[1] == tenant);
                let anchor = if is_excluded {
                    excluded.cloned()
                } else {
                    value
                        .and_then(|v| self.operand(level, v, outer))
                        .and_then(|id| {
                            level.classes.settle();
                            level.classes.anchor(id).cloned()
                        })
                };
                match anchor {
                    Some(a) => self.used.push(a),
                    None => self.violations.push(Violation {
                        message: format!(
                            "query {} sets the tenant column \"{tenant}\" of \"{table}\" to a value not scoped to the tenant",
                            self.raw.name
                        ),
                        at: self.at(target.span()),
                        label: "moves rows to another tenant".into(),
                        help: format!(
                            "set it only to the tenant parameter (`{tenant} = @{}`), or leave it out of SET",
                            self.rule.param_name(tenant)
                        ),
                        note: None,
                    }),
                }
            }
        }
    }

    pub(super) fn insert(&mut self, i: &ast::Insert, outer: Option<&Outer<'_>>) -> Shape {
        let TableObject::TableName(name) = &i.table else {
            return Shape::default();
        };
        let parts = object_parts(name);
        let source = i.source.as_ref().map(|s| self.query(s, outer));
        let Some(target) = self.resolve(&parts) else {
            if let Some(s) = source {
                self.finish(s);
            }
            return Shape::default();
        };
        let relation_columns: Vec<String> = self
            .rule
            .catalog()
            .tables
            .get(&target)
            .map(|r| r.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        let tenant = self.rule.tenant_of(&target).map(str::to_string);
        let alias = i
            .table_alias
            .as_ref()
            .map(|a| fold(&a.alias))
            .unwrap_or_else(|| target.name.clone());
        let at = self.at(name.span());
        let mut inserted: Option<Anchor> = None;
        if let Some(tenant) = &tenant {
            self.tenant_tables = true;
            let columns: Vec<String> = if i.columns.is_empty() {
                relation_columns.clone()
            } else {
                i.columns
                    .iter()
                    .filter_map(|c| object_parts(c).last().cloned())
                    .collect()
            };
            let position = columns.iter().position(|c| c == tenant);
            inserted = match (&source, position) {
                (Some(s), Some(k)) => s.anchors.get(k).cloned().flatten(),
                _ => None,
            };
            match &inserted {
                Some(a) => self.used.push(a.clone()),
                None => {
                    let why = match position {
                        None => format!("the INSERT does not set \"{tenant}\""),
                        Some(_) => format!(
                            "\"{tenant}\" is not set from a tenant parameter or a scoped source"
                        ),
                    };
                    self.violations.push(Violation {
                        message: format!(
                            "table \"{}\" is not scoped to one tenant in query {}: {why}",
                            target.name, self.raw.name
                        ),
                        at: at.clone(),
                        label: "writes rows of no known tenant".into(),
                        help: format!(
                            "insert \"{tenant}\" from a parameter that is never NULL (`@{}`), or select it from a table scoped to the tenant",
                            self.rule.param_name(tenant)
                        ),
                        note: None,
                    });
                }
            }
        }
        if let Some(s) = source {
            // Whatever the source leaves unscoped is read for every tenant.
            self.finish(s);
        }
        let mut level = Level {
            items: vec![Item {
                name: alias.clone(),
                columns: relation_columns,
                kind: Kind::Table(super::Occ {
                    table: target.clone(),
                    alias,
                    // Checked above: the row written is the tenant's or already reported.
                    tenant: None,
                    policy: None,
                    at: at.clone(),
                    via: None,
                }),
            }],
            classes: Classes::default(),
        };
        if let (Some(tenant), Some(anchor)) = (&tenant, &inserted) {
            let id = level.classes.column(0, tenant);
            level.classes.anchor_node(id, anchor.clone());
        }
        if let Some(OnInsert::OnConflict(conflict)) = &i.on
            && let OnConflictAction::DoUpdate(update) = &conflict.action
            && let Some(tenant) = &tenant
        {
            self.equalities(&mut level, update.selection.as_ref(), &[], outer);
            self.assignments(
                &mut level,
                &update.assignments,
                tenant,
                &target.name,
                inserted.as_ref(),
                outer,
            );
            // The row updated is the one the proposed row conflicts with: the same tenant's
            // only when the arbiter includes the tenant column, or DO UPDATE's WHERE says so.
            let arbiter_has_tenant = match &conflict.conflict_target {
                Some(ConflictTarget::Columns(cols)) => cols.iter().any(|c| fold(c) == *tenant),
                Some(ConflictTarget::OnConstraint(n)) => {
                    let constraint = object_parts(n).last().cloned().unwrap_or_default();
                    self.rule
                        .catalog()
                        .tables
                        .get(&target)
                        .and_then(|r| r.unique_index(&constraint))
                        .is_some_and(|u| u.columns.iter().flatten().any(|c| c == tenant))
                }
                // The conflict target may be written with expressions the parser dropped.
                None => false,
            };
            let where_scopes = update.selection.as_ref().is_some_and(|w| {
                let pairs: Vec<(&Expr, &Expr)> = conjuncts(w)
                    .into_iter()
                    .flat_map(|c| Self::equated(c))
                    .collect();
                pairs.iter().any(|&(l, r)| {
                    let is_target = |e: &Expr| {
                        super::expr_parts(e).is_some_and(|p| {
                            p.last() == Some(tenant)
                                && (p.len() == 1 || p[p.len() - 2] != "excluded")
                        })
                    };
                    let is_scoped = |e: &Expr| {
                        self.param_anchor(e).is_some()
                            || super::expr_parts(e).is_some_and(|p| {
                                p.len() == 2 && p[0] == "excluded" && p[1] == *tenant
                            })
                    };
                    (is_target(l) && is_scoped(r)) || (is_target(r) && is_scoped(l))
                })
            });
            if !arbiter_has_tenant && !where_scopes {
                self.violations.push(Violation {
                    message: format!(
                        "ON CONFLICT DO UPDATE of query {} may update another tenant's row of \"{}\": its conflict target does not include \"{tenant}\"",
                        self.raw.name, target.name
                    ),
                    at: at.clone(),
                    label: "the conflicting row may belong to any tenant".into(),
                    help: format!(
                        "add \"WHERE {}.{tenant} = EXCLUDED.{tenant}\" to DO UPDATE, or conflict on a unique key that includes \"{tenant}\"",
                        target.name
                    ),
                    note: None,
                });
            }
        }
        let returning = i.returning.as_deref().unwrap_or(&[]);
        self.clause_subqueries(&mut level, None, Some(returning), outer);
        self.close(level, Some(returning), outer)
    }
}
