//! Reading the contrib data file (see the module documentation of `builtins::contrib`): the
//! records of each section, then their type and function references, resolved to OIDs in the
//! analyzer's space.

use std::collections::HashMap;

use super::super::format::Record;
use super::super::{
    AggregateKind, ArgMode, BuiltinAggregate, BuiltinCast, BuiltinFunction, BuiltinOperator,
    Builtins, CastContext, CastMethod, FunctionKind, OperatorKind, ParseError, TypeKind,
    Volatility,
};
use super::{
    Contrib, Extension, ExtensionFunction, ExtensionType, FUNCTION_OID_BASE, OPERATOR_OID_BASE,
    TYPE_OID_BASE,
};

struct RawExtension<'a> {
    line: usize,
    name: String,
    version: String,
    relocatable: bool,
    schema: Option<String>,
    requires: Vec<String>,
    types: Vec<RawType<'a>>,
    functions: Vec<RawFunction<'a>>,
    aggregates: Vec<RawAggregate<'a>>,
    operators: Vec<RawOperator<'a>>,
    casts: Vec<RawCast<'a>>,
}

struct RawType<'a> {
    line: usize,
    name: String,
    kind: TypeKind,
    category: char,
    preferred: bool,
    array_name: Option<String>,
    base: &'a str,
    collatable: bool,
    subscript: &'a str,
    attributes: Vec<(usize, String, &'a str)>,
}

struct RawFunction<'a> {
    line: usize,
    name: String,
    language: String,
    kind: FunctionKind,
    volatility: Volatility,
    strict: bool,
    retset: bool,
    ret: &'a str,
    nargdefaults: u16,
    variadic: &'a str,
    args: &'a str,
    all_args: Option<&'a str>,
    arg_modes: Option<Vec<ArgMode>>,
    arg_names: Option<Vec<String>>,
}

struct RawAggregate<'a> {
    line: usize,
    function: &'a str,
    kind: AggregateKind,
    num_direct_args: u16,
    transfn: &'a str,
    finalfn: &'a str,
    transtype: &'a str,
    initval: Option<String>,
}

struct RawOperator<'a> {
    line: usize,
    name: String,
    kind: OperatorKind,
    left: &'a str,
    right: &'a str,
    result: &'a str,
    code: &'a str,
    commutator: &'a str,
    negator: &'a str,
}

struct RawCast<'a> {
    line: usize,
    source: &'a str,
    target: &'a str,
    context: CastContext,
    method: CastMethod,
    func: &'a str,
}

fn error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

pub(super) fn parse(text: &str) -> Result<Contrib, ParseError> {
    let (server_major, raw) = read_records(text)?;
    resolve(server_major, raw)
}

