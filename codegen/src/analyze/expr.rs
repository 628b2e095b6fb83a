//! Expression typing: PostgreSQL's `transformExpr` for the constructs the analyzer supports,
//! with each value's nullability and the output column name PostgreSQL gives it
//! (`FigureColname`). Parameters get their types from context as PostgreSQL's variable
//! parameters do: the first coercion of an unknown `$n` fixes its type.

use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, DataType, Expr, Function, Ident, ObjectName, ObjectNamePart,
    UnaryOperator, Value,
};

use super::nullability::{self};
use super::resolve::{self, Ctx, common_type, operator};
use super::rows::row_items;
use super::scope::Scope;
use super::{Fail, Res, Schema, error, unsupported};
use crate::builtins::oid;

/// What kind of node a typed value is, as far as coercion cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `$n` (0-based).
    Param(usize),
    /// An untyped literal (`'text'`, `NULL`).
    Literal,
    Other,
}

/// A typed expression.
#[derive(Debug, Clone)]
pub struct Typed {
    pub ty: u32,
    pub nullable: bool,
    pub kind: Kind,
    /// `FigureColname`: the name and its strength (2 strong, 1 weak, 0 none).
    pub name: Option<String>,
    pub strength: u8,
    pub origin: Option<(String, String)>,
    /// An array none of whose elements can be NULL (see `nullability::elements_non_null`);
    /// `false` (may hold NULLs) unless a rule proves it.
    pub elements_non_null: bool,
    /// An untyped string literal's text and position, read by the input function of the
    /// type it is coerced to.
    pub literal: Option<Box<(String, sqlparser::tokenizer::Span)>>,
}

impl Typed {
    pub fn value(ty: u32, nullable: bool) -> Typed {
        Typed {
            ty,
            nullable,
            kind: Kind::Other,
            name: None,
            strength: 0,
            origin: None,
            elements_non_null: false,
            literal: None,
        }
    }

    pub(super) fn named(mut self, name: &str, strength: u8) -> Typed {
        self.name = Some(name.to_string());
        self.strength = strength;
        self
    }

    /// The output column name (`?column?` when PostgreSQL figures none).
    pub fn column_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| "?column?".into())
    }
}

/// One statement's analysis state.
pub struct Cx<'s> {
    pub schema: &'s Schema,
    pub params: Vec<Option<u32>>,
    /// The current query level has GROUP BY (every group has at least one row).
    pub grouped: bool,
    /// An aggregate was seen at the current query level.
    pub saw_aggregate: bool,
    /// The current query level groups by GROUPING SETS / ROLLUP / CUBE: a row of a set that
    /// leaves a grouping column out has NULL there, so column references read as nullable.
    pub grouping_sets: bool,
    /// Resolving a function in FROM (where record results with OUT columns are rows).
    pub(super) in_from: bool,
    /// Whether `$n` may be NULL: only `sqlc.narg` parameters are bound from an `Option`.
    pub param_nullable: Vec<bool>,
    /// The statement's text, for what the parser's tree leaves out (see `conflict`).
    pub sql: &'s str,
    /// Resolving the procedure of a CALL (only procedures may be called there).
    pub calling_procedure: bool,
    /// The current query level's clause, aggregates and window functions.
    pub level: super::clauses::Level,
    /// The last function resolved was an aggregate.
    pub(super) last_call_aggregate: bool,
}

/// The SQL value functions: reserved keywords (so never column names unless quoted), also
/// accepted as FROM items (`FROM CURRENT_DATE`).
pub(crate) const SQL_VALUE_FUNCTIONS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_role",
    "current_user",
    "user",
    "session_user",
    "current_catalog",
    "current_schema",
];

/// An identifier as PostgreSQL stores it: unquoted ones folded to lower case.
pub fn fold(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The parts of an object name, folded.
pub fn name_parts(name: &ObjectName) -> Res<Vec<String>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Ok(fold(i)),
            other => unsupported(format!("the name part {other}")),
        })
        .collect()
}

fn op_name(op: &BinaryOperator) -> Res<String> {
    Ok(match op {
        BinaryOperator::PGCustomBinaryOperator(parts) => match parts.as_slice() {
            [op] => op.clone(),
            [schema, op] if schema == "pg_catalog" => op.clone(),
            _ => return unsupported("OPERATOR(schema.op) outside pg_catalog"),
        },
        BinaryOperator::Custom(s) => s.clone(),
        other => other.to_string(),
    })
}

