//! `squill lint`: dangerous-migration rules.
//!
//! Migrations are replayed in version order, each file cut into statements, then their down
//! parts (`-- squill:down` sections and `.down.sql` files) newest first, as `squill migrate
//! down --to 0` would run them; a down part starts from what its own up part created. Every statement
//! is tokenized and, when sqlparser can read it, parsed; rules look at the AST where they need
//! structure and at the tokens where they must also work on statements sqlparser cannot parse.
//! A small catalog of tables tells an existing table (dangerous to lock or rewrite) from one
//! created in the same file (harmless). Findings can be silenced per statement
//! (`-- squill:lint-ignore rule-id`) or per file (`-- squill:lint-ignore-file rule-id`).
//!
//! Module map: `files` (finding and ordering files), `linter` (the replay), `migration` (what
//! of a file runs, and how), `statement` (tokens, AST, spans),
//! `catalog` (tables so far), `directives` (comment directives), `rules` (one module per rule
//! family), `queries` (identifiers used by query files, for renames), `output`, `cli`.

mod catalog;
mod cli;
mod directives;
mod files;
mod linter;
mod migration;
mod output;
mod queries;
pub(crate) mod rules;
mod statement;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, SourceFile, closest};

pub use cli::{LintArgs, Outcome, OutputFormat, execute, run};
pub use output::{render_human, render_json};
pub use rules::{RULES, RuleInfo};

use linter::Linter;
use rules::Hit;

#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The migrations directory (or a single `.sql` file).
    pub schema_dir: PathBuf,
    /// Query files, for `renaming-column` / `renaming-table`; those rules stay quiet without.
    pub queries_dir: Option<PathBuf>,
    /// Rule ids to turn off.
    pub disabled_rules: Vec<String>,
    /// `[tenant]` of squill.toml, for `tenant-column-not-indexed` and
    /// `tenant-table-without-row-level-security`.
    pub tenant: Option<crate::config::Tenant>,
}

/// One problem: the rule's id and a warning pointing at the statement.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub diagnostic: Diagnostic,
}

#[derive(Debug, Default)]
pub struct LintReport {
    /// In migration order, then by position in the file.
    pub findings: Vec<Finding>,
    pub files_checked: usize,
    pub statements: usize,
    /// Statements sqlparser could not parse: only the token-level rules saw them.
    pub unparsed_statements: usize,
    /// What PostgreSQL would reject in the migrations (a statement it does not know, a table
    /// that does not exist, ...), found by the loader `squill generate` reads them with.
    pub errors: Vec<Diagnostic>,
}

/// Lints the migrations in `options.schema_dir`.
pub fn lint(options: &LintOptions) -> Result<LintReport, String> {
    // The loader `squill migrate` and `generate` read the folder with: what they refuse (a
    // misnamed file, two files with one version, a file that is not UTF-8) is an error here
    // too. The rules still run on what can be read.
    let (migrations, refused) = match crate::schema::load(&options.schema_dir, Path::new("")) {
        Ok(files) => (
            files
                .into_iter()
                .flat_map(|m| {
                    let down = m.down.map(|(file, sql)| SourceFile::new(file, sql));
                    std::iter::once(SourceFile::new(m.file, m.sql)).chain(down)
                })
                .collect(),
            None,
        ),
        Err(diagnostic) => (
            files::read_migrations(&options.schema_dir)?,
            Some(diagnostic),
        ),
    };
    let queries = match &options.queries_dir {
        Some(dir) => files::read_queries(dir)?,
        None => Vec::new(),
    };
    let mut report = lint_sources_with_tenant(
        migrations,
        &queries,
        &options.disabled_rules,
        options.tenant.as_ref(),
    )?;
    if let Some(diagnostic) = refused {
        report.errors.insert(0, diagnostic);
    }
    Ok(report)
}

/// Lints migrations already in memory. They are ordered here by the version prefix of their
/// file name; `.down.sql` files among them are down parts. `queries` are the query files
/// renames are checked against.
pub fn lint_sources(
    migrations: Vec<SourceFile>,
    queries: &[SourceFile],
    disabled_rules: &[String],
) -> Result<LintReport, String> {
    lint_sources_with_tenant(migrations, queries, disabled_rules, None)
}

