//! Inline window definitions (`OVER (PARTITION BY ... ORDER BY ... ROWS ...)`), as
//! `transformWindowDefinitions` analyses them once the rest of the query level is: partition
//! and sort expressions typed in the level's scope, an unknown one (a parameter, a literal)
//! taken as text as PostgreSQL's grouping and sorting do; a ROWS or GROUPS offset is a bigint
//! (`coerce_to_specific_type`: an assignment coercion).

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, WindowFrameBound, WindowFrameUnits, WindowSpec, WindowType};

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
    let mut found = Vec::new();
    let _ = super::level::visit_level::<()>(exprs, |e| {
        if let Expr::Function(f) = e
            && let Some(WindowType::WindowSpec(spec)) = &f.over
        {
            found.push(spec.clone());
        }
        ControlFlow::Continue(())
    });
    found
}

/// Whether `e` reads a column of the query level `scope` is (not an enclosing one's).
fn has_level_variable(scope: &Scope, e: &Expr) -> bool {
    super::level::visit_level(&[e], |e| {
        let found = match e {
            Expr::Identifier(i) => scope.column(None, &fold(i)),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [.., rel, col] => scope.column(Some(&fold(rel)), &fold(col)),
                _ => return ControlFlow::Continue(()),
            },
            _ => return ControlFlow::Continue(()),
        };
        match found {
            Ok((_, 0)) => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    })
    .is_break()
}
