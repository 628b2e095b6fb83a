//! The rule's walk over one statement: query levels, their FROM items, the classes of values
//! their conjuncts equate, and which table occurrences end up unscoped.

use std::collections::HashMap;
use std::ops::{ControlFlow, Range};
use std::rc::Rc;

use sqlparser::ast::{
    self, BinaryOperator, Expr, Join, JoinConstraint, JoinOperator, ObjectName, Query, Select,
    SelectItem, SetExpr, Spanned, Statement, TableFactor, TableWithJoins, Value, Visit, Visitor,
};

mod dml;

use super::uf::Classes;
use super::{Anchor, Rule, Scope};
use crate::catalog::QualifiedName;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::source::RawQuery;

/// How deep views may nest inside one another before the rule gives up (PostgreSQL has no
/// limit, but a schema this deep is not one a human wrote).
const VIEW_DEPTH: usize = 32;

pub(super) fn check(
    rule: &Rule<'_>,
    raw: &RawQuery,
    file: &SourceFile,
    nullable: &[bool],
) -> Result<Scope, Vec<Diagnostic>> {
    let cannot = |why: String| {
        vec![
            Diagnostic::error(format!(
                "query {} cannot be checked by the tenant rule: {why}",
                raw.name
            ))
            .at(file, raw.name_span.clone())
            .label("not checked for tenant scoping")
            .help(CROSS_TENANT_HELP),
        ]
    };
    let catalog = rule.catalog();
    let has_column = |name: &str| {
        catalog
            .tables
            .values()
            .any(|r| r.columns.iter().any(|c| c.name == name))
    };
    let parsed = crate::depth::guarded(|| crate::analyze::parse::parse(&raw.sql, &has_column))
        .map_err(|e| cannot(format!("SQL the parser cannot read ({e})")))?;
    let statements = match parsed {
        crate::analyze::parse::Parsed::Statements(s) => s,
        _ => return Ok(Scope::default()),
    };
    let [statement] = statements.as_slice() else {
        return Err(cannot("not one statement".into()));
    };
    let mut cx = Cx {
        rule,
        raw,
        nullable,
        violations: Vec::new(),
        used: Vec::new(),
        tenant_tables: false,
        ctes: Vec::new(),
        views: Vec::new(),
    };
    crate::depth::guarded(|| cx.statement(statement));
    let Cx {
        mut violations,
        used,
        tenant_tables,
        ..
    } = cx;
    let params: Vec<usize> = used
        .iter()
        .filter_map(|a| match a {
            Anchor::Param(n) => Some(*n),
            Anchor::Policy(_) => None,
        })
        .collect();
    let param = params.iter().min().copied();
    if let Some(first) = param
        && let Some(other) = params.iter().find(|&&p| p != first)
    {
        violations.push(Violation {
            message: format!(
                "query {} is scoped by two tenant parameters (${} and ${}): it reads two tenants",
                raw.name,
                first + 1,
                other + 1
            ),
            at: raw.name_span.clone(),
            label: "two tenants".into(),
            help: "scope every table by the same parameter, or mark the query `-- squill:cross-tenant <reason>`".into(),
            note: None,
        });
    }
    if !violations.is_empty() {
        violations.sort_by(|a, b| (a.at.start, &a.message).cmp(&(b.at.start, &b.message)));
        violations.dedup_by(|a, b| a.at == b.at && a.message == b.message);
        return Err(violations
            .into_iter()
            .map(|v| {
                let d = Diagnostic::error(v.message)
                    .at(file, v.at)
                    .label(v.label)
                    .help(v.help)
                    .note("a query meant to span tenants says so: `-- squill:cross-tenant <reason>` above its annotation");
                match v.note {
                    Some(n) => d.note(n),
                    None => d,
                }
            })
            .collect());
    }
    let mut policies: Vec<String> = used
        .iter()
        .filter_map(|a| match a {
            Anchor::Policy(p) => Some(p.clone()),
            Anchor::Param(_) => None,
        })
        .collect();
    policies.sort();
    policies.dedup();
    Ok(Scope {
        param,
        policies,
        tenant_tables,
    })
}

pub(super) const CROSS_TENANT_HELP: &str = "if the query is meant to span tenants, write `-- squill:cross-tenant <reason>` above its annotation";

struct Violation {
    message: String,
    at: Range<usize>,
    label: String,
    help: String,
    note: Option<String>,
}

/// A base table read at some place of the query.
#[derive(Debug, Clone)]
struct Occ {
    table: QualifiedName,
    /// How the query names it (its alias, else its name).
    alias: String,
    tenant: Option<String>,
    policy: Option<String>,
    /// Where to report it, in the query file.
    at: Range<usize>,
    /// The view it was read through, when it was.
    via: Option<String>,
}

/// What a query level produces, as the level that reads it sees it.
#[derive(Debug, Clone, Default)]
struct Shape {
    columns: Vec<String>,
    /// Per column: anchored, and by what.
    anchors: Vec<Option<Anchor>>,
    /// Occurrences not scoped inside, each with the output column that is its tenant column.
    pending: Vec<(Occ, usize)>,
}

#[derive(Debug, Clone)]
enum Kind {
    Table(Occ),
    Derived(Rc<Shape>),
    Opaque,
}

