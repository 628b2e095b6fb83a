//! Type names: [`TypeName`] (what PostgreSQL stores: the type's schema and `typname`, the type
//! modifier, array dimensions), spelled exactly as `format_type(oid, typmod)` spells it, and the
//! grammar of type names in SQL text (`integer`, `character varying(20)`, `int[][]`,
//! `timestamp(3) with time zone`, `public.mood`, `users.id%TYPE`), which turns every spelling
//! into the `typname` and `typmod` PostgreSQL would store.
//!
//! sqlparser's `DataType` has a hundred variants from a dozen dialects; the DDL reader prints
//! it (its `Display` is SQL syntax) and reads it back with the grammar here, so that the
//! sqlparser path and the token-level readers share one mapping and cannot disagree.

use std::fmt;
use std::ops::Range;

use sqlparser::ast::DataType;
use sqlparser::tokenizer::Token;

use super::QualifiedName;
use super::tokens::{Cursor, ReadError, tokenize};

/// A type as PostgreSQL records it for a column, argument or attribute.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeName {
    /// The type's schema: `pg_catalog` for builtins.
    pub schema: String,
    /// `pg_type.typname` of the element type: `int4`, `varchar`, `timestamptz`, `mood`.
    pub name: String,
    /// The type modifier as PostgreSQL stores it, -1 when none: `varchar(20)` → 24,
    /// `numeric(10,3)` → `((10 << 16) | 3) + 4`, `timestamp(3)` → 3.
    pub typmod: i32,
    /// 0 for a scalar. For an array: the dimensions as declared where PostgreSQL records them
    /// (table and composite columns: `attndims`; domains: `typndims`), otherwise 1 (function
    /// signatures, and columns copied by `LIKE`, `PARTITION OF`, `INHERITS` or a view).
    /// PostgreSQL does not enforce dimensions: `int[][]` and `int[]` are the same type.
    pub array_dims: u32,
}

impl TypeName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        TypeName {
            schema: schema.into(),
            name: name.into(),
            typmod: -1,
            array_dims: 0,
        }
    }

    /// A `pg_catalog` type by `typname`: `TypeName::builtin("int4")`.
    pub fn builtin(name: &str) -> Self {
        Self::new("pg_catalog", name)
    }

    pub fn with_typmod(mut self, typmod: i32) -> Self {
        self.typmod = typmod;
        self
    }

    pub fn array_of(mut self, dims: u32) -> Self {
        self.array_dims = dims;
        self
    }

    pub fn is_array(&self) -> bool {
        self.array_dims > 0
    }

    pub fn is_builtin(&self) -> bool {
        self.schema == "pg_catalog"
    }

    /// The element type's name.
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    /// The same type without its modifier, as in function signatures.
    pub fn without_typmod(&self) -> TypeName {
        TypeName {
            typmod: -1,
            ..self.clone()
        }
    }

    /// Dimensions reduced to what PostgreSQL keeps where it does not record them: 1 for any
    /// array.
    pub fn undimensioned(&self) -> TypeName {
        TypeName {
            array_dims: self.array_dims.min(1),
            ..self.clone()
        }
    }

    /// `format_type(oid, typmod)` with the default search path (`"$user", public`).
    pub fn display(&self) -> String {
        self.display_in(&["public"])
    }

    /// `format_type(oid, typmod)` in a session whose search path is `search_path`: a type
    /// outside it is schema-qualified. (PostgreSQL also qualifies a type hidden by a type of the
    /// same name earlier in the path; with one catalog that cannot happen here.)
    pub fn display_in<S: AsRef<str>>(&self, search_path: &[S]) -> String {
        let mut text = self
            .sql_spelling()
            .unwrap_or_else(|| self.generic_spelling(search_path));
        if self.is_array() {
            text.push_str("[]");
        }
        text
    }

    /// The SQL-standard spellings `format_type` uses for a few builtins.
    fn sql_spelling(&self) -> Option<String> {
        if self.schema != "pg_catalog" {
            return None;
        }
        let m = self.typmod;
        let with = m >= 0;
        Some(match self.name.as_str() {
            "bool" => "boolean".into(),
            "int2" => "smallint".into(),
            "int4" => "integer".into(),
            "int8" => "bigint".into(),
            "float4" => "real".into(),
            "float8" => "double precision".into(),
            // bit, bpchar with typmod -1 are not `bit`/`character` (which mean length 1), so
            // format_type falls back to the type's name for them.
            "bit" if with => format!("bit({m})"),
            "bpchar" if with => format!("character({})", m - 4),
            "varbit" if with => format!("bit varying({m})"),
            "varbit" => "bit varying".into(),
            "varchar" if with => format!("character varying({})", m - 4),
            "varchar" => "character varying".into(),
            "numeric" if with => {
                let precision = ((m - 4) >> 16) & 0xffff;
                let scale = (((m - 4) & 0x7ff) ^ 1024) - 1024;
                format!("numeric({precision},{scale})")
            }
            "numeric" => "numeric".into(),
            "time" => format!("time{} without time zone", precision_suffix(m)),
            "timetz" => format!("time{} with time zone", precision_suffix(m)),
            "timestamp" => format!("timestamp{} without time zone", precision_suffix(m)),
            "timestamptz" => format!("timestamp{} with time zone", precision_suffix(m)),
            "interval" => format!("interval{}", interval_suffix(m)),
            _ => return None,
        })
    }

    fn generic_spelling<S: AsRef<str>>(&self, search_path: &[S]) -> String {
        let visible =
            self.schema == "pg_catalog" || search_path.iter().any(|s| s.as_ref() == self.schema);
        let mut text = if visible {
            quote_ident(&self.name)
        } else {
            format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
        };
        if self.typmod >= 0 {
            text.push_str(&format!("({})", self.typmod));
        }
        text
    }
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

