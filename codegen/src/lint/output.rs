//! Rendering a [`LintReport`]: rustc-style text, or one JSON document for tools.

use std::fmt::Write;

use super::{Finding, LintReport};

/// Every finding as a rustc-style warning (`warning[rule-id]: ...`), then a summary line.
pub fn render_human(report: &LintReport) -> String {
    let mut out = String::new();
    for error in &report.errors {
        out.push_str(error.render().trim_end());
        out.push_str("\n\n");
    }
    for finding in &report.findings {
        out.push_str(with_rule_code(finding).trim_end());
        out.push_str("\n\n");
    }
    let checked = format!(
        "{} in {}{}",
        plural(report.statements, "statement"),
        plural(report.files_checked, "migration file"),
        match report.unparsed_statements {
            0 => String::new(),
            n => format!("; {n} not parsed, checked by text-level rules only"),
        }
    );
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "error: {} in the migrations (what `squill migrate` or PostgreSQL refuses); {} ({checked})",
            plural(report.errors.len(), "error"),
            plural(report.findings.len(), "other problem")
        );
    } else if report.findings.is_empty() {
        let _ = writeln!(out, "squill lint: no problems found ({checked})");
    } else {
        let _ = writeln!(
            out,
            "warning: squill lint found {} ({checked})",
            plural(report.findings.len(), "problem")
        );
    }
    out
}

/// `warning: msg` → `warning[rule-id]: msg`. The shared `Diagnostic` has no code field, and
/// the rule id in the header is what users grep for and put in `lint-ignore`.
fn with_rule_code(finding: &Finding) -> String {
    let text = finding.diagnostic.render();
    match text.strip_prefix("warning: ") {
        Some(rest) => format!("warning[{}]: {rest}", finding.rule),
        None => text,
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `{ "errors": [ { "file", "line", "column", "message", "help" } ], "findings": [ { "rule",
/// "file", "line", "column", "message", "help" } ], "files_checked", "statements",
/// "unparsed_statements" }`, laid out as `serde_json::to_string_pretty` would.
/// `--format json`: one document, fields in a fixed order (serde keeps struct order).
pub fn render_json(report: &LintReport) -> String {
    #[derive(serde::Serialize)]
    struct JsonFinding<'a> {
        rule: &'a str,
        file: Option<&'a str>,
        line: usize,
        column: usize,
        message: &'a str,
        help: Option<&'a str>,
    }
    #[derive(serde::Serialize)]
    struct JsonError<'a> {
        file: Option<&'a str>,
        line: usize,
        column: usize,
        message: &'a str,
        help: Option<&'a str>,
    }
    #[derive(serde::Serialize)]
    struct JsonReport<'a> {
        errors: Vec<JsonError<'a>>,
        findings: Vec<JsonFinding<'a>>,
        files_checked: usize,
        statements: usize,
        unparsed_statements: usize,
    }
    let findings = report
        .findings
        .iter()
        .map(|finding| {
            let d = &finding.diagnostic;
            let (file, (line, column)) = match &d.file {
                Some(f) => (Some(f.name.as_str()), f.line_col(d.span.start)),
                None => (None, (0, 0)),
            };
            JsonFinding {
                rule: finding.rule,
                file,
                line,
                column,
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let errors = report
        .errors
        .iter()
        .map(|d| {
            let (file, (line, column)) = match &d.file {
                Some(f) => (Some(f.name.as_str()), f.line_col(d.span.start)),
                None => (None, (0, 0)),
            };
            JsonError {
                file,
                line,
                column,
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let document = JsonReport {
        errors,
        findings,
        files_checked: report.files_checked,
        statements: report.statements,
        unparsed_statements: report.unparsed_statements,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
