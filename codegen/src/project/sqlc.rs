//! An sqlc configuration (`sqlc.yaml`/`sqlc.yml`/`sqlc.json`, version 1 `packages` or version
//! 2 `sql`) as squill packages: every `engine: postgresql` block is one package.
//!
//! * `schema` and `queries`: a file, a folder (its `.sql` files, not its subfolders, sorted;
//!   hidden files and golang-migrate `*.down.sql` left out, as sqlc lists them) or a glob, or
//!   a list of these, relative to the configuration file.
//! * `overrides` (v1: top level and per package; v2: `overrides.go.overrides` and each block's
//!   `gen.go.overrides`): an entry with `db_type` or `column` (`table.column` or
//!   `schema.table.column`) and squill's own `rust_type` key maps that type or column to a Rust
//!   path. Entries without `rust_type` are Go's and are ignored. A nullable value is an
//!   `Option` of the mapped type, so an entry with `nullable: true` is used only when no entry
//!   without it maps the same type.
//! * `rename` (same places): database name → the name generated code uses for it.
//! * Module names: one block's code goes at the top level; several blocks each get a module
//!   named by the block's `name`, else its `gen.go.package`, else the last folder of its
//!   `gen.go.out` (v1: `name`, else `path`), else `sql_<n>`.
//!
//! Everything else (Go generation options, `database`, `rules`, `cloud`, ...) is ignored.
//! `squill.toml`'s own `[types]`/`[columns]` win over the configuration's overrides.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Package, Project, SchemaInput, module_names};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::names;

/// The packages of the sqlc configuration at `path`.
pub fn resolve(path: &Path, root: &Path, config: &Config) -> Result<Project, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read the sqlc configuration {}: {e}",
            path.display()
        ))
        .help("set `sqlc` in squill.toml to the path of your sqlc.yaml")
    })?;
    let shown = crate::schema::display_name(path, root);
    let file = SourceFile::new(shown.clone(), text);
    let document = parse(&file, path)?;
    let base = path.parent().unwrap_or(root).to_path_buf();
    let blocks = blocks(&document);
    if blocks.is_empty() {
        return Err(
            Diagnostic::error(format!("{shown} has no `engine: postgresql` block"))
                .help("squill generates code for PostgreSQL queries only"),
        );
    }
    let (global_overrides, global_rename) = global_settings(&document);
    let several = blocks.len() > 1;
    let mut module_unique = names::Unique::default();
    for reserved in ["types", "user_types", "migrations"] {
        module_unique.reserve(reserved);
    }
    let mut packages = Vec::new();
    let mut watch = vec![path.to_path_buf()];
    for (index, block) in blocks.iter().enumerate() {
        let schema_paths = list(&base, block.get("schema"), &shown, "schema")?;
        let query_paths = list(&base, block.get("queries"), &shown, "queries")?;
        watch.extend(listed_roots(&base, block.get("schema")));
        watch.extend(listed_roots(&base, block.get("queries")));
        let common = common_dir(&query_paths).unwrap_or_else(|| base.clone());
        let queries = module_names(&query_paths, &common);
        let mut package_config = config.clone();
        package_config.embed_migrations = false;
        let mut overrides: Vec<&Value> = global_overrides.clone();
        overrides.extend(block_overrides(block));
        apply_overrides(&mut package_config, &overrides, config, &file)?;
        // squill.toml's entries first, then the block's, then the configuration's.
        for (from, to) in block_rename(block).iter().chain(&global_rename) {
            package_config
                .rename
                .entry(from.clone())
                .or_insert_with(|| to.clone());
        }
        let module = several.then(|| module_unique.name(names::snake(&block_name(block, index))));
        packages.push(Package {
            module,
            schema: SchemaInput::Files(schema_paths),
            queries,
            config: package_config,
            skip_unannotated: true,
            schema_per_statement: true,
        });
    }
    Ok(Project { packages, watch })
}

