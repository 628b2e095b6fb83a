//! `ROW(...)::composite` (parse_coerce.c `coerce_record_to_complex`): a row constructor cast
//! to a composite type must have exactly as many fields as the type has attributes
//! (`cannot cast type record to t`, `Input has too many columns.` / `too few`).

use sqlparser::ast::{CastKind, Expr};
use sqlparser::tokenizer::{Location, Span};

use super::expr::{Cx, Typed};
use super::rows::row_items;
use super::{Fail, Res};

/// Checks the cast `whole` (of `inner`, typed `cast` as its target) and passes `cast` on.
pub(super) fn check(cx: &Cx, whole: &Expr, inner: &Expr, cast: Typed) -> Res<Typed> {
    let mut subject = inner;
    while let Expr::Nested(e) = subject {
        subject = e;
    }
    let (Some(items), Some(fields)) = (row_items(subject), cx.schema.composite_columns(cast.ty))
    else {
        return Ok(cast);
    };
    let detail = match items.len().cmp(&fields.len()) {
        std::cmp::Ordering::Less => "too few",
        std::cmp::Ordering::Greater => "too many",
        std::cmp::Ordering::Equal => return Ok(cast),
    };
    let name = cx.schema.types.display(cast.ty);
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    let fail = Fail::Error(
        format!("cannot cast type record to {name}"),
        Some(format!(
            "Input has {detail} columns: the row has {}, {name} has {} ({})",
            items.len(),
            fields.len(),
            names.join(", ")
        )),
    );
    // (The position of `::`, or of CAST.)
    Err(match whole {
        Expr::Cast {
            kind: CastKind::DoubleColon,
            ..
        } => match double_colon(cx.sql, sqlparser::ast::Spanned::span(inner).end) {
            Some(at) => fail.at(Span::new(at, at)),
            None => fail,
        },
        _ => fail.at(super::grouping::first_span(whole)),
    })
}

/// Where the first `::` after `from` is (the row's closing parentheses before it).
fn double_colon(sql: &str, from: Location) -> Option<Location> {
    if from.line == 0 {
        return None;
    }
    let start = super::sql_offset(sql, from.line, from.column);
    let at = start + sql.get(start..)?.find("::")?;
    let before = &sql[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count() as u64
        + 1;
    Some(Location::new(line, column))
}
