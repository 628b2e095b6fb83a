//! Where aggregates and window functions may appear, and the clause-level checks PostgreSQL
//! makes while it transforms a query: parse_agg.c's `check_agglevels_and_constraints` and
//! `transformWindowFuncCall` (by `ParseExprKind`, here [`Clause`]), parse_clause.c's
//! `ORDER BY position n` and `table name specified more than once`, ON CONFLICT's inference
//! specification, and analyze.c's `CheckSelectLocking`.

use sqlparser::ast::{
    Expr, Ident, ObjectName, ObjectNamePart, TableAlias, TableFactor, TableWithJoins, Value,
};
use sqlparser::tokenizer::Span;

use super::expr::{Cx, fold};
use super::{Fail, Res};

/// The clause an expression is transformed in (PostgreSQL's `ParseExprKind`, the kinds that
/// decide what may appear there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clause {
    /// The select list, ORDER BY, DISTINCT ON: anything goes.
    #[default]
    Free,
    Where,
    JoinOn,
    GroupBy,
    Having,
    FromFunction,
    Limit,
    Offset,
    Values,
    /// UPDATE's (and ON CONFLICT DO UPDATE's) SET values.
    Update,
    Returning,
    Filter,
    /// A window's PARTITION BY / ORDER BY.
    WindowDefinition,
}

impl Clause {
    /// What `aggregate functions are not allowed in ...` names, where they are not allowed.
    fn forbids_aggregates(self) -> Option<&'static str> {
        Some(match self {
            Clause::Free | Clause::Having | Clause::WindowDefinition => return None,
            Clause::Where => "WHERE",
            Clause::JoinOn => "JOIN conditions",
            Clause::GroupBy => "GROUP BY",
            Clause::FromFunction => "functions in FROM",
            Clause::Limit => "LIMIT",
            Clause::Offset => "OFFSET",
            Clause::Values => "VALUES",
            Clause::Update => "UPDATE",
            Clause::Returning => "RETURNING",
            Clause::Filter => "FILTER",
        })
    }

    /// What `window functions are not allowed in ...` names.
    fn forbids_windows(self) -> Option<&'static str> {
        match self {
            Clause::Having => Some("HAVING"),
            Clause::WindowDefinition => Some("window definitions"),
            other => other.forbids_aggregates(),
        }
    }
}

/// One query level's state for these checks: the clause being transformed, the aggregates
/// and window functions found so far (their positions), and the column references resolved
/// so far (how many to this level; how many levels up each other one is). An aggregate
/// whose arguments reference only enclosing levels belongs to the nearest of them
/// (`agglevelsup`), and is kept with that level count.
#[derive(Debug, Default)]
pub struct Level {
    pub clause: Clause,
    aggregates: Vec<Span>,
    windows: Vec<Span>,
    refs_here: usize,
    refs_outer: Vec<usize>,
    /// Enclosing levels' aggregates found here: `(levels up, position)`.
    outer_aggregates: Vec<(usize, Span)>,
}

/// Taken before a call's arguments are transformed.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    aggregates: usize,
    windows: usize,
    refs_here: usize,
    refs_outer: usize,
    outer_aggregates: usize,
}

impl Level {
    pub fn mark(&self) -> Mark {
        Mark {
            aggregates: self.aggregates.len(),
            windows: self.windows.len(),
            refs_here: self.refs_here,
            refs_outer: self.refs_outer.len(),
            outer_aggregates: self.outer_aggregates.len(),
        }
    }

    /// Whether an aggregate of this level was found.
    pub fn has_aggregates(&self) -> bool {
        !self.aggregates.is_empty()
    }

    /// A column reference resolved `levels_up` query levels up (0: this one).
    pub fn column_ref(&mut self, levels_up: usize) {
        if levels_up == 0 {
            self.refs_here += 1;
        } else {
            self.refs_outer.push(levels_up);
        }
    }

