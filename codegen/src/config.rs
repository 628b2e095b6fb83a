//! `squill.toml`: where the inputs are, what to generate, and type overrides.
//!
//! ```toml
//! schema = "schema"            # migrations folder (or a single .sql dump)
//! queries = "queries"          # folder of annotated query files
//! output = "src/db.rs"         # for `squill generate` / `squill check` (committed code)
//! async = true                 # generate async functions (tokio-postgres)
//! sync = false                 # generate `blocking` functions (postgres)
//! embed_migrations = true      # emit `MIGRATIONS` for squill::migrate
//! analysis = "auto"            # offline; what offline refuses is prepared on PostgreSQL
//! sqlc = "sqlc.yaml"           # read schema/queries/overrides from an sqlc config instead
//! search_path = ["app", "public"]  # how the app's sessions resolve unqualified names
//! time_crate = "chrono"        # date/time types from chrono (default), time or jiff
//! seeds = "seeds"              # development seeds for `squill seed`
//!
//! [types]                      # by PostgreSQL type name (as format_type spells it)
//! interval = "crate::Interval"
//!
//! [columns]                    # by table.column, wins over [types]
//! "shop_settings.preferences" = "crate::Preferences"
//!
//! [rename]                     # database name → generated name
//! spotify_url = "spotify_link"
//!
//! [domains]
//! newtype = true               # each domain a struct around its base type (default: the base)
//!
//! [tenant]                     # every query scoped to one tenant (see `Tenant`)
//! column = "shop_id"           # or a list: ["organization_id", "tenant_id"]
//! tables = { legacy_orders = "merchant_id" }   # per-table tenant column
//! exempt = ["currencies"]      # global tables that have the column
//! setting = "app.tenant_id"    # what RLS policies read (`SET LOCAL`)
//!
//! [vet]                        # `squill vet`: query plans checked on PostgreSQL
//! large = ["events"]           # tables no query may scan without an index (besides tenant tables)
//!
//! [seed]
//! allow_hosts = ["localhost", "127.0.0.1", "::1"]  # where `squill seed` may run
//! ```
//!
//! `[types]` keys are type names as SQL spells them (`int4`, `public.email`, `text[]`); an
//! element type's override applies to its arrays, a domain's to every column of the domain
//! and the elements of arrays of it. `[columns]` keys are `table.column` or
//! `schema.table.column`; a column's override applies to the parameters written straight into
//! it too (INSERT values, UPDATE SET). Keys are checked against the schema; generated code has
//! `types::check_types(&client)` to compare each Rust type's `accepts` with the server's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, SourceFile};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub schema: PathBuf,
    pub queries: PathBuf,
    /// An sqlc configuration (`sqlc.yaml`, `sqlc.yml`, `sqlc.json`) to take the schema, the
    /// queries and the overrides from. Found at the root when squill.toml names neither it nor
    /// `schema`/`queries`.
    pub sqlc: Option<PathBuf>,
    /// The search path the application's sessions use; default: what the schema sets
    /// (`ALTER ROLE|DATABASE ... SET search_path`), else `public`.
    pub search_path: Option<Vec<String>>,
    pub output: Option<PathBuf>,
    #[serde(rename = "async")]
    pub async_fns: bool,
    #[serde(rename = "sync")]
    pub sync_fns: bool,
    pub embed_migrations: bool,
    /// Where types come from: `auto` (default: offline; only what offline refuses is prepared on
    /// a throwaway server or `DATABASE_URL`), `offline` (the DDL only, never a database) or
    /// `live` (every query prepared).
    pub analysis: Analysis,
    /// The crate whose types represent date, time, timestamp and timestamptz (and their ranges).
    pub time_crate: TimeCrate,
    /// PostgreSQL type name → Rust type path.
    pub types: BTreeMap<String, String>,
    /// `table.column` → Rust type path.
    pub columns: BTreeMap<String, String>,
    /// Database name (column, parameter, table, enum) → the name generated code uses.
    pub rename: BTreeMap<String, String>,
    /// How domains are generated.
    pub domains: Domains,
    /// Multi-tenant scoping; off when absent.
    pub tenant: Option<Tenant>,
    /// Whether squill.toml sets `schema` or `queries` (then no sqlc config is looked for).
    #[serde(skip)]
    pub explicit_layout: bool,
    /// The Rust names of the package's enums and composites, by PostgreSQL display name
    /// (derived by the pipeline, see [`crate::names::user_type_names`]).
    #[serde(skip)]
    pub user_type_names: BTreeMap<String, String>,
    /// Where each `[types]` key's value stands in its file (squill.toml or the sqlc config),
    /// for diagnostics about the override.
    #[serde(skip)]
    pub type_sites: BTreeMap<String, Site>,
    /// The same for `[columns]`.
    #[serde(skip)]
    pub column_sites: BTreeMap<String, Site>,
    /// `table.column` of an array column → the Rust type of its elements (an override of
    /// the element type, a domain, applied to an array of it).
    #[serde(skip)]
    pub column_elements: BTreeMap<String, String>,
    /// `[types]` keys squill added itself (generated composite structs): not user overrides,
    /// so `check_types` does not check them.
    #[serde(skip)]
    pub generated_types: std::collections::BTreeSet<String>,
    /// The same for `[columns]` keys (the columns of a domain generated as a newtype).
    #[serde(skip)]
    pub generated_columns: std::collections::BTreeSet<String>,
    /// `squill vet`'s settings.
    pub vet: Vet,
    /// The folder of development seeds `squill seed` runs (`seeds/*.sql`, in name order).
    pub seeds: PathBuf,
    /// `[seed]`: where `squill seed` may run.
    pub seed: SeedGuard,
}

