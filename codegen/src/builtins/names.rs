//! Type names as PostgreSQL's grammar accepts them (`gram.y`: `SimpleTypename`, `Numeric`,
//! `Character`, `Bit`, `ConstDatetime`, `ConstInterval`, `GenericType`).

use super::{BuiltinType, Builtins};

/// The grammar's keyword type names, after lowercasing, dropping modifiers and collapsing
/// whitespace, with the `typname` each stands for.
const ALIASES: &[(&str, &str)] = &[
    ("int", "int4"),
    ("integer", "int4"),
    ("smallint", "int2"),
    ("bigint", "int8"),
    ("real", "float4"),
    ("float", "float8"),
    ("double precision", "float8"),
    ("decimal", "numeric"),
    ("dec", "numeric"),
    ("numeric", "numeric"),
    ("boolean", "bool"),
    ("character varying", "varchar"),
    ("char varying", "varchar"),
    ("varchar", "varchar"),
    ("national character varying", "varchar"),
    ("national char varying", "varchar"),
    ("nchar varying", "varchar"),
    ("character", "bpchar"),
    ("char", "bpchar"),
    ("national character", "bpchar"),
    ("national char", "bpchar"),
    ("nchar", "bpchar"),
    ("bit", "bit"),
    ("bit varying", "varbit"),
    ("timestamp", "timestamp"),
    ("timestamp without time zone", "timestamp"),
    ("timestamp with time zone", "timestamptz"),
    ("time", "time"),
    ("time without time zone", "time"),
    ("time with time zone", "timetz"),
];

pub(super) fn resolve<'b>(b: &'b Builtins, name: &str) -> Option<&'b BuiltinType> {
    let name = name.trim();
    // Array suffixes: `integer[]`, `text[][]`, `int[3]`: all the same array type.
    let mut base = name;
    while let Some(open) = base.strip_suffix(']').and_then(|n| n.rfind('[')) {
        base = base[..open].trim_end();
    }
    if base.len() != name.len() {
        // `int ARRAY[3]` is `int[3]`.
        let base = match base.len().checked_sub(" array".len()) {
            Some(cut)
                if base
                    .get(cut..)
                    .is_some_and(|t| t.eq_ignore_ascii_case(" array")) =>
            {
                &base[..cut]
            }
            _ => base,
        };
        let elem = resolve(b, base)?;
        return b.type_by_oid(elem.array?);
    }
    // `x ARRAY` / `x ARRAY[3]`, the SQL-standard spelling.
    let lower = name.to_ascii_lowercase();
    if let Some(elem) = lower.strip_suffix(" array") {
        let elem = resolve(b, elem)?;
        return b.type_by_oid(elem.array?);
    }

    if let Some(quoted) = unquote(name) {
        return b.type_by_typname(&quoted);
    }
    if let Some(rest) = strip_prefix_ignore_case(name, "pg_catalog.") {
        let rest = rest.trim_start();
        return match unquote(rest) {
            Some(quoted) => b.type_by_typname(&quoted),
            None => b.type_by_typname(&strip_modifiers(&rest.to_ascii_lowercase())),
        };
    }

    // float(p): 1..=24 is real, 25..=53 double precision.
    let compact: String = lower.split_whitespace().collect::<Vec<_>>().join("");
    if let Some(p) = compact
        .strip_prefix("float(")
        .and_then(|p| p.strip_suffix(')'))
    {
        let p: u32 = p.parse().ok()?;
        return match p {
            1..=24 => b.type_by_typname("float4"),
            25..=53 => b.type_by_typname("float8"),
            _ => None,
        };
    }

    let normalized = strip_modifiers(&lower);
    if normalized == "interval" || normalized.starts_with("interval ") {
        // `interval year to month`, `interval second(3)`...
        return b.type_by_typname("interval");
    }
    match ALIASES.iter().find(|(alias, _)| *alias == normalized) {
        Some((_, typname)) => b.type_by_typname(typname),
        None => b.type_by_typname(&normalized),
    }
}

/// `"name"` with `""` unescaped; `None` unless the whole string is one quoted identifier.
fn unquote(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            // Only a doubled quote may appear inside.
            if chars.next() != Some('"') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Drops every `(...)` group and collapses whitespace: `timestamp(3) with time zone` →
/// `timestamp with time zone`, `numeric(10, 2)` → `numeric`.
fn strip_modifiers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                out.push(' ');
            }
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
