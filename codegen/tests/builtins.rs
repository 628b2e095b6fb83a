//! The builtins snapshot: equal to what a running PostgreSQL says, and answering the lookups
//! the analyzer relies on.

use squill_codegen::builtins::{
    self, AggregateKind, ArgMode, BuiltinColumn, Builtins, CastContext, CastMethod, FunctionKind,
    OperatorKind, RelationKind, TypeKind, Volatility, oid,
};
use squill_codegen::live::TempServer;

fn b() -> &'static Builtins {
    Builtins::load()
}

#[test]
fn checked_in_file_equals_the_running_server() {
    let server = TempServer::start().expect("throwaway server");
    let mut client = server.connect("postgres").unwrap();
    let fresh = builtins::generate(&mut client).expect("read pg_catalog");
    if fresh == builtins::DATA {
        return;
    }
    panic!("{}", first_difference(builtins::DATA, &fresh));
}

/// The first differing lines of the checked-in file (`-`) and the server's (`+`).
fn first_difference(checked_in: &str, fresh: &str) -> String {
    difference_report(builtins::DATA_PATH, "", checked_in, fresh)
}

/// [`first_difference`] for the data file at `path`, regenerated with `squill-builtins`
/// `flag` (empty or `--contrib `).
fn difference_report(path: &str, flag: &str, checked_in: &str, fresh: &str) -> String {
    let old: Vec<&str> = checked_in.lines().collect();
    let new: Vec<&str> = fresh.lines().collect();
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut report = format!(
        "codegen/{} differs from the running server (checked in: {} lines, server: {} lines); \
         first difference at line {}:\n",
        path,
        old.len(),
        new.len(),
        first + 1
    );
    // The columns of the first differing record's kind (`# T\toid\t...`).
    let kind = old
        .get(first)
        .or(new.get(first))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_default();
    if let Some(header) = old.iter().find(|l| {
        l.strip_prefix("# ")
            .and_then(|h| h.strip_prefix(kind))
            .is_some_and(|h| h.starts_with('\t'))
    }) {
        report.push_str(&format!("          {header}\n"));
    }
    let differing: Vec<usize> = (first..old.len().max(new.len()))
        .filter(|&i| old.get(i) != new.get(i))
        .collect();
    for &i in differing.iter().take(5) {
        if let Some(line) = old.get(i) {
            report.push_str(&format!("  - {:>5} {line}\n", i + 1));
        }
        if let Some(line) = new.get(i) {
            report.push_str(&format!("  + {:>5} {line}\n", i + 1));
        }
    }
    report.push_str(&format!(
        "  ({} differing line positions in all)\n",
        differing.len()
    ));
    report.push_str(&format!(
        "regenerate with `cargo run -p squill-codegen --bin squill-builtins -- \
         {flag}codegen/{path}` if the new server is the one to follow"
    ));
    report
}

#[test]
fn drift_report_shows_the_first_differing_lines() {
    let changed = builtins::DATA.replacen("\tlower\tf\ti\tt\t", "\tlower\tf\ti\tf\t", 1);
    assert_ne!(changed, builtins::DATA);
    let report = first_difference(builtins::DATA, &changed);
    println!("{report}");
    assert!(report.contains("first difference at line"), "{report}");
    assert!(report.contains("\tlower\tf\ti\tt\t") && report.contains("\tlower\tf\ti\tf\t"));
}

#[test]
fn file_round_trips_through_the_parser() {
    let parsed = Builtins::parse(builtins::DATA).unwrap();
    assert_eq!(parsed.to_data(), builtins::DATA);
    assert_eq!(parsed.server_major(), 15);
}

