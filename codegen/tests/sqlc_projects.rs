//! Real sqlc projects build through squill unchanged: every sqlc configuration of the shared
//! corpus is built as a user's `build.rs` builds it (`Builder::new().root(dir)`: the
//! `sqlc.yaml`/`sqlc.json` found at the root, `analysis = "auto"`, so a throwaway PostgreSQL
//! gives its verdict on what offline analysis does not accept), and the generated code of all
//! of them is compiled together in one crate that depends on `squill` with `features =
//! ["full"]`.
//!
//! Per case the report says how many queries the files hold, how many were generated, how
//! many PostgreSQL itself rejects (those are taken out of a copy of the case, the only edit
//! allowed), how many use a type squill has no Rust mapping for (listed, and taken out of the
//! copy too so that the rest is still compiled, but a failure), and what else failed. Cases
//! sqlc expects to fail (`stderr.txt`: often sqlc's own limits) and cases whose schema sqlc
//! marks invalid are reported either way. The test fails on any other failure, and on any
//! error or warning compiling the generated crate.
//!
//! `SQUILL_SQLC_PROJECTS=name,name` limits the run to cases whose path contains one of the
//! names (the full run takes a few minutes, most of it compiling the generated crate).

mod support;

use std::path::{Path, PathBuf};

use squill_codegen::Builder;
use squill_codegen::diagnostic::{Diagnostic, SourceFile};
use squill_codegen::pipeline::CONFIRMED;
use squill_codegen::project::Project;

/// How one case went.
#[derive(Debug, Default)]
struct Outcome {
    queries: usize,
    generated: usize,
    rejected_by_postgres: Vec<String>,
    /// Queries with a parameter or column of a type squill does not map to Rust yet.
    unmapped: Vec<String>,
    failures: Vec<String>,
    /// Generated code, when the case built.
    code: Option<String>,
    note: String,
}

fn count_queries(root: &Path) -> usize {
    let Ok(config) = Builder::new().root(root).config() else {
        return 0;
    };
    let Ok(project) = Project::resolve(root, &config) else {
        return 0;
    };
    project
        .packages
        .iter()
        .flat_map(|p| &p.queries)
        .filter_map(|q| std::fs::read_to_string(&q.path).ok())
        .map(|text| {
            let file = SourceFile::new("q.sql", text);
            squill_codegen::source::parse_query_file(&file).0.len()
        })
        .sum()
}

fn generated_count(generated: &squill_codegen::Generated) -> usize {
    generated
        .packages
        .iter()
        .flat_map(|p| &p.set.modules)
        .map(|m| m.queries.len())
        .sum()
}

/// One line for a diagnostic: `file:line:col: message`.
fn line(d: &Diagnostic) -> String {
    format!("{}: {}", d.location().unwrap_or_default(), d.message)
}

fn build(root: &Path) -> Result<squill_codegen::Generated, Vec<Diagnostic>> {
    Builder::new().root(root).generate().map_err(|d| d.0)
}

/// A copy of the case's corpus project (`top`) with the queries at `rejected` (file name as
/// shown, 1-based line) taken out, and the copy's root for `root`.
fn without_queries(top: &Path, root: &Path, rejected: &[Diagnostic], scratch: &Path) -> PathBuf {
    let copy = scratch.join(top.file_name().unwrap());
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(top, &copy);
    let copied_root = copy.join(root.strip_prefix(top).unwrap());
    // Bottom up, so that the lines of the queries still to remove do not move.
    let mut places: Vec<(String, usize)> = rejected
        .iter()
        .filter_map(|d| {
            let file = d.file.as_ref()?;
            Some((file.name.clone(), file.line_col(d.span.start).0))
        })
        .collect();
    places.sort();
    places.dedup();
    for (name, line) in places.into_iter().rev() {
        let path = copied_root.join(&name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, remove_query_at(&text, line)).unwrap();
    }
    copied_root
}

/// `text` without the annotated query that line `line` (1-based) belongs to: from its
/// `-- name:` line to the line before the next one.
fn remove_query_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let is_annotation = |l: &str| l.trim_start().starts_with("-- name:");
    let start = (0..line.min(lines.len()))
        .rev()
        .find(|&i| is_annotation(lines[i]))
        .unwrap_or(0);
    let end = (start + 1..lines.len())
        .find(|&i| is_annotation(lines[i]))
        .unwrap_or(lines.len());
    let mut out: Vec<&str> = lines[..start].to_vec();
    out.extend(&lines[end..]);
    out.join("\n") + "\n"
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn run_case(corpus: &Path, config: &Path, scratch: &Path) -> Outcome {
    let root = config.parent().unwrap();
    let top = corpus.join(
        root.strip_prefix(corpus)
            .unwrap()
            .components()
            .next()
            .unwrap(),
    );
    let mut outcome = Outcome {
        queries: count_queries(root),
        ..Outcome::default()
    };
    let errors = match build(root) {
        Ok(generated) => {
            outcome.generated = generated_count(&generated);
            outcome.code = Some(generated.code);
            return outcome;
        }
        Err(diagnostics) => diagnostics,
    };
    let errors: Vec<Diagnostic> = errors.into_iter().filter(|d| d.is_error()).collect();
    let errors: Vec<Diagnostic> = errors
        .into_iter()
        .filter(|d| !d.message.starts_with("squill found"))
        .collect();
    let (rejected, other): (Vec<Diagnostic>, Vec<Diagnostic>) = errors
        .into_iter()
        .partition(|d| d.notes.iter().any(|n| n == CONFIRMED));
    let (unmapped, other): (Vec<Diagnostic>, Vec<Diagnostic>) = other.into_iter().partition(|d| {
        d.message
            .contains("which squill does not map to a Rust type")
    });
    outcome.rejected_by_postgres = rejected.iter().map(line).collect();
    outcome.unmapped = unmapped.iter().map(line).collect();
    outcome.failures = other.iter().map(line).collect();
    if !outcome.failures.is_empty() || (rejected.is_empty() && unmapped.is_empty()) {
        return outcome;
    }
    let taken_out: Vec<Diagnostic> = rejected.into_iter().chain(unmapped).collect();
    let edited = without_queries(&top, root, &taken_out, scratch);
    match build(&edited) {
        Ok(generated) => {
            outcome.generated = generated_count(&generated);
            outcome.code = Some(generated.code);
        }
        Err(d) => outcome.failures = d.iter().filter(|d| d.is_error()).map(line).collect(),
    }
    outcome
}

