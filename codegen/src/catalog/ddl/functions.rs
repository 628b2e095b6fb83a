//! Functions and procedures: `CREATE [OR REPLACE] FUNCTION | PROCEDURE` (arguments with their
//! modes, `RETURNS type | SETOF type | TABLE (...)`, OUT parameters, `STRICT` / `RETURNS NULL ON
//! NULL INPUT`, `LANGUAGE`), `ALTER FUNCTION` (rename, schema, strictness) and `DROP`.
//!
//! The catalog records what `pg_proc` holds: input argument types without modifiers, the
//! return type (`record` for several output columns, the column's type for one), whether it
//! returns a set, the output columns.

use std::ops::Range;

use sqlparser::ast::{
    self, AlterFunctionAction, AlterFunctionKind, AlterFunctionOperation, ArgMode, DataType,
    DropBehavior, FunctionCalledOnNull, FunctionDesc, FunctionReturnType, OperateFunctionArg,
};
use sqlparser::tokenizer::Token;

use super::names::{dotted, ident, object_name};
use super::objects::{DropDef, DropKind};
use super::table_syntax::name_span_of;
use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::tokens::{Cursor, ReadError, Tok, split_commas};
use crate::catalog::type_names::{TypeSpec, parse_type, spec_from_data_type};
use crate::catalog::{Function, QualifiedName, TypeName};

#[derive(Debug, Clone)]
pub(super) struct FunctionDef {
    pub name: Vec<String>,
    pub span: Range<usize>,
    pub procedure: bool,
    pub or_replace: bool,
    pub args: Vec<ArgDef>,
    pub returns: Option<Returns>,
    pub strict: bool,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    In,
    Out,
    InOut,
    Variadic,
}

impl Mode {
    fn is_input(self) -> bool {
        self != Mode::Out
    }

    fn is_output(self) -> bool {
        matches!(self, Mode::Out | Mode::InOut)
    }
}

#[derive(Debug, Clone)]
pub(super) struct ArgDef {
    pub mode: Mode,
    pub name: Option<String>,
    pub ty: TypeSpec,
    /// `DEFAULT expr` / `= expr`.
    pub has_default: bool,
}

#[derive(Debug, Clone)]
pub(super) enum Returns {
    Type { setof: bool, ty: TypeSpec },
    Table(Vec<(String, TypeSpec)>),
}

/// Which function an ALTER or DROP means: a name, and the argument types if given.
#[derive(Debug, Clone)]
pub(super) struct FunctionRef {
    pub name: Vec<String>,
    pub span: Range<usize>,
    pub args: Option<Vec<TypeSpec>>,
}

#[derive(Debug, Clone)]
pub(super) enum FunctionAction {
    RenameTo(String),
    SetSchema(String),
    Strict(bool),
    Irrelevant,
}

pub(super) fn from_ast(stmt: &Stmt, f: &ast::CreateFunction) -> Result<FunctionDef, Problem> {
    let span = name_span_of(stmt, &f.name);
    let args = f
        .args
        .iter()
        .flatten()
        .map(|a| arg_from_ast(stmt, a, span.clone()))
        .collect::<Result<_, _>>()?;
    let returns = match &f.return_type {
        None => None,
        Some(FunctionReturnType::SetOf(t)) => Some(Returns::Type {
            setof: true,
            ty: spec_from_data_type(t, span.clone())?,
        }),
        Some(FunctionReturnType::DataType(DataType::Table(Some(columns)))) => Some(Returns::Table(
            columns
                .iter()
                .map(|c| {
                    Ok((
                        ident(&c.name),
                        spec_from_data_type(&c.data_type, stmt.span_of(c.name.span))?,
                    ))
                })
                .collect::<Result<_, Problem>>()?,
        )),
        Some(FunctionReturnType::DataType(t)) => Some(Returns::Type {
            setof: false,
            ty: spec_from_data_type(t, span.clone())?,
        }),
    };
    Ok(FunctionDef {
        name: object_name(&f.name),
        span,
        procedure: false,
        or_replace: f.or_replace,
        args,
        returns,
        strict: matches!(
            f.called_on_null,
            Some(FunctionCalledOnNull::Strict | FunctionCalledOnNull::ReturnsNullOnNullInput)
        ),
        language: f.language.as_ref().map(ident),
    })
}

