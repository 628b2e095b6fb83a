//! Mechanical mutations of a valid query, for the negative corpus (`tests/negative.rs`): each
//! kind changes one thing the way a user's slip would (a misspelled name, a dropped GROUP BY,
//! an aggregate in WHERE, ...), on the query's sqlparser tree, printed back. A mutation says
//! nothing about whether the result is valid: PostgreSQL decides that for each mutant.
//!
//! Every kind applies at most once per query, at the first place it fits (deterministic).

use std::ops::ControlFlow;

use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, ConflictTarget, Distinct, Expr, FunctionArguments,
    GroupByExpr, Ident, ObjectNamePart, OnConflictAction, OnInsert, Query, Select, SelectItem,
    SetExpr, Statement, TableFactor, visit_expressions_mut, visit_relations_mut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// Every kind, in report order, with whether PostgreSQL is expected to reject it (for the
/// reader of the table; the verdict is PostgreSQL's).
pub const KINDS: &[(&str, bool)] = &[
    ("reprint", false),
    ("order_by_1", false),
    ("limit_text_number", false),
    ("column_typo", true),
    ("table_typo", true),
    ("group_by_dropped", true),
    ("group_by_item_dropped", true),
    ("aggregate_added", true),
    ("aggregate_in_where", true),
    ("aggregate_in_join_on", true),
    ("aggregate_in_group_by", true),
    ("nested_aggregate", true),
    ("literal_invalid", true),
    ("literal_out_of_range", true),
    ("text_vs_integer", true),
    ("order_by_99", true),
    ("limit_text", true),
    ("table_twice", true),
    ("distinct_order_by", true),
    ("distinct_on_order_by", true),
    ("insert_select_fewer", true),
    ("insert_select_more", true),
    ("insert_values_more", true),
    ("insert_values_fewer", true),
    ("function_extra_arg", true),
    ("function_typo", true),
    ("alias_out_of_scope", true),
    ("on_conflict_column_typo", true),
    ("on_conflict_set_typo", true),
    ("on_conflict_no_target", true),
    ("on_conflict_key_dropped", true),
    ("on_conflict_other_column", true),
    ("on_conflict_constraint_typo", true),
    ("set_op_fewer_columns", true),
    ("set_op_type_mismatch", true),
    ("subquery_two_columns", true),
    ("assignment_no_cast", true),
    ("alias_twice", true),
    ("window_in_where", true),
    ("window_in_group_by", true),
    ("group_by_99", true),
    ("insert_column_twice", true),
    ("update_set_twice", true),
];

fn parse_one(sql: &str) -> Option<Statement> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    (statements.len() == 1).then(|| statements.remove(0))
}

fn expr(sql: &str) -> Expr {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .expect("a mutation's own expression parses")
}

fn query_of(sql: &str) -> Query {
    match parse_one(sql) {
        Some(Statement::Query(q)) => *q,
        _ => panic!("a mutation's own query parses"),
    }
}

/// A table alias (its name to be set).
fn table_alias() -> sqlparser::ast::TableAlias {
    let mut q = query_of("SELECT 1 FROM t AS x");
    let SetExpr::Select(sel) = &mut *q.body else {
        panic!("a mutation's own query is a SELECT")
    };
    match sel.from.remove(0).relation {
        TableFactor::Table { alias: Some(a), .. } => a,
        _ => panic!("a mutation's own FROM item has an alias"),
    }
}

fn and(old: Option<Expr>, new: Expr) -> Expr {
    match old {
        Some(old) => Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(old))),
            op: BinaryOperator::And,
            right: Box::new(new),
        },
        None => new,
    }
}

fn typo(ident: &mut Ident) {
    ident.value.push_str("_typo");
}

/// The statement's top-level query, if it is one.
fn query_mut(s: &mut Statement) -> Option<&mut Query> {
    match s {
        Statement::Query(q) => Some(q),
        _ => None,
    }
}