/// `[vet]`: what `squill vet` holds query plans to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Vet {
    /// Tables (`table` or `schema.table`) a plan must not read with a sequential scan, besides
    /// the tenant tables.
    pub large: Vec<String>,
}

impl Vet {
    /// Whether `schema.table` is listed as large.
    pub fn is_large(&self, schema: &str, table: &str) -> bool {
        self.large.iter().any(|key| names_table(key, schema, table))
    }
}

/// `[seed]`: the production guard of `squill seed`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeedGuard {
    /// TCP hosts seeds may run on (Unix sockets always may). Default: localhost, 127.0.0.1, ::1.
    pub allow_hosts: Vec<String>,
}

impl Default for SeedGuard {
    fn default() -> Self {
        Self {
            allow_hosts: squill::migrate::DEFAULT_ALLOW_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
        }
    }
}

/// `[domains]`: a domain is its base type in generated code (the default), or with
/// `newtype = true` a struct of its own around it (`pub struct Email(pub String)`) that
/// encodes and decodes as the base type and also accepts the domain by name (inside arrays
/// PostgreSQL names the domain). An override of the domain in `[types]` wins.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Domains {
    pub newtype: bool,
}

/// `[tenant]`: which tables belong to a tenant and how a query is scoped to one. A table is a
/// tenant table when it has a tenant column (its entry in `tables`, else any name in
/// `column`) and is not `exempt`. Table keys are `table` or `schema.table`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tenant {
    /// The tenant column name(s), e.g. `"organization_id"`.
    #[serde(deserialize_with = "one_or_many")]
    pub column: Vec<String>,
    /// A table's own tenant column, when it is not named like the others.
    pub tables: BTreeMap<String, String>,
    /// Global tables (lookups shared by every tenant) that carry the column anyway.
    pub exempt: Vec<String>,
    /// The session setting row-level security policies compare the tenant column with; the
    /// runtime sets it with `SET LOCAL` for a tenant's transaction.
    pub setting: String,
    /// Generate `types::Tenant`, a newtype of the tenant column's Rust type, and take it as
    /// the first argument of tenant-scoped queries, so another id of the same type cannot be
    /// passed by mistake.
    pub newtype: bool,
    /// Where each `tables` key (with its value) and `exempt` entry stands in squill.toml.
    #[serde(skip)]
    pub sites: BTreeMap<String, Site>,
}

impl Tenant {
    /// The tenant column of `schema.table`, whose columns are `columns`: its entry in
    /// `tables`, else the first name of `column` it has; `None` for an exempt table or one
    /// without the column.
    pub fn column_of<'a>(
        &'a self,
        schema: &str,
        table: &str,
        columns: &[impl AsRef<str>],
    ) -> Option<&'a str> {
        if self
            .exempt
            .iter()
            .any(|key| names_table(key, schema, table))
        {
            return None;
        }
        let has = |name: &str| columns.iter().any(|c| c.as_ref() == name);
        if let Some((_, column)) = self
            .tables
            .iter()
            .find(|(key, _)| names_table(key, schema, table))
        {
            return has(column).then_some(column.as_str());
        }
        self.column
            .iter()
            .map(String::as_str)
            .find(|name| has(name))
    }
}

