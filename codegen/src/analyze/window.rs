//! Inline window definitions (`OVER (PARTITION BY ... ORDER BY ... ROWS ...)`), as
//! `transformWindowDefinitions` analyses them once the rest of the query level is: partition
//! and sort expressions typed in the level's scope, an unknown one (a parameter, a literal)
//! taken as text as PostgreSQL's grouping and sorting do; a ROWS or GROUPS offset is a bigint
//! (`coerce_to_specific_type`: an assignment coercion).

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Query, Visit, Visitor, WindowFrameBound, WindowFrameUnits, WindowSpec, WindowType,
};

use super::expr::{Cx, fold};
use super::resolve::{self, Ctx};
use super::scope::Scope;
use super::{Fail, Res, unsupported};
use crate::builtins::oid;

impl Cx<'_> {
    /// The window definitions written in `exprs` (the level's target list and ORDER BY; not in
    /// subqueries, which are levels of their own).
    pub(super) fn window_definitions(&mut self, scope: &Scope, exprs: &[&Expr]) -> Res<()> {
        for spec in &specs(exprs) {
            if spec.window_name.is_some() {
                return unsupported("a window definition over a named window");
            }
            for e in &spec.partition_by {
                self.sort_expr(scope, e)?;
            }
            for o in &spec.order_by {
                self.sort_expr(scope, &o.expr)?;
            }
            let Some(frame) = &spec.window_frame else {
                continue;
            };
            let bounds = [Some(&frame.start_bound), frame.end_bound.as_ref()];
            for bound in bounds.into_iter().flatten() {
                let (WindowFrameBound::Preceding(Some(offset))
                | WindowFrameBound::Following(Some(offset))) = bound
                else {
                    continue;
                };
                let units = match frame.units {
                    WindowFrameUnits::Rows => "ROWS",
                    WindowFrameUnits::Groups => "GROUPS",
                    // Typed by the sort column's in_range support function.
                    WindowFrameUnits::Range => return unsupported("RANGE with an offset"),
                };
                // sqlparser reads a quoted offset (`ROWS '2' PRECEDING`) as an interval
                // literal: PostgreSQL's is the string, of unknown type.
                let offset = match &**offset {
                    Expr::Interval(i)
                        if i.leading_field.is_none()
                            && i.last_field.is_none()
                            && i.leading_precision.is_none()
                            && i.fractional_seconds_precision.is_none() =>
                    {
                        &i.value
                    }
                    other => other,
                };
                let mut t = self.expr(scope, offset)?;
                if t.ty != oid::UNKNOWN
                    && !resolve::can_cast(&self.schema.types, t.ty, oid::INT8, Ctx::Assignment)
                {
                    return Err(Fail::Error(
                        format!(
                            "argument of {units} must be type bigint, not type {}",
                            self.schema.types.display(t.ty)
                        ),
                        None,
                    )
                    .at(sqlparser::ast::Spanned::span(offset)));
                }
                self.coerce(&mut t, oid::INT8)?;
                // checkExprIsVarFree: no column of this level (an outer one is a constant here).
                if has_level_variable(scope, offset) {
                    return Err(Fail::Error(
                        format!("argument of {units} must not contain variables"),
                        None,
                    )
                    .at(sqlparser::ast::Spanned::span(offset)));
                }
            }
        }
        Ok(())
    }

    /// A grouping or sorting expression: an unknown result is text (`addTargetToSortList`).
    pub(super) fn sort_expr(&mut self, scope: &Scope, e: &Expr) -> Res<()> {
        let mut t = self.expr(scope, e)?;
        self.resolve_unknown(&mut t)
    }
}

/// The inline window specifications of `exprs`, outside subqueries (copies: the visitor's
/// references do not outlive the visit).
fn specs(exprs: &[&Expr]) -> Vec<WindowSpec> {
    struct Finder {
        depth: usize,
        found: Vec<WindowSpec>,
    }
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if let (Expr::Function(f), 0) = (e, self.depth)
                && let Some(WindowType::WindowSpec(spec)) = &f.over
            {
                self.found.push(spec.clone());
            }
            ControlFlow::Continue(())
        }
    }
    let mut v = Finder {
        depth: 0,
        found: Vec::new(),
    };
    for e in exprs {
        let _ = e.visit(&mut v);
    }
    v.found
}

/// Whether `e` reads a column of the query level `scope` is (not an enclosing one's).
fn has_level_variable(scope: &Scope, e: &Expr) -> bool {
    struct Finder<'a, 's> {
        scope: &'a Scope<'s>,
        depth: usize,
    }
    impl Visitor for Finder<'_, '_> {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            let found = match (e, self.depth) {
                (Expr::Identifier(i), 0) => self.scope.column(None, &fold(i)),
                (Expr::CompoundIdentifier(parts), 0) => match parts.as_slice() {
                    [.., rel, col] => self.scope.column(Some(&fold(rel)), &fold(col)),
                    _ => return ControlFlow::Continue(()),
                },
                _ => return ControlFlow::Continue(()),
            };
            match found {
                Ok((_, false)) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    e.visit(&mut Finder { scope, depth: 0 }).is_break()
}