fn precision_suffix(typmod: i32) -> String {
    if typmod >= 0 {
        format!("({typmod})")
    } else {
        String::new()
    }
}

// Interval typmods (PostgreSQL's datetime.h and timestamp.h): the field mask in the high 16
// bits, the fractional-second precision in the low 16.
const MONTH: i32 = 1 << 1;
const YEAR: i32 = 1 << 2;
const DAY: i32 = 1 << 3;
const HOUR: i32 = 1 << 10;
const MINUTE: i32 = 1 << 11;
const SECOND: i32 = 1 << 12;
const INTERVAL_FULL_RANGE: i32 = 0x7fff;
const INTERVAL_FULL_PRECISION: i32 = 0xffff;

const INTERVAL_FIELDS: &[(i32, &str)] = &[
    (YEAR, " year"),
    (MONTH, " month"),
    (DAY, " day"),
    (HOUR, " hour"),
    (MINUTE, " minute"),
    (SECOND, " second"),
    (YEAR | MONTH, " year to month"),
    (DAY | HOUR, " day to hour"),
    (DAY | HOUR | MINUTE, " day to minute"),
    (DAY | HOUR | MINUTE | SECOND, " day to second"),
    (HOUR | MINUTE, " hour to minute"),
    (HOUR | MINUTE | SECOND, " hour to second"),
    (MINUTE | SECOND, " minute to second"),
    (INTERVAL_FULL_RANGE, ""),
];

/// `intervaltypmodout`.
fn interval_suffix(typmod: i32) -> String {
    if typmod < 0 {
        return String::new();
    }
    let range = (typmod >> 16) & 0x7fff;
    let precision = typmod & 0xffff;
    let fields = INTERVAL_FIELDS
        .iter()
        .find(|(mask, _)| *mask == range)
        .map_or("", |(_, text)| text);
    if precision == INTERVAL_FULL_PRECISION {
        fields.to_string()
    } else {
        format!("{fields}({precision})")
    }
}

fn interval_typmod(range: Option<i32>, precision: Option<i32>) -> i32 {
    match (range, precision) {
        (None, None) => -1,
        (range, precision) => {
            (range.unwrap_or(INTERVAL_FULL_RANGE) << 16)
                | (precision.unwrap_or(INTERVAL_FULL_PRECISION) & 0xffff)
        }
    }
}

