//! `squill analyze --json --schema … --queries …` on every sqlc case of the corpus
//! (`../shared/corpus`): the real binary, with each case's inputs read from its sqlc config
//! (`sqlc.yaml` / `sqlc.json`, one run per PostgreSQL entry), must exit 0 and print a JSON
//! document; refusals are listed in it, not failures. The cases in cornucopia's / clorinde's
//! dialect (`--!`), which have no sqlc config, run with their migrations and query folders, and
//! every `--!` query must come back accepted or refused.
//!
//! `cargo test -p squill-codegen --test corpus_cli -- --nocapture` prints the table.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// sqlc-endtoend cases whose schema PostgreSQL itself rejects (sqlc expects an error, or the
/// extension is not installable here): the CLI may fail on them.
const SCHEMA_REJECTED_BY_POSTGRES: &[&str] = &[
    "sqlc-endtoend/ddl_create_table_invalid_inherits",
    "sqlc-endtoend/pg_vector",
    // `CREATE SCHEMA public` (a pg_dump of another server): exists in every new database.
    "sqlc-endtoend/pg_dump",
];

/// Corpus folders in cornucopia's / clorinde's dialect (`--!`): case, schema, queries.
const CORNUCOPIA_CASES: &[(&str, &str, &str)] = &[
    (
        "cornucopia-bionic-gpt",
        "crates/db/migrations",
        "crates/db/queries",
    ),
    ("clorinde-samling", "samling/migrations", "samling/queries"),
];

fn corpus() -> Option<PathBuf> {
    support::corpus()
}

/// One `sql:` / `packages:` entry of an sqlc config.
#[derive(Debug, Default)]
struct Entry {
    engine: String,
    schema: Vec<String>,
    queries: Vec<String>,
}

fn unquote(s: &str) -> String {
    let s = s.split(" #").next().unwrap_or(s);
    s.trim()
        .trim_end_matches(',')
        .trim()
        .trim_matches('"')
        .trim_matches('\'')
        .to_string()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The entries of an sqlc config: JSON parsed, YAML read line by line (`sql:` or `packages:`
/// list; `schema`, `queries`, `engine` as a scalar, a `[a, b]` list or a `- item` list).
fn sqlc_entries(config: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(config).unwrap();
    if config.extension().is_some_and(|e| e == "json") {
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = value
            .get("sql")
            .or_else(|| value.get("packages"))
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default();
        let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
            match v {
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            }
        };
        return list
            .iter()
            .map(|e| Entry {
                engine: e
                    .get("engine")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string(),
                schema: strings(e.get("schema")),
                queries: strings(e.get("queries")),
            })
            .collect();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = Vec::new();
    let mut entry_indent: Option<usize> = None;
    let mut in_list = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        i += 1;
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent(line) == 0 && !trimmed.starts_with("- ") {
            in_list = matches!(trimmed, "sql:" | "packages:");
            entry_indent = None;
            continue;
        }
        if !in_list {
            continue;
        }
        let mut key_line = trimmed;
        if let Some(rest) = trimmed.strip_prefix("- ") {
            if entry_indent.is_none() {
                entry_indent = Some(indent(line));
            }
            if Some(indent(line)) == entry_indent {
                entries.push(Entry::default());
                key_line = rest.trim();
            }
        }
        // Keys of the entry itself: on its `- ` line or indented one level below it.
        let Some(base) = entry_indent else { continue };
        let is_key = key_line != trimmed || indent(line) == base + 2;
        if !is_key {
            continue;
        }
        let Some((key, value)) = key_line.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        if !matches!(key, "engine" | "schema" | "queries") {
            continue;
        }
        let value = value.trim();
        let mut values = Vec::new();
        if let Some(list) = value.strip_prefix('[') {
            let list = list.split(']').next().unwrap_or("");
            values.extend(list.split(',').map(unquote).filter(|s| !s.is_empty()));
        } else if value.is_empty() {
            while i < lines.len() {
                let next = lines[i].trim();
                if next.starts_with('#') {
                    i += 1;
                    continue;
                }
                let Some(item) = next.strip_prefix("- ") else {
                    break;
                };
                if indent(lines[i]) <= base {
                    break;
                }
                values.push(unquote(item));
                i += 1;
            }
        } else {
            values.push(unquote(value));
        }
        let Some(entry) = entries.last_mut() else {
            continue;
        };
        match key {
            "engine" => entry.engine = values.concat(),
            "schema" => entry.schema.extend(values),
            _ => entry.queries.extend(values),
        }
    }
    entries
}

/// `pattern` (relative to `dir`; `*` matches within one path component) expanded in sorted
/// order; a path without `*` as is.
fn glob(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut paths = vec![dir.to_path_buf()];
    for component in Path::new(pattern).components() {
        let component = component.as_os_str().to_string_lossy().to_string();
        if !component.contains('*') {
            paths.iter_mut().for_each(|p| p.push(&component));
            continue;
        }
        let (prefix, suffix) = component.split_once('*').unwrap();
        let mut next = Vec::new();
        for p in &paths {
            let mut matched: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.path())
                        .filter(|e| {
                            let name = e.file_name().unwrap_or_default().to_string_lossy();
                            name.len() >= prefix.len() + suffix.len()
                                && name.starts_with(prefix)
                                && name.ends_with(suffix)
                        })
                        .collect()
                })
                .unwrap_or_default();
            matched.sort();
            next.extend(matched);
        }
        paths = next;
    }
    paths.retain(|p| p.exists());
    paths
}

