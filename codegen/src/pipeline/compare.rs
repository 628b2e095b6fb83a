//! `squill check --live`: holds the offline analysis to PostgreSQL's own answer, query by query.

use std::fmt;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::ir::Query;

/// One way the offline result differs from the live one.
#[derive(Debug, Clone)]
pub struct Difference {
    /// `file:line` and name of the query.
    pub query: String,
    pub kind: DifferenceKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DifferenceKind {
    /// Types, names or shape differ, or one side rejects what the other accepts: a bug.
    Disagreement,
    /// The analyzer does not accept a query PostgreSQL accepts (its reason is the detail).
    Refused,
    /// Nullability differs. PostgreSQL does not report nullability, so the live side is only
    /// a conservative reading of the catalog; the offline analyzer usually knows more.
    Nullability,
}

impl Difference {
    pub fn is_disagreement(&self) -> bool {
        self.kind == DifferenceKind::Disagreement
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            DifferenceKind::Disagreement => "disagreement",
            DifferenceKind::Refused => "refused offline",
            DifferenceKind::Nullability => "nullability",
        };
        write!(f, "{kind}: {}: {}", self.query, self.detail)
    }
}

/// Every difference between the two analyses of the same query files.
pub fn differences(
    files: &[SourceFile],
    offline: &[Vec<Result<Query, Diagnostic>>],
    live: &[Vec<Result<Query, Diagnostic>>],
) -> Vec<Difference> {
    let mut out = Vec::new();
    for ((_file, offline), live) in files.iter().zip(offline).zip(live) {
        for (offline, live) in offline.iter().zip(live) {
            match (offline, live) {
                (Ok(o), Ok(l)) => compare_query(o, l, &mut out),
                (Err(refusal), Ok(l)) => out.push(Difference {
                    query: label(l),
                    kind: DifferenceKind::Refused,
                    detail: refusal.message.clone(),
                }),
                (Ok(o), Err(rejection)) => out.push(Difference {
                    query: label(o),
                    kind: DifferenceKind::Disagreement,
                    detail: format!(
                        "accepted offline, but PostgreSQL says: {}",
                        rejection.message
                    ),
                }),
                // Both reject: the build reports it; nothing to compare.
                (Err(_), Err(_)) => {}
            }
        }
    }
    out
}

fn label(q: &Query) -> String {
    format!("{}:{} {}", q.file, q.line, q.name)
}

fn compare_query(offline: &Query, live: &Query, out: &mut Vec<Difference>) {
    let mut push = |kind, detail: String| {
        out.push(Difference {
            query: label(live),
            kind,
            detail,
        })
    };
    if offline.params.len() != live.params.len() {
        push(
            DifferenceKind::Disagreement,
            format!(
                "{} parameters offline, {} per PostgreSQL",
                offline.params.len(),
                live.params.len()
            ),
        );
    }
    for (i, (o, l)) in offline.params.iter().zip(&live.params).enumerate() {
        if o.ty != l.ty {
            push(
                DifferenceKind::Disagreement,
                format!(
                    "parameter ${} `{}`: {} offline, {} per PostgreSQL",
                    i + 1,
                    l.name,
                    o.ty.display_name(),
                    l.ty.display_name()
                ),
            );
        }
    }
    if offline.columns.len() != live.columns.len() {
        push(
            DifferenceKind::Disagreement,
            format!(
                "{} columns offline, {} per PostgreSQL",
                offline.columns.len(),
                live.columns.len()
            ),
        );
    }
    for (o, l) in offline.columns.iter().zip(&live.columns) {
        if o.name != l.name {
            push(
                DifferenceKind::Disagreement,
                format!("column `{}` is named `{}` offline", l.name, o.name),
            );
        }
        if o.ty != l.ty {
            push(
                DifferenceKind::Disagreement,
                format!(
                    "column `{}`: {} offline, {} per PostgreSQL",
                    l.name,
                    o.ty.display_name(),
                    l.ty.display_name()
                ),
            );
        }
        if o.nullable != l.nullable {
            let (offline, live) = (nullable_word(o.nullable), nullable_word(l.nullable));
            push(
                DifferenceKind::Nullability,
                format!(
                    "column `{}`: {offline} offline, {live} by the live catalog reading",
                    l.name
                ),
            );
        }
    }
}

fn nullable_word(nullable: bool) -> &'static str {
    if nullable { "nullable" } else { "non-null" }
}