/// PostgreSQL's `quote_identifier`: unchanged when it is lower case letters, digits and `_`
/// (not starting with a digit) and not a keyword that needs quoting; else double-quoted.
pub fn quote_ident(ident: &str) -> String {
    let safe = ident
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && ident
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && RESERVED_KEYWORDS.binary_search(&ident).is_err();
    if safe {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// PostgreSQL 15's keywords that are not UNRESERVED_KEYWORD
/// (`SELECT word FROM pg_get_keywords() WHERE catcode <> 'U' ORDER BY word`): the ones
/// `quote_identifier` quotes.
#[rustfmt::skip]
const RESERVED_KEYWORDS: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
    "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into",
    "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit", "localtime",
    "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps",
    "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
    "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
    "symmetric", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
];

/// Every non-array, non-row type in PostgreSQL 15's `pg_catalog`
/// (`SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace AND typtype
/// <> 'c' AND (typcategory <> 'A' OR typname NOT LIKE '\_%') ORDER BY typname`). An
/// unqualified type name is looked up here first, as `pg_catalog` leads the search path.
#[rustfmt::skip]
const BUILTIN_TYPES: &[&str] = &[
    "_record", "aclitem", "any", "anyarray", "anycompatible", "anycompatiblearray",
    "anycompatiblemultirange", "anycompatiblenonarray", "anycompatiblerange", "anyelement",
    "anyenum", "anymultirange", "anynonarray", "anyrange", "bit", "bool", "box", "bpchar", "bytea",
    "char", "cid", "cidr", "circle", "cstring", "date", "datemultirange", "daterange",
    "event_trigger", "fdw_handler", "float4", "float8", "gtsvector", "index_am_handler", "inet",
    "int2", "int2vector", "int4", "int4multirange", "int4range", "int8", "int8multirange",
    "int8range", "internal", "interval", "json", "jsonb", "jsonpath", "language_handler", "line",
    "lseg", "macaddr", "macaddr8", "money", "name", "numeric", "nummultirange", "numrange", "oid",
    "oidvector", "path", "pg_brin_bloom_summary", "pg_brin_minmax_multi_summary", "pg_ddl_command",
    "pg_dependencies", "pg_lsn", "pg_mcv_list", "pg_ndistinct", "pg_node_tree", "pg_snapshot",
    "point", "polygon", "record", "refcursor", "regclass", "regcollation", "regconfig",
    "regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole",
    "regtype", "table_am_handler", "text", "tid", "time", "timestamp", "timestamptz", "timetz",
    "trigger", "tsm_handler", "tsmultirange", "tsquery", "tsrange", "tstzmultirange", "tstzrange",
    "tsvector", "txid_snapshot", "unknown", "uuid", "varbit", "varchar", "void", "xid", "xid8",
    "xml",
];

/// `pg_catalog` has a type named `name`.
pub(crate) fn is_builtin_type(name: &str) -> bool {
    BUILTIN_TYPES.binary_search(&name).is_ok()
}

/// A type name as written in SQL, before it is looked up in a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeSpec {
    pub base: BaseType,
    /// `[]` pairs, or 1 for `ARRAY`.
    pub array_dims: u32,
    /// Where it is written, for messages.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseType {
    /// SQL-standard syntax with a fixed meaning: `integer`, `character varying(20)`,
    /// `timestamp(3) with time zone`, `interval day to second`.
    Sql { typname: &'static str, typmod: i32 },
    /// A type by (possibly qualified) name, with its modifiers as written: `mood`,
    /// `public.mood`, `int4`, `vector(1536)`, `pg_catalog.varchar(20)`.
    Named {
        name: Vec<String>,
        mods: Vec<String>,
    },
    /// `table.column%TYPE` (function signatures): the column's type.
    ColumnType(Vec<String>),
}

impl TypeSpec {
    /// `serial`, `bigserial`, `smallserial` (and `serial4` ...): the integer type they stand
    /// for. Only meaningful for a column definition.
    pub fn serial(&self) -> Option<&'static str> {
        let BaseType::Named { name, mods } = &self.base else {
            return None;
        };
        if name.len() != 1 || !mods.is_empty() {
            return None;
        }
        match name[0].as_str() {
            "smallserial" | "serial2" => Some("int2"),
            "serial" | "serial4" => Some("int4"),
            "bigserial" | "serial8" => Some("int8"),
            _ => None,
        }
    }
}

