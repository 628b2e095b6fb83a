//! Function calls (`ParseFuncOrColumn`): overload resolution with named and variadic
//! arguments, aggregates and window functions, functions in FROM with their column lists, and
//! the SQL-standard value functions (`current_user`, ...).

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgOperator,
    FunctionArgumentClause, FunctionArguments, ObjectName, ObjectNamePart, TableAliasColumnDef,
};

use super::clauses::Clause;
use super::expr::{Cx, Typed, fold, is_row_constructor, name_parts};
use super::nullability::{self, NON_NULL_WINDOW_FUNCTIONS};
use super::resolve::{self, Pick};
use super::rows::parenthesized;
use super::scope::Scope;
use super::{Fail, Res, error, unsupported};
use crate::builtins::{FunctionKind, oid};

impl Cx<'_> {
    pub(super) fn function(&mut self, scope: &Scope, f: &Function) -> Res<Typed> {
        let span = match f.name.0.first() {
            Some(ObjectNamePart::Identifier(i)) => i.span,
            _ => sqlparser::tokenizer::Span::empty(),
        };
        self.function_inner(scope, f).map_err(|e| e.at(span))
    }

    pub(super) fn function_inner(&mut self, scope: &Scope, f: &Function) -> Res<Typed> {
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

    pub(super) fn window_function(
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
    pub(super) fn call_function(
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
    pub(super) fn resolve_function(
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
    pub(super) fn column_definitions(
        &self,
        defs: &[TableAliasColumnDef],
    ) -> Res<Vec<(String, u32, bool)>> {
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
}

/// One candidate of a function call, as `FuncnameGetCandidates` lists it.
pub(super) struct Candidate {
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
pub(super) fn match_named_call(
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
pub(super) enum ArgValue<'a> {
    Expr(&'a Expr),
    /// `*`
    Star,
    /// `t.*`
    Qualified(&'a ObjectName),
}

/// An argument's name (`name => value`, `name := value`) and value.
pub(super) fn split_named_arg(a: &FunctionArg) -> Res<(Option<String>, ArgValue<'_>)> {
    pub(super) fn value(arg: &FunctionArgExpr) -> Res<ArgValue<'_>> {
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

pub(super) struct Resolved {
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