struct Run {
    name: String,
    /// The corpus case the run belongs to (for the expected-failure list).
    case: String,
    schema: Vec<PathBuf>,
    queries: Vec<PathBuf>,
}

/// One run per PostgreSQL entry of every sqlc config in the corpus.
fn runs(corpus: &Path, not_sqlc: &mut Vec<String>) -> Vec<Run> {
    let mut top: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    top.sort();
    let mut runs = Vec::new();
    for dir in top {
        let top_name = dir.file_name().unwrap().to_string_lossy().to_string();
        if CORNUCOPIA_CASES.iter().any(|(case, ..)| *case == top_name) {
            not_sqlc.push(format!(
                "{top_name}: cornucopia dialect (`--!`), run by analyze_json_on_the_cornucopia_cases"
            ));
            continue;
        }
        let mut configs = Vec::new();
        support::find_configs(&dir, &mut configs);
        if configs.is_empty() {
            not_sqlc.push(format!("{top_name}: no sqlc config (schema only)"));
            continue;
        }
        for config in configs {
            let base = config.parent().unwrap();
            let case_dir = base.strip_prefix(corpus).unwrap();
            // sqlc-endtoend/<case>/…, sqlc-examples/examples/<case>/…: the case is the
            // folder under the collection.
            let case = match top_name.as_str() {
                "sqlc-endtoend" => case_dir.iter().take(2).collect::<PathBuf>(),
                "sqlc-examples" => case_dir.iter().take(3).collect::<PathBuf>(),
                _ => PathBuf::from(&top_name),
            }
            .display()
            .to_string();
            let entries: Vec<Entry> = sqlc_entries(&config)
                .into_iter()
                .filter(|e| e.engine == "postgresql" && !e.queries.is_empty())
                .collect();
            let several = entries.len() > 1;
            for (i, entry) in entries.iter().enumerate() {
                let mut name = case_dir.display().to_string();
                let mut schema: Vec<PathBuf> = Vec::new();
                for s in &entry.schema {
                    // goalert's `migrate/schema.sql` is a dump PostgreSQL rejects (sequences
                    // after the tables using them); the sql-migrate folder it was made from
                    // applies.
                    if top_name == "sqlc-goalert" && s == "migrate/schema.sql" {
                        schema.push(base.join("migrate/migrations"));
                        name.push_str(" (migrations)");
                        continue;
                    }
                    schema.extend(glob(base, s));
                }
                let queries: Vec<PathBuf> =
                    entry.queries.iter().flat_map(|q| glob(base, q)).collect();
                if several {
                    name.push_str(&format!(" #{}", i + 1));
                }
                if queries.is_empty() {
                    not_sqlc.push(format!(
                        "{name}: query files not in the corpus copy ({})",
                        entry.queries.join(", ")
                    ));
                    continue;
                }
                runs.push(Run {
                    name,
                    case: case.clone(),
                    schema,
                    queries,
                });
            }
        }
    }
    runs
}

