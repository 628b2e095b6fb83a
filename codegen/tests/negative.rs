//! The negative corpus: what PostgreSQL rejects, the offline analyzer must reject. Valid
//! queries (the rule fixtures, the demo, the sqlc examples and end-to-end cases; with
//! `SQUILL_NEGATIVE_FULL=1` also the application corpora) are mutated mechanically
//! (`support/mutate.rs`), each mutant is PREPAREd on a throwaway PostgreSQL 15 with the case's
//! schema (the verdict; a statement with ON CONFLICT is also planned, by EXPLAIN, since its
//! arbiter index is chosen by the planner), and analyzed offline. The table says, per kind, how many mutants
//! PostgreSQL rejects and how many of those squill accepted (false accepts), how many it
//! accepts and how many of those squill reported as errors (false rejects) or refused as not
//! supported offline (not a wrong verdict, counted apart).
//!
//! The test fails on any false reject, and on any false accept of a kind listed in [`DONE`].
//!
//! `cargo test -p squill-codegen --test negative -- --nocapture` (fast subset);
//! `SQUILL_NEGATIVE_FULL=1 cargo test -p squill-codegen --test negative -- --nocapture` (all).

#[path = "support/mutate.rs"]
mod mutate;
mod support;

use std::collections::BTreeMap;
use std::path::Path;

use squill_codegen::analyze::{Schema, analyze};
use squill_codegen::catalog;
use squill_codegen::diagnostic::SourceFile;
use squill_codegen::live::TempServer;
use squill_codegen::source::parse_query_file;
use support::cases::{Case, apply_schema, corpus_cases, judged_by_plan, plans, source, sql_files};

/// Kinds whose every PostgreSQL reject squill rejects too (a false accept fails the test).
const DONE: &[&str] = &[
    "reprint",
    "order_by_1",
    "limit_text_number",
    "column_typo",
    "table_typo",
    "aggregate_in_where",
    "aggregate_in_join_on",
    "aggregate_in_group_by",
    "group_by_dropped",
    "group_by_item_dropped",
    "distinct_on_order_by",
    "function_typo",
    "literal_invalid",
    "literal_out_of_range",
    "text_vs_integer",
    "order_by_99",
    "limit_text",
    "table_twice",
    "insert_select_fewer",
    "insert_select_more",
    "insert_values_more",
    "insert_values_fewer",
    "function_extra_arg",
    "alias_out_of_scope",
    "on_conflict_column_typo",
    "on_conflict_set_typo",
    "on_conflict_no_target",
    "on_conflict_key_dropped",
    "on_conflict_other_column",
    "set_op_fewer_columns",
    "set_op_type_mismatch",
    "subquery_two_columns",
    "assignment_no_cast",
    "alias_twice",
    "aggregate_added",
    "nested_aggregate",
    "distinct_order_by",
    "on_conflict_constraint_typo",
    "window_in_where",
    "window_in_group_by",
    "group_by_99",
    "insert_column_twice",
    "update_set_twice",
];

/// How many false verdicts of each kind the report lists.
const SHOWN: usize = 6;

#[derive(Default)]
struct Tally {
    mutants: usize,
    pg_rejects: usize,
    false_accepts: usize,
    pg_accepts: usize,
    false_rejects: usize,
    refusals: usize,
    examples: Vec<String>,
}

#[derive(Default)]
struct Run {
    bases: usize,
    /// Base queries whose reprint (sqlparser's printing) PostgreSQL does not accept: their
    /// mutants would not say anything about the mutation.
    unprintable: usize,
    /// Mutants PostgreSQL cannot even parse (sqlparser printed the mutation where the grammar
    /// does not take it): not a user's query, left out of the table.
    syntax_errors: usize,
    kinds: BTreeMap<&'static str, Tally>,
}

enum Offline {
    Accepted,
    Error(String),
    Refused,
}

fn offline(schema: &Schema, sql: &str) -> Offline {
    let file = SourceFile::new("mutant.sql", format!("-- name: Mutant :many\n{sql};\n"));
    let (raws, problems) = parse_query_file(&file);
    let raw = match (raws.as_slice(), problems.first()) {
        ([raw], None) => raw,
        (_, Some(d)) => return Offline::Error(d.message.clone()),
        _ => return Offline::Error("not one query".into()),
    };
    match analyze(schema, raw, &file) {
        Ok(_) => Offline::Accepted,
        Err(d) if d.message.contains("not supported offline yet") => Offline::Refused,
        Err(d) => Offline::Error(d.message),
    }
}

/// PostgreSQL's verdict: PREPARE, and for what the planner checks (ON CONFLICT arbiters),
/// EXPLAIN too.
fn verdict(client: &mut postgres::Client, sql: &str) -> Result<(), postgres::Error> {
    client.prepare(sql)?;
    if judged_by_plan(sql) {
        plans(client, sql)?;
    }
    Ok(())
}