    /// An aggregate call at `span` whose arguments were transformed after `mark`.
    /// `check_agg_arguments`: the aggregate's level is the lowest of its arguments' column
    /// references and aggregates, and an aggregate of that level inside it is nested.
    pub fn aggregate(&mut self, mark: Mark, span: Span) -> Res<()> {
        let var_level = if self.refs_here > mark.refs_here {
            Some(0)
        } else {
            self.refs_outer[mark.refs_outer..].iter().min().copied()
        };
        let inner = match self.aggregates.get(mark.aggregates) {
            Some(here) => Some((0, *here)),
            None => self.outer_aggregates[mark.outer_aggregates..]
                .iter()
                .min_by_key(|(up, _)| *up)
                .copied(),
        };
        let level = match (var_level, inner) {
            (Some(v), Some((a, _))) => v.min(a),
            (Some(v), None) => v,
            (None, Some((a, _))) => a,
            (None, None) => 0,
        };
        if let Some((a, at)) = inner
            && a == level
        {
            return Err(
                Fail::Error("aggregate function calls cannot be nested".into(), None).at(at),
            );
        }
        if level > 0 {
            // An enclosing level's aggregate: that level's clause decides, which is not known
            // here; PostgreSQL's other checks still apply there.
            self.outer_aggregates.push((level, span));
            return Ok(());
        }
        if let Some(inner) = self.windows.get(mark.windows) {
            return Err(Fail::Error(
                "aggregate function calls cannot contain window function calls".into(),
                None,
            )
            .at(*inner));
        }
        if let Some(clause) = self.clause.forbids_aggregates() {
            return Err(Fail::Error(
                format!("aggregate functions are not allowed in {clause}"),
                help(self.clause),
            )
            .at(span));
        }
        self.aggregates.push(span);
        Ok(())
    }

    /// A window function call at `span` whose arguments were transformed after `mark`.
    pub fn window(&mut self, mark: Mark, span: Span) -> Res<()> {
        if let Some(inner) = self.windows.get(mark.windows) {
            return Err(
                Fail::Error("window function calls cannot be nested".into(), None).at(*inner),
            );
        }
        if let Some(clause) = self.clause.forbids_windows() {
            return Err(Fail::Error(
                format!("window functions are not allowed in {clause}"),
                None,
            )
            .at(span));
        }
        self.windows.push(span);
        Ok(())
    }
}

fn help(clause: Clause) -> Option<String> {
    match clause {
        Clause::Where => Some("filter on an aggregate in HAVING".into()),
        _ => None,
    }
}

impl Cx<'_> {
    /// Runs `f` with expressions in `clause`.
    pub fn within<T>(&mut self, clause: Clause, f: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        let saved = std::mem::replace(&mut self.level.clause, clause);
        let out = f(self);
        self.level.clause = saved;
        out
    }

    /// Runs `f` as a new query level (a subquery, CTE, derived table).
    pub fn new_level<T>(&mut self, f: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        let saved = std::mem::take(&mut self.level);
        let out = f(self);
        self.level = saved;
        out
    }
}

/// `ORDER BY n` / `GROUP BY n` (`clause`): a position must name an output column
/// (`findTargetlistEntrySQL92`).
pub fn position(e: &Expr, outputs: usize, clause: &str) -> Res<()> {
    let Expr::Value(v) = e else { return Ok(()) };
    let Value::Number(n, _) = &v.value else {
        return Ok(());
    };
    let span = v.span;
    let fail = |message: String| Err(Fail::Error(message, None).at(span));
    match n.parse::<i64>() {
        Ok(p) if p >= 1 && (p as u64) <= outputs as u64 => Ok(()),
        Ok(p) => fail(format!("{clause} position {p} is not in select list")),
        // Not an integer constant: `ORDER BY 1.5` sorts by a constant.
        Err(_) => Ok(()),
    }
}

/// A FROM item's name as `checkNameSpaceConflicts` sees it: the name, and the relation as
/// written when it is a table without an alias (two of those with different names may be
/// different tables: `a.t, b.t`).
pub struct RefName {
    name: String,
    unaliased_relation: Option<Vec<String>>,
    span: Span,
}

/// The target of UPDATE / DELETE, whose name the FROM / USING items must not repeat.
pub fn target_name(name: &ObjectName, alias: Option<&Ident>) -> Option<RefName> {
    let parts = super::expr::name_parts(name).ok()?;
    let span = name_span(name);
    Some(match alias {
        Some(a) => RefName {
            name: fold(a),
            unaliased_relation: None,
            span: a.span,
        },
        None => RefName {
            name: parts.last()?.clone(),
            unaliased_relation: Some(parts),
            span,
        },
    })
}

fn name_span(name: &ObjectName) -> Span {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => i.span,
        _ => Span::empty(),
    }
}

