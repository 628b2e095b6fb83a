//! Rendering a vet [`Report`]: rustc-style warnings, or one JSON document.

use std::fmt::Write;

use serde_json::json;

use super::{Finding, Report, ScanKind, Watched};
use crate::diagnostic::Diagnostic;

fn what(finding: &Finding) -> String {
    let table = match &finding.watched {
        Watched::Tenant(column) => format!(
            "tenant table `{}` (tenant column `{column}`)",
            finding.table
        ),
        Watched::Large => format!("large table `{}`", finding.table),
    };
    match &finding.kind {
        ScanKind::Seq => format!("no index serves this scan of {table}: sequential scan"),
        ScanKind::WholeIndex { index, leading } => format!(
            "index `{index}` is read whole for {table}: its leading column `{leading}` is not constrained"
        ),
    }
}

fn diagnostic(finding: &Finding) -> Diagnostic {
    let mut d = Diagnostic::warning(what(finding))
        .at(&finding.file, finding.span.clone())
        .label(format!("query `{}`", finding.query));
    match &finding.filter {
        Some(filter) => d = d.note(format!("filter: {filter}")),
        None if finding.conditions.is_empty() => {
            d = d.note("the scan has no condition: it reads every row")
        }
        None => {}
    }
    for condition in &finding.conditions {
        d = d.note(format!("condition: {condition}"));
    }
    if let (Watched::Tenant(column), true) = (&finding.watched, finding.unscoped) {
        d = d.note(format!(
            "no condition compares `{column}` with `=`: the query reads every tenant's rows"
        ));
    }
    match (&finding.index, &finding.kind) {
        (Some(index), _) => d.help(format!("create an index: `{index}`")),
        (None, ScanKind::WholeIndex { leading, .. }) if finding.read_in_order => d.help(format!(
            "the index leads with `{leading}`, but only a join reads it (in order, whole): restrict `{leading}` with a condition of this query"
        )),
        (None, _) if matches!(finding.watched, Watched::Tenant(_)) => d.help(format!(
            "no condition compares a plain column of `{}`: scope the query by the tenant column, or index the expression it filters on",
            finding.table
        )),
        (None, _) => d.help(format!(
            "no condition compares a plain column of `{}`: restrict the query, or index the expression it filters on",
            finding.table
        )),
    }
}

/// Findings as warnings, queries vet could not explain as notes, then a summary line.
pub fn render_human(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(diagnostic(finding).render().trim_end());
        out.push_str("\n\n");
    }
    for unchecked in &report.unchecked {
        let d = Diagnostic::warning(format!(
            "query `{}` was not explained: {}",
            unchecked.query, unchecked.reason
        ))
        .at(&unchecked.file, unchecked.span.clone())
        .label("no plan");
        out.push_str(d.render().trim_end());
        out.push_str("\n\n");
    }
    let unexplained = match report.unchecked.len() {
        0 => String::new(),
        n => format!(", {n} not explained"),
    };
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "squill vet: every scan of a tenant or large table is served by an index ({} queries{unexplained})",
            report.queries
        );
    } else {
        let queries = {
            let mut names: Vec<(&str, &str)> = report
                .findings
                .iter()
                .map(|f| (&*f.file.name, f.query.as_str()))
                .collect();
            names.dedup();
            names.len()
        };
        let _ = writeln!(
            out,
            "warning: squill vet found {} unserved scans in {queries} of {} queries{unexplained}",
            report.findings.len(),
            report.queries
        );
    }
    out
}

/// `{"queries": n, "findings": [...], "unchecked": [...]}`.
pub fn render_json(report: &Report) -> String {
    let findings: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let (line, column) = f.file.line_col(f.span.start);
            let (kind, index, leading) = match &f.kind {
                ScanKind::Seq => ("seq_scan", None, None),
                ScanKind::WholeIndex { index, leading } => {
                    ("whole_index", Some(index), Some(leading))
                }
            };
            json!({
                "query": f.query,
                "file": &*f.file.name,
                "line": line,
                "column": column,
                "table": f.table,
                "tenant_column": match &f.watched {
                    Watched::Tenant(column) => Some(column),
                    Watched::Large => None,
                },
                "kind": kind,
                "index": index,
                "leading_column": leading,
                "filter": f.filter,
                "conditions": f.conditions,
                "suggested_index": f.index,
                "unscoped": f.unscoped,
                "message": what(f),
            })
        })
        .collect();
    let unchecked: Vec<_> = report
        .unchecked
        .iter()
        .map(|u| {
            let (line, column) = u.file.line_col(u.span.start);
            json!({
                "query": u.query,
                "file": &*u.file.name,
                "line": line,
                "column": column,
                "reason": u.reason,
            })
        })
        .collect();
    let document = json!({
        "queries": report.queries,
        "findings": findings,
        "unchecked": unchecked,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