/// [`lint_sources`] with `[tenant]`: tenant tables' tenant columns must lead an index, and
/// row-level security must cover every tenant table or none.
pub fn lint_sources_with_tenant(
    migrations: Vec<SourceFile>,
    queries: &[SourceFile],
    disabled_rules: &[String],
    tenant: Option<&crate::config::Tenant>,
) -> Result<LintReport, String> {
    let disabled = check_rule_ids(disabled_rules)?;
    let (down_files, mut migrations): (Vec<_>, Vec<_>) = migrations
        .into_iter()
        .partition(|f| f.name.to_ascii_lowercase().ends_with(".down.sql"));
    files::sort_migrations(&mut migrations);
    let mut linter = Linter::default();
    let mut created = Vec::new();
    for (n, file) in migrations.iter().enumerate() {
        created.push(linter.file(n, file));
    }
    linter.settle_coverage(tenant);
    // Down parts, newest first, each from the state its up part left.
    let mut downs: Vec<(usize, SourceFile)> = down_files
        .into_iter()
        .filter_map(|f| Some((up_of(&migrations, &f.name)?, f)))
        .collect();
    for (n, file) in migrations.iter().enumerate() {
        if let Some(text) = squill::migrate::down_section(&file.text) {
            downs.push((n, SourceFile::new(file.name.clone(), text)));
        }
    }
    downs.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let ups = migrations.len();
    for (i, (up, file)) in downs.iter().enumerate() {
        linter.file_from(ups + i, file, created[*up].clone());
    }
    let catalog_files = migrations.clone();
    migrations.extend(downs.into_iter().map(|(_, f)| f));
    let (mut report, mut hits) = linter.finish(queries, tenant);
    // The same reading as the offline catalog's: what it rejects, the migration run would.
    let (catalog, diagnostics, _) = crate::catalog::from_ddl(&catalog_files);
    report.errors = diagnostics.into_iter().filter(|d| d.is_error()).collect();
    if let Some(tenant) = tenant {
        hits.extend(rules::tenant::row_security_gaps(
            &migrations,
            &catalog,
            tenant,
        ));
    }
    hits.retain(|(_, h)| !disabled.contains(h.rule));
    hits.sort_by_key(|(n, h)| (*n, h.span.start));
    report.findings = hits
        .into_iter()
        .map(|(n, hit)| finding(&migrations[n], hit))
        .collect();
    Ok(report)
}

/// The index of the up file a `.down.sql` file undoes (same version).
fn up_of(migrations: &[SourceFile], down: &str) -> Option<usize> {
    let name = |path: &str| path.rsplit(['/', '\\']).next().unwrap_or(path).to_string();
    let (version, _) = squill::migrate::parse_down_file_name(&name(down))?;
    migrations.iter().position(|m| {
        squill::migrate::parse_file_name(&name(&m.name)).is_some_and(|(v, _)| v == version)
    })
}

/// The rule ids in `--disable`, each checked to exist.
fn check_rule_ids(ids: &[String]) -> Result<HashSet<&'static str>, String> {
    ids.iter()
        .map(|id| {
            rules::static_id(id).ok_or_else(|| {
                let hint = match closest(id, rules::ids()) {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => format!(
                        "known rules: {}",
                        rules::ids().collect::<Vec<_>>().join(", ")
                    ),
                };
                format!("unknown lint rule `{id}`: {hint}")
            })
        })
        .collect()
}

fn finding(file: &SourceFile, hit: Hit) -> Finding {
    let mut diagnostic = Diagnostic::warning(hit.message)
        .at(file, hit.span)
        .label(hit.label);
    for note in hit.notes {
        diagnostic = diagnostic.note(note);
    }
    if !hit.help.is_empty() {
        diagnostic = diagnostic.help(hit.help);
    }
    Finding {
        rule: hit.rule,
        diagnostic,
    }
}