#[derive(Debug, Clone)]
struct Item {
    name: String,
    columns: Vec<String>,
    kind: Kind,
}

/// A FROM item's name and its columns' anchors.
type ItemAnchors = (String, Vec<(String, Option<Anchor>)>);

/// A join's NULL-extended side, the items left and right of it, and its ON clause.
type JoinOn<'s> = (Side, (Range<usize>, Range<usize>), Option<&'s Expr>);

/// An enclosing level, for correlated references: its items' column anchors.
struct Outer<'p> {
    items: Vec<ItemAnchors>,
    parent: Option<&'p Outer<'p>>,
}

impl Outer<'_> {
    fn lookup(&self, parts: &[String]) -> Option<Option<Anchor>> {
        let found = match parts {
            [column] => self
                .items
                .iter()
                .find_map(|(_, cols)| cols.iter().find(|(c, _)| c == column)),
            [.., item, column] => self
                .items
                .iter()
                .filter(|(name, _)| name == item)
                .find_map(|(_, cols)| cols.iter().find(|(c, _)| c == column)),
            [] => None,
        };
        match found {
            Some((_, anchor)) => Some(anchor.clone()),
            None => self.parent.and_then(|p| p.lookup(parts)),
        }
    }
}

/// Where the SQL being walked comes from: the query, or a view's definition (reported at the
/// view's reference).
#[derive(Clone)]
enum Origin {
    Query,
    View { at: Range<usize>, name: String },
}

struct Cx<'r, 'a> {
    rule: &'r Rule<'a>,
    raw: &'r RawQuery,
    nullable: &'r [bool],
    violations: Vec<Violation>,
    used: Vec<Anchor>,
    tenant_tables: bool,
    /// CTEs in scope, innermost last.
    ctes: Vec<HashMap<String, Rc<Shape>>>,
    /// Views being expanded, with the binding of the innermost (names inside resolve by it).
    views: Vec<(QualifiedName, Origin, Option<crate::catalog::ViewBinding>)>,
}

/// One level being walked.
struct Level {
    items: Vec<Item>,
    classes: Classes,
}

fn fold(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

fn object_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| match p.as_ident() {
            Some(i) => fold(i),
            None => p.to_string(),
        })
        .collect()
}

fn expr_parts(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Identifier(i) => Some(vec![fold(i)]),
        Expr::CompoundIdentifier(parts) => Some(parts.iter().map(fold).collect()),
        Expr::Nested(e) => expr_parts(e),
        _ => None,
    }
}

/// The top-level conjuncts of a condition (`a AND (b AND c)` → a, b, c).
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                stack.push(right);
                stack.push(left);
            }
            Expr::Nested(inner) => stack.push(inner),
            other => out.push(other),
        }
    }
    out
}

/// The subqueries of an expression that are not inside another one.
fn subqueries<V: Visit>(node: &V) -> Vec<Query> {
    struct Top {
        depth: usize,
        found: Vec<Query>,
    }
    impl Visitor for Top {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if self.depth == 0 {
                self.found.push(query.clone());
            }
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth = self.depth.saturating_sub(1);
            ControlFlow::Continue(())
        }
    }
    let mut top = Top {
        depth: 0,
        found: Vec::new(),
    };
    let _ = node.visit(&mut top);
    top.found
}

fn join_constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    use JoinOperator::*;
    match op {
        Join(c) | Inner(c) | Left(c) | LeftOuter(c) | Right(c) | RightOuter(c) | FullOuter(c)
        | CrossJoin(c) | Semi(c) | LeftSemi(c) | RightSemi(c) | Anti(c) | LeftAnti(c)
        | RightAnti(c) => Some(c),
        _ => None,
    }
}

/// Which side of a join NULL-extends: the right (LEFT JOIN), the left (RIGHT JOIN), both.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Inner,
    Right,
    Left,
    Both,
}

fn side(op: &JoinOperator) -> Side {
    use JoinOperator::*;
    match op {
        Left(_) | LeftOuter(_) | OuterApply => Side::Right,
        Right(_) | RightOuter(_) => Side::Left,
        FullOuter(_) => Side::Both,
        _ => Side::Inner,
    }
}

impl Cx<'_, '_> {
    fn origin(&self) -> Origin {
        self.views
            .last()
            .map_or(Origin::Query, |(_, origin, _)| origin.clone())
    }

    /// A span of the SQL being walked, in the query file.
    fn at(&self, span: sqlparser::tokenizer::Span) -> Range<usize> {
        match self.origin() {
            Origin::View { at, .. } => at,
            Origin::Query => {
                if span.start.line == 0 {
                    return self.raw.name_span.clone();
                }
                let start =
                    crate::analyze::sql_offset(&self.raw.sql, span.start.line, span.start.column);
                let end = crate::analyze::sql_offset(&self.raw.sql, span.end.line, span.end.column);
                let (start, end) = (self.raw.file_offset(start), self.raw.file_offset(end));
                start..end.max(start + 1)
            }
        }
    }

