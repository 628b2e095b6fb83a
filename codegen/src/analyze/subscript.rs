//! Container subscripts as `transformContainerSubscripts` / `array_subscript_transform` type
//! them: a run of subscripts is one subscripting operation on an array, each bound coerced to
//! integer; with any slice (`a[1:2]`, `a[:2]`, `a[2:]`) the result is the array type, else
//! the element type. The same for an assignment target (`UPDATE t SET a[$1] = $2`): the value
//! is assigned to the element type (the array type for a slice).
//!
//! sqlparser does not read a subscripted SET target: `parse` drops the subscripts from the
//! tokens, and [`target_subscripts`] reads them back from the SQL at the column's position.

use sqlparser::ast::{AccessExpr, Expr, Subscript};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::expr::{Cx, Typed};
use super::resolve::{self, Ctx};
use super::scope::Scope;
use super::{Fail, Res, error, unsupported};
use crate::builtins::oid;

impl Cx<'_> {
    /// The subscripts `subs` applied to a value of type `container`: the type of the result
    /// (element, or the array for a slice) and whether a bound may be NULL.
    pub(super) fn subscripts(
        &mut self,
        scope: &Scope,
        container: u32,
        subs: &[&Subscript],
    ) -> Res<(u32, bool)> {
        let Some(elem) = self.schema.types.element_of(container) else {
            // Types with a subscript handler of their own (jsonb, point, name, an
            // extension's hstore, a schema's types): not modelled offline.
            let types = &self.schema.types;
            let handler = types.user_name(container).is_some()
                || types
                    .builtins
                    .type_by_oid(container)
                    .is_some_and(|b| b.subscript.is_some_and(|h| h != 0));
            if handler {
                return unsupported(format!("subscripts of type {}", types.display(container)));
            }
            return error(format!(
                "cannot subscript type {} because it does not support subscripting",
                types.display(container)
            ));
        };
        let mut slice = false;
        let mut nullable = false;
        for s in subs {
            let bounds: Vec<&Expr> = match s {
                Subscript::Index { index } => vec![index],
                Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    stride: None,
                } => {
                    slice = true;
                    lower_bound.iter().chain(upper_bound.iter()).collect()
                }
                Subscript::Slice { .. } => return error("syntax error at or near \":\""),
            };
            for b in bounds {
                let mut t = self.expr(scope, b)?;
                if t.ty != oid::UNKNOWN
                    && !resolve::can_cast(&self.schema.types, t.ty, oid::INT4, Ctx::Assignment)
                {
                    return Err(
                        Fail::Error("array subscript must have type integer".into(), None)
                            .at(sqlparser::ast::Spanned::span(b)),
                    );
                }
                self.coerce(&mut t, oid::INT4)?;
                nullable |= t.nullable;
            }
        }
        if subs.len() > 6 {
            return error(format!(
                "number of array dimensions ({}) exceeds the maximum allowed (6)",
                subs.len()
            ));
        }
        Ok((if slice { container } else { elem }, nullable))
    }

    /// `container` subscripted by `subs` (a fetch): an element may be NULL; a slice is NULL
    /// only when the array or a bound is.
    pub(super) fn subscripted(
        &mut self,
        scope: &Scope,
        container: Typed,
        subs: &[&Subscript],
    ) -> Res<Typed> {
        let (ty, bounds_nullable) = self.subscripts(scope, container.ty, subs)?;
        let slice = ty == container.ty;
        Ok(Typed {
            ty,
            nullable: if slice {
                container.nullable || bounds_nullable
            } else {
                true
            },
            kind: super::expr::Kind::Other,
            origin: None,
            ..container
        })
    }
}

/// The subscripts written after the SET target column at `at` (the column name's position),
/// which the tokens given to sqlparser leave out; empty when there are none.
pub(crate) fn target_subscripts(sql: &str, at: Location) -> Res<Vec<Subscript>> {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return Ok(Vec::new());
    };
    let tokens: Vec<TokenWithSpan> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let Some(start) = tokens.iter().position(|t| t.span.start == at) else {
        return Ok(Vec::new());
    };
    // The column name, then bracket groups up to the `=`.
    let mut end = start + 1;
    let mut depth = 0usize;
    while let Some(t) = tokens.get(end) {
        match t.token {
            Token::LBracket => depth += 1,
            Token::RBracket => depth = depth.saturating_sub(1),
            _ if depth == 0 => break,
            _ => {}
        }
        end += 1;
    }
    if end == start + 1 {
        return Ok(Vec::new());
    }
    let mut stream = tokens[start..end].to_vec();
    stream.push(TokenWithSpan::wrap(Token::EOF));
    let parsed = Parser::new(&dialect)
        .with_tokens_with_locations(stream)
        .parse_expr()
        .map_err(|e| {
            Fail::Unsupported(format!(
                "a subscripted SET target the parser (sqlparser) cannot read ({e})"
            ))
        })?;
    let Expr::CompoundFieldAccess { access_chain, .. } = parsed else {
        return unsupported("this subscripted SET target");
    };
    access_chain
        .into_iter()
        .map(|a| match a {
            AccessExpr::Subscript(s) => Ok(s),
            AccessExpr::Dot(_) => unsupported("assignment to a field of a subscripted column"),
        })
        .collect()
}
