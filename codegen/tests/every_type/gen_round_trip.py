#!/usr/bin/env python3
"""Writes the every-type round-trip program (round_trip/*.rs) from the generated signatures.

The program is plain Rust checked in next to this script; this only saves typing its ~200
arguments and row literals by hand. After the generated API changes, run
`cargo test -p squill-codegen --test every_type` once (it writes the generated modules to
target/generated-crates/every-type/src before compiling), then this script, and review the diff.
Values are below: A and B for each type (B earlier than A for the date/time types).
"""
import pathlib
import re
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
GENERATED = HERE.parents[2] / "target/generated-crates/every-type/src"
OUT = HERE / "round_trip"


def signature(source, fn):
    """The parameters (name, Rust type) of the async `fn` in generated `source`."""
    m = re.search(r"pub async fn %s\(\n\s*client: [^\n]*\n(.*?)\n\s*\) ->" % fn, source, re.S)
    text = re.sub(r"<\n\s*", "<", m.group(1))
    text = re.sub(r",\n\s*>", ">", text)
    params = []
    for line in text.split("\n"):
        name, ty = line.strip().rstrip(",").split(": ", 1)
        params.append((name, ty))
    return params


def arg(name, ty):
    """How the program passes field `name` of the expected row `e` as a parameter of type `ty`."""
    e = f"e.{name}"
    # Arrays written into the table's columns take NULL elements (`&[Option<T>]`).
    if ty.startswith("Option<&[Option<&str>]"):
        return f"strs(&{e}).as_deref()"
    if ty.startswith("Option<&[Option<&[u8]>]"):
        return f"bytes(&{e}).as_deref()"
    if ty.startswith("Option<&[Option<&"):
        return f"refs(&{e}).as_deref()"
    if ty.startswith("Option<&[u8]") or ty.startswith("Option<&[Option<"):
        return f"{e}.as_deref()"
    if ty.startswith("Option<&["):
        raise SystemExit(f"{name}: an array written into a column takes NULL elements, not {ty}")
    if ty.startswith("Option<&str"):
        return f"{e}.as_deref()"
    if ty.startswith("Option<&"):
        return f"{e}.as_ref()"
    if ty.startswith("&"):
        return f"&{e}"
    return f"{e}.clone()"


def args(source, fn):
    return ", ".join(arg(n, t) for n, t in signature(source, fn))


def stems(source, fn):
    return [n[2:] for n, _ in signature(source, fn) if n.startswith("x_")]