    fn statement(&mut self, statement: &Statement) {
        let shape = match statement {
            Statement::Query(q) => self.query(q, None),
            Statement::Insert(i) => self.insert(i, None),
            Statement::Update(u) => self.update(u, None),
            Statement::Delete(d) => self.delete(d, None),
            Statement::Merge(m) => {
                self.violations.push(Violation {
                    message: format!(
                        "query {} cannot be checked by the tenant rule: MERGE is not supported by the rule yet",
                        self.raw.name
                    ),
                    at: self.at(m.merge_token.0.span),
                    label: "not checked for tenant scoping".into(),
                    help: super::level::CROSS_TENANT_HELP.into(),
                    note: None,
                });
                return;
            }
            Statement::Truncate(t) => {
                for target in &t.table_names {
                    let parts = object_parts(&target.name);
                    if let Some(occ) = self.resolve_table(&parts, &target.name, None)
                        && occ.tenant.is_some()
                    {
                        self.tenant_tables = true;
                        self.unscoped(&occ, "TRUNCATE empties the table for every tenant");
                    }
                }
                return;
            }
            _ => return,
        };
        self.finish(shape);
    }

    /// A level read by nobody: whatever it left unscoped is a violation.
    fn finish(&mut self, shape: Shape) {
        for (occ, _) in shape.pending {
            self.unscoped(&occ, "");
        }
    }

    fn unscoped(&mut self, occ: &Occ, why: &str) {
        let column = occ.tenant.clone().unwrap_or_default();
        let param = self.rule.param_name(&column);
        let mut message = format!(
            "table \"{}\" is not scoped to one tenant in query {}",
            occ.table.name, self.raw.name
        );
        if !why.is_empty() {
            message = format!("{message}: {why}");
        }
        self.violations.push(Violation {
            message,
            at: occ.at.clone(),
            label: match &occ.via {
                Some(view) => format!("reads every tenant's rows of \"{}\" through view \"{view}\"", occ.table.name),
                None => "reads every tenant's rows".into(),
            },
            help: match &occ.via {
                Some(view) => format!(
                    "filter the view on the column its \"{column}\" is exposed as (e.g. \"AND {view}.{column} = @{param}\", a parameter that is never NULL), or scope it inside the view"
                ),
                None => format!(
                    "add \"AND {}.{column} = @{param}\" to the WHERE clause (a parameter that is never NULL), or join it on {column} to a table that is scoped",
                    occ.alias
                ),
            },
            note: None,
        });
    }

    fn push_ctes(&mut self, query: &Query, outer: Option<&Outer<'_>>) {
        let Some(with) = &query.with else {
            self.ctes.push(HashMap::new());
            return;
        };
        self.ctes.push(HashMap::new());
        for cte in &with.cte_tables {
            let name = fold(&cte.alias.name);
            let mut shape = if with.recursive {
                self.recursive_cte(cte, outer)
            } else {
                self.query(&cte.query, outer)
            };
            rename(
                &mut shape,
                &cte.alias
                    .columns
                    .iter()
                    .map(|c| fold(&c.name))
                    .collect::<Vec<_>>(),
            );
            // A data-modifying CTE runs whether or not it is read.
            if is_dml(&cte.query) {
                let pending = std::mem::take(&mut shape.pending);
                self.finish(Shape {
                    pending,
                    ..Shape::default()
                });
            }
            if let Some(scope) = self.ctes.last_mut() {
                scope.insert(name, Rc::new(shape));
            }
        }
    }

    /// `WITH RECURSIVE t AS (base UNION [ALL] step)`: by induction, a column anchored in the
    /// base and kept anchored by the step (reading `t` as the base left it) is anchored.
    fn recursive_cte(&mut self, cte: &ast::Cte, outer: Option<&Outer<'_>>) -> Shape {
        let name = fold(&cte.alias.name);
        let columns: Vec<String> = cte.alias.columns.iter().map(|c| fold(&c.name)).collect();
        let SetExpr::SetOperation { left, right, .. } = cte.query.body.as_ref() else {
            return self.query(&cte.query, outer);
        };
        let mut base = self.set_expr(left, outer);
        rename(&mut base, &columns);
        let assumed = Shape {
            pending: Vec::new(),
            ..base.clone()
        };
        self.ctes.push(HashMap::from([(name, Rc::new(assumed))]));
        let mut step = self.set_expr(right, outer);
        self.ctes.pop();
        rename(&mut step, &columns);
        combine(base, step)
    }

    fn query(&mut self, query: &Query, outer: Option<&Outer<'_>>) -> Shape {
        self.push_ctes(query, outer);
        let mut shape = self.set_expr(&query.body, outer);
        // A reader's filter cannot reach below a LIMIT (PostgreSQL does not push it down): the
        // rows kept depend on every tenant's.
        if query.limit_clause.is_some() || query.fetch.is_some() {
            self.seal(&mut shape, "its LIMIT picks rows among every tenant's");
        }
        // ORDER BY / LIMIT subqueries.
        let mut extra = Vec::new();
        if let Some(order) = &query.order_by {
            extra.extend(subqueries(order));
        }
        if let Some(limit) = &query.limit_clause {
            extra.extend(subqueries(limit));
        }
        for sub in extra {
            let inner = self.query(&sub, outer);
            self.finish(inner);
        }
        self.ctes.pop();
        shape
    }

