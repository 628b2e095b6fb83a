//! Rendering a [`LintReport`]: rustc-style text, or one JSON document for tools.

use std::fmt::Write;

use super::{Finding, LintReport};

/// Every finding as a rustc-style warning (`warning[rule-id]: ...`), then a summary line.
pub fn render_human(report: &LintReport) -> String {
    let mut out = String::new();
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
    if report.findings.is_empty() {
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

/// `{ "findings": [ { "rule", "file", "line", "column", "message", "help" } ], "files_checked",
/// "statements", "unparsed_statements" }`, laid out as `serde_json::to_string_pretty` would.
pub fn render_json(report: &LintReport) -> String {
    let mut out = String::from("{\n  \"findings\": [");
    for (i, finding) in report.findings.iter().enumerate() {
        let d = &finding.diagnostic;
        let (file, (line, column)) = match &d.file {
            Some(f) => (json_string(&f.name), f.line_col(d.span.start)),
            None => ("null".to_string(), (0, 0)),
        };
        let help = d.help.as_deref().map_or("null".to_string(), json_string);
        let _ = write!(
            out,
            "{}\n    {{\n      \"rule\": {},\n      \"file\": {file},\n      \"line\": {line},\n      \
             \"column\": {column},\n      \"message\": {},\n      \"help\": {help}\n    }}",
            if i == 0 { "" } else { "," },
            json_string(finding.rule),
            json_string(&d.message),
        );
    }
    if !report.findings.is_empty() {
        out.push_str("\n  ");
    }
    let _ = write!(
        out,
        "],\n  \"files_checked\": {},\n  \"statements\": {},\n  \"unparsed_statements\": {}\n}}\n",
        report.files_checked, report.statements, report.unparsed_statements
    );
    out
}

/// A JSON string literal. Hand-written because serde_json is not a dependency of this crate.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn escapes() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
    }
}