#[test]
fn size_and_load_time() {
    // Reported, not asserted: `cargo test --release -p squill-codegen --test builtins
    // size_and_load_time -- --nocapture` for the figure that matters.
    let mut times: Vec<std::time::Duration> = (0..30)
        .map(|_| {
            let started = std::time::Instant::now();
            std::hint::black_box(Builtins::parse(std::hint::black_box(builtins::DATA)).unwrap());
            started.elapsed()
        })
        .collect();
    times.sort();
    let b = b();
    println!(
        "builtins: {} bytes, {} types, {} functions, {} operators, {} casts; parse min {:?}, median {:?} ({} build)",
        builtins::DATA.len(),
        b.types().len(),
        b.functions().len(),
        b.operators().len(),
        b.casts().len(),
        times[0],
        times[times.len() / 2],
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    assert!(builtins::DATA.len() < 1_500_000);
    let mut times: Vec<std::time::Duration> = (0..30)
        .map(|_| {
            let started = std::time::Instant::now();
            std::hint::black_box(Contrib::parse(std::hint::black_box(contrib::DATA)).unwrap());
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "contrib: {} bytes, {} extensions; parse min {:?}, median {:?}",
        contrib::DATA.len(),
        contrib_data().extensions().len(),
        times[0],
        times[times.len() / 2],
    );
    assert!(contrib::DATA.len() < 500_000);
}

#[test]
fn sql_spellings_of_types() {
    let b = b();
    for (name, expected) in [
        ("integer", 23),
        ("INTEGER", 23),
        ("int", 23),
        ("int4", 23),
        ("smallint", 21),
        ("bigint", 20),
        ("int8", 20),
        ("character varying", 1043),
        ("Character  Varying(20)", 1043),
        ("varchar", 1043),
        ("varchar(255)", 1043),
        ("char varying", 1043),
        ("national character varying", 1043),
        ("character", 1042),
        ("char", 1042),
        ("char(3)", 1042),
        ("bpchar", 1042),
        ("\"char\"", 18),
        ("pg_catalog.\"char\"", 18),
        ("double precision", 701),
        ("float", 701),
        ("float8", 701),
        ("float(24)", 700),
        ("float(25)", 701),
        ("real", 700),
        ("decimal", 1700),
        ("decimal(10,2)", 1700),
        ("numeric(10, 2)", 1700),
        ("dec", 1700),
        ("bool", 16),
        ("boolean", 16),
        ("timestamp", 1114),
        ("timestamp without time zone", 1114),
        ("timestamp with time zone", 1184),
        ("timestamp(3) with time zone", 1184),
        ("timestamptz", 1184),
        ("time", 1083),
        ("time with time zone", 1266),
        ("timetz", 1266),
        ("interval", 1186),
        ("interval day to second", 1186),
        ("interval(3)", 1186),
        ("bit", 1560),
        ("bit varying", 1562),
        ("bit varying(8)", 1562),
        ("varbit", 1562),
        ("text", 25),
        ("jsonb", 3802),
        ("uuid", 2950),
        ("bytea", 17),
        ("pg_catalog.int4", 23),
        ("PG_CATALOG.text", 25),
        ("integer[]", 1007),
        ("int[]", 1007),
        ("int4[]", 1007),
        ("_int4", 1007),
        ("integer[][]", 1007),
        ("int[3]", 1007),
        ("int array", 1007),
        ("int ARRAY[3]", 1007),
        ("character varying(10)[]", 1015),
        ("text[]", 1009),
        ("unknown", 705),
        ("anyelement", 2283),
        ("\"any\"", 2276),
        ("record", 2249),
        ("void", 2278),
    ] {
        assert_eq!(
            b.type_by_name(name).map(|t| t.oid),
            Some(expected),
            "type_by_name({name:?})"
        );
    }
    for name in [
        "",
        "integr",
        "pg_catalog.integer",
        "\"Int4\"",
        "\"int4",
        "float(0)",
        "float(54)",
        "double",
        "pg_class",
        "ä[]",
        "[]",
        "int[",
        "int[][",
    ] {
        assert!(
            b.type_by_name(name).is_none(),
            "type_by_name({name:?}) should be None"
        );
    }
    assert_eq!(b.type_by_typname("char").unwrap().oid, oid::CHAR);
}

#[test]
fn every_format_type_name_round_trips() {
    let b = b();
    for t in b.types() {
        assert_eq!(
            b.type_by_name(&t.sql_name).map(|f| f.oid),
            Some(t.oid),
            "{} ({})",
            t.sql_name,
            t.name
        );
        assert_eq!(b.type_by_typname(&t.name).unwrap().oid, t.oid);
    }
}

#[test]
fn well_known_oids() {
    let b = b();
    for (oid, name) in [
        (oid::BOOL, "bool"),
        (oid::BYTEA, "bytea"),
        (oid::CHAR, "char"),
        (oid::NAME, "name"),
        (oid::INT8, "int8"),
        (oid::INT2, "int2"),
        (oid::INT4, "int4"),
        (oid::TEXT, "text"),
        (oid::OID, "oid"),
        (oid::JSON, "json"),
        (oid::FLOAT4, "float4"),
        (oid::FLOAT8, "float8"),
        (oid::UNKNOWN, "unknown"),
        (oid::INT4_ARRAY, "_int4"),
        (oid::TEXT_ARRAY, "_text"),
        (oid::BPCHAR, "bpchar"),
        (oid::VARCHAR, "varchar"),
        (oid::DATE, "date"),
        (oid::TIME, "time"),
        (oid::TIMESTAMP, "timestamp"),
        (oid::TIMESTAMPTZ, "timestamptz"),
        (oid::INTERVAL, "interval"),
        (oid::TIMETZ, "timetz"),
        (oid::BIT, "bit"),
        (oid::VARBIT, "varbit"),
        (oid::NUMERIC, "numeric"),
        (oid::RECORD, "record"),
        (oid::CSTRING, "cstring"),
        (oid::ANY, "any"),
        (oid::ANYARRAY, "anyarray"),
        (oid::VOID, "void"),
        (oid::TRIGGER, "trigger"),
        (oid::INTERNAL, "internal"),
        (oid::ANYELEMENT, "anyelement"),
        (oid::ANYNONARRAY, "anynonarray"),
        (oid::UUID, "uuid"),
        (oid::ANYENUM, "anyenum"),
        (oid::JSONB, "jsonb"),
        (oid::ANYRANGE, "anyrange"),
        (oid::ANYMULTIRANGE, "anymultirange"),
        (oid::ANYCOMPATIBLEMULTIRANGE, "anycompatiblemultirange"),
        (oid::ANYCOMPATIBLE, "anycompatible"),
        (oid::ANYCOMPATIBLEARRAY, "anycompatiblearray"),
        (oid::ANYCOMPATIBLENONARRAY, "anycompatiblenonarray"),
        (oid::ANYCOMPATIBLERANGE, "anycompatiblerange"),
    ] {
        assert_eq!(b.type_by_oid(oid).unwrap().name, name);
    }
    let polymorphic: Vec<&str> = b
        .types()
        .iter()
        .filter(|t| t.is_polymorphic())
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(polymorphic.len(), 11, "{polymorphic:?}");
    assert!(polymorphic.iter().all(|n| n.starts_with("any")));
}

#[test]
fn types_kinds_and_categories() {
    let b = b();
    let int4 = b.type_by_oid(23).unwrap();
    assert_eq!(
        (
            int4.kind,
            int4.category,
            int4.preferred,
            int4.len,
            int4.byval
        ),
        (TypeKind::Base, 'N', false, 4, true)
    );
    assert!(b.type_by_oid(oid::FLOAT8).unwrap().preferred);
    assert!(b.type_by_oid(oid::TEXT).unwrap().preferred);
    assert_eq!(b.type_by_oid(oid::TEXT).unwrap().collation, Some(100));
    assert_eq!(b.type_by_oid(oid::INT4).unwrap().collation, None);
    assert_eq!(b.type_by_oid(oid::UNKNOWN).unwrap().category, 'X');
    assert_eq!(
        b.type_by_oid(oid::ANYELEMENT).unwrap().kind,
        TypeKind::Pseudo
    );
    let int4range = b.type_by_name("int4range").unwrap();
    assert_eq!(int4range.kind, TypeKind::Range);
    assert_eq!(int4range.range_subtype, Some(23));
    assert_eq!(
        b.type_by_oid(int4range.multirange.unwrap()).unwrap().name,
        "int4multirange"
    );
    assert_eq!(
        b.type_by_name("int4multirange").unwrap().kind,
        TypeKind::Multirange
    );
    // No row types of the catalog's own tables.
    assert!(b.type_by_name("pg_class").is_none());
    assert!(b.types().iter().all(|t| t.kind != TypeKind::Composite));
}

#[test]
fn arrays_and_elements() {
    let b = b();
    assert_eq!(b.array_of(23), Some(1007));
    assert_eq!(b.element_of(1007), Some(23));
    assert_eq!(b.array_of(oid::TEXT), Some(oid::TEXT_ARRAY));
    assert_eq!(b.element_of(oid::TEXT_ARRAY), Some(oid::TEXT));
    assert_eq!(b.element_of(oid::INT4), None);
    // typelem without being an array (raw subscripting), and jsonb's own subscripting.
    assert_eq!(b.type_by_oid(oid::NAME).unwrap().elem, Some(oid::CHAR));
    assert_eq!(b.element_of(oid::NAME), None);
    assert_eq!(b.element_of(oid::JSONB), None);
    assert!(b.type_by_oid(oid::JSONB).unwrap().subscript.is_some());
    // int2vector/oidvector subscript like arrays (get_element_type says so too).
    assert_eq!(
        b.element_of(b.type_by_name("oidvector").unwrap().oid),
        Some(26)
    );
    // The polymorphic pair is not linked by typarray.
    assert_eq!(b.array_of(oid::ANYELEMENT), None);
    for t in b.types() {
        if let Some(array) = t.array {
            assert_eq!(b.element_of(array), Some(t.oid), "{}", t.name);
            // `record[]` and `cstring[]` are pseudo-types (category P).
            let category = b.type_by_oid(array).unwrap().category;
            assert!(category == 'A' || t.kind == TypeKind::Pseudo, "{}", t.name);
        }
    }
}

#[test]
fn generate_series_overloads_are_set_returning() {
    let b = b();
    let overloads = b.functions_named("generate_series");
    let signatures: Vec<Vec<u32>> = overloads.iter().map(|f| f.args.clone()).collect();
    for args in [
        vec![23, 23],
        vec![23, 23, 23],
        vec![20, 20],
        vec![20, 20, 20],
        vec![1700, 1700],
        vec![1700, 1700, 1700],
        vec![1114, 1114, 1186],
        vec![1184, 1184, 1186],
    ] {
        assert!(signatures.contains(&args), "{args:?} in {signatures:?}");
    }
    assert!(overloads.iter().all(|f| f.retset));
    let int4 = overloads.iter().find(|f| f.args == [23, 23]).unwrap();
    assert_eq!(int4.ret, 23);
    assert!(int4.out_columns().is_empty());
}

#[test]
fn aggregates_and_window_functions() {
    let b = b();
    let counts = b.functions_named("count");
    assert_eq!(counts.len(), 2);
    assert!(
        counts
            .iter()
            .all(|f| f.is_aggregate() && f.ret == oid::INT8)
    );
    // count(*) is the zero-argument overload.
    let star = counts.iter().find(|f| f.args.is_empty()).unwrap();
    let agg = star.aggregate.as_ref().unwrap();
    assert_eq!(agg.kind, AggregateKind::Normal);
    assert!(!agg.null_on_empty_input());
    for name in [
        "sum",
        "max",
        "array_agg",
        "string_agg",
        "avg",
        "json_agg",
        "bool_and",
    ] {
        for f in b.functions_named(name) {
            assert!(f.is_aggregate(), "{name}");
            assert!(
                f.aggregate.as_ref().unwrap().null_on_empty_input(),
                "{name}"
            );
        }
    }
    let never_null: Vec<&str> = b
        .functions()
        .iter()
        .filter_map(|f| Some((f, f.aggregate.as_ref()?)))
        .filter(|(_, a)| !a.null_on_empty_input())
        .map(|(f, _)| f.name.as_str())
        .collect();
    assert_eq!(never_null, ["count", "count", "regr_count"]);
    let pc = &b.functions_named("percentile_cont")[0];
    let pc_agg = pc.aggregate.as_ref().unwrap();
    assert_eq!(
        (pc_agg.kind, pc_agg.num_direct_args),
        (AggregateKind::OrderedSet, 1)
    );
    let row_number = &b.functions_named("row_number")[0];
    assert!(row_number.is_window() && row_number.aggregate.is_none());
    assert_eq!(row_number.ret, oid::INT8);
    assert!(b.functions_named("rank").iter().any(|f| f.is_window()));
    assert!(b.functions_named("rank").iter().any(|f| {
        f.aggregate
            .as_ref()
            .is_some_and(|a| a.kind == AggregateKind::Hypothetical)
    }));
    // Every aggregate has its pg_aggregate row, and only aggregates do.
    for f in b.functions() {
        assert_eq!(f.is_aggregate(), f.aggregate.is_some(), "{}", f.name);
    }
}

#[test]
fn strictness_and_volatility() {
    let b = b();
    let lower = b
        .functions_named("lower")
        .iter()
        .find(|f| f.args == [oid::TEXT])
        .unwrap();
    assert!(lower.strict && !lower.retset);
    assert_eq!(
        (lower.ret, lower.volatility),
        (oid::TEXT, Volatility::Immutable)
    );
    assert_eq!(lower.kind, FunctionKind::Function);
    let concat = &b.functions_named("concat")[0];
    assert!(!concat.strict);
    assert_eq!(b.functions_named("now")[0].volatility, Volatility::Stable);
    assert_eq!(
        b.functions_named("random")[0].volatility,
        Volatility::Volatile
    );
}

#[test]
fn grammar_constructs_are_not_functions() {
    let b = b();
    for name in ["coalesce", "greatest", "least", "nullif", "COALESCE"] {
        assert!(b.functions_named(name).is_empty(), "{name}");
    }
    // What the parser turns special syntax into is there.
    for name in [
        "extract",
        "position",
        "substring",
        "btrim",
        "overlay",
        "timezone",
    ] {
        assert!(!b.functions_named(name).is_empty(), "{name}");
    }
}

#[test]
fn variadic_functions() {
    let b = b();
    for name in [
        "concat",
        "json_build_object",
        "jsonb_build_object",
        "format",
    ] {
        let f = b
            .functions_named(name)
            .iter()
            .find(|f| f.variadic.is_some())
            .unwrap_or_else(|| panic!("{name} is variadic"));
        assert_eq!(f.variadic, Some(oid::ANY), "{name}");
        assert_eq!(f.args.last(), Some(&oid::ANY), "{name}");
    }
    let path = &b.functions_named("jsonb_extract_path")[0];
    assert_eq!(path.variadic, Some(oid::TEXT));
    assert_eq!(path.args, [oid::JSONB, oid::TEXT_ARRAY]);
    assert_eq!(path.input_arg_names(), ["from_json", "path_elems"]);
    assert_eq!(path.params().last().map(|p| p.0), Some(ArgMode::Variadic));
}

#[test]
fn polymorphic_and_out_parameters() {
    let b = b();
    let unnest = b
        .functions_named("unnest")
        .iter()
        .find(|f| f.args == [oid::ANYARRAY])
        .unwrap();
    assert!(unnest.retset);
    assert_eq!(unnest.ret, oid::ANYELEMENT);
    assert!(b.type_by_oid(unnest.ret).unwrap().is_polymorphic());

    let each = b
        .functions_named("json_each")
        .iter()
        .find(|f| f.args == [oid::JSON])
        .unwrap();
    assert!(each.retset);
    assert_eq!(each.ret, oid::RECORD);
    assert_eq!(
        each.out_columns(),
        [
            ("key".to_string(), oid::TEXT),
            ("value".to_string(), oid::JSON)
        ]
    );
    assert_eq!(each.input_arg_names(), ["from_json"]);

    let tsvector_unnest = b
        .functions_named("unnest")
        .iter()
        .find(|f| f.args == [b.type_by_name("tsvector").unwrap().oid])
        .unwrap();
    let columns: Vec<String> = tsvector_unnest
        .out_columns()
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(columns, ["lexeme", "positions", "weights"]);

    // Defaults: make_interval(years int DEFAULT 0, ...).
    let make_interval = &b.functions_named("make_interval")[0];
    assert_eq!(
        make_interval.nargdefaults as usize,
        make_interval.args.len()
    );
}

#[test]
fn operators() {
    let b = b();
    let eq = b.operator("=", Some(23), 23).unwrap();
    assert_eq!((eq.kind, eq.result), (OperatorKind::Binary, oid::BOOL));
    assert_eq!(eq.commutator, Some(eq.oid));
    let ne = b.operator_by_oid(eq.negator.unwrap()).unwrap();
    assert_eq!((ne.name.as_str(), ne.left, ne.right), ("<>", Some(23), 23));
    assert!(b.function_by_oid(eq.code).unwrap().strict);
    assert!(b.operators_named("=").len() > 50);

    let lt = b.operator("<", Some(23), 20).unwrap();
    let gt = b.operator_by_oid(lt.commutator.unwrap()).unwrap();
    assert_eq!((gt.name.as_str(), gt.left, gt.right), (">", Some(20), 23));

    let arrow = b.operator("->>", Some(oid::JSONB), oid::TEXT).unwrap();
    assert_eq!(arrow.result, oid::TEXT);
    let neg = b.operator("-", None, oid::INT4).unwrap();
    assert_eq!((neg.kind, neg.result), (OperatorKind::Prefix, oid::INT4));
    // LIKE is ~~.
    assert_eq!(
        b.operator("~~", Some(oid::TEXT), oid::TEXT).unwrap().result,
        oid::BOOL
    );
    assert!(b.operators_named("!=").is_empty());
    assert!(b.operators_named("LIKE").is_empty());
}

#[test]
fn casts() {
    let b = b();
    let c = b.cast(23, 20).unwrap();
    assert_eq!(
        (c.context, c.method),
        (CastContext::Implicit, CastMethod::Function)
    );
    assert_eq!(b.cast(20, 23).unwrap().context, CastContext::Assignment);
    assert_eq!(
        b.cast(oid::VARCHAR, oid::TEXT).unwrap().method,
        CastMethod::Binary
    );
    assert_eq!(
        b.cast(oid::TEXT, oid::INT4),
        None,
        "I/O casts are not in pg_cast"
    );
    assert_eq!(
        b.cast(oid::JSONB, oid::INT4).unwrap().context,
        CastContext::Explicit
    );
    let from_int4 = b.casts_from(23);
    assert!(from_int4.iter().all(|c| c.source == 23));
    assert!(from_int4.iter().any(|c| c.target == oid::NUMERIC));
    assert!(CastContext::Implicit < CastContext::Assignment);
}

#[test]
fn every_reference_resolves() {
    let b = b();
    let ty = |oid: u32, what: &str| {
        assert!(b.type_by_oid(oid).is_some(), "{what}: type {oid}");
    };
    let func = |oid: u32, what: &str| {
        assert!(b.function_by_oid(oid).is_some(), "{what}: function {oid}");
    };
    for t in b.types() {
        for o in [t.elem, t.array, t.base, t.range_subtype, t.multirange]
            .into_iter()
            .flatten()
        {
            ty(o, &t.name);
        }
        if let Some(s) = t.subscript {
            func(s, &t.name);
        }
    }
    for f in b.functions() {
        ty(f.ret, &f.name);
        for &a in f.args.iter().chain(f.all_args.iter().flatten()) {
            ty(a, &f.name);
        }
        if let Some(v) = f.variadic {
            ty(v, &f.name);
        }
        let params = f.params();
        assert_eq!(
            params.iter().filter(|p| p.0.is_input()).count(),
            f.args.len(),
            "{}",
            f.name
        );
        if let Some(names) = &f.arg_names {
            assert_eq!(names.len(), params.len(), "{}", f.name);
        }
        if let Some(a) = &f.aggregate {
            func(a.transfn, &f.name);
            a.finalfn.into_iter().for_each(|o| func(o, &f.name));
            ty(a.transtype, &f.name);
        }
    }
    for o in b.operators() {
        for t in [o.left, Some(o.right), Some(o.result)]
            .into_iter()
            .flatten()
        {
            ty(t, &o.name);
        }
        func(o.code, &o.name);
        for other in [o.commutator, o.negator].into_iter().flatten() {
            assert!(b.operator_by_oid(other).is_some(), "{}", o.name);
        }
    }
    for c in b.casts() {
        ty(c.source, "cast");
        ty(c.target, "cast");
        c.func.into_iter().for_each(|f| func(f, "cast"));
        assert_eq!(c.func.is_some(), c.method == CastMethod::Function);
    }
}

/// A column of a system relation, by exact names.
fn column(schema: &str, relation: &str, name: &str) -> &'static BuiltinColumn {
    let r = b()
        .relation(schema, relation)
        .unwrap_or_else(|| panic!("no relation {schema}.{relation}"));
    r.columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {schema}.{relation}.{name}"))
}

#[test]
fn system_relations_and_their_columns() {
    let b = b();
    let typname = |c: &BuiltinColumn| b.type_by_oid(c.ty).map(|t| t.name.as_str());

    let pg_class = b.relation("pg_catalog", "pg_class").unwrap();
    assert_eq!(pg_class.kind, RelationKind::Table);
    assert!(pg_class.kind.is_table());
    // attnum order: oid, relname, relnamespace, ...
    let first: Vec<&str> = pg_class.columns[..3]
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(first, ["oid", "relname", "relnamespace"]);
    let relname = column("pg_catalog", "pg_class", "relname");
    assert_eq!((typname(relname), relname.not_null), (Some("name"), true));
    // Nullable columns of a catalog table (variable-length, after the fixed part).
    let relacl = column("pg_catalog", "pg_class", "relacl");
    assert_eq!(
        (typname(relacl), relacl.not_null),
        (Some("_aclitem"), false)
    );
    let relkind = column("pg_catalog", "pg_class", "relkind");
    assert_eq!(typname(relkind), Some("char"));
    assert_eq!(
        typname(column("pg_catalog", "pg_index", "indkey")),
        Some("int2vector")
    );
    assert_eq!(
        typname(column("pg_catalog", "pg_proc", "proargtypes")),
        Some("oidvector")
    );
    assert_eq!(
        typname(column("pg_catalog", "pg_proc", "prorettype")),
        Some("oid")
    );
    assert_eq!(
        typname(column("pg_catalog", "pg_type", "typinput")),
        Some("regproc")
    );

    // Views: pg_catalog's and all of information_schema's; domains reduced to base types.
    let activity = b.relation("pg_catalog", "pg_stat_activity").unwrap();
    assert_eq!(activity.kind, RelationKind::View);
    assert!(!activity.kind.is_table());
    assert_eq!(
        typname(column("pg_catalog", "pg_stat_activity", "backend_xid")),
        Some("xid")
    );
    assert_eq!(
        typname(column("pg_catalog", "pg_stat_activity", "query_start")),
        Some("timestamptz")
    );
    assert_eq!(
        typname(column("pg_catalog", "pg_stats", "most_common_vals")),
        Some("anyarray")
    );
    let columns = b.relation("information_schema", "columns").unwrap();
    assert_eq!(columns.kind, RelationKind::View);
    for (name, base) in [
        ("column_name", "name"),      // sql_identifier
        ("ordinal_position", "int4"), // cardinal_number
        ("is_nullable", "varchar"),   // yes_or_no
        ("data_type", "varchar"),     // character_data
    ] {
        let c = column("information_schema", "columns", name);
        assert_eq!((typname(c), c.not_null), (Some(base), false), "{name}");
    }
    assert_eq!(
        typname(column("information_schema", "triggers", "created")),
        Some("timestamptz") // time_stamp
    );
    // information_schema's own tables (sql_features...) are there too.
    assert_eq!(
        b.relation("information_schema", "sql_features")
            .map(|r| r.kind),
        Some(RelationKind::Table)
    );
    for r in b.relations() {
        assert!(
            r.schema == "pg_catalog" || r.schema == "information_schema",
            "{}.{}",
            r.schema,
            r.name
        );
        assert!(!r.columns.is_empty(), "{}.{}", r.schema, r.name);
        if !r.kind.is_table() {
            assert!(r.columns.iter().all(|c| !c.not_null), "{}", r.name);
        }
        if r.schema == "information_schema" && r.kind == RelationKind::View {
            // No domain type is left (they are all in information_schema, not the snapshot).
            assert!(r.columns.iter().all(|c| typname(c).is_some()), "{}", r.name);
        }
    }

    // Indexes, sequences and other schemas' relations are not relations here; names are exact.
    assert!(b.relation("pg_catalog", "pg_class_oid_index").is_none());
    assert!(b.relation("public", "pg_class").is_none());
    assert!(b.relation("information_schema", "pg_class").is_none());
    assert!(b.relation("pg_catalog", "PG_CLASS").is_none());
    assert!(b.relations().len() > 200, "{}", b.relations().len());
}

#[test]
fn system_relation_column_types_are_known_except_row_types() {
    let b = b();
    let mut unknown = Vec::new();
    for r in b.relations() {
        for c in &r.columns {
            if b.type_by_oid(c.ty).is_none() {
                unknown.push(format!("{}.{}.{}", r.schema, r.name, c.name));
            }
        }
    }
    // The only system column of a row type: `pg_statistic[]`.
    assert_eq!(unknown, ["pg_catalog.pg_statistic_ext_data.stxdexpr"]);
}

/// Offline analysis of one query: `name type NULL|NOT NULL` per column, or the message (and
/// help) of the diagnostic.
fn analyze_columns(
    schema: &squill_codegen::analyze::Schema,
    sql: &str,
) -> Result<Vec<String>, String> {
    use squill_codegen::diagnostic::SourceFile;
    let file = SourceFile::new("q.sql", format!("-- name: Q :many\n{sql};\n"));
    let (raws, problems) = squill_codegen::source::parse_query_file(&file);
    assert!(problems.is_empty(), "{problems:?}");
    match squill_codegen::analyze::analyze(schema, &raws[0], &file) {
        Ok(q) => Ok(q
            .columns
            .iter()
            .map(|c| {
                let null = if c.nullable { "NULL" } else { "NOT NULL" };
                format!("{} {} {null}", c.name, c.ty.display_name())
            })
            .collect()),
        Err(d) => Err(format!(
            "{} (help: {})",
            d.message,
            d.help.unwrap_or_default()
        )),
    }
}

#[test]
fn the_analyzer_reads_system_relations() {
    use squill_codegen::analyze::Schema;
    let mut schema = Schema::default();
    // goalert's stand-in "for type info": pg_catalog's view still wins when unqualified.
    schema
        .add_relation(
            "public",
            "pg_stat_activity",
            &[("pid", "integer", true), ("custom", "text", true)],
        )
        .unwrap();
    let cols = |sql: &str| analyze_columns(&schema, sql);

    assert_eq!(
        cols("SELECT relname, relkind, relacl, reltuples FROM pg_class").unwrap(),
        [
            "relname name NOT NULL",
            "relkind \"char\" NOT NULL",
            "relacl aclitem[] NULL",
            "reltuples real NOT NULL"
        ]
    );
    assert_eq!(
        cols("SELECT c.relname FROM pg_catalog.pg_namespace n LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid").unwrap(),
        ["relname name NULL"]
    );
    assert_eq!(
        cols("SELECT indkey, indexrelid FROM pg_index").unwrap(),
        ["indkey smallint[] NOT NULL", "indexrelid oid NOT NULL"]
    );
    // A view: every column nullable; the stand-in table is not what an unqualified name reads.
    assert_eq!(
        cols("SELECT pid, datname, backend_xid FROM pg_stat_activity").unwrap(),
        [
            "pid integer NULL",
            "datname name NULL",
            "backend_xid xid NULL"
        ]
    );
    let err = cols("SELECT custom FROM pg_stat_activity").unwrap_err();
    assert!(err.contains("column \"custom\" does not exist"), "{err}");
    assert_eq!(
        cols("SELECT pid, custom FROM public.pg_stat_activity").unwrap(),
        ["pid integer NOT NULL", "custom text NOT NULL"]
    );
    assert_eq!(
        cols("SELECT most_common_vals FROM pg_stats").unwrap(),
        ["most_common_vals anyarray NULL"]
    );
    // information_schema: only when qualified (not on the search path); domains are their base.
    assert_eq!(
        cols("SELECT column_name, ordinal_position, is_nullable FROM information_schema.columns")
            .unwrap(),
        [
            "column_name name NULL",
            "ordinal_position integer NULL",
            "is_nullable character varying NULL"
        ]
    );
    let err = cols("SELECT * FROM columns").unwrap_err();
    assert!(err.contains("relation \"columns\" does not exist"), "{err}");
    let err = cols("SELECT * FROM information_schema.tabls").unwrap_err();
    assert!(err.contains("did you mean \"tables\"?"), "{err}");
    let err = cols("SELECT * FROM pg_clas").unwrap_err();
    assert!(err.contains("did you mean \"pg_class\"?"), "{err}");
    // A column of a system row type: refused, never guessed.
    let err = cols("SELECT stxoid FROM pg_statistic_ext_data").unwrap_err();
    assert!(
        err.contains("not supported offline yet") && err.contains("system row type"),
        "{err}"
    );

    // A search path that names pg_catalog after public: the stand-in comes first.
    schema.search_path = vec!["public".into(), "pg_catalog".into()];
    assert_eq!(
        analyze_columns(&schema, "SELECT custom FROM pg_stat_activity").unwrap(),
        ["custom text NOT NULL"]
    );
    assert_eq!(
        analyze_columns(&schema, "SELECT relname FROM pg_class").unwrap(),
        ["relname name NOT NULL"]
    );
    schema.search_path = vec!["public".into(), "information_schema".into()];
    assert_eq!(
        analyze_columns(&schema, "SELECT table_name FROM tables").unwrap(),
        ["table_name name NULL"]
    );
}

#[test]
fn malformed_files_are_errors_not_panics() {
    for (text, expected) in [
        ("", "no `V`"),
        ("V\t15\nX\t1\n", "line 2: unknown record kind `X`"),
        ("V\t15\nC\t23\t20\ti\n", "line 2: too few fields"),
        ("V\t15\nC\t23\t20\ti\tf\t0\t9\n", "line 2: too many fields"),
        ("V\t15\nC\t23\tx\ti\tf\t0\n", "line 2: `x` is not a number"),
        ("V\t15\nC\t23\t20\tq\tf\t0\n", "line 2: unknown code `q`"),
        ("V\t15\nA\t1\tn\t0\t1\t0\t1\t\\N\n", "aggregates name none"),
        (
            "V\t15\nK\tx\t23\tt\n",
            "line 2: a `K` (column) record before any `R`",
        ),
        (
            "V\t15\nR\tpg_catalog\tx\ti\t\\N\n",
            "line 2: unknown code `i`",
        ),
        ("V\t15\nR\tpg_catalog\tx\tr\n", "line 2: too few fields"),
        (
            "V\t15\nR\tpg_catalog\tx\tr\tx\nK\tx\t23\tyes\n",
            "line 3: `yes` is not",
        ),
        (
            "V\t15\nR\tpg_catalog\tx\tr\t\\N\nR\tpg_catalog\tx\tv\t\\N\n",
            "a relation is listed twice",
        ),
    ] {
        let err = Builtins::parse(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

// Contrib extensions (`builtins::contrib`, `codegen/builtins/contrib15.tsv`).

use squill_codegen::builtins::contrib::{self, Contrib};

fn contrib_data() -> &'static Contrib {
    Contrib::load()
}

#[test]
fn checked_in_contrib_file_equals_the_running_server() {
    let server = TempServer::start().expect("throwaway server");
    let mut client = server.connect("postgres").unwrap();
    let fresh = contrib::generate_contrib(&mut client).expect("create the contrib extensions");
    if fresh.data == contrib::DATA {
        assert!(fresh.skipped.is_empty(), "{:?}", fresh.skipped);
        return;
    }
    panic!(
        "{}\nextensions that did not install here: {:?}",
        difference_report(contrib::DATA_PATH, "--contrib ", contrib::DATA, &fresh.data),
        fresh.skipped
    );
}

#[test]
fn contrib_drift_report_shows_the_first_differing_lines() {
    let changed =
        contrib::DATA.replacen("F\tfetchval\tc\tf\ti\tt\t", "F\tfetchval\tc\tf\ti\tf\t", 1);
    assert_ne!(changed, contrib::DATA);
    let report = difference_report(contrib::DATA_PATH, "--contrib ", contrib::DATA, &changed);
    println!("{report}");
    assert!(
        report.contains("codegen/builtins/contrib15.tsv differs"),
        "{report}"
    );
    assert!(report.contains("# F\tproname\tlanname"), "{report}");
    assert!(
        report.contains("-- --contrib codegen/builtins/contrib15.tsv`"),
        "{report}"
    );
    assert!(
        report.contains("(1 differing line positions in all)"),
        "{report}"
    );
}

#[test]
fn contrib_file_has_every_extension_of_the_list() {
    // The generated file alone (`Contrib::load` adds the transcribed extensions after it).
    let c = &Contrib::parse(contrib::DATA).unwrap();
    assert_eq!(c.server_major(), 15);
    let names: Vec<&str> = c.extensions().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, contrib::EXTENSIONS);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Every extension's objects are unique by name and signature, and sorted.
    for e in c.extensions() {
        let types: Vec<&str> = e.types.iter().map(|t| t.name.as_str()).collect();
        let mut sorted = types.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(types, sorted, "{}", e.name);
    }
    let count =
        |f: fn(&contrib::Extension) -> usize| -> usize { c.extensions().iter().map(f).sum() };
    assert_eq!(count(|e| e.types.len()), 32);
    assert!(count(|e| e.functions.len()) > 1000);
    assert!(count(|e| e.operators.len()) > 300);
    assert_eq!(count(|e| e.casts.len()), 31);
}

#[test]
fn contrib_objects_have_oids_of_their_own() {
    let c = contrib_data();
    let b = b();
    let mut seen = std::collections::HashSet::new();
    for e in c.extensions() {
        for t in &e.types {
            assert!((contrib::TYPE_OID_BASE..contrib::FUNCTION_OID_BASE).contains(&t.oid));
            assert!(b.type_by_oid(t.oid).is_none());
            assert!(seen.insert(t.oid));
            if let Some(a) = t.array {
                assert_eq!(a, t.oid + 1);
                assert!(seen.insert(a));
                assert_eq!(c.type_by_oid(a).unwrap().1.name, t.name);
            }
            assert_eq!(c.type_by_oid(t.oid).unwrap().0.name, e.name);
        }
        for f in &e.functions {
            let oid = f.function.oid;
            assert!((contrib::FUNCTION_OID_BASE..contrib::OPERATOR_OID_BASE).contains(&oid));
            assert!(b.function_by_oid(oid).is_none());
            assert!(seen.insert(oid));
            assert_eq!(c.function_by_oid(oid).unwrap().1, f);
        }
        for o in &e.operators {
            assert!((contrib::OPERATOR_OID_BASE..0x4000_0000).contains(&o.oid));
            assert!(seen.insert(o.oid));
            // The implementing function is the extension's (or a builtin).
            assert!(
                c.function_by_oid(o.code).is_some() || b.function_by_oid(o.code).is_some(),
                "{}",
                o.name
            );
        }
    }
}

/// The one function of extension `ext` named `name` with these input types.
fn contrib_function(
    ext: &str,
    name: &str,
    args: &[u32],
) -> &'static squill_codegen::builtins::BuiltinFunction {
    let e = contrib_data().extension(ext).unwrap();
    &e.functions
        .iter()
        .find(|f| f.function.name == name && f.function.args == args)
        .unwrap_or_else(|| panic!("{ext}: {name}{args:?}"))
        .function
}

fn contrib_type(ext: &str, name: &str) -> &'static contrib::ExtensionType {
    let e = contrib_data().extension(ext).unwrap();
    e.types.iter().find(|t| t.name == name).unwrap()
}