fn read_records(text: &str) -> Result<(u32, Vec<RawExtension<'_>>), ParseError> {
    let mut server_major = None;
    let mut extensions: Vec<RawExtension> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut r = Record {
            fields: line.split('\t'),
            line: i + 1,
        };
        let kind = r.str()?;
        if kind == "V" {
            server_major = Some(r.num()?);
            r.end()?;
            continue;
        }
        if kind == "E" {
            extensions.push(RawExtension {
                line: i + 1,
                name: r.string()?,
                version: r.string()?,
                relocatable: r.flag()?,
                schema: r.nullable(Record::string)?,
                requires: r.list(|_, s| Ok(s.to_string()))?,
                types: Vec::new(),
                functions: Vec::new(),
                aggregates: Vec::new(),
                operators: Vec::new(),
                casts: Vec::new(),
            });
            r.end()?;
            continue;
        }
        let Some(ext) = extensions.last_mut() else {
            return Err(r.error(format!("a `{kind}` record before any `E` (extension)")));
        };
        match kind {
            "T" => ext.types.push(RawType {
                line: i + 1,
                name: r.string()?,
                kind: r.code(TypeKind::from_code)?,
                category: r.char()?,
                preferred: r.flag()?,
                array_name: r.nullable(Record::string)?,
                base: r.str()?,
                collatable: r.flag()?,
                subscript: r.str()?,
                attributes: Vec::new(),
            }),
            "K" => {
                let attribute = (i + 1, r.string()?, r.str()?);
                match ext.types.last_mut() {
                    Some(t) if t.kind == TypeKind::Composite => t.attributes.push(attribute),
                    _ => {
                        return Err(
                            r.error("a `K` (attribute) record after no composite `T`".into())
                        );
                    }
                }
            }
            "F" => ext.functions.push(RawFunction {
                line: i + 1,
                name: r.string()?,
                language: r.string()?,
                kind: r.code(FunctionKind::from_code)?,
                volatility: r.code(Volatility::from_code)?,
                strict: r.flag()?,
                retset: r.flag()?,
                ret: r.str()?,
                nargdefaults: r.num()?,
                variadic: r.str()?,
                args: r.str()?,
                all_args: r.nullable(Record::str)?,
                arg_modes: r.nullable(|r| r.list(|r, s| r.code_of(s, ArgMode::from_code)))?,
                arg_names: r.nullable(|r| r.list(|_, s| Ok(s.to_string())))?,
            }),
            "A" => ext.aggregates.push(RawAggregate {
                line: i + 1,
                function: r.str()?,
                kind: r.code(AggregateKind::from_code)?,
                num_direct_args: r.num()?,
                transfn: r.str()?,
                finalfn: r.str()?,
                transtype: r.str()?,
                initval: r.nullable(Record::string)?,
            }),
            "O" => ext.operators.push(RawOperator {
                line: i + 1,
                name: r.string()?,
                kind: r.code(OperatorKind::from_code)?,
                left: r.str()?,
                right: r.str()?,
                result: r.str()?,
                code: r.str()?,
                commutator: r.str()?,
                negator: r.str()?,
            }),
            "C" => ext.casts.push(RawCast {
                line: i + 1,
                source: r.str()?,
                target: r.str()?,
                context: r.code(CastContext::from_code)?,
                method: r.code(CastMethod::from_code)?,
                func: r.str()?,
            }),
            other => return Err(r.error(format!("unknown record kind `{other}`"))),
        }
        r.end()?;
    }
    let server_major = server_major.ok_or_else(|| error(0, "no `V` (server version) record"))?;
    Ok((server_major, extensions))
}

/// The OIDs of one extension's named objects.
#[derive(Default)]
struct Scope {
    /// typname (elements and arrays) → OID.
    types: HashMap<String, u32>,
    /// `name(types)` → OID.
    functions: HashMap<String, u32>,
    /// (name, left, right) → OID.
    operators: HashMap<(String, Option<u32>, u32), u32>,
}

struct Resolver<'r> {
    builtins: &'static Builtins,
    scopes: Vec<Scope>,
    /// Per extension: itself, then what it requires (transitively), as extension indices.
    visible: Vec<Vec<usize>>,
    /// An extension domain's OID → its base type's (not reduced).
    domains: HashMap<u32, u32>,
    /// Arrays of extension domains.
    domain_arrays: Vec<u32>,
    names: &'r [String],
}