#[test]
fn every_sqlc_corpus_project_builds_unchanged() {
    let Some(corpus) = support::corpus() else {
        return;
    };
    let filter: Option<Vec<String>> = std::env::var("SQUILL_SQLC_PROJECTS")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let mut configs = Vec::new();
    support::find_configs(&corpus, &mut configs);
    configs.retain(|c| {
        filter.as_ref().is_none_or(|names| {
            names
                .iter()
                .any(|n| c.to_string_lossy().contains(n.as_str()))
        })
    });
    let scratch = tempfile::tempdir().unwrap();
    let mut table = String::from(
        "| case | queries | generated | rejected by PostgreSQL | unmapped type | failed | note |\n|---|---:|---:|---:|---:|---:|---|\n",
    );
    let mut problems = Vec::new();
    let mut crate_modules = Vec::new();
    let (mut total_queries, mut total_generated, mut total_rejected, mut total_unmapped) =
        (0, 0, 0, 0);
    let mut unmapped_lines = Vec::new();
    for config in &configs {
        let root = config.parent().unwrap();
        let name = root.strip_prefix(&corpus).unwrap().display().to_string();
        let sqlc_expects_error = root.join("stderr.txt").is_file();
        // sqlc's own test metadata: a schema its test database cannot apply (pgvector's, or
        // one PostgreSQL rejects).
        let invalid_schema = std::fs::read_to_string(root.join("exec.json"))
            .is_ok_and(|t| t.contains("\"invalid_schema\": true"));
        let mut outcome = run_case(&corpus, config, scratch.path());
        let missing_inputs = outcome
            .failures
            .iter()
            .any(|f| f.contains("does not exist") && f.contains("path"));
        if sqlc_expects_error {
            // sqlc's errors are often its own limits (Go names, plugins, vet rules, `*`
            // expansion); PostgreSQL's verdict is what squill follows, so either is noted.
            let squill_fails =
                !outcome.failures.is_empty() || !outcome.rejected_by_postgres.is_empty();
            outcome.note = if squill_fails {
                "sqlc expects an error (stderr.txt); squill fails too".into()
            } else {
                "sqlc expects an error (stderr.txt); squill builds it".into()
            };
        } else if invalid_schema && !outcome.failures.is_empty() {
            outcome.note = "sqlc marks its schema invalid (exec.json); squill fails too".into();
        } else if missing_inputs {
            outcome.note = "inputs missing from the corpus copy".into();
        } else if !outcome.failures.is_empty() || !outcome.unmapped.is_empty() {
            let lines: Vec<&String> = outcome.failures.iter().chain(&outcome.unmapped).collect();
            problems.push(format!(
                "{name}:\n    {}",
                lines
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ));
        }
        total_queries += outcome.queries;
        total_generated += outcome.generated;
        total_rejected += outcome.rejected_by_postgres.len();
        total_unmapped += outcome.unmapped.len();
        unmapped_lines.extend(outcome.unmapped.iter().map(|l| format!("{name}/{l}")));
        table.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} |\n",
            outcome.queries,
            outcome.generated,
            outcome.rejected_by_postgres.len(),
            outcome.unmapped.len(),
            outcome.failures.len(),
            outcome.note
        ));
        if let Some(code) = outcome.code {
            let module = format!("case_{}", squill_codegen::names::snake(&name));
            crate_modules.push((module, code));
        }
    }
    table.push_str(&format!(
        "| **{} configurations** | {total_queries} | {total_generated} | {total_rejected} | {total_unmapped} | {} | {} cases' code compiled |\n",
        configs.len(),
        problems.len(),
        crate_modules.len()
    ));
    eprintln!("{table}");
    eprintln!(
        "Types squill does not map to Rust yet ({} diagnostics):\n  {}",
        unmapped_lines.len(),
        unmapped_lines.join("\n  ")
    );
    let (compiled, cargo_output) = support::compile_generated("sqlc-projects", &crate_modules);
    assert!(
        problems.is_empty(),
        "{} cases failed:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        compiled,
        "the generated code does not compile cleanly:\n{cargo_output}"
    );
}