# stem -> (A, B) Rust expressions, for the `every` table.
V = {
 "bool": ("true", "false"),
 "char": ("b'a' as i8", "-1i8"),
 "int2": ("i16::MIN", "7i16"),
 "int4": ("i32::MAX", "-3i32"),
 "int8": ("i64::MIN", "42i64"),
 "float4": ("f32::INFINITY", "1.5f32"),
 "float8": ("f64::NEG_INFINITY", "-0.25f64"),
 "numeric": ("Decimal::new(-12345, 2)", "Decimal::new(10_000_000_000_000_001, 10)"),
 "text": ('String::new()', '"héllo, \\u{1F600}\\n".to_string()'),
 "varchar": ('"v".to_string()', '"a varchar".to_string()'),
 "bpchar": ('"abc".to_string()', '"x  ".to_string()'),
 "name": ('"a_name".to_string()', 'String::new()'),
 "bytea": ("Vec::new()", "vec![0u8, 255, 10]"),
 "uuid": ("Uuid::nil()", "Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)"),
 "json": ('json!({"a": [1, null], "b": "c"})', 'json!("text")'),
 "jsonb": ('json!({"k": 1.5})', 'json!([])'),
 "interval": ("Interval { months: -14, days: 3, microseconds: 1 }", "Interval { months: 0, days: 0, microseconds: i64::MAX }"),
 "timetz": ("TimeTz { time: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(), offset: FixedOffset::east_opt(5 * 3600 + 1800).unwrap() }",
            "TimeTz { time: NaiveTime::MIN, offset: FixedOffset::west_opt(8 * 3600).unwrap() }"),
 "tid": ("Tid { block: 0, offset: 1 }", "Tid { block: u32::MAX, offset: 7 }"),
 "money": ("Money(-12_345)", "Money(i64::MAX)"),
 "oid": ("0u32", "u32::MAX"),
 "xid": ("Xid(1)", "Xid(u32::MAX)"),
 "cid": ("Cid(0)", "Cid(5)"),
 "xid8": ("Xid8(u64::MAX)", "Xid8(3)"),
 "inet": ('"192.168.0.1/24".parse::<IpInet>().unwrap()', '"::1".parse::<IpInet>().unwrap()'),
 "cidr": ('"10.0.0.0/8".parse::<IpCidr>().unwrap()', '"2001:db8::/32".parse::<IpCidr>().unwrap()'),
 "macaddr": ("MacAddress::new([0, 1, 2, 3, 4, 5])", "MacAddress::new([0xff; 6])"),
 "macaddr8": ("MacAddr8([8, 0, 0x2b, 1, 2, 3, 4, 5])", "MacAddr8([0; 8])"),
 "bit": ("BitVec::from_bytes(&[0b1010_0101])", "BitVec::from_elem(8, false)"),
 "varbit": ("BitVec::new()", "BitVec::from_elem(13, true)"),
 "int4range": ("Range::new(Bound::Included(-5), Bound::Unbounded)", "Range::Empty"),
 "int8range": ("Range::new(Bound::Unbounded, Bound::Excluded(i64::MAX))", "Range::new(Bound::Included(1i64), Bound::Excluded(2))"),
 "numrange": ("Range::new(Bound::Excluded(Decimal::new(15, 1)), Bound::Included(Decimal::TWO))", "Range::new(Bound::Unbounded, Bound::Unbounded)"),
 "int4multirange": ("Multirange(vec![])", "Multirange(vec![Range::new(Bound::Included(1), Bound::Excluded(3)), Range::new(Bound::Included(5), Bound::Unbounded)])"),
 "int8multirange": ("Multirange(vec![Range::new(Bound::Unbounded, Bound::Excluded(0i64))])", "Multirange(vec![])"),
 "nummultirange": ("Multirange(vec![Range::new(Bound::Included(Decimal::ONE), Bound::Included(Decimal::TWO))])", "Multirange(vec![])"),
 "xml": ('Xml("<a href=\\"x\\">1</a>".to_string())', 'Xml("text <b/> more".to_string())'),
 "tsvector": ("tsvector_example()", "TsVector(vec![])"),
 "tsquery": ("tsquery_example()", "TsQuery(vec![TsQueryItem::Operand { lexeme: \"supernova\".into(), weights: 1, prefix: false }])"),
 "point": ("Point { x: 1.5, y: -2.0 }", "Point { x: 0.0, y: f64::MAX }"),
 "line": ("Line { a: 1.0, b: -1.0, c: 0.0 }", "Line { a: 0.0, b: 2.0, c: 3.0 }"),
 "lseg": ("Lseg { start: Point { x: 0.0, y: 0.0 }, end: Point { x: 1.0, y: 1.0 } }", "Lseg { start: Point { x: -1.0, y: 2.0 }, end: Point { x: -1.0, y: 2.0 } }"),
 "box": ("PgBox { high: Point { x: 3.0, y: 4.0 }, low: Point { x: 1.0, y: 2.0 } }", "PgBox { high: Point { x: 0.0, y: 0.0 }, low: Point { x: 0.0, y: 0.0 } }"),
 "path": ("Path { closed: false, points: vec![Point { x: 0.0, y: 0.0 }, Point { x: 1.0, y: 1.0 }] }", "Path { closed: true, points: vec![Point { x: 1.0, y: 2.0 }] }"),
 "polygon": ("Polygon { points: vec![Point { x: 0.0, y: 0.0 }, Point { x: 1.0, y: 0.0 }, Point { x: 0.0, y: 1.0 }] }", "Polygon { points: vec![Point { x: 5.0, y: 5.0 }] }"),
 "circle": ("Circle { center: Point { x: 1.0, y: 2.0 }, radius: 3.0 }", "Circle { center: Point { x: 0.0, y: 0.0 }, radius: 0.0 }"),
 "pg_lsn": ("PgLsn::from(0x16_B374_D848u64)", "PgLsn::from(0u64)"),
 "citext": ('"MiXed Case".to_string()', 'String::new()'),
 "ltree": ('"top.science.astronomy".to_string()', 'String::new()'),
 "lquery": ('"*.science.*".to_string()', '"top.*{1,2}".to_string()'),
 "ltxtquery": ('"Europe & Russia@* & !Transportation".to_string()', '"a".to_string()'),
 "hstore": ('HashMap::from([("a".to_string(), Some("1".to_string())), ("b".to_string(), None)])', "HashMap::new()"),
 "mood": ("types::Mood::Happy", "types::Mood::Sad"),
 "pair": ("types::Pair { a: Some(1), b: None }", 'types::Pair { a: None, b: Some("x".to_string()) }'),
 "posint": ("1", "i32::MAX"),
 "nest": ('types::Nest { p: Some(types::Pair { a: Some(1), b: None }), ps: Some(vec![Some(types::Pair { a: None, b: Some("y".to_string()) }), None]), tag: Some(3), moods: Some(vec![Some(types::Mood::Ok), None]) }',
          "types::Nest { p: None, ps: None, tag: None, moods: None }"),
}
for r in ["regclass","regtype","regproc","regprocedure","regoper","regoperator","regconfig","regdictionary","regnamespace","regrole","regcollation"]:
    V[r] = ("Oid(1259)", "Oid(16)")