    fn set_expr(&mut self, body: &SetExpr, outer: Option<&Outer<'_>>) -> Shape {
        match body {
            SetExpr::Select(select) => self.select(select, outer),
            SetExpr::Query(q) => self.query(q, outer),
            SetExpr::SetOperation { left, right, .. } => {
                let left = self.set_expr(left, outer);
                let right = self.set_expr(right, outer);
                combine(left, right)
            }
            SetExpr::Values(values) => {
                for sub in subqueries(values) {
                    let inner = self.query(&sub, outer);
                    self.finish(inner);
                }
                let width = values.rows.first().map_or(0, |r| r.content.len());
                let mut shape = Shape {
                    columns: (1..=width).map(|i| format!("column{i}")).collect(),
                    anchors: vec![None; width],
                    pending: Vec::new(),
                };
                // A column every row of which is a tenant parameter is anchored.
                for c in 0..width {
                    let anchors: Vec<Option<Anchor>> = values
                        .rows
                        .iter()
                        .map(|row| row.content.get(c).and_then(|e| self.param_anchor(e)))
                        .collect();
                    if let Some(Some(first)) = anchors.first()
                        && anchors.iter().all(|a| a.as_ref() == Some(first))
                    {
                        shape.anchors[c] = Some(first.clone());
                    }
                }
                shape
            }
            SetExpr::Insert(Statement::Insert(i)) => self.insert(i, outer),
            SetExpr::Update(Statement::Update(u)) => self.update(u, outer),
            SetExpr::Delete(Statement::Delete(d)) => self.delete(d, outer),
            SetExpr::Table(t) => {
                let Some(name) = &t.table_name else {
                    return Shape::default();
                };
                let mut parts: Vec<String> = t.schema_name.iter().cloned().collect();
                parts.push(name.clone());
                let object = ObjectName::from(vec![ast::Ident::new(name.clone())]);
                let mut level = Level {
                    items: Vec::new(),
                    classes: Classes::default(),
                };
                self.table_item(&mut level, &parts, &object, None, outer);
                self.close(level, None, outer)
            }
            _ => Shape::default(),
        }
    }