#[test]
fn contrib_functions_operators_and_casts() {
    let c = contrib_data();
    // pgcrypto: digest over text and bytea; no types of its own.
    let digest = contrib_function("pgcrypto", "digest", &[oid::TEXT, oid::TEXT]);
    assert_eq!(digest.ret, oid::BYTEA);
    assert!(digest.strict);
    assert_eq!(digest.volatility, Volatility::Immutable);
    contrib_function("pgcrypto", "digest", &[oid::BYTEA, oid::TEXT]);
    let salt = contrib_function("pgcrypto", "gen_salt", &[oid::TEXT, oid::INT4]);
    assert_eq!(salt.volatility, Volatility::Volatile);
    assert!(c.extension("pgcrypto").unwrap().types.is_empty());

    // citext: a collatable string-category type, cast to text implicitly, from text on
    // assignment; its own max aggregate.
    let citext = contrib_type("citext", "citext");
    assert_eq!((citext.category, citext.collatable), ('S', true));
    assert_eq!(citext.array_name.as_deref(), Some("_citext"));
    let to_text = c.cast(citext.oid, oid::TEXT).unwrap();
    assert_eq!(
        (to_text.context, to_text.method),
        (CastContext::Implicit, CastMethod::Binary)
    );
    assert_eq!(
        c.cast(oid::TEXT, citext.oid).unwrap().context,
        CastContext::Assignment
    );
    let from_bool = c.cast(oid::BOOL, citext.oid).unwrap();
    assert_eq!(from_bool.method, CastMethod::Function);
    assert_eq!(
        c.function_by_oid(from_bool.func.unwrap())
            .unwrap()
            .1
            .function
            .name,
        "citext"
    );
    let max = contrib_function("citext", "max", &[citext.oid]);
    assert_eq!(max.kind, FunctionKind::Aggregate);
    let agg = max.aggregate.as_ref().unwrap();
    assert_eq!(
        c.function_by_oid(agg.transfn).unwrap().1.function.name,
        "citext_larger"
    );
    assert!(agg.null_on_empty_input());

    // hstore: `->` is fetchval; a subscripting handler; each() has OUT columns; casts to json.
    let hstore = contrib_type("hstore", "hstore");
    let e = c.extension("hstore").unwrap();
    let arrow = e
        .operators
        .iter()
        .find(|o| o.name == "->" && o.left == Some(hstore.oid) && o.right == oid::TEXT)
        .unwrap();
    assert_eq!(arrow.result, oid::TEXT);
    assert_eq!(
        c.function_by_oid(arrow.code).unwrap().1.function.name,
        "fetchval"
    );
    assert!(hstore.subscript.is_some());
    let each = contrib_function("hstore", "each", &[hstore.oid]);
    assert!(each.retset);
    assert_eq!(
        each.out_columns(),
        [
            ("key".to_string(), oid::TEXT),
            ("value".to_string(), oid::TEXT)
        ]
    );
    assert_eq!(
        c.cast(hstore.oid, oid::JSONB).unwrap().context,
        CastContext::Explicit
    );
    // Commutators and negators link operators of the extension.
    let eq = e
        .operators
        .iter()
        .find(|o| o.name == "=" && o.left == Some(hstore.oid))
        .unwrap();
    assert_eq!(eq.commutator, Some(eq.oid));
    let ne = e
        .operators
        .iter()
        .find(|o| Some(o.oid) == eq.negator)
        .unwrap();
    assert_eq!(ne.name, "<>");

    // pg_trgm: `%` on text, implemented by similarity_op.
    let pct = c
        .extension("pg_trgm")
        .unwrap()
        .operators
        .iter()
        .find(|o| o.name == "%" && o.left == Some(oid::TEXT))
        .unwrap();
    assert_eq!(
        c.function_by_oid(pct.code).unwrap().1.function.name,
        "similarity_op"
    );

    // earthdistance requires cube; its domain `earth` is cube wherever it is used.
    let earth = c.extension("earthdistance").unwrap();
    assert_eq!(earth.requires, ["cube"]);
    let cube = contrib_type("cube", "cube");
    assert_eq!(contrib_type("earthdistance", "earth").base, Some(cube.oid));
    assert_eq!(
        contrib_function("earthdistance", "ll_to_earth", &[oid::FLOAT8, oid::FLOAT8]).ret,
        cube.oid
    );
    assert_eq!(contrib_type("lo", "lo").base, Some(oid::OID));
    contrib_function("lo", "lo_oid", &[oid::OID]);

    // A composite type's attributes; an extension that names its schema.
    let ct = contrib_type("tablefunc", "tablefunc_crosstab_2");
    assert_eq!(ct.kind, TypeKind::Composite);
    let attrs: Vec<&str> = ct.attributes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(attrs, ["row_name", "category_1", "category_2"]);
    assert_eq!(
        c.extension("adminpack").unwrap().schema.as_deref(),
        Some("pg_catalog")
    );
    assert_eq!(c.extension("hstore").unwrap().schema, None);
}