/// Whether a config key (`table` or `schema.table`) names `schema.table`.
fn names_table(key: &str, schema: &str, table: &str) -> bool {
    match key.split_once('.') {
        Some((s, t)) => s == schema && t == table,
        None => key == table,
    }
}

impl Default for Tenant {
    fn default() -> Self {
        Self {
            column: Vec::new(),
            tables: BTreeMap::new(),
            exempt: Vec::new(),
            setting: "app.tenant_id".to_owned(),
            newtype: false,
            sites: BTreeMap::new(),
        }
    }
}

/// A string or a list of strings.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// An override's place in its configuration file.
#[derive(Debug, Clone)]
pub struct Site {
    pub file: SourceFile,
    pub key: std::ops::Range<usize>,
    pub value: std::ops::Range<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            schema: PathBuf::from("schema"),
            queries: PathBuf::from("queries"),
            sqlc: None,
            search_path: None,
            output: None,
            async_fns: true,
            sync_fns: false,
            embed_migrations: true,
            analysis: Analysis::Auto,
            time_crate: TimeCrate::Chrono,
            types: BTreeMap::new(),
            columns: BTreeMap::new(),
            rename: BTreeMap::new(),
            domains: Domains::default(),
            tenant: None,
            explicit_layout: false,
            user_type_names: BTreeMap::new(),
            type_sites: BTreeMap::new(),
            column_sites: BTreeMap::new(),
            column_elements: BTreeMap::new(),
            generated_types: Default::default(),
            generated_columns: Default::default(),
            vet: Vet::default(),
            seeds: PathBuf::from("seeds"),
            seed: SeedGuard::default(),
        }
    }
}

/// How queries are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Analysis {
    /// Offline first; the queries offline analysis does not accept get PostgreSQL's own verdict
    /// and types from a throwaway server or `DATABASE_URL` when one can be had. When every
    /// query is accepted offline no server is started.
    #[default]
    Auto,
    /// From the schema's DDL and PostgreSQL's builtin catalog: no database needed.
    Offline,
    /// By preparing every query on a live PostgreSQL.
    Live,
}

/// The date/time crate generated code uses (each but chrono behind the runtime feature of
/// its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeCrate {
    #[default]
    Chrono,
    Time,
    Jiff,
}

pub const FILE_NAME: &str = "squill.toml";

/// The override tables again, with where each value stands in the file.
#[derive(Default, Deserialize)]
#[serde(default)]
struct OverrideSpans {
    types: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    columns: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    tenant: Option<TenantSpans>,
}