    /// A parameter that cannot be NULL (casts and parentheses around it aside).
    fn param_anchor(&self, expr: &Expr) -> Option<Anchor> {
        match expr {
            Expr::Nested(e) => self.param_anchor(e),
            Expr::Cast { expr, .. } => self.param_anchor(expr),
            Expr::Value(v) => match &v.value {
                Value::Placeholder(p) => {
                    let n: usize = p.strip_prefix('$')?.parse().ok()?;
                    let i = n.checked_sub(1)?;
                    // Inside a view there are no parameters.
                    if !self.views.is_empty() || *self.nullable.get(i)? {
                        return None;
                    }
                    Some(Anchor::Param(i))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn select(&mut self, select: &Select, outer: Option<&Outer<'_>>) -> Shape {
        let mut level = Level {
            items: Vec::new(),
            classes: Classes::default(),
        };
        let mut joins = Vec::new();
        for twj in &select.from {
            self.add_from_item(&mut level, twj, outer, &mut joins);
        }
        self.equalities(&mut level, select.selection.as_ref(), &joins, outer);
        // Subqueries of the other clauses, correlated to this level.
        let snapshot = self.snapshot(&mut level, outer);
        let mut subs = subqueries(&select.projection);
        if let Some(w) = &select.selection {
            subs.extend(subqueries(w));
        }
        if let Some(h) = &select.having {
            subs.extend(subqueries(h));
        }
        subs.extend(subqueries(&select.group_by));
        for (_, _, on) in &joins {
            if let Some(on) = on {
                subs.extend(subqueries(*on));
            }
        }
        for sub in subs {
            let inner = self.query(&sub, Some(&snapshot));
            self.finish(inner);
        }
        let mut shape = self.close(level, Some(&select.projection), outer);
        // Nor below a window function, computed over every tenant's rows.
        if has_window(&select.projection) {
            self.seal(
                &mut shape,
                "its window functions run over every tenant's rows",
            );
        }
        shape
    }

    /// Whatever a level leaves for its reader to scope becomes a violation now.
    fn seal(&mut self, shape: &mut Shape, why: &str) {
        for (occ, _) in std::mem::take(&mut shape.pending) {
            self.unscoped(&occ, why);
        }
    }

    /// Adds a FROM item (with its joins); records each join's ON clause for `equalities`.
    fn add_from_item<'s>(
        &mut self,
        level: &mut Level,
        twj: &'s TableWithJoins,
        outer: Option<&Outer<'_>>,
        joins: &mut Vec<JoinOn<'s>>,
    ) {
        let start = level.items.len();
        self.factor(level, &twj.relation, outer, joins);
        for join in &twj.joins {
            let Join {
                relation,
                join_operator,
                ..
            } = join;
            let left = start..level.items.len();
            self.factor(level, relation, outer, joins);
            let right = left.end..level.items.len();
            let kind = side(join_operator);
            match join_constraint(join_operator) {
                Some(JoinConstraint::On(on)) => joins.push((kind, (left, right), Some(on))),
                Some(JoinConstraint::Using(names)) => {
                    for name in names {
                        let Some(column) = name.0.last().and_then(|p| p.as_ident()).map(fold)
                        else {
                            continue;
                        };
                        self.using(level, &left, &right, &column, kind);
                    }
                }
                Some(JoinConstraint::Natural) => {
                    let common: Vec<String> = level.items[right.clone()]
                        .iter()
                        .flat_map(|i| i.columns.clone())
                        .filter(|c| {
                            level.items[left.clone()]
                                .iter()
                                .any(|i| i.columns.contains(c))
                        })
                        .collect();
                    for column in common {
                        self.using(level, &left, &right, &column, kind);
                    }
                }
                _ => {}
            }
        }
    }

    fn using(
        &mut self,
        level: &mut Level,
        left: &Range<usize>,
        right: &Range<usize>,
        column: &str,
        kind: Side,
    ) {
        let find = |range: &Range<usize>| {
            range
                .clone()
                .find(|&i| level.items[i].columns.iter().any(|c| c == column))
        };
        let (Some(l), Some(r)) = (find(left), find(right)) else {
            return;
        };
        let (l, r) = (
            level.classes.column(l, column),
            level.classes.column(r, column),
        );
        match kind {
            Side::Inner => level.classes.union(l, r),
            Side::Right => level.classes.direct(l, r),
            Side::Left => level.classes.direct(r, l),
            Side::Both => {}
        }
    }

    fn factor<'s>(
        &mut self,
        level: &mut Level,
        factor: &'s TableFactor,
        outer: Option<&Outer<'_>>,
        joins: &mut Vec<JoinOn<'s>>,
    ) {
        match factor {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                if args.is_some() {
                    // A set-returning function: its arguments may hold subqueries.
                    for sub in subqueries(factor) {
                        let inner = self.query(&sub, outer);
                        self.finish(inner);
                    }
                    level.items.push(Item {
                        name: alias.as_ref().map(|a| fold(&a.name)).unwrap_or_default(),
                        columns: Vec::new(),
                        kind: Kind::Opaque,
                    });
                    return;
                }
                let parts = object_parts(name);
                self.table_item(level, &parts, name, alias.as_ref(), outer);
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let mut shape = if *lateral {
                    let snapshot = self.snapshot(level, outer);
                    self.query(subquery, Some(&snapshot))
                } else {
                    self.query(subquery, outer)
                };
                if let Some(a) = alias {
                    rename(
                        &mut shape,
                        &a.columns.iter().map(|c| fold(&c.name)).collect::<Vec<_>>(),
                    );
                }
                level.items.push(Item {
                    name: alias.as_ref().map(|a| fold(&a.name)).unwrap_or_default(),
                    columns: shape.columns.clone(),
                    kind: Kind::Derived(Rc::new(shape)),
                });
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.add_from_item(level, table_with_joins, outer, joins),
            other => {
                for sub in subqueries(other) {
                    let inner = self.query(&sub, outer);
                    self.finish(inner);
                }
                level.items.push(Item {
                    name: String::new(),
                    columns: Vec::new(),
                    kind: Kind::Opaque,
                });
            }
        }
    }

    /// A relation name in FROM: a CTE, a view (expanded), or a table.
    fn table_item(
        &mut self,
        level: &mut Level,
        parts: &[String],
        name: &ObjectName,
        alias: Option<&ast::TableAlias>,
        outer: Option<&Outer<'_>>,
    ) {
        let alias_name = alias.map(|a| fold(&a.name));
        let alias_columns: Vec<String> = alias
            .map(|a| a.columns.iter().map(|c| fold(&c.name)).collect())
            .unwrap_or_default();
        let default_name = parts.last().cloned().unwrap_or_default();
        if let [one] = parts
            && let Some(shape) = self.ctes.iter().rev().find_map(|s| s.get(one)).cloned()
        {
            let mut shape = (*shape).clone();
            rename(&mut shape, &alias_columns);
            level.items.push(Item {
                name: alias_name.unwrap_or(default_name),
                columns: shape.columns.clone(),
                kind: Kind::Derived(Rc::new(shape)),
            });
            return;
        }
        let _ = outer;
        let Some(target) = self.resolve(parts) else {
            level.items.push(Item {
                name: alias_name.unwrap_or(default_name),
                columns: Vec::new(),
                kind: Kind::Opaque,
            });
            return;
        };
        let catalog = self.rule.catalog();
        let Some(relation) = catalog.tables.get(&target) else {
            return;
        };
        if let (Some(sql), Some(binding)) = (&relation.view_sql, &relation.binding) {
            let mut shape = self.view(&target, sql, binding, name);
            rename(&mut shape, &alias_columns);
            level.items.push(Item {
                name: alias_name.unwrap_or(default_name),
                columns: shape.columns.clone(),
                kind: Kind::Derived(Rc::new(shape)),
            });
            return;
        }
        let mut columns: Vec<String> = relation.columns.iter().map(|c| c.name.clone()).collect();
        let tenant = self.rule.tenant_of(&target).map(str::to_string);
        let mut tenant_visible = tenant.clone();
        for (i, new) in alias_columns.iter().enumerate() {
            if let Some(c) = columns.get_mut(i) {
                if tenant.as_deref() == Some(c.as_str()) {
                    tenant_visible = Some(new.clone());
                }
                *c = new.clone();
            }
        }
        let item_name = alias_name.unwrap_or(default_name);
        let occ = Occ {
            table: target.clone(),
            alias: item_name.clone(),
            tenant: tenant_visible,
            policy: self.rule.policy_of(&target).map(str::to_string),
            at: self.at(name.span()),
            via: match self.origin() {
                Origin::View { name, .. } => Some(name),
                Origin::Query => None,
            },
        };
        if occ.tenant.is_some() {
            self.tenant_tables = true;
        }
        level.items.push(Item {
            name: item_name,
            columns,
            kind: Kind::Table(occ),
        });
    }

    fn resolve_table(&mut self, parts: &[String], name: &ObjectName, _: Option<()>) -> Option<Occ> {
        let target = self.resolve(parts)?;
        let tenant = self.rule.tenant_of(&target).map(str::to_string);
        Some(Occ {
            alias: target.name.clone(),
            policy: self.rule.policy_of(&target).map(str::to_string),
            tenant,
            at: self.at(name.span()),
            via: None,
            table: target,
        })
    }

    /// A relation name as the query (or the view being expanded) means it.
    fn resolve(&self, parts: &[String]) -> Option<QualifiedName> {
        let catalog = self.rule.catalog();
        if let Some((_, _, Some(binding))) = self.views.last() {
            return binding
                .relations
                .iter()
                .find(|b| b.written == parts)
                .map(|b| b.target.clone());
        }
        match parts {
            [name] => catalog
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.clone(), name.clone()))
                .find(|q| catalog.tables.contains_key(q)),
            [.., schema, name] => {
                let q = QualifiedName::new(schema.clone(), name.clone());
                catalog.tables.contains_key(&q).then_some(q)
            }
            [] => None,
        }
    }