fn arg_from_ast(
    stmt: &Stmt,
    arg: &OperateFunctionArg,
    span: Range<usize>,
) -> Result<ArgDef, Problem> {
    let span = arg.name.as_ref().map_or(span, |n| stmt.span_of(n.span));
    Ok(ArgDef {
        mode: match arg.mode {
            None | Some(ArgMode::In) => Mode::In,
            Some(ArgMode::Out) => Mode::Out,
            Some(ArgMode::InOut) => Mode::InOut,
            Some(ArgMode::Variadic) => Mode::Variadic,
        },
        name: arg.name.as_ref().map(ident),
        ty: spec_from_data_type(&arg.data_type, span)?,
        has_default: arg.default_expr.is_some(),
    })
}

pub(super) fn from_tokens(c: &mut Cursor) -> Result<FunctionDef, ReadError> {
    c.expect_word("create")?;
    let or_replace = c.eat_words(&["or", "replace"]);
    let procedure = if c.eat_word("procedure") {
        true
    } else {
        c.expect_word("function")?;
        false
    };
    let span = c.span();
    let name = c.object_name()?;
    let args = split_commas(c.parenthesized()?)
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(arg_from_tokens)
        .collect::<Result<_, _>>()?;
    let mut def = FunctionDef {
        name,
        span,
        procedure,
        or_replace,
        args,
        returns: None,
        strict: false,
        language: None,
    };
    if c.is_word("returns") && !c.is_word_at(1, "null") {
        c.next();
        def.returns = Some(if c.eat_word("table") {
            let columns = split_commas(c.parenthesized()?)
                .into_iter()
                .map(|part| {
                    let mut col = Cursor::new(part);
                    Ok((col.ident()?, parse_type(&mut col)?))
                })
                .collect::<Result<_, ReadError>>()?;
            Returns::Table(columns)
        } else {
            let setof = c.eat_word("setof");
            Returns::Type {
                setof,
                ty: parse_type(c)?,
            }
        });
    }
    while !c.at_end() {
        if c.eat_word("language") {
            def.language = match c.next().map(|t| &t.token) {
                Some(Token::Word(w)) => Some(w.value.to_ascii_lowercase()),
                Some(Token::SingleQuotedString(s)) => Some(s.to_ascii_lowercase()),
                _ => return Err(c.error("expected a language name")),
            };
        } else if c.eat_word("strict") || c.eat_words(&["returns", "null", "on", "null", "input"]) {
            def.strict = true;
        } else if c.eat_words(&["called", "on", "null", "input"]) {
            def.strict = false;
        } else if c.is_word("begin") || c.is_word("return") {
            // A SQL-standard body: the rest is the body.
            def.language.get_or_insert_with(|| "sql".to_string());
            break;
        } else {
            c.skip_one();
        }
    }
    Ok(def)
}

/// `[mode] [name] type [DEFAULT expr | = expr]`.
fn arg_from_tokens(part: &[Tok]) -> Result<ArgDef, ReadError> {
    let mut c = Cursor::new(part);
    let mut mode = read_mode(&mut c);
    // Without a name, the whole argument is the type; with one, the type follows it.
    let start = c.pos();
    let unnamed = parse_type(&mut c).is_ok() && at_arg_end(&c);
    c.set_pos(start);
    let name = if unnamed {
        None
    } else {
        let name = c.ident()?;
        if mode == Mode::In
            && let Some(m) = read_explicit_mode(&mut c)
        {
            mode = m;
        }
        Some(name)
    };
    let ty = parse_type(&mut c)?;
    let has_default = c.is_word("default") || c.is(&Token::Eq);
    Ok(ArgDef {
        mode,
        name,
        ty,
        has_default,
    })
}