/// `[tenant]`'s table names again, with their places.
#[derive(Default, Deserialize)]
#[serde(default)]
struct TenantSpans {
    tables: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    exempt: Vec<toml::Spanned<String>>,
}

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
        let mut config: Config = toml::from_str(&file.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            Diagnostic::error(format!("invalid {}: {}", file.name, e.message()))
                .at(file, span)
                .help("see the squill.toml reference in the README")
        })?;
        let table: toml::Table = toml::from_str(&file.text).unwrap_or_default();
        config.explicit_layout = table.contains_key("schema") || table.contains_key("queries");
        // Every override must be a Rust type path, checked here with its place in the file
        // (a typo would otherwise surface as a rustc error in generated code).
        let spans: OverrideSpans = toml::from_str(&file.text).unwrap_or_default();
        let site = |key: &toml::Spanned<String>, value: &toml::Spanned<String>| Site {
            file: file.clone(),
            key: key.span(),
            value: value.span(),
        };
        for (key, value) in &spans.types {
            config
                .type_sites
                .insert(key.get_ref().clone(), site(key, value));
        }
        for (key, value) in &spans.columns {
            config
                .column_sites
                .insert(key.get_ref().clone(), site(key, value));
        }
        if let (Some(tenant), Some(places)) = (&mut config.tenant, &spans.tenant) {
            for (key, value) in &places.tables {
                tenant.sites.insert(key.get_ref().clone(), site(key, value));
            }
            for entry in &places.exempt {
                tenant
                    .sites
                    .entry(entry.get_ref().clone())
                    .or_insert_with(|| site(entry, entry));
            }
        }
        for value in spans.types.values().chain(spans.columns.values()) {
            if let Some(why) = crate::rust_types::invalid_override(value.get_ref()) {
                return Err(Diagnostic::error(format!("invalid type override: {why}"))
                    .at(file, value.span())
                    .label("not a Rust type path")
                    .help("write the path of a type that implements ToSql and FromSql, e.g. \"crate::Money\""));
            }
        }
        Ok(config)
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
    fn an_override_that_is_not_a_type_path_points_at_it() {
        let file = SourceFile::new(
            "squill.toml",
            "[types]\ninterval = \"crate::Interval\"\n[columns]\n\"t.c\" = \"crate::My Type\"\n",
        );
        let err = Config::parse(&file).unwrap_err();
        assert_eq!(err.location().as_deref(), Some("squill.toml:4:9"));
        assert!(err.message.contains("crate::My Type"), "{}", err.message);
        let reference = SourceFile::new("squill.toml", "[types]\ntext = \"&str\"\n");
        assert!(Config::parse(&reference).is_err());
    }

    #[test]
    fn time_crate_defaults_to_chrono_and_rejects_others() {
        let default = Config::parse(&SourceFile::new("squill.toml", "")).unwrap();
        assert_eq!(default.time_crate, TimeCrate::Chrono);
        let jiff = SourceFile::new("squill.toml", "time_crate = \"jiff\"\n");
        assert_eq!(Config::parse(&jiff).unwrap().time_crate, TimeCrate::Jiff);
        let typo = SourceFile::new("squill.toml", "time_crate = \"chrno\"\n");
        let err = Config::parse(&typo).unwrap_err();
        assert_eq!(err.location().as_deref(), Some("squill.toml:1:14"));
    }

    #[test]
    fn tenant_column_is_one_name_or_a_list() {
        let one = SourceFile::new("squill.toml", "[tenant]\ncolumn = \"shop_id\"\n");
        let tenant = Config::parse(&one).unwrap().tenant.unwrap();
        assert_eq!(tenant.column, ["shop_id"]);
        assert_eq!(tenant.setting, "app.tenant_id");
        let many = SourceFile::new(
            "squill.toml",
            "[tenant]\ncolumn = [\"org_id\", \"tenant_id\"]\nexempt = [\"plans\"]\n",
        );
        let tenant = Config::parse(&many).unwrap().tenant.unwrap();
        assert_eq!(tenant.column, ["org_id", "tenant_id"]);
        assert_eq!(tenant.exempt, ["plans"]);
        assert!(
            Config::parse(&SourceFile::new("squill.toml", ""))
                .unwrap()
                .tenant
                .is_none()
        );
    }

    #[test]
    fn tenant_table_by_column_entry_and_exemption() {
        let file = SourceFile::new(
            "squill.toml",
            "[tenant]\ncolumn = [\"org_id\", \"tenant_id\"]\nexempt = [\"plans\"]\n\
             tables = { \"billing.legacy\" = \"merchant\" }\n[vet]\nlarge = [\"events\"]\n",
        );
        let config = Config::parse(&file).unwrap();
        let tenant = config.tenant.unwrap();
        assert_eq!(
            tenant.column_of("public", "orders", &["id", "tenant_id"]),
            Some("tenant_id")
        );
        assert_eq!(tenant.column_of("public", "plans", &["tenant_id"]), None);
        assert_eq!(tenant.column_of("public", "users", &["id"]), None);
        assert_eq!(
            tenant.column_of("billing", "legacy", &["merchant", "org_id"]),
            Some("merchant")
        );
        assert_eq!(tenant.column_of("billing", "legacy", &["org_id"]), None);
        assert_eq!(
            tenant.column_of("other", "legacy", &["org_id"]),
            Some("org_id")
        );
        assert!(
            config.vet.is_large("public", "events") && !config.vet.is_large("public", "orders")
        );
    }

    #[test]
    fn unknown_key_points_at_it() {
        let file = SourceFile::new("squill.toml", "schema = \"s\"\nqueris = \"q\"\n");
        let err = Config::parse(&file).unwrap_err();
        assert_eq!(err.location().as_deref(), Some("squill.toml:2:1"));
    }
}