/// The document as JSON values (YAML is read into the same model).
fn parse(file: &SourceFile, path: &Path) -> Result<Value, Diagnostic> {
    let json = path.extension().is_some_and(|e| e == "json");
    let located = |message: String, offset: Option<usize>| {
        let d = Diagnostic::error(format!("invalid sqlc configuration: {message}"));
        match offset {
            Some(offset) => d.at(file, crate::diagnostic::token_span(&file.text, offset)),
            None => d,
        }
    };
    if json {
        serde_json::from_str(&file.text).map_err(|e| {
            let offset = line_col_offset(&file.text, e.line(), e.column());
            located(e.to_string(), Some(offset))
        })
    } else {
        serde_yaml_ng::from_str(&file.text).map_err(|e| {
            let offset = e.location().map(|l| l.index());
            located(e.to_string(), offset)
        })
    }
}

fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// The PostgreSQL blocks: v2 `sql`, v1 `packages`.
fn blocks(document: &Value) -> Vec<&Value> {
    ["sql", "packages"]
        .iter()
        .filter_map(|key| document.get(key).and_then(Value::as_array))
        .flatten()
        .filter(|block| {
            block
                .get("engine")
                .and_then(Value::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case("postgresql"))
        })
        .collect()
}

/// Overrides and renames that apply to every block.
fn global_settings(document: &Value) -> (Vec<&Value>, Vec<(String, String)>) {
    let mut overrides = Vec::new();
    let mut rename = strings(document.get("rename"));
    match document.get("overrides") {
        // v1: a list at the top level.
        Some(Value::Array(list)) => overrides.extend(list),
        // v2: per language.
        Some(Value::Object(by_language)) => {
            for settings in by_language.values() {
                if let Some(list) = settings.get("overrides").and_then(Value::as_array) {
                    overrides.extend(list);
                }
                rename.extend(strings(settings.get("rename")));
            }
        }
        _ => {}
    }
    (overrides, rename)
}

fn block_overrides(block: &Value) -> Vec<&Value> {
    let mut out: Vec<&Value> = Vec::new();
    if let Some(list) = block.get("overrides").and_then(Value::as_array) {
        out.extend(list);
    }
    if let Some(Value::Object(gens)) = block.get("gen") {
        for settings in gens.values() {
            if let Some(list) = settings.get("overrides").and_then(Value::as_array) {
                out.extend(list);
            }
        }
    }
    out
}

fn block_rename(block: &Value) -> Vec<(String, String)> {
    let mut out = strings(block.get("rename"));
    if let Some(Value::Object(gens)) = block.get("gen") {
        for settings in gens.values() {
            out.extend(strings(settings.get("rename")));
        }
    }
    out
}

fn strings(map: Option<&Value>) -> Vec<(String, String)> {
    map.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn block_name(block: &Value, index: usize) -> String {
    fn text(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str).filter(|s| !s.is_empty())
    }
    let gen_go = block.get("gen").and_then(|g| g.get("go"));
    text(block.get("name"))
        .or_else(|| text(gen_go.and_then(|g| g.get("package"))))
        .map(str::to_string)
        .or_else(|| {
            text(gen_go.and_then(|g| g.get("out")))
                .or_else(|| text(block.get("path")))
                .and_then(|out| {
                    Path::new(out)
                        .components()
                        .filter_map(|c| match c {
                            std::path::Component::Normal(s) => s.to_str(),
                            _ => None,
                        })
                        .next_back()
                        .map(str::to_string)
                })
        })
        .unwrap_or_else(|| format!("sql_{}", index + 1))
}

