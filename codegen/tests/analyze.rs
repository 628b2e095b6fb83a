//! Conformance of the offline analyzer with PostgreSQL: for the demo and for corpus cases,
//! load the catalog from DDL, analyze every query offline, describe it on a live server with
//! the schema applied, and compare parameter types, column names and types, and nullability.
//! Any type disagreement on a query the analyzer accepts fails the test; refusals are
//! reported (grouped by reason), not failures.
//!
//! `cargo test -p squill-codegen --test analyze -- --nocapture` prints the tables.

mod support;

use support::cases::{Case, apply_schema, corpus_cases, judged_by_plan, plans, source, sql_files};

use std::collections::BTreeMap;
use std::path::Path;

use squill_codegen::analyze::{Schema, analyze};
use squill_codegen::catalog;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::ir;
use squill_codegen::live::{Describer, TempServer};
use squill_codegen::source::parse_query_file;

#[derive(Default)]
struct Tally {
    queries: usize,
    /// Queries whose annotation or parameters squill could not read (each with its diagnostic
    /// in `unparsed_reasons`); they are counted in `queries` but never reach describe.
    unparsed: usize,
    unparsed_reasons: Vec<String>,
    valid: usize,
    accepted: usize,
    equal: usize,
    stricter: usize,
    refused: usize,
    refusals: BTreeMap<String, usize>,
    disagreements: Vec<String>,
    /// Accepted queries whose parameter names differ from describe's.
    param_names_differ: Vec<String>,
    /// Queries PostgreSQL accepts that the analyzer reported as errors (not refusals).
    rejected_valid: Vec<String>,
    /// Queries PostgreSQL rejects that the analyzer accepted.
    accepted_invalid: Vec<String>,
    /// Parameterless SELECTs run on the provoking data, and the NULLs found in columns the
    /// analyzer called non-null (must be none).
    executed: usize,
    /// Accepted queries whose SQL squill sends with `*` / `t.*` spelled out; each is described
    /// again and must give exactly the original's parameters and columns (names and types).
    spelled_out: usize,
    wrongly_non_null: Vec<String>,
    /// Array columns of executed queries that offline called free of NULL elements.
    proven_elements: usize,
    /// Offline non-null where describe says nullable, for a plain table column.
    table_column_stricter: Vec<String>,
}

/// The refusal's reason, without the query's own names.
fn reason(message: &str) -> String {
    if let Some(rest) = message.split("cannot be typed offline: ").nth(1) {
        let what = rest.trim_end_matches(" is not supported offline yet");
        let mut out = String::from("unsupported: ");
        let mut quoted = false;
        for c in what.chars() {
            match c {
                '`' => {
                    quoted = !quoted;
                    out.push_str(if quoted { "`…" } else { "`" });
                }
                _ if quoted => {}
                _ => out.push(c),
            }
        }
        let out = out.split(" (").next().unwrap_or(&out).to_string();
        return out.chars().take(90).collect();
    }
    let mut out = String::from("error: ");
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            quoted = !quoted;
            out.push_str(if quoted { "\"…" } else { "\"" });
        } else if !quoted {
            out.push(c);
        }
    }
    out.chars().take(90).collect()
}