def rows(stems, values, rowtype, arrays=True):
    """Three rows: every value set (arrays with a NULL element); NULLs and empty arrays; other
    values and NULL arrays."""
    out = []
    for shape in range(3):
        fields = []
        for s in stems:
            a, b = values[s]
            if shape == 0:
                fields += [f"x_{s}: {a}", f"n_{s}: Some({b})"] + [f"a_{s}: Some(vec![Some({a}), None, Some({b})])"] * arrays
            elif shape == 1:
                fields += [f"x_{s}: {b}", f"n_{s}: None"] + [f"a_{s}: Some(vec![])"] * arrays
            else:
                fields += [f"x_{s}: {b}", f"n_{s}: Some({a})"] + [f"a_{s}: None"] * arrays
        out.append(f"{rowtype} {{\n            id: 0,\n            " + ",\n            ".join(fields) + ",\n        }")
    return "vec![\n        " + ",\n        ".join(out) + ",\n    ]"

TIMES = {
 "chrono": {
  "date": ("NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()", "NaiveDate::from_ymd_opt(-4713, 11, 24).unwrap()"),
  "time": ("NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap()", "NaiveTime::MIN"),
  "timestamp": ("NaiveDate::from_ymd_opt(2024, 2, 29).unwrap().and_hms_micro_opt(12, 0, 0, 1).unwrap()", "NaiveDate::from_ymd_opt(-4713, 11, 24).unwrap().and_hms_opt(0, 0, 0).unwrap()"),
  "timestamptz": ("DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap()", "DateTime::from_timestamp_micros(-1).unwrap()"),
 },
 "time": {
  "date": ("Date::from_calendar_date(2024, Month::February, 29).unwrap()", "Date::from_calendar_date(-4713, Month::November, 24).unwrap()"),
  "time": ("Time::from_hms_micro(23, 59, 59, 999_999).unwrap()", "Time::MIDNIGHT"),
  "timestamp": ("PrimitiveDateTime::new(Date::from_calendar_date(2024, Month::February, 29).unwrap(), Time::from_hms_micro(12, 0, 0, 1).unwrap())", "PrimitiveDateTime::new(Date::from_calendar_date(-4713, Month::November, 24).unwrap(), Time::MIDNIGHT)"),
  "timestamptz": ("OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap()", "OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()"),
 },
 "jiff": {
  "date": ("civil::date(2024, 2, 29)", "civil::date(-4713, 11, 24)"),
  "time": ("civil::time(23, 59, 59, 999_999_000)", "civil::Time::midnight()"),
  "timestamp": ("civil::date(2024, 2, 29).at(12, 0, 0, 1_000)", "civil::date(-4713, 11, 24).at(0, 0, 0, 0)"),
  "timestamptz": ("Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()", "Timestamp::from_microsecond(-1).unwrap()"),
 },
}
def time_values(k):
    t = dict(TIMES[k])
    d, ts, tz = t["date"], t["timestamp"], t["timestamptz"]
    for stem, (a, b) in [("daterange", d), ("tsrange", ts), ("tstzrange", tz)]:
        # b is the earlier value of each pair: ranges go from it to a.
        t[stem] = (f"Range::new(Bound::Included({a}), Bound::Unbounded)", f"Range::new(Bound::Excluded({b}), Bound::Included({a}))" if stem != "daterange" else f"Range::new(Bound::Included({b}), Bound::Excluded({a}))")
    for stem, (a, b) in [("datemultirange", d), ("tsmultirange", ts), ("tstzmultirange", tz)]:
        t[stem] = ("Multirange(vec![])", f"Multirange(vec![Range::new(Bound::Unbounded, Bound::Excluded({b})), Range::new(Bound::Included({a}), Bound::Unbounded)])")
    return t