fn at_arg_end(c: &Cursor) -> bool {
    c.at_end() || c.is_word("default") || c.is(&Token::Eq)
}

fn read_mode(c: &mut Cursor) -> Mode {
    read_explicit_mode(c).unwrap_or(Mode::In)
}

fn read_explicit_mode(c: &mut Cursor) -> Option<Mode> {
    // A mode word followed by nothing but a type would be a type named `in` ...: only take
    // it when more follows.
    let mode = if c.is_word("in") {
        Mode::In
    } else if c.is_word("out") {
        Mode::Out
    } else if c.is_word("inout") {
        Mode::InOut
    } else if c.is_word("variadic") {
        Mode::Variadic
    } else {
        return None;
    };
    c.peek_nth(1)?;
    c.next();
    Some(mode)
}

pub(super) fn alter_from_ast(
    stmt: &Stmt,
    alter: &ast::AlterFunction,
) -> Result<(FunctionRef, FunctionAction), Problem> {
    if alter.kind == AlterFunctionKind::Aggregate {
        return Ok((
            function_ref(stmt, &alter.function)?,
            FunctionAction::Irrelevant,
        ));
    }
    let action = match &alter.operation {
        AlterFunctionOperation::RenameTo { new_name } => FunctionAction::RenameTo(ident(new_name)),
        AlterFunctionOperation::SetSchema { schema_name } => {
            FunctionAction::SetSchema(object_name(schema_name).pop().unwrap_or_default())
        }
        AlterFunctionOperation::Actions { actions, .. } => actions
            .iter()
            .rev()
            .find_map(|a| match a {
                AlterFunctionAction::CalledOnNull(FunctionCalledOnNull::CalledOnNullInput) => {
                    Some(FunctionAction::Strict(false))
                }
                AlterFunctionAction::CalledOnNull(_) => Some(FunctionAction::Strict(true)),
                _ => None,
            })
            .unwrap_or(FunctionAction::Irrelevant),
        _ => FunctionAction::Irrelevant,
    };
    Ok((function_ref(stmt, &alter.function)?, action))
}

