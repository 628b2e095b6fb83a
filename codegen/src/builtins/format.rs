//! The data file: reading and writing (see the module documentation of `builtins`).

use std::fmt::{self, Write as _};

use super::{
    AggregateKind, ArgMode, BuiltinAggregate, BuiltinCast, BuiltinColumn, BuiltinFunction,
    BuiltinOperator, BuiltinRelation, BuiltinType, Builtins, CastContext, CastMethod, FunctionKind,
    OperatorKind, RelationKind, TypeKind, Volatility,
};

pub(super) const NULL: &str = "\\N";

const HEADER: &str = "\
# squill builtins: PostgreSQL's own types, functions, operators, casts and aggregates (pg_catalog),
# and the tables and views of pg_catalog and information_schema (each R line followed by its K columns).
# Generated; do not edit. Regenerate: cargo run -p squill-codegen --bin squill-builtins -- codegen/builtins/pg15.tsv
# Format: codegen/src/builtins/mod.rs. Tab-separated; 0 = none, \\N = NULL, lists joined by commas.
";

const TYPE_COLUMNS: &str = "# T\toid\ttypname\tformat_type\ttyptype\ttypcategory\ttypispreferred\ttyplen\ttypbyval\ttypelem\ttyparray\ttypsubscript\ttypbasetype\ttypcollation\trngsubtype\trngmultitypid\n";
const FUNCTION_COLUMNS: &str = "# F\toid\tproname\tprokind\tprovolatile\tproisstrict\tproretset\tprorettype\tpronargdefaults\tprovariadic\tproargtypes\tproallargtypes\tproargmodes\tproargnames\n";
const OPERATOR_COLUMNS: &str =
    "# O\toid\toprname\toprkind\toprleft\toprright\toprresult\toprcode\toprcom\toprnegate\n";
const CAST_COLUMNS: &str = "# C\tcastsource\tcasttarget\tcastcontext\tcastmethod\tcastfunc\n";
const AGGREGATE_COLUMNS: &str =
    "# A\taggfnoid\taggkind\taggnumdirectargs\taggtransfn\taggfinalfn\taggtranstype\tagginitval\n";
const RELATION_COLUMNS: &str = "# R\tnspname\trelname\trelkind\tprimary key (conkey's attnames)\n";
const COLUMN_COLUMNS: &str = "# K\tattname\tatttypid (a domain's base type)\tattnotnull\n";

/// A malformed data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Catalog one-letter codes.
macro_rules! codes {
    ($($ty:ident { $($variant:ident = $code:literal),* $(,)? })*) => {$(
        impl $ty {
            /// The catalog's one-letter code.
            pub fn code(self) -> char {
                match self { $($ty::$variant => $code),* }
            }

            /// From the catalog's one-letter code.
            pub fn from_code(code: char) -> Option<Self> {
                match code { $($code => Some($ty::$variant),)* _ => None }
            }
        }
    )*};
}

codes! {
    TypeKind { Base = 'b', Composite = 'c', Domain = 'd', Enum = 'e', Pseudo = 'p', Range = 'r', Multirange = 'm' }
    FunctionKind { Function = 'f', Procedure = 'p', Aggregate = 'a', Window = 'w' }
    Volatility { Immutable = 'i', Stable = 's', Volatile = 'v' }
    ArgMode { In = 'i', Out = 'o', InOut = 'b', Variadic = 'v', Table = 't' }
    OperatorKind { Binary = 'b', Prefix = 'l' }
    CastContext { Implicit = 'i', Assignment = 'a', Explicit = 'e' }
    CastMethod { Function = 'f', InOut = 'i', Binary = 'b' }
    AggregateKind { Normal = 'n', OrderedSet = 'o', Hypothetical = 'h' }
    RelationKind { Table = 'r', View = 'v', MaterializedView = 'm', PartitionedTable = 'p', ForeignTable = 'f' }
}