chrono_src = (GENERATED / "db_chrono.rs").read_text()
vector_src = (GENERATED / "db_pgvector.rs").read_text()
missing = [s for s in stems(chrono_src, "insert_every") if s not in V]
assert not missing, missing

MAIN = """//! The every-type round trip (issue 11), run by `codegen/tests/every_type.rs` with the database
//! URL (and `pgvector` when the extension is installed) as arguments: inserts rows holding a
//! value of every type squill maps through the generated parameters, reads them back through
//! the generated rows and asserts equality, with postgres and with tokio-postgres, and the
//! date/time types once per time crate. Written by `gen_round_trip.py`.
//!
//! The `x_` (NOT NULL), `n_` (nullable) and `a_` (array) columns of each type get three rows:
//! values everywhere (arrays with a NULL element); NULLs and empty arrays; and NULL arrays.

// Each db_ module holds every query; the program calls only part of each.
#![allow(dead_code)]

mod db_chrono;
mod db_jiff;
mod db_pgvector;
mod db_time;
mod every;
mod every_rows;
mod times_chrono;
mod times_jiff;
mod times_time;

// Rows read arrays as Vec<Option<T>> (PostgreSQL arrays may hold NULLs); parameters written
// into an array column take &[Option<T>], and the first row's arrays hold a NULL element.
// These borrow an expected row's arrays as arguments.

fn strs(v: &Option<Vec<Option<String>>>) -> Option<Vec<Option<&str>>> {
    v.as_ref().map(|v| v.iter().map(|x| x.as_deref()).collect())
}

fn bytes(v: &Option<Vec<Option<Vec<u8>>>>) -> Option<Vec<Option<&[u8]>>> {
    v.as_ref().map(|v| v.iter().map(|x| x.as_deref()).collect())
}

fn refs<T>(v: &Option<Vec<Option<T>>>) -> Option<Vec<Option<&T>>> {
    v.as_ref().map(|v| v.iter().map(|x| x.as_ref()).collect())
}

// An array's elements that are not NULL, for a query whose array parameters take none.

fn present<T>(v: &Option<Vec<Option<T>>>) -> Vec<&T> {
    v.iter().flatten().flatten().collect()
}

fn present_vals<T: Clone>(v: &Option<Vec<Option<T>>>) -> Vec<T> {
    v.iter().flatten().flatten().cloned().collect()
}

fn domain_rows() -> Vec<db_chrono::domains::SelectDomainsRow> {
    use db_chrono::domains::SelectDomainsRow;
    use db_chrono::types;
    DOMAIN_ROWS
}

fn domains_sync(client: &mut postgres::Client) {
    use db_chrono::domains::{SelectDomainsRow, blocking::*};
    for e in domain_rows() {
        let id = insert_domains(client, DOMAIN_ARGS).unwrap();
        assert_eq!(select_domains(client, id).unwrap(), SelectDomainsRow { id, ..e });
    }
}

async fn domains_async(client: &tokio_postgres::Client) {
    use db_chrono::domains::*;
    for e in domain_rows() {
        let id = insert_domains(client, DOMAIN_ARGS).await.unwrap();
        assert_eq!(select_domains(client, id).await.unwrap(), SelectDomainsRow { id, ..e });
    }
}

fn vector_rows() -> Vec<db_pgvector::vectors::SelectVectorsRow> {
    use db_pgvector::vectors::SelectVectorsRow;
    use squill::re::pgvector::{HalfVector, SparseVector, Vector};
    let v = |x: &[f32]| Vector::from(x.to_vec());
    vec![
        SelectVectorsRow {
            id: 0,
            x_vector: v(&[1.0, -2.5, 3.0]),
            n_vector: Some(v(&[0.0])),
            a_vector: Some(vec![Some(v(&[1.0])), Some(v(&[2.0, 3.0]))]),
            x_halfvec: HalfVector::from_f32_slice(&[0.5, 1.0, -2.0]),
            n_halfvec: Some(HalfVector::from_f32_slice(&[1.0])),
            a_halfvec: Some(vec![Some(HalfVector::from_f32_slice(&[1.0, 2.0]))]),
            x_sparsevec: SparseVector::from_dense(&[0.0, 2.0, 0.0]),
            n_sparsevec: Some(SparseVector::from_dense(&[1.0, 0.0])),
            a_sparsevec: Some(vec![Some(SparseVector::from_dense(&[0.0, 0.0, 1.0]))]),
        },
        SelectVectorsRow {
            id: 0,
            x_vector: v(&[0.0, 0.0, 0.0]),
            n_vector: None,
            a_vector: Some(vec![]),
            x_halfvec: HalfVector::from_f32_slice(&[0.0, 0.0, 0.0]),
            n_halfvec: None,
            a_halfvec: None,
            x_sparsevec: SparseVector::from_dense(&[0.0, 0.0, 0.0]),
            n_sparsevec: None,
            a_sparsevec: None,
        },
    ]
}

fn pgvector_sync(client: &mut postgres::Client) {
    use db_pgvector::vectors::{SelectVectorsRow, blocking::*};
    for e in vector_rows() {
        let id = insert_vectors(client, VECTOR_ARGS).unwrap();
        assert_eq!(select_vectors(client, id).unwrap(), SelectVectorsRow { id, ..e });
    }
}

async fn pgvector_async(client: &tokio_postgres::Client) {
    use db_pgvector::vectors::*;
    for e in vector_rows() {
        let id = insert_vectors(client, VECTOR_ARGS).await.unwrap();
        assert_eq!(select_vectors(client, id).await.unwrap(), SelectVectorsRow { id, ..e });
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("the database URL");
    let pgvector = args.next().as_deref() == Some("pgvector");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    every::run_sync(&mut client);
    domains_sync(&mut client);
    times_chrono::run_sync(&mut client);
    times_time::run_sync(&mut client);
    times_jiff::run_sync(&mut client);
    if pgvector {
        pgvector_sync(&mut client);
    }
    drop(client);
    println!("sync: every type round-tripped");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let (client, connection) =
                tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            every::run_async(&client).await;
            domains_async(&client).await;
            times_chrono::run_async(&client).await;
            times_time::run_async(&client).await;
            times_jiff::run_async(&client).await;
            if pgvector {
                pgvector_async(&client).await;
            }
        });
    println!("async: every type round-tripped");
}
"""
MAIN = (MAIN.replace("DOMAIN_ROWS", rows(["posint", "pair", "nest"], V, "SelectDomainsRow"))
        .replace("DOMAIN_ARGS", args(chrono_src, "insert_domains"))
        .replace("VECTOR_ARGS", args(vector_src, "insert_vectors")))

