//! Walking the expressions of one query level: a subquery is a level of its own, so what it
//! contains is passed over.

use std::marker::PhantomData;
use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Query, Visit, Visitor};

/// Calls `f` on every expression of `exprs` (nested ones included) outside subqueries, in
/// order, until it breaks.
pub(super) fn visit_level<B>(
    exprs: &[&Expr],
    f: impl FnMut(&Expr) -> ControlFlow<B>,
) -> ControlFlow<B> {
    struct Level<F, B> {
        depth: usize,
        f: F,
        broke: PhantomData<B>,
    }
    impl<B, F: FnMut(&Expr) -> ControlFlow<B>> Visitor for Level<F, B> {
        type Break = B;
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<B> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<B> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<B> {
            if self.depth == 0 {
                (self.f)(e)
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut level = Level {
        depth: 0,
        f,
        broke: PhantomData,
    };
    for e in exprs {
        e.visit(&mut level)?;
    }
    ControlFlow::Continue(())
}
