//! `LIKE` / `ILIKE` as PostgreSQL's grammar rewrites them: `a LIKE b` is the operator `~~`
//! (`!~~`, `~~*`, `!~~*` for the other forms), `a LIKE b ESCAPE e` is `a ~~ like_escape(b, e)`,
//! and `a LIKE ANY|ALL (x)` is the `subquery_Op` form `a ~~ ANY|ALL (x)` (array or subquery).

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, ObjectNamePart};

use super::expr::{Cx, Typed};
use super::scope::Scope;
use super::{Fail, Res};

impl Cx<'_> {
    /// `expr [NOT] [I]LIKE [ANY|ALL] pattern [ESCAPE escape]`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn like(
        &mut self,
        scope: &Scope,
        ilike: bool,
        negated: bool,
        any: bool,
        expr: &Expr,
        pattern: &Expr,
        escape: Option<&Expr>,
    ) -> Res<Typed> {
        let name = match (ilike, negated) {
            (false, false) => "~~",
            (false, true) => "!~~",
            (true, false) => "~~*",
            (true, true) => "!~~*",
        };
        // sqlparser reads `LIKE ALL (x)` as a call of a function `all`: ALL is reserved, so
        // an unquoted `all(...)` can only be the quantifier.
        let all = if any { None } else { quantified_all(pattern) };
        if any || all.is_some() {
            // The grammar's `subquery_Op` form has no ESCAPE: the escape is unexpected.
            if let Some(e) = escape {
                let shown = e.to_string();
                let token = shown.split_whitespace().next().unwrap_or_default();
                return Err(
                    Fail::Error(format!("syntax error at or near \"{token}\""), None)
                        .at(sqlparser::ast::Spanned::span(e)),
                );
            }
            let operand = match all {
                Some(operand) => operand,
                // The parentheses of `ANY (...)`: one level (`ANY ((SELECT a))` is an array).
                None => match pattern {
                    Expr::Nested(inner) => (**inner).clone(),
                    other => other.clone(),
                },
            };
            return self.any_all(scope, name, expr, &operand);
        }
        let Some(escape) = escape else {
            let t = self.binary(scope, name, expr, pattern)?;
            return Ok(Typed::value(t.ty, t.nullable));
        };
        let mut l = self.expr(scope, expr)?;
        let p = self.expr(scope, pattern)?;
        let e = self.expr(scope, escape)?;
        // The grammar calls pg_catalog.like_escape, and PostgreSQL names it so.
        let mut r = self
            .call_builtin("like_escape", vec![p, e], false)
            .map_err(|f| match f {
                Fail::Error(m, help) => Fail::Error(
                    m.replacen(
                        "function like_escape(",
                        "function pg_catalog.like_escape(",
                        1,
                    ),
                    help,
                ),
                other => other,
            })
            .map_err(|f| f.at(sqlparser::ast::Spanned::span(escape)))?;
        let t = self
            .apply_operator(scope, name, Some(&mut l), &mut r)
            .map_err(|f| f.after(sqlparser::ast::Spanned::span(expr)))?;
        Ok(Typed::value(t.ty, t.nullable))
    }
}

/// The operand of `ALL (x)` as sqlparser reads it (a call of `all`, unquoted): the array
/// expression, or the subquery.
fn quantified_all(pattern: &Expr) -> Option<Expr> {
    let Expr::Function(f) = pattern else {
        return None;
    };
    let [ObjectNamePart::Identifier(name)] = f.name.0.as_slice() else {
        return None;
    };
    if name.quote_style.is_some()
        || !name.value.eq_ignore_ascii_case("all")
        || f.over.is_some()
        || f.filter.is_some()
        || !f.within_group.is_empty()
    {
        return None;
    }
    match &f.args {
        FunctionArguments::Subquery(q) => Some(Expr::Subquery(q.clone())),
        FunctionArguments::List(list)
            if list.clauses.is_empty() && list.duplicate_treatment.is_none() =>
        {
            match list.args.as_slice() {
                [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] => Some(e.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}