pub(super) fn write(b: &Builtins) -> String {
    let mut out = String::with_capacity(400_000);
    out.push_str(HEADER);
    let _ = writeln!(out, "V\t{}", b.server_major);

    out.push_str(TYPE_COLUMNS);
    for t in &b.types {
        let _ = writeln!(
            out,
            "T\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            t.oid,
            t.name,
            t.sql_name,
            t.kind.code(),
            t.category,
            flag(t.preferred),
            t.len,
            flag(t.byval),
            oid(t.elem),
            oid(t.array),
            oid(t.subscript),
            oid(t.base),
            oid(t.collation),
            oid(t.range_subtype),
            oid(t.multirange),
        );
    }

    let mut functions: Vec<&BuiltinFunction> = b.functions.iter().collect();
    functions.sort_by_key(|f| f.oid);
    out.push_str(FUNCTION_COLUMNS);
    for f in &functions {
        let _ = writeln!(
            out,
            "F\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            f.oid,
            f.name,
            f.kind.code(),
            f.volatility.code(),
            flag(f.strict),
            flag(f.retset),
            f.ret,
            f.nargdefaults,
            oid(f.variadic),
            join(f.args.iter()),
            f.all_args
                .as_ref()
                .map_or(NULL.to_string(), |a| join(a.iter())),
            f.arg_modes.as_ref().map_or(NULL.to_string(), |m| m
                .iter()
                .map(|m| m.code().to_string())
                .collect::<Vec<_>>()
                .join(",")),
            f.arg_names
                .as_ref()
                .map_or(NULL.to_string(), |n| n.join(",")),
        );
    }

    let mut operators: Vec<&BuiltinOperator> = b.operators.iter().collect();
    operators.sort_by_key(|o| o.oid);
    out.push_str(OPERATOR_COLUMNS);
    for o in operators {
        let _ = writeln!(
            out,
            "O\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            o.oid,
            o.name,
            o.kind.code(),
            oid(o.left),
            o.right,
            o.result,
            o.code,
            oid(o.commutator),
            oid(o.negator),
        );
    }

    out.push_str(CAST_COLUMNS);
    for c in &b.casts {
        let _ = writeln!(
            out,
            "C\t{}\t{}\t{}\t{}\t{}",
            c.source,
            c.target,
            c.context.code(),
            c.method.code(),
            oid(c.func),
        );
    }

    out.push_str(AGGREGATE_COLUMNS);
    for a in functions.iter().filter_map(|f| f.aggregate.as_ref()) {
        let _ = writeln!(
            out,
            "A\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            a.fnoid,
            a.kind.code(),
            a.num_direct_args,
            a.transfn,
            oid(a.finalfn),
            a.transtype,
            a.initval.as_deref().unwrap_or(NULL),
        );
    }

    out.push_str(RELATION_COLUMNS);
    out.push_str(COLUMN_COLUMNS);
    for r in &b.relations {
        let key = r
            .primary_key
            .as_ref()
            .map_or(NULL.to_string(), |k| k.join(","));
        let _ = writeln!(out, "R\t{}\t{}\t{}\t{key}", r.schema, r.name, r.kind.code());
        for c in &r.columns {
            let _ = writeln!(out, "K\t{}\t{}\t{}", c.name, c.ty, flag(c.not_null));
        }
    }
    out
}

fn flag(b: bool) -> char {
    if b { 't' } else { 'f' }
}

fn oid(o: Option<u32>) -> u32 {
    o.unwrap_or(0)
}

fn join<'a>(items: impl Iterator<Item = &'a u32>) -> String {
    items.map(u32::to_string).collect::<Vec<_>>().join(",")
}

pub(super) fn parse(text: &str) -> Result<Builtins, ParseError> {
    let mut server_major = None;
    let mut types = Vec::new();
    let mut functions = Vec::new();
    let mut operators = Vec::new();
    let mut casts = Vec::new();
    let mut aggregates = Vec::new();
    let mut relations: Vec<BuiltinRelation> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut r = Record {
            fields: line.split('\t'),
            line: i + 1,
        };
        match r.str()? {
            "V" => server_major = Some(r.num()?),
            "T" => types.push(BuiltinType {
                oid: r.num()?,
                name: r.string()?,
                sql_name: r.string()?,
                kind: r.code(TypeKind::from_code)?,
                category: r.char()?,
                preferred: r.flag()?,
                len: r.num()?,
                byval: r.flag()?,
                elem: r.oid()?,
                array: r.oid()?,
                subscript: r.oid()?,
                base: r.oid()?,
                collation: r.oid()?,
                range_subtype: r.oid()?,
                multirange: r.oid()?,
            }),
            "F" => functions.push(BuiltinFunction {
                oid: r.num()?,
                name: r.string()?,
                kind: r.code(FunctionKind::from_code)?,
                volatility: r.code(Volatility::from_code)?,
                strict: r.flag()?,
                retset: r.flag()?,
                ret: r.num()?,
                nargdefaults: r.num()?,
                variadic: r.oid()?,
                args: r.oids()?,
                all_args: r.nullable(Record::oids)?,
                arg_modes: r.nullable(|r| r.list(|r, s| r.code_of(s, ArgMode::from_code)))?,
                arg_names: r.nullable(|r| r.list(|_, s| Ok(s.to_string())))?,
                aggregate: None,
            }),
            "O" => operators.push(BuiltinOperator {
                oid: r.num()?,
                name: r.string()?,
                kind: r.code(OperatorKind::from_code)?,
                left: r.oid()?,
                right: r.num()?,
                result: r.num()?,
                code: r.num()?,
                commutator: r.oid()?,
                negator: r.oid()?,
            }),
            "C" => casts.push(BuiltinCast {
                source: r.num()?,
                target: r.num()?,
                context: r.code(CastContext::from_code)?,
                method: r.code(CastMethod::from_code)?,
                func: r.oid()?,
            }),
            "A" => aggregates.push(BuiltinAggregate {
                fnoid: r.num()?,
                kind: r.code(AggregateKind::from_code)?,
                num_direct_args: r.num()?,
                transfn: r.num()?,
                finalfn: r.oid()?,
                transtype: r.num()?,
                initval: r.nullable(Record::string)?,
            }),
            "R" => relations.push(BuiltinRelation {
                schema: r.string()?,
                name: r.string()?,
                kind: r.code(RelationKind::from_code)?,
                columns: Vec::new(),
                primary_key: r.nullable(|r| r.list(|_, s| Ok(s.to_string())))?,
            }),
            "K" => {
                let column = BuiltinColumn {
                    name: r.string()?,
                    ty: r.num()?,
                    not_null: r.flag()?,
                };
                match relations.last_mut() {
                    Some(relation) => relation.columns.push(column),
                    None => return Err(r.error("a `K` (column) record before any `R`".into())),
                }
            }
            other => return Err(r.error(format!("unknown record kind `{other}`"))),
        }
        r.end()?;
    }
    let server_major = server_major.ok_or_else(|| ParseError {
        line: 0,
        message: "no `V` (server version) record".into(),
    })?;
    let functions_known = functions.len();
    let aggregates_given = aggregates.len();
    let relations_given = relations.len();
    let b = Builtins::new(
        server_major,
        types,
        functions,
        operators,
        casts,
        aggregates,
        relations,
    );
    if b.relation_by_name.len() != relations_given {
        return Err(ParseError {
            line: 0,
            message: "a relation is listed twice".into(),
        });
    }
    let attached = b.functions.iter().filter(|f| f.aggregate.is_some()).count();
    if attached != aggregates_given {
        return Err(ParseError {
            line: 0,
            message: format!(
                "{} of {aggregates_given} aggregates name none of the {functions_known} functions",
                aggregates_given - attached
            ),
        });
    }
    Ok(b)
}