/// The first plain SELECT of the statement: the query's body, the left arm of a set
/// operation, or an INSERT's source.
fn select_mut(s: &mut Statement) -> Option<&mut Select> {
    fn of_set(e: &mut SetExpr) -> Option<&mut Select> {
        match e {
            SetExpr::Select(s) => Some(s),
            SetExpr::Query(q) => of_set(&mut q.body),
            SetExpr::SetOperation { left, .. } => of_set(left),
            _ => None,
        }
    }
    match s {
        Statement::Query(q) => of_set(&mut q.body),
        Statement::Insert(i) => i.source.as_mut().and_then(|q| of_set(&mut q.body)),
        _ => None,
    }
}

/// The WHERE clause of the statement's SELECT / UPDATE / DELETE.
fn where_mut(s: &mut Statement) -> Option<&mut Option<Expr>> {
    match s {
        Statement::Update(u) => Some(&mut u.selection),
        Statement::Delete(d) => Some(&mut d.selection),
        Statement::Insert(_) => None,
        other => select_mut(other).map(|s| &mut s.selection),
    }
}

/// The left operand of the first comparison `column op ...` in `e` (a plain column).
fn compared_column(e: &Expr) -> Option<Expr> {
    let mut found = None;
    let mut e = e.clone();
    let _ = visit_expressions_mut(&mut e, |e| {
        if let Expr::BinaryOp { left, op, .. } = e
            && matches!(
                op,
                BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq
            )
            && matches!(**left, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        {
            found = Some((**left).clone());
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// Adds `AND <column of the first comparison in WHERE> = <value>`.
fn compare_where(s: &mut Statement, value: &str) -> bool {
    let Some(w) = where_mut(s) else { return false };
    let Some(col) = w.as_ref().and_then(compared_column) else {
        return false;
    };
    let cond = Expr::BinaryOp {
        left: Box::new(col),
        op: BinaryOperator::Eq,
        right: Box::new(expr(value)),
    };
    *w = Some(and(w.take(), cond));
    true
}

fn apply(kind: &str, s: &mut Statement) -> bool {
    match kind {
        "reprint" => true,
        "order_by_1" => match query_mut(s) {
            Some(q) if q.order_by.is_none() && matches!(*q.body, SetExpr::Select(_)) => {
                q.order_by = query_of("SELECT 1 ORDER BY 1").order_by;
                true
            }
            _ => false,
        },
        // (Not with a locking clause: sqlparser would print LIMIT after it.)
        "limit_text_number" | "limit_text" => match query_mut(s) {
            Some(q) if q.limit_clause.is_none() && q.locks.is_empty() => {
                let value = if kind == "limit_text" {
                    "'abc'"
                } else {
                    "'10'"
                };
                q.limit_clause = query_of(&format!("SELECT 1 LIMIT {value}")).limit_clause;
                true
            }
            _ => false,
        },
        "column_typo" => {
            let mut done = false;
            let target: Option<&mut Expr> = match where_mut(s) {
                Some(Some(w)) => Some(w),
                _ => None,
            };
            if let Some(w) = target {
                let _ = visit_expressions_mut(w, |e| {
                    match e {
                        Expr::Identifier(i) => typo(i),
                        Expr::CompoundIdentifier(parts) => {
                            if let Some(last) = parts.last_mut() {
                                typo(last);
                            }
                        }
                        _ => return ControlFlow::Continue(()),
                    }
                    done = true;
                    ControlFlow::Break(())
                });
            }
            done
        }
        "table_typo" => {
            let mut done = false;
            let _ = visit_relations_mut(s, |name| {
                if let Some(ObjectNamePart::Identifier(i)) = name.0.last_mut() {
                    typo(i);
                    done = true;
                }
                ControlFlow::Break(())
            });
            done
        }
        "group_by_dropped" | "group_by_item_dropped" => {
            let Some(sel) = select_mut(s) else {
                return false;
            };
            let GroupByExpr::Expressions(exprs, _) = &mut sel.group_by else {
                return false;
            };
            if kind == "group_by_dropped" && !exprs.is_empty() {
                exprs.clear();
                true
            } else if kind == "group_by_item_dropped" && exprs.len() > 1 {
                exprs.pop();
                true
            } else {
                false
            }
        }
        "aggregate_added" => match select_mut(s) {
            Some(sel) if !sel.projection.is_empty() && !sel.from.is_empty() => {
                sel.projection
                    .push(SelectItem::UnnamedExpr(expr("count(*)")));
                true
            }
            _ => false,
        },
        "aggregate_in_where" => match where_mut(s) {
            Some(w) => {
                *w = Some(and(w.take(), expr("count(*) > 0")));
                true
            }
            None => false,
        },
        "aggregate_in_join_on" => {
            let Some(sel) = select_mut(s) else {
                return false;
            };
            for twj in &mut sel.from {
                for join in &mut twj.joins {
                    use sqlparser::ast::{JoinConstraint, JoinOperator as J};
                    let (J::Join(c)
                    | J::Inner(c)
                    | J::Left(c)
                    | J::LeftOuter(c)
                    | J::Right(c)
                    | J::RightOuter(c)
                    | J::FullOuter(c)) = &mut join.join_operator
                    else {
                        continue;
                    };
                    if let JoinConstraint::On(on) = c {
                        *on = and(Some(on.clone()), expr("count(*) > 0"));
                        return true;
                    }
                }
            }
            false
        }
        "aggregate_in_group_by" => match select_mut(s) {
            Some(sel) if !sel.from.is_empty() => match &mut sel.group_by {
                GroupByExpr::Expressions(exprs, _) => {
                    exprs.push(expr("count(*)"));
                    true
                }
                GroupByExpr::All(_) => false,
            },
            _ => false,
        },
        "nested_aggregate" => {
            let mut done = false;
            let _ = visit_expressions_mut(s, |e| {
                if let Expr::Function(f) = e
                    && ["count", "sum", "max", "min", "avg"]
                        .contains(&f.name.to_string().to_lowercase().as_str())
                    && f.over.is_none()
                    && let FunctionArguments::List(list) = &f.args
                    && list.args.len() == 1
                    && !f.args.to_string().contains('*')
                {
                    *e = expr(&format!("max({e})"));
                    done = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            });
            done
        }
        "literal_invalid" => compare_where(s, "'abc'"),
        "literal_out_of_range" => compare_where(s, "'99999999999'"),
        "text_vs_integer" => compare_where(s, "1"),
        "order_by_99" => match query_mut(s) {
            Some(q) => {
                q.order_by = query_of("SELECT 1 ORDER BY 99").order_by;
                true
            }
            None => false,
        },
        "table_twice" => match select_mut(s) {
            Some(sel) if !sel.from.is_empty() => {
                let mut first = sel.from[0].clone();
                first.joins.clear();
                if matches!(first.relation, TableFactor::Table { args: None, .. }) {
                    sel.from.push(first);
                    true
                } else {
                    false
                }
            }
            _ => false,
        },
        "distinct_order_by" => {
            // ORDER BY a column the WHERE clause compares (often not selected), else the
            // query's own ORDER BY.
            let compared = where_mut(s)
                .and_then(|w| w.as_ref().and_then(compared_column))
                .map(|c| query_of(&format!("SELECT 1 ORDER BY {c}")).order_by);
            let Some(q) = query_mut(s) else { return false };
            match compared {
                Some(order) => q.order_by = order,
                None if q.order_by.is_some() => {}
                None => return false,
            }
            match select_mut(s) {
                Some(sel) if sel.distinct.is_none() => {
                    sel.distinct = Some(Distinct::Distinct);
                    true
                }
                _ => false,
            }
        }
        "distinct_on_order_by" => {
            // DISTINCT ON a column the WHERE clause compares, else the last ORDER BY item,
            // keeping the query's own ORDER BY.
            let compared = where_mut(s).and_then(|w| w.as_ref().and_then(compared_column));
            let Some(q) = query_mut(s) else { return false };
            let last = match q.order_by.as_ref().map(|o| &o.kind) {
                Some(sqlparser::ast::OrderByKind::Expressions(items)) => {
                    items.last().map(|o| o.expr.clone())
                }
                _ => return false,
            };
            let Some(on) = compared.or(last) else {
                return false;
            };
            match select_mut(s) {
                Some(sel) if sel.distinct.is_none() => {
                    sel.distinct = Some(Distinct::On(vec![on]));
                    true
                }
                _ => false,
            }
        }
        "insert_select_fewer" | "insert_select_more" => {
            if !matches!(s, Statement::Insert(i) if i.source.as_ref().is_some_and(|q| matches!(*q.body, SetExpr::Select(_))))
            {
                return false;
            }
            let Some(sel) = select_mut(s) else {
                return false;
            };
            if kind == "insert_select_fewer" {
                if sel.projection.len() < 2 {
                    return false;
                }
                sel.projection.pop();
            } else {
                let Some(last) = sel.projection.last().cloned() else {
                    return false;
                };
                sel.projection.push(last);
            }
            true
        }
        "insert_values_more" | "insert_values_fewer" => {
            let Statement::Insert(i) = s else {
                return false;
            };
            let Some(SetExpr::Values(values)) = i.source.as_mut().map(|q| &mut *q.body) else {
                return false;
            };
            for row in &mut values.rows {
                if kind == "insert_values_more" {
                    let Some(last) = row.content.last().cloned() else {
                        return false;
                    };
                    row.content.push(last);
                } else {
                    if row.content.len() < 2 {
                        return false;
                    }
                    row.content.pop();
                }
            }
            true
        }
        "function_extra_arg" => {
            let mut done = false;
            let _ = visit_expressions_mut(s, |e| {
                if let Expr::Function(f) = e
                    && let FunctionArguments::List(list) = &mut f.args
                    && let Some(last) = list.args.last().cloned()
                    && list.clauses.is_empty()
                    && !f.name.to_string().to_lowercase().starts_with("sqlc.")
                {
                    list.args.push(last);
                    done = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            });
            done
        }
        "function_typo" => {
            // The first call of a plain function name (not a keyword construct), misspelled.
            let mut done = false;
            let _ = visit_expressions_mut(s, |e| {
                if let Expr::Function(f) = e
                    && let [ObjectNamePart::Identifier(i)] = f.name.0.as_mut_slice()
                    && i.quote_style.is_none()
                    && matches!(f.args, FunctionArguments::List(_))
                    && !matches!(
                        i.value.to_lowercase().as_str(),
                        "coalesce" | "greatest" | "least" | "nullif"
                    )
                {
                    i.value.push_str("_zz");
                    done = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            });
            done
        }
        "alias_out_of_scope" => {
            let mut done = false;
            let _ = visit_expressions_mut(s, |e| {
                if let Expr::CompoundIdentifier(parts) = e
                    && parts.len() == 2
                {
                    parts[0] = Ident::new("zz_nowhere");
                    done = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            });
            done
        }
        // The arbiter without its last column; or, instead, one inserted column it does not
        // name (judged by EXPLAIN: the planner infers the arbiter index).
        "on_conflict_key_dropped" | "on_conflict_other_column" => {
            let Statement::Insert(i) = s else {
                return false;
            };
            let inserted = i.columns.clone();
            let Some(OnInsert::OnConflict(c)) = &mut i.on else {
                return false;
            };
            let Some(ConflictTarget::Columns(cols)) = &mut c.conflict_target else {
                return false;
            };
            if kind == "on_conflict_key_dropped" {
                if cols.len() < 2 {
                    return false;
                }
                cols.pop();
                return true;
            }
            let other = inserted.iter().find_map(|name| match name.0.as_slice() {
                [ObjectNamePart::Identifier(i)]
                    if !cols.iter().any(|c| c.value.eq_ignore_ascii_case(&i.value)) =>
                {
                    Some(i.clone())
                }
                _ => None,
            });
            match other {
                Some(other) => {
                    *cols = vec![other];
                    true
                }
                None => false,
            }
        }
        "on_conflict_constraint_typo" => {
            let Statement::Insert(i) = s else {
                return false;
            };
            match &mut i.on {
                Some(OnInsert::OnConflict(c)) => match &mut c.conflict_target {
                    Some(ConflictTarget::OnConstraint(name)) => match name.0.last_mut() {
                        Some(ObjectNamePart::Identifier(i)) => {
                            typo(i);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                },
                _ => false,
            }
        }
        "on_conflict_column_typo" | "on_conflict_set_typo" | "on_conflict_no_target" => {
            let Statement::Insert(i) = s else {
                return false;
            };
            let Some(OnInsert::OnConflict(c)) = &mut i.on else {
                return false;
            };
            match kind {
                "on_conflict_column_typo" => match &mut c.conflict_target {
                    Some(ConflictTarget::Columns(cols)) if !cols.is_empty() => {
                        typo(&mut cols[0]);
                        true
                    }
                    _ => false,
                },
                "on_conflict_set_typo" => match &mut c.action {
                    OnConflictAction::DoUpdate(u) => match u.assignments.first_mut() {
                        Some(a) => match &mut a.target {
                            AssignmentTarget::ColumnName(name) => {
                                match name.0.last_mut() {
                                    Some(ObjectNamePart::Identifier(i)) => typo(i),
                                    _ => return false,
                                }
                                true
                            }
                            AssignmentTarget::Tuple(_) => false,
                        },
                        None => false,
                    },
                    OnConflictAction::DoNothing => false,
                },
                _ => match c.action {
                    OnConflictAction::DoUpdate(_) if c.conflict_target.is_some() => {
                        c.conflict_target = None;
                        true
                    }
                    _ => false,
                },
            }
        }
        "set_op_fewer_columns" => {
            let Some(q) = query_mut(s) else { return false };
            let SetExpr::SetOperation { right, .. } = &mut *q.body else {
                return false;
            };
            match &mut **right {
                SetExpr::Select(sel) if sel.projection.len() > 1 => {
                    sel.projection.pop();
                    true
                }
                _ => false,
            }
        }
        // The right arm's first output a boolean (most types have no common type with it).
        "set_op_type_mismatch" => {
            let Some(q) = query_mut(s) else { return false };
            let SetExpr::SetOperation { right, .. } = &mut *q.body else {
                return false;
            };
            match &mut **right {
                SetExpr::Select(sel) => match sel.projection.first_mut() {
                    Some(
                        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. },
                    ) => {
                        *e = expr("true");
                        true
                    }
                    _ => false,
                },
                _ => false,
            }
        }
        // The first scalar subquery selects its last output twice.
        "subquery_two_columns" => {
            let mut done = false;
            let _ = visit_expressions_mut(s, |e| {
                if let Expr::Subquery(q) = e
                    && let SetExpr::Select(sel) = &mut *q.body
                    && let [SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }] =
                        sel.projection.as_slice()
                {
                    let last = sel.projection[0].clone();
                    sel.projection.push(last);
                    done = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            });
            done
        }
        // The first value written (INSERT VALUES, UPDATE SET) without a parameter in it
        // becomes a boolean (integers, uuids, ... have no assignment cast from it).
        "assignment_no_cast" => {
            let has_param = |e: &Expr| {
                e.to_string().contains('$')
                    || matches!(e, Expr::Identifier(i) if i.value.eq_ignore_ascii_case("default"))
            };
            let value: Option<&mut Expr> = match s {
                Statement::Insert(i) => match i.source.as_mut().map(|q| &mut *q.body) {
                    Some(SetExpr::Values(values)) => values
                        .rows
                        .first_mut()
                        .and_then(|r| r.content.iter_mut().find(|e| !has_param(e))),
                    _ => None,
                },
                Statement::Update(u) => u
                    .assignments
                    .iter_mut()
                    .filter(|a| matches!(a.target, AssignmentTarget::ColumnName(_)))
                    .map(|a| &mut a.value)
                    .find(|e| !has_param(e)),
                _ => None,
            };
            match value {
                Some(v) => {
                    *v = expr("true");
                    true
                }
                None => false,
            }
        }
        // The second FROM item (a join's or the list's) takes the first one's name.
        "alias_twice" => {
            let Some(sel) = select_mut(s) else {
                return false;
            };
            let Some(first) = sel.from.first() else {
                return false;
            };
            let name = match &first.relation {
                TableFactor::Table { alias: Some(a), .. }
                | TableFactor::Derived { alias: Some(a), .. } => a.name.clone(),
                TableFactor::Table {
                    name, alias: None, ..
                } => match name.0.last() {
                    Some(ObjectNamePart::Identifier(i)) => i.clone(),
                    _ => return false,
                },
                _ => return false,
            };
            let second = match first.joins.is_empty() {
                false => &mut sel.from[0].joins[0].relation,
                true if sel.from.len() > 1 => &mut sel.from[1].relation,
                true => return false,
            };
            match second {
                TableFactor::Table { alias, .. } => {
                    let mut a = table_alias();
                    a.name = name;
                    *alias = Some(a);
                    true
                }
                _ => false,
            }
        }
        "window_in_where" => match where_mut(s) {
            Some(w) => {
                *w = Some(and(w.take(), expr("row_number() OVER () > 0")));
                true
            }
            None => false,
        },
        "window_in_group_by" | "group_by_99" => match select_mut(s) {
            Some(sel) if !sel.from.is_empty() => match &mut sel.group_by {
                GroupByExpr::Expressions(exprs, _) if kind == "group_by_99" => {
                    if exprs.is_empty() {
                        return false;
                    }
                    exprs.push(expr("99"));
                    true
                }
                GroupByExpr::Expressions(exprs, _) => {
                    exprs.push(expr("row_number() OVER ()"));
                    true
                }
                GroupByExpr::All(_) => false,
            },
            _ => false,
        },
        // The first target column written a second time (with a value for it).
        "insert_column_twice" => match s {
            Statement::Insert(i) if !i.columns.is_empty() => {
                let first = i.columns[0].clone();
                let Some(SetExpr::Values(values)) = i.source.as_mut().map(|q| &mut *q.body) else {
                    return false;
                };
                for row in &mut values.rows {
                    let Some(v) = row.content.first().cloned() else {
                        return false;
                    };
                    row.content.push(v);
                }
                i.columns.push(first);
                true
            }
            _ => false,
        },
        "update_set_twice" => match s {
            Statement::Update(u) => match u.assignments.first() {
                Some(a) if matches!(a.target, AssignmentTarget::ColumnName(_)) => {
                    let again = a.clone();
                    u.assignments.push(again);
                    true
                }
                _ => false,
            },
            _ => false,
        },
        other => panic!("unknown mutation kind {other}"),
    }
}

/// The mutants of `sql` (one statement sqlparser reads as written; otherwise none): each kind
/// that applies, with the mutated SQL. `reprint` is the query printed back unchanged, the
/// base every other mutant is printed the same way as.
pub fn mutants(sql: &str) -> Vec<(&'static str, String)> {
    // Only what PREPARE analyses: a utility statement (LOCK, ...) is checked when it runs.
    let Some(statement) = parse_one(sql).filter(|s| {
        matches!(
            s,
            Statement::Query(_)
                | Statement::Insert(_)
                | Statement::Update(_)
                | Statement::Delete(_)
        )
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (kind, _) in KINDS {
        let mut s = statement.clone();
        if apply(kind, &mut s) {
            out.push((*kind, s.to_string()));
        }
    }
    out
}