#[test]
fn contrib_nullability_exceptions_name_real_functions() {
    let c = contrib_data();
    for ext in contrib::AUDITED {
        assert!(c.extension(ext).is_some(), "{ext}");
    }
    for (ext, name) in contrib::NULL_ON_NON_NULL_INPUT {
        assert!(contrib::AUDITED.contains(ext), "{ext}");
        let e = c.extension(ext).unwrap();
        let fs: Vec<_> = e
            .functions
            .iter()
            .filter(|f| f.function.name == *name)
            .collect();
        assert!(!fs.is_empty(), "{ext}: {name}");
        // Listing a non-strict function would change nothing.
        assert!(fs.iter().all(|f| f.function.strict), "{ext}: {name}");
        assert!(fs.iter().all(|f| c.null_on_non_null_input(f.function.oid)));
    }
    let hstore = contrib_type("hstore", "hstore").oid;
    assert!(
        c.null_on_non_null_input(contrib_function("hstore", "fetchval", &[hstore, oid::TEXT]).oid)
    );
    assert!(
        !c.null_on_non_null_input(contrib_function("hstore", "exist", &[hstore, oid::TEXT]).oid)
    );
    assert!(!c.null_on_non_null_input(
        contrib_function("pg_trgm", "similarity", &[oid::TEXT, oid::TEXT]).oid
    ));
    // Not audited: every function may be NULL (sslinfo's are without SSL).
    assert!(c.null_on_non_null_input(contrib_function("sslinfo", "ssl_version", &[]).oid));
    // Builtins are not the contrib data's business.
    let lower = b().functions_named("lower")[0].oid;
    assert!(!c.null_on_non_null_input(lower));
}

