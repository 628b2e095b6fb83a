//! Row values: whole-row references, field selection (`(x).f`, `(x).*`), and `ROW(...)`
//! constructors with the fields they expand to.

use sqlparser::ast::{
    AccessExpr, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName,
    ObjectNamePart,
};

use super::expr::{Cx, Kind, SQL_VALUE_FUNCTIONS, Typed, fold, is_row_constructor, name_parts};
use super::scope::{Col, Scope};
use super::{Fail, Res, error, unsupported};
use crate::builtins::oid;

impl Cx<'_> {
    /// An item of a row constructor, where `(x).*` stands for `x`'s fields
    /// (`transformExpressionList`).
    pub(super) fn row_item(&mut self, scope: &Scope, e: &Expr) -> Res<()> {
        if let Some((root, chain)) = expansion(e) {
            return self.expand_fields(scope, root, chain).map(|_| ());
        }
        match e {
            Expr::QualifiedWildcard(name, _) => match parenthesized(name) {
                Some(ident) => self
                    .expand_fields(scope, &Expr::Identifier(ident.clone()), &[])
                    .map(|_| ()),
                None => {
                    let parts = name_parts(name)?;
                    let rel = parts.last().map_or("", String::as_str);
                    match scope.item(rel) {
                        Some(_) => Ok(()),
                        None => error(format!("missing FROM-clause entry for table \"{rel}\"")),
                    }
                }
            },
            _ => self.expr(scope, e).map(|_| ()),
        }
    }

    /// `x.f[i].g`: subscripts and field selections applied in turn (`transformIndirection`).
    pub(super) fn field_access(
        &mut self,
        scope: &Scope,
        root: &Expr,
        chain: &[AccessExpr],
    ) -> Res<Typed> {
        let (mut t, mut fields) = match chain.first() {
            Some(AccessExpr::Dot(_)) => self.row_value(scope, root)?,
            _ => (self.expr(scope, root)?, None),
        };
        let mut k = 0;
        while let Some(access) = chain.get(k) {
            k += 1;
            match access {
                AccessExpr::Subscript(first) => {
                    // A run of subscripts is one subscripting operation.
                    let mut subs = vec![first];
                    while let Some(AccessExpr::Subscript(s)) = chain.get(k) {
                        subs.push(s);
                        k += 1;
                    }
                    t = self.subscripted(scope, t, &subs)?;
                    fields = None;
                }
                AccessExpr::Dot(Expr::Identifier(field)) => {
                    if super::parse::is_expansion_star(field) {
                        return error("row expansion via \"*\" is not supported here")
                            .map_err(|f| f.at(field.span));
                    }
                    let name = fold(field);
                    let of_item = fields.is_some();
                    let cols = match fields.take() {
                        Some(cols) => cols,
                        None => self.fields_of(&t, Some(&name))?,
                    };
                    let Some(c) = cols.into_iter().find(|c| c.name == name) else {
                        return Err(Fail::Error(
                            if of_item {
                                format!("column {}.{name} does not exist", t.column_name())
                            } else {
                                format!(
                                    "column \"{name}\" not found in data type {}",
                                    self.types().display(t.ty)
                                )
                            },
                            None,
                        )
                        .at(field.span));
                    };
                    t = Typed {
                        ty: c.ty,
                        nullable: c.nullable,
                        kind: Kind::Other,
                        name: Some(name),
                        strength: 2,
                        origin: c.origin,
                        elements_non_null: c.elements_non_null,
                        literal: None,
                    };
                }
                _ => return unsupported("this field selection"),
            }
        }
        Ok(t)
    }

    /// The value whose fields `(root).f` selects: a whole-row reference to a FROM item (when
    /// `root` names no column), with the item's columns as its fields (their nullability, what
    /// `(t).f` reads being `t.f`), or any other value.
    pub(super) fn row_value(
        &mut self,
        scope: &Scope,
        root: &Expr,
    ) -> Res<(Typed, Option<Vec<Col>>)> {
        let mut inner = root;
        while let Expr::Nested(e) = inner {
            inner = e;
        }
        if let Expr::Identifier(ident) = inner
            && !(ident.quote_style.is_none() && SQL_VALUE_FUNCTIONS.contains(&fold(ident).as_str()))
        {
            let name = fold(ident);
            if let Err(e) = scope.column(None, &name) {
                let ambiguous = matches!(&e, Fail::Error(m, _) if m.ends_with("is ambiguous"));
                return match scope.item(&name) {
                    Some(item) if !ambiguous => {
                        let ty = item.row_type.unwrap_or(oid::RECORD);
                        let t = Typed::value(ty, item.nulled).named(&name, 2);
                        Ok((t, Some(item.cols.clone())))
                    }
                    _ => Err(e.at(ident.span)),
                };
            }
        }
        Ok((self.expr(scope, root)?, None))
    }

    /// The fields of a value of a composite type (each may be NULL). `field`: the one selected
    /// (for PostgreSQL's message when the type is not composite); `None` for `.*`.
    pub(super) fn fields_of(&self, t: &Typed, field: Option<&str>) -> Res<Vec<Col>> {
        if let Some(cols) = self.schema.composite_columns(t.ty) {
            return Ok(cols
                .into_iter()
                .map(|(name, ty)| Col {
                    name,
                    ty,
                    nullable: true,
                    origin: None,
                    elements_non_null: false,
                })
                .collect());
        }
        if t.ty == oid::RECORD {
            return unsupported("the fields of a record value");
        }
        if self.types().is_composite(t.ty) {
            return unsupported(format!(
                "the fields of {} (a system catalog's row type)",
                self.types().display(t.ty)
            ));
        }
        let ty = self.types().display(t.ty);
        error(match field {
            Some(f) => {
                format!("column notation .{f} applied to type {ty}, which is not a composite type")
            }
            None => format!("type {ty} is not composite"),
        })
    }

    /// `(root).*` (`ExpandIndirectionStar`), `chain` the indirection before the `*`: the
    /// fields of the composite value, as columns.
    pub fn expand_fields(
        &mut self,
        scope: &Scope,
        root: &Expr,
        chain: &[AccessExpr],
    ) -> Res<Vec<Typed>> {
        let (t, fields) = if chain.is_empty() {
            self.row_value(scope, root)?
        } else {
            (self.field_access(scope, root, chain)?, None)
        };
        let cols = match fields {
            Some(cols) => cols,
            None => self.fields_of(&t, None)?,
        };
        Ok(cols
            .into_iter()
            .map(|c| Typed {
                ty: c.ty,
                nullable: c.nullable,
                kind: Kind::Other,
                name: Some(c.name),
                strength: 2,
                origin: c.origin,
                elements_non_null: c.elements_non_null,
                literal: None,
            })
            .collect())
    }

    /// A whole-row reference to the FROM item `rel` (`transformWholeRowRef`).
    pub(super) fn whole_row(&mut self, scope: &Scope, rel: &str) -> Res<Typed> {
        let Some(item) = scope.item(rel) else {
            return error(format!("missing FROM-clause entry for table \"{rel}\""));
        };
        let Some(ty) = item.row_type else {
            return unsupported(format!(
                "a whole-row reference to \"{rel}\" (a system catalog's row type)"
            ));
        };
        Ok(Typed::value(ty, item.nulled || self.grouping_sets).named(rel, 2))
    }

    /// `ROW(a, b, t.*)`: a `record`, never NULL itself; `t.*` stands for `t`'s columns.
    pub(super) fn row_constructor(&mut self, scope: &Scope, items: &[FunctionArg]) -> Res<Typed> {
        for a in items {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    self.row_item(scope, e)?;
                }
                FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(rel))
                    if let Some(ident) = parenthesized(rel) =>
                {
                    self.expand_fields(scope, &Expr::Identifier(ident.clone()), &[])?;
                }
                FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(rel)) => {
                    let parts = name_parts(rel)?;
                    let rel = parts.last().map_or("", String::as_str);
                    if scope.item(rel).is_none() {
                        return error(format!("missing FROM-clause entry for table \"{rel}\""));
                    }
                }
                other => return unsupported(format!("the ROW item {other}")),
            }
        }
        Ok(Typed::value(oid::RECORD, false).named("row", 2))
    }
}

