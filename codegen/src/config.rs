//! `squill.toml`: where the inputs are, what to generate, and type overrides.
//!
//! ```toml
//! schema = "schema"            # migrations folder (or a single .sql dump)
//! queries = "queries"          # folder of annotated query files
//! output = "src/db.rs"         # for `squill generate` / `squill check` (committed code)
//! async = true                 # generate async functions (tokio-postgres)
//! sync = false                 # generate `blocking` functions (postgres)
//! embed_migrations = true      # emit `MIGRATIONS` for squill::migrate
//! analysis = "offline"         # or "live": prepare every query on PostgreSQL instead
//!
//! [types]                      # by PostgreSQL type name (as format_type spells it)
//! interval = "crate::Interval"
//!
//! [columns]                    # by table.column, wins over [types]
//! "shop_settings.preferences" = "crate::Preferences"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, SourceFile};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub schema: PathBuf,
    pub queries: PathBuf,
    pub output: Option<PathBuf>,
    #[serde(rename = "async")]
    pub async_fns: bool,
    #[serde(rename = "sync")]
    pub sync_fns: bool,
    pub embed_migrations: bool,
    /// Where types come from: `offline` (default: the DDL, no database) or `live` (a
    /// throwaway server or `DATABASE_URL`, every query prepared).
    pub analysis: Analysis,
    /// PostgreSQL type name → Rust type path.
    pub types: BTreeMap<String, String>,
    /// `table.column` → Rust type path.
    pub columns: BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            schema: PathBuf::from("schema"),
            queries: PathBuf::from("queries"),
            output: None,
            async_fns: true,
            sync_fns: false,
            embed_migrations: true,
            analysis: Analysis::Offline,
            types: BTreeMap::new(),
            columns: BTreeMap::new(),
        }
    }
}

/// How queries are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Analysis {
    /// From the schema's DDL and PostgreSQL's builtin catalog: no database needed.
    #[default]
    Offline,
    /// By preparing every query on a live PostgreSQL.
    Live,
}

pub const FILE_NAME: &str = "squill.toml";

impl Config {
    /// Reads `dir/squill.toml`, or the defaults when there is none.
    pub fn load(dir: &Path) -> Result<Self, Diagnostic> {
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&SourceFile::new(FILE_NAME, text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Diagnostic::error(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    pub fn parse(file: &SourceFile) -> Result<Self, Diagnostic> {
        toml::from_str(&file.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            Diagnostic::error(format!("invalid {}: {}", file.name, e.message()))
                .at(file, span)
                .help("see the squill.toml reference in the README")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_overrides_and_flags() {
        let file = SourceFile::new(
            "squill.toml",
            "sync = true\n[types]\ninterval = \"crate::I\"\n[columns]\n\"t.c\" = \"crate::C\"\n",
        );
        let config = Config::parse(&file).unwrap();
        assert!(config.sync_fns && config.async_fns);
        assert_eq!(config.types["interval"], "crate::I");
        assert_eq!(config.columns["t.c"], "crate::C");
    }

    #[test]
    fn unknown_key_points_at_it() {
        let file = SourceFile::new("squill.toml", "schema = \"s\"\nqueris = \"q\"\n");
        let err = Config::parse(&file).unwrap_err();
        assert_eq!(err.location().as_deref(), Some("squill.toml:2:1"));
    }
}