#[derive(Default)]
struct Outcome {
    queries: usize,
    accepted: usize,
    refused: usize,
    failed: Option<String>,
    reasons: BTreeMap<String, usize>,
}

fn run(r: &Run) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_squill"));
    command.args(["analyze", "--json"]);
    for s in &r.schema {
        command.arg("--schema").arg(s);
    }
    for q in &r.queries {
        command.arg("--queries").arg(q);
    }
    let output = command.env_remove("DATABASE_URL").output().unwrap();
    let mut outcome = Outcome::default();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        outcome.failed = Some(format!(
            "exit {:?}: {}",
            output.status.code(),
            stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or_else(|| stderr.lines().next().unwrap_or(""))
        ));
        return outcome;
    }
    let document: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(d) => d,
        Err(e) => {
            outcome.failed = Some(format!("output is not JSON: {e}"));
            return outcome;
        }
    };
    let accepted = document["queries"].as_array().map_or(0, Vec::len);
    let refused = document["refused"].as_array().cloned().unwrap_or_default();
    outcome.accepted = accepted;
    outcome.refused = refused.len();
    outcome.queries = accepted + refused.len();
    for r in &refused {
        let reason = r["reason"].as_str().unwrap_or("");
        *outcome.reasons.entry(shorten(reason)).or_default() += 1;
    }
    outcome
}

/// A refusal reason without the query's own names (quoted parts elided).
fn shorten(message: &str) -> String {
    let message = match message.split_once("cannot be typed offline: ") {
        Some((_, rest)) => format!(
            "unsupported: {}",
            rest.trim_end_matches(" is not supported offline yet")
        ),
        None => format!("error: {message}"),
    };
    let mut out = String::new();
    let mut quote = None;
    for c in message.chars() {
        match (quote, c) {
            (None, '`' | '"') => {
                quote = Some(c);
                out.push(c);
                out.push('…');
            }
            (Some(q), _) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), _) => {}
            _ => out.push(c),
        }
    }
    let out = out.split(" (").next().unwrap_or(&out).to_string();
    out.chars().take(90).collect()
}

#[test]
fn analyze_json_on_every_sqlc_corpus_case() {
    let Some(corpus) = corpus() else {
        return;
    };
    let mut not_sqlc = Vec::new();
    let runs = runs(&corpus, &mut not_sqlc);
    assert!(runs.len() > 150, "corpus not found at {}", corpus.display());
    for needed in [
        "sqlc-hatchet",
        "sqlc-goalert",
        "sqlc-minder",
        "sqlc-neosync",
        "sqlc-examples/examples/authors",
    ] {
        assert!(runs.iter().any(|r| r.case == needed), "no run for {needed}");
    }
    println!("\n| case | queries | accepted | refused |\n|---|---|---|---|");
    let mut total = Outcome::default();
    let mut unexpected = Vec::new();
    let mut expected_failures = Vec::new();
    let mut endtoend = Outcome::default();
    let mut endtoend_runs = 0;
    for r in &runs {
        let outcome = run(r);
        if let Some(why) = &outcome.failed {
            let line = format!("{}: {why}", r.name);
            if SCHEMA_REJECTED_BY_POSTGRES.contains(&r.case.as_str()) {
                expected_failures.push(line);
            } else {
                unexpected.push(line);
            }
            continue;
        }
        total.queries += outcome.queries;
        total.accepted += outcome.accepted;
        total.refused += outcome.refused;
        for (reason, n) in &outcome.reasons {
            *total.reasons.entry(reason.clone()).or_default() += n;
        }
        if r.case.starts_with("sqlc-endtoend/") {
            // One summary row for the end-to-end cases (and their refusals in full below).
            endtoend_runs += 1;
            endtoend.queries += outcome.queries;
            endtoend.accepted += outcome.accepted;
            endtoend.refused += outcome.refused;
            if outcome.refused > 0 {
                println!(
                    "| {} | {} | {} | {} |",
                    r.name, outcome.queries, outcome.accepted, outcome.refused
                );
            }
            continue;
        }
        println!(
            "| {} | {} | {} | {} |",
            r.name, outcome.queries, outcome.accepted, outcome.refused
        );
    }
    println!(
        "| sqlc-endtoend ({endtoend_runs} runs, those with refusals listed above) | {} | {} | {} |",
        endtoend.queries, endtoend.accepted, endtoend.refused
    );
    println!(
        "| **total** ({} runs) | {} | {} | {} |",
        runs.len() - expected_failures.len() - unexpected.len(),
        total.queries,
        total.accepted,
        total.refused
    );
    let mut reasons: Vec<_> = total.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("\nrefusals by reason:");
    for (reason, n) in reasons {
        println!("  {n:4}  {reason}");
    }
    println!("\nnot run:");
    for s in &not_sqlc {
        println!("  {s}");
    }
    for s in &expected_failures {
        println!("  {s} (schema rejected by PostgreSQL too)");
    }
    assert!(
        unexpected.is_empty(),
        "squill analyze --json failed:\n  {}",
        unexpected.join("\n  ")
    );
}