fn run_case(server: &TempServer, case: &Case, run: &mut Run) -> Result<(), String> {
    let mut scratch = apply_schema(server, case)?;
    let schema_files: Vec<SourceFile> = case.schema.iter().map(|p| source(p)).collect();
    let (catalog, _, _) = catalog::from_ddl(&schema_files);
    let schema = Schema::from_catalog(&catalog);
    let client = scratch.client();
    for path in &case.queries {
        let file = source(path);
        let (raws, _) = parse_query_file(&file);
        for raw in raws {
            if verdict(client, &raw.sql).is_err() || analyze(&schema, &raw, &file).is_err() {
                continue;
            }
            let mutants = mutate::mutants(&raw.sql);
            let Some((_, reprint)) = mutants.first() else {
                continue;
            };
            if verdict(client, reprint).is_err() {
                run.unprintable += 1;
                continue;
            }
            run.bases += 1;
            for (kind, sql) in &mutants {
                let verdict = verdict(client, sql);
                // (SQLSTATE 42601 also covers analysis errors such as `INSERT has more
                // expressions than target columns`: only the grammar's own message counts.)
                if let Err(e) = &verdict
                    && e.as_db_error()
                        .is_some_and(|d| d.message().starts_with("syntax error at"))
                {
                    run.syntax_errors += 1;
                    continue;
                }
                let t = run.kinds.entry(kind).or_default();
                t.mutants += 1;
                let ours = offline(&schema, sql);
                let wrong = match (&verdict, &ours) {
                    (Err(e), Offline::Accepted) => {
                        t.pg_rejects += 1;
                        t.false_accepts += 1;
                        Some(format!(
                            "accepted, PostgreSQL: {}",
                            squill_codegen::live::describe_pg_error(e)
                        ))
                    }
                    (Err(_), _) => {
                        t.pg_rejects += 1;
                        None
                    }
                    (Ok(()), Offline::Error(m)) => {
                        t.pg_accepts += 1;
                        t.false_rejects += 1;
                        Some(format!("rejected: {m}"))
                    }
                    (Ok(()), Offline::Refused) => {
                        t.pg_accepts += 1;
                        t.refusals += 1;
                        None
                    }
                    (Ok(()), Offline::Accepted) => {
                        t.pg_accepts += 1;
                        None
                    }
                };
                if let Some(why) = wrong
                    && t.examples.len() < SHOWN
                {
                    t.examples.push(format!(
                        "{} {}: {why}\n      {}",
                        case.name,
                        raw.name,
                        sql.replace('\n', " ")
                    ));
                }
            }
        }
    }
    Ok(())
}

fn report(run: &Run) {
    println!(
        "\n{} base queries mutated ({} left out: PostgreSQL rejects their reprint; {} mutants \
         left out: syntax errors of the printing)\n",
        run.bases, run.unprintable, run.syntax_errors
    );
    println!(
        "| kind | mutants | PG rejects | squill accepts (of rejects) | PG accepts | squill errors (of accepts) | squill refusals (of accepts) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut total = Tally::default();
    for (kind, _) in mutate::KINDS {
        let Some(t) = run.kinds.get(kind) else {
            continue;
        };
        println!(
            "| {kind}{} | {} | {} | {} | {} | {} | {} |",
            if DONE.contains(kind) { " ✓" } else { "" },
            t.mutants,
            t.pg_rejects,
            t.false_accepts,
            t.pg_accepts,
            t.false_rejects,
            t.refusals
        );
        total.mutants += t.mutants;
        total.pg_rejects += t.pg_rejects;
        total.false_accepts += t.false_accepts;
        total.pg_accepts += t.pg_accepts;
        total.false_rejects += t.false_rejects;
        total.refusals += t.refusals;
    }
    println!(
        "| **total** | {} | {} | {} | {} | {} | {} |",
        total.mutants,
        total.pg_rejects,
        total.false_accepts,
        total.pg_accepts,
        total.false_rejects,
        total.refusals
    );
    for (kind, t) in &run.kinds {
        if !t.examples.is_empty() {
            println!("\n{kind}:");
            for e in &t.examples {
                println!("  {e}");
            }
        }
    }
}

/// The fast subset: the rule fixtures, the demo, the sqlc examples and end-to-end cases. The
/// full run adds the application corpora (hatchet, goalert, minder, neosync, bionic-gpt,
/// samling).
fn cases(full: bool) -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analyze_fixtures");
    let mut cases = vec![
        Case {
            name: "fixtures".into(),
            data: None,
            schema: vec![fixtures.join("schema.sql")],
            queries: vec![fixtures.join("queries.sql"), fixtures.join("verdict.sql")],
        },
        Case {
            name: "demo".into(),
            data: None,
            schema: sql_files(&root.join("schema")),
            queries: sql_files(&root.join("queries")),
        },
    ];
    cases.extend(corpus_cases().into_iter().filter(|c| {
        full || c.name.starts_with("sqlc-examples/") || c.name.starts_with("endtoend/")
    }));
    cases
}

#[test]
fn what_postgres_rejects_squill_rejects() {
    let full = std::env::var_os("SQUILL_NEGATIVE_FULL").is_some();
    let server = TempServer::start().expect("throwaway server");
    let mut run = Run::default();
    let mut skipped = Vec::new();
    for case in cases(full) {
        if let Err(e) = run_case(&server, &case, &mut run) {
            skipped.push(format!("{}: {}", case.name, e.lines().next().unwrap_or("")));
        }
    }
    report(&run);
    println!("\ncases skipped ({}):", skipped.len());
    for s in &skipped {
        println!("  {s}");
    }
    let false_rejects: usize = run.kinds.values().map(|t| t.false_rejects).sum();
    assert_eq!(
        false_rejects, 0,
        "squill reported errors on queries PostgreSQL accepts (see above)"
    );
    for kind in DONE {
        let accepts = run.kinds.get(kind).map_or(0, |t| t.false_accepts);
        assert_eq!(
            accepts, 0,
            "squill accepted {kind} mutants PostgreSQL rejects (see above)"
        );
    }
}