/// Reads the type sqlparser parsed, through its SQL spelling.
pub(crate) fn spec_from_data_type(
    data_type: &DataType,
    span: Range<usize>,
) -> Result<TypeSpec, ReadError> {
    let text = data_type.to_string();
    let toks = tokenize(&text, 0).map_err(|e| ReadError::new(e, span.clone()))?;
    let mut cursor = Cursor::new(&toks);
    let mut spec = parse_type(&mut cursor)
        .map_err(|e| ReadError::new(format!("type `{text}`: {}", e.message), span.clone()))?;
    if !cursor.at_end() {
        return Err(ReadError::new(
            format!("type `{text}` is not a PostgreSQL type name"),
            span,
        ));
    }
    spec.span = span;
    Ok(spec)
}

/// Reads a type name: PostgreSQL's `Typename` (plus `%TYPE`).
pub(crate) fn parse_type(cursor: &mut Cursor) -> Result<TypeSpec, ReadError> {
    let start = cursor.span();
    let base = parse_base(cursor)?;
    let mut array_dims = 0;
    if cursor.eat_word("array") {
        array_dims = 1;
        if cursor.is(&Token::LBracket) {
            cursor.skip_one();
        }
    } else {
        while cursor.is(&Token::LBracket) {
            cursor.skip_one();
            array_dims += 1;
        }
    }
    let end = cursor.span().start.max(start.start);
    Ok(TypeSpec {
        base,
        array_dims,
        span: start.start..end,
    })
}