impl<'s> Cx<'s> {
    pub fn new(schema: &'s Schema, nparams: usize) -> Self {
        Cx {
            schema,
            params: vec![None; nparams],
            grouped: false,
            saw_aggregate: false,
            grouping_sets: false,
            in_from: false,
            param_nullable: Vec::new(),
            sql: "",
            calling_procedure: false,
            level: Default::default(),
            last_call_aggregate: false,
        }
    }

    pub(super) fn types(&self) -> &super::Types {
        &self.schema.types
    }

    /// Resolves a written type name.
    pub fn type_of(&self, data_type: &DataType) -> Res<u32> {
        let spelled = data_type.to_string();
        self.types()
            .resolve_name(&spelled, &self.schema.search_path)
            .ok_or_else(|| Fail::Error(format!("type \"{spelled}\" does not exist"), None))
    }

    /// `coerce_type` of a value to `target` (the check that it may is the caller's): an
    /// unknown parameter takes the type.
    pub fn coerce(&mut self, e: &mut Typed, target: u32) -> Res<()> {
        if target == oid::ANY || resolve::is_polymorphic(target) {
            return Ok(());
        }
        if e.ty == oid::UNKNOWN
            && let Kind::Param(n) = e.kind
        {
            self.set_param(n, target)?;
        }
        if e.ty == oid::UNKNOWN
            && e.kind == Kind::Literal
            && let Some(literal) = &e.literal
            && let Some((message, help)) = super::literal::invalid(
                &literal.0,
                target,
                self.schema.enum_labels(target),
                &self.types().display(target),
            )
        {
            return Err(Fail::Error(message, help).at(literal.1));
        }
        if e.ty != target {
            e.ty = target;
            if e.kind == Kind::Literal {
                e.kind = Kind::Other;
            }
        }
        Ok(())
    }

    pub(super) fn set_param(&mut self, n: usize, ty: u32) -> Res<()> {
        if self.params.len() <= n {
            self.params.resize(n + 1, None);
        }
        match self.params[n] {
            Some(t) if t != ty => error(format!(
                "inconsistent types deduced for parameter ${}: {} versus {}",
                n + 1,
                self.types().display(t),
                self.types().display(ty)
            )),
            _ => {
                self.params[n] = Some(ty);
                Ok(())
            }
        }
    }

    /// Assignment of `e` to a column of type `target` (INSERT, UPDATE SET).
    pub fn assign(&mut self, e: &mut Typed, target: u32) -> Res<()> {
        if e.ty != oid::UNKNOWN && !resolve::can_cast(self.types(), e.ty, target, Ctx::Assignment) {
            return error(format!(
                "column is of type {} but expression is of type {}",
                self.types().display(target),
                self.types().display(e.ty)
            ));
        }
        self.coerce(e, target)
    }

    /// An unknown value where a type must be decided (a SELECT list): text.
    pub fn resolve_unknown(&mut self, e: &mut Typed) -> Res<()> {
        if e.ty == oid::UNKNOWN {
            self.coerce(e, oid::TEXT)?;
        }
        Ok(())
    }

    /// A boolean condition (WHERE, ON, HAVING, AND/OR operands).
    pub fn condition(&mut self, scope: &Scope, e: &Expr) -> Res<Typed> {
        let mut t = self.expr(scope, e)?;
        if t.ty != oid::BOOL && t.ty != oid::UNKNOWN {
            return error(format!(
                "argument of WHERE must be type boolean, not type {}",
                self.types().display(t.ty)
            ));
        }
        self.coerce(&mut t, oid::BOOL)?;
        Ok(t)
    }