fn function_ref(stmt: &Stmt, desc: &FunctionDesc) -> Result<FunctionRef, Problem> {
    let span = name_span_of(stmt, &desc.name);
    let args = match &desc.args {
        None => None,
        Some(args) => Some(
            args.iter()
                .filter(|a| a.mode != Some(ArgMode::Out))
                .map(|a| spec_from_data_type(&a.data_type, span.clone()))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(FunctionRef {
        name: object_name(&desc.name),
        span,
        args,
    })
}

pub(super) fn alter_from_tokens(
    c: &mut Cursor,
) -> Result<(FunctionRef, FunctionAction), ReadError> {
    c.expect_word("alter")?;
    c.next(); // FUNCTION / PROCEDURE / ROUTINE
    let target = function_ref_tokens(c)?;
    let mut action = FunctionAction::Irrelevant;
    if c.eat_words(&["rename", "to"]) {
        action = FunctionAction::RenameTo(c.ident()?);
    } else if c.eat_words(&["set", "schema"]) {
        action = FunctionAction::SetSchema(c.ident()?);
    } else {
        while !c.at_end() {
            if c.eat_word("strict") || c.eat_words(&["returns", "null", "on", "null", "input"]) {
                action = FunctionAction::Strict(true);
            } else if c.eat_words(&["called", "on", "null", "input"]) {
                action = FunctionAction::Strict(false);
            } else {
                c.skip_one();
            }
        }
    }
    Ok((target, action))
}

/// `name [( [mode] [name] type, ... )]`.
fn function_ref_tokens(c: &mut Cursor) -> Result<FunctionRef, ReadError> {
    let span = c.span();
    let name = c.object_name()?;
    let args = if c.is(&Token::LParen) {
        Some(
            split_commas(c.parenthesized()?)
                .into_iter()
                .filter(|part| !part.is_empty())
                .map(arg_from_tokens)
                .filter(|a| a.as_ref().map_or(true, |a| a.mode != Mode::Out))
                .map(|a| a.map(|a| a.ty))
                .collect::<Result<_, _>>()?,
        )
    } else {
        None
    };
    Ok(FunctionRef { name, span, args })
}

pub(super) fn drop_from_ast(
    stmt: &Stmt,
    kind: DropKind,
    if_exists: bool,
    descs: &[FunctionDesc],
    behavior: Option<DropBehavior>,
) -> Result<DropDef, Problem> {
    Ok(DropDef {
        kind,
        if_exists,
        names: vec![],
        functions: descs
            .iter()
            .map(|d| function_ref(stmt, d))
            .collect::<Result<_, _>>()?,
        cascade: behavior == Some(DropBehavior::Cascade),
    })
}

/// The functions listed after `DROP FUNCTION [IF EXISTS]`.
pub(super) fn drop_refs_from_tokens(c: &mut Cursor) -> Result<Vec<FunctionRef>, ReadError> {
    let mut out = Vec::new();
    loop {
        out.push(function_ref_tokens(c)?);
        if !c.eat(&Token::Comma) {
            return Ok(out);
        }
    }
}

/// Argument types as `pg_proc` compares them: no modifiers, no dimensions.
fn identity(types: &[TypeName]) -> Vec<TypeName> {
    types
        .iter()
        .map(|t| t.without_typmod().undimensioned())
        .collect()
}

impl Loader {
    pub(super) fn create_function(&mut self, stmt: &Stmt, def: FunctionDef) -> Applied {
        let qn = self.creation_name(&def.name, def.span.clone())?;
        let mut args = Vec::new();
        let mut arg_names = Vec::new();
        let mut outputs = Vec::new();
        let mut nargdefaults = 0;
        for arg in &def.args {
            // interpret_function_parameter_list's rules for defaults.
            if arg.has_default && !arg.mode.is_input() {
                return Err(
                    Problem::new("only input parameters can have default values").at(def.span),
                );
            }
            if arg.mode.is_input() && !arg.has_default && nargdefaults > 0 {
                return Err(Problem::new(
                    "input parameters after one with a default value must also have defaults",
                )
                .at(def.span));
            }
            if arg.has_default {
                nargdefaults += 1;
            }
            let ty = self
                .resolve_type(stmt, &arg.ty)?
                .without_typmod()
                .undimensioned();
            if arg.mode.is_input() {
                args.push(ty.clone());
                arg_names.push(arg.name.clone());
            }
            if arg.mode.is_output() {
                outputs.push((arg.name.clone().unwrap_or_default(), ty));
            }
        }
        let variadic = def.args.iter().any(|a| a.mode == Mode::Variadic);
        let record = TypeName::builtin("record");
        let (ret, returns_set, table_columns) = match &def.returns {
            Some(Returns::Table(columns)) => {
                let mut resolved = Vec::new();
                for (name, spec) in columns {
                    let ty = self
                        .resolve_type(stmt, spec)?
                        .without_typmod()
                        .undimensioned();
                    resolved.push((name.clone(), ty));
                }
                let ret = match resolved.as_slice() {
                    [(_, only)] => only.clone(),
                    _ => record,
                };
                (Some(ret), true, resolved)
            }
            Some(Returns::Type { setof, ty }) => {
                let ty = self
                    .resolve_type(stmt, ty)?
                    .without_typmod()
                    .undimensioned();
                (Some(ty), *setof, outputs)
            }
            None => {
                let ret = match outputs.as_slice() {
                    [] if def.procedure => None,
                    [] => {
                        return Err(
                            Problem::new("function result type must be specified").at(def.span)
                        );
                    }
                    _ if def.procedure => None,
                    [(_, only)] => Some(only.clone()),
                    _ => Some(record),
                };
                (ret, false, outputs)
            }
        };
        let ret = if def.procedure { None } else { ret };
        let function = Function {
            name: qn.clone(),
            args,
            arg_names,
            nargdefaults,
            variadic,
            ret,
            returns_set,
            table_columns,
            strict: def.strict,
            language: def.language.clone().unwrap_or_else(|| "sql".to_string()),
        };
        let key = identity(&function.args);
        match self
            .cat
            .functions
            .iter()
            .position(|f| f.name == qn && identity(&f.args) == key)
        {
            Some(i) if def.or_replace && self.cat.functions[i].is_procedure() == def.procedure => {
                self.cat.functions[i] = function;
            }
            Some(_) => {
                return Err(Problem::new(format!(
                    "function \"{}\" already exists with same argument types",
                    qn.name
                ))
                .at(def.span));
            }
            None => self.cat.functions.push(function),
        }
        Ok(())
    }

    /// The functions `target` means (one, unless a name without arguments matches several).
    pub(super) fn find_functions(
        &mut self,
        stmt: &Stmt,
        target: &FunctionRef,
    ) -> Result<Vec<usize>, Problem> {
        let args = match &target.args {
            Some(specs) => {
                let mut types = Vec::new();
                for spec in specs {
                    types.push(self.resolve_type(stmt, spec)?);
                }
                Some(identity(&types))
            }
            None => None,
        };
        let schemas = match target.name.as_slice() {
            [_] => self.lookup_schemas(),
            [.., schema, _] => vec![schema.clone()],
            [] => vec![],
        };
        let name = target.name.last().cloned().unwrap_or_default();
        for schema in schemas {
            let found: Vec<usize> = self
                .cat
                .functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name.schema == schema && f.name.name == name)
                .filter(|(_, f)| args.as_ref().is_none_or(|a| identity(&f.args) == *a))
                .map(|(i, _)| i)
                .collect();
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(vec![])
    }

    pub(super) fn alter_function(
        &mut self,
        stmt: &Stmt,
        target: FunctionRef,
        action: FunctionAction,
    ) -> Applied {
        if matches!(action, FunctionAction::Irrelevant) {
            return Ok(());
        }
        let found = self.find_functions(stmt, &target)?;
        let i = match found.as_slice() {
            [i] => *i,
            [] => {
                return Err(Problem::new(format!(
                    "function {} does not exist",
                    dotted(&target.name)
                ))
                .at(target.span));
            }
            _ => {
                return Err(Problem::new(format!(
                    "function name \"{}\" is not unique",
                    dotted(&target.name)
                ))
                .at(target.span)
                .help("specify the argument list to select the function unambiguously"));
            }
        };
        let function = &mut self.cat.functions[i];
        match action {
            FunctionAction::RenameTo(name) => function.name.name = name,
            FunctionAction::SetSchema(schema) => {
                function.name = QualifiedName::new(schema, &function.name.name)
            }
            FunctionAction::Strict(strict) => function.strict = strict,
            FunctionAction::Irrelevant => {}
        }
        Ok(())
    }

    pub(super) fn drop_functions(&mut self, stmt: &Stmt, def: &DropDef) -> Applied {
        for target in &def.functions {
            let found = self.find_functions(stmt, target)?;
            match found.as_slice() {
                [] if def.if_exists => {}
                [] => {
                    return Err(Problem::new(format!(
                        "function {} does not exist",
                        dotted(&target.name)
                    ))
                    .at(target.span.clone()));
                }
                [i] => {
                    self.cat.functions.remove(*i);
                }
                _ => {
                    return Err(Problem::new(format!(
                        "function name \"{}\" is not unique",
                        dotted(&target.name)
                    ))
                    .at(target.span.clone()));
                }
            }
        }
        Ok(())
    }
}
