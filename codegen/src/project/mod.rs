//! What one run generates code for: the project's packages, from `squill.toml` alone or from
//! the sqlc configuration it names (or that sits at the project root).
//!
//! A package is one schema with its query files. squill's own layout is one package whose
//! code goes at the top level of the generated file; an sqlc configuration gives one package
//! per `engine: postgresql` block, each in a module of its own when there are several.

pub mod sqlc;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::names;

/// The packages of a project, in configuration order.
#[derive(Debug, Clone)]
pub struct Project {
    pub packages: Vec<Package>,
    /// Files and folders whose change must rerun generation (configs, listed folders).
    pub watch: Vec<PathBuf>,
}

/// One schema and the query files checked against it.
#[derive(Debug, Clone)]
pub struct Package {
    /// The Rust module of the package's code; `None`: the top level (a single package).
    pub module: Option<String>,
    pub schema: SchemaInput,
    /// Query files in order, each with its Rust module name (unique in the package).
    pub queries: Vec<QueryFileInput>,
    /// The settings for this package: the project's, with the package's overrides merged in.
    pub config: Config,
    /// Statements without `-- name:` in query files are passed over with a warning (sqlc's
    /// rule) instead of being an error (squill's own layout).
    pub skip_unannotated: bool,
    /// Schema files are run statement by statement, each on its own, as psql runs a file
    /// (sqlc's schema files are not migrations: `CREATE INDEX CONCURRENTLY` may sit in them).
    pub schema_per_statement: bool,
}

/// Where a package's schema comes from.
#[derive(Debug, Clone)]
pub enum SchemaInput {
    /// squill's layout: a folder of versioned migrations (embedded for `squill::migrate`) or
    /// a single schema file.
    Migrations(PathBuf),
    /// Files applied in this order (sqlc's `schema` list, folders expanded as sqlc does).
    Files(Vec<PathBuf>),
}

#[derive(Debug, Clone)]
pub struct QueryFileInput {
    pub path: PathBuf,
    pub module: String,
}

/// The sqlc configuration file names squill looks for at the project root, in this order.
pub const SQLC_FILE_NAMES: [&str; 3] = ["sqlc.yaml", "sqlc.yml", "sqlc.json"];

impl Project {
    /// Resolves `config` (read from `root`) into packages.
    pub fn resolve(root: &Path, config: &Config) -> Result<Project, Diagnostic> {
        let sqlc_path = match &config.sqlc {
            Some(path) => Some(root.join(path)),
            None if !config.explicit_layout => SQLC_FILE_NAMES
                .iter()
                .map(|name| root.join(name))
                .find(|p| p.is_file()),
            None => None,
        };
        match sqlc_path {
            Some(path) => sqlc::resolve(&path, root, config),
            None => native(root, config),
        }
    }
}

/// squill's own layout: `schema` (folder or file) and `queries` (folder, read recursively).
fn native(root: &Path, config: &Config) -> Result<Project, Diagnostic> {
    let queries_dir = root.join(&config.queries);
    let mut files = Vec::new();
    list_sql_recursive(&queries_dir, &mut files).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read the queries folder {}: {e}",
            queries_dir.display()
        ))
        .help("create it with annotated .sql files, set `queries` in squill.toml, or point `sqlc` at an sqlc.yaml")
    })?;
    files.sort();
    let queries = module_names(&files, &queries_dir);
    Ok(Project {
        packages: vec![Package {
            module: None,
            schema: SchemaInput::Migrations(root.join(&config.schema)),
            queries,
            config: config.clone(),
            skip_unannotated: false,
            schema_per_statement: false,
        }],
        watch: vec![root.join(&config.schema), queries_dir],
    })
}

/// Every `.sql` file below `dir`, subfolders included (hidden entries left out).
fn list_sql_recursive(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            list_sql_recursive(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// Module names for query files: the file stem in snake_case; files whose stems collide are
/// named by as many of their parent folders (relative to `base`) as makes them unique
/// (`alert/queries.sql` → `alert_queries`). Stable: a name depends only on the file set.
pub(crate) fn module_names(files: &[PathBuf], base: &Path) -> Vec<QueryFileInput> {
    let parts = |path: &Path| -> Vec<String> {
        let relative = path.strip_prefix(base).unwrap_or(path);
        let mut parts: Vec<String> = relative
            .parent()
            .into_iter()
            .flat_map(|p| p.components())
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        parts.push(
            relative
                .file_stem()
                .map_or_else(|| "queries".into(), |s| s.to_string_lossy().into_owned()),
        );
        parts
    };
    let all: Vec<Vec<String>> = files.iter().map(|f| parts(f)).collect();
    let name_with =
        |p: &[String], depth: usize| names::snake(&p[p.len().saturating_sub(depth)..].join("_"));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in &all {
        *counts.entry(name_with(p, 1)).or_default() += 1;
    }
    let mut unique = names::Unique::default();
    // Names the generated file uses at the top level beside the query modules.
    for reserved in ["types", "user_types", "migrations"] {
        unique.reserve(reserved);
    }
    files
        .iter()
        .zip(&all)
        .map(|(path, p)| {
            let mut depth = 1;
            let mut wanted = name_with(p, depth);
            if counts[&wanted] > 1 {
                while depth < p.len() {
                    depth += 1;
                    wanted = name_with(p, depth);
                    let clashes = all
                        .iter()
                        .filter(|q| name_with(q, depth.min(q.len())) == wanted)
                        .count();
                    if clashes == 1 {
                        break;
                    }
                }
            }
            QueryFileInput {
                path: path.clone(),
                module: unique.name(wanted),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_stems_take_their_folders() {
        let base = Path::new("/p");
        let files: Vec<PathBuf> = [
            "/p/alert/queries.sql",
            "/p/user/queries.sql",
            "/p/types.sql",
            "/p/Users.sql",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let names: Vec<String> = module_names(&files, base)
            .into_iter()
            .map(|f| f.module)
            .collect();
        assert_eq!(names, ["alert_queries", "user_queries", "types_2", "users"]);
    }
}