fn run_case(server: &TempServer, case: &Case, tally: &mut Tally) -> Result<(), String> {
    let mut scratch = apply_schema(server, case)?;
    let schema_files: Vec<SourceFile> = case.schema.iter().map(|p| source(p)).collect();
    let (catalog, _problems, _stats) = catalog::from_ddl(&schema_files);
    let schema = Schema::from_catalog(&catalog);
    let mut provoke: Vec<(String, String, ir::Query)> = Vec::new();
    // What the planner rejects (ON CONFLICT arbiters), PREPARE accepting it: asked first, as
    // the describer holds the connection.
    let mut plan_errors: BTreeMap<(String, String), String> = BTreeMap::new();
    for path in &case.queries {
        let file = source(path);
        for raw in parse_query_file(&file).0 {
            if judged_by_plan(&raw.sql)
                && scratch.client().prepare(&raw.sql).is_ok()
                && let Err(e) = plans(scratch.client(), &raw.sql)
            {
                plan_errors.insert(
                    (path.display().to_string(), raw.name.clone()),
                    squill_codegen::live::describe_pg_error(&e),
                );
            }
        }
    }
    let mut describer = Describer::new(scratch.client());
    for path in &case.queries {
        let file = source(path);
        let (raws, problems) = parse_query_file(&file);
        tally.queries += problems.len();
        tally.unparsed += problems.len();
        for d in &problems {
            tally
                .unparsed_reasons
                .push(format!("{}: {}", case.name, d.message));
        }
        for raw in raws {
            tally.queries += 1;
            let planned = plan_errors.get(&(path.display().to_string(), raw.name.clone()));
            let described = match (describer.describe(&file, &raw), planned) {
                (Ok(_), Some(e)) => Err(squill_codegen::diagnostic::Diagnostic::error(e.clone())),
                (described, _) => described,
            };
            let live = match described {
                Ok(live) => live,
                Err(d) => {
                    if std::env::var_os("SQUILL_ANALYZE_VERBOSE").is_some() {
                        println!(
                            "invalid {}:{} {}: {}",
                            case.name, raw.line, raw.name, d.message
                        );
                    }
                    if analyze(&schema, &raw, &file).is_ok() {
                        tally.accepted_invalid.push(format!(
                            "{}:{} {}: {}",
                            case.name, raw.line, raw.name, d.message
                        ));
                    }
                    continue;
                }
            };
            tally.valid += 1;
            match analyze(&schema, &raw, &file) {
                Err(d) => {
                    tally.refused += 1;
                    if !d.message.contains("not supported offline yet") {
                        tally.rejected_valid.push(format!(
                            "{}:{} {}: {}",
                            case.name, raw.line, raw.name, d.message
                        ));
                    }
                    if std::env::var_os("SQUILL_ANALYZE_VERBOSE").is_some() {
                        println!(
                            "refused {}:{} {}: {}",
                            case.name, raw.line, raw.name, d.message
                        );
                    }
                    *tally.refusals.entry(reason(&d.message)).or_default() += 1;
                }
                Ok(offline) => {
                    tally.accepted += 1;
                    let where_ = format!("{}:{} {}", case.name, raw.line, raw.name);
                    let names =
                        |ps: &[ir::Param]| ps.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
                    if names(&live.params) != names(&offline.params) {
                        tally.param_names_differ.push(format!(
                            "{where_}: live {:?}, offline {:?}",
                            names(&live.params),
                            names(&offline.params)
                        ));
                    }
                    if offline.sql != raw.sql {
                        tally.spelled_out += 1;
                        // Same parameters, column names and types. (Describe's own nullability
                        // reading is syntactic, so it is not compared.)
                        let mut sent = raw.clone();
                        sent.sql = offline.sql.clone();
                        sent.embeds.clear();
                        let same = match describer.describe(&file, &sent) {
                            Ok(described) => compare(&live, &described).map(|_| ()),
                            Err(d) => Err(d.message),
                        };
                        if let Err(why) = same {
                            tally.disagreements.push(format!(
                                "{where_}: the SQL sent ({}) differs from the query: {why}",
                                offline.sql
                            ));
                        }
                    }
                    match compare(&live, &offline) {
                        Err(why) => tally.disagreements.push(format!("{where_}: {why}")),
                        Ok(stricter) => {
                            tally.equal += 1;
                            if case.data.is_some()
                                && raw.params.is_empty()
                                && raw.sql.trim_start().to_uppercase().starts_with("SELECT")
                            {
                                provoke.push((where_.clone(), raw.sql.clone(), offline.clone()));
                            }
                            if !stricter.is_empty() {
                                tally.stricter += 1;
                            }
                            for (col, origin) in stricter {
                                if origin {
                                    tally
                                        .table_column_stricter
                                        .push(format!("{where_}: column {col}"));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    drop(describer);
    if let Some(data) = &case.data {
        let client = scratch.client();
        client
            .batch_execute(&std::fs::read_to_string(data).unwrap_or_default())
            .map_err(|e| format!("data does not load: {e}"))?;
        for (where_, sql, offline) in provoke {
            let n = offline.columns.len();
            let names: Vec<String> = (1..=n).map(|i| format!("c{i}")).collect();
            let mut checks: Vec<String> = names
                .iter()
                .map(|c| format!("coalesce(bool_or({c} IS NULL), false)"))
                .collect();
            // Arrays offline calls free of NULL elements: whether any row has one.
            let proven: Vec<usize> = offline
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.ty, ir::PgType::Array(_)) && !c.elements_nullable)
                .map(|(i, _)| i)
                .collect();
            checks.extend(proven.iter().map(|&i| {
                format!(
                    "coalesce(bool_or(EXISTS (SELECT FROM unnest(c{}) AS e(v) WHERE v IS NULL)), false)",
                    i + 1
                )
            }));
            let probe = format!(
                "SELECT {} FROM ({sql}) AS t({})",
                checks.join(", "),
                names.join(", ")
            );
            let row = client
                .query_one(&probe, &[])
                .map_err(|e| format!("{where_}: probe failed: {e}"))?;
            tally.executed += 1;
            for (i, col) in offline.columns.iter().enumerate() {
                let has_null: bool = row.get(i);
                if has_null && !col.nullable {
                    tally
                        .wrongly_non_null
                        .push(format!("{where_}: column {} returned NULL", col.name));
                }
            }
            for (k, &i) in proven.iter().enumerate() {
                if row.get::<_, bool>(n + k) {
                    tally.wrongly_non_null.push(format!(
                        "{where_}: column {} returned a NULL array element",
                        offline.columns[i].name
                    ));
                }
            }
            tally.proven_elements += proven.len();
        }
    }
    Ok(())
}

/// Types and names must be equal; returns the columns offline says are non-null where
/// describe says nullable (with whether describe saw a table column there).
fn compare(live: &ir::Query, offline: &ir::Query) -> Result<Vec<(String, bool)>, String> {
    let tys = |ps: &[ir::Param]| ps.iter().map(|p| p.ty.display_name()).collect::<Vec<_>>();
    if tys(&live.params) != tys(&offline.params) {
        return Err(format!(
            "params: live {:?}, offline {:?}",
            tys(&live.params),
            tys(&offline.params)
        ));
    }
    // Both read parameter nullability from the syntax (`analyze::optional`); they must agree.
    let optional = |ps: &[ir::Param]| ps.iter().map(|p| p.nullable).collect::<Vec<_>>();
    if optional(&live.params) != optional(&offline.params) {
        return Err(format!(
            "param nullability: live {:?}, offline {:?}",
            optional(&live.params),
            optional(&offline.params)
        ));
    }
    let cols = |cs: &[ir::Column]| {
        cs.iter()
            .map(|c| format!("{} {}", c.name, c.ty.display_name()))
            .collect::<Vec<_>>()
    };
    if cols(&live.columns) != cols(&offline.columns) {
        return Err(format!(
            "columns: live {:?}, offline {:?}",
            cols(&live.columns),
            cols(&offline.columns)
        ));
    }
    let mut stricter = Vec::new();
    for (l, o) in live.columns.iter().zip(&offline.columns) {
        if l.nullable && !o.nullable {
            stricter.push((l.name.clone(), l.origin.is_some()));
        }
    }
    Ok(stricter)
}

fn print(title: &str, rows: &[(String, Tally)]) -> Tally {
    println!("\n## {title}\n");
    println!(
        "| case | queries | parsed | valid (live) | accepted offline | types equal | stricter nullability | refused |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut total = Tally::default();
    for (name, t) in rows {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            t.queries,
            t.queries - t.unparsed,
            t.valid,
            t.accepted,
            t.equal,
            t.stricter,
            t.refused
        );
        total.queries += t.queries;
        total.unparsed += t.unparsed;
        total
            .unparsed_reasons
            .extend(t.unparsed_reasons.iter().cloned());
        total.valid += t.valid;
        total.accepted += t.accepted;
        total.equal += t.equal;
        total.stricter += t.stricter;
        total.refused += t.refused;
        for (r, n) in &t.refusals {
            *total.refusals.entry(r.clone()).or_default() += n;
        }
        total.disagreements.extend(t.disagreements.iter().cloned());
        total
            .rejected_valid
            .extend(t.rejected_valid.iter().cloned());
        total
            .param_names_differ
            .extend(t.param_names_differ.iter().cloned());
        total
            .accepted_invalid
            .extend(t.accepted_invalid.iter().cloned());
        total
            .wrongly_non_null
            .extend(t.wrongly_non_null.iter().cloned());
        total.executed += t.executed;
        total.proven_elements += t.proven_elements;
        total.spelled_out += t.spelled_out;
        total
            .table_column_stricter
            .extend(t.table_column_stricter.iter().cloned());
    }
    println!(
        "| **total** | {} | {} | {} | {} | {} | {} | {} |",
        total.queries,
        total.queries - total.unparsed,
        total.valid,
        total.accepted,
        total.equal,
        total.stricter,
        total.refused
    );
    if !total.unparsed_reasons.is_empty() {
        println!(
            "
queries squill could not read:"
        );
        for r in &total.unparsed_reasons {
            println!("  {r}");
        }
    }
    println!(
        "\n{} accepted queries are sent with `*` / `t.*` spelled out; each was described again and matched",
        total.spelled_out
    );
    let mut reasons: Vec<_> = total.refusals.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("\nrefusals by reason:");
    for (r, n) in reasons {
        println!("  {n:4}  {r}");
    }
    if !total.table_column_stricter.is_empty() {
        println!("\ntable columns offline calls non-null where describe says nullable:");
        for s in &total.table_column_stricter {
            println!("  {s}");
        }
    }
    if total.executed > 0 {
        println!(
            "\nNULL provocation: {} queries executed on provoking data ({} array columns proven free of NULL elements), {} wrongly non-null columns or elements",
            total.executed,
            total.proven_elements,
            total.wrongly_non_null.len()
        );
        for w in &total.wrongly_non_null {
            println!("  WRONG: {w}");
        }
    }
    if !total.param_names_differ.is_empty() {
        println!("\nparameter names that differ from describe's (types agree):");
        for a in &total.param_names_differ {
            println!("  {a}");
        }
    }
    if !total.rejected_valid.is_empty() {
        println!("\nERRORS on queries PostgreSQL accepts:");
        for a in &total.rejected_valid {
            println!("  {a}");
        }
    }
    if !total.accepted_invalid.is_empty() {
        println!("\naccepted offline although PostgreSQL rejects them:");
        for a in &total.accepted_invalid {
            println!("  {a}");
        }
    }
    if !total.disagreements.is_empty() {
        println!("\nTYPE DISAGREEMENTS:");
        for d in &total.disagreements {
            println!("  {d}");
        }
    }
    total
}

#[test]
fn offline_agrees_with_postgres() {
    let server = TempServer::start().expect("throwaway server");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let demo = Case {
        name: "demo".into(),
        data: None,
        schema: sql_files(&root.join("schema")),
        queries: sql_files(&root.join("queries")),
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analyze_fixtures");
    let fixture_case = Case {
        name: "fixtures".into(),
        data: Some(fixtures.join("data.sql")),
        schema: vec![fixtures.join("schema.sql")],
        queries: vec![fixtures.join("queries.sql"), fixtures.join("verdict.sql")],
    };
    let mut fixture_tally = Tally::default();
    run_case(&server, &fixture_case, &mut fixture_tally).expect("fixture schema applies");
    let fixture_total = print("rule fixtures", &[("fixtures".into(), fixture_tally)]);
    let mut demo_tally = Tally::default();
    run_case(&server, &demo, &mut demo_tally).expect("demo schema applies");
    let demo_total = print("demo", &[("demo".into(), demo_tally)]);

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for case in corpus_cases() {
        let mut t = Tally::default();
        match run_case(&server, &case, &mut t) {
            Ok(()) => rows.push((case.name, t)),
            Err(e) => skipped.push(format!("{}: {}", case.name, e.lines().next().unwrap_or(""))),
        }
    }
    let corpus_total = print(
        "corpus (sqlc-examples, sqlc-minder, sqlc-hatchet, sqlc-goalert, sqlc-neosync, sqlc-endtoend)",
        &rows,
    );
    println!("\ncases skipped ({}):", skipped.len());
    for s in &skipped {
        println!("  {s}");
    }
    assert!(
        !skipped.iter().any(|s| s.starts_with("sqlc-")),
        "an application corpus case was skipped (see above)"
    );
    assert!(
        demo_total.disagreements.is_empty()
            && corpus_total.disagreements.is_empty()
            && fixture_total.disagreements.is_empty(),
        "offline types disagree with PostgreSQL on accepted queries (see above)"
    );
    assert!(
        demo_total.rejected_valid.is_empty()
            && fixture_total.rejected_valid.is_empty()
            && corpus_total.rejected_valid.is_empty(),
        "the analyzer reported an error on a query PostgreSQL accepts (see above)"
    );
    assert!(
        fixture_total.wrongly_non_null.is_empty(),
        "the analyzer called a column non-null that PostgreSQL returned NULL in (see above)"
    );
    assert!(
        demo_total.accepted_invalid.is_empty() && fixture_total.accepted_invalid.is_empty(),
        "the analyzer accepted a query PostgreSQL rejects (see above)"
    );
    assert_eq!(demo_total.refused, 0, "every demo query is typed offline");
}

/// PostgreSQL is the judge of parameter nullability: every parameter the analyzer makes
/// optional accepts NULL when the statement runs, and every parameter it keeps required
/// because it is written into a NOT NULL column (or NOT NULL domain) is rejected with NULL.
#[test]
fn optional_params_accept_null_on_postgres() {
    let server = TempServer::start().expect("throwaway server");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analyze_fixtures");
    let case = Case {
        name: "fixtures".into(),
        data: None,
        schema: vec![fixtures.join("schema.sql")],
        queries: Vec::new(),
    };
    let mut scratch = apply_schema(&server, &case).expect("fixture schema applies");
    let schema_files: Vec<SourceFile> = case.schema.iter().map(|p| source(p)).collect();
    let (catalog, _, _) = catalog::from_ddl(&schema_files);
    let schema = Schema::from_catalog(&catalog);
    // (statement, a valid value for each parameter, each parameter's role: `O` optional, NULL
    // runs; `R` required by a NOT NULL target, NULL is a not-null violation; `C` required, a
    // comparison where NULL runs but matches nothing)
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "INSERT INTO people (name, nick, email, age) VALUES ($1, $2, $3, $4), ($1, $2::text, $3, $4)",
            &["'n'", "'k'", "'e@x'", "3"],
            "RORO",
        ),
        (
            "UPDATE pets SET weight = $1, name = $2 WHERE id = $3",
            &["1.5", "'x'", "100"],
            "ORC",
        ),
        (
            "INSERT INTO pets (id, name, weight) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET weight = $4, owner_id = $5",
            &["100", "'q'", "1", "2", "NULL"],
            "RROOO",
        ),
        (
            "INSERT INTO pets (name, weight) SELECT $1, $2",
            &["'p'", "2.5"],
            "RO",
        ),
        (
            "UPDATE people SET name = coalesce($1, name), (nick, age) = ($2, $3) WHERE name = $4",
            &["'z'", "'k'", "4", "'a'"],
            "OOOC",
        ),
        (
            "SELECT id FROM people WHERE ($1::text IS NULL OR nick = $1) AND name = $2",
            &["'k'", "'a'"],
            "OC",
        ),
    ];
    let client = scratch.client();
    client
        .batch_execute(
            "INSERT INTO people (name, email) VALUES ('a', 'a@x');
             INSERT INTO pets (id, name) VALUES (100, 'p');",
        )
        .expect("rows to update");
    for (i, (sql, values, roles)) in cases.iter().enumerate() {
        let text = format!("-- name: Q :exec\n{sql};\n");
        let file = SourceFile::new("q.sql", text);
        let (raws, problems) = parse_query_file(&file);
        assert!(problems.is_empty(), "{problems:?}");
        let query = analyze(&schema, &raws[0], &file).unwrap_or_else(|d| panic!("{sql}: {d:?}"));
        let optional: String = query
            .params
            .iter()
            .zip(roles.chars())
            .map(|(p, role)| match (p.nullable, role) {
                (true, _) => 'O',
                (false, 'O') => '-',
                (false, role) => role,
            })
            .collect();
        assert_eq!(&optional, roles, "{sql}");
        client
            .batch_execute(&format!("PREPARE q{i} AS {sql}"))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        for (n, role) in roles.chars().enumerate() {
            let args: Vec<&str> = values
                .iter()
                .enumerate()
                .map(|(k, v)| if k == n { "NULL" } else { *v })
                .collect();
            let run = format!("BEGIN; EXECUTE q{i}({}); ROLLBACK;", args.join(", "));
            let result = client.batch_execute(&run);
            let _ = client.batch_execute("ROLLBACK");
            match (role, result) {
                ('O' | 'C', Err(e)) => panic!("{sql}: ${} with NULL: {e}", n + 1),
                ('R', Ok(())) => panic!("{sql}: ${} kept required, PostgreSQL takes NULL", n + 1),
                ('R', Err(e)) => {
                    let code = e.code().map(|c| c.code().to_string());
                    assert_eq!(code.as_deref(), Some("23502"), "{sql}: ${}: {e}", n + 1);
                }
                _ => {}
            }
        }
    }
}