impl Resolver<'_> {
    /// A type reference seen from extension `e`, domains reduced to their base type.
    fn ty(&self, e: usize, s: &str, line: usize) -> Result<u32, ParseError> {
        let mut oid = self.ty_unreduced(e, s, line)?;
        if self.domain_arrays.contains(&oid) {
            return Err(error(line, format!("`{s}` is an array of a domain")));
        }
        for _ in 0..16 {
            match self.domains.get(&oid) {
                Some(&base) => oid = base,
                None => return Ok(oid),
            }
        }
        Err(error(
            line,
            format!("the domain `{s}` is its own base type"),
        ))
    }

    fn ty_unreduced(&self, e: usize, s: &str, line: usize) -> Result<u32, ParseError> {
        if let Ok(oid) = s.parse::<u32>() {
            return match self.builtins.type_by_oid(oid) {
                Some(_) => Ok(oid),
                None => Err(error(line, format!("type {oid} is not a builtin type"))),
            };
        }
        self.visible[e]
            .iter()
            .find_map(|&x| self.scopes[x].types.get(s).copied())
            .ok_or_else(|| {
                error(
                    line,
                    format!(
                        "type `{s}` is not a type of {} or of an extension it requires",
                        self.names[e]
                    ),
                )
            })
    }

    fn opt_ty(&self, e: usize, s: &str, line: usize) -> Result<Option<u32>, ParseError> {
        if s == "0" {
            return Ok(None);
        }
        self.ty(e, s, line).map(Some)
    }

    fn types(&self, e: usize, s: &str, line: usize) -> Result<Vec<u32>, ParseError> {
        if s.is_empty() {
            return Ok(Vec::new());
        }
        s.split(',').map(|t| self.ty(e, t, line)).collect()
    }

    /// A function reference (`0`: none).
    fn function(&self, e: usize, s: &str, line: usize) -> Result<Option<u32>, ParseError> {
        if s == "0" {
            return Ok(None);
        }
        if let Ok(oid) = s.parse::<u32>() {
            return match self.builtins.function_by_oid(oid) {
                Some(_) => Ok(Some(oid)),
                None => Err(error(
                    line,
                    format!("function {oid} is not a builtin function"),
                )),
            };
        }
        self.visible[e]
            .iter()
            .find_map(|&x| self.scopes[x].functions.get(s).copied())
            .map(Some)
            .ok_or_else(|| {
                error(
                    line,
                    format!(
                        "function `{s}` is not a function of {} or of an extension it requires",
                        self.names[e]
                    ),
                )
            })
    }

    /// The operator `name` with these operand types: the extension's (or a required one's),
    /// else a builtin (`0`: none).
    fn operator(
        &self,
        e: usize,
        name: &str,
        left: Option<u32>,
        right: u32,
        line: usize,
    ) -> Result<Option<u32>, ParseError> {
        if name == "0" {
            return Ok(None);
        }
        let key = (name.to_string(), left, right);
        self.visible[e]
            .iter()
            .find_map(|&x| self.scopes[x].operators.get(&key).copied())
            .or_else(|| self.builtins.operator(name, left, right).map(|o| o.oid))
            .map(Some)
            .ok_or_else(|| {
                error(
                    line,
                    format!("no operator {name} with the implied operand types"),
                )
            })
    }
}