    /// Types an expression.
    pub fn expr(&mut self, scope: &Scope, e: &Expr) -> Res<Typed> {
        match e {
            Expr::Identifier(ident)
                if ident.quote_style.is_none()
                    && SQL_VALUE_FUNCTIONS.contains(&fold(ident).as_str()) =>
            {
                self.sql_value_function(&fold(ident))
            }
            Expr::Identifier(ident) => self.column(scope, None, ident),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [rel, col] => self.column(scope, Some(&fold(rel)), col),
                [_schema, rel, col] => self.column(scope, Some(&fold(rel)), col),
                _ => unsupported(format!("the column reference {e}")),
            },
            Expr::Value(v) => {
                let mut t = self.literal(&v.value, false)?;
                if let Value::SingleQuotedString(text) = &v.value {
                    t.literal = Some(Box::new((text.clone(), v.span)));
                }
                Ok(t)
            }
            Expr::Nested(inner) => self.expr(scope, inner),
            Expr::Cast {
                expr, data_type, ..
            } => (self.cast(scope, expr, data_type))
                .and_then(|t| super::row_cast::check(self, e, expr, t)),
            Expr::TypedString(ts) => {
                let ty = self.type_of(&ts.data_type)?;
                Ok(Typed::value(ty, false).named(&cast_name(self, &ts.data_type, ty), 1))
            }
            Expr::Interval(_) => Ok(Typed::value(oid::INTERVAL, false).named("interval", 1)),
            Expr::UnaryOp { op, expr } => self.unary(scope, op, expr),
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And | BinaryOperator::Or => {
                    let l = self.condition(scope, left)?;
                    let r = self.condition(scope, right)?;
                    Ok(Typed::value(oid::BOOL, l.nullable || r.nullable))
                }
                _ => {
                    let name = op_name(op)?;
                    if let (Some(ls), Some(rs)) = (row_items(left), row_items(right)) {
                        return self.row_comparison(scope, &name, &ls, &rs);
                    }
                    if let (Some(ls), Expr::Subquery(q)) = (row_items(left), &**right) {
                        return self.row_compare_subquery(scope, &name, &ls, q);
                    }
                    self.binary(scope, &name, left, right)
                }
            },
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                self.expr(scope, inner)?;
                Ok(Typed::value(oid::BOOL, false))
            }
            Expr::IsTrue(inner)
            | Expr::IsNotTrue(inner)
            | Expr::IsFalse(inner)
            | Expr::IsNotFalse(inner)
            | Expr::IsUnknown(inner)
            | Expr::IsNotUnknown(inner) => {
                self.condition(scope, inner)?;
                Ok(Typed::value(oid::BOOL, false))
            }
            Expr::IsDistinctFrom(l, r) | Expr::IsNotDistinctFrom(l, r) => {
                // Two row constructors compare field by field (make_row_distinct_op).
                if let (Some(ls), Some(rs)) = (row_items(l), row_items(r)) {
                    self.row_comparison(scope, "=", &ls, &rs)?;
                } else {
                    self.binary(scope, "=", l, r)?;
                }
                Ok(Typed::value(oid::BOOL, false))
            }
            // A row constructor `(a, b)`: a `record`, never NULL itself.
            Expr::Tuple(items) => {
                for item in items {
                    self.row_item(scope, item)?;
                }
                Ok(Typed::value(oid::RECORD, false).named("row", 2))
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                let a = self.binary(scope, ">=", expr, low)?;
                let b = self.binary(scope, "<=", expr, high)?;
                Ok(Typed::value(oid::BOOL, a.nullable || b.nullable))
            }
            Expr::Like {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(
                scope,
                false,
                *negated,
                *any,
                expr,
                pattern,
                escape_char.as_deref(),
            ),
            Expr::ILike {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(
                scope,
                true,
                *negated,
                *any,
                expr,
                pattern,
                escape_char.as_deref(),
            ),
            Expr::InList { expr, list, .. } => self.in_list(scope, expr, list),
            Expr::InSubquery { expr, subquery, .. } => {
                // A row `(a, b) IN (SELECT x, y ...)` compares column by column.
                let lefts: Vec<&Expr> = match row_items(expr) {
                    Some(items) => items,
                    None => vec![&**expr],
                };
                let mut ls = Vec::new();
                for e in &lefts {
                    ls.push(self.expr(scope, e)?);
                }
                let cols = super::statement::subquery(self, scope, subquery)?;
                if cols.len() != ls.len() {
                    return error(if cols.len() > ls.len() {
                        "subquery has too many columns"
                    } else {
                        "subquery has too few columns"
                    });
                }
                let mut nullable = false;
                for (l, c) in ls.iter_mut().zip(&cols) {
                    let mut r = Typed::value(c.ty, c.nullable);
                    let t = self.apply_operator(scope, "=", Some(l), &mut r)?;
                    if t.ty != oid::BOOL {
                        return error("operator of IN must yield boolean");
                    }
                    nullable |= t.nullable;
                }
                Ok(Typed::value(oid::BOOL, nullable))
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | Expr::AllOp {
                left,
                compare_op,
                right,
            } => {
                let name = op_name(compare_op)?;
                self.any_all(scope, &name, left, right)
            }
            Expr::Exists { subquery, negated } => {
                super::statement::subquery(self, scope, subquery)?;
                let t = Typed::value(oid::BOOL, false);
                // `NOT EXISTS (...)` is a BoolExpr over the sublink: no name (`?column?`).
                Ok(if *negated { t } else { t.named("exists", 2) })
            }
            Expr::Subquery(query) => {
                let cols = super::statement::subquery(self, scope, query)?;
                let [c] = cols.as_slice() else {
                    return error("subquery must return only one column");
                };
                Ok(Typed::value(c.ty, true).named(&c.name, 2))
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(
                scope,
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
            ),
            Expr::Function(f) => self.function(scope, f),
            Expr::Array(array) => self
                .array(scope, &array.elem, None)
                .map_err(|f| f.at(sqlparser::ast::Spanned::span(e))),
            Expr::Extract { expr, .. } => {
                let mut field = Typed::value(oid::UNKNOWN, false);
                field.kind = Kind::Literal;
                let arg = self.expr(scope, expr)?;
                let t = self.call_builtin("extract", vec![field, arg], false)?;
                Ok(t.named("extract", 2))
            }
            Expr::Ceil {
                expr,
                field: CeilFloorKind::DateTimeField(sqlparser::ast::DateTimeField::NoDateTime),
            } => {
                let arg = self.expr(scope, expr)?;
                Ok(self
                    .call_builtin("ceil", vec![arg], false)?
                    .named("ceil", 2))
            }
            Expr::Floor {
                expr,
                field: CeilFloorKind::DateTimeField(sqlparser::ast::DateTimeField::NoDateTime),
            } => {
                let arg = self.expr(scope, expr)?;
                Ok(self
                    .call_builtin("floor", vec![arg], false)?
                    .named("floor", 2))
            }
            Expr::Position { expr, r#in } => {
                let a = self.expr(scope, r#in)?;
                let b = self.expr(scope, expr)?;
                Ok(self
                    .call_builtin("position", vec![a, b], false)?
                    .named("position", 2))
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(scope, expr)?];
                match (substring_from, substring_for) {
                    (Some(f), Some(n)) => {
                        args.push(self.expr(scope, f)?);
                        args.push(self.expr(scope, n)?);
                    }
                    (Some(f), None) => args.push(self.expr(scope, f)?),
                    _ => return unsupported("SUBSTRING without FROM"),
                }
                Ok(self
                    .call_builtin("substring", args, false)?
                    .named("substring", 2))
            }
            // The grammar turns TRIM into btrim/ltrim/rtrim(string [, characters]).
            Expr::Trim {
                expr,
                trim_where,
                trim_what,
                trim_characters: None,
            } => {
                let name = match trim_where {
                    None | Some(sqlparser::ast::TrimWhereField::Both) => "btrim",
                    Some(sqlparser::ast::TrimWhereField::Leading) => "ltrim",
                    Some(sqlparser::ast::TrimWhereField::Trailing) => "rtrim",
                };
                let mut args = vec![self.expr(scope, expr)?];
                if let Some(what) = trim_what {
                    args.push(self.expr(scope, what)?);
                }
                Ok(self.call_builtin(name, args, false)?.named(name, 2))
            }
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                let z = self.expr(scope, time_zone)?;
                let t = self.expr(scope, timestamp)?;
                Ok(self
                    .call_builtin("timezone", vec![z, t], false)?
                    .named("timezone", 2))
            }
            Expr::Collate { expr, .. } => self.expr(scope, expr),
            Expr::CompoundFieldAccess { root, access_chain } => {
                self.field_access(scope, root, access_chain)
            }
            other => unsupported(format!("the expression `{other}`")),
        }
    }

    pub(super) fn column(&mut self, scope: &Scope, rel: Option<&str>, ident: &Ident) -> Res<Typed> {
        let name = fold(ident);
        let (c, _) = match scope.column(rel, &name) {
            Ok(found) => {
                self.level.column_ref(found.1);
                found
            }
            Err(e) => {
                // Not a column (an ambiguous one stays an error): a FROM item's name is a
                // whole-row reference.
                let ambiguous = matches!(&e, Fail::Error(m, _) if m.ends_with("is ambiguous"));
                if rel.is_none() && !ambiguous && scope.item(&name).is_some() {
                    return self.whole_row(scope, &name).map_err(|f| f.at(ident.span));
                }
                return Err(e.at(ident.span));
            }
        };
        Ok(Typed {
            ty: c.ty,
            nullable: c.nullable || self.grouping_sets,
            kind: Kind::Other,
            name: Some(c.name.clone()),
            strength: 2,
            origin: c.origin.clone(),
            elements_non_null: c.elements_non_null,
            literal: None,
        })
    }

    pub(super) fn literal(&mut self, v: &Value, negate: bool) -> Res<Typed> {
        Ok(match v {
            Value::Number(s, _) => {
                let s = if negate { format!("-{s}") } else { s.clone() };
                let ty = if s.contains(['.', 'e', 'E']) {
                    oid::NUMERIC
                } else if s.parse::<i32>().is_ok() {
                    oid::INT4
                } else if s.parse::<i64>().is_ok() {
                    oid::INT8
                } else {
                    oid::NUMERIC
                };
                Typed::value(ty, false)
            }
            Value::SingleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::DollarQuotedString(_)
            | Value::NationalStringLiteral(_)
            | Value::UnicodeStringLiteral(_) => {
                let mut t = Typed::value(oid::UNKNOWN, false);
                t.kind = Kind::Literal;
                t
            }
            Value::HexStringLiteral(_) => Typed::value(oid::VARBIT, false),
            // PostgreSQL 15 parses TRUE/FALSE as a boolean A_Const, which names no column
            // (`?column?`; before 15 it was a cast to bool, named `bool`).
            Value::Boolean(_) => Typed::value(oid::BOOL, false),
            Value::Null => {
                let mut t = Typed::value(oid::UNKNOWN, true);
                t.kind = Kind::Literal;
                t
            }
            Value::Placeholder(p) => {
                let n: usize = p
                    .strip_prefix('$')
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or_else(|| Fail::Unsupported(format!("the placeholder {p}")))?;
                if self.params.len() < n {
                    self.params.resize(n, None);
                }
                let nullable = self.param_nullable.get(n - 1).copied().unwrap_or(true);
                let mut t = Typed::value(self.params[n - 1].unwrap_or(oid::UNKNOWN), nullable);
                t.kind = Kind::Param(n - 1);
                t
            }
            other => return unsupported(format!("the literal {other}")),
        })
    }

    /// `ARRAY[...]` (`transformArrayExpr`): with the array type a cast right above it gives
    /// (`target`: the array type and its element type), each element is cast to the element
    /// type explicitly, and an empty `ARRAY[]` has that type; without one, the elements'
    /// common type decides, and an empty `ARRAY[]` has no type.
    pub(super) fn array(
        &mut self,
        scope: &Scope,
        elements: &[Expr],
        target: Option<(u32, u32)>,
    ) -> Res<Typed> {
        let mut elems = Vec::new();
        for el in elements {
            if matches!(el, Expr::Array(_)) {
                return unsupported("multidimensional ARRAY[...]");
            }
            elems.push(self.expr(scope, el)?);
        }
        let arr = match target {
            Some((arr, elem)) => {
                for (e, el) in elems.iter_mut().zip(elements) {
                    self.explicit_cast(e, elem)
                        .map_err(|f| f.at(sqlparser::ast::Spanned::span(el)))?;
                }
                arr
            }
            None => {
                if elems.is_empty() {
                    return Err(Fail::Error(
                        "cannot determine type of empty array".into(),
                        Some(
                            "Explicitly cast to the desired type, for example ARRAY[]::integer[]."
                                .into(),
                        ),
                    ));
                }
                let ty = self.common(&mut elems, "ARRAY")?;
                self.types().array_of(ty).ok_or_else(|| {
                    Fail::Error(
                        format!(
                            "could not find array type for data type {}",
                            self.types().display(ty)
                        ),
                        None,
                    )
                })?
            }
        };
        let mut t = Typed::value(arr, false).named("array", 2);
        t.elements_non_null = nullability::array_elements_non_null(&elems, |ty| {
            self.types().element_of(ty).is_some()
        });
        Ok(t)
    }

    /// `expr::type` of a typed value (`coerce_to_target_type` with `COERCION_EXPLICIT`).
    pub(super) fn explicit_cast(&mut self, t: &mut Typed, target: u32) -> Res<()> {
        let castable = resolve::can_cast(self.types(), t.ty, target, Ctx::Explicit)
            || (self.types().is_enum(target) && t.ty == oid::UNKNOWN);
        if !castable {
            if t.ty >= 0x4000_0000 || target >= 0x4000_0000 {
                return unsupported("casts between schema-defined types");
            }
            return error(format!(
                "cannot cast type {} to {}",
                self.types().display(t.ty),
                self.types().display(target)
            ));
        }
        // Only an array cast to an array keeps its elements (a text's are whatever it spells).
        if self.types().element_of(t.ty).is_none() {
            t.elements_non_null = false;
        }
        self.coerce(t, target)?;
        t.ty = target;
        t.kind = Kind::Other;
        t.origin = None;
        Ok(())
    }

    pub(super) fn cast(&mut self, scope: &Scope, inner: &Expr, data_type: &DataType) -> Res<Typed> {
        let target = self.type_of(data_type)?;
        // transformTypeCast: an `ARRAY[...]` right below a cast to an array type (parentheses
        // make no node) is typed with it.
        let mut subject = inner;
        while let Expr::Nested(e) = subject {
            subject = e;
        }
        let mut t = match (subject, self.types().element_of(target)) {
            (Expr::Array(array), Some(elem)) => {
                self.array(scope, &array.elem, Some((target, elem)))?
            }
            _ => self.expr(scope, inner)?,
        };
        self.explicit_cast(&mut t, target)?;
        if t.strength <= 1 {
            let name = cast_name(self, data_type, target);
            t = t.named(&name, 1);
        }
        Ok(t)
    }

    pub(super) fn unary(&mut self, scope: &Scope, op: &UnaryOperator, inner: &Expr) -> Res<Typed> {
        if let (UnaryOperator::Minus, Expr::Value(v)) = (op, inner)
            && matches!(v.value, Value::Number(..))
        {
            return self.literal(&v.value, true);
        }
        let name = match op {
            UnaryOperator::Not => {
                let t = self.condition(scope, inner)?;
                return Ok(Typed::value(oid::BOOL, t.nullable));
            }
            UnaryOperator::Minus => "-",
            UnaryOperator::Plus => "+",
            UnaryOperator::BitwiseNot => "~",
            UnaryOperator::PGSquareRoot => "|/",
            UnaryOperator::PGCubeRoot => "||/",
            UnaryOperator::PGAbs => "@",
            other => return unsupported(format!("the prefix operator {other}")),
        };
        let mut r = self.expr(scope, inner)?;
        let t = self.apply_operator(scope, name, None, &mut r)?;
        Ok(t)
    }

    /// `(a, b) op (SELECT x, y)` (a ROWCOMPARE sublink): each pair resolved with `op`, which
    /// must yield boolean; NULL when the subquery returns no row.
    pub(super) fn row_compare_subquery(
        &mut self,
        scope: &Scope,
        name: &str,
        ls: &[&Expr],
        q: &sqlparser::ast::Query,
    ) -> Res<Typed> {
        if !matches!(name, "=" | "<>" | "<" | "<=" | ">" | ">=") {
            return unsupported(format!("the row operator {name}"));
        }
        let mut lefts = Vec::new();
        for e in ls {
            lefts.push(self.expr(scope, e)?);
        }
        let cols = super::statement::subquery(self, scope, q)?;
        if cols.len() > lefts.len() {
            return error("subquery has too many columns");
        }
        if cols.len() < lefts.len() {
            return error("subquery has too few columns");
        }
        for (l, c) in lefts.iter_mut().zip(&cols) {
            let mut r = Typed::value(c.ty, c.nullable);
            let t = self.apply_operator(scope, name, Some(l), &mut r)?;
            if t.ty != oid::BOOL {
                return error(format!(
                    "row comparison operator must yield type boolean, not type {}",
                    self.types().display(t.ty)
                ));
            }
        }
        Ok(Typed::value(oid::BOOL, true))
    }

    /// `(a, b) op (c, d)`: each pair resolved with `op` (which must yield boolean).
    pub(super) fn row_comparison(
        &mut self,
        scope: &Scope,
        name: &str,
        ls: &[&Expr],
        rs: &[&Expr],
    ) -> Res<Typed> {
        if !matches!(name, "=" | "<>" | "<" | "<=" | ">" | ">=") {
            return unsupported(format!("the row operator {name}"));
        }
        if ls.len() != rs.len() {
            return error("unequal number of entries in row expressions");
        }
        let mut nullable = false;
        for (l, r) in ls.iter().zip(rs) {
            let t = self.binary(scope, name, l, r)?;
            if t.ty != oid::BOOL {
                return error(format!(
                    "row comparison operator must yield type boolean, not type {}",
                    self.types().display(t.ty)
                ));
            }
            nullable |= t.nullable;
        }
        Ok(Typed::value(oid::BOOL, nullable))
    }

    pub(super) fn binary(
        &mut self,
        scope: &Scope,
        name: &str,
        left: &Expr,
        right: &Expr,
    ) -> Res<Typed> {
        let mut l = self.expr(scope, left)?;
        let mut r = self.expr(scope, right)?;
        // A resolution failure points at the operator: the first token after the left operand.
        self.apply_operator(scope, name, Some(&mut l), &mut r)
            .map_err(|f| f.after(sqlparser::ast::Spanned::span(left)))
    }

    /// Resolves `l op r` (or `op r`) and coerces the operands.
    pub(super) fn apply_operator(
        &mut self,
        _scope: &Scope,
        name: &str,
        l: Option<&mut Typed>,
        r: &mut Typed,
    ) -> Res<Typed> {
        let op = operator(self.types(), name, l.as_ref().map(|l| l.ty), r.ty)?;
        let mut nullable = vec![];
        let mut args = op.args.iter();
        if let Some(l) = l {
            self.coerce(l, *args.next().unwrap_or(&l.ty))?;
            nullable.push(l.nullable);
        }
        self.coerce(r, *args.next().unwrap_or(&r.ty))?;
        nullable.push(r.nullable);
        let code = self.types().builtins.function_by_oid(op.code);
        Ok(Typed::value(
            op.result,
            nullability::operator_nullable(code, &nullable),
        ))
    }

    pub(super) fn any_all(
        &mut self,
        scope: &Scope,
        name: &str,
        left: &Expr,
        right: &Expr,
    ) -> Res<Typed> {
        if let Expr::Subquery(q) = right {
            // transformSubLink: a row constructor on the left is a list of columns, each
            // compared with the subquery's column at its position.
            let ls: Vec<&Expr> = row_items(left).unwrap_or_else(|| vec![left]);
            let mut lefts = Vec::new();
            for e in &ls {
                lefts.push(self.expr(scope, e)?);
            }
            let cols = super::statement::subquery(self, scope, q)?;
            if cols.len() > lefts.len() {
                return error("subquery has too many columns");
            }
            if cols.len() < lefts.len() {
                return error("subquery has too few columns");
            }
            if lefts.len() > 1 && !matches!(name, "=" | "<>" | "<" | "<=" | ">" | ">=") {
                return unsupported(format!("the row operator {name}"));
            }
            for (l, c) in lefts.iter_mut().zip(&cols) {
                let mut r = Typed::value(c.ty, c.nullable);
                let t = self.apply_operator(scope, name, Some(l), &mut r)?;
                if ls.len() > 1 && t.ty != oid::BOOL {
                    return error(format!(
                        "row comparison operator must yield type boolean, not type {}",
                        self.types().display(t.ty)
                    ));
                }
            }
            return Ok(Typed::value(oid::BOOL, true));
        }
        let mut l = self.expr(scope, left)?;
        let mut r = self.expr(scope, right)?;
        let elem = if r.ty == oid::UNKNOWN {
            oid::UNKNOWN
        } else {
            self.types().element_of(r.ty).ok_or_else(|| {
                Fail::Error(
                    "op ANY/ALL (array) requires array on right side".into(),
                    None,
                )
            })?
        };
        let op = operator(self.types(), name, Some(l.ty), elem)?;
        if op.result != oid::BOOL {
            return error("op ANY/ALL (array) requires operator to yield boolean");
        }
        self.coerce(&mut l, op.args[0])?;
        let array = if r.ty != oid::UNKNOWN && resolve::is_polymorphic(op.args[1]) {
            r.ty
        } else {
            self.types()
                .array_of(op.args[1])
                .ok_or_else(|| Fail::Error("could not find array type for ANY/ALL".into(), None))?
        };
        self.coerce(&mut r, array)?;
        // An element may be NULL even in a non-null array.
        Ok(Typed::value(oid::BOOL, true))
    }

    pub(super) fn in_list(&mut self, scope: &Scope, expr: &Expr, list: &[Expr]) -> Res<Typed> {
        if let Some(ls) = row_items(expr) {
            let mut nullable = false;
            for item in list {
                let Some(rs) = row_items(item) else {
                    // transformAExprIn: a non-row item is compared with the row as a whole
                    // (`record = its type`).
                    let mut l = self.expr(scope, expr)?;
                    let mut r = self.expr(scope, item)?;
                    let t = self.apply_operator(scope, "=", Some(&mut l), &mut r)?;
                    nullable |= t.nullable;
                    continue;
                };
                nullable |= self.row_comparison(scope, "=", &ls, &rs)?.nullable;
            }
            return Ok(Typed::value(oid::BOOL, nullable));
        }
        let mut l = self.expr(scope, expr)?;
        let mut items = Vec::new();
        for item in list {
            items.push(self.expr(scope, item)?);
        }
        let mut nullable = l.nullable;
        let mut all: Vec<u32> = vec![l.ty];
        all.extend(items.iter().map(|i| i.ty));
        let common = if items.len() > 1 {
            common_type(self.types(), &all, "IN").ok()
        } else {
            None
        };
        match common {
            Some(c) => {
                let op = operator(self.types(), "=", Some(c), c)?;
                self.coerce(&mut l, op.args[0])?;
                for i in &mut items {
                    self.coerce(i, op.args[1])?;
                    nullable |= i.nullable;
                }
            }
            None => {
                for i in &mut items {
                    let mut lc = l.clone();
                    let t = self.apply_operator(scope, "=", Some(&mut lc), i)?;
                    nullable |= t.nullable;
                }
                if l.ty == oid::UNKNOWN
                    && let Kind::Param(n) = l.kind
                    && let Some(Some(_)) = self.params.get(n)
                {
                    // Typed by the comparisons.
                }
            }
        }
        Ok(Typed::value(oid::BOOL, nullable))
    }

    pub(super) fn case(
        &mut self,
        scope: &Scope,
        operand: Option<&Expr>,
        conditions: &[sqlparser::ast::CaseWhen],
        else_result: Option<&Expr>,
    ) -> Res<Typed> {
        // An unknown operand is taken as text before the WHEN comparisons (transformCaseExpr).
        let operand_t = match operand {
            Some(o) => {
                let mut t = self.expr(scope, o)?;
                self.resolve_unknown(&mut t)?;
                Some(t)
            }
            None => None,
        };
        let mut results = Vec::new();
        // transformCaseExpr: the WHEN clauses in order, then the ELSE.
        for when in conditions {
            match &operand_t {
                Some(o) => {
                    let mut l = o.clone();
                    let mut r = self.expr(scope, &when.condition)?;
                    let t = self.apply_operator(scope, "=", Some(&mut l), &mut r)?;
                    if t.ty != oid::BOOL {
                        return error("CASE/WHEN comparison must yield boolean");
                    }
                }
                None => {
                    self.condition(scope, &when.condition)?;
                }
            }
            results.push(self.expr(scope, &when.result)?);
        }
        let mut default = match else_result {
            Some(e) => self.expr(scope, e)?,
            None => {
                let mut t = Typed::value(oid::UNKNOWN, true);
                t.kind = Kind::Literal;
                t
            }
        };
        let name = default.name.clone().filter(|_| default.strength > 1);
        let mut all = vec![default.clone()];
        all.append(&mut results);
        let ty = self.common(&mut all, "CASE")?;
        default = all[0].clone();
        let nullable = all.iter().any(|t| t.nullable);
        let t = Typed::value(ty, nullable || default.nullable);
        Ok(match name {
            Some(n) => t.named(&n, 2),
            None => t.named("case", 1),
        })
    }

    /// `select_common_type` plus the coercion of every input.
    pub fn common(&mut self, items: &mut [Typed], context: &str) -> Res<u32> {
        let tys: Vec<u32> = items.iter().map(|t| t.ty).collect();
        let ty = common_type(self.types(), &tys, context)?;
        for t in items.iter_mut() {
            self.coerce(t, ty)?;
        }
        Ok(ty)
    }
}