    fn view(
        &mut self,
        target: &QualifiedName,
        sql: &str,
        binding: &crate::catalog::ViewBinding,
        name: &ObjectName,
    ) -> Shape {
        let at = self.at(name.span());
        let looping =
            self.views.iter().any(|(v, _, _)| v == target) || self.views.len() >= VIEW_DEPTH;
        let parsed = crate::analyze::parse::parse(sql, &|_| false);
        let statement = match parsed {
            Ok(crate::analyze::parse::Parsed::Statements(s)) if s.len() == 1 && !looping => s,
            _ => {
                self.violations.push(Violation {
                    message: format!(
                        "query {} cannot be checked by the tenant rule: view \"{}\" cannot be expanded",
                        self.raw.name, target.name
                    ),
                    at,
                    label: "not checked for tenant scoping".into(),
                    help: CROSS_TENANT_HELP.into(),
                    note: None,
                });
                return Shape::default();
            }
        };
        let Statement::Query(query) = &statement[0] else {
            return Shape::default();
        };
        self.views.push((
            target.clone(),
            Origin::View {
                at,
                name: target.name.clone(),
            },
            Some(binding.clone()),
        ));
        // A view sees none of the CTEs around its reference.
        let ctes = std::mem::take(&mut self.ctes);
        let mut shape = self.query(query, None);
        self.ctes = ctes;
        self.views.pop();
        for (then, now) in &binding.renamed_columns {
            for c in &mut shape.columns {
                if c == then {
                    *c = now.clone();
                }
            }
        }
        shape
    }