/// `table name "t" specified more than once`: the names a FROM list makes visible must
/// differ (parse_clause.c's `checkNameSpaceConflicts`, at each join and between the items
/// of the list), `already` holding the names visible before it (UPDATE's target).
pub fn names_once(already: Vec<RefName>, from: &[TableWithJoins]) -> Res<()> {
    let mut all = already;
    for twj in from {
        let names = with_joins(twj)?;
        conflicts(&all, &names)?;
        all.extend(names);
    }
    Ok(())
}

fn with_joins(twj: &TableWithJoins) -> Res<Vec<RefName>> {
    let mut names = factor(&twj.relation)?;
    for join in &twj.joins {
        let right = factor(&join.relation)?;
        conflicts(&names, &right)?;
        names.extend(right);
    }
    Ok(names)
}

fn factor(tf: &TableFactor) -> Res<Vec<RefName>> {
    let aliased = |a: &TableAlias| RefName {
        name: fold(&a.name),
        unaliased_relation: None,
        span: a.name.span,
    };
    Ok(match tf {
        TableFactor::Table { alias: Some(a), .. }
        | TableFactor::Function { alias: Some(a), .. }
        | TableFactor::Derived { alias: Some(a), .. }
        | TableFactor::UNNEST { alias: Some(a), .. } => vec![aliased(a)],
        TableFactor::Table { name, args, .. } => {
            let parts = super::expr::name_parts(name)?;
            let Some(last) = parts.last().cloned() else {
                return Ok(Vec::new());
            };
            vec![RefName {
                name: last,
                unaliased_relation: args.is_none().then_some(parts),
                span: name_span(name),
            }]
        }
        TableFactor::Function { name, .. } => {
            let parts = super::expr::name_parts(name)?;
            parts
                .last()
                .map(|n| RefName {
                    name: n.clone(),
                    unaliased_relation: None,
                    span: name_span(name),
                })
                .into_iter()
                .collect()
        }
        TableFactor::UNNEST { .. } => vec![RefName {
            name: "unnest".into(),
            unaliased_relation: None,
            span: Span::empty(),
        }],
        TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } => {
            let inner = with_joins(table_with_joins)?;
            match alias {
                // The alias hides the names inside the join.
                Some(a) => vec![aliased(a)],
                None => inner,
            }
        }
        _ => Vec::new(),
    })
}

fn conflicts(left: &[RefName], right: &[RefName]) -> Res<()> {
    for r in right {
        for l in left.iter().filter(|l| l.name == r.name) {
            if let (Some(a), Some(b)) = (&l.unaliased_relation, &r.unaliased_relation)
                && a != b
            {
                continue;
            }
            return Err(Fail::Error(
                format!("table name \"{}\" specified more than once", r.name),
                Some("give one of them an alias".into()),
            )
            .at(r.span));
        }
    }
    Ok(())
}

/// What a sort or a grouping needs of a type (`get_sort_group_operators`).
#[derive(Clone, Copy)]
pub enum Needs {
    Ordering,
    Equality,
}

/// `could not identify an ordering / equality operator for type T`: reported for a builtin
/// scalar type for which no `<` / `=` resolves at all (json, xml, point, void); any type
/// where one resolves, and arrays, records and the schema's types, are accepted.
pub fn sort_group_operator(cx: &Cx, ty: u32, needs: Needs, span: Span) -> Res<()> {
    let types = &cx.schema.types;
    let scalar = types
        .builtins
        .type_by_oid(ty)
        .is_some_and(|t| t.category != 'A')
        && !types.is_array(ty)
        && !matches!(
            ty,
            crate::builtins::oid::UNKNOWN | crate::builtins::oid::RECORD
        )
        && !super::resolve::is_polymorphic(ty);
    let (op, what, hint) = match needs {
        Needs::Ordering => (
            "<",
            "ordering",
            "Use an explicit ordering operator or modify the query.",
        ),
        Needs::Equality => ("=", "equality", ""),
    };
    if !scalar {
        return Ok(());
    }
    // Only an operator that does not exist decides (not an ambiguous one).
    match super::resolve::operator(types, op, Some(ty), ty) {
        Err(Fail::Error(message, _)) if message.contains("does not exist") => {}
        _ => return Ok(()),
    }
    Err(Fail::Error(
        format!(
            "could not identify an {what} operator for type {}",
            types.display(ty)
        ),
        (!hint.is_empty()).then(|| hint.to_string()),
    )
    .at(span))
}