EVERY = """//! Every type but the date/time ones (see times_*.rs) and the domain, in one table.

use squill::geo::{Circle, Line, Lseg, Path, PgBox, Point, Polygon};
use squill::{Lexeme, LexemePosition, MacAddr8, TsQuery, TsQueryItem, TsVector, Weight, Xml};

use crate::db_chrono::every::{EchoArraysRow, SelectEveryRow};
use crate::every_rows::rows;
use crate::{IMPORTS};

/// `'cat':3A 'fat':1,2B`, lexemes in the server's order.
pub fn tsvector_example() -> TsVector {
    let at = |position, weight| LexemePosition { position, weight };
    TsVector(vec![
        Lexeme { word: "cat".into(), positions: vec![at(3, Weight::A)] },
        Lexeme { word: "fat".into(), positions: vec![at(1, Weight::D), at(2, Weight::B)] },
    ])
}

/// `!'a':* <2> ( 'b':AB | 'c' )` in prefix order: an operator, its right operand, its left.
pub fn tsquery_example() -> TsQuery {
    let operand = |lexeme: &str, weights, prefix| TsQueryItem::Operand {
        lexeme: lexeme.into(),
        weights,
        prefix,
    };
    TsQuery(vec![
        TsQueryItem::Phrase(2),
        TsQueryItem::Or,
        operand("c", 0, false),
        operand("b", 8 | 4, false),
        TsQueryItem::Not,
        operand("a", 0, true),
    ])
}

pub fn run_sync(client: &mut postgres::Client) {
    use crate::db_chrono::every::blocking::*;
    for e in rows() {
        let id = insert_every(client, EVERY_ARGS).unwrap();
        assert_eq!(select_every(client, id).unwrap(), SelectEveryRow { id, ..e });
    }
    assert_eq!(notify(client).unwrap(), Some(squill::Void));
    let e = &rows()[0];
    assert_eq!(echo_arrays(client, ECHO_ARGS).unwrap(), ECHO_ROW);
}

pub async fn run_async(client: &tokio_postgres::Client) {
    use crate::db_chrono::every::*;
    for e in rows() {
        let id = insert_every(client, EVERY_ARGS).await.unwrap();
        assert_eq!(select_every(client, id).await.unwrap(), SelectEveryRow { id, ..e });
    }
    assert_eq!(notify(client).await.unwrap(), Some(squill::Void));
    let e = &rows()[0];
    assert_eq!(echo_arrays(client, ECHO_ARGS).await.unwrap(), ECHO_ROW);
    // What the server makes of the values squill encodes itself: the encoding means what the
    // struct says (which operand is left, which corner is high, ...).
    let p = |x, y| Point { x, y };
    let text = as_text(
        client,
        &tsvector_example(),
        &tsquery_example(),
        p(1.5, -2.0),
        Line { a: 1.0, b: -1.0, c: 0.5 },
        Lseg { start: p(0.0, 0.0), end: p(1.0, 1.0) },
        PgBox { high: p(1.0, 2.0), low: p(3.0, 4.0) },
        &Path { closed: true, points: vec![p(0.0, 0.0), p(1.0, 1.0)] },
        &Polygon { points: vec![p(0.0, 0.0), p(1.0, 0.0)] },
        Circle { center: p(1.0, 2.0), radius: 3.0 },
        MacAddr8([8, 0, 0x2b, 1, 2, 3, 4, 5]),
        &Xml("<a/>".to_string()),
    )
    .await
    .unwrap();
    assert_eq!(text.tsvector, "'cat':3A 'fat':1,2B");
    assert_eq!(text.tsquery, "!'a':* <2> ( 'b':AB | 'c' )");
    assert_eq!(text.point, "(1.5,-2)");
    assert_eq!(text.line, "{1,-1,0.5}");
    assert_eq!(text.lseg, "[(0,0),(1,1)]");
    // The server puts the upper right corner first.
    assert_eq!(text.r#box, "(3,4),(1,2)");
    assert_eq!(text.path, "((0,0),(1,1))");
    assert_eq!(text.polygon, "((0,0),(1,0))");
    assert_eq!(text.circle, "<(1,2),3>");
    assert_eq!(text.macaddr8, "08:00:2b:01:02:03:04:05");
    assert_eq!(text.xml, "<a/>");
}
"""
def echo_arg(name, ty):
    """Row 0's array of the type without its NULL element, as the all-builtin EchoArrays query
    takes it (not written into a column: `&[T]`)."""
    field = "e.a_" + name.removeprefix("r#")
    return f"&present(&{field})" if ty.startswith("&[&") else f"&present_vals(&{field})"


