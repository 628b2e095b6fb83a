//! The replay: every migration in order, every statement through the rules, the catalog
//! updated after each, suppressions applied; renames decided at the end.

use crate::diagnostic::SourceFile;
use crate::source::split::split_statements;

use super::LintReport;
use super::catalog::{Catalog, FileState};
use super::directives::FileDirectives;
use super::migration;
use super::queries::QueryIndex;
use super::rules::coverage::{At, Coverage};
use super::rules::{self, Ctx, FileRules, Hit, Sink, renames::Pending};
use super::statement::Statement;

/// Findings are kept with the index of their file, to sort them in migration order.
#[derive(Debug, Default)]
pub(crate) struct Linter {
    catalog: Catalog,
    report: LintReport,
    hits: Vec<(usize, Hit)>,
    renames: Vec<(usize, Pending)>,
    coverage: Coverage,
    /// Index coverage as the up parts left the schema (down parts don't count).
    coverage_hits: Option<Vec<(usize, Hit)>>,
}

impl Linter {
    /// Lints migration number `n` (files must come in migration order).
    pub fn file(&mut self, n: usize, file: &SourceFile) -> FileState {
        self.file_from(n, file, FileState::default())
    }

    /// Lints file `n` starting from `file_state`: a down part starts from what its up part
    /// created, so undoing the file's own tables counts as touching new ones. Returns the
    /// state at the end of the file.
    pub fn file_from(&mut self, n: usize, file: &SourceFile, file_state: FileState) -> FileState {
        // Rules read the runnable text: same offsets as the file, down sections blanked.
        let migration = migration::read(&file.text);
        let text = migration.runnable.as_str();
        let statements: Vec<Statement> = split_statements(text)
            .into_iter()
            .filter_map(|range| Statement::read(text, range, true))
            .collect();
        self.report.files_checked += 1;
        self.report.statements += statements.len();
        self.report.unparsed_statements += statements.iter().filter(|s| s.ast.is_none()).count();

        let mut directives = FileDirectives::scan(text);
        let file_ignores = directives.file_ignores(statements.first().map(Statement::start));
        let mut file_state = file_state;
        let mut rule_state = FileRules::default();
        for stmt in &statements {
            let ignores = directives.statement_ignores(stmt.start());
            let suppressed = |rule: &str| file_ignores.contains(rule) || ignores.contains(rule);
            let ctx = Ctx {
                text,
                stmt,
                catalog: &self.catalog,
                file: &file_state,
                no_transaction: migration.no_transaction,
            };
            let mut sink = Sink::default();
            rules::check(&ctx, &mut rule_state, &mut sink);
            let hits = sink.hits.into_iter().filter(|h| !suppressed(h.rule));
            self.hits.extend(hits.map(|h| (n, h)));
            let renames = sink.renames.into_iter().filter(|p| !suppressed(p.rule()));
            self.renames.extend(renames.map(|p| (n, p)));
            if self.coverage_hits.is_none() {
                self.coverage.apply(&At {
                    file: n,
                    text,
                    stmt,
                    suppressed: &suppressed,
                });
            }
            self.catalog.apply(stmt, &mut file_state);
        }
        self.hits
            .extend(directives.problems().into_iter().map(|h| (n, h)));
        file_state
    }

    /// Judges index coverage on the schema as it stands now (after the up parts), before
    /// down parts are linted.
    pub fn settle_coverage(&mut self, tenant: Option<&crate::config::Tenant>) {
        self.coverage_hits = Some(self.coverage.finish(tenant));
    }

    /// The counts, and every hit with its file index. Renames and index coverage are judged
    /// here, against the final schema (a name may come back, an index may come later) and
    /// the query files.
    pub fn finish(
        mut self,
        queries: &[SourceFile],
        tenant: Option<&crate::config::Tenant>,
    ) -> (LintReport, Vec<(usize, Hit)>) {
        let coverage = match self.coverage_hits.take() {
            Some(hits) => hits,
            None => self.coverage.finish(tenant),
        };
        self.hits.extend(coverage);
        if !self.renames.is_empty() {
            let index = QueryIndex::build(queries);
            for (n, pending) in self.renames {
                if let Some(hit) = rules::renames::resolve(pending, &self.catalog, &index) {
                    self.hits.push((n, hit));
                }
            }
        }
        (self.report, self.hits)
    }
}