fn resolve(server_major: u32, raw: Vec<RawExtension>) -> Result<Contrib, ParseError> {
    let names: Vec<String> = raw.iter().map(|x| x.name.clone()).collect();
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    if index.len() != names.len() {
        return Err(error(0, "an extension is listed twice"));
    }
    // What each extension sees: itself, then what it requires, transitively (a required
    // extension left out of the file is simply not there to refer to).
    let visible: Vec<Vec<usize>> = (0..raw.len())
        .map(|e| {
            let mut seen = vec![e];
            let mut at = 0;
            while at < seen.len() {
                for r in &raw[seen[at]].requires {
                    if let Some(&x) = index.get(r.as_str())
                        && !seen.contains(&x)
                    {
                        seen.push(x);
                    }
                }
                at += 1;
            }
            seen
        })
        .collect();
    let mut resolver = Resolver {
        builtins: Builtins::load(),
        scopes: raw.iter().map(|_| Scope::default()).collect(),
        visible,
        domains: HashMap::new(),
        domain_arrays: Vec::new(),
        names: &names,
    };

    // Types: OIDs in file order, then domains' base types.
    let mut next_type = TYPE_OID_BASE;
    for (e, ext) in raw.iter().enumerate() {
        for t in &ext.types {
            let scope = &mut resolver.scopes[e];
            let taken = scope.types.insert(t.name.clone(), next_type).is_some()
                | t.array_name
                    .as_ref()
                    .is_some_and(|a| scope.types.insert(a.clone(), next_type + 1).is_some());
            if taken {
                return Err(error(
                    t.line,
                    format!("the type name `{}` is taken", t.name),
                ));
            }
            next_type += 2;
        }
    }
    for (e, ext) in raw.iter().enumerate() {
        for t in &ext.types {
            let oid = resolver.scopes[e].types[&t.name];
            match (t.kind, t.base) {
                (TypeKind::Domain, "0") => {
                    return Err(error(t.line, "a domain without a base type"));
                }
                (TypeKind::Domain, base) => {
                    let base = resolver.ty_unreduced(e, base, t.line)?;
                    resolver.domains.insert(oid, base);
                    if t.array_name.is_some() {
                        resolver.domain_arrays.push(oid + 1);
                    }
                }
                (_, "0") => {}
                _ => return Err(error(t.line, "a base type on a type that is not a domain")),
            }
        }
    }

    // Functions: OIDs in file order (their signatures only need types).
    let mut next_function = FUNCTION_OID_BASE;
    for (e, ext) in raw.iter().enumerate() {
        for f in &ext.functions {
            resolver.types(e, f.args, f.line)?;
            let signature = format!("{}({})", f.name, f.args);
            if resolver.scopes[e]
                .functions
                .insert(signature.clone(), next_function)
                .is_some()
            {
                return Err(error(f.line, format!("`{signature}` is listed twice")));
            }
            next_function += 1;
        }
    }

    // Operators: OIDs in file order, then commutators and negators by name.
    let mut next_operator = OPERATOR_OID_BASE;
    for (e, ext) in raw.iter().enumerate() {
        for o in &ext.operators {
            let left = resolver.opt_ty(e, o.left, o.line)?;
            let right = resolver.ty(e, o.right, o.line)?;
            if (o.kind == OperatorKind::Prefix) != left.is_none() {
                return Err(error(
                    o.line,
                    "the left operand does not match the operator kind",
                ));
            }
            if resolver.scopes[e]
                .operators
                .insert((o.name.clone(), left, right), next_operator)
                .is_some()
            {
                return Err(error(
                    o.line,
                    format!("operator {} is listed twice", o.name),
                ));
            }
            next_operator += 1;
        }
    }

    let mut extensions = Vec::new();
    for (e, ext) in raw.iter().enumerate() {
        let r = &resolver;
        let mut types = Vec::new();
        for t in &ext.types {
            let oid = r.scopes[e].types[&t.name];
            types.push(ExtensionType {
                oid,
                name: t.name.clone(),
                kind: t.kind,
                category: t.category,
                preferred: t.preferred,
                array: t.array_name.as_ref().map(|_| oid + 1),
                array_name: t.array_name.clone(),
                base: match t.kind {
                    TypeKind::Domain => Some(r.ty(e, &t.name, t.line)?),
                    _ => None,
                },
                collatable: t.collatable,
                subscript: r.function(e, t.subscript, t.line)?,
                attributes: t
                    .attributes
                    .iter()
                    .map(|(line, name, ty)| Ok((name.clone(), r.ty(e, ty, *line)?)))
                    .collect::<Result<_, ParseError>>()?,
            });
            if !matches!(
                t.kind,
                TypeKind::Base | TypeKind::Composite | TypeKind::Domain
            ) {
                return Err(error(
                    t.line,
                    "only base, composite and domain types are described",
                ));
            }
        }

        let mut functions = Vec::new();
        for f in &ext.functions {
            let signature = format!("{}({})", f.name, f.args);
            let all_args = f.all_args.map(|a| r.types(e, a, f.line)).transpose()?;
            let args = r.types(e, f.args, f.line)?;
            let params = all_args.as_ref().map_or(args.len(), Vec::len);
            if f.arg_modes.as_ref().is_some_and(|m| m.len() != params)
                || f.arg_names.as_ref().is_some_and(|n| n.len() != params)
            {
                return Err(error(
                    f.line,
                    "argument modes or names do not match the arguments",
                ));
            }
            functions.push(ExtensionFunction {
                function: BuiltinFunction {
                    oid: r.scopes[e].functions[&signature],
                    name: f.name.clone(),
                    kind: f.kind,
                    volatility: f.volatility,
                    strict: f.strict,
                    retset: f.retset,
                    ret: r.ty(e, f.ret, f.line)?,
                    nargdefaults: f.nargdefaults,
                    variadic: r.opt_ty(e, f.variadic, f.line)?,
                    args,
                    all_args,
                    arg_modes: f.arg_modes.clone(),
                    arg_names: f.arg_names.clone(),
                    aggregate: None,
                },
                language: f.language.clone(),
            });
        }
        for a in &ext.aggregates {
            let Some(fnoid) = r.function(e, a.function, a.line)? else {
                return Err(error(a.line, "an aggregate of no function"));
            };
            let aggregate = BuiltinAggregate {
                fnoid,
                kind: a.kind,
                num_direct_args: a.num_direct_args,
                transfn: r
                    .function(e, a.transfn, a.line)?
                    .ok_or_else(|| error(a.line, "an aggregate without a transition function"))?,
                finalfn: r.function(e, a.finalfn, a.line)?,
                transtype: r.ty(e, a.transtype, a.line)?,
                initval: a.initval.clone(),
            };
            match functions.iter_mut().find(|f| f.function.oid == fnoid) {
                Some(f) if f.function.kind == FunctionKind::Aggregate => {
                    if f.function.aggregate.replace(aggregate).is_some() {
                        return Err(error(a.line, "a second aggregate of one function"));
                    }
                }
                _ => {
                    return Err(error(
                        a.line,
                        format!("`{}` is not an aggregate of {}", a.function, ext.name),
                    ));
                }
            }
        }
        if let Some(f) = functions
            .iter()
            .find(|f| f.function.kind == FunctionKind::Aggregate && f.function.aggregate.is_none())
        {
            return Err(error(
                ext.line,
                format!(
                    "the aggregate {} of {} has no `A` record",
                    f.function.name, ext.name
                ),
            ));
        }

        let mut operators = Vec::new();
        for o in &ext.operators {
            let left = r.opt_ty(e, o.left, o.line)?;
            let right = r.ty(e, o.right, o.line)?;
            let commutator = match left {
                Some(l) => r.operator(e, o.commutator, Some(right), l, o.line)?,
                None if o.commutator == "0" => None,
                None => return Err(error(o.line, "a prefix operator with a commutator")),
            };
            operators.push(BuiltinOperator {
                oid: r.scopes[e].operators[&(o.name.clone(), left, right)],
                name: o.name.clone(),
                kind: o.kind,
                left,
                right,
                result: r.ty(e, o.result, o.line)?,
                code: r
                    .function(e, o.code, o.line)?
                    .ok_or_else(|| error(o.line, "an operator without a function"))?,
                commutator,
                negator: r.operator(e, o.negator, left, right, o.line)?,
            });
        }

        let own: Vec<u32> = types
            .iter()
            .flat_map(|t| [Some(t.oid), t.array].into_iter().flatten())
            .collect();
        let mut casts = Vec::new();
        for c in &ext.casts {
            let (source, target) = (r.ty(e, c.source, c.line)?, r.ty(e, c.target, c.line)?);
            if !own.contains(&source) && !own.contains(&target) {
                return Err(error(c.line, "a cast between types of no extension's own"));
            }
            casts.push(BuiltinCast {
                source,
                target,
                context: c.context,
                method: c.method,
                func: r.function(e, c.func, c.line)?,
            });
        }

        extensions.push(Extension {
            name: ext.name.clone(),
            version: ext.version.clone(),
            relocatable: ext.relocatable,
            schema: ext.schema.clone(),
            requires: ext.requires.clone(),
            types,
            functions,
            operators,
            casts,
        });
    }
    Ok(Contrib::new(server_major, extensions))
}