echo = signature(chrono_src, "echo_arrays")
EVERY = (EVERY.replace("EVERY_ARGS", args(chrono_src, "insert_every"))
         .replace("ECHO_ARGS", ", ".join(echo_arg(n, t) for n, t in echo))
         .replace("ECHO_ROW", "EchoArraysRow { " + ", ".join(
             f"{n}: present_vals(&e.a_{n.removeprefix('r#')}).into_iter().map(Some).collect()"
             for n, _ in echo) + " }"))

EVERY_ROWS = """//! The rows every.rs inserts and expects back.

use std::collections::HashMap;
use std::ops::Bound;

use squill::geo::{Circle, Line, Lseg, Path, PgBox, Point, Polygon};
use squill::re::bit_vec::BitVec;
use squill::re::chrono::{FixedOffset, NaiveTime};
use squill::re::cidr::{IpCidr, IpInet};
use squill::re::eui48::MacAddress;
use squill::re::postgres_types::PgLsn;
use squill::re::rust_decimal::Decimal;
use squill::re::serde_json::json;
use squill::re::uuid::Uuid;
use squill::{
    Cid, Interval, MacAddr8, Money, Multirange, Oid, Range, Tid, TimeTz, TsQuery, TsQueryItem,
    TsVector, Xid, Xid8, Xml,
};

use crate::db_chrono::every::SelectEveryRow;
use crate::db_chrono::types;
use crate::every::{tsquery_example, tsvector_example};

pub fn rows() -> Vec<SelectEveryRow> {
    EVERY_ROWS
}
""".replace("EVERY_ROWS", rows(stems(chrono_src, "insert_every"), V, "SelectEveryRow"))

