//! Row-level security as a scope: a table whose policies pin its tenant column to the session
//! setting the runtime sets (`SET LOCAL app.tenant_id = ...`) returns one tenant's rows to every
//! role its policies apply to.

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value,
};

use crate::catalog::{Policy, RowSecurity};

/// The policy that scopes a table to one tenant, if one does: row-level security enabled, and
/// either a restrictive policy that pins `column` to `current_setting('<setting>')`, or
/// permissive policies every one of which does (they are OR-ed) — for every command, since
/// the rule covers reads and writes alike.
pub fn policy_scopes(security: &RowSecurity, column: &str, setting: &str) -> Option<String> {
    if !security.enabled {
        return None;
    }
    let pins = |p: &Policy| {
        p.command == "all"
            && p.using
                .as_deref()
                .is_some_and(|sql| pins_column(sql, column, setting))
    };
    if let Some((name, _)) = security
        .policies
        .iter()
        .find(|(_, p)| !p.permissive && pins(p))
    {
        return Some(name.clone());
    }
    let permissive: Vec<(&String, &Policy)> = security
        .policies
        .iter()
        .filter(|(_, p)| p.permissive)
        .collect();
    match permissive.first() {
        Some((name, _)) if permissive.iter().all(|(_, p)| pins(p)) => Some((*name).clone()),
        _ => None,
    }
}

/// Whether a policy expression has a top-level conjunct `column = current_setting('setting')`
/// (either side, casts and parentheses aside; `current_setting(name, true)` too).
fn pins_column(sql: &str, column: &str, setting: &str) -> bool {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(expr) = sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
    else {
        return false;
    };
    let mut stack = vec![&expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Nested(inner) => stack.push(inner),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                stack.push(left);
                stack.push(right);
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } if (is_column(left, column) && is_setting(right, setting))
                || (is_column(right, column) && is_setting(left, setting)) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

fn is_column(e: &Expr, column: &str) -> bool {
    match e {
        Expr::Nested(inner) => is_column(inner, column),
        Expr::Identifier(i) => fold(i) == column,
        Expr::CompoundIdentifier(parts) => parts.last().is_some_and(|i| fold(i) == column),
        _ => false,
    }
}

fn fold(i: &sqlparser::ast::Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

fn is_setting(e: &Expr, setting: &str) -> bool {
    match e {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => is_setting(inner, setting),
        Expr::Function(f) => {
            let name = f.name.0.last().and_then(|p| p.as_ident()).map(fold);
            if name.as_deref() != Some("current_setting") {
                return false;
            }
            let FunctionArguments::List(list) = &f.args else {
                return false;
            };
            match list.args.first() {
                Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => is_literal(e, setting),
                _ => false,
            }
        }
        _ => false,
    }
}

/// `'text'`, or `'text'::text` as `pg_get_expr` prints it.
fn is_literal(e: &Expr, text: &str) -> bool {
    match e {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => is_literal(inner, text),
        Expr::Value(v) => matches!(&v.value, Value::SingleQuotedString(s) if s == text),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_spellings() {
        for sql in [
            "shop_id = current_setting('app.tenant_id')::uuid",
            "(shop_id = (current_setting('app.tenant_id'::text, true))::uuid)",
            "current_setting('app.tenant_id')::uuid = t.shop_id AND true",
        ] {
            assert!(pins_column(sql, "shop_id", "app.tenant_id"), "{sql}");
        }
        for sql in [
            "shop_id = current_setting('app.other')::uuid",
            "shop_id = current_setting('app.tenant_id')::uuid OR true",
            "other = current_setting('app.tenant_id')::uuid",
        ] {
            assert!(!pins_column(sql, "shop_id", "app.tenant_id"), "{sql}");
        }
    }
}
