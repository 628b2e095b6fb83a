//! `squill analyze --schema … --queries …`: offline analysis of explicit files (several schema
//! files in a given order, query files in several folders), as corpus cases and other tools'
//! projects lay them out. Refused queries are listed, not fatal.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostics, SourceFile};
use crate::json::Refused;
use crate::{analyze, catalog, ir, source};

/// What an explicit-files analysis found.
pub struct Explicit {
    pub set: ir::QuerySet,
    /// Queries squill does not accept (annotation problems or offline analysis refusals).
    pub refused: Vec<Refused>,
    /// Problems reading the schema (errors mean the analysis is not PostgreSQL's).
    pub problems: Diagnostics,
}

/// Analyzes every query in `queries` against the catalog of `schema` (both files or folders).
pub fn analyze_files(schema: &[PathBuf], queries: &[PathBuf]) -> Result<Explicit, String> {
    let schema_files = read(schema)?;
    let query_files = read(queries)?;
    let (catalog, ddl_problems, _stats) = catalog::from_ddl(&schema_files);
    let mut problems = Diagnostics(ddl_problems);
    let schema = analyze::Schema::from_catalog(&catalog);
    let mut modules = Vec::new();
    let mut refused = Vec::new();
    for file in &query_files {
        let (raws, parse_problems) = source::parse_query_file(file);
        let first_refused = refused.len();
        for d in parse_problems {
            if !d.is_error() {
                problems.0.push(d);
                continue;
            }
            // An annotation or macro squill does not read: a refusal of the query it is in
            // (the last `-- name:` or `--!` above it; none for a statement without one, a
            // cornucopia `--:` type declaration or a file mixing dialects).
            let at = file.line_col(d.span.start).0;
            let not_a_query = d.message.starts_with("statement has no ")
                || d.message.contains("mixes two annotation dialects")
                || file
                    .text
                    .lines()
                    .nth(at - 1)
                    .is_some_and(|l| l.trim_start().starts_with("--:"));
            let (name, line) = owning_query(&file.text, at)
                .filter(|_| !not_a_query)
                .unwrap_or((String::new(), at));
            refused.push(Refused {
                name,
                file: file.name.clone(),
                line,
                reason: d.message,
            });
        }
        let mut queries = Vec::new();
        for raw in &raws {
            match analyze::analyze(&schema, raw, file) {
                Ok(query) => queries.push(query),
                Err(d) => refused.push(Refused {
                    name: raw.name.clone(),
                    file: file.name.clone(),
                    line: raw.line,
                    reason: d.message,
                }),
            }
        }
        refused[first_refused..].sort_by_key(|r| r.line);
        modules.push(ir::Module {
            name: file.name.clone(),
            file: file.name.clone(),
            queries,
        });
    }
    let set = ir::QuerySet {
        domains: Vec::new(),
        modules,
        enums: Vec::new(),
        composites: Vec::new(),
        migrations: Vec::new(),
    };
    Ok(Explicit {
        set,
        refused,
        problems,
    })
}

/// The annotation at or above line `at` (1-based): sqlc's `-- name: GetUser :one` or
/// cornucopia's `--! get_user ...`, as the query's name (empty for a `--!` line without one)
/// and the annotation's line.
fn owning_query(text: &str, at: usize) -> Option<(String, usize)> {
    text.lines()
        .take(at)
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.trim_start();
            let name = match l.strip_prefix("--!") {
                Some(rest) => {
                    let rest = rest.trim_start();
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    &rest[..end]
                }
                None => {
                    let rest = l.strip_prefix("--")?.trim_start();
                    rest.strip_prefix("name:")?.split_whitespace().next()?
                }
            };
            Some((name.to_string(), i + 1))
        })
        .last()
}

/// `path`, or a folder's `.sql` files (not `.down.sql`) in name order.
fn expand(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        p.is_file() && name.ends_with(".sql") && !name.ends_with(".down.sql")
    });
    files.sort();
    Ok(files)
}
fn read(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let mut files = Vec::new();
    for path in paths {
        let expanded = expand(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for file in expanded {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            files.push(SourceFile::new(file.display().to_string(), text));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_refusals_of_the_query_they_are_in() {
        let dir = tempfile::tempdir().unwrap();
        let schema = dir.path().join("schema.sql");
        std::fs::write(&schema, "CREATE TABLE t (id int PRIMARY KEY, note text);\n").unwrap();
        let queries = dir.path().join("q.sql");
        std::fs::write(
            &queries,
            "--: Row(note?)\n--: Row()\n\
             --! ok : Row\nSELECT id, note FROM t;\n\
             --! typo (nope?)\nSELECT note FROM t WHERE id = :id;\n\
             --! missing : (gone?)\nSELECT id FROM t;\n\
             SELECT 2;\n",
        )
        .unwrap();
        let explicit = analyze_files(&[schema], &[queries]).unwrap();
        let accepted: Vec<&str> = explicit.set.modules[0]
            .queries
            .iter()
            .map(|q| q.name.as_str())
            .collect();
        assert_eq!(accepted, ["ok"]);
        let refused: Vec<(&str, usize, &str)> = explicit
            .refused
            .iter()
            .map(|r| (r.name.as_str(), r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            refused,
            [
                ("", 2, "row type `Row` is declared twice"),
                ("typo", 5, "query `typo` has no parameter `:nope`"),
                ("missing", 7, "query `missing` returns no column `gone`"),
                ("", 9, "statement has no `--!` annotation"),
            ]
        );
        let note = &explicit.set.modules[0].queries[0].columns[1];
        assert!(note.nullable);
        assert_eq!(
            owning_query("-- name: A :one\nSELECT 1;\n--! (x?)\n", 3),
            Some((String::new(), 3))
        );
    }
}