TIMES_RS = {}
for k, imports in [("chrono", "use squill::re::chrono::{DateTime, NaiveDate, NaiveTime};"),
                   ("time", "use squill::re::time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};"),
                   ("jiff", "use squill::re::jiff::{Timestamp, civil};")]:
    source = (GENERATED / f"db_{k}.rs").read_text()
    TIMES_RS[f"times_{k}.rs"] = (f"""//! The date/time types with `time_crate = \"{k}\"`.

    use std::ops::Bound;

    {imports}
    use squill::{{Multirange, Range}};

    use crate::db_{k}::times::SelectTimesRow;
    use crate::{{IMPORTS}};

    fn rows() -> Vec<SelectTimesRow> {{
        {rows(stems(source, "insert_times"), time_values(k), "SelectTimesRow")}
    }}

    pub fn run_sync(client: &mut postgres::Client) {{
        use crate::db_{k}::times::blocking::*;
        for e in rows() {{
            let id = insert_times(client, {args(source, "insert_times")}).unwrap();
            assert_eq!(select_times(client, id).unwrap(), SelectTimesRow {{ id, ..e }});
        }}
    }}

    pub async fn run_async(client: &tokio_postgres::Client) {{
        use crate::db_{k}::times::*;
        for e in rows() {{
            let id = insert_times(client, {args(source, "insert_times")}).await.unwrap();
            assert_eq!(select_times(client, id).await.unwrap(), SelectTimesRow {{ id, ..e }});
        }}
    }}
""")

def import_helpers(text):
    """Imports only the helpers a file calls (an unused import is a warning, and warnings fail)."""
    used = [f for f in ["bytes", "present", "present_vals", "refs", "strs"] if f + "(" in text]
    imports = "" if not used else f"use crate::{used[0]};" if len(used) == 1 else "use crate::{" + ", ".join(used) + "};"
    return text.replace("use crate::{IMPORTS};", imports)


EVERY = import_helpers(EVERY)
for name, text in TIMES_RS.items():
    TIMES_RS[name] = import_helpers(text)

OUT.mkdir(exist_ok=True)
files = {"main.rs": MAIN, "every.rs": EVERY, "every_rows.rs": EVERY_ROWS, **TIMES_RS}
for name, text in files.items():
    # Through stdin, so that rustfmt does not look for the `mod` files.
    formatted = subprocess.run(["rustfmt", "--edition", "2024"], input=text, text=True,
                               capture_output=True, check=True).stdout
    (OUT / name).write_text(formatted)