    /// The anchors of every column of the level's items so far, for subqueries.
    fn snapshot<'p>(&self, level: &mut Level, parent: Option<&'p Outer<'p>>) -> Outer<'p> {
        level.classes.settle();
        let items = level
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let cols = item
                    .columns
                    .iter()
                    .map(|c| (c.clone(), self.column_anchor(level, i, c)))
                    .collect();
                (item.name.clone(), cols)
            })
            .collect();
        Outer { items, parent }
    }

    fn column_anchor(&self, level: &Level, item: usize, column: &str) -> Option<Anchor> {
        if let Some(id) = level.classes.existing(item, column)
            && let Some(a) = level.classes.anchor(id)
        {
            return Some(a.clone());
        }
        match &level.items[item].kind {
            Kind::Table(occ) if occ.tenant.as_deref() == Some(column) => {
                occ.policy.clone().map(Anchor::Policy)
            }
            Kind::Derived(shape) => shape
                .columns
                .iter()
                .position(|c| c == column)
                .and_then(|i| shape.anchors[i].clone()),
            _ => None,
        }
    }

    /// The node of a column reference at this level, or of an anchored outer column.
    fn node(&mut self, level: &mut Level, expr: &Expr, outer: Option<&Outer<'_>>) -> Option<usize> {
        if let Some(anchor) = self.param_anchor(expr) {
            return Some(level.classes.fresh(Some(anchor)));
        }
        let parts = expr_parts(expr)?;
        let found = match parts.as_slice() {
            [column] => level
                .items
                .iter()
                .position(|i| i.columns.contains(column))
                .map(|i| (i, column.clone())),
            [.., item, column] => level
                .items
                .iter()
                .position(|i| &i.name == item)
                .map(|i| (i, column.clone())),
            [] => None,
        };
        match found {
            Some((i, column)) => Some(level.classes.column(i, &column)),
            None => {
                let anchor = outer.and_then(|o| o.lookup(&parts)).flatten()?;
                Some(level.classes.fresh(Some(anchor)))
            }
        }
    }

    /// A scalar or IN subquery whose one column is anchored: a node anchored like it.
    fn subquery_node(
        &mut self,
        level: &mut Level,
        query: &Query,
        outer: Option<&Outer<'_>>,
    ) -> Option<usize> {
        let snapshot = self.snapshot(level, outer);
        let shape = self.query(query, Some(&snapshot));
        let anchor = shape.anchors.first().cloned().flatten();
        self.finish(shape);
        Some(level.classes.fresh(Some(anchor?)))
    }

    /// The pairs of values a conjunct equates.
    pub(super) fn equated<'e>(conjunct: &'e Expr) -> Vec<(&'e Expr, &'e Expr)> {
        let strip = |e: &'e Expr| -> &'e Expr {
            match e {
                Expr::Nested(inner) if matches!(inner.as_ref(), Expr::Tuple(_)) => inner,
                other => other,
            }
        };
        match conjunct {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            }
            | Expr::IsNotDistinctFrom(left, right) => match (strip(left), strip(right)) {
                // `(a, b) = (c, d)` is `a = c AND b = d`.
                (Expr::Tuple(l), Expr::Tuple(r)) if l.len() == r.len() => l.iter().zip(r).collect(),
                _ => vec![(left, right)],
            },
            Expr::InList {
                expr,
                list,
                negated: false,
            } if list.len() == 1 => vec![(expr, &list[0])],
            _ => Vec::new(),
        }
    }

    fn operand(&mut self, level: &mut Level, e: &Expr, outer: Option<&Outer<'_>>) -> Option<usize> {
        match e {
            Expr::Subquery(q) => self.subquery_node(level, q, outer),
            Expr::Nested(inner) if matches!(inner.as_ref(), Expr::Subquery(_)) => {
                self.operand(level, inner, outer)
            }
            _ => self.node(level, e, outer),
        }
    }

    /// WHERE and join conditions: equalities into classes, then settled.
    fn equalities(
        &mut self,
        level: &mut Level,
        selection: Option<&Expr>,
        joins: &[JoinOn<'_>],
        outer: Option<&Outer<'_>>,
    ) {
        let mut bidirectional: Vec<&Expr> = selection.map(conjuncts).unwrap_or_default();
        for (kind, _, on) in joins {
            if let (Side::Inner, Some(on)) = (kind, on) {
                bidirectional.extend(conjuncts(on));
            }
        }
        for conjunct in bidirectional {
            if let Expr::InSubquery {
                expr,
                subquery,
                negated: false,
            } = conjunct
            {
                if let (Some(a), Some(b)) = (
                    self.node(level, expr, outer),
                    self.subquery_node(level, subquery, outer),
                ) {
                    level.classes.union(a, b);
                }
                continue;
            }
            for (l, r) in Self::equated(conjunct) {
                if let (Some(a), Some(b)) =
                    (self.operand(level, l, outer), self.operand(level, r, outer))
                {
                    level.classes.union(a, b);
                }
            }
        }
        // Outer joins: their ON restricts the NULL-extended side only.
        for (kind, (left, right), on) in joins {
            let Some(on) = on else { continue };
            let nullable = match kind {
                Side::Inner | Side::Both => continue,
                Side::Right => right.clone(),
                Side::Left => left.clone(),
            };
            for (l, r) in conjuncts(on).into_iter().flat_map(|c| Self::equated(c)) {
                let on_nullable = |e: &Expr, level: &Level| {
                    let parts = expr_parts(e)?;
                    let item = match parts.as_slice() {
                        [c] => level.items.iter().position(|i| i.columns.contains(c))?,
                        [.., q, _] => level.items.iter().position(|i| &i.name == q)?,
                        [] => return None,
                    };
                    Some(nullable.contains(&item))
                };
                let (ln, rn) = (
                    on_nullable(l, level) == Some(true),
                    on_nullable(r, level) == Some(true),
                );
                let (Some(a), Some(b)) =
                    (self.operand(level, l, outer), self.operand(level, r, outer))
                else {
                    continue;
                };
                match (ln, rn) {
                    (true, true) => level.classes.union(a, b),
                    (true, false) => level.classes.direct(b, a),
                    (false, true) => level.classes.direct(a, b),
                    (false, false) => {}
                }
            }
        }
        // Anchors the items bring: policies, derived tables' anchored columns.
        for i in 0..level.items.len() {
            let columns = level.items[i].columns.clone();
            for c in columns {
                let anchor = match &level.items[i].kind {
                    Kind::Table(occ) if occ.tenant.as_deref() == Some(c.as_str()) => {
                        occ.policy.clone().map(Anchor::Policy)
                    }
                    Kind::Derived(shape) => shape
                        .columns
                        .iter()
                        .position(|x| *x == c)
                        .and_then(|k| shape.anchors[k].clone()),
                    _ => None,
                };
                if let Some(anchor) = anchor {
                    let id = level.classes.column(i, &c);
                    level.classes.anchor_node(id, anchor);
                }
            }
        }
        level.classes.settle();
    }

    /// Ends a level: checks its occurrences, and what it produces (`projection`; `None`: every
    /// column of its items).
    fn close(
        &mut self,
        mut level: Level,
        projection: Option<&[SelectItem]>,
        _outer: Option<&Outer<'_>>,
    ) -> Shape {
        level.classes.settle();
        // Output columns and their nodes.
        let mut columns = Vec::new();
        let mut nodes: Vec<Option<usize>> = Vec::new();
        let all = |level: &mut Level, only: Option<usize>| {
            let mut out = Vec::new();
            for i in 0..level.items.len() {
                if only.is_some_and(|o| o != i) {
                    continue;
                }
                for c in level.items[i].columns.clone() {
                    let id = level.classes.column(i, &c);
                    out.push((c, Some(id)));
                }
            }
            out
        };
        match projection {
            None => {
                for (c, n) in all(&mut level, None) {
                    columns.push(c);
                    nodes.push(n);
                }
            }
            Some(items) => {
                for item in items {
                    match item {
                        SelectItem::Wildcard(_) => {
                            for (c, n) in all(&mut level, None) {
                                columns.push(c);
                                nodes.push(n);
                            }
                        }
                        SelectItem::QualifiedWildcard(kind, _) => {
                            let q = match kind {
                                ast::SelectItemQualifiedWildcardKind::ObjectName(n) => {
                                    object_parts(n).last().cloned()
                                }
                                ast::SelectItemQualifiedWildcardKind::Expr(e) => {
                                    expr_parts(e).and_then(|p| p.last().cloned())
                                }
                            };
                            let only = q.and_then(|q| level.items.iter().position(|i| i.name == q));
                            if let Some(only) = only {
                                for (c, n) in all(&mut level, Some(only)) {
                                    columns.push(c);
                                    nodes.push(n);
                                }
                            }
                        }
                        SelectItem::UnnamedExpr(e) => {
                            let name = expr_parts(e)
                                .and_then(|p| p.last().cloned())
                                .unwrap_or_else(|| "?column?".into());
                            columns.push(name);
                            nodes.push(self.node(&mut level, e, None));
                        }
                        SelectItem::ExprWithAlias { expr, alias } => {
                            columns.push(fold(alias));
                            nodes.push(self.node(&mut level, expr, None));
                        }
                        SelectItem::ExprWithAliases { expr, aliases } => {
                            for a in aliases {
                                columns.push(fold(a));
                                nodes.push(self.node(&mut level, expr, None));
                            }
                        }
                    }
                }
            }
        }
        level.classes.settle();
        let anchors: Vec<Option<Anchor>> = nodes
            .iter()
            .map(|n| n.and_then(|n| level.classes.anchor(n).cloned()))
            .collect();
        let mut pending = Vec::new();
        // Which output column carries a node's value.
        let exposed = |level: &Level, id: usize| {
            nodes
                .iter()
                .position(|n| n.is_some_and(|n| level.classes.same(n, id)))
        };
        for i in 0..level.items.len() {
            match level.items[i].kind.clone() {
                Kind::Table(occ) => {
                    let Some(tenant) = &occ.tenant else { continue };
                    let id = level.classes.column(i, tenant);
                    match level.classes.anchor(id) {
                        Some(a) => self.used.push(a.clone()),
                        None => match exposed(&level, id) {
                            Some(col) => pending.push((occ, col)),
                            None => pending.push((occ, usize::MAX)),
                        },
                    }
                }
                Kind::Derived(shape) => {
                    for (occ, col) in &shape.pending {
                        let Some(name) = shape.columns.get(*col) else {
                            pending.push((occ.clone(), usize::MAX));
                            continue;
                        };
                        let id = level.classes.column(i, name);
                        match level.classes.anchor(id) {
                            Some(a) => self.used.push(a.clone()),
                            None => match exposed(&level, id) {
                                Some(c) => pending.push((occ.clone(), c)),
                                None => pending.push((occ.clone(), usize::MAX)),
                            },
                        }
                    }
                }
                Kind::Opaque => {}
            }
        }
        // What no output column carries can never be scoped by a reader.
        let (kept, lost): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|(_, c)| *c != usize::MAX);
        for (occ, _) in lost {
            self.unscoped(&occ, "");
        }
        Shape {
            columns,
            anchors,
            pending: kept,
        }
    }
}