/// `(file name, query name)` of every `--!` annotation in the `.sql` files of `dir`.
fn cornucopia_annotations(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let Some(rest) = line.trim_start().strip_prefix("--!") else {
                continue;
            };
            let rest = rest.trim_start();
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            found.push((name.clone(), rest[..end].to_string()));
        }
    }
    found.sort();
    found
}

#[test]
fn analyze_json_on_the_cornucopia_cases() {
    let Some(corpus) = corpus() else {
        return;
    };
    println!("\n| case | `--!` queries | reported | accepted | refused |\n|---|---|---|---|---|");
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut refusals = Vec::new();
    for (case, schema, queries) in CORNUCOPIA_CASES {
        let dir = corpus.join(case);
        let (schema, queries) = (dir.join(schema), dir.join(queries));
        let output = Command::new(env!("CARGO_BIN_EXE_squill"))
            .args(["analyze", "--json", "--schema"])
            .arg(&schema)
            .arg("--queries")
            .arg(&queries)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{case}: squill analyze --json --schema {} --queries {} failed:\n{}",
            schema.display(),
            queries.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let document: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{case}: output is not JSON: {e}"));
        let base = |file: &serde_json::Value| {
            Path::new(file.as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string()
        };
        let accepted = document["queries"].as_array().unwrap();
        let refused = document["refused"].as_array().unwrap();
        let mut reported: Vec<(String, String)> = accepted
            .iter()
            .chain(refused.iter().filter(|r| r["name"] != ""))
            .map(|q| (base(&q["file"]), q["name"].as_str().unwrap().to_string()))
            .collect();
        reported.sort();
        for r in refused {
            let reason = r["reason"].as_str().unwrap_or("");
            assert!(
                !reason.is_empty(),
                "{case}: a refusal without a reason: {r}"
            );
            *reasons.entry(shorten(reason)).or_default() += 1;
            refusals.push(format!(
                "{case}: {}:{} {}: {reason}",
                base(&r["file"]),
                r["line"],
                r["name"].as_str().unwrap_or("")
            ));
        }
        let annotated = cornucopia_annotations(&queries);
        println!(
            "| {case} | {} | {} | {} | {} |",
            annotated.len(),
            reported.len(),
            accepted.len(),
            refused.len()
        );
        assert!(!annotated.is_empty(), "{case}: no `--!` query found");
        assert_eq!(
            reported, annotated,
            "{case}: every `--!` query must be reported once, accepted or refused"
        );
        // Every accepted query is typed: a command, and a type for each parameter and column.
        for q in accepted {
            let command = q["command"].as_str().unwrap();
            assert!(matches!(command, ":many" | ":exec"), "{case}: {q}");
            for v in q["params"]
                .as_array()
                .unwrap()
                .iter()
                .chain(q["columns"].as_array().unwrap())
            {
                assert!(
                    v["type"].as_str().is_some_and(|t| !t.is_empty()),
                    "{case}: {q}"
                );
            }
        }
    }
    println!("\nrefusals by reason:");
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (reason, n) in reasons {
        println!("  {n:4}  {reason}");
    }
    println!("\nrefused queries:");
    for r in &refusals {
        println!("  {r}");
    }
}