/// `rust_type` overrides into `config` (squill.toml's own entries in `project` win).
fn apply_overrides(
    config: &mut Config,
    overrides: &[&Value],
    project: &Config,
    file: &SourceFile,
) -> Result<(), Diagnostic> {
    let shown = file.name.as_str();
    // Entries without `nullable: true` first, so they win for the inner type.
    let mut ordered: Vec<&Value> = overrides.to_vec();
    ordered.sort_by_key(|o| o.get("nullable").and_then(Value::as_bool).unwrap_or(false));
    for entry in ordered {
        let Some(rust) = entry.get("rust_type") else {
            continue;
        };
        let Some(rust) = rust.as_str() else {
            return Err(Diagnostic::error(format!(
                "{shown}: `rust_type` must be a string (a Rust type path)"
            )));
        };
        let value_span = locate(&file.text, "rust_type", rust);
        if let Some(why) = crate::rust_types::invalid_override(rust) {
            let d = Diagnostic::error(format!("invalid type override: {why}"));
            let d = match &value_span {
                Some(span) => d.at(file, span.clone()).label("not a Rust type path"),
                None => d,
            };
            return Err(d.help(
                "write the path of a type that implements ToSql and FromSql, e.g. \"crate::Money\"",
            ));
        }
        let site = |key: &str, name: &str| {
            let value = value_span.clone()?;
            Some(crate::config::Site {
                file: file.clone(),
                key: locate(&file.text, key, name).unwrap_or_else(|| value.clone()),
                value,
            })
        };
        if let Some(db_type) = entry.get("db_type").and_then(Value::as_str) {
            if !project.types.contains_key(db_type) && !config.types.contains_key(db_type) {
                config.types.insert(db_type.to_string(), rust.to_string());
                if let Some(site) = site("db_type", db_type) {
                    config.type_sites.insert(db_type.to_string(), site);
                }
            }
        } else if let Some(column) = entry.get("column").and_then(Value::as_str) {
            // Resolved against the schema with squill.toml's (`crate::overrides`).
            let key = column.to_string();
            if !project.columns.contains_key(&key) && !config.columns.contains_key(&key) {
                config.columns.insert(key.clone(), rust.to_string());
                if let Some(site) = site("column", column) {
                    config.column_sites.insert(key, site);
                }
            }
        } else {
            return Err(Diagnostic::error(format!(
                "{shown}: an override with `rust_type` needs `db_type` or `column`"
            )));
        }
    }
    Ok(())
}

/// Where the value `value` of the key `key` stands in an sqlc configuration's text (YAML or
/// JSON; the parsed document keeps no positions): its first occurrence, quoted or not, after
/// the key on the same line.
fn locate(text: &str, key: &str, value: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(k) = line.find(key) {
            let after = &line[k + key.len()..];
            let rest = after.trim_start_matches(['"', '\'']);
            let rest = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
            let start_in_line = line.len() - rest.len();
            let quoted = rest.starts_with(['"', '\'']);
            let body = if quoted { &rest[1..] } else { rest };
            if body.starts_with(value) {
                let start = offset + start_in_line + usize::from(quoted);
                return Some(start..start + value.len());
            }
        }
        offset += line.len();
    }
    None
}

/// The files a `schema`/`queries` entry lists, as sqlc lists them.
fn list(
    base: &Path,
    entry: Option<&Value>,
    shown: &str,
    key: &str,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut files = Vec::new();
    for pattern in entry_strings(entry) {
        let path = base.join(&pattern);
        if pattern.contains(['*', '?', '[']) {
            let matches = glob::glob(&path.to_string_lossy()).map_err(|e| {
                Diagnostic::error(format!("{shown}: `{key}` pattern `{pattern}`: {e}"))
            })?;
            let mut found: Vec<PathBuf> = matches.flatten().filter(|p| p.is_file()).collect();
            found.sort();
            files.extend(found.into_iter().filter(|p| is_listed_sql(p)));
        } else if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| {
                    Diagnostic::error(format!(
                        "{shown}: cannot read `{key}` folder {pattern}: {e}"
                    ))
                })?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_listed_sql(p))
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path);
        } else {
            return Err(Diagnostic::error(format!(
                "{shown}: `{key}` path {pattern} does not exist"
            ))
            .help("paths in an sqlc configuration are relative to the configuration file"));
        }
    }
    Ok(files)
}

/// The folders and files named by an entry, for rerun-if-changed.
fn listed_roots(base: &Path, entry: Option<&Value>) -> Vec<PathBuf> {
    entry_strings(entry)
        .into_iter()
        .filter(|p| !p.contains(['*', '?', '[']))
        .map(|p| base.join(p))
        .collect()
}

fn entry_strings(entry: Option<&Value>) -> Vec<String> {
    match entry {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// A `.sql` file sqlc would read: not hidden, not a golang-migrate down migration.
fn is_listed_sql(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".sql") && !name.starts_with('.') && !name.ends_with(".down.sql")
}

/// The deepest folder containing every path (module names are relative to it).
fn common_dir(paths: &[PathBuf]) -> Option<PathBuf> {
    let mut common = paths.first()?.parent()?.to_path_buf();
    for p in paths {
        while !p.starts_with(&common) {
            common = common.parent()?.to_path_buf();
        }
    }
    Some(common)
}