#[test]
fn malformed_contrib_files_are_errors_not_panics() {
    let e = "V\t15\nE\tx\t1.0\tt\t\\N\t\n";
    for (text, expected) in [
        ("", "no `V`"),
        (
            "V\t15\nT\tt\tb\tU\tf\t\\N\t0\tf\t0\n",
            "line 2: a `T` record before any `E`",
        ),
        (
            &format!("{e}T\tt\tq\tU\tf\t\\N\t0\tf\t0\n"),
            "line 3: unknown code `q`",
        ),
        (
            &format!("{e}T\tt\tr\tR\tf\t\\N\t0\tf\t0\n"),
            "only base, composite and domain",
        ),
        (
            &format!("{e}K\ta\t23\n"),
            "line 3: a `K` (attribute) record after no composite",
        ),
        (
            &format!("{e}T\tt\td\tU\tf\t\\N\t0\tf\t0\n"),
            "a domain without a base type",
        ),
        (
            &format!("{e}T\tt\tb\tU\tf\t_t\t0\tf\t0\nT\tt\tb\tU\tf\t\\N\t0\tf\t0\n"),
            "line 4: the type name `t` is taken",
        ),
        (
            &format!("{e}F\tf\tc\tf\ti\tt\tf\tnope\t0\t0\t\t\\N\t\\N\t\\N\n"),
            "line 3: type `nope` is not a type of x",
        ),
        (
            &format!("{e}F\tf\tc\tf\ti\tt\tf\t99999\t0\t0\t\t\\N\t\\N\t\\N\n"),
            "type 99999 is not a builtin type",
        ),
        (
            &format!("{e}F\tf\tc\tf\ti\tt\tf\t23\t0\t0\t23\t\\N\t\\N\ta,b\n"),
            "names do not match",
        ),
        (
            &format!(
                "{e}F\tf\tc\tf\ti\tt\tf\t23\t0\t0\t\t\\N\t\\N\t\\N\nF\tf\tc\tf\ti\tt\tf\t25\t0\t0\t\t\\N\t\\N\t\\N\n"
            ),
            "line 4: `f()` is listed twice",
        ),
        (
            &format!("{e}F\tf\tc\ta\ti\tf\tf\t23\t0\t0\t23\t\\N\t\\N\t\\N\n"),
            "the aggregate f of x has no `A` record",
        ),
        (
            &format!(
                "{e}F\tf\tc\tf\ti\tt\tf\t23\t0\t0\t23\t\\N\t\\N\t\\N\nA\tf(23)\tn\t0\tf(23)\t0\t23\t\\N\n"
            ),
            "line 4: `f(23)` is not an aggregate of x",
        ),
        (
            &format!("{e}O\t+\tb\t23\t23\t23\tg(23)\t0\t0\n"),
            "function `g(23)` is not a function of x",
        ),
        (
            &format!(
                "{e}F\tf\tc\tf\ti\tt\tf\t23\t0\t0\t23,23\t\\N\t\\N\t\\N\nO\t+++\tb\t23\t23\t23\tf(23,23)\t---\t0\n"
            ),
            "no operator --- with the implied operand types",
        ),
        (
            &format!("{e}C\t23\t25\ti\tb\t0\n"),
            "a cast between types of no extension's own",
        ),
        (
            &format!(
                "{e}T\td\td\tU\tf\t_d\t23\tf\t0\nF\tf\tc\tf\ti\tt\tf\t_d\t0\t0\t\t\\N\t\\N\t\\N\n"
            ),
            "`_d` is an array of a domain",
        ),
        (
            "V\t15\nE\tx\t1\tt\t\\N\t\nE\tx\t1\tt\t\\N\t\n",
            "an extension is listed twice",
        ),
    ] {
        let err = Contrib::parse(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
    // A reference to a type of a required extension resolves; of another one, not.
    let two = "V\t15\nE\ta\t1\tt\t\\N\t\nT\tt\tb\tU\tf\t\\N\t0\tf\t0\n\
               E\tb\t1\tt\t\\N\ta\nF\tf\tc\tf\ti\tt\tf\tt\t0\t0\t\t\\N\t\\N\t\\N\n";
    let parsed = Contrib::parse(two).unwrap();
    let t = parsed.extension("a").unwrap().types[0].oid;
    assert_eq!(parsed.extension("b").unwrap().functions[0].function.ret, t);
    let err = Contrib::parse(&two.replace("\ta\nF", "\t\nF"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("type `t` is not a type of b"), "{err}");
}

/// The analyzer's view of a schema given as DDL.
fn schema_of(ddl: &str) -> squill_codegen::analyze::Schema {
    use squill_codegen::diagnostic::SourceFile;
    let (catalog, problems, _) =
        squill_codegen::catalog::from_ddl(&[SourceFile::new("schema.sql", ddl.to_string())]);
    assert!(problems.is_empty(), "{problems:?}");
    squill_codegen::analyze::Schema::from_catalog(&catalog)
}

#[test]
fn the_analyzer_knows_installed_contrib_extensions_in_their_schema() {
    // Nothing installed: an extension's function does not exist (PostgreSQL's error).
    let none = schema_of("CREATE TABLE t (id int);");
    let err = analyze_columns(&none, "SELECT digest('a', 'sha256')").unwrap_err();
    assert!(
        err.contains("function digest(unknown, unknown) does not exist"),
        "{err}"
    );

    let s = schema_of(
        "CREATE EXTENSION pgcrypto;\n\
         CREATE SCHEMA ext;\n\
         CREATE EXTENSION hstore WITH SCHEMA ext;\n\
         CREATE EXTENSION citext SCHEMA ext;\n\
         CREATE TABLE t (id int, h ext.hstore NOT NULL, c ext.citext);",
    );
    assert_eq!(
        analyze_columns(
            &s,
            "SELECT digest('a', 'sha256') AS d, public.crypt('p', 's') AS c"
        )
        .unwrap(),
        ["d bytea NOT NULL", "c text NOT NULL"]
    );
    // Only pgcrypto's overloads exist now: a call matching none is PostgreSQL's error.
    let err = analyze_columns(&s, "SELECT digest(1, 'sha256')").unwrap_err();
    assert!(
        err.contains("function digest(integer, unknown) does not exist"),
        "{err}"
    );
    // The types are named in the extension's schema.
    assert_eq!(
        analyze_columns(
            &s,
            "SELECT h, c, ext.hstore('k', 'v') AS made, 'a=>1'::ext.hstore AS lit FROM t"
        )
        .unwrap(),
        [
            "h ext.hstore NOT NULL",
            "c ext.citext NULL",
            "made ext.hstore NULL",
            "lit ext.hstore NOT NULL"
        ]
    );
    // Off the search path: functions need their schema, operators are not found.
    let err = analyze_columns(&s, "SELECT akeys(h) FROM t").unwrap_err();
    assert!(
        err.contains("function akeys(ext.hstore) does not exist"),
        "{err}"
    );
    let err = analyze_columns(&s, "SELECT h -> 'k' FROM t").unwrap_err();
    assert!(
        err.contains("operator does not exist: ext.hstore -> unknown"),
        "{err}"
    );
    // Casts apply wherever the types are: citext to text implicitly.
    assert_eq!(
        analyze_columns(&s, "SELECT upper(c) AS u, c::varchar AS v FROM t").unwrap(),
        ["u text NULL", "v character varying NULL"]
    );

    // On the search path (moved there), the operators are found.
    let moved = schema_of(
        "CREATE SCHEMA ext;\n\
         CREATE EXTENSION hstore WITH SCHEMA ext;\n\
         CREATE TABLE t (h ext.hstore NOT NULL);\n\
         ALTER EXTENSION hstore SET SCHEMA public;",
    );
    assert_eq!(
        analyze_columns(
            &moved,
            "SELECT h -> 'k' AS v, akeys(h) AS k, h ? 'k' AS has FROM t"
        )
        .unwrap(),
        ["v text NULL", "k text[] NOT NULL", "has boolean NOT NULL"]
    );
    // Dropped: gone again.
    let dropped = schema_of("CREATE EXTENSION pg_trgm;\nDROP EXTENSION pg_trgm;");
    assert!(analyze_columns(&dropped, "SELECT similarity('a', 'b')").is_err());

    // An extension squill has no data for: a call matching nothing may be one of its
    // functions (a refusal, not an error).
    let unknown = schema_of("CREATE EXTENSION pgcrypto;\nCREATE EXTENSION postgis;");
    let err = analyze_columns(&unknown, "SELECT digest(1, 'sha256')").unwrap_err();
    assert!(err.contains("not supported offline yet"), "{err}");

    // An extension whose control file names its schema goes there, whatever the DDL says.
    let admin = schema_of("CREATE EXTENSION adminpack;");
    assert_eq!(
        analyze_columns(&admin, "SELECT pg_catalog.pg_file_unlink('x') AS ok").unwrap(),
        ["ok boolean NULL"]
    );
}

/// pgvector (`codegen/builtins/pgvector.tsv`, transcribed from its install script: pgvector is
/// not installable here, so no server checks it) is loaded after the contrib extensions, in the
/// same OID space, with the objects its script creates.
#[test]
fn pgvector_is_loaded_after_contrib() {
    let c = contrib_data();
    let names: Vec<&str> = c.extensions().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.last(), Some(&"vector"));
    assert_eq!(names.len(), contrib::EXTENSIONS.len() + 1);
    let v = c.extension("vector").unwrap();
    assert_eq!((v.version.as_str(), v.schema.as_ref()), ("0.8.0", None));
    let types: Vec<&str> = v.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(types, ["halfvec", "sparsevec", "vector"]);
    let ops: std::collections::BTreeSet<&str> =
        v.operators.iter().map(|o| o.name.as_str()).collect();
    for op in [
        "<->", "<=>", "<#>", "<+>", "<~>", "<%>", "+", "-", "*", "||", "<", "=",
    ] {
        assert!(ops.contains(op), "{op}");
    }
    assert_eq!(v.casts.len(), 23);
    for f in [
        "l2_distance",
        "binary_quantize",
        "subvector",
        "hamming_distance",
        "avg",
        "sum",
    ] {
        assert!(v.functions.iter().any(|x| x.function.name == f), "{f}");
    }
}