/// The remaining fields of one line.
pub(super) struct Record<'a> {
    pub(super) fields: std::str::Split<'a, char>,
    pub(super) line: usize,
}

impl<'a> Record<'a> {
    pub(super) fn error(&self, message: String) -> ParseError {
        ParseError {
            line: self.line,
            message,
        }
    }

    pub(super) fn str(&mut self) -> Result<&'a str, ParseError> {
        self.fields
            .next()
            .ok_or_else(|| self.error("too few fields".into()))
    }

    pub(super) fn end(&mut self) -> Result<(), ParseError> {
        match self.fields.next() {
            None => Ok(()),
            Some(_) => Err(self.error("too many fields".into())),
        }
    }

    pub(super) fn string(&mut self) -> Result<String, ParseError> {
        Ok(self.str()?.to_string())
    }

    pub(super) fn num<T: std::str::FromStr>(&mut self) -> Result<T, ParseError> {
        let s = self.str()?;
        self.num_of(s)
    }

    pub(super) fn num_of<T: std::str::FromStr>(&self, s: &str) -> Result<T, ParseError> {
        s.parse()
            .map_err(|_| self.error(format!("`{s}` is not a number")))
    }

    pub(super) fn oid(&mut self) -> Result<Option<u32>, ParseError> {
        Ok(Some(self.num()?).filter(|&o| o != 0))
    }

    pub(super) fn char(&mut self) -> Result<char, ParseError> {
        let s = self.str()?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(self.error(format!("`{s}` is not one character"))),
        }
    }

    pub(super) fn flag(&mut self) -> Result<bool, ParseError> {
        match self.str()? {
            "t" => Ok(true),
            "f" => Ok(false),
            s => Err(self.error(format!("`{s}` is not `t` or `f`"))),
        }
    }

    pub(super) fn code<T>(&mut self, from: fn(char) -> Option<T>) -> Result<T, ParseError> {
        let s = self.str()?;
        self.code_of(s, from)
    }

    pub(super) fn code_of<T>(&self, s: &str, from: fn(char) -> Option<T>) -> Result<T, ParseError> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => from(c),
            _ => None,
        }
        .ok_or_else(|| self.error(format!("unknown code `{s}`")))
    }

    pub(super) fn list<T>(
        &mut self,
        item: impl Fn(&Self, &str) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let s = self.str()?;
        if s.is_empty() {
            return Ok(Vec::new());
        }
        s.split(',').map(|s| item(self, s)).collect()
    }

    pub(super) fn oids(&mut self) -> Result<Vec<u32>, ParseError> {
        self.list(|r, s| r.num_of(s))
    }

    /// `\N` is `None`, anything else is read by `read`.
    pub(super) fn nullable<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<Option<T>, ParseError> {
        let mut peek = self.fields.clone();
        if peek.next() == Some(NULL) {
            self.fields = peek;
            return Ok(None);
        }
        read(self).map(Some)
    }
}
