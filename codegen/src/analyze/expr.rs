//! Expression typing: PostgreSQL's `transformExpr` for the constructs the analyzer supports,
//! with each value's nullability and the output column name PostgreSQL gives it
//! (`FigureColname`). Parameters get their types from context as PostgreSQL's variable
//! parameters do: the first coercion of an unknown `$n` fixes its type.

use sqlparser::ast::{
    AccessExpr, BinaryOperator, CeilFloorKind, DataType, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArgOperator, FunctionArgumentClause, FunctionArguments, Ident,
    ObjectName, ObjectNamePart, TableAliasColumnDef, UnaryOperator, Value,
};

use super::clauses::Clause;
use super::nullability::{self, NON_NULL_WINDOW_FUNCTIONS};
use super::resolve::{self, Ctx, Pick, common_type, operator};
use super::scope::{Col, Scope};
use super::{Fail, Res, Schema, error, unsupported};
use crate::builtins::{FunctionKind, oid};

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

    fn named(mut self, name: &str, strength: u8) -> Typed {
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
    in_from: bool,
    /// Whether `$n` may be NULL: only `sqlc.narg` parameters are bound from an `Option`.
    pub param_nullable: Vec<bool>,
    /// The statement's text, for what the parser's tree leaves out (see `conflict`).
    pub sql: &'s str,
    /// Resolving the procedure of a CALL (only procedures may be called there).
    pub calling_procedure: bool,
    /// The current query level's clause, aggregates and window functions.
    pub level: super::clauses::Level,
    /// The last function resolved was an aggregate.
    last_call_aggregate: bool,
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

    fn types(&self) -> &super::Types {
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

    fn set_param(&mut self, n: usize, ty: u32) -> Res<()> {
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

    fn column(&mut self, scope: &Scope, rel: Option<&str>, ident: &Ident) -> Res<Typed> {
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

    fn literal(&mut self, v: &Value, negate: bool) -> Res<Typed> {
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
    fn array(
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
    fn explicit_cast(&mut self, t: &mut Typed, target: u32) -> Res<()> {
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

    fn cast(&mut self, scope: &Scope, inner: &Expr, data_type: &DataType) -> Res<Typed> {
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

    fn unary(&mut self, scope: &Scope, op: &UnaryOperator, inner: &Expr) -> Res<Typed> {
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
    fn row_compare_subquery(
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
    fn row_comparison(
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

    fn in_list(&mut self, scope: &Scope, expr: &Expr, list: &[Expr]) -> Res<Typed> {
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

    fn case(
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

    pub(super) fn function(&mut self, scope: &Scope, f: &Function) -> Res<Typed> {
        let span = match f.name.0.first() {
            Some(ObjectNamePart::Identifier(i)) => i.span,
            _ => sqlparser::tokenizer::Span::empty(),
        };
        self.function_inner(scope, f).map_err(|e| e.at(span))
    }

    fn function_inner(&mut self, scope: &Scope, f: &Function) -> Res<Typed> {
        let mark = self.level.mark();
        let span = match f.name.0.first() {
            Some(ObjectNamePart::Identifier(i)) => i.span,
            _ => sqlparser::tokenizer::Span::empty(),
        };
        let parts = name_parts(&f.name)?;
        let name = match parts.as_slice() {
            [n] => n.clone(),
            [s, n] if s == "pg_catalog" => n.clone(),
            [s, n] => format!("{s}.{n}"),
            _ => return unsupported(format!("the function name {}", f.name)),
        };
        if !f.within_group.is_empty() {
            return unsupported("ordered-set aggregates (WITHIN GROUP)");
        }
        let list = match &f.args {
            FunctionArguments::None => return self.sql_value_function(&name),
            FunctionArguments::Subquery(q) => {
                if name == "array" {
                    let cols = super::statement::subquery(self, scope, q)?;
                    let [c] = cols.as_slice() else {
                        return error("subquery must return only one column");
                    };
                    let arr = self.types().array_of(c.ty).ok_or_else(|| {
                        Fail::Unsupported("ARRAY(subquery) of a type without array type".into())
                    })?;
                    let mut t = Typed::value(arr, false).named("array", 2);
                    t.elements_non_null = !c.nullable;
                    return Ok(t);
                }
                return unsupported(format!("{name}(subquery)"));
            }
            FunctionArguments::List(list) => list,
        };
        if name == "row" && is_row_constructor(f) {
            return self.row_constructor(scope, &list.args);
        }
        let mut args = Vec::new();
        let mut argnames: Vec<String> = Vec::new();
        let mut star = false;
        for a in &list.args {
            let (arg_name, value) = split_named_arg(a)?;
            let typed = match value {
                ArgValue::Expr(e) => self.expr(scope, e)?,
                ArgValue::Star => {
                    star = true;
                    continue;
                }
                // `t.*` as an argument is a whole-row reference to `t`.
                ArgValue::Qualified(rel) => {
                    let parts = name_parts(rel)?;
                    self.whole_row(scope, parts.last().map_or("", String::as_str))?
                }
            };
            // ParseFuncOrColumn: named arguments after positional ones, each name once.
            match arg_name {
                Some(n) => {
                    if argnames.contains(&n) {
                        return error(format!("argument name \"{n}\" used more than once"));
                    }
                    argnames.push(n);
                }
                None if !argnames.is_empty() => {
                    return error("positional argument cannot follow named argument");
                }
                None => {}
            }
            args.push(typed);
        }
        for clause in &list.clauses {
            match clause {
                FunctionArgumentClause::OrderBy(order) => {
                    for o in order {
                        self.expr(scope, &o.expr)?;
                    }
                }
                other => return unsupported(format!("the function argument clause {other}")),
            }
        }
        if star && (name != "count" || !args.is_empty()) {
            return error(format!("{name}(*) is not allowed"));
        }
        if let Some(filter) = &f.filter {
            self.within(Clause::Filter, |cx| cx.condition(scope, filter))?;
        }
        let named = |t: Typed| t.named(&name, 2);
        if !argnames.is_empty()
            && matches!(name.as_str(), "coalesce" | "greatest" | "least" | "nullif")
        {
            // Keywords taking an expression list: PostgreSQL's grammar has no names there.
            return unsupported(format!("named arguments of {}", name.to_uppercase()));
        }
        match name.as_str() {
            // GROUPING(a, b): a bit mask of the grouping columns left out of the row's set.
            "grouping" if argnames.is_empty() && f.over.is_none() => {
                if !self.grouped && !self.grouping_sets {
                    return error(
                        "arguments to GROUPING must be grouping expressions of the associated query level",
                    );
                }
                return Ok(named(Typed::value(oid::INT4, false)));
            }
            "coalesce" => {
                let ty = self.common(&mut args, "COALESCE")?;
                let nullable = args.iter().all(|a| a.nullable);
                return Ok(named(Typed::value(ty, nullable)));
            }
            "greatest" | "least" => {
                let ty = self.common(&mut args, &name.to_uppercase())?;
                let nullable = args.iter().all(|a| a.nullable);
                return Ok(named(Typed::value(ty, nullable)));
            }
            "nullif" => {
                let [l, r] = args.as_mut_slice() else {
                    return error("NULLIF takes two arguments");
                };
                // transformAExprNullIf: the type of the first argument as the `=` operator
                // takes it; NULL when the two are equal.
                let mut lc = l.clone();
                let eq = self.apply_operator(scope, "=", Some(&mut lc), r)?;
                if eq.ty != oid::BOOL {
                    return error("NULLIF requires = operator to yield boolean");
                }
                return Ok(named(Typed::value(lc.ty, true)));
            }
            _ => {}
        }
        if let Some(sqlparser::ast::WindowType::WindowSpec(spec)) = &f.over {
            // The window's PARTITION BY / ORDER BY read the FROM items like the select list.
            self.within(Clause::WindowDefinition, |cx| {
                for e in &spec.partition_by {
                    cx.expr(scope, e)?;
                }
                for o in &spec.order_by {
                    cx.expr(scope, &o.expr)?;
                }
                Ok(())
            })?;
        }
        if f.over.is_some() {
            let t = self.window_function(&name, args, &argnames, f)?;
            self.level.window(mark, span)?;
            return Ok(t);
        }
        let t = self.call_function(&name, args, &argnames, f.filter.is_some())?;
        if self.last_call_aggregate {
            self.level.aggregate(mark, span)?;
        }
        Ok(named(t))
    }

    fn window_function(
        &mut self,
        name: &str,
        args: Vec<Typed>,
        argnames: &[String],
        f: &Function,
    ) -> Res<Typed> {
        if let Some(sqlparser::ast::WindowType::WindowSpec(spec)) = &f.over
            && spec.window_frame.is_some()
        {
            // A frame that may not hold the current row: any aggregate may be NULL.
            let mut t = self.resolve_function(name, args, argnames, true)?;
            t.typed.nullable = !t.count_like;
            return Ok(t.typed.named(name, 2));
        }
        let r = self.resolve_function(name, args, argnames, true)?;
        let mut t = r.typed;
        if r.kind == FunctionKind::Window {
            t.nullable = !NON_NULL_WINDOW_FUNCTIONS.contains(&name) || r.args_nullable;
        } else if r.count_like {
            t.nullable = false;
        } else {
            t.nullable = !nullability::GROUPED_NON_NULL_AGGREGATES.contains(&name)
                || r.args_nullable
                || f.filter.is_some();
        }
        Ok(t.named(name, 2))
    }

    /// A call of a builtin function (aggregates included), by PostgreSQL's rules.
    pub fn call_builtin(&mut self, name: &str, args: Vec<Typed>, filtered: bool) -> Res<Typed> {
        self.call_function(name, args, &[], filtered)
    }

    /// A call of a function (aggregates included) whose last `argnames.len()` arguments are
    /// named (`name => value`).
    fn call_function(
        &mut self,
        name: &str,
        args: Vec<Typed>,
        argnames: &[String],
        filtered: bool,
    ) -> Res<Typed> {
        let first_elements = args.first().map(|a| a.elements_non_null);
        let r = self.resolve_function(name, args, argnames, false)?;
        let mut t = r.typed;
        self.last_call_aggregate = r.kind == FunctionKind::Aggregate;
        if r.kind == FunctionKind::Aggregate {
            self.saw_aggregate = true;
            let f = self.types().builtins.function_by_oid(r.oid);
            t.nullable = match f {
                Some(f) => {
                    nullability::aggregate_nullable(f, &r.each_nullable, self.grouped, filtered)
                }
                None => true,
            };
            t.elements_non_null = f.is_some_and(|f| {
                nullability::aggregate_elements_non_null(f, &r.each_nullable, first_elements)
            });
        }
        Ok(t)
    }

    /// `func_get_detail` and `ParseFuncOrColumn`: the candidates of `name` for the call
    /// (positional, named or mixed notation, variadic expansion, argument defaults, as
    /// `FuncnameGetCandidates` builds them, duplicates decided by search path position), the
    /// exact match or the best candidate, then polymorphic resolution and coercion of the
    /// arguments.
    fn resolve_function(
        &mut self,
        name: &str,
        mut args: Vec<Typed>,
        argnames: &[String],
        window: bool,
    ) -> Res<Resolved> {
        let all = self.schema.function_candidates(name);
        // No function of that name: PostgreSQL's error when the catalog is certain to hold
        // every one (no extension squill has no data for, none of the schema's left out; a
        // qualified name's schema is not looked into).
        if all.is_empty() && (name.contains('.') || self.schema.may_have_unknown_overloads(name)) {
            return unsupported(format!(
                "the function {name}() (not a builtin or a function of the schema)"
            ));
        }
        let nargs = args.len();
        let mut cands: Vec<Candidate> = Vec::new();
        let mut any_special = false;
        for (i, (pathpos, f)) in all.iter().enumerate() {
            match f.kind {
                // Procedures are candidates too: a call resolving to one is then an error
                // outside CALL (ParseFuncOrColumn), as a function is in CALL.
                FunctionKind::Window if !window => continue,
                _ => {}
            }
            let pronargs = f.args.len();
            let mut variadic = false;
            // The parameters (positions in `f.args`) the call leaves to their defaults.
            let defaulted: Vec<usize>;
            let declared: Vec<u32>;
            if !argnames.is_empty() {
                // Named or mixed notation never expands a variadic parameter.
                if f.variadic.is_some() {
                    continue;
                }
                if pronargs > nargs && nargs + f.nargdefaults < pronargs {
                    continue;
                }
                if pronargs < nargs {
                    continue;
                }
                let Some(numbers) = match_named_call(f, nargs, argnames) else {
                    continue;
                };
                declared = numbers[..nargs].iter().map(|&p| f.args[p]).collect();
                defaulted = numbers[nargs..].to_vec();
                any_special = true;
            } else {
                if let Some(elem) = f.variadic.filter(|_| pronargs <= nargs) {
                    variadic = true;
                    any_special = true;
                    let mut d = f.args[..pronargs - 1].to_vec();
                    d.extend(std::iter::repeat_n(elem, nargs + 1 - pronargs));
                    declared = d;
                    defaulted = Vec::new();
                } else if pronargs > nargs {
                    if nargs + f.nargdefaults < pronargs {
                        continue;
                    }
                    any_special = true;
                    declared = f.args[..nargs].to_vec();
                    defaulted = (nargs..pronargs).collect();
                } else if pronargs == nargs {
                    declared = f.args.clone();
                    defaulted = Vec::new();
                } else {
                    continue;
                }
            }
            let new = Candidate {
                index: i,
                pathpos: *pathpos,
                declared,
                variadic,
                defaulted,
                ambiguous: false,
            };
            // The same argument types as a candidate already accepted: the one earlier in
            // the search path wins, then a non-variadic one; otherwise the call is ambiguous.
            let same = if any_special || cands.iter().any(|c| c.pathpos != new.pathpos) {
                cands.iter().position(|c| c.declared == new.declared)
            } else {
                None
            };
            match same {
                None => cands.push(new),
                Some(at) => {
                    let prev = &mut cands[at];
                    let preference: i64 = if prev.pathpos != new.pathpos {
                        new.pathpos as i64 - prev.pathpos as i64
                    } else if new.variadic && !prev.variadic {
                        1
                    } else if !new.variadic && prev.variadic {
                        -1
                    } else {
                        0
                    };
                    match preference.signum() {
                        1 => {}
                        -1 => *prev = new,
                        _ => prev.ambiguous = true,
                    }
                }
            }
        }
        let inputs: Vec<u32> = args.iter().map(|a| a.ty).collect();
        let shown = || {
            let first_named = nargs - argnames.len();
            let tys: Vec<String> = inputs
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    let ty = self.types().display(t);
                    match i.checked_sub(first_named) {
                        Some(k) => format!("{} => {ty}", argnames[k]),
                        None => ty,
                    }
                })
                .collect();
            format!("{name}({})", tys.join(", "))
        };
        let typed: Vec<(usize, Vec<u32>)> = cands
            .iter()
            .enumerate()
            .map(|(k, c)| (k, c.declared.clone()))
            .collect();
        let not_unique = || {
            Err(Fail::Error(
                format!("function {} is not unique", shown()),
                Some("Could not choose a best candidate function. You might need to add explicit type casts.".into()),
            ))
        };
        let chosen = match resolve::pick(self.types(), &inputs, &typed) {
            Pick::One(k) => k,
            Pick::None => {
                let schema_type_input = inputs
                    .iter()
                    .any(|&t| t >= 0x4000_0000 && !self.types().is_enum(t));
                if schema_type_input || self.schema.may_have_unknown_overloads(name) {
                    return unsupported(format!(
                        "{} (a schema type, or overloads squill does not know: from an extension or with types it does not resolve)",
                        shown()
                    ));
                }
                return Err(Fail::Error(
                    format!("function {} does not exist", shown()),
                    Some("No function matches the given name and argument types. You might need to add explicit type casts.".into()),
                ));
            }
            Pick::Ambiguous => return not_unique(),
        };
        let cand = &cands[chosen];
        if cand.ambiguous {
            return not_unique();
        }
        let f = &all[cand.index].1;
        match (f.kind == FunctionKind::Procedure, self.calling_procedure) {
            (true, false) => {
                return Err(Fail::Error(
                    format!("{} is a procedure", shown()),
                    Some("To call a procedure, use CALL.".into()),
                ));
            }
            (false, true) => {
                return Err(Fail::Error(
                    format!("{} is not a procedure", shown()),
                    Some("To call a function, use SELECT.".into()),
                ));
            }
            _ => {}
        }
        if !argnames.is_empty() {
            match f.kind {
                FunctionKind::Aggregate => {
                    return error("aggregates cannot use named arguments");
                }
                FunctionKind::Window => {
                    return error("window functions cannot use named arguments");
                }
                _ => {}
            }
        }
        // A default's type counts for polymorphic resolution; only a non-polymorphic
        // parameter's default is known to be of the parameter's type.
        if cand
            .defaulted
            .iter()
            .any(|&p| resolve::is_polymorphic(f.args[p]))
        {
            return unsupported(format!(
                "{} (a polymorphic parameter left to its default)",
                shown()
            ));
        }
        let declared = cand.declared.clone();
        let builtin_fn = f
            .builtin
            .and_then(|o| self.types().builtins.function_by_oid(o));
        let out_columns: Vec<(String, u32)> = match builtin_fn {
            Some(b) => b.out_columns(),
            None => f.out.clone(),
        };
        // get_func_result_name: the name of a lone, named OUT parameter.
        let out_name = match builtin_fn {
            Some(b) => {
                let outs: Vec<&str> = b
                    .params()
                    .into_iter()
                    .filter(|(mode, _, _)| mode.is_output())
                    .map(|(_, _, n)| n)
                    .collect();
                match outs.as_slice() {
                    [n] if !n.is_empty() => Some(n.to_string()),
                    _ => None,
                }
            }
            None => match f.out.as_slice() {
                [(n, _)] if !n.is_empty() => Some(n.clone()),
                _ => None,
            },
        };
        // In FROM, a record result is typed by its OUT columns or a column definition list.
        let record_ok = self.in_from && f.ret == oid::RECORD;
        if !record_ok && matches!(f.ret, oid::RECORD | oid::TRIGGER | oid::INTERNAL) {
            return unsupported(format!(
                "the function {name} returning {}",
                self.types().display(f.ret)
            ));
        }

        let (resolved_args, ret) = if declared.iter().any(|&d| resolve::is_polymorphic(d))
            || resolve::is_polymorphic(f.ret)
        {
            let (a, r) =
                resolve::resolve_polymorphic(self.types(), &inputs, &declared, Some(f.ret))?;
            (a, r.unwrap_or(f.ret))
        } else {
            (declared, f.ret)
        };
        for (a, &d) in args.iter_mut().zip(&resolved_args) {
            if d != oid::ANY {
                self.coerce(a, d)?;
            }
        }
        let mut out = Vec::new();
        if record_ok {
            for (col, ty) in &out_columns {
                let ty = if resolve::is_polymorphic(*ty) {
                    resolve::resolve_polymorphic(self.types(), &inputs, &resolved_args, Some(*ty))?
                        .1
                        .unwrap_or(*ty)
                } else {
                    *ty
                };
                out.push((col.clone(), ty));
            }
        }
        let each_nullable: Vec<bool> = args.iter().map(|a| a.nullable).collect();
        let nullable = match builtin_fn {
            // generate_series never yields NULL rows.
            Some(b) if b.retset && b.name == "generate_series" => each_nullable.iter().any(|&n| n),
            Some(b) => nullability::function_nullable(b, &each_nullable),
            // A schema function may return NULL whatever its strictness.
            None => true,
        };
        Ok(Resolved {
            typed: Typed::value(ret, nullable),
            kind: f.kind,
            oid: f.builtin.unwrap_or(0),
            args_nullable: each_nullable.iter().any(|&x| x),
            count_like: builtin_fn
                .and_then(|b| b.aggregate.as_ref())
                .is_some_and(|a| !a.null_on_empty_input()),
            each_nullable,
            out,
            out_name,
        })
    }

    /// A function in FROM (`transformRangeFunction`): its columns with types and
    /// nullability — a record's OUT columns or a composite's attributes (which may be NULL),
    /// or one scalar column named after its lone OUT parameter or else after the function.
    /// `generate_series` rows are never NULL; other set-returning functions' (`unnest`: array
    /// elements) may be.
    ///
    /// `coldefs`: the column definition list after it (`AS t(a int, b text)`), which a function
    /// returning `record` without OUT columns needs and any other may not have
    /// (`addRangeTableEntryForFunction`).
    pub fn function_in_from(
        &mut self,
        scope: &Scope,
        parts: &[String],
        fargs: &[FunctionArg],
        coldefs: Option<&[TableAliasColumnDef]>,
    ) -> Res<FromFunction> {
        let name = match parts {
            [n] => n.clone(),
            [s, n] if s == "pg_catalog" => n.clone(),
            [s, n] => format!("{s}.{n}"),
            _ => return unsupported("this function name in FROM"),
        };
        let mut args = Vec::new();
        let mut argnames: Vec<String> = Vec::new();
        for a in fargs {
            let (arg_name, value) = split_named_arg(a)?;
            let ArgValue::Expr(e) = value else {
                return unsupported("a wildcard argument of a function in FROM");
            };
            match arg_name {
                Some(n) => {
                    if argnames.contains(&n) {
                        return error(format!("argument name \"{n}\" used more than once"));
                    }
                    argnames.push(n);
                }
                None if !argnames.is_empty() => {
                    return error("positional argument cannot follow named argument");
                }
                None => {}
            }
            args.push(self.expr(scope, e)?);
        }
        let saved = self.saw_aggregate;
        self.in_from = true;
        let r = self.resolve_function(&name, args, &argnames, false);
        self.in_from = false;
        let r = r?;
        self.saw_aggregate = saved;
        if !r.out.is_empty() {
            if coldefs.is_some() {
                return error(
                    "a column definition list is redundant for a function with OUT parameters",
                );
            }
            return Ok(FromFunction {
                cols: r.out.into_iter().map(|(n, t)| (n, t, true)).collect(),
                row_type: oid::RECORD,
                scalar: false,
                out_named: false,
            });
        }
        let ty = r.typed.ty;
        if ty == oid::RECORD {
            let Some(defs) = coldefs else {
                return error(
                    "a column definition list is required for functions returning \"record\"",
                );
            };
            return Ok(FromFunction {
                cols: self.column_definitions(defs)?,
                row_type: oid::RECORD,
                scalar: false,
                out_named: false,
            });
        }
        if coldefs.is_some() {
            return error(if self.types().is_composite(ty) {
                "a column definition list is redundant for a function returning a named composite type"
            } else {
                "a column definition list is only allowed for functions returning \"record\""
            });
        }
        if let Some(cols) = self.schema.composite_columns(ty) {
            return Ok(FromFunction {
                cols: cols.into_iter().map(|(n, t)| (n, t, true)).collect(),
                row_type: ty,
                scalar: false,
                out_named: false,
            });
        }
        if self.types().is_composite(ty) {
            return unsupported(format!(
                "the function {name} in FROM (a composite result whose columns are not known)"
            ));
        }
        let non_null = name == "generate_series" && !r.args_nullable;
        let out_named = r.out_name.is_some();
        let col = r
            .out_name
            .unwrap_or_else(|| parts.last().cloned().unwrap_or_default());
        Ok(FromFunction {
            cols: vec![(col, ty, !non_null)],
            row_type: ty,
            scalar: true,
            out_named,
        })
    }

    /// The columns a column definition list declares (each may be NULL), checked as
    /// `CheckAttributeNamesTypes` checks them: names once each, no pseudo-type but `record`.
    fn column_definitions(&self, defs: &[TableAliasColumnDef]) -> Res<Vec<(String, u32, bool)>> {
        let mut cols: Vec<(String, u32, bool)> = Vec::new();
        for d in defs {
            let name = fold(&d.name);
            let Some(data_type) = &d.data_type else {
                return error(format!(
                    "syntax error: column \"{name}\" of a column definition list has no type"
                ));
            };
            cols.push((name, self.type_of(data_type)?, true));
        }
        for (i, (name, _, _)) in cols.iter().enumerate() {
            if cols[..i].iter().any(|(n, _, _)| n == name) {
                return error(format!("column name \"{name}\" specified more than once"));
            }
        }
        for (name, ty, _) in &cols {
            let pseudo = self
                .types()
                .builtins
                .type_by_oid(*ty)
                .is_some_and(|t| t.kind == crate::builtins::TypeKind::Pseudo);
            let record = *ty == oid::RECORD || self.types().array_of(oid::RECORD) == Some(*ty);
            if pseudo && !record {
                return error(format!(
                    "column \"{name}\" has pseudo-type {}",
                    self.types().display(*ty)
                ));
            }
        }
        Ok(cols)
    }

    /// A SQL value function (`CURRENT_DATE`, `CURRENT_USER`, ...), named as `FigureColname`
    /// names it.
    pub(crate) fn sql_value_function(&mut self, name: &str) -> Res<Typed> {
        let ty = match name {
            "current_date" => oid::DATE,
            "current_time" => oid::TIMETZ,
            "current_timestamp" => oid::TIMESTAMPTZ,
            "localtime" => oid::TIME,
            "localtimestamp" => oid::TIMESTAMP,
            "current_role" | "current_user" | "user" | "session_user" | "current_catalog"
            | "current_schema" => oid::NAME,
            other => return unsupported(format!("{other} without parentheses")),
        };
        Ok(Typed::value(ty, name == "current_schema").named(name, 2))
    }

    /// An item of a row constructor, where `(x).*` stands for `x`'s fields
    /// (`transformExpressionList`).
    fn row_item(&mut self, scope: &Scope, e: &Expr) -> Res<()> {
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
    fn field_access(&mut self, scope: &Scope, root: &Expr, chain: &[AccessExpr]) -> Res<Typed> {
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
    fn row_value(&mut self, scope: &Scope, root: &Expr) -> Res<(Typed, Option<Vec<Col>>)> {
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
    fn fields_of(&self, t: &Typed, field: Option<&str>) -> Res<Vec<Col>> {
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
    fn whole_row(&mut self, scope: &Scope, rel: &str) -> Res<Typed> {
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
    fn row_constructor(&mut self, scope: &Scope, items: &[FunctionArg]) -> Res<Typed> {
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

/// One candidate of a function call, as `FuncnameGetCandidates` lists it.
struct Candidate {
    /// Index into the function's overloads.
    index: usize,
    /// Position of its schema in the search path (`pg_catalog` first unless listed).
    pathpos: usize,
    /// The declared types of the call's arguments, in call order.
    declared: Vec<u32>,
    /// Matched by expanding its variadic parameter.
    variadic: bool,
    /// The parameters left to their defaults.
    defaulted: Vec<usize>,
    /// Another candidate of the same argument types could not be told apart from it.
    ambiguous: bool,
}

/// `MatchNamedCall`: for a call whose last `argnames.len()` of `nargs` arguments are named,
/// the parameter each argument binds to, followed by the parameters left to their defaults
/// (`None` if a name is unknown, names a positional argument's parameter, or a parameter
/// without default is left out).
fn match_named_call(
    f: &super::FunctionSig,
    nargs: usize,
    argnames: &[String],
) -> Option<Vec<usize>> {
    let pronargs = f.args.len();
    if f.arg_names.is_empty() {
        return None;
    }
    let numposargs = nargs - argnames.len();
    let mut numbers: Vec<usize> = (0..numposargs).collect();
    let mut given = vec![false; pronargs];
    for g in given.iter_mut().take(numposargs) {
        *g = true;
    }
    for n in argnames {
        let p = f.arg_names.iter().position(|a| a == n)?;
        if given[p] {
            return None;
        }
        given[p] = true;
        numbers.push(p);
    }
    let first_default = pronargs - f.nargdefaults;
    for (p, &g) in given.iter().enumerate().skip(numposargs) {
        if g {
            continue;
        }
        if p < first_default {
            return None;
        }
        numbers.push(p);
    }
    Some(numbers)
}

/// A function argument's value.
enum ArgValue<'a> {
    Expr(&'a Expr),
    /// `*`
    Star,
    /// `t.*`
    Qualified(&'a ObjectName),
}

/// An argument's name (`name => value`, `name := value`) and value.
fn split_named_arg(a: &FunctionArg) -> Res<(Option<String>, ArgValue<'_>)> {
    fn value(arg: &FunctionArgExpr) -> Res<ArgValue<'_>> {
        Ok(match arg {
            FunctionArgExpr::Expr(e) => ArgValue::Expr(e),
            FunctionArgExpr::Wildcard => ArgValue::Star,
            // `f((t).*)`: not a whole-row reference like `f(t.*)`, but a row expansion.
            FunctionArgExpr::QualifiedWildcard(name) if parenthesized(name).is_some() => {
                return error("row expansion via \"*\" is not supported here");
            }
            FunctionArgExpr::QualifiedWildcard(name) => ArgValue::Qualified(name),
            FunctionArgExpr::WildcardWithOptions(_) => {
                return unsupported("`* EXCLUDE (...)` as a function argument");
            }
        })
    }
    Ok(match a {
        FunctionArg::Named {
            name,
            arg,
            operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Assignment,
        } => (Some(fold(name)), value(arg)?),
        FunctionArg::ExprNamed {
            name: Expr::Identifier(name),
            arg,
            operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Assignment,
        } => (Some(fold(name)), value(arg)?),
        // sqlparser reads `name := value` as an assignment expression.
        FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::BinaryOp {
            left,
            op: BinaryOperator::Assignment,
            right,
        })) => match &**left {
            Expr::Identifier(name) => (Some(fold(name)), ArgValue::Expr(right)),
            _ => return unsupported(format!("the function argument {a}")),
        },
        FunctionArg::Unnamed(arg) => (None, value(arg)?),
        other => return unsupported(format!("the function argument {other}")),
    })
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

/// `ROW(...)` written as the row constructor keyword (not a quoted function name `"row"`).
fn is_row_constructor(f: &Function) -> bool {
    matches!(f.name.0.as_slice(), [ObjectNamePart::Identifier(i)] if i.quote_style.is_none())
        && f.over.is_none()
        && f.filter.is_none()
}

/// A function in FROM as [`Cx::function_in_from`] types it.
pub struct FromFunction {
    /// Columns: name, type, nullable.
    pub cols: Vec<(String, u32, bool)>,
    /// The type of a whole-row reference to it (`makeWholeRowVar`).
    pub row_type: u32,
    /// One scalar result column (which an alias renames, unless `out_named`).
    pub scalar: bool,
    /// The scalar column is named after the function's lone OUT parameter.
    pub out_named: bool,
}

struct Resolved {
    typed: Typed,
    /// A record-returning function's OUT/TABLE columns (only in FROM).
    out: Vec<(String, u32)>,
    /// The name of a lone, named OUT parameter (`get_func_result_name`).
    out_name: Option<String>,
    kind: FunctionKind,
    oid: u32,
    args_nullable: bool,
    each_nullable: Vec<bool>,
    count_like: bool,
}

/// The name `FigureColname` gives a cast: the last component of the type name as the grammar
/// produced it (`int4` for `integer`, `timestamptz`, a domain's own name).
fn cast_name(cx: &Cx, data_type: &DataType, resolved: u32) -> String {
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