/// `ROW(...)` written as the row constructor keyword (not a quoted function name `"row"`).
pub(super) fn is_row_constructor(f: &Function) -> bool {
    matches!(f.name.0.as_slice(), [ObjectNamePart::Identifier(i)] if i.quote_style.is_none())
        && f.over.is_none()
        && f.filter.is_none()
}

/// The name `FigureColname` gives a cast: the last component of the type name as the grammar
/// produced it (`int4` for `integer`, `timestamptz`, a domain's own name).
pub(super) fn cast_name(cx: &Cx, data_type: &DataType, resolved: u32) -> String {
    let spelled = data_type.to_string();
    let mut base = spelled.trim();
    while let Some(b) = base.strip_suffix("[]") {
        base = b.trim_end();
    }
    let base = base.split('(').next().unwrap_or(base).trim();
    let last = base.rsplit('.').next().unwrap_or(base);
    let folded = match last.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        Some(q) => q.to_string(),
        None => last.to_lowercase(),
    };
    let elem = cx
        .types()
        .element_of(resolved)
        .filter(|_| spelled.trim_end().ends_with(']'))
        .unwrap_or(resolved);
    match cx.types().builtins.type_by_oid(elem) {
        Some(t)
            if cx
                .types()
                .builtins
                .type_by_name(base)
                .is_some_and(|x| x.oid == elem) =>
        {
            t.name.clone()
        }
        _ => folded,
    }
}
