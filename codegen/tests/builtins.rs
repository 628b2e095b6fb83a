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
        builtins::DATA_PATH,
        old.len(),
        new.len(),
        first + 1
    );
    // The columns of the section the first difference is in.
    if let Some(header) = old[..first.min(old.len())]
        .iter()
        .rev()
        .find(|l| l.starts_with("# "))
    {
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
    report.push_str(
        "regenerate with `cargo run -p squill-codegen --bin squill-builtins -- \
         codegen/builtins/pg15.tsv` if the new server is the one to follow",
    );
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
        ("V\t15\nR\tpg_catalog\tx\ti\n", "line 2: unknown code `i`"),
        (
            "V\t15\nR\tpg_catalog\tx\tr\nK\tx\t23\tyes\n",
            "line 3: `yes` is not",
        ),
        (
            "V\t15\nR\tpg_catalog\tx\tr\nR\tpg_catalog\tx\tv\n",
            "a relation is listed twice",
        ),
    ] {
        let err = Builtins::parse(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}