/// Whether a select list calls a window function.
fn has_window(projection: &[SelectItem]) -> bool {
    /// Found, and how many subqueries deep the walk is (a subquery's windows are its own).
    struct Windows(bool, usize);
    impl Visitor for Windows {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if let Expr::Function(f) = expr
                && f.over.is_some()
                && self.1 == 0
            {
                self.0 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.1 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.1 = self.1.saturating_sub(1);
            ControlFlow::Continue(())
        }
    }
    let mut windows = Windows(false, 0);
    for item in projection {
        let _ = item.visit(&mut windows);
    }
    windows.0
}

/// Renames a shape's first columns (a column alias list).
fn rename(shape: &mut Shape, names: &[String]) {
    for (c, n) in shape.columns.iter_mut().zip(names) {
        *c = n.clone();
    }
}

/// A set operation: a column is anchored when every branch anchors it alike.
fn combine(left: Shape, right: Shape) -> Shape {
    let anchors = left
        .anchors
        .iter()
        .zip(right.anchors.iter().chain(std::iter::repeat(&None)))
        .map(|(a, b)| if a == b { a.clone() } else { None })
        .collect();
    let mut pending = left.pending;
    pending.extend(right.pending);
    Shape {
        columns: left.columns,
        anchors,
        pending,
    }
}

fn is_dml(query: &Query) -> bool {
    matches!(
        query.body.as_ref(),
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_)
    )
}