/// `(x).*` as the parser reads it (see `parse::parenthesized_wildcards`): the value and the
/// indirection before the `*`.
pub(crate) fn expansion(e: &Expr) -> Option<(&Expr, &[AccessExpr])> {
    let Expr::CompoundFieldAccess { root, access_chain } = e else {
        return None;
    };
    match access_chain.split_last() {
        Some((AccessExpr::Dot(Expr::Identifier(star)), before))
            if super::parse::is_expansion_star(star) =>
        {
            Some((root, before))
        }
        _ => None,
    }
}

/// The name of a `(name).*` the parser rewrote to `name.*` (see
/// `parse::parenthesized_wildcards`).
pub(crate) fn parenthesized(name: &ObjectName) -> Option<&Ident> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] if super::parse::is_parenthesized_name(ident) => {
            Some(ident)
        }
        _ => None,
    }
}

/// The fields of a row constructor, `(a, b)` or `ROW(a, b)` (without `t.*` items).
pub(super) fn row_items(e: &Expr) -> Option<Vec<&Expr>> {
    match e {
        Expr::Tuple(items) => Some(items.iter().collect()),
        Expr::Function(f) if is_row_constructor(f) && name_parts(&f.name).ok()? == ["row"] => {
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            list.args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect()
        }
        _ => None,
    }
}