fn parse_base(cursor: &mut Cursor) -> Result<BaseType, ReadError> {
    let Some(Token::Word(word)) = cursor.peek() else {
        return Err(cursor.error("expected a type name"));
    };
    // Keywords only have their SQL meaning unquoted and unqualified.
    let keyword = word.quote_style.is_none() && cursor.peek_nth(1) != Some(&Token::Period);
    if keyword {
        let lower = word.value.to_ascii_lowercase();
        if let Some(base) = parse_sql_type(cursor, &lower)? {
            return Ok(base);
        }
    }
    let name = cursor.object_name()?;
    if cursor.is(&Token::Mod) && cursor.is_word_at(1, "type") {
        cursor.next();
        cursor.next();
        return Ok(BaseType::ColumnType(name));
    }
    if cursor.is(&Token::Mod) && cursor.is_word_at(1, "rowtype") {
        cursor.next();
        cursor.next();
        return Ok(BaseType::Named { name, mods: vec![] });
    }
    let mods = if cursor.is(&Token::LParen) {
        let inner = cursor.parenthesized()?;
        super::tokens::split_commas(inner)
            .into_iter()
            .map(|part| {
                part.iter()
                    .map(|t| match &t.token {
                        Token::SingleQuotedString(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("")
            })
            .collect()
    } else {
        vec![]
    };
    Ok(BaseType::Named { name, mods })
}

/// The keyword-introduced types of PostgreSQL's grammar (`Numeric`, `Bit`, `Character`,
/// `ConstDatetime`, `ConstInterval`). `None` when `word` starts none of them.
fn parse_sql_type(cursor: &mut Cursor, word: &str) -> Result<Option<BaseType>, ReadError> {
    let sql = |typname: &'static str, typmod: i32| Ok(Some(BaseType::Sql { typname, typmod }));
    match word {
        "int" | "integer" => {
            cursor.next();
            sql("int4", -1)
        }
        "smallint" => {
            cursor.next();
            sql("int2", -1)
        }
        "bigint" => {
            cursor.next();
            sql("int8", -1)
        }
        "real" => {
            cursor.next();
            sql("float4", -1)
        }
        "boolean" => {
            cursor.next();
            sql("bool", -1)
        }
        "double" if cursor.is_word_at(1, "precision") => {
            cursor.next();
            cursor.next();
            sql("float8", -1)
        }
        "float" => {
            cursor.next();
            match int_mods(cursor)?.as_slice() {
                [] => sql("float8", -1),
                [p] if (1..=24).contains(p) => sql("float4", -1),
                [p] if (25..=53).contains(p) => sql("float8", -1),
                _ => Err(cursor.error("precision for type float must be between 1 and 53")),
            }
        }
        "decimal" | "dec" | "numeric" => {
            cursor.next();
            let mods = int_mods(cursor)?;
            sql(
                "numeric",
                numeric_typmod(&mods).map_err(|m| cursor.error(m))?,
            )
        }
        "bit" => {
            cursor.next();
            let varying = cursor.eat_word("varying");
            let mods = int_mods(cursor)?;
            match (varying, mods.as_slice()) {
                (true, []) => sql("varbit", -1),
                (true, [n]) => sql("varbit", length_mod(*n, cursor)?),
                (false, []) => sql("bit", 1),
                (false, [n]) => sql("bit", length_mod(*n, cursor)?),
                _ => Err(cursor.error("too many type modifiers")),
            }
        }
        "character" | "char" | "nchar" | "varchar" | "national" => {
            cursor.next();
            if word == "national" && !(cursor.eat_word("character") || cursor.eat_word("char")) {
                return Err(cursor.error("expected CHARACTER after NATIONAL"));
            }
            let varying = word == "varchar" || cursor.eat_word("varying");
            let mods = int_mods(cursor)?;
            let typmod = match mods.as_slice() {
                [] if varying => -1,
                [] => 1 + 4,
                [n] => length_mod(*n, cursor)? + 4,
                _ => return Err(cursor.error("too many type modifiers")),
            };
            sql(if varying { "varchar" } else { "bpchar" }, typmod)
        }
        "timestamp" | "time" => {
            cursor.next();
            let mods = int_mods(cursor)?;
            let typmod = match mods.as_slice() {
                [] => -1,
                [p] => time_precision(*p, cursor)?,
                _ => return Err(cursor.error("too many type modifiers")),
            };
            let with_tz = if cursor.eat_words(&["with", "time", "zone"]) {
                true
            } else {
                cursor.eat_words(&["without", "time", "zone"]);
                false
            };
            let typname = match (word, with_tz) {
                ("timestamp", false) => "timestamp",
                ("timestamp", true) => "timestamptz",
                (_, false) => "time",
                (_, true) => "timetz",
            };
            sql(typname, typmod)
        }
        "interval" => {
            cursor.next();
            let range = interval_fields(cursor);
            let precision = match int_mods(cursor)?.as_slice() {
                [] => None,
                [p] => Some(time_precision(*p, cursor)?),
                _ => return Err(cursor.error("too many type modifiers")),
            };
            sql("interval", interval_typmod(range, precision))
        }
        _ => Ok(None),
    }
}

/// `YEAR`, `DAY TO SECOND` ... after INTERVAL: the field mask.
fn interval_fields(cursor: &mut Cursor) -> Option<i32> {
    const UNITS: &[(&str, i32)] = &[
        ("year", YEAR),
        ("month", MONTH),
        ("day", DAY),
        ("hour", HOUR),
        ("minute", MINUTE),
        ("second", SECOND),
    ];
    let unit = |cursor: &Cursor| {
        UNITS
            .iter()
            .find(|(w, _)| cursor.is_word(w))
            .map(|(_, mask)| *mask)
    };
    let from = unit(cursor)?;
    cursor.next();
    if !cursor.is_word("to") {
        return Some(from);
    }
    cursor.next();
    let to = unit(cursor)?;
    cursor.next();
    // `DAY TO SECOND` covers day, hour, minute and second.
    Some(
        UNITS
            .iter()
            .map(|(_, mask)| *mask)
            .filter(|mask| {
                let order = |m: i32| match m {
                    YEAR => 0,
                    MONTH => 1,
                    DAY => 2,
                    HOUR => 3,
                    MINUTE => 4,
                    _ => 5,
                };
                order(*mask) >= order(from) && order(*mask) <= order(to)
            })
            .fold(0, |acc, mask| acc | mask),
    )
}

/// `(n, ...)` of integer modifiers, if present.
fn int_mods(cursor: &mut Cursor) -> Result<Vec<i64>, ReadError> {
    if !cursor.is(&Token::LParen) {
        return Ok(vec![]);
    }
    let inner = cursor.parenthesized()?;
    super::tokens::split_commas(inner)
        .into_iter()
        .map(|part| {
            parse_int_mod(part).ok_or_else(|| cursor.error("type modifiers must be integers"))
        })
        .collect()
}

fn parse_int_mod(part: &[super::tokens::Tok]) -> Option<i64> {
    match part {
        [t] => match &t.token {
            Token::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        [minus, t] if minus.token == Token::Minus => match &t.token {
            Token::Number(n, _) => n.parse::<i64>().ok().map(|n| -n),
            _ => None,
        },
        _ => None,
    }
}

fn length_mod(n: i64, cursor: &Cursor) -> Result<i32, ReadError> {
    if (1..=10_485_760).contains(&n) {
        Ok(n as i32)
    } else {
        Err(cursor.error(format!(
            "length for type must be between 1 and 10485760, not {n}"
        )))
    }
}

/// Precision of time types and interval: 0..=6 (larger values are reduced to 6, with a warning
/// from PostgreSQL).
fn time_precision(p: i64, cursor: &Cursor) -> Result<i32, ReadError> {
    if p < 0 {
        return Err(cursor.error(format!("precision {p} must not be negative")));
    }
    Ok(p.min(6) as i32)
}

/// `numerictypmodin`.
fn numeric_typmod(mods: &[i64]) -> Result<i32, String> {
    let (precision, scale) = match mods {
        [] => return Ok(-1),
        [p] => (*p, 0),
        [p, s] => (*p, *s),
        _ => return Err("invalid NUMERIC type modifier".into()),
    };
    if !(1..=1000).contains(&precision) {
        return Err(format!(
            "NUMERIC precision {precision} must be between 1 and 1000"
        ));
    }
    if !(-1000..=1000).contains(&scale) {
        return Err(format!(
            "NUMERIC scale {scale} must be between -1000 and 1000"
        ));
    }
    Ok((((precision << 16) | (scale & 0x7ff)) + 4) as i32)
}

/// The typmod of builtin `typname` written with modifiers as a plain name
/// (`pg_catalog.varchar(20)`, `timestamptz(3)`): what its `typmodin` computes.
pub(crate) fn builtin_typmod(typname: &str, mods: &[String]) -> Result<i32, String> {
    if mods.is_empty() {
        return Ok(-1);
    }
    let ints: Vec<i64> = mods
        .iter()
        .map(|m| m.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("type modifiers of {typname} must be integers"))?;
    let one = || match ints.as_slice() {
        [n] => Ok(*n),
        _ => Err(format!("invalid type modifier for {typname}")),
    };
    match typname {
        "varchar" | "bpchar" => {
            let n = one()?;
            if (1..=10_485_760).contains(&n) {
                Ok(n as i32 + 4)
            } else {
                Err(format!("length for type {typname} must be at least 1"))
            }
        }
        "bit" | "varbit" => {
            let n = one()?;
            if n >= 1 {
                Ok(n as i32)
            } else {
                Err(format!("length for type {typname} must be at least 1"))
            }
        }
        "numeric" => numeric_typmod(&ints),
        "time" | "timetz" | "timestamp" | "timestamptz" => Ok(one()?.clamp(0, 6) as i32),
        "interval" => Ok(interval_typmod(None, Some(one()?.clamp(0, 6) as i32))),
        _ => Err(format!(
            "type modifier is not allowed for type \"{typname}\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> TypeSpec {
        let toks = tokenize(text, 0).unwrap();
        let mut cursor = Cursor::new(&toks);
        let spec = parse_type(&mut cursor).unwrap();
        assert!(cursor.at_end(), "{text}: left {:?}", cursor.rest());
        spec
    }

    fn sql(text: &str) -> (&'static str, i32, u32) {
        match spec(text) {
            TypeSpec {
                base: BaseType::Sql { typname, typmod },
                array_dims,
                ..
            } => (typname, typmod, array_dims),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn sql_spellings_map_to_typname_and_typmod() {
        assert_eq!(sql("integer"), ("int4", -1, 0));
        assert_eq!(sql("INT[]"), ("int4", -1, 1));
        assert_eq!(sql("int[][]"), ("int4", -1, 2));
        assert_eq!(sql("integer ARRAY"), ("int4", -1, 1));
        assert_eq!(sql("int ARRAY[4]"), ("int4", -1, 1));
        assert_eq!(sql("double precision"), ("float8", -1, 0));
        assert_eq!(sql("float(24)"), ("float4", -1, 0));
        assert_eq!(sql("float"), ("float8", -1, 0));
        assert_eq!(sql("numeric(10,3)"), ("numeric", (10 << 16 | 3) + 4, 0));
        assert_eq!(sql("decimal(5)"), ("numeric", (5 << 16) + 4, 0));
        assert_eq!(sql("character varying(20)"), ("varchar", 24, 0));
        assert_eq!(sql("varchar"), ("varchar", -1, 0));
        assert_eq!(sql("char"), ("bpchar", 5, 0));
        assert_eq!(sql("character(3)"), ("bpchar", 7, 0));
        assert_eq!(sql("national character varying(3)"), ("varchar", 7, 0));
        assert_eq!(sql("bit"), ("bit", 1, 0));
        assert_eq!(sql("bit varying(5)"), ("varbit", 5, 0));
        assert_eq!(sql("timestamp(3) with time zone"), ("timestamptz", 3, 0));
        assert_eq!(sql("timestamp without time zone"), ("timestamp", -1, 0));
        assert_eq!(sql("time with time zone"), ("timetz", -1, 0));
        assert_eq!(sql("interval"), ("interval", -1, 0));
        assert_eq!(
            sql("interval day to second(3)"),
            ("interval", 470_286_339, 0)
        );
        assert_eq!(sql("interval(2)"), ("interval", 2_147_418_114, 0));
    }

    #[test]
    fn names_and_column_types() {
        assert_eq!(
            spec("public.\"Mood\"[]").base,
            BaseType::Named {
                name: vec!["public".into(), "Mood".into()],
                mods: vec![]
            }
        );
        assert_eq!(
            spec("vector(1536)").base,
            BaseType::Named {
                name: vec!["vector".into()],
                mods: vec!["1536".into()]
            }
        );
        assert_eq!(
            spec("users.id%TYPE").base,
            BaseType::ColumnType(vec!["users".into(), "id".into()])
        );
        assert_eq!(
            spec("\"char\"").base,
            BaseType::Named {
                name: vec!["char".into()],
                mods: vec![]
            }
        );
        assert_eq!(spec("BIGSERIAL").serial(), Some("int8"));
    }

    #[test]
    fn display_is_format_type() {
        let t = |name: &str, typmod: i32| TypeName::builtin(name).with_typmod(typmod).display();
        assert_eq!(t("int4", -1), "integer");
        assert_eq!(t("varchar", 24), "character varying(20)");
        assert_eq!(t("numeric", (10 << 16 | 3) + 4), "numeric(10,3)");
        assert_eq!(t("bpchar", 5), "character(1)");
        assert_eq!(t("bpchar", -1), "bpchar");
        assert_eq!(t("bit", -1), "\"bit\"");
        assert_eq!(t("char", -1), "\"char\"");
        assert_eq!(t("timestamptz", -1), "timestamp with time zone");
        assert_eq!(t("time", 3), "time(3) without time zone");
        assert_eq!(t("interval", 470_286_339), "interval day to second(3)");
        assert_eq!(t("interval", 2_147_418_114), "interval(2)");
        assert_eq!(TypeName::builtin("text").array_of(2).display(), "text[]");
        assert_eq!(TypeName::new("public", "mood").display(), "mood");
        assert_eq!(TypeName::new("other", "mood").display(), "other.mood");
        assert_eq!(TypeName::new("public", "Mood").display(), "\"Mood\"");
        assert_eq!(TypeName::new("public", "user").display(), "\"user\"");
        assert_eq!(
            TypeName::new("public", "vector").with_typmod(3).display(),
            "vector(3)"
        );
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(RESERVED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(BUILTIN_TYPES.windows(2).all(|w| w[0] < w[1]));
    }
}
